//! JSEP: what offers and answers carry, the signaling state machine, typed errors, rollback, and real
//! browser and aiortc offers answered.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Instant;

use common::{ALICE, BOB, core};
use ortc::{Error, Event, InvalidAccessError, InvalidStateError, SessionDescription, SignalingState};
use ortc_codecs::MediaKind;
use ortc_rtp_api::RtpTransceiverDirection;
use ortc_sdp::{Direction, Setup};

fn fixture(path: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    std::fs::read_to_string(root.join(path)).unwrap()
}

fn lines_starting<'a>(sdp: &'a str, prefix: &str) -> Vec<&'a str> {
    sdp.lines().filter(|l| l.starts_with(prefix)).collect()
}

#[test]
fn an_offer_carries_what_jsep_asks_for() {
    let now = Instant::now();
    let mut alice = core(now, ALICE, 1);
    alice
        .add_transceiver(MediaKind::Audio, RtpTransceiverDirection::Sendrecv)
        .unwrap();
    alice
        .add_transceiver(MediaKind::Video, RtpTransceiverDirection::Sendrecv)
        .unwrap();
    let offer = alice.create_offer().unwrap();
    assert_eq!(offer.sdp_type, ortc::SdpType::Offer);
    let sdp: ortc_sdp::SessionDescription = offer.sdp.parse().unwrap();
    assert!(sdp.warnings.is_empty(), "{:?}", sdp.warnings);
    assert_eq!(sdp.bundle_mids().unwrap(), ["0", "1"]);
    let credentials = alice.local_ice_credentials().clone();
    for (m, kind) in sdp.media.iter().zip(["audio", "video"]) {
        assert_eq!(m.kind, kind);
        assert_eq!(m.protocol, "UDP/TLS/RTP/SAVPF");
        assert_eq!(sdp.ice_ufrag(m), Some(credentials.ufrag.as_str()));
        assert_eq!(sdp.ice_pwd(m), Some(credentials.pwd.as_str()));
        let fingerprints = sdp.fingerprints(m);
        assert_eq!(fingerprints.len(), 1);
        assert_eq!(fingerprints[0].hash, "sha-256");
        assert_eq!(fingerprints[0].bytes, alice.local_fingerprint().value());
        assert_eq!(sdp.setup(m), Some(Setup::ActPass));
        assert_eq!(m.direction(), Some(Direction::SendRecv));
        assert!(m.attributes.rtcp_mux() && m.attributes.rtcp_rsize());
        let uris: Vec<&str> = m.attributes.extmaps().map(|e| e.uri.as_str()).collect();
        assert!(uris.contains(&ortc_codecs::URI_MID));
        assert!(uris.contains(&ortc_codecs::URI_ABS_SEND_TIME));
        assert!(uris.contains(&ortc_codecs::URI_TRANSPORT_CC));
        assert_eq!(uris.contains(&ortc_codecs::URI_AUDIO_LEVEL), kind == "audio");
        let candidates: Vec<_> = m.attributes.candidates().collect();
        assert_eq!(candidates.len(), 1);
        assert_eq!(candidates[0].port, 10000);
        assert_eq!(m.attributes.msids().count(), 1);
    }
    // Extension ids are one per URI across the BUNDLE group.
    let mut ids = std::collections::HashMap::new();
    for e in sdp.media.iter().flat_map(|m| m.attributes.extmaps()) {
        assert_eq!(*ids.entry(e.uri.clone()).or_insert(e.id), e.id, "{}", e.uri);
    }
    let video = &sdp.media[1];
    let vp8 = video.attributes.rtpmaps().find(|r| r.encoding_name == "VP8").unwrap();
    let feedback: Vec<String> = video
        .attributes
        .rtcp_fb(vp8.payload_type)
        .map(|f| {
            format!("{} {}", f.feedback, f.parameter.as_deref().unwrap_or(""))
                .trim()
                .to_owned()
        })
        .collect();
    assert_eq!(feedback, ["nack", "nack pli", "ccm fir", "goog-remb", "transport-cc"]);
    let rtx = video
        .attributes
        .fmtps()
        .find(|f| f.apt() == Some(vp8.payload_type))
        .expect("an RTX codec repairs VP8");
    assert_eq!(video.attributes.rtpmap(rtx.payload_type).unwrap().encoding_name, "rtx");
    let group = video.attributes.ssrc_groups().next().unwrap();
    assert_eq!(group.semantics, "FID");
    let t = alice.transceivers().nth(1).unwrap().1;
    assert_eq!(group.ssrcs, [t.ssrc().get(), t.rtx_ssrc().get()]);
    assert_eq!(
        video.attributes.ssrc_attribute(t.ssrc().get(), "cname"),
        Some(alice.cname())
    );
    // Audio: one SSRC, no FID group (no RTX for audio).
    assert_eq!(sdp.media[0].attributes.ssrc_groups().count(), 0);
    assert_eq!(lines_starting(&offer.sdp, "a=ssrc:").len(), 2 + 4);
}

