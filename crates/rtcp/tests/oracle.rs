//! Oracle: webrtc-rs `rtcp` 0.17.2 and this crate decode each other's compound packets identically.

use bytes::Bytes;
use ortc_rtcp::{
    ByeBuilder, Compound, CompoundWriter, FirBuilder, FirEntry, NackBuilder, NackItem, NtpTime, PliBuilder,
    ReceiverReportBuilder, RembBitrate, RembBuilder, ReportBlock, RtcpPacket, SdesBuilder, SdesChunkBuilder, SdesItem,
    SdesType, SenderInfo, SenderReportBuilder, TwccEncoder, WriteRtcp,
};
use webrtc_rtcp::goodbye::Goodbye;
use webrtc_rtcp::packet::{Packet, marshal, unmarshal};
use webrtc_rtcp::payload_feedbacks::full_intra_request::{FirEntry as WFirEntry, FullIntraRequest};
use webrtc_rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use webrtc_rtcp::payload_feedbacks::receiver_estimated_maximum_bitrate::ReceiverEstimatedMaximumBitrate;
use webrtc_rtcp::receiver_report::ReceiverReport as WRr;
use webrtc_rtcp::reception_report::ReceptionReport;
use webrtc_rtcp::sender_report::SenderReport as WSr;
use webrtc_rtcp::source_description::{
    SdesType as WSdesType, SourceDescription, SourceDescriptionChunk, SourceDescriptionItem,
};
use webrtc_rtcp::transport_feedbacks::transport_layer_cc::TransportLayerCc;
use webrtc_rtcp::transport_feedbacks::transport_layer_nack::{NackPair, TransportLayerNack};

const BLOCKS: [ReportBlock; 2] = [
    ReportBlock {
        ssrc: 0xB0B,
        fraction_lost: 12,
        cumulative_lost: 300,
        extended_highest_sequence: 0x0002_1234,
        jitter: 77,
        last_sr: 0xABCD_0123,
        delay_since_last_sr: 0x0001_8000,
    },
    ReportBlock {
        ssrc: 0xCAFE,
        fraction_lost: 0,
        cumulative_lost: 0,
        extended_highest_sequence: 5,
        jitter: 0,
        last_sr: 0,
        delay_since_last_sr: 0,
    },
];

fn w_report(b: &ReportBlock) -> ReceptionReport {
    ReceptionReport {
        ssrc: b.ssrc,
        fraction_lost: b.fraction_lost,
        total_lost: b.cumulative_lost.cast_unsigned() & 0xFF_FFFF,
        last_sequence_number: b.extended_highest_sequence,
        jitter: b.jitter,
        last_sender_report: b.last_sr,
        delay: b.delay_since_last_sr,
    }
}

fn ours() -> Vec<u8> {
    let mut buf = vec![0u8; 1500];
    let mut w = CompoundWriter::new(&mut buf);
    w.push(&SenderReportBuilder {
        sender_ssrc: 0xA11CE,
        sender_info: SenderInfo {
            ntp_time: NtpTime(0xE900_0001_8000_0000),
            rtp_time: 96_000,
            packet_count: 50,
            octet_count: 5000,
        },
        report_blocks: &BLOCKS,
        profile_extension: &[],
    })
    .expect("test input");
    let items = [
        SdesItem {
            kind: SdesType::Cname,
            value: b"alice@example",
        },
        SdesItem {
            kind: SdesType::Tool,
            value: b"ortc",
        },
    ];
    w.push(&SdesBuilder {
        chunks: &[SdesChunkBuilder {
            ssrc: 0xA11CE,
            items: &items,
        }],
    })
    .expect("test input");
    w.push(&ReceiverReportBuilder {
        sender_ssrc: 0xA11CE,
        report_blocks: &BLOCKS[..1],
        profile_extension: &[],
    })
    .expect("test input");
    w.push(&NackBuilder {
        sender_ssrc: 0xA11CE,
        media_ssrc: 0xB0B,
        items: &[
            NackItem {
                pid: 65530,
                blp: 0x8001,
            },
            NackItem { pid: 3, blp: 0 },
        ],
    })
    .expect("test input");
    w.push(&PliBuilder {
        sender_ssrc: 0xA11CE,
        media_ssrc: 0xB0B,
    })
    .expect("test input");
    w.push(&FirBuilder {
        sender_ssrc: 0xA11CE,
        media_ssrc: 0,
        entries: &[FirEntry { ssrc: 0xB0B, seq_nr: 9 }],
    })
    .expect("test input");
    w.push(&RembBuilder {
        sender_ssrc: 0xA11CE,
        bitrate: RembBitrate::from_bps(233_888),
        media_ssrcs: &[0xB0B, 0xCAFE],
    })
    .expect("test input");
    w.push(&ByeBuilder {
        sources: &[0xA11CE],
        reason: Some(b"done"),
    })
    .expect("test input");
    let n = w.len();
    buf.truncate(n);
    buf
}

