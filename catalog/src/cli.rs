//! The `catalog` command (feature `cli`): renders, diffs and checks metric
//! catalogues. The binary calls [`run`]; tests call it in-process.
//!
//! ```
//! let args: Vec<String> =
//!     ["diff", "tests/golden/diff-old.json", "tests/golden/diff-old.json"].map(String::from).to_vec();
//! let (mut out, mut err) = (Vec::new(), Vec::new());
//! assert_eq!(metricate_catalog::cli::run(&args, &mut out, &mut err), metricate_catalog::cli::CLEAN);
//! assert_eq!(String::from_utf8(out).unwrap(), "no changes\n");
//! ```
//!
//! ```text
//! catalog render --from URL|FILE --format markdown|json|html|semconv [--out FILE]
//! catalog rules --from URL|FILE [--out FILE [--tests FILE]] [--runbook-url URL]
//! catalog diff OLD.json NEW.json [--format text|json]
//! catalog check [--catalog FILE] [--manifest PATH] [--namespace NS]... [--openmetrics] [--max-series N] [--format text|json] URL|FILE
//! catalog dashboard --from URL|FILE --out DIR [--title TEXT] [--uid-prefix PREFIX]
//! ```
//!
//! Every URL is fetched with a connect timeout (`--connect-timeout`, 5 s) and
//! a timeout for the whole response (`--timeout`, 30 s), so a server that
//! never answers, or answers a byte at a time, ends the command with status 2
//! instead of hanging it; a body may be at most 1 GiB.
//!
//! Exit status: 0 when clean, 1 when `check` finds violations or `diff` finds
//! a change its declared versions do not cover, 2 for bad usage or input that
//! cannot be read or parsed.

use std::io::{Read, Write};
use std::path::Path;

use crate::Policy;
use crate::check::{Finding, Options, check_text};
use crate::diff::diff;
use crate::exposition::{self, Format};
use crate::json::Catalog;
use crate::manifest::{self, Lookup, POLICY_MANIFEST_VAR};

/// Exit status: clean.
pub const CLEAN: u8 = 0;
/// Exit status: violations found, or a change not covered by the versions.
pub const VIOLATIONS: u8 = 1;
/// Exit status: bad usage, or input that cannot be read or parsed.
pub const BAD_INPUT: u8 = 2;

/// The command's help text.
pub const USAGE: &str = "\
Usage:
  catalog render --from URL|FILE --format markdown|json|html|semconv [--out FILE]
  catalog rules --from URL|FILE [--out FILE [--tests FILE]] [--runbook-url URL]
  catalog diff OLD.json NEW.json [--format text|json]
  catalog check [--catalog FILE] [--manifest PATH] [--namespace NS]... [--openmetrics]
                [--max-series N] [--format text|json] URL|FILE
  catalog dashboard --from URL|FILE --out DIR [--title TEXT] [--uid-prefix PREFIX]

render  writes the catalogue of a running service (its /catalog.json) or a saved
        catalogue file as Markdown, JSON, a self-contained HTML page, or OpenTelemetry
        semantic conventions (semconv: the registry YAML OpenTelemetry Weaver reads).
rules   writes the Prometheus rule file of a catalogue: the recording rules its alerts and
        dashboards read and the alerts declared with #[alert(..)]; --tests also writes unit
        tests of every alert for `promtool test rules` (next to --out, which they load).
        --runbook-url is where the catalogue page is (default METRICS.md): each alert
        links to its runbook there.
diff    lists the changes between two catalogues with the semver bump each needs,
        and exits 1 when a metric's declared versions do not cover its changes.
