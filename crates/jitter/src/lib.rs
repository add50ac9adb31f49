//! A sans-IO RTP jitter buffer: reorder, de-duplicate, assemble frames, detect loss and build NACK lists.
//!
//! - [`JitterBuffer::insert`] takes packets in any order with the time they arrived. Sequence numbers and
//!   timestamps are unwrapped to 64 bits; duplicates and packets whose turn has passed are dropped and
//!   counted; an SSRC change restarts the stream, and so do two consecutive packets far from its sequence
//!   numbers (RFC 3550 A.1 probation: a lone one is a stray copy, discarded and counted). Capacity is bounded
//!   ([`Config::capacity`]); when full, the oldest packets are dropped (video: and a keyframe requested).
//! - Loss: each missing sequence number is requested (NACK) after [`Config::nack_delay`], re-requested one round-trip time (plus that delay) apart
//!   ([`JitterBuffer::set_rtt`]) up to [`Config::max_nack_retries`] times, then given up.
//!   [`JitterBuffer::poll_nack`] returns what to NACK now, without allocating.
//! - Video ([`MediaKind::Video`]): [`JitterBuffer::poll_frame`] releases complete frames in decode order,
//!   using the codec's [`FrameBoundary`](ortc_codecs::FrameBoundary) for frame start, end and keyframe;
//!   after a lost packet frames are dropped until a keyframe, and [`JitterBuffer::poll_keyframe_request`]
//!   says when to send a PLI.
//! - Audio ([`MediaKind::Audio`]): [`JitterBuffer::poll_audio`] releases packets at their playout time
//!   (the fastest arrival of the last two to four seconds, plus an adaptive target delay that follows the
//!   measured jitter) and reports missing ones as concealment. Forgetting old minima lets playout follow a
//!   sender clock that runs fast or slow (or a path whose delay changes); how far it moved either way is
//!   counted (W3C `insertedSamplesForDeceleration`, `removedSamplesForAcceleration`).
//! - [`JitterBuffer::stats`]: counters for the W3C `inbound-rtp` stats, with the RFC 3550 interarrival jitter
//!   of [`InterarrivalJitter`], the one estimator behind both a reception report's jitter field and the W3C
//!   `jitter` statistic.
//!
//! No clock is read: every call takes `now`, and [`JitterBuffer::poll_timeout`] says when to call back and
//! why ([`TimeoutReason`]).
//!
//! # Example
//!
//! ```
//! use std::time::{Duration, Instant};
//! use bytes::Bytes;
//! use ortc_jitter::{Config, EveryPacket, JitterBuffer, PacketInfo};
//!
//! let mut jb = JitterBuffer::new(Config::video(), EveryPacket);
//! let t0 = Instant::now();
//! let packet = |seq: u16| PacketInfo { ssrc: 1, sequence_number: seq, timestamp: 3000 * u32::from(seq), marker: true };
//!
//! jb.insert_parts(t0, packet(10), Bytes::from_static(b"frame 10"));
//! jb.insert_parts(t0, packet(12), Bytes::from_static(b"frame 12"));
//! assert_eq!(jb.poll_frame(t0).map(|f| f.timestamp), Some(30_000));
//! assert!(jb.poll_frame(t0).is_none()); // 11 is missing
//!
//! // 11 is requested (NACK) after the configured delay…
//! let later = t0 + Duration::from_millis(20);
//! assert_eq!(jb.poll_nack(later), &[11]);
//! // …and the retransmission completes the stream.
//! jb.insert_parts(later, packet(11), Bytes::from_static(b"frame 11"));
//! assert_eq!(jb.poll_frame(later).map(|f| f.timestamp), Some(33_000));
//! assert_eq!(jb.poll_frame(later).map(|f| f.timestamp), Some(36_000));
//! assert_eq!(jb.stats().packets_recovered, 1);
//! ```

mod buffer;
mod config;
mod nack;
mod playout;
mod stats;

pub use buffer::{
    AudioOut, EveryPacket, Inserted, JitterBuffer, KeyframeReason, Packet, PacketInfo, TimeoutReason, VideoFrame,
};
pub use config::{Config, DEFAULT_AUDIO_CAPACITY, DEFAULT_VIDEO_CAPACITY, MediaKind};
pub use stats::{InterarrivalJitter, JitterStats};