fn theirs() -> Vec<Box<dyn Packet + Send + Sync>> {
    vec![
        Box::new(WSr {
            ssrc: 0xA11CE,
            ntp_time: 0xE900_0001_8000_0000,
            rtp_time: 96_000,
            packet_count: 50,
            octet_count: 5000,
            reports: BLOCKS.iter().map(w_report).collect(),
            profile_extensions: Bytes::new(),
        }),
        Box::new(SourceDescription {
            chunks: vec![SourceDescriptionChunk {
                source: 0xA11CE,
                items: vec![
                    SourceDescriptionItem {
                        sdes_type: WSdesType::SdesCname,
                        text: Bytes::from_static(b"alice@example"),
                    },
                    SourceDescriptionItem {
                        sdes_type: WSdesType::SdesTool,
                        text: Bytes::from_static(b"ortc"),
                    },
                ],
            }],
        }),
        Box::new(WRr {
            ssrc: 0xA11CE,
            reports: vec![w_report(&BLOCKS[0])],
            profile_extensions: Bytes::new(),
        }),
        Box::new(TransportLayerNack {
            sender_ssrc: 0xA11CE,
            media_ssrc: 0xB0B,
            nacks: vec![
                NackPair {
                    packet_id: 65530,
                    lost_packets: 0x8001,
                },
                NackPair {
                    packet_id: 3,
                    lost_packets: 0,
                },
            ],
        }),
        Box::new(PictureLossIndication {
            sender_ssrc: 0xA11CE,
            media_ssrc: 0xB0B,
        }),
        Box::new(FullIntraRequest {
            sender_ssrc: 0xA11CE,
            media_ssrc: 0,
            fir: vec![WFirEntry {
                ssrc: 0xB0B,
                sequence_number: 9,
            }],
        }),
        Box::new(ReceiverEstimatedMaximumBitrate {
            sender_ssrc: 0xA11CE,
            bitrate: 233_888.0,
            ssrcs: vec![0xB0B, 0xCAFE],
        }),
        Box::new(Goodbye {
            sources: vec![0xA11CE],
            reason: Bytes::from_static(b"done"),
        }),
    ]
}

/// Splits a compound datagram into its packets' bytes.
fn split(b: &[u8]) -> Vec<&[u8]> {
    Compound::raw_packets(b)
        .map(|p| p.expect("test input").as_bytes())
        .collect()
}

#[test]
fn same_bytes_both_ways() {
    let theirs_bytes = marshal(&theirs()).expect("test input");
    let ours = ours();
    let (a, b) = (split(&ours), split(&theirs_bytes));
    assert_eq!(a.len(), b.len());
    for (i, (a, b)) in a.iter().zip(&b).enumerate() {
        match i {
            // webrtc-rs writes the count of pad octets into the last null octet of an SDES chunk
            // (RFC 3550 §6.5 asks for null octets); the item structure is the same.
            1 => {
                assert_eq!(a[..a.len() - 1], b[..b.len() - 1]);
                assert_eq!((a[a.len() - 1], b[b.len() - 1]), (0, 2));
            }
            // webrtc-rs pads a BYE reason with the P bit and a count; RFC 3550 §6.6 pads with null octets.
            7 => {
                assert_eq!(a[1..a.len() - 1], b[1..b.len() - 1]);
                assert_eq!((a[0], b[0]), (0x81, 0xA1));
            }
            _ => assert_eq!(a, b, "packet {i}"),
        }
    }
}

#[test]
fn theirs_decode_ours() {
    let decoded = unmarshal(&mut Bytes::from(ours())).expect("test input");
    let expect = theirs();
    assert_eq!(decoded.len(), expect.len());
    for (d, e) in decoded.iter().zip(&expect) {
        assert!(d.equal(e.as_ref()), "webrtc-rs decoded {d:?}, expected {e:?}");
    }
}

