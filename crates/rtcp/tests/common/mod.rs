//! Shared by the integration tests: re-encoding a decoded packet through its builder, and RTCP demultiplexing.
#![allow(dead_code, unreachable_pub)]

use ortc_rtcp::{
    AppBuilder, ByeBuilder, DlrrItem, ExtendedReportBuilder, FeedbackBuilder, FirBuilder, NackBuilder, PacketStatus,
    PliBuilder, ReceiverReportBuilder, RembBuilder, RtcpPacket, SdesBuilder, SdesChunkBuilder, SdesItem,
    SenderReportBuilder, TransportFeedbackBuilder, WriteRtcp, XrBlock, XrBlockBuilder, dlrr_items,
};

/// Writes `w` into a fresh vector of exactly its encoded length.
pub fn write_vec(w: &dyn WriteRtcp) -> Vec<u8> {
    let mut out = vec![0u8; w.encoded_len()];
    let n = w.write(&mut out).expect("write");
    assert_eq!(n, out.len(), "encoded_len matches write");
    out
}

#[allow(clippy::too_many_lines)] // one arm per packet type
/// Rebuilds a decoded packet from its typed fields with the matching builder and writes it.
pub fn reencode(p: &RtcpPacket<'_>) -> Vec<u8> {
    match p {
        RtcpPacket::SenderReport(sr) => {
            let blocks: Vec<_> = sr.report_blocks().collect();
            write_vec(&SenderReportBuilder {
                sender_ssrc: sr.sender_ssrc(),
                sender_info: sr.sender_info(),
                report_blocks: &blocks,
                profile_extension: sr.profile_extension(),
            })
        }
        RtcpPacket::ReceiverReport(rr) => {
            let blocks: Vec<_> = rr.report_blocks().collect();
            write_vec(&ReceiverReportBuilder {
                sender_ssrc: rr.sender_ssrc(),
                report_blocks: &blocks,
                profile_extension: rr.profile_extension(),
            })
        }
        RtcpPacket::Sdes(s) => {
            let items: Vec<(u32, Vec<SdesItem<'_>>)> = s.chunks().map(|c| (c.ssrc, c.items().collect())).collect();
            let chunks: Vec<_> = items
                .iter()
                .map(|(ssrc, items)| SdesChunkBuilder { ssrc: *ssrc, items })
                .collect();
            write_vec(&SdesBuilder { chunks: &chunks })
        }
        RtcpPacket::Bye(b) => {
            let sources: Vec<_> = b.sources().collect();
            write_vec(&ByeBuilder {
                sources: &sources,
                reason: b.reason(),
            })
        }
        RtcpPacket::App(a) => write_vec(&AppBuilder {
            subtype: a.subtype(),
            sender_ssrc: a.sender_ssrc(),
            name: a.name(),
            data: a.data(),
        }),
        RtcpPacket::Nack(n) => {
            let items: Vec<_> = n.items().collect();
            write_vec(&NackBuilder {
                sender_ssrc: n.sender_ssrc(),
                media_ssrc: n.media_ssrc(),
                items: &items,
            })
        }
        RtcpPacket::TransportFeedback(t) => {
            let chunks: Vec<_> = t.chunks().collect();
            let deltas: Vec<_> = t
                .packets()
                .filter(|p| p.status != PacketStatus::NotReceived)
                .map(|p| p.delta_ticks)
                .collect();
            write_vec(&TransportFeedbackBuilder {
                sender_ssrc: t.sender_ssrc(),
                media_ssrc: t.media_ssrc(),
                base_sequence: t.base_sequence(),
                status_count: t.status_count(),
                reference_time: t.reference_time(),
                feedback_count: t.feedback_count(),
                chunks: &chunks,
                deltas: &deltas,
            })
        }
        RtcpPacket::Pli(p) => write_vec(&PliBuilder {
            sender_ssrc: p.sender_ssrc(),
            media_ssrc: p.media_ssrc(),
        }),
        RtcpPacket::Fir(f) => {
            let entries: Vec<_> = f.entries().collect();
            write_vec(&FirBuilder {
                sender_ssrc: f.sender_ssrc(),
                media_ssrc: f.media_ssrc(),
                entries: &entries,
            })
        }
        RtcpPacket::Remb(r) => {
            let ssrcs: Vec<_> = r.media_ssrcs().collect();
            write_vec(&RembBuilder {
                sender_ssrc: r.sender_ssrc(),
                bitrate: r.bitrate(),
                media_ssrcs: &ssrcs,
            })
        }
        RtcpPacket::ExtendedReport(x) => {
            let dlrr: Vec<Vec<DlrrItem>> = x
                .blocks()
                .map(|b| match b {
                    XrBlock::Dlrr(d) => dlrr_items(d).collect(),
                    _ => Vec::new(),
                })
                .collect();
            let blocks: Vec<_> = x
                .blocks()
                .zip(&dlrr)
                .map(|(b, d)| match b {
                    XrBlock::ReceiverReferenceTime(t) => XrBlockBuilder::ReceiverReferenceTime(t),
                    XrBlock::Dlrr(_) => XrBlockBuilder::Dlrr(d),
                    XrBlock::Other {
                        block_type,
                        type_specific,
                        data,
                    } => XrBlockBuilder::Other {
                        block_type,
                        type_specific,
                        data,
                    },
                })
                .collect();
            write_vec(&ExtendedReportBuilder {
                sender_ssrc: x.sender_ssrc(),
                blocks: &blocks,
            })
        }
        RtcpPacket::OtherFeedback(f) => write_vec(&FeedbackBuilder {
            packet_type: f.packet_type(),
            fmt: f.fmt(),
            sender_ssrc: f.sender_ssrc(),
            media_ssrc: f.media_ssrc(),
            fci: f.fci(),
        }),
        RtcpPacket::Unknown(r) => r.as_bytes().to_vec(),
        other => panic!("no re-encoder for {other:?}"),
    }
}

/// True for an RTCP datagram under RFC 5761 muxing (packet type 192..=223).
pub fn is_rtcp(d: &[u8]) -> bool {
    d.len() >= 2 && (192..=223).contains(&d[1])
}
