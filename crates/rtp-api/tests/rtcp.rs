//! What the session core's RTCP says, read back in the clear: transport-wide feedback, compound or
//! reduced-size feedback, XR round trips for a receive-only endpoint, sender reports.

#![allow(clippy::unwrap_used, clippy::cast_precision_loss)] // test set-up; rates from packet counts

mod common;

use std::time::{Duration, Instant};

use bytes::BytesMut;
use common::{Impairment, Pair, VP8, extensions, sessions, vp8_frame, vp8_receiver, vp8_sender};
use ortc_rtcp::{Compound, RtcpPacket};
use ortc_rtp_api::session::{RtpSession, SessionConfig, SessionStats, Transmit};
use ortc_srtp::{DtlsRole, SessionKeys, SrtpConfig, SrtpProfile, SrtpSession};

/// Unprotects what the server side (session B) sends, as session A would.
fn reader() -> SrtpSession {
    let material: Vec<u8> = (0..SrtpProfile::AeadAes128Gcm.keying_material_len() as u8).collect();
    let keys = SessionKeys::from_dtls_exporter(SrtpProfile::AeadAes128Gcm, &material, DtlsRole::Client).unwrap();
    SrtpSession::new(&keys, &SrtpConfig::default()).unwrap()
}

/// Sends `frames` frames from A to B (no loss), collecting every RTCP compound B sends, in the clear.
fn collect_b_rtcp(reduced_size: bool, frames: u32, lose_every: Option<usize>) -> (Vec<Vec<u8>>, u64, SessionStats) {
    let t0 = Instant::now();
    let (mut a, mut b) = sessions(t0, extensions());
    if reduced_size {
        b = RtpSession::new(SessionConfig {
            reduced_size_rtcp: true,
            ..SessionConfig::new("b", extensions(), (t0, ortc_rtcp::NtpTime(1 << 40)))
        });
        let material: Vec<u8> = (0..SrtpProfile::AeadAes128Gcm.keying_material_len() as u8).collect();
        let keys = SessionKeys::from_dtls_exporter(SrtpProfile::AeadAes128Gcm, &material, DtlsRole::Server).unwrap();
        b.set_keys(&keys, &SrtpConfig::default()).unwrap();
    }
    let tx = a.add_sender(vp8_sender(0xA000, true)).unwrap();
    b.add_receiver(vp8_receiver(true)).unwrap();
    let mut srtp = reader();
    let mut out = BytesMut::with_capacity(2048);
    let mut now = t0;
    let mut compounds = Vec::new();
    let mut sent = 0u64;
    let mut n = 0usize;
    for i in 0..frames {
        a.sender(tx)
            .unwrap()
            .write_frame(now, VP8, i * 3000, &vp8_frame(i, i == 0, 2500))
            .unwrap();
        while let Some(t) = a.poll_transmit(now, &mut out) {
            if matches!(t, Transmit::Rtp { .. }) {
                n += 1;
                sent += 1;
                if lose_every.is_some_and(|k| n.is_multiple_of(k)) {
                    continue;
                }
                b.handle_rtp(now, &mut out);
            }
        }
        for _ in 0..33 {
            now += Duration::from_millis(1);
            while b.poll_timeout().is_some_and(|(t, _)| t <= now) {
                b.handle_timeout(now);
            }
            while let Some(t) = b.poll_transmit(now, &mut out) {
                assert!(matches!(t, Transmit::Rtcp { .. }));
                srtp.inbound().unprotect_rtcp(&mut out).unwrap();
                compounds.push(out.to_vec());
            }
        }
    }
    (compounds, sent, b.stats())
}

#[test]
fn transport_wide_feedback_reports_every_packet_once() {
    let (compounds, sent, _) = collect_b_rtcp(false, 60, None);
    let mut reported = Vec::new();
    let mut messages = 0;
    for c in &compounds {
        let packets: Vec<RtcpPacket<'_>> = Compound::new(c).map(Result::unwrap).collect();
        for (i, p) in packets.iter().enumerate() {
            if let RtcpPacket::TransportFeedback(fb) = p {
                messages += 1;
                // Not negotiated reduced-size: the feedback rides behind RR and SDES (RFC 4585 §3.1).
                assert!(matches!(packets[0], RtcpPacket::ReceiverReport(_)), "{packets:?}");
                assert!(matches!(packets[1], RtcpPacket::Sdes(_)));
                assert_eq!(i, 2);
                assert_eq!(fb.sender_ssrc(), 0xB0B);
                assert_eq!(fb.media_ssrc(), 0xA000);
                for (seq, _) in fb.arrivals() {
                    reported.push(seq);
                }
            }
        }
    }
    // 2 seconds at one message per 100 ms.
    assert!((15..=25).contains(&messages), "{messages} feedback messages");
    let expected: Vec<u16> = (0..sent as u16).collect();
    assert_eq!(reported, expected, "every transport-wide number once, in order");
}

