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
    /// Packets that arrived after their turn had passed, were dropped to make room, or lay far from the
    /// stream's sequence numbers without their successor following ([`Inserted::Probation`](crate::Inserted::Probation))
    /// — `packetsDiscarded`.
    pub packets_discarded: u64,
    /// Packets whose payload the frame-boundary reader rejected.
    pub packets_malformed: u64,
    /// Missing packets that arrived after being requested by NACK.
    pub packets_recovered: u64,
    /// RFC 3550 A.8 interarrival jitter in timestamp units: the jitter field of a reception report block
    /// ([`InterarrivalJitter::jitter`]).
    pub jitter: u32,
    /// The same value in seconds — `jitter` ([`InterarrivalJitter::jitter_seconds`]: `jitter / clock rate`).
    pub jitter_seconds: f64,
    /// Video frames whose packets all arrived — `framesReceived`.
    pub frames_received: u64,
    /// Video frames released for decoding.
    pub frames_decodable: u64,
    /// Video frames dropped: incomplete, undecodable after a loss, or pushed out when full — `framesDropped`.
    pub frames_dropped: u64,
    /// Audio packets the decoder must conceal (missing at playout time) — `concealmentEvents`.
    pub concealment_events: u64,
    /// Audio: timestamp units by which playout moved later, following a sender clock that runs slow or a
    /// path that got slower; the decoder stretches (or conceals) that much — `insertedSamplesForDeceleration`.
    pub inserted_samples_for_deceleration: u64,
    /// Audio: timestamp units by which playout moved earlier, following a sender clock that runs fast or a
    /// path that got faster; the decoder drops (or compresses) that much — `removedSamplesForAcceleration`.
    pub removed_samples_for_acceleration: u64,
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
    /// Stream restarts (SSRC change, or a huge sequence jump confirmed by the next packet).
    pub restarts: u64,
}

/// The RFC 3550 §6.4.1 interarrival jitter estimator, in the integer form of Appendix A.8: `J += (|D| - J) / 16`
/// kept scaled by 16.
///
/// It belongs on the receive side, which sees arrival times: one estimator gives both the jitter field of
/// a reception report ([`jitter`](Self::jitter), timestamp units) and the W3C `jitter` statistic
/// ([`jitter_seconds`](Self::jitter_seconds)), so the two always agree. A [`JitterBuffer`](crate::JitterBuffer)
/// runs one over the media packets it stores and reports it in [`JitterStats`].
///
/// ```
/// use std::time::{Duration, Instant};
/// use ortc_jitter::InterarrivalJitter;
///
/// // 8 kHz, 20 ms packets (160 timestamp units); the third arrives 10 ms late.
/// let mut j = InterarrivalJitter::new(8000);
/// let t0 = Instant::now();
/// for (ms, ts) in [(0, 0), (20, 160), (50, 320), (60, 480)] {
///     j.update(t0 + Duration::from_millis(ms), ts);
/// }
/// assert_eq!(j.jitter(), 9); // 155 / 16
/// assert_eq!(j.jitter_seconds(), 9.0 / 8000.0);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct InterarrivalJitter {
    clock_rate: u32,
    /// The arrival clock's origin (any fixed instant: transit times only matter by their differences).
    epoch: Option<Instant>,
    last_transit: Option<u32>,
    /// The estimate scaled by 16 (A.8's `s->jitter`).
    jitter_q4: u64,
}

impl InterarrivalJitter {
    /// A fresh estimator for a stream whose RTP clock runs at `clock_rate` Hz (0 is taken as 1).
    pub fn new(clock_rate: u32) -> Self {
        Self {
            clock_rate: clock_rate.max(1),
            epoch: None,
            last_transit: None,
            jitter_q4: 0,
        }
    }

    /// The RTP clock rate, Hz.
    pub fn clock_rate(&self) -> u32 {
        self.clock_rate
    }

    /// Accounts one packet: when it arrived and its RTP timestamp. Feed packets in arrival order, once
    /// each (not retransmissions: their timestamps say nothing of the network's jitter).
    pub fn update(&mut self, arrival: Instant, rtp_timestamp: u32) {
        let epoch = *self.epoch.get_or_insert(arrival);
        let since = arrival.saturating_duration_since(epoch);
        // the arrival clock in timestamp units, modulo 2^32 like the timestamps themselves (whole seconds and
        // the fraction apart: no 128-bit division per packet)
        let rate = u64::from(self.clock_rate);
        let units = since
            .as_secs()
            .wrapping_mul(rate)
            .wrapping_add(u64::from(since.subsec_nanos()) * rate / 1_000_000_000);
        #[allow(clippy::cast_possible_truncation)] // modulo 2^32 is meant
        let units = units as u32;
        self.update_units(units, rtp_timestamp);
    }

