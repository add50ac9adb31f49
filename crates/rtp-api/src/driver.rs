//! The task that owns a [`RtpSession`] and moves bytes, time and frames in and out of it.
//!
//! [`RtpDriver::spawn`] starts one tokio task per session. Everything else talks to it through a bounded
//! command channel: the [`RtpSender`](crate::RtpSender) and [`RtpReceiver`](crate::RtpReceiver) handles, and
//! the pump tasks that read each sender's track. The task owns the core, so no lock guards it; replies come
//! back over oneshot channels; frames for receivers go out over bounded channels, and a frame that finds its
//! channel full is dropped and counted, never queued without bound.

use std::collections::HashMap;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use ortc_rtp_packet::PayloadType;
use ortc_srtp::{SessionKeys, SrtpConfig};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::codec::{CodecCounters, CodecCounts, CodecKind, DecoderInput, EncoderInput};
use crate::session::{
    Event, ReceiveParams, Received, ReceiverId, ReceiverStats, RtpSession, RtpSource, SendParams, SenderId,
    SenderStats, SessionConfig, SessionError, SessionStats,
};
use crate::track::{EncodedFrame, MediaFrame, MediaStreamTrack};
use crate::transceiver::{StateUpdate, TransceiverState};

/// Datagrams queued towards the network, or from it, at most.
pub const TRANSPORT_QUEUE: usize = 1024;
/// Frames queued for a receiver's track at most.
pub const FRAME_QUEUE: usize = 64;
/// Commands queued for the driver at most.
const COMMAND_QUEUE: usize = 256;

/// One end of the datagram path a session runs over: protected RTP and RTCP out and in (RFC 5761 mux).
#[derive(Debug)]
pub struct Transport {
    /// Datagrams to send.
    pub outgoing: mpsc::Sender<Bytes>,
    /// Datagrams received.
    pub incoming: mpsc::Receiver<Bytes>,
}

impl Transport {
    /// Two transports connected back to back in memory, as for tests and in-process calls.
    pub fn pair() -> (Self, Self) {
        let (a_tx, b_rx) = mpsc::channel(TRANSPORT_QUEUE);
        let (b_tx, a_rx) = mpsc::channel(TRANSPORT_QUEUE);
        (
            Self {
                outgoing: a_tx,
                incoming: a_rx,
            },
            Self {
                outgoing: b_tx,
                incoming: b_rx,
            },
        )
    }
}

/// Where a receive stream's frames go: straight to its track (encoded), or through a decoder thread.
pub(crate) enum Sink {
    Encoded(mpsc::Sender<MediaFrame>),
    Decoder(mpsc::Sender<DecoderInput>),
}

/// What the driver keeps about a stream beside the core's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct SlotCounts {
    /// The codec thread's counters.
    pub(crate) codec: CodecCounts,
    /// Sender: raw frames it had no encoder for. Receiver: frames its track could not take.
    pub(crate) lost_frames: u64,
    /// Sender: frames sent in the last second. Receiver: frames decoded in the last second.
    pub(crate) frames_per_second: Option<f64>,
    /// Sender: raw frames its track gave in the last second.
    pub(crate) source_frames_per_second: Option<f64>,
}

/// How fast a counter grows, from samples the driver takes once a second.
#[derive(Debug, Clone, Copy, Default)]
struct Rate {
    last: Option<(Instant, u64)>,
    per_second: Option<f64>,
}

impl Rate {
    fn sample(&mut self, now: Instant, count: u64) {
        if let Some((at, before)) = self.last {
            let seconds = now.saturating_duration_since(at).as_secs_f64();
            if seconds > 0.0 {
                #[allow(clippy::cast_precision_loss)] // per-second frame counts
                let grown = count.saturating_sub(before) as f64;
                self.per_second = Some(grown / seconds);
            }
        }
        self.last = Some((now, count));
    }
}

