#!/usr/bin/env bash
# Runs before npm test: the cluster tests (test/routes/cluster.test.ts, test/prometheus/) start Debian's
# Prometheus on a loopback port. Where we are root with apt-get (CI, a fresh development box), install it when
# it is missing; anywhere else say so, and those tests report themselves skipped (or fail under CI=true).
# The package may try to start its own service on :9090; the tests never use it.
set -u
command -v prometheus >/dev/null 2>&1 && exit 0
[ -n "${PROMETHEUS_BIN:-}" ] && [ -x "${PROMETHEUS_BIN}" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "meshcost: installing Debian's prometheus for the cluster tests (once)..."
  log=$(mktemp)
  if { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends prometheus; } >"$log" 2>&1; then
    exit 0
  fi
  tail -n 20 "$log"
  echo "meshcost: prometheus could not be installed; the cluster tests will not run"
else
  echo "meshcost: prometheus is missing and cannot be installed here (needs root and apt-get): the cluster tests will be skipped"
fi
exit 0
