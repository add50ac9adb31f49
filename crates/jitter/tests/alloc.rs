//! A jitter buffer in steady state allocates nothing per packet: `insert_parts`, `poll_frame`, `poll_nack` and
//! `poll_timeout` reuse buffers sized by the first round.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use bytes::Bytes;
use ortc_codecs::{Boundary, CodecError, FrameBoundary};
use ortc_jitter::{Config, JitterBuffer, PacketInfo};

use ortc_test_support::{CountingAllocator, allocations_during};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

#[test]
fn counter_sees_allocations() {
    assert!(allocations_during(|| drop(std::hint::black_box(vec![1u8; 10]))) >= 1);
}

/// First payload byte: bit 0 frame start, bit 1 frame end, bit 2 keyframe.
struct Flags;

impl FrameBoundary for Flags {
    fn boundary(&self, payload: &[u8], _marker: bool) -> Result<Boundary, CodecError> {
        let b = *payload.first().ok_or(CodecError::EmptyPayload)?;
        Ok(Boundary {
            frame_start: b & 1 != 0,
            frame_end: b & 2 != 0,
            layer_end: b & 2 != 0,
            keyframe: b & 4 != 0,
        })
    }
}

const PAYLOADS: [&[u8]; 8] = [&[0], &[1], &[2], &[3], &[4], &[5], &[6], &[7]];

/// One round of 100 frames of 6 packets; every 17th packet arrives late (a NACK is sent for it first).
fn round(jb: &mut JitterBuffer<Flags>, t0: Instant, frame0: u32, seq0: u16) {
    let mut late = None;
    for f in 0..100u32 {
        let now = t0 + Duration::from_millis(u64::from(frame0 + f) * 33);
        for i in 0..6u16 {
            let seq = seq0.wrapping_add(f as u16 * 6 + i);
            let flags = usize::from(i == 0) | usize::from(i == 5) << 1 | if f == 0 { 4 } else { 0 };
            let info = PacketInfo {
                ssrc: 1,
                sequence_number: seq,
                timestamp: (frame0 + f) * 3000,
                marker: i == 5,
            };
            if seq % 17 == 3 {
                late = Some(info);
                continue;
            }
            jb.insert_parts(now, info, Bytes::from_static(PAYLOADS[flags]));
        }
        let _ = jb.poll_nack(now + Duration::from_millis(20));
        if let Some(info) = late.take() {
            let flags = usize::from(info.sequence_number.wrapping_sub(seq0) % 6 == 0)
                | usize::from(info.marker) << 1
                | if info.timestamp == frame0 * 3000 { 4 } else { 0 };
            jb.insert_parts(
                now + Duration::from_millis(25),
                info,
                Bytes::from_static(PAYLOADS[flags]),
            );
        }
        while jb.poll_frame(now + Duration::from_millis(25)).is_some() {}
        let _ = jb.poll_timeout();
    }
}

#[test]
fn steady_state_video_does_not_allocate() {
    let mut jb = JitterBuffer::new(Config::video(), Flags);
    let t0 = Instant::now();
    round(&mut jb, t0, 0, 65_000);
    assert!(jb.stats().nack_count > 0);
    let n = allocations_during(|| round(&mut jb, t0, 100, 65_000u16.wrapping_add(600)));
    assert_eq!(n, 0);
    let s = jb.stats();
    assert_eq!(s.frames_decodable, 200, "{s:?}");
    assert_eq!(s.packets_lost, 0);
}
