//! RFC 5769 test vectors: parsed and verified, and rebuilt byte for byte.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;

use ortc_ice::StunError;
use ortc_ice::stun::{Class, Message, MessageBuilder, Method, TransactionId};

fn hex(s: &str) -> Vec<u8> {
    let digits: String = s.split_whitespace().collect();
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).unwrap())
        .collect()
}

const PASSWORD: &[u8] = b"VOkJxbRl1RmTxUk/WvJxBt";
const TID: TransactionId = TransactionId([0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae]);

/// RFC 5769 §2.1 Sample Request.
fn request() -> Vec<u8> {
    hex("00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
         80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
         00 24 00 04 6e 00 01 ff
         80 29 00 08 93 2f f9 b1 51 26 3b 36
         00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
         00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
         80 28 00 04 e5 7a 3b cf")
}

/// RFC 5769 §2.2 Sample IPv4 Response.
fn ipv4_response() -> Vec<u8> {
    hex("01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
         80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
         00 20 00 08 00 01 a1 47 e1 12 a6 43
         00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
         80 28 00 04 c0 7d 4c 96")
}

/// RFC 5769 §2.3 Sample IPv6 Response.
fn ipv6_response() -> Vec<u8> {
    hex("01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
         80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
         00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
         00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
         80 28 00 04 c8 fb 0b 4c")
}

#[test]
fn sample_request_parses_and_verifies() {
    let bytes = request();
    let m = Message::parse(&bytes).unwrap();
    assert_eq!(
        (m.method(), m.class(), m.transaction_id()),
        (Method::BINDING, Class::Request, TID)
    );
    assert_eq!(m.software(), Some("STUN test client"));
    assert_eq!(m.priority(), Some(0x6e00_01ff));
    assert_eq!(m.ice_controlled(), Some(0x932f_f9b1_5126_3b36));
    assert_eq!(m.username(), Some("evtj:h6vY"));
    m.verify_integrity(PASSWORD).unwrap();
    m.verify_fingerprint().unwrap();
    assert_eq!(
        m.verify_integrity(b"VOkJxbRl1RmTxUk/WvJxBu"),
        Err(StunError::IntegrityMismatch)
    );
}

#[test]
fn sample_request_builds_byte_exact() {
    let mut buf = [0u8; 256];
    let mut b = MessageBuilder::new(&mut buf, Method::BINDING, Class::Request, TID)
        .unwrap()
        .padding_byte(b' ');
    b.software("STUN test client").unwrap();
    b.priority(0x6e00_01ff).unwrap();
    b.ice_controlled(0x932f_f9b1_5126_3b36).unwrap();
    b.username("evtj:h6vY").unwrap();
    b.message_integrity(PASSWORD).unwrap();
    b.fingerprint().unwrap();
    let n = b.finish();
    assert_eq!(&buf[..n], request().as_slice());
}

fn check_response(bytes: &[u8], addr: SocketAddr) {
    let m = Message::parse(bytes).unwrap();
    assert_eq!(
        (m.method(), m.class(), m.transaction_id()),
        (Method::BINDING, Class::SuccessResponse, TID)
    );
    assert_eq!(m.software(), Some("test vector"));
    assert_eq!(m.xor_mapped_address(), Some(addr));
    m.verify_integrity(PASSWORD).unwrap();
    m.verify_fingerprint().unwrap();

    let mut buf = [0u8; 256];
    let mut b = MessageBuilder::new(&mut buf, Method::BINDING, Class::SuccessResponse, TID)
        .unwrap()
        .padding_byte(b' ');
    b.software("test vector").unwrap().xor_mapped_address(addr).unwrap();
    b.message_integrity(PASSWORD).unwrap().fingerprint().unwrap();
    let n = b.finish();
    assert_eq!(&buf[..n], bytes);
}

#[test]
fn sample_ipv4_response() {
    check_response(&ipv4_response(), "192.0.2.1:32853".parse().unwrap());
}

#[test]
fn sample_ipv6_response() {
    check_response(
        &ipv6_response(),
        "[2001:db8:1234:5678:11:2233:4455:6677]:32853".parse().unwrap(),
    );
}

#[test]
fn tampering_is_detected() {
    let mut bytes = request();
    // One bit of the PRIORITY value: the integrity check and the fingerprint both fail.
    bytes[47] ^= 1;
    let m = Message::parse(&bytes).unwrap();
    assert_eq!(m.verify_integrity(PASSWORD), Err(StunError::IntegrityMismatch));
    assert!(matches!(
        m.verify_fingerprint(),
        Err(StunError::FingerprintMismatch { .. })
    ));
}

#[test]
fn every_truncation_is_an_error_not_a_panic() {
    for v in [request(), ipv4_response(), ipv6_response()] {
        for n in 0..v.len() {
            assert!(Message::parse(&v[..n]).is_err(), "prefix of {n} bytes parsed");
        }
    }
}
