//! Constant labels: labels with one value for every series of a registry or
//! of the whole process (`service`, `env`, `region`), set once at start-up
//! from the environment or configuration, and written by every encoder and
//! sink.
//!
//! Names are checked by the label rules L1 to L3 (so never `instance` or
//! `job`, which scrapers set) and values by L7 (non-empty) when they are
//! set; a name that is also a label of a registered metric is refused (D1),
//! since the series would carry the label twice. [`constant_labels!`]
//! checks the names when the crate compiles.
//!
//! ```
//! use metricate::encode::Format;
//! use metricate::{ConstantLabels, Counter, Metrics, Registry};
//!
//! #[derive(Metrics)]
//! #[metrics(subsystem = "doc_constant")]
//! struct Jobs {
//!     /// Jobs done.
//!     done_total: Counter,
//! }
//!
//! let jobs = Jobs::new_unregistered();
//! let mut registry = Registry::new();
//! registry.register_group(&jobs).unwrap();
//! let labels = metricate::constant_labels!(service = "billing", region = "eu-west-1").unwrap();
//! let registry = registry.with_constant_labels(labels).unwrap();
//! let mut out = Vec::new();
//! Format::Prometheus.encode(&registry, &mut out);
//! let text = String::from_utf8(out).unwrap();
//! assert!(text.contains("metrics_doc_constant_done_total{service=\"billing\",region=\"eu-west-1\"} 0\n"));
//!
//! // `job` is the scraper's: refused at compile time by the macro, and at
//! // run time here.
//! assert!(ConstantLabels::new().with("job", "billing").is_err());
//! ```

use std::fmt;
use std::sync::{Arc, OnceLock};

use metricate_spec::rules::{check_l7, check_label_name};
use metricate_spec::{Descriptor, Policy, escape};

/// Labels with one value for every series, checked when set. Cheap to
/// clone.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ConstantLabels {
    inner: Arc<Inner>,
}

#[derive(Clone, Default, PartialEq, Eq)]
struct Inner {
    pairs: Vec<(String, String)>,
    /// `name="value",...`, escaped: what the text encoders copy.
    text: String,
}

impl fmt::Debug for ConstantLabels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Why constant labels were refused: the rule's message, with its note and
/// help.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConstantLabelError {
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for ConstantLabelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConstantLabelError {}

impl ConstantLabelError {
    fn new(message: impl Into<String>) -> ConstantLabelError {
        ConstantLabelError { message: message.into() }
    }
}

impl ConstantLabels {
    /// No labels.
    pub fn new() -> ConstantLabels {
        ConstantLabels::default()
    }

    /// Adds a label. Refuses a name that breaks L1 (snake case, no leading
    /// `__`), L2 (`le`, `quantile`, `job`, `instance` are reserved) or L3
    /// (the default policy's forbidden names), an empty value (L7), and a
    /// name given twice.
    pub fn with(self, name: &str, value: impl Into<String>) -> Result<ConstantLabels, ConstantLabelError> {
        let value = value.into();
        if let Some(violation) = check_label_name(name, &Policy::default()).into_iter().next() {
            return Err(ConstantLabelError::new(format!("constant label: {violation}")));
        }
        if let Some(violation) = check_l7(name, &[value.as_str()]).into_iter().next() {
            return Err(ConstantLabelError::new(format!("constant label: {violation}")));
        }
        if self.iter().any(|(n, _)| n == name) {
            return Err(ConstantLabelError::new(format!(
                "constant label `{name}` is given twice\n= help: give each constant label once"
            )));
        }
        let mut inner = Arc::unwrap_or_clone(self.inner);
        if !inner.text.is_empty() {
            inner.text.push(',');
        }
        inner.text.push_str(name);
        inner.text.push_str("=\"");
        inner.text.push_str(&escape::label_value(&value));
        inner.text.push('"');
        inner.pairs.push((name.to_owned(), value));
        Ok(ConstantLabels { inner: Arc::new(inner) })
    }

    /// The labels of an environment variable holding `name=value` pairs
    /// separated by commas (e.g. `METRICS_LABELS="service=billing,env=prod"`);
    /// none when the variable is unset or empty. Each pair is checked as by
    /// [`with`](ConstantLabels::with).
    pub fn from_env(variable: &str) -> Result<ConstantLabels, ConstantLabelError> {
        match std::env::var(variable) {
            Ok(text) => {
                ConstantLabels::parse(&text).map_err(|e| ConstantLabelError::new(format!("{variable}: {}", e.message)))
            }
            Err(std::env::VarError::NotPresent) => Ok(ConstantLabels::new()),
            Err(std::env::VarError::NotUnicode(_)) => {
                Err(ConstantLabelError::new(format!("{variable} is not valid UTF-8")))
            }
        }
    }

