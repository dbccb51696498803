#!/usr/bin/env python3
"""Compile-time cost of `#[derive(Metrics)]`, `#[derive(LabelValue)]` and
`#[derive(LabelSet)]` for the crates that use them, next to the same metrics
written by hand and declared with three peer libraries. Run through `run.sh`.

Generates these Cargo projects under `generated/` (each with a `[workspace]`
table of its own, sharing the target directory `target/` next to this file),
all with the same workload: STRUCTS modules `sNN`, each with two label enums
`Op` (read, write, delete, list) and `Outcome` (ok, client_error,
server_error, timeout, cancelled), a label set `Request {op, outcome}` and a
struct `SNN` of 5 metrics `gen_sNN_requests_total`, `gen_sNN_errors_total`,
`gen_sNN_retries_total` (counters labeled by `Request`), `gen_sNN_queue_depth`
(an integer gauge) and `gen_sNN_request_duration_seconds` (a histogram with
the 11 default bounds 0.005..10):

- `with-macros`  (crate A): declared with this framework's derives; doc
  comments are help text.
- `hand-written` (crate B): the same metrics without any proc macro: manual
  `impl LabelValue` / `impl LabelSet` / `impl MetricGroup`, `static` cells and
  descriptors, link-time registration through `inventory::submit!` (a
  `macro_rules!` macro), reached through `metricate::__private`.
- `prometheus`: `prometheus` + `prometheus-static-metric`:
  `make_static_metric!` per module (the label enums and the labeled counter
  type), a struct of the static-metric / `IntGauge` / `Histogram` fields and a
  hand-written `register(&Registry)` creating and registering each metric.
- `measured`: `#[derive(FixedCardinalityLabel)]` enums, a
  `#[derive(LabelGroup)]` label set, a `#[derive(MetricGroup)]` struct with
  `#[metric(new())]`, doc comments as help and `#[metric(rename = ..)]` names.
- `prometheus-client`: `#[derive(EncodeLabelValue)]` enums,
  `#[derive(EncodeLabelSet)]` label set, a struct of `Family` / `Gauge` /
  `Histogram` fields and a hand-written `register(&mut Registry)`.
- `with-macros-before` (only with BASELINE_ROOT, "A-before"): crate A's
  source built against `$BASELINE_ROOT/metrics-runtime`, another checkout of
  this repository (e.g. a `git worktree` at an older commit): the derives at
  two commits, in one run.
- `plain`: crate A with the derive attributes removed. It does not compile;
  it is only expanded, to tell the lines the derives generate from the lines
  the user wrote (for A and A-before alike: it does not depend on the
  runtime's version).

The peers' versions are those of `benchmarks/Cargo.toml` (pinned with `=`),
their lockfiles copies of `benchmarks/Cargo.lock`; each peer crate also has a
`register_all` that registers every module. Before measuring, small binaries
(`generated/verify-*`) check that B exposes exactly what A does and that each
peer exposes the same 5 × STRUCTS families as A: names, help texts, types,
label names and values, histogram bounds.

Then measures, the crates interleaved within each of REPS repetitions (min
and median): each crate's own clean build in debug and release, the debug
rebuild and the `cargo check` after one help text changes (SHORT_REPS times
each per repetition: a build of under a second needs more repetitions than
one of seconds for its minimum to settle), `-Ztime-passes`
(`macro_expand_crate`, `total`, ...) of a clean debug build, and (once) the
non-empty lines of `-Zunpretty=expanded` and `-Zmacro-stats` (A, A-before);
writes `results.md`.

Environment: STRUCTS (default 100), REPS (default 3), SHORT_REPS (default 3),
BASELINE_ROOT (unset).
"""

import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
GEN = HERE / "generated"
TARGET = HERE / "target"
STRUCTS = int(os.environ.get("STRUCTS", "100"))
REPS = int(os.environ.get("REPS", "3"))
SHORT_REPS = int(os.environ.get("SHORT_REPS", "3"))
BASELINE = Path(os.environ["BASELINE_ROOT"]).resolve() if os.environ.get("BASELINE_ROOT") else None

# Acceptance targets (checked on the minimum of the repetitions).
TARGET_DEBUG_VS_B = 1.25  # A's clean debug build ≤ 1.25 × B's, and ≤ the fastest peer's
TARGET_REBUILD_VS_B = 1.2  # A's help-text rebuild ≤ 1.2 × B's, and ≤ the fastest peer's
TARGET_MACRO_EXPAND = 0.143  # s, A's `macro_expand_crate`
TARGET_DERIVE_LINES = 200  # lines the derives generate per module

A, A0, B, PLAIN = "with-macros", "with-macros-before", "hand-written", "plain"
PROM, MEAS, CLIENT = "prometheus", "measured", "prometheus-client"
PEERS = (PROM, MEAS, CLIENT)
PACKAGE = {A: "ct-with-macros", A0: "ct-with-macros-before", B: "ct-hand-written", PLAIN: "ct-plain",
           PROM: "ct-prometheus", MEAS: "ct-measured", CLIENT: "ct-prometheus-client"}
TITLE = {A: "A: this framework", A0: "A-before (BASELINE_ROOT)", B: "B: hand-written",
         PROM: "prometheus + static-metric", MEAS: "measured", CLIENT: "prometheus-client"}
# The crates measured, in table order.
KINDS = (A, A0, B, *PEERS) if BASELINE else (A, B, *PEERS)
# Their dependencies, as in benchmarks/Cargo.toml.
PEER_DEPS = {PROM: ("prometheus", "prometheus-static-metric"), MEAS: ("measured",), CLIENT: ("prometheus-client",)}

