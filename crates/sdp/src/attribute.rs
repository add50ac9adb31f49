//! `a=` lines: the typed [`Attribute`] enum and the small value types it carries.

use std::fmt;

use crate::candidate::Candidate;
use crate::error::ErrorKind;
use crate::grammar::{parse_num, parse_token};
use crate::rid::{Rid, Simulcast, parse_payload_type};

/// Media direction (RFC 8866 section 6.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Direction {
    /// `sendrecv` (the default when no direction attribute is present).
    #[default]
    SendRecv,
    /// `sendonly`.
    SendOnly,
    /// `recvonly`.
    RecvOnly,
    /// `inactive`.
    Inactive,
}

impl Direction {
    /// The direction seen from the other side: `sendonly` becomes `recvonly` and the reverse.
    #[must_use]
    pub fn reverse(self) -> Self {
        match self {
            Self::SendOnly => Self::RecvOnly,
            Self::RecvOnly => Self::SendOnly,
            other => other,
        }
    }

    /// The attribute name (`sendrecv`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SendRecv => "sendrecv",
            Self::SendOnly => "sendonly",
            Self::RecvOnly => "recvonly",
            Self::Inactive => "inactive",
        }
    }

    fn from_name(s: &str) -> Option<Self> {
        Some(match s {
            "sendrecv" => Self::SendRecv,
            "sendonly" => Self::SendOnly,
            "recvonly" => Self::RecvOnly,
            "inactive" => Self::Inactive,
            _ => return None,
        })
    }

    /// The direction named by `s` compared case-insensitively, as an ABNF string literal inside a value is.
    fn from_literal(s: &str) -> Option<Self> {
        [Self::SendRecv, Self::SendOnly, Self::RecvOnly, Self::Inactive]
            .into_iter()
            .find(|d| d.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `a=setup:` (RFC 4145): which side opens the DTLS connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Setup {
    /// `actpass`: the offerer lets the answerer choose.
    ActPass,
    /// `active`: this side sends the DTLS `ClientHello`.
    Active,
    /// `passive`: this side waits for the `ClientHello`.
    Passive,
    /// `holdconn`: no connection for now.
    HoldConn,
}

impl fmt::Display for Setup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ActPass => "actpass",
            Self::Active => "active",
            Self::Passive => "passive",
            Self::HoldConn => "holdconn",
        })
    }
}

/// `a=group:<semantics> <mid>…` (RFC 5888; `BUNDLE` from RFC 9143).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Group {
    /// Semantics token: `BUNDLE`, `LS`, `FID`, …
    pub semantics: String,
    /// Identification tags (`a=mid` values) of the grouped media sections.
    pub mids: Vec<String>,
}

/// `a=rtcp:<port> [<nettype> <addrtype> <address>]` (RFC 3605).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RtcpAddress {
    /// RTCP port.
    pub port: u16,
    /// Network type, address type and address, when given (`IN`, `IP4`, `0.0.0.0`).
    pub address: Option<(String, String, String)>,
}

/// `a=rtpmap:<pt> <encoding>/<clock rate>[/<parameters>]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rtpmap {
    /// RTP payload type (0..=127).
    pub payload_type: u8,
    /// Encoding name as written (`opus`, `VP8`, `rtx`, …; compare case-insensitively).
    pub encoding_name: String,
    /// RTP clock rate in Hz.
    pub clock_rate: u32,
    /// Encoding parameters: the channel count for audio.
    pub encoding_params: Option<u32>,
}

/// `a=fmtp:<pt> <parameters>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fmtp {
    /// RTP payload type (0..=127).
    pub payload_type: u8,
    /// The format parameters as written (`minptime=10;useinbandfec=1`, `111/111`).
    pub parameters: String,
}

impl Fmtp {
    /// The parameters split at `;` into `(name, value)` pairs (surrounding spaces trimmed); a parameter without
    /// `=` has an empty value.
    pub fn params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.parameters
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (k.trim(), v.trim()),
                None => (p, ""),
            })
    }

    /// The value of one parameter by name (case-insensitive, as RFC 8866 compares them).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// `apt=`: the payload type an RTX format repairs.
    pub fn apt(&self) -> Option<u8> {
        self.param("apt").and_then(|v| v.parse().ok())
    }
}

/// `a=rtcp-fb:<pt|*> <type> [<parameter>…]` (RFC 4585).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RtcpFb {
    /// The payload type it applies to; `None` for `*` (all formats).
    pub payload_type: Option<u8>,
    /// Feedback type: `nack`, `ccm`, `goog-remb`, `transport-cc`, `trr-int`, …
    pub feedback: String,
    /// The rest after the type (`pli`, `fir`, …), if any.
    pub parameter: Option<String>,
}

