//! Iterating over a compound packet and reading every field allocates nothing.

use ortc_rtcp::{Compound, PacketStatus, RtcpPacket, XrBlock};
use ortc_test_support::{CountingAllocator, allocations_during};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Touches every field of every packet; returns a checksum so nothing is optimized away.
fn walk(datagram: &[u8]) -> u64 {
    let mut sum = 0u64;
    for p in Compound::new(datagram) {
        let Ok(p) = p else {
            sum += 1;
            continue;
        };
        sum += match p {
            RtcpPacket::SenderReport(sr) => {
                u64::from(sr.sender_ssrc())
                    + sr.sender_info().ntp_time.0
                    + sr.report_blocks()
                        .map(|b| u64::from(b.jitter) + u64::from(b.last_sr))
                        .sum::<u64>()
            }
            RtcpPacket::ReceiverReport(rr) => rr.report_blocks().map(|b| u64::from(b.ssrc)).sum(),
            RtcpPacket::Sdes(s) => s
                .chunks()
                .flat_map(|c| c.items())
                .map(|i| i.value.len() as u64)
                .sum::<u64>(),
            RtcpPacket::Bye(b) => b.sources().map(u64::from).sum::<u64>() + b.reason().map_or(0, |r| r.len() as u64),
            RtcpPacket::Nack(n) => n.lost().map(u64::from).sum(),
            RtcpPacket::TransportFeedback(t) => t
                .packets()
                .filter(|p| p.status != PacketStatus::NotReceived)
                .map(|p| u64::from(p.delta_ticks.unsigned_abs()))
                .sum(),
            RtcpPacket::Remb(r) => r.bitrate_bps() + r.media_ssrcs().count() as u64,
            RtcpPacket::Fir(f) => f.entries().map(|e| u64::from(e.seq_nr)).sum(),
            RtcpPacket::Pli(p) => p.media_ssrc().into(),
            RtcpPacket::ExtendedReport(x) => x
                .blocks()
                .map(|b| match b {
                    XrBlock::ReceiverReferenceTime(t) => t.0,
                    XrBlock::Dlrr(d) => ortc_rtcp::dlrr_items(d).map(|i| u64::from(i.last_rr)).sum(),
                    XrBlock::Other { data, .. } => data.len() as u64,
                })
                .sum(),
            other => other.raw().as_bytes().len() as u64,
        };
    }
    sum
}

#[test]
fn iterating_allocates_nothing() {
    // A compound packet with most types, built (allocating) before counting starts.
    let mut enc = ortc_rtcp::TwccEncoder::new(1, 2, 0);
    for i in 0..40u16 {
        if i % 5 != 0 {
            enc.add(i, i64::from(i) * 3000).unwrap();
        }
    }
    let mut buf = vec![0u8; 1500];
    let mut w = ortc_rtcp::CompoundWriter::new(&mut buf);
    let blocks = [ortc_rtcp::ReportBlock::default(); 3];
    w.push(&ortc_rtcp::SenderReportBuilder {
        sender_ssrc: 1,
        report_blocks: &blocks,
        ..Default::default()
    })
    .unwrap();
    w.push(&ortc_rtcp::SdesCname {
        ssrc: 1,
        cname: "someone",
    })
    .unwrap();
    w.push(&ortc_rtcp::NackBuilder {
        sender_ssrc: 1,
        media_ssrc: 2,
        items: &[ortc_rtcp::NackItem { pid: 5, blp: 0xFF }],
    })
    .unwrap();
    w.push(&ortc_rtcp::RembBuilder {
        sender_ssrc: 1,
        bitrate: ortc_rtcp::RembBitrate::from_bps(1_000_000),
        media_ssrcs: &[2, 3],
    })
    .unwrap();
    w.push(&ortc_rtcp::ByeBuilder {
        sources: &[1],
        reason: Some(b"bye"),
    })
    .unwrap();
    // Transport-wide CC feedback is padded (P bit), so it goes last.
    w.push(&enc).unwrap();
    let n = w.len();
    let datagram = &buf[..n];
    let lost = [9u16, 3, 65535, 4, 0];

    let (mut sum, mut items) = (0, 0);
    let allocations = allocations_during(|| {
        sum = walk(datagram);
        items = ortc_rtcp::nack_items(&lost).count();
    });

    assert!(sum > 0);
    assert_eq!(items, 1, "65535 covers 0, 3, 4 and 9");
    assert_eq!(allocations, 0, "allocations while iterating");
    assert!(
        allocations_during(|| drop(std::hint::black_box(vec![1u8; 10]))) > 0,
        "the counter counts"
    );
}
