//! Writing STUN messages into a caller's buffer.

use std::net::SocketAddr;

use super::attr::{MAX_TEXT, MAX_USERNAME, encode_address};
use super::message::{fingerprint_over, integrity_over};
use super::{AttributeType, Class, HEADER_LEN, MAGIC_COOKIE, Method, TransactionId, message_type};
use crate::StunError;

/// Writes a STUN message into a caller's `&mut [u8]`, attribute by attribute; the header's length field is kept
/// up to date after each one. Nothing allocates.
///
/// MESSAGE-INTEGRITY and FINGERPRINT must come last, in that order; the builder refuses other attributes after
/// them.
#[derive(Debug)]
pub struct MessageBuilder<'b> {
    buf: &'b mut [u8],
    len: usize,
    tid: TransactionId,
    padding: u8,
    sealed: bool,
}

impl<'b> MessageBuilder<'b> {
    /// Starts a message: writes the header into `buf`.
    pub fn new(buf: &'b mut [u8], method: Method, class: Class, tid: TransactionId) -> Result<Self, StunError> {
        if buf.len() < HEADER_LEN {
            return Err(StunError::BufferTooSmall {
                needed: HEADER_LEN,
                got: buf.len(),
            });
        }
        let t = message_type(method, class)?;
        buf[..2].copy_from_slice(&t.to_be_bytes());
        buf[2..4].copy_from_slice(&[0, 0]);
        buf[4..8].copy_from_slice(&MAGIC_COOKIE.to_be_bytes());
        buf[8..HEADER_LEN].copy_from_slice(&tid.0);
        Ok(Self {
            buf,
            len: HEADER_LEN,
            tid,
            padding: 0,
            sealed: false,
        })
    }

    /// The byte used to pad attribute values to four bytes (zero by default; receivers ignore it).
    #[must_use]
    pub fn padding_byte(mut self, byte: u8) -> Self {
        self.padding = byte;
        self
    }

    /// Adds an attribute of any type with a raw value.
    pub fn attribute(&mut self, typ: AttributeType, value: &[u8]) -> Result<&mut Self, StunError> {
        if self.sealed {
            return Err(StunError::AttributeAfterIntegrity(typ));
        }
        self.push(typ, value)
    }

    fn push(&mut self, typ: AttributeType, value: &[u8]) -> Result<&mut Self, StunError> {
        let padded = (value.len() + 3) & !3;
        let max = usize::from(u16::MAX) - 4;
        if value.len() > max {
            return Err(StunError::ValueTooLong {
                attr: typ,
                len: value.len(),
                max,
            });
        }
        let needed = self.len + 4 + padded;
        if needed > self.buf.len() {
            return Err(StunError::BufferTooSmall {
                needed,
                got: self.buf.len(),
            });
        }
        if needed - HEADER_LEN > usize::from(u16::MAX) {
            return Err(StunError::ValueTooLong {
                attr: typ,
                len: value.len(),
                max: usize::from(u16::MAX) - self.len,
            });
        }
        let at = self.len;
        self.buf[at..at + 2].copy_from_slice(&typ.0.to_be_bytes());
        self.buf[at + 2..at + 4].copy_from_slice(&(value.len() as u16).to_be_bytes());
        self.buf[at + 4..at + 4 + value.len()].copy_from_slice(value);
        self.buf[at + 4 + value.len()..needed].fill(self.padding);
        self.len = needed;
        let length = (self.len - HEADER_LEN) as u16;
        self.buf[2..4].copy_from_slice(&length.to_be_bytes());
        Ok(self)
    }

    fn text(&mut self, typ: AttributeType, value: &str, max: usize) -> Result<&mut Self, StunError> {
        if value.len() > max {
            return Err(StunError::ValueTooLong {
                attr: typ,
                len: value.len(),
                max,
            });
        }
        self.attribute(typ, value.as_bytes())
    }

    /// Adds MAPPED-ADDRESS.
    pub fn mapped_address(&mut self, addr: SocketAddr) -> Result<&mut Self, StunError> {
        let mut v = [0u8; 20];
        let n = encode_address(addr, None, &mut v);
        self.attribute(AttributeType::MAPPED_ADDRESS, &v[..n])
    }

