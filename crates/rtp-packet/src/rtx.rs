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
//! Padding of the original packet is not carried over. Two header extensions must not be copied as they are
//! ([`RtxExtensions`]): an RTX stream names the stream it repairs with `repaired-rtp-stream-id`, not
//! `rtp-stream-id` (RFC 8852 §3.2), and each transmission has its own transport-wide sequence number.

use bytes::{BufMut, BytesMut};

use crate::error::{ExtensionError, RtpError};
use crate::ext::{ExtensionKind, ExtensionMap};
use crate::extension::{ExtensionForm, walk};
use crate::header::RtpHeader;
use crate::packet::RtpPacket;

/// Length of the original-sequence-number prefix.
pub const OSN_LEN: usize = 2;

/// How [`rtx_wrap`] rewrites the header extensions that differ between a packet and its retransmission.
///
/// - `rtp-stream-id` becomes `repaired-rtp-stream-id` with the same value (the id is changed in place);
///   without a negotiated `repaired-rtp-stream-id` it is dropped.
/// - `transport-wide-cc` gets the number given with
///   [`RtxExtensions::transport_sequence_number`]; without one it is dropped, never repeated.
///
/// Dropped elements become padding bytes (RFC 8285 §4.2, §4.3), so the header keeps its length. Every
/// other extension (`mid` among them) is copied as it is.
///
/// ```
/// use ortc_rtp_packet::{ExtensionKind, ExtensionMap, RtxExtensions};
///
/// let mut map = ExtensionMap::new();
/// map.insert(3, ExtensionKind::TransportSequenceNumber)?;
/// map.insert(10, ExtensionKind::RtpStreamId)?;
/// map.insert(11, ExtensionKind::RepairedRtpStreamId)?;
/// let rewrite = RtxExtensions::new(&map).transport_sequence_number(4711);
/// # Ok::<(), ortc_rtp_packet::ExtensionError>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RtxExtensions {
    rid: Option<u8>,
    repaired_rid: Option<u8>,
    transport_cc: Option<u8>,
    transport_sequence_number: Option<u16>,
}

impl RtxExtensions {
    /// The rewrite for the extension ids negotiated in `map`.
    pub fn new(map: &ExtensionMap) -> Self {
        Self {
            rid: map.id_of(ExtensionKind::RtpStreamId),
            repaired_rid: map.id_of(ExtensionKind::RepairedRtpStreamId),
            transport_cc: map.id_of(ExtensionKind::TransportSequenceNumber),
            transport_sequence_number: None,
        }
    }

    /// Copies every extension as it is: only for a packet known to carry neither `rtp-stream-id` nor
    /// `transport-wide-cc`.
    pub const fn verbatim() -> Self {
        Self {
            rid: None,
            repaired_rid: None,
            transport_cc: None,
            transport_sequence_number: None,
        }
    }

    /// The transport-wide sequence number of this transmission, written into the `transport-wide-cc` element.
    /// Wrapping fails with [`RtpError::MissingExtension`] if the packet has no such element.
    #[must_use]
    pub const fn transport_sequence_number(mut self, seq: u16) -> Self {
        self.transport_sequence_number = Some(seq);
        self
    }

    /// Applies the rewrite to the extension elements of `block` (a copy of the original's, in `form`).
    fn apply(&self, form: ExtensionForm, block: &mut [u8]) -> Result<(), RtpError> {
        let header_len = if matches!(form, ExtensionForm::OneByte) { 1 } else { 2 };
        // Repeats of either id (invalid, but seen) are dropped first: the first element is the one readers use.
        let (rid, repaired_present, tcc) = loop {
            let (mut rid, mut repaired_present, mut tcc, mut repeat) = (None, false, None, None);
            walk(form, block, |id, start, len| {
                if Some(id) == self.rid {
                    repeat = rid.and(Some(start));
                    rid = rid.or(Some(start));
                } else if Some(id) == self.transport_cc {
                    repeat = tcc.and(Some(start));
                    tcc = tcc.or(Some((start, len)));
                } else if Some(id) == self.repaired_rid {
                    repaired_present = true;
                }
                repeat.is_some()
            })?;
            match repeat {
                Some(start) => drop_element(form, block, start - header_len),
                None => break (rid, repaired_present, tcc),
            }
        };
        if let Some(start) = rid {
            let header = start - header_len;
            match self.repaired_rid {
                Some(id) if !repaired_present => match form {
                    ExtensionForm::OneByte if id <= 14 => block[header] = (id << 4) | (block[header] & 0x0F),
                    ExtensionForm::OneByte => return Err(ExtensionError::BadId(id).into()),
                    _ => block[header] = id,
                },
                _ => drop_element(form, block, header),
            }
        }
        match (tcc, self.transport_sequence_number) {
            (Some((start, 2)), Some(seq)) => block[start..start + 2].copy_from_slice(&seq.to_be_bytes()),
            (Some((_, len)), Some(_)) => {
                return Err(ExtensionError::WrongSize {
                    uri: ExtensionKind::TransportSequenceNumber.uri(),
                    expected: 2,
                    got: len,
                }
                .into());
            }
            (Some((start, _)), None) => drop_element(form, block, start - header_len),
            (None, Some(_)) => return Err(RtpError::MissingExtension(ExtensionKind::TransportSequenceNumber)),
            (None, None) => {}
        }
        Ok(())
    }
}

