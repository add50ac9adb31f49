//! Against a DTLS peer nobody here wrote: the `openssl` command line (`s_server` and `s_client`), over UDP on
//! 127.0.0.1, in both roles. Our exported keying material must equal the hex OpenSSL prints, the SRTP profile
//! must be the one it reports, and application data and `close_notify` must pass both ways.
//!
//! The endpoint stays sans-IO; this test owns the socket and passes it `Instant::now()`.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ortc_dtls::{
    Alert, AlertDescription, AlertLevel, DtlsCertificate, DtlsConfig, DtlsEndpoint, DtlsError, DtlsEvent, DtlsState,
    KeyType, PeerCertificateError,
};
use ortc_srtp::{DTLS_SRTP_EXPORTER_LABEL, DtlsRole, SessionKeys, SrtpProfile};

const STEP: Duration = Duration::from_millis(20);
const PATIENCE: Duration = Duration::from_secs(15);

/// A directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!("ortc-dtls-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir)
    }

    /// Writes `cert`'s certificate and key as PEM files; returns their paths.
    fn write_pem(&self, name: &str, cert: &DtlsCertificate) -> (PathBuf, PathBuf) {
        let (c, k) = (self.0.join(format!("{name}.crt")), self.0.join(format!("{name}.key")));
        std::fs::write(&c, cert.certificate_pem().expect("pem")).expect("write");
        std::fs::write(&k, cert.private_key_pem().expect("pem")).expect("write");
        (c, k)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An `openssl` child process, killed on drop; its stdout and stderr lines arrive on a channel.
struct OpensslPeer {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl OpensslPeer {
    fn spawn(args: &[&str]) -> Self {
        let mut child = Command::new("openssl")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the `openssl` command line must be installed");
        let (tx, lines) = mpsc::channel();
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        let tx2 = tx.clone();
        std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .for_each(|l| drop(tx.send(l)));
        });
        std::thread::spawn(move || {
            BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
                .for_each(|l| drop(tx2.send(format!("stderr: {l}"))));
        });
        let stdin = child.stdin.take();
        Self {
            child,
            stdin,
            lines,
            seen: Vec::new(),
        }
    }

    /// Collects the lines printed so far; returns the first one containing `needle`, if any.
    fn find(&mut self, needle: &str) -> Option<String> {
        while let Ok(l) = self.lines.try_recv() {
            self.seen.push(l);
        }
        self.seen.iter().find(|l| l.contains(needle)).cloned()
    }

    fn wait_for(&mut self, needle: &str) -> String {
        let end = Instant::now() + PATIENCE;
        loop {
            if let Some(l) = self.find(needle) {
                return l;
            }
            assert!(
                Instant::now() < end,
                "openssl never printed {needle:?}; it printed:\n{}",
                self.seen.join("\n")
            );
            std::thread::sleep(STEP);
        }
    }

    /// The keying material `-keymatexport` printed, as bytes.
    fn keying_material(&mut self, ours: &mut Link) -> Vec<u8> {
        ours.pump_until(self, |_, peer| peer.find("Keying material: ").is_some());
        let line = self.find("Keying material: ").expect("found");
        let hex = line.split("Keying material: ").nth(1).expect("hex").trim();
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex byte"))
            .collect()
    }
}

impl Drop for OpensslPeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Our endpoint on a real UDP socket.
struct Link {
    endpoint: DtlsEndpoint,
    socket: UdpSocket,
    peer: Option<SocketAddr>,
    events: Vec<DtlsEvent>,
}

impl Link {
    fn new(endpoint: DtlsEndpoint, socket: UdpSocket, peer: Option<SocketAddr>) -> Self {
        Self {
            endpoint,
            socket,
            peer,
            events: Vec::new(),
        }
    }

    /// One round: send what is queued, wait up to one step for a datagram, run the timer.
    fn step(&mut self) {
        if let Some(peer) = self.peer {
            while let Some(d) = self.endpoint.poll_transmit() {
                self.socket.send_to(&d, peer).expect("send");
            }
        }
        let now = Instant::now();
        let wait = self
            .endpoint
            .poll_timeout()
            .map_or(STEP, |t| t.saturating_duration_since(now).min(STEP))
            .max(Duration::from_millis(1));
        self.socket.set_read_timeout(Some(wait)).expect("timeout");
        let mut buf = [0u8; 2048];
        match self.socket.recv_from(&mut buf) {
            Ok((n, from)) => {
                self.peer = Some(from);
                self.endpoint.handle_datagram(Instant::now(), &buf[..n]);
            }
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(e) => panic!("recv: {e}"),
        }
        self.endpoint.handle_timeout(Instant::now());
        while let Some(e) = self.endpoint.poll_event() {
            self.events.push(e);
        }
        if let Some(peer) = self.peer {
            while let Some(d) = self.endpoint.poll_transmit() {
                self.socket.send_to(&d, peer).expect("send");
            }
        }
    }

