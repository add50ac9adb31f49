//! The parsed RTP packet view (RFC 3550 §5.1).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |V=2|P|X|  CC   |M|     PT      |       sequence number         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                           timestamp                           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |           synchronization source (SSRC) identifier            |
//! +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//! |       contributing source (CSRC) identifiers (0..15)          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  defined by profile (0xBEDE…) |     length (32-bit words)     |  (if X)
//! |                        extension data                         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                      payload ...     | padding... | pad count |  (padding if P)
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::Bytes;

use crate::error::RtpError;
use crate::ext::{ExtensionMap, HeaderExtension};
use crate::extension::{self, Elements, ExtensionForm, Lookup, SmallIdIndex};

/// The only RTP version.
pub const RTP_VERSION: u8 = 2;
/// Length of the fixed RTP header.
pub const FIXED_HEADER_LEN: usize = 12;

/// Where the pieces of a validated packet are, so accessors never re-check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Layout {
    /// Where elements with small ids are.
    index: SmallIdIndex,
    /// `HAS_EXTENSION | profile` when the X bit is set, else 0.
    ext_profile: u32,
    /// Offset of the extension block's element data (after its 4-byte header).
    ext_start: u32,
    /// Length of the extension block's element data.
    ext_len: u32,
    /// Offset where the payload starts (= header length).
    payload_start: u32,
    /// Offset where the payload ends (before padding).
    payload_end: u32,
}

const HAS_EXTENSION: u32 = 1 << 16;

impl Layout {
    #[inline]
    fn ext(&self) -> Option<(ExtensionForm, usize, usize)> {
        (self.ext_profile & HAS_EXTENSION != 0).then(|| {
            (
                ExtensionForm::from_profile(self.ext_profile as u16),
                self.ext_start as usize,
                (self.ext_start + self.ext_len) as usize,
            )
        })
    }
}

/// A parsed RTP packet: a validated, zero-copy view over `B` (`&[u8]`, [`Bytes`], `Vec<u8>`, …).
///
/// Parsing checks everything once (lengths, CSRC count, extension block and its elements, padding); the
/// accessors then read fields straight from the buffer and never fail.
#[derive(Clone, PartialEq, Eq)]
pub struct RtpPacket<B> {
    buf: B,
    layout: Layout,
}

impl<B: AsRef<[u8]>> core::fmt::Debug for RtpPacket<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RtpPacket")
            .field("pt", &self.payload_type())
            .field("seq", &self.sequence_number())
            .field("ts", &self.timestamp())
            .field("ssrc", &format_args!("{:#010x}", self.ssrc()))
            .field("marker", &self.marker())
            .field("csrcs", &self.csrc_count())
            .field(
                "extensions",
                &self.extensions().map(|e| (e.id, e.data)).collect::<ExtList<'_>>(),
            )
            .field("payload_len", &self.payload().len())
            .field("padding", &self.padding_len())
            .finish()
    }
}

/// Debug helper that prints extension elements without allocating a Vec.
struct ExtList<'a>([Option<(u8, &'a [u8])>; 16], usize);

impl<'a> FromIterator<(u8, &'a [u8])> for ExtList<'a> {
    fn from_iter<I: IntoIterator<Item = (u8, &'a [u8])>>(iter: I) -> Self {
        let mut l = ExtList([None; 16], 0);
        for (slot, e) in l.0.iter_mut().zip(iter) {
            *slot = Some(e);
            l.1 += 1;
        }
        l
    }
}

impl core::fmt::Debug for ExtList<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_map()
            .entries(self.0[..self.1].iter().flatten().map(|(id, d)| (id, d)))
            .finish()
    }
}

impl<B: AsRef<[u8]>> RtpPacket<B> {
    /// Parses and validates an RTP packet held in `buf`.
    #[inline]
    pub fn parse(buf: B) -> Result<Self, RtpError> {
        let layout = parse_layout(buf.as_ref())?;
        Ok(Self { buf, layout })
    }

