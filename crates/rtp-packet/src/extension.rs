//! RFC 8285 header extension blocks: the one-byte and two-byte element forms.
//!
//! | form | profile | element header | id range | data length |
//! |---|---|---|---|---|
//! | one-byte | `0xBEDE` | `ID(4) L(4)`, length is `L + 1` | 1..=14 (15 stops parsing) | 1..=16 |
//! | two-byte | `0x100` + 4 app bits | `ID(8) L(8)` | 1..=255 | 0..=255 |
//!
//! In both forms a zero byte where an element header is expected is padding (in the one-byte form any
//! byte with id 0 is, whatever its length nibble).

use crate::error::ExtensionError;

/// The profile of the one-byte element form (RFC 8285 §4.2).
pub const ONE_BYTE_PROFILE: u16 = 0xBEDE;
/// The profile of the two-byte element form with app bits 0 (RFC 8285 §4.3); the low 4 bits carry app bits.
pub const TWO_BYTE_PROFILE: u16 = 0x1000;
/// How many bytes of element data (with their element headers) an outgoing [`ExtensionsBuf`] holds.
pub const EXTENSIONS_CAPACITY: usize = 256;

/// The form of a header extension block, from its 16-bit "defined by profile" field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExtensionForm {
    /// One-byte element headers (`0xBEDE`).
    OneByte,
    /// Two-byte element headers (`0x100X`), with the 4 app bits.
    TwoByte {
        /// The low 4 bits of the profile field.
        appbits: u8,
    },
    /// Not an RFC 8285 block: a profile-specific extension, exposed raw.
    Other(u16),
}

impl ExtensionForm {
    /// Classifies a profile field.
    pub const fn from_profile(profile: u16) -> Self {
        match profile {
            ONE_BYTE_PROFILE => Self::OneByte,
            p if p & 0xFFF0 == TWO_BYTE_PROFILE => Self::TwoByte {
                appbits: (p & 0x0F) as u8,
            },
            p => Self::Other(p),
        }
    }

    /// The profile field for this form.
    pub const fn profile(self) -> u16 {
        match self {
            Self::OneByte => ONE_BYTE_PROFILE,
            Self::TwoByte { appbits } => TWO_BYTE_PROFILE | (appbits as u16 & 0x0F),
            Self::Other(p) => p,
        }
    }
}

/// One header extension element: its local id and data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtensionElement<'a> {
    /// The local identifier negotiated with `a=extmap`.
    pub id: u8,
    /// The element data.
    pub data: &'a [u8],
}

/// Walks the elements of a block: calls `f(id, start, len)` for each (offsets within `block`) until it
/// returns `true`. Stops at a one-byte id 15; a malformed element is an error.
#[inline]
pub(crate) fn walk(
    form: ExtensionForm,
    block: &[u8],
    mut f: impl FnMut(u8, usize, usize) -> bool,
) -> Result<(), ExtensionError> {
    let two_byte = match form {
        ExtensionForm::OneByte => false,
        ExtensionForm::TwoByte { .. } => true,
        ExtensionForm::Other(_) => return Ok(()),
    };
    let mut pos = 0;
    while pos < block.len() {
        let first = block[pos];
        let (id, start, len) = if two_byte {
            if first == 0 {
                pos += 1;
                continue;
            }
            let Some(&len) = block.get(pos + 1) else {
                return Err(ExtensionError::TruncatedElementHeader { id: first });
            };
            (first, pos + 2, len as usize)
        } else {
            let id = first >> 4;
            if id == 0 {
                pos += 1;
                continue;
            }
            if id == 15 {
                break;
            }
            (id, pos + 1, (first & 0x0F) as usize + 1)
        };
        let available = block.len() - start;
        if len > available {
            return Err(ExtensionError::ElementBeyondBlock { id, len, available });
        }
        if f(id, start, len) {
            break;
        }
        pos = start + len;
    }
    Ok(())
}

/// A set of element ids (0..=255) on the stack, to keep the first of repeated ids.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct IdSet([u64; 4]);

impl IdSet {
    /// Adds `id`; returns whether it was new.
    pub(crate) fn insert(&mut self, id: u8) -> bool {
        let (word, bit) = (usize::from(id >> 6), 1u64 << (id & 63));
        let new = self.0[word] & bit == 0;
        self.0[word] |= bit;
        new
    }
}

