//! STUN attributes: the type registry, the raw TLV view and typed decoding.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use super::{MAGIC_COOKIE, TransactionId};
use crate::StunError;

/// A STUN attribute type. Types below `0x8000` are comprehension-required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttributeType(pub u16);

impl AttributeType {
    /// MAPPED-ADDRESS (RFC 8489 §14.1).
    pub const MAPPED_ADDRESS: Self = Self(0x0001);
    /// USERNAME (RFC 8489 §14.3).
    pub const USERNAME: Self = Self(0x0006);
    /// MESSAGE-INTEGRITY, HMAC-SHA1 (RFC 8489 §14.5).
    pub const MESSAGE_INTEGRITY: Self = Self(0x0008);
    /// ERROR-CODE (RFC 8489 §14.8).
    pub const ERROR_CODE: Self = Self(0x0009);
    /// UNKNOWN-ATTRIBUTES (RFC 8489 §14.9).
    pub const UNKNOWN_ATTRIBUTES: Self = Self(0x000a);
    /// XOR-MAPPED-ADDRESS (RFC 8489 §14.2).
    pub const XOR_MAPPED_ADDRESS: Self = Self(0x0020);
    /// PRIORITY (RFC 8445 §16.1).
    pub const PRIORITY: Self = Self(0x0024);
    /// USE-CANDIDATE (RFC 8445 §16.1).
    pub const USE_CANDIDATE: Self = Self(0x0025);
    /// SOFTWARE (RFC 8489 §14.14).
    pub const SOFTWARE: Self = Self(0x8022);
    /// FINGERPRINT (RFC 8489 §14.7).
    pub const FINGERPRINT: Self = Self(0x8028);
    /// ICE-CONTROLLED (RFC 8445 §16.1).
    pub const ICE_CONTROLLED: Self = Self(0x8029);
    /// ICE-CONTROLLING (RFC 8445 §16.1).
    pub const ICE_CONTROLLING: Self = Self(0x802a);

    /// Whether a receiver that does not know this attribute must reject the message (types `0x0000..=0x7fff`).
    pub fn is_comprehension_required(self) -> bool {
        self.0 < 0x8000
    }

    /// Whether this crate decodes the attribute into a typed [`Attribute`].
    pub fn is_known(self) -> bool {
        matches!(
            self,
            Self::MAPPED_ADDRESS
                | Self::USERNAME
                | Self::MESSAGE_INTEGRITY
                | Self::ERROR_CODE
                | Self::UNKNOWN_ATTRIBUTES
                | Self::XOR_MAPPED_ADDRESS
                | Self::PRIORITY
                | Self::USE_CANDIDATE
                | Self::SOFTWARE
                | Self::FINGERPRINT
                | Self::ICE_CONTROLLED
                | Self::ICE_CONTROLLING
        )
    }
}

impl fmt::Display for AttributeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match *self {
            Self::MAPPED_ADDRESS => "MAPPED-ADDRESS",
            Self::USERNAME => "USERNAME",
            Self::MESSAGE_INTEGRITY => "MESSAGE-INTEGRITY",
            Self::ERROR_CODE => "ERROR-CODE",
            Self::UNKNOWN_ATTRIBUTES => "UNKNOWN-ATTRIBUTES",
            Self::XOR_MAPPED_ADDRESS => "XOR-MAPPED-ADDRESS",
            Self::PRIORITY => "PRIORITY",
            Self::USE_CANDIDATE => "USE-CANDIDATE",
            Self::SOFTWARE => "SOFTWARE",
            Self::FINGERPRINT => "FINGERPRINT",
            Self::ICE_CONTROLLED => "ICE-CONTROLLED",
            Self::ICE_CONTROLLING => "ICE-CONTROLLING",
            _ => return write!(f, "{:#06x}", self.0),
        };
        f.write_str(name)
    }
}

/// One attribute as it sits in a message: type and value (without padding), borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawAttribute<'a> {
    /// The attribute type.
    pub typ: AttributeType,
    /// The value, padding excluded.
    pub value: &'a [u8],
    /// Offset of the attribute header from the start of the message.
    pub offset: usize,
}