    /// [`update`](Self::update) with the arrival already in timestamp units (any fixed origin, modulo 2^32).
    pub fn update_units(&mut self, arrival: u32, rtp_timestamp: u32) {
        // transit times have an arbitrary origin and wrap; their difference is taken modulo 2^32 (A.8)
        let transit = arrival.wrapping_sub(rtp_timestamp);
        if let Some(last) = self.last_transit {
            let d = u64::from(transit.wrapping_sub(last).cast_signed().unsigned_abs());
            // A.8: jitter += d - ((jitter + 8) >> 4); the subtracted part never exceeds the estimate
            self.jitter_q4 = self.jitter_q4 + d - ((self.jitter_q4 + 8) >> 4);
        }
        self.last_transit = Some(transit);
    }

    /// Forgets the previous packet (a stream restart: new timestamps); the estimate itself is kept.
    pub fn restart(&mut self) {
        self.epoch = None;
        self.last_transit = None;
    }

    /// The estimate in timestamp units: the value of a reception report block's jitter field (A.8's
    /// `s->jitter >> 4`).
    pub fn jitter(&self) -> u32 {
        u32::try_from(self.jitter_q4 >> 4).unwrap_or(u32::MAX)
    }

    /// The same estimate in seconds (the W3C `jitter` statistic): exactly [`jitter`](Self::jitter) divided
    /// by the clock rate.
    pub fn jitter_seconds(&self) -> f64 {
        f64::from(self.jitter()) / f64::from(self.clock_rate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_worked_a8_example() {
        // 8 kHz, 20 ms packets: ts 0, 160, 320, 480 arriving at 0, 20, 50, 60 ms (0, 160, 400, 480 units).
        // transit: 0, 0, 80, 0; |D|: 0, 80, 80.
        // J16: 0 -> 0 + 0 - (8 >> 4) = 0 -> 0 + 80 - (8 >> 4) = 80 -> 80 + 80 - (88 >> 4) = 155
        // jitter field: J16 >> 4 = 0, 5, 9
        let t0 = Instant::now();
        let mut j = InterarrivalJitter::new(8000);
        let mut fields = Vec::new();
        for (ms, ts) in [(0, 0), (20, 160), (50, 320), (60, 480)] {
            j.update(t0 + Duration::from_millis(ms), ts);
            fields.push(j.jitter());
        }
        assert_eq!(fields, [0, 0, 5, 9]);
        assert_eq!(j.jitter_q4, 155);
        assert!((j.jitter_seconds() - 9.0 / 8000.0).abs() < 1e-15);
    }

    #[test]
    fn converges_to_a_constant_deviation() {
        // packets every 160 units, arrivals alternating +-10 around the ideal: |D| = 20 each time
        let mut j = InterarrivalJitter::new(8000);
        for i in 0u32..2000 {
            let ts = i * 160;
            j.update_units(ts + if i % 2 == 0 { 1000 } else { 1020 }, ts);
        }
        assert!((19..=20).contains(&j.jitter()), "{}", j.jitter());
    }

    #[test]
    fn survives_transit_wrap() {
        // the transit time crosses the i32 boundary: differences are still small
        let mut j = InterarrivalJitter::new(8000);
        let origin = 0x7FFF_FFF8u32;
        for i in 0u32..1000 {
            let ts = i.wrapping_mul(160);
            j.update_units(ts.wrapping_add(origin).wrapping_add(i % 2 * 20), ts);
        }
        assert!(j.jitter() <= 20, "{}", j.jitter());
    }

    #[test]
    fn timestamps_wrap_and_restart_keeps_the_estimate() {
        // a steady stream across the timestamp wrap has no jitter
        let t0 = Instant::now();
        let mut j = InterarrivalJitter::new(48_000);
        for i in 0u32..200 {
            let ts = 0xFFFF_0000u32.wrapping_add(i * 960);
            j.update(t0 + Duration::from_millis(u64::from(i) * 20), ts);
        }
        assert_eq!(j.jitter(), 0);
        j.update_units(0, 0);
        j.update_units(500, 0);
        let before = j.jitter();
        assert!(before > 0);
        j.restart();
        j.update(t0, 12_345);
        assert_eq!(j.jitter(), before);
    }
}
