//! `cargo doc` of a crate whose policy names a committed catalogue
//! (`rustdoc_catalog`): each family's rustdoc lists its labels and values
//! inline, a family the file does not have says so, rewriting the file
//! rewrites the docs, and a file that is not a catalogue fails the build
//! with a message naming it. A real crate outside the workspace, documented
//! by a real `cargo doc` into a directory of its own under the target
//! directory.

use std::path::{Path, PathBuf};
use std::process::Command;

const LIB: &str = r#"//! A crate that declares its metrics.

use metricate::{Counter, Family, IntGauge, LabelSet, LabelValue, Metrics};

/// A request method.
#[derive(Clone, Copy, LabelValue)]
pub enum Method { Get, Post }

/// How a request ended.
#[derive(Clone, Copy, LabelValue)]
pub enum Outcome { Ok, #[label(rename = "5xx")] Failed }

/// The labels of a request.
#[derive(Clone, Copy, LabelSet)]
pub struct Request { pub method: Method, pub outcome: Option<Outcome> }

/// The API's metrics.
#[derive(Metrics)]
#[metrics(subsystem = "api")]
pub struct Api {
    /// Requests served.
    pub requests_total: Family<Request, Counter>,
    /// Requests being served.
    pub in_flight: Family<Request, IntGauge>,
    /// Restarts.
    pub restarts_total: Counter,
}
"#;

/// The catalogue of `fx_api_requests_total` with these `method` values.
fn catalogue(methods: &[&str]) -> String {
    serde_json::json!({
        "schema": "metrics-catalog",
        "schema_version": 1,
        "metrics": [{
            "name": "fx_api_requests_total", "type": "counter", "unit": null, "help": "Requests served.",
            "subsystem": "api",
            "labels": [
                {"name": "method", "values": methods, "unknown": false, "cap": null},
                {"name": "outcome", "values": ["ok", "5xx"], "unknown": true, "cap": null}
            ],
            "buckets": [], "series": methods.len() * 3, "version": "1.0.0", "deprecated": null, "quiet": false,
            "source": {"file": "src/lib.rs", "line": 31, "column": 9, "module": "fixture", "function": null}
        }]
    })
    .to_string()
}

/// A crate under the target directory (in `name`, with these features of
/// the runtime): a workspace of its own that depends
/// on this repository's runtime by path, with the repository's lock file so
/// that nothing new is resolved.
fn fixture(name: &str, features: &str) -> PathBuf {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ is in the repository");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(dir.join("src"));
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let runtime = repo.join("metrics-runtime");
    let manifest = format!(
        "[package]\nname = \"fixture\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\nmetricate = {{ path = {:?}, features = [{features}] }}\n\n\
         [package.metadata.metrics]\nnamespace = \"fx\"\nrustdoc_catalog = \"METRICS.json\"\n\n[workspace]\n",
        runtime.display().to_string()
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(dir.join("src/lib.rs"), LIB).unwrap();
    std::fs::copy(repo.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    dir
}

/// `cargo doc` of the fixture: whether it succeeded, and its stderr.
fn cargo_doc(dir: &Path) -> (bool, String) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["doc", "--no-deps", "--quiet", "--target-dir"])
        .arg(dir.join("target"))
        .current_dir(dir)
        // The fixture names its own policy; a variable set for the outer
        // build must not stand in for it.
        .env_remove("METRICS_POLICY_MANIFEST")
        .env_remove("RUSTDOCFLAGS")
        .output()
        .expect("cargo runs");
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The text of the metrics struct's page, without tags, one line per line.
fn page(dir: &Path) -> String {
    let html = std::fs::read_to_string(dir.join("target/doc/fixture/struct.Api.html")).unwrap();
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

#[test]
fn a_familys_rustdoc_lists_its_labels_and_values_from_the_committed_catalogue() {
    let dir = fixture("rustdoc-catalog", "\"rustdoc-catalog\"");
    std::fs::write(dir.join("METRICS.json"), catalogue(&["get", "post"])).unwrap();
    let (ok, stderr) = cargo_doc(&dir);
    assert!(ok, "cargo doc failed:\n{stderr}");
    let text = page(&dir);
    for expected in [
        "labels (of Request, as the committed catalogue METRICS.json lists them):",
        "method: get, post",
        "outcome: ok, 5xx, or unknown when missing",
        // Not in the file: where to look instead.
        "labels: the fields of Request (not in the committed catalogue METRICS.json yet",
        "labels: none",
    ] {
        assert!(text.contains(expected), "`{expected}` is not in the page:\n{text}");
    }

    // The file is tracked: written again, the docs follow.
    std::fs::write(dir.join("METRICS.json"), catalogue(&["get", "post", "put"])).unwrap();
    let (ok, stderr) = cargo_doc(&dir);
    assert!(ok, "cargo doc failed:\n{stderr}");
    let text = page(&dir);
    assert!(text.contains("method: get, post, put"), "{text}");

    // A file that is not a catalogue fails the build, naming it.
    let other = "{\"schema\": \"something else\", \"schema_version\": 1, \"metrics\": []}";
    std::fs::write(dir.join("METRICS.json"), other).unwrap();
    let (ok, stderr) = cargo_doc(&dir);
    assert!(!ok);
    let expected =
        format!("the rustdoc catalogue {} is not a catalogue this version reads", dir.join("METRICS.json").display());
    assert!(stderr.contains(&expected), "{stderr}");
    assert!(stderr.contains("not a metrics catalogue: `schema` is \"something else\""), "{stderr}");
}

#[test]
fn the_key_without_the_feature_is_a_compile_error_that_says_so() {
    let dir = fixture("rustdoc-catalog-off", "");
    std::fs::write(dir.join("METRICS.json"), catalogue(&["get", "post"])).unwrap();
    let (ok, stderr) = cargo_doc(&dir);
    assert!(!ok);
    assert!(
        stderr.contains("the metrics policy names a rustdoc catalogue (`rustdoc_catalog`), which needs the `rustdoc-catalog` feature of `metricate`"),
        "{stderr}"
    );
}
