//! The exposition parser: every valid construct of both formats, the classic
//! malformed inputs with their positions, hand-written realistic expositions
//! in `tests/expositions/`, and pseudo-random mutations that must never panic.

use Format::{OpenMetrics as OM, Prometheus as PROM};
use metricate_catalog::exposition::{Exemplar, Exposition, Format, ParseError, detect, parse};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/expositions/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn ok(text: &str, format: Format) -> Exposition {
    parse(text, format).unwrap_or_else(|e| panic!("{format} should parse: {e}\n{text}"))
}

fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
}

/// Asserts the first error of `text`: its position and a fragment of its message.
#[track_caller]
fn assert_error(format: Format, text: &str, line: usize, column: usize, message: &str) {
    let error = match parse(text, format) {
        Ok(parsed) => panic!("{format} should reject {text:?}, parsed {parsed:?}"),
        Err(error) => error,
    };
    assert_eq!((error.line, error.column), (line, column), "position of {error} in {text:?}");
    assert!(error.message.contains(message), "message of {error} should contain {message:?}");
}

// ----- realistic expositions -----

#[test]
fn realistic_prometheus_text_parses_with_every_value() {
    let parsed = ok(&fixture("realistic.prom"), PROM);
    assert_eq!(parsed.format, PROM);
    let names: Vec<_> = parsed.families.iter().map(|f| (f.name.as_str(), f.kind.as_deref(), f.line)).collect();
    assert_eq!(
        names,
        [
            ("trc_http_requests_total", Some("counter"), 1),
            ("trc_http_request_duration_seconds", Some("histogram"), 5),
            ("trc_queue_depth", Some("gauge"), 21),
            ("trc_rpc_latency_seconds", Some("summary"), 26),
            ("process_start_time_seconds", None, 34),
        ]
    );

    let requests = &parsed.families[0];
    assert_eq!(
        requests.help.as_deref(),
        Some("HTTP requests handled, by method and status.\nCounted once the response is written; path is C:\\srv.")
    );
    assert_eq!(requests.unit, None);
    assert_eq!(requests.samples[0].labels, labels(&[("method", "get"), ("status", "200")]));
    assert_eq!((requests.samples[0].value, requests.samples[0].line), (1027.0, 3));
    assert_eq!(requests.samples[1].label("path"), Some("/api/\"quoted\"\\dir\nnext"));

    let latency = &parsed.families[1];
    assert_eq!(latency.samples.len(), 14);
    assert!(latency.samples.iter().all(|s| s.label("method").is_some()), "labels on every histogram series");
    let buckets: Vec<_> =
        latency.samples.iter().filter(|s| s.name.ends_with("_bucket")).map(|s| s.label("le").unwrap()).collect();
    assert_eq!(buckets, ["0.005", "0.05", "0.5", "5", "+Inf", "0.005", "0.05", "0.5", "5", "+Inf"]);
    let sum = latency.samples.iter().find(|s| s.name.ends_with("_sum") && s.label("method") == Some("post"));
    assert_eq!(sum.map(|s| s.value), Some(1.5), "an exponent");

    let depth = &parsed.families[2];
    assert_eq!(depth.samples[0].timestamp, Some(1_700_000_000_000.0), "milliseconds as written");
    assert_eq!(depth.samples[1].value, f64::NEG_INFINITY);
    assert!(depth.samples[2].value.is_nan());

    let rpc = &parsed.families[3];
    let names: Vec<_> = rpc.samples.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "trc_rpc_latency_seconds",
            "trc_rpc_latency_seconds",
            "trc_rpc_latency_seconds_sum",
            "trc_rpc_latency_seconds_count"
        ]
    );

    let untyped = &parsed.families[4];
    assert_eq!((untyped.help.as_deref(), untyped.samples[0].value), (None, 1.7e9));
}

#[test]
fn realistic_openmetrics_parses_with_every_value() {
    let text = fixture("realistic.openmetrics");
    assert_eq!(detect(None, &text), OM);
    let parsed = ok(&text, OM);
    assert_eq!(parsed.format, OM);
    let names: Vec<_> = parsed.families.iter().map(|f| (f.name.as_str(), f.kind.as_deref())).collect();
    assert_eq!(
        names,
        [
            ("trc_http_requests", Some("counter")),
            ("trc_http_request_duration_seconds", Some("histogram")),
            ("trc_queue_depth", Some("gauge")),
            ("trc_build", Some("info")),
            ("trc_rpc_latency_seconds", Some("summary")),
            ("trc_feature", Some("stateset")),
            ("process_start_time_seconds", None),
        ]
    );

    let requests = parsed.family("trc_http_requests").unwrap();
    assert_eq!(
        requests.help.as_deref(),
        Some(
            "HTTP requests handled, by method and status.\nCounted once the response is \"written\": path is C:\\srv."
        )
    );
    let names: Vec<_> = requests.samples.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "trc_http_requests_total",
            "trc_http_requests_created",
            "trc_http_requests_total",
            "trc_http_requests_created"
        ]
    );
    assert_eq!(
        requests.samples[0].exemplar,
        Some(Exemplar {
            labels: labels(&[("trace_id", "4bf92f3577b34da6")]),
            value: 1.0,
            timestamp: Some(1_700_000_000.123)
        })
    );
    assert_eq!(requests.samples[2].label("path"), Some("/api/\"quoted\"\\dir\nnext"));

    let latency = parsed.family("trc_http_request_duration_seconds").unwrap();
    assert_eq!(latency.unit.as_deref(), Some("seconds"));
    assert_eq!(latency.samples.len(), 14);
    let exemplars: Vec<_> = latency.samples.iter().filter_map(|s| s.exemplar.as_ref()).collect();
    assert_eq!(exemplars.len(), 2);
    assert_eq!((exemplars[0].value, exemplars[0].timestamp), (0.042, None), "without a timestamp");
    assert_eq!((exemplars[1].value, exemplars[1].timestamp), (7.5, Some(1_700_000_000.0)));

    let depth = parsed.family("trc_queue_depth").unwrap();
    assert_eq!(depth.samples[0].timestamp, Some(1_700_000_000.5), "seconds as written");
    assert_eq!(depth.samples[1].value, f64::NEG_INFINITY);
    assert!(depth.samples[2].value.is_nan());

    assert_eq!(parsed.family("trc_build").unwrap().samples[0].name, "trc_build_info");
    assert_eq!(parsed.family("trc_feature").unwrap().samples[1].label("trc_feature"), Some("slow_path"));
    let start = parsed.family("process_start_time_seconds").unwrap();
    assert_eq!((start.samples[0].labels.len(), start.samples[0].value), (0, 1.7e9), "an empty label set");
}

