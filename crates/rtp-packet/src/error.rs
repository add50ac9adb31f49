//! The errors of this crate.

/// Why an RTP packet could not be parsed or written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RtpError {
    /// The buffer ends before the fixed 12-byte header does.
    #[error("RTP packet too short: need {needed} bytes, got {got}")]
    TooShort {
        /// Bytes the header needs.
        needed: usize,
        /// Bytes available.
        got: usize,
    },
    /// The buffer is longer than a packet view can index (4 GiB).
    #[error("RTP packet too long: {got} bytes (max {max})")]
    TooLong {
        /// Bytes in the buffer.
        got: usize,
        /// The largest length accepted.
        max: usize,
    },
    /// The version field is not 2.
    #[error("bad RTP version {0} (expected 2)")]
    BadVersion(u8),
    /// The CSRC count points past the end of the buffer.
    #[error("CSRC count {count} needs {needed} header bytes, packet has {got}")]
    CsrcBeyondBuffer {
        /// The CC field.
        count: u8,
        /// Bytes the fixed header plus CSRC list need.
        needed: usize,
        /// Bytes available.
        got: usize,
    },
    /// The X bit is set but the extension header or its declared length runs past the buffer.
    #[error("header extension needs {needed} bytes, packet has {got}")]
    ExtensionBeyondBuffer {
        /// Bytes needed up to the end of the extension block.
        needed: usize,
        /// Bytes available.
        got: usize,
    },
    /// An RFC 8285 extension element is malformed.
    #[error("malformed header extension: {0}")]
    Extension(#[from] ExtensionError),
    /// The P bit is set but the padding count (last byte) is zero.
    #[error("padding bit set but padding length is 0")]
    ZeroPadding,
    /// The padding count is larger than what follows the header.
    #[error("padding length {padding} exceeds the {available} bytes after the header")]
    PaddingBeyondPayload {
        /// The padding count from the last byte.
        padding: u8,
        /// Bytes after the header (payload plus padding).
        available: usize,
    },
    /// The output buffer is too small for the packet being written.
    #[error("output buffer too small: need {needed} bytes, got {got}")]
    BufferTooSmall {
        /// Bytes the packet needs.
        needed: usize,
        /// Bytes available.
        got: usize,
    },
    /// A field value does not fit its wire width.
    #[error("{field} value {value} out of range (max {max})")]
    FieldRange {
        /// Which field.
        field: &'static str,
        /// The offending value.
        value: u32,
        /// The largest value allowed.
        max: u32,
    },
    /// An RTX packet has no room for the 2-byte original sequence number.
    #[error("RTX payload is {0} bytes, too short for the original sequence number")]
    RtxTooShort(usize),
    /// A value was given for an extension the packet has no element (or the map no id) for.
    #[error("the packet carries no {} element to rewrite", .0.uri())]
    MissingExtension(crate::ExtensionKind),
}

/// Why a header extension element or value is invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExtensionError {
    /// An element's declared length runs past the end of the extension block.
    #[error("element id {id} declares {len} bytes but only {available} remain in the block")]
    ElementBeyondBlock {
        /// Element id.
        id: u8,
        /// Declared data length.
        len: usize,
        /// Bytes left in the block.
        available: usize,
    },
    /// A two-byte element header is cut off at the end of the block.
    #[error("two-byte element id {id} has no length byte")]
    TruncatedElementHeader {
        /// Element id.
        id: u8,
    },
    /// The id cannot be used in the chosen form (0 is padding; 15 is reserved in one-byte form).
    #[error("extension id {0} is not usable")]
    BadId(u8),
    /// The value's length cannot be expressed in the chosen form.
    #[error("extension id {id}: {len}-byte value does not fit")]
    BadLength {
        /// Element id.
        id: u8,
        /// Value length.
        len: usize,
    },
    /// The element's data has the wrong size for its type.
    #[error("{uri}: expected {expected} bytes, got {got}")]
    WrongSize {
        /// Extension URI.
        uri: &'static str,
        /// Expected length (or the shortest allowed).
        expected: usize,
        /// Actual length.
        got: usize,
    },
    /// The element's data is not valid for its type (e.g. a MID that is not a token).
    #[error("{uri}: invalid value")]
    InvalidValue {
        /// Extension URI.
        uri: &'static str,
    },
    /// No room left in the fixed-capacity extension buffer of an outgoing header.
    #[error("extension buffer full: {needed} bytes needed, {available} free")]
    NoRoom {
        /// Bytes needed.
        needed: usize,
        /// Bytes free.
        available: usize,
    },
    /// The id is already present in the outgoing header.
    #[error("extension id {0} is already set")]
    DuplicateId(u8),
    /// The URI is not one this crate knows.
    #[error("unknown header extension URI")]
    UnknownUri,
}
