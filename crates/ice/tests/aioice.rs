//! Interop with a real peer nobody here wrote: the Python `aioice` agent, over UDP on 127.0.0.1, in both roles.
//!
//! The test makes its own virtualenv with aioice from `PyPI` if none is there (`$ORTC_AIOICE_VENV`, else one
//! in cargo's per-target temporary directory), so a fresh machine with `python3` and network access runs it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use ortc_ice::{AgentConfig, Candidate, CandidateKind, ConnectionState, Credentials, IceAgent, Received, Role};
use ortc_sdp as sdp;

const AIOICE_VERSION: &str = "0.13.0";

fn venv_python() -> PathBuf {
    let venv = std::env::var_os("ORTC_AIOICE_VENV").map_or_else(
        || PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("venv-aioice"),
        PathBuf::from,
    );
    let python = venv.join("bin/python");
    // The test processes run in parallel: one creates the venv while the others wait on this lock.
    if let Some(parent) = venv.parent() {
        std::fs::create_dir_all(parent).expect("venv parent directory");
    }
    let lock = std::fs::File::create(venv.with_extension("lock")).expect("venv lock file");
    lock.lock().expect("venv lock");
    let ready = Command::new(&python)
        .args(["-c", "import aioice"])
        .status()
        .is_ok_and(|s| s.success());
    if !ready {
        let ok = Command::new("python3")
            .arg("-m")
            .arg("venv")
            .arg(&venv)
            .status()
            .expect("python3 runs")
            .success();
        assert!(ok, "python3 -m venv {} failed", venv.display());
        let ok = Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", &format!("aioice=={AIOICE_VERSION}")])
            .status()
            .expect("pip runs")
            .success();
        assert!(ok, "pip install aioice failed");
    }
    python
}

/// An ICE candidate from an SDP `candidate` line, as the facade converts it.
fn from_sdp(line: &str) -> Candidate {
    let c: sdp::Candidate = line.parse().unwrap();
    assert_eq!(c.transport, sdp::CandidateTransport::Udp, "{line}");
    let ip = |a: &sdp::CandidateAddress| match a {
        sdp::CandidateAddress::Ip(ip) => *ip,
        sdp::CandidateAddress::Fqdn(name) => panic!("aioice signalled a host name: {name}"),
    };
    let kind = match c.typ {
        sdp::CandidateType::Host => CandidateKind::Host,
        sdp::CandidateType::ServerReflexive => CandidateKind::ServerReflexive,
        sdp::CandidateType::PeerReflexive => CandidateKind::PeerReflexive,
        sdp::CandidateType::Relay => CandidateKind::Relayed,
        sdp::CandidateType::Other(t) => panic!("candidate type {t}"),
    };
    let related = c
        .related_address
        .as_ref()
        .zip(c.related_port)
        .map(|(a, p)| SocketAddr::new(ip(a), p));
    Candidate::new(
        c.foundation,
        c.component,
        c.priority,
        SocketAddr::new(ip(&c.address), c.port),
        kind,
        related,
    )
}

/// The SDP `candidate` line of an ICE candidate.
fn to_sdp(c: &Candidate) -> String {
    let typ = match c.kind {
        CandidateKind::Host => sdp::CandidateType::Host,
        CandidateKind::ServerReflexive => sdp::CandidateType::ServerReflexive,
        CandidateKind::PeerReflexive => sdp::CandidateType::PeerReflexive,
        CandidateKind::Relayed => sdp::CandidateType::Relay,
    };
    let mut line = sdp::Candidate::new(
        c.foundation.clone(),
        c.component,
        sdp::CandidateTransport::Udp,
        c.priority,
        sdp::CandidateAddress::Ip(c.addr.ip()),
        c.addr.port(),
        typ,
    );
    line.related_address = c.related.map(|r| sdp::CandidateAddress::Ip(r.ip()));
    line.related_port = c.related.map(|r| r.port());
    line.to_string()
}

