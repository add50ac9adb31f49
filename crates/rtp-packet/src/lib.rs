//! RTP packets for WebRTC: parse without copying, write without allocating.
//!
//! - [`RtpPacket`]: a validated view over a received packet (RFC 3550) held in `&[u8]`, [`bytes::Bytes`] or
//!   any `AsRef<[u8]>`; accessors read straight from the buffer.
//! - Header extensions (RFC 8285), one-byte and two-byte forms: [`RtpPacket::extensions`] iterates
//!   elements, [`RtpPacket::get`] decodes a typed value ([`ext::Mid`], [`AbsSendTime`],
//!   [`TransportSequenceNumber`], [`AudioLevel`], …) through the ids negotiated in an [`ExtensionMap`].
//! - [`RtpHeader`] / [`RtpPacketBuilder`]: outgoing headers held inline, written into a caller's
//!   `&mut [u8]` or [`bytes::BytesMut`].
//! - RTX (RFC 4588): [`rtx_wrap`] / [`rtx_unwrap`].
//! - [`id`]: the identifiers the layers above pass around — [`Ssrc`], [`PayloadType`], [`SeqNo`], [`Mid`],
//!   [`Rid`]. Packet views and builders deal in the wire integers.
//! - Wrap-around arithmetic: [`is_newer_seq`], [`SequenceUnwrapper`], [`TimestampUnwrapper`].
//!
//! Parsing never panics and never allocates; every malformed input is a precise [`RtpError`].
//!
//! # Example
//!
//! ```
//! use ortc_rtp_packet::ext::Mid;
//! use ortc_rtp_packet::{AudioLevel, ExtensionKind, ExtensionMap, RtpPacket, RtpPacketBuilder};
//!
//! // Ids as negotiated with a=extmap.
//! let mut map = ExtensionMap::new();
//! map.insert(1, ExtensionKind::AudioLevel)?;
//! map.insert(4, ExtensionKind::Mid)?;
//!
//! let mut buf = [0u8; 1500];
//! let len = RtpPacketBuilder::new(111, 0x1234_5678)
//!     .sequence_number(65535)
//!     .timestamp(960)
//!     .marker(true)
//!     .extension(&map, &AudioLevel { voice: true, level: 30 })?
//!     .extension(&map, &Mid("0"))?
//!     .write(b"opus frame", &mut buf)?;
//!
//! let packet = RtpPacket::parse(&buf[..len])?;
//! assert_eq!(packet.sequence_number(), 65535);
//! assert_eq!(packet.payload(), b"opus frame");
//! assert_eq!(packet.get::<Mid<'_>>(&map), Some(Mid("0")));
//! assert_eq!(packet.get::<AudioLevel>(&map).map(|a| a.level), Some(30));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
pub mod ext;
pub mod extension;
mod header;
pub mod id;
mod packet;
mod rtx;
pub mod seq;

pub use error::{ExtensionError, RtpError};
pub use ext::{
    AbsCaptureTime, AbsSendTime, AudioLevel, ExtensionKind, ExtensionMap, ExtensionValues, HeaderExtension,
    PlayoutDelay, TransportSequenceNumber, VideoOrientation,
};
pub use extension::{ExtensionElement, ExtensionForm, ExtensionsBuf};
pub use header::{Csrcs, RtpHeader, RtpPacketBuilder};
pub use id::{IdError, Mid, PayloadType, Rid, SeqNo, Ssrc};
pub use packet::{FIXED_HEADER_LEN, RTP_VERSION, RtpPacket};
pub use rtx::{
    OSN_LEN, RtxExtensions, rtx_original_sequence_number, rtx_unwrap, rtx_unwrap_header, rtx_wrap, rtx_wrap_to_bytes,
};
pub use seq::{
    SequenceUnwrapper, TimestampUnwrapper, Unwrapper, WrappingCounter, is_newer_seq, is_newer_timestamp, latest_seq,
};
