//! The identifiers RTP streams are known by, as types: [`Ssrc`], [`PayloadType`], [`SeqNo`] (extended sequence
//! numbers), [`Mid`] and [`Rid`].
//!
//! [`Mid`] and [`Rid`] hold their text inline (at most [`Mid::MAX_LEN`] bytes, what a one-byte header extension
//! carries and what browsers accept), so they are `Copy` and compare without touching the heap.

use core::fmt;
use core::str::FromStr;

/// Why a value is not a valid identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// RTP payload types are 7 bits.
    #[error("payload type {0} is out of range (0..=127)")]
    PayloadType(u8),
    /// A mid or rid must not be empty.
    #[error("an empty {what} is not allowed")]
    Empty {
        /// `"mid"` or `"rid"`.
        what: &'static str,
    },
    /// A mid or rid longer than a one-byte header extension carries.
    #[error("{what} is {len} bytes long; at most {max} are allowed")]
    TooLong {
        /// `"mid"` or `"rid"`.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The longest allowed.
        max: usize,
    },
    /// A byte outside the identifier's grammar.
    #[error("{what} contains {byte:#04x} at byte {at}, outside its grammar")]
    BadByte {
        /// `"mid"` or `"rid"`.
        what: &'static str,
        /// The offending byte.
        byte: u8,
        /// Its index.
        at: usize,
    },
}

/// A synchronization source identifier (RFC 3550 §3).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Ssrc(u32);

impl Ssrc {
    /// The SSRC `value`.
    #[must_use]
    pub const fn new(value: u32) -> Self {
        Self(value)
    }

    /// Its value.
    #[must_use]
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl From<u32> for Ssrc {
    fn from(value: u32) -> Self {
        Self(value)
    }
}

impl From<Ssrc> for u32 {
    fn from(ssrc: Ssrc) -> Self {
        ssrc.0
    }
}

impl fmt::Display for Ssrc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Ssrc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ssrc({:#010x})", self.0)
    }
}

/// An RTP payload type, 0..=127.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PayloadType(u8);

impl PayloadType {
    /// The payload type `value`, if it fits in 7 bits.
    #[must_use]
    pub const fn new(value: u8) -> Option<Self> {
        if value <= 0x7f { Some(Self(value)) } else { None }
    }

    /// The payload type of an RTP header's 7-bit field: the top bit of `byte` is ignored.
    #[must_use]
    pub const fn from_masked(byte: u8) -> Self {
        Self(byte & 0x7f)
    }

    /// Its value.
    #[must_use]
    pub const fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for PayloadType {
    type Error = IdError;

    fn try_from(value: u8) -> Result<Self, IdError> {
        Self::new(value).ok_or(IdError::PayloadType(value))
    }
}

impl From<PayloadType> for u8 {
    fn from(pt: PayloadType) -> Self {
        pt.0
    }
}

impl fmt::Display for PayloadType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for PayloadType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PayloadType({})", self.0)
    }
}

/// An extended RTP sequence number: the 16-bit wire value plus 65 536 × the wrap-arounds before it
/// (RFC 3550 A.1), so it orders packets across wraps.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct SeqNo(u64);

impl SeqNo {
    /// The extended sequence number `value`.
    #[must_use]
    pub const fn new(value: u64) -> Self {
        Self(value)
    }

    /// Its value.
    #[must_use]
    pub const fn get(self) -> u64 {
        self.0
    }

    /// The 16-bit value carried in the RTP header.
    #[must_use]
    pub const fn wrapped(self) -> u16 {
        // The low 16 bits, by definition of the extension.
        (self.0 & 0xffff) as u16
    }

    /// How many times the 16-bit value wrapped before this one.
    #[must_use]
    pub const fn cycles(self) -> u64 {
        self.0 >> 16
    }
}

impl From<u64> for SeqNo {
    fn from(value: u64) -> Self {
        Self(value)
    }
}

impl From<u16> for SeqNo {
    fn from(value: u16) -> Self {
        Self(u64::from(value))
    }
}

impl From<SeqNo> for u64 {
    fn from(seq: SeqNo) -> Self {
        seq.0
    }
}

impl fmt::Display for SeqNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for SeqNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SeqNo({})", self.0)
    }
}

/// The longest mid or rid: what a one-byte header extension element carries (RFC 8285 §4.2), the limit
/// browsers apply too.
const MAX_LEN: usize = 16;

/// Short text kept inline: `len` bytes of `bytes`, each ASCII (checked on construction).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Inline {
    len: u8,
    bytes: [u8; MAX_LEN],
}

impl Inline {
    fn new(what: &'static str, s: &str, allowed: fn(u8) -> bool) -> Result<Self, IdError> {
        let b = s.as_bytes();
        if b.is_empty() {
            return Err(IdError::Empty { what });
        }
        if b.len() > MAX_LEN {
            return Err(IdError::TooLong {
                what,
                len: b.len(),
                max: MAX_LEN,
            });
        }
        if let Some(at) = b.iter().position(|&c| !allowed(c)) {
            return Err(IdError::BadByte { what, byte: b[at], at });
        }
        let mut bytes = [0; MAX_LEN];
        bytes[..b.len()].copy_from_slice(b);
        // invariant: 1..=16 fits in u8.
        Ok(Self {
            len: u8::try_from(b.len()).unwrap_or(u8::MAX),
            bytes,
        })
    }

    fn as_str(&self) -> &str {
        let b = &self.bytes[..usize::from(self.len)];
        // invariant: construction admitted ASCII bytes only.
        core::str::from_utf8(b).unwrap_or_default()
    }
}

