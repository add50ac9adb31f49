//! Audio between two session cores: playout, concealment counted, talkspurt markers, audio levels and
//! synchronization sources that expire.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::{Impairment, OPUS, Pair, extensions, sessions};
use ortc_codecs::MediaKind;
use ortc_rtp_api::session::{ReceiveCodec, ReceiveParams, Received, SendCodec, SendParams};
use ortc_rtp_packet::{AudioLevel, Mid, RtpPacket, Ssrc};

const PTIME: Duration = Duration::from_millis(20);

fn opus_pair(impairment: Impairment) -> (Pair, ortc_rtp_api::session::SenderId, ortc_rtp_api::session::ReceiverId) {
    let t0 = Instant::now();
    let (mut a, mut b) = sessions(t0, extensions());
    let codec = SendCodec {
        payload_type: OPUS,
        mime_type: "audio/opus".into(),
        clock_rate: 48_000,
        rtx_payload_type: None,
        h264_packetization_mode_1: false,
    };
    let mut send = SendParams::new(MediaKind::Audio, Ssrc::new(0xA0D1), vec![codec]);
    send.mid = Some(Mid::new("a").unwrap());
    let tx = a.add_sender(send).unwrap();
    let codec = ReceiveCodec {
        payload_type: OPUS,
        mime_type: "audio/opus".into(),
        clock_rate: 48_000,
        rtx_payload_type: None,
    };
    let mut recv = ReceiveParams::new(MediaKind::Audio, vec![codec], Ssrc::new(0xB0B));
    recv.mid = Some(Mid::new("a").unwrap());
    let rx = b.add_receiver(recv).unwrap();
    (Pair::new(t0, a, b, impairment, Impairment::default()), tx, rx)
}

/// Sends `packets` 20 ms packets (payload: their index), then one more second; returns what played out:
/// `Some(index)` for a packet, `None` for a concealment.
fn run(
    pair: &mut Pair,
    tx: ortc_rtp_api::session::SenderId,
    rx: ortc_rtp_api::session::ReceiverId,
    packets: u32,
) -> Vec<Option<u32>> {
    let mut out = Vec::new();
    let mut next = pair.now;
    let end = pair.now + PTIME * packets + Duration::from_secs(1);
    let mut sent = 0u32;
    while pair.now < end {
        if sent < packets && pair.now >= next {
            let level = AudioLevel {
                voice: true,
                level: (sent % 100) as u8,
            };
            let mut s = pair.a.sender(tx).unwrap();
            s.set_audio_level(Some(level)).unwrap();
            s.write_frame(
                pair.now,
                OPUS,
                sent * 960,
                &[&[0xFC_u8][..], &sent.to_be_bytes()].concat(),
            )
            .unwrap();
            sent += 1;
            next += PTIME;
        }
        pair.advance(Duration::from_millis(1));
        let now = pair.now;
        let mut r = pair.b.receiver(rx).unwrap();
        while let Some(p) = r.poll(now) {
            out.push(match p {
                Received::Frame(f) => {
                    assert_eq!(f.data[0], 0xFC);
                    let index = u32::from_be_bytes(f.data[1..5].try_into().unwrap());
                    assert_eq!(f.rtp_timestamp, index * 960, "timestamp matches content");
                    Some(index)
                }
                Received::Conceal { .. } => None,
            });
        }
    }
    out
}

#[test]
fn every_packet_plays_in_order_on_a_clean_link() {
    let (mut pair, tx, rx) = opus_pair(Impairment {
        delay: Duration::from_millis(20),
        jitter: Duration::from_millis(8),
        ..Impairment::default()
    });
    let played = run(&mut pair, tx, rx, 250);
    assert_eq!(played, (0..250).map(Some).collect::<Vec<_>>());
    let stats = pair.b.receiver(rx).unwrap().stats();
    assert_eq!(stats.packets_received, 250);
    assert_eq!(stats.concealment_events, 0);
    assert!(stats.jitter > 0.0 && stats.jitter < 0.01, "{}", stats.jitter);
}

#[test]
fn lost_packets_are_concealed_and_counted() {
    let (mut pair, tx, rx) = opus_pair(Impairment {
        loss: 0.05,
        delay: Duration::from_millis(20),
        ..Impairment::default()
    });
    let played = run(&mut pair, tx, rx, 250);
    let lost = pair.a_to_b.lost_rtp;
    assert!(lost > 0);
    let concealed = played.iter().filter(|p| p.is_none()).count() as u64;
    let packets: Vec<u32> = played.iter().flatten().copied().collect();
    assert!(packets.windows(2).all(|w| w[0] < w[1]), "in order");
    assert_eq!(packets.len() as u64 + lost, 250, "every packet not lost plays");
    let stats = pair.b.receiver(rx).unwrap().stats();
    assert_eq!(stats.concealment_events, concealed);
    // A lost packet at the very end may never come due; the rest are concealed.
    assert!(
        concealed + 1 >= lost && concealed <= lost,
        "{concealed} concealed, {lost} lost"
    );
    // RFC 3550 loss counts up to the highest sequence number received: a loss at the very end is unknown.
    let lost = i64::try_from(lost).unwrap();
    assert!(
        stats.packets_lost == lost || stats.packets_lost + 1 == lost,
        "{} vs {lost}",
        stats.packets_lost
    );
}

