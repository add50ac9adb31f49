//! VP9 over RTP (RFC 9628): payload descriptor parsing (flexible and non-flexible modes, scalability
//! structure), keyframe detection, superframe splitting, a payloader for single-layer and spatially
//! scalable (SVC) streams, and a depayloader.
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
    /// Width and height of the highest spatial layer, when the scalability structure gives resolutions (Y).
    pub ss_top_resolution: Option<(u16, u16)>,
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
                let top = i + 4 * (usize::from(n_s) - 1);
                desc.ss_top_resolution = Some((
                    u16::from_be_bytes([at(top)?, at(top + 1)?]),
                    u16::from_be_bytes([at(top + 2)?, at(top + 3)?]),
                ));
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
            layer_end: marker || d.ends_frame,
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

/// Most frames a superframe index can list.
pub const MAX_SUPERFRAME_FRAMES: usize = 8;

/// The frames of a VP9 superframe (VP9 bitstream Annex B), or the one frame of data without an index.
#[derive(Debug, Clone, Copy)]
pub struct Superframe<'a> {
    frames: [&'a [u8]; MAX_SUPERFRAME_FRAMES],
    count: usize,
    indexed: bool,
}

impl<'a> Superframe<'a> {
    /// Splits `data` by its trailing superframe index; data without an index is one frame.
    ///
    /// Fails when the index's frame sizes are zero or overrun the data before the index.
    pub fn parse(data: &'a [u8]) -> Result<Self, CodecError> {
        let mut sf = Self {
            frames: [&[]; MAX_SUPERFRAME_FRAMES],
            count: 1,
            indexed: false,
        };
        sf.frames[0] = data;
        let Some(&marker) = data.last() else {
            return Err(CodecError::EmptyFrame);
        };
        if marker & 0xE0 != 0xC0 {
            return Ok(sf);
        }
        let count = usize::from(marker & 0x07) + 1;
        let size_bytes = usize::from((marker >> 3) & 0x03) + 1;
        let index_len = 2 + size_bytes * count;
        // the index is only an index when its first byte repeats the marker
        if data.len() < index_len || data[data.len() - index_len] != marker {
            return Ok(sf);
        }
        let payload_len = data.len() - index_len;
        let sizes = &data[payload_len + 1..data.len() - 1];
        let mut offset = 0usize;
        for (i, size) in sizes.chunks_exact(size_bytes).enumerate() {
            let len = size.iter().rev().fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            if len == 0 {
                return Err(CodecError::BadVp9Superframe("zero-length frame"));
            }
            let end = offset
                .checked_add(len)
                .filter(|&end| end <= payload_len)
                .ok_or(CodecError::BadVp9Superframe("frame sizes overrun the data"))?;
            sf.frames[i] = &data[offset..end];
            offset = end;
        }
        sf.count = count;
        sf.indexed = true;
        Ok(sf)
    }

    /// The frames, in decoding order.
    pub fn frames(&self) -> &[&'a [u8]] {
        &self.frames[..self.count]
    }

    /// True when the data carried a superframe index.
    pub fn has_index(&self) -> bool {
        self.indexed
    }
}

/// Most spatial layers a scalability structure can announce (`N_S` is 3 bits).
pub const MAX_SPATIAL_LAYERS: usize = 8;

/// Splits VP9 frames into RTP payloads in non-flexible mode, with a 15-bit picture ID advancing per picture,
/// B/E on the first/last packet of each layer frame, the marker on the last packet of a picture, P clear on
/// keyframes, and a scalability structure (V) on a keyframe's first packet.
///
/// - Single-layer (the default): each frame, superframe index and all, is one layer frame; the
///   scalability structure announces one spatial layer without resolution.
/// - Spatially scalable ([`Vp9Payloader::scalable`]): each frame is a superframe holding one frame per
///   spatial layer, lowest first (what libvpx's SVC encoder makes); each layer frame is sent on its own with
///   the layer indices (L: SID, TID 0, D set above the base layer, Z on the top layer) and a TL0PICIDX, and
///   the scalability structure gives every layer's resolution. A superframe with fewer frames than layers is
///   a picture whose top layers were dropped.
#[derive(Debug, Clone, Copy, Default)]
pub struct Vp9Payloader {
    picture_id: u16,
    tl0_pic_idx: u8,
    /// Spatial layers of a scalable stream; 0 in single-layer mode.
    layers: u8,
    resolutions: [(u16, u16); MAX_SPATIAL_LAYERS],
}

