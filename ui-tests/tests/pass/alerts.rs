//! An alert of every condition: an error ratio over the variants marked
//! `#[label(error)]` and one over explicit `errors` (of an `Option` label),
//! a histogram quantile, a gauge above and below a threshold, and absence;
//! with and without `window`, `for`, `severity` and `runbook`. The
//! descriptors carry them.

use metricate::{Counter, Family, Histogram, IntGauge, LabelSet, LabelValue, Metrics};

#[derive(Clone, Copy, LabelValue)]
enum Method {
    Get,
    Post,
}

#[derive(Clone, Copy, LabelValue)]
enum Outcome {
    Ok,
    #[label(error)]
    Error,
    #[label(rename = "timed_out", error)]
    Timeout,
}

#[derive(Clone, Copy, LabelValue)]
enum Placement {
    Placed,
    Unschedulable,
    #[label(rename = "failed")]
    Error,
}

#[derive(Clone, Copy, LabelSet)]
struct Request {
    method: Method,
    result: Option<Outcome>,
}

#[derive(Clone, Copy, LabelSet)]
struct Allocation {
    method: Method,
    result: Option<Placement>,
}

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Requests handled, by method and result.
    #[alert(name = "UiErrorRatioHigh", error_ratio = 0.05, summary = "More than 5 % of requests fail")]
    requests_total: Family<Request, Counter>,
    /// Placements, by result.
    #[alert(
        name = "UiPlacementsFailing",
        error_ratio = 0.1,
        errors = [Placement::Error, Placement::Unschedulable],
        window = "10m",
        for = "15m",
        severity = "critical",
        summary = "More than 10 % of placements fail",
        runbook = "Look at the scheduler's logs."
    )]
    placements_total: Family<Allocation, Counter>,
    /// Time to serve a request.
    #[metric(buckets = [0.1, 0.5, 1.0, 5.0])]
    #[alert(
        name = "UiRequestsSlow",
        quantile = 0.99,
        above = 1.0,
        window = "1h30m",
        severity = "info",
        summary = "Requests are slow"
    )]
    request_duration_seconds: Histogram,
    /// Jobs waiting in the queue.
    #[alert(name = "UiQueueLong", above = 100.0, for = "0s", summary = "The queue is long")]
    #[alert(name = "UiQueueAbsent", absent, for = "10m", summary = "The queue is not reported")]
    queued_jobs: IntGauge,
    /// Workers available.
    #[alert(name = "UiWorkersLow", below = 1, severity = "warning", summary = "No worker is available")]
    idle_workers: IntGauge,
}

fn main() {
    // `metricate` does not re-export the alert types: the conditions are
    // compared through their `Debug` text.
    let text = |alert: &metricate::Descriptor, i: usize| format!("{:?}", alert.alerts[i].condition);

    let ratio = Ui::REQUESTS_TOTAL.alerts[0];
    assert_eq!(ratio.name, "UiErrorRatioHigh");
    assert_eq!(text(Ui::REQUESTS_TOTAL, 0), r#"ErrorRatio { label: "result", errors: [], above: 0.05 }"#);
    assert_eq!((ratio.window_seconds, ratio.for_seconds, ratio.severity.as_str()), (300, 300, "warning"));

    let placements = Ui::PLACEMENTS_TOTAL.alerts[0];
    assert_eq!(
        text(Ui::PLACEMENTS_TOTAL, 0),
        r#"ErrorRatio { label: "result", errors: ["failed", "unschedulable"], above: 0.1 }"#
    );
    assert_eq!((placements.window_seconds, placements.for_seconds), (600, 900));
    assert_eq!(placements.severity.as_str(), "critical");
    assert_eq!(placements.runbook, "Look at the scheduler's logs.");

    let slow = Ui::REQUEST_DURATION_SECONDS.alerts[0];
    assert_eq!(text(Ui::REQUEST_DURATION_SECONDS, 0), "Quantile { quantile: 0.99, above: 1.0 }");
    assert_eq!((slow.window_seconds, slow.severity.as_str()), (5400, "info"));

    let [long, absent] = Ui::QUEUED_JOBS.alerts else { panic!("two alerts on queued_jobs") };
    assert_eq!(text(Ui::QUEUED_JOBS, 0), "Value { comparison: Above, threshold: 100.0 }");
    assert_eq!((long.name, long.window_seconds, long.for_seconds), ("UiQueueLong", 0, 0));
    assert_eq!((absent.name, absent.condition.as_str(), absent.for_seconds), ("UiQueueAbsent", "absent", 600));

    assert_eq!(text(Ui::IDLE_WORKERS, 0), "Value { comparison: Below, threshold: 1.0 }");
    assert_eq!(Ui::IDLE_WORKERS.alerts[0].summary, "No worker is available");
}
