//! Heap allocations per datagram through the whole core once connected: none for media sent (payloader,
//! history, SRTP, the ICE path stamp) or received (ICE check of the pair, RFC 7983 classification, SRTP
//! unprotect, jitter buffer), when the caller reads datagrams into a shared arena. The timers (RTCP reports,
//! consent) are measured apart: the session core builds each report with a few small vectors, once per
//! report interval, never per datagram.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use bytes::BytesMut;
use common::{Sim, vp8_frame};
use ortc_codecs::MediaKind;
use ortc_rtp_api::RtpTransceiverDirection;
use ortc_rtp_api::session::Received;
use ortc_test_support::{CountingAllocator, allocations_during};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

const ARENA: usize = 256 * 1024;

#[test]
fn a_connected_call_allocates_nothing_per_datagram() {
    assert!(
        allocations_during(|| drop(Vec::<u8>::with_capacity(8))) > 0,
        "the allocator counts"
    );
    let mut sim = Sim::new(9);
    let video = sim
        .alice
        .add_transceiver(MediaKind::Video, RtpTransceiverDirection::Sendonly)
        .unwrap();
    sim.negotiate(|_| {});
    assert!(sim.connect(Duration::from_secs(5)));
    let (remote_video, _) = sim.bob.transceivers().next().unwrap();
    let frames: Vec<Vec<u8>> = (0..1600).map(|i| vp8_frame(i, i == 0, 3000)).collect();
    let mut arena = BytesMut::with_capacity(ARENA);
    let mut now = sim.now;
    let (alice, bob) = (&mut sim.alice, &mut sim.bob);
    let mut received = 0u32;
    let mut timer_allocations = 0;
    // One frame each 10 ms: written, sent, received, read; then whatever is due on both sides (reports,
    // consent checks) goes across too. Returns datagrams moved.
    let mut step = |index: u32, arena: &mut BytesMut, measure: bool| -> u32 {
        let mut moved = 0;
        alice
            .write_frame(now, video, index * 900, &frames[index as usize])
            .unwrap();
        for from_alice in [true, false] {
            let (from, to) = if from_alice {
                (&mut *alice, &mut *bob)
            } else {
                (&mut *bob, &mut *alice)
            };
            while let Some(t) = from.poll_transmit(now) {
                let (local, remote) = (t.local, t.remote);
                arena.extend_from_slice(t.contents);
                let mut datagram = arena.split();
                to.handle_datagram(now, remote, local, &mut datagram);
                moved += 1;
            }
        }
        let mut r = bob.receiver(remote_video).unwrap();
        while let Some(Received::Frame(f)) = r.poll(now) {
            assert_eq!(f.data.len(), 3000);
            received += 1;
        }
        while alice.poll_event().is_some() || bob.poll_event().is_some() {}
        now += Duration::from_millis(10);
        for core in [&mut *alice, &mut *bob] {
            if core.poll_timeout().is_some_and(|t| t <= now) {
                let n = allocations_during(|| core.handle_timeout(now));
                if measure {
                    timer_allocations += n;
                }
            }
        }
        moved
    };
    // Warm up: every history slot, queue and buffer used once, the first reports and consent checks made.
    // (1100 frames: each of the 1024 history slots has held its largest packet)
    for index in 0..1100 {
        if arena.capacity() < 64 * 1024 {
            arena = BytesMut::with_capacity(ARENA);
        }
        step(index, &mut arena, false);
    }
    let mut moved = 0;
    let mut n = 0;
    let mut arenas = 0;
    for index in 1100..1600 {
        // A fresh arena now and then is the caller's: made outside the measurement, and its first split
        // allocates its shared header once.
        if arena.capacity() < 64 * 1024 {
            arena = BytesMut::with_capacity(ARENA);
            arenas += 1;
        }
        n += allocations_during(|| moved += step(index, &mut arena, true));
    }
    let n = n - timer_allocations;
    assert!(moved >= 1500, "{moved} datagrams");
    assert!(n <= arenas, "{n} allocations for {moved} datagrams ({arenas} arenas)");
    assert!(arenas <= 10);
    // 5 s of reports on both sides: bounded per report interval, whatever the packet rate.
    assert!(
        timer_allocations <= 100,
        "{timer_allocations} allocations in the timers"
    );
    assert_eq!(received, 1600);
}
