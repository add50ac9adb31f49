//! G.711 and G.722 through the `AudioEncoder` / `AudioDecoder` traits: 48 kHz stereo frames in, RTP
//! payloads on the codecs' 8 kHz clocks, 48 kHz stereo frames out; concealment; errors.
#![allow(clippy::unwrap_used, clippy::cast_precision_loss)]

use ortc_codecs::g711::{G711Decoder, G711Depayloader, G711Encoder, G711Law, G711Payloader};
use ortc_codecs::g722::{G722Decoder, G722Encoder};
use ortc_codecs::{
    AudioDecoder, AudioEncoder, AudioFrame, CodecError, DEFAULT_MAX_PAYLOAD, Depayloader, PayloadPacket, Payloader,
    Payloads,
};

const RATE: u32 = 48_000;
const FRAME: usize = 960; // 20 ms at 48 kHz

/// The `index`-th 20 ms stereo frame of a tone at `freq` Hz, `amplitude` peak.
fn stereo_tone(freq: f64, amplitude: f64, index: usize) -> AudioFrame {
    let samples = (0..FRAME)
        .flat_map(|i| {
            let t = (index * FRAME + i) as f64 / f64::from(RATE);
            let s = (amplitude * (2.0 * std::f64::consts::PI * freq * t).sin()) as i16;
            [s, s]
        })
        .collect();
    AudioFrame::new(samples, RATE, 2)
}

/// Amplitude of the `freq` component of `x` (Hann-windowed) and the RMS of the rest, at 48 kHz.
fn tone_and_residue(x: &[f64], freq: f64) -> (f64, f64) {
    let n = x.len() as f64;
    let (mut re, mut im, mut wsum) = (0.0, 0.0, 0.0);
    for (i, &v) in x.iter().enumerate() {
        let hann = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / n).cos();
        let w = 2.0 * std::f64::consts::PI * freq * i as f64 / f64::from(RATE);
        re += hann * v * w.cos();
        im += hann * v * w.sin();
        wsum += hann;
    }
    let amplitude = 2.0 * (re * re + im * im).sqrt() / wsum;
    let power = x.iter().map(|v| v * v).sum::<f64>() / n;
    let residue = (power - amplitude * amplitude / 2.0).max(0.0).sqrt();
    (amplitude, residue)
}

/// Encodes 50 frames of a 1 kHz tone, sends each through payloader and depayloader, decodes; checks packet
/// sizes and RTP timestamps, and returns the decoded left channel after the first 10 frames.
fn run(encoder: &mut dyn AudioEncoder, decoder: &mut dyn AudioDecoder, bytes_per_packet: usize) -> Vec<f64> {
    let (mut packet, mut payloads, mut pcm) = (Vec::new(), Payloads::new(), AudioFrame::default());
    let mut payloader = G711Payloader::default();
    let mut depayloader = G711Depayloader::new();
    let mut left = Vec::new();
    for index in 0..50 {
        encoder
            .encode(&stereo_tone(1000.0, 10_000.0, index), &mut packet)
            .unwrap();
        assert_eq!(packet.len(), bytes_per_packet);
        payloader.payload(&packet, DEFAULT_MAX_PAYLOAD, &mut payloads).unwrap();
        assert_eq!(payloads.len(), 1);
        let p = payloads.iter().next().unwrap();
        let timestamp = index as u32 * 160; // both codecs run an 8 kHz RTP clock
        let frame = depayloader
            .push(PayloadPacket {
                sequence_number: index as u16,
                timestamp,
                marker: p.marker,
                payload: p.data,
            })
            .unwrap()
            .frame
            .unwrap();
        assert_eq!(frame.timestamp, timestamp);
        decoder.decode(frame.data, &mut pcm).unwrap();
        assert_eq!((pcm.sample_rate, pcm.channels, pcm.samples.len()), (RATE, 2, FRAME * 2));
        assert!(
            pcm.samples.chunks_exact(2).all(|lr| lr[0] == lr[1]),
            "mono copied to both channels"
        );
        if index >= 10 {
            left.extend(pcm.samples.iter().step_by(2).map(|&s| f64::from(s)));
        }
    }
    left
}

