//! The standard process metrics, under the names every Prometheus client
//! uses (`process_cpu_seconds_total`, `process_resident_memory_bytes`,
//! `process_virtual_memory_bytes`, `process_open_fds`, `process_max_fds`,
//! `process_start_time_seconds`, `process_threads`): read from `/proc` at
//! each scrape or delivery, on Linux; absent elsewhere. They are the
//! documented exception to the namespace rule N2 (dashboards and alerts
//! everywhere use these names), registered in the global registry by the
//! runtime; the server's [`process_metrics(false)`] and
//! [`Registry::without_process_metrics`] leave them out.
//!
//! [`process_metrics(false)`]: crate::server::ServerBuilder::process_metrics
//! [`Registry::without_process_metrics`]: crate::Registry::without_process_metrics
//!
//! Clock ticks (CPU time, the start time) are Linux's fixed 100 per second
//! for user space.

use std::sync::LazyLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use metricate_spec::{Descriptor, MetricKind, Source};

use crate::metric::{Collect, MetricGroup, SeriesVisitor, Value};

/// Clock ticks per second in `/proc` (`USER_HZ`, fixed at 100 for user space
/// on Linux).
const TICKS: f64 = 100.0;

/// One process metric: its descriptor and how it is read.
struct ProcessMetric {
    descriptor: Descriptor,
    read: fn() -> Option<f64>,
}

impl Collect for ProcessMetric {
    fn collect(&self, visitor: &mut dyn SeriesVisitor) {
        if let Some(value) = (self.read)() {
            visitor.series(0, Value::Float(value));
        }
    }
}

const fn metric(
    name: &'static str,
    help: &'static str,
    kind: MetricKind,
    unit: Option<&'static str>,
    read: fn() -> Option<f64>,
) -> ProcessMetric {
    ProcessMetric {
        descriptor: Descriptor {
            unit,
            subsystem: "process",
            ..Descriptor::new(
                name,
                help,
                kind,
                Source { file: file!(), line: line!(), column: column!(), module_path: module_path!(), function: None },
            )
        },
        read,
    }
}

/// The process metrics, in name order.
static METRICS: [ProcessMetric; 7] = [
    metric(
        "process_cpu_seconds_total",
        "Total user and system CPU time spent, in seconds.",
        MetricKind::Counter,
        Some("seconds"),
        cpu_seconds,
    ),
    metric("process_max_fds", "The limit of open file descriptors.", MetricKind::Gauge, None, max_fds),
    metric("process_open_fds", "File descriptors open.", MetricKind::Gauge, None, open_fds),
    metric(
        "process_resident_memory_bytes",
        "Resident memory size, in bytes.",
        MetricKind::Gauge,
        Some("bytes"),
        resident_bytes,
    ),
    metric(
        "process_start_time_seconds",
        "When the process started, in seconds since the Unix epoch.",
        MetricKind::Gauge,
        Some("seconds"),
        start_seconds,
    ),
    metric("process_threads", "Threads of the process.", MetricKind::Gauge, None, threads),
    metric(
        "process_virtual_memory_bytes",
        "Virtual memory size, in bytes.",
        MetricKind::Gauge,
        Some("bytes"),
        virtual_bytes,
    ),
];

/// The group the runtime registers.
struct ProcessMetrics;

impl MetricGroup for ProcessMetrics {
    fn for_each_metric<'a>(&'a self, f: &mut dyn FnMut(&'static Descriptor, &'a dyn Collect)) {
        for metric in &METRICS {
            f(&metric.descriptor, metric);
        }
    }
}

static PROCESS: ProcessMetrics = ProcessMetrics;

#[cfg(target_os = "linux")]
inventory::submit! { crate::registry::Entry::new(&PROCESS) }

/// Whether `descriptor` is one of these process metrics (by identity: a
/// program's metric of the same name is not).
pub(crate) fn is_process_metric(descriptor: &Descriptor) -> bool {
    METRICS.iter().any(|m| std::ptr::eq(&raw const m.descriptor, descriptor))
}

