//! [`PeerConnection`]: the async shell. One tokio driver task per connection owns a [`PeerConnectionCore`]
//! and a UDP socket; the handle sends it commands and gets replies over oneshot channels; events and received
//! frames come out of one stream ([`PeerConnection::next_event`]).

use std::net::SocketAddr;
use std::time::{Instant, SystemTime};

use bytes::{Bytes, BytesMut};
use ortc_codecs::MediaKind;
use ortc_rtcp::NtpTime;
use ortc_rtp_api::RtpTransceiverDirection;
use ortc_rtp_api::session::{self, Received};
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};
use tracing::{debug, warn};

use crate::core::{CoreConfig, Event, PeerConnectionCore, PeerConnectionState};
use crate::error::{Error, InvalidStateError, OperationError};
use crate::jsep::{SessionDescription, SignalingState};
use crate::transceiver::TransceiverId;

/// Room read ahead for received datagrams: each one is split off it, so the jitter buffer keeps payloads
/// without copying them.
const ARENA: usize = 256 * 1024;
/// The largest UDP datagram read.
const MAX_DATAGRAM: usize = 2048;
/// Commands queued at most before `send` waits.
const COMMANDS: usize = 64;
/// Events queued at most; beyond it the oldest are not kept (counted in the log).
const EVENTS: usize = 1024;

/// How a [`PeerConnection`] is set up.
#[derive(Debug, Clone)]
pub struct PeerConnectionConfig {
    /// The address to bind the UDP socket to (its port 0 picks a free one); it becomes the host candidate.
    pub bind: SocketAddr,
    /// The core's settings; its wall-clock reading is taken when the connection is made.
    pub core: CoreConfig,
}

impl Default for PeerConnectionConfig {
    /// A socket on `127.0.0.1`, on a port the OS picks.
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            core: CoreConfig::new(NtpTime(0)),
        }
    }
}

/// What [`PeerConnection::next_event`] gives.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PeerEvent {
    /// An event of the core (states, candidates, tracks, media events).
    Core(Event),
    /// A frame received on a transceiver (video: in decode order; audio: at its playout time).
    Frame {
        /// The transceiver.
        transceiver: TransceiverId,
        /// The encoded frame.
        data: Bytes,
        /// Its RTP timestamp.
        rtp_timestamp: u32,
        /// Whether it decodes on its own.
        keyframe: bool,
    },
}

type Reply<T> = oneshot::Sender<Result<T, Error>>;

enum Command {
    AddTransceiver(MediaKind, RtpTransceiverDirection, Reply<TransceiverId>),
    SetDirection(TransceiverId, RtpTransceiverDirection, Reply<()>),
    CreateOffer(Reply<SessionDescription>),
    CreateAnswer(Reply<SessionDescription>),
    SetLocal(SessionDescription, Reply<()>),
    SetRemote(SessionDescription, Reply<()>),
    AddIceCandidate(String, Reply<()>),
    WriteFrame(TransceiverId, u32, Bytes, Reply<usize>),
    Transceivers(Reply<Vec<(TransceiverId, MediaKind)>>),
    State(Reply<(PeerConnectionState, SignalingState)>),
    Close(Reply<()>),
}

/// A peer connection over a UDP socket, driven by a tokio task of its own. Cloning it is not offered: one
/// handle owns the event stream; commands are `&self`.
#[derive(Debug)]
pub struct PeerConnection {
    commands: mpsc::Sender<Command>,
    events: mpsc::Receiver<PeerEvent>,
    local_addr: SocketAddr,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Command")
    }
}

