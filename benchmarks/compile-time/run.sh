#!/usr/bin/env bash
# Compile-time cost of the derive macros: generates two crates (100 metric
# structs with the derives, the same metrics written by hand), times their own
# clean builds, a help-text rebuild and counts their expanded lines, and writes
# results.md (see bench.py). Python 3 standard library only. Optional, after
# it: `python3 ablate.py` (where the time goes; writes ablation.md).
set -euo pipefail
export CARGO_TERM_COLOR=never
cd "$(dirname "${BASH_SOURCE[0]}")"
exec python3 bench.py "$@"
