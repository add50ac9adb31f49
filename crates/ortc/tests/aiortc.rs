//! Interop with aiortc (Python): a `PeerConnection` over UDP on 127.0.0.1 offers video, aiortc answers and
//! sends its test pattern; both sides' media must arrive.
//!
//! Needs a Python with aiortc (`python3 -m venv V && V/bin/pip install aiortc`): run with
//! `ORTC_AIORTC_PYTHON=V/bin/python cargo test -p ortc --test aiortc -- --ignored`.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use bytes::Bytes;
use ortc::{Event, PeerConnection, PeerConnectionConfig, PeerConnectionState, PeerEvent, SessionDescription};
use ortc_codecs::vpx::{VpxEncoder, VpxEncoderConfig};
use ortc_codecs::{EncodedVideo, MediaKind, VideoEncoder, VideoFrame};
use ortc_rtp_api::RtpTransceiverDirection;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs aiortc: set ORTC_AIORTC_PYTHON to a Python that has it"]
async fn aiortc_answers_our_offer_and_media_flows_both_ways() {
    let python = std::env::var("ORTC_AIORTC_PYTHON").expect("ORTC_AIORTC_PYTHON names a Python with aiortc");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/aiortc_peer.py");
    let mut peer = Command::new(python)
        .arg(script)
        .arg("4")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();

    let mut pc = PeerConnection::new(PeerConnectionConfig::default()).await.unwrap();
    let video = pc
        .add_transceiver(MediaKind::Video, RtpTransceiverDirection::Sendrecv)
        .await
        .unwrap();
    let offer = pc.create_offer().await.unwrap();
    pc.set_local_description(offer.clone()).await.unwrap();
    let mut stdin = peer.stdin.take().unwrap();
    writeln!(stdin, "{}\n.", offer.sdp.trim_end()).unwrap();
    drop(stdin);

    let mut stdout = BufReader::new(peer.stdout.take().unwrap());
    let mut answer = String::new();
    loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "aiortc ended before answering"
        );
        if line.trim_end() == "." {
            break;
        }
        answer.push_str(line.trim_end());
        answer.push_str("\r\n");
    }
    pc.set_remote_description(SessionDescription::answer(answer))
        .await
        .unwrap();

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

    // Our VP8 pictures (libvpx through ortc-codecs) to aiortc, which decodes them, and its encoded test
    // pattern to us.
    let mut encoder = VpxEncoder::new(VpxEncoderConfig {
        width: 320,
        height: 240,
        ..VpxEncoderConfig::default()
    })
    .unwrap();
    let mut encoded = EncodedVideo::default();
    let mut received = Vec::new();
    for i in 0..60u32 {
        let mut picture = VideoFrame::new(320, 240, i * 3000);
        picture
            .y
            .iter_mut()
            .enumerate()
            .for_each(|(n, p)| *p = (n as u32 / 320 + i * 4) as u8);
        assert!(encoder.encode(&picture, &mut encoded).unwrap());
        pc.write_frame(video, i * 3000, Bytes::from(encoded.data.clone()))
            .await
            .unwrap();
        let until = tokio::time::Instant::now() + Duration::from_millis(33);
        while let Ok(Some(e)) = tokio::time::timeout_at(until, pc.next_event()).await {
            if let PeerEvent::Frame { data, keyframe, .. } = e {
                received.push((data.len(), keyframe));
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
    let decoded: u64 = fields[2].parse().unwrap();
    assert!(packets >= 60, "aiortc received {packets} packets");
    assert!(decoded >= 50, "aiortc decoded {decoded} of our 60 frames");
    assert_eq!(fields[3], "connected", "{stats}");
    assert!(received.len() >= 20, "{} frames from aiortc", received.len());
    assert!(received[0].1, "the first frame from aiortc is a keyframe");
    assert!(peer.wait().unwrap().success());
    pc.close().await.unwrap();
}
