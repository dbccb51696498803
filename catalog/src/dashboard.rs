//! Grafana dashboards generated from a [`Catalog`]: one per subsystem, one
//! for the metrics without a subsystem (`general`), and an overview that
//! links them. `catalog dashboard` writes them as files to import into
//! Grafana or to provision from a directory.
//!
//! ```
//! use metricate_catalog::dashboard::{Options, dashboards};
//! use metricate_catalog::json::{Catalog, Metric, MetricLabel, MetricSource};
//!
//! let label = |name: &str, values: &[&str], errors: &[&str]| MetricLabel {
//!     name: name.to_owned(),
//!     values: values.iter().map(|v| (*v).to_owned()).collect(),
//!     unknown: false,
//!     cap: None,
//!     build: false,
//!     errors: errors.iter().map(|v| (*v).to_owned()).collect(),
//! };
//! let requests = Metric {
//!     name: "trc_http_requests_total".to_owned(),
//!     kind: metricate_catalog::MetricKind::Counter,
//!     unit: None,
//!     help: "HTTP requests handled.".to_owned(),
//!     subsystem: "http".to_owned(),
//!     labels: vec![label("method", &["get", "post"], &[]), label("status", &["2xx", "5xx"], &["5xx"])],
//!     buckets: vec![],
//!     quantiles: vec![],
//!     max_age_seconds: None,
//!     age_buckets: None,
//!     exemplars: false,
//!     created: false,
//!     series: 4,
//!     version: "1.0.0".to_owned(),
//!     deprecated: None,
//!     quiet: false,
//!     source: MetricSource {
//!         file: "src/http.rs".to_owned(),
//!         line: 12,
//!         column: 5,
//!         module: "app::http".to_owned(),
//!         function: None,
//!     },
//!     alerts: vec![],
//! };
//! let catalog = Catalog {
//!     schema: metricate_catalog::json::SCHEMA.to_owned(),
//!     schema_version: metricate_catalog::json::SCHEMA_VERSION,
//!     metrics: vec![requests],
//! };
//!
//! let files = dashboards(&catalog, &Options::default());
//! let names: Vec<&str> = files.iter().map(|d| d.file_name.as_str()).collect();
//! assert_eq!(names, ["metricate-overview.json", "metricate-http.json"]);
//! let http = &files[1].json;
//! assert!(http.contains(
//!     r#"sum by (method, status) (rate(trc_http_requests_total{method=~\"$method\", status=~\"$status\"}[$__rate_interval]))"#
//! ));
//! assert!(http.contains(r#""unit": "percentunit""#));
//! assert!(http.ends_with("}\n"));
//! // The same catalogue gives the same files.
//! assert_eq!(dashboards(&catalog, &Options::default()), files);
//! ```
//!
//! # What each metric becomes
//!
//! Panels sit on Grafana's 24-column grid, two to a line, a metric's panels
//! side by side; every query reads the data source the dashboard's
//! `datasource` variable names.
//!
//! - A **counter**: its per-second rate, `sum by (<labels>)
//!   (rate(<name>[$__rate_interval]))`, in ops/s or the rate of its unit
//!   (bytes: B/s; seconds: a share of wall-clock time, in percent). For each
//!   label that declares error values, the error ratio: the rate of the
//!   series with those values over the rate of all, as a percentage. The
//!   ratio does not filter on that label's own variable (it is the label the
//!   ratio splits), only on the others.
//! - A **gauge**: its value. Counts and amounts (no unit, bytes, joules,
//!   grams, meters) add up across instances and are summed by its labels;
//!   any other unit (seconds, a ratio, degrees, volts, amperes) is the
//!   largest value across instances. A gauge holding a Unix time (a name
//!   ending in `_timestamp_seconds` or `_time_seconds`) shows how long ago
//!   that was: `time() - max by (<labels>) (<name>)`, in seconds.
//! - A **histogram**: its 50th, 95th and 99th percentiles,
//!   `histogram_quantile(q, sum by (le) (rate(<name>_bucket[$__rate_interval])))`,
//!   and a heatmap of its buckets.
//! - A **summary**: each declared quantile, `max by (<labels>)
//!   (<name>{quantile="q"})` (quantiles do not add up: the highest across
//!   instances), or, without quantiles, its mean, `_sum` over `_count`.
//! - An **info** metric: a table of its series' labels.
//! - A **state set**: a state timeline with a row per state, marked where
//!   the state is the current one (its sample is 1).
//!
//! Units map to Grafana's unit ids: seconds `s`, bytes `bytes`, ratio
//! `percentunit`, meters `lengthm`, grams `massg`, joules `joule`, volts
//! `volt`, amperes `amp`, celsius `celsius`; a metric without a unit, or with
//! another, shows plain numbers (`short`). Deprecated metrics' panels end
//! their title in ` (deprecated)` and say why in their description, which is
//! otherwise the metric's help.
//!
//! # Variables
//!
//! Each dashboard has a `datasource` variable (any Prometheus data source)
//! and one variable per label name of its metrics (a state set's state label
//! excepted): a multi-value `custom` variable of the declared values (and
//! `unknown` when a missing value may appear) or, for a label bounded at run
//! time or holding the build's value, a `query` variable of the values
//! Prometheus has (`label_values(<series>, <label>)`). Both include `All`,
//! which matches any value. Every query of a metric with that label filters
//! on it: `label=~"$label"`. A label named `datasource` gets the variable
//! `label_datasource`.
//!
//! # The overview
//!
//! The overview has an alert list of the alerts the catalogue declares (when
//! it declares any), then a row per dashboard with a link to it and, for each
//! counter that has a label with error values, its rate and error ratio by
//! job: the series the rule file of `catalog rules` records
//! ([`crate::alerting::recorded_operations`]), which Prometheus must load
//! (the overview's only variable is the data source). A subsystem's dashboard starts with an alert list of the alerts
//! declared on its metrics, when there are any.
//!
//! Each dashboard's uid is the [`Options::uid_prefix`], `-` and the
//! subsystem (`general` for the metrics without one, `overview` for the
//! overview), at most 40 characters, made unique with `-2`, `-3`...; it is
//! also the file name. The output is deterministic: the same catalogue gives
//! byte-identical files, whatever the order of its metrics.

