//! H.264 encoder and decoder over OpenH264 (the `openh264` crate, which builds the bundled OpenH264
//! source).
//!
//! The encoder makes a Constrained Baseline stream for real-time camera video: bitrate rate control
//! without frame skipping, one slice per picture, one thread, and SPS + PPS in front of every IDR. Each
//! frame comes out as one Annex B access unit with 4-byte start codes, what
//! [`H264Payloader`](crate::h264::H264Payloader) takes and [`H264Depayloader`](crate::h264::H264Depayloader)
//! gives back. Its bitrate can change between frames and an IDR can be requested at any time; a frame of
//! another size re-creates the encoder. The decoder turns one complete access unit into an I420 picture.
//!
//! Frame sizes must be even (4:2:0 H.264 crops in 2-pixel steps), at least 16×16 and at most 3840×2160
//! (or 2160×3840). OpenH264 clamps the frame rate given for rate control to 1–60 fps.
//!
//! The `openh264` crate's safe API does everything but the bitrate change and silencing OpenH264's log
//! (it writes to stderr), which go through the raw `SetOption`: those calls are the only `unsafe` code here.

#![allow(unsafe_code)]

use std::os::raw::c_int;

use ::openh264 as lib;
use lib::decoder::{Decoder, DecoderConfig};
use lib::encoder::{
    BitRate, Encoder, EncoderConfig, FrameRate, FrameType, IntraFramePeriod, Profile, RateControlMode, SpsPpsStrategy,
    UsageType,
};
use lib::formats::YUVSource;
use lib::{OpenH264API, Timestamp};
use openh264_sys2 as ffi;

use ortc_rtp_packet::TimestampUnwrapper;

use crate::CodecError;
use crate::media::{EncodedVideo, VideoDecoder, VideoEncoder, VideoFrame};

/// The highest frame rate OpenH264's rate control takes.
const MAX_FRAMERATE: u32 = 60;

/// What an [`H264Encoder`] is made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct H264EncoderConfig {
    /// Width in pixels (even); a frame of another size re-creates the encoder (and starts with an IDR).
    pub width: u32,
    /// Height in pixels (even).
    pub height: u32,
    /// Target bitrate in bit/s.
    pub bitrate: u32,
    /// Expected frame rate, for rate control (OpenH264 clamps it to 1–60).
    pub framerate: u32,
    /// Largest distance between IDR frames, in frames; 0 for IDRs only at the start and on request.
    pub keyframe_interval: u32,
}

impl Default for H264EncoderConfig {
    /// 640×480 at 30 fps, 1 Mbit/s, an IDR at least every 3000 frames.
    fn default() -> Self {
        Self {
            width: 640,
            height: 480,
            bitrate: 1_000_000,
            framerate: 30,
            keyframe_interval: 3000,
        }
    }
}

/// Maps an error of the `openh264` crate: its native code (an OpenH264 return value or decoding state), 0
/// when the wrapper itself failed.
fn lib_error(function: &'static str) -> impl Fn(lib::Error) -> CodecError {
    move |e| CodecError::OpenH264 {
        function,
        code: e.native_code(),
    }
}

fn check_dimensions(width: u32, height: u32) -> Result<(), CodecError> {
    let (long, short) = (width.max(height), width.min(height));
    if short < 16 || long > 3840 || short > 2160 || !width.is_multiple_of(2) || !height.is_multiple_of(2) {
        return Err(CodecError::BadDimensions { width, height });
    }
    Ok(())
}

/// The bitrate as OpenH264's `int`, if it is one the encoder takes.
fn check_bitrate(bits_per_second: u32) -> Result<c_int, CodecError> {
    c_int::try_from(bits_per_second)
        .ok()
        .filter(|&b| b >= 1000)
        .ok_or(CodecError::UnsupportedBitrate(bits_per_second))
}

/// A tightly packed [`VideoFrame`] seen as the `openh264` crate's YUV source.
struct I420<'a>(&'a VideoFrame);

impl YUVSource for I420<'_> {
    fn dimensions(&self) -> (usize, usize) {
        (self.0.width as usize, self.0.height as usize)
    }

    fn strides(&self) -> (usize, usize, usize) {
        let chroma = self.0.chroma_width() as usize;
        (self.0.width as usize, chroma, chroma)
    }

    fn y(&self) -> &[u8] {
        &self.0.y
    }

    fn u(&self) -> &[u8] {
        &self.0.u
    }

    fn v(&self) -> &[u8] {
        &self.0.v
    }
}

/// H.264 encoder (Constrained Baseline, real-time camera settings).
pub struct H264Encoder {
    config: H264EncoderConfig,
    inner: Encoder,
    /// True once a frame went through, so OpenH264 is initialized (the crate initializes it lazily, on the
    /// first frame, from the frame's size).
    started: bool,
    force_keyframe: bool,
    /// RTP timestamps unwrapped to 64 bits: the encoder takes growing presentation times.
    timestamps: TimestampUnwrapper,
}

