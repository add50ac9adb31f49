//! Real traffic through the jitter buffer: Chromium's VP9 with two spatial layers
//! (`fixtures/chromium-vp9-svc`), where pictures whose upper layer was dropped after the base went out
//! carry no marker, and Chromium's VP8 (`fixtures/chromium`). Packets arrive as captured, with the RTX
//! repairs of the dropped ones at their capture time.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use bytes::Bytes;
use ortc_codecs::FrameBoundary;
use ortc_codecs::vp8::Vp8Depayloader;
use ortc_codecs::vp9::Vp9Depayloader;
use ortc_jitter::{Config, JitterBuffer, PacketInfo};
use ortc_rtp_packet::RtpPacket;
use ortc_test_support::pcap;

/// (capture time, packet info, payload) of the media packets with `pt`, and of the RTX packets with `rtx_pt`
/// unwrapped to their original sequence number.
fn arrivals(path: &str, pt: u8, rtx_pt: u8) -> Vec<(Duration, PacketInfo, Bytes)> {
    let file = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures")
            .join(path),
    )
    .unwrap();
    let mut media_ssrc = None;
    let mut out = Vec::new();
    for d in pcap::udp_datagrams(&file).unwrap() {
        if !pcap::is_rtp(d.payload) {
            continue;
        }
        let p = RtpPacket::parse(d.payload).unwrap();
        let (seq, payload) = if p.payload_type() == pt {
            media_ssrc = Some(p.ssrc());
            (p.sequence_number(), p.payload())
        } else if p.payload_type() == rtx_pt && p.payload().len() > 2 {
            let osn = u16::from_be_bytes([p.payload()[0], p.payload()[1]]);
            (osn, &p.payload()[2..])
        } else {
            continue;
        };
        let info = PacketInfo {
            ssrc: media_ssrc.unwrap(),
            sequence_number: seq,
            timestamp: p.timestamp(),
            marker: p.marker(),
        };
        out.push((d.time, info, Bytes::copy_from_slice(payload)));
    }
    out
}

/// Runs the arrivals through a video jitter buffer; returns the released frames' timestamps and the
/// number of frames dropped.
fn run<F: FrameBoundary>(arrivals: &[(Duration, PacketInfo, Bytes)], boundary: F) -> (Vec<u32>, u64) {
    let mut jb = JitterBuffer::new(Config::video(), boundary);
    let t0 = Instant::now();
    let first = arrivals[0].0;
    let mut released = Vec::new();
    for (time, info, payload) in arrivals {
        let now = t0 + time.saturating_sub(first);
        jb.insert_parts(now, *info, payload.clone());
        while let Some(f) = jb.poll_frame(now) {
            released.push(f.timestamp);
        }
    }
    // let anything still held out
    let end = t0 + arrivals.last().unwrap().0.saturating_sub(first) + Duration::from_secs(2);
    while let Some(f) = jb.poll_frame(end) {
        released.push(f.timestamp);
    }
    (released, jb.stats().frames_dropped)
}

#[test]
fn chromium_vp9_svc_pictures_without_a_marker_are_released() {
    let arrivals = arrivals("chromium-vp9-svc/plain.pcap", 98, 99);
    let timestamps: BTreeSet<u32> = arrivals.iter().map(|a| a.1.timestamp).collect();
    let (released, dropped) = run(&arrivals, Vp9Depayloader::new());
    assert_eq!(dropped, 0);
    // every picture; the last one only if it has its marker (a base-only picture ends when the next
    // timestamp starts, and nothing follows the last)
    let last = *timestamps.last().unwrap();
    let last_complete = arrivals.iter().any(|a| a.1.timestamp == last && a.1.marker);
    assert_eq!(released.len(), timestamps.len() - usize::from(!last_complete));
    assert!(released.windows(2).all(|w| w[0] < w[1]), "in timestamp order");
}

#[test]
fn chromium_vp8_frames_are_released() {
    let arrivals = arrivals("chromium/plain.pcap", 96, 97);
    let timestamps: BTreeSet<u32> = arrivals.iter().map(|a| a.1.timestamp).collect();
    let (released, dropped) = run(&arrivals, Vp8Depayloader::new());
    assert_eq!(dropped, 0);
    assert_eq!(released.len(), timestamps.len());
}