# The help text edited for the rebuild measurement (present once per crate;
# prometheus-client's registry appends the period itself).
EDITED_PREFIX = "Requests handled by subsystem s{:02}".format(STRUCTS // 2)
EDITED_HELP = EDITED_PREFIX + "."

DEFAULT_BUCKETS = "0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0"

OPS = ["Read", "Write", "Delete", "List"]
OUTCOMES = ["Ok", "ClientError", "ServerError", "Timeout", "Cancelled"]


def log(message):
    print(message, file=sys.stderr, flush=True)


def snake(name):
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


# ---------------------------------------------------------------------------
# Generation.

def baseline_runtime():
    """(folder, package name, lib name) of the runtime at BASELINE_ROOT."""
    for folder in ("metrics-runtime", "metricate"):
        path = BASELINE / folder
        if (path / "Cargo.toml").exists():
            break
    else:
        raise SystemExit(f"BASELINE_ROOT={BASELINE}: no metrics-runtime/Cargo.toml there")
    data = tomllib.loads((path / "Cargo.toml").read_text())
    package = data["package"]["name"]
    return path, package, data.get("lib", {}).get("name", package.replace("-", "_"))


def peer_dependencies(kind):
    """The peer's dependency lines, versions and features as in benchmarks/Cargo.toml."""
    deps = tomllib.loads((ROOT / "benchmarks" / "Cargo.toml").read_text())["dependencies"]
    lines = []
    for name in PEER_DEPS[kind]:
        spec = deps[name]
        if isinstance(spec, str):
            spec = {"version": spec}
        if not spec["version"].startswith("="):
            raise SystemExit(f"benchmarks/Cargo.toml: {name} is not pinned with `=`")
        parts = [f'version = "{spec["version"]}"']
        if "default-features" in spec:
            parts.append(f'default-features = {str(spec["default-features"]).lower()}')
        if spec.get("features"):
            parts.append("features = [" + ", ".join(f'"{f}"' for f in spec["features"]) + "]")
        lines.append(f"{name} = {{ {', '.join(parts)} }}")
    return "\n".join(lines)


def manifest(kind):
    if kind in PEERS:
        deps, metadata = peer_dependencies(kind), ""
    else:
        if kind == A0:
            path, package, _ = baseline_runtime()
        else:
            path, package = ROOT / "metrics-runtime", "metricate"
        deps = f'{package} = {{ path = "{os.path.relpath(path, GEN / kind)}" }}'
        metadata = '\n[package.metadata.metrics]\nnamespace = "gen"\n'
    return f"""\
# Generated by benchmarks/compile-time/bench.py; do not edit.
[package]
name = "{PACKAGE[kind]}"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
{deps}
{metadata}
# A project of its own, not a member of any enclosing workspace.
[workspace]
"""


def helps(nn):
    """(field, type, help text) of the 5 metrics of struct `nn`."""
    return [
        ("requests_total", "Family<Request, Counter>", f"Requests handled by subsystem s{nn}."),
        ("errors_total", "Family<Request, Counter>", f"Requests of subsystem s{nn} that failed."),
        ("retries_total", "Family<Request, Counter>", f"Requests of subsystem s{nn} that were retried."),
        ("queue_depth", "IntGauge", f"Requests waiting in the queue of subsystem s{nn}."),
        ("request_duration_seconds", "Histogram", f"Time subsystem s{nn} spent handling a request."),
    ]


def enum_source(name, doc, variants, derives, attrs=""):
    body = "".join(f"        {v},\n" for v in variants)
    return f"""\
    /// {doc}
{attrs}    #[derive({derives})]
    pub enum {name} {{
{body}    }}
"""


def request_source(*attrs):
    """The label set `Request {op, outcome}` under these attributes."""
    attrs = "".join(f"    {a}\n" for a in attrs)
    return f"""\
    /// The labels of a request.
{attrs}    pub struct Request {{
        pub op: Op,
        pub outcome: Outcome,
    }}
"""


def struct_with_macros(i, derives=True):
    """One module of crate A (or, without `derives`, of the plain crate)."""
    nn = f"{i:02}"
    value_derive = "Clone, Copy, LabelValue" if derives else "Clone, Copy"
    set_derive = "Clone, Copy, LabelSet" if derives else "Clone, Copy"
    metrics_attrs = f'    #[derive(Metrics)]\n    #[metrics(subsystem = "s{nn}")]\n' if derives else ""
    fields = "".join(f"        /// {h}\n        pub {f}: {t},\n" for f, t, h in helps(nn))
    return f"""\
pub mod s{nn} {{
    use metricate::{{Counter, Family, Histogram, IntGauge, LabelSet, LabelValue, Metrics}};

{enum_source("Op", "The operation a request performs.", OPS, value_derive)}
{enum_source("Outcome", "How a request ended.", OUTCOMES, value_derive)}
{request_source(f"#[derive({set_derive})]")}
    /// The metrics of subsystem s{nn}.
{metrics_attrs}    pub struct S{nn} {{
{fields}    }}
}}
"""


def label_value_impl(name, variants):
    values = ", ".join(f'"{snake(v)}"' for v in variants)
    return f"""\
    impl LabelValue for {name} {{
        const CARDINALITY: usize = {len(variants)};
        const VALUES: &'static [&'static str] = &[{values}];
        // No value needs escaping.
        const ESCAPED: &'static [&'static str] = Self::VALUES;

        #[inline]
        fn index(&self) -> usize {{
            *self as usize
        }}
    }}
"""


def struct_hand_written(i):
    """One module of crate B: what the three derives give, written by hand."""
    nn = f"{i:02}"
    metrics = helps(nn)
    fields = "".join(f"        pub {f}: {t},\n" for f, t, _ in metrics)
    cells = []
    descriptors = []
    from_static = []
    from_heap = []
    visits = []
    for field, ty, help_text in metrics:
        upper = field.upper()
        if ty.startswith("Family"):
            cells.append(f"    static {upper}_CELLS: [Counter; Request::CARDINALITY] = "
                         f"[const {{ Counter::new() }}; Request::CARDINALITY];\n")
            kind, labels, buckets, unit = "Counter", "Request::LABELS", "&[]", "None"
            from_static.append(f"{field}: Family::__from_static(&{upper}_CELLS, &[])")
            from_heap.append(f"{field}: MetricField::new_heap(&[])")
        elif ty == "IntGauge":
            kind, labels, buckets, unit = "Gauge", "&[]", "&[]", "None"
            from_static.append(f"{field}: IntGauge::new()")
            from_heap.append(f"{field}: IntGauge::new()")
        else:
            cells.append(f"    static {upper}_CELLS: [AtomicU64; HISTOGRAM_CELLS] = "
                         f"[const {{ AtomicU64::new(0) }}; HISTOGRAM_CELLS];\n")
            kind, labels, buckets, unit = "Histogram", "&[]", "&BUCKETS", 'Some("seconds")'
            from_static.append(f"{field}: Histogram::__from_static(&{upper}_CELLS, &BUCKETS)")
            from_heap.append(f"{field}: MetricField::new_heap(&BUCKETS)")
        descriptors.append(f"""\
    /// `gen_s{nn}_{field}`.
    pub static {upper}: Descriptor = Descriptor {{
        name: "gen_s{nn}_{field}",
        help: "{help_text}",
        kind: MetricKind::{kind},
        unit: {unit},
        labels: {labels},
        buckets: {buckets},
        subsystem: "s{nn}",
        version: "1.0.0",
        deprecation: None,
        quiet: false,
        source: Source {{ file: file!(), line: line!(), column: column!(), module_path: module_path!(), function: None }},
        summary: None,
        exemplars: false,
        created: false,
        alerts: &[],
    }};
""")
        visits.append(f"            f(&{upper}, &self.{field});\n")
    sep = ",\n            "
    return f"""\
pub mod s{nn} {{
    use std::sync::atomic::AtomicU64;

    use metricate::__private::{{Entry, inventory}};
    use metricate::{{
        Collect, Counter, Descriptor, Family, Histogram, IntGauge, Label, LabelSet, LabelValue, MetricField,
        MetricGroup, MetricKind, Source,
    }};

{enum_source("Op", "The operation a request performs.", OPS, "Clone, Copy")}
{label_value_impl("Op", OPS)}
{enum_source("Outcome", "How a request ended.", OUTCOMES, "Clone, Copy")}
{label_value_impl("Outcome", OUTCOMES)}
{request_source("#[derive(Clone, Copy)]")}
    impl LabelSet for Request {{
        const CARDINALITY: usize = Op::CARDINALITY * Outcome::CARDINALITY;
        const LABELS: &'static [Label] = &[
            Label::new("op", Op::VALUES, Op::ESCAPED, false, None),
            Label::new("outcome", Outcome::VALUES, Outcome::ESCAPED, false, None),
        ];

        #[inline]
        fn index(&self) -> usize {{
            self.op.index() * Outcome::CARDINALITY + self.outcome.index()
        }}
    }}

    /// The metrics of subsystem s{nn}.
    pub struct S{nn} {{
{fields}    }}

    static BUCKETS: [f64; 11] = [{DEFAULT_BUCKETS}];
    const HISTOGRAM_CELLS: usize = <Histogram as MetricField>::CELLS.len(BUCKETS.len());
{"".join(cells)}
{"".join(descriptors)}
    static GLOBAL: S{nn} = S{nn} {{
            {sep.join(from_static)},
    }};

    inventory::submit! {{ Entry::new(&GLOBAL) }}

    impl S{nn} {{
        /// The registered instance.
        #[inline]
        pub fn global() -> &'static S{nn} {{
            &GLOBAL
        }}

        /// An unregistered instance, cells on the heap: for tests. `#[inline]`
        /// as the derive's is: compiled where it is used, not in this crate.
        #[inline]
        pub fn new_unregistered() -> S{nn} {{
            S{nn} {{
            {sep.join(from_heap)},
            }}
        }}
    }}

    impl MetricGroup for S{nn} {{
        fn for_each_metric<'a>(&'a self, f: &mut dyn FnMut(&'static Descriptor, &'a dyn Collect)) {{
{"".join(visits)}        }}
    }}
}}
"""


def struct_prometheus(i):
    """One module of the `prometheus` + `prometheus-static-metric` crate."""
    nn = f"{i:02}"
    fields, creates, inits = [], [], []
    for field, ty, help_text in helps(nn):
        name = f"gen_s{nn}_{field}"
        if ty.startswith("Family"):
            fields.append(f"        pub {field}: Requests,\n")
            creates.append(f'        let {field} = IntCounterVec::new(Opts::new("{name}", "{help_text}"), '
                           '&["op", "outcome"])?;\n')
            inits.append(f"{field}: Requests::from(&{field})")
        elif ty == "IntGauge":
            fields.append(f"        pub {field}: IntGauge,\n")
            creates.append(f'        let {field} = IntGauge::new("{name}", "{help_text}")?;\n')
            inits.append(field)
        else:
            fields.append(f"        pub {field}: Histogram,\n")
            creates.append(f"        let {field} = Histogram::with_opts(\n"
                           f'            HistogramOpts::new("{name}", "{help_text}").buckets(vec![{DEFAULT_BUCKETS}]),\n'
                           "        )?;\n")
            inits.append(field)
        creates.append(f"        registry.register(Box::new({field}.clone()))?;\n")
    ops = "".join(f"            {snake(v)},\n" for v in OPS)
    outcomes = "".join(f"            {snake(v)},\n" for v in OUTCOMES)
    return f"""\
pub mod s{nn} {{
    use prometheus::{{Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, Opts, Registry}};
    use prometheus_static_metric::make_static_metric;

    make_static_metric! {{
        pub label_enum Op {{
{ops}        }}

        pub label_enum Outcome {{
{outcomes}        }}

        pub struct Requests: IntCounter {{
            "op" => Op,
            "outcome" => Outcome,
        }}
    }}

    /// The metrics of subsystem s{nn}.
    pub struct S{nn} {{
{"".join(fields)}    }}

    /// Creates the metrics of subsystem s{nn} and registers them.
    pub fn register(registry: &Registry) -> prometheus::Result<S{nn}> {{
{"".join(creates)}        Ok(S{nn} {{ {", ".join(inits)} }})
    }}
}}
"""


def struct_measured(i):
    """One module of the `measured` crate."""
    nn = f"{i:02}"
    fields = []
    for field, ty, help_text in helps(nn):
        name = f"gen_s{nn}_{field}"
        if ty.startswith("Family"):
            attr, rust_type = f'#[metric(rename = "{name}")]', "CounterVec<RequestSet>"
        elif ty == "IntGauge":
            attr, rust_type = f'#[metric(rename = "{name}")]', "Gauge"
        else:
            attr = f'#[metric(rename = "{name}", metadata = Thresholds::with_buckets([{DEFAULT_BUCKETS}]))]'
            rust_type = "Histogram<11>"
        fields.append(f"        /// {help_text}\n        {attr}\n        pub {field}: {rust_type},\n")
    derives = "Clone, Copy, FixedCardinalityLabel"
    return f"""\
pub mod s{nn} {{
    use measured::metric::histogram::Thresholds;
    use measured::{{CounterVec, FixedCardinalityLabel, Gauge, Histogram, LabelGroup, MetricGroup}};

{enum_source("Op", "The operation a request performs.", OPS, derives)}
{enum_source("Outcome", "How a request ended.", OUTCOMES, derives)}
{request_source("#[derive(Clone, Copy, LabelGroup)]", "#[label(set = RequestSet)]")}
    /// The metrics of subsystem s{nn}.
    #[derive(MetricGroup)]
    #[metric(new())]
    pub struct S{nn} {{
{"".join(fields)}    }}
}}
"""


def struct_client(i):
    """One module of the `prometheus-client` crate."""
    nn = f"{i:02}"
    fields, inits, registers = [], [], []
    for field, ty, help_text in helps(nn):
        # The registry appends the period to the help text, and `_total` to a
        # counter's name.
        help_text = help_text.removesuffix(".")
        if ty.startswith("Family"):
            rust_type, init = "Family<Request, Counter>", "Family::default()"
            registers.append(f'        registry.register("gen_s{nn}_{field.removesuffix("_total")}", '
                             f'"{help_text}", metrics.{field}.clone());\n')
        elif ty == "IntGauge":
            rust_type, init = "Gauge", "Gauge::default()"
            registers.append(f'        registry.register("gen_s{nn}_{field}", "{help_text}", metrics.{field}.clone());\n')
        else:
            rust_type, init = "Histogram", f"Histogram::new([{DEFAULT_BUCKETS}])"
            registers.append(f'        registry.register_with_unit("gen_s{nn}_{field.removesuffix("_seconds")}", '
                             f'"{help_text}", Unit::Seconds, metrics.{field}.clone());\n')
        fields.append(f"        pub {field}: {rust_type},\n")
        inits.append(f"            {field}: {init},\n")
    derives = "Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue"
    allow = "    #[allow(non_camel_case_types)]\n"
    return f"""\
pub mod s{nn} {{
    use prometheus_client::encoding::{{EncodeLabelSet, EncodeLabelValue}};
    use prometheus_client::metrics::counter::Counter;
    use prometheus_client::metrics::family::Family;
    use prometheus_client::metrics::gauge::Gauge;
    use prometheus_client::metrics::histogram::Histogram;
    use prometheus_client::registry::{{Registry, Unit}};

{enum_source("Op", "The operation a request performs.", [snake(v) for v in OPS], derives, allow)}
{enum_source("Outcome", "How a request ended.", [snake(v) for v in OUTCOMES], derives, allow)}
{request_source("#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]")}
    /// The metrics of subsystem s{nn}.
    pub struct S{nn} {{
{"".join(fields)}    }}

    /// Creates the metrics of subsystem s{nn} and registers them.
    pub fn register(registry: &mut Registry) -> S{nn} {{
        let metrics = S{nn} {{
{"".join(inits)}        }};
{"".join(registers)}        metrics
    }}
}}
"""


def register_all(kind):
    """The peer crate's `register_all`, after its modules (outside them, so
    not in the lines per module)."""
    mods = [f"s{i:02}" for i in range(STRUCTS)]
    if kind == MEAS:
        fields = "".join(f"    #[metric(flatten)]\n    pub {m}: {m}::{m.upper()},\n" for m in mods)
        inits = "".join(f"        {m}: {m}::{m.upper()}::new(),\n" for m in mods)
        return f"""
/// Every module's metrics: one group to encode.
#[derive(measured::MetricGroup)]
pub struct All {{
{fields}}}

/// Creates every module's metrics (`measured` has no registry).
pub fn register_all() -> All {{
    All {{
{inits}    }}
}}
"""
    fields = "".join(f"    pub {m}: {m}::{m.upper()},\n" for m in mods)
    if kind == PROM:
        inits = "".join(f"        {m}: {m}::register(registry)?,\n" for m in mods)
        signature, result, end = "registry: &prometheus::Registry", "prometheus::Result<All>", ("Ok(", ")")
    else:
        inits = "".join(f"        {m}: {m}::register(registry),\n" for m in mods)
        signature, result, end = "registry: &mut prometheus_client::registry::Registry", "All", ("", "")
    return f"""
/// Every module's metrics.
pub struct All {{
{fields}}}

/// Creates and registers every module's metrics.
pub fn register_all({signature}) -> {result} {{
    {end[0]}All {{
{inits}    }}{end[1]}
}}
"""


HEADER = {
    A: "//! Generated: {n} metric structs declared with `#[derive(Metrics)]`, `LabelValue` and `LabelSet`.\n",
    A0: "//! Generated: crate A, built against the runtime at BASELINE_ROOT.\n",
    B: "//! Generated: the same {n} metric structs, written without proc macros.\n",
    PLAIN: "//! Generated: crate A without its derive attributes; only expanded, never compiled.\n",
    PROM: "//! Generated: the same {n} metric structs with `prometheus` and `make_static_metric!`.\n",
    MEAS: "//! Generated: the same {n} metric structs with `measured`'s derives.\n",
    CLIENT: "//! Generated: the same {n} metric structs with `prometheus-client`.\n",
}


def lib_source(kind):
    tail = ""
    if kind in (A, A0):
        modules = [struct_with_macros(i) for i in range(STRUCTS)]
    elif kind == B:
        modules = [struct_hand_written(i) for i in range(STRUCTS)]
    elif kind == PLAIN:
        modules = [struct_with_macros(i, derives=False) for i in range(STRUCTS)]
    else:
        modules = [{PROM: struct_prometheus, MEAS: struct_measured, CLIENT: struct_client}[kind](i)
                   for i in range(STRUCTS)]
        tail = register_all(kind)
    text = HEADER[kind].format(n=STRUCTS) + "\n" + "\n".join(modules) + tail
    if kind == A0:
        _, _, lib = baseline_runtime()
        text = text.replace("use metricate::", f"use {lib}::")
    return text


def write_if_changed(path, text):
    """Writes `text` unless the file already holds it (keeps mtimes, so a
    rerun does not rebuild what has not changed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def lockfile_origin(kind):
    """The lockfile a project starts from: the same dependency versions as the
    runtime's own builds (the peers': as benchmarks/), nothing to resolve."""
    if kind in PEERS:
        return ROOT / "benchmarks" / "Cargo.lock"
    if kind == A0 and (BASELINE / "Cargo.lock").exists():
        return BASELINE / "Cargo.lock"
    return ROOT / "Cargo.lock"


def copy_lockfile(kind, root):
    """Copies the lockfile once (cargo then prunes it to the project); again
    when its origin changed (another BASELINE_ROOT)."""
    origin = lockfile_origin(kind)
    marker = root / "target-lock-origin"
    stamp = f"{origin}\n{origin.stat().st_mtime_ns}\n"
    if not (root / "Cargo.lock").exists() or not marker.exists() or marker.read_text() != stamp:
        shutil.copyfile(origin, root / "Cargo.lock")
        marker.write_text(stamp)


def generate():
    sources = {}
    for kind in (*KINDS, PLAIN):
        root = GEN / kind
        write_if_changed(root / "Cargo.toml", manifest(kind))
        sources[kind] = lib_source(kind)
        write_if_changed(root / "src" / "lib.rs", sources[kind])
        copy_lockfile(kind, root)
    return sources


# ---------------------------------------------------------------------------
# Running cargo.

def env(bootstrap=False):
    e = dict(os.environ)
    e["CARGO_TERM_COLOR"] = "never"
    e["CARGO_TARGET_DIR"] = str(TARGET)
    if bootstrap:
        e["RUSTC_BOOTSTRAP"] = "1"
    return e


# A failing build of the repository's own crates (someone is editing them: the
# repository is shared) is retried every RETRY_SECONDS, up to RETRIES times.
RETRY_SECONDS, RETRIES = 30, 20


def cargo(kind, *args, bootstrap=False, check=True):
    """Runs cargo in crate `kind` (a folder of `generated/`); returns
    (seconds, completed process)."""
    for retry in range(RETRIES + 1):
        start = time.perf_counter()
        proc = subprocess.run(["cargo", *args], cwd=GEN / kind, env=env(bootstrap), capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        broken = re.search(r"could not compile `(metricate[\w-]*)`", proc.stderr)
        if proc.returncode == 0 or not check or not broken or retry == RETRIES:
            break
        log(f"  cargo {' '.join(args)} in {kind}: `{broken.group(1)}` does not compile (being edited?); "
            f"retrying in {RETRY_SECONDS} s")
        time.sleep(RETRY_SECONDS)
    if check and proc.returncode != 0:
        log(proc.stdout[-4000:])
        log(proc.stderr[-8000:])
        raise SystemExit(f"cargo {' '.join(args)} failed in {kind}")
    return elapsed, proc


def compiled(proc):
    return re.findall(r"^\s*(?:Compiling|Checking) (\S+) v", proc.stderr, re.M)


def timed_build(kind, args, what, prepare):
    """Times `cargo <args>` (`build ..` or `check`) after `prepare(attempt)`;
    redoes it (up to twice) if anything other than the crate itself was
    compiled (e.g. someone edited the runtime meanwhile: the machine and the
    repository are shared)."""
    for attempt in range(3):
        cargo(kind, *args)  # dependencies up to date
        prepare(attempt)
        elapsed, proc = cargo(kind, *args, check=False)
        if proc.returncode != 0:
            if attempt == 2:
                log(proc.stderr[-8000:])
                raise SystemExit(f"{what}: cargo {' '.join(args)} failed")
            log(f"  {what}: failed (a dependency being edited?); redoing")
            continue
        if PACKAGE[kind] not in compiled(proc):
            raise SystemExit(f"{what}: {PACKAGE[kind]} was not rebuilt:\n{proc.stderr}")
        others = [c for c in compiled(proc) if c != PACKAGE[kind]]
        if not others:
            return elapsed
        log(f"  {what}: also compiled {others}; redoing")
    raise SystemExit(f"{what}: dependencies keep changing; no clean measurement")


def measure_clean(kind, release):
    args = ["--release"] if release else []
    # Only the crate itself: its artifacts (incremental state included) go.
    return timed_build(kind, ["build", *args], f"clean {'release' if release else 'debug'} {kind}",
                       lambda _: cargo(kind, "clean", "-p", PACKAGE[kind], *args))


def measure_noop(kind):
    cargo(kind, "build")
    elapsed, _ = cargo(kind, "build")
    return elapsed


def set_help(kind, text):
    """Sets the help text of `gen_sNN_requests_total` (NN = STRUCTS / 2): a
    doc comment (A, measured) or a string literal (B, the others)."""
    if kind == CLIENT:
        text = text.removesuffix(".")  # the registry appends it
    lib = GEN / kind / "src" / "lib.rs"
    source = lib.read_text()
    lines = [line for line in source.splitlines() if EDITED_PREFIX in line]
    assert len(lines) == 1, (kind, lines)
    old = lines[0]
    new = re.sub(re.escape(EDITED_PREFIX) + r'[^"\n]*', lambda _: text, old)
    lib.write_text(source.replace(old, new))


def measure_help_rebuild(kind, tag):
    # A text of the same length each time (`tag` is): only the words change.
    return timed_build(kind, ["build"], f"help-text rebuild {kind}",
                       lambda attempt: set_help(kind, EDITED_PREFIX + f" (edit {tag}{attempt})."))


def measure_help_check(kind, tag):
    return timed_build(kind, ["check"], f"help-text check {kind}",
                       lambda attempt: set_help(kind, EDITED_PREFIX + f" (chck {tag}{attempt})."))


# ---------------------------------------------------------------------------
# B is the same metrics as A: a binary per crate records a few values and
# prints the global registry (OpenMetrics), every descriptor (without its
# source position) and an unregistered instance; the outputs must match.
# The peers: a binary per peer registers every module, creates every labeled
# series and prints the peer's text exposition; its families must be A's.

def verify_main():
    """The verification binary of A and B (modules s07 and s09, or the last)."""
    x, y = (f"s{min(i, STRUCTS - 1):02}" for i in (7, 9))
    return f"""\
