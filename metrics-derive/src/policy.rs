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

/// Loads the policy of the crate being compiled. Each error names the file
/// and the key.
pub(crate) fn load() -> Result<Loaded, Vec<String>> {
    match std::env::var_os("CARGO_MANIFEST_DIR") {
        Some(dir) => load_from(Path::new(&dir)),
        None => Ok(Loaded { policy: Policy::default(), files: Vec::new() }),
    }
}

/// Loads the policy of the crate whose manifest is in `dir`.
fn load_from(dir: &Path) -> Result<Loaded, Vec<String>> {
    let mut files = Vec::new();
    let mut policy = Policy::default();
    let mut errors = Vec::new();

    let package = read(&dir.join("Cargo.toml"), &mut files).map_err(|e| vec![e])?;
    for ancestor in dir.ancestors() {
        let path = ancestor.join("Cargo.toml");
        if !path.is_file() {
            continue;
        }
        let manifest = if ancestor == dir { package.clone() } else { read(&path, &mut files).map_err(|e| vec![e])? };
        if let Some(table) = metrics_table(manifest.as_ref(), "workspace") {
            apply(&mut policy, table, &path, "workspace.metadata.metrics", &mut errors);
            break;
        }
    }
    if let Some(table) = metrics_table(package.as_ref(), "package") {
        apply(&mut policy, table, &dir.join("Cargo.toml"), "package.metadata.metrics", &mut errors);
    }
    if errors.is_empty() { Ok(Loaded { policy, files }) } else { Err(errors) }
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

/// Applies one `[..metadata.metrics]` table over `policy`, pushing one error
/// per bad key or value.
fn apply(policy: &mut Policy, table: &toml::Table, path: &Path, section: &str, errors: &mut Vec<String>) {
    let at = |key: &str| format!("metrics policy: `{key}` in [{section}] of {}", path.display());
    for (key, value) in table {
        match key.as_str() {
            "namespace" => match value.as_str() {
                None => errors.push(format!("{} must be a string, e.g. `namespace = \"trc\"`", at(key))),
                Some(ns) => {
                    let ns = ns.strip_suffix('_').unwrap_or(ns);
                    if ns.is_empty() || is_snake(ns) {
                        ns.clone_into(&mut policy.namespace);
                    } else {
                        errors.push(format!(
                            "{} is `{ns}`: a namespace is snake_case, `[a-z][a-z0-9_]*`, e.g. `trc`",
                            at(key)
                        ));
                    }
                }
            },
            "forbidden_labels" => {
                let list: Option<Vec<&str>> =
                    value.as_array().and_then(|a| a.iter().map(toml::Value::as_str).collect());
                match list {
                    None => errors.push(format!("{} must be an array of strings, e.g. `[\"tenant\"]`", at(key))),
                    Some(list) => {
                        for label in list {
                            if is_snake(label) {
                                policy.forbidden_labels.push(label.to_owned());
                            } else {
                                errors.push(format!(
                                    "{} lists `{label}`, which is not a label name (`[a-z][a-z0-9_]*`)",
                                    at(key)
                                ));
                            }
                        }
                    }
                }
            }
            "max_labels" | "max_series" | "series_ceiling" => {
                let most = if key == "max_labels" { catalog::DEFAULT_MAX_LABELS } else { usize::MAX };
                let n = value.as_integer().and_then(|n| usize::try_from(n).ok()).filter(|n| (1..=most).contains(n));
                match (n, key.as_str()) {
                    (None, "max_labels") => errors.push(format!(
                        "{} must be an integer from 1 to {most} (rule L5 allows at most {most} labels; a policy may \
                         only lower it)",
                        at(key)
                    )),
                    (None, _) => errors.push(format!("{} must be a positive integer", at(key))),
                    (Some(n), "max_labels") => policy.max_labels = n,
                    (Some(n), "max_series") => policy.max_series = n,
                    (Some(n), _) => policy.series_ceiling = n,
                }
            }
            _ => {
                let expected = KEYS.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
                errors.push(format!("unknown key {}; expected one of {expected}", at(key)));
            }
        }
    }
    if policy.max_series > policy.series_ceiling {
        errors.push(format!(
            "metrics policy: `max_series` ({}) is above `series_ceiling` ({}) in [{section}] of {}",
            policy.max_series,
            policy.series_ceiling,
            path.display()
        ));
    }
}

fn is_snake(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A directory tree of manifests under the system temp dir, removed on
    /// drop.
    struct Tree(PathBuf);

    impl Tree {
        fn new(name: &str) -> Tree {
            let root = std::env::temp_dir().join(format!("metrics-policy-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&root);
            std::fs::create_dir_all(&root).unwrap();
            Tree(root)
        }

        fn manifest(&self, dir: &str, text: &str) -> PathBuf {
            let dir = self.0.join(dir);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("Cargo.toml"), text).unwrap();
            dir
        }
    }

    impl Drop for Tree {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    const PACKAGE: &str = "[package]\nname = \"app\"\n";

    #[test]
    fn package_metadata_overrides_the_workspace() {
        let tree = Tree::new("override");
        tree.manifest(".", "[workspace]\n[workspace.metadata.metrics]\nnamespace = \"trc\"\nmax_series = 500\n");
        let app = tree.manifest(
            "app",
            &format!("{PACKAGE}[package.metadata.metrics]\nnamespace = \"api_\"\nforbidden_labels = [\"tenant\"]\n"),
        );
        let loaded = load_from(&app).unwrap();
        assert_eq!(loaded.policy.namespace, "api");
        assert_eq!(loaded.policy.max_series, 500);
        assert_eq!(loaded.policy.forbidden_labels, ["tenant"]);
        assert_eq!(loaded.files, [app.join("Cargo.toml"), tree.0.join("Cargo.toml")]);
    }

    #[test]
    fn no_metadata_is_the_default_policy() {
        let tree = Tree::new("default");
        let app = tree.manifest("app", PACKAGE);
        assert_eq!(load_from(&app).unwrap().policy, Policy::default());
    }

    #[test]
    fn every_bad_key_and_value_is_reported_with_file_and_key() {
        let tree = Tree::new("bad");
        let app = tree.manifest(
            "app",
            &format!(
                "{PACKAGE}[package.metadata.metrics]\nnamespce = \"trc\"\nnamespace = \"Trc\"\nmax_labels = 12\n\
                 max_series = -1\nforbidden_labels = \"tenant\"\nseries_ceiling = \"many\"\n"
            ),
        );
        let errors = load_from(&app).err().unwrap();
        let file = app.join("Cargo.toml").display().to_string();
        let at = |key: &str| format!("metrics policy: `{key}` in [package.metadata.metrics] of {file}");
        assert_eq!(
            errors,
            [
                format!("{} must be an array of strings, e.g. `[\"tenant\"]`", at("forbidden_labels")),
                format!(
                    "{} must be an integer from 1 to 10 (rule L5 allows at most 10 labels; a policy may only lower it)",
                    at("max_labels")
                ),
                format!("{} must be a positive integer", at("max_series")),
                format!("{} is `Trc`: a namespace is snake_case, `[a-z][a-z0-9_]*`, e.g. `trc`", at("namespace")),
                format!(
                    "unknown key {}; expected one of `namespace`, `forbidden_labels`, `max_labels`, `max_series`, \
                     `series_ceiling`",
                    at("namespce")
                ),
                format!("{} must be a positive integer", at("series_ceiling")),
            ]
        );
    }

    #[test]
    fn max_series_above_the_ceiling_is_an_error() {
        let tree = Tree::new("ceiling");
        let app = tree.manifest(
            "app",
            &format!("{PACKAGE}[package.metadata.metrics]\nmax_series = 5000\nseries_ceiling = 2000\n"),
        );
        let errors = load_from(&app).err().unwrap();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].contains("`max_series` (5000) is above `series_ceiling` (2000)"), "{errors:?}");
    }

    #[test]
    fn invalid_toml_names_the_file() {
        let tree = Tree::new("toml");
        let app = tree.manifest("app", "[package\n");
        let errors = load_from(&app).err().unwrap();
        assert!(errors[0].starts_with("cannot read the metrics policy: "), "{errors:?}");
        assert!(errors[0].contains(&app.join("Cargo.toml").display().to_string()), "{errors:?}");
    }

    #[test]
    fn a_forbidden_label_that_is_not_a_label_name_is_an_error() {
        let tree = Tree::new("labels");
        let app = tree.manifest(
            "app",
            &format!("{PACKAGE}[package.metadata.metrics]\nforbidden_labels = [\"ok\", \"Not-A-Label\"]\n"),
        );
        let errors = load_from(&app).err().unwrap();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].ends_with("lists `Not-A-Label`, which is not a label name (`[a-z][a-z0-9_]*`)"),
            "{errors:?}"
        );
    }
}