/// ERROR-CODE: class × 100 + number, and a reason phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCode<'a> {
    /// The code, 300..=699.
    pub code: u16,
    /// The reason phrase.
    pub reason: &'a str,
}

impl ErrorCode<'_> {
    /// 400 Bad Request.
    pub const BAD_REQUEST: u16 = 400;
    /// 401 Unauthenticated.
    pub const UNAUTHENTICATED: u16 = 401;
    /// 420 Unknown Attribute.
    pub const UNKNOWN_ATTRIBUTE: u16 = 420;
    /// 487 Role Conflict (RFC 8445 §16.2).
    pub const ROLE_CONFLICT: u16 = 487;

    /// The class (hundreds digit).
    pub fn class(&self) -> u8 {
        (self.code / 100) as u8
    }

    /// The number (last two digits).
    pub fn number(&self) -> u8 {
        (self.code % 100) as u8
    }
}

/// UNKNOWN-ATTRIBUTES: a list of 16-bit attribute types, read from the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownAttributes<'a>(&'a [u8]);

impl UnknownAttributes<'_> {
    /// The attribute types listed.
    pub fn iter(&self) -> impl Iterator<Item = AttributeType> + '_ {
        self.0
            .chunks_exact(2)
            .map(|c| AttributeType(u16::from_be_bytes([c[0], c[1]])))
    }
}

