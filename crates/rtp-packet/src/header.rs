//! Owned RTP headers for outgoing packets, and writing packets into caller-provided buffers.

use bytes::{BufMut, BytesMut};

use crate::error::{ExtensionError, RtpError};
use crate::ext::{ExtensionMap, HeaderExtension};
use crate::extension::ExtensionsBuf;
use crate::packet::{FIXED_HEADER_LEN, RtpPacket};

/// Up to 15 contributing sources, held inline.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct Csrcs {
    list: [u32; 15],
    len: u8,
}

impl core::fmt::Debug for Csrcs {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

impl Csrcs {
    /// The CSRCs.
    pub fn as_slice(&self) -> &[u32] {
        &self.list[..self.len as usize]
    }

    /// Appends a CSRC; fails beyond 15.
    pub fn push(&mut self, csrc: u32) -> Result<(), RtpError> {
        let slot = self.list.get_mut(self.len as usize).ok_or(RtpError::FieldRange {
            field: "CSRC count",
            value: 16,
            max: 15,
        })?;
        *slot = csrc;
        self.len += 1;
        Ok(())
    }

    /// Removes every CSRC.
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// Number of CSRCs.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl TryFrom<&[u32]> for Csrcs {
    type Error = RtpError;
    fn try_from(v: &[u32]) -> Result<Self, RtpError> {
        let mut c = Self::default();
        for &s in v {
            c.push(s)?;
        }
        Ok(c)
    }
}

/// An owned RTP header: fixed fields, CSRCs and extensions, all inline (no heap).
///
/// Write it with a payload with [`RtpHeader::write`] / [`RtpHeader::write_to_bytes`], or build one with
/// [`RtpPacketBuilder`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RtpHeader {
    /// The M bit.
    pub marker: bool,
    /// Payload type, 0..=127.
    pub payload_type: u8,
    /// Sequence number.
    pub sequence_number: u16,
    /// Media timestamp.
    pub timestamp: u32,
    /// Synchronization source.
    pub ssrc: u32,
    /// Contributing sources.
    pub csrcs: Csrcs,
    /// Header extensions.
    pub extensions: ExtensionsBuf,
    /// Padding bytes to append, including the final count byte (0: no padding; the P bit follows).
    pub padding: u8,
}

impl RtpHeader {
    /// A header with the fields every packet needs and nothing else.
    pub fn new(payload_type: u8, sequence_number: u16, timestamp: u32, ssrc: u32) -> Self {
        Self {
            payload_type,
            sequence_number,
            timestamp,
            ssrc,
            ..Self::default()
        }
    }

    /// Copies the header of a parsed packet (fields, CSRCs, extensions in their form, padding length).
    ///
    /// Writing the copy gives back the packet's bytes, except that padding between extension elements
    /// and an extension block without elements are dropped, and so are the later elements of an id that
    /// repeats (the first counts, as for [`RtpPacket::extension`]).
    pub fn from_packet<B: AsRef<[u8]>>(p: &RtpPacket<B>) -> Result<Self, RtpError> {
        let mut h = Self::new(p.payload_type(), p.sequence_number(), p.timestamp(), p.ssrc());
        h.marker = p.marker();
        h.padding = p.padding_len();
        for c in p.csrcs() {
            h.csrcs.push(c)?;
        }
        if let Some(form) = p.extension_form() {
            if let crate::ExtensionForm::Other(profile) = form {
                h.extensions.set_raw(profile, p.extension_data().unwrap_or_default())?;
            } else if p.extensions().next().is_some() {
                // Keep the received form; an empty block is dropped (it carries nothing).
                h.extensions.set_form(Some(form));
                // A repeated id keeps its first element, as `RtpPacket::extension` reads it.
                let mut seen = crate::extension::IdSet::default();
                for e in p.extensions().filter(|e| seen.insert(e.id)) {
                    h.extensions.insert(e.id, e.data)?;
                }
            }
        }
        Ok(h)
    }

    /// Sets the typed extension `E` under the id `map` gives it; does nothing if `map` has no id for it.
    pub fn set_extension<'a, E: HeaderExtension<'a>>(
        &mut self,
        map: &ExtensionMap,
        value: &E,
    ) -> Result<(), ExtensionError> {
        match map.id_of(E::KIND) {
            Some(id) => self.set_extension_id(id, value),
            None => Ok(()),
        }
    }

    /// Sets the typed extension `E` under `id`.
    pub fn set_extension_id<'a, E: HeaderExtension<'a>>(&mut self, id: u8, value: &E) -> Result<(), ExtensionError> {
        self.extensions
            .insert_with(id, value.encoded_len(), |b| value.encode(b))
    }

    /// Bytes of header: fixed part, CSRCs and extension block.
    pub fn header_len(&self) -> usize {
        FIXED_HEADER_LEN + 4 * self.csrcs.len() + self.extensions.encoded_len()
    }

    /// Bytes of the whole packet with a payload of `payload_len` bytes.
    pub fn packet_len(&self, payload_len: usize) -> usize {
        self.header_len() + payload_len + self.padding as usize
    }