/// `a=extmap:<id>[/<direction>] <uri> [<extension attributes>]` (RFC 8285).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Extmap {
    /// Local identifier, 1..=255 ([`Extmap::ID_RANGE`]): 1..=14 fit the one-byte header form, 15 is reserved
    /// there, 16..=255 need the two-byte form (RFC 8285 section 4). The 4096..=4351 negotiation range of RFC 5285
    /// was dropped by RFC 8285 and is rejected.
    pub id: u16,
    /// Direction restriction, if given.
    pub direction: Option<Direction>,
    /// Extension URI.
    pub uri: String,
    /// Extension attributes after the URI, as written.
    pub attributes: Option<String>,
}

impl Extmap {
    /// The ids this crate accepts (RFC 8285): 1..=14 one-byte, 15 reserved for one-byte, up to 255 two-byte.
    pub const ID_RANGE: std::ops::RangeInclusive<u16> = 1..=255;

    /// Whether the id fits the one-byte header form (1..=14).
    pub fn is_one_byte(&self) -> bool {
        (1..=14).contains(&self.id)
    }
}

/// `a=ssrc:<ssrc> <attribute>[:<value>]` (RFC 5576).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ssrc {
    /// The SSRC.
    pub ssrc: u32,
    /// Source attribute name (`cname`, `msid`, …).
    pub attribute: String,
    /// Source attribute value, if any.
    pub value: Option<String>,
}

/// `a=ssrc-group:<semantics> <ssrc>…` (RFC 5576).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SsrcGroup {
    /// Semantics: `FID` (RTX pairing), `SIM` (simulcast), `FEC-FR`, …
    pub semantics: String,
    /// The SSRCs, in order (for `FID`: primary, then repair).
    pub ssrcs: Vec<u32>,
}

/// `a=msid:<stream id> [<track id>]` (RFC 8830).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Msid {
    /// Media stream id (`-` for none).
    pub stream_id: String,
    /// Track id ("appdata"), if given.
    pub track_id: Option<String>,
}

/// `a=msid-semantic:<semantic> [<identifier>…]` (the legacy `WMS` session attribute of early RFC 8830 drafts
/// and JSEP implementations): `WMS *` for every stream, `WMS id1 id2` for these. Chromium writes it with a space
/// after the colon (`a=msid-semantic: WMS`); that spelling parses to the same value and is written back as it
/// came ([`AttributeLine::original`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MsidSemantic {
    /// Semantic token (`WMS`).
    pub semantic: String,
    /// Stream identifiers, or `*`.
    pub identifiers: Vec<String>,
}

impl MsidSemantic {
    /// Whether the semantic covers every media stream (`WMS *`).
    pub fn applies_to_all(&self) -> bool {
        matches!(self.identifiers.as_slice(), [star] if star == "*")
    }

    /// Whether the semantic names this media stream id (or covers all of them).
    pub fn covers(&self, stream_id: &str) -> bool {
        self.applies_to_all() || self.identifiers.iter().any(|i| i == stream_id)
    }
}

/// `a=rtcp-xr:[<xr-format>…]` (RFC 3611 section 5.1): the extended report blocks a side wants to use.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct RtcpXr {
    /// The formats in the order written (may be empty: `a=rtcp-xr:`).
    pub formats: Vec<XrFormat>,
}

impl RtcpXr {
    /// The `rcvr-rtt` format, if listed: who may send Receiver Reference Time blocks, and their size limit.
    pub fn rcvr_rtt(&self) -> Option<(RcvrRttMode, Option<u32>)> {
        self.formats.iter().find_map(|f| match f {
            XrFormat::RcvrRtt { mode, max_size } => Some((*mode, *max_size)),
            _ => None,
        })
    }
}

/// One `xr-format` of `a=rtcp-xr` (RFC 3611 section 5.1); `max_size` is the largest block in octets.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum XrFormat {
    /// `pkt-loss-rle[=<max-size>]`: loss run-length encoding blocks.
    PktLossRle {
        /// Largest block, in octets.
        max_size: Option<u32>,
    },
    /// `pkt-dup-rle[=<max-size>]`: duplicate run-length encoding blocks.
    PktDupRle {
        /// Largest block, in octets.
        max_size: Option<u32>,
    },
    /// `pkt-rcpt-times[=<max-size>]`: packet receipt times blocks.
    PktRcptTimes {
        /// Largest block, in octets.
        max_size: Option<u32>,
    },
    /// `rcvr-rtt=<all|sender>[:<max-size>]`: Receiver Reference Time and DLRR blocks.
    RcvrRtt {
        /// Which participants may send Receiver Reference Time blocks.
        mode: RcvrRttMode,
        /// Largest block, in octets.
        max_size: Option<u32>,
    },
    /// `stat-summary[=<flag>,…]`: statistics summary blocks with these fields (empty: none named).
    StatSummary(Vec<StatFlag>),
    /// `voip-metrics`: voice-over-IP metrics blocks.
    VoipMetrics,
    /// Any other format (`format-ext`), kept as written.
    Other(String),
}

/// Who sends Receiver Reference Time blocks under `rcvr-rtt` (RFC 3611 section 5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RcvrRttMode {
    /// `all`: every participant.
    All,
    /// `sender`: only active senders.
    Sender,
}

