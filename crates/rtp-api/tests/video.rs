//! Video between two session cores over a simulated link: loss healed by NACK and RTX, keyframe requests,
//! statistics that match what crossed the link.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::{Impairment, Pair, VP8, video_pair, vp8_frame};
use ortc_rtp_api::session::{Event, KeyframeRequest, Received, ReceiverId, SenderId};
use ortc_rtp_packet::Ssrc;

const FRAME_INTERVAL: Duration = Duration::from_millis(33);

/// Sends `frames` frames of `len` bytes (a keyframe first) at 30 fps, then lets recovery run for 2 s.
/// Returns every frame received, in order: (index, keyframe).
fn run(pair: &mut Pair, tx: SenderId, rx: ReceiverId, frames: u32, len: usize) -> Vec<(u32, bool)> {
    let mut got = Vec::new();
    let mut next_frame = pair.now;
    let end = pair.now + FRAME_INTERVAL * frames + Duration::from_secs(2);
    let mut sent = 0;
    while pair.now < end {
        if sent < frames && pair.now >= next_frame {
            let frame = vp8_frame(sent, sent == 0, len);
            let rtp_time = sent * 3000;
            pair.a
                .sender(tx)
                .unwrap()
                .write_frame(pair.now, VP8, rtp_time, &frame)
                .unwrap();
            sent += 1;
            next_frame += FRAME_INTERVAL;
        }
        pair.advance(Duration::from_millis(1));
        let now = pair.now;
        let mut r = pair.b.receiver(rx).unwrap();
        while let Some(out) = r.poll(now) {
            let Received::Frame(f) = out else {
                panic!("video conceals nothing")
            };
            let index = f.rtp_timestamp.wrapping_sub(4_294_000_000) / 3000;
            assert_eq!(f.data, &vp8_frame(index, f.keyframe, len)[..], "frame {index} content");
            got.push((index, f.keyframe));
        }
    }
    got
}

fn lossy(loss: f64) -> Impairment {
    Impairment {
        loss,
        delay: Duration::from_millis(30),
        jitter: Duration::from_millis(10),
        duplicate: 0.01,
        ..Impairment::default()
    }
}

#[test]
fn clean_link_delivers_every_frame_and_the_counters_agree() {
    let t0 = Instant::now();
    let (mut pair, tx, rx) = video_pair(t0, true, Impairment::default(), Impairment::default());
    let got = run(&mut pair, tx, rx, 60, 4000);
    assert_eq!(got.len(), 60);
    assert!(got.iter().enumerate().all(|(i, (n, _))| *n == i as u32), "in order");
    assert!(got[0].1 && !got[1].1, "the first frame is the keyframe");

    let sent = pair.a.sender(tx).unwrap().stats();
    let recv = pair.b.receiver(rx).unwrap().stats();
    assert_eq!(sent.frames_sent, 60);
    assert_eq!(sent.packets_sent, 60 * 4, "4000 bytes in 1200-byte payloads");
    assert_eq!(recv.packets_received, sent.packets_sent);
    assert_eq!(recv.bytes_received, sent.bytes_sent);
    assert_eq!(recv.header_bytes_received, sent.header_bytes_sent);
    assert_eq!(sent.retransmitted_packets_sent, 0);
    assert_eq!(recv.packets_lost, 0);
    assert_eq!(recv.frames_emitted, 60);
    assert_eq!(recv.ssrc, Some(Ssrc::new(0xA000)));
    // Reports flowed both ways: the receiver saw SRs, the sender RRs with a round-trip time.
    assert!(
        recv.remote
            .as_ref()
            .is_some_and(|r| r.packets_sent == sent.packets_sent || r.reports_sent > 0)
    );
    let remote = sent.remote.expect("receiver reports arrived");
    assert_eq!(remote.packets_lost, 0);
    assert!(remote.round_trip_time.is_some_and(|rtt| rtt < 0.01), "{remote:?}");
    let s = pair.b.stats();
    assert_eq!(
        (s.srtp_rejected, s.rtp_unrouted, s.rtp_malformed, s.rtcp_malformed),
        (0, 0, 0, 0)
    );
}

fn loss_is_healed(loss: f64, rtx: bool) {
    let t0 = Instant::now();
    let (mut pair, tx, rx) = video_pair(t0, rtx, lossy(loss), lossy(loss));
    let frames = 150;
    let got = run(&mut pair, tx, rx, frames, 5000);
    let indices: Vec<u32> = got.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        indices,
        (0..frames).collect::<Vec<_>>(),
        "every frame, in order ({loss} loss, rtx {rtx})"
    );
    let sent = pair.a.sender(tx).unwrap().stats();
    let recv = pair.b.receiver(rx).unwrap().stats();
    assert!(pair.a_to_b.lost > 0);
    assert!(sent.retransmitted_packets_sent > 0);
    // No endless NACK loop: retransmissions stay within a small multiple of what the link dropped.
    assert!(
        sent.retransmitted_packets_sent <= 4 * pair.a_to_b.lost,
        "{} retransmissions for {} lost",
        sent.retransmitted_packets_sent,
        pair.a_to_b.lost
    );
    assert!(recv.packets_recovered > 0);
    assert_eq!(recv.frames_dropped, 0);
    if rtx {
        assert!(recv.retransmitted_packets_received > 0);
    } else {
        assert_eq!(recv.retransmitted_packets_received, 0);
    }
    // The link's duplicates are replays and rejected as such; retransmissions never are.
    assert_eq!(pair.b.stats().srtp_rejected, pair.a_to_b.duplicated);
    assert!(pair.a_to_b.duplicated > 0);
}

