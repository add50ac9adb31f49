//! `RtpSender` and `RtpReceiver`: cheap cloneable handles to streams of a session owned by its driver task.

use tokio::sync::mpsc;

use crate::driver::{Command, DriverError, FRAME_QUEUE, RtpDriver};
use crate::params::{RtpParameters, SendStreamNumbers};
use crate::session::{ReceiverId, ReceiverStats, RtpSource, SenderId, SenderStats};
use crate::stats::{
    InboundRtpStreamStats, MediaSourceStats, OutboundRtpStreamStats, RemoteInboundRtpStreamStats,
    RemoteOutboundRtpStreamStats, RtcCodecStats, RtcStats, RtcStatsReport, RtpStreamLinks, id,
};
use crate::track::{MediaFrame, MediaStreamTrack, RecvFuture, TrackError, new_uuid};
use ortc_codecs::{MediaKind, RtpCapabilities};
use ortc_rtp_packet::{Mid, PayloadType, Ssrc};

/// What a sender has sent, as the core counts it, plus what the object layer skipped.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SenderReport {
    /// The stream's counters (`outbound-rtp`, `remote-inbound-rtp`).
    pub stream: SenderStats,
    /// Raw frames the track gave that this sender had no encoder for.
    pub frames_unencodable: u64,
    /// Frames encoded (raw tracks) — `framesEncoded`.
    pub frames_encoded: u64,
    /// Keyframes encoded — `keyFramesEncoded`.
    pub key_frames_encoded: u64,
    /// Frames the encoder failed on.
    pub encoder_errors: u64,
    /// Raw frames dropped because the encoder had not finished the previous ones.
    pub frames_dropped_by_encoder: u64,
    /// The size of the last picture encoded — `frameWidth` / `frameHeight`.
    pub frame_size: Option<(u32, u32)>,
    /// The encoder's target bitrate, bit/s (raw tracks) — `targetBitrate`.
    pub target_bitrate: Option<u32>,
    /// Frames sent in the last second (sampled each second) — `framesPerSecond`.
    pub frames_per_second: Option<f64>,
    /// What the track gave — the `media-source` entry.
    pub media_source: MediaSourceReport,
}

/// What a sender's track produced (W3C `RTCVideoSourceStats` / `RTCAudioSourceStats`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[non_exhaustive]
pub struct MediaSourceReport {
    /// Frames the track gave (raw frames before encoding, or encoded frames sent as they are) — `frames`.
    pub frames: u64,
    /// Of those, in the last second — `framesPerSecond`.
    pub frames_per_second: Option<f64>,
    /// The linear level (0..1) of the last raw audio frame — `audioLevel`.
    pub audio_level: Option<f64>,
    /// Σ level² × duration over the raw audio — `totalAudioEnergy`.
    pub total_audio_energy: Option<f64>,
    /// Seconds of raw audio — `totalSamplesDuration`.
    pub total_samples_duration: Option<f64>,
}

/// What a receiver has received, plus what its track could not take.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ReceiverReport {
    /// The stream's counters (`inbound-rtp`, `remote-outbound-rtp`).
    pub stream: ReceiverStats,
    /// Frames dropped because the application (or the decoder) did not keep up.
    pub frames_dropped_by_track: u64,
    /// Frames decoded — `framesDecoded` (when the receiver decodes).
    pub frames_decoded: u64,
    /// Keyframes decoded — `keyFramesDecoded`.
    pub key_frames_decoded: u64,
    /// Frames the decoder failed on.
    pub decoder_errors: u64,
    /// The size of the last picture decoded — `frameWidth` / `frameHeight`.
    pub frame_size: Option<(u32, u32)>,
    /// Frames decoded in the last second (sampled each second) — `framesPerSecond`.
    pub frames_per_second: Option<f64>,
}

