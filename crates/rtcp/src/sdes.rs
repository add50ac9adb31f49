//! Source descriptions (RFC 3550 §6.5): chunks of (SSRC, items), each chunk padded to 32 bits.

use crate::error::RtcpError;
use crate::header::{HEADER_LEN, RawPacket, WriteRtcp, check_range, packet_type, rd32, wr32, write_header};

/// SDES item types (RFC 3550 §6.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SdesType {
    /// 1: canonical end-point identifier.
    Cname,
    /// 2: user name.
    Name,
    /// 3: e-mail address.
    Email,
    /// 4: phone number.
    Phone,
    /// 5: geographic location.
    Loc,
    /// 6: application or tool name.
    Tool,
    /// 7: notice/status.
    Note,
    /// 8: private extension (prefix length, prefix, value).
    Priv,
    /// Any other non-zero type.
    Other(u8),
}

impl SdesType {
    /// The type octet.
    pub fn to_u8(self) -> u8 {
        match self {
            Self::Cname => 1,
            Self::Name => 2,
            Self::Email => 3,
            Self::Phone => 4,
            Self::Loc => 5,
            Self::Tool => 6,
            Self::Note => 7,
            Self::Priv => 8,
            Self::Other(t) => t,
        }
    }
}

impl From<u8> for SdesType {
    fn from(t: u8) -> Self {
        match t {
            1 => Self::Cname,
            2 => Self::Name,
            3 => Self::Email,
            4 => Self::Phone,
            5 => Self::Loc,
            6 => Self::Tool,
            7 => Self::Note,
            8 => Self::Priv,
            t => Self::Other(t),
        }
    }
}

/// One SDES item: a type and up to 255 bytes of text (UTF-8 by the RFC, not checked).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SdesItem<'a> {
    /// The item type.
    pub kind: SdesType,
    /// The item value.
    pub value: &'a [u8],
}

/// A received SDES packet: a view over the packet bytes, validated when parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sdes<'a> {
    raw: RawPacket<'a>,
}

/// Walks one chunk starting at `pos` of `body`; returns the end of its items (before the null terminator)
/// and the start of the next chunk.
fn walk_chunk(body: &[u8], chunk: usize, mut pos: usize) -> Result<(usize, usize), RtcpError> {
    let start = pos;
    if body.len() < pos + 4 {
        return Err(RtcpError::BodyTooShort {
            packet: "SDES",
            needed: pos + 4,
            got: body.len(),
        });
    }
    pos += 4;
    loop {
        match body.get(pos) {
            None => return Err(RtcpError::SdesItemBeyondPacket { chunk, offset: pos }),
            Some(0) => {
                let items_end = pos;
                // The null item, then padding to the next 32-bit boundary of the chunk.
                let next = start + (pos - start + 4) / 4 * 4;
                if next > body.len() {
                    return Err(RtcpError::SdesItemBeyondPacket { chunk, offset: pos });
                }
                return Ok((items_end, next));
            }
            Some(_) => {
                let len = body.get(pos + 1).map(|&l| usize::from(l));
                match len {
                    Some(len) if pos + 2 + len <= body.len() => pos += 2 + len,
                    _ => return Err(RtcpError::SdesItemBeyondPacket { chunk, offset: pos }),
                }
            }
        }
    }
}

impl<'a> Sdes<'a> {
    /// Interprets a raw packet of type 202, checking every chunk and item.
    pub fn parse(raw: RawPacket<'a>) -> Result<Self, RtcpError> {
        let body = raw.body();
        let mut pos = 0;
        for chunk in 0..usize::from(raw.count()) {
            pos = walk_chunk(body, chunk, pos)?.1;
        }
        Ok(Self { raw })
    }

    /// The underlying packet.
    pub fn raw(&self) -> RawPacket<'a> {
        self.raw
    }

    /// The chunks.
    pub fn chunks(&self) -> SdesChunks<'a> {
        SdesChunks {
            body: self.raw.body(),
            pos: 0,
            left: self.raw.count(),
        }
    }

    /// The first CNAME of the packet, if any.
    pub fn cname(&self) -> Option<&'a [u8]> {
        self.chunks()
            .flat_map(|c| c.items())
            .find(|i| i.kind == SdesType::Cname)
            .map(|i| i.value)
    }
}