use std::fmt::Write as _;

use crate::MetricKind;
use crate::alerting::{promql_escape, regex_escape};
use crate::json::{Alert, Catalog, Metric, MetricLabel};

/// The `schemaVersion` the dashboards declare: Grafana 12's, which later
/// versions read as they are.
pub const SCHEMA_VERSION: u32 = 41;

/// The tag every generated dashboard has (beside its subsystem), which the
/// dashboards' link menu lists.
pub const TAG: &str = "metricate";

/// The longest uid Grafana accepts.
const MAX_UID: usize = 40;

/// How the dashboards are named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// The start of every dashboard's uid and file name (letters, digits,
    /// `-` and `_`; other characters become `_`). Default `metricate`.
    pub uid_prefix: String,
    /// The start of every dashboard's title: `<title>: <subsystem>`, and
    /// `<title>: overview`. Default `Metrics`.
    pub title: String,
}

impl Default for Options {
    fn default() -> Options {
        Options { uid_prefix: TAG.to_owned(), title: "Metrics".to_owned() }
    }
}

/// One generated dashboard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dashboard {
    /// Its Grafana uid.
    pub uid: String,
    /// Its title.
    pub title: String,
    /// The subsystem it shows: `None` for the overview, `Some("")` for the
    /// metrics without a subsystem.
    pub subsystem: Option<String>,
    /// The file to write it to: the uid and `.json`.
    pub file_name: String,
    /// The dashboard's JSON model, pretty-printed, with a final newline.
    pub json: String,
}

/// The dashboards of a catalogue: the overview first, then one per
/// subsystem in name order, then `general` for the metrics without a
/// subsystem (when there are any).
pub fn dashboards(catalog: &Catalog, options: &Options) -> Vec<Dashboard> {
    let groups = groups(catalog);
    let slugs: Vec<&str> = std::iter::once("overview")
        .chain(groups.iter().map(|(s, _)| if s.is_empty() { "general" } else { s }))
        .collect();
    let uids = uids(&options.uid_prefix, &slugs);
    let title = |slug: &str| format!("{}: {slug}", options.title);
    let pages: Vec<Page<'_>> = groups
        .iter()
        .zip(&uids[1..])
        .zip(&slugs[1..])
        .map(|(((subsystem, metrics), uid), slug)| Page { subsystem, slug, uid, title: title(slug), metrics })
        .collect();
    let mut out = Vec::with_capacity(pages.len() + 1);
    let overview_title = title("overview");
    let model = overview(catalog, &uids[0], &overview_title, &pages);
    out.push(finish(&uids[0], &overview_title, None, &model));
    for page in &pages {
        let model = subsystem_dashboard(page);
        out.push(finish(page.uid, &page.title, Some(page.subsystem), &model));
    }
    out
}

fn finish(uid: &str, title: &str, subsystem: Option<&str>, model: &Json) -> Dashboard {
    let mut json = String::new();
    model.write(&mut json, 0);
    json.push('\n');
    Dashboard {
        uid: uid.to_owned(),
        title: title.to_owned(),
        subsystem: subsystem.map(str::to_owned),
        file_name: format!("{uid}.json"),
        json,
    }
}

/// A subsystem's dashboard while it is built.
struct Page<'c> {
    subsystem: &'c str,
    slug: &'c str,
    uid: &'c str,
    title: String,
    metrics: &'c [&'c Metric],
}

/// The metrics by subsystem: the named ones in order, then those without
/// one, each group sorted by name.
fn groups(catalog: &Catalog) -> Vec<(&str, Vec<&Metric>)> {
    let mut metrics: Vec<&Metric> = catalog.metrics.iter().collect();
    metrics.sort_by(|a, b| {
        (a.subsystem.is_empty(), &a.subsystem, &a.name).cmp(&(b.subsystem.is_empty(), &b.subsystem, &b.name))
    });
    let mut groups: Vec<(&str, Vec<&Metric>)> = Vec::new();
    for metric in metrics {
        match groups.last_mut() {
            Some((subsystem, group)) if *subsystem == metric.subsystem => group.push(metric),
            _ => groups.push((&metric.subsystem, vec![metric])),
        }
    }
    groups
}

/// The uids of the dashboards: `<prefix>-<slug>`, in Grafana's characters,
/// at most [`MAX_UID`] long, the later of two alike made unique with `-2`,
/// `-3`...
fn uids(prefix: &str, slugs: &[&str]) -> Vec<String> {
    let mut uids: Vec<String> = Vec::with_capacity(slugs.len());
    for slug in slugs {
        let base: String = format!("{prefix}-{slug}")
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
            .collect();
        let mut uid: String = base.chars().take(MAX_UID).collect();
        let mut n = 2;
        while uids.contains(&uid) {
            let suffix = format!("-{n}");
            uid = base.chars().take(MAX_UID - suffix.len()).collect::<String>() + &suffix;
            n += 1;
        }
        uids.push(uid);
    }
    uids
}

// ---------------------------------------------------------------------------
// The dashboards

