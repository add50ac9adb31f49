//! How the agent takes responses: from STUN servers without FINGERPRINT, unauthenticated 400/401 errors, and
//! consent responses over the wrong addresses. One agent, the peer played by hand, on a fake clock.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ortc_ice::stun::{Class, Message, MessageBuilder, Method};
use ortc_ice::{
    AgentConfig, Candidate, CandidateKind, ConnectionState, Credentials, DropReason, IceAgent, IceEvent, PairState,
    Received, Role,
};

const LOCAL: &str = "10.0.0.1:5000";
const REMOTE: &str = "10.0.0.2:6000";
const ELSEWHERE: &str = "10.0.0.3:6000";
const SERVER: &str = "198.51.100.1:3478";
const PUBLIC: &str = "203.0.113.1:40000";
const REMOTE_PWD: &str = "remotepassword0123456789";

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn config() -> AgentConfig {
    let mut config = AgentConfig::new(Role::Controlling);
    config.test_seed = Some(11);
    config
}

/// A controlling agent with one pair, LOCAL to REMOTE.
fn agent(config: AgentConfig, now: Instant) -> IceAgent {
    let mut agent = IceAgent::new(config, now).unwrap();
    agent.add_local_candidate(Candidate::host(addr(LOCAL))).unwrap();
    agent.set_remote_credentials(Credentials::new("rmte", REMOTE_PWD).unwrap());
    agent.add_remote_candidate(Candidate::host(addr(REMOTE))).unwrap();
    agent.set_remote_end_of_candidates();
    agent
}

/// A response to `request`: success with XOR-MAPPED-ADDRESS `mapped`, or error `code`; MESSAGE-INTEGRITY with
/// `pwd` if given; FINGERPRINT if `fingerprint`.
fn response(request: &[u8], error: Option<u16>, mapped: &str, pwd: Option<&str>, fingerprint: bool) -> Vec<u8> {
    let request = Message::parse(request).unwrap();
    let class = if error.is_some() {
        Class::ErrorResponse
    } else {
        Class::SuccessResponse
    };
    let mut buf = [0u8; 256];
    let mut b = MessageBuilder::new(&mut buf, Method::BINDING, class, request.transaction_id()).unwrap();
    match error {
        Some(code) => b.error_code(code, "no").unwrap(),
        None => b.xor_mapped_address(addr(mapped)).unwrap(),
    };
    if let Some(pwd) = pwd {
        b.message_integrity(pwd.as_bytes()).unwrap();
    }
    if fingerprint {
        b.fingerprint().unwrap();
    }
    let n = b.finish();
    buf[..n].to_vec()
}