impl PeerConnection {
    /// Binds the socket, makes the core and spawns its driver on the current tokio runtime.
    pub async fn new(config: PeerConnectionConfig) -> Result<Self, Error> {
        let socket = UdpSocket::bind(config.bind).await.map_err(OperationError::Io)?;
        let local_addr = socket.local_addr().map_err(OperationError::Io)?;
        let mut core_config = config.core;
        core_config.ntp_now = NtpTime::from_system_time(SystemTime::now());
        let mut core = PeerConnectionCore::new(core_config, Instant::now())?;
        core.add_host_address(local_addr)?;
        let (commands, command_rx) = mpsc::channel(COMMANDS);
        let (event_tx, events) = mpsc::channel(EVENTS);
        tokio::spawn(drive(core, socket, local_addr, command_rx, event_tx));
        Ok(Self {
            commands,
            events,
            local_addr,
        })
    }

    /// The socket's address (the host candidate).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    async fn call<T>(&self, make: impl FnOnce(Reply<T>) -> Command) -> Result<T, Error> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(make(tx))
            .await
            .map_err(|_| InvalidStateError::Closed)?;
        rx.await.map_err(|_| InvalidStateError::Closed)?
    }

    /// W3C `addTransceiver`.
    pub async fn add_transceiver(
        &self,
        kind: MediaKind,
        direction: RtpTransceiverDirection,
    ) -> Result<TransceiverId, Error> {
        self.call(|r| Command::AddTransceiver(kind, direction, r)).await
    }

    /// Sets a transceiver's direction for the next offer or answer.
    pub async fn set_direction(&self, id: TransceiverId, direction: RtpTransceiverDirection) -> Result<(), Error> {
        self.call(|r| Command::SetDirection(id, direction, r)).await
    }

    /// The transceivers and their kinds.
    pub async fn transceivers(&self) -> Result<Vec<(TransceiverId, MediaKind)>, Error> {
        self.call(Command::Transceivers).await
    }

    /// W3C `createOffer`.
    pub async fn create_offer(&self) -> Result<SessionDescription, Error> {
        self.call(Command::CreateOffer).await
    }

    /// W3C `createAnswer`.
    pub async fn create_answer(&self) -> Result<SessionDescription, Error> {
        self.call(Command::CreateAnswer).await
    }

    /// W3C `setLocalDescription`.
    pub async fn set_local_description(&self, description: SessionDescription) -> Result<(), Error> {
        self.call(|r| Command::SetLocal(description, r)).await
    }

    /// W3C `setRemoteDescription`.
    pub async fn set_remote_description(&self, description: SessionDescription) -> Result<(), Error> {
        self.call(|r| Command::SetRemote(description, r)).await
    }

    /// W3C `addIceCandidate` (an `a=candidate` value, or empty for end-of-candidates).
    pub async fn add_ice_candidate(&self, candidate: impl Into<String>) -> Result<(), Error> {
        let candidate = candidate.into();
        self.call(|r| Command::AddIceCandidate(candidate, r)).await
    }

    /// Writes an encoded frame on a transceiver (see [`PeerConnectionCore::write_frame`]).
    pub async fn write_frame(&self, id: TransceiverId, rtp_time: u32, frame: Bytes) -> Result<usize, Error> {
        self.call(|r| Command::WriteFrame(id, rtp_time, frame, r)).await
    }

    /// The connection and signaling states.
    pub async fn state(&self) -> Result<(PeerConnectionState, SignalingState), Error> {
        self.call(Command::State).await
    }

    /// The next event; `None` once the driver ended (after [`close`](Self::close)).
    pub async fn next_event(&mut self) -> Option<PeerEvent> {
        self.events.recv().await
    }

    /// W3C `close`: the driver says DTLS `close_notify` and ends.
    pub async fn close(&self) -> Result<(), Error> {
        self.call(Command::Close).await
    }
}

