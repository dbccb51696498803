//! The checks behind the fuzz targets of `fuzz/`: each takes arbitrary bytes
//! and panics on a bug. libFuzzer calls them from `fuzz/fuzz_targets/`, and
//! `tests/fuzz_corpora.rs` replays every committed corpus entry and crash
//! through the same functions in an ordinary `cargo test`.

use std::path::Path;

use metricate::encode::{self as encoding, Format as EncodeFormat};
use metricate::server::ServerBuilder;
use metricate::{Collect, Registry, SeriesVisitor, Value};
use metricate_catalog::check::{Checker, Options};
use metricate_catalog::exposition::{self, Format};
use metricate_catalog::{Descriptor, Label, MetricKind, Source};

/// A fuzz target's check: panics on a bug.
pub type Check = fn(&[u8]);

/// The targets, by name: what `fuzz/fuzz_targets/<name>.rs` runs.
pub const TARGETS: &[(&str, Check)] = &[
    ("exposition_parser", exposition_parser),
    ("encode_roundtrip", encode_roundtrip),
    ("negotiation", negotiation),
    ("policy_reader", policy_reader),
    ("server_request", server_request),
];

/// The strict parser, in both formats: it never panics, gives each error a
/// position inside the text and a bounded message, and the family-by-family
/// parser and checker agree with the whole-text parser.
pub fn exposition_parser(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let lines = text.split('\n').count();
    for format in [Format::Prometheus, Format::OpenMetrics] {
        match exposition::parse(text, format) {
            Ok(parsed) => {
                let mut families = 0;
                let options = Options::default();
                let mut checker = Checker::new(&options);
                let counted = exposition::parse_each(text, format, |family| {
                    // Compared as written out: NaN values are not equal to
                    // themselves.
                    let (whole, each) = (format!("{:?}", parsed.families[families]), format!("{family:?}"));
                    assert_eq!(whole, each, "parse_each and parse disagree");
                    families += 1;
                    checker.family(&family);
                })
                .expect("what parses whole parses family by family");
                assert_eq!((counted, families), (parsed.families.len(), parsed.families.len()));
                for family in &parsed.families {
                    for sample in &family.samples {
                        let mut names: Vec<&str> = sample.labels.iter().map(|(n, _)| n.as_str()).collect();
                        names.sort_unstable();
                        assert!(names.windows(2).all(|w| w[0] != w[1]), "a label named twice was accepted");
                    }
                }
                for finding in checker.finish() {
                    assert!(
                        finding.message.chars().count() <= 1025,
                        "a finding of {} characters",
                        finding.message.len()
                    );
                }
            }
            Err(error) => {
                assert!(error.line >= 1 && error.line <= lines + 1, "line {} of {lines}", error.line);
                assert!(error.column >= 1, "column 0");
                assert!(error.message.chars().count() <= 1025, "an error of {} characters", error.message.len());
                assert!(!error.message.is_empty());
            }
        }
    }
}

