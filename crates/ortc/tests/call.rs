//! Whole-stack calls: two `PeerConnectionCore`s negotiate, connect over a simulated network on a fake clock
//! (ICE, DTLS, SRTP keyed) and exchange audio and video both ways.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{Sim, opus_frame, vp8_frame};
use ortc::{
    Event, IceConnectionState, IceGatheringState, PeerConnectionCore, PeerConnectionState, SignalingState,
    TransceiverId,
};
use ortc_codecs::MediaKind;
use ortc_rtp_api::RtpTransceiverDirection;
use ortc_rtp_api::session::Received;

const VIDEO_FRAMES: u32 = 60;
const AUDIO_FRAMES: u32 = 100;

/// Frames written and received on one side's audio and video transceivers.
#[derive(Default)]
struct Media {
    video_sent: Vec<Vec<u8>>,
    audio_sent: Vec<Vec<u8>>,
    video_received: Vec<Vec<u8>>,
    audio_received: Vec<Vec<u8>>,
}

fn transceiver_of(core: &PeerConnectionCore, kind: MediaKind) -> TransceiverId {
    core.transceivers()
        .find(|(_, t)| t.kind() == kind)
        .map(|(id, _)| id)
        .unwrap()
}

fn poll_received(core: &mut PeerConnectionCore, now: std::time::Instant, id: TransceiverId, into: &mut Vec<Vec<u8>>) {
    let Some(mut receiver) = core.receiver(id) else { return };
    loop {
        match receiver.poll(now) {
            Some(Received::Frame(f)) => into.push(f.data.to_vec()),
            Some(Received::Conceal { .. }) => {}
            None => break,
        }
    }
}

/// Writes the next frames due on both sides and polls both sides' receivers.
fn exchange(sim: &mut Sim, media: &mut [Media; 2]) {
    let elapsed = sim.now - sim.start;
    for (side, m) in media.iter_mut().enumerate() {
        let core = if side == 0 { &mut sim.alice } else { &mut sim.bob };
        let (video, audio) = (
            transceiver_of(core, MediaKind::Video),
            transceiver_of(core, MediaKind::Audio),
        );
        let now = sim.now;
        while (m.video_sent.len() as u32) < VIDEO_FRAMES
            && elapsed >= Duration::from_millis(33) * m.video_sent.len() as u32
        {
            let i = m.video_sent.len() as u32;
            let frame = vp8_frame(
                i + side as u32 * 1000,
                i.is_multiple_of(30),
                800 + 97 * (i as usize % 40),
            );
            core.write_frame(now, video, i * 3000, &frame).unwrap();
            m.video_sent.push(frame);
        }
        while (m.audio_sent.len() as u32) < AUDIO_FRAMES
            && elapsed >= Duration::from_millis(20) * m.audio_sent.len() as u32
        {
            let i = m.audio_sent.len() as u32;
            let frame = opus_frame(i + side as u32 * 1000, 60 + (i as usize % 20));
            core.write_frame(now, audio, i * 960, &frame).unwrap();
            m.audio_sent.push(frame);
        }
        poll_received(core, now, video, &mut m.video_received);
        poll_received(core, now, audio, &mut m.audio_received);
    }
}

fn all_received(media: &[Media; 2]) -> bool {
    media.iter().all(|m| m.video_received.len() as u32 >= VIDEO_FRAMES)
        && media.iter().all(|m| m.audio_received.len() as u32 >= AUDIO_FRAMES - 5)
}

/// Alice offers audio and video sendrecv; Bob answers sendrecv on the transceivers her offer made.
fn audio_video_call(seed: u64) -> Sim {
    let mut sim = Sim::new(seed);
    let dir = RtpTransceiverDirection::Sendrecv;
    sim.alice.add_transceiver(MediaKind::Audio, dir).unwrap();
    sim.alice.add_transceiver(MediaKind::Video, dir).unwrap();
    sim.negotiate(|bob| {
        let ids: Vec<TransceiverId> = bob.transceivers().map(|(id, _)| id).collect();
        for id in ids {
            bob.set_direction(id, dir).unwrap();
        }
    });
    sim
}