#[test]
fn the_fixtures_differ_only_by_format() {
    // Each fixture is rejected by the other format's parser.
    assert!(parse(&fixture("realistic.prom"), OM).is_err());
    assert!(parse(&fixture("realistic.openmetrics"), PROM).is_err());
}

// ----- valid constructs -----

#[test]
fn detect_reads_the_content_type_then_the_last_line() {
    assert_eq!(detect(Some("application/openmetrics-text; version=1.0.0; charset=utf-8"), "up 1\n"), OM);
    assert_eq!(detect(Some("Application/OpenMetrics-Text"), ""), OM);
    assert_eq!(detect(Some("text/plain; version=0.0.4; charset=utf-8"), "up 1\n# EOF\n"), PROM);
    assert_eq!(detect(None, "up 1\n# EOF\n\n  \n"), OM);
    assert_eq!(detect(None, "up 1\n# EOF"), OM);
    assert_eq!(detect(None, "# EOF\nup 1\n"), PROM);
    assert_eq!(detect(None, ""), PROM);
}

#[test]
fn an_empty_exposition() {
    assert_eq!(ok("", PROM), Exposition { format: PROM, families: Vec::new() });
    assert_eq!(ok("\n\n", PROM).families, []);
    assert_eq!(ok("# EOF\n", OM), Exposition { format: OM, families: Vec::new() });
    assert_eq!(ok("# EOF", OM).families, [], "the final line feed is optional");
}

#[test]
fn label_value_escapes_are_unescaped_in_both_formats() {
    let line = "foo{a=\"back\\\\slash\",b=\"quote\\\"d\",c=\"new\\nline\",d=\"日本 \u{1F600}\",e=\"\"} 1\n";
    for (format, text) in [(PROM, line.to_owned()), (OM, format!("{line}# EOF\n"))] {
        let parsed = ok(&text, format);
        assert_eq!(
            parsed.families[0].samples[0].labels,
            labels(&[("a", "back\\slash"), ("b", "quote\"d"), ("c", "new\nline"), ("d", "日本 \u{1F600}"), ("e", "")]),
            "{format}"
        );
    }
}

#[test]
fn help_escapes_differ_by_format() {
    let parsed = ok("# HELP foo a\\\\b\\nc \"quoted\"\n", PROM);
    assert_eq!(parsed.families[0].help.as_deref(), Some("a\\b\nc \"quoted\""));
    let parsed = ok("# HELP foo a\\\\b\\nc \\\"quoted\\\"\n# EOF\n", OM);
    assert_eq!(parsed.families[0].help.as_deref(), Some("a\\b\nc \"quoted\""));
    let parsed = ok("# HELP foo \n# EOF\n", OM);
    assert_eq!(parsed.families[0].help.as_deref(), Some(""), "empty help");
}

#[test]
fn special_values_and_exponents() {
    let text = "a +Inf\nb -Inf\nc NaN\nd 1e3\ne -2.5E-3\nf .5\ng 5.\nh 0042\n";
    let values: Vec<f64> = ok(text, PROM).families.iter().map(|f| f.samples[0].value).collect();
    assert_eq!(values[..2], [f64::INFINITY, f64::NEG_INFINITY]);
    assert!(values[2].is_nan());
    assert_eq!(values[3..], [1000.0, -0.0025, 0.5, 5.0, 42.0]);
    let values: Vec<f64> = ok(&format!("{text}# EOF\n"), OM).families.iter().map(|f| f.samples[0].value).collect();
    assert_eq!(values[3..], [1000.0, -0.0025, 0.5, 5.0, 42.0]);
    // Prometheus text takes what Go's ParseFloat takes.
    let values: Vec<f64> =
        ok("a Inf\nb inf\nc +Infinity\nd nan\n", PROM).families.iter().map(|f| f.samples[0].value).collect();
    assert_eq!(values[..3], [f64::INFINITY, f64::INFINITY, f64::INFINITY]);
    assert!(values[3].is_nan());
}

#[test]
fn timestamps_are_kept_as_written() {
    let parsed = ok("foo 1 1700000000000\nbar 2 -5\n", PROM);
    assert_eq!(parsed.families[0].samples[0].timestamp, Some(1_700_000_000_000.0));
    assert_eq!(parsed.families[1].samples[0].timestamp, Some(-5.0));
    let parsed = ok("foo 1 1700000000\nbar 2 1700000000.123456\n# EOF\n", OM);
    assert_eq!(parsed.families[0].samples[0].timestamp, Some(1_700_000_000.0));
    assert_eq!(parsed.families[1].samples[0].timestamp, Some(1_700_000_000.123_456));
    // A series may repeat in OpenMetrics with later timestamps.
    let parsed = ok("# TYPE foo counter\nfoo_total 1 100\nfoo_total 2 200\n# EOF\n", OM);
    assert_eq!(parsed.families[0].samples.len(), 2);
}