/// What the driver is asked to do.
pub(crate) enum Command {
    AddSender {
        params: SendParams,
        reply: oneshot::Sender<Result<SenderId, SessionError>>,
    },
    Track {
        sender: SenderId,
        track: Option<Box<dyn MediaStreamTrack>>,
        reply: oneshot::Sender<Result<(), SessionError>>,
    },
    Frame {
        sender: SenderId,
        /// The pump that read it: frames of a replaced track's pump are dropped.
        generation: u64,
        frame: EncodedFrame,
    },
    TrackEnded {
        sender: SenderId,
        generation: u64,
    },
    /// The track gave a raw frame and the sender has no encoder for it.
    Unencodable {
        sender: SenderId,
    },
    StopSender {
        sender: SenderId,
        reply: oneshot::Sender<()>,
    },
    SenderStats {
        sender: SenderId,
        reply: oneshot::Sender<Option<(SenderStats, SlotCounts)>>,
    },
    AddReceiver {
        params: ReceiveParams,
        frames: mpsc::Sender<MediaFrame>,
        decode: bool,
        reply: oneshot::Sender<Result<ReceiverId, SessionError>>,
    },
    StopReceiver {
        receiver: ReceiverId,
        reply: oneshot::Sender<()>,
    },
    ReceiverStats {
        receiver: ReceiverId,
        reply: oneshot::Sender<Option<(ReceiverStats, SlotCounts)>>,
    },
    Sources {
        receiver: ReceiverId,
        reply: oneshot::Sender<(Option<RtpSource>, Vec<RtpSource>)>,
    },
    SessionStats {
        reply: oneshot::Sender<SessionStats>,
    },
    SetKeys {
        keys: SessionKeys,
        config: SrtpConfig,
        reply: oneshot::Sender<Result<(), SessionError>>,
    },
    AddTransceiver {
        state: TransceiverState,
        reply: oneshot::Sender<(usize, watch::Receiver<TransceiverState>)>,
    },
    UpdateTransceiver {
        id: usize,
        update: StateUpdate,
        reply: oneshot::Sender<()>,
    },
}

/// Per-sender state the driver keeps beside the core.
struct SenderSlot {
    payload_type: PayloadType,
    /// The codec and RTP clock raw frames are encoded with, when this stack has the encoder.
    codec: Option<(CodecKind, u32)>,
    counters: Arc<CodecCounters>,
    pump: Option<JoinHandle<()>>,
    /// Asks the pump's track for a keyframe.
    signals: Option<mpsc::Sender<Signal>>,
    generation: u64,
    /// Raw frames the track gave that this sender cannot encode.
    unencodable: u64,
    /// Frames written into the core.
    sent_rate: Rate,
    /// Raw frames the track gave the encoder.
    source_rate: Rate,
}

impl SenderSlot {
    fn new(payload_type: PayloadType, codec: Option<(CodecKind, u32)>) -> Self {
        Self {
            payload_type,
            codec,
            counters: Arc::default(),
            pump: None,
            signals: None,
            generation: 0,
            unencodable: 0,
            sent_rate: Rate::default(),
            source_rate: Rate::default(),
        }
    }

    /// Ends the current track's pump (its frames still in flight are dropped) and starts one for `track`.
    fn set_track(
        &mut self,
        sender: SenderId,
        track: Option<Box<dyn MediaStreamTrack>>,
        driver: &mpsc::Sender<Command>,
    ) {
        if let Some(pump) = self.pump.take() {
            pump.abort();
        }
        self.generation += 1;
        self.signals = None;
        if let Some(track) = track {
            let (signals, kf_rx) = mpsc::channel(4);
            self.signals = Some(signals);
            let encoder = self.codec.map(|codec| (codec, Arc::clone(&self.counters)));
            let pump = Pump {
                sender,
                generation: self.generation,
                driver: driver.clone(),
                encoder,
            };
            self.pump = Some(tokio::spawn(pump.run(track, kf_rx)));
        }
    }
}

/// Per-receiver state the driver keeps beside the core.
struct ReceiverSlot {
    sink: Sink,
    counters: Arc<CodecCounters>,
    /// Frames dropped because the track's queue was full.
    dropped: u64,
    /// Frames decoded.
    decoded_rate: Rate,
}

