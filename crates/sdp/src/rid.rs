//! `a=rid` (RFC 8851) and `a=simulcast` (RFC 8853).

use std::fmt;

use nom::Parser;
use nom::bytes::complete::{tag_no_case, take_while1};
use nom::character::complete::char;
use nom::combinator::opt;
use nom::multi::separated_list1;

use crate::error::ErrorKind;
use crate::grammar::{field, parse_num};

/// The direction of a RID or a simulcast stream list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RidDirection {
    /// `send`.
    Send,
    /// `recv`.
    Recv,
}

impl RidDirection {
    fn parse(s: &str, field_name: &'static str) -> Result<Self, ErrorKind> {
        if s.eq_ignore_ascii_case("send") {
            Ok(Self::Send)
        } else if s.eq_ignore_ascii_case("recv") {
            Ok(Self::Recv)
        } else {
            Err(ErrorKind::invalid(field_name, s))
        }
    }
}

impl fmt::Display for RidDirection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Send => "send",
            Self::Recv => "recv",
        })
    }
}

fn rid_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// `a=rid:<id> <direction> [pt=<pt>,…;<restriction>=<value>;…]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rid {
    /// The RTP stream id.
    pub id: String,
    /// Whether this RID describes a stream sent or received by the description's author.
    pub direction: RidDirection,
    /// `pt=`: the payload types the stream may use (empty: any of the section's formats).
    pub payload_types: Vec<u8>,
    /// Other restrictions (`max-width=1280`, `max-fps=30`, `depend=…`, …) in order; the value is `None` for a
    /// bare name.
    pub restrictions: Vec<(String, Option<String>)>,
}

impl Rid {
    /// A RID with no payload-type list and no restrictions.
    pub fn new(id: impl Into<String>, direction: RidDirection) -> Self {
        Self {
            id: id.into(),
            direction,
            payload_types: Vec::new(),
            restrictions: Vec::new(),
        }
    }

    /// The value of a restriction by name (`max-width`, …); `Some(None)` for a restriction given without a value.
    pub fn restriction(&self, name: &str) -> Option<Option<&str>> {
        self.restrictions
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_deref())
    }

    pub(crate) fn parse_value(value: &str) -> Result<Self, ErrorKind> {
        let (rest, id) = field(value, "rid id", take_while1(rid_char))?;
        let rest = rest.strip_prefix(' ').ok_or_else(|| match rest {
            "" => ErrorKind::MissingField { field: "rid direction" },
            _ => ErrorKind::invalid("rid id", value.split(' ').next().unwrap_or_default()),
        })?;
        let (direction, params) = rest.split_once(' ').unwrap_or((rest, ""));
        let mut rid = Self::new(id, RidDirection::parse(direction, "rid direction")?);
        if rest.len() > direction.len() {
            if params.is_empty() {
                return Err(ErrorKind::MissingField {
                    field: "rid restriction",
                });
            }
            for param in params.split(';') {
                let (name, v) = match param.split_once('=') {
                    Some((n, v)) => (n, Some(v)),
                    None => (param, None),
                };
                if name.is_empty() || name.contains(' ') || v.is_some_and(|v| v.is_empty() || v.contains(' ')) {
                    return Err(ErrorKind::invalid("rid restriction", param));
                }
                if let (true, Some(list)) = (name.eq_ignore_ascii_case("pt"), v) {
                    if !rid.payload_types.is_empty() {
                        return Err(ErrorKind::invalid("rid pt list", param));
                    }
                    for pt in list.split(',') {
                        rid.payload_types.push(parse_payload_type(pt, "rid pt list")?);
                    }
                } else {
                    rid.restrictions.push((name.to_owned(), v.map(str::to_owned)));
                }
            }
        }
        Ok(rid)
    }
}

pub(crate) fn parse_payload_type(s: &str, field_name: &'static str) -> Result<u8, ErrorKind> {
    let pt: u8 = parse_num(s, field_name)?;
    if pt > 127 {
        return Err(ErrorKind::invalid(field_name, s));
    }
    Ok(pt)
}

