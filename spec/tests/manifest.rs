//! The policy read from manifest texts: the merge of the package table over
//! the workspace table, one error per bad key naming file and key, and no
//! panic on any input.

use std::path::Path;

use metricate_spec::Policy;
use metricate_spec::manifest::{Manifest, policy, policy_from_manifests};

const APP: &str = "/repo/app/Cargo.toml";
const ROOT: &str = "/repo/Cargo.toml";

fn parse(path: &str, text: &str) -> Manifest {
    Manifest::parse(Path::new(path), text.as_bytes()).unwrap()
}

fn package(table: &str) -> Manifest {
    parse(APP, &format!("[package]\nname = \"app\"\n[package.metadata.metrics]\n{table}"))
}

fn workspace(table: &str) -> Manifest {
    parse(ROOT, &format!("[workspace]\nmembers = [\"app\"]\n[workspace.metadata.metrics]\n{table}"))
}

fn at(key: &str, section: &str, file: &str) -> String {
    format!("metrics policy: `{key}` in [{section}] of {file}")
}

#[test]
fn the_package_table_overrides_the_workspace_table_key_by_key() {
    let found = policy(
        Some(&package("namespace = \"api_\"\nforbidden_labels = [\"tenant\"]\n")),
        Some(&workspace("namespace = \"trc\"\nmax_series = 500\nforbidden_labels = [\"region\", \"tenant\"]\n")),
    );
    let expected = Policy {
        namespace: "api".into(),
        forbidden_labels: vec!["region".into(), "tenant".into()],
        max_series: 500,
        ..Policy::default()
    };
    assert_eq!(found, Ok(Some(expected)));
}

#[test]
fn the_rustdoc_catalogue_is_relative_to_the_manifest_that_names_it() {
    let of = |package_table: &str| {
        policy(
            Some(&package(package_table)),
            Some(&workspace("namespace = \"trc\"\nrustdoc_catalog = \"docs/m.json\"\n")),
        )
        .unwrap()
        .unwrap()
        .rustdoc_catalog
    };
    assert_eq!(of(""), Some("/repo/docs/m.json".into()));
    assert_eq!(of("rustdoc_catalog = \"METRICS.json\"\n"), Some("/repo/app/METRICS.json".into()));
    assert_eq!(of("rustdoc_catalog = \"/abs/m.json\"\n"), Some("/abs/m.json".into()));
    for bad in ["rustdoc_catalog = \"\"\n", "rustdoc_catalog = 1\n"] {
        let errors = policy(Some(&package(&format!("namespace = \"trc\"\n{bad}"))), None).unwrap_err();
        let expected = format!(
            "{} must be the path of a JSON catalogue, relative to the manifest, e.g. `rustdoc_catalog = \"METRICS.json\"`",
            at("rustdoc_catalog", "package.metadata.metrics", APP)
        );
        assert_eq!(errors, [expected], "{bad}");
    }
}

#[test]
fn the_workspace_alone_gives_the_policy() {
    let found = policy(Some(&parse(APP, "[package]\nname = \"app\"\n")), Some(&workspace("namespace = \"trc\"\n")));
    assert_eq!(found, Ok(Some(Policy { namespace: "trc".into(), ..Policy::default() })));
    assert_eq!(policy(None, Some(&workspace("namespace = \"trc\"\n"))).unwrap().unwrap().namespace, "trc");
}

#[test]
fn only_the_package_table_of_the_package_and_the_workspace_table_of_the_workspace_are_read() {
    let app = parse(
        APP,
        "[package]\nname = \"app\"\n[package.metadata.metrics]\nmax_labels = 3\n\
         [workspace.metadata.metrics]\nnamespace = \"wrong\"\n",
    );
    let root = parse(
        ROOT,
        "[package]\nname = \"root\"\n[package.metadata.metrics]\nnamespace = \"wrong\"\n\
         [workspace.metadata.metrics]\nnamespace = \"trc\"\n",
    );
    let found = policy(Some(&app), Some(&root)).unwrap().unwrap();
    assert_eq!((found.namespace.as_str(), found.max_labels), ("trc", 3));
}

#[test]
fn an_empty_namespace_is_an_explicit_policy_without_a_prefix() {
    let found = policy(Some(&package("namespace = \"\"\n")), Some(&workspace("namespace = \"trc\"\n")));
    assert_eq!(found, Ok(Some(Policy::default())));
    assert_eq!(Policy::default().full_name("http", "requests_total"), "http_requests_total");
}

