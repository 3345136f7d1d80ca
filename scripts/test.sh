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
if [ -z "${PAVED_TEST_SECOND_INSTANCE:-}" ]; then
  export PAVED_PG_PORT=15433 PAVED_GIT_PORT=28930 PAVED_KUBE_PORT=26443 PAVED_ETCD_PORT=22379 \
    PAVED_ETCD_PEER_PORT=22380 PAVED_KCM_PORT=20257 PAVED_SCHEDULER_PORT=20259 PAVED_KWOK_PORT=20247 \
    PAVED_VAULT_PORT=28200
  # Real workloads (issue 10): the test instance's registry, gateway, builder and node.
  export PAVED_REGISTRY_PORT=25000 PAVED_GATEWAY_PORT=28900 PAVED_BUILDER_PORT=28940 \
    PAVED_NODE_INSTANCE=test PAVED_NODE_SUBNET=10.87.1 PAVED_POD_CIDR=10.89.0.0/16 PAVED_SERVICE_CIDR=10.97.0.0/16
else
  # A second test platform beside the first (e.g. from another worktree), for the static
  # and unit stages: the browser tests' ports (17007, 28930) are fixed.
  export PAVED_PG_PORT=15533 PAVED_GIT_PORT=29930 PAVED_KUBE_PORT=27443 PAVED_ETCD_PORT=23379 \
    PAVED_ETCD_PEER_PORT=23380 PAVED_KCM_PORT=21257 PAVED_SCHEDULER_PORT=21259 PAVED_KWOK_PORT=21247 \
    PAVED_VAULT_PORT=29200
  export PAVED_REGISTRY_PORT=26000 PAVED_GATEWAY_PORT=29900 PAVED_BUILDER_PORT=29940 \
    PAVED_NODE_INSTANCE=test2 PAVED_NODE_SUBNET=10.87.3 PAVED_POD_CIDR=10.91.0.0/16 PAVED_SERVICE_CIDR=10.99.0.0/16
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
  stage "Unit and integration tests (SQLite + PostgreSQL)" yarn test:unit --ci --watchAll=false "$@"
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
