//! Sample-rate conversion of interleaved 16-bit PCM by a rational factor (48 kHz ↔ 8 kHz for G.711,
//! 48 kHz ↔ 16 kHz for G.722, 44.1 kHz ↔ 48 kHz, …).
//!
//! A polyphase FIR resampler: the rate changes by `L/M` (the ratio of the two rates in lowest terms), the
//! anti-aliasing / anti-imaging low-pass is a Kaiser-windowed sinc spanning 32 periods of the lower rate.
//! Measured from 48 kHz to 8 kHz (Nyquist 4 kHz): −0.8 dB at 3.4 kHz, −6 dB at 3.68 kHz, −33 dB at 4 kHz,
//! −56 dB at 4.2 kHz and −75 dB or less from 4.4 kHz up; other ratios scale with the lower rate.
//! It streams: state carries across calls, so a signal cut into chunks of any size gives the same output as
//! the whole. The delay is 16 periods of the lower rate (2 ms between 48 kHz and 8 kHz).
//!
//! ```
//! use ortc_codecs::resample::Resampler;
//!
//! let mut down = Resampler::new(48_000, 8000, 2)?;
//! let stereo_20ms = vec![0i16; 960 * 2];
//! let mut out = Vec::new();
//! down.process(&stereo_20ms, &mut out)?;
//! assert_eq!(out.len(), 160 * 2);
//! # Ok::<(), ortc_codecs::CodecError>(())
//! ```

use crate::CodecError;

/// Half the filter length, in periods of the lower of the two rates.
const HALF_SPAN: usize = 16;
/// −6 dB point of the low-pass, as a fraction of the lower rate's Nyquist frequency.
const CUTOFF: f64 = 0.92;
/// Kaiser window shape (about 70 dB of stop-band attenuation).
const KAISER_BETA: f64 = 7.0;
/// Largest up- or down-sampling factor after reduction (48000/44100 = 160/147), bounding the filter size.
const MAX_FACTOR: usize = 1024;
/// Input frames handled per inner pass: bounds the working buffers and keeps position arithmetic far from
/// overflow on any target.
const BLOCK_FRAMES: usize = 4096;

/// A streaming rational-ratio resampler for interleaved 16-bit PCM.
#[derive(Debug, Clone)]
pub struct Resampler {
    from: u32,
    to: u32,
    channels: usize,
    /// Up-sampling factor L.
    up: usize,
    /// Down-sampling factor M.
    down: usize,
    /// Taps per polyphase branch.
    taps: usize,
    /// Filter coefficients by phase: `coeffs[p * taps + j]` = prototype tap `p + j * up`, scaled by `up`.
    coeffs: Vec<f32>,
    /// The last `taps - 1` input frames, then the current call's input; per channel, planar.
    work: Vec<Vec<f32>>,
    /// Position of the next output, in up-sampled units from the first input frame of the next call.
    pos: usize,
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// Zeroth-order modified Bessel function of the first kind (for the Kaiser window).
fn bessel_i0(x: f64) -> f64 {
    let (mut sum, mut term) = (1.0, 1.0);
    let q = x * x / 4.0;
    for k in 1..50 {
        term *= q / f64::from(k * k);
        sum += term;
        if term < sum * 1e-12 {
            break;
        }
    }
    sum
}

impl Resampler {
    /// A resampler from `from` Hz to `to` Hz for `channels` interleaved channels (1..=8).
    ///
    /// Fails on a zero rate, a channel count outside 1..=8, or rates whose reduced ratio needs a factor
    /// above 1024 (a filter too large to be sensible).
    #[allow(clippy::cast_precision_loss)] // filter lengths are far below 2^52
    pub fn new(from: u32, to: u32, channels: u16) -> Result<Self, CodecError> {
        if from == 0 {
            return Err(CodecError::UnsupportedSampleRate(from));
        }
        if to == 0 {
            return Err(CodecError::UnsupportedSampleRate(to));
        }
        if !(1..=8).contains(&channels) {
            return Err(CodecError::UnsupportedChannels(channels));
        }
        let g = gcd(from, to);
        let (up, down) = ((to / g) as usize, (from / g) as usize);
        if up.max(down) > MAX_FACTOR {
            return Err(CodecError::UnsupportedSampleRate(if up > down { to } else { from }));
        }
        let factor = up.max(down);
        let taps = (2 * HALF_SPAN * factor).div_ceil(up);
        let len = taps * up;
        // cut-off in cycles per up-sampled sample
        let fc = CUTOFF * 0.5 / factor as f64;
        let center = (len - 1) as f64 / 2.0;
        let norm = bessel_i0(KAISER_BETA);
        let mut coeffs = vec![0f32; len];
        for phase in 0..up {
            for j in 0..taps {
                let t = phase + j * up;
                let x = t as f64 - center;
                let sinc = if x == 0.0 {
                    2.0 * fc
                } else {
                    (2.0 * std::f64::consts::PI * fc * x).sin() / (std::f64::consts::PI * x)
                };
                let r = x / (center + 1.0);
                let window = bessel_i0(KAISER_BETA * (1.0 - r * r).max(0.0).sqrt()) / norm;
                coeffs[phase * taps + j] = (sinc * window * up as f64) as f32;
            }
        }
        Ok(Self {
            from,
            to,
            channels: usize::from(channels),
            up,
            down,
            taps,
            coeffs,
            work: vec![vec![0.0; taps - 1]; usize::from(channels)],
            pos: 0,
        })
    }

