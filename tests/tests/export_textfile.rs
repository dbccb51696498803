//! The textfile sink as `node_exporter`'s textfile collector meets it: a
//! reader polling the directory during 1,000 deliveries only ever reads a
//! complete file, which `promtool check metrics` accepts, with the counter
//! never going back; the temporary files never stay behind.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use metricate::export::{Exporter, Textfile};
use metricate::{Counter, Family, Histogram, LabelSet, LabelValue, Metrics};
use metricate_catalog::exposition::{self, Format};
use tests::{TempDir, run_with_stdin};

#[derive(Clone, Copy, Debug, LabelValue)]
enum Step {
    Read,
    Write,
}

#[derive(Clone, Copy, Debug, LabelSet)]
struct ByStep {
    step: Step,
}

/// What the deliveries carry.
#[derive(Metrics)]
#[metrics(subsystem = "textfile")]
struct Written {
    /// Deliveries the test asked for.
    deliveries_total: Counter,
    /// Time per step.
    #[metric(buckets = [0.001, 0.01, 0.1])]
    step_duration_seconds: Family<ByStep, Histogram>,
}

const DELIVERIES: u32 = 1_000;

#[test]
fn a_reader_never_sees_a_partial_file_during_a_thousand_deliveries() {
    let Some(promtool) = tests::promtool() else { return };
    let dir = TempDir::new("textfile");
    let sink = Textfile::new(dir.path(), "app").unwrap();
    let file = sink.path().to_path_buf();
    let exporter = Exporter::builder().interval(Duration::from_secs(3600)).sink(sink).build().unwrap();
    let written = Written::global();
    exporter.start().unwrap();
    // The first delivery has happened once a flush returns.
    assert!(exporter.flush_blocking().unwrap()[0].outcome.is_delivered());

    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let done = Arc::clone(&done);
        thread::spawn(move || {
            let mut reads = 0u32;
            let mut last = 0.0;
            while !done.load(Ordering::Acquire) {
                let text = std::fs::read_to_string(&file).expect("the file exists from the first delivery on");
                let parsed = exposition::parse(&text, Format::Prometheus).unwrap_or_else(|e| panic!("{e}:\n{text}"));
                let out = run_with_stdin(&promtool, &["check", "metrics"], text.as_bytes()).unwrap();
                assert!(out.success && out.stdout.trim().is_empty(), "promtool: {}{}\n{text}", out.stdout, out.stderr);
                let family = parsed.family("trc_textfile_deliveries_total").expect("the counter is in every file");
                let value = family.samples[0].value;
                assert!(value >= last, "the counter went back from {last} to {value}");
                last = value;
                reads += 1;
            }
            reads
        })
    };
    for _ in 0..DELIVERIES {
        written.deliveries_total.inc();
        written.step_duration_seconds.with(ByStep { step: Step::Read }).observe(0.0005);
        written.step_duration_seconds.with(ByStep { step: Step::Write }).observe(0.004);
        let reports = exporter.flush_blocking().unwrap();
        assert!(reports[0].outcome.is_delivered(), "{reports:?}");
    }
    exporter.shutdown().unwrap();
    done.store(true, Ordering::Release);
    let reads = reader.join().expect("the reader saw only complete files");
    assert!(reads > 0);
    eprintln!("{reads} reads during {DELIVERIES} deliveries");

    // The last delivery's file, and nothing else: no temporary file stays.
    let entries: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(entries, ["app.prom"]);
    let text = std::fs::read_to_string(dir.join("app.prom")).unwrap();
    let parsed = exposition::parse(&text, Format::Prometheus).unwrap();
    let value = parsed.family("trc_textfile_deliveries_total").unwrap().samples[0].value;
    assert_eq!(value, f64::from(DELIVERIES));
}
