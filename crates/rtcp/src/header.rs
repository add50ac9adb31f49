//! The 4-byte common header every RTCP packet starts with, and raw (untyped) packets.

use bytes::{BufMut, BytesMut};

use crate::error::RtcpError;

/// The only RTCP version (RFC 3550 §6.4.1).
pub const RTCP_VERSION: u8 = 2;
/// Bytes in the common header: V/P/count, packet type, length.
pub const HEADER_LEN: usize = 4;

/// RTCP packet type numbers (the second header byte).
pub mod packet_type {
    /// Sender report (RFC 3550).
    pub const SR: u8 = 200;
    /// Receiver report (RFC 3550).
    pub const RR: u8 = 201;
    /// Source description (RFC 3550).
    pub const SDES: u8 = 202;
    /// Goodbye (RFC 3550).
    pub const BYE: u8 = 203;
    /// Application-defined (RFC 3550).
    pub const APP: u8 = 204;
    /// Transport-layer feedback (RFC 4585).
    pub const RTPFB: u8 = 205;
    /// Payload-specific feedback (RFC 4585).
    pub const PSFB: u8 = 206;
    /// Extended reports (RFC 3611).
    pub const XR: u8 = 207;
}

/// One RTCP packet inside a compound buffer, with only the common header checked.
///
/// The length field, version and padding are valid; the body is not interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawPacket<'a> {
    bytes: &'a [u8],
    body_end: usize,
}

impl<'a> RawPacket<'a> {
    /// Reads the packet at the start of `buf`; returns it and its length (so the next packet starts there).
    pub fn parse_first(buf: &'a [u8]) -> Result<(Self, usize), RtcpError> {
        if buf.len() < HEADER_LEN {
            return Err(RtcpError::TooShort {
                needed: HEADER_LEN,
                got: buf.len(),
            });
        }
        let version = buf[0] >> 6;
        if version != RTCP_VERSION {
            return Err(RtcpError::BadVersion(version));
        }
        let len = (usize::from(u16::from_be_bytes([buf[2], buf[3]])) + 1) * 4;
        if len > buf.len() {
            return Err(RtcpError::LengthBeyondBuffer {
                declared: len,
                available: buf.len(),
            });
        }
        let mut body_end = len;
        if buf[0] & 0x20 != 0 {
            let padding = buf[len - 1];
            if padding == 0 {
                return Err(RtcpError::ZeroPadding);
            }
            if usize::from(padding) > len - HEADER_LEN {
                return Err(RtcpError::PaddingBeyondPacket {
                    padding,
                    available: len - HEADER_LEN,
                });
            }
            body_end -= usize::from(padding);
        }
        Ok((
            Self {
                bytes: &buf[..len],
                body_end,
            },
            len,
        ))
    }

    /// Parses a buffer that must hold exactly one RTCP packet.
    pub fn parse(buf: &'a [u8]) -> Result<Self, RtcpError> {
        let (p, len) = Self::parse_first(buf)?;
        if len != buf.len() {
            return Err(RtcpError::BadBodyLength {
                packet: "RTCP",
                len: buf.len() - HEADER_LEN,
            });
        }
        Ok(p)
    }

    /// The whole packet: header, body and padding.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The 5-bit count field (report count, source count, subtype or feedback message type).
    pub fn count(&self) -> u8 {
        self.bytes[0] & 0x1F
    }

    /// The packet type (second byte).
    pub fn packet_type(&self) -> u8 {
        self.bytes[1]
    }

    /// True when the P bit is set.
    pub fn has_padding(&self) -> bool {
        self.bytes[0] & 0x20 != 0
    }

    /// Padding bytes at the end, the count byte included (0 without padding).
    pub fn padding_len(&self) -> usize {
        self.bytes.len() - self.body_end
    }

    /// The bytes after the common header, without padding.
    pub fn body(&self) -> &'a [u8] {
        &self.bytes[HEADER_LEN..self.body_end]
    }

    /// Copies the packet unchanged into the start of `out`; returns its length.
    pub fn write(&self, out: &mut [u8]) -> Result<usize, RtcpError> {
        check_room(out, self.bytes.len())?;
        out[..self.bytes.len()].copy_from_slice(self.bytes);
        Ok(self.bytes.len())
    }
}

/// Something that serializes into one or more whole RTCP packets.
///
/// Every packet builder of this crate implements it, and so does [`RawPacket`] (copied as is);
/// [`crate::CompoundWriter`] takes any of them.
pub trait WriteRtcp {
    /// Bytes [`WriteRtcp::write`] will produce (a multiple of 4).
    fn encoded_len(&self) -> usize;

    /// Writes into the start of `out`; returns the number of bytes written.
    fn write(&self, out: &mut [u8]) -> Result<usize, RtcpError>;

