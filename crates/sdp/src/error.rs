//! The errors of this crate.

/// Why a session description could not be parsed: which line, its text, and what was wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[error("SDP line {line} `{text}`: {kind}")]
pub struct SdpError {
    /// 1-based line number of the offending line (one past the last line when something is missing at the end).
    pub line: usize,
    /// The offending line without its line ending (empty when something is missing at the end).
    pub text: String,
    /// What was wrong with it.
    pub kind: ErrorKind,
}

/// What was wrong with an SDP line.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input holds no lines at all.
    #[error("empty session description")]
    Empty,
    /// A line is not `<type>=<value>` with a single-letter type.
    #[error("not a `<type>=<value>` line")]
    NotTypeValue,
    /// A line has a type letter that SDP does not define.
    #[error("unknown line type `{0}`")]
    UnknownType(char),
    /// A line holds a character SDP text may not contain (NUL or a lone CR).
    #[error("forbidden character {0:?}")]
    ForbiddenCharacter(char),
    /// An empty line in the middle of the description.
    #[error("empty line")]
    EmptyLine,
    /// The description does not start with `v=`.
    #[error("first line must be `v=0`")]
    MissingVersion,
    /// `v=` is not 0.
    #[error("unsupported SDP version (only 0 is defined)")]
    UnsupportedVersion,
    /// A line that must appear once appears again.
    #[error("duplicate `{0}=` line")]
    Duplicate(char),
    /// A required line (`o=`, `s=`, `t=`) is missing.
    #[error("missing `{0}=` line")]
    Missing(char),
    /// A line type that is only allowed at session level appears in a media section.
    #[error("`{0}=` is not allowed in a media section")]
    NotInMedia(char),
    /// A field of a line or attribute is missing.
    #[error("missing {field}")]
    MissingField {
        /// Which field.
        field: &'static str,
    },
    /// A field of a line or attribute has a value that does not fit its grammar.
    #[error("invalid {field} `{value}`")]
    InvalidField {
        /// Which field.
        field: &'static str,
        /// The text found where the field was expected.
        value: String,
    },
    /// A number that parses but lies outside the range its field allows.
    #[error("{field} `{value}` out of range {min}..={max}")]
    OutOfRange {
        /// Which field.
        field: &'static str,
        /// The text found.
        value: String,
        /// Smallest allowed value.
        min: u64,
        /// Largest allowed value.
        max: u64,
    },
    /// (Writing) a value that writes as text which parses back to a different value, such as
    /// `Attribute::Other` named `mid`, or a media format holding a space.
    #[error("written value does not parse back to the same value")]
    NoRoundTrip,
    /// Text after the last field of a line or attribute that allows no more.
    #[error("unexpected trailing text `{0}`")]
    Trailing(String),
}

impl ErrorKind {
    pub(crate) fn invalid(field: &'static str, value: &str) -> Self {
        Self::InvalidField {
            field,
            value: value.to_owned(),
        }
    }
}
