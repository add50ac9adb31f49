//! The errors of this crate.

/// Why an RTCP packet could not be parsed or written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RtcpError {
    /// A packet was added to a compound after one with padding (RFC 3550 §6.1: only the last may be padded).
    #[error("only the last packet of a compound RTCP packet may be padded")]
    PaddingNotLast,
    /// The buffer ends before the 4-byte common header does.
    #[error("RTCP packet too short: need {needed} bytes, got {got}")]
    TooShort {
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        got: usize,
    },
    /// The version field is not 2.
    #[error("bad RTCP version {0} (expected 2)")]
    BadVersion(u8),
    /// The length field declares more bytes than the buffer holds.
    #[error("RTCP length field declares {declared} bytes, only {available} remain in the buffer")]
    LengthBeyondBuffer {
        /// `4 * (length + 1)`.
        declared: usize,
        /// Bytes left in the compound buffer from this packet's start.
        available: usize,
    },
    /// The P bit is set but the padding count (last byte) is zero.
    #[error("padding bit set but padding length is 0")]
    ZeroPadding,
    /// The padding count is larger than the packet body.
    #[error("padding length {padding} exceeds the {available} bytes after the header")]
    PaddingBeyondPacket {
        /// The padding count from the last byte.
        padding: u8,
        /// Bytes after the 4-byte header.
        available: usize,
    },
    /// A packet body is too short for what its header (count field) or fixed layout promises.
    #[error("{packet} body needs {needed} bytes, has {got}")]
    BodyTooShort {
        /// Which packet type.
        packet: &'static str,
        /// Bytes the body needs.
        needed: usize,
        /// Bytes the body has.
        got: usize,
    },
    /// A packet body has a length that its layout does not allow (e.g. not a multiple of the item size).
    #[error("{packet} body of {len} bytes is not a valid length")]
    BadBodyLength {
        /// Which packet type.
        packet: &'static str,
        /// Body length.
        len: usize,
    },
    /// An SDES item runs past the end of the packet.
    #[error("SDES chunk {chunk}: item at offset {offset} runs past the end of the packet")]
    SdesItemBeyondPacket {
        /// Index of the chunk.
        chunk: usize,
        /// Byte offset of the item within the body.
        offset: usize,
    },
    /// A BYE reason runs past the end of the packet.
    #[error("BYE reason of {len} bytes runs past the end of the packet ({available} left)")]
    ByeReasonBeyondPacket {
        /// Declared reason length.
        len: usize,
        /// Bytes left for it.
        available: usize,
    },
    /// The REMB SSRC count does not match the FCI length.
    #[error("REMB announces {count} SSRCs but the FCI has room for {room}")]
    RembSsrcCount {
        /// The Num SSRC field.
        count: u8,
        /// SSRCs that fit in the FCI.
        room: usize,
    },
    /// Transport-wide CC feedback: the status chunks or receive deltas run past the FCI.
    #[error("transport-cc feedback needs {needed} FCI bytes, has {got}")]
    TwccTruncated {
        /// FCI bytes needed for the announced statuses and their deltas.
        needed: usize,
        /// FCI bytes present.
        got: usize,
    },
    /// Transport-wide CC feedback: a 2-bit status vector uses the reserved symbol 3.
    #[error("transport-cc feedback: reserved status symbol in chunk {chunk}")]
    TwccReservedSymbol {
        /// Index of the chunk.
        chunk: usize,
    },
    /// An XR block runs past the end of the packet.
    #[error("XR block type {block_type} at offset {offset} declares {declared} bytes, {available} left")]
    XrBlockBeyondPacket {
        /// Block type.
        block_type: u8,
        /// Offset of the block within the body.
        offset: usize,
        /// Declared block length in bytes, header included.
        declared: usize,
        /// Bytes left in the body.
        available: usize,
    },
    /// The compound packet breaks an RFC 3550 §6.1 rule.
    #[error("not a valid RFC 3550 compound packet: {0}")]
    Compound(CompoundRule),
    /// The output buffer is too small for the packet being written.
    #[error("output buffer too small: need {needed} bytes, got {got}")]
    BufferTooSmall {
        /// Bytes the packet needs.
        needed: usize,
        /// Bytes available.
        got: usize,
    },
    /// A field value does not fit its wire width (or a packet would exceed 65536 words).
    #[error("{field} value {value} out of range (max {max})")]
    FieldRange {
        /// Which field.
        field: &'static str,
        /// The offending value.
        value: u64,
        /// The largest value allowed.
        max: u64,
    },
    /// A variable-length part that must be a multiple of 4 bytes is not.
    #[error("{field} is {len} bytes, not a multiple of 4")]
    NotAligned {
        /// Which part.
        field: &'static str,
        /// Its length.
        len: usize,
    },
}

/// Which RFC 3550 §6.1 compound-packet rule is broken (see [`crate::validate_compound`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CompoundRule {
    /// The buffer holds no packet.
    #[error("empty")]
    Empty,
    /// The first packet is not an SR or RR (the packet type is given).
    #[error("first packet has type {0}, not SR or RR")]
    FirstNotReport(u8),
    /// There is no SDES packet with a CNAME item.
    #[error("no SDES CNAME")]
    NoCname,
    /// A packet other than the last has padding.
    #[error("padding on packet {0}, which is not the last")]
    PaddingNotLast(usize),
}
