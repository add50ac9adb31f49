//! `RtpSender` and `RtpReceiver` handles over two driver tasks connected in memory: encoded frames both ways,
//! `replace_track`, keyframe requests reaching the track, stop and BYE, statistics.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use bytes::Bytes;
use ortc_codecs::{MediaKind, RtcpFeedback};
use ortc_rtcp::NtpTime;
use ortc_rtp_api::driver::{DriverError, RtpDriver, Transport};
use ortc_rtp_api::params::{RtpCodecParameters, RtpParameters, SendStreamNumbers};
use ortc_rtp_api::session::SessionConfig;
use ortc_rtp_api::track::{
    AudioStreamTrack, EncodedFrame, MediaFrame, MediaStreamTrack, RecvFuture, TrackError, VideoStreamTrack,
};
use ortc_rtp_api::{RtpReceiver, RtpSender};
use ortc_rtp_packet::{ExtensionMap, Mid, PayloadType, Ssrc};
use ortc_srtp::{DtlsRole, SessionKeys, SrtpConfig, SrtpProfile};
use tokio::sync::mpsc;

/// A track of encoded VP8 frames, 30 per second, tagged with `tag` and their index; reports keyframe
/// requests on a channel.
struct Vp8Source {
    id: String,
    tag: u8,
    next: u32,
    count: u32,
    keyframe_next: bool,
    asked: mpsc::UnboundedSender<u8>,
}

impl Vp8Source {
    fn track(tag: u8, count: u32, asked: mpsc::UnboundedSender<u8>) -> Box<dyn MediaStreamTrack> {
        Box::new(Self {
            id: format!("vp8-{tag}"),
            tag,
            next: 0,
            count,
            keyframe_next: true,
            asked,
        })
    }
}

impl MediaStreamTrack for Vp8Source {
    fn kind(&self) -> MediaKind {
        MediaKind::Video
    }
    fn id(&self) -> &str {
        &self.id
    }
    fn recv(&mut self) -> RecvFuture<'_> {
        Box::pin(async move {
            if self.next >= self.count {
                return Err(TrackError::Ended);
            }
            tokio::time::sleep(Duration::from_millis(33)).await;
            let keyframe = std::mem::take(&mut self.keyframe_next);
            let mut data = vec![if keyframe { 0x10 } else { 0x11 }, self.tag];
            data.extend_from_slice(&self.next.to_be_bytes());
            data.resize(2500, self.tag);
            let frame = EncodedFrame {
                data: Bytes::from(data),
                rtp_time: 0x1000_0000 + u32::from(self.tag) * 100_000 + self.next * 3000,
                keyframe,
                audio_level: None,
            };
            self.next += 1;
            Ok(MediaFrame::Encoded(frame))
        })
    }
    fn stop(&mut self) {
        self.next = self.count;
    }
    fn ended(&self) -> bool {
        self.next >= self.count
    }
    fn request_keyframe(&mut self) {
        self.keyframe_next = true;
        let _ = self.asked.send(self.tag);
    }
}

fn vp8_parameters() -> RtpParameters {
    let mut vp8 = RtpCodecParameters::new(PayloadType::new(96).unwrap(), "video/VP8", 90_000);
    vp8.rtcp_feedback = vec![RtcpFeedback::new("nack", None), RtcpFeedback::new("nack", Some("pli"))];
    let mut rtx = RtpCodecParameters::new(PayloadType::new(97).unwrap(), "video/rtx", 90_000);
    rtx.parameters = vec![("apt".into(), "96".into())];
    RtpParameters::new(vec![vp8, rtx])
}

const NUMBERS: SendStreamNumbers = SendStreamNumbers {
    ssrc: Ssrc::new(0x5EED),
    rtx_ssrc: Ssrc::new(0x5EEE),
    initial_sequence_number: 65_500,
    rtx_initial_sequence_number: 7,
    timestamp_origin: 12_345,
};

async fn drivers() -> (RtpDriver, RtpDriver) {
    let (ta, tb) = Transport::pair();
    let now = std::time::Instant::now();
    let config = SessionConfig::new("objects", ExtensionMap::new(), (now, NtpTime(3_900_000_000 << 32)));
    let a = RtpDriver::spawn(config.clone(), ta);
    let b = RtpDriver::spawn(config, tb);
    let material = [9u8; 56];
    let keys = |role| SessionKeys::from_dtls_exporter(SrtpProfile::AeadAes128Gcm, &material, role).unwrap();
    a.set_keys(keys(DtlsRole::Client), SrtpConfig::default()).await.unwrap();
    b.set_keys(keys(DtlsRole::Server), SrtpConfig::default()).await.unwrap();
    (a, b)
}

