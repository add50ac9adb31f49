//! A validated, borrowed view of a received STUN message.

use std::net::SocketAddr;

use super::{
    Attribute, AttributeType, Class, ErrorCode, FINGERPRINT_XOR, HEADER_LEN, HmacSha1, INTEGRITY_LEN, MAGIC_COOKIE,
    Method, RawAttribute, TransactionId, crc32, hmac_sha1_state, split_type,
};
use hmac::Mac as _;

use crate::StunError;

/// A STUN message parsed from one datagram. Parsing checks the header and that every attribute fits; the
/// attributes are decoded on access. Unknown attributes are kept and can be read with [`Message::attributes`].
///
/// Typed getters ([`Message::get`], [`Message::username`], …) follow RFC 8489 §14.5: attributes after
/// MESSAGE-INTEGRITY are ignored, except FINGERPRINT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message<'a> {
    buf: &'a [u8],
    method: Method,
    class: Class,
}

impl<'a> Message<'a> {
    /// Parses and validates a datagram holding exactly one STUN message.
    pub fn parse(buf: &'a [u8]) -> Result<Self, StunError> {
        if buf.len() < HEADER_LEN {
            return Err(StunError::TooShort {
                needed: HEADER_LEN,
                got: buf.len(),
            });
        }
        if buf[0] & 0xc0 != 0 {
            return Err(StunError::NotStun(buf[0] >> 6));
        }
        let cookie = u32::from_be_bytes([buf[4], buf[5], buf[6], buf[7]]);
        if cookie != MAGIC_COOKIE {
            return Err(StunError::BadMagicCookie(cookie));
        }
        let length = u16::from_be_bytes([buf[2], buf[3]]);
        if !length.is_multiple_of(4) {
            return Err(StunError::UnalignedLength(length));
        }
        if usize::from(length) != buf.len() - HEADER_LEN {
            return Err(StunError::LengthMismatch {
                declared: usize::from(length),
                actual: buf.len() - HEADER_LEN,
            });
        }
        let mut offset = HEADER_LEN;
        while offset < buf.len() {
            let rest = buf.len() - offset;
            if rest < 4 {
                return Err(StunError::TooShort {
                    needed: offset + 4,
                    got: buf.len(),
                });
            }
            let typ = AttributeType(u16::from_be_bytes([buf[offset], buf[offset + 1]]));
            let len = usize::from(u16::from_be_bytes([buf[offset + 2], buf[offset + 3]]));
            let padded = (len + 3) & !3;
            if padded > rest - 4 {
                return Err(StunError::AttributeOverrun { attr: typ, offset, len });
            }
            offset += 4 + padded;
        }
        let (method, class) = split_type(u16::from_be_bytes([buf[0], buf[1]]));
        Ok(Self { buf, method, class })
    }

    /// The message bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.buf
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The class.
    pub fn class(&self) -> Class {
        self.class
    }

    /// The transaction id.
    pub fn transaction_id(&self) -> TransactionId {
        let mut id = [0u8; 12];
        id.copy_from_slice(&self.buf[8..HEADER_LEN]);
        TransactionId(id)
    }

