//! The metric types beyond counters, gauges and histograms: a summary with
//! declared quantiles and window, a family of summaries, an info metric,
//! the build info, a state set, and a counter and a histogram with
//! exemplars (`ExemplarCounter`, `ExemplarHistogram`), the counter with
//! its `_created` sample.

use metricate::{
    BuildInfo, ExemplarCounter, ExemplarHistogram, Family, Info, LabelSet, LabelValue, MetricKind, Metrics, StateSet,
    Summary,
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
    assert_eq!(worker.phase.state(), Some("running"));
    worker.jobs_total.inc_with_exemplar(&[("trace_id", "4bf92f3577b34da6")]);
    worker.response_size_bytes.observe_with_exemplar(512.0, &[("trace_id", "4bf92f3577b34da6")]);
    let _ = &worker.build_info;

    let registry = metricate::global().unwrap();
    let job = registry.get("trc_model_job_duration_seconds").unwrap().descriptor;
    assert_eq!(job.kind, MetricKind::Summary);
    let spec = job.summary.as_ref().unwrap();
    assert_eq!(spec.quantiles, [0.5, 0.9, 0.99, 0.999]);
    assert_eq!((spec.max_age_seconds, spec.age_buckets), (5400, 6));
    assert!(job.created);
    let requests = registry.get("trc_model_request_duration_seconds").unwrap().descriptor;
    assert_eq!(requests.summary.as_ref().unwrap().quantiles, [0.25, 0.75]);
    assert_eq!(registry.get("trc_model_role_info").unwrap().descriptor.kind, MetricKind::Info);
    let build = registry.get("trc_model_build_info").unwrap().descriptor;
    let labels: Vec<&str> = build.labels.iter().map(|l| l.name).collect();
    assert_eq!(labels, ["version", "rustc", "target", "revision"]);
    let phase = registry.get("trc_model_phase").unwrap().descriptor;
    assert_eq!(phase.kind, MetricKind::StateSet);
    assert_eq!(phase.labels[0].name, "trc_model_phase");
    let jobs = registry.get("trc_model_jobs_total").unwrap().descriptor;
    assert!(jobs.exemplars && jobs.created);
    let sizes = registry.get("trc_model_response_size_bytes").unwrap().descriptor;
    assert!(sizes.exemplars && !sizes.created);
}
