//! Reads the metrics [`Policy`] out of `Cargo.toml` manifests (feature
//! `manifest`, which adds the `toml` parser).
//!
//! The derive macros read a crate's policy through this module at expansion
//! time, and `catalog check` for its `--manifest`: [`find`] looks for the
//! manifests that hold it ([`Lookup`] says how), reading each with the reader
//! it is given (the derives' reader caches what it parses), and [`policy`] merges
//! their tables, so that anything that needs a crate's policy reads the same
//! one.
//!
//! A crate's policy is its `[package.metadata.metrics]` over the
//! `[workspace.metadata.metrics]` of its workspace, key by key; the
//! `forbidden_labels` of both apply. A policy must set `namespace` (`""` for
//! metric names without a prefix): manifests that set none hold no policy.
//!
//! ```
//! use std::path::Path;
//! use metricate_spec::manifest::policy_from_manifests;
//!
//! let package = b"[package]\nname = \"api\"\n[package.metadata.metrics]\nforbidden_labels = [\"tenant\"]\n";
//! let workspace = b"[workspace]\n[workspace.metadata.metrics]\nnamespace = \"trc\"\nmax_series = 500\n";
//! let policy = policy_from_manifests(
//!     Some((Path::new("api/Cargo.toml"), package)),
//!     Some((Path::new("Cargo.toml"), workspace)),
//! )
//! .unwrap()
//! .expect("the workspace sets the namespace");
//! assert_eq!((policy.namespace.as_str(), policy.max_series), ("trc", 500));
//! assert_eq!(policy.forbidden_labels, ["tenant"]);
//!
//! // No `namespace` anywhere: no policy.
//! assert_eq!(policy_from_manifests(Some((Path::new("api/Cargo.toml"), package)), None), Ok(None));
//! ```

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::Policy;

/// The environment variable that names the manifest holding the policy, for
/// builds whose crates are not compiled from their own Cargo workspace.
pub const POLICY_MANIFEST_VAR: &str = "METRICS_POLICY_MANIFEST";

/// The keys of a `[..metadata.metrics]` table.
pub const KEYS: &[&str] =
    &["namespace", "forbidden_labels", "max_labels", "max_series", "series_ceiling", "rustdoc_catalog"];

const PACKAGE: &str = "package.metadata.metrics";
const WORKSPACE: &str = "workspace.metadata.metrics";

/// The metrics tables of one parsed manifest, and the path it was read from
/// (for messages).
#[derive(Clone, Debug, PartialEq)]
pub struct Manifest {
    path: PathBuf,
    package: Option<toml::Value>,
    workspace: Option<toml::Value>,
}

impl Manifest {
    /// Parses a manifest's bytes. `path` only names the file in messages.
    /// The error says that the file is not UTF-8 or not TOML.
    pub fn parse(path: &Path, contents: &[u8]) -> Result<Manifest, String> {
        let not = |what: &str, e: &dyn std::fmt::Display| {
            format!("cannot read the metrics policy: {} is not {what}: {e}", path.display())
        };
        let text = std::str::from_utf8(contents).map_err(|e| not("UTF-8", &e))?;
        let mut table = text.parse::<toml::Table>().map_err(|e| not("valid TOML", &e))?;
        let mut metrics = |section: &str| {
            let metadata = table.get_mut(section)?.as_table_mut()?.get_mut("metadata")?.as_table_mut()?;
            metadata.remove("metrics")
        };
        let package = metrics("package");
        let workspace = metrics("workspace");
        Ok(Manifest { path: path.to_path_buf(), package, workspace })
    }

    /// The path the manifest was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the manifest has a `[package.metadata.metrics]`.
    pub fn has_package_policy(&self) -> bool {
        self.package.is_some()
    }

    /// Whether the manifest has a `[workspace.metadata.metrics]`.
    pub fn has_workspace_policy(&self) -> bool {
        self.workspace.is_some()
    }
}

