//! Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01):
//! decoding, writing given chunks, and [`TwccEncoder`], the receiver side that picks compact chunks the
//! way libwebrtc does.
//!
//! FCI layout: base sequence number (16), packet status count (16), reference time (24, signed, 64 ms
//! units), feedback packet count (8), packet status chunks (16 each), receive deltas (1 byte unsigned for
//! "small", 2 bytes signed for "large", in 250 µs units), zero padding. Like libwebrtc, the padding to
//! 32 bits is written with the P bit.

use crate::error::RtcpError;
use crate::fb::{Feedback, rtpfb_fmt, write_feedback_header};
use crate::header::{HEADER_LEN, WriteRtcp, packet_type, rd16, rd24, wr16, wr32};

/// Microseconds per receive-delta tick.
pub const DELTA_TICK_US: i64 = 250;
/// Microseconds per reference-time tick.
pub const REFERENCE_TICK_US: i64 = 64_000;
/// Longest run a run-length chunk can hold.
pub const MAX_RUN_LENGTH: u16 = 0x1FFF;

/// Reception status of one packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PacketStatus {
    /// Not received (no delta).
    #[default]
    NotReceived,
    /// Received, delta 0..=255 ticks in one byte.
    SmallDelta,
    /// Received, delta as a signed 16-bit value.
    LargeDelta,
}

impl PacketStatus {
    /// The 2-bit symbol.
    pub fn symbol(self) -> u16 {
        match self {
            Self::NotReceived => 0,
            Self::SmallDelta => 1,
            Self::LargeDelta => 2,
        }
    }

    /// Bytes of receive delta this status carries.
    pub fn delta_len(self) -> usize {
        match self {
            Self::NotReceived => 0,
            Self::SmallDelta => 1,
            Self::LargeDelta => 2,
        }
    }

    fn from_symbol(s: u16) -> Option<Self> {
        match s {
            0 => Some(Self::NotReceived),
            1 => Some(Self::SmallDelta),
            2 => Some(Self::LargeDelta),
            _ => None,
        }
    }
}

/// One packet status chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusChunk {
    /// `length` packets with the same status.
    RunLength {
        /// The status of every packet in the run.
        status: PacketStatus,
        /// Packets in the run, up to [`MAX_RUN_LENGTH`].
        length: u16,
    },
    /// 14 one-bit symbols (received with small delta / not received), first packet in bit 13.
    OneBit(u16),
    /// 7 two-bit symbols, first packet in bits 13..12.
    TwoBit(u16),
}

impl StatusChunk {
    /// Decodes the 16-bit chunk (a reserved symbol is reported when the packet is parsed).
    pub fn from_u16(v: u16) -> Self {
        if v & 0x8000 == 0 {
            Self::RunLength {
                status: PacketStatus::from_symbol((v >> 13) & 3).unwrap_or(PacketStatus::LargeDelta),
                length: v & MAX_RUN_LENGTH,
            }
        } else if v & 0x4000 == 0 {
            Self::OneBit(v & 0x3FFF)
        } else {
            Self::TwoBit(v & 0x3FFF)
        }
    }

    /// The 16-bit wire form.
    pub fn to_u16(self) -> u16 {
        match self {
            Self::RunLength { status, length } => (status.symbol() << 13) | (length & MAX_RUN_LENGTH),
            Self::OneBit(bits) => 0x8000 | (bits & 0x3FFF),
            Self::TwoBit(bits) => 0xC000 | (bits & 0x3FFF),
        }
    }

    /// Packets the chunk describes.
    pub fn capacity(self) -> u16 {
        match self {
            Self::RunLength { length, .. } => length,
            Self::OneBit(_) => 14,
            Self::TwoBit(_) => 7,
        }
    }

    /// Status of the `i`th packet of the chunk; `None` for the reserved 2-bit symbol or `i >= capacity`.
    pub fn status(self, i: u16) -> Option<PacketStatus> {
        if i >= self.capacity() {
            return None;
        }
        match self {
            Self::RunLength { status, .. } => Some(status),
            Self::OneBit(bits) => Some(if bits & (1 << (13 - i)) != 0 {
                PacketStatus::SmallDelta
            } else {
                PacketStatus::NotReceived
            }),
            Self::TwoBit(bits) => PacketStatus::from_symbol((bits >> (12 - 2 * i)) & 3),
        }
    }
}

