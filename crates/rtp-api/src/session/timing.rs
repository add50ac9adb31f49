//! When RTCP goes out.
//!
//! - The RTCP interval `T_rr` follows RFC 3550 §6.3 and its appendix A.7: the average compound size (UDP/IP
//!   headers included) times the participants sharing the RTCP bandwidth, over that bandwidth — 5 % of the
//!   session bandwidth, a quarter of it for senders when they are at most a quarter of the members. The
//!   session bandwidth is the configured one (`b=AS`), else the RTP rate measured both ways (1 Mbit/s is
//!   assumed until a first measurement). As RFC 4585 §3.4 has it for AVPF, there is no 5 s minimum; the
//!   interval stays within [`MIN_INTERVAL`]..=5 s. Each interval is drawn from 0.5..1.5 times it, over e − 3/2
//!   (RFC 3550 §6.3.1).
//! - Regular compounds (SR/RR, SDES, XR, BYE) go out at those times, but no more often than the configured
//!   report interval (RFC 4585 §3.5.3's `T_rr_interval`): a regular time closer than that to the last
//!   compound sent is skipped, and its scheduling goes on.
//! - Early feedback follows RFC 4585 §3.5.2 for two participants (no dither): feedback goes out at once if
//!   no early packet went out since the last regular time, and the next regular time then moves to two
//!   intervals after the previous one; otherwise it waits for, and goes out at, the next regular time.

use std::time::{Duration, Instant};

/// Bytes of IPv4 and UDP headers counted with each packet (RFC 3550 §6.2: lower-layer headers count).
pub(crate) const UDP_IP_OVERHEAD: usize = 28;

/// The RTCP interval never goes below this, however high the bandwidth.
pub const MIN_INTERVAL: Duration = Duration::from_millis(20);

/// The longest RTCP interval (RFC 3550 §6.2's recommended minimum, here a ceiling).
const MAX_INTERVAL: Duration = Duration::from_secs(5);

/// The session bandwidth assumed until one is measured, bit/s.
const ASSUMED_BANDWIDTH: f64 = 1_000_000.0;

/// RFC 3550 §6.3.1: the randomised interval is divided by e − 3/2 so that its mean, after timer
/// reconsideration, is the deterministic one.
const COMPENSATION: f64 = std::f64::consts::E - 1.5;

/// Who takes part, for the interval (RFC 3550 A.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Members {
    /// SSRCs in the session, ours and the peer's (at least 2 are assumed).
    pub(crate) total: usize,
    /// Of them, those that sent RTP lately.
    pub(crate) senders: usize,
    /// Whether we sent RTP since the last report.
    pub(crate) we_sent: bool,
}

/// Report-interval randomisation (not a secret: report timing only).
#[derive(Debug, Clone)]
struct IntervalRng(u64);

impl IntervalRng {
    /// A factor in 0.5..1.5.
    fn factor(&mut self) -> f64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        0.5 + f64::from((x >> 32) as u32) / 4_294_967_296.0
    }
}

/// The RTCP schedule of one session.
#[derive(Debug, Clone)]
pub(crate) struct RtcpTiming {
    rng: IntervalRng,
    /// The session bandwidth from signalling, bit/s.
    configured_bandwidth: Option<u64>,
    /// Regular compounds go out no more often than this (`T_rr_interval`).
    report_interval: Duration,
    /// The next regular time (`tn`).
    next_report: Option<Instant>,
    /// The last regular time (`tp`).
    last_report: Option<Instant>,
    /// When the last regular compound went out.
    last_sent: Option<Instant>,
    /// The last interval drawn (`T_rr`).
    interval: Duration,
    /// Whether an early feedback packet may go out (RFC 4585 `allow_early`).
    allow_early: bool,
    /// The average compound size in bytes, UDP/IP included (`avg_rtcp_size`).
    avg_size: f64,
    /// RTP bytes sent and received since the last regular time.
    rtp_bytes: u64,
    /// The measured session bandwidth, bit/s.
    measured: Option<f64>,
}

impl RtcpTiming {
    pub(crate) fn new(seed: u64, configured_bandwidth: Option<u64>, report_interval: Duration) -> Self {
        Self {
            rng: IntervalRng(seed | 1),
            configured_bandwidth: configured_bandwidth.filter(|&b| b > 0),
            report_interval,
            next_report: None,
            last_report: None,
            last_sent: None,
            interval: MAX_INTERVAL,
            allow_early: true,
            // A receiver report with one block and a short SDES, plus headers.
            avg_size: 100.0,
            rtp_bytes: 0,
            measured: None,
        }
    }

    /// Counts an RTP datagram of `len` bytes, sent or received, towards the measured bandwidth.
    pub(crate) fn on_rtp(&mut self, len: usize) {
        self.rtp_bytes += (len + UDP_IP_OVERHEAD) as u64;
    }

