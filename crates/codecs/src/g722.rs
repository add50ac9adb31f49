//! G.722 (ITU-T G.722): 7 kHz wideband audio by sub-band ADPCM, in pure Rust, 64 kbit/s mode.
//!
//! 16 kHz linear PCM is split by a 24-tap quadrature mirror filter (QMF) into two 8 kHz sub-bands; the
//! lower band is coded with 6-bit adaptive differential PCM, the upper band with 2 bits, so each pair of
//! input samples becomes one byte (upper-band code in the top two bits). The decoder mirrors the adaptive
//! quantizers and predictors and recombines the bands with the synthesis QMF.
//!
//! Over RTP (RFC 3551 §4.5.2) G.722 uses an 8000 Hz clock although it samples at 16 kHz — a historical
//! error kept for compatibility — so the RTP timestamp advances by one per byte, exactly as for G.711:
//! [`G722_CLOCK_RATE`] and [`G722_SAMPLE_RATE`] differ.
//!
//! Samples are 16-bit; the QMF scales them to the 15-bit sub-band range the ADPCM stages expect. The
//! codec delay (QMF analysis plus synthesis) is [`G722_DELAY_SAMPLES`] samples at 16 kHz.
//!
//! ```
//! use ortc_codecs::g722::{G722Decoder, G722Encoder};
//!
//! let pcm: Vec<i16> = (0..320).map(|i| ((i as f32 * 0.39).sin() * 8000.0) as i16).collect();
//! let mut bytes = Vec::new();
//! G722Encoder::new().encode_pcm(&pcm, &mut bytes);
//! assert_eq!(bytes.len(), 160); // 20 ms: one byte per two samples
//! let mut out = Vec::new();
//! G722Decoder::new().decode_pcm(&bytes, &mut out);
//! assert_eq!(out.len(), 320);
//! ```

/// G.722 RTP clock rate (RFC 3551: 8000 Hz, although the audio is sampled at 16 kHz).
pub const G722_CLOCK_RATE: u32 = 8000;
/// G.722 audio sample rate.
pub const G722_SAMPLE_RATE: u32 = 16_000;
/// Samples (at 16 kHz) in 20 ms: 320, coded in 160 bytes.
pub const G722_SAMPLES_PER_20MS: usize = 320;
/// The bitrate of the mode this crate implements.
pub const G722_BITRATE: u32 = 64_000;
/// Delay through encoder and decoder, in 16 kHz samples (the analysis and synthesis QMFs, 24 taps each).
pub const G722_DELAY_SAMPLES: usize = 22;

use crate::CodecError;
use crate::media::{AudioDecoder, AudioEncoder, AudioFrame};
use crate::pcm::{Concealer, FromCodec, ToCodec};

/// QMF coefficients h0..h11 (the 24-tap filter is symmetric: h(23-i) = h(i)).
const QMF: [i32; 12] = [3, -11, 12, 32, -210, 951, 3876, -805, 362, -156, 53, -11];

