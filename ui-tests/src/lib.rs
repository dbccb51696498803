//! Compile-pass and compile-fail tests of the derive macros, run with
//! trybuild on the one installed toolchain: `cargo test -p ui-tests`.
//! Snapshots are regenerated with `TRYBUILD=overwrite` and reviewed like code.
//!
//! A pass case (`tests/pass/*.rs`) is a program that must compile and run;
//! a fail case (`tests/fail/**/*.rs`) one that must fail with the message in
//! the `.stderr` beside it. A pass case, as this crate's policy compiles it:
//!
//! ```
//! use metricate::{Counter, Metrics};
//!
//! #[derive(Metrics)]
//! #[metrics(subsystem = "jobs")]
//! struct Jobs {
//!     /// Jobs run.
//!     runs_total: Counter,
//! }
//!
//! Jobs::global().runs_total.inc();
//! ```
