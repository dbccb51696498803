#!/usr/bin/env bash
# The test command: installs what the tests drive when it is missing (the
# Prometheus server and promtool, the Python prometheus_client parsers, headless
# Chromium and chromedriver), then runs every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
scripts/install-test-deps.sh
cargo test --workspace "$@"
scripts/loom.sh
