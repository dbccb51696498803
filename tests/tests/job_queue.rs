//! A small job-queue worker, tested through its metrics: declared metrics
//! with label enums, and `#[instrument_metric]` functions, sync and async,
//! read through typed handles with `assert_metric!`.
//!
//! Every test runs the same worker code, in parallel under the default test
//! harness, and asserts exact values: each runs inside a
//! `metricate::testing::Scope` (feature `test-scope`, a dev-dependency of this
//! crate), so it sees its own increments only. The tests meet halfway
//! through their work ([`overlap`]) so that they record at the same time;
//! and since every test records inside a scope, the registered statics stay
//! at zero, which [`the_registered_statics_saw_nothing`] checks while the
//! others run.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Barrier, Mutex};
use std::time::{Duration, Instant};

use metricate::encode::Format;
use metricate::instrument::{ByOutcome, BySyncOutcome, Outcome};
use metricate::testing::{Scope, scope};
use metricate::{
    Counter, Family, Histogram, IntGauge, LabelSet, LabelValue, Metrics, assert_metric, instrument_metric,
};

// ---------------------------------------------------------------------------
// The service.

/// The queues jobs are sent to.
#[derive(Clone, Copy, Debug, PartialEq, LabelValue)]
enum Queue {
    Email,
    Sms,
    Webhook,
}

/// How processing a job ended: the outcome label, under a name of its own.
#[derive(Clone, Copy, Debug, PartialEq, LabelValue)]
enum Status {
    Done,
    Failed,
}

impl From<Outcome> for Status {
    fn from(outcome: Outcome) -> Status {
        if outcome == Outcome::Ok { Status::Done } else { Status::Failed }
    }
}

#[derive(Clone, Copy, LabelSet)]
struct ByQueue {
    queue: Queue,
}

#[derive(Clone, Copy, LabelSet)]
struct Processed {
    queue: Queue,
    status: Status,
}

/// The job queue.
#[derive(Metrics)]
#[metrics(subsystem = "jobq")]
struct Jobs {
    /// Jobs enqueued, by queue.
    enqueued_total: Family<ByQueue, Counter>,
    /// Jobs waiting, by queue.
    depth: Family<ByQueue, IntGauge>,
    /// Jobs processed, by queue and status.
    processed_total: Family<Processed, Counter>,
    /// Time to process a job, by queue and status.
    #[metric(buckets = [0.001, 0.1, 1.0])]
    process_duration_seconds: Family<Processed, Histogram>,
}

/// Why a job failed; the variants carry what happened, the reason label is
/// the variant.
#[derive(Debug, PartialEq, LabelValue)]
enum JobError {
    Malformed { at: usize },
    Timeout { after_ms: u64 },
    Rejected(String),
}

/// A parsed job.
#[derive(Debug, PartialEq)]
struct Job {
    queue: Queue,
    target: String,
    action: String,
}

/// The jobs waiting.
#[derive(Default)]
struct JobQueue {
    jobs: Mutex<VecDeque<(Queue, String)>>,
}

impl JobQueue {
    fn push(&self, queue: Queue, payload: &str) {
        self.jobs.lock().unwrap().push_back((queue, payload.to_owned()));
        Jobs::global().enqueued_total.with(ByQueue { queue }).inc();
        Jobs::global().depth.with(ByQueue { queue }).inc();
    }

    fn pop(&self) -> Option<(Queue, String)> {
        let job = self.jobs.lock().unwrap().pop_front()?;
        Jobs::global().depth.with(ByQueue { queue: job.0 }).dec();
        Some(job)
    }
}

/// Parses a payload `target:action`.
#[instrument_metric(subsystem = "jobq", metrics = ParseMetrics, reason = JobError)]
fn parse(queue: Queue, payload: &str) -> Result<Job, JobError> {
    let (target, action) = payload.rsplit_once(':').ok_or(JobError::Malformed { at: payload.len() })?;
    if target.is_empty() {
        return Err(JobError::Malformed { at: 0 });
    }
    Ok(Job { queue, target: target.to_owned(), action: action.to_owned() })
}