    /// Adds XOR-MAPPED-ADDRESS.
    pub fn xor_mapped_address(&mut self, addr: SocketAddr) -> Result<&mut Self, StunError> {
        let mut v = [0u8; 20];
        let tid = self.tid;
        let n = encode_address(addr, Some(&tid), &mut v);
        self.attribute(AttributeType::XOR_MAPPED_ADDRESS, &v[..n])
    }

    /// Adds USERNAME (at most 513 bytes).
    pub fn username(&mut self, username: &str) -> Result<&mut Self, StunError> {
        self.text(AttributeType::USERNAME, username, MAX_USERNAME)
    }

    /// Adds SOFTWARE (at most 763 bytes).
    pub fn software(&mut self, software: &str) -> Result<&mut Self, StunError> {
        self.text(AttributeType::SOFTWARE, software, MAX_TEXT)
    }

    /// Adds ERROR-CODE. `code` must be in 300..=699 and `reason` at most 763 bytes.
    pub fn error_code(&mut self, code: u16, reason: &str) -> Result<&mut Self, StunError> {
        let (class, number) = ((code / 100) as u8, (code % 100) as u8);
        if !(300..=699).contains(&code) {
            return Err(StunError::BadErrorCode { class, number });
        }
        if reason.len() > MAX_TEXT {
            return Err(StunError::ValueTooLong {
                attr: AttributeType::ERROR_CODE,
                len: reason.len(),
                max: MAX_TEXT,
            });
        }
        let mut v = [0u8; 4 + MAX_TEXT];
        v[2] = class;
        v[3] = number;
        v[4..4 + reason.len()].copy_from_slice(reason.as_bytes());
        self.attribute(AttributeType::ERROR_CODE, &v[..4 + reason.len()])
    }

    /// Adds UNKNOWN-ATTRIBUTES listing `types` (at most 32 of them are written).
    pub fn unknown_attributes(&mut self, types: &[AttributeType]) -> Result<&mut Self, StunError> {
        let mut v = [0u8; 64];
        let n = types.len().min(32);
        for (chunk, t) in v.chunks_exact_mut(2).zip(&types[..n]) {
            chunk.copy_from_slice(&t.0.to_be_bytes());
        }
        self.attribute(AttributeType::UNKNOWN_ATTRIBUTES, &v[..2 * n])
    }

    /// Adds PRIORITY.
    pub fn priority(&mut self, priority: u32) -> Result<&mut Self, StunError> {
        self.attribute(AttributeType::PRIORITY, &priority.to_be_bytes())
    }

    /// Adds USE-CANDIDATE.
    pub fn use_candidate(&mut self) -> Result<&mut Self, StunError> {
        self.attribute(AttributeType::USE_CANDIDATE, &[])
    }

    /// Adds ICE-CONTROLLING with a tie-breaker.
    pub fn ice_controlling(&mut self, tie_breaker: u64) -> Result<&mut Self, StunError> {
        self.attribute(AttributeType::ICE_CONTROLLING, &tie_breaker.to_be_bytes())
    }

    /// Adds ICE-CONTROLLED with a tie-breaker.
    pub fn ice_controlled(&mut self, tie_breaker: u64) -> Result<&mut Self, StunError> {
        self.attribute(AttributeType::ICE_CONTROLLED, &tie_breaker.to_be_bytes())
    }

    /// Adds MESSAGE-INTEGRITY: HMAC-SHA1 with `key` (for short-term credentials, the password) over the message
    /// so far. Afterwards only FINGERPRINT may be added.
    pub fn message_integrity(&mut self, key: &[u8]) -> Result<&mut Self, StunError> {
        if self.sealed {
            return Err(StunError::AttributeAfterIntegrity(AttributeType::MESSAGE_INTEGRITY));
        }
        let needed = self.len + 24;
        if needed > self.buf.len() {
            return Err(StunError::BufferTooSmall {
                needed,
                got: self.buf.len(),
            });
        }
        let mac = integrity_over(&self.buf[..self.len], key);
        self.push(AttributeType::MESSAGE_INTEGRITY, &mac)?;
        self.sealed = true;
        Ok(self)
    }