#[test]
fn the_answer_is_active_and_mirrors_the_offer() {
    let now = Instant::now();
    let (mut alice, mut bob) = (core(now, ALICE, 1), core(now, BOB, 2));
    alice
        .add_transceiver(MediaKind::Video, RtpTransceiverDirection::Sendonly)
        .unwrap();
    let offer = alice.create_offer().unwrap();
    alice.set_local_description(now, &offer).unwrap();
    bob.set_remote_description(now, &offer).unwrap();
    assert_eq!(bob.signaling_state(), SignalingState::HaveRemoteOffer);
    let answer = bob.create_answer().unwrap();
    let sdp: ortc_sdp::SessionDescription = answer.sdp.parse().unwrap();
    let m = &sdp.media[0];
    assert_eq!(m.mid(), Some("0"));
    assert_eq!(sdp.setup(m), Some(Setup::Active));
    assert_eq!(m.direction(), Some(Direction::RecvOnly));
    assert_eq!(sdp.bundle_mids().unwrap(), ["0"]);
    // Payload types are the offer's.
    let offered: ortc_sdp::SessionDescription = offer.sdp.parse().unwrap();
    let offered_pts: Vec<u8> = offered.media[0].payload_types().collect();
    assert!(m.payload_types().all(|pt| offered_pts.contains(&pt)));
    // A receive-only answer sends no SSRC.
    assert_eq!(m.attributes.ssrcs().count(), 0);
}

#[test]
fn sdp_that_does_not_parse_is_a_syntax_error_naming_the_line() {
    let now = Instant::now();
    let (mut alice, mut bob) = (core(now, ALICE, 1), core(now, BOB, 2));
    alice
        .add_transceiver(MediaKind::Audio, RtpTransceiverDirection::Sendrecv)
        .unwrap();
    let offer = alice.create_offer().unwrap();
    let mut lines: Vec<&str> = offer.sdp.split("\r\n").collect();
    lines[5] = "this is not sdp";
    let broken = SessionDescription::offer(lines.join("\r\n"));
    let err = bob.set_remote_description(now, &broken).unwrap_err();
    assert_eq!(err.name(), "SyntaxError");
    let Error::Syntax(e) = &err else { panic!("{err}") };
    assert_eq!(e.line, 6);
    assert_eq!(e.text, "this is not sdp");
    assert!(err.to_string().contains("line 6"), "{err}");
    // Nothing was applied.
    assert_eq!(bob.signaling_state(), SignalingState::Stable);
    assert_eq!(bob.transceivers().count(), 0);
    assert!(bob.remote_description().is_none());
}

#[test]
fn calls_in_the_wrong_signaling_state_are_invalid_state_errors() {
    let now = Instant::now();
    let (mut alice, mut bob) = (core(now, ALICE, 1), core(now, BOB, 2));
    alice
        .add_transceiver(MediaKind::Audio, RtpTransceiverDirection::Sendrecv)
        .unwrap();
    let state_error = |r: Result<(), Error>, operation: &str, state: SignalingState| match r {
        Err(Error::InvalidState(InvalidStateError::Signaling { operation: o, state: s })) => {
            assert_eq!((o, s), (operation, state));
        }
        other => panic!("{operation}: {other:?}"),
    };
    state_error(alice.create_answer().map(drop), "createAnswer", SignalingState::Stable);
    let offer = alice.create_offer().unwrap();
    // An offer given as an answer, in stable.
    let as_answer = SessionDescription::answer(offer.sdp.clone());
    state_error(
        bob.set_remote_description(now, &as_answer),
        "setRemoteDescription(answer)",
        SignalingState::Stable,
    );
    state_error(
        alice.set_local_description(now, &SessionDescription::rollback()),
        "setLocalDescription(rollback)",
        SignalingState::Stable,
    );
    alice.set_local_description(now, &offer).unwrap();
    assert_eq!(alice.signaling_state(), SignalingState::HaveLocalOffer);
    state_error(
        alice.create_answer().map(drop),
        "createAnswer",
        SignalingState::HaveLocalOffer,
    );
    // Glare: a remote offer while ours is pending.
    bob.add_transceiver(MediaKind::Audio, RtpTransceiverDirection::Sendrecv)
        .unwrap();
    let bobs_offer = bob.create_offer().unwrap();
    state_error(
        alice.set_remote_description(now, &bobs_offer),
        "setRemoteDescription(offer)",
        SignalingState::HaveLocalOffer,
    );
    let err = alice.set_remote_description(now, &bobs_offer).unwrap_err();
    assert_eq!(err.name(), "InvalidStateError");
    assert!(err.to_string().contains("have-local-offer"), "{err}");
    // A local description that is not the one created.
    let munged = SessionDescription::offer(offer.sdp.replace("a=rtcp-rsize\r\n", ""));
    assert!(matches!(
        alice.set_local_description(now, &munged),
        Err(Error::InvalidState(InvalidStateError::NotLastCreated {
            expected: "offer"
        }))
    ));
    // Closed: everything is refused.
    alice.close();
    assert_eq!(alice.signaling_state(), SignalingState::Closed);
    assert!(matches!(
        alice.create_offer(),
        Err(Error::InvalidState(InvalidStateError::Closed))
    ));
}

