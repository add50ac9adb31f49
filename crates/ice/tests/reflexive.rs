//! Server- and peer-reflexive candidates: an agent behind a NAT, with and without a STUN server, on a fake clock.
#![allow(clippy::unwrap_used)]

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{Sim, config};
use ortc_ice::{CandidateKind, ConnectionState, IceEvent, Role, candidate_priority};

const PRIVATE: &str = "10.0.0.1:5000";
const PUBLIC: &str = "203.0.113.1:40000";
const SERVER: &str = "198.51.100.1:3478";
const B: &str = "10.0.0.2:6000";

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// `a` behind a NAT, optionally asking a STUN server.
fn natted(seed: u64, stun: bool) -> Sim {
    let mut a = config(Role::Controlling, seed);
    if stun {
        a.stun_servers = vec![addr(SERVER)];
    }
    let mut sim = Sim::new(a, config(Role::Controlled, seed + 1), seed);
    sim.nat = Some((addr(PRIVATE), addr(PUBLIC)));
    sim.stun_server = Some(addr(SERVER));
    sim
}

fn connect(sim: &mut Sim, limit: Duration) {
    assert!(
        sim.run_until(limit, Sim::both_connected),
        "not connected after {:?}: a {:?} b {:?}",
        sim.elapsed(),
        sim.a.agent.state(),
        sim.b.agent.state()
    );
}

#[test]
fn server_reflexive_candidate_through_a_nat() {
    let mut sim = natted(61, true);
    connect(&mut sim, Duration::from_secs(2));

    let srflx: Vec<_> = sim
        .a
        .events
        .iter()
        .filter_map(|e| match e {
            IceEvent::LocalCandidate(c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(srflx.len(), 1, "{:?}", sim.a.events);
    let c = &srflx[0];
    assert_eq!(c.kind, CandidateKind::ServerReflexive);
    assert_eq!(c.addr, addr(PUBLIC));
    assert_eq!(c.related, Some(addr(PRIVATE)));
    assert_eq!(c.priority, candidate_priority(CandidateKind::ServerReflexive, 65535, 1));
    assert_eq!(c.priority >> 24, 100);
    let gathered = sim
        .a
        .events
        .iter()
        .position(|e| *e == IceEvent::GatheringComplete)
        .unwrap();
    let announced = sim
        .a
        .events
        .iter()
        .position(|e| matches!(e, IceEvent::LocalCandidate(_)))
        .unwrap();
    assert!(announced < gathered);
    assert_eq!(sim.stun_server_requests, 1);
    // b got nothing to gather.
    assert!(!sim.b.events.contains(&IceEvent::GatheringComplete));

    // The srflx candidate is replaced by its base when pairing: a has one pair, from the host candidate.
    assert_eq!(sim.a.agent.pairs().count(), 1);
    // The response's mapped address is the srflx candidate: no peer-reflexive candidate appears.
    assert!(
        !sim.a
            .agent
            .local_candidates()
            .iter()
            .any(|c| c.kind == CandidateKind::PeerReflexive)
    );
    let (pa, pb) = (
        sim.a.agent.selected_pair().unwrap(),
        sim.b.agent.selected_pair().unwrap(),
    );
    assert_eq!((pa.local, pa.remote), (addr(PRIVATE), addr(B)));
    assert_eq!((pb.local, pb.remote), (addr(B), addr(PUBLIC)));

    assert!(sim.send_data(true, b"from behind the NAT"));
    assert!(sim.send_data(false, b"to the NAT"));
    sim.run_until(Duration::from_secs(1), |s| !s.a.data.is_empty() && !s.b.data.is_empty());
    assert_eq!(sim.b.data, [b"from behind the NAT".to_vec()]);
    assert_eq!(sim.a.data, [b"to the NAT".to_vec()]);
    sim.run_until(Duration::from_mins(1), |_| false);
    assert!(sim.both_connected());
}

#[test]
fn gathering_completes_when_the_server_never_answers() {
    let mut sim = natted(71, true);
    sim.stun_server_mute = true;
    connect(&mut sim, Duration::from_secs(2));
    assert!(sim.run_until(Duration::from_secs(30), |s| {
        s.a.events.contains(&IceEvent::GatheringComplete)
    }));
    // Rc = 7 transmissions, RTO 0.5 s doubling up to 3 s, then one more RTO: 15.5 s.
    let took = sim.elapsed();
    assert!(
        took >= Duration::from_millis(15_500) && took < Duration::from_millis(15_600),
        "{took:?}"
    );
    assert_eq!(sim.stun_server_requests, 7);
    assert!(!sim.a.events.iter().any(|e| matches!(e, IceEvent::LocalCandidate(_))));
    assert_eq!(sim.a.agent.state(), ConnectionState::Connected);
}

#[test]
fn peer_reflexive_local_candidate_from_a_check_response() {
    let mut sim = natted(81, false);
    connect(&mut sim, Duration::from_secs(3));
    let prflx: Vec<_> = sim
        .a
        .agent
        .local_candidates()
        .iter()
        .filter(|c| c.kind == CandidateKind::PeerReflexive)
        .cloned()
        .collect();
    assert_eq!(prflx.len(), 1, "{:?}", sim.a.agent.local_candidates());
    assert_eq!(prflx[0].addr, addr(PUBLIC));
    assert_eq!(prflx[0].related, Some(addr(PRIVATE)));
    // The priority is the PRIORITY the check carried.
    assert_eq!(
        prflx[0].priority,
        candidate_priority(CandidateKind::PeerReflexive, 65535, 1)
    );
    // Peer-reflexive candidates are not signalled.
    assert!(!sim.a.events.iter().any(|e| matches!(e, IceEvent::LocalCandidate(_))));
    // Media goes from the base.
    let pa = sim.a.agent.selected_pair().unwrap();
    assert_eq!((pa.local, pa.remote), (addr(PRIVATE), addr(B)));
    let pb = sim.b.agent.selected_pair().unwrap();
    assert_eq!(pb.remote, addr(PUBLIC));
    // b learned a's public address as a peer-reflexive remote candidate from a's check (RFC 8445 §7.3.1.3),
    // next to the signalled (unreachable) host address.
    let remotes: Vec<_> = sim.b.agent.pairs().map(|(_, remote, _)| remote).collect();
    assert_eq!(remotes.len(), 2, "{remotes:?}");
    assert!(remotes.contains(&addr(PUBLIC)) && remotes.contains(&addr(PRIVATE)));
    assert!(sim.send_data(true, b"prflx"));
    sim.run_until(Duration::from_secs(1), |s| !s.b.data.is_empty());
    assert_eq!(sim.b.data, [b"prflx".to_vec()]);
}
