//! What the interop tests share: SDP over a peer script's stdin/stdout (a description, then a line `.`), and
//! one exchange of VP8 video both ways with the script's report checked.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout};
use std::time::Duration;

use bytes::Bytes;
use ortc::{Event, PeerConnection, PeerConnectionState, PeerEvent, TransceiverId};
use ortc_codecs::vpx::{VpxEncoder, VpxEncoderConfig};
use ortc_codecs::{EncodedVideo, VideoEncoder, VideoFrame};

pub(crate) fn write_sdp(to: &mut ChildStdin, sdp: &str) {
    writeln!(to, "{}\n.", sdp.trim_end()).unwrap();
    to.flush().unwrap();
}

pub(crate) fn read_sdp(from: &mut BufReader<ChildStdout>, peer: &str) -> String {
    let mut sdp = String::new();
    loop {
        let mut line = String::new();
        assert!(
            from.read_line(&mut line).unwrap() > 0,
            "{peer} ended before its description"
        );
        if line.trim_end() == "." {
            return sdp;
        }
        sdp.push_str(line.trim_end());
        sdp.push_str("\r\n");
    }
}

/// Waits until connected, then sends `frames` pictures and collects the peer's frames; checks the peer's report
/// (`stats PACKETS DECODED STATE`): at least `frames` packets, `min_decoded` pictures decoded, connected.
pub(crate) async fn exchange(
    pc: &mut PeerConnection,
    video: TransceiverId,
    mut child: Child,
    mut stdout: BufReader<ChildStdout>,
    peer: &str,
    frames: u32,
    min_decoded: u32,
) {
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
    for i in 0..frames {
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
    assert!(packets >= u64::from(frames), "{peer} received {packets} packets");
    assert!(
        decoded >= min_decoded,
        "{peer} decoded {decoded} of our {frames} frames"
    );
    assert_eq!(fields[3], "connected", "{stats}");
    assert!(received.len() >= 20, "{} frames from {peer}", received.len());
    assert!(received[0], "the first frame from {peer} is a keyframe");
    assert!(child.wait().unwrap().success());
    pc.close().await.unwrap();
}
