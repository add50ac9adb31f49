//! Every typed attribute, parsed from hand-written lines and written back.
#![allow(clippy::unwrap_used)]

use std::net::{IpAddr, Ipv6Addr};

use ortc_sdp::{
    Attribute, Candidate, CandidateAddress, CandidateTransport, CandidateType, Direction, Extmap, MediaDescription,
    RcvrRttMode, Rid, RidDirection, RtcpXr, SessionDescription, Setup, SimulcastRid, StatFlag, TcpType, XrFormat,
};

const HEAD: &str = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n";

/// Parses one media-level attribute line (text after `a=`), checks it writes back unchanged, returns it.
fn attr(line: &str) -> Attribute {
    let text = format!("{HEAD}a={line}\r\n");
    let sdp = SessionDescription::parse(&text).unwrap_or_else(|e| panic!("{line}: {e}"));
    assert_eq!(sdp.to_string(), text);
    let media: &MediaDescription = &sdp.media[0];
    assert_eq!(media.attributes.len(), 1);
    media.attributes.iter().next().unwrap().clone()
}

/// Like [`attr`], and also checks that the line is in canonical form (no original text kept).
fn canonical(line: &str) -> Attribute {
    let a = attr(line);
    assert_eq!(a.to_string(), line, "not canonical");
    a
}

#[test]
fn flags_and_directions() {
    for (line, want) in [
        ("rtcp-mux", Attribute::RtcpMux),
        ("rtcp-mux-only", Attribute::RtcpMuxOnly),
        ("rtcp-rsize", Attribute::RtcpRsize),
        ("extmap-allow-mixed", Attribute::ExtmapAllowMixed),
        ("ice-lite", Attribute::IceLite),
        ("end-of-candidates", Attribute::EndOfCandidates),
        ("sendrecv", Attribute::Direction(Direction::SendRecv)),
        ("sendonly", Attribute::Direction(Direction::SendOnly)),
        ("recvonly", Attribute::Direction(Direction::RecvOnly)),
        ("inactive", Attribute::Direction(Direction::Inactive)),
    ] {
        assert_eq!(canonical(line), want);
    }
    assert_eq!(Direction::SendOnly.reverse(), Direction::RecvOnly);
}

#[test]
fn group_mid_and_ice() {
    let Attribute::Group(g) = canonical("group:BUNDLE 0 1 data") else {
        panic!()
    };
    assert_eq!((g.semantics.as_str(), g.mids.len()), ("BUNDLE", 3));
    let Attribute::Group(g) = canonical("group:LS") else {
        panic!()
    };
    assert!(g.mids.is_empty());
    assert_eq!(canonical("mid:audio0"), Attribute::Mid("audio0".into()));
    assert_eq!(canonical("ice-ufrag:F7gI"), Attribute::IceUfrag("F7gI".into()));
    assert_eq!(
        canonical("ice-pwd:x9cml/YzichV2+XlhiMu8g"),
        Attribute::IcePwd("x9cml/YzichV2+XlhiMu8g".into())
    );
    assert_eq!(
        canonical("ice-options:trickle renomination"),
        Attribute::IceOptions(vec!["trickle".into(), "renomination".into()])
    );
}

#[test]
fn rtcp_rtpmap_fmtp_rtcp_fb() {
    let Attribute::Rtcp(r) = canonical("rtcp:9 IN IP4 0.0.0.0") else {
        panic!()
    };
    assert_eq!(r.port, 9);
    let Attribute::Rtcp(r) = canonical("rtcp:53020") else {
        panic!()
    };
    assert!(r.address.is_none());
    let Attribute::Rtpmap(r) = canonical("rtpmap:96 VP8/90000") else {
        panic!()
    };
    assert_eq!(
        (
            r.payload_type,
            r.encoding_name.as_str(),
            r.clock_rate,
            r.encoding_params
        ),
        (96, "VP8", 90000, None)
    );
    let Attribute::Fmtp(f) = canonical("fmtp:111 minptime=10; useinbandfec=1") else {
        panic!()
    };
    assert_eq!(f.param("USEINBANDFEC"), Some("1"));
    let Attribute::RtcpFb(fb) = canonical("rtcp-fb:* trr-int 100") else {
        panic!()
    };
    assert_eq!(
        (fb.payload_type, fb.feedback.as_str(), fb.parameter.as_deref()),
        (None, "trr-int", Some("100"))
    );
    let Attribute::RtcpFb(fb) = canonical("rtcp-fb:96 nack") else {
        panic!()
    };
    assert_eq!((fb.payload_type, fb.parameter), (Some(96), None));
}

