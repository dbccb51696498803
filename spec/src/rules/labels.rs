//! L1–L7: label names, value types, counts and values.

use super::{Rule, Violation, check_snake_case};
use crate::Policy;

const L1_NOTE: &str = "label names are snake_case (`[a-z][a-z0-9_]*`, ASCII, single `_` between words); names \
                       starting with `__` are reserved for Prometheus' own labels (`__name__`, `__address__`, ...)";

/// L1: a label name is snake case `[a-z][a-z0-9_]*` (non-empty, ASCII, no
/// `__`, no leading or trailing `_`) and in particular never starts with `__`,
/// which Prometheus reserves.
///
/// ```
/// use metricate_spec::rules::check_l1;
///
/// assert!(check_l1("path_template").is_none());
/// assert_eq!(
///     check_l1("__name__").unwrap().message,
///     "L1: label `__name__` starts with `__`, which Prometheus reserves for its own labels",
/// );
/// ```
pub fn check_l1(label: &str) -> Option<Violation> {
    let violation = check_snake_case(
        Rule::L1,
        L1_NOTE,
        "label",
        label,
        "name the label in snake_case after what it classifies, e.g. `method`",
    )?;
    if label.starts_with("__") {
        return Some(Violation::new(
            Rule::L1,
            format_args!("label `{label}` starts with `__`, which Prometheus reserves for its own labels"),
            L1_NOTE,
            violation.help,
        ));
    }
    Some(violation)
}

/// The label names L2 reserves: the name, why, and a replacement.
const RESERVED_LABELS: [(&str, &str, &str); 4] = [
    ("le", "`le` holds the upper bound of a histogram's bucket series", "bound"),
    ("quantile", "`quantile` holds the quantile of a summary's series", "percentile"),
    ("job", "Prometheus attaches `job` to every series of a scrape target", "job_type"),
    ("instance", "Prometheus attaches `instance` to every series of a scrape target", "instance_role"),
];

/// L2: the label names `le` (histogram buckets), `quantile` (summaries),
/// `job` and `instance` (attached by Prometheus) are reserved. `le` is
/// rejected on every metric, not only histograms, so that a metric can become
/// a histogram without renaming its labels.
///
/// ```
/// use metricate_spec::rules::check_l2;
///
/// assert!(check_l2("status").is_none());
/// assert_eq!(check_l2("job").unwrap().help, "rename `job` to what it classifies, e.g. `job_type`");
/// ```
pub fn check_l2(label: &str) -> Option<Violation> {
    let (name, why, instead) = RESERVED_LABELS.iter().find(|(name, _, _)| *name == label)?;
    Some(Violation::new(
        Rule::L2,
        format_args!("label `{name}` is reserved"),
        format!(
            "{why}; a declared label of the same name collides with it (Prometheus renames or overwrites one of \
             them), so `le`, `quantile`, `job` and `instance` are never declared"
        ),
        format!("rename `{name}` to what it classifies, e.g. `{instead}`"),
    ))
}

