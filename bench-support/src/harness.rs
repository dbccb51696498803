//! Timing: batches sized to a target duration, each case interleaved batch by
//! batch with its baseline so that both see the same noise, minimum and
//! median over the repetitions.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The duration one batch is sized to: long enough that the clock and the
/// call overhead vanish, short enough that a burst of noise spoils few of them.
pub const TARGET: Duration = Duration::from_millis(3);

/// Cost per operation of each repetition, in ns.
#[derive(Clone, Debug, Default)]
pub struct Samples(pub Vec<f64>);

impl Samples {
    /// The fastest repetition: the one least disturbed by the machine.
    pub fn min(&self) -> f64 {
        self.0.iter().copied().fold(f64::INFINITY, f64::min)
    }

    /// The median repetition (NaN for none).
    pub fn median(&self) -> f64 {
        let mut sorted = self.0.clone();
        sorted.sort_by(f64::total_cmp);
        match sorted.len() {
            0 => f64::NAN,
            n if n % 2 == 1 => sorted[n / 2],
            n => f64::midpoint(sorted[n / 2 - 1], sorted[n / 2]),
        }
    }

    /// Adds `other`'s repetitions to these.
    pub fn extend(&mut self, other: &Samples) {
        self.0.extend_from_slice(&other.0);
    }
}

/// A batch: runs `units` units of work and returns how long they took.
pub type Batch<'a> = dyn FnMut(u64) -> Duration + 'a;

/// Times `f(units)` on this thread.
pub fn timed(units: u64, f: &mut dyn FnMut(u64)) -> Duration {
    let start = Instant::now();
    f(units);
    start.elapsed()
}

/// The number of units for one batch to take about [`TARGET`]; also warms
/// the case up (caches, branch predictors, lazily created series). Each size
/// is tried 3 times and judged by its fastest try, so that one preempted try
/// (or a late second thread) does not stop the doubling early.
pub fn calibrate(batch: &mut Batch<'_>) -> u64 {
    let mut units = 1u64;
    loop {
        let took = (0..3).map(|_| batch(units)).min().unwrap_or_default();
        if took >= TARGET / 4 || units >= 1 << 40 {
            let scaled = units as f64 * TARGET.as_secs_f64() / took.as_secs_f64().max(1e-9);
            return (scaled.ceil() as u64).max(1);
        }
        units *= 2;
    }
}

/// ns per operation of a batch of `units` units of `ops_per_unit`
/// operations each that took `took`.
pub fn ns_per_op(took: Duration, units: u64, ops_per_unit: u64) -> f64 {
    took.as_nanos() as f64 / (units * ops_per_unit) as f64
}

/// A case and its baseline, timed alternately: one batch of each per
/// repetition, after calibration. Returns ns per operation of each batch;
/// a unit of work is `ops_per_unit` operations.
pub fn interleaved(
    reps: usize,
    case: &mut Batch<'_>,
    case_ops_per_unit: u64,
    baseline: &mut Batch<'_>,
    baseline_ops_per_unit: u64,
) -> (Samples, Samples) {
    let case_units = calibrate(case);
    let baseline_units = calibrate(baseline);
    let (mut a, mut b) = (Vec::with_capacity(reps), Vec::with_capacity(reps));
    for _ in 0..reps {
        a.push(ns_per_op(case(case_units), case_units, case_ops_per_unit));
        b.push(ns_per_op(baseline(baseline_units), baseline_units, baseline_ops_per_unit));
    }
    (Samples(a), Samples(b))
}

/// A case alone, after calibration: ns per operation of each of `reps`
/// batches.
pub fn alone(reps: usize, case: &mut Batch<'_>, ops_per_unit: u64) -> Samples {
    let units = calibrate(case);
    Samples((0..reps).map(|_| ns_per_op(case(units), units, ops_per_unit)).collect())
}

/// This thread's CPU time so far, in ns: `clock_gettime` of the thread's
/// CPU clock, which the kernel brings up to date when asked (unlike
/// `/proc/thread-self/schedstat`, which lags by up to a scheduler tick).
fn thread_cpu_ns() -> Option<u64> {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable `timespec` for the duration of the call.
    #[allow(unsafe_code, reason = "std has no thread CPU clock")]
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &raw mut ts) };
    (rc == 0).then(|| ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64)
}

/// The CPU time both threads of a 2-thread batch had, over its span:
/// 2.0 when they ran at once throughout, 1.0 when they took turns on one core
/// (NaN where the kernel does not say).
static LAST_PARALLELISM: AtomicU64 = AtomicU64::new(0);

/// The parallelism of the last [`two_threads`] batch.
pub fn last_parallelism() -> f64 {
    f64::from_bits(LAST_PARALLELISM.load(Ordering::Relaxed))
}

