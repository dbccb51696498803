//! The atomics under the lock-free protocols (the histogram's hot and cold
//! shards, the sharded counter), as one small trait, so that the shipped
//! protocol code also runs on loom's model-checked atomics.
//!
//! Normal builds implement [`Cell64`] for `std`'s `AtomicU64` only, with
//! every method inlined to the `std` call: the protocols compile to what they
//! would without the trait. Under `--cfg loom` (see `scripts/loom.sh`), loom's
//! `AtomicU64` implements it too, and `metricate::__loom` hands the
//! protocols to the models in `tests/loom.rs`. Why a trait and not a `cfg`
//! swap of the type: the metric cells live in `static`s built by `const fn`s,
//! which loom's atomics cannot be; the trait keeps those types as they are and
//! makes only the protocol code generic.

use std::sync::atomic::{AtomicU64, Ordering};

/// A 64-bit atomic cell, as the protocols use it.
pub(crate) trait Cell64 {
    fn load(&self, order: Ordering) -> u64;
    fn store(&self, value: u64, order: Ordering);
    fn fetch_add(&self, value: u64, order: Ordering) -> u64;
    fn compare_exchange_weak(&self, current: u64, new: u64, success: Ordering, failure: Ordering) -> Result<u64, u64>;
    /// Waits a moment for another thread to make progress: `spins` is how
    /// many times in a row the caller has waited.
    fn wait(spins: u32);
}

impl Cell64 for AtomicU64 {
    #[inline]
    fn load(&self, order: Ordering) -> u64 {
        AtomicU64::load(self, order)
    }

    #[inline]
    fn store(&self, value: u64, order: Ordering) {
        AtomicU64::store(self, value, order);
    }

    #[inline]
    fn fetch_add(&self, value: u64, order: Ordering) -> u64 {
        AtomicU64::fetch_add(self, value, order)
    }

    #[inline]
    fn compare_exchange_weak(&self, current: u64, new: u64, success: Ordering, failure: Ordering) -> Result<u64, u64> {
        AtomicU64::compare_exchange_weak(self, current, new, success, failure)
    }

    #[inline]
    fn wait(spins: u32) {
        if spins < 64 {
            std::hint::spin_loop();
        } else {
            std::thread::yield_now();
        }
    }
}

#[cfg(loom)]
impl Cell64 for loom::sync::atomic::AtomicU64 {
    fn load(&self, order: Ordering) -> u64 {
        loom::sync::atomic::AtomicU64::load(self, order)
    }

    fn store(&self, value: u64, order: Ordering) {
        loom::sync::atomic::AtomicU64::store(self, value, order);
    }

    fn fetch_add(&self, value: u64, order: Ordering) -> u64 {
        loom::sync::atomic::AtomicU64::fetch_add(self, value, order)
    }

    fn compare_exchange_weak(&self, current: u64, new: u64, success: Ordering, failure: Ordering) -> Result<u64, u64> {
        loom::sync::atomic::AtomicU64::compare_exchange_weak(self, current, new, success, failure)
    }

    fn wait(_spins: u32) {
        // Tells loom this thread cannot progress until another runs.
        loom::thread::yield_now();
    }
}

/// A cell set at most once, for the capped-label table under loom (which has
/// no `OnceLock`): a loom mutex around an `Option`. It is at least as strong
/// as `OnceLock` (set under a lock, read under it), which is what the table's
/// protocol needs of its slots: a value set before the index names it is
/// seen by whoever finds it in the index.
#[cfg(loom)]
pub(crate) struct OnceSlot<T>(loom::sync::Mutex<Option<T>>);

#[cfg(loom)]
impl<T: Copy> OnceSlot<T> {
    pub(crate) fn new() -> OnceSlot<T> {
        OnceSlot(loom::sync::Mutex::new(None))
    }

    /// Sets the value, unless one is set already.
    pub(crate) fn set(&self, value: T) -> Result<(), T> {
        let mut slot = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match *slot {
            Some(_) => Err(value),
            None => {
                *slot = Some(value);
                Ok(())
            }
        }
    }

    /// The value, if set.
    pub(crate) fn get(&self) -> Option<T> {
        *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
