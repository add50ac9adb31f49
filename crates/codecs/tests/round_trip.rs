//! Encoder → payloader → depayloader → decoder, for Opus, VP8, VP9 and spatially scalable VP9 (needs the
//! `opus` and `vpx` features).
#![cfg(all(feature = "opus", feature = "vpx"))]
#![allow(clippy::cast_precision_loss)] // sample counts far below 2^52

mod common;

use common::{luma_error, packetize};
use ortc_codecs::opus::{OpusDecoder, OpusDepayloader, OpusEncoder, OpusEncoderConfig, OpusPayloader};
use ortc_codecs::vp8::{Vp8Depayloader, Vp8Payloader};
use ortc_codecs::vp9::{Superframe, Vp9Depayloader, Vp9Descriptor, Vp9Payloader};
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

fn payloader_pair(codec: VpxCodec) -> (Box<dyn Payloader>, Box<dyn Depayloader>) {
    match codec {
        VpxCodec::Vp8 => (Box::new(Vp8Payloader::new()), Box::new(Vp8Depayloader::new())),
        VpxCodec::Vp9 => (Box::new(Vp9Payloader::default()), Box::new(Vp9Depayloader::new())),
    }
}

#[test]
fn vp8_frames_survive_payloading_and_decoding() {
    frames_survive_payloading_and_decoding(VpxCodec::Vp8);
}

#[test]
fn vp9_frames_survive_payloading_and_decoding() {
    frames_survive_payloading_and_decoding(VpxCodec::Vp9);
}

/// 30 frames with a keyframe request at 15: every frame reassembles byte-exactly, decodes to the source size
/// and resembles it; keyframes come where expected.
fn frames_survive_payloading_and_decoding(codec: VpxCodec) {
    let config = VpxEncoderConfig {
        codec,
        width: 320,
        height: 240,
        bitrate: 600_000,
        ..VpxEncoderConfig::default()
    };
    let mut enc = VpxEncoder::new(config).expect("encoder");
    let mut dec = VpxDecoder::new(codec).expect("decoder");
    let (mut pay, mut depay) = payloader_pair(codec);
    let (mut encoded, mut picture) = (EncodedVideo::default(), VideoFrame::default());
    let mut seq = 0u16;
    let mut keyframes = Vec::new();
    for index in 0..30u32 {
        if index == 15 {
            enc.request_keyframe();
        }
        let source = moving_pattern(index);
        assert!(
            enc.encode(&source, &mut encoded).expect("encode"),
            "frame {index} dropped"
        );
        assert_eq!(encoded.timestamp, source.timestamp);
        let packets = packetize(pay.as_mut(), &encoded, DEFAULT_MAX_PAYLOAD);
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
        let mad = luma_error(&picture, &source);
        assert!(mad < 20, "{codec:?} frame {index}: mean luma error {mad}");
    }
    assert_eq!(keyframes, [0, 15], "{codec:?} keyframes at {keyframes:?}");
}

/// The moving pattern with faint noise over it: more than a low bitrate carries at full quality, so rate
/// control has work at every bitrate tried.
fn noisy_pattern(index: u32) -> VideoFrame {
    let mut frame = moving_pattern(index);
    let mut x = 0x9E37_79B9u32 ^ index.wrapping_mul(0x85EB_CA6B);
    for y in &mut frame.y {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *y = y.saturating_add((x >> 28) as u8);
    }
    frame
}

