//! Property tests: builders and parsers agree on arbitrary values; arbitrary bytes never panic.

mod common;

use common::{reencode, write_vec};
use ortc_rtcp::{
    ByeBuilder, Compound, NackItem, NtpTime, ReceiverReportBuilder, ReportBlock, RtcpPacket, SdesBuilder,
    SdesChunkBuilder, SdesItem, SdesType, SenderInfo, SenderReportBuilder, TwccEncoder, WriteRtcp, nack_items,
};
use proptest::collection::vec;
use proptest::prelude::*;

fn block() -> impl Strategy<Value = ReportBlock> {
    (any::<u32>(), any::<u8>(), -0x80_0000i32..=0x7F_FFFF, any::<[u32; 4]>()).prop_map(|(ssrc, f, c, r)| ReportBlock {
        ssrc,
        fraction_lost: f,
        cumulative_lost: c,
        extended_highest_sequence: r[0],
        jitter: r[1],
        last_sr: r[2],
        delay_since_last_sr: r[3],
    })
}

fn only(bytes: &[u8]) -> RtcpPacket<'_> {
    let mut it = Compound::new(bytes);
    let p = it.next().expect("one packet").expect("decodes");
    assert!(it.next().is_none());
    p
}

proptest! {
    #[test]
    fn sr_rr_round_trip(ssrc: u32, ntp: u64, rtp: u32, blocks in vec(block(), 0..=31), ext in vec(any::<[u8; 4]>(), 0..3)) {
        let ext: Vec<u8> = ext.concat();
        let info = SenderInfo { ntp_time: NtpTime(ntp), rtp_time: rtp, packet_count: 1, octet_count: 2 };
        let bytes = write_vec(&SenderReportBuilder { sender_ssrc: ssrc, sender_info: info, report_blocks: &blocks, profile_extension: &ext });
        let RtcpPacket::SenderReport(sr) = only(&bytes) else { panic!("not an SR") };
        prop_assert_eq!(sr.sender_ssrc(), ssrc);
        prop_assert_eq!(sr.sender_info(), info);
        prop_assert!(sr.report_blocks().eq(blocks.iter().copied()));
        prop_assert_eq!(sr.profile_extension(), &ext[..]);
        let bytes = write_vec(&ReceiverReportBuilder { sender_ssrc: ssrc, report_blocks: &blocks, profile_extension: &ext });
        let p = only(&bytes);
        prop_assert_eq!(reencode(&p), bytes);
    }

    #[test]
    fn sdes_round_trip(chunks in vec((any::<u32>(), vec((1u8..=255, vec(any::<u8>(), 0..40)), 0..4)), 0..6)) {
        let items: Vec<Vec<SdesItem<'_>>> = chunks
            .iter()
            .map(|(_, items)| items.iter().map(|(k, v)| SdesItem { kind: SdesType::from(*k), value: v }).collect())
            .collect();
        let builders: Vec<_> = chunks.iter().zip(&items).map(|((ssrc, _), items)| SdesChunkBuilder { ssrc: *ssrc, items }).collect();
        let bytes = write_vec(&SdesBuilder { chunks: &builders });
        let RtcpPacket::Sdes(s) = only(&bytes) else { panic!("not SDES") };
        let got: Vec<(u32, Vec<SdesItem<'_>>)> = s.chunks().map(|c| (c.ssrc, c.items().collect())).collect();
        let want: Vec<(u32, Vec<SdesItem<'_>>)> = chunks.iter().map(|c| c.0).zip(items.iter().cloned()).collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn bye_round_trip(sources in vec(any::<u32>(), 0..=31), reason in proptest::option::of(vec(any::<u8>(), 0..=255))) {
        let bytes = write_vec(&ByeBuilder { sources: &sources, reason: reason.as_deref() });
        let RtcpPacket::Bye(b) = only(&bytes) else { panic!("not BYE") };
        prop_assert!(b.sources().eq(sources.iter().copied()));
        prop_assert_eq!(b.reason(), reason.as_deref());
    }

    #[test]
    fn nack_items_cover_exactly(start: u16, offsets in vec(0u16..3000, 0..200)) {
        // Losses within a window that may straddle the wrap.
        let lost: Vec<u16> = offsets.iter().map(|o| start.wrapping_add(*o)).collect();
        let mut want = lost.clone();
        want.sort_by_key(|s| s.wrapping_sub(start));
        want.dedup();
        let items: Vec<NackItem> = nack_items(&lost).collect();
        let got: Vec<u16> = items.iter().flat_map(|i| i.lost()).collect();
        prop_assert_eq!(&got, &want);
        // Minimal: greedy lower bound check - no two consecutive items could be merged.
        for w in items.windows(2) {
            prop_assert!(w[1].pid.wrapping_sub(w[0].pid) > 16);
        }
    }

    #[test]
    fn nack_items_cover_any_list(lost in vec(any::<u16>(), 0..300)) {
        // Spread over the whole sequence space: covered exactly, each number once, every item led by a loss.
        let items: Vec<NackItem> = nack_items(&lost).collect();
        let mut got: Vec<u16> = items.iter().flat_map(|i| i.lost()).collect();
        got.sort_unstable();
        let mut want = lost.clone();
        want.sort_unstable();
        want.dedup();
        prop_assert_eq!(got, want);
        prop_assert!(items.iter().all(|i| lost.contains(&i.pid)));
    }

    #[test]
    fn twcc_encoder_round_trip(base: u16, start in -1_000_000_000i64..1_000_000_000, steps in vec((1u16..40, 0i64..30_000), 1..400)) {
        // Arrival times on 250 µs ticks after the reference time are carried exactly.
        let mut enc = TwccEncoder::new(1, 2, 3);
        let mut seq = base;
        let mut t = start - start.rem_euclid(250);
        let mut want = Vec::new();
        for (i, (gap, dt)) in steps.iter().enumerate() {
            if i > 0 {
                seq = seq.wrapping_add(*gap);
                t += dt - dt % 250;
            }
            enc.add(seq, t).expect("fits");
            want.push((seq, t));
        }
        let bytes = write_vec(&enc);
        let RtcpPacket::TransportFeedback(fb) = only(&bytes) else { panic!("not TWCC") };
        prop_assert_eq!(fb.base_sequence(), base);
        prop_assert!(fb.arrivals().eq(want.iter().copied()));
        // Chunk-level re-encoding is byte-exact.
        prop_assert_eq!(reencode(&only(&bytes)), bytes.clone());
        prop_assert_eq!(enc.encoded_len(), bytes.len());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..300)) {
        for p in Compound::new(&bytes).flatten() {
            // Whatever decodes can be rebuilt by the builders (maybe not byte-exactly: padding, REMB media SSRC).
            let _ = reencode(&p);
        }
    }

    #[test]
    fn arbitrary_headers_over_valid_lengths(pt in 192u8..=223, count in 0u8..32, body in vec(any::<u8>(), 0..40)) {
        let mut bytes = vec![0x80 | count, pt, 0, 0];
        let body_len = body.len() / 4 * 4;
        bytes.extend_from_slice(&body[..body_len]);
        bytes[3] = (body_len / 4) as u8;
        for p in Compound::new(&bytes).flatten() {
            let again = reencode(&p);
            prop_assert!(again.len().is_multiple_of(4));
        }
    }
}