check   lints a Prometheus text or OpenMetrics exposition (a URL or a file; `-` reads
        stdin) with the naming and label rules (N2 only with --namespace, which the
        runtime's own metrics_export_ families always pass), the series limit
        (--max-series), and, with --catalog, the catalogue's families, types and label
        values. The policy is the one the derives read for the crate whose manifest is
        --manifest (a Cargo.toml, or its directory; METRICS_POLICY_MANIFEST applies as
        for them): its forbidden_labels, max_labels and max_series (unless
        --max-series). Without --manifest: the nearest Cargo.toml at or above the
        working directory, or the default policy where there is none or it and the
        manifests above it set none. The format is detected from the content type or
        a final `# EOF`; --openmetrics forces strict OpenMetrics.
dashboard
        writes Grafana dashboards of a catalogue into DIR (creating it): an overview,
        one per subsystem and one of the metrics without a subsystem, each file named
        after its uid (PREFIX-SUBSYSTEM.json; PREFIX defaults to metricate), titled
        TEXT: SUBSYSTEM (TEXT defaults to Metrics). Prints each file written.

Every command that reads a URL also takes:
  --connect-timeout SECONDS   to connect [default: 5]
  --timeout SECONDS           for the whole response, headers and body [default: 30]

Exit status: 0 clean, 1 violations, 2 bad usage or unreadable input.
";

/// The most a fetched body may hold.
const MAX_BODY: u64 = 1 << 30;

/// The options every command that fetches takes.
const NET_FLAGS: [&str; 2] = ["--connect-timeout", "--timeout"];

/// How long a fetch may take.
#[derive(Clone, Copy, Debug)]
struct Net {
    connect: std::time::Duration,
    total: std::time::Duration,
}

impl Net {
    fn from_args(args: &Args) -> Result<Net, Usage> {
        let seconds = |flag: &str, default: u64| -> Result<std::time::Duration, Usage> {
            match args.one(flag)? {
                None => Ok(std::time::Duration::from_secs(default)),
                Some(text) => text
                    .parse::<f64>()
                    .ok()
                    .filter(|s| s.is_finite() && *s > 0.0 && *s <= 86_400.0)
                    .map(std::time::Duration::from_secs_f64)
                    .ok_or_else(|| Usage(format!("`{flag}` takes a number of seconds up to 86400, not `{text}`"))),
            }
        };
        Ok(Net { connect: seconds("--connect-timeout", 5)?, total: seconds("--timeout", 30)? })
    }
}

/// A failure that ends the command with status 2.
struct Usage(String);

impl<E: std::fmt::Display> From<E> for Usage {
    fn from(error: E) -> Usage {
        Usage(error.to_string())
    }
}

/// Runs the command line `args` (without the program name), writing to `out`
/// and `err`; returns the exit status.
pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let result = match args.first().map(String::as_str) {
        Some("render") => render(&args[1..], out),
        Some("rules") => rules_command(&args[1..], out),
        Some("diff") => diff_command(&args[1..], out),
        Some("check") => check_command(&args[1..], out, err),
        Some("dashboard") => dashboard_command(&args[1..], out),
        Some("-h" | "--help" | "help") => write!(out, "{USAGE}").map(|()| CLEAN).map_err(Usage::from),
        Some(other) => Err(Usage(format!("unknown command `{other}`"))),
        None => Err(Usage("no command given".to_owned())),
    };
    result.unwrap_or_else(|Usage(message)| {
        let _ = writeln!(err, "catalog: {message}\n\n{USAGE}");
        BAD_INPUT
    })
}

/// The command line after the command: flags with values, repeated flags,
/// switches and positional arguments.
struct Args {
    flags: Vec<(String, String)>,
    switches: Vec<String>,
    positional: Vec<String>,
}

impl Args {
    fn parse(args: &[String], with_value: &[&str], switches: &[&str]) -> Result<Args, Usage> {
        let mut parsed = Args { flags: Vec::new(), switches: Vec::new(), positional: Vec::new() };
        let mut iter = args.iter();
        while let Some(arg) = iter.next() {
            if let Some((flag, value)) = arg.split_once('=').filter(|(f, _)| f.starts_with("--")) {
                if !with_value.contains(&flag) {
                    return Err(Usage(format!("unknown option `{flag}`")));
                }
                parsed.flags.push((flag.to_owned(), value.to_owned()));
            } else if with_value.contains(&arg.as_str()) {
                let value = iter.next().ok_or_else(|| Usage(format!("`{arg}` needs a value")))?;
                parsed.flags.push((arg.clone(), value.clone()));
            } else if switches.contains(&arg.as_str()) {
                parsed.switches.push(arg.clone());
            } else if arg.starts_with("--") {
                return Err(Usage(format!("unknown option `{arg}`")));
            } else {
                parsed.positional.push(arg.clone());
            }
        }
        Ok(parsed)
    }

    fn one(&self, flag: &str) -> Result<Option<&str>, Usage> {
        let mut values = self.flags.iter().filter(|(f, _)| f == flag).map(|(_, v)| v.as_str());
        let first = values.next();
        if values.next().is_some() {
            return Err(Usage(format!("`{flag}` given twice")));
        }
        Ok(first)
    }

    fn all(&self, flag: &str) -> Vec<String> {
        self.flags.iter().filter(|(f, _)| f == flag).map(|(_, v)| v.clone()).collect()
    }