/// Reads `n` frames from the remote track: (tag, index, keyframe).
async fn read(track: &mut dyn MediaStreamTrack, n: usize) -> Vec<(u8, u32, bool)> {
    let mut got = Vec::new();
    while got.len() < n {
        let Ok(MediaFrame::Encoded(f)) = track.recv().await else {
            panic!("remote track ended early")
        };
        assert_eq!(f.data.len(), 2500);
        let index = u32::from_be_bytes(f.data[2..6].try_into().unwrap());
        got.push((f.data[1], index, f.keyframe));
    }
    got
}

#[tokio::test(start_paused = true)]
async fn encoded_frames_flow_and_replace_track_switches_without_a_gap() {
    let (a, b) = drivers().await;
    let (asked_tx, mut asked) = mpsc::unbounded_channel();
    let mut sender = RtpSender::new(MediaKind::Video, a.clone());
    sender.send(&vp8_parameters(), &NUMBERS).await.unwrap();
    let mut receiver = RtpReceiver::new(MediaKind::Video, b.clone());
    let mut remote = receiver
        .receive_encoded(&vp8_parameters(), Ssrc::new(0xB0B))
        .await
        .unwrap();
    assert!(matches!(
        sender.send(&vp8_parameters(), &NUMBERS).await,
        Err(DriverError::InvalidState(_))
    ));

    sender
        .replace_track(Some(Vp8Source::track(1, 1000, asked_tx.clone())))
        .await
        .unwrap();
    assert_eq!(sender.track_id(), Some("vp8-1"));
    let first = read(&mut remote, 20).await;
    assert_eq!(first[0], (1, 0, true), "the first frame is the keyframe");
    assert!(first.iter().enumerate().all(|(i, f)| *f == (1, i as u32, i == 0)));

    // A track of the other kind is refused; the running one goes on.
    let wrong = sender.replace_track(Some(Box::new(AudioStreamTrack::silence()))).await;
    assert!(matches!(wrong, Err(DriverError::WrongKind { .. })));

    // Switch: the new track starts with a keyframe, and no packet is missing at the receiver.
    sender
        .replace_track(Some(Vp8Source::track(2, 1000, asked_tx.clone())))
        .await
        .unwrap();
    let mut second = Vec::new();
    while second.len() < 20 {
        let f = read(&mut remote, 1).await[0];
        if f.0 == 2 {
            second.push(f);
        }
    }
    assert_eq!(second[0], (2, 0, true));
    let stats = receiver.counters().await.unwrap().stream;
    assert_eq!(stats.packets_lost, 0, "no sequence-number gap across the switch");
    assert_eq!(stats.frames_dropped, 0);

    // Each new track was asked for a keyframe first.
    let mut tags = Vec::new();
    while let Ok(tag) = asked.try_recv() {
        tags.push(tag);
    }
    assert_eq!(tags, [1, 2]);
    let sent = sender.counters().await.unwrap();
    assert!(sent.stream.packets_sent >= 40 * 3);
    assert_eq!(sent.frames_unencodable, 0);
    drop(a);
    drop(b);
}

#[tokio::test(start_paused = true)]
async fn no_track_keeps_rtcp_and_stop_ends_the_remote_track() {
    let (a, b) = drivers().await;
    let (asked_tx, _asked) = mpsc::unbounded_channel();
    let mut sender = RtpSender::new(MediaKind::Video, a.clone());
    sender.send(&vp8_parameters(), &NUMBERS).await.unwrap();
    let mut receiver = RtpReceiver::new(MediaKind::Video, b.clone());
    let mut remote = receiver
        .receive_encoded(&vp8_parameters(), Ssrc::new(0xB0B))
        .await
        .unwrap();
    sender
        .replace_track(Some(Vp8Source::track(3, 1000, asked_tx)))
        .await
        .unwrap();
    read(&mut remote, 10).await;

    sender.replace_track(None).await.unwrap();
    assert_eq!(sender.track_id(), None);
    let before = sender.counters().await.unwrap().stream;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let after = sender.counters().await.unwrap().stream;
    // At most the frames in flight at the switch, then nothing.
    assert!(after.packets_sent - before.packets_sent <= 6, "{before:?} {after:?}");
    let reports = |s: &ortc_rtp_api::session::SenderStats| s.remote.as_ref().map_or(0, |r| r.reports_received);
    assert!(reports(&after) > reports(&before), "receiver reports go on");

    let sources = receiver.get_synchronization_sources().await.unwrap();
    assert!(sources.iter().any(|s| s.source == Ssrc::new(0x5EED)), "{sources:?}");

    sender.stop().await.unwrap();
    sender.stop().await.unwrap();
    // The BYE ends the remote track.
    let end = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            if remote.recv().await.is_err() {
                return;
            }
        }
    })
    .await;
    assert!(end.is_ok(), "the remote track ended after BYE");
    assert!(remote.ended());
}