/// Where the data of elements with ids below 16 starts in their block (one byte lane per id, 1..=255;
/// 0 = absent), recorded while validating so that typed lookups need no second walk. Kept in one `u128`
/// so the parsed layout moves as a few aligned words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct SmallIdIndex {
    offsets: u128,
    /// Every element with an id below 16 is in `offsets` (none started beyond byte 255).
    complete: bool,
}

impl SmallIdIndex {
    /// Looks `id` up; [`Lookup::Unknown`] when a walk is needed.
    #[inline(always)]
    #[allow(clippy::inline_always)] // measured: an out-of-line call reloads the layout through memory
    pub(crate) fn lookup<'a>(&self, form: ExtensionForm, block: &'a [u8], id: u8) -> Lookup<'a> {
        if id >= 16 {
            return Lookup::Unknown;
        }
        let start = ((self.offsets >> (u32::from(id) * 8)) as u8) as usize;
        if start == 0 {
            return if self.complete { Lookup::Absent } else { Lookup::Unknown };
        }
        // invariant: `start` was recorded from a validated element, so its header byte(s) precede it.
        let len = match form {
            ExtensionForm::OneByte => (block[start - 1] & 0x0F) as usize + 1,
            _ => block[start - 1] as usize,
        };
        Lookup::Found(&block[start..start + len])
    }
}

/// What [`SmallIdIndex::lookup`] knows about an id.
pub(crate) enum Lookup<'a> {
    /// The element's data.
    Found(&'a [u8]),
    /// No element has the id.
    Absent,
    /// The index does not cover the id: walk the block.
    Unknown,
}

/// Checks that the elements of `block` are well formed and indexes those with small ids.
#[inline]
pub(crate) fn validate(form: ExtensionForm, block: &[u8]) -> Result<SmallIdIndex, ExtensionError> {
    let mut offsets = 0u128;
    let mut complete = true;
    walk(form, block, |id, start, _| {
        if id < 16 {
            let shift = u32::from(id) * 8;
            if start > 255 {
                complete = false;
            } else if (offsets >> shift) as u8 == 0 {
                offsets |= (start as u128) << shift;
            }
        }
        false
    })?;
    Ok(SmallIdIndex { offsets, complete })
}

/// The data of the first element `id` in a block already validated (the slow path: ids the index
/// does not cover).
#[inline(never)]
pub(crate) fn find(form: ExtensionForm, block: &[u8], id: u8) -> Option<&[u8]> {
    let mut found = None;
    let _ = walk(form, block, |eid, start, len| {
        if eid == id {
            found = Some((start, len));
        }
        found.is_some()
    });
    found.map(|(start, len)| &block[start..start + len])
}

/// An iterator over the elements of an extension block.
///
/// Blocks reached through [`crate::RtpPacket`] were validated on parse, so iteration yields every element;
/// a block of form [`ExtensionForm::Other`] yields none.
#[derive(Debug, Clone)]
pub struct Elements<'a> {
    form: ExtensionForm,
    block: &'a [u8],
    pos: usize,
}

impl<'a> Elements<'a> {
    /// Iterates a block of the given form. Malformed trailing data ends the iteration.
    pub const fn new(form: ExtensionForm, block: &'a [u8]) -> Self {
        Self { form, block, pos: 0 }
    }

    /// An iterator that yields nothing.
    pub const fn empty() -> Self {
        Self {
            form: ExtensionForm::Other(0),
            block: &[],
            pos: 0,
        }
    }

