//! Callback metrics: declared in a struct, read from their function when a
//! scrape (or a snapshot) reads them, absent until registered, and a
//! panicking or invalid function never breaks a scrape.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use metricate::encode::Format;
use metricate::{CallbackCounter, CallbackGauge, Metrics, Registry};

/// A pool whose sizes are kept elsewhere.
#[derive(Metrics)]
#[metrics(subsystem = "callback_pool")]
struct Pool {
    /// Connections idle now.
    idle_connections: CallbackGauge,
    /// Connections opened since start.
    opened_total: CallbackCounter,
    /// A reading that panics.
    broken: CallbackGauge,
}

/// Whether `text` has a sample line of `name`.
fn has_sample(text: &str, name: &str) -> bool {
    text.lines().any(|l| l.strip_prefix(name).is_some_and(|rest| rest.starts_with(' ')))
}

fn scrape(pool: &Pool) -> String {
    let mut registry = Registry::new();
    registry.register_group(pool).unwrap();
    let mut out = Vec::new();
    Format::Prometheus.encode(&registry, &mut out);
    String::from_utf8(out).unwrap()
}

#[test]
fn values_come_from_the_functions_when_read() {
    let pool = Pool::new_unregistered();
    let text = scrape(&pool);
    assert!(text.contains("# TYPE metrics_callback_pool_idle_connections gauge\n"), "{text}");
    assert!(!has_sample(&text, "metrics_callback_pool_idle_connections"), "no series before a function: {text}");

    let idle = Arc::new(AtomicI64::new(3));
    let reading = Arc::clone(&idle);
    pool.idle_connections.register(move || reading.load(Ordering::Relaxed) as f64).unwrap();
    pool.opened_total.register(|| 42.0).unwrap();
    assert_eq!(pool.idle_connections.register(|| 0.0), Err(metricate::AlreadyRegistered));
    let text = scrape(&pool);
    assert!(text.contains("metrics_callback_pool_idle_connections 3.0\n"), "{text}");
    assert!(
        text.contains("# TYPE metrics_callback_pool_opened_total counter\nmetrics_callback_pool_opened_total 42.0\n"),
        "{text}"
    );
    idle.store(7, Ordering::Relaxed);
    assert!(scrape(&pool).contains("metrics_callback_pool_idle_connections 7.0\n"));
}

#[test]
fn a_panicking_or_invalid_function_is_left_out_and_counted() {
    let pool = Pool::new_unregistered();
    pool.broken.register(|| panic!("the pool is gone")).unwrap();
    pool.opened_total.register(|| -1.0).unwrap();
    pool.idle_connections.register(|| 5.0).unwrap();
    let registry = metricate::global().unwrap();
    let count = |name: &str, labels: &[(&str, &str)]| registry.series(name, labels).map_or(0.0, |s| s.value().as_f64());
    let (panics, negatives) = (
        count("metrics_export_callback_panics_total", &[]),
        count("metrics_export_invalid_samples_total", &[("reason", "negative")]),
    );
    let text = scrape(&pool);
    assert!(text.contains("metrics_callback_pool_idle_connections 5.0\n"), "the scrape goes on: {text}");
    assert!(!has_sample(&text, "metrics_callback_pool_broken"), "{text}");
    assert!(!has_sample(&text, "metrics_callback_pool_opened_total"), "a negative total is left out: {text}");
    assert!(count("metrics_export_callback_panics_total", &[]) > panics);
    assert!(count("metrics_export_invalid_samples_total", &[("reason", "negative")]) > negatives);
}
