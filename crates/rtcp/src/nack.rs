//! Generic NACK (RFC 4585 §6.2.1): lost RTP sequence numbers as (PID, BLP) pairs, and conversion both
//! ways between a list of lost sequence numbers and the fewest pairs that cover it.

use crate::error::RtcpError;
use crate::fb::{Feedback, rtpfb_fmt, write_feedback_header};
use crate::header::{HEADER_LEN, WriteRtcp, packet_type, rd16, wr16};

/// One NACK item: a lost packet id and a bitmask of the 16 following ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NackItem {
    /// Sequence number of a lost packet.
    pub pid: u16,
    /// Bit `i` set: `pid + i + 1` is lost too.
    pub blp: u16,
}

impl NackItem {
    /// Every sequence number this item reports lost, in order (wrapping past 65535).
    pub fn lost(self) -> impl Iterator<Item = u16> {
        core::iter::once(self.pid).chain(
            (0u16..16)
                .filter(move |i| self.blp & (1 << i) != 0)
                .map(move |i| self.pid.wrapping_add(i + 1)),
        )
    }
}

/// A received generic NACK: a view over the packet bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nack<'a> {
    fb: Feedback<'a>,
}

impl<'a> Nack<'a> {
    /// Interprets an RTPFB packet with FMT 1.
    pub fn parse(fb: Feedback<'a>) -> Result<Self, RtcpError> {
        let len = fb.fci().len();
        if len == 0 || !len.is_multiple_of(4) {
            return Err(RtcpError::BadBodyLength {
                packet: "NACK FCI",
                len,
            });
        }
        Ok(Self { fb })
    }

    /// The feedback header (sender and media SSRC, raw bytes).
    pub fn feedback(&self) -> Feedback<'a> {
        self.fb
    }

    /// SSRC of the packet sender.
    pub fn sender_ssrc(&self) -> u32 {
        self.fb.sender_ssrc()
    }

    /// SSRC of the media source with losses.
    pub fn media_ssrc(&self) -> u32 {
        self.fb.media_ssrc()
    }

    /// The (PID, BLP) items.
    pub fn items(&self) -> impl ExactSizeIterator<Item = NackItem> + 'a {
        self.fb.fci().chunks_exact(4).map(|c| NackItem {
            pid: rd16(c, 0),
            blp: rd16(c, 2),
        })
    }

    /// Every sequence number reported lost, item by item.
    pub fn lost(&self) -> impl Iterator<Item = u16> + 'a {
        self.items().flat_map(NackItem::lost)
    }
}

/// An outgoing generic NACK.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NackBuilder<'a> {
    /// SSRC of the packet sender.
    pub sender_ssrc: u32,
    /// SSRC of the media source with losses.
    pub media_ssrc: u32,
    /// At least one item (see [`nack_items`]).
    pub items: &'a [NackItem],
}

impl WriteRtcp for NackBuilder<'_> {
    fn encoded_len(&self) -> usize {
        HEADER_LEN + 8 + 4 * self.items.len()
    }

    fn write(&self, out: &mut [u8]) -> Result<usize, RtcpError> {
        if self.items.is_empty() {
            return Err(RtcpError::BadBodyLength {
                packet: "NACK FCI",
                len: 0,
            });
        }
        let len = self.encoded_len();
        write_feedback_header(
            out,
            packet_type::RTPFB,
            rtpfb_fmt::NACK,
            self.sender_ssrc,
            self.media_ssrc,
            len,
        )?;
        for (i, item) in self.items.iter().enumerate() {
            wr16(out, 12 + 4 * i, item.pid);
            wr16(out, 14 + 4 * i, item.blp);
        }
        Ok(len)
    }
}

