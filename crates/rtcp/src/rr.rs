//! Receiver reports (RFC 3550 §6.4.2).

use crate::error::RtcpError;
use crate::header::{HEADER_LEN, RawPacket, WriteRtcp, packet_type, rd32, wr32, write_header};
use crate::report::{REPORT_BLOCK_LEN, ReportBlock, ReportBlocks, write_blocks};

/// A received receiver report: a view over the packet bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiverReport<'a> {
    raw: RawPacket<'a>,
}

impl<'a> ReceiverReport<'a> {
    /// Interprets a raw packet of type 201.
    pub fn parse(raw: RawPacket<'a>) -> Result<Self, RtcpError> {
        let needed = 4 + REPORT_BLOCK_LEN * usize::from(raw.count());
        let got = raw.body().len();
        if got < needed {
            return Err(RtcpError::BodyTooShort {
                packet: "RR",
                needed,
                got,
            });
        }
        Ok(Self { raw })
    }

    /// The underlying packet.
    pub fn raw(&self) -> RawPacket<'a> {
        self.raw
    }

    /// SSRC of the packet sender.
    pub fn sender_ssrc(&self) -> u32 {
        rd32(self.raw.body(), 0)
    }

    /// The reception report blocks.
    pub fn report_blocks(&self) -> ReportBlocks<'a> {
        ReportBlocks::new(&self.raw.body()[4..4 + REPORT_BLOCK_LEN * usize::from(self.raw.count())])
    }

    /// Profile-specific extension bytes after the report blocks (usually empty).
    pub fn profile_extension(&self) -> &'a [u8] {
        &self.raw.body()[4 + REPORT_BLOCK_LEN * usize::from(self.raw.count())..]
    }
}

/// An outgoing receiver report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReceiverReportBuilder<'a> {
    /// SSRC of the packet sender.
    pub sender_ssrc: u32,
    /// Up to 31 reception report blocks.
    pub report_blocks: &'a [ReportBlock],
    /// Profile-specific extension, a multiple of 4 bytes.
    pub profile_extension: &'a [u8],
}

impl WriteRtcp for ReceiverReportBuilder<'_> {
    fn encoded_len(&self) -> usize {
        HEADER_LEN + 4 + REPORT_BLOCK_LEN * self.report_blocks.len() + self.profile_extension.len()
    }

    fn write(&self, out: &mut [u8]) -> Result<usize, RtcpError> {
        if !self.profile_extension.len().is_multiple_of(4) {
            return Err(RtcpError::NotAligned {
                field: "RR profile extension",
                len: self.profile_extension.len(),
            });
        }
        let len = self.encoded_len();
        write_header(out, self.report_blocks.len(), packet_type::RR, len)?;
        wr32(out, 4, self.sender_ssrc);
        let blocks_end = 8 + REPORT_BLOCK_LEN * self.report_blocks.len();
        write_blocks(self.report_blocks, &mut out[8..blocks_end])?;
        out[blocks_end..len].copy_from_slice(self.profile_extension);
        Ok(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_rr_as_chromium_sends_it() {
        let bytes = [0x80, 201, 0, 1, 0x33, 0x78, 0x4d, 0x2c];
        let rr = ReceiverReport::parse(RawPacket::parse(&bytes).unwrap()).unwrap();
        assert_eq!(rr.sender_ssrc(), 0x3378_4d2c);
        assert_eq!(rr.report_blocks().len(), 0);
        let mut out = [0u8; 8];
        let b = ReceiverReportBuilder {
            sender_ssrc: rr.sender_ssrc(),
            ..Default::default()
        };
        assert_eq!(b.write(&mut out), Ok(8));
        assert_eq!(out, bytes);
    }

    #[test]
    fn two_blocks_round_trip_and_truncation() {
        let blocks = [
            ReportBlock {
                ssrc: 1,
                cumulative_lost: -1,
                ..Default::default()
            },
            ReportBlock {
                ssrc: 2,
                fraction_lost: 255,
                cumulative_lost: 0x7F_FFFF,
                extended_highest_sequence: u32::MAX,
                jitter: 3,
                last_sr: 4,
                delay_since_last_sr: 5,
            },
        ];
        let b = ReceiverReportBuilder {
            sender_ssrc: 9,
            report_blocks: &blocks,
            profile_extension: &[],
        };
        let mut out = [0u8; 56];
        assert_eq!(b.write(&mut out), Ok(56));
        assert_eq!(&out[..4], &[0x82, 201, 0, 13]);
        let rr = ReceiverReport::parse(RawPacket::parse(&out).unwrap()).unwrap();
        assert!(rr.report_blocks().eq(blocks));
        // Claim 3 blocks in the same length.
        out[0] = 0x83;
        assert_eq!(
            ReceiverReport::parse(RawPacket::parse(&out).unwrap()),
            Err(RtcpError::BodyTooShort {
                packet: "RR",
                needed: 76,
                got: 52
            })
        );
    }
}