/// Iterates over the chunks of an [`Sdes`].
#[derive(Debug, Clone)]
pub struct SdesChunks<'a> {
    body: &'a [u8],
    pos: usize,
    left: u8,
}

impl<'a> Iterator for SdesChunks<'a> {
    type Item = SdesChunk<'a>;
    fn next(&mut self) -> Option<SdesChunk<'a>> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        // invariant: the packet was walked in `Sdes::parse`, so this cannot fail.
        let (items_end, next) = walk_chunk(self.body, 0, self.pos).ok()?;
        let chunk = SdesChunk {
            ssrc: rd32(self.body, self.pos),
            items: &self.body[self.pos + 4..items_end],
        };
        self.pos = next;
        Some(chunk)
    }
}

/// One chunk of a received SDES packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SdesChunk<'a> {
    /// The source described.
    pub ssrc: u32,
    items: &'a [u8],
}

impl<'a> SdesChunk<'a> {
    /// The items of the chunk (the terminating null item is not included).
    pub fn items(&self) -> SdesItems<'a> {
        SdesItems { rest: self.items }
    }
}

/// Iterates over the items of an [`SdesChunk`].
#[derive(Debug, Clone)]
pub struct SdesItems<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for SdesItems<'a> {
    type Item = SdesItem<'a>;
    fn next(&mut self) -> Option<SdesItem<'a>> {
        // invariant: `rest` is a sequence of complete items, checked in `Sdes::parse`.
        let (&kind, rest) = self.rest.split_first()?;
        let (&len, rest) = rest.split_first()?;
        let (value, rest) = rest.split_at_checked(usize::from(len))?;
        self.rest = rest;
        Some(SdesItem {
            kind: kind.into(),
            value,
        })
    }
}

/// One chunk of an outgoing SDES packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SdesChunkBuilder<'a> {
    /// The source described.
    pub ssrc: u32,
    /// Its items (values up to 255 bytes each).
    pub items: &'a [SdesItem<'a>],
}

impl SdesChunkBuilder<'_> {
    fn encoded_len(&self) -> usize {
        let items: usize = self.items.iter().map(|i| 2 + i.value.len()).sum();
        // SSRC, items, at least one null octet, padded to 32 bits.
        4 + (items + 4) / 4 * 4
    }

    fn write_into(&self, out: &mut [u8]) -> Result<usize, RtcpError> {
        let len = self.encoded_len();
        wr32(out, 0, self.ssrc);
        let mut pos = 4;
        for item in self.items {
            check_range("SDES item length", item.value.len(), 255)?;
            if item.kind.to_u8() == 0 {
                return Err(RtcpError::FieldRange {
                    field: "SDES item type (0 is END)",
                    value: 0,
                    max: 255,
                });
            }
            out[pos] = item.kind.to_u8();
            out[pos + 1] = item.value.len() as u8;
            out[pos + 2..pos + 2 + item.value.len()].copy_from_slice(item.value);
            pos += 2 + item.value.len();
        }
        out[pos..len].fill(0);
        Ok(len)
    }
}

/// An outgoing SDES packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SdesBuilder<'a> {
    /// Up to 31 chunks.
    pub chunks: &'a [SdesChunkBuilder<'a>],
}

impl WriteRtcp for SdesBuilder<'_> {
    fn encoded_len(&self) -> usize {
        HEADER_LEN + self.chunks.iter().map(SdesChunkBuilder::encoded_len).sum::<usize>()
    }

    fn write(&self, out: &mut [u8]) -> Result<usize, RtcpError> {
        let len = self.encoded_len();
        write_header(out, self.chunks.len(), packet_type::SDES, len)?;
        let mut pos = HEADER_LEN;
        for c in self.chunks {
            pos += c.write_into(&mut out[pos..])?;
        }
        Ok(len)
    }
}

