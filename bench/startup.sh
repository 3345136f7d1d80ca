#!/usr/bin/env bash
# Startup benchmark for the README's command 1 (`npm start` from the repo root).
#
#   bash bench/startup.sh            # cold, then warm, in a fresh clone
#   bash bench/startup.sh cold       # fresh clone (committed files only), first run
#   bash bench/startup.sh warm       # second run in that clone (everything installed)
#   BENCH_REPO=/work/main bash bench/startup.sh warm   # the working tree instead of the clone
#
# Cold: `git clone <this repo> $BENCH_CLONE` (only committed files), so no node_modules and
# no .paved; the machine-level caches are kept: yarn's global cache (~/.yarn/berry/cache)
# and $PAVED_CACHE (/var/cache/paved: the Node tarball, the TechDocs venv).
# Warm: the same command again, with everything installed (BENCH_WARM_RUNS times, default 3).
#
# It runs exactly `npm start`, on private ports so that it never collides with a running
# portal: scripts/paved already honours PAVED_RUN (a private run dir, so its git remote
# and pid files are not the portal's) and PAVED_GIT_PORT, and passes extra arguments to
# `yarn dev`, so the ports come from a config overlay:
#   PAVED_RUN=... PAVED_GIT_PORT=28930 npm start -- --config app-config.yaml --config <overlay>
# (backstage-cli repo start loads only the --config files given, hence app-config.yaml first).
#
# Reports, in seconds since `npm start` was launched: backend ready (readiness 200), app
# HTML served by the dev server, catalog API returning payments-service, and the catalog
# page showing payments-service in headless Chromium. Stops everything it started.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)   # the repo holding bench/
MODES=${1:-all}
WORK=${BENCH_WORK:-/tmp/paved-bench-startup}
CLONE=${BENCH_CLONE:-/tmp/bench-fresh}
APP_PORT=${BENCH_APP_PORT:-23000}
BACKEND_PORT=${BENCH_BACKEND_PORT:-27007}
GIT_PORT=${BENCH_GIT_PORT:-28930}
COLD_TIMEOUT=${BENCH_COLD_TIMEOUT:-2400}
WARM_TIMEOUT=${BENCH_WARM_TIMEOUT:-900}
ENTITY=${BENCH_ENTITY:-payments-service}
WARM_RUNS=${BENCH_WARM_RUNS:-3}

# The probe runs on the Node and playwright-core of the repo holding bench/ (not the one measured).
PROBE_NODE=$HERE/.paved/node/bin/node
[ -x "$PROBE_NODE" ] || { echo "Run 'bash scripts/paved env' in $HERE first (the probe needs its Node 22)." >&2; exit 1; }
[ -d "$HERE/node_modules/playwright-core" ] || { echo "playwright-core missing in $HERE/node_modules" >&2; exit 1; }

mkdir -p "$WORK"
RESULTS=$WORK/results.tsv
: >"$RESULTS"

starter_pgid=
run_dir=
probe_pid=
stop_all() {
  if [ -n "$probe_pid" ]; then
    kill -TERM "$probe_pid" 2>/dev/null || true
    sleep 1
    kill -KILL "$probe_pid" 2>/dev/null || true
    probe_pid=
  fi
  if [ -n "$starter_pgid" ] && kill -0 -- "-$starter_pgid" 2>/dev/null; then
    kill -TERM -- "-$starter_pgid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 -- "-$starter_pgid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$starter_pgid" 2>/dev/null || true
  fi
  # scripts/paved's git remote, from our private run dir (it is in the same process group,
  # this is the safety net).
  if [ -n "$run_dir" ] && [ -f "$run_dir/git-remote.pid" ]; then
    kill "$(cat "$run_dir/git-remote.pid")" 2>/dev/null || true
    rm -f "$run_dir/git-remote.pid"
  fi
  starter_pgid=
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_all
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$APP_PORT" "$BACKEND_PORT" "$GIT_PORT"; do
  if port_busy "$p"; then echo "Port $p is in use; set BENCH_APP_PORT/BENCH_BACKEND_PORT/BENCH_GIT_PORT." >&2; exit 1; fi
done

# A clean PATH for the measured command: what a newcomer's shell has, not this repo's .paved.
CLEAN_PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v -e '/\.paved/' -e '/node_modules/\.bin' -e 'techdocs-venv' | paste -sd: -)

