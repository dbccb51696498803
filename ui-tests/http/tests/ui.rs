//! Every broken `#[derive(HttpMetrics)]` fails with the message and span
//! recorded in its `.stderr` snapshot. The cases declare plain structs of
//! families, without `#[derive(Metrics)]` and so without a policy to find.

#[test]
fn ui() {
    trybuild::TestCases::new().compile_fail("tests/fail/*.rs");
}