#[test]
fn extmap() {
    let Attribute::Extmap(e) = canonical("extmap:3/sendonly urn:ietf:params:rtp-hdrext:encrypt urn:x 1") else {
        panic!()
    };
    assert_eq!(
        e,
        Extmap {
            id: 3,
            direction: Some(Direction::SendOnly),
            uri: "urn:ietf:params:rtp-hdrext:encrypt".into(),
            attributes: Some("urn:x 1".into()),
        }
    );
    let Attribute::Extmap(e) = canonical("extmap:255 urn:x") else {
        panic!()
    };
    assert_eq!((e.id, e.direction, e.is_one_byte()), (255, None, false));
    let Attribute::Extmap(e) = canonical("extmap:14 urn:x") else {
        panic!()
    };
    assert!(e.is_one_byte());
    let Attribute::Extmap(e) = canonical("extmap:15 urn:x") else {
        panic!()
    };
    assert!(!e.is_one_byte());
}

#[test]
fn ssrc_msid() {
    let Attribute::Ssrc(s) = canonical("ssrc:3735928559 msid:stream track") else {
        panic!()
    };
    assert_eq!(
        (s.ssrc, s.attribute.as_str(), s.value.as_deref()),
        (0xDEAD_BEEF, "msid", Some("stream track"))
    );
    let Attribute::Ssrc(s) = canonical("ssrc:1 x-flag") else {
        panic!()
    };
    assert!(s.value.is_none());
    let Attribute::SsrcGroup(g) = canonical("ssrc-group:SIM 1 2 3") else {
        panic!()
    };
    assert_eq!((g.semantics.as_str(), g.ssrcs.as_slice()), ("SIM", &[1, 2, 3][..]));
    let Attribute::Msid(m) = canonical("msid:- track") else {
        panic!()
    };
    assert_eq!((m.stream_id.as_str(), m.track_id.as_deref()), ("-", Some("track")));
    let Attribute::Msid(m) = canonical("msid:stream") else {
        panic!()
    };
    assert!(m.track_id.is_none());
    let Attribute::MsidSemantic(m) = canonical("msid-semantic:WMS *") else {
        panic!()
    };
    assert_eq!(m.identifiers, ["*"]);
    // Chromium's spelling keeps its space on writing.
    let Attribute::MsidSemantic(m) = attr("msid-semantic: WMS a b") else {
        panic!()
    };
    assert_eq!((m.semantic.as_str(), m.identifiers.len()), ("WMS", 2));
}

#[test]
fn fingerprint_setup_sctp() {
    let Attribute::Fingerprint(f) = canonical("fingerprint:sha-1 00:0A:FF") else {
        panic!()
    };
    assert_eq!((f.hash.as_str(), f.bytes.as_slice()), ("sha-1", &[0, 10, 255][..]));
    // Lower-case hex and an upper-case hash name are kept as written.
    let Attribute::Fingerprint(f) = attr("fingerprint:SHA-256 ab:cd") else {
        panic!()
    };
    assert_eq!((f.hash.as_str(), f.bytes.as_slice()), ("sha-256", &[0xAB, 0xCD][..]));
    for (s, want) in [
        ("actpass", Setup::ActPass),
        ("active", Setup::Active),
        ("passive", Setup::Passive),
        ("holdconn", Setup::HoldConn),
    ] {
        assert_eq!(canonical(&format!("setup:{s}")), Attribute::Setup(want));
    }
    assert_eq!(canonical("sctp-port:5000"), Attribute::SctpPort(5000));
    assert_eq!(canonical("max-message-size:262144"), Attribute::MaxMessageSize(262_144));
    let Attribute::Sctpmap(m) = canonical("sctpmap:5000 webrtc-datachannel 1024") else {
        panic!()
    };
    assert_eq!(
        (m.number, m.app.as_str(), m.streams),
        (5000, "webrtc-datachannel", Some(1024))
    );
    let Attribute::Sctpmap(m) = canonical("sctpmap:5000 webrtc-datachannel") else {
        panic!()
    };
    assert!(m.streams.is_none());
}

