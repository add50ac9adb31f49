//! ortc-rtp-packet vs webrtc-rs `rtp` on the same inputs, in the same run.
//!
//! Input: a 1200-byte payload with two one-byte extensions (abs-send-time, transport-cc), as a video
//! sender emits. Each group has an `ortc` and a `webrtc-rs` function; compare them within a group.
#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;

use bytes::{Bytes, BytesMut};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ortc_rtp_packet::{
    AbsSendTime, ExtensionKind, ExtensionMap, RtpHeader, RtpPacket, RtpPacketBuilder, RtxExtensions,
    TransportSequenceNumber, rtx_wrap,
};
use webrtc_rtp::extension::abs_send_time_extension::AbsSendTimeExtension;
use webrtc_rtp::extension::transport_cc_extension::TransportCcExtension;
use webrtc_util::marshal::{Marshal, MarshalSize, Unmarshal};

const AST_ID: u8 = 2;
const TCC_ID: u8 = 3;

fn map() -> ExtensionMap {
    let mut m = ExtensionMap::new();
    m.insert(AST_ID, ExtensionKind::AbsSendTime).unwrap();
    m.insert(TCC_ID, ExtensionKind::TransportSequenceNumber).unwrap();
    m
}

fn header(map: &ExtensionMap) -> RtpHeader {
    RtpPacketBuilder::new(96, 0x1234_5678)
        .sequence_number(4242)
        .timestamp(90_000)
        .marker(true)
        .extension(map, &AbsSendTime(0x12_3456))
        .unwrap()
        .extension(map, &TransportSequenceNumber(777))
        .unwrap()
        .into_header()
}

fn packet_bytes(map: &ExtensionMap) -> Bytes {
    let mut b = BytesMut::new();
    header(map).write_to_bytes(&[0x5A; 1200], &mut b).unwrap();
    b.freeze()
}

/// 64 packets of one stream (sequence number and transport-cc advancing), as a receiver sees them.
fn stream(map: &ExtensionMap) -> Vec<Bytes> {
    (0..64u16)
        .map(|i| {
            let mut h = header(map);
            h.sequence_number = h.sequence_number.wrapping_add(i);
            h.set_extension(map, &TransportSequenceNumber(777 + i)).unwrap();
            let mut b = BytesMut::new();
            h.write_to_bytes(&[0x5A; 1200], &mut b).unwrap();
            b.freeze()
        })
        .collect()
}

fn parse(c: &mut Criterion) {
    let map = map();
    let packets = stream(&map);
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Elements(packets.len() as u64));
    // The view parses from the receive buffer as it is (`&Bytes`, or `&[u8]`): no refcount traffic.
    g.bench_function("ortc", |b| {
        b.iter(|| {
            for raw in black_box(&packets) {
                let p = RtpPacket::parse(raw).unwrap();
                black_box((p.sequence_number(), p.payload().len()));
            }
        });
    });
    // Taking ownership of a `Bytes` handle, as webrtc-rs must.
    g.bench_function("ortc-owned-bytes", |b| {
        b.iter(|| {
            for raw in black_box(&packets) {
                let p = RtpPacket::parse(raw.clone()).unwrap();
                black_box((p.sequence_number(), p.payload().len()));
            }
        });
    });
    g.bench_function("webrtc-rs", |b| {
        b.iter(|| {
            for raw in black_box(&packets) {
                let p = webrtc_rtp::packet::Packet::unmarshal(&mut raw.clone()).unwrap();
                black_box((p.header.sequence_number, p.payload.len()));
            }
        });
    });
    g.finish();

    let mut g = c.benchmark_group("parse+2ext");
    g.throughput(Throughput::Elements(packets.len() as u64));
    g.bench_function("ortc", |b| {
        b.iter(|| {
            for raw in black_box(&packets) {
                let p = RtpPacket::parse(raw).unwrap();
                let ast = p.get::<AbsSendTime>(&map).unwrap();
                let tcc = p.get::<TransportSequenceNumber>(&map).unwrap();
                black_box((ast, tcc, p.payload().len()));
            }
        });
    });
    g.bench_function("ortc-owned-bytes", |b| {
        b.iter(|| {
            for raw in black_box(&packets) {
                let p = RtpPacket::parse(raw.clone()).unwrap();
                let ast = p.get::<AbsSendTime>(&map).unwrap();
                let tcc = p.get::<TransportSequenceNumber>(&map).unwrap();
                black_box((ast, tcc, p.payload().len()));
            }
        });
    });
    g.bench_function("webrtc-rs", |b| {
        b.iter(|| {
            for raw in black_box(&packets) {
                let p = webrtc_rtp::packet::Packet::unmarshal(&mut raw.clone()).unwrap();
                let ast = AbsSendTimeExtension::unmarshal(&mut p.header.get_extension(AST_ID).unwrap()).unwrap();
                let tcc = TransportCcExtension::unmarshal(&mut p.header.get_extension(TCC_ID).unwrap()).unwrap();
                black_box((ast, tcc, p.payload.len()));
            }
        });
    });
    g.finish();
}