/// A decoded attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Attribute<'a> {
    /// MAPPED-ADDRESS.
    MappedAddress(SocketAddr),
    /// XOR-MAPPED-ADDRESS, already un-XORed.
    XorMappedAddress(SocketAddr),
    /// USERNAME.
    Username(&'a str),
    /// MESSAGE-INTEGRITY: the HMAC-SHA1 value.
    MessageIntegrity(&'a [u8; 20]),
    /// FINGERPRINT: the value carried (CRC-32 XOR `0x5354554e`).
    Fingerprint(u32),
    /// ERROR-CODE.
    ErrorCode(ErrorCode<'a>),
    /// UNKNOWN-ATTRIBUTES.
    UnknownAttributes(UnknownAttributes<'a>),
    /// PRIORITY.
    Priority(u32),
    /// USE-CANDIDATE.
    UseCandidate,
    /// ICE-CONTROLLING with its tie-breaker.
    IceControlling(u64),
    /// ICE-CONTROLLED with its tie-breaker.
    IceControlled(u64),
    /// SOFTWARE.
    Software(&'a str),
    /// An attribute this crate does not decode, kept as it is.
    Other(RawAttribute<'a>),
}

fn fixed<const N: usize>(attr: &RawAttribute<'_>) -> Result<[u8; N], StunError> {
    attr.value.try_into().map_err(|_| StunError::BadAttributeLength {
        attr: attr.typ,
        len: attr.value.len(),
    })
}

fn text<'a>(attr: &RawAttribute<'a>, max: usize) -> Result<&'a str, StunError> {
    if attr.value.len() > max {
        return Err(StunError::BadAttributeLength {
            attr: attr.typ,
            len: attr.value.len(),
        });
    }
    std::str::from_utf8(attr.value).map_err(|_| StunError::BadUtf8(attr.typ))
}

/// Longest USERNAME value (RFC 8489 §14.3).
pub(crate) const MAX_USERNAME: usize = 513;
/// Longest SOFTWARE value or ERROR-CODE reason phrase, in bytes (RFC 8489 §14.8, §14.14).
pub(crate) const MAX_TEXT: usize = 763;

impl<'a> RawAttribute<'a> {
    /// Decodes the value by type. `tid` is needed to un-XOR IPv6 addresses.
    pub fn decode(&self, tid: &TransactionId) -> Result<Attribute<'a>, StunError> {
        Ok(match self.typ {
            AttributeType::MAPPED_ADDRESS => Attribute::MappedAddress(decode_address(self, None)?),
            AttributeType::XOR_MAPPED_ADDRESS => Attribute::XorMappedAddress(decode_address(self, Some(tid))?),
            AttributeType::USERNAME => Attribute::Username(text(self, MAX_USERNAME)?),
            AttributeType::SOFTWARE => Attribute::Software(text(self, MAX_TEXT)?),
            AttributeType::MESSAGE_INTEGRITY => {
                Attribute::MessageIntegrity(self.value.try_into().map_err(|_| StunError::BadAttributeLength {
                    attr: self.typ,
                    len: self.value.len(),
                })?)
            }
            AttributeType::FINGERPRINT => Attribute::Fingerprint(u32::from_be_bytes(fixed(self)?)),
            AttributeType::PRIORITY => Attribute::Priority(u32::from_be_bytes(fixed(self)?)),
            AttributeType::USE_CANDIDATE => {
                fixed::<0>(self)?;
                Attribute::UseCandidate
            }
            AttributeType::ICE_CONTROLLING => Attribute::IceControlling(u64::from_be_bytes(fixed(self)?)),
            AttributeType::ICE_CONTROLLED => Attribute::IceControlled(u64::from_be_bytes(fixed(self)?)),
            AttributeType::ERROR_CODE => {
                let v = self.value;
                if v.len() < 4 || v.len() > 4 + MAX_TEXT {
                    return Err(StunError::BadAttributeLength {
                        attr: self.typ,
                        len: v.len(),
                    });
                }
                let class = v[2] & 0x07;
                let number = v[3];
                if !(3..=6).contains(&class) || number > 99 {
                    return Err(StunError::BadErrorCode { class, number });
                }
                let reason = std::str::from_utf8(&v[4..]).map_err(|_| StunError::BadUtf8(self.typ))?;
                Attribute::ErrorCode(ErrorCode {
                    code: u16::from(class) * 100 + u16::from(number),
                    reason,
                })
            }
            AttributeType::UNKNOWN_ATTRIBUTES => {
                if !self.value.len().is_multiple_of(2) {
                    return Err(StunError::BadAttributeLength {
                        attr: self.typ,
                        len: self.value.len(),
                    });
                }
                Attribute::UnknownAttributes(UnknownAttributes(self.value))
            }
            _ => Attribute::Other(*self),
        })
    }
}

fn decode_address(attr: &RawAttribute<'_>, xor: Option<&TransactionId>) -> Result<SocketAddr, StunError> {
    let v = attr.value;
    let bad_len = || StunError::BadAttributeLength {
        attr: attr.typ,
        len: v.len(),
    };
    if v.len() < 4 {
        return Err(bad_len());
    }
    let cookie = MAGIC_COOKIE.to_be_bytes();
    let mut port = u16::from_be_bytes([v[2], v[3]]);
    if xor.is_some() {
        port ^= (MAGIC_COOKIE >> 16) as u16;
    }
    let ip = match v[1] {
        0x01 => {
            let mut o: [u8; 4] = v[4..].try_into().map_err(|_| bad_len())?;
            if xor.is_some() {
                for (b, k) in o.iter_mut().zip(cookie) {
                    *b ^= k;
                }
            }
            IpAddr::V4(Ipv4Addr::from(o))
        }
        0x02 => {
            let mut o: [u8; 16] = v[4..].try_into().map_err(|_| bad_len())?;
            if let Some(tid) = xor {
                for (b, k) in o.iter_mut().zip(cookie.iter().chain(tid.0.iter())) {
                    *b ^= k;
                }
            }
            IpAddr::V6(Ipv6Addr::from(o))
        }
        family => return Err(StunError::BadAddressFamily { attr: attr.typ, family }),
    };
    Ok(SocketAddr::new(ip, port))
}

/// Writes an (XOR-)MAPPED-ADDRESS value into `out` (8 or 20 bytes) and returns its length.
pub(crate) fn encode_address(addr: SocketAddr, xor: Option<&TransactionId>, out: &mut [u8; 20]) -> usize {
    let cookie = MAGIC_COOKIE.to_be_bytes();
    let port = if xor.is_some() {
        addr.port() ^ (MAGIC_COOKIE >> 16) as u16
    } else {
        addr.port()
    };
    out[0] = 0;
    out[2..4].copy_from_slice(&port.to_be_bytes());
    match addr.ip() {
        IpAddr::V4(ip) => {
            out[1] = 0x01;
            let mut o = ip.octets();
            if xor.is_some() {
                for (b, k) in o.iter_mut().zip(cookie) {
                    *b ^= k;
                }
            }
            out[4..8].copy_from_slice(&o);
            8
        }
        IpAddr::V6(ip) => {
            out[1] = 0x02;
            let mut o = ip.octets();
            if let Some(tid) = xor {
                for (b, k) in o.iter_mut().zip(cookie.iter().chain(tid.0.iter())) {
                    *b ^= k;
                }
            }
            out[4..20].copy_from_slice(&o);
            20
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(typ: AttributeType, value: &[u8]) -> RawAttribute<'_> {
        RawAttribute { typ, value, offset: 20 }
    }

    #[test]
    fn address_round_trip() {
        let tid = TransactionId([7; 12]);
        for addr in ["192.0.2.1:32853", "[2001:db8::1]:9", "0.0.0.0:0"] {
            let addr: SocketAddr = addr.parse().unwrap();
            for xor in [None, Some(&tid)] {
                let mut buf = [0u8; 20];
                let n = encode_address(addr, xor, &mut buf);
                let typ = if xor.is_some() {
                    AttributeType::XOR_MAPPED_ADDRESS
                } else {
                    AttributeType::MAPPED_ADDRESS
                };
                assert_eq!(decode_address(&raw(typ, &buf[..n]), xor).unwrap(), addr);
            }
        }
    }

    #[test]
    fn bad_values_are_errors() {
        let tid = TransactionId([0; 12]);
        let typ = AttributeType::XOR_MAPPED_ADDRESS;
        assert_eq!(
            raw(typ, &[0, 3, 0, 0, 1, 2, 3, 4]).decode(&tid),
            Err(StunError::BadAddressFamily { attr: typ, family: 3 })
        );
        assert_eq!(
            raw(typ, &[0, 1, 0]).decode(&tid),
            Err(StunError::BadAttributeLength { attr: typ, len: 3 })
        );
        assert_eq!(
            raw(typ, &[0, 1, 0, 0, 1]).decode(&tid),
            Err(StunError::BadAttributeLength { attr: typ, len: 5 })
        );
        let p = AttributeType::PRIORITY;
        assert_eq!(
            raw(p, &[1, 2]).decode(&tid),
            Err(StunError::BadAttributeLength { attr: p, len: 2 })
        );
        let e = AttributeType::ERROR_CODE;
        assert_eq!(
            raw(e, &[0, 0, 2, 0]).decode(&tid),
            Err(StunError::BadErrorCode { class: 2, number: 0 })
        );
        assert_eq!(
            raw(e, &[0, 0, 4, 100]).decode(&tid),
            Err(StunError::BadErrorCode { class: 4, number: 100 })
        );
        let u = AttributeType::USERNAME;
        assert_eq!(raw(u, &[0xff]).decode(&tid), Err(StunError::BadUtf8(u)));
        assert_eq!(
            raw(AttributeType::USE_CANDIDATE, &[0]).decode(&tid),
            Err(StunError::BadAttributeLength {
                attr: AttributeType::USE_CANDIDATE,
                len: 1
            })
        );
    }

    #[test]
    fn error_code_and_unknown() {
        let tid = TransactionId([0; 12]);
        let Attribute::ErrorCode(ec) = raw(AttributeType::ERROR_CODE, b"\0\0\x04\x57Role Conflict")
            .decode(&tid)
            .unwrap()
        else {
            panic!("not an error code")
        };
        assert_eq!(
            (ec.code, ec.class(), ec.number(), ec.reason),
            (487, 4, 87, "Role Conflict")
        );
        let Attribute::UnknownAttributes(u) = raw(AttributeType::UNKNOWN_ATTRIBUTES, &[0, 0x31, 0x7f, 0])
            .decode(&tid)
            .unwrap()
        else {
            panic!("not unknown-attributes")
        };
        assert_eq!(
            u.iter().collect::<Vec<_>>(),
            [AttributeType(0x31), AttributeType(0x7f00)]
        );
        assert_eq!(
            raw(AttributeType(0x7777), b"x").decode(&tid).unwrap(),
            Attribute::Other(raw(AttributeType(0x7777), b"x"))
        );
        assert_eq!(AttributeType(0x7777).to_string(), "0x7777");
        assert_eq!(AttributeType::ICE_CONTROLLING.to_string(), "ICE-CONTROLLING");
    }
}
