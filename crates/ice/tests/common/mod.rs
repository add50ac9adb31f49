//! Two agents on a simulated network: fake clock, fixed latency, seeded loss. No sleeps, fully deterministic.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ortc_ice::stun::{Class, Message, MessageBuilder, Method};
use ortc_ice::{AgentConfig, Candidate, ConnectionState, IceAgent, IceEvent, Received, Role};

pub struct Peer {
    pub agent: IceAgent,
    pub addr: SocketAddr,
    pub events: Vec<IceEvent>,
    pub data: Vec<Vec<u8>>,
    /// Neither sends nor receives anything (gone away).
    pub silent: bool,
}

impl Peer {
    pub fn states(&self) -> Vec<ConnectionState> {
        self.events
            .iter()
            .filter_map(|e| match e {
                IceEvent::ConnectionStateChanged(s) => Some(*s),
                _ => None,
            })
            .collect()
    }
}

pub struct Sim {
    pub start: Instant,
    pub now: Instant,
    pub a: Peer,
    pub b: Peer,
    in_flight: Vec<(Instant, SocketAddr, SocketAddr, Vec<u8>)>,
    /// Percentage of datagrams dropped.
    pub loss_percent: u64,
    rng: u64,
    pub latency: Duration,
    pub delivered: u64,
    pub dropped: u64,
    /// A NAT in front of `a`: (private address, public address). Everything `a` sends leaves from the public
    /// address, datagrams to it reach `a`, and `a`'s private address cannot be reached from outside.
    pub nat: Option<(SocketAddr, SocketAddr)>,
    /// A STUN server at this address answers Binding requests with the source address it saw.
    pub stun_server: Option<SocketAddr>,
    /// STUN requests each side sent: [a, b].
    pub requests_sent: [u64; 2],
    /// Datagrams the STUN server received.
    pub stun_server_requests: u64,
    /// The STUN server receives but never answers.
    pub stun_server_mute: bool,
}

pub fn config(role: Role, seed: u64) -> AgentConfig {
    let mut c = AgentConfig::new(role);
    c.test_seed = Some(seed);
    c
}

impl Sim {
    /// Two agents with one host candidate each, credentials and candidates exchanged.
    pub fn new(a: AgentConfig, b: AgentConfig, seed: u64) -> Self {
        let start = Instant::now();
        let mk = |config: AgentConfig, addr: &str| {
            let addr: SocketAddr = addr.parse().unwrap();
            let mut agent = IceAgent::new(config, start).unwrap();
            agent.add_local_candidate(Candidate::host(addr)).unwrap();
            Peer {
                agent,
                addr,
                events: Vec::new(),
                data: Vec::new(),
                silent: false,
            }
        };
        let mut sim = Self {
            start,
            now: start,
            a: mk(a, "10.0.0.1:5000"),
            b: mk(b, "10.0.0.2:6000"),
            in_flight: Vec::new(),
            loss_percent: 0,
            rng: seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1,
            latency: Duration::from_millis(10),
            delivered: 0,
            dropped: 0,
            nat: None,
            stun_server: None,
            requests_sent: [0; 2],
            stun_server_requests: 0,
            stun_server_mute: false,
        };
        sim.exchange();
        sim
    }

    /// Signals each side's credentials and candidates to the other, with end-of-candidates.
    pub fn exchange(&mut self) {
        let (ca, cb) = (
            self.a.agent.local_credentials().clone(),
            self.b.agent.local_credentials().clone(),
        );
        let (ka, kb) = (
            self.a.agent.local_candidates().to_vec(),
            self.b.agent.local_candidates().to_vec(),
        );
        self.a.agent.set_remote_credentials(cb);
        self.b.agent.set_remote_credentials(ca);
        for c in kb {
            self.a.agent.add_remote_candidate(c).unwrap();
        }
        for c in ka {
            self.b.agent.add_remote_candidate(c).unwrap();
        }
        self.a.agent.set_remote_end_of_candidates();
        self.b.agent.set_remote_end_of_candidates();
    }

