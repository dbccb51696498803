//! Reads the crate-wide policy from the manifest at expansion time.
//!
//! The policy is `[package.metadata.metrics]` of the crate being compiled,
//! over `[workspace.metadata.metrics]` of the nearest ancestor manifest that
//! has one. Walking up every ancestor (rather than stopping at the first
//! `[workspace]`) is what makes the lookup work in trybuild's generated test
//! crates, which live under the workspace's `target/` and carry no metadata of
//! their own. Every manifest read is returned so that the expansion can
//! `include_bytes!` it: Cargo then rebuilds the crate when the policy changes.
//! Nothing is cached between expansions.

use std::path::{Path, PathBuf};

use catalog::Policy;

const KEYS: &[&str] = &["namespace", "forbidden_labels", "max_labels", "max_series", "series_ceiling"];

/// The policy and the manifests it was read from.
pub(crate) struct Loaded {
    pub(crate) policy: Policy,
    pub(crate) files: Vec<PathBuf>,
}

/// Loads the policy of the crate being compiled. Errors name the file and key.
pub(crate) fn load() -> Result<Loaded, String> {
    let Some(dir) = std::env::var_os("CARGO_MANIFEST_DIR") else {
        return Ok(Loaded { policy: Policy::default(), files: Vec::new() });
    };
    let dir = PathBuf::from(dir);
    let mut files = Vec::new();
    let mut policy = Policy::default();

    let package = read(&dir.join("Cargo.toml"), &mut files)?;
    for ancestor in dir.ancestors() {
        let path = ancestor.join("Cargo.toml");
        if !path.is_file() {
            continue;
        }
        let manifest = if ancestor == dir { package.clone() } else { read(&path, &mut files)? };
        if let Some(table) = metrics_table(manifest.as_ref(), "workspace") {
            apply(&mut policy, table, &path, "workspace.metadata.metrics")?;
            break;
        }
    }
    if let Some(table) = metrics_table(package.as_ref(), "package") {
        apply(&mut policy, table, &dir.join("Cargo.toml"), "package.metadata.metrics")?;
    }
    Ok(Loaded { policy, files })
}

fn read(path: &Path, files: &mut Vec<PathBuf>) -> Result<Option<toml::Table>, String> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(None);
    };
    files.push(path.to_path_buf());
    text.parse::<toml::Table>()
        .map(Some)
        .map_err(|e| format!("cannot read the metrics policy: {} is not valid TOML: {e}", path.display()))
}

fn metrics_table<'a>(manifest: Option<&'a toml::Table>, section: &str) -> Option<&'a toml::Table> {
    manifest?.get(section)?.get("metadata")?.get("metrics")?.as_table()
}

fn apply(policy: &mut Policy, table: &toml::Table, path: &Path, section: &str) -> Result<(), String> {
    let at = |key: &str| format!("`{key}` in [{section}] of {}", path.display());
    for (key, value) in table {
        match key.as_str() {
            "namespace" => {
                let Some(ns) = value.as_str() else {
                    return Err(format!("{} must be a string, e.g. `namespace = \"trc\"`", at(key)));
                };
                let ns = ns.strip_suffix('_').unwrap_or(ns);
                if !ns.is_empty() && !is_snake(ns) {
                    return Err(format!(
                        "{} is `{ns}`: a namespace is snake_case, `[a-z][a-z0-9_]*`, e.g. `trc`",
                        at(key)
                    ));
                }
                ns.clone_into(&mut policy.namespace);
            }
            "forbidden_labels" => {
                let list = value.as_array().and_then(|a| a.iter().map(|v| v.as_str().map(str::to_owned)).collect());
                let Some(list) = list else {
                    return Err(format!("{} must be an array of strings, e.g. `[\"tenant\"]`", at(key)));
                };
                policy.forbidden_labels.extend::<Vec<String>>(list);
            }
            "max_labels" | "max_series" | "series_ceiling" => {
                let Some(n) = value.as_integer().and_then(|n| usize::try_from(n).ok()).filter(|n| *n > 0) else {
                    return Err(format!("{} must be a positive integer", at(key)));
                };
                match key.as_str() {
                    "max_labels" => policy.max_labels = n,
                    "max_series" => policy.max_series = n,
                    _ => policy.series_ceiling = n,
                }
            }
            _ => {
                let expected = KEYS.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
                return Err(format!("unknown key {}; expected one of {expected}", at(key)));
            }
        }
    }
    if policy.max_series > policy.series_ceiling {
        return Err(format!(
            "{}: `max_series` ({}) is above `series_ceiling` ({})",
            path.display(),
            policy.max_series,
            policy.series_ceiling
        ));
    }
    Ok(())
}

fn is_snake(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