/// One packet described by a feedback message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TwccPacket {
    /// Transport-wide sequence number.
    pub sequence: u16,
    /// Its status.
    pub status: PacketStatus,
    /// Receive delta in 250 µs ticks from the previous received packet (or the reference time); 0 when not
    /// received.
    pub delta_ticks: i16,
}

/// A received transport-wide CC feedback message: a view over the packet bytes, chunks and deltas checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransportFeedback<'a> {
    fb: Feedback<'a>,
    chunks_end: usize,
}

impl<'a> TransportFeedback<'a> {
    /// Interprets an RTPFB packet with FMT 15.
    pub fn parse(fb: Feedback<'a>) -> Result<Self, RtcpError> {
        let fci = fb.fci();
        if fci.len() < FCI_FIXED_LEN {
            return Err(RtcpError::TwccTruncated {
                needed: FCI_FIXED_LEN,
                got: fci.len(),
            });
        }
        let count = rd16(fci, 2);
        let mut covered = 0u16;
        let mut pos = FCI_FIXED_LEN;
        let mut deltas = 0usize;
        while covered < count {
            if fci.len() < pos + 2 {
                return Err(RtcpError::TwccTruncated {
                    needed: pos + 2,
                    got: fci.len(),
                });
            }
            let chunk = StatusChunk::from_u16(rd16(fci, pos));
            let n = chunk.capacity().min(count - covered);
            match chunk {
                StatusChunk::RunLength { length, .. } => {
                    if rd16(fci, pos) & 0x6000 == 0x6000 && length > 0 {
                        return Err(RtcpError::TwccReservedSymbol {
                            chunk: (pos - FCI_FIXED_LEN) / 2,
                        });
                    }
                    let status = chunk.status(0).unwrap_or_default();
                    deltas += usize::from(n) * status.delta_len();
                }
                _ => {
                    for i in 0..n {
                        let s = chunk.status(i).ok_or(RtcpError::TwccReservedSymbol {
                            chunk: (pos - FCI_FIXED_LEN) / 2,
                        })?;
                        deltas += s.delta_len();
                    }
                }
            }
            covered += n;
            pos += 2;
        }
        if fci.len() < pos + deltas {
            return Err(RtcpError::TwccTruncated {
                needed: pos + deltas,
                got: fci.len(),
            });
        }
        Ok(Self { fb, chunks_end: pos })
    }

    /// The feedback header.
    pub fn feedback(&self) -> Feedback<'a> {
        self.fb
    }

    /// SSRC of the packet sender.
    pub fn sender_ssrc(&self) -> u32 {
        self.fb.sender_ssrc()
    }

    /// SSRC of the media source field.
    pub fn media_ssrc(&self) -> u32 {
        self.fb.media_ssrc()
    }

    /// Transport-wide sequence number of the first packet described.
    pub fn base_sequence(&self) -> u16 {
        rd16(self.fb.fci(), 0)
    }

    /// Packets described.
    pub fn status_count(&self) -> u16 {
        rd16(self.fb.fci(), 2)
    }

    /// Reference time in 64 ms ticks, a signed 24-bit value.
    pub fn reference_time(&self) -> i32 {
        (rd24(self.fb.fci(), 4) << 8).cast_signed() >> 8
    }

    /// Reference time in microseconds.
    pub fn reference_time_us(&self) -> i64 {
        i64::from(self.reference_time()) * REFERENCE_TICK_US
    }

    /// Feedback packet count, incremented per feedback message sent.
    pub fn feedback_count(&self) -> u8 {
        self.fb.fci()[7]
    }

    /// The packet status chunks.
    pub fn chunks(&self) -> impl ExactSizeIterator<Item = StatusChunk> + 'a {
        self.fb.fci()[8..self.chunks_end]
            .chunks_exact(2)
            .map(|c| StatusChunk::from_u16(rd16(c, 0)))
    }

    /// Every packet described, in sequence order, with its delta.
    pub fn packets(&self) -> TwccPackets<'a> {
        let fci = self.fb.fci();
        TwccPackets {
            chunks: &fci[8..self.chunks_end],
            deltas: &fci[self.chunks_end..],
            chunk: StatusChunk::RunLength {
                status: PacketStatus::NotReceived,
                length: 0,
            },
            index: 0,
            left: self.status_count(),
            sequence: self.base_sequence(),
        }
    }

    /// The packets received, with their arrival time in microseconds on the sender of the feedback's clock.
    pub fn arrivals(&self) -> impl Iterator<Item = (u16, i64)> + 'a {
        let mut t = self.reference_time_us();
        self.packets()
            .filter(|p| p.status != PacketStatus::NotReceived)
            .map(move |p| {
                t += i64::from(p.delta_ticks) * DELTA_TICK_US;
                (p.sequence, t)
            })
    }
}