    /// Finds the element with `id`.
    pub fn find_id(mut self, id: u8) -> Option<&'a [u8]> {
        self.find_map(|e| (e.id == id).then_some(e.data))
    }

    fn next_checked(&mut self) -> Option<Result<ExtensionElement<'a>, ExtensionError>> {
        let block = self.block;
        loop {
            let &first = block.get(self.pos)?;
            match self.form {
                ExtensionForm::OneByte => {
                    let id = first >> 4;
                    if id == 0 {
                        // Id 0 is padding; like libwebrtc, a non-zero length nibble is ignored.
                        self.pos += 1;
                        continue;
                    }
                    if id == 15 {
                        // RFC 8285 §4.2: id 15 ends the processing of the block.
                        self.pos = block.len();
                        return None;
                    }
                    let len = (first & 0x0F) as usize + 1;
                    let start = self.pos + 1;
                    return Some(self.take(id, start, len));
                }
                ExtensionForm::TwoByte { .. } => {
                    if first == 0 {
                        self.pos += 1;
                        continue;
                    }
                    let Some(&len) = block.get(self.pos + 1) else {
                        self.pos = block.len();
                        return Some(Err(ExtensionError::TruncatedElementHeader { id: first }));
                    };
                    let start = self.pos + 2;
                    return Some(self.take(first, start, len as usize));
                }
                ExtensionForm::Other(_) => return None,
            }
        }
    }

    fn take(&mut self, id: u8, start: usize, len: usize) -> Result<ExtensionElement<'a>, ExtensionError> {
        let available = self.block.len() - start.min(self.block.len());
        if len > available {
            self.pos = self.block.len();
            return Err(ExtensionError::ElementBeyondBlock { id, len, available });
        }
        self.pos = start + len;
        Ok(ExtensionElement {
            id,
            data: &self.block[start..start + len],
        })
    }
}

impl<'a> Iterator for Elements<'a> {
    type Item = ExtensionElement<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_checked()?.ok()
    }
}

/// The header extensions of an outgoing packet, held inline (no heap) in up to
/// [`EXTENSIONS_CAPACITY`] bytes, already in wire form so that writing is one copy.
///
/// The one-byte form is used while every id is in 1..=14 and every value is 1..=16 bytes; otherwise the
/// two-byte form (which needs `a=extmap-allow-mixed` or a two-byte-only peer).
/// [`ExtensionsBuf::set_form`] forces a form.
#[derive(Clone)]
pub struct ExtensionsBuf {
    /// The elements, encoded in the `two_byte` form, without padding.
    // invariant: every byte from `len` on is zero, so the elements and their padding are one copy.
    data: [u8; EXTENSIONS_CAPACITY],
    /// Bytes used in `data`.
    len: u16,
    /// `data` holds two-byte elements (else one-byte elements).
    two_byte: bool,
    form: Option<ExtensionForm>,
    raw_profile: Option<u16>,
}

impl Default for ExtensionsBuf {
    fn default() -> Self {
        Self::new()
    }
}

impl PartialEq for ExtensionsBuf {
    fn eq(&self, other: &Self) -> bool {
        self.two_byte == other.two_byte
            && self.stored() == other.stored()
            && self.form == other.form
            && self.raw_profile == other.raw_profile
    }
}

impl Eq for ExtensionsBuf {}

impl core::fmt::Debug for ExtensionsBuf {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut d = f.debug_struct("ExtensionsBuf");
        d.field("form", &self.form).field("raw_profile", &self.raw_profile);
        if self.raw_profile.is_some() {
            d.field("data", &self.stored());
        } else {
            d.field("elements", &DebugElements(self));
        }
        d.field("two_byte", &self.two_byte).field("len", &self.len).finish()
    }
}

struct DebugElements<'a>(&'a ExtensionsBuf);

impl core::fmt::Debug for DebugElements<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_map().entries(self.0.iter().map(|e| (e.id, e.data))).finish()
    }
}

const fn fits_one_byte(id: u8, len: usize) -> bool {
    id >= 1 && id <= 14 && len >= 1 && len <= 16
}

impl ExtensionsBuf {
    /// No extensions.
    pub const fn new() -> Self {
        Self {
            data: [0; EXTENSIONS_CAPACITY],
            len: 0,
            two_byte: false,
            form: None,
            raw_profile: None,
        }
    }

    fn stored(&self) -> &[u8] {
        &self.data[..self.len as usize]
    }

    fn stored_form(&self) -> ExtensionForm {
        if self.two_byte {
            ExtensionForm::TwoByte { appbits: 0 }
        } else {
            ExtensionForm::OneByte
        }
    }

    /// True when no extension is set.
    pub fn is_empty(&self) -> bool {
        self.len == 0 && self.raw_profile.is_none()
    }

    /// Removes every extension and any forced form.
    pub fn clear(&mut self) {
        self.data[..self.len as usize].fill(0);
        self.len = 0;
        self.two_byte = false;
        self.form = None;
        self.raw_profile = None;
    }

    /// Forces the element form used when writing (`None`: choose automatically).
    pub fn set_form(&mut self, form: Option<ExtensionForm>) {
        self.form = form;
        if self.raw_profile.is_none() {
            self.restore_canonical_storage();
        }
    }