/// A field of a statistics summary block named in `stat-summary=` (RFC 3611 section 5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatFlag {
    /// `loss`: lost packets.
    Loss,
    /// `dup`: duplicated packets.
    Dup,
    /// `jitt`: jitter.
    Jitt,
    /// `TTL`: IPv4 time to live.
    Ttl,
    /// `HL`: IPv6 hop limit.
    Hl,
}

impl StatFlag {
    /// The flag as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Loss => "loss",
            Self::Dup => "dup",
            Self::Jitt => "jitt",
            Self::Ttl => "TTL",
            Self::Hl => "HL",
        }
    }
}

/// Writes the formats separated by single spaces (the value after `a=rtcp-xr:`).
impl fmt::Display for RtcpXr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, format) in self.formats.iter().enumerate() {
            write!(f, "{}{format}", if i == 0 { "" } else { " " })?;
        }
        Ok(())
    }
}

/// Writes one format as RFC 3611 spells it (`rcvr-rtt=all:80`).
impl fmt::Display for XrFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sized = |f: &mut fmt::Formatter<'_>, name: &str, sep: char, max: Option<u32>| {
            f.write_str(name)?;
            match max {
                Some(m) => write!(f, "{sep}{m}"),
                None => Ok(()),
            }
        };
        match self {
            Self::PktLossRle { max_size } => sized(f, "pkt-loss-rle", '=', *max_size),
            Self::PktDupRle { max_size } => sized(f, "pkt-dup-rle", '=', *max_size),
            Self::PktRcptTimes { max_size } => sized(f, "pkt-rcpt-times", '=', *max_size),
            Self::RcvrRtt { mode, max_size } => {
                let mode = match mode {
                    RcvrRttMode::All => "rcvr-rtt=all",
                    RcvrRttMode::Sender => "rcvr-rtt=sender",
                };
                sized(f, mode, ':', *max_size)
            }
            Self::StatSummary(flags) => {
                f.write_str("stat-summary")?;
                for (i, flag) in flags.iter().enumerate() {
                    write!(f, "{}{}", if i == 0 { '=' } else { ',' }, flag.as_str())?;
                }
                Ok(())
            }
            Self::VoipMetrics => f.write_str("voip-metrics"),
            Self::Other(s) => f.write_str(s),
        }
    }
}

/// `a=fingerprint:<hash function> <XX:XX:…>` (RFC 8122).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    /// Hash function name in lower case (`sha-256`, `sha-384`, `sha-512`, `sha-1`, …).
    pub hash: String,
    /// The digest bytes.
    pub bytes: Vec<u8>,
}

/// `a=sctpmap:<number> <app> [<streams>]` (the pre-RFC 8841 draft form).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sctpmap {
    /// SCTP port (the format number on the `m=` line).
    pub number: u16,
    /// Application (`webrtc-datachannel`).
    pub app: String,
    /// Maximum number of streams, if given.
    pub streams: Option<u32>,
}

/// One typed `a=` line. Attributes this crate does not know are kept as [`Attribute::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Attribute {
    /// `a=group:`.
    Group(Group),
    /// `a=mid:`.
    Mid(String),
    /// `a=rtcp-mux`.
    RtcpMux,
    /// `a=rtcp-mux-only` (RFC 8858).
    RtcpMuxOnly,
    /// `a=rtcp-rsize` (RFC 5506).
    RtcpRsize,
    /// `a=rtcp:`.
    Rtcp(RtcpAddress),
    /// `a=rtcp-xr:` (RFC 3611).
    RtcpXr(RtcpXr),
    /// `a=rtpmap:`.
    Rtpmap(Rtpmap),
    /// `a=fmtp:`.
    Fmtp(Fmtp),
    /// `a=rtcp-fb:`.
    RtcpFb(RtcpFb),
    /// `a=extmap:`.
    Extmap(Extmap),
    /// `a=extmap-allow-mixed` (RFC 8285 section 6).
    ExtmapAllowMixed,
    /// `a=ssrc:`.
    Ssrc(Ssrc),
    /// `a=ssrc-group:`.
    SsrcGroup(SsrcGroup),
    /// `a=msid:`.
    Msid(Msid),
    /// `a=msid-semantic:`.
    MsidSemantic(MsidSemantic),
    /// `a=sendrecv`, `a=sendonly`, `a=recvonly`, `a=inactive`.
    Direction(Direction),
    /// `a=ice-ufrag:`.
    IceUfrag(String),
    /// `a=ice-pwd:`.
    IcePwd(String),
    /// `a=ice-options:` (space-separated tokens such as `trickle`).
    IceOptions(Vec<String>),
    /// `a=ice-lite`.
    IceLite,
    /// `a=candidate:`.
    Candidate(Candidate),
    /// `a=end-of-candidates`.
    EndOfCandidates,
    /// `a=fingerprint:`.
    Fingerprint(Fingerprint),
    /// `a=setup:`.
    Setup(Setup),
    /// `a=rid:`.
    Rid(Rid),
    /// `a=simulcast:`.
    Simulcast(Simulcast),
    /// `a=sctp-port:` (RFC 8841).
    SctpPort(u16),
    /// `a=max-message-size:` (RFC 8841).
    MaxMessageSize(u64),
    /// `a=sctpmap:`.
    Sctpmap(Sctpmap),
    /// Any other attribute, kept as written: `a=<name>` (`value` is `None`) or `a=<name>:<value>`.
    Other {
        /// Attribute name.
        name: String,
        /// Attribute value; `None` for a property attribute without `:`.
        value: Option<String>,
    },
}

