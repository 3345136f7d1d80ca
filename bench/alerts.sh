#!/usr/bin/env bash
# Monitoring benchmark (issue 13): the time from a service's first error to its SLO alert
# reaching the portal, beside the rule's own `for`. It runs the browser acceptance
# (packages/app/e2e-tests/monitoring.test.ts) on the e2e platform, under the shared e2e lock:
# a fresh TypeScript service with a database, its login revoked (real 503s from /database)
# until the fast burn fires, then given back until the alert resolves. The spec records the
# timestamps (client's first 503, Prometheus' activeAt, the notification's created/updated
# times in the portal) into PAVED_BENCH_OUT; bench/alerts.ts prints them. Nothing is asserted
# on time.
#
#   PAVED_TEST_INSTANCE=3 bash bench/alerts.sh [rounds]     (default 1 round)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-1}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for i in $(seq 1 "$rounds"); do
  flock /tmp/paved-e2e.lock env PAVED_BENCH_OUT="$dir/round-$i.json" PAVED_TEST_ONLY=e2e \
    npm test -- monitoring.test.ts >"$dir/round-$i.log" 2>&1 ||
    { tail -n 60 "$dir/round-$i.log" >&2; exit 1; }
done
eval "$(bash scripts/paved env)"
node bench/alerts.ts "$dir"/round-*.json
echo "load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB"
