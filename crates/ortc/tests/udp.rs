//! Two `PeerConnection`s over real UDP sockets on 127.0.0.1: negotiate, connect, and send video both ways.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::vp8_frame;
use ortc::{Event, PeerConnection, PeerConnectionConfig, PeerConnectionState, PeerEvent, SignalingState};
use ortc_codecs::MediaKind;
use ortc_rtp_api::RtpTransceiverDirection;

const FRAMES: u32 = 30;

/// Waits for the connection to be connected, keeping any frame events that come along.
async fn connected(pc: &mut PeerConnection) {
    while let Some(e) = pc.next_event().await {
        if e == PeerEvent::Core(Event::ConnectionStateChanged(PeerConnectionState::Connected)) {
            return;
        }
        assert_ne!(
            e,
            PeerEvent::Core(Event::ConnectionStateChanged(PeerConnectionState::Failed))
        );
    }
    panic!("driver ended");
}

/// The frames received, until `n` arrived.
async fn frames(pc: &mut PeerConnection, n: usize) -> Vec<Bytes> {
    let mut got = Vec::new();
    while got.len() < n {
        match pc.next_event().await {
            Some(PeerEvent::Frame { data, .. }) => got.push(data),
            Some(_) => {}
            None => panic!("driver ended"),
        }
    }
    got
}

#[tokio::test]
async fn two_peer_connections_exchange_video_over_udp_on_loopback() {
    let mut alice = PeerConnection::new(PeerConnectionConfig::default()).await.unwrap();
    let mut bob = PeerConnection::new(PeerConnectionConfig::default()).await.unwrap();
    assert!(alice.local_addr().ip().is_loopback());
    let video = alice
        .add_transceiver(MediaKind::Video, RtpTransceiverDirection::Sendrecv)
        .await
        .unwrap();

    let offer = alice.create_offer().await.unwrap();
    alice.set_local_description(offer.clone()).await.unwrap();
    bob.set_remote_description(offer).await.unwrap();
    let (bob_video, kind) = bob.transceivers().await.unwrap()[0];
    assert_eq!(kind, MediaKind::Video);
    bob.set_direction(bob_video, RtpTransceiverDirection::Sendrecv)
        .await
        .unwrap();
    let answer = bob.create_answer().await.unwrap();
    bob.set_local_description(answer.clone()).await.unwrap();
    alice.set_remote_description(answer).await.unwrap();
    assert_eq!(alice.state().await.unwrap().1, SignalingState::Stable);

    let connect = async {
        connected(&mut alice).await;
        connected(&mut bob).await;
    };
    tokio::time::timeout(Duration::from_secs(10), connect)
        .await
        .expect("connected in time");

    let sent_by_alice: Vec<Bytes> = (0..FRAMES)
        .map(|i| Bytes::from(vp8_frame(i, i == 0, 1500 + 10 * i as usize)))
        .collect();
    let sent_by_bob: Vec<Bytes> = (0..FRAMES)
        .map(|i| Bytes::from(vp8_frame(i + 500, i == 0, 900)))
        .collect();
    for i in 0..FRAMES {
        alice
            .write_frame(video, i * 3000, sent_by_alice[i as usize].clone())
            .await
            .unwrap();
        bob.write_frame(bob_video, i * 3000, sent_by_bob[i as usize].clone())
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let exchange = async {
        (
            frames(&mut bob, FRAMES as usize).await,
            frames(&mut alice, FRAMES as usize).await,
        )
    };
    let (at_bob, at_alice) = tokio::time::timeout(Duration::from_secs(10), exchange)
        .await
        .expect("frames in time");
    assert_eq!(at_bob, sent_by_alice);
    assert_eq!(at_alice, sent_by_bob);

    alice.close().await.unwrap();
    // The driver ended: the handle's calls say the connection is closed.
    let after = alice.state().await.unwrap_err();
    assert_eq!(after.name(), "InvalidStateError");
}
