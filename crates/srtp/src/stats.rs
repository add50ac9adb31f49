//! Packet, byte and error counters.

use crate::SrtpError;

/// Packets and plaintext bytes that went through one direction.
///
/// Bytes are the plaintext RTP/RTCP packet lengths (header included, trailer excluded): what was handed to
/// `protect_*`, or what `unprotect_*` handed back.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PacketCounts {
    /// RTP packets.
    pub rtp_packets: u64,
    /// RTP plaintext bytes.
    pub rtp_bytes: u64,
    /// RTCP packets.
    pub rtcp_packets: u64,
    /// RTCP plaintext bytes.
    pub rtcp_bytes: u64,
}

impl PacketCounts {
    fn add(&mut self, other: &Self) {
        self.rtp_packets += other.rtp_packets;
        self.rtp_bytes += other.rtp_bytes;
        self.rtcp_packets += other.rtcp_packets;
        self.rtcp_bytes += other.rtcp_bytes;
    }
}

/// How many times each [`SrtpError`] was returned by `protect_*` / `unprotect_*`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorCounts {
    /// [`SrtpError::TooShort`].
    pub too_short: u64,
    /// [`SrtpError::BadVersion`].
    pub bad_version: u64,
    /// [`SrtpError::BufferTooSmall`].
    pub buffer_too_small: u64,
    /// [`SrtpError::LengthOutOfRange`].
    pub length_out_of_range: u64,
    /// [`SrtpError::AuthenticationFailed`].
    pub authentication_failed: u64,
    /// [`SrtpError::ReplayDuplicate`].
    pub replay_duplicate: u64,
    /// [`SrtpError::ReplayTooOld`].
    pub replay_too_old: u64,
    /// [`SrtpError::UnencryptedSrtcp`].
    pub unencrypted_srtcp: u64,
    /// [`SrtpError::KeyExpired`].
    pub key_expired: u64,
    /// [`SrtpError::CipherFailed`].
    pub cipher_failed: u64,
    /// [`SrtpError::BadParameter`].
    pub bad_parameter: u64,
    /// [`SrtpError::Library`], [`SrtpError::Init`] and [`SrtpError::KeyLength`] (the last two only arise
    /// when creating a session, so they are never counted in practice).
    pub other: u64,
}

impl ErrorCounts {
    /// Counts one occurrence of `error`.
    pub fn record(&mut self, error: &SrtpError) {
        let counter = match error {
            SrtpError::TooShort { .. } => &mut self.too_short,
            SrtpError::BadVersion(_) => &mut self.bad_version,
            SrtpError::BufferTooSmall { .. } => &mut self.buffer_too_small,
            SrtpError::LengthOutOfRange { .. } => &mut self.length_out_of_range,
            SrtpError::AuthenticationFailed => &mut self.authentication_failed,
            SrtpError::ReplayDuplicate => &mut self.replay_duplicate,
            SrtpError::ReplayTooOld => &mut self.replay_too_old,
            SrtpError::UnencryptedSrtcp => &mut self.unencrypted_srtcp,
            SrtpError::KeyExpired => &mut self.key_expired,
            SrtpError::CipherFailed => &mut self.cipher_failed,
            SrtpError::BadParameter(_) => &mut self.bad_parameter,
            SrtpError::KeyLength { .. } | SrtpError::Init(_) | SrtpError::Library { .. } => &mut self.other,
        };
        *counter += 1;
    }

    /// All errors counted.
    pub fn total(&self) -> u64 {
        self.too_short
            + self.bad_version
            + self.buffer_too_small
            + self.length_out_of_range
            + self.authentication_failed
            + self.replay_duplicate
            + self.replay_too_old
            + self.unencrypted_srtcp
            + self.key_expired
            + self.cipher_failed
            + self.bad_parameter
            + self.other
    }

    fn add(&mut self, o: &Self) {
        self.too_short += o.too_short;
        self.bad_version += o.bad_version;
        self.buffer_too_small += o.buffer_too_small;
        self.length_out_of_range += o.length_out_of_range;
        self.authentication_failed += o.authentication_failed;
        self.replay_duplicate += o.replay_duplicate;
        self.replay_too_old += o.replay_too_old;
        self.unencrypted_srtcp += o.unencrypted_srtcp;
        self.key_expired += o.key_expired;
        self.cipher_failed += o.cipher_failed;
        self.bad_parameter += o.bad_parameter;
        self.other += o.other;
    }
}

/// Counters of a session or of one of its directions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SrtpStats {
    /// Packets protected (outbound).
    pub protected: PacketCounts,
    /// Packets unprotected (inbound), counting only those that authenticated and passed the replay check.
    pub unprotected: PacketCounts,
    /// Failed calls, by error.
    pub errors: ErrorCounts,
}

impl SrtpStats {
    /// The sum of `self` and `other` (e.g. the outbound and inbound halves of a session).
    #[must_use]
    pub fn merged(mut self, other: &Self) -> Self {
        self.protected.add(&other.protected);
        self.unprotected.add(&other.unprotected);
        self.errors.add(&other.errors);
        self
    }
}
