//! Every datagram the agent drops is counted in `IceStats`, under its reason.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::time::Instant;

use ortc_ice::stun::{Class, MessageBuilder, Method, TransactionId};
use ortc_ice::{AgentConfig, Candidate, Credentials, DropReason, IceAgent, IceStats, Received, Role, StunError};

const LOCAL: &str = "10.0.0.1:5000";
const REMOTE: &str = "10.0.0.2:6000";
const LOCAL_PWD: &str = "localpassword0123456789";

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn agent(now: Instant) -> IceAgent {
    let mut config = AgentConfig::new(Role::Controlled);
    config.test_seed = Some(1);
    config.credentials = Some(Credentials::new("locl", LOCAL_PWD).unwrap());
    let mut agent = IceAgent::new(config, now).unwrap();
    agent.add_local_candidate(Candidate::host(addr(LOCAL))).unwrap();
    agent.set_remote_credentials(Credentials::new("rmte", "remotepassword0123456789").unwrap());
    agent.add_remote_candidate(Candidate::host(addr(REMOTE))).unwrap();
    agent
}

/// A message of `method` and `class`; a request carries USERNAME, PRIORITY and ICE-CONTROLLING and
/// MESSAGE-INTEGRITY with `pwd`. FINGERPRINT always.
fn message(method: Method, class: Class, pwd: &str) -> Vec<u8> {
    let mut buf = [0u8; 256];
    let mut b = MessageBuilder::new(&mut buf, method, class, TransactionId([9; 12])).unwrap();
    if class == Class::Request {
        b.username("locl:rmte")
            .unwrap()
            .priority(1)
            .unwrap()
            .ice_controlling(5)
            .unwrap();
    }
    b.message_integrity(pwd.as_bytes()).unwrap().fingerprint().unwrap();
    let n = b.finish();
    buf[..n].to_vec()
}

/// The drop counters, by name.
fn counters(s: &IceStats) -> [(&'static str, u64); 7] {
    [
        ("malformed", s.malformed),
        ("fingerprint_failures", s.fingerprint_failures),
        ("integrity_failures", s.integrity_failures),
        ("unsupported_method", s.unsupported_method),
        ("unmatched_responses", s.unmatched_responses),
        ("unknown_local_address", s.unknown_local_address),
        ("data_dropped", s.data_dropped),
    ]
}

#[test]
fn each_drop_reason_counts_under_its_counter() {
    let now = Instant::now();
    let request = message(Method::BINDING, Class::Request, LOCAL_PWD);
    let mut bad_fingerprint = request.clone();
    *bad_fingerprint.last_mut().unwrap() ^= 1;
    let mut truncated = request[..20].to_vec();
    truncated[3] = 8; // says 8 bytes of attributes follow; none do
    let cases: [(&str, Vec<u8>, &str, DropReason); 7] = [
        (
            LOCAL,
            truncated,
            "malformed",
            DropReason::Malformed(StunError::LengthMismatch { declared: 8, actual: 0 }),
        ),
        (
            LOCAL,
            bad_fingerprint,
            "fingerprint_failures",
            DropReason::BadFingerprint,
        ),
        (
            LOCAL,
            message(Method::BINDING, Class::Request, "wrongpassword0123456789"),
            "integrity_failures",
            DropReason::BadIntegrity,
        ),
        (
            LOCAL,
            message(Method(0x003), Class::Request, LOCAL_PWD),
            "unsupported_method",
            DropReason::UnsupportedMethod,
        ),
        (
            LOCAL,
            message(Method::BINDING, Class::SuccessResponse, "remotepassword0123456789"),
            "unmatched_responses",
            DropReason::UnknownTransaction,
        ),
        (
            "10.0.0.9:5000",
            request,
            "unknown_local_address",
            DropReason::UnknownLocalAddress,
        ),
        (
            LOCAL,
            b"\x17\xfe\xfd not stun".to_vec(),
            "data_dropped",
            DropReason::NotOnValidPair,
        ),
    ];
    for (local, datagram, counter, reason) in cases {
        let mut agent = agent(now);
        let before = counters(&agent.stats());
        let got = agent.handle_receive(now, addr(local), addr(REMOTE), &datagram);
        assert_eq!(got, Received::Dropped(reason.clone()));
        let after = counters(&agent.stats());
        for ((name, b), (_, a)) in before.iter().zip(after) {
            let expected = b + u64::from(*name == counter);
            assert_eq!(a, expected, "{reason:?}: {name} went from {b} to {a}");
        }
    }
}
