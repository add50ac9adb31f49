//! VP9 over RTP (RFC 9628): payload descriptor parsing (flexible and non-flexible modes, scalability
//! structure), keyframe detection, a single-layer payloader and a depayloader.
//!
//! ```text
//! +-+-+-+-+-+-+-+-+
//! |I|P|L|F|B|E|V|Z| (required)
//! +-+-+-+-+-+-+-+-+
//! |M| PICTURE ID  | (I; 15 bits when M)
//! +-+-+-+-+-+-+-+-+
//! | TID |U| SID |D| (L)
//! +-+-+-+-+-+-+-+-+
//! |   TL0PICIDX   | (L and not F)
//! +-+-+-+-+-+-+-+-+
//! | P_DIFF      |N| (F and P; up to 3)
//! +-+-+-+-+-+-+-+-+
//! |  SS ...       | (V)
//! ```

use crate::payload::{Assembler, Boundary, Depayloaded, FrameBoundary, PayloadPacket, Payloader, Payloads};
use crate::{CodecError, Depayloader};

/// A parsed VP9 payload descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[allow(clippy::struct_excessive_bools)] // one field per descriptor bit
pub struct Vp9Descriptor {
    /// P: the frame is inter-predicted.
    pub inter_predicted: bool,
    /// F: flexible mode.
    pub flexible: bool,
    /// B: the packet starts a (layer) frame.
    pub begins_frame: bool,
    /// E: the packet ends a (layer) frame.
    pub ends_frame: bool,
    /// Z: not used for inter-layer prediction of the next spatial layer.
    pub not_upswitch_reference: bool,
    /// Picture ID (7 or 15 bits), when I is set.
    pub picture_id: Option<u16>,
    /// Temporal layer id, when L is set.
    pub tid: Option<u8>,
    /// Switching-up point (U), when L is set.
    pub switching_up: bool,
    /// Spatial layer id, when L is set.
    pub sid: Option<u8>,
    /// D: inter-layer dependency, when L is set.
    pub inter_layer_dependent: bool,
    /// TL0PICIDX (non-flexible mode with L).
    pub tl0_pic_idx: Option<u8>,
    /// Reference picture-ID differences (flexible mode with P): up to three, `num_pdiff` valid.
    pub p_diff: [u8; 3],
    /// How many `p_diff` entries are valid.
    pub num_pdiff: u8,
    /// Spatial layers announced by a scalability structure (V), if present.
    pub ss_spatial_layers: Option<u8>,
    /// Bytes the descriptor (with any scalability structure) takes.
    pub len: usize,
}

fn short(needed: usize, got: usize) -> CodecError {
    CodecError::TooShort {
        what: "VP9 payload descriptor",
        needed,
        got,
    }
}

impl Vp9Descriptor {
    /// Parses the descriptor at the start of an RTP payload.
    pub fn parse(buf: &[u8]) -> Result<Self, CodecError> {
        let at = |i: usize| buf.get(i).copied().ok_or(short(i + 1, buf.len()));
        let b0 = at(0)?;
        let (i_bit, l_bit, v_bit) = (b0 & 0x80 != 0, b0 & 0x20 != 0, b0 & 0x02 != 0);
        let mut desc = Self {
            inter_predicted: b0 & 0x40 != 0,
            flexible: b0 & 0x10 != 0,
            begins_frame: b0 & 0x08 != 0,
            ends_frame: b0 & 0x04 != 0,
            not_upswitch_reference: b0 & 0x01 != 0,
            ..Self::default()
        };
        let mut i = 1;
        if i_bit {
            let m = at(i)?;
            if m & 0x80 != 0 {
                desc.picture_id = Some(u16::from_be_bytes([m & 0x7F, at(i + 1)?]));
                i += 2;
            } else {
                desc.picture_id = Some(u16::from(m));
                i += 1;
            }
        }
        if l_bit {
            let l = at(i)?;
            i += 1;
            desc.tid = Some(l >> 5);
            desc.switching_up = l & 0x10 != 0;
            desc.sid = Some((l >> 1) & 0x07);
            desc.inter_layer_dependent = l & 0x01 != 0;
            if !desc.flexible {
                desc.tl0_pic_idx = Some(at(i)?);
                i += 1;
            }
        }
        if desc.flexible && desc.inter_predicted {
            loop {
                let r = at(i)?;
                i += 1;
                if usize::from(desc.num_pdiff) == desc.p_diff.len() {
                    return Err(CodecError::BadVp9Descriptor("more than three reference indices"));
                }
                desc.p_diff[usize::from(desc.num_pdiff)] = r >> 1;
                desc.num_pdiff += 1;
                if r & 0x01 == 0 {
                    break;
                }
            }
        }
        if v_bit {
            let ss = at(i)?;
            i += 1;
            let n_s = (ss >> 5) + 1;
            desc.ss_spatial_layers = Some(n_s);
            if ss & 0x10 != 0 {
                i += 4 * usize::from(n_s);
            }
            if ss & 0x08 != 0 {
                let n_g = at(i)?;
                i += 1;
                for _ in 0..n_g {
                    let g = at(i)?;
                    i += 1 + usize::from((g >> 2) & 0x03);
                }
            }
            if i > buf.len() {
                return Err(short(i, buf.len()));
            }
        }
        desc.len = i;
        Ok(desc)
    }

