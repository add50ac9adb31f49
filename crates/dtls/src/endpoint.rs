//! The sans-IO DTLS endpoint: datagrams and `Instant`s in; datagrams, events and a deadline out.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use openssl::error::ErrorStack;
use openssl::ssl::{
    self, ErrorCode, Ssl, SslContextBuilder, SslMethod, SslOptions, SslSessionCacheMode, SslStream, SslVerifyMode,
    SslVersion,
};
use openssl::x509::{X509Ref, X509StoreContextRef};
use ortc_srtp::{DTLS_SRTP_EXPORTER_LABEL, DtlsRole, SessionKeys, SrtpProfile};
use tracing::{debug, info, warn};

use crate::ffi::{self, TimeoutOutcome};
use crate::{DtlsCertificate, DtlsError, Fingerprint, PeerCertificateError};

/// The MTU used unless configured otherwise: every datagram of the handshake fits in it.
pub const DEFAULT_MTU: usize = 1200;

/// The smallest MTU accepted: OpenSSL's own floor for DTLS (256) plus the 24 bytes (GCM nonce and tag) it leaves
/// out when fitting encrypted handshake records.
pub const MIN_MTU: usize = 256 + AEAD_RECORD_EXPANSION;

/// Bytes an AEAD cipher adds to a record that OpenSSL 3.0 leaves out when it fits encrypted handshake records
/// (the Finished) into the MTU: the explicit nonce (8) and the tag (16) of AES-GCM. OpenSSL is given the MTU less
/// this, so that every datagram it writes fits the configured MTU.
const AEAD_RECORD_EXPANSION: usize = 8 + 16;

/// The largest MTU accepted.
///
/// During the handshake OpenSSL writes records through a buffering BIO of 4096 bytes and flushes it whenever it
/// fills: a datagram larger than that reaches the endpoint in pieces, and a piece is no valid datagram (the
/// peer drops it and the flight must be retransmitted). WebRTC paths rarely carry more than 1500 bytes anyway.
pub const MAX_MTU: usize = 4096;

/// The most application data one DTLS record carries; the MTU limits one
/// [`DtlsEndpoint::send_application_data`] call sooner (see [`DtlsEndpoint::max_application_data`]).
pub const MAX_APPLICATION_DATA: usize = 16_384;

/// SRTP profiles offered unless configured otherwise, most preferred first.
pub const DEFAULT_SRTP_PROFILES: [SrtpProfile; 4] = [
    SrtpProfile::AeadAes128Gcm,
    SrtpProfile::AeadAes256Gcm,
    SrtpProfile::Aes128CmHmacSha1_80,
    SrtpProfile::Aes128CmHmacSha1_32,
];

/// The first retransmission timeout unless configured otherwise (RFC 6347 §4.2.4.1).
pub const DEFAULT_INITIAL_RETRANSMIT_TIMEOUT: Duration = Duration::from_secs(1);

/// The shortest initial retransmission timeout accepted.
pub const MIN_INITIAL_RETRANSMIT_TIMEOUT: Duration = Duration::from_millis(1);

/// Options of every context:
/// - `NO_RENEGOTIATION`: RFC 8827 §6.5 forbids renegotiation in WebRTC (a peer could swap certificates after
///   the fingerprint was checked); a `HelloRequest` or a second `ClientHello` is refused.
/// - `NO_TICKET` (and no session cache, set beside it): every association is a full handshake that checks the
///   peer's certificate; nothing is resumed.
/// - `NO_QUERY_MTU`: the MTU is ours to set; never ask the BIO (ours has no path MTU) nor lower it after
///   timeouts.
const CONTEXT_OPTIONS: SslOptions = SslOptions::NO_RENEGOTIATION
    .union(SslOptions::NO_TICKET)
    .union(SslOptions::NO_QUERY_MTU);

/// ECDHE key exchange only, AEAD first: the suites browsers offer for DTLS 1.2.
const CIPHER_LIST: &str = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:\
ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:\
ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:\
ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA";

/// How an endpoint negotiates: SRTP profiles, MTU, retransmission timing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DtlsConfig {
    /// SRTP protection profiles to offer (client) or accept (server), most preferred first. The server's
    /// order decides among the profiles both sides support.
    pub srtp_profiles: Vec<SrtpProfile>,
    /// The largest datagram to send, in bytes; handshake flights are fragmented to fit.
    pub mtu: usize,
    /// The first retransmission timeout; each further one doubles, up to
    /// [`MAX_RETRANSMIT_TIMEOUT`](crate::MAX_RETRANSMIT_TIMEOUT).
    pub initial_retransmit_timeout: Duration,
}

impl Default for DtlsConfig {
    fn default() -> Self {
        Self {
            srtp_profiles: DEFAULT_SRTP_PROFILES.to_vec(),
            mtu: DEFAULT_MTU,
            initial_retransmit_timeout: DEFAULT_INITIAL_RETRANSMIT_TIMEOUT,
        }
    }
}

