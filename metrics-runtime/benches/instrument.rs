//! The cost of `#[instrument_metric]` per call, against the same function
//! without it, in the same run.
//!
//! Run with `cargo bench -p metricate --bench instrument`; `BENCH_REPS`
//! sets the number of repetitions (61 by default: batches are short, and a
//! run should outlast a burst of noise on a shared machine). Each
//! repetition times one batch of calls of the instrumented function and then
//! one batch of the bare one (batches of about 3 ms, sized by
//! `bench_support::harness`); the table reports ns per call (min and median
//! over the repetitions), their ratio, and the overhead (instrumented min
//! minus bare min).
//!
//! | case | instrumented | bare |
//! |---|---|---|
//! | sync, declared metrics | `#[instrument_metric]` declaring `_total{result}` and `_duration_seconds{result}` | the same body |
//! | sync, into declared metrics | `duration`/`count` into a `#[derive(Metrics)]` struct, `labels = ByResult { result }` | the same body |
//! | async | an `async fn` (polled to completion with a no-op waker) | the same `async fn` |

mod table;

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use bench_support::harness::{Samples, interleaved, timed};
use metricate::instrument::Outcome;
use metricate::{Counter, Family, Histogram, LabelSet, Metrics, instrument_metric};
use table::{TableRow, print_table};

#[derive(Clone, Copy, LabelSet)]
struct ByResult {
    result: Outcome,
}

/// The metrics of the "into declared metrics" case.
#[derive(Metrics)]
#[metrics(subsystem = "bench")]
struct Declared {
    /// Calls, by result.
    calls_total: Family<ByResult, Counter>,
    /// Call durations, by result.
    call_duration_seconds: Family<ByResult, Histogram>,
}

/// A small body: a few multiplications, an error for one input in eight.
#[inline(never)]
fn bare(x: u64) -> Result<u64, u64> {
    let y = x.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17);
    if y.is_multiple_of(8) { Err(y) } else { Ok(y) }
}

/// The same body, instrumented.
#[inline(never)]
#[instrument_metric(subsystem = "bench")]
fn declared(x: u64) -> Result<u64, u64> {
    let y = x.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17);
    if y.is_multiple_of(8) { Err(y) } else { Ok(y) }
}

/// The same body, recording into declared metrics.
#[inline(never)]
#[instrument_metric(
    duration = Declared::global().call_duration_seconds,
    count = Declared::global().calls_total,
    labels = ByResult { result },
)]
fn targets(x: u64) -> Result<u64, u64> {
    let y = x.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17);
    if y.is_multiple_of(8) { Err(y) } else { Ok(y) }
}

/// The same body, async, after awaiting a ready future.
async fn bare_async(x: u64) -> Result<u64, u64> {
    std::future::ready(()).await;
    bare(x)
}

/// The same body, async and instrumented.
#[instrument_metric(subsystem = "bench")]
async fn instrumented_async(x: u64) -> Result<u64, u64> {
    std::future::ready(()).await;
    bare(x)
}

/// Polls a future that never waits to completion.
fn run<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

fn sync_case(case: &'static str, reps: usize, instrumented: fn(u64) -> Result<u64, u64>) -> TableRow {
    let mut ours = |n| {
        timed(n, &mut |n| {
            for i in 0..n {
                let _ = black_box(instrumented(black_box(i)));
            }
        })
    };
    let mut baseline = |n| {
        timed(n, &mut |n| {
            for i in 0..n {
                let _ = black_box(bare(black_box(i)));
            }
        })
    };
    let (ours, baseline) = interleaved(reps, &mut ours, 1, &mut baseline, 1);
    TableRow { case, ours, baseline: Some(baseline), target: None }
}

fn async_case(reps: usize) -> TableRow {
    let mut ours = |n| {
        timed(n, &mut |n| {
            for i in 0..n {
                let _ = black_box(run(instrumented_async(black_box(i))));
            }
        })
    };
    let mut baseline = |n| {
        timed(n, &mut |n| {
            for i in 0..n {
                let _ = black_box(run(bare_async(black_box(i))));
            }
        })
    };
    let (ours, baseline) = interleaved(reps, &mut ours, 1, &mut baseline, 1);
    TableRow { case: "async", ours, baseline: Some(baseline), target: None }
}

fn main() {
    let started = Instant::now();
    let reps: usize = std::env::var("BENCH_REPS").ok().and_then(|r| r.parse().ok()).filter(|&r| r > 0).unwrap_or(61);
    let rows = [
        sync_case("sync, declared metrics", reps, declared),
        sync_case("sync, into declared metrics", reps, targets),
        async_case(reps),
    ];
    print_table(&rows);
    println!();
    for row in &rows {
        let base = row.baseline.as_ref().map_or(0.0, Samples::min);
        println!("{}: {:.1} ns of overhead per call (min - min).", row.case, row.ours.min() - base);
    }
    println!(
        "{reps} repetitions of batches of about {} ms; the body errs for one input in eight. Total run time: {:.1} s.",
        bench_support::harness::TARGET.as_millis(),
        started.elapsed().as_secs_f64()
    );
}
