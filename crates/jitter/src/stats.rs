//! Counters for the W3C `inbound-rtp` statistics, and the RFC 3550 interarrival jitter estimator.

use std::time::{Duration, Instant};

/// What a jitter buffer has seen so far. Plain counters; the stats layer names them the W3C way.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct JitterStats {
    /// Packets stored (not counting duplicates or discarded ones) — `packetsReceived`.
    pub packets_received: u64,
    /// RFC 3550 cumulative loss: expected minus received (can go negative with duplicates upstream) —
    /// `packetsLost`.
    pub packets_lost: i64,
    /// Packets dropped as duplicates of one already held or released.
    pub packets_duplicated: u64,
    /// Packets that arrived after their turn had passed, or were dropped to make room — `packetsDiscarded`.
    pub packets_discarded: u64,
    /// Packets whose payload the frame-boundary reader rejected.
    pub packets_malformed: u64,
    /// Missing packets that arrived after being requested by NACK.
    pub packets_recovered: u64,
    /// RFC 3550 A.8 interarrival jitter, in timestamp units.
    pub jitter: f64,
    /// The same jitter in seconds — `jitter`.
    pub jitter_seconds: f64,
    /// Video frames whose packets all arrived — `framesReceived`.
    pub frames_received: u64,
    /// Video frames released for decoding.
    pub frames_decodable: u64,
    /// Video frames dropped: incomplete, undecodable after a loss, or pushed out when full — `framesDropped`.
    pub frames_dropped: u64,
    /// Audio packets the decoder must conceal (missing at playout time) — `concealmentEvents`.
    pub concealment_events: u64,
    /// Sum over emitted frames (audio: packets) of the time from first arrival to release —
    /// `jitterBufferDelay`, seconds.
    pub jitter_buffer_delay: f64,
    /// Frames (audio: packets) released — `jitterBufferEmittedCount`.
    pub jitter_buffer_emitted_count: u64,
    /// Current adaptive playout delay — `jitterBufferTargetDelay` / emitted count is its average.
    pub target_delay: Duration,
    /// Sequence numbers sent in NACKs — `nackCount`.
    pub nack_count: u64,
    /// Missing packets given up after the last retry (or after the wait, without NACK).
    pub nack_given_up: u64,
    /// Keyframe requests signalled — `pliCount`.
    pub pli_count: u64,
    /// Stream restarts (SSRC change or a huge sequence jump).
    pub restarts: u64,
}

/// RFC 3550 §6.4.1 / A.8 interarrival jitter: `J += (|D(i-1,i)| - J) / 16`, in timestamp units.
#[derive(Debug, Clone, Copy)]
pub(crate) struct InterarrivalJitter {
    clock_rate: f64,
    epoch: Option<Instant>,
    last_transit: Option<f64>,
    jitter: f64,
}

impl InterarrivalJitter {
    pub(crate) fn new(clock_rate: u32) -> Self {
        Self {
            clock_rate: f64::from(clock_rate.max(1)),
            epoch: None,
            last_transit: None,
            jitter: 0.0,
        }
    }

    /// Feeds a packet's arrival time and (unwrapped) RTP timestamp.
    #[allow(clippy::cast_precision_loss)] // timestamps stay far below 2^52
    pub(crate) fn update(&mut self, arrival: Instant, timestamp: i64) {
        let epoch = *self.epoch.get_or_insert(arrival);
        let arrival_units = arrival.saturating_duration_since(epoch).as_secs_f64() * self.clock_rate;
        let transit = arrival_units - timestamp as f64;
        if let Some(last) = self.last_transit {
            let d = (transit - last).abs();
            self.jitter += (d - self.jitter) / 16.0;
        }
        self.last_transit = Some(transit);
    }

    /// Forgets the previous packet (stream restart); the estimate itself is kept.
    pub(crate) fn restart(&mut self) {
        self.epoch = None;
        self.last_transit = None;
    }

    pub(crate) fn units(&self) -> f64 {
        self.jitter
    }

    pub(crate) fn seconds(&self) -> f64 {
        self.jitter / self.clock_rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_example() {
        // 8 kHz, 20 ms packets: ts 0, 160, 320, 480 arriving at 0, 20, 50, 60 ms.
        // transit (units): 0, 0, 400-320 = 80, 480-480 = 0
        // J: 0 -> (0-0)/16 = 0 -> 0 + (80-0)/16 = 5 -> 5 + (80-5)/16 = 9.6875
        let t0 = Instant::now();
        let mut j = InterarrivalJitter::new(8000);
        for (ms, ts) in [(0, 0), (20, 160), (50, 320)] {
            j.update(t0 + Duration::from_millis(ms), ts);
        }
        assert!((j.units() - 5.0).abs() < 1e-9, "{}", j.units());
        j.update(t0 + Duration::from_millis(60), 480);
        assert!((j.units() - 9.6875).abs() < 1e-9, "{}", j.units());
        assert!((j.seconds() - 9.6875 / 8000.0).abs() < 1e-12);
    }
}
