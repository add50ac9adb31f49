//! The line structure: splitting into `<type>=<value>` lines and assigning them to the session or a media
//! section. Attribute values are parsed in [`crate::attribute`].

use crate::attribute::AttributeLine;
use crate::error::{ErrorKind, SdpError};
use crate::grammar::{parse_digits, parse_num, parse_token};
use crate::media::MediaDescription;
use crate::session::{Bandwidth, Connection, Origin, SessionDescription, Timing};

/// Where the parser is, for error reporting.
struct Line<'a> {
    number: usize,
    text: &'a str,
}

impl Line<'_> {
    fn error(&self, kind: ErrorKind) -> SdpError {
        SdpError {
            line: self.number,
            text: self.text.to_owned(),
            kind,
        }
    }
}

/// Splits `text` into lines (CRLF or LF endings; the final line ending is optional).
fn lines(text: &str) -> impl Iterator<Item = Line<'_>> {
    let body = text.strip_suffix('\n').unwrap_or(text);
    let mut numbered = body.split('\n').enumerate();
    let empty_input = text.is_empty();
    std::iter::from_fn(move || {
        if empty_input {
            return None;
        }
        let (n, raw) = numbered.next()?;
        Some(Line {
            number: n + 1,
            text: raw.strip_suffix('\r').unwrap_or(raw),
        })
    })
}

