//! Audio playout on a fake clock: release at playout time, concealment, reordering, adaptive delay.
#![allow(clippy::unwrap_used, missing_docs)]

use std::time::{Duration, Instant};

use bytes::Bytes;
use ortc_jitter::{AudioOut, Config, EveryPacket, JitterBuffer, PacketInfo, TimeoutReason};

const PTIME: Duration = Duration::from_millis(20);

fn info(seq: u16) -> PacketInfo {
    PacketInfo {
        ssrc: 9,
        sequence_number: seq,
        timestamp: u32::from(seq).wrapping_mul(960),
        marker: false,
    }
}

fn opus_jb() -> JitterBuffer<EveryPacket> {
    JitterBuffer::new(Config::audio(48_000), EveryPacket)
}

/// Steps a 1 ms clock from `from` to `to`, collecting what `poll_audio` releases and when.
fn drain(jb: &mut JitterBuffer<EveryPacket>, t0: Instant, from: u64, to: u64) -> Vec<(u64, AudioOut)> {
    let mut out = Vec::new();
    for ms in from..to {
        while let Some(o) = jb.poll_audio(t0 + Duration::from_millis(ms)) {
            out.push((ms, o));
        }
    }
    out
}

#[test]
fn released_at_playout_time() {
    let mut jb = opus_jb();
    let t0 = Instant::now();
    for seq in 0..5u16 {
        jb.insert_parts(t0 + PTIME * u32::from(seq), info(seq), Bytes::from_static(b"opus"));
    }
    assert_eq!(
        jb.target_delay(),
        Duration::from_millis(10),
        "no jitter yet: the minimum"
    );
    let (at, reason) = jb.poll_timeout().unwrap();
    assert_eq!((at, reason), (t0 + Duration::from_millis(10), TimeoutReason::Playout));
    let out = drain(&mut jb, t0, 0, 200);
    let times: Vec<u64> = out.iter().map(|(ms, _)| *ms).collect();
    assert_eq!(times, vec![10, 30, 50, 70, 90]);
    assert!(out.iter().all(|(_, o)| matches!(o, AudioOut::Packet(_))));
    let s = jb.stats();
    assert_eq!(s.jitter_buffer_emitted_count, 5);
    assert!(
        (s.jitter_buffer_delay - 0.050).abs() < 1e-9,
        "{}",
        s.jitter_buffer_delay
    );
}

#[test]
fn missing_packet_is_concealed_and_reordered_one_fits_in() {
    let mut jb = opus_jb();
    let t0 = Instant::now();
    // 0, 1, 3 (2 lost), 5 before 4 (reordered, 4 still in time)
    for (ms, seq) in [(0, 0), (20, 1), (60, 3), (100, 5), (104, 4)] {
        jb.insert_parts(t0 + Duration::from_millis(ms), info(seq), Bytes::from_static(b"opus"));
    }
    let out = drain(&mut jb, t0, 0, 200);
    let got: Vec<(u64, Option<u16>)> = out
        .iter()
        .map(|(ms, o)| match o {
            AudioOut::Packet(p) => (*ms, Some(p.sequence_number)),
            AudioOut::Conceal { .. } => (*ms, None),
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (10, Some(0)),
            (30, Some(1)),
            (70, None),
            (70, Some(3)),
            (90, Some(4)),
            (110, Some(5))
        ]
    );
    let s = jb.stats();
    assert_eq!(
        (s.concealment_events, s.packets_lost, s.jitter_buffer_emitted_count),
        (1, 1, 5)
    );
    // 2 arrives after its turn: discarded
    let late = jb.insert_parts(t0 + Duration::from_millis(150), info(2), Bytes::from_static(b"opus"));
    assert_eq!(late, ortc_jitter::Inserted::TooOld);
}

