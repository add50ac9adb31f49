//! DTLS 1.2 for WebRTC over OpenSSL: certificates, fingerprints, DTLS-SRTP key export, and a sans-IO endpoint.
//!
//! - [`DtlsCertificate`]: a self-signed ECDSA P-256 (or RSA-2048) certificate generated once per peer, or
//!   loaded from PEM; cheap to clone. Its [`Fingerprint`] goes into SDP as `a=fingerprint:sha-256 AB:CD:...`.
//! - [`DtlsEndpoint`]: one side of the handshake (client or server, from `a=setup`). It owns no socket and reads
//!   no clock of its own: it takes received datagrams and `Instant`s, and gives back datagrams to send, a
//!   retransmission deadline and [`DtlsEvent`]s. Flights are fragmented to the configured MTU. Once connected
//!   it allocates nothing per datagram: the datagrams and application data it hands out as `Bytes` are cut
//!   from storage it reuses once the caller drops them.
//! - DTLS-SRTP (RFC 5764): the [`SrtpProfile`](ortc_srtp::SrtpProfile)s of `ortc-srtp` are offered in the
//!   configured order; once connected the negotiated profile and the exported
//!   [`SessionKeys`](ortc_srtp::SessionKeys), split by role, are handed out in [`DtlsEvent::Connected`].
//! - The peer is authenticated only by its certificate's fingerprint from the remote description: a mismatch
//!   fails the handshake with [`PeerCertificateError::FingerprintMismatch`] before any key is exported.
//! - Failures say what happened: the peer's certificate refused ([`DtlsError::PeerCertificate`]), an
//!   [`Alert`] received or sent, the peer silent until the retransmissions ran out
//!   ([`DtlsError::HandshakeTimeout`]), or else OpenSSL's error stack.
//! - [`classify`]: tells STUN, DTLS, RTP and RTCP apart on a shared transport (RFC 7983, RFC 5761).
//!
//! # Example
//!
//! ```
//! use std::time::Instant;
//! use ortc_dtls::{DtlsCertificate, DtlsConfig, DtlsEndpoint, DtlsError, DtlsEvent, Fingerprint, KeyType};
//! use ortc_srtp::DtlsRole;
//!
//! let alice_cert = DtlsCertificate::generate(KeyType::EcdsaP256)?;
//! let bob_cert = DtlsCertificate::generate(KeyType::EcdsaP256)?;
//! // Each side learns the other's fingerprint from the remote SDP.
//! let bob_fp: Fingerprint = bob_cert.fingerprint().to_string().parse()?;
//! let alice_fp: Fingerprint = alice_cert.fingerprint().to_string().parse()?;
//!
//! let config = DtlsConfig::default();
//! let mut alice = DtlsEndpoint::new(DtlsRole::Client, &alice_cert, [bob_fp], &config)?;
//! let mut bob = DtlsEndpoint::new(DtlsRole::Server, &bob_cert, [alice_fp], &config)?;
//!
//! // A lossless in-memory network: move datagrams until both sides are quiet.
//! let now = Instant::now();
//! alice.start(now);
//! bob.start(now);
//! loop {
//!     let mut moved = false;
//!     while let Some(d) = alice.poll_transmit() {
//!         bob.handle_datagram(now, &d);
//!         moved = true;
//!     }
//!     while let Some(d) = bob.poll_transmit() {
//!         alice.handle_datagram(now, &d);
//!         moved = true;
//!     }
//!     if !moved {
//!         break;
//!     }
//! }
//!
//! let keys = |e: &mut DtlsEndpoint| match e.poll_event() {
//!     Some(DtlsEvent::Connected { keys, .. }) => keys,
//!     other => panic!("expected Connected, got {other:?}"),
//! };
//! let (alice_keys, bob_keys) = (keys(&mut alice), keys(&mut bob));
//! assert_eq!(alice_keys.profile(), ortc_srtp::SrtpProfile::AeadAes128Gcm);
//! assert_eq!(alice_keys.local(), bob_keys.remote());
//! assert_eq!(alice_keys.remote(), bob_keys.local());
//!
//! alice.send_application_data(b"hello")?;
//! let datagram = alice.poll_transmit().expect("one record");
//! bob.handle_datagram(now, &datagram);
//! assert!(matches!(bob.poll_event(), Some(DtlsEvent::ApplicationData(d)) if &d[..] == b"hello"));
//! # Ok::<(), DtlsError>(())
//! ```

#![warn(clippy::undocumented_unsafe_blocks)]

mod alert;
mod certificate;
mod demux;
mod endpoint;
mod error;
mod ffi;
mod fingerprint;

pub use alert::{Alert, AlertDescription, AlertLevel};
pub use certificate::{DtlsCertificate, KeyType, VALID_BEFORE, VALID_FOR};
pub use demux::{PacketKind, classify};
pub use endpoint::{
    DEFAULT_INITIAL_RETRANSMIT_TIMEOUT, DEFAULT_MTU, DEFAULT_SRTP_PROFILES, DtlsConfig, DtlsEndpoint, DtlsEvent,
    DtlsState, DtlsStats, MAX_APPLICATION_DATA, MAX_MTU, MIN_INITIAL_RETRANSMIT_TIMEOUT, MIN_MTU,
};
pub use error::{DtlsError, PeerCertificateError};
pub use ffi::{MAX_RETRANSMISSIONS, MAX_RETRANSMIT_TIMEOUT};
pub use fingerprint::{Fingerprint, HashFunction};
