//! H.264 over RTP (RFC 6184): single NAL unit packets, STAP-A aggregation and FU-A fragmentation, for
//! packetization-mode 0 (single NAL only) and 1 (non-interleaved).
//!
//! Frames in and out are Annex B byte streams; the depayloader writes 4-byte start codes.

use std::ops::Range;

use crate::payload::{Assembler, Boundary, Depayloaded, FrameBoundary, PayloadPacket, Payloader, Payloads};
use crate::{CodecError, Depayloader};

/// NAL unit type: coded slice of a non-IDR picture.
pub const NAL_SLICE: u8 = 1;
/// NAL unit type: coded slice of an IDR picture.
pub const NAL_IDR: u8 = 5;
/// NAL unit type: supplemental enhancement information.
pub const NAL_SEI: u8 = 6;
/// NAL unit type: sequence parameter set.
pub const NAL_SPS: u8 = 7;
/// NAL unit type: picture parameter set.
pub const NAL_PPS: u8 = 8;
/// NAL unit type: access unit delimiter.
pub const NAL_AUD: u8 = 9;
/// RTP packet type: single-time aggregation packet (STAP-A).
pub const NAL_STAP_A: u8 = 24;
/// RTP packet type: fragmentation unit (FU-A).
pub const NAL_FU_A: u8 = 28;

const START_CODE: [u8; 4] = [0, 0, 0, 1];

/// RFC 6184 packetization mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PacketizationMode {
    /// Mode 0: one NAL unit per packet, no aggregation or fragmentation.
    SingleNal,
    /// Mode 1: single NAL, STAP-A and FU-A, in decoding order.
    #[default]
    NonInterleaved,
}

/// Iterates the NAL units of an Annex B stream (3- or 4-byte start codes). Input without any start code
/// is one NAL unit. Empty units are skipped.
pub fn annex_b_nals(stream: &[u8]) -> impl Iterator<Item = &[u8]> + '_ {
    let mut pos = 0;
    let mut started = false;
    std::iter::from_fn(move || {
        loop {
            if pos >= stream.len() {
                return None;
            }
            let rest = &stream[pos..];
            if !started {
                started = true;
                if let Some((at, len)) = find_start_code(rest) {
                    pos += at + len;
                    continue;
                }
                pos = stream.len();
                return Some(rest).filter(|r| !r.is_empty());
            }
            let (nal, advance) = match find_start_code(rest) {
                Some((at, len)) => (&rest[..at], at + len),
                None => (rest, rest.len()),
            };
            pos += advance;
            // zeros before a start code are trailing_zero_8bits (or the 4-byte form's leading zero)
            let end = nal.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
            if end > 0 {
                return Some(&nal[..end]);
            }
        }
    })
}

/// Position and length (3) of the first `00 00 01`.
fn find_start_code(b: &[u8]) -> Option<(usize, usize)> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut i = 0;
    while i + 2 < b.len() {
        // no start code begins in 8 bytes without a zero byte (the classic has-zero-byte test)
        if let Some(w) = b.get(i..i + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
            let x = u64::from_le_bytes(w);
            if x.wrapping_sub(ONES) & !x & HIGHS == 0 {
                i += 8;
                continue;
            }
        }
        if b[i + 2] > 1 {
            i += 3;
        } else if b[i + 2] == 1 && b[i] == 0 && b[i + 1] == 0 {
            return Some((i, 3));
        } else {
            i += 1;
        }
    }
    None
}

/// True when a NAL unit (header `nal_type`, bytes after the header `body`) begins an access unit:
/// AUD, SPS, PPS, SEI, or a slice with `first_mb_in_slice` = 0 (its ue(v) code starts with a 1 bit).
fn starts_access_unit(nal_type: u8, body: &[u8]) -> bool {
    match nal_type {
        NAL_SEI | NAL_SPS | NAL_PPS | NAL_AUD => true,
        NAL_SLICE | NAL_IDR => body.first().is_some_and(|b| b & 0x80 != 0),
        _ => false,
    }
}

fn short(what: &'static str, needed: usize, got: usize) -> CodecError {
    CodecError::TooShort { what, needed, got }
}

fn header(b: u8) -> Result<u8, CodecError> {
    if b & 0x80 != 0 {
        return Err(CodecError::ForbiddenBit);
    }
    Ok(b & 0x1F)
}

/// Iterates the NAL units of a STAP-A payload (after its 1-byte header).
fn stap_a_units(mut rest: &[u8]) -> impl Iterator<Item = Result<&[u8], CodecError>> {
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let [hi, lo, ..] = *rest else {
            let got = rest.len();
            rest = &[];
            return Some(Err(short("STAP-A size field", 2, got)));
        };
        let size = usize::from(u16::from_be_bytes([hi, lo]));
        let Some(nal) = rest.get(2..2 + size).filter(|n| !n.is_empty()) else {
            let got = rest.len() - 2;
            rest = &[];
            return Some(Err(short("STAP-A NAL unit", size.max(1), got)));
        };
        rest = &rest[2 + size..];
        Some(Ok(nal))
    })
}

