//! Application-defined packets (RFC 3550 §6.7).

use crate::error::RtcpError;
use crate::header::{HEADER_LEN, RawPacket, WriteRtcp, packet_type, rd32, wr32, write_header};

/// A received APP packet: a view over the packet bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct App<'a> {
    raw: RawPacket<'a>,
}

impl<'a> App<'a> {
    /// Interprets a raw packet of type 204.
    pub fn parse(raw: RawPacket<'a>) -> Result<Self, RtcpError> {
        let got = raw.body().len();
        if got < 8 {
            return Err(RtcpError::BodyTooShort {
                packet: "APP",
                needed: 8,
                got,
            });
        }
        // RFC 3550 §6.7: application data is a multiple of 32 bits; padding that leaves it ragged is malformed.
        if !(got - 8).is_multiple_of(4) {
            return Err(RtcpError::NotAligned {
                field: "APP data",
                len: got - 8,
            });
        }
        Ok(Self { raw })
    }

    /// The underlying packet.
    pub fn raw(&self) -> RawPacket<'a> {
        self.raw
    }

    /// The 5-bit subtype.
    pub fn subtype(&self) -> u8 {
        self.raw.count()
    }

    /// SSRC of the sender.
    pub fn sender_ssrc(&self) -> u32 {
        rd32(self.raw.body(), 0)
    }

    /// The four ASCII name characters.
    pub fn name(&self) -> [u8; 4] {
        let b = self.raw.body();
        [b[4], b[5], b[6], b[7]]
    }

    /// Application-dependent data.
    pub fn data(&self) -> &'a [u8] {
        &self.raw.body()[8..]
    }
}

/// An outgoing APP packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AppBuilder<'a> {
    /// 5-bit subtype.
    pub subtype: u8,
    /// SSRC of the sender.
    pub sender_ssrc: u32,
    /// Four ASCII characters.
    pub name: [u8; 4],
    /// Application data, a multiple of 4 bytes.
    pub data: &'a [u8],
}

impl WriteRtcp for AppBuilder<'_> {
    fn encoded_len(&self) -> usize {
        HEADER_LEN + 8 + self.data.len()
    }

    fn write(&self, out: &mut [u8]) -> Result<usize, RtcpError> {
        if !self.data.len().is_multiple_of(4) {
            return Err(RtcpError::NotAligned {
                field: "APP data",
                len: self.data.len(),
            });
        }
        let len = self.encoded_len();
        write_header(out, self.subtype.into(), packet_type::APP, len)?;
        wr32(out, 4, self.sender_ssrc);
        out[8..12].copy_from_slice(&self.name);
        out[12..len].copy_from_slice(self.data);
        Ok(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let bytes = [0x85, 204, 0, 3, 0, 0, 0, 7, b'q', b'o', b's', b'!', 1, 2, 3, 4];
        let app = App::parse(RawPacket::parse(&bytes).unwrap()).unwrap();
        assert_eq!((app.subtype(), app.sender_ssrc(), &app.name()), (5, 7, b"qos!"));
        assert_eq!(app.data(), &[1, 2, 3, 4]);
        let b = AppBuilder {
            subtype: 5,
            sender_ssrc: 7,
            name: *b"qos!",
            data: &[1, 2, 3, 4],
        };
        let mut out = [0u8; 16];
        assert_eq!(b.write(&mut out), Ok(16));
        assert_eq!(out, bytes);
        let too_big = AppBuilder { subtype: 32, ..b };
        assert!(matches!(too_big.write(&mut out), Err(RtcpError::FieldRange { .. })));
    }

    #[test]
    fn too_short() {
        let bytes = [0x80, 204, 0, 1, 0, 0, 0, 7];
        assert_eq!(
            App::parse(RawPacket::parse(&bytes).unwrap()),
            Err(RtcpError::BodyTooShort {
                packet: "APP",
                needed: 8,
                got: 4
            })
        );
    }

    #[test]
    fn padding_that_leaves_the_data_ragged_is_refused() {
        // APP, P bit set, 4 words: SSRC, name, 5 bytes of data and 3 bytes of padding (count 3).
        let bytes = [
            0xA0, 204, 0, 4, 0, 0, 0, 1, b'T', b'E', b'S', b'T', 1, 2, 3, 4, 5, 0, 0, 3,
        ];
        assert_eq!(
            App::parse(RawPacket::parse(&bytes).unwrap()),
            Err(RtcpError::NotAligned {
                field: "APP data",
                len: 5
            })
        );
    }
}