impl Attribute {
    /// The attribute name as written after `a=` (`rtpmap`, `sendrecv`, …).
    pub fn name(&self) -> &str {
        match self {
            Self::Group(_) => "group",
            Self::Mid(_) => "mid",
            Self::RtcpMux => "rtcp-mux",
            Self::RtcpMuxOnly => "rtcp-mux-only",
            Self::RtcpRsize => "rtcp-rsize",
            Self::Rtcp(_) => "rtcp",
            Self::RtcpXr(_) => "rtcp-xr",
            Self::Rtpmap(_) => "rtpmap",
            Self::Fmtp(_) => "fmtp",
            Self::RtcpFb(_) => "rtcp-fb",
            Self::Extmap(_) => "extmap",
            Self::ExtmapAllowMixed => "extmap-allow-mixed",
            Self::Ssrc(_) => "ssrc",
            Self::SsrcGroup(_) => "ssrc-group",
            Self::Msid(_) => "msid",
            Self::MsidSemantic(_) => "msid-semantic",
            Self::Direction(d) => d.as_str(),
            Self::IceUfrag(_) => "ice-ufrag",
            Self::IcePwd(_) => "ice-pwd",
            Self::IceOptions(_) => "ice-options",
            Self::IceLite => "ice-lite",
            Self::Candidate(_) => "candidate",
            Self::EndOfCandidates => "end-of-candidates",
            Self::Fingerprint(_) => "fingerprint",
            Self::Setup(_) => "setup",
            Self::Rid(_) => "rid",
            Self::Simulcast(_) => "simulcast",
            Self::SctpPort(_) => "sctp-port",
            Self::MaxMessageSize(_) => "max-message-size",
            Self::Sctpmap(_) => "sctpmap",
            Self::Other { name, .. } => name,
        }
    }

    /// Parses the text after `a=`.
    pub(crate) fn parse(text: &str) -> Result<Self, ErrorKind> {
        let (name, value) = match text.split_once(':') {
            Some((n, v)) => (n, Some(v)),
            None => (text, None),
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ErrorKind::invalid("attribute name", name));
        }
        let flag = |attr: Self| match value {
            None => Ok(attr),
            Some(v) => Err(ErrorKind::Trailing(format!(":{v}"))),
        };
        let need = |field| value.ok_or(ErrorKind::MissingField { field });
        Ok(match name {
            "rtcp-mux" => flag(Self::RtcpMux)?,
            "rtcp-mux-only" => flag(Self::RtcpMuxOnly)?,
            "rtcp-rsize" => flag(Self::RtcpRsize)?,
            "extmap-allow-mixed" => flag(Self::ExtmapAllowMixed)?,
            "ice-lite" => flag(Self::IceLite)?,
            "end-of-candidates" => flag(Self::EndOfCandidates)?,
            _ if Direction::from_name(name).is_some() => {
                flag(Self::Direction(Direction::from_name(name).unwrap_or_default()))?
            }
            "group" => Self::Group(parse_group(need("group semantics")?)?),
            "mid" => Self::Mid(parse_token(need("mid")?, "mid")?.to_owned()),
            "rtcp" => Self::Rtcp(parse_rtcp(need("rtcp port")?)?),
            "rtcp-xr" => Self::RtcpXr(parse_rtcp_xr(need("rtcp-xr")?)?),
            "rtpmap" => Self::Rtpmap(parse_rtpmap(need("rtpmap payload type")?)?),
            "fmtp" => Self::Fmtp(parse_fmtp(need("fmtp payload type")?)?),
            "rtcp-fb" => Self::RtcpFb(parse_rtcp_fb(need("rtcp-fb payload type")?)?),
            "extmap" => Self::Extmap(parse_extmap(need("extmap id")?)?),
            "ssrc" => Self::Ssrc(parse_ssrc(need("ssrc")?)?),
            "ssrc-group" => Self::SsrcGroup(parse_ssrc_group(need("ssrc-group semantics")?)?),
            "msid" => Self::Msid(parse_msid(need("msid stream id")?)?),
            "msid-semantic" => Self::MsidSemantic(parse_msid_semantic(need("msid-semantic")?)?),
            "ice-ufrag" => Self::IceUfrag(parse_token(need("ice-ufrag")?, "ice-ufrag")?.to_owned()),
            "ice-pwd" => Self::IcePwd(parse_token(need("ice-pwd")?, "ice-pwd")?.to_owned()),
            "ice-options" => Self::IceOptions(words(need("ice-options")?, "ice-options")?),
            "candidate" => Self::Candidate(Candidate::parse_value(need("candidate foundation")?)?),
            "fingerprint" => Self::Fingerprint(parse_fingerprint(need("fingerprint hash function")?)?),
            "setup" => Self::Setup(parse_setup(need("setup role")?)?),
            "rid" => Self::Rid(Rid::parse_value(need("rid id")?)?),
            "simulcast" => Self::Simulcast(Simulcast::parse_value(need("simulcast direction")?)?),
            "sctp-port" => Self::SctpPort(parse_num(need("sctp-port")?, "sctp-port")?),
            "max-message-size" => Self::MaxMessageSize(parse_num(need("max-message-size")?, "max-message-size")?),
            "sctpmap" => Self::Sctpmap(parse_sctpmap(need("sctpmap number")?)?),
            _ => Self::Other {
                name: name.to_owned(),
                value: value.map(str::to_owned),
            },
        })
    }
}