// Generated by benchmarks/compile-time/bench.py; do not edit.
use generated::{{{x}}};
use metricate::encode::Format;

fn main() {{
    let {x} = {x}::{x.upper()}::global();
    {x}.requests_total.with({x}::Request {{ op: {x}::Op::List, outcome: {x}::Outcome::Timeout }}).inc_by(3);
    {x}.request_duration_seconds.observe(0.3);
    {x}.queue_depth.set(-2);
    let registry = metricate::global().unwrap();
    let mut out = Vec::new();
    Format::OpenMetrics.encode(registry, &mut out);
    print!("{{}}", String::from_utf8(out).unwrap());
    for registered in registry.iter() {{
        let mut descriptor = *registered.descriptor;
        descriptor.source.file = "";
        descriptor.source.line = 0;
        descriptor.source.column = 0;
        descriptor.source.module_path = "";
        println!("{{descriptor:?}}");
    }}
    let unregistered = generated::{y}::{y.upper()}::new_unregistered();
    unregistered.errors_total.with(generated::{y}::Request {{ op: generated::{y}::Op::Read, outcome: generated::{y}::Outcome::Ok }}).inc();
    let mut local = metricate::Registry::new();
    local.register_group(&unregistered).unwrap();
    let mut out = Vec::new();
    Format::Prometheus.encode(&local, &mut out);
    print!("{{}}", String::from_utf8(out).unwrap());
}}
"""


def touch_macro(ops, outcomes, call):
    """`touch!(all; s00, s01, ..)`: creates every series of every labeled
    counter (`call` increments `$all.$m.<field>` for `request`)."""
    ops = ", ".join(f"generated::$m::Op::{v}" for v in ops)
    outcomes = ", ".join(f"generated::$m::Outcome::{v}" for v in outcomes)
    calls = "".join(f"                    {call.format(field=f)};\n" for f, t, _ in helps("00") if t.startswith("Family"))
    mods = ", ".join(f"s{i:02}" for i in range(STRUCTS))
    return f"""\
    macro_rules! touch {{
        ($all:ident; $($m:ident),*) => {{$(
            for op in [{ops}] {{
                for outcome in [{outcomes}] {{
                    let request = generated::$m::Request {{ op, outcome }};
{calls}                }}
            }}
        )*}};
    }}
    touch!(all; {mods});
