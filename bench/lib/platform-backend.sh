#!/usr/bin/env bash
# Shared by the benchmarks that need the local platform and the real backend
# (bench/create-service.sh, bench/deploy.sh, bench/workloads.sh). Source it, then:
#
#   export BENCH_WORK=${BENCH_WORK:-/tmp/...} BENCH_RUN=${BENCH_RUN:-/tmp/...}
#   bench_setup BACKEND_PORT PG GIT KUBE ETCD ETCD_PEER KCM SCHEDULER KWOK VAULT
#       Node and yarn on PATH, the platform's run dir ($BENCH_RUN) and ports: the
#       arguments are defaults, each overridable with BENCH_BACKEND_PORT, BENCH_PG_PORT,
#       BENCH_GIT_PORT, BENCH_KUBE_PORT, BENCH_ETCD_PORT, BENCH_ETCD_PEER_PORT,
#       BENCH_KCM_PORT, BENCH_SCHEDULER_PORT, BENCH_KWOK_PORT, BENCH_VAULT_PORT.
#       Refuses busy ports, makes $BENCH_WORK afresh and the run dir, and installs
#       the cleanup trap.
#   bench_platform_up    `platform.sh up` on that run dir; sets PLATFORM_UP_S.
#   bench_start_backend OVERLAY
#       The backend (what `yarn workspace backend start` runs, without its file
#       watcher) with app-config.yaml, OVERLAY and the platform's config; the
#       platform's builder reports to it.
#   bench_overlay_base [BACKEND_LINES]
#       The overlay every bench needs (ports, git remote); BACKEND_LINES (YAML
#       indented by two spaces) go under `backend:`.
#
# Cleanup (on exit, also on failure or Ctrl-C): stops the backend's process group,
# `platform.sh down`, removes the run dir unless BENCH_KEEP=1, and lists anything
# still running from the run dir or $BENCH_WORK.

bench_setup() {
  : "${BENCH_WORK:?set BENCH_WORK}" "${BENCH_RUN:?set BENCH_RUN}"
  BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  cd "$BENCH_ROOT"
  export BENCH_WORK
  BACKEND_PORT=${BENCH_BACKEND_PORT:-$1}

  # Node 22 and yarn as the other bench scripts get them (no yarn install in a shared tree).
  if [ -x .paved/node/bin/node ] && [ -d node_modules/@backstage/cli-node ]; then
    export PATH="$BENCH_ROOT/.paved/bin:$BENCH_ROOT/.paved/node/bin:$BENCH_ROOT/node_modules/.bin:$PATH"
    export PAVED_ROOT=$BENCH_ROOT PAVED_CACHE=${PAVED_CACHE:-/var/cache/paved}
  else
    local env_file
    env_file=$(mktemp)
    bash scripts/paved env >"$env_file" || { echo "bash scripts/paved env failed" >&2; exit 1; }
    # shellcheck disable=SC1090
    source "$env_file"
    rm -f "$env_file"
  fi

  # The platform on its own run dir and ports.
  export PAVED_RUN=$BENCH_RUN
  export PAVED_PG_PORT=${BENCH_PG_PORT:-$2} PAVED_GIT_PORT=${BENCH_GIT_PORT:-$3}
  export PAVED_KUBE_PORT=${BENCH_KUBE_PORT:-$4} PAVED_ETCD_PORT=${BENCH_ETCD_PORT:-$5}
  export PAVED_ETCD_PEER_PORT=${BENCH_ETCD_PEER_PORT:-$6} PAVED_KCM_PORT=${BENCH_KCM_PORT:-$7}
  export PAVED_SCHEDULER_PORT=${BENCH_SCHEDULER_PORT:-$8} PAVED_KWOK_PORT=${BENCH_KWOK_PORT:-$9}
  export PAVED_VAULT_PORT=${BENCH_VAULT_PORT:-${10}}
  # The bench platform's own node (network namespace paved-bench), registry, gateway and
  # builder, apart from the portal's (dev) and the tests' (test) instances.
  export PAVED_NODE_INSTANCE=${BENCH_NODE_INSTANCE:-bench} PAVED_NODE_SUBNET=${BENCH_NODE_SUBNET:-10.87.2}
  export PAVED_POD_CIDR=${BENCH_POD_CIDR:-10.90.0.0/16} PAVED_SERVICE_CIDR=${BENCH_SERVICE_CIDR:-10.98.0.0/16}
  export PAVED_REGISTRY_PORT=${BENCH_REGISTRY_PORT:-$((PAVED_VAULT_PORT + 10))}
  export PAVED_GATEWAY_PORT=${BENCH_GATEWAY_PORT:-$((PAVED_VAULT_PORT + 11))}
  export PAVED_BUILDER_PORT=${BENCH_BUILDER_PORT:-$((PAVED_VAULT_PORT + 12))}
  export PAVED_PROMETHEUS_PORT=${BENCH_PROMETHEUS_PORT:-$((PAVED_VAULT_PORT + 13))}
  export PAVED_ALERTMANAGER_PORT=${BENCH_ALERTMANAGER_PORT:-$((PAVED_VAULT_PORT + 14))}

  local p
  # Vault (OpenBao, raft storage) also listens on its port + 1 (cluster address).
  for p in "$BACKEND_PORT" "$PAVED_PG_PORT" "$PAVED_GIT_PORT" "$PAVED_KUBE_PORT" "$PAVED_ETCD_PORT" \
    "$PAVED_ETCD_PEER_PORT" "$PAVED_KCM_PORT" "$PAVED_SCHEDULER_PORT" "$PAVED_KWOK_PORT" \
    "$PAVED_VAULT_PORT" "$((PAVED_VAULT_PORT + 1))" "$PAVED_REGISTRY_PORT" "$PAVED_GATEWAY_PORT" \
    "$PAVED_BUILDER_PORT" "$PAVED_PROMETHEUS_PORT" "$PAVED_ALERTMANAGER_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "Port $p is in use; set the BENCH_*_PORT variables." >&2
      exit 1
    fi
  done

  rm -rf "$BENCH_WORK"
  mkdir -p "$BENCH_WORK" "$PAVED_RUN/logs"
  chmod 755 "$BENCH_WORK" "$PAVED_RUN" # PostgreSQL's data dir must be reachable by postgres
  BACKEND_LOG=$BENCH_WORK/backend.log
  backend_pgid=
  platform_up=
  trap _bench_cleanup EXIT
  trap 'exit 130' INT TERM
  echo "==> $(date -u) on $(nproc) cores; $(uptime)" >&2
}