fn interop(role: Role) {
    let python = venv_python();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/aioice_peer.py");
    let their_role = if role == Role::Controlling {
        "controlled"
    } else {
        "controlling"
    };
    let mut child = Command::new(python)
        .args([script, their_role])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("aioice peer starts");
    let mut stdin = child.stdin.take().unwrap();
    let (lines_tx, lines) = mpsc::channel::<String>();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });

    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let local = socket.local_addr().unwrap();
    let start = Instant::now();
    let mut agent = IceAgent::new(AgentConfig::new(role), start).unwrap();
    agent.add_local_candidate(Candidate::host(local)).unwrap();

    // Their credentials and candidates.
    let (mut ufrag, mut pwd) = (String::new(), String::new());
    loop {
        let line = lines
            .recv_timeout(Duration::from_secs(30))
            .expect("aioice peer signals");
        match line.split_once(' ') {
            Some(("ufrag", v)) => v.clone_into(&mut ufrag),
            Some(("pwd", v)) => v.clone_into(&mut pwd),
            Some(("cand", v)) => agent.add_remote_candidate(from_sdp(v)).unwrap(),
            _ if line == "end" => break,
            _ => panic!("unexpected line from the peer: {line}"),
        }
    }
    agent.set_remote_credentials(Credentials::new(ufrag, pwd).unwrap());
    agent.set_remote_end_of_candidates();
    let ours = agent.local_credentials().clone();
    let mut signal = format!("ufrag {}\npwd {}\n", ours.ufrag, ours.pwd);
    for c in agent.local_candidates() {
        signal.push_str("cand ");
        signal.push_str(&to_sdp(c));
        signal.push('\n');
    }
    signal.push_str("end\n");
    stdin.write_all(signal.as_bytes()).unwrap();
    stdin.flush().unwrap();

    let payload = b"\x17 payload over the selected pair".to_vec();
    let (mut peer_connected, mut peer_echoed, mut sent, mut echoed) = (false, false, false, false);
    let mut buf = [0u8; 2048];
    let deadline = start + Duration::from_secs(20);
    while !(peer_echoed && echoed) {
        let now = Instant::now();
        assert!(
            now < deadline,
            "timed out: ours {:?}, peer connected {peer_connected}, echo {echoed}",
            agent.state()
        );
        agent.handle_timeout(now);
        while let Some(t) = agent.poll_transmit(now) {
            assert_eq!(t.source, local);
            socket.send_to(t.contents, t.destination).unwrap();
        }
        while let Ok(line) = lines.try_recv() {
            peer_connected |= line == "connected";
            peer_echoed |= line == "echoed";
        }
        if !sent && peer_connected && agent.state() == ConnectionState::Connected {
            let pair = agent.selected_pair().unwrap();
            socket.send_to(&payload, pair.remote).unwrap();
            sent = true;
        }
        let wait = agent
            .poll_timeout()
            .map_or(Duration::from_millis(20), |t| t.saturating_duration_since(now));
        socket
            .set_read_timeout(Some(wait.clamp(Duration::from_millis(1), Duration::from_millis(20))))
            .unwrap();
        if let Ok((n, from)) = socket.recv_from(&mut buf) {
            let from: SocketAddr = from;
            if let Received::Data(d) = agent.handle_receive(Instant::now(), local, from, &buf[..n]) {
                assert_eq!(d, payload.as_slice());
                echoed = true;
            }
        }
    }
    assert_eq!(agent.state(), ConnectionState::Connected);
    assert_eq!(agent.stats().integrity_failures + agent.stats().fingerprint_failures, 0);
    let status = child.wait().unwrap();
    assert!(status.success(), "aioice peer exited with {status}");
}

#[test]
fn aioice_controlled_peer() {
    interop(Role::Controlling);
}

#[test]
fn aioice_controlling_peer() {
    interop(Role::Controlled);
}