    #[inline]
    fn b(&self) -> &[u8] {
        self.buf.as_ref()
    }

    /// The whole packet as received.
    pub fn as_bytes(&self) -> &[u8] {
        self.b()
    }

    /// Gives the buffer back.
    pub fn into_inner(self) -> B {
        self.buf
    }

    /// The buffer.
    pub fn buffer(&self) -> &B {
        &self.buf
    }

    /// The version field: always [`RTP_VERSION`], which parsing checked.
    #[inline]
    pub fn version(&self) -> u8 {
        self.b()[0] >> 6
    }

    /// The P bit.
    #[inline]
    pub fn has_padding(&self) -> bool {
        self.b()[0] & 0x20 != 0
    }

    /// The X bit.
    #[inline]
    pub fn has_extension(&self) -> bool {
        self.b()[0] & 0x10 != 0
    }

    /// The CC field: how many CSRCs follow the fixed header.
    #[inline]
    pub fn csrc_count(&self) -> u8 {
        self.b()[0] & 0x0F
    }

    /// The M bit.
    #[inline]
    pub fn marker(&self) -> bool {
        self.b()[1] & 0x80 != 0
    }

    /// The 7-bit payload type.
    #[inline]
    pub fn payload_type(&self) -> u8 {
        self.b()[1] & 0x7F
    }

    /// The 16-bit sequence number.
    #[inline]
    pub fn sequence_number(&self) -> u16 {
        let b = self.b();
        u16::from_be_bytes([b[2], b[3]])
    }

    /// The 32-bit media timestamp.
    #[inline]
    pub fn timestamp(&self) -> u32 {
        let b = self.b();
        u32::from_be_bytes([b[4], b[5], b[6], b[7]])
    }

    /// The synchronization source.
    #[inline]
    pub fn ssrc(&self) -> u32 {
        let b = self.b();
        u32::from_be_bytes([b[8], b[9], b[10], b[11]])
    }

    /// The contributing sources, in order.
    pub fn csrcs(&self) -> impl ExactSizeIterator<Item = u32> + '_ {
        let n = self.csrc_count() as usize;
        self.b()[FIXED_HEADER_LEN..FIXED_HEADER_LEN + 4 * n]
            .chunks_exact(4)
            .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
    }

    /// Bytes of header: fixed header, CSRCs and the extension block.
    #[inline]
    pub fn header_len(&self) -> usize {
        self.layout.payload_start as usize
    }

    /// The payload, without padding.
    #[inline]
    pub fn payload(&self) -> &[u8] {
        &self.b()[self.layout.payload_start as usize..self.layout.payload_end as usize]
    }

    /// Padding bytes at the end, including the count byte (0 when the P bit is clear).
    #[inline]
    pub fn padding_len(&self) -> u8 {
        (self.b().len() - self.layout.payload_end as usize) as u8
    }

    /// The extension block's form, when the X bit is set.
    pub fn extension_form(&self) -> Option<ExtensionForm> {
        self.layout.ext().map(|(f, _, _)| f)
    }

    /// The extension block's data (after its 4-byte header), when the X bit is set.
    pub fn extension_data(&self) -> Option<&[u8]> {
        self.layout.ext().map(|(_, start, end)| &self.b()[start..end])
    }

    /// The RFC 8285 extension elements (none for a non-RFC 8285 block).
    pub fn extensions(&self) -> Elements<'_> {
        match self.layout.ext() {
            Some((form, start, end)) => Elements::new(form, &self.b()[start..end]),
            None => Elements::empty(),
        }
    }

    /// The data of extension element `id` (the first one, should a sender repeat an id).
    #[inline(always)]
    #[allow(clippy::inline_always)] // measured: see `parse_layout`
    pub fn extension(&self, id: u8) -> Option<&[u8]> {
        let (form, start, end) = self.layout.ext()?;
        let block = &self.b()[start..end];
        match self.layout.index.lookup(form, block, id) {
            Lookup::Found(data) => Some(data),
            Lookup::Absent => None,
            Lookup::Unknown => extension::find(form, block, id),
        }
    }

    /// Reads the typed extension `E` using the ids in `map`.
    ///
    /// `None` when `map` has no id for `E`, the element is absent, or its data is not a valid `E`;
    /// [`RtpPacket::try_get`] tells these apart.
    pub fn get<'a, E: HeaderExtension<'a>>(&'a self, map: &ExtensionMap) -> Option<E> {
        self.try_get(map).ok().flatten()
    }

    /// Reads the typed extension `E`: `Ok(None)` when absent, `Err` when present but malformed.
    pub fn try_get<'a, E: HeaderExtension<'a>>(
        &'a self,
        map: &ExtensionMap,
    ) -> Result<Option<E>, crate::ExtensionError> {
        match map.id_of(E::KIND).and_then(|id| self.extension(id)) {
            Some(data) => E::decode(data).map(Some),
            None => Ok(None),
        }
    }
}

