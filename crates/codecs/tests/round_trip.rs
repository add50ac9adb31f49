//! Encoder → payloader → depayloader → decoder, for Opus and VP8 (needs the `opus` and `vpx` features).
#![cfg(all(feature = "opus", feature = "vpx"))]
#![allow(clippy::cast_precision_loss)] // sample counts far below 2^52

use ortc_codecs::opus::{OpusDecoder, OpusDepayloader, OpusEncoder, OpusEncoderConfig, OpusPayloader};
use ortc_codecs::vp8::{Vp8Depayloader, Vp8Payloader};
use ortc_codecs::vpx::{VpxCodec, VpxDecoder, VpxEncoder, VpxEncoderConfig};
use ortc_codecs::{
    AudioDecoder, AudioEncoder, AudioFrame, DEFAULT_MAX_PAYLOAD, Depayloader, EncodedVideo, PayloadPacket, Payloader,
    Payloads, VideoDecoder, VideoEncoder, VideoFrame,
};

const TONE_HZ: f64 = 440.0;

fn tone_frame(index: u32) -> AudioFrame {
    let samples = (0..960u32)
        .flat_map(|i| {
            let t = f64::from(index * 960 + i) / 48_000.0;
            let s = (10_000.0 * (2.0 * std::f64::consts::PI * TONE_HZ * t).sin()) as i16;
            [s, s]
        })
        .collect();
    AudioFrame {
        timestamp: index * 960,
        ..AudioFrame::new(samples, 48_000, 2)
    }
}

/// Magnitude of the `freq` component of `x` (one channel at 48 kHz), normalized by the signal energy:
/// close to 1 for a pure tone at `freq`.
fn tone_share(x: &[f64], freq: f64) -> f64 {
    let (mut re, mut im, mut energy) = (0.0, 0.0, 0.0);
    for (i, &v) in x.iter().enumerate() {
        let w = 2.0 * std::f64::consts::PI * freq * i as f64 / 48_000.0;
        re += v * w.cos();
        im += v * w.sin();
        energy += v * v;
    }
    2.0 * (re * re + im * im) / (energy * x.len() as f64)
}

#[test]
fn opus_tone_survives_payloading_and_decoding() {
    let mut enc = OpusEncoder::new(OpusEncoderConfig::default()).expect("encoder");
    let mut dec = OpusDecoder::new(48_000, 2).expect("decoder");
    let mut depay = OpusDepayloader::new();
    let (mut packet, mut payloads, mut pcm) = (Vec::new(), Payloads::new(), AudioFrame::default());
    let mut left = Vec::new();
    for index in 0..50u32 {
        let frame = tone_frame(index);
        enc.encode(&frame, &mut packet).expect("encode");
        OpusPayloader
            .payload(&packet, DEFAULT_MAX_PAYLOAD, &mut payloads)
            .expect("payload");
        assert_eq!(payloads.len(), 1);
        let p = payloads.iter().next().expect("one payload");
        let out = depay
            .push(PayloadPacket {
                sequence_number: index as u16,
                timestamp: frame.timestamp,
                marker: p.marker,
                payload: p.data,
            })
            .expect("depayload");
        let f = out.frame.expect("every Opus packet is a frame");
        assert_eq!(f.timestamp, frame.timestamp);
        dec.decode(f.data, &mut pcm).expect("decode");
        assert_eq!((pcm.sample_rate, pcm.channels), (48_000, 2));
        assert_eq!(pcm.samples_per_channel(), 960);
        if index >= 10 {
            left.extend(pcm.samples.iter().step_by(2).map(|&s| f64::from(s)));
        }
    }
    let rms = (left.iter().map(|v| v * v).sum::<f64>() / left.len() as f64).sqrt();
    assert!(rms > 5000.0, "decoded RMS {rms:.0}, input ~7071");
    let share = tone_share(&left, TONE_HZ);
    assert!(share > 0.9, "only {share:.2} of the energy is at {TONE_HZ} Hz");
}