/// Iterates over the packets of a [`TransportFeedback`].
#[derive(Debug, Clone)]
pub struct TwccPackets<'a> {
    chunks: &'a [u8],
    deltas: &'a [u8],
    chunk: StatusChunk,
    index: u16,
    left: u16,
    sequence: u16,
}

impl Iterator for TwccPackets<'_> {
    type Item = TwccPacket;
    fn next(&mut self) -> Option<TwccPacket> {
        if self.left == 0 {
            return None;
        }
        // invariant: `TransportFeedback::parse` checked that the chunks cover `status_count` packets and the
        // deltas are all present, so the `?`s below never fire.
        while self.index >= self.chunk.capacity() {
            let (c, rest) = self.chunks.split_at_checked(2)?;
            self.chunk = StatusChunk::from_u16(rd16(c, 0));
            self.chunks = rest;
            self.index = 0;
        }
        let status = self.chunk.status(self.index)?;
        let delta_ticks = match status {
            PacketStatus::NotReceived => 0,
            PacketStatus::SmallDelta => {
                let (&d, rest) = self.deltas.split_first()?;
                self.deltas = rest;
                i16::from(d)
            }
            PacketStatus::LargeDelta => {
                let (d, rest) = self.deltas.split_at_checked(2)?;
                self.deltas = rest;
                rd16(d, 0).cast_signed()
            }
        };
        let p = TwccPacket {
            sequence: self.sequence,
            status,
            delta_ticks,
        };
        self.index += 1;
        self.left -= 1;
        self.sequence = self.sequence.wrapping_add(1);
        Some(p)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left.into(), Some(self.left.into()))
    }
}

impl ExactSizeIterator for TwccPackets<'_> {}

/// An outgoing transport-wide CC feedback message with explicit chunks and deltas (for re-encoding a
/// received one exactly; a receiver builds messages with [`TwccEncoder`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TransportFeedbackBuilder<'a> {
    /// SSRC of the packet sender.
    pub sender_ssrc: u32,
    /// SSRC of the media source field.
    pub media_ssrc: u32,
    /// First sequence number described.
    pub base_sequence: u16,
    /// Packets described.
    pub status_count: u16,
    /// Reference time, 64 ms ticks, signed 24 bits.
    pub reference_time: i32,
    /// Feedback packet count.
    pub feedback_count: u8,
    /// Status chunks covering `status_count` packets.
    pub chunks: &'a [StatusChunk],
    /// One delta (250 µs ticks) per received packet, in order; small ones must be 0..=255.
    pub deltas: &'a [i16],
}

impl TransportFeedbackBuilder<'_> {
    /// Calls `f(chunk index, status, repeat)` for the first `status_count` statuses of the chunks
    /// (`None`: the reserved 2-bit symbol).
    #[inline]
    fn for_each_run(&self, mut f: impl FnMut(usize, Option<PacketStatus>, u16)) {
        let mut left = self.status_count;
        for (i, &c) in self.chunks.iter().enumerate() {
            if left == 0 {
                break;
            }
            let n = c.capacity().min(left);
            left -= n;
            match c {
                StatusChunk::RunLength { status, .. } => f(i, Some(status), n),
                _ => {
                    for j in 0..n {
                        f(i, c.status(j), 1);
                    }
                }
            }
        }
    }

    /// Checks the fields against each other; returns the bytes of receive deltas.
    fn check(&self) -> Result<usize, RtcpError> {
        check_reference_time(self.reference_time)?;
        for c in self.chunks {
            // Values that `to_u16` would otherwise truncate on the wire.
            let (field, value, max) = match *c {
                StatusChunk::RunLength { length, .. } => ("TWCC run length", length, MAX_RUN_LENGTH),
                StatusChunk::OneBit(bits) | StatusChunk::TwoBit(bits) => ("TWCC status vector", bits, 0x3FFF),
            };
            if value > max {
                return Err(RtcpError::FieldRange {
                    field,
                    value: value.into(),
                    max: max.into(),
                });
            }
        }
        let covered: u32 = self.chunks.iter().map(|c| u32::from(c.capacity())).sum();
        if covered < u32::from(self.status_count) {
            return Err(RtcpError::FieldRange {
                field: "TWCC status count beyond chunks",
                value: self.status_count.into(),
                max: covered.into(),
            });
        }
        let (mut received, mut bytes, mut reserved) = (0usize, 0usize, None);
        self.for_each_run(|i, s, n| match s {
            None => reserved = reserved.or(Some(i)),
            Some(s) => {
                received += usize::from(s != PacketStatus::NotReceived) * usize::from(n);
                bytes += s.delta_len() * usize::from(n);
            }
        });
        if let Some(chunk) = reserved {
            return Err(RtcpError::TwccReservedSymbol { chunk });
        }
        if received != self.deltas.len() {
            return Err(RtcpError::FieldRange {
                field: "TWCC delta count",
                value: self.deltas.len() as u64,
                max: received as u64,
            });
        }
        Ok(bytes)
    }
}

