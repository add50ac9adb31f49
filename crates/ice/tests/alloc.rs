//! In steady state — consent checks sent and answered, checks answered, application data passed through —
//! the agent allocates nothing per datagram.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ortc_ice::{AgentConfig, Candidate, ConnectionState, IceAgent, Received, Role};
use ortc_test_support::{CountingAllocator, allocations_during};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

#[test]
fn counter_sees_allocations() {
    assert!(allocations_during(|| drop(std::hint::black_box(vec![1u8; 10]))) >= 1);
}

struct Peer {
    agent: IceAgent,
    addr: SocketAddr,
}

/// Hands every queued datagram of `from` straight to `to` (no copy); returns how many.
fn deliver(now: Instant, from: &mut Peer, to: &mut Peer) -> u64 {
    let mut n = 0;
    while let Some(t) = from.agent.poll_transmit(now) {
        assert_eq!(t.destination, to.addr);
        to.agent.handle_receive(now, t.destination, t.source, t.contents);
        n += 1;
    }
    n
}

/// Runs both agents' timers up to `until`, delivering at once, and passes `data` each way every 20 ms.
/// Returns (STUN datagrams delivered, data datagrams handed up).
fn run(now: &mut Instant, until: Instant, a: &mut Peer, b: &mut Peer, data: &[u8]) -> (u64, u64) {
    let (mut stun, mut handed_up) = (0, 0);
    let mut next_data = *now;
    while *now < until {
        for p in [&mut *a, &mut *b] {
            if p.agent.poll_timeout().is_some_and(|t| t <= *now) {
                p.agent.handle_timeout(*now);
            }
        }
        loop {
            let n = deliver(*now, a, b) + deliver(*now, b, a);
            if n == 0 {
                break;
            }
            stun += n;
        }
        if *now >= next_data && a.agent.state() == ConnectionState::Connected {
            let (a_addr, b_addr) = (a.addr, b.addr);
            for (to, from) in [(&mut *a, b_addr), (&mut *b, a_addr)] {
                let addr = to.addr;
                if let Received::Data(d) = to.agent.handle_receive(*now, addr, from, data) {
                    assert_eq!(d.len(), data.len());
                    handed_up += 1;
                }
            }
            next_data = *now + Duration::from_millis(20);
        }
        let next = [a.agent.poll_timeout(), b.agent.poll_timeout(), Some(next_data)]
            .into_iter()
            .flatten()
            .min()
            .unwrap();
        *now = next.max(*now + Duration::from_millis(1)).min(until);
    }
    (stun, handed_up)
}

#[test]
fn steady_state_allocates_nothing_per_datagram() {
    let mut now = Instant::now();
    let peer = |role, addr: &str| {
        let addr: SocketAddr = addr.parse().unwrap();
        let mut agent = IceAgent::new(AgentConfig::new(role), now).unwrap();
        agent.add_local_candidate(Candidate::host(addr)).unwrap();
        Peer { agent, addr }
    };
    let (mut a, mut b) = (
        peer(Role::Controlling, "10.0.0.1:5000"),
        peer(Role::Controlled, "10.0.0.2:6000"),
    );
    a.agent.set_remote_credentials(b.agent.local_credentials().clone());
    b.agent.set_remote_credentials(a.agent.local_credentials().clone());
    a.agent
        .add_remote_candidate(b.agent.local_candidates()[0].clone())
        .unwrap();
    b.agent
        .add_remote_candidate(a.agent.local_candidates()[0].clone())
        .unwrap();
    let data = [0x17u8; 1200];

    // Connect, then let queues and tables reach their working size.
    let until = now + Duration::from_secs(30);
    run(&mut now, until, &mut a, &mut b, &data);
    assert_eq!(a.agent.state(), ConnectionState::Connected);
    assert_eq!(b.agent.state(), ConnectionState::Connected);
    while a.agent.poll_event().is_some() || b.agent.poll_event().is_some() {}

    let before = (a.agent.stats(), b.agent.stats());
    let mut counts = (0, 0);
    let allocations = allocations_during(|| {
        let until = now + Duration::from_mins(1);
        counts = run(&mut now, until, &mut a, &mut b, &data);
    });
    let (stun, handed_up) = counts;
    // Consent both ways: requests and responses, every ~5 s each.
    assert!(stun >= 40, "only {stun} STUN datagrams");
    assert!(handed_up >= 5000, "only {handed_up} data datagrams");
    assert!(a.agent.stats().stun_received > before.0.stun_received);
    assert!(b.agent.stats().stun_sent > before.1.stun_sent);
    assert_eq!(a.agent.state(), ConnectionState::Connected);
    assert_eq!(
        allocations, 0,
        "{allocations} allocations for {stun} STUN and {handed_up} data datagrams"
    );
}