#[test]
fn empty_label_sets() {
    let parsed = ok("foo{} 1\nbar { } 2\n", PROM);
    assert!(parsed.families.iter().all(|f| f.samples[0].labels.is_empty()));
    let parsed = ok("foo{} 1\n# EOF\n", OM);
    assert!(parsed.families[0].samples[0].labels.is_empty());
}

#[test]
fn exemplars_with_and_without_timestamp() {
    let text = "# TYPE foo counter\n\
                foo_total 1 # {} 0.5\n\
                foo_total{a=\"1\"} 2 1700000000 # {trace_id=\"x\",span=\"y\"} 1e-3 1700000000.5\n\
                # TYPE bar histogram\n\
                bar_bucket{le=\"1.0\"} 1 # {trace_id=\"z\"} 0.25\n\
                bar_bucket{le=\"+Inf\"} 1\n\
                # TYPE baz gaugehistogram\n\
                baz_bucket{le=\"+Inf\"} 3 # {trace_id=\"w\"} -1\n\
                baz_gcount 3\n\
                baz_gsum 3\n\
                # EOF\n";
    let parsed = ok(text, OM);
    let foo = &parsed.families[0].samples;
    assert_eq!(foo[0].exemplar, Some(Exemplar { labels: Vec::new(), value: 0.5, timestamp: None }));
    assert_eq!(foo[1].timestamp, Some(1_700_000_000.0));
    assert_eq!(
        foo[1].exemplar,
        Some(Exemplar {
            labels: labels(&[("trace_id", "x"), ("span", "y")]),
            value: 0.001,
            timestamp: Some(1_700_000_000.5)
        })
    );
    assert_eq!(parsed.families[1].samples[0].exemplar.as_ref().map(|e| e.value), Some(0.25));
    assert_eq!(parsed.families[2].samples[0].exemplar.as_ref().map(|e| e.value), Some(-1.0));
    // Exactly 128 characters of names and values is allowed.
    let value = "v".repeat(128 - "trace_id".len());
    ok(&format!("# TYPE foo counter\nfoo_total 1 # {{trace_id=\"{value}\"}} 1\n# EOF\n"), OM);
}

#[test]
fn samples_join_the_family_of_their_type() {
    let text = "# TYPE h histogram\n\
                h_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 3\nh_count 2\n\
                # TYPE s summary\n\
                s{quantile=\"0.5\"} 1\ns_sum 3\ns_count 2\n\
                h_created 5\n\
                s_total 1\n";
    let parsed = ok(text, PROM);
    let families: Vec<_> = parsed.families.iter().map(|f| (f.name.as_str(), f.samples.len())).collect();
    assert_eq!(families, [("h", 4), ("s", 3), ("h_created", 1), ("s_total", 1)]);

    let text = "# TYPE c counter\nc_total 1\nc_created 2\n\
                # TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 2\nh_sum 3\nh_created 4\n\
                # TYPE g gaugehistogram\ng_bucket{le=\"+Inf\"} 2\ng_gcount 2\ng_gsum 3\n\
                # TYPE i info\ni_info{v=\"1\"} 1\n\
                # TYPE u unknown\nu 1\n\
                # EOF\n";
    let parsed = ok(text, OM);
    let families: Vec<_> = parsed.families.iter().map(|f| (f.name.as_str(), f.samples.len())).collect();
    assert_eq!(families, [("c", 2), ("h", 4), ("g", 3), ("i", 1), ("u", 1)]);
}

#[test]
fn untyped_samples_form_their_own_families_in_prometheus_text() {
    let parsed = ok("foo{a=\"1\"} 1\nfoo{a=\"2\"} 2\nbar 3\n# TYPE baz untyped\nbaz 4\n", PROM);
    let families: Vec<_> =
        parsed.families.iter().map(|f| (f.name.as_str(), f.kind.as_deref(), f.samples.len(), f.line)).collect();
    assert_eq!(families, [("foo", None, 2, 1), ("bar", None, 1, 3), ("baz", Some("untyped"), 1, 4)]);
}

#[test]
fn prometheus_text_is_lenient_where_the_format_is() {
    let text = "# A comment.\n\
                #\n\
                # HELP\n\
                \n\
                \t  \n\
                #HELP foo  spaced help\n\
                  # TYPE foo gauge\n\
                foo{a=\"1\",} 1\n\
                foo { a = \"2\" , b=\"x\" , } 2\n\
                foo\t{a=\"3\"}\t3\t\t1700000000000\n\
                foo{a=\"4\"}4\n\
                \x20 foo{a=\"5\"} 5\n\
                # UNIT is only a comment here\n";
    let parsed = ok(text, PROM);
    let foo = &parsed.families[0];
    assert_eq!((foo.help.as_deref(), foo.kind.as_deref(), foo.line), (Some("spaced help"), Some("gauge"), 6));
    let values: Vec<_> = foo.samples.iter().map(|s| (s.label("a").unwrap(), s.value)).collect();
    assert_eq!(values, [("1", 1.0), ("2", 2.0), ("3", 3.0), ("4", 4.0), ("5", 5.0)]);
    assert_eq!(foo.samples[1].labels, labels(&[("a", "2"), ("b", "x")]));
    assert_eq!(foo.samples[2].timestamp, Some(1_700_000_000_000.0));
}

