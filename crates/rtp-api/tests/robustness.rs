//! Any interleaving of calls and polls is valid; hostile and foreign input corrupts nothing.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use bytes::BytesMut;
use common::{Impairment, Pair, VP8, extensions, sessions, vp8_frame, vp8_receiver, vp8_sender};
use ortc_rtcp::{CompoundWriter, NackBuilder, NackItem, PliBuilder, ReceiverReportBuilder, ReportBlock};
use ortc_rtp_api::session::{Event, Received, RtpSession, Transmit};
use ortc_rtp_packet::Mid;
use ortc_srtp::{DtlsRole, SessionKeys, SrtpConfig, SrtpProfile, SrtpSession};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    /// Write the next frame at the sender.
    Frame { len: usize },
    /// Move time on.
    Advance(u16),
    /// Let the sender transmit one datagram into the link (or drop it).
    Transmit { drop: bool },
    /// Deliver the oldest (or newest) datagram in flight to the other side.
    Deliver { newest: bool },
    /// Let the receiver transmit one datagram (feedback) straight to the sender.
    Feedback,
    /// Run the timeouts of both sides.
    Timeout,
    /// Poll the receiver.
    Poll,
    /// Ask for a keyframe.
    Keyframe,
    /// Hand the receiver a datagram of junk.
    Junk { rtcp: bool, bytes: Vec<u8> },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (1usize..4000).prop_map(|len| Op::Frame { len }),
        3 => (0u16..40).prop_map(Op::Advance),
        6 => proptest::bool::weighted(0.1).prop_map(|drop| Op::Transmit { drop }),
        6 => any::<bool>().prop_map(|newest| Op::Deliver { newest }),
        2 => Just(Op::Feedback),
        2 => Just(Op::Timeout),
        3 => Just(Op::Poll),
        1 => Just(Op::Keyframe),
        1 => (any::<bool>(), proptest::collection::vec(any::<u8>(), 0..64))
            .prop_map(|(rtcp, bytes)| Op::Junk { rtcp, bytes }),
    ]
}

