//! Two endpoints in memory: keys, profiles, loss and retransmission, fingerprints, MTU, data, close.

mod common;

use std::time::Duration;

use bytes::BytesMut;
use common::{Dir, Pair, cert};
use ortc_dtls::{
    Alert, AlertDescription, AlertLevel, DtlsCertificate, DtlsConfig, DtlsError, DtlsEvent, DtlsState, HashFunction,
    KeyType, PacketKind, PeerCertificateError, classify,
};
use ortc_srtp::{SrtpConfig, SrtpProfile, SrtpSession};

const FAST: Duration = Duration::from_millis(20);

fn fast() -> DtlsConfig {
    DtlsConfig {
        initial_retransmit_timeout: FAST,
        ..DtlsConfig::default()
    }
}

fn profiles(p: &[SrtpProfile]) -> DtlsConfig {
    DtlsConfig {
        srtp_profiles: p.to_vec(),
        ..fast()
    }
}

#[test]
fn handshake_without_loss_exports_matching_keys_for_srtp() {
    let mut pair = Pair::new(&DtlsConfig::default(), &DtlsConfig::default());
    let start = pair.now;
    pair.run(Duration::from_secs(5));
    let (ck, sk) = pair.assert_connected(SrtpProfile::AeadAes128Gcm);
    assert_eq!(pair.now, start, "no timer fired on a lossless network");
    assert_eq!(pair.client.state(), DtlsState::Connected);
    assert_eq!(pair.server.srtp_profile(), Some(SrtpProfile::AeadAes128Gcm));
    assert_eq!(
        pair.client.stats().retransmissions + pair.server.stats().retransmissions,
        0
    );
    assert!(pair.wire.iter().all(|s| classify(&s.bytes) == PacketKind::Dtls));
    assert_eq!(pair.client.poll_timeout(), None, "no timer left once connected");

    // The keys work in ortc-srtp, both ways.
    let mut a = SrtpSession::new(&ck, &SrtpConfig::default()).expect("client session");
    let mut b = SrtpSession::new(&sk, &SrtpConfig::default()).expect("server session");
    let rtp = [0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 7, 1, 2, 3];
    let mut packet = BytesMut::with_capacity(64);
    packet.extend_from_slice(&rtp);
    a.outbound().protect_rtp(&mut packet).expect("protect");
    b.inbound().unprotect_rtp(&mut packet).expect("unprotect");
    assert_eq!(&packet[..], &rtp[..]);
    b.outbound().protect_rtp(&mut packet).expect("protect");
    a.inbound().unprotect_rtp(&mut packet).expect("unprotect");
    assert_eq!(&packet[..], &rtp[..]);
}

#[test]
fn profiles_negotiate_as_configured() {
    use SrtpProfile::{AeadAes128Gcm, AeadAes256Gcm, Aes128CmHmacSha1_32, Aes128CmHmacSha1_80};
    let cases: [(&[SrtpProfile], &[SrtpProfile], SrtpProfile); 5] = [
        // Only AES-CM offered by the client.
        (&[Aes128CmHmacSha1_80], &SrtpProfile::ALL, Aes128CmHmacSha1_80),
        // Only AES-CM accepted by the server.
        (
            &[AeadAes128Gcm, AeadAes256Gcm, Aes128CmHmacSha1_80],
            &[Aes128CmHmacSha1_80],
            Aes128CmHmacSha1_80,
        ),
        (
            &[Aes128CmHmacSha1_32],
            &[Aes128CmHmacSha1_80, Aes128CmHmacSha1_32],
            Aes128CmHmacSha1_32,
        ),
        // The server's preference decides.
        (
            &[AeadAes128Gcm, AeadAes256Gcm],
            &[AeadAes256Gcm, AeadAes128Gcm],
            AeadAes256Gcm,
        ),
        (
            &[AeadAes256Gcm, AeadAes128Gcm],
            &[AeadAes128Gcm, AeadAes256Gcm],
            AeadAes128Gcm,
        ),
    ];
    for (client, server, expected) in cases {
        let mut pair = Pair::new(&profiles(client), &profiles(server));
        pair.run(Duration::from_secs(5));
        let (keys, _) = pair.assert_connected(expected);
        assert_eq!(keys.local().key().len(), expected.master_key_len());
    }
}

