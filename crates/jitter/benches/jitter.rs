//! Insert + release per packet for a 2.5 Mb/s VP8 stream (30 fps, 1200-byte payloads, a keyframe every
//! 2 s) with 5 % of packets swapped with their successor; frame boundaries read by the VP8 depayloader.
#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use ortc_codecs::vp8::{Vp8Depayloader, Vp8Payloader};
use ortc_codecs::{DEFAULT_MAX_PAYLOAD, Payloader, Payloads};
use ortc_jitter::{Config, JitterBuffer, PacketInfo};

const FRAMES: u32 = 600;
const FRAME_BYTES: usize = 2_500_000 / 8 / 30;

fn stream() -> Vec<(Duration, PacketInfo, Bytes)> {
    let mut payloader = Vp8Payloader::new();
    let mut payloads = Payloads::new();
    let mut out = Vec::new();
    let mut seq = 65_000u16;
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    for f in 0..FRAMES {
        // VP8 frame tag: P bit clear on keyframes
        let mut frame = vec![if f % 60 == 0 { 0x10 } else { 0x11 }; FRAME_BYTES];
        frame[1..]
            .iter_mut()
            .enumerate()
            .for_each(|(i, b)| *b = (i * 131 % 251) as u8);
        payloader.payload(&frame, DEFAULT_MAX_PAYLOAD, &mut payloads).unwrap();
        let n = payloads.len() as u32;
        for (i, p) in payloads.iter().enumerate() {
            let at = Duration::from_micros(u64::from(f) * 33_333 + i as u64 * 33_333 / u64::from(n));
            let info = PacketInfo {
                ssrc: 7,
                sequence_number: seq,
                timestamp: f.wrapping_mul(3000),
                marker: p.marker,
            };
            out.push((at, info, Bytes::copy_from_slice(p.data)));
            seq = seq.wrapping_add(1);
        }
    }
    for i in 0..out.len() - 1 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        if rng % 100 < 5 {
            out.swap(i, i + 1);
        }
    }
    out
}

fn video(c: &mut Criterion) {
    let packets = stream();
    let t0 = Instant::now();
    let mut g = c.benchmark_group("jitter_video_2.5mbps");
    g.throughput(Throughput::Elements(packets.len() as u64));
    g.bench_function("insert+poll_frame+poll_nack, 5% reordered", |b| {
        b.iter_batched_ref(
            || JitterBuffer::new(Config::video(), Vp8Depayloader::new()),
            |jb| {
                let mut frames = 0u32;
                for (at, info, payload) in &packets {
                    let now = t0 + *at;
                    jb.insert_parts(now, *info, payload.clone());
                    while let Some(f) = jb.poll_frame(now) {
                        frames += black_box(f.packets.len() as u32).min(1);
                    }
                    black_box(jb.poll_nack(now));
                }
                assert_eq!(frames, FRAMES);
            },
            BatchSize::LargeInput,
        );
    });
    g.finish();
}

criterion_group!(benches, video);
criterion_main!(benches);
