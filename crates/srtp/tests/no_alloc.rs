//! Protecting and unprotecting a packet in a `BytesMut` with spare capacity allocates nothing.
//!
//! Counts allocations through Rust's global allocator, on the test's thread only. libsrtp allocates in C, once per new SSRC,
//! which the warm-up packet covers.

use bytes::BytesMut;
use ortc_srtp::{DtlsRole, SessionKeys, SrtpConfig, SrtpProfile, SrtpSession};
use ortc_test_support::{CountingAllocator, allocations_during};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

#[test]
fn protect_and_unprotect_allocate_nothing() {
    assert!(
        allocations_during(|| drop(std::hint::black_box(BytesMut::with_capacity(64)))) > 0,
        "the counter counts"
    );

    for profile in SrtpProfile::ALL {
        let material = vec![0x42; profile.keying_material_len()];
        let keys = SessionKeys::from_dtls_exporter(profile, &material, DtlsRole::Client).expect("keys");
        let peer_keys = SessionKeys::from_dtls_exporter(profile, &material, DtlsRole::Server).expect("keys");
        let mut alice = SrtpSession::new(&keys, &SrtpConfig::default()).expect("session");
        let mut bob = SrtpSession::new(&peer_keys, &SrtpConfig::default()).expect("session");
        let mut rtp = BytesMut::with_capacity(1500);
        let mut rtcp = BytesMut::with_capacity(1500);

        let mut round = |seq: u16| {
            rtp.clear();
            rtp.extend_from_slice(&[0x80, 96]);
            rtp.extend_from_slice(&seq.to_be_bytes());
            rtp.extend_from_slice(&[0, 0, 0, 0, 0xAA, 0xBB, 0xCC, 0xDD]);
            rtp.resize(1200, 0x5A);
            alice.outbound().protect_rtp(&mut rtp).expect("protect");
            bob.inbound().unprotect_rtp(&mut rtp).expect("unprotect");
            assert_eq!(rtp.len(), 1200);

            rtcp.clear();
            rtcp.extend_from_slice(&[0x80, 201, 0, 1, 0xAA, 0xBB, 0xCC, 0xDD]);
            alice.outbound().protect_rtcp(&mut rtcp).expect("protect");
            bob.inbound().unprotect_rtcp(&mut rtcp).expect("unprotect");
            assert_eq!(rtcp.len(), 8);
        };
        round(0); // first packet of the SSRC: libsrtp sets up the stream

        let allocations = allocations_during(|| {
            for seq in 1..=1000 {
                round(seq);
            }
        });
        assert_eq!(allocations, 0, "{profile}: {allocations} allocations in 1000 rounds");
    }
}