#[test]
fn offer_answer_connect_and_media_both_ways_in_order_and_exact() {
    let mut sim = audio_video_call(1);
    assert_eq!(sim.alice.signaling_state(), SignalingState::Stable);
    assert_eq!(sim.bob.signaling_state(), SignalingState::Stable);
    assert!(
        sim.connect(Duration::from_secs(5)),
        "not connected: {:?} / {:?}",
        sim.alice,
        sim.bob
    );
    assert!(
        sim.now - sim.start < Duration::from_secs(1),
        "took {:?}",
        sim.now - sim.start
    );
    assert!(sim.alice.is_keyed() && sim.bob.is_keyed());
    assert_eq!(
        sim.alice.selected_pair(),
        Some((common::ALICE.parse().unwrap(), common::BOB.parse().unwrap()))
    );

    // Bob's transceivers were made by the offer, each reported as a new remote track; both receive.
    let tracks = sim.bob_events.iter().filter(|e| matches!(e, Event::Track(_))).count();
    assert_eq!(tracks, 2);
    for (_, t) in sim.bob.transceivers() {
        assert_eq!(t.current_direction(), Some(RtpTransceiverDirection::Sendrecv));
        assert!(t.mid().is_some());
    }
    let states: Vec<PeerConnectionState> = sim
        .alice_events
        .iter()
        .filter_map(|e| match e {
            Event::ConnectionStateChanged(s) => Some(*s),
            _ => None,
        })
        .collect();
    assert_eq!(
        states,
        [PeerConnectionState::Connecting, PeerConnectionState::Connected]
    );
    assert!(
        sim.alice_events
            .contains(&Event::IceConnectionStateChanged(IceConnectionState::Connected))
    );
    assert!(
        sim.alice_events
            .contains(&Event::IceGatheringStateChanged(IceGatheringState::Complete))
    );

    let mut media: [Media; 2] = Default::default();
    let ok = sim.run(Duration::from_secs(10), |s| {
        exchange(s, &mut media);
        all_received(&media)
    });
    for (side, m) in media.iter().enumerate() {
        let other = &media[1 - side];
        assert!(
            ok,
            "side {side}: video {}/{}, audio {}/{}",
            other.video_received.len(),
            m.video_sent.len(),
            other.audio_received.len(),
            m.audio_sent.len()
        );
        assert_eq!(other.video_received, m.video_sent, "video from side {side}");
        // audio playout may still hold the last packets; every one received is in order and exact
        assert_eq!(
            other.audio_received[..],
            m.audio_sent[..other.audio_received.len()],
            "audio from side {side}"
        );
    }
    // Everything went through SRTP: every packet Bob took was unprotected, none failed.
    let srtp = sim.bob.session_mut().unwrap().srtp_stats().unwrap();
    let video_packets = sim
        .bob
        .receiver(transceiver_of(&sim.bob, MediaKind::Video))
        .unwrap()
        .stats()
        .packets_received;
    assert!(
        srtp.unprotected.rtp_packets >= video_packets && video_packets > 60,
        "{srtp:?}"
    );
    assert!(srtp.unprotected.rtcp_packets > 0, "{srtp:?}");
    assert_eq!(srtp.errors.total(), 0, "{srtp:?}");
    assert_eq!(sim.bob.session_mut().unwrap().stats().srtp_rejected, 0);
    assert_eq!(sim.alice.session_mut().unwrap().stats().srtp_rejected, 0);
}

#[test]
fn loss_on_the_link_is_healed_by_nack_and_rtx() {
    let mut sim = audio_video_call(2);
    assert!(sim.connect(Duration::from_secs(5)));
    sim.media_loss_per_mille = 50;
    let mut media: [Media; 2] = Default::default();
    let ok = sim.run(Duration::from_secs(20), |s| {
        exchange(s, &mut media);
        media.iter().all(|m| m.video_received.len() as u32 >= VIDEO_FRAMES)
    });
    assert!(sim.dropped > 20, "only {} dropped", sim.dropped);
    for (side, m) in media.iter().enumerate() {
        let other = &media[1 - side];
        assert!(
            ok,
            "video from side {side}: {}/{}",
            other.video_received.len(),
            m.video_sent.len()
        );
        assert_eq!(other.video_received, m.video_sent, "video from side {side}");
    }
    for core in [&mut sim.alice, &mut sim.bob] {
        let video = transceiver_of(core, MediaKind::Video);
        let sent = core.sender(video).unwrap().stats();
        assert!(sent.nack_count > 0, "{sent:?}");
        assert!(sent.retransmitted_packets_sent > 0, "{sent:?}");
        let received = core.receiver(video).unwrap().stats();
        assert!(received.retransmitted_packets_received > 0, "{received:?}");
    }
}

