//! Transaction ids and tie-breakers cannot be predicted from what an agent sends (RFC 8489 §6).
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use ortc_ice::stun::{Message, TransactionId};
use ortc_ice::{AgentConfig, Candidate, Credentials, IceAgent, Role};

/// An agent with one host candidate, eight remote candidates and remote credentials.
fn agent(config: AgentConfig, now: Instant) -> IceAgent {
    let mut agent = IceAgent::new(config, now).unwrap();
    agent
        .add_local_candidate(Candidate::host("10.0.0.1:5000".parse().unwrap()))
        .unwrap();
    agent.set_remote_credentials(Credentials::new("rmte", "remotepassword0123456789").unwrap());
    for i in 2..10 {
        let remote = format!("10.0.0.{i}:6000").parse().unwrap();
        agent.add_remote_candidate(Candidate::host(remote)).unwrap();
    }
    agent
}

/// The transaction ids and ICE-CONTROLLING values of the first `n` checks (retransmissions left out).
fn checks(agent: &mut IceAgent, start: Instant, n: usize) -> Vec<(TransactionId, u64)> {
    let mut out = Vec::new();
    let mut now = start;
    while out.len() < n {
        agent.handle_timeout(now);
        while let Some(t) = agent.poll_transmit(now) {
            let m = Message::parse(t.contents).unwrap();
            let check = (m.transaction_id(), m.ice_controlling().unwrap());
            if !out.contains(&check) {
                out.push(check);
            }
        }
        now = agent.poll_timeout().unwrap();
    }
    out
}

/// Inverse of the `SplitMix64` output function: from one output, the generator state that produced it.
fn split_mix_state(output: u64) -> u64 {
    // Inverse of x ^= x >> s for s >= 32 is the same operation; for s < 32 it is repeated.
    let unshift = |x: u64, s: u32| {
        let mut y = x;
        for _ in 0..(64 / s) {
            y = x ^ (y >> s);
        }
        y
    };
    // Multiplicative inverse modulo 2^64 by Newton's iteration.
    let inverse = |a: u64| {
        let mut x = a;
        for _ in 0..6 {
            x = x.wrapping_mul(2u64.wrapping_sub(a.wrapping_mul(x)));
        }
        x
    };
    let mut z = unshift(output, 31);
    z = unshift(z.wrapping_mul(inverse(0x94d0_49bb_1331_11eb)), 27);
    unshift(z.wrapping_mul(inverse(0xbf58_476d_1ce4_e5b9)), 30)
}

fn split_mix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[test]
fn the_inversion_breaks_a_seeded_generator() {
    // The attack the default generator must resist: one SplitMix output gives the state, hence what follows.
    let mut state = 0x1234_5678_9abc_def0;
    let first = split_mix(&mut state);
    let mut recovered = split_mix_state(first);
    assert_eq!(recovered, state);
    assert_eq!(split_mix(&mut recovered), split_mix(&mut state));
}

#[test]
fn transaction_ids_do_not_follow_from_the_tie_breaker() {
    let start = Instant::now();
    let mut a = agent(AgentConfig::new(Role::Controlling), start);
    let sent = checks(&mut a, start, 4);
    let tie_breaker = sent[0].1;
    assert_eq!(tie_breaker, a.tie_breaker());
    // Predict from the tie-breaker every id a stream-derived generator would give next.
    let mut state = split_mix_state(tie_breaker);
    let predicted: Vec<u64> = (0..64).map(|_| split_mix(&mut state)).collect();
    for (tid, _) in &sent {
        let head = u64::from_be_bytes(tid.0[..8].try_into().unwrap());
        assert!(
            !predicted.contains(&head),
            "transaction id {tid:?} follows from the tie-breaker"
        );
    }
    // Later ids do not follow from an earlier one either.
    let head = |tid: &TransactionId| u64::from_be_bytes(tid.0[..8].try_into().unwrap());
    for (i, (tid, _)) in sent.iter().enumerate() {
        let mut state = split_mix_state(head(tid));
        let next: Vec<u64> = (0..16).map(|_| split_mix(&mut state)).collect();
        for (later, _) in &sent[i + 1..] {
            assert!(!next.contains(&head(later)), "{later:?} follows from {tid:?}");
            assert_ne!(later, tid);
        }
    }
}

#[test]
fn default_agents_differ_and_only_an_injected_seed_repeats() {
    let start = Instant::now();
    let mut a = agent(AgentConfig::new(Role::Controlling), start);
    let mut b = agent(AgentConfig::new(Role::Controlling), start);
    assert_ne!(a.tie_breaker(), b.tie_breaker());
    assert_ne!(a.local_credentials(), b.local_credentials());
    assert_ne!(checks(&mut a, start, 3), checks(&mut b, start, 3));

    let seeded = || {
        let mut c = AgentConfig::new(Role::Controlling);
        c.test_seed = Some(7);
        agent(c, start)
    };
    let (mut c, mut d) = (seeded(), seeded());
    assert_eq!(c.local_credentials(), d.local_credentials());
    assert_eq!(checks(&mut c, start, 3), checks(&mut d, start, 3));
}
