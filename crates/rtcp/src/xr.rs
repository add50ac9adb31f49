//! Extended reports (RFC 3611): Receiver Reference Time and DLRR blocks; other blocks are kept raw.

use crate::error::RtcpError;
use crate::header::{HEADER_LEN, RawPacket, WriteRtcp, check_range, packet_type, rd16, rd32, wr16, wr32, write_header};
use crate::ntp::NtpTime;

/// Block type of a Receiver Reference Time block (RFC 3611 §4.4).
pub const XR_RRT: u8 = 4;
/// Block type of a DLRR block (RFC 3611 §4.5).
pub const XR_DLRR: u8 = 5;

/// One DLRR sub-block: what a receiver needs to compute its round-trip time to the sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DlrrItem {
    /// The receiver the sub-block is for.
    pub ssrc: u32,
    /// Middle 32 bits of the NTP time in that receiver's last RRT block.
    pub last_rr: u32,
    /// Delay since that RRT arrived, in 1/65536 s.
    pub delay_since_last_rr: u32,
}

/// One block of a received XR packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XrBlock<'a> {
    /// Receiver Reference Time: the receiver's NTP time.
    ReceiverReferenceTime(NtpTime),
    /// DLRR sub-blocks (12 bytes each; iterate with [`dlrr_items`]).
    Dlrr(&'a [u8]),
    /// Any other block type, uninterpreted.
    Other {
        /// Block type.
        block_type: u8,
        /// The type-specific byte.
        type_specific: u8,
        /// Block contents after its 4-byte header.
        data: &'a [u8],
    },
}

/// The sub-blocks held in the bytes of an [`XrBlock::Dlrr`].
pub fn dlrr_items(bytes: &[u8]) -> impl ExactSizeIterator<Item = DlrrItem> + '_ {
    bytes.chunks_exact(12).map(|c| DlrrItem {
        ssrc: rd32(c, 0),
        last_rr: rd32(c, 4),
        delay_since_last_rr: rd32(c, 8),
    })
}

/// A received XR packet: a view over the packet bytes, every block header checked when parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtendedReport<'a> {
    raw: RawPacket<'a>,
}

impl<'a> ExtendedReport<'a> {
    /// Interprets a raw packet of type 207.
    pub fn parse(raw: RawPacket<'a>) -> Result<Self, RtcpError> {
        let body = raw.body();
        if body.len() < 4 {
            return Err(RtcpError::BodyTooShort {
                packet: "XR",
                needed: 4,
                got: body.len(),
            });
        }
        let mut pos = 4;
        while pos < body.len() {
            let available = body.len() - pos;
            let block_type = body[pos];
            if available < 4 {
                return Err(RtcpError::XrBlockBeyondPacket {
                    block_type,
                    offset: pos,
                    declared: 4,
                    available,
                });
            }
            let declared = 4 + 4 * usize::from(rd16(body, pos + 2));
            if declared > available {
                return Err(RtcpError::XrBlockBeyondPacket {
                    block_type,
                    offset: pos,
                    declared,
                    available,
                });
            }
            let data_len = declared - 4;
            match block_type {
                XR_RRT if data_len != 8 => {
                    return Err(RtcpError::BadBodyLength {
                        packet: "XR RRT block",
                        len: data_len,
                    });
                }
                XR_DLRR if data_len % 12 != 0 => {
                    return Err(RtcpError::BadBodyLength {
                        packet: "XR DLRR block",
                        len: data_len,
                    });
                }
                _ => {}
            }
            pos += declared;
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

    /// The report blocks.
    pub fn blocks(&self) -> XrBlocks<'a> {
        XrBlocks {
            rest: &self.raw.body()[4..],
        }
    }
}

/// Iterates over the blocks of an [`ExtendedReport`].
#[derive(Debug, Clone)]
pub struct XrBlocks<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for XrBlocks<'a> {
    type Item = XrBlock<'a>;
    fn next(&mut self) -> Option<XrBlock<'a>> {
        // invariant: block lengths were checked in `ExtendedReport::parse`.
        if self.rest.len() < 4 {
            return None;
        }
        let len = 4 + 4 * usize::from(rd16(self.rest, 2));
        let (block, rest) = self.rest.split_at_checked(len)?;
        self.rest = rest;
        let data = &block[4..];
        Some(match block[0] {
            XR_RRT => {
                XrBlock::ReceiverReferenceTime(NtpTime((u64::from(rd32(data, 0)) << 32) | u64::from(rd32(data, 4))))
            }
            XR_DLRR => XrBlock::Dlrr(data),
            block_type => XrBlock::Other {
                block_type,
                type_specific: block[1],
                data,
            },
        })
    }
}

/// One block of an outgoing XR packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XrBlockBuilder<'a> {
    /// Receiver Reference Time.
    ReceiverReferenceTime(NtpTime),
    /// DLRR sub-blocks.
    Dlrr(&'a [DlrrItem]),
    /// Any other block, written as given.
    Other {
        /// Block type.
        block_type: u8,
        /// The type-specific byte.
        type_specific: u8,
        /// Contents, a multiple of 4 bytes.
        data: &'a [u8],
    },
}

impl XrBlockBuilder<'_> {
    fn data_len(&self) -> usize {
        match self {
            Self::ReceiverReferenceTime(_) => 8,
            Self::Dlrr(items) => 12 * items.len(),
            Self::Other { data, .. } => data.len(),
        }
    }
}

