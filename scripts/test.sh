#!/usr/bin/env bash
# The test command: installs what the tests drive when it is missing (the
# Prometheus server and promtool, the Pushgateway, the Python prometheus_client
# parsers, headless Chromium and chromedriver, Node.js and Etsy's StatsD daemon
# under the target directory), then runs every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
scripts/install-test-deps.sh
# The tests must leave nothing in the temporary directory: compare its
# entries before and after.
tmp="${TMPDIR:-/tmp}"
before=$(ls -A "$tmp" | sort)
cargo test --workspace "$@"
scripts/loom.sh
left=$(comm -13 <(echo "$before") <(ls -A "$tmp" | sort))
if [ -n "$left" ]; then
    echo "the tests left these in $tmp:" >&2
    echo "$left" >&2
    exit 1
fi
