//! Shared helpers for integration tests: locating the real-data corpus.
#![allow(dead_code)]

use std::path::PathBuf;

/// The real-data corpus (`shared/data`), or `None` after saying why the test skips.
pub fn corpus() -> Option<PathBuf> {
    postmarket_testing::corpus("postmarket-version")
}

/// A tiny deterministic PRNG (xorshift64*), for sampling without dependencies.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % (n.max(1) as u64)) as usize
    }
}
