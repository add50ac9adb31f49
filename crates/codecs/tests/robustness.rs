//! Arbitrary and mutated packets through every depayloader, from a fixed-seed generator: no panics, no
//! frame above the size bound, `push` never accepts what `boundary` rejects. The fuzz target
//! `fuzz/fuzz_targets/depayload.rs` does the same under libFuzzer.
#![allow(clippy::unwrap_used)]

use ortc_codecs::av1::{Av1Depayloader, Av1Payloader};
use ortc_codecs::g711::G711Depayloader;
use ortc_codecs::h264::{H264Depayloader, H264Payloader};
use ortc_codecs::opus::OpusDepayloader;
use ortc_codecs::vp8::{Vp8Depayloader, Vp8Payloader};
use ortc_codecs::vp9::{Vp9Depayloader, Vp9Payloader};
use ortc_codecs::{Depayloader, PayloadPacket, Payloader, Payloads};

const LIMIT: usize = 16 * 1024;

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn depayloaders() -> Vec<Box<dyn Depayloader>> {
    vec![
        Box::new(Vp8Depayloader::with_max_frame_size(LIMIT)),
        Box::new(H264Depayloader::with_max_frame_size(LIMIT)),
        Box::new(Vp9Depayloader::with_max_frame_size(LIMIT)),
        Box::new(Av1Depayloader::with_max_frame_size(LIMIT)),
        Box::new(OpusDepayloader::new()),
        Box::new(G711Depayloader::new()),
    ]
}

/// A temporal unit of one frame OBU (with its size field) carrying `len` bytes.
fn av1_temporal_unit(len: usize) -> Vec<u8> {
    let mut tu = vec![(6 << 3) | 0x02];
    let mut n = len;
    while n >= 0x80 {
        tu.push((n & 0x7F) as u8 | 0x80);
        n >>= 7;
    }
    tu.push(n as u8);
    tu.extend((0..len).map(|i| (i * 29) as u8));
    tu
}

/// A depayloader, the payloader feeding it, and a frame above and one below the bound.
type Stream = (Box<dyn Depayloader>, Box<dyn Payloader>, Vec<u8>, Vec<u8>);

/// Every depayloader with a frame-size bound keeps to it: a frame above the bound, payloaded as a sender
/// would, comes out of none of them, and the next frame below it still does.
#[test]
fn frames_above_the_bound_are_dropped_by_every_video_depayloader() {
    let big: Vec<u8> = (0..LIMIT as u32 + 100).map(|i| (i * 37) as u8 | 1).collect();
    let small = &big[..LIMIT / 2];
    // an IDR slice whose header starts with first_mb_in_slice = 0, so that it starts a frame
    let mut h264_big = vec![0, 0, 0, 1, 0x65, 0x88];
    h264_big.extend_from_slice(&big);
    let mut h264_small = vec![0, 0, 0, 1, 0x65, 0x88];
    h264_small.extend_from_slice(small);
    let streams: [Stream; 4] = [
        (
            Box::new(Vp8Depayloader::with_max_frame_size(LIMIT)),
            Box::new(Vp8Payloader::new()),
            big.clone(),
            small.to_vec(),
        ),
        (
            Box::new(H264Depayloader::with_max_frame_size(LIMIT)),
            Box::new(H264Payloader::default()),
            h264_big,
            h264_small,
        ),
        (
            Box::new(Vp9Depayloader::with_max_frame_size(LIMIT)),
            Box::new(Vp9Payloader::default()),
            big.clone(),
            small.to_vec(),
        ),
        (
            Box::new(Av1Depayloader::with_max_frame_size(LIMIT)),
            Box::new(Av1Payloader::default()),
            av1_temporal_unit(LIMIT + 100),
            av1_temporal_unit(LIMIT / 2),
        ),
    ];
    for (i, (mut d, mut p, big, small)) in streams.into_iter().enumerate() {
        let mut seq = 0u16;
        let mut frames = Vec::new();
        for (ts, frame) in [(3000u32, &big), (6000, &small)] {
            let mut out = Payloads::new();
            p.payload(frame, 1000, &mut out).unwrap();
            for pl in out.iter() {
                seq = seq.wrapping_add(1);
                let packet = PayloadPacket {
                    sequence_number: seq,
                    timestamp: ts,
                    marker: pl.marker,
                    payload: pl.data,
                };
                if let Ok(Some(f)) = d.push(packet).map(|r| r.frame) {
                    frames.push((f.timestamp, f.data.len()));
                }
            }
        }
        if let Some(f) = d.finish().frame {
            frames.push((f.timestamp, f.data.len()));
        }
        assert_eq!(
            frames.len(),
            1,
            "depayloader {i}: only the small frame comes out: {frames:?}"
        );
        assert_eq!(frames[0].0, 6000, "depayloader {i}");
        assert!(frames[0].1 <= LIMIT, "depayloader {i}");
    }
}

