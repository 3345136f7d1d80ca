#!/usr/bin/env bash
# Catalog benchmark: generates a 10,000-entity catalog, starts the backend on it with
# SQLite (in memory) and then PostgreSQL, and prints ingestion time and API latency.
#
#   bash bench/catalog.sh                 # both databases
#   bash bench/catalog.sh --db sqlite     # one; other flags go to bench/catalog.ts
#
# Private ports so that it never collides with a running portal (7007/3000/8930):
# backend BENCH_PORT (27017), PostgreSQL BENCH_PG_PORT (25432). Work files, logs and
# results.json in BENCH_WORK (/tmp/paved-bench-catalog). Everything it starts is stopped on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export BENCH_WORK=${BENCH_WORK:-/tmp/paved-bench-catalog}
export BENCH_PORT=${BENCH_PORT:-27017}
export PAVED_PG_PORT=${BENCH_PG_PORT:-25432}

# Node 22 and yarn, as `npm start` sets them up. When this checkout is already set up, use it
# as it is: `scripts/paved env` would run `yarn install` if package.json or yarn.lock changed,
# which a benchmark must not do to a tree someone else is working in.
if [ -x .paved/node/bin/node ] && [ -d node_modules/@backstage/cli-node ]; then
  export PATH="$ROOT/.paved/bin:$ROOT/.paved/node/bin:$ROOT/node_modules/.bin:$PATH"
  shopt -s nullglob
  inputs=$(cat yarn.lock package.json packages/*/package.json plugins/*/package.json | sha1sum | cut -c1-40)
  shopt -u nullglob
  [ "$(cat node_modules/.paved-install-stamp 2>/dev/null)" = "$inputs" ] ||
    echo "note: dependencies are older than package.json/yarn.lock; run 'bash scripts/paved env' to update them." >&2
else
  env_file=$(mktemp)
  bash scripts/paved env >"$env_file" || { echo "bash scripts/paved env failed" >&2; exit 1; }
  # shellcheck disable=SC1090
  source "$env_file"
  rm -f "$env_file"
fi

# PostgreSQL's data directory must be reachable by the postgres user: no 0700 mktemp dir.
rm -rf "$BENCH_WORK"
mkdir -p "$BENCH_WORK/run/logs"
chmod 755 "$BENCH_WORK" "$BENCH_WORK/run"
export PAVED_RUN=$BENCH_WORK/run   # private: never the portal's .paved/run

# shellcheck source=../scripts/lib/common.sh
source scripts/lib/common.sh
# shellcheck source=../scripts/platform/lib/postgres.sh
source scripts/platform/lib/postgres.sh

pg_started=
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  # The backend runs in its own process group; catalog.ts stops it, this is the safety net.
  if [ -f "$BENCH_WORK/backend.pgid" ]; then
    local pgid
    pgid=$(cat "$BENCH_WORK/backend.pgid")
    if kill -0 -- "-$pgid" 2>/dev/null; then
      kill -TERM -- "-$pgid" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 -- "-$pgid" 2>/dev/null || break; sleep 0.25; done
      kill -KILL -- "-$pgid" 2>/dev/null || true
    fi
  fi
  [ -n "$pg_started" ] && postgres_stop
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

want_pg=1
for a in "$@"; do case "$a" in --db=sqlite | sqlite) want_pg= ;; esac; done
# `--db sqlite` as two words
prev=
for a in "$@"; do [ "$prev" = --db ] && [ "$a" = sqlite ] && want_pg=; prev=$a; done

if [ -n "$want_pg" ]; then
  if postgres_running; then
    echo "Something already answers on 127.0.0.1:$PAVED_PG_PORT; set BENCH_PG_PORT to a free port." >&2
    exit 1
  fi
  step "Starting PostgreSQL $PAVED_PG_VERSION on 127.0.0.1:$PAVED_PG_PORT (data in $PAVED_RUN/postgres)" >&2
  pg_started=1
  postgres_start
  export BENCH_PG_URL
  BENCH_PG_URL=$(postgres_url)
fi

step "Catalog benchmark (progress on stderr, table on stdout; logs in $BENCH_WORK)" >&2
timeout --foreground --signal=TERM --kill-after=30 "${BENCH_TIMEOUT:-7200}" node bench/catalog.ts "$@"
