//! The common layout of RTCP feedback messages (RFC 4585 §6.1): FMT in the count field, sender SSRC,
//! media SSRC, then feedback control information (FCI).

use crate::error::RtcpError;
use crate::header::{HEADER_LEN, RawPacket, WriteRtcp, rd32, wr32, write_header};

/// Transport-layer feedback message types (FMT of RTPFB, packet type 205).
pub mod rtpfb_fmt {
    /// Generic NACK (RFC 4585).
    pub const NACK: u8 = 1;
    /// Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01).
    pub const TRANSPORT_CC: u8 = 15;
}

/// Payload-specific feedback message types (FMT of PSFB, packet type 206).
pub mod psfb_fmt {
    /// Picture loss indication (RFC 4585).
    pub const PLI: u8 = 1;
    /// Slice loss indication (RFC 4585).
    pub const SLI: u8 = 2;
    /// Reference picture selection indication (RFC 4585).
    pub const RPSI: u8 = 3;
    /// Full intra request (RFC 5104).
    pub const FIR: u8 = 4;
    /// Application layer feedback; REMB when the FCI starts with "REMB".
    pub const AFB: u8 = 15;
}

/// A feedback message (RTPFB or PSFB) of any FMT: a view over the packet bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Feedback<'a> {
    raw: RawPacket<'a>,
}

impl<'a> Feedback<'a> {
    /// Interprets a raw packet of type 205 or 206 (the type is not checked).
    pub fn parse(raw: RawPacket<'a>) -> Result<Self, RtcpError> {
        let got = raw.body().len();
        if got < 8 {
            return Err(RtcpError::BodyTooShort {
                packet: "feedback",
                needed: 8,
                got,
            });
        }
        // RFC 4585 §6.1: the FCI is a whole number of 32-bit words; a packet whose padding leaves it ragged is
        // malformed (and could not be written back). Transport-wide CC feedback is the exception: its chunks
        // and deltas end anywhere and the P bit pads them.
        let transport_cc =
            raw.packet_type() == crate::header::packet_type::RTPFB && raw.count() == rtpfb_fmt::TRANSPORT_CC;
        if !transport_cc && !(got - 8).is_multiple_of(4) {
            return Err(RtcpError::NotAligned {
                field: "feedback FCI",
                len: got - 8,
            });
        }
        Ok(Self { raw })
    }

    /// The underlying packet.
    pub fn raw(&self) -> RawPacket<'a> {
        self.raw
    }

    /// 205 (RTPFB) or 206 (PSFB).
    pub fn packet_type(&self) -> u8 {
        self.raw.packet_type()
    }

    /// The feedback message type.
    pub fn fmt(&self) -> u8 {
        self.raw.count()
    }

    /// SSRC of the packet sender.
    pub fn sender_ssrc(&self) -> u32 {
        rd32(self.raw.body(), 0)
    }

    /// SSRC of the media source the feedback is about.
    pub fn media_ssrc(&self) -> u32 {
        rd32(self.raw.body(), 4)
    }

    /// The feedback control information.
    pub fn fci(&self) -> &'a [u8] {
        &self.raw.body()[8..]
    }
}

/// An outgoing feedback message with opaque FCI (for SLI, RPSI, or anything this crate does not model).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedbackBuilder<'a> {
    /// 205 (RTPFB) or 206 (PSFB).
    pub packet_type: u8,
    /// Feedback message type, 0..=31.
    pub fmt: u8,
    /// SSRC of the packet sender.
    pub sender_ssrc: u32,
    /// SSRC of the media source.
    pub media_ssrc: u32,
    /// Feedback control information, a multiple of 4 bytes.
    pub fci: &'a [u8],
}

impl WriteRtcp for FeedbackBuilder<'_> {
    fn encoded_len(&self) -> usize {
        HEADER_LEN + 8 + self.fci.len()
    }

    fn write(&self, out: &mut [u8]) -> Result<usize, RtcpError> {
        if !self.fci.len().is_multiple_of(4) {
            return Err(RtcpError::NotAligned {
                field: "feedback FCI",
                len: self.fci.len(),
            });
        }
        let len = self.encoded_len();
        write_feedback_header(out, self.packet_type, self.fmt, self.sender_ssrc, self.media_ssrc, len)?;
        out[12..len].copy_from_slice(self.fci);
        Ok(len)
    }
}

/// Writes the 12 bytes every feedback message starts with, for a `total`-byte packet.
pub(crate) fn write_feedback_header(
    out: &mut [u8],
    packet_type: u8,
    fmt: u8,
    sender_ssrc: u32,
    media_ssrc: u32,
    total: usize,
) -> Result<(), RtcpError> {
    write_header(out, fmt.into(), packet_type, total)?;
    wr32(out, 4, sender_ssrc);
    wr32(out, 8, media_ssrc);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sli_passes_through_raw() {
        let bytes = [0x82, 206, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0xAB, 0xCD, 0xEF, 0x01];
        let fb = Feedback::parse(RawPacket::parse(&bytes).unwrap()).unwrap();
        assert_eq!((fb.packet_type(), fb.fmt()), (206, psfb_fmt::SLI));
        assert_eq!((fb.sender_ssrc(), fb.media_ssrc()), (1, 2));
        let b = FeedbackBuilder {
            packet_type: fb.packet_type(),
            fmt: fb.fmt(),
            sender_ssrc: 1,
            media_ssrc: 2,
            fci: fb.fci(),
        };
        let mut out = [0u8; 16];
        assert_eq!(b.write(&mut out), Ok(16));
        assert_eq!(out, bytes);
    }

    #[test]
    fn too_short() {
        let bytes = [0x81, 205, 0, 1, 0, 0, 0, 1];
        assert_eq!(
            Feedback::parse(RawPacket::parse(&bytes).unwrap()),
            Err(RtcpError::BodyTooShort {
                packet: "feedback",
                needed: 8,
                got: 4
            })
        );
    }

    #[test]
    fn padding_that_leaves_the_fci_ragged_is_refused() {
        // PSFB, P bit set, 4 words: SSRCs, 5 bytes of FCI and 3 bytes of padding (count 3).
        let bytes = [
            0xA2, 206, 0, 4, 0, 0, 0, 1, 0, 0, 0, 2, 0xAB, 0xCD, 0xEF, 0x01, 0x77, 0, 0, 3,
        ];
        assert_eq!(
            Feedback::parse(RawPacket::parse(&bytes).unwrap()),
            Err(RtcpError::NotAligned {
                field: "feedback FCI",
                len: 5
            })
        );
    }
}