    fn pump_until(&mut self, peer: &mut OpensslPeer, mut done: impl FnMut(&Self, &mut OpensslPeer) -> bool) {
        let end = Instant::now() + PATIENCE;
        while !done(self, peer) {
            assert!(
                Instant::now() < end,
                "gave up; our events: {:?}\nopenssl printed:\n{}",
                self.events,
                peer.seen.join("\n")
            );
            self.step();
        }
    }

    fn connected(&self) -> Option<(SrtpProfile, SessionKeys)> {
        self.events.iter().find_map(|e| match e {
            DtlsEvent::Connected { profile, keys, .. } => Some((*profile, keys.clone())),
            _ => None,
        })
    }

    fn received(&self) -> Vec<u8> {
        self.events
            .iter()
            .filter_map(|e| match e {
                DtlsEvent::ApplicationData(d) => Some(d.to_vec()),
                _ => None,
            })
            .flatten()
            .collect()
    }
}

fn free_udp_port() -> u16 {
    let s = UdpSocket::bind("127.0.0.1:0").expect("bind");
    s.local_addr().expect("addr").port()
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// Checks the keys we handed out against the material OpenSSL exported, and our own export against it too.
fn check_keys(link: &Link, theirs: &[u8], expected_profile: SrtpProfile, role: DtlsRole) {
    let (profile, keys) = link.connected().expect("connected");
    assert_eq!(profile, expected_profile);
    let ours = link
        .endpoint
        .export_keying_material(DTLS_SRTP_EXPORTER_LABEL, None, 60)
        .expect("export");
    assert_eq!(theirs, &ours[..], "exported keying material differs from OpenSSL's");
    let from_theirs =
        SessionKeys::from_dtls_exporter(profile, &theirs[..profile.keying_material_len()], role).expect("split");
    assert_eq!(keys, from_theirs);
}

fn we_are_client(offer: &[SrtpProfile], expected: SrtpProfile) {
    let dir = TempDir::new();
    let (ours, theirs) = (
        DtlsCertificate::generate(KeyType::EcdsaP256).expect("cert"),
        DtlsCertificate::generate(KeyType::EcdsaP256).expect("cert"),
    );
    let (crt, key) = dir.write_pem("server", &theirs);
    let port = free_udp_port();
    let accept = format!("127.0.0.1:{port}");
    let mut server = OpensslPeer::spawn(&[
        "s_server",
        "-dtls1_2",
        "-accept",
        &accept,
        "-cert",
        path(&crt),
        "-key",
        path(&key),
        "-verify",
        "1",
        "-use_srtp",
        "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80",
        "-keymatexport",
        DTLS_SRTP_EXPORTER_LABEL,
        "-keymatexportlen",
        "60",
    ]);
    server.wait_for("ACCEPT");

    let config = DtlsConfig {
        srtp_profiles: offer.to_vec(),
        ..DtlsConfig::default()
    };
    let endpoint =
        DtlsEndpoint::new(DtlsRole::Client, &ours, [theirs.fingerprint().clone()], &config).expect("endpoint");
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let mut link = Link::new(endpoint, socket, Some(accept.parse().expect("addr")));
    link.endpoint.start(Instant::now());
    link.pump_until(&mut server, |l, _| l.endpoint.state() != DtlsState::Handshaking);
    assert_eq!(link.endpoint.state(), DtlsState::Connected, "{:?}", link.events);

    let material = server.keying_material(&mut link);
    check_keys(&link, &material, expected, DtlsRole::Client);
    server.wait_for(&format!(
        "SRTP Extension negotiated, profile={}",
        expected.openssl_name()
    ));

    // Application data to s_server, which prints it; then our close_notify ends its connection.
    link.endpoint.send_application_data(b"hello from ortc\n").expect("send");
    link.pump_until(&mut server, |_, s| s.find("hello from ortc").is_some());
    link.endpoint.close();
    link.step();
    // s_server prints DONE when the peer closes with close_notify.
    server.wait_for("DONE");
}

#[test]
fn our_client_against_openssl_s_server() {
    we_are_client(&ortc_dtls::DEFAULT_SRTP_PROFILES, SrtpProfile::AeadAes128Gcm);
}

#[test]
fn our_client_offering_only_aes_cm_against_openssl_s_server() {
    we_are_client(&[SrtpProfile::Aes128CmHmacSha1_80], SrtpProfile::Aes128CmHmacSha1_80);
}

#[test]
fn our_server_against_openssl_s_client() {
    let dir = TempDir::new();
    let (ours, theirs) = (
        DtlsCertificate::generate(KeyType::EcdsaP256).expect("cert"),
        DtlsCertificate::generate(KeyType::EcdsaP256).expect("cert"),
    );
    let (crt, key) = dir.write_pem("client", &theirs);
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let connect = socket.local_addr().expect("addr").to_string();
    let config = DtlsConfig {
        // Our preference decides: AES-CM first, although the client lists GCM first.
        srtp_profiles: vec![SrtpProfile::Aes128CmHmacSha1_80, SrtpProfile::AeadAes128Gcm],
        ..DtlsConfig::default()
    };
    let endpoint =
        DtlsEndpoint::new(DtlsRole::Server, &ours, [theirs.fingerprint().clone()], &config).expect("endpoint");
    let mut link = Link::new(endpoint, socket, None);
    link.endpoint.start(Instant::now());

    let mut client = OpensslPeer::spawn(&[
        "s_client",
        "-dtls1_2",
        "-connect",
        &connect,
        "-cert",
        path(&crt),
        "-key",
        path(&key),
        "-use_srtp",
        "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80",
        "-keymatexport",
        DTLS_SRTP_EXPORTER_LABEL,
        "-keymatexportlen",
        "60",
    ]);
    link.pump_until(&mut client, |l, _| l.endpoint.state() != DtlsState::Handshaking);
    assert_eq!(link.endpoint.state(), DtlsState::Connected, "{:?}", link.events);
    let material = client.keying_material(&mut link);
    check_keys(&link, &material, SrtpProfile::Aes128CmHmacSha1_80, DtlsRole::Server);
    client.wait_for("SRTP Extension negotiated, profile=SRTP_AES128_CM_SHA1_80");

    // s_client sends its stdin as application data and prints what it receives.
    let stdin = client.stdin.as_mut().expect("stdin");
    stdin.write_all(b"ping from openssl\n").expect("write");
    stdin.flush().expect("flush");
    link.pump_until(&mut client, |l, _| l.received().ends_with(b"ping from openssl\n"));
    link.endpoint.send_application_data(b"pong from ortc\n").expect("send");
    link.pump_until(&mut client, |_, c| c.find("pong from ortc").is_some());

    // Closing stdin makes s_client send close_notify.
    drop(client.stdin.take());
    link.pump_until(&mut client, |l, _| l.endpoint.state() == DtlsState::Closed);
    assert!(matches!(link.events.last(), Some(DtlsEvent::Closed)));
}

/// A peer whose certificate matches its fingerprint but whose key is below OpenSSL's security level is refused:
/// only the errors expected of a self-signed certificate are overlooked.
#[test]
fn a_weak_key_fails_even_with_the_right_fingerprint() {
    let dir = TempDir::new();
    let (crt, key) = (dir.0.join("weak.crt"), dir.0.join("weak.key"));
    let made = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:512", "-nodes", "-subj", "/CN=weak", "-days", "1",
        ])
        .args(["-keyout", path(&key), "-out", path(&crt)])
        .output()
        .expect("openssl req");
    assert!(made.status.success(), "{made:?}");
    let weak = openssl::x509::X509::from_pem(&std::fs::read(&crt).expect("read")).expect("pem");
    let fingerprint = ortc_dtls::Fingerprint::of(&weak, ortc_dtls::HashFunction::Sha256).expect("fingerprint");

    let ours = DtlsCertificate::generate(KeyType::EcdsaP256).expect("cert");
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let connect = socket.local_addr().expect("addr").to_string();
    let endpoint = DtlsEndpoint::new(DtlsRole::Server, &ours, [fingerprint], &DtlsConfig::default()).expect("endpoint");
    let mut link = Link::new(endpoint, socket, None);
    link.endpoint.start(Instant::now());
    let mut client = OpensslPeer::spawn(&[
        "s_client",
        "-dtls1_2",
        "-connect",
        &connect,
        "-cert",
        path(&crt),
        "-key",
        path(&key),
        // Lets s_client use its weak key at all.
        "-cipher",
        "DEFAULT:@SECLEVEL=0",
        "-use_srtp",
        "SRTP_AEAD_AES_128_GCM",
    ]);
    link.pump_until(&mut client, |l, _| l.endpoint.state() != DtlsState::Handshaking);
    assert_eq!(link.endpoint.state(), DtlsState::Failed, "{:?}", link.events);
    assert!(
        matches!(
            &link.events[..],
            [DtlsEvent::Error(DtlsError::PeerCertificate(PeerCertificateError::BadCertificate {
                depth: 0,
                code: openssl_sys::X509_V_ERR_EE_KEY_TOO_SMALL,
                reason,
            }))] if reason.contains("key too weak")
        ),
        "{:?}",
        link.events
    );
}

