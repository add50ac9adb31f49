//! AV1 over RTP (AOM "RTP Payload Format for AV1" v1.0): aggregation header, OBU elements and fragments,
//! keyframe detection (N bit), a payloader taking a low-overhead bitstream temporal unit, and a depayloader
//! that rebuilds one (OBUs with `obu_has_size_field` set).
//!
//! ```text
//! +-+-+-+-+-+-+-+-+
//! |Z|Y| W |N|-|-|-|  aggregation header
//! +-+-+-+-+-+-+-+-+
//! ```

use std::ops::Range;

use crate::payload::{
    Assembler, Boundary, DEFAULT_MAX_FRAME_SIZE, Depayloaded, FrameBoundary, PayloadPacket, Payloader, Payloads,
};
use crate::{CodecError, Depayloader};

/// OBU type: sequence header.
pub const OBU_SEQUENCE_HEADER: u8 = 1;
/// OBU type: temporal delimiter.
pub const OBU_TEMPORAL_DELIMITER: u8 = 2;
/// OBU type: frame header.
pub const OBU_FRAME_HEADER: u8 = 3;
/// OBU type: tile group.
pub const OBU_TILE_GROUP: u8 = 4;
/// OBU type: metadata.
pub const OBU_METADATA: u8 = 5;
/// OBU type: frame (header + tile group).
pub const OBU_FRAME: u8 = 6;
/// OBU type: tile list.
pub const OBU_TILE_LIST: u8 = 8;
/// OBU type: padding.
pub const OBU_PADDING: u8 = 15;

/// The aggregation header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AggregationHeader {
    /// Z: the first element continues an OBU fragment from the previous packet.
    pub continues_fragment: bool,
    /// Y: the last element is continued in the next packet.
    pub fragment_continues: bool,
    /// W: number of elements (1..=3, the last without a length field), or 0 (every element has one).
    pub element_count: u8,
    /// N: the packet starts a new coded video sequence (a keyframe).
    pub new_sequence: bool,
}

impl AggregationHeader {
    /// Reads the header byte.
    pub fn from_byte(b: u8) -> Self {
        Self {
            continues_fragment: b & 0x80 != 0,
            fragment_continues: b & 0x40 != 0,
            element_count: (b >> 4) & 0x03,
            new_sequence: b & 0x08 != 0,
        }
    }
}

/// Reads an unsigned LEB128 value (at most 8 bytes); returns it and its length.
pub fn read_leb128(b: &[u8]) -> Result<(u64, usize), CodecError> {
    let mut v = 0u64;
    for (i, &byte) in b.iter().take(8).enumerate() {
        v |= u64::from(byte & 0x7F) << (7 * i);
        if byte & 0x80 == 0 {
            return Ok((v, i + 1));
        }
    }
    Err(CodecError::BadLeb128)
}

/// Appends `v` as LEB128.
pub fn write_leb128(mut v: u64, out: &mut Vec<u8>) {
    loop {
        let byte = (v & 0x7F) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Iterates the OBU elements of a payload (after the aggregation header).
fn elements(mut rest: &[u8], count: u8) -> impl Iterator<Item = Result<&[u8], CodecError>> {
    let mut n = 0u8;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        n += 1;
        if count != 0 && n == count {
            let e = rest;
            rest = &[];
            return Some(Ok(e));
        }
        let r = read_leb128(rest).and_then(|(len, l)| {
            let len = usize::try_from(len).map_err(|_| CodecError::BadLeb128)?;
            let e = rest.get(l..l.saturating_add(len)).ok_or(CodecError::TooShort {
                what: "AV1 OBU element",
                needed: len,
                got: rest.len() - l,
            })?;
            rest = &rest[l + len..];
            Ok(e)
        });
        if r.is_err() {
            rest = &[];
        }
        Some(r)
    })
}