/// Label values, help text and float values, from arbitrary bytes, through
/// both encoders and back through the strict parser: everything comes back
/// exactly (floats bit for bit, NaN as NaN).
///
/// The bytes are split at `0xFF` (never in UTF-8): the first piece is the
/// help text, the next up to 8 the values of a label, and the last piece's
/// bytes, 8 at a time, the values of the series.
pub fn encode_roundtrip(data: &[u8]) {
    let mut pieces = data.split(|b| *b == 0xFF);
    let help = String::from_utf8_lossy(pieces.next().unwrap_or_default()).into_owned();
    let mut rest: Vec<&[u8]> = pieces.collect();
    let numbers = rest.pop().unwrap_or_default();
    let mut values: Vec<String> = Vec::new();
    for piece in rest.into_iter().take(8) {
        let value = String::from_utf8_lossy(piece).into_owned();
        // Label values are non-empty, distinct, and `unknown` is reserved
        // (rule L7): what a declaration can hold.
        if !value.is_empty() && value != Label::UNKNOWN && !values.contains(&value) {
            values.push(value);
        }
    }
    // Help text as the derives write it: trimmed, not empty (rule N7).
    let help = match help.trim() {
        "" => "help".to_owned(),
        trimmed => trimmed.to_owned(),
    };
    let floats: Vec<f64> = numbers
        .chunks_exact(8)
        .map(|chunk| f64::from_bits(u64::from_le_bytes(chunk.try_into().expect("8 bytes"))))
        .collect();
    let series = values.len().max(1);
    let levels: Vec<f64> = (0..series).map(|i| floats.get(i).copied().unwrap_or(i as f64)).collect();

    with_gauge(&help, &values, |descriptor| {
        let metric = Levels(&levels);
        let mut registry = Registry::new();
        registry.register(descriptor, &metric).expect("one metric registers");
        for (encoder, parser) in
            [(EncodeFormat::Prometheus, Format::Prometheus), (EncodeFormat::OpenMetrics, Format::OpenMetrics)]
        {
            let mut out = Vec::new();
            encoder.encode(&registry, &mut out);
            let text = std::str::from_utf8(&out).expect("the encoders write UTF-8");
            let parsed = exposition::parse(text, parser).unwrap_or_else(|e| panic!("{parser:?}: {e}\n{text}"));
            let family = &parsed.families[0];
            assert_eq!(family.help.as_deref(), Some(help.as_str()), "{parser:?}: the help text changed:\n{text}");
            assert_eq!(family.samples.len(), series, "{parser:?}:\n{text}");
            for (i, sample) in family.samples.iter().enumerate() {
                if let Some(value) = values.get(i) {
                    assert_eq!(
                        sample.label("value"),
                        Some(value.as_str()),
                        "{parser:?}: a label value changed:\n{text}"
                    );
                }
                let (wrote, read) = (levels[i], sample.value);
                let same = wrote.to_bits() == read.to_bits() || (wrote.is_nan() && read.is_nan());
                assert!(same, "{parser:?}: {wrote:?} came back as {read:?}:\n{text}");
            }
        }
    });
}

/// A gauge family whose series are read from a slice.
struct Levels<'a>(&'a [f64]);

impl Collect for Levels<'_> {
    fn collect(&self, visitor: &mut dyn SeriesVisitor) {
        for (index, value) in self.0.iter().enumerate() {
            visitor.series(index, Value::Float(*value));
        }
    }
}

/// Runs `f` with a gauge descriptor called `trc_fuzz_level` with this help
/// text and, if `values` is not empty, a label `value` with these values.
///
/// Descriptors are `'static` (the derives emit them as statics); a fuzz
/// target that leaked one per input would run out of memory, so this one is
/// built in leaked boxes and taken back after `f`.
fn with_gauge(help: &str, values: &[String], f: impl FnOnce(&'static Descriptor)) {
    struct Arena {
        text: *mut str,
        values: *mut [&'static str],
        escaped: *mut [&'static str],
        labels: *mut [Label],
        descriptor: *mut Descriptor,
    }
    impl Drop for Arena {
        fn drop(&mut self) {
            // SAFETY: each pointer comes from `Box::leak` below and is
            // reclaimed once, here, after `f` returned. The references `f`
            // was given do not outlive it: `f` keeps them in a local
            // registry and the encoders keep nothing between calls.
            #[allow(unsafe_code, reason = "reclaiming the descriptor leaked for one fuzz input")]
            unsafe {
                drop(Box::from_raw(self.descriptor));
                drop(Box::from_raw(self.labels));
                drop(Box::from_raw(self.escaped));
                drop(Box::from_raw(self.values));
                drop(Box::from_raw(self.text));
            }
        }
    }

    // Every string in one buffer: the help text, then each value and its
    // escaped form.
    let mut text = String::from(help);
    let mut spans = Vec::new();
    for value in values {
        let start = text.len();
        text.push_str(value);
        let middle = text.len();
        text.push_str(&metricate_catalog::escape::label_value(value));
        spans.push((start, middle, text.len()));
    }
    let text: &'static str = Box::leak(text.into_boxed_str());
    let value_list: &'static [&'static str] = Box::leak(spans.iter().map(|&(a, b, _)| &text[a..b]).collect());
    let escaped: &'static [&'static str] = Box::leak(spans.iter().map(|&(_, b, c)| &text[b..c]).collect());
    let labels: &'static [Label] = if values.is_empty() {
        Box::leak(Box::new([]))
    } else {
        Box::leak(Box::new([Label::new("value", value_list, escaped, false, None)]))
    };
    let source = Source { file: file!(), line: line!(), column: 1, module_path: module_path!(), function: None };
    let descriptor: &'static Descriptor = Box::leak(Box::new(Descriptor {
        labels,
        subsystem: "fuzz",
        ..Descriptor::new("trc_fuzz_level", &text[..help.len()], MetricKind::Gauge, source)
    }));
    let _arena = Arena {
        text: std::ptr::from_ref(text).cast_mut(),
        values: std::ptr::from_ref(value_list).cast_mut(),
        escaped: std::ptr::from_ref(escaped).cast_mut(),
        labels: std::ptr::from_ref(labels).cast_mut(),
        descriptor: std::ptr::from_ref(descriptor).cast_mut(),
    };
    f(descriptor);
}

