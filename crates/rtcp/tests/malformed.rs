//! Malformed datagrams: each yields its precise error through the compound iterator, never a panic.

use ortc_rtcp::{Compound, CompoundRule, RtcpError, validate_compound};

fn first_error(bytes: &[u8]) -> RtcpError {
    Compound::new(bytes)
        .find_map(Result::err)
        .unwrap_or_else(|| panic!("{bytes:02x?} decoded without error"))
}

#[test]
fn precise_errors() {
    let cases: &[(&[u8], RtcpError)] = &[
        (&[0x80], RtcpError::TooShort { needed: 4, got: 1 }),
        (&[0xC0, 201, 0, 0], RtcpError::BadVersion(3)),
        (
            &[0x80, 201, 0, 5, 0, 0, 0, 1],
            RtcpError::LengthBeyondBuffer {
                declared: 24,
                available: 8,
            },
        ),
        (&[0xA0, 201, 0, 1, 0, 0, 0, 0], RtcpError::ZeroPadding),
        (
            &[0xA0, 201, 0, 1, 0, 0, 0, 9],
            RtcpError::PaddingBeyondPacket {
                padding: 9,
                available: 4,
            },
        ),
        (
            &[0x80, 200, 0, 1, 0, 0, 0, 1],
            RtcpError::BodyTooShort {
                packet: "SR",
                needed: 24,
                got: 4,
            },
        ),
        (
            &[0x81, 202, 0, 1, 0, 0, 0, 1],
            RtcpError::SdesItemBeyondPacket { chunk: 0, offset: 4 },
        ),
        (
            &[0x82, 203, 0, 1, 0, 0, 0, 1],
            RtcpError::BodyTooShort {
                packet: "BYE",
                needed: 8,
                got: 4,
            },
        ),
        (
            &[0x80, 204, 0, 1, 0, 0, 0, 1],
            RtcpError::BodyTooShort {
                packet: "APP",
                needed: 8,
                got: 4,
            },
        ),
        (
            &[0x81, 205, 0, 1, 0, 0, 0, 1],
            RtcpError::BodyTooShort {
                packet: "feedback",
                needed: 8,
                got: 4,
            },
        ),
        (
            &[0x81, 205, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2],
            RtcpError::BadBodyLength {
                packet: "NACK FCI",
                len: 0,
            },
        ),
        (
            &[0x8F, 205, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0, 3],
            RtcpError::TwccTruncated { needed: 8, got: 4 },
        ),
        (
            &[0x84, 206, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9],
            RtcpError::BadBodyLength {
                packet: "FIR FCI",
                len: 4,
            },
        ),
        (
            &[
                0x8F, 206, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, b'R', b'E', b'M', b'B', 1, 0, 0, 0,
            ],
            RtcpError::RembSsrcCount { count: 1, room: 0 },
        ),
        (
            &[0x80, 207, 0, 2, 0, 0, 0, 1, 4, 0, 0, 2],
            RtcpError::XrBlockBeyondPacket {
                block_type: 4,
                offset: 4,
                declared: 12,
                available: 4,
            },
        ),
    ];
    for (bytes, want) in cases {
        assert_eq!(&first_error(bytes), want, "{bytes:02x?}");
    }
}

#[test]
fn a_bad_body_does_not_stop_iteration() {
    // FIR with half an entry, then a valid PLI: both are reported.
    let bytes = [
        0x84, 206, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9, // bad FIR
        0x81, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, // PLI
    ];
    let v: Vec<_> = Compound::new(&bytes).collect();
    assert_eq!(v.len(), 2);
    assert!(v[0].is_err());
    assert!(v[1].is_ok());
    assert_eq!(
        validate_compound(&bytes),
        Err(RtcpError::BadBodyLength {
            packet: "FIR FCI",
            len: 4
        })
    );
    assert_eq!(
        validate_compound(&bytes[16..]),
        Err(RtcpError::Compound(CompoundRule::FirstNotReport(206)))
    );
}

#[test]
fn every_truncation_of_a_valid_compound_is_an_error_not_a_panic() {
    let mut bytes = vec![0x80, 200, 0, 6];
    bytes.extend_from_slice(&[0; 24]);
    bytes.extend_from_slice(&[0x81, 202, 0, 2, 0, 0, 0, 1, 1, 1, b'x', 0]);
    for n in 0..bytes.len() {
        let results: Vec<_> = Compound::new(&bytes[..n]).collect();
        if n % 4 != 0 || (n > 0 && n != 28) {
            assert!(results.iter().any(Result::is_err), "prefix {n}");
        }
    }
    assert!(Compound::new(&bytes).all(|p| p.is_ok()));
}
