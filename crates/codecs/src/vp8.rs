//! VP8 over RTP (RFC 7741): the payload descriptor, a payloader and a depayloader.
//!
//! ```text
//!  0 1 2 3 4 5 6 7
//! +-+-+-+-+-+-+-+-+
//! |X|R|N|S|R| PID | (required)
//! +-+-+-+-+-+-+-+-+
//! |I|L|T|K| RSV   | (X)
//! +-+-+-+-+-+-+-+-+
//! |M| PictureID   | (I; 15 bits when M)
//! +-+-+-+-+-+-+-+-+
//! |   TL0PICIDX   | (L)
//! +-+-+-+-+-+-+-+-+
//! |TID|Y| KEYIDX  | (T or K)
//! +-+-+-+-+-+-+-+-+
//! ```

use crate::payload::{Assembler, Boundary, Depayloaded, FrameBoundary, PayloadPacket, Payloader, Payloads};
use crate::{CodecError, Depayloader};

/// A parsed VP8 payload descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[allow(clippy::struct_excessive_bools)] // one field per descriptor bit
pub struct Vp8Descriptor {
    /// N: the frame is not used as a reference.
    pub non_reference: bool,
    /// S: the packet starts a VP8 partition.
    pub start_of_partition: bool,
    /// PID: the partition index.
    pub partition_id: u8,
    /// Picture ID (7 or 15 bits), when I is set.
    pub picture_id: Option<u16>,
    /// True when the picture ID is the 15-bit form (M set).
    pub picture_id_15bit: bool,
    /// TL0PICIDX, when L is set.
    pub tl0_pic_idx: Option<u8>,
    /// TID (temporal layer index), when T is set.
    pub tid: Option<u8>,
    /// Y (layer sync), meaningful when T is set.
    pub layer_sync: bool,
    /// KEYIDX, when K is set.
    pub key_idx: Option<u8>,
    /// Bytes the descriptor takes.
    pub len: usize,
}

fn short(needed: usize, got: usize) -> CodecError {
    CodecError::TooShort {
        what: "VP8 payload descriptor",
        needed,
        got,
    }
}

impl Vp8Descriptor {
    /// Parses the descriptor at the start of an RTP payload.
    pub fn parse(buf: &[u8]) -> Result<Self, CodecError> {
        let at = |i: usize| buf.get(i).copied().ok_or(short(i + 1, buf.len()));
        let b0 = at(0)?;
        let mut desc = Self {
            non_reference: b0 & 0x20 != 0,
            start_of_partition: b0 & 0x10 != 0,
            partition_id: b0 & 0x07,
            ..Self::default()
        };
        let mut i = 1;
        if b0 & 0x80 != 0 {
            let x = at(i)?;
            i += 1;
            if x & 0x80 != 0 {
                let m = at(i)?;
                if m & 0x80 != 0 {
                    desc.picture_id = Some(u16::from_be_bytes([m & 0x7F, at(i + 1)?]));
                    desc.picture_id_15bit = true;
                    i += 2;
                } else {
                    desc.picture_id = Some(u16::from(m));
                    i += 1;
                }
            }
            if x & 0x40 != 0 {
                desc.tl0_pic_idx = Some(at(i)?);
                i += 1;
            }
            if x & 0x30 != 0 {
                let t = at(i)?;
                i += 1;
                if x & 0x20 != 0 {
                    desc.tid = Some(t >> 6);
                    desc.layer_sync = t & 0x20 != 0;
                }
                if x & 0x10 != 0 {
                    desc.key_idx = Some(t & 0x1F);
                }
            }
        }
        desc.len = i;
        Ok(desc)
    }

    /// True when the packet starts a frame: S set on partition 0.
    pub fn is_frame_start(&self) -> bool {
        self.start_of_partition && self.partition_id == 0
    }
}