#[test]
fn without_a_namespace_there_is_no_policy() {
    let bare = parse(APP, "[package]\nname = \"app\"\n");
    assert_eq!(policy(None, None), Ok(None));
    assert_eq!(policy(Some(&bare), None), Ok(None));
    // Tables that set other keys are still not a policy.
    assert_eq!(
        policy(Some(&package("forbidden_labels = [\"tenant\"]\n")), Some(&workspace("max_series = 9\n"))),
        Ok(None)
    );
    // A namespace in a table that does not apply does not count.
    let misplaced = parse(APP, "[package]\nname = \"app\"\n[workspace.metadata.metrics]\nnamespace = \"trc\"\n");
    assert_eq!(policy(Some(&misplaced), None), Ok(None));
}

#[test]
fn the_manifest_says_which_tables_it_has() {
    let app = package("namespace = \"api\"\n");
    assert!(app.has_package_policy() && !app.has_workspace_policy());
    let root = workspace("");
    assert!(root.has_workspace_policy() && !root.has_package_policy());
    let bare = parse(ROOT, "[workspace]\n[workspace.metadata.other]\nx = 1\n");
    assert!(!bare.has_workspace_policy() && !bare.has_package_policy());
    assert_eq!(bare.path(), Path::new(ROOT));
}

#[test]
fn every_bad_key_and_value_is_reported_with_file_and_key() {
    let errors = policy(
        Some(&package(
            "namespce = \"trc\"\nnamespace = \"Trc\"\nmax_labels = 12\nmax_series = -1\nforbidden_labels = \"tenant\"\n\
             series_ceiling = \"many\"\n",
        )),
        Some(&workspace("namespace = 7\n")),
    )
    .unwrap_err();
    let pkg = |key: &str| at(key, "package.metadata.metrics", APP);
    assert_eq!(
        errors,
        [
            format!(
                "{} must be a string, e.g. `namespace = \"trc\"`",
                at("namespace", "workspace.metadata.metrics", ROOT)
            ),
            format!("{} must be an array of strings, e.g. `[\"tenant\"]`", pkg("forbidden_labels")),
            format!(
                "{} must be an integer from 1 to 10 (rule L5 allows at most 10 labels; a policy may only lower it)",
                pkg("max_labels")
            ),
            format!("{} must be a positive integer", pkg("max_series")),
            format!(
                "{} is `Trc`: a namespace is snake_case, `[a-z][a-z0-9_]*`, e.g. `trc`, or `\"\"` for names without a \
                 prefix",
                pkg("namespace")
            ),
            format!(
                "{} is not a policy key; expected one of `namespace`, `forbidden_labels`, `max_labels`, \
                 `max_series`, `series_ceiling`, `rustdoc_catalog`",
                pkg("namespce")
            ),
            format!("{} must be a positive integer", pkg("series_ceiling")),
        ]
    );
}

#[test]
fn a_forbidden_label_that_is_not_a_label_name_is_an_error() {
    let errors = policy(Some(&package("namespace = \"trc\"\nforbidden_labels = [\"ok\", \"Not-A-Label\"]\n")), None)
        .unwrap_err();
    assert_eq!(
        errors,
        [format!(
            "{} lists `Not-A-Label`, which is not a label name (`[a-z][a-z0-9_]*`)",
            at("forbidden_labels", "package.metadata.metrics", APP)
        )]
    );
}

#[test]
fn namespaces_and_forbidden_labels_follow_the_rules_grammar_of_names() {
    // N1's and L1's grammar: no `__` inside, no leading `_` (one trailing `_`
    // of a namespace is dropped).
    let errors =
        policy(Some(&package("namespace = \"a__b\"\nforbidden_labels = [\"_x\", \"x__y\"]\n")), None).unwrap_err();
    assert_eq!(errors.len(), 3, "{errors:?}");
    // (In the order of the keys.)
    assert!(errors[0].contains("lists `_x`, which is not a label name"), "{errors:?}");
    assert!(errors[1].contains("lists `x__y`, which is not a label name"), "{errors:?}");
    assert!(errors[2].contains("is `a__b`: a namespace is snake_case"), "{errors:?}");
    let found = policy(Some(&package("namespace = \"trc_\"\nforbidden_labels = [\"client_ip2\"]\n")), None);
    assert_eq!(found.unwrap().unwrap().namespace, "trc");
}

#[test]
fn max_series_above_the_ceiling_is_one_error_at_the_table_that_set_the_last_limit() {
    let errors =
        policy(Some(&package("series_ceiling = 2000\n")), Some(&workspace("namespace = \"trc\"\nmax_series = 5000\n")))
            .unwrap_err();
    assert_eq!(
        errors,
        [format!(
            "metrics policy: `max_series` (5000) is above `series_ceiling` (2000) in [package.metadata.metrics] of {APP}"
        )]
    );
    // A package table that lowers the limit back under the ceiling is valid.
    let fixed = policy(
        Some(&package("max_series = 1500\nseries_ceiling = 2000\n")),
        Some(&workspace("namespace = \"trc\"\nmax_series = 5000\n")),
    );
    assert_eq!(fixed.unwrap().unwrap().max_series, 1500);
}