/// Reads the boundary of one H.264 RTP payload.
fn inspect(payload: &[u8], marker: bool) -> Result<Boundary, CodecError> {
    let first = *payload.first().ok_or(CodecError::EmptyPayload)?;
    let t = header(first)?;
    let (frame_start, keyframe) = match t {
        1..=23 => (starts_access_unit(t, &payload[1..]), t == NAL_IDR || t == NAL_SPS),
        NAL_STAP_A => {
            let mut start = None;
            let mut key = false;
            for nal in stap_a_units(&payload[1..]) {
                let nal = nal?;
                let nt = header(nal[0])?;
                start.get_or_insert_with(|| starts_access_unit(nt, &nal[1..]));
                key |= nt == NAL_IDR || nt == NAL_SPS;
            }
            (start.unwrap_or(false), key)
        }
        NAL_FU_A => {
            let fu = *payload.get(1).ok_or(short("FU-A header", 2, payload.len()))?;
            if payload.len() < 3 {
                return Err(short("FU-A payload", 3, payload.len()));
            }
            let nt = fu & 0x1F;
            (fu & 0x80 != 0 && starts_access_unit(nt, &payload[2..]), nt == NAL_IDR)
        }
        other => return Err(CodecError::UnsupportedNalType(other)),
    };
    Ok(Boundary {
        frame_start,
        frame_end: marker,
        layer_end: marker,
        keyframe,
    })
}

/// Splits Annex B access units into RTP payloads.
///
/// Mode 1 aggregates consecutive NAL units that fit one payload into a STAP-A (so SPS + PPS + a small IDR
/// travel together), sends a unit that fits alone as a single NAL unit packet, and fragments larger ones
/// with FU-A. Mode 0 sends every unit alone and fails on one larger than the budget.
#[derive(Debug, Clone, Default)]
pub struct H264Payloader {
    mode: PacketizationMode,
    group: Vec<Range<usize>>,
}

impl H264Payloader {
    /// A payloader for `mode`.
    pub fn new(mode: PacketizationMode) -> Self {
        Self {
            mode,
            group: Vec::new(),
        }
    }

    fn flush_group(&mut self, frame: &[u8], out: &mut Payloads) {
        match self.group.as_slice() {
            [] => {}
            [one] => {
                out.put(&frame[one.clone()]);
                out.finish(false, 0);
            }
            many => {
                let (mut f, mut nri) = (0, 0);
                for r in many {
                    f |= frame[r.start] & 0x80;
                    nri = nri.max(frame[r.start] & 0x60);
                }
                out.put(&[f | nri | NAL_STAP_A]);
                for r in many {
                    // invariant: grouped units fit one payload, so each is below 64 KiB
                    out.put(&(r.len() as u16).to_be_bytes());
                    out.put(&frame[r.clone()]);
                }
                out.finish(false, 0);
            }
        }
        self.group.clear();
    }
}

impl Payloader for H264Payloader {
    fn payload(&mut self, frame: &[u8], max_payload: usize, out: &mut Payloads) -> Result<(), CodecError> {
        out.clear();
        self.group.clear();
        if max_payload < 3 {
            return Err(CodecError::MaxPayloadTooSmall {
                max: max_payload,
                needed: 3,
            });
        }
        let base = frame.as_ptr() as usize;
        let mut group_len = 0; // bytes of a STAP-A holding the group, header included
        for nal in annex_b_nals(frame) {
            let start = nal.as_ptr() as usize - base;
            let range = start..start + nal.len();
            match self.mode {
                PacketizationMode::SingleNal => {
                    if nal.len() > max_payload {
                        out.clear();
                        return Err(CodecError::TooLargeForPacket {
                            size: nal.len(),
                            max: max_payload,
                        });
                    }
                    out.put(nal);
                    out.finish(false, 0);
                }
                PacketizationMode::NonInterleaved if nal.len() > max_payload => {
                    self.flush_group(frame, out);
                    group_len = 0;
                    fragment(nal, max_payload, out);
                }
                PacketizationMode::NonInterleaved => {
                    let with = if self.group.is_empty() { 1 } else { group_len } + 2 + nal.len();
                    // a group of one is sent bare, so it only has to fit as itself
                    if !self.group.is_empty() && with > max_payload {
                        self.flush_group(frame, out);
                    }
                    group_len = if self.group.is_empty() { 1 } else { group_len } + 2 + nal.len();
                    self.group.push(range);
                }
            }
        }
        self.flush_group(frame, out);
        if out.is_empty() {
            return Err(CodecError::EmptyFrame);
        }
        out.mark_last();
        Ok(())
    }
}

/// FU-A fragments of one NAL unit larger than the budget.
fn fragment(nal: &[u8], max_payload: usize, out: &mut Payloads) {
    let indicator = (nal[0] & 0xE0) | NAL_FU_A;
    let nal_type = nal[0] & 0x1F;
    let body = &nal[1..];
    let room = max_payload - 2;
    let n = body.len().div_ceil(room);
    let (base, extra) = (body.len() / n, body.len() % n);
    let mut rest = body;
    for i in 0..n {
        let take = base + usize::from(i < extra);
        let (chunk, tail) = rest.split_at(take);
        rest = tail;
        let s = if i == 0 { 0x80 } else { 0 };
        let e = if i + 1 == n { 0x40 } else { 0 };
        out.put(&[indicator, s | e | nal_type]);
        out.put(chunk);
        out.finish(false, 0);
    }
}

