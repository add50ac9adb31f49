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
    G722Encoder::new().encode(&pcm, &mut bytes);
    assert_eq!(bytes.len(), expected.len());
    let first_diff = bytes.iter().zip(expected.iter()).position(|(a, b)| a != b);
    assert_eq!(first_diff, None, "bitstreams differ");
}

#[test]
fn decoder_matches_reference_output() {
    let expected = samples(include_bytes!("data/g722_dec.bin"));
    let mut out = Vec::new();
    G722Decoder::new().decode(include_bytes!("data/g722_enc.bin"), &mut out);
    assert_eq!(out.len(), expected.len());
    let first_diff = out.iter().zip(expected.iter()).position(|(a, b)| a != b);
    assert_eq!(first_diff, None, "decoded samples differ");
}

#[test]
fn all_zero_input_starts_with_0xfa() {
    // From reset, silence codes as 0xFA (lower band code 58, upper band code 3) while the scale factors
    // settle, before the predictors' small limit cycles show.
    let mut bytes = Vec::new();
    G722Encoder::new().encode(&[0; 400], &mut bytes);
    assert!(bytes[..44].iter().all(|&b| b == 0xFA), "{bytes:02x?}");
}