#[test]
fn five_percent_loss_is_healed_over_rtx() {
    loss_is_healed(0.05, true);
}

#[test]
fn twenty_percent_loss_is_healed_over_rtx() {
    loss_is_healed(0.20, true);
}

#[test]
fn loss_is_healed_without_rtx_by_resending_the_protected_packet() {
    loss_is_healed(0.05, false);
}

#[test]
fn burst_loss_is_healed() {
    let burst = Impairment {
        burst_enter: 0.01,
        burst_leave: 0.3,
        delay: Duration::from_millis(20),
        ..Impairment::default()
    };
    let t0 = Instant::now();
    let (mut pair, tx, rx) = video_pair(t0, true, burst, Impairment::default());
    let got = run(&mut pair, tx, rx, 150, 5000);
    assert_eq!(got.len(), 150, "lost {}", pair.a_to_b.lost);
}

#[test]
fn a_keyframe_request_reaches_the_sender() {
    let t0 = Instant::now();
    let (mut pair, tx, rx) = video_pair(t0, true, Impairment::default(), Impairment::default());
    run(&mut pair, tx, rx, 3, 1000);
    while pair.a.poll_event().is_some() {}
    assert!(pair.b.receiver(rx).unwrap().request_keyframe());
    pair.advance(Duration::from_millis(1));
    let events: Vec<Event> = std::iter::from_fn(|| pair.a.poll_event()).collect();
    assert!(events.contains(&Event::KeyframeRequested {
        sender: tx,
        request: KeyframeRequest::Pli
    }));
    assert_eq!(pair.a.sender(tx).unwrap().stats().pli_count, 1);
    assert_eq!(pair.b.receiver(rx).unwrap().stats().pli_count, 1);
}

#[test]
fn a_stream_starting_without_a_keyframe_asks_for_one() {
    let t0 = Instant::now();
    let (mut pair, tx, rx) = video_pair(t0, true, Impairment::default(), Impairment::default());
    let frame = vp8_frame(0, false, 1000);
    pair.a.sender(tx).unwrap().write_frame(t0, VP8, 0, &frame).unwrap();
    for _ in 0..50 {
        pair.advance(Duration::from_millis(1));
        let now = pair.now;
        assert!(pair.b.receiver(rx).unwrap().poll(now).is_none(), "no decodable frame");
    }
    let asked = std::iter::from_fn(|| pair.a.poll_event())
        .any(|e| matches!(e, Event::KeyframeRequested { sender, .. } if sender == tx));
    assert!(asked, "an undecodable start is answered with a PLI");
}

#[test]
fn stop_sends_bye_and_the_receiver_hears_it() {
    let t0 = Instant::now();
    let (mut pair, tx, rx) = video_pair(t0, true, Impairment::default(), Impairment::default());
    run(&mut pair, tx, rx, 3, 1000);
    while pair.b.poll_event().is_some() {}
    pair.a.sender(tx).unwrap().stop(pair.now);
    pair.a.sender(tx).unwrap().stop(pair.now); // idempotent
    pair.advance(Duration::from_millis(1));
    let byes = std::iter::from_fn(|| pair.b.poll_event())
        .filter(|e| *e == Event::Bye(rx))
        .count();
    assert_eq!(byes, 1);
    let now = pair.now;
    assert!(
        pair.a
            .sender(tx)
            .unwrap()
            .write_frame(now, VP8, 0, &[0x10; 10])
            .is_err()
    );
}

#[test]
fn with_only_ccm_fir_negotiated_keyframes_are_asked_for_with_fir() {
    let t0 = Instant::now();
    let (mut a, mut b) = common::sessions(t0, common::extensions());
    let tx = a.add_sender(common::vp8_sender(0xA000, true)).unwrap();
    let mut params = common::vp8_receiver(true);
    params.pli = false;
    params.fir = true;
    let rx = b.add_receiver(params).unwrap();
    let mut pair = Pair::new(t0, a, b, Impairment::default(), Impairment::default());
    // A stream that starts without a keyframe: a FIR.
    pair.a
        .sender(tx)
        .unwrap()
        .write_frame(t0, VP8, 0, &vp8_frame(0, false, 1000))
        .unwrap();
    let mut requests = Vec::new();
    for _ in 0..1500 {
        pair.advance(Duration::from_millis(1));
        let now = pair.now;
        assert!(pair.b.receiver(rx).unwrap().poll(now).is_none());
        requests.extend(std::iter::from_fn(|| pair.a.poll_event()).filter_map(|e| match e {
            Event::KeyframeRequested { request, .. } => Some(request),
            _ => None,
        }));
    }
    assert_eq!(requests, [KeyframeRequest::Fir]);
    // An explicit request: a FIR again, with the next sequence number, so the sender takes it as new.
    assert!(pair.b.receiver(rx).unwrap().request_keyframe());
    pair.advance(Duration::from_millis(1));
    requests.extend(std::iter::from_fn(|| pair.a.poll_event()).filter_map(|e| match e {
        Event::KeyframeRequested { request, .. } => Some(request),
        _ => None,
    }));
    assert_eq!(requests, [KeyframeRequest::Fir, KeyframeRequest::Fir]);
    let sent = pair.b.receiver(rx).unwrap().stats();
    assert_eq!(
        (sent.pli_count, sent.fir_count as usize),
        (0, requests.len()),
        "each FIR is new to the sender"
    );
    assert_eq!(pair.a.sender(tx).unwrap().stats().fir_count as usize, requests.len());
}