#[test]
fn a_remote_offer_without_rtcp_mux_is_refused_and_nothing_is_applied() {
    let now = Instant::now();
    let (mut alice, mut bob) = (core(now, ALICE, 1), core(now, BOB, 2));
    alice
        .add_transceiver(MediaKind::Audio, RtpTransceiverDirection::Sendrecv)
        .unwrap();
    alice
        .add_transceiver(MediaKind::Video, RtpTransceiverDirection::Sendrecv)
        .unwrap();
    let offer = alice.create_offer().unwrap();
    // Only the second m-section loses rtcp-mux: the first must not have been applied either.
    let at = offer.sdp.rfind("a=rtcp-mux\r\n").unwrap();
    let mut sdp = offer.sdp.clone();
    sdp.replace_range(at..at + "a=rtcp-mux\r\n".len(), "");
    let err = bob
        .set_remote_description(now, &SessionDescription::offer(sdp))
        .unwrap_err();
    assert_eq!(err.name(), "InvalidAccessError");
    assert!(
        matches!(&err, Error::InvalidAccess(InvalidAccessError::NoRtcpMux { mid }) if mid == "1"),
        "{err}"
    );
    assert_eq!(bob.signaling_state(), SignalingState::Stable);
    assert_eq!(bob.transceivers().count(), 0);

    // A missing fingerprint, likewise.
    let no_fingerprint: String = offer
        .sdp
        .split_inclusive("\r\n")
        .filter(|l| !l.starts_with("a=fingerprint"))
        .collect();
    let err = bob
        .set_remote_description(now, &SessionDescription::offer(no_fingerprint))
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidAccess(InvalidAccessError::NoFingerprint { .. })),
        "{err}"
    );
    // The real offer still goes in afterwards.
    bob.set_remote_description(now, &offer).unwrap();
    assert_eq!(bob.transceivers().count(), 2);
}

#[test]
fn an_answer_must_match_the_offer() {
    let now = Instant::now();
    let (mut alice, mut bob) = (core(now, ALICE, 1), core(now, BOB, 2));
    alice
        .add_transceiver(MediaKind::Audio, RtpTransceiverDirection::Sendrecv)
        .unwrap();
    let offer = alice.create_offer().unwrap();
    alice.set_local_description(now, &offer).unwrap();
    bob.set_remote_description(now, &offer).unwrap();
    let answer = bob.create_answer().unwrap();
    let wrong_mid =
        SessionDescription::answer(answer.sdp.replace("a=mid:0", "a=mid:7").replace("BUNDLE 0", "BUNDLE 7"));
    let err = alice.set_remote_description(now, &wrong_mid).unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidAccess(InvalidAccessError::AnswerMismatch { index: 0, .. })
        ),
        "{err}"
    );
    let actpass = SessionDescription::answer(answer.sdp.replace("a=setup:active", "a=setup:actpass"));
    let err = alice.set_remote_description(now, &actpass).unwrap_err();
    assert!(
        matches!(err, Error::InvalidAccess(InvalidAccessError::BadSetup { .. })),
        "{err}"
    );
    assert_eq!(alice.signaling_state(), SignalingState::HaveLocalOffer);
    alice.set_remote_description(now, &answer).unwrap();
    assert_eq!(alice.signaling_state(), SignalingState::Stable);
}

