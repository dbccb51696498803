//! Loads the crate's policy at expansion time: the lookup, parsing and
//! merging are `metricate_spec::manifest` (`find`, whose docs give the
//! order in which manifests are tried), given this crate's inputs (the
//! crate's manifest from `CARGO_MANIFEST_DIR`, `METRICS_POLICY_MANIFEST`, the
//! compiler's working directory, which is the execution root of Bazel and
//! Buck2, whose `$(execpath)`/`$(location)` give relative paths) and a
//! reader that caches. Without a `namespace` anywhere there is no policy,
//! and the derive fails saying where it looked.
//!
//! Every manifest read is `include_bytes!`-ed by the expansion, and the
//! variable read with `option_env!` where it applies, so that Cargo
//! rebuilds the crate when either changes: a proc macro's own
//! `std::env::var` is invisible to Cargo. Cargo's tracking is per crate, so
//! each file is tracked by the first expansion of the crate that reads it
//! ([`track_file`]), not by all of them: a compiler process compiles one
//! crate, and the proc macro stays loaded for all its expansions.
//!
//! Manifests are parsed once per compiler process for the same path and
//! contents ([`Reader::read`]): a crate of a hundred metric structs parses
//! its manifests once, not three hundred times. The lookup itself is done
//! again at every expansion unless every file it read (or found missing) is
//! as it was, by length and modification time, and none was modified
//! shortly before it was read ([`cached_find`]).

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use metricate_spec::Policy;
use metricate_spec::manifest::{self, Lookup, Manifest, POLICY_MANIFEST_VAR};
use proc_macro2::{Span, TokenStream};
use quote::quote;

use crate::ctxt::Ctxt;

/// Loads the policy of the crate being compiled, and hands `cx` the items
/// that make Cargo track where it came from (which every expansion then
/// emits). Errors are reported at the macro's call site and the default
/// policy returned, so that the rest of the input is still checked.
pub(crate) fn load(cx: &Ctxt) -> Policy {
    match cached_find(inputs_from_env(), RECHECK) {
        Ok(found) => {
            cx.track(tracking(&found));
            found.policy
        }
        Err(messages) => {
            for message in messages {
                cx.error_at(Span::call_site(), message);
            }
            Policy::default()
        }
    }
}

