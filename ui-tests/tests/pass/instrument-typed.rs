//! `metrics = Name`: the metrics the attribute declares, as a struct next to
//! the function with the function's visibility, documented (this crate
//! denies missing docs), read through typed handles.
#![deny(missing_docs)]

/// The worker of a job queue.
pub mod worker {
    use metricate::LabelValue;

    /// Why a job failed.
    #[derive(Debug, LabelValue)]
    pub enum JobError {
        /// The job ran out of time.
        Timeout {
            /// How long it ran.
            after_ms: u64,
        },
        /// The job was rejected.
        Rejected(String),
    }

    /// Runs a job.
    #[metricate::instrument_metric(subsystem = "ui", metrics = RunJob, reason = JobError, in_flight)]
    pub fn run_job(id: u64) -> Result<u64, JobError> {
        match id {
            0 => Err(JobError::Timeout { after_ms: 30 }),
            1 => Err(JobError::Rejected("full".to_owned())),
            id => Ok(id * 2),
        }
    }

    /// Waits for the next job.
    #[metricate::instrument_metric(subsystem = "ui", metrics = NextJob)]
    pub(crate) async fn next_job() -> u64 {
        7
    }
}

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Waker};

use metricate::instrument::{ByOutcome, BySyncOutcome};
use worker::{JobError, NextJob, RunJob, RunJobReason, run_job};

fn main() {
    // Inside a function body too.
    /// Sends a mail.
    #[metricate::instrument_metric(subsystem = "ui", metrics = SendMail)]
    fn send_mail() {}
    send_mail();
    let _ = SendMail::global().calls_total.with(BySyncOutcome::OK).get();

    for id in [3, 0, 1] {
        let _ = run_job(id);
    }
    let metrics = RunJob::global();
    let _ = metrics.calls_total.with(BySyncOutcome::ERROR).get();
    let _ = metrics.duration_seconds.with(BySyncOutcome::ERROR).count();
    let _ = metrics.in_flight.get();
    let rejected = RunJobReason::new(&JobError::Rejected(String::new()));
    let _ = metrics.errors_total.with(rejected).get();
    let _ = RunJob::ERRORS_TOTAL.name;

    let mut next = pin!(worker::next_job());
    let _ = next.as_mut().poll(&mut Context::from_waker(Waker::noop()));
    let _ = NextJob::global().calls_total.with(ByOutcome::OK).get();
    let _ = NextJob::CALLS_TOTAL.labels;
}
