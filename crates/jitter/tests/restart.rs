//! Stream restarts on a sequence jump need confirmation (RFC 3550 A.1 probation): a lone far packet is a stray
//! copy and leaves the buffer alone; two consecutive ones are a renumbered stream.
#![allow(clippy::unwrap_used, missing_docs)]

use std::time::{Duration, Instant};

use bytes::Bytes;
use ortc_jitter::{AudioOut, Config, EveryPacket, Inserted, JitterBuffer, PacketInfo};

const PTIME: Duration = Duration::from_millis(20);
const FIRST: u16 = 20_000;

fn info(seq: u16) -> PacketInfo {
    PacketInfo {
        ssrc: 9,
        sequence_number: seq,
        timestamp: u32::from(seq).wrapping_mul(960),
        marker: false,
    }
}

/// An audio buffer holding packets 20 000..20 010, none played yet.
fn holding_ten(t0: Instant) -> JitterBuffer<EveryPacket> {
    let mut jb = JitterBuffer::new(Config::audio(48_000), EveryPacket);
    for seq in FIRST..FIRST + 10 {
        assert_eq!(
            jb.insert_parts(t0, info(seq), Bytes::from_static(b"opus")),
            Inserted::Stored
        );
    }
    assert_eq!(jb.len(), 10);
    jb
}

/// Everything released within a second after `from`.
fn played(jb: &mut JitterBuffer<EveryPacket>, from: Instant) -> Vec<u16> {
    let mut out = Vec::new();
    for ms in 0..1000 {
        while let Some(o) = jb.poll_audio(from + Duration::from_millis(ms)) {
            match o {
                AudioOut::Packet(p) => out.push(p.sequence_number),
                AudioOut::Conceal { .. } => panic!("concealment after {out:?}"),
            }
        }
    }
    out
}

#[test]
fn one_stale_or_far_packet_drops_nothing_and_is_counted() {
    let max_jump = Config::audio(48_000).max_sequence_jump;
    let t0 = Instant::now();
    // a stale copy from long ago, and a stray one far ahead
    for far in [
        FIRST - max_jump - 1,
        FIRST + 9 + max_jump + 1,
        FIRST.wrapping_add(30_000),
    ] {
        let mut jb = holding_ten(t0);
        let r = jb.insert_parts(t0 + PTIME, info(far), Bytes::from_static(b"stale"));
        assert_eq!(r, Inserted::Probation, "{far}");
        assert_eq!(jb.len(), 10, "nothing held is dropped for {far}");
        assert_eq!(
            jb.insert_parts(t0 + PTIME, info(FIRST + 10), Bytes::from_static(b"opus")),
            Inserted::Stored
        );
        let s = jb.stats();
        assert_eq!(
            (s.restarts, s.packets_discarded, s.packets_received),
            (0, 1, 11),
            "{far}"
        );
        assert_eq!(played(&mut jb, t0), (FIRST..=FIRST + 10).collect::<Vec<_>>());
        assert_eq!(jb.stats().packets_lost, 0);
    }
}

#[test]
fn stale_packets_between_current_ones_never_restart() {
    // stale copies of consecutive old packets, each followed by a current one: no two far packets in a row
    let t0 = Instant::now();
    let mut jb = holding_ten(t0);
    let mut next = FIRST + 10;
    for stale in 60_000..60_010u16 {
        assert_eq!(
            jb.insert_parts(t0, info(stale), Bytes::from_static(b"stale")),
            Inserted::Probation
        );
        assert_eq!(
            jb.insert_parts(t0, info(next), Bytes::from_static(b"opus")),
            Inserted::Stored
        );
        next += 1;
    }
    // a copy of the packet on probation is a duplicate, and a later current packet still discards it
    assert_eq!(
        jb.insert_parts(t0, info(61_000), Bytes::from_static(b"stale")),
        Inserted::Probation
    );
    assert_eq!(
        jb.insert_parts(t0, info(61_000), Bytes::from_static(b"stale")),
        Inserted::Duplicate
    );
    assert_eq!(
        jb.insert_parts(t0, info(next), Bytes::from_static(b"opus")),
        Inserted::Stored
    );
    let s = jb.stats();
    assert_eq!((s.restarts, s.packets_discarded, s.packets_duplicated), (0, 11, 1));
    assert_eq!(played(&mut jb, t0), (FIRST..=next).collect::<Vec<_>>());
}

#[test]
fn two_consecutive_far_packets_restart_with_both() {
    let t0 = Instant::now();
    for new in [50_000u16, 65_535, 2] {
        let mut jb = holding_ten(t0);
        let at = t0 + PTIME;
        assert_eq!(
            jb.insert_parts(at, info(new), Bytes::from_static(b"new")),
            Inserted::Probation
        );
        assert_eq!(jb.len(), 10);
        let second = new.wrapping_add(1);
        assert_eq!(
            jb.insert_parts(at + PTIME, info(second), Bytes::from_static(b"new")),
            Inserted::Restarted
        );
        assert_eq!(jb.len(), 2, "the old stream is dropped, both new packets held");
        assert_eq!(
            jb.insert_parts(at + PTIME * 2, info(second.wrapping_add(1)), Bytes::from_static(b"new")),
            Inserted::Stored
        );
        let s = jb.stats();
        assert_eq!((s.restarts, s.packets_discarded), (1, 0), "{new}");
        assert_eq!(played(&mut jb, at), [new, second, second.wrapping_add(1)]);
    }
}
