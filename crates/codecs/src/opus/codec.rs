//! Opus encoder and decoder over libopus (the `opus` crate, bundled libopus).

use ::opus as lib;

use crate::CodecError;
use crate::media::{AudioDecoder, AudioEncoder, AudioFrame};

/// Largest Opus packet libopus recommends allocating for (RFC 6716 allows 1275 bytes per frame, three
/// frames per 60 ms packet).
const MAX_PACKET: usize = 4000;
/// Samples per channel of 120 ms at 48 kHz, the longest Opus packet.
const MAX_FRAME_SAMPLES: usize = 5760;

#[allow(clippy::needless_pass_by_value)] // used as `map_err(opus_error)`
fn opus_error(e: lib::Error) -> CodecError {
    CodecError::Opus {
        function: e.function(),
        code: e.code() as i32,
    }
}

fn lib_channels(channels: u16) -> Result<lib::Channels, CodecError> {
    match channels {
        1 => Ok(lib::Channels::Mono),
        2 => Ok(lib::Channels::Stereo),
        n => Err(CodecError::UnsupportedChannels(n)),
    }
}

fn check_rate(rate: u32) -> Result<(), CodecError> {
    match rate {
        8000 | 12_000 | 16_000 | 24_000 | 48_000 => Ok(()),
        r => Err(CodecError::UnsupportedSampleRate(r)),
    }
}

/// What an [`OpusEncoder`] is made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpusEncoderConfig {
    /// Input sample rate: 8000, 12000, 16000, 24000 or 48000 (the RTP clock stays 48 kHz).
    pub sample_rate: u32,
    /// 1 (mono) or 2 (stereo).
    pub channels: u16,
    /// Target bitrate in bit/s (libopus accepts 500..=512000).
    pub bitrate: u32,
    /// In-band forward error correction (`useinbandfec=1`): each packet carries a low-rate copy of the
    /// previous one, used when `expected_loss_percent` is above zero.
    pub fec: bool,
    /// The packet loss the encoder should plan for, 0..=100.
    pub expected_loss_percent: u8,
    /// Discontinuous transmission (`usedtx=1`): during silence the encoder emits packets of one or two
    /// bytes that need not be sent.
    pub dtx: bool,
}

impl Default for OpusEncoderConfig {
    /// 48 kHz stereo at 64 kbit/s, no FEC, no DTX.
    fn default() -> Self {
        Self {
            sample_rate: 48_000,
            channels: 2,
            bitrate: 64_000,
            fec: false,
            expected_loss_percent: 0,
            dtx: false,
        }
    }
}

/// Opus encoder for interactive audio (libopus `OPUS_APPLICATION_VOIP`).
///
/// Takes frames of 2.5, 5, 10, 20, 40 or 60 ms of interleaved samples (20 ms at 48 kHz stereo = 1920
/// samples) and makes one Opus packet per frame.
pub struct OpusEncoder {
    inner: lib::Encoder,
    config: OpusEncoderConfig,
}

impl std::fmt::Debug for OpusEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpusEncoder")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl OpusEncoder {
    /// An encoder with `config`.
    pub fn new(config: OpusEncoderConfig) -> Result<Self, CodecError> {
        check_rate(config.sample_rate)?;
        let channels = lib_channels(config.channels)?;
        let inner = lib::Encoder::new(config.sample_rate, channels, lib::Application::Voip).map_err(opus_error)?;
        let mut enc = Self { inner, config };
        enc.set_bitrate(config.bitrate)?;
        enc.set_fec(config.fec, config.expected_loss_percent)?;
        enc.set_dtx(config.dtx)?;
        Ok(enc)
    }

    /// The configuration in force (reflecting later setter calls).
    pub fn config(&self) -> OpusEncoderConfig {
        self.config
    }

    /// Turns in-band FEC on or off and sets the packet loss (percent) to plan for.
    pub fn set_fec(&mut self, fec: bool, expected_loss_percent: u8) -> Result<(), CodecError> {
        self.inner.set_inband_fec(fec).map_err(opus_error)?;
        self.inner
            .set_packet_loss_perc(i32::from(expected_loss_percent.min(100)))
            .map_err(opus_error)?;
        self.config.fec = fec;
        self.config.expected_loss_percent = expected_loss_percent.min(100);
        Ok(())
    }

    /// Turns discontinuous transmission on or off.
    pub fn set_dtx(&mut self, dtx: bool) -> Result<(), CodecError> {
        self.inner.set_dtx(dtx).map_err(opus_error)?;
        self.config.dtx = dtx;
        Ok(())
    }
}

