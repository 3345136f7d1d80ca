#!/usr/bin/env bash
# Every test of the repo, in the order that fails fastest. Called by
# `scripts/paved test` (npm test), which has already installed Node, the
# dependencies, the TechDocs generator and Chromium, and put them on PATH.
#
#   type check → lint → formatting → the local platform up → unit and
#   integration tests (backend on SQLite and PostgreSQL; Kubernetes, Vault,
#   OpenTofu) → Playwright in Chromium against the built app
#
# Set PAVED_TEST_ONLY to one of: static, fast, ui, unit, fault, e2e to run one stage. Arguments go to
# Jest, e.g. `PAVED_TEST_ONLY=unit npm test -- plugins/deployments-backend`, or with
# PAVED_TEST_ONLY=e2e to Playwright, e.g. `PAVED_TEST_ONLY=e2e npm test -- demo.test.ts`.
#
# The tiers (docs/decisions/0010), none of which starts the platform but unit, fault and e2e:
#   fast  the rules: Jest on the backend, node and common packages, leaving out
#         `*.platform.test.ts` and `*.fault.test.ts` (they need the local platform) and
#         `*.toolchain.test.ts` (they run the golden path's own toolchains: Go, npm, Python,
#         mkdocs). A fast test that asks for the platform fails (loadLocalPlatform), naming
#         the suffix to give its file.
#   ui    the frontend packages' component tests (jsdom, the Backstage app around them).
# `unit` (all but the fault tests) and the full run still run every test file, both tiers
# and the toolchain tests included.
set -euo pipefail
cd "$PAVED_ROOT"
source scripts/lib/common.sh
source scripts/platform/lib/postgres.sh

# Tests get their own platform (ports, data, credentials), apart from a portal or a
# `yarn platform up` you may be running.
export PAVED_RUN=$PAVED_ROOT/.paved/test-run
# PAVED_TEST_INSTANCE=2..4 (PAVED_TEST_SECOND_INSTANCE=1 is 2) runs another test platform beside
# the first (e.g. from another worktree). The browser tests' backend port (17007) is fixed (one
# e2e run at a time, under /tmp/paved-e2e.lock); their git remote is the instance's (PAVED_GIT_PORT).
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
# Monitoring (issue 13): Prometheus and Alertmanager; tests scrape every 2 s.
export PAVED_PROMETHEUS_PORT=$((29090 + o)) PAVED_ALERTMANAGER_PORT=$((29093 + o)) PAVED_PROMETHEUS_SCRAPE_INTERVAL=2s \
  PAVED_ALERTMANAGER_GROUP_WAIT=1s PAVED_ALERTMANAGER_GROUP_INTERVAL=5s
if [ "$k" = 1 ]; then
  export PAVED_NODE_INSTANCE=test PAVED_NODE_SUBNET=10.87.1 PAVED_POD_CIDR=10.89.0.0/16 PAVED_SERVICE_CIDR=10.97.0.0/16
else
  # dev 10.88/10.96, test 10.89/10.97, bench 10.90/10.98; test2 10.91/10.99, test3 10.92/10.100, ...
  export PAVED_NODE_INSTANCE=test$k PAVED_NODE_SUBNET=10.87.$((2 * k - 1)) \
    PAVED_POD_CIDR=10.$((89 + k)).0.0/16 PAVED_SERVICE_CIDR=10.$((97 + k)).0.0/16
fi
# The second cluster a platform test may start beside this one (`platform.sh second-cluster`,
# docs/decisions/0015): ports 50 above the instance's, node subnet 10.87.2x, pods 10.11x,
# Services 10.12x (dev 10.87.0/10.88/10.96, bench 10.87.2/10.90/10.98, tests 10.87.1-7/10.89-93/10.97-101).
export PAVED_SECOND_KUBE_PORT=$((26493 + o)) PAVED_SECOND_ETCD_PORT=$((22429 + o)) \
  PAVED_SECOND_ETCD_PEER_PORT=$((22430 + o)) PAVED_SECOND_KCM_PORT=$((20307 + o)) \
  PAVED_SECOND_SCHEDULER_PORT=$((20309 + o)) PAVED_SECOND_NODE_INSTANCE=${PAVED_NODE_INSTANCE}b \
  PAVED_SECOND_NODE_SUBNET=10.87.$((20 + k)) PAVED_SECOND_POD_CIDR=10.$((110 + k)).0.0/16 \
  PAVED_SECOND_SERVICE_CIDR=10.$((120 + k)).0.0/16
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

cleanup() {
  # A test that started the second cluster stops it; this is in case the test was killed.
  if [ -d "$PAVED_RUN/second-cluster" ]; then
    bash scripts/platform/platform.sh second-cluster down >/dev/null 2>&1 || true
    rm -rf "$PAVED_RUN/second-cluster/users" # the tests using it (testUtils/secondCluster.ts)
  fi
  bash scripts/platform/platform.sh down >/dev/null 2>&1 || true
}
trap cleanup EXIT

if [[ $only == all || $only == static ]]; then
  stage "Type check (tsc)" yarn tsc
  stage "Lint (backstage-cli repo lint)" yarn lint:all
  stage "Formatting (prettier)" yarn prettier:check
fi

case $only in
  all | static | fast | ui | unit | fault | e2e) ;;
  *) echo "PAVED_TEST_ONLY must be static, fast, ui, unit, fault or e2e (got '$only')" >&2 && exit 2 ;;
