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

/// Checks that the elements of a block are well formed.
pub(crate) fn validate(form: ExtensionForm, block: &[u8]) -> Result<(), ExtensionError> {
    let mut it = Elements { form, block, pos: 0 };
    while let Some(item) = it.next_checked() {
        item?;
    }
    Ok(())
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
    pub fn find(mut self, id: u8) -> Option<&'a [u8]> {
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
    /// Elements stored as `id, len, data...`.
    data: [u8; EXTENSIONS_CAPACITY],
    len: u16,
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
        d.field("len", &self.len).finish()
    }
}

struct DebugElements<'a>(&'a ExtensionsBuf);

impl core::fmt::Debug for DebugElements<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_map().entries(self.0.iter().map(|e| (e.id, e.data))).finish()
    }
}

impl ExtensionsBuf {
    /// No extensions.
    pub const fn new() -> Self {
        Self {
            data: [0; EXTENSIONS_CAPACITY],
            len: 0,
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
        *self = Self::new();
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
    pub fn iter(&self) -> impl Iterator<Item = ExtensionElement<'_>> + '_ {
        let stored = if self.raw_profile.is_some() {
            &[][..]
        } else {
            self.stored()
        };
        Elements::new(ExtensionForm::TwoByte { appbits: 0 }, stored)
    }

    /// The data of element `id`.
    pub fn get(&self, id: u8) -> Option<&[u8]> {
        self.iter().find(|e| e.id == id).map(|e| e.data)
    }

    /// Adds element `id` with `value`, replacing an element with the same id.
    pub fn insert(&mut self, id: u8, value: &[u8]) -> Result<(), ExtensionError> {
        if id == 0 {
            return Err(ExtensionError::BadId(id));
        }
        if value.len() > 255 {
            return Err(ExtensionError::BadLength { id, len: value.len() });
        }
        if self.raw_profile.is_some() {
            self.clear();
        }
        self.remove(id);
        let start = self.len as usize;
        let needed = 2 + value.len();
        let available = EXTENSIONS_CAPACITY - start;
        if needed > available {
            return Err(ExtensionError::NoRoom { needed, available });
        }
        self.data[start] = id;
        self.data[start + 1] = value.len() as u8;
        self.data[start + 2..start + needed].copy_from_slice(value);
        self.len += needed as u16;
        Ok(())
    }

    /// Adds element `id` with a value of `len` bytes written by `write`, replacing an element with the same id.
    pub(crate) fn insert_with(
        &mut self,
        id: u8,
        len: usize,
        write: impl FnOnce(&mut [u8]),
    ) -> Result<(), ExtensionError> {
        let mut tmp = [0u8; 255];
        let buf = tmp.get_mut(..len).ok_or(ExtensionError::BadLength { id, len })?;
        write(buf);
        self.insert(id, buf)
    }

    /// Removes element `id`; returns whether it was present.
    pub fn remove(&mut self, id: u8) -> bool {
        let mut pos = 0;
        let len = self.len as usize;
        while pos + 1 < len {
            let elen = 2 + self.data[pos + 1] as usize;
            if self.data[pos] == id {
                self.data.copy_within(pos + elen..len, pos);
                self.len -= elen as u16;
                return true;
            }
            pos += elen;
        }
        false
    }

    /// The form that [`ExtensionsBuf::write`] will use.
    pub fn effective_form(&self) -> ExtensionForm {
        if let Some(p) = self.raw_profile {
            return ExtensionForm::Other(p);
        }
        if let Some(f) = self.form {
            return f;
        }
        let one_byte_ok = self
            .iter()
            .all(|e| (1..=14).contains(&e.id) && (1..=16).contains(&e.data.len()));
        if one_byte_ok {
            ExtensionForm::OneByte
        } else {
            ExtensionForm::TwoByte { appbits: 0 }
        }
    }

    /// Bytes of the extension block when written: the 4-byte block header plus elements padded to 4.
    /// Zero when there are no extensions.
    pub fn encoded_len(&self) -> usize {
        if self.is_empty() {
            return 0;
        }
        let body = match self.effective_form() {
            ExtensionForm::OneByte => self.iter().map(|e| 1 + e.data.len()).sum(),
            ExtensionForm::TwoByte { .. } | ExtensionForm::Other(_) => self.len as usize,
        };
        4 + body.div_ceil(4) * 4
    }

    /// Writes the block (header and padded elements) to the start of `out`, which must hold
    /// [`ExtensionsBuf::encoded_len`] bytes. Returns the bytes written.
    pub(crate) fn write(&self, out: &mut [u8]) -> Result<usize, ExtensionError> {
        let total = self.encoded_len();
        if total == 0 {
            return Ok(0);
        }
        let form = self.effective_form();
        let out = &mut out[..total];
        out[0..2].copy_from_slice(&form.profile().to_be_bytes());
        out[2..4].copy_from_slice(&(((total - 4) / 4) as u16).to_be_bytes());
        let mut pos = 4;
        match form {
            ExtensionForm::OneByte => {
                for e in self.iter() {
                    if !(1..=14).contains(&e.id) {
                        return Err(ExtensionError::BadId(e.id));
                    }
                    if !(1..=16).contains(&e.data.len()) {
                        return Err(ExtensionError::BadLength {
                            id: e.id,
                            len: e.data.len(),
                        });
                    }
                    out[pos] = (e.id << 4) | (e.data.len() as u8 - 1);
                    out[pos + 1..pos + 1 + e.data.len()].copy_from_slice(e.data);
                    pos += 1 + e.data.len();
                }
            }
            ExtensionForm::TwoByte { .. } | ExtensionForm::Other(_) => {
                out[4..4 + self.len as usize].copy_from_slice(self.stored());
                pos += self.len as usize;
            }
        }
        out[pos..].fill(0);
        Ok(total)
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