#[test]
fn random_and_mutated_packets_never_panic() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    // valid packet streams to mutate: VP8, H.264, VP9 and AV1 payloads of a few frames
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    let mut out = Payloads::new();
    let frame: Vec<u8> = (0..5000u32).map(|i| (i * 37) as u8 | 1).collect();
    Vp8Payloader::new().payload(&frame, 700, &mut out).unwrap();
    seeds.extend(out.iter().map(|p| p.data.to_vec()));
    let mut h264 = vec![0, 0, 0, 1, 0x67, 0x42, 0, 0, 0, 1, 0x68, 0xCE, 0, 0, 0, 1, 0x65, 0x88];
    h264.extend((0..3000u32).map(|i| (i * 13) as u8 | 4));
    H264Payloader::default().payload(&h264, 500, &mut out).unwrap();
    seeds.extend(out.iter().map(|p| p.data.to_vec()));
    Vp9Payloader::default().payload(&frame, 700, &mut out).unwrap();
    seeds.extend(out.iter().map(|p| p.data.to_vec()));
    Av1Payloader::default()
        .payload(&av1_temporal_unit(5000), 700, &mut out)
        .unwrap();
    seeds.extend(out.iter().map(|p| p.data.to_vec()));

    let mut all = depayloaders();
    let (mut seq, mut ts) = (0u16, 0u32);
    let mut seen_frames = 0;
    for _ in 0..20_000 {
        let mut payload = if rng.below(2) == 0 {
            seeds[rng.below(seeds.len())].clone()
        } else {
            (0..rng.below(40)).map(|_| rng.next() as u8).collect()
        };
        for _ in 0..rng.below(3) {
            if !payload.is_empty() {
                let i = rng.below(payload.len());
                payload[i] ^= 1 << rng.below(8);
            }
        }
        if rng.below(8) == 0 {
            payload.truncate(rng.below(payload.len() + 1));
        }
        seq = seq.wrapping_add(1 + u16::from(rng.below(10) == 0));
        if rng.below(4) == 0 {
            ts = ts.wrapping_add(3000);
        }
        let packet = PayloadPacket {
            sequence_number: seq,
            timestamp: ts,
            marker: rng.below(3) == 0,
            payload: &payload,
        };
        for (i, d) in all.iter_mut().enumerate() {
            let boundary = d.boundary(&payload, packet.marker);
            if let Ok(r) = d.push(packet) {
                // (a padding-only packet has no boundaries to read, yet is no error)
                assert!(
                    boundary.is_ok() || payload.is_empty(),
                    "depayloader {i} accepted what boundary rejected"
                );
                if let Some(f) = r.frame {
                    seen_frames += 1;
                    assert_eq!(f.timestamp, ts);
                    assert!(
                        f.data.len() <= LIMIT,
                        "depayloader {i} made a {} byte frame",
                        f.data.len()
                    );
                }
            }
        }
    }
    assert!(
        seen_frames > 1000,
        "the generator reaches the frame paths ({seen_frames})"
    );
}