/// The tracking items of `found` that the crate being compiled has not
/// emitted yet.
fn tracking(found: &Found) -> TokenStream {
    let krate = Crate::from_env();
    let mut items = TokenStream::new();
    for file in &found.files {
        items.extend(track_file_in(&krate, &file.display().to_string()));
    }
    // A crate that states its own policy is not rebuilt when the variable
    // changes: its manifest is tracked, and editing it brings this back.
    if found.var_applies && first_in_crate(&krate, POLICY_MANIFEST_VAR) {
        items.extend(quote!(
            const _: ::core::option::Option<&str> = ::core::option_env!(#POLICY_MANIFEST_VAR);
        ));
    }
    items
}

/// An `include_bytes!` of `file`, if the crate being compiled has not
/// emitted one yet: Cargo rebuilds a crate when any file its dep-info lists
/// changes, so one per crate tracks it.
pub(crate) fn track_file(file: &str) -> TokenStream {
    track_file_in(&Crate::from_env(), file)
}

fn track_file_in(krate: &Crate, file: &str) -> TokenStream {
    if first_in_crate(krate, file) {
        quote!(
            const _: &[u8] = ::core::include_bytes!(#file);
        )
    } else {
        TokenStream::new()
    }
}

/// The crate being compiled: its manifest directory and name, which tell
/// crates apart where one process expands several, as rust-analyzer's
/// proc-macro server does.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Crate(Option<OsString>, Option<OsString>);

impl Crate {
    fn from_env() -> Crate {
        Crate(std::env::var_os("CARGO_MANIFEST_DIR"), std::env::var_os("CARGO_CRATE_NAME"))
    }
}

/// What this compiler process has tracked so far, per crate: the files and
/// the variable.
static TRACKED: Mutex<Option<HashMap<Crate, HashSet<String>>>> = Mutex::new(None);

/// Whether this is the first time `krate` asks about `what` (a file's path,
/// or the variable's name).
fn first_in_crate(krate: &Crate, what: &str) -> bool {
    let mut tracked = TRACKED.lock().unwrap_or_else(PoisonError::into_inner);
    let seen = tracked.get_or_insert_with(HashMap::new).entry(krate.clone()).or_default();
    !seen.contains(what) && seen.insert(what.to_owned())
}

/// What the lookup depends on, read from the environment.
fn inputs_from_env() -> Lookup {
    Lookup {
        package: std::env::var_os("CARGO_MANIFEST_DIR").map(|dir| PathBuf::from(dir).join("Cargo.toml")),
        policy_manifest: std::env::var_os(POLICY_MANIFEST_VAR).filter(|v| !v.is_empty()),
        cwd: std::env::current_dir().ok(),
        top: None,
    }
}

/// The policy and every manifest read to find it.
#[derive(Clone, Debug)]
struct Found {
    policy: Policy,
    files: Vec<PathBuf>,
    /// Whether the variable, set or not, decides the policy: the crate's
    /// own manifest has no `[package.metadata.metrics]`.
    var_applies: bool,
}

/// The stamp of every path tried so far.
#[derive(Default)]
struct Reader {
    stamps: Vec<(PathBuf, Option<Stamp>)>,
}

/// A file's length and modification time; `None` for a missing file.
type Stamp = (u64, Option<SystemTime>);

fn stamp(path: &Path) -> Option<Stamp> {
    std::fs::metadata(path).ok().map(|m| (m.len(), m.modified().ok()))
}

/// A successful lookup: its inputs, the stamp of each path it tried, when it
/// was made, when its stamps were last found unchanged, and what it found.
struct Cached {
    inputs: Lookup,
    stamps: Vec<(PathBuf, Option<Stamp>)>,
    at: SystemTime,
    checked: Instant,
    found: Found,
}

impl Cached {
    /// Whether every path it tried is as it was, and was not modified
    /// shortly before the lookup.
    fn unchanged(&self) -> bool {
        self.stamps.iter().all(|(path, then)| {
            *then == stamp(path) && then.is_none_or(|(_, modified)| modified.is_some_and(|m| m + SETTLED < self.at))
        })
    }
}

/// The last successful lookup of each set of inputs.
static FOUND: Mutex<Vec<Cached>> = Mutex::new(Vec::new());

/// A file modified less than this before a lookup read it could change
/// again without its stamp changing (coarse file times): such a lookup is
/// not reused.
const SETTLED: Duration = Duration::from_secs(2);

/// How long a lookup is reused without comparing the stamps again
/// ([`cached_find`]). A compiler process sees an edit of a manifest this
/// much later at most; Cargo, which starts a compiler process per build, is
/// not affected.
const RECHECK: Duration = Duration::from_millis(500);

/// [`find`], reusing the last lookup of the same inputs while every path it
/// tried has the stamp it had then (as Git trusts a file's stat only when
/// it is older than the index), which spares the expansions of a crate
/// after its first reading and merging its manifests again. A lookup whose
/// stamps were compared less than `recheck` ago is reused without comparing
/// them again: the expansions of one crate follow each other within
/// milliseconds, and only the first of them needs to look at the files.
fn cached_find(inputs: Lookup, recheck: Duration) -> Result<Found, Vec<String>> {
    {
        let mut cache = FOUND.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(lookup) = cache.iter_mut().find(|l| l.inputs == inputs) {
            // Only a comparison moves `checked`: reuses within the window do
            // not extend it.
            let now = Instant::now();
            if now.duration_since(lookup.checked) < recheck {
                return Ok(lookup.found.clone());
            }
            if lookup.unchanged() {
                lookup.checked = now;
                return Ok(lookup.found.clone());
            }
        }
    }
    let (at, checked) = (SystemTime::now(), Instant::now());
    let mut reader = Reader::default();
    let found = find(&inputs, &mut reader)?;
    let mut cache = FOUND.lock().unwrap_or_else(PoisonError::into_inner);
    cache.retain(|l| l.inputs != inputs);
    cache.push(Cached { inputs, stamps: reader.stamps, at, checked, found: found.clone() });
    Ok(found)
}

/// Every manifest this compiler process has parsed: its path, its bytes and
/// what they parse to.
static PARSED: Mutex<Vec<(PathBuf, Vec<u8>, Manifest)>> = Mutex::new(Vec::new());

impl Reader {
    /// Reads and parses `path`; `Ok(None)` if there is no such file. The
    /// file is read every time; it is parsed again only if its contents
    /// differ from the last parse of that path in this process.
    fn read(&mut self, path: &Path) -> Result<Option<Manifest>, String> {
        // Stamped before it is read: a change in between makes the stamp
        // stale, never the contents.
        self.stamps.push((path.to_path_buf(), stamp(path)));
        let Some(bytes) = manifest::read_bytes(path)? else { return Ok(None) };
        let mut parsed = PARSED.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, _, manifest)) = parsed.iter().find(|(p, b, _)| p == path && *b == bytes) {
            return Ok(Some(manifest.clone()));
        }
        let manifest = Manifest::parse(path, &bytes)?;
        parsed.retain(|(p, _, _)| p != path);
        parsed.push((path.to_path_buf(), bytes, manifest.clone()));
        Ok(Some(manifest))
    }
}