impl WriteRtcp for TransportFeedbackBuilder<'_> {
    fn encoded_len(&self) -> usize {
        let mut deltas = 0;
        self.for_each_run(|_, s, n| deltas += s.map_or(0, PacketStatus::delta_len) * usize::from(n));
        (FIRST_CHUNK + 2 * self.chunks.len() + deltas).div_ceil(4) * 4
    }

    fn write(&self, out: &mut [u8]) -> Result<usize, RtcpError> {
        let unpadded = FIRST_CHUNK + 2 * self.chunks.len() + self.check()?;
        let len = unpadded.div_ceil(4) * 4;
        write_feedback_header(
            out,
            packet_type::RTPFB,
            rtpfb_fmt::TRANSPORT_CC,
            self.sender_ssrc,
            self.media_ssrc,
            len,
        )?;
        write_fci_header(
            out,
            self.base_sequence,
            self.status_count,
            self.reference_time,
            self.feedback_count,
        );
        let mut pos = FIRST_CHUNK;
        for c in self.chunks {
            wr16(out, pos, c.to_u16());
            pos += 2;
        }
        // invariant: `check` matched the delta count to the received statuses, so indexing stays in bounds.
        let mut next = 0;
        let mut small_out_of_range = None;
        self.for_each_run(|_, s, n| {
            for _ in 0..n {
                match s {
                    Some(PacketStatus::SmallDelta) => {
                        let d = self.deltas[next];
                        out[pos] = d.cast_unsigned() as u8;
                        if !(0..=255).contains(&d) {
                            small_out_of_range = Some(d);
                        }
                        pos += 1;
                    }
                    Some(PacketStatus::LargeDelta) => {
                        wr16(out, pos, self.deltas[next].cast_unsigned());
                        pos += 2;
                    }
                    _ => return,
                }
                next += 1;
            }
        });
        if let Some(d) = small_out_of_range {
            return Err(RtcpError::FieldRange {
                field: "TWCC small delta",
                value: i64::from(d).unsigned_abs(),
                max: 255,
            });
        }
        write_padding(out, unpadded, len);
        Ok(len)
    }
}

fn check_reference_time(t: i32) -> Result<(), RtcpError> {
    if !(-0x80_0000..=0x7F_FFFF).contains(&t) {
        return Err(RtcpError::FieldRange {
            field: "TWCC reference time",
            value: i64::from(t).unsigned_abs(),
            max: 0x7F_FFFF,
        });
    }
    Ok(())
}

/// FCI bytes before the first status chunk: base sequence, status count, reference time, feedback count.
const FCI_FIXED_LEN: usize = 8;
/// Packet offset of the first status chunk: RTCP header, sender and media SSRC, then the fixed FCI fields.
const FIRST_CHUNK: usize = HEADER_LEN + 8 + FCI_FIXED_LEN;

fn write_fci_header(out: &mut [u8], base: u16, count: u16, reference_time: i32, fb_count: u8) {
    wr16(out, 12, base);
    wr16(out, 14, count);
    wr32(out, 16, (reference_time.cast_unsigned() << 8) | u32::from(fb_count));
}

/// Zero-fills `out[unpadded..len]`, puts the count in the last byte and sets the P bit.
fn write_padding(out: &mut [u8], unpadded: usize, len: usize) {
    if len > unpadded {
        out[unpadded..len].fill(0);
        out[len - 1] = (len - unpadded) as u8;
        out[0] |= 0x20;
    }
}