impl ReceiverSlot {
    /// Frames to `frames`, through a decoder thread for `decoder` when given (and the thread starts).
    fn new(decoder: Option<CodecKind>, frames: mpsc::Sender<MediaFrame>) -> Self {
        let counters = Arc::<CodecCounters>::default();
        let sink = match decoder {
            Some(kind) => {
                let (tx, rx) = mpsc::channel(crate::codec::DECODER_QUEUE);
                match crate::codec::spawn_decoder(kind, rx, frames.clone(), Arc::clone(&counters)) {
                    Ok(_) => Sink::Decoder(tx),
                    Err(e) => {
                        tracing::warn!(error = %e, "no decoder thread: frames stay encoded");
                        Sink::Encoded(frames)
                    }
                }
            }
            None => Sink::Encoded(frames),
        };
        Self {
            sink,
            counters,
            dropped: 0,
            decoded_rate: Rate::default(),
        }
    }
}

/// A handle to a running session driver: cheap to clone; every method is a message to the task.
#[derive(Debug, Clone)]
pub struct RtpDriver {
    commands: mpsc::Sender<Command>,
}

/// Why a call to the driver failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DriverError {
    /// The driver task has ended (the session was closed).
    #[error("the RTP session has ended")]
    Closed,
    /// The session core refused.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// The parameters are invalid.
    #[error(transparent)]
    Parameters(#[from] crate::params::ParametersError),
    /// The call is not valid in the object's state (W3C `InvalidStateError`).
    #[error("InvalidStateError: {0}")]
    InvalidState(&'static str),
    /// A track of the wrong kind was given.
    #[error("a {track:?} track cannot be sent by a {sender:?} sender")]
    WrongKind {
        /// The sender's kind.
        sender: ortc_codecs::MediaKind,
        /// The track's kind.
        track: ortc_codecs::MediaKind,
    },
}

impl RtpDriver {
    /// Starts the driver task of a session over `transport` on the current tokio runtime.
    pub fn spawn(config: SessionConfig, transport: Transport) -> Self {
        let (commands, rx) = mpsc::channel(COMMAND_QUEUE);
        let driver = Self {
            commands: commands.clone(),
        };
        tokio::spawn(run(RtpSession::new(config), transport, rx, commands));
        driver
    }

    pub(crate) async fn call<T>(&self, make: impl FnOnce(oneshot::Sender<T>) -> Command) -> Result<T, DriverError> {
        let (reply, rx) = oneshot::channel();
        self.commands.send(make(reply)).await.map_err(|_| DriverError::Closed)?;
        rx.await.map_err(|_| DriverError::Closed)
    }

    /// Keys the session (the DTLS-SRTP exporter's keys).
    pub async fn set_keys(&self, keys: SessionKeys, config: SrtpConfig) -> Result<(), DriverError> {
        Ok(self.call(|reply| Command::SetKeys { keys, config, reply }).await??)
    }

    /// The session's counters.
    pub async fn stats(&self) -> Result<SessionStats, DriverError> {
        self.call(|reply| Command::SessionStats { reply }).await
    }
}

/// The driver task.
async fn run(
    mut session: RtpSession,
    mut transport: Transport,
    mut commands: mpsc::Receiver<Command>,
    to_self: mpsc::Sender<Command>,
) {
    let mut senders: HashMap<SenderId, SenderSlot> = HashMap::new();
    let mut receivers: HashMap<ReceiverId, ReceiverSlot> = HashMap::new();
    let mut transceivers: Vec<watch::Sender<TransceiverState>> = Vec::new();
    let mut out = BytesMut::with_capacity(2048);
    let mut inbound = BytesMut::new();
    let far = Duration::from_hours(1);
    // The deadline last handled: a deadline the core still reports after handling it waits a millisecond,
    // so that a stream whose deadline cannot move yet never spins the task.
    let mut handled: Option<Instant> = None;
    // Once a second the per-second rates (framesPerSecond) are sampled.
    let mut rates = tokio::time::interval(Duration::from_secs(1));
    rates.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let now = Instant::now().into_std();
        let mut wake = session
            .poll_timeout()
            .map_or(Instant::now() + far, |(t, _)| Instant::from_std(t));
        if let Some(h) = handled
            && wake <= h
        {
            wake = h + Duration::from_millis(1);
        }
        tokio::select! {
            cmd = commands.recv() => {
                let Some(cmd) = cmd else { break };
                match cmd {
                    Command::AddTransceiver { state, reply } => {
                        let (tx, rx) = watch::channel(state);
                        transceivers.push(tx);
                        let _ = reply.send((transceivers.len() - 1, rx));
                    }
                    Command::UpdateTransceiver { id, update, reply } => {
                        if let Some(tx) = transceivers.get(id) {
                            tx.send_modify(update);
                        }
                        let _ = reply.send(());
                    }
                    cmd => handle(&mut session, &mut senders, &mut receivers, &to_self, cmd, now),
                }
            }
            datagram = transport.incoming.recv() => {
                let Some(datagram) = datagram else { break };
                inbound.clear();
                inbound.extend_from_slice(&datagram);
                let now = Instant::now().into_std();
                // RFC 5761 §4: RTCP packet types 192..=223 in the second byte.
                if matches!(datagram.get(1), Some(192..=223)) {
                    session.handle_rtcp(now, &mut inbound);
                } else {
                    session.handle_rtp(now, &mut inbound);
                }
            }
            at = rates.tick() => sample_rates(&mut session, &mut senders, &mut receivers, at),
            () = tokio::time::sleep_until(wake) => {
                handled = Some(wake);
                session.handle_timeout(Instant::now().into_std());
            }
        }
        let now = Instant::now().into_std();
        while let Some(event) = session.poll_event() {
            on_event(&mut session, &mut senders, &mut receivers, event, now);
        }
        while session.poll_transmit(now, &mut out).is_some() {
            // A full queue towards the network drops the datagram: RTP is loss-tolerant, and the
            // transport counts what it could not send.
            let _ = transport.outgoing.try_send(Bytes::copy_from_slice(&out));
        }
    }
    for slot in senders.values_mut() {
        if let Some(pump) = slot.pump.take() {
            pump.abort();
        }
    }
}

