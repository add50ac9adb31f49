//! Cross-checks with webrtc-rs's `webrtc-srtp`: what one side protects, the other unprotects, per profile,
//! RTP and RTCP, across a sequence-number wrap.

use bytes::BytesMut;
use ortc_srtp::{DtlsRole, SessionKeys, SrtpConfig, SrtpProfile, SrtpSession};
use webrtc_srtp::context::Context;
use webrtc_srtp::protection_profile::ProtectionProfile;

fn theirs(profile: SrtpProfile) -> ProtectionProfile {
    match profile {
        SrtpProfile::Aes128CmHmacSha1_80 => ProtectionProfile::Aes128CmHmacSha1_80,
        SrtpProfile::Aes128CmHmacSha1_32 => ProtectionProfile::Aes128CmHmacSha1_32,
        SrtpProfile::AeadAes128Gcm => ProtectionProfile::AeadAes128Gcm,
        SrtpProfile::AeadAes256Gcm => ProtectionProfile::AeadAes256Gcm,
        _ => unreachable!("profile added without a webrtc-srtp mapping"),
    }
}

/// Our session as DTLS client, and webrtc-srtp contexts for the server side (encrypt with server key,
/// decrypt with client key).
fn pair(profile: SrtpProfile) -> (SrtpSession, Context, Context) {
    let material: Vec<u8> = (0..profile.keying_material_len()).map(|i| (i * 7 + 3) as u8).collect();
    let ours = SessionKeys::from_dtls_exporter(profile, &material, DtlsRole::Client).expect("keys");
    let session = SrtpSession::new(&ours, &SrtpConfig::default()).expect("session");
    let peer = |key: &ortc_srtp::MasterKey| Context::new(key.key(), key.salt(), theirs(profile), None, None);
    let their_tx = peer(ours.remote()).expect("their encrypt context");
    let their_rx = peer(ours.local()).expect("their decrypt context");
    (session, their_tx, their_rx)
}

fn rtp(seq: u16, ssrc: u32, payload_len: usize) -> Vec<u8> {
    let mut p = vec![0x80, 96];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&(u32::from(seq) * 3000).to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend((0..payload_len).map(|i| (i as u8) ^ (seq as u8)));
    p
}

fn rtcp_rr(ssrc: u32, n: u8) -> Vec<u8> {
    // Receiver report with one report block.
    let mut p = vec![0x81, 201, 0, 7];
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(&0x1111_2222u32.to_be_bytes());
    p.extend((0..20).map(|i| i ^ n));
    p
}

const SEQS: [u16; 6] = [65533, 65534, 65535, 0, 1, 2];

#[test]
fn rtp_ours_to_theirs_and_back() {
    for profile in SrtpProfile::ALL {
        let (mut ours, mut their_tx, mut their_rx) = pair(profile);
        for (ssrc, len) in [(0x1234_5678, 1200), (0xdead_beef, 0), (0x0000_0001, 17)] {
            for seq in SEQS {
                let plain = rtp(seq, ssrc, len);
                let mut packet = BytesMut::from(&plain[..]);
                ours.outbound().protect_rtp(&mut packet).expect("protect");
                assert_eq!(packet.len(), plain.len() + profile.rtp_trailer_len());
                let back = their_rx
                    .decrypt_rtp(&packet)
                    .unwrap_or_else(|e| panic!("{profile} seq {seq}: {e}"));
                assert_eq!(back[..], plain[..], "{profile} seq {seq}");

                let wire = their_tx.encrypt_rtp(&plain).expect("their encrypt");
                let mut packet = BytesMut::from(&wire[..]);
                ours.inbound()
                    .unprotect_rtp(&mut packet)
                    .unwrap_or_else(|e| panic!("{profile} seq {seq}: {e}"));
                assert_eq!(packet[..], plain[..], "{profile} seq {seq}");
            }
        }
        let stats = ours.stats();
        assert_eq!(stats.protected.rtp_packets, 18);
        assert_eq!(stats.unprotected.rtp_packets, 18);
        assert_eq!(stats.errors.total(), 0);
    }
}

#[test]
fn rtcp_ours_to_theirs_and_back() {
    for profile in SrtpProfile::ALL {
        let (mut ours, mut their_tx, mut their_rx) = pair(profile);
        for n in 0..5 {
            let plain = rtcp_rr(0xcafe_babe, n);
            let mut packet = BytesMut::from(&plain[..]);
            ours.outbound().protect_rtcp(&mut packet).expect("protect");
            assert_eq!(packet.len(), plain.len() + profile.rtcp_trailer_len());
            let back = their_rx
                .decrypt_rtcp(&packet)
                .unwrap_or_else(|e| panic!("{profile} #{n}: {e}"));
            assert_eq!(back[..], plain[..], "{profile} #{n}");

            let wire = their_tx.encrypt_rtcp(&plain).expect("their encrypt");
            let mut packet = BytesMut::from(&wire[..]);
            ours.inbound()
                .unprotect_rtcp(&mut packet)
                .unwrap_or_else(|e| panic!("{profile} #{n}: {e}"));
            assert_eq!(packet[..], plain[..], "{profile} #{n}");
        }
        assert_eq!(ours.stats().unprotected.rtcp_packets, 5);
    }
}

#[test]
fn slice_api_matches_bytes_api() {
    let (mut ours, _, mut their_rx) = pair(SrtpProfile::AeadAes128Gcm);
    let plain = rtp(100, 42, 300);
    let mut buf = [0u8; 1500];
    buf[..plain.len()].copy_from_slice(&plain);
    let len = ours
        .outbound()
        .protect_rtp_slice(&mut buf, plain.len())
        .expect("protect");
    assert_eq!(len, plain.len() + 16);
    assert_eq!(their_rx.decrypt_rtp(&buf[..len]).expect("theirs")[..], plain[..]);
}
