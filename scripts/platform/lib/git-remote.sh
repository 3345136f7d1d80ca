# The local git remote that Create Service publishes to (git-remote/server.ts).
# Sourced; needs common.sh and Node 22+ on PATH. Repositories in $PAVED_RUN/git/repos.
# A push that moves main is announced to the builder (builder.sh) on $PAVED_BUILDER_PORT.

PAVED_GIT_PORT=${PAVED_GIT_PORT:-8930}

git_remote_running() { live_pid "$PAVED_RUN/git-remote.pid" git-remote/server.ts >/dev/null; }

git_remote_start() {
  if git_remote_running; then
    # One started before pushes were announced to the builder is replaced.
    grep -qz '^PAVED_BUILDER_URL=' "/proc/$(cat "$PAVED_RUN/git-remote.pid")/environ" 2>/dev/null && return 0
    git_remote_stop
  fi
  local pidfile=$PAVED_RUN/git-remote.pid
  mkdir -p "$PAVED_RUN/logs"
  PAVED_GIT_ROOT=$PAVED_RUN/git/repos PAVED_GIT_PORT=$PAVED_GIT_PORT \
    PAVED_BUILDER_URL=http://127.0.0.1:${PAVED_BUILDER_PORT:-8940} \
    node "$PAVED_ROOT/scripts/platform/git-remote/server.ts" >"$PAVED_RUN/logs/git-remote.log" 2>&1 &
  echo $! >"$pidfile"
  wait_for_http "git remote" "http://127.0.0.1:$PAVED_GIT_PORT/healthz" "$PAVED_RUN/logs/git-remote.log" 20
}

git_remote_stop() { stop_process git-remote "$PAVED_RUN/git-remote.pid" git-remote/server.ts; }

git_remote_status() {
  local health=down
  curl -sf -o /dev/null "http://127.0.0.1:$PAVED_GIT_PORT/healthz" && health=healthy
  printf '%-24s %-8s %-28s %s\n' git-remote "git $(git --version | cut -d' ' -f3)" "http://127.0.0.1:$PAVED_GIT_PORT" "$health"
}
