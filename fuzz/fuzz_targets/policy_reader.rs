//! See `tests::fuzz::policy_reader` for what this target checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tests::fuzz::policy_reader(data));
