//! The Markdown rendering: GitHub-flavoured, one line per fact, so that a
//! diff of two catalogues shows exactly what changed.

use std::fmt::Write as _;

use super::{
    INFO_VALUE, OPENMETRICS_ONLY, STATES, TITLE, bounds, by_subsystem, created, exemplars, quiet, sentence, summary,
    window,
};
use crate::MetricKind;
use crate::json::{Catalog, Metric, MetricLabel};

/// The heading of the metrics that have no subsystem.
const NO_SUBSYSTEM: &str = "(no subsystem)";

pub(super) fn render(catalog: &Catalog) -> String {
    let mut out = format!("# {TITLE}\n\n{}\n", text(&summary(catalog)));
    for (subsystem, metrics) in by_subsystem(catalog) {
        let heading = if subsystem.is_empty() { NO_SUBSYSTEM.to_owned() } else { text(subsystem) };
        // Writing to a String cannot fail.
        let _ = write!(out, "\n## {heading}\n");
        for metric in metrics {
            out.push('\n');
            write_metric(&mut out, metric, catalog);
        }
    }
    write_runbooks(&mut out, catalog);
    out
}

/// The `Runbooks` section: one per alert, at the anchor its rule's
/// `runbook_url` names (GitHub anchors the heading "Alert `Name`" at
/// `#alert-name`).
fn write_runbooks(out: &mut String, catalog: &Catalog) {
    let runbooks = crate::alerting::runbooks(catalog);
    if runbooks.is_empty() {
        return;
    }
    // Writing to a String cannot fail: the results below are ignored.
    out.push_str("\n## Runbooks\n");
    for runbook in runbooks {
        let (alert, metric) = (runbook.alert, runbook.metric);
        let _ = writeln!(out, "\n### Alert {}\n", code(&alert.name));
        let _ = writeln!(
            out,
            "**{}** ({}). {}\n",
            text(&alert.summary),
            text(&alert.severity),
            text(&crate::alerting::condition_text(metric, alert))
        );
        if let Some(expr) = &runbook.expr {
            let _ = writeln!(out, "```promql\n{expr}\n```\n");
        }
        for r in &runbook.recordings {
            let labels: Vec<String> = r.labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
            let with = if labels.is_empty() { String::new() } else { format!(" with {}", code(&labels.join(", "))) };
            let _ = writeln!(out, "- {}{with} records {}", code(&r.record), code(&r.expr));
        }
        if !runbook.recordings.is_empty() {
            out.push('\n');
        }
        if !alert.runbook.trim().is_empty() {
            // The runbook is the declaration's own Markdown.
            let _ = writeln!(out, "{}\n", alert.runbook.trim());
        }
        let link = if is_anchor_safe(&metric.name) {
            format!("[{}](#{})", code(&metric.name), metric.name)
        } else {
            code(&metric.name)
        };
        let _ = writeln!(out, "- **Metric:** {link}, {}: {}", text(metric.kind.as_str()), text(&metric.help));
        for label in metric.series_labels() {
            let _ = writeln!(out, "  - {}: {}", code(&label.name), label_values(label));
        }
    }
}

fn write_metric(out: &mut String, metric: &Metric, catalog: &Catalog) {
    // Writing to a String cannot fail: the results below are ignored.
    let _ = writeln!(out, "### {}\n", code(&metric.name));
    if !metric.help.trim().is_empty() {
        let _ = writeln!(out, "{}\n", text(&metric.help));
    }
    if let Some(deprecated) = &metric.deprecated {
        let mut line = String::from("**Deprecated**");
        let reason = text(&sentence(&deprecated.reason));
        if reason.is_empty() {
            line.push('.');
        } else {
            let _ = write!(line, ": {reason}");
        }
        if let Some(replacement) = &deprecated.replacement {
            // Link to the replacement when this catalogue has it: GitHub
            // anchors a `### `name`` heading at `#name`.
            let name = code(replacement);
            if catalog.metric(replacement).is_some() && is_anchor_safe(replacement) {
                let _ = write!(line, " Use [{name}](#{replacement}) instead.");
            } else {
                let _ = write!(line, " Use {name} instead.");
            }
        }
        let _ = writeln!(out, "{line}\n");
    }
    let _ = writeln!(out, "- **Type:** {}", text(metric.kind.as_str()));
    if let Some(unit) = &metric.unit {
        let _ = writeln!(out, "- **Unit:** {}", text(unit));
    }
    let labels: Vec<&MetricLabel> = metric.series_labels().collect();
    out.push_str(if labels.is_empty() { "- **Labels:** none\n" } else { "- **Labels:**\n" });
    for label in labels {
        let _ = writeln!(out, "  - {}: {}", code(&label.name), label_values(label));
    }
    if let Some(label) = metric.state_label() {
        let _ = writeln!(out, "- **States:** {} (label {}: {STATES})", label_values(label), code(&label.name));
    }
    if !metric.buckets.is_empty() {
        let _ = writeln!(out, "- **Buckets:** {}, +Inf", bounds(&metric.buckets));
    }
    if !metric.quantiles.is_empty() {
        let _ = writeln!(out, "- **Quantiles:** {}{}", bounds(&metric.quantiles), window(metric));
    }
    if metric.kind == MetricKind::Info {
        let _ = writeln!(out, "- **Value:** {INFO_VALUE}");
    }
    if let Some(exemplars) = exemplars(metric) {
        let _ = writeln!(out, "- **Exemplars:** {exemplars} {OPENMETRICS_ONLY}");
    }
    if let Some(created) = created(metric) {
        let _ = writeln!(out, "- **Created:** {} {OPENMETRICS_ONLY}", code(&created));
    }
    if !metric.alerts.is_empty() {
        let alerts: Vec<String> = metric
            .alerts
            .iter()
            .map(|a| {
                format!("[{}](#{}) ({})", code(&a.name), crate::alerting::runbook_anchor(&a.name), text(&a.severity))
            })
            .collect();
        let _ = writeln!(out, "- **Alerts:** {}", alerts.join(", "));
    }
    let capped = metric.labels.iter().any(|l| l.cap.is_some());
    let _ = writeln!(out, "- **Series:** {}{}{}", if capped { "up to " } else { "" }, metric.series, quiet(metric));
    let _ = writeln!(out, "- **Version:** {}", text(&metric.version));
    let source = &metric.source;
    let _ = write!(
        out,
        "- **Declared at:** {} in {}",
        code(&format!("{}:{}:{}", source.file, source.line, source.column)),
        code(&source.module)
    );
    if let Some(function) = &source.function {
        let _ = write!(out, ", function {}", code(function));
    }
    out.push('\n');
}