# run_start LABEL REPO TIMEOUT: one measured `npm start`.
run_start() {
  local label=$1 repo=$2 timeout=$3
  local overlay=$WORK/overlay.yaml log=$WORK/$label.log
  run_dir=$WORK/run-$label
  rm -rf "$run_dir"
  mkdir -p "$run_dir"
  cat >"$overlay" <<YAML
# bench/startup.sh: the portal on private ports.
app:
  baseUrl: http://localhost:$APP_PORT
backend:
  baseUrl: http://localhost:$BACKEND_PORT
  listen:
    port: $BACKEND_PORT
  cors:
    origin: http://localhost:$APP_PORT
paved:
  gitRemote:
    baseUrl: http://localhost:$GIT_PORT
YAML
  printf '\n==> %s: npm start in %s (ports app %s, backend %s, git %s; log %s)\n' "$label" "$repo" "$APP_PORT" "$BACKEND_PORT" "$GIT_PORT" "$log" >&2
  local load_before
  load_before=$(cut -d' ' -f1 /proc/loadavg)
  local t0=$EPOCHREALTIME
  # Own session and process group, so that stopping it stops yarn, the dev servers and the git remote.
  # Every output line gets a timestamp (seconds since t0) for the phase breakdown.
  setsid -w bash -c '
    echo $$ >"$3/starter.pid"
    cd "$1" && PATH=$2 PAVED_RUN=$3 PAVED_GIT_PORT=$4 exec npm start -- --config "$1/app-config.yaml" --config "$5" 2>&1
  ' _ "$repo" "$CLEAN_PATH" "$run_dir" "$GIT_PORT" "$overlay" </dev/null |
    while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done >"$log" &
  local pipe_pid=$!
  # The starter (bash -c, then npm via exec) leads its own session and process group.
  local npm_pid=
  for _ in $(seq 1 100); do
    npm_pid=$(cat "$run_dir/starter.pid" 2>/dev/null || true)
    [ -n "$npm_pid" ] && break
    sleep 0.1
  done
  [ -n "$npm_pid" ] || { echo "the npm start process did not come up" >&2; return 1; }
  starter_pgid=$npm_pid

  local probe_json rc=0
  # In the background + wait, so that a signal to this script interrupts it at once.
  "$PROBE_NODE" "$HERE/bench/startup-probe.ts" --t0 "$t0" --app "http://localhost:$APP_PORT" \
    --backend "http://localhost:$BACKEND_PORT" --entity "$ENTITY" --timeout "$timeout" --pid "$npm_pid" \
    >"$WORK/$label.json" 2> >(tee -a "$WORK/$label.probe.log" >&2) &
  probe_pid=$!
  wait "$probe_pid" || rc=$?
  probe_pid=
  probe_json=$(tail -n 1 "$WORK/$label.json")
  local load_after
  load_after=$(cut -d' ' -f1 /proc/loadavg)
  stop_all
  wait "$pipe_pid" 2>/dev/null || true

  # Phase breakdown from scripts/paved's step lines.
  local t_install t_gitremote t_portal
  phase() { awk -v t0="$t0" -v pat="$1" 'index($0, pat) { printf "%.1f", $1 - t0; exit }' "$log"; }
  t_install=$(phase 'Installing JavaScript dependencies')
  t_gitremote=$(phase 'Starting the local git remote')
  t_portal=$(phase 'Starting the portal')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "${t_install:--}" "${t_gitremote:--}" "${t_portal:--}" \
    "$probe_json" "$load_before" "$load_after" "$rc" >>"$RESULTS"
  [ "$rc" = 0 ] || { echo "$label: the probe did not see everything within ${timeout}s (see $log, $WORK/$label.probe.log)" >&2; return 1; }
}

