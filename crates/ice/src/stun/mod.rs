//! STUN messages (RFC 8489): a zero-copy view for received messages ([`Message`]) and a builder that writes
//! into a caller's buffer ([`MessageBuilder`]), with the attributes ICE needs.

mod attr;
mod builder;
mod crc;
mod message;

pub use attr::{Attribute, AttributeType, ErrorCode, RawAttribute, UnknownAttributes};
pub use builder::MessageBuilder;
pub use crc::crc32;
pub use message::{Attributes, Message};

use hmac::Mac as _;

use crate::StunError;

/// The magic cookie every RFC 5389/8489 message carries in bytes 4..8.
pub const MAGIC_COOKIE: u32 = 0x2112_A442;
/// Size of the STUN header.
pub const HEADER_LEN: usize = 20;
/// The constant FINGERPRINT's CRC-32 is combined with by exclusive or (the bytes of `"STUN"`).
pub const FINGERPRINT_XOR: u32 = 0x5354_554e;
/// Size of a MESSAGE-INTEGRITY value (HMAC-SHA1).
pub const INTEGRITY_LEN: usize = 20;

/// The 96-bit transaction id of a STUN message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TransactionId(pub [u8; 12]);

/// The class of a STUN message (request, indication, success or error response).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// A request: expects a response.
    Request,
    /// An indication: no response.
    Indication,
    /// A success response.
    SuccessResponse,
    /// An error response, carrying ERROR-CODE.
    ErrorResponse,
}

/// A STUN method (12 bits). ICE uses only [`Method::BINDING`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Method(pub u16);

impl Method {
    /// The Binding method (0x001).
    pub const BINDING: Method = Method(0x001);
}

/// Combines a method and a class into the 14-bit message type (RFC 8489 §5, figure 3).
pub(crate) fn message_type(method: Method, class: Class) -> Result<u16, StunError> {
    let m = method.0;
    if m > 0xfff {
        return Err(StunError::BadMethod(m));
    }
    let c: u16 = match class {
        Class::Request => 0b00,
        Class::Indication => 0b01,
        Class::SuccessResponse => 0b10,
        Class::ErrorResponse => 0b11,
    };
    Ok((m & 0x000f) | ((m & 0x0070) << 1) | ((m & 0x0f80) << 2) | ((c & 0b01) << 4) | ((c & 0b10) << 7))
}

/// Splits a message type into method and class.
pub(crate) fn split_type(t: u16) -> (Method, Class) {
    let m = (t & 0x000f) | ((t >> 1) & 0x0070) | ((t >> 2) & 0x0f80);
    let class = match ((t >> 4) & 0b01) | ((t >> 7) & 0b10) {
        0b00 => Class::Request,
        0b01 => Class::Indication,
        0b10 => Class::SuccessResponse,
        _ => Class::ErrorResponse,
    };
    (Method(m), class)
}

/// Whether a datagram looks like STUN: first byte in 0..=3 (RFC 7983 demultiplexing), at least a header long,
/// and the magic cookie in place. Cheap; [`Message::parse`] does the full validation.
pub fn is_stun(datagram: &[u8]) -> bool {
    datagram.len() >= HEADER_LEN
        && datagram[0] < 4
        && u32::from_be_bytes([datagram[4], datagram[5], datagram[6], datagram[7]]) == MAGIC_COOKIE
}

/// HMAC-SHA1 (RFC 2104) over `parts`, in order, with `key` (for short-term credentials, the password).
#[cfg(test)]
fn hmac_sha1(key: &[u8], parts: &[&[u8]]) -> [u8; INTEGRITY_LEN] {
    hmac_sha1_state(key, parts).finalize().into_bytes().into()
}

/// HMAC-SHA1 (RFC 2104) keyed with `key`, fed with `parts` in order: not yet finalized, so a received tag can
/// be compared in constant time (`verify_slice`).
///
/// Uses the `RustCrypto` `hmac` and `sha1` crates: with OpenSSL 3 an `EVP_PKEY` + `EVP_DigestSign` context costs
/// microseconds to set up per message (algorithm fetch, key object), several times the hash of a ~100-byte
/// STUN check, while these keep no per-call setup beyond the key schedule.
pub(crate) fn hmac_sha1_state(key: &[u8], parts: &[&[u8]]) -> HmacSha1 {
    // invariant: HMAC accepts keys of any length (longer ones are hashed first), so this cannot fail.
    let mut mac = HmacSha1::new_from_slice(key).expect("HMAC takes any key length");
    for part in parts {
        mac.update(part);
    }
    mac
}

/// HMAC with SHA-1, the MESSAGE-INTEGRITY algorithm.
pub(crate) type HmacSha1 = hmac::Hmac<sha1::Sha1>;

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().fold(String::new(), |s, b| s + &format!("{b:02x}"))
    }

    #[test]
    fn hmac_sha1_rfc2202_vectors() {
        let mac = |key: &[u8], parts: &[&[u8]]| hex(&hmac_sha1(key, parts));
        assert_eq!(
            mac(b"Jefe", &[b"what do ya want ", b"for nothing?"]),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
        // A key longer than the block is hashed first.
        assert_eq!(
            mac(
                &[0xaa; 80],
                &[b"Test Using Larger Than Block-Size Key - Hash Key First"]
            ),
            "aa4ae5e15272d00e95705637ce8a3b55ed402112"
        );
        assert_eq!(
            mac(&[0x0b; 20], &[b"Hi There"]),
            "b617318655057264e28bc0b6fb378c8ef146be00"
        );
    }

    #[test]
    fn message_type_round_trips() {
        for m in [0u16, 1, 0x0f, 0x10, 0x7f, 0x80, 0xabc, 0xfff] {
            for c in [
                Class::Request,
                Class::Indication,
                Class::SuccessResponse,
                Class::ErrorResponse,
            ] {
                let t = message_type(Method(m), c).unwrap();
                assert_eq!(t & 0xc000, 0);
                assert_eq!(split_type(t), (Method(m), c));
            }
        }
        assert_eq!(message_type(Method::BINDING, Class::Request).unwrap(), 0x0001);
        assert_eq!(message_type(Method::BINDING, Class::SuccessResponse).unwrap(), 0x0101);
        assert_eq!(message_type(Method::BINDING, Class::ErrorResponse).unwrap(), 0x0111);
        assert_eq!(message_type(Method::BINDING, Class::Indication).unwrap(), 0x0011);
        assert_eq!(
            message_type(Method(0x1000), Class::Request),
            Err(StunError::BadMethod(0x1000))
        );
    }
}