/// RFC 4585 §3.5.2: feedback takes the early slot when it is free and otherwise waits for the next regular
/// time; either way RTCP keeps to its 5 % share of the session bandwidth (RFC 3550 §6.2) and every loss is
/// still asked for.
#[test]
fn feedback_is_timed_as_rfc_4585_says_within_the_rtcp_share() {
    // Every other packet lost: more losses than early slots.
    let (compounds, sent, stats) = collect_b_rtcp(false, 120, Some(2));
    assert!(stats.feedback_early > 0, "{stats:?}");
    assert!(
        stats.feedback_with_report > 0,
        "some feedback waited for the regular time: {stats:?}"
    );
    let mut rtcp_bytes = 0;
    let mut nacked = std::collections::BTreeSet::new();
    for c in &compounds {
        let packets: Vec<RtcpPacket<'_>> = Compound::new(c).map(Result::unwrap).collect();
        // Transport-wide feedback runs on its own clock; the rest is what the RTCP interval governs.
        if packets.iter().any(|p| matches!(p, RtcpPacket::TransportFeedback(_))) {
            continue;
        }
        rtcp_bytes += c.len() + 16 + 28; // the SRTCP tag and index, UDP/IP
        for p in &packets {
            if let RtcpPacket::Nack(n) = p {
                nacked.extend(n.lost());
            }
        }
    }
    // A's packets: about 1234 bytes on the wire each, over 120 frames of 33 ms.
    let seconds = 120.0 * 0.033;
    let rtp_rate = sent as f64 * (1234.0 + 28.0) * 8.0 / seconds;
    let rtcp_rate = rtcp_bytes as f64 * 8.0 / seconds;
    assert!(
        rtcp_rate <= 0.05 * rtp_rate * 1.25,
        "RTCP at {rtcp_rate:.0} bit/s for RTP at {rtp_rate:.0} bit/s"
    );
    // Nearly every lost packet was asked for (those of the last interval are still held when the run ends,
    // and a stream this broken also gives some up for a keyframe).
    let lost = sent / 2;
    assert!(
        nacked.len() as u64 >= lost * 9 / 10,
        "{} of {lost} losses asked for",
        nacked.len()
    );
}

#[test]
fn reduced_size_feedback_goes_out_alone() {
    let (compounds, _, _) = collect_b_rtcp(true, 20, Some(7));
    let mut alone = 0;
    for c in &compounds {
        let packets: Vec<RtcpPacket<'_>> = Compound::new(c).map(Result::unwrap).collect();
        if packets
            .iter()
            .any(|p| matches!(p, RtcpPacket::TransportFeedback(_) | RtcpPacket::Nack(_)))
        {
            // Feedback only (NACKs held together may share one), no report or SDES before it (RFC 5506).
            assert!(
                packets
                    .iter()
                    .all(|p| matches!(p, RtcpPacket::TransportFeedback(_) | RtcpPacket::Nack(_))),
                "{packets:?}"
            );
            alone += 1;
        }
    }
    assert!(alone > 5);
    // Lost packets show up as NACKs and as gaps in the transport-wide feedback.
    let nacked: Vec<u16> = compounds
        .iter()
        .flat_map(|c| Compound::new(c).map(Result::unwrap).collect::<Vec<_>>())
        .filter_map(|p| match p {
            RtcpPacket::Nack(n) => Some(n.lost().collect::<Vec<_>>()),
            _ => None,
        })
        .flatten()
        .collect();
    assert!(!nacked.is_empty());
}

#[test]
fn a_receive_only_endpoint_learns_its_round_trip_from_xr() {
    let t0 = Instant::now();
    let delay = Impairment {
        delay: Duration::from_millis(25),
        ..Impairment::default()
    };
    let (mut a, mut b) = sessions(t0, extensions());
    let tx = a.add_sender(vp8_sender(0xA000, true)).unwrap();
    let rx = b.add_receiver(vp8_receiver(true)).unwrap();
    let mut pair = Pair::new(t0, a, b, delay, delay);
    for i in 0..150 {
        let now = pair.now;
        pair.a
            .sender(tx)
            .unwrap()
            .write_frame(now, VP8, i * 3000, &vp8_frame(i, i == 0, 1000))
            .unwrap();
        for _ in 0..33 {
            pair.advance(Duration::from_millis(1));
        }
    }
    let remote = pair.b.receiver(rx).unwrap().stats().remote.unwrap();
    let rtt = remote.round_trip_time.expect("an XR DLRR answered our reference time");
    assert!((0.049..0.055).contains(&rtt), "{rtt}");
    assert!(remote.round_trip_time_measurements >= 2);
    // And the sender's view from the receiver reports agrees.
    let sender_rtt = pair
        .a
        .sender(tx)
        .unwrap()
        .stats()
        .remote
        .unwrap()
        .round_trip_time
        .unwrap();
    assert!((0.049..0.055).contains(&sender_rtt), "{sender_rtt}");
    assert!(remote.reports_sent >= 2);
}