/// Reads the VP8 boundary of a payload and returns it with the descriptor length.
fn inspect(payload: &[u8], marker: bool) -> Result<(Boundary, usize), CodecError> {
    let d = Vp8Descriptor::parse(payload)?;
    let data = &payload[d.len..];
    let Some(&first) = data.first() else {
        return Err(CodecError::EmptyPayload);
    };
    let frame_start = d.is_frame_start();
    Ok((
        Boundary {
            frame_start,
            frame_end: marker,
            layer_end: marker,
            // VP8 payload header (RFC 6386 §9.1): P (bit 0 of the first byte) is 0 on a key frame
            keyframe: frame_start && first & 0x01 == 0,
        },
        d.len,
    ))
}

/// Splits VP8 frames into RTP payloads of near-equal size, each with a descriptor carrying S/PID and,
/// by default, a 15-bit picture ID that advances with every frame.
#[derive(Debug, Clone, Copy)]
pub struct Vp8Payloader {
    picture_id: Option<u16>,
}

impl Default for Vp8Payloader {
    fn default() -> Self {
        Self::new()
    }
}

impl Vp8Payloader {
    /// A payloader writing 15-bit picture IDs starting at 0.
    pub fn new() -> Self {
        Self { picture_id: Some(0) }
    }

    /// A payloader writing 15-bit picture IDs starting at `first` (masked to 15 bits).
    pub fn with_picture_id(first: u16) -> Self {
        Self {
            picture_id: Some(first & 0x7FFF),
        }
    }

    /// A payloader writing the 1-byte descriptor only (no picture ID).
    pub fn without_picture_id() -> Self {
        Self { picture_id: None }
    }

    /// The picture ID the next frame gets.
    pub fn next_picture_id(&self) -> Option<u16> {
        self.picture_id
    }
}

impl Payloader for Vp8Payloader {
    fn payload(&mut self, frame: &[u8], max_payload: usize, out: &mut Payloads) -> Result<(), CodecError> {
        out.clear();
        if frame.is_empty() {
            return Err(CodecError::EmptyFrame);
        }
        let mut desc = [0u8; 4];
        let desc_len = match self.picture_id {
            Some(pid) => {
                desc[0] = 0x80;
                desc[1] = 0x80;
                desc[2] = 0x80 | (pid >> 8) as u8;
                desc[3] = pid as u8;
                4
            }
            None => 1,
        };
        let room = max_payload.saturating_sub(desc_len);
        if room == 0 {
            return Err(CodecError::MaxPayloadTooSmall {
                max: max_payload,
                needed: desc_len + 1,
            });
        }
        // near-equal packets: n = ceil(len / room), the first `extra` ones one byte longer
        let n = frame.len().div_ceil(room);
        let (base, extra) = (frame.len() / n, frame.len() % n);
        let mut rest = frame;
        for i in 0..n {
            let take = base + usize::from(i < extra);
            let (chunk, tail) = rest.split_at(take);
            rest = tail;
            desc[0] = (desc[0] & 0x80) | if i == 0 { 0x10 } else { 0 };
            out.put(&desc[..desc_len]);
            out.put(chunk);
            out.finish(i + 1 == n, 0);
        }
        if let Some(pid) = &mut self.picture_id {
            *pid = pid.wrapping_add(1) & 0x7FFF;
        }
        Ok(())
    }
}

/// VP8 depayloader: strips descriptors and concatenates the partitions of a frame.
#[derive(Debug, Clone, Default)]
pub struct Vp8Depayloader {
    asm: Assembler,
}

impl Vp8Depayloader {
    /// A depayloader with the default frame-size bound.
    pub fn new() -> Self {
        Self::default()
    }

    /// A depayloader that drops frames larger than `max_frame_size` bytes.
    pub fn with_max_frame_size(max_frame_size: usize) -> Self {
        Self {
            asm: Assembler::new(max_frame_size),
        }
    }
}

impl FrameBoundary for Vp8Depayloader {
    fn boundary(&self, payload: &[u8], marker: bool) -> Result<Boundary, CodecError> {
        inspect(payload, marker).map(|(b, _)| b)
    }
}

