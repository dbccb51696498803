#!/usr/bin/env bash
# Compile-time cost of the derive macros: generates the same STRUCTS (default
# 100) metric structs declared with the derives (crate A), written by hand
# (crate B) and with three peer libraries (prometheus + prometheus-static-metric,
# measured, prometheus-client), checks that all expose the same metrics, and
# times their own clean builds, a help-text rebuild and `cargo check`, counts
# their expanded lines and reads `-Ztime-passes`, interleaved over REPS
# (default 3) repetitions (the rebuild and the check SHORT_REPS times, default
# 3, in each); writes results.md (see bench.py). With
# BASELINE_ROOT=<another checkout of this repository>, also crate A built
# against that checkout's runtime ("A-before"). Python 3 standard library
# only.
set -euo pipefail
export CARGO_TERM_COLOR=never
cd "$(dirname "${BASH_SOURCE[0]}")"
exec python3 bench.py "$@"