/// Splits `s` at single spaces into non-empty words.
fn words(s: &str, field: &'static str) -> Result<Vec<String>, ErrorKind> {
    s.split(' ').map(|w| parse_token(w, field).map(str::to_owned)).collect()
}

fn parse_group(v: &str) -> Result<Group, ErrorKind> {
    let mut it = v.split(' ');
    let semantics = parse_token(it.next().unwrap_or_default(), "group semantics")?.to_owned();
    let mids = it
        .map(|m| parse_token(m, "group mid").map(str::to_owned))
        .collect::<Result<_, _>>()?;
    Ok(Group { semantics, mids })
}

fn parse_rtcp(v: &str) -> Result<RtcpAddress, ErrorKind> {
    let mut it = v.split(' ');
    let port = parse_num(it.next().unwrap_or_default(), "rtcp port")?;
    let address = match it.next() {
        None => None,
        Some(net) => {
            let net = parse_token(net, "rtcp network type")?.to_owned();
            let addr_type = parse_token(it.next().unwrap_or_default(), "rtcp address type")?.to_owned();
            let addr = parse_token(it.next().unwrap_or_default(), "rtcp address")?.to_owned();
            Some((net, addr_type, addr))
        }
    };
    trailing(it)?;
    Ok(RtcpAddress { port, address })
}

fn trailing<'a>(mut it: impl Iterator<Item = &'a str>) -> Result<(), ErrorKind> {
    match it.next() {
        None => Ok(()),
        Some(first) => {
            let rest: Vec<&str> = std::iter::once(first).chain(it).collect();
            Err(ErrorKind::Trailing(rest.join(" ")))
        }
    }
}

fn pt_and_rest<'a>(v: &'a str, field: &'static str) -> Result<(u8, &'a str), ErrorKind> {
    let (pt, rest) = v.split_once(' ').unwrap_or((v, ""));
    Ok((parse_payload_type(pt, field)?, rest))
}

fn parse_rtpmap(v: &str) -> Result<Rtpmap, ErrorKind> {
    let (payload_type, rest) = pt_and_rest(v, "rtpmap payload type")?;
    let mut parts = rest.split('/');
    let name = parts.next().unwrap_or_default();
    if name.is_empty() || name.contains(' ') {
        return Err(if name.is_empty() {
            ErrorKind::MissingField {
                field: "rtpmap encoding name",
            }
        } else {
            ErrorKind::invalid("rtpmap encoding name", name)
        });
    }
    let clock_rate = parse_num(parts.next().unwrap_or_default(), "rtpmap clock rate")?;
    let encoding_params = parts
        .next()
        .map(|p| parse_num(p, "rtpmap encoding parameters"))
        .transpose()?;
    if let Some(extra) = parts.next() {
        return Err(ErrorKind::Trailing(format!("/{extra}")));
    }
    Ok(Rtpmap {
        payload_type,
        encoding_name: name.to_owned(),
        clock_rate,
        encoding_params,
    })
}

fn parse_fmtp(v: &str) -> Result<Fmtp, ErrorKind> {
    let (payload_type, parameters) = pt_and_rest(v, "fmtp payload type")?;
    if parameters.is_empty() {
        return Err(ErrorKind::MissingField {
            field: "fmtp parameters",
        });
    }
    Ok(Fmtp {
        payload_type,
        parameters: parameters.to_owned(),
    })
}

