//! Encoding and decoding off the reactor: one thread per stream, fed and drained through bounded channels.
//!
//! The driver task never runs a codec. A sender whose track gives raw frames gets an encoder thread (the
//! codec of its first negotiated payload type); a receiver whose codec this stack can decode gets a decoder
//! thread in front of its track. A thread that falls behind loses frames at its bounded input, counted;
//! nothing queues without bound.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use ortc_codecs::{
    AudioDecoder, AudioEncoder, AudioFrame, CodecError, EncodedVideo, VideoDecoder, VideoEncoder, VideoFrame,
};
use tokio::sync::mpsc;

use crate::track::{EncodedFrame, MediaFrame};

/// Raw frames queued for an encoder at most (a few: a frame that waits longer is stale).
pub(crate) const ENCODER_QUEUE: usize = 4;
/// Encoded frames queued for a decoder at most.
pub(crate) const DECODER_QUEUE: usize = 32;

/// The codec a MIME type names, for encoding or decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CodecKind {
    Vp8,
    Vp9,
    H264,
    Opus,
    Pcmu,
    Pcma,
    G722,
}

impl CodecKind {
    /// The codec of `mime_type`, if this stack codes it.
    pub(crate) fn from_mime(mime_type: &str) -> Option<Self> {
        let name = mime_type.rsplit('/').next().unwrap_or(mime_type).to_ascii_lowercase();
        Some(match name.as_str() {
            "vp8" => Self::Vp8,
            "vp9" => Self::Vp9,
            "h264" => Self::H264,
            "opus" => Self::Opus,
            "pcmu" => Self::Pcmu,
            "pcma" => Self::Pcma,
            "g722" => Self::G722,
            _ => return None,
        })
    }
}

/// What goes into an encoder thread.
#[derive(Debug)]
pub(crate) enum EncoderInput {
    Frame(MediaFrame),
    Keyframe,
    /// A new target bitrate, bits per second (REMB, or the bandwidth estimate).
    Bitrate(u32),
}

/// Counters an encoder or decoder thread keeps (shared with the driver, read for statistics).
#[derive(Debug, Default)]
pub(crate) struct CodecCounters {
    /// Frames coded.
    pub(crate) frames: AtomicU64,
    /// Keyframes coded (video).
    pub(crate) keyframes: AtomicU64,
    /// Frames the codec failed on.
    pub(crate) errors: AtomicU64,
    /// Frames dropped at the thread's full input.
    pub(crate) dropped: AtomicU64,
    /// The size of the last picture coded (video), width in the high 32 bits: `frameWidth` / `frameHeight`.
    pub(crate) size: AtomicU64,
    /// The encoder's target bitrate in bit/s, 0 until known — `targetBitrate`.
    pub(crate) target_bitrate: AtomicU64,
    /// Raw frames the track gave the encoder — media-source `frames`.
    pub(crate) source_frames: AtomicU64,
    /// The linear audio level (0..1) of the last raw audio frame, as `f64` bits — media-source `audioLevel`.
    pub(crate) source_audio_level: AtomicU64,
    /// The sum of level² × duration over the raw audio frames, as `f64` bits — `totalAudioEnergy`.
    pub(crate) source_audio_energy: AtomicU64,
    /// The seconds of raw audio given, as `f64` bits — `totalSamplesDuration`.
    pub(crate) source_samples_duration: AtomicU64,
}

/// What a codec thread has counted, read at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct CodecCounts {
    pub(crate) frames: u64,
    pub(crate) keyframes: u64,
    pub(crate) errors: u64,
    pub(crate) dropped: u64,
    pub(crate) size: Option<(u32, u32)>,
    pub(crate) target_bitrate: Option<u32>,
    pub(crate) source_frames: u64,
    /// Audio level, energy and duration of the raw audio, once some was given.
    pub(crate) source_audio: Option<(f64, f64, f64)>,
}

impl CodecCounters {
    /// Records the size of a picture coded.
    pub(crate) fn set_size(&self, width: u32, height: u32) {
        self.size
            .store((u64::from(width) << 32) | u64::from(height), Ordering::Relaxed);
    }

