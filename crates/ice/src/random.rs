//! Where the agent's randomness comes from: the OS CSPRNG, or — for tests only — a seeded generator.

use std::time::Duration;

use crate::stun::TransactionId;

/// The source of transaction ids, the tie-breaker, credentials and consent jitter.
///
/// STUN transaction ids must be unpredictable (RFC 8489 §6): whoever can guess the next one can forge a response
/// to it. So real agents draw every value from the OS CSPRNG; the seeded generator, whose outputs follow from
/// any one of them, exists only to make tests repeatable ([`crate::AgentConfig::test_seed`]).
#[derive(Debug, Clone)]
pub(crate) enum Rng {
    /// The operating system's CSPRNG (`getrandom(2)` on Linux).
    Os,
    /// `SplitMix64` from a seed: deterministic and predictable, for tests only.
    Seeded(u64),
    /// Every draw fails, as the OS generator might: for testing the error paths.
    #[cfg(test)]
    Failing,
}

impl Rng {
    /// Fills `buf` with random bytes.
    pub(crate) fn fill(&mut self, buf: &mut [u8]) -> Result<(), getrandom::Error> {
        match self {
            Self::Os => getrandom::fill(buf),
            Self::Seeded(state) => {
                for chunk in buf.chunks_mut(8) {
                    let bytes = split_mix(state).to_be_bytes();
                    chunk.copy_from_slice(&bytes[..chunk.len()]);
                }
                Ok(())
            }
            #[cfg(test)]
            Self::Failing => Err(getrandom::Error::UNSUPPORTED),
        }
    }

    /// A random `u64`.
    pub(crate) fn u64(&mut self) -> Result<u64, getrandom::Error> {
        let mut b = [0u8; 8];
        self.fill(&mut b)?;
        Ok(u64::from_be_bytes(b))
    }

    /// A fresh transaction id.
    pub(crate) fn transaction_id(&mut self) -> Result<TransactionId, getrandom::Error> {
        let mut id = [0u8; 12];
        self.fill(&mut id)?;
        Ok(TransactionId(id))
    }

    /// `base` scaled by a factor drawn uniformly from 0.8..=1.2 (RFC 7675 §5.1). The jitter only spreads
    /// consent checks out; should the generator fail, `base` itself is as good.
    pub(crate) fn jitter(&mut self, base: Duration) -> Duration {
        let draw = self.u64().unwrap_or(200);
        // invariant: 800 + (draw % 401) <= 1200 fits in a u32.
        let permille = u32::try_from(800 + draw % 401).expect("at most 1200");
        base * permille / 1000
    }
}

/// One `SplitMix64` step.
fn split_mix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_repeats_and_os_does_not() {
        let (mut a, mut b) = (Rng::Seeded(5), Rng::Seeded(5));
        assert_eq!(a.transaction_id().unwrap(), b.transaction_id().unwrap());
        let (mut a, mut b) = (Rng::Os, Rng::Os);
        assert_ne!(a.transaction_id().unwrap(), b.transaction_id().unwrap());
        assert_ne!(a.u64().unwrap(), a.u64().unwrap());
    }

    #[test]
    fn jitter_stays_within_twenty_percent() {
        let base = Duration::from_secs(5);
        for mut rng in [Rng::Os, Rng::Seeded(1), Rng::Failing] {
            for _ in 0..100 {
                let j = rng.jitter(base);
                assert!(j >= base * 4 / 5 && j <= base * 6 / 5, "{j:?}");
            }
        }
    }
}