impl Vp9Payloader {
    /// A single-layer payloader whose first picture ID is `first` (masked to 15 bits).
    pub fn with_picture_id(first: u16) -> Self {
        Self {
            picture_id: first & 0x7FFF,
            ..Self::default()
        }
    }

    /// A payloader for a spatially scalable stream with one layer per entry of `resolutions` (width,
    /// height), lowest first, 1 to 8 layers.
    pub fn scalable(resolutions: &[(u16, u16)]) -> Result<Self, CodecError> {
        if resolutions.is_empty() || resolutions.len() > MAX_SPATIAL_LAYERS {
            return Err(CodecError::BadVp9Descriptor(
                "a scalability structure has 1 to 8 spatial layers",
            ));
        }
        let mut p = Self {
            layers: resolutions.len() as u8,
            ..Self::default()
        };
        p.resolutions[..resolutions.len()].copy_from_slice(resolutions);
        Ok(p)
    }

    /// Announces new layer resolutions from the next keyframe on (after the encoder changed size), keeping
    /// the picture ID and TL0PICIDX running. The layer count may change too; 1 to 8 layers.
    pub fn set_resolutions(&mut self, resolutions: &[(u16, u16)]) -> Result<(), CodecError> {
        let fresh = Self::scalable(resolutions)?;
        self.layers = fresh.layers;
        self.resolutions = fresh.resolutions;
        Ok(())
    }

    /// Spatial layers of a scalable payloader (0 for single-layer).
    pub fn spatial_layers(&self) -> u8 {
        self.layers
    }

    fn payload_single(&self, frame: &[u8], max_payload: usize, out: &mut Payloads) -> Result<(), CodecError> {
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
        Ok(())
    }

    fn payload_scalable(&self, frame: &[u8], max_payload: usize, out: &mut Payloads) -> Result<(), CodecError> {
        let sf = Superframe::parse(frame)?;
        let frames = sf.frames();
        if frames.len() > usize::from(self.layers) {
            return Err(CodecError::BadVp9Superframe("more frames than spatial layers"));
        }
        let key = is_vp9_keyframe(frames[0]);
        let layers = usize::from(self.layers);
        // I + picture id (2) + L + TL0PICIDX; V adds N_S/Y/G and 4 bytes per layer
        let ss_len = 1 + 4 * layers;
        let first_desc = 5 + if key { ss_len } else { 0 };
        if max_payload <= first_desc {
            return Err(CodecError::MaxPayloadTooSmall {
                max: max_payload,
                needed: first_desc + 1,
            });
        }
        let pid = [0x80 | (self.picture_id >> 8) as u8, self.picture_id as u8];
        let top = frames.len() - 1;
        for (sid, layer) in frames.iter().enumerate() {
            let mut rest: &[u8] = layer;
            let mut first = true;
            // L: TID 0, U 0, SID, D (inter-layer dependency above the base layer)
            let l = ((sid as u8) << 1) | u8::from(sid > 0);
            while !rest.is_empty() {
                let with_ss = first && key && sid == 0;
                let desc_len = if with_ss { first_desc } else { 5 };
                let (chunk, tail) = rest.split_at(rest.len().min(max_payload - desc_len));
                rest = tail;
                let mut b0 = 0xA0; // I, L
                if !key {
                    b0 |= 0x40; // P
                }
                if first {
                    b0 |= 0x08; // B
                }
                if rest.is_empty() {
                    b0 |= 0x04; // E
                }
                if with_ss {
                    b0 |= 0x02; // V
                }
                if sid == top {
                    b0 |= 0x01; // Z: no higher layer predicts from this one
                }
                out.put(&[b0, pid[0], pid[1], l, self.tl0_pic_idx]);
                if with_ss {
                    out.put(&[(((layers - 1) as u8) << 5) | 0x10]); // N_S, Y = 1, G = 0
                    for &(w, h) in &self.resolutions[..layers] {
                        let [w0, w1] = w.to_be_bytes();
                        let [h0, h1] = h.to_be_bytes();
                        out.put(&[w0, w1, h0, h1]);
                    }
                }
                out.put(chunk);
                out.finish(rest.is_empty() && sid == top, 0);
                first = false;
            }
        }
        Ok(())
    }
}

