//! What the benchmarks share: the timing [`harness`] (batches sized to a
//! target duration, each case interleaved batch by batch with its baseline)
//! and the [`floor`]s (each case written with raw atomics and a hand-written
//! writer), so that the runtime's own benchmarks and the comparison with
//! other libraries time the same way against the same floors.
//!
//! ```
//! use bench_support::{floor, harness};
//!
//! let values = floor::histogram_values();
//! let (ours, baseline) = harness::interleaved(
//!     3,
//!     &mut |rounds| harness::timed(rounds, &mut |rounds| floor::histogram(rounds, &values)),
//!     64,
//!     &mut |n| harness::timed(n, &mut floor::counter),
//!     1,
//! );
//! assert_eq!((ours.0.len(), baseline.0.len()), (3, 3));
//! assert!(ours.min() > 0.0 && baseline.min() <= baseline.median());
//! ```

pub mod floor;
pub mod harness;
