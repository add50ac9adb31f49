//! Report blocks (RFC 3550 §6.4.1) shared by SR and RR, the sender info of an SR, and the loss arithmetic
//! that fills them. (The interarrival jitter is measured on the receive side, where arrival times are known:
//! `ortc-jitter`'s estimator gives the block's jitter field.)

use crate::error::RtcpError;
use crate::header::{check_range, rd24, rd32, wr32};
use crate::ntp::NtpTime;

/// Bytes in one report block.
pub const REPORT_BLOCK_LEN: usize = 24;
/// Bytes of sender info in an SR.
pub const SENDER_INFO_LEN: usize = 20;
/// Largest cumulative-lost value (signed 24 bits).
pub const CUMULATIVE_LOST_MAX: i32 = 0x7F_FFFF;
/// Smallest cumulative-lost value (signed 24 bits; negative when duplicates outnumber losses).
pub const CUMULATIVE_LOST_MIN: i32 = -0x80_0000;

/// One reception report block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ReportBlock {
    /// The source this block reports on.
    pub ssrc: u32,
    /// Fraction lost since the previous report, in 1/256 (see [`fraction_lost`]).
    pub fraction_lost: u8,
    /// Cumulative packets lost, a signed 24-bit value ([`CUMULATIVE_LOST_MIN`]..=[`CUMULATIVE_LOST_MAX`]).
    pub cumulative_lost: i32,
    /// Extended highest sequence number received (cycles << 16 | highest).
    pub extended_highest_sequence: u32,
    /// Interarrival jitter in RTP timestamp units (RFC 3550 §6.4.1, computed as in Appendix A.8).
    pub jitter: u32,
    /// Middle 32 bits of the NTP time of the last SR received from this source (0: none yet).
    pub last_sr: u32,
    /// Delay since that SR was received, in 1/65536 s.
    pub delay_since_last_sr: u32,
}

impl ReportBlock {
    /// Reads a block from 24 bytes.
    pub fn parse(b: &[u8]) -> Result<Self, RtcpError> {
        if b.len() < REPORT_BLOCK_LEN {
            return Err(RtcpError::BodyTooShort {
                packet: "report block",
                needed: REPORT_BLOCK_LEN,
                got: b.len(),
            });
        }
        Ok(Self::read(b))
    }

    /// Reads a block; `b` holds at least 24 bytes.
    pub(crate) fn read(b: &[u8]) -> Self {
        // Sign-extend the 24-bit cumulative count.
        let cumulative_lost = (rd24(b, 5) << 8).cast_signed() >> 8;
        Self {
            ssrc: rd32(b, 0),
            fraction_lost: b[4],
            cumulative_lost,
            extended_highest_sequence: rd32(b, 8),
            jitter: rd32(b, 12),
            last_sr: rd32(b, 16),
            delay_since_last_sr: rd32(b, 20),
        }
    }

    /// Writes the block into the first 24 bytes of `out` (which must hold them).
    pub(crate) fn write_into(&self, out: &mut [u8]) -> Result<(), RtcpError> {
        if !(CUMULATIVE_LOST_MIN..=CUMULATIVE_LOST_MAX).contains(&self.cumulative_lost) {
            return Err(RtcpError::FieldRange {
                field: "cumulative lost",
                value: i64::from(self.cumulative_lost).unsigned_abs(),
                max: CUMULATIVE_LOST_MAX as u64,
            });
        }
        wr32(out, 0, self.ssrc);
        wr32(
            out,
            4,
            (u32::from(self.fraction_lost) << 24) | (self.cumulative_lost.cast_unsigned() & 0x00FF_FFFF),
        );
        wr32(out, 8, self.extended_highest_sequence);
        wr32(out, 12, self.jitter);
        wr32(out, 16, self.last_sr);
        wr32(out, 20, self.delay_since_last_sr);
        Ok(())
    }

    /// The fraction lost as a ratio in `0.0..1.0`.
    pub fn fraction_lost_ratio(&self) -> f64 {
        f64::from(self.fraction_lost) / 256.0
    }
}

/// Iterates over the report blocks of an SR or RR (the length was checked when the packet was parsed).
#[derive(Debug, Clone)]
pub struct ReportBlocks<'a> {
    rest: &'a [u8],
}

impl<'a> ReportBlocks<'a> {
    /// Blocks held in `bytes`, a multiple of 24 bytes.
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }
}