fn inspect(payload: &[u8], marker: bool) -> Result<Boundary, CodecError> {
    let (&h, body) = payload.split_first().ok_or(CodecError::EmptyPayload)?;
    let h = AggregationHeader::from_byte(h);
    let first = elements(body, h.element_count)
        .next()
        .ok_or(CodecError::EmptyPayload)??;
    // a temporal unit opens with a sequence header, delimiter, frame (header) or metadata OBU, never with a
    // tile group or the middle of a fragment
    let starts = !h.continues_fragment
        && first.first().is_some_and(|&b| {
            matches!(
                (b >> 3) & 0x0F,
                OBU_SEQUENCE_HEADER | OBU_TEMPORAL_DELIMITER | OBU_FRAME_HEADER | OBU_METADATA | OBU_FRAME
            )
        });
    Ok(Boundary {
        frame_start: starts,
        frame_end: marker,
        layer_end: marker,
        keyframe: h.new_sequence,
    })
}

/// `v` as LEB128 in a stack buffer, and its length.
fn leb128_array(mut v: u64) -> ([u8; 10], usize) {
    let mut b = [0u8; 10];
    for (i, slot) in b.iter_mut().enumerate() {
        *slot = (v & 0x7F) as u8;
        v >>= 7;
        if v == 0 {
            return (b, i + 1);
        }
        *slot |= 0x80;
    }
    (b, 10)
}

fn leb128_len(v: usize) -> usize {
    let bits = usize::BITS - v.leading_zeros();
    (bits.max(1) as usize).div_ceil(7)
}

/// One OBU of the input, as it goes into RTP: header byte (size flag cleared), optional extension byte, and
/// the payload range in the input.
#[derive(Debug, Clone)]
struct Obu {
    header: [u8; 2],
    header_len: usize,
    payload: Range<usize>,
}

impl Obu {
    fn len(&self) -> usize {
        self.header_len + self.payload.len()
    }
}

/// Splits AV1 temporal units (low-overhead bitstream format: OBUs with size fields; an OBU without one runs
/// to the end) into RTP payloads. Temporal delimiters, tile lists and padding are dropped; every element
/// carries a length field (W = 0); OBUs that do not fit are fragmented (Y/Z); N is set on the first packet
/// when the unit holds a sequence header.
#[derive(Debug, Clone, Default)]
pub struct Av1Payloader {
    obus: Vec<Obu>,
    pieces: Vec<(usize, Range<usize>)>,
}

fn parse_obus(tu: &[u8], obus: &mut Vec<Obu>) -> Result<(), CodecError> {
    let mut pos = 0;
    while pos < tu.len() {
        let h = tu[pos];
        if h & 0x80 != 0 {
            return Err(CodecError::ForbiddenBit);
        }
        let header_len = if h & 0x04 != 0 { 2 } else { 1 };
        let header = tu.get(pos..pos + header_len).ok_or(CodecError::TooShort {
            what: "AV1 OBU header",
            needed: header_len,
            got: tu.len() - pos,
        })?;
        let mut start = pos + header_len;
        let end = if h & 0x02 != 0 {
            let (size, n) = read_leb128(&tu[start..])?;
            start += n;
            let size = usize::try_from(size).map_err(|_| CodecError::BadLeb128)?;
            if size > tu.len() - start {
                return Err(CodecError::TooShort {
                    what: "AV1 OBU",
                    needed: size,
                    got: tu.len() - start,
                });
            }
            start + size
        } else {
            tu.len()
        };
        let obu_type = (h >> 3) & 0x0F;
        if !matches!(obu_type, OBU_TEMPORAL_DELIMITER | OBU_TILE_LIST | OBU_PADDING) {
            obus.push(Obu {
                header: [h & !0x02, header.get(1).copied().unwrap_or(0)],
                header_len,
                payload: start..end,
            });
        }
        pos = end;
    }
    Ok(())
}