#[test]
fn rid_and_simulcast() {
    let Attribute::Rid(r) = canonical("rid:hi send pt=96,97;max-width=1280;max-height=720;depend") else {
        panic!()
    };
    assert_eq!(r.id, "hi");
    assert_eq!(r.direction, RidDirection::Send);
    assert_eq!(r.payload_types, [96, 97]);
    assert_eq!(r.restriction("max-width"), Some(Some("1280")));
    assert_eq!(r.restriction("depend"), Some(None));
    assert_eq!(
        canonical("rid:lo recv"),
        Attribute::Rid(Rid::new("lo", RidDirection::Recv))
    );
    let Attribute::Rid(r) = canonical("rid:q send max-fps=15") else {
        panic!()
    };
    assert!(r.payload_types.is_empty());

    let Attribute::Simulcast(s) = canonical("simulcast:send hi;~mid,lo recv r1") else {
        panic!()
    };
    let rid = |id: &str, paused| SimulcastRid { id: id.into(), paused };
    assert_eq!(
        s.send,
        [vec![rid("hi", false)], vec![rid("mid", true), rid("lo", false)]]
    );
    assert_eq!(s.recv, [vec![rid("r1", false)]]);
    // recv first is kept as written.
    let Attribute::Simulcast(s) = attr("simulcast:recv a send b") else {
        panic!()
    };
    assert_eq!((s.send.len(), s.recv.len()), (1, 1));
}

#[test]
fn unknown_attributes_keep_their_place() {
    let text = format!("{HEAD}a=x-google-flag:conference\r\na=mid:0\r\na=bare\r\na=empty:\r\na=sendonly\r\n");
    let sdp = SessionDescription::parse(&text).unwrap();
    assert_eq!(sdp.to_string(), text);
    let names: Vec<_> = sdp.media[0].attributes.iter().map(Attribute::name).collect();
    assert_eq!(names, ["x-google-flag", "mid", "bare", "empty", "sendonly"]);
    assert_eq!(sdp.media[0].attributes.other("bare"), Some(None));
    assert_eq!(sdp.media[0].attributes.other("empty"), Some(Some("")));
}

fn cand(line: &str) -> Candidate {
    let Attribute::Candidate(c) = canonical(&format!("candidate:{line}")) else {
        panic!()
    };
    assert_eq!(line.parse::<Candidate>().unwrap(), c);
    assert_eq!(format!("candidate:{line}").parse::<Candidate>().unwrap(), c);
    c
}

