//! `compare`: this framework against its peers on the same machine, in one
//! run. Every case is interleaved batch by batch with a floor of raw atomics
//! (or a hand-written writer), so that both see the same noise; the memory
//! case runs in one fresh process per library. Prints one Markdown table and
//! a short description of the machine to stdout.
//!
//! ```sh
//! cargo run --release --bin compare > results.md
//! cargo run --release --bin compare -- memory <library> <series>   # one memory measurement
//! cargo run --release --bin compare -- exposition <library> <prometheus|openmetrics>  # what the encoding case encodes
//! ```
//!
//! `BENCH_REPS` sets the repetitions of each case (15).

include!(concat!(env!("OUT_DIR"), "/labels.rs"));

mod common;
mod floor;
mod measured_lib;
mod metrics_crate;
mod ours;
mod prom;
mod prom_client;
mod record;
mod report;

use std::process::{Command, ExitCode};
use std::time::Instant;

use bench_support::harness::{self, Batch, Samples};

/// One encoder of the encoding case: an encoded sample (for the checks and
/// the size) and a batch of encodes.
pub struct Encoding {
    pub sample: Vec<u8>,
    pub batch: Box<Batch<'static>>,
}

impl Encoding {
    /// The case of `scrape`, which encodes the whole exposition and hands its
    /// bytes to the function it is given: once for the sample, then once per
    /// unit of a batch (where they pass through `black_box`).
    pub fn new(mut scrape: impl FnMut(&mut dyn FnMut(&[u8])) + 'static) -> Encoding {
        let mut sample = Vec::new();
        scrape(&mut |bytes| sample.extend_from_slice(bytes));
        let batch = move |n| {
            harness::timed(n, &mut |n| {
                for _ in 0..n {
                    scrape(&mut |bytes| {
                        std::hint::black_box(bytes);
                    });
                }
            })
        };
        Encoding { sample, batch: Box::new(batch) }
    }
}

/// What one library runs. `None`: it cannot (the table's notes say why).
#[derive(Default)]
pub struct Cases {
    /// Units are increments.
    pub counter: Option<Box<Batch<'static>>>,
    /// Units are rounds of the 20-step label sequence.
    pub labeled: Option<Box<Batch<'static>>>,
    /// Units are rounds of the 64 values.
    pub histogram: Option<Box<Batch<'static>>>,
    /// Units are increments per thread.
    pub threads_counter: Option<Box<Batch<'static>>>,
    pub threads_children: Option<Box<Batch<'static>>>,
    /// Units are encodes.
    pub prometheus: Option<Encoding>,
    pub openmetrics: Option<Encoding>,
}

/// The libraries, in table order.
pub const LIBRARIES: [&str; 6] =
    ["metricate", "prometheus", "prometheus-static-metric", "prometheus-client", "metrics", "measured"];

/// The libraries of the memory case (the floor first); `measured-dense` is
/// `measured` with its dense representation forced.
const MEMORY_LIBRARIES: [&str; 7] =
    ["floor", "metricate", "prometheus", "prometheus-client", "metrics", "measured", "measured-dense"];

/// Fresh processes per library in the memory case.
const MEMORY_RUNS: usize = 3;

/// A library's result in one case: its samples and those of the floor
/// batches interleaved with it.
pub struct Pair {
    pub case: Samples,
    pub floor: Samples,
    /// 2-thread cases: samples (of either) from batches whose threads never
    /// ran at once.
    pub serial: usize,
}

/// Results of the record-path and encoding cases, by case then library.
pub struct Results {
    pub reps: usize,
    /// `[case][library]`, cases in [`report::TIMED`] order.
    pub timed: Vec<Vec<Option<Pair>>>,
    /// Encoded sizes, `[format][library]` (Prometheus, OpenMetrics); the
    /// floor's last.
    pub sizes: [Vec<Option<usize>>; 2],
    /// metricate's `ShardedCounter` in the 2-thread counter case.
    pub sharded: Pair,
    /// What the 2-thread cases retried.
    pub thread_stats: harness::ThreadStats,
    /// Bytes per series, `[library]` in [`MEMORY_LIBRARIES`] order.
    pub memory: Vec<Result<Samples, String>>,
}

