#!/usr/bin/env bash
# Installs the external programs the test suite drives, only when they are missing:
#   the Prometheus server and promtool (Debian package `prometheus`) and the Python `prometheus_client` parsers
#   (Debian package `python3-prometheus-client`, used through /usr/bin/python3), and the headless browser that
#   drives the HTML catalogue (Debian packages `chromium` and `chromium-driver`, which provides `chromedriver`), and
#   the Prometheus Pushgateway the push sink delivers to (Debian package `prometheus-pushgateway`), and Node.js
#   (Debian packages `nodejs` and `npm`) to run Etsy's StatsD daemon the StatsD sink delivers to: npm `statsd`,
#   pinned by tests/statsd/package-lock.json and installed under the target directory, never globally, and the
#   Python environment of the OTLP receiver (tests/otlp/receiver.py): a virtual environment under the target
#   directory (`python3 -m venv`, Debian package `python3-venv`) with the packages tests/otlp/requirements.txt
#   pins by hash, never in the system's Python, and likewise the Python environment that validates the
#   semantic-convention export against Weaver's JSON schema (tests/tests/semconv.rs: `jsonschema` and PyYAML,
#   pinned by hash in catalog/tests/data/weaver/requirements.txt), and the Node.js project that type-checks the
#   generated Grafana dashboards against Grafana's schema (tests/tests/grafana_dashboards.rs: npm `@grafana/schema`
#   and `typescript`, pinned by tests/grafana/package-lock.json and installed under the target directory).
# No packaged service is left running: the install runs under a policy-rc.d that forbids
# starting services, and a daemon a maintainer script started anyway is stopped by the pid
# its init script wrote, never by name (a server of the user's own keeps running).
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$PWD/target}"

# Etsy's StatsD daemon, from the committed lock file (`npm ci`: the exact
# versions, checked against their hashes), without its optional packages
# and without running install scripts; again only when the lock changed.
install_statsd() {
    local dir="$target/statsd"
    if [ -f "$dir/node_modules/statsd/stats.js" ] && cmp -s tests/statsd/package-lock.json "$dir/package-lock.json"; then
        return
    fi
    echo "installing Etsy's StatsD daemon under $dir"
    mkdir -p "$dir"
    cp tests/statsd/package.json tests/statsd/package-lock.json "$dir/"
    npm ci --prefix "$dir" --omit=optional --ignore-scripts --no-audit --no-fund
}

# The OTLP receiver's virtual environment, from the committed requirements
# (exact versions, checked against their hashes, no other packages); again
# only when they changed or the environment cannot import them.
install_otlp_venv() {
    local dir="$target/otlp-venv"
    if "$dir/bin/python3" -c 'import google.protobuf, opentelemetry.proto' >/dev/null 2>&1 &&
        cmp -s tests/otlp/requirements.txt "$dir/requirements.txt"; then
        return
    fi
    echo "installing the OTLP receiver's Python environment under $dir"
    rm -rf "$dir"
    python3 -m venv "$dir"
    "$dir/bin/python3" -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes \
        -r tests/otlp/requirements.txt
    cp tests/otlp/requirements.txt "$dir/requirements.txt"
}

# The semantic-convention validator's virtual environment (tests/tests/semconv.rs
# finds it at target/semconv-venv), likewise from committed, hash-pinned
# requirements: wheels only, no other packages.
install_semconv_venv() {
    local dir="$target/semconv-venv"
    local requirements=catalog/tests/data/weaver/requirements.txt
    if "$dir/bin/python3" -c 'import jsonschema, referencing, yaml' >/dev/null 2>&1 &&
        cmp -s "$requirements" "$dir/requirements.txt"; then
        return
    fi
    echo "installing the semantic-convention validator's Python environment under $dir"
    rm -rf "$dir"
    python3 -m venv "$dir"
    "$dir/bin/python3" -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes \
        --only-binary :all: -r "$requirements"
    cp "$requirements" "$dir/requirements.txt"
}

# Grafana's dashboard schema and the TypeScript compiler that checks the
# generated dashboards against it (tests/tests/grafana_dashboards.rs finds
# them at target/grafana-node), from the committed lock file like StatsD:
# exact versions checked against their hashes, no install scripts; again only
# when the lock changed or the install is incomplete.
install_grafana_node() {
    local dir="$target/grafana-node"
    if [ -f "$dir/node_modules/typescript/bin/tsc" ] && [ -f "$dir/node_modules/@grafana/schema/package.json" ] &&
        cmp -s tests/grafana/package-lock.json "$dir/package-lock.json"; then
        return
    fi
    echo "installing Grafana's dashboard schema and TypeScript under $dir"
    rm -rf "$dir"
    mkdir -p "$dir"
    cp tests/grafana/package.json tests/grafana/package-lock.json "$dir/"
    npm ci --prefix "$dir" --ignore-scripts --no-audit --no-fund
}

need=()
{ command -v promtool && command -v prometheus; } >/dev/null 2>&1 || need+=(prometheus)
/usr/bin/python3 -c 'import prometheus_client' >/dev/null 2>&1 || need+=(python3-prometheus-client)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v prometheus-pushgateway >/dev/null 2>&1 || need+=(prometheus-pushgateway)
{ command -v node && command -v npm; } >/dev/null 2>&1 || need+=(nodejs npm)
python3 -c 'import ensurepip' >/dev/null 2>&1 || need+=(python3-venv)

if [ ${#need[@]} -eq 0 ]; then
    echo "test dependencies present"
    install_statsd
    install_otlp_venv
    install_semconv_venv
    install_grafana_node
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    sudo=sudo
else
    sudo=
fi

echo "installing: ${need[*]}"
policy=/usr/sbin/policy-rc.d
restore=""
if [ -e "$policy" ]; then
    restore=$(mktemp)
    $sudo cp -p "$policy" "$restore"
fi
printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
$sudo chmod 755 "$policy"
cleanup() {
    if [ -n "$restore" ]; then $sudo mv "$restore" "$policy"; else $sudo rm -f "$policy"; fi
}
trap cleanup EXIT

# The pid files the packaged init scripts write when they start their daemons.
pidfiles=(/run/prometheus/prometheus.pid /run/prometheus/prometheus-pushgateway.pid)
had=()
for pidfile in "${pidfiles[@]}"; do
    if [ -e "$pidfile" ]; then had+=(true); else had+=(false); fi
done

export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${need[@]}"

# A maintainer script may have started a packaged daemon despite the policy:
# stop each one this install started, by the pid its init script recorded.
for i in "${!pidfiles[@]}"; do
    pidfile=${pidfiles[$i]}
    if ! ${had[$i]} && [ -s "$pidfile" ]; then
        pid=$(cat "$pidfile")
        echo "stopping the packaged daemon this install started (pid $pid, from $pidfile)"
        $sudo kill "$pid" 2>/dev/null || true
        $sudo rm -f "$pidfile"
    fi
done

install_statsd
install_otlp_venv
install_semconv_venv
install_grafana_node
