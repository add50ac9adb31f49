//! Every RTCP datagram of the real captures decodes and re-encodes byte for byte through the builders.

mod common;

use std::collections::BTreeMap;

use common::{is_rtcp, reencode};
use ortc_rtcp::{Compound, RtcpPacket, validate_compound};
use ortc_test_support::pcap;

fn kind(p: &RtcpPacket<'_>) -> &'static str {
    match p {
        RtcpPacket::SenderReport(_) => "SR",
        RtcpPacket::ReceiverReport(_) => "RR",
        RtcpPacket::Sdes(_) => "SDES",
        RtcpPacket::Bye(_) => "BYE",
        RtcpPacket::Nack(_) => "NACK",
        RtcpPacket::Remb(_) => "REMB",
        RtcpPacket::TransportFeedback(_) => "TWCC",
        RtcpPacket::Pli(_) => "PLI",
        _ => "other",
    }
}

/// Decodes and re-encodes every RTCP datagram; returns counts of datagram shapes ("SR+SDES", "RR", ...).
fn check(path: &str) -> BTreeMap<String, usize> {
    let file = std::fs::read(format!("{}/../../fixtures/{path}", env!("CARGO_MANIFEST_DIR"))).expect("fixture");
    let mut shapes = BTreeMap::new();
    for d in pcap::udp_datagrams(&file)
        .expect("pcap")
        .iter()
        .map(|d| d.payload)
        .filter(|d| is_rtcp(d))
    {
        let mut rebuilt = Vec::new();
        let mut names = Vec::new();
        for p in Compound::new(d) {
            let p = p.unwrap_or_else(|e| panic!("{path}: {e} in {d:02x?}"));
            names.push(kind(&p));
            rebuilt.extend_from_slice(&reencode(&p));
        }
        assert_eq!(rebuilt, d, "{path}: re-encoding {names:?}");
        // Full compound packets (SR+SDES) follow RFC 3550; the rest are reduced-size.
        if names.contains(&"SDES") {
            validate_compound(d).expect("test input");
        }
        *shapes.entry(names.join("+")).or_default() += 1;
    }
    shapes
}

#[test]
fn aiortc_capture() {
    let shapes = check("aiortc/plain.pcap");
    let expect: BTreeMap<String, usize> = [("SR+SDES", 11), ("RR", 11), ("BYE", 2)]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    assert_eq!(shapes, expect);
}

#[test]
fn chromium_capture() {
    let shapes = check("chromium/plain.pcap");
    let expect: BTreeMap<String, usize> = [("SR+SDES", 5), ("RR", 15), ("NACK", 3), ("REMB", 2)]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    assert_eq!(shapes, expect);
}