#[test]
fn a_tampered_fingerprint_fails_the_connection() {
    let mut sim = Sim::new(3);
    sim.alice
        .add_transceiver(MediaKind::Video, RtpTransceiverDirection::Sendrecv)
        .unwrap();
    // Change one hex digit of Bob's fingerprint in the answer Alice receives.
    sim.negotiate_tampered(|sdp| {
        let at = sdp.find("a=fingerprint:sha-256 ").unwrap() + "a=fingerprint:sha-256 ".len();
        let mut s = sdp.to_owned();
        let digit = if &s[at..=at] == "A" { "B" } else { "A" };
        s.replace_range(at..=at, digit);
        s
    });
    sim.run(Duration::from_secs(5), |s| {
        s.alice.connection_state() == PeerConnectionState::Failed
    });
    assert_eq!(sim.alice.connection_state(), PeerConnectionState::Failed);
    assert_eq!(sim.alice.stats().fingerprint_mismatches, 1);
    assert!(!sim.alice.is_keyed());
    assert!(
        sim.alice_events
            .contains(&Event::ConnectionStateChanged(PeerConnectionState::Failed))
    );
    // Bob hears Alice's alert: no keys on his side either.
    sim.run(Duration::from_secs(2), |s| {
        s.bob.connection_state() == PeerConnectionState::Failed
    });
    assert!(!sim.bob.is_keyed());
}

#[test]
fn an_untampered_call_checks_the_fingerprint_too() {
    let mut sim = Sim::new(4);
    sim.alice
        .add_transceiver(MediaKind::Video, RtpTransceiverDirection::Sendonly)
        .unwrap();
    sim.negotiate_tampered(str::to_owned);
    assert!(sim.connect(Duration::from_secs(5)));
    assert_eq!(sim.alice.stats().fingerprint_mismatches, 0);
    assert_eq!(sim.alice.dtls_stats().unwrap().fingerprint_mismatches, 0);
}

#[test]
fn a_second_offer_from_the_answerer_adds_a_stream_and_keeps_the_transport() {
    let mut sim = Sim::new(5);
    let video = sim
        .alice
        .add_transceiver(MediaKind::Video, RtpTransceiverDirection::Sendonly)
        .unwrap();
    sim.negotiate(|_| {});
    assert!(sim.connect(Duration::from_secs(5)));
    let pair = sim.alice.selected_pair();
    let dtls_before = sim.alice.dtls_stats().unwrap();

    // Bob offers now, with an audio transceiver of his own.
    let bob_audio = sim
        .bob
        .add_transceiver(MediaKind::Audio, RtpTransceiverDirection::Sendonly)
        .unwrap();
    let now = sim.now;
    let offer = sim.bob.create_offer().unwrap();
    sim.bob.set_local_description(now, &offer).unwrap();
    sim.alice.set_remote_description(now, &offer).unwrap();
    let answer = sim.alice.create_answer().unwrap();
    // Alice stays the DTLS server she was: her answer says passive.
    assert!(answer.sdp.contains("a=setup:passive"), "{}", answer.sdp);
    sim.alice.set_local_description(now, &answer).unwrap();
    sim.bob.set_remote_description(now, &answer).unwrap();
    assert_eq!(sim.bob.transceiver(bob_audio).unwrap().mid(), Some("1"));
    assert_eq!(
        sim.bob.transceiver(bob_audio).unwrap().current_direction(),
        Some(RtpTransceiverDirection::Sendonly)
    );
    let alice_audio = transceiver_of(&sim.alice, MediaKind::Audio);
    assert_eq!(
        sim.alice.transceiver(alice_audio).unwrap().current_direction(),
        Some(RtpTransceiverDirection::Recvonly)
    );

    // The same transport and DTLS association carry the old and the new stream.
    let mut audio_received = Vec::new();
    let mut video_received = Vec::new();
    let mut written = 0u32;
    let done = sim.run(Duration::from_secs(5), |s| {
        let now = s.now;
        if written < 50 && now - s.start >= Duration::from_millis(20) * written {
            s.bob
                .write_frame(now, bob_audio, written * 960, &opus_frame(written, 40))
                .unwrap();
            s.alice
                .write_frame(now, video, written * 3000, &vp8_frame(written, written == 0, 700))
                .unwrap();
            written += 1;
        }
        poll_received(&mut s.alice, now, alice_audio, &mut audio_received);
        let bob_video = transceiver_of(&s.bob, MediaKind::Video);
        poll_received(&mut s.bob, now, bob_video, &mut video_received);
        audio_received.len() >= 40 && video_received.len() >= 50
    });
    assert!(done, "audio {} video {}", audio_received.len(), video_received.len());
    let expected: Vec<Vec<u8>> = (0..audio_received.len() as u32).map(|i| opus_frame(i, 40)).collect();
    assert!(audio_received == expected, "audio differs");
    assert_eq!(sim.alice.selected_pair(), pair);
    assert_eq!(sim.alice.connection_state(), PeerConnectionState::Connected);
    assert_eq!(
        sim.alice.dtls_stats().unwrap().datagrams_received,
        dtls_before.datagrams_received
    );
}