/// An outgoing XR packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExtendedReportBuilder<'a> {
    /// SSRC of the packet sender.
    pub sender_ssrc: u32,
    /// The report blocks.
    pub blocks: &'a [XrBlockBuilder<'a>],
}

impl WriteRtcp for ExtendedReportBuilder<'_> {
    fn encoded_len(&self) -> usize {
        HEADER_LEN + 4 + self.blocks.iter().map(|b| 4 + b.data_len()).sum::<usize>()
    }

    fn write(&self, out: &mut [u8]) -> Result<usize, RtcpError> {
        // Check every block before writing anything.
        for b in self.blocks {
            let data_len = b.data_len();
            if data_len % 4 != 0 {
                return Err(RtcpError::NotAligned {
                    field: "XR block data",
                    len: data_len,
                });
            }
            check_range("XR block length (words)", data_len / 4, 0xFFFF)?;
        }
        let len = self.encoded_len();
        write_header(out, 0, packet_type::XR, len)?;
        wr32(out, 4, self.sender_ssrc);
        let mut pos = 8;
        for b in self.blocks {
            let data_len = b.data_len();
            let (bt, ts) = match b {
                XrBlockBuilder::ReceiverReferenceTime(_) => (XR_RRT, 0),
                XrBlockBuilder::Dlrr(_) => (XR_DLRR, 0),
                XrBlockBuilder::Other {
                    block_type,
                    type_specific,
                    ..
                } => (*block_type, *type_specific),
            };
            out[pos] = bt;
            out[pos + 1] = ts;
            wr16(out, pos + 2, (data_len / 4) as u16);
            let d = pos + 4;
            match b {
                XrBlockBuilder::ReceiverReferenceTime(t) => {
                    wr32(out, d, t.seconds());
                    wr32(out, d + 4, t.fraction());
                }
                XrBlockBuilder::Dlrr(items) => {
                    for (i, it) in items.iter().enumerate() {
                        wr32(out, d + 12 * i, it.ssrc);
                        wr32(out, d + 12 * i + 4, it.last_rr);
                        wr32(out, d + 12 * i + 8, it.delay_since_last_rr);
                    }
                }
                XrBlockBuilder::Other { data, .. } => out[d..d + data.len()].copy_from_slice(data),
            }
            pos = d + data_len;
        }
        Ok(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misaligned_block_is_refused_before_writing() {
        let b = ExtendedReportBuilder {
            sender_ssrc: 1,
            blocks: &[XrBlockBuilder::Other {
                block_type: 42,
                type_specific: 0,
                data: &[1, 2, 3],
            }],
        };
        let mut out = [0xAAu8; 32];
        assert!(matches!(b.write(&mut out), Err(RtcpError::NotAligned { .. })));
        assert!(out.iter().all(|&x| x == 0xAA), "nothing written");
    }

    // RFC 3611 §4.4 and §4.5 layouts, plus an unknown block type 42.
    const XR: [u8; 44] = [
        0x80, 207, 0, 10, // V=2 PT=207 length=10
        0, 0, 0, 9, // SSRC
        4, 0, 0, 2, 0xE9, 0, 0, 1, 0x80, 0, 0, 0, // RRT
        5, 0, 0, 3, 0, 0, 0, 7, 0x00, 0x01, 0x80, 0x00, 0, 0, 0x40, 0, // DLRR, one sub-block
        42, 7, 0, 1, 1, 2, 3, 4, // unknown
    ];

    #[test]
    fn round_trip() {
        let xr = ExtendedReport::parse(RawPacket::parse(&XR).unwrap()).unwrap();
        assert_eq!(xr.sender_ssrc(), 9);
        let blocks: Vec<_> = xr.blocks().collect();
        assert_eq!(blocks.len(), 3);
        assert_eq!(
            blocks[0],
            XrBlock::ReceiverReferenceTime(NtpTime(0xE900_0001_8000_0000))
        );
        let XrBlock::Dlrr(d) = blocks[1] else {
            panic!("not DLRR: {:?}", blocks[1])
        };
        let items: Vec<_> = dlrr_items(d).collect();
        assert_eq!(
            items,
            vec![DlrrItem {
                ssrc: 7,
                last_rr: 0x0001_8000,
                delay_since_last_rr: 0x4000
            }]
        );
        let b = ExtendedReportBuilder {
            sender_ssrc: 9,
            blocks: &[
                XrBlockBuilder::ReceiverReferenceTime(NtpTime(0xE900_0001_8000_0000)),
                XrBlockBuilder::Dlrr(&items),
                XrBlockBuilder::Other {
                    block_type: 42,
                    type_specific: 7,
                    data: &[1, 2, 3, 4],
                },
            ],
        };
        let mut out = [0u8; 44];
        assert_eq!(b.write(&mut out), Ok(44));
        assert_eq!(out, XR);
    }

    #[test]
    fn malformed_blocks() {
        let mut bad = XR;
        bad[11] = 3; // RRT claims 12 bytes
        assert_eq!(
            ExtendedReport::parse(RawPacket::parse(&bad).unwrap()),
            Err(RtcpError::BadBodyLength {
                packet: "XR RRT block",
                len: 12
            })
        );
        let mut bad = XR;
        bad[39] = 9; // unknown block runs past the end
        assert_eq!(
            ExtendedReport::parse(RawPacket::parse(&bad).unwrap()),
            Err(RtcpError::XrBlockBeyondPacket {
                block_type: 42,
                offset: 32,
                declared: 40,
                available: 8
            })
        );
    }
}
