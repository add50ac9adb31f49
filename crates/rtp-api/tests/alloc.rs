//! Heap allocations per packet through the session core once streams are warm: none on the send path
//! (packetize, history, transport-wide numbering, SRTP, retransmission), none on the receive path
//! (unprotect, demultiplex, jitter buffer, depayload) when the caller reads datagrams into a shared arena.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use bytes::BytesMut;
use common::{VP8, extensions, sessions, vp8_frame, vp8_receiver, vp8_sender};
use ortc_rtp_api::session::{Received, ReceiverId, RtpSession, SenderId, Transmit};
use ortc_test_support::{CountingAllocator, allocations_during};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Bytes read ahead in one allocation: a datagram is split off it, so its buffer is shared, not copied.
const ARENA: usize = 256 * 1024;

/// A VP8 sender with RTX and a 256-packet history, and its receiver.
fn video_sessions(t0: Instant) -> (RtpSession, RtpSession, SenderId, ReceiverId) {
    let (mut a, mut b) = sessions(t0, extensions());
    let mut params = vp8_sender(0xA000, true);
    params.history_packets = 256;
    let tx = a.add_sender(params).unwrap();
    let rx = b.add_receiver(vp8_receiver(true)).unwrap();
    (a, b, tx, rx)
}

#[test]
fn steady_state_send_and_receive_allocate_nothing_per_packet() {
    assert!(
        allocations_during(|| drop(Vec::<u8>::with_capacity(8))) > 0,
        "the allocator counts"
    );
    let t0 = Instant::now();
    let (mut a, mut b, tx, rx) = video_sessions(t0);
    let mut out = BytesMut::with_capacity(2048);
    let mut arena = BytesMut::with_capacity(ARENA);
    let mut now = t0;
    let mut frame_index = 0u32;
    // Frames made before measuring (making one allocates, and that is the test's doing, not the core's).
    let frames: Vec<Vec<u8>> = (0..400).map(|i| vp8_frame(i, i == 0, 3000)).collect();
    // Each frame: 3 packets written, sent, received and released. Returns packets moved.
    let mut one_frame = |now: Instant, index: u32, arena: &mut BytesMut, out: &mut BytesMut| -> u32 {
        let frame = &frames[index as usize];
        a.sender(tx)
            .unwrap()
            .write_frame(now, VP8, index * 3000, frame)
            .unwrap();
        let mut packets = 0;
        while let Some(t) = a.poll_transmit(now, out) {
            assert!(matches!(t, Transmit::Rtp { .. }));
            if arena.capacity() < 2048 {
                // A new arena once in a while (every ~200 packets), not per packet.
                *arena = BytesMut::with_capacity(ARENA);
            }
            arena.extend_from_slice(out);
            let mut datagram = arena.split();
            b.handle_rtp(now, &mut datagram);
            packets += 1;
        }
        let mut r = b.receiver(rx).unwrap();
        while let Some(Received::Frame(f)) = r.poll(now) {
            assert_eq!(f.data.len(), 3000);
        }
        packets
    };
    // Warm up: every history slot, queue and buffer has been used once.
    for _ in 0..200 {
        one_frame(now, frame_index, &mut arena, &mut out);
        frame_index += 1;
        now += Duration::from_millis(1);
    }
    let mut packets = 0;
    let mut arenas = 0;
    let n = allocations_during(|| {
        for _ in 0..200 {
            if arena.capacity() < 2048 + 3 * 1300 {
                arenas += 1;
            }
            packets += one_frame(now, frame_index, &mut arena, &mut out);
            frame_index += 1;
            now += Duration::from_millis(1);
        }
    });
    assert_eq!(packets, 600);
    // The arena refills are the caller's; the core adds nothing.
    assert!(
        n <= arenas,
        "{n} allocations for {packets} packets ({arenas} arena refills)"
    );
    assert!(arenas <= 4);
    let stats = b.receiver(rx).unwrap().stats();
    assert_eq!(stats.frames_emitted, 400);
}

#[test]
fn answering_nacks_allocates_nothing() {
    let t0 = Instant::now();
    let (mut a, mut b, tx, rx) = video_sessions(t0);
    let mut out = BytesMut::with_capacity(2048);
    let mut arena = BytesMut::with_capacity(ARENA);
    let mut now = t0;
    let mut counted = 0;
    let mut retransmitted = 0;
    for index in 0..400u32 {
        let frame = vp8_frame(index, index == 0, 3000);
        a.sender(tx)
            .unwrap()
            .write_frame(now, VP8, index * 3000, &frame)
            .unwrap();
        drop(frame);
        let mut n = 0;
        while a.poll_transmit(now, &mut out).is_some() {
            n += 1;
            // The middle packet of every frame is lost.
            if n == 2 && index > 0 {
                continue;
            }
            if arena.capacity() < 2048 {
                arena = BytesMut::with_capacity(ARENA);
            }
            arena.extend_from_slice(&out);
            b.handle_rtp(now, &mut arena.split());
        }
        now += Duration::from_millis(20);
        b.handle_timeout(now);
        while b.poll_transmit(now, &mut out).is_some() {
            // The NACK (and reports) reach the sender; it answers with RTX.
            let measure = index >= 300;
            let mut work = || {
                a.handle_rtcp(now, &mut out);
                let mut resent = 0;
                let mut rtx = BytesMut::new();
                std::mem::swap(&mut rtx, &mut out);
                while a.poll_transmit(now, &mut rtx).is_some() {
                    resent += 1;
                    if arena.capacity() >= 2048 {
                        arena.extend_from_slice(&rtx);
                        b.handle_rtp(now, &mut arena.split());
                    }
                }
                std::mem::swap(&mut rtx, &mut out);
                resent
            };
            if measure {
                let mut resent = 0;
                counted += allocations_during(|| resent = work());
                retransmitted += resent;
            } else {
                work();
            }
        }
        let mut r = b.receiver(rx).unwrap();
        while r.poll(now).is_some() {}
    }
    assert!(retransmitted >= 90, "{retransmitted} retransmissions measured");
    assert_eq!(counted, 0, "{counted} allocations answering NACKs");
    assert_eq!(b.receiver(rx).unwrap().stats().frames_dropped, 0);
}
