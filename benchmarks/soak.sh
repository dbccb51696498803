#!/usr/bin/env bash
# Soak: the demo under a recording load on every core, scraped every second,
# for SECONDS (default 1800, 30 minutes). Writes benchmarks/soak.md: resident
# memory over time (flat after warm-up), the exact final counts against what
# the load recorded, and the failed scrapes (none). CI runs the same test for
# 60 seconds in its debug build.
#
#   benchmarks/soak.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-1800}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
SOAK_SECONDS="$seconds" SOAK_REPORT="$PWD/benchmarks/soak.md" \
    cargo test --release -p demo --test soak -- --nocapture
echo "report: benchmarks/soak.md"
