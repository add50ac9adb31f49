//! G.722 against reference vectors: a 4000-sample chirp with noise, its 64 kbit/s bitstream and the
//! decoded output, as produced by the widely deployed spandsp implementation of ITU-T G.722 (16-bit
//! linear PCM in and out, no 14-bit test mode). Also the standard's behaviour on all-zero input.

use ortc_codecs::g722::{G722Decoder, G722Encoder};

fn samples(bytes: &[u8]) -> Vec<i16> {
    bytes
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect()
}

#[test]
fn encoder_matches_reference_bitstream() {
    let pcm = samples(include_bytes!("data/g722_pcm.bin"));
    let expected = include_bytes!("data/g722_enc.bin");
    let mut bytes = Vec::new();
    G722Encoder::new().encode_pcm(&pcm, &mut bytes);
    assert_eq!(bytes.len(), expected.len());
    let first_diff = bytes.iter().zip(expected.iter()).position(|(a, b)| a != b);
    assert_eq!(first_diff, None, "bitstreams differ");
}

#[test]
fn decoder_matches_reference_output() {
    let expected = samples(include_bytes!("data/g722_dec.bin"));
    let mut out = Vec::new();
    G722Decoder::new().decode_pcm(include_bytes!("data/g722_enc.bin"), &mut out);
    assert_eq!(out.len(), expected.len());
    let first_diff = out.iter().zip(expected.iter()).position(|(a, b)| a != b);
    assert_eq!(first_diff, None, "decoded samples differ");
}

#[test]
fn all_zero_input_starts_with_0xfa() {
    // From reset, silence codes as 0xFA (lower band code 58, upper band code 3) while the scale factors
    // settle, before the predictors' small limit cycles show.
    let mut bytes = Vec::new();
    G722Encoder::new().encode_pcm(&[0; 400], &mut bytes);
    assert!(bytes[..44].iter().all(|&b| b == 0xFA), "{bytes:02x?}");
}

/// 20 ms of a 16 kHz tone → G.722 → RTP payloads → depayloader → decoder: one 160-byte packet per 20 ms, RTP
/// timestamps advancing by 160 (8 kHz clock), 320 decoded samples per packet.
#[test]
fn g722_over_rtp() {
    use ortc_codecs::{DEFAULT_MAX_PAYLOAD, PayloadPacket, Payloads, depayloader_for};

    let mut enc = G722Encoder::new();
    let mut dec = G722Decoder::new();
    let mut payloader =
        ortc_codecs::payloader_for("audio/G722", ortc_codecs::h264::PacketizationMode::default()).expect("payloader");
    let mut depay = depayloader_for("audio/G722").expect("depayloader");
    let (mut bytes, mut payloads, mut pcm) = (Vec::new(), Payloads::new(), Vec::new());
    for frame in 0..10u32 {
        let input: Vec<i16> = (0..320u32)
            .map(|i| {
                let t = f64::from(frame * 320 + i) / 16_000.0;
                (8000.0 * (2.0 * std::f64::consts::PI * 1000.0 * t).sin()) as i16
            })
            .collect();
        bytes.clear();
        enc.encode_pcm(&input, &mut bytes);
        assert_eq!(bytes.len(), 160);
        payloader
            .payload(&bytes, DEFAULT_MAX_PAYLOAD, &mut payloads)
            .expect("payload");
        assert_eq!(payloads.len(), 1);
        let p = payloads.iter().next().expect("one packet");
        assert_eq!(p.timestamp_offset, 0);
        let out = depay
            .push(PayloadPacket {
                sequence_number: frame as u16,
                timestamp: frame * 160,
                marker: p.marker,
                payload: p.data,
            })
            .expect("depayload");
        let f = out.frame.expect("every packet is a frame");
        assert_eq!(f.timestamp, frame * 160);
        pcm.clear();
        dec.decode_pcm(f.data, &mut pcm);
        assert_eq!(pcm.len(), 320);
    }
    // The decoded tone is loud, not silence.
    let rms = (pcm.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / 320.0).sqrt();
    assert!(rms > 3000.0, "rms {rms:.0}");
}