    fn format(&self) -> Result<bool, Usage> {
        match self.one("--format")? {
            None | Some("text") => Ok(false),
            Some("json") => Ok(true),
            Some(other) => Err(Usage(format!("unknown output format `{other}`: expected `text` or `json`"))),
        }
    }
}

/// What a source gave: its text and, for a URL, the content type.
struct Fetched {
    text: String,
    content_type: Option<String>,
}

/// Reads a URL (`http://`), `-` (stdin) or a file.
fn fetch(source: &str, accept: &str, net: Net) -> Result<Fetched, Usage> {
    if source.starts_with("http://") || source.starts_with("https://") {
        let agent = ureq::Agent::config_builder()
            .timeout_connect(Some(net.connect))
            .timeout_global(Some(net.total))
            .build()
            .new_agent();
        let mut response = agent
            .get(source)
            .header("Accept", accept)
            .call()
            .map_err(|e| Usage(format!("cannot fetch {source}: {e}")))?;
        let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let text = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_string()
            .map_err(|e| Usage(format!("cannot read {source}: {e}")))?;
        Ok(Fetched { text, content_type })
    } else if source == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| Usage(format!("cannot read stdin: {e}")))?;
        Ok(Fetched { text, content_type: None })
    } else {
        let text = std::fs::read_to_string(source).map_err(|e| Usage(format!("cannot read {source}: {e}")))?;
        Ok(Fetched { text, content_type: None })
    }
}

fn load_catalog(source: &str, net: Net) -> Result<Catalog, Usage> {
    let fetched = fetch(source, "application/json", net)?;
    Catalog::from_json(&fetched.text).map_err(|e| Usage(format!("{source}: {e}")))
}

fn render(args: &[String], out: &mut dyn Write) -> Result<u8, Usage> {
    let args = Args::parse(args, &["--from", "--format", "--out", NET_FLAGS[0], NET_FLAGS[1]], &[])?;
    let net = Net::from_args(&args)?;
    if let Some(extra) = args.positional.first() {
        return Err(Usage(format!("unexpected argument `{extra}`")));
    }
    let from = args.one("--from")?.ok_or_else(|| Usage("`render` needs `--from URL|FILE`".to_owned()))?;
    let format = args.one("--format")?.ok_or_else(|| Usage("`render` needs `--format`".to_owned()))?;
    let catalog = load_catalog(from, net)?;
    let text = match format {
        "markdown" | "md" => crate::render::markdown(&catalog),
        "json" => catalog.to_json(),
        "html" => crate::render::html(&catalog),
        "semconv" => crate::render::semconv(&catalog),
        other => return Err(Usage(format!("unknown format `{other}`: expected markdown, json, html or semconv"))),
    };
    match args.one("--out")? {
        Some(path) => std::fs::write(path, text).map_err(|e| Usage(format!("cannot write {path}: {e}")))?,
        None => write!(out, "{text}")?,
    }
    Ok(CLEAN)
}

fn rules_command(args: &[String], out: &mut dyn Write) -> Result<u8, Usage> {
    let args = Args::parse(args, &["--from", "--out", "--tests", "--runbook-url", NET_FLAGS[0], NET_FLAGS[1]], &[])?;
    let net = Net::from_args(&args)?;
    if let Some(extra) = args.positional.first() {
        return Err(Usage(format!("unexpected argument `{extra}`")));
    }
    let from = args.one("--from")?.ok_or_else(|| Usage("`rules` needs `--from URL|FILE`".to_owned()))?;
    let mut options = crate::alerting::Options::default();
    if let Some(url) = args.one("--runbook-url")? {
        url.clone_into(&mut options.runbook_url);
    }
    let catalog = load_catalog(from, net)?;
    let rules = crate::alerting::rule_file(&catalog, &options).map_err(|e| Usage(format!("{from}: {e}")))?;
    let rule_path = args.one("--out")?;
    let tests = match (args.one("--tests")?, rule_path) {
        (Some(_), None) => return Err(Usage("`--tests` needs `--out`: the tests load the rule file".to_owned())),
        (Some(path), Some(rule_path)) => {
            // The tests name the rule file relative to themselves.
            let rule_path = std::path::Path::new(rule_path);
            let tests_dir = std::path::Path::new(path).parent().unwrap_or(std::path::Path::new(""));
            let relative = match rule_path.strip_prefix(tests_dir) {
                Ok(relative) if !tests_dir.as_os_str().is_empty() => relative,
                _ => rule_path,
            };
            let name = relative.to_str().ok_or_else(|| Usage("`--out` is not UTF-8".to_owned()))?;
            Some((path, crate::alerting::rule_tests(&catalog, &options, name).map_err(|e| Usage(e.to_string()))?))
        }
        (None, _) => None,
    };
    match rule_path {
        Some(path) => std::fs::write(path, rules).map_err(|e| Usage(format!("cannot write {path}: {e}")))?,
        None => write!(out, "{rules}")?,
    }
    if let Some((path, text)) = tests {
        std::fs::write(path, text).map_err(|e| Usage(format!("cannot write {path}: {e}")))?;
    }
    Ok(CLEAN)
}