fn find(inputs: &Lookup, reader: &mut Reader) -> Result<Found, Vec<String>> {
    let found = manifest::find(inputs, &mut |path| reader.read(path))?;
    let var_applies = found.var_applies();
    match found.policy {
        Some(policy) => Ok(Found { policy, var_applies, files: found.files }),
        None => Err(vec![no_policy(inputs, found.own_policy, &found.files)]),
    }
}

fn no_policy(inputs: &Lookup, own_policy: bool, files: &[PathBuf]) -> String {
    let looked = if files.is_empty() {
        match inputs.package.as_deref().and_then(Path::parent) {
            Some(dir) => format!("there is no Cargo.toml in CARGO_MANIFEST_DIR ({}) or above it", dir.display()),
            None => format!("neither CARGO_MANIFEST_DIR nor {POLICY_MANIFEST_VAR} is set, so no manifest was read"),
        }
    } else {
        let list = files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", ");
        format!("looked in {list} (and every directory above for a Cargo.toml); none sets `namespace`")
    };
    let ignored = if own_policy && inputs.policy_manifest.is_some() {
        format!("; {POLICY_MANIFEST_VAR} is not used because the crate's own manifest has a [package.metadata.metrics]")
    } else {
        String::new()
    };
    format!(
        "no metrics policy found for this crate: the metric names need a `namespace`\n\
         = note: {looked}{ignored}\n\
         = help: add `[package.metadata.metrics]` with `namespace = \"...\"` to the crate's Cargo.toml (or \
         `[workspace.metadata.metrics]` to the workspace's, for every crate), or `namespace = \"\"` for names \
         without a prefix; a build that does not compile the crate from its Cargo workspace (Bazel, Buck, \
         trybuild with the target dir elsewhere) sets {POLICY_MANIFEST_VAR} to the manifest that holds the policy"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A lookup that compares the stamps every time.
    fn find_now(inputs: Lookup) -> Result<Found, Vec<String>> {
        cached_find(inputs, Duration::ZERO)
    }

    /// A tree of manifests under the target dir, removed on drop. The walk is
    /// bounded to it, so the repository's own manifests above are not read.
    struct Tree(PathBuf);

    impl Tree {
        fn new(name: &str) -> Tree {
            // The test binary is `<target>/<profile>/deps/<name>`.
            let exe = std::env::current_exe().unwrap();
            let target = exe.ancestors().nth(3).unwrap();
            let root = target.join("tmp").join(format!("metrics-policy-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&root);
            std::fs::create_dir_all(&root).unwrap();
            Tree(root)
        }

        /// Writes `dir/Cargo.toml` and returns its directory.
        fn manifest(&self, dir: &str, text: &str) -> PathBuf {
            let dir = self.0.join(dir);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("Cargo.toml"), text).unwrap();
            dir
        }

        fn inputs(&self, manifest_dir: Option<&Path>, policy_manifest: Option<&str>) -> Lookup {
            Lookup {
                package: manifest_dir.map(|dir| dir.join("Cargo.toml")),
                policy_manifest: policy_manifest.map(OsString::from),
                cwd: Some(self.0.clone()),
                top: Some(self.0.clone()),
            }
        }
    }

    impl Drop for Tree {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    const PACKAGE: &str = "[package]\nname = \"app\"\n";
    const WORKSPACE: &str = "[workspace]\n[workspace.metadata.metrics]\nnamespace = \"trc\"\nmax_series = 500\n";

    fn only(errors: Vec<String>) -> String {
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors.into_iter().next().unwrap()
    }

    #[test]
    fn the_package_table_applies_over_the_nearest_workspace_table_above() {
        let tree = Tree::new("override");
        tree.manifest(".", WORKSPACE);
        let app = tree.manifest("app", &format!("{PACKAGE}[package.metadata.metrics]\nnamespace = \"api_\"\n"));
        let found = find_now(tree.inputs(Some(&app), None)).unwrap();
        assert_eq!((found.policy.namespace.as_str(), found.policy.max_series), ("api", 500));
        assert_eq!(found.files, [app.join("Cargo.toml"), tree.0.join("Cargo.toml")]);
    }

    #[test]
    fn the_walk_goes_past_a_workspace_without_a_policy() {
        // A trybuild crate: its own `[workspace]`, no metadata, deep under a
        // target dir inside the workspace that has the policy.
        let tree = Tree::new("past");
        tree.manifest(".", WORKSPACE);
        tree.manifest("target/tests", "[workspace]\nmembers = []\n");
        let case = tree.manifest("target/tests/trybuild/case", &format!("{PACKAGE}[workspace]\n"));
        let found = find_now(tree.inputs(Some(&case), None)).unwrap();
        assert_eq!(found.policy.namespace, "trc");
        assert_eq!(found.files.len(), 3, "{:?}", found.files);
    }

    #[test]
    fn an_empty_namespace_is_a_policy() {
        let tree = Tree::new("empty");
        tree.manifest(".", WORKSPACE);
        let app = tree.manifest("app", &format!("{PACKAGE}[package.metadata.metrics]\nnamespace = \"\"\n"));
        let found = find_now(tree.inputs(Some(&app), None)).unwrap();
        assert_eq!(found.policy, Policy { max_series: 500, ..Policy::default() });
    }

    #[test]
    fn no_namespace_anywhere_is_an_error_that_says_where_it_looked_and_what_to_do() {
        let tree = Tree::new("none");
        tree.manifest(".", "[workspace]\nmembers = [\"app\"]\n");
        let app = tree.manifest("app", &format!("{PACKAGE}[package.metadata.metrics]\nmax_series = 50\n"));
        let error = only(find_now(tree.inputs(Some(&app), None)).unwrap_err());
        let (own, root) = (app.join("Cargo.toml"), tree.0.join("Cargo.toml"));
        assert!(error.starts_with("no metrics policy found for this crate"), "{error}");
        assert!(error.contains(&format!("looked in {}, {} ", own.display(), root.display())), "{error}");
        for advice in ["[package.metadata.metrics]", "namespace = \"\"", "METRICS_POLICY_MANIFEST"] {
            assert!(error.contains(advice), "{error}");
        }
        assert!(!error.contains("is not used"), "{error}");
    }

    #[test]
    fn no_manifest_at_all_is_an_error_that_says_so() {
        let tree = Tree::new("nothing");
        let error = only(find_now(tree.inputs(None, None)).unwrap_err());
        assert!(error.contains("neither CARGO_MANIFEST_DIR nor METRICS_POLICY_MANIFEST is set"), "{error}");

        let empty = tree.0.join("src");
        std::fs::create_dir_all(&empty).unwrap();
        let error = only(find_now(tree.inputs(Some(&empty), None)).unwrap_err());
        assert!(error.contains(&format!("there is no Cargo.toml in CARGO_MANIFEST_DIR ({})", empty.display())));
    }

    #[test]
    fn the_variable_stands_in_for_a_crate_without_a_policy_of_its_own() {
        let tree = Tree::new("var");
        tree.manifest("repo", WORKSPACE);
        let tests = tree
            .manifest("repo/tests", &format!("{PACKAGE}[package.metadata.metrics]\nforbidden_labels = [\"tenant\"]\n"));
        // The crate being compiled lives elsewhere, with no policy above it.
        let case = tree.manifest("elsewhere/case", PACKAGE);
        // Relative to the working directory (here the tree's root).
        let found = find_now(tree.inputs(Some(&case), Some("repo/tests/Cargo.toml"))).unwrap();
        assert_eq!(found.policy.namespace, "trc");
        assert_eq!(found.policy.forbidden_labels, ["tenant"]);
        assert!(found.var_applies);
        let own = case.join("Cargo.toml");
        assert_eq!(found.files, [own, tests.join("Cargo.toml"), tree.0.join("repo/Cargo.toml")]);

        // Without a manifest dir (a build outside Cargo), and absolute.
        let absolute = tests.join("Cargo.toml");
        let found = find_now(tree.inputs(None, Some(absolute.to_str().unwrap()))).unwrap();
        assert_eq!(found.policy.forbidden_labels, ["tenant"]);
    }

    #[test]
    fn the_variable_never_changes_a_crate_that_states_its_own_policy() {
        let tree = Tree::new("own");
        tree.manifest("other", "[package]\nname = \"o\"\n[package.metadata.metrics]\nnamespace = \"other\"\n");
        let dep = tree.manifest("dep", "[package]\nname = \"dep\"\n[package.metadata.metrics]\nnamespace = \"dep\"\n");
        let found = find_now(tree.inputs(Some(&dep), Some("other/Cargo.toml"))).unwrap();
        assert_eq!(found.policy.namespace, "dep");
        assert_eq!(found.files, [dep.join("Cargo.toml")]);
        assert!(!found.var_applies);

        // Its own table without a namespace: the error says the variable
        // was not used, and why.
        let partial = tree.manifest("partial", "[package]\nname = \"p\"\n[package.metadata.metrics]\nmax_series = 5\n");
        let error = only(find_now(tree.inputs(Some(&partial), Some("other/Cargo.toml"))).unwrap_err());
        assert!(error.contains("METRICS_POLICY_MANIFEST is not used because the crate's own manifest has"), "{error}");
    }

    #[test]
    fn a_variable_naming_a_missing_file_is_an_error() {
        let tree = Tree::new("missing");
        tree.manifest(".", WORKSPACE);
        let app = tree.manifest("app", PACKAGE);
        let error = only(find_now(tree.inputs(Some(&app), Some("nope/Cargo.toml"))).unwrap_err());
        assert!(
            error.starts_with(&format!(
                "cannot read the metrics policy: METRICS_POLICY_MANIFEST is `nope/Cargo.toml`, but there is no {}",
                tree.0.join("nope/Cargo.toml").display()
            )),
            "{error}"
        );
    }

    #[test]
    fn a_variable_naming_a_malformed_file_is_an_error_naming_it() {
        let tree = Tree::new("malformed");
        let bad = tree.manifest("bad", "[package\n");
        let app = tree.manifest("app", PACKAGE);
        let error = only(find_now(tree.inputs(Some(&app), Some("bad/Cargo.toml"))).unwrap_err());
        let expected =
            format!("cannot read the metrics policy: {} is not valid TOML: ", bad.join("Cargo.toml").display());
        assert!(error.starts_with(&expected), "{error}");

        // A directory where the manifest should be is reported, not skipped.
        std::fs::create_dir_all(tree.0.join("dir/Cargo.toml")).unwrap();
        let error = only(find_now(tree.inputs(Some(&app), Some("dir/Cargo.toml"))).unwrap_err());
        assert!(error.starts_with("cannot read the metrics policy: cannot read "), "{error}");
    }

    #[test]
    fn bad_keys_are_reported_with_file_and_key() {
        let tree = Tree::new("keys");
        tree.manifest(".", WORKSPACE);
        let app = tree.manifest("app", &format!("{PACKAGE}[package.metadata.metrics]\nnamespce = \"api\"\n"));
        let error = only(find_now(tree.inputs(Some(&app), None)).unwrap_err());
        let file = app.join("Cargo.toml");
        let expected = format!(
            "metrics policy: `namespce` in [package.metadata.metrics] of {} is not a policy key",
            file.display()
        );
        assert!(error.starts_with(&expected), "{error}");
    }

    #[test]
    fn the_tracking_names_every_file_and_the_variable_where_it_applies() {
        // Paths of this test alone: what a crate has tracked is kept for
        // the process, which runs every test.
        let files = vec![PathBuf::from("/repo/app/Cargo.toml"), PathBuf::from("/repo/Cargo.toml")];
        let found = Found { policy: Policy::default(), files, var_applies: true };
        let tokens = tracking(&found).to_string();
        assert_eq!(tokens.matches("include_bytes !").count(), 2, "{tokens}");
        assert!(tokens.contains("\"/repo/app/Cargo.toml\"") && tokens.contains("\"/repo/Cargo.toml\""), "{tokens}");
        assert!(tokens.contains("option_env ! (\"METRICS_POLICY_MANIFEST\")"), "{tokens}");

        let files = vec![PathBuf::from("/own/app/Cargo.toml"), PathBuf::from("/own/Cargo.toml")];
        let own = Found { policy: Policy::default(), files, var_applies: false };
        let tokens = tracking(&own).to_string();
        assert_eq!(tokens.matches("include_bytes !").count(), 2, "{tokens}");
        assert!(!tokens.contains("option_env"), "{tokens}");
    }

    #[test]
    fn each_file_is_tracked_once_per_crate() {
        let first = track_file("/once/a/Cargo.toml").to_string();
        assert!(first.contains("include_bytes ! (\"/once/a/Cargo.toml\")"), "{first}");
        // The next expansion of the same crate adds only what is new.
        assert!(track_file("/once/a/Cargo.toml").is_empty());
        let other = track_file("/once/b/Cargo.toml").to_string();
        assert!(other.contains("include_bytes ! (\"/once/b/Cargo.toml\")"), "{other}");
    }

    #[test]
    fn a_manifest_is_parsed_again_when_its_contents_change() {
        let tree = Tree::new("reparse");
        let app = tree.manifest("app", &format!("{PACKAGE}[package.metadata.metrics]\nnamespace = \"one\"\n"));
        let found = find_now(tree.inputs(Some(&app), None)).unwrap();
        assert_eq!(found.policy.namespace, "one");
        tree.manifest("app", &format!("{PACKAGE}[package.metadata.metrics]\nnamespace = \"two\"\n"));
        let found = find_now(tree.inputs(Some(&app), None)).unwrap();
        assert_eq!(found.policy.namespace, "two");
    }

    #[test]
    fn a_settled_lookup_is_reused_until_a_file_it_read_changes() {
        let tree = Tree::new("settled");
        let policy = |namespace: &str| format!("{PACKAGE}[package.metadata.metrics]\nnamespace = \"{namespace}\"\n");
        let app = tree.manifest("app", &policy("one"));
        let file = app.join("Cargo.toml");
        let set_modified = |time| std::fs::File::options().write(true).open(&file).unwrap().set_modified(time).unwrap();
        let old = SystemTime::now() - Duration::from_secs(60);
        set_modified(old);
        assert_eq!(find_now(tree.inputs(Some(&app), None)).unwrap().policy.namespace, "one");
        // Same length and modification time: the lookup is reused, the file
        // not read (so an edit that keeps both is not seen: what a stamp is).
        tree.manifest("app", &policy("two"));
        set_modified(old);
        assert_eq!(find_now(tree.inputs(Some(&app), None)).unwrap().policy.namespace, "one");
        // Another modification time: read again.
        set_modified(old + Duration::from_secs(1));
        assert_eq!(find_now(tree.inputs(Some(&app), None)).unwrap().policy.namespace, "two");
        // A file modified just now is read every time.
        tree.manifest("app", &policy("six"));
        assert_eq!(find_now(tree.inputs(Some(&app), None)).unwrap().policy.namespace, "six");
        tree.manifest("app", &policy("ten"));
        assert_eq!(find_now(tree.inputs(Some(&app), None)).unwrap().policy.namespace, "ten");
    }

    #[test]
    fn a_lookup_checked_within_the_recheck_time_is_reused_without_a_look() {
        let tree = Tree::new("recheck");
        let policy = |namespace: &str| format!("{PACKAGE}[package.metadata.metrics]\nnamespace = \"{namespace}\"\n");
        let app = tree.manifest("app", &policy("one"));
        let hour = Duration::from_secs(3600);
        assert_eq!(cached_find(tree.inputs(Some(&app), None), hour).unwrap().policy.namespace, "one");
        // Changed (and modified just now), but checked within the hour: not
        // looked at, and the hour not extended by the reuse.
        let checked =
            || FOUND.lock().unwrap().iter().find(|l| l.inputs == tree.inputs(Some(&app), None)).unwrap().checked;
        let first = checked();
        tree.manifest("app", &policy("two"));
        assert_eq!(cached_find(tree.inputs(Some(&app), None), hour).unwrap().policy.namespace, "one");
        assert_eq!(checked(), first);
        // Past the recheck time, the stamps are compared and the file read.
        assert_eq!(cached_find(tree.inputs(Some(&app), None), Duration::ZERO).unwrap().policy.namespace, "two");
    }
}