/// Writes the attribute value (what follows `a=rid:`).
impl fmt::Display for Rid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.id, self.direction)?;
        let mut sep = " ";
        if !self.payload_types.is_empty() {
            f.write_str(" pt=")?;
            for (n, pt) in self.payload_types.iter().enumerate() {
                write!(f, "{}{pt}", if n == 0 { "" } else { "," })?;
            }
            sep = ";";
        }
        for (name, value) in &self.restrictions {
            write!(f, "{sep}{name}")?;
            if let Some(v) = value {
                write!(f, "={v}")?;
            }
            sep = ";";
        }
        Ok(())
    }
}

/// One RID in a simulcast stream list; `~` marks it paused.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SimulcastRid {
    /// The RID.
    pub id: String,
    /// Whether the stream is offered paused (`~rid`).
    pub paused: bool,
}

/// `a=simulcast:` (RFC 8853): for each direction, a list of streams, each a list of alternative RIDs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Simulcast {
    /// Streams sent by the description's author (`send 1;2,3`: stream one is RID 1, stream two is 2 or 3).
    pub send: Vec<Vec<SimulcastRid>>,
    /// Streams received by the description's author.
    pub recv: Vec<Vec<SimulcastRid>>,
}

type Streams = Vec<Vec<SimulcastRid>>;

fn stream_list(i: &str) -> nom::IResult<&str, Streams> {
    let sc_id = (opt(char('~')), take_while1(rid_char)).map(|(paused, id): (Option<char>, &str)| SimulcastRid {
        id: id.to_owned(),
        paused: paused.is_some(),
    });
    separated_list1(char(';'), separated_list1(char(','), sc_id)).parse(i)
}

impl Simulcast {
    pub(crate) fn parse_value(value: &str) -> Result<Self, ErrorKind> {
        let mut sc = Self::default();
        let mut rest = value;
        let mut first = true;
        while first || !rest.is_empty() {
            if !first {
                rest = rest
                    .strip_prefix(' ')
                    .ok_or_else(|| ErrorKind::Trailing(rest.to_owned()))?;
            }
            first = false;
            let (r, dir) = field(
                rest,
                "simulcast direction",
                nom::branch::alt((tag_no_case("send"), tag_no_case("recv"))),
            )?;
            let (r, streams) = field(
                r,
                "simulcast stream list",
                nom::sequence::preceded(char(' '), stream_list),
            )?;
            if !r.is_empty() && !r.starts_with(' ') {
                return Err(ErrorKind::invalid("simulcast stream list", r));
            }
            let slot = if dir.eq_ignore_ascii_case("send") {
                &mut sc.send
            } else {
                &mut sc.recv
            };
            if !slot.is_empty() {
                return Err(ErrorKind::invalid("simulcast direction", dir));
            }
            *slot = streams;
            rest = r;
        }
        Ok(sc)
    }
}

fn write_streams(f: &mut fmt::Formatter<'_>, streams: &[Vec<SimulcastRid>]) -> fmt::Result {
    for (n, alternatives) in streams.iter().enumerate() {
        if n > 0 {
            f.write_str(";")?;
        }
        for (k, rid) in alternatives.iter().enumerate() {
            write!(
                f,
                "{}{}{}",
                if k == 0 { "" } else { "," },
                if rid.paused { "~" } else { "" },
                rid.id
            )?;
        }
    }
    Ok(())
}

/// Writes the attribute value (what follows `a=simulcast:`): `send` first, then `recv`.
impl fmt::Display for Simulcast {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.send.is_empty() {
            f.write_str("send ")?;
            write_streams(f, &self.send)?;
        }
        if !self.recv.is_empty() {
            if !self.send.is_empty() {
                f.write_str(" ")?;
            }
            f.write_str("recv ")?;
            write_streams(f, &self.recv)?;
        }
        Ok(())
    }
}
