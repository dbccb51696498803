//! The derives read the crate's policy from its manifests at expansion time
//! and make Cargo track those files, once per crate (the first expansion that
//! reads a file tracks it): editing the policy rebuilds the crate, whichever
//! derive read it and however many there are, also a crate that declares
//! only label sets. A real crate outside the
//! workspace, built by a real `cargo build` into a directory of its own under
//! the target directory.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Label sets only (no metrics struct), then a metrics struct whose label
/// set comes last: the label `tenant` of `Owner` is what the edited policy
/// forbids.
const LIB: &str = r#"//! A crate that declares label sets and metrics.

use metricate::{Counter, Family, LabelSet, LabelValue, Metrics};

/// A request method.
#[derive(Clone, Copy, LabelValue)]
pub enum Method { Get, Post }

/// The labels of a request.
#[derive(Clone, Copy, LabelSet)]
pub struct Request { pub method: Method }

/// The API's metrics.
#[derive(Metrics)]
#[metrics(subsystem = "api")]
pub struct Api {
    /// Requests served.
    pub requests_total: Family<Request, Counter>,
}

/// Who owns a job.
#[derive(Clone, Copy, LabelValue)]
pub enum Tenant { Internal, External }

/// The labels of a job.
#[derive(Clone, Copy, LabelSet)]
pub struct Owner { pub tenant: Tenant }
"#;

/// Label sets only: no other derive reads the policy, so only the label
/// sets' own tracking can rebuild the crate when it changes.
const SETS_ONLY: &str = r"//! A crate that declares label sets only.

use metricate::{LabelSet, LabelValue};

/// Who owns a job.
#[derive(Clone, Copy, LabelValue)]
pub enum Tenant { Internal, External }

/// The labels of a job.
#[derive(Clone, Copy, LabelSet)]
pub struct Owner { pub tenant: Tenant }
";

/// The workspace's manifest, with this policy table body: Cargo itself
/// does not rebuild a member when the workspace's manifest changes, so only
/// the derives' tracking can.
fn workspace(policy: &str) -> String {
    format!("[workspace]\nmembers = [\"app\"]\nresolver = \"3\"\n\n[workspace.metadata.metrics]\n{policy}\n")
}

/// A workspace under the target directory whose member `app` declares
/// [`LIB`], with the repository's lock file so that nothing new is resolved.
fn fixture(name: &str) -> PathBuf {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ is in the repository");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(dir.join("app"));
    std::fs::create_dir_all(dir.join("app/src")).unwrap();
    let app = format!(
        "[package]\nname = \"fixture\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\nmetricate = {{ path = {:?} }}\n",
        repo.join("metrics-runtime").display().to_string()
    );
    std::fs::write(dir.join("app/Cargo.toml"), app).unwrap();
    std::fs::write(dir.join("app/src/lib.rs"), LIB).unwrap();
    std::fs::copy(repo.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    dir
}

/// `cargo build` of the fixture: whether it succeeded, and its stderr.
fn cargo_build(dir: &Path) -> (bool, String) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["build", "--target-dir"])
        .arg(dir.join("target"))
        .current_dir(dir)
        // The fixture names its own policy; a variable set for the outer
        // build must not stand in for it.
        .env_remove("METRICS_POLICY_MANIFEST")
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .expect("cargo runs");
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn editing_the_policy_rebuilds_a_crate_whatever_derive_read_it() {
    let dir = fixture("policy-tracking");
    std::fs::write(dir.join("Cargo.toml"), workspace("namespace = \"fx\"")).unwrap();
    let (ok, stderr) = cargo_build(&dir);
    assert!(ok, "the fixture does not build:\n{stderr}");
    let (ok, stderr) = cargo_build(&dir);
    assert!(ok && !stderr.contains("Compiling fixture"), "an unchanged crate was rebuilt:\n{stderr}");

    // The label set declared last, after every other derive has read the
    // manifest, is checked against the edited policy: the crate was rebuilt.
    let forbidding = "namespace = \"fx\"\nforbidden_labels = [\"tenant\"]";
    std::fs::write(dir.join("Cargo.toml"), workspace(forbidding)).unwrap();
    let (ok, stderr) = cargo_build(&dir);
    assert!(!ok, "the edited policy was not applied:\n{stderr}");
    assert!(stderr.contains("Compiling fixture"), "{stderr}");
    assert!(stderr.contains("L3: label `tenant`"), "{stderr}");

    // And back.
    std::fs::write(dir.join("Cargo.toml"), workspace("namespace = \"fx\"")).unwrap();
    let (ok, stderr) = cargo_build(&dir);
    assert!(ok, "the fixture does not build again:\n{stderr}");

    // A crate that declares only label sets is rebuilt too (the same
    // fixture, its dependencies already built).
    std::fs::write(dir.join("app/src/lib.rs"), SETS_ONLY).unwrap();
    let (ok, stderr) = cargo_build(&dir);
    assert!(ok, "the label sets alone do not build:\n{stderr}");
    let (ok, stderr) = cargo_build(&dir);
    assert!(ok && !stderr.contains("Compiling fixture"), "an unchanged crate was rebuilt:\n{stderr}");
    std::fs::write(dir.join("Cargo.toml"), workspace(forbidding)).unwrap();
    let (ok, stderr) = cargo_build(&dir);
    assert!(!ok, "the edited policy was not applied to the label sets:\n{stderr}");
    assert!(stderr.contains("Compiling fixture") && stderr.contains("L3: label `tenant`"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
