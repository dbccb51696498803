//! The floors: what each record-path and encoding case costs with raw
//! atomics and a hand-written writer, with nothing a metrics library adds.
//!
//! Each measured loop is out of line (`#[inline(never)]`) so that its code
//! can be found in a binary (`objdump -d`), and its input table passes
//! through `black_box` once per round so that its loads stay in the loop.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

/// The Prometheus default buckets, which every histogram case is given.
pub const DEFAULT_BUCKETS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// 64 histogram observations, 1 ms to 20 s on a log scale: every bucket,
/// `+Inf` included.
pub fn histogram_values() -> [f64; 64] {
    std::array::from_fn(|i| 0.001 * 20_000f64.powf(i as f64 / 63.0))
}

/// The labeled-counter sequence: step `i` is (method `i % 4`, status `i % 5`).
/// 4 and 5 are coprime, so 20 steps visit all 20 combinations, and both
/// labels change on every call.
pub const SEQUENCE: [(usize, usize); 20] = {
    let mut s = [(0, 0); 20];
    let mut i = 0;
    while i < 20 {
        s[i] = (i % 4, i % 5);
        i += 1;
    }
    s
};

/// The first label of the labeled cases, as a byte-sized index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Method {
    /// `get`.
    Get,
    /// `post`.
    Post,
    /// `put`.
    Put,
    /// `delete`.
    Delete,
}

/// The second label of the labeled cases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Status {
    /// `ok`.
    Ok,
    /// `redirect`.
    Redirect,
    /// `client_error`.
    ClientError,
    /// `server_error`.
    ServerError,
    /// `timeout`.
    Timeout,
}

/// Every method, in index order.
pub const METHODS: [Method; 4] = [Method::Get, Method::Post, Method::Put, Method::Delete];
/// Every status, in index order.
pub const STATUSES: [Status; 5] =
    [Status::Ok, Status::Redirect, Status::ClientError, Status::ServerError, Status::Timeout];

/// [`SEQUENCE`] as label values.
pub fn sequence() -> [(Method, Status); 20] {
    SEQUENCE.map(|(m, s)| (METHODS[m], STATUSES[s]))
}

