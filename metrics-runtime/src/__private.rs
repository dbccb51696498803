//! Not public API. Used by generated code.
//!
//! /!\ WARNING: nothing here is a stable API! /!\
//! The derive macros reach the runtime only through this module, so that user
//! crates never name `inventory` or `catalog` themselves.

pub use catalog::{Descriptor, Label, MetricKind, Source};
pub use inventory;

pub use crate::label::{LabelSet, LabelValue, cardinality_product};
pub use crate::metric::{Collect, MetricField, MetricGroup, ReadScratch, static_cells};
pub use crate::registry::Entry;