fn subsystem_dashboard(page: &Page<'_>) -> Json {
    let variables = variables(page.metrics);
    let mut groups: Vec<Vec<Panel>> = Vec::new();
    let alerts: Vec<(&Metric, &Alert)> =
        page.metrics.iter().flat_map(|m| m.alerts.iter().map(move |a| (*m, a))).collect();
    if !alerts.is_empty() {
        groups.push(vec![alert_list(&alerts, "Alerts of this subsystem")]);
    }
    for metric in page.metrics {
        groups.push(metric_panels(metric, &variables));
    }
    let subsystem = if page.subsystem.is_empty() { "general" } else { page.subsystem };
    let description = if page.subsystem.is_empty() {
        "The metrics without a subsystem, from the metric catalogue.".to_owned()
    } else {
        format!("The metrics of the `{}` subsystem, from the metric catalogue.", page.subsystem)
    };
    dashboard(page.uid, &page.title, &description, subsystem, &variables, layout(groups))
}

fn overview(catalog: &Catalog, uid: &str, title: &str, pages: &[Page<'_>]) -> Json {
    let mut panels: Vec<Json> = Vec::new();
    let mut grid = Grid::default();
    let alerts: Vec<(&Metric, &Alert)> =
        pages.iter().flat_map(|p| p.metrics.iter()).flat_map(|m| m.alerts.iter().map(move |a| (*m, a))).collect();
    if !alerts.is_empty() {
        grid.place(&mut panels, vec![alert_list(&alerts, "Alerts")]);
    }
    let none = Variables::default();
    for page in pages {
        grid.row(&mut panels, page.slug);
        grid.place(&mut panels, vec![page_link(page)]);
        for metric in page.metrics {
            // The series the rule file records (`catalog rules`): the
            // overview reads them, as the alerts do.
            let Some((rate, ratios)) = crate::alerting::recorded_operations(metric) else { continue };
            let unit = rate_unit(metric.unit.as_deref());
            let mut rate = Panel::timeseries(metric, "rate", unit, vec![Target::range(rate, "{{job}}".to_owned())]);
            rate.min = Some(0);
            let mut group = vec![rate];
            for (label, record) in ratios {
                let what = if group.len() == 1 && !record.contains(&format!(":{label}_")) {
                    "error ratio".to_owned()
                } else {
                    format!("error ratio by {label}")
                };
                let mut ratio =
                    Panel::timeseries(metric, &what, "percentunit", vec![Target::range(record, "{{job}}".to_owned())]);
                (ratio.min, ratio.max) = (Some(0), Some(1));
                group.push(ratio);
            }
            for panel in &mut group {
                panel.links.push(link_to(page));
            }
            grid.place(&mut panels, group);
        }
    }
    let description = format!(
        "The catalogue's {} metrics at a glance: the declared alerts, the rates and error ratios of the counters \
         that declare error values (the series `catalog rules` records: load its rule file into Prometheus), and \
         a link to each subsystem's dashboard.",
        catalog.metrics.len()
    );
    dashboard(uid, title, &description, "overview", &none, panels)
}

/// A dashboard's model around its variables and panels.
fn dashboard(uid: &str, title: &str, description: &str, tag: &str, variables: &Variables, panels: Vec<Json>) -> Json {
    let mut templating = vec![datasource_variable()];
    templating.extend(variables.list.iter().map(Variable::to_json));
    object! {
        "uid": uid,
        "title": title,
        "description": description,
        "tags": vec![Json::from(TAG), Json::from(tag)],
        "timezone": "browser",
        "editable": true,
        "graphTooltip": 1,
        "time": object! { "from": "now-6h", "to": "now" },
        "schemaVersion": SCHEMA_VERSION,
        "version": 1,
        "links": vec![object! {
            "title": "Metrics dashboards",
            "type": "dashboards",
            "tags": vec![Json::from(TAG)],
            "asDropdown": true,
            "icon": "external link",
            "includeVars": false,
            "keepTime": true,
            "targetBlank": false,
            "tooltip": "",
        }],
        "templating": object! { "list": templating },
        "panels": panels,
    }
}

/// The overview's panel that links to a subsystem's dashboard and says what
/// it holds.
fn page_link(page: &Page<'_>) -> Panel {
    let mut counts: Vec<String> = Vec::new();
    for kind in MetricKind::ALL {
        match page.metrics.iter().filter(|m| m.kind == kind).count() {
            0 => {}
            n => counts.push(crate::render::count(n, kind)),
        }
    }
    let content = format!(
        "[{}]({}): {} ({}).",
        page.title.replace('\\', "\\\\").replace('[', "\\[").replace(']', "\\]"),
        dashboard_url(page.uid),
        if page.metrics.len() == 1 { "1 metric".to_owned() } else { format!("{} metrics", page.metrics.len()) },
        counts.join(", ")
    );
    let mut panel = Panel::new("text", String::new(), String::new(), 24);
    panel.height = 3;
    panel.datasource = false;
    panel.options = object! { "mode": "markdown", "content": content };
    panel
}

/// A link from an overview panel to a subsystem's dashboard.
fn link_to(page: &Page<'_>) -> Json {
    object! {
        "title": format!("Open {}", page.title),
        "type": "link",
        "url": dashboard_url(page.uid),
        "icon": "dashboard",
        "tags": Vec::<Json>::new(),
        "asDropdown": false,
        "includeVars": false,
        "keepTime": false,
        "targetBlank": false,
        "tooltip": "",
    }
}

/// A dashboard's address, keeping the time range and the data source.
fn dashboard_url(uid: &str) -> String {
    format!("/d/{uid}?${{__url_time_range}}&${{datasource:queryparam}}")
}

/// An alert list of the alerts declared on these metrics: Grafana lists the
/// firing and pending instances of those the data source's rules define.
fn alert_list(alerts: &[(&Metric, &Alert)], title: &str) -> Panel {
    let names: Vec<String> = alerts.iter().map(|(_, a)| regex_escape(&a.name)).collect();
    let mut description = String::from("The alerts declared on these metrics:");
    for (metric, alert) in alerts {
        let _ = write!(description, "\n- {} ({}, on `{}`): {}", alert.name, alert.severity, metric.name, alert.summary);
    }
    let mut panel = Panel::new("alertlist", title.to_owned(), description, 24);
    panel.datasource = false;
    panel.options = object! {
        "viewMode": "list",
        "groupMode": "default",
        "groupBy": Vec::<Json>::new(),
        "maxItems": 20,
        "sortOrder": 3,
        "dashboardAlerts": false,
        "alertName": "",
        "alertInstanceLabelFilter": format!("{{alertname=~\"{}\"}}", names.join("|")),
        "showInstances": true,
        "stateFilter": object! {
            "firing": true,
            "pending": true,
            "recovering": true,
            "noData": true,
            "error": true,
            "normal": false,
        },
    };
    panel
}

// ---------------------------------------------------------------------------
// Variables

/// The label variables of a dashboard, in the order their labels first
/// appear.
#[derive(Default)]
struct Variables {
    list: Vec<Variable>,
}

/// One label's variable.
struct Variable {
    /// The variable's name: the label's, unless that is `datasource`.
    name: String,
    label: String,
    /// The values every metric declares, in order, each once; with
    /// `unknown` when a metric may have it.
    values: Vec<String>,
    /// Whether every metric declares the label's values: a `custom`
    /// variable; otherwise a `query` one.
    declared: bool,
    /// The series to look the values up in, for a `query` variable.
    series: Vec<String>,
}

impl Variables {
    fn get(&self, label: &str) -> Option<&Variable> {
        self.list.iter().find(|v| v.label == label)
    }
}

/// The variables of a dashboard's metrics.
fn variables(metrics: &[&Metric]) -> Variables {
    let mut variables = Variables::default();
    for metric in metrics {
        for label in metric.series_labels() {
            let index = match variables.list.iter().position(|v| v.label == label.name) {
                Some(index) => index,
                None => {
                    let name =
                        if label.name == "datasource" { "label_datasource".to_owned() } else { label.name.clone() };
                    variables.list.push(Variable {
                        name,
                        label: label.name.clone(),
                        values: Vec::new(),
                        declared: true,
                        series: Vec::new(),
                    });
                    variables.list.len() - 1
                }
            };
            let variable = &mut variables.list[index];
            variable.declared &= label.cap.is_none() && !label.build && !label.values.is_empty();
            let unknown = label.unknown.then(|| "unknown".to_owned());
            for value in label.values.iter().cloned().chain(unknown) {
                if !variable.values.contains(&value) {
                    variable.values.push(value);
                }
            }
            let series = metric.presence_series();
            if !variable.series.contains(&series) {
                variable.series.push(series);
            }
        }
    }
    variables
}

impl Variable {
    fn to_json(&self) -> Json {
        let all = || object! { "selected": true, "text": vec![Json::from("All")], "value": vec![Json::from("$__all")] };
        if self.declared {
            let mut options = vec![object! { "selected": true, "text": "All", "value": "$__all" }];
            options.extend(self.values.iter().map(|v| object! { "selected": false, "text": v, "value": v }));
            let query: Vec<String> = self.values.iter().map(|v| v.replace('\\', "\\\\").replace(',', "\\,")).collect();
            object! {
                "name": &self.name,
                "label": &self.label,
                "description": format!("The `{}` label: its declared values.", self.label),
                "type": "custom",
                "query": query.join(","),
                "multi": true,
                "includeAll": true,
                "allValue": ".*",
                "current": all(),
                "options": options,
                "hide": 0,
                "skipUrlSync": false,
            }
        } else {
            let selector = match self.series.as_slice() {
                [one] => one.clone(),
                many => format!("{{__name__=~\"{}\"}}", many.join("|")),
            };
            object! {
                "name": &self.name,
                "label": &self.label,
                "description": format!("The `{}` label: the values Prometheus has.", self.label),
                "type": "query",
                "datasource": datasource(),
                "query": format!("label_values({selector}, {})", self.label),
                "refresh": 2,
                "sort": 1,
                "regex": "",
                "multi": true,
                "includeAll": true,
                "allValue": ".*",
                "current": all(),
                "options": Vec::<Json>::new(),
                "hide": 0,
                "skipUrlSync": false,
            }
        }
    }
}

fn datasource_variable() -> Json {
    object! {
        "name": "datasource",
        "label": "Data source",
        "type": "datasource",
        "query": "prometheus",
        "refresh": 1,
        "regex": "",
        "multi": false,
        "includeAll": false,
        "options": Vec::<Json>::new(),
        "hide": 0,
        "skipUrlSync": false,
    }
}

/// The data source of every panel and query: the `datasource` variable's.
fn datasource() -> Json {
    object! { "type": "prometheus", "uid": "${datasource}" }
}

/// The matchers of a metric's queries: `label=~"$label"` for each label with
/// a variable, but `except`.
fn matchers(metric: &Metric, variables: &Variables, except: Option<&str>) -> Vec<String> {
    metric
        .series_labels()
        .filter(|l| Some(l.name.as_str()) != except)
        .filter_map(|l| variables.get(&l.name).map(|v| format!("{}=~\"${}\"", l.name, v.name)))
        .collect()
}

// ---------------------------------------------------------------------------
// Panels

/// A panel before it has a place on the grid.
struct Panel {
    kind: &'static str,
    title: String,
    description: String,
    width: u32,
    height: u32,
    /// Whether its queries read the dashboard's data source.
    datasource: bool,
    unit: Option<String>,
    min: Option<i64>,
    max: Option<i64>,
    custom: Option<Json>,
    mappings: Vec<Json>,
    options: Json,
    targets: Vec<Target>,
    transformations: Vec<Json>,
    links: Vec<Json>,
}

/// A Prometheus query.
struct Target {
    expr: String,
    legend: String,
    /// `time_series`, `heatmap` or `table`.
    format: &'static str,
    /// An instant query (a table's) instead of a range.
    instant: bool,
}

impl Target {
    fn range(expr: String, legend: String) -> Target {
        Target { expr, legend, format: "time_series", instant: false }
    }
}

impl Panel {
    fn new(kind: &'static str, title: String, description: String, width: u32) -> Panel {
        Panel {
            kind,
            title,
            description,
            width,
            height: 8,
            datasource: true,
            unit: None,
            min: None,
            max: None,
            custom: None,
            mappings: Vec::new(),
            options: Json::Obj(Vec::new()),
            targets: Vec::new(),
            transformations: Vec::new(),
            links: Vec::new(),
        }
    }

    /// A time series panel of these queries.
    fn timeseries(metric: &Metric, title: &str, unit: &str, targets: Vec<Target>) -> Panel {
        let mut panel = Panel::new("timeseries", titled(metric, title), description(metric), 12);
        panel.unit = Some(unit.to_owned());
        panel.targets = targets;
        panel.custom = Some(object! { "drawStyle": "line", "lineWidth": 1, "fillOpacity": 10, "showPoints": "never" });
        panel.options = object! {
            "legend": list_legend(true),
            "tooltip": object! { "mode": "multi", "sort": "desc" },
        };
        panel
    }

    fn to_json(&self, id: u32, x: u32, y: u32) -> Json {
        let mut fields: Vec<(&'static str, Json)> = vec![
            ("id", id.into()),
            ("type", self.kind.into()),
            ("title", self.title.as_str().into()),
            ("description", self.description.as_str().into()),
        ];
        if self.datasource {
            fields.push(("datasource", datasource()));
        }
        fields.push(("gridPos", object! { "h": self.height, "w": self.width, "x": x, "y": y }));
        let mut defaults: Vec<(&'static str, Json)> = Vec::new();
        if let Some(unit) = &self.unit {
            defaults.push(("unit", unit.as_str().into()));
        }
        defaults.extend(self.min.map(|min| ("min", min.into())));
        defaults.extend(self.max.map(|max| ("max", max.into())));
        if !self.mappings.is_empty() {
            defaults.push(("mappings", self.mappings.clone().into()));
        }
        defaults.extend(self.custom.clone().map(|custom| ("custom", custom)));
        fields.push(("fieldConfig", object! { "defaults": Json::Obj(defaults), "overrides": Vec::<Json>::new() }));
        fields.push(("options", self.options.clone()));
        if self.datasource {
            let targets: Vec<Json> = self.targets.iter().enumerate().map(|(i, t)| t.to_json(i)).collect();
            fields.push(("targets", targets.into()));
        }
        if !self.transformations.is_empty() {
            fields.push(("transformations", self.transformations.clone().into()));
        }
        if !self.links.is_empty() {
            fields.push(("links", self.links.clone().into()));
        }
        Json::Obj(fields)
    }
}

impl Target {
    fn to_json(&self, index: usize) -> Json {
        // A, B, ... Z, then AA, AB...: a panel has a handful.
        let letter = |n: usize| char::from(b'A' + (n % 26) as u8);
        let ref_id =
            if index < 26 { letter(index).to_string() } else { format!("{}{}", letter(index / 26 - 1), letter(index)) };
        object! {
            "refId": ref_id,
            "datasource": datasource(),
            "editorMode": "code",
            "expr": self.expr.as_str(),
            "legendFormat": self.legend.as_str(),
            "format": self.format,
            "range": !self.instant,
            "instant": self.instant,
        }
    }
}

/// A panel title: the metric's name, what the panel shows of it, and
/// whether it is deprecated.
fn titled(metric: &Metric, what: &str) -> String {
    let mut title = metric.name.clone();
    if !what.is_empty() {
        let _ = write!(title, ": {what}");
    }
    if metric.deprecated.is_some() {
        title.push_str(" (deprecated)");
    }
    title
}

/// A panel description: the metric's help, and why it is deprecated.
fn description(metric: &Metric) -> String {
    let mut text = metric.help.trim().to_owned();
    if let Some(deprecated) = &metric.deprecated {
        let reason = deprecated.reason.trim().trim_end_matches('.');
        let _ = write!(text, "\n\nDeprecated");
        if !reason.is_empty() {
            let _ = write!(text, ": {reason}");
        }
        text.push('.');
        if let Some(replacement) = &deprecated.replacement {
            let _ = write!(text, " Use `{replacement}` instead.");
        }
    }
    text
}

/// The panels of one metric, by its type.
fn metric_panels(metric: &Metric, variables: &Variables) -> Vec<Panel> {
    let labels: Vec<&str> = metric.labels.iter().map(|l| l.name.as_str()).collect();
    match metric.kind {
        MetricKind::Counter => {
            let mut panels = vec![rate_panel(metric, variables, &labels)];
            panels.extend(error_ratio_panels(metric, variables));
            panels
        }
        MetricKind::Histogram => histogram_panels(metric, variables),
        MetricKind::Summary => vec![summary_panel(metric, variables)],
        MetricKind::Info => vec![info_panel(metric, variables)],
        MetricKind::StateSet => vec![state_panel(metric, variables)],
        MetricKind::Gauge => vec![gauge_panel(metric, variables)],
    }
}

fn rate_panel(metric: &Metric, variables: &Variables, by: &[&str]) -> Panel {
    let selector = selector(&metric.name, &matchers(metric, variables, None));
    let expr = aggregate("sum", by, &format!("rate({selector}[$__rate_interval])"));
    let mut panel = Panel::timeseries(
        metric,
        "rate",
        rate_unit(metric.unit.as_deref()),
        vec![Target::range(expr, legend(by, "rate"))],
    );
    panel.min = Some(0);
    panel
}

/// One error-ratio panel per label that declares error values.
fn error_ratio_panels(metric: &Metric, variables: &Variables) -> Vec<Panel> {
    let labels: Vec<&MetricLabel> = metric.labels.iter().filter(|l| !l.errors.is_empty()).collect();
    labels
        .iter()
        .map(|label| {
            let others = matchers(metric, variables, Some(&label.name));
            let errors: Vec<String> = label.errors.iter().map(|e| promql_escape(&regex_escape(e))).collect();
            let mut failing = others.clone();
            failing.push(format!("{}=~\"{}\"", label.name, errors.join("|")));
            let expr = format!(
                "sum(rate({}[$__rate_interval])) / sum(rate({}[$__rate_interval]))",
                selector(&metric.name, &failing),
                selector(&metric.name, &others)
            );
            let what =
                if labels.len() == 1 { "error ratio".to_owned() } else { format!("error ratio by {}", label.name) };
            let mut panel =
                Panel::timeseries(metric, &what, "percentunit", vec![Target::range(expr, "error ratio".to_owned())]);
            let _ = write!(
                panel.description,
                "\n\nThe share of the rate whose `{}` is {}.",
                label.name,
                label.errors.iter().map(|e| format!("`{e}`")).collect::<Vec<_>>().join(" or ")
            );
            panel.min = Some(0);
            panel.max = Some(1);
            panel
        })
        .collect()
}

fn gauge_panel(metric: &Metric, variables: &Variables) -> Panel {
    let labels: Vec<&str> = metric.labels.iter().map(|l| l.name.as_str()).collect();
    let selector = selector(&metric.name, &matchers(metric, variables, None));
    if is_timestamp(metric) {
        let expr = format!("time() - {}", aggregate("max", &labels, &selector));
        let mut panel = Panel::timeseries(metric, "age", "s", vec![Target::range(expr, legend(&labels, "age"))]);
        panel.description.push_str("\n\nShown as the time since: `time()` minus the value.");
        return panel;
    }
    let op = if additive(metric.unit.as_deref()) { "sum" } else { "max" };
    let expr = aggregate(op, &labels, &selector);
    Panel::timeseries(
        metric,
        "",
        value_unit(metric.unit.as_deref()),
        vec![Target::range(expr, legend(&labels, "value"))],
    )
}

/// The histogram's percentiles, and a heatmap of its buckets.
fn histogram_panels(metric: &Metric, variables: &Variables) -> Vec<Panel> {
    let unit = value_unit(metric.unit.as_deref());
    let buckets = selector(&format!("{}_bucket", metric.name), &matchers(metric, variables, None));
    let targets = [0.5, 0.95, 0.99]
        .iter()
        .map(|q| {
            let expr = format!("histogram_quantile({q}, sum by (le) (rate({buckets}[$__rate_interval])))");
            Target::range(expr, percentile(*q))
        })
        .collect();
    let quantiles = Panel::timeseries(metric, "p50, p95, p99", unit, targets);
    let mut heatmap = Panel::new("heatmap", titled(metric, "buckets"), description(metric), 12);
    let expr = format!("sum by (le) (increase({buckets}[$__rate_interval]))");
    heatmap.targets = vec![Target { expr, legend: "{{le}}".to_owned(), format: "heatmap", instant: false }];
    heatmap.options = object! {
        "calculate": false,
        "cellGap": 1,
        "color": object! {
            "mode": "scheme",
            "scheme": "Oranges",
            "fill": "dark-orange",
            "scale": "exponential",
            "exponent": Json::Raw("0.5"),
            "steps": 64,
            "reverse": false,
        },
        "exemplars": object! { "color": "rgba(255,0,255,0.7)" },
        "legend": object! { "show": true },
        "rowsFrame": object! { "layout": "auto" },
        "showValue": "never",
        "tooltip": object! { "mode": "single", "yHistogram": true, "showColorScale": false },
        "yAxis": object! { "axisPlacement": "left", "reverse": false, "unit": unit },
        "cellValues": object! { "unit": "short" },
    };
    vec![quantiles, heatmap]
}

fn summary_panel(metric: &Metric, variables: &Variables) -> Panel {
    let labels: Vec<&str> = metric.series_labels().map(|l| l.name.as_str()).collect();
    let matchers = matchers(metric, variables, None);
    let unit = value_unit(metric.unit.as_deref());
    if metric.quantiles.is_empty() {
        let (sum, count) = (
            selector(&format!("{}_sum", metric.name), &matchers),
            selector(&format!("{}_count", metric.name), &matchers),
        );
        let expr = format!(
            "{} / {}",
            aggregate("sum", &labels, &format!("rate({sum}[$__rate_interval])")),
            aggregate("sum", &labels, &format!("rate({count}[$__rate_interval])"))
        );
        return Panel::timeseries(metric, "mean", unit, vec![Target::range(expr, legend(&labels, "mean"))]);
    }
    let targets = metric
        .quantiles
        .iter()
        .map(|q| {
            let mut with = vec![format!("quantile=\"{q}\"")];
            with.extend(matchers.iter().cloned());
            let expr = aggregate("max", &labels, &selector(&metric.name, &with));
            let legend =
                if labels.is_empty() { percentile(*q) } else { format!("{} {}", percentile(*q), legend(&labels, "")) };
            Target::range(expr, legend)
        })
        .collect();
    Panel::timeseries(metric, "quantiles", unit, targets)
}

fn info_panel(metric: &Metric, variables: &Variables) -> Panel {
    let mut panel = Panel::new("table", titled(metric, ""), description(metric), 24);
    panel.height = 6;
    let expr = selector(&metric.name, &matchers(metric, variables, None));
    panel.targets = vec![Target { expr, legend: String::new(), format: "table", instant: true }];
    panel.transformations = vec![object! {
        "id": "organize",
        "options": object! {
            "excludeByName": object! { "Time": true, "Value": true, "__name__": true },
        },
    }];
    panel.options = object! { "showHeader": true, "cellHeight": "sm" };
    panel
}

fn state_panel(metric: &Metric, variables: &Variables) -> Panel {
    let by: Vec<&str> = match metric.state_label() {
        Some(state) => vec![state.name.as_str()],
        None => metric.labels.iter().map(|l| l.name.as_str()).collect(),
    };
    let expr = aggregate("max", &by, &selector(&metric.name, &matchers(metric, variables, None)));
    let mut panel = Panel::new("state-timeline", titled(metric, ""), description(metric), 24);
    panel.targets = vec![Target::range(expr, legend(&by, "state"))];
    panel.mappings = vec![object! {
        "type": "value",
        "options": object! {
            "0": object! { "index": 1, "text": "-", "color": "transparent" },
            "1": object! { "index": 0, "text": "current", "color": "green" },
        },
    }];
    panel.custom = Some(object! { "fillOpacity": 80, "lineWidth": 0 });
    panel.options = object! {
        "mergeValues": true,
        "showValue": "never",
        "alignValue": "left",
        "rowHeight": Json::Raw("0.9"),
        "legend": list_legend(false),
        "tooltip": object! { "mode": "single", "sort": "none" },
    };
    panel
}

/// A panel's legend: a list below the graph, shown or hidden, without
/// calculations.
fn list_legend(show: bool) -> Json {
    object! { "showLegend": show, "displayMode": "list", "placement": "bottom", "calcs": Vec::<Json>::new() }
}

// ---------------------------------------------------------------------------
// Units and PromQL

/// Grafana's unit of a value in a declared base unit; `short` (plain
/// numbers) without one or for one it has no unit for.
fn value_unit(unit: Option<&str>) -> &'static str {
    match unit {
        Some("seconds") => "s",
        Some("bytes") => "bytes",
        Some("ratio") => "percentunit",
        Some("meters") => "lengthm",
        Some("grams") => "massg",
        Some("joules") => "joule",
        Some("volts") => "volt",
        Some("amperes") => "amp",
        Some("celsius") => "celsius",
        _ => "short",
    }
}

/// Grafana's unit of a counter's per-second rate: operations per second
/// without a unit; seconds per second, a share of wall-clock time, in
/// percent; bytes per second; joules per second, watts; meters per second.
fn rate_unit(unit: Option<&str>) -> &'static str {
    match unit {
        None => "ops",
        Some("seconds") => "percentunit",
        Some("bytes") => "Bps",
        Some("joules") => "watt",
        Some("meters") => "velocityms",
        Some("grams") => "si:g/s",
        Some("volts") => "si:V/s",
        Some("amperes") => "si:A/s",
        Some("celsius") => "suffix:°C/s",
        Some(_) => "short",
    }
}

