//! OpenH264 encoder → H.264 payloader → depayloader → OpenH264 decoder on real bitstreams (needs the
//! `h264` feature): byte-exact access units through STAP-A and FU-A, decoded pictures that resemble the
//! source, loss reported as an incomplete frame, IDR on request, bitrate changes, size changes.
#![cfg(feature = "h264")]
#![allow(clippy::cast_precision_loss)] // byte and pixel counts far below 2^52

mod common;

use common::luma_error;
use ortc_codecs::h264::{
    H264Depayloader, H264Payloader, NAL_FU_A, NAL_IDR, NAL_PPS, NAL_SLICE, NAL_SPS, NAL_STAP_A, PacketizationMode,
    annex_b_nals,
};
use ortc_codecs::openh264::{H264Decoder, H264Encoder, H264EncoderConfig};
use ortc_codecs::{
    CodecError, DEFAULT_MAX_PAYLOAD, Depayloader, EncodedVideo, H264Profile, PayloadPacket, ProfileLevelId,
    VideoDecoder, VideoEncoder, VideoFrame,
};

/// A `width`×`height` picture: a diagonal gradient with a fixed noise texture on it (so that bits buy
/// quality), and a bright square that moves with `index`.
fn moving_pattern(width: u32, height: u32, index: u32) -> VideoFrame {
    let mut frame = VideoFrame::new(width, height, index * 3000);
    for y in 0..height {
        for x in 0..width {
            let noise = (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729)).wrapping_mul(2_654_435_761) >> 28;
            let mut luma = ((x + y + index * 4) % 200 + noise * 3) as u8;
            let (sx, sy) = (40 + index * 6, 60 + index * 3);
            if (sx..sx + 48).contains(&x) && (sy..sy + 48).contains(&y) {
                luma = 235;
            }
            frame.y[(y * width + x) as usize] = luma;
        }
    }
    let cw = frame.chroma_width() as usize;
    for (i, u) in frame.u.iter_mut().enumerate() {
        *u = (i % cw) as u8 / 2 + 48;
    }
    frame
}

fn config(width: u32, height: u32, bitrate: u32) -> H264EncoderConfig {
    H264EncoderConfig {
        width,
        height,
        bitrate,
        ..H264EncoderConfig::default()
    }
}

fn nal_types(access_unit: &[u8]) -> Vec<u8> {
    annex_b_nals(access_unit).map(|n| n[0] & 0x1F).collect()
}

/// Checks that an access unit is an IDR led by its parameter sets, and that the SPS says Constrained
/// Baseline.
fn assert_idr_with_parameter_sets(access_unit: &[u8]) {
    let types = nal_types(access_unit);
    assert!(
        types.len() >= 3 && types[..2] == [NAL_SPS, NAL_PPS] && types[2..].iter().all(|&t| t == NAL_IDR),
        "IDR access unit has NAL types {types:?}"
    );
    let sps = annex_b_nals(access_unit).next().expect("SPS");
    let pli = format!("{:02x}{:02x}{:02x}", sps[1], sps[2], sps[3]);
    let parsed = ProfileLevelId::parse(&pli).expect("profile-level-id");
    assert_eq!(parsed.profile, H264Profile::ConstrainedBaseline, "SPS profile {pli}");
}

fn assert_delta(access_unit: &[u8]) {
    let types = nal_types(access_unit);
    assert!(
        !types.is_empty() && types.iter().all(|&t| t == NAL_SLICE),
        "delta access unit has NAL types {types:?}"
    );
}

/// Payloads one access unit in packetization-mode 1; returns the RTP payloads with their markers.
fn packetize(encoded: &EncodedVideo, max_payload: usize) -> Vec<(Vec<u8>, bool)> {
    common::packetize(
        &mut H264Payloader::new(PacketizationMode::NonInterleaved),
        encoded,
        max_payload,
    )
}

/// Encodes 30 frames with an IDR requested at frame 15, sends each through the payloader with
/// `max_payload` and the depayloader into the decoder; returns the first-byte NAL types of all packets.
fn round_trip(max_payload: usize, bitrate: u32) -> Vec<u8> {
    let mut enc = H264Encoder::new(config(320, 240, bitrate)).expect("encoder");
    let mut dec = H264Decoder::new().expect("decoder");
    let mut depay = H264Depayloader::new();
    let (mut encoded, mut picture) = (EncodedVideo::default(), VideoFrame::default());
    let mut seq = 60_000u16;
    let mut keyframes = Vec::new();
    let mut packet_types = Vec::new();
    for index in 0..30u32 {
        if index == 15 {
            enc.request_keyframe();
        }
        let source = moving_pattern(320, 240, index);
        assert!(
            enc.encode(&source, &mut encoded).expect("encode"),
            "frame {index} dropped"
        );
        assert_eq!(encoded.timestamp, source.timestamp);
        if encoded.keyframe {
            assert_idr_with_parameter_sets(&encoded.data);
        } else {
            assert_delta(&encoded.data);
        }
        let packets = packetize(&encoded, max_payload);
        packet_types.extend(packets.iter().map(|(p, _)| p[0] & 0x1F));
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
                assert_eq!(f.data, &encoded.data[..], "frame {index} changed on the way");
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
        let mad = luma_error(&picture, &source);
        assert!(mad < 10, "frame {index}: mean luma error {mad}");
    }
    assert_eq!(keyframes, [0, 15], "keyframes at {keyframes:?}");
    packet_types
}

