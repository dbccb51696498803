//! A global allocator for tests that measure allocation: it delegates to the
//! system allocator and counts, per thread (tests run in parallel, each on a
//! thread of its own), the allocations made and the bytes in use at the
//! peak.
//!
//! ```ignore
//! #[global_allocator]
//! static ALLOCATOR: tests::alloc::Counting = tests::alloc::Counting;
//!
//! let (_, used) = tests::alloc::measure(|| vec![0u8; 100]);
//! assert_eq!((used.allocations, used.peak_bytes), (1, 100));
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The counting allocator; install it with `#[global_allocator]`.
#[derive(Debug)]
pub struct Counting;

/// What a measured closure allocated on its thread.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Used {
    /// Allocations and reallocations.
    pub allocations: usize,
    /// The most bytes allocated and not yet freed at any moment, counting
    /// from the start of the measurement.
    pub peak_bytes: usize,
}

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn record(allocation: bool, delta: isize) {
    // `try_with`: the allocator also runs while thread locals are torn down.
    if !COUNTING.try_with(Cell::get).unwrap_or(false) {
        return;
    }
    if allocation {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
    }
    let _ = LIVE.try_with(|live| {
        live.set(live.get() + delta);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(live.get())));
    });
}

// SAFETY: every call goes to the system allocator unchanged; this only counts.
#[allow(unsafe_code, reason = "a global allocator is an unsafe trait; this one only counts and delegates")]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(true, layout.size() as isize);
        // SAFETY: the caller's contract is passed on unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        record(false, -(layout.size() as isize));
        // SAFETY: the caller's contract is passed on unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record(true, new_size as isize - layout.size() as isize);
        // SAFETY: the caller's contract is passed on unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Runs `f`, counting what it allocates on this thread (with [`Counting`]
/// installed; without it, nothing is counted).
pub fn measure<R>(f: impl FnOnce() -> R) -> (R, Used) {
    ALLOCATIONS.with(|n| n.set(0));
    LIVE.with(|n| n.set(0));
    PEAK.with(|n| n.set(0));
    COUNTING.with(|c| c.set(true));
    let result = f();
    COUNTING.with(|c| c.set(false));
    let used = Used { allocations: ALLOCATIONS.with(Cell::get), peak_bytes: PEAK.with(Cell::get).max(0) as usize };
    (result, used)
}
