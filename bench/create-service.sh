#!/usr/bin/env bash
# "Create Service" benchmark: the golden path end to end against the local platform.
#
#   bash bench/create-service.sh            # 3 runs (1 cold, 2 warm), then the raw-tools floor
#   BENCH_RUNS=5 bash bench/create-service.sh
#
# 1. `platform.sh up` on a private run dir and ports (never the portal's .paved/run,
#    never the default or test ports), 2. the backend (as `yarn workspace backend start` runs it, without the file watcher)
#    on :27007 with a bench overlay, 3. bench/create-service.ts: waits for readiness and
#    the demo catalog, runs Create Service through the scaffolder HTTP API (guest token),
#    times each step from the task events, then does the same work by hand with git,
#    tofu, curl and kubectl, and prints the table. 4. Stops the backend, `platform.sh down`,
#    and removes the run dir (which holds everything the runs created: PostgreSQL, etcd,
#    Vault and git data), unless BENCH_KEEP=1.
set -euo pipefail

# shellcheck source=bench/lib/platform-backend.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/platform-backend.sh"
export BENCH_WORK=${BENCH_WORK:-/tmp/paved-bench-create} BENCH_RUN=${BENCH_RUN:-/tmp/paved-bench-run}
# backend, PostgreSQL, git, kube-apiserver, etcd, etcd peer, controller-manager, scheduler, kwok, Vault
bench_setup 27007 25632 38932 36643 32579 32580 30457 30559 30560 38400
bench_platform_up

overlay=$BENCH_WORK/app-config.bench.yaml
{
  echo "# bench/create-service.sh: the backend on a private port, against the bench platform."
  bench_overlay_base
} >"$overlay"
bench_start_backend "$overlay"

rc=0
node bench/create-service.ts --backend "http://localhost:$BACKEND_PORT" \
  --platform-config "$PAVED_RUN/app-config.platform.yaml" --git "http://127.0.0.1:$PAVED_GIT_PORT" \
  --runs "${BENCH_RUNS:-3}" --work "$BENCH_WORK" | tee "$BENCH_WORK/table.txt" || rc=$?
echo "Platform up: ${PLATFORM_UP_S} s. Load after: $(cut -d' ' -f1-3 /proc/loadavg). Logs: $BENCH_WORK" | tee -a "$BENCH_WORK/table.txt"
exit "$rc"
