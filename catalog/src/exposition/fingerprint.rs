//! 128-bit fingerprints of series and label sets: what the parser and the
//! linter keep per series instead of a copy of its name and labels, so that
//! their memory stays a small multiple of the input.
//!
//! A label set's fingerprint is the sum of its labels' fingerprints, so it
//! does not depend on the order the labels are written in, and a label can
//! be taken out of it (the `le` of a bucket) by a subtraction. Each label's
//! fingerprint is two `SipHash` values under keys drawn at random for each
//! [`Fingerprints`], so no input can be crafted to make two different sets
//! collide; by chance, two of `n` sets collide with a probability below
//! `n² / 2¹²⁹` (under 10⁻²⁰ for a billion series).

use std::hash::{BuildHasher, Hasher, RandomState};

/// The fingerprint of a name, a label, a label set or a series.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Fingerprint(u64, u64);

impl std::ops::Add for Fingerprint {
    type Output = Fingerprint;

    fn add(self, other: Fingerprint) -> Fingerprint {
        Fingerprint(self.0.wrapping_add(other.0), self.1.wrapping_add(other.1))
    }
}

impl std::ops::Sub for Fingerprint {
    type Output = Fingerprint;

    fn sub(self, other: Fingerprint) -> Fingerprint {
        Fingerprint(self.0.wrapping_sub(other.0), self.1.wrapping_sub(other.1))
    }
}

/// Makes fingerprints under two random keys, drawn once.
pub(crate) struct Fingerprints {
    first: RandomState,
    second: RandomState,
}

/// What a fingerprint is of, written first so that a name, a label and a
/// timestamp never share one.
#[derive(Clone, Copy)]
#[repr(u8)]
enum Domain {
    Name,
    Label,
    Timestamp,
}

impl Fingerprints {
    pub(crate) fn new() -> Fingerprints {
        Fingerprints { first: RandomState::new(), second: RandomState::new() }
    }

    fn of(&self, domain: Domain, parts: &[&[u8]]) -> Fingerprint {
        let hash = |state: &RandomState| {
            let mut hasher = state.build_hasher();
            hasher.write_u8(domain as u8);
            for part in parts {
                hasher.write(part);
                // Never a byte of UTF-8: the parts cannot run into each other.
                hasher.write_u8(0xff);
            }
            hasher.finish()
        };
        Fingerprint(hash(&self.first), hash(&self.second))
    }

    /// A metric or sample name.
    pub(crate) fn name(&self, name: &str) -> Fingerprint {
        self.of(Domain::Name, &[name.as_bytes()])
    }

    /// One label.
    pub(crate) fn label(&self, name: &str, value: &str) -> Fingerprint {
        self.of(Domain::Label, &[name.as_bytes(), value.as_bytes()])
    }

    /// A timestamp.
    pub(crate) fn timestamp(&self, timestamp: f64) -> Fingerprint {
        self.of(Domain::Timestamp, &[&timestamp.to_bits().to_le_bytes()])
    }

    /// A set of labels, in any order.
    pub(crate) fn labels<'n, 'v>(&self, labels: impl Iterator<Item = (&'n str, &'v str)>) -> Fingerprint {
        labels.fold(Fingerprint::default(), |sum, (name, value)| sum + self.label(name, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_sets_are_unordered_and_labels_can_be_taken_out() {
        let fp = Fingerprints::new();
        let ab = fp.labels([("a", "1"), ("b", "2")].into_iter());
        assert_eq!(ab, fp.labels([("b", "2"), ("a", "1")].into_iter()));
        assert_eq!(ab - fp.label("b", "2"), fp.labels([("a", "1")].into_iter()));
        assert_ne!(ab, fp.labels([("a", "2"), ("b", "1")].into_iter()));
        assert_ne!(fp.label("ab", "c"), fp.label("a", "bc"), "name and value do not run into each other");
        assert_ne!(fp.name("x"), fp.labels([("x", "")].into_iter()));
        assert_eq!(fp.labels(std::iter::empty()), Fingerprint::default());
    }
}