    /// True when the packet starts a picture: B set on the lowest spatial layer.
    pub fn is_picture_start(&self) -> bool {
        self.begins_frame && self.sid.unwrap_or(0) == 0
    }

    /// True on the first packet of a keyframe: a picture start that is not inter-predicted.
    pub fn is_keyframe(&self) -> bool {
        self.is_picture_start() && !self.inter_predicted
    }
}

fn inspect(payload: &[u8], marker: bool) -> Result<(Boundary, usize), CodecError> {
    let d = Vp9Descriptor::parse(payload)?;
    if payload.len() == d.len {
        return Err(CodecError::EmptyPayload);
    }
    Ok((
        Boundary {
            frame_start: d.is_picture_start(),
            frame_end: marker,
            keyframe: d.is_keyframe(),
        },
        d.len,
    ))
}

/// True when a VP9 frame's uncompressed header says `frame_type` = `KEY_FRAME` (VP9 bitstream §6.2).
pub fn is_vp9_keyframe(frame: &[u8]) -> bool {
    let Some(&b) = frame.first() else { return false };
    if b >> 6 != 0b10 {
        return false; // frame_marker
    }
    let profile = ((b >> 5) & 1) | (((b >> 4) & 1) << 1);
    let shift = u8::from(profile == 3); // profile 3 has a reserved bit
    let show_existing_frame = (b >> (3 - shift)) & 1 == 1;
    !show_existing_frame && (b >> (2 - shift)) & 1 == 0
}

/// Splits single-layer VP9 frames into RTP payloads (non-flexible mode): a 15-bit picture ID advancing per
/// frame, B/E on the first/last packet, P clear on keyframes, and on a keyframe's first packet a scalability
/// structure announcing one spatial layer (without resolution).
#[derive(Debug, Clone, Copy, Default)]
pub struct Vp9Payloader {
    picture_id: u16,
}

impl Vp9Payloader {
    /// A payloader whose first picture ID is `first` (masked to 15 bits).
    pub fn with_picture_id(first: u16) -> Self {
        Self {
            picture_id: first & 0x7FFF,
        }
    }
}

impl Payloader for Vp9Payloader {
    fn payload(&mut self, frame: &[u8], max_payload: usize, out: &mut Payloads) -> Result<(), CodecError> {
        out.clear();
        if frame.is_empty() {
            return Err(CodecError::EmptyFrame);
        }
        let key = is_vp9_keyframe(frame);
        // I, picture id (2), plus V and the SS byte on a keyframe's first packet
        let first_desc = if key { 5 } else { 3 };
        if max_payload <= first_desc {
            return Err(CodecError::MaxPayloadTooSmall {
                max: max_payload,
                needed: first_desc + 1,
            });
        }
        let pid = [0x80 | (self.picture_id >> 8) as u8, self.picture_id as u8];
        let mut rest = frame;
        let mut first = true;
        while !rest.is_empty() {
            let desc_len = if first { first_desc } else { 3 };
            let (chunk, tail) = rest.split_at(rest.len().min(max_payload - desc_len));
            rest = tail;
            let mut b0 = 0x80; // I
            if !key {
                b0 |= 0x40; // P
            }
            if first {
                b0 |= 0x08; // B
            }
            if rest.is_empty() {
                b0 |= 0x04; // E
            }
            if first && key {
                b0 |= 0x02; // V
            }
            out.put(&[b0, pid[0], pid[1]]);
            if first && key {
                out.put(&[0x00]); // SS: N_S = 0 (one layer), Y = 0, G = 0
            }
            out.put(chunk);
            out.finish(rest.is_empty(), 0);
            first = false;
        }
        self.picture_id = (self.picture_id + 1) & 0x7FFF;
        Ok(())
    }
}

