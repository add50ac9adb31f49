//! WebRTC for Rust: the facade over the layer crates. This part is the sans-IO core.
//!
//! [`PeerConnectionCore`] is a whole peer connection without I/O: one ICE agent (`ortc-ice`), one DTLS
//! endpoint (`ortc-dtls`) and one RTP session (`ortc-rtp-api`) for one BUNDLE transport (bundle-policy
//! max-bundle, rtcp-mux only), with JSEP offer/answer (RFC 8829) over `ortc-sdp`.
//!
//! - In: [`PeerConnectionCore::handle_datagram`] → ICE (STUN answered there; data passed on) → RFC 7983
//!   classification → DTLS, or the RTP session (RTP or RTCP by the RFC 5761 payload-type range).
//! - Out: [`PeerConnectionCore::poll_transmit`] drains ICE, DTLS and the RTP session; each datagram comes with
//!   the local and remote addresses of the selected pair (or of the ICE message).
//! - Time: [`PeerConnectionCore::poll_timeout`] is the earliest deadline of the parts; call
//!   [`PeerConnectionCore::handle_timeout`] then. The core reads no clock.
//! - When DTLS connects, the peer's certificate has matched the remote description's `a=fingerprint` (a
//!   mismatch fails the connection, counted in [`CoreStats::fingerprint_mismatches`] and logged) and the
//!   exported keys key the RTP session's SRTP.
//! - Signalling: [`PeerConnectionCore::add_transceiver`], [`create_offer`](PeerConnectionCore::create_offer),
//!   [`create_answer`](PeerConnectionCore::create_answer),
//!   [`set_local_description`](PeerConnectionCore::set_local_description),
//!   [`set_remote_description`](PeerConnectionCore::set_remote_description) (offers, answers, rollbacks), the
//!   [`SignalingState`] machine, and W3C-named [`Error`]s. Host candidates are addresses the caller bound
//!   ([`PeerConnectionCore::add_host_address`]).
//! - [`PeerConnection`]: the async shell, one tokio driver task per connection owning the core and a UDP
//!   socket; the handle's calls reply over oneshot channels, events and received frames come from
//!   [`PeerConnection::next_event`].
//!
//! # Example
//!
//! Two connections negotiate, connect over an in-memory network, and one sends a VP8 frame to the other:
//!
//! ```
//! use std::time::{Duration, Instant};
//! use bytes::BytesMut;
//! use ortc::{CoreConfig, PeerConnectionCore, PeerConnectionState};
//! use ortc_codecs::MediaKind;
//! use ortc_rtcp::NtpTime;
//! use ortc_rtp_api::RtpTransceiverDirection;
//! use ortc_rtp_api::session::Received;
//!
//! let now = Instant::now();
//! let mut alice = PeerConnectionCore::new(CoreConfig::new(NtpTime(1 << 40)), now)?;
//! let mut bob = PeerConnectionCore::new(CoreConfig::new(NtpTime(1 << 40)), now)?;
//! alice.add_host_address("127.0.0.1:10000".parse()?)?;
//! bob.add_host_address("127.0.0.1:20000".parse()?)?;
//!
//! let video = alice.add_transceiver(MediaKind::Video, RtpTransceiverDirection::Sendonly)?;
//! let offer = alice.create_offer()?;
//! alice.set_local_description(now, &offer)?;
//! bob.set_remote_description(now, &offer)?;
//! let answer = bob.create_answer()?;
//! bob.set_local_description(now, &answer)?;
//! alice.set_remote_description(now, &answer)?;
//!
//! // A lossless network with no delay, on a fake clock.
//! fn deliver(from: &mut PeerConnectionCore, to: &mut PeerConnectionCore, now: Instant, buf: &mut BytesMut) {
//!     while let Some(t) = from.poll_transmit(now) {
//!         let (local, remote) = (t.local, t.remote);
//!         buf.clear();
//!         buf.extend_from_slice(t.contents);
//!         to.handle_datagram(now, remote, local, buf);
//!     }
//! }
//! let mut now = now;
//! let mut buf = BytesMut::with_capacity(2048);
//! for _ in 0..400 {
//!     deliver(&mut alice, &mut bob, now, &mut buf);
//!     deliver(&mut bob, &mut alice, now, &mut buf);
//!     if alice.connection_state() == PeerConnectionState::Connected
//!         && bob.connection_state() == PeerConnectionState::Connected
//!     {
//!         break;
//!     }
//!     now += Duration::from_millis(10);
//!     alice.handle_timeout(now);
//!     bob.handle_timeout(now);
//! }
//! assert_eq!(alice.connection_state(), PeerConnectionState::Connected);
//!
//! // A VP8 keyframe (P bit clear).
//! alice.write_frame(now, video, 0, &[0x10; 2500])?;
//! deliver(&mut alice, &mut bob, now, &mut buf);
//! let (remote_video, _) = bob.transceivers().next().expect("made by the offer");
//! let mut receiver = bob.receiver(remote_video).expect("negotiated");
//! let Some(Received::Frame(frame)) = receiver.poll(now) else { panic!("no frame") };
//! assert_eq!(frame.data, &[0x10; 2500][..]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod core;
mod error;
mod jsep;
mod peer;
mod transceiver;

pub use crate::core::{
    CoreConfig, CoreStats, Event, IceConnectionState, IceGatheringState, PeerConnectionCore, PeerConnectionState,
    RemoteTransport, SessionSetup, Transmit,
};
pub use error::{Error, InvalidAccessError, InvalidStateError, OperationError};
pub use jsep::{SdpType, SessionDescription, SignalingState};
pub use peer::{PeerConnection, PeerConnectionConfig, PeerEvent};
pub use transceiver::{Transceiver, TransceiverId};

pub use ortc_codecs as codecs;
pub use ortc_dtls as dtls;
pub use ortc_ice as ice;
pub use ortc_rtcp as rtcp;
pub use ortc_rtp_api as rtp_api;
pub use ortc_rtp_packet as rtp_packet;
pub use ortc_sdp as sdp;
pub use ortc_srtp as srtp;
