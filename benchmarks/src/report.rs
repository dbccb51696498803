//! The table, its notes and the machine description.

use std::time::Duration;

use crate::harness::{Batch, MIN_PARALLELISM, Samples, TARGET};
use crate::{Cases, LIBRARIES, MEMORY_LIBRARIES, MEMORY_RUNS, Results};

/// A case timed against its floor.
pub struct Timed {
    pub label: &'static str,
    pub unit: &'static str,
    /// ns per reported unit: 1 for ns, 1000 for µs.
    pub ns_per_unit: f64,
    pub ops_per_unit: u64,
    /// A 2-thread case: batches whose threads did not run at once are retried.
    pub threads: bool,
    pub batch: fn(&mut Cases) -> Option<&mut Batch<'static>>,
}

pub const TIMED: [Timed; 7] = [
    Timed {
        label: "1. counter `inc`",
        unit: "ns/op",
        ns_per_unit: 1.0,
        ops_per_unit: 1,
        threads: false,
        batch: |c| c.counter.as_deref_mut(),
    },
    Timed {
        label: "2. labeled counter `inc`, 2 labels (4×5), both change every call",
        unit: "ns/op",
        ns_per_unit: 1.0,
        ops_per_unit: 20,
        threads: false,
        batch: |c| c.labeled.as_deref_mut(),
    },
    Timed {
        label: "3. histogram `observe`, default buckets, 64 values",
        unit: "ns/op",
        ns_per_unit: 1.0,
        ops_per_unit: 64,
        threads: false,
        batch: |c| c.histogram.as_deref_mut(),
    },
    Timed {
        label: "4. 2 threads, one counter <sup>[a]</sup>",
        unit: "ns/op per thread",
        ns_per_unit: 1.0,
        ops_per_unit: 1,
        threads: true,
        batch: |c| c.threads_counter.as_deref_mut(),
    },
    Timed {
        label: "5. 2 threads, two children of one labeled counter <sup>[b]</sup>",
        unit: "ns/op per thread",
        ns_per_unit: 1.0,
        ops_per_unit: 1,
        threads: true,
        batch: |c| c.threads_children.as_deref_mut(),
    },
    Timed {
        label: "6a. encode 10,000 series, Prometheus text",
        unit: "µs/encode",
        ns_per_unit: 1000.0,
        ops_per_unit: 1,
        threads: false,
        batch: |c| c.prometheus.as_mut().map(|e| &mut *e.batch),
    },
    Timed {
        label: "6b. encode 10,000 series, OpenMetrics",
        unit: "µs/encode",
        ns_per_unit: 1000.0,
        ops_per_unit: 1,
        threads: false,
        batch: |c| c.openmetrics.as_mut().map(|e| &mut *e.batch),
    },
];

/// Why a library has no number in a row: (case index or `usize::MAX` for
/// the size row, library, note).
const NOT_APPLICABLE: [(usize, &str, &str); 5] = [
    (6, "prometheus", "[c]"),
    (5, "prometheus-client", "[d]"),
    (6, "metrics", "[e]"),
    (6, "measured", "[f]"),
    (usize::MAX, "prometheus-static-metric", "[g]"),
];

fn number(v: f64) -> String {
    if !v.is_finite() {
        "—".to_owned()
    } else if v >= 1000.0 {
        format!("{v:.0}")
    } else if v >= 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn na(case: usize, library: &str) -> String {
    let note = NOT_APPLICABLE
        .iter()
        .find(|(c, l, _)| *l == library && (*c == case || *c == usize::MAX))
        .map_or("", |(_, _, n)| n);
    if library == "prometheus-static-metric" { format!("= prometheus {note}") } else { format!("n/a {note}") }
}

fn serial_mark(pair: &crate::Pair) -> &'static str {
    if pair.serial > 0 { " †" } else { "" }
}

fn cell(samples: &Samples, floor_min: f64, scale: f64) -> String {
    format!(
        "{} / {} (×{:.2})",
        number(samples.min() / scale),
        number(samples.median() / scale),
        samples.min() / floor_min
    )
}

/// Calendar date (UTC) of a Unix time.
fn utc_date(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let rem = secs % 86_400;
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02} UTC", rem / 3600, rem % 3600 / 60)
}