#[test]
fn no_common_profile_fails_without_keys() {
    let mut pair = Pair::new(
        &profiles(&[SrtpProfile::Aes128CmHmacSha1_32]),
        &profiles(&[SrtpProfile::AeadAes128Gcm]),
    );
    pair.run(Duration::from_secs(5));
    assert!(pair.client_connected().is_none() && pair.server_connected().is_none());
    assert!(
        pair.client_events
            .iter()
            .chain(&pair.server_events)
            .any(|e| matches!(e, DtlsEvent::Error(DtlsError::NoSrtpProfile))),
        "{:?} {:?}",
        pair.client_events,
        pair.server_events
    );
}

#[test]
fn lost_first_flight_is_retransmitted() {
    let mut pair = Pair::new(&fast(), &fast());
    pair.drop = Box::new(|dir, batch| dir == Dir::ClientToServer && batch == 0);
    pair.run(Duration::from_secs(10));
    pair.assert_connected(SrtpProfile::AeadAes128Gcm);
    assert!(pair.client.stats().retransmissions >= 1);
    assert!(pair.wire.iter().any(|s| s.dropped));
}

#[test]
fn lost_second_flight_is_retransmitted() {
    let mut pair = Pair::new(&fast(), &fast());
    pair.drop = Box::new(|dir, batch| dir == Dir::ServerToClient && batch == 0);
    pair.run(Duration::from_secs(10));
    pair.assert_connected(SrtpProfile::AeadAes128Gcm);
    assert!(pair.client.stats().retransmissions + pair.server.stats().retransmissions >= 1);
    let dropped: Vec<_> = pair.wire.iter().filter(|s| s.dropped).collect();
    assert!(!dropped.is_empty() && dropped.iter().all(|s| s.dir == Dir::ServerToClient));
}

#[test]
fn retransmissions_back_off_exponentially() {
    let mut pair = Pair::new(&fast(), &fast());
    // The first four ClientHellos are lost.
    pair.drop = Box::new(|dir, batch| dir == Dir::ClientToServer && batch < 4);
    pair.run(Duration::from_secs(10));
    pair.assert_connected(SrtpProfile::AeadAes128Gcm);
    let hellos: Vec<_> = pair
        .wire
        .iter()
        .filter(|s| s.dir == Dir::ClientToServer && s.batch <= 4)
        .map(|s| s.at)
        .collect();
    assert_eq!(hellos.len(), 5, "one ClientHello per transmission");
    let gaps: Vec<Duration> = hellos.windows(2).map(|w| w[1] - w[0]).collect();
    // Exactly the configured back-off, on the fake clock.
    assert_eq!(gaps, [FAST, FAST * 2, FAST * 4, FAST * 8]);
    assert_eq!(pair.client.stats().retransmissions, 4);
}