/// Whether a gauge's values add up across instances: counts and amounts.
fn additive(unit: Option<&str>) -> bool {
    matches!(unit, None | Some("bytes" | "joules" | "grams" | "meters"))
}

/// Whether a gauge holds a Unix time, in seconds.
fn is_timestamp(metric: &Metric) -> bool {
    metric.unit.as_deref() == Some("seconds")
        && (metric.name.ends_with("_timestamp_seconds") || metric.name.ends_with("_time_seconds"))
}

/// `name{matchers}`, or `name` without any.
fn selector(name: &str, matchers: &[String]) -> String {
    if matchers.is_empty() { name.to_owned() } else { format!("{name}{{{}}}", matchers.join(", ")) }
}

/// `op by (labels) (expr)`, or `op(expr)` without labels.
fn aggregate(op: &str, by: &[&str], expr: &str) -> String {
    if by.is_empty() { format!("{op}({expr})") } else { format!("{op} by ({}) ({expr})", by.join(", ")) }
}

/// A legend of the labels' values, or `alone` without labels.
fn legend(labels: &[&str], alone: &str) -> String {
    if labels.is_empty() {
        alone.to_owned()
    } else {
        labels.iter().map(|l| format!("{{{{{l}}}}}")).collect::<Vec<_>>().join(" ")
    }
}

