//! The W3C report built from the counters of two session cores that exchanged video over a lossy link: each
//! side's entries carry its core's values under the webrtc-stats names, and their ids link up.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant, SystemTime};

use common::{Impairment, VP8, video_pair, vp8_frame, vp8_receiver, vp8_sender};
use ortc_codecs::MediaKind;
use ortc_rtcp::NtpTime;
use ortc_rtp_api::session::{Received, ReceiverStats, SenderStats};
use ortc_rtp_api::stats::{
    InboundRtpStreamStats, OutboundRtpStreamStats, RemoteInboundRtpStreamStats, RemoteOutboundRtpStreamStats,
    RtcCodecStats, RtcDtlsTransportState, RtcStats, RtcStatsReport, RtcStatsType, RtpStreamLinks, TransportStats, id,
    timestamp_from_instant,
};
use ortc_rtp_packet::Ssrc;
use serde_json::Value;

const TRANSPORT: &str = "transport-0";

/// Every `…Id` member of every entry names an entry of the report.
fn assert_links_resolve(report: &RtcStatsReport) {
    let json = serde_json::to_value(report).unwrap();
    for (key, entry) in json.as_object().unwrap() {
        for (name, value) in entry.as_object().unwrap() {
            if name.ends_with("Id") {
                let link = value.as_str().unwrap();
                assert!(report.contains(link), "{key}.{name} = {link} names no entry");
            }
        }
    }
}

/// What the run left: both ends' counters, the `(Instant, SystemTime)` reference, t0 and now as timestamps.
struct Run {
    sent: SenderStats,
    recv: ReceiverStats,
    reference: (Instant, SystemTime),
    t0_ms: f64,
    now_ms: f64,
}

/// 90 VP8 frames at 30 fps over a link losing 5 % one way, then 2 s for recovery and reports.
fn run() -> Run {
    let t0 = Instant::now();
    let lossy = Impairment {
        loss: 0.05,
        delay: Duration::from_millis(20),
        ..Impairment::default()
    };
    let (mut pair, tx, rx) = video_pair(t0, true, lossy, Impairment::default());
    // The sessions' NTP clock reads 3_900_000_000 s at t0 (see `common::sessions`): the same wall clock here.
    let wall_t0 = NtpTime(3_900_000_000 << 32).to_system_time();
    // 3_900_000_000 s after 1900 is 1_691_011_200 s after 1970.
    let t0_ms = 1_691_011_200_000.0;
    let reference = (t0, wall_t0);

    for n in 0..90 {
        let frame = vp8_frame(n, n == 0, 3000);
        pair.a
            .sender(tx)
            .unwrap()
            .write_frame(pair.now, VP8, n * 3000, &frame)
            .unwrap();
        for _ in 0..33 {
            pair.advance(Duration::from_millis(1));
            let now = pair.now;
            let mut r = pair.b.receiver(rx).unwrap();
            while let Some(out) = r.poll(now) {
                assert!(matches!(out, Received::Frame(_)));
            }
        }
    }
    pair.advance(Duration::from_secs(2));
    let now_ms = timestamp_from_instant(pair.now, reference);

    let sent = pair.a.sender(tx).unwrap().stats();
    let recv = pair.b.receiver(rx).unwrap().stats();
    assert!(
        pair.a_to_b.lost > 0 && sent.retransmitted_packets_sent > 0,
        "the link lost and RTX repaired"
    );
    Run {
        sent,
        recv,
        reference,
        t0_ms,
        now_ms,
    }
}

fn links() -> RtpStreamLinks<'static> {
    RtpStreamLinks {
        transport_id: TRANSPORT,
        payload_type: Some(VP8),
        mid: Some(common::mid("0")),
    }
}