#[test]
fn wrong_fingerprint_fails_the_handshake_without_keys() {
    let (c, s, stranger) = (cert(), cert(), cert());
    // The client expects someone else's certificate.
    let mut pair = Pair::with(
        (&c, vec![stranger.fingerprint().clone()], &fast()),
        (&s, vec![c.fingerprint().clone()], &fast()),
    );
    pair.run(Duration::from_secs(5));
    assert!(pair.client_connected().is_none() && pair.server_connected().is_none());
    assert_eq!(pair.client.state(), DtlsState::Failed);
    assert_eq!(pair.client.stats().fingerprint_mismatches, 1);
    match &pair.client_events[..] {
        [
            DtlsEvent::Error(DtlsError::PeerCertificate(PeerCertificateError::FingerprintMismatch {
                expected,
                actual,
            })),
        ] => {
            assert_eq!(expected, &vec![stranger.fingerprint().clone()]);
            assert_eq!(actual, s.fingerprint());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        pair.server.state(),
        DtlsState::Failed,
        "the client's alert ends the server's handshake"
    );
    assert!(
        matches!(
            &pair.server_events[..],
            [DtlsEvent::Error(DtlsError::AlertReceived(BAD_CERTIFICATE))]
        ),
        "{:?}",
        pair.server_events
    );
    assert!(sent_bad_certificate(&pair, Dir::ClientToServer), "{:?}", pair.wire);
    assert!(matches!(
        pair.client.export_keying_material("EXTRACTOR-dtls_srtp", None, 60),
        Err(DtlsError::InvalidState { .. })
    ));

    // The server expects someone else's certificate: it fails, and the client never sees its Finished.
    let mut pair = Pair::with(
        (&c, vec![s.fingerprint().clone()], &fast()),
        (&s, vec![stranger.fingerprint().clone()], &fast()),
    );
    pair.run(Duration::from_secs(5));
    assert!(pair.client_connected().is_none() && pair.server_connected().is_none());
    assert_eq!(pair.server.stats().fingerprint_mismatches, 1);
    assert!(matches!(
        &pair.server_events[..],
        [DtlsEvent::Error(DtlsError::PeerCertificate(PeerCertificateError::FingerprintMismatch { actual, .. }))]
            if actual == c.fingerprint()
    ));
    assert_eq!(pair.client.state(), DtlsState::Failed);
    assert!(
        matches!(
            &pair.client_events[..],
            [DtlsEvent::Error(DtlsError::AlertReceived(BAD_CERTIFICATE))]
        ),
        "{:?}",
        pair.client_events
    );
    assert!(sent_bad_certificate(&pair, Dir::ServerToClient), "{:?}", pair.wire);
}

const BAD_CERTIFICATE: Alert = Alert {
    level: AlertLevel::Fatal,
    description: AlertDescription::BadCertificate,
};

/// Whether a fatal `bad_certificate` alert (plaintext, epoch 0) went out in direction `dir`.
fn sent_bad_certificate(pair: &Pair, dir: Dir) -> bool {
    pair.wire
        .iter()
        .any(|s| s.dir == dir && s.bytes.len() == 15 && s.bytes[0] == 21 && s.bytes[13..] == [2, 42])
}

#[test]
fn any_expected_fingerprint_and_hash_function_is_accepted() {
    let (c, s, stranger) = (cert(), cert(), cert());
    for hash in HashFunction::ALL {
        let mut pair = Pair::with(
            (
                &c,
                vec![
                    stranger.fingerprint().clone(),
                    s.fingerprint_with(hash).expect("digest"),
                ],
                &fast(),
            ),
            (&s, vec![c.fingerprint_with(hash).expect("digest")], &fast()),
        );
        pair.run(Duration::from_secs(5));
        pair.assert_connected(SrtpProfile::AeadAes128Gcm);
        assert!(pair.client_events.iter().any(|e| matches!(
            e,
            DtlsEvent::Connected { remote_fingerprint, .. } if remote_fingerprint.hash() == hash
        )));
    }
}

#[test]
fn handshake_datagrams_fit_the_mtu() {
    for (mtu, key_type) in [
        (1200, KeyType::Rsa2048),
        (400, KeyType::Rsa2048),
        (300, KeyType::EcdsaP256),
    ] {
        let config = DtlsConfig { mtu, ..fast() };
        let (c, s) = (
            DtlsCertificate::generate(key_type).expect("cert"),
            DtlsCertificate::generate(key_type).expect("cert"),
        );
        let mut pair = Pair::with(
            (&c, vec![s.fingerprint().clone()], &config),
            (&s, vec![c.fingerprint().clone()], &config),
        );
        pair.run(Duration::from_secs(5));
        pair.assert_connected(SrtpProfile::AeadAes128Gcm);
        let largest = pair.wire.iter().map(|s| s.bytes.len()).max().expect("datagrams");
        assert!(largest <= mtu, "{largest}-byte datagram with MTU {mtu}");
        if mtu < 1200 {
            // The server's certificate flight alone is larger than this MTU: it had to be fragmented.
            let flight2 = pair
                .wire
                .iter()
                .filter(|s| s.dir == Dir::ServerToClient && s.batch == 0)
                .count();
            assert!(flight2 >= 2, "flight 2 in {flight2} datagram(s) at MTU {mtu}");
        }
    }
}

#[test]
fn application_data_both_ways() {
    let mut pair = Pair::new(&fast(), &fast());
    pair.run(Duration::from_secs(5));
    pair.assert_connected(SrtpProfile::AeadAes128Gcm);
    pair.client.send_application_data(b"from the client").expect("send");
    pair.server.send_application_data(b"from the server").expect("send");
    pair.server.send_application_data(&[7; 1000]).expect("send");
    pair.pump();
    let data = |events: &[DtlsEvent]| -> Vec<Vec<u8>> {
        events
            .iter()
            .filter_map(|e| match e {
                DtlsEvent::ApplicationData(d) => Some(d.to_vec()),
                _ => None,
            })
            .collect()
    };
    assert_eq!(data(&pair.server_events), vec![b"from the client".to_vec()]);
    assert_eq!(
        data(&pair.client_events),
        vec![b"from the server".to_vec(), vec![7; 1000]]
    );
    assert_eq!(pair.client.stats().application_records_received, 2);
    assert!(matches!(
        pair.client
            .send_application_data(&vec![0; ortc_dtls::MAX_APPLICATION_DATA + 1]),
        Err(DtlsError::ApplicationDataTooLarge { .. })
    ));
}

#[test]
fn close_notify_both_ways() {
    for client_closes in [true, false] {
        let mut pair = Pair::new(&fast(), &fast());
        pair.run(Duration::from_secs(5));
        pair.assert_connected(SrtpProfile::AeadAes128Gcm);
        let (closer, other) = if client_closes {
            (&mut pair.client, &pair.server)
        } else {
            (&mut pair.server, &pair.client)
        };
        let _ = other;
        closer.close();
        assert_eq!(closer.state(), DtlsState::Closed);
        pair.pump();
        assert_eq!(pair.client.state(), DtlsState::Closed);
        assert_eq!(pair.server.state(), DtlsState::Closed);
        assert!(matches!(pair.client_events.last(), Some(DtlsEvent::Closed)));
        assert!(matches!(pair.server_events.last(), Some(DtlsEvent::Closed)));
        // The closed side discards the answering close_notify.
        let closer = if client_closes { &pair.client } else { &pair.server };
        assert_eq!(closer.stats().datagrams_discarded, 1);
        assert!(matches!(
            pair.client.send_application_data(b"x"),
            Err(DtlsError::InvalidState { .. })
        ));
    }
}

#[test]
fn garbage_during_the_handshake_is_ignored() {
    let mut pair = Pair::new(&fast(), &fast());
    pair.client.start(pair.now);
    let now = pair.now;
    for junk in [
        &[][..],
        &[22],
        &[22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff],
        &[0x80, 96, 1, 2],
        &[0; 40],
    ] {
        pair.server.handle_datagram(now, junk);
        pair.client.handle_datagram(now, junk);
    }
    pair.run(Duration::from_secs(5));
    pair.assert_connected(SrtpProfile::AeadAes128Gcm);
}

#[test]
fn reads_before_the_deadline_never_retransmit_and_the_deadline_sends_one_flight() {
    let mut pair = Pair::new(&fast(), &fast());
    let t0 = pair.now;
    pair.client.start(t0);
    let hello = pair.client.poll_transmit().expect("ClientHello");
    assert_eq!(pair.client.poll_timeout(), Some(t0 + FAST));
    pair.server.handle_datagram(t0, &hello);
    let mut flight2 = 0;
    while pair.server.poll_transmit().is_some() {
        flight2 += 1;
    }
    assert!(flight2 > 0);
    assert_eq!(pair.server.poll_timeout(), Some(t0 + FAST));
    // Datagrams that do not advance the handshake, before the deadline: OpenSSL reads each one, and checks its
    // own (always expired) timer first.
    let junk: [&[u8]; 3] = [&hello, &[22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0], &[0; 40]];
    for (i, junk) in junk.into_iter().enumerate() {
        let at = t0 + FAST / 4 * u32::try_from(i + 1).expect("small");
        pair.server.handle_datagram(at, junk);
        pair.server.handle_timeout(at);
        assert!(
            pair.server.poll_transmit().is_none(),
            "sent before the deadline after junk {i}"
        );
        assert_eq!(pair.server.poll_timeout(), Some(t0 + FAST), "deadline moved");
    }
    pair.server.handle_timeout(t0 + Duration::from_micros(19_999));
    assert!(pair.server.poll_transmit().is_none());
    pair.server.handle_timeout(t0 + FAST);
    let mut again = Vec::new();
    while let Some(d) = pair.server.poll_transmit() {
        again.push(d);
    }
    assert!(!again.is_empty(), "flight 2 sent again at the deadline");
    assert_eq!(pair.server.stats().retransmissions, 1);
    assert_eq!(pair.server.poll_timeout(), Some(t0 + FAST * 3));
    // Calling again at the same instant sends nothing more.
    pair.server.handle_timeout(t0 + FAST);
    assert!(pair.server.poll_transmit().is_none());
    // The retransmitted flight completes the handshake.
    for d in &again {
        pair.client.handle_datagram(t0 + FAST, d);
    }
    pair.pump();
    pair.assert_connected(SrtpProfile::AeadAes128Gcm);
}

#[test]
fn losing_the_first_then_the_second_flight_heals_on_a_fake_clock() {
    for _ in 0..3 {
        let mut pair = Pair::new(&fast(), &fast());
        let start = pair.now;
        pair.drop = Box::new(|dir, batch| batch == 0 && matches!(dir, Dir::ClientToServer | Dir::ServerToClient));
        pair.run(Duration::from_secs(10));
        pair.assert_connected(SrtpProfile::AeadAes128Gcm);
        // Flight 1 lost, then flight 2: the client's timer fires at 20 ms, the server's 20 ms after flight 2.
        assert_eq!(pair.now - start, FAST * 2, "deterministic on the fake clock");
        assert_eq!(pair.client.poll_timeout(), None);
        assert_eq!(pair.server.poll_timeout(), None, "no timer left once connected");
    }
}

#[test]
fn a_silent_peer_times_the_handshake_out() {
    let mut pair = Pair::new(&fast(), &fast());
    pair.drop = Box::new(|dir, _| dir == Dir::ClientToServer);
    let start = pair.now;
    pair.run(Duration::from_hours(1));
    assert_eq!(pair.client.state(), DtlsState::Failed);
    assert!(matches!(
        pair.client_events[..],
        [DtlsEvent::Error(DtlsError::HandshakeTimeout)]
    ));
    assert_eq!(
        pair.client.stats().retransmissions,
        u64::from(ortc_dtls::MAX_RETRANSMISSIONS)
    );
    // 20 ms doubling to the 60 s cap: 20+40+...+10240 ms, then 60 s twice, then the 13th deadline fails.
    let expected: Duration = (0..12)
        .map(|n| (FAST * (1 << n)).min(ortc_dtls::MAX_RETRANSMIT_TIMEOUT))
        .sum();
    assert_eq!(
        pair.now - start,
        expected + ortc_dtls::MAX_RETRANSMIT_TIMEOUT.min(FAST * (1 << 12))
    );
}

/// A certificate of about 7 kB (hundreds of subject alternative names): its flight needs several datagrams
/// even at the largest MTU.
fn big_certificate() -> DtlsCertificate {
    use openssl::asn1::Asn1Time;
    use openssl::bn::BigNum;
    use openssl::ec::{EcGroup, EcKey};
    use openssl::hash::MessageDigest;
    use openssl::nid::Nid;
    use openssl::pkey::PKey;
    use openssl::x509::extension::SubjectAlternativeName;
    use openssl::x509::{X509, X509NameBuilder};

    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).expect("group");
    let key = PKey::from_ec_key(EcKey::generate(&group).expect("key")).expect("pkey");
    let mut name = X509NameBuilder::new().expect("name");
    name.append_entry_by_text("CN", "big").expect("cn");
    let name = name.build();
    let mut b = X509::builder().expect("builder");
    b.set_version(2).expect("version");
    b.set_serial_number(&BigNum::from_u32(1).expect("bn").to_asn1_integer().expect("serial"))
        .expect("serial");
    b.set_subject_name(&name).expect("subject");
    b.set_issuer_name(&name).expect("issuer");
    b.set_pubkey(&key).expect("pubkey");
    b.set_not_before(&Asn1Time::days_from_now(0).expect("time"))
        .expect("not before");
    b.set_not_after(&Asn1Time::days_from_now(2).expect("time"))
        .expect("not after");
    let mut san = SubjectAlternativeName::new();
    for i in 0..300 {
        san.dns(&format!("host{i:04}.example.com"));
    }
    let san = san.build(&b.x509v3_context(None, None)).expect("san");
    b.append_extension(san).expect("extension");
    b.sign(&key, MessageDigest::sha256()).expect("sign");
    let cert = b.build();
    DtlsCertificate::from_pem(
        &cert.to_pem().expect("pem"),
        &key.private_key_to_pem_pkcs8().expect("pem"),
    )
    .expect("certificate")
}

