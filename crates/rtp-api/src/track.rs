//! Media tracks: what a sender reads frames from and a receiver hands frames to.
//!
//! [`MediaStreamTrack`] is the trait applications implement, as aiortc users subclass `VideoStreamTrack`:
//! `recv` gives the next frame (raw, or already encoded so a relay forwards without re-encoding). It is
//! object-safe, so a sender holds any track as `Box<dyn MediaStreamTrack>`. Ready-made tracks:
//! [`VideoStreamTrack`] (a moving test pattern at 30 fps) and [`AudioStreamTrack`] (20 ms of silence or a
//! tone at 48 kHz), both paced by tokio's monotonic clock.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use ortc_codecs::{AudioFrame, MediaKind, VideoFrame};
use tokio::time::Instant;

/// The RTP clock of video (RFC 3551 §5).
pub const VIDEO_CLOCK_RATE: u32 = 90_000;
/// The sample rate of [`AudioStreamTrack`] (Opus's RTP clock).
pub const AUDIO_SAMPLE_RATE: u32 = 48_000;
/// The duration of one [`AudioStreamTrack`] frame.
pub const AUDIO_PTIME: Duration = Duration::from_millis(20);

/// An already encoded frame, sent or received without decoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedFrame {
    /// The codec's bitstream for one frame (H.264: Annex B).
    pub data: Bytes,
    /// Its RTP time, in the codec's clock, from any origin (the sender adds its random offset).
    pub rtp_time: u32,
    /// Whether it decodes on its own.
    pub keyframe: bool,
    /// Audio: its level in -dBov (RFC 6464, 0 = loudest, 127 = silence), sent in the ssrc-audio-level
    /// extension when negotiated.
    pub audio_level: Option<u8>,
}

/// One frame out of a track.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaFrame {
    /// Raw I420 video; its `timestamp` is on the 90 kHz clock.
    Video(VideoFrame),
    /// Raw interleaved PCM; its `timestamp` counts samples.
    Audio(AudioFrame),
    /// An encoded frame.
    Encoded(EncodedFrame),
}

/// Why a track gave no frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrackError {
    /// The track was stopped or its source ended.
    #[error("the track has ended")]
    Ended,
    /// The application's source failed.
    #[error("the track's source failed: {0}")]
    Source(String),
}

/// The future [`MediaStreamTrack::recv`] returns.
pub type RecvFuture<'a> = Pin<Box<dyn Future<Output = Result<MediaFrame, TrackError>> + Send + 'a>>;

/// A source of media frames (W3C `MediaStreamTrack`, aiortc's `MediaStreamTrack.recv`).
pub trait MediaStreamTrack: Send + 'static {
    /// Audio or video.
    fn kind(&self) -> MediaKind;
    /// A unique id (a UUID).
    fn id(&self) -> &str;
    /// The next frame, when it is due; [`TrackError::Ended`] once stopped.
    fn recv(&mut self) -> RecvFuture<'_>;
    /// Stops the track: `recv` ends from now on. Stopping twice does nothing.
    fn stop(&mut self);
    /// Whether the track has ended.
    fn ended(&self) -> bool;
    /// The peer asked for a keyframe (PLI/FIR): a track of encoded frames passes it to its source (a relay
    /// to its upstream sender). Raw tracks ignore it: the encoder answers.
    fn request_keyframe(&mut self) {}
}

/// A random (version 4) UUID from the OS CSPRNG, for track ids.
pub fn new_uuid() -> String {
    let mut b = [0u8; 16];
    if getrandom::fill(&mut b).is_err() {
        // Ids only need to be unique within the process; without the OS generator, fall back on the clock
        // and a counter rather than fail to create a track.
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        b[..8].copy_from_slice(&n.to_be_bytes());
        b[8..].copy_from_slice(&(t as u64).to_be_bytes());
    }
    b[6] = (b[6] & 0x0F) | 0x40;
    b[8] = (b[8] & 0x3F) | 0x80;
    let mut out = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        let _ = std::fmt::Write::write_fmt(&mut out, format_args!("{byte:02x}"));
    }
    out
}

/// Paces frames on tokio's monotonic clock: frame `n` is due `n / rate` seconds after the first, exactly
/// (no drift from a rounded interval).
#[derive(Debug)]
struct Pacer {
    start: Option<Instant>,
    /// Frames per second.
    rate: u64,
    next: u64,
}