/// Polls every frame the receiver has; checks content; records indices.
fn poll_all(b: &mut RtpSession, rx: ortc_rtp_api::session::ReceiverId, now: Instant, got: &mut Vec<u32>) {
    let mut r = b.receiver(rx).unwrap();
    while let Some(out) = r.poll(now) {
        let Received::Frame(f) = out else {
            panic!("video conceals nothing")
        };
        let index = f.rtp_timestamp.wrapping_sub(4_294_000_000) / 3000;
        assert_eq!(
            f.data[1..],
            vp8_frame(index, f.keyframe, f.data.len())[1..],
            "frame {index}"
        );
        got.push(index);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_interleaving_delivers_or_counts_every_frame_in_order(ops in proptest::collection::vec(op(), 1..300)) {
        let t0 = Instant::now();
        let (mut a, mut b) = sessions(t0, extensions());
        let mut params = vp8_sender(0xA000, true);
        // Time runs on while datagrams wait in flight: keep what may be asked for again.
        params.history_age = Duration::from_secs(30);
        let tx = a.add_sender(params).unwrap();
        let rx = b.add_receiver(vp8_receiver(true)).unwrap();
        let mut pair = Pair::new(t0, a, b, Impairment::default(), Impairment::default());
        let mut now = t0;
        let mut flight: Vec<(bool, Vec<u8>)> = Vec::new();
        let mut buf = BytesMut::with_capacity(1500);
        let mut frames = 0u32;
        let mut drops = 0u32;
        let mut got = Vec::new();
        let mut key_asked = false;
        for op in ops {
            match op {
                Op::Frame { len } => {
                    // A sender answers keyframe requests with its next frame, as encoders do.
                    let keyframe = frames == 0 || std::mem::take(&mut key_asked);
                    let frame = vp8_frame(frames, keyframe, len);
                    pair.a.sender(tx).unwrap().write_frame(now, VP8, frames * 3000, &frame).unwrap();
                    frames += 1;
                }
                Op::Advance(ms) => now += Duration::from_millis(u64::from(ms)),
                Op::Transmit { drop } => {
                    if let Some(t) = pair.a.poll_transmit(now, &mut buf) {
                        // At most a few drops, so that the drain below can always heal them, and none before
                        // the receiver heard of the stream (a loss before the first packet is unknowable).
                        let heard = pair.b.receiver(rx).unwrap().stats().packets_routed > 0;
                        if drop && drops < 5 && heard {
                            drops += 1;
                        } else {
                            flight.push((matches!(t, Transmit::Rtcp { .. }), buf.to_vec()));
                        }
                    }
                }
                Op::Deliver { newest } => {
                    if !flight.is_empty() {
                        let (rtcp, data) = if newest { flight.pop().unwrap() } else { flight.remove(0) };
                        buf.clear();
                        buf.extend_from_slice(&data);
                        if rtcp { pair.b.handle_rtcp(now, &mut buf) } else { pair.b.handle_rtp(now, &mut buf) }
                    }
                }
                Op::Feedback => {
                    if let Some(t) = pair.b.poll_transmit(now, &mut buf) {
                        prop_assert!(matches!(t, Transmit::Rtcp { .. }), "a receiver sends only RTCP");
                        pair.a.handle_rtcp(now, &mut buf);
                    }
                }
                Op::Timeout => {
                    pair.a.handle_timeout(now);
                    pair.b.handle_timeout(now);
                }
                Op::Poll => poll_all(&mut pair.b, rx, now, &mut got),
                Op::Keyframe => { pair.b.receiver(rx).unwrap().request_keyframe(); }
                Op::Junk { rtcp, bytes } => {
                    let mut junk = BytesMut::from(&bytes[..]);
                    if rtcp { pair.b.handle_rtcp(now, &mut junk) } else { pair.b.handle_rtp(now, &mut junk) }
                }
            }
            while let Some(e) = pair.a.poll_event() {
                key_asked |= matches!(e, Event::KeyframeRequested { .. });
            }
        }
        // Deliver what is in flight, then let both sides run on a clean link for three seconds.
        for (rtcp, data) in flight.drain(..) {
            buf.clear();
            buf.extend_from_slice(&data);
            if rtcp { pair.b.handle_rtcp(now, &mut buf) } else { pair.b.handle_rtp(now, &mut buf) }
        }
        // A last keyframe, so that whatever was dropped before, the stream ends decodable.
        let last = vp8_frame(frames, true, 100);
        pair.a.sender(tx).unwrap().write_frame(now, VP8, frames * 3000, &last).unwrap();
        frames += 1;
        pair.now = now;
        for _ in 0..3000 {
            pair.advance(Duration::from_millis(1));
            poll_all(&mut pair.b, rx, pair.now, &mut got);
        }
        prop_assert!(got.windows(2).all(|w| w[0] < w[1]), "in order: {:?}", got);
        prop_assert_eq!(got.last().copied(), Some(frames - 1), "the last keyframe arrives");
        // Every frame is delivered, or counted: dropped as a frame, its packets discarded (a frame that
        // arrives after a later one at the very start of the stream; the jitter buffer has released past it),
        // or lost whole (every packet of it lost and given up for a keyframe: feedback is timed by the RTCP
        // bandwidth of this tiny session, RFC 4585 §3.5.2, so a retransmission can come too late).
        let stats = pair.b.receiver(rx).unwrap().stats();
        let missing = u64::from(frames) - got.len() as u64;
        let lost = u64::try_from(stats.packets_lost.max(0)).unwrap();
        prop_assert!(
            missing <= stats.frames_dropped + stats.packets_discarded + lost,
            "got {:?}, {:?}", got, stats
        );
        if stats.frames_dropped == 0 && stats.packets_discarded == 0 {
            prop_assert_eq!(missing, 0);
        }
        let stats = pair.b.stats();
        prop_assert_eq!(stats.no_keys, 0);
        prop_assert_eq!(stats.rtp_malformed, 0, "junk never authenticates");
    }
}

/// SRTCP protected as a third party that holds the receiving side's keys would.
fn protected_rtcp(build: impl FnOnce(&mut CompoundWriter<'_>)) -> BytesMut {
    let material: Vec<u8> = (0..SrtpProfile::AeadAes128Gcm.keying_material_len() as u8).collect();
    let keys = SessionKeys::from_dtls_exporter(SrtpProfile::AeadAes128Gcm, &material, DtlsRole::Server).unwrap();
    let mut srtp = SrtpSession::new(&keys, &SrtpConfig::default()).unwrap();
    let mut raw = [0u8; 1200];
    let mut w = CompoundWriter::new(&mut raw);
    build(&mut w);
    let len = w.len();
    let mut out = BytesMut::from(&raw[..len]);
    srtp.outbound().protect_rtcp(&mut out).unwrap();
    out
}

#[test]
fn rtcp_about_foreign_ssrcs_corrupts_nothing() {
    let t0 = Instant::now();
    let (mut a, _) = sessions(t0, extensions());
    let tx = a.add_sender(vp8_sender(0xA000, true)).unwrap();
    a.sender(tx)
        .unwrap()
        .write_frame(t0, VP8, 0, &vp8_frame(0, true, 3000))
        .unwrap();
    let mut buf = BytesMut::with_capacity(1500);
    while a.poll_transmit(t0, &mut buf).is_some() {}
    let before = a.sender(tx).unwrap().stats();

    let block = ReportBlock {
        ssrc: 0xDEAD,
        fraction_lost: 255,
        cumulative_lost: 1000,
        ..ReportBlock::default()
    };
    let items = [NackItem {
        pid: 65_000,
        blp: 0xFFFF,
    }];
    let mut rtcp = protected_rtcp(|w| {
        w.push(&ReceiverReportBuilder {
            sender_ssrc: 0xF00,
            report_blocks: &[block],
            profile_extension: &[],
        })
        .unwrap();
        w.push(&NackBuilder {
            sender_ssrc: 0xF00,
            media_ssrc: 0xDEAD,
            items: &items,
        })
        .unwrap();
        w.push(&PliBuilder {
            sender_ssrc: 0xF00,
            media_ssrc: 0xBEEF,
        })
        .unwrap();
    });
    a.handle_rtcp(t0, &mut rtcp);
    let stats = a.stats();
    assert_eq!(stats.rtcp_foreign, 3, "{stats:?}");
    assert_eq!(
        a.sender(tx).unwrap().stats(),
        before,
        "nothing about our stream changed"
    );
    assert!(a.poll_event().is_none());
    assert!(
        a.poll_transmit(t0, &mut buf).is_none(),
        "no retransmission for a foreign NACK"
    );
}

#[test]
fn packets_for_no_stream_are_counted_and_bind_nothing() {
    let t0 = Instant::now();
    let (mut a, mut b) = sessions(t0, extensions());
    // The sender's mid matches no receive stream, and its payload type is not negotiated there.
    let mut params = vp8_sender(0xA000, false);
    params.mid = Some(Mid::new("other").unwrap());
    let tx = a.add_sender(params).unwrap();
    let rx = b.add_receiver(vp8_receiver(false)).unwrap();
    a.sender(tx)
        .unwrap()
        .write_frame(t0, VP8, 0, &vp8_frame(0, true, 2000))
        .unwrap();
    let mut buf = BytesMut::with_capacity(1500);
    while let Some(Transmit::Rtp { .. }) = a.poll_transmit(t0, &mut buf) {
        b.handle_rtp(t0, &mut buf);
    }
    assert_eq!(b.stats().rtp_unrouted, 2);
    assert_eq!(b.receiver(rx).unwrap().stats().ssrc, None);
    // Without keys nothing is sent or accepted.
    let (mut c, _) = sessions(t0, extensions());
    let mut fresh = RtpSession::new(ortc_rtp_api::session::SessionConfig::new(
        "x",
        extensions(),
        (t0, ortc_rtcp::NtpTime(0)),
    ));
    let tx = c.add_sender(vp8_sender(1, false)).unwrap();
    c.sender(tx).unwrap().write_frame(t0, VP8, 0, &[0x10; 10]).unwrap();
    c.poll_transmit(t0, &mut buf).unwrap();
    fresh.handle_rtp(t0, &mut buf);
    assert_eq!(fresh.stats().no_keys, 1);
    assert!(fresh.poll_transmit(t0, &mut buf).is_none());
}
