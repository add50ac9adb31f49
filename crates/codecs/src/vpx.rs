//! VP8 and VP9 encoder and decoder over the system libvpx (raw FFI through `vpx_sys`).
//!
//! The encoder is set up for real-time use: one-pass CBR, no lagged frames, error-resilient, 90 kHz
//! timebase so that frame timestamps are RTP timestamps. Its bitrate can change between frames and a
//! keyframe can be requested at any time. The decoder turns one complete frame into an I420 picture.
//!
//! This is the only module of the crate with `unsafe` code.

#![allow(unsafe_code)]

use std::mem::MaybeUninit;
use std::os::raw::{c_int, c_uint, c_ulong};
use std::ptr;

use vpx_sys as ffi;

use ortc_rtp_packet::TimestampUnwrapper;

use crate::CodecError;
use crate::media::{EncodedVideo, VideoDecoder, VideoEncoder, VideoFrame};

/// Which codec of the libvpx family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VpxCodec {
    /// VP8 (`video/VP8`).
    Vp8,
    /// VP9 profile 0 (`video/VP9`).
    Vp9,
}

/// What a [`VpxEncoder`] is made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VpxEncoderConfig {
    /// VP8 or VP9.
    pub codec: VpxCodec,
    /// Width in pixels; a frame of another size re-creates the encoder (and starts with a keyframe).
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Target bitrate in bit/s.
    pub bitrate: u32,
    /// Expected frame rate, used for the frame duration given to rate control.
    pub framerate: u32,
    /// Largest distance between keyframes, in frames.
    pub keyframe_interval: u32,
    /// Spatial layers (SVC, VP9 only): 1 to 5. With more than one, each frame is a superframe holding one
    /// frame per layer, lowest first, each layer half the width and height of the next; the bitrate is
    /// shared 1 : 2 : 4 … between them. Send it with [`Vp9Payloader::scalable`](crate::vp9::Vp9Payloader::scalable)
    /// and [`VpxEncoder::layer_resolutions`].
    pub spatial_layers: u8,
}

impl Default for VpxEncoderConfig {
    /// VP8, 640×480 at 30 fps, 1 Mbit/s, a keyframe at least every 3000 frames, one spatial layer.
    fn default() -> Self {
        Self {
            codec: VpxCodec::Vp8,
            width: 640,
            height: 480,
            bitrate: 1_000_000,
            framerate: 30,
            keyframe_interval: 3000,
            spatial_layers: 1,
        }
    }
}

fn check(function: &'static str, err: ffi::vpx_codec_err_t) -> Result<(), CodecError> {
    if err == ffi::vpx_codec_err_t::VPX_CODEC_OK {
        Ok(())
    } else {
        Err(CodecError::Vpx {
            function,
            code: err as i32,
        })
    }
}

/// An initialized libvpx context, destroyed on drop. Boxed so that its address stays fixed.
struct Context(Box<ffi::vpx_codec_ctx_t>);

impl Context {
    #[allow(clippy::unnecessary_box_returns)] // boxed on purpose: libvpx must see a fixed address
    fn zeroed() -> Box<ffi::vpx_codec_ctx_t> {
        // SAFETY: vpx_codec_ctx_t is a plain C struct (pointers, integers, a union of pointers) for which
        // all-zero is the documented "not initialized" state the init functions expect.
        Box::new(unsafe { std::mem::zeroed() })
    }

    fn as_mut_ptr(&mut self) -> *mut ffi::vpx_codec_ctx_t {
        &raw mut *self.0
    }
}

impl Drop for Context {
    fn drop(&mut self) {
        // SAFETY: the context was initialized by vpx_codec_enc_init_ver / vpx_codec_dec_init_ver (a
        // Context is only built after a successful init) and is destroyed exactly once, here.
        unsafe { ffi::vpx_codec_destroy(self.as_mut_ptr()) };
    }
}

// SAFETY: a libvpx context has no thread affinity; it is only used through `&mut self`, so never from
// two threads at once.
unsafe impl Send for Context {}

fn encoder_iface(codec: VpxCodec) -> *mut ffi::vpx_codec_iface_t {
    // SAFETY: these return pointers to static interface tables inside libvpx; no arguments.
    unsafe {
        match codec {
            VpxCodec::Vp8 => ffi::vpx_codec_vp8_cx(),
            VpxCodec::Vp9 => ffi::vpx_codec_vp9_cx(),
        }
    }
}

