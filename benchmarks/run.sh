#!/usr/bin/env bash
# The comparison of metricate with prometheus, prometheus-static-metric,
# prometheus-client, metrics (+ metrics-exporter-prometheus) and measured, on
# this machine, in one run: builds the `compare` binary (release) and writes
# its Markdown table and machine description to results.md beside this script.
# BENCH_REPS sets the repetitions of each case (15). Under a minute on 2 cores
# from a clean target directory, most of it the build; the run itself takes
# about 15 s.
set -euo pipefail
export CARGO_TERM_COLOR=never
cd "$(dirname "${BASH_SOURCE[0]}")"
cargo run --release --bin compare > results.md.tmp
mv results.md.tmp results.md
echo "wrote $(pwd)/results.md" >&2
