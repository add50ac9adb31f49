//! Generated sessions survive write → parse unchanged, and what they write is canonical (no line keeps an
//! original spelling).
#![allow(clippy::unwrap_used)]

use std::net::IpAddr;

use ortc_sdp::{
    Attribute, Bandwidth, Candidate, CandidateAddress, CandidateTransport, CandidateType, Connection, Direction,
    Extmap, Fingerprint, Fmtp, Group, MediaDescription, Msid, MsidSemantic, Origin, RcvrRttMode, Rid, RidDirection,
    RtcpAddress, RtcpFb, RtcpXr, Rtpmap, Sctpmap, SessionDescription, Setup, Simulcast, SimulcastRid, Ssrc, SsrcGroup,
    StatFlag, TcpType, Timing, XrFormat,
};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9+/._-]{1,12}"
}

/// Free text for values that may hold spaces (never CR, LF or NUL; no leading space).
fn text() -> impl Strategy<Value = String> {
    "[A-Za-z0-9=;:,/._-][A-Za-z0-9 =;:,/._-]{0,20}"
}

fn xr_format() -> impl Strategy<Value = XrFormat> {
    let flag = prop_oneof![
        Just(StatFlag::Loss),
        Just(StatFlag::Dup),
        Just(StatFlag::Jitt),
        Just(StatFlag::Ttl),
        Just(StatFlag::Hl)
    ];
    prop_oneof![
        option::of(any::<u32>()).prop_map(|max_size| XrFormat::PktLossRle { max_size }),
        option::of(any::<u32>()).prop_map(|max_size| XrFormat::PktDupRle { max_size }),
        option::of(any::<u32>()).prop_map(|max_size| XrFormat::PktRcptTimes { max_size }),
        (
            prop_oneof![Just(RcvrRttMode::All), Just(RcvrRttMode::Sender)],
            option::of(any::<u32>())
        )
            .prop_map(|(mode, max_size)| XrFormat::RcvrRtt { mode, max_size }),
        vec(flag, 0..4).prop_map(XrFormat::StatSummary),
        Just(XrFormat::VoipMetrics),
        "x-[a-z0-9=:,-]{1,10}".prop_map(XrFormat::Other),
    ]
}

fn direction() -> impl Strategy<Value = Direction> {
    prop_oneof![
        Just(Direction::SendRecv),
        Just(Direction::SendOnly),
        Just(Direction::RecvOnly),
        Just(Direction::Inactive)
    ]
}

fn address() -> impl Strategy<Value = CandidateAddress> {
    prop_oneof![
        any::<IpAddr>().prop_map(CandidateAddress::Ip),
        "[a-z0-9-]{1,12}\\.local".prop_map(CandidateAddress::Fqdn),
    ]
}

fn candidate() -> impl Strategy<Value = Candidate> {
    (
        "[A-Za-z0-9+/]{1,32}",
        1..=256u16,
        prop_oneof![Just(CandidateTransport::Udp), Just(CandidateTransport::Tcp)],
        any::<u32>(),
        address(),
        any::<u16>(),
        prop_oneof![
            Just(CandidateType::Host),
            Just(CandidateType::ServerReflexive),
            Just(CandidateType::PeerReflexive),
            Just(CandidateType::Relay),
            "x-[a-z]{1,5}".prop_map(CandidateType::Other),
        ],
        (option::of(address()), option::of(any::<u16>())),
        option::of(prop_oneof![
            Just(TcpType::Active),
            Just(TcpType::Passive),
            Just(TcpType::SimultaneousOpen)
        ]),
        option::of(any::<u32>()),
        vec(("x-[a-z-]{1,8}", token()), 0..3),
    )
        .prop_map(
            |(foundation, component, transport, priority, address, port, typ, (raddr, rport), tcp, gen_, ext)| {
                let mut c = Candidate::new(foundation, component, transport, priority, address, port, typ);
                c.related_address = raddr;
                c.related_port = rport;
                c.tcp_type = tcp;
                c.generation = gen_;
                c.extensions = ext;
                c
            },
        )
}

fn rid_id() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_-]{1,8}"
}

fn simulcast_streams() -> impl Strategy<Value = Vec<Vec<SimulcastRid>>> {
    vec(
        vec(
            (rid_id(), any::<bool>()).prop_map(|(id, paused)| SimulcastRid { id, paused }),
            1..3,
        ),
        1..3,
    )
}

