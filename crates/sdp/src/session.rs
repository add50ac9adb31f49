//! [`SessionDescription`] and the line types it shares with media sections.

use std::fmt;
use std::str::FromStr;

use crate::attribute::{Attribute, Direction, Fingerprint, Setup};
use crate::attributes::Attributes;
use crate::error::SdpError;
use crate::media::MediaDescription;
use crate::write::{Written, write_line};

/// `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    /// User name (`-` when there is none).
    pub username: String,
    /// Session id as written: `1*DIGIT` of any length (RFC 8866 allows more digits than fit a `u64`, and
    /// leading zeros); the checked writer refuses anything else.
    pub session_id: String,
    /// Session version: JSEP increments it with every new offer or answer.
    pub session_version: u64,
    /// Network type (`IN`).
    pub net_type: String,
    /// Address type (`IP4`, `IP6`).
    pub addr_type: String,
    /// Unicast address of the originating host.
    pub unicast_address: String,
}

impl Default for Origin {
    /// The origin JSEP writes: `- 0 0 IN IP4 127.0.0.1`.
    fn default() -> Self {
        Self {
            username: "-".into(),
            session_id: "0".into(),
            session_version: 0,
            net_type: "IN".into(),
            addr_type: "IP4".into(),
            unicast_address: "127.0.0.1".into(),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {} {} {}",
            self.username, self.session_id, self.session_version, self.net_type, self.addr_type, self.unicast_address
        )
    }
}

/// `c=<nettype> <addrtype> <connection-address>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Connection {
    /// Network type (`IN`).
    pub net_type: String,
    /// Address type (`IP4`, `IP6`).
    pub addr_type: String,
    /// Connection address as written, including any multicast `/ttl` and `/count` suffixes.
    pub address: String,
}

impl Connection {
    /// `IN IP4 <address>` or `IN IP6 <address>`, by the address's family.
    pub fn new(address: std::net::IpAddr) -> Self {
        let addr_type = if address.is_ipv4() { "IP4" } else { "IP6" };
        Self {
            net_type: "IN".into(),
            addr_type: addr_type.into(),
            address: address.to_string(),
        }
    }
}

impl fmt::Display for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.net_type, self.addr_type, self.address)
    }
}

/// `b=<bwtype>:<bandwidth>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bandwidth {
    /// Bandwidth type: `AS`, `CT`, `TIAS`, …
    pub bwtype: String,
    /// The value (kbit/s for `AS`/`CT`, bit/s for `TIAS`).
    pub bandwidth: u64,
}

impl fmt::Display for Bandwidth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.bwtype, self.bandwidth)
    }
}

/// `t=<start> <stop>` and the `r=` lines that follow it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Timing {
    /// Start time (NTP seconds; 0 for unbounded).
    pub start: u64,
    /// Stop time (NTP seconds; 0 for unbounded).
    pub stop: u64,
    /// `r=` repeat lines for this time, as written.
    pub repeats: Vec<String>,
}

/// A parsed session description (RFC 8866): session-level lines, attributes, and media sections.
///
/// Parse with [`SessionDescription::parse`] (or [`str::parse`]); write with [`fmt::Display`] (`to_string()`),
/// which uses CRLF line endings and writes every line a parsed description had, in RFC 8866 order, so a
/// well-formed input is reproduced byte for byte — with one exception: the numbers of the `o=` session version,
/// `b=`, `t=` and the `m=` port and port count are held as integers and written without leading zeros (`a=`
/// lines, the `o=` session id and all text fields are reproduced exactly).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionDescription {
    /// `o=`.
    pub origin: Origin,
    /// `s=` (`-` in JSEP).
    pub session_name: String,
    /// `i=`.
    pub information: Option<String>,
    /// `u=`.
    pub uri: Option<String>,
    /// `e=` lines.
    pub emails: Vec<String>,
    /// `p=` lines.
    pub phones: Vec<String>,
    /// `c=`.
    pub connection: Option<Connection>,
    /// `b=` lines.
    pub bandwidths: Vec<Bandwidth>,
    /// `t=` lines (each with its `r=` lines); JSEP writes one `t=0 0`.
    pub times: Vec<Timing>,
    /// `z=`, as written.
    pub time_zones: Option<String>,
    /// `k=`, as written.
    pub encryption_key: Option<String>,
    /// Session-level `a=` lines.
    pub attributes: Attributes,
    /// `m=` sections.
    pub media: Vec<MediaDescription>,
    /// What [`Self::parse`] tolerated: each `a=` line of a known attribute whose value did not fit its grammar
    /// (kept as [`Attribute::Other`] and written back unchanged), with its line number, text and reason. Empty
    /// for a description built in code; not compared by [`Self::try_to_string`].
    pub warnings: Vec<SdpError>,
}

