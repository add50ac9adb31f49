//! WebRTC codecs at the RTP layer: what we can negotiate, and how frames travel in packets.
//!
//! - Capabilities: [`get_capabilities`] lists codecs (opus, G.722, PCMU, PCMA; VP8, H.264, VP9, AV1, each
//!   with RTX) and header extensions per [`MediaKind`]; [`RtpCodecCapability::matches`] is the codec
//!   matching rule of offer/answer (MIME, clock rate, channels, H.264 profile and packetization-mode).
//! - Payloaders ([`Payloader`]) split a frame into RTP payloads within a budget ([`DEFAULT_MAX_PAYLOAD`])
//!   into a reusable [`Payloads`]; depayloaders ([`Depayloader`]) reassemble frames into a reusable buffer,
//!   reporting frames with missing packets as [`IncompleteFrame`], never returning one with a hole.
//! - [`FrameBoundary`] reads frame start, end and keyframe from a single packet, for a jitter buffer;
//!   [`depayloader_for`] / [`payloader_for`] pick one by negotiated MIME type.
//! - Codecs: [`vp8`] (RFC 7741), [`h264`] (RFC 6184; its encoder and decoder are in `openh264`), [`vp9`]
//!   (RFC 9628; single-layer and spatially scalable payloading, superframe splitting), [`av1`] (AOM RTP spec),
//!   [`opus`] (RFC 7587), [`g711`] (RFC 3551 packetization and G.711 μ-law/A-law coding in pure Rust),
//!   [`g722`] (G.722 64 kbit/s sub-band ADPCM encoder and decoder in pure Rust).
//! - Encoders and decoders: raw [`AudioFrame`] / [`VideoFrame`] (I420) and the [`AudioEncoder`],
//!   [`AudioDecoder`], [`VideoEncoder`], [`VideoDecoder`] traits; Opus over libopus (feature `opus`),
//!   VP8/VP9 (with spatial layers) over the system libvpx (feature `vpx`, module `vpx`) and H.264 over the
//!   bundled OpenH264 (feature `h264`, module `openh264`), all on by default; G.711 ([`g711::G711Encoder`],
//!   [`g711::G711Decoder`]) and G.722 in pure Rust, taking and giving frames of any rate, mono or stereo,
//!   through the [`resample`] module's polyphase resampler.
//!
//! Depayloaders never panic on network input and bound the memory of a frame being reassembled.
//!
//! # Example
//!
//! ```
//! use ortc_codecs::vp8::{Vp8Depayloader, Vp8Payloader};
//! use ortc_codecs::{DEFAULT_MAX_PAYLOAD, Depayloader, MediaKind, PayloadPacket, Payloader, Payloads};
//!
//! let video = ortc_codecs::get_capabilities(MediaKind::Video);
//! assert_eq!(video.codecs[0].mime_type, "video/VP8");
//!
//! // A 3000-byte VP8 keyframe (P bit of the first byte clear) becomes three packets…
//! let frame = vec![0x10; 3000];
//! let mut payloads = Payloads::new();
//! Vp8Payloader::new().payload(&frame, DEFAULT_MAX_PAYLOAD, &mut payloads)?;
//! assert_eq!(payloads.len(), 3);
//!
//! // …which reassemble into the same frame.
//! let mut depayloader = Vp8Depayloader::new();
//! for (seq, p) in (1000u16..).zip(payloads.iter()) {
//!     let out = depayloader.push(PayloadPacket { sequence_number: seq, timestamp: 9000, marker: p.marker, payload: p.data })?;
//!     if let Some(f) = out.frame {
//!         assert_eq!(f.data, &frame[..]);
//!         assert!(f.keyframe);
//!     }
//! }
//! # Ok::<(), ortc_codecs::CodecError>(())
//! ```

pub mod av1;
mod capabilities;
mod error;
pub mod g711;
pub mod g722;
pub mod h264;
mod media;
#[cfg(feature = "h264")]
pub mod openh264;
pub mod opus;
mod payload;
mod pcm;
pub mod resample;
mod select;
pub mod vp8;
pub mod vp9;
#[cfg(feature = "vpx")]
pub mod vpx;

pub use capabilities::{
    H264Profile, MediaKind, ProfileLevelId, RtcpFeedback, RtpCapabilities, RtpCodecCapability,
    RtpHeaderExtensionCapability, URI_ABS_SEND_TIME, URI_AUDIO_LEVEL, URI_MID, URI_REPAIRED_RTP_STREAM_ID,
    URI_RTP_STREAM_ID, URI_TRANSPORT_CC, get_capabilities, h264_answer_level,
};
pub use error::CodecError;
pub use media::{AudioDecoder, AudioEncoder, AudioFrame, EncodedVideo, VideoDecoder, VideoEncoder, VideoFrame};
pub use payload::{
    Boundary, DEFAULT_MAX_FRAME_SIZE, DEFAULT_MAX_PAYLOAD, Depayloaded, Depayloader, Frame, FrameBoundary,
    IncompleteFrame, PacketPerFrameDepayloader, Payload, PayloadPacket, Payloader, Payloads,
};
pub use select::{depayloader_for, payloader_for};
