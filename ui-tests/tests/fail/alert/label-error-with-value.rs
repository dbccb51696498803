//! `#[label(error = true)]`: `error` on a variant is a bare key.
use metricate::LabelValue;

#[derive(Clone, Copy, LabelValue)]
enum Outcome {
    Ok,
    #[label(error = true)]
    Error,
}

fn main() {}