fn parse_rtcp_fb(v: &str) -> Result<RtcpFb, ErrorKind> {
    let (pt, rest) = v.split_once(' ').unwrap_or((v, ""));
    let payload_type = if pt == "*" {
        None
    } else {
        Some(parse_payload_type(pt, "rtcp-fb payload type")?)
    };
    let (feedback, parameter) = match rest.split_once(' ') {
        Some((f, p)) => (f, Some(p)),
        None => (rest, None),
    };
    let feedback = parse_token(feedback, "rtcp-fb type")?.to_owned();
    if parameter.is_some_and(str::is_empty) {
        return Err(ErrorKind::MissingField {
            field: "rtcp-fb parameter",
        });
    }
    Ok(RtcpFb {
        payload_type,
        feedback,
        parameter: parameter.map(str::to_owned),
    })
}

fn parse_extmap(v: &str) -> Result<Extmap, ErrorKind> {
    let (id_dir, rest) = v.split_once(' ').unwrap_or((v, ""));
    let (id, direction) = match id_dir.split_once('/') {
        Some((id, dir)) => (
            id,
            Some(Direction::from_literal(dir).ok_or_else(|| ErrorKind::invalid("extmap direction", dir))?),
        ),
        None => (id_dir, None),
    };
    let id_text = id;
    let id: u16 = parse_num(id, "extmap id")?;
    if !Extmap::ID_RANGE.contains(&id) {
        return Err(ErrorKind::OutOfRange {
            field: "extmap id",
            value: id_text.to_owned(),
            min: u64::from(*Extmap::ID_RANGE.start()),
            max: u64::from(*Extmap::ID_RANGE.end()),
        });
    }
    let (uri, attributes) = match rest.split_once(' ') {
        Some((u, a)) => (u, Some(a)),
        None => (rest, None),
    };
    let uri = parse_token(uri, "extmap uri")?.to_owned();
    if attributes.is_some_and(str::is_empty) {
        return Err(ErrorKind::MissingField {
            field: "extmap extension attributes",
        });
    }
    Ok(Extmap {
        id,
        direction,
        uri,
        attributes: attributes.map(str::to_owned),
    })
}

fn parse_ssrc(v: &str) -> Result<Ssrc, ErrorKind> {
    let (ssrc, rest) = v.split_once(' ').unwrap_or((v, ""));
    let ssrc = parse_num(ssrc, "ssrc")?;
    let (attribute, value) = match rest.split_once(':') {
        Some((a, v)) => (a, Some(v.to_owned())),
        None => (rest, None),
    };
    let attribute = parse_token(attribute, "ssrc attribute")?.to_owned();
    Ok(Ssrc { ssrc, attribute, value })
}

fn parse_ssrc_group(v: &str) -> Result<SsrcGroup, ErrorKind> {
    let mut it = v.split(' ');
    let semantics = parse_token(it.next().unwrap_or_default(), "ssrc-group semantics")?.to_owned();
    let ssrcs = it.map(|s| parse_num(s, "ssrc-group ssrc")).collect::<Result<_, _>>()?;
    Ok(SsrcGroup { semantics, ssrcs })
}

fn parse_msid(v: &str) -> Result<Msid, ErrorKind> {
    let mut it = v.split(' ');
    let stream_id = parse_token(it.next().unwrap_or_default(), "msid stream id")?.to_owned();
    let track_id = it
        .next()
        .map(|t| parse_token(t, "msid track id").map(str::to_owned))
        .transpose()?;
    trailing(it)?;
    Ok(Msid { stream_id, track_id })
}

fn parse_msid_semantic(v: &str) -> Result<MsidSemantic, ErrorKind> {
    // Chromium writes `a=msid-semantic: WMS <id>`: one space after the colon is common and tolerated.
    let v = v.strip_prefix(' ').unwrap_or(v);
    let mut it = v.split(' ');
    let semantic = parse_token(it.next().unwrap_or_default(), "msid-semantic")?.to_owned();
    let identifiers = it
        .map(|s| parse_token(s, "msid-semantic identifier").map(str::to_owned))
        .collect::<Result<_, _>>()?;
    Ok(MsidSemantic { semantic, identifiers })
}