    /// The forced form, if any.
    pub fn form(&self) -> Option<ExtensionForm> {
        self.form
    }

    /// Replaces everything with a raw, non-RFC 8285 extension (profile-defined 16 bits plus data).
    ///
    /// The data is padded with zeros to a multiple of 4 bytes when written.
    pub fn set_raw(&mut self, profile: u16, data: &[u8]) -> Result<(), ExtensionError> {
        if data.len() > EXTENSIONS_CAPACITY {
            return Err(ExtensionError::NoRoom {
                needed: data.len(),
                available: EXTENSIONS_CAPACITY,
            });
        }
        self.clear();
        self.data[..data.len()].copy_from_slice(data);
        self.len = data.len() as u16;
        self.raw_profile = Some(profile);
        Ok(())
    }

    /// The raw profile and data, when set with [`ExtensionsBuf::set_raw`].
    pub fn raw(&self) -> Option<(u16, &[u8])> {
        self.raw_profile.map(|p| (p, self.stored()))
    }

    /// Iterates the elements in insertion order.
    pub fn iter(&self) -> Elements<'_> {
        if self.raw_profile.is_some() {
            return Elements::empty();
        }
        Elements::new(self.stored_form(), self.stored())
    }

    /// The data of element `id`.
    pub fn get(&self, id: u8) -> Option<&[u8]> {
        self.position(id).map(|(_, start, len)| &self.data[start..start + len])
    }

    /// Where element `id` is in `data`: its header offset, data offset and data length.
    #[inline]
    fn position(&self, id: u8) -> Option<(usize, usize, usize)> {
        if self.raw_profile.is_some() {
            return None;
        }
        let mut pos = 0;
        let end = self.len as usize;
        while pos < end {
            let (eid, start, len) = if self.two_byte {
                (self.data[pos], pos + 2, self.data[pos + 1] as usize)
            } else {
                let b = self.data[pos];
                (b >> 4, pos + 1, (b & 0x0F) as usize + 1)
            };
            if eid == id {
                return Some((pos, start, len));
            }
            pos = start + len;
        }
        None
    }

    /// Adds element `id` with `value`, replacing an element with the same id.
    pub fn insert(&mut self, id: u8, value: &[u8]) -> Result<(), ExtensionError> {
        self.insert_with(id, value.len(), |b| b.copy_from_slice(value))
    }

    /// Adds element `id` with a value of `len` bytes written by `write`, replacing an element with the same id.
    pub(crate) fn insert_with(
        &mut self,
        id: u8,
        len: usize,
        write: impl FnOnce(&mut [u8]),
    ) -> Result<(), ExtensionError> {
        if id == 0 {
            return Err(ExtensionError::BadId(id));
        }
        if len > 255 {
            return Err(ExtensionError::BadLength { id, len });
        }
        if self.raw_profile.is_some() {
            self.clear();
        }
        if let Some((_, start, old)) = self.position(id) {
            if old == len {
                // Same size: overwrite in place (the common per-packet update, e.g. transport-cc).
                write(&mut self.data[start..start + len]);
                return Ok(());
            }
            self.remove(id);
        }
        if !self.two_byte && !fits_one_byte(id, len) {
            self.convert(true)?;
        }
        let start = self.len as usize;
        let header = if self.two_byte { 2 } else { 1 };
        let needed = header + len;
        let available = EXTENSIONS_CAPACITY - start;
        if needed > available {
            self.restore_canonical_storage();
            return Err(ExtensionError::NoRoom { needed, available });
        }
        if self.two_byte {
            self.data[start] = id;
            self.data[start + 1] = len as u8;
        } else {
            self.data[start] = (id << 4) | (len as u8 - 1);
        }
        write(&mut self.data[start + header..start + needed]);
        self.len += needed as u16;
        Ok(())
    }

    /// Removes element `id`; returns whether it was present.
    pub fn remove(&mut self, id: u8) -> bool {
        let Some((pos, start, len)) = self.position(id) else {
            return false;
        };
        let end = self.len as usize;
        self.data.copy_within(start + len..end, pos);
        self.len -= (start + len - pos) as u16;
        self.data[self.len as usize..end].fill(0);
        self.restore_canonical_storage();
        true
    }

    /// Stores two-byte elements only when the forced form or an element needs them.
    fn restore_canonical_storage(&mut self) {
        let want_two = matches!(self.form, Some(ExtensionForm::TwoByte { .. }))
            || self.iter().any(|e| !fits_one_byte(e.id, e.data.len()));
        if want_two != self.two_byte {
            // invariant: converting between forms always fits (see `convert`).
            let _ = self.convert(want_two);
        }
    }

    /// Re-encodes the stored elements in the other form. One-byte → two-byte grows each element by a byte;
    /// at most 14 one-byte elements of at most 17 bytes (238) grow to 252, within the capacity.
    fn convert(&mut self, to_two_byte: bool) -> Result<(), ExtensionError> {
        if to_two_byte == self.two_byte {
            return Ok(());
        }
        let mut out = [0u8; EXTENSIONS_CAPACITY];
        let mut n = 0;
        for e in self.iter() {
            let header = if to_two_byte { 2 } else { 1 };
            let needed = header + e.data.len();
            if n + needed > EXTENSIONS_CAPACITY {
                return Err(ExtensionError::NoRoom {
                    needed,
                    available: EXTENSIONS_CAPACITY - n,
                });
            }
            if to_two_byte {
                out[n] = e.id;
                out[n + 1] = e.data.len() as u8;
            } else {
                out[n] = (e.id << 4) | (e.data.len() as u8 - 1);
            }
            out[n + header..n + needed].copy_from_slice(e.data);
            n += needed;
        }
        self.data = out;
        self.len = n as u16;
        self.two_byte = to_two_byte;
        Ok(())
    }

    /// The form the extensions are written in.
    #[inline]
    pub fn effective_form(&self) -> ExtensionForm {
        match (self.raw_profile, self.form) {
            (Some(p), _) => ExtensionForm::Other(p),
            (None, Some(f)) => f,
            (None, None) => self.stored_form(),
        }
    }

    /// Bytes of the extension block when written: the 4-byte block header plus elements padded to 4.
    /// Zero when there are no extensions.
    #[inline]
    pub fn encoded_len(&self) -> usize {
        if self.is_empty() {
            return 0;
        }
        4 + (self.len as usize).div_ceil(4) * 4
    }

    /// Writes the block (header and padded elements) to the start of `out`; returns the bytes written
    /// ([`ExtensionsBuf::encoded_len`]).
    pub(crate) fn write(&self, out: &mut [u8]) -> Result<usize, ExtensionError> {
        let total = self.encoded_len();
        if total == 0 {
            return Ok(0);
        }
        let form = self.effective_form();
        if form == ExtensionForm::OneByte && self.two_byte {
            // Forced one-byte form, but an element does not fit it.
            let bad = self.iter().find(|e| !fits_one_byte(e.id, e.data.len()));
            return Err(match bad {
                Some(e) if (1..=14).contains(&e.id) => ExtensionError::BadLength {
                    id: e.id,
                    len: e.data.len(),
                },
                Some(e) => ExtensionError::BadId(e.id),
                None => ExtensionError::BadId(0),
            });
        }
        let available = out.len();
        let out = out.get_mut(..total).ok_or(ExtensionError::NoRoom {
            needed: total,
            available,
        })?;
        out[0..2].copy_from_slice(&form.profile().to_be_bytes());
        out[2..4].copy_from_slice(&(((total - 4) / 4) as u16).to_be_bytes());
        // Elements and zero padding in one copy (see the invariant on `data`).
        out[4..].copy_from_slice(&self.data[..total - 4]);
        Ok(total)
    }
}