    /// Every attribute in order, unknown ones and those after MESSAGE-INTEGRITY included.
    pub fn attributes(&self) -> Attributes<'a> {
        Attributes {
            buf: self.buf,
            offset: HEADER_LEN,
        }
    }

    /// The attributes covered by MESSAGE-INTEGRITY (or all, if there is none), plus a FINGERPRINT after it.
    fn authenticated(&self) -> impl Iterator<Item = RawAttribute<'a>> {
        let mut seen_integrity = false;
        self.attributes().filter(move |a| {
            let keep = !seen_integrity || a.typ == AttributeType::FINGERPRINT;
            if a.typ == AttributeType::MESSAGE_INTEGRITY {
                seen_integrity = true;
            }
            keep
        })
    }

    /// The first attribute of this type, as it is.
    pub fn get_raw(&self, typ: AttributeType) -> Option<RawAttribute<'a>> {
        self.authenticated().find(|a| a.typ == typ)
    }

    /// The first attribute of this type, decoded. `None` if absent; an error if present but malformed.
    pub fn get(&self, typ: AttributeType) -> Option<Result<Attribute<'a>, StunError>> {
        let tid = self.transaction_id();
        self.get_raw(typ).map(|a| a.decode(&tid))
    }

    /// Comprehension-required attributes (type below `0x8000`) this crate does not know: a request holding any
    /// must be answered with 420 (Unknown Attribute).
    pub fn unknown_comprehension_required(&self) -> impl Iterator<Item = AttributeType> + 'a {
        self.attributes()
            .map(|a| a.typ)
            .filter(|t| t.is_comprehension_required() && !t.is_known())
    }

    /// USERNAME, if present and valid.
    pub fn username(&self) -> Option<&'a str> {
        match self.get(AttributeType::USERNAME) {
            Some(Ok(Attribute::Username(u))) => Some(u),
            _ => None,
        }
    }

    /// PRIORITY, if present and valid.
    pub fn priority(&self) -> Option<u32> {
        match self.get(AttributeType::PRIORITY) {
            Some(Ok(Attribute::Priority(p))) => Some(p),
            _ => None,
        }
    }

    /// Whether USE-CANDIDATE is present.
    pub fn use_candidate(&self) -> bool {
        self.get_raw(AttributeType::USE_CANDIDATE).is_some()
    }

    /// ICE-CONTROLLING's tie-breaker, if present and valid.
    pub fn ice_controlling(&self) -> Option<u64> {
        match self.get(AttributeType::ICE_CONTROLLING) {
            Some(Ok(Attribute::IceControlling(t))) => Some(t),
            _ => None,
        }
    }

    /// ICE-CONTROLLED's tie-breaker, if present and valid.
    pub fn ice_controlled(&self) -> Option<u64> {
        match self.get(AttributeType::ICE_CONTROLLED) {
            Some(Ok(Attribute::IceControlled(t))) => Some(t),
            _ => None,
        }
    }

    /// XOR-MAPPED-ADDRESS, if present and valid.
    pub fn xor_mapped_address(&self) -> Option<SocketAddr> {
        match self.get(AttributeType::XOR_MAPPED_ADDRESS) {
            Some(Ok(Attribute::XorMappedAddress(a))) => Some(a),
            _ => None,
        }
    }

    /// MAPPED-ADDRESS, if present and valid.
    pub fn mapped_address(&self) -> Option<SocketAddr> {
        match self.get(AttributeType::MAPPED_ADDRESS) {
            Some(Ok(Attribute::MappedAddress(a))) => Some(a),
            _ => None,
        }
    }

    /// ERROR-CODE, if present and valid.
    pub fn error_code(&self) -> Option<ErrorCode<'a>> {
        match self.get(AttributeType::ERROR_CODE) {
            Some(Ok(Attribute::ErrorCode(e))) => Some(e),
            _ => None,
        }
    }

    /// SOFTWARE, if present and valid.
    pub fn software(&self) -> Option<&'a str> {
        match self.get(AttributeType::SOFTWARE) {
            Some(Ok(Attribute::Software(s))) => Some(s),
            _ => None,
        }
    }

    /// Checks MESSAGE-INTEGRITY with a short-term credential `key` (the password): HMAC-SHA1 over the message up
    /// to the attribute, with the header length adjusted to end just after it (RFC 8489 §14.5). The comparison
    /// is constant-time.
    pub fn verify_integrity(&self, key: &[u8]) -> Result<(), StunError> {
        let attr = self
            .get_raw(AttributeType::MESSAGE_INTEGRITY)
            .ok_or(StunError::IntegrityMissing)?;
        let got: &[u8; INTEGRITY_LEN] = attr.value.try_into().map_err(|_| StunError::BadAttributeLength {
            attr: attr.typ,
            len: attr.value.len(),
        })?;
        if integrity_mac(&self.buf[..attr.offset], key).verify_slice(got).is_ok() {
            Ok(())
        } else {
            Err(StunError::IntegrityMismatch)
        }
    }

    /// Checks FINGERPRINT: it must be the last attribute, and its value the CRC-32 of the message before it
    /// XOR `0x5354554e` (RFC 8489 §14.7).
    pub fn verify_fingerprint(&self) -> Result<(), StunError> {
        let mut last = None;
        let mut found = false;
        for a in self.attributes() {
            found |= a.typ == AttributeType::FINGERPRINT;
            last = Some(a);
        }
        let attr = match last {
            Some(a) if a.typ == AttributeType::FINGERPRINT => a,
            _ if found => return Err(StunError::FingerprintNotLast),
            _ => return Err(StunError::FingerprintMissing),
        };
        let got = u32::from_be_bytes(attr.value.try_into().map_err(|_| StunError::BadAttributeLength {
            attr: attr.typ,
            len: attr.value.len(),
        })?);
        let expected = fingerprint_over(&self.buf[..attr.offset]);
        if got == expected {
            Ok(())
        } else {
            Err(StunError::FingerprintMismatch { expected, got })
        }
    }

    /// Whether the message carries a FINGERPRINT attribute anywhere.
    pub fn has_fingerprint(&self) -> bool {
        self.attributes().any(|a| a.typ == AttributeType::FINGERPRINT)
    }
}