fn sample_rates(
    session: &mut RtpSession,
    senders: &mut HashMap<SenderId, SenderSlot>,
    receivers: &mut HashMap<ReceiverId, ReceiverSlot>,
    now: Instant,
) {
    for (id, slot) in senders.iter_mut() {
        if let Some(s) = session.sender(*id) {
            slot.sent_rate.sample(now, s.stats().frames_sent);
        }
        slot.source_rate
            .sample(now, slot.counters.source_frames.load(Ordering::Relaxed));
    }
    for slot in receivers.values_mut() {
        slot.decoded_rate
            .sample(now, slot.counters.frames.load(Ordering::Relaxed));
    }
}

fn on_event(
    session: &mut RtpSession,
    senders: &mut HashMap<SenderId, SenderSlot>,
    receivers: &mut HashMap<ReceiverId, ReceiverSlot>,
    event: Event,
    now: std::time::Instant,
) {
    match event {
        Event::KeyframeRequested { sender, .. } => {
            if let Some(tx) = senders.get(&sender).and_then(|s| s.signals.as_ref()) {
                // A request already pending is enough.
                let _ = tx.try_send(Signal::Keyframe);
            }
        }
        Event::RemoteBitrate { sender, bitrate } => {
            if let Some(tx) = senders.get(&sender).and_then(|s| s.signals.as_ref()) {
                let _ = tx.try_send(Signal::Bitrate(u32::try_from(bitrate).unwrap_or(u32::MAX)));
            }
        }
        Event::Readable(id) => {
            let Some(slot) = receivers.get_mut(&id) else { return };
            let Some(mut r) = session.receiver(id) else { return };
            while let Some(out) = r.poll(now) {
                let sent = match (out, &slot.sink) {
                    (Received::Frame(f), sink) => {
                        let frame = EncodedFrame {
                            data: Bytes::copy_from_slice(f.data),
                            rtp_time: f.rtp_timestamp,
                            keyframe: f.keyframe,
                            audio_level: None,
                        };
                        match sink {
                            Sink::Encoded(tx) => tx.try_send(MediaFrame::Encoded(frame)).is_ok(),
                            Sink::Decoder(tx) => tx.try_send(DecoderInput::Frame(frame)).is_ok(),
                        }
                    }
                    (Received::Conceal { .. }, Sink::Decoder(tx)) => tx.try_send(DecoderInput::Conceal).is_ok(),
                    // An encoded track has nothing to conceal with; the receiver's counters have the loss.
                    (Received::Conceal { .. }, Sink::Encoded(_)) => true,
                };
                if !sent {
                    slot.dropped += 1;
                }
            }
        }
        Event::Bye(id) => {
            // The remote track ends: its channel closes.
            receivers.remove(&id);
        }
        _ => {}
    }
}

