//! A tiny deterministic pseudo-random generator (SplitMix64).
//!
//! Every random choice is keyed by (seed, stream, key), so any claim or
//! transaction can be regenerated on its own, in any order, with the same
//! result. That is what lets the 835 and 837 writers agree without sharing
//! state, and lets a reversal re-create the payment it takes back.

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// The SplitMix64 finaliser: a good 64-bit mixing function.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Independent families of random choices.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Stream {
    /// What happens to a claim slot (normal, reversal, unmatched…).
    Slot = 1,
    /// The billed claim: member, lines, codes, charges, dates.
    Bill,
    /// The payer's first adjudication of a claim.
    Adjudicate,
    /// The adjudication of a corrected (replacement) claim.
    Correct,
    /// Transaction-level choices (PLB recoveries, forwarded balances).
    Transaction,
    /// The replacement claim sent after a first payment.
    Replace,
}

/// A SplitMix64 generator.
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    /// The generator for one key of one stream.
    pub(crate) fn keyed(seed: u64, stream: Stream, key: u64) -> Rng {
        let base = mix(seed ^ mix(stream as u64));
        Rng(base ^ mix(key.wrapping_mul(GOLDEN).wrapping_add(stream as u64)))
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix(self.0)
    }

    /// A number in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A number in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// True with probability `pct` percent.
    pub(crate) fn chance(&mut self, pct: u8) -> bool {
        self.below(100) < u64::from(pct)
    }

    /// One item of a non-empty slice.
    pub(crate) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// An index chosen with the given relative weights (not all zero).
    pub(crate) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|w| u64::from(*w)).sum();
        let mut draw = self.below(total);
        for (i, w) in weights.iter().enumerate() {
            if draw < u64::from(*w) {
                return i;
            }
            draw -= u64::from(*w);
        }
        weights.len() - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_key_same_numbers() {
        let a: Vec<u64> = (0..4)
            .map(|_| Rng::keyed(7, Stream::Bill, 3).next_u64())
            .collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        let mut b = Rng::keyed(7, Stream::Bill, 4);
        assert_ne!(a[0], b.next_u64());
        assert_ne!(a[0], Rng::keyed(7, Stream::Slot, 3).next_u64());
    }

    #[test]
    fn below_and_weighted_stay_in_range() {
        let mut r = Rng::keyed(1, Stream::Slot, 0);
        assert!((0..1000).all(|_| r.below(7) < 7));
        assert!((0..1000).all(|_| (3..=5).contains(&r.range(3, 5))));
        assert!((0..1000).all(|_| r.weighted(&[0, 5, 0]) == 1));
    }
}
