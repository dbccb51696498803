//! The floor's cases: the shared floors (`bench_support::floor`: raw
//! atomics and a hand-written writer, with nothing a metrics library adds),
//! as batches of this comparison.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

use bench_support::floor::{self, TextExposition};

use crate::common::{COLS, ROWS, SERIES_BASE, SERIES_HELP, SERIES_NAME, THREAD_CHILDREN};
use crate::harness::{timed, two_threads};
use crate::{Cases, Encoding};

/// The names of the encoding case's family.
struct Series;

impl floor::Names for Series {
    const NAME: &'static str = SERIES_NAME;
    const FAMILY: &'static str = SERIES_BASE;
    const HELP: &'static str = SERIES_HELP;
}

type Exposition = TextExposition<Series>;

fn encoding(exposition: &std::sync::Arc<Exposition>, f: fn(&Exposition, &mut Vec<u8>)) -> Encoding {
    let (exposition, mut out) = (exposition.clone(), Vec::new());
    Encoding::new(move |sink| {
        f(&exposition, &mut out);
        sink(&out);
    })
}

pub fn cases() -> Cases {
    let sequence = floor::sequence();
    let values = floor::histogram_values();
    let exposition = std::sync::Arc::new(Exposition::new(ROWS, COLS));
    Cases {
        counter: Some(Box::new(|n| timed(n, &mut |n| floor::counter(black_box(n))))),
        labeled: Some(Box::new(move |n| timed(n, &mut |n| floor::labeled(black_box(n), &sequence)))),
        histogram: Some(Box::new(move |n| timed(n, &mut |n| floor::histogram(black_box(n), &values)))),
        threads_counter: Some(Box::new(|n| two_threads(n, &|_, n| floor::counter(black_box(n))))),
        threads_children: Some(Box::new(|n| {
            two_threads(n, &|t, n| {
                let (m, s) = THREAD_CHILDREN[t];
                floor::child(n, (floor::METHODS[m], floor::STATUSES[s]));
            })
        })),
        prometheus: Some(encoding(&exposition, Exposition::prometheus)),
        openmetrics: Some(encoding(&exposition, Exposition::openmetrics)),
    }
}

/// The memory case: one `AtomicU64` per series.
pub fn memory(series: usize) -> Box<dyn std::any::Any> {
    let cells: Vec<AtomicU64> = (0..series).map(|_| AtomicU64::new(0)).collect();
    for c in &cells {
        c.fetch_add(1, Ordering::Relaxed);
    }
    Box::new(cells)
}