#[test]
fn openmetrics_metadata_in_any_order() {
    let parsed = ok("# HELP foo_bytes Size.\n# UNIT foo_bytes bytes\n# TYPE foo_bytes gauge\nfoo_bytes 1\n# EOF\n", OM);
    let foo = &parsed.families[0];
    assert_eq!(
        (foo.name.as_str(), foo.kind.as_deref(), foo.unit.as_deref(), foo.help.as_deref()),
        ("foo_bytes", Some("gauge"), Some("bytes"), Some("Size."))
    );
    // A family may have metadata and no samples, and an empty unit.
    let parsed = ok("# TYPE foo counter\n# UNIT foo \n# TYPE bar gauge\nbar 1\n# EOF\n", OM);
    assert_eq!((parsed.families[0].samples.len(), parsed.families[0].unit.as_deref()), (0, Some("")));
}

#[test]
fn parse_errors_display_their_position() {
    let error = parse("foo 1\n", OM).unwrap_err();
    assert_eq!(
        error,
        ParseError {
            line: 2,
            column: 1,
            message: "missing `# EOF`: an OpenMetrics exposition ends with a `# EOF` line".to_owned()
        }
    );
    assert_eq!(
        error.to_string(),
        "line 2, column 1: missing `# EOF`: an OpenMetrics exposition ends with a `# EOF` line"
    );
    let error: Box<dyn std::error::Error> = Box::new(error);
    assert!(error.to_string().starts_with("line 2, column 1: "));
}

// ----- malformed input: position and message -----

#[test]
fn missing_eof() {
    assert_error(OM, "foo 1\n", 2, 1, "missing `# EOF`");
    assert_error(OM, "foo 1", 1, 6, "missing `# EOF`");
    assert_error(OM, "", 1, 1, "missing `# EOF`");
}

#[test]
fn content_after_eof() {
    assert_error(OM, "# EOF\nfoo 1\n", 2, 1, "content after `# EOF` (line 1)");
    assert_error(OM, "foo 1\n# EOF\n\n", 3, 1, "content after `# EOF` (line 2)");
    assert_error(OM, "# EOF \n", 1, 6, "after `# EOF`, found a space");
}

#[test]
fn bad_escape_in_a_label_value() {
    let message = "invalid escape sequence `\\t` in the value of label `a`";
    assert_error(PROM, "foo{a=\"x\\ty\"} 1\n", 1, 9, message);
    // OpenMetrics keeps an unknown escape as written (the official parser
    // suite's `label_escaping`).
    let parsed = ok("foo{a=\"x\\ty\"} 1\n# EOF\n", OM);
    assert_eq!(parsed.families[0].samples[0].labels, labels(&[("a", "x\\ty")]));
    // Columns count characters, not bytes.
    assert_error(PROM, "foo{a=\"日本\\ty\"} 1\n", 1, 10, message);
}

#[test]
fn bad_escape_in_help() {
    assert_error(PROM, "# HELP foo a\\\"b\n", 1, 13, "invalid escape sequence `\\\"` in help text");
    assert_error(PROM, "# HELP foo a\\\n", 1, 13, "a lone `\\` at the end of the help text");
    // OpenMetrics keeps unknown escapes and quotes in help as written (the
    // suite's `escaping` and `help_escaping`), but not a lone `\` at the end.
    assert_eq!(ok("# HELP foo a\\tb\n# EOF\n", OM).families[0].help.as_deref(), Some("a\\tb"));
    assert_eq!(ok("# HELP foo say \"hi\"\n# EOF\n", OM).families[0].help.as_deref(), Some("say \"hi\""));
    assert_error(OM, "# HELP foo a\\\n# EOF\n", 1, 13, "a lone `\\`");
}

#[test]
fn unterminated_label_value() {
    assert_error(PROM, "foo{a=\"1} 1\n", 1, 7, "unterminated value of label `a`");
    assert_error(OM, "foo{a=\"1\\\"} 1\n# EOF\n", 1, 7, "unterminated value of label `a`");
    assert_error(
        PROM,
        "foo{a=\"1\"\n",
        1,
        10,
        "expected `,` or `}` after the value of label `a`, found the end of the line",
    );
}

#[test]
fn missing_value() {
    assert_error(PROM, "foo\n", 1, 4, "missing value after `foo`");
    assert_error(PROM, "foo{a=\"1\"}  \n", 1, 13, "missing value after the label set");
    assert_error(OM, "foo{a=\"1\"}\n# EOF\n", 1, 11, "missing value after the label set");
    assert_error(OM, "foo \n# EOF\n", 1, 5, "missing value after `foo`");
}

#[test]
fn non_numeric_value() {
    let message = "invalid value `abc`: expected a number";
    assert_error(PROM, "foo abc\n", 1, 5, message);
    assert_error(OM, "foo{a=\"1\"} abc\n# EOF\n", 1, 12, message);
    assert_error(PROM, "foo 1_000\n", 1, 5, "invalid value `1_000`");
    assert_error(PROM, "foo 0x1p3\n", 1, 5, "invalid value `0x1p3`");
    assert_error(PROM, "foo +nan\n", 1, 5, "invalid value `+nan`");
    assert_error(PROM, "foo 1e400\n", 1, 5, "out of the range of a 64-bit float");
}

#[test]
fn special_values_spelled_wrong_in_openmetrics() {
    for (value, column) in [("inf", 5), ("+inf", 5), ("Inf", 5), ("Infinity", 5), ("nan", 5)] {
        assert_error(
            OM,
            &format!("foo {value}\n# EOF\n"),
            1,
            column,
            "OpenMetrics spells the special values exactly `+Inf`, `-Inf` and `NaN`",
        );
    }
    assert_error(OM, "# TYPE foo histogram\nfoo_bucket{le=\"Inf\"} 1\n# EOF\n", 2, 16, "invalid `le` value `Inf`");
}