/// HMAC-SHA1 over `before` (the message up to MESSAGE-INTEGRITY), with the length field set to cover the
/// attribute itself.
pub(crate) fn integrity_over(before: &[u8], key: &[u8]) -> [u8; INTEGRITY_LEN] {
    integrity_mac(before, key).finalize().into_bytes().into()
}

/// The HMAC-SHA1 state after `before` (the message up to MESSAGE-INTEGRITY), with the length field set to cover
/// the attribute itself: finalize it for the value, or compare a received value in constant time.
fn integrity_mac(before: &[u8], key: &[u8]) -> HmacSha1 {
    let length = (before.len() - HEADER_LEN + 4 + INTEGRITY_LEN) as u16;
    let len_bytes = length.to_be_bytes();
    hmac_sha1_state(key, &[&before[..2], &len_bytes, &before[4..]])
}

/// The FINGERPRINT value for `before` (the message up to FINGERPRINT), with the length field set to cover it.
pub(crate) fn fingerprint_over(before: &[u8]) -> u32 {
    let length = (before.len() - HEADER_LEN + 8) as u16;
    crc32(&[&before[..2], &length.to_be_bytes(), &before[4..]]) ^ FINGERPRINT_XOR
}

/// Iterator over a message's attributes, in order.
#[derive(Debug, Clone)]
pub struct Attributes<'a> {
    buf: &'a [u8],
    offset: usize,
}

impl<'a> Iterator for Attributes<'a> {
    type Item = RawAttribute<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        let offset = self.offset;
        let header = self.buf.get(offset..offset + 4)?;
        let typ = AttributeType(u16::from_be_bytes([header[0], header[1]]));
        let len = usize::from(u16::from_be_bytes([header[2], header[3]]));
        // invariant: `Message::parse` checked that every attribute fits; `get` keeps this total anyway.
        let value = self.buf.get(offset + 4..offset + 4 + len)?;
        self.offset = offset + 4 + ((len + 3) & !3);
        Some(RawAttribute { typ, value, offset })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_errors() {
        assert_eq!(
            Message::parse(&[0; 19]),
            Err(StunError::TooShort { needed: 20, got: 19 })
        );
        let mut m = [0u8; 20];
        m[0] = 0x80;
        assert_eq!(Message::parse(&m), Err(StunError::NotStun(2)));
        m[0] = 0;
        assert_eq!(Message::parse(&m), Err(StunError::BadMagicCookie(0)));
        m[4..8].copy_from_slice(&MAGIC_COOKIE.to_be_bytes());
        assert!(Message::parse(&m).is_ok());
        m[3] = 2;
        assert_eq!(Message::parse(&m), Err(StunError::UnalignedLength(2)));
        m[3] = 4;
        assert_eq!(
            Message::parse(&m),
            Err(StunError::LengthMismatch { declared: 4, actual: 0 })
        );
        let mut long = [0u8; 24];
        long[..20].copy_from_slice(&m);
        long[20..24].copy_from_slice(&[0x80, 0x22, 0, 1]);
        assert_eq!(
            Message::parse(&long),
            Err(StunError::AttributeOverrun {
                attr: AttributeType::SOFTWARE,
                offset: 20,
                len: 1
            })
        );
    }
}
