//! The catalogue renderings of a fixed catalogue.
//!
//! The Markdown is compared byte for byte with `tests/golden/catalog.md`.
//! After an intended change, regenerate the file and review its diff:
//!
//! ```text
//! METRICS_CATALOG_UPDATE=1 cargo test -p metricate-catalog --features json,golden --test render
//! ```
//!
//! The HTML is checked for its structure instead (a card per metric, every
//! string escaped, nothing fetched from the network); the browser test in
//! `tests/tests/catalog_html.rs` drives its script.
#![cfg(all(feature = "json", feature = "golden"))]

use std::path::PathBuf;

use metricate_catalog::json::{Catalog, Deprecated, Metric, MetricLabel, MetricSource, SCHEMA, SCHEMA_VERSION};
use metricate_catalog::render::{html, markdown};

fn label(name: &str, values: &[&str], unknown: bool, cap: Option<u64>) -> MetricLabel {
    MetricLabel {
        name: name.to_owned(),
        values: values.iter().map(|v| (*v).to_owned()).collect(),
        unknown,
        cap,
        build: false,
        errors: Vec::new(),
    }
}

fn source(file: &str, line: u32, module: &str, function: Option<&str>) -> MetricSource {
    MetricSource {
        file: file.to_owned(),
        line,
        column: 5,
        module: module.to_owned(),
        function: function.map(str::to_owned),
    }
}