/// What a label may hold: its values, or its cap, and `unknown` when a
/// missing value may appear.
fn label_values(label: &MetricLabel) -> String {
    let mut line = match label.cap {
        Some(cap) => format!("up to {cap} values met at run time, then `other`"),
        None if label.build => "the build's, set when the program is compiled".to_owned(),
        None if label.values.is_empty() => "no declared values".to_owned(),
        None => label
            .values
            .iter()
            .map(|v| if label.errors.contains(v) { format!("{} (error)", code(v)) } else { code(v) })
            .collect::<Vec<_>>()
            .join(", "),
    };
    if label.unknown {
        line.push_str("; or `unknown` when not set");
    }
    line
}

/// Whether GitHub's heading anchor of `name` is `name` itself: lowercase
/// ASCII letters, digits, `_` and `-`.
fn is_anchor_safe(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// `value` as an inline code span: a fence longer than any run of backticks
/// in it, padded when it starts or ends with one. Line breaks, which would end
/// a list item, are written as `\n`; an empty value as `""`.
fn code(value: &str) -> String {
    if value.is_empty() {
        return "`\"\"`".to_owned();
    }
    let value = value.replace('\r', "\\r").replace('\n', "\\n");
    let mut longest = 0;
    let mut run = 0;
    for c in value.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if value.starts_with('`') || value.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{value}{pad}{fence}")
}

/// Punctuation that starts emphasis, code, links, HTML, entities, math,
/// strikethrough or a table cell wherever it stands.
const INLINE: &[char] = &['\\', '`', '*', '[', ']', '<', '>', '|', '~', '&', '$'];

/// Prose (help text, reasons, names) escaped so that it renders as written.
/// Whitespace runs, line breaks included, become one space: the text stays
/// one paragraph or list item.
fn text(value: &str) -> String {
    let words: Vec<&str> = value.split_whitespace().collect();
    let value = words.join(" ");
    let chars: Vec<char> = value.chars().collect();
    let mut out = String::with_capacity(value.len());
    for (i, &c) in chars.iter().enumerate() {
        let escape = INLINE.contains(&c)
            // `_` inside a word (`trc_http_requests_total`) never emphasises
            // in GitHub-flavoured Markdown: leave it readable.
            || (c == '_' && !(i > 0 && chars[i - 1].is_alphanumeric() && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric())))
            // At the start of a line these begin a heading, a list, a quote
            // or a setext underline.
            || (i == 0 && matches!(c, '#' | '-' | '+' | '='))
            // `1. ` or `1) ` at the start of a line begins an ordered list.
            || (matches!(c, '.' | ')')
                && i > 0
                && chars[..i].iter().all(char::is_ascii_digit)
                && chars.get(i + 1).is_none_or(|n| n.is_whitespace()));
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_hold_backticks_and_line_breaks() {
        assert_eq!(code("get"), "`get`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x``"), "``` `x`` ```");
        assert_eq!(code("a\nb"), "`a\\nb`");
        assert_eq!(code(""), "`\"\"`");
    }

    #[test]
    fn prose_escapes_what_markdown_would_interpret() {
        assert_eq!(text("Requests | errors"), "Requests \\| errors");
        assert_eq!(text("uses `x` and *y* <b>&amp;</b>"), "uses \\`x\\` and \\*y\\* \\<b\\>\\&amp;\\</b\\>");
        assert_eq!(text("see trc_http_requests_total"), "see trc_http_requests_total");
        assert_eq!(text("_private_ and snake_"), "\\_private\\_ and snake\\_");
        assert_eq!(text("# not a heading"), "\\# not a heading");
        assert_eq!(text("- not a list"), "\\- not a list");
        assert_eq!(text("12. not a list, 3.5 is fine"), "12\\. not a list, 3.5 is fine");
        assert_eq!(text("1.2.0"), "1.2.0");
        assert_eq!(text("1)"), "1\\)");
        assert_eq!(text("two\nlines\t and  spaces "), "two lines and spaces");
        assert_eq!(text("costs $5 to $10 [1]"), "costs \\$5 to \\$10 \\[1\\]");
    }

    #[test]
    fn anchors_are_linked_only_when_github_keeps_the_name() {
        assert!(is_anchor_safe("trc_http_requests_total"));
        assert!(!is_anchor_safe("Trc_Http"));
        assert!(!is_anchor_safe("trc:http"));
    }
}