fn serialize(c: &mut Criterion) {
    let map = map();
    let raw = packet_bytes(&map);
    let payload = vec![0x5Au8; 1200];
    let ours = header(&map);
    let theirs = webrtc_rtp::packet::Packet::unmarshal(&mut raw.clone()).unwrap();
    let mut out = vec![0u8; 1500];

    let mut g = c.benchmark_group("serialize");
    g.bench_function("ortc", |b| {
        b.iter(|| black_box(ours.write(black_box(&payload), &mut out).unwrap()));
    });
    // The payloader already wrote the payload after the header room: only the header is written.
    g.bench_function("ortc-header-in-place", |b| {
        b.iter(|| black_box(black_box(&ours).write_header(&mut out).unwrap()));
    });
    g.bench_function("webrtc-rs", |b| {
        b.iter(|| black_box(black_box(&theirs).marshal_to(&mut out).unwrap()));
    });
    g.finish();

    // What a sender does per packet: bump the sequence number, set transport-cc, write.
    let mut g = c.benchmark_group("update+serialize");
    let mut h = ours.clone();
    let mut seq = 0u16;
    g.bench_function("ortc", |b| {
        b.iter(|| {
            seq = seq.wrapping_add(1);
            h.sequence_number = seq;
            h.set_extension(&map, &TransportSequenceNumber(seq)).unwrap();
            black_box(h.write(black_box(&payload), &mut out).unwrap())
        });
    });
    let mut p = theirs.clone();
    g.bench_function("webrtc-rs", |b| {
        b.iter(|| {
            seq = seq.wrapping_add(1);
            p.header.sequence_number = seq;
            let ext = TransportCcExtension {
                transport_sequence: seq,
            };
            p.header.set_extension(TCC_ID, ext.marshal().unwrap()).unwrap();
            black_box(p.marshal_to(&mut out).unwrap())
        });
    });
    g.finish();
}

fn rtx(c: &mut Criterion) {
    let map = map();
    let raw = packet_bytes(&map);
    let mut out = vec![0u8; 1500];
    let mut g = c.benchmark_group("rtx-wrap");
    let parsed = RtpPacket::parse(raw.clone()).unwrap();
    g.bench_function("ortc", |b| {
        let rewrite = RtxExtensions::new(&map).transport_sequence_number(2);
        b.iter(|| black_box(rtx_wrap(black_box(&parsed), 97, 0x9999, 1, &rewrite, &mut out).unwrap()));
    });
    // webrtc-rs has no RTX helper; its interceptors build a new packet with the OSN-prefixed payload.
    let theirs = webrtc_rtp::packet::Packet::unmarshal(&mut raw.clone()).unwrap();
    g.bench_function("webrtc-rs", |b| {
        b.iter(|| {
            let orig = black_box(&theirs);
            let mut payload = BytesMut::with_capacity(orig.payload.len() + 2);
            payload.extend_from_slice(&orig.header.sequence_number.to_be_bytes());
            payload.extend_from_slice(&orig.payload);
            let mut header = orig.header.clone();
            header.payload_type = 97;
            header.ssrc = 0x9999;
            header.sequence_number = 1;
            header.padding = false;
            let p = webrtc_rtp::packet::Packet {
                header,
                payload: payload.freeze(),
            };
            debug_assert!(p.marshal_size() <= out.len());
            black_box(p.marshal_to(&mut out).unwrap())
        });
    });
    g.finish();
}

criterion_group!(benches, parse, serialize, rtx);
criterion_main!(benches);
