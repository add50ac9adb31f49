//! Sender reports (RFC 3550 §6.4.1).

use crate::error::RtcpError;
use crate::header::{HEADER_LEN, RawPacket, WriteRtcp, packet_type, rd32, wr32, write_header};
use crate::report::{REPORT_BLOCK_LEN, ReportBlock, ReportBlocks, SENDER_INFO_LEN, SenderInfo, write_blocks};

/// A received sender report: a view over the packet bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenderReport<'a> {
    raw: RawPacket<'a>,
}

impl<'a> SenderReport<'a> {
    /// Interprets a raw packet of type 200.
    pub fn parse(raw: RawPacket<'a>) -> Result<Self, RtcpError> {
        let needed = 4 + SENDER_INFO_LEN + REPORT_BLOCK_LEN * usize::from(raw.count());
        let got = raw.body().len();
        if got < needed {
            return Err(RtcpError::BodyTooShort {
                packet: "SR",
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

    /// SSRC of the sender.
    pub fn sender_ssrc(&self) -> u32 {
        rd32(self.raw.body(), 0)
    }

    /// NTP time, RTP time and counters.
    pub fn sender_info(&self) -> SenderInfo {
        SenderInfo::read(&self.raw.body()[4..])
    }

    /// The reception report blocks.
    pub fn report_blocks(&self) -> ReportBlocks<'a> {
        let end = 4 + SENDER_INFO_LEN + REPORT_BLOCK_LEN * usize::from(self.raw.count());
        ReportBlocks::new(&self.raw.body()[4 + SENDER_INFO_LEN..end])
    }

    /// Profile-specific extension bytes after the report blocks (usually empty).
    pub fn profile_extension(&self) -> &'a [u8] {
        &self.raw.body()[4 + SENDER_INFO_LEN + REPORT_BLOCK_LEN * usize::from(self.raw.count())..]
    }
}

/// An outgoing sender report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SenderReportBuilder<'a> {
    /// SSRC of the sender.
    pub sender_ssrc: u32,
    /// NTP time, RTP time and counters.
    pub sender_info: SenderInfo,
    /// Up to 31 reception report blocks.
    pub report_blocks: &'a [ReportBlock],
    /// Profile-specific extension, a multiple of 4 bytes.
    pub profile_extension: &'a [u8],
}

impl WriteRtcp for SenderReportBuilder<'_> {
    fn encoded_len(&self) -> usize {
        HEADER_LEN + 4 + SENDER_INFO_LEN + REPORT_BLOCK_LEN * self.report_blocks.len() + self.profile_extension.len()
    }

    fn write(&self, out: &mut [u8]) -> Result<usize, RtcpError> {
        if !self.profile_extension.len().is_multiple_of(4) {
            return Err(RtcpError::NotAligned {
                field: "SR profile extension",
                len: self.profile_extension.len(),
            });
        }
        let len = self.encoded_len();
        write_header(out, self.report_blocks.len(), packet_type::SR, len)?;
        wr32(out, 4, self.sender_ssrc);
        self.sender_info.write_into(&mut out[8..]);
        let blocks_end = 28 + REPORT_BLOCK_LEN * self.report_blocks.len();
        write_blocks(self.report_blocks, &mut out[28..blocks_end])?;
        out[blocks_end..len].copy_from_slice(self.profile_extension);
        Ok(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ntp::NtpTime;

    // RFC 3550 §6.4.1 layout, one report block, filled in by hand.
    const SR: [u8; 52] = [
        0x81, 200, 0x00, 0x0C, // V=2 RC=1 PT=200 length=12
        0x12, 0x34, 0x56, 0x78, // SSRC
        0xE9, 0x00, 0x00, 0x01, 0x80, 0x00, 0x00, 0x00, // NTP 0xE9000001.5
        0x00, 0x01, 0x00, 0x00, // RTP timestamp
        0x00, 0x00, 0x00, 0x0A, // packet count
        0x00, 0x00, 0x03, 0xE8, // octet count
        0xAA, 0xBB, 0xCC, 0xDD, // block SSRC
        0x40, 0x00, 0x00, 0x05, // fraction 64, cumulative 5
        0x00, 0x01, 0xFF, 0xFF, // extended highest seq
        0x00, 0x00, 0x00, 0x20, // jitter
        0x12, 0x34, 0x56, 0x78, // LSR
        0x00, 0x01, 0x00, 0x00, // DLSR = 1 s
    ];

    #[test]
    fn decode_and_reencode() {
        let sr = SenderReport::parse(RawPacket::parse(&SR).unwrap()).unwrap();
        assert_eq!(sr.sender_ssrc(), 0x1234_5678);
        let info = sr.sender_info();
        assert_eq!(info.ntp_time, NtpTime(0xE900_0001_8000_0000));
        assert_eq!((info.rtp_time, info.packet_count, info.octet_count), (65536, 10, 1000));
        let blocks: Vec<_> = sr.report_blocks().collect();
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].fraction_lost, 64);
        assert_eq!(blocks[0].cumulative_lost, 5);
        assert_eq!(blocks[0].delay_since_last_sr, 0x10000);
        assert!(sr.profile_extension().is_empty());

        let b = SenderReportBuilder {
            sender_ssrc: sr.sender_ssrc(),
            sender_info: info,
            report_blocks: &blocks,
            profile_extension: sr.profile_extension(),
        };
        let mut out = [0u8; 52];
        assert_eq!(b.encoded_len(), 52);
        assert_eq!(b.write(&mut out), Ok(52));
        assert_eq!(out, SR);
    }

    #[test]
    fn count_beyond_body() {
        let mut bad = SR;
        bad[0] = 0x82; // claims 2 blocks
        let raw = RawPacket::parse(&bad).unwrap();
        assert_eq!(
            SenderReport::parse(raw),
            Err(RtcpError::BodyTooShort {
                packet: "SR",
                needed: 72,
                got: 48
            })
        );
    }

    #[test]
    fn small_buffer_and_alignment() {
        let b = SenderReportBuilder::default();
        let mut out = [0u8; 27];
        assert_eq!(
            b.write(&mut out),
            Err(RtcpError::BufferTooSmall { needed: 28, got: 27 })
        );
        let b = SenderReportBuilder {
            profile_extension: &[1, 2],
            ..b
        };
        assert!(matches!(b.write(&mut [0u8; 64]), Err(RtcpError::NotAligned { .. })));
    }
}