/// Lower-band quantizer decision levels (×det/4096), 6-bit mode.
const Q6: [i32; 32] = [
    0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714, 786, 858, 940, 1023, 1121, 1219, 1339,
    1458, 1612, 1765, 1980, 2195, 2557, 2919, 0, 0,
];
/// Lower-band codes for a negative difference, by decision interval.
const ILN: [u8; 32] = [
    0, 63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5,
    4, 0,
];
/// Lower-band codes for a positive difference, by decision interval.
const ILP: [u8; 32] = [
    0, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34,
    33, 32, 0,
];
/// Lower-band inverse quantizer, 4-bit (the predictor's feedback uses the top 4 bits of the code).
const QM4: [i32; 16] = [
    0, -20456, -12896, -8968, -6288, -4240, -2584, -1200, 20456, 12896, 8968, 6288, 4240, 2584, 1200, 0,
];
/// Lower-band inverse quantizer, 6-bit (the decoder's output path in 64 kbit/s mode).
const QM6: [i32; 64] = [
    -136, -136, -136, -136, -24808, -21904, -19008, -16704, -14984, -13512, -12280, -11192, -10232, -9360, -8576,
    -7856, -7192, -6576, -6000, -5456, -4944, -4464, -4008, -3576, -3168, -2776, -2400, -2032, -1688, -1360, -1040,
    -728, 24808, 21904, 19008, 16704, 14984, 13512, 12280, 11192, 10232, 9360, 8576, 7856, 7192, 6576, 6000, 5456,
    4944, 4464, 4008, 3576, 3168, 2776, 2400, 2032, 1688, 1360, 1040, 728, 432, 136, -432, -136,
];
/// 4-bit lower-band code to the magnitude index of the log scale-factor table.
const RL42: [usize; 16] = [0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0];
/// Lower-band log scale-factor increments.
const WL: [i32; 8] = [-60, -30, 58, 172, 334, 538, 1198, 3042];
/// Inverse log base-2 table for the scale factors (2^(i/32) in Q11).
const ILB: [i32; 32] = [
    2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834, 2896, 2960, 3025,
    3091, 3158, 3228, 3298, 3371, 3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008,
];
/// Upper-band inverse quantizer, 2-bit.
const QM2: [i32; 4] = [-7408, -1616, 7408, 1616];
/// Upper-band code to the index of its log scale-factor increment.
const RH2: [usize; 4] = [2, 1, 2, 1];
/// Upper-band log scale-factor increments.
const WH: [i32; 3] = [0, -214, 798];
/// Upper-band codes for a negative / positive difference, by decision interval (1 inner, 2 outer).
const IHN: [u8; 3] = [0, 1, 0];
const IHP: [u8; 3] = [0, 3, 2];

fn sat16(v: i32) -> i32 {
    v.clamp(i32::from(i16::MIN), i32::from(i16::MAX))
}

/// The adaptive state of one sub-band: scale factor and the pole-zero predictor (blocks 3 and 4 of the
/// standard), identical in encoder and decoder.
#[derive(Debug, Clone, Copy, Default)]
struct Band {
    /// Predicted signal value.
    s: i32,
    /// Pole section output.
    sp: i32,
    /// Zero section output.
    sz: i32,
    /// Reconstructed signal, current and two past.
    r: [i32; 3],
    /// Pole coefficients (a[1], a[2]; a[0] unused).
    a: [i32; 3],
    /// Zero coefficients b[1..=6].
    b: [i32; 7],
    /// Partially reconstructed signal, current and two past.
    p: [i32; 3],
    /// Quantized difference signal, current and six past.
    d: [i32; 7],
    /// Log scale factor.
    nb: i32,
    /// Scale factor (quantizer step).
    det: i32,
}

impl Band {
    fn new(det: i32) -> Self {
        Self { det, ..Self::default() }
    }

    /// Logarithmic scale-factor update and conversion to the linear domain (LOGSCL/SCALEL, LOGSCH/SCALEH).
    fn adapt_scale(&mut self, increment: i32, nb_max: i32, shift_base: i32) {
        self.nb = ((self.nb * 127) >> 7) + increment;
        self.nb = self.nb.clamp(0, nb_max);
        // invariant: nb is clamped non-negative, and the mask keeps 0..=31
        let frac = ILB[((self.nb >> 6) & 31).unsigned_abs() as usize];
        let shift = shift_base - (self.nb >> 11);
        let lin = if shift < 0 { frac << -shift } else { frac >> shift };
        self.det = lin << 2;
    }

