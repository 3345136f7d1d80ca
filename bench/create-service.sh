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

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export BENCH_WORK=${BENCH_WORK:-/tmp/paved-bench-create}
BACKEND_PORT=${BENCH_BACKEND_PORT:-27007}

# Node 22 and yarn as the other bench scripts get them (no yarn install in a shared tree).
if [ -x .paved/node/bin/node ] && [ -d node_modules/@backstage/cli-node ]; then
  export PATH="$ROOT/.paved/bin:$ROOT/.paved/node/bin:$ROOT/node_modules/.bin:$PATH"
  export PAVED_ROOT=$ROOT PAVED_CACHE=${PAVED_CACHE:-/var/cache/paved}
else
  env_file=$(mktemp)
  bash scripts/paved env >"$env_file" || { echo "bash scripts/paved env failed" >&2; exit 1; }
  # shellcheck disable=SC1090
  source "$env_file"
  rm -f "$env_file"
fi

# The platform on its own run dir and ports.
export PAVED_RUN=${BENCH_RUN:-/tmp/paved-bench-run}
export PAVED_PG_PORT=${BENCH_PG_PORT:-25632} PAVED_GIT_PORT=${BENCH_GIT_PORT:-38932}
export PAVED_KUBE_PORT=${BENCH_KUBE_PORT:-36643} PAVED_ETCD_PORT=${BENCH_ETCD_PORT:-32579}
export PAVED_ETCD_PEER_PORT=${BENCH_ETCD_PEER_PORT:-32580} PAVED_KCM_PORT=${BENCH_KCM_PORT:-30457}
export PAVED_SCHEDULER_PORT=${BENCH_SCHEDULER_PORT:-30559} PAVED_KWOK_PORT=${BENCH_KWOK_PORT:-30560}
export PAVED_VAULT_PORT=${BENCH_VAULT_PORT:-38400}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$BACKEND_PORT" "$PAVED_PG_PORT" "$PAVED_GIT_PORT" "$PAVED_KUBE_PORT" "$PAVED_ETCD_PORT" \
  "$PAVED_ETCD_PEER_PORT" "$PAVED_KCM_PORT" "$PAVED_SCHEDULER_PORT" "$PAVED_KWOK_PORT" "$PAVED_VAULT_PORT"; do
  if port_busy "$p"; then echo "Port $p is in use; set the BENCH_*_PORT variables." >&2; exit 1; fi
done

rm -rf "$BENCH_WORK"
mkdir -p "$BENCH_WORK" "$PAVED_RUN/logs"
chmod 755 "$BENCH_WORK" "$PAVED_RUN"   # PostgreSQL's data dir must be reachable by postgres
BACKEND_LOG=$BENCH_WORK/backend.log

backend_pgid=
platform_up=
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$backend_pgid" ] && kill -0 -- "-$backend_pgid" 2>/dev/null; then
    kill -TERM -- "-$backend_pgid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 -- "-$backend_pgid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$backend_pgid" 2>/dev/null || true
  fi
  if [ -n "$platform_up" ]; then
    echo "==> platform.sh down ($PAVED_RUN)" >&2
    bash scripts/platform/platform.sh down >"$BENCH_WORK/platform-down.log" 2>&1 || true
  fi
  if [ -z "${BENCH_KEEP:-}" ] && [ -n "$platform_up" ]; then rm -rf "$PAVED_RUN"; fi
  # Nothing of ours may be left: anything still running from our run dir or on our backend port.
  local left
  left=$(ps -eo pid=,args= | grep -F -e "$PAVED_RUN" -e "$BENCH_WORK" | grep -v -e grep -e "$$" || true)
  [ -n "$left" ] && printf 'Left running (please check):\n%s\n' "$left" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "==> $(date -u) on $(nproc) cores; $(uptime)" >&2
echo "==> platform.sh up on $PAVED_RUN" >&2
platform_up=1
t0=$EPOCHREALTIME
bash scripts/platform/platform.sh up >"$BENCH_WORK/platform-up.log" 2>&1 ||
  { tail -n 30 "$BENCH_WORK/platform-up.log" >&2; exit 1; }
PLATFORM_UP_S=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
echo "==> platform up in ${PLATFORM_UP_S} s" >&2

overlay=$BENCH_WORK/app-config.bench.yaml
cat >"$overlay" <<YAML
# bench/create-service.sh: the backend on a private port, against the bench platform.
app:
  baseUrl: http://localhost:$BACKEND_PORT
backend:
  baseUrl: http://localhost:$BACKEND_PORT
  listen:
    port: $BACKEND_PORT
paved:
  gitRemote:
    baseUrl: http://localhost:$PAVED_GIT_PORT
YAML

echo "==> backend on :$BACKEND_PORT (log $BACKEND_LOG)" >&2
t0=$EPOCHREALTIME
# What `yarn workspace backend start` runs (backstage-cli package start), minus its file
# watcher: the watcher restarts the backend whenever anyone edits a source file of the
# repo, which killed a trial run mid-task. Same node flags and environment (as bench/catalog.ts).
setsid bash -c 'echo $$ >"$1/backend.pgid"; cd "$2/packages/backend" && NODE_ENV=${NODE_ENV:-development} ESBK_TSCONFIG_PATH="$2/tsconfig.json" FORCE_COLOR=0 \
  exec node --enable-source-maps --require "$2/node_modules/@backstage/cli-node/config/nodeTransform.cjs" src/index \
  --config "$2/app-config.yaml" --config "$3" --config "$4/app-config.platform.yaml"' \
  _ "$BENCH_WORK" "$ROOT" "$overlay" "$PAVED_RUN" >"$BACKEND_LOG" 2>&1 </dev/null &
for _ in $(seq 1 50); do [ -s "$BENCH_WORK/backend.pgid" ] && break; sleep 0.1; done
backend_pgid=$(cat "$BENCH_WORK/backend.pgid")

rc=0
node bench/create-service.ts --backend "http://localhost:$BACKEND_PORT" \
  --platform-config "$PAVED_RUN/app-config.platform.yaml" --git "http://127.0.0.1:$PAVED_GIT_PORT" \
  --runs "${BENCH_RUNS:-3}" --work "$BENCH_WORK" | tee "$BENCH_WORK/table.txt" || rc=$?
echo "Platform up: ${PLATFORM_UP_S} s. Load after: $(cut -d' ' -f1-3 /proc/loadavg). Logs: $BENCH_WORK" | tee -a "$BENCH_WORK/table.txt"
exit "$rc"