impl Pacer {
    fn new(rate: u64) -> Self {
        Self {
            start: None,
            rate,
            next: 0,
        }
    }

    /// Waits for the next frame's time; returns its index.
    async fn tick(&mut self) -> u64 {
        let start = *self.start.get_or_insert_with(Instant::now);
        let offset = Duration::from_nanos(self.next.saturating_mul(1_000_000_000) / self.rate);
        tokio::time::sleep_until(start + offset).await;
        let n = self.next;
        self.next += 1;
        n
    }
}

/// A moving test pattern: colour bars that scroll one pixel column per frame and a bright square that
/// crosses the picture, at 30 frames per second, timestamps on the 90 kHz clock from the first frame.
#[derive(Debug)]
pub struct VideoStreamTrack {
    id: String,
    width: u32,
    height: u32,
    pacer: Pacer,
    ended: bool,
}

impl VideoStreamTrack {
    /// A 640×480 pattern.
    pub fn new() -> Self {
        Self::with_size(640, 480)
    }

    /// A pattern of the given size (each side at least 2 pixels and even, as I420 encoders want; smaller or
    /// odd sizes are rounded up).
    pub fn with_size(width: u32, height: u32) -> Self {
        Self {
            id: new_uuid(),
            width: width.max(2).next_multiple_of(2),
            height: height.max(2).next_multiple_of(2),
            pacer: Pacer::new(30),
            ended: false,
        }
    }

    /// Draws frame `n` of the pattern.
    pub fn draw(&self, index: u64, timestamp: u32) -> VideoFrame {
        const BARS: [(u8, u8, u8); 8] = [
            (235, 128, 128),
            (210, 16, 146),
            (170, 166, 16),
            (145, 54, 34),
            (106, 202, 222),
            (81, 90, 240),
            (41, 240, 110),
            (16, 128, 128),
        ];
        let (w, h) = (self.width, self.height);
        let mut frame = VideoFrame::new(w, h, timestamp);
        let shift = (index % u64::from(w)) as u32;
        let bar = |x: u32| BARS[(((x + shift) % w) * 8 / w) as usize];
        for y in 0..h {
            for x in 0..w {
                frame.y[(y * w + x) as usize] = bar(x).0;
            }
        }
        let cw = frame.chroma_width();
        for y in 0..frame.chroma_height() {
            for x in 0..cw {
                let (_, u, v) = bar(x * 2);
                frame.u[(y * cw + x) as usize] = u;
                frame.v[(y * cw + x) as usize] = v;
            }
        }
        // A white square moving diagonally.
        let side = (w.min(h) / 8).max(2);
        let span = (w - side).max(1);
        let pos = (index % u64::from(span)) as u32;
        let (sx, sy) = (pos, pos * (h - side) / span);
        for y in sy..sy + side {
            for x in sx..sx + side {
                frame.y[(y * w + x) as usize] = 255;
            }
        }
        frame
    }
}

impl Default for VideoStreamTrack {
    fn default() -> Self {
        Self::new()
    }
}

impl MediaStreamTrack for VideoStreamTrack {
    fn kind(&self) -> MediaKind {
        MediaKind::Video
    }

    fn id(&self) -> &str {
        &self.id
    }

    fn recv(&mut self) -> RecvFuture<'_> {
        Box::pin(async move {
            if self.ended {
                return Err(TrackError::Ended);
            }
            let n = self.pacer.tick().await;
            // The RTP clock wraps: the low 32 bits are the timestamp.
            let timestamp = (n * u64::from(VIDEO_CLOCK_RATE) / 30) as u32;
            Ok(MediaFrame::Video(self.draw(n, timestamp)))
        })
    }

    fn stop(&mut self) {
        self.ended = true;
    }

    fn ended(&self) -> bool {
        self.ended
    }
}

/// 20 ms mono frames at 48 kHz: silence, or a sine tone.
#[derive(Debug)]
pub struct AudioStreamTrack {
    id: String,
    /// Tone frequency in Hz, `None` for silence.
    tone: Option<f64>,
    pacer: Pacer,
    ended: bool,
}