#[test]
fn the_largest_mtu_carries_a_fragmented_flight_without_loss() {
    let big = big_certificate();
    let config = DtlsConfig {
        mtu: ortc_dtls::MAX_MTU,
        ..fast()
    };
    let mut pair = Pair::with(
        (&big, vec![big.fingerprint().clone()], &config),
        (&big, vec![big.fingerprint().clone()], &config),
    );
    let start = pair.now;
    pair.run(Duration::from_secs(5));
    pair.assert_connected(SrtpProfile::AeadAes128Gcm);
    assert_eq!(pair.now, start, "no datagram was broken, nothing retransmitted");
    let largest = pair.wire.iter().map(|s| s.bytes.len()).max().expect("datagrams");
    assert!(largest <= ortc_dtls::MAX_MTU, "{largest}");
    let flight2 = pair
        .wire
        .iter()
        .filter(|s| s.dir == Dir::ServerToClient && s.batch == 0)
        .count();
    assert!(flight2 >= 2, "flight 2 in {flight2} datagram(s)");

    let too_big = DtlsConfig {
        mtu: ortc_dtls::MAX_MTU + 1,
        ..fast()
    };
    assert!(matches!(
        ortc_dtls::DtlsEndpoint::new(ortc_srtp::DtlsRole::Client, &big, [big.fingerprint().clone()], &too_big),
        Err(DtlsError::MtuOutOfRange { .. })
    ));
}

