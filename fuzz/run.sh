#!/usr/bin/env bash
# Runs the fuzz targets, each for SECONDS (default 600, the documented run),
# one after the other, then minimizes each corpus. Needs cargo-fuzz and a
# nightly toolchain: `cargo install cargo-fuzz`, `rustup toolchain install nightly`.
#
#   fuzz/run.sh [SECONDS] [TARGET...]
#
# Prints, per target, the runs, executions per second and crashes. A crash is
# left in fuzz/artifacts/<target>/: fix the bug, keep the file (the replay test
# tests/tests/fuzz_corpora.rs runs it from then on) and commit both.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(exposition_parser encode_roundtrip negotiation policy_reader server_request)
fi
logs=target/logs
mkdir -p "$logs"
# The official OpenMetrics parser cases (the copy the conformance test runs)
# seed the parser's corpus (read only: what the fuzzer keeps goes to the corpus).
seeds=()
shared=../catalog/tests/data/openmetrics-parsers
if [ -d "$shared" ]; then
    mkdir -p target/seeds/exposition_parser
    for case in "$shared"/*/; do
        [ -f "$case/metrics" ] && cp "$case/metrics" "target/seeds/exposition_parser/$(basename "$case")"
    done
fi
for target in "${targets[@]}"; do
    extra=()
    [ -d "target/seeds/$target" ] && extra=("target/seeds/$target")
    status=0
    cargo +nightly fuzz run "$target" -O "corpus/$target" "${extra[@]}" -- \
        -max_total_time="$seconds" -print_final_stats=1 >"$logs/$target.log" 2>&1 || status=$?
    runs=$(grep -a -oE 'stat::number_of_executed_units: *[0-9]+' "$logs/$target.log" | grep -oE '[0-9]+$' || echo 0)
    rate=$(grep -a -oE 'stat::average_exec_per_sec: *[0-9]+' "$logs/$target.log" | grep -oE '[0-9]+$' || echo 0)
    crashes=$(find "artifacts/$target" -type f 2>/dev/null | wc -l)
    echo "$target: $runs runs in ${seconds} s, $rate exec/s, exit $status, $crashes file(s) in artifacts/$target"
    cargo +nightly fuzz cmin "$target" -O "corpus/$target" >"$logs/$target.cmin.log" 2>&1 || true
done
