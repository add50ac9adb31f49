//! SRTP and SRTCP (RFC 3711, RFC 7714) for WebRTC, over libsrtp2.
//!
//! - [`SrtpProfile`]: the four DTLS-SRTP profiles WebRTC negotiates, with their key, salt and tag lengths and
//!   `use_srtp` ids.
//! - [`SessionKeys`] / [`MasterKey`]: master keys split out of the DTLS exporter by [`DtlsRole`], or given raw.
//! - [`SrtpSession`]: protect outgoing and unprotect incoming RTP/RTCP of any SSRC, in place on a
//!   [`bytes::BytesMut`] or a `&mut [u8]`, with replay protection, rollover counters and SRTCP indices kept by
//!   libsrtp. It splits into an [`OutboundSession`] and an [`InboundSession`] (two libsrtp sessions) that are
//!   `Send` and can run on different threads.
//! - [`SrtpStats`]: packets and bytes through each direction and a counter for every kind of [`SrtpError`].
//!
//! The sessions need the `libsrtp` feature (on by default), which builds libsrtp2. Without it the crate is only
//! [`SrtpProfile`], [`SessionKeys`], [`MasterKey`] and [`SrtpError`]: what a DTLS-SRTP handshake needs to hand
//! its keys over, with no native library to build.
//!
//! Packets are handled as bytes; only their header lengths are looked at. Nothing allocates per packet once a
//! stream exists, as long as a buffer being protected has spare capacity for the trailer
//! ([`SrtpProfile::rtp_trailer_len`], [`SrtpProfile::rtcp_trailer_len`]). libsrtp itself allocates (in C) the
//! state of each new SSRC once.
//!
//! # Example
//!
//! ```
//! # #[cfg(feature = "libsrtp")] {
//! use bytes::BytesMut;
//! use ortc_srtp::{DtlsRole, SessionKeys, SrtpConfig, SrtpError, SrtpProfile, SrtpSession};
//!
//! // Both peers export the same keying material from their DTLS connection.
//! let profile = SrtpProfile::AeadAes128Gcm;
//! let material: Vec<u8> = (0..profile.keying_material_len() as u8).collect();
//! let mut alice = SrtpSession::new(&SessionKeys::from_dtls_exporter(profile, &material, DtlsRole::Client)?, &SrtpConfig::default())?;
//! let mut bob = SrtpSession::new(&SessionKeys::from_dtls_exporter(profile, &material, DtlsRole::Server)?, &SrtpConfig::default())?;
//!
//! let rtp = [0x80, 111, 0, 1, 0, 0, 0, 160, 0x12, 0x34, 0x56, 0x78, b'h', b'i'];
//! let mut packet = BytesMut::with_capacity(1500);
//! packet.extend_from_slice(&rtp);
//! alice.outbound().protect_rtp(&mut packet)?;
//! assert_eq!(packet.len(), rtp.len() + profile.rtp_trailer_len());
//!
//! let wire = packet.clone();
//! bob.inbound().unprotect_rtp(&mut packet)?;
//! assert_eq!(&packet[..], &rtp[..]);
//!
//! // The same packet again is a replay.
//! let mut again = wire;
//! assert_eq!(bob.inbound().unprotect_rtp(&mut again), Err(SrtpError::ReplayDuplicate));
//! assert_eq!(bob.stats().errors.replay_duplicate, 1);
//! # }
//! # Ok::<(), ortc_srtp::SrtpError>(())
//! ```

mod error;
#[cfg(feature = "libsrtp")]
mod ffi;
mod keys;
mod profile;
#[cfg(feature = "libsrtp")]
mod session;
#[cfg(feature = "libsrtp")]
mod stats;

pub use error::SrtpError;
pub use keys::{DTLS_SRTP_EXPORTER_LABEL, DtlsRole, MasterKey, SessionKeys};
pub use profile::{MAX_MASTER_KEY_AND_SALT_LEN, SRTCP_INDEX_LEN, SrtpProfile};
#[cfg(feature = "libsrtp")]
pub use session::{
    DEFAULT_REPLAY_WINDOW, InboundSession, MAX_REPLAY_WINDOW, MIN_REPLAY_WINDOW, OutboundSession, SrtpConfig,
    SrtpSession,
};
#[cfg(feature = "libsrtp")]
pub use stats::{ErrorCounts, PacketCounts, SrtpStats};