/// The policy of a crate: the `[package.metadata.metrics]` of `package` over
/// the `[workspace.metadata.metrics]` of `workspace` (the other table of
/// each manifest is not read), over the defaults.
///
/// `Ok(None)` when neither table sets `namespace`: the manifests hold no
/// policy. `Err` has one message per bad key or value, naming the file and
/// the key.
pub fn policy(package: Option<&Manifest>, workspace: Option<&Manifest>) -> Result<Option<Policy>, Vec<String>> {
    let mut merged = Merged { policy: Policy::default(), namespace: false, errors: Vec::new(), limits_from: None };
    if let Some(manifest) = workspace
        && let Some(table) = &manifest.workspace
    {
        merged.apply(table, &manifest.path, WORKSPACE);
    }
    if let Some(manifest) = package
        && let Some(table) = &manifest.package
    {
        merged.apply(table, &manifest.path, PACKAGE);
    }
    let Merged { policy, namespace, mut errors, limits_from } = merged;
    if policy.max_series > policy.series_ceiling
        && let Some((path, section)) = limits_from
    {
        errors.push(format!(
            "metrics policy: `max_series` ({}) is above `series_ceiling` ({}) in [{section}] of {}",
            policy.max_series,
            policy.series_ceiling,
            path.display()
        ));
    }
    match (errors.is_empty(), namespace) {
        (false, _) => Err(errors),
        (true, false) => Ok(None),
        (true, true) => Ok(Some(policy)),
    }
}

/// [`Manifest::parse`] and [`policy`] in one call, on any bytes: the entry
/// point for fuzzing. Never panics.
pub fn policy_from_manifests(
    package: Option<(&Path, &[u8])>,
    workspace: Option<(&Path, &[u8])>,
) -> Result<Option<Policy>, Vec<String>> {
    let parse =
        |manifest: Option<(&Path, &[u8])>| manifest.map(|(path, bytes)| Manifest::parse(path, bytes)).transpose();
    match (parse(package), parse(workspace)) {
        (Ok(package), Ok(workspace)) => policy(package.as_ref(), workspace.as_ref()),
        (package, workspace) => Err(package.err().into_iter().chain(workspace.err()).collect()),
    }
}

/// Where the policy of a crate is looked for: what [`find`] reads.
///
/// The lookup, as the derive macros do it at expansion time and `catalog
/// check` for its `--manifest`:
/// 1. the crate's own manifest, [`package`](Lookup::package);
/// 2. if [`POLICY_MANIFEST_VAR`] is set (and not empty) and that manifest
///    has no `[package.metadata.metrics]` of its own (or there is none), the
///    manifest the variable names stands in for it. A relative path is
///    resolved against [`cwd`](Lookup::cwd); the file must exist. A crate
///    that states its own policy is never changed by the variable, so
///    setting it for a whole build cannot rename a dependency's metrics;
/// 3. the `[workspace.metadata.metrics]` of the nearest manifest at or above
///    the one chosen. Every ancestor is tried, not only up to the first
///    `[workspace]`: trybuild's generated crates carry a `[workspace]` of
///    their own.
///
/// The policy is the chosen manifest's `[package.metadata.metrics]` over that
/// `[workspace.metadata.metrics]` ([`policy`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lookup {
    /// The crate's own manifest (its `Cargo.toml`); relative to `cwd` if not
    /// absolute.
    pub package: Option<PathBuf>,
    /// The value of [`POLICY_MANIFEST_VAR`], if set and not empty.
    pub policy_manifest: Option<OsString>,
    /// The working directory, which relative paths are resolved against.
    pub cwd: Option<PathBuf>,
    /// The walk for a workspace table goes no higher than this directory
    /// (tests bound it to their tree); `None`: up to the filesystem root.
    pub top: Option<PathBuf>,
}

/// What [`find`] found.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    /// The policy; `None` when no table on the way sets `namespace`.
    pub policy: Option<Policy>,
    /// Every manifest read, in the order read, each once (absolute paths).
    pub files: Vec<PathBuf>,
    /// Whether the crate's own manifest has a `[package.metadata.metrics]`.
    pub own_policy: bool,
}

