//! `prometheus/client_rust#151`: label values were written without escaping,
//! so a value with a quote, a backslash or a line feed broke the exposition.
//! Here every value is escaped once, at compile time; the test declares
//! values holding every ASCII control byte and every character with a
//! meaning in the formats, and reads them back with the strict parser (both
//! formats) and, when installed, with Python's `prometheus_client` and
//! `promtool`.

use metricate::{Counter, Family, LabelSet, LabelValue, Metrics, Registry};
use metricate_catalog::exposition::{self, Format};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
enum Tricky {
    #[label(rename = "\u{1}\u{2}\u{3}\u{4}\u{5}\u{6}\u{7}\u{8}\t\n\u{b}\u{c}\r\u{e}\u{f}")]
    ControlLow,
    #[label(
        rename = "\u{10}\u{11}\u{12}\u{13}\u{14}\u{15}\u{16}\u{17}\u{18}\u{19}\u{1a}\u{1b}\u{1c}\u{1d}\u{1e}\u{1f}\u{7f}"
    )]
    ControlHigh,
    #[label(rename = "\"quoted\" \\back\\slash\\ \\n not a newline")]
    Escapes,
    #[label(rename = "{braces}=,# HELP x\n# EOF\n")]
    Syntax,
    #[label(rename = "trailing backslash \\")]
    TrailingBackslash,
    #[label(rename = " spaces  ")]
    Spaces,
    #[label(rename = "\u{e9}t\u{e9} \u{20ac} \u{1f600} \u{2028}\u{feff}")]
    Unicode,
}

const ALL: [Tricky; 7] = [
    Tricky::ControlLow,
    Tricky::ControlHigh,
    Tricky::Escapes,
    Tricky::Syntax,
    Tricky::TrailingBackslash,
    Tricky::Spaces,
    Tricky::Unicode,
];

#[derive(Clone, Copy, LabelSet)]
struct ByValue {
    value: Tricky,
}

/// Label values with every special byte.
#[derive(Metrics)]
#[metrics(subsystem = "regression")]
struct Special {
    /// Events by a label whose values are hard to write.
    events_total: Family<ByValue, Counter>,
}

fn exposition(format: metricate::encode::Format) -> String {
    let special = Special::new_unregistered();
    for (i, value) in ALL.into_iter().enumerate() {
        special.events_total.with(ByValue { value }).inc_by(i as u64 + 1);
    }
    let mut registry = Registry::new();
    registry.register_group(&special).unwrap();
    let mut out = Vec::new();
    format.encode(&registry, &mut out);
    String::from_utf8(out).expect("the exposition is UTF-8")
}

#[test]
fn every_special_byte_survives_both_formats() {
    for (encoder, parser) in [
        (metricate::encode::Format::Prometheus, Format::Prometheus),
        (metricate::encode::Format::OpenMetrics, Format::OpenMetrics),
    ] {
        let text = exposition(encoder);
        let parsed = exposition::parse(&text, parser).unwrap_or_else(|e| panic!("{parser:?}: {e}\n{text}"));
        let family = parsed.families.iter().find(|f| f.name.starts_with("trc_regression_events")).unwrap();
        assert_eq!(family.samples.len(), ALL.len(), "{parser:?}:\n{text}");
        for (i, value) in ALL.into_iter().enumerate() {
            let sample = family
                .samples
                .iter()
                .find(|s| s.label("value") == Some(value.as_str()))
                .unwrap_or_else(|| panic!("{parser:?}: {value:?} did not come back:\n{text}"));
            assert_eq!(sample.value, i as f64 + 1.0, "{parser:?}: {value:?}");
        }
    }
}

#[test]
fn third_party_parsers_read_them_too() {
    let text = exposition(metricate::encode::Format::Prometheus);
    if let Some(python) = tests::python_with_prometheus_client() {
        // The values come back as JSON, one per sample.
        let script = "import sys, json\n\
            from prometheus_client.parser import text_string_to_metric_families\n\
            values = [s.labels['value'] for f in text_string_to_metric_families(sys.stdin.read()) for s in f.samples]\n\
            print(json.dumps(sorted(values)))\n";
        let output = tests::run_with_stdin(&python, &["-c", script], text.as_bytes()).unwrap();
        assert!(output.success, "{}", output.stderr);
        let read: Vec<String> = serde_json::from_str(output.stdout.trim()).unwrap();
        let mut expected: Vec<String> = ALL.iter().map(|v| v.as_str().to_owned()).collect();
        expected.sort();
        assert_eq!(read, expected);
    }
    if let Some(promtool) = tests::promtool() {
        let output = tests::run_with_stdin(&promtool, &["check", "metrics"], text.as_bytes()).unwrap();
        assert!(output.success, "promtool: {}{}", output.stdout, output.stderr);
    }
}