    /// The size of the last picture coded, if any.
    pub(crate) fn size(&self) -> Option<(u32, u32)> {
        let v = self.size.load(Ordering::Relaxed);
        (v != 0).then_some(((v >> 32) as u32, v as u32))
    }

    pub(crate) fn get(&self) -> CodecCounts {
        let f = |v: &AtomicU64| f64::from_bits(v.load(Ordering::Relaxed));
        let duration = f(&self.source_samples_duration);
        CodecCounts {
            frames: self.frames.load(Ordering::Relaxed),
            keyframes: self.keyframes.load(Ordering::Relaxed),
            errors: self.errors.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
            size: self.size(),
            target_bitrate: u32::try_from(self.target_bitrate.load(Ordering::Relaxed))
                .ok()
                .filter(|&b| b > 0),
            source_frames: self.source_frames.load(Ordering::Relaxed),
            source_audio: (duration > 0.0)
                .then(|| (f(&self.source_audio_level), f(&self.source_audio_energy), duration)),
        }
    }

    /// Records a raw audio frame from the track (only the encoder thread writes these).
    fn note_source_audio(&self, frame: &AudioFrame) {
        let level = linear_level(&frame.samples);
        #[allow(clippy::cast_precision_loss)] // sample counts far below 2^52
        let duration = if frame.sample_rate == 0 || frame.channels == 0 {
            0.0
        } else {
            frame.samples.len() as f64 / f64::from(frame.channels) / f64::from(frame.sample_rate)
        };
        let add = |v: &AtomicU64, x: f64| {
            v.store(
                (f64::from_bits(v.load(Ordering::Relaxed)) + x).to_bits(),
                Ordering::Relaxed,
            );
        };
        self.source_audio_level.store(level.to_bits(), Ordering::Relaxed);
        add(&self.source_audio_energy, level * level * duration);
        add(&self.source_samples_duration, duration);
    }
}

enum Encoder {
    Video(Option<Box<dyn VideoEncoder>>, EncodedVideo),
    Audio(Box<dyn AudioEncoder>, Vec<u8>),
}

/// The bitrate an encoder starts at, bit/s, until REMB or the bandwidth estimate says otherwise.
const VIDEO_START_BITRATE: u32 = 1_000_000;

fn video_encoder(kind: CodecKind, frame: &VideoFrame, bitrate: u32) -> Result<Box<dyn VideoEncoder>, CodecError> {
    match kind {
        CodecKind::Vp8 | CodecKind::Vp9 => {
            let codec = if kind == CodecKind::Vp8 {
                ortc_codecs::vpx::VpxCodec::Vp8
            } else {
                ortc_codecs::vpx::VpxCodec::Vp9
            };
            let config = ortc_codecs::vpx::VpxEncoderConfig {
                codec,
                width: frame.width,
                height: frame.height,
                bitrate,
                ..ortc_codecs::vpx::VpxEncoderConfig::default()
            };
            Ok(Box::new(ortc_codecs::vpx::VpxEncoder::new(config)?))
        }
        _ => {
            let config = ortc_codecs::openh264::H264EncoderConfig {
                width: frame.width,
                height: frame.height,
                bitrate,
                ..ortc_codecs::openh264::H264EncoderConfig::default()
            };
            Ok(Box::new(ortc_codecs::openh264::H264Encoder::new(config)?))
        }
    }
}

/// The audio encoder for `kind`, its starting bitrate, and whether that bitrate can change (Opus) or is fixed
/// by the codec (G.711, G.722).
fn audio_encoder(kind: CodecKind) -> Result<(Box<dyn AudioEncoder>, u32, bool), CodecError> {
    Ok(match kind {
        CodecKind::Opus => {
            let config = ortc_codecs::opus::OpusEncoderConfig {
                channels: 1,
                ..ortc_codecs::opus::OpusEncoderConfig::default()
            };
            let bitrate = config.bitrate;
            (Box::new(ortc_codecs::opus::OpusEncoder::new(config)?), bitrate, true)
        }
        CodecKind::Pcmu | CodecKind::Pcma => {
            let law = if kind == CodecKind::Pcmu {
                ortc_codecs::g711::G711Law::Ulaw
            } else {
                ortc_codecs::g711::G711Law::Alaw
            };
            (
                Box::new(ortc_codecs::g711::G711Encoder::new(law)),
                ortc_codecs::g711::G711_BITRATE,
                false,
            )
        }
        _ => (
            Box::new(ortc_codecs::g722::G722Encoder::new()),
            ortc_codecs::g722::G722_BITRATE,
            false,
        ),
    })
}

