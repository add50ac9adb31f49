//! Malformed input: every error names the right line, its text, and what was wrong.
#![allow(clippy::unwrap_used)]

use ortc_sdp::{Attribute, ErrorKind, SdpError, SessionDescription};

const HEAD: &str = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";

/// Appends `line` as line 6 (after a 5-line head) and returns the error.
/// Appends `line` (a malformed attribute) as line 7: strict parsing fails there; lenient parsing keeps it raw
/// as `Attribute::Other`, records the same error as a warning, and writes the input back unchanged.
fn err_at_6(line: &str) -> SdpError {
    let text = format!("{HEAD}a=mid:0\n{line}\r\na=rtcp-mux\r\n");
    let e = SessionDescription::parse_strict(&text).unwrap_err();
    assert_eq!((e.line, e.text.as_str()), (7, line), "{e}");
    let sdp = match SessionDescription::parse(&text) {
        Ok(sdp) => sdp,
        Err(lenient) => {
            // A malformed attribute name stays an error even when parsing leniently.
            assert!(
                matches!(
                    lenient.kind,
                    ErrorKind::InvalidField {
                        field: "attribute name",
                        ..
                    }
                ),
                "{lenient}"
            );
            assert_eq!(lenient, e);
            return e;
        }
    };
    assert_eq!(sdp.warnings, std::slice::from_ref(&e));
    let (name, value) = line[2..]
        .split_once(':')
        .map_or((&line[2..], None), |(n, v)| (n, Some(v)));
    let kept = sdp.media[0].attributes.iter().nth(1).unwrap();
    assert_eq!(
        kept,
        &Attribute::Other {
            name: name.into(),
            value: value.map(Into::into)
        }
    );
    assert!(sdp.media[0].attributes.rtcp_mux());
    assert_eq!(sdp.try_to_string().unwrap(), text.replace("a=mid:0\n", "a=mid:0\r\n"));
    e
}

fn invalid(field: &'static str, value: &str) -> ErrorKind {
    ErrorKind::InvalidField {
        field,
        value: value.into(),
    }
}