    /// Input rate in Hz.
    pub fn from_rate(&self) -> u32 {
        self.from
    }

    /// Output rate in Hz.
    pub fn to_rate(&self) -> u32 {
        self.to
    }

    /// Channel count.
    pub fn channels(&self) -> u16 {
        self.channels as u16
    }

    /// The delay the filter adds, in output samples (per channel), rounded to the nearest.
    pub fn delay(&self) -> usize {
        // the filter's centre, (taps·L − 1)/2 up-sampled units, over M units per output sample
        (self.taps * self.up - 1 + self.down) / (2 * self.down)
    }

    /// Forgets all past input, as if newly made.
    pub fn reset(&mut self) {
        for w in &mut self.work {
            w.clear();
            w.resize(self.taps - 1, 0.0);
        }
        self.pos = 0;
    }

    /// Resamples `input` (interleaved, whole frames of `channels` samples) and appends the output,
    /// interleaved, to `out`. Allocates nothing once `out` and the internal buffers have grown to the
    /// chunk size in use.
    pub fn process(&mut self, input: &[i16], out: &mut Vec<i16>) -> Result<(), CodecError> {
        if !input.len().is_multiple_of(self.channels) {
            return Err(CodecError::BadSampleCount {
                expected: input.len() - input.len() % self.channels,
                got: input.len(),
            });
        }
        for block in input.chunks(BLOCK_FRAMES * self.channels) {
            self.process_block(block, out);
        }
        Ok(())
    }
}

impl Resampler {
    /// Resamples at most [`BLOCK_FRAMES`] whole frames.
    fn process_block(&mut self, input: &[i16], out: &mut Vec<i16>) {
        let frames = input.len() / self.channels;
        let history = self.taps - 1;
        for (c, w) in self.work.iter_mut().enumerate() {
            w.truncate(history);
            w.extend(input.chunks_exact(self.channels).map(|f| f32::from(f[c])));
        }
        let end = frames * self.up;
        out.reserve(end.saturating_sub(self.pos).div_ceil(self.down) * self.channels);
        let mut pos = self.pos;
        while pos < end {
            let (i, phase) = (pos / self.up, pos % self.up);
            let h = &self.coeffs[phase * self.taps..(phase + 1) * self.taps];
            for w in &self.work {
                // w[history + i - j] for j in 0..taps, i.e. the window ending at input frame i, newest first
                let window = &w[i..=i + history];
                let acc: f32 = h.iter().zip(window.iter().rev()).map(|(a, b)| a * b).sum();
                out.push(acc.round().clamp(-32768.0, 32767.0) as i16);
            }
            pos += self.down;
        }
        self.pos = pos - end;
        for w in &mut self.work {
            w.drain(..frames);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::cast_precision_loss, clippy::cast_sign_loss)]
    use super::*;

    fn tone(freq: f64, rate: u32, n: usize, amplitude: f64) -> Vec<i16> {
        (0..n)
            .map(|i| (amplitude * (2.0 * std::f64::consts::PI * freq * i as f64 / f64::from(rate)).sin()) as i16)
            .collect()
    }

    /// Amplitude of the `freq` component of `x` sampled at `rate` (Hann-windowed, so that strong tones
    /// elsewhere do not leak into the estimate).
    fn amplitude_at(x: &[i16], freq: f64, rate: u32) -> f64 {
        let (mut re, mut im, mut wsum) = (0.0, 0.0, 0.0);
        let n = x.len() as f64;
        for (i, &v) in x.iter().enumerate() {
            let hann = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / n).cos();
            let w = 2.0 * std::f64::consts::PI * freq * i as f64 / f64::from(rate);
            re += hann * f64::from(v) * w.cos();
            im += hann * f64::from(v) * w.sin();
            wsum += hann;
        }
        2.0 * (re * re + im * im).sqrt() / wsum
    }

    #[test]
    fn lengths_follow_the_ratio() {
        for (from, to, n_in, n_out) in [
            (48_000, 8000, 960, 160),
            (8000, 48_000, 160, 960),
            (48_000, 16_000, 960, 320),
            (16_000, 48_000, 320, 960),
            (44_100, 48_000, 441, 480),
            (48_000, 48_000, 960, 960),
        ] {
            let mut r = Resampler::new(from, to, 1).unwrap();
            let mut out = Vec::new();
            for round in 1..=5 {
                r.process(&vec![0; n_in], &mut out).unwrap();
                assert_eq!(out.len(), round * n_out, "{from} -> {to}");
            }
        }
    }