/// `Accept` and `Accept-Encoding` negotiation on arbitrary header text:
/// never a panic, and the answers follow from the header.
pub fn negotiation(data: &[u8]) {
    let header = String::from_utf8_lossy(data);
    let lower = header.to_ascii_lowercase();
    let format = EncodeFormat::negotiate(Some(&header));
    let _ = encoding::accepts_gzip(Some(&header));
    // Refusing a coding explicitly, last, always wins over `*`.
    let refused = format!("{header},gzip;q=0");
    assert!(!encoding::accepts_gzip(Some(&refused)), "gzip;q=0 was not a refusal: {refused:?}");
    // A header that names no OpenMetrics media range never gets it.
    if !lower.contains("application/openmetrics-text") {
        assert_eq!(format, EncodeFormat::Prometheus, "{header:?}");
    }
    // OpenMetrics asked for at full strength, where nothing asks for text,
    // is what is served.
    if !lower.contains("text/") && !lower.contains("*/*") {
        let asked = format!("application/openmetrics-text;version=1.0.0,{header}");
        assert_eq!(EncodeFormat::negotiate(Some(&asked)), EncodeFormat::OpenMetrics, "{asked:?}");
    }
}

/// The policy reader on arbitrary manifests: a policy or errors, never a
/// panic, and every error names the manifest it is about.
pub fn policy_reader(data: &[u8]) {
    let split = data.iter().position(|b| *b == 0xFF);
    let (package, workspace) = match split {
        Some(at) => (&data[..at], Some(&data[at + 1..])),
        None => (data, None),
    };
    let package_path = Path::new("app/Cargo.toml");
    let workspace_path = Path::new("Cargo.toml");
    let result = metricate_catalog::manifest::policy_from_manifests(
        Some((package_path, package)),
        workspace.map(|bytes| (workspace_path, bytes)),
    );
    match result {
        Ok(Some(policy)) => {
            assert!(policy.max_series <= policy.series_ceiling, "{policy:?}");
            assert!((1..=metricate_catalog::DEFAULT_MAX_LABELS).contains(&policy.max_labels), "{policy:?}");
        }
        Ok(None) => {}
        Err(errors) => {
            assert!(!errors.is_empty());
            for error in errors {
                assert!(error.contains("Cargo.toml"), "an error that names no manifest: {error}");
            }
        }
    }
}

/// Raw bytes as a request stream to the server, over an in-memory
/// connection: an answer that is HTTP/1.1 with a known status, or none, never
/// a panic; a complete request for `/health` is answered `200`.
pub fn server_request(data: &[u8]) {
    let settings = ServerBuilder::new();
    let answer = metricate::server::__answer_bytes(settings, data).expect("the server starts");
    if answer.is_empty() {
        return;
    }
    let head = std::str::from_utf8(&answer[..answer.len().min(12)]).unwrap_or("");
    let status: Option<u16> = head.strip_prefix("HTTP/1.").and_then(|rest| rest.get(2..5)).and_then(|s| s.parse().ok());
    assert!(
        matches!(status, Some(200 | 400 | 401 | 404 | 405 | 408 | 413 | 414 | 431 | 500 | 505)),
        "unexpected answer: {:?}",
        String::from_utf8_lossy(&answer[..answer.len().min(200)])
    );
    assert_ne!(status, Some(500), "a request made the server fail");
}

/// Every file of `dir`, sorted, or none if it does not exist.
pub fn corpus(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file()).collect())
        .unwrap_or_default();
    files.sort();
    files
}
