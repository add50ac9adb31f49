//! Deterministic simulations on a fake clock: a sender, a lossy/reordering network, and a receiver that
//! NACKs; retransmissions arrive one RTT after the NACK.
#![allow(clippy::unwrap_used, missing_docs)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use bytes::Bytes;
use ortc_codecs::{Boundary, CodecError, FrameBoundary};
use ortc_jitter::{Config, Inserted, JitterBuffer, KeyframeReason, Packet, PacketInfo, TimeoutReason};

/// First payload byte: bit 0 frame start, bit 1 frame end, bit 2 keyframe; 0xFF is unreadable.
#[derive(Debug, Clone, Copy)]
struct Flags;

impl FrameBoundary for Flags {
    fn boundary(&self, payload: &[u8], _marker: bool) -> Result<Boundary, CodecError> {
        let b = *payload.first().ok_or(CodecError::EmptyPayload)?;
        if b == 0xFF {
            return Err(CodecError::TooShort {
                what: "test flags",
                needed: 2,
                got: 1,
            });
        }
        Ok(Boundary {
            frame_start: b & 1 != 0,
            frame_end: b & 2 != 0,
            layer_end: b & 2 != 0,
            keyframe: b & 4 != 0,
        })
    }
}

fn frame_id(p: &Packet) -> u32 {
    u32::from(u16::from_be_bytes([p.payload[1], p.payload[2]]))
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 1000 < percent * 10
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[derive(Clone)]
struct Sent {
    info: PacketInfo,
    payload: Bytes,
    frame: u32,
}

/// The sender's output: `frames` frames of `per_frame` packets, 30 fps, keyframe every `gop` frames.
fn video_stream(frames: u32, per_frame: u16, gop: u32, first_seq: u16, first_ts: u32, ssrc: u32) -> Vec<Sent> {
    let mut out = Vec::new();
    let mut seq = first_seq;
    for f in 0..frames {
        for i in 0..per_frame {
            let key = if f % gop == 0 { 4 } else { 0 };
            let flags = u8::from(i == 0) | (u8::from(i == per_frame - 1) << 1) | key;
            out.push(Sent {
                info: PacketInfo {
                    ssrc,
                    sequence_number: seq,
                    timestamp: first_ts.wrapping_add(f * 3000),
                    marker: i == per_frame - 1,
                },
                payload: Bytes::from(vec![flags, (f >> 8) as u8, f as u8, i as u8]),
                frame: f,
            });
            seq = seq.wrapping_add(1);
        }
    }
    out
}

struct Net {
    loss_percent: u64,
    reorder_ms: u64,
    duplicate_percent: u64,
    rtt: Duration,
    rng: Rng,
}

#[derive(Default, Debug)]
struct Outcome {
    frames: Vec<u32>,
    lost_on_wire: u64,
    retransmitted: u64,
    plis: Vec<KeyframeReason>,
}

/// Sends `stream` (one frame every 33 ms) through `net` into `jb`, stepping a 1 ms fake clock, answering
/// NACKs with retransmissions, until nothing is in flight and `extra` time has passed.
fn run(jb: &mut JitterBuffer<Flags>, stream: &[Sent], net: &mut Net, t0: Instant, extra: Duration) -> Outcome {
    let mut out = Outcome::default();
    let mut in_flight: BTreeMap<(Duration, u64), Sent> = BTreeMap::new();
    let mut tie = 0u64;
    let by_seq: BTreeMap<u16, Sent> = stream.iter().map(|s| (s.info.sequence_number, s.clone())).collect();
    let mut send = |in_flight: &mut BTreeMap<(Duration, u64), Sent>, at: Duration, s: &Sent, net: &mut Net| -> bool {
        // the first frame arrives intact and in order: nobody can NACK what precedes the first packet seen
        if s.frame == 0 {
            tie += 1;
            in_flight.insert((at + net.rtt / 2, tie), s.clone());
            return true;
        }
        if net.rng.chance(net.loss_percent) {
            return false;
        }
        let delay = net.rtt / 2 + Duration::from_millis(net.rng.below(net.reorder_ms + 1));
        tie += 1;
        in_flight.insert((at + delay, tie), s.clone());
        if net.rng.chance(net.duplicate_percent) {
            tie += 1;
            in_flight.insert((at + delay + Duration::from_millis(1), tie), s.clone());
        }
        true
    };
    let mut next = 0;
    let mut t = Duration::ZERO;
    let mut idle_since = None;
    loop {
        // the sender emits each frame's packets at its capture time
        while next < stream.len() && Duration::from_millis(u64::from(stream[next].frame) * 33) <= t {
            if !send(&mut in_flight, t, &stream[next], net) {
                out.lost_on_wire += 1;
            }
            next += 1;
        }
        let now = t0 + t;
        while let Some(entry) = in_flight.first_entry() {
            if entry.key().0 > t {
                break;
            }
            let s = entry.remove();
            jb.insert_parts(now, s.info, s.payload.clone());
        }
        while let Some(f) = jb.poll_frame(now) {
            let id = frame_id(&f.packets[0]);
            assert!(
                f.packets
                    .windows(2)
                    .all(|w| w[1].extended_sequence_number == w[0].extended_sequence_number + 1)
            );
            out.frames.push(id);
        }
        let nacks: Vec<u16> = jb.poll_nack(now).to_vec();
        for seq in nacks {
            out.retransmitted += 1;
            // the NACK takes half an RTT to reach the sender; its retransmission arrives one RTT after it
            let s = &by_seq[&seq];
            if !send(&mut in_flight, t + net.rtt / 2, s, net) {
                out.lost_on_wire += 1;
            }
        }
        if let Some(r) = jb.poll_keyframe_request() {
            out.plis.push(r);
        }
        if next == stream.len() && in_flight.is_empty() {
            let since = *idle_since.get_or_insert(t);
            if t >= since + extra {
                return out;
            }
        }
        t += Duration::from_millis(1);
    }
}

fn net(loss_percent: u64, reorder_ms: u64, duplicate_percent: u64, seed: u64) -> Net {
    Net {
        loss_percent,
        reorder_ms,
        duplicate_percent,
        rtt: Duration::from_millis(50),
        rng: Rng(seed),
    }
}

fn video_jb() -> JitterBuffer<Flags> {
    let mut jb = JitterBuffer::new(Config::video(), Flags);
    jb.set_rtt(Duration::from_millis(50));
    jb
}

fn all(n: u32) -> Vec<u32> {
    (0..n).collect()
}

#[test]
fn in_order() {
    let stream = video_stream(100, 5, 30, 1000, 0, 1);
    let mut jb = video_jb();
    let out = run(
        &mut jb,
        &stream,
        &mut net(0, 0, 0, 1),
        Instant::now(),
        Duration::from_secs(1),
    );
    assert_eq!(out.frames, all(100));
    let s = jb.stats();
    assert_eq!(s.packets_received, 500);
    assert_eq!(s.packets_lost, 0);
    assert_eq!((s.frames_received, s.frames_decodable, s.frames_dropped), (100, 100, 0));
    assert_eq!((s.nack_count, s.pli_count), (0, 0));
    assert_eq!(s.jitter_buffer_emitted_count, 100);
    assert!(jb.is_empty());
}

#[test]
fn reordered_within_nack_delay_needs_no_nack() {
    let stream = video_stream(200, 6, 30, 1000, 0, 1);
    let mut jb = video_jb();
    let out = run(
        &mut jb,
        &stream,
        &mut net(0, 8, 0, 7),
        Instant::now(),
        Duration::from_secs(1),
    );
    assert_eq!(out.frames, all(200));
    let s = jb.stats();
    assert_eq!((s.nack_count, s.pli_count, s.packets_lost), (0, 0, 0));
    assert!(s.jitter > 0, "reordering shows as jitter");
}

#[test]
fn duplicates_are_dropped_and_counted() {
    let stream = video_stream(200, 4, 30, 1000, 0, 1);
    let mut jb = video_jb();
    let out = run(
        &mut jb,
        &stream,
        &mut net(0, 3, 20, 3),
        Instant::now(),
        Duration::from_secs(1),
    );
    assert_eq!(out.frames, all(200));
    let s = jb.stats();
    assert_eq!(s.packets_received, 800);
    assert!(s.packets_duplicated > 100, "{s:?}");
    assert_eq!(s.packets_lost, 0);
}

fn lossy(loss: u64, seed: u64) {
    let stream = video_stream(300, 8, 60, 1000, 0, 1);
    let mut jb = video_jb();
    let out = run(
        &mut jb,
        &stream,
        &mut net(loss, 4, 0, seed),
        Instant::now(),
        Duration::from_secs(2),
    );
    let missing: Vec<u32> = (0..300).filter(|f| !out.frames.contains(f)).collect();
    assert_eq!(
        out.frames,
        all(300),
        "every frame completes with retransmissions; missing {missing:?} {:?} {out:?}",
        jb.stats()
    );
    let s = jb.stats();
    assert!(out.lost_on_wire > 0);
    assert_eq!(s.packets_lost, 0, "all recovered");
    assert_eq!(s.pli_count, 0);
    assert!(s.packets_recovered > 0);
    // every NACK answers a real loss; retries come from lost retransmissions (and, rarely, from a retry
    // timer firing before a retransmission that is still in flight)
    assert_eq!(s.nack_count, out.retransmitted);
    assert!(s.nack_count >= s.packets_recovered);
    assert!(
        s.nack_count <= out.lost_on_wire * 2,
        "nacks {} lost {}",
        s.nack_count,
        out.lost_on_wire
    );
    // retries wait an RTT plus the reorder margin, so none fires while a retransmission is on its way
    assert_eq!(s.packets_duplicated, 0, "no spurious retransmissions");
}

#[test]
fn loss_5_percent_recovers_with_nack() {
    lossy(5, 11);
}

#[test]
fn loss_20_percent_recovers_with_nack() {
    lossy(20, 12);
}

#[test]
fn burst_loss_beyond_nack_list_requests_keyframe() {
    let stream = video_stream(120, 10, 60, 1000, 0, 1);
    let mut config = Config::video();
    config.max_nack_list = 50;
    let mut jb = JitterBuffer::new(config, Flags);
    let t0 = Instant::now();
    let mut frames = Vec::new();
    let mut plis = Vec::new();
    for (i, s) in stream.iter().enumerate() {
        // frames 20..30 (100 packets) vanish
        if (20..30).contains(&s.frame) {
            continue;
        }
        let now = t0 + Duration::from_millis(u64::from(s.frame) * 33 + i as u64 % 10);
        jb.insert_parts(now, s.info, s.payload.clone());
        while let Some(f) = jb.poll_frame(now) {
            frames.push(frame_id(&f.packets[0]));
        }
        let _ = jb.poll_nack(now);
        plis.extend(jb.poll_keyframe_request());
    }
    assert_eq!(plis, vec![KeyframeReason::LossTooLarge]);
    // frames after the gap wait for the next keyframe (frame 60)
    let expected: Vec<u32> = (0..20).chain(60..120).collect();
    assert_eq!(frames, expected);
    let s = jb.stats();
    assert_eq!(s.packets_lost, 100);
    assert_eq!(s.pli_count, 1);
    assert_eq!(s.nack_count, 0);
    assert_eq!(s.frames_dropped, 1 + 30, "the lost run, then frames 30..59");
}

#[test]
fn unrecoverable_loss_gives_up_and_requests_keyframe() {
    // the network drops one packet and all its retransmissions
    let stream = video_stream(90, 3, 60, 1000, 0, 1);
    let mut jb = video_jb();
    let t0 = Instant::now();
    let mut frames = Vec::new();
    let mut nacked_at = Vec::new();
    let mut plis = Vec::new();
    let mut idx = 0;
    for ms in 0..4000u64 {
        let now = t0 + Duration::from_millis(ms);
        while idx < stream.len() && u64::from(stream[idx].frame) * 33 <= ms {
            if stream[idx].info.sequence_number != 1031 {
                jb.insert_parts(now, stream[idx].info, stream[idx].payload.clone());
            }
            idx += 1;
        }
        if let Some((at, reason)) = jb.poll_timeout() {
            assert!(at >= now || matches!(reason, TimeoutReason::Nack | TimeoutReason::GiveUp));
        }
        for &seq in jb.poll_nack(now) {
            assert_eq!(seq, 1031);
            nacked_at.push(ms);
        }
        while let Some(f) = jb.poll_frame(now) {
            frames.push(frame_id(&f.packets[0]));
        }
        plis.extend(jb.poll_keyframe_request());
    }
    // first NACK after the 10 ms reorder delay, then one every RTT + reorder delay, 10 in all
    assert_eq!(nacked_at.len(), 10);
    assert_eq!(nacked_at[0], 10 * 33 + 10);
    assert!(nacked_at.windows(2).all(|w| w[1] - w[0] == 60), "{nacked_at:?}");
    // the next keyframe comes more than the 1 s request interval after the first request: asked twice
    assert_eq!(plis, vec![KeyframeReason::PacketLost, KeyframeReason::PacketLost]);
    // frame 10 lost its middle packet: it and everything up to keyframe 60 are dropped
    let expected: Vec<u32> = (0..10).chain(60..90).collect();
    assert_eq!(frames, expected);
    let s = jb.stats();
    assert_eq!(
        (s.nack_count, s.nack_given_up, s.pli_count, s.packets_lost),
        (10, 1, 2, 1)
    );
}

#[test]
fn sequence_number_wraps() {
    let stream = video_stream(100, 7, 30, 65_500, 0, 1);
    let mut jb = video_jb();
    let out = run(
        &mut jb,
        &stream,
        &mut net(5, 4, 2, 21),
        Instant::now(),
        Duration::from_secs(2),
    );
    assert_eq!(out.frames, all(100));
    assert_eq!(jb.stats().packets_lost, 0);
    assert_eq!(jb.stats().restarts, 0);
}

#[test]
fn timestamp_wraps() {
    let stream = video_stream(100, 3, 30, 10, u32::MAX - 3000 * 50, 1);
    let mut jb = video_jb();
    let t0 = Instant::now();
    let mut ext = Vec::new();
    for (i, s) in stream.iter().enumerate() {
        let now = t0 + Duration::from_micros(u64::from(s.frame) * 33_333 + i as u64 % 3);
        jb.insert_parts(now, s.info, s.payload.clone());
        while let Some(f) = jb.poll_frame(now) {
            ext.push(f.extended_timestamp);
        }
    }
    assert_eq!(ext.len(), 100);
    assert!(ext.windows(2).all(|w| w[1] - w[0] == 3000), "monotonic across the wrap");
    assert!(ext[99] > i64::from(u32::MAX));
    // steady arrivals: no jitter from the wrap
    assert_eq!(jb.stats().jitter, 0);
}

#[test]
fn ssrc_change_and_sequence_jump_restart() {
    let mut jb = video_jb();
    let t0 = Instant::now();
    let a = video_stream(10, 2, 30, 100, 0, 1);
    let b = video_stream(10, 2, 30, 40_000, 777, 2);
    let c = video_stream(10, 2, 30, 20_000, 0, 2);
    let mut frames = 0;
    for (i, s) in a.iter().chain(&b).chain(&c).enumerate() {
        let now = t0 + Duration::from_millis(i as u64 * 16);
        let r = jb.insert_parts(now, s.info, s.payload.clone());
        // the SSRC change restarts at once; the jump back to 20 000 when the next packet confirms it
        if i == a.len() || i == a.len() + b.len() + 1 {
            assert_eq!(r, Inserted::Restarted, "packet {i}");
        } else if i == a.len() + b.len() {
            assert_eq!(r, Inserted::Probation, "packet {i}");
        } else {
            assert_eq!(r, Inserted::Stored, "packet {i}");
        }
        while jb.poll_frame(now).is_some() {
            frames += 1;
        }
    }
    assert_eq!(frames, 30);
    let s = jb.stats();
    assert_eq!(s.restarts, 2);
    assert_eq!(s.packets_lost, 0);
    assert_eq!(s.pli_count, 0);
}

#[test]
fn too_old_and_released_duplicates() {
    let mut jb = video_jb();
    let t0 = Instant::now();
    let stream = video_stream(3, 2, 30, 500, 0, 1);
    for s in &stream {
        jb.insert_parts(t0, s.info, s.payload.clone());
    }
    while jb.poll_frame(t0).is_some() {}
    assert_eq!(
        jb.insert_parts(t0, stream[5].info, stream[5].payload.clone()),
        Inserted::Duplicate
    );
    let mut old = stream[0].info;
    old.sequence_number = 400;
    assert_eq!(jb.insert_parts(t0, old, stream[0].payload.clone()), Inserted::TooOld);
    // a padding-only copy of a released packet is a duplicate too
    assert_eq!(jb.insert_parts(t0, stream[0].info, Bytes::new()), Inserted::Duplicate);
    // what the codec cannot read is malformed
    let mut next = stream[5].info;
    next.sequence_number = 506;
    assert!(matches!(
        jb.insert_parts(t0, next, Bytes::from_static(&[0xFF])),
        Inserted::Malformed(CodecError::TooShort { .. })
    ));
    let s = jb.stats();
    assert_eq!(
        (s.packets_duplicated, s.packets_discarded, s.packets_malformed),
        (2, 1, 1)
    );
}

#[test]
fn first_frame_not_a_keyframe_waits_for_one() {
    let mut jb = video_jb();
    let t0 = Instant::now();
    let stream = video_stream(40, 2, 30, 500, 0, 1);
    let mut frames = Vec::new();
    for s in &stream[6..] {
        jb.insert_parts(t0, s.info, s.payload.clone());
        while let Some(f) = jb.poll_frame(t0) {
            frames.push(frame_id(&f.packets[0]));
        }
    }
    assert_eq!(jb.poll_keyframe_request(), Some(KeyframeReason::StreamStart));
    assert_eq!(frames, (30..40).collect::<Vec<_>>());
}

#[test]
fn full_buffer_drops_oldest_and_requests_keyframe() {
    let mut config = Config::video();
    config.capacity = 64;
    let mut jb = JitterBuffer::new(config, Flags);
    let t0 = Instant::now();
    // frame 0 never completes (its last packet is missing and never NACK-answered): everything queues
    let stream = video_stream(100, 4, 30, 0, 0, 1);
    for s in stream.iter().filter(|s| s.info.sequence_number != 3) {
        jb.insert_parts(t0, s.info, s.payload.clone());
        assert!(jb.len() <= jb.capacity());
    }
    assert_eq!(jb.capacity(), 64);
    assert_eq!(jb.poll_keyframe_request(), Some(KeyframeReason::BufferFull));
    let mut frames = Vec::new();
    while let Some(f) = jb.poll_frame(t0) {
        frames.push(frame_id(&f.packets[0]));
    }
    assert_eq!(frames, vec![90, 91, 92, 93, 94, 95, 96, 97, 98, 99]);
    assert!(jb.stats().packets_discarded > 300);
}

#[test]
fn reordering_at_stream_start_nacks_what_lies_between() {
    let mut jb = video_jb();
    let t0 = Instant::now();
    let stream = video_stream(6, 1, 1, 1000, 0, 1);
    for i in [3, 0, 2, 4, 5] {
        jb.insert_parts(t0, stream[i].info, stream[i].payload.clone());
    }
    assert_eq!(jb.poll_frame(t0).map(|f| f.timestamp), Some(0));
    assert!(jb.poll_frame(t0).is_none(), "1001 is missing");
    assert_eq!(jb.poll_nack(t0 + Duration::from_millis(10)), &[1001]);
    jb.insert_parts(t0, stream[1].info, stream[1].payload.clone());
    let mut n = 0;
    while jb.poll_frame(t0).is_some() {
        n += 1;
    }
    assert_eq!(n, 5);
}

#[test]
fn jump_beyond_capacity_drops_and_resumes_at_keyframe() {
    let mut config = Config::video();
    config.capacity = 64;
    let mut jb = JitterBuffer::new(config, Flags);
    let t0 = Instant::now();
    let stream = video_stream(300, 1, 100, 0, 0, 1);
    let mut frames = Vec::new();
    // frames 1..=199 vanish: a 199-packet jump, beyond capacity but below the restart threshold
    for s in stream.iter().filter(|s| s.frame == 0 || s.frame >= 200) {
        jb.insert_parts(t0, s.info, s.payload.clone());
        while let Some(f) = jb.poll_frame(t0) {
            frames.push(frame_id(&f.packets[0]));
        }
        assert!(jb.poll_nack(t0 + Duration::from_secs(1)).len() <= 1000);
    }
    assert_eq!(frames, std::iter::once(0).chain(200..300).collect::<Vec<_>>());
    assert_eq!(jb.stats().restarts, 0);
}

#[test]
fn reordering_at_stream_start_respects_the_nack_list_bound() {
    let mut config = Config::video();
    config.max_nack_list = 5;
    let mut jb = JitterBuffer::new(config, Flags);
    let t0 = Instant::now();
    let stream = video_stream(30, 1, 1, 1000, 0, 1);
    jb.insert_parts(t0, stream[12].info, stream[12].payload.clone());
    jb.insert_parts(t0, stream[14].info, stream[14].payload.clone());
    jb.insert_parts(t0, stream[0].info, stream[0].payload.clone());
    // 1013 is listed; 1001..=1011 would overflow the list, so they are given up at once
    assert_eq!(jb.poll_nack(t0 + Duration::from_millis(10)), &[1013]);
    assert_eq!(jb.poll_keyframe_request(), Some(KeyframeReason::LossTooLarge));
    assert_eq!(jb.poll_frame(t0).map(|f| f.timestamp), Some(0));
    assert_eq!(jb.poll_frame(t0).map(|f| f.timestamp), Some(36_000));
}

#[test]
fn stream_starting_mid_frame_waits_briefly_for_the_frame_start() {
    let mut jb = video_jb();
    let t0 = Instant::now();
    let stream = video_stream(3, 3, 30, 1000, 0, 1);
    // the keyframe's second packet arrives first; its first one 5 ms later
    jb.insert_parts(t0, stream[1].info, stream[1].payload.clone());
    assert!(jb.poll_frame(t0).is_none());
    assert_eq!(
        jb.poll_timeout(),
        Some((t0 + Duration::from_millis(60), TimeoutReason::StartWait))
    );
    let t1 = t0 + Duration::from_millis(5);
    jb.insert_parts(t1, stream[0].info, stream[0].payload.clone());
    jb.insert_parts(t1, stream[2].info, stream[2].payload.clone());
    assert_eq!(
        jb.poll_frame(t1).map(|f| (f.keyframe, f.packets.len())),
        Some((true, 3))
    );
    assert_eq!(jb.poll_keyframe_request(), None);

    // when the start never comes, the partial frame is dropped after the wait and a keyframe requested
    let mut jb = video_jb();
    jb.insert_parts(t0, stream[1].info, stream[1].payload.clone());
    jb.insert_parts(t0, stream[2].info, stream[2].payload.clone());
    assert!(jb.poll_frame(t0 + Duration::from_millis(59)).is_none());
    assert!(jb.poll_frame(t0 + Duration::from_millis(60)).is_none());
    assert_eq!(jb.poll_keyframe_request(), Some(KeyframeReason::StreamStart));
    assert_eq!(jb.stats().frames_dropped, 1);

    // when the start is there but a later packet of the first frame is missing, the wait is for the NACK:
    // no start deadline is reported, before or after it passes
    let mut jb = video_jb();
    jb.insert_parts(t0, stream[0].info, stream[0].payload.clone());
    jb.insert_parts(t0, stream[2].info, stream[2].payload.clone());
    let (at, reason) = jb.poll_timeout().unwrap();
    assert_eq!(reason, TimeoutReason::Nack);
    let late = t0 + Duration::from_millis(100);
    assert!(jb.poll_frame(late).is_none());
    let _ = jb.poll_nack(late);
    assert!(
        jb.poll_timeout()
            .is_some_and(|(t, r)| t > at && r != TimeoutReason::StartWait)
    );
}