#[test]
fn application_data_must_fit_the_mtu() {
    for mtu in [ortc_dtls::MIN_MTU, 1200, ortc_dtls::MAX_MTU] {
        let config = DtlsConfig { mtu, ..fast() };
        let mut pair = Pair::new(&config, &config);
        assert_eq!(pair.client.max_application_data(), None);
        pair.run(Duration::from_secs(5));
        pair.assert_connected(SrtpProfile::AeadAes128Gcm);
        let max = pair.client.max_application_data().expect("connected");
        // AES-GCM: 13-byte record header, 8-byte explicit nonce, 16-byte tag.
        assert_eq!(max, mtu - 37);
        pair.client.send_application_data(&vec![5; max]).expect("fits");
        let datagram = pair.client.poll_transmit().expect("record");
        assert_eq!(datagram.len(), mtu, "the largest record fills the MTU exactly");
        pair.server.handle_datagram(pair.now, &datagram);
        assert!(matches!(pair.server.poll_event(), Some(DtlsEvent::ApplicationData(d)) if d.len() == max));
        assert!(matches!(
            pair.client.send_application_data(&vec![5; max + 1]),
            Err(DtlsError::ApplicationDataTooLarge { len, max: m }) if len == max + 1 && m == max
        ));
        assert!(pair.client.poll_transmit().is_none(), "nothing sent");
    }
}

