#!/usr/bin/env bash
# Installs the external programs the test suite drives, only when they are missing:
#   the Prometheus server and promtool (Debian package `prometheus`) and the Python `prometheus_client` parsers
#   (Debian package `python3-prometheus-client`, used through /usr/bin/python3), and the headless browser that
#   drives the HTML catalogue (Debian packages `chromium` and `chromium-driver`, which provides `chromedriver`).
# No packaged service is left running: the install runs under a policy-rc.d that forbids
# starting services, and a daemon a maintainer script started anyway is stopped by the pid
# its init script wrote, never by name (a server of the user's own keeps running).
set -euo pipefail

need=()
{ command -v promtool && command -v prometheus; } >/dev/null 2>&1 || need+=(prometheus)
/usr/bin/python3 -c 'import prometheus_client' >/dev/null 2>&1 || need+=(python3-prometheus-client)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)

if [ ${#need[@]} -eq 0 ]; then
    echo "test dependencies present"
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

# The pid file the packaged init script writes when it starts the daemon.
pidfile=/run/prometheus/prometheus.pid
had_pidfile=false
[ -e "$pidfile" ] && had_pidfile=true

export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${need[@]}"

# A maintainer script may have started the packaged daemon despite the policy:
# stop the one this install started, by the pid its init script recorded.
if ! $had_pidfile && [ -s "$pidfile" ]; then
    pid=$(cat "$pidfile")
    echo "stopping the packaged prometheus this install started (pid $pid)"
    $sudo kill "$pid" 2>/dev/null || true
    $sudo rm -f "$pidfile"
fi
