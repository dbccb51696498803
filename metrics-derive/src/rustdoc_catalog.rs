//! The committed catalogue a metric's rustdoc lists its labels from (policy
//! key `rustdoc_catalog`, feature `rustdoc-catalog`).
//!
//! A `#[derive(Metrics)]` sees a family's label set only as a type name: its
//! labels are declared by another derive, its values by yet another, maybe in
//! another crate. The JSON catalogue the program keeps committed (and a test
//! keeps in sync, `metricate::docs::assert_catalogue_file`) has every
//! metric's labels and values, so the derive reads it and writes them into
//! the descriptor constant's rustdoc. The file is `include_bytes!`-ed, so
//! that rewriting it rebuilds the docs.

use std::collections::HashMap;
use std::path::Path;

use proc_macro2::Span;

use crate::ctxt::Ctxt;

/// One label of a metric, as the catalogue has it.
pub(crate) struct DocLabel {
    pub(crate) name: String,
    /// The values in order; empty for a capped label.
    pub(crate) values: Vec<String>,
    /// Whether `unknown` may appear too.
    pub(crate) unknown: bool,
    /// A capped label's cap.
    pub(crate) cap: Option<u64>,
}

/// What the catalogue says of one metric.
pub(crate) struct DocMetric {
    pub(crate) labels: Vec<DocLabel>,
    pub(crate) quiet: bool,
}

/// The catalogue, by metric name.
pub(crate) struct Committed {
    /// The file's name, for the docs (not its path, which is the machine's).
    pub(crate) file: String,
    /// `None` when the file does not exist yet.
    pub(crate) metrics: Option<HashMap<String, DocMetric>>,
}

/// The catalogue the policy names, if it names one; `cx` is handed the
/// tracking of the file. Errors (unreadable, not a catalogue, the feature
/// off) are reported at the macro's call site; the docs then do without.
pub(crate) fn load(cx: &Ctxt, policy: &metricate_spec::Policy) -> Option<Committed> {
    let path = policy.rustdoc_catalog.as_ref()?;
    if !cfg!(feature = "rustdoc-catalog") {
        cx.error_at(
            Span::call_site(),
            "the metrics policy names a rustdoc catalogue (`rustdoc_catalog`), which needs the `rustdoc-catalog` \
             feature of `metricate`\n= help: depend on `metricate = { version = \"0.1\", features = \
             [\"rustdoc-catalog\"] }`, or remove `rustdoc_catalog` from the policy",
        );
        return None;
    }
    let file = path.file_name().map_or_else(|| path.display().to_string(), |f| f.to_string_lossy().into_owned());
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Some(Committed { file, metrics: None });
        }
        Err(e) => {
            cx.error_at(Span::call_site(), format_args!("cannot read the rustdoc catalogue {}: {e}", path.display()));
            return None;
        }
    };
    cx.track(crate::policy::track_file(&path.display().to_string()));
    match parse(&text) {
        Ok(metrics) => Some(Committed { file, metrics: Some(metrics) }),
        Err(error) => {
            cx.error_at(Span::call_site(), unreadable(path, &error));
            None
        }
    }
}

fn unreadable(path: &Path, error: &str) -> String {
    format!(
        "the rustdoc catalogue {} is not a catalogue this version reads: {error}\n\
         = note: the policy's `rustdoc_catalog` names it; the derive lists each metric's labels from it\n\
         = help: delete the file and write it again from the program (`metricate::docs::assert_catalogue_file` \
         with `Rendering::Json` and METRICS_CATALOG_UPDATE=1), or remove `rustdoc_catalog` from the policy",
        path.display()
    )
}

#[cfg(feature = "rustdoc-catalog")]
fn parse(text: &str) -> Result<HashMap<String, DocMetric>, String> {
    let catalog = metricate_catalog::json::Catalog::from_json(text).map_err(|e| e.to_string())?;
    Ok(catalog
        .metrics
        .into_iter()
        .map(|m| {
            let labels = m
                .labels
                .into_iter()
                .map(|l| DocLabel { name: l.name, values: l.values, unknown: l.unknown, cap: l.cap })
                .collect();
            (m.name, DocMetric { labels, quiet: m.quiet })
        })
        .collect())
}

