//! Tunables of a [`JitterBuffer`](crate::JitterBuffer), with defaults per media kind.

use std::time::Duration;

/// Whether a buffer assembles video frames or plays out audio packets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    /// Packets are released one by one at their playout time; missing ones become concealment events.
    Audio,
    /// Packets are assembled into frames, released in decode order as soon as they are complete.
    Video,
}

/// Jitter buffer configuration. Start from [`Config::audio`] or [`Config::video`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Audio or video.
    pub kind: MediaKind,
    /// RTP clock rate of the stream (Hz).
    pub clock_rate: u32,
    /// Packets held at most (rounded up to a power of two). When a packet arrives that does not fit, the
    /// oldest packets are dropped (video: whole frames, and a keyframe is requested).
    pub capacity: usize,
    /// Whether missing packets are requested with NACK.
    pub nack: bool,
    /// How long a missing packet is waited for before its first NACK (reordering tolerance); retries are
    /// spaced by the RTT plus this margin.
    pub nack_delay: Duration,
    /// How many times one sequence number is requested before it is given up.
    pub max_nack_retries: u8,
    /// Most sequence numbers tracked as missing at once; a bigger gap is not requested (video: keyframe request).
    pub max_nack_list: usize,
    /// Round-trip time used to space NACK retries until [`JitterBuffer::set_rtt`](crate::JitterBuffer::set_rtt).
    pub initial_rtt: Duration,
    /// A packet more than this many sequence numbers away (either way) is held on probation: the stream
    /// restarts if the next packet is its successor, else it is discarded.
    pub max_sequence_jump: u16,
    /// While waiting for a keyframe, how long before asking again (a PLI can be lost too).
    pub keyframe_request_interval: Duration,
    /// Lower bound of the adaptive playout delay.
    pub min_delay: Duration,
    /// Upper bound of the adaptive playout delay.
    pub max_delay: Duration,
}

/// Default capacity for audio: 512 packets, ~10 s of 20 ms Opus.
pub const DEFAULT_AUDIO_CAPACITY: usize = 512;
/// Default capacity for video: 4096 packets, ~16 s at 2.5 Mb/s with 1200-byte packets.
pub const DEFAULT_VIDEO_CAPACITY: usize = 4096;

impl Config {
    /// Defaults for an audio stream at `clock_rate` Hz: no NACK, playout delay between 10 ms and 500 ms.
    pub fn audio(clock_rate: u32) -> Self {
        Self {
            kind: MediaKind::Audio,
            clock_rate,
            capacity: DEFAULT_AUDIO_CAPACITY,
            nack: false,
            nack_delay: Duration::from_millis(10),
            max_nack_retries: 3,
            max_nack_list: 250,
            initial_rtt: Duration::from_millis(100),
            max_sequence_jump: 3000,
            keyframe_request_interval: Duration::from_secs(1),
            min_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(500),
        }
    }

    /// Defaults for a 90 kHz video stream: NACK after 10 ms, up to 10 retries one RTT apart.
    pub fn video() -> Self {
        Self {
            kind: MediaKind::Video,
            clock_rate: 90_000,
            capacity: DEFAULT_VIDEO_CAPACITY,
            nack: true,
            nack_delay: Duration::from_millis(10),
            max_nack_retries: 10,
            max_nack_list: 1000,
            initial_rtt: Duration::from_millis(100),
            max_sequence_jump: 10_000,
            keyframe_request_interval: Duration::from_secs(1),
            min_delay: Duration::ZERO,
            max_delay: Duration::from_millis(500),
        }
    }
}