_bench_cleanup() {
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
  # Nothing of ours may be left: anything still running from our run dir or work dir.
  local left
  left=$(ps -eo pid=,args= | grep -F -e "$PAVED_RUN" -e "$BENCH_WORK" | grep -v -e grep -e "$$" || true)
  [ -n "$left" ] && printf 'Left running (please check):\n%s\n' "$left" >&2
  exit "$rc"
}

bench_platform_up() {
  echo "==> platform.sh up on $PAVED_RUN" >&2
  platform_up=1
  local t0=$EPOCHREALTIME
  bash scripts/platform/platform.sh up >"$BENCH_WORK/platform-up.log" 2>&1 ||
    { tail -n 30 "$BENCH_WORK/platform-up.log" >&2; exit 1; }
  PLATFORM_UP_S=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  echo "==> platform up in ${PLATFORM_UP_S} s" >&2
}

bench_overlay_base() {
  cat <<YAML
app:
  baseUrl: http://localhost:$BACKEND_PORT
backend:
  baseUrl: http://localhost:$BACKEND_PORT
  listen:
    port: $BACKEND_PORT
${1:+$1
}paved:
  gitRemote:
    baseUrl: http://localhost:$PAVED_GIT_PORT
YAML
}

bench_start_backend() {
  local overlay=$1
  echo "==> backend on :$BACKEND_PORT (log $BACKEND_LOG)" >&2
  # The bench platform's builder reports its builds (which Create Service awaits) here.
  mkdir -p "$PAVED_RUN/builder"
  echo "http://127.0.0.1:$BACKEND_PORT" >"$PAVED_RUN/builder/portal-url"
  # What `yarn workspace backend start` runs (backstage-cli package start), minus its file
  # watcher: the watcher restarts the backend whenever anyone edits a source file of the
  # repo, which killed a trial run mid-task. Same node flags and environment (as bench/catalog.ts).
  setsid bash -c 'echo $$ >"$1/backend.pgid"; cd "$2/packages/backend" && NODE_ENV=${NODE_ENV:-development} ESBK_TSCONFIG_PATH="$2/tsconfig.json" FORCE_COLOR=0 \
    exec node --enable-source-maps --require "$2/node_modules/@backstage/cli-node/config/nodeTransform.cjs" src/index \
    --config "$2/app-config.yaml" --config "$3" --config "$4/app-config.platform.yaml"' \
    _ "$BENCH_WORK" "$BENCH_ROOT" "$overlay" "$PAVED_RUN" >"$BACKEND_LOG" 2>&1 </dev/null &
  for _ in $(seq 1 50); do [ -s "$BENCH_WORK/backend.pgid" ] && break; sleep 0.1; done
  backend_pgid=$(cat "$BENCH_WORK/backend.pgid")
}
