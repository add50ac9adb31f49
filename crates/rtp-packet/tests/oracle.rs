//! Property tests: our writer and parser agree with themselves and with webrtc-rs `rtp`, both ways.
#![allow(clippy::unwrap_used, clippy::many_single_char_names)]

use bytes::{Bytes, BytesMut};
use ortc_rtp_packet::{ExtensionForm, RtpHeader, RtpPacket, RtpPacketBuilder};
use proptest::prelude::*;
use webrtc_util::marshal::{Marshal, Unmarshal};

/// Distinct extension ids with values that fit the form.
fn extensions(two_byte: bool) -> impl Strategy<Value = Vec<(u8, Vec<u8>)>> {
    let (ids, lens) = if two_byte {
        (1u8..=255, 0usize..=24)
    } else {
        (1u8..=14, 1usize..=16)
    };
    prop::collection::btree_map(ids, prop::collection::vec(any::<u8>(), lens), 0..6)
        .prop_map(|m| m.into_iter().collect())
}

#[derive(Debug, Clone)]
struct Spec {
    marker: bool,
    pt: u8,
    seq: u16,
    ts: u32,
    ssrc: u32,
    csrcs: Vec<u32>,
    two_byte: bool,
    exts: Vec<(u8, Vec<u8>)>,
    payload: Vec<u8>,
    padding: u8,
}

fn spec() -> impl Strategy<Value = Spec> {
    any::<bool>().prop_flat_map(|two_byte| {
        (
            (any::<bool>(), 0u8..=127, any::<u16>(), any::<u32>(), any::<u32>()),
            prop::collection::vec(any::<u32>(), 0..=15),
            extensions(two_byte),
            prop::collection::vec(any::<u8>(), 0..300),
            prop_oneof![Just(0u8), 1u8..=255],
        )
            .prop_map(
                move |((marker, pt, seq, ts, ssrc), csrcs, exts, payload, padding)| Spec {
                    marker,
                    pt,
                    seq,
                    ts,
                    ssrc,
                    csrcs,
                    two_byte,
                    exts,
                    payload,
                    padding,
                },
            )
    })
}

fn build(s: &Spec) -> RtpHeader {
    let mut b = RtpPacketBuilder::new(s.pt, s.ssrc)
        .marker(s.marker)
        .sequence_number(s.seq)
        .timestamp(s.ts)
        .padding(s.padding);
    for &c in &s.csrcs {
        b = b.csrc(c).unwrap();
    }
    for (id, v) in &s.exts {
        b = b.raw_extension(*id, v).unwrap();
    }
    let mut h = b.into_header();
    // A parsed header remembers the form it was received in; say it explicitly so both compare equal.
    if !s.exts.is_empty() {
        let form = if s.two_byte {
            ExtensionForm::TwoByte { appbits: 0 }
        } else {
            ExtensionForm::OneByte
        };
        h.extensions.set_form(Some(form));
    }
    h
}