impl Default for SessionDescription {
    /// `v=0`, the default [`Origin`], `s=-`, `t=0 0`, nothing else.
    fn default() -> Self {
        Self {
            origin: Origin::default(),
            session_name: "-".into(),
            information: None,
            uri: None,
            emails: Vec::new(),
            phones: Vec::new(),
            connection: None,
            bandwidths: Vec::new(),
            times: vec![Timing::default()],
            time_zones: None,
            encryption_key: None,
            attributes: Attributes::new(),
            media: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

impl SessionDescription {
    /// A description with this origin, `s=-`, `t=0 0`, and nothing else.
    pub fn new(origin: Origin) -> Self {
        Self {
            origin,
            ..Self::default()
        }
    }

    /// Parses a session description; lines may end in CRLF or LF, and trailing empty lines are ignored.
    ///
    /// For interoperability a malformed value of a known attribute (`a=setup:both`, `a=rtpmap:96 VP8`) does not
    /// reject the description: the line is kept raw as [`Attribute::Other`] and recorded in
    /// [`Self::warnings`]. Everything else (`v o s t m c b` lines, attribute names, line structure) is strict.
    pub fn parse(text: &str) -> Result<Self, SdpError> {
        crate::parse::parse(text)
    }

    /// Like [`Self::parse`], but the first malformed attribute value is an error.
    pub fn parse_strict(text: &str) -> Result<Self, SdpError> {
        let sdp = Self::parse(text)?;
        match sdp.warnings.first() {
            Some(warning) => Err(warning.clone()),
            None => Ok(sdp),
        }
    }

    /// Writes the description with CRLF line endings, checking that it is exactly what [`Self::parse`] reads
    /// back: no value holds CR, LF or NUL, every line parses (no empty `ice-options`, `fmtp` parameters or
    /// `simulcast`, no out-of-range `extmap` id, no token with a space, …) to the value it was written from,
    /// and the whole text parses back equal to `self`.
    ///
    /// The error names the offending output line (1-based) and its text.
    pub fn try_to_string(&self) -> Result<String, SdpError> {
        crate::write::checked(self)
    }

    /// Checks that [`Self::try_to_string`] would succeed.
    pub fn validate(&self) -> Result<(), SdpError> {
        self.try_to_string().map(drop)
    }

    /// Equality of the description's lines (what is written), ignoring anything recorded about parsing.
    pub(crate) fn same_content(&self, other: &Self) -> bool {
        let without = |s: &Self| Self {
            warnings: Vec::new(),
            ..s.clone()
        };
        without(self) == without(other)
    }

    /// Appends a session-level attribute (builder style).
    #[must_use]
    pub fn with_attribute(mut self, attribute: Attribute) -> Self {
        self.attributes.push(attribute);
        self
    }

    /// Appends a media section (builder style).
    #[must_use]
    pub fn with_media(mut self, media: MediaDescription) -> Self {
        self.media.push(media);
        self
    }

    /// The mids of the first `a=group:BUNDLE`, if there is one.
    pub fn bundle_mids(&self) -> Option<&[String]> {
        self.attributes.group("BUNDLE")
    }

    /// The media section with this mid.
    pub fn media_by_mid(&self, mid: &str) -> Option<&MediaDescription> {
        self.media.iter().find(|m| m.mid() == Some(mid))
    }

    /// The `a=ice-ufrag` of a media section, falling back to the session level.
    pub fn ice_ufrag<'a>(&'a self, media: &'a MediaDescription) -> Option<&'a str> {
        media.attributes.ice_ufrag().or_else(|| self.attributes.ice_ufrag())
    }

    /// The `a=ice-pwd` of a media section, falling back to the session level.
    pub fn ice_pwd<'a>(&'a self, media: &'a MediaDescription) -> Option<&'a str> {
        media.attributes.ice_pwd().or_else(|| self.attributes.ice_pwd())
    }

    /// The fingerprints of a media section, or the session-level ones when it has none.
    pub fn fingerprints<'a>(&'a self, media: &'a MediaDescription) -> Vec<&'a Fingerprint> {
        let own: Vec<_> = media.attributes.fingerprints().collect();
        if own.is_empty() {
            self.attributes.fingerprints().collect()
        } else {
            own
        }
    }

    /// The `a=setup` of a media section, falling back to the session level.
    pub fn setup(&self, media: &MediaDescription) -> Option<Setup> {
        media.attributes.setup().or_else(|| self.attributes.setup())
    }

    /// The direction of a media section: its own attribute, else the session's, else `sendrecv`.
    pub fn direction(&self, media: &MediaDescription) -> Direction {
        media
            .attributes
            .direction()
            .or_else(|| self.attributes.direction())
            .unwrap_or_default()
    }
}

impl FromStr for SessionDescription {
    type Err = SdpError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Writes the description with CRLF line endings, unchecked.
///
/// This is exact for a description that came from [`SessionDescription::parse`]. For one built or changed from
/// application values (mids, msids, ICE credentials, [`Attribute::Other`], …) use
/// [`SessionDescription::try_to_string`], which refuses values that would inject extra lines or that would not
/// parse back to the same description; `Display` writes whatever the fields hold.
impl fmt::Display for SessionDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_lines(&mut |line| write_line(f, line))
    }
}

impl SessionDescription {
    /// Hands every line to `sink`, in RFC 8866 order.
    pub(crate) fn write_lines(&self, sink: &mut dyn FnMut(Written<'_>) -> fmt::Result) -> fmt::Result {
        let mut text = |letter, value: &dyn fmt::Display| sink(Written::Text(letter, value));
        text('v', &0)?;
        text('o', &self.origin)?;
        text('s', &self.session_name)?;
        if let Some(i) = &self.information {
            text('i', i)?;
        }
        if let Some(u) = &self.uri {
            text('u', u)?;
        }
        for e in &self.emails {
            text('e', e)?;
        }
        for p in &self.phones {
            text('p', p)?;
        }
        if let Some(c) = &self.connection {
            text('c', c)?;
        }
        for b in &self.bandwidths {
            text('b', b)?;
        }
        for t in &self.times {
            text('t', &format_args!("{} {}", t.start, t.stop))?;
            for r in &t.repeats {
                text('r', r)?;
            }
        }
        if let Some(z) = &self.time_zones {
            text('z', z)?;
        }
        if let Some(k) = &self.encryption_key {
            text('k', k)?;
        }
        for line in self.attributes.lines() {
            sink(Written::Attribute(line))?;
        }
        for m in &self.media {
            m.write_lines(sink)?;
        }
        Ok(())
    }
}
