//! An alert of every condition: an error ratio over the variants marked
//! `#[label(error)]` and one over explicit `errors` (of an `Option` label),
//! a histogram quantile, a gauge above and below a threshold, and absence;
//! with and without `window`, `for`, `severity` and `runbook`; two alerts on
//! one metric.

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
    let ui = Ui::global();
    ui.requests_total.with(Request { method: Method::Get, result: Some(Outcome::Timeout) }).inc();
    ui.placements_total.with(Allocation { method: Method::Post, result: Some(Placement::Error) }).inc();
    ui.request_duration_seconds.observe(0.2);
    ui.queued_jobs.set(3);
    ui.idle_workers.set(1);
}