/// Runs `work(thread, n)` on 2 threads at once and returns the span from the
/// first thread's start to the last thread's end. Both threads spin on a
/// shared count before they start, so that the timed loops overlap; thread
/// creation and joining are outside the span. Records the batch's
/// parallelism for [`last_parallelism`].
pub fn two_threads(n: u64, work: &(dyn Fn(usize, u64) + Sync)) -> Duration {
    let ready = AtomicUsize::new(0);
    let runs: [(Instant, Instant, Option<u64>); 2] = std::thread::scope(|s| {
        let handles = [0, 1].map(|t| {
            let ready = &ready;
            s.spawn(move || {
                ready.fetch_add(1, Ordering::AcqRel);
                while ready.load(Ordering::Acquire) < 2 {
                    std::hint::spin_loop();
                }
                let cpu = thread_cpu_ns();
                let start = Instant::now();
                work(t, n);
                let end = Instant::now();
                let cpu = thread_cpu_ns().zip(cpu).map(|(after, before)| after.saturating_sub(before));
                (start, end, cpu)
            })
        });
        handles.map(|h| h.join().expect("benchmark thread panicked"))
    });
    let span = runs[0].1.max(runs[1].1) - runs[0].0.min(runs[1].0);
    let parallelism = match (runs[0].2, runs[1].2) {
        (Some(a), Some(b)) => (a + b) as f64 / span.as_nanos().max(1) as f64,
        _ => f64::NAN,
    };
    LAST_PARALLELISM.store(parallelism.to_bits(), Ordering::Relaxed);
    span
}

/// A 2-thread batch counts when its threads had at least this parallelism.
pub const MIN_PARALLELISM: f64 = 1.8;

/// How often a 2-thread batch is tried before one that did not run in
/// parallel is kept.
pub const TRIES: usize = 10;

/// What the 2-thread cases had to retry: batches whose threads took turns
/// (the other core busy) measure the scheduler, not the case.
#[derive(Clone, Copy, Debug, Default)]
pub struct ThreadStats {
    /// Batches run again because their threads did not run at once.
    pub retried: usize,
    /// Samples kept from batches that never ran in parallel in [`TRIES`] tries.
    pub serial: usize,
}

impl ThreadStats {
    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: ThreadStats) {
        self.retried += other.retried;
        self.serial += other.serial;
    }
}

/// Runs a 2-thread batch of `units` until its threads ran at once
/// (parallelism ≥ [`MIN_PARALLELISM`]), up to [`TRIES`] times; returns the
/// duration of the batch kept and what it took. Where the kernel does not
/// report thread CPU time, the first batch counts.
pub fn parallel(batch: &mut Batch<'_>, units: u64) -> (Duration, ThreadStats) {
    let mut stats = ThreadStats::default();
    let mut tries = 0;
    loop {
        let took = batch(units);
        tries += 1;
        let p = last_parallelism();
        if p.is_nan() || p >= MIN_PARALLELISM {
            return (took, stats);
        }
        if tries == TRIES {
            stats.serial += 1;
            return (took, stats);
        }
        stats.retried += 1;
    }
}

/// [`interleaved`] for 2-thread batches, each run by [`parallel`].
pub fn interleaved_threads(
    reps: usize,
    case: &mut Batch<'_>,
    floor: &mut Batch<'_>,
) -> (Samples, Samples, ThreadStats) {
    let case_units = calibrate(case);
    let floor_units = calibrate(floor);
    let mut stats = ThreadStats::default();
    let mut run = |batch: &mut Batch<'_>, units: u64| {
        let (took, more) = parallel(batch, units);
        stats.add(more);
        ns_per_op(took, units, 1)
    };
    let (mut a, mut b) = (Vec::with_capacity(reps), Vec::with_capacity(reps));
    for _ in 0..reps {
        a.push(run(case, case_units));
        b.push(run(floor, floor_units));
    }
    (Samples(a), Samples(b), stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts_and_none() {
        assert_eq!(Samples(vec![3.0, 1.0, 2.0]).median(), 2.0);
        assert_eq!(Samples(vec![4.0, 1.0, 2.0, 3.0]).median(), 2.5);
        assert!(Samples(Vec::new()).median().is_nan());
        assert_eq!(Samples(vec![4.0, 1.0]).min(), 1.0);
    }

    #[test]
    fn calibration_sizes_a_batch_to_about_the_target() {
        // A unit that sleeps 100 µs: about 30 units make 3 ms.
        let units = calibrate(&mut |n| timed(n, &mut |n| std::thread::sleep(Duration::from_micros(100 * n))));
        assert!((1..=40).contains(&units), "{units} units");
    }
}