impl Depayloader for Vp8Depayloader {
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
    fn parses_every_extension() {
        // X S PID=0 | I L T K | M pid 0x1234 | TL0PICIDX 5 | TID 2 Y KEYIDX 3
        let p = [0x90, 0xF0, 0x92, 0x34, 5, 0b1010_0011, 0x9D];
        let d = Vp8Descriptor::parse(&p).unwrap();
        assert!(d.start_of_partition && d.is_frame_start());
        assert_eq!(d.picture_id, Some(0x1234));
        assert!(d.picture_id_15bit);
        assert_eq!(d.tl0_pic_idx, Some(5));
        assert_eq!(d.tid, Some(2));
        assert!(d.layer_sync);
        assert_eq!(d.key_idx, Some(3));
        assert_eq!(d.len, 6);
        let b = Vp8Depayloader::new().boundary(&p, true).unwrap();
        assert!(b.frame_start && b.frame_end && !b.keyframe); // 0x9D has P = 1
        // 7-bit picture id
        let d = Vp8Descriptor::parse(&[0x80, 0x80, 0x11, 0x00]).unwrap();
        assert_eq!((d.picture_id, d.picture_id_15bit, d.len), (Some(0x11), false, 3));
        assert!(!d.is_frame_start());
    }

    #[test]
    fn truncated_descriptors_are_errors() {
        for p in [
            &[][..],
            &[0x80],
            &[0x80, 0x80],
            &[0x80, 0x80, 0x80],
            &[0x80, 0x40],
            &[0x80, 0x20],
        ] {
            assert!(
                matches!(Vp8Descriptor::parse(p), Err(CodecError::TooShort { .. })),
                "{p:?}"
            );
        }
        assert_eq!(
            Vp8Depayloader::new().boundary(&[0x10], true),
            Err(CodecError::EmptyPayload)
        );
    }

    #[test]
    fn payloader_splits_evenly_and_round_trips() {
        let frame: Vec<u8> = (0..3000u32).map(|i| (i * 7) as u8 & 0xFE).collect();
        let mut pay = Vp8Payloader::with_picture_id(0x7FFF);
        let mut out = Payloads::new();
        pay.payload(&frame, 1200, &mut out).unwrap();
        assert_eq!(out.len(), 3);
        assert_eq!(pay.next_picture_id(), Some(0));
        let mut d = Vp8Depayloader::new();
        let mut got = None;
        for (i, p) in out.iter().enumerate() {
            assert!(p.data.len() <= 1200);
            assert_eq!(p.marker, i == 2);
            let desc = Vp8Descriptor::parse(p.data).unwrap();
            assert_eq!(desc.picture_id, Some(0x7FFF));
            assert_eq!(desc.start_of_partition, i == 0);
            let r = d
                .push(PayloadPacket {
                    sequence_number: 65534u16.wrapping_add(i as u16),
                    timestamp: 3000,
                    marker: p.marker,
                    payload: p.data,
                })
                .unwrap();
            assert!(r.incomplete.is_none());
            if let Some(f) = r.frame {
                got = Some((f.data.to_vec(), f.keyframe));
            }
        }
        assert_eq!(got, Some((frame, true)));
    }

    #[test]
    fn missing_middle_packet_is_incomplete() {
        let frame = vec![0u8; 3000];
        let mut out = Payloads::new();
        Vp8Payloader::new().payload(&frame, 1200, &mut out).unwrap();
        let mut d = Vp8Depayloader::new();
        let pk = |i: usize, seq: u16, ts: u32| {
            let p = out.get(i).unwrap();
            PayloadPacket {
                sequence_number: seq,
                timestamp: ts,
                marker: p.marker,
                payload: p.data,
            }
        };
        assert_eq!(d.push(pk(0, 1, 90)).unwrap(), Depayloaded::default());
        let r = d.push(pk(2, 3, 90)).unwrap();
        assert_eq!(r.incomplete, Some(crate::IncompleteFrame { timestamp: 90 }));
        assert!(r.frame.is_none());
        // the next frame is whole again
        d.push(pk(0, 4, 180)).unwrap();
        d.push(pk(1, 5, 180)).unwrap();
        let r = d.push(pk(2, 6, 180)).unwrap();
        assert_eq!(r.frame.map(|f| f.data.len()), Some(3000));
    }
}
