#!/usr/bin/env bash
# The fast and ui test tiers' wall and CPU time (issue 11: the fast tier in under a minute,
# without the platform; docs/decisions/0010).
#
#   bash bench/test-tiers.sh              # fast, then ui, once each
#   BENCH_TIERS=fast bash bench/test-tiers.sh
#
# Runs `PAVED_TEST_ONLY=<tier> npm test` as a newcomer would (the Jest transform cache in
# $PAVED_CACHE/jest is whatever an earlier run left: warm after any `npm test`), and prints per
# tier the wall time, the CPU time of every process it ran (user + system), the number of test
# files and tests, and the machine's load before and after. Starts nothing that outlives it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) CPUs, $(free -g | awk '/^Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for tier in ${BENCH_TIERS:-fast ui}; do
  load_before=$(cut -d' ' -f1 /proc/loadavg)
  log=$(mktemp)
  rc=0
  /usr/bin/time -f '%e %U %S' -o "$log.time" env PAVED_TEST_ONLY="$tier" npm test >"$log" 2>&1 || rc=$?
  read -r wall user sys <"$log.time"
  files=$(grep -Eo 'Test Suites: .*' "$log" | tail -1)
  tests=$(grep -Eo 'Tests: .*' "$log" | tail -1)
  printf '%-5s wall %6.1f s   cpu %6.1f s (user %.1f + sys %.1f)   load %s -> %s   %s; %s%s\n' \
    "$tier" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')" "$user" "$sys" "$load_before" \
    "$(cut -d' ' -f1 /proc/loadavg)" "$files" "$tests" "$([ $rc = 0 ] || echo "   FAILED (rc $rc): $log")"
  [ $rc = 0 ] && rm -f "$log" "$log.time"
done
