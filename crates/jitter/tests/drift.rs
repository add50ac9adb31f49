//! Audio playout follows a sender clock that drifts: 30 simulated minutes at ±100 ppm on a fake clock keep
//! every packet's time in the buffer within the target band, and the drift shows as acceleration or
//! deceleration.
#![allow(clippy::unwrap_used, missing_docs)]

use std::time::{Duration, Instant};

use bytes::Bytes;
use ortc_jitter::{AudioOut, Config, EveryPacket, JitterBuffer, JitterStats, PacketInfo, TimeoutReason};

const TARGET: Duration = Duration::from_millis(40);
/// Network delay: a fixed 30 ms plus up to this much jitter (uniform).
const JITTER_MS: u64 = 10;
const MINUTES: u64 = 30;
/// Opus, 20 ms packets.
const RATE: u32 = 48_000;
const SAMPLES: u32 = 960;
/// Before this, the first packets' jitter may still set the reference.
const WARM_UP: Duration = Duration::from_secs(10);

struct Run {
    /// Shortest and longest time a packet spent in the buffer after warm-up.
    band: (Duration, Duration),
    /// The same over the last minute.
    last_minute: (Duration, Duration),
    stats: JitterStats,
}

/// Streams `MINUTES` of audio from a sender whose clock is off by `ppm`, releasing at playout timeouts.
fn simulate(ppm: f64) -> Run {
    let mut config = Config::audio(RATE);
    config.min_delay = TARGET;
    config.max_delay = TARGET;
    let mut jb = JitterBuffer::new(config, EveryPacket);
    let t0 = Instant::now();
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let packets = MINUTES * 60 * 50;
    // the sender's 20 ms last 20 / (1 + ppm) real ms
    let period_ns = 20.0e6 / (1.0 + ppm * 1e-6);
    let end = t0 + Duration::from_secs(MINUTES * 60);
    let mut clock = t0;
    let mut band = (Duration::MAX, Duration::ZERO);
    let mut last_minute = (Duration::MAX, Duration::ZERO);
    let mut release_until = |jb: &mut JitterBuffer<EveryPacket>, clock: &mut Instant, until: Instant| {
        while let Some((at, reason)) = jb.poll_timeout() {
            if at > until {
                break;
            }
            assert_eq!(reason, TimeoutReason::Playout);
            *clock = (*clock).max(at);
            while let Some(out) = jb.poll_audio(*clock) {
                let AudioOut::Packet(p) = out else {
                    panic!("concealment at {:?}", *clock - t0);
                };
                let held = *clock - p.arrival;
                if *clock - t0 > WARM_UP {
                    band = (band.0.min(held), band.1.max(held));
                }
                if end - *clock < Duration::from_mins(1) {
                    last_minute = (last_minute.0.min(held), last_minute.1.max(held));
                }
            }
        }
    };
    for i in 0..packets {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let sent = Duration::from_nanos((i as f64 * period_ns) as u64);
        let arrival = t0 + sent + Duration::from_millis(30) + Duration::from_micros(rng % (JITTER_MS * 1000));
        release_until(&mut jb, &mut clock, arrival);
        clock = clock.max(arrival);
        let info = PacketInfo {
            ssrc: 7,
            sequence_number: i as u16,
            timestamp: (i as u32).wrapping_mul(SAMPLES),
            marker: false,
        };
        jb.insert_parts(clock, info, Bytes::from_static(b"opus"));
    }
    release_until(&mut jb, &mut clock, end + Duration::from_secs(1));
    Run {
        band,
        last_minute,
        stats: jb.stats(),
    }
}

/// Asserts the band, and that the net move of playout matches the drift within the jitter's span.
fn check(ppm: f64) {
    let run = simulate(ppm);
    // a packet waits the target, less how much later than the fastest recent one it came
    let low = TARGET.checked_sub(Duration::from_millis(JITTER_MS + 2)).unwrap();
    let high = TARGET + Duration::from_millis(1);
    for (what, (min, max)) in [("after warm-up", run.band), ("in the last minute", run.last_minute)] {
        assert!(
            min >= low && max <= high,
            "{ppm} ppm: held {min:?}..{max:?} {what}, band {low:?}..{high:?}; {:?}",
            run.stats
        );
    }
    let s = run.stats;
    assert_eq!(s.concealment_events, 0, "{s:?}");
    assert_eq!(s.jitter_buffer_emitted_count, MINUTES * 60 * 50);
    // the sender's clock gains (or loses) ppm·30 min on ours: playout moved that much earlier (or later)
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)] // small values
    let drift = (ppm * 1e-6 * (MINUTES * 60) as f64 * f64::from(RATE)) as i64;
    let moved_earlier = i64::try_from(s.removed_samples_for_acceleration).unwrap()
        - i64::try_from(s.inserted_samples_for_deceleration).unwrap();
    let slack = i64::from(RATE) * i64::try_from(JITTER_MS + 2).unwrap() / 1000;
    assert!(
        (moved_earlier - drift).abs() <= slack,
        "{ppm} ppm: playout moved {moved_earlier} units earlier, drift {drift} ± {slack}; {s:?}"
    );
}

#[test]
fn slow_sender_clock_does_not_drain_the_buffer() {
    check(-100.0);
}

#[test]
fn fast_sender_clock_does_not_grow_the_delay() {
    check(100.0);
}

#[test]
fn steady_clock_moves_playout_by_no_more_than_the_jitter() {
    check(0.0);
}