    /// Block 4: reconstruct, adapt the pole and zero predictor coefficients, and predict the next value.
    fn update(&mut self, d: i32) {
        // RECONS, PARREC
        self.d[0] = d;
        self.r[0] = sat16(self.s + d);
        self.p[0] = sat16(self.sz + d);

        // UPPOL2: second pole coefficient
        let sg = |v: i32| v >> 15; // sign: 0 or -1
        let wd1 = sat16(self.a[1] << 2);
        let wd2 = if sg(self.p[0]) == sg(self.p[1]) { -wd1 } else { wd1 }.min(32767);
        let mut a2 = (wd2 >> 7) + if sg(self.p[0]) == sg(self.p[2]) { 128 } else { -128 };
        a2 += (self.a[2] * 32512) >> 15;
        let a2 = a2.clamp(-12288, 12288);

        // UPPOL1: first pole coefficient, bounded by the stability limit 15360 - |a2|
        let wd1 = if sg(self.p[0]) == sg(self.p[1]) { 192 } else { -192 };
        let limit = sat16(15360 - a2);
        let a1 = sat16(wd1 + ((self.a[1] * 32640) >> 15)).clamp(-limit, limit);

        // UPZERO: zero coefficients, sign-sign adaptation with leakage
        let step = if d == 0 { 0 } else { 128 };
        let mut bp = [0i32; 7];
        for ((bp, &b), &old_d) in bp.iter_mut().zip(&self.b).zip(&self.d).skip(1) {
            let wd2 = if sg(old_d) == sg(d) { step } else { -step };
            *bp = sat16(wd2 + ((b * 32640) >> 15));
        }

        // DELAYA
        for i in (1..7).rev() {
            self.d[i] = self.d[i - 1];
        }
        self.b = bp;
        self.r[2] = self.r[1];
        self.r[1] = self.r[0];
        self.p[2] = self.p[1];
        self.p[1] = self.p[0];
        self.a[1] = a1;
        self.a[2] = a2;

        // FILTEP, FILTEZ, PREDIC
        let pole = |a: i32, r: i32| (a * sat16(r + r)) >> 15;
        self.sp = sat16(pole(self.a[1], self.r[1]) + pole(self.a[2], self.r[2]));
        let mut sz = 0;
        for i in 1..7 {
            sz += (self.b[i] * sat16(self.d[i] + self.d[i])) >> 15;
        }
        self.sz = sat16(sz);
        self.s = sat16(self.sp + self.sz);
    }

    /// Lower-band inverse quantization of the 4-bit feedback code and scale adaptation (INVQAL, LOGSCL,
    /// SCALEL), then the predictor update; shared by encoder and decoder.
    fn adapt_low(&mut self, code4: usize) {
        let dlow = (self.det * QM4[code4]) >> 15;
        self.adapt_scale(WL[RL42[code4]], 18432, 8);
        self.update(dlow);
    }

    /// Upper-band inverse quantization and adaptation (INVQAH, LOGSCH, SCALEH), then the predictor
    /// update; returns the quantized difference.
    fn adapt_high(&mut self, code: usize) -> i32 {
        let dhigh = (self.det * QM2[code]) >> 15;
        self.adapt_scale(WH[RH2[code]], 22528, 10);
        self.update(dhigh);
        dhigh
    }
}

/// G.722 encoder, 64 kbit/s: 16 kHz 16-bit samples in, one byte per two samples out.
///
/// Stateful across calls: feed a stream in consecutive chunks (20 ms = [`G722_SAMPLES_PER_20MS`]), either as
/// raw 16 kHz mono samples ([`encode_pcm`](Self::encode_pcm)) or as [`AudioFrame`]s through [`AudioEncoder`],
/// which down-mixes stereo and resamples frames of another rate (see [`with_input`](Self::with_input)).
#[derive(Debug, Clone)]
pub struct G722Encoder {
    state: EncoderState,
    /// Frame format taken by [`AudioEncoder::encode`].
    input: ToCodec,
}

/// The coder proper: QMF analysis and the two ADPCM bands.
#[derive(Debug, Clone)]
struct EncoderState {
    /// QMF delay line, oldest first.
    x: [i32; 24],
    low: Band,
    high: Band,
    /// An odd sample left from the previous call.
    pending: Option<i16>,
}

