#!/usr/bin/env bash
# Insights benchmark: DORA for the whole organisation over 90 days from the
# deployments database, with 100 services and 20,000 production deployments
# (and a build per deployment) written through the plugin's own stores.
#
#   bash bench/insights.sh                          # SQLite on disk and PostgreSQL 15
#   BENCH_DEPLOYMENTS=5000 BENCH_RUNS=20 bash bench/insights.sh
#
# Starts a private PostgreSQL (port 25832, data in a temporary run dir, never the
# portal's or the tests'), runs bench/insights.ts with the backend's TypeScript
# transform, prints the table, then stops PostgreSQL and removes the run dir.
set -euo pipefail
export PAVED_ROOT=${PAVED_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
cd "$PAVED_ROOT"
eval "$(bash scripts/paved env)"
source scripts/lib/common.sh
export PAVED_RUN=${BENCH_RUN:-/tmp/paved-bench-insights-run} PAVED_PG_PORT=25832
source scripts/platform/lib/postgres.sh
trap 'postgres_stop; rm -rf "$PAVED_RUN"' EXIT
postgres_start
node --require @backstage/cli/config/nodeTransform.cjs bench/insights.ts \
  --pg-url "$(postgres_url)" --work "$PAVED_RUN" "$@"
echo "$(nproc) cores, $(free -g | awk '/^Mem:/ { print $2 " GiB RAM" }'). Load after: $(cut -d' ' -f1-3 /proc/loadavg)."
