#!/usr/bin/env bash
# CLI start-up benchmark (issue 14's goals: `paved --version` under 300 ms, `paved status`
# under 1 s against a local portal).
#
#   bash bench/cli.sh                          # 20 runs of each
#   BENCH_RUNS=50 BENCH_SERVICE=checkout-service bash bench/cli.sh
#
# 1. Builds the CLI (packages/cli, one bundled file) and times `paved --version` (no
#    portal needed). 2. `platform.sh up` on a private run dir and ports, and the backend
#    (as `yarn workspace backend start` runs it) on :27207 on SQLite in memory, with the demo
#    catalog. 3. Signs in as a demo user through the local sign-in (localUser) and times
#    `paved status SERVICE` (the environments and the pending approvals: catalog, both
#    environments on the cluster, the health probe) as a child process, wall clock, each run
#    a fresh process; then each of the two requests status makes, alone, with curl (the
#    backend's share), and `node -e 0` (Node's own start). Prints median and p95.
#    Everything it starts is stopped on exit.
set -euo pipefail

# shellcheck source=bench/lib/platform-backend.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/platform-backend.sh"
export BENCH_WORK=${BENCH_WORK:-/tmp/paved-bench-cli} BENCH_RUN=${BENCH_RUN:-/tmp/paved-bench-cli-run}
# backend, PostgreSQL, git, kube-apiserver, etcd, etcd peer, controller-manager, scheduler, kwok, Vault
bench_setup 27207 25832 39933 36843 32779 32780 30757 30759 30760 38700
RUNS=${BENCH_RUNS:-20}
SERVICE=${BENCH_SERVICE:-bench-cli}
PAVED=(node "$BENCH_ROOT/packages/cli/bin/paved")

node packages/cli/scripts/build.mjs

# Wall time of one command, in ms.
time_ms() {
  local t0=$EPOCHREALTIME
  "$@" >/dev/null 2>"$BENCH_WORK/last.err" || { cat "$BENCH_WORK/last.err" >&2; return 1; }
  awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f\n", (b - a) * 1000 }'
}
# median and p95 of the numbers on stdin.
stats() {
  sort -n | awk '{ v[NR] = $1 } END { m = v[int((NR + 1) / 2)]; p = v[int(NR * 0.95 + 0.999)]; printf "median %d ms, p95 %d ms (n=%d)\n", m, p, NR }'
}

for _ in 1 2; do "${PAVED[@]}" --version >/dev/null; done # warm the page cache
# Where the time goes: Node's own start (node -e 0), then the bundle's (--version).
node_start=$(for _ in $(seq 1 "$RUNS"); do time_ms node -e 0; done | stats)
echo "node -e 0: $node_start"
version=$(for _ in $(seq 1 "$RUNS"); do time_ms "${PAVED[@]}" --version; done | stats)
echo "paved --version: $version"

bench_platform_up
overlay=$BENCH_WORK/app-config.bench.yaml
# A golden-path service that is not deployed: status reads the catalog, both environments
# on the cluster (no Deployment there) and the pending approvals.
cat >"$BENCH_WORK/bench-cli.yaml" <<YAML
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: bench-cli
  annotations:
    backstage.io/kubernetes-id: bench-cli
    paved.dev/golden-path: create-service
    paved.dev/kubernetes-namespace-staging: bench-cli-staging
    paved.dev/kubernetes-namespace-production: bench-cli-production
spec: { type: service, lifecycle: experimental, owner: group:default/platform-team }
YAML
{
  echo "# bench/cli.sh: the backend on a private port, SQLite in memory, against the bench platform."
  bench_overlay_base "  database:
    client: better-sqlite3
    connection: ':memory:'"
  cat <<YAML
catalog:
  locations:
    - { type: file, target: $BENCH_ROOT/catalog/all.yaml }
    - { type: file, target: $BENCH_ROOT/templates/all.yaml }
    - { type: file, target: $BENCH_WORK/bench-cli.yaml }
YAML
} >"$overlay"
bench_start_backend "$overlay"
portal=http://localhost:$BACKEND_PORT
for _ in $(seq 1 600); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$portal/api/auth/localUser/refresh" -H 'X-Requested-With: XMLHttpRequest' -H 'x-paved-local-user: priya-raman' || true)
  [ "$code" = 200 ] && break
  sleep 1
done
token=$(curl -fsS "$portal/api/auth/localUser/refresh" -H 'X-Requested-With: XMLHttpRequest' -H 'x-paved-local-user: priya-raman' |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).backstageIdentity.token))')
# Until the catalog has the service.
for _ in $(seq 1 300); do
  PAVED_PORTAL=$portal PAVED_TOKEN=$token "${PAVED[@]}" status "$SERVICE" >/dev/null 2>&1 && break
  sleep 1
done
export PAVED_PORTAL=$portal PAVED_TOKEN=$token
"${PAVED[@]}" status "$SERVICE" | tee "$BENCH_WORK/status.txt"
status=$(for _ in $(seq 1 "$RUNS"); do time_ms "${PAVED[@]}" status "$SERVICE"; done | stats)
# The two requests status makes (in parallel), each alone from curl: the backend's share.
api="$portal/api/deployments/entities/component/default/$SERVICE"
curl_ms() { curl -fsS -o /dev/null -H "authorization: Bearer $token" -w '%{time_total}\n' "$1" | awk '{ printf "%.0f\n", $1 * 1000 }'; }
environments=$(for _ in $(seq 1 "$RUNS"); do curl_ms "$api/environments"; done | stats)
approvals=$(for _ in $(seq 1 "$RUNS"); do curl_ms "$api/approvals?status=pending"; done | stats)
echo "node -e 0: $node_start"
echo "paved --version: $version"
echo "paved status $SERVICE: $status"
echo "  GET .../environments (curl): $environments"
echo "  GET .../approvals?status=pending (curl): $approvals"
echo "$(nproc) cores, $(free -g | awk '/^Mem:/ { print $2 " GiB RAM" }'). Load after: $(cut -d' ' -f1-3 /proc/loadavg). Logs: $BENCH_WORK"