const MAX_ONE_BIT: u16 = 14;
const MAX_TWO_BIT: u16 = 7;

/// The chunk being filled, as libwebrtc's `LastChunk`: statuses are buffered until it is clear whether a
/// run-length, one-bit or two-bit chunk holds them best.
#[derive(Debug, Clone, Copy)]
struct LastChunk {
    sizes: [u8; 14],
    size: u16,
    all_same: bool,
    has_large: bool,
}

impl Default for LastChunk {
    fn default() -> Self {
        Self {
            sizes: [0; 14],
            size: 0,
            all_same: true,
            has_large: false,
        }
    }
}

impl LastChunk {
    fn can_add(&self, d: u8) -> bool {
        self.size < MAX_TWO_BIT
            || (self.size < MAX_ONE_BIT && !self.has_large && d != 2)
            || (self.size < MAX_RUN_LENGTH && self.all_same && self.sizes[0] == d)
    }

    fn add(&mut self, d: u8) {
        if let Some(slot) = self.sizes.get_mut(usize::from(self.size)) {
            *slot = d;
        }
        self.size += 1;
        self.all_same = self.all_same && d == self.sizes[0];
        self.has_large |= d == 2;
    }

    fn run_length(&self) -> u16 {
        (u16::from(self.sizes[0]) << 13) | self.size
    }

    fn one_bit(&self, n: u16) -> u16 {
        (0..n).fold(0x8000, |c, i| c | (u16::from(self.sizes[usize::from(i)]) << (13 - i)))
    }

    fn two_bit(&self, n: u16) -> u16 {
        (0..n).fold(0xC000, |c, i| {
            c | (u16::from(self.sizes[usize::from(i)]) << (12 - 2 * i))
        })
    }

    fn emit(&mut self) -> u16 {
        if self.all_same {
            let c = self.run_length();
            *self = Self::default();
            return c;
        }
        if self.size == MAX_ONE_BIT {
            let c = self.one_bit(MAX_ONE_BIT);
            *self = Self::default();
            return c;
        }
        let c = self.two_bit(MAX_TWO_BIT);
        // Keep the statuses after the first seven.
        let rest = self.size - MAX_TWO_BIT;
        self.sizes
            .copy_within(usize::from(MAX_TWO_BIT)..usize::from(self.size), 0);
        self.size = rest;
        let kept = &self.sizes[..usize::from(rest)];
        self.all_same = kept.iter().all(|&d| d == kept.first().copied().unwrap_or(0));
        self.has_large = kept.contains(&2);
        c
    }

    fn encode_last(&self) -> u16 {
        if self.all_same {
            self.run_length()
        } else if self.size <= MAX_TWO_BIT {
            self.two_bit(self.size)
        } else {
            self.one_bit(self.size)
        }
    }
}

/// Builds transport-wide CC feedback on the receiving side, choosing chunks as libwebrtc does: run-length
/// for long runs of one status, else 1-bit vectors (14 statuses, no large delta) or 2-bit vectors (7).
///
/// Add packets in sequence order with [`TwccEncoder::add`]; write with [`WriteRtcp::write`]; then
/// [`TwccEncoder::reset`] for the next message (allocations are kept for reuse).
///
/// ```
/// use ortc_rtcp::{TransportFeedback, TwccEncoder, WriteRtcp, Compound, RtcpPacket};
///
/// let mut enc = TwccEncoder::new(1, 2, 0);
/// enc.add(100, 1_000_000)?;
/// enc.add(101, 1_000_250)?;
/// enc.add(105, 1_020_000)?; // 102..=104 lost
/// let mut buf = [0u8; 64];
/// let n = enc.write(&mut buf)?;
/// let Some(Ok(RtcpPacket::TransportFeedback(fb))) = Compound::new(&buf[..n]).next() else { panic!() };
/// assert_eq!(fb.status_count(), 6);
/// assert!(fb.arrivals().eq([(100, 1_000_000), (101, 1_000_250), (105, 1_020_000)]));
/// # Ok::<(), ortc_rtcp::RtcpError>(())
/// ```
#[derive(Debug, Clone)]
pub struct TwccEncoder {
    sender_ssrc: u32,
    media_ssrc: u32,
    feedback_count: u8,
    base_sequence: u16,
    next_sequence: u16,
    status_count: u16,
    reference_time: i32,
    last_time_us: i64,
    chunks: Vec<u16>,
    last: LastChunk,
    deltas: Vec<u8>,
}