/// Moves the encoder (or, before it exists, the rate it will start at) to `bps`, and records the target.
fn set_bitrate(encoder: &mut Encoder, video: bool, bps: u32, bitrate: &mut u32, counters: &CodecCounters) {
    let target = if video { bps } else { bps.clamp(6_000, 510_000) };
    let ok = match encoder {
        Encoder::Video(Some(e), _) => e.set_bitrate(target).is_ok(),
        // Taken when the encoder is made, at the first frame.
        Encoder::Video(None, _) => true,
        Encoder::Audio(e, _) => e.set_bitrate(target).is_ok(),
    };
    if ok {
        *bitrate = target;
        counters.target_bitrate.store(u64::from(target), Ordering::Relaxed);
    } else {
        counters.errors.fetch_add(1, Ordering::Relaxed);
    }
}

/// Starts an encoder thread for `kind` whose RTP clock is `clock_rate`; encoded frames go to `out`.
pub(crate) fn spawn_encoder(
    kind: CodecKind,
    clock_rate: u32,
    mut input: mpsc::Receiver<EncoderInput>,
    out: impl Fn(EncodedFrame) -> bool + Send + 'static,
    counters: Arc<CodecCounters>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new().name("ortc-encoder".into()).spawn(move || {
        let video = matches!(kind, CodecKind::Vp8 | CodecKind::Vp9 | CodecKind::H264);
        // The bitrate the encoder runs at (or, for video before the first frame, will start at).
        let mut bitrate = VIDEO_START_BITRATE;
        let mut adjustable = true;
        let mut encoder = if video {
            Encoder::Video(None, EncodedVideo::default())
        } else {
            match audio_encoder(kind) {
                Ok((e, start, variable)) => {
                    bitrate = start;
                    adjustable = variable;
                    Encoder::Audio(e, Vec::new())
                }
                Err(e) => {
                    tracing::warn!(error = %e, "audio encoder could not be created");
                    return;
                }
            }
        };
        counters.target_bitrate.store(u64::from(bitrate), Ordering::Relaxed);
        let mut keyframe = true;
        while let Some(msg) = input.blocking_recv() {
            let frame = match msg {
                EncoderInput::Keyframe => {
                    keyframe = true;
                    continue;
                }
                EncoderInput::Bitrate(bps) => {
                    // G.711 and G.722 run at the one rate they have.
                    if adjustable {
                        set_bitrate(&mut encoder, video, bps, &mut bitrate, &counters);
                    }
                    continue;
                }
                EncoderInput::Frame(f) => f,
            };
            counters.source_frames.fetch_add(1, Ordering::Relaxed);
            if let MediaFrame::Audio(a) = &frame {
                counters.note_source_audio(a);
            }
            let encoded = match (&mut encoder, frame) {
                (Encoder::Video(slot, buf), MediaFrame::Video(f)) => {
                    if slot.is_none() {
                        match video_encoder(kind, &f, bitrate) {
                            Ok(e) => *slot = Some(e),
                            Err(e) => {
                                tracing::warn!(error = %e, "video encoder could not be created");
                                counters.errors.fetch_add(1, Ordering::Relaxed);
                                continue;
                            }
                        }
                    }
                    let Some(e) = slot.as_mut() else { continue };
                    if std::mem::take(&mut keyframe) {
                        e.request_keyframe();
                    }
                    counters.set_size(f.width, f.height);
                    match e.encode(&f, buf) {
                        Ok(true) => Some(EncodedFrame {
                            data: Bytes::copy_from_slice(&buf.data),
                            rtp_time: buf.timestamp,
                            keyframe: buf.keyframe,
                            audio_level: None,
                        }),
                        Ok(false) => None,
                        Err(_) => {
                            counters.errors.fetch_add(1, Ordering::Relaxed);
                            None
                        }
                    }
                }
                (Encoder::Audio(e, buf), MediaFrame::Audio(f)) => {
                    encode_audio(e.as_mut(), buf, &f, clock_rate, &counters)
                }
                // A frame of the wrong kind or already encoded never reaches here; count it as an error.
                _ => {
                    counters.errors.fetch_add(1, Ordering::Relaxed);
                    None
                }
            };
            if let Some(frame) = encoded {
                counters.frames.fetch_add(1, Ordering::Relaxed);
                counters
                    .keyframes
                    .fetch_add(u64::from(frame.keyframe && video), Ordering::Relaxed);
                if !out(frame) {
                    return;
                }
            }
        }
    })
}

