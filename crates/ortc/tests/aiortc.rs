//! Interop with aiortc (Python) over UDP on 127.0.0.1: a `PeerConnection` negotiates video with aiortc
//! (either side offering), sends it VP8 pictures encoded by libvpx, which aiortc must decode, and receives
//! aiortc's encoded test pattern.
//!
//! Needs a Python with aiortc (`python3 -m venv V && V/bin/pip install aiortc`): run with
//! `ORTC_AIORTC_PYTHON=V/bin/python cargo test -p ortc --test aiortc -- --ignored`.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

use bytes::Bytes;
use ortc::{
    Event, PeerConnection, PeerConnectionConfig, PeerConnectionState, PeerEvent, SessionDescription, TransceiverId,
};
use ortc_codecs::vpx::{VpxEncoder, VpxEncoderConfig};
use ortc_codecs::{EncodedVideo, MediaKind, VideoEncoder, VideoFrame};
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

fn write_sdp(to: &mut ChildStdin, sdp: &str) {
    writeln!(to, "{}\n.", sdp.trim_end()).unwrap();
    to.flush().unwrap();
}

fn read_sdp(from: &mut BufReader<ChildStdout>) -> String {
    let mut sdp = String::new();
    loop {
        let mut line = String::new();
        assert!(
            from.read_line(&mut line).unwrap() > 0,
            "aiortc ended before its description"
        );
        if line.trim_end() == "." {
            return sdp;
        }
        sdp.push_str(line.trim_end());
        sdp.push_str("\r\n");
    }
}

/// Waits until connected, then sends our pictures and collects aiortc's frames; checks aiortc's report.
async fn exchange(pc: &mut PeerConnection, video: TransceiverId, mut child: Child, mut stdout: BufReader<ChildStdout>) {
    let connected = async {
        while let Some(e) = pc.next_event().await {
            match e {
                PeerEvent::Core(Event::ConnectionStateChanged(PeerConnectionState::Connected)) => return true,
                PeerEvent::Core(Event::ConnectionStateChanged(PeerConnectionState::Failed)) => return false,
                _ => {}
            }
        }
        false
    };
    assert!(
        tokio::time::timeout(Duration::from_secs(5), connected).await.unwrap(),
        "not connected"
    );

    let mut encoder = VpxEncoder::new(VpxEncoderConfig {
        width: 320,
        height: 240,
        ..VpxEncoderConfig::default()
    })
    .unwrap();
    let mut encoded = EncodedVideo::default();
    let mut received = Vec::new();
    for i in 0..FRAMES {
        let mut picture = VideoFrame::new(320, 240, i * 3000);
        for (n, p) in picture.y.iter_mut().enumerate() {
            *p = (n / 320) as u8 ^ (i * 4) as u8;
        }
        assert!(encoder.encode(&picture, &mut encoded).unwrap());
        pc.write_frame(video, i * 3000, Bytes::from(encoded.data.clone()))
            .await
            .unwrap();
        let until = tokio::time::Instant::now() + Duration::from_millis(33);
        while let Ok(Some(e)) = tokio::time::timeout_at(until, pc.next_event()).await {
            if let PeerEvent::Frame { keyframe, .. } = e {
                received.push(keyframe);
            }
        }
    }
    let stats = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        line
    })
    .await
    .unwrap();
    let fields: Vec<&str> = stats.split_whitespace().collect();
    assert_eq!(fields.first(), Some(&"stats"), "{stats}");
    let packets: u64 = fields[1].parse().unwrap();
    let decoded: u32 = fields[2].parse().unwrap();
    assert!(packets >= u64::from(FRAMES), "aiortc received {packets} packets");
    assert!(
        decoded >= FRAMES - 10,
        "aiortc decoded {decoded} of our {FRAMES} frames"
    );
    assert_eq!(fields[3], "connected", "{stats}");
    assert!(received.len() >= 20, "{} frames from aiortc", received.len());
    assert!(received[0], "the first frame from aiortc is a keyframe");
    assert!(child.wait().unwrap().success());
    pc.close().await.unwrap();
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
    let answer = read_sdp(&mut stdout);
    pc.set_remote_description(SessionDescription::answer(answer))
        .await
        .unwrap();
    exchange(&mut pc, video, child, stdout).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs aiortc: set ORTC_AIORTC_PYTHON to a Python that has it"]
async fn we_answer_an_aiortc_offer_and_media_flows_both_ways() {
    let (child, mut stdin, mut stdout) = aiortc("offer");
    let mut pc = PeerConnection::new(PeerConnectionConfig::default()).await.unwrap();
    let offer = read_sdp(&mut stdout);
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
    exchange(&mut pc, video, child, stdout).await;
}
