//! `.ci/run` marks its run as CI's (`CI=true`): a test whose external tool
//! is missing then fails instead of skipping (`tests::missing`). The script
//! runs here as it is, in a tree of its own under the target directory, with
//! stand-ins for `cargo`, `rustup` and the test command that record what
//! each was started with.

use std::path::Path;
use std::process::Command;

/// A stand-in that appends its name, first argument and `CI` to `$CI_LOG`.
const STAND_IN: &str = "#!/bin/sh\necho \"$(basename \"$0\")${1:+ $1} CI=${CI-unset}\" >> \"$CI_LOG\"\n";

fn stand_in(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, STAND_IN).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A directory removed when dropped, also when the test fails.
struct Scratch(std::path::PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn every_step_of_the_ci_script_runs_with_ci_set() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ is in the repository");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("ci-script-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let _scratch = Scratch(dir.clone());
    for sub in [".ci", "scripts", "bin", "cargo-home"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    std::fs::copy(repo.join(".ci/run"), dir.join(".ci/run")).unwrap();
    std::fs::write(dir.join("Cargo.toml"), "rust-version = \"1.88\"\n").unwrap();
    for tool in ["bin/cargo", "bin/rustup", "scripts/test.sh"] {
        stand_in(&dir.join(tool));
    }
    let log = dir.join("log");
    let path = format!("{}:{}", dir.join("bin").display(), std::env::var("PATH").unwrap_or_default());
    let output = Command::new("bash")
        .arg(dir.join(".ci/run"))
        .env_remove("CI")
        .env_remove("CARGO_TARGET_DIR")
        .env("PATH", path)
        .env("CARGO_HOME", dir.join("cargo-home"))
        .env("CI_LOG", &log)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    let log = std::fs::read_to_string(&log).unwrap();
    let steps: Vec<&str> = log.lines().collect();
    let expected =
        ["cargo fmt", "cargo clippy", "cargo doc", "cargo package", "rustup toolchain", "cargo +1.88", "test.sh"];
    assert_eq!(steps.len(), expected.len(), "{log}");
    for (step, expected) in steps.iter().zip(expected) {
        assert_eq!(*step, format!("{expected} CI=true"), "{log}");
    }
}
