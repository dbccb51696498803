#!/usr/bin/env python3
"""Which generated items cost compile time, and what the proc macros' own
run time is made of. Optional; run after `run.sh` (it reads the generated
crates), writes `ablation.md`:

    CARGO_TERM_COLOR=never python3 ablate.py

1. Compiles crate A's expansion (`generated/with-macros.expanded.rs`) as a
   crate of its own, with one kind of generated item removed at a time, and
   crate B with and without `new_unregistered`: clean debug builds, round-robin,
   REPS (default 5) runs each, wall and CPU time. The variants are text edits
   of the pretty-printed expansion: rustc on the generated code, without the
   proc macros running.
2. Times the proc macros (`macro_expand_crate` of `-Ztime-passes`, REPS runs)
   on crate A as generated; with the policy in the crate's own
   `[workspace.metadata.metrics]` (one manifest read instead of every
   ancestor's); and with the proc macros built at `opt-level = 3`
   (`CARGO_PROFILE_DEV_BUILD_OVERRIDE_OPT_LEVEL=3`; builds syn & co. once more).
"""

import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
GEN = HERE / "generated"
CRATE = GEN / "ablation"
TARGET = HERE / "target"
REPS = int(os.environ.get("REPS", "5"))


def log(message):
    print(message, file=sys.stderr, flush=True)


def item_end(text, start):
    """The end of the item starting at `start`: its closing `;` or `}` at depth 0."""
    depth = 0
    i = start
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"' or (c == 'b' and text[i + 1:i + 2] == '"'):
            i += 1 if c == '"' else 2
            while text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif c == 'r' and re.match(r'r#*"', text[i:i + 4]) and not text[i - 1].isalnum():
            hashes = re.match(r'r(#*)"', text[i:]).group(1)
            close = '"' + hashes
            i = text.index(close, i + 2 + len(hashes)) + len(close) - 1
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0 and c == "}":
                j = i + 1
                while j < n and text[j] in " \t\n":
                    j += 1
                if j < n and text[j] == ";":
                    return j + 1
                # An item ending in `}` (fn, impl) unless more follows (`= ..;`).
                if j < n and text[j] in "=":
                    i += 1
                    continue
                return i + 1
        elif c == ";" and depth == 0:
            return i + 1
        i += 1
    raise ValueError(f"unterminated item at {start}: {text[start:start + 200]!r}")


def remove_items(text, pattern):
    """Removes every item whose first line matches `pattern` (with the
    attributes right above it)."""
    out = []
    pos = 0
    count = 0
    regex = re.compile(pattern, re.M)
    while True:
        m = regex.search(text, pos)
        if not m:
            break
        start = m.start()
        end = item_end(text, start)
        # Attributes right above the item (`#[doc = ..]`, `#[inline]`, ..).
        head = text[pos:start]
        while True:
            a = re.search(r"(?:^[ \t]*#\[[^\n]*\n|^[ \t]*#\[doc =\n[^\n]*\]\n)$", head, re.M)
            if not a:
                break
            head = head[:a.start()]
        out.append(head)
        pos = end
        count += 1
    out.append(text[pos:])
    return "".join(out), count


DOC = r'^[ \t]*#\[doc =(?:\n[ \t]*|\s)(?:r"[^"]*"|"(?:[^"\\]|\\.)*")\]\n'

VARIANTS = [
    ("all generated items (crate A's expansion, compiled as is)", []),
    ("without the rustdoc of generated items (`#[doc]` on the descriptor constants, `global`, "
     "`new_unregistered`, `LABEL_VALUES`, `LABEL_NAMES`)", ["docs"]),
    ("without the `include_bytes!` of the manifests (3 per struct)", [r"^[ \t]*const _: &\[u8\] ="]),
    ("without the L6 `check_series` const blocks (5 per struct)",
     [r"^[ \t]*const _: \(\) =\n[ \t]*\{\n[ \t]*use ::metricate::__private::check_series;"]),
    ("without `new_unregistered`", [r"^[ \t]*pub fn new_unregistered\(\)"]),
    ("without the descriptor constants and `LABEL_VALUES`/`LABEL_NAMES`",
     [r"^[ \t]*pub const [A-Z_]+:\n[ \t]*&'static ::metricate::__private::Descriptor",
      r"^[ \t]*pub const LABEL_(VALUES|NAMES):"]),
    ("without registration (the `MetricGroup` impl and the `inventory` submission; B has both too)",
     [r"^[ \t]*impl ::metricate::__private::MetricGroup for",
      r"^[ \t]*const _: \(\) =\n[ \t]*\{\n[ \t]*static __INVENTORY"]),
    ("without the first five removals together", ["docs", r"^[ \t]*const _: &\[u8\] =",
                                r"^[ \t]*const _: \(\) =\n[ \t]*\{\n[ \t]*use ::metricate::__private::check_series;",
                                r"^[ \t]*pub fn new_unregistered\(\)",
                                r"^[ \t]*pub const [A-Z_]+:\n[ \t]*&'static ::metricate::__private::Descriptor",
                                r"^[ \t]*pub const LABEL_(VALUES|NAMES):"]),
]

