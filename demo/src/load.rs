//! A recording load for soak tests: threads that record into the API's
//! request metrics as fast as they can, for a set time, counting what they
//! recorded so that a scrape can be checked against exact totals.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::metrics::api::{Http, HttpMethod, HttpRequest, HttpStatus, PathTemplate};

/// Every observation of the duration histogram: a power of two, so that the
/// histogram's sum stays exact (up to 2^53 observations).
pub const OBSERVED_SECONDS: f64 = 0.125;

const METHODS: [HttpMethod; 4] = [HttpMethod::Get, HttpMethod::Post, HttpMethod::Patch, HttpMethod::Delete];
const PATHS: [PathTemplate; 3] = [PathTemplate::Apps, PathTemplate::Deploys, PathTemplate::OauthToken];
const STATUSES: [HttpStatus; 3] = [HttpStatus::Ok, HttpStatus::NotFound, HttpStatus::InternalServerError];

/// What a load recorded, across all its threads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Increments of `trc_http_requests_total`, over all its series.
    pub requests: u64,
    /// Observations of `trc_http_request_duration_seconds`, each of
    /// [`OBSERVED_SECONDS`].
    pub observations: u64,
}

/// Runs `threads` recording threads for `duration` (or until `stop` is set)
/// and returns what they recorded. Each thread increments the request
/// counter of one label set after another and observes a duration for every
/// fourth request.
pub fn run(threads: usize, duration: Duration, stop: &Arc<AtomicBool>) -> std::io::Result<Totals> {
    let deadline = Instant::now() + duration;
    let handles = (0..threads.max(1))
        .map(|i| {
            let stop = Arc::clone(stop);
            thread::Builder::new().name(format!("demo-load-{i}")).spawn(move || record(i, deadline, &stop))
        })
        .collect::<std::io::Result<Vec<_>>>()?;
    let mut totals = Totals::default();
    for handle in handles {
        let recorded = handle.join().map_err(|_| std::io::Error::other("a load thread panicked"))?;
        totals.requests += recorded.requests;
        totals.observations += recorded.observations;
    }
    Ok(totals)
}

fn record(thread: usize, deadline: Instant, stop: &AtomicBool) -> Totals {
    let http = Http::global();
    let mut totals = Totals::default();
    let mut i = thread;
    loop {
        // Checking the clock costs more than a record: once per batch.
        for _ in 0..4096 {
            let request = HttpRequest {
                method: METHODS[i % METHODS.len()],
                path_template: PATHS[(i / METHODS.len()) % PATHS.len()],
                status: STATUSES[(i / (METHODS.len() * PATHS.len())) % STATUSES.len()],
            };
            http.requests_total.with(request).inc();
            totals.requests += 1;
            if i.is_multiple_of(4) {
                http.request_duration_seconds.with(request).observe(OBSERVED_SECONDS);
                totals.observations += 1;
            }
            i = i.wrapping_add(1);
        }
        if stop.load(Ordering::Relaxed) || Instant::now() >= deadline {
            return totals;
        }
    }
}
