//! See `tests::fuzz::exposition_parser` for what this target checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tests::fuzz::exposition_parser(data));