impl std::fmt::Debug for H264Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("H264Encoder")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// An OpenH264 encoder (not yet initialized: that happens on its first frame) for `config`.
fn make_encoder(config: &H264EncoderConfig) -> Result<Encoder, CodecError> {
    let framerate = config.framerate.clamp(1, MAX_FRAMERATE);
    let lib_config = EncoderConfig::new()
        .profile(Profile::Baseline)
        .usage_type(UsageType::CameraVideoRealTime)
        .rate_control_mode(RateControlMode::Bitrate)
        .bitrate(BitRate::from_bps(config.bitrate))
        // invariant: clamped to at most 60, so it fits a u8
        .max_frame_rate(FrameRate::from_hz(f32::from(framerate as u8)))
        .skip_frames(false)
        .sps_pps_strategy(SpsPpsStrategy::ConstantId)
        .intra_frame_period(IntraFramePeriod::from_num_frames(config.keyframe_interval))
        .num_threads(1);
    let mut encoder =
        Encoder::with_api_config(OpenH264API::from_source(), lib_config).map_err(lib_error("WelsCreateSVCEncoder"))?;
    // OpenH264 logs to stderr, and warns on initialization that rate control without frame skipping may
    // overshoot; the wrapper silences it only after initializing, so silence it before.
    let mut level: c_int = ffi::WELS_LOG_QUIET;
    // SAFETY: the trace level is one of the options OpenH264 takes before initialization; it reads a
    // uint32_t (the size of this c_int, whose value 0 is the same in both) through the pointer, which lives
    // across the call. The wrapper sets the same (quiet) level itself after initializing, so nothing it
    // relies on changes.
    let code = unsafe {
        encoder
            .raw_api()
            .set_option(ffi::ENCODER_OPTION_TRACE_LEVEL, (&raw mut level).cast())
    };
    if code != 0 {
        return Err(CodecError::OpenH264 {
            function: "SetOption(ENCODER_OPTION_TRACE_LEVEL)",
            code: code.into(),
        });
    }
    Ok(encoder)
}

impl H264Encoder {
    /// An encoder with `config`.
    pub fn new(config: H264EncoderConfig) -> Result<Self, CodecError> {
        check_dimensions(config.width, config.height)?;
        check_bitrate(config.bitrate)?;
        Ok(Self {
            config,
            inner: make_encoder(&config)?,
            started: false,
            force_keyframe: false,
            timestamps: TimestampUnwrapper::new(),
        })
    }

    /// The configuration in force (reflecting later bitrate changes and frame sizes).
    pub fn config(&self) -> H264EncoderConfig {
        self.config
    }

    /// Sets one of the bitrate options (`SBitrateInfo` argument) of the initialized encoder.
    fn set_rate_option(
        &mut self,
        function: &'static str,
        option: ffi::ENCODER_OPTION,
        layer: ffi::LAYER_NUM,
        bitrate: c_int,
    ) -> Result<(), CodecError> {
        let mut info = ffi::SBitrateInfo {
            iLayer: layer,
            iBitrate: bitrate,
        };
        // SAFETY: the encoder is initialized (`started`), and both bitrate options take a pointer to an
        // SBitrateInfo, which lives across the call; OpenH264 reads it and keeps no pointer to it. The raw
        // API's own condition, not to change what the wrapper relies on: the wrapper reuses its config
        // only to re-initialize for a new frame size, which never happens here (a new size re-creates the
        // whole encoder from our config, which carries the new bitrate).
        let code = unsafe { self.inner.raw_api().set_option(option, (&raw mut info).cast()) };
        if code == 0 {
            Ok(())
        } else {
            Err(CodecError::OpenH264 {
                function,
                code: code.into(),
            })
        }
    }
}

impl VideoEncoder for H264Encoder {
    fn encode(&mut self, frame: &VideoFrame, out: &mut EncodedVideo) -> Result<bool, CodecError> {
        frame.check()?;
        if (frame.width, frame.height) != (self.config.width, self.config.height) {
            let config = H264EncoderConfig {
                width: frame.width,
                height: frame.height,
                ..self.config
            };
            *self = Self::new(config)?;
        }
        let pts = self.timestamps.unwrap(frame.timestamp);
        // invariant: the max makes it non-negative
        let millis = Timestamp::from_millis((pts.max(0) / 90).cast_unsigned());
        if std::mem::take(&mut self.force_keyframe) && self.started {
            // (before the first frame there is nothing to force: it is an IDR anyway)
            self.inner.force_intra_frame();
        }
        out.data.clear();
        out.keyframe = false;
        out.timestamp = frame.timestamp;
        let produced = match self.inner.encode_at(&I420(frame), millis) {
            Ok(stream) => {
                let kind = stream.frame_type();
                if matches!(kind, FrameType::Skip | FrameType::Invalid) {
                    false
                } else {
                    stream.write_vec(&mut out.data);
                    out.keyframe = kind == FrameType::IDR;
                    !out.data.is_empty()
                }
            }
            Err(e) => {
                // start over from a fresh encoder, whatever state OpenH264 was left in
                let err = lib_error("EncodeFrame")(e);
                self.inner = make_encoder(&self.config)?;
                self.started = false;
                return Err(err);
            }
        };
        self.started = true;
        Ok(produced)
    }