impl Default for G722Encoder {
    fn default() -> Self {
        Self::new()
    }
}

impl G722Encoder {
    /// An encoder in the reset state of the standard, taking 16 kHz mono frames.
    pub fn new() -> Self {
        Self {
            state: EncoderState {
                x: [0; 24],
                low: Band::new(32),
                high: Band::new(8),
                pending: None,
            },
            input: ToCodec::native(G722_SAMPLE_RATE),
        }
    }

    /// An encoder taking [`AudioFrame`]s of `sample_rate` Hz × `channels` (1 or 2).
    pub fn with_input(sample_rate: u32, channels: u16) -> Result<Self, CodecError> {
        Ok(Self {
            input: ToCodec::new(sample_rate, channels, G722_SAMPLE_RATE)?,
            ..Self::new()
        })
    }

    /// Encodes `pcm` (16 kHz mono), appending one byte per two samples to `out`. An odd final sample is
    /// kept and coded with the first sample of the next call.
    pub fn encode_pcm(&mut self, pcm: &[i16], out: &mut Vec<u8>) {
        self.state.encode_pcm(pcm, out);
    }

    /// Codes two consecutive samples as one byte.
    pub fn encode_pair(&mut self, s0: i16, s1: i16) -> u8 {
        self.state.encode_pair(s0, s1)
    }
}

impl EncoderState {
    /// Encodes `pcm` (16 kHz mono), appending one byte per two samples to `out`. An odd final sample is
    /// kept and coded with the first sample of the next call.
    fn encode_pcm(&mut self, pcm: &[i16], out: &mut Vec<u8>) {
        out.reserve(pcm.len().div_ceil(2));
        let mut rest = pcm;
        if let Some(first) = self.pending.take() {
            let Some((&second, tail)) = rest.split_first() else {
                self.pending = Some(first);
                return;
            };
            out.push(self.encode_pair(first, second));
            rest = tail;
        }
        let mut pairs = rest.chunks_exact(2);
        for pair in &mut pairs {
            out.push(self.encode_pair(pair[0], pair[1]));
        }
        if let [last] = pairs.remainder() {
            self.pending = Some(*last);
        }
    }

    /// Codes two consecutive samples as one byte.
    fn encode_pair(&mut self, s0: i16, s1: i16) -> u8 {
        // QMF analysis: two new samples in, one low and one high sub-band sample out.
        self.x.copy_within(2.., 0);
        self.x[22] = i32::from(s0);
        self.x[23] = i32::from(s1);
        let (mut sum_odd, mut sum_even) = (0i32, 0i32);
        for (i, &h) in QMF.iter().enumerate() {
            sum_odd += self.x[2 * i] * h;
            sum_even += self.x[2 * i + 1] * QMF[11 - i];
        }
        let xlow = (sum_even + sum_odd) >> 14;
        let xhigh = (sum_even - sum_odd) >> 14;

        // Lower band: SUBTRA, QUANTL (6-bit)
        let el = sat16(xlow - self.low.s);
        let mag = if el >= 0 { el } else { -(el + 1) };
        let mut i = 1;
        while i < 30 && mag >= (Q6[i] * self.low.det) >> 12 {
            i += 1;
        }
        let ilow = if el < 0 { ILN[i] } else { ILP[i] };
        self.low.adapt_low(usize::from(ilow >> 2));

        // Upper band: SUBTRA, QUANTH (2-bit)
        let eh = sat16(xhigh - self.high.s);
        let mag = if eh >= 0 { eh } else { -(eh + 1) };
        let interval = if mag >= (564 * self.high.det) >> 12 { 2 } else { 1 };
        let ihigh = if eh < 0 { IHN[interval] } else { IHP[interval] };
        self.high.adapt_high(usize::from(ihigh));

        (ihigh << 6) | ilow
    }
}

