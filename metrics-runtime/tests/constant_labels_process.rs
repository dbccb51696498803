//! The process-wide constant labels (`metricate::set_constant_labels`): set
//! once per process, so in a test binary of their own, with one test.
//! Refused while a metric of the global registry has a label of the same
//! name (D1); once set, every series of the global registry carries them
//! (in both formats, in snapshots, in subsets of it), local registries do
//! not, and a second call is refused.

use metricate::encode::Format;
use metricate::{ConstantLabels, Counter, Family, LabelSet, LabelValue, Metrics, Registry};
use metricate_catalog::exposition;

#[derive(Clone, Copy, Debug, LabelValue)]
enum Zone {
    North,
    South,
}

#[derive(Clone, Copy, LabelSet)]
struct ByZone {
    zone: Zone,
}

#[derive(Metrics)]
#[metrics(subsystem = "cl_proc")]
struct Process {
    /// Jobs done.
    jobs_total: Counter,
    /// Jobs done, by zone.
    zoned_total: Family<ByZone, Counter>,
}

fn text(format: Format, exposition: &(impl metricate::encode::Exposition + ?Sized)) -> String {
    let mut out = Vec::new();
    format.encode(exposition, &mut out);
    String::from_utf8(out).unwrap()
}

/// The labels the test sets, as the text formats write them.
const CONSTANTS: &str = r#"service="proc",region="eu \"west\"""#;

#[test]
fn the_process_constant_labels_are_set_once_and_carried_by_the_global_registry() {
    let process = Process::global();
    process.jobs_total.inc_by(4);
    process.zoned_total.with(ByZone { zone: Zone::South }).inc();
    process.zoned_total.with(ByZone { zone: Zone::North }).inc_by(2);
    let global = metricate::global().unwrap();

    // None yet.
    assert!(metricate::process_constant_labels().is_empty());
    assert!(global.constant_labels().is_empty());
    assert!(text(Format::Prometheus, global).contains("\nmetrics_cl_proc_jobs_total 4\n"));

    // D1: `zone` is a label of a registered metric. Nothing is set.
    let error = metricate::set_constant_labels(ConstantLabels::parse("service=proc,zone=x").unwrap()).unwrap_err();
    assert!(
        error.message.starts_with("D1: constant label `zone` is also a label of metric `metrics_cl_proc_zoned_total`"),
        "{error}"
    );
    assert!(metricate::process_constant_labels().is_empty());

    // Set.
    let labels = metricate::constant_labels!(service = "proc", region = "eu \"west\"").unwrap();
    metricate::set_constant_labels(labels.clone()).unwrap();
    assert_eq!(metricate::process_constant_labels(), &labels);
    assert_eq!(global.constant_labels(), &labels);

    // Every series of the global registry carries them, in both formats.
    for (format, parse) in
        [(Format::Prometheus, exposition::Format::Prometheus), (Format::OpenMetrics, exposition::Format::OpenMetrics)]
    {
        let out = text(format, global);
        assert!(out.contains(&format!("\nmetrics_cl_proc_jobs_total{{{CONSTANTS}}} 4\n")), "{out}");
        assert!(out.contains(&format!("\nmetrics_cl_proc_zoned_total{{{CONSTANTS},zone=\"south\"}} 1\n")), "{out}");
        // The runtime's own metrics too.
        assert!(out.contains(&format!("\nmetrics_export_invalid_samples_total{{{CONSTANTS},")), "{out}");
        let parsed = exposition::parse(&out, parse).unwrap_or_else(|e| panic!("{e}\n{out}"));
        let mut samples = 0;
        for sample in parsed.families.iter().flat_map(|f| &f.samples) {
            let first: Vec<(&str, &str)> =
                sample.labels.iter().take(2).map(|(n, v)| (n.as_str(), v.as_str())).collect();
            assert_eq!(first, [("service", "proc"), ("region", "eu \"west\"")], "{}\n{out}", sample.name);
            samples += 1;
        }
        assert!(samples > 3, "{out}");
    }

    // Snapshots and subsets of the global registry carry them.
    let snapshot = global.snapshot(|d| d.name == "metrics_cl_proc_zoned_total");
    assert_eq!(snapshot.constant_labels(), &labels);
    let series = snapshot.family("metrics_cl_proc_zoned_total").unwrap().find(&[("zone", "south")]).unwrap();
    assert_eq!(
        snapshot.labels_of(series).collect::<Vec<_>>(),
        [("service", "proc"), ("region", "eu \"west\""), ("zone", "south")]
    );
    let subset = global.without_runtime_metrics();
    assert_eq!(subset.constant_labels(), &labels);
    assert!(text(Format::Prometheus, &subset).contains(&format!("\nmetrics_cl_proc_jobs_total{{{CONSTANTS}}} 4\n")));

    // A local registry has its own (none unless given).
    let local_group = Process::new_unregistered();
    local_group.jobs_total.inc();
    let mut local = Registry::new();
    local.register_group(&local_group).unwrap();
    assert!(local.constant_labels().is_empty());
    assert!(text(Format::Prometheus, &local).contains("\nmetrics_cl_proc_jobs_total 1\n"));
    let own = local.with_constant_labels(ConstantLabels::parse("service=local").unwrap()).unwrap();
    assert!(text(Format::Prometheus, &own).contains("\nmetrics_cl_proc_jobs_total{service=\"local\"} 1\n"));

    // Once per process.
    let again = metricate::set_constant_labels(ConstantLabels::parse("service=again").unwrap()).unwrap_err();
    assert!(again.message.contains("set already"), "{again}");
    let again = metricate::set_constant_labels(ConstantLabels::new()).unwrap_err();
    assert!(again.message.contains("set already"), "{again}");
    assert_eq!(metricate::process_constant_labels(), &labels);
}
