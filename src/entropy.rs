//! Injected time and randomness.
//!
//! Nothing in Accord's core reads the wall clock or the operating system's random source
//! directly: it takes a [`Clock`] and an [`Entropy`]. A run records its seed, and the same seed
//! gives the same salts, decoys, nonces and keys, so a run can be reproduced byte for byte
//! (apart from ECDSA signatures, whose per-signature nonce is drawn inside the crypto library;
//! transcripts redact signatures for that reason).

use aws_lc_rs::digest::{Context, SHA256};
use aws_lc_rs::rand::SecureRandom;

/// A source of the current time, in seconds since the Unix epoch.
pub trait Clock: Send + Sync {
    fn now(&self) -> i64;

    /// Milliseconds since the Unix epoch (event timestamps).
    fn now_ms(&self) -> i64 {
        self.now().saturating_mul(1000)
    }
}

/// The operating system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        time::OffsetDateTime::now_utc().unix_timestamp()
    }

    fn now_ms(&self) -> i64 {
        (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
    }
}

/// A clock that always says the same instant; used by tests and by `--now`.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub i64);

impl Clock for FixedClock {
    fn now(&self) -> i64 {
        self.0
    }
}

/// A source of random bytes.
pub trait Entropy {
    fn fill(&mut self, out: &mut [u8]);

    /// `n` random bytes.
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut out = vec![0; n];
        self.fill(&mut out);
        out
    }

    /// A uniformly distributed integer in `0..bound` (`bound` > 0).
    fn below(&mut self, bound: u64) -> u64 {
        debug_assert!(bound > 0);
        // Rejection sampling keeps the distribution uniform.
        let zone = u64::MAX - (u64::MAX % bound);
        loop {
            let mut b = [0u8; 8];
            self.fill(&mut b);
            let v = u64::from_le_bytes(b);
            if v < zone {
                return v % bound;
            }
        }
    }
}

/// Deterministic randomness from a seed: SHA-256 in counter mode over `(seed, label, counter)`.
///
/// The label separates independent streams drawn from one seed (for example the PKI's keys and
/// an issuance's salts), so adding a draw to one stream never shifts another.
#[derive(Debug, Clone)]
pub struct SeededEntropy {
    seed: u64,
    label: String,
    counter: u64,
    buffer: Vec<u8>,
}

impl SeededEntropy {
    pub fn new(seed: u64, label: &str) -> Self {
        Self {
            seed,
            label: label.to_owned(),
            counter: 0,
            buffer: Vec::new(),
        }
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// An independent stream from the same seed.
    pub fn fork(&self, label: &str) -> Self {
        Self::new(self.seed, &format!("{}/{}", self.label, label))
    }

    fn refill(&mut self) {
        let mut ctx = Context::new(&SHA256);
        ctx.update(b"accord-entropy-v1\0");
        ctx.update(&self.seed.to_be_bytes());
        ctx.update(&(self.label.len() as u64).to_be_bytes());
        ctx.update(self.label.as_bytes());
        ctx.update(&self.counter.to_be_bytes());
        self.counter += 1;
        self.buffer.extend_from_slice(ctx.finish().as_ref());
    }
}

impl Entropy for SeededEntropy {
    fn fill(&mut self, out: &mut [u8]) {
        let mut filled = 0;
        while filled < out.len() {
            if self.buffer.is_empty() {
                self.refill();
            }
            let take = (out.len() - filled).min(self.buffer.len());
            out[filled..filled + take].copy_from_slice(&self.buffer[..take]);
            self.buffer.drain(..take);
            filled += take;
        }
    }
}

/// The operating system's random source, for production use where no seed is wanted.
#[derive(Debug, Default)]
pub struct SystemEntropy;

impl Entropy for SystemEntropy {
    fn fill(&mut self, out: &mut [u8]) {
        // The system source failing is not recoverable and never happens on supported
        // platforms; aws-lc aborts on its own in that case.
        if aws_lc_rs::rand::SystemRandom::new().fill(out).is_err() {
            panic!("the operating system's random source failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes_different_label_different_bytes() {
        let a = SeededEntropy::new(7, "salts").bytes(100);
        let b = SeededEntropy::new(7, "salts").bytes(100);
        let c = SeededEntropy::new(7, "keys").bytes(100);
        let d = SeededEntropy::new(8, "salts").bytes(100);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }

    #[test]
    fn split_reads_equal_one_read() {
        let mut one = SeededEntropy::new(1, "x");
        let mut two = SeededEntropy::new(1, "x");
        let whole = one.bytes(50);
        let mut parts = two.bytes(7);
        parts.extend(two.bytes(43));
        assert_eq!(whole, parts);
    }

    #[test]
    fn below_stays_in_range() {
        let mut e = SeededEntropy::new(3, "b");
        for bound in [1, 2, 3, 10, 1000] {
            for _ in 0..50 {
                assert!(e.below(bound) < bound);
            }
        }
    }
}