/// A 320×240 picture with a diagonal gradient and a bright square that moves with `index`.
fn moving_pattern(index: u32) -> VideoFrame {
    let mut frame = VideoFrame::new(320, 240, index * 3000);
    for y in 0..240u32 {
        for x in 0..320u32 {
            let mut luma = ((x + y + index * 4) % 256) as u8;
            let (sx, sy) = (40 + index * 6, 60 + index * 3);
            if (sx..sx + 48).contains(&x) && (sy..sy + 48).contains(&y) {
                luma = 235;
            }
            frame.y[(y * 320 + x) as usize] = luma;
        }
    }
    for (i, u) in frame.u.iter_mut().enumerate() {
        *u = (i % 160) as u8 + 48;
    }
    frame
}

/// Payloads one encoded frame; returns the RTP payloads with their markers.
fn packetize(encoded: &EncodedVideo, max_payload: usize) -> Vec<(Vec<u8>, bool)> {
    let mut payloads = Payloads::new();
    Vp8Payloader::new()
        .payload(&encoded.data, max_payload, &mut payloads)
        .expect("payload");
    payloads.iter().map(|p| (p.data.to_vec(), p.marker)).collect()
}

#[test]
fn vp8_frames_survive_payloading_and_decoding() {
    let config = VpxEncoderConfig {
        width: 320,
        height: 240,
        bitrate: 600_000,
        ..VpxEncoderConfig::default()
    };
    let mut enc = VpxEncoder::new(config).expect("encoder");
    let mut dec = VpxDecoder::new(VpxCodec::Vp8).expect("decoder");
    let mut depay = Vp8Depayloader::new();
    let (mut encoded, mut picture) = (EncodedVideo::default(), VideoFrame::default());
    let mut seq = 0u16;
    let mut keyframes = Vec::new();
    let mut sizes = Vec::new();
    for index in 0..30u32 {
        if index == 15 {
            enc.request_keyframe();
        }
        if index == 20 {
            enc.set_bitrate(100_000).expect("bitrate");
        }
        let source = moving_pattern(index);
        assert!(
            enc.encode(&source, &mut encoded).expect("encode"),
            "frame {index} dropped"
        );
        assert_eq!(encoded.timestamp, source.timestamp);
        sizes.push(encoded.data.len());
        let packets = packetize(&encoded, DEFAULT_MAX_PAYLOAD);
        let mut got = None;
        for (data, marker) in &packets {
            let out = depay
                .push(PayloadPacket {
                    sequence_number: seq,
                    timestamp: source.timestamp,
                    marker: *marker,
                    payload: data,
                })
                .expect("depayload");
            seq = seq.wrapping_add(1);
            assert_eq!(out.incomplete, None);
            if let Some(f) = out.frame {
                assert_eq!(f.data, &encoded.data[..]);
                assert_eq!(f.keyframe, encoded.keyframe);
                assert!(dec.decode(f.data, f.timestamp, &mut picture).expect("decode"));
                got = Some(f.keyframe);
            }
        }
        assert!(got.is_some(), "frame {index} not reassembled");
        assert_eq!(
            (picture.width, picture.height, picture.timestamp),
            (320, 240, source.timestamp)
        );
        assert_eq!(
            (picture.y.len(), picture.u.len(), picture.v.len()),
            (320 * 240, 160 * 120, 160 * 120)
        );
        if got == Some(true) {
            keyframes.push(index);
        }
        // the decoded picture resembles the source
        let mad = picture
            .y
            .iter()
            .zip(&source.y)
            .map(|(&a, &b)| u64::from(a.abs_diff(b)))
            .sum::<u64>()
            / picture.y.len() as u64;
        assert!(mad < 20, "frame {index}: mean luma error {mad}");
    }
    assert_eq!(keyframes, [0, 15], "keyframes at {keyframes:?}");
    // rate control settles within a few frames: compare the steady parts before and after the change
    let before: usize = sizes[5..15].iter().sum::<usize>() / 10;
    let after: usize = sizes[24..30].iter().sum::<usize>() / 6;
    assert!(
        after * 2 < before,
        "600 kbit/s: {before} B/frame, 100 kbit/s: {after} B/frame"
    );
}