fn decoder_iface(codec: VpxCodec) -> *mut ffi::vpx_codec_iface_t {
    // SAFETY: as above, static interface tables.
    unsafe {
        match codec {
            VpxCodec::Vp8 => ffi::vpx_codec_vp8_dx(),
            VpxCodec::Vp9 => ffi::vpx_codec_vp9_dx(),
        }
    }
}

/// Turns a new VP9 encoder into a spatially scalable one with `layers` layers, each half the size of the next.
fn enable_svc(ctx: &mut Context, layers: u8, cpu_used: c_int) -> Result<(), CodecError> {
    // SAFETY: ctx is an initialized VP9 encoder; VP9E_SET_SVC takes one int argument.
    check("vpx_codec_control(VP9E_SET_SVC)", unsafe {
        ffi::vpx_codec_control_(
            ctx.as_mut_ptr(),
            ffi::vp8e_enc_control_id::VP9E_SET_SVC as c_int,
            1 as c_int,
        )
    })?;
    // SAFETY: all-zero is a valid vpx_svc_extra_cfg_t (plain integers); the fields used are set below.
    let mut svc: ffi::vpx_svc_extra_cfg_t = unsafe { std::mem::zeroed() };
    let layers = usize::from(layers);
    for s in 0..layers {
        svc.max_quantizers[s] = 56;
        svc.min_quantizers[s] = 2;
        svc.scaling_factor_num[s] = 1;
        svc.scaling_factor_den[s] = 1 << (layers - 1 - s);
        svc.speed_per_layer[s] = cpu_used;
    }
    // SAFETY: VP9E_SET_SVC_PARAMETERS takes a pointer to a vpx_svc_extra_cfg_t, read during the call.
    check("vpx_codec_control(VP9E_SET_SVC_PARAMETERS)", unsafe {
        ffi::vpx_codec_control_(
            ctx.as_mut_ptr(),
            ffi::vp8e_enc_control_id::VP9E_SET_SVC_PARAMETERS as c_int,
            &raw mut svc,
        )
    })?;
    Ok(())
}

/// Shares `cfg.rc_target_bitrate` between `layers` spatial layers in the ratio 1 : 2 : 4 …
fn split_layer_bitrates(cfg: &mut ffi::vpx_codec_enc_cfg_t, layers: u8) {
    let total = cfg.rc_target_bitrate;
    let weights = (1u32 << layers) - 1;
    for s in 0..usize::from(layers) {
        let kbps = (total * (1 << s) / weights).max(1);
        cfg.ss_target_bitrate[s] = kbps;
        cfg.layer_target_bitrate[s] = kbps;
    }
}

/// VP8/VP9 encoder.
pub struct VpxEncoder {
    config: VpxEncoderConfig,
    cfg: ffi::vpx_codec_enc_cfg_t,
    ctx: Context,
    force_keyframe: bool,
    /// RTP timestamps unwrapped to 64 bits: the encoder takes growing presentation times.
    timestamps: TimestampUnwrapper,
}

// SAFETY: `cfg` holds only null pointers (no two-pass stats are used) and `ctx` is Send (above).
unsafe impl Send for VpxEncoder {}