#[test]
fn vpx_bitrate_changes_take_effect() {
    for codec in [VpxCodec::Vp8, VpxCodec::Vp9] {
        let mut enc = VpxEncoder::new(VpxEncoderConfig {
            codec,
            width: 320,
            height: 240,
            bitrate: 1_500_000,
            ..VpxEncoderConfig::default()
        })
        .expect("encoder");
        let mut encoded = EncodedVideo::default();
        let mut sizes = Vec::new();
        for index in 0..40 {
            if index == 20 {
                enc.set_bitrate(150_000).expect("bitrate");
                assert_eq!(enc.config().bitrate, 150_000);
            }
            enc.encode(&noisy_pattern(index), &mut encoded).expect("encode");
            sizes.push(encoded.data.len());
        }
        // 1.5 Mbit/s at 30 fps is 6250 B/frame, 150 kbit/s 625 B/frame; rate control needs some frames to
        // get there after the keyframe (VP9 more than VP8)
        let before = sizes[15..20].iter().sum::<usize>() / 5;
        let after = sizes[30..40].iter().sum::<usize>() / 10;
        assert!(
            after * 4 < before,
            "{codec:?}: 1.5 Mbit/s gave {before} B/frame, 150 kbit/s {after} B/frame"
        );
    }
}

#[test]
fn vp8_frame_with_a_lost_packet_is_reported_and_not_decoded() {
    frame_with_a_lost_packet_is_reported_and_not_decoded(VpxCodec::Vp8);
}

#[test]
fn vp9_frame_with_a_lost_packet_is_reported_and_not_decoded() {
    frame_with_a_lost_packet_is_reported_and_not_decoded(VpxCodec::Vp9);
}

fn frame_with_a_lost_packet_is_reported_and_not_decoded(codec: VpxCodec) {
    let config = VpxEncoderConfig {
        codec,
        width: 320,
        height: 240,
        bitrate: 2_000_000,
        ..VpxEncoderConfig::default()
    };
    let mut enc = VpxEncoder::new(config).expect("encoder");
    let mut dec = VpxDecoder::new(codec).expect("decoder");
    let (mut pay, mut depay) = payloader_pair(codec);
    common::lost_middle_packet(&mut enc, &mut dec, pay.as_mut(), depay.as_mut(), &moving_pattern, 64);
}

/// Two spatial layers (160×120 and 320×240) from libvpx's SVC encoder: each superframe splits into two
/// layer frames that travel with their layer indices, the keyframe announces both resolutions, and the
/// reassembled picture (layer frames concatenated) decodes to the full size.
#[test]
fn vp9_spatial_layers_travel_as_layer_frames_and_decode() {
    let config = VpxEncoderConfig {
        codec: VpxCodec::Vp9,
        width: 320,
        height: 240,
        bitrate: 900_000,
        spatial_layers: 2,
        ..VpxEncoderConfig::default()
    };
    let mut enc = VpxEncoder::new(config).expect("SVC encoder");
    let resolutions = enc.layer_resolutions();
    assert_eq!(resolutions, [(160, 120), (320, 240)]);
    let mut pay = Vp9Payloader::scalable(&resolutions).expect("payloader");
    let mut depay = Vp9Depayloader::new();
    let mut dec = VpxDecoder::new(VpxCodec::Vp9).expect("decoder");
    let mut base_only = VpxDecoder::new(VpxCodec::Vp9).expect("decoder");
    let (mut encoded, mut picture, mut base_picture) =
        (EncodedVideo::default(), VideoFrame::default(), VideoFrame::default());
    let mut seq = 0u16;
    for index in 0..10u32 {
        let source = moving_pattern(index);
        assert!(enc.encode(&source, &mut encoded).expect("encode"));
        let sf = Superframe::parse(&encoded.data).expect("superframe");
        assert!(sf.has_index());
        let layers: Vec<Vec<u8>> = sf.frames().iter().map(|f| f.to_vec()).collect();
        assert_eq!(layers.len(), 2, "frame {index}: one frame per spatial layer");
        // the base layer alone decodes at the announced base resolution
        assert!(
            base_only
                .decode(&layers[0], source.timestamp, &mut base_picture)
                .expect("base")
        );
        assert_eq!((base_picture.width, base_picture.height), (160, 120));

        let packets = packetize(&mut pay, &encoded, 600);
        let mut per_layer = [Vec::new(), Vec::new()];
        let mut got = None;
        for (i, (data, marker)) in packets.iter().enumerate() {
            let d = Vp9Descriptor::parse(data).expect("descriptor");
            let sid = d.sid.expect("L bit set") as usize;
            assert_eq!(d.tid, Some(0));
            assert_eq!(d.tl0_pic_idx, Some(index as u8));
            assert_eq!(d.picture_id, Some(index as u16));
            assert_eq!(d.inter_layer_dependent, sid == 1);
            assert_eq!(d.not_upswitch_reference, sid == 1);
            assert_eq!(d.inter_predicted, !encoded.keyframe);
            assert_eq!(
                *marker,
                i == packets.len() - 1,
                "marker only on the picture's last packet"
            );
            if i == 0 && encoded.keyframe {
                assert_eq!(d.ss_spatial_layers, Some(2));
                assert_eq!(d.ss_top_resolution, Some((320, 240)));
            } else {
                assert_eq!(d.ss_spatial_layers, None);
            }
            if d.begins_frame {
                assert!(per_layer[sid].is_empty(), "B on the first packet of a layer frame only");
            }
            per_layer[sid].extend_from_slice(&data[d.len..]);
            if d.ends_frame {
                assert_eq!(per_layer[sid], layers[sid], "layer {sid} reassembles byte-exactly");
            }
            let out = depay
                .push(PayloadPacket {
                    sequence_number: seq,
                    timestamp: source.timestamp,
                    marker: *marker,
                    payload: data,
                })
                .expect("depayload");
            seq = seq.wrapping_add(1);
            if let Some(f) = out.frame {
                assert_eq!(f.data, [&layers[0][..], &layers[1][..]].concat());
                assert_eq!(f.keyframe, encoded.keyframe);
                assert!(dec.decode(f.data, f.timestamp, &mut picture).expect("decode"));
                got = Some(());
            }
        }
        assert!(got.is_some(), "picture {index} not reassembled");
        assert_eq!((picture.width, picture.height), (320, 240));
        let mad = luma_error(&picture, &source);
        assert!(mad < 20, "picture {index}: mean luma error {mad}");
    }
}

