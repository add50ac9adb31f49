//! The errors of this crate.

use openssl::error::ErrorStack;
use ortc_srtp::SrtpError;

use crate::{DtlsState, Fingerprint};

/// Why a certificate, fingerprint or endpoint could not be made, or why a DTLS connection failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum DtlsError {
    /// The peer's certificate matches none of the fingerprints the remote description announced.
    #[error("peer certificate fingerprint {actual} matches none of the expected {expected:?}")]
    FingerprintMismatch {
        /// The fingerprints from the remote description (`a=fingerprint`).
        expected: Vec<Fingerprint>,
        /// The peer certificate's fingerprint, with the hash function of the first expected one.
        actual: Fingerprint,
    },
    /// The handshake finished without a peer certificate, so there is nothing to check the fingerprint against.
    #[error("the peer presented no certificate")]
    NoPeerCertificate,
    /// No remote fingerprint was given: a connection could not be authenticated.
    #[error("no remote fingerprint given")]
    NoRemoteFingerprint,
    /// The peer did not negotiate the `use_srtp` extension.
    #[error("the peer negotiated no SRTP protection profile")]
    NoSrtpProfile,
    /// The negotiated `use_srtp` profile is not one `ortc-srtp` supports.
    #[error("negotiated SRTP protection profile {0:#06x} is not supported")]
    UnsupportedSrtpProfile(u16),
    /// The configuration offers no SRTP protection profile.
    #[error("no SRTP protection profile configured")]
    NoSrtpProfilesConfigured,
    /// The configured MTU is outside the range DTLS can work with.
    #[error("MTU {mtu} out of range {min}..={max}")]
    MtuOutOfRange {
        /// The MTU given.
        mtu: usize,
        /// The smallest MTU accepted.
        min: usize,
        /// The largest MTU accepted.
        max: usize,
    },
    /// The initial retransmission timeout is outside the range accepted.
    #[error("initial retransmission timeout {got_ms} ms out of range {min_ms}..={max_ms} ms")]
    RetransmitTimeoutOutOfRange {
        /// The timeout given, in milliseconds.
        got_ms: u128,
        /// The smallest accepted, in milliseconds.
        min_ms: u128,
        /// The largest accepted, in milliseconds.
        max_ms: u128,
    },
    /// A hash function name in a fingerprint is not one of `sha-1`, `sha-256`, `sha-384`, `sha-512`.
    #[error("unknown fingerprint hash function {0:?}")]
    UnknownHashFunction(String),
    /// A fingerprint in SDP form (`sha-256 AB:CD:...`) could not be parsed.
    #[error("bad fingerprint {input:?}: {reason}")]
    BadFingerprint {
        /// The text given.
        input: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A fingerprint value has the wrong length for its hash function.
    #[error("{hash} fingerprint is {got} bytes, expected {expected}")]
    FingerprintLength {
        /// The hash function's name.
        hash: &'static str,
        /// Its digest length.
        expected: usize,
        /// Bytes given.
        got: usize,
    },
    /// A private key loaded from PEM does not belong to the certificate loaded with it.
    #[error("the private key does not match the certificate")]
    KeyMismatch,
    /// The handshake failed: an alert from the peer, a malformed flight, no common cipher, and so on.
    #[error("DTLS handshake failed: {0}")]
    Handshake(String),
    /// The peer stopped answering: OpenSSL gave up after its maximum number of retransmissions.
    #[error("DTLS handshake timed out after repeated retransmissions")]
    HandshakeTimeout,
    /// The established connection failed (a fatal alert or a record OpenSSL could not handle).
    #[error("DTLS connection failed: {0}")]
    Connection(String),
    /// The operation needs an established connection.
    #[error("cannot {operation} in state {state:?}")]
    InvalidState {
        /// What was attempted.
        operation: &'static str,
        /// The endpoint's state at the time.
        state: DtlsState,
    },
    /// Application data larger than one record that fits the MTU can carry.
    #[error("application data of {len} bytes exceeds the {max} bytes one record within the MTU carries")]
    ApplicationDataTooLarge {
        /// Bytes given.
        len: usize,
        /// The most one record within the MTU carries.
        max: usize,
    },
    /// OpenSSL failed while building a certificate, key or context.
    #[error("OpenSSL: {0}")]
    Openssl(#[from] ErrorStack),
    /// The exported keying material could not be turned into SRTP keys.
    #[error("SRTP keys: {0}")]
    Srtp(#[from] SrtpError),
}
