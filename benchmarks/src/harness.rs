//! Timing: batches sized to a target duration, each case interleaved batch by
//! batch with its floor so that both see the same noise, minimum and median
//! over the repetitions.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The duration one batch is sized to: long enough that the clock and the
/// call overhead vanish, short enough that a burst of noise spoils few of them.
pub const TARGET: Duration = Duration::from_millis(3);

/// Cost per operation of each repetition, in ns.
#[derive(Clone, Debug, Default)]
pub struct Samples(pub Vec<f64>);

impl Samples {
    pub fn min(&self) -> f64 {
        self.0.iter().copied().fold(f64::INFINITY, f64::min)
    }

    pub fn median(&self) -> f64 {
        let mut sorted = self.0.clone();
        sorted.sort_by(f64::total_cmp);
        match sorted.len() {
            0 => f64::NAN,
            n if n % 2 == 1 => sorted[n / 2],
            n => f64::midpoint(sorted[n / 2 - 1], sorted[n / 2]),
        }
    }

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
/// the case up (caches, branch predictors, lazily created series).
pub fn calibrate(batch: &mut Batch<'_>) -> u64 {
    let mut units = 1u64;
    loop {
        let took = batch(units);
        if took >= TARGET / 4 || units >= 1 << 40 {
            let scaled = units as f64 * TARGET.as_secs_f64() / took.as_secs_f64().max(1e-9);
            let units = (scaled.ceil() as u64).max(1);
            batch(units);
            return units;
        }
        units *= 2;
    }
}

/// A case and its floor, timed alternately: one batch of each per
/// repetition, after calibration. Returns ns per operation of each batch;
/// a unit of work is `ops_per_unit` operations.
pub fn interleaved(
    reps: usize,
    case: &mut Batch<'_>,
    case_ops_per_unit: u64,
    floor: &mut Batch<'_>,
    floor_ops_per_unit: u64,
) -> (Samples, Samples) {
    let case_units = calibrate(case);
    let floor_units = calibrate(floor);
    let (mut a, mut b) = (Vec::with_capacity(reps), Vec::with_capacity(reps));
    for _ in 0..reps {
        a.push(case(case_units).as_nanos() as f64 / (case_units * case_ops_per_unit) as f64);
        b.push(floor(floor_units).as_nanos() as f64 / (floor_units * floor_ops_per_unit) as f64);
    }
    (Samples(a), Samples(b))
}

/// Runs `work(thread, n)` on 2 threads at once and returns the span from the
/// first thread's start to the last thread's end. Both threads spin on a
/// shared count before they start, so that the timed loops overlap; thread
/// creation and joining are outside the span.
pub fn two_threads(n: u64, work: &(dyn Fn(usize, u64) + Sync)) -> Duration {
    let ready = AtomicUsize::new(0);
    let spans: [(Instant, Instant); 2] = std::thread::scope(|s| {
        let handles = [0, 1].map(|t| {
            let ready = &ready;
            s.spawn(move || {
                ready.fetch_add(1, Ordering::AcqRel);
                while ready.load(Ordering::Acquire) < 2 {
                    std::hint::spin_loop();
                }
                let start = Instant::now();
                work(t, n);
                (start, Instant::now())
            })
        });
        handles.map(|h| h.join().expect("benchmark thread panicked"))
    });
    let start = spans[0].0.min(spans[1].0);
    let end = spans[0].1.max(spans[1].1);
    end - start
}
