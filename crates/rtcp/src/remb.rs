//! Receiver estimated maximum bitrate (draft-alvestrand-rmcat-remb-03, "goog-remb"): a PSFB application
//! layer feedback message whose FCI starts with `REMB`.
//!
//! Unlike the other feedback messages, REMB names the media sources it is about in its FCI (the list
//! [`Remb::media_ssrcs`] reads and [`RembBuilder::media_ssrcs`] writes); the media source field of the common
//! feedback header is 0 by the draft, so neither type offers a single media SSRC. A received value other
//! than 0 is accepted (libwebrtc does not check it either) and stays readable through [`Remb::feedback`].

use crate::error::RtcpError;
use crate::fb::{Feedback, psfb_fmt, write_feedback_header};
use crate::header::{HEADER_LEN, WriteRtcp, check_range, packet_type, rd24, rd32, wr32};

/// The four bytes that mark an application layer feedback message as REMB.
pub const REMB_IDENTIFIER: [u8; 4] = *b"REMB";

/// A bitrate as REMB carries it: `mantissa << exponent` bits per second, 18-bit mantissa, 6-bit exponent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RembBitrate {
    /// 6-bit exponent.
    pub exponent: u8,
    /// 18-bit mantissa.
    pub mantissa: u32,
}

impl RembBitrate {
    /// The smallest exponent that holds `bps`, the mantissa rounded down (as libwebrtc encodes it).
    pub fn from_bps(bps: u64) -> Self {
        let mut exponent = 0u8;
        while exponent < 63 && (bps >> exponent) > 0x3_FFFF {
            exponent += 1;
        }
        Self {
            exponent,
            mantissa: ((bps >> exponent) & 0x3_FFFF) as u32,
        }
    }

    /// The bitrate in bits per second (saturating at `u64::MAX`); the inverse of [`Self::from_bps`] up to
    /// the mantissa's rounding.
    pub fn to_bps(self) -> u64 {
        u64::from(self.mantissa)
            .checked_shl(self.exponent.into())
            .filter(|v| v >> self.exponent == u64::from(self.mantissa))
            .unwrap_or(u64::MAX)
    }
}

/// A received REMB: a view over the packet bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Remb<'a> {
    fb: Feedback<'a>,
}

impl<'a> Remb<'a> {
    /// True when a PSFB application-layer message carries the REMB identifier.
    pub fn is_remb(fb: &Feedback<'_>) -> bool {
        fb.fmt() == psfb_fmt::AFB && fb.fci().starts_with(&REMB_IDENTIFIER)
    }

