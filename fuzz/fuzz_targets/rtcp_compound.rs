//! Parses arbitrary bytes as a compound RTCP datagram; every typed view must be readable without panics,
//! and whatever parses must survive being rebuilt through the builders and parsed again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ortc_rtcp::{
    ByeBuilder, Compound, NackBuilder, PacketStatus, RtcpPacket, TransportFeedbackBuilder, WriteRtcp, XrBlock,
    dlrr_items, nack_items, validate_compound,
};

fn rebuilt_equal(w: &dyn WriteRtcp, check: impl Fn(RtcpPacket<'_>)) {
    let mut out = vec![0u8; w.encoded_len()];
    if let Ok(n) = w.write(&mut out) {
        assert_eq!(n, out.len(), "encoded_len matches write");
        let p = Compound::new(&out)
            .next()
            .expect("one packet")
            .expect("our own output parses");
        check(p);
    }
}

fuzz_target!(|data: &[u8]| {
    let _ = validate_compound(data);
    for p in Compound::new(data).flatten() {
        match p {
            RtcpPacket::SenderReport(sr) => {
                let _ = (
                    sr.sender_ssrc(),
                    sr.sender_info(),
                    sr.report_blocks().count(),
                    sr.profile_extension(),
                );
            }
            RtcpPacket::ReceiverReport(rr) => {
                let _ = rr.report_blocks().map(|b| b.cumulative_lost).sum::<i32>();
            }
            RtcpPacket::Sdes(s) => {
                let _ = s.chunks().flat_map(|c| c.items()).count() + usize::from(s.cname().is_some());
            }
            RtcpPacket::Bye(b) => {
                let sources: Vec<u32> = b.sources().collect();
                let reason = b.reason();
                rebuilt_equal(
                    &ByeBuilder {
                        sources: &sources,
                        reason,
                    },
                    |p| {
                        let RtcpPacket::Bye(again) = p else { panic!("not BYE") };
                        assert!(again.sources().eq(sources.iter().copied()));
                        assert_eq!(again.reason(), reason);
                    },
                );
            }
            RtcpPacket::Nack(n) => {
                let lost: Vec<u16> = n.lost().collect();
                let mut want = lost.clone();
                want.sort_unstable();
                want.dedup();
                let items: Vec<_> = nack_items(&lost).collect();
                let covered: Vec<u16> = items.iter().flat_map(|i| i.lost()).collect();
                let mut got = covered.clone();
                got.sort_unstable();
                assert_eq!(got, want);
                rebuilt_equal(
                    &NackBuilder {
                        sender_ssrc: 1,
                        media_ssrc: 2,
                        items: &items,
                    },
                    |p| {
                        let RtcpPacket::Nack(again) = p else { panic!("not NACK") };
                        assert!(again.lost().eq(covered.iter().copied()));
                    },
                );
            }
            RtcpPacket::TransportFeedback(t) => {
                let chunks: Vec<_> = t.chunks().collect();
                let deltas: Vec<i16> = t
                    .packets()
                    .filter(|p| p.status != PacketStatus::NotReceived)
                    .map(|p| p.delta_ticks)
                    .collect();
                let _ = t.arrivals().count();
                let b = TransportFeedbackBuilder {
                    sender_ssrc: t.sender_ssrc(),
                    media_ssrc: t.media_ssrc(),
                    base_sequence: t.base_sequence(),
                    status_count: t.status_count(),
                    reference_time: t.reference_time(),
                    feedback_count: t.feedback_count(),
                    chunks: &chunks,
                    deltas: &deltas,
                };
                rebuilt_equal(&b, |p| {
                    let RtcpPacket::TransportFeedback(again) = p else {
                        panic!("not TWCC")
                    };
                    assert!(again.packets().eq(t.packets()));
                });
            }
            RtcpPacket::Remb(r) => {
                let _ = (r.bitrate_bps(), r.media_ssrcs().count());
            }
            RtcpPacket::Fir(f) => {
                let _ = f.entries().count();
            }
            RtcpPacket::ExtendedReport(x) => {
                for b in x.blocks() {
                    if let XrBlock::Dlrr(d) = b {
                        let _ = dlrr_items(d).count();
                    }
                }
            }
            other => {
                let _ = other.raw().body();
            }
        }
    }
});