#[test]
fn candidate_grammar() {
    let c = cand("1 1 udp 2122262783 2001:db8::1 58126 typ host generation 0");
    assert_eq!(
        c.address,
        CandidateAddress::Ip(IpAddr::V6("2001:db8::1".parse::<Ipv6Addr>().unwrap()))
    );
    assert_eq!(c.generation, Some(0));

    let c = cand(
        "842163049 1 udp 1677729535 203.0.113.7 61071 typ srflx raddr 192.168.1.2 rport 58126 generation 0 ufrag EsAw network-id 1",
    );
    assert_eq!(c.typ, CandidateType::ServerReflexive);
    assert_eq!(
        c.related_address,
        Some(CandidateAddress::Ip("192.168.1.2".parse().unwrap()))
    );
    assert_eq!(c.related_port, Some(58126));
    assert_eq!(
        c.extensions,
        [("ufrag".into(), "EsAw".into()), ("network-id".into(), "1".into())]
    );

    let c = cand("3 1 tcp 1518280447 10.0.0.1 9 typ host tcptype passive");
    assert_eq!(
        (c.transport.clone(), c.tcp_type),
        (CandidateTransport::Tcp, Some(TcpType::Passive))
    );
    assert_eq!(
        cand("3 1 tcp 1 10.0.0.1 9 typ host tcptype so").tcp_type,
        Some(TcpType::SimultaneousOpen)
    );
    assert_eq!(
        cand("3 1 tcp 1 10.0.0.1 9 typ host tcptype active").tcp_type,
        Some(TcpType::Active)
    );

    let c =
        cand("a+b/C 2 udp 41885439 7d3f6c2e-9a1b-4c5d-8e7f-0123456789ab.local 3478 typ relay raddr 0.0.0.0 rport 0");
    assert_eq!((c.component, c.typ.clone()), (2, CandidateType::Relay));
    assert!(c.address.is_mdns());
    assert_eq!(cand("1 1 udp 1 10.0.0.1 1 typ prflx").typ, CandidateType::PeerReflexive);
    assert_eq!(
        cand("1 1 dccp 1 10.0.0.1 1 typ x-new").typ,
        CandidateType::Other("x-new".into())
    );
    assert_eq!(
        cand("1 1 dccp 1 10.0.0.1 1 typ host").transport,
        CandidateTransport::Other("dccp".into())
    );

    // Firefox's upper-case transport parses as udp and is written back as given.
    let Attribute::Candidate(c) = attr("candidate:0 1 UDP 2122252543 192.0.2.1 53210 typ host") else {
        panic!()
    };
    assert_eq!(c.transport, CandidateTransport::Udp);
    assert_eq!(c.to_string(), "0 1 udp 2122252543 192.0.2.1 53210 typ host");
}

#[test]
fn builders() {
    let mut m = MediaDescription::rtp("video", "1", &[96]).with_attribute(Attribute::RtcpMux);
    m.set_direction(Direction::SendOnly);
    m.set_direction(Direction::Inactive);
    assert_eq!(m.direction(), Some(Direction::Inactive));
    let sdp = SessionDescription::default()
        .with_attribute(Attribute::Group(ortc_sdp::Group {
            semantics: "BUNDLE".into(),
            mids: vec!["1".into()],
        }))
        .with_media(m);
    let text = sdp.to_string();
    assert_eq!(
        text,
        "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 1\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n\
         c=IN IP4 0.0.0.0\r\na=mid:1\r\na=rtcp-mux\r\na=inactive\r\n"
    );
    let back = SessionDescription::parse(&text).unwrap();
    assert_eq!(back, sdp);
    assert_eq!(back.direction(&back.media[0]), Direction::Inactive);
    assert_eq!(back.media_by_mid("1").map(|m| m.port), Some(9));
}

#[test]
fn session_level_lines() {
    let text = "v=0\r\no=jdoe 2890844526 2890842807 IN IP4 10.47.16.5\r\ns=SDP Seminar\r\ni=A Seminar\r\n\
                u=http://www.example.com/seminars/sdp.pdf\r\ne=j.doe@example.com (Jane Doe)\r\np=+1 617 555-6011\r\n\
                c=IN IP4 224.2.17.12/127\r\nb=AS:128\r\nt=2873397496 2873404696\r\nr=7d 1h 0 25h\r\n\
                z=2882844526 -1h 2898848070 0\r\nk=prompt\r\na=recvonly\r\nm=audio 49170/2 RTP/AVP 0\r\n\
                i=voice\r\nc=IN IP4 224.2.17.12/127\r\nb=TIAS:64000\r\nk=prompt\r\na=ptime:20\r\n\
                m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=sctp-port:5000\r\n";
    let sdp = SessionDescription::parse(text).unwrap();
    assert_eq!(sdp.to_string(), text);
    assert_eq!(sdp.origin.username, "jdoe");
    assert_eq!(sdp.times[0].repeats, ["7d 1h 0 25h"]);
    assert_eq!(sdp.bandwidths[0].bandwidth, 128);
    assert_eq!(sdp.media[0].port_count, Some(2));
    assert_eq!(sdp.media[0].bandwidths[0].bwtype, "TIAS");
    assert_eq!(sdp.direction(&sdp.media[0]), Direction::RecvOnly);
    assert_eq!(sdp.media[1].attributes.sctp_port(), Some(5000));
}