/// A family of forbidden label names: what such a label would hold, why that
/// is forbidden, and what to label instead.
type Forbidden = (&'static str, &'static str, &'static str);

const HOSTS: Forbidden = (
    "a host name",
    "host names are unbounded and churn with every deployment; Prometheus already attaches `instance` for \
     the scraped target",
    "drop it, or label a bounded classification such as `backend_pool` or `node_role`",
);
const URLS: Forbidden = (
    "a raw URL or path",
    "raw URLs and paths are unbounded (ids, query strings) and may carry personal data",
    "label the route template instead, e.g. `path_template` with values like `/orgs/{id}`",
);
const QUERIES: Forbidden = (
    "a query",
    "query strings and query texts are unbounded and may carry personal data",
    "label a bounded class of the query instead, e.g. `query_class`",
);
const INSTANCES: Forbidden = (
    "an instance id",
    "instance ids are many and change with every restart, so each one starts new series",
    "aggregate over instances, or label a bounded `node_id` or `process_type`",
);
const USERS: Forbidden = (
    "a user identity",
    "user ids, names and email addresses are unbounded and personal data, which must not reach the metrics \
     store",
    "label a bounded class such as `user_tier`, and keep per-user detail in logs",
);
const ADDRESSES: Forbidden = (
    "an IP address",
    "addresses are unbounded and personal data",
    "label a bounded class such as `ip_family` or `network_zone`",
);
const MESSAGES: Forbidden = (
    "a free-text message",
    "messages are free text: unbounded, and new series appear with every change of wording",
    "label a bounded `error_type` or `reason` enum, and log the message",
);
const REQUEST_IDS: Forbidden = (
    "a per-request identifier",
    "request, trace, span, session and idempotency ids are unique per request: one new series each",
    "put it in logs or traces, not in a label",
);
const SECRETS: Forbidden = (
    "a credential",
    "a credential in a label leaks to every metrics store, dashboard and backup that sees the series",
    "never label a credential; if its kind matters, label a bounded `token_type` or `auth_scheme`",
);
const RAW: Forbidden = (
    "a raw value",
    "a `raw_` label holds an unprocessed value, unbounded by nature",
    "label a bounded classification of the value instead (a template or an enum), named without `raw_`",
);

/// Label names forbidden only as the whole name (as suffixes they would catch
/// legal names such as `code_path` or `is_error`).
const FORBIDDEN_EXACT: &[(&str, &Forbidden)] = &[
    ("host", &HOSTS),
    ("path", &URLS),
    ("query", &QUERIES),
    ("instance_id", &INSTANCES),
    ("user", &USERS),
    ("error", &MESSAGES),
    ("message", &MESSAGES),
    ("msg", &MESSAGES),
];

/// Label names forbidden as the whole name and as the last words of a compound
/// (`backend_hostname`, `user_email`, `client_ip_address`).
const FORBIDDEN_WORDS: &[(&str, &Forbidden)] = &[
    ("hostname", &HOSTS),
    ("url", &URLS),
    ("uri", &URLS),
    ("query_string", &QUERIES),
    ("user_id", &USERS),
    ("username", &USERS),
    ("user_name", &USERS),
    ("email", &USERS),
    ("ip", &ADDRESSES),
    ("ip_address", &ADDRESSES),
    ("client_ip", &ADDRESSES),
    ("error_message", &MESSAGES),
    ("idempotency_key", &REQUEST_IDS),
    ("request_id", &REQUEST_IDS),
    ("trace_id", &REQUEST_IDS),
    ("span_id", &REQUEST_IDS),
    ("session_id", &REQUEST_IDS),
    ("token", &SECRETS),
    ("secret", &SECRETS),
    ("password", &SECRETS),
    ("api_key", &SECRETS),
    ("authorization", &SECRETS),
    ("cookie", &SECRETS),
];

/// L3: forbidden label names — names whose values would be unbounded or
/// sensitive. Forbidden are the exact names `hostname`, `host`, `url`, `uri`,
/// `path`, `query`, `query_string`, `instance_id`, `user`, `user_id`,
/// `username`, `user_name`, `email`, `ip`, `client_ip`, `error`,
/// `error_message`, `message`, `msg`, `idempotency_key`, `request_id`,
/// `trace_id`, `span_id`, `session_id`, `token`, `secret`, `password`,
/// `api_key`, `authorization`, `cookie` and `ip_address`; compounds ending in
/// `_hostname`, `_url`, `_uri`, `_email`, `_ip`, `_ip_address`, `_user_id`,
/// `_username`, `_user_name`, `_query_string`, `_client_ip`,
/// `_error_message`, `_idempotency_key`, `_request_id`, `_trace_id`,
/// `_span_id`, `_session_id`, `_token`, `_secret`, `_password`, `_api_key`,
/// `_authorization`, `_cookie`; names starting with `raw_`; and the policy's
/// `forbidden_labels`. Bounded classifications stay legal: `path_template`,
/// `query_class`, `error_type`, `user_tier`, `token_type`, `reason`, ...
///
/// ```
/// use metricate_spec::{Policy, rules::check_l3};
///
/// let policy = Policy::default();
/// assert!(check_l3("path_template", &policy).is_none());
/// assert_eq!(
///     check_l3("user_email", &policy).unwrap().message,
///     "L3: label `user_email` is forbidden: a name ending in `_email` holds a user identity",
/// );
/// ```
pub fn check_l3(label: &str, policy: &Policy) -> Option<Violation> {
    let found =
        if let Some((_, family)) = FORBIDDEN_EXACT.iter().chain(FORBIDDEN_WORDS).find(|(name, _)| *name == label) {
            Some(("it".to_owned(), *family))
        } else if let Some((word, family)) = FORBIDDEN_WORDS
            .iter()
            .filter(|(word, _)| label.strip_suffix(word).is_some_and(|rest| rest.ends_with('_')))
            .max_by_key(|(word, _)| word.len())
        {
            Some((format!("a name ending in `_{word}`"), *family))
        } else if label.starts_with("raw_") {
            Some(("a name starting with `raw_`".to_owned(), &RAW))
        } else {
            None
        };
    if let Some((what, &(holds, why, instead))) = found {
        return Some(Violation::new(
            Rule::L3,
            format_args!("label `{label}` is forbidden: {what} holds {holds}"),
            format!("{why}; labels take their values from a small closed set"),
            instead,
        ));
    }
    if policy.forbidden_labels.iter().any(|f| f == label) {
        return Some(Violation::new(
            Rule::L3,
            format_args!("label `{label}` is forbidden by the project's metrics policy"),
            "the project's policy (`forbidden_labels` in `[package.metadata.metrics]` or \
             `[workspace.metadata.metrics]`) forbids this label name",
            format!("remove `{label}`, or label a bounded classification the policy allows"),
        ));
    }
    None
}

/// L1 to L3 on one label name, in that order. An empty name is reported by L1
/// alone.
///
/// ```
/// use metricate_spec::{Policy, rules::{Rule, check_label_name}};
///
/// let policy = Policy::default();
/// assert!(check_label_name("grant_type", &policy).is_empty());
/// assert_eq!(check_label_name("le", &policy)[0].rule, Rule::L2);
/// ```
pub fn check_label_name(label: &str, policy: &Policy) -> Vec<Violation> {
    if label.is_empty() {
        return check_l1(label).into_iter().collect();
    }
    [check_l1(label), check_l2(label), check_l3(label, policy)].into_iter().flatten().collect()
}

/// The unbounded value types L4 names itself, by the kind of value.
fn unbounded_kind(ty: &str) -> Option<(&'static str, &'static str)> {
    const TEXT: (&str, &str) = (
        "text",
        "declare the values as an enum with `#[derive(LabelValue)]`, or, for ids bounded only at run time (e.g. \
         by cluster size), a capped label type with `capped_label!`",
    );
    const INTEGER: (&str, &str) = (
        "an integer",
        "declare the values as an enum with `#[derive(LabelValue)]` (e.g. status classes `2xx`, `4xx`, `5xx` \
         instead of status codes), or, for ids bounded only at run time, a capped label type with `capped_label!`",
    );
    const FLOAT: (&str, &str) = (
        "a float",
        "record the number as a histogram observation, or bucket it into an enum with `#[derive(LabelValue)]`",
    );
    // Strip references, lifetimes and `mut`: `&'static str` -> `str`.
    let mut ty = ty.trim();
    loop {
        if let Some(rest) = ty.strip_prefix('&') {
            ty = rest.trim_start();
        } else if ty.starts_with('\'') {
            ty = ty.find(char::is_whitespace).map_or("", |end| ty[end..].trim_start());
        } else if let Some(rest) = ty.strip_prefix("mut ") {
            ty = rest.trim_start();
        } else {
            break;
        }
    }
    let (head, args) = match (ty.find('<'), ty.rfind('>')) {
        (Some(open), Some(close)) if open < close => (ty[..open].trim(), Some(&ty[open + 1..close])),
        _ => (ty, None),
    };
    let last = head.rsplit("::").next().unwrap_or(head).trim();
    let last_arg = args.map(|a| a.rsplit(',').next().unwrap_or(a).trim());
    match last {
        "String" | "str" | "char" | "OsString" | "OsStr" => Some(TEXT),
        "Box" | "Rc" | "Arc" | "Cow" | "Option" => last_arg.and_then(unbounded_kind),
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => {
            Some(INTEGER)
        }
        _ if last.starts_with("NonZero") => Some(INTEGER),
        "f32" | "f64" => Some(FLOAT),
        _ => None,
    }
}

/// L4: a label's value type is bounded (an enum deriving `LabelValue`, or
/// `Option` of one); text (`String`, `&str`, `Box<str>`, `Cow<str>`,
/// `char`), integers and floats are rejected. `ty` is the type as written,
/// e.g. `"&'static str"`; types this function does not recognise pass (the
/// trait bound reports them).
///
/// ```
/// use metricate_spec::rules::check_l4;
///
/// assert!(check_l4("method", "Method").is_none());
/// assert!(check_l4("node", "String").is_some());
/// ```
pub fn check_l4(label: &str, ty: &str) -> Option<Violation> {
    let (kind, help) = unbounded_kind(ty)?;
    Some(Violation::new(
        Rule::L4,
        format_args!("label `{label}` has type `{}`, which is unbounded", ty.trim()),
        format!(
            "a label takes its values from a closed set so that the number of series stays bounded; {kind} can \
             take any value, and every value is a new series"
        ),
        help,
    ))
}

/// L4 for a state set: its states are the variants of a label enum.
/// `states` is the type as written; a reference or a primitive type (a
/// number, `bool`, `char`, text) is rejected, and other types pass (the trait
/// bound reports them).
///
/// ```
/// use metricate_spec::rules::check_l4_states;
///
/// assert!(check_l4_states("Phase").is_none());
/// assert!(check_l4_states("u8").unwrap().message.ends_with("and `u8` is not one"));
/// assert!(check_l4_states("&'static str").unwrap().message.ends_with("and a reference is not one"));
/// ```
pub fn check_l4_states(states: &str) -> Option<Violation> {
    const PRIMITIVES: [&str; 18] = [
        "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize", "f32", "f64", "bool",
        "char", "str", "String",
    ];
    let states = states.trim();
    let shown = if states.starts_with('&') {
        "a reference".to_owned()
    } else if PRIMITIVES.contains(&states) {
        format!("`{states}`")
    } else {
        return None;
    };
    Some(Violation::new(
        Rule::L4,
        format_args!(
            "the states of a `StateSet` are the variants of a `#[derive(LabelValue)]` enum, and {shown} is not one"
        ),
        "a state set exposes one series per state, so its states are a closed set known when the crate compiles",
        "declare the states as an enum, e.g. `#[derive(Clone, Copy, LabelValue)] enum Phase { Starting, Running, \
         Draining }`, and write `StateSet<Phase>`",
    ))
}

/// L4 for the `reason` label of an instrumented function: the reason type
/// (`error_type` false) or the function's error type (`error_type` true) is
/// one of the function's type parameters, so its values are not one set
/// fixed at compile time.
///
/// ```
/// use metricate_spec::rules::l4_generic_reason;
///
/// assert_eq!(l4_generic_reason(false).message, "L4: `reason` is a type parameter of the function");
/// ```
pub fn l4_generic_reason(error_type: bool) -> Violation {
    if error_type {
        Violation::new(
            Rule::L4,
            "`reason` needs the function's error type, which is a type parameter here",
            "each instantiation could have other errors, and a label's values are fixed at compile time, so that \
             its series stay bounded",
            "instrument a function with a concrete error type, or drop `reason`",
        )
    } else {
        Violation::new(
            Rule::L4,
            "`reason` is a type parameter of the function",
            "a reason label takes its values from one closed set, fixed at compile time, so that its series stay \
             bounded",
            "name a `#[derive(LabelValue)]` enum of error kinds, and implement `ErrorReason<ThatEnum>` for the \
             error type",
        )
    }
}

/// L5: a metric has at most `policy.max_labels` labels.
///
/// ```
/// use metricate_spec::{Policy, rules::check_l5};
///
/// let policy = Policy { max_labels: 3, ..Policy::default() };
/// assert!(check_l5("trc_http_requests_total", 3, &policy).is_none());
/// assert!(check_l5("trc_http_requests_total", 4, &policy).is_some());
/// ```
pub fn check_l5(metric: &str, label_count: usize, policy: &Policy) -> Option<Violation> {
    l5(&format!("metric `{metric}`"), label_count, policy)
}

/// L5 on a label set (a struct deriving `LabelSet`), before any metric uses
/// it: every metric that does would break L5.
///
/// ```
/// use metricate_spec::{Policy, rules::check_l5_label_set};
///
/// let v = check_l5_label_set("Everything", 11, &Policy::default()).unwrap();
/// assert_eq!(v.message, "L5: label set `Everything` has 11 labels, more than the limit of 10");
/// ```
pub fn check_l5_label_set(label_set: &str, label_count: usize, policy: &Policy) -> Option<Violation> {
    l5(&format!("label set `{label_set}`"), label_count, policy)
}

fn l5(subject: &str, label_count: usize, policy: &Policy) -> Option<Violation> {
    let max = policy.max_labels;
    (label_count > max).then(|| {
        Violation::new(
            Rule::L5,
            format_args!("{subject} has {label_count} labels, more than the limit of {max}"),
            "every label multiplies the series of a metric and the work of every query over it; the metrics \
             policy caps the number of labels per metric",
            format!(
                "drop {} label(s), or split the metric in two; the limit is `max_labels` of the metrics policy, \
                 which may lower it below 10 but not raise it",
                label_count - max
            ),
        )
    })
}

/// The number of series of a metric whose labels have these cardinalities:
/// their product, saturating at `usize::MAX` instead of overflowing (the
/// same count as [`Descriptor::series_count`](crate::Descriptor::series_count)).
///
/// ```
/// assert_eq!(metricate_spec::rules::series_count(&[4, 5, 3]), 60);
/// assert_eq!(metricate_spec::rules::series_count(&[]), 1);
/// assert_eq!(metricate_spec::rules::series_count(&[usize::MAX, 2]), usize::MAX);
/// ```
pub const fn series_count(cardinalities: &[usize]) -> usize {
    let mut count: usize = 1;
    let mut i = 0;
    while i < cardinalities.len() {
        count = count.saturating_mul(cardinalities[i]);
        i += 1;
    }
    count
}

/// L6: a metric has at most `limit` series, its series count being the
/// product of its labels' cardinalities (see [`series_count`]). The limit is
/// the policy's `max_series` unless the metric raised its own.
///
/// ```
/// use metricate_spec::rules::{check_l6, series_count};
///
/// assert!(check_l6("trc_http_requests_total", series_count(&[4, 20, 5]), 1_000).is_none());
/// assert!(check_l6("trc_http_requests_total", series_count(&[4, 50, 6]), 1_000).is_some());
/// ```
pub fn check_l6(metric: &str, series: usize, limit: usize) -> Option<Violation> {
    if series <= limit {
        return None;
    }
    let count = if series == usize::MAX { L6_UNCOUNTED.to_owned() } else { series.to_string() };
    let [before_metric, before_count, before_limit] = L6_PARTS;
    Some(Violation::new(
        Rule::L6,
        format_args!("{before_metric}{metric}{before_count}{count}{before_limit}{limit}"),
        L6_NOTE,
        L6_HELP,
    ))
}

/// The text of L6's message around the metric, the count and the limit (the
/// rule id comes first): written by [`check_l6`] at run time and by
/// [`l6_text`] in const evaluation.
const L6_PARTS: [&str; 3] = ["metric `", "` has ", " series, more than its limit of "];
/// How L6 names a series count that saturated.
const L6_UNCOUNTED: &str = "more than `usize::MAX`";
const L6_NOTE: &str = "every series is a time series that Prometheus stores, and queries scan: the product of the \
                       label cardinalities is bounded at compile time";
const L6_HELP: &str = "drop a label or merge label values, or raise this metric's limit with \
                       `#[metric(max_series = N)]` (at most the policy's `series_ceiling`)";

/// [`check_l6`]'s violation as text (what its `Display` writes), written into
/// `buf` in const evaluation: the runtime's compile-time series check panics
/// with it, where only const evaluation knows the series count. Returns the
/// length written; a text longer than `buf` is cut there, possibly inside a
/// character.
///
/// ```
/// use metricate_spec::rules::{check_l6, l6_text};
///
/// let mut buf = [0u8; 1024];
/// let len = l6_text(&mut buf, "trc_jobs_total", 2_000, 1_000);
/// let violation = check_l6("trc_jobs_total", 2_000, 1_000).unwrap();
/// assert_eq!(std::str::from_utf8(&buf[..len]).unwrap(), violation.to_string());
/// ```
pub const fn l6_text(buf: &mut [u8], metric: &str, series: usize, limit: usize) -> usize {
    let mut len = push(buf, 0, Rule::L6.id().as_bytes());
    len = push(buf, len, b": ");
    len = push(buf, len, L6_PARTS[0].as_bytes());
    len = push(buf, len, metric.as_bytes());
    len = push(buf, len, L6_PARTS[1].as_bytes());
    len = if series == usize::MAX { push(buf, len, L6_UNCOUNTED.as_bytes()) } else { push_usize(buf, len, series) };
    len = push(buf, len, L6_PARTS[2].as_bytes());
    len = push_usize(buf, len, limit);
    len = push(buf, len, b"\n= note: ");
    len = push(buf, len, L6_NOTE.as_bytes());
    len = push(buf, len, b"\n= help: ");
    len = push(buf, len, L6_HELP.as_bytes());
    len
}

/// Appends as much of `bytes` as fits; returns the new length.
const fn push(buf: &mut [u8], mut len: usize, bytes: &[u8]) -> usize {
    let mut i = 0;
    while i < bytes.len() && len < buf.len() {
        buf[len] = bytes[i];
        len += 1;
        i += 1;
    }
    len
}

/// Appends `n` in decimal (as much as fits).
const fn push_usize(buf: &mut [u8], len: usize, n: usize) -> usize {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    push(buf, len, digits.split_at(at).1)
}

/// L6, for a metric that raises its own series limit: the limit it asks for is
/// at most the policy's hard ceiling (`policy.series_ceiling`).
///
/// ```
/// use metricate_spec::{Policy, rules::check_l6_limit};
///
/// let policy = Policy::default();
/// assert!(check_l6_limit("trc_http_requests_total", 50_000, &policy).is_none());
/// assert!(check_l6_limit("trc_http_requests_total", 500_000, &policy).is_some());
/// ```
pub fn check_l6_limit(metric: &str, limit: usize, policy: &Policy) -> Option<Violation> {
    if limit == 0 {
        return Some(Violation::new(
            Rule::L6,
            format_args!("metric `{metric}` sets its series limit to 0"),
            "a metric has at least one series; its limit bounds the product of its label cardinalities",
            "remove `max_series` to keep the policy's limit, or set it to the series count the metric needs",
        ));
    }
    let ceiling = policy.series_ceiling;
    if limit <= ceiling {
        return None;
    }
    Some(Violation::new(
        Rule::L6,
        format_args!("metric `{metric}` raises its series limit to {limit}, above the policy's ceiling of {ceiling}"),
        "a metric may raise its own series limit, but never above the hard ceiling of the metrics policy",
        "lower `max_series`, or raise `series_ceiling` in `[package.metadata.metrics]`",
    ))
}

/// L7 on an exposition: a series of `metric` carries `label` with an empty
/// value (which Prometheus reads as no label at all).
///
/// ```
/// use metricate_spec::rules::check_l7_exposed;
///
/// assert!(check_l7_exposed("trc_jobs_total", "queue", "default").is_none());
/// let v = check_l7_exposed("trc_jobs_total", "queue", "").unwrap();
/// assert_eq!(v.message, "L7: label `queue` of metric `trc_jobs_total` has an empty value");
/// ```
pub fn check_l7_exposed(metric: &str, label: &str, value: &str) -> Option<Violation> {
    value.is_empty().then(|| {
        Violation::new(
            Rule::L7,
            format_args!("label `{label}` of metric `{metric}` has an empty value"),
            "an empty label value is the same as a missing label in Prometheus, so the series loses it",
            "give the value a name, or `unknown` for a missing one",
        )
    })
}

/// L7: a label's values are non-empty, distinct, and none is `unknown` (the
/// value a missing `None` label renders as); a label has at least one value.
/// Each offending value is reported with its index. `label` names the label
/// (or, for a derive, the value type).
///
/// ```
/// use metricate_spec::rules::check_l7;
///
/// assert!(check_l7("result", &["ok", "error"]).is_empty());
/// let v = check_l7("result", &["ok", "", "ok"]);
/// assert_eq!(v[0].message, "L7: value 1 of label `result` is empty");
/// assert_eq!(v[1].message, "L7: value 2 of label `result` is `ok`, the same as value 0");
/// ```
pub fn check_l7(label: &str, values: &[&str]) -> Vec<Violation> {
    let unknown = crate::Label::UNKNOWN;
    if values.is_empty() {
        return vec![Violation::new(
            Rule::L7,
            format_args!("label `{label}` has no values"),
            "a label takes its values from a closed, non-empty set; with no value it has no series",
            "declare the values this label can take (unit variants of its enum)",
        )];
    }
    let mut violations = Vec::new();
    for (i, value) in values.iter().enumerate() {
        if value.is_empty() {
            violations.push(
                Violation::new(
                    Rule::L7,
                    format_args!("value {i} of label `{label}` is empty"),
                    "an empty label value is the same as a missing label in Prometheus, so the series would lose the \
                 label",
                    "give the value a non-empty name, e.g. with `#[label(rename = \"...\")]`",
                )
                .at(i),
            );
        } else if *value == unknown {
            violations.push(
                Violation::new(
                    Rule::L7,
                    format_args!("value {i} of label `{label}` is `{unknown}`, which is reserved"),
                    "`unknown` is what a missing (`None`) label value renders as, so a declared `unknown` would share \
                 its series",
                    "use `Option<..>` for a value that may be missing, or rename this value",
                )
                .at(i),
            );
        } else if let Some(first) = values[..i].iter().position(|v| v == value) {
            violations.push(
                Violation::new(
                    Rule::L7,
                    format_args!("value {i} of label `{label}` is `{value}`, the same as value {first}"),
                    "each label value names exactly one series; two equal values would write to the same series",
                    "rename one of them, e.g. with `#[label(rename = \"...\")]`",
                )
                .at(i),
            );
        }
    }
    violations
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    // --- L1 ---------------------------------------------------------------

    #[test]
    fn l1_label_names_are_snake_case() {
        assert_eq!(check_l1("method"), None);
        assert_eq!(check_l1("http_path_template"), None);
        let v = one(check_l1(""), Rule::L1);
        assert_eq!(v.message, "L1: label name is empty");
        let v = one(check_l1("__name__"), Rule::L1);
        assert_eq!(v.message, "L1: label `__name__` starts with `__`, which Prometheus reserves for its own labels");
        assert_eq!(v.help, "rename `__name__` to `name`");
        let v = one(check_l1("httpMethod"), Rule::L1);
        assert_eq!(v.message, "L1: label `httpMethod` is not snake_case: contains uppercase `M`");
        assert_eq!(v.help, "rename `httpMethod` to `http_method`");
        one(check_l1("_method"), Rule::L1);
        one(check_l1("method_"), Rule::L1);
        one(check_l1("http__method"), Rule::L1);
        one(check_l1("http-method"), Rule::L1);
        one(check_l1("a:b"), Rule::L1);
        one(check_l1("1st"), Rule::L1);
        let v = one(check_l1("método"), Rule::L1);
        assert_eq!(v.help, "rename `método` to `metodo`");
    }

    // --- L2 ---------------------------------------------------------------

    #[test]
    fn l2_reserved_label_names() {
        for name in ["le", "quantile", "job", "instance"] {
            let v = one(check_l2(name), Rule::L2);
            assert_eq!(v.message, format!("L2: label `{name}` is reserved"));
        }
        for name in ["level", "job_type", "instance_role", "quantiles", "status"] {
            assert_eq!(check_l2(name), None, "{name}");
        }
    }

    // --- L3 ---------------------------------------------------------------

    const ARCHITECTURE_EXACT: [&str; 30] = [
        "hostname",
        "host",
        "url",
        "uri",
        "path",
        "query",
        "query_string",
        "instance_id",
        "user",
        "user_id",
        "username",
        "user_name",
        "email",
        "ip",
        "client_ip",
        "error",
        "error_message",
        "message",
        "msg",
        "idempotency_key",
        "request_id",
        "trace_id",
        "span_id",
        "session_id",
        "token",
        "secret",
        "password",
        "api_key",
        "authorization",
        "cookie",
    ];

    const ARCHITECTURE_SUFFIXES: [&str; 14] = [
        "_email",
        "_url",
        "_uri",
        "_hostname",
        "_ip",
        "_ip_address",
        "_password",
        "_secret",
        "_api_key",
        "_cookie",
        "_session_id",
        "_request_id",
        "_trace_id",
        "_user_id",
    ];

    const LEGAL_CLASSIFICATIONS: [&str; 12] = [
        "path_template",
        "http_path_template",
        "query_class",
        "error_type",
        "user_tier",
        "token_type",
        "grant_type",
        "reason",
        "result",
        "kind",
        "mount",
        "listener_port",
    ];

    #[test]
    fn l3_rejects_every_exact_name() {
        let policy = Policy::default();
        for name in ARCHITECTURE_EXACT {
            let v = one(check_l3(name, &policy), Rule::L3);
            assert!(v.message.starts_with(&format!("L3: label `{name}` is forbidden: it holds ")), "{}", v.message);
        }
        one(check_l3("ip_address", &policy), Rule::L3);
    }

    #[test]
    fn l3_rejects_every_compound() {
        let policy = Policy::default();
        for suffix in ARCHITECTURE_SUFFIXES {
            let name = format!("backend{suffix}");
            let v = one(check_l3(&name, &policy), Rule::L3);
            assert!(v.message.contains(&format!("a name ending in `{suffix}`")), "{}", v.message);
        }
        for (name, message) in [
            ("user_email", "L3: label `user_email` is forbidden: a name ending in `_email` holds a user identity"),
            (
                "client_ip_address",
                "L3: label `client_ip_address` is forbidden: a name ending in `_ip_address` holds an IP address",
            ),
            ("raw_url", "L3: label `raw_url` is forbidden: a name ending in `_url` holds a raw URL or path"),
            ("raw_status", "L3: label `raw_status` is forbidden: a name starting with `raw_` holds a raw value"),
            (
                "backend_hostname",
                "L3: label `backend_hostname` is forbidden: a name ending in `_hostname` holds a host name",
            ),
            (
                "db_error_message",
                "L3: label `db_error_message` is forbidden: a name ending in `_error_message` holds a free-text message",
            ),
            ("refresh_token", "L3: label `refresh_token` is forbidden: a name ending in `_token` holds a credential"),
        ] {
            assert_eq!(one(check_l3(name, &policy), Rule::L3).message, message);
        }
    }

    #[test]
    fn l3_keeps_bounded_classifications_legal() {
        let policy = Policy::default();
        for name in LEGAL_CLASSIFICATIONS {
            assert_eq!(check_l3(name, &policy), None, "{name}");
            assert!(check_label_name(name, &policy).is_empty(), "{name}");
        }
        // Forbidden words inside a name, or at its start, are not its suffix.
        for name in ["code_path", "is_error", "hostname_class", "url_scheme", "ip_family", "token_kind", "urgent"] {
            assert_eq!(check_l3(name, &policy), None, "{name}");
        }
    }

    #[test]
    fn l3_policy_extends_the_list() {
        let policy = Policy { forbidden_labels: vec!["tenant".into(), "org_id".into()], ..Policy::default() };
        let v = one(check_l3("tenant", &policy), Rule::L3);
        assert_eq!(v.message, "L3: label `tenant` is forbidden by the project's metrics policy");
        one(check_l3("org_id", &policy), Rule::L3);
        assert_eq!(check_l3("org_id", &Policy::default()), None);
        assert_eq!(check_l3("tenant_tier", &policy), None);
    }

    #[test]
    fn seed_catalogue_labels_pass_l1_to_l3() {
        let policy = trc();
        let seed = [
            "method",
            "path_template",
            "status",
            "grant_type",
            "result",
            "query_class",
            "endpoint",
            "command",
            "projection",
            "reason",
            "kind",
            "mount",
            "listener_port",
            "protocol_hint",
        ];
        let spec_allowed = [
            "component",
            "node_id",
            "org_id",
            "env_id",
            "process_type",
            "route_id",
            "status",
            "reason",
            "event_type",
            "http_method",
            "http_path_template",
            "http_status",
        ];
        for name in seed.iter().chain(&spec_allowed) {
            assert_eq!(check_label_name(name, &policy), [], "{name}");
        }
    }

    #[test]
    fn label_name_runs_l1_to_l3_in_order() {
        let policy = Policy::default();
        assert_eq!(rules_of(&check_label_name("", &policy)), [Rule::L1]);
        assert_eq!(rules_of(&check_label_name("le", &policy)), [Rule::L2]);
        assert_eq!(rules_of(&check_label_name("User_Email", &policy)), [Rule::L1]);
        assert_eq!(rules_of(&check_label_name("raw__url", &policy)), [Rule::L1, Rule::L3]);
    }

    // --- L4 ---------------------------------------------------------------

    #[test]
    fn l4_rejects_unbounded_value_types() {
        for ty in [
            "String",
            "std::string::String",
            "&str",
            "&'static str",
            "& 'static str",
            "Box<str>",
            "std::borrow::Cow<'static, str>",
            "Arc<str>",
            "char",
            "Option<String>",
        ] {
            let v = one(check_l4("node", ty), Rule::L4);
            assert!(v.note.contains("text can take any value"), "{ty}: {}", v.note);
        }
        for ty in ["u16", "i64", "usize", "core::num::NonZeroU32", "Option<u8>"] {
            let v = one(check_l4("status", ty), Rule::L4);
            assert!(v.help.contains("status classes"), "{ty}");
        }
        for ty in ["f32", "f64"] {
            one(check_l4("load", ty), Rule::L4);
        }
        let v = one(check_l4("status", "u16"), Rule::L4);
        assert_eq!(v.message, "L4: label `status` has type `u16`, which is unbounded");
        for ty in ["Method", "Option<Method>", "crate::StatusClass", "bool", "Box<Method>"] {
            assert_eq!(check_l4("x", ty), None, "{ty}");
        }
    }

    // --- L5 / L6 ------------------------------------------------------------

    #[test]
    fn l5_caps_the_label_count() {
        let policy = Policy::default();
        assert_eq!(check_l5("trc_x", 0, &policy), None);
        assert_eq!(check_l5("trc_x", 10, &policy), None);
        let v = one(check_l5("trc_x", 11, &policy), Rule::L5);
        assert_eq!(v.message, "L5: metric `trc_x` has 11 labels, more than the limit of 10");
        let strict = Policy { max_labels: 2, ..Policy::default() };
        one(check_l5("trc_x", 3, &strict), Rule::L5);
    }

    #[test]
    fn l6_counts_series_without_overflow() {
        const SERIES: usize = series_count(&[2, 3]);
        assert_eq!(SERIES, 6);
        assert_eq!(series_count(&[]), 1);
        assert_eq!(series_count(&[4, 5, 3]), 60);
        assert_eq!(series_count(&[4, 0]), 0);
        assert_eq!(series_count(&[usize::MAX, 2]), usize::MAX);
        assert_eq!(series_count(&[1 << 40, 1 << 40, 0]), 0);
    }

    #[test]
    fn l6_caps_the_series_count() {
        assert_eq!(check_l6("trc_x", 1_000, 1_000), None);
        let v = one(check_l6("trc_x", 1_001, 1_000), Rule::L6);
        assert_eq!(v.message, "L6: metric `trc_x` has 1001 series, more than its limit of 1000");
        let v = one(check_l6("trc_x", series_count(&[usize::MAX, 3]), 100_000), Rule::L6);
        assert_eq!(v.message, "L6: metric `trc_x` has more than `usize::MAX` series, more than its limit of 100000");
    }

    #[test]
    fn l6_limit_is_capped_by_the_ceiling() {
        let policy = Policy::default();
        assert_eq!(check_l6_limit("trc_x", 100_000, &policy), None);
        let v = one(check_l6_limit("trc_x", 100_001, &policy), Rule::L6);
        assert_eq!(
            v.message,
            "L6: metric `trc_x` raises its series limit to 100001, above the policy's ceiling of 100000"
        );
    }

    // --- L7 ---------------------------------------------------------------

    #[test]
    fn l7_values_are_non_empty_distinct_and_not_unknown() {
        assert!(check_l7("result", &["ok", "error", "timeout"]).is_empty());
        // Any other UTF-8 is fine: it is escaped, not rejected.
        assert!(check_l7("path_template", &["/orgs/{id}", "a\"b", "ação", "Unknown", "unknown_reason"]).is_empty());

        let vs = check_l7("result", &[]);
        assert_eq!(rules_of(&vs), [Rule::L7]);
        assert_eq!(vs[0].message, "L7: label `result` has no values");

        let vs = check_l7("result", &["ok", "", "unknown", "ok", "", "error", "error"]);
        assert_eq!(rules_of(&vs), [Rule::L7; 5]);
        let messages: Vec<&str> = vs.iter().map(|v| v.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "L7: value 1 of label `result` is empty",
                "L7: value 2 of label `result` is `unknown`, which is reserved",
                "L7: value 3 of label `result` is `ok`, the same as value 0",
                "L7: value 4 of label `result` is empty",
                "L7: value 6 of label `result` is `error`, the same as value 5",
            ]
        );
    }
}
