//! The HTML rendering: one page with its style and script inline, so it can
//! be saved, mailed or served as a single file and fetches nothing.
//!
//! Every catalogue string goes through [`escape`], in text and in attribute
//! values alike. The script (`page.js`) carries no catalogue data: it reads
//! the rendered cards, so nothing in a help text can reach it as code.

use std::fmt::Write as _;

use super::{
    INFO_VALUE, OPENMETRICS_ONLY, STATES, TITLE, bounds, by_subsystem, created, exemplars, kinds, quiet, sentence,
    summary, window,
};
use crate::MetricKind;
use crate::json::{Catalog, Metric, MetricLabel};

/// The stylesheet, inlined.
const STYLE: &str = include_str!("page.css");
/// The search and filter script, inlined.
const SCRIPT: &str = include_str!("page.js");

/// The value of the subsystem filter that selects the metrics without a
/// subsystem. Subsystem names are part of metric names, so they never hold
/// parentheses and cannot clash with it; `page.js` knows it too.
const NO_SUBSYSTEM: &str = "(none)";

/// Forbids every fetch: only the inline style and script run, and images may
/// only be `data:` URLs.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; \
     img-src data:; base-uri 'none'; form-action 'none'";

pub(super) fn render(catalog: &Catalog) -> String {
    let groups = by_subsystem(catalog);
    let total = catalog.metrics.len();
    let mut out = String::with_capacity(8 * 1024 + total * 1024);
    // Writing to a String cannot fail: the results below are ignored.
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <title>{TITLE}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n\
         <header class=\"top\"><div class=\"wrap\">\n<h1>{TITLE}</h1>\n<p class=\"summary\">{}</p>\n",
        escape(&summary(catalog)),
    );
    write_filters(&mut out, catalog, &groups);
    let _ = write!(
        out,
        "<p id=\"status\" class=\"status\" role=\"status\">Showing <strong id=\"count\">{total}</strong> of \
         {total} metrics</p>\n</div></header>\n<main class=\"wrap\">\n\
         <p id=\"empty\" class=\"empty\" hidden>No metric matches.</p>\n"
    );
    for (subsystem, metrics) in &groups {
        let (key, heading) = if subsystem.is_empty() { ("", "(no subsystem)") } else { (*subsystem, *subsystem) };
        let _ = write!(
            out,
            "<section class=\"subsystem\" data-section=\"{}\">\n<h2>{} <span class=\"n\">{}</span></h2>\n\
             <div class=\"cards\">\n",
            escape(key),
            escape(heading),
            metrics.len()
        );
        for metric in metrics {
            write_metric(&mut out, metric, catalog);
        }
        out.push_str("</div>\n</section>\n");
    }
    write_runbooks(&mut out, catalog);
    let _ = write!(out, "</main>\n<script>\n{SCRIPT}</script>\n</body>\n</html>\n");
    out
}

/// The search box and the two selects. The form starts `hidden`: without the
/// script it could not do anything, and every metric shows.
fn write_filters(out: &mut String, catalog: &Catalog, groups: &[(&str, Vec<&Metric>)]) {
    out.push_str(
        "<form id=\"filters\" class=\"filters\" role=\"search\" hidden>\n\
         <input type=\"search\" id=\"search\" name=\"q\" placeholder=\"Search names, help, labels and values\" \
         aria-label=\"Search metrics\" autocomplete=\"off\" spellcheck=\"false\">\n\
         <select id=\"subsystem\" name=\"subsystem\" aria-label=\"Subsystem\">\n\
         <option value=\"\">All subsystems</option>\n",
    );
    for (subsystem, metrics) in groups {
        let (value, label) =
            if subsystem.is_empty() { (NO_SUBSYSTEM, "(no subsystem)") } else { (*subsystem, *subsystem) };
        let _ = writeln!(out, "<option value=\"{}\">{} ({})</option>", escape(value), escape(label), metrics.len());
    }
    out.push_str(
        "</select>\n<select id=\"type\" name=\"type\" aria-label=\"Type\">\n<option value=\"\">All types</option>\n",
    );
    for (kind, n) in kinds(catalog) {
        let kind = kind.as_str();
        let _ = writeln!(out, "<option value=\"{kind}\">{kind} ({n})</option>");
    }
    out.push_str("</select>\n<button type=\"reset\">Clear</button>\n</form>\n");
}

