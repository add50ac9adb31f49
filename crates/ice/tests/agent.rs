//! Two agents connect over a simulated network on a fake clock.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{Sim, config};
use ortc_ice::{ConnectionState, IceEvent, Role};

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
fn two_agents_connect_and_exchange_data() {
    let mut sim = Sim::new(config(Role::Controlling, 1), config(Role::Controlled, 2), 7);
    connect(&mut sim, Duration::from_secs(2));
    assert!(sim.elapsed() < Duration::from_millis(500), "took {:?}", sim.elapsed());
    let (pa, pb) = (
        sim.a.agent.selected_pair().unwrap(),
        sim.b.agent.selected_pair().unwrap(),
    );
    assert_eq!((pa.local, pa.remote), (pb.remote, pb.local));
    assert!(sim.a.events.contains(&IceEvent::SelectedPairChanged(pa)));
    assert_eq!(sim.a.states(), [ConnectionState::Checking, ConnectionState::Connected]);
    assert_eq!(sim.b.states(), [ConnectionState::Checking, ConnectionState::Connected]);

    assert!(sim.send_data(true, b"\x16dtls hello"));
    assert!(sim.send_data(false, b"\x80rtp"));
    sim.run_until(Duration::from_secs(1), |s| !s.a.data.is_empty() && !s.b.data.is_empty());
    assert_eq!(sim.b.data, [b"\x16dtls hello".to_vec()]);
    assert_eq!(sim.a.data, [b"\x80rtp".to_vec()]);

    // Consent keeps the connection up for a minute of fake time.
    sim.run_until(Duration::from_mins(1), |_| false);
    assert!(sim.both_connected());
    assert_eq!(
        sim.a.agent.stats().integrity_failures + sim.b.agent.stats().integrity_failures,
        0
    );
}

#[test]
fn connects_through_thirty_percent_loss() {
    for seed in 1..=5 {
        let mut sim = Sim::new(
            config(Role::Controlling, seed),
            config(Role::Controlled, seed + 100),
            seed,
        );
        sim.loss_percent = 30;
        connect(&mut sim, Duration::from_secs(20));
        // And stays connected: consent survives 30 % loss.
        sim.run_until(Duration::from_mins(2), |_| false);
        assert!(
            sim.both_connected(),
            "seed {seed}: a {:?} b {:?}",
            sim.a.agent.state(),
            sim.b.agent.state()
        );
    }
}

#[test]
fn role_conflict_resolves() {
    let mut sim = Sim::new(config(Role::Controlling, 11), config(Role::Controlling, 12), 3);
    connect(&mut sim, Duration::from_secs(5));
    let roles = [sim.a.agent.role(), sim.b.agent.role()];
    assert!(
        roles.contains(&Role::Controlling) && roles.contains(&Role::Controlled),
        "{roles:?}"
    );
    // The larger tie-breaker keeps the controlling role.
    let a_wins = sim.a.agent.tie_breaker() >= sim.b.agent.tie_breaker();
    assert_eq!(sim.a.agent.role() == Role::Controlling, a_wins);
    assert!(sim.a.agent.stats().role_conflicts + sim.b.agent.stats().role_conflicts > 0);

    let mut sim = Sim::new(config(Role::Controlled, 21), config(Role::Controlled, 22), 4);
    connect(&mut sim, Duration::from_secs(5));
    let roles = [sim.a.agent.role(), sim.b.agent.role()];
    assert!(
        roles.contains(&Role::Controlling) && roles.contains(&Role::Controlled),
        "{roles:?}"
    );
}

#[test]
fn consent_expires_when_the_peer_goes_silent() {
    let mut sim = Sim::new(config(Role::Controlling, 31), config(Role::Controlled, 32), 5);
    connect(&mut sim, Duration::from_secs(2));
    sim.b.silent = true;
    let silent_at = sim.now;
    assert!(sim.run_until(Duration::from_secs(40), |s| s.a.agent.state()
        == ConnectionState::Failed));
    let after = sim.now - silent_at;
    assert!(
        after >= Duration::from_secs(25) && after <= Duration::from_secs(31),
        "failed after {after:?}"
    );
    assert_eq!(
        sim.a.states(),
        [
            ConnectionState::Checking,
            ConnectionState::Connected,
            ConnectionState::Disconnected,
            ConnectionState::Failed
        ]
    );
    assert_eq!(sim.a.agent.selected_pair(), None);
}

#[test]
fn ice_restart_reconnects() {
    let mut sim = Sim::new(config(Role::Controlling, 41), config(Role::Controlled, 42), 6);
    connect(&mut sim, Duration::from_secs(2));
    let old = sim.a.agent.local_credentials().clone();
    sim.a.agent.restart(None).unwrap();
    sim.b.agent.restart(None).unwrap();
    assert_ne!(sim.a.agent.local_credentials(), &old);
    assert_eq!(sim.a.agent.state(), ConnectionState::Checking);
    // Media keeps flowing over the old pair meanwhile.
    assert!(sim.send_data(true, b"during restart"));
    sim.exchange();
    let events_before = sim.a.events.len();
    connect(&mut sim, Duration::from_secs(2));
    assert_eq!(sim.b.data, [b"during restart".to_vec()]);
    assert!(
        sim.a.events[events_before..]
            .iter()
            .any(|e| matches!(e, IceEvent::SelectedPairChanged(_)))
    );
    sim.run_until(Duration::from_secs(40), |_| false);
    assert!(sim.both_connected());
}

#[test]
fn signalled_role_avoids_a_conflict() {
    // Both start controlled; the signalling then makes `a` the controlling side before checks run.
    let mut sim = Sim::new(config(Role::Controlled, 31), config(Role::Controlled, 32), 5);
    sim.a.agent.set_signalled_role(Role::Controlling);
    assert_eq!(sim.a.agent.role(), Role::Controlling);
    let events: Vec<IceEvent> = std::iter::from_fn(|| sim.a.agent.poll_event()).collect();
    assert!(events.contains(&IceEvent::RoleChanged(Role::Controlling)), "{events:?}");
    connect(&mut sim, Duration::from_secs(5));
    assert_eq!(
        (sim.a.agent.role(), sim.b.agent.role()),
        (Role::Controlling, Role::Controlled)
    );
    assert_eq!(
        sim.a.agent.stats().role_conflicts + sim.b.agent.stats().role_conflicts,
        0
    );
}

#[test]
fn an_ice_lite_agent_stays_controlled_whatever_is_signalled() {
    let mut lite = config(Role::Controlled, 41);
    lite.ice_lite = true;
    let mut agent = ortc_ice::IceAgent::new(lite, std::time::Instant::now()).unwrap();
    agent.set_signalled_role(Role::Controlling);
    assert_eq!(agent.role(), Role::Controlled);
}