/// G.722 decoder, 64 kbit/s: one byte in, two 16 kHz 16-bit samples out.
///
/// Through [`AudioDecoder`] it gives [`AudioFrame`]s of 16 kHz mono, or of another rate and channel count
/// (see [`with_output`](Self::with_output)), and conceals lost packets by repeating the last frame with a
/// falling gain, down to silence after four.
#[derive(Debug, Clone)]
pub struct G722Decoder {
    /// QMF synthesis delay line, oldest first.
    x: [i32; 24],
    low: Band,
    high: Band,
    output: FromCodec,
    pcm: Vec<i16>,
    plc: Concealer,
}

impl Default for G722Decoder {
    fn default() -> Self {
        Self::new()
    }
}

impl G722Decoder {
    /// A decoder in the reset state of the standard, giving 16 kHz mono frames.
    pub fn new() -> Self {
        Self {
            x: [0; 24],
            low: Band::new(32),
            high: Band::new(8),
            output: FromCodec::native(G722_SAMPLE_RATE),
            pcm: Vec::new(),
            plc: Concealer::default(),
        }
    }

    /// A decoder giving [`AudioFrame`]s of `sample_rate` Hz × `channels` (1 or 2).
    pub fn with_output(sample_rate: u32, channels: u16) -> Result<Self, CodecError> {
        Ok(Self {
            output: FromCodec::new(G722_SAMPLE_RATE, sample_rate, channels)?,
            ..Self::new()
        })
    }

    /// Decodes `bytes`, appending two 16 kHz samples per byte to `out`.
    pub fn decode_pcm(&mut self, bytes: &[u8], out: &mut Vec<i16>) {
        out.reserve(bytes.len() * 2);
        for &b in bytes {
            let [s0, s1] = self.decode_byte(b);
            out.push(s0);
            out.push(s1);
        }
    }

    /// Decodes one byte into two consecutive samples.
    pub fn decode_byte(&mut self, byte: u8) -> [i16; 2] {
        let ilow = usize::from(byte & 0x3F);
        let ihigh = usize::from(byte >> 6);

        // Lower band: INVQBL with the full 6-bit code for the output, RECONS, LIMIT
        let rlow = (self.low.s + ((self.low.det * QM6[ilow]) >> 15)).clamp(-16384, 16383);
        self.low.adapt_low(ilow >> 2);

        // Upper band: INVQAH, RECONS, LIMIT
        let s_high = self.high.s;
        let dhigh = self.high.adapt_high(ihigh);
        let rhigh = (dhigh + s_high).clamp(-16384, 16383);

        // QMF synthesis: one low and one high sample in, two output samples out.
        self.x.copy_within(2.., 0);
        self.x[22] = rlow + rhigh;
        self.x[23] = rlow - rhigh;
        let (mut out0, mut out1) = (0i32, 0i32);
        for (i, &h) in QMF.iter().enumerate() {
            out1 += self.x[2 * i] * h;
            out0 += self.x[2 * i + 1] * QMF[11 - i];
        }
        [sat16(out0 >> 11) as i16, sat16(out1 >> 11) as i16]
    }
}

impl AudioEncoder for G722Encoder {
    fn sample_rate(&self) -> u32 {
        self.input.rate()
    }

    fn channels(&self) -> u16 {
        self.input.channels()
    }

    fn encode(&mut self, frame: &AudioFrame, out: &mut Vec<u8>) -> Result<(), CodecError> {
        out.clear();
        let pcm = self.input.convert(frame)?;
        self.state.encode_pcm(pcm, out);
        Ok(())
    }

    /// This encoder runs the 64 kbit/s mode only: other rates are refused.
    fn set_bitrate(&mut self, bits_per_second: u32) -> Result<(), CodecError> {
        if bits_per_second == G722_BITRATE {
            Ok(())
        } else {
            Err(CodecError::UnsupportedBitrate(bits_per_second))
        }
    }
}