impl std::fmt::Debug for VpxEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VpxEncoder")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl VpxEncoder {
    /// An encoder with `config`.
    pub fn new(config: VpxEncoderConfig) -> Result<Self, CodecError> {
        if config.width == 0 || config.height == 0 || config.width > 16_384 || config.height > 16_384 {
            return Err(CodecError::BadDimensions {
                width: config.width,
                height: config.height,
            });
        }
        if config.bitrate < 1000 {
            return Err(CodecError::UnsupportedBitrate(config.bitrate));
        }
        let max_layers = match config.codec {
            VpxCodec::Vp8 => 1,
            VpxCodec::Vp9 => ffi::VPX_SS_MAX_LAYERS as u8,
        };
        if !(1..=max_layers).contains(&config.spatial_layers) {
            return Err(CodecError::UnsupportedSpatialLayers(config.spatial_layers));
        }
        let iface = encoder_iface(config.codec);
        // (its enums have no zero value, so it is not zero-initialized but written by libvpx)
        let mut cfg = MaybeUninit::<ffi::vpx_codec_enc_cfg_t>::uninit();
        // SAFETY: iface is a valid encoder interface and cfg points at writable memory for the struct.
        check("vpx_codec_enc_config_default", unsafe {
            ffi::vpx_codec_enc_config_default(iface, cfg.as_mut_ptr(), 0)
        })?;
        // SAFETY: vpx_codec_enc_config_default succeeded, so it wrote the whole struct.
        let mut cfg = unsafe { cfg.assume_init() };
        cfg.g_w = config.width;
        cfg.g_h = config.height;
        cfg.g_timebase.num = 1;
        cfg.g_timebase.den = 90_000;
        cfg.g_threads = 1;
        cfg.g_lag_in_frames = 0;
        cfg.g_error_resilient = ffi::VPX_ERROR_RESILIENT_DEFAULT;
        cfg.g_pass = ffi::vpx_enc_pass::VPX_RC_ONE_PASS;
        cfg.rc_end_usage = ffi::vpx_rc_mode::VPX_CBR;
        cfg.rc_target_bitrate = config.bitrate / 1000;
        cfg.rc_min_quantizer = 2;
        cfg.rc_max_quantizer = 56;
        cfg.rc_undershoot_pct = 100;
        cfg.rc_overshoot_pct = 15;
        cfg.rc_buf_initial_sz = 500;
        cfg.rc_buf_optimal_sz = 600;
        cfg.rc_buf_sz = 1000;
        cfg.rc_dropframe_thresh = 0;
        cfg.kf_mode = ffi::vpx_kf_mode::VPX_KF_AUTO;
        cfg.kf_max_dist = config.keyframe_interval.max(1);
        if config.spatial_layers > 1 {
            cfg.ss_number_layers = c_uint::from(config.spatial_layers);
            cfg.ts_number_layers = 1;
            cfg.ts_rate_decimator[0] = 1;
            cfg.temporal_layering_mode =
                ffi::VP9E_TEMPORAL_LAYERING_MODE::VP9E_TEMPORAL_LAYERING_MODE_NOLAYERING as c_int;
            split_layer_bitrates(&mut cfg, config.spatial_layers);
        }

        let mut raw = Context::zeroed();
        // SAFETY: raw is a zeroed context, iface and cfg are valid; the ABI version is the one the
        // bindings were generated for. On failure libvpx leaves nothing to destroy.
        check("vpx_codec_enc_init_ver", unsafe {
            ffi::vpx_codec_enc_init_ver(
                &raw mut *raw,
                iface,
                &raw const cfg,
                0,
                ffi::VPX_ENCODER_ABI_VERSION.cast_signed(),
            )
        })?;
        let mut ctx = Context(raw);
        let cpu_used: c_int = match config.codec {
            VpxCodec::Vp8 => -6,
            VpxCodec::Vp9 => 7,
        };
        // SAFETY: ctx is an initialized encoder; VP8E_SET_CPUUSED takes one int argument.
        check("vpx_codec_control(VP8E_SET_CPUUSED)", unsafe {
            ffi::vpx_codec_control_(
                ctx.as_mut_ptr(),
                ffi::vp8e_enc_control_id::VP8E_SET_CPUUSED as c_int,
                cpu_used,
            )
        })?;
        if config.spatial_layers > 1 {
            enable_svc(&mut ctx, config.spatial_layers, cpu_used)?;
        }
        Ok(Self {
            config,
            cfg,
            ctx,
            force_keyframe: false,
            timestamps: TimestampUnwrapper::new(),
        })
    }

    /// Width and height of each spatial layer, lowest first (one entry without SVC), as libvpx scales them.
    pub fn layer_resolutions(&self) -> Vec<(u16, u16)> {
        let layers = u32::from(self.config.spatial_layers);
        (0..layers)
            .map(|s| {
                let den = 1u32 << (layers - 1 - s);
                // in SVC mode libvpx scales down, then rounds an odd result up to even
                let scale = |v: u32| {
                    let scaled = if layers > 1 { v / den + (v / den) % 2 } else { v };
                    u16::try_from(scaled).unwrap_or(u16::MAX)
                };
                (scale(self.config.width), scale(self.config.height))
            })
            .collect()
    }

    /// The configuration in force (reflecting later bitrate changes and frame sizes).
    pub fn config(&self) -> VpxEncoderConfig {
        self.config
    }
}