"""


def peer_verify_main(kind):
    head = "// Generated by benchmarks/compile-time/bench.py; do not edit.\n"
    if kind == PROM:
        # `Requests::from(&vec)` creates every child.
        return head + """\
use prometheus::Encoder;

fn main() {
    let registry = prometheus::Registry::new();
    let _all = generated::register_all(&registry).unwrap();
    let mut out = Vec::new();
    prometheus::TextEncoder::new().encode(&registry.gather(), &mut out).unwrap();
    print!("{}", String::from_utf8(out).unwrap());
}
"""
    if kind == MEAS:
        touch = touch_macro(OPS, OUTCOMES, "$all.$m.{field}.inc(request)")
        return head + f"""\
use measured::MetricGroup;
use measured::text::BufferedTextEncoder;

fn main() {{
    let all = generated::register_all();
{touch}    let mut encoder = BufferedTextEncoder::new();
    all.collect_group_into(&mut encoder).unwrap();
    print!("{{}}", std::str::from_utf8(&encoder.finish()).unwrap());
}}
"""
    touch = touch_macro([snake(v) for v in OPS], [snake(v) for v in OUTCOMES],
                        "$all.$m.{field}.get_or_create(&request).inc()")
    return head + f"""\
fn main() {{
    let mut registry = prometheus_client::registry::Registry::default();
    let all = generated::register_all(&mut registry);
{touch}    let mut out = String::new();
    prometheus_client::encoding::text::encode(&mut out, &registry).unwrap();
    print!("{{out}}");
}}
"""


def run_verify(kind, deps, main):
    """Builds and runs `generated/verify-<kind>` (depending on the crate
    `kind` as `generated`); returns its output."""
    root = GEN / f"verify-{kind}"
    write_if_changed(root / "Cargo.toml", f"""\
