//! The errors of this crate.

/// Why a payload could not be packetized or depacketized, a capability not parsed, or a frame not encoded
/// or decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// A header or structure ends before its declared length.
    #[error("{what} too short: need {needed} bytes, got {got}")]
    TooShort {
        /// The structure being read (`"VP8 payload descriptor"`, `"STAP-A NAL unit"`, …).
        what: &'static str,
        /// Bytes the structure needs.
        needed: usize,
        /// Bytes available.
        got: usize,
    },
    /// A packet carries a descriptor but no codec data after it.
    #[error("RTP payload has no codec data")]
    EmptyPayload,
    /// The payloader was given an empty frame.
    #[error("empty frame")]
    EmptyFrame,
    /// The payload budget cannot hold even the smallest packet this payloader makes.
    #[error("payload budget {max} bytes is below the {needed} bytes this payloader needs")]
    MaxPayloadTooSmall {
        /// The budget given.
        max: usize,
        /// The smallest usable budget.
        needed: usize,
    },
    /// A frame that must travel in one packet (audio, H.264 packetization-mode 0) does not fit.
    #[error("{size}-byte unit does not fit one {max}-byte payload")]
    TooLargeForPacket {
        /// Bytes of the frame or NAL unit.
        size: usize,
        /// The payload budget.
        max: usize,
    },
    /// A frame being reassembled grew past the depayloader's memory bound.
    #[error("reassembled frame exceeds {limit} bytes")]
    FrameTooLarge {
        /// The bound in bytes.
        limit: usize,
    },
    /// The H.264 `forbidden_zero_bit` is set.
    #[error("H.264 NAL header has the forbidden bit set")]
    ForbiddenBit,
    /// An H.264 NAL unit type that RTP must not carry or that this depayloader does not handle
    /// (0, 30, 31; STAP-B 25, MTAP 26/27, FU-B 29 are interleaved-mode only).
    #[error("unsupported H.264 NAL unit type {0} in RTP payload")]
    UnsupportedNalType(u8),
    /// A continuation fragment (H.264 FU-A, AV1 OBU fragment) arrived with no fragment started.
    #[error("fragment continuation without a start")]
    FragmentWithoutStart,
    /// A fragment started while another was still open, or a frame ended with a fragment open.
    #[error("fragmented unit not terminated")]
    FragmentNotTerminated,
    /// A LEB128 value is longer than 8 bytes or runs past the buffer.
    #[error("malformed LEB128 length")]
    BadLeb128,
    /// A VP9 payload descriptor is malformed (e.g. more than three reference indices).
    #[error("malformed VP9 payload descriptor: {0}")]
    BadVp9Descriptor(&'static str),
    /// A VP9 superframe index is malformed (its frame sizes overrun the data, or a size is zero).
    #[error("malformed VP9 superframe: {0}")]
    BadVp9Superframe(&'static str),
    /// An H.264 `profile-level-id` is not six hex digits, or names no known profile.
    #[error("invalid H.264 profile-level-id")]
    BadProfileLevelId,
    /// An audio frame's sample count is not a frame duration the encoder accepts, or does not divide by
    /// the channel count.
    #[error("audio frame has {got} samples, expected {expected}")]
    BadSampleCount {
        /// Samples (all channels) the encoder accepts for this frame, or the nearest whole-channel count.
        expected: usize,
        /// Samples given.
        got: usize,
    },
    /// An audio frame's sample rate or channel count differs from what the encoder was made for.
    #[error("audio frame is {rate} Hz × {channels} ch, the encoder takes {expected_rate} Hz × {expected_channels} ch")]
    AudioFormatMismatch {
        /// The encoder's sample rate.
        expected_rate: u32,
        /// The encoder's channel count.
        expected_channels: u16,
        /// The frame's sample rate.
        rate: u32,
        /// The frame's channel count.
        channels: u16,
    },
    /// A sample rate the codec does not support.
    #[error("unsupported sample rate {0} Hz")]
    UnsupportedSampleRate(u32),
    /// A channel count the codec does not support.
    #[error("unsupported channel count {0}")]
    UnsupportedChannels(u16),
    /// A spatial layer count the codec does not support (VP8: 1; VP9: 1 to 5).
    #[error("unsupported spatial layer count {0}")]
    UnsupportedSpatialLayers(u8),
    /// A bitrate the codec cannot be set to.
    #[error("unsupported bitrate {0} bit/s")]
    UnsupportedBitrate(u32),
    /// A video frame size of zero, or too large for the codec.
    #[error("unsupported video frame size {width}×{height}")]
    BadDimensions {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// An I420 plane is smaller than its frame size needs.
    #[error("I420 {plane} plane has {got} bytes, needs {needed}")]
    PlaneTooSmall {
        /// `"Y"`, `"U"` or `"V"`.
        plane: &'static str,
        /// Bytes the plane needs (stride × rows).
        needed: usize,
        /// Bytes given.
        got: usize,
    },
    /// The decoder produced a picture in a pixel format other than 8-bit I420 (libvpx `vpx_img_fmt`).
    #[error("decoded picture format {0:#x} is not I420")]
    UnsupportedPixelFormat(u32),
    /// libopus failed (`function` is the libopus call, `code` its `OPUS_*` error code).
    #[error("libopus {function} failed with error {code}")]
    Opus {
        /// The failing libopus function.
        function: &'static str,
        /// The negative libopus error code.
        code: i32,
    },
    /// libvpx failed (`function` is the libvpx call, `code` its `vpx_codec_err_t`).
    #[error("libvpx {function} failed with error {code}")]
    Vpx {
        /// The failing libvpx function.
        function: &'static str,
        /// The `vpx_codec_err_t` value.
        code: i32,
    },
    /// OpenH264 failed (`function` is the OpenH264 call, `code` its return value or decoding state; 0 when
    /// the `openh264` wrapper itself failed).
    #[error("OpenH264 {function} failed with error {code}")]
    OpenH264 {
        /// The failing OpenH264 function.
        function: &'static str,
        /// The OpenH264 return value (`CM_RETURN`) or decoding state (`DECODING_STATE` bits).
        code: i64,
    },
}
