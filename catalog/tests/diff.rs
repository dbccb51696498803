//! `metricate_catalog::diff`: every kind of change, its bump, and the check against
//! the declared versions.

use metricate_catalog::MetricKind;
use metricate_catalog::diff::{ChangeKind, diff};
use metricate_catalog::json::{Catalog, Deprecated, Metric, MetricLabel, MetricSource};
use metricate_catalog::version::Bump;

fn metric(name: &str, kind: &str) -> Metric {
    Metric {
        name: name.to_owned(),
        kind: MetricKind::from_type_word(kind).unwrap(),
        unit: None,
        help: "Help.".to_owned(),
        subsystem: String::new(),
        labels: Vec::new(),
        buckets: Vec::new(),
        quantiles: Vec::new(),
        max_age_seconds: None,
        age_buckets: None,
        exemplars: false,
        created: false,
        alerts: vec![],
        series: 1,
        version: "1.0.0".to_owned(),
        deprecated: None,
        quiet: false,
        source: MetricSource {
            file: "src/lib.rs".to_owned(),
            line: 1,
            column: 5,
            module: "app".to_owned(),
            function: None,
        },
    }
}

fn label(name: &str, values: &[&str]) -> MetricLabel {
    MetricLabel {
        name: name.to_owned(),
        values: values.iter().map(|v| (*v).to_owned()).collect(),
        unknown: false,
        cap: None,
        build: false,
        errors: Vec::new(),
    }
}

fn catalog(metrics: Vec<Metric>) -> Catalog {
    Catalog { schema: "metrics-catalog".to_owned(), schema_version: 1, metrics }
}

/// An edit of a metric.
type Edit = Box<dyn FnOnce(&mut Metric)>;

/// The single change between a metric and its edited copy, and whether the
/// edit's version covers it.
fn one_change(before: Metric, edit: impl FnOnce(&mut Metric)) -> (ChangeKind, Bump, String) {
    let mut after = before.clone();
    edit(&mut after);
    let result = diff(&catalog(vec![before]), &catalog(vec![after]));
    assert_eq!(result.changes.len(), 1, "{:?}", result.changes);
    let change = &result.changes[0];
    (change.kind, change.bump, change.detail.clone())
}

#[test]
fn every_kind_of_change_and_its_bump() {
    let requests = || {
        let mut m = metric("trc_requests_total", "counter");
        m.labels = vec![label("method", &["get", "post"])];
        m
    };
    let cases: Vec<(ChangeKind, Bump, &str, Edit)> = vec![
        (ChangeKind::ChangedType, Bump::Major, "counter -> gauge", Box::new(|m| m.kind = MetricKind::Gauge)),
        (ChangeKind::ChangedUnit, Bump::Major, "none -> `seconds`", Box::new(|m| m.unit = Some("seconds".into()))),
        (ChangeKind::RemovedLabel, Bump::Major, "`method`", Box::new(|m| m.labels.clear())),
        (ChangeKind::RenamedLabel, Bump::Major, "`method` -> `verb`", Box::new(|m| m.labels[0].name = "verb".into())),
        (ChangeKind::AddedLabel, Bump::Minor, "`code`", Box::new(|m| m.labels.push(label("code", &["2xx"])))),
        (
            ChangeKind::RemovedLabelValue,
            Bump::Major,
            "`post` of label `method`",
            Box::new(|m| m.labels[0].values.pop().map(drop).unwrap_or_default()),
        ),
        (
            ChangeKind::AddedLabelValue,
            Bump::Minor,
            "`put` of label `method`",
            Box::new(|m| m.labels[0].values.push("put".into())),
        ),
        (ChangeKind::AddedUnknown, Bump::Minor, "label `method`", Box::new(|m| m.labels[0].unknown = true)),
        (
            ChangeKind::ChangedHelp,
            Bump::Patch,
            "\"Help.\" -> \"Better help.\"",
            Box::new(|m| m.help = "Better help.".into()),
        ),
        (
            ChangeKind::Deprecated,
            Bump::Patch,
            "split",
            Box::new(|m| m.deprecated = Some(Deprecated { reason: "split".into(), replacement: Some("trc_x".into()) })),
        ),
    ];
    for (kind, bump, detail, edit) in cases {
        assert_eq!(one_change(requests(), edit), (kind, bump, detail.to_owned()), "{kind:?}");
    }

    let mut optional = requests();
    optional.labels[0].unknown = true;
    assert_eq!(one_change(optional, |m| m.labels[0].unknown = false).0, ChangeKind::RemovedUnknown);

    let mut capped = requests();
    capped.labels[0].values.clear();
    capped.labels[0].cap = Some(64);
    assert_eq!(
        one_change(capped, |m| m.labels[0].cap = Some(128)),
        (ChangeKind::ChangedCap, Bump::Minor, "label `method`: 64 -> 128".to_owned())
    );

    let mut histogram = metric("trc_io_seconds", "histogram");
    histogram.buckets = vec![0.1, 1.0];
    assert_eq!(one_change(histogram.clone(), |m| m.buckets.push(10.0)).0, ChangeKind::AddedBucket);
    assert_eq!(
        one_change(histogram, |m| m.buckets.remove(0).to_string().clear()),
        (ChangeKind::RemovedBucket, Bump::Major, "le=\"0.1\"".to_owned())
    );
}