#[test]
fn a_remote_offer_rolls_back() {
    let now = Instant::now();
    let (mut alice, mut bob) = (core(now, ALICE, 1), core(now, BOB, 2));
    alice
        .add_transceiver(MediaKind::Video, RtpTransceiverDirection::Sendrecv)
        .unwrap();
    let mine = bob
        .add_transceiver(MediaKind::Audio, RtpTransceiverDirection::Sendrecv)
        .unwrap();
    let offer = alice.create_offer().unwrap();
    bob.set_remote_description(now, &offer).unwrap();
    assert_eq!(bob.transceivers().count(), 2);
    bob.set_remote_description(now, &SessionDescription::rollback())
        .unwrap();
    assert_eq!(bob.signaling_state(), SignalingState::Stable);
    assert_eq!(bob.transceivers().count(), 1);
    assert_eq!(bob.transceiver(mine).unwrap().mid(), None);
    assert!(bob.remote_description().is_none());
    let changes: Vec<&Event> = std::iter::from_fn(|| bob.poll_event())
        .filter(|e| matches!(e, Event::SignalingStateChanged(_)))
        .collect::<Vec<_>>()
        .leak()
        .iter()
        .collect();
    assert_eq!(
        changes,
        [
            &Event::SignalingStateChanged(SignalingState::HaveRemoteOffer),
            &Event::SignalingStateChanged(SignalingState::Stable)
        ]
    );
    // And a local offer rolls back too.
    let offer = bob.create_offer().unwrap();
    bob.set_local_description(now, &offer).unwrap();
    bob.set_local_description(now, &SessionDescription::rollback()).unwrap();
    assert_eq!(bob.signaling_state(), SignalingState::Stable);
    assert!(bob.local_description().is_none());
}

/// Answers a real offer; returns the answer.
fn answer_fixture(path: &str) -> ortc_sdp::SessionDescription {
    let now = Instant::now();
    let mut bob = core(now, BOB, 2);
    let offer = SessionDescription::offer(fixture(path));
    bob.set_remote_description(now, &offer).unwrap();
    let ids: Vec<_> = bob.transceivers().map(|(id, _)| id).collect();
    for id in ids {
        bob.set_direction(id, RtpTransceiverDirection::Sendrecv).unwrap();
    }
    let answer = bob.create_answer().unwrap();
    bob.set_local_description(now, &answer).unwrap();
    assert_eq!(bob.signaling_state(), SignalingState::Stable);
    for (_, t) in bob.transceivers() {
        assert_eq!(t.current_direction(), Some(RtpTransceiverDirection::Sendrecv), "{path}");
        assert!(
            t.send_parameters().is_some() && t.receive_parameters().is_some(),
            "{path}"
        );
    }
    answer.sdp.parse().unwrap()
}

#[test]
fn an_aiortc_offer_is_answered() {
    let answer = answer_fixture("aiortc/offer.sdp");
    assert_eq!(answer.bundle_mids().unwrap(), ["0", "1"]);
    let (audio, video) = (&answer.media[0], &answer.media[1]);
    assert_eq!(answer.setup(audio), Some(Setup::Active));
    // aiortc offers no rtcp-rsize: the answer has none either
    assert!(!audio.attributes.rtcp_rsize() && !video.attributes.rtcp_rsize());
    assert!(audio.attributes.rtcp_mux());
    assert_eq!(audio.attributes.rtpmaps().next().unwrap().encoding_name, "opus");
    assert_eq!(audio.payload_types().next(), Some(96));
    // aiortc's VP8 (97) with its RTX (98), H.264 both profiles with theirs.
    assert_eq!(video.payload_types().collect::<Vec<_>>(), [97, 99, 101, 98, 100, 102]);
    let fb: Vec<_> = video
        .attributes
        .rtcp_fb(97)
        .map(|f| (f.feedback.as_str(), f.parameter.as_deref()))
        .collect();
    assert_eq!(fb, [("nack", None), ("nack", Some("pli")), ("goog-remb", None)]);
    // Extensions: aiortc's ids, only those we take.
    let ext: Vec<_> = video.attributes.extmaps().map(|e| (e.id, e.uri.as_str())).collect();
    assert_eq!(ext, [(1, ortc_codecs::URI_MID), (3, ortc_codecs::URI_ABS_SEND_TIME)]);
}

