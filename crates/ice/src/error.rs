//! The errors of this crate.

use crate::stun::AttributeType;

/// Why a STUN message could not be parsed, built or verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StunError {
    /// The buffer is shorter than the data it must hold.
    #[error("STUN message too short: needed {needed} bytes, got {got}")]
    TooShort {
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        got: usize,
    },
    /// The two most significant bits of the message type are not zero: not a STUN message.
    #[error("first two bits of the message type are {0:#04b}, not zero")]
    NotStun(u8),
    /// The magic cookie is not `0x2112A442`.
    #[error("magic cookie {0:#010x} is not 0x2112a442")]
    BadMagicCookie(u32),
    /// The message length field is not a multiple of four.
    #[error("message length {0} is not a multiple of 4")]
    UnalignedLength(u16),
    /// The message length field does not match the datagram size.
    #[error("message length field says {declared} bytes of attributes, the datagram holds {actual}")]
    LengthMismatch {
        /// Attribute bytes announced by the header.
        declared: usize,
        /// Attribute bytes present after the header.
        actual: usize,
    },
    /// An attribute's declared length runs past the end of the message.
    #[error("attribute {attr} at offset {offset} declares {len} bytes, past the end of the message")]
    AttributeOverrun {
        /// The attribute's type.
        attr: AttributeType,
        /// Offset of the attribute header in the message.
        offset: usize,
        /// The declared value length.
        len: usize,
    },
    /// An attribute's value has a size its type does not allow.
    #[error("attribute {attr} has a {len}-byte value, which its type does not allow")]
    BadAttributeLength {
        /// The attribute's type.
        attr: AttributeType,
        /// The value length found.
        len: usize,
    },
    /// An address attribute names an address family other than IPv4 (1) or IPv6 (2).
    #[error("attribute {attr} has unknown address family {family:#04x}")]
    BadAddressFamily {
        /// The attribute's type.
        attr: AttributeType,
        /// The family byte.
        family: u8,
    },
    /// A text attribute (USERNAME, SOFTWARE, ERROR-CODE reason) is not UTF-8.
    #[error("attribute {0} is not valid UTF-8")]
    BadUtf8(AttributeType),
    /// ERROR-CODE holds a class outside 3..=6 or a number above 99.
    #[error("ERROR-CODE class {class} number {number} is out of range")]
    BadErrorCode {
        /// The class (hundreds digit).
        class: u8,
        /// The number (last two digits).
        number: u8,
    },
    /// The message has no MESSAGE-INTEGRITY attribute.
    #[error("no MESSAGE-INTEGRITY attribute")]
    IntegrityMissing,
    /// The MESSAGE-INTEGRITY HMAC does not match the key.
    #[error("MESSAGE-INTEGRITY does not match")]
    IntegrityMismatch,
    /// The message has no FINGERPRINT attribute.
    #[error("no FINGERPRINT attribute")]
    FingerprintMissing,
    /// FINGERPRINT is present but is not the last attribute.
    #[error("FINGERPRINT is not the last attribute")]
    FingerprintNotLast,
    /// The FINGERPRINT value does not match the message's CRC-32.
    #[error("FINGERPRINT {got:#010x} does not match the computed {expected:#010x}")]
    FingerprintMismatch {
        /// The value computed over the message.
        expected: u32,
        /// The value carried by the message.
        got: u32,
    },
    /// A builder's buffer cannot hold the next attribute.
    #[error("buffer too small: needed {needed} bytes, got {got}")]
    BufferTooSmall {
        /// Bytes needed in total.
        needed: usize,
        /// Size of the buffer.
        got: usize,
    },
    /// A value is longer than its attribute allows (or than a STUN length field can say).
    #[error("value of {attr} is {len} bytes, more than the {max} allowed")]
    ValueTooLong {
        /// The attribute's type.
        attr: AttributeType,
        /// The value's length.
        len: usize,
        /// The largest length allowed.
        max: usize,
    },
    /// An attribute was added after MESSAGE-INTEGRITY or FINGERPRINT, where only FINGERPRINT may follow.
    #[error("attribute {0} added after MESSAGE-INTEGRITY or FINGERPRINT")]
    AttributeAfterIntegrity(AttributeType),
    /// A method does not fit in 12 bits.
    #[error("method {0:#x} does not fit in 12 bits")]
    BadMethod(u16),
}

/// Why an ICE agent refused an operation or a candidate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IceError {
    /// ICE credentials violate RFC 8445 §5.3 (ufrag 4..=256, pwd 22..=256 ice-chars).
    #[error("bad ICE credentials: {0}")]
    BadCredentials(&'static str),
    /// A local candidate is not a host candidate (the agent gathers nothing itself and takes host candidates only).
    #[error("local candidate {0} is not a host candidate")]
    NotHostCandidate(std::net::SocketAddr),
    /// The OS random number generator failed, so no unpredictable tie-breaker or credentials could be drawn.
    #[error("the OS random number generator failed: {0}")]
    Random(#[source] getrandom::Error),
    /// A candidate was added for a component other than 1 (the agent handles one component, as WebRTC does).
    #[error("component {0} is not supported: only component 1 is")]
    UnsupportedComponent(u16),
}