impl VideoEncoder for VpxEncoder {
    fn encode(&mut self, frame: &VideoFrame, out: &mut EncodedVideo) -> Result<bool, CodecError> {
        frame.check()?;
        if (frame.width, frame.height) != (self.config.width, self.config.height) {
            let config = VpxEncoderConfig {
                width: frame.width,
                height: frame.height,
                ..self.config
            };
            *self = Self::new(config)?;
        }
        let pts = self.timestamps.unwrap(frame.timestamp);
        let duration = c_ulong::from(90_000 / self.config.framerate.max(1));

        // vpx_img_wrap describes an I420 image of the frame's size; we then point its planes at the
        // frame's own buffers, which `frame.check()` showed to be large enough for the strides and rows
        // given. libvpx only reads the input image, so the const-to-mut casts are never written through,
        // and the image does not outlive this call.
        let mut img = MaybeUninit::<ffi::vpx_image_t>::uninit();
        // SAFETY: `img` points at writable memory for the struct, which vpx_img_wrap fills in whole on
        // success; the data pointer is non-null.
        let wrapped = unsafe {
            ffi::vpx_img_wrap(
                img.as_mut_ptr(),
                ffi::vpx_img_fmt::VPX_IMG_FMT_I420,
                frame.width,
                frame.height,
                1,
                frame.y.as_ptr().cast_mut(),
            )
        };
        if wrapped.is_null() {
            return Err(CodecError::Vpx {
                function: "vpx_img_wrap",
                code: ffi::vpx_codec_err_t::VPX_CODEC_INVALID_PARAM as i32,
            });
        }
        // SAFETY: vpx_img_wrap succeeded, so it initialized the whole image.
        let mut img = unsafe { img.assume_init() };
        img.planes[0] = frame.y.as_ptr().cast_mut();
        img.planes[1] = frame.u.as_ptr().cast_mut();
        img.planes[2] = frame.v.as_ptr().cast_mut();
        // invariant: the width is at most 16384 (checked by `new`), so the strides fit a c_int
        img.stride[0] = frame.width.cast_signed();
        img.stride[1] = frame.chroma_width().cast_signed();
        img.stride[2] = frame.chroma_width().cast_signed();

        let flags = if std::mem::take(&mut self.force_keyframe) {
            ffi::vpx_enc_frame_flags_t::from(ffi::VPX_EFLAG_FORCE_KF)
        } else {
            0
        };
        // SAFETY: ctx is an initialized encoder and img a valid I420 image (above).
        check("vpx_codec_encode", unsafe {
            ffi::vpx_codec_encode(
                self.ctx.as_mut_ptr(),
                &raw const img,
                pts,
                duration,
                flags,
                c_ulong::from(ffi::VPX_DL_REALTIME),
            )
        })?;

        out.data.clear();
        out.keyframe = false;
        out.timestamp = frame.timestamp;
        let mut produced = false;
        let mut iter: ffi::vpx_codec_iter_t = ptr::null();
        loop {
            // SAFETY: ctx is an initialized encoder; iter starts null and is only advanced by libvpx.
            let pkt = unsafe { ffi::vpx_codec_get_cx_data(self.ctx.as_mut_ptr(), &raw mut iter) };
            // SAFETY: a non-null packet is valid until the next call on this context.
            let Some(pkt) = (unsafe { pkt.as_ref() }) else { break };
            if pkt.kind != ffi::vpx_codec_cx_pkt_kind::VPX_CODEC_CX_FRAME_PKT {
                continue;
            }
            // SAFETY: `kind` says the union holds a frame; buf/sz describe libvpx's output buffer.
            let data = unsafe {
                let f = &pkt.data.frame;
                std::slice::from_raw_parts(f.buf.cast::<u8>(), f.sz as usize)
            };
            // SAFETY: as above, the union holds a frame.
            let key = unsafe { pkt.data.frame.flags } & ffi::VPX_FRAME_IS_KEY != 0;
            out.data.extend_from_slice(data);
            out.keyframe |= key;
            produced = true;
        }
        Ok(produced)
    }

    fn set_bitrate(&mut self, bits_per_second: u32) -> Result<(), CodecError> {
        if bits_per_second < 1000 {
            return Err(CodecError::UnsupportedBitrate(bits_per_second));
        }
        self.cfg.rc_target_bitrate = bits_per_second / 1000;
        if self.config.spatial_layers > 1 {
            split_layer_bitrates(&mut self.cfg, self.config.spatial_layers);
        }
        // SAFETY: ctx is an initialized encoder and cfg the configuration it was made with.
        check("vpx_codec_enc_config_set", unsafe {
            ffi::vpx_codec_enc_config_set(self.ctx.as_mut_ptr(), &raw const self.cfg)
        })?;
        self.config.bitrate = bits_per_second;
        Ok(())
    }

