//! What the G.711 and G.722 encoders and decoders share: bringing a caller's frames (any rate, mono or
//! stereo) to the codec's mono rate and back, and loss concealment by fading repetition.

use crate::CodecError;
use crate::media::AudioFrame;
use crate::resample::Resampler;

fn check_channels(channels: u16) -> Result<(), CodecError> {
    match channels {
        1 | 2 => Ok(()),
        n => Err(CodecError::UnsupportedChannels(n)),
    }
}

fn resampler(from: u32, to: u32) -> Result<Option<Resampler>, CodecError> {
    if from == to {
        Ok(None)
    } else {
        Resampler::new(from, to, 1).map(Some)
    }
}

/// Caller's frames → codec's mono samples.
#[derive(Debug, Clone)]
pub(crate) struct ToCodec {
    rate: u32,
    channels: u16,
    resampler: Option<Resampler>,
    mono: Vec<i16>,
    resampled: Vec<i16>,
}

impl ToCodec {
    /// Takes frames of `rate` Hz × `channels` (1 or 2) for a codec sampling mono at `codec_rate`.
    pub(crate) fn new(rate: u32, channels: u16, codec_rate: u32) -> Result<Self, CodecError> {
        check_channels(channels)?;
        Ok(Self {
            rate,
            channels,
            resampler: resampler(rate, codec_rate)?,
            mono: Vec::new(),
            resampled: Vec::new(),
        })
    }

    /// Takes mono frames at the codec's own rate: nothing to convert.
    pub(crate) fn native(codec_rate: u32) -> Self {
        Self {
            rate: codec_rate,
            channels: 1,
            resampler: None,
            mono: Vec::new(),
            resampled: Vec::new(),
        }
    }

    /// The frame rate taken.
    pub(crate) fn rate(&self) -> u32 {
        self.rate
    }

    /// The channel count taken.
    pub(crate) fn channels(&self) -> u16 {
        self.channels
    }

    /// Checks `frame`'s format and returns its samples, down-mixed and at the codec's rate.
    pub(crate) fn convert<'a>(&'a mut self, frame: &'a AudioFrame) -> Result<&'a [i16], CodecError> {
        if frame.sample_rate != self.rate || frame.channels != self.channels {
            return Err(CodecError::AudioFormatMismatch {
                expected_rate: self.rate,
                expected_channels: self.channels,
                rate: frame.sample_rate,
                channels: frame.channels,
            });
        }
        if frame.samples.is_empty() {
            return Err(CodecError::EmptyFrame);
        }
        let channels = usize::from(self.channels);
        if !frame.samples.len().is_multiple_of(channels) {
            return Err(CodecError::BadSampleCount {
                expected: frame.samples.len() - frame.samples.len() % channels,
                got: frame.samples.len(),
            });
        }
        let mono: &[i16] = if channels == 1 {
            &frame.samples
        } else {
            self.mono.clear();
            self.mono.extend(
                frame
                    .samples
                    .chunks_exact(2)
                    .map(|lr| ((i32::from(lr[0]) + i32::from(lr[1])) >> 1) as i16),
            );
            &self.mono
        };
        match &mut self.resampler {
            None => Ok(mono),
            Some(r) => {
                self.resampled.clear();
                r.process(mono, &mut self.resampled)?;
                Ok(&self.resampled)
            }
        }
    }
}

/// Codec's mono samples → caller's frames.
#[derive(Debug, Clone)]
pub(crate) struct FromCodec {
    codec_rate: u32,
    rate: u32,
    channels: u16,
    resampler: Option<Resampler>,
    resampled: Vec<i16>,
}

impl FromCodec {
    /// Gives frames of `rate` Hz × `channels` (1 or 2) from a codec producing mono at `codec_rate`.
    pub(crate) fn new(codec_rate: u32, rate: u32, channels: u16) -> Result<Self, CodecError> {
        check_channels(channels)?;
        Ok(Self {
            codec_rate,
            rate,
            channels,
            resampler: resampler(codec_rate, rate)?,
            resampled: Vec::new(),
        })
    }

    /// Gives mono frames at the codec's own rate: nothing to convert.
    pub(crate) fn native(codec_rate: u32) -> Self {
        Self {
            codec_rate,
            rate: codec_rate,
            channels: 1,
            resampler: None,
            resampled: Vec::new(),
        }
    }

    /// Writes `pcm` into `out` in the output format (the timestamp is left alone).
    pub(crate) fn convert(&mut self, pcm: &[i16], out: &mut AudioFrame) -> Result<(), CodecError> {
        let pcm: &[i16] = match &mut self.resampler {
            None => pcm,
            Some(r) => {
                self.resampled.clear();
                r.process(pcm, &mut self.resampled)?;
                &self.resampled
            }
        };
        out.sample_rate = self.rate;
        out.channels = self.channels;
        out.samples.clear();
        if self.channels == 1 {
            out.samples.extend_from_slice(pcm);
        } else {
            out.samples.extend(pcm.iter().flat_map(|&s| [s, s]));
        }
        Ok(())
    }
}

/// Stands in for lost packets by repeating the last decoded packet with a falling gain (¾, ½, ¼, then
/// silence), ramped within each frame so that the level has no steps. The repetition is plain, not
/// pitch-synchronous. Concealed samples are made at the codec's rate and go through the same conversion as
/// decoded ones, so the resampler's state runs on without a gap. Codecs with no concealment of their own
/// (G.711, G.722) use it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Concealer {
    /// The last decoded packet's samples, at the codec's rate.
    last: Vec<i16>,
    /// Frames concealed in a row.
    run: u8,
    scratch: Vec<i16>,
}

/// Concealed frames after which only silence comes.
const FADE_FRAMES: u8 = 4;

impl Concealer {
    /// Notes a decoded packet's samples (at the codec's rate).
    pub(crate) fn remember(&mut self, pcm: &[i16]) {
        self.last.clear();
        self.last.extend_from_slice(pcm);
        self.run = 0;
    }

    /// Fills `out` with the next concealment frame, converted by `format`: the last packet's length, or 20 ms
    /// of silence before any packet.
    #[allow(clippy::cast_precision_loss)] // packet lengths are far below 2^23
    pub(crate) fn conceal(&mut self, format: &mut FromCodec, out: &mut AudioFrame) -> Result<(), CodecError> {
        self.scratch.clear();
        if self.last.is_empty() {
            self.scratch.resize(format.codec_rate as usize / 50, 0);
        } else {
            let from = 1.0 - f32::from(self.run.min(FADE_FRAMES)) / f32::from(FADE_FRAMES);
            self.run = self.run.saturating_add(1);
            let to = 1.0 - f32::from(self.run.min(FADE_FRAMES)) / f32::from(FADE_FRAMES);
            let n = self.last.len() as f32;
            self.scratch.extend(self.last.iter().enumerate().map(|(i, &s)| {
                let gain = from + (to - from) * (i as f32 / n);
                (f32::from(s) * gain).round() as i16
            }));
        }
        format.convert(&self.scratch, out)
    }
}