/// The fields of `/proc/self/stat` after the command name (which may hold
/// spaces and parentheses): the first is field 3, the state.
fn stat_fields() -> Option<Vec<String>> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = &stat[stat.rfind(')')? + 1..];
    Some(after.split_whitespace().map(str::to_owned).collect())
}

/// A field of `/proc/self/status` in kB, as bytes.
fn status_kb(key: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix(key))?;
    let kb: f64 = line.trim_start_matches(':').split_whitespace().next()?.parse().ok()?;
    Some(kb * 1024.0)
}

fn cpu_seconds() -> Option<f64> {
    let fields = stat_fields()?;
    // utime and stime: fields 14 and 15.
    let user: f64 = fields.get(11)?.parse().ok()?;
    let system: f64 = fields.get(12)?.parse().ok()?;
    Some((user + system) / TICKS)
}

fn resident_bytes() -> Option<f64> {
    status_kb("VmRSS")
}

fn virtual_bytes() -> Option<f64> {
    status_kb("VmSize")
}

fn threads() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|l| l.strip_prefix("Threads:"))?.trim().parse().ok()
}

fn open_fds() -> Option<f64> {
    // As other clients count it: the directory's own descriptor included.
    Some(std::fs::read_dir("/proc/self/fd").ok()?.count() as f64)
}

fn max_fds() -> Option<f64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    let soft = line["Max open files".len()..].split_whitespace().next()?;
    // "unlimited" has no number: no value rather than a wrong one.
    soft.parse().ok()
}

fn start_seconds() -> Option<f64> {
    start_time()?.duration_since(UNIX_EPOCH).ok().map(|d| d.as_secs_f64())
}

/// When the process started, in nanoseconds since the Unix epoch (the first
/// time asked where `/proc` cannot tell): the start of every cumulative
/// series, for OTLP and OpenMetrics' `_created`.
pub(crate) fn start_unix_nanos() -> u64 {
    static START: LazyLock<u64> = LazyLock::new(|| {
        let start = start_time().unwrap_or_else(SystemTime::now);
        start.duration_since(UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
    });
    *START
}

/// When this process started: the start in clock ticks after boot
/// (`/proc/self/stat` field 22) plus the boot time (`/proc/stat`); read
/// once. `None` off Linux or when `/proc` cannot be read.
pub(crate) fn start_time() -> Option<SystemTime> {
    static START: std::sync::OnceLock<Option<SystemTime>> = std::sync::OnceLock::new();
    *START.get_or_init(|| {
        let ticks: u64 = stat_fields()?.get(19)?.parse().ok()?;
        let boot: u64 = std::fs::read_to_string("/proc/stat")
            .ok()?
            .lines()
            .find_map(|line| line.strip_prefix("btime "))?
            .trim()
            .parse()
            .ok()?;
        let started = UNIX_EPOCH + Duration::from_secs(boot) + Duration::from_millis(ticks * 10);
        // A start in the future means the reading is wrong.
        (started <= SystemTime::now()).then_some(started)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reading_is_there_on_linux_and_plausible() {
        if !cfg!(target_os = "linux") {
            return;
        }
        let names: Vec<&str> = METRICS.iter().map(|m| m.descriptor.name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted, "in name order");
        assert!(cpu_seconds().unwrap() >= 0.0);
        let resident = resident_bytes().unwrap();
        assert!(resident > 1024.0 * 1024.0 && resident <= virtual_bytes().unwrap());
        assert!(open_fds().unwrap() >= 3.0);
        assert!(max_fds().unwrap() >= open_fds().unwrap());
        assert!(threads().unwrap() >= 1.0);
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64();
        let start = start_seconds().unwrap();
        assert!(start <= now && now - start < 3600.0, "started {start}, now {now}");
        let registry = crate::global().unwrap();
        for metric in &METRICS {
            let registered = registry.iter().find(|r| r.descriptor.name == metric.descriptor.name).unwrap();
            assert!(is_process_metric(registered.descriptor));
        }
        assert!(registry.snapshot(|d| d.name == "process_threads").gauge("process_threads", &[]).unwrap() >= 1.0);
    }
}
