//! `prometheus/client_golang#275`: a scrape during concurrent observations
//! could read a histogram torn apart: a count that did not match its
//! buckets, a sum from other observations than the count. Here threads
//! observe two known values while others scrape through the encoders; in
//! every exposition the buckets, the count and the sum describe the same
//! observations.

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use metricate::{Histogram, Metrics, Registry};
use metricate_catalog::exposition::{self, Format};

/// Waits.
#[derive(Metrics)]
#[metrics(subsystem = "regression")]
struct Waits {
    /// Time waited.
    #[metric(buckets = [1.0, 2.0, 4.0])]
    wait_seconds: Histogram,
}

/// `(le=1 bucket, le=4 bucket, count, sum)` of one exposition.
fn read(text: &str, format: Format) -> (f64, f64, f64, f64) {
    let parsed = exposition::parse(text, format).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let family = parsed.family("trc_regression_wait_seconds").expect("the family");
    let bucket = |le: &str| family.samples.iter().find(|s| s.label("le") == Some(le)).unwrap().value;
    let named = |suffix: &str| {
        family.samples.iter().find(|s| s.name == format!("trc_regression_wait_seconds_{suffix}")).unwrap().value
    };
    assert_eq!(bucket("+Inf"), named("count"), "the +Inf bucket is the count:\n{text}");
    (bucket("1.0"), bucket("4.0"), named("count"), named("sum"))
}

#[test]
fn scrapes_never_see_a_torn_histogram() {
    let waits = Waits::new_unregistered();
    let mut registry = Registry::new();
    registry.register_group(&waits).unwrap();
    let stop = AtomicBool::new(false);
    let mut scrapes = 0;
    thread::scope(|s| {
        // Short waits land in the first bucket, long ones in the third.
        for value in [0.5, 3.0, 0.5, 3.0] {
            let (waits, stop) = (&waits, &stop);
            s.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    waits.wait_seconds.observe(value);
                }
            });
        }
        let mut out = Vec::new();
        for round in 0..400 {
            let (encoder, format) = if round % 2 == 0 {
                (metricate::encode::Format::Prometheus, Format::Prometheus)
            } else {
                (metricate::encode::Format::OpenMetrics, Format::OpenMetrics)
            };
            out.clear();
            encoder.encode(&registry, &mut out);
            let (short, all, count, sum) = read(std::str::from_utf8(&out).unwrap(), format);
            assert_eq!(all, count, "every observation is at most 4");
            assert_eq!(sum, 0.5 * short + 3.0 * (count - short), "sum and buckets disagree in scrape {round}");
            scrapes += 1;
        }
        stop.store(true, Ordering::Relaxed);
    });
    assert_eq!(scrapes, 400);
    let (short, _, count, sum) = read(
        &{
            let mut out = Vec::new();
            metricate::encode::Format::Prometheus.encode(&registry, &mut out);
            String::from_utf8(out).unwrap()
        },
        Format::Prometheus,
    );
    assert!(short > 0.0 && count > short, "both values were observed: {short} of {count}");
    assert_eq!(sum, 0.5 * short + 3.0 * (count - short));
}