#[test]
fn chromium_offers_are_answered() {
    for path in [
        "chromium/offer.sdp",
        "chromium/offer-bundle.sdp",
        "chromium/offer-nobundle.sdp",
        "chromium-h264/offer.sdp",
        "chromium-vp9-svc/offer.sdp",
    ] {
        let offer: ortc_sdp::SessionDescription = fixture(path).parse().unwrap();
        let answer = answer_fixture(path);
        assert_eq!(answer.media.len(), offer.media.len(), "{path}");
        for (o, a) in offer.media.iter().zip(&answer.media) {
            assert_eq!(o.mid(), a.mid(), "{path}");
            if o.kind == "audio" {
                // opus first; RED, CN and telephone-event are not taken
                assert_eq!(a.attributes.rtpmaps().next().unwrap().encoding_name, "opus", "{path}");
                assert!(
                    a.attributes
                        .rtpmaps()
                        .all(|r| !["red", "CN", "telephone-event"].contains(&r.encoding_name.as_str()))
                );
            }
            if o.kind == "video" {
                let names: Vec<_> = a
                    .attributes
                    .rtpmaps()
                    .map(|r| r.encoding_name.to_ascii_uppercase())
                    .collect();
                assert!(
                    names.iter().any(|n| n == "VP8" || n == "H264" || n == "VP9"),
                    "{path}: {names:?}"
                );
                for f in a.attributes.fmtps().filter(|f| f.apt().is_some()) {
                    assert!(
                        a.payload_types().any(|pt| Some(pt) == f.apt()),
                        "{path}: RTX for a codec not answered"
                    );
                }
            }
        }
    }
}

#[test]
fn an_offer_without_bundle_is_refused() {
    let now = Instant::now();
    let mut bob = core(now, BOB, 2);
    let sdp: String = fixture("chromium/offer.sdp")
        .split_inclusive('\n')
        .filter(|l| !l.starts_with("a=group:BUNDLE"))
        .collect();
    let offer = SessionDescription::offer(sdp);
    let err = bob.set_remote_description(now, &offer).unwrap_err();
    assert!(
        matches!(err, Error::InvalidAccess(InvalidAccessError::NotBundled { .. })),
        "{err}"
    );
}

#[test]
fn a_mid_longer_than_an_rtp_header_extension_holds_is_refused() {
    let now = Instant::now();
    let mut bob = core(now, BOB, 2);
    // Chromium's mids "0" and "1" renamed to 17 characters, in the m-sections and the BUNDLE group alike.
    let long = "0123456789abcdefg";
    let sdp: String = fixture("chromium/offer.sdp")
        .split_inclusive('\n')
        .map(|l| match l.trim_end() {
            "a=mid:0" => format!("a=mid:{long}\r\n"),
            g if g.starts_with("a=group:BUNDLE") => g.replacen(" 0", &format!(" {long}"), 1) + "\r\n",
            other => format!("{other}\r\n"),
        })
        .collect();
    let err = bob
        .set_remote_description(now, &SessionDescription::offer(sdp))
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidAccess(InvalidAccessError::BadMid { mid, .. }) if mid == long),
        "{err}"
    );
    assert!(bob.remote_description().is_none(), "nothing applied");
}

/// Every real offer with any one line removed: the remote description is either applied whole or refused
/// with nothing applied, and an applied one can be answered. Nothing panics.
#[test]
fn offers_with_a_line_missing_are_applied_whole_or_not_at_all() {
    let now = Instant::now();
    let mut bob = core(now, BOB, 2);
    for path in ["aiortc/offer.sdp", "chromium/offer.sdp", "chromium-h264/offer.sdp"] {
        let text = fixture(path);
        let lines: Vec<&str> = text.lines().collect();
        for skip in 0..lines.len() {
            let mut sdp = String::new();
            for (_, l) in lines.iter().enumerate().filter(|(i, _)| *i != skip) {
                sdp.push_str(l);
                sdp.push_str("\r\n");
            }
            let offer = SessionDescription::offer(sdp);
            match bob.set_remote_description(now, &offer) {
                Ok(()) => {
                    assert_eq!(bob.signaling_state(), SignalingState::HaveRemoteOffer);
                    bob.create_answer()
                        .unwrap_or_else(|e| panic!("{path} without line {}: {e}", skip + 1));
                    bob.set_remote_description(now, &SessionDescription::rollback())
                        .unwrap();
                }
                Err(e) => {
                    assert!(
                        matches!(e.name(), "SyntaxError" | "InvalidAccessError"),
                        "{path} without line {}: {e}",
                        skip + 1
                    );
                    assert_eq!(bob.signaling_state(), SignalingState::Stable);
                    assert!(bob.remote_description().is_none());
                }
            }
            assert_eq!(bob.transceivers().count(), 0, "{path} without line {}", skip + 1);
        }
    }
}