#[test]
fn attribute_errors_carry_line_and_text() {
    let e = err_at_6("a=rtpmap:abc");
    assert_eq!(e.kind, invalid("rtpmap payload type", "abc"));
    assert_eq!(
        e.to_string(),
        "SDP line 7 `a=rtpmap:abc`: invalid rtpmap payload type `abc`"
    );
    assert_eq!(err_at_6("a=rtpmap:128 x/1").kind, invalid("rtpmap payload type", "128"));
    assert_eq!(
        err_at_6("a=rtpmap:96 VP8").kind,
        ErrorKind::MissingField {
            field: "rtpmap clock rate"
        }
    );
    assert_eq!(err_at_6("a=rtpmap:96 VP8/9x").kind, invalid("rtpmap clock rate", "9x"));
    assert_eq!(err_at_6("a=rtpmap:96 a/1/2/3").kind, ErrorKind::Trailing("/3".into()));
    assert_eq!(
        err_at_6("a=fmtp:96").kind,
        ErrorKind::MissingField {
            field: "fmtp parameters"
        }
    );
    assert_eq!(err_at_6("a=rtcp-fb:x nack").kind, invalid("rtcp-fb payload type", "x"));
    assert_eq!(
        err_at_6("a=extmap:1/sideways urn:x").kind,
        invalid("extmap direction", "sideways")
    );
    assert_eq!(err_at_6("a=extmap:70000 urn:x").kind, invalid("extmap id", "70000"));
    assert_eq!(
        err_at_6("a=extmap:1").kind,
        ErrorKind::MissingField { field: "extmap uri" }
    );
    assert_eq!(err_at_6("a=ssrc:-1 cname:x").kind, invalid("ssrc", "-1"));
    assert_eq!(
        err_at_6("a=ssrc:1").kind,
        ErrorKind::MissingField {
            field: "ssrc attribute"
        }
    );
    assert_eq!(err_at_6("a=ssrc-group:FID 1 x").kind, invalid("ssrc-group ssrc", "x"));
    assert_eq!(err_at_6("a=msid:a b c").kind, ErrorKind::Trailing("c".into()));
    assert_eq!(err_at_6("a=mid").kind, ErrorKind::MissingField { field: "mid" });
    assert_eq!(err_at_6("a=rtcp-mux:yes").kind, ErrorKind::Trailing(":yes".into()));
    assert_eq!(err_at_6("a=setup:both").kind, invalid("setup role", "both"));
    assert_eq!(
        err_at_6("a=fingerprint:sha-256").kind,
        ErrorKind::MissingField {
            field: "fingerprint digest"
        }
    );
    assert_eq!(
        err_at_6("a=fingerprint:sha-256 AB:C").kind,
        invalid("fingerprint digest", "AB:C")
    );
    assert_eq!(
        err_at_6("a=fingerprint:sha-256 AB::CD").kind,
        invalid("fingerprint digest", "AB::CD")
    );
    assert_eq!(
        err_at_6("a=ice-options:").kind,
        ErrorKind::MissingField { field: "ice-options" }
    );
    assert_eq!(err_at_6("a=sctp-port:65536").kind, invalid("sctp-port", "65536"));
    assert_eq!(
        err_at_6("a=max-message-size:-1").kind,
        invalid("max-message-size", "-1")
    );
    assert_eq!(
        err_at_6("a=sctpmap:5000").kind,
        ErrorKind::MissingField { field: "sctpmap app" }
    );
    assert_eq!(
        err_at_6("a=rtcp:9 IN IP4").kind,
        ErrorKind::MissingField { field: "rtcp address" }
    );
    assert_eq!(err_at_6("a=rid:hi sideways").kind, invalid("rid direction", "sideways"));
    assert_eq!(err_at_6("a=rid:hi send pt=x").kind, invalid("rid pt list", "x"));
    assert_eq!(err_at_6("a=rid:h!i send").kind, invalid("rid id", "h!i"));
    assert_eq!(
        err_at_6("a=simulcast:send").kind,
        ErrorKind::MissingField {
            field: "simulcast stream list"
        }
    );
    assert_eq!(
        err_at_6("a=simulcast:both a").kind,
        invalid("simulcast direction", "both")
    );
    assert_eq!(
        err_at_6("a=simulcast:send a send b").kind,
        invalid("simulcast direction", "send")
    );
    assert_eq!(
        err_at_6("a=simulcast:send a;;b").kind,
        invalid("simulcast stream list", ";;b")
    );
    assert_eq!(err_at_6("a= x").kind, invalid("attribute name", " x"));
}