#[test]
fn timestamp_that_is_not_a_number() {
    assert_error(PROM, "foo 1 abc\n", 1, 7, "invalid timestamp `abc`: the Prometheus text format expects an integer");
    assert_error(PROM, "foo 1 1.5\n", 1, 7, "invalid timestamp `1.5`");
    assert_error(PROM, "foo 1 99999999999999999999\n", 1, 7, "out of the range of a 64-bit integer");
    assert_error(OM, "foo 1 abc\n# EOF\n", 1, 7, "invalid timestamp `abc`: expected a number of seconds");
    assert_error(OM, "foo 1 NaN\n# EOF\n", 1, 7, "a timestamp is a finite number of seconds");
    assert_error(OM, "foo 1 +Inf\n# EOF\n", 1, 7, "a timestamp is a finite number of seconds");
}

#[test]
fn duplicate_type() {
    assert_error(
        PROM,
        "# TYPE foo gauge\n# TYPE foo gauge\nfoo 1\n",
        2,
        1,
        "second `# TYPE` line for `foo` (the first is at line 1)",
    );
    assert_error(
        OM,
        "# TYPE foo gauge\n# HELP foo x\n# TYPE foo counter\n# EOF\n",
        3,
        1,
        "second `# TYPE` line for `foo`",
    );
    assert_error(PROM, "# HELP foo x\n# HELP foo y\n", 2, 1, "second `# HELP` line for `foo`");
    assert_error(OM, "# UNIT foo_s s\n# UNIT foo_s s\n# EOF\n", 2, 1, "second `# UNIT` line for `foo_s`");
}

#[test]
fn type_after_samples() {
    let message = "`# TYPE` line for `foo` after its samples (from line 1)";
    assert_error(PROM, "foo 1\n# TYPE foo gauge\n", 2, 1, message);
    assert_error(OM, "foo 1\n# TYPE foo gauge\n# EOF\n", 2, 1, message);
    assert_error(PROM, "foo 1\n# HELP foo x\n", 2, 1, "`# HELP` line for `foo` after its samples");
    // After the family ended.
    assert_error(
        PROM,
        "foo 1\nbar 1\n# TYPE foo gauge\n",
        3,
        8,
        "`# TYPE` line for `foo` after the family `foo` ended",
    );
    // The samples of a histogram came first, without metadata.
    assert_error(
        PROM,
        "foo_bucket{le=\"+Inf\"} 1\n# TYPE foo histogram\n",
        2,
        12,
        "`foo_bucket` already belongs to the untyped family `foo_bucket` (line 1)",
    );
}

#[test]
fn unknown_type_word() {
    assert_error(PROM, "# TYPE foo gauges\n", 1, 12, "unknown type `gauges`: expected one of `counter`, `gauge`, ");
    assert_error(PROM, "# TYPE foo COUNTER\n", 1, 12, "(types are lowercase)");
    assert_error(PROM, "# TYPE foo info\n", 1, 12, "(`info` is an OpenMetrics type)");
    assert_error(PROM, "# TYPE foo counter \n", 1, 19, "expected the end of the line after the type `counter`");
    assert_error(PROM, "# TYPE foo\n", 1, 11, "missing type in `# TYPE foo`");
    assert_error(OM, "# TYPE foo untyped\n# EOF\n", 1, 12, "(OpenMetrics calls it `unknown`)");
    assert_error(OM, "# TYPE foo\n# EOF\n", 1, 11, "expected a space and the type after `# TYPE foo`");
}

#[test]
fn invalid_metric_name() {
    assert_error(PROM, "0foo 1\n", 1, 1, "expected a metric name, found `0`: names cannot start with a digit");
    assert_error(PROM, "foo-bar 1\n", 1, 4, "invalid character `-` in metric name `foo`");
    assert_error(OM, "foo.bar 1\n# EOF\n", 1, 4, "invalid character `.` in metric name `foo`");
    assert_error(PROM, "日本 1\n", 1, 1, "expected a metric name, found `日`");
    assert_error(PROM, "# HELP 0foo x\n", 1, 8, "expected a metric name after `# HELP`");
    assert_error(OM, "# TYPE foo-bar gauge\n# EOF\n", 1, 11, "invalid character `-` in metric name `foo`");
}

#[test]
fn invalid_label_name() {
    assert_error(PROM, "foo{0a=\"1\"} 1\n", 1, 5, "expected a label name, found `0`");
    assert_error(PROM, "foo{a-b=\"1\"} 1\n", 1, 6, "invalid character `-` in label name `a`");
    assert_error(OM, "foo{a:b=\"1\"} 1\n# EOF\n", 1, 6, "invalid character `:` in label name `a`");
    assert_error(PROM, "foo{,a=\"1\"} 1\n", 1, 5, "expected a label name, found `,`");
    assert_error(PROM, "foo{a=\"1\",,} 1\n", 1, 11, "expected a label name, found `,`");
    assert_error(PROM, "foo{a} 1\n", 1, 6, "expected `=` after label name `a`, found `}`");
    assert_error(PROM, "foo{a b=\"1\"} 1\n", 1, 7, "expected `=` after label name `a`, found `b`");
    assert_error(PROM, "foo{__name__=\"x\"} 1\n", 1, 5, "label name `__name__` is reserved");
}

#[test]
fn duplicate_label_name_in_one_sample() {
    assert_error(PROM, "foo{a=\"1\",b=\"2\",a=\"3\"} 1\n", 1, 17, "duplicate label name `a` in one sample");
    assert_error(OM, "foo{a=\"1\",a=\"1\"} 1\n# EOF\n", 1, 11, "duplicate label name `a` in one sample");
    assert_error(
        OM,
        "# TYPE foo counter\nfoo_total 1 # {a=\"1\",a=\"2\"} 1\n# EOF\n",
        2,
        22,
        "duplicate label name `a` in one exemplar",
    );
}

