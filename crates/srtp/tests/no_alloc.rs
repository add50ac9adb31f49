//! Protecting and unprotecting a packet in a `BytesMut` with spare capacity allocates nothing.
//!
//! Counts allocations through Rust's global allocator, i.e. ours. libsrtp allocates in C, once per new SSRC,
//! which the warm-up packet covers.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::BytesMut;
use ortc_srtp::{DtlsRole, SessionKeys, SrtpConfig, SrtpProfile, SrtpSession};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to `System`, only counting calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn protect_and_unprotect_allocate_nothing() {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    drop(std::hint::black_box(BytesMut::with_capacity(64)));
    assert!(ALLOCATIONS.load(Ordering::Relaxed) > before, "the counter counts");

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
            alice.protect_rtp(&mut rtp).expect("protect");
            bob.unprotect_rtp(&mut rtp).expect("unprotect");
            assert_eq!(rtp.len(), 1200);

            rtcp.clear();
            rtcp.extend_from_slice(&[0x80, 201, 0, 1, 0xAA, 0xBB, 0xCC, 0xDD]);
            alice.protect_rtcp(&mut rtcp).expect("protect");
            bob.unprotect_rtcp(&mut rtcp).expect("unprotect");
            assert_eq!(rtcp.len(), 8);
        };
        round(0); // first packet of the SSRC: libsrtp sets up the stream

        let before = ALLOCATIONS.load(Ordering::Relaxed);
        for seq in 1..=1000 {
            round(seq);
        }
        let allocations = ALLOCATIONS.load(Ordering::Relaxed) - before;
        assert_eq!(allocations, 0, "{profile}: {allocations} allocations in 1000 rounds");
    }
}
