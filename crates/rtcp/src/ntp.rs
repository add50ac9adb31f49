//! NTP timestamps (RFC 3550 §4) and the round-trip time from LSR/DLSR (RFC 3550 §6.4.1).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Seconds from the NTP epoch (1900-01-01) to the Unix epoch (1970-01-01).
pub const NTP_UNIX_OFFSET_SECS: u64 = 2_208_988_800;

/// A 64-bit NTP timestamp: 32 bits of seconds since 1900, 32 bits of fraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct NtpTime(pub u64);

impl NtpTime {
    /// The seconds part.
    pub fn seconds(self) -> u32 {
        (self.0 >> 32) as u32
    }

    /// The fraction part, in units of 2^-32 s.
    pub fn fraction(self) -> u32 {
        self.0 as u32
    }

    /// The middle 32 bits (16 bits of seconds, 16 of fraction), as carried in LSR and RRT-derived fields.
    pub fn middle32(self) -> u32 {
        (self.0 >> 16) as u32
    }

    /// The NTP time of `t`. Times before 1970 clamp to the Unix epoch; the seconds wrap in 2036 (era 1).
    pub fn from_system_time(t: SystemTime) -> Self {
        let since = t.duration_since(UNIX_EPOCH).unwrap_or_default();
        let secs = since.as_secs().wrapping_add(NTP_UNIX_OFFSET_SECS);
        let frac = (u64::from(since.subsec_nanos()) << 32) / 1_000_000_000;
        Self((secs << 32) | frac)
    }

    /// The wall-clock time this NTP timestamp names, reading it in era 0 (1900–2036) if it is not before
    /// 1970, else in era 1 (2036–2172), as RFC 4330 §3 suggests.
    pub fn to_system_time(self) -> SystemTime {
        let secs = u64::from(self.seconds());
        let secs = if secs >= NTP_UNIX_OFFSET_SECS {
            secs - NTP_UNIX_OFFSET_SECS
        } else {
            secs + (1u64 << 32) - NTP_UNIX_OFFSET_SECS
        };
        let nanos = ((u64::from(self.fraction()) * 1_000_000_000) + (1 << 31)) >> 32;
        UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_nanos(nanos)
    }
}

impl From<SystemTime> for NtpTime {
    fn from(t: SystemTime) -> Self {
        Self::from_system_time(t)
    }
}

/// A duration expressed in the 16.16 fixed-point "middle 32 bits" unit (1/65536 s), as in DLSR.
pub fn duration_to_middle32(d: Duration) -> u32 {
    let units = (d.as_nanos() << 16) / 1_000_000_000;
    u32::try_from(units).unwrap_or(u32::MAX)
}

/// A 16.16 fixed-point "middle 32 bits" value (1/65536 s) as a duration.
pub fn middle32_to_duration(v: u32) -> Duration {
    Duration::from_nanos((u64::from(v) * 1_000_000_000) >> 16)
}

/// The round-trip time per RFC 3550 §6.4.1: `arrival - LSR - DLSR`, all in 1/65536 s.
///
/// `arrival` is the middle 32 bits of the NTP time the report block arrived; `last_sr` and
/// `delay_since_last_sr` are the block's fields. `None` when no SR has been received yet (LSR 0) or
/// the result would be negative (clock trouble).
pub fn rtt_from_report(arrival: u32, last_sr: u32, delay_since_last_sr: u32) -> Option<Duration> {
    if last_sr == 0 {
        return None;
    }
    let rtt = arrival.wrapping_sub(last_sr).wrapping_sub(delay_since_last_sr);
    // A "negative" result wraps to a huge value: treat the upper half as negative.
    if rtt > u32::MAX / 2 {
        return None;
    }
    Some(middle32_to_duration(rtt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_time_round_trip() {
        let t = UNIX_EPOCH + Duration::new(1_700_000_000, 123_456_789);
        let n = NtpTime::from_system_time(t);
        assert_eq!(u64::from(n.seconds()), 1_700_000_000 + NTP_UNIX_OFFSET_SECS);
        let back = n.to_system_time();
        let diff = back.duration_since(t).unwrap_or_else(|e| e.duration());
        assert!(diff < Duration::from_nanos(2), "{diff:?}");
    }

    #[test]
    fn era_one() {
        // 2040-01-01 is past the 2036 wrap.
        let t = UNIX_EPOCH + Duration::from_secs(NTP_UNIX_OFFSET_SECS);
        let n = NtpTime::from_system_time(t);
        assert_eq!(n.seconds(), (2 * NTP_UNIX_OFFSET_SECS - (1 << 32)) as u32);
        assert_eq!(n.to_system_time(), t);
    }

    #[test]
    fn middle32() {
        assert_eq!(NtpTime(0x1122_3344_5566_7788).middle32(), 0x3344_5566);
    }

    #[test]
    fn rtt_rfc_example() {
        // RFC 3550 §6.4.1 example: A = 0xb710_8000 (46864.500 s), LSR = 0xb705_2000 (46853.125 s),
        // DLSR = 0x0005_4000 (5.250 s) -> RTT 6.125 s.
        let rtt = rtt_from_report(0xb710_8000, 0xb705_2000, 0x0005_4000).unwrap();
        assert_eq!(rtt, Duration::from_millis(6125));
        assert_eq!(rtt_from_report(0xb710_8000, 0, 0x0005_4000), None);
        assert_eq!(rtt_from_report(0xb705_2000, 0xb705_2000, 0x0005_4000), None);
    }

    #[test]
    fn middle32_durations() {
        assert_eq!(duration_to_middle32(Duration::from_millis(5250)), 0x0005_4000);
        assert_eq!(middle32_to_duration(0x0005_4000), Duration::from_millis(5250));
    }
}