    fn set_bitrate(&mut self, bits_per_second: u32) -> Result<(), CodecError> {
        let bitrate = check_bitrate(bits_per_second)?;
        if !self.started {
            // OpenH264 takes options only once initialized, which is on the first frame: until then, make
            // the encoder again with the new bitrate
            let config = H264EncoderConfig {
                bitrate: bits_per_second,
                ..self.config
            };
            self.inner = make_encoder(&config)?;
            self.config = config;
            return Ok(());
        }
        // The layer's maximum bitrate equals its target (as the encoder was made), and OpenH264 rejects a
        // target above the maximum: going up, raise the maximum first; going down, lower it last.
        let max = |e: &mut Self| {
            e.set_rate_option(
                "SetOption(ENCODER_OPTION_MAX_BITRATE)",
                ffi::ENCODER_OPTION_MAX_BITRATE,
                ffi::SPATIAL_LAYER_0,
                bitrate,
            )
        };
        let target = |e: &mut Self| {
            e.set_rate_option(
                "SetOption(ENCODER_OPTION_BITRATE)",
                ffi::ENCODER_OPTION_BITRATE,
                ffi::SPATIAL_LAYER_ALL,
                bitrate,
            )
        };
        if bits_per_second > self.config.bitrate {
            max(self)?;
            target(self)?;
        } else {
            target(self)?;
            max(self)?;
        }
        self.config.bitrate = bits_per_second;
        Ok(())
    }

    fn request_keyframe(&mut self) {
        self.force_keyframe = true;
    }
}

/// H.264 decoder producing I420 pictures.
pub struct H264Decoder {
    inner: Decoder,
}

impl std::fmt::Debug for H264Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("H264Decoder").finish_non_exhaustive()
    }
}

impl H264Decoder {
    /// A decoder (error concealment off: a picture that cannot be decoded whole is an error).
    pub fn new() -> Result<Self, CodecError> {
        let inner = Decoder::with_api_config(OpenH264API::from_source(), DecoderConfig::new())
            .map_err(lib_error("WelsCreateDecoder"))?;
        Ok(Self { inner })
    }
}

/// Copies `rows` rows of `width` bytes from a plane with `stride` bytes per row into a packed buffer.
fn copy_plane(
    plane: &'static str,
    src: &[u8],
    stride: usize,
    width: usize,
    rows: usize,
    dst: &mut [u8],
) -> Result<(), CodecError> {
    if width == 0 || rows == 0 {
        return Ok(());
    }
    let needed = stride * (rows - 1) + width;
    if stride < width || src.len() < needed {
        return Err(CodecError::PlaneTooSmall {
            plane,
            needed,
            got: src.len(),
        });
    }
    for (out, line) in dst.chunks_exact_mut(width).take(rows).zip(src.chunks(stride)) {
        out.copy_from_slice(&line[..width]);
    }
    Ok(())
}

impl VideoDecoder for H264Decoder {
    fn decode(&mut self, data: &[u8], timestamp: u32, out: &mut VideoFrame) -> Result<bool, CodecError> {
        if data.is_empty() {
            return Err(CodecError::EmptyFrame);
        }
        let picture = self.inner.decode(data).map_err(lib_error("DecodeFrameNoDelay"))?;
        let Some(picture) = picture else {
            return Ok(false);
        };
        let (w, h) = picture.dimensions();
        let (width, height) = match (u32::try_from(w), u32::try_from(h)) {
            (Ok(width), Ok(height)) if width > 0 && height > 0 => (width, height),
            _ => {
                return Err(CodecError::BadDimensions {
                    width: w as u32,
                    height: h as u32,
                });
            }
        };
        out.resize(width, height);
        out.timestamp = timestamp;
        let (cw, ch) = (out.chroma_width() as usize, out.chroma_height() as usize);
        let (stride_y, stride_u, stride_v) = picture.strides();
        copy_plane("Y", picture.y(), stride_y, w, h, &mut out.y)?;
        copy_plane("U", picture.u(), stride_u, cw, ch, &mut out.u)?;
        copy_plane("V", picture.v(), stride_v, cw, ch, &mut out.v)?;
        Ok(true)
    }
}