fn attribute() -> impl Strategy<Value = Attribute> {
    let pt = 0..=127u8;
    prop_oneof![
        (token(), vec(token(), 0..3)).prop_map(|(semantics, mids)| Attribute::Group(Group { semantics, mids })),
        token().prop_map(Attribute::Mid),
        Just(Attribute::RtcpMux),
        Just(Attribute::RtcpMuxOnly),
        Just(Attribute::RtcpRsize),
        vec(xr_format(), 0..4).prop_map(|formats| Attribute::RtcpXr(RtcpXr { formats })),
        (any::<u16>(), option::of((token(), token(), token())))
            .prop_map(|(port, address)| Attribute::Rtcp(RtcpAddress { port, address })),
        (pt.clone(), "[A-Za-z0-9-]{1,10}", any::<u32>(), option::of(any::<u32>())).prop_map(
            |(payload_type, encoding_name, clock_rate, encoding_params)| {
                Attribute::Rtpmap(Rtpmap {
                    payload_type,
                    encoding_name,
                    clock_rate,
                    encoding_params,
                })
            }
        ),
        (pt.clone(), text()).prop_map(|(payload_type, parameters)| Attribute::Fmtp(Fmtp {
            payload_type,
            parameters
        })),
        (option::of(pt.clone()), token(), option::of(text())).prop_map(|(payload_type, feedback, parameter)| {
            Attribute::RtcpFb(RtcpFb {
                payload_type,
                feedback,
                parameter,
            })
        }),
        (1..=255u16, option::of(direction()), token(), option::of(text())).prop_map(
            |(id, direction, uri, attributes)| Attribute::Extmap(Extmap {
                id,
                direction,
                uri,
                attributes
            })
        ),
        Just(Attribute::ExtmapAllowMixed),
        (any::<u32>(), "[A-Za-z0-9_-]{1,8}", option::of("[A-Za-z0-9 :/_-]{0,12}"))
            .prop_map(|(ssrc, attribute, value)| Attribute::Ssrc(Ssrc { ssrc, attribute, value })),
        (token(), vec(any::<u32>(), 0..4))
            .prop_map(|(semantics, ssrcs)| Attribute::SsrcGroup(SsrcGroup { semantics, ssrcs })),
        (token(), option::of(token())).prop_map(|(stream_id, track_id)| Attribute::Msid(Msid { stream_id, track_id })),
        (token(), vec(token(), 0..3))
            .prop_map(|(semantic, identifiers)| Attribute::MsidSemantic(MsidSemantic { semantic, identifiers })),
        direction().prop_map(Attribute::Direction),
        token().prop_map(Attribute::IceUfrag),
        token().prop_map(Attribute::IcePwd),
        vec(token(), 1..3).prop_map(Attribute::IceOptions),
        Just(Attribute::IceLite),
        candidate().prop_map(Attribute::Candidate),
        Just(Attribute::EndOfCandidates),
        ("sha-(1|256|384|512)", vec(any::<u8>(), 1..64))
            .prop_map(|(hash, bytes)| Attribute::Fingerprint(Fingerprint { hash, bytes })),
        prop_oneof![
            Just(Setup::ActPass),
            Just(Setup::Active),
            Just(Setup::Passive),
            Just(Setup::HoldConn)
        ]
        .prop_map(Attribute::Setup),
        (
            rid_id(),
            prop_oneof![Just(RidDirection::Send), Just(RidDirection::Recv)],
            vec(pt, 0..3),
            vec(("max-[a-z]{1,6}", option::of("[0-9a-z.]{1,6}")), 0..3)
        )
            .prop_map(|(id, direction, payload_types, restrictions)| {
                Attribute::Rid(Rid {
                    id,
                    direction,
                    payload_types,
                    restrictions,
                })
            }),
        prop_oneof![
            (simulcast_streams(), simulcast_streams()).prop_map(|(send, recv)| Simulcast { send, recv }),
            simulcast_streams().prop_map(|send| Simulcast { send, recv: Vec::new() }),
            simulcast_streams().prop_map(|recv| Simulcast { send: Vec::new(), recv }),
        ]
        .prop_map(Attribute::Simulcast),
        any::<u16>().prop_map(Attribute::SctpPort),
        any::<u64>().prop_map(Attribute::MaxMessageSize),
        (any::<u16>(), token(), option::of(any::<u32>()))
            .prop_map(|(number, app, streams)| Attribute::Sctpmap(Sctpmap { number, app, streams })),
        ("x-[a-z-]{1,10}", option::of("[A-Za-z0-9 :;=/_-]{0,20}"))
            .prop_map(|(name, value)| Attribute::Other { name, value }),
    ]
}

