//! Bugs other metrics libraries shipped, as named regression tests: each
//! module says what went wrong there and checks that it cannot happen here.

mod client_golang_275;
mod client_rust_151;
mod client_rust_231_300;
mod metrics_rs_465;
mod opentelemetry_rust_3290;
