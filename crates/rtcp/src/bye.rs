//! Goodbye packets (RFC 3550 §6.6).

use crate::error::RtcpError;
use crate::header::{HEADER_LEN, RawPacket, WriteRtcp, check_range, packet_type, rd32, wr32, write_header};

/// A received BYE: a view over the packet bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bye<'a> {
    raw: RawPacket<'a>,
}

impl<'a> Bye<'a> {
    /// Interprets a raw packet of type 203.
    pub fn parse(raw: RawPacket<'a>) -> Result<Self, RtcpError> {
        let body = raw.body();
        let needed = 4 * usize::from(raw.count());
        if body.len() < needed {
            return Err(RtcpError::BodyTooShort {
                packet: "BYE",
                needed,
                got: body.len(),
            });
        }
        if let Some(&len) = body.get(needed) {
            let available = body.len() - needed - 1;
            if usize::from(len) > available {
                return Err(RtcpError::ByeReasonBeyondPacket {
                    len: len.into(),
                    available,
                });
            }
        }
        Ok(Self { raw })
    }

    /// The underlying packet.
    pub fn raw(&self) -> RawPacket<'a> {
        self.raw
    }

    /// The sources leaving.
    pub fn sources(&self) -> impl ExactSizeIterator<Item = u32> + 'a {
        let n = 4 * usize::from(self.raw.count());
        self.raw.body()[..n].chunks_exact(4).map(|c| rd32(c, 0))
    }

    /// The reason for leaving, if one was given.
    pub fn reason(&self) -> Option<&'a [u8]> {
        let body = self.raw.body();
        let at = 4 * usize::from(self.raw.count());
        let len = usize::from(*body.get(at)?);
        body.get(at + 1..at + 1 + len)
    }
}

/// An outgoing BYE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ByeBuilder<'a> {
    /// Up to 31 sources.
    pub sources: &'a [u32],
    /// Optional reason, up to 255 bytes.
    pub reason: Option<&'a [u8]>,
}

impl WriteRtcp for ByeBuilder<'_> {
    fn encoded_len(&self) -> usize {
        let reason = self.reason.map_or(0, |r| (1 + r.len()).div_ceil(4) * 4);
        HEADER_LEN + 4 * self.sources.len() + reason
    }

    fn write(&self, out: &mut [u8]) -> Result<usize, RtcpError> {
        let len = self.encoded_len();
        write_header(out, self.sources.len(), packet_type::BYE, len)?;
        for (i, s) in self.sources.iter().enumerate() {
            wr32(out, HEADER_LEN + 4 * i, *s);
        }
        if let Some(r) = self.reason {
            check_range("BYE reason length", r.len(), 255)?;
            let at = HEADER_LEN + 4 * self.sources.len();
            out[at] = r.len() as u8;
            out[at + 1..at + 1 + r.len()].copy_from_slice(r);
            out[at + 1 + r.len()..len].fill(0);
        }
        Ok(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aiortc_bye() {
        let bytes = [0x81, 203, 0, 1, 0x5c, 0x0d, 0xde, 0xf0];
        let bye = Bye::parse(RawPacket::parse(&bytes).unwrap()).unwrap();
        assert!(bye.sources().eq([0x5c0d_def0]));
        assert_eq!(bye.reason(), None);
        let mut out = [0u8; 8];
        let b = ByeBuilder {
            sources: &[0x5c0d_def0],
            reason: None,
        };
        assert_eq!(b.write(&mut out), Ok(8));
        assert_eq!(out, bytes);
    }

    #[test]
    fn with_reason() {
        let bytes = [
            0x82, 203, 0, 4, 0, 0, 0, 1, 0, 0, 0, 2, 5, b'b', b'y', b'e', b'!', b'!', 0, 0,
        ];
        let bye = Bye::parse(RawPacket::parse(&bytes).unwrap()).unwrap();
        assert!(bye.sources().eq([1, 2]));
        assert_eq!(bye.reason(), Some(&b"bye!!"[..]));
        let mut out = [0u8; 20];
        let b = ByeBuilder {
            sources: &[1, 2],
            reason: Some(b"bye!!"),
        };
        assert_eq!(b.write(&mut out), Ok(20));
        assert_eq!(out, bytes);
    }

    #[test]
    fn reason_beyond_packet() {
        let bytes = [0x81, 203, 0, 2, 0, 0, 0, 1, 9, b'x', 0, 0];
        assert_eq!(
            Bye::parse(RawPacket::parse(&bytes).unwrap()),
            Err(RtcpError::ByeReasonBeyondPacket { len: 9, available: 3 })
        );
    }
}
