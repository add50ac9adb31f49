//! Two `PeerConnectionCore`s over a simulated network on a fake clock (addresses on 127.0.0.1, no sockets).

#![allow(dead_code, unreachable_pub)] // each test binary uses part of this module
#![allow(clippy::unwrap_used, clippy::cast_precision_loss)] // test set-up

use std::collections::BinaryHeap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use ortc::{CoreConfig, Event, PeerConnectionCore, PeerConnectionState, SessionDescription};
use ortc_rtcp::NtpTime;

/// Alice's host address.
pub const ALICE: &str = "127.0.0.1:10000";
/// Bob's host address.
pub const BOB: &str = "127.0.0.1:20000";

/// A new core at `now` with a host address, its ICE randomness seeded for repeatable runs.
pub fn core(now: Instant, addr: &str, seed: u64) -> PeerConnectionCore {
    let mut config = CoreConfig::new(NtpTime(0xE000_0000_0000_0000));
    config.ice_test_seed = Some(seed);
    let mut core = PeerConnectionCore::new(config, now).unwrap();
    core.add_host_address(addr.parse().unwrap()).unwrap();
    core
}

/// One datagram on the wire.
#[derive(Debug, PartialEq, Eq)]
struct InFlight {
    at: Instant,
    order: u64,
    from: SocketAddr,
    to: SocketAddr,
    data: Vec<u8>,
}

impl Ord for InFlight {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // earliest first out of a max-heap
        other.at.cmp(&self.at).then(other.order.cmp(&self.order))
    }
}

impl PartialOrd for InFlight {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Two peers and the network between them.
pub struct Sim {
    pub start: Instant,
    pub now: Instant,
    pub alice: PeerConnectionCore,
    pub bob: PeerConnectionCore,
    pub alice_events: Vec<Event>,
    pub bob_events: Vec<Event>,
    /// One-way delay.
    pub delay: Duration,
    /// Loss probability of media datagrams (RTP and RTCP) once both sides are connected, in per mille.
    pub media_loss_per_mille: u64,
    /// Datagrams dropped by the loss above.
    pub dropped: u64,
    /// Datagrams delivered.
    pub delivered: u64,
    in_flight: BinaryHeap<InFlight>,
    order: u64,
    rng: u64,
    buf: BytesMut,
}

impl Sim {
    /// Alice and Bob at fresh cores, nothing negotiated.
    pub fn new(seed: u64) -> Self {
        let start = Instant::now();
        Self {
            start,
            now: start,
            alice: core(start, ALICE, seed),
            bob: core(start, BOB, seed + 1000),
            alice_events: Vec::new(),
            bob_events: Vec::new(),
            delay: Duration::from_millis(5),
            media_loss_per_mille: 0,
            dropped: 0,
            delivered: 0,
            in_flight: BinaryHeap::new(),
            order: 0,
            rng: seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1,
            buf: BytesMut::with_capacity(4096),
        }
    }

    /// Alice offers, Bob answers (`before_answer` may set Bob's transceivers up first).
    pub fn negotiate(&mut self, before_answer: impl FnOnce(&mut PeerConnectionCore)) {
        let now = self.now;
        let offer = self.alice.create_offer().unwrap();
        self.alice.set_local_description(now, &offer).unwrap();
        self.bob.set_remote_description(now, &offer).unwrap();
        before_answer(&mut self.bob);
        let answer = self.bob.create_answer().unwrap();
        self.bob.set_local_description(now, &answer).unwrap();
        self.alice.set_remote_description(now, &answer).unwrap();
    }

    /// Alice's offer and Bob's answer, with `tamper` applied to the answer before Alice takes it.
    pub fn negotiate_tampered(&mut self, tamper: impl FnOnce(&str) -> String) {
        let now = self.now;
        let offer = self.alice.create_offer().unwrap();
        self.alice.set_local_description(now, &offer).unwrap();
        self.bob.set_remote_description(now, &offer).unwrap();
        let answer = self.bob.create_answer().unwrap();
        self.bob.set_local_description(now, &answer).unwrap();
        let tampered = SessionDescription::answer(tamper(&answer.sdp));
        self.alice.set_remote_description(now, &tampered).unwrap();
    }

    fn chance_per_mille(&mut self, p: u64) -> bool {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng % 1000 < p
    }

    pub fn both_connected(&self) -> bool {
        self.alice.connection_state() == PeerConnectionState::Connected
            && self.bob.connection_state() == PeerConnectionState::Connected
    }

