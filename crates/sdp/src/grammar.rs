//! Small nom building blocks shared by the attribute grammars, and the glue that turns a nom failure into an
//! [`ErrorKind`] naming the field that did not parse.

use std::str::FromStr;

use nom::bytes::complete::take_while1;
use nom::character::complete::{char, digit1};
use nom::combinator::map_res;
use nom::sequence::preceded;
use nom::{IResult, Parser};

use crate::error::ErrorKind;

/// A run of non-space characters.
pub(crate) fn token(i: &str) -> IResult<&str, &str> {
    take_while1(|c| c != ' ')(i)
}

/// A decimal number of type `T` (digits only: no sign, no spaces).
pub(crate) fn number<T: FromStr>(i: &str) -> IResult<&str, T> {
    map_res(digit1, str::parse::<T>).parse(i)
}

/// A single space followed by `p`.
pub(crate) fn sp<'a, O>(
    p: impl Parser<&'a str, Output = O, Error = nom::error::Error<&'a str>>,
) -> impl Parser<&'a str, Output = O, Error = nom::error::Error<&'a str>> {
    preceded(char(' '), p)
}

/// Runs `p` on `input`; on failure reports `field` as missing (nothing left) or invalid (showing the next token).
pub(crate) fn field<'a, O>(
    input: &'a str,
    field: &'static str,
    mut p: impl Parser<&'a str, Output = O, Error = nom::error::Error<&'a str>>,
) -> Result<(&'a str, O), ErrorKind> {
    p.parse(input).map_err(|_| {
        let rest = input.strip_prefix(' ').unwrap_or(input);
        let shown = rest.split(' ').next().unwrap_or_default();
        if shown.is_empty() {
            ErrorKind::MissingField { field }
        } else {
            ErrorKind::invalid(field, shown)
        }
    })
}

/// Parses a whole string as a number, naming `field` on failure.
pub(crate) fn parse_num<T: FromStr>(s: &str, field: &'static str) -> Result<T, ErrorKind> {
    if s.is_empty() {
        return Err(ErrorKind::MissingField { field });
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ErrorKind::invalid(field, s));
    }
    s.parse().map_err(|_| ErrorKind::invalid(field, s))
}

/// A non-empty string without spaces, naming `field` on failure.
pub(crate) fn parse_token<'a>(s: &'a str, field: &'static str) -> Result<&'a str, ErrorKind> {
    if s.is_empty() {
        Err(ErrorKind::MissingField { field })
    } else if s.contains(' ') {
        Err(ErrorKind::invalid(field, s))
    } else {
        Ok(s)
    }
}

/// A non-empty run of ASCII digits of any length (`1*DIGIT`), naming `field` on failure.
pub(crate) fn parse_digits<'a>(s: &'a str, field: &'static str) -> Result<&'a str, ErrorKind> {
    if s.is_empty() {
        Err(ErrorKind::MissingField { field })
    } else if s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s)
    } else {
        Err(ErrorKind::invalid(field, s))
    }
}