impl RtpPacket<Bytes> {
    /// Parses a packet held in [`Bytes`]; the payload can then be shared without copying.
    pub fn parse_bytes(buf: Bytes) -> Result<Self, RtpError> {
        Self::parse(buf)
    }

    /// The payload as [`Bytes`] sharing the packet's buffer (no copy).
    pub fn payload_bytes(&self) -> Bytes {
        self.buf
            .slice(self.layout.payload_start as usize..self.layout.payload_end as usize)
    }
}

// Inlined (measured): built out of line, the layout is stored and reloaded with mismatched widths, and
// the store-forwarding stalls cost more than the whole parse.
#[inline(always)]
#[allow(clippy::inline_always)]
fn parse_layout(b: &[u8]) -> Result<Layout, RtpError> {
    let got = b.len();
    if got < FIXED_HEADER_LEN {
        return Err(RtpError::TooShort {
            needed: FIXED_HEADER_LEN,
            got,
        });
    }
    let version = b[0] >> 6;
    if version != RTP_VERSION {
        return Err(RtpError::BadVersion(version));
    }
    if got > u32::MAX as usize {
        return Err(RtpError::TooLong {
            got,
            max: u32::MAX as usize,
        });
    }
    let cc = b[0] & 0x0F;
    let mut pos = FIXED_HEADER_LEN + 4 * cc as usize;
    if pos > got {
        return Err(RtpError::CsrcBeyondBuffer {
            count: cc,
            needed: pos,
            got,
        });
    }
    let (mut ext_profile, mut ext_start, mut ext_len) = (0, 0, 0);
    let mut index = SmallIdIndex::default();
    if b[0] & 0x10 != 0 {
        if pos + 4 > got {
            return Err(RtpError::ExtensionBeyondBuffer { needed: pos + 4, got });
        }
        let profile = u16::from_be_bytes([b[pos], b[pos + 1]]);
        let words = u16::from_be_bytes([b[pos + 2], b[pos + 3]]) as usize;
        let start = pos + 4;
        let end = start + 4 * words;
        if end > got {
            return Err(RtpError::ExtensionBeyondBuffer { needed: end, got });
        }
        let form = ExtensionForm::from_profile(profile);
        index = extension::validate(form, &b[start..end])?;
        (ext_profile, ext_start, ext_len) = (HAS_EXTENSION | u32::from(profile), start as u32, (end - start) as u32);
        pos = end;
    }
    let mut payload_end = got;
    if b[0] & 0x20 != 0 {
        let available = got - pos;
        // invariant: got >= 12, so the last byte exists.
        let padding = b[got - 1];
        if padding == 0 {
            return Err(RtpError::ZeroPadding);
        }
        if padding as usize > available {
            return Err(RtpError::PaddingBeyondPayload { padding, available });
        }
        payload_end -= padding as usize;
    }
    Ok(Layout {
        index,
        ext_profile,
        ext_start,
        ext_len,
        payload_start: pos as u32,
        payload_end: payload_end as u32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 3550 fixed header with 2 CSRCs, a one-byte extension block (RFC 8285 §4.2 example layout:
    /// id 1 with 1 byte, id 2 with 2 bytes, padding), payload, 4 bytes of padding.
    fn sample() -> Vec<u8> {
        let mut p = vec![
            0xB2, 0xE0, 0x12, 0x34, // V=2 P=1 X=1 CC=2, M=1 PT=96, seq 0x1234
            0xDE, 0xAD, 0xBE, 0xEF, // timestamp
            0x01, 0x02, 0x03, 0x04, // ssrc
            0x11, 0x11, 0x11, 0x11, // csrc 1
            0x22, 0x22, 0x22, 0x22, // csrc 2
            0xBE, 0xDE, 0x00, 0x02, // one-byte profile, 2 words
            0x10, 0xAA, 0x21, 0xBB, 0xCC, 0x00, 0x00, 0x00, // id1 [AA], id2 [BB CC], padding
        ];
        p.extend_from_slice(b"payload!");
        p.extend_from_slice(&[0, 0, 0, 4]);
        p
    }

    #[test]
    fn parses_every_field() {
        let raw = sample();
        let p = RtpPacket::parse(&raw[..]).unwrap();
        assert!(p.has_padding() && p.has_extension() && p.marker());
        assert_eq!(p.payload_type(), 96);
        assert_eq!(p.sequence_number(), 0x1234);
        assert_eq!(p.timestamp(), 0xDEAD_BEEF);
        assert_eq!(p.ssrc(), 0x0102_0304);
        assert_eq!(p.csrcs().collect::<Vec<_>>(), [0x1111_1111, 0x2222_2222]);
        assert_eq!(p.header_len(), 32);
        assert_eq!(p.payload(), b"payload!");
        assert_eq!(p.padding_len(), 4);
        assert_eq!(p.extension_form(), Some(ExtensionForm::OneByte));
        assert_eq!(p.extension(1), Some(&[0xAA][..]));
        assert_eq!(p.extension(2), Some(&[0xBB, 0xCC][..]));
        assert_eq!(p.extension(3), None);
    }

    #[test]
    fn precise_errors() {
        let raw = sample();
        assert_eq!(
            RtpPacket::parse(&raw[..7]).unwrap_err(),
            RtpError::TooShort { needed: 12, got: 7 }
        );
        let mut v1 = raw.clone();
        v1[0] = (v1[0] & 0x3F) | 0x40;
        assert_eq!(RtpPacket::parse(&v1[..]).unwrap_err(), RtpError::BadVersion(1));
        let mut cc = raw[..12].to_vec();
        cc[0] = 0x8F;
        assert_eq!(
            RtpPacket::parse(&cc[..]).unwrap_err(),
            RtpError::CsrcBeyondBuffer {
                count: 15,
                needed: 72,
                got: 12
            }
        );
        assert_eq!(
            RtpPacket::parse(&raw[..22]).unwrap_err(),
            RtpError::ExtensionBeyondBuffer { needed: 24, got: 22 }
        );
        assert_eq!(
            RtpPacket::parse(&raw[..26]).unwrap_err(),
            RtpError::ExtensionBeyondBuffer { needed: 32, got: 26 }
        );
        let mut zero = raw.clone();
        *zero.last_mut().unwrap() = 0;
        assert_eq!(RtpPacket::parse(&zero[..]).unwrap_err(), RtpError::ZeroPadding);
        let mut big = raw.clone();
        *big.last_mut().unwrap() = 13;
        assert_eq!(
            RtpPacket::parse(&big[..]).unwrap_err(),
            RtpError::PaddingBeyondPayload {
                padding: 13,
                available: 12
            }
        );
        let mut bad_elem = raw.clone();
        bad_elem[26] = 0x2F; // id 2 now claims 16 bytes
        assert!(matches!(
            RtpPacket::parse(&bad_elem[..]).unwrap_err(),
            RtpError::Extension(crate::ExtensionError::ElementBeyondBlock { id: 2, len: 16, .. })
        ));
    }

    #[test]
    fn padding_may_fill_the_whole_payload() {
        // A padding-only packet, as sent for bandwidth probing.
        let mut raw = vec![0xA0, 0x61, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3];
        raw.extend_from_slice(&[0; 223]);
        raw.push(224);
        let p = RtpPacket::parse(&raw[..]).unwrap();
        assert!(p.payload().is_empty());
        assert_eq!(p.padding_len(), 224);
    }

    #[test]
    fn non_rfc8285_extension_is_raw() {
        let raw = [
            0x90, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0x12, 0x34, 0, 1, 9, 9, 9, 9, 0xAB,
        ];
        let p = RtpPacket::parse(&raw[..]).unwrap();
        assert_eq!(p.extension_form(), Some(ExtensionForm::Other(0x1234)));
        assert_eq!(p.extension_data(), Some(&[9, 9, 9, 9][..]));
        assert_eq!(p.extensions().count(), 0);
        assert_eq!(p.payload(), [0xAB]);
    }

    #[test]
    fn bytes_payload_shares_the_buffer() {
        let raw = Bytes::from(sample());
        let p = RtpPacket::parse_bytes(raw.clone()).unwrap();
        let payload = p.payload_bytes();
        assert_eq!(&payload[..], b"payload!");
        assert_eq!(payload.as_ptr(), raw[32..].as_ptr());
    }

    #[test]
    fn a_repeated_id_reads_as_its_first_element_everywhere() {
        use crate::ext::{ExtensionKind, ExtensionMap, ExtensionValues, Mid, TransportSequenceNumber};
        let mut map = ExtensionMap::new();
        map.insert(1, ExtensionKind::Mid).unwrap();
        map.insert(3, ExtensionKind::TransportSequenceNumber).unwrap();
        // mid "a", tcc 7, mid "b", tcc 8 (one-byte elements), then two padding bytes.
        let mut raw = vec![0x90, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE, 0, 3];
        raw.extend_from_slice(&[0x10, b'a', 0x31, 0, 7, 0x10, b'b', 0x31, 0, 8, 0, 0]);
        let p = RtpPacket::parse(&raw[..]).unwrap();
        assert_eq!(p.extension(1), Some(&b"a"[..]));
        assert_eq!(p.get::<Mid<'_>>(&map), Some(Mid("a")));
        assert_eq!(p.get::<TransportSequenceNumber>(&map), Some(TransportSequenceNumber(7)));
        let v = ExtensionValues::decode(&p, &map);
        assert_eq!(
            (v.mid, v.transport_seq),
            (Some(Mid("a")), Some(TransportSequenceNumber(7)))
        );
        assert_eq!(v.malformed, 0);
        let h = crate::RtpHeader::from_packet(&p).unwrap();
        assert_eq!(h.extensions.get(1), Some(&b"a"[..]));
        assert_eq!(h.extensions.get(3), Some(&[0, 7][..]));
        assert_eq!(h.extensions.iter().count(), 2, "the repeats are dropped");
    }

    #[test]
    fn version_and_length_limit() {
        let p = RtpPacket::parse(&[0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1][..]).unwrap();
        assert_eq!(p.version(), RTP_VERSION);
        // More than a view can index: the error gives the length, not the limit twice. The zeroed pages are
        // never touched beyond the first and last.
        let mut huge = vec![0u8; u32::MAX as usize + 1];
        huge[0] = 0x80;
        assert_eq!(
            RtpPacket::parse(&huge[..]).map(|_| ()),
            Err(RtpError::TooLong {
                got: u32::MAX as usize + 1,
                max: u32::MAX as usize
            })
        );
    }
}
