//! `assert_metric!`: passes on the value a scrape would show, and fails
//! with a message naming the series, the expected and the actual value.
//!
//! The tests share the registered statics and run in parallel: each one
//! records into series no other test touches.

use std::panic::{AssertUnwindSafe, catch_unwind};

use metricate::testing::{MetricHandle, describe};
use metricate::{
    Counter, Family, FloatCounter, Gauge, Histogram, IntGauge, LabelSet, LabelValue, Metrics, ShardedCounter,
    assert_metric,
};

#[derive(Clone, Copy, Debug, LabelValue)]
enum Queue {
    Email,
    #[label(rename = "sms \"gateway\"")]
    Sms,
}

#[derive(Clone, Copy, Debug, LabelValue)]
enum Priority {
    Low,
    High,
}

#[derive(Clone, Copy, LabelSet)]
struct Job {
    queue: Queue,
    priority: Priority,
}

/// Every metric type, registered.
#[derive(Metrics)]
#[metrics(subsystem = "assert")]
struct Checked {
    /// Jobs done.
    done_total: Family<Job, Counter>,
    /// Retries.
    retries_total: Counter,
    /// Hits on a hot series.
    hits_total: ShardedCounter,
    /// Work done.
    work_seconds_total: FloatCounter,
    /// Workers busy.
    busy: IntGauge,
    /// Load.
    load_ratio: Gauge,
    /// Time a job took.
    #[metric(buckets = [0.1, 1.0])]
    job_seconds: Histogram,
    /// Time a job took, by job.
    #[metric(buckets = [0.5])]
    job_by_kind_seconds: Family<Job, Histogram>,
}

/// The message of the panic `f` raises.
fn failure(f: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("the assertion fails");
    payload.downcast_ref::<String>().cloned().expect("a formatted message")
}

const SMS_HIGH: Job = Job { queue: Queue::Sms, priority: Priority::High };
const EMAIL_LOW: Job = Job { queue: Queue::Email, priority: Priority::Low };

#[test]
fn passes_on_the_values_a_scrape_shows() {
    let m = Checked::global();
    m.done_total.with(SMS_HIGH).inc_by(3);
    m.retries_total.inc();
    m.hits_total.inc_by(5);
    m.work_seconds_total.inc_by(0.25);
    m.busy.dec();
    m.load_ratio.set(0.5);
    m.job_seconds.observe(0.05);
    m.job_seconds.observe(2.0);
    m.job_by_kind_seconds.with(EMAIL_LOW).observe(0.25);
    assert_metric!(m.done_total.with(SMS_HIGH), 3);
    assert_metric!(m.done_total.with(Job { queue: Queue::Email, priority: Priority::High }), 0);
    assert_metric!(m.retries_total, 1);
    assert_metric!(m.hits_total, 5);
    assert_metric!(m.work_seconds_total, 0.25);
    assert_metric!(m.busy, -1);
    assert_metric!(m.load_ratio, 0.5);
    assert_metric!(m.job_seconds, count = 2);
    assert_metric!(m.job_seconds, sum = 2.05);
    assert_metric!(m.job_seconds, bucket(0.1) = 1);
    assert_metric!(m.job_seconds, bucket(1.0) = 1);
    assert_metric!(m.job_seconds, bucket(f64::INFINITY) = 2);
    assert_metric!(m.job_by_kind_seconds.with(EMAIL_LOW), count = 1);
    assert_metric!(m.job_by_kind_seconds.with(Job { queue: Queue::Email, priority: Priority::High }), count = 0);
    assert_eq!(m.job_seconds.value().count(), 2);
}

#[test]
fn a_failure_names_the_series_expected_and_actual() {
    let m = Checked::global();
    m.done_total.with(EMAIL_LOW).inc();
    let message = failure(|| assert_metric!(m.done_total.with(EMAIL_LOW), 2));
    assert_eq!(
        message,
        "metric `metrics_assert_done_total{queue=\"email\",priority=\"low\"}` is 1, expected 2\n  handle: m.done_total.with(EMAIL_LOW)"
    );
    // A label value with quotes is written escaped.
    let message =
        failure(|| assert_metric!(Checked::global().done_total.with(Job { priority: Priority::Low, ..SMS_HIGH }), 7));
    assert!(
        message.starts_with(
            "metric `metrics_assert_done_total{queue=\"sms \\\"gateway\\\"\",priority=\"low\"}` is 0, expected 7\n"
        ),
        "{message}"
    );
    let message = failure(|| assert_metric!(m.load_ratio, 0.75));
    assert!(message.starts_with("metric `metrics_assert_load_ratio` is "), "{message}");
}

#[test]
fn histogram_failures_name_the_part_that_differs() {
    let m = Checked::global();
    m.job_by_kind_seconds.with(SMS_HIGH).observe(0.25);
    m.job_by_kind_seconds.with(SMS_HIGH).observe(1.0);
    let series = "`metrics_assert_job_by_kind_seconds{queue=\"sms \\\"gateway\\\"\",priority=\"high\"}`";
    assert_eq!(
        failure(|| assert_metric!(m.job_by_kind_seconds.with(SMS_HIGH), count = 3)),
        format!(
            "histogram {series} has count 2, expected 3 (sum 1.25)\n  handle: m.job_by_kind_seconds.with(SMS_HIGH)"
        )
    );
    assert_eq!(
        failure(|| assert_metric!(m.job_by_kind_seconds.with(SMS_HIGH), sum = 1.0)),
        format!(
            "histogram {series} has sum 1.25, expected 1.0 (count 2)\n  handle: m.job_by_kind_seconds.with(SMS_HIGH)"
        )
    );
    assert_eq!(
        failure(|| assert_metric!(m.job_by_kind_seconds.with(SMS_HIGH), bucket(0.5) = 2)),
        format!(
            "histogram {series} has bucket le=\"0.5\" at 1, expected 2 (count 2)\n  handle: m.job_by_kind_seconds.with(SMS_HIGH)"
        )
    );
    assert_eq!(
        failure(|| assert_metric!(m.job_by_kind_seconds.with(SMS_HIGH), bucket(0.25) = 1)),
        format!(
            "histogram {series} has no bucket with upper bound 0.25; its bounds are 0.5, +Inf\n  handle: m.job_by_kind_seconds.with(SMS_HIGH)"
        )
    );
}

#[test]
fn handles_of_unregistered_instances_have_no_name() {
    let local = Checked::new_unregistered();
    local.retries_total.inc();
    assert_metric!(local.retries_total, 1);
    assert_eq!(describe(&local.retries_total), None);
    assert_eq!(describe(&local.done_total.with(SMS_HIGH)), None);
    assert_eq!(
        failure(|| assert_metric!(local.retries_total, 2)),
        "metric an unregistered metric is 1, expected 2\n  handle: local.retries_total"
    );
    // Every series of a registered family is found, the last one too.
    let last = Job { queue: Queue::Sms, priority: Priority::High };
    assert_eq!(
        describe(&Checked::global().done_total.with(last)).as_deref(),
        Some("metrics_assert_done_total{queue=\"sms \\\"gateway\\\"\",priority=\"high\"}")
    );
    assert_eq!(describe(&Checked::global().job_seconds).as_deref(), Some("metrics_assert_job_seconds"));
}