#[test]
fn added_and_removed_metrics() {
    let kept = metric("trc_kept_total", "counter");
    let gone = metric("trc_gone_total", "counter");
    let mut retired = metric("trc_retired_total", "counter");
    retired.deprecated = Some(Deprecated { reason: "renamed".into(), replacement: Some("trc_new_total".into()) });
    let new = metric("trc_new_total", "counter");
    let result = diff(&catalog(vec![kept.clone(), gone, retired]), &catalog(vec![kept, new]));
    let summary: Vec<(&str, ChangeKind, Bump)> =
        result.changes.iter().map(|c| (c.metric.as_str(), c.kind, c.bump)).collect();
    assert_eq!(
        summary,
        [
            ("trc_gone_total", ChangeKind::RemovedMetric, Bump::Major),
            ("trc_new_total", ChangeKind::AddedMetric, Bump::Minor),
            ("trc_retired_total", ChangeKind::RemovedMetric, Bump::None),
        ]
    );
    assert_eq!(result.changes[0].detail, "removed without being deprecated first");
    assert_eq!(result.changes[2].detail, "was deprecated (renamed); replaced by `trc_new_total`");
    assert_eq!(result.bump(), Bump::Major);
    let problems: Vec<&str> = result.problems.iter().map(|p| p.metric.as_str()).collect();
    assert_eq!(problems, ["trc_gone_total"], "only the removal without a deprecation");
}

#[test]
fn declared_versions_must_cover_the_changes() {
    let before = {
        let mut m = metric("trc_requests_total", "counter");
        m.labels = vec![label("method", &["get", "post"])];
        m
    };
    let check = |version: &str, edit: &dyn Fn(&mut Metric)| {
        let mut after = before.clone();
        edit(&mut after);
        after.version = version.to_owned();
        diff(&catalog(vec![before.clone()]), &catalog(vec![after]))
    };
    let remove_value = |m: &mut Metric| {
        m.labels[0].values.pop();
    };
    let add_value = |m: &mut Metric| m.labels[0].values.push("put".into());
    let reword = |m: &mut Metric| m.help = "Reworded.".into();

    assert!(check("2.0.0", &remove_value).is_ok());
    let problem = &check("1.1.0", &remove_value).problems[0];
    assert_eq!((problem.needed, problem.declared), (Bump::Major, Some(Bump::Minor)));
    assert_eq!(
        problem.to_string(),
        "trc_requests_total: its changes need a major bump, but its version went from 1.0.0 to 1.1.0 (minor)"
    );
    assert!(check("1.1.0", &add_value).is_ok());
    assert!(check("2.0.0", &add_value).is_ok(), "a bigger bump than needed is fine");
    assert!(!check("1.0.1", &add_value).is_ok());
    assert!(check("1.0.1", &reword).is_ok());
    assert!(!check("1.0.0", &reword).is_ok(), "help changed without a bump");
    let backwards = check("0.9.0", &reword);
    assert_eq!(backwards.problems[0].declared, None);
    assert!(backwards.problems[0].to_string().ends_with("which is not a bump"));
    // No change needs no bump.
    assert!(check("1.0.0", &|_| {}).is_ok());
    assert!(check("1.0.0", &|_| {}).changes.is_empty());
}

#[test]
fn the_golden_pair() {
    let old = Catalog::from_json(include_str!("golden/diff-old.json")).unwrap();
    let new = Catalog::from_json(include_str!("golden/diff-new.json")).unwrap();
    let result = diff(&old, &new);
    let lines: Vec<String> = result.changes.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "major removed label value trc_http_requests_total: `patch` of label `method`",
            "minor added bucket trc_io_seconds: le=\"10.0\"",
            "major removed metric trc_jobs_total: removed without being deprecated first",
            "none  removed metric trc_old_total: was deprecated (replaced); replaced by `trc_tasks_total`",
            "patch changed help trc_queue_depth: \"Queue depth.\" -> \"Items waiting in the queue.\"",
            "minor added metric trc_tasks_total: a counter",
        ]
    );
    let problems: Vec<String> = result.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        problems,
        [
            "trc_http_requests_total: its changes need a major bump, but its version went from 1.0.0 to 1.1.0 (minor)",
            "trc_jobs_total: removed without being deprecated first; deprecate it (naming its replacement) in a \
             release before removing it",
        ]
    );
}