fn write_metric(out: &mut String, metric: &Metric, catalog: &Catalog) {
    let name = escape(&metric.name);
    let kind = escape(metric.kind.as_str());
    let class = if metric.deprecated.is_some() { "metric deprecated" } else { "metric" };
    let _ = write!(
        out,
        "<article class=\"{class}\" id=\"{name}\" data-metric=\"{name}\" data-subsystem=\"{}\" data-type=\"{kind}\">\n\
         <h3><a class=\"name\" href=\"#{name}\">{name}</a></h3>\n<p class=\"tags\"><span class=\"tag kind\">{kind}</span>",
        escape(&metric.subsystem),
    );
    if let Some(unit) = &metric.unit {
        let _ = write!(out, " <span class=\"tag unit\">{}</span>", escape(unit));
    }
    if !quiet(metric).is_empty() {
        out.push_str(" <span class=\"tag\">quiet</span>");
    }
    if metric.deprecated.is_some() {
        out.push_str(" <span class=\"tag warn\">deprecated</span>");
    }
    out.push_str("</p>\n");
    if !metric.help.trim().is_empty() {
        let _ = writeln!(out, "<p class=\"help\">{}</p>", escape(metric.help.trim()));
    }
    if let Some(deprecated) = &metric.deprecated {
        out.push_str("<p class=\"deprecation\"><strong>Deprecated</strong>");
        let reason = sentence(&deprecated.reason);
        if reason.is_empty() {
            out.push('.');
        } else {
            let _ = write!(out, ": {}", escape(&reason));
        }
        if let Some(replacement) = &deprecated.replacement {
            let target = escape(replacement);
            if catalog.metric(replacement).is_some() {
                let _ = write!(out, " Use <a href=\"#{target}\"><code>{target}</code></a> instead.");
            } else {
                let _ = write!(out, " Use <code>{target}</code> instead.");
            }
        }
        out.push_str("</p>\n");
    }
    out.push_str("<dl>\n<dt>Labels</dt><dd>");
    write_labels(out, metric);
    out.push_str("</dd>\n");
    if let Some(label) = metric.state_label() {
        out.push_str("<dt>States</dt><dd class=\"states\">");
        write_label_values(out, label);
        let _ = writeln!(out, " (label <code class=\"label-name\">{}</code>: {STATES})</dd>", escape(&label.name));
    }
    if !metric.buckets.is_empty() {
        let _ = writeln!(out, "<dt>Buckets</dt><dd class=\"buckets\">{}, +Inf</dd>", bounds(&metric.buckets));
    }
    if !metric.quantiles.is_empty() {
        let _ = writeln!(
            out,
            "<dt>Quantiles</dt><dd class=\"quantiles\">{}{}</dd>",
            bounds(&metric.quantiles),
            escape(&window(metric))
        );
    }
    if metric.kind == MetricKind::Info {
        let _ = writeln!(out, "<dt>Value</dt><dd>{}</dd>", escape(INFO_VALUE));
    }
    if let Some(exemplars) = exemplars(metric) {
        let _ = writeln!(out, "<dt>Exemplars</dt><dd>{exemplars} {OPENMETRICS_ONLY}</dd>");
    }
    if let Some(created) = created(metric) {
        let _ = writeln!(out, "<dt>Created</dt><dd><code>{}</code> {OPENMETRICS_ONLY}</dd>", escape(&created));
    }
    write_alert_links(out, metric);
    let capped = metric.labels.iter().any(|l| l.cap.is_some());
    let _ = writeln!(
        out,
        "<dt>Series</dt><dd>{}{}{}</dd>",
        if capped { "up to " } else { "" },
        metric.series,
        quiet(metric)
    );
    let _ = writeln!(out, "<dt>Version</dt><dd>{}</dd>", escape(&metric.version));
    let source = &metric.source;
    let _ = write!(
        out,
        "<dt>Declared at</dt><dd><code>{}:{}:{}</code> in <code>{}</code>",
        escape(&source.file),
        source.line,
        source.column,
        escape(&source.module)
    );
    if let Some(function) = &source.function {
        let _ = write!(out, ", function <code>{}</code>", escape(function));
    }
    out.push_str("</dd>\n</dl>\n</article>\n");
}

/// The metric's alerts, each linked to its runbook.
fn write_alert_links(out: &mut String, metric: &Metric) {
    if metric.alerts.is_empty() {
        return;
    }
    let alerts: Vec<String> = metric
        .alerts
        .iter()
        .map(|a| {
            let anchor = escape(&crate::alerting::runbook_anchor(&a.name));
            format!("<a href=\"#{anchor}\"><code>{}</code></a> ({})", escape(&a.name), escape(&a.severity))
        })
        .collect();
    let _ = writeln!(out, "<dt>Alerts</dt><dd class=\"alerts\">{}</dd>", alerts.join(", "));
}

