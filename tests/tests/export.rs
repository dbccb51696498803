//! The exporter's own behaviour, the same for every sink: bad settings
//! refused at build, the first delivery at start and a final one at
//! shutdown, flush reports, idempotent start, retries with fresh snapshots,
//! `Retry-After`, permanent failures, timeouts, stalls skipped and counted,
//! and blocking calls from inside tokio runtimes that neither panic nor
//! hang (rust-prometheus#453: a blocking push from inside a runtime
//! panicked). Sinks written for the test drive it; the real sinks have tests of
//! their own against real collectors (`export_pushgateway.rs`,
//! `export_textfile.rs`).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use metricate::export::{BoxFuture, Delivered, ExportError, Exporter, Outcome, Pushgateway, Sink, SinkError, Textfile};
use metricate::{Counter, Metrics, Snapshot};
use tests::{TempDir, registry_value, wait_until};

/// What the test sinks read from each snapshot.
#[derive(Metrics)]
#[metrics(subsystem = "exported")]
struct Exported {
    /// Work done while deliveries happen.
    work_total: Counter,
}

fn work(snapshot: &Snapshot) -> f64 {
    let family = snapshot.family("trc_exported_work_total").expect("the test's counter is registered");
    family.series()[0].value().as_f64()
}

/// How a test sink answers each attempt, in order; `Ok` once they run out.
#[derive(Clone, Debug)]
enum Answer {
    Ok,
    Fail(SinkError),
    Sleep(Duration),
    Never,
}

/// A sink that answers as told and keeps what it saw.
struct Scripted {
    destination: String,
    answers: Vec<Answer>,
    seen: Arc<Mutex<Vec<f64>>>,
    /// Counter increments made during a failed attempt, to show that the
    /// next attempt takes a fresh snapshot.
    bump_on_failure: bool,
    closed: Arc<AtomicU32>,
}

impl Scripted {
    fn new(destination: &str, answers: Vec<Answer>) -> (Scripted, Arc<Mutex<Vec<f64>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = Scripted {
            destination: destination.to_owned(),
            answers,
            seen: Arc::clone(&seen),
            bump_on_failure: false,
            closed: Arc::new(AtomicU32::new(0)),
        };
        (sink, seen)
    }
}

impl Sink for Scripted {
    fn kind(&self) -> &'static str {
        "scripted"
    }

    fn destination(&self) -> String {
        self.destination.clone()
    }

    fn deliver<'a>(&'a mut self, snapshot: &'a Snapshot) -> BoxFuture<'a, Result<Delivered, SinkError>> {
        Box::pin(async move {
            self.seen.lock().unwrap().push(work(snapshot));
            let answer = if self.answers.is_empty() { Answer::Ok } else { self.answers.remove(0) };
            match answer {
                Answer::Ok => Ok(Delivered::new(100, 1)),
                Answer::Fail(error) => {
                    if self.bump_on_failure {
                        Exported::global().work_total.inc();
                    }
                    Err(error)
                }
                Answer::Sleep(duration) => {
                    tokio::time::sleep(duration).await;
                    Ok(Delivered::new(100, 1))
                }
                Answer::Never => std::future::pending().await,
            }
        })
    }

    fn close(&mut self) -> BoxFuture<'_, Result<(), SinkError>> {
        self.closed.fetch_add(1, Ordering::SeqCst);
        Box::pin(async { Ok(()) })
    }
}

fn hour() -> Duration {
    Duration::from_secs(3600)
}

fn config_error(result: Result<Exporter, ExportError>) -> String {
    match result {
        Err(ExportError::Config(message)) => message,
        other => panic!("expected a configuration error, got {other:?}"),
    }
}