    /// Writes only the header into the start of `out`; returns its length.
    pub fn write_header(&self, out: &mut [u8]) -> Result<usize, RtpError> {
        if self.payload_type > 0x7F {
            return Err(RtpError::FieldRange {
                field: "payload type",
                value: self.payload_type.into(),
                max: 0x7F,
            });
        }
        let len = self.header_len();
        if out.len() < len {
            return Err(RtpError::BufferTooSmall {
                needed: len,
                got: out.len(),
            });
        }
        let x = !self.extensions.is_empty();
        out[0] = 0x80 | (u8::from(self.padding > 0) << 5) | (u8::from(x) << 4) | self.csrcs.len() as u8;
        out[1] = (u8::from(self.marker) << 7) | self.payload_type;
        out[2..4].copy_from_slice(&self.sequence_number.to_be_bytes());
        out[4..8].copy_from_slice(&self.timestamp.to_be_bytes());
        out[8..12].copy_from_slice(&self.ssrc.to_be_bytes());
        let mut pos = FIXED_HEADER_LEN;
        for c in self.csrcs.as_slice() {
            out[pos..pos + 4].copy_from_slice(&c.to_be_bytes());
            pos += 4;
        }
        pos += self.extensions.write(&mut out[pos..])?;
        Ok(pos)
    }

    /// Writes header, `payload` and padding into the start of `out`; returns the packet length.
    pub fn write(&self, payload: &[u8], out: &mut [u8]) -> Result<usize, RtpError> {
        let total = self.packet_len(payload.len());
        if out.len() < total {
            return Err(RtpError::BufferTooSmall {
                needed: total,
                got: out.len(),
            });
        }
        let h = self.write_header(out)?;
        out[h..h + payload.len()].copy_from_slice(payload);
        write_padding(&mut out[h + payload.len()..total], self.padding);
        Ok(total)
    }

    /// Appends the packet to `out`, growing it only if its spare capacity is too small.
    pub fn write_to_bytes(&self, payload: &[u8], out: &mut BytesMut) -> Result<usize, RtpError> {
        let total = self.packet_len(payload.len());
        let start = out.len();
        out.reserve(total);
        // invariant: reserve() made room for `total` more bytes.
        out.put_bytes(0, total);
        match self.write(payload, &mut out[start..]) {
            Ok(n) => Ok(n),
            Err(e) => {
                out.truncate(start);
                Err(e)
            }
        }
    }
}

/// Zero padding bytes with the count in the last one.
pub(crate) fn write_padding(out: &mut [u8], padding: u8) {
    if let Some((last, rest)) = out.split_last_mut() {
        rest.fill(0);
        *last = padding;
    }
}

/// Builds outgoing packets: `RtpPacketBuilder::new(pt, ssrc).sequence_number(..).timestamp(..)…write(..)`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RtpPacketBuilder {
    header: RtpHeader,
}

impl RtpPacketBuilder {
    /// Starts a packet of payload type `payload_type` from `ssrc`.
    pub fn new(payload_type: u8, ssrc: u32) -> Self {
        Self {
            header: RtpHeader::new(payload_type, 0, 0, ssrc),
        }
    }

    /// Sets the sequence number.
    #[must_use]
    pub fn sequence_number(mut self, seq: u16) -> Self {
        self.header.sequence_number = seq;
        self
    }

    /// Sets the timestamp.
    #[must_use]
    pub fn timestamp(mut self, ts: u32) -> Self {
        self.header.timestamp = ts;
        self
    }

    /// Sets the marker bit.
    #[must_use]
    pub fn marker(mut self, marker: bool) -> Self {
        self.header.marker = marker;
        self
    }

    /// Appends a CSRC (at most 15).
    pub fn csrc(mut self, csrc: u32) -> Result<Self, RtpError> {
        self.header.csrcs.push(csrc)?;
        Ok(self)
    }

    /// Adds padding: `len` bytes including the count byte (0 for none).
    #[must_use]
    pub fn padding(mut self, len: u8) -> Self {
        self.header.padding = len;
        self
    }

    /// Sets a typed extension under the id `map` negotiated for it (skipped when `map` has none).
    pub fn extension<'a, E: HeaderExtension<'a>>(
        mut self,
        map: &ExtensionMap,
        value: &E,
    ) -> Result<Self, ExtensionError> {
        self.header.set_extension(map, value)?;
        Ok(self)
    }

    /// Sets a raw extension element.
    pub fn raw_extension(mut self, id: u8, data: &[u8]) -> Result<Self, ExtensionError> {
        self.header.extensions.insert(id, data)?;
        Ok(self)
    }

    /// Bytes of header the packet will have: fixed part, CSRCs and extension block.
    pub fn header_len(&self) -> usize {
        self.header.header_len()
    }