fn library_cases(name: &str) -> Cases {
    match name {
        "metricate" => ours::cases(),
        "prometheus" => prom::cases(),
        "prometheus-static-metric" => prom::static_cases(),
        "prometheus-client" => prom_client::cases(),
        "metrics" => metrics_crate::cases(),
        "measured" => measured_lib::cases(),
        _ => unreachable!("unknown library {name}"),
    }
}

/// `compare memory <library> <series>`: the resident bytes per series of
/// `series` series, created and touched in this (fresh) process.
fn memory_child(library: &str, series: &str) -> Result<(), String> {
    let series: usize = series.parse().map_err(|e| format!("series {series:?}: {e}"))?;
    if series == 0 || series > common::MEMORY_SERIES || !series.is_multiple_of(common::WIDE) {
        return Err(format!("series must be a multiple of {} up to {}", common::WIDE, common::MEMORY_SERIES));
    }
    // Inputs and one-time setup come before the first reading.
    let _ = (common::row_strings(), common::wide_strings());
    if library == "metrics" {
        metrics_crate::memory_setup();
    }
    let run: fn(usize) -> Box<dyn std::any::Any> = match library {
        "floor" => floor::memory,
        "metricate" => ours::memory,
        "prometheus" => prom::memory,
        "prometheus-client" => prom_client::memory,
        "metrics" => metrics_crate::memory,
        "measured" => |n| measured_lib::memory(n, false),
        "measured-dense" => |n| measured_lib::memory(n, true),
        _ => return Err(format!("unknown library {library:?}; one of {MEMORY_LIBRARIES:?}")),
    };
    let before = common::rss_bytes();
    let kept = run(series);
    let after = common::rss_bytes();
    println!("{}", after.saturating_sub(before) as f64 / series as f64);
    drop(kept);
    Ok(())
}

/// Runs the memory case of `library` in fresh processes.
fn memory_parent(library: &str) -> Result<Samples, String> {
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let mut samples = Vec::with_capacity(MEMORY_RUNS);
    for _ in 0..MEMORY_RUNS {
        let output = Command::new(&exe)
            .args(["memory", library, &common::MEMORY_SERIES.to_string()])
            .output()
            .map_err(|e| format!("spawn {}: {e}", exe.display()))?;
        if !output.status.success() {
            return Err(format!("{library}: {}", String::from_utf8_lossy(&output.stderr).trim()));
        }
        let text = String::from_utf8_lossy(&output.stdout);
        samples.push(text.trim().parse::<f64>().map_err(|e| format!("{library}: output {text:?}: {e}"))?);
    }
    Ok(Samples(samples))
}

/// `compare exposition <library> <format>`: the bytes the encoding case
/// times, for inspection.
fn exposition(library: &str, format: &str) -> Result<Vec<u8>, String> {
    if library != "floor" && !LIBRARIES.contains(&library) {
        return Err(format!("unknown library {library:?}; floor or one of {LIBRARIES:?}"));
    }
    let cases = if library == "floor" { floor::cases() } else { library_cases(library) };
    let encoding = match format {
        "prometheus" => cases.prometheus,
        "openmetrics" => cases.openmetrics,
        _ => return Err(format!("unknown format {format:?}; prometheus or openmetrics")),
    };
    encoding.map(|e| e.sample).ok_or_else(|| format!("{library} does not encode {format}"))
}