fn parse_rtcp_xr(v: &str) -> Result<RtcpXr, ErrorKind> {
    if v.is_empty() {
        return Ok(RtcpXr::default());
    }
    let max_size = |s: Option<&str>| s.map(|m| parse_num(m, "rtcp-xr max-size")).transpose();
    let formats = v
        .split(' ')
        .map(|t| {
            let t = parse_token(t, "rtcp-xr format")?;
            let (name, param) = match t.split_once('=') {
                Some((n, p)) => (n, Some(p)),
                None => (t, None),
            };
            Ok(match name {
                "pkt-loss-rle" => XrFormat::PktLossRle {
                    max_size: max_size(param)?,
                },
                "pkt-dup-rle" => XrFormat::PktDupRle {
                    max_size: max_size(param)?,
                },
                "pkt-rcpt-times" => XrFormat::PktRcptTimes {
                    max_size: max_size(param)?,
                },
                "rcvr-rtt" => {
                    let param = param.ok_or(ErrorKind::MissingField { field: "rcvr-rtt mode" })?;
                    let (mode, max) = match param.split_once(':') {
                        Some((m, s)) => (m, Some(s)),
                        None => (param, None),
                    };
                    let mode = match mode {
                        "all" => RcvrRttMode::All,
                        "sender" => RcvrRttMode::Sender,
                        _ => return Err(ErrorKind::invalid("rcvr-rtt mode", mode)),
                    };
                    XrFormat::RcvrRtt {
                        mode,
                        max_size: max_size(max)?,
                    }
                }
                "stat-summary" => XrFormat::StatSummary(match param {
                    None => Vec::new(),
                    Some(flags) => flags
                        .split(',')
                        .map(|f| {
                            [
                                StatFlag::Loss,
                                StatFlag::Dup,
                                StatFlag::Jitt,
                                StatFlag::Ttl,
                                StatFlag::Hl,
                            ]
                            .into_iter()
                            .find(|k| k.as_str() == f)
                            .ok_or_else(|| ErrorKind::invalid("stat-summary flag", f))
                        })
                        .collect::<Result<_, _>>()?,
                }),
                "voip-metrics" if param.is_none() => XrFormat::VoipMetrics,
                _ => XrFormat::Other(t.to_owned()),
            })
        })
        .collect::<Result<_, ErrorKind>>()?;
    Ok(RtcpXr { formats })
}

fn parse_fingerprint(v: &str) -> Result<Fingerprint, ErrorKind> {
    let (hash, hex) = v.split_once(' ').ok_or(ErrorKind::MissingField {
        field: "fingerprint digest",
    })?;
    let hash = parse_token(hash, "fingerprint hash function")?.to_ascii_lowercase();
    if hex.is_empty() {
        return Err(ErrorKind::MissingField {
            field: "fingerprint digest",
        });
    }
    let bytes = hex
        .split(':')
        .map(|b| {
            if b.len() == 2 && b.bytes().all(|c| c.is_ascii_hexdigit()) {
                u8::from_str_radix(b, 16).map_err(|_| ErrorKind::invalid("fingerprint digest", hex))
            } else {
                Err(ErrorKind::invalid("fingerprint digest", hex))
            }
        })
        .collect::<Result<_, _>>()?;
    Ok(Fingerprint { hash, bytes })
}

/// The role is an ABNF string literal (RFC 4145), so it is compared case-insensitively.
fn parse_setup(v: &str) -> Result<Setup, ErrorKind> {
    [Setup::ActPass, Setup::Active, Setup::Passive, Setup::HoldConn]
        .into_iter()
        .find(|s| s.to_string().eq_ignore_ascii_case(v))
        .ok_or_else(|| ErrorKind::invalid("setup role", v))
}

fn parse_sctpmap(v: &str) -> Result<Sctpmap, ErrorKind> {
    let mut it = v.split(' ');
    let number = parse_num(it.next().unwrap_or_default(), "sctpmap number")?;
    let app = parse_token(it.next().unwrap_or_default(), "sctpmap app")?.to_owned();
    let streams = it.next().map(|s| parse_num(s, "sctpmap streams")).transpose()?;
    trailing(it)?;
    Ok(Sctpmap { number, app, streams })
}

fn join(f: &mut fmt::Formatter<'_>, items: impl IntoIterator<Item = impl fmt::Display>) -> fmt::Result {
    for item in items {
        write!(f, " {item}")?;
    }
    Ok(())
}

