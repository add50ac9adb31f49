//! The errors of this crate.

/// Why a packet could not be protected or unprotected, or a session not created.
///
/// Every variant a session can return from `protect_*` / `unprotect_*` has its own counter in
/// [`ErrorCounts`](crate::ErrorCounts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SrtpError {
    /// The packet is shorter than its header (and, when unprotecting, its trailer) require.
    #[error("packet too short: need {needed} bytes, got {got}")]
    TooShort {
        /// Bytes the header and trailer need.
        needed: usize,
        /// Bytes in the packet.
        got: usize,
    },
    /// The RTP/RTCP version field is not 2.
    #[error("bad RTP/RTCP version {0} (expected 2)")]
    BadVersion(u8),
    /// The buffer has no room for the trailer protecting appends.
    #[error("buffer too small to protect: need {needed} bytes, got {got}")]
    BufferTooSmall {
        /// Packet length plus trailer length.
        needed: usize,
        /// Buffer length.
        got: usize,
    },
    /// A length argument is larger than its buffer, or larger than libsrtp can represent.
    #[error("packet length {len} out of range (max {max})")]
    LengthOutOfRange {
        /// The length given.
        len: usize,
        /// The largest acceptable length.
        max: usize,
    },
    /// The authentication tag did not verify: corrupted, forged, or keyed differently.
    #[error("SRTP authentication failed")]
    AuthenticationFailed,
    /// The packet index was already received (a duplicate or a replay).
    #[error("SRTP replay: packet index already seen")]
    ReplayDuplicate,
    /// The packet index is older than the replay window.
    #[error("SRTP replay: packet index older than the replay window")]
    ReplayTooOld,
    /// An SRTCP packet has its E bit clear (sent unencrypted); every profile here requires encryption.
    #[error("SRTCP packet not encrypted (E bit clear)")]
    UnencryptedSrtcp,
    /// The master key has protected as many packets as it may (2^48 SRTP / 2^31 SRTCP); re-key.
    #[error("SRTP master key usage limit reached")]
    KeyExpired,
    /// The cipher failed (an OpenSSL error inside libsrtp).
    #[error("SRTP cipher operation failed")]
    CipherFailed,
    /// A key or salt has the wrong length for the profile.
    #[error("{what} is {got} bytes, the profile needs {expected}")]
    KeyLength {
        /// Which input: `"master key"`, `"master salt"` or `"keying material"`.
        what: &'static str,
        /// Length the profile needs.
        expected: usize,
        /// Length given.
        got: usize,
    },
    /// A parameter was rejected, by us or by libsrtp.
    #[error("bad parameter: {0}")]
    BadParameter(&'static str),
    /// `srtp_init` failed; no session can be created in this process.
    #[error("libsrtp initialisation failed with status {0}")]
    Init(u32),
    /// Any other libsrtp status.
    #[error("libsrtp {operation} failed with status {status}")]
    Library {
        /// The libsrtp call.
        operation: &'static str,
        /// Its `srtp_err_status_t`.
        status: u32,
    },
}
