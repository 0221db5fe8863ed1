#!/usr/bin/env bash
# npm run test:image: builds the Dockerfile with buildah and tests the image it makes, as a container runtime
# runs it: Node 24, /healthz, POST /estimate, /docs, the HEALTHCHECK command (and its own time-out against a
# frozen server), the non-root user, code the user cannot change, a read-only root filesystem, no
# devDependencies, no declarations or source maps, and SIGTERM to PID 1 ending it with exit 0.
#
# No container registry is reachable from these machines, so the Dockerfile's base image is a local
# stand-in made by scripts/image/base.sh (debootstrap + Node and npm from the npm registry) and tagged with
# the FROM name; the output says so. Installs buildah, podman and debootstrap from Debian when missing.
# Image store: $MESHCOST_CONTAINERS (default /var/tmp/meshcost-containers), vfs, kept between runs.
set -uo pipefail
cd "$(dirname "$0")/../.."
started=$(date +%s)
store=${MESHCOST_CONTAINERS:-/var/tmp/meshcost-containers}
image=localhost/meshcost:test
storage=(--root "$store/storage" --runroot "$store/run" --storage-driver vfs)
buildah=(buildah "${storage[@]}")
# runc, and limits below the machine's: the defaults here fail podman's container start.
podman=(podman "${storage[@]}" --runtime runc --cgroup-manager cgroupfs --events-backend file)
run_limits=(--ulimit nofile=4096:4096 --ulimit nproc=4096:4096)
passed=0
failed=0
check () { # check <description> <command...>: a passing command is a passing check
  local what=$1; shift
  if "$@"; then echo "ok - $what"; passed=$((passed + 1)); else echo "not ok - $what"; failed=$((failed + 1)); fi
}
finish () {
  [ -n "${ctr:-}" ] && "${podman[@]}" rm -f "$ctr" > /dev/null 2>&1
  echo "test:image: $((passed)) passed, $((failed)) failed in $(($(date +%s) - started)) s"
  [ "$failed" -eq 0 ]
  exit $?
}
trap finish EXIT

missing=()
for tool in buildah podman debootstrap runc; do command -v "$tool" > /dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || { echo "test:image needs ${missing[*]} (apt-get install buildah podman debootstrap runc)"; failed=1; exit 1; }
  apt-get -o DPkg::Lock::Timeout=600 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq buildah podman debootstrap runc > /dev/null \
    || { echo "cannot install ${missing[*]}"; failed=1; exit 1; }
fi