PRELUDE = "#![allow(warnings)]\n#![feature(derive_clone_copy_internals, trivial_clone)]\n"


def variant_source(expanded, edits):
    text = expanded.replace("#![feature(prelude_import)]\n", "#![feature(prelude_import)]\n" + PRELUDE, 1)
    # The derive's helper attribute is inert only under the derive.
    text = re.sub(r"^[ \t]*#\[metrics\(subsystem = \"s\d+\"\)\]\n", "", text, flags=re.M)
    removed = []
    for edit in edits:
        if edit == "docs":
            # Keep the user's own doc comments (`///`, printed as `/// ..`).
            text, n = re.subn(DOC, "", text, flags=re.M)
        else:
            text, n = remove_items(text, edit)
        removed.append(n)
    # Now-empty inherent impls.
    text = re.sub(r"#\[automatically_derived\]\n[ \t]*impl \w+ \{\s*\}\n", "", text)
    return text, removed


def cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cargo(cwd, *args, extra=None, output=False):
    """Runs cargo in `cwd`; returns (wall seconds, CPU seconds[, process])."""
    e = dict(os.environ, CARGO_TERM_COLOR="never", CARGO_TARGET_DIR=str(TARGET), RUSTC_BOOTSTRAP="1", **(extra or {}))
    start, start_cpu = time.perf_counter(), cpu()
    proc = subprocess.run(["cargo", *args], cwd=cwd, env=e, capture_output=True, text=True)
    elapsed, used = time.perf_counter() - start, cpu() - start_cpu
    if proc.returncode != 0:
        log(proc.stderr[-6000:])
        raise SystemExit(f"cargo {' '.join(args)} failed in {cwd}")
    return (elapsed, used, proc) if output else (elapsed, used)


def ablation_manifest(name, edition):
    runtime = os.path.relpath(ROOT / "metricate", CRATE)
    return f"""\
# Generated by benchmarks/compile-time/ablate.py; do not edit.
[package]
name = "{name}"
version = "0.0.0"
edition = "{edition}"
publish = false

[dependencies]
metricate = {{ path = "{runtime}" }}
inventory = "0.3.20"

[package.metadata.metrics]
namespace = "gen"

[workspace]
"""


