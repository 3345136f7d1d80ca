#!/usr/bin/env bash
# Deployments benchmark: /api/deployments against the local platform.
#
#   bash bench/deploy.sh                       # 10 API + 10 raw deploys, 1,000 history rows, 200 reads
#   BENCH_DEPLOYS=20 BENCH_REQUESTS=500 bash bench/deploy.sh
#
# 1. `platform.sh up` on a private run dir and ports (never the portal's .paved/run,
#    never the default, test or other benchmarks' ports), 2. the backend (as
#    `yarn workspace backend start` runs it, without the file watcher) on :27107 with a
#    bench overlay that puts its databases on the platform's PostgreSQL, so that the
#    history rows can be inserted with psql, 3. bench/deploy.ts: creates one service with
#    Create Service, inserts its history, alternates deploys through the API with the
#    same change by hand (kubectl apply --server-side + rollout status), times the
#    environments and history APIs, and prints the tables. 4. Stops the backend,
#    `platform.sh down`, and removes the run dir (PostgreSQL, etcd, Vault and git data),
#    unless BENCH_KEEP=1.
set -euo pipefail

# shellcheck source=bench/lib/platform-backend.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/platform-backend.sh"
export BENCH_WORK=${BENCH_WORK:-/tmp/paved-bench-deploy} BENCH_RUN=${BENCH_RUN:-/tmp/paved-bench-deploy-run}
# backend, PostgreSQL, git, kube-apiserver, etcd, etcd peer, controller-manager, scheduler, kwok, Vault
bench_setup 27107 25732 38933 36743 32679 32680 30657 30659 30660 38600
bench_platform_up

PG_URL=postgresql://postgres@127.0.0.1:$PAVED_PG_PORT/postgres
overlay=$BENCH_WORK/app-config.bench.yaml
{
  echo "# bench/deploy.sh: the backend on a private port and on PostgreSQL, against the bench platform."
  bench_overlay_base "  database:
    client: pg
    connection: $PG_URL"
} >"$overlay"
bench_start_backend "$overlay"

rc=0
node bench/deploy.ts --backend "http://localhost:$BACKEND_PORT" \
  --platform-config "$PAVED_RUN/app-config.platform.yaml" --pg-url "$PG_URL" \
  --work "$BENCH_WORK" "$@" | tee "$BENCH_WORK/table.txt" || rc=$?
echo "Platform up: ${PLATFORM_UP_S} s. $(nproc) cores, $(free -g | awk '/^Mem:/ { print $2 " GiB RAM" }'). Load after: $(cut -d' ' -f1-3 /proc/loadavg). Logs: $BENCH_WORK" | tee -a "$BENCH_WORK/table.txt"
exit "$rc"
