#!/usr/bin/env bash
# Every test of the repo, in the order that fails fastest. Called by
# `scripts/paved test` (npm test), which has already installed Node, the
# dependencies, the TechDocs generator and Chromium, and put them on PATH.
#
#   type check → lint → formatting → unit and backend integration tests
#   (SQLite and PostgreSQL) → Playwright in Chromium against the built app
#
# Set PAVED_TEST_ONLY to one of: static, unit, e2e to run one stage.
set -euo pipefail
cd "$PAVED_ROOT"
source scripts/lib/common.sh
source scripts/platform/lib/postgres.sh

# Tests get their own PostgreSQL (port and data), apart from a portal you may be running.
export PAVED_RUN=$PAVED_ROOT/.paved/test-run
export PAVED_PG_PORT=${PAVED_TEST_PG_PORT:-15433}
mkdir -p "$PAVED_RUN/logs"
only=${PAVED_TEST_ONLY:-all}
started=$SECONDS
timings=()
stage() {
  local name=$1
  shift
  step "$name"
  local t0=$SECONDS rc=0
  "$@" || rc=$?
  timings+=("$(printf '%-44s %4d s' "$name" $((SECONDS - t0)))")
  return $rc
}

# Runs a command whose output is only worth reading when it fails.
quietly() {
  local log=$PAVED_RUN/logs/$1.log
  shift
  "$@" >"$log" 2>&1 || fail "$*" "$log"
}

cleanup() { postgres_stop; }
trap cleanup EXIT

if [[ $only == all || $only == static ]]; then
  stage "Type check (tsc)" yarn tsc
  stage "Lint (backstage-cli repo lint)" yarn lint:all
  stage "Formatting (prettier)" yarn prettier:check
fi

if [[ $only == all || $only == unit ]]; then
  stage "Start PostgreSQL for the integration tests" postgres_start
  export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING
  BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING=$(postgres_url)
  # --ci: a missing snapshot fails instead of being written.
  stage "Unit and integration tests (SQLite + PostgreSQL)" yarn test:unit --ci --watchAll=false
fi

if [[ $only == all || $only == e2e ]]; then
  stage "Build the app for the browser tests" quietly app-build yarn workspace app build
  if ! stage "Browser tests (Playwright, Chromium)" yarn test:e2e; then
    note "Backend log of the browser tests: $PAVED_RUN/logs/e2e-backend.log (last lines below)"
    tail -n 40 "$PAVED_RUN/logs/e2e-backend.log" >&2 || true
    exit 1
  fi
fi

step "All tests passed in $((SECONDS - started)) s"
printf '    %s\n' "${timings[@]}"