#[test]
fn duplicate_series() {
    assert_error(
        PROM,
        "foo{a=\"1\",b=\"2\"} 1\nfoo{b=\"2\",a=\"1\"} 2\n",
        2,
        1,
        "duplicate sample `foo{a=\"1\",b=\"2\"}`: the same series is at line 1",
    );
    assert_error(PROM, "foo 1 100\nfoo 2 200\n", 2, 1, "duplicate sample `foo`");
    assert_error(OM, "foo{} 1\nfoo 2\n# EOF\n", 2, 1, "duplicate sample `foo`");
    // OpenMetrics lets a series repeat at the same timestamp (the suite's
    // `duplicate_timestamps_1`).
    ok("# TYPE foo counter\nfoo_total 1 100\nfoo_total 2 100\n# EOF\n", OM);
    assert_error(
        OM,
        "# TYPE foo counter\nfoo_total 1 200\nfoo_total 2 100\n# EOF\n",
        3,
        13,
        "timestamp of `foo_total` goes backwards",
    );
    assert_error(
        OM,
        "# TYPE foo counter\nfoo_total 1 200\nfoo_total 2\n# EOF\n",
        3,
        12,
        "appears with and without a timestamp",
    );
    assert_error(
        PROM,
        "# TYPE foo histogram\nfoo_bucket{le=\"1\"} 1\nfoo_bucket{le=\"1\"} 1\n",
        3,
        1,
        "duplicate sample `foo_bucket{le=\"1\"}`",
    );
}

#[test]
fn non_contiguous_family() {
    let message = "samples of `foo` are not contiguous: the family started at line 1";
    assert_error(PROM, "foo{a=\"1\"} 1\nbar 1\nfoo{a=\"2\"} 1\n", 3, 1, message);
    assert_error(OM, "foo{a=\"1\"} 1\nbar 1\nfoo{a=\"2\"} 1\n# EOF\n", 3, 1, message);
    assert_error(
        PROM,
        "# TYPE foo histogram\nfoo_bucket{le=\"+Inf\"} 1\nbar 1\nfoo_count 1\n",
        4,
        1,
        "sample `foo_count` belongs to the histogram family `foo` (line 1) but is not with its other samples",
    );
    assert_error(
        OM,
        "# TYPE foo counter\nfoo_total 1\n# TYPE bar gauge\n# HELP foo x\n# EOF\n",
        4,
        8,
        "`# HELP` line for `foo` after the family `foo` ended (it started at line 1)",
    );
    // OpenMetrics: the samples of one metric are contiguous too.
    assert_error(
        OM,
        "# TYPE foo counter\nfoo_total{a=\"1\"} 1\nfoo_total{a=\"2\"} 1\nfoo_created{a=\"1\"} 1\n# EOF\n",
        4,
        1,
        "the samples of `foo{a=\"1\"}` are not contiguous",
    );
}

#[test]
fn samples_that_do_not_fit_their_family() {
    assert_error(
        OM,
        "# TYPE foo counter\nfoo 1\n# EOF\n",
        2,
        1,
        "sample `foo` does not belong to the counter family `foo` (line 1): its samples are named `foo_total`, `foo_created`",
    );
    assert_error(
        PROM,
        "# TYPE foo histogram\nfoo 1\n",
        2,
        1,
        "its samples are named `foo_bucket`, `foo_sum`, `foo_count`",
    );
    assert_error(
        OM,
        "# TYPE foo counter\n# TYPE foo_total gauge\n# EOF\n",
        2,
        8,
        "`foo_total` is a sample name of the counter family `foo` (line 1)",
    );
    assert_error(
        PROM,
        "# TYPE foo_sum gauge\nfoo_sum 1\n# TYPE foo summary\n",
        3,
        12,
        "a summary family `foo` has samples named `foo_sum`, but `foo_sum` already belongs to the gauge family",
    );
}

#[test]
fn histogram_without_inf_bucket() {
    let message = "histogram `foo{a=\"1\"}` has no `le=\"+Inf\"` bucket";
    let text = "# TYPE foo histogram\nfoo_bucket{a=\"1\",le=\"1\"} 1\nfoo_sum{a=\"1\"} 1\nfoo_count{a=\"1\"} 1\n";
    assert_error(PROM, text, 4, 1, message);
    assert_error(OM, &format!("{text}# EOF\n"), 4, 1, message);
    assert_error(PROM, "# TYPE foo histogram\nfoo_sum 1\nfoo_count 1\n", 3, 1, "histogram `foo` has no buckets");
    assert_error(PROM, "# TYPE foo histogram\nfoo_bucket 1\n", 2, 1, "histogram bucket `foo_bucket` has no `le` label");
    assert_error(PROM, "# TYPE foo histogram\nfoo_bucket{le=\"x\"} 1\n", 2, 16, "invalid `le` value `x`");
    assert_error(OM, "# TYPE foo histogram\nfoo_bucket{le=\"NaN\"} 1\n# EOF\n", 2, 16, "`le` is NaN");
}