#[test]
fn g711_both_laws_carry_a_tone_at_48_khz_stereo() {
    for law in [G711Law::Ulaw, G711Law::Alaw] {
        let mut enc = G711Encoder::with_input(law, RATE, 2).unwrap();
        assert_eq!((enc.sample_rate(), enc.channels()), (RATE, 2));
        let mut dec = G711Decoder::with_output(law, RATE, 2).unwrap();
        let left = run(&mut enc, &mut dec, 160);
        let (amplitude, residue) = tone_and_residue(&left, 1000.0);
        assert!(
            (amplitude - 10_000.0).abs() < 500.0,
            "{law:?}: 1 kHz amplitude {amplitude:.0}"
        );
        // G.711 quantization noise is ~45 dB below a signal of this level
        assert!(residue < amplitude * 0.01, "{law:?}: residue {residue:.0}");
    }
}

#[test]
fn g722_carries_a_tone_at_48_khz_stereo() {
    let mut enc = G722Encoder::with_input(RATE, 2).unwrap();
    let mut dec = G722Decoder::with_output(RATE, 2).unwrap();
    let left = run(&mut enc, &mut dec, 160);
    let (amplitude, residue) = tone_and_residue(&left, 1000.0);
    assert!((amplitude - 10_000.0).abs() < 600.0, "1 kHz amplitude {amplitude:.0}");
    assert!(residue < amplitude * 0.02, "residue {residue:.0}");
}

#[test]
fn native_rate_frames_code_exactly_like_the_sample_coders() {
    // 8 kHz mono through the trait is exactly the table coder (checked against G.711's definition)
    let samples: Vec<i16> = (0..160).map(|i| (i * 409 - 32_000) as i16).collect();
    let mut packet = Vec::new();
    G711Encoder::new(G711Law::Alaw)
        .encode(&AudioFrame::new(samples.clone(), 8000, 1), &mut packet)
        .unwrap();
    let expected: Vec<u8> = samples.iter().map(|&s| G711Law::Alaw.encode_sample(s)).collect();
    assert_eq!(packet, expected);

    // 16 kHz mono through the trait is exactly the G.722 coder (checked against reference vectors)
    let pcm: Vec<i16> = (0..640).map(|i| ((f64::from(i) * 0.3).sin() * 9000.0) as i16).collect();
    let mut direct = Vec::new();
    G722Encoder::new().encode_pcm(&pcm, &mut direct);
    let mut enc = G722Encoder::new();
    let mut through = Vec::new();
    for chunk in pcm.chunks(320) {
        enc.encode(&AudioFrame::new(chunk.to_vec(), 16_000, 1), &mut packet)
            .unwrap();
        through.extend_from_slice(&packet);
    }
    assert_eq!(through, direct);
}

#[test]
fn lost_packets_fade_out_then_silence() {
    let mut decoders: Vec<Box<dyn AudioDecoder>> = vec![
        Box::new(G711Decoder::with_output(G711Law::Ulaw, RATE, 2).unwrap()),
        Box::new(G722Decoder::with_output(RATE, 2).unwrap()),
    ];
    let packet = vec![0x5A; 160];
    for dec in &mut decoders {
        let mut frame = AudioFrame::default();
        // before any packet: 20 ms of silence in the output format
        dec.conceal(&mut frame).unwrap();
        assert_eq!(
            (frame.sample_rate, frame.channels, frame.samples.len()),
            (RATE, 2, FRAME * 2)
        );
        assert!(frame.samples.iter().all(|&s| s == 0));

        for _ in 0..3 {
            dec.decode(&packet, &mut frame).unwrap();
        }
        let energy = |f: &AudioFrame| f.samples.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>();
        let mut last = energy(&frame);
        assert!(last > 0.0);
        for lost in 1..=4 {
            dec.conceal(&mut frame).unwrap();
            assert_eq!(frame.samples.len(), FRAME * 2);
            let e = energy(&frame);
            assert!(e < last, "concealed frame {lost} is not quieter");
            last = e;
        }
        // the fifth holds only the resampler's tail of the fourth's last, near-silent samples
        dec.conceal(&mut frame).unwrap();
        let loudest = frame.samples.iter().map(|s| s.unsigned_abs()).max().unwrap();
        assert!(loudest < 300, "fifth concealed frame peaks at {loudest}");
        dec.conceal(&mut frame).unwrap();
        assert!(
            frame.samples.iter().all(|&s| s == 0),
            "silence from the sixth lost frame"
        );
        // a good packet ends concealment
        dec.decode(&packet, &mut frame).unwrap();
        assert!(energy(&frame) > 0.0);
    }
}

