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

mod interop;

use std::io::BufReader;
use std::process::{Command, Stdio};

use interop::{exchange, read_sdp, write_sdp};
use ortc::{PeerConnection, PeerConnectionConfig, SessionDescription};
use ortc_codecs::MediaKind;
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
    let offer = read_sdp(&mut stdout, "Chromium");

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
    write_sdp(&mut stdin, &answer.sdp);

    exchange(&mut pc, video, child, stdout, "Chromium", FRAMES, FRAMES - 20).await;
}
