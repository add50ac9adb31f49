//! Parsing, reading extensions, writing and RTX wrapping allocate nothing per packet.
#![allow(clippy::unwrap_used, clippy::many_single_char_names)]

use bytes::{Bytes, BytesMut};
use ortc_rtp_packet::ext::Mid;
use ortc_rtp_packet::{
    AbsSendTime, ExtensionKind, ExtensionMap, ExtensionValues, RtpHeader, RtpPacket, RtpPacketBuilder, RtxExtensions,
    SequenceUnwrapper, TransportSequenceNumber, rtx_unwrap, rtx_wrap,
};

use ortc_test_support::{CountingAllocator, allocations_during};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

fn map() -> ExtensionMap {
    let mut m = ExtensionMap::new();
    m.insert(1, ExtensionKind::Mid).unwrap();
    m.insert(3, ExtensionKind::AbsSendTime).unwrap();
    m.insert(5, ExtensionKind::TransportSequenceNumber).unwrap();
    m
}

#[test]
fn counter_sees_allocations() {
    // The harness itself must be able to fail.
    assert!(allocations_during(|| drop(std::hint::black_box(vec![1u8; 10]))) >= 1);
}

#[test]
fn per_packet_paths_do_not_allocate() {
    let map = map();
    let payload = [0xAB; 1200];
    let header = RtpPacketBuilder::new(96, 0x1234)
        .extension(&map, &Mid("1"))
        .unwrap()
        .extension(&map, &AbsSendTime(77))
        .unwrap()
        .into_header();
    let mut out = BytesMut::with_capacity(64 * 1500);
    let mut rtx = [0u8; 1500];
    let mut back = [0u8; 1500];
    let mut unwrap = SequenceUnwrapper::new();
    let received = {
        let mut b = BytesMut::with_capacity(1500);
        let mut h = header.clone();
        h.set_extension(&map, &TransportSequenceNumber(0)).unwrap();
        h.write_to_bytes(&payload, &mut b).unwrap();
        b.freeze()
    };
    // Warm up (Bytes::clone of a Vec-backed buffer may promote it once).
    let _ = received.clone();

    let n = allocations_during(|| {
        for seq in 0..50u16 {
            // Send path: a header per packet, written into spare capacity.
            let mut h: RtpHeader = header.clone();
            h.sequence_number = seq;
            h.set_extension(&map, &TransportSequenceNumber(seq)).unwrap();
            h.write_to_bytes(&payload, &mut out).unwrap();

            // Receive path: zero-copy parse from Bytes and typed extension reads.
            let p = RtpPacket::parse(received.clone()).unwrap();
            assert_eq!(p.get::<Mid<'_>>(&map), Some(Mid("1")));
            assert_eq!(p.get::<AbsSendTime>(&map), Some(AbsSendTime(77)));
            let v = ExtensionValues::decode(&p, &map);
            assert!(v.mid.is_some());
            let shared: Bytes = p.payload_bytes();
            assert_eq!(shared.len(), 1200);
            unwrap.unwrap(p.sequence_number().wrapping_add(seq));

            // Retransmission path.
            let rewrite = RtxExtensions::new(&map).transport_sequence_number(seq.wrapping_add(1000));
            let k = rtx_wrap(&p, 97, 0x5678, seq, &rewrite, &mut rtx).unwrap();
            let r = RtpPacket::parse(&rtx[..k]).unwrap();
            rtx_unwrap(&r, 96, 0x1234, &mut back).unwrap();
        }
    });
    assert_eq!(n, 0, "{n} allocations in 50 packets");
    assert_eq!(out.len(), 50 * header.packet_len(1200) + 50 * 4); // + transport-cc element, padded
}
