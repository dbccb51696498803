//! The labels that name this process at a collector, one set for every sink
//! that takes them.

use super::{ExportError, check_label_name};

/// Labels that identify the process at a collector (`job`, `instance`,
/// ...): one set for the sinks that take them, so that the Pushgateway's
/// group and remote-write's external labels cannot drift apart.
///
/// ```
/// use metricate::export::{ExternalLabels, Pushgateway, RemoteWrite};
///
/// let labels = ExternalLabels::new().label("job", "billing")?.label("instance", "billing-7")?;
/// let gateway = Pushgateway::with_labels("http://127.0.0.1:9091", &labels)?; // /metrics/job/billing/instance/billing-7
/// let remote = RemoteWrite::new("http://127.0.0.1:9090/api/v1/write")?.external_labels(&labels)?;
/// # Ok::<(), metricate::export::ExportError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExternalLabels {
    labels: Vec<(String, String)>,
}

impl ExternalLabels {
    /// No labels.
    pub fn new() -> ExternalLabels {
        ExternalLabels::default()
    }

    /// Adds a label. Refuses a name that is not a label name
    /// (`[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__`), a name given
    /// twice, and an empty value (a label without a value is no label).
    pub fn label(mut self, name: &str, value: &str) -> Result<ExternalLabels, ExportError> {
        check_label_name(name, "an external label")?;
        if self.get(name).is_some() {
            return Err(ExportError::Config(format!("the external label `{name}` is given twice")));
        }
        if value.is_empty() {
            return Err(ExportError::Config(format!(
                "the external label `{name}` is empty: a label without a value is no label"
            )));
        }
        self.labels.push((name.to_owned(), value.to_owned()));
        Ok(self)
    }

    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.labels.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The labels, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.labels.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}