/// H.264 depayloader: reassembles access units as Annex B with 4-byte start codes.
#[derive(Debug, Clone, Default)]
pub struct H264Depayloader {
    asm: Assembler,
    in_fragment: bool,
}

impl H264Depayloader {
    /// A depayloader with the default frame-size bound.
    pub fn new() -> Self {
        Self::default()
    }

    /// A depayloader that drops access units larger than `max_frame_size` bytes.
    pub fn with_max_frame_size(max_frame_size: usize) -> Self {
        Self {
            asm: Assembler::new(max_frame_size),
            in_fragment: false,
        }
    }
}

impl FrameBoundary for H264Depayloader {
    fn boundary(&self, payload: &[u8], marker: bool) -> Result<Boundary, CodecError> {
        inspect(payload, marker)
    }
}

fn append(buf: &mut Vec<u8>, in_fragment: &mut bool, payload: &[u8], marker: bool) -> Result<(), CodecError> {
    // invariant: `inspect` accepted this payload, so its header and FU-A/STAP-A framing are well formed
    let t = payload[0] & 0x1F;
    match t {
        NAL_FU_A => {
            let fu = payload[1];
            if fu & 0x80 != 0 {
                if *in_fragment {
                    return Err(CodecError::FragmentNotTerminated);
                }
                *in_fragment = true;
                buf.extend_from_slice(&START_CODE);
                buf.push((payload[0] & 0xE0) | (fu & 0x1F));
            } else if !*in_fragment {
                return Err(CodecError::FragmentWithoutStart);
            }
            buf.extend_from_slice(&payload[2..]);
            if fu & 0x40 != 0 {
                *in_fragment = false;
            }
        }
        _ if *in_fragment => return Err(CodecError::FragmentNotTerminated),
        NAL_STAP_A => {
            for nal in stap_a_units(&payload[1..]) {
                buf.extend_from_slice(&START_CODE);
                buf.extend_from_slice(nal?);
            }
        }
        _ => {
            buf.extend_from_slice(&START_CODE);
            buf.extend_from_slice(payload);
        }
    }
    if marker && *in_fragment {
        *in_fragment = false;
        return Err(CodecError::FragmentNotTerminated);
    }
    Ok(())
}

impl Depayloader for H264Depayloader {
    fn push(&mut self, packet: PayloadPacket<'_>) -> Result<Depayloaded<'_>, CodecError> {
        let b = inspect(packet.payload, packet.marker);
        let in_fragment = &mut self.in_fragment;
        self.asm.push(&packet, b, |buf, new_frame| {
            if new_frame {
                *in_fragment = false;
            }
            let r = append(buf, in_fragment, packet.payload, packet.marker);
            if r.is_err() {
                *in_fragment = false;
            }
            r
        })
    }

    fn reset(&mut self) {
        self.asm.reset();
        self.in_fragment = false;
    }

    fn finish(&mut self) -> Depayloaded<'_> {
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

    #[test]
    fn start_code_search_matches_a_naive_one() {
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut data = Vec::new();
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // mostly non-zero bytes, with runs of zeros and ones sprinkled in
            data.push(match x % 16 {
                0..=2 => 0,
                3 => 1,
                _ => (x >> 8) as u8,
            });
        }
        let naive = |b: &[u8]| b.windows(3).position(|w| w == [0, 0, 1]).map(|i| (i, 3));
        for start in 0..data.len() {
            assert_eq!(find_start_code(&data[start..]), naive(&data[start..]), "from {start}");
        }
    }

    #[test]
    fn splits_annex_b() {
        let s = [0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 0, 0, 1, 0x65, 4, 0];
        let nals: Vec<&[u8]> = annex_b_nals(&s).collect();
        assert_eq!(nals, [&[0x67, 1, 2][..], &[0x68, 3], &[0x65, 4]]);
        assert_eq!(annex_b_nals(&[0x41, 9]).collect::<Vec<_>>(), [&[0x41, 9][..]]);
        assert_eq!(annex_b_nals(&[0, 0, 1]).count(), 0);
    }

    #[test]
    fn stap_a_errors() {
        let d = H264Depayloader::new();
        assert!(matches!(
            d.boundary(&[24, 0, 5, 0x67], true),
            Err(CodecError::TooShort { .. })
        ));
        assert!(matches!(d.boundary(&[24, 0], true), Err(CodecError::TooShort { .. })));
        assert!(matches!(
            d.boundary(&[24, 0, 0], true),
            Err(CodecError::TooShort { .. })
        ));
        assert_eq!(d.boundary(&[0x80 | 5, 0x80], true), Err(CodecError::ForbiddenBit));
        assert_eq!(d.boundary(&[26, 0], true), Err(CodecError::UnsupportedNalType(26)));
        assert_eq!(d.boundary(&[0], true), Err(CodecError::UnsupportedNalType(0)));
    }
}
