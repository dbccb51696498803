#!/usr/bin/env bash
# Model-checks the lock-free protocols with loom (metrics-runtime/tests/loom.rs):
# the histogram's hot/cold shards, the sharded counter, capped-label interning.
# Builds with `--cfg loom` into a directory of its own under the target
# directory, so the normal build's cache stays valid.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
target="${CARGO_TARGET_DIR:-$PWD/target}"
RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR="$target/loom" \
    cargo test -p metricate --release --test loom "$@"
