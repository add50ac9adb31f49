//! Every failure is a distinct error, counted, and nothing panics on hostile input.

use bytes::BytesMut;
use ortc_srtp::{InboundSession, MasterKey, OutboundSession, SrtpConfig, SrtpError, SrtpProfile};

fn key(profile: SrtpProfile, seed: u8) -> MasterKey {
    let k: Vec<u8> = (0..profile.master_key_len() as u8).map(|i| i ^ seed).collect();
    let s: Vec<u8> = (0..profile.master_salt_len() as u8)
        .map(|i| i.wrapping_mul(3) ^ seed)
        .collect();
    MasterKey::new(profile, &k, &s).expect("key")
}

fn sessions(profile: SrtpProfile, config: SrtpConfig) -> (OutboundSession, InboundSession) {
    let k = key(profile, 0x5a);
    (
        OutboundSession::new(&k, &config).expect("tx"),
        InboundSession::new(&k, &config).expect("rx"),
    )
}

fn rtp(seq: u16) -> BytesMut {
    let mut p = BytesMut::with_capacity(256);
    p.extend_from_slice(&[0x80, 96]);
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&[0, 0, 0, 1, 0x11, 0x22, 0x33, 0x44]);
    p.extend_from_slice(&[0xEE; 100]);
    p
}

fn protected(tx: &mut OutboundSession, seq: u16) -> BytesMut {
    let mut p = rtp(seq);
    tx.protect_rtp(&mut p).expect("protect");
    p
}

fn rtcp() -> BytesMut {
    BytesMut::from(&[0x80, 201, 0, 1, 0x11, 0x22, 0x33, 0x44][..])
}

#[test]
fn flipped_bit_fails_authentication_anywhere() {
    for profile in SrtpProfile::ALL {
        let (mut tx, mut rx) = sessions(profile, SrtpConfig::default());
        let wire = protected(&mut tx, 1);
        // A bit in the header, the payload, and the tag.
        for (n, byte) in [1, 20, wire.len() - 1].into_iter().enumerate() {
            let mut p = wire.clone();
            p[byte] ^= 0x04;
            assert_eq!(
                rx.unprotect_rtp(&mut p),
                Err(SrtpError::AuthenticationFailed),
                "{profile} byte {byte}"
            );
            assert_eq!(rx.stats().errors.authentication_failed, n as u64 + 1);
        }
        // The genuine packet still gets through: failures do not advance the replay window.
        let mut p = wire.clone();
        rx.unprotect_rtp(&mut p).expect("genuine");
        assert_eq!(p, rtp(1));

        let mut c = rtcp();
        tx.protect_rtcp(&mut c).expect("protect");
        c[10] ^= 1;
        assert_eq!(
            rx.unprotect_rtcp(&mut c),
            Err(SrtpError::AuthenticationFailed),
            "{profile}"
        );
        assert_eq!(rx.stats().errors.authentication_failed, 4);
        assert_eq!(rx.stats().errors.total(), 4);
    }
}

#[test]
fn wrong_key_fails_authentication() {
    let profile = SrtpProfile::Aes128CmHmacSha1_80;
    let mut tx = OutboundSession::new(&key(profile, 1), &SrtpConfig::default()).expect("tx");
    let mut rx = InboundSession::new(&key(profile, 2), &SrtpConfig::default()).expect("rx");
    let mut p = protected(&mut tx, 7);
    assert_eq!(rx.unprotect_rtp(&mut p), Err(SrtpError::AuthenticationFailed));
}

#[test]
fn replayed_packet_is_a_duplicate() {
    for profile in SrtpProfile::ALL {
        let (mut tx, mut rx) = sessions(profile, SrtpConfig::default());
        let wire = protected(&mut tx, 500);
        let mut p = wire.clone();
        rx.unprotect_rtp(&mut p).expect("first");
        let mut p = wire.clone();
        assert_eq!(rx.unprotect_rtp(&mut p), Err(SrtpError::ReplayDuplicate), "{profile}");
        assert_eq!(p, wire, "a rejected packet is left as it was");

        let mut c = rtcp();
        tx.protect_rtcp(&mut c).expect("protect");
        let mut again = c.clone();
        rx.unprotect_rtcp(&mut c).expect("first");
        assert_eq!(
            rx.unprotect_rtcp(&mut again),
            Err(SrtpError::ReplayDuplicate),
            "{profile}"
        );
        assert_eq!(rx.stats().errors.replay_duplicate, 2);
    }
}

#[test]
fn packet_older_than_window_is_too_old() {
    let config = SrtpConfig::default().with_replay_window(128);
    let (mut tx, mut rx) = sessions(SrtpProfile::Aes128CmHmacSha1_80, config);
    let old = protected(&mut tx, 100);
    let inside = protected(&mut tx, 250);
    let newest = protected(&mut tx, 300);
    let mut p = newest;
    rx.unprotect_rtp(&mut p).expect("newest");
    let mut p = old;
    assert_eq!(rx.unprotect_rtp(&mut p), Err(SrtpError::ReplayTooOld));
    // 50 behind is inside the window and was never seen: accepted, late.
    let mut p = inside;
    rx.unprotect_rtp(&mut p).expect("late but inside the window");
    assert_eq!(rx.stats().errors.replay_too_old, 1);
    assert_eq!(rx.stats().unprotected.rtp_packets, 2);
}