def compile_variants():
    expanded = (GEN / "with-macros.expanded.rs").read_text()
    hand = (GEN / "hand-written" / "src" / "lib.rs").read_text()
    (CRATE / "src").mkdir(parents=True, exist_ok=True)
    # The expansion names `::inventory` and writes `#[link_section]` as the
    # edition-2021 `inventory` crate does.
    (CRATE / "Cargo.toml").write_text(ablation_manifest("ct-ablation", "2021"))
    if not (CRATE / "Cargo.lock").exists():
        shutil.copyfile(GEN / "with-macros" / "Cargo.lock", CRATE / "Cargo.lock")
    lib = CRATE / "src" / "lib.rs"
    sources = []
    for label, edits in VARIANTS:
        text, removed = variant_source(expanded, edits)
        sources.append(("A: " + label, text))
        log(f"A: {label}: removed {removed} items")
    no_new, n = re.subn(r"\n        /// An unregistered instance.*?\n        \}\n", "\n", hand, flags=re.S)
    assert "new_unregistered" not in no_new, n
    sources.append(("B: as generated", hand))
    sources.append(("B: without `new_unregistered`", no_new))
    # Round-robin over the variants, so that each repetition sees the same
    # load on a shared machine.
    wall = {label: [] for label, _ in sources}
    used = {label: [] for label, _ in sources}
    for rep in range(REPS):
        for label, text in sources:
            lib.write_text(text)
            cargo(CRATE, "build")  # dependencies
            cargo(CRATE, "clean", "-p", "ct-ablation")
            w, c = cargo(CRATE, "build")
            wall[label].append(w)
            used[label].append(c)
        log(f"repetition {rep + 1}/{REPS} done")
    med = statistics.median
    out = [f"| variant (clean debug build of the crate alone, {REPS} runs) | non-empty lines | "
           "wall min / median (s) | CPU min / median (s) | saved vs. its first row, wall / CPU (median) |",
           "|---|---|---|---|---|"]
    base = None
    for label, text in sources:
        if label.endswith("compiled as is)") or label == "B: as generated":
            base = label
        lines = sum(1 for line in text.splitlines() if line.strip())
        saved = "—" if label == base else \
            f"{med(wall[base]) - med(wall[label]):+.2f} / {med(used[base]) - med(used[label]):+.2f}"
        out.append(f"| {label} | {lines} | {min(wall[label]):.2f} / {med(wall[label]):.2f} | "
                   f"{min(used[label]):.2f} / {med(used[label]):.2f} | {saved} |")
    return out


def expansion_probes():
    probe = GEN / "probe"
    (probe / "src").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(GEN / "with-macros" / "src" / "lib.rs", probe / "src" / "lib.rs")
    if not (probe / "Cargo.lock").exists():
        shutil.copyfile(GEN / "with-macros" / "Cargo.lock", probe / "Cargo.lock")
    package = ablation_manifest("ct-probe", "2024")
    workspace = package.replace('[package.metadata.metrics]\nnamespace = "gen"\n', "") + \
        '\n[workspace.metadata.metrics]\nnamespace = "gen"\n'
    probes = [
        ("crate A as generated (`[package.metadata.metrics]`)", package, {}),
        ("policy in the crate's own `[workspace.metadata.metrics]` (1 manifest read and tracked, not 3)",
         workspace, {}),
        ("proc macros built with `opt-level = 3` (`[profile.dev.build-override]`)", package,
         {"CARGO_PROFILE_DEV_BUILD_OVERRIDE_OPT_LEVEL": "3"}),
    ]
    out = [f"| proc macros on crate A ({REPS} runs) | `macro_expand_crate` min / median (s) | "
           "`include_bytes!` per struct |", "|---|---|---|"]
    for label, manifest, extra in probes:
        (probe / "Cargo.toml").write_text(manifest)
        cargo(probe, "check", extra=extra)  # dependencies (the first optimised build of syn & co. takes ~1 min)
        times = []
        for _ in range(REPS):
            (probe / "src" / "lib.rs").touch()
            _, _, proc = cargo(probe, "rustc", "--lib", "--profile", "check", "--", "-Ztime-passes", extra=extra,
                               output=True)
            m = re.search(r"^time:\s+([\d.]+);[^\n]*\smacro_expand_crate$", proc.stderr, re.M)
            times.append(float(m.group(1)))
        (probe / "src" / "lib.rs").touch()
        _, _, proc = cargo(probe, "rustc", "--lib", "--profile", "check", "--", "-Zmacro-stats", extra=extra,
                           output=True)
        m = re.search(r"include_bytes!\s+(\d+)", proc.stderr)
        includes = int(m.group(1)) / 100 if m else 0
        log(f"{label}: {times}")
        out.append(f"| {label} | {min(times):.3f} / {statistics.median(times):.3f} | {includes:g} |")
    return out


def main():
    started = time.perf_counter()
    rows = compile_variants()
    probes = expansion_probes()
    report = "\n".join([
        "# Where crate A's compile time goes (ablation)",
        "",
        "Written by `benchmarks/compile-time/ablate.py` after `run.sh`. Shared 2-core machine: differences "
        "under ~0.15 s are noise.",
        "",
        *rows,
        "",
        *probes,
        "",
        f"Took {time.perf_counter() - started:.0f} s.",
    ]) + "\n"
    (HERE / "ablation.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