    /// The labels of `name=value` pairs separated by commas, each checked.
    pub fn parse(text: &str) -> Result<ConstantLabels, ConstantLabelError> {
        let mut labels = ConstantLabels::new();
        for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((name, value)) = pair.split_once('=') else {
                return Err(ConstantLabelError::new(format!(
                    "`{pair}` is not `name=value`\n= help: write the labels as `service=billing,env=prod`"
                )));
            };
            labels = labels.with(name.trim(), value.trim())?;
        }
        Ok(labels)
    }

    /// The labels, in the order given.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.inner.pairs.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.inner.pairs.is_empty()
    }

    /// The number of labels.
    pub fn len(&self) -> usize {
        self.inner.pairs.len()
    }

    /// `name="value",...`, escaped for the text formats.
    pub(crate) fn text(&self) -> &str {
        &self.inner.text
    }

    /// D1: a constant label that is also a label of `descriptor`.
    pub(crate) fn conflict(&self, descriptor: &Descriptor) -> Option<ConstantLabelError> {
        let mut names = descriptor.labels.iter().map(|l| l.name);
        let own = names.find(|label| self.iter().any(|(n, _)| n == *label))?;
        let what = if descriptor.kind.has_state_label() { "the state label" } else { "a label" };
        Some(ConstantLabelError::new(format!(
            "D1: constant label `{own}` is also {what} of metric `{}` (declared at {}), whose series would carry it twice\n= help: rename the constant label or the metric's label",
            descriptor.name, descriptor.source
        )))
    }
}

/// An empty set, for expositions without constant labels.
pub(crate) fn none() -> &'static ConstantLabels {
    static NONE: OnceLock<ConstantLabels> = OnceLock::new();
    NONE.get_or_init(ConstantLabels::new)
}

static PROCESS: OnceLock<ConstantLabels> = OnceLock::new();

/// The process-wide constant labels (none unless
/// [`set_constant_labels`] was called).
pub fn process_constant_labels() -> &'static ConstantLabels {
    PROCESS.get().unwrap_or_else(|| none())
}

/// Sets the constant labels of the process: every series of the global
/// registry carries them, in every scrape, snapshot, sink and stream. Once
/// per process; refused when a registered metric has a label of the same
/// name (D1), or when the global registry does not build.
///
/// ```
/// let labels = metricate::ConstantLabels::parse("service=billing").unwrap();
/// metricate::set_constant_labels(labels).unwrap();
/// assert!(metricate::set_constant_labels(metricate::ConstantLabels::new()).is_err());
/// ```
pub fn set_constant_labels(labels: ConstantLabels) -> Result<(), ConstantLabelError> {
    let registry = crate::global().map_err(|e| ConstantLabelError::new(e.to_string()))?;
    if let Some(conflict) = registry.iter().find_map(|r| labels.conflict(r.descriptor)) {
        return Err(conflict);
    }
    PROCESS.set(labels).map_err(|_| {
        ConstantLabelError::new("the process's constant labels are set already: they are set once, at start-up")
    })
}

/// Checks constant label names when the crate compiles (L1 to L3, with the
/// crate's policy), and builds [`ConstantLabels`] from the values at run
/// time, checking them (L7).
///
/// ```
/// let service = String::from("billing");
/// let labels = metricate::constant_labels!(service = service, env = "prod").unwrap();
/// assert_eq!(labels.iter().collect::<Vec<_>>(), [("service", "billing"), ("env", "prod")]);
/// ```
#[macro_export]
macro_rules! constant_labels {
    ($($name:ident = $value:expr),* $(,)?) => {{
        $crate::__private::check_constant_label_names!($($name),*);
        (|| -> ::core::result::Result<$crate::ConstantLabels, $crate::ConstantLabelError> {
            let labels = $crate::ConstantLabels::new();
            $(let labels = labels.with($crate::__private::unraw(::core::stringify!($name)), $value)?;)*
            ::core::result::Result::Ok(labels)
        })()
    }};
}