/// A client that sends no certificate is refused: there is nothing to check the fingerprint against.
#[test]
fn a_client_without_a_certificate_is_refused() {
    let (ours, expected) = (
        DtlsCertificate::generate(KeyType::EcdsaP256).expect("cert"),
        DtlsCertificate::generate(KeyType::EcdsaP256).expect("cert"),
    );
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let connect = socket.local_addr().expect("addr").to_string();
    let endpoint = DtlsEndpoint::new(
        DtlsRole::Server,
        &ours,
        [expected.fingerprint().clone()],
        &DtlsConfig::default(),
    )
    .expect("endpoint");
    let mut link = Link::new(endpoint, socket, None);
    link.endpoint.start(Instant::now());
    // No -cert: s_client answers the CertificateRequest with an empty Certificate.
    let mut client = OpensslPeer::spawn(&[
        "s_client",
        "-dtls1_2",
        "-connect",
        &connect,
        "-use_srtp",
        "SRTP_AEAD_AES_128_GCM",
    ]);
    link.pump_until(&mut client, |l, _| l.endpoint.state() != DtlsState::Handshaking);
    assert!(
        matches!(
            &link.events[..],
            [DtlsEvent::Error(DtlsError::PeerCertificate(
                PeerCertificateError::NoCertificate
            ))]
        ),
        "{:?}",
        link.events
    );
}

