//! What every library's cases share: the inputs, the names, and the checks
//! that each library's output holds what it should.

pub use bench_support::floor::{DEFAULT_BUCKETS, SEQUENCE, histogram_values, series_value};

/// A label enum with a library's derives and a table of its values in index
/// order, `ALL`: `label_enum!(Name: Derive, .. [A, B, C])`, or with the values
/// of a callback of the build script, `with_rows!(label_enum!(Row: Derive, ..))`.
macro_rules! label_enum {
    ($name:ident : $($derive:path),+ [$($variant:ident),* $(,)?]) => {
        #[allow(non_camel_case_types, reason = "the variants are the label values, which some derives write as spelled")]
        #[derive($($derive),+)]
        enum $name {
            $($variant),*
        }

        impl $name {
            const ALL: &'static [$name] = &[$($name::$variant),*];
        }
    };
}
pub(crate) use label_enum;

/// Label values of the labeled counter, as the string-keyed libraries see them.
pub const METHODS: [&str; 4] = ["get", "post", "put", "delete"];
pub const STATUSES: [&str; 5] = ["ok", "redirect", "client_error", "server_error", "timeout"];

/// The child each thread increments in the 2-thread labeled case:
/// thread 0 `{method="get",status="ok"}`, thread 1 `{method="get",status="redirect"}`,
/// neighbours in a dense layout.
pub const THREAD_CHILDREN: [(usize, usize); 2] = [(0, 0), (0, 1)];

/// Name and help of the labeled counter of the record-path cases.
pub const REQUESTS_NAME: &str = "bench_compare_requests_total";
pub const REQUESTS_HELP: &str = "Requests counted by the labeled counter case.";
/// Name and help of the unlabeled counter.
pub const OPS_NAME: &str = "bench_compare_ops_total";
pub const OPS_HELP: &str = "Operations counted by the unlabeled counter case.";
/// Name and help of the histogram.
pub const LATENCY_NAME: &str = "bench_compare_latency_seconds";
pub const LATENCY_HELP: &str = "Observations of the histogram case.";

/// The encoding case: a counter with labels `a` (`r00`..`r99`) and `b`
/// (`c00`..`c99`), 10,000 series.
pub const SERIES_NAME: &str = "bench_compare_series_total";
/// The same family without `_total`, for libraries that append it.
pub const SERIES_BASE: &str = "bench_compare_series";
pub const SERIES_HELP: &str = "Series encoded by the encoding case.";
pub const ROWS: usize = 100;
pub const COLS: usize = 100;
pub const SERIES: usize = ROWS * COLS;

/// The memory case: labels `a` (`r00`..`r99`) and `b` (`v000`..`v999`).
pub const WIDE_NAME: &str = "bench_compare_wide_total";
pub const WIDE_HELP: &str = "Series of the memory case.";
pub const WIDE: usize = 1000;
pub const MEMORY_SERIES: usize = ROWS * WIDE;

fn leak_strings(prefix: &str, count: usize, width: usize) -> &'static [&'static str] {
    let v: Vec<&'static str> =
        (0..count).map(|i| &*Box::leak(format!("{prefix}{i:0width$}").into_boxed_str())).collect();
    Box::leak(v.into_boxed_slice())
}

/// `r00`..`r99`, built once, for the string-keyed libraries.
pub fn row_strings() -> &'static [&'static str] {
    static S: std::sync::OnceLock<&'static [&'static str]> = std::sync::OnceLock::new();
    S.get_or_init(|| leak_strings("r", ROWS, 2))
}

/// `c00`..`c99`.
pub fn col_strings() -> &'static [&'static str] {
    static S: std::sync::OnceLock<&'static [&'static str]> = std::sync::OnceLock::new();
    S.get_or_init(|| leak_strings("c", COLS, 2))
}

/// `v000`..`v999`.
pub fn wide_strings() -> &'static [&'static str] {
    static S: std::sync::OnceLock<&'static [&'static str]> = std::sync::OnceLock::new();
    S.get_or_init(|| leak_strings("v", WIDE, 3))
}

/// What a correct exposition of the encoding case sums to.
pub fn expected_sum() -> u128 {
    (0..SERIES).map(|i| u128::from(series_value(i))).sum()
}

/// Checks an exposition of the encoding case: exactly 10,000 sample lines of
/// `bench_compare_series_total{...}` whose values add up to what was stored,
/// and no sample of another family. Returns an error naming what is wrong.
pub fn check_exposition(library: &str, format: &str, bytes: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("{library} {format}: not UTF-8: {e}"))?;
    let prefix = format!("{SERIES_NAME}{{");
    let (mut lines, mut sum, mut labels_seen) = (0usize, 0u128, std::collections::HashSet::new());
    for line in text.lines() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let Some(rest) = line.strip_prefix(&prefix) else {
            return Err(format!("{library} {format}: unexpected sample line {line:?}"));
        };
        let (labels, value) = rest.rsplit_once("} ").ok_or_else(|| format!("{library} {format}: bad line {line:?}"))?;
        let value: f64 = value.trim().parse().map_err(|e| format!("{library} {format}: bad value in {line:?}: {e}"))?;
        sum += value as u128;
        labels_seen.insert(labels.to_owned());
        lines += 1;
    }
    if lines != SERIES || labels_seen.len() != SERIES {
        return Err(format!(
            "{library} {format}: {lines} sample lines, {} distinct label sets, expected {SERIES}",
            labels_seen.len()
        ));
    }
    if sum != expected_sum() {
        return Err(format!("{library} {format}: values sum to {sum}, expected {}", expected_sum()));
    }
    Ok(())
}

/// The resident set size of this process, in bytes, from `/proc/self/status`.
pub fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("VmRSS in /proc/self/status");
    let kb: u64 = line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).expect("VmRSS value in kB");
    kb * 1024
}