impl DtlsConfig {
    fn validate(&self) -> Result<(), DtlsError> {
        if self.srtp_profiles.is_empty() {
            return Err(DtlsError::NoSrtpProfilesConfigured);
        }
        if !(MIN_MTU..=MAX_MTU).contains(&self.mtu) {
            return Err(DtlsError::MtuOutOfRange {
                mtu: self.mtu,
                min: MIN_MTU,
                max: MAX_MTU,
            });
        }
        let rto = self.initial_retransmit_timeout;
        if !(MIN_INITIAL_RETRANSMIT_TIMEOUT..=ffi::MAX_RETRANSMIT_TIMEOUT).contains(&rto) {
            return Err(DtlsError::RetransmitTimeoutOutOfRange {
                got_ms: rto.as_millis(),
                min_ms: MIN_INITIAL_RETRANSMIT_TIMEOUT.as_millis(),
                max_ms: ffi::MAX_RETRANSMIT_TIMEOUT.as_millis(),
            });
        }
        Ok(())
    }

    fn use_srtp_list(&self) -> String {
        let mut names: Vec<&str> = Vec::with_capacity(self.srtp_profiles.len());
        for p in &self.srtp_profiles {
            if !names.contains(&p.openssl_name()) {
                names.push(p.openssl_name());
            }
        }
        names.join(":")
    }
}

/// Where an endpoint is in its life.
///
/// More states may be added in later versions: a `match` on it needs a wildcard arm.
///
/// ```compile_fail,E0004
/// # use ortc_dtls::DtlsState;
/// fn open(state: DtlsState) -> bool {
///     match state {
///         DtlsState::Handshaking | DtlsState::Connected => true,
///         DtlsState::Closed | DtlsState::Failed => false,
///     }
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DtlsState {
    /// The handshake is under way (or, for a server, waiting for a `ClientHello`).
    Handshaking,
    /// The handshake completed, the peer is authenticated and SRTP keys were handed out.
    Connected,
    /// The connection was closed by either side (`close_notify`).
    Closed,
    /// The handshake or connection failed; see the [`DtlsEvent::Error`] that said why.
    Failed,
}

/// Something the endpoint has to tell its owner.
///
/// More events may be added in later versions: a `match` on it needs a wildcard arm.
///
/// ```compile_fail,E0004
/// # use ortc_dtls::DtlsEvent;
/// fn handle(event: DtlsEvent) {
///     match event {
///         DtlsEvent::Connected { .. } | DtlsEvent::ApplicationData(_) => {}
///         DtlsEvent::Closed | DtlsEvent::Error(_) => {}
///     }
/// }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum DtlsEvent {
    /// The handshake completed and the peer's certificate matched its fingerprint.
    Connected {
        /// The SRTP protection profile negotiated through `use_srtp`.
        profile: SrtpProfile,
        /// SRTP master keys exported from the connection, split by our role: ready for `ortc-srtp`.
        keys: SessionKeys,
        /// The remote fingerprint the peer's certificate matched.
        remote_fingerprint: Fingerprint,
    },
    /// Application data the peer sent (one DTLS record).
    ///
    /// Cut from storage the endpoint reuses once every piece of it is dropped: receiving allocates nothing
    /// while the caller drops each record after handling it.
    ApplicationData(Bytes),
    /// The connection is closed: the peer sent `close_notify` (we answered with ours), or we called
    /// [`DtlsEndpoint::close`].
    Closed,
    /// The handshake or the connection failed; the endpoint is [`DtlsState::Failed`] and no keys were exported
    /// if this came before [`Connected`](Self::Connected).
    Error(DtlsError),
}

/// Counters of what went through an endpoint.
///
/// More counters may be added in later versions, so only the endpoint makes one:
///
/// ```compile_fail,E0639
/// let stats = ortc_dtls::DtlsStats { retransmissions: 1, ..Default::default() };
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DtlsStats {
    /// Datagrams handed to [`DtlsEndpoint::handle_datagram`] while the connection was open.
    pub datagrams_received: u64,
    /// Datagrams taken from [`DtlsEndpoint::poll_transmit`].
    pub datagrams_sent: u64,
    /// Datagrams ignored because they were empty or the connection had already closed or failed.
    pub datagrams_discarded: u64,
    /// Flights sent again by [`DtlsEndpoint::handle_timeout`].
    pub retransmissions: u64,
    /// Handshakes that failed because the peer's certificate did not match the remote fingerprint.
    pub fingerprint_mismatches: u64,
    /// Application data records received.
    pub application_records_received: u64,
    /// Application data records sent.
    pub application_records_sent: u64,
}

/// The in-memory "socket" under OpenSSL: one datagram in at a time, every datagram written kept whole.
///
/// OpenSSL writes each datagram with one `write` (it packs records up to the MTU in a buffering BIO and
/// flushes them together) and reads each with one `read`, so datagram boundaries survive.
///
/// The channel also routes retransmissions OpenSSL makes early into the shared [`FlightTimer`](ffi::FlightTimer)
/// (see the [`ffi`] module), so only the endpoint's own deadlines put them on the wire.
#[derive(Debug, Default)]
struct Channel {
    incoming: Vec<u8>,
    has_incoming: bool,
    outgoing: VecDeque<Bytes>,
    /// Where the datagrams in `outgoing` are cut from.
    storage: Storage,
    timer: ffi::SharedFlightTimer,
}