#[test]
fn decreasing_le() {
    let text = "# TYPE foo histogram\nfoo_bucket{le=\"1\"} 1\nfoo_bucket{le=\"0.5\"} 1\nfoo_bucket{le=\"+Inf\"} 1\n";
    let message = "bucket `le=\"0.5\"` comes after `le=\"1\"` (line 2): buckets are sorted by increasing `le`";
    assert_error(PROM, text, 3, 16, message);
    assert_error(OM, &format!("{text}# EOF\n"), 3, 16, message);
    assert_error(
        PROM,
        "# TYPE foo histogram\nfoo_bucket{le=\"1\"} 3\nfoo_bucket{le=\"+Inf\"} 2\n",
        3,
        23,
        "bucket counts are cumulative",
    );
    assert_error(
        PROM,
        "# TYPE foo histogram\nfoo_bucket{le=\"+Inf\"} 2\nfoo_count 3\n",
        3,
        1,
        "`foo_count` of `foo` is 3 but its `le=\"+Inf\"` bucket (line 2) is 2",
    );
}

#[test]
fn summary_quantiles() {
    assert_error(PROM, "# TYPE foo summary\nfoo 1\n", 2, 1, "summary sample `foo` has no `quantile` label");
    assert_error(OM, "# TYPE foo summary\nfoo{quantile=\"1.5\"} 1\n# EOF\n", 2, 15, "quantile `1.5` is outside [0, 1]");
    assert_error(
        PROM,
        "# TYPE foo summary\nfoo{quantile=\"0.9\"} 1\nfoo{quantile=\"0.5\"} 1\n",
        3,
        15,
        "quantile `0.5` comes after `0.9` (line 2)",
    );
}

#[test]
fn unit_not_a_suffix_of_the_name() {
    assert_error(
        OM,
        "# TYPE foo_seconds gauge\n# UNIT foo_seconds milliseconds\n# EOF\n",
        2,
        20,
        "unit `milliseconds` is not a suffix of the family name `foo_seconds`",
    );
    assert_error(OM, "# UNIT fooseconds seconds\n# EOF\n", 1, 19, "the name to end in `_seconds`");
    assert_error(
        OM,
        "# UNIT foo_seconds seconds\n# TYPE foo_seconds info\n# EOF\n",
        2,
        20,
        "an info family has no unit",
    );
    assert_error(OM, "# UNIT foo_s s-x\n# EOF\n", 1, 15, "a unit is made of `[a-zA-Z0-9_:]`");
}

#[test]
fn exemplar_on_a_gauge() {
    assert_error(
        OM,
        "# TYPE foo gauge\nfoo 1 # {trace_id=\"x\"} 1\n# EOF\n",
        2,
        7,
        "exemplars are allowed only on counter `_total` and histogram `_bucket` samples, not on `foo` of the gauge family",
    );
    assert_error(OM, "# TYPE foo counter\nfoo_created 1 # {a=\"b\"} 1\n# EOF\n", 2, 15, "not on `foo_created`");
    assert_error(OM, "foo 1 # {a=\"b\"} 1\n# EOF\n", 1, 7, "of the unknown family `foo`");
    assert_error(PROM, "foo_total 1 # {a=\"b\"} 1\n", 1, 13, "exemplars are not part of the Prometheus text format");
}

#[test]
fn exemplar_labels_over_128_characters() {
    let value = "v".repeat(129 - "trace_id".len());
    assert_error(
        OM,
        &format!("# TYPE foo counter\nfoo_total 1 # {{trace_id=\"{value}\"}} 1\n# EOF\n"),
        2,
        15,
        "exemplar labels have 129 characters: OpenMetrics allows at most 128",
    );
    // Characters, not bytes: 64 two-byte characters fit.
    let value = "é".repeat(128 - 1);
    ok(&format!("# TYPE foo counter\nfoo_total 1 # {{a=\"{value}\"}} 1\n# EOF\n"), OM);
}

#[test]
fn malformed_exemplars() {
    let counter = |exemplar: &str| format!("# TYPE foo counter\nfoo_total 1 {exemplar}\n# EOF\n");
    assert_error(OM, &counter("#{a=\"b\"} 1"), 2, 14, "expected a space after the `#` of an exemplar");
    assert_error(OM, &counter("# a 1"), 2, 15, "expected the label set `{...}` of an exemplar");
    assert_error(OM, &counter("# {a=\"b\"}"), 2, 22, "missing value after the exemplar's label set");
    assert_error(OM, &counter("# {a=\"b\"} x"), 2, 23, "invalid exemplar value `x`");
    assert_error(OM, &counter("# {a=\"b\"} 1 x"), 2, 25, "invalid timestamp `x`");
    assert_error(
        OM,
        &counter("# {a=\"b\"} 1 2 3"),
        2,
        26,
        "expected the end of the line after the exemplar's timestamp",
    );
}

#[test]
fn blank_line_in_openmetrics() {
    assert_error(OM, "foo 1\n\nbar 1\n# EOF\n", 2, 1, "empty line: OpenMetrics does not allow blank lines");
    assert_error(OM, "foo 1\n  \n# EOF\n", 2, 1, "empty line");
}

#[test]
fn whitespace_in_openmetrics() {
    assert_error(OM, "foo  1\n# EOF\n", 1, 5, "OpenMetrics separates tokens by exactly one space");
    assert_error(OM, "foo\t1\n# EOF\n", 1, 4, "expected a single space after `foo`, found a tab");
    assert_error(OM, "foo 1 \n# EOF\n", 1, 6, "trailing space at the end of the line");
    assert_error(OM, " foo 1\n# EOF\n", 1, 1, "expected a metric name or `#` at the start of the line, found a space");
    assert_error(OM, "foo{a=\"1\", b=\"2\"} 1\n# EOF\n", 1, 11, "OpenMetrics allows no whitespace in `{...}`");
    assert_error(OM, "foo {a=\"1\"} 1\n# EOF\n", 1, 5, "invalid value `{a=\"1\"}`");
    assert_error(OM, "foo 1\r\n# EOF\n", 1, 6, "carriage return at the end of the line");
}