fn encode_audio(
    encoder: &mut dyn AudioEncoder,
    buf: &mut Vec<u8>,
    frame: &AudioFrame,
    clock_rate: u32,
    counters: &CodecCounters,
) -> Option<EncodedFrame> {
    if encoder.encode(frame, buf).is_err() {
        counters.errors.fetch_add(1, Ordering::Relaxed);
        return None;
    }
    Some(EncodedFrame {
        data: Bytes::copy_from_slice(buf),
        rtp_time: rescale(frame.timestamp, frame.sample_rate, clock_rate),
        keyframe: true,
        audio_level: Some(audio_level(&frame.samples)),
    })
}

/// The W3C linear audio level of 16-bit samples: their RMS amplitude, 1.0 at full scale (0 dBov), 0 for
/// silence — the level RFC 6465's -dBov figure is the logarithm of.
pub(crate) fn linear_level(samples: &[i16]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    #[allow(clippy::cast_precision_loss)] // sample counts far below 2^52
    let mean_square = samples.iter().map(|&s| f64::from(s) * f64::from(s)).sum::<f64>() / samples.len() as f64;
    (mean_square.sqrt() / 32768.0).min(1.0)
}

/// RFC 6464 §4 / RFC 6465 Appendix A: the level of 16-bit samples in -dBov, 0 (full scale) to 127 (silence).
pub(crate) fn audio_level(samples: &[i16]) -> u8 {
    if samples.is_empty() {
        return 127;
    }
    let rms = linear_level(samples);
    if rms <= 0.0 {
        return 127;
    }
    #[allow(clippy::cast_sign_loss)] // clamped to 0..=127 first
    let level = (-20.0 * rms.log10()).round().clamp(0.0, 127.0) as u8;
    level
}

fn decode_audio(
    decoder: &mut dyn AudioDecoder,
    buf: &mut AudioFrame,
    frame: &EncodedFrame,
    counters: &CodecCounters,
) -> Option<MediaFrame> {
    if decoder.decode(&frame.data, buf).is_err() {
        counters.errors.fetch_add(1, Ordering::Relaxed);
        return None;
    }
    buf.timestamp = frame.rtp_time;
    Some(MediaFrame::Audio(buf.clone()))
}

/// A sample count at `from` Hz on a `to` Hz clock (wrapping, as RTP time does).
fn rescale(timestamp: u32, from: u32, to: u32) -> u32 {
    if from == to || from == 0 {
        timestamp
    } else {
        (u64::from(timestamp) * u64::from(to) / u64::from(from)) as u32
    }
}

/// What goes into a decoder thread.
#[derive(Debug)]
pub(crate) enum DecoderInput {
    Frame(EncodedFrame),
    /// Audio: a packet is missing now.
    Conceal,
}

enum Decoder {
    Video(Box<dyn VideoDecoder>, VideoFrame),
    Audio(Box<dyn AudioDecoder>, AudioFrame),
}

