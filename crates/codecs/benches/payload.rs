//! ortc-codecs payloaders vs webrtc-rs `rtp` 0.17.2 on the same 100 kB keyframe, in the same run.
//!
//! ortc writes into a reused `Payloads`; webrtc-rs returns a fresh `Vec<Bytes>` per frame (its API). Both
//! get a 1200-byte payload budget; VP8 with a 15-bit picture ID on both sides. With the `h264` feature, also
//! H.264 payloading of a real 1280×720 OpenH264 IDR.
#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ortc_codecs::h264::{H264Depayloader, H264Payloader, PacketizationMode};
use ortc_codecs::vp8::{Vp8Depayloader, Vp8Payloader};
use ortc_codecs::{DEFAULT_MAX_PAYLOAD, Depayloader, PayloadPacket, Payloader, Payloads};
use webrtc_rtp::packetizer::Payloader as _;

const FRAME: usize = 100_000;

fn vp8_keyframe() -> Vec<u8> {
    // frame tag with P = 0 (key), start code, then filler
    let mut f = vec![0x50, 0x2d, 0x01, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01];
    f.extend((0..FRAME - f.len()).map(|i| (i * 131 % 251) as u8));
    f
}

fn h264_keyframe() -> Vec<u8> {
    let mut f = vec![
        0, 0, 0, 1, 0x67, 0x42, 0xC0, 0x1F, 0xDA, 0x01, 0x40, 0x16, 0xEC, 0x04, 0x40,
    ];
    f.extend_from_slice(&[0, 0, 0, 1, 0x68, 0xCE, 0x3C, 0x80]);
    f.extend_from_slice(&[0, 0, 0, 1, 0x65, 0x88]);
    // slice data: one zero byte in 251, like entropy-coded data, never two in a row (no start-code emulation)
    f.extend((0..FRAME - f.len()).map(|i| (i * 131 % 251) as u8));
    f
}

fn vp8(c: &mut Criterion) {
    let frame = vp8_keyframe();
    let frame_bytes = Bytes::from(frame.clone());
    let mut g = c.benchmark_group("vp8_payload_100k");
    g.throughput(Throughput::Bytes(FRAME as u64));
    let mut ours = Vp8Payloader::new();
    let mut out = Payloads::new();
    g.bench_function("ortc", |b| {
        b.iter(|| {
            ours.payload(black_box(&frame), DEFAULT_MAX_PAYLOAD, &mut out).unwrap();
            black_box(out.len())
        });
    });
    let mut theirs = webrtc_rtp::codecs::vp8::Vp8Payloader::default();
    theirs.enable_picture_id = true;
    g.bench_function("webrtc-rs", |b| {
        b.iter(|| {
            black_box(
                theirs
                    .payload(DEFAULT_MAX_PAYLOAD, black_box(&frame_bytes))
                    .unwrap()
                    .len(),
            )
        });
    });
    g.finish();

    // depayload (ortc only: webrtc-rs has no frame reassembly, only per-packet depacketize)
    ours.payload(&frame, DEFAULT_MAX_PAYLOAD, &mut out).unwrap();
    let mut g = c.benchmark_group("vp8_depayload_100k");
    g.throughput(Throughput::Bytes(FRAME as u64));
    let mut d = Vp8Depayloader::new();
    let (mut seq, mut ts) = (0u16, 0u32);
    g.bench_function("ortc", |b| {
        b.iter(|| {
            let mut n = 0;
            ts = ts.wrapping_add(3000);
            for p in out.iter() {
                seq = seq.wrapping_add(1);
                let packet = PayloadPacket {
                    sequence_number: seq,
                    timestamp: ts,
                    marker: p.marker,
                    payload: p.data,
                };
                n += d.push(packet).unwrap().frame.map_or(0, |f| f.data.len());
            }
            assert_eq!(n, FRAME, "one whole frame per iteration");
            black_box(n)
        });
    });
    g.finish();
}