#[test]
fn h264_frames_survive_payloading_and_decoding() {
    let types = round_trip(DEFAULT_MAX_PAYLOAD, 800_000);
    // SPS + PPS travel aggregated in a STAP-A
    assert!(types.contains(&NAL_STAP_A), "packet types {types:?}");
}

#[test]
fn h264_frames_survive_fu_a_fragmentation() {
    let types = round_trip(300, 1_500_000);
    let fragments: usize = types.iter().map(|&t| usize::from(t == NAL_FU_A)).sum();
    assert!(fragments > 100, "only {fragments} FU-A packets in {types:?}");
}

#[test]
fn h264_access_unit_with_a_lost_packet_is_reported_and_not_decoded() {
    let mut enc = H264Encoder::new(config(320, 240, 2_000_000)).expect("encoder");
    let mut dec = H264Decoder::new().expect("decoder");
    common::lost_middle_packet(
        &mut enc,
        &mut dec,
        &mut H264Payloader::new(PacketizationMode::NonInterleaved),
        &mut H264Depayloader::new(),
        &|index| moving_pattern(320, 240, index),
        200,
    );
}

#[test]
fn h264_request_keyframe_makes_the_next_frame_an_idr() {
    let mut enc = H264Encoder::new(config(320, 240, 500_000)).expect("encoder");
    let mut encoded = EncodedVideo::default();
    let requested = [4, 5, 11];
    let mut keyframes = Vec::new();
    for index in 0..16u32 {
        if requested.contains(&index) {
            enc.request_keyframe();
        }
        assert!(
            enc.encode(&moving_pattern(320, 240, index), &mut encoded)
                .expect("encode")
        );
        let has_idr = nal_types(&encoded.data).contains(&NAL_IDR);
        assert_eq!(has_idr, encoded.keyframe, "frame {index}");
        if encoded.keyframe {
            assert_idr_with_parameter_sets(&encoded.data);
            keyframes.push(index);
        }
    }
    assert_eq!(keyframes, [0, 4, 5, 11]);
}

#[test]
fn h264_keyframe_interval_is_kept() {
    let mut enc = H264Encoder::new(H264EncoderConfig {
        keyframe_interval: 10,
        ..config(160, 128, 300_000)
    })
    .expect("encoder");
    let mut encoded = EncodedVideo::default();
    let mut keyframes = Vec::new();
    for index in 0..25u32 {
        assert!(
            enc.encode(&moving_pattern(160, 128, index), &mut encoded)
                .expect("encode")
        );
        if encoded.keyframe {
            keyframes.push(index);
        }
    }
    assert_eq!(keyframes, [0, 10, 20]);
}

/// Total bytes of frames `from..from + count` of the moving pattern.
fn encode_run(enc: &mut H264Encoder, from: u32, count: u32) -> usize {
    let mut encoded = EncodedVideo::default();
    (from..from + count)
        .map(|index| {
            assert!(
                enc.encode(&moving_pattern(640, 480, index), &mut encoded)
                    .expect("encode")
            );
            assert!(!encoded.keyframe, "frame {index} is an IDR");
            encoded.data.len()
        })
        .sum()
}

#[test]
fn h264_set_bitrate_changes_the_output_size_on_the_fly() {
    let mut enc = H264Encoder::new(config(640, 480, 1_500_000)).expect("encoder");
    let mut encoded = EncodedVideo::default();
    assert!(enc.encode(&moving_pattern(640, 480, 0), &mut encoded).expect("encode"));
    assert!(encoded.keyframe);
    let high = encode_run(&mut enc, 1, 30);
    enc.set_bitrate(150_000).expect("lower bitrate");
    assert_eq!(enc.config().bitrate, 150_000);
    // rate control settles within a few frames: measure after them
    encode_run(&mut enc, 31, 5);
    let low = encode_run(&mut enc, 36, 30);
    enc.set_bitrate(1_500_000).expect("raise bitrate");
    encode_run(&mut enc, 66, 5);
    let high_again = encode_run(&mut enc, 71, 30);
    // 30 frames at 30 fps are one second: near the target bitrates
    let kbit = |bytes: usize| bytes * 8 / 1000;
    let (high, low, high_again) = (kbit(high), kbit(low), kbit(high_again));
    assert!(low * 4 < high, "1.5 Mbit/s: {high} kbit, then 150 kbit/s: {low} kbit");
    assert!(low < 300, "150 kbit/s target, {low} kbit sent in one second");
    assert!(
        high_again > low * 4,
        "150 kbit/s: {low} kbit, back at 1.5 Mbit/s: {high_again} kbit"
    );
}

