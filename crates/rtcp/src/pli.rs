//! Picture loss indication (RFC 4585 §6.3.1): a PSFB message with no FCI.

use crate::error::RtcpError;
use crate::fb::{Feedback, psfb_fmt, write_feedback_header};
use crate::header::{HEADER_LEN, WriteRtcp, packet_type};

/// A received picture loss indication: a view over the packet bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pli<'a> {
    fb: Feedback<'a>,
}

impl<'a> Pli<'a> {
    /// Interprets a PSFB packet with FMT 1 (any FCI is an error).
    pub fn parse(fb: Feedback<'a>) -> Result<Self, RtcpError> {
        if !fb.fci().is_empty() {
            return Err(RtcpError::BadBodyLength {
                packet: "PLI FCI",
                len: fb.fci().len(),
            });
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

    /// SSRC of the media source that should send a key frame.
    pub fn media_ssrc(&self) -> u32 {
        self.fb.media_ssrc()
    }
}

/// An outgoing picture loss indication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PliBuilder {
    /// SSRC of the packet sender.
    pub sender_ssrc: u32,
    /// SSRC of the media source that should send a key frame.
    pub media_ssrc: u32,
}

impl WriteRtcp for PliBuilder {
    fn encoded_len(&self) -> usize {
        HEADER_LEN + 8
    }

    fn write(&self, out: &mut [u8]) -> Result<usize, RtcpError> {
        write_feedback_header(
            out,
            packet_type::PSFB,
            psfb_fmt::PLI,
            self.sender_ssrc,
            self.media_ssrc,
            12,
        )?;
        Ok(12)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::RawPacket;

    #[test]
    fn round_trip() {
        let bytes = [0x81, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2];
        let pli = Pli::parse(Feedback::parse(RawPacket::parse(&bytes).unwrap()).unwrap()).unwrap();
        assert_eq!((pli.sender_ssrc(), pli.media_ssrc()), (1, 2));
        let mut out = [0u8; 12];
        let b = PliBuilder {
            sender_ssrc: 1,
            media_ssrc: 2,
        };
        assert_eq!(b.write(&mut out), Ok(12));
        assert_eq!(out, bytes);
        let with_fci = [0x81, 206, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0];
        assert_eq!(
            Pli::parse(Feedback::parse(RawPacket::parse(&with_fci).unwrap()).unwrap()),
            Err(RtcpError::BadBodyLength {
                packet: "PLI FCI",
                len: 4
            })
        );
    }
}
