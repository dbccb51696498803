//! See `tests::fuzz::server_request` for what this target checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tests::fuzz::server_request(data));