fn h264(c: &mut Criterion) {
    let frame = h264_keyframe();
    let frame_bytes = Bytes::from(frame.clone());
    let mut g = c.benchmark_group("h264_payload_100k");
    g.throughput(Throughput::Bytes(FRAME as u64));
    let mut ours = H264Payloader::new(PacketizationMode::NonInterleaved);
    let mut out = Payloads::new();
    g.bench_function("ortc", |b| {
        b.iter(|| {
            ours.payload(black_box(&frame), DEFAULT_MAX_PAYLOAD, &mut out).unwrap();
            black_box(out.len())
        });
    });
    let mut theirs = webrtc_rtp::codecs::h264::H264Payloader::default();
    g.bench_function("webrtc-rs", |b| {
        b.iter(|| {
            black_box(
                theirs
                    .payload(DEFAULT_MAX_PAYLOAD, black_box(&frame_bytes))
                    .unwrap()
                    .len(),
            )
        });
    });
    g.finish();

    ours.payload(&frame, DEFAULT_MAX_PAYLOAD, &mut out).unwrap();
    let mut g = c.benchmark_group("h264_depayload_100k");
    g.throughput(Throughput::Bytes(FRAME as u64));
    let mut d = H264Depayloader::new();
    let (mut seq, mut ts) = (0u16, 0u32);
    g.bench_function("ortc", |b| {
        b.iter(|| {
            let mut n = 0;
            ts = ts.wrapping_add(3000);
            for p in out.iter() {
                seq = seq.wrapping_add(1);
                let packet = PayloadPacket {
                    sequence_number: seq,
                    timestamp: ts,
                    marker: p.marker,
                    payload: p.data,
                };
                n += d.push(packet).unwrap().frame.map_or(0, |f| f.data.len());
            }
            assert_eq!(n, FRAME, "one whole frame per iteration");
            black_box(n)
        });
    });
    g.finish();
}

/// A 1280×720 IDR from OpenH264 at 8 Mbit/s, of a textured picture (encoded once, outside the timing).
#[cfg(feature = "h264")]
fn openh264_idr() -> Vec<u8> {
    use ortc_codecs::openh264::{H264Encoder, H264EncoderConfig};
    use ortc_codecs::{EncodedVideo, VideoEncoder, VideoFrame};

    let (width, height) = (1280, 720);
    let mut picture = VideoFrame::new(width, height, 0);
    for (i, y) in picture.y.iter_mut().enumerate() {
        let (x, row) = (i as u32 % width, i as u32 / width);
        let noise = (x.wrapping_mul(7919) ^ row.wrapping_mul(104_729)).wrapping_mul(2_654_435_761) >> 26;
        *y = ((x + row) % 192 + noise) as u8;
    }
    let mut encoder = H264Encoder::new(H264EncoderConfig {
        width,
        height,
        bitrate: 8_000_000,
        ..H264EncoderConfig::default()
    })
    .unwrap();
    let mut encoded = EncodedVideo::default();
    assert!(encoder.encode(&picture, &mut encoded).unwrap() && encoded.keyframe);
    encoded.data
}

/// The payloaders on a real encoder's IDR: emulation-prevention bytes and entropy-coded data as they come.
#[cfg(feature = "h264")]
fn h264_openh264(c: &mut Criterion) {
    let frame = openh264_idr();
    let frame_bytes = Bytes::from(frame.clone());
    let mut g = c.benchmark_group("h264_payload_openh264_idr");
    g.throughput(Throughput::Bytes(frame.len() as u64));
    let mut ours = H264Payloader::new(PacketizationMode::NonInterleaved);
    let mut out = Payloads::new();
    g.bench_function("ortc", |b| {
        b.iter(|| {
            ours.payload(black_box(&frame), DEFAULT_MAX_PAYLOAD, &mut out).unwrap();
            black_box(out.len())
        });
    });
    let mut theirs = webrtc_rtp::codecs::h264::H264Payloader::default();
    g.bench_function("webrtc-rs", |b| {
        b.iter(|| {
            black_box(
                theirs
                    .payload(DEFAULT_MAX_PAYLOAD, black_box(&frame_bytes))
                    .unwrap()
                    .len(),
            )
        });
    });
    g.finish();
}

#[cfg(not(feature = "h264"))]
fn h264_openh264(_: &mut Criterion) {}

criterion_group!(benches, vp8, h264, h264_openh264);
criterion_main!(benches);