/// Sends one track's media on a session (W3C `RTCRtpSender`).
///
/// A handle: clones refer to the same stream. Before [`RtpSender::send`] nothing goes out.
#[derive(Debug, Clone)]
pub struct RtpSender {
    kind: MediaKind,
    driver: RtpDriver,
    id: Option<SenderId>,
    track_id: Option<String>,
    /// The sent codec (payload type, MIME type, clock rate) and mid, for statistics.
    codec: Option<(PayloadType, String, u32)>,
    mid: Option<Mid>,
    /// The media stream ids the track is announced in (`a=msid`).
    streams: Vec<String>,
}

/// The id of the transport entry a session's statistics link to.
pub const TRANSPORT_STATS_ID: &str = "transport";

impl RtpSender {
    /// A sender of `kind` on the session `driver` runs.
    pub fn new(kind: MediaKind, driver: RtpDriver) -> Self {
        Self {
            kind,
            driver,
            id: None,
            track_id: None,
            codec: None,
            mid: None,
            streams: Vec::new(),
        }
    }

    /// Audio or video.
    pub fn kind(&self) -> MediaKind {
        self.kind
    }

    /// Sets the media stream ids the track belongs to (`a=msid`, announced at the next negotiation).
    pub fn set_streams(&mut self, streams: Vec<String>) {
        self.streams = streams;
    }

    /// The media stream ids set with [`RtpSender::set_streams`].
    pub fn streams(&self) -> &[String] {
        &self.streams
    }

    /// The id of the track being sent, if any.
    pub fn track_id(&self) -> Option<&str> {
        self.track_id.as_deref()
    }

    /// The session this sender sends on.
    pub fn transport(&self) -> &RtpDriver {
        &self.driver
    }

    /// What this stack can send for `kind`.
    pub fn get_capabilities(kind: MediaKind) -> RtpCapabilities {
        ortc_codecs::get_capabilities(kind)
    }

    /// Starts sending with `parameters` (validated: see [`RtpParameters::validate_send`]); `numbers` are the
    /// SSRCs and random starting points, drawn by the caller from the OS CSPRNG. A second call fails.
    pub async fn send(&mut self, parameters: &RtpParameters, numbers: &SendStreamNumbers) -> Result<(), DriverError> {
        if self.id.is_some() {
            return Err(DriverError::InvalidState("send() was already called on this sender"));
        }
        let params = parameters.to_send_params(self.kind, numbers)?;
        let codec = params
            .codecs
            .first()
            .map(|c| (c.payload_type, c.mime_type.clone(), c.clock_rate));
        let mid = params.mid;
        let id = self.driver.call(|reply| Command::AddSender { params, reply }).await??;
        self.id = Some(id);
        self.codec = codec;
        self.mid = mid;
        Ok(())
    }

    /// Replaces the track without renegotiation: `None` stops media (RTCP goes on). A track of the other
    /// kind is refused. Frames of the old track still in flight are dropped, and the sequence numbers go on
    /// without a gap.
    pub async fn replace_track(&mut self, track: Option<Box<dyn MediaStreamTrack>>) -> Result<(), DriverError> {
        if let Some(t) = &track
            && t.kind() != self.kind
        {
            return Err(DriverError::WrongKind {
                sender: self.kind,
                track: t.kind(),
            });
        }
        let id = self.sender_id()?;
        self.track_id = track.as_ref().map(|t| t.id().to_owned());
        let mut track = track;
        if let Some(t) = track.as_mut() {
            // The new track's first frame must be decodable on its own.
            t.request_keyframe();
        }
        self.driver
            .call(|reply| Command::Track {
                sender: id,
                track,
                reply,
            })
            .await??;
        Ok(())
    }