fn split_fields<'a>(value: &'a str, count: usize, field_names: &[&'static str]) -> Result<Vec<&'a str>, ErrorKind> {
    let fields: Vec<&str> = value.splitn(count, ' ').collect();
    for (i, name) in field_names.iter().enumerate() {
        match fields.get(i) {
            None | Some(&"") => return Err(ErrorKind::MissingField { field: name }),
            Some(f) if f.contains(' ') => {
                let extra = f.split_once(' ').map(|(_, rest)| rest).unwrap_or_default();
                return Err(ErrorKind::Trailing(extra.to_owned()));
            }
            Some(_) => {}
        }
    }
    Ok(fields)
}

fn parse_origin(v: &str) -> Result<Origin, ErrorKind> {
    let f = split_fields(
        v,
        6,
        &[
            "origin username",
            "origin session id",
            "origin session version",
            "origin network type",
            "origin address type",
            "origin address",
        ],
    )?;
    Ok(Origin {
        username: f[0].to_owned(),
        session_id: parse_digits(f[1], "origin session id")?.to_owned(),
        session_version: parse_num(f[2], "origin session version")?,
        net_type: f[3].to_owned(),
        addr_type: f[4].to_owned(),
        unicast_address: f[5].to_owned(),
    })
}

fn parse_connection(v: &str) -> Result<Connection, ErrorKind> {
    let f = split_fields(
        v,
        3,
        &[
            "connection network type",
            "connection address type",
            "connection address",
        ],
    )?;
    Ok(Connection {
        net_type: f[0].to_owned(),
        addr_type: f[1].to_owned(),
        address: f[2].to_owned(),
    })
}

fn parse_bandwidth(v: &str) -> Result<Bandwidth, ErrorKind> {
    let (bwtype, value) = v.split_once(':').ok_or(ErrorKind::MissingField {
        field: "bandwidth value",
    })?;
    Ok(Bandwidth {
        bwtype: parse_token(bwtype, "bandwidth type")?.to_owned(),
        bandwidth: parse_num(value, "bandwidth value")?,
    })
}

fn parse_timing(v: &str) -> Result<Timing, ErrorKind> {
    let f = split_fields(v, 2, &["start time", "stop time"])?;
    Ok(Timing {
        start: parse_num(f[0], "start time")?,
        stop: parse_num(f[1], "stop time")?,
        repeats: Vec::new(),
    })
}

pub(crate) fn parse_media(v: &str) -> Result<MediaDescription, ErrorKind> {
    let mut it = v.split(' ');
    let kind = parse_token(it.next().unwrap_or_default(), "media type")?;
    let port_text = it.next().unwrap_or_default();
    let (port, port_count) = match port_text.split_once('/') {
        Some((p, n)) => (parse_num(p, "media port")?, Some(parse_num(n, "media port count")?)),
        None => (parse_num(port_text, "media port")?, None),
    };
    let protocol = parse_token(it.next().unwrap_or_default(), "media protocol")?;
    let formats = it
        .map(|f| parse_token(f, "media format").map(str::to_owned))
        .collect::<Result<Vec<_>, _>>()?;
    if formats.is_empty() {
        return Err(ErrorKind::MissingField { field: "media format" });
    }
    let mut m = MediaDescription::new(kind, port, protocol, formats);
    m.port_count = port_count;
    Ok(m)
}

fn set_once(slot: &mut Option<String>, letter: char, value: &str) -> Result<(), ErrorKind> {
    if slot.is_some() {
        return Err(ErrorKind::Duplicate(letter));
    }
    *slot = Some(value.to_owned());
    Ok(())
}

/// Parses an `a=` value leniently, recording a malformed known attribute in `warnings`.
fn attribute(value: &str, warnings: &mut Vec<ErrorKind>) -> Result<AttributeLine, ErrorKind> {
    let (line, warning) = AttributeLine::parse_lenient(value)?;
    warnings.extend(warning);
    Ok(line)
}

/// Applies one line inside a media section.
fn media_line(
    media: &mut MediaDescription,
    letter: char,
    value: &str,
    warnings: &mut Vec<ErrorKind>,
) -> Result<(), ErrorKind> {
    match letter {
        'i' => set_once(&mut media.information, 'i', value)?,
        'c' => media.connections.push(parse_connection(value)?),
        'b' => media.bandwidths.push(parse_bandwidth(value)?),
        'k' => set_once(&mut media.encryption_key, 'k', value)?,
        'a' => media.attributes.push(attribute(value, warnings)?),
        'v' | 'o' | 's' | 'u' | 'e' | 'p' | 't' | 'r' | 'z' => return Err(ErrorKind::NotInMedia(letter)),
        other => return Err(ErrorKind::UnknownType(other)),
    }
    Ok(())
}

/// The session under construction and which required lines were seen.
struct Session {
    sdp: SessionDescription,
    origin: bool,
    name: bool,
}

impl Session {
    /// Applies one session-level line (or an `m=` line, which opens a media section).
    fn line(&mut self, letter: char, value: &str, warnings: &mut Vec<ErrorKind>) -> Result<(), ErrorKind> {
        let sdp = &mut self.sdp;
        match letter {
            'v' => return Err(ErrorKind::Duplicate('v')),
            'o' if self.origin => return Err(ErrorKind::Duplicate('o')),
            'o' => {
                sdp.origin = parse_origin(value)?;
                self.origin = true;
            }
            's' if self.name => return Err(ErrorKind::Duplicate('s')),
            's' => {
                if value.is_empty() {
                    return Err(ErrorKind::MissingField { field: "session name" });
                }
                value.clone_into(&mut sdp.session_name);
                self.name = true;
            }
            'i' => set_once(&mut sdp.information, 'i', value)?,
            'u' => set_once(&mut sdp.uri, 'u', value)?,
            'e' => sdp.emails.push(value.to_owned()),
            'p' => sdp.phones.push(value.to_owned()),
            'c' if sdp.connection.is_some() => return Err(ErrorKind::Duplicate('c')),
            'c' => sdp.connection = Some(parse_connection(value)?),
            'b' => sdp.bandwidths.push(parse_bandwidth(value)?),
            't' => sdp.times.push(parse_timing(value)?),
            'r' => match sdp.times.last_mut() {
                Some(t) => t.repeats.push(value.to_owned()),
                None => return Err(ErrorKind::Missing('t')),
            },
            'z' => set_once(&mut sdp.time_zones, 'z', value)?,
            'k' => set_once(&mut sdp.encryption_key, 'k', value)?,
            'a' => sdp.attributes.push(attribute(value, warnings)?),
            'm' => sdp.media.push(parse_media(value)?),
            other => return Err(ErrorKind::UnknownType(other)),
        }
        Ok(())
    }
}

pub(crate) fn parse(text: &str) -> Result<SessionDescription, SdpError> {
    let mut session = Session {
        sdp: SessionDescription {
            times: Vec::new(),
            ..SessionDescription::default()
        },
        origin: false,
        name: false,
    };
    let mut last = 0;
    let mut first_media_line: Option<(usize, String)> = None;
    // Trailing empty lines (a doubled final line ending) are tolerated.
    let text = text.trim_end_matches(['\r', '\n']);
    let mut warnings = Vec::new();
    for line in lines(text) {
        last = line.number;
        let err = |kind| line.error(kind);
        if let Some(c) = line.text.chars().find(|&c| c == '\0' || c == '\r') {
            return Err(err(ErrorKind::ForbiddenCharacter(c)));
        }
        if line.text.is_empty() {
            return Err(err(ErrorKind::EmptyLine));
        }
        let bytes = line.text.as_bytes();
        if bytes.len() < 2 || bytes[1] != b'=' || !bytes[0].is_ascii_alphabetic() {
            return Err(err(ErrorKind::NotTypeValue));
        }
        let letter = char::from(bytes[0]);
        let value = &line.text[2..];
        if line.number == 1 {
            if letter != 'v' {
                return Err(err(ErrorKind::MissingVersion));
            }
            if value != "0" {
                return Err(err(ErrorKind::UnsupportedVersion));
            }
            continue;
        }
        match session.sdp.media.last_mut() {
            Some(media) if letter != 'm' => media_line(media, letter, value, &mut warnings).map_err(err)?,
            _ => {
                if letter == 'm' && first_media_line.is_none() {
                    first_media_line = Some((line.number, line.text.to_owned()));
                }
                session.line(letter, value, &mut warnings).map_err(err)?;
            }
        }
        session
            .sdp
            .warnings
            .extend(warnings.drain(..).map(|kind| line.error(kind)));
    }
    if last == 0 {
        return Err(SdpError {
            line: 1,
            text: String::new(),
            kind: ErrorKind::Empty,
        });
    }
    let missing = |letter| {
        let (line, text) = first_media_line.clone().unwrap_or((last + 1, String::new()));
        SdpError {
            line,
            text,
            kind: ErrorKind::Missing(letter),
        }
    };
    if !session.origin {
        return Err(missing('o'));
    }
    if !session.name {
        return Err(missing('s'));
    }
    if session.sdp.times.is_empty() {
        return Err(missing('t'));
    }
    Ok(session.sdp)
}