    /// Schedules the first regular time, half an interval away (RFC 3550 §6.2), if none is scheduled.
    pub(crate) fn start(&mut self, now: Instant, members: Members) {
        if self.next_report.is_none() {
            let t = self.draw(members);
            self.interval = t;
            self.next_report = Some(now + t / 2);
        }
    }

    /// The next regular time.
    pub(crate) fn next_report(&self) -> Option<Instant> {
        self.next_report
    }

    /// Whether the regular time has come at `now`.
    pub(crate) fn report_due(&self, now: Instant) -> bool {
        self.next_report.is_some_and(|t| t <= now)
    }

    /// Counts an RTCP compound of `size` bytes sent, regular or early, into the average size.
    pub(crate) fn on_compound(&mut self, size: usize) {
        #[allow(clippy::cast_precision_loss)] // datagram sizes
        let size = (size + UDP_IP_OVERHEAD) as f64;
        self.avg_size = size / 16.0 + self.avg_size * 15.0 / 16.0;
    }

    /// Handles the regular time at `now`: measures the bandwidth, frees the early slot and schedules the next
    /// regular time. Returns whether a regular compound goes out now (not within the report interval of the
    /// last one).
    pub(crate) fn on_regular_time(&mut self, now: Instant, members: Members) -> bool {
        if let Some(tp) = self.last_report {
            let seconds = now.saturating_duration_since(tp).as_secs_f64();
            if seconds > 0.0 {
                #[allow(clippy::cast_precision_loss)] // byte counts far below 2^52
                let rate = self.rtp_bytes as f64 * 8.0 / seconds;
                // Smoothed: one interval of silence or a burst moves it half way.
                self.measured = Some(self.measured.map_or(rate, |m| m.midpoint(rate)));
            }
        }
        self.rtp_bytes = 0;
        self.last_report = Some(now);
        self.allow_early = true;
        let t = self.draw(members);
        self.interval = t;
        self.next_report = Some(now + t);
        let send = self
            .last_sent
            .is_none_or(|last| now.saturating_duration_since(last) >= self.report_interval);
        if send {
            self.last_sent = Some(now);
        }
        send
    }

    /// Takes the early-feedback slot if it is free: `true` if feedback may go out now. The next regular
    /// report then moves to two intervals after the last one (RFC 4585 §3.5.2), and no further early packet
    /// goes out before it.
    pub(crate) fn take_early(&mut self) -> bool {
        if !self.allow_early {
            return false;
        }
        self.allow_early = false;
        if let (Some(tp), Some(tn)) = (self.last_report, self.next_report) {
            self.next_report = Some(tn.max(tp + self.interval * 2));
        }
        true
    }

    /// The session bandwidth the interval is computed from, bit/s: configured, measured, or assumed.
    pub(crate) fn bandwidth(&self) -> f64 {
        #[allow(clippy::cast_precision_loss)] // bit rates
        self.configured_bandwidth
            .map(|b| b as f64)
            .or(self.measured)
            .unwrap_or(ASSUMED_BANDWIDTH)
    }

    /// The deterministic interval (RFC 3550 A.7) for `members`.
    pub(crate) fn deterministic(&self, members: Members) -> Duration {
        // Silence measured as zero still leaves RTCP some room: a 16 kbit/s session at least.
        let bandwidth = self.bandwidth().max(16_000.0);
        let rtcp_bytes_per_second = 0.05 * bandwidth / 8.0;
        let members_n = members.total.max(2);
        let senders_n = members.senders.min(members_n);
        #[allow(clippy::cast_precision_loss)] // participant counts
        let (n, share) = if (senders_n as f64) <= members_n as f64 * 0.25 {
            if members.we_sent {
                (senders_n.max(1) as f64, 0.25)
            } else {
                ((members_n - senders_n) as f64, 0.75)
            }
        } else {
            (members_n as f64, 1.0)
        };
        let t = self.avg_size * n / (rtcp_bytes_per_second * share);
        Duration::from_secs_f64(t.clamp(MIN_INTERVAL.as_secs_f64(), MAX_INTERVAL.as_secs_f64()))
    }

    fn draw(&mut self, members: Members) -> Duration {
        self.deterministic(members).mul_f64(self.rng.factor() / COMPENSATION)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Duration, b: Duration) -> bool {
        a.abs_diff(b) <= Duration::from_micros(1)
    }

    const TWO: Members = Members {
        total: 2,
        senders: 2,
        we_sent: true,
    };

