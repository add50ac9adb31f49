//! The errors of this crate.

use openssl::error::ErrorStack;
use ortc_srtp::SrtpError;

use crate::{Alert, DtlsState, Fingerprint};

/// Why a certificate, fingerprint or endpoint could not be made, or why a DTLS connection failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum DtlsError {
    /// The peer's certificate was refused (see which check in the [`PeerCertificateError`]); no keys were
    /// exported, and OpenSSL sent the peer a fatal alert if the handshake was still under way.
    #[error("peer certificate refused: {0}")]
    PeerCertificate(PeerCertificateError),
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
    /// The peer sent an alert that ended the handshake or the connection (a fatal one, or a warning OpenSSL
    /// does not go on after).
    #[error("the peer sent a {0} alert")]
    AlertReceived(Alert),
    /// We ended the handshake or the connection with a fatal alert, because of what the peer sent (a malformed
    /// or unexpected message, no cipher suite or version in common, a record that failed to authenticate...).
    #[error("sent a {alert} alert: {errors}")]
    AlertSent {
        /// The alert sent.
        alert: Alert,
        /// What OpenSSL reported about the cause.
        errors: ErrorStack,
    },
    /// The peer stopped answering: every retransmission of the current flight OpenSSL allows
    /// ([`MAX_RETRANSMISSIONS`](crate::MAX_RETRANSMISSIONS)) went unanswered.
    #[error("DTLS handshake timed out: the peer answered none of the retransmissions of a flight")]
    HandshakeTimeout,
    /// The handshake failed inside OpenSSL with no alert either way: what OpenSSL reported.
    #[error("DTLS handshake failed: {0}")]
    Handshake(ErrorStack),
    /// The established connection failed inside OpenSSL with no alert either way: what OpenSSL reported.
    #[error("DTLS connection failed: {0}")]
    Connection(ErrorStack),
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

/// Which check the peer's certificate failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum PeerCertificateError {
    /// The certificate matches none of the fingerprints the remote description announced.
    #[error("fingerprint {actual} matches none of the expected {expected:?}")]
    FingerprintMismatch {
        /// The fingerprints from the remote description (`a=fingerprint`).
        expected: Vec<Fingerprint>,
        /// The peer certificate's fingerprint, with the hash function of the first expected one.
        actual: Fingerprint,
    },
    /// The peer presented no certificate, so there is nothing to check the fingerprint against.
    #[error("the peer presented no certificate")]
    NoCertificate,
    /// OpenSSL refused the certificate whatever its fingerprint: a key or digest below its security level, a
    /// malformed certificate... (only the errors of a self-signed certificate are overlooked).
    #[error("certificate at depth {depth} refused: {reason} (X.509 verification error {code})")]
    BadCertificate {
        /// Its depth in the peer's chain (0: the peer's own certificate).
        depth: u32,
        /// OpenSSL's verification error (`X509_V_ERR_*`).
        code: i32,
        /// OpenSSL's text for it.
        reason: &'static str,
    },
    /// The certificate could not be hashed to compare its fingerprint.
    #[error("the certificate could not be hashed: {0}")]
    Unhashable(ErrorStack),
}