impl TwccEncoder {
    /// An empty feedback message.
    pub fn new(sender_ssrc: u32, media_ssrc: u32, feedback_count: u8) -> Self {
        Self {
            sender_ssrc,
            media_ssrc,
            feedback_count,
            base_sequence: 0,
            next_sequence: 0,
            status_count: 0,
            reference_time: 0,
            last_time_us: 0,
            chunks: Vec::new(),
            last: LastChunk::default(),
            deltas: Vec::new(),
        }
    }

    /// Empties the message for reuse, with a new feedback packet count.
    pub fn reset(&mut self, feedback_count: u8) {
        self.feedback_count = feedback_count;
        self.status_count = 0;
        self.chunks.clear();
        self.deltas.clear();
        self.last = LastChunk::default();
    }

    /// True when no packet has been added.
    pub fn is_empty(&self) -> bool {
        self.status_count == 0
    }

    /// Packets described so far (received and lost).
    pub fn status_count(&self) -> u16 {
        self.status_count
    }

    /// Records packet `sequence` as received at `arrival_us` (microseconds, any fixed origin), and the
    /// packets skipped since the previous one as lost.
    ///
    /// Fails, changing nothing, when `sequence` is not after the previous one, when its delta does not fit
    /// 16 bits of 250 µs ticks, or when the message would describe more than 65535 packets; send this
    /// message and start a new one then.
    pub fn add(&mut self, sequence: u16, arrival_us: i64) -> Result<(), RtcpError> {
        if self.status_count == 0 {
            let reference = arrival_us.div_euclid(REFERENCE_TICK_US);
            self.base_sequence = sequence;
            self.next_sequence = sequence;
            // Wrap to 24 bits, signed.
            self.reference_time = ((reference as i32) << 8) >> 8;
            self.last_time_us = reference * REFERENCE_TICK_US;
        }
        let gap = sequence.wrapping_sub(self.next_sequence);
        if gap >= 0x8000 {
            return Err(RtcpError::FieldRange {
                field: "TWCC sequence (not after the previous)",
                value: sequence.into(),
                max: self.next_sequence.into(),
            });
        }
        if u32::from(self.status_count) + u32::from(gap) + 1 > 0xFFFF {
            return Err(RtcpError::FieldRange {
                field: "TWCC status count",
                value: u64::from(self.status_count) + u64::from(gap) + 1,
                max: 0xFFFF,
            });
        }
        let diff = arrival_us - self.last_time_us;
        // Round to the nearest tick.
        let ticks = (diff + diff.signum() * DELTA_TICK_US / 2) / DELTA_TICK_US;
        let Ok(ticks16) = i16::try_from(ticks) else {
            return Err(RtcpError::FieldRange {
                field: "TWCC receive delta (ticks)",
                value: ticks.unsigned_abs(),
                max: i16::MAX as u64,
            });
        };
        for _ in 0..gap {
            self.push_status(0);
        }
        if let Ok(small) = u8::try_from(ticks16) {
            self.push_status(1);
            self.deltas.push(small);
        } else {
            self.push_status(2);
            self.deltas.extend_from_slice(&ticks16.to_be_bytes());
        }
        self.last_time_us += i64::from(ticks16) * DELTA_TICK_US;
        self.next_sequence = sequence.wrapping_add(1);
        Ok(())
    }

    fn push_status(&mut self, d: u8) {
        if !self.last.can_add(d) {
            self.chunks.push(self.last.emit());
        }
        self.last.add(d);
        self.status_count += 1;
    }

    fn unpadded_len(&self) -> usize {
        let chunks = self.chunks.len() + usize::from(self.status_count > 0);
        FIRST_CHUNK + 2 * chunks + self.deltas.len()
    }
}

impl WriteRtcp for TwccEncoder {
    fn encoded_len(&self) -> usize {
        self.unpadded_len().div_ceil(4) * 4
    }

