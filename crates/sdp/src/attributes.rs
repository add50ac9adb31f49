//! [`Attributes`]: the ordered `a=` lines of a session or media section, with typed look-ups.

use crate::attribute::{
    Attribute, AttributeLine, Direction, Extmap, Fingerprint, Fmtp, Group, Msid, MsidSemantic, RtcpAddress, RtcpFb,
    RtcpXr, Rtpmap, Sctpmap, Setup, Ssrc, SsrcGroup,
};
use crate::candidate::Candidate;
use crate::rid::{Rid, Simulcast};

/// The `a=` lines of a session or media section, in their original order.
///
/// Look-ups return the first match (or all matches, in order): text as `&str`, small `Copy` values (ports,
/// sizes, [`Setup`], [`Direction`]) by value, structured values by reference. Changing goes through [`Self::push`],
/// [`Self::insert`], [`Self::retain`] and [`Self::lines_mut`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Attributes {
    lines: Vec<AttributeLine>,
}

macro_rules! find_all {
    ($(#[$doc:meta])* $fn:ident, $variant:ident, $ty:ty) => {
        $(#[$doc])*
        pub fn $fn(&self) -> impl Iterator<Item = &$ty> {
            self.iter().filter_map(|a| match a {
                Attribute::$variant(v) => Some(v),
                _ => None,
            })
        }
    };
}

macro_rules! find_str {
    ($(#[$doc:meta])* $fn:ident, $variant:ident) => {
        $(#[$doc])*
        pub fn $fn(&self) -> Option<&str> {
            self.iter().find_map(|a| match a {
                Attribute::$variant(v) => Some(v.as_str()),
                _ => None,
            })
        }
    };
}

macro_rules! find_copy {
    ($(#[$doc:meta])* $fn:ident, $variant:ident, $ty:ty) => {
        $(#[$doc])*
        pub fn $fn(&self) -> Option<$ty> {
            self.iter().find_map(|a| match a {
                Attribute::$variant(v) => Some(*v),
                _ => None,
            })
        }
    };
}

macro_rules! find_first {
    ($(#[$doc:meta])* $fn:ident, $variant:ident, $ty:ty) => {
        $(#[$doc])*
        pub fn $fn(&self) -> Option<&$ty> {
            self.iter().find_map(|a| match a {
                Attribute::$variant(v) => Some(v),
                _ => None,
            })
        }
    };
}

impl Attributes {
    /// No attributes.
    pub fn new() -> Self {
        Self::default()
    }

    /// The typed attributes in order.
    pub fn iter(&self) -> impl Iterator<Item = &Attribute> {
        self.lines.iter().map(AttributeLine::value)
    }

    /// The lines in order (typed value plus any original spelling).
    pub fn lines(&self) -> &[AttributeLine] {
        &self.lines
    }

    /// The lines for changing in place.
    pub fn lines_mut(&mut self) -> &mut Vec<AttributeLine> {
        &mut self.lines
    }

    /// Number of attributes.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether there are no attributes.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Appends an attribute.
    pub fn push(&mut self, attribute: impl Into<AttributeLine>) {
        self.lines.push(attribute.into());
    }

    /// Inserts an attribute at `index` (clamped to the end).
    pub fn insert(&mut self, index: usize, attribute: impl Into<AttributeLine>) {
        self.lines.insert(index.min(self.lines.len()), attribute.into());
    }

    /// Keeps only the attributes for which `keep` returns true.
    pub fn retain(&mut self, mut keep: impl FnMut(&Attribute) -> bool) {
        self.lines.retain(|l| keep(l.value()));
    }

    /// Whether a property or value attribute with this name is present.
    pub fn has(&self, name: &str) -> bool {
        self.iter().any(|a| a.name() == name)
    }

    /// The value of an attribute this crate does not type (`Attribute::Other`), by name; `Some(None)` for a
    /// property attribute.
    pub fn other(&self, name: &str) -> Option<Option<&str>> {
        self.iter().find_map(|a| match a {
            Attribute::Other { name: n, value } if n == name => Some(value.as_deref()),
            _ => None,
        })
    }

    find_all!(
        /// `a=group:` lines.
        groups, Group, Group
    );
    find_str!(
        /// `a=mid:`.
        mid, Mid
    );
    find_first!(
        /// `a=rtcp:`.
        rtcp, Rtcp, RtcpAddress
    );
    find_first!(
        /// `a=rtcp-xr:`.
        rtcp_xr, RtcpXr, RtcpXr
    );
    find_all!(
        /// `a=rtpmap:` lines.
        rtpmaps, Rtpmap, Rtpmap
    );
    find_all!(
        /// `a=fmtp:` lines.
        fmtps, Fmtp, Fmtp
    );
    find_all!(
        /// `a=rtcp-fb:` lines.
        rtcp_fbs, RtcpFb, RtcpFb
    );
    find_all!(
        /// `a=extmap:` lines.
        extmaps, Extmap, Extmap
    );
    find_all!(
        /// `a=ssrc:` lines.
        ssrcs, Ssrc, Ssrc
    );
    find_all!(
        /// `a=ssrc-group:` lines.
        ssrc_groups, SsrcGroup, SsrcGroup
    );
    find_all!(
        /// `a=msid:` lines.
        msids, Msid, Msid
    );
    find_first!(
        /// `a=msid-semantic:`.
        msid_semantic, MsidSemantic, MsidSemantic
    );
    find_str!(
        /// `a=ice-ufrag:`.
        ice_ufrag, IceUfrag
    );
    find_str!(
        /// `a=ice-pwd:`.
        ice_pwd, IcePwd
    );
    find_all!(
        /// `a=candidate:` lines.
        candidates, Candidate, Candidate
    );
    find_all!(
        /// `a=fingerprint:` lines.
        fingerprints, Fingerprint, Fingerprint
    );
    find_copy!(
        /// `a=setup:`.
        setup, Setup, Setup
    );
    find_all!(
        /// `a=rid:` lines.
        rids, Rid, Rid
    );
    find_first!(
        /// `a=simulcast:`.
        simulcast, Simulcast, Simulcast
    );
    find_copy!(
        /// `a=sctp-port:`.
        sctp_port, SctpPort, u16
    );
    find_copy!(
        /// `a=max-message-size:`.
        max_message_size, MaxMessageSize, u64
    );
    find_first!(
        /// `a=sctpmap:`.
        sctpmap, Sctpmap, Sctpmap
    );

    /// The mids of the first `a=group:<semantics>` with these semantics.
    pub fn group(&self, semantics: &str) -> Option<&[String]> {
        self.groups()
            .find(|g| g.semantics == semantics)
            .map(|g| g.mids.as_slice())
    }

    find_copy!(
        /// The direction attribute, if any.
        direction, Direction, Direction
    );

    /// `a=ice-options:` tokens (all lines, in order).
    pub fn ice_options(&self) -> impl Iterator<Item = &str> {
        self.iter()
            .filter_map(|a| match a {
                Attribute::IceOptions(o) => Some(o.iter().map(String::as_str)),
                _ => None,
            })
            .flatten()
    }

    /// The `a=rtpmap:` of a payload type.
    pub fn rtpmap(&self, payload_type: u8) -> Option<&Rtpmap> {
        self.rtpmaps().find(|r| r.payload_type == payload_type)
    }

    /// The `a=fmtp:` of a payload type.
    pub fn fmtp(&self, payload_type: u8) -> Option<&Fmtp> {
        self.fmtps().find(|f| f.payload_type == payload_type)
    }

    /// The `a=rtcp-fb:` lines that apply to a payload type (its own and the `*` ones).
    pub fn rtcp_fb(&self, payload_type: u8) -> impl Iterator<Item = &RtcpFb> {
        self.rtcp_fbs()
            .filter(move |fb| fb.payload_type.is_none_or(|pt| pt == payload_type))
    }

    /// The value of an `a=ssrc:<ssrc> <attribute>:<value>` line (e.g. `cname`).
    pub fn ssrc_attribute(&self, ssrc: u32, attribute: &str) -> Option<&str> {
        self.ssrcs()
            .find(|s| s.ssrc == ssrc && s.attribute == attribute)
            .and_then(|s| s.value.as_deref())
    }

    /// Whether a property attribute is present.
    fn flag(&self, wanted: &Attribute) -> bool {
        self.iter().any(|a| a == wanted)
    }

    /// `a=rtcp-mux`.
    pub fn rtcp_mux(&self) -> bool {
        self.flag(&Attribute::RtcpMux)
    }

    /// `a=rtcp-mux-only`.
    pub fn rtcp_mux_only(&self) -> bool {
        self.flag(&Attribute::RtcpMuxOnly)
    }

    /// `a=rtcp-rsize`.
    pub fn rtcp_rsize(&self) -> bool {
        self.flag(&Attribute::RtcpRsize)
    }

    /// `a=extmap-allow-mixed`.
    pub fn extmap_allow_mixed(&self) -> bool {
        self.flag(&Attribute::ExtmapAllowMixed)
    }

    /// `a=ice-lite`.
    pub fn ice_lite(&self) -> bool {
        self.flag(&Attribute::IceLite)
    }

    /// `a=end-of-candidates`.
    pub fn end_of_candidates(&self) -> bool {
        self.flag(&Attribute::EndOfCandidates)
    }
}

impl<A: Into<AttributeLine>> FromIterator<A> for Attributes {
    fn from_iter<T: IntoIterator<Item = A>>(iter: T) -> Self {
        Self {
            lines: iter.into_iter().map(Into::into).collect(),
        }
    }
}

impl<A: Into<AttributeLine>> Extend<A> for Attributes {
    fn extend<T: IntoIterator<Item = A>>(&mut self, iter: T) {
        self.lines.extend(iter.into_iter().map(Into::into));
    }
}