    /// The W3C statistics of this sender: `outbound-rtp`, `remote-inbound-rtp` once the peer reported,
    /// and the `codec` sent.
    pub async fn get_stats(&self) -> Result<RtcStatsReport, DriverError> {
        let counters = self.counters().await?;
        let now = crate::stats::timestamp_from_system_time(std::time::SystemTime::now());
        let links = RtpStreamLinks {
            transport_id: TRANSPORT_STATS_ID,
            payload_type: self.codec.as_ref().map(|c| c.0),
            mid: self.mid,
        };
        let mut report = RtcStatsReport::new();
        let mut outbound = OutboundRtpStreamStats::from_sender(now, &counters.stream, self.kind, &links);
        if self.kind == MediaKind::Video && counters.frames_encoded > 0 {
            outbound.frames_encoded = Some(count32(counters.frames_encoded));
            outbound.key_frames_encoded = Some(count32(counters.key_frames_encoded));
        }
        if let Some((width, height)) = counters.frame_size {
            outbound.frame_width = Some(width);
            outbound.frame_height = Some(height);
        }
        outbound.target_bitrate = counters.target_bitrate.map(f64::from);
        if self.kind == MediaKind::Video {
            outbound.frames_per_second = counters.frames_per_second;
        }
        let source = self.track_id.as_deref().map(|track| {
            let mut source = MediaSourceStats::new(&id::media_source(counters.stream.ssrc), now, track, self.kind);
            let s = &counters.media_source;
            match self.kind {
                MediaKind::Video => {
                    source.frames = Some(count32(s.frames));
                    source.frames_per_second = s.frames_per_second;
                    source.width = counters.frame_size.map(|f| f.0);
                    source.height = counters.frame_size.map(|f| f.1);
                }
                MediaKind::Audio => {
                    source.audio_level = s.audio_level;
                    source.total_audio_energy = s.total_audio_energy;
                    source.total_samples_duration = s.total_samples_duration;
                }
            }
            source
        });
        outbound.media_source_id = source.as_ref().map(|s| s.id.clone());
        report.insert(RtcStats::OutboundRtp(outbound));
        if let Some(source) = source {
            report.insert(RtcStats::MediaSource(source));
        }
        if let Some(remote) = RemoteInboundRtpStreamStats::from_sender(now, &counters.stream, self.kind, &links) {
            report.insert(RtcStats::RemoteInboundRtp(remote));
        }
        if let Some(codec) = codec_stats(now, self.codec.as_ref()) {
            report.insert(codec);
        }
        Ok(report)
    }

    /// The stream's counters, as the core and the encoder keep them.
    pub async fn counters(&self) -> Result<SenderReport, DriverError> {
        let id = self.sender_id()?;
        let (stream, counts) = self
            .driver
            .call(|reply| Command::SenderStats { sender: id, reply })
            .await?
            .ok_or(DriverError::Session(crate::session::SessionError::UnknownStream))?;
        let codec = counts.codec;
        // Raw tracks: what the track gave the encoder; encoded tracks: the frames sent as they came.
        let raw = codec.source_frames > 0;
        let media_source = MediaSourceReport {
            frames: if raw { codec.source_frames } else { stream.frames_sent },
            frames_per_second: if raw {
                counts.source_frames_per_second
            } else {
                counts.frames_per_second
            },
            audio_level: codec.source_audio.map(|a| a.0),
            total_audio_energy: codec.source_audio.map(|a| a.1),
            total_samples_duration: codec.source_audio.map(|a| a.2),
        };
        Ok(SenderReport {
            stream,
            frames_unencodable: counts.lost_frames,
            frames_encoded: codec.frames,
            key_frames_encoded: codec.keyframes,
            encoder_errors: codec.errors,
            frames_dropped_by_encoder: codec.dropped,
            frame_size: codec.size,
            target_bitrate: codec.target_bitrate,
            frames_per_second: counts.frames_per_second,
            media_source,
        })
    }

    /// Stops sending: the track is released and a BYE goes out. Stopping twice (or before `send`) does
    /// nothing.
    pub async fn stop(&mut self) -> Result<(), DriverError> {
        let Some(id) = self.id else { return Ok(()) };
        self.driver
            .call(|reply| Command::StopSender { sender: id, reply })
            .await?;
        self.track_id = None;
        Ok(())
    }

    fn sender_id(&self) -> Result<SenderId, DriverError> {
        self.id
            .ok_or(DriverError::Session(crate::session::SessionError::UnknownStream))
    }
}

