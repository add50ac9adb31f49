//! `a=candidate` (RFC 8839 section 5.1, `tcptype` from RFC 6544).

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use nom::bytes::complete::{tag_no_case, take_while1};
use nom::character::complete::satisfy;
use nom::combinator::not;
use nom::sequence::terminated;

use crate::error::ErrorKind;
use crate::grammar::{field, number, sp, token};

/// The transport of a candidate (`udp`, `tcp`, or an extension token). Compared case-insensitively when parsed;
/// written in lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CandidateTransport {
    /// `udp`.
    Udp,
    /// `tcp` (RFC 6544).
    Tcp,
    /// Any other transport token, as written.
    Other(String),
}

/// The candidate type after `typ`; the four RFC 8839 types are compared case-insensitively when parsed and written
/// in lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CandidateType {
    /// `host`.
    Host,
    /// `srflx`: server reflexive.
    ServerReflexive,
    /// `prflx`: peer reflexive.
    PeerReflexive,
    /// `relay`.
    Relay,
    /// An extension candidate type, as written.
    Other(String),
}

/// The `tcptype` of a TCP candidate (RFC 6544).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TcpType {
    /// `active`: opens connections.
    Active,
    /// `passive`: accepts connections.
    Passive,
    /// `so`: simultaneous open.
    SimultaneousOpen,
}

/// A candidate's connection address: an IP address, or a host name (such as an mDNS `.local` name).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CandidateAddress {
    /// An IPv4 or IPv6 address.
    Ip(IpAddr),
    /// A fully qualified domain name; [`CandidateAddress::is_mdns`] tells a `.local` name.
    Fqdn(String),
}

impl CandidateAddress {
    /// Whether this is a multicast DNS name (ends in `.local`), as browsers use to hide host addresses.
    pub fn is_mdns(&self) -> bool {
        const SUFFIX: &[u8] = b".local";
        matches!(self, Self::Fqdn(name) if name.len() > SUFFIX.len()
            && name.as_bytes()[name.len() - SUFFIX.len()..].eq_ignore_ascii_case(SUFFIX))
    }

    fn parse(s: &str, field_name: &'static str) -> Result<Self, ErrorKind> {
        if let Ok(ip) = s.parse::<IpAddr>() {
            return Ok(Self::Ip(ip));
        }
        let fqdn_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_';
        if !s.is_empty() && s.chars().all(fqdn_char) {
            Ok(Self::Fqdn(s.to_owned()))
        } else {
            Err(ErrorKind::invalid(field_name, s))
        }
    }
}

impl fmt::Display for CandidateAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ip(ip) => write!(f, "{ip}"),
            Self::Fqdn(name) => f.write_str(name),
        }
    }
}

/// An ICE candidate as carried in `a=candidate:` (or in a trickled `candidate:` string).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Candidate {
    /// Foundation: 1 to 32 ice-chars (`ALPHA / DIGIT / "+" / "/"`).
    pub foundation: String,
    /// Component id: 1 for RTP, 2 for RTCP.
    pub component: u16,
    /// Transport protocol.
    pub transport: CandidateTransport,
    /// Priority (RFC 8445 section 5.1.2).
    pub priority: u32,
    /// Connection address.
    pub address: CandidateAddress,
    /// Port.
    pub port: u16,
    /// Candidate type.
    pub typ: CandidateType,
    /// `raddr`: the related address (base of a reflexive candidate, or mapped address of a relayed one).
    pub related_address: Option<CandidateAddress>,
    /// `rport`: the related port.
    pub related_port: Option<u16>,
    /// `tcptype` (RFC 6544).
    pub tcp_type: Option<TcpType>,
    /// `generation` (a legacy extension browsers still write).
    pub generation: Option<u32>,
    /// Every other extension attribute (`ufrag`, `network-id`, `network-cost`, …) as name/value pairs, in order.
    pub extensions: Vec<(String, String)>,
}

impl Candidate {
    /// A candidate with no related address, tcptype, generation or extensions.
    pub fn new(
        foundation: impl Into<String>,
        component: u16,
        transport: CandidateTransport,
        priority: u32,
        address: CandidateAddress,
        port: u16,
        typ: CandidateType,
    ) -> Self {
        Self {
            foundation: foundation.into(),
            component,
            transport,
            priority,
            address,
            port,
            typ,
            related_address: None,
            related_port: None,
            tcp_type: None,
            generation: None,
            extensions: Vec::new(),
        }
    }

