//! Writing. Every line goes through one sink, so the unchecked [`std::fmt::Display`] writer and the checked
//! [`SessionDescription::try_to_string`] cannot disagree about what is written.

use std::fmt::{self, Write as _};

use crate::attribute::AttributeLine;
use crate::error::{ErrorKind, SdpError};
use crate::media::{MediaDescription, MediaLine};
use crate::session::SessionDescription;

/// One line about to be written, still typed so that the checked writer can parse it back and compare.
#[derive(Clone, Copy)]
pub(crate) enum Written<'a> {
    /// `<letter>=<value>` for the lines the whole-description parse checks (`v o s i u e p c b t r z k`).
    Text(char, &'a dyn fmt::Display),
    /// An `m=` line.
    Media(&'a MediaDescription),
    /// An `a=` line.
    Attribute(&'a AttributeLine),
}

impl Written<'_> {
    fn letter(&self) -> char {
        match self {
            Self::Text(letter, _) => *letter,
            Self::Media(_) => 'm',
            Self::Attribute(_) => 'a',
        }
    }
}

impl fmt::Display for Written<'_> {
    /// The value after `<letter>=`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text(_, value) => value.fmt(f),
            Self::Media(m) => MediaLine(m).fmt(f),
            Self::Attribute(a) => a.fmt(f),
        }
    }
}

pub(crate) fn write_line(f: &mut fmt::Formatter<'_>, line: Written<'_>) -> fmt::Result {
    write!(f, "{}={line}\r\n", line.letter())
}

/// Checks one written line on its own: no line breaks or NUL, and for `m=` and `a=` lines, parsing the text
/// gives back the value. The other lines are checked by parsing the whole description.
fn check_line(line: &Written<'_>, value: &str) -> Result<(), ErrorKind> {
    if let Some(c) = value.chars().find(|c| matches!(c, '\r' | '\n' | '\0')) {
        return Err(ErrorKind::ForbiddenCharacter(c));
    }
    match line {
        Written::Text(..) => Ok(()),
        Written::Media(m) => {
            let back = crate::parse::parse_media(value)?;
            let same = back.kind == m.kind
                && back.port == m.port
                && back.port_count == m.port_count
                && back.protocol == m.protocol
                && back.formats == m.formats;
            same.then_some(()).ok_or(ErrorKind::NoRoundTrip)
        }
        Written::Attribute(a) => {
            // Lenient, as `parse` reads it: a raw `Attribute::Other` kept from a malformed input line writes back
            // as itself. A typed value that comes back raw reports why its text did not parse.
            let (back, warning) = AttributeLine::parse_lenient(value)?;
            if back.value() == a.value() {
                Ok(())
            } else {
                Err(warning.unwrap_or(ErrorKind::NoRoundTrip))
            }
        }
    }
}

pub(crate) fn checked(sdp: &SessionDescription) -> Result<String, SdpError> {
    let mut out = String::new();
    let mut number = 0;
    let mut media_lines = Vec::new();
    let mut failure = None;
    let mut value = String::new();
    let written = sdp.write_lines(&mut |line| {
        number += 1;
        value.clear();
        write!(value, "{line}")?;
        let text = format!("{}={value}", line.letter());
        if let Err(kind) = check_line(&line, &value) {
            failure = Some(SdpError {
                line: number,
                text,
                kind,
            });
            return Err(fmt::Error);
        }
        if matches!(line, Written::Media(_)) {
            media_lines.push((number, text.clone()));
        }
        out.push_str(&text);
        out.push_str("\r\n");
        Ok(())
    });
    if let Some(error) = failure {
        return Err(error);
    }
    // invariant: the sink above only fails after recording `failure`, and writing into a String cannot fail.
    debug_assert!(written.is_ok(), "writing into a String failed");
    let back = SessionDescription::parse(&out)?;
    if back.same_content(sdp) {
        return Ok(out);
    }
    // Every `m=` and `a=` line round-tripped on its own, so the difference is in a session-level line or in
    // the other lines of a media section: name the section's `m=` line, or the `o=` line for the session.
    let (line, text) = back
        .media
        .iter()
        .zip(&sdp.media)
        .position(|(a, b)| a != b)
        .and_then(|i| media_lines.get(i).cloned())
        .unwrap_or_else(|| (2, out.lines().nth(1).unwrap_or_default().to_owned()));
    Err(SdpError {
        line,
        text,
        kind: ErrorKind::NoRoundTrip,
    })
}