#[test]
fn vp8_frame_with_a_lost_packet_is_reported_and_not_decoded() {
    let config = VpxEncoderConfig {
        width: 320,
        height: 240,
        bitrate: 2_000_000,
        ..VpxEncoderConfig::default()
    };
    let mut enc = VpxEncoder::new(config).expect("encoder");
    let mut dec = VpxDecoder::new(VpxCodec::Vp8).expect("decoder");
    let mut depay = Vp8Depayloader::new();
    let (mut encoded, mut picture) = (EncodedVideo::default(), VideoFrame::default());
    let mut seq = 0u16;
    let mut decoded = Vec::new();
    let mut incomplete = Vec::new();
    for index in 0..4u32 {
        if index == 2 {
            enc.request_keyframe();
        }
        let source = moving_pattern(index);
        enc.encode(&source, &mut encoded).expect("encode");
        // small packets, so that even a delta frame spans several
        let packets = packetize(&encoded, 200);
        if index == 1 {
            assert!(packets.len() >= 3, "frame 1 is {} packets", packets.len());
        }
        for (i, (data, marker)) in packets.iter().enumerate() {
            let this_seq = seq;
            seq = seq.wrapping_add(1);
            if index == 1 && i == packets.len() / 2 {
                continue; // lost in the network
            }
            let out = depay
                .push(PayloadPacket {
                    sequence_number: this_seq,
                    timestamp: source.timestamp,
                    marker: *marker,
                    payload: data,
                })
                .expect("depayload");
            if let Some(lost) = out.incomplete {
                incomplete.push(lost.timestamp);
            }
            if let Some(f) = out.frame {
                // only whole frames reach the decoder
                assert_eq!(f.data, &encoded.data[..]);
                assert!(dec.decode(f.data, f.timestamp, &mut picture).expect("decode"));
                decoded.push(index);
            }
        }
    }
    assert_eq!(incomplete, [3000]);
    // frame 3 follows the forced keyframe 2 and decodes; frame 1 never reached the decoder
    assert_eq!(decoded, [0, 2, 3]);
}

#[test]
fn vp9_round_trip_without_rtp() {
    let config = VpxEncoderConfig {
        codec: VpxCodec::Vp9,
        width: 320,
        height: 240,
        ..VpxEncoderConfig::default()
    };
    let mut enc = VpxEncoder::new(config).expect("encoder");
    let mut dec = VpxDecoder::new(VpxCodec::Vp9).expect("decoder");
    let (mut encoded, mut picture) = (EncodedVideo::default(), VideoFrame::default());
    for index in 0..5u32 {
        assert!(enc.encode(&moving_pattern(index), &mut encoded).expect("encode"));
        assert_eq!(encoded.keyframe, index == 0);
        assert!(dec.decode(&encoded.data, index, &mut picture).expect("decode"));
        assert_eq!((picture.width, picture.height), (320, 240));
    }
}

#[test]
fn vpx_encoder_follows_a_resolution_change_and_rejects_bad_frames() {
    let mut enc = VpxEncoder::new(VpxEncoderConfig {
        width: 320,
        height: 240,
        ..VpxEncoderConfig::default()
    })
    .expect("encoder");
    let mut dec = VpxDecoder::new(VpxCodec::Vp8).expect("decoder");
    let (mut encoded, mut picture) = (EncodedVideo::default(), VideoFrame::default());
    enc.encode(&moving_pattern(0), &mut encoded).expect("encode");
    let small = VideoFrame::new(161, 97, 3000);
    assert!(enc.encode(&small, &mut encoded).expect("encode"));
    assert!(encoded.keyframe);
    assert!(dec.decode(&encoded.data, 3000, &mut picture).expect("decode"));
    assert_eq!((picture.width, picture.height, picture.u.len()), (161, 97, 81 * 49));

    let mut short = VideoFrame::new(64, 64, 0);
    short.v.truncate(10);
    assert_eq!(
        enc.encode(&short, &mut encoded),
        Err(ortc_codecs::CodecError::PlaneTooSmall {
            plane: "V",
            needed: 32 * 32,
            got: 10
        })
    );
    assert!(matches!(
        dec.decode(&[0xff; 10], 0, &mut picture),
        Err(ortc_codecs::CodecError::Vpx { .. })
    ));
}
