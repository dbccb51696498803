//! Two semver-incompatible versions of the runtime in one program: this
//! workspace's `metricate` 0.1 and the same sources packaged as 0.2 (the
//! packages `cargo package` makes of the model, catalogue, derive and runtime
//! crates, their versions rewritten), both linking the one `metricate-abi`.
//! A program declares metrics with each and scrapes each version's global
//! registry: both scrapes have both versions' metrics, in both formats (one
//! `# EOF`, each runtime's own `metrics_export_` families once), and
//! promtool accepts them. A name declared under both versions is an error of
//! either registry naming both versions.
//!
//! The program is built by cargo in a directory under the target directory
//! (its dependencies' build reused from run to run; the packaged crates are
//! built again each run); it takes a minute from scratch.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// The scratch directory of this test, under the target directory.
fn scratch() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("two-runtimes")
}

fn run(command: &mut Command) -> String {
    let output = command.output().unwrap_or_else(|e| panic!("{command:?} does not run: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{command:?} failed:\n{text}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The workspace's four library crates as packages, unpacked under
/// `dir/src` with their version (and their dependencies on each other)
/// rewritten to 0.2.0, and `metricate-abi` taken from the workspace.
fn packages_as_next_version(dir: &Path) -> PathBuf {
    let packages = dir.join("package");
    let _ = std::fs::remove_dir_all(&packages);
    run(Command::new(env!("CARGO"))
        .current_dir(WORKSPACE)
        .args(["package", "--no-verify", "--allow-dirty", "--quiet"])
        .args(["-p", "metricate-abi", "-p", "metricate-spec", "-p", "metricate-catalog", "-p", "metricate-derive"])
        .args(["-p", "metricate"])
        .arg("--target-dir")
        .arg(&packages)
        .env("CARGO_TERM_COLOR", "never"));
    let src = dir.join("src");
    let _ = std::fs::remove_dir_all(&src);
    std::fs::create_dir_all(&src).unwrap();
    let abi = std::fs::canonicalize(Path::new(WORKSPACE).join("abi")).unwrap();
    for name in ["metricate-spec", "metricate-catalog", "metricate-derive", "metricate"] {
        let archive = packages.join("package").join(format!("{name}-0.1.0.crate"));
        // `-m`: files dated now, not at the fixed time `cargo package`
        // gives them, which is older than any earlier build of them here:
        // cargo would take that build as up to date.
        run(Command::new("tar").arg("-xzmf").arg(&archive).arg("-C").arg(&src));
        let manifest = src.join(format!("{name}-0.1.0/Cargo.toml"));
        let text = std::fs::read_to_string(&manifest).unwrap();
        std::fs::write(&manifest, next_version(&text, &abi)).unwrap();
    }
    src
}

/// A packaged manifest at 0.2.0: the package's version, its dependencies on
/// the other three crates (at 0.2.0, by path) and on `metricate-abi` (the
/// workspace's, by path).
fn next_version(manifest: &str, abi: &Path) -> String {
    let mut out = String::new();
    let mut section = String::new();
    for line in manifest.lines() {
        if line.starts_with('[') {
            line.clone_into(&mut section);
        }
        let sibling = ["metricate-spec", "metricate-catalog", "metricate-derive"]
            .into_iter()
            .find(|s| section == format!("[dependencies.{s}]") || section == format!("[dev-dependencies.{s}]"));
        if section == "[package]" && line == "version = \"0.1.0\"" {
            out.push_str("version = \"0.2.0\"\n");
        } else if let Some(sibling) = sibling.filter(|_| line == "version = \"=0.1.0\"") {
            let _ = writeln!(out, "version = \"=0.2.0\"\npath = \"../{sibling}-0.1.0\"");
        } else if section == "[dependencies.metricate-abi]" && line.starts_with("version = ") {
            let _ = writeln!(out, "{line}\npath = {:?}", abi.display().to_string());
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    assert!(out.contains("version = \"0.2.0\""), "no package version rewritten:\n{manifest}");
    out
}

const PROGRAM: &str = r#"
//! Metrics under both runtime versions; prints each version's scrape.

#[derive(metricate::Metrics)]
#[metrics(subsystem = "old")]
struct Old {
    /// Jobs counted through the runtime 0.1.
    jobs_total: metricate::Counter,
    #[cfg(feature = "collide")]
    /// Declared under both versions.
    shared_total: metricate::Counter,
}

#[derive(next::Metrics)]
#[metrics(crate = "next", subsystem = "new")]
struct New {
    /// Jobs counted through the runtime 0.2.
    jobs_total: next::Counter,
}

#[cfg(feature = "collide")]
#[derive(next::Metrics)]
#[metrics(crate = "next", subsystem = "old")]
struct Clash {
    /// Declared under both versions.
    shared_total: next::Counter,
}

fn main() {
    Old::global().jobs_total.inc_by(3);
    New::global().jobs_total.inc_by(5);
    #[cfg(feature = "collide")]
    let _ = (&Old::global().shared_total, &Clash::global().shared_total);
    match (metricate::global(), next::global()) {
        (Ok(old), Ok(new)) => {
            for (name, text) in [
                ("old-text", encode_old(old, metricate::encode::Format::Prometheus)),
                ("old-openmetrics", encode_old(old, metricate::encode::Format::OpenMetrics)),
                ("new-text", encode_new(new, next::encode::Format::Prometheus)),
                ("new-openmetrics", encode_new(new, next::encode::Format::OpenMetrics)),
            ] {
                println!("=== {name}\n{text}");
            }
        }
        (old, new) => {
            println!("=== old-error\n{}", old.err().map(ToString::to_string).unwrap_or_default());
            println!("=== new-error\n{}", new.err().map(ToString::to_string).unwrap_or_default());
        }
    }
}

fn encode_old(registry: &metricate::Registry<'_>, format: metricate::encode::Format) -> String {
    let mut out = Vec::new();
    format.encode(registry, &mut out);
    String::from_utf8(out).unwrap()
}

fn encode_new(registry: &next::Registry<'_>, format: next::encode::Format) -> String {
    let mut out = Vec::new();
    format.encode(registry, &mut out);
    String::from_utf8(out).unwrap()
}
"#;

/// Builds and runs the program (with `features`); its output split by its
/// `=== name` lines.
fn program(features: &[&str]) -> Vec<(String, String)> {
    let dir = scratch();
    std::fs::create_dir_all(&dir).unwrap();
    let src = packages_as_next_version(&dir);
    let app = dir.join("app");
    std::fs::create_dir_all(app.join("src")).unwrap();
    let runtime = std::fs::canonicalize(Path::new(WORKSPACE).join("metrics-runtime")).unwrap();
    let manifest = format!(
        "[package]\nname = \"two-runtimes\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [workspace]\n\n\
         [dependencies]\nmetricate = {{ path = {:?}, default-features = false }}\n\
         next = {{ package = \"metricate\", path = {:?}, default-features = false }}\n\n\
         [features]\ncollide = []\n\n\
         [package.metadata.metrics]\nnamespace = \"app\"\n",
        runtime.display().to_string(),
        src.join("metricate-0.1.0").display().to_string(),
    );
    std::fs::write(app.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(app.join("src/main.rs"), PROGRAM).unwrap();
    // The workspace's lock file: the same dependency versions, no lookup.
    std::fs::copy(Path::new(WORKSPACE).join("Cargo.lock"), app.join("Cargo.lock")).unwrap();
    let output = run(Command::new(env!("CARGO"))
        .current_dir(&app)
        .args(["run", "--quiet", "--features", &features.join(",")])
        .arg("--target-dir")
        .arg(dir.join("target"))
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("METRICS_POLICY_MANIFEST"));
    let mut parts: Vec<(String, String)> = Vec::new();
    for line in output.lines() {
        if let Some(name) = line.strip_prefix("=== ") {
            parts.push((name.to_owned(), String::new()));
        } else if let Some((_, text)) = parts.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    parts
}

fn part<'p>(parts: &'p [(String, String)], name: &str) -> &'p str {
    parts.iter().find(|(n, _)| n == name).map_or_else(|| panic!("no {name} in {parts:?}"), |(_, t)| t.as_str())
}

#[test]
fn both_versions_scrape_every_metric_and_refuse_a_shared_name() {
    let parts = program(&[]);
    for name in ["old-text", "old-openmetrics", "new-text", "new-openmetrics"] {
        let text = part(&parts, name);
        let openmetrics = name.ends_with("openmetrics");
        // The sample line is the same in both formats.
        assert!(text.contains("app_old_jobs_total 3\n"), "{name} lacks the 0.1 metric:\n{text}");
        assert!(text.contains("app_new_jobs_total 5\n"), "{name} lacks the 0.2 metric:\n{text}");
        // Each family once: the runtime's own metrics are the serving one's.
        let types: Vec<&str> = text.lines().filter(|l| l.starts_with("# TYPE ")).collect();
        let mut unique = types.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(types.len(), unique.len(), "{name} has a family twice:\n{text}");
        assert!(types.iter().any(|t| t.starts_with("# TYPE metrics_export_")), "{name}:\n{text}");
        if openmetrics {
            assert_eq!(text.matches("# EOF").count(), 1, "{name}:\n{text}");
            assert!(text.ends_with("# EOF\n\n"), "{name}:\n{text}");
        }
        if let Some(promtool) = tests::promtool()
            && !openmetrics
        {
            let output = tests::run_with_stdin(&promtool, &["check", "metrics"], text.as_bytes()).unwrap();
            assert!(output.success, "promtool refused {name}: {}", output.stderr);
        }
    }

    let parts = program(&["collide"]);
    for name in ["old-error", "new-error"] {
        let error = part(&parts, name);
        assert!(error.contains("app_old_shared_total"), "{name}: {error}");
        assert!(error.contains("metricate 0.1.0") && error.contains("metricate 0.2.0"), "{name}: {error}");
    }
}