/// A quantile as a percentile: `p50`, `p99`, `p99.9`, `p5`.
fn percentile(q: f64) -> String {
    let text = format!("{q}");
    match text.strip_prefix("0.") {
        Some(fraction) => {
            let (whole, rest) = fraction.split_at(fraction.len().min(2));
            let whole = format!("{whole:0<2}");
            let whole = whole.trim_start_matches('0');
            let whole = if whole.is_empty() { "0" } else { whole };
            if rest.is_empty() { format!("p{whole}") } else { format!("p{whole}.{rest}") }
        }
        None => format!("q{text}"),
    }
}

// ---------------------------------------------------------------------------
// Layout

/// Places panels on Grafana's 24-column grid, left to right, a group of
/// panels on one line when it fits, and numbers them.
#[derive(Default)]
struct Grid {
    x: u32,
    y: u32,
    /// The height of the current line.
    line: u32,
    /// The last id given.
    id: u32,
}

/// The grid's width.
const COLUMNS: u32 = 24;

impl Grid {
    fn place(&mut self, out: &mut Vec<Json>, group: Vec<Panel>) {
        let width: u32 = group.iter().map(|p| p.width).sum();
        if self.x + width.min(COLUMNS) > COLUMNS {
            self.new_line();
        }
        for panel in group {
            if self.x + panel.width > COLUMNS {
                self.new_line();
            }
            self.id += 1;
            out.push(panel.to_json(self.id, self.x, self.y));
            self.x += panel.width;
            self.line = self.line.max(panel.height);
        }
    }