    /// Interprets a PSFB packet with FMT 15 and the `REMB` identifier.
    pub fn parse(fb: Feedback<'a>) -> Result<Self, RtcpError> {
        let fci = fb.fci();
        if fci.len() < 8 {
            return Err(RtcpError::BodyTooShort {
                packet: "REMB FCI",
                needed: 8,
                got: fci.len(),
            });
        }
        let count = fci[4];
        if fci.len() != 8 + 4 * usize::from(count) {
            return Err(RtcpError::RembSsrcCount {
                count,
                room: (fci.len() - 8) / 4,
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

    /// The estimate as encoded.
    pub fn bitrate(&self) -> RembBitrate {
        let v = rd24(self.fb.fci(), 5);
        RembBitrate {
            exponent: (v >> 18) as u8,
            mantissa: v & 0x3_FFFF,
        }
    }

    /// The estimate in bits per second: `self.bitrate().to_bps()`.
    pub fn bitrate_bps(&self) -> u64 {
        self.bitrate().to_bps()
    }

    /// The media sources the estimate applies to (the FCI's SSRC list; the header's media source field is 0).
    pub fn media_ssrcs(&self) -> impl ExactSizeIterator<Item = u32> + 'a {
        self.fb.fci()[8..].chunks_exact(4).map(|c| rd32(c, 0))
    }
}

/// An outgoing REMB (the header's media source field is written as 0; the sources go in `media_ssrcs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RembBuilder<'a> {
    /// SSRC of the packet sender.
    pub sender_ssrc: u32,
    /// The estimate; [`RembBitrate::from_bps`] encodes a number.
    pub bitrate: RembBitrate,
    /// The media sources the estimate applies to, at most 255.
    pub media_ssrcs: &'a [u32],
}

impl WriteRtcp for RembBuilder<'_> {
    fn encoded_len(&self) -> usize {
        HEADER_LEN + 16 + 4 * self.media_ssrcs.len()
    }

    fn write(&self, out: &mut [u8]) -> Result<usize, RtcpError> {
        check_range("REMB SSRC count", self.media_ssrcs.len(), 255)?;
        check_range("REMB exponent", self.bitrate.exponent.into(), 63)?;
        check_range("REMB mantissa", self.bitrate.mantissa as usize, 0x3_FFFF)?;
        let len = self.encoded_len();
        write_feedback_header(out, packet_type::PSFB, psfb_fmt::AFB, self.sender_ssrc, 0, len)?;
        out[12..16].copy_from_slice(&REMB_IDENTIFIER);
        let br = (u32::from(self.bitrate.exponent) << 18) | self.bitrate.mantissa;
        wr32(out, 16, (self.media_ssrcs.len() as u32) << 24 | br);
        for (i, s) in self.media_ssrcs.iter().enumerate() {
            wr32(out, 20 + 4 * i, *s);
        }
        Ok(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::RawPacket;

    // aiortc -> Chromium, from the capture.
    const REMB: [u8; 28] = [
        0x8f, 0xce, 0, 6, 0xeb, 0xc9, 0x5d, 0x16, 0, 0, 0, 0, b'R', b'E', b'M', b'B', 0x02, 0x03, 0x91, 0xa0, 0x84,
        0x49, 0x29, 0xf8, 0x33, 0x78, 0x4d, 0x2c,
    ];

    #[test]
    fn capture_round_trip() {
        let fb = Feedback::parse(RawPacket::parse(&REMB).unwrap()).unwrap();
        assert!(Remb::is_remb(&fb));
        let remb = Remb::parse(fb).unwrap();
        assert_eq!(remb.bitrate_bps(), 233_888);
        assert!(remb.media_ssrcs().eq([0x8449_29f8, 0x3378_4d2c]));
        assert_eq!(remb.feedback().media_ssrc(), 0, "the header's media source field");
        let ssrcs: Vec<_> = remb.media_ssrcs().collect();
        let b = RembBuilder {
            sender_ssrc: remb.sender_ssrc(),
            bitrate: RembBitrate::from_bps(233_888),
            media_ssrcs: &ssrcs,
        };
        let mut out = [0u8; 28];
        assert_eq!(b.write(&mut out), Ok(28));
        assert_eq!(out, REMB);
    }

    #[test]
    fn bitrate_encoding() {
        assert_eq!(
            RembBitrate::from_bps(0x3_FFFF),
            RembBitrate {
                exponent: 0,
                mantissa: 0x3_FFFF
            }
        );
        let b = RembBitrate::from_bps(10_000_000_000);
        assert!(b.mantissa <= 0x3_FFFF);
        assert!(b.to_bps() <= 10_000_000_000 && b.to_bps() > 10_000_000_000 - (1 << b.exponent));
        assert_eq!(
            RembBitrate {
                exponent: 63,
                mantissa: 0x3_FFFF
            }
            .to_bps(),
            u64::MAX
        );
    }

    #[test]
    fn ssrc_count_mismatch() {
        let mut bad = REMB;
        bad[16] = 3;
        let fb = Feedback::parse(RawPacket::parse(&bad).unwrap()).unwrap();
        assert_eq!(Remb::parse(fb), Err(RtcpError::RembSsrcCount { count: 3, room: 2 }));
    }
}