# Generated by benchmarks/compile-time/bench.py; do not edit.
[package]
name = "verify-{kind}"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
{deps}
generated = {{ package = "{PACKAGE[kind]}", path = "../{kind}" }}

[workspace]
""")
    write_if_changed(root / "src" / "main.rs", main)
    copy_lockfile(kind, root)
    _, proc = cargo(f"verify-{kind}", "run", "-q")
    (GEN / f"verify-{kind}.out").write_text(proc.stdout)
    return proc.stdout


def stable(text):
    """The output without the process metrics' values (CPU time, memory,
    start time: they differ from one run to the next)."""
    return re.sub(r"^(process_\w+(?:\{[^}]*\})?) \S+$", r"\1 <varies>", text, flags=re.M)


def verify_b():
    """A's output, after checking that B's is the same."""
    runtime = f'metricate = {{ path = "{os.path.relpath(ROOT / "metrics-runtime", GEN / f"verify-{A}")}" }}'
    outputs = {kind: run_verify(kind, runtime, verify_main()) for kind in (A, B)}
    if stable(outputs[A]) != stable(outputs[B]):
        raise SystemExit(f"crate B does not expose the same metrics as crate A: compare "
                         f"{GEN / 'verify-with-macros.out'} and {GEN / 'verify-hand-written.out'}")
    return outputs[A], outputs[A].count('Descriptor { name: "gen_')


def parse_exposition(text):
    """{family name: {type, help, unit, series, bounds}} of a Prometheus or
    OpenMetrics text (up to `# EOF`). `series`: the label sets of its samples
    (without `le`); `bounds`: the histogram bounds. A counter's family name is
    given `_total` where the format leaves it out (OpenMetrics)."""
    families = {}
    current = None
    for line in text.splitlines():
        if line == "# EOF":
            break
        if not line.strip():
            continue
        if line.startswith("#"):
            m = re.match(r"^# (HELP|TYPE|UNIT) (\S+)(?: (.*))?$", line)
            if m:
                current = m.group(2)
                family = families.setdefault(current, {"type": None, "help": None, "unit": None, "series": set(),
                                                       "bounds": set()})
                value = m.group(3) or ""
                if m.group(1) == "HELP":
                    value = re.sub(r"\\(.)", lambda e: "\n" if e.group(1) == "n" else e.group(1), value)
                family[m.group(1).lower()] = value
            continue
        m = re.match(r"^([A-Za-z_:][\w:]*)(?:\{(.*)\})? \S+", line)
        if not m or current is None or not m.group(1).startswith(current):
            raise SystemExit(f"unexpected sample line (family {current}): {line!r}")
        labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        le = labels.pop("le", None)
        if le is not None:
            families[current]["bounds"].add(float(le))
        families[current]["series"].add(tuple(sorted(labels.items())))
    return {name + ("_total" if f["type"] == "counter" and not name.endswith("_total") else ""): f
            for name, f in families.items()}


def compare_families(expected, actual, kind):
    """Fails unless `actual` has exactly A's `gen_` families: names, help
    texts, types, label names, label values and histogram bounds."""
    expected = {name: f for name, f in expected.items() if name.startswith("gen_")}
    actual = {name: f for name, f in actual.items() if name.startswith("gen_")}
    problems = []
    if len(expected) != 5 * STRUCTS:
        problems.append(f"A exposes {len(expected)} families, not {5 * STRUCTS}")
    missing, extra = sorted(set(expected) - set(actual)), sorted(set(actual) - set(expected))
    if missing:
        problems.append(f"{len(missing)} families missing, e.g. {missing[:3]}")
    if extra:
        problems.append(f"{len(extra)} families A does not have, e.g. {extra[:3]}")
    for name in sorted(set(expected) & set(actual)):
        e, a = expected[name], actual[name]
        for key in ("type", "help", "bounds"):
            if e[key] != a[key]:
                shown = (sorted(a[key]), sorted(e[key])) if key == "bounds" else (a[key], e[key])
                problems.append(f"{name}: {key} {shown[0]!r}, A: {shown[1]!r}")
        names_e = sorted({label for series in e["series"] for label, _ in series})
        names_a = sorted({label for series in a["series"] for label, _ in series})
        if names_e != names_a:
            problems.append(f"{name}: label names {names_a}, A: {names_e}")
        elif e["series"] != a["series"]:
            problems.append(f"{name}: label values {sorted(a['series'] - e['series'])[:3]} "
                            f"instead of {sorted(e['series'] - a['series'])[:3]}")
    if problems:
        log("\n".join(problems[:20]))
        raise SystemExit(f"{kind} does not expose the same metrics as crate A ({len(problems)} differences; "
                         f"output in {GEN / f'verify-{kind}.out'})")
    return len(actual)


def verify_peers(a_output):
    expected = parse_exposition(a_output)
    counts = {}
    for kind in PEERS:
        deps = peer_dependencies(kind)
        families = parse_exposition(run_verify(kind, deps, peer_verify_main(kind)))
        counts[kind] = compare_families(expected, families, kind)
        log(f"  {kind}: the same {counts[kind]} families")
    return counts


# ---------------------------------------------------------------------------
# Expanded lines.

def expand(kind):
    (GEN / kind / "src" / "lib.rs").touch()
    _, proc = cargo(kind, "rustc", "--lib", "--profile", "check", "--", "-Zunpretty=expanded", bootstrap=True)
    text = proc.stdout
    if "pub mod s00" not in text:
        raise SystemExit(f"no expansion of {kind} (was the crate considered fresh?):\n{proc.stderr[-3000:]}")
    (GEN / f"{kind}.expanded.rs").write_text(text)
    return text


def count_lines(text):
    """(non-empty lines, of which inside the `pub mod sNN { .. }` modules)."""
    total = inside = 0
    depth_in_module = False
    for line in text.splitlines():
        if not line.strip():
            continue
        total += 1
        if re.match(r"^pub mod s\d+ \{", line):
            depth_in_module = True
        if depth_in_module:
            inside += 1
            if line == "}":
                depth_in_module = False
    return total, inside


def macro_stats(kind):
    (GEN / kind / "src" / "lib.rs").touch()
    _, proc = cargo(kind, "rustc", "--lib", "--profile", "check", "--", "-Zmacro-stats", bootstrap=True)
    rows = []
    pending = None
    number = r"([\d_]+)\s+([\d_]+)\s+[\d_.]+\s+([\d_]+)\s+[\d_.]+\s*$"
    for line in proc.stderr.splitlines():
        if not line.startswith("macro-stats "):
            continue
        body = line[len("macro-stats "):]
        # "#[derive(Metrics)]   100   38_700   387.0   2_085_385   20_853.8"; a
        # long name is on a line of its own, its numbers on the next.
        m = re.match(r"^(\S.*?)\s{2,}" + number, body)
        if m:
            name, numbers = m.group(1), m.groups()[1:]
        elif pending and (m := re.match(r"^\s+" + number, body)):
            name, numbers = pending, m.groups()
        else:
            pending = body.strip() if body.strip() and not body.startswith(("=", "-", "MACRO", "Macro")) else None
            continue
        pending = None
        uses, lines, size = (int(x.replace("_", "")) for x in numbers)
        rows.append((name, uses, lines, size))
    return rows, proc.stderr


# ---------------------------------------------------------------------------
# Where a clean debug build spends its time.

PASSES = [
    ("macro_expand_crate", "macro expansion (running the proc macros, parsing their output)"),
    ("coherence_checking", "coherence (trait impl overlap)"),
    ("type_check_crate", "type checking (includes coherence)"),
    ("MIR_borrow_checking", "borrow checking"),
    ("monomorphization_collector_graph_walk", "monomorphization collection"),
    ("generate_crate_metadata", "crate metadata"),
    ("codegen_to_LLVM_IR", "codegen to LLVM IR"),
    ("LLVM_passes", "LLVM"),
    ("total", "rustc total"),
]


def time_passes(kind):
    """`-Ztime-passes` of a clean debug build of the crate (leaves it built
    with other flags: the next measurement builds it again first)."""
    cargo(kind, "build")  # dependencies up to date
    cargo(kind, "clean", "-p", PACKAGE[kind])
    _, proc = cargo(kind, "rustc", "--lib", "--", "-Ztime-passes", bootstrap=True)
    times = {}
    for line in proc.stderr.splitlines():
        m = re.match(r"^time:\s+([\d.]+);.*?\s(\S+)$", line.strip())
        if m and m.group(2) not in times:
            times[m.group(2)] = float(m.group(1))
    if "total" not in times:
        raise SystemExit(f"no -Ztime-passes output for {kind}:\n{proc.stderr[-3000:]}")
    return times


# ---------------------------------------------------------------------------

def fmt_s(values):
    return f"{min(values):.2f} / {statistics.median(values):.2f}"


def fmt_ratio(x):
    return f"{x:.2f}×"


def main():
    started = time.perf_counter()
    rustc = subprocess.run(["rustc", "-V"], capture_output=True, text=True).stdout.strip()
    cargo_v = subprocess.run(["cargo", "-V"], capture_output=True, text=True).stdout.strip()

    def describe(root):
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True,
                                text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--short", "--", "metrics-runtime", "metrics-derive", "catalog",
                                "abi"], cwd=root, capture_output=True, text=True).stdout.split("\n")
        dirty = [line[3:] for line in dirty if line.strip()]
        return f"`{commit}`" + (f", with uncommitted changes in {', '.join(dirty)}" if dirty else "")

    load = os.getloadavg()
    peers_lock = ROOT / "benchmarks" / "Cargo.lock"
    peers_lock_before = peers_lock.read_bytes()
    main_lock_before = (ROOT / "Cargo.lock").read_bytes()

    log(f"generating {STRUCTS} structs per crate under {GEN}" + (f" (A-before: {BASELINE})" if BASELINE else ""))
    sources = generate()

    log("building the dependencies (debug, release, check) once")
    for kind in KINDS:
        for args in (["build"], ["build", "--release"], ["check"]):
            elapsed, proc = cargo(kind, *args)
            log(f"  {kind} {' '.join(args)}: {elapsed:.1f} s, compiled {len(compiled(proc))} crates")

    log("checking that B and the peers expose the same metrics as A")
    a_output, families = verify_b()
    log(f"  B: the same {families} families")
    peer_families = verify_peers(a_output)

    log("expanding (-Zunpretty=expanded, -Zmacro-stats)")
    expanded = {kind: expand(kind) for kind in (*KINDS, PLAIN)}
    counts = {kind: count_lines(text) for kind, text in expanded.items()}
    stats = {}
    for kind in (A, A0) if BASELINE else (A,):
        stats[kind], raw = macro_stats(kind)
        (GEN / f"{kind}.macro-stats.txt").write_text(raw)

    clean = {(kind, rel): [] for kind in KINDS for rel in (False, True)}
    rebuild = {kind: [] for kind in KINDS}
    check = {kind: [] for kind in KINDS}
    noop = {kind: [] for kind in KINDS}
    passes = {kind: [] for kind in KINDS}
    for rep in range(REPS):
        log(f"repetition {rep + 1}/{REPS}")
        # Interleaved, starting with another crate each repetition.
        order = KINDS[rep % len(KINDS):] + KINDS[:rep % len(KINDS)]
        for rel in (False, True):
            for kind in order:
                t = measure_clean(kind, rel)
                clean[(kind, rel)].append(t)
                log(f"  clean {'release' if rel else 'debug'} {kind}: {t:.2f} s")
        for sub in range(SHORT_REPS):
            tag = f"{rep:03}{sub:02}"
            turn = order[sub % len(order):] + order[:sub % len(order)]
            for kind in turn:
                t = measure_help_rebuild(kind, tag)
                rebuild[kind].append(t)
                log(f"  help-text rebuild {kind}: {t:.2f} s")
            for kind in turn:
                t = measure_help_check(kind, tag)
                check[kind].append(t)
                log(f"  help-text check {kind}: {t:.2f} s")
        for kind in order:
            noop[kind].append(measure_noop(kind))
        for kind in order:
            passes[kind].append(time_passes(kind))
            log(f"  time passes {kind}: macro_expand_crate {passes[kind][-1].get('macro_expand_crate')} s, "
                f"total {passes[kind][-1]['total']} s")
    for kind in KINDS:
        set_help(kind, EDITED_HELP)
        cargo(kind, "build")
        cargo(kind, "check")

    if peers_lock.read_bytes() != peers_lock_before or (ROOT / "Cargo.lock").read_bytes() != main_lock_before:
        log("warning: a lockfile of the repository changed during the run (another engineer?)")

    # --- report ---
    n = STRUCTS
    med = statistics.median
    per = {kind: counts[kind][1] / n for kind in counts}
    src = {kind: count_lines(sources[kind])[1] / n for kind in KINDS}
    peer_names = ", ".join(TITLE[p] for p in PEERS)
    cols = list(KINDS)
    out = []
    out.append("# Compile-time cost of the derive macros, next to hand-written code and three peer libraries\n")
    out.append(f"{n} modules, each with two label enums `Op` (4 values) and `Outcome` (5 values), a label set "
               "`Request {op, outcome}` and a struct of 5 metrics (3 counters labeled by `Request`, 1 integer gauge, "
               "1 histogram with the 11 default bounds), the same names and help texts in every crate:\n")
    out.append("- **A** (this framework): `#[derive(Metrics)]`/`LabelValue`/`LabelSet`; doc comments are help "
               "texts, registration at link time.")
    if BASELINE:
        out.append("- **A-before**: crate A's source built against the runtime of another checkout "
                   f"(`BASELINE_ROOT`, at {describe(BASELINE)}): the derives at two commits (not checked against A: "
                   "its runtime may expose other metrics of its own).")
    out.append("- **B** (hand-written): what the derives give, written out (`impl LabelValue`/`LabelSet`/"
               "`MetricGroup`, `static` cells and descriptors, `inventory::submit!` through "
               "`metricate::__private`).")
    out.append("- **prometheus + static-metric**: per module `make_static_metric!` declares the label enums and a "
               "struct of the 20 `IntCounter` children; a hand-written `register(&Registry)` creates the "
               "`IntCounterVec`s (`Requests::from(&vec)`), the `IntGauge` and the `Histogram` with their names and "
               "help texts as string literals and registers each.")
    out.append("- **measured**: `#[derive(FixedCardinalityLabel)]` enums (snake_case values), a "
               "`#[derive(LabelGroup)]` label set and a `#[derive(MetricGroup)] #[metric(new())]` struct whose doc "
               "comments are the help texts and whose names come from `#[metric(rename = ..)]`; `CounterVec`, "
               "`Gauge`, `Histogram<11>` with `Thresholds::with_buckets`. No registry: `register_all` builds one "
               "`#[derive(MetricGroup)]` struct flattening every module's.")
    out.append("- **prometheus-client**: `#[derive(EncodeLabelValue)]` enums with lower-case variants (the values "
               "as spelled), a `#[derive(EncodeLabelSet)]` struct, a struct of `Family<Request, Counter>`/`Gauge`/"
               "`Histogram` fields and a hand-written `register(&mut Registry)`; the client appends `_total` to "
               "counter names and a period to help texts, so both are left out of the literals, and the histogram "
               "is registered with `Unit::Seconds`.\n")
    out.append(f"Times are wall-clock seconds of `cargo` for the crate alone (dependencies built), "
               f"**min / median of {REPS}** repetitions; the crates take turns within each repetition. "
               f"The rebuild and the check, which take under a second, run {SHORT_REPS} times in each repetition "
               f"(**min / median of {REPS * SHORT_REPS}**): the minimum of a short build needs more repetitions "
               "to settle. Ratios and verdicts use the minimum.\n")
    out.append(f"- {rustc}; {cargo_v}; {os.cpu_count()} CPUs, load average at start "
               f"{load[0]:.2f} (shared machine)")
    out.append(f"- metricate at {describe(ROOT)}")
    deps = tomllib.loads((ROOT / "benchmarks" / "Cargo.toml").read_text())["dependencies"]
    versions = ", ".join(f"{name} {(d if isinstance(d, str) else d['version']).lstrip('=')}"
                         for kind in PEERS for name in PEER_DEPS[kind] for d in [deps[name]])
    out.append(f"- peers: {versions} (as in `benchmarks/Cargo.toml`; `prometheus` without default features)")
    out.append(f"- checked before measuring: B exposes the same {families} metric families as A (OpenMetrics text of "
               "the global registry, every descriptor except its source position, an unregistered instance); "
               + ", ".join(f"{TITLE[p]} exposes the same {peer_families[p]}" for p in PEERS)
               + " (names, help texts, types, label names and values, histogram bounds; every labeled series "
               "created)")
    out.append("- default `dev`/`release` profiles of the generated crates (proc macros run unoptimised in both, "
               "as cargo builds them by default)\n")

    header = ["measurement", "target"] + [TITLE[k] for k in cols] + ["A / B", "A / fastest peer"]
    if BASELINE:
        header.append("A / A-before")
    header.append("A meets target")
    out.append("| " + " | ".join(header) + " |")
    out.append("|" + "---|" * len(header))

    def row(label, target, values, fmt, ok=None, ratios=True):
        """values: {kind: list of repetitions or a number}; ok(a, a/b, a/peer)."""
        best = {k: (min(v) if isinstance(v, list) else v) for k, v in values.items() if v is not None}
        cells = [label, target]
        for k in cols:
            v = values.get(k)
            cells.append("—" if v is None else fmt(v))
        vs_b = vs_peer = vs_before = None
        if ratios and best.get(B):
            vs_b = best[A] / best[B]
        peer_best = {p: best[p] for p in PEERS if p in best}
        fastest = min(peer_best, key=peer_best.get) if ratios and peer_best else None
        if fastest and peer_best[fastest]:
            vs_peer = best[A] / peer_best[fastest]
        if BASELINE and ratios and best.get(A0):
            vs_before = best[A] / best[A0]
        cells.append(fmt_ratio(vs_b) if vs_b is not None else "—")
        cells.append(f"{fmt_ratio(vs_peer)} ({TITLE[fastest]})" if vs_peer is not None else "—")
        if BASELINE:
            cells.append(fmt_ratio(vs_before) if vs_before is not None else "—")
        cells.append("—" if ok is None else ("yes" if ok(best[A], vs_b, vs_peer) else "**no**"))
        out.append("| " + " | ".join(cells) + " |")

    lines_fmt = lambda v: f"{v:.1f}"
    secs = {"fmt": fmt_s}
    row("own clean build, debug (s)", f"≤ {TARGET_DEBUG_VS_B}× B, ≤ fastest peer",
        {k: clean[(k, False)] for k in cols}, **secs,
        ok=lambda a, b, p: b <= TARGET_DEBUG_VS_B and p <= 1.0)
    row("own clean build, release (s)", "—", {k: clean[(k, True)] for k in cols}, **secs)
    row("rebuild after editing one help text, debug (s)", f"≤ {TARGET_REBUILD_VS_B}× B, ≤ fastest peer",
        rebuild, **secs, ok=lambda a, b, p: b <= TARGET_REBUILD_VS_B and p <= 1.0)
    row("`cargo check` after editing one help text (s)", "—", check, **secs)
    row("macro expansion, `-Ztime-passes` `macro_expand_crate` of a clean debug build (s)",
        f"A ≤ {TARGET_MACRO_EXPAND} s",
        {k: [p.get("macro_expand_crate", 0.0) for p in passes[k]] for k in cols},
        fmt=lambda v: f"{min(v):.3f} / {med(v):.3f}", ok=lambda a, b, p: a <= TARGET_MACRO_EXPAND)
    row("rustc total, `-Ztime-passes` `total` of a clean debug build (s)", "—",
        {k: [p["total"] for p in passes[k]] for k in cols}, **secs)
    row("expanded lines per module (non-empty, inside `pub mod sNN`)", "—", {k: per[k] for k in cols}, lines_fmt)
    row("… of which generated by the derives (expanded − `plain`)", f"≤ {TARGET_DERIVE_LINES}",
        {k: (per[k] - per[PLAIN] if k in (A, A0) else 0.0 if k == B else None) for k in cols}, lines_fmt,
        ok=lambda a, b, p: a <= TARGET_DERIVE_LINES, ratios=False)
    row("… of which written by the user (expanded form of the source without the derives)", "—",
        {k: (per[PLAIN] if k in (A, A0) else per[B] if k == B else None) for k in cols}, lines_fmt, ratios=False)
    row("source lines per module (non-empty)", "—", {k: src[k] for k in cols}, lines_fmt)
    row("expanded lines, whole crate (non-empty)", "—", {k: counts[k][0] for k in cols}, lambda v: f"{v}")
    row("no-op `cargo build` (cargo's overhead, included in every build time above) (s)", "—", noop, **secs,
        ratios=False)
    out.append("")
    out.append(f"Expanded lines: `RUSTC_BOOTSTRAP=1 cargo rustc --lib --profile check -- -Zunpretty=expanded`, "
               f"non-empty lines inside the {n} `pub mod sNN {{ .. }}` modules divided by {n}; outside them are the "
               f"crate's scaffolding (prelude, crate docs) and, in the peers, `register_all` ("
               + ", ".join(f"{TITLE[k]} {counts[k][0] - counts[k][1]}" for k in cols)
               + " lines). \"Generated by the derives\" is A minus the same source with the derive attributes "
               f"removed (`plain`, {counts[PLAIN][0]} lines); not computed for the peers, whose macros (derives, "
               "`make_static_metric!`) are all in their \"expanded lines per module\". The rebuild and the check "
               f"edit the help text of `gen_s{n // 2:02}_requests_total` (a doc comment in A and measured, a string "
               "literal in the others) to a new text of the same length each time. `-Ztime-passes`: "
               "`cargo rustc --lib -- -Ztime-passes` after `cargo clean -p` of the crate, each repetition.\n")
    for kind, rows in stats.items():
        if not rows:
            continue
        out.append(f"`-Zmacro-stats` on {TITLE[kind]} (lines and bytes each macro generates, whole crate):\n")
        out.append("| macro | uses | lines | lines per use | bytes |")
        out.append("|---|---|---|---|---|")
        for name, uses, lines, size in rows:
            out.append(f"| `{name}` | {uses} | {lines} | {lines / uses:.1f} | {size} |")
        out.append("")
    out.append("Where a clean debug build of the crate spends its time (`-Ztime-passes`, seconds, min of "
               f"{REPS}):\n")
    out.append("| pass | " + " | ".join(TITLE[k] for k in cols) + " |")
    out.append("|---|" + "---|" * len(cols))
    for key, label in PASSES:
        values = [[p[key] for p in passes[k] if key in p] for k in cols]
        if not any(values):
            continue
        out.append(f"| {label} (`{key}`) | " + " | ".join(f"{min(v):.3f}" if v else "—" for v in values) + " |")
    out.append("")
    out.append(f"Generated by `benchmarks/compile-time/run.sh` in {time.perf_counter() - started:.0f} s.")
    report = "\n".join(out) + "\n"
    (HERE / "results.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