#[test]
fn larger_window_accepts_later_packets() {
    let config = SrtpConfig::default().with_replay_window(1024);
    let (mut tx, mut rx) = sessions(SrtpProfile::AeadAes128Gcm, config);
    let late = protected(&mut tx, 10);
    let mut newest = protected(&mut tx, 900);
    rx.unprotect_rtp(&mut newest).expect("newest");
    let mut p = late;
    rx.unprotect_rtp(&mut p).expect("890 behind, inside a 1024 window");
}

#[test]
fn srtcp_older_than_its_window_is_too_old() {
    let (mut tx, mut rx) = sessions(SrtpProfile::Aes128CmHmacSha1_80, SrtpConfig::default());
    let mut first = rtcp();
    tx.protect_rtcp(&mut first).expect("protect");
    for _ in 0..200 {
        let mut c = rtcp();
        tx.protect_rtcp(&mut c).expect("protect");
        rx.unprotect_rtcp(&mut c).expect("in order");
    }
    assert_eq!(rx.unprotect_rtcp(&mut first), Err(SrtpError::ReplayTooOld));
}

#[test]
fn unencrypted_srtcp_is_refused() {
    let (mut tx, mut rx) = sessions(SrtpProfile::Aes128CmHmacSha1_80, SrtpConfig::default());
    let mut c = rtcp();
    tx.protect_rtcp(&mut c).expect("protect");
    let e_byte = c.len() - 10 - 4;
    c[e_byte] &= 0x7F;
    assert_eq!(rx.unprotect_rtcp(&mut c), Err(SrtpError::UnencryptedSrtcp));
    assert_eq!(rx.stats().errors.unencrypted_srtcp, 1);
}

#[test]
fn unencrypted_srtcp_is_refused_with_gcm_too() {
    for profile in [SrtpProfile::AeadAes128Gcm, SrtpProfile::AeadAes256Gcm] {
        let (mut tx, mut rx) = sessions(profile, SrtpConfig::default());
        let mut c = rtcp();
        tx.protect_rtcp(&mut c).expect("protect");
        // AEAD SRTCP: ... | tag | E + SRTCP index.
        let e_byte = c.len() - 4;
        c[e_byte] &= 0x7F;
        assert_eq!(
            rx.unprotect_rtcp(&mut c),
            Err(SrtpError::UnencryptedSrtcp),
            "{profile:?}"
        );
        assert_eq!(rx.stats().errors.unencrypted_srtcp, 1);
    }
}

#[test]
fn failed_authentication_leaves_no_plaintext() {
    for profile in SrtpProfile::ALL {
        let (mut tx, mut rx) = sessions(profile, SrtpConfig::default());
        let mut p = rtp(7);
        tx.protect_rtp(&mut p).expect("protect");
        let last = p.len() - 1;
        p[last] ^= 1; // break the tag
        let before = p.clone();
        assert_eq!(
            rx.unprotect_rtp(&mut p),
            Err(SrtpError::AuthenticationFailed),
            "{profile:?}"
        );
        assert_eq!(p[..12], before[..12], "header kept");
        assert!(p[12..].iter().all(|&b| b == 0), "{profile:?}: payload scrubbed");
    }
}

#[test]
fn repeated_send_is_refused_by_default() {
    for profile in SrtpProfile::ALL {
        let (mut tx, mut rx) = sessions(profile, SrtpConfig::default());
        let first = protected(&mut tx, 5);
        // The same sequence number with other bytes (a retransmission whose header extensions were rewritten)
        // would reuse the keystream or the GCM nonce.
        let mut changed = rtp(5);
        changed[20] ^= 0xFF;
        assert_eq!(
            tx.protect_rtp(&mut changed),
            Err(SrtpError::ReplayDuplicate),
            "{profile}"
        );
        let mut expected = rtp(5);
        expected[20] ^= 0xFF;
        assert_eq!(changed, expected, "a failed protect leaves the packet as it was");
        // Even the identical packet: a retransmission resends the protected bytes it kept.
        let mut same = rtp(5);
        assert_eq!(tx.protect_rtp(&mut same), Err(SrtpError::ReplayDuplicate), "{profile}");
        assert_eq!(tx.stats().errors.replay_duplicate, 2);
        let mut p = first;
        rx.unprotect_rtp(&mut p).expect("the one protected copy");
        // The next sequence number goes through.
        let mut next = protected(&mut tx, 6);
        rx.unprotect_rtp(&mut next).expect("next");
    }
}