/// VP9 depayloader: strips descriptors and concatenates the layer frames of a picture (one RTP timestamp).
#[derive(Debug, Clone, Default)]
pub struct Vp9Depayloader {
    asm: Assembler,
}

impl Vp9Depayloader {
    /// A depayloader with the default frame-size bound.
    pub fn new() -> Self {
        Self::default()
    }
}

impl FrameBoundary for Vp9Depayloader {
    fn boundary(&self, payload: &[u8], marker: bool) -> Result<Boundary, CodecError> {
        inspect(payload, marker).map(|(b, _)| b)
    }
}

impl Depayloader for Vp9Depayloader {
    fn push(&mut self, packet: PayloadPacket<'_>) -> Result<Depayloaded<'_>, CodecError> {
        self.asm
            .push_after_descriptor(&packet, inspect(packet.payload, packet.marker))
    }

    fn reset(&mut self) {
        self.asm.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloader_round_trip() {
        let key: Vec<u8> = [0x82, 0x49, 0x83, 0x42, 0x00]
            .into_iter()
            .chain((0..2500u32).map(|i| i as u8))
            .collect();
        let delta: Vec<u8> = [0x86, 0x00]
            .into_iter()
            .chain((0..900u32).map(|i| (i * 3) as u8))
            .collect();
        assert!(is_vp9_keyframe(&key) && !is_vp9_keyframe(&delta));
        let mut pay = Vp9Payloader::with_picture_id(0x7FFF);
        let mut d = Vp9Depayloader::new();
        let mut out = Payloads::new();
        let mut seq = 0u16;
        for (ts, frame) in [(0u32, &key), (3000, &delta)] {
            pay.payload(frame, 1200, &mut out).unwrap();
            let mut got = None;
            for p in out.iter() {
                assert!(p.data.len() <= 1200);
                seq += 1;
                let r = d
                    .push(PayloadPacket {
                        sequence_number: seq,
                        timestamp: ts,
                        marker: p.marker,
                        payload: p.data,
                    })
                    .unwrap();
                got = r.frame.map(|f| (f.data.to_vec(), f.keyframe)).or(got);
            }
            assert_eq!(got, Some((frame.clone(), ts == 0)));
        }
        let first = Vp9Descriptor::parse(out.get(0).unwrap().data).unwrap();
        assert_eq!(first.picture_id, Some(0));
    }

    #[test]
    fn non_flexible_keyframe_with_ss() {
        // I L B E V | M pid 0x0102 | TID0 U0 SID0 D0 | TL0 7 | SS: N_S=0 Y G | 640x480 | N_G=1 | TID0 R1 | pdiff 1
        let p = [
            0xAE, 0x81, 0x02, 0x00, 7, 0x18, 0x02, 0x80, 0x01, 0xE0, 1, 0x04, 0x01, 0xAA,
        ];
        let d = Vp9Descriptor::parse(&p).unwrap();
        assert_eq!(d.picture_id, Some(0x0102));
        assert_eq!((d.tid, d.sid, d.tl0_pic_idx), (Some(0), Some(0), Some(7)));
        assert_eq!(d.ss_spatial_layers, Some(1));
        assert_eq!(d.len, 13);
        assert!(d.is_keyframe());
        let b = Vp9Depayloader::new().boundary(&p, true).unwrap();
        assert!(b.frame_start && b.frame_end && b.keyframe);
    }

    #[test]
    fn flexible_delta_frame() {
        // I P L F B | 7-bit pid 5 | TID1 SID1 | pdiff 1 (N) pdiff 2
        let p = [0xF8, 0x05, 0x22, 0x03, 0x04, 0xBB];
        let d = Vp9Descriptor::parse(&p).unwrap();
        assert_eq!((d.num_pdiff, d.p_diff[0], d.p_diff[1]), (2, 1, 2));
        assert_eq!(d.sid, Some(1));
        assert!(!d.is_picture_start() && !d.is_keyframe());
        let four = [0xD0, 0x03, 0x03, 0x03, 0x03, 0x02, 0];
        assert!(matches!(
            Vp9Descriptor::parse(&four),
            Err(CodecError::BadVp9Descriptor(_))
        ));
        assert!(matches!(
            Vp9Descriptor::parse(&[0x02, 0x10]),
            Err(CodecError::TooShort { .. })
        ));
    }
}
