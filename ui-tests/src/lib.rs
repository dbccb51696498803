//! Compile-pass and compile-fail tests of the derive macros, run with
//! trybuild on the one installed toolchain: `cargo test -p ui-tests`.
//! Snapshots are regenerated with `TRYBUILD=overwrite` and reviewed like code.
//!
//! ```
//! // The cases live in tests/pass and tests/fail.
//! ```