esac

# Jest's transform cache lives in $PAVED_CACHE/jest, so that a fresh clone's run starts warm
# (a cold one transforms every module first). Jest never evicts it: past 3 GiB it starts over.
# Another run (another worktree) may be reading or writing it: the old cache is moved aside
# first, in one rename, and a failure to remove it never stops this run.
if [ "$(du -sm "$PAVED_CACHE/jest" 2>/dev/null | cut -f1)" -gt 3072 ] 2>/dev/null; then
  old_cache="$PAVED_CACHE/jest.old.$$"
  if mv "$PAVED_CACHE/jest" "$old_cache" 2>/dev/null; then
    rm -rf "$old_cache" 2>/dev/null || true
  fi
fi

# The integration tests' PostgreSQL: the test platform's (it must be up).
use_test_postgres() {
  export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING
  BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING=$(postgres_url)
}

# The workspace packages of the frontend roles (the ui tier), or of every other role (fast).
projects() {
  node -e '
    const fs = require("fs");
    const ui = ["frontend", "frontend-plugin", "frontend-plugin-module", "web-library"];
    for (const dir of ["packages", "plugins"].flatMap(d => fs.readdirSync(d).map(p => `${d}/${p}`))) {
      if (!fs.existsSync(`${dir}/package.json`)) continue;
      const pkg = JSON.parse(fs.readFileSync(`${dir}/package.json`, "utf8"));
      if (ui.includes(pkg.backstage?.role) === (process.argv[1] === "ui")) console.log(pkg.name);
    }' "$1"
}

if [[ $only == fast || $only == ui ]]; then
  export PAVED_TEST_TIER=fast
  mapfile -t selected < <(projects "$only")
  if [[ $only == fast ]]; then
    title="Fast tests (the rules; no platform, no toolchains, no UI)"
  else
    title="UI tests (the frontend packages' components, in jsdom)"
  fi
  # Path filters ("$@") first: --selectProjects and --testPathIgnorePatterns take the words after them.
  stage "$title" yarn test:unit --ci --watchAll=false --cacheDirectory "$PAVED_CACHE/jest" \
    "$@" --selectProjects "${selected[@]}" --testPathIgnorePatterns /node_modules/ '\.(platform|fault|toolchain)\.test\.'
fi

if [[ $only == all || $only == unit ]]; then
  stage "Start the local platform (first run builds it: see README)" bash scripts/platform/platform.sh up
  use_test_postgres
  # --ci: a missing snapshot fails instead of being written.
  # *.fault.test.ts disrupt the platform (kill or restart its parts): they run alone, next.
  # The path filters ("$@") go before --testPathIgnorePatterns, which would take them as more patterns.
  stage "Unit and integration tests (SQLite + PostgreSQL)" yarn test:unit --ci --watchAll=false --cacheDirectory "$PAVED_CACHE/jest" \
    "$@" --testPathIgnorePatterns /node_modules/ '\.fault\.test\.ts$'
fi

# Faults: a node part killed mid-deploy, the portal and every platform part restarted (nothing
# lost). One suite at a time; skipped when the unit stage was given a Jest filter
# (`npm test -- <path>`); alone with PAVED_TEST_ONLY=fault.
if [[ $only == fault || ($only == all && $# -eq 0) ]]; then
  [[ $only == fault ]] && stage "Start the local platform" bash scripts/platform/platform.sh up
  use_test_postgres
  # Only *.fault.test.ts, narrowed by the path filters when given (Jest runs a file matching any
  # positional pattern, so the filters replace the default pattern and the rest is ignored).
  stage "Fault tests (node parts killed mid-deploy; everything restarted)" yarn test:unit --ci --watchAll=false --cacheDirectory "$PAVED_CACHE/jest" \
    --runInBand "${@:-\.fault\.test\.ts\$}" --testPathIgnorePatterns /node_modules/ '^(?!.*\.fault\.test\.ts$)'
fi

if [[ $only == all || $only == e2e ]]; then
  # The browser tests' backend provisions into the test platform (the unit stage starts it).
  [[ $only == e2e ]] && stage "Start the local platform" bash scripts/platform/platform.sh up
  stage "Build the app for the browser tests" quietly app-build yarn workspace app build
  # The browser tests' backend starts with an empty database each run (app-config.e2e.yaml),
  # while the test platform keeps its repositories: the demo's, from an earlier run, would be
  # repositories the catalog never heard of, so the demo seed starts afresh.
  rm -rf "$PAVED_RUN/git/repos/paved/orders-api.git" "$PAVED_RUN/git/repos/paved/ledger-api.git"
  # With PAVED_TEST_ONLY=e2e, arguments go to Playwright (e.g. a test file); otherwise to Jest.
  e2e_args=()
  [[ $only == e2e ]] && e2e_args=("$@")
  if ! stage "Browser tests (Playwright, Chromium)" yarn test:e2e "${e2e_args[@]}"; then
    note "Backend log of the browser tests: $PAVED_RUN/logs/e2e-backend.log (last lines below)"
    tail -n 40 "$PAVED_RUN/logs/e2e-backend.log" >&2 || true
    exit 1
  fi
fi

step "All tests passed in $((SECONDS - started)) s"
printf '    %s\n' "${timings[@]}"