    /// Bytes [`RtpPacketBuilder::write`] needs for a payload of `payload_len` bytes (header, payload, padding):
    /// the size of the output buffer.
    ///
    /// ```
    /// let builder = ortc_rtp_packet::RtpPacketBuilder::new(96, 1).padding(4);
    /// let mut out = vec![0; builder.packet_len(10)];
    /// assert_eq!(builder.write(&[7; 10], &mut out)?, 12 + 10 + 4);
    /// # Ok::<(), ortc_rtp_packet::RtpError>(())
    /// ```
    pub fn packet_len(&self, payload_len: usize) -> usize {
        self.header.packet_len(payload_len)
    }

    /// The header built so far.
    pub fn header(&self) -> &RtpHeader {
        &self.header
    }

    /// Finishes into the header.
    pub fn into_header(self) -> RtpHeader {
        self.header
    }

    /// Writes the packet with `payload` into `out`; see [`RtpHeader::write`].
    pub fn write(&self, payload: &[u8], out: &mut [u8]) -> Result<usize, RtpError> {
        self.header.write(payload, out)
    }

    /// Appends the packet with `payload` to `out`; see [`RtpHeader::write_to_bytes`].
    pub fn write_to_bytes(&self, payload: &[u8], out: &mut BytesMut) -> Result<usize, RtpError> {
        self.header.write_to_bytes(payload, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ExtensionForm;
    use crate::ext::{AbsSendTime, ExtensionKind, Mid, TransportSequenceNumber};

    #[test]
    fn builder_writes_what_parse_reads() {
        let mut map = ExtensionMap::new();
        map.insert(1, ExtensionKind::Mid).unwrap();
        map.insert(3, ExtensionKind::AbsSendTime).unwrap();
        map.insert(5, ExtensionKind::TransportSequenceNumber).unwrap();
        let b = RtpPacketBuilder::new(111, 0xCAFE_BABE)
            .sequence_number(65535)
            .timestamp(960)
            .marker(true)
            .csrc(7)
            .unwrap()
            .extension(&map, &Mid("0"))
            .unwrap()
            .extension(&map, &AbsSendTime(0x12_3456))
            .unwrap()
            .extension(&map, &TransportSequenceNumber(42))
            .unwrap()
            .padding(3);
        let mut out = BytesMut::with_capacity(100);
        let n = b.write_to_bytes(b"opus", &mut out).unwrap();
        assert_eq!(n, out.len());
        // 12 fixed + 4 csrc + 4 ext header + (2+4+3 → 12 padded) + 4 payload + 3 padding.
        assert_eq!(n, 39);
        let p = RtpPacket::parse(&out[..]).unwrap();
        assert_eq!(p.payload_type(), 111);
        assert_eq!(p.sequence_number(), 65535);
        assert!(p.marker());
        assert_eq!(p.csrcs().collect::<Vec<_>>(), [7]);
        assert_eq!(p.get::<Mid<'_>>(&map), Some(Mid("0")));
        assert_eq!(p.get::<AbsSendTime>(&map), Some(AbsSendTime(0x12_3456)));
        assert_eq!(
            p.get::<TransportSequenceNumber>(&map),
            Some(TransportSequenceNumber(42))
        );
        assert_eq!(p.payload(), b"opus");
        assert_eq!(p.padding_len(), 3);
        assert_eq!(p.extension_form(), Some(ExtensionForm::OneByte));
        assert_eq!(
            RtpHeader::from_packet(&p).unwrap().write_header(&mut [0; 64]).unwrap(),
            p.header_len()
        );
    }

    #[test]
    fn two_byte_form_when_needed() {
        let h = RtpPacketBuilder::new(96, 1)
            .raw_extension(1, &[])
            .unwrap()
            .raw_extension(200, &[0xAB; 20])
            .unwrap();
        let mut out = [0u8; 128];
        let n = h.write(&[1, 2, 3], &mut out).unwrap();
        let p = RtpPacket::parse(&out[..n]).unwrap();
        assert_eq!(p.extension_form(), Some(ExtensionForm::TwoByte { appbits: 0 }));
        assert_eq!(p.extension(1), Some(&[][..]));
        assert_eq!(p.extension(200), Some(&[0xAB; 20][..]));
    }

    #[test]
    fn write_errors() {
        let h = RtpHeader::new(128, 0, 0, 0);
        assert!(matches!(
            h.write(&[], &mut [0; 20]),
            Err(RtpError::FieldRange {
                field: "payload type",
                ..
            })
        ));
        let h = RtpHeader::new(0, 0, 0, 0);
        assert_eq!(
            h.write(&[0; 10], &mut [0; 20]),
            Err(RtpError::BufferTooSmall { needed: 22, got: 20 })
        );
        let mut c = Csrcs::default();
        for i in 0..15 {
            c.push(i).unwrap();
        }
        assert!(c.push(15).is_err());
    }

    #[test]
    fn write_to_bytes_leaves_buffer_alone_on_error() {
        let mut out = BytesMut::from(&b"keep"[..]);
        let h = RtpHeader::new(200, 0, 0, 0);
        assert!(h.write_to_bytes(b"x", &mut out).is_err());
        assert_eq!(&out[..], b"keep");
    }
}