/// Writes the text after `a=` (`rtpmap:111 opus/48000/2`), in this crate's canonical spelling.
impl fmt::Display for Attribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.name();
        match self {
            Self::RtcpMux
            | Self::RtcpMuxOnly
            | Self::RtcpRsize
            | Self::ExtmapAllowMixed
            | Self::IceLite
            | Self::EndOfCandidates
            | Self::Direction(_) => f.write_str(name),
            Self::Group(g) => {
                write!(f, "group:{}", g.semantics)?;
                join(f, &g.mids)
            }
            Self::Mid(v) | Self::IceUfrag(v) | Self::IcePwd(v) => write!(f, "{name}:{v}"),
            Self::Rtcp(r) => {
                write!(f, "rtcp:{}", r.port)?;
                if let Some((net, at, addr)) = &r.address {
                    write!(f, " {net} {at} {addr}")?;
                }
                Ok(())
            }
            Self::Rtpmap(r) => {
                write!(f, "rtpmap:{} {}/{}", r.payload_type, r.encoding_name, r.clock_rate)?;
                if let Some(p) = r.encoding_params {
                    write!(f, "/{p}")?;
                }
                Ok(())
            }
            Self::Fmtp(p) => write!(f, "fmtp:{} {}", p.payload_type, p.parameters),
            Self::RtcpXr(x) => write!(f, "rtcp-xr:{x}"),
            Self::RtcpFb(fb) => {
                match fb.payload_type {
                    Some(pt) => write!(f, "rtcp-fb:{pt} {}", fb.feedback)?,
                    None => write!(f, "rtcp-fb:* {}", fb.feedback)?,
                }
                if let Some(p) = &fb.parameter {
                    write!(f, " {p}")?;
                }
                Ok(())
            }
            Self::Extmap(e) => {
                write!(f, "extmap:{}", e.id)?;
                if let Some(d) = e.direction {
                    write!(f, "/{d}")?;
                }
                write!(f, " {}", e.uri)?;
                if let Some(a) = &e.attributes {
                    write!(f, " {a}")?;
                }
                Ok(())
            }
            Self::Ssrc(s) => {
                write!(f, "ssrc:{} {}", s.ssrc, s.attribute)?;
                if let Some(v) = &s.value {
                    write!(f, ":{v}")?;
                }
                Ok(())
            }
            Self::SsrcGroup(g) => {
                write!(f, "ssrc-group:{}", g.semantics)?;
                join(f, &g.ssrcs)
            }
            Self::Msid(m) => {
                write!(f, "msid:{}", m.stream_id)?;
                if let Some(t) = &m.track_id {
                    write!(f, " {t}")?;
                }
                Ok(())
            }
            Self::MsidSemantic(m) => {
                write!(f, "msid-semantic:{}", m.semantic)?;
                join(f, &m.identifiers)
            }
            Self::IceOptions(o) => write!(f, "ice-options:{}", o.join(" ")),
            Self::Candidate(c) => write!(f, "candidate:{c}"),
            Self::Fingerprint(fp) => {
                write!(f, "fingerprint:{} ", fp.hash)?;
                for (n, b) in fp.bytes.iter().enumerate() {
                    write!(f, "{}{b:02X}", if n == 0 { "" } else { ":" })?;
                }
                Ok(())
            }
            Self::Setup(s) => write!(f, "setup:{s}"),
            Self::Rid(r) => write!(f, "rid:{r}"),
            Self::Simulcast(s) => write!(f, "simulcast:{s}"),
            Self::SctpPort(p) => write!(f, "sctp-port:{p}"),
            Self::MaxMessageSize(m) => write!(f, "max-message-size:{m}"),
            Self::Sctpmap(s) => {
                write!(f, "sctpmap:{} {}", s.number, s.app)?;
                if let Some(n) = s.streams {
                    write!(f, " {n}")?;
                }
                Ok(())
            }
            Self::Other { name, value } => match value {
                Some(v) => write!(f, "{name}:{v}"),
                None => f.write_str(name),
            },
        }
    }
}

/// One `a=` line as held in a description: the typed [`Attribute`], plus the original text when the input
/// spelled it differently from this crate's canonical writing (`a=msid-semantic: WMS`, upper-case `UDP` in a
/// candidate, lower-case fingerprint hex), so that writing a parsed description reproduces it byte for byte.
///
/// Mutable access through [`AttributeLine::value_mut`] drops the original text: a changed attribute is written
/// canonically.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AttributeLine {
    value: Attribute,
    original: Option<String>,
}

impl AttributeLine {
    /// Parses the text after `a=`.
    pub(crate) fn parse(text: &str) -> Result<Self, ErrorKind> {
        let value = Attribute::parse(text)?;
        let canonical = value.to_string();
        let original = (canonical != text).then(|| text.to_owned());
        Ok(Self { value, original })
    }

    /// Parses the text after `a=` leniently: a known attribute whose value does not fit its grammar is kept raw
    /// as [`Attribute::Other`] (written back unchanged) and the reason is returned beside it. Only a malformed
    /// attribute name is an error.
    pub(crate) fn parse_lenient(text: &str) -> Result<(Self, Option<ErrorKind>), ErrorKind> {
        match Self::parse(text) {
            Ok(line) => Ok((line, None)),
            Err(kind) => {
                let (name, value) = match text.split_once(':') {
                    Some((n, v)) => (n, Some(v)),
                    None => (text, None),
                };
                if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
                    return Err(kind);
                }
                let raw = Attribute::Other {
                    name: name.to_owned(),
                    value: value.map(str::to_owned),
                };
                Ok((raw.into(), Some(kind)))
            }
        }
    }

    /// The typed attribute.
    pub fn value(&self) -> &Attribute {
        &self.value
    }

    /// The typed attribute for changing; the line is then written canonically.
    pub fn value_mut(&mut self) -> &mut Attribute {
        self.original = None;
        &mut self.value
    }

    /// The typed attribute, dropping any original text.
    pub fn into_value(self) -> Attribute {
        self.value
    }

    /// The text after `a=` as it was parsed, when it differs from the canonical writing of [`Self::value`].
    pub fn original(&self) -> Option<&str> {
        self.original.as_deref()
    }
}

impl From<Attribute> for AttributeLine {
    fn from(value: Attribute) -> Self {
        Self { value, original: None }
    }
}

/// Writes the text after `a=`: the original text if there is one, otherwise the canonical writing.
impl fmt::Display for AttributeLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.original {
            Some(text) => f.write_str(text),
            None => self.value.fmt(f),
        }
    }
}