impl Payloader for Vp9Payloader {
    fn payload(&mut self, frame: &[u8], max_payload: usize, out: &mut Payloads) -> Result<(), CodecError> {
        out.clear();
        if frame.is_empty() {
            return Err(CodecError::EmptyFrame);
        }
        let result = if self.layers == 0 {
            self.payload_single(frame, max_payload, out)
        } else {
            self.payload_scalable(frame, max_payload, out)
        };
        if result.is_err() {
            out.clear();
        }
        result?;
        self.picture_id = (self.picture_id + 1) & 0x7FFF;
        // every picture is temporal layer 0, so TL0PICIDX advances with each
        self.tl0_pic_idx = self.tl0_pic_idx.wrapping_add(1);
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

    /// A depayloader that drops pictures larger than `max_frame_size` bytes.
    pub fn with_max_frame_size(max_frame_size: usize) -> Self {
        Self {
            asm: Assembler::new(max_frame_size),
        }
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

    fn finish(&mut self) -> Depayloaded<'_> {
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
        assert_eq!(d.ss_top_resolution, Some((640, 480)));
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

    /// A superframe of `frames` with a `size_bytes`-byte index (VP9 Annex B).
    fn superframe(frames: &[&[u8]], size_bytes: usize) -> Vec<u8> {
        let marker = 0xC0 | (((size_bytes - 1) as u8) << 3) | (frames.len() - 1) as u8;
        let mut out: Vec<u8> = frames.concat();
        out.push(marker);
        for f in frames {
            out.extend_from_slice(&f.len().to_le_bytes()[..size_bytes]);
        }
        out.push(marker);
        out
    }

    #[test]
    fn superframe_index_splits_frames() {
        let (a, b, c) = (vec![0x82; 300], vec![0x86; 5], vec![0x86; 70_000]);
        let data = superframe(&[&a, &b], 2);
        let sf = Superframe::parse(&data).unwrap();
        assert!(sf.has_index());
        assert_eq!(sf.frames(), [&a[..], &b[..]]);
        let data = superframe(&[&a, &b, &c], 3);
        assert_eq!(Superframe::parse(&data).unwrap().frames().len(), 3);
        // one frame with an index is still indexed
        let data = superframe(&[&b], 1);
        let sf = Superframe::parse(&data).unwrap();
        assert!(sf.has_index());
        assert_eq!(sf.frames(), [&b[..]]);
        // a last byte that looks like a marker without a matching first index byte is frame data
        let plain = [0x86, 0x00, 0x11, 0xC1];
        let sf = Superframe::parse(&plain).unwrap();
        assert!(!sf.has_index());
        assert_eq!(sf.frames(), [&plain[..]]);
    }

    #[test]
    fn bad_superframe_indexes_are_errors() {
        let mut data = superframe(&[&[0x82; 10], &[0x86; 10]], 1);
        let at = data.len() - 2; // the second size
        data[at] = 11; // 10 + 11 > 20 bytes of frames
        assert!(matches!(Superframe::parse(&data), Err(CodecError::BadVp9Superframe(_))));
        data[at] = 0;
        assert!(matches!(Superframe::parse(&data), Err(CodecError::BadVp9Superframe(_))));
        assert!(matches!(Superframe::parse(&[]), Err(CodecError::EmptyFrame)));
    }

    #[test]
    fn scalable_payloader_marks_layers() {
        let key = superframe(
            &[&[0x82, 0x49, 0x83, 0x42, 0x00, 1, 2, 3], &[0x86, 0x00, 4, 5, 6, 7]],
            1,
        );
        let mut pay = Vp9Payloader::scalable(&[(320, 180), (640, 360)]).unwrap();
        assert_eq!(pay.spatial_layers(), 2);
        let mut out = Payloads::new();
        pay.payload(&key, 1200, &mut out).unwrap();
        assert_eq!(out.len(), 2);
        let first = out.get(0).unwrap();
        // I L B E V | pid 0 | SID 0 | TL0 0 | N_S=1 Y | 320x180 | 640x360 | frame
        assert_eq!(
            first.data,
            [
                0xAE, 0x80, 0x00, 0x00, 0x00, 0x30, 0x01, 0x40, 0x00, 0xB4, 0x02, 0x80, 0x01, 0x68, 0x82, 0x49, 0x83,
                0x42, 0x00, 1, 2, 3
            ]
        );
        assert!(!first.marker);
        let second = out.get(1).unwrap();
        // I L B E Z | pid 0 | SID 1 D | TL0 0 | frame
        assert_eq!(second.data, [0xAD, 0x80, 0x00, 0x03, 0x00, 0x86, 0x00, 4, 5, 6, 7]);
        assert!(second.marker);

        // the next picture: inter-predicted, pid and TL0PICIDX advance, no SS
        let delta = superframe(&[&[0x86, 0x00, 9], &[0x86, 0x00, 8]], 1);
        pay.payload(&delta, 1200, &mut out).unwrap();
        assert_eq!(&out.get(0).unwrap().data[..5], [0xEC, 0x80, 0x01, 0x00, 0x01]);
        // more frames than layers, or a budget below the descriptor: refused, nothing left in `out`
        let three = superframe(&[&[0x86, 0], &[0x86, 0], &[0x86, 0]], 1);
        assert!(matches!(
            pay.payload(&three, 1200, &mut out),
            Err(CodecError::BadVp9Superframe(_))
        ));
        assert!(out.is_empty());
        assert!(matches!(
            pay.payload(&key, 14, &mut out),
            Err(CodecError::MaxPayloadTooSmall { max: 14, needed: 15 })
        ));
        // after a size change the next keyframe announces the new sizes; the picture ID runs on
        pay.set_resolutions(&[(160, 90), (320, 180), (640, 360)]).unwrap();
        let key3 = superframe(&[&[0x82, 0x49, 0x83, 0x42, 0x00, 1], &[0x86, 0, 2], &[0x86, 0, 3]], 1);
        pay.payload(&key3, 1200, &mut out).unwrap();
        let d = Vp9Descriptor::parse(out.get(0).unwrap().data).unwrap();
        assert_eq!((d.ss_spatial_layers, d.ss_top_resolution), (Some(3), Some((640, 360))));
        assert_eq!(d.picture_id, Some(2));
        assert!(pay.set_resolutions(&[]).is_err());
        assert_eq!(pay.spatial_layers(), 3);
        assert!(Vp9Payloader::scalable(&[]).is_err());
        assert!(Vp9Payloader::scalable(&[(1, 1); 9]).is_err());
    }

    #[test]
    fn picture_without_its_upper_layer_ends_at_the_next_timestamp() {
        // flexible mode, L: I L F B E | pid | TID/SID byte; P adds one P_DIFF
        let base = |pid: u8, p: bool| {
            let b0 = 0xBC | if p { 0x40 } else { 0 };
            let mut v = vec![b0, pid, 0x00];
            if p {
                v.push(0x02);
            }
            v.extend_from_slice(&[0xAA, 0xBB]);
            v
        };
        let top = |pid: u8| vec![0xFC, pid, 0x03, 0x02, 0xCC];
        let mut d = Vp9Depayloader::new();
        let mut push = |seq: u16, ts: u32, marker: bool, payload: &[u8]| {
            let r = d
                .push(PayloadPacket {
                    sequence_number: seq,
                    timestamp: ts,
                    marker,
                    payload,
                })
                .unwrap();
            (
                r.incomplete.map(|i| i.timestamp),
                r.previous.map(|f| (f.timestamp, f.data.to_vec())),
                r.frame.map(|f| (f.timestamp, f.data.to_vec())),
            )
        };
        // picture 1: base and top, marker on the top
        assert_eq!(push(1, 100, false, &base(1, false)), (None, None, None));
        assert_eq!(
            push(2, 100, true, &top(1)),
            (None, None, Some((100, vec![0xAA, 0xBB, 0xCC])))
        );
        // picture 2: the base only, no marker; known whole when picture 3 starts right after it
        assert_eq!(push(3, 200, false, &base(2, true)), (None, None, None));
        assert_eq!(
            push(4, 300, false, &base(3, true)),
            (None, Some((200, vec![0xAA, 0xBB])), None)
        );
        // picture 3 ends normally
        assert_eq!(
            push(5, 300, true, &top(3)),
            (None, None, Some((300, vec![0xAA, 0xBB, 0xCC])))
        );
        // picture 4 base only, then a gap: not known whole, reported incomplete
        assert_eq!(push(6, 400, false, &base(4, true)), (None, None, None));
        assert_eq!(push(8, 500, false, &base(5, true)).0, Some(400));
        // a base-only picture followed by a one-packet picture with its marker: both come out, in order
        let mut d = Vp9Depayloader::new();
        let first = d
            .push(PayloadPacket {
                sequence_number: 1,
                timestamp: 10,
                marker: false,
                payload: &base(1, false),
            })
            .unwrap();
        assert!(first.frame.is_none());
        let r = d
            .push(PayloadPacket {
                sequence_number: 2,
                timestamp: 20,
                marker: true,
                payload: &base(2, true),
            })
            .unwrap();
        assert_eq!(r.previous.map(|f| (f.timestamp, f.keyframe)), Some((10, true)));
        assert_eq!(r.frame.map(|f| (f.timestamp, f.keyframe)), Some((20, false)));

        // a malformed packet right after such a picture: the error comes first, the picture with the next call
        let mut d = Vp9Depayloader::new();
        let pk = |seq: u16, ts: u32, marker: bool, payload: &'static [u8]| PayloadPacket {
            sequence_number: seq,
            timestamp: ts,
            marker,
            payload,
        };
        let base_key: &'static [u8] = &[0xBC, 1, 0x00, 0xAA, 0xBB];
        let base_delta: &'static [u8] = &[0xFC, 2, 0x00, 0x02, 0xAA, 0xBB];
        assert!(d.push(pk(1, 10, false, base_key)).unwrap().frame.is_none());
        assert!(d.push(pk(2, 20, false, &[0x80])).is_err(), "descriptor cut short");
        let r = d.push(pk(3, 30, false, base_delta)).unwrap();
        assert_eq!(
            r.previous.map(|f| (f.timestamp, f.data.to_vec())),
            Some((10, vec![0xAA, 0xBB]))
        );

        // finish: a picture ending at a layer end comes out; anything else in progress is incomplete
        let r = d.finish();
        assert_eq!(r.frame.map(|f| (f.timestamp, f.keyframe)), Some((30, false)));
        assert!(r.previous.is_none() && r.incomplete.is_none());
        assert_eq!(d.finish(), Depayloaded::default(), "nothing left");
        let first_half: &'static [u8] = &[0xB8, 3, 0x00, 0x11]; // B without E
        assert!(d.push(pk(4, 40, false, first_half)).unwrap().frame.is_none());
        assert_eq!(d.finish().incomplete.map(|i| i.timestamp), Some(40));

        // padding after a base-only picture, whatever its timestamp, only keeps the count: the next picture
        // still ends the base-only one
        assert!(d.push(pk(5, 50, false, base_delta)).unwrap().frame.is_none());
        assert_eq!(d.push(pk(6, 1234, false, &[])).unwrap(), Depayloaded::default());
        let r = d.push(pk(7, 60, true, base_key)).unwrap();
        assert_eq!(r.previous.map(|f| f.timestamp), Some(50));
        assert_eq!((r.incomplete, r.frame.map(|f| f.timestamp)), (None, Some(60)));
        // padding inside a picture keeps it whole
        assert!(d.push(pk(8, 70, false, first_half)).unwrap().frame.is_none());
        assert_eq!(d.push(pk(9, 5, false, &[])).unwrap(), Depayloaded::default());
        let end: &'static [u8] = &[0xB4, 3, 0x00, 0x22]; // I L F E, same layer
        let r = d.push(pk(10, 70, true, end)).unwrap();
        assert_eq!(r.frame.map(|f| f.data.to_vec()), Some(vec![0x11, 0x22]));
    }
}