impl Payloader for Av1Payloader {
    fn payload(&mut self, frame: &[u8], max_payload: usize, out: &mut Payloads) -> Result<(), CodecError> {
        out.clear();
        self.obus.clear();
        if max_payload < 3 {
            return Err(CodecError::MaxPayloadTooSmall {
                max: max_payload,
                needed: 3,
            });
        }
        parse_obus(frame, &mut self.obus)?;
        if self.obus.is_empty() {
            return Err(CodecError::EmptyFrame);
        }
        let new_sequence = self
            .obus
            .iter()
            .any(|o| (o.header[0] >> 3) & 0x0F == OBU_SEQUENCE_HEADER);
        let (mut idx, mut offset) = (0, 0);
        let mut first_packet = true;
        while idx < self.obus.len() {
            // plan the pieces of this packet: (obu index, byte range within the element)
            self.pieces.clear();
            let mut room = max_payload - 1;
            let z = offset > 0;
            while idx < self.obus.len() && room > 1 {
                let remaining = self.obus[idx].len() - offset;
                if leb128_len(remaining) + remaining <= room {
                    self.pieces.push((idx, offset..offset + remaining));
                    room -= leb128_len(remaining) + remaining;
                    idx += 1;
                    offset = 0;
                } else {
                    let take = room - leb128_len(room);
                    self.pieces.push((idx, offset..offset + take));
                    offset += take;
                    room = 0;
                }
            }
            let y = offset > 0;
            let agg = (u8::from(z) << 7) | (u8::from(y) << 6) | (u8::from(first_packet && new_sequence) << 3);
            out.put(&[agg]);
            for (i, r) in &self.pieces {
                let o = &self.obus[*i];
                let (len, n) = leb128_array(r.len() as u64);
                out.put(&len[..n]);
                // element bytes: header (1 or 2) then payload
                let hl = o.header_len;
                if r.start < hl {
                    out.put(&o.header[r.start..hl.min(r.end)]);
                }
                let (ps, pe) = (r.start.max(hl) - hl, r.end.max(hl) - hl);
                out.put(&frame[o.payload.start + ps..o.payload.start + pe]);
            }
            out.finish(false, 0);
            first_packet = false;
        }
        out.mark_last();
        Ok(())
    }
}

/// AV1 depayloader: joins OBU fragments and writes each OBU with its size field.
#[derive(Debug, Clone)]
pub struct Av1Depayloader {
    asm: Assembler,
    fragment: Vec<u8>,
    in_fragment: bool,
    max_frame: usize,
}

impl Default for Av1Depayloader {
    fn default() -> Self {
        Self::new()
    }
}

impl Av1Depayloader {
    /// A depayloader with the default frame-size bound.
    pub fn new() -> Self {
        Self::with_max_frame_size(DEFAULT_MAX_FRAME_SIZE)
    }

    /// A depayloader that drops temporal units (and OBU fragments) larger than `max_frame_size` bytes.
    pub fn with_max_frame_size(max_frame_size: usize) -> Self {
        Self {
            asm: Assembler::new(max_frame_size),
            fragment: Vec::new(),
            in_fragment: false,
            max_frame: max_frame_size,
        }
    }
}

impl FrameBoundary for Av1Depayloader {
    fn boundary(&self, payload: &[u8], marker: bool) -> Result<Boundary, CodecError> {
        inspect(payload, marker)
    }
}

/// Writes one whole OBU (as carried in RTP) to `out` with `obu_has_size_field` set.
fn write_obu(obu: &[u8], out: &mut Vec<u8>) -> Result<(), CodecError> {
    let &h = obu.first().ok_or(CodecError::TooShort {
        what: "AV1 OBU header",
        needed: 1,
        got: 0,
    })?;
    if h & 0x02 != 0 {
        out.extend_from_slice(obu);
        return Ok(());
    }
    let header_len = if h & 0x04 != 0 { 2 } else { 1 };
    let header = obu.get(..header_len).ok_or(CodecError::TooShort {
        what: "AV1 OBU extension header",
        needed: header_len,
        got: obu.len(),
    })?;
    out.push(h | 0x02);
    out.extend_from_slice(&header[1..]);
    write_leb128((obu.len() - header_len) as u64, out);
    out.extend_from_slice(&obu[header_len..]);
    Ok(())
}

