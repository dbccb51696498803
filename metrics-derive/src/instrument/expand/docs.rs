//! The `# Metrics` section the attribute appends to the function's rustdoc:
//! which metrics a call records, with their names, types and labels, and
//! where to read them.

use std::fmt::Write as _;

use super::super::Shape;
use super::super::attr::Config;
use crate::emit::written as text;

/// The values of `result` for a function of this shape.
pub(super) fn result_values(shape: Shape) -> &'static str {
    match shape {
        Shape::Sync => "`ok`, `error` or `panic`",
        Shape::Async | Shape::ReturnsFuture => "`ok`, `error`, `panic` or `cancelled`",
    }
}

/// The section for the metrics the attribute declares (`full` is the name
/// they start with).
pub(super) fn declared(full: &str, shape: Shape, config: &Config) -> Vec<String> {
    let buckets = match &config.buckets {
        Some(array) => {
            let bounds: Vec<String> = array.elems.iter().map(|e| format!("`{}`", text(e))).collect();
            format!("buckets {}, `+Inf`", bounds.join(", "))
        }
        None => "the default buckets".to_owned(),
    };
    let mut lines = vec![
        String::new(),
        " # Metrics".to_owned(),
        String::new(),
        " Each call records into metrics that `#[instrument_metric]` declares for it:".to_owned(),
        String::new(),
        format!(" - `{full}_total{{result}}`: counter of calls; `result` is {}.", result_values(shape)),
        format!(" - `{full}_duration_seconds{{result}}`: histogram of their durations in seconds ({buckets})."),
    ];
    let mut fields = vec!["calls_total", "duration_seconds"];
    if config.in_flight.is_some() {
        lines.push(format!(" - `{full}_in_flight`: gauge of calls in progress."));
        fields.push("in_flight");
    }
    if let Some(reason) = &config.reason {
        lines.push(format!(
            " - `{full}_errors_total{{reason}}`: counter of errors; `reason` is a value of `{}`.",
            text(reason)
        ));
        fields.push("errors_total");
    }
    lines.push(String::new());
    match &config.metrics {
        Some(name) => {
            let fields: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
            lines.push(format!(
                " Handles: [`{name}`]`::global()`, fields {}; `{name}::CALLS_TOTAL` and its siblings describe them.",
                fields.join(", ")
            ));
        }
        None => lines.push(" They are declared inside the function; the registry reads them by name.".to_owned()),
    }
    lines
}

/// The section for recording into metrics declared elsewhere; `outcome` is
/// the label field that takes how the call ended, if any.
pub(super) fn targets(config: &Config, shape: Shape, outcome: Option<&str>) -> Vec<String> {
    let mut lines = vec![
        String::new(),
        " # Metrics".to_owned(),
        String::new(),
        " Each call records into metrics declared elsewhere:".to_owned(),
        String::new(),
    ];
    if let Some(duration) = &config.duration {
        lines.push(format!(" - its duration in seconds into `{}`", text(duration)));
    }
    if let Some(count) = &config.count {
        lines.push(format!(" - one call into `{}`", text(count)));
    }
    if let Some((_, Some(gauge))) = &config.in_flight {
        lines.push(format!(" - calls in progress into `{}`", text(gauge)));
    }
    if let Some(labels) = &config.labels {
        lines.push(String::new());
        let mut labeled = format!(" labeled `{}`, read when the call starts", text(labels));
        if let Some(field) = outcome {
            let values = result_values(shape);
            let _ = write!(
                labeled,
                ", except `{field}`, which takes how the call ended ({values}, through `From<Outcome>`)"
            );
        }
        labeled.push('.');
        lines.push(labeled);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_read_as_written() {
        let expr: syn::Expr = syn::parse_quote!(Agent::global().boots_in_flight);
        assert_eq!(text(&expr), "Agent::global().boots_in_flight");
        let labels: syn::Expr = syn::parse_quote!(ByProjection { projection: self.kind, result });
        assert_eq!(text(&labels), "ByProjection { projection: self.kind, result }");
        let ty: syn::Type = syn::parse_quote!(errors::Fetch<'static, u8>);
        assert_eq!(text(&ty), "errors::Fetch<'static, u8>");
    }

    #[test]
    fn the_declared_metrics_with_their_handles() {
        let config = Config {
            buckets: Some(syn::parse_quote!([0.1, 1.0])),
            in_flight: Some((proc_macro2::Span::call_site(), None)),
            reason: Some(syn::parse_quote!(JobError)),
            metrics: Some(syn::parse_quote!(RunJob)),
            ..Config::default()
        };
        let docs = declared("trc_worker_run_job", Shape::Sync, &config).join("\n");
        assert_eq!(
            docs,
            "
 # Metrics

 Each call records into metrics that `#[instrument_metric]` declares for it:

 - `trc_worker_run_job_total{result}`: counter of calls; `result` is `ok`, `error` or `panic`.
 - `trc_worker_run_job_duration_seconds{result}`: histogram of their durations in seconds (buckets `0.1`, `1.0`, `+Inf`).
 - `trc_worker_run_job_in_flight`: gauge of calls in progress.
 - `trc_worker_run_job_errors_total{reason}`: counter of errors; `reason` is a value of `JobError`.

 Handles: [`RunJob`]`::global()`, fields `calls_total`, `duration_seconds`, `in_flight`, `errors_total`; `RunJob::CALLS_TOTAL` and its siblings describe them."
        );
        let plain = declared("trc_fetch", Shape::Async, &Config::default()).join("\n");
        assert!(plain.contains("`result` is `ok`, `error`, `panic` or `cancelled`."), "{plain}");
        assert!(plain.contains("(the default buckets)"), "{plain}");
        assert!(plain.ends_with(" They are declared inside the function; the registry reads them by name."), "{plain}");
    }

    #[test]
    fn recording_into_declared_metrics() {
        let config = Config {
            duration: Some(syn::parse_quote!(Edge::global().config_apply_seconds)),
            count: Some(syn::parse_quote!(Edge::global().config_apply_total)),
            labels: Some(syn::parse_quote!(ByResult { result })),
            ..Config::default()
        };
        assert_eq!(
            targets(&config, Shape::Async, Some("result")).join("\n"),
            "
 # Metrics

 Each call records into metrics declared elsewhere:

 - its duration in seconds into `Edge::global().config_apply_seconds`
 - one call into `Edge::global().config_apply_total`

 labeled `ByResult { result }`, read when the call starts, except `result`, which takes how the call ended (`ok`, `error`, `panic` or `cancelled`, through `From<Outcome>`)."
        );
    }
}