/// The fewest NACK items covering the sequence numbers in `lost`, which may be in any order, hold
/// duplicates and wrap past 65535.
///
/// Sorts and de-duplicates `lost` in place (the returned iterator borrows the result), then starts at the
/// number after the largest circular gap, so that a list like `[65534, 65535, 0, 1]` is one item. Greedy
/// covering from there is minimal whenever the lost numbers span less than 65536 - 16 (any real loss
/// list). Allocates nothing. Afterwards `lost` starts with the de-duplicated numbers in covering order
/// ([`NackItems::sequence_numbers`]); what follows them is unspecified.
pub fn nack_items(lost: &mut [u16]) -> NackItems<'_> {
    lost.sort_unstable();
    // De-duplicate in place.
    let mut n = 0;
    for i in 0..lost.len() {
        if n == 0 || lost[n - 1] != lost[i] {
            lost[n] = lost[i];
            n += 1;
        }
    }
    let seqs = &mut lost[..n];
    if n > 1 {
        // Largest gap between neighbours, the wrap-around gap (last -> first) included.
        let mut start = 0;
        let mut widest = u32::from(seqs[0]) + 65536 - u32::from(seqs[n - 1]);
        for i in 1..n {
            let gap = u32::from(seqs[i] - seqs[i - 1]);
            if gap > widest {
                widest = gap;
                start = i;
            }
        }
        seqs.rotate_left(start);
    }
    NackItems { seqs, pos: 0 }
}

/// Iterates over the NACK items covering a sorted list of lost sequence numbers (see [`nack_items`]).
#[derive(Debug)]
pub struct NackItems<'a> {
    seqs: &'a [u16],
    pos: usize,
}

impl NackItems<'_> {
    /// The lost sequence numbers in the order they are covered (sorted, de-duplicated, wrap-aware).
    pub fn sequence_numbers(&self) -> &[u16] {
        self.seqs
    }
}

impl Iterator for NackItems<'_> {
    type Item = NackItem;
    fn next(&mut self) -> Option<NackItem> {
        let pid = *self.seqs.get(self.pos)?;
        self.pos += 1;
        let mut blp = 0u16;
        while let Some(&s) = self.seqs.get(self.pos) {
            let d = s.wrapping_sub(pid);
            if !(1..=16).contains(&d) {
                break;
            }
            blp |= 1 << (d - 1);
            self.pos += 1;
        }
        Some(NackItem { pid, blp })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::RawPacket;

    #[test]
    fn chromium_capture_nack() {
        // aiortc -> Chromium after a dropped VP8 packet.
        let bytes = [
            0x81, 0xcd, 0, 3, 0xeb, 0xc9, 0x5d, 0x16, 0x33, 0x78, 0x4d, 0x2c, 0x68, 0xd6, 0, 0,
        ];
        let nack = Nack::parse(Feedback::parse(RawPacket::parse(&bytes).unwrap()).unwrap()).unwrap();
        assert_eq!((nack.sender_ssrc(), nack.media_ssrc()), (0xebc9_5d16, 0x3378_4d2c));
        assert!(nack.lost().eq([26838]));
        let items: Vec<_> = nack.items().collect();
        let b = NackBuilder {
            sender_ssrc: nack.sender_ssrc(),
            media_ssrc: nack.media_ssrc(),
            items: &items,
        };
        let mut out = [0u8; 16];
        assert_eq!(b.write(&mut out), Ok(16));
        assert_eq!(out, bytes);
    }

    #[test]
    fn items_from_lost_wrap_around() {
        let mut lost = [1, 65535, 0, 65534, 65534, 20];
        let items: Vec<_> = nack_items(&mut lost).collect();
        assert_eq!(
            items,
            vec![NackItem { pid: 65534, blp: 0b111 }, NackItem { pid: 20, blp: 0 }]
        );
        let back: Vec<u16> = items.iter().flat_map(|i| i.lost()).collect();
        assert_eq!(back, vec![65534, 65535, 0, 1, 20]);
    }

    #[test]
    fn seventeen_apart_needs_two_items() {
        let mut lost = [100, 116, 117];
        let items: Vec<_> = nack_items(&mut lost).collect();
        assert_eq!(
            items,
            vec![NackItem { pid: 100, blp: 1 << 15 }, NackItem { pid: 117, blp: 0 }]
        );
        assert_eq!(nack_items(&mut []).count(), 0);
    }

    #[test]
    fn bad_fci() {
        let bytes = [0x81, 0xcd, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2];
        let fb = Feedback::parse(RawPacket::parse(&bytes).unwrap()).unwrap();
        assert_eq!(
            Nack::parse(fb),
            Err(RtcpError::BadBodyLength {
                packet: "NACK FCI",
                len: 0
            })
        );
    }
}