/// Nine metrics in three subsystems and one without, of every kind: in no
/// particular order, since the renderers sort.
#[allow(clippy::too_many_lines)] // one literal per metric of the fixture
fn fixture() -> Catalog {
    let metrics = vec![
        Metric {
            name: "trc_agent_instance_boot_seconds".to_owned(),
            kind: metricate_catalog::MetricKind::Histogram,
            unit: Some("seconds".to_owned()),
            help: "Time from `start` to ready, per boot.".to_owned(),
            subsystem: "agent".to_owned(),
            labels: vec![label("result", &["ok", "error"], false, None)],
            buckets: vec![0.005, 0.1, 1.0, 2.5, 10.0],
            quantiles: Vec::new(),
            max_age_seconds: None,
            age_buckets: None,
            exemplars: false,
            created: false,
            alerts: vec![],
            series: 2,
            version: "1.1.0".to_owned(),
            deprecated: None,
            quiet: false,
            source: source("demo/src/metrics/agent.rs", 181, "demo::metrics::agent", Some("boot")),
        },
        Metric {
            name: "trc_http_requests_total".to_owned(),
            kind: metricate_catalog::MetricKind::Counter,
            unit: None,
            help: "HTTP requests | by method & status <script>alert('x')</script> *not bold* _nor_ [a link](x)."
                .to_owned(),
            subsystem: "http".to_owned(),
            labels: vec![label("method", &["get", "post"], false, None), label("status", &["2xx", "5xx"], false, None)],
            buckets: vec![],
            quantiles: Vec::new(),
            max_age_seconds: None,
            age_buckets: None,
            exemplars: false,
            created: false,
            alerts: vec![],
            series: 4,
            version: "1.0.0".to_owned(),
            deprecated: None,
            quiet: true,
            source: source("demo/src/metrics/api.rs", 102, "demo::metrics::api", None),
        },
        Metric {
            name: "trc_agent_peers".to_owned(),
            kind: metricate_catalog::MetricKind::Gauge,
            unit: None,
            help: "Overlay peers by node and \"zone\".".to_owned(),
            subsystem: "agent".to_owned(),
            labels: vec![label("node_id", &[], false, Some(64)), label("zone", &["a`b", "c"], true, None)],
            buckets: vec![],
            quantiles: Vec::new(),
            max_age_seconds: None,
            age_buckets: None,
            exemplars: false,
            created: false,
            alerts: vec![],
            series: 195,
            version: "1.0.0".to_owned(),
            deprecated: None,
            quiet: false,
            source: source("demo/src/metrics/agent.rs", 170, "demo::metrics::agent", None),
        },
        Metric {
            name: "trc_http_hits_total".to_owned(),
            kind: metricate_catalog::MetricKind::Counter,
            unit: None,
            help: "Requests, counted before routing.".to_owned(),
            subsystem: "http".to_owned(),
            labels: vec![],
            buckets: vec![],
            quantiles: Vec::new(),
            max_age_seconds: None,
            age_buckets: None,
            exemplars: false,
            created: false,
            alerts: vec![],
            series: 1,
            version: "2.0.0".to_owned(),
            deprecated: Some(Deprecated {
                reason: "counts health checks too".to_owned(),
                replacement: Some("trc_http_requests_total".to_owned()),
            }),
            quiet: true,
            source: source("demo/src/metrics/api.rs", 98, "demo::metrics::api", None),
        },
        Metric {
            name: "trc_build_info".to_owned(),
            kind: metricate_catalog::MetricKind::Gauge,
            unit: None,
            help: "# Build: 1. always 1".to_owned(),
            subsystem: String::new(),
            labels: vec![label("version", &["0.1.0"], false, None)],
            buckets: vec![],
            quantiles: Vec::new(),
            max_age_seconds: None,
            age_buckets: None,
            exemplars: false,
            created: false,
            alerts: vec![],
            series: 1,
            version: "1.0.0".to_owned(),
            deprecated: Some(Deprecated { reason: "moved to the process exporter".to_owned(), replacement: None }),
            quiet: false,
            source: source("demo/src/main.rs", 7, "demo", None),
        },
        Metric {
            name: "trc_worker_step_seconds".to_owned(),
            kind: metricate_catalog::MetricKind::Summary,
            unit: Some("seconds".to_owned()),
            help: "Time one step took.".to_owned(),
            subsystem: "worker".to_owned(),
            labels: vec![label("component", &["api", "edge"], false, None)],
            buckets: vec![],
            quantiles: vec![0.5, 0.9, 0.99],
            max_age_seconds: Some(600),
            age_buckets: Some(5),
            exemplars: false,
            created: true,
            alerts: vec![],
            series: 2,
            version: "1.0.0".to_owned(),
            deprecated: None,
            quiet: false,
            source: source("demo/src/metrics/service.rs", 45, "demo::metrics::service", None),
        },
        Metric {
            name: "trc_agent_lifecycle".to_owned(),
            kind: metricate_catalog::MetricKind::StateSet,
            unit: None,
            help: "Where the agent is in its lifecycle.".to_owned(),
            subsystem: "agent".to_owned(),
            labels: vec![label("trc_agent_lifecycle", &["starting", "running", "draining", "stopped"], false, None)],
            buckets: vec![],
            quantiles: Vec::new(),
            max_age_seconds: None,
            age_buckets: None,
            exemplars: false,
            created: false,
            alerts: vec![],
            series: 4,
            version: "1.0.0".to_owned(),
            deprecated: None,
            quiet: false,
            source: source("demo/src/metrics/agent.rs", 228, "demo::metrics::agent", None),
        },
        Metric {
            name: "trc_worker_jobs_total".to_owned(),
            kind: metricate_catalog::MetricKind::Counter,
            unit: None,
            help: "Jobs run, with the trace of the latest.".to_owned(),
            subsystem: "worker".to_owned(),
            labels: vec![label("result", &["ok", "error"], false, None)],
            buckets: vec![],
            quantiles: Vec::new(),
            max_age_seconds: None,
            age_buckets: None,
            exemplars: true,
            created: true,
            alerts: vec![],
            series: 2,
            version: "1.0.0".to_owned(),
            deprecated: None,
            quiet: false,
            source: source("demo/src/metrics/service.rs", 52, "demo::metrics::service", None),
        },
        Metric {
            name: "trc_worker_config_info".to_owned(),
            kind: metricate_catalog::MetricKind::Info,
            unit: None,
            help: "The worker's configuration.".to_owned(),
            subsystem: "worker".to_owned(),
            labels: vec![label("mode", &["batch", "stream"], false, None)],
            buckets: vec![],
            quantiles: Vec::new(),
            max_age_seconds: None,
            age_buckets: None,
            exemplars: false,
            created: false,
            alerts: vec![],
            series: 2,
            version: "1.0.0".to_owned(),
            deprecated: None,
            quiet: false,
            source: source("demo/src/metrics/service.rs", 30, "demo::metrics::service", None),
        },
    ];
    Catalog { schema: SCHEMA.to_owned(), schema_version: SCHEMA_VERSION, metrics }
}

