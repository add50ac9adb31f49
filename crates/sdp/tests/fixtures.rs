//! The captured browser and aiortc descriptions in `fixtures/`: typed fields match the files, and
//! parse → write is byte-exact.
#![allow(clippy::unwrap_used)]

use std::net::{IpAddr, Ipv4Addr};

use ortc_sdp::{
    Attribute, CandidateAddress, CandidateTransport, CandidateType, Direction, RcvrRttMode, SessionDescription, Setup,
    TcpType, XrFormat,
};

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!("{}/../../fixtures/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn round_trip(path: &str) -> SessionDescription {
    let text = fixture(path);
    let sdp = SessionDescription::parse(&text).unwrap();
    let written = sdp.to_string();
    assert_eq!(written, text, "{path}: parse -> write is not byte-exact");
    assert_eq!(
        SessionDescription::parse(&written).unwrap(),
        sdp,
        "{path}: parse -> write -> parse differs"
    );
    // LF-only input parses to the same description.
    assert_eq!(SessionDescription::parse(&text.replace("\r\n", "\n")).unwrap(), sdp);
    sdp
}

fn mids(sdp: &SessionDescription) -> Vec<&str> {
    sdp.bundle_mids().unwrap().iter().map(String::as_str).collect()
}

#[test]
fn chromium_offer_session_and_audio() {
    let sdp = round_trip("chromium/offer.sdp");
    assert_eq!(sdp.origin.session_id, "681484918166478123");
    assert_eq!(sdp.origin.session_version, 2);
    assert_eq!(mids(&sdp), ["0", "1"]);
    assert!(sdp.attributes.extmap_allow_mixed());
    let semantic = sdp.attributes.msid_semantic().unwrap();
    assert_eq!(semantic.semantic, "WMS");
    assert_eq!(semantic.identifiers, ["fee2cb0b-957b-46eb-9b76-f7d3eb1f5f12"]);
    assert_eq!(sdp.media.len(), 2);

    let audio = &sdp.media[0];
    assert_eq!(
        (audio.kind.as_str(), audio.port, audio.protocol.as_str()),
        ("audio", 53293, "UDP/TLS/RTP/SAVPF")
    );
    assert_eq!(
        audio.payload_types().collect::<Vec<_>>(),
        [111, 63, 9, 0, 8, 13, 110, 126]
    );
    assert_eq!(audio.mid(), Some("0"));
    assert_eq!(audio.direction(), Some(Direction::SendRecv));
    assert!(audio.attributes.rtcp_mux() && audio.attributes.rtcp_rsize());
    let rtcp = audio.attributes.rtcp().unwrap();
    assert_eq!(rtcp.port, 9);
    assert_eq!(rtcp.address, Some(("IN".into(), "IP4".into(), "0.0.0.0".into())));
    let opus = audio.attributes.rtpmap(111).unwrap();
    assert_eq!(
        (opus.encoding_name.as_str(), opus.clock_rate, opus.encoding_params),
        ("opus", 48000, Some(2))
    );
    let fmtp = audio.attributes.fmtp(111).unwrap();
    assert_eq!(fmtp.parameters, "minptime=10;useinbandfec=1");
    assert_eq!(
        fmtp.params().collect::<Vec<_>>(),
        [("minptime", "10"), ("useinbandfec", "1")]
    );
    assert_eq!(audio.attributes.fmtp(63).unwrap().parameters, "111/111");
    assert_eq!(
        audio
            .attributes
            .rtcp_fb(111)
            .map(|f| f.feedback.as_str())
            .collect::<Vec<_>>(),
        ["transport-cc"]
    );
    let ext: Vec<_> = audio.attributes.extmaps().map(|e| (e.id, e.uri.as_str())).collect();
    assert_eq!(
        ext,
        [
            (1, "urn:ietf:params:rtp-hdrext:ssrc-audio-level"),
            (2, "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"),
            (
                3,
                "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
            ),
            (4, "urn:ietf:params:rtp-hdrext:sdes:mid"),
        ]
    );
    assert_eq!(audio.attributes.ice_ufrag(), Some("ktVP"));
    assert_eq!(audio.attributes.ice_pwd(), Some("K11YY/BkdXBce/QcxQPDJhUa"));
    assert_eq!(audio.attributes.ice_options().collect::<Vec<_>>(), ["trickle"]);
    assert_eq!(audio.attributes.setup(), Some(Setup::ActPass));
    let fp: Vec<_> = audio.attributes.fingerprints().collect();
    assert_eq!(fp.len(), 1);
    assert_eq!(fp[0].hash, "sha-256");
    assert_eq!(fp[0].bytes.len(), 32);
    assert_eq!(fp[0].bytes[..3], [0xCA, 0x84, 0x56]);
    assert_eq!(
        audio.attributes.ssrc_attribute(248_628_096, "cname"),
        Some("w5Jz1ImuTufvp74j")
    );
    let msid = audio.attributes.msids().next().unwrap();
    assert_eq!(msid.stream_id, "fee2cb0b-957b-46eb-9b76-f7d3eb1f5f12");
    assert_eq!(msid.track_id.as_deref(), Some("d74b5364-9d33-4d0f-9249-10617711201d"));
    let xr = audio.attributes.rtcp_xr().unwrap();
    assert_eq!(
        xr.formats,
        [XrFormat::RcvrRtt {
            mode: RcvrRttMode::All,
            max_size: None
        }]
    );
    assert_eq!(xr.rcvr_rtt(), Some((RcvrRttMode::All, None)));
    assert_eq!(audio.attributes.other("rtcp-xr"), None, "typed, not kept raw");
}