    fn random_percent(&mut self) -> u64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng % 100
    }

    /// Sends application data from one side over its selected pair.
    pub fn send_data(&mut self, from_a: bool, data: &[u8]) -> bool {
        let peer = if from_a { &self.a } else { &self.b };
        let Some(pair) = peer.agent.selected_pair() else {
            return false;
        };
        self.send(pair.local, pair.remote, data.to_vec());
        true
    }

    /// Puts a datagram on the wire, through the NAT if it comes from behind it.
    fn send(&mut self, source: SocketAddr, destination: SocketAddr, contents: Vec<u8>) {
        let source = match self.nat {
            Some((private, public)) if source == private => public,
            _ => source,
        };
        self.in_flight
            .push((self.now + self.latency, source, destination, contents));
    }

    /// The fake STUN server: a success response carrying the request's source address.
    fn answer_stun(&mut self, from: SocketAddr, server: SocketAddr, request: &[u8]) {
        self.stun_server_requests += 1;
        if self.stun_server_mute {
            return;
        }
        let Ok(m) = Message::parse(request) else { return };
        if m.class() != Class::Request || m.method() != Method::BINDING {
            return;
        }
        let mut buf = [0u8; 128];
        let mut b = MessageBuilder::new(&mut buf, Method::BINDING, Class::SuccessResponse, m.transaction_id()).unwrap();
        b.xor_mapped_address(from).unwrap().fingerprint().unwrap();
        let len = b.finish();
        self.in_flight
            .push((self.now + self.latency, server, from, buf[..len].to_vec()));
    }

    fn collect(&mut self) {
        let now = self.now;
        for from_a in [true, false] {
            loop {
                let peer = if from_a { &mut self.a } else { &mut self.b };
                let Some(t) = peer.agent.poll_transmit(now) else { break };
                if peer.silent {
                    continue;
                }
                let (source, destination, contents) = (t.source, t.destination, t.contents.to_vec());
                if Message::parse(&contents).is_ok_and(|m| m.class() == Class::Request) {
                    self.requests_sent[usize::from(!from_a)] += 1;
                }
                if self.loss_percent > 0 && self.random_percent() < self.loss_percent {
                    self.dropped += 1;
                    continue;
                }
                self.send(source, destination, contents);
            }
        }
        // New local candidates trickle to the other side at once.
        for from_a in [true, false] {
            let (peer, other) = if from_a {
                (&mut self.a, &mut self.b)
            } else {
                (&mut self.b, &mut self.a)
            };
            while let Some(e) = peer.agent.poll_event() {
                if let IceEvent::LocalCandidate(c) = &e {
                    other.agent.add_remote_candidate(c.clone()).unwrap();
                }
                peer.events.push(e);
            }
        }
    }

    /// Advances to the next deadline or delivery. Returns false when nothing is left to happen.
    pub fn step(&mut self) -> bool {
        self.collect();
        let next = [
            self.a.agent.poll_timeout(),
            self.b.agent.poll_timeout(),
            self.in_flight.iter().map(|f| f.0).min(),
        ]
        .into_iter()
        .flatten()
        .min();
        let Some(next) = next else { return false };
        self.now = self.now.max(next);
        let now = self.now;
        let (due, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.in_flight)
            .into_iter()
            .partition(|f| f.0 <= now);
        self.in_flight = later;
        for (_, src, mut dst, bytes) in due {
            if Some(dst) == self.stun_server {
                self.answer_stun(src, dst, &bytes);
                continue;
            }
            if let Some((private, public)) = self.nat {
                if dst == private {
                    continue;
                }
                if dst == public {
                    dst = private;
                }
            }
            let peer = if dst == self.a.addr { &mut self.a } else { &mut self.b };
            if peer.silent || dst != peer.addr {
                continue;
            }
            self.delivered += 1;
            if let Received::Data(d) = peer.agent.handle_receive(now, dst, src, &bytes) {
                peer.data.push(d.to_vec());
            }
        }
        for peer in [&mut self.a, &mut self.b] {
            if peer.agent.poll_timeout().is_some_and(|t| t <= now) {
                peer.agent.handle_timeout(now);
            }
        }
        self.collect();
        true
    }

    /// Steps until `done` holds or `limit` of fake time has passed since the call; returns whether it held.
    pub fn run_until(&mut self, limit: Duration, mut done: impl FnMut(&Self) -> bool) -> bool {
        let end = self.now + limit;
        let mut steps = 0u32;
        while !done(self) {
            steps += 1;
            assert!(steps < 1_000_000, "simulation does not progress");
            if self.now > end || !self.step() {
                return done(self);
            }
        }
        true
    }

    pub fn both_connected(&self) -> bool {
        self.a.agent.state() == ConnectionState::Connected && self.b.agent.state() == ConnectionState::Connected
    }

    pub fn elapsed(&self) -> Duration {
        self.now - self.start
    }
}
