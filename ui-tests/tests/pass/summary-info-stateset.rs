//! The metric types beyond counters, gauges and histograms: a summary with
//! declared quantiles and window, a family of summaries, an info metric,
//! the build info, a state set, and a counter and a histogram with
//! exemplars (`ExemplarCounter`, `ExemplarHistogram`), the counter with
//! its `_created` sample.

use metricate::{
    BuildInfo, ExemplarCounter, ExemplarHistogram, Family, Info, LabelSet, LabelValue, Metrics, StateSet, Summary,
};

#[derive(Clone, Copy, LabelValue)]
enum Method {
    Get,
    Post,
}

#[derive(Clone, Copy, LabelSet)]
struct Request {
    method: Method,
}

#[derive(Clone, Copy, LabelValue)]
enum Mode {
    Primary,
    Replica,
}

#[derive(Clone, Copy, LabelSet)]
struct Role {
    mode: Mode,
}

#[derive(Clone, Copy, LabelValue)]
enum Phase {
    Starting,
    Running,
    Draining,
}

#[derive(Metrics)]
#[metrics(subsystem = "model")]
struct Worker {
    /// Time to run a job.
    #[metric(quantiles = [0.5, 0.9, 0.99, 0.999], max_age = "1h30m", age_buckets = 6, created)]
    job_duration_seconds: Summary,
    /// Time to serve a request, by method.
    #[metric(quantiles = [0.25, 0.75])]
    request_duration_seconds: Family<Request, Summary>,
    /// The worker's role in its cluster.
    role_info: Info<Role>,
    /// The build of the running binary.
    build_info: BuildInfo,
    /// The worker's lifecycle phase.
    phase: StateSet<Phase>,
    /// Jobs run.
    #[metric(created)]
    jobs_total: ExemplarCounter,
    /// Size of a response body.
    #[metric(buckets = [64.0, 1024.0, 65536.0])]
    response_size_bytes: ExemplarHistogram,
}

fn main() {
    let worker = Worker::global();
    worker.job_duration_seconds.observe(0.25);
    worker.request_duration_seconds.with(Request { method: Method::Get }).observe(0.01);
    worker.request_duration_seconds.with(Request { method: Method::Post }).observe(0.02);
    worker.role_info.set(Role { mode: Mode::Primary });
    worker.role_info.set(Role { mode: Mode::Replica });
    worker.phase.set(Phase::Starting);
    worker.phase.set(Phase::Draining);
    worker.phase.set(Phase::Running);
    worker.jobs_total.inc_with_exemplar(&[("trace_id", "4bf92f3577b34da6")]);
    worker.response_size_bytes.observe_with_exemplar(512.0, &[("trace_id", "4bf92f3577b34da6")]);
    let _ = &worker.build_info;
}