/// Alice's offer and Bob's answer with every `a=candidate` line removed; returns both sides' candidates as
/// their `LocalCandidate` events gave them.
fn negotiate_without_candidates(sim: &mut Sim) -> (Vec<String>, Vec<String>) {
    let strip = |sdp: &str| -> String {
        sdp.split_inclusive("\r\n")
            .filter(|l| !l.starts_with("a=candidate"))
            .collect()
    };
    let candidates = |core: &mut PeerConnectionCore| -> Vec<String> {
        std::iter::from_fn(|| core.poll_event())
            .filter_map(|e| match e {
                Event::LocalCandidate { candidate, .. } => Some(candidate.to_string()),
                _ => None,
            })
            .collect()
    };
    let (from_alice, from_bob) = (candidates(&mut sim.alice), candidates(&mut sim.bob));
    let now = sim.now;
    let offer = sim.alice.create_offer().unwrap();
    sim.alice.set_local_description(now, &offer).unwrap();
    sim.bob
        .set_remote_description(now, &ortc::SessionDescription::offer(strip(&offer.sdp)))
        .unwrap();
    let answer = sim.bob.create_answer().unwrap();
    sim.bob.set_local_description(now, &answer).unwrap();
    sim.alice
        .set_remote_description(now, &ortc::SessionDescription::answer(strip(&answer.sdp)))
        .unwrap();
    (from_alice, from_bob)
}

#[test]
fn trickled_candidates_connect() {
    // Without candidates on either side nothing connects...
    let mut sim = Sim::new(6);
    sim.alice
        .add_transceiver(MediaKind::Audio, RtpTransceiverDirection::Sendrecv)
        .unwrap();
    negotiate_without_candidates(&mut sim);
    assert!(!sim.connect(Duration::from_secs(2)));

    // ...with them trickled, it does.
    let mut sim = Sim::new(7);
    sim.alice
        .add_transceiver(MediaKind::Audio, RtpTransceiverDirection::Sendrecv)
        .unwrap();
    let (from_alice, from_bob) = negotiate_without_candidates(&mut sim);
    assert_eq!((from_alice.len(), from_bob.len()), (1, 1));
    let now = sim.now;
    sim.bob.add_ice_candidate(now, &from_alice[0]).unwrap();
    sim.alice
        .add_ice_candidate(now, &format!("candidate:{}", from_bob[0]))
        .unwrap();
    sim.alice.add_ice_candidate(now, "").unwrap();
    assert!(sim.connect(Duration::from_secs(2)));
}