#[test]
fn bad_settings_are_refused_when_the_exporter_is_built() {
    let sink = |d: &str| Scripted::new(d, Vec::new()).0;
    assert!(config_error(Exporter::builder().build()).contains("no sink"));
    assert!(config_error(Exporter::builder().interval(Duration::ZERO).sink(sink("a")).build()).contains("is zero"));
    assert!(config_error(Exporter::builder().timeout(Duration::ZERO).sink(sink("a")).build()).contains("timeout"));
    let same = Exporter::builder().sink(sink("udp://same")).sink(sink("udp://same")).build();
    assert!(config_error(same).contains("two sinks deliver to udp://same"));
    let names = Exporter::builder().named_sink("mine", sink("a"), None).named_sink("mine", sink("b"), None).build();
    assert!(config_error(names).contains("two sinks are named `mine`"));
    assert!(config_error(Exporter::builder().named_sink("My Sink", sink("a"), None).build()).contains("snake_case"));
    let backoff = Exporter::builder().backoff(Duration::from_secs(2), Duration::from_secs(1)).sink(sink("a")).build();
    assert!(config_error(backoff).contains("backoff"));

    // The sinks refuse their own bad input when made, before any delivery.
    let message = |e: ExportError| e.to_string();
    assert!(message(Pushgateway::new("localhost:9091", "job").unwrap_err()).contains("has no scheme"));
    assert!(message(Pushgateway::new("http://[::1", "job").unwrap_err()).contains("is not a URL"));
    assert!(message(Pushgateway::new("http://127.0.0.1:9091", "").unwrap_err()).contains("job name is empty"));
    let dir = TempDir::new("export-settings");
    assert!(message(Textfile::new(dir.join("missing"), "app").unwrap_err()).contains("cannot use the directory"));
    std::fs::write(dir.join("file"), "").unwrap();
    assert!(message(Textfile::new(dir.join("file"), "app").unwrap_err()).contains("is not a directory"));
    // Not writable even for root.
    assert!(message(Textfile::new("/proc", "app").unwrap_err()).contains("cannot write in /proc"));
    assert!(message(Textfile::new(dir.path(), "../app").unwrap_err()).contains("is not a textfile name"));
    assert!(message(Textfile::new(dir.path(), "").unwrap_err()).contains("is not a textfile name"));
    let sink = Textfile::new(dir.path(), "app").unwrap();
    assert_eq!(sink.path(), dir.join("app.prom"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "the probe leaves nothing but `file`");
}

#[test]
fn deliveries_at_start_on_flush_and_at_shutdown_and_a_second_start_starts_nothing() {
    let (sink, seen) = Scripted::new("test://cadence", Vec::new());
    let closed = Arc::clone(&sink.closed);
    let exporter = Exporter::builder().interval(hour()).named_sink("cadence", sink, None).build().unwrap();
    assert!(matches!(exporter.flush_blocking(), Err(ExportError::NotRunning)));
    exporter.start().unwrap();
    exporter.start().unwrap();
    assert!(exporter.is_running());
    wait_until("the first delivery", Duration::from_secs(30), || seen.lock().unwrap().len() == 1);
    Exported::global().work_total.inc();
    let reports = exporter.flush_blocking().unwrap();
    assert_eq!(reports.len(), 1);
    let report = &reports[0];
    assert_eq!((report.sink.as_str(), report.destination.as_str()), ("cadence", "test://cadence"));
    assert_eq!((&report.outcome, report.attempts, report.bytes), (&Outcome::Delivered, 1, 100));
    assert_eq!(seen.lock().unwrap().len(), 2, "one at start (not two), one on flush");
    exporter.shutdown().unwrap();
    assert_eq!(seen.lock().unwrap().len(), 3, "the final delivery");
    assert_eq!(closed.load(Ordering::SeqCst), 1);
}

#[test]
fn retries_take_fresh_snapshots_until_success_and_permanent_failures_are_not_retried() {
    let retry = || Answer::Fail(SinkError::retryable("busy"));
    let (mut sink, seen) = Scripted::new("test://retries", vec![Answer::Ok, retry(), retry()]);
    sink.bump_on_failure = true;
    let (rejecting, rejected) =
        Scripted::new("test://rejects", vec![Answer::Ok, Answer::Fail(SinkError::permanent("no such job"))]);
    let (failing, failed) = Scripted::new("test://fails", vec![Answer::Ok, retry(), retry(), retry()]);
    let exporter = Exporter::builder()
        .interval(hour())
        .max_retries(2)
        .backoff(Duration::from_millis(1), Duration::from_millis(5))
        .named_sink("retries", sink, None)
        .named_sink("rejects", rejecting, None)
        .named_sink("fails", failing, None)
        .build()
        .unwrap();
    exporter.start().unwrap();
    let reports = exporter.flush_blocking().unwrap();
    assert_eq!((&reports[0].outcome, reports[0].attempts), (&Outcome::Delivered, 3));
    assert!(matches!(&reports[1].outcome, Outcome::Rejected(e) if e.message() == "no such job"));
    assert_eq!(reports[1].attempts, 1);
    assert!(matches!(&reports[2].outcome, Outcome::Failed(e) if e.message() == "busy"));
    assert_eq!(reports[2].attempts, 3);
    // Each attempt of the retried delivery saw the counter as it was then:
    // one more after every failure.
    let seen = seen.lock().unwrap().clone();
    let flush = &seen[1..];
    assert_eq!(flush.len(), 3);
    assert!(flush[1] >= flush[0] + 1.0 && flush[2] >= flush[1] + 1.0, "{flush:?}");
    assert_eq!(rejected.lock().unwrap().len(), 2);
    assert_eq!(failed.lock().unwrap().len(), 4);
    exporter.shutdown().unwrap();
}

#[test]
fn retry_after_is_waited_for_and_timeouts_fail_the_attempt() {
    let after = Answer::Fail(SinkError::retry_after("slow down", Duration::from_millis(300)));
    let (sink, _) = Scripted::new("test://retry-after", vec![Answer::Ok, after]);
    let (hanging, _) = Scripted::new("test://hangs", vec![Answer::Ok, Answer::Never]);
    let exporter = Exporter::builder()
        .interval(hour())
        .timeout(Duration::from_millis(200))
        .max_retries(1)
        .backoff(Duration::from_millis(1), Duration::from_secs(1))
        .named_sink("retry_after", sink, None)
        .named_sink("hangs", hanging, None)
        .build()
        .unwrap();
    exporter.start().unwrap();
    let reports = exporter.flush_blocking().unwrap();
    assert_eq!((&reports[0].outcome, reports[0].attempts), (&Outcome::Delivered, 2));
    assert!(reports[0].duration >= Duration::from_millis(300), "{:?}", reports[0].duration);
    // The hanging attempt times out; its retry answers `Ok`.
    assert_eq!((&reports[1].outcome, reports[1].attempts), (&Outcome::Delivered, 2));
    exporter.shutdown().unwrap();
}

#[test]
fn a_stalled_sink_skips_cadence_points_instead_of_queueing_them() {
    let slow = vec![Answer::Sleep(Duration::from_millis(500)); 100];
    let (sink, seen) = Scripted::new("test://stalls", slow);
    let exporter = Exporter::builder()
        .named_sink("stalls", sink, Some(Duration::from_millis(50)))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let start = Instant::now();
    exporter.start().unwrap();
    wait_until("skipped cadence points are counted", Duration::from_secs(30), || {
        registry_value("metrics_export_deliveries_skipped_total", &[("sink", "stalls")]) >= 16.0
    });
    let elapsed = start.elapsed();
    let deliveries = seen.lock().unwrap().len();
    // One delivery at a time, each 500 ms: never one per 50 ms.
    let most = usize::try_from(elapsed.as_millis() / 500).unwrap() + 2;
    assert!(deliveries <= most, "{deliveries} deliveries in {elapsed:?}");
    drop(exporter);
}

#[test]
fn blocking_calls_inside_tokio_runtimes_neither_panic_nor_hang() {
    // Tasks on a current-thread runtime, waited for from its one thread:
    // refused, and the async calls work.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let (sink, seen) = Scripted::new("test://current-thread", Vec::new());
        let exporter = Exporter::builder().interval(hour()).named_sink("current", sink, None).build().unwrap();
        exporter.start_in(&tokio::runtime::Handle::current()).unwrap();
        assert!(matches!(exporter.flush_blocking(), Err(ExportError::WouldDeadlock)));
        let reports = exporter.flush().await.unwrap();
        assert!(reports[0].outcome.is_delivered());
        assert!(matches!(exporter.shutdown(), Err(ExportError::WouldDeadlock)));
        assert!(exporter.is_running());
        exporter.shutdown_async().await.unwrap();
        assert!(!exporter.is_running());
        assert_eq!(seen.lock().unwrap().len(), 3, "start, flush, final");
    });

    // Tasks on a multi-thread runtime, waited for from one of its workers.
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let (sink, seen) = Scripted::new("test://multi-thread", Vec::new());
        let exporter = Exporter::builder().interval(hour()).named_sink("multi", sink, None).build().unwrap();
        exporter.start_in(&tokio::runtime::Handle::current()).unwrap();
        let handle = tokio::spawn(async move {
            let reports = exporter.flush_blocking().unwrap();
            assert!(reports[0].outcome.is_delivered());
            exporter.shutdown().unwrap();
        });
        handle.await.unwrap();
        assert!(seen.lock().unwrap().len() >= 3, "start, flush, final");
    });

    // Its own thread, waited for from inside a current-thread runtime.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let (sink, seen) = Scripted::new("test://thread", Vec::new());
        let exporter = Exporter::builder().interval(hour()).named_sink("thread", sink, None).build().unwrap();
        exporter.start().unwrap();
        assert!(exporter.flush_blocking().unwrap()[0].outcome.is_delivered());
        exporter.shutdown_async().await.unwrap();
        assert_eq!(seen.lock().unwrap().len(), 3, "start, flush, final");
    });
}
