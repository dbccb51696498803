#!/usr/bin/env bash
# Soak: the demo under a recording load on every core, scraped every second,
# for SECONDS (default 1800, 30 minutes), then never scraped until the end for
# UNSCRAPED (default 600, 10 minutes). Writes benchmarks/soak.md and
# benchmarks/soak-unscraped.md: resident memory over time (flat after
# warm-up), the exact final counts against what the load recorded, and the
# failed scrapes (none). CI runs the same tests for 60 and 30 seconds in its
# debug build.
#
#   benchmarks/soak.sh [SECONDS [UNSCRAPED]]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-1800}"
unscraped="${2:-600}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# One run at a time: each one's load takes every core.
SOAK_SECONDS="$seconds" SOAK_REPORT="$PWD/benchmarks/soak.md" \
    SOAK_UNSCRAPED_SECONDS="$unscraped" SOAK_UNSCRAPED_REPORT="$PWD/benchmarks/soak-unscraped.md" \
    cargo test --release -p demo --test soak -- --nocapture --test-threads 1
echo "reports: benchmarks/soak.md benchmarks/soak-unscraped.md"