#[test]
fn a_remote_candidate_needs_a_remote_description_and_must_parse() {
    let mut sim = Sim::new(8);
    let now = sim.now;
    let err = sim
        .alice
        .add_ice_candidate(now, "candidate:1 1 udp 2130706431 127.0.0.1 20000 typ host")
        .unwrap_err();
    assert!(
        matches!(
            err,
            ortc::Error::InvalidState(ortc::InvalidStateError::NoRemoteDescription)
        ),
        "{err}"
    );
    sim.alice
        .add_transceiver(MediaKind::Audio, RtpTransceiverDirection::Sendrecv)
        .unwrap();
    sim.negotiate(|_| {});
    let err = sim
        .alice
        .add_ice_candidate(now, "candidate:1 1 udp high 127.0.0.1 20000 typ host")
        .unwrap_err();
    assert_eq!(err.name(), "SyntaxError");
}

#[test]
fn consent_keeps_an_idle_call_connected_and_close_ends_it() {
    let mut sim = Sim::new(10);
    sim.alice
        .add_transceiver(MediaKind::Audio, RtpTransceiverDirection::Sendrecv)
        .unwrap();
    sim.negotiate(|_| {});
    assert!(sim.connect(Duration::from_secs(5)));
    let checks_before = sim.alice.ice_stats().stun_sent;
    sim.run(Duration::from_mins(1), |_| false);
    assert!(sim.both_connected(), "{:?} / {:?}", sim.alice, sim.bob);
    // consent checks went out about every 5 s
    assert!(
        sim.alice.ice_stats().stun_sent >= checks_before + 8,
        "{:?}",
        sim.alice.ice_stats()
    );

    // Alice closes: her close_notify reaches Bob, whose DTLS association ends; Alice sends nothing more.
    sim.alice.close();
    assert_eq!(sim.alice.connection_state(), PeerConnectionState::Closed);
    sim.run(Duration::from_secs(1), |s| {
        s.bob.dtls_state() == Some(ortc_dtls::DtlsState::Closed)
    });
    assert_eq!(sim.bob.dtls_state(), Some(ortc_dtls::DtlsState::Closed));
    assert!(sim.alice.poll_transmit(sim.now).is_none());
    assert!(sim.alice.poll_timeout().is_none());
}

#[test]
fn garbage_datagrams_change_nothing() {
    let mut sim = Sim::new(11);
    let video = sim
        .alice
        .add_transceiver(MediaKind::Video, RtpTransceiverDirection::Sendonly)
        .unwrap();
    sim.negotiate(|_| {});
    assert!(sim.connect(Duration::from_secs(5)));
    let (alice, bob): (std::net::SocketAddr, std::net::SocketAddr) =
        (common::ALICE.parse().unwrap(), common::BOB.parse().unwrap());
    let stranger: std::net::SocketAddr = "127.0.0.1:30000".parse().unwrap();
    let mut seed = 0x1234_5678_u64;
    let mut garbage = bytes::BytesMut::new();
    for n in 0..3000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let len = (seed % 300) as usize;
        garbage.clear();
        garbage.extend((0..len).map(|i| (seed >> (i % 56)) as u8 ^ i as u8));
        // first bytes of every class: STUN, DTLS, RTP, RTCP, and nothing anyone claims
        if let Some(first) = garbage.first_mut() {
            *first = [0x00, 0x01, 0x16, 0x17, 0x80, 0x90, 0xff][n % 7];
        }
        if garbage.len() > 1 && n % 5 == 0 {
            garbage[1] = 200;
        }
        // over the valid pair, and from an address nobody signalled
        let from = if n % 2 == 0 { alice } else { stranger };
        sim.bob.handle_datagram(sim.now, bob, from, &mut garbage);
    }
    assert_eq!(sim.bob.connection_state(), PeerConnectionState::Connected);
    // media still flows
    let mut got = Vec::new();
    let mut written = 0u32;
    let ok = sim.run(Duration::from_secs(3), |s| {
        if written < 10 {
            let now = s.now;
            s.alice
                .write_frame(now, video, written * 3000, &vp8_frame(written, written == 0, 1500))
                .unwrap();
            written += 1;
        }
        let (rx, _) = s.bob.transceivers().next().unwrap();
        let now = s.now;
        poll_received(&mut s.bob, now, rx, &mut got);
        got.len() == 10
    });
    assert!(ok, "{} frames after the garbage", got.len());
    let stats = sim.bob.session_mut().unwrap().stats();
    assert!(stats.srtp_rejected > 0, "{stats:?}");
    assert!(sim.bob.ice_stats().data_dropped > 0);
}
