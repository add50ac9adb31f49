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
/// duplicates and wrap past 65535 (a jitter buffer's loss list can be passed as it is).
///
/// `lost` is only read. Items come out oldest first: numbering starts at the oldest lost number, so that
/// `[0, 65535, 1, 65534]` is one item starting at 65534. That order is defined while the numbers lie within
/// half the sequence space (any real loss list); a wider spread has no oldest number and is covered in
/// plain numeric order, still exactly, perhaps with one item more than the minimum at 65535 → 0. Greedy
/// covering from the oldest number is minimal.
///
/// Allocates nothing; each item costs one pass over `lost`.
pub fn nack_items(lost: &[u16]) -> NackItems<'_> {
    NackItems {
        lost,
        oldest: oldest(lost),
        next_key: 0,
    }
}

/// The number of `lost` all others follow within half the sequence space, or 0 when they spread wider
/// (then the numeric order is used).
fn oldest(lost: &[u16]) -> u16 {
    let Some(&first) = lost.first() else {
        return 0;
    };
    // Offsets from `first` as signed distances; they order the list correctly when its span is below 2^15.
    let (mut lo, mut hi) = (0i16, 0i16);
    for &s in lost {
        let d = s.wrapping_sub(first).cast_signed();
        lo = lo.min(d);
        hi = hi.max(d);
    }
    if i32::from(hi) - i32::from(lo) < 0x8000 {
        first.wrapping_add_signed(lo)
    } else {
        0
    }
}

/// Iterates over the NACK items covering a list of lost sequence numbers (see [`nack_items`]).
#[derive(Debug, Clone)]
pub struct NackItems<'a> {
    lost: &'a [u16],
    /// Keys count from here: the key of `s` is `s - oldest` (mod 2^16).
    oldest: u16,
    /// Numbers with a smaller key are covered already.
    next_key: u32,
}

impl Iterator for NackItems<'_> {
    type Item = NackItem;
    fn next(&mut self) -> Option<NackItem> {
        // One pass: the smallest key not yet covered (`pid`), and which of the 16 keys after it occur
        // (`window` bit i: key `pid + i`). A key seen before a smaller `pid` turns up is more than 16 past
        // the final `pid` whenever it was more than 16 past the one it was compared with, so shifting the
        // window loses nothing.
        let mut pid = u32::MAX;
        let mut window = 0u32;
        for &s in self.lost {
            let key = u32::from(s.wrapping_sub(self.oldest));
            if key < self.next_key {
                continue;
            }
            if key < pid {
                window = if pid - key > 16 { 0 } else { window << (pid - key) };
                window = (window | 1) & 0x1_FFFF;
                pid = key;
            } else if key - pid <= 16 {
                window |= 1 << (key - pid);
            }
        }
        if pid == u32::MAX {
            return None;
        }
        self.next_key = pid + 17;
        Some(NackItem {
            // invariant: keys are below 2^16.
            pid: self.oldest.wrapping_add(pid as u16),
            blp: (window >> 1) as u16,
        })
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
        let lost = [1, 65535, 0, 65534, 65534, 20];
        let items: Vec<_> = nack_items(&lost).collect();
        assert_eq!(
            items,
            vec![NackItem { pid: 65534, blp: 0b111 }, NackItem { pid: 20, blp: 0 }]
        );
        let back: Vec<u16> = items.iter().flat_map(|i| i.lost()).collect();
        assert_eq!(back, vec![65534, 65535, 0, 1, 20]);
    }

    #[test]
    fn seventeen_apart_needs_two_items() {
        let lost = [100, 116, 117];
        let items: Vec<_> = nack_items(&lost).collect();
        assert_eq!(
            items,
            vec![NackItem { pid: 100, blp: 1 << 15 }, NackItem { pid: 117, blp: 0 }]
        );
        assert_eq!(nack_items(&[]).count(), 0);
    }

    #[test]
    fn lost_list_is_read_in_any_order_and_left_alone() {
        // A shared borrow, as a jitter buffer hands out its loss list.
        let lost: &[u16] = &[20, 1, 65535, 20, 0, 65534];
        let items: Vec<_> = nack_items(lost).collect();
        assert_eq!(lost, [20, 1, 65535, 20, 0, 65534]);
        assert_eq!(
            items,
            vec![NackItem { pid: 65534, blp: 0b111 }, NackItem { pid: 20, blp: 0 }]
        );
        let mut sorted = lost.to_vec();
        sorted.sort_unstable();
        assert_eq!(nack_items(&sorted).collect::<Vec<_>>(), items);
        // A number within 16 after the first item's start, listed before a smaller one.
        assert!(nack_items(&[30, 10, 26, 5]).eq([NackItem { pid: 5, blp: 1 << 4 }, NackItem { pid: 26, blp: 1 << 3 }]));
    }

    #[test]
    fn spread_over_half_the_space_is_covered_in_numeric_order() {
        // No number is the oldest; within half the space, 65535 would lead and cover 0 and 3 as well.
        let items: Vec<_> = nack_items(&[40_000, 3, 65535, 0, 20_000]).collect();
        assert_eq!(
            items,
            vec![
                NackItem { pid: 0, blp: 1 << 2 },
                NackItem { pid: 20_000, blp: 0 },
                NackItem { pid: 40_000, blp: 0 },
                NackItem { pid: 65535, blp: 0 }
            ]
        );
        assert!(nack_items(&[40_000, 3, 65535, 0]).eq([
            NackItem { pid: 40_000, blp: 0 },
            NackItem {
                pid: 65535,
                blp: 0b1001
            }
        ]));
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