#[test]
fn trailing_comma_only_in_prometheus_text() {
    ok("foo{a=\"1\",} 1\n", PROM);
    assert_error(
        OM,
        "foo{a=\"1\",} 1\n# EOF\n",
        1,
        10,
        "trailing comma in a label set: OpenMetrics does not allow one",
    );
}

#[test]
fn comments_only_in_prometheus_text() {
    ok("# just a comment\nfoo 1\n", PROM);
    let message = "OpenMetrics has no comments";
    assert_error(OM, "# just a comment\n# EOF\n", 1, 1, message);
    assert_error(OM, "#TYPE foo gauge\n# EOF\n", 1, 1, message);
    assert_error(OM, "# type foo gauge\n# EOF\n", 1, 1, "(keywords are uppercase: `# TYPE`)");
}

#[test]
fn prometheus_text_strictness() {
    assert_error(PROM, "foo 1", 1, 6, "the last line does not end with a line feed");
    assert_error(PROM, "foo 1 \n", 1, 6, "trailing whitespace after the value");
    assert_error(PROM, "foo 1 2 \n", 1, 8, "trailing whitespace after the timestamp");
    assert_error(PROM, "foo 1 2 3\n", 1, 9, "expected the end of the line after the timestamp, found `3`");
    assert_error(PROM, "foo 1\r\n", 1, 6, "carriage return at the end of the line");
}

#[test]
fn openmetrics_value_rules() {
    assert_error(OM, "# TYPE foo counter\nfoo_total -1\n# EOF\n", 2, 11, "a counter's total cannot be negative");
    assert_error(OM, "# TYPE foo counter\nfoo_total NaN\n# EOF\n", 2, 11, "a counter's total cannot be NaN");
    assert_error(OM, "# TYPE foo histogram\nfoo_bucket{le=\"+Inf\"} 1.5\n# EOF\n", 2, 23, "a count is an integer");
    assert_error(OM, "# TYPE foo info\nfoo_info 2\n# EOF\n", 2, 10, "an info sample is always 1");
    assert_error(OM, "# TYPE foo stateset\nfoo{foo=\"a\"} 2\n# EOF\n", 2, 14, "a state set sample is 0 or 1");
    assert_error(OM, "# TYPE foo stateset\nfoo{bar=\"a\"} 1\n# EOF\n", 2, 1, "has no label `foo` naming its state");
    assert_error(
        OM,
        "# TYPE foo histogram\nfoo_bucket{le=\"+Inf\"} 1\nfoo_count 1\n# EOF\n",
        3,
        1,
        "`foo` has `_count` but no `_sum`",
    );
    assert_error(
        OM,
        "# TYPE foo histogram\nfoo_bucket{le=\"-1.0\"} 0\nfoo_bucket{le=\"+Inf\"} 1\nfoo_count 1\nfoo_sum 1\n# EOF\n",
        5,
        1,
        "`foo` has negative buckets, so it cannot have `_sum`",
    );
}

// ----- robustness -----

/// Marsaglia's xorshift64.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

/// One random edit: a byte replaced, inserted or removed, a range deleted or
/// duplicated, or the text cut short. Bytes favour the format's punctuation.
fn mutate(bytes: &mut Vec<u8>, rng: &mut XorShift) {
    const INTERESTING: &[u8] = b"{}\",=\\# \t\n\r.+-eE0123456789_:aInNf";
    let byte = |rng: &mut XorShift| {
        if rng.below(4) == 0 { rng.below(256) as u8 } else { INTERESTING[rng.below(INTERESTING.len())] }
    };
    let at = rng.below(bytes.len() + 1);
    match rng.below(6) {
        0 if at < bytes.len() => bytes[at] = byte(rng),
        1 => bytes.insert(at, byte(rng)),
        2 if at < bytes.len() => {
            bytes.remove(at);
        }
        3 => {
            let end = (at + rng.below(40)).min(bytes.len());
            bytes.drain(at..end);
        }
        4 => {
            let end = (at + rng.below(60)).min(bytes.len());
            let copy = bytes[at..end].to_vec();
            let to = rng.below(bytes.len() + 1);
            bytes.splice(to..to, copy);
        }
        _ => bytes.truncate(at),
    }
}

#[test]
fn random_mutations_never_panic_and_errors_point_into_the_text() {
    let seeds = [
        fixture("realistic.prom"),
        fixture("realistic.openmetrics"),
        "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 3\nh_count 2\n".to_owned(),
        "# TYPE c counter\nc_total{a=\"\\\"x\\n\"} 1 1 # {t=\"y\"} 2 3\n# EOF\n".to_owned(),
    ];
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let (mut parsed, mut rejected) = (0, 0);
    for round in 0..4000 {
        let mut bytes = seeds[round % seeds.len()].clone().into_bytes();
        for _ in 0..=rng.below(4) {
            mutate(&mut bytes, &mut rng);
        }
        let text = String::from_utf8_lossy(&bytes);
        for format in [PROM, OM] {
            match parse(&text, format) {
                Ok(_) => parsed += 1,
                Err(error) => {
                    rejected += 1;
                    // The position is on a line of the text, at most one past
                    // its last character (or one line past the last line).
                    let lines: Vec<&str> = text.split('\n').collect();
                    assert!(error.line >= 1 && error.line <= lines.len() + 1, "{error} in {text:?}");
                    let width = lines.get(error.line - 1).map_or(0, |l| l.chars().count());
                    assert!(error.column >= 1 && error.column <= width + 1, "{error} in {text:?}");
                    assert!(!error.message.is_empty());
                }
            }
        }
    }
    assert!(
        parsed > 100 && rejected > 1000,
        "the mutations exercise both outcomes: {parsed} parsed, {rejected} rejected"
    );
}