#[test]
fn repeated_send_when_allowed_protects_to_the_same_bytes() {
    let config = SrtpConfig::default().with_allow_repeat_tx(true);
    let (mut tx, mut rx) = sessions(SrtpProfile::Aes128CmHmacSha1_80, config);
    let a = protected(&mut tx, 5);
    let b = protected(&mut tx, 5);
    assert_eq!(a, b, "a retransmission protects to the same bytes");
    let mut p = a;
    rx.unprotect_rtp(&mut p).expect("first copy");
}

#[test]
fn malformed_input_has_precise_errors() {
    let profile = SrtpProfile::Aes128CmHmacSha1_80;
    let (mut tx, mut rx) = sessions(profile, SrtpConfig::default());
    let mut short = BytesMut::from(&[0x80, 0, 0][..]);
    assert_eq!(
        rx.unprotect_rtp(&mut short),
        Err(SrtpError::TooShort { needed: 12, got: 3 })
    );
    assert_eq!(
        tx.protect_rtp(&mut short),
        Err(SrtpError::TooShort { needed: 12, got: 3 })
    );
    assert_eq!(short.len(), 3, "failed protect restores the length");
    // A header with no room for the tag.
    let mut no_tag = BytesMut::from(&rtp(1)[..15]);
    assert_eq!(
        rx.unprotect_rtp(&mut no_tag),
        Err(SrtpError::TooShort { needed: 22, got: 15 })
    );
    // An extension block claiming more than the packet holds.
    let mut ext = rtp(1);
    ext[0] = 0x90;
    ext[14..16].copy_from_slice(&1000u16.to_be_bytes());
    assert_eq!(
        tx.protect_rtp(&mut ext),
        Err(SrtpError::TooShort { needed: 4016, got: 112 })
    );
    let mut v1 = rtp(1);
    v1[0] = 0x40;
    assert_eq!(rx.unprotect_rtp(&mut v1), Err(SrtpError::BadVersion(1)));
    let mut c = BytesMut::from(&[0x80, 200, 0, 1, 0, 0, 0, 1, 0, 0][..]);
    assert_eq!(
        rx.unprotect_rtcp(&mut c),
        Err(SrtpError::TooShort { needed: 22, got: 10 })
    );
    let mut c = BytesMut::from(&[0x80, 200, 0, 1][..]);
    assert_eq!(tx.protect_rtcp(&mut c), Err(SrtpError::TooShort { needed: 8, got: 4 }));

    // Slice API: no room for the trailer, or a length past the buffer.
    let plain = rtp(2);
    let mut buf = vec![0u8; plain.len() + 9];
    buf[..plain.len()].copy_from_slice(&plain);
    assert_eq!(
        tx.protect_rtp_slice(&mut buf, plain.len()),
        Err(SrtpError::BufferTooSmall {
            needed: plain.len() + 10,
            got: plain.len() + 9
        })
    );
    assert_eq!(buf[..plain.len()], plain[..], "untouched");
    assert_eq!(
        tx.protect_rtp_slice(&mut buf, 500),
        Err(SrtpError::LengthOutOfRange { len: 500, max: 121 })
    );

    let tx_errors = tx.stats().errors;
    assert_eq!(
        (
            tx_errors.too_short,
            tx_errors.buffer_too_small,
            tx_errors.length_out_of_range
        ),
        (3, 1, 1)
    );
    let rx_errors = rx.stats().errors;
    assert_eq!((rx_errors.too_short, rx_errors.bad_version), (3, 1));
    assert_eq!(tx.stats().protected.rtp_packets + rx.stats().unprotected.rtp_packets, 0);
}

/// xorshift64*: deterministic noise without a dependency.
struct Noise(u64);
impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[test]
fn hostile_input_never_panics_and_every_failure_is_counted() {
    for profile in SrtpProfile::ALL {
        let (mut tx, mut rx) = sessions(profile, SrtpConfig::default());
        let mut noise = Noise(0x9E37_79B9_7F4A_7C15 ^ u64::from(profile.dtls_id()));
        let mut calls = 0;
        for i in 0..3000u16 {
            // Random bytes with a plausible first byte half the time, and mutated genuine packets.
            let mut p = if i % 3 == 0 {
                let mut p = protected(&mut tx, i);
                let at = noise.next() as usize % p.len();
                p[at] ^= (noise.next() as u8) | 1;
                p.truncate(noise.next() as usize % (p.len() + 1));
                p
            } else {
                let len = noise.next() as usize % 80;
                let mut p: BytesMut = (0..len).map(|_| noise.next() as u8).collect();
                if i % 2 == 0 && len > 0 {
                    p[0] = 0x80 | (p[0] & 0x3F);
                }
                p
            };
            let mut q = p.clone();
            assert!(rx.unprotect_rtp(&mut p).is_err());
            assert!(rx.unprotect_rtcp(&mut q).is_err());
            calls += 2;
        }
        assert_eq!(rx.stats().errors.total(), calls, "{profile}");
        assert_eq!(rx.stats().errors.other, 0, "{profile}: {:?}", rx.stats().errors);
    }
}
