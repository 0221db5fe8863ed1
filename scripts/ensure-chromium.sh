#!/usr/bin/env bash
# Runs before npm test: the Swagger UI browser test drives Debian's Chromium. On a machine where we are root
# with apt-get (CI, a fresh development box), install it when it is missing; anywhere else say so, and the
# browser test reports itself skipped (or fails under CI=true).
set -u
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "meshcost: installing Debian's chromium for the browser test (once)..."
  log=$(mktemp)
  if { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } >"$log" 2>&1; then
    exit 0
  fi
  tail -n 20 "$log"
  echo "meshcost: chromium could not be installed; the browser test will not run"
else
  echo "meshcost: /usr/bin/chromium is missing and cannot be installed here (needs root and apt-get): the browser test will be skipped"
fi
exit 0