/// Takes a job off the queue: parses it, and refuses what the queue does
/// not deliver. Counted in `jobq_processed_total{queue,status}`.
#[instrument_metric(
    count = Jobs::global().processed_total,
    duration = Jobs::global().process_duration_seconds,
    labels = Processed { queue, status },
    outcome = status,
)]
fn process(queue: Queue, payload: &str) -> Result<Job, JobError> {
    let job = parse(queue, payload)?;
    if job.action == "spam" {
        return Err(JobError::Rejected(job.target));
    }
    Ok(job)
}

/// Delivers a job to its target.
#[instrument_metric(subsystem = "jobq", metrics = DeliverMetrics, reason = JobError, in_flight, buckets = [0.01, 1.0])]
async fn deliver(job: &Job) -> Result<(), JobError> {
    match job.action.as_str() {
        "hang" => {
            // Until the caller gives up.
            std::future::pending::<()>().await;
            Ok(())
        }
        "slow" => {
            tokio::task::yield_now().await;
            Err(JobError::Timeout { after_ms: 30_000 })
        }
        _ => Ok(()),
    }
}

/// Runs a worker until the queue is empty; returns the jobs delivered.
async fn work(queue: &JobQueue) -> usize {
    let mut delivered = 0;
    while let Some((name, payload)) = queue.pop() {
        if let Ok(job) = process(name, &payload)
            && deliver(&job).await.is_ok()
        {
            delivered += 1;
        }
    }
    delivered
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_time().build().expect("a current-thread runtime")
}

// ---------------------------------------------------------------------------
// Tests running at the same time.

static ARRIVED: AtomicUsize = AtomicUsize::new(0);