fn handle(
    session: &mut RtpSession,
    senders: &mut HashMap<SenderId, SenderSlot>,
    receivers: &mut HashMap<ReceiverId, ReceiverSlot>,
    to_self: &mpsc::Sender<Command>,
    cmd: Command,
    now: std::time::Instant,
) {
    match cmd {
        Command::AddSender { params, reply } => {
            // A sender without codecs is refused by `add_sender` below, and gets no slot.
            let payload_type = params
                .codecs
                .first()
                .map_or(PayloadType::from_masked(0), |c| c.payload_type);
            let codec = params
                .codecs
                .first()
                .and_then(|c| CodecKind::from_mime(&c.mime_type).map(|k| (k, c.clock_rate)));
            let result = session.add_sender(params);
            if let Ok(id) = result {
                senders.insert(id, SenderSlot::new(payload_type, codec));
            }
            let _ = reply.send(result);
        }
        Command::Track { sender, track, reply } => {
            let result = match senders.get_mut(&sender) {
                Some(slot) => {
                    slot.set_track(sender, track, to_self);
                    Ok(())
                }
                None => Err(SessionError::UnknownStream),
            };
            let _ = reply.send(result);
        }
        Command::Frame {
            sender,
            generation,
            frame,
        } => {
            let Some(slot) = senders.get(&sender) else { return };
            if slot.generation != generation {
                return;
            }
            if let Some(mut s) = session.sender(sender) {
                // An error (a stopped sender, a frame the packetizer refuses) drops the frame; the sender's
                // counters say what was sent.
                if let Some(level) = frame.audio_level {
                    let _ = s.set_audio_level(Some(ortc_rtp_packet::AudioLevel { voice: false, level }));
                }
                let _ = s.write_frame(now, slot.payload_type, frame.rtp_time, &frame.data);
            }
        }
        Command::TrackEnded { sender, generation } => {
            if let Some(slot) = senders.get_mut(&sender)
                && slot.generation == generation
            {
                slot.pump = None;
                slot.signals = None;
            }
        }
        Command::Unencodable { sender } => {
            if let Some(slot) = senders.get_mut(&sender) {
                if slot.unencodable == 0 {
                    tracing::warn!(
                        ?sender,
                        "the track gives raw frames and this sender has no encoder: skipped"
                    );
                }
                slot.unencodable += 1;
            }
        }
        Command::StopSender { sender, reply } => {
            if let Some(slot) = senders.get_mut(&sender) {
                slot.set_track(sender, None, to_self);
                if let Some(mut s) = session.sender(sender) {
                    s.stop(now);
                }
            }
            let _ = reply.send(());
        }
        Command::SenderStats { sender, reply } => {
            let counts = senders.get(&sender).map_or_else(SlotCounts::default, |s| SlotCounts {
                codec: s.counters.get(),
                lost_frames: s.unencodable,
                frames_per_second: s.sent_rate.per_second,
                source_frames_per_second: s.source_rate.per_second,
            });
            let _ = reply.send(session.sender(sender).map(|s| (s.stats(), counts)));
        }
        cmd @ (Command::AddReceiver { .. }
        | Command::StopReceiver { .. }
        | Command::ReceiverStats { .. }
        | Command::Sources { .. }) => handle_receiver(session, receivers, cmd, now),
        Command::SessionStats { reply } => {
            let _ = reply.send(session.stats());
        }
        // Run by the driver loop itself.
        Command::AddTransceiver { .. } | Command::UpdateTransceiver { .. } => {}
        Command::SetKeys { keys, config, reply } => {
            let _ = reply.send(session.set_keys(&keys, &config));
        }
    }
}