impl AudioStreamTrack {
    /// Silence.
    pub fn silence() -> Self {
        Self {
            id: new_uuid(),
            tone: None,
            pacer: Pacer::new(50),
            ended: false,
        }
    }

    /// A sine tone of `frequency` Hz at about -10 dBFS.
    pub fn tone(frequency: f64) -> Self {
        Self {
            tone: Some(frequency),
            ..Self::silence()
        }
    }

    /// Samples of frame `n`.
    pub fn draw(&self, n: u64) -> AudioFrame {
        let per_frame = (AUDIO_SAMPLE_RATE / 50) as usize;
        let first = n * per_frame as u64;
        let samples = match self.tone {
            None => vec![0; per_frame],
            Some(f) => (0..per_frame as u64)
                .map(|i| {
                    #[allow(clippy::cast_precision_loss)] // sample indices stay far below 2^52
                    let t = (first + i) as f64 / f64::from(AUDIO_SAMPLE_RATE);
                    (10_000.0 * (2.0 * std::f64::consts::PI * f * t).sin()) as i16
                })
                .collect(),
        };
        let mut frame = AudioFrame::new(samples, AUDIO_SAMPLE_RATE, 1);
        frame.timestamp = first as u32;
        frame
    }
}

impl MediaStreamTrack for AudioStreamTrack {
    fn kind(&self) -> MediaKind {
        MediaKind::Audio
    }

    fn id(&self) -> &str {
        &self.id
    }

    fn recv(&mut self) -> RecvFuture<'_> {
        Box::pin(async move {
            if self.ended {
                return Err(TrackError::Ended);
            }
            let n = self.pacer.tick().await;
            Ok(MediaFrame::Audio(self.draw(n)))
        })
    }

    fn stop(&mut self) {
        self.ended = true;
    }

    fn ended(&self) -> bool {
        self.ended
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_version_4_and_differ() {
        let (a, b) = (new_uuid(), new_uuid());
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "{a}");
        assert_eq!(a.matches('-').count(), 4);
    }

    #[tokio::test(start_paused = true)]
    async fn video_runs_at_30_fps_on_the_90_khz_clock_and_moves() {
        let mut track = VideoStreamTrack::with_size(64, 48);
        assert_eq!(track.kind(), MediaKind::Video);
        let start = Instant::now();
        let mut frames = Vec::new();
        for _ in 0..31 {
            let Ok(MediaFrame::Video(f)) = track.recv().await else {
                panic!("a video frame")
            };
            frames.push(f);
        }
        // 30 intervals of 1/30 s.
        let elapsed = Instant::now() - start;
        assert_eq!(elapsed, Duration::from_secs(1));
        assert_eq!(frames[0].timestamp, 0);
        assert_eq!(frames[30].timestamp, 90_000);
        assert!(
            frames
                .windows(2)
                .all(|w| w[1].timestamp.wrapping_sub(w[0].timestamp) == 3000)
        );
        assert!(frames.windows(2).all(|w| w[0].y != w[1].y), "every frame differs");
        assert_eq!(
            (frames[0].width, frames[0].height, frames[0].u.len()),
            (64, 48, 32 * 24)
        );
        track.stop();
        assert!(track.ended());
        assert_eq!(track.recv().await, Err(TrackError::Ended));
    }

    #[tokio::test(start_paused = true)]
    async fn audio_gives_20_ms_frames_of_a_tone() {
        let mut track = AudioStreamTrack::tone(1000.0);
        let mut all = Vec::new();
        let start = Instant::now();
        for i in 0..50u32 {
            let Ok(MediaFrame::Audio(f)) = track.recv().await else {
                panic!("an audio frame")
            };
            assert_eq!((f.sample_rate, f.channels, f.samples.len()), (48_000, 1, 960));
            assert_eq!(f.timestamp, i * 960);
            all.extend_from_slice(&f.samples);
        }
        assert!((Instant::now() - start) >= Duration::from_millis(980));
        // 1 kHz: a zero crossing upward every 48 samples, 1000 in one second.
        let crossings = all.windows(2).filter(|w| w[0] < 0 && w[1] >= 0).count();
        assert!((999..=1000).contains(&crossings), "{crossings}");
        let silent = AudioStreamTrack::silence().draw(3);
        assert!(silent.samples.iter().all(|&s| s == 0));
        assert_eq!(silent.timestamp, 3 * 960);
    }
}
