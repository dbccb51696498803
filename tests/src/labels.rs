//! The label set the export tests record their jobs by: `kind` is `full` or
//! `incremental`. Label types register nothing: each test binary declares
//! metrics of its own with them.

use metricate::{LabelSet, LabelValue};

/// A kind of job.
#[derive(Clone, Copy, Debug, LabelValue)]
pub enum Kind {
    /// `full`.
    Full,
    /// `incremental`.
    Incremental,
}

/// The labels of a job's series.
#[derive(Clone, Copy, Debug, LabelSet)]
pub struct ByKind {
    /// The kind of job.
    pub kind: Kind,
}
