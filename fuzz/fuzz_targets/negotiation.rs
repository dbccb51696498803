//! See `tests::fuzz::negotiation` for what this target checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tests::fuzz::negotiation(data));