#[test]
fn a_metrics_entry_that_is_not_a_table_is_an_error() {
    let app = parse(APP, "[package]\nname = \"app\"\nmetadata = { metrics = \"trc\" }\n");
    assert!(app.has_package_policy());
    let errors = policy(Some(&app), Some(&workspace("namespace = \"trc\"\n"))).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert!(errors[0].starts_with(&format!("metrics policy: [package.metadata.metrics] of {APP} must be a table")));
}

#[test]
fn a_manifest_that_is_not_toml_or_not_utf8_is_named() {
    let error = Manifest::parse(Path::new(APP), b"[package\n").unwrap_err();
    assert!(error.starts_with(&format!("cannot read the metrics policy: {APP} is not valid TOML: ")), "{error}");
    let error = Manifest::parse(Path::new(APP), b"[package]\nname = \"\xff\"\n").unwrap_err();
    assert!(error.starts_with(&format!("cannot read the metrics policy: {APP} is not UTF-8: ")), "{error}");

    // Both manifests broken: both reported.
    let errors =
        policy_from_manifests(Some((Path::new(APP), b"[package\n")), Some((Path::new(ROOT), b"= 1\n"))).unwrap_err();
    assert_eq!(errors.len(), 2);
    assert!(errors[0].contains(APP) && errors[1].contains(ROOT), "{errors:?}");
}

/// The property a fuzz target checks, on a deterministic corpus: any bytes
/// give a policy, no policy, or errors that each name one of the two files;
/// never a panic or a stack overflow.
#[test]
fn any_bytes_give_a_result_that_names_the_file() {
    let deep = |open: &str, close: &str| format!("a = {}1{}", open.repeat(50_000), close.repeat(50_000));
    let mut corpus: Vec<Vec<u8>> = vec![
        Vec::new(),
        deep("[", "]").into_bytes(),
        deep("{ b = ", " }").into_bytes(),
        "[package.metadata.metrics]\n".repeat(2).into_bytes(),
        b"[package]\nmetadata = [1]\n".to_vec(),
        b"[package.metadata.metrics]\nmax_series = 99999999999999999999\n".to_vec(),
        b"[package.metadata.metrics]\nmax_labels = 0\nnamespace = \"_\"\n".to_vec(),
        b"[package.metadata.metrics]\nforbidden_labels = [[], {}, 1.5, \"\"]\n".to_vec(),
        format!("{}[package.metadata.metrics]\nnamespace = \"trc\"\n", "# x\n".repeat(10_000)).into_bytes(),
    ];
    // Byte-level mutations of a valid manifest, from a fixed xorshift seed.
    let valid = b"[package]\nname = \"app\"\n[package.metadata.metrics]\nnamespace = \"trc\"\nmax_series = 500\n\
                  forbidden_labels = [\"tenant\"]\n[workspace.metadata.metrics]\nseries_ceiling = 9000\n";
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..2000 {
        let mut bytes = valid.to_vec();
        for _ in 0..=next() % 4 {
            let i = (next() % bytes.len() as u64) as usize;
            match next() % 3 {
                0 => bytes[i] = next() as u8,
                1 => {
                    bytes.remove(i);
                }
                _ => {
                    let alphabet = b"[]{}=\"\n,._";
                    bytes.insert(i, alphabet[(next() % alphabet.len() as u64) as usize]);
                }
            }
        }
        corpus.push(bytes);
    }

    let (mut some, mut none, mut errs) = (0, 0, 0);
    for bytes in &corpus {
        for workspace in [None, Some((Path::new(ROOT), bytes.as_slice()))] {
            match policy_from_manifests(Some((Path::new(APP), bytes)), workspace) {
                Ok(Some(policy)) => {
                    assert!(policy.max_series <= policy.series_ceiling, "{policy:?}");
                    assert!((1..=metricate_spec::DEFAULT_MAX_LABELS).contains(&policy.max_labels), "{policy:?}");
                    some += 1;
                }
                Ok(None) => none += 1,
                Err(errors) => {
                    assert!(!errors.is_empty());
                    for error in &errors {
                        assert!(error.contains(APP) || error.contains(ROOT), "{error}");
                    }
                    errs += 1;
                }
            }
        }
    }
    // The corpus reaches all three outcomes.
    assert!(some > 0 && none > 0 && errs > 0, "{some} policies, {none} none, {errs} errors");
}
