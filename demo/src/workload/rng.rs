//! The simulation's random numbers.

/// Declares tables of weighted values for [`Rng::weighted`]: each
/// `NAME: Enum = [Variant: weight, ..];` is a `const NAME: &[(Enum, u32)]`
/// of `(Enum::Variant, weight)`, in the order written.
macro_rules! weights {
    ($($(#[$meta:meta])* $name:ident: $enum:ident = [$($variant:ident: $weight:literal),+ $(,)?];)*) => {
        $(
            $(#[$meta])*
            const $name: &[($enum, u32)] = &[$(($enum::$variant, $weight)),+];
        )*
    };
}
pub(super) use weights;

/// A xorshift64* generator: small, fast, and good enough for a simulation.
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator seeded from `seed` (scrambled with splitmix64; never zero).
    pub(crate) fn new(seed: u64) -> Rng {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Rng(if z == 0 { 0x2545_F491_4F6C_DD1D } else { z })
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// Uniform in `lo..=hi`.
    pub(crate) fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// One of `items`, each as likely as its weight.
    pub(crate) fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u64 = items.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut n = self.below(total);
        for (item, weight) in items {
            if n < u64::from(*weight) {
                return *item;
            }
            n -= u64::from(*weight);
        }
        items[items.len() - 1].0
    }

    /// Log-normal around `median`; `sigma` is the spread of its logarithm.
    pub(crate) fn log_normal(&mut self, median: f64, sigma: f64) -> f64 {
        // Irwin–Hall: the sum of twelve uniforms, less six, is close to N(0, 1).
        let z: f64 = (0..12).map(|_| self.unit()).sum::<f64>() - 6.0;
        median * (sigma * z).exp()
    }

    /// A rare event: true with probability `p`, and always when the event's
    /// sequence number `n` is `phase` modulo `period`, so that it shows up
    /// early and never stays away for long.
    pub(crate) fn rare(&mut self, p: f64, n: u64, period: u64, phase: u64) -> bool {
        n % period == phase || self.chance(p)
    }

    /// A W3C trace id: 16 random bytes (never all zero) as 32 lowercase hex
    /// digits.
    pub(crate) fn trace_id(&mut self) -> [u8; 32] {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let id = (u128::from(self.next_u64()) << 64) | u128::from(self.next_u64());
        std::array::from_fn(|i| HEX[((id >> (4 * (31 - i))) & 0xf) as usize])
    }

    /// Item `n` of `items` for the first `items.len()` draws (so every value
    /// shows up early), then one by weight.
    pub(crate) fn nth_or_weighted<T: Copy>(&mut self, n: u64, items: &[(T, u32)]) -> T {
        match usize::try_from(n).ok().and_then(|n| items.get(n)) {
            Some((item, _)) => *item,
            None => self.weighted(items),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Rng;

    #[test]
    fn trace_ids_are_32_hex_digits() {
        let mut rng = Rng::new(3);
        let ids: Vec<[u8; 32]> = (0..100).map(|_| rng.trace_id()).collect();
        for id in &ids {
            assert!(id.iter().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b)), "{id:?}");
            assert!(id.iter().any(|b| *b != b'0'), "never all zero");
        }
        assert!(ids.windows(2).all(|w| w[0] != w[1]));
    }

    #[test]
    fn rng_stays_in_range() {
        let mut rng = Rng::new(7);
        for _ in 0..10_000 {
            let u = rng.unit();
            assert!((0.0..1.0).contains(&u));
            assert!((3..=5).contains(&rng.between(3, 5)));
            assert!(rng.log_normal(1.0, 0.5) > 0.0);
        }
    }

    #[test]
    fn weighted_picks_by_weight() {
        let mut rng = Rng::new(42);
        let picks = (0..10_000).filter(|_| rng.weighted(&[(true, 9), (false, 1)])).count();
        assert!((8_500..9_500).contains(&picks), "{picks}");
    }
}