impl Found {
    /// Whether [`POLICY_MANIFEST_VAR`], set or not, decides the policy: the
    /// crate's own manifest has no `[package.metadata.metrics]`.
    pub fn var_applies(&self) -> bool {
        !self.own_policy
    }
}

/// Reads the manifest at `path` for [`find`]: `Ok(None)` if there is no such
/// file. The error says why it cannot be read or parsed.
pub fn read(path: &Path) -> Result<Option<Manifest>, String> {
    read_bytes(path)?.map(|bytes| Manifest::parse(path, &bytes)).transpose()
}

/// The bytes of the manifest at `path`, `Ok(None)` if there is no such file:
/// what [`read`] and a reader that caches what it parses both read.
pub fn read_bytes(path: &Path) -> Result<Option<Vec<u8>>, String> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read the metrics policy: cannot read {}: {e}", path.display())),
    }
}

/// Looks up the policy of a crate as [`Lookup`] says, reading each manifest
/// with `read` ([`read`], or a reader that caches). `Err` has one message
/// per problem: a file that cannot be read or parsed, a variable naming a
/// missing file, a bad key.
pub fn find(
    lookup: &Lookup,
    read: &mut dyn FnMut(&Path) -> Result<Option<Manifest>, String>,
) -> Result<Found, Vec<String>> {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut read = |path: &Path| -> Result<Option<Manifest>, Vec<String>> {
        let manifest = read(path).map_err(|e| vec![e])?;
        if manifest.is_some() && !files.iter().any(|f| f == path) {
            files.push(path.to_path_buf());
        }
        Ok(manifest)
    };
    let own_path = match &lookup.package {
        Some(path) => Some(absolute(path, lookup, "the crate's manifest")?),
        None => None,
    };
    let own = match &own_path {
        Some(path) => read(path)?,
        None => None,
    };
    let own_policy = own.as_ref().is_some_and(Manifest::has_package_policy);

    let (package_path, package) = match &lookup.policy_manifest {
        Some(value) if !own_policy => {
            let path = absolute(Path::new(value), lookup, POLICY_MANIFEST_VAR)?;
            match read(&path)? {
                Some(manifest) => (Some(path), Some(manifest)),
                None => return Err(vec![missing_manifest(value, &path)]),
            }
        }
        _ => (own_path, own),
    };

    // The nearest manifest at or above the package's with a workspace table.
    let mut workspace = None;
    let dirs = package_path.as_deref().and_then(Path::parent).into_iter().flat_map(Path::ancestors);
    for dir in dirs {
        let path = dir.join("Cargo.toml");
        let manifest = if Some(&path) == package_path.as_ref() { package.clone() } else { read(&path)? };
        if let Some(manifest) = manifest.filter(Manifest::has_workspace_policy) {
            workspace = Some(manifest);
            break;
        }
        if lookup.top.as_deref() == Some(dir) {
            break;
        }
    }
    let policy = policy(package.as_ref(), workspace.as_ref())?;
    Ok(Found { policy, files, own_policy })
}

/// `path` resolved against the working directory (the derives'
/// `include_bytes!` needs absolute paths).
fn absolute(path: &Path, lookup: &Lookup, what: &str) -> Result<PathBuf, Vec<String>> {
    match &lookup.cwd {
        _ if path.is_absolute() => Ok(path.to_path_buf()),
        Some(cwd) => Ok(cwd.join(path)),
        None => Err(vec![format!(
            "cannot read the metrics policy: {what} is the relative path `{}`, and the working directory is \
             unknown\n= help: make it an absolute path",
            path.display()
        )]),
    }
}

fn missing_manifest(value: &OsString, path: &Path) -> String {
    format!(
        "cannot read the metrics policy: {POLICY_MANIFEST_VAR} is `{}`, but there is no {}\n\
         = note: the variable names the manifest (e.g. a `Cargo.toml`) that holds the policy; a relative path is \
         resolved against the compiler's working directory\n\
         = help: point {POLICY_MANIFEST_VAR} at an existing manifest, or unset it to use the crate's own",
        Path::new(value).display(),
        path.display()
    )
}

