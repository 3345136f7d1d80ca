#!/usr/bin/env bash
# Every test of the repo, in the order that fails fastest. Called by
# `scripts/paved test` (npm test), which has already installed Node, the
# dependencies, the TechDocs generator and Chromium, and put them on PATH.
#
#   type check → lint → formatting → the local platform up → unit and
#   integration tests (backend on SQLite and PostgreSQL; Kubernetes, Vault,
#   OpenTofu) → Playwright in Chromium against the built app
#
# Set PAVED_TEST_ONLY to one of: static, unit, e2e to run one stage. Arguments go to
# Jest, e.g. `PAVED_TEST_ONLY=unit npm test -- plugins/deployments-backend`.
set -euo pipefail
cd "$PAVED_ROOT"
source scripts/lib/common.sh
source scripts/platform/lib/postgres.sh

# Tests get their own platform (ports, data, credentials), apart from a portal or a
# `yarn platform up` you may be running.
export PAVED_RUN=$PAVED_ROOT/.paved/test-run
# PAVED_TEST_INSTANCE=2..4 (PAVED_TEST_SECOND_INSTANCE=1 is 2) runs another test platform beside
# the first (e.g. from another worktree), for the static and unit stages: the browser tests'
# ports (17007, 28930) are fixed.
k=${PAVED_TEST_INSTANCE:-$([ -n "${PAVED_TEST_SECOND_INSTANCE:-}" ] && echo 2 || echo 1)}
case $k in
  1) ;;
  2 | 3 | 4) ;;
  *) echo "PAVED_TEST_INSTANCE must be 1, 2, 3 or 4 (got '$k')" >&2 && exit 2 ;;
esac
o=$(((k - 1) * 1000))
export PAVED_PG_PORT=$((15433 + (k - 1) * 100)) PAVED_GIT_PORT=$((28930 + o)) PAVED_KUBE_PORT=$((26443 + o)) \
  PAVED_ETCD_PORT=$((22379 + o)) PAVED_ETCD_PEER_PORT=$((22380 + o)) PAVED_KCM_PORT=$((20257 + o)) \
  PAVED_SCHEDULER_PORT=$((20259 + o)) PAVED_KWOK_PORT=$((20247 + o)) PAVED_VAULT_PORT=$((28200 + o))
# Real workloads (issue 10): the test instance's registry, gateway, builder and node.
export PAVED_REGISTRY_PORT=$((25000 + o)) PAVED_GATEWAY_PORT=$((28900 + o)) PAVED_BUILDER_PORT=$((28940 + o))
if [ "$k" = 1 ]; then
  export PAVED_NODE_INSTANCE=test PAVED_NODE_SUBNET=10.87.1 PAVED_POD_CIDR=10.89.0.0/16 PAVED_SERVICE_CIDR=10.97.0.0/16
else
  # dev 10.88/10.96, test 10.89/10.97, bench 10.90/10.98; test2 10.91/10.99, test3 10.92/10.100, ...
  export PAVED_NODE_INSTANCE=test$k PAVED_NODE_SUBNET=10.87.$((2 * k - 1)) \
    PAVED_POD_CIDR=10.$((89 + k)).0.0/16 PAVED_SERVICE_CIDR=10.$((97 + k)).0.0/16
fi
export PAVED_PLATFORM_CONFIG=$PAVED_RUN/app-config.platform.yaml
mkdir -p "$PAVED_RUN/logs" "$PAVED_RUN/builder"
# The test instance's builder reports to the browser tests' backend (app-config.e2e.yaml).
echo "http://127.0.0.1:17007" >"$PAVED_RUN/builder/portal-url"
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

cleanup() { bash scripts/platform/platform.sh down >/dev/null 2>&1 || true; }
trap cleanup EXIT

if [[ $only == all || $only == static ]]; then
  stage "Type check (tsc)" yarn tsc
  stage "Lint (backstage-cli repo lint)" yarn lint:all
  stage "Formatting (prettier)" yarn prettier:check
fi

if [[ $only == all || $only == unit ]]; then
  stage "Start the local platform (first run builds it: see README)" bash scripts/platform/platform.sh up
  export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING
  BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING=$(postgres_url)
  # --ci: a missing snapshot fails instead of being written.
  if [[ " $* " != *restart* ]]; then
    stage "Unit and integration tests (SQLite + PostgreSQL)" yarn test:unit --ci --watchAll=false "$@"
  fi
  # The restart test stops and starts every platform part, so it runs alone, after the others:
  # packages/backend's Jest config ignores *.restart.test.ts, this stage asks for exactly those.
  # It runs without arguments, or alone with an argument naming it: `npm test -- restart`.
  if [[ $# -eq 0 || " $* " == *restart* ]]; then
    stage "Restart test: portal and platform down and up, nothing lost" \
      yarn workspace backend backstage-cli package test --ci --watchAll=false \
      --testPathIgnorePatterns /node_modules/ --testPathPatterns '\.restart\.test\.ts$'
  fi
fi

if [[ $only == all || $only == e2e ]]; then
  # The browser tests' backend provisions into the test platform (the unit stage starts it).
  [[ $only == e2e ]] && stage "Start the local platform" bash scripts/platform/platform.sh up
  stage "Build the app for the browser tests" quietly app-build yarn workspace app build
  if ! stage "Browser tests (Playwright, Chromium)" yarn test:e2e; then
    note "Backend log of the browser tests: $PAVED_RUN/logs/e2e-backend.log (last lines below)"
    tail -n 40 "$PAVED_RUN/logs/e2e-backend.log" >&2 || true
    exit 1
  fi
fi

step "All tests passed in $((SECONDS - started)) s"
printf '    %s\n' "${timings[@]}"
