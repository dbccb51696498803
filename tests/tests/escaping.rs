//! Escaping round trips, as properties: any help text, any label values and
//! any float values, encoded by both encoders and read back by the strict
//! parsers of both formats, come back exactly. The check is the one the
//! `encode_roundtrip` fuzz target runs (`tests::fuzz::encode_roundtrip`); here
//! proptest builds its input from strings and floats of every kind.

use proptest::prelude::*;

/// Any string, weighted towards the characters the formats escape or give
/// a meaning to.
fn text() -> impl Strategy<Value = String> {
    let special = prop_oneof![
        Just('"'),
        Just('\\'),
        Just('\n'),
        Just('\r'),
        Just('\t'),
        Just('{'),
        Just('}'),
        Just('='),
        Just(','),
        Just('#'),
        Just(' '),
        Just('\u{0}'),
        Just('\u{7f}'),
        Just('\u{2028}'),
        Just('\u{feff}'),
    ];
    prop::collection::vec(prop_oneof![3 => any::<char>(), 2 => special], 0..24).prop_map(String::from_iter)
}

fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(-0.0),
        Just(5e-324),
        Just(f64::MAX),
        Just(1e21),
        Just(1e-7),
    ]
}

/// The fuzz target's input: help, values, then the floats' bytes, split at
/// `0xFF` (which UTF-8 never contains).
fn input(help: &str, values: &[String], floats: &[f64]) -> Vec<u8> {
    let mut data = help.as_bytes().to_vec();
    for value in values {
        data.push(0xFF);
        data.extend_from_slice(value.as_bytes());
    }
    data.push(0xFF);
    for float in floats {
        data.extend_from_slice(&float.to_le_bytes());
    }
    data
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn help_values_and_floats_come_back(
        help in text(),
        values in prop::collection::vec(text(), 0..8),
        floats in prop::collection::vec(float(), 0..8),
    ) {
        tests::fuzz::encode_roundtrip(&input(&help, &values, &floats));
    }
}