#[test]
fn h264_set_bitrate_before_the_first_frame_and_bad_bitrates() {
    let mut enc = H264Encoder::new(config(320, 240, 2_000_000)).expect("encoder");
    enc.set_bitrate(100_000).expect("bitrate");
    assert_eq!(enc.config().bitrate, 100_000);
    let mut encoded = EncodedVideo::default();
    let mut total = 0;
    for index in 0..30u32 {
        assert!(
            enc.encode(&moving_pattern(320, 240, index), &mut encoded)
                .expect("encode")
        );
        total += encoded.data.len();
    }
    assert!(total * 8 < 250_000, "100 kbit/s target, {total} bytes in one second");
    assert_eq!(enc.set_bitrate(999), Err(CodecError::UnsupportedBitrate(999)));
    assert_eq!(enc.set_bitrate(u32::MAX), Err(CodecError::UnsupportedBitrate(u32::MAX)));
    assert_eq!(enc.config().bitrate, 100_000);
    assert!(matches!(
        H264Encoder::new(config(320, 240, 10)),
        Err(CodecError::UnsupportedBitrate(10))
    ));
}

#[test]
fn h264_encoder_follows_a_resolution_change() {
    let mut enc = H264Encoder::new(config(320, 240, 600_000)).expect("encoder");
    let mut dec = H264Decoder::new().expect("decoder");
    let (mut encoded, mut picture) = (EncodedVideo::default(), VideoFrame::default());
    for index in 0..3u32 {
        assert!(
            enc.encode(&moving_pattern(320, 240, index), &mut encoded)
                .expect("encode")
        );
        assert!(dec.decode(&encoded.data, index, &mut picture).expect("decode"));
    }
    enc.set_bitrate(400_000).expect("bitrate");
    for index in 3..6u32 {
        let source = moving_pattern(176, 144, index);
        assert!(enc.encode(&source, &mut encoded).expect("encode"));
        assert_eq!(encoded.keyframe, index == 3, "frame {index}");
        if index == 3 {
            assert_idr_with_parameter_sets(&encoded.data);
        }
        assert!(dec.decode(&encoded.data, index, &mut picture).expect("decode"));
        assert_eq!((picture.width, picture.height, picture.u.len()), (176, 144, 88 * 72));
        let mad = luma_error(&picture, &source);
        assert!(mad < 10, "frame {index}: mean luma error {mad}");
    }
    // the new encoder kept the bitrate set before the change
    assert_eq!(enc.config(), config(176, 144, 400_000));
}

#[test]
fn h264_rejects_bad_frames_and_bad_bitstreams() {
    let mut enc = H264Encoder::new(config(320, 240, 600_000)).expect("encoder");
    let mut encoded = EncodedVideo::default();
    for (w, h) in [(161, 96), (160, 97), (8, 64), (4000, 64)] {
        assert_eq!(
            enc.encode(&VideoFrame::new(w, h, 0), &mut encoded),
            Err(CodecError::BadDimensions { width: w, height: h })
        );
    }
    assert!(matches!(
        H264Encoder::new(config(0, 240, 600_000)),
        Err(CodecError::BadDimensions { .. })
    ));
    let mut short = VideoFrame::new(64, 64, 0);
    short.v.truncate(10);
    assert_eq!(
        enc.encode(&short, &mut encoded),
        Err(CodecError::PlaneTooSmall {
            plane: "V",
            needed: 32 * 32,
            got: 10
        })
    );
    // still usable after the errors
    assert!(enc.encode(&moving_pattern(320, 240, 0), &mut encoded).expect("encode"));
    assert!(encoded.keyframe);

    let mut dec = H264Decoder::new().expect("decoder");
    let mut picture = VideoFrame::default();
    assert_eq!(dec.decode(&[], 0, &mut picture), Err(CodecError::EmptyFrame));
    // a delta frame without its reference, then garbage
    let mut delta = EncodedVideo::default();
    assert!(enc.encode(&moving_pattern(320, 240, 1), &mut delta).expect("encode"));
    assert!(!delta.keyframe);
    assert!(matches!(
        dec.decode(&delta.data, 3000, &mut picture),
        Err(CodecError::OpenH264 { .. })
    ));
    assert!(matches!(
        dec.decode(&[0, 0, 0, 1, 0x65, 0xff, 0xff, 0xff], 0, &mut picture),
        Err(CodecError::OpenH264 { .. })
    ));
    // and it recovers on an IDR
    assert!(dec.decode(&encoded.data, 0, &mut picture).expect("decode"));
    assert_eq!((picture.width, picture.height), (320, 240));
}