#[test]
fn markdown_matches_the_golden_file() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/catalog.md");
    metricate_catalog::golden::assert_generated_file(path, &markdown(&fixture()));
}

#[test]
fn markdown_is_independent_of_the_catalogue_order() {
    let mut reversed = fixture();
    reversed.metrics.reverse();
    assert_eq!(markdown(&reversed), markdown(&fixture()));
}

#[test]
fn markdown_sections_follow_subsystems_then_names() {
    let text = markdown(&fixture());
    let headings: Vec<&str> = text.lines().filter(|l| l.starts_with("## ") || l.starts_with("### ")).collect();
    assert_eq!(
        headings,
        [
            "## agent",
            "### `trc_agent_instance_boot_seconds`",
            "### `trc_agent_lifecycle`",
            "### `trc_agent_peers`",
            "## http",
            "### `trc_http_hits_total`",
            "### `trc_http_requests_total`",
            "## worker",
            "### `trc_worker_config_info`",
            "### `trc_worker_jobs_total`",
            "### `trc_worker_step_seconds`",
            "## (no subsystem)",
            "### `trc_build_info`",
        ]
    );
}

/// The `data-metric` names on the page, in order.
fn cards(page: &str) -> Vec<&str> {
    page.match_indices("data-metric=\"")
        .map(|(i, m)| {
            let rest = &page[i + m.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

#[test]
fn html_has_one_card_per_metric() {
    let page = html(&fixture());
    assert_eq!(
        cards(&page),
        [
            "trc_agent_instance_boot_seconds",
            "trc_agent_lifecycle",
            "trc_agent_peers",
            "trc_http_hits_total",
            "trc_http_requests_total",
            "trc_worker_config_info",
            "trc_worker_jobs_total",
            "trc_worker_step_seconds",
            "trc_build_info"
        ]
    );
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(page.ends_with("</html>\n"));
    assert_eq!(page.matches("<article ").count(), 9);
    assert_eq!(page.matches("</article>").count(), 9);
}

#[test]
fn html_escapes_every_catalogue_string() {
    let page = html(&fixture());
    assert!(!page.contains("<script>alert"), "help text must render as text");
    assert!(page.contains(
        "HTTP requests | by method &amp; status &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; *not bold* _nor_ \
         [a link](x)."
    ));
    assert!(page.contains("Overlay peers by node and &quot;zone&quot;."));
    assert!(page.contains("<code class=\"label-value\">a`b</code>"));
    // The only script is the page's own, at the end.
    assert_eq!(page.matches("<script>").count(), 1);
    assert_eq!(page.matches("</script>").count(), 1);
    assert!(page.rfind("<script>").unwrap() > page.rfind("</article>").unwrap());
}

#[test]
fn html_fetches_nothing() {
    let page = html(&fixture());
    for needle in ["http://", "https://", "src=", "url(", "@import", "<link", "<iframe", "<img"] {
        assert!(!page.contains(needle), "the page must be self-contained, found {needle:?}");
    }
    // Links stay on the page.
    for (i, _) in page.match_indices("href=\"") {
        assert_eq!(&page[i + 6..i + 7], "#", "{}", &page[i..(i + 60).min(page.len())]);
    }
    assert!(page.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"));
}

#[test]
fn html_has_the_controls_and_works_without_the_script() {
    let page = html(&fixture());
    assert!(page.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
    assert!(page.contains("<input type=\"search\" id=\"search\""));
    assert!(page.contains("<select id=\"subsystem\""));
    assert!(page.contains("<option value=\"agent\">agent (3)</option>"));
    assert!(page.contains("<option value=\"(none)\">(no subsystem) (1)</option>"));
    assert!(page.contains("<select id=\"type\""));
    assert!(page.contains("<option value=\"histogram\">histogram (1)</option>"));
    // The kinds in their order: the summary's, then the info metrics' and the
    // state sets'.
    let options: Vec<&str> =
        page.lines().filter(|l| l.starts_with("<option value=\"") && !l.contains("subsystem")).collect();
    assert!(
        options.ends_with(&[
            "<option value=\"counter\">counter (3)</option>",
            "<option value=\"gauge\">gauge (2)</option>",
            "<option value=\"histogram\">histogram (1)</option>",
            "<option value=\"summary\">summary (1)</option>",
            "<option value=\"info\">info (1)</option>",
            "<option value=\"stateset\">stateset (1)</option>",
        ]),
        "{options:#?}"
    );
    assert!(page.contains(
        "<p class=\"summary\">9 metrics in 3 subsystems (and 1 without one): 3 counters, 2 gauges, 1 histogram, 1 \
         summary, 1 info metric, 1 state set; 2 deprecated.</p>"
    ));
    assert!(page.contains("Showing <strong id=\"count\">9</strong> of 9 metrics"));
    // Without the script every card shows: none starts hidden.
    for line in page.lines().filter(|l| l.starts_with("<article ") || l.starts_with("<section ")) {
        assert!(!line.contains("hidden"), "{line}");
    }
}

#[test]
fn html_marks_deprecations_and_links_replacements() {
    let page = html(&fixture());
    assert!(page.contains(
        "<article class=\"metric deprecated\" id=\"trc_http_hits_total\" data-metric=\"trc_http_hits_total\" \
         data-subsystem=\"http\" data-type=\"counter\">"
    ));
    assert!(page.contains(
        "<p class=\"deprecation\"><strong>Deprecated</strong>: counts health checks too. Use <a \
         href=\"#trc_http_requests_total\"><code>trc_http_requests_total</code></a> instead.</p>"
    ));
    assert_eq!(page.matches("<span class=\"tag warn\">deprecated</span>").count(), 2);
    assert!(page.contains("<code class=\"label-name\">node_id</code>: up to 64 values met at run time"));
    assert!(page.contains("<dd class=\"buckets\">0.005, 0.1, 1, 2.5, 10, +Inf</dd>"));
}

#[test]
fn quiet_metrics_say_so_when_they_have_labels() {
    let catalog = fixture();
    let page = html(&catalog);
    assert_eq!(page.matches("<span class=\"tag\">quiet</span>").count(), 1);
    assert!(page.contains("<dt>Series</dt><dd>4, only those recorded to are exposed (quiet)</dd>"));
    // Quiet without labels changes nothing: its one series is always there.
    let markdown = markdown(&catalog);
    assert_eq!(markdown.matches("(quiet)").count(), 1);
    assert!(markdown.contains("- **Series:** 4, only those recorded to are exposed (quiet)\n"));
}

/// The card of `name` on the page.
fn card<'p>(page: &'p str, name: &str) -> &'p str {
    let start = page.find(&format!("<article class=\"metric\" id=\"{name}\"")).unwrap();
    let end = start + page[start..].find("</article>").unwrap();
    &page[start..end]
}

/// The list items of `name`'s section in the Markdown.
fn section<'t>(text: &'t str, name: &str) -> Vec<&'t str> {
    let heading = format!("### `{name}`\n");
    let start = text.find(&heading).unwrap() + heading.len();
    text[start..].lines().skip_while(|l| !l.starts_with("- ")).take_while(|l| !l.is_empty()).collect()
}

#[test]
fn summaries_show_their_quantiles_and_window() {
    let catalog = fixture();
    assert_eq!(
        section(&markdown(&catalog), "trc_worker_step_seconds"),
        [
            "- **Type:** summary",
            "- **Unit:** seconds",
            "- **Labels:**",
            "  - `component`: `api`, `edge`",
            "- **Quantiles:** 0.5, 0.9, 0.99 over the last 10 min, moving in 5 steps of 2 min",
            "- **Created:** `trc_worker_step_seconds_created` (OpenMetrics only)",
            "- **Series:** 2",
            "- **Version:** 1.0.0",
            "- **Declared at:** `demo/src/metrics/service.rs:45:5` in `demo::metrics::service`",
        ]
    );
    let page = html(&catalog);
    let card = card(&page, "trc_worker_step_seconds");
    assert!(card.contains("data-type=\"summary\""));
    assert!(card.contains(
        "<dt>Quantiles</dt><dd class=\"quantiles\">0.5, 0.9, 0.99 over the last 10 min, moving in 5 steps of 2 \
         min</dd>\n<dt>Created</dt><dd><code>trc_worker_step_seconds_created</code> (OpenMetrics only)</dd>\n"
    ));
    assert!(!card.contains("Buckets") && !card.contains("Exemplars"));
}

#[test]
fn exemplars_and_created_samples_are_marked_openmetrics_only() {
    let catalog = fixture();
    let text = markdown(&catalog);
    assert_eq!(
        section(&text, "trc_worker_jobs_total")[3..5],
        [
            "- **Exemplars:** yes, the latest of each series (OpenMetrics only)",
            "- **Created:** `trc_worker_jobs_created` (OpenMetrics only)",
        ]
    );
    // Only the metrics that have them say so.
    assert_eq!(text.matches("- **Exemplars:**").count(), 1);
    assert_eq!(text.matches("- **Created:**").count(), 2);
    let page = html(&catalog);
    assert!(card(&page, "trc_worker_jobs_total").contains(
        "<dt>Exemplars</dt><dd>yes, the latest of each series (OpenMetrics only)</dd>\n\
         <dt>Created</dt><dd><code>trc_worker_jobs_created</code> (OpenMetrics only)</dd>\n<dt>Series</dt>"
    ));
    assert_eq!(page.matches("<dt>Exemplars</dt>").count(), 1);
    assert_eq!(page.matches("<dt>Created</dt>").count(), 2);
}

#[test]
fn state_sets_list_their_states_and_info_metrics_their_value() {
    let catalog = fixture();
    let text = markdown(&catalog);
    assert_eq!(
        section(&text, "trc_agent_lifecycle")[..3],
        [
            "- **Type:** stateset",
            "- **Labels:** none",
            "- **States:** `starting`, `running`, `draining`, `stopped` (label `trc_agent_lifecycle`: 1 for the \
             current state, 0 for the others)",
        ]
    );
    assert_eq!(
        section(&text, "trc_worker_config_info")[..4],
        [
            "- **Type:** info",
            "- **Labels:**",
            "  - `mode`: `batch`, `stream`",
            "- **Value:** always 1: the labels carry the information",
        ]
    );
    let page = html(&catalog);
    let states = card(&page, "trc_agent_lifecycle");
    assert!(states.contains(
        "<dt>Labels</dt><dd>none</dd>\n<dt>States</dt><dd class=\"states\"><code \
         class=\"label-value\">starting</code> <code class=\"label-value\">running</code> <code \
         class=\"label-value\">draining</code> <code class=\"label-value\">stopped</code> (label <code \
         class=\"label-name\">trc_agent_lifecycle</code>: 1 for the current state, 0 for the others)</dd>\n"
    ));
    assert!(
        card(&page, "trc_worker_config_info")
            .contains("<dt>Value</dt><dd>always 1: the labels carry the information</dd>\n")
    );
}