    fn request_keyframe(&mut self) {
        self.force_keyframe = true;
    }
}

/// VP8/VP9 decoder producing I420 pictures.
pub struct VpxDecoder {
    codec: VpxCodec,
    ctx: Context,
}

impl std::fmt::Debug for VpxDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VpxDecoder")
            .field("codec", &self.codec)
            .finish_non_exhaustive()
    }
}

impl VpxDecoder {
    /// A decoder for `codec`.
    pub fn new(codec: VpxCodec) -> Result<Self, CodecError> {
        let cfg = ffi::vpx_codec_dec_cfg_t { threads: 1, w: 0, h: 0 };
        let mut raw = Context::zeroed();
        // SAFETY: raw is a zeroed context, the interface and cfg are valid; ABI version as generated.
        check("vpx_codec_dec_init_ver", unsafe {
            ffi::vpx_codec_dec_init_ver(
                &raw mut *raw,
                decoder_iface(codec),
                &raw const cfg,
                0,
                ffi::VPX_DECODER_ABI_VERSION.cast_signed(),
            )
        })?;
        Ok(Self {
            codec,
            ctx: Context(raw),
        })
    }
}

/// Copies `rows` rows of `width` bytes from a strided plane into a packed buffer.
///
/// # Safety
/// `src` must point at `rows` rows of at least `width` readable bytes each, `stride` bytes apart.
unsafe fn copy_plane(src: *const u8, stride: c_int, width: usize, rows: usize, dst: &mut [u8]) {
    for (row, out) in dst.chunks_exact_mut(width).take(rows).enumerate() {
        // SAFETY: the caller guarantees the row is readable; `out` is exactly `width` bytes.
        unsafe {
            let line = src.offset(row.cast_signed() * stride as isize);
            ptr::copy_nonoverlapping(line, out.as_mut_ptr(), width);
        }
    }
}

impl VideoDecoder for VpxDecoder {
    fn decode(&mut self, data: &[u8], timestamp: u32, out: &mut VideoFrame) -> Result<bool, CodecError> {
        if data.is_empty() {
            return Err(CodecError::EmptyFrame);
        }
        let len = c_uint::try_from(data.len()).map_err(|_| CodecError::FrameTooLarge {
            limit: u32::MAX as usize,
        })?;
        // SAFETY: ctx is an initialized decoder; data/len describe a readable buffer that libvpx does not
        // keep past the call.
        check("vpx_codec_decode", unsafe {
            ffi::vpx_codec_decode(self.ctx.as_mut_ptr(), data.as_ptr(), len, ptr::null_mut(), 0)
        })?;
        let mut iter: ffi::vpx_codec_iter_t = ptr::null();
        let mut produced = false;
        loop {
            // SAFETY: ctx is an initialized decoder; iter starts null and is only advanced by libvpx.
            let img = unsafe { ffi::vpx_codec_get_frame(self.ctx.as_mut_ptr(), &raw mut iter) };
            // SAFETY: a non-null image is valid until the next decode call on this context.
            let Some(img) = (unsafe { img.as_ref() }) else { break };
            if img.fmt != ffi::vpx_img_fmt::VPX_IMG_FMT_I420 {
                return Err(CodecError::UnsupportedPixelFormat(img.fmt as u32));
            }
            out.resize(img.d_w, img.d_h);
            out.timestamp = timestamp;
            let (w, h) = (img.d_w as usize, img.d_h as usize);
            let (cw, ch) = (out.chroma_width() as usize, out.chroma_height() as usize);
            // SAFETY: libvpx's I420 image has d_h rows of d_w luma bytes and ⌈d_h/2⌉ rows of ⌈d_w/2⌉
            // chroma bytes per plane at the given strides.
            unsafe {
                copy_plane(img.planes[0], img.stride[0], w, h, &mut out.y);
                copy_plane(img.planes[1], img.stride[1], cw, ch, &mut out.u);
                copy_plane(img.planes[2], img.stride[2], cw, ch, &mut out.v);
            }
            produced = true;
        }
        Ok(produced)
    }
}