    /// Moves every datagram either side has to send onto the wire.
    fn transmit(&mut self) {
        let connected = self.both_connected();
        for from_alice in [true, false] {
            loop {
                let core = if from_alice { &mut self.alice } else { &mut self.bob };
                let Some(t) = core.poll_transmit(self.now) else { break };
                let media = t.contents.first().is_some_and(|b| (128..192).contains(b));
                let datagram = InFlight {
                    at: self.now + self.delay,
                    order: self.order,
                    from: t.local,
                    to: t.remote,
                    data: t.contents.to_vec(),
                };
                self.order += 1;
                if media && connected && self.chance_per_mille(self.media_loss_per_mille) {
                    self.dropped += 1;
                    continue;
                }
                self.in_flight.push(datagram);
            }
        }
    }

    fn drain_events(&mut self) {
        while let Some(e) = self.alice.poll_event() {
            self.alice_events.push(e);
        }
        while let Some(e) = self.bob.poll_event() {
            self.bob_events.push(e);
        }
    }

    /// Runs the network and both cores until `step` (called at every step, to write media and poll
    /// receivers) says it is done, or `limit` of fake time passed from now. Returns whether it was done.
    pub fn run(&mut self, limit: Duration, mut step: impl FnMut(&mut Self) -> bool) -> bool {
        let end = self.now + limit;
        let mut spins = 0u32;
        loop {
            self.drain_events();
            let done = step(self);
            self.transmit();
            self.drain_events();
            if done {
                return true;
            }
            let next = [
                self.alice.poll_timeout(),
                self.bob.poll_timeout(),
                self.in_flight.peek().map(|d| d.at),
                Some(self.now + Duration::from_millis(5)),
            ]
            .into_iter()
            .flatten()
            .min()
            .unwrap();
            if next <= self.now {
                spins += 1;
                assert!(
                    spins < 10_000,
                    "stuck at {:?}: alice {:?} bob {:?} (alice session {:?}, bob session {:?})",
                    self.now - self.start,
                    self.alice.poll_timeout().map(|t| t - self.start),
                    self.bob.poll_timeout().map(|t| t - self.start),
                    self.alice
                        .session_mut()
                        .and_then(|s| s.poll_timeout())
                        .map(|(t, r)| (t - self.start, r)),
                    self.bob
                        .session_mut()
                        .and_then(|s| s.poll_timeout())
                        .map(|(t, r)| (t - self.start, r)),
                );
            } else {
                spins = 0;
            }
            let next = next.max(self.now);
            if next > end {
                return false;
            }
            self.now = next;
            while self.in_flight.peek().is_some_and(|d| d.at <= self.now) {
                let d = self.in_flight.pop().unwrap();
                self.buf.clear();
                self.buf.extend_from_slice(&d.data);
                let to_alice = d.to == ALICE.parse().unwrap();
                let core = if to_alice { &mut self.alice } else { &mut self.bob };
                core.handle_datagram(self.now, d.to, d.from, &mut self.buf);
                self.delivered += 1;
            }
            if self.alice.poll_timeout().is_some_and(|t| t <= self.now) {
                self.alice.handle_timeout(self.now);
            }
            if self.bob.poll_timeout().is_some_and(|t| t <= self.now) {
                self.bob.handle_timeout(self.now);
            }
        }
    }

    /// Runs until both sides are connected (at most `limit`).
    pub fn connect(&mut self, limit: Duration) -> bool {
        self.run(limit, |s| s.both_connected())
    }
}

/// A VP8 frame of `len` bytes whose content names `index`: a keyframe (P bit clear) or not.
pub fn vp8_frame(index: u32, keyframe: bool, len: usize) -> Vec<u8> {
    let mut f: Vec<u8> = (0..len)
        .map(|i| (i as u32).wrapping_mul(31).wrapping_add(index) as u8)
        .collect();
    f[0] = if keyframe { 0x10 } else { 0x11 };
    f[1..5].copy_from_slice(&index.to_be_bytes());
    f
}

/// An Opus packet of `len` bytes whose content names `index`.
pub fn opus_frame(index: u32, len: usize) -> Vec<u8> {
    let mut f: Vec<u8> = (0..len).map(|i| (i as u32).wrapping_add(index * 7) as u8).collect();
    // TOC: config 11 (SILK WB 20 ms), mono, one frame
    f[0] = 0x58;
    f[1..5].copy_from_slice(&index.to_be_bytes());
    f
}
