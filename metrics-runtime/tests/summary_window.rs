//! A summary's window keeps an observation at least `max_age -
//! max_age / age_buckets`, also one made in a step before that step's first
//! read. A binary of its own: the step clock starts at the process's first
//! summary read.

use std::thread;
use std::time::{Duration, Instant};

use metricate::{Metrics, Summary};

#[derive(Metrics)]
#[metrics(subsystem = "demo_window")]
struct W {
    /// Two-second window in two steps of one second.
    #[metric(max_age = "2s", age_buckets = 2)]
    latency_seconds: Summary,
}

#[test]
fn a_young_observation_stays_in_the_window() {
    let m = W::new_unregistered();
    let s = &m.latency_seconds;
    // The first summary read of the process starts the step clock (step 0).
    let origin = Instant::now();
    assert!(s.quantile(0.5).unwrap().is_nan());
    let sleep_until = |t: f64| {
        let at = origin + Duration::from_secs_f64(t);
        if let Some(d) = at.checked_duration_since(Instant::now()) {
            thread::sleep(d);
        }
    };
    sleep_until(1.80); // step 1, no read yet in it
    let observed = Instant::now();
    for _ in 0..100 {
        s.observe(5.0);
    }
    sleep_until(1.85); // the first read of step 1: its copy holds the observations
    assert_eq!(s.quantile(0.5), Some(5.125));
    sleep_until(2.10); // step 2
    let age = observed.elapsed();
    let median = s.quantile(0.5).unwrap();
    // max_age - step = 1 s: observations 0.3 s old are still in.
    assert!(median == 5.125, "observations {age:?} old already left a 2 s window: median {median}");
}