fn opus_parameters() -> RtpParameters {
    let mut opus = RtpCodecParameters::new(PayloadType::new(111).unwrap(), "audio/opus", 48_000);
    opus.channels = Some(2);
    RtpParameters::new(vec![opus])
}

/// Raw tracks: the test pattern through VP8 (libvpx) and a tone through Opus, encoded and decoded on
/// threads of their own, real time.
#[tokio::test]
async fn raw_tracks_are_encoded_and_decoded_off_the_reactor() {
    let (a, b) = drivers().await;
    let mut video_tx = RtpSender::new(MediaKind::Video, a.clone());
    video_tx.send(&vp8_parameters(), &NUMBERS).await.unwrap();
    let mut video_rx = RtpReceiver::new(MediaKind::Video, b.clone());
    let mut video = video_rx.receive(&vp8_parameters(), Ssrc::new(0xB0B)).await.unwrap();
    video_tx
        .replace_track(Some(Box::new(VideoStreamTrack::with_size(160, 120))))
        .await
        .unwrap();

    let audio_numbers = SendStreamNumbers {
        ssrc: Ssrc::new(0xA0D10),
        rtx_ssrc: Ssrc::new(0xA0D11),
        ..NUMBERS
    };
    let mut audio_tx = RtpSender::new(MediaKind::Audio, a.clone());
    audio_tx.send(&opus_parameters(), &audio_numbers).await.unwrap();
    let mut audio_rx = RtpReceiver::new(MediaKind::Audio, b.clone());
    let mut audio = audio_rx.receive(&opus_parameters(), Ssrc::new(0xB0C)).await.unwrap();
    audio_tx
        .replace_track(Some(Box::new(AudioStreamTrack::tone(440.0))))
        .await
        .unwrap();

    let deadline = Duration::from_secs(10);
    let pictures = tokio::time::timeout(deadline, async {
        let mut n = 0;
        while n < 20 {
            let Ok(MediaFrame::Video(f)) = video.recv().await else {
                panic!("a decoded picture")
            };
            assert_eq!((f.width, f.height), (160, 120));
            n += 1;
        }
        n
    })
    .await
    .expect("20 pictures within 10 s");
    assert_eq!(pictures, 20);
    let loud = tokio::time::timeout(deadline, async {
        let mut loud = 0;
        for _ in 0..40 {
            let Ok(MediaFrame::Audio(f)) = audio.recv().await else {
                panic!("decoded audio")
            };
            assert_eq!(f.sample_rate, 48_000);
            let peak = f.samples.iter().map(|s| s.unsigned_abs()).max().unwrap_or(0);
            loud += usize::from(peak > 3000);
        }
        loud
    })
    .await
    .expect("40 audio frames within 10 s");
    assert!(loud >= 30, "the tone comes through ({loud} of 40 frames)");

    let sent = video_tx.counters().await.unwrap();
    assert!(sent.frames_encoded >= 20 && sent.key_frames_encoded >= 1, "{sent:?}");
    assert_eq!(sent.encoder_errors, 0);
    let got = video_rx.counters().await.unwrap();
    assert!(got.frames_decoded >= 20 && got.key_frames_decoded >= 1, "{got:?}");
    assert_eq!(got.decoder_errors, 0);

    // The W3C view of the same streams.
    let report = video_tx.get_stats().await.unwrap();
    let json = serde_json::to_value(&report).unwrap();
    let outbound = &json["outbound-rtp-24301"];
    assert_eq!(outbound["type"], "outbound-rtp");
    assert_eq!(outbound["kind"], "video");
    assert!(outbound["framesEncoded"].as_u64().unwrap() >= 20, "{outbound}");
    assert_eq!(
        (outbound["frameWidth"].as_u64(), outbound["frameHeight"].as_u64()),
        (Some(160), Some(120))
    );
    assert_eq!(
        outbound["codecId"],
        json.as_object()
            .unwrap()
            .keys()
            .find(|k| k.starts_with("codec"))
            .unwrap()
            .as_str()
    );
    let report = video_rx.get_stats().await.unwrap();
    let json = serde_json::to_value(&report).unwrap();
    let inbound = &json["inbound-rtp-24301"];
    assert_eq!(inbound["type"], "inbound-rtp");
    assert!(inbound["framesDecoded"].as_u64().unwrap() >= 20, "{inbound}");
    assert_eq!(
        (inbound["frameWidth"].as_u64(), inbound["frameHeight"].as_u64()),
        (Some(160), Some(120))
    );
    assert!(inbound["packetsReceived"].as_u64().unwrap() >= 20);

    rates_targets_and_sources(&video_tx, &video_rx, &audio_tx).await;
}