#[test]
fn talkspurts_levels_and_sources() {
    let (mut pair, tx, rx) = opus_pair(Impairment::default());
    run(&mut pair, tx, rx, 10);
    let now = pair.now;
    let r = pair.b.receiver(rx).unwrap();
    let source = r.synchronization_source(now).expect("heard within 10 s");
    assert_eq!(source.source, Ssrc::new(0xA0D1));
    assert_eq!(source.rtp_timestamp, 9 * 960);
    // The last packet carried -9 dBov.
    let expected = 10f64.powf(-9.0 / 20.0);
    assert!(
        source.audio_level.is_some_and(|l| (l - expected).abs() < 1e-9),
        "{source:?}"
    );
    assert!(r.contributing_sources(now).is_empty());
    // Eleven seconds of silence: the source is no longer listed.
    for _ in 0..11 {
        pair.advance(Duration::from_secs(1));
    }
    let now = pair.now;
    assert_eq!(pair.b.receiver(rx).unwrap().synchronization_source(now), None);
    let r = pair.b.receiver(rx).unwrap();
    let limit = source.timestamp + ortc_rtp_api::session::SOURCE_LIFETIME;
    assert!(r.synchronization_source(limit).is_some(), "listed for 10 s");
    assert!(r.synchronization_source(limit + Duration::from_millis(1)).is_none());
}

#[test]
fn only_a_talkspurt_start_carries_the_marker() {
    let t0 = Instant::now();
    let (mut pair, tx, _rx) = opus_pair(Impairment::default());
    let mut markers = Vec::new();
    for i in 0..6u32 {
        let mut s = pair.a.sender(tx).unwrap();
        if i == 3 {
            s.start_talkspurt();
        }
        s.write_frame(t0, OPUS, i * 960, &[0xFC, 1, 2]).unwrap();
        let mut buf = bytes::BytesMut::with_capacity(1500);
        while let Some(ortc_rtp_api::session::Transmit::Rtp { .. }) = pair.a.poll_transmit(t0, &mut buf) {
            // The header is in the clear under SRTP.
            markers.push(RtpPacket::parse(&buf[..]).unwrap().marker());
        }
    }
    assert_eq!(markers, [true, false, false, true, false, false]);
}

/// Without NACK (audio), a missing packet is still given up on at its deadline: once handled and the stream
/// polled, no deadline at or before `now` is reported again (a driver sleeping until it would spin).
#[test]
fn a_lost_audio_packet_leaves_no_deadline_in_the_past() {
    let (mut pair, tx, rx) = opus_pair(Impairment::default());
    let t0 = pair.now;
    let mut out = bytes::BytesMut::with_capacity(1500);
    let mut concealed = 0;
    let mut played = 0;
    // (delivery time in ms, datagram): each packet is delayed 0..=30 ms, so the playout delay grows past the
    // 10 ms a missing packet is waited for.
    let mut in_flight: Vec<(u32, bytes::BytesMut)> = Vec::new();
    for ms in 0..600u32 {
        let now = t0 + Duration::from_millis(u64::from(ms));
        if ms % 20 == 0 && ms < 400 {
            let i = ms / 20;
            pair.a
                .sender(tx)
                .unwrap()
                .write_frame(now, OPUS, i * 960, &[0xFC, 0, 0, 0, i as u8])
                .unwrap();
            while let Some(t) = pair.a.poll_transmit(now, &mut out) {
                // the eighth packet is lost
                if matches!(t, ortc_rtp_api::session::Transmit::Rtp { .. }) && i != 8 {
                    in_flight.push((ms + (i * 7) % 31, out.split()));
                }
            }
        }
        for (_, mut datagram) in in_flight.extract_if(.., |(at, _)| *at <= ms) {
            pair.b.handle_rtp(now, &mut datagram);
        }
        let Some((deadline, reason)) = pair.b.poll_timeout() else {
            continue;
        };
        if deadline > now {
            continue;
        }
        pair.b.handle_timeout(now);
        let mut r = pair.b.receiver(rx).unwrap();
        while let Some(p) = r.poll(now) {
            match p {
                Received::Conceal { .. } => concealed += 1,
                Received::Frame(_) => played += 1,
            }
        }
        if let Some((next, next_reason)) = pair.b.poll_timeout() {
            assert!(
                next > now,
                "{reason:?} due at {:?} handled at {ms} ms, still {next_reason:?} due at {:?}",
                deadline - t0,
                next - t0
            );
        }
    }
    assert_eq!((played, concealed), (19, 1));
}
