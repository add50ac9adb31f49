//! Drives a peer connection that answered a real Chromium offer with arbitrary datagrams from the offer's
//! candidate address, interleaved with timeouts and polls: the receive path of the facade before a
//! handshake (ICE checks and STUN, the RFC 7983 classification, DTLS, SRTP/SRTCP without keys). Nothing may
//! panic, and every datagram the core sends goes to the remote candidate.
#![no_main]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use ortc::rtp_api::RtpTransceiverDirection;
use ortc::rtcp::NtpTime;
use ortc::{CoreConfig, PeerConnectionCore, SessionDescription};

const OFFER: &str = include_str!("../../fixtures/chromium/offer.sdp");

fn answered(now: Instant) -> PeerConnectionCore {
    let mut config = CoreConfig::new(NtpTime(0xE000_0000_0000_0000));
    config.ice_test_seed = Some(7);
    let mut core = PeerConnectionCore::new(config, now).expect("core");
    core.add_host_address("127.0.0.1:20000".parse().expect("address"))
        .expect("host address");
    core.set_remote_description(now, &SessionDescription::offer(OFFER.to_owned()))
        .expect("the fixture offer applies");
    let ids: Vec<_> = core.transceivers().map(|(id, _)| id).collect();
    for id in ids {
        core.set_direction(id, RtpTransceiverDirection::Sendrecv)
            .expect("direction");
    }
    let answer = core.create_answer().expect("answer");
    core.set_local_description(now, &answer).expect("local answer");
    core
}

fuzz_target!(|data: &[u8]| {
    let mut now = Instant::now();
    let mut core = answered(now);
    let local: SocketAddr = "127.0.0.1:20000".parse().expect("address");
    // The offer's host candidate.
    let remote: SocketAddr = "127.0.0.1:53293".parse().expect("address");
    let mut rest = data;
    let mut buf = BytesMut::with_capacity(2048);
    while let Some((&op, tail)) = rest.split_first() {
        rest = tail;
        match op % 4 {
            // A datagram of the next `len` bytes.
            0 | 1 => {
                let Some((&len, tail)) = rest.split_first() else { break };
                let n = usize::from(len).min(tail.len());
                let (datagram, tail) = tail.split_at(n);
                rest = tail;
                buf.clear();
                buf.extend_from_slice(datagram);
                core.handle_datagram(now, local, remote, &mut buf);
            }
            2 => {
                let Some((&ms, tail)) = rest.split_first() else { break };
                rest = tail;
                now += Duration::from_millis(u64::from(ms) * 8);
                core.handle_timeout(now);
            }
            _ => {
                while let Some(t) = core.poll_transmit(now) {
                    assert_eq!(t.local, local);
                    assert!(!t.contents.is_empty());
                }
                while core.poll_event().is_some() {}
            }
        }
    }
    let _ = core.poll_timeout();
});