/// The policy being built, table by table.
struct Merged<'a> {
    policy: Policy,
    /// Whether a table set `namespace` (even to a bad value, which is an
    /// error of its own).
    namespace: bool,
    errors: Vec<String>,
    /// The last table that set `max_series` or `series_ceiling`.
    limits_from: Option<(&'a Path, &'static str)>,
}

impl<'a> Merged<'a> {
    /// Applies one `[..metadata.metrics]` table, pushing one error per bad
    /// key or value.
    fn apply(&mut self, table: &toml::Value, path: &'a Path, section: &'static str) {
        let Some(table) = table.as_table() else {
            self.errors.push(format!(
                "metrics policy: [{section}] of {} must be a table, e.g. `[{section}]` and `namespace = \"trc\"` \
                 on the next line",
                path.display()
            ));
            return;
        };
        let at = |key: &str| format!("metrics policy: `{key}` in [{section}] of {}", path.display());
        let policy = &mut self.policy;
        let errors = &mut self.errors;
        for (key, value) in table {
            match key.as_str() {
                "namespace" => {
                    self.namespace = true;
                    match value.as_str() {
                        None => errors.push(format!("{} must be a string, e.g. `namespace = \"trc\"`", at(key))),
                        Some(ns) => {
                            let ns = ns.strip_suffix('_').unwrap_or(ns);
                            if ns.is_empty() || crate::rules::is_snake_case(ns) {
                                ns.clone_into(&mut policy.namespace);
                            } else {
                                errors.push(format!(
                                    "{} is `{ns}`: a namespace is snake_case, `[a-z][a-z0-9_]*`, e.g. `trc`, or \
                                     `\"\"` for names without a prefix",
                                    at(key)
                                ));
                            }
                        }
                    }
                }
                "forbidden_labels" => {
                    let list: Option<Vec<&str>> =
                        value.as_array().and_then(|a| a.iter().map(toml::Value::as_str).collect());
                    match list {
                        None => errors.push(format!("{} must be an array of strings, e.g. `[\"tenant\"]`", at(key))),
                        Some(list) => {
                            for label in list {
                                if !crate::rules::is_snake_case(label) {
                                    errors.push(format!(
                                        "{} lists `{label}`, which is not a label name (`[a-z][a-z0-9_]*`)",
                                        at(key)
                                    ));
                                } else if !policy.forbidden_labels.iter().any(|f| f == label) {
                                    policy.forbidden_labels.push(label.to_owned());
                                }
                            }
                        }
                    }
                }
                "max_labels" | "max_series" | "series_ceiling" => {
                    let most = if key == "max_labels" { crate::DEFAULT_MAX_LABELS } else { usize::MAX };
                    let n = value.as_integer().and_then(|n| usize::try_from(n).ok()).filter(|n| (1..=most).contains(n));
                    match (n, key.as_str()) {
                        (None, "max_labels") => errors.push(format!(
                            "{} must be an integer from 1 to {most} (rule L5 allows at most {most} labels; a policy \
                             may only lower it)",
                            at(key)
                        )),
                        (None, _) => errors.push(format!("{} must be a positive integer", at(key))),
                        (Some(n), "max_labels") => policy.max_labels = n,
                        (Some(n), "max_series") => policy.max_series = n,
                        (Some(n), _) => policy.series_ceiling = n,
                    }
                    if key != "max_labels" {
                        self.limits_from = Some((path, section));
                    }
                }
                "rustdoc_catalog" => match value.as_str().filter(|p| !p.is_empty()) {
                    None => errors.push(format!(
                        "{} must be the path of a JSON catalogue, relative to the manifest, e.g. \
                         `rustdoc_catalog = \"METRICS.json\"`",
                        at(key)
                    )),
                    Some(file) => {
                        let dir = path.parent().unwrap_or(Path::new(""));
                        policy.rustdoc_catalog = Some(dir.join(file));
                    }
                },
                _ => {
                    let expected = KEYS.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
                    errors.push(format!("{} is not a policy key; expected one of {expected}", at(key)));
                }
            }
        }
    }
}