#[test]
fn browser_mdns_host_candidates_parse() {
    // What Chromium and Firefox signal by default for a host candidate: an mDNS name instead of the address.
    let c = cand(
        "2043237467 1 udp 2113937151 8b0f2d2a-33c5-4b7e-9d4e-6a0c1f3e5b7d.local 55555 typ host generation 0 \
         network-cost 999",
    );
    assert_eq!(
        (c.transport.clone(), c.typ.clone()),
        (CandidateTransport::Udp, CandidateType::Host)
    );
    assert_eq!(
        c.address,
        CandidateAddress::Fqdn("8b0f2d2a-33c5-4b7e-9d4e-6a0c1f3e5b7d.local".into())
    );
    assert!(c.address.is_mdns());
    assert_eq!(
        (c.port, c.generation, c.extension("network-cost")),
        (55555, Some(0), Some("999"))
    );
    let c: Candidate = "candidate:1 1 UDP 1 ABC.LOCAL 9 TYP HOST".parse().unwrap();
    assert_eq!(c.transport, CandidateTransport::Udp);
    assert_eq!(c.typ, CandidateType::Host);
    assert!(c.address.is_mdns());
    for name in ["local", ".local", "example.com", "a.localhost"] {
        assert!(!CandidateAddress::Fqdn(name.into()).is_mdns(), "{name}");
    }
}

#[test]
fn abnf_literals_match_case_insensitively_and_keep_their_spelling() {
    assert_eq!(attr("setup:ACTPASS"), Attribute::Setup(Setup::ActPass));
    assert_eq!(attr("setup:Passive"), Attribute::Setup(Setup::Passive));
    let Attribute::Candidate(c) = attr("candidate:1 1 TCP 5 10.0.0.1 9 TYP SRFLX RADDR 10.0.0.2 RPort 7 TcpType SO")
    else {
        panic!()
    };
    assert_eq!(c.typ, CandidateType::ServerReflexive);
    assert_eq!(c.related_port, Some(7));
    assert_eq!(c.tcp_type, Some(TcpType::SimultaneousOpen));
    assert!(c.related_address.is_some() && c.extensions.is_empty());
    for (t, want) in [
        ("Host", CandidateType::Host),
        ("PRFLX", CandidateType::PeerReflexive),
        ("Relay", CandidateType::Relay),
    ] {
        let Attribute::Candidate(c) = attr(&format!("candidate:1 1 udp 5 10.0.0.1 9 typ {t}")) else {
            panic!()
        };
        assert_eq!(c.typ, want);
    }
    let Attribute::Extmap(e) = attr("extmap:2/SendOnly urn:x") else {
        panic!()
    };
    assert_eq!(e.direction, Some(Direction::SendOnly));
    let Attribute::Rid(r) = attr("rid:h SEND PT=96;max-width=1280") else {
        panic!()
    };
    assert_eq!(
        (r.direction, r.payload_types.as_slice()),
        (RidDirection::Send, &[96][..])
    );
    let Attribute::Simulcast(s) = attr("simulcast:Send h;l RECV m") else {
        panic!()
    };
    assert_eq!((s.send.len(), s.recv.len()), (2, 1));
}