impl<'a> IntoIterator for &'a ExtensionsBuf {
    type Item = ExtensionElement<'a>;
    type IntoIter = Elements<'a>;
    fn into_iter(self) -> Elements<'a> {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_classification() {
        assert_eq!(ExtensionForm::from_profile(0xBEDE), ExtensionForm::OneByte);
        assert_eq!(
            ExtensionForm::from_profile(0x1005),
            ExtensionForm::TwoByte { appbits: 5 }
        );
        assert_eq!(ExtensionForm::from_profile(0x1234), ExtensionForm::Other(0x1234));
        for p in [0xBEDE, 0x1000, 0x100F, 0xABCD] {
            assert_eq!(ExtensionForm::from_profile(p).profile(), p);
        }
    }

    #[test]
    fn one_byte_padding_and_id15() {
        // id 1 len 1, two padding bytes, id 2 len 2, then id 15 stops everything.
        let block = [0x10, 0xAA, 0, 0, 0x21, 1, 2, 0xF0, 0x30, 9];
        let got: Vec<_> = Elements::new(ExtensionForm::OneByte, &block).collect();
        assert_eq!(
            got,
            [
                ExtensionElement { id: 1, data: &[0xAA] },
                ExtensionElement { id: 2, data: &[1, 2] }
            ]
        );
        assert!(validate(ExtensionForm::OneByte, &block).is_ok());
    }

    #[test]
    fn malformed_elements_are_errors() {
        assert_eq!(
            validate(ExtensionForm::OneByte, &[0x13, 1, 2]),
            Err(ExtensionError::ElementBeyondBlock {
                id: 1,
                len: 4,
                available: 2
            })
        );
        assert_eq!(
            validate(ExtensionForm::TwoByte { appbits: 0 }, &[7]),
            Err(ExtensionError::TruncatedElementHeader { id: 7 })
        );
        assert_eq!(
            validate(ExtensionForm::TwoByte { appbits: 0 }, &[7, 3, 1]),
            Err(ExtensionError::ElementBeyondBlock {
                id: 7,
                len: 3,
                available: 1
            })
        );
    }

    #[test]
    fn two_byte_zero_length_element() {
        let block = [5, 0, 0, 6, 1, 0xEE];
        let got: Vec<_> = Elements::new(ExtensionForm::TwoByte { appbits: 0 }, &block).collect();
        assert_eq!(
            got,
            [
                ExtensionElement { id: 5, data: &[] },
                ExtensionElement { id: 6, data: &[0xEE] }
            ]
        );
    }

    #[test]
    fn buf_insert_replace_remove_and_form() {
        let mut b = ExtensionsBuf::new();
        b.insert(3, &[1, 2, 3]).unwrap();
        b.insert(5, &[9]).unwrap();
        b.insert(3, &[7]).unwrap();
        assert_eq!(b.get(3), Some(&[7][..]));
        assert_eq!(b.get(5), Some(&[9][..]));
        assert_eq!(b.effective_form(), ExtensionForm::OneByte);
        // 1+1 + 1+1 = 4 bytes of elements, plus the 4-byte block header.
        assert_eq!(b.encoded_len(), 8);
        b.insert(20, &[1]).unwrap();
        assert_eq!(b.effective_form(), ExtensionForm::TwoByte { appbits: 0 });
        assert!(b.remove(20));
        assert!(!b.remove(20));
        assert_eq!(b.effective_form(), ExtensionForm::OneByte);
        b.insert(4, &[]).unwrap();
        assert_eq!(b.effective_form(), ExtensionForm::TwoByte { appbits: 0 });
        assert_eq!(b.insert(0, &[1]), Err(ExtensionError::BadId(0)));
    }

    #[test]
    fn padding_is_zero_after_removal_and_clear() {
        let mut b = ExtensionsBuf::new();
        b.insert(1, &[0xFF; 9]).unwrap();
        b.insert(2, &[0xEE]).unwrap();
        assert!(b.remove(1));
        let mut out = [0xAA; 32];
        let n = b.write(&mut out).unwrap();
        assert_eq!(&out[..n], &[0xBE, 0xDE, 0, 1, 0x20, 0xEE, 0, 0]);
        b.set_raw(0x1234, &[7; 3]).unwrap();
        b.clear();
        b.insert(3, &[1]).unwrap();
        let n = b.write(&mut out).unwrap();
        assert_eq!(&out[..n], &[0xBE, 0xDE, 0, 1, 0x30, 1, 0, 0]);
    }

    #[test]
    fn buf_capacity_is_enforced() {
        let mut b = ExtensionsBuf::new();
        let big = [0u8; 200];
        b.insert(1, &big).unwrap();
        assert!(matches!(b.insert(2, &big), Err(ExtensionError::NoRoom { .. })));
        assert_eq!(b.get(2), None);
    }

    #[test]
    fn forced_one_byte_rejects_two_byte_only_values() {
        let mut b = ExtensionsBuf::new();
        b.insert(20, &[1]).unwrap();
        b.set_form(Some(ExtensionForm::OneByte));
        let mut out = [0u8; 64];
        assert_eq!(b.write(&mut out), Err(ExtensionError::BadId(20)));
    }
}