fn connection() -> impl Strategy<Value = Connection> {
    any::<IpAddr>().prop_map(Connection::new)
}

fn bandwidth() -> impl Strategy<Value = Bandwidth> {
    ("[A-Z]{2,4}", any::<u64>()).prop_map(|(bwtype, bandwidth)| Bandwidth { bwtype, bandwidth })
}

fn media() -> impl Strategy<Value = MediaDescription> {
    (
        "(audio|video|application)",
        any::<u16>(),
        option::of(any::<u16>()),
        token(),
        vec(token(), 1..5),
        option::of(text()),
        vec(connection(), 0..2),
        vec(bandwidth(), 0..2),
        vec(attribute(), 0..12),
    )
        .prop_map(
            |(kind, port, port_count, protocol, formats, information, connections, bandwidths, attrs)| {
                let mut m = MediaDescription::new(kind, port, protocol, formats);
                m.port_count = port_count;
                m.information = information;
                m.connections = connections;
                m.bandwidths = bandwidths;
                m.attributes = attrs.into_iter().collect();
                m
            },
        )
}

fn session() -> impl Strategy<Value = SessionDescription> {
    (
        ("[a-z-]{1,6}", "[0-9]{1,40}", any::<u64>(), any::<IpAddr>()),
        text(),
        option::of(connection()),
        vec(bandwidth(), 0..2),
        vec((any::<u64>(), any::<u64>(), vec(text(), 0..2)), 1..3),
        vec(attribute(), 0..10),
        vec(media(), 0..4),
    )
        .prop_map(
            |((username, id, version, ip), name, connection, bandwidths, times, attrs, media)| {
                let c = Connection::new(ip);
                let mut sdp = SessionDescription::new(Origin {
                    username,
                    session_id: id,
                    session_version: version,
                    net_type: c.net_type,
                    addr_type: c.addr_type,
                    unicast_address: c.address,
                });
                sdp.session_name = name;
                sdp.connection = connection;
                sdp.bandwidths = bandwidths;
                sdp.times = times
                    .into_iter()
                    .map(|(start, stop, repeats)| Timing { start, stop, repeats })
                    .collect();
                sdp.attributes = attrs.into_iter().collect();
                sdp.media = media;
                sdp
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn write_then_parse_is_identity(sdp in session()) {
        let text = sdp.to_string();
        prop_assert_eq!(sdp.try_to_string(), Ok(text.clone()));
        let parsed = SessionDescription::parse(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(&parsed, &sdp);
        prop_assert_eq!(parsed.to_string(), text);
    }

    #[test]
    fn arbitrary_text_never_panics_and_round_trips(lines in vec("[a-z]=[ -~]{0,40}", 0..12)) {
        let text = format!("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n{}", lines.join("\r\n"));
        if let Ok(sdp) = SessionDescription::parse(&text) {
            let again = SessionDescription::parse(&sdp.to_string()).unwrap();
            prop_assert_eq!(again, sdp);
        }
    }
}

#[test]
fn origin_session_id_keeps_any_number_of_digits() {
    let text = "v=0\r\no=- 000123456789012345678901234567890 01 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
    let sdp = SessionDescription::parse(text).unwrap();
    assert_eq!(sdp.origin.session_id, "000123456789012345678901234567890");
    // The session version is an integer: its leading zero is the documented exception.
    assert_eq!(sdp.try_to_string().unwrap(), text.replace(" 01 ", " 1 "));

    let e = SessionDescription::parse("v=0\r\no=- 12a 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n").unwrap_err();
    assert_eq!(
        (e.line, e.kind.to_string()),
        (2, "invalid origin session id `12a`".to_owned())
    );
    for bad in ["", "x", "1 2", "-1"] {
        let mut sdp = SessionDescription::default();
        sdp.origin.session_id = bad.into();
        assert_eq!(sdp.try_to_string().unwrap_err().line, 2, "{bad:?}");
    }
}
