//! Sequence-number and timestamp arithmetic: wrap-aware comparison and unwrapping to 64-bit values.
//!
//! RTP sequence numbers (16 bits) and timestamps (32 bits) wrap around. Two values are compared by their
//! forward distance modulo 2^N: `a` is newer than `b` when going forward from `b` to `a` is shorter than
//! half the range. Exactly half the range apart is decided by the larger raw value, so that of two
//! values exactly one is newer.

/// Wrap-around arithmetic for an RTP counter type (`u16` sequence numbers, `u32` timestamps).
pub trait WrappingCounter: Copy + Eq + core::fmt::Debug {
    /// The counter's value as `u64`.
    fn as_u64(self) -> u64;
    /// Number of distinct values (2^bits).
    const RANGE: u64;

    /// Signed shortest distance from `older` to `self` (positive if `self` is newer).
    fn distance_from(self, older: Self) -> i64 {
        let half = Self::RANGE / 2;
        let forward = self.as_u64().wrapping_sub(older.as_u64()) & (Self::RANGE - 1);
        if forward < half || (forward == half && self.as_u64() > older.as_u64()) {
            forward.cast_signed()
        } else {
            forward.cast_signed() - Self::RANGE.cast_signed()
        }
    }

    /// True when `self` comes after `other` (wrap-aware).
    fn is_newer_than(self, other: Self) -> bool {
        self != other && self.distance_from(other) > 0
    }
}

impl WrappingCounter for u16 {
    const RANGE: u64 = 1 << 16;
    fn as_u64(self) -> u64 {
        self.into()
    }
}

impl WrappingCounter for u32 {
    const RANGE: u64 = 1 << 32;
    fn as_u64(self) -> u64 {
        self.into()
    }
}

/// True when sequence number `a` is newer than `b`.
pub fn is_newer_seq(a: u16, b: u16) -> bool {
    a.is_newer_than(b)
}

/// True when timestamp `a` is newer than `b`.
pub fn is_newer_timestamp(a: u32, b: u32) -> bool {
    a.is_newer_than(b)
}

/// The newer of two sequence numbers.
pub fn latest_seq(a: u16, b: u16) -> u16 {
    if is_newer_seq(b, a) { b } else { a }
}

/// Unwraps a wrapping counter into a monotonic 64-bit value, tolerating reordering of up to half the
/// counter's range.
///
/// The first value unwraps to itself; a later value unwraps to the one closest to the newest value seen
/// so far. Values older than the first one can be negative.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unwrapper<T> {
    newest: Option<(T, i64)>,
}

/// Unwraps 16-bit RTP sequence numbers.
pub type SequenceUnwrapper = Unwrapper<u16>;
/// Unwraps 32-bit RTP timestamps.
pub type TimestampUnwrapper = Unwrapper<u32>;

impl<T: WrappingCounter> Unwrapper<T> {
    /// An unwrapper that has seen nothing.
    pub const fn new() -> Self {
        Self { newest: None }
    }

    /// Unwraps `value` and remembers it if it is the newest so far.
    pub fn unwrap(&mut self, value: T) -> i64 {
        let extended = self.peek(value);
        match self.newest {
            Some((_, newest)) if extended <= newest => {}
            _ => self.newest = Some((value, extended)),
        }
        extended
    }

    /// Unwraps `value` without remembering it.
    pub fn peek(&self, value: T) -> i64 {
        match self.newest {
            None => value.as_u64().cast_signed(),
            Some((raw, extended)) => extended + value.distance_from(raw),
        }
    }

    /// The newest unwrapped value so far.
    pub fn newest(&self) -> Option<i64> {
        self.newest.map(|(_, e)| e)
    }

    /// Forgets everything (e.g. on an SSRC change).
    pub fn reset(&mut self) {
        self.newest = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_across_wrap() {
        assert!(is_newer_seq(1, 0));
        assert!(is_newer_seq(0, 65535));
        assert!(!is_newer_seq(65535, 0));
        assert!(!is_newer_seq(5, 5));
        // Exactly half apart: the larger raw value wins, and only one of the two is newer.
        assert!(is_newer_seq(0x8000, 0));
        assert!(!is_newer_seq(0, 0x8000));
        assert!(is_newer_timestamp(10, u32::MAX - 10));
        assert_eq!(latest_seq(65530, 3), 3);
        assert_eq!(65535u16.distance_from(2), -3);
        assert_eq!(2u16.distance_from(65535), 3);
    }

    #[test]
    fn unwraps_forward_across_many_cycles() {
        let mut u = SequenceUnwrapper::new();
        let mut expected = 65_000i64;
        let mut seq = 65_000u16;
        for _ in 0..300_000 {
            assert_eq!(u.unwrap(seq), expected);
            seq = seq.wrapping_add(7);
            expected += 7;
        }
    }

    #[test]
    fn reordered_values_near_the_wrap() {
        let mut u = SequenceUnwrapper::new();
        assert_eq!(u.unwrap(65534), 65534);
        assert_eq!(u.unwrap(1), 65537);
        // A late packet from before the wrap stays in the previous cycle.
        assert_eq!(u.unwrap(65535), 65535);
        assert_eq!(u.newest(), Some(65537));
        assert_eq!(u.unwrap(2), 65538);
    }

    #[test]
    fn older_than_first_goes_negative() {
        let mut u = SequenceUnwrapper::new();
        assert_eq!(u.unwrap(2), 2);
        assert_eq!(u.unwrap(65535), -1);
        u.reset();
        assert_eq!(u.unwrap(65535), 65535);
    }

    #[test]
    fn timestamps_unwrap() {
        let mut u = TimestampUnwrapper::new();
        assert_eq!(u.unwrap(u32::MAX - 900), i64::from(u32::MAX - 900));
        assert_eq!(u.unwrap(2_099), i64::from(u32::MAX) + 2_100);
        assert_eq!(u.unwrap(u32::MAX), i64::from(u32::MAX));
    }
}