/// The runbooks: one article per alert, at the anchor its rule's
/// `runbook_url` names.
fn write_runbooks(out: &mut String, catalog: &Catalog) {
    let runbooks = crate::alerting::runbooks(catalog);
    if runbooks.is_empty() {
        return;
    }
    let _ =
        writeln!(out, "<section class=\"runbooks\">\n<h2>Runbooks <span class=\"n\">{}</span></h2>", runbooks.len());
    for runbook in runbooks {
        let (alert, metric) = (runbook.alert, runbook.metric);
        let anchor = escape(&crate::alerting::runbook_anchor(&alert.name));
        let _ = writeln!(
            out,
            "<article class=\"runbook\" id=\"{anchor}\">\n<h3><a class=\"name\" href=\"#{anchor}\">{}</a></h3>\n\
             <p class=\"tags\"><span class=\"tag severity\">{}</span></p>\n<p class=\"help\"><strong>{}</strong> {}</p>",
            escape(&alert.name),
            escape(&alert.severity),
            escape(&alert.summary),
            escape(&crate::alerting::condition_text(metric, alert)),
        );
        if let Some(expr) = &runbook.expr {
            let _ = writeln!(out, "<pre class=\"query\"><code>{}</code></pre>", escape(expr));
        }
        if !runbook.recordings.is_empty() {
            out.push_str("<ul class=\"recordings\">");
            for r in &runbook.recordings {
                let labels: Vec<String> = r.labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
                let with = if labels.is_empty() {
                    String::new()
                } else {
                    format!(" with <code>{}</code>", escape(&labels.join(", ")))
                };
                let _ = write!(
                    out,
                    "<li><code>{}</code>{with} records <code>{}</code></li>",
                    escape(&r.record),
                    escape(&r.expr)
                );
            }
            out.push_str("</ul>\n");
        }
        if !alert.runbook.trim().is_empty() {
            let _ = writeln!(out, "<p class=\"runbook-text\">{}</p>", escape(alert.runbook.trim()));
        }
        let name = escape(&metric.name);
        let _ = write!(
            out,
            "<dl>\n<dt>Metric</dt><dd><a href=\"#{name}\"><code>{name}</code></a>, {}: {}</dd>\n<dt>Labels</dt><dd>",
            escape(metric.kind.as_str()),
            escape(metric.help.trim())
        );
        write_labels(out, metric);
        out.push_str("</dd>\n</dl>\n</article>\n");
    }
    out.push_str("</section>\n");
}

/// The metric's labels as a list, or `none`.
fn write_labels(out: &mut String, metric: &Metric) {
    let labels: Vec<&MetricLabel> = metric.series_labels().collect();
    if labels.is_empty() {
        out.push_str("none");
    } else {
        out.push_str("<ul class=\"labels\">");
        for label in labels {
            write_label(out, label);
        }
        out.push_str("</ul>");
    }
}

/// One label: its name and its values (what the search box matches), or its
/// cap.
fn write_label(out: &mut String, label: &MetricLabel) {
    let _ = write!(out, "<li><code class=\"label-name\">{}</code>: ", escape(&label.name));
    write_label_values(out, label);
    out.push_str("</li>");
}

/// What a label may hold: its values, or its cap, and `unknown` when a
/// missing value may appear.
fn write_label_values(out: &mut String, label: &MetricLabel) {
    match label.cap {
        Some(cap) => {
            let _ = write!(out, "up to {cap} values met at run time, then <code>other</code>");
        }
        None if label.build => out.push_str("the build's, set when the program is compiled"),
        None if label.values.is_empty() => out.push_str("no declared values"),
        None => {
            let values: Vec<String> = label
                .values
                .iter()
                .map(|v| {
                    let error = if label.errors.contains(v) { " (error)" } else { "" };
                    format!("<code class=\"label-value\">{}</code>{error}", escape(v))
                })
                .collect();
            out.push_str(&values.join(" "));
        }
    }
    if label.unknown {
        out.push_str("; or <code>unknown</code> when not set");
    }
}

/// `value` safe in HTML text and in quoted attribute values.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_the_five_significant_characters() {
        assert_eq!(
            escape(r#"<script>alert('x' & "y")</script>"#),
            "&lt;script&gt;alert(&#39;x&#39; &amp; &quot;y&quot;)&lt;/script&gt;"
        );
        assert_eq!(escape("plain"), "plain");
    }

    #[test]
    fn the_inline_assets_fetch_nothing() {
        for asset in [STYLE, SCRIPT] {
            assert!(!asset.contains("http:") && !asset.contains("https:") && !asset.contains("url("), "{asset}");
            assert!(!asset.contains("</"), "an asset must not close its own element early");
        }
        assert!(SCRIPT.contains(&format!("'{NO_SUBSYSTEM}'")), "page.js must know the no-subsystem value");
    }
}