fresh_clone() {
  printf '\n==> git clone %s %s (committed files only)\n' "$HERE" "$CLONE" >&2
  rm -rf "$CLONE"
  local c0=$EPOCHREALTIME
  git clone --quiet "$HERE" "$CLONE"
  CLONE_SECONDS=$(awk -v a="$c0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  note_commit=$(git -C "$CLONE" log -1 --format='%h %s')
}

CLONE_SECONDS=-
note_commit=
failed=0
case "$MODES" in
  all | cold)
    fresh_clone
    run_start cold "$CLONE" "$COLD_TIMEOUT" || failed=1
    if [ "$MODES" = all ]; then
      for i in $(seq 1 "$WARM_RUNS"); do run_start "warm$i" "$CLONE" "$WARM_TIMEOUT" || failed=1; done
    fi
    ;;
  warm)
    repo=${BENCH_REPO:-$CLONE}
    [ -d "$repo/node_modules" ] || { echo "$repo has no node_modules: run 'bash bench/startup.sh cold' first (or set BENCH_REPO)." >&2; exit 1; }
    if [ "$repo" = "$HERE" ]; then
      # Never let the benchmark run `yarn install` in a tree someone else is working in.
      shopt -s nullglob
      inputs=$(cd "$repo" && cat yarn.lock package.json packages/*/package.json plugins/*/package.json | sha1sum | cut -c1-40)
      [ "$(cat "$repo/node_modules/.paved-install-stamp" 2>/dev/null)" = "$inputs" ] ||
        { echo "$repo's dependencies are not installed for its current package.json files; not measuring a warm start there." >&2; exit 1; }
    fi
    note_commit=$(git -C "$repo" log -1 --format='%h %s' 2>/dev/null || true)
    for i in $(seq 1 "$WARM_RUNS"); do run_start "warm$i" "$repo" "$WARM_TIMEOUT" || failed=1; done
    ;;
  *)
    echo "usage: bench/startup.sh [all|cold|warm]" >&2
    exit 2
    ;;
esac

# The table.
{
  echo
  echo "Startup benchmark: npm start (scripts/paved start) on private ports; seconds since launch."
  [ -n "$note_commit" ] && echo "Commit measured: $note_commit"
  [ "$CLONE_SECONDS" != - ] && echo "git clone: ${CLONE_SECONDS} s (not included below)"
  echo "Machine: $(nproc) cores, $(free -g | awk '/^Mem:/ { print $2 }') GB RAM, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo
  printf '| %-6s | %-14s | %-10s | %-15s | %-13s | %-8s | %-11s | %-12s | %-16s | %-14s | %-14s |\n' run "install starts" "git remote" "yarn dev starts" "backend ready" "app HTML" "catalog API" "catalog page" "All list: entity" "load 1m before" "load 1m after"
  printf '|--------|----------------|------------|-----------------|---------------|----------|-------------|--------------|------------------|----------------|----------------|\n'
  while IFS=$'\t' read -r label t_install t_git t_portal json lb la rc; do
    field() { printf '%s' "$json" | "$PROBE_NODE" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{const v=JSON.parse(s)[process.argv[1]];process.stdout.write(v==null?"-":typeof v==="number"?v.toFixed(1):String(v))}catch{process.stdout.write("-")}})' "$1"; }
    printf '| %-6s | %-14s | %-10s | %-15s | %-13s | %-8s | %-11s | %-12s | %-16s | %-14s | %-14s |\n' "$label" "$t_install" "$t_git" "$t_portal" \
      "$(field ready)" "$(field html)" "$(field api)" "$(field page)" "$(field pageAll)" "$lb" "$la"
  done <"$RESULTS"
  echo
  echo "install starts = scripts/paved's 'Installing JavaScript dependencies' step ('-' = already installed);"
  echo "git remote / yarn dev starts = its 'Starting the local git remote' / 'Starting the portal' steps;"
  echo "backend ready = /.backstage/health/v1/readiness 200; app HTML = dev server serves index.html;"
  echo "catalog API = GET /api/catalog/entities/by-name/component/default/$ENTITY 200 (guest token);"
  echo "catalog page = headless Chromium (launched once the HTML is served; clicks the guest 'Enter') shows the catalog"
  echo "table with entities (the guest's Owned components); All list: entity = after a click on 'All', '$ENTITY' is listed."
  echo "Logs: $WORK/<run>.log (timestamped npm start output), $WORK/<run>.json (probe), $WORK/run-<run>/logs"
}
exit "$failed"
