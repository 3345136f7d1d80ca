#!/usr/bin/env bash
# Real-workloads benchmark (issue 10): Create Service → answering, push → build →
# deployed → answering, Deploy vs raw `kubectl set image` + `rollout status`, and the
# node's idle memory, all on the real node.
#
#   bash bench/workloads.sh                      # 3 Create Service runs, 3 pushes, 5+5 deploys
#   BENCH_RUNS=2 BENCH_PUSHES=2 BENCH_DEPLOYS=3 bash bench/workloads.sh
#
# 1. `platform.sh up` on a private run dir, ports and node (network namespace
#    paved-bench; never the portal's or the tests'), 2. the backend on :27207 with a
#    bench overlay, the builder reporting to it, 3. bench/workloads.ts, which prints the
#    tables, 4. stops the backend, `platform.sh down` and removes the run dir (unless
#    BENCH_KEEP=1). The base images and the builder's layer cache come from
#    /var/cache/paved like every other platform's: "warm" means that cache is filled.
set -euo pipefail

# shellcheck source=bench/lib/platform-backend.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/platform-backend.sh"
export BENCH_WORK=${BENCH_WORK:-/tmp/paved-bench-workloads} BENCH_RUN=${BENCH_RUN:-/tmp/paved-bench-workloads-run}
# backend, PostgreSQL, git, kube-apiserver, etcd, etcd peer, controller-manager, scheduler, kwok, Vault
bench_setup 27207 25832 38934 36843 32779 32780 30757 30759 30760 38800
bench_platform_up

overlay=$BENCH_WORK/app-config.bench.yaml
{
  echo "# bench/workloads.sh: the backend on a private port, against the bench platform."
  bench_overlay_base
} >"$overlay"
bench_start_backend "$overlay"

rc=0
node bench/workloads.ts --backend "http://localhost:$BACKEND_PORT" \
  --git "http://127.0.0.1:$PAVED_GIT_PORT" --gateway-port "$PAVED_GATEWAY_PORT" \
  --run "$PAVED_RUN" --kubeconfig "$PAVED_RUN/kubeconfig" \
  --work "$BENCH_WORK" "$@" | tee "$BENCH_WORK/table.txt" || rc=$?
echo "Platform up: ${PLATFORM_UP_S} s. $(nproc) cores, $(free -g | awk '/^Mem:/ { print $2 " GiB RAM" }'). Load after: $(cut -d' ' -f1-3 /proc/loadavg). Logs: $BENCH_WORK" | tee -a "$BENCH_WORK/table.txt"
exit "$rc"