#[test]
fn candidate_errors() {
    let c = |rest: &str| err_at_6(&format!("a=candidate:{rest}")).kind;
    assert_eq!(
        c(""),
        ErrorKind::MissingField {
            field: "candidate foundation"
        }
    );
    assert_eq!(
        c("f!x 1 udp 1 1.2.3.4 1 typ host"),
        invalid("candidate foundation", "f!x")
    );
    assert_eq!(
        c(&format!("{} 1 udp 1 1.2.3.4 1 typ host", "a".repeat(33))),
        invalid("candidate foundation", &"a".repeat(33))
    );
    assert_eq!(
        c("1 x udp 1 1.2.3.4 1 typ host"),
        invalid("candidate component id", "x")
    );
    assert_eq!(
        c("1 1 udp 4294967296 1.2.3.4 1 typ host"),
        invalid("candidate priority", "4294967296")
    );
    assert_eq!(
        c("1 1 udp 1 1.2.3.4 65536 typ host"),
        invalid("candidate port", "65536")
    );
    assert_eq!(
        c("1 1 udp 1 bad/addr 1 typ host"),
        invalid("candidate address", "bad/addr")
    );
    assert_eq!(c("1 1 udp 1 1.2.3.4 1 type host"), invalid("candidate `typ`", "type"));
    assert_eq!(
        c("1 1 udp 1 1.2.3.4 1 typ"),
        ErrorKind::MissingField {
            field: "candidate type"
        }
    );
    assert_eq!(
        c("1 1 udp 1 1.2.3.4 1 typ host raddr"),
        ErrorKind::MissingField {
            field: "candidate extension value"
        }
    );
    assert_eq!(
        c("1 1 udp 1 1.2.3.4 1 typ host rport x"),
        invalid("candidate rport", "x")
    );
    assert_eq!(
        c("1 1 tcp 1 1.2.3.4 1 typ host tcptype both"),
        invalid("candidate tcptype", "both")
    );
    assert_eq!(
        c("1 1 udp 1 1.2.3.4 1 typ host generation -1"),
        invalid("candidate generation", "-1")
    );
    assert_eq!(
        c("1 1 udp 1 1.2.3.4 1 typ host  generation 0"),
        ErrorKind::MissingField {
            field: "candidate extension name"
        }
    );
    assert!("candidate:1 1 udp".parse::<ortc_sdp::Candidate>().is_err());
}

#[test]
fn structure_errors() {
    let parse = |t: &str| SessionDescription::parse(t).unwrap_err();
    let e = parse("");
    assert_eq!((e.line, e.kind), (1, ErrorKind::Empty));
    let e = parse("o=- 1 1 IN IP4 1.2.3.4\r\n");
    assert_eq!(
        (e.line, e.text.as_str(), e.kind),
        (1, "o=- 1 1 IN IP4 1.2.3.4", ErrorKind::MissingVersion)
    );
    assert_eq!(parse("v=1\r\n").kind, ErrorKind::UnsupportedVersion);
    let e = parse("v=0\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n");
    assert_eq!(
        (e.line, e.text.as_str(), e.kind),
        (4, "m=audio 9 RTP/AVP 0", ErrorKind::Missing('o'))
    );
    let e = parse("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\n");
    assert_eq!((e.line, e.text.as_str(), e.kind), (4, "", ErrorKind::Missing('t')));
    let e = parse("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nt=0 0\r\n");
    assert_eq!(e.kind, ErrorKind::Missing('s'));

    let at = |line: &str| {
        let e = SessionDescription::parse(&format!("{HEAD}{line}\r\n")).unwrap_err();
        assert_eq!((e.line, e.text.as_str()), (6, line));
        e.kind
    };
    assert_eq!(at("x=1"), ErrorKind::UnknownType('x'));
    assert_eq!(at("a"), ErrorKind::NotTypeValue);
    assert_eq!(at("ab=c"), ErrorKind::NotTypeValue);
    assert_eq!(at("a=x\0"), ErrorKind::ForbiddenCharacter('\0'));
    assert_eq!(at("a=x\ry"), ErrorKind::ForbiddenCharacter('\r'));
    assert_eq!(at("t=0 0"), ErrorKind::NotInMedia('t'));
    assert_eq!(
        at("m=audio x RTP/AVP 0"),
        ErrorKind::InvalidField {
            field: "media port",
            value: "x".into()
        }
    );
    assert_eq!(
        at("m=audio 9/x RTP/AVP 0"),
        ErrorKind::InvalidField {
            field: "media port count",
            value: "x".into()
        }
    );
    assert_eq!(
        at("m=audio 9 RTP/AVP"),
        ErrorKind::MissingField { field: "media format" }
    );
    assert_eq!(
        at("c=IN IP4"),
        ErrorKind::MissingField {
            field: "connection address"
        }
    );
    assert_eq!(
        at("b=AS"),
        ErrorKind::MissingField {
            field: "bandwidth value"
        }
    );
    assert_eq!(
        at("b=AS:x"),
        ErrorKind::InvalidField {
            field: "bandwidth value",
            value: "x".into()
        }
    );

    let session = |line: &str, n: usize| {
        let e = SessionDescription::parse(&format!("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\n{line}\r\nt=0 0\r\n"))
            .unwrap_err();
        assert_eq!((e.line, e.text.as_str()), (n, line));
        e.kind
    };
    assert_eq!(session("o=- 1 1 IN IP4 1.2.3.4", 4), ErrorKind::Duplicate('o'));
    assert_eq!(session("r=7d", 4), ErrorKind::Missing('t'));
    assert_eq!(
        session("c=IN IP4 1.2.3.4 extra", 4),
        ErrorKind::Trailing("extra".into())
    );
    let e = SessionDescription::parse("v=0\r\no=- x 1 IN IP4 1.2.3.4\r\n").unwrap_err();
    assert_eq!(
        (e.line, e.kind),
        (
            2,
            ErrorKind::InvalidField {
                field: "origin session id",
                value: "x".into()
            }
        )
    );
    let e = SessionDescription::parse("v=0\r\no=- 1 1 IN IP4\r\n").unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::MissingField {
            field: "origin address"
        }
    );
}

