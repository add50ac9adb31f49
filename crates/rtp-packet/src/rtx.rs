//! RTX retransmission packets (RFC 4588 §4).
//!
//! An RTX packet carries the original packet's header fields (timestamp, marker, CSRCs, extensions) under
//! the RTX stream's payload type, SSRC and sequence number, and prefixes the original payload with the
//! original sequence number (OSN):
//!
//! ```text
//! | RTP header (RTX PT, RTX SSRC, RTX seq) | OSN (16 bits) | original payload |
//! ```
//!
//! Padding of the original packet is not carried over.

use bytes::{BufMut, BytesMut};

use crate::error::RtpError;
use crate::header::RtpHeader;
use crate::packet::RtpPacket;

/// Length of the original-sequence-number prefix.
pub const OSN_LEN: usize = 2;

/// Copies the header of `packet` into `out` with a new payload type, sequence number and SSRC and the P bit
/// cleared, then writes `osn` (if any) and `payload` after it. Returns the length written.
fn rewrite<B: AsRef<[u8]>>(
    packet: &RtpPacket<B>,
    (payload_type, sequence_number, ssrc): (u8, u16, u32),
    osn: Option<u16>,
    payload: &[u8],
    out: &mut [u8],
) -> Result<usize, RtpError> {
    if payload_type > 0x7F {
        return Err(RtpError::FieldRange {
            field: "payload type",
            value: payload_type.into(),
            max: 0x7F,
        });
    }
    let h = packet.header_len();
    let body = h + osn.map_or(0, |_| OSN_LEN);
    let total = body + payload.len();
    if out.len() < total {
        return Err(RtpError::BufferTooSmall {
            needed: total,
            got: out.len(),
        });
    }
    out[..h].copy_from_slice(&packet.as_bytes()[..h]);
    out[0] &= !0x20;
    out[1] = (out[1] & 0x80) | payload_type;
    out[2..4].copy_from_slice(&sequence_number.to_be_bytes());
    out[8..12].copy_from_slice(&ssrc.to_be_bytes());
    if let Some(osn) = osn {
        out[h..body].copy_from_slice(&osn.to_be_bytes());
    }
    out[body..total].copy_from_slice(payload);
    Ok(total)
}

/// Writes `original` as an RTX packet into `out`; returns its length.
///
/// The header bytes (CSRCs, extensions) are copied verbatim; only the P bit, payload type, sequence number
/// and SSRC change.
pub fn rtx_wrap<B: AsRef<[u8]>>(
    original: &RtpPacket<B>,
    rtx_payload_type: u8,
    rtx_ssrc: u32,
    rtx_sequence_number: u16,
    out: &mut [u8],
) -> Result<usize, RtpError> {
    rewrite(
        original,
        (rtx_payload_type, rtx_sequence_number, rtx_ssrc),
        Some(original.sequence_number()),
        original.payload(),
        out,
    )
}

/// Appends `original` as an RTX packet to `out`; see [`rtx_wrap`].
pub fn rtx_wrap_to_bytes<B: AsRef<[u8]>>(
    original: &RtpPacket<B>,
    rtx_payload_type: u8,
    rtx_ssrc: u32,
    rtx_sequence_number: u16,
    out: &mut BytesMut,
) -> Result<usize, RtpError> {
    let total = original.header_len() + OSN_LEN + original.payload().len();
    let start = out.len();
    out.reserve(total);
    out.put_bytes(0, total);
    let r = rtx_wrap(
        original,
        rtx_payload_type,
        rtx_ssrc,
        rtx_sequence_number,
        &mut out[start..],
    );
    if r.is_err() {
        out.truncate(start);
    }
    r
}

/// The original sequence number carried by an RTX packet.
pub fn rtx_original_sequence_number<B: AsRef<[u8]>>(rtx: &RtpPacket<B>) -> Result<u16, RtpError> {
    match *rtx.payload() {
        [a, b, ..] => Ok(u16::from_be_bytes([a, b])),
        _ => Err(RtpError::RtxTooShort(rtx.payload().len())),
    }
}

/// Writes the original packet carried by `rtx` into `out`, restoring `original_payload_type`,
/// `original_ssrc` and the sequence number from the OSN; returns its length.
///
/// A padding-only RTX packet (used for bandwidth probing) has no OSN and gives [`RtpError::RtxTooShort`].
pub fn rtx_unwrap<B: AsRef<[u8]>>(
    rtx: &RtpPacket<B>,
    original_payload_type: u8,
    original_ssrc: u32,
    out: &mut [u8],
) -> Result<usize, RtpError> {
    let osn = rtx_original_sequence_number(rtx)?;
    rewrite(
        rtx,
        (original_payload_type, osn, original_ssrc),
        None,
        &rtx.payload()[OSN_LEN..],
        out,
    )
}

