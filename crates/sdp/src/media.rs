//! [`MediaDescription`]: one `m=` section.

use std::fmt;

use crate::attribute::{Attribute, Direction, Rtpmap};
use crate::attributes::Attributes;
use crate::session::{Bandwidth, Connection};
use crate::write::{Written, write_line};

/// One media section: the `m=` line, its `i=`, `c=`, `b=`, `k=` lines and its attributes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MediaDescription {
    /// Media type: `audio`, `video`, `application`, …
    pub kind: String,
    /// Transport port (9 in JSEP offers before ICE, 0 for a rejected section).
    pub port: u16,
    /// Number of ports (`<port>/<count>`), if given.
    pub port_count: Option<u16>,
    /// Transport protocol: `UDP/TLS/RTP/SAVPF`, `UDP/DTLS/SCTP`, …
    pub protocol: String,
    /// Media formats: RTP payload types as text, or e.g. `webrtc-datachannel`.
    pub formats: Vec<String>,
    /// `i=`.
    pub information: Option<String>,
    /// `c=` lines.
    pub connections: Vec<Connection>,
    /// `b=` lines.
    pub bandwidths: Vec<Bandwidth>,
    /// `k=`, as written.
    pub encryption_key: Option<String>,
    /// The section's `a=` lines.
    pub attributes: Attributes,
}

impl MediaDescription {
    /// A section with this `m=` line and nothing else.
    pub fn new(kind: impl Into<String>, port: u16, protocol: impl Into<String>, formats: Vec<String>) -> Self {
        Self {
            kind: kind.into(),
            port,
            port_count: None,
            protocol: protocol.into(),
            formats,
            information: None,
            connections: Vec::new(),
            bandwidths: Vec::new(),
            encryption_key: None,
            attributes: Attributes::new(),
        }
    }

    /// An RTP section (`UDP/TLS/RTP/SAVPF`, port 9, `c=IN IP4 0.0.0.0`) listing these payload types, with its
    /// `a=mid`, as a JSEP offer starts one.
    pub fn rtp(kind: impl Into<String>, mid: impl Into<String>, payload_types: &[u8]) -> Self {
        let mut m = Self::new(
            kind,
            9,
            "UDP/TLS/RTP/SAVPF",
            payload_types.iter().map(u8::to_string).collect(),
        );
        m.connections
            .push(Connection::new(std::net::Ipv4Addr::UNSPECIFIED.into()));
        m.attributes.push(Attribute::Mid(mid.into()));
        m
    }

    /// Appends an attribute (builder style).
    #[must_use]
    pub fn with_attribute(mut self, attribute: Attribute) -> Self {
        self.attributes.push(attribute);
        self
    }

    /// Appends a codec: its `a=rtpmap` and, when `fmtp` is given, its `a=fmtp`; adds the payload type to the
    /// `m=` formats if it is not there yet.
    #[must_use]
    pub fn with_codec(mut self, rtpmap: Rtpmap, fmtp: Option<&str>) -> Self {
        let pt = rtpmap.payload_type;
        if !self.formats.iter().any(|f| f.parse() == Ok(pt)) {
            self.formats.push(pt.to_string());
        }
        self.attributes.push(Attribute::Rtpmap(rtpmap));
        if let Some(parameters) = fmtp {
            self.attributes.push(Attribute::Fmtp(crate::Fmtp {
                payload_type: pt,
                parameters: parameters.into(),
            }));
        }
        self
    }

    /// `a=mid`.
    pub fn mid(&self) -> Option<&str> {
        self.attributes.mid()
    }

    /// The direction attribute of this section, if it has one.
    pub fn direction(&self) -> Option<Direction> {
        self.attributes.direction()
    }

    /// Replaces the direction attribute (in place, or appended when there is none).
    pub fn set_direction(&mut self, direction: Direction) {
        let lines = self.attributes.lines_mut();
        match lines.iter().position(|l| matches!(l.value(), Attribute::Direction(_))) {
            Some(i) => *lines[i].value_mut() = Attribute::Direction(direction),
            None => lines.push(Attribute::Direction(direction).into()),
        }
    }

    /// `a=rtpmap:` lines.
    pub fn rtpmaps(&self) -> impl Iterator<Item = &Rtpmap> {
        self.attributes.rtpmaps()
    }

    /// The `m=` formats that are RTP payload types, in order (non-numeric formats are skipped).
    pub fn payload_types(&self) -> impl Iterator<Item = u8> {
        self.formats.iter().filter_map(|f| f.parse().ok())
    }

    /// Whether the section was rejected (port 0).
    pub fn is_rejected(&self) -> bool {
        self.port == 0
    }
}

/// Writes the section with CRLF line endings, starting with its `m=` line, unchecked (see
/// [`crate::SessionDescription::try_to_string`] for the checked writer).
impl fmt::Display for MediaDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_lines(&mut |line| write_line(f, line))
    }
}

/// The `m=` value: `<kind> <port>[/<count>] <protocol> <format>…`.
pub(crate) struct MediaLine<'a>(pub(crate) &'a MediaDescription);

impl fmt::Display for MediaLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.0;
        write!(f, "{} {}", m.kind, m.port)?;
        if let Some(n) = m.port_count {
            write!(f, "/{n}")?;
        }
        write!(f, " {}", m.protocol)?;
        for fmt in &m.formats {
            write!(f, " {fmt}")?;
        }
        Ok(())
    }
}

impl MediaDescription {
    /// Hands every line of the section to `sink`, `m=` first.
    pub(crate) fn write_lines(&self, sink: &mut dyn FnMut(Written<'_>) -> fmt::Result) -> fmt::Result {
        sink(Written::Media(self))?;
        let mut text = |letter, value: &dyn fmt::Display| sink(Written::Text(letter, value));
        if let Some(i) = &self.information {
            text('i', i)?;
        }
        for c in &self.connections {
            text('c', c)?;
        }
        for b in &self.bandwidths {
            text('b', b)?;
        }
        if let Some(k) = &self.encryption_key {
            text('k', k)?;
        }
        for line in self.attributes.lines() {
            sink(Written::Attribute(line))?;
        }
        Ok(())
    }
}