#[test]
fn extmap_ids_outside_1_to_255_are_out_of_range() {
    let out_of_range = |v: &str| ErrorKind::OutOfRange {
        field: "extmap id",
        value: v.into(),
        min: 1,
        max: 255,
    };
    for id in ["0", "256", "4096", "4351", "65535"] {
        let e = err_at_6(&format!("a=extmap:{id} urn:x"));
        assert_eq!(e.kind, out_of_range(id));
    }
    assert_eq!(
        err_at_6("a=extmap:0 urn:x").to_string(),
        "SDP line 7 `a=extmap:0 urn:x`: extmap id `0` out of range 1..=255"
    );
}

#[test]
fn empty_lines_only_at_the_end() {
    let e = SessionDescription::parse(&format!("{HEAD}\r\na=rtcp-mux\r\n")).unwrap_err();
    assert_eq!((e.line, e.kind), (6, ErrorKind::EmptyLine));
    for end in ["\r\n", "\n", "\r\n\r\n", "\n\n"] {
        let sdp = SessionDescription::parse(&format!("{HEAD}a=rtcp-mux{end}")).unwrap();
        assert!(sdp.media[0].attributes.rtcp_mux() && sdp.warnings.is_empty());
    }
}

#[test]
fn structural_lines_stay_strict() {
    let text = format!("{HEAD}a=setup:both\r\nc=IN IP4\r\n");
    let e = SessionDescription::parse(&text).unwrap_err();
    assert_eq!((e.line, e.text.as_str()), (7, "c=IN IP4"));
}

#[test]
fn rtcp_xr_errors_name_the_bad_part() {
    assert_eq!(
        err_at_6("a=rtcp-xr:rcvr-rtt").kind,
        ErrorKind::MissingField { field: "rcvr-rtt mode" }
    );
    assert_eq!(
        err_at_6("a=rtcp-xr:rcvr-rtt=some").kind,
        invalid("rcvr-rtt mode", "some")
    );
    assert_eq!(
        err_at_6("a=rtcp-xr:rcvr-rtt=all:big").kind,
        invalid("rtcp-xr max-size", "big")
    );
    assert_eq!(
        err_at_6("a=rtcp-xr:pkt-loss-rle=-1").kind,
        invalid("rtcp-xr max-size", "-1")
    );
    assert_eq!(
        err_at_6("a=rtcp-xr:stat-summary=loss,ttl").kind,
        invalid("stat-summary flag", "ttl")
    );
    assert_eq!(
        err_at_6("a=rtcp-xr:voip-metrics  pkt-loss-rle").kind,
        ErrorKind::MissingField {
            field: "rtcp-xr format"
        }
    );
    assert_eq!(err_at_6("a=rtcp-xr").kind, ErrorKind::MissingField { field: "rtcp-xr" });
}