    /// The value of an extension attribute that has no typed field, by name.
    pub fn extension(&self, name: &str) -> Option<&str> {
        self.extensions.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// Parses the attribute value (what follows `a=candidate:`).
    pub(crate) fn parse_value(input: &str) -> Result<Self, ErrorKind> {
        let i = input;
        let ice_chars = |c: char| c.is_ascii_alphanumeric() || c == '+' || c == '/';
        let (i, foundation) = field(i, "candidate foundation", take_while1(ice_chars))?;
        if foundation.len() > 32 {
            return Err(ErrorKind::invalid("candidate foundation", foundation));
        }
        if !i.is_empty() && !i.starts_with(' ') {
            return Err(ErrorKind::invalid(
                "candidate foundation",
                input.split(' ').next().unwrap_or_default(),
            ));
        }
        let (i, component) = field(i, "candidate component id", sp(number::<u16>))?;
        let (i, transport) = field(i, "candidate transport", sp(token))?;
        let (i, priority) = field(i, "candidate priority", sp(number::<u32>))?;
        let (i, address) = field(i, "candidate address", sp(token))?;
        let address = CandidateAddress::parse(address, "candidate address")?;
        let (i, port) = field(i, "candidate port", sp(number::<u16>))?;
        let (i, _) = field(
            i,
            "candidate `typ`",
            sp(terminated(tag_no_case("typ"), not(satisfy(|c| c != ' ')))),
        )?;
        let (mut i, typ) = field(i, "candidate type", sp(token))?;
        let mut candidate = Self::new(
            foundation,
            component,
            transport_from(transport),
            priority,
            address,
            port,
            typ_from(typ),
        );
        while !i.is_empty() {
            let (rest, name) = field(i, "candidate extension name", sp(token))?;
            let (rest, value) = field(rest, "candidate extension value", sp(token))?;
            i = rest;
            // `raddr`, `rport`, `tcptype` and their values are ABNF string literals: case-insensitive.
            match name.to_ascii_lowercase().as_str() {
                "raddr" => candidate.related_address = Some(CandidateAddress::parse(value, "candidate raddr")?),
                "rport" => {
                    candidate.related_port = Some(
                        value
                            .parse()
                            .map_err(|_| ErrorKind::invalid("candidate rport", value))?,
                    );
                }
                "tcptype" => {
                    candidate.tcp_type = Some(
                        [TcpType::Active, TcpType::Passive, TcpType::SimultaneousOpen]
                            .into_iter()
                            .find(|t| t.to_string().eq_ignore_ascii_case(value))
                            .ok_or_else(|| ErrorKind::invalid("candidate tcptype", value))?,
                    );
                }
                "generation" => {
                    let (_, g) = field(
                        value,
                        "candidate generation",
                        nom::combinator::all_consuming(number::<u32>),
                    )?;
                    candidate.generation = Some(g);
                }
                _ => candidate.extensions.push((name.to_owned(), value.to_owned())),
            }
        }
        Ok(candidate)
    }
}

fn transport_from(s: &str) -> CandidateTransport {
    if s.eq_ignore_ascii_case("udp") {
        CandidateTransport::Udp
    } else if s.eq_ignore_ascii_case("tcp") {
        CandidateTransport::Tcp
    } else {
        CandidateTransport::Other(s.to_owned())
    }
}

fn typ_from(s: &str) -> CandidateType {
    match s.to_ascii_lowercase().as_str() {
        "host" => CandidateType::Host,
        "srflx" => CandidateType::ServerReflexive,
        "prflx" => CandidateType::PeerReflexive,
        "relay" => CandidateType::Relay,
        _ => CandidateType::Other(s.to_owned()),
    }
}

impl fmt::Display for CandidateTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Udp => "udp",
            Self::Tcp => "tcp",
            Self::Other(s) => s,
        })
    }
}

impl fmt::Display for CandidateType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Host => "host",
            Self::ServerReflexive => "srflx",
            Self::PeerReflexive => "prflx",
            Self::Relay => "relay",
            Self::Other(s) => s,
        })
    }
}

impl fmt::Display for TcpType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Active => "active",
            Self::Passive => "passive",
            Self::SimultaneousOpen => "so",
        })
    }
}

/// Writes the attribute value (what follows `a=candidate:`).
impl fmt::Display for Candidate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {} {} {} typ {}",
            self.foundation, self.component, self.transport, self.priority, self.address, self.port, self.typ
        )?;
        if let Some(a) = &self.related_address {
            write!(f, " raddr {a}")?;
        }
        if let Some(p) = self.related_port {
            write!(f, " rport {p}")?;
        }
        if let Some(t) = self.tcp_type {
            write!(f, " tcptype {t}")?;
        }
        if let Some(g) = self.generation {
            write!(f, " generation {g}")?;
        }
        for (name, value) in &self.extensions {
            write!(f, " {name} {value}")?;
        }
        Ok(())
    }
}

/// Parses a candidate as trickled by JSEP: the attribute value, with or without a leading `candidate:` (or
/// `a=candidate:`).
impl FromStr for Candidate {
    type Err = ErrorKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.strip_prefix("a=").unwrap_or(s);
        Self::parse_value(s.strip_prefix("candidate:").unwrap_or(s))
    }
}