#[test]
fn chromium_offer_candidates_and_video() {
    let sdp = round_trip("chromium/offer.sdp");
    let audio = &sdp.media[0];
    let cands: Vec<_> = audio.attributes.candidates().collect();
    assert_eq!(cands.len(), 2);
    assert_eq!(cands[0].foundation, "2769152119");
    assert_eq!(cands[0].component, 1);
    assert_eq!(cands[0].transport, CandidateTransport::Udp);
    assert_eq!(cands[0].priority, 2_122_260_223);
    assert_eq!(cands[0].address, CandidateAddress::Ip(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    assert_eq!(cands[0].port, 53293);
    assert_eq!(cands[0].typ, CandidateType::Host);
    assert_eq!(cands[0].generation, Some(0));
    assert_eq!(cands[0].extension("network-id"), Some("1"));
    assert_eq!(cands[0].extension("network-cost"), Some("50"));
    assert_eq!(cands[1].transport, CandidateTransport::Tcp);
    assert_eq!(cands[1].tcp_type, Some(TcpType::Active));
    assert_eq!(cands[1].port, 9);

    let video = &sdp.media[1];
    assert_eq!(video.mid(), Some("1"));
    assert_eq!(video.port, 53773);
    assert_eq!(video.formats.len(), 23);
    assert_eq!(video.attributes.rtpmap(96).unwrap().encoding_name, "VP8");
    assert_eq!(video.attributes.rtpmap(97).unwrap().encoding_name, "rtx");
    assert_eq!(video.attributes.fmtp(97).unwrap().apt(), Some(96));
    assert_eq!(video.attributes.rtpmap(45).unwrap().encoding_name, "AV1");
    assert_eq!(video.attributes.fmtp(100).unwrap().param("profile-id"), Some("2"));
    let fb: Vec<_> = video
        .attributes
        .rtcp_fb(96)
        .map(|f| {
            format!(
                "{}{}",
                f.feedback,
                f.parameter.as_deref().map(|p| format!(" {p}")).unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(fb, ["goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"]);
    let ext: Vec<_> = video.attributes.extmaps().map(|e| e.id).collect();
    assert_eq!(ext, [14, 2, 13, 3, 5, 6, 7, 8, 4, 10, 11]);
    let group = video.attributes.ssrc_groups().next().unwrap();
    assert_eq!(group.semantics, "FID");
    assert_eq!(group.ssrcs, [863_522_092, 2_219_387_384]);
    assert_eq!(
        video.attributes.ssrc_attribute(2_219_387_384, "cname"),
        Some("w5Jz1ImuTufvp74j")
    );
}

#[test]
fn chromium_offer_bundle() {
    let sdp = round_trip("chromium/offer-bundle.sdp");
    assert_eq!(mids(&sdp), ["0", "1"]);
    let video = &sdp.media[1];
    assert_eq!(video.port, 9);
    assert_eq!(video.connections[0].address, "0.0.0.0");
    assert_eq!(video.attributes.candidates().count(), 0);
    assert_eq!(sdp.media[0].attributes.candidates().count(), 2);
}

#[test]
fn chromium_offer_nobundle() {
    let sdp = round_trip("chromium/offer-nobundle.sdp");
    assert_eq!(mids(&sdp), ["0", "1"]);
    let ports: Vec<_> = sdp.media.iter().map(|m| m.port).collect();
    assert_eq!(ports, [51293, 47863]);
    for m in &sdp.media {
        let c: Vec<_> = m.attributes.candidates().collect();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].port, m.port);
    }
}

#[test]
fn chromium_answer_from_aiortc() {
    let sdp = round_trip("chromium/answer.sdp");
    assert_eq!(mids(&sdp), ["0", "1"]);
    assert!(!sdp.attributes.extmap_allow_mixed());
    let audio = &sdp.media[0];
    assert_eq!(audio.direction(), Some(Direction::RecvOnly));
    assert_eq!(audio.attributes.setup(), Some(Setup::Active));
    assert!(audio.attributes.end_of_candidates());
    assert!(!audio.attributes.rtcp_rsize());
    let fp: Vec<_> = audio
        .attributes
        .fingerprints()
        .map(|f| (f.hash.as_str(), f.bytes.len()))
        .collect();
    assert_eq!(fp, [("sha-256", 32), ("sha-384", 48), ("sha-512", 64)]);
    let video = &sdp.media[1];
    assert_eq!(video.payload_types().collect::<Vec<_>>(), [96, 97, 102, 103, 108, 109]);
    assert_eq!(video.attributes.fmtp(97).unwrap().apt(), Some(96));
    let c = video.attributes.candidates().next().unwrap();
    assert_eq!(c.foundation, "16572de626da4e5384a0ce2d0d93678a");
    assert_eq!(c.priority, 2_130_706_431);
    assert!(c.generation.is_none() && c.extensions.is_empty());
}

#[test]
fn aiortc_offer_and_answer() {
    let offer = round_trip("aiortc/offer.sdp");
    let answer = round_trip("aiortc/answer.sdp");
    for sdp in [&offer, &answer] {
        assert_eq!(mids(sdp), ["0", "1"]);
        let semantic = sdp.attributes.msid_semantic().unwrap();
        assert_eq!(
            (semantic.semantic.as_str(), semantic.identifiers.as_slice()),
            ("WMS", &["*".to_string()][..])
        );
        let audio = &sdp.media[0];
        assert_eq!(audio.payload_types().collect::<Vec<_>>(), [96, 9, 0, 8]);
        assert_eq!(audio.attributes.rtpmap(96).unwrap().encoding_name, "opus");
        let video = &sdp.media[1];
        assert_eq!(video.attributes.fmtp(98).unwrap().apt(), Some(97));
        assert_eq!(video.attributes.fmtp(102).unwrap().apt(), Some(101));
        assert_eq!(
            video.attributes.fmtp(99).unwrap().param("profile-level-id"),
            Some("42001f"),
        );
        let ext: Vec<_> = video.attributes.extmaps().map(|e| e.id).collect();
        assert_eq!(ext, [1, 3]);
        assert_eq!(video.attributes.ssrc_groups().next().unwrap().semantics, "FID");
        assert_eq!(video.direction(), Some(Direction::SendRecv));
    }
    assert_eq!(offer.media[0].attributes.setup(), Some(Setup::ActPass));
    assert_eq!(answer.media[0].attributes.setup(), Some(Setup::Active));
    assert_eq!(offer.media[1].port, 48817);
    assert_eq!(answer.media[1].port, 48952);
}

#[test]
fn only_non_canonical_lines_keep_their_original_text() {
    let sdp = round_trip("chromium/offer.sdp");
    let originals: Vec<_> = sdp.attributes.lines().iter().filter_map(|l| l.original()).collect();
    assert_eq!(
        originals,
        [" WMS fee2cb0b-957b-46eb-9b76-f7d3eb1f5f12"].map(|s| format!("msid-semantic:{s}"))
    );
    for m in &sdp.media {
        assert!(m.attributes.lines().iter().all(|l| l.original().is_none()));
    }
    assert!(sdp.attributes.iter().any(|a| matches!(a, Attribute::MsidSemantic(_))));
}