    #[test]
    fn passband_tones_keep_their_amplitude_and_stop_band_is_removed() {
        // down: 1 and 3 kHz stay; 4.4 kHz (above the 4 kHz Nyquist) would alias to 3.6 kHz and must be gone
        let mut down = Resampler::new(48_000, 8000, 1).unwrap();
        let parts = [1000.0, 3000.0, 4400.0].map(|f| tone(f, 48_000, 48_000, 6000.0));
        let input: Vec<i16> = (0..48_000).map(|i| parts.iter().map(|p| p[i]).sum()).collect();
        let mut out = Vec::new();
        down.process(&input, &mut out).unwrap();
        let steady = &out[800..];
        for f in [1000.0, 3000.0] {
            let kept = amplitude_at(steady, f, 8000);
            assert!((kept - 6000.0).abs() < 6000.0 * 0.06, "{f} Hz amplitude {kept:.0}");
        }
        let alias = amplitude_at(steady, 3600.0, 8000);
        assert!(alias < 6000.0 * 0.001, "4.4 kHz aliased to 3.6 kHz: {alias:.1}");

        // up: 1 kHz at 8 kHz becomes 1 kHz at 48 kHz without images at 7 and 9 kHz
        let mut up = Resampler::new(8000, 48_000, 1).unwrap();
        let mut out = Vec::new();
        up.process(&tone(1000.0, 8000, 8000, 8000.0), &mut out).unwrap();
        let steady = &out[4800..];
        let kept = amplitude_at(steady, 1000.0, 48_000);
        assert!((kept - 8000.0).abs() < 8000.0 * 0.06, "1 kHz amplitude {kept:.0}");
        for image in [7000.0, 9000.0] {
            let a = amplitude_at(steady, image, 48_000);
            assert!(a < 8000.0 * 0.001, "image at {image} Hz: {a:.1}");
        }
    }

    #[test]
    fn chunked_equals_whole_and_channels_stay_apart() {
        // longer than one internal block, so block boundaries are crossed too
        let left = tone(440.0, 44_100, 3 * BLOCK_FRAMES + 123, 10_000.0);
        let right = tone(3000.0, 44_100, 3 * BLOCK_FRAMES + 123, 5000.0);
        let stereo: Vec<i16> = left.iter().zip(&right).flat_map(|(&l, &r)| [l, r]).collect();
        let mut whole = Vec::new();
        Resampler::new(44_100, 48_000, 2)
            .unwrap()
            .process(&stereo, &mut whole)
            .unwrap();
        let mut chunked = Vec::new();
        let mut r = Resampler::new(44_100, 48_000, 2).unwrap();
        for chunk in stereo.chunks(2 * 37) {
            r.process(chunk, &mut chunked).unwrap();
        }
        assert_eq!(whole, chunked);
        let out_left: Vec<i16> = whole.iter().step_by(2).copied().collect();
        let out_right: Vec<i16> = whole.iter().skip(1).step_by(2).copied().collect();
        assert!(amplitude_at(&out_left[1000..], 3000.0, 48_000) < 10.0);
        assert!(amplitude_at(&out_right[1000..], 440.0, 48_000) < 10.0);
        assert!(amplitude_at(&out_left[1000..], 440.0, 48_000) > 9000.0);
    }

    #[test]
    fn delay_matches_the_filter() {
        // an impulse comes out `delay()` output samples later, at its peak
        for (from, to) in [(48_000, 8000), (8000, 48_000), (16_000, 48_000)] {
            let mut r = Resampler::new(from, to, 1).unwrap();
            let mut input = vec![0i16; (from / 50) as usize];
            input[0] = 30_000;
            let mut out = Vec::new();
            r.process(&input, &mut out).unwrap();
            let peak = out.iter().enumerate().max_by_key(|(_, v)| v.abs()).unwrap().0;
            assert!(
                peak.abs_diff(r.delay()) <= 1,
                "{from}->{to}: peak {peak}, delay {}",
                r.delay()
            );
        }
    }

    #[test]
    fn bad_rates_are_refused() {
        assert!(Resampler::new(0, 8000, 1).is_err());
        assert!(Resampler::new(8000, 0, 1).is_err());
        assert!(Resampler::new(8000, 8000, 0).is_err());
        assert!(Resampler::new(48_000, 47_999, 1).is_err());
        let mut r = Resampler::new(48_000, 8000, 2).unwrap();
        let mut out = Vec::new();
        assert!(matches!(
            r.process(&[1, 2, 3], &mut out),
            Err(CodecError::BadSampleCount { expected: 2, got: 3 })
        ));
        r.process(&[i16::MAX; 1920], &mut out).unwrap();
        assert_eq!(out.len(), 320);
    }
}
