//! Interop with Chromium over UDP on 127.0.0.1: Chromium offers its fake camera, a `PeerConnection`
//! answers sendrecv, receives Chromium's video and sends VP8 pictures encoded by libvpx, which Chromium must
//! decode.
//!
//! Needs Debian's `chromium` and `playwright-core` from npm, and a network namespace whose only interface is
//! `lo` (so that Chromium offers loopback candidates only):
//!
//! ```sh
//! ORTC_PLAYWRIGHT_CORE=/path/to/node_modules/playwright-core \
//!   unshare -n sh -c 'ip link set lo up && exec "$@"' sh \
//!   cargo nextest run --offline -p ortc --test chromium --run-ignored all
//! ```

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use bytes::Bytes;
use ortc::{Event, PeerConnection, PeerConnectionConfig, PeerConnectionState, PeerEvent, SessionDescription};
use ortc_codecs::vpx::{VpxEncoder, VpxEncoderConfig};
use ortc_codecs::{EncodedVideo, MediaKind, VideoEncoder, VideoFrame};
use ortc_rtp_api::RtpTransceiverDirection;

const FRAMES: u32 = 90;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and playwright-core (ORTC_PLAYWRIGHT_CORE) in a loopback-only network namespace"]
async fn we_answer_a_chromium_offer_and_video_flows_both_ways() {
    let module = std::env::var("ORTC_PLAYWRIGHT_CORE").expect("ORTC_PLAYWRIGHT_CORE names playwright-core");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/chromium_peer.js");
    let mut child = Command::new("node")
        .args([script, "5"])
        .env("ORTC_PLAYWRIGHT_CORE", module)
        // cargo's library path (the build's own libraries) is not Chromium's
        .env_remove("LD_LIBRARY_PATH")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut offer = String::new();
    loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "Chromium ended before its offer"
        );
        if line.trim_end() == "." {
            break;
        }
        offer.push_str(line.trim_end());
        offer.push_str("\r\n");
    }

    let mut pc = PeerConnection::new(PeerConnectionConfig::default()).await.unwrap();
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
    writeln!(stdin, "{}\n.", answer.sdp.trim_end()).unwrap();
    stdin.flush().unwrap();

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
    assert!(packets >= u64::from(FRAMES), "Chromium received {packets} packets");
    assert!(
        decoded >= FRAMES - 20,
        "Chromium decoded {decoded} of our {FRAMES} frames"
    );
    assert_eq!(fields[3], "connected", "{stats}");
    assert!(received.len() >= 20, "{} frames from Chromium", received.len());
    assert!(received[0], "the first frame from Chromium is a keyframe");
    assert!(child.wait().unwrap().success());
    pc.close().await.unwrap();
}