fn machine() -> Vec<(String, String)> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or_else(|| "unknown".to_owned(), |(_, m)| m.trim().to_owned());
    let processors = cpuinfo.lines().filter(|l| l.starts_with("processor")).count();
    let available = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map_or_else(|_| "unknown".to_owned(), |k| k.trim().to_owned());
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    vec![
        ("CPU".to_owned(), model),
        ("cores".to_owned(), format!("{processors} logical CPUs, {available} available to this process")),
        ("kernel".to_owned(), format!("Linux {kernel}")),
        ("rustc".to_owned(), env!("COMPARE_RUSTC_VERSION").to_owned()),
        ("peers".to_owned(), env!("COMPARE_PEER_VERSIONS").to_owned()),
        ("date".to_owned(), utc_date(now)),
    ]
}

#[allow(clippy::too_many_lines, reason = "one table and its notes, printed in order")]
pub fn print(results: &Results, elapsed: Duration) {
    println!("# metricate and its peers\n");
    println!("| machine | |\n|---|---|");
    for (k, v) in machine() {
        println!("| {k} | {v} |");
    }
    println!();

    print!("| case | unit | floor |");
    for l in LIBRARIES {
        print!(" {l} |");
    }
    println!();
    print!("|---|---|---:|");
    for _ in LIBRARIES {
        print!("---:|");
    }
    println!();

    for (i, (case, row)) in TIMED.iter().zip(&results.timed).enumerate() {
        let mut floor = Samples::default();
        for pair in row.iter().flatten() {
            floor.extend(&pair.floor);
        }
        let any_serial = row.iter().flatten().any(|p| p.serial > 0);
        print!(
            "| {} | {} | {} / {}{} |",
            case.label,
            case.unit,
            number(floor.min() / case.ns_per_unit),
            number(floor.median() / case.ns_per_unit),
            if any_serial { " †" } else { "" }
        );
        for (library, pair) in LIBRARIES.iter().zip(row) {
            match pair {
                Some(p) => print!(" {}{} |", cell(&p.case, p.floor.min(), case.ns_per_unit), serial_mark(p)),
                None => print!(" {} |", na(i, library)),
            }
        }
        println!();
    }

    // Encoded sizes.
    let floor_sizes = (results.sizes[0].last().copied().flatten(), results.sizes[1].last().copied().flatten());
    let size = |s: Option<usize>| s.map_or_else(|| "n/a".to_owned(), thousands);
    print!(
        "| 6c. encoded size, Prometheus text / OpenMetrics | bytes | {} / {} |",
        size(floor_sizes.0),
        size(floor_sizes.1)
    );
    for (i, library) in LIBRARIES.iter().enumerate() {
        let (p, o) = (results.sizes[0][i], results.sizes[1][i]);
        if p.is_none() && o.is_none() {
            print!(" {} |", na(usize::MAX, library));
        } else {
            print!(" {} / {} |", size(p), size(o));
        }
    }
    println!();

    // Memory.
    let memory = |library: &str| MEMORY_LIBRARIES.iter().position(|l| *l == library).map(|i| &results.memory[i]);
    let floor_memory = memory("floor").and_then(|r| r.as_ref().ok()).map_or(f64::NAN, Samples::min);
    print!("| 7. resident memory, 100,000 series (100×1000), fresh process <sup>[h]</sup> | bytes/series | ");
    match memory("floor") {
        Some(Ok(s)) => print!("{} / {} |", number(s.min()), number(s.median())),
        _ => print!("failed |"),
    }
    for library in LIBRARIES {
        match memory(library) {
            Some(Ok(s)) => print!(" {} |", cell(s, floor_memory, 1.0)),
            Some(Err(_)) => print!(" failed |"),
            None => print!(" {} |", na(usize::MAX, library)),
        }
    }
    println!();

    let dense = match memory("measured-dense") {
        Some(Ok(s)) => format!("{} bytes/series (min; median {})", number(s.min()), number(s.median())),
        _ => "failed".to_owned(),
    };
    let failures: Vec<&String> = results.memory.iter().filter_map(|r| r.as_ref().err()).collect();

    println!();
    println!(
        "Each cell: min / median over {} repetitions (memory: over {MEMORY_RUNS} processes), and in parentheses the ratio of the library's min to the min of the floor batches interleaved with it (memory: to the floor's min). Each repetition times one batch of the library (sized to about {} ms) and then one batch of the floor. The floor column pools every floor batch of the row. Lower is better everywhere.",
        results.reps,
        TARGET.as_millis()
    );
    println!();
    println!(
        "The floor: a `static AtomicU64`; a `static [AtomicU64; 20]` indexed by two `#[repr(u8)]` enums; a lock-free histogram (linear search over the bounds, 2 atomic adds, a CAS loop on the sum's bits); a hand-written writer of the same bytes as metricate's encoder from precomputed label strings with `itoa` (checked byte for byte); memory, one `AtomicU64` per series in a `Vec`."
    );
    println!();
    println!(
        "Every library's encoded output was checked before timing: 10,000 sample lines of `bench_compare_series_total{{a,b}}`, 10,000 distinct label sets, values summing to what was stored."
    );
    println!();
    println!(
        "- [a] Both threads increment the same counter (the handle each library recommends holding); ns/op per thread = the span from the first thread's start to the last thread's end ÷ increments per thread, so the total rate is 2 ÷ that. metricate's `ShardedCounter` (8 cache-line shards, a thread-local shard index; the type it documents for counters many threads increment) in the same case: {}{} ns/op per thread.",
        cell(&results.sharded.case, results.sharded.floor.min(), 1.0),
        serial_mark(&results.sharded)
    );
    println!(
        "- [b] Thread 0 increments `{{method=\"get\",status=\"ok\"}}`, thread 1 `{{method=\"get\",status=\"redirect\"}}` (neighbours in a dense layout), each resolved through the library's labeled API on every call (the labels pass through `black_box`, so no compiler hoists the lookup). The floor's cells are 64-byte aligned, so the two share a cache line (false sharing); metricate's dense static array holds them 8 bytes apart, on {} in this build; `measured` pads each cell to 128 bytes; `prometheus`, `prometheus-client` and `metrics` keep each child in its own allocation behind the family's lock.",
        if crate::ours::thread_children_share_a_line() {
            "one cache line"
        } else {
            "two cache lines (the line boundary falls between them)"
        }
    );
    println!(
        "- [a, b] A 2-thread batch counts only if its threads ran at once: their CPU time (`CLOCK_THREAD_CPUTIME_ID`) adds up to at least {MIN_PARALLELISM} × the span; otherwise (the other core busy, the threads taking turns) it is run again, up to 10 times. This run retried {} batches; {} samples come from batches that never ran in parallel (their cells, and the floor's of that row, are marked †).",
        results.thread_stats.retried, results.thread_stats.serial
    );
    println!("- [c] `prometheus` 0.14 writes Prometheus text only (`TextEncoder`; its other encoder is protobuf).");
    println!(
        "- [d] `prometheus-client` writes OpenMetrics text only (which Prometheus scrapes); it has no Prometheus text encoder."
    );
    println!("- [e] `metrics-exporter-prometheus` renders Prometheus text only (and protobuf behind a feature).");
    println!("- [f] `measured` 0.0.25 has a Prometheus text encoder only.");
    println!(
        "- [g] `prometheus-static-metric` only pre-resolves the children of labeled metrics of `prometheus` (`make_static_metric!`, picked per call with the generated `get(label_enum)`); its other cases are the `prometheus` column. A static struct of 100,000 children (memory case) would be 100,000 generated fields, so that case is not run."
    );
    println!(
        "- [h] One fresh process per run: VmRSS from `/proc/self/status` before and after creating the labeled counter and incrementing each of its 100,000 series once, ÷ 100,000 (label strings built before the first reading; 4 KiB pages). metricate's cells are a zero-initialised `static`, resident once touched. `measured` uses the representation it picks itself above 1,024 series (sparse, a sharded hash map); forced dense (`CounterVec::dense()`, 128-byte padded cells): {dense}."
    );
    println!(
        "- Paths used: metricate `Type::global().family.with(labels).inc()` on a `#[derive(Metrics)]` struct; prometheus `IntCounter`/`Histogram` handles and `IntCounterVec::with_label_values` per call; prometheus-client `Counter`/`Histogram` handles and `Family::get_or_create` with `#[derive(EncodeLabelSet)]` enum labels; metrics a handle from `counter!`/`histogram!` held by the caller, and `counter!(name, \"method\" => m, \"status\" => s)` per call for labels, with `&'static str` values; measured `Counter`, `Histogram<11>`, `CounterVec` of a fixed-cardinality `LabelGroup`. All histograms use the default buckets 0.005 .. 10; `metrics` stores raw observations and buckets them when it renders, `measured` and `prometheus-client` lock per observation (a read lock, a mutex)."
    );
    println!();
    for f in failures {
        println!("Memory run failed: {f}");
    }
    println!("Total run time (after the build): {:.1} s.", elapsed.as_secs_f64());
}