impl AudioEncoder for OpusEncoder {
    fn sample_rate(&self) -> u32 {
        self.config.sample_rate
    }

    fn channels(&self) -> u16 {
        self.config.channels
    }

    fn encode(&mut self, frame: &AudioFrame, out: &mut Vec<u8>) -> Result<(), CodecError> {
        let (rate, channels) = (self.config.sample_rate, self.config.channels);
        if frame.sample_rate != rate || frame.channels != channels {
            return Err(CodecError::AudioFormatMismatch {
                expected_rate: rate,
                expected_channels: channels,
                rate: frame.sample_rate,
                channels: frame.channels,
            });
        }
        // 2.5, 5, 10, 20, 40 and 60 ms
        let per_channel = frame.samples_per_channel();
        let r = rate as usize;
        let valid = [r / 400, r / 200, r / 100, r / 50, r / 25, r * 3 / 50];
        if per_channel * usize::from(channels) != frame.samples.len() || !valid.contains(&per_channel) {
            return Err(CodecError::BadSampleCount {
                expected: r / 50 * usize::from(channels),
                got: frame.samples.len(),
            });
        }
        out.clear();
        out.resize(MAX_PACKET, 0);
        let len = self.inner.encode(&frame.samples, out).map_err(opus_error)?;
        out.truncate(len);
        Ok(())
    }

    fn set_bitrate(&mut self, bits_per_second: u32) -> Result<(), CodecError> {
        let bps = i32::try_from(bits_per_second)
            .ok()
            .filter(|b| (500..=512_000).contains(b))
            .ok_or(CodecError::UnsupportedBitrate(bits_per_second))?;
        self.inner.set_bitrate(lib::Bitrate::Bits(bps)).map_err(opus_error)?;
        self.config.bitrate = bits_per_second;
        Ok(())
    }
}

/// Opus decoder: any Opus packet in, interleaved PCM at the decoder's rate and channel count out.
pub struct OpusDecoder {
    inner: lib::Decoder,
    sample_rate: u32,
    channels: u16,
    /// Samples per channel of the last decoded packet: the length of a concealed frame.
    last_duration: usize,
}

impl std::fmt::Debug for OpusDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpusDecoder")
            .field("sample_rate", &self.sample_rate)
            .field("channels", &self.channels)
            .finish_non_exhaustive()
    }
}

impl OpusDecoder {
    /// A decoder producing `sample_rate` (8000, 12000, 16000, 24000 or 48000) × `channels` (1 or 2).
    pub fn new(sample_rate: u32, channels: u16) -> Result<Self, CodecError> {
        check_rate(sample_rate)?;
        let inner = lib::Decoder::new(sample_rate, lib_channels(channels)?).map_err(opus_error)?;
        Ok(Self {
            inner,
            sample_rate,
            channels,
            last_duration: sample_rate as usize / 50,
        })
    }

    /// Recovers a lost packet from the FEC data in the packet that followed it (`next`), producing the
    /// last packet's duration; falls back to concealment inside libopus when `next` carries no FEC.
    pub fn decode_fec(&mut self, next: &[u8], out: &mut AudioFrame) -> Result<(), CodecError> {
        self.run(next, self.last_duration, true, out)
    }

    fn run(&mut self, packet: &[u8], per_channel: usize, fec: bool, out: &mut AudioFrame) -> Result<(), CodecError> {
        let ch = usize::from(self.channels);
        out.sample_rate = self.sample_rate;
        out.channels = self.channels;
        out.samples.clear();
        out.samples.resize(per_channel * ch, 0);
        let n = self.inner.decode(packet, &mut out.samples, fec).map_err(opus_error)?;
        out.samples.truncate(n * ch);
        Ok(())
    }
}