/// The bytes of each storage an endpoint cuts what it hands out from: 16 KiB, a full-sized record or a dozen
/// datagrams of the default MTU.
const STORAGE_CAPACITY: usize = 16 * 1024;

/// Storage that datagrams and application data are cut from as [`Bytes`], so that handing one out allocates
/// nothing: once the caller has dropped every piece, the whole storage is reused. Pieces the caller keeps
/// keep their storage alive, and the endpoint moves on to fresh storage when the room left runs out.
#[derive(Debug)]
struct Storage(BytesMut);

impl Default for Storage {
    fn default() -> Self {
        Self(BytesMut::with_capacity(STORAGE_CAPACITY))
    }
}

impl Storage {
    /// A copy of `data`, cut from the storage.
    fn copy(&mut self, data: &[u8]) -> Bytes {
        // Reclaims the storage without allocating if nothing cut from it is alive any more.
        self.0.reserve(data.len());
        self.0.extend_from_slice(data);
        self.0.split().freeze()
    }
}

impl Read for Channel {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // OpenSSL reads only once it is done retransmitting.
        ffi::lock(&self.timer).stop_holding();
        if !self.has_incoming {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        self.has_incoming = false;
        let n = self.incoming.len().min(buf.len());
        buf[..n].copy_from_slice(&self.incoming[..n]);
        Ok(n)
    }
}