/// Runs the agent's timers for `duration`, handing every request it sends to `answer` (which may reply with a
/// datagram and the address it comes from). Returns the requests sent.
fn run(
    agent: &mut IceAgent,
    now: &mut Instant,
    duration: Duration,
    mut answer: impl FnMut(&[u8]) -> Option<(&'static str, Vec<u8>)>,
) -> Vec<Vec<u8>> {
    let end = *now + duration;
    let mut sent = Vec::new();
    loop {
        agent.handle_timeout(*now);
        while let Some(t) = agent.poll_transmit(*now) {
            let contents = t.contents.to_vec();
            if let Some((from, reply)) = answer(&contents) {
                agent.handle_receive(*now, addr(LOCAL), addr(from), &reply);
            }
            sent.push(contents);
        }
        match agent.poll_timeout() {
            Some(t) if t <= end => *now = t.max(*now),
            _ => break,
        }
    }
    *now = end;
    sent
}

#[test]
fn a_stun_server_answer_without_fingerprint_is_taken() {
    let mut now = Instant::now();
    let mut config = config();
    config.stun_servers = vec![addr(SERVER)];
    let mut agent = IceAgent::new(config, now).unwrap();
    agent.add_local_candidate(Candidate::host(addr(LOCAL))).unwrap();
    let t = agent.poll_transmit(now).unwrap();
    assert_eq!(t.destination, addr(SERVER));
    let reply = response(t.contents, None, PUBLIC, None, false);
    assert_eq!(
        agent.handle_receive(now, addr(LOCAL), addr(SERVER), &reply),
        Received::Stun
    );
    let events: Vec<_> = std::iter::from_fn(|| agent.poll_event()).collect();
    assert!(
        events.iter().any(
            |e| matches!(e, IceEvent::LocalCandidate(c) if c.kind == CandidateKind::ServerReflexive && c.addr == addr(PUBLIC))
        ),
        "{events:?}"
    );
    assert!(events.contains(&IceEvent::GatheringComplete));
    assert_eq!(agent.stats().fingerprint_failures, 0);
    // No retransmission follows: the transaction is over.
    let tid = Message::parse(&reply).unwrap().transaction_id();
    for request in run(&mut agent, &mut now, Duration::from_secs(10), |_| None) {
        assert_ne!(Message::parse(&request).unwrap().transaction_id(), tid);
    }
}

#[test]
fn check_responses_still_need_a_fingerprint() {
    let mut now = Instant::now();
    let mut agent = agent(config(), now);
    let mut got = None;
    run(&mut agent, &mut now, Duration::from_millis(1), |request| {
        let reply = response(request, None, LOCAL, Some(REMOTE_PWD), false);
        got = Some(reply.clone());
        Some((REMOTE, reply))
    });
    let reply = got.unwrap();
    assert_eq!(
        agent.handle_receive(now, addr(LOCAL), addr(REMOTE), &reply),
        Received::Dropped(DropReason::BadFingerprint)
    );
    assert_eq!(agent.pairs().next().unwrap().2, PairState::InProgress);
}

#[test]
fn unauthenticated_400_and_401_fail_the_check_at_once() {
    for code in [400, 401] {
        let mut now = Instant::now();
        let mut agent = agent(config(), now);
        let sent = run(&mut agent, &mut now, Duration::from_secs(40), |request| {
            Some((REMOTE, response(request, Some(code), LOCAL, None, true)))
        });
        assert_eq!(
            sent.len(),
            1,
            "{code}: the check was retransmitted {} times",
            sent.len() - 1
        );
        assert_eq!(agent.pairs().next().unwrap().2, PairState::Failed);
        assert_eq!(agent.state(), ConnectionState::Failed);
        assert_eq!(agent.stats().integrity_failures, 0);
    }
}

#[test]
fn unauthenticated_errors_from_elsewhere_or_of_other_codes_change_nothing() {
    // 401 from an address the request did not go to, and 487 without MESSAGE-INTEGRITY: both ignored, so the
    // check goes on being retransmitted.
    for (from, code, reason) in [
        (ELSEWHERE, 401, DropReason::UnknownTransaction),
        (REMOTE, 487, DropReason::BadIntegrity),
    ] {
        let mut now = Instant::now();
        let mut agent = agent(config(), now);
        let mut results = Vec::new();
        let sent = run(&mut agent, &mut now, Duration::from_secs(2), |request| {
            let reply = response(request, Some(code), LOCAL, None, true);
            results.push(reply.clone());
            None
        });
        assert!(sent.len() > 1);
        for reply in &results {
            assert_eq!(
                agent.handle_receive(now, addr(LOCAL), addr(from), reply),
                Received::Dropped(reason.clone())
            );
        }
        assert_eq!(agent.pairs().next().unwrap().2, PairState::InProgress, "{from} {code}");
        assert_eq!(agent.role(), Role::Controlling);
    }
}

/// Connects the agent (answering its checks from REMOTE), then answers its consent checks from `consent_from`
/// for `duration`.
fn consent_answered_from(consent_from: &'static str, duration: Duration) -> IceAgent {
    let mut now = Instant::now();
    let mut agent = agent(config(), now);
    run(&mut agent, &mut now, Duration::from_secs(1), |request| {
        Some((REMOTE, response(request, None, LOCAL, Some(REMOTE_PWD), true)))
    });
    assert_eq!(agent.state(), ConnectionState::Connected);
    let consent = run(&mut agent, &mut now, duration, |request| {
        Some((consent_from, response(request, None, LOCAL, Some(REMOTE_PWD), true)))
    });
    assert!(consent.len() >= 2, "{} consent checks", consent.len());
    agent
}

#[test]
fn consent_responses_must_come_over_the_selected_pair() {
    let agent = consent_answered_from(REMOTE, Duration::from_secs(20));
    assert_eq!(agent.state(), ConnectionState::Connected);

    let agent = consent_answered_from(ELSEWHERE, Duration::from_secs(20));
    assert_eq!(agent.state(), ConnectionState::Disconnected);
    assert!(agent.stats().unmatched_responses >= 2);
}