fn check_encodings(libraries: &[Cases], floor: &Cases) -> Result<(), String> {
    let ours = &libraries[0];
    for (name, ours, floor) in [
        ("Prometheus text", ours.prometheus.as_ref(), floor.prometheus.as_ref()),
        ("OpenMetrics", ours.openmetrics.as_ref(), floor.openmetrics.as_ref()),
    ] {
        let (ours, floor) = (ours.ok_or("metricate encodes both")?, floor.ok_or("the floor writes both")?);
        if ours.sample != floor.sample {
            return Err(format!("the floor's {name} writer must produce the bytes of metricate's encoder"));
        }
        common::check_exposition("floor", name, &floor.sample)?;
    }
    for (library, cases) in LIBRARIES.iter().zip(libraries) {
        for (format, encoding) in [("Prometheus text", &cases.prometheus), ("OpenMetrics", &cases.openmetrics)] {
            if let Some(e) = encoding {
                common::check_exposition(library, format, &e.sample)?;
            }
        }
    }
    Ok(())
}

fn run(reps: usize) -> Result<Results, String> {
    let mut floor = floor::cases();
    let mut libraries: Vec<Cases> = LIBRARIES.iter().map(|l| library_cases(l)).collect();
    check_encodings(&libraries, &floor)?;

    let mut thread_stats = harness::ThreadStats::default();
    let mut pair = |reps: usize, threads: bool, batch: &mut Batch<'_>, ops: u64, floor: &mut Batch<'_>| {
        if threads {
            let (case, floor, stats) = harness::interleaved_threads(reps, batch, floor);
            thread_stats.add(stats);
            Pair { case, floor, serial: stats.serial }
        } else {
            let (case, floor) = harness::interleaved(reps, batch, ops, floor, ops);
            Pair { case, floor, serial: 0 }
        }
    };
    let mut timed = Vec::new();
    for case in report::TIMED {
        let mut row = Vec::new();
        for cases in &mut libraries {
            let ops = case.ops_per_unit;
            let pair = match ((case.batch)(cases), (case.batch)(&mut floor)) {
                (Some(batch), Some(floor)) => Some(pair(reps, case.threads, batch, ops, floor)),
                _ => None,
            };
            row.push(pair);
        }
        timed.push(row);
    }

    let sharded = {
        let floor = floor.threads_counter.as_deref_mut().ok_or("the floor runs every case")?;
        pair(reps, true, &mut *ours::sharded_batch(), 1, floor)
    };

    let size = |e: &Option<Encoding>| e.as_ref().map(|e| e.sample.len());
    let mut sizes: [Vec<Option<usize>>; 2] = [
        libraries.iter().map(|c| size(&c.prometheus)).collect(),
        libraries.iter().map(|c| size(&c.openmetrics)).collect(),
    ];
    sizes[0].push(size(&floor.prometheus));
    sizes[1].push(size(&floor.openmetrics));

    let memory = MEMORY_LIBRARIES.iter().map(|l| memory_parent(l)).collect();
    Ok(Results { reps, timed, sharded, thread_stats, sizes, memory })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("memory") => {
            let (Some(library), Some(series)) = (args.get(2), args.get(3)) else {
                eprintln!("usage: compare memory <library> <series>");
                return ExitCode::from(2);
            };
            return match memory_child(library, series) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("{e}");
                    ExitCode::FAILURE
                }
            };
        }
        Some("exposition") => {
            let (Some(library), Some(format)) = (args.get(2), args.get(3)) else {
                eprintln!("usage: compare exposition <library> <prometheus|openmetrics>");
                return ExitCode::from(2);
            };
            return match exposition(library, format) {
                Ok(bytes) => {
                    use std::io::Write as _;
                    let _ = std::io::stdout().write_all(&bytes);
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("{e}");
                    ExitCode::FAILURE
                }
            };
        }
        Some(other) => {
            eprintln!(
                "usage: compare [memory <library> <series> | exposition <library> <format>]; unknown argument {other:?}"
            );
            return ExitCode::from(2);
        }
        None => {}
    }
    let reps: usize = std::env::var("BENCH_REPS").ok().and_then(|r| r.parse().ok()).filter(|&r| r > 0).unwrap_or(15);
    let started = Instant::now();
    match run(reps) {
        Ok(results) => {
            report::print(&results, started.elapsed());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("compare: {e}");
            ExitCode::FAILURE
        }
    }
}