/// `framesPerSecond`, `targetBitrate` and the `media-source` entries of the raw-track senders and receiver.
async fn rates_targets_and_sources(video_tx: &RtpSender, video_rx: &RtpReceiver, audio_tx: &RtpSender) {
    // Rates are sampled once a second: after two samples, framesPerSecond is the test pattern's 30 fps on
    // both ends (loosely: the encoder and decoder threads share two busy cores).
    tokio::time::sleep(Duration::from_millis(2200)).await;
    let json = serde_json::to_value(video_tx.get_stats().await.unwrap()).unwrap();
    let outbound = &json["outbound-rtp-24301"];
    let fps = outbound["framesPerSecond"].as_f64().expect("framesPerSecond");
    assert!((15.0..=45.0).contains(&fps), "sent at {fps} fps");
    assert_eq!(
        outbound["targetBitrate"].as_f64(),
        Some(1e6),
        "the encoder's starting target"
    );
    let source_id = outbound["mediaSourceId"].as_str().expect("mediaSourceId");
    let source = &json[source_id];
    assert_eq!(source["type"], "media-source");
    assert_eq!(source["kind"], "video");
    assert_eq!(source["trackIdentifier"], video_tx.track_id().unwrap());
    assert!(source["frames"].as_u64().unwrap() >= outbound["framesEncoded"].as_u64().unwrap());
    assert_eq!(
        (source["width"].as_u64(), source["height"].as_u64()),
        (Some(160), Some(120))
    );
    let source_fps = source["framesPerSecond"].as_f64().expect("source framesPerSecond");
    assert!((15.0..=45.0).contains(&source_fps), "the track gave {source_fps} fps");
    let json = serde_json::to_value(video_rx.get_stats().await.unwrap()).unwrap();
    let fps = json["inbound-rtp-24301"]["framesPerSecond"]
        .as_f64()
        .expect("inbound framesPerSecond");
    assert!((15.0..=45.0).contains(&fps), "decoded at {fps} fps");

    // The tone's source: amplitude 10 000 of full scale 32 768, RMS of a sine ÷ √2.
    let json = serde_json::to_value(audio_tx.get_stats().await.unwrap()).unwrap();
    let outbound = &json["outbound-rtp-658704"];
    assert_eq!(
        outbound["targetBitrate"].as_f64(),
        Some(64_000.0),
        "Opus starts at 64 kbit/s"
    );
    assert!(
        outbound.get("framesPerSecond").is_none(),
        "framesPerSecond is for video"
    );
    let source = &json[outbound["mediaSourceId"].as_str().unwrap()];
    let level = source["audioLevel"].as_f64().unwrap();
    let want = 10_000.0 / 32_768.0 / 2f64.sqrt();
    assert!((level - want).abs() < 0.002, "audio level {level}, want {want}");
    let duration = source["totalSamplesDuration"].as_f64().unwrap();
    let sent = audio_tx.counters().await.unwrap();
    let frames = f64::from(u32::try_from(sent.media_source.frames).unwrap());
    assert!(
        (duration - frames * 0.02).abs() < 1e-9,
        "{duration} s for {frames} 20 ms frames"
    );
    let energy = source["totalAudioEnergy"].as_f64().unwrap();
    assert!(
        (energy - want * want * duration).abs() < 0.01 * energy,
        "energy {energy}"
    );
}