/// The dense index of a (method, status) pair: row-major, 5 statuses a row.
#[inline]
pub fn index(method: Method, status: Status) -> usize {
    method as usize * STATUSES.len() + status as usize
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The unlabeled counter: `n` relaxed increments of one static atomic.
#[inline(never)]
pub fn counter(n: u64) {
    for _ in 0..n {
        COUNTER.fetch_add(1, Ordering::Relaxed);
    }
}

/// The increments [`counter`] has made.
pub fn counter_total() -> u64 {
    COUNTER.load(Ordering::Relaxed)
}

/// The dense cells of the labeled counter, on a cache-line boundary so that
/// neighbouring series always share a line (as a dense layout's mostly do).
#[repr(align(64))]
struct Lines([AtomicU64; 20]);

static REQUESTS: Lines = Lines([const { AtomicU64::new(0) }; 20]);

/// The labeled counter: `rounds` times, an increment of each pair of
/// `sequence` in turn.
#[inline(never)]
pub fn labeled(rounds: u64, sequence: &[(Method, Status); 20]) {
    for _ in 0..rounds {
        for &(method, status) in black_box(sequence) {
            REQUESTS.0[index(method, status)].fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// One series of the labeled counter, `n` times: a child held by a thread.
#[inline(never)]
pub fn child(n: u64, (method, status): (Method, Status)) {
    for _ in 0..n {
        let (method, status) = black_box((method, status));
        REQUESTS.0[index(method, status)].fetch_add(1, Ordering::Relaxed);
    }
}

/// The increments [`labeled`] and [`child`] have made to one series.
pub fn requests(method: Method, status: Status) -> u64 {
    REQUESTS.0[index(method, status)].load(Ordering::Relaxed)
}

static BUCKETS: [AtomicU64; 12] = [const { AtomicU64::new(0) }; 12];
static COUNT: AtomicU64 = AtomicU64::new(0);
static SUM: AtomicU64 = AtomicU64::new(0);

/// A plain lock-free histogram over [`DEFAULT_BUCKETS`]: linear bucket
/// search, count, CAS on the sum's bits, bucket.
#[inline]
pub fn observe(v: f64) {
    let bucket = DEFAULT_BUCKETS.iter().position(|&b| v <= b).unwrap_or(DEFAULT_BUCKETS.len());
    COUNT.fetch_add(1, Ordering::Relaxed);
    add_f64(&SUM, v);
    BUCKETS[bucket].fetch_add(1, Ordering::Relaxed);
}

/// Adds `v` to the `f64` whose bits `cell` holds: a CAS loop.
#[inline]
pub fn add_f64(cell: &AtomicU64, v: f64) {
    let mut current = cell.load(Ordering::Relaxed);
    loop {
        let next = (f64::from_bits(current) + v).to_bits();
        match cell.compare_exchange_weak(current, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => break,
            Err(actual) => current = actual,
        }
    }
}

/// The histogram: `rounds` times, an observation of each of `values`.
#[inline(never)]
pub fn histogram(rounds: u64, values: &[f64; 64]) {
    for _ in 0..rounds {
        for &v in black_box(values) {
            observe(v);
        }
    }
}

/// The observations [`observe`] has counted.
pub fn histogram_count() -> u64 {
    COUNT.load(Ordering::Relaxed)
}

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The value of series `i` (row-major) of the encoding case: 1 to 15
/// digits, all below 2^53 so that libraries that store `f64` hold them
/// exactly.
pub fn series_value(i: usize) -> u64 {
    splitmix64(i as u64) >> (16 + i % 48)
}

/// The names of the encoding case's family, as constants: the writer copies
/// each with a length known at compile time, as a hand-written writer of
/// string literals does.
pub trait Names {
    /// The counter's name, with `_total`.
    const NAME: &'static str;
    /// The OpenMetrics family name, without `_total`.
    const FAMILY: &'static str;
    /// The help text.
    const HELP: &'static str;
}

/// The encoding case written by hand: one counter family named by `N`, with
/// labels `a` (`r00`, `r01`, ...) and `b` (`c00`, ...), its label strings
/// rendered in advance, series `i` (row-major) holding
/// [`series_value`]`(i)`.
pub struct TextExposition<N> {
    rows: Vec<String>,
    cols: Vec<String>,
    values: Box<[AtomicU64]>,
    names: std::marker::PhantomData<N>,
}

impl<N: Names> TextExposition<N> {
    /// `rows` × `cols` series.
    pub fn new(rows: usize, cols: usize) -> Self {
        TextExposition {
            rows: (0..rows).map(|i| format!("r{i:02}")).collect(),
            cols: (0..cols).map(|i| format!("c{i:02}")).collect(),
            values: (0..rows * cols).map(|i| AtomicU64::new(series_value(i))).collect(),
            names: std::marker::PhantomData,
        }
    }

    /// The series lines, the same in both formats.
    #[inline]
    fn series(&self, out: &mut Vec<u8>) {
        let mut digits = itoa::Buffer::new();
        for (row, values) in self.rows.iter().zip(self.values.chunks_exact(self.cols.len())) {
            for (col, value) in self.cols.iter().zip(values) {
                out.extend_from_slice(N::NAME.as_bytes());
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

    /// Writes the Prometheus text exposition into `out` (cleared first):
    /// the metadata lines, then the series lines.
    #[inline(never)]
    pub fn prometheus(&self, out: &mut Vec<u8>) {
        out.clear();
        for line in [["# HELP ", N::NAME, " ", N::HELP, "\n"], ["# TYPE ", N::NAME, " counter", "", "\n"]] {
            for part in line {
                out.extend_from_slice(part.as_bytes());
            }
        }
        self.series(out);
    }

    /// Writes the OpenMetrics exposition into `out` (cleared first): the
    /// family's metadata lines, the same series lines, `# EOF`.
    #[inline(never)]
    pub fn openmetrics(&self, out: &mut Vec<u8>) {
        out.clear();
        for line in [["# TYPE ", N::FAMILY, " counter", "", "\n"], ["# HELP ", N::FAMILY, " ", N::HELP, "\n"]] {
            for part in line {
                out.extend_from_slice(part.as_bytes());
            }
        }
        self.series(out);
        out.extend_from_slice(b"# EOF\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Tiny;

    impl Names for Tiny {
        const NAME: &'static str = "t_total";
        const FAMILY: &'static str = "t";
        const HELP: &'static str = "Help.";
    }

    #[test]
    fn the_writer_writes_both_formats() {
        let exposition = TextExposition::<Tiny>::new(1, 2);
        let (a, b) = (series_value(0), series_value(1));
        let mut out = Vec::new();
        exposition.prometheus(&mut out);
        let series = format!("t_total{{a=\"r00\",b=\"c00\"}} {a}\nt_total{{a=\"r00\",b=\"c01\"}} {b}\n");
        assert_eq!(
            String::from_utf8(out.clone()).unwrap(),
            format!("# HELP t_total Help.\n# TYPE t_total counter\n{series}")
        );
        exposition.openmetrics(&mut out);
        assert_eq!(String::from_utf8(out).unwrap(), format!("# TYPE t counter\n# HELP t Help.\n{series}# EOF\n"));
    }

    #[test]
    fn the_sequence_visits_every_pair_once() {
        let mut seen: Vec<usize> = sequence().iter().map(|&(m, s)| index(m, s)).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..20).collect::<Vec<_>>());
    }

    #[test]
    fn series_values_have_1_to_15_digits_below_2_pow_53() {
        let digits: Vec<usize> = (0..10_000).map(|i| series_value(i).to_string().len()).collect();
        assert_eq!((digits.iter().min(), digits.iter().max()), (Some(&1), Some(&15)));
        assert!((0..10_000).all(|i| series_value(i) < 1 << 53));
    }
}