/// A plaintext (epoch 0) fatal `handshake_failure` alert, as an attacker on the path could send it.
const SPOOFED_ALERT: [u8; 15] = [21, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 9, 0, 2, 2, 40];

#[test]
fn a_spoofed_alert_ends_the_handshake_but_not_the_connection() {
    let mut pair = Pair::new(&fast(), &fast());
    pair.client.start(pair.now);
    pair.client.handle_datagram(pair.now, &SPOOFED_ALERT);
    assert_eq!(pair.client.state(), DtlsState::Failed, "nothing is authenticated yet");
    let event = pair.client.poll_event();
    assert!(
        matches!(
            event,
            Some(DtlsEvent::Error(DtlsError::AlertReceived(Alert {
                level: AlertLevel::Fatal,
                description: AlertDescription::HandshakeFailure
            })))
        ),
        "{event:?}"
    );

    let mut pair = Pair::new(&fast(), &fast());
    pair.run(Duration::from_secs(5));
    pair.assert_connected(SrtpProfile::AeadAes128Gcm);
    pair.client.handle_datagram(pair.now, &SPOOFED_ALERT);
    pair.server.handle_datagram(pair.now, &SPOOFED_ALERT);
    assert_eq!(
        pair.client.state(),
        DtlsState::Connected,
        "{:?}",
        pair.client.poll_event()
    );
    assert_eq!(
        pair.server.state(),
        DtlsState::Connected,
        "{:?}",
        pair.server.poll_event()
    );
}