#[tokio::test(start_paused = true)]
async fn transceiver_direction_preferences_and_stop() {
    use ortc_rtp_api::{RtpTransceiver, RtpTransceiverDirection as Dir, TransceiverError};
    let (a, b) = drivers().await;
    let mut t = RtpTransceiver::new(MediaKind::Video, Dir::Sendrecv, &a).await.unwrap();
    assert_eq!(
        (t.kind(), t.direction(), t.current_direction(), t.mid()),
        (MediaKind::Video, Dir::Sendrecv, None, None)
    );
    assert!(matches!(
        RtpTransceiver::new(MediaKind::Audio, Dir::Stopped, &a).await,
        Err(TransceiverError::StoppedDirection)
    ));
    // Direction: asked now, current only once negotiated; a clone sees the same state.
    let other = t.clone();
    t.set_direction(Dir::Recvonly).await.unwrap();
    assert_eq!((other.direction(), other.current_direction()), (Dir::Recvonly, None));
    t.set_negotiated(Some(Mid::new("0").unwrap()), Dir::Recvonly)
        .await
        .unwrap();
    assert_eq!(
        (other.mid().as_deref(), other.current_direction()),
        (Some("0"), Some(Dir::Recvonly))
    );
    assert_eq!(Dir::Sendonly.reversed(), Dir::Recvonly);
    assert_eq!(Dir::from_flags(true, false), Dir::Sendonly);

    // Codec preferences: capabilities only, RTX not alone, empty resets.
    let caps = RtpSender::get_capabilities(MediaKind::Video).codecs;
    let vp8 = caps.iter().find(|c| c.mime_type == "video/VP8").unwrap().clone();
    let rtx: Vec<_> = caps.iter().filter(|c| c.mime_type == "video/rtx").cloned().collect();
    t.set_codec_preferences(std::slice::from_ref(&vp8)).await.unwrap();
    assert_eq!(other.codec_preferences(), std::slice::from_ref(&vp8));
    assert!(matches!(
        t.set_codec_preferences(&rtx[..1]).await,
        Err(TransceiverError::CodecPreferences(_))
    ));
    let mut bogus = vp8.clone();
    bogus.clock_rate = 8000;
    assert!(matches!(
        t.set_codec_preferences(&[bogus]).await,
        Err(TransceiverError::CodecPreferences(_))
    ));
    assert_eq!(other.codec_preferences(), [vp8], "a refused list changes nothing");
    t.set_codec_preferences(&[]).await.unwrap();
    assert!(other.codec_preferences().is_empty());

    // Stop: the receiver's track ends, the state says stopped; stopping again does nothing.
    let remote = t
        .receiver_mut()
        .receive_encoded(&vp8_parameters(), Ssrc::new(0xB0B))
        .await
        .unwrap();
    t.stop().await.unwrap();
    t.stop().await.unwrap();
    assert!(other.stopped());
    assert_eq!(other.current_direction(), Some(Dir::Stopped));
    assert!(matches!(
        t.set_direction(Dir::Sendrecv).await,
        Err(TransceiverError::Stopped)
    ));
    let mut remote = remote;
    assert_eq!(remote.recv().await, Err(TrackError::Ended));
    drop(b);
}

/// A track that fails after `frames` frames.
struct Failing {
    inner: Box<dyn MediaStreamTrack>,
    left: u32,
}

impl MediaStreamTrack for Failing {
    fn kind(&self) -> MediaKind {
        self.inner.kind()
    }
    fn id(&self) -> &str {
        self.inner.id()
    }
    fn recv(&mut self) -> RecvFuture<'_> {
        Box::pin(async move {
            if self.left == 0 {
                return Err(TrackError::Source("camera unplugged".into()));
            }
            self.left -= 1;
            self.inner.recv().await
        })
    }
    fn stop(&mut self) {
        self.inner.stop();
    }
    fn ended(&self) -> bool {
        self.left == 0
    }
}

#[tokio::test(start_paused = true)]
async fn a_sender_survives_a_track_error_and_resumes_on_replace_track() {
    let (a, b) = drivers().await;
    let (asked_tx, _asked) = mpsc::unbounded_channel();
    let mut sender = RtpSender::new(MediaKind::Video, a.clone());
    sender.send(&vp8_parameters(), &NUMBERS).await.unwrap();
    let mut receiver = RtpReceiver::new(MediaKind::Video, b.clone());
    let mut remote = receiver
        .receive_encoded(&vp8_parameters(), Ssrc::new(0xB0B))
        .await
        .unwrap();
    let failing = Failing {
        inner: Vp8Source::track(4, 1000, asked_tx.clone()),
        left: 5,
    };
    sender.replace_track(Some(Box::new(failing))).await.unwrap();
    let first = read(&mut remote, 5).await;
    assert!(first.iter().all(|f| f.0 == 4));
    // The track failed; nothing more comes, but the sender is alive.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let stalled = sender.counters().await.unwrap().stream.frames_sent;
    assert_eq!(stalled, 5);
    sender
        .replace_track(Some(Vp8Source::track(5, 1000, asked_tx)))
        .await
        .unwrap();
    let resumed = read(&mut remote, 10).await;
    assert!(resumed.iter().all(|f| f.0 == 5), "{resumed:?}");
    assert_eq!(resumed[0], (5, 0, true));
    assert_eq!(receiver.counters().await.unwrap().stream.packets_lost, 0);
}