impl Write for Channel {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let datagram = self.storage.copy(buf);
        if let Some(datagram) = ffi::lock(&self.timer).hold(datagram) {
            self.outgoing.push_back(datagram);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// What the certificate callback found out about the peer.
#[derive(Debug, Clone, Default)]
enum Verification {
    /// No certificate seen yet.
    #[default]
    Pending,
    /// The peer's certificate matched this expected fingerprint.
    Matched(Fingerprint),
    /// The peer's certificate has this fingerprint, which was not expected.
    Mismatched(Fingerprint),
    /// The certificate failed a check other than its fingerprint's.
    Failed(PeerCertificateError),
}

/// Whether a certificate verification error is expected of a WebRTC peer, whose certificate is authenticated
/// by its fingerprint alone (RFC 8827 §6.5), not by a chain to a trusted root:
///
/// - self-signed, or issued by no certificate we know (we have no trust store, and want none);
/// - not yet valid or expired: the validity period carries no trust here, since the fingerprint came over the
///   signalling channel for this session; tolerating it spares handshakes between peers whose clocks disagree
///   (browsers accept such certificates too).
///
/// Everything else still fails the handshake, notably `EE_KEY_TOO_SMALL`, `CA_KEY_TOO_SMALL` and
/// `CA_MD_TOO_WEAK` from OpenSSL's security level.
fn tolerated(error: libc::c_int) -> bool {
    matches!(
        error,
        openssl_sys::X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
            | openssl_sys::X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN
            | openssl_sys::X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT
            | openssl_sys::X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
            | openssl_sys::X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE
            | openssl_sys::X509_V_ERR_CERT_NOT_YET_VALID
            | openssl_sys::X509_V_ERR_CERT_HAS_EXPIRED
    )
}

/// Checks `certificate` against every expected fingerprint, whatever their hash functions.
fn verify(expected: &[Fingerprint], certificate: &X509Ref) -> Verification {
    if let Some(fp) = expected.iter().find(|fp| fp.matches(certificate)) {
        return Verification::Matched(fp.clone());
    }
    let hash = expected.first().map_or(crate::HashFunction::Sha256, Fingerprint::hash);
    match Fingerprint::digest(certificate, hash) {
        Ok(actual) => Verification::Mismatched(actual),
        Err(e) => Verification::Failed(PeerCertificateError::Unhashable(e)),
    }
}

/// The OpenSSL context of one endpoint: DTLS 1.2 only, our certificate, `use_srtp`, no renegotiation and no
/// resumption.
fn context(certificate: &DtlsCertificate, config: &DtlsConfig) -> Result<SslContextBuilder, DtlsError> {
    let mut ctx = SslContextBuilder::new(SslMethod::dtls())?;
    ctx.set_min_proto_version(Some(SslVersion::DTLS1_2))?;
    ctx.set_max_proto_version(Some(SslVersion::DTLS1_2))?;
    ctx.set_cipher_list(CIPHER_LIST)?;
    ctx.set_certificate(certificate.x509())?;
    ctx.set_private_key(certificate.private_key())?;
    ctx.check_private_key()?;
    ctx.set_tlsext_use_srtp(&config.use_srtp_list())?;
    ctx.set_options(CONTEXT_OPTIONS);
    ctx.set_session_cache_mode(SslSessionCacheMode::OFF);
    Ok(ctx)
}

/// One side of a DTLS 1.2 association, without sockets or clocks.
///
/// Feed it received datagrams with [`handle_datagram`](Self::handle_datagram) and call
/// [`handle_timeout`](Self::handle_timeout) when [`poll_timeout`](Self::poll_timeout) is due; after each call
/// send every datagram [`poll_transmit`](Self::poll_transmit) returns and handle every
/// [`poll_event`](Self::poll_event).
///
/// The peer's certificate may be self-signed: it is authenticated only by matching one of the fingerprints of
/// the remote description. On a mismatch the handshake fails, [`PeerCertificateError::FingerprintMismatch`] is
/// reported, and no keys are exported.
///
/// Retransmission timing lives here, on the caller's `Instant`s only: a flight is sent again
/// [`initial_retransmit_timeout`](DtlsConfig::initial_retransmit_timeout) after it was first sent, then after
/// twice that, and so on up to [`MAX_RETRANSMIT_TIMEOUT`](crate::MAX_RETRANSMIT_TIMEOUT); a new flight starts
/// over. OpenSSL's wall-clock timer decides nothing, so a fake clock drives the endpoint exactly like a real one.
/// After OpenSSL's limit of [`MAX_RETRANSMISSIONS`](crate::MAX_RETRANSMISSIONS) of one flight the handshake
/// fails with [`DtlsError::HandshakeTimeout`].
pub struct DtlsEndpoint {
    role: DtlsRole,
    state: DtlsState,
    stream: SslStream<Channel>,
    expected: Arc<[Fingerprint]>,
    verification: Arc<Mutex<Verification>>,
    /// The alerts OpenSSL sent and received in the current call.
    alerts: ffi::SharedAlertLog,
    profile: Option<SrtpProfile>,
    events: VecDeque<DtlsEvent>,
    /// When the current flight is sent again, on the caller's clock.
    deadline: Option<Instant>,
    /// The largest datagram to send.
    mtu: usize,
    /// The MTU OpenSSL was given (see [`AEAD_RECORD_EXPANSION`]).
    openssl_mtu: usize,
    /// The first retransmission timeout of every flight.
    initial_rto: Duration,
    /// The timeout that set `deadline`: `initial_rto`, doubled at each retransmission up to the maximum.
    rto: Duration,
    stats: DtlsStats,
    /// OpenSSL decrypts each application data record into this.
    read_buf: Box<[u8]>,
    /// Where the application data handed out is cut from.
    received: Storage,
}

impl std::fmt::Debug for DtlsEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DtlsEndpoint")
            .field("role", &self.role)
            .field("state", &self.state)
            .field("profile", &self.profile)
            .field("deadline", &self.deadline)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl DtlsEndpoint {
    /// An endpoint in `role` (from `a=setup`: `active` is the client, `passive` the server) that presents
    /// `certificate` and accepts a peer whose certificate matches any of `remote_fingerprints`.
    pub fn new(
        role: DtlsRole,
        certificate: &DtlsCertificate,
        remote_fingerprints: impl IntoIterator<Item = Fingerprint>,
        config: &DtlsConfig,
    ) -> Result<Self, DtlsError> {
        let expected: Arc<[Fingerprint]> = remote_fingerprints.into_iter().collect();
        if expected.is_empty() {
            return Err(DtlsError::NoRemoteFingerprint);
        }
        config.validate()?;

        let ctx = context(certificate, config)?.build();

        let mut ssl = Ssl::new(&ctx)?;
        match role {
            DtlsRole::Client => ssl.set_connect_state(),
            DtlsRole::Server => ssl.set_accept_state(),
        }
        let verification = Arc::new(Mutex::new(Verification::Pending));
        let mode = match role {
            DtlsRole::Client => SslVerifyMode::PEER,
            DtlsRole::Server => SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT,
        };
        let (cb_expected, cb_verification) = (Arc::clone(&expected), Arc::clone(&verification));
        ssl.set_verify_callback(mode, move |chain_verified, ctx: &mut X509StoreContextRef| {
            // Certificates are self-signed: the chain is not trusted, the leaf's fingerprint from SDP is. Only
            // the errors that say so are overlooked; any other (a key or digest below OpenSSL's security
            // level, a malformed certificate) fails the handshake whatever the fingerprint.
            if !chain_verified && !tolerated(ctx.error().as_raw()) {
                let refused = PeerCertificateError::BadCertificate {
                    depth: ctx.error_depth(),
                    code: ctx.error().as_raw(),
                    reason: ctx.error().error_string(),
                };
                *ffi::lock(&cb_verification) = Verification::Failed(refused);
                return false;
            }
            if ctx.error_depth() != 0 {
                return true;
            }
            let verdict = match ctx.current_cert() {
                Some(cert) => verify(&cb_expected, cert),
                None => Verification::Failed(PeerCertificateError::NoCertificate),
            };
            let accepted = matches!(verdict, Verification::Matched(_));
            if !accepted {
                ffi::reject_certificate(ctx);
            }
            *ffi::lock(&cb_verification) = verdict;
            accepted
        });
        let timer = ffi::SharedFlightTimer::default();
        ffi::install_flight_timer(&mut ssl, Arc::clone(&timer))?;
        let alerts = ffi::SharedAlertLog::default();
        ffi::install_alert_log(&mut ssl, Arc::clone(&alerts))?;

        let channel = Channel {
            timer,
            ..Channel::default()
        };
        let stream = SslStream::new(ssl, channel)?;
        // After the BIO is attached, so that OpenSSL computes its MTU floor from it.
        let openssl_mtu = config.mtu - AEAD_RECORD_EXPANSION;
        if !ffi::set_mtu(
            stream.ssl(),
            libc::c_long::try_from(openssl_mtu).unwrap_or(libc::c_long::MAX),
        ) {
            return Err(DtlsError::MtuOutOfRange {
                mtu: config.mtu,
                min: MIN_MTU,
                max: MAX_MTU,
            });
        }
        Ok(Self {
            role,
            state: DtlsState::Handshaking,
            stream,
            expected,
            verification,
            alerts,
            profile: None,
            events: VecDeque::new(),
            deadline: None,
            initial_rto: config.initial_retransmit_timeout,
            mtu: config.mtu,
            openssl_mtu,
            rto: config.initial_retransmit_timeout,
            stats: DtlsStats::default(),
            read_buf: vec![0; MAX_APPLICATION_DATA + 1024].into_boxed_slice(),
            received: Storage::default(),
        })
    }

    /// Starts the handshake: a client queues its `ClientHello`; a server waits for one.
    pub fn start(&mut self, now: Instant) {
        self.drive();
        self.update_deadline(now);
    }

    /// Handles one datagram received from the peer at `now`.
    ///
    /// Records that do not parse, or do not authenticate under the current epoch's keys, are dropped by
    /// OpenSSL, as DTLS requires (RFC 6347 §4.1.2.7). Until the handshake has switched to protected records,
    /// though, nothing is authenticated: anyone able to inject datagrams on the path can end the handshake with
    /// a spoofed fatal alert or an out-of-place handshake message at epoch 0, and the endpoint then reports
    /// [`DtlsEvent::Error`]. Once connected, such unprotected records are dropped.
    pub fn handle_datagram(&mut self, now: Instant, datagram: &[u8]) {
        // An empty read means end of stream to OpenSSL, which a stray empty datagram must not be.
        if !self.is_open() || datagram.is_empty() {
            self.stats.datagrams_discarded += 1;
            return;
        }
        self.stats.datagrams_received += 1;
        let channel = self.stream.get_mut();
        channel.incoming.clear();
        channel.incoming.extend_from_slice(datagram);
        channel.has_incoming = true;
        self.drive();
        // invariant: OpenSSL reads whenever it is driven; a datagram it left unread is stale after this call.
        self.stream.get_mut().has_incoming = false;
        self.update_deadline(now);
    }

    /// When [`handle_timeout`](Self::handle_timeout) should be called next, if a retransmission is pending.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.deadline
    }

    /// Retransmits the last flight if its deadline has passed by `now`; the next deadline is twice as far
    /// (up to [`MAX_RETRANSMIT_TIMEOUT`](crate::MAX_RETRANSMIT_TIMEOUT)). Only `now` counts: OpenSSL's own clock
    /// decides nothing.
    pub fn handle_timeout(&mut self, now: Instant) {
        let Some(deadline) = self.deadline else { return };
        if now < deadline || !self.is_open() {
            return;
        }
        let timer = Arc::clone(&self.stream.get_ref().timer);
        let mut flight = ffi::lock(&timer).take_retransmission();
        if flight.is_none() {
            // No copy made by a read yet: OpenSSL's timer is still armed expired, let it retransmit now.
            let outcome = ffi::handle_timeout(self.stream.ssl());
            let mut timer = ffi::lock(&timer);
            timer.stop_holding();
            flight = timer.take_retransmission();
            if outcome == TimeoutOutcome::Failed {
                flight = None;
            }
        }
        let Some(flight) = flight else {
            // OpenSSL has made every copy it will of this flight.
            self.fail(DtlsError::HandshakeTimeout);
            return;
        };
        self.stream.get_mut().outgoing.extend(flight);
        self.stats.retransmissions += 1;
        self.rto = (self.rto * 2).min(ffi::MAX_RETRANSMIT_TIMEOUT);
        self.deadline = Some(now + self.rto);
        debug!(role = ?self.role, next_in = ?self.rto, "DTLS flight retransmitted");
    }

    /// The next datagram to send to the peer, if any.
    ///
    /// Cut from storage the endpoint reuses once every datagram cut from it is dropped: once connected,
    /// sending allocates nothing while the caller drops each datagram after sending it. Datagrams kept longer
    /// (queued for a socket, say) keep their storage alive, and the endpoint takes fresh storage when the room
    /// left runs out.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        let datagram = self.stream.get_mut().outgoing.pop_front()?;
        self.stats.datagrams_sent += 1;
        Some(datagram)
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<DtlsEvent> {
        self.events.pop_front()
    }

    /// Sends `data` as one application data record (for SCTP over DTLS). DTLS does not fragment application
    /// data: `data` must fit one datagram of the configured MTU with the record's overhead, at most
    /// [`max_application_data`](Self::max_application_data) bytes, or
    /// [`DtlsError::ApplicationDataTooLarge`] is returned and nothing is sent.
    pub fn send_application_data(&mut self, data: &[u8]) -> Result<(), DtlsError> {
        let Some(max) = self.max_application_data() else {
            return Err(DtlsError::InvalidState {
                operation: "send application data",
                state: self.state,
            });
        };
        if data.len() > max {
            return Err(DtlsError::ApplicationDataTooLarge { len: data.len(), max });
        }
        if data.is_empty() {
            return Ok(());
        }
        self.stream
            .ssl_write(data)
            .map_err(|e| DtlsError::Connection(error_stack(&e)))?;
        self.stats.application_records_sent += 1;
        Ok(())
    }

    /// The most application data one [`send_application_data`](Self::send_application_data) call takes once
    /// connected: the configured MTU less the record overhead of the negotiated cipher.
    pub fn max_application_data(&self) -> Option<usize> {
        if self.state != DtlsState::Connected {
            return None;
        }
        // OpenSSL was given the MTU less AEAD_RECORD_EXPANSION; its overhead is what it takes off that.
        let overhead = self.openssl_mtu.saturating_sub(ffi::data_mtu(self.stream.ssl()));
        Some(self.mtu.saturating_sub(overhead).min(MAX_APPLICATION_DATA))
    }

    /// Closes the connection: sends `close_notify` if the handshake completed, and reports
    /// [`DtlsEvent::Closed`]. Does nothing if already closed or failed.
    ///
    /// During the handshake nothing is sent: OpenSSL refuses `SSL_shutdown` before the handshake completes and
    /// has no public call that sends an alert (such as `user_canceled`), and an alert forged outside OpenSSL
    /// would need record sequence numbers only OpenSSL knows. The peer's handshake then times out, unless
    /// the transport under it (ICE) is torn down first, which is how WebRTC ends a session anyway.
    pub fn close(&mut self) {
        if !self.is_open() {
            return;
        }
        if self.state == DtlsState::Connected {
            // Sends close_notify; the peer's answer is not waited for (it may never come over UDP).
            if let Err(e) = self.stream.shutdown() {
                debug!(error = %e, "DTLS shutdown");
            }
        }
        self.state = DtlsState::Closed;
        self.deadline = None;
        self.events.push_back(DtlsEvent::Closed);
    }

    /// Exports `len` bytes of keying material under `label` (RFC 5705), once connected.
    ///
    /// The SRTP keys are already in [`DtlsEvent::Connected`]; this is for other exporters, and for checking
    /// against other implementations.
    pub fn export_keying_material(
        &self,
        label: &str,
        context: Option<&[u8]>,
        len: usize,
    ) -> Result<Vec<u8>, DtlsError> {
        if self.state != DtlsState::Connected {
            return Err(DtlsError::InvalidState {
                operation: "export keying material",
                state: self.state,
            });
        }
        let mut out = vec![0; len];
        self.stream.ssl().export_keying_material(&mut out, label, context)?;
        Ok(out)
    }

    /// Our role in the handshake.
    pub fn role(&self) -> DtlsRole {
        self.role
    }

    /// Where the endpoint is in its life.
    pub fn state(&self) -> DtlsState {
        self.state
    }

    /// The negotiated SRTP profile, once connected.
    pub fn srtp_profile(&self) -> Option<SrtpProfile> {
        self.profile
    }

    /// The fingerprints the peer's certificate is checked against.
    pub fn remote_fingerprints(&self) -> &[Fingerprint] {
        &self.expected
    }

    /// Counters.
    pub fn stats(&self) -> &DtlsStats {
        &self.stats
    }

    fn is_open(&self) -> bool {
        matches!(self.state, DtlsState::Handshaking | DtlsState::Connected)
    }

    fn drive(&mut self) {
        *ffi::lock(&self.alerts) = ffi::AlertLog::default();
        self.drive_openssl();
        // invariant: OpenSSL ends every early retransmission before it returns to us.
        ffi::lock(&self.stream.get_ref().timer).stop_holding();
    }

    fn drive_openssl(&mut self) {
        match self.state {
            DtlsState::Handshaking => match self.stream.do_handshake() {
                Ok(()) => {
                    self.on_handshake_complete();
                    // Records after the Finished in the same datagram are already buffered.
                    if self.state == DtlsState::Connected {
                        self.read_application_data();
                    }
                }
                Err(e) if would_block(&e) => {}
                Err(e) => {
                    let error = self.failure(&e);
                    self.fail(error);
                }
            },
            DtlsState::Connected => self.read_application_data(),
            DtlsState::Closed | DtlsState::Failed => {}
        }
    }

    fn read_application_data(&mut self) {
        loop {
            match self.stream.ssl_read(&mut self.read_buf) {
                Ok(0) => break,
                Ok(n) => {
                    self.stats.application_records_received += 1;
                    let data = self.received.copy(&self.read_buf[..n]);
                    self.events.push_back(DtlsEvent::ApplicationData(data));
                }
                Err(e) if would_block(&e) => break,
                Err(e) if e.code() == ErrorCode::ZERO_RETURN => {
                    debug!(role = ?self.role, "DTLS close_notify received");
                    // Answer with our close_notify.
                    if let Err(e) = self.stream.shutdown() {
                        debug!(error = %e, "DTLS shutdown");
                    }
                    self.state = DtlsState::Closed;
                    self.deadline = None;
                    self.events.push_back(DtlsEvent::Closed);
                    break;
                }
                Err(e) => {
                    let error = self.failure(&e);
                    self.fail(error);
                    break;
                }
            }
        }
    }

    fn take_verification(&self) -> Verification {
        std::mem::take(&mut *ffi::lock(&self.verification))
    }

    /// Why OpenSSL failed the handshake or the connection with `e`: the peer's certificate, else the alert
    /// received or sent, else what OpenSSL reported.
    fn failure(&mut self, e: &ssl::Error) -> DtlsError {
        let errors = error_stack(e);
        match self.take_verification() {
            Verification::Mismatched(actual) => return self.mismatch(actual),
            Verification::Failed(refused) => return DtlsError::PeerCertificate(refused),
            Verification::Pending if no_peer_certificate(&errors) => {
                return DtlsError::PeerCertificate(PeerCertificateError::NoCertificate);
            }
            Verification::Pending | Verification::Matched(_) => {}
        }
        let alerts = *ffi::lock(&self.alerts);
        match (alerts.received, alerts.sent) {
            (Some(alert), _) if alert.is_fatal() => DtlsError::AlertReceived(alert),
            (_, Some(alert)) => DtlsError::AlertSent { alert, errors },
            (Some(alert), None) => DtlsError::AlertReceived(alert),
            (None, None) if self.state == DtlsState::Handshaking => DtlsError::Handshake(errors),
            (None, None) => DtlsError::Connection(errors),
        }
    }

    fn mismatch(&mut self, actual: Fingerprint) -> DtlsError {
        self.stats.fingerprint_mismatches += 1;
        warn!(
            role = ?self.role,
            %actual,
            expected = ?self.expected.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "DTLS peer certificate does not match the remote fingerprint"
        );
        DtlsError::PeerCertificate(PeerCertificateError::FingerprintMismatch {
            expected: self.expected.to_vec(),
            actual,
        })
    }

    fn on_handshake_complete(&mut self) {
        match self
            .authenticate()
            .and_then(|fp| self.export_srtp_keys().map(|pk| (fp, pk)))
        {
            Ok((remote_fingerprint, (profile, keys))) => {
                info!(role = ?self.role, %profile, "DTLS connected");
                self.state = DtlsState::Connected;
                self.profile = Some(profile);
                self.events.push_back(DtlsEvent::Connected {
                    profile,
                    keys,
                    remote_fingerprint,
                });
            }
            Err(error) => {
                // A mismatched certificate never gets here: the verify callback rejects it during the handshake
                // and OpenSSL sends a fatal bad_certificate alert (and with resumption disabled, the callback
                // runs on every handshake). What remains (no SRTP profile negotiated, a failed export) is found
                // only once OpenSSL has completed the handshake, when its public API can send nothing but
                // close_notify: that at least stops the peer from using the association.
                if let Err(e) = self.stream.shutdown() {
                    debug!(error = %e, "DTLS shutdown");
                }
                self.fail(error);
            }
        }
    }

    /// Checks the peer's certificate against the expected fingerprints, whatever the callback saw.
    fn authenticate(&mut self) -> Result<Fingerprint, DtlsError> {
        self.take_verification();
        let no_certificate = DtlsError::PeerCertificate(PeerCertificateError::NoCertificate);
        let Some(peer) = self.stream.ssl().peer_certificate() else {
            return Err(no_certificate);
        };
        match verify(&self.expected, &peer) {
            Verification::Matched(fp) => Ok(fp),
            Verification::Mismatched(actual) => Err(self.mismatch(actual)),
            Verification::Failed(refused) => Err(DtlsError::PeerCertificate(refused)),
            Verification::Pending => Err(no_certificate),
        }
    }

    fn export_srtp_keys(&self) -> Result<(SrtpProfile, SessionKeys), DtlsError> {
        let ssl = self.stream.ssl();
        let selected = ssl.selected_srtp_profile().ok_or(DtlsError::NoSrtpProfile)?;
        let id = u16::try_from(selected.id().as_raw()).unwrap_or(u16::MAX);
        let profile = SrtpProfile::from_dtls_id(id).ok_or(DtlsError::UnsupportedSrtpProfile(id))?;
        let mut material = vec![0; profile.keying_material_len()];
        ssl.export_keying_material(&mut material, DTLS_SRTP_EXPORTER_LABEL, None)?;
        let keys = SessionKeys::from_dtls_exporter(profile, &material, self.role);
        material.fill(0);
        std::hint::black_box(&mut material);
        Ok((profile, keys?))
    }

    fn fail(&mut self, error: DtlsError) {
        warn!(role = ?self.role, %error, "DTLS failed");
        self.state = DtlsState::Failed;
        self.deadline = None;
        self.events.push_back(DtlsEvent::Error(error));
    }

    /// Starts the back-off for a flight OpenSSL has just sent, and stops it once no flight awaits an answer.
    fn update_deadline(&mut self, now: Instant) {
        let new_flight = std::mem::take(&mut ffi::lock(&self.stream.get_ref().timer).new_flight);
        // OpenSSL's timer runs while a flight awaits an answer; its time left is meaningless (see `ffi`).
        if !self.is_open() || ffi::get_timeout(self.stream.ssl()).is_none() {
            self.deadline = None;
            // No flight awaits an answer: its held copies will never be sent.
            ffi::lock(&self.stream.get_ref().timer).forget_retransmissions();
        } else if new_flight || self.deadline.is_none() {
            self.rto = self.initial_rto;
            self.deadline = Some(now + self.rto);
        }
    }
}

fn would_block(e: &ssl::Error) -> bool {
    matches!(e.code(), ErrorCode::WANT_READ | ErrorCode::WANT_WRITE)
}

/// What OpenSSL reported with `e` (our BIO never fails, so no error is an I/O error).
fn error_stack(e: &ssl::Error) -> ErrorStack {
    e.ssl_error().cloned().unwrap_or_else(ErrorStack::get)
}

/// `ERR_LIB_SSL` (`err.h`): errors of libssl.
const ERR_LIB_SSL: libc::c_int = 20;

/// `SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE` (`sslerr.h`): a server requiring a certificate got none.
const SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE: libc::c_int = 199;

/// Whether OpenSSL failed the handshake because the peer sent no certificate (so no verify callback ran).
fn no_peer_certificate(errors: &ErrorStack) -> bool {
    errors
        .errors()
        .iter()
        .any(|e| e.library_code() == ERR_LIB_SSL && e.reason_code() == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::KeyType;

    fn cert() -> DtlsCertificate {
        DtlsCertificate::generate(KeyType::EcdsaP256).expect("generates")
    }

    #[test]
    fn config_is_validated() {
        let c = cert();
        let fp = || [c.fingerprint().clone()];
        let bad = |config: DtlsConfig| DtlsEndpoint::new(DtlsRole::Client, &c, fp(), &config).map(|_| ());
        assert!(matches!(
            bad(DtlsConfig {
                srtp_profiles: vec![],
                ..DtlsConfig::default()
            }),
            Err(DtlsError::NoSrtpProfilesConfigured)
        ));
        assert!(matches!(
            bad(DtlsConfig {
                mtu: 100,
                ..DtlsConfig::default()
            }),
            Err(DtlsError::MtuOutOfRange { mtu: 100, .. })
        ));
        assert!(matches!(
            bad(DtlsConfig {
                initial_retransmit_timeout: Duration::from_secs(61),
                ..DtlsConfig::default()
            }),
            Err(DtlsError::RetransmitTimeoutOutOfRange { got_ms: 61_000, .. })
        ));
        assert!(matches!(
            DtlsEndpoint::new(DtlsRole::Server, &c, [], &DtlsConfig::default()),
            Err(DtlsError::NoRemoteFingerprint)
        ));
        assert_eq!(
            DtlsConfig::default().use_srtp_list(),
            "SRTP_AEAD_AES_128_GCM:SRTP_AEAD_AES_256_GCM:SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32"
        );
    }

    #[test]
    fn only_the_errors_of_a_self_signed_certificate_are_tolerated() {
        for code in [18, 19, 2, 20, 21, 9, 10] {
            assert!(tolerated(code), "{code}");
        }
        // EE_KEY_TOO_SMALL, CA_KEY_TOO_SMALL, CA_MD_TOO_WEAK, CERT_SIGNATURE_FAILURE, INVALID_CA, OK.
        for code in [66, 67, 68, 7, 24, 0] {
            assert!(!tolerated(code), "{code}");
        }
    }

    #[test]
    fn no_renegotiation_and_no_resumption() {
        let ctx = context(&cert(), &DtlsConfig::default()).expect("context");
        assert!(ctx.options().contains(CONTEXT_OPTIONS));
        assert!(
            ctx.options()
                .contains(SslOptions::NO_RENEGOTIATION | SslOptions::NO_TICKET)
        );
    }

    #[test]
    fn operations_need_a_connection() {
        let c = cert();
        let mut e = DtlsEndpoint::new(DtlsRole::Client, &c, [c.fingerprint().clone()], &DtlsConfig::default())
            .expect("endpoint");
        assert!(matches!(
            e.send_application_data(b"x"),
            Err(DtlsError::InvalidState {
                state: DtlsState::Handshaking,
                ..
            })
        ));
        assert!(matches!(
            e.export_keying_material("x", None, 4),
            Err(DtlsError::InvalidState { .. })
        ));
        assert_eq!(e.poll_timeout(), None);
        let now = Instant::now();
        e.start(now);
        let hello = e.poll_transmit().expect("ClientHello");
        assert_eq!(crate::classify(&hello), crate::PacketKind::Dtls);
        assert!(
            e.poll_timeout()
                .is_some_and(|t| t > now && t <= now + DEFAULT_INITIAL_RETRANSMIT_TIMEOUT)
        );
        e.close();
        assert!(
            e.poll_transmit().is_none(),
            "no alert during the handshake (see `close`)"
        );
        assert_eq!(e.state(), DtlsState::Closed);
        assert!(matches!(e.poll_event(), Some(DtlsEvent::Closed)));
        e.handle_datagram(now, &hello);
        assert_eq!(e.stats().datagrams_discarded, 1);
    }

    #[test]
    fn server_waits_for_a_client_hello() {
        let c = cert();
        let mut e = DtlsEndpoint::new(DtlsRole::Server, &c, [c.fingerprint().clone()], &DtlsConfig::default())
            .expect("endpoint");
        e.start(Instant::now());
        assert!(e.poll_transmit().is_none());
        assert_eq!(e.poll_timeout(), None);
        assert_eq!(e.state(), DtlsState::Handshaking);
    }
}
