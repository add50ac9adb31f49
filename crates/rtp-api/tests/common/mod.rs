//! Two sessions over a simulated link on a fake clock.

#![allow(dead_code, unreachable_pub)] // each test binary uses part of this module
#![allow(clippy::unwrap_used, clippy::cast_precision_loss)] // test set-up; probabilities from small integers

use std::collections::BinaryHeap;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use ortc_codecs::MediaKind;
use ortc_rtcp::NtpTime;
use ortc_rtp_api::session::{
    ReceiveCodec, ReceiveParams, ReceiverId, RtpSession, SendCodec, SendParams, SenderId, SessionConfig, Transmit,
};
use ortc_rtp_packet::{ExtensionKind, ExtensionMap, Mid, PayloadType, Ssrc};
use ortc_srtp::{DtlsRole, SessionKeys, SrtpConfig, SrtpProfile};

/// A deterministic generator for the link's decisions.
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() % 1_000_000) as f64 / 1_000_000.0 < p
    }

    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
}

/// Impairments of one direction.
#[derive(Debug, Clone, Copy, Default)]
pub struct Impairment {
    /// Independent loss probability.
    pub loss: f64,
    /// Gilbert-Elliott: probability of entering the bad state per packet (loss is certain there).
    pub burst_enter: f64,
    /// Probability of leaving the bad state per packet.
    pub burst_leave: f64,
    /// Base one-way delay.
    pub delay: Duration,
    /// Uniform extra delay up to this (reorders packets).
    pub jitter: Duration,
    /// Probability a packet is delivered twice.
    pub duplicate: f64,
}

#[derive(Debug, PartialEq, Eq)]
struct InFlight {
    at: Instant,
    order: u64,
    rtcp: bool,
    data: Vec<u8>,
}

impl Ord for InFlight {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // Earliest first out of a max-heap.
        other.at.cmp(&self.at).then(other.order.cmp(&self.order))
    }
}

impl PartialOrd for InFlight {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// One direction of the link.
#[derive(Debug, Default)]
pub struct Link {
    pub impairment: Impairment,
    flight: BinaryHeap<InFlight>,
    order: u64,
    bad: bool,
    pub sent: u64,
    pub lost: u64,
    /// RTP datagrams among `lost`.
    pub lost_rtp: u64,
    pub duplicated: u64,
}

impl Link {
    pub fn new(impairment: Impairment) -> Self {
        Self {
            impairment,
            ..Self::default()
        }
    }

    pub fn send(&mut self, now: Instant, rtcp: bool, data: &[u8], rng: &mut Rng) {
        self.sent += 1;
        let i = self.impairment;
        if self.bad {
            self.bad = !rng.chance(i.burst_leave);
        } else {
            self.bad = rng.chance(i.burst_enter);
        }
        if self.bad || rng.chance(i.loss) {
            self.lost += 1;
            self.lost_rtp += u64::from(!rtcp);
            return;
        }
        let copies = if rng.chance(i.duplicate) { 2 } else { 1 };
        self.duplicated += copies - 1;
        for _ in 0..copies {
            let extra = Duration::from_micros(rng.below(i.jitter.as_micros() as u64 + 1));
            self.order += 1;
            self.flight.push(InFlight {
                at: now + i.delay + extra,
                order: self.order,
                rtcp,
                data: data.to_vec(),
            });
        }
    }

    /// The next datagram due by `now`: (is RTCP, bytes).
    pub fn deliver(&mut self, now: Instant) -> Option<(bool, Vec<u8>)> {
        if self.flight.peek().is_some_and(|f| f.at <= now) {
            self.flight.pop().map(|f| (f.rtcp, f.data))
        } else {
            None
        }
    }