/// The commands about receive streams.
fn handle_receiver(
    session: &mut RtpSession,
    receivers: &mut HashMap<ReceiverId, ReceiverSlot>,
    cmd: Command,
    now: std::time::Instant,
) {
    match cmd {
        Command::AddReceiver {
            params,
            frames,
            decode,
            reply,
        } => {
            let kind = params.codecs.first().and_then(|c| CodecKind::from_mime(&c.mime_type));
            let result = session.add_receiver(params);
            if let Ok(id) = result {
                receivers.insert(id, ReceiverSlot::new(kind.filter(|_| decode), frames));
            }
            let _ = reply.send(result);
        }
        Command::StopReceiver { receiver, reply } => {
            if let Some(mut r) = session.receiver(receiver) {
                r.stop();
            }
            receivers.remove(&receiver);
            let _ = reply.send(());
        }
        Command::ReceiverStats { receiver, reply } => {
            let counts = receivers
                .get(&receiver)
                .map_or_else(SlotCounts::default, |r| SlotCounts {
                    codec: r.counters.get(),
                    lost_frames: r.dropped,
                    frames_per_second: r.decoded_rate.per_second,
                    source_frames_per_second: None,
                });
            let _ = reply.send(session.receiver(receiver).map(|r| (r.stats(), counts)));
        }
        Command::Sources { receiver, reply } => {
            let sources = session.receiver(receiver).map_or((None, Vec::new()), |r| {
                (r.synchronization_source(now), r.contributing_sources(now))
            });
            let _ = reply.send(sources);
        }
        _ => {}
    }
}

/// What the driver tells a sender's pump.
#[derive(Debug, Clone, Copy)]
enum Signal {
    /// The peer asked for a keyframe.
    Keyframe,
    /// The peer's REMB: encode at this many bits per second.
    Bitrate(u32),
}

/// Reads a sender's track and hands its frames to the driver, through an encoder thread for raw frames;
/// passes keyframe requests to the track and the encoder.
struct Pump {
    sender: SenderId,
    generation: u64,
    driver: mpsc::Sender<Command>,
    /// The codec to encode raw frames with, and the counters its thread keeps.
    encoder: Option<((CodecKind, u32), Arc<CodecCounters>)>,
}

impl Pump {
    async fn run(self, mut track: Box<dyn MediaStreamTrack>, mut signals: mpsc::Receiver<Signal>) {
        let (sender, generation) = (self.sender, self.generation);
        let mut encoder: Option<mpsc::Sender<EncoderInput>> = None;
        loop {
            let mut signal = None;
            let frame = tokio::select! {
                biased;
                Some(s) = signals.recv() => {
                    signal = Some(s);
                    None
                }
                frame = track.recv() => Some(frame),
            };
            if let Some(signal) = signal {
                let input = match signal {
                    Signal::Keyframe => {
                        track.request_keyframe();
                        EncoderInput::Keyframe
                    }
                    Signal::Bitrate(bps) => EncoderInput::Bitrate(bps),
                };
                if let Some(enc) = &encoder {
                    let _ = enc.send(input).await;
                }
                continue;
            }
            match frame {
                Some(Ok(MediaFrame::Encoded(frame))) => {
                    let cmd = Command::Frame {
                        sender,
                        generation,
                        frame,
                    };
                    if self.driver.send(cmd).await.is_err() {
                        return;
                    }
                }
                Some(Ok(raw)) => {
                    if encoder.is_none() {
                        encoder = self.start_encoder();
                    }
                    match (&encoder, &self.encoder) {
                        (Some(enc), Some((_, counters))) => {
                            if enc.try_send(EncoderInput::Frame(raw)).is_err() {
                                counters.dropped.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        _ => {
                            if self.driver.send(Command::Unencodable { sender }).await.is_err() {
                                return;
                            }
                        }
                    }
                }
                Some(Err(_)) | None => {
                    let _ = self.driver.send(Command::TrackEnded { sender, generation }).await;
                    return;
                }
            }
        }
    }

    /// Starts the encoder thread; `None` when this sender's codec has no encoder here.
    fn start_encoder(&self) -> Option<mpsc::Sender<EncoderInput>> {
        let ((kind, clock_rate), counters) = self.encoder.as_ref()?;
        let (tx, rx) = mpsc::channel(crate::codec::ENCODER_QUEUE);
        let driver = self.driver.clone();
        let (sender, generation) = (self.sender, self.generation);
        let out = move |frame| {
            driver
                .blocking_send(Command::Frame {
                    sender,
                    generation,
                    frame,
                })
                .is_ok()
        };
        match crate::codec::spawn_encoder(*kind, *clock_rate, rx, out, Arc::clone(counters)) {
            Ok(_) => Some(tx),
            Err(e) => {
                tracing::warn!(error = %e, "no encoder thread");
                None
            }
        }
    }
}