impl Iterator for ReportBlocks<'_> {
    type Item = ReportBlock;
    fn next(&mut self) -> Option<ReportBlock> {
        if self.rest.len() < REPORT_BLOCK_LEN {
            return None;
        }
        let (b, rest) = self.rest.split_at(REPORT_BLOCK_LEN);
        self.rest = rest;
        Some(ReportBlock::read(b))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.rest.len() / REPORT_BLOCK_LEN;
        (n, Some(n))
    }
}

impl ExactSizeIterator for ReportBlocks<'_> {}

/// Writes `blocks` one after another from the start of `out` (which must hold them).
pub(crate) fn write_blocks(blocks: &[ReportBlock], out: &mut [u8]) -> Result<(), RtcpError> {
    check_range("report count", blocks.len(), 31)?;
    for (b, chunk) in blocks.iter().zip(out.chunks_exact_mut(REPORT_BLOCK_LEN)) {
        b.write_into(chunk)?;
    }
    Ok(())
}

/// The sender info of an SR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SenderInfo {
    /// Wall-clock time when the report was sent.
    pub ntp_time: NtpTime,
    /// The same instant in RTP timestamp units.
    pub rtp_time: u32,
    /// Packets sent since the start of transmission.
    pub packet_count: u32,
    /// Payload octets sent since the start of transmission.
    pub octet_count: u32,
}

impl SenderInfo {
    /// Reads 20 bytes (the caller has checked the bounds).
    pub(crate) fn read(b: &[u8]) -> Self {
        Self {
            ntp_time: NtpTime((u64::from(rd32(b, 0)) << 32) | u64::from(rd32(b, 4))),
            rtp_time: rd32(b, 8),
            packet_count: rd32(b, 12),
            octet_count: rd32(b, 16),
        }
    }

    /// Writes 20 bytes (the caller has checked the bounds).
    pub(crate) fn write_into(&self, out: &mut [u8]) {
        wr32(out, 0, self.ntp_time.seconds());
        wr32(out, 4, self.ntp_time.fraction());
        wr32(out, 8, self.rtp_time);
        wr32(out, 12, self.packet_count);
        wr32(out, 16, self.octet_count);
    }
}

/// Fraction lost per RFC 3550 Appendix A.3: `lost / expected` in 1/256, for one reporting interval.
///
/// `expected_interval` and `received_interval` are the counts since the previous report. Duplicates can make
/// `received > expected`; the fraction is then 0.
pub fn fraction_lost(expected_interval: u32, received_interval: u32) -> u8 {
    if expected_interval == 0 || received_interval >= expected_interval {
        return 0;
    }
    let lost = u64::from(expected_interval - received_interval);
    ((lost << 8) / u64::from(expected_interval)).min(255) as u8
}

/// Cumulative lost per RFC 3550 Appendix A.3 (`expected - received`), clamped to the signed 24-bit field.
pub fn cumulative_lost(expected: u64, received: u64) -> i32 {
    let lost = i128::from(expected) - i128::from(received);
    lost.clamp(i128::from(CUMULATIVE_LOST_MIN), i128::from(CUMULATIVE_LOST_MAX)) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_round_trip_with_negative_cumulative() {
        let b = ReportBlock {
            ssrc: 1,
            fraction_lost: 3,
            cumulative_lost: -2,
            extended_highest_sequence: 0x0001_0005,
            jitter: 7,
            last_sr: 8,
            delay_since_last_sr: 9,
        };
        let mut out = [0u8; 24];
        b.write_into(&mut out).unwrap();
        assert_eq!(&out[4..8], &[3, 0xFF, 0xFF, 0xFE]);
        assert_eq!(ReportBlock::parse(&out).unwrap(), b);
        let bad = ReportBlock {
            cumulative_lost: 0x80_0000,
            ..b
        };
        assert!(matches!(bad.write_into(&mut out), Err(RtcpError::FieldRange { .. })));
    }

    #[test]
    fn loss_arithmetic() {
        assert_eq!(fraction_lost(100, 75), 64);
        assert_eq!(fraction_lost(100, 100), 0);
        assert_eq!(fraction_lost(100, 120), 0);
        assert_eq!(fraction_lost(0, 0), 0);
        assert_eq!(fraction_lost(1, 0), 255);
        assert_eq!(cumulative_lost(10, 12), -2);
        assert_eq!(cumulative_lost(u64::MAX, 0), CUMULATIVE_LOST_MAX);
        assert_eq!(cumulative_lost(0, 1 << 30), CUMULATIVE_LOST_MIN);
    }
}