#[test]
#[allow(clippy::many_single_char_names)]
fn ours_decode_theirs() {
    let bytes = marshal(&theirs()).expect("test input");
    let packets: Vec<_> = Compound::new(&bytes).collect::<Result<_, _>>().expect("test input");
    assert_eq!(packets.len(), 8);
    let RtcpPacket::SenderReport(sr) = packets[0] else {
        panic!("{:?}", packets[0])
    };
    assert_eq!(sr.sender_ssrc(), 0xA11CE);
    assert_eq!(sr.sender_info().ntp_time, NtpTime(0xE900_0001_8000_0000));
    assert!(sr.report_blocks().eq(BLOCKS));
    let RtcpPacket::Sdes(s) = packets[1] else { panic!() };
    assert_eq!(s.cname(), Some(&b"alice@example"[..]));
    let RtcpPacket::ReceiverReport(rr) = packets[2] else {
        panic!()
    };
    assert!(rr.report_blocks().eq(BLOCKS[..1].iter().copied()));
    let RtcpPacket::Nack(n) = packets[3] else { panic!() };
    assert!(n.lost().eq([65530, 65531, 65530u16.wrapping_add(16), 3]));
    let RtcpPacket::Pli(p) = packets[4] else { panic!() };
    assert_eq!(p.media_ssrc(), 0xB0B);
    let RtcpPacket::Fir(f) = packets[5] else { panic!() };
    assert!(f.entries().eq([FirEntry { ssrc: 0xB0B, seq_nr: 9 }]));
    let RtcpPacket::Remb(r) = packets[6] else { panic!() };
    assert_eq!(r.bitrate_bps(), 233_888);
    assert!(r.media_ssrcs().eq([0xB0B, 0xCAFE]));
    let RtcpPacket::Bye(b) = packets[7] else { panic!() };
    assert_eq!(b.reason(), Some(&b"done"[..]));
}

/// Arrivals with losses, a large delta and a wrap, encoded by [`TwccEncoder`].
fn twcc_ours() -> (Vec<u8>, Vec<(u16, i64)>) {
    let mut arrivals = Vec::new();
    let mut t = 5_000_000i64;
    for i in 0..60u16 {
        let seq = 65_500u16.wrapping_add(i);
        t += match i % 13 {
            0 => 70_000, // large
            _ => 1_000,
        };
        if i % 7 != 3 {
            arrivals.push((seq, t));
        }
    }
    let mut enc = TwccEncoder::new(0xA11CE, 0xB0B, 17);
    for &(s, t) in &arrivals {
        enc.add(s, t).expect("test input");
    }
    let mut out = vec![0u8; enc.encoded_len()];
    enc.write(&mut out).expect("test input");
    (out, arrivals)
}

#[test]
fn twcc_both_ways() {
    let (bytes, arrivals) = twcc_ours();
    // webrtc-rs decodes what we encode: same base, count, and arrival times.
    let decoded = unmarshal(&mut Bytes::from(bytes.clone())).expect("test input");
    let cc = decoded[0]
        .as_any()
        .downcast_ref::<TransportLayerCc>()
        .expect("transport-cc");
    assert_eq!(cc.base_sequence_number, 65_500);
    assert_eq!(
        cc.packet_status_count,
        arrivals.last().expect("test input").0.wrapping_sub(65_500) + 1
    );
    assert_eq!(cc.fb_pkt_count, 17);
    let mut t = i64::from(cc.reference_time) * 64_000;
    let theirs: Vec<i64> = cc
        .recv_deltas
        .iter()
        .map(|d| {
            t += d.delta;
            t
        })
        .collect();
    let expect: Vec<i64> = arrivals.iter().map(|a| a.1).collect();
    assert_eq!(theirs, expect);
    // webrtc-rs re-encodes it; we decode that to the same arrivals, and the bytes match ours.
    let again = marshal(&decoded).expect("test input");
    assert_eq!(again.to_vec(), bytes);
    let Some(Ok(RtcpPacket::TransportFeedback(fb))) = Compound::new(&again).next() else {
        panic!()
    };
    assert!(fb.arrivals().eq(arrivals.iter().copied()));
}
