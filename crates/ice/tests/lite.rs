//! ICE-lite: a full agent and an ICE-lite agent on a fake clock.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{Sim, config};
use ortc_ice::{AgentConfig, ConnectionState, IceEvent, Role};

fn lite(seed: u64) -> AgentConfig {
    let mut c = config(Role::Controlling, seed);
    c.ice_lite = true;
    c
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

fn exchange_data(sim: &mut Sim) {
    assert!(sim.send_data(true, b"full"));
    assert!(sim.send_data(false, b"lite"));
    sim.run_until(Duration::from_secs(1), |s| !s.a.data.is_empty() && !s.b.data.is_empty());
    assert_eq!(sim.b.data, [b"full".to_vec()]);
    assert_eq!(sim.a.data, [b"lite".to_vec()]);
}

#[test]
fn lite_agent_answers_and_follows_the_nomination() {
    let mut sim = Sim::new(config(Role::Controlling, 91), lite(92), 9);
    // A lite agent is controlled whatever the config says, and gathers nothing.
    assert!(sim.b.agent.is_ice_lite());
    assert_eq!(sim.b.agent.role(), Role::Controlled);
    sim.a.agent.set_remote_ice_lite(true);
    connect(&mut sim, Duration::from_secs(2));
    assert_eq!(sim.requests_sent[1], 0, "the lite agent sent requests");
    assert!(sim.requests_sent[0] > 0);
    let (pa, pb) = (
        sim.a.agent.selected_pair().unwrap(),
        sim.b.agent.selected_pair().unwrap(),
    );
    assert_eq!((pa.local, pa.remote), (pb.remote, pb.local));
    assert_eq!(sim.b.states(), [ConnectionState::Checking, ConnectionState::Connected]);
    exchange_data(&mut sim);

    // The full agent's consent checks keep both sides up; the lite one still sends no requests.
    sim.run_until(Duration::from_mins(1), |_| false);
    assert!(sim.both_connected());
    assert_eq!(sim.requests_sent[1], 0);
    assert_eq!(
        sim.a.agent.stats().role_conflicts + sim.b.agent.stats().role_conflicts,
        0
    );

    // Without the full agent's checks, the lite agent's consent runs out too.
    sim.a.silent = true;
    let silent_at = sim.now;
    assert!(sim.run_until(Duration::from_secs(40), |s| s.b.agent.state()
        == ConnectionState::Failed));
    let after = sim.now - silent_at;
    assert!(
        after > Duration::from_secs(25) && after <= Duration::from_secs(31),
        "{after:?}"
    );
}

#[test]
fn full_agent_controls_a_lite_peer() {
    // Configured controlled, told the peer is lite: it takes the controlling role before checks start.
    let mut sim = Sim::new(config(Role::Controlled, 101), lite(102), 10);
    sim.a.agent.set_remote_ice_lite(true);
    assert!(sim.a.agent.remote_ice_lite());
    assert_eq!(sim.a.agent.role(), Role::Controlling);
    connect(&mut sim, Duration::from_secs(2));
    assert!(sim.a.events.contains(&IceEvent::RoleChanged(Role::Controlling)));
    assert_eq!(
        sim.a.agent.stats().role_conflicts + sim.b.agent.stats().role_conflicts,
        0
    );
    assert_eq!(sim.requests_sent[1], 0);
    exchange_data(&mut sim);
}

#[test]
fn lite_agent_makes_a_controlled_full_peer_switch() {
    // Not told the peer is lite, the controlled full agent gets 487 and switches to controlling.
    let mut sim = Sim::new(config(Role::Controlled, 111), lite(112), 11);
    connect(&mut sim, Duration::from_secs(3));
    assert_eq!(sim.a.agent.role(), Role::Controlling);
    assert_eq!(sim.b.agent.role(), Role::Controlled);
    assert!(sim.b.agent.stats().role_conflicts > 0);
    assert_eq!(sim.requests_sent[1], 0);
    exchange_data(&mut sim);
}
