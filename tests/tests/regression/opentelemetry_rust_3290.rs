//! `open-telemetry/opentelemetry-rust#3290`: a builder limit at an extreme
//! value made the SDK panic. Here every limit of the server's builder is set
//! to its extremes, one at a time: the server either starts and answers (and
//! stops cleanly), or refuses the setting with an error that names it;
//! nothing panics, on the caller's thread or the server's. Extreme values
//! recorded into metrics are encoded and parse back.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use metricate::server::{ServerBuilder, ServerError};
use metricate::{FloatCounter, Gauge, Histogram, Metrics, Registry};
use metricate_catalog::exposition::{self, Format};

#[test]
fn every_server_limit_at_its_extremes() {
    type Setting = (&'static str, fn(ServerBuilder) -> ServerBuilder);
    let settings: &[Setting] = &[
        ("max_connections", |b| b.max_connections(1)),
        ("max_connections", |b| b.max_connections(usize::MAX)),
        ("max_connections", |b| b.max_connections(0)),
        ("header_read_timeout", |b| b.header_read_timeout(Duration::from_nanos(1))),
        ("header_read_timeout", |b| b.header_read_timeout(Duration::MAX)),
        ("header_read_timeout", |b| b.header_read_timeout(Duration::ZERO)),
        ("max_header_bytes", |b| b.max_header_bytes(0)),
        ("max_header_bytes", |b| b.max_header_bytes(usize::MAX)),
        ("send_timeout", |b| b.send_timeout(Duration::from_nanos(1))),
        ("send_timeout", |b| b.send_timeout(Duration::MAX)),
        ("send_timeout", |b| b.send_timeout(Duration::ZERO)),
        ("shutdown_timeout", |b| b.shutdown_timeout(Duration::ZERO)),
        ("shutdown_timeout", |b| b.shutdown_timeout(Duration::MAX)),
    ];
    for (name, set) in settings {
        let builder = set(ServerBuilder::new().listen("127.0.0.1:0".parse().unwrap()));
        let described = format!("{builder:?}");
        let outcome = catch_unwind(AssertUnwindSafe(|| match builder.spawn() {
            Ok(server) => {
                // Served or cut off (a 1 ns timeout), but answered.
                let _ = tests::http_get(server.local_addr(), "/health", &[]);
                server.shutdown().map(|()| "served")
            }
            Err(error) => Err(error),
        }));
        match outcome {
            Err(payload) => panic!("{described} panicked: {:?}", payload.downcast_ref::<String>()),
            Ok(Ok(_)) => {}
            Ok(Err(ServerError::Config(message))) => {
                assert!(message.contains(name), "the error for {described} does not name `{name}`: {message}");
            }
            Ok(Err(error)) => panic!("{described}: {error}"),
        }
    }
}

/// Extremes.
#[derive(Metrics)]
#[metrics(subsystem = "regression_extreme")]
struct Extreme {
    /// Anything at all.
    #[metric(buckets = [-1e308, -5e-324, 0.0, 5e-324, 1e308])]
    anything: Histogram,
    /// A level.
    level: Gauge,
    /// Work done.
    work_seconds_total: FloatCounter,
}

#[test]
fn extreme_values_encode_and_parse_back() {
    let extreme = Extreme::new_unregistered();
    for value in [f64::MAX, f64::MIN, f64::MIN_POSITIVE, 5e-324, -0.0, f64::INFINITY, f64::NEG_INFINITY, f64::NAN] {
        extreme.anything.observe(value);
        extreme.level.set(value);
        extreme.work_seconds_total.inc_by(value);
    }
    let mut registry = Registry::new();
    registry.register_group(&extreme).unwrap();
    for (encoder, format) in [
        (metricate::encode::Format::Prometheus, Format::Prometheus),
        (metricate::encode::Format::OpenMetrics, Format::OpenMetrics),
    ] {
        let mut out = Vec::new();
        encoder.encode(&registry, &mut out);
        let text = String::from_utf8(out).unwrap();
        let parsed = exposition::parse(&text, format).unwrap_or_else(|e| panic!("{format:?}: {e}\n{text}"));
        let level = parsed.family("trc_regression_extreme_level").unwrap().samples[0].value;
        assert!(level.is_nan(), "the last value set was NaN: {level}");
        let work = parsed.families.iter().find(|f| f.name.starts_with("trc_regression_extreme_work")).unwrap();
        // f64::MAX was added; the negative, infinite and NaN increments were
        // refused (and counted), and the tiny ones vanish next to it.
        assert_eq!(work.samples[0].value, f64::MAX);
        let buckets: Vec<f64> = parsed
            .family("trc_regression_extreme_anything")
            .unwrap()
            .samples
            .iter()
            .filter(|s| s.label("le").is_some())
            .map(|s| s.value)
            .collect();
        // NaN is refused; the other seven observations are in the buckets.
        assert_eq!(buckets.last(), Some(&7.0), "{text}");
    }
}