/// Receives one stream of a session (W3C `RTCRtpReceiver`).
#[derive(Debug, Clone)]
pub struct RtpReceiver {
    kind: MediaKind,
    driver: RtpDriver,
    id: Option<ReceiverId>,
    /// The remote track's id, the first codec and the mid, for statistics.
    track_id: Option<String>,
    codec: Option<(PayloadType, String, u32)>,
    mid: Option<Mid>,
}

impl RtpReceiver {
    /// A receiver of `kind` on the session `driver` runs.
    pub fn new(kind: MediaKind, driver: RtpDriver) -> Self {
        Self {
            kind,
            driver,
            id: None,
            track_id: None,
            codec: None,
            mid: None,
        }
    }

    /// Audio or video.
    pub fn kind(&self) -> MediaKind {
        self.kind
    }

    /// The session this receiver receives on.
    pub fn transport(&self) -> &RtpDriver {
        &self.driver
    }

    /// What this stack can receive for `kind`.
    pub fn get_capabilities(kind: MediaKind) -> RtpCapabilities {
        ortc_codecs::get_capabilities(kind)
    }

    /// Starts receiving with `parameters`, reporting from `rtcp_ssrc`; returns the remote track, which gives
    /// decoded frames (decoded on a thread of their own) and ends on BYE or [`RtpReceiver::stop`]. A codec this
    /// stack cannot decode gives its encoded frames.
    pub async fn receive(&mut self, parameters: &RtpParameters, rtcp_ssrc: Ssrc) -> Result<RemoteTrack, DriverError> {
        self.start(parameters, rtcp_ssrc, true).await
    }

    /// As [`RtpReceiver::receive`], but the track gives the encoded frames as they complete, in decode order:
    /// what a relay or SFU forwards without decoding.
    pub async fn receive_encoded(
        &mut self,
        parameters: &RtpParameters,
        rtcp_ssrc: Ssrc,
    ) -> Result<RemoteTrack, DriverError> {
        self.start(parameters, rtcp_ssrc, false).await
    }

    async fn start(
        &mut self,
        parameters: &RtpParameters,
        rtcp_ssrc: Ssrc,
        decode: bool,
    ) -> Result<RemoteTrack, DriverError> {
        if self.id.is_some() {
            return Err(DriverError::InvalidState(
                "receive() was already called on this receiver",
            ));
        }
        let params = parameters.to_receive_params(self.kind, rtcp_ssrc)?;
        self.codec = params
            .codecs
            .first()
            .map(|c| (c.payload_type, c.mime_type.clone(), c.clock_rate));
        self.mid = params.mid;
        let (frames, rx) = mpsc::channel(FRAME_QUEUE);
        let id = self
            .driver
            .call(|reply| Command::AddReceiver {
                params,
                frames,
                decode,
                reply,
            })
            .await??;
        self.id = Some(id);
        let track_id = new_uuid();
        self.track_id = Some(track_id.clone());
        Ok(RemoteTrack {
            id: track_id,
            kind: self.kind,
            frames: rx,
            ended: false,
        })
    }

    /// The synchronization source heard in the last 10 s.
    pub async fn get_synchronization_sources(&self) -> Result<Vec<RtpSource>, DriverError> {
        let Some(id) = self.id else { return Ok(Vec::new()) };
        let (ssrc, _) = self
            .driver
            .call(|reply| Command::Sources { receiver: id, reply })
            .await?;
        Ok(ssrc.into_iter().collect())
    }

    /// The contributing sources heard in the last 10 s.
    pub async fn get_contributing_sources(&self) -> Result<Vec<RtpSource>, DriverError> {
        let Some(id) = self.id else { return Ok(Vec::new()) };
        let (_, csrcs) = self
            .driver
            .call(|reply| Command::Sources { receiver: id, reply })
            .await?;
        Ok(csrcs)
    }