/// Without the feature, `load` refuses the key before reading anything.
#[cfg(not(feature = "rustdoc-catalog"))]
fn parse(_: &str) -> Result<HashMap<String, DocMetric>, String> {
    Err("the `rustdoc-catalog` feature is off".into())
}

impl Committed {
    /// The rustdoc lines of a metric with labels: each label with its
    /// values, or where to look when the catalogue does not have it.
    pub(crate) fn label_lines(&self, name: &str, label_set: &str) -> Vec<String> {
        let file = &self.file;
        let Some(metric) = self.metrics.as_ref().and_then(|m| m.get(name)) else {
            return vec![format!(
                " - labels: the fields of [`{label_set}`] (not in the committed catalogue `{file}` yet: write it \
                 again from the program to list them here)"
            )];
        };
        let mut lines =
            vec![format!(" - labels (of [`{label_set}`], as the committed catalogue `{file}` lists them):")];
        for label in &metric.labels {
            let mut values: Vec<String> = label.values.iter().map(|v| format!("`{v}`")).collect();
            let mut text = match label.cap {
                Some(cap) => {
                    values.push("`other` beyond the cap".to_owned());
                    format!("capped at {cap} values the program sets; {}", values.join(", "))
                }
                None => values.join(", "),
            };
            if label.unknown {
                text.push_str(", or `unknown` when missing");
            }
            lines.push(format!("   - `{}`: {text}", label.name));
        }
        lines
    }

    /// Whether the catalogue says the metric is quiet.
    pub(crate) fn quiet(&self, name: &str) -> bool {
        self.metrics.as_ref().and_then(|m| m.get(name)).is_some_and(|m| m.quiet)
    }
}

#[cfg(all(test, feature = "rustdoc-catalog"))]
mod tests {
    use super::*;

    const CATALOG: &str = r#"{"schema": "metrics-catalog", "schema_version": 1, "metrics": [
        {"name": "shop_http_requests_total", "type": "counter", "unit": null, "help": "Requests.",
         "labels": [
            {"name": "method", "values": ["get", "post"]},
            {"name": "route", "values": [], "cap": 15},
            {"name": "status", "values": ["2xx", "5xx"], "unknown": true}
         ],
         "series": 96, "version": "1.0.0", "deprecated": null, "quiet": true,
         "source": {"file": "src/lib.rs", "line": 1, "column": 1, "module": "shop"}}
    ]}"#;

    #[test]
    fn a_family_in_the_catalogue_lists_its_labels_and_values() {
        let committed = Committed { file: "METRICS.json".into(), metrics: Some(parse(CATALOG).unwrap()) };
        assert_eq!(
            committed.label_lines("shop_http_requests_total", "ByResponse<Route>"),
            [
                " - labels (of [`ByResponse<Route>`], as the committed catalogue `METRICS.json` lists them):",
                "   - `method`: `get`, `post`",
                "   - `route`: capped at 15 values the program sets; `other` beyond the cap",
                "   - `status`: `2xx`, `5xx`, or `unknown` when missing",
            ]
        );
        assert!(committed.quiet("shop_http_requests_total"));
    }

    #[test]
    fn a_family_not_in_the_catalogue_says_so() {
        for metrics in [Some(parse(CATALOG).unwrap()), None] {
            let committed = Committed { file: "METRICS.json".into(), metrics };
            assert_eq!(
                committed.label_lines("shop_jobs_total", "Jobs"),
                [" - labels: the fields of [`Jobs`] (not in the committed catalogue `METRICS.json` yet: write it \
                   again from the program to list them here)"]
            );
            assert!(!committed.quiet("shop_jobs_total"));
        }
    }

    #[test]
    fn a_document_that_is_not_a_catalogue_is_an_error() {
        let error = parse("{\"schema\": \"other\"}").err().unwrap();
        assert!(error.starts_with("not a metrics catalogue"), "{error}");
        let message = unreadable(Path::new("/repo/METRICS.json"), &error);
        assert!(message.starts_with("the rustdoc catalogue /repo/METRICS.json is not a catalogue"), "{message}");
    }
}