base=$(sed -nE 's/^FROM ([^ ]+).*/\1/p' Dockerfile | sort -u)
[ "$(wc -l <<<"$base")" -eq 1 ] || { echo "expected one base image, the Dockerfile names: $base"; failed=1; exit 1; }
case $base in */*) ;; *) base=docker.io/library/$base ;; esac
echo "NOTE: no registry is reachable: $base is a LOCAL STAND-IN (debootstrap bookworm minbase, Node and npm from the npm registry), not the official image"
BUILDAH_OPTS="${storage[*]}" scripts/image/base.sh "$base" || { failed=1; exit 1; }

# npm inside the build must trust what this machine trusts (a TLS-intercepting proxy's CA).
ca=/etc/ssl/certs/ca-certificates.crt
build_ca=()
[ -f "$ca" ] && build_ca=(--volume "$ca:/run/host-ca.crt:ro" --build-arg NODE_EXTRA_CA_CERTS=/run/host-ca.crt)
build_started=$(date +%s)
# --format docker keeps the HEALTHCHECK (OCI images have no such field); --pull=never: the local base only.
if ! "${buildah[@]}" bud --quiet --format docker --pull=never --isolation chroot --layers=false "${build_ca[@]}" -t "$image" . > "$store/build.log" 2>&1; then
  tail -n 40 "$store/build.log"; echo "not ok - the image builds"; failed=$((failed + 1)); exit 1
fi
echo "ok - the image builds ($(($(date +%s) - build_started)) s)"; passed=$((passed + 1))
"${buildah[@]}" rmi --prune > /dev/null 2>&1 || true # the build stages' dangling images

size=$("${podman[@]}" image inspect --format '{{.Size}}' "$image")
echo "# image size: $((size / 1000000)) MB ($size bytes)"
config=$("${podman[@]}" image inspect --format '{{.Config.User}}|{{json .Config.Healthcheck}}' "$image")
check "runs as the node user: $(cut -d'|' -f1 <<<"$config")" test "$(cut -d'|' -f1 <<<"$config")" = node
check 'the HEALTHCHECK survives the build, with a time-out' grep -q '"Timeout":3000000000' <<<"$config"

port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
ctr=$("${podman[@]}" run -d --network host --log-driver k8s-file --read-only --tmpfs /tmp "${run_limits[@]}" -e PORT="$port" -e HOST=127.0.0.1 "$image" 2> "$store/run.log")
url=http://127.0.0.1:$port
for _ in $(seq 1 100); do curl -fsS "$url/readyz" > /dev/null 2>&1 && break; sleep 0.2; done
check 'starts with a read-only root filesystem; /readyz answers 200' curl -fsS -o /dev/null "$url/readyz"
# Inspected inside the running container (each podman run copies the image on vfs: slow).
inside () { "${podman[@]}" exec "$ctr" "$@"; }
check "Node 24: $(inside node --version)" grep -q '^v24\.' <<<"$(inside node --version)"
dev=$(node -e "console.log(Object.keys(require('./package.json').devDependencies).join(' '))")
# shellcheck disable=SC2086
present=$(inside node -e "const fs=require('fs');console.log(process.argv.slice(1).filter(d=>fs.existsSync('node_modules/'+d)).join(' '))" $dev)
check "no devDependencies in the image${present:+ (found: $present)}" test -z "$present"
leftovers=$(inside sh -c "find /app -type f \( -name '*.d.ts' -o -name '*.map' -o -name '*.ts' \) | head -n 5")
check "no .ts, .d.ts or .map files under /app${leftovers:+ (found: $leftovers)}" test -z "$leftovers"
writable=$(inside sh -c 'find /app -writable | head -n 5; find /app ! -user root | head -n 5')
check "the node user owns and can change nothing under /app${writable:+ (found: $writable)}" test -z "$writable"
check 'nothing can be written outside /tmp (read-only root filesystem)' sh -c "! ${podman[*]} exec $ctr sh -c 'touch /app/x || touch /home/node/x || touch /var/x' 2> /dev/null"
check "the process runs as uid 1000" test "$("${podman[@]}" exec "$ctr" sh -c 'id -u')" = 1000
check "node is PID 1" grep -q '^node' <<<"$("${podman[@]}" exec "$ctr" cat /proc/1/cmdline | tr '\0' ' ')"
check '/healthz answers 200' curl -fsS -o /dev/null "$url/healthz"
estimate=$(curl -fsS -H 'content-type: application/json' -d '{"pods":200}' "$url/estimate")
check 'POST /estimate answers an estimate for each mesh' node -e "const e=JSON.parse(process.argv[1]).estimates;process.exit(e.length>=3&&e.every(x=>x.totals)?0:1)" "$estimate"
check '/docs serves Swagger UI' sh -c "curl -fsSL '$url/docs' | grep -qi swagger"
check 'the HEALTHCHECK command passes (podman healthcheck run)' "${podman[@]}" healthcheck run "$ctr"
healthcheck=$("${podman[@]}" image inspect --format '{{json .Config.Healthcheck.Test}}' "$image")
# A frozen server (SIGSTOP): the check must fail on its own time-out (2 s), before the runtime's (3 s).
# Timed inside the container, less Node's start-up (slow on a busy machine), which the runtime also waits for.
"${podman[@]}" kill --signal SIGSTOP "$ctr" > /dev/null
mapfile -t hc < <(node -e "for(const a of JSON.parse(process.argv[1]).slice(1))console.log(a)" "$healthcheck")
# shellcheck disable=SC2016
read -r hc_code hc_ms startup_ms < <("${podman[@]}" exec "$ctr" sh -c 's=$(date +%s%N); node -e 0; u=$(date +%s%N); "$@"; c=$?; e=$(date +%s%N); echo $c $(((e-u)/1000000)) $(((u-s)/1000000))' sh "${hc[@]}")
"${podman[@]}" kill --signal SIGCONT "$ctr" > /dev/null
check "against a frozen server the HEALTHCHECK fails (exit $hc_code) in ${hc_ms} ms, Node's start-up (${startup_ms} ms) included, on its own time-out" test "$hc_code" -ne 0 -a "$((hc_ms - startup_ms))" -lt 2900

stop_started=$(date +%s%N)
"${podman[@]}" kill --signal SIGTERM "$ctr" > /dev/null
code=$("${podman[@]}" wait "$ctr")
stop_ms=$((($(date +%s%N) - stop_started) / 1000000))
check "SIGTERM to PID 1: exit $code after ${stop_ms} ms (the shutdown delay, then the drain)" test "$code" = 0
# The logs are read whole before grep: under pipefail, `podman logs | grep -q` fails when grep stops at the
# first match while podman is still writing and gets SIGPIPE.
shutdown_logs=$("${podman[@]}" logs "$ctr" 2>&1)
check 'the container logged its shutdown' grep -q '"signal":"SIGTERM"' <<<"$shutdown_logs" ||
  tail -n 5 <<<"$shutdown_logs" | sed 's/^/# /'