    pub fn is_empty(&self) -> bool {
        self.flight.is_empty()
    }
}

pub const VP8: PayloadType = PayloadType::from_masked(96);
pub const VP8_RTX: PayloadType = PayloadType::from_masked(97);
pub const OPUS: PayloadType = PayloadType::from_masked(111);

pub fn extensions() -> ExtensionMap {
    let mut map = ExtensionMap::new();
    map.insert(1, ExtensionKind::Mid).unwrap();
    map.insert(2, ExtensionKind::AudioLevel).unwrap();
    map.insert(3, ExtensionKind::TransportSequenceNumber).unwrap();
    map.insert(10, ExtensionKind::RtpStreamId).unwrap();
    map.insert(11, ExtensionKind::RepairedRtpStreamId).unwrap();
    map
}

/// Two keyed sessions with a fake clock starting at `t0`.
pub fn sessions(t0: Instant, map: ExtensionMap) -> (RtpSession, RtpSession) {
    let config = SessionConfig::new("test-cname", map, (t0, NtpTime(3_900_000_000 << 32)));
    let mut a = RtpSession::new(config.clone());
    let mut b = RtpSession::new(SessionConfig { seed: 99, ..config });
    let material: Vec<u8> = (0..SrtpProfile::AeadAes128Gcm.keying_material_len() as u8).collect();
    let keys = |role| SessionKeys::from_dtls_exporter(SrtpProfile::AeadAes128Gcm, &material, role).unwrap();
    a.set_keys(&keys(DtlsRole::Client), &SrtpConfig::default()).unwrap();
    b.set_keys(&keys(DtlsRole::Server), &SrtpConfig::default()).unwrap();
    (a, b)
}

/// The mid `s` (valid in every test).
pub fn mid(s: &str) -> Mid {
    Mid::new(s).unwrap()
}

pub fn vp8_sender(ssrc: u32, rtx: bool) -> SendParams {
    let codec = SendCodec {
        payload_type: VP8,
        mime_type: "video/VP8".into(),
        clock_rate: 90_000,
        rtx_payload_type: rtx.then_some(VP8_RTX),
        h264_packetization_mode_1: false,
    };
    let mut p = SendParams::new(MediaKind::Video, Ssrc::new(ssrc), vec![codec]);
    p.rtx_ssrc = rtx.then_some(Ssrc::new(ssrc + 1));
    p.mid = Some(mid("0"));
    p.initial_sequence_number = 65_000; // wraps during the test
    p.timestamp_origin = 4_294_000_000;
    p
}

pub fn vp8_receiver(rtx: bool) -> ReceiveParams {
    let codec = ReceiveCodec {
        payload_type: VP8,
        mime_type: "video/VP8".into(),
        clock_rate: 90_000,
        rtx_payload_type: rtx.then_some(VP8_RTX),
    };
    let mut p = ReceiveParams::new(MediaKind::Video, vec![codec], Ssrc::new(0xB0B));
    p.mid = Some(mid("0"));
    p
}

/// A VP8 frame: keyframe (P bit clear) or not, its index in every other byte so content is checked.
pub fn vp8_frame(index: u32, keyframe: bool, len: usize) -> Vec<u8> {
    let mut f = vec![0u8; len];
    f[0] = if keyframe { 0x10 } else { 0x11 };
    for (i, b) in f.iter_mut().enumerate().skip(1) {
        *b = (index as usize + i) as u8;
    }
    f
}

/// The sessions and both directions of the link.
pub struct Pair {
    pub now: Instant,
    pub a: RtpSession,
    pub b: RtpSession,
    pub a_to_b: Link,
    pub b_to_a: Link,
    pub rng: Rng,
    buf: BytesMut,
    pub rtcp_a_to_b: u64,
    pub rtcp_b_to_a: u64,
}

impl Pair {
    pub fn new(now: Instant, a: RtpSession, b: RtpSession, a_to_b: Impairment, b_to_a: Impairment) -> Self {
        Self {
            now,
            a,
            b,
            a_to_b: Link::new(a_to_b),
            b_to_a: Link::new(b_to_a),
            rng: Rng(0x9E37_79B9_7F4A_7C15),
            buf: BytesMut::with_capacity(2048),
            rtcp_a_to_b: 0,
            rtcp_b_to_a: 0,
        }
    }

    /// Moves everything due at `now`: timeouts, transmissions, deliveries.
    pub fn step(&mut self) {
        let now = self.now;
        for (s, link, rtcp_count) in [
            (&mut self.a, &mut self.a_to_b, &mut self.rtcp_a_to_b),
            (&mut self.b, &mut self.b_to_a, &mut self.rtcp_b_to_a),
        ] {
            while s.poll_timeout().is_some_and(|(t, _)| t <= now) {
                s.handle_timeout(now);
                if s.poll_timeout().is_some_and(|(t, _)| t <= now) {
                    // Something stays due (e.g. a frame held for its start): do not spin.
                    break;
                }
            }
            while let Some(t) = s.poll_transmit(now, &mut self.buf) {
                let rtcp = matches!(t, Transmit::Rtcp { .. });
                *rtcp_count += u64::from(rtcp);
                link.send(now, rtcp, &self.buf, &mut self.rng);
            }
        }
        for (link, s) in [(&mut self.a_to_b, &mut self.b), (&mut self.b_to_a, &mut self.a)] {
            while let Some((rtcp, data)) = link.deliver(now) {
                self.buf.clear();
                self.buf.extend_from_slice(&data);
                if rtcp {
                    s.handle_rtcp(now, &mut self.buf);
                } else {
                    s.handle_rtp(now, &mut self.buf);
                }
            }
        }
    }

    pub fn advance(&mut self, by: Duration) {
        self.now += by;
        self.step();
    }
}

/// Ids of one video stream set up between the two.
pub fn video_pair(t0: Instant, rtx: bool, a_to_b: Impairment, b_to_a: Impairment) -> (Pair, SenderId, ReceiverId) {
    let (mut a, mut b) = sessions(t0, extensions());
    let tx = a.add_sender(vp8_sender(0xA000, rtx)).unwrap();
    let rx = b.add_receiver(vp8_receiver(rtx)).unwrap();
    (Pair::new(t0, a, b, a_to_b, b_to_a), tx, rx)
}