/// RFC 8866 `token` characters (a mid is an `identification-tag`, a token; RFC 5888 §4).
fn token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`{|}~".contains(&b)
}

/// RFC 8851 `rid-id` characters.
fn rid_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident, $what:literal, $allowed:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Inline);

        impl $name {
            /// The longest value allowed, in bytes.
            pub const MAX_LEN: usize = MAX_LEN;

            #[doc = concat!("The ", $what, " `s`: 1 to 16 bytes of its grammar.")]
            ///
            /// # Errors
            /// [`IdError`] names what is wrong with `s`.
            pub fn new(s: &str) -> Result<Self, IdError> {
                Inline::new($what, s, $allowed).map(Self)
            }

            /// Its text.
            #[must_use]
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }
        }

        impl FromStr for $name {
            type Err = IdError;

            fn from_str(s: &str) -> Result<Self, IdError> {
                Self::new(s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = IdError;

            fn try_from(s: &str) -> Result<Self, IdError> {
                Self::new(s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl core::ops::Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                self.as_str()
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.as_str())
            }
        }
    };
}

text_id!(
    /// A media id (`a=mid`, RFC 8843): names an m-section and travels in the mid header extension.
    Mid,
    "mid",
    token_char
);
text_id!(
    /// An RTP stream id (`a=rid`, RFC 8851): names one encoding (a simulcast layer) and travels in the
    /// rtp-stream-id and repaired-rtp-stream-id header extensions (RFC 8852).
    Rid,
    "rid",
    rid_char
);

#[cfg(feature = "serde")]
mod serde_impls {
    use super::{Mid, PayloadType, Rid, SeqNo, Ssrc};
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    macro_rules! number {
        ($name:ident, $int:ty, $make:expr) => {
            impl Serialize for $name {
                fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    self.get().serialize(s)
                }
            }

            impl<'de> Deserialize<'de> for $name {
                fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    let v = <$int>::deserialize(d)?;
                    $make(v).map_err(D::Error::custom)
                }
            }
        };
    }

    number!(Ssrc, u32, |v| Ok::<_, super::IdError>(Ssrc::new(v)));
    number!(SeqNo, u64, |v| Ok::<_, super::IdError>(SeqNo::new(v)));
    number!(PayloadType, u8, PayloadType::try_from);

    macro_rules! text {
        ($name:ident) => {
            impl Serialize for $name {
                fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    s.serialize_str(self.as_str())
                }
            }

            impl<'de> Deserialize<'de> for $name {
                fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                    $name::new(&s).map_err(D::Error::custom)
                }
            }
        };
    }

    text!(Mid);
    text!(Rid);
}

impl<'a> From<&'a Mid> for crate::ext::Mid<'a> {
    fn from(mid: &'a Mid) -> Self {
        crate::ext::Mid(mid.as_str())
    }
}

impl<'a> From<&'a Rid> for crate::ext::RtpStreamId<'a> {
    fn from(rid: &'a Rid) -> Self {
        crate::ext::RtpStreamId(rid.as_str())
    }
}

impl<'a> From<&'a Rid> for crate::ext::RepairedRtpStreamId<'a> {
    fn from(rid: &'a Rid) -> Self {
        crate::ext::RepairedRtpStreamId(rid.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_types_are_seven_bits() {
        assert_eq!(PayloadType::new(127).map(PayloadType::get), Some(127));
        assert_eq!(PayloadType::new(128), None);
        assert_eq!(PayloadType::try_from(200), Err(IdError::PayloadType(200)));
        assert_eq!(PayloadType::from_masked(0xe0).get(), 0x60);
    }

    #[test]
    fn extended_sequence_numbers_split_into_wire_value_and_cycles() {
        let s = SeqNo::new(3 * 65_536 + 17);
        assert_eq!((s.wrapped(), s.cycles()), (17, 3));
        assert!(SeqNo::new(65_536) > SeqNo::from(65_535u16));
    }

    #[test]
    fn mids_follow_the_token_grammar_and_the_length_limit() {
        let mid = Mid::new("audio-0").unwrap();
        assert_eq!(mid, "audio-0");
        assert_eq!(mid.len(), 7);
        assert_eq!(Mid::new("0123456789abcdef").unwrap().as_str(), "0123456789abcdef");
        assert_eq!(
            Mid::new("0123456789abcdefg"),
            Err(IdError::TooLong {
                what: "mid",
                len: 17,
                max: 16
            })
        );
        assert_eq!(Mid::new(""), Err(IdError::Empty { what: "mid" }));
        assert_eq!(
            Mid::new("a b"),
            Err(IdError::BadByte {
                what: "mid",
                byte: b' ',
                at: 1
            })
        );
        assert_eq!(
            Mid::new("é"),
            Err(IdError::BadByte {
                what: "mid",
                byte: 0xc3,
                at: 0
            })
        );
    }

    #[test]
    fn rids_admit_alphanumerics_dash_and_underscore_only() {
        assert_eq!(Rid::new("hi_res-1").unwrap().as_str(), "hi_res-1");
        // A token character that rid-id (RFC 8851) does not allow.
        assert_eq!(
            Rid::new("q.1"),
            Err(IdError::BadByte {
                what: "rid",
                byte: b'.',
                at: 1
            })
        );
        assert!(Mid::new("q.1").is_ok());
    }

    #[test]
    fn equal_text_is_equal_whatever_was_stored_before() {
        let a = Mid::new("ab").unwrap();
        let b: Mid = "ab".parse().unwrap();
        assert_eq!(a, b);
        assert_ne!(a, Mid::new("abc").unwrap());
        assert_eq!(format!("{a:?} {a}"), "Mid(\"ab\") ab");
        assert_eq!(format!("{:?}", Ssrc::new(0x1234)), "Ssrc(0x00001234)");
    }
}
