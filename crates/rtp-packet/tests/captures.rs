//! Real traffic: every RTP packet captured from aiortc and Chromium (`fixtures/`) parses, round-trips
//! byte-exactly through an owned header, agrees with webrtc-rs, and carries sensible extension values.
#![allow(clippy::unwrap_used, clippy::many_single_char_names)]

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use bytes::Bytes;
use ortc_rtp_packet::ext::Mid;
use ortc_rtp_packet::{
    AbsSendTime, AudioLevel, ExtensionKind, ExtensionMap, ExtensionValues, RtpHeader, RtpPacket, SequenceUnwrapper,
    rtx_original_sequence_number, rtx_unwrap,
};
use ortc_test_support::pcap::{self, Datagram};
use webrtc_util::marshal::Unmarshal;

fn fixture(path: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn map_from_sdp(sdp: &str) -> ExtensionMap {
    let mut map = ExtensionMap::new();
    for (id, uri) in pcap::sdp_extmaps(sdp).into_iter().flatten() {
        // Unknown URIs (toffset, video-timing, ...) stay raw.
        let _ = map.insert_uri(id, &uri);
    }
    map
}

fn rtp_of<'a>(datagrams: &'a [Datagram<'a>]) -> Vec<&'a [u8]> {
    datagrams
        .iter()
        .map(|d| d.payload)
        .filter(|p| pcap::is_rtp(p))
        .collect()
}

/// Parse, owned-header round trip, and webrtc-rs agreement for one packet.
fn check_packet(raw: &[u8]) -> RtpPacket<&[u8]> {
    let p = RtpPacket::parse(raw).unwrap_or_else(|e| panic!("{e}: {raw:02x?}"));

    let h = RtpHeader::from_packet(&p).unwrap();
    let mut out = vec![0u8; h.packet_len(p.payload().len())];
    let n = h.write(p.payload(), &mut out).unwrap();
    assert_eq!(&out[..n], raw, "owned-header round trip differs");

    let theirs = webrtc_rtp::packet::Packet::unmarshal(&mut Bytes::copy_from_slice(raw)).unwrap();
    assert_eq!(theirs.header.payload_type, p.payload_type());
    assert_eq!(theirs.header.sequence_number, p.sequence_number());
    assert_eq!(theirs.header.timestamp, p.timestamp());
    assert_eq!(theirs.header.ssrc, p.ssrc());
    assert_eq!(theirs.header.marker, p.marker());
    assert_eq!(theirs.header.csrc, p.csrcs().collect::<Vec<_>>());
    let ours: Vec<_> = p.extensions().map(|e| (e.id, e.data.to_vec())).collect();
    let their_ext: Vec<_> = theirs
        .header
        .extensions
        .iter()
        .map(|e| (e.id, e.payload.to_vec()))
        .collect();
    assert_eq!(ours, their_ext);
    assert_eq!(&theirs.payload[..], p.payload());
    p
}

#[test]
fn aiortc_capture() {
    let file = fixture("aiortc/plain.pcap");
    let datagrams = pcap::udp_datagrams(&file).unwrap();
    let map = map_from_sdp(&String::from_utf8(fixture("aiortc/offer.sdp")).unwrap());
    assert_eq!(map.id_of(ExtensionKind::Mid), Some(1));
    assert_eq!(map.id_of(ExtensionKind::AudioLevel), Some(2));
    assert_eq!(map.id_of(ExtensionKind::AbsSendTime), Some(3));

    let mut by_pt: BTreeMap<u8, usize> = BTreeMap::new();
    for raw in rtp_of(&datagrams) {
        let p = check_packet(raw);
        *by_pt.entry(p.payload_type()).or_default() += 1;
        let v = ExtensionValues::decode(&p, &map);
        assert_eq!(v.malformed, 0);
        match p.payload_type() {
            96 => {
                assert_eq!(v.mid, Some(Mid("0")));
                // aiortc sends silence: level 127 dBov below overload, no voice.
                let level = v.audio_level.expect("audio level on every opus packet");
                assert!(level.level >= 100, "{level:?}");
            }
            97 => {
                assert_eq!(v.mid, Some(Mid("1")));
                assert!(v.abs_send_time.is_some());
            }
            pt => panic!("unexpected payload type {pt}"),
        }
    }
    // Counts documented in fixtures/README.md.
    assert_eq!(by_pt, BTreeMap::from([(96, 295), (97, 178)]));
}

#[test]
fn chromium_capture() {
    let file = fixture("chromium/plain.pcap");
    let datagrams = pcap::udp_datagrams(&file).unwrap();
    let map = map_from_sdp(&String::from_utf8(fixture("chromium/answer.sdp")).unwrap());
    assert_eq!(map.id_of(ExtensionKind::TransportSequenceNumber), Some(3));
    let (opus_ssrc, vp8_ssrc, rtx_ssrc) = (248_628_096, 863_522_092, 2_219_387_384);

    let mut by_pt: BTreeMap<u8, usize> = BTreeMap::new();
    let mut twcc = SequenceUnwrapper::new();
    let mut last_twcc = None;
    let mut twcc_gaps = 0;
    let mut last_send_time: Option<AbsSendTime> = None;
    let mut vp8_payloads: HashMap<u16, Vec<u8>> = HashMap::new();
    let mut rtx_checked = 0;
    for raw in rtp_of(&datagrams) {
        let p = check_packet(raw);
        *by_pt.entry(p.payload_type()).or_default() += 1;
        let v = ExtensionValues::decode(&p, &map);
        assert_eq!(v.malformed, 0, "{p:?}");

        // Transport-wide sequence numbers count every packet Chromium sends (audio, video, RTX):
        // strictly increasing here, with gaps only where packets were dropped.
        let seq = twcc.unwrap(v.transport_seq.expect("transport-cc on every packet").0);
        if let Some(last) = last_twcc {
            assert!(seq > last, "transport seq went back: {last} -> {seq}");
            twcc_gaps += seq - last - 1;
        }
        last_twcc = Some(seq);
        // abs-send-time never goes backwards by more than scheduling noise (it wraps at 64 s).
        let ast = v.abs_send_time.expect("abs-send-time on every packet");
        if let Some(prev) = last_send_time {
            let forward = ast.0.wrapping_sub(prev.0) & 0x00FF_FFFF;
            assert!(forward < (1 << 23), "abs-send-time went back: {prev:?} -> {ast:?}");
        }
        last_send_time = Some(ast);

        match p.payload_type() {
            111 => {
                assert_eq!(p.ssrc(), opus_ssrc);
                let level: AudioLevel = p.get(&map).expect("audio level on every opus packet");
                assert!(level.level <= 127);
                if let Some(mid) = v.mid {
                    assert_eq!(mid, Mid("0"));
                }
            }
            96 => {
                assert_eq!(p.ssrc(), vp8_ssrc);
                if let Some(mid) = v.mid {
                    assert_eq!(mid, Mid("1"));
                }
                vp8_payloads.insert(p.sequence_number(), p.payload().to_vec());
            }
            97 => {
                assert_eq!(p.ssrc(), rtx_ssrc);
                if p.payload().is_empty() {
                    assert!(rtx_original_sequence_number(&p).is_err());
                    continue;
                }
                let osn = rtx_original_sequence_number(&p).unwrap();
                let mut orig = vec![0u8; raw.len()];
                let n = rtx_unwrap(&p, 96, vp8_ssrc, &mut orig).unwrap();
                let o = RtpPacket::parse(&orig[..n]).unwrap();
                assert_eq!((o.payload_type(), o.ssrc(), o.sequence_number()), (96, vp8_ssrc, osn));
                // A retransmission carries exactly the payload of the packet it repairs, when we saw it.
                if let Some(seen) = vp8_payloads.get(&osn) {
                    assert_eq!(o.payload(), &seen[..], "RTX payload differs from original seq {osn}");
                    rtx_checked += 1;
                } else {
                    // The capture dropped every 40th VP8 packet: those are what NACK asked for.
                    assert!([26838, 26878, 26918].contains(&osn), "RTX of unknown seq {osn}");
                }
            }
            pt => panic!("unexpected payload type {pt}"),
        }
    }
    assert_eq!(by_pt, BTreeMap::from([(96, 130), (97, 10), (111, 200)]));
    assert!(rtx_checked >= 3, "bandwidth probes re-send seen packets: {rtx_checked}");
    // Three VP8 packets were dropped before decryption; nothing else is missing.
    assert_eq!(twcc_gaps, 3);
}

#[test]
fn wire_capture_headers_match_plaintext() {
    // SRTP leaves the RTP header in the clear: the on-the-wire capture parses too, and its headers match
    // the plaintext capture's by SSRC and sequence number.
    let wire = fixture("aiortc/wire.pcap");
    let plain = fixture("aiortc/plain.pcap");
    let plain_dg = pcap::udp_datagrams(&plain).unwrap();
    let headers: HashMap<(u32, u16), (u8, u32, Vec<u8>)> = rtp_of(&plain_dg)
        .into_iter()
        .map(|raw| {
            let p = RtpPacket::parse(raw).unwrap();
            let ext = p.extension_data().unwrap_or_default().to_vec();
            ((p.ssrc(), p.sequence_number()), (p.payload_type(), p.timestamp(), ext))
        })
        .collect();
    let wire_dg = pcap::udp_datagrams(&wire).unwrap();
    let mut matched = 0;
    for raw in rtp_of(&wire_dg) {
        let p = RtpPacket::parse(raw).unwrap();
        let (pt, ts, ext) = &headers[&(p.ssrc(), p.sequence_number())];
        assert_eq!((p.payload_type(), p.timestamp()), (*pt, *ts));
        assert_eq!(p.extension_data().unwrap_or_default(), &ext[..]);
        matched += 1;
    }
    assert_eq!(matched, 473);
}