    fn write(&self, out: &mut [u8]) -> Result<usize, RtcpError> {
        let unpadded = self.unpadded_len();
        let len = self.encoded_len();
        write_feedback_header(
            out,
            packet_type::RTPFB,
            rtpfb_fmt::TRANSPORT_CC,
            self.sender_ssrc,
            self.media_ssrc,
            len,
        )?;
        write_fci_header(
            out,
            self.base_sequence,
            self.status_count,
            self.reference_time,
            self.feedback_count,
        );
        let mut pos = FIRST_CHUNK;
        for &c in &self.chunks {
            wr16(out, pos, c);
            pos += 2;
        }
        if self.status_count > 0 {
            wr16(out, pos, self.last.encode_last());
            pos += 2;
        }
        out[pos..pos + self.deltas.len()].copy_from_slice(&self.deltas);
        write_padding(out, unpadded, len);
        Ok(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::RawPacket;

    fn parse(b: &[u8]) -> Result<TransportFeedback<'_>, RtcpError> {
        TransportFeedback::parse(Feedback::parse(RawPacket::parse(b).unwrap()).unwrap())
    }

    // Hand-built from the draft's layout: base 5, 10 packets, reference time -1 (0xFFFFFF), fb count 3.
    // Chunk 0: two-bit vector [small, large, not, small, not, not, not]; chunk 1: run of 3 small.
    // Deltas: 0x10, 0xFF00 (large, -256), 0x20, 1, 2, 3. 31 bytes, padded to 32 with the P bit.
    const FB: [u8; 32] = [
        0xAF, 205, 0, 7, // P=1 FMT=15 PT=205 length=7
        0, 0, 0, 1, 0, 0, 0, 2, // sender, media
        0, 5, 0, 10, // base seq 5, count 10
        0xFF, 0xFF, 0xFF, 3, // reference time -1, fb count 3
        0xD8, 0x40, // 11 | 01 10 00 01 00 00 00
        0x20, 0x03, // run-length: status 1, length 3
        0x10, 0xFF, 0x00, 0x20, 0x01, 0x02, 0x03, // deltas
        1,    // padding count
    ];

    #[test]
    fn decode_hand_vector_and_reencode() {
        let fb = parse(&FB).unwrap();
        assert_eq!(fb.base_sequence(), 5);
        assert_eq!(fb.reference_time(), -1);
        assert_eq!(fb.reference_time_us(), -64_000);
        assert_eq!(fb.feedback_count(), 3);
        let statuses: Vec<_> = fb
            .packets()
            .map(|p| (p.sequence, p.status.symbol(), p.delta_ticks))
            .collect();
        assert_eq!(
            statuses,
            vec![
                (5, 1, 0x10),
                (6, 2, -256),
                (7, 0, 0),
                (8, 1, 0x20),
                (9, 0, 0),
                (10, 0, 0),
                (11, 0, 0),
                (12, 1, 1),
                (13, 1, 2),
                (14, 1, 3)
            ]
        );
        let chunks: Vec<_> = fb.chunks().collect();
        let deltas: Vec<_> = fb
            .packets()
            .filter(|p| p.status != PacketStatus::NotReceived)
            .map(|p| p.delta_ticks)
            .collect();
        let b = TransportFeedbackBuilder {
            sender_ssrc: 1,
            media_ssrc: 2,
            base_sequence: 5,
            status_count: 10,
            reference_time: -1,
            feedback_count: 3,
            chunks: &chunks,
            deltas: &deltas,
        };
        let mut out = [0u8; 32];
        assert_eq!(b.encoded_len(), 32);
        assert_eq!(b.write(&mut out), Ok(32));
        assert_eq!(out, FB);
        let too_few = TransportFeedbackBuilder {
            deltas: &deltas[..5],
            ..b
        };
        assert!(matches!(too_few.write(&mut out), Err(RtcpError::FieldRange { .. })));

        // A run longer than the 13-bit length field is refused, not truncated on the wire.
        let long = [StatusChunk::RunLength {
            status: PacketStatus::NotReceived,
            length: MAX_RUN_LENGTH + 1,
        }];
        let too_long = TransportFeedbackBuilder {
            status_count: MAX_RUN_LENGTH + 1,
            chunks: &long,
            deltas: &[],
            ..b
        };
        let mut big = [0u8; 64];
        assert!(matches!(
            too_long.write(&mut big),
            Err(RtcpError::FieldRange {
                field: "TWCC run length",
                ..
            })
        ));
    }

    #[test]
    fn chunk_status_out_of_range_is_none() {
        assert_eq!(StatusChunk::OneBit(0x3FFF).status(13), Some(PacketStatus::SmallDelta));
        assert_eq!(StatusChunk::OneBit(0x3FFF).status(14), None);
        assert_eq!(StatusChunk::TwoBit(0).status(7), None);
        assert_eq!(StatusChunk::TwoBit(0).status(u16::MAX), None);
    }

    #[test]
    fn truncated_and_reserved() {
        let mut v = FB;
        v[0] = 0x8F; // no padding: the body keeps the byte
        v[3] = 6; // 28 bytes: deltas cut short
        assert_eq!(parse(&v[..28]), Err(RtcpError::TwccTruncated { needed: 19, got: 16 }));
        let mut v = FB;
        v[20] = 0xDC; // 11 | 01 11 ..: the second symbol is the reserved 3
        assert_eq!(parse(&v), Err(RtcpError::TwccReservedSymbol { chunk: 0 }));
        let mut v = FB;
        v[22] = 0x60; // run-length with the reserved symbol
        assert_eq!(parse(&v), Err(RtcpError::TwccReservedSymbol { chunk: 1 }));
        let v = [0x8F, 205, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 5, 0, 7];
        assert_eq!(parse(&v), Err(RtcpError::TwccTruncated { needed: 8, got: 4 }));
    }

    fn encode(packets: &[(u16, i64)]) -> Vec<u8> {
        let mut enc = TwccEncoder::new(1, 2, 9);
        for &(s, t) in packets {
            enc.add(s, t).unwrap();
        }
        let mut out = vec![0u8; enc.encoded_len()];
        let n = enc.write(&mut out).unwrap();
        assert_eq!(n, out.len());
        out
    }

    #[test]
    fn encoder_uses_run_length_for_long_runs() {
        let packets: Vec<_> = (0..100u16).map(|i| (1000 + i, 640_000 + i64::from(i) * 1000)).collect();
        let out = encode(&packets);
        let fb = parse(&out).unwrap();
        assert!(fb.chunks().eq([StatusChunk::RunLength {
            status: PacketStatus::SmallDelta,
            length: 100
        }]));
        assert_eq!(fb.reference_time(), 10);
        assert!(fb.arrivals().eq(packets.iter().copied()));
    }

    #[test]
    fn encoder_uses_vectors_for_mixed() {
        // Alternate received/lost: one-bit vectors of 14.
        let packets: Vec<_> = (0..14u16).step_by(2).map(|i| (i, i64::from(i) * 500)).collect();
        let fb_bytes = encode(&packets);
        let fb = parse(&fb_bytes).unwrap();
        // 13 statuses (0..=12): vector chunk; last chunk has size 13 < 14 with no large -> one-bit.
        let chunks: Vec<_> = fb.chunks().collect();
        assert_eq!(chunks, vec![StatusChunk::OneBit(0b10_1010_1010_1010)]);
        // A large delta forces two-bit vectors.
        let packets = [
            (0, 0),
            (1, 100_000),
            (3, 100_250),
            (4, 100_500),
            (5, 100_750),
            (6, 101_000),
            (7, 101_250),
            (9, 101_500),
        ];
        let fb_bytes = encode(&packets);
        let fb = parse(&fb_bytes).unwrap();
        let chunks: Vec<_> = fb.chunks().collect();
        assert!(matches!(chunks[0], StatusChunk::TwoBit(_)), "{chunks:?}");
        assert!(fb.arrivals().eq(packets.iter().copied()));
    }

    #[test]
    fn encoder_wraps_and_rejects() {
        let packets = [(65534u16, 0i64), (65535, 250), (1, 750)];
        let fb_bytes = encode(&packets);
        let fb = parse(&fb_bytes).unwrap();
        assert_eq!(fb.status_count(), 4);
        assert!(fb.arrivals().eq(packets.iter().copied()));
        let mut enc = TwccEncoder::new(1, 2, 0);
        enc.add(10, 0).unwrap();
        assert!(enc.add(10, 0).is_err());
        assert!(enc.add(11, 10_000_000).is_err());
        assert_eq!(enc.status_count(), 1);
        enc.add(11, -1000).unwrap();
        let mut out = [0u8; 64];
        let n = enc.write(&mut out).unwrap();
        let fb = parse(&out[..n]).unwrap();
        assert!(fb.arrivals().eq([(10, 0), (11, -1000)]));
        enc.reset(1);
        assert!(enc.is_empty());
    }
}
