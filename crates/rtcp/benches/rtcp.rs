//! ortc-rtcp against webrtc-rs `rtcp` 0.17.2, in the same run: compound SR+SDES parsing, and transport-wide
//! CC feedback encoding and decoding.
//!
//! Run with `cargo bench -p ortc-rtcp --bench rtcp`; ratios go to `docs/benchmarks.md`.

use std::hint::black_box;

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use ortc_rtcp::{Compound, PacketStatus, RtcpPacket, StatusChunk, TransportFeedbackBuilder, TwccEncoder, WriteRtcp};
use webrtc_rtcp::packet::{marshal, unmarshal};

/// aiortc's SR + SDES compound packet from `fixtures/aiortc/plain.pcap`.
const SR_SDES: [u8; 76] = [
    0x80, 0xc8, 0x00, 0x06, 0x5c, 0x0d, 0xde, 0xf0, 0xee, 0xb1, 0x57, 0xf2, 0x48, 0xd2, 0x4e, 0x16, 0xcf, 0xc3, 0xfc,
    0xd6, 0x00, 0x00, 0x00, 0x1f, 0x00, 0x00, 0x00, 0x5d, 0x81, 0xca, 0x00, 0x0b, 0x5c, 0x0d, 0xde, 0xf0, 0x01, 0x24,
    b'e', b'7', b'4', b'd', b'7', b'1', b'4', b'e', b'-', b'b', b'0', b'8', b'a', b'-', b'4', b'6', b'1', b'0', b'-',
    b'9', b'c', b'8', b'0', b'-', b'a', b'8', b'7', b'0', b'2', b'f', b'9', b'8', b'a', b'4', b'3', b'1', 0x00, 0x00,
];

/// Touches every field of the SR and the SDES, as a decoder into owned structs would.
fn ortc_parse(bytes: &[u8]) -> u64 {
    let mut sum = 0u64;
    for p in Compound::new(bytes) {
        match p {
            Ok(RtcpPacket::SenderReport(sr)) => {
                let info = sr.sender_info();
                sum += u64::from(sr.sender_ssrc())
                    + info.ntp_time.0
                    + u64::from(info.rtp_time)
                    + u64::from(info.octet_count);
                sum += sr.report_blocks().map(|b| u64::from(b.jitter)).sum::<u64>();
            }
            Ok(RtcpPacket::Sdes(s)) => {
                for c in s.chunks() {
                    sum += u64::from(c.ssrc) + c.items().map(|i| i.value.len() as u64).sum::<u64>();
                }
            }
            _ => sum += 1,
        }
    }
    sum
}

/// A receive pattern for one feedback message: 100 packets at ~2 ms with every 10th lost and a few jumps.
fn arrivals() -> Vec<(u16, i64)> {
    (0..100u16)
        .filter(|i| i % 10 != 7)
        .map(|i| {
            (
                60_000u16.wrapping_add(i),
                1_000_000 + i64::from(i) * 2_000 + if i % 25 == 0 { 80_000 } else { 0 },
            )
        })
        .collect()
}

fn encode_ortc(enc: &mut TwccEncoder, arrivals: &[(u16, i64)], out: &mut [u8]) -> usize {
    enc.reset(0);
    for &(s, t) in arrivals {
        // invariant: the pattern is in order with small deltas.
        enc.add(s, t).expect("in order");
    }
    enc.write(out).expect("room")
}

fn bench_sr_sdes(c: &mut Criterion) {
    let mut g = c.benchmark_group("SR+SDES parse");
    g.bench_function("ortc-rtcp", |b| b.iter(|| ortc_parse(black_box(&SR_SDES))));
    let bytes = Bytes::from_static(&SR_SDES);
    g.bench_function("webrtc-rs rtcp", |b| {
        b.iter(|| {
            let mut buf = black_box(&bytes).clone();
            unmarshal(&mut buf).expect("valid")
        });
    });
    g.finish();
}

fn bench_twcc(c: &mut Criterion) {
    let arrivals = arrivals();
    let mut enc = TwccEncoder::new(1, 2, 0);
    let mut out = [0u8; 1500];
    let n = encode_ortc(&mut enc, &arrivals, &mut out);
    let encoded = Bytes::copy_from_slice(&out[..n]);
    let theirs = unmarshal(&mut encoded.clone()).expect("webrtc-rs decodes ours");
    assert_eq!(marshal(&theirs).expect("marshal"), encoded);

    let mut g = c.benchmark_group("TWCC feedback encode");
    g.bench_function("ortc-rtcp TwccEncoder (from arrivals)", |b| {
        b.iter(|| encode_ortc(&mut enc, black_box(&arrivals), &mut out));
    });
    // Apples to apples with webrtc-rs, whose crate only serializes an already chunked message.
    let Some(Ok(RtcpPacket::TransportFeedback(fb))) = Compound::new(&encoded).next() else {
        unreachable!("our own output decodes")
    };
    let chunks: Vec<StatusChunk> = fb.chunks().collect();
    let deltas: Vec<i16> = fb
        .packets()
        .filter(|p| p.status != PacketStatus::NotReceived)
        .map(|p| p.delta_ticks)
        .collect();
    let builder = TransportFeedbackBuilder {
        sender_ssrc: 1,
        media_ssrc: 2,
        base_sequence: fb.base_sequence(),
        status_count: fb.status_count(),
        reference_time: fb.reference_time(),
        feedback_count: 0,
        chunks: &chunks,
        deltas: &deltas,
    };
    g.bench_function("ortc-rtcp (chunked message)", |b| {
        b.iter(|| black_box(&builder).write(&mut out).expect("room"));
    });
    g.bench_function("webrtc-rs rtcp (chunked message)", |b| {
        b.iter(|| marshal(black_box(&theirs)).expect("marshal"));
    });
    g.finish();

    let mut g = c.benchmark_group("TWCC feedback decode");
    g.bench_function("ortc-rtcp", |b| {
        b.iter(|| {
            let Some(Ok(RtcpPacket::TransportFeedback(fb))) = Compound::new(black_box(&encoded)).next() else {
                unreachable!("valid")
            };
            fb.arrivals().map(|(s, t)| i64::from(s) + t).sum::<i64>()
        });
    });
    g.bench_function("webrtc-rs rtcp", |b| {
        b.iter(|| {
            let mut buf = black_box(&encoded).clone();
            unmarshal(&mut buf).expect("valid")
        });
    });
    g.finish();
}

criterion_group!(benches, bench_sr_sdes, bench_twcc);
criterion_main!(benches);