fn diff_command(args: &[String], out: &mut dyn Write) -> Result<u8, Usage> {
    let args = Args::parse(args, &["--format", NET_FLAGS[0], NET_FLAGS[1]], &[])?;
    let net = Net::from_args(&args)?;
    let json = args.format()?;
    let [old, new] = args.positional.as_slice() else {
        return Err(Usage("`diff` needs two catalogue files: OLD.json NEW.json".to_owned()));
    };
    let (old, new) = (load_catalog(old, net)?, load_catalog(new, net)?);
    let result = diff(&old, &new);
    if json {
        let changes: Vec<serde_json::Value> = result
            .changes
            .iter()
            .map(|c| {
                serde_json::json!({
                    "metric": c.metric, "change": c.kind.as_str(), "bump": c.bump.as_str(), "detail": c.detail,
                })
            })
            .collect();
        let problems: Vec<serde_json::Value> = result
            .problems
            .iter()
            .map(|p| {
                serde_json::json!({
                    "metric": p.metric, "old": p.old, "new": p.new, "needed": p.needed.as_str(),
                    "declared": p.declared.map(crate::version::Bump::as_str), "message": p.to_string(),
                })
            })
            .collect();
        let document = serde_json::json!({ "bump": result.bump().as_str(), "changes": changes, "problems": problems });
        writeln!(out, "{}", serde_json::to_string_pretty(&document)?)?;
    } else {
        if result.changes.is_empty() {
            writeln!(out, "no changes")?;
        }
        for change in &result.changes {
            writeln!(out, "{change}")?;
        }
        if !result.changes.is_empty() {
            writeln!(out, "\nthe catalogue needs a {} bump", result.bump())?;
        }
        for problem in &result.problems {
            writeln!(out, "error: {problem}")?;
        }
    }
    Ok(if result.is_ok() { CLEAN } else { VIOLATIONS })
}

fn check_command(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, Usage> {
    let flags = ["--catalog", "--manifest", "--namespace", "--format", "--max-series", NET_FLAGS[0], NET_FLAGS[1]];
    let args = Args::parse(args, &flags, &["--openmetrics"])?;
    let net = Net::from_args(&args)?;
    let json = args.format()?;
    let [source] = args.positional.as_slice() else {
        return Err(Usage("`check` needs one exposition: a URL, a file, or `-` for stdin".to_owned()));
    };
    let policy = check_policy(args.one("--manifest")?)?;
    let mut options =
        Options { namespaces: args.all("--namespace"), max_series: policy.max_series, policy, ..Options::default() };
    if let Some(max) = args.one("--max-series")? {
        options.max_series = max.parse().map_err(|_| Usage(format!("`--max-series` takes a number, not `{max}`")))?;
    }
    if let Some(catalog) = args.one("--catalog")? {
        options.catalog = Some(load_catalog(catalog, net)?);
    }
    let fetched = fetch(source, "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5", net)?;
    let format = if args.switches.iter().any(|s| s == "--openmetrics") {
        Format::OpenMetrics
    } else {
        exposition::detect(fetched.content_type.as_deref(), &fetched.text)
    };
    let report = match check_text(&fetched.text, format, &options) {
        Ok(report) => report,
        Err(error) => {
            let kind = match format {
                Format::Prometheus => "Prometheus text",
                Format::OpenMetrics => "OpenMetrics",
            };
            if json {
                let document = serde_json::json!({
                    "error": { "line": error.line, "column": error.column, "message": error.message, "format": kind },
                });
                writeln!(out, "{}", serde_json::to_string_pretty(&document)?)?;
            } else {
                writeln!(err, "{source}:{}:{}: not valid {kind}: {}", error.line, error.column, error.message)?;
            }
            return Ok(BAD_INPUT);
        }
    };
    let (families, findings) = (report.families, report.findings);
    if json {
        let list: Vec<serde_json::Value> = findings.iter().map(finding_json).collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&serde_json::json!({ "findings": list }))?)?;
    } else {
        for finding in &findings {
            writeln!(out, "{source}:{finding}")?;
        }
        match findings.len() {
            0 => writeln!(out, "{source}: {families} families, no violations")?,
            n => writeln!(out, "{source}: {families} families, {n} violation(s)")?,
        }
    }
    Ok(if findings.is_empty() { CLEAN } else { VIOLATIONS })
}

