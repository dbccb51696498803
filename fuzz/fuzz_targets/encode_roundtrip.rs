//! See `tests::fuzz::encode_roundtrip` for what this target checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tests::fuzz::encode_roundtrip(data));