    fn new_line(&mut self) {
        self.y += self.line;
        self.x = 0;
        self.line = 0;
    }

    /// A row header across the grid.
    fn row(&mut self, out: &mut Vec<Json>, title: &str) {
        self.new_line();
        self.id += 1;
        out.push(object! {
            "id": self.id,
            "type": "row",
            "title": title,
            "collapsed": false,
            "gridPos": object! { "h": 1, "w": COLUMNS, "x": 0, "y": self.y },
            "panels": Vec::<Json>::new(),
        });
        self.y += 1;
    }
}

/// The panels of a dashboard, each group on a line of its own when it does
/// not fit beside the one before.
fn layout(groups: Vec<Vec<Panel>>) -> Vec<Json> {
    let mut grid = Grid::default();
    let mut panels = Vec::new();
    for group in groups {
        grid.place(&mut panels, group);
    }
    panels
}

// ---------------------------------------------------------------------------
// JSON

/// A JSON value that keeps its keys in the order they were given, so that
/// the output is the same whatever `serde_json`'s features.
#[derive(Clone, Debug)]
enum Json {
    Bool(bool),
    Int(i64),
    /// A number written as it is given (a literal such as `0.5`).
    Raw(&'static str),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(&'static str, Json)>),
}

/// `object! { "key": value, ... }`: a [`Json`] object of these fields, in
/// order.
macro_rules! object {
    ($($key:literal : $value:expr),* $(,)?) => {
        Json::Obj(vec![$(($key, Json::from($value))),*])
    };
}
use object;

