# shellcheck shell=bash
# The builder (../builder/server.ts): builds a service's image when its repository's `main`
# moves on the git remote, with buildah (chroot isolation, rootful), pushes it to the
# local registry and reports the build to the portal's builds API. Sourced; needs
# common.sh and Node 22+ on PATH.
#
#   builder_start    start it (harmless twice; restarts it if it stopped answering)
#   builder_stop     stop it; a build it was running is recorded failed
#   builder_status   one line: name, buildah version, endpoint, health
#
# Environment: PAVED_BUILDER_PORT (8940), PAVED_BUILD_TIMEOUT (600 s per build),
# PAVED_GIT_PORT (the git remote it clones from), PAVED_RUN.
# Files in $PAVED_RUN/builder: storage/ and runroot/ (buildah's; the layer cache), work/,
# builds/ (one JSON record per build, with its log), token (the static token it sends the
# portal, made once, mode 0600), portal-url (the portal it reports to; default
# http://127.0.0.1:7007), registries.conf (docker.io, gcr.io and registry.paved.local →
# the local registry). Log: $PAVED_RUN/logs/builder.log.

PAVED_BUILDER_PORT=${PAVED_BUILDER_PORT:-8940}

_builder_dir() { echo "$PAVED_RUN/builder"; }

builder_url() { echo "http://127.0.0.1:$PAVED_BUILDER_PORT"; }

# The static token the builder presents (app-config: backend.auth.externalAccess).
builder_token() {
  local dir
  dir=$(_builder_dir)
  if [ ! -s "$dir/token" ]; then
    mkdir -p "$dir"
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/token.tmp" && mv "$dir/token.tmp" "$dir/token")
  fi
  chmod 600 "$dir/token"
  cat "$dir/token"
}

builder_running() { live_pid "$(_builder_dir)/builder.pid" builder/server.ts >/dev/null; }

_builder_healthy() { curl -sf -m 3 -o /dev/null "$(builder_url)/healthz"; }

builder_start() {
  command -v buildah >/dev/null || apt_install buildah
  command -v git >/dev/null || apt_install git
  local dir log=$PAVED_RUN/logs/builder.log
  dir=$(_builder_dir)
  mkdir -p "$dir" "$PAVED_RUN/logs"
  builder_token >/dev/null
  [ -s "$dir/portal-url" ] || echo "http://127.0.0.1:7007" >"$dir/portal-url"
  if builder_running; then
    _builder_healthy && return 0
    note "the builder does not answer; restarting it"
    builder_stop
  fi
  port_open "$PAVED_BUILDER_PORT" && fail "port $PAVED_BUILDER_PORT is taken by another process (set PAVED_BUILDER_PORT)"
  echo "==== $(date -u +%FT%TZ) starting the builder on $(builder_url)" >>"$log"
  rm -f "$dir/builder.pid" # left by a builder that died
  # Its own session: a Ctrl-C in the terminal that ran `platform up` leaves it running.
  PIDF=$dir/builder.pid PAVED_RUN=$PAVED_RUN PAVED_BUILDER_DIR=$dir PAVED_BUILDER_PORT=$PAVED_BUILDER_PORT \
    PAVED_GIT_URL=http://127.0.0.1:${PAVED_GIT_PORT:-8930} PAVED_REGISTRY_PORT=${PAVED_REGISTRY_PORT:-15000} \
    PAVED_BUILD_TIMEOUT=${PAVED_BUILD_TIMEOUT:-600} \
    setsid bash -c 'echo $$ >"$PIDF"; exec "$@"' builder node "$PAVED_ROOT/scripts/platform/builder/server.ts" \
    >>"$log" 2>&1 </dev/null &
  for _ in $(seq 1 25); do [ -s "$dir/builder.pid" ] && break; sleep 0.1; done
  wait_healthy builder "$dir/builder.pid" builder/server.ts "$log" 30 _builder_healthy ||
    fail "starting the builder on $(builder_url)" "$log"
}

builder_stop() {
  stop_process builder "$(_builder_dir)/builder.pid" builder/server.ts
  _builder_unmount
}

# What buildah's storage leaves mounted once the builder is gone (a build's layers, the
# overlay driver's own mount of its directory): unmounted, deepest first, so that `down`
# leaves no mount behind and the run dir can be removed.
_builder_unmount() {
  local storage
  storage="$(_builder_dir)/storage"
  [ -d "$storage" ] || return 0
  buildah --root "$storage" --runroot "$(_builder_dir)/runroot" umount --all >/dev/null 2>&1 || true
  awk -v p="$storage/" 'index($2 "/", p) == 1 { print $2 }' /proc/self/mounts | sort -r |
    while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
}

builder_status() {
  local health=down body
  if body=$(curl -sf -m 3 "$(builder_url)/healthz" 2>/dev/null); then
    health="healthy ($(sed -n 's/.*"running":\([0-9]*\).*"queued":\([0-9]*\).*/\1 running, \2 queued/p' <<<"$body"))"
  fi
  printf '%-24s %-10s %-28s %s\n' builder "buildah $(buildah --version 2>/dev/null | awk '{print $3}')" "$(builder_url)" "$health"
}