impl AudioDecoder for OpusDecoder {
    fn decode(&mut self, packet: &[u8], out: &mut AudioFrame) -> Result<(), CodecError> {
        if packet.is_empty() {
            return Err(CodecError::EmptyPayload);
        }
        let max = MAX_FRAME_SAMPLES * self.sample_rate as usize / 48_000;
        self.run(packet, max, false, out)?;
        self.last_duration = out.samples_per_channel();
        Ok(())
    }

    fn conceal(&mut self, out: &mut AudioFrame) -> Result<(), CodecError> {
        self.run(&[], self.last_duration, false, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stereo_tone(frame: u32) -> AudioFrame {
        let samples = (0..960u32)
            .flat_map(|i| {
                let t = f64::from(frame * 960 + i) / 48_000.0;
                let s = (8000.0 * (2.0 * std::f64::consts::PI * 440.0 * t).sin()) as i16;
                [s, s / 2]
            })
            .collect();
        AudioFrame::new(samples, 48_000, 2)
    }

    #[test]
    fn rejects_wrong_format_and_size() {
        let mut enc = OpusEncoder::new(OpusEncoderConfig::default()).expect("encoder");
        let mut out = Vec::new();
        let mono = AudioFrame::new(vec![0; 960], 48_000, 1);
        assert!(matches!(
            enc.encode(&mono, &mut out),
            Err(CodecError::AudioFormatMismatch { .. })
        ));
        let odd = AudioFrame::new(vec![0; 1000], 48_000, 2);
        assert_eq!(
            enc.encode(&odd, &mut out),
            Err(CodecError::BadSampleCount {
                expected: 1920,
                got: 1000
            })
        );
        assert_eq!(enc.set_bitrate(100), Err(CodecError::UnsupportedBitrate(100)));
        assert_eq!(
            OpusDecoder::new(44_100, 2).err(),
            Some(CodecError::UnsupportedSampleRate(44_100))
        );
        assert_eq!(
            OpusDecoder::new(48_000, 3).err(),
            Some(CodecError::UnsupportedChannels(3))
        );
    }

    #[test]
    fn bitrate_changes_packet_size() {
        let mut enc = OpusEncoder::new(OpusEncoderConfig::default()).expect("encoder");
        let mut out = Vec::new();
        let mut size = |enc: &mut OpusEncoder, from: u32| -> usize {
            (from..from + 25)
                .map(|f| {
                    enc.encode(&stereo_tone(f), &mut out).expect("encode");
                    out.len()
                })
                .sum()
        };
        enc.set_bitrate(128_000).expect("bitrate");
        let high = size(&mut enc, 0);
        enc.set_bitrate(16_000).expect("bitrate");
        let low = size(&mut enc, 25);
        assert!(high > low * 3, "128k: {high} bytes, 16k: {low} bytes");
    }

    #[test]
    fn dtx_shrinks_silence_and_concealment_fills_a_gap() {
        let config = OpusEncoderConfig {
            dtx: true,
            fec: true,
            expected_loss_percent: 10,
            ..OpusEncoderConfig::default()
        };
        let mut enc = OpusEncoder::new(config).expect("encoder");
        let silence = AudioFrame::new(vec![0; 1920], 48_000, 2);
        let mut out = Vec::new();
        let mut last = 0;
        for _ in 0..50 {
            enc.encode(&silence, &mut out).expect("encode");
            last = out.len();
        }
        assert!(last <= 2, "DTX packet of {last} bytes");

        let mut dec = OpusDecoder::new(48_000, 2).expect("decoder");
        let mut pcm = AudioFrame::default();
        enc.encode(&stereo_tone(0), &mut out).expect("encode");
        dec.decode(&out, &mut pcm).expect("decode");
        assert_eq!(pcm.samples_per_channel(), 960);
        dec.conceal(&mut pcm).expect("conceal");
        assert_eq!(pcm.samples_per_channel(), 960);
        enc.encode(&stereo_tone(1), &mut out).expect("encode");
        dec.decode_fec(&out, &mut pcm).expect("fec");
        assert_eq!(pcm.samples_per_channel(), 960);
    }
}