    /// The W3C statistics of this receiver: `inbound-rtp` once the SSRC is known, `remote-outbound-rtp` once
    /// the peer sent a report, and the `codec`.
    pub async fn get_stats(&self) -> Result<RtcStatsReport, DriverError> {
        let counters = self.counters().await?;
        let wall = std::time::SystemTime::now();
        let clock = (tokio::time::Instant::now().into_std(), wall);
        let now = crate::stats::timestamp_from_system_time(wall);
        let links = RtpStreamLinks {
            transport_id: TRANSPORT_STATS_ID,
            payload_type: self.codec.as_ref().map(|c| c.0),
            mid: self.mid,
        };
        let mut report = RtcStatsReport::new();
        let track = self.track_id.as_deref().unwrap_or_default();
        if let Some(mut inbound) =
            InboundRtpStreamStats::from_receiver(now, &counters.stream, self.kind, track, &links, clock)
        {
            if counters.frames_decoded > 0 {
                inbound.frames_decoded = Some(count32(counters.frames_decoded));
                inbound.key_frames_decoded = Some(count32(counters.key_frames_decoded));
            }
            if let Some((width, height)) = counters.frame_size {
                inbound.frame_width = Some(width);
                inbound.frame_height = Some(height);
            }
            if self.kind == MediaKind::Video && counters.frames_decoded > 0 {
                inbound.frames_per_second = counters.frames_per_second;
            }
            report.insert(RtcStats::InboundRtp(inbound));
        }
        if let Some(remote) = RemoteOutboundRtpStreamStats::from_receiver(now, &counters.stream, self.kind, &links) {
            report.insert(RtcStats::RemoteOutboundRtp(remote));
        }
        if let Some(codec) = codec_stats(now, self.codec.as_ref()) {
            report.insert(codec);
        }
        Ok(report)
    }

    /// The stream's counters, as the core and the decoder keep them.
    pub async fn counters(&self) -> Result<ReceiverReport, DriverError> {
        let id = self
            .id
            .ok_or(DriverError::Session(crate::session::SessionError::UnknownStream))?;
        let (stream, counts) = self
            .driver
            .call(|reply| Command::ReceiverStats { receiver: id, reply })
            .await?
            .ok_or(DriverError::Session(crate::session::SessionError::UnknownStream))?;
        Ok(ReceiverReport {
            stream,
            frames_dropped_by_track: counts.lost_frames,
            frames_decoded: counts.codec.frames,
            key_frames_decoded: counts.codec.keyframes,
            decoder_errors: counts.codec.errors,
            frame_size: counts.codec.size,
            frames_per_second: counts.frames_per_second,
        })
    }

    /// Stops receiving: the remote track ends. Stopping twice does nothing.
    pub async fn stop(&mut self) -> Result<(), DriverError> {
        let Some(id) = self.id else { return Ok(()) };
        self.driver
            .call(|reply| Command::StopReceiver { receiver: id, reply })
            .await?;
        Ok(())
    }
}

/// The `codec` entry of a stream's codec (payload type, MIME type, clock rate).
fn codec_stats(now: f64, codec: Option<&(PayloadType, String, u32)>) -> Option<RtcStats> {
    let (pt, mime, clock) = codec?;
    let mut entry = RtcCodecStats::new(now, TRANSPORT_STATS_ID, *pt, mime);
    entry.clock_rate = Some(*clock);
    Some(RtcStats::Codec(entry))
}

/// A W3C `unsigned long` counter, saturating.
fn count32(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The track a receiver produces: decoded frames, or encoded ones in decode order.
#[derive(Debug)]
pub struct RemoteTrack {
    id: String,
    kind: MediaKind,
    frames: mpsc::Receiver<MediaFrame>,
    ended: bool,
}

impl MediaStreamTrack for RemoteTrack {
    fn kind(&self) -> MediaKind {
        self.kind
    }

    fn id(&self) -> &str {
        &self.id
    }

    fn recv(&mut self) -> RecvFuture<'_> {
        Box::pin(async move {
            if self.ended {
                return Err(TrackError::Ended);
            }
            let frame = self.frames.recv().await;
            if frame.is_none() {
                self.ended = true;
            }
            frame.ok_or(TrackError::Ended)
        })
    }

    fn stop(&mut self) {
        self.ended = true;
        self.frames.close();
    }

    fn ended(&self) -> bool {
        self.ended
    }
}
