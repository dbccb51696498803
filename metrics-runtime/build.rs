//! Records the compiler's version and the target for `BuildInfo`: Cargo
//! runs this script for the compiler and target that build the program.

use std::env;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=RUSTC");
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let version = Command::new(&rustc)
        .arg("--version")
        .output()
        .ok()
        .filter(|output| output.status.success())
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .map(|text| text.trim().trim_start_matches("rustc ").to_owned())
        .filter(|text| !text.is_empty() && !text.contains(['"', '\\', '\n']))
        .unwrap_or_else(|| "unknown".to_owned());
    let target = env::var("TARGET").unwrap_or_else(|_| "unknown".to_owned());
    println!("cargo:rustc-env=METRICATE_RUSTC_VERSION={version}");
    println!("cargo:rustc-env=METRICATE_TARGET={target}");
}