fn assert_matches_spec(p: &RtpPacket<&[u8]>, s: &Spec) {
    assert_eq!(p.marker(), s.marker);
    assert_eq!(p.payload_type(), s.pt);
    assert_eq!(p.sequence_number(), s.seq);
    assert_eq!(p.timestamp(), s.ts);
    assert_eq!(p.ssrc(), s.ssrc);
    assert_eq!(p.csrcs().collect::<Vec<_>>(), s.csrcs);
    let exts: Vec<_> = p.extensions().map(|e| (e.id, e.data.to_vec())).collect();
    assert_eq!(exts, s.exts);
    assert_eq!(p.payload(), &s.payload[..]);
    assert_eq!(p.padding_len(), s.padding);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    /// parse(write(x)) == x, and write(parse(bytes)) == bytes.
    #[test]
    fn write_then_parse(s in spec()) {
        let h = build(&s);
        let mut out = BytesMut::new();
        let n = h.write_to_bytes(&s.payload, &mut out).unwrap();
        prop_assert_eq!(n, out.len());
        let p = RtpPacket::parse(&out[..]).unwrap();
        assert_matches_spec(&p, &s);
        let again = RtpHeader::from_packet(&p).unwrap();
        prop_assert_eq!(&again, &h);
        let mut out2 = vec![0u8; n];
        again.write(p.payload(), &mut out2).unwrap();
        prop_assert_eq!(&out2[..], &out[..]);
    }

    /// What we write, webrtc-rs reads the same way.
    #[test]
    fn ours_to_webrtc_rs(s in spec()) {
        let mut out = BytesMut::new();
        build(&s).write_to_bytes(&s.payload, &mut out).unwrap();
        let theirs = webrtc_rtp::packet::Packet::unmarshal(&mut out.clone().freeze()).unwrap();
        prop_assert_eq!(theirs.header.marker, s.marker);
        prop_assert_eq!(theirs.header.payload_type, s.pt);
        prop_assert_eq!(theirs.header.sequence_number, s.seq);
        prop_assert_eq!(theirs.header.timestamp, s.ts);
        prop_assert_eq!(theirs.header.ssrc, s.ssrc);
        prop_assert_eq!(&theirs.header.csrc, &s.csrcs);
        prop_assert_eq!(theirs.header.padding, s.padding > 0);
        let exts: Vec<_> = theirs.header.extensions.iter().map(|e| (e.id, e.payload.to_vec())).collect();
        prop_assert_eq!(exts, s.exts.clone());
        prop_assert_eq!(&theirs.payload[..], &s.payload[..]);
    }

    /// What webrtc-rs writes, we read the same way.
    #[test]
    fn webrtc_rs_to_ours(s in spec()) {
        let profile = if s.exts.is_empty() { 0 } else if s.two_byte { 0x1000 } else { 0xBEDE };
        let header = webrtc_rtp::header::Header {
            version: 2,
            padding: false,
            extension: !s.exts.is_empty(),
            marker: s.marker,
            payload_type: s.pt,
            sequence_number: s.seq,
            timestamp: s.ts,
            ssrc: s.ssrc,
            csrc: s.csrcs.clone(),
            extension_profile: profile,
            extensions: s
                .exts
                .iter()
                .map(|(id, v)| webrtc_rtp::header::Extension { id: *id, payload: Bytes::from(v.clone()) })
                .collect(),
            extensions_padding: 0,
        };
        let raw = webrtc_rtp::packet::Packet { header, payload: Bytes::from(s.payload.clone()) }.marshal().unwrap();
        let p = RtpPacket::parse(&raw[..]).unwrap();
        assert_matches_spec(&p, &Spec { padding: 0, ..s.clone() });
    }

    /// Arbitrary bytes never panic the parser, and whatever parses is internally consistent.
    #[test]
    fn arbitrary_bytes(data in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(p) = RtpPacket::parse(&data[..]) {
            prop_assert!(p.header_len() + p.payload().len() + p.padding_len() as usize == data.len());
            prop_assert!(p.extensions().count() <= data.len());
        }
    }

    /// Mostly-valid packets with a mutated byte: never a panic, and a parse that succeeds re-serializes.
    #[test]
    fn mutated_packets(s in spec(), pos in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut out = BytesMut::new();
        build(&s).write_to_bytes(&s.payload, &mut out).unwrap();
        let i = pos.index(out.len());
        out[i] = byte;
        if let Ok(p) = RtpPacket::parse(&out[..]) {
            // The direct element index agrees with walking the block.
            for id in 0..=255u8 {
                prop_assert_eq!(p.extension(id), p.extensions().find_id(id));
            }
            let h = RtpHeader::from_packet(&p).unwrap();
            let mut again = vec![0u8; h.packet_len(p.payload().len())];
            let n = h.write(p.payload(), &mut again).unwrap();
            let q = RtpPacket::parse(&again[..n]).unwrap();
            prop_assert_eq!(q.payload(), p.payload());
            prop_assert_eq!(RtpHeader::from_packet(&q).unwrap(), h);
        }
    }
}