    /// Appends to `out`, growing it only if its spare capacity is too small.
    fn write_to_bytes(&self, out: &mut BytesMut) -> Result<usize, RtcpError> {
        let len = self.encoded_len();
        let start = out.len();
        out.put_bytes(0, len);
        match self.write(&mut out[start..]) {
            Ok(n) => {
                out.truncate(start + n);
                Ok(n)
            }
            Err(e) => {
                out.truncate(start);
                Err(e)
            }
        }
    }
}

impl WriteRtcp for RawPacket<'_> {
    fn encoded_len(&self) -> usize {
        self.bytes.len()
    }
    fn write(&self, out: &mut [u8]) -> Result<usize, RtcpError> {
        RawPacket::write(self, out)
    }
}

/// Fails with [`RtcpError::BufferTooSmall`] unless `out` holds `needed` bytes.
pub(crate) fn check_room(out: &[u8], needed: usize) -> Result<(), RtcpError> {
    if out.len() < needed {
        return Err(RtcpError::BufferTooSmall { needed, got: out.len() });
    }
    Ok(())
}

/// Fails with [`RtcpError::FieldRange`] when `value > max`.
pub(crate) fn check_range(field: &'static str, value: usize, max: usize) -> Result<(), RtcpError> {
    if value > max {
        return Err(RtcpError::FieldRange {
            field,
            value: value as u64,
            max: max as u64,
        });
    }
    Ok(())
}

/// Checks room and the 5-bit count, then writes the common header for a `total`-byte packet (a multiple of 4).
pub(crate) fn write_header(out: &mut [u8], count: usize, packet_type: u8, total: usize) -> Result<(), RtcpError> {
    check_range("RTCP count", count, 31)?;
    check_range("RTCP length (bytes)", total, 65536 * 4)?;
    check_room(out, total)?;
    debug_assert!(total.is_multiple_of(4) && total >= HEADER_LEN);
    out[0] = (RTCP_VERSION << 6) | count as u8;
    out[1] = packet_type;
    out[2..4].copy_from_slice(&((total / 4 - 1) as u16).to_be_bytes());
    Ok(())
}

/// Reads a big-endian u16 at `i` (the caller has checked the bounds).
#[inline]
pub(crate) fn rd16(b: &[u8], i: usize) -> u16 {
    u16::from_be_bytes([b[i], b[i + 1]])
}

/// Reads a big-endian u24 at `i` (the caller has checked the bounds).
#[inline]
pub(crate) fn rd24(b: &[u8], i: usize) -> u32 {
    u32::from_be_bytes([0, b[i], b[i + 1], b[i + 2]])
}

/// Reads a big-endian u32 at `i` (the caller has checked the bounds).
#[inline]
pub(crate) fn rd32(b: &[u8], i: usize) -> u32 {
    u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

/// Writes a big-endian u32 at `i` (the caller has checked the bounds).
#[inline]
pub(crate) fn wr32(b: &mut [u8], i: usize, v: u32) {
    b[i..i + 4].copy_from_slice(&v.to_be_bytes());
}

/// Writes a big-endian u16 at `i` (the caller has checked the bounds).
#[inline]
pub(crate) fn wr16(b: &mut [u8], i: usize, v: u16) {
    b[i..i + 2].copy_from_slice(&v.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_errors() {
        assert_eq!(
            RawPacket::parse_first(&[0x80, 200]),
            Err(RtcpError::TooShort { needed: 4, got: 2 })
        );
        assert_eq!(
            RawPacket::parse_first(&[0x40, 200, 0, 0]),
            Err(RtcpError::BadVersion(1))
        );
        assert_eq!(
            RawPacket::parse_first(&[0x80, 200, 0, 1, 0, 0]),
            Err(RtcpError::LengthBeyondBuffer {
                declared: 8,
                available: 6
            })
        );
        assert_eq!(
            RawPacket::parse_first(&[0xA0, 201, 0, 1, 0, 0, 0, 0]),
            Err(RtcpError::ZeroPadding)
        );
        assert_eq!(
            RawPacket::parse_first(&[0xA0, 201, 0, 1, 0, 0, 0, 5]),
            Err(RtcpError::PaddingBeyondPacket {
                padding: 5,
                available: 4
            })
        );
    }

    #[test]
    fn padding_is_stripped_from_body() {
        let b = [0xA0, 204, 0, 2, 1, 2, 3, 4, 0, 0, 0, 4];
        let (p, n) = RawPacket::parse_first(&b).unwrap();
        assert_eq!(n, 12);
        assert_eq!(p.body(), &[1, 2, 3, 4]);
        assert_eq!(p.padding_len(), 4);
    }
}