/// The most common SDES packet: one chunk with one CNAME item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SdesCname<'a> {
    /// The source described.
    pub ssrc: u32,
    /// Its canonical name (up to 255 bytes).
    pub cname: &'a str,
}

impl WriteRtcp for SdesCname<'_> {
    fn encoded_len(&self) -> usize {
        HEADER_LEN + 4 + (2 + self.cname.len() + 4) / 4 * 4
    }

    fn write(&self, out: &mut [u8]) -> Result<usize, RtcpError> {
        let item = [SdesItem {
            kind: SdesType::Cname,
            value: self.cname.as_bytes(),
        }];
        let chunk = [SdesChunkBuilder {
            ssrc: self.ssrc,
            items: &item,
        }];
        SdesBuilder { chunks: &chunk }.write(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chromium_cname_round_trip() {
        // From the Chromium capture: 16-byte CNAME, two null octets.
        let mut bytes = vec![0x81, 202, 0, 6, 0x33, 0x78, 0x4d, 0x2c, 1, 16];
        bytes.extend_from_slice(b"w5Jz1ImuTufvp74j");
        bytes.extend_from_slice(&[0, 0]);
        let sdes = Sdes::parse(RawPacket::parse(&bytes).unwrap()).unwrap();
        assert_eq!(sdes.cname(), Some(&b"w5Jz1ImuTufvp74j"[..]));
        let mut out = [0u8; 28];
        let w = SdesCname {
            ssrc: 0x3378_4d2c,
            cname: "w5Jz1ImuTufvp74j",
        };
        assert_eq!(w.encoded_len(), 28);
        assert_eq!(w.write(&mut out), Ok(28));
        assert_eq!(&out[..], &bytes[..]);
    }

    #[test]
    fn items_ending_on_boundary_get_a_whole_null_word() {
        // Item of 2 + 2 bytes ends aligned: four null octets follow.
        let items = [SdesItem {
            kind: SdesType::Tool,
            value: b"ab",
        }];
        let chunks = [
            SdesChunkBuilder { ssrc: 1, items: &items },
            SdesChunkBuilder { ssrc: 2, items: &[] },
        ];
        let b = SdesBuilder { chunks: &chunks };
        let mut out = [0u8; 24];
        assert_eq!(b.write(&mut out), Ok(24));
        assert_eq!(
            out,
            [
                0x82, 202, 0, 5, 0, 0, 0, 1, 6, 2, b'a', b'b', 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0
            ]
        );
        let sdes = Sdes::parse(RawPacket::parse(&out).unwrap()).unwrap();
        let got: Vec<_> = sdes.chunks().map(|c| (c.ssrc, c.items().collect::<Vec<_>>())).collect();
        assert_eq!(got, vec![(1, items.to_vec()), (2, vec![])]);
        assert_eq!(sdes.cname(), None);
    }

    #[test]
    fn malformed() {
        // Item length runs past the packet.
        let bytes = [0x81, 202, 0, 2, 0, 0, 0, 1, 1, 9, b'x', 0];
        assert_eq!(
            Sdes::parse(RawPacket::parse(&bytes).unwrap()),
            Err(RtcpError::SdesItemBeyondPacket { chunk: 0, offset: 4 })
        );
        // No null terminator.
        let bytes = [0x81, 202, 0, 2, 0, 0, 0, 1, 1, 2, b'x', b'y'];
        assert_eq!(
            Sdes::parse(RawPacket::parse(&bytes).unwrap()),
            Err(RtcpError::SdesItemBeyondPacket { chunk: 0, offset: 8 })
        );
        // Two chunks announced, one present.
        let bytes = [0x82, 202, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0];
        assert_eq!(
            Sdes::parse(RawPacket::parse(&bytes).unwrap()),
            Err(RtcpError::BodyTooShort {
                packet: "SDES",
                needed: 12,
                got: 8
            })
        );
    }
}
