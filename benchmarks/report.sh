#!/usr/bin/env bash
# Writes BENCHMARKS.md at the repository root: runs the peer comparison
# (benchmarks/run.sh), the runtime's own benches (record, instrument) and the
# compile-time measurement (benchmarks/compile-time/run.sh), and puts their
# tables into the text of benchmarks/analysis.md.
#   benchmarks/report.sh                  everything (about 10 minutes on 2 cores)
#   SKIP_COMPILE_TIME=1 benchmarks/report.sh   without the compile-time part
set -euo pipefail
export CARGO_TERM_COLOR=never
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$here/run.sh"
cp "$here/results.md" "$work/comparison.md"

(cd "$root" && cargo bench -q -p metricate --bench record) | sed -n '/^|/,$p' >"$work/record.md"
(cd "$root" && cargo bench -q -p metricate --bench instrument) | sed -n '/^|/,$p' >"$work/instrument.md"

if [ "${SKIP_COMPILE_TIME:-0}" = 1 ] && [ -f "$here/compile-time/results.md" ]; then
    echo "compile time: keeping the last results" >&2
else
    "$here/compile-time/run.sh"
fi
cp "$here/compile-time/results.md" "$work/compile-time.md"

python3 - "$here/analysis.md" "$work" "$root/BENCHMARKS.md" <<'EOF'
import sys, pathlib
template, work, out = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3]
text = pathlib.Path(template).read_text()
for name in ["comparison", "record", "instrument", "compile-time"]:
    body = (work / f"{name}.md").read_text().strip()
    # The included reports' own top-level headings become plain text.
    body = "\n".join(line.lstrip("#").strip() if line.startswith("# ") else line for line in body.splitlines())
    text = text.replace("{{" + name + "}}", body)
pathlib.Path(out).write_text(text)
print(f"wrote {out}", file=sys.stderr)
EOF