/// The driver task: moves datagrams, time and commands into the core and its output out.
async fn drive(
    mut core: PeerConnectionCore,
    socket: UdpSocket,
    local: SocketAddr,
    mut commands: mpsc::Receiver<Command>,
    events: mpsc::Sender<PeerEvent>,
) {
    let mut arena = BytesMut::with_capacity(ARENA);
    let mut out: Vec<u8> = Vec::with_capacity(MAX_DATAGRAM);
    let mut recv_buf = vec![0u8; MAX_DATAGRAM];
    let mut closing = false;
    loop {
        let now = Instant::now();
        while let Some(t) = core.poll_transmit(now) {
            let remote = t.remote;
            out.clear();
            out.extend_from_slice(t.contents);
            if let Err(e) = socket.send_to(&out, remote).await {
                debug!(%e, %remote, "send failed");
            }
        }
        while let Some(e) = core.poll_event() {
            forward(&mut core, now, e, &events);
        }
        if closing {
            debug!("driver ends");
            return;
        }
        let deadline = core.poll_timeout().map(tokio::time::Instant::from_std);
        let sleep = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        if arena.capacity() < MAX_DATAGRAM {
            arena = BytesMut::with_capacity(ARENA);
        }
        tokio::select! {
            received = socket.recv_from(&mut recv_buf) => match received {
                Ok((len, remote)) => {
                    arena.extend_from_slice(&recv_buf[..len]);
                    let mut datagram = arena.split();
                    core.handle_datagram(Instant::now(), local, remote, &mut datagram);
                }
                Err(e) => debug!(%e, "receive failed"),
            },
            command = commands.recv() => {
                if let Some(c) = command {
                    closing = run(&mut core, c);
                } else {
                    // every handle is gone
                    core.close();
                    closing = true;
                }
            }
            () = sleep => core.handle_timeout(Instant::now()),
        }
    }
}

/// Runs one command; `true` when it closed the connection.
fn run(core: &mut PeerConnectionCore, command: Command) -> bool {
    let now = Instant::now();
    // A reply nobody waits for any more is fine to drop.
    match command {
        Command::AddTransceiver(kind, direction, r) => drop(r.send(core.add_transceiver(kind, direction))),
        Command::SetDirection(id, direction, r) => drop(r.send(core.set_direction(id, direction))),
        Command::CreateOffer(r) => drop(r.send(core.create_offer())),
        Command::CreateAnswer(r) => drop(r.send(core.create_answer())),
        Command::SetLocal(d, r) => drop(r.send(core.set_local_description(now, &d))),
        Command::SetRemote(d, r) => drop(r.send(core.set_remote_description(now, &d))),
        Command::AddIceCandidate(c, r) => drop(r.send(core.add_ice_candidate(now, &c))),
        Command::WriteFrame(id, rtp_time, frame, r) => drop(r.send(core.write_frame(now, id, rtp_time, &frame))),
        Command::Transceivers(r) => drop(r.send(Ok(core.transceivers().map(|(id, t)| (id, t.kind())).collect()))),
        Command::State(r) => drop(r.send(Ok((core.connection_state(), core.signaling_state())))),
        Command::Close(r) => {
            core.close();
            drop(r.send(Ok(())));
            return true;
        }
    }
    false
}

/// Hands an event on; a readable receive stream's frames go out as [`PeerEvent::Frame`]s.
fn forward(core: &mut PeerConnectionCore, now: Instant, event: Event, events: &mpsc::Sender<PeerEvent>) {
    if let Event::Media {
        transceiver: Some(t),
        event: session::Event::Readable(_),
    } = event
    {
        if let Some(mut receiver) = core.receiver(t) {
            while let Some(received) = receiver.poll(now) {
                let Received::Frame(f) = received else { continue };
                let frame = PeerEvent::Frame {
                    transceiver: t,
                    data: Bytes::copy_from_slice(f.data),
                    rtp_timestamp: f.rtp_timestamp,
                    keyframe: f.keyframe,
                };
                if events.try_send(frame).is_err() {
                    warn!("event queue full: frame dropped");
                }
            }
        }
        return;
    }
    if events.try_send(PeerEvent::Core(event)).is_err() {
        warn!("event queue full: event dropped");
    }
}