    /// Adds FINGERPRINT, which must be the last attribute.
    pub fn fingerprint(&mut self) -> Result<&mut Self, StunError> {
        let needed = self.len + 8;
        if needed > self.buf.len() {
            return Err(StunError::BufferTooSmall {
                needed,
                got: self.buf.len(),
            });
        }
        let crc = fingerprint_over(&self.buf[..self.len]);
        self.push(AttributeType::FINGERPRINT, &crc.to_be_bytes())?;
        self.sealed = true;
        Ok(self)
    }

    /// The length of the message written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether only the header has been written.
    pub fn is_empty(&self) -> bool {
        self.len == HEADER_LEN
    }

    /// Ends the message and returns its length: the message is `buf[..len]`.
    pub fn finish(self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stun::Message;

    #[test]
    fn build_and_parse() {
        let mut buf = [0u8; 256];
        let tid = TransactionId([1; 12]);
        let mut b = MessageBuilder::new(&mut buf, Method::BINDING, Class::Request, tid).unwrap();
        b.username("a:b")
            .unwrap()
            .priority(7)
            .unwrap()
            .use_candidate()
            .unwrap()
            .ice_controlling(42)
            .unwrap();
        b.attribute(AttributeType(0x7fff), b"kept").unwrap();
        b.message_integrity(b"pw").unwrap().fingerprint().unwrap();
        assert_eq!(
            b.attribute(AttributeType::SOFTWARE, b"x").unwrap_err(),
            StunError::AttributeAfterIntegrity(AttributeType::SOFTWARE)
        );
        let n = b.finish();
        let m = Message::parse(&buf[..n]).unwrap();
        assert_eq!(m.username(), Some("a:b"));
        assert_eq!(m.priority(), Some(7));
        assert!(m.use_candidate());
        assert_eq!(m.ice_controlling(), Some(42));
        assert_eq!(m.ice_controlled(), None);
        assert_eq!(
            m.unknown_comprehension_required().collect::<Vec<_>>(),
            [AttributeType(0x7fff)]
        );
        m.verify_integrity(b"pw").unwrap();
        assert_eq!(m.verify_integrity(b"wrong"), Err(StunError::IntegrityMismatch));
        m.verify_fingerprint().unwrap();

        // Any changed byte of the HMAC value fails the comparison.
        let mi = m.get_raw(AttributeType::MESSAGE_INTEGRITY).unwrap();
        let value_at = mi.offset + 4;
        for i in [value_at, value_at + 19] {
            let mut tampered = buf[..n].to_vec();
            tampered[i] ^= 0x01;
            let t = Message::parse(&tampered).unwrap();
            assert_eq!(t.verify_integrity(b"pw"), Err(StunError::IntegrityMismatch));
        }
    }

    #[test]
    fn small_buffer_is_an_error() {
        let mut buf = [0u8; 26];
        let tid = TransactionId([0; 12]);
        let mut b = MessageBuilder::new(&mut buf, Method::BINDING, Class::Request, tid).unwrap();
        assert_eq!(
            b.username("abc").unwrap_err(),
            StunError::BufferTooSmall { needed: 28, got: 26 }
        );
        assert_eq!(
            b.message_integrity(b"k").unwrap_err(),
            StunError::BufferTooSmall { needed: 44, got: 26 }
        );
        assert_eq!(
            MessageBuilder::new(&mut [0u8; 4], Method::BINDING, Class::Request, tid).unwrap_err(),
            StunError::BufferTooSmall { needed: 20, got: 4 }
        );
    }

    #[test]
    fn error_response() {
        let mut buf = [0u8; 128];
        let tid = TransactionId([9; 12]);
        let mut b = MessageBuilder::new(&mut buf, Method::BINDING, Class::ErrorResponse, tid).unwrap();
        b.error_code(420, "Unknown Attribute")
            .unwrap()
            .unknown_attributes(&[AttributeType(0x1234)])
            .unwrap();
        assert!(matches!(
            b.error_code(700, ""),
            Err(StunError::BadErrorCode { class: 7, number: 0 })
        ));
        let n = b.finish();
        let m = Message::parse(&buf[..n]).unwrap();
        assert_eq!(m.class(), Class::ErrorResponse);
        let e = m.error_code().unwrap();
        assert_eq!((e.code, e.reason), (420, "Unknown Attribute"));
        assert_eq!(m.verify_fingerprint(), Err(StunError::FingerprintMissing));
        assert_eq!(m.verify_integrity(b"k"), Err(StunError::IntegrityMissing));
    }
}
