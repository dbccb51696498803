//! Every supported declaration compiles; every broken one fails with the
//! message, span, note and help recorded in its `.stderr` snapshot.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/pass/*.rs");
    t.compile_fail("tests/fail/**/*.rs");
}