#[test]
fn look_ups_give_text_as_str_and_small_values_by_value() {
    let text = format!(
        "{HEAD}a=mid:0\r\na=ice-ufrag:ktVP\r\na=ice-pwd:6l9ArpdPhMuIwCy6wbOvJ3Ah\r\na=setup:passive\r\n\
         a=sctp-port:5000\r\na=max-message-size:262144\r\na=inactive\r\n"
    );
    let sdp = SessionDescription::parse(&text).unwrap();
    let a = &sdp.media[0].attributes;
    // The same shapes as the session-level helpers (`SessionDescription::ice_ufrag`, `setup`).
    let (mid, ufrag, pwd): (Option<&str>, Option<&str>, Option<&str>) = (a.mid(), a.ice_ufrag(), a.ice_pwd());
    assert_eq!(
        (mid, ufrag, pwd),
        (Some("0"), Some("ktVP"), Some("6l9ArpdPhMuIwCy6wbOvJ3Ah"))
    );
    assert_eq!(sdp.ice_ufrag(&sdp.media[0]), ufrag);
    let (setup, port, size, dir): (Option<Setup>, Option<u16>, Option<u64>, Option<Direction>) =
        (a.setup(), a.sctp_port(), a.max_message_size(), a.direction());
    assert_eq!(setup, sdp.setup(&sdp.media[0]));
    assert_eq!(
        (setup, port, size, dir),
        (
            Some(Setup::Passive),
            Some(5000),
            Some(262_144),
            Some(Direction::Inactive)
        )
    );
}

#[test]
fn rtcp_xr_formats() {
    let Attribute::RtcpXr(x) = canonical(
        "rtcp-xr:pkt-loss-rle pkt-dup-rle=400 pkt-rcpt-times=96 rcvr-rtt=sender:80 stat-summary=loss,dup,jitt,TTL,HL \
         voip-metrics x-vendor=7",
    ) else {
        panic!()
    };
    assert_eq!(
        x.formats,
        [
            XrFormat::PktLossRle { max_size: None },
            XrFormat::PktDupRle { max_size: Some(400) },
            XrFormat::PktRcptTimes { max_size: Some(96) },
            XrFormat::RcvrRtt {
                mode: RcvrRttMode::Sender,
                max_size: Some(80)
            },
            XrFormat::StatSummary(vec![
                StatFlag::Loss,
                StatFlag::Dup,
                StatFlag::Jitt,
                StatFlag::Ttl,
                StatFlag::Hl
            ]),
            XrFormat::VoipMetrics,
            XrFormat::Other("x-vendor=7".into()),
        ]
    );
    assert_eq!(x.rcvr_rtt(), Some((RcvrRttMode::Sender, Some(80))));
    let Attribute::RtcpXr(x) = canonical("rtcp-xr:rcvr-rtt=all stat-summary") else {
        panic!()
    };
    assert_eq!(x.rcvr_rtt(), Some((RcvrRttMode::All, None)));
    assert_eq!(x.formats[1], XrFormat::StatSummary(Vec::new()));
    // No formats at all is allowed by the grammar.
    assert_eq!(canonical("rtcp-xr:"), Attribute::RtcpXr(RtcpXr::default()));
    // A spelling other than the canonical one (a leading zero) is typed and still written as it came.
    let Attribute::RtcpXr(x) = attr("rtcp-xr:pkt-loss-rle=0400") else {
        panic!()
    };
    assert_eq!(x.formats, [XrFormat::PktLossRle { max_size: Some(400) }]);
}

#[test]
fn msid_semantic_with_chromium_spacing() {
    // Chromium: `a=msid-semantic: WMS` (a space after the colon, no identifiers), typed and written back as it came.
    let Attribute::MsidSemantic(m) = attr("msid-semantic: WMS") else {
        panic!()
    };
    assert_eq!((m.semantic.as_str(), m.identifiers.len()), ("WMS", 0));
    assert!(!m.applies_to_all() && !m.covers("a"));
    let Attribute::MsidSemantic(m) = attr("msid-semantic: WMS *") else {
        panic!()
    };
    assert_eq!(m.identifiers, ["*"]);
    assert!(m.applies_to_all() && m.covers("any"));
    let Attribute::MsidSemantic(m) = canonical("msid-semantic:WMS s1 s2") else {
        panic!()
    };
    assert!(!m.applies_to_all() && m.covers("s2") && !m.covers("s3"));
}
