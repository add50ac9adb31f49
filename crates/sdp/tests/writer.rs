//! The checked writer: values that would inject lines or not parse back are refused with the output line, and
//! whatever it accepts parses back equal.
#![allow(clippy::unwrap_used)]

use std::net::{IpAddr, Ipv4Addr};

use ortc_sdp::{
    Attribute, Candidate, CandidateAddress, CandidateTransport, CandidateType, ErrorKind, Extmap, MediaDescription,
    Msid, Rtpmap, SessionDescription, Simulcast, SimulcastRid,
};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

fn opus() -> Rtpmap {
    Rtpmap {
        payload_type: 111,
        encoding_name: "opus".into(),
        clock_rate: 48000,
        encoding_params: Some(2),
    }
}

fn host(foundation: &str) -> Candidate {
    Candidate::new(
        foundation,
        1,
        CandidateTransport::Udp,
        1,
        CandidateAddress::Ip(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        9,
        CandidateType::Host,
    )
}

/// A default session with one audio section holding `attribute`; returns the checked writer's error.
fn refused(attribute: Attribute) -> ortc_sdp::SdpError {
    let sdp =
        SessionDescription::default().with_media(MediaDescription::rtp("audio", "0", &[111]).with_attribute(attribute));
    let e = sdp.try_to_string().unwrap_err();
    // Lines: v o s t m c a=mid, then the attribute.
    assert_eq!(e.line, 8, "{e}");
    e
}

#[test]
fn line_breaks_in_values_are_refused() {
    let injected = "0\r\na=ice-lite";
    for attribute in [
        Attribute::Mid(injected.into()),
        Attribute::IceUfrag(injected.into()),
        Attribute::IcePwd("x\na=ice-lite".into()),
        Attribute::Msid(Msid {
            stream_id: "s".into(),
            track_id: Some(injected.into()),
        }),
        Attribute::Other {
            name: "x-\r\na=ice-lite".into(),
            value: None,
        },
        Attribute::Other {
            name: "x-a".into(),
            value: Some(injected.into()),
        },
    ] {
        let e = refused(attribute);
        assert!(matches!(e.kind, ErrorKind::ForbiddenCharacter('\r' | '\n')), "{e}");
    }
    let mut c = host("1");
    c.extensions.push(("ufrag".into(), "u\r\na=ice-lite".into()));
    let e = refused(Attribute::Candidate(c));
    assert_eq!(e.kind, ErrorKind::ForbiddenCharacter('\r'));
    assert!(e.text.starts_with("a=candidate:1 1 udp"), "{e}");

    let sdp = SessionDescription {
        session_name: "-\r\na=ice-lite".into(),
        ..SessionDescription::default()
    };
    let e = sdp.try_to_string().unwrap_err();
    assert_eq!((e.line, e.kind), (3, ErrorKind::ForbiddenCharacter('\r')));
    let mut sdp = SessionDescription::default();
    sdp.origin.username = "a\0".into();
    assert_eq!(
        sdp.try_to_string().unwrap_err().kind,
        ErrorKind::ForbiddenCharacter('\0')
    );
}

#[test]
fn builder_values_that_do_not_parse_back_are_refused() {
    let sdp =
        SessionDescription::default().with_media(MediaDescription::rtp("audio", "0", &[]).with_codec(opus(), Some("")));
    let e = sdp.try_to_string().unwrap_err();
    assert_eq!(
        (e.line, e.text.as_str(), e.kind),
        (
            9,
            "a=fmtp:111 ",
            ErrorKind::MissingField {
                field: "fmtp parameters"
            }
        )
    );
    assert_eq!(
        refused(Attribute::IceOptions(Vec::new())).kind,
        ErrorKind::MissingField { field: "ice-options" }
    );
    assert_eq!(refused(Attribute::Simulcast(Simulcast::default())).text, "a=simulcast:");
    assert!(matches!(
        refused(Attribute::Extmap(Extmap {
            id: 0,
            direction: None,
            uri: "urn:x".into(),
            attributes: None
        }))
        .kind,
        ErrorKind::OutOfRange { .. }
    ));
    assert!(matches!(
        refused(Attribute::Mid("a b".into())).kind,
        ErrorKind::InvalidField { .. }
    ));
    assert_eq!(
        refused(Attribute::Other {
            name: "mid".into(),
            value: Some("1".into())
        })
        .kind,
        ErrorKind::NoRoundTrip
    );
    let sc = Simulcast {
        send: vec![vec![SimulcastRid {
            id: "h l".into(),
            paused: false,
        }]],
        recv: Vec::new(),
    };
    assert!(refused(Attribute::Simulcast(sc)).kind != ErrorKind::NoRoundTrip);

    let mut m = MediaDescription::rtp("audio", "0", &[]);
    m.formats.push("1 2".into());
    let e = SessionDescription::default().with_media(m).try_to_string().unwrap_err();
    assert_eq!((e.line, e.kind), (5, ErrorKind::NoRoundTrip));
    let mut sdp = SessionDescription::default();
    sdp.times.clear();
    assert_eq!(sdp.try_to_string().unwrap_err().kind, ErrorKind::Missing('t'));
}

/// Strings from a hostile alphabet: spaces, separators, line breaks, NUL, empty.
fn wild() -> impl Strategy<Value = String> {
    "[a-c0-9 :;,/=~\r\n\0-]{0,5}"
}

fn wild_attribute() -> impl Strategy<Value = Attribute> {
    prop_oneof![
        wild().prop_map(Attribute::Mid),
        wild().prop_map(Attribute::IceUfrag),
        wild().prop_map(Attribute::IcePwd),
        vec(wild(), 0..3).prop_map(Attribute::IceOptions),
        (wild(), option::of(wild())).prop_map(|(stream_id, track_id)| Attribute::Msid(Msid { stream_id, track_id })),
        (wild(), option::of(wild())).prop_map(|(name, value)| Attribute::Other { name, value }),
        (any::<u16>(), wild(), option::of(wild())).prop_map(|(id, uri, attributes)| Attribute::Extmap(Extmap {
            id,
            direction: None,
            uri,
            attributes
        })),
        (
            vec(vec((wild(), any::<bool>()), 0..2), 0..2),
            vec(vec((wild(), any::<bool>()), 0..2), 0..2)
        )
            .prop_map(|(send, recv)| {
                let list = |l: Vec<Vec<(String, bool)>>| {
                    l.into_iter()
                        .map(|alts| {
                            alts.into_iter()
                                .map(|(id, paused)| SimulcastRid { id, paused })
                                .collect()
                        })
                        .collect()
                };
                Attribute::Simulcast(Simulcast {
                    send: list(send),
                    recv: list(recv),
                })
            }),
        (wild(), vec((wild(), wild()), 0..2)).prop_map(|(foundation, extensions)| {
            let mut c = host(&foundation);
            c.extensions = extensions;
            Attribute::Candidate(c)
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// Whatever the checked writer accepts parses back equal and is what `Display` writes.
    #[test]
    fn accepted_output_parses_back_equal(
        kind in wild(),
        mid in wild(),
        name in wild(),
        fmtp in option::of(wild()),
        attributes in vec(wild_attribute(), 0..4),
    ) {
        let mut media = MediaDescription::rtp(kind, mid, &[]).with_codec(opus(), fmtp.as_deref());
        media.attributes.extend(attributes);
        let mut sdp = SessionDescription::default().with_media(media);
        sdp.session_name = name;
        if let Ok(text) = sdp.try_to_string() {
            prop_assert_eq!(&text, &sdp.to_string());
            let back = SessionDescription::parse(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
            prop_assert_eq!(back, sdp);
        }
    }
}