    #[test]
    fn the_interval_follows_the_bandwidth_within_its_bounds() {
        // RFC 3550 A.7 by hand: 2 members, both senders (not ≤ 25 %): n = 2 over all of 5 % of the bandwidth.
        // 64 kbit/s: 400 B/s, 100 B × 2 / 400 = 0.5 s.
        let t = RtcpTiming::new(1, Some(64_000), Duration::ZERO);
        assert!(close(t.deterministic(TWO), Duration::from_millis(500)));
        // 500 kbit/s: 3125 B/s, 64 ms.
        let t = RtcpTiming::new(1, Some(500_000), Duration::ZERO);
        assert!(close(t.deterministic(TWO), Duration::from_millis(64)));
        // 2.5 Mbit/s: 12.8 ms, raised to the 20 ms floor; 2 kbit/s: 50 s, cut to 5 s (and counted as 16 kbit/s).
        let t = RtcpTiming::new(1, Some(2_500_000), Duration::ZERO);
        assert_eq!(t.deterministic(TWO), MIN_INTERVAL);
        let t = RtcpTiming::new(1, Some(2_000), Duration::ZERO);
        assert!(close(t.deterministic(TWO), Duration::from_secs(2)));
        // Unknown: 1 Mbit/s is assumed, 32 ms.
        let t = RtcpTiming::new(1, None, Duration::ZERO);
        assert!(close(t.deterministic(TWO), Duration::from_millis(32)));
    }

    #[test]
    fn senders_and_receivers_share_the_bandwidth_as_appendix_a7_says() {
        let t = RtcpTiming::new(1, Some(500_000), Duration::ZERO);
        // 8 members, 2 senders (≤ 25 %): we send, so n = 2 over a quarter of 3125 B/s: 256 ms.
        let sender = Members {
            total: 8,
            senders: 2,
            we_sent: true,
        };
        assert!(close(t.deterministic(sender), Duration::from_millis(256)));
        // A receiver: n = 6 over three quarters: 256 ms as well.
        let receiver = Members {
            we_sent: false,
            ..sender
        };
        assert!(close(t.deterministic(receiver), Duration::from_millis(256)));
    }

    #[test]
    fn draws_spread_over_half_to_one_and_a_half_times_the_compensated_interval() {
        let mut t = RtcpTiming::new(7, Some(500_000), Duration::ZERO);
        let draws: Vec<f64> = (0..2000).map(|_| t.draw(TWO).as_secs_f64()).collect();
        let base = 0.064 / COMPENSATION;
        assert!(draws.iter().all(|&d| d >= base * 0.5 - 1e-9 && d <= base * 1.5 + 1e-9));
        let mean = draws.iter().sum::<f64>() / 2000.0;
        assert!((mean / base - 1.0).abs() < 0.03, "mean {mean}, want {base}");
    }

    #[test]
    fn one_early_packet_per_interval_and_the_next_regular_time_skipped() {
        let now = Instant::now();
        let mut t = RtcpTiming::new(3, Some(500_000), Duration::ZERO);
        t.start(now, TWO);
        assert!(t.on_regular_time(now, TWO));
        let tn = t.next_report().unwrap();
        assert!(t.take_early(), "the first feedback goes out at once");
        assert!(!t.take_early(), "a second waits for the regular time");
        assert_eq!(t.next_report(), Some(now + t.interval * 2), "tn = tp + 2 T_rr");
        assert!(t.next_report().unwrap() > tn);
        t.on_regular_time(now + t.interval * 2, TWO);
        assert!(t.take_early(), "allowed again after the regular time");
    }

    #[test]
    fn regular_compounds_keep_the_report_interval() {
        let start = Instant::now();
        let mut t = RtcpTiming::new(3, Some(500_000), Duration::from_secs(1));
        t.start(start, TWO);
        let mut sent = Vec::new();
        let mut now = start;
        while now < start + Duration::from_secs(10) {
            now = t.next_report().unwrap();
            if t.on_regular_time(now, TWO) {
                sent.push(now);
            }
        }
        assert!(
            sent.windows(2).all(|w| w[1] - w[0] >= Duration::from_secs(1)),
            "{sent:?}"
        );
        // Regular times come every ~64 ms, so each second's first one sends: 10 compounds in 10 s.
        assert!((9..=11).contains(&sent.len()), "{} compounds", sent.len());
    }

    #[test]
    fn the_measured_rtp_rate_sets_the_bandwidth() {
        let now = Instant::now();
        let mut t = RtcpTiming::new(3, None, Duration::ZERO);
        assert!((t.bandwidth() - ASSUMED_BANDWIDTH).abs() < 1e-9);
        t.start(now, TWO);
        t.on_regular_time(now, TWO);
        // 50 datagrams of 1222 bytes (1250 with UDP/IP) in one second: 500 kbit/s.
        for _ in 0..50 {
            t.on_rtp(1222);
        }
        t.on_regular_time(now + Duration::from_secs(1), TWO);
        assert!((t.bandwidth() - 500_000.0).abs() < 1e-6);
        assert!(close(t.deterministic(TWO), Duration::from_millis(64)));
    }
}
