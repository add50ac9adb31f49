//! Remote candidates with a host name (the mDNS `.local` names browsers use) are kept as unresolved and
//! counted, never paired; the peer's checks still connect.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{Sim, config};
use ortc_ice::{CandidateKind, IceError, Role, UnresolvedCandidate};

fn mdns(hostname: &str, component: u16) -> UnresolvedCandidate {
    UnresolvedCandidate {
        foundation: "1".into(),
        component,
        priority: 2_122_260_223,
        hostname: hostname.into(),
        port: 54_321,
        kind: CandidateKind::Host,
    }
}

#[test]
fn an_mdns_candidate_is_kept_counted_and_unpaired() {
    let mut sim = Sim::new(config(Role::Controlling, 3), config(Role::Controlled, 4), 3);
    let agent = &mut sim.a.agent;
    let pairs_before = agent.pairs().count();
    let name = "7d3f6c2e-9a1b-4c5d-8e7f-0123456789ab.local";
    agent.add_remote_unresolved_candidate(mdns(name, 1)).unwrap();
    // The same name again (in another case) is the same candidate.
    agent
        .add_remote_unresolved_candidate(mdns(&name.to_ascii_uppercase(), 1))
        .unwrap();
    assert_eq!(agent.unresolved_remote_candidates(), [mdns(name, 1)]);
    assert!(agent.unresolved_remote_candidates()[0].is_mdns());
    assert_eq!(agent.stats().unresolved_remote_candidates, 1);
    assert_eq!(agent.pairs().count(), pairs_before);
    assert_eq!(
        agent.add_remote_unresolved_candidate(mdns("x.local", 2)),
        Err(IceError::UnsupportedComponent(2))
    );

    assert!(sim.run_until(Duration::from_secs(2), Sim::both_connected));
    assert_eq!(sim.a.agent.pairs().count(), pairs_before);

    sim.a.agent.restart(None).unwrap();
    assert!(sim.a.agent.unresolved_remote_candidates().is_empty());
}
