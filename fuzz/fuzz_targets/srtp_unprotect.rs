//! Unprotects arbitrary bytes as SRTP and SRTCP under every profile: never panics, every failure is counted,
//! and anything that does authenticate came from nowhere (so nothing should).
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use ortc_srtp::{InboundSession, MasterKey, OutboundSession, SrtpConfig, SrtpProfile};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, data)) = data.split_first() else {
        return;
    };
    let profile = SrtpProfile::ALL[usize::from(selector) % SrtpProfile::ALL.len()];
    let key = MasterKey::new(
        profile,
        &vec![7; profile.master_key_len()],
        &vec![9; profile.master_salt_len()],
    )
    .expect("valid key");
    let config = SrtpConfig::default();
    let mut rx = InboundSession::new(&key, &config).expect("session");

    let mut rtp = BytesMut::from(data);
    let rtp_ok = rx.unprotect_rtp(&mut rtp).is_ok();
    let mut rtcp = BytesMut::from(data);
    let rtcp_ok = rx.unprotect_rtcp(&mut rtcp).is_ok();
    let stats = rx.stats();
    assert_eq!(
        stats.errors.total() + stats.unprotected.rtp_packets + stats.unprotected.rtcp_packets,
        2
    );
    assert!(!rtp_ok && !rtcp_ok, "forged packet authenticated");

    // Protecting arbitrary bytes either fails cleanly or round-trips.
    let mut tx = OutboundSession::new(&key, &config).expect("session");
    let mut packet = BytesMut::from(data);
    if tx.protect_rtp(&mut packet).is_ok() {
        rx.unprotect_rtp(&mut packet).expect("own packet unprotects");
        assert_eq!(&packet[..], data);
    }
    let mut packet = BytesMut::from(data);
    if tx.protect_rtcp(&mut packet).is_ok() {
        rx.unprotect_rtcp(&mut packet).expect("own packet unprotects");
        assert_eq!(&packet[..], data);
    }
});