fn decoder(kind: CodecKind) -> Result<Decoder, CodecError> {
    Ok(match kind {
        CodecKind::Vp8 => Decoder::Video(
            Box::new(ortc_codecs::vpx::VpxDecoder::new(ortc_codecs::vpx::VpxCodec::Vp8)?),
            VideoFrame::default(),
        ),
        CodecKind::Vp9 => Decoder::Video(
            Box::new(ortc_codecs::vpx::VpxDecoder::new(ortc_codecs::vpx::VpxCodec::Vp9)?),
            VideoFrame::default(),
        ),
        CodecKind::H264 => Decoder::Video(
            Box::new(ortc_codecs::openh264::H264Decoder::new()?),
            VideoFrame::default(),
        ),
        CodecKind::Opus => Decoder::Audio(
            Box::new(ortc_codecs::opus::OpusDecoder::new(48_000, 1)?),
            AudioFrame::default(),
        ),
        CodecKind::Pcmu => Decoder::Audio(
            Box::new(ortc_codecs::g711::G711Decoder::new(ortc_codecs::g711::G711Law::Ulaw)),
            AudioFrame::default(),
        ),
        CodecKind::Pcma => Decoder::Audio(
            Box::new(ortc_codecs::g711::G711Decoder::new(ortc_codecs::g711::G711Law::Alaw)),
            AudioFrame::default(),
        ),
        CodecKind::G722 => Decoder::Audio(Box::new(ortc_codecs::g722::G722Decoder::new()), AudioFrame::default()),
    })
}

/// Starts a decoder thread for `kind`; decoded frames go to `out` (which waits while the track is full:
/// the decoder's own bounded input then drops, counted).
pub(crate) fn spawn_decoder(
    kind: CodecKind,
    mut input: mpsc::Receiver<DecoderInput>,
    out: mpsc::Sender<MediaFrame>,
    counters: Arc<CodecCounters>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new().name("ortc-decoder".into()).spawn(move || {
        let mut decoder = match decoder(kind) {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(error = %e, "decoder could not be created");
                return;
            }
        };
        while let Some(msg) = input.blocking_recv() {
            let decoded = match (&mut decoder, msg) {
                (Decoder::Video(d, buf), DecoderInput::Frame(f)) => match d.decode(&f.data, f.rtp_time, buf) {
                    Ok(true) => {
                        counters.keyframes.fetch_add(u64::from(f.keyframe), Ordering::Relaxed);
                        counters.set_size(buf.width, buf.height);
                        Some(MediaFrame::Video(buf.clone()))
                    }
                    Ok(false) => None,
                    Err(_) => {
                        counters.errors.fetch_add(1, Ordering::Relaxed);
                        None
                    }
                },
                (Decoder::Audio(d, buf), DecoderInput::Frame(f)) => decode_audio(d.as_mut(), buf, &f, &counters),
                (Decoder::Audio(d, buf), DecoderInput::Conceal) => {
                    d.conceal(buf).is_ok().then(|| MediaFrame::Audio(buf.clone()))
                }
                (Decoder::Video(..), DecoderInput::Conceal) => None,
            };
            if let Some(frame) = decoded {
                counters.frames.fetch_add(1, Ordering::Relaxed);
                if out.blocking_send(frame).is_err() {
                    return;
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audio_levels_follow_rfc_6465() {
        // RFC 6465 Appendix A: a full-scale square wave is 0 dBov, a full-scale sine 3 dBov, silence 127.
        let square: Vec<i16> = (0..960).map(|i| if i % 2 == 0 { i16::MAX } else { i16::MIN }).collect();
        assert_eq!(audio_level(&square), 0);
        let sine: Vec<i16> = (0..960)
            .map(|i| (32767.0 * (2.0 * std::f64::consts::PI * f64::from(i) / 48.0).sin()) as i16)
            .collect();
        assert_eq!(audio_level(&sine), 3);
        assert_eq!(audio_level(&[0; 960]), 127);
        assert_eq!(audio_level(&[]), 127);
        // A tenth of full scale is 20 dB down (sine: 23).
        let quiet: Vec<i16> = sine.iter().map(|&s| s / 10).collect();
        assert_eq!(audio_level(&quiet), 23);
    }

    #[test]
    fn codec_names_are_case_insensitive() {
        assert_eq!(CodecKind::from_mime("video/vp8"), Some(CodecKind::Vp8));
        assert_eq!(CodecKind::from_mime("audio/PCMU"), Some(CodecKind::Pcmu));
        assert_eq!(CodecKind::from_mime("video/AV1"), None);
        assert_eq!(rescale(960, 48_000, 8000), 160);
        assert_eq!(rescale(u32::MAX, 48_000, 48_000), u32::MAX);
    }
}