impl From<bool> for Json {
    fn from(value: bool) -> Json {
        Json::Bool(value)
    }
}

impl From<i64> for Json {
    fn from(value: i64) -> Json {
        Json::Int(value)
    }
}

impl From<u32> for Json {
    fn from(value: u32) -> Json {
        Json::Int(i64::from(value))
    }
}

impl From<i32> for Json {
    fn from(value: i32) -> Json {
        Json::Int(i64::from(value))
    }
}

impl From<&str> for Json {
    fn from(value: &str) -> Json {
        Json::Str(value.to_owned())
    }
}

impl From<String> for Json {
    fn from(value: String) -> Json {
        Json::Str(value)
    }
}

impl From<&String> for Json {
    fn from(value: &String) -> Json {
        Json::Str(value.clone())
    }
}

impl From<Vec<Json>> for Json {
    fn from(value: Vec<Json>) -> Json {
        Json::Arr(value)
    }
}

impl Json {
    /// Writes the value pretty-printed as `serde_json` does: two spaces of
    /// indentation, `"key": value`, empty arrays and objects as `[]`, `{}`.
    fn write(&self, out: &mut String, indent: usize) {
        match self {
            Json::Bool(value) => out.push_str(if *value { "true" } else { "false" }),
            Json::Int(value) => {
                let _ = write!(out, "{value}");
            }
            Json::Raw(value) => out.push_str(value),
            Json::Str(value) => write_string(out, value),
            Json::Arr(items) if items.is_empty() => out.push_str("[]"),
            Json::Obj(fields) if fields.is_empty() => out.push_str("{}"),
            Json::Arr(items) => {
                out.push_str("[\n");
                for (i, item) in items.iter().enumerate() {
                    push_indent(out, indent + 1);
                    item.write(out, indent + 1);
                    out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
                }
                push_indent(out, indent);
                out.push(']');
            }
            Json::Obj(fields) => {
                out.push_str("{\n");
                for (i, (key, value)) in fields.iter().enumerate() {
                    push_indent(out, indent + 1);
                    write_string(out, key);
                    out.push_str(": ");
                    value.write(out, indent + 1);
                    out.push_str(if i + 1 < fields.len() { ",\n" } else { "\n" });
                }
                push_indent(out, indent);
                out.push('}');
            }
        }
    }
}

