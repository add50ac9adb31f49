//! Frames that end at a layer end without a marker (VP9 pictures whose upper spatial layer was dropped)
//! complete when the next timestamp starts; without a layer end, a missing marker still breaks the frame.
//! Padding-only packets (empty payload) fill their sequence numbers: passed over between frames, released
//! with a frame they fall inside, so that the packets of a frame are always contiguous.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use bytes::Bytes;
use ortc_codecs::{Boundary, CodecError, FrameBoundary};
use ortc_jitter::{Config, JitterBuffer, PacketInfo};

/// First payload byte: bit 0 frame start, bit 1 frame end, bit 2 keyframe, bit 3 layer end.
struct Flags;

impl FrameBoundary for Flags {
    fn boundary(&self, payload: &[u8], _marker: bool) -> Result<Boundary, CodecError> {
        let b = *payload.first().ok_or(CodecError::EmptyPayload)?;
        Ok(Boundary {
            frame_start: b & 1 != 0,
            frame_end: b & 2 != 0,
            keyframe: b & 4 != 0,
            layer_end: b & 0x0A != 0,
        })
    }
}

const START: u8 = 1;
const END: u8 = 2;
const KEY: u8 = 4;
const LAYER_END: u8 = 8;

fn packet(seq: u16, ts: u32, flags: u8) -> (PacketInfo, Bytes) {
    let info = PacketInfo {
        ssrc: 7,
        sequence_number: seq,
        timestamp: ts,
        marker: flags & END != 0,
    };
    (info, Bytes::from(vec![flags, seq as u8]))
}

#[test]
fn a_layer_end_without_marker_completes_at_the_next_timestamp() {
    let mut jb = JitterBuffer::new(Config::video(), Flags);
    let now = Instant::now();
    let mut released = Vec::new();
    let feed = |jb: &mut JitterBuffer<Flags>, (info, payload): (PacketInfo, Bytes)| {
        jb.insert_parts(now, info, payload);
        let mut out = Vec::new();
        while let Some(f) = jb.poll_frame(now) {
            out.push((f.timestamp, f.packets.len(), f.keyframe));
        }
        out
    };
    // picture 0: base (layer end) + top (marker)
    assert!(feed(&mut jb, packet(10, 0, START | KEY | LAYER_END)).is_empty());
    released.extend(feed(&mut jb, packet(11, 0, LAYER_END | END)));
    assert_eq!(released, [(0, 2, true)]);
    // picture 1: base only, two packets, no marker: held until the next timestamp starts
    assert!(feed(&mut jb, packet(12, 3000, START)).is_empty());
    assert!(feed(&mut jb, packet(13, 3000, LAYER_END)).is_empty());
    assert_eq!(feed(&mut jb, packet(14, 6000, START)), [(3000, 2, false)]);
    assert_eq!(feed(&mut jb, packet(15, 6000, LAYER_END | END)), [(6000, 2, false)]);
    assert_eq!(jb.stats().frames_dropped, 0);
}

#[test]
fn a_missing_marker_without_a_layer_end_still_breaks_the_frame() {
    let mut jb = JitterBuffer::new(Config::video(), Flags);
    let t0 = Instant::now();
    for (info, payload) in [
        packet(10, 0, START | KEY | END),
        packet(11, 3000, START),
        packet(12, 6000, START),
    ] {
        jb.insert_parts(t0, info, payload);
    }
    let mut released = Vec::new();
    let later = t0 + Duration::from_secs(1);
    while let Some(f) = jb.poll_frame(later) {
        released.push(f.timestamp);
    }
    // frame 3000 never ended: it is dropped, and 6000 (not a keyframe) with it
    assert_eq!(released, [0]);
    assert!(jb.stats().frames_dropped >= 1);
}

#[test]
fn padding_between_frames_fills_the_sequence() {
    let mut jb = JitterBuffer::new(Config::video(), Flags);
    let t0 = Instant::now();
    let padding = |seq: u16, ts: u32| {
        let (info, _) = packet(seq, ts, 0);
        (info, Bytes::new())
    };
    let mut released = Vec::new();
    let arrivals = [
        packet(10, 0, START | KEY | LAYER_END | END),
        padding(11, 0),
        padding(12, 0),
        packet(13, 3000, START),
        packet(14, 3000, LAYER_END), // base only, no marker: the next timestamp ends it
        padding(15, 3000),
        packet(16, 6000, START | LAYER_END | END),
        packet(17, 9000, START | LAYER_END),
        padding(18, 1234), // inside a frame, with a timestamp of its own
        packet(19, 9000, LAYER_END | END),
    ];
    for (i, (info, payload)) in arrivals.into_iter().enumerate() {
        jb.insert_parts(t0, info, payload);
        while let Some(f) = jb.poll_frame(t0) {
            released.push((
                i,
                f.timestamp,
                f.packets.iter().map(|p| p.sequence_number).collect::<Vec<_>>(),
            ));
        }
    }
    assert_eq!(
        released,
        [
            (0, 0, vec![10]),
            (6, 3000, vec![13, 14, 15]),
            (6, 6000, vec![16]),
            (9, 9000, vec![17, 18, 19])
        ],
        "each frame as soon as it is known whole, with the padding inside it"
    );
    let s = jb.stats();
    assert_eq!((s.frames_dropped, s.packets_received, s.packets_malformed), (0, 10, 0));
    assert!(jb.poll_nack(t0 + Duration::from_secs(1)).is_empty(), "nothing missing");
    assert!(jb.poll_keyframe_request().is_none());
}

#[test]
fn padding_passed_over_at_the_start_survives_late_earlier_packets() {
    let mut jb = JitterBuffer::new(Config::video(), Flags);
    let t0 = Instant::now();
    // the first arrival is padding; it is passed over at once
    jb.insert_parts(t0, packet(20, 0, 0).0, Bytes::new());
    assert!(jb.poll_frame(t0).is_none());
    // a second copy of it is a duplicate, whether or not it was passed over yet
    assert_eq!(
        jb.insert_parts(t0, packet(20, 0, 0).0, Bytes::new()),
        ortc_jitter::Inserted::Duplicate
    );
    // an earlier frame arrives late (reordering at the start), then the next one
    let (info, payload) = packet(18, 3000, START | KEY | LAYER_END);
    jb.insert_parts(t0, info, payload);
    let (info, payload) = packet(19, 3000, LAYER_END | END);
    jb.insert_parts(t0, info, payload);
    let (info, payload) = packet(21, 6000, START | LAYER_END | END);
    jb.insert_parts(t0, info, payload);
    let mut released = Vec::new();
    while let Some(f) = jb.poll_frame(t0) {
        released.push(f.timestamp);
    }
    assert_eq!(released, [3000, 6000]);
    assert!(
        jb.poll_nack(t0 + Duration::from_secs(1)).is_empty(),
        "the padding is not asked for"
    );
    let s = jb.stats();
    assert_eq!((s.frames_dropped, s.packets_received, s.packets_duplicated), (0, 4, 1));
}

#[test]
fn twice_received_padding_counts_once() {
    let mut jb = JitterBuffer::new(Config::video(), Flags);
    let t0 = Instant::now();
    let (info, payload) = packet(30, 0, START | KEY | LAYER_END);
    jb.insert_parts(t0, info, payload);
    let pad = packet(31, 0, 0).0;
    assert_eq!(jb.insert_parts(t0, pad, Bytes::new()), ortc_jitter::Inserted::Stored);
    assert_eq!(jb.insert_parts(t0, pad, Bytes::new()), ortc_jitter::Inserted::Duplicate);
    assert_eq!(jb.stats().packets_received, 2);
}