#[test]
fn the_sending_end_reports_its_counters_and_the_peer_view_linked() {
    let Run { sent, now_ms, .. } = run();
    let codec = &vp8_sender(0xA000, true).codecs[0];
    let a: RtcStatsReport = [
        RtcStats::Transport(TransportStats::new(TRANSPORT, now_ms, RtcDtlsTransportState::Connected)),
        RtcStats::Codec(RtcCodecStats::from_send_codec(now_ms, TRANSPORT, codec)),
        RtcStats::OutboundRtp(OutboundRtpStreamStats::from_sender(
            now_ms,
            &sent,
            MediaKind::Video,
            &links(),
        )),
        RtcStats::RemoteInboundRtp(
            RemoteInboundRtpStreamStats::from_sender(now_ms, &sent, MediaKind::Video, &links())
                .expect("receiver reports arrived"),
        ),
    ]
    .into_iter()
    .collect();
    assert_links_resolve(&a);
    let json = serde_json::to_value(&a).unwrap();
    let outbound = &json[id::outbound_rtp(Ssrc::new(0xA000))];
    assert_eq!(outbound["type"], "outbound-rtp");
    assert_eq!(outbound["kind"], "video");
    assert_eq!(outbound["ssrc"], 0xA000);
    assert_eq!(outbound["rtxSsrc"], 0xA001);
    assert_eq!(outbound["packetsSent"], sent.packets_sent);
    assert_eq!(outbound["bytesSent"], sent.bytes_sent);
    assert_eq!(outbound["headerBytesSent"], sent.header_bytes_sent);
    assert_eq!(outbound["retransmittedPacketsSent"], sent.retransmitted_packets_sent);
    assert_eq!(outbound["framesSent"], 90);
    assert_eq!(outbound["nackCount"], sent.nack_count);
    let remote_inbound = &json[outbound["remoteId"].as_str().unwrap()];
    assert_eq!(remote_inbound["type"], "remote-inbound-rtp");
    assert_eq!(remote_inbound["localId"], outbound["id"]);
    let remote = sent.remote.as_ref().unwrap();
    assert_eq!(remote_inbound["packetsLost"], remote.packets_lost);
    assert_eq!(
        remote_inbound["roundTripTimeMeasurements"],
        remote.round_trip_time_measurements
    );
    let rtt = remote_inbound["roundTripTime"].as_f64().unwrap();
    assert!((0.015..0.05).contains(&rtt), "{rtt} s over a 20 ms one-way link");
}

#[test]
fn the_receiving_end_reports_its_counters_and_the_sender_reports_dated() {
    let Run {
        recv,
        reference,
        t0_ms,
        now_ms,
        ..
    } = run();
    let codec = &vp8_receiver(true).codecs[0];
    let inbound = InboundRtpStreamStats::from_receiver(now_ms, &recv, MediaKind::Video, "track-0", &links(), reference)
        .expect("the SSRC is known");
    let remote_outbound = RemoteOutboundRtpStreamStats::from_receiver(now_ms, &recv, MediaKind::Video, &links())
        .expect("sender reports arrived");
    let b: RtcStatsReport = [
        RtcStats::Transport(TransportStats::new(TRANSPORT, now_ms, RtcDtlsTransportState::Connected)),
        RtcStats::Codec(RtcCodecStats::from_receive_codec(now_ms, TRANSPORT, codec)),
        RtcStats::InboundRtp(inbound),
        RtcStats::RemoteOutboundRtp(remote_outbound),
    ]
    .into_iter()
    .collect();
    assert_links_resolve(&b);
    assert_eq!(b.of_type(RtcStatsType::InboundRtp).count(), 1);
    let json: Value = serde_json::to_value(&b).unwrap();
    let inbound = &json[id::inbound_rtp(Ssrc::new(0xA000))];
    assert_eq!(inbound["trackIdentifier"], "track-0");
    assert_eq!(inbound["packetsReceived"], recv.packets_received);
    assert_eq!(inbound["bytesReceived"], recv.bytes_received);
    assert_eq!(inbound["packetsLost"], recv.packets_lost);
    assert_eq!(
        inbound["retransmittedPacketsReceived"],
        recv.retransmitted_packets_received
    );
    assert_eq!(inbound["framesDecoded"], 90);
    assert_eq!(inbound["codecId"], json[id::codec(TRANSPORT, VP8)]["id"]);
    assert!(inbound.get("audioLevel").is_none());
    // The last packet arrived in the run: its wall-clock date lies between t0 and now.
    let last = inbound["lastPacketReceivedTimestamp"].as_f64().unwrap();
    assert!(t0_ms < last && last <= now_ms, "{t0_ms} < {last} <= {now_ms}");
    let remote_outbound = &json[inbound["remoteId"].as_str().unwrap()];
    assert_eq!(remote_outbound["localId"], inbound["id"]);
    assert_eq!(
        remote_outbound["reportsSent"],
        recv.remote.as_ref().unwrap().reports_sent
    );
    // The peer's sender report is dated by its NTP clock, which runs with ours: within the run too.
    let remote_ts = remote_outbound["remoteTimestamp"].as_f64().unwrap();
    assert!(
        t0_ms < remote_ts && remote_ts <= now_ms,
        "{t0_ms} < {remote_ts} <= {now_ms}"
    );
}