#[test]
fn target_delay_follows_jitter_within_bounds() {
    let mut config = Config::audio(48_000);
    config.max_delay = Duration::from_millis(120);
    let mut jb = JitterBuffer::new(config, EveryPacket);
    let t0 = Instant::now();
    // steady arrivals, then ±15 ms of jitter, then wild jitter
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut delays = Vec::new();
    for seq in 0..600u16 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let spread = match seq {
            0..200 => 0,
            200..400 => 30,
            _ => 400,
        };
        let wobble = if spread == 0 { 0 } else { rng % spread };
        let at = t0 + PTIME * u32::from(seq) + Duration::from_millis(wobble);
        jb.insert_parts(at, info(seq), Bytes::from_static(b"opus"));
        while jb.poll_audio(at).is_some() {}
        if seq % 200 == 199 {
            delays.push(jb.target_delay());
        }
    }
    assert_eq!(delays[0], Duration::from_millis(10));
    assert!(
        delays[1] > Duration::from_millis(20) && delays[1] < Duration::from_millis(120),
        "{delays:?}"
    );
    assert_eq!(delays[2], Duration::from_millis(120));
    assert!(jb.stats().jitter_seconds > 0.03);
}

#[test]
fn audio_sequence_and_timestamp_wrap() {
    let mut jb = opus_jb();
    let t0 = Instant::now();
    let mut released = Vec::new();
    for (i, seq) in (65_530u16..=65_535).chain(0..10).enumerate() {
        let now = t0 + PTIME * i as u32;
        jb.insert_parts(now, info(seq), Bytes::from_static(b"opus"));
        while let Some(AudioOut::Packet(p)) = jb.poll_audio(now + PTIME) {
            released.push(p.extended_sequence_number);
        }
    }
    assert_eq!(released, (65_530i64..65_546).collect::<Vec<_>>());
}

#[test]
fn padding_packets_are_neither_played_nor_concealed() {
    let mut jb = opus_jb();
    let t0 = Instant::now();
    // 0, padding, 2, padding, 4: a padding packet takes a sequence number of its own
    for seq in 0..5u16 {
        let payload = if seq % 2 == 1 {
            Bytes::new()
        } else {
            Bytes::from_static(b"opus")
        };
        let mut i = info(seq);
        i.timestamp = u32::from(seq / 2) * 960;
        jb.insert_parts(t0 + PTIME * u32::from(seq / 2), i, payload);
    }
    let out = drain(&mut jb, t0, 0, 200);
    let played: Vec<u16> = out
        .iter()
        .map(|(_, o)| match o {
            AudioOut::Packet(p) => p.sequence_number,
            AudioOut::Conceal { .. } => panic!("concealed a padding packet: {out:?}"),
        })
        .collect();
    assert_eq!(played, [0, 2, 4]);
    assert_eq!(jb.stats().concealment_events, 0);
    assert_eq!(jb.stats().packets_received, 5);
    assert!(jb.poll_nack(t0 + Duration::from_secs(1)).is_empty());
}

#[test]
#[allow(clippy::float_cmp)] // one value in two units: exactly equal, not approximately
fn report_jitter_and_w3c_jitter_come_from_one_rfc3550_estimate() {
    // RFC 3550 A.8 by hand, 8 kHz (PCMU), 20 ms packets: ts 0, 160, 320, 480 arriving at 0, 20, 50, 60 ms,
    // i.e. 0, 160, 400, 480 units. Transit 0, 0, 80, 0; |D| 0, 80, 80; J16 0, 80, 80 + 80 - (88 >> 4) = 155.
    // The report block carries J16 >> 4 = 9 units; the W3C stat is the same 9 units in seconds.
    let mut jb = JitterBuffer::new(Config::audio(8000), EveryPacket);
    let t0 = Instant::now();
    let mut fields = Vec::new();
    for (seq, ms) in [(0u16, 0u64), (1, 20), (2, 50), (3, 60)] {
        let i = PacketInfo {
            ssrc: 3,
            sequence_number: seq,
            timestamp: u32::from(seq) * 160,
            marker: false,
        };
        jb.insert_parts(t0 + Duration::from_millis(ms), i, Bytes::from_static(b"pcmu"));
        let s = jb.stats();
        // agree by construction: one value, two units
        assert_eq!(s.jitter_seconds, f64::from(s.jitter) / 8000.0);
        fields.push(s.jitter);
    }
    let report_field: Vec<u32> = fields;
    assert_eq!(report_field, [0, 0, 5, 9]);
    assert_eq!(jb.stats().jitter_seconds, 9.0 / 8000.0);
}
