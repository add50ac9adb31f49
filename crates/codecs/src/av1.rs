//! AV1 over RTP (AOM "RTP Payload Format for AV1" v1.0): aggregation header, OBU elements and fragments,
//! keyframe detection (N bit), and a depayloader that rebuilds a low-overhead bitstream (OBUs with
//! `obu_has_size_field` set).
//!
//! ```text
//! +-+-+-+-+-+-+-+-+
//! |Z|Y| W |N|-|-|-|  aggregation header
//! +-+-+-+-+-+-+-+-+
//! ```

use crate::payload::{Assembler, Boundary, DEFAULT_MAX_FRAME_SIZE, Depayloaded, FrameBoundary, PayloadPacket};
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
        keyframe: h.new_sequence,
    })
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
        Self {
            asm: Assembler::new(DEFAULT_MAX_FRAME_SIZE),
            fragment: Vec::new(),
            in_fragment: false,
            max_frame: DEFAULT_MAX_FRAME_SIZE,
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