fn push_indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

/// A JSON string, escaped as `serde_json` escapes it.
fn write_string(out: &mut String, text: &str) {
    out.push_str(&serde_json::to_string(text).expect("a string always serialises")); // invariant: plain str
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids_are_grafanas_characters_at_most_40_long_and_unique() {
        let uids = uids("metricate", &["overview", "http", "overview", "a:b", &"x".repeat(60), &"x".repeat(61)]);
        assert_eq!(&uids[..4], ["metricate-overview", "metricate-http", "metricate-overview-2", "metricate-a_b"]);
        assert_eq!(uids[4], format!("metricate-{}", "x".repeat(30)));
        assert_eq!(uids[5], format!("metricate-{}-2", "x".repeat(28)));
        assert!(uids.iter().all(|u| u.len() <= MAX_UID));
    }

    #[test]
    fn percentiles_read_as_people_write_them() {
        let names: Vec<String> = [0.5, 0.9, 0.95, 0.99, 0.999, 0.05, 0.25, 0.001].map(percentile).to_vec();
        assert_eq!(names, ["p50", "p90", "p95", "p99", "p99.9", "p5", "p25", "p0.1"]);
    }

    #[test]
    fn regexes_and_strings_are_escaped() {}

    #[test]
    fn units_map_to_grafanas() {
        let units = [None, Some("seconds"), Some("bytes"), Some("ratio"), Some("celsius"), Some("furlongs")];
        assert_eq!(units.map(value_unit), ["short", "s", "bytes", "percentunit", "celsius", "short"]);
        assert_eq!(units.map(rate_unit), ["ops", "percentunit", "Bps", "short", "suffix:°C/s", "short"]);
    }

    #[test]
    fn json_is_written_like_serde_jsons_pretty_printer() {
        let value = object! {
            "a": 1,
            "b": vec![Json::from("x\"y"), Json::Arr(vec![]), Json::Obj(vec![])],
            "c": object! { "d": true, "e": Json::Raw("0.5") },
        };
        let mut text = String::new();
        value.write(&mut text, 0);
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(serde_json::to_string_pretty(&parsed).unwrap(), text);
    }
}
