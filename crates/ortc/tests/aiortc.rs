//! Interop with aiortc (Python) over UDP on 127.0.0.1: a `PeerConnection` negotiates video with aiortc
//! (either side offering), sends it VP8 pictures encoded by libvpx, which aiortc must decode, and receives
//! aiortc's encoded test pattern.
//!
//! Needs a Python with aiortc (`python3 -m venv V && V/bin/pip install aiortc`): run with
//! `ORTC_AIORTC_PYTHON=V/bin/python cargo test -p ortc --test aiortc -- --ignored`.

#![allow(clippy::unwrap_used)]

mod interop;

use std::io::BufReader;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use interop::{exchange, read_sdp, write_sdp};
use ortc::{PeerConnection, PeerConnectionConfig, SessionDescription};
use ortc_codecs::MediaKind;
use ortc_rtp_api::RtpTransceiverDirection;

const FRAMES: u32 = 60;

/// The aiortc peer, offering or answering, sending for `seconds`.
fn aiortc(mode: &str) -> (Child, ChildStdin, BufReader<ChildStdout>) {
    let python = std::env::var("ORTC_AIORTC_PYTHON").expect("ORTC_AIORTC_PYTHON names a Python with aiortc");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/aiortc_peer.py");
    let mut child = Command::new(python)
        .args([script, "4", mode])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    (child, stdin, stdout)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs aiortc: set ORTC_AIORTC_PYTHON to a Python that has it"]
async fn aiortc_answers_our_offer_and_media_flows_both_ways() {
    let (child, mut stdin, mut stdout) = aiortc("answer");
    let mut pc = PeerConnection::new(PeerConnectionConfig::default()).await.unwrap();
    let video = pc
        .add_transceiver(MediaKind::Video, RtpTransceiverDirection::Sendrecv)
        .await
        .unwrap();
    let offer = pc.create_offer().await.unwrap();
    pc.set_local_description(offer.clone()).await.unwrap();
    write_sdp(&mut stdin, &offer.sdp);
    let answer = read_sdp(&mut stdout, "aiortc");
    pc.set_remote_description(SessionDescription::answer(answer))
        .await
        .unwrap();
    exchange(&mut pc, video, child, stdout, "aiortc", FRAMES, FRAMES - 10).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs aiortc: set ORTC_AIORTC_PYTHON to a Python that has it"]
async fn we_answer_an_aiortc_offer_and_media_flows_both_ways() {
    let (child, mut stdin, mut stdout) = aiortc("offer");
    let mut pc = PeerConnection::new(PeerConnectionConfig::default()).await.unwrap();
    let offer = read_sdp(&mut stdout, "aiortc");
    pc.set_remote_description(SessionDescription::offer(offer))
        .await
        .unwrap();
    let (video, kind) = pc.transceivers().await.unwrap()[0];
    assert_eq!(kind, MediaKind::Video);
    pc.set_direction(video, RtpTransceiverDirection::Sendrecv)
        .await
        .unwrap();
    let answer = pc.create_answer().await.unwrap();
    pc.set_local_description(answer.clone()).await.unwrap();
    write_sdp(&mut stdin, &answer.sdp);
    exchange(&mut pc, video, child, stdout, "aiortc", FRAMES, FRAMES - 10).await;
}
