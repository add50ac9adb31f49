//! Full intra request (RFC 5104 §4.3.1): per-SSRC requests with a command sequence number.

use crate::error::RtcpError;
use crate::fb::{Feedback, psfb_fmt, write_feedback_header};
use crate::header::{HEADER_LEN, WriteRtcp, packet_type, rd32, wr32};

/// One FIR entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FirEntry {
    /// The media sender asked for a decoder refresh point.
    pub ssrc: u32,
    /// Command sequence number, incremented for each new request.
    pub seq_nr: u8,
}

/// A received FIR: a view over the packet bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fir<'a> {
    fb: Feedback<'a>,
}

impl<'a> Fir<'a> {
    /// Interprets a PSFB packet with FMT 4.
    pub fn parse(fb: Feedback<'a>) -> Result<Self, RtcpError> {
        let len = fb.fci().len();
        if len == 0 || !len.is_multiple_of(8) {
            return Err(RtcpError::BadBodyLength { packet: "FIR FCI", len });
        }
        Ok(Self { fb })
    }

    /// The feedback header.
    pub fn feedback(&self) -> Feedback<'a> {
        self.fb
    }

    /// SSRC of the packet sender.
    pub fn sender_ssrc(&self) -> u32 {
        self.fb.sender_ssrc()
    }

    /// The media SSRC field (RFC 5104: unused, 0).
    pub fn media_ssrc(&self) -> u32 {
        self.fb.media_ssrc()
    }

    /// The requests (the 24 reserved bits are ignored).
    pub fn entries(&self) -> impl ExactSizeIterator<Item = FirEntry> + 'a {
        self.fb.fci().chunks_exact(8).map(|c| FirEntry {
            ssrc: rd32(c, 0),
            seq_nr: c[4],
        })
    }
}

/// An outgoing FIR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FirBuilder<'a> {
    /// SSRC of the packet sender.
    pub sender_ssrc: u32,
    /// The media SSRC field (0 per RFC 5104).
    pub media_ssrc: u32,
    /// At least one request.
    pub entries: &'a [FirEntry],
}

impl WriteRtcp for FirBuilder<'_> {
    fn encoded_len(&self) -> usize {
        HEADER_LEN + 8 + 8 * self.entries.len()
    }

    fn write(&self, out: &mut [u8]) -> Result<usize, RtcpError> {
        if self.entries.is_empty() {
            return Err(RtcpError::BadBodyLength {
                packet: "FIR FCI",
                len: 0,
            });
        }
        let len = self.encoded_len();
        write_feedback_header(
            out,
            packet_type::PSFB,
            psfb_fmt::FIR,
            self.sender_ssrc,
            self.media_ssrc,
            len,
        )?;
        for (i, e) in self.entries.iter().enumerate() {
            wr32(out, 12 + 8 * i, e.ssrc);
            wr32(out, 16 + 8 * i, u32::from(e.seq_nr) << 24);
        }
        Ok(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::RawPacket;

    #[test]
    fn round_trip() {
        let bytes = [
            0x84, 206, 0, 6, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7, 42, 0, 0, 0, 0, 0, 0, 8, 43, 0, 0, 0,
        ];
        let fir = Fir::parse(Feedback::parse(RawPacket::parse(&bytes).unwrap()).unwrap()).unwrap();
        let entries: Vec<_> = fir.entries().collect();
        assert_eq!(
            entries,
            vec![FirEntry { ssrc: 7, seq_nr: 42 }, FirEntry { ssrc: 8, seq_nr: 43 }]
        );
        let b = FirBuilder {
            sender_ssrc: 1,
            media_ssrc: 0,
            entries: &entries,
        };
        let mut out = [0u8; 28];
        assert_eq!(b.write(&mut out), Ok(28));
        assert_eq!(out, bytes);
    }

    #[test]
    fn half_entry() {
        let bytes = [0x84, 206, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7];
        assert_eq!(
            Fir::parse(Feedback::parse(RawPacket::parse(&bytes).unwrap()).unwrap()),
            Err(RtcpError::BadBodyLength {
                packet: "FIR FCI",
                len: 4
            })
        );
    }
}
