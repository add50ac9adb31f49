//! The audio playout reference: the shortest recent transit time, so that playout follows the sender's clock.

use std::time::{Duration, Instant};

/// How long a transit minimum is remembered: between one and two of these. A sender clock that drifts (or a
/// path whose delay changes) moves the minimum, and playout follows it within this time.
pub(crate) const WINDOW: Duration = Duration::from_secs(2);

/// Where audio packets are played out from: the arrival clock of the fastest packet of the last
/// [`WINDOW`]s.
///
/// Transit times (arrival minus media time, in nanoseconds from the first packet) are kept as minima over two
/// consecutive windows; the reference is the smaller of the two. A faster packet lowers it at once (playout
/// moves earlier: the decoder drops or compresses that much audio), and when the fastest packet leaves the
/// windows it rises to the new minimum (playout moves later: the decoder stretches or conceals that much).
/// Both are counted. Without forgetting, a sender clock 100 ppm slow would drain a 40 ms buffer in under
/// seven minutes.
#[derive(Debug, Clone)]
pub(crate) struct PlayoutReference {
    clock_rate: u32,
    /// Arrival time and timestamp of the stream's first packet: the origin of transit times.
    origin: Option<(Instant, i64)>,
    /// Transit time playout is reckoned from, nanoseconds.
    reference: i64,
    /// When the current window began.
    window_start: Option<Instant>,
    /// Smallest transit of the previous window and of the current one (`i64::MAX`: none).
    minima: [i64; 2],
    /// Total by which playout moved later / earlier, nanoseconds.
    later_nanos: u64,
    earlier_nanos: u64,
}

impl PlayoutReference {
    pub(crate) fn new(clock_rate: u32) -> Self {
        Self {
            clock_rate: clock_rate.max(1),
            origin: None,
            reference: 0,
            window_start: None,
            minima: [i64::MAX; 2],
            later_nanos: 0,
            earlier_nanos: 0,
        }
    }

    /// Media time of `ts` after the origin's, nanoseconds.
    fn media_nanos(&self, origin_ts: i64, ts: i64) -> i128 {
        let d = ts.saturating_sub(origin_ts);
        match d.checked_mul(1_000_000_000) {
            // within 2^63 ns (the common case): a 64-bit division
            Some(n) => i128::from(n / i64::from(self.clock_rate)),
            None => i128::from(d) * 1_000_000_000 / i128::from(self.clock_rate),
        }
    }

    /// Accounts a media packet's arrival.
    pub(crate) fn update(&mut self, now: Instant, ts: i64) {
        let &mut (at, origin_ts) = self.origin.get_or_insert((now, ts));
        let arrival = match now.checked_duration_since(at) {
            Some(d) => i128::try_from(d.as_nanos()).unwrap_or(i128::MAX),
            None => -i128::try_from(at.duration_since(now).as_nanos()).unwrap_or(i128::MAX),
        };
        let transit = clamp_i64(arrival - self.media_nanos(origin_ts, ts));
        let start = *self.window_start.get_or_insert(now);
        let first = self.minima == [i64::MAX; 2];
        let elapsed = now.saturating_duration_since(start);
        if elapsed >= WINDOW {
            // a new window; after a silence longer than two, nothing recent is remembered
            self.minima = [
                if elapsed >= 2 * WINDOW {
                    i64::MAX
                } else {
                    self.minima[1]
                },
                i64::MAX,
            ];
            self.window_start = Some(now);
        }
        self.minima[1] = self.minima[1].min(transit);
        let floor = self.minima[0].min(self.minima[1]);
        if first {
            self.reference = floor;
        } else if floor < self.reference {
            self.earlier_nanos += (self.reference - floor).unsigned_abs();
            self.reference = floor;
        } else if floor > self.reference {
            self.later_nanos += (floor - self.reference).unsigned_abs();
            self.reference = floor;
        }
    }

    /// When media time `ts` is reached on the reference's arrival clock (plus `delay`).
    pub(crate) fn instant(&self, ts: i64, delay: Duration) -> Option<Instant> {
        let (at, origin_ts) = self.origin?;
        let offset =
            self.media_nanos(origin_ts, ts) + i128::from(self.reference) + i128::try_from(delay.as_nanos()).ok()?;
        let magnitude = Duration::from_nanos(u64::try_from(offset.unsigned_abs()).ok()?);
        if offset >= 0 {
            at.checked_add(magnitude)
        } else {
            at.checked_sub(magnitude)
        }
    }

    /// Forgets the stream (a restart); the totals are kept.
    pub(crate) fn reset(&mut self) {
        self.origin = None;
        self.reference = 0;
        self.window_start = None;
        self.minima = [i64::MAX; 2];
    }

    /// Timestamp units by which playout moved later so far.
    pub(crate) fn later_units(&self) -> u64 {
        self.units(self.later_nanos)
    }

    /// Timestamp units by which playout moved earlier so far.
    pub(crate) fn earlier_units(&self) -> u64 {
        self.units(self.earlier_nanos)
    }

    fn units(&self, nanos: u64) -> u64 {
        u64::try_from(u128::from(nanos) * u128::from(self.clock_rate) / 1_000_000_000).unwrap_or(u64::MAX)
    }
}

fn clamp_i64(v: i128) -> i64 {
    i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_a_rising_floor_after_the_window_and_a_falling_one_at_once() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut p = PlayoutReference::new(1000); // 1 unit = 1 ms
        p.update(t0, 0);
        assert_eq!(p.instant(0, ms(5)), Some(t0 + ms(5)));
        // 3 ms faster: at once
        p.update(t0 + ms(17), 20);
        assert_eq!(p.instant(20, Duration::ZERO), Some(t0 + ms(17)));
        assert_eq!(p.earlier_units(), 3);
        // every later packet 10 ms slower than that: remembered for one to two windows, then followed
        let mut ts = 20;
        let mut at = ms(17);
        while at < 2 * WINDOW + ms(100) {
            ts += 20;
            at += ms(20);
            p.update(t0 + at + ms(10), ts);
        }
        assert_eq!(p.later_units(), 10);
        assert_eq!(p.instant(ts, Duration::ZERO), Some(t0 + at + ms(10)));
        p.reset();
        assert_eq!(p.instant(0, Duration::ZERO), None);
        assert_eq!((p.earlier_units(), p.later_units()), (3, 10));
    }
}