/// The policy `check` applies: that of the crate whose manifest is
/// `--manifest` (a file, or the directory that holds its `Cargo.toml`),
/// looked up as the derives look it up; without `--manifest`, that of the
/// nearest `Cargo.toml` at or above the working directory, or the default
/// policy where there is none or it and the manifests above it set none (an
/// exposition need not come from a crate). A manifest that cannot be read,
/// or sets a bad key, is an error either way.
fn check_policy(explicit: Option<&str>) -> Result<Policy, Usage> {
    let cwd = std::env::current_dir().ok();
    let package = match explicit {
        Some(path) => {
            let path = Path::new(path);
            let file = if path.is_dir() { path.join("Cargo.toml") } else { path.to_path_buf() };
            if !file.is_file() {
                return Err(Usage(format!("`--manifest`: there is no manifest at {}", file.display())));
            }
            file
        }
        None => {
            match cwd.as_deref().and_then(|dir| dir.ancestors().map(|d| d.join("Cargo.toml")).find(|f| f.is_file())) {
                Some(file) => file,
                None => return Ok(Policy::default()),
            }
        }
    };
    let lookup = Lookup {
        package: Some(package.clone()),
        policy_manifest: std::env::var_os(POLICY_MANIFEST_VAR).filter(|v| !v.is_empty()),
        cwd,
        top: None,
    };
    let found = manifest::find(&lookup, &mut manifest::read).map_err(|errors| Usage(errors.join("\n")))?;
    match (found.policy, explicit) {
        (Some(policy), _) => Ok(policy),
        (None, None) => Ok(Policy::default()),
        (None, Some(_)) => {
            let read: Vec<String> = found.files.iter().map(|f| f.display().to_string()).collect();
            Err(Usage(format!(
                "`--manifest`: no metrics policy for {}: none of {} sets `namespace` in a \
                 [package.metadata.metrics] or [workspace.metadata.metrics]",
                package.display(),
                read.join(", ")
            )))
        }
    }
}

fn finding_json(finding: &Finding) -> serde_json::Value {
    serde_json::json!({
        "rule": finding.rule, "family": finding.family, "line": finding.line,
        "message": finding.message, "note": finding.note, "help": finding.help,
    })
}

fn dashboard_command(args: &[String], out: &mut dyn Write) -> Result<u8, Usage> {
    let flags = ["--from", "--out", "--title", "--uid-prefix", NET_FLAGS[0], NET_FLAGS[1]];
    let args = Args::parse(args, &flags, &[])?;
    let net = Net::from_args(&args)?;
    if let Some(extra) = args.positional.first() {
        return Err(Usage(format!("unexpected argument `{extra}`")));
    }
    let from = args.one("--from")?.ok_or_else(|| Usage("`dashboard` needs `--from URL|FILE`".to_owned()))?;
    let dir = args.one("--out")?.ok_or_else(|| Usage("`dashboard` needs `--out DIR`".to_owned()))?;
    let mut options = crate::dashboard::Options::default();
    if let Some(prefix) = args.one("--uid-prefix")? {
        let valid = prefix.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if prefix.is_empty() || prefix.len() > 24 || !valid {
            return Err(Usage(format!("`--uid-prefix` takes 1 to 24 letters, digits, `-` or `_`, not `{prefix}`")));
        }
        prefix.clone_into(&mut options.uid_prefix);
    }
    if let Some(title) = args.one("--title")? {
        title.clone_into(&mut options.title);
    }
    let catalog = load_catalog(from, net)?;
    let dashboards = crate::dashboard::dashboards(&catalog, &options);
    std::fs::create_dir_all(dir).map_err(|e| Usage(format!("cannot create {dir}: {e}")))?;
    for dashboard in &dashboards {
        let path = std::path::Path::new(dir).join(&dashboard.file_name);
        std::fs::write(&path, &dashboard.json).map_err(|e| Usage(format!("cannot write {}: {e}", path.display())))?;
        writeln!(out, "{}", path.display())?;
    }
    Ok(CLEAN)
}
