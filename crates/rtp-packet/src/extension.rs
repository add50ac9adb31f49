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
fn walk(form: ExtensionForm, block: &[u8], mut f: impl FnMut(u8, usize, usize) -> bool) -> Result<(), ExtensionError> {
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
/// [`EXTENSIONS_CAPACITY`] bytes.
///
/// When written, the one-byte form is used if every id is in 1..=14 and every value is 1..=16 bytes;
/// otherwise the two-byte form (which needs `a=extmap-allow-mixed` or a two-byte-only peer).
/// [`ExtensionsBuf::set_form`] forces a form.
#[derive(Clone)]
pub struct ExtensionsBuf {
    /// Elements stored as `id, len, data...` (the two-byte layout without padding).
    data: [u8; EXTENSIONS_CAPACITY],
    /// Bytes used in `data`.
    len: u16,
    /// Bytes the elements take in the one-byte form (one header byte each).
    one_byte_len: u16,
    /// Every element fits the one-byte form.
    one_byte_ok: bool,
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
        self.stored() == other.stored() && self.form == other.form && self.raw_profile == other.raw_profile
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
            d.field("data", &DebugElements(self));
        }
        d.field("len", &self.len)
            .field("one_byte_len", &self.one_byte_len)
            .field("one_byte_ok", &self.one_byte_ok)
            .finish()
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
            one_byte_len: 0,
            one_byte_ok: true,
            form: None,
            raw_profile: None,
        }
    }

    fn stored(&self) -> &[u8] {
        &self.data[..self.len as usize]
    }

    /// True when no extension is set.
    pub fn is_empty(&self) -> bool {
        self.len == 0 && self.raw_profile.is_none()
    }

    /// Removes every extension and any forced form.
    pub fn clear(&mut self) {
        self.len = 0;
        self.one_byte_len = 0;
        self.one_byte_ok = true;
        self.form = None;
        self.raw_profile = None;
    }

    /// Forces the element form used when writing (`None`: choose automatically).
    pub fn set_form(&mut self, form: Option<ExtensionForm>) {
        self.form = form;
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
        Elements::new(ExtensionForm::TwoByte { appbits: 0 }, self.stored())
    }

    /// The data of element `id`.
    pub fn get(&self, id: u8) -> Option<&[u8]> {
        self.position(id).map(|(pos, len)| &self.data[pos + 2..pos + 2 + len])
    }

    /// Offset and data length of element `id` in `data`.
    #[inline]
    fn position(&self, id: u8) -> Option<(usize, usize)> {
        if self.raw_profile.is_some() {
            return None;
        }
        let mut pos = 0;
        let end = self.len as usize;
        while pos < end {
            let elen = self.data[pos + 1] as usize;
            if self.data[pos] == id {
                return Some((pos, elen));
            }
            pos += 2 + elen;
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
        if let Some((pos, old)) = self.position(id) {
            if old == len {
                // Same size: overwrite in place (the common per-packet update, e.g. transport-cc).
                write(&mut self.data[pos + 2..pos + 2 + len]);
                return Ok(());
            }
            self.remove(id);
        }
        let start = self.len as usize;
        let needed = 2 + len;
        let available = EXTENSIONS_CAPACITY - start;
        if needed > available {
            return Err(ExtensionError::NoRoom { needed, available });
        }
        self.data[start] = id;
        self.data[start + 1] = len as u8;
        write(&mut self.data[start + 2..start + needed]);
        self.len += needed as u16;
        self.one_byte_len += 1 + len as u16;
        self.one_byte_ok &= fits_one_byte(id, len);
        Ok(())
    }

    /// Removes element `id`; returns whether it was present.
    pub fn remove(&mut self, id: u8) -> bool {
        let Some((pos, elen)) = self.position(id) else {
            return false;
        };
        let end = self.len as usize;
        self.data.copy_within(pos + 2 + elen..end, pos);
        self.len -= 2 + elen as u16;
        self.one_byte_len -= 1 + elen as u16;
        self.one_byte_ok = self.iter().all(|e| fits_one_byte(e.id, e.data.len()));
        true
    }

    /// The form the extensions are written in.
    #[inline]
    pub fn effective_form(&self) -> ExtensionForm {
        match (self.raw_profile, self.form) {
            (Some(p), _) => ExtensionForm::Other(p),
            (None, Some(f)) => f,
            (None, None) if self.one_byte_ok => ExtensionForm::OneByte,
            (None, None) => ExtensionForm::TwoByte { appbits: 0 },
        }
    }

    /// Bytes of the extension block when written: the 4-byte block header plus elements padded to 4.
    /// Zero when there are no extensions.
    #[inline]
    pub fn encoded_len(&self) -> usize {
        if self.is_empty() {
            return 0;
        }
        let body = match self.effective_form() {
            ExtensionForm::OneByte => self.one_byte_len as usize,
            ExtensionForm::TwoByte { .. } | ExtensionForm::Other(_) => self.len as usize,
        };
        4 + body.div_ceil(4) * 4
    }

    /// Writes the block (header and padded elements) to the start of `out`; returns the bytes written
    /// ([`ExtensionsBuf::encoded_len`]).
    pub(crate) fn write(&self, out: &mut [u8]) -> Result<usize, ExtensionError> {
        let total = self.encoded_len();
        if total == 0 {
            return Ok(0);
        }
        let form = self.effective_form();
        if form == ExtensionForm::OneByte && !self.one_byte_ok {
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
        let stored = self.stored();
        let body = match form {
            ExtensionForm::OneByte => {
                let mut pos = 4;
                let mut at = 0;
                while at < stored.len() {
                    let (id, len) = (stored[at], stored[at + 1] as usize);
                    out[pos] = (id << 4) | (len as u8 - 1);
                    out[pos + 1..pos + 1 + len].copy_from_slice(&stored[at + 2..at + 2 + len]);
                    pos += 1 + len;
                    at += 2 + len;
                }
                pos
            }
            ExtensionForm::TwoByte { .. } | ExtensionForm::Other(_) => {
                out[4..4 + stored.len()].copy_from_slice(stored);
                4 + stored.len()
            }
        };
        out[body..].fill(0);
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
