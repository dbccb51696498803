//! The floor: what each case costs with raw atomics and a hand-written
//! writer, with nothing a metrics library adds.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::common::{
    COLS, DEFAULT_BUCKETS, ROWS, SEQUENCE, SERIES_BASE, SERIES_HELP, SERIES_NAME, THREAD_CHILDREN, series_value,
};
use crate::harness::{timed, two_threads};
use crate::{Cases, Encoding};

static COUNTER: AtomicU64 = AtomicU64::new(0);

#[derive(Clone, Copy)]
#[repr(u8)]
enum Method {
    Get,
    Post,
    Put,
    Delete,
}

#[derive(Clone, Copy)]
#[repr(u8)]
enum Status {
    Ok,
    Redirect,
    ClientError,
    ServerError,
    Timeout,
}

const METHODS: [Method; 4] = [Method::Get, Method::Post, Method::Put, Method::Delete];
const STATUSES: [Status; 5] = [Status::Ok, Status::Redirect, Status::ClientError, Status::ServerError, Status::Timeout];

/// The dense cells of the labeled counter, on a cache-line boundary so that
/// neighbouring series always share a line (as a dense layout's mostly do).
#[repr(align(64))]
struct Lines([AtomicU64; 20]);

static REQUESTS: Lines = Lines([const { AtomicU64::new(0) }; 20]);

static BUCKETS: [AtomicU64; 12] = [const { AtomicU64::new(0) }; 12];
static COUNT: AtomicU64 = AtomicU64::new(0);
static SUM: AtomicU64 = AtomicU64::new(0);

/// A plain lock-free histogram: linear bucket search, count, CAS on the sum
/// bits, bucket.
#[inline]
fn observe(v: f64) {
    let bucket = DEFAULT_BUCKETS.iter().position(|&b| v <= b).unwrap_or(DEFAULT_BUCKETS.len());
    COUNT.fetch_add(1, Ordering::Relaxed);
    let mut current = SUM.load(Ordering::Relaxed);
    loop {
        let next = (f64::from_bits(current) + v).to_bits();
        match SUM.compare_exchange_weak(current, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => break,
            Err(actual) => current = actual,
        }
    }
    BUCKETS[bucket].fetch_add(1, Ordering::Relaxed);
}

#[inline(never)]
fn counter(n: u64) {
    for _ in 0..n {
        COUNTER.fetch_add(1, Ordering::Relaxed);
    }
}

#[inline(never)]
fn labeled(rounds: u64, sequence: &[(Method, Status); 20]) {
    for _ in 0..rounds {
        for &(method, status) in black_box(sequence) {
            REQUESTS.0[method as usize * 5 + status as usize].fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[inline(never)]
fn histogram(rounds: u64, values: &[f64; 64]) {
    for _ in 0..rounds {
        for &v in black_box(values) {
            observe(v);
        }
    }
}

#[inline(never)]
fn child(n: u64, (method, status): (Method, Status)) {
    for _ in 0..n {
        let (method, status) = black_box((method, status));
        REQUESTS.0[method as usize * 5 + status as usize].fetch_add(1, Ordering::Relaxed);
    }
}

/// The exposition of the encoding case with label strings rendered in
/// advance.
struct Exposition {
    rows: Vec<String>,
    cols: Vec<String>,
    values: Box<[AtomicU64]>,
}

impl Exposition {
    fn new() -> Exposition {
        Exposition {
            rows: (0..ROWS).map(|i| format!("r{i:02}")).collect(),
            cols: (0..COLS).map(|i| format!("c{i:02}")).collect(),
            values: (0..ROWS * COLS).map(|i| AtomicU64::new(series_value(i))).collect(),
        }
    }

    /// The series lines, the same in both formats.
    fn series(&self, out: &mut Vec<u8>) {
        let mut digits = itoa::Buffer::new();
        for (row, values) in self.rows.iter().zip(self.values.chunks_exact(self.cols.len())) {
            for (col, value) in self.cols.iter().zip(values) {
                out.extend_from_slice(SERIES_NAME.as_bytes());
                out.extend_from_slice(b"{a=\"");
                out.extend_from_slice(row.as_bytes());
                out.extend_from_slice(b"\",b=\"");
                out.extend_from_slice(col.as_bytes());
                out.extend_from_slice(b"\"} ");
                out.extend_from_slice(digits.format(value.load(Ordering::Relaxed)).as_bytes());
                out.push(b'\n');
            }
        }
    }

    #[inline(never)]
    fn prometheus(&self, out: &mut Vec<u8>) {
        out.clear();
        for line in [["# HELP ", SERIES_NAME, " ", SERIES_HELP, "\n"], ["# TYPE ", SERIES_NAME, " counter", "", "\n"]] {
            for part in line {
                out.extend_from_slice(part.as_bytes());
            }
        }
        self.series(out);
    }

    #[inline(never)]
    fn openmetrics(&self, out: &mut Vec<u8>) {
        out.clear();
        for line in [["# TYPE ", SERIES_BASE, " counter", "", "\n"], ["# HELP ", SERIES_BASE, " ", SERIES_HELP, "\n"]] {
            for part in line {
                out.extend_from_slice(part.as_bytes());
            }
        }
        self.series(out);
        out.extend_from_slice(b"# EOF\n");
    }
}

fn encoding(exposition: &std::sync::Arc<Exposition>, f: fn(&Exposition, &mut Vec<u8>)) -> Encoding {
    let mut out = Vec::new();
    f(exposition, &mut out);
    let sample = out.clone();
    let exposition = exposition.clone();
    Encoding {
        sample,
        batch: Box::new(move |n| {
            timed(n, &mut |n| {
                for _ in 0..n {
                    f(&exposition, &mut out);
                    black_box(&out);
                }
            })
        }),
    }
}

pub fn cases() -> Cases {
    let sequence: [(Method, Status); 20] = SEQUENCE.map(|(m, s)| (METHODS[m], STATUSES[s]));
    let values = crate::common::histogram_values();
    let exposition = std::sync::Arc::new(Exposition::new());
    Cases {
        counter: Some(Box::new(|n| timed(n, &mut |n| counter(black_box(n))))),
        labeled: Some(Box::new(move |n| timed(n, &mut |n| labeled(black_box(n), &sequence)))),
        histogram: Some(Box::new(move |n| timed(n, &mut |n| histogram(black_box(n), &values)))),
        threads_counter: Some(Box::new(|n| two_threads(n, &|_, n| counter(black_box(n))))),
        threads_children: Some(Box::new(|n| {
            two_threads(n, &|t, n| {
                let (m, s) = THREAD_CHILDREN[t];
                child(n, (METHODS[m], STATUSES[s]));
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