#[test]
fn svc_layer_resolutions_match_what_libvpx_encodes() {
    // 3 layers of 324×244: the base layer is a quarter size, and libvpx's rounding decides 81 or 82
    let mut enc = VpxEncoder::new(VpxEncoderConfig {
        codec: VpxCodec::Vp9,
        width: 324,
        height: 244,
        spatial_layers: 3,
        ..VpxEncoderConfig::default()
    })
    .expect("SVC encoder");
    let mut encoded = EncodedVideo::default();
    let mut source = VideoFrame::new(324, 244, 0);
    source.y.iter_mut().enumerate().for_each(|(i, y)| *y = (i % 251) as u8);
    assert!(enc.encode(&source, &mut encoded).expect("encode"));
    let sf = Superframe::parse(&encoded.data).expect("superframe");
    let mut sizes = Vec::new();
    for layer in 0..3 {
        // decoding layers 0..=layer gives that layer's picture
        let mut dec = VpxDecoder::new(VpxCodec::Vp9).expect("decoder");
        let data = sf.frames()[..=layer].concat();
        let mut picture = VideoFrame::default();
        assert!(dec.decode(&data, 0, &mut picture).expect("decode"));
        sizes.push((picture.width as u16, picture.height as u16));
    }
    assert_eq!(enc.layer_resolutions(), sizes);
    // without SVC the one layer is the frame, odd sizes and all
    let single = VpxEncoder::new(VpxEncoderConfig {
        codec: VpxCodec::Vp9,
        width: 321,
        height: 241,
        ..VpxEncoderConfig::default()
    })
    .expect("encoder");
    assert_eq!(single.layer_resolutions(), [(321, 241)]);
    assert!(matches!(
        VpxEncoder::new(VpxEncoderConfig {
            spatial_layers: 2,
            ..VpxEncoderConfig::default()
        }),
        Err(ortc_codecs::CodecError::UnsupportedSpatialLayers(2))
    ));
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