/// Waits, for a second at most, until another test has got this far too,
/// so that the two record the rest of their work at the same time. It never
/// blocks for good (the last test to arrive waits out the second), and no
/// assertion depends on it.
fn overlap() {
    let me = ARRIVED.fetch_add(1, Ordering::SeqCst);
    let deadline = Instant::now() + Duration::from_secs(1);
    while ARRIVED.load(Ordering::SeqCst) <= me + 1 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn processed(queue: Queue, status: Status) -> Processed {
    Processed { queue, status }
}

#[test]
fn emails_are_parsed_processed_and_delivered() {
    scope(|| {
        let queue = JobQueue::default();
        for to in ["ann", "bob", "cy"] {
            queue.push(Queue::Email, &format!("{to}@example.org:welcome"));
        }
        assert_metric!(Jobs::global().depth.with(ByQueue { queue: Queue::Email }), 3);
        let runtime = runtime();
        assert_eq!(runtime.block_on(work(&queue)), 3);
        overlap();
        queue.push(Queue::Email, "dee@example.org:welcome");
        assert_eq!(runtime.block_on(work(&queue)), 1);

        let jobs = Jobs::global();
        assert_metric!(jobs.enqueued_total.with(ByQueue { queue: Queue::Email }), 4);
        assert_metric!(jobs.depth.with(ByQueue { queue: Queue::Email }), 0);
        assert_metric!(jobs.processed_total.with(processed(Queue::Email, Status::Done)), 4);
        assert_metric!(jobs.processed_total.with(processed(Queue::Email, Status::Failed)), 0);
        assert_metric!(jobs.process_duration_seconds.with(processed(Queue::Email, Status::Done)), count = 4);
        assert_metric!(
            jobs.process_duration_seconds.with(processed(Queue::Email, Status::Done)),
            bucket(f64::INFINITY) = 4
        );
        assert_metric!(ParseMetrics::global().calls_total.with(BySyncOutcome::OK), 4);
        assert_metric!(DeliverMetrics::global().calls_total.with(ByOutcome::OK), 4);
        assert_metric!(DeliverMetrics::global().duration_seconds.with(ByOutcome::OK), count = 4);
        assert_metric!(DeliverMetrics::global().in_flight, 0);
        assert_metric!(jobs.enqueued_total.with(ByQueue { queue: Queue::Sms }), 0);
    });
}

#[test]
fn malformed_payloads_fail_by_reason() {
    scope(|| {
        let queue = JobQueue::default();
        queue.push(Queue::Sms, "no separator");
        queue.push(Queue::Sms, ":empty target");
        overlap();
        queue.push(Queue::Sms, "+15550100:hello");
        assert_eq!(runtime().block_on(work(&queue)), 1);

        let parse = ParseMetrics::global();
        assert_metric!(parse.calls_total.with(BySyncOutcome::ERROR), 2);
        assert_metric!(parse.calls_total.with(BySyncOutcome::OK), 1);
        assert_metric!(parse.errors_total.with(ParseMetricsReason::new(&JobError::Malformed { at: 0 })), 2);
        assert_metric!(parse.errors_total.with(ParseMetricsReason::new(&JobError::Timeout { after_ms: 0 })), 0);
        let jobs = Jobs::global();
        assert_metric!(jobs.processed_total.with(processed(Queue::Sms, Status::Failed)), 2);
        assert_metric!(jobs.processed_total.with(processed(Queue::Sms, Status::Done)), 1);
        assert_metric!(jobs.process_duration_seconds.with(processed(Queue::Sms, Status::Failed)), count = 2);
        // Failed jobs are never delivered.
        assert_metric!(DeliverMetrics::global().calls_total.with(ByOutcome::OK), 1);
    });
}

#[tokio::test]
async fn webhooks_time_out_and_spam_is_rejected() {
    // An async test: the scope goes with the future, whichever thread polls it.
    Scope::new()
        .wrap(async {
            let queue = JobQueue::default();
            queue.push(Queue::Webhook, "https://hooks.example.org/a:slow");
            queue.push(Queue::Webhook, "https://hooks.example.org/b:spam");
            assert_eq!(work(&queue).await, 0);
            overlap();
            queue.push(Queue::Webhook, "https://hooks.example.org/c:slow");
            queue.push(Queue::Webhook, "https://hooks.example.org/d:ping");
            assert_eq!(work(&queue).await, 1);

            let deliver = DeliverMetrics::global();
            assert_metric!(deliver.calls_total.with(ByOutcome::ERROR), 2);
            assert_metric!(deliver.calls_total.with(ByOutcome::OK), 1);
            let timeout = DeliverMetricsReason::new(&JobError::Timeout { after_ms: 0 });
            assert_metric!(deliver.errors_total.with(timeout), 2);
            assert_metric!(deliver.duration_seconds.with(ByOutcome::ERROR), count = 2);
            // The rejected job failed processing, not delivery.
            let jobs = Jobs::global();
            assert_metric!(jobs.processed_total.with(processed(Queue::Webhook, Status::Failed)), 1);
            assert_metric!(jobs.processed_total.with(processed(Queue::Webhook, Status::Done)), 3);
            let rejected = ParseMetricsReason::new(&JobError::Rejected(String::new()));
            assert_metric!(ParseMetrics::global().errors_total.with(rejected), 0);
        })
        .await;
}

#[test]
fn a_delivery_given_up_is_cancelled() {
    scope(|| {
        let job =
            Job { queue: Queue::Webhook, target: "https://hooks.example.org".to_owned(), action: "hang".to_owned() };
        let runtime = runtime();
        let gave_up = runtime.block_on(async { tokio::time::timeout(Duration::from_millis(20), deliver(&job)).await });
        assert!(gave_up.is_err(), "the delivery hangs");
        overlap();
        let deliver = DeliverMetrics::global();
        assert_metric!(deliver.calls_total.with(ByOutcome::CANCELLED), 1);
        assert_metric!(deliver.duration_seconds.with(ByOutcome::CANCELLED), count = 1);
        assert_metric!(deliver.in_flight, 0);
        assert_metric!(deliver.calls_total.with(ByOutcome::OK), 0);
        assert_eq!(DeliverMetrics::CALLS_TOTAL.labels[0].values, ["ok", "error", "panic", "cancelled"]);
        assert_eq!(ParseMetrics::CALLS_TOTAL.labels[0].values, ["ok", "error", "panic"]);
    });
}

/// Several workers of one test, on threads of their own: bound to the
/// test's scope, they add up in it, and each scope of the other threads
/// below sees only its own.
#[test]
fn workers_on_threads_count_into_their_scope() {
    const WORKERS: usize = 4;
    const JOBS: usize = 25;
    let test = Scope::new();
    let queue = JobQueue::default();
    test.in_scope(|| {
        for i in 0..WORKERS * JOBS {
            queue.push(Queue::Sms, &format!("+1555{i:04}:code"));
        }
    });
    overlap();
    let start = Barrier::new(WORKERS);
    std::thread::scope(|threads| {
        for _ in 0..WORKERS {
            let worker = test.bind(|| {
                start.wait();
                runtime().block_on(work(&queue))
            });
            threads.spawn(worker);
        }
    });
    test.in_scope(|| {
        let jobs = Jobs::global();
        assert_metric!(jobs.processed_total.with(processed(Queue::Sms, Status::Done)), (WORKERS * JOBS) as u64);
        assert_metric!(DeliverMetrics::global().calls_total.with(ByOutcome::OK), (WORKERS * JOBS) as u64);
        assert_metric!(jobs.depth.with(ByQueue { queue: Queue::Sms }), 0);
    });
    // Scopes of their own on threads running at once: each counts only its jobs.
    let meet = Barrier::new(WORKERS);
    std::thread::scope(|threads| {
        for n in 1..=WORKERS {
            let meet = &meet;
            threads.spawn(move || {
                scope(|| {
                    let queue = JobQueue::default();
                    for _ in 0..n {
                        queue.push(Queue::Email, "x@example.org:hi");
                    }
                    meet.wait();
                    assert_eq!(runtime().block_on(work(&queue)), n);
                    meet.wait();
                    assert_metric!(
                        Jobs::global().processed_total.with(processed(Queue::Email, Status::Done)),
                        n as u64
                    );
                    assert_metric!(ParseMetrics::global().calls_total.with(BySyncOutcome::OK), n as u64);
                });
            });
        }
    });
}

/// What a scrape of a test's scope shows: its instances, encoded.
#[test]
fn a_scope_encodes_what_it_recorded() {
    let recorded = Scope::new();
    recorded.in_scope(|| {
        let queue = JobQueue::default();
        queue.push(Queue::Email, "ann@example.org:welcome");
        queue.push(Queue::Email, "broken");
        runtime().block_on(work(&queue));
    });
    let mut body = Vec::new();
    Format::Prometheus.encode(&recorded.registry().expect("no collisions"), &mut body);
    let text = String::from_utf8(body).unwrap();
    for line in [
        "trc_jobq_enqueued_total{queue=\"email\"} 2\n",
        "trc_jobq_processed_total{queue=\"email\",status=\"done\"} 1\n",
        "trc_jobq_processed_total{queue=\"email\",status=\"failed\"} 1\n",
        "trc_jobq_parse_errors_total{reason=\"malformed\"} 1\n",
        "trc_jobq_deliver_total{result=\"ok\"} 1\n",
        "trc_jobq_deliver_in_flight 0\n",
    ] {
        assert!(text.contains(line), "{line:?} is not in the scope's exposition:\n{text}");
    }
}

/// Every other test records inside a scope: the registered statics, which
/// the global registry and a server would show, stay at zero while they run.
#[test]
fn the_registered_statics_saw_nothing() {
    let registry = metricate::global().expect("the global registry builds");
    let deadline = Instant::now() + Duration::from_millis(300);
    loop {
        let snapshot = registry.snapshot(|d| d.name.starts_with("trc_jobq_"));
        assert_eq!(snapshot.families().len(), 11, "{:?}", snapshot.families().iter().map(|f| f.descriptor().name));
        for family in snapshot.families() {
            for series in family.series() {
                assert_eq!(
                    series.value().as_f64(),
                    0.0,
                    "{} {:?}",
                    family.descriptor().name,
                    series.labels().collect::<Vec<_>>()
                );
            }
        }
        if Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_metric!(Jobs::global().enqueued_total.with(ByQueue { queue: Queue::Email }), 0);
    assert_metric!(DeliverMetrics::global().calls_total.with(ByOutcome::OK), 0);
}
