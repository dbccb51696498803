//! Compile-fail cases of `#[derive(HttpMetrics)]`, in `tests/fail`: a crate
//! of their own because the `tower` feature they need adds label types to
//! the lists of implementations in the other cases' snapshots.