impl AudioDecoder for G722Decoder {
    fn decode(&mut self, packet: &[u8], out: &mut AudioFrame) -> Result<(), CodecError> {
        if packet.is_empty() {
            return Err(CodecError::EmptyPayload);
        }
        let mut pcm = std::mem::take(&mut self.pcm);
        pcm.clear();
        self.decode_pcm(packet, &mut pcm);
        let result = self.output.convert(&pcm, out);
        if result.is_ok() {
            self.plc.remember(&pcm);
        }
        self.pcm = pcm;
        result
    }

    fn conceal(&mut self, out: &mut AudioFrame) -> Result<(), CodecError> {
        self.plc.conceal(&mut self.output, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(freq: f64, amplitude: f64, n: u32) -> Vec<i16> {
        (0..n)
            .map(|i| {
                let t = f64::from(i) / f64::from(G722_SAMPLE_RATE);
                (amplitude * (2.0 * std::f64::consts::PI * freq * t).sin()).round() as i16
            })
            .collect()
    }

    fn round_trip(pcm: &[i16]) -> (Vec<u8>, Vec<i16>) {
        let mut bytes = Vec::new();
        G722Encoder::new().encode_pcm(pcm, &mut bytes);
        let mut out = Vec::new();
        G722Decoder::new().decode_pcm(&bytes, &mut out);
        (bytes, out)
    }

    /// SNR in dB of `out` against `reference` delayed by the codec delay, skipping the start-up.
    fn snr_db(reference: &[i16], out: &[i16], skip: usize) -> f64 {
        let (mut signal, mut noise) = (0.0f64, 0.0f64);
        for i in skip..out.len() {
            let r = f64::from(reference[i - G722_DELAY_SAMPLES]);
            let e = f64::from(out[i]) - r;
            signal += r * r;
            noise += e * e;
        }
        10.0 * (signal / noise.max(1e-9)).log10()
    }

    #[test]
    fn one_byte_per_two_samples() {
        let (bytes, out) = round_trip(&tone(1000.0, 8000.0, 320));
        assert_eq!(bytes.len(), 160);
        assert_eq!(out.len(), G722_SAMPLES_PER_20MS);
    }

    #[test]
    fn tones_survive_with_high_snr() {
        for (freq, amplitude) in [(1000.0, 10_000.0), (300.0, 3000.0), (3000.0, 12_000.0), (1000.0, 500.0)] {
            let pcm = tone(freq, amplitude, 16_000);
            let (_, out) = round_trip(&pcm);
            let snr = snr_db(&pcm, &out, 1600);
            assert!(snr > 25.0, "{freq} Hz at {amplitude}: SNR {snr:.1} dB");
        }
    }

    #[test]
    fn silence_stays_silent() {
        let (bytes, out) = round_trip(&[0; 3200]);
        assert_eq!(bytes.len(), 1600);
        // the predictors' limit cycles leave only a few LSBs of noise
        assert!(
            out.iter().all(|s| s.abs() <= 4),
            "max {:?}",
            out.iter().map(|s| s.abs()).max()
        );
    }

    #[test]
    fn chunking_does_not_change_the_bitstream() {
        let pcm = tone(440.0, 6000.0, 1001);
        let mut whole = Vec::new();
        G722Encoder::new().encode_pcm(&pcm, &mut whole);
        let mut chunked = Vec::new();
        let mut enc = G722Encoder::new();
        for chunk in pcm.chunks(7) {
            enc.encode_pcm(chunk, &mut chunked);
        }
        assert_eq!(whole, chunked);
        assert_eq!(whole.len(), 500);
    }

    #[test]
    fn full_scale_input_does_not_overflow() {
        let mut pcm = tone(2500.0, 32767.0, 4000);
        pcm.extend((0..4000).map(|i| if i % 2 == 0 { i16::MAX } else { i16::MIN }));
        pcm.extend((0..4000).map(|i| if (i / 3) % 2 == 0 { i16::MAX } else { i16::MIN }));
        let (_, out) = round_trip(&pcm);
        assert_eq!(out.len(), pcm.len());
    }
}