/// Overwrites the element whose header starts at `header` with padding bytes.
fn drop_element(form: ExtensionForm, block: &mut [u8], header: usize) {
    let len = match form {
        ExtensionForm::OneByte => usize::from(block[header] & 0x0F) + 2,
        _ => usize::from(block[header + 1]) + 2,
    };
    block[header..header + len].fill(0);
}

/// Copies the header of `packet` into `out` with a new payload type, sequence number and SSRC and the P bit
/// cleared, rewrites its extensions with `extensions`, then writes `osn` (if any) and `payload` after it.
/// Returns the length written.
fn rewrite<B: AsRef<[u8]>>(
    packet: &RtpPacket<B>,
    (payload_type, sequence_number, ssrc): (u8, u16, u32),
    extensions: Option<&RtxExtensions>,
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
    if let Some(extensions) = extensions {
        match (packet.extension_form(), packet.extension_data()) {
            (Some(form), Some(data)) => extensions.apply(form, &mut out[h - data.len()..h])?,
            _ if extensions.transport_sequence_number.is_some() => {
                return Err(RtpError::MissingExtension(ExtensionKind::TransportSequenceNumber));
            }
            _ => {}
        }
    }
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
/// The header (CSRCs, extensions) is copied with the P bit, payload type, sequence number and SSRC changed and
/// the extensions rewritten as `extensions` says. On error `out` may hold part of the packet.
pub fn rtx_wrap<B: AsRef<[u8]>>(
    original: &RtpPacket<B>,
    rtx_payload_type: u8,
    rtx_ssrc: u32,
    rtx_sequence_number: u16,
    extensions: &RtxExtensions,
    out: &mut [u8],
) -> Result<usize, RtpError> {
    rewrite(
        original,
        (rtx_payload_type, rtx_sequence_number, rtx_ssrc),
        Some(extensions),
        Some(original.sequence_number()),
        original.payload(),
        out,
    )
}

/// Appends `original` as an RTX packet to `out`; see [`rtx_wrap`]. On error `out` is left as it was.
pub fn rtx_wrap_to_bytes<B: AsRef<[u8]>>(
    original: &RtpPacket<B>,
    rtx_payload_type: u8,
    rtx_ssrc: u32,
    rtx_sequence_number: u16,
    extensions: &RtxExtensions,
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
        extensions,
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
/// `original_ssrc` and the sequence number from the OSN; returns its length. Extensions stay as the RTX
/// packet carries them.
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
    use crate::ext::{ExtensionValues, Mid, RepairedRtpStreamId, RtpStreamId, TransportSequenceNumber};
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
        let n = rtx_wrap(&orig, 97, 0x2222, 7, &RtxExtensions::verbatim(), &mut rtx_buf).unwrap();
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
            rtx_wrap(&orig, 97, 1, 1, &RtxExtensions::verbatim(), &mut [0; 10]),
            Err(RtpError::BufferTooSmall { .. })
        ));
        assert!(matches!(
            rtx_wrap(&orig, 200, 1, 1, &RtxExtensions::verbatim(), &mut [0; 100]),
            Err(RtpError::FieldRange { .. })
        ));
        let mut b = BytesMut::new();
        let n = rtx_wrap_to_bytes(&orig, 97, 1, 1, &RtxExtensions::verbatim(), &mut b).unwrap();
        assert_eq!(n, b.len());
    }

    /// An original as a simulcast sender writes it: mid, rid and a transport-wide number.
    fn simulcast_original(map: &ExtensionMap, two_byte: bool) -> Vec<u8> {
        let mut h = RtpPacketBuilder::new(96, 0x1111)
            .sequence_number(500)
            .timestamp(3000)
            .extension(map, &Mid("v"))
            .unwrap()
            .extension(map, &RtpStreamId("hi"))
            .unwrap()
            .extension(map, &TransportSequenceNumber(41))
            .unwrap()
            .into_header();
        if two_byte {
            h.extensions.set_form(Some(ExtensionForm::TwoByte { appbits: 0 }));
        }
        let mut out = vec![0u8; h.packet_len(4)];
        let n = h.write(b"data", &mut out).unwrap();
        out.truncate(n);
        out
    }

    fn simulcast_map() -> ExtensionMap {
        let mut map = ExtensionMap::new();
        map.insert(1, ExtensionKind::Mid).unwrap();
        map.insert(3, ExtensionKind::TransportSequenceNumber).unwrap();
        map.insert(10, ExtensionKind::RtpStreamId).unwrap();
        map.insert(11, ExtensionKind::RepairedRtpStreamId).unwrap();
        map
    }

    #[test]
    fn rtx_names_the_repaired_stream_and_numbers_its_own_transmission() {
        let map = simulcast_map();
        for two_byte in [false, true] {
            let raw = simulcast_original(&map, two_byte);
            let orig = RtpPacket::parse(&raw[..]).unwrap();
            let rewrite = RtxExtensions::new(&map).transport_sequence_number(42);
            let mut buf = [0u8; 200];
            let n = rtx_wrap(&orig, 97, 0x2222, 9, &rewrite, &mut buf).unwrap();
            let rtx = RtpPacket::parse(&buf[..n]).unwrap();
            let v = ExtensionValues::decode(&rtx, &map);
            // RFC 8852 §3.2: the RTX stream carries the rid of the stream it repairs as repaired-rid, and no rid.
            assert_eq!(v.rid, None, "two-byte: {two_byte}");
            assert_eq!(v.repaired_rid, Some(RepairedRtpStreamId("hi")));
            assert_eq!(v.mid, Some(Mid("v")));
            assert_eq!(v.transport_seq, Some(TransportSequenceNumber(42)));
            assert_eq!(v.malformed, 0);
            assert_eq!(rtx.header_len(), orig.header_len(), "rewritten in place");
            // The original is untouched and still unwraps.
            assert_eq!(
                orig.get::<TransportSequenceNumber>(&map),
                Some(TransportSequenceNumber(41))
            );
            let mut back = [0u8; 200];
            let m = rtx_unwrap(&rtx, 96, 0x1111, &mut back).unwrap();
            assert_eq!(&back[m - 4..m], b"data");
        }
    }

    #[test]
    fn rtx_drops_what_it_cannot_rewrite() {
        let map = simulcast_map();
        let raw = simulcast_original(&map, false);
        let orig = RtpPacket::parse(&raw[..]).unwrap();
        // No repaired-rid negotiated, no transport-wide number given: both elements become padding.
        let mut without = map.clone();
        without.remove_id(11);
        let mut buf = [0u8; 200];
        let n = rtx_wrap(&orig, 97, 0x2222, 9, &RtxExtensions::new(&without), &mut buf).unwrap();
        let rtx = RtpPacket::parse(&buf[..n]).unwrap();
        let ids: Vec<u8> = rtx.extensions().map(|e| e.id).collect();
        assert_eq!(ids, [1], "only mid is left");
        assert_eq!(rtx.get::<Mid<'_>>(&map), Some(Mid("v")));
    }

    #[test]
    fn rtx_rewrite_errors() {
        let map = simulcast_map();
        // A number for a packet without a transport-wide element.
        let mut buf = [0u8; 200];
        let n = RtpPacketBuilder::new(96, 1).write(b"x", &mut buf).unwrap();
        let plain = buf[..n].to_vec();
        let orig = RtpPacket::parse(&plain[..]).unwrap();
        let rewrite = RtxExtensions::new(&map).transport_sequence_number(1);
        assert_eq!(
            rtx_wrap(&orig, 97, 2, 3, &rewrite, &mut [0; 100]),
            Err(RtpError::MissingExtension(ExtensionKind::TransportSequenceNumber))
        );
        // A repaired-rid id that the one-byte form cannot carry.
        let raw = simulcast_original(&map, false);
        let orig = RtpPacket::parse(&raw[..]).unwrap();
        let mut far = map.clone();
        far.remove_id(11);
        far.insert(20, ExtensionKind::RepairedRtpStreamId).unwrap();
        assert_eq!(
            rtx_wrap(
                &orig,
                97,
                2,
                3,
                &RtxExtensions::new(&far).transport_sequence_number(1),
                &mut [0; 100]
            ),
            Err(RtpError::Extension(ExtensionError::BadId(20)))
        );
        let mut b = BytesMut::from(&b"kept"[..]);
        assert!(rtx_wrap_to_bytes(&orig, 97, 2, 3, &RtxExtensions::new(&far), &mut b).is_err());
        assert_eq!(&b[..], b"kept", "a failed wrap leaves the buffer as it was");
    }

    #[test]
    fn repeated_rid_and_transport_elements_are_all_rewritten() {
        let map = simulcast_map();
        // rid "a", tcc 7, rid "b", tcc 8: one-byte elements written by hand.
        let block = [0xA0, b'a', 0x31, 0, 7, 0xA0, b'b', 0x31, 0, 8, 0, 0];
        let mut raw = vec![0x90, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE, 0, 3];
        raw.extend_from_slice(&block);
        raw.extend_from_slice(b"p");
        let orig = RtpPacket::parse(&raw[..]).unwrap();
        let mut buf = [0u8; 100];
        let rewrite = RtxExtensions::new(&map).transport_sequence_number(99);
        let n = rtx_wrap(&orig, 97, 2, 3, &rewrite, &mut buf).unwrap();
        let rtx = RtpPacket::parse(&buf[..n]).unwrap();
        let elements: Vec<(u8, Vec<u8>)> = rtx.extensions().map(|e| (e.id, e.data.to_vec())).collect();
        assert_eq!(elements, [(11, b"a".to_vec()), (3, vec![0, 99])]);
    }
}
