//! RTP sessions for WebRTC: a sans-IO core, its parameters and statistics, media tracks, and the sender and
//! receiver handles over a driver task.
//!
//! - [`session`]: the sans-IO core. One [`session::RtpSession`] per transport owns the SRTP session and every
//!   send and receive stream: frames in, protected datagrams out; datagrams in, frames out; RTCP reports,
//!   NACK/RTX retransmission, keyframe requests and statistics in between. No clock, no socket, no task.
//! - [`track`]: media tracks ([`track::MediaStreamTrack`], which applications implement; a moving test
//!   pattern and a tone), raw or already encoded frames.
//! - [`params`]: the W3C / ORTC parameter types (`RtpParameters`, codecs, header extensions, encodings,
//!   RTCP), their validation into a typed [`params::ParametersError`], their conversion into the core's
//!   stream parameters, and the `set_codec_preferences` rules.
//! - [`stats`]: the W3C statistics report ([`stats::RtcStatsReport`]) as typed entries that serialize with the
//!   webrtc-stats names, built from the core's counters.
//! - The object layer: [`driver::RtpDriver`] runs a session core in a tokio task over a [`driver::Transport`];
//!   [`RtpSender`] and [`RtpReceiver`] are cheap handles to its streams that send a track's encoded frames
//!   and hand received ones to a [`RemoteTrack`] (a relay forwards without decoding); [`RtpTransceiver`] pairs
//!   them with a direction, a mid and codec preferences.
//!
//! # Example
//!
//! Two sessions keyed alike, one sending a VP8 frame to the other:
//!
//! ```
//! use std::time::Instant;
//! use bytes::BytesMut;
//! use ortc_codecs::MediaKind;
//! use ortc_rtcp::NtpTime;
//! use ortc_rtp_api::session::{
//!     ReceiveCodec, ReceiveParams, Received, RtpSession, SendCodec, SendParams, SessionConfig, Transmit,
//! };
//! use ortc_rtp_packet::{ExtensionMap, PayloadType, Ssrc};
//! use ortc_srtp::{DtlsRole, SessionKeys, SrtpConfig, SrtpProfile};
//!
//! let now = Instant::now();
//! let config = SessionConfig::new("cname", ExtensionMap::new(), (now, NtpTime(1 << 40)));
//! let material = [7u8; 56];
//! let keys = |role| SessionKeys::from_dtls_exporter(SrtpProfile::AeadAes128Gcm, &material, role);
//! let (mut alice, mut bob) = (RtpSession::new(config.clone()), RtpSession::new(config));
//! alice.set_keys(&keys(DtlsRole::Client)?, &SrtpConfig::default())?;
//! bob.set_keys(&keys(DtlsRole::Server)?, &SrtpConfig::default())?;
//!
//! let pt = PayloadType::new(96).ok_or("payload type")?;
//! let vp8 = SendCodec { payload_type: pt, mime_type: "video/VP8".into(), clock_rate: 90_000, rtx_payload_type: None, h264_packetization_mode_1: false };
//! let tx = alice.add_sender(SendParams::new(MediaKind::Video, Ssrc::new(0x1111), vec![vp8]))?;
//! let codec = ReceiveCodec { payload_type: pt, mime_type: "video/VP8".into(), clock_rate: 90_000, rtx_payload_type: None };
//! let rx = bob.add_receiver(ReceiveParams::new(MediaKind::Video, vec![codec], Ssrc::new(0x2222)))?;
//!
//! // A VP8 keyframe (P bit clear) of 3000 bytes: three packets.
//! alice.sender(tx).unwrap().write_frame(now, pt, 0, &[0x10; 3000])?;
//! let mut buf = BytesMut::with_capacity(1500);
//! while let Some(Transmit::Rtp { .. }) = alice.poll_transmit(now, &mut buf) {
//!     bob.handle_rtp(now, &mut buf);
//! }
//! let mut receiver = bob.receiver(rx).unwrap();
//! let Some(Received::Frame(frame)) = receiver.poll(now) else { panic!("no frame") };
//! assert_eq!(frame.data, &[0x10; 3000][..]);
//! assert!(frame.keyframe);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod codec;
pub mod driver;
mod objects;
pub mod params;
pub mod session;
pub mod stats;
pub mod track;
mod transceiver;

pub use objects::{
    MediaSourceReport, ReceiverReport, RemoteTrack, RtpReceiver, RtpSender, SenderReport, TRANSPORT_STATS_ID,
};
pub use transceiver::{RtpTransceiver, RtpTransceiverDirection, TransceiverError, TransceiverState};