#[test]
fn lost_last_flight_is_sent_again_when_the_client_retransmits() {
    let mut pair = Pair::new(&fast(), &fast());
    let start = pair.now;
    // Flight 6 (the server's ChangeCipherSpec and Finished) is lost once.
    pair.drop = Box::new(|dir, batch| dir == Dir::ServerToClient && batch == 1);
    pair.run(Duration::from_secs(10));
    pair.assert_connected(SrtpProfile::AeadAes128Gcm);
    assert_eq!(pair.client.stats().retransmissions, 1, "the client sent flight 5 again");
    assert_eq!(
        pair.server.stats().retransmissions,
        0,
        "the server answered it, on no timer of its own"
    );
    assert_eq!(pair.now - start, FAST);
    assert_eq!(pair.client.poll_timeout(), None);
    assert_eq!(pair.server.poll_timeout(), None);
}

#[test]
fn a_malformed_client_hello_is_answered_with_a_decode_error_alert() {
    let mut pair = Pair::new(&fast(), &fast());
    pair.client.start(pair.now);
    pair.server.start(pair.now);
    let mut hello = pair.client.poll_transmit().expect("ClientHello").to_vec();
    // Record header (13), handshake header (12), version (2), random (32): the session id's length, now beyond
    // the message.
    hello[13 + 12 + 2 + 32] = 200;
    pair.server.handle_datagram(pair.now, &hello);
    assert_eq!(pair.server.state(), DtlsState::Failed);
    let event = pair.server.poll_event();
    assert!(
        matches!(
            &event,
            Some(DtlsEvent::Error(DtlsError::AlertSent {
                alert: Alert {
                    level: AlertLevel::Fatal,
                    description: AlertDescription::DecodeError
                },
                errors,
            })) if !errors.errors().is_empty()
        ),
        "{event:?}"
    );
    // The alert went on the wire: a plaintext alert record, fatal (2) decode_error (50).
    let alert = pair.server.poll_transmit().expect("alert");
    assert_eq!((alert[0], &alert[13..]), (21, &[2, 50][..]));
}

#[test]
fn a_client_that_goes_silent_times_the_server_out() {
    let mut pair = Pair::new(&fast(), &fast());
    // The ClientHello gets through; nothing the client sends after it does.
    pair.drop = Box::new(|dir, batch| dir == Dir::ClientToServer && batch > 0);
    pair.run(Duration::from_hours(1));
    assert_eq!(pair.server.state(), DtlsState::Failed);
    assert!(
        matches!(pair.server_events[..], [DtlsEvent::Error(DtlsError::HandshakeTimeout)]),
        "{:?}",
        pair.server_events
    );
    assert_eq!(
        pair.server.stats().retransmissions,
        u64::from(ortc_dtls::MAX_RETRANSMISSIONS)
    );
}