/// An `s_server` that checks our self-signed certificate against its trust store refuses it with a fatal
/// `unknown_ca` alert, which our client reports as received.
#[test]
fn the_alert_of_an_openssl_server_refusing_our_certificate_is_reported() {
    let dir = TempDir::new();
    let (ours, theirs) = (
        DtlsCertificate::generate(KeyType::EcdsaP256).expect("cert"),
        DtlsCertificate::generate(KeyType::EcdsaP256).expect("cert"),
    );
    let (crt, key) = dir.write_pem("server", &theirs);
    let port = free_udp_port();
    let accept = format!("127.0.0.1:{port}");
    let mut server = OpensslPeer::spawn(&[
        "s_server",
        "-dtls1_2",
        "-accept",
        &accept,
        "-cert",
        path(&crt),
        "-key",
        path(&key),
        "-Verify",
        "1",
        "-verify_return_error",
        "-use_srtp",
        "SRTP_AEAD_AES_128_GCM",
    ]);
    server.wait_for("ACCEPT");
    let endpoint = DtlsEndpoint::new(
        DtlsRole::Client,
        &ours,
        [theirs.fingerprint().clone()],
        &DtlsConfig::default(),
    )
    .expect("endpoint");
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let mut link = Link::new(endpoint, socket, Some(accept.parse().expect("addr")));
    link.endpoint.start(Instant::now());
    link.pump_until(&mut server, |l, _| l.endpoint.state() != DtlsState::Handshaking);
    let unknown_ca = Alert {
        level: AlertLevel::Fatal,
        description: AlertDescription::UnknownCa,
    };
    assert!(
        matches!(&link.events[..], [DtlsEvent::Error(DtlsError::AlertReceived(a))] if *a == unknown_ca),
        "{:?}\nopenssl printed:\n{}",
        link.events,
        server.seen.join("\n")
    );
}