#[test]
fn audio_from_before_a_loss_does_not_come_back_after_it() {
    // a loud tone, a loss long enough to fade to silence, then silence: nothing of the tone may be heard
    // again (the 48 kHz resampler must have run on through the concealed frames)
    let mut enc = G711Encoder::new(G711Law::Ulaw);
    let mut dec = G711Decoder::with_output(G711Law::Ulaw, RATE, 2).unwrap();
    let (mut packet, mut frame) = (Vec::new(), AudioFrame::default());
    let tone: Vec<i16> = (0..160).map(|i| if i % 8 < 4 { 20_000 } else { -20_000 }).collect();
    enc.encode(&AudioFrame::new(tone, 8000, 1), &mut packet).unwrap();
    dec.decode(&packet, &mut frame).unwrap();
    for _ in 0..6 {
        dec.conceal(&mut frame).unwrap();
    }
    assert!(frame.samples.iter().all(|&s| s == 0));
    enc.encode(&AudioFrame::new(vec![0; 160], 8000, 1), &mut packet)
        .unwrap();
    dec.decode(&packet, &mut frame).unwrap();
    let loudest = frame.samples.iter().map(|s| s.unsigned_abs()).max().unwrap();
    assert!(loudest < 100, "{loudest} after silence");
}

#[test]
fn bad_input_gives_clear_errors() {
    let mut enc = G711Encoder::with_input(G711Law::Ulaw, RATE, 2).unwrap();
    let mut out = Vec::new();
    assert!(matches!(
        enc.encode(&AudioFrame::new(vec![0; 160], 8000, 1), &mut out),
        Err(CodecError::AudioFormatMismatch {
            expected_rate: RATE,
            expected_channels: 2,
            rate: 8000,
            channels: 1
        })
    ));
    assert!(matches!(
        enc.encode(&AudioFrame::new(vec![0; 1919], RATE, 2), &mut out),
        Err(CodecError::BadSampleCount { .. })
    ));
    assert!(matches!(
        enc.encode(&AudioFrame::new(Vec::new(), RATE, 2), &mut out),
        Err(CodecError::EmptyFrame)
    ));
    assert!(enc.set_bitrate(64_000).is_ok());
    assert!(matches!(
        enc.set_bitrate(32_000),
        Err(CodecError::UnsupportedBitrate(32_000))
    ));
    assert!(matches!(
        G722Encoder::new().set_bitrate(48_000),
        Err(CodecError::UnsupportedBitrate(48_000))
    ));
    assert!(matches!(
        G711Encoder::with_input(G711Law::Ulaw, RATE, 3),
        Err(CodecError::UnsupportedChannels(3))
    ));
    assert!(matches!(
        G722Decoder::with_output(0, 1),
        Err(CodecError::UnsupportedSampleRate(0))
    ));
    let mut frame = AudioFrame::default();
    assert!(matches!(
        G711Decoder::new(G711Law::Alaw).decode(&[], &mut frame),
        Err(CodecError::EmptyPayload)
    ));
}