/// The original header and payload of `rtx`, without copying the payload.
pub fn rtx_unwrap_header<B: AsRef<[u8]>>(
    rtx: &RtpPacket<B>,
    original_payload_type: u8,
    original_ssrc: u32,
) -> Result<(RtpHeader, &[u8]), RtpError> {
    let osn = rtx_original_sequence_number(rtx)?;
    let mut h = RtpHeader::from_packet(rtx)?;
    h.payload_type = original_payload_type;
    h.ssrc = original_ssrc;
    h.sequence_number = osn;
    h.padding = 0;
    Ok((h, &rtx.payload()[OSN_LEN..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::RtpPacketBuilder;

    fn original() -> Vec<u8> {
        let mut out = vec![0u8; 200];
        let n = RtpPacketBuilder::new(96, 0x1111)
            .sequence_number(1000)
            .timestamp(90_000)
            .marker(true)
            .csrc(9)
            .unwrap()
            .raw_extension(2, &[1, 2, 3])
            .unwrap()
            .padding(4)
            .write(b"frame data", &mut out)
            .unwrap();
        out.truncate(n);
        out
    }

    #[test]
    fn wrap_then_unwrap_restores_the_original_without_padding() {
        let orig_raw = original();
        let orig = RtpPacket::parse(&orig_raw[..]).unwrap();
        let mut rtx_buf = [0u8; 200];
        let n = rtx_wrap(&orig, 97, 0x2222, 7, &mut rtx_buf).unwrap();
        let rtx = RtpPacket::parse(&rtx_buf[..n]).unwrap();
        assert_eq!(rtx.payload_type(), 97);
        assert_eq!(rtx.ssrc(), 0x2222);
        assert_eq!(rtx.sequence_number(), 7);
        assert_eq!(rtx.timestamp(), 90_000);
        assert!(rtx.marker());
        assert!(!rtx.has_padding());
        assert_eq!(rtx.extension(2), Some(&[1, 2, 3][..]));
        assert_eq!(rtx_original_sequence_number(&rtx).unwrap(), 1000);
        assert_eq!(&rtx.payload()[2..], b"frame data");

        let mut back = [0u8; 200];
        let m = rtx_unwrap(&rtx, 96, 0x1111, &mut back).unwrap();
        let unpadded = orig_raw.len() - 4;
        assert_eq!(m, unpadded);
        // Identical to the original except for the P bit, which is cleared along with the padding.
        assert_eq!(back[0], orig_raw[0] & !0x20);
        assert_eq!(&back[1..m], &orig_raw[1..unpadded]);

        let (h, payload) = rtx_unwrap_header(&rtx, 96, 0x1111).unwrap();
        assert_eq!(payload, b"frame data");
        let mut again = [0u8; 200];
        let k = h.write(payload, &mut again).unwrap();
        assert_eq!(&again[..k], &back[..m]);
    }

    #[test]
    fn padding_only_rtx_has_no_osn() {
        let mut buf = [0u8; 64];
        let n = RtpPacketBuilder::new(97, 1).padding(32).write(&[], &mut buf).unwrap();
        let p = RtpPacket::parse(&buf[..n]).unwrap();
        assert_eq!(rtx_original_sequence_number(&p), Err(RtpError::RtxTooShort(0)));
        assert_eq!(rtx_unwrap(&p, 96, 1, &mut [0; 64]), Err(RtpError::RtxTooShort(0)));
    }

    #[test]
    fn wrap_checks_room_and_payload_type() {
        let orig_raw = original();
        let orig = RtpPacket::parse(&orig_raw[..]).unwrap();
        assert!(matches!(
            rtx_wrap(&orig, 97, 1, 1, &mut [0; 10]),
            Err(RtpError::BufferTooSmall { .. })
        ));
        assert!(matches!(
            rtx_wrap(&orig, 200, 1, 1, &mut [0; 100]),
            Err(RtpError::FieldRange { .. })
        ));
        let mut b = BytesMut::new();
        let n = rtx_wrap_to_bytes(&orig, 97, 1, 1, &mut b).unwrap();
        assert_eq!(n, b.len());
    }
}