impl Depayloader for Av1Depayloader {
    fn push(&mut self, packet: PayloadPacket<'_>) -> Result<Depayloaded<'_>, CodecError> {
        let b = inspect(packet.payload, packet.marker);
        let (fragment, in_fragment, max) = (&mut self.fragment, &mut self.in_fragment, self.max_frame);
        self.asm.push(&packet, b, |buf, new_frame| {
            if new_frame {
                fragment.clear();
                *in_fragment = false;
            }
            let r = (|| {
                let h = AggregationHeader::from_byte(packet.payload[0]);
                let els = elements(&packet.payload[1..], h.element_count);
                let mut first = true;
                let mut last_open = false;
                let mut iter = els.peekable();
                while let Some(e) = iter.next() {
                    let e = e?;
                    let is_last = iter.peek().is_none();
                    if first && h.continues_fragment {
                        if !*in_fragment {
                            return Err(CodecError::FragmentWithoutStart);
                        }
                    } else if *in_fragment {
                        return Err(CodecError::FragmentNotTerminated);
                    } else {
                        fragment.clear();
                    }
                    first = false;
                    fragment.extend_from_slice(e);
                    if fragment.len() > max {
                        return Err(CodecError::FrameTooLarge { limit: max });
                    }
                    if is_last && h.fragment_continues {
                        *in_fragment = true;
                        last_open = true;
                    } else {
                        *in_fragment = false;
                        write_obu(fragment, buf)?;
                    }
                }
                if packet.marker && last_open {
                    return Err(CodecError::FragmentNotTerminated);
                }
                Ok(())
            })();
            if r.is_err() {
                fragment.clear();
                *in_fragment = false;
            }
            r
        })
    }

    fn reset(&mut self) {
        self.asm.reset();
        self.fragment.clear();
        self.in_fragment = false;
    }

    fn finish(&mut self) -> Depayloaded<'_> {
        self.fragment.clear();
        self.in_fragment = false;
        self.asm.finish()
    }

    fn last_frame(&self) -> Option<&[u8]> {
        self.asm.last_frame()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pk(seq: u16, marker: bool, payload: &[u8]) -> PayloadPacket<'_> {
        PayloadPacket {
            sequence_number: seq,
            timestamp: 1,
            marker,
            payload,
        }
    }

    #[test]
    fn payloader_round_trip() {
        // TD, sequence header, a 5000-byte frame OBU with an extension header, a metadata OBU
        let mut tu = vec![0x12, 0x00, 0x0A, 0x03, 1, 2, 3];
        tu.push(0x36);
        tu.push(0x28);
        let mut v = Vec::new();
        write_leb128(5000, &mut v);
        tu.extend_from_slice(&v);
        tu.extend((0..5000u32).map(|i| i as u8));
        tu.extend_from_slice(&[0x2A, 0x02, 9, 9]);
        let mut out = Payloads::new();
        let mut pay = Av1Payloader::default();
        for budget in [1200, 100, 3] {
            pay.payload(&tu, budget, &mut out).unwrap();
            let mut d = Av1Depayloader::new();
            let mut got = None;
            for (i, p) in out.iter().enumerate() {
                assert!(p.data.len() <= budget);
                assert_eq!(p.data[0] & 0x08 != 0, i == 0, "N on the first packet only");
                let r = d.push(pk(i as u16, p.marker, p.data)).unwrap();
                assert!(r.incomplete.is_none());
                got = r.frame.map(|f| (f.data.to_vec(), f.keyframe)).or(got);
            }
            // the temporal delimiter is dropped, everything else comes back byte for byte
            assert_eq!(got, Some((tu[2..].to_vec(), true)), "budget {budget}");
        }
    }

    #[test]
    fn leb128() {
        let mut v = Vec::new();
        write_leb128(300, &mut v);
        assert_eq!(v, [0xAC, 0x02]);
        assert_eq!(read_leb128(&v), Ok((300, 2)));
        assert_eq!(read_leb128(&[0x80; 9]), Err(CodecError::BadLeb128));
    }

    #[test]
    fn fragmented_keyframe() {
        // packet 1: N, W=2: sequence header (len 2), then the start of a frame OBU (Y)
        let p1 = [0x68, 2, 0x08, 0xAA, 0x30, 1, 2];
        // packet 2: Z, W=1: the rest of the frame OBU
        let p2 = [0x90, 3, 4];
        let mut d = Av1Depayloader::new();
        assert!(d.boundary(&p1, false).unwrap().frame_start);
        assert!(!d.boundary(&p2, true).unwrap().frame_start);
        assert!(d.push(pk(1, false, &p1)).unwrap().frame.is_none());
        let f = d.push(pk(2, true, &p2)).unwrap().frame.unwrap();
        assert!(f.keyframe);
        assert_eq!(f.data, [0x0A, 1, 0xAA, 0x32, 4, 1, 2, 3, 4]);
        // a continuation without its start
        let mut d = Av1Depayloader::new();
        let r = d.push(pk(5, true, &p2)).unwrap();
        assert!(r.frame.is_none() && r.incomplete.is_some());
    }
}
