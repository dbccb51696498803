//! Generates the label-value lists of the encoding and memory cases, which
//! `macro_rules!` cannot spell (it cannot build identifiers), and records the
//! toolchain and the resolved peer versions for the machine description.
//!
//! `$OUT_DIR/labels.rs` defines callback macros: `with_rows!(m!(args))`
//! expands to `m!(args [r00, r01, ..., r99])`; likewise `with_cols!` (`c00` to
//! `c99`) and `with_wide!` (`v000` to `v999`). Each library module declares
//! its own enums from them, with its own derives. The values are lower case so
//! that every library renders them the same way.
//!
//! `$OUT_DIR/measured_labels.rs` holds the same three enums for `measured`
//! written out in full: its `FixedCardinalityLabel` derive spans a local
//! variable with each variant's span, which does not resolve when the
//! variants come from a `macro_rules!` expansion (hygiene), so those enums
//! cannot go through the callback macros.

use std::path::PathBuf;
use std::process::Command;

fn list(prefix: &str, count: usize, width: usize) -> String {
    (0..count).map(|i| format!("{prefix}{i:0width$}")).collect::<Vec<_>>().join(", ")
}

fn callback(name: &str, values: &str) -> String {
    format!(
        "macro_rules! {name} {{\n    ($m:ident!($($args:tt)*)) => {{\n        $m!($($args)* [{values}]);\n    }};\n}}\n"
    )
}

/// `name version` of each package in `Cargo.lock` that the table names.
fn peer_versions(lock: &str) -> String {
    const PEERS: [&str; 6] = [
        "prometheus",
        "prometheus-static-metric",
        "prometheus-client",
        "metrics",
        "metrics-exporter-prometheus",
        "measured",
    ];
    let mut found = Vec::new();
    let mut name = None;
    for line in lock.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = Some(n.trim_matches('"').to_owned());
        } else if let (Some(v), Some(n)) = (line.strip_prefix("version = "), name.take())
            && PEERS.contains(&n.as_str())
        {
            found.push(format!("{n} {}", v.trim_matches('"')));
        }
    }
    found.sort();
    found.join(", ")
}

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut labels = String::new();
    labels.push_str(&callback("with_rows", &list("r", 100, 2)));
    labels.push_str(&callback("with_cols", &list("c", 100, 2)));
    labels.push_str(&callback("with_wide", &list("v", 1000, 3)));
    std::fs::write(out.join("labels.rs"), labels).expect("write labels.rs");

    let mut measured = String::new();
    for (name, values) in [("Row", list("r", 100, 2)), ("Col", list("c", 100, 2)), ("Wide", list("v", 1000, 3))] {
        let all = values.split(", ").map(|v| format!("{name}::{v}")).collect::<Vec<_>>().join(", ");
        measured.push_str(&format!(
            "#[allow(non_camel_case_types, reason = \"the variants are the label values\")]\n\
             #[derive(Clone, Copy, Debug, PartialEq, measured::FixedCardinalityLabel)]\n\
             enum {name} {{ {values} }}\n\
             impl {name} {{\n    const ALL: &'static [{name}] = &[{all}];\n}}\n"
        ));
    }
    std::fs::write(out.join("measured_labels.rs"), measured).expect("write measured_labels.rs");

    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let version = Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map_or_else(|| "unknown".to_owned(), |s| s.trim().to_owned());
    println!("cargo:rustc-env=COMPARE_RUSTC_VERSION={version}");

    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let lock = std::fs::read_to_string(manifest.join("Cargo.lock")).unwrap_or_default();
    println!("cargo:rustc-env=COMPARE_PEER_VERSIONS={}", peer_versions(&lock));
    println!("cargo:rerun-if-changed=Cargo.lock");
    println!("cargo:rerun-if-changed=build.rs");
}
