# shellcheck shell=bash
# Paved local platform: an OCI registry on loopback (Debian's docker-registry, i.e. the CNCF
# distribution registry 2.8), and the test image the platform's tests deploy.
# Needs scripts/lib/common.sh (apt_install, live_pid, wait_healthy, stop_process) sourced
# first, as platform.sh does.
#
# Source this file, then call:
#   registry_install         Debian docker-registry (and python3 for the image tool)
#   registry_start           start it unless healthy (restores it when dead), write
#                            $PAVED_RUN/registry/address, push the fixture images it lacks
#   registry_stop            stop it (its data stays)
#   registry_status          one line: name, version, endpoint, healthy|down
#   registry_address         print host:port
#
# Environment (all optional; read when a function is called, not when sourced):
#   PAVED_RUN             runtime dir                   (default: $PWD/.paved/run)
#   PAVED_REGISTRY_PORT   port on 127.0.0.1             (default: 15000)
#
# Files under $PAVED_RUN:
#   registry/data/        the registry's storage (kept across down/up)
#   registry/config.yml   its configuration; registry/http-secret
#   registry/address      127.0.0.1:<port>, for the portal, the builder and the tests
#   registry/registry.pid, logs/registry.log
#
# The node's containerd resolves registry.paved.local/<repo>, docker.io/<repo> and
# gcr.io/<repo> to <address>/<repo> (node.sh), so a repository here sits under the path its
# public name has: docker.io/library/node:22 is <address>/library/node:22.
#
# The fixture image <address>/paved/fixture-http:{ok,crash,unready}: static busybox, an HTTP
# server on $PORT (default 8080) answering /healthz and /readyz with 200 and
# {"status":"ok","version":"<$VERSION or fixture>"}; `crash` exits 1 at once, `unready`
# answers /readyz with 503. Sources in ../images/fixture-http; tests copy it to any
# repository with pushFixtureImage() (plugins/provisioning-node/src/testUtils).

_REGISTRY_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

_registry_env() {
  : "${PAVED_RUN:=$PWD/.paved/run}"
  : "${PAVED_CACHE:=/var/cache/paved}"
  _REG_DIR="$PAVED_RUN/registry"
  _REG_PORT="${PAVED_REGISTRY_PORT:-15000}"
  _REG_ADDR="127.0.0.1:$_REG_PORT"
  _REG_LOG="$PAVED_RUN/logs/registry.log"
}

_registry_log() { echo "[registry] $*" >&2; }

registry_address() { _registry_env; echo "$_REG_ADDR"; }

_registry_healthy() { curl -sf -m 3 -o /dev/null "http://$_REG_ADDR/v2/"; }

registry_install() {
  apt_install docker-registry python3 busybox-static curl
}

registry_start() {
  _registry_env
  mkdir -p "$_REG_DIR/data" "$PAVED_RUN/logs" || return 1
  [ -s "$_REG_DIR/http-secret" ] || { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$_REG_DIR/http-secret"; chmod 600 "$_REG_DIR/http-secret"; }
  cat >"$_REG_DIR/config.yml.new" <<EOF
# Written by scripts/platform/lib/registry.sh
version: 0.1
log:
  level: warn
  formatter: text
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $_REG_DIR/data
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: $_REG_ADDR
  secret: $(cat "$_REG_DIR/http-secret")
  headers:
    X-Content-Type-Options: [nosniff]
EOF
  local changed=""
  cmp -s "$_REG_DIR/config.yml.new" "$_REG_DIR/config.yml" || changed=1
  mv -f "$_REG_DIR/config.yml.new" "$_REG_DIR/config.yml"
  if live_pid "$_REG_DIR/registry.pid" "$_REG_DIR/config.yml" >/dev/null; then
    if [ -n "$changed" ] || ! _registry_healthy; then
      _registry_log "restarting (configuration changed or not answering)"
      registry_stop
    fi
  fi
  if ! live_pid "$_REG_DIR/registry.pid" "$_REG_DIR/config.yml" >/dev/null; then
    if port_open "$_REG_PORT"; then
      _registry_log "port $_REG_PORT is taken by another process (set PAVED_REGISTRY_PORT)"; return 1
    fi
    echo "==== $(date -u +%FT%TZ) starting docker-registry on $_REG_ADDR" >>"$_REG_LOG"
    # shellcheck disable=SC2016  # $$ is the child's
    PIDF="$_REG_DIR/registry.pid" setsid bash -c 'echo $$ >"$PIDF"; exec "$@"' registry \
      /usr/bin/docker-registry serve "$_REG_DIR/config.yml" >>"$_REG_LOG" 2>&1 </dev/null &
    disown $! 2>/dev/null || true
  fi
  wait_healthy registry "$_REG_DIR/registry.pid" "$_REG_DIR/config.yml" "$_REG_LOG" 30 _registry_healthy || return 1
  echo "$_REG_ADDR" >"$_REG_DIR/address"
  registry_push_fixtures
}

# The fixture image's three tags, pushed when missing or different from the sources (the
# image is deterministic, so an unchanged one is one HEAD request per tag).
registry_push_fixtures() {
  _registry_env
  local root="$PAVED_RUN/registry/fixture-rootfs" src="$_REGISTRY_LIB_DIR/../images" a v out hash stamp="$_REG_DIR/fixtures.pushed"
  # Quick path: the same sources were pushed before and every tag still points at the digest
  # pushed then.
  hash="$(cat "$src/mkimage.py" "$src/fixture-http/"* /bin/busybox 2>/dev/null | sha1sum | cut -c1-40)"
  if [ "$(head -n 1 "$stamp" 2>/dev/null)" = "$hash" ]; then
    local all=1 digest
    while read -r v digest; do
      [ "$(curl -sI -m 5 -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
        "http://$_REG_ADDR/v2/paved/fixture-http/manifests/$v" | tr -d '\r' |
        sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p')" = "$digest" ] || all=""
    done < <(tail -n +2 "$stamp")
    [ -n "$all" ] && [ "$(wc -l <"$stamp")" = 4 ] && return 0
  fi
  rm -rf "$root" "$stamp.new" && mkdir -p "$root/bin" "$root/etc" "$root/tmp" && chmod 1777 "$root/tmp" || return 1
  cp /bin/busybox "$root/bin/busybox" || { _registry_log "busybox-static missing (/bin/busybox)"; return 1; }
  for a in $(/bin/busybox --list); do
    [ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
  done
  cp "$src/fixture-http/fixture-http" "$src/fixture-http/fixture-http-handler" "$root/bin/" || return 1
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  for v in ok crash unready; do
    out="$(python3 "$src/mkimage.py" push "$root" "$_REG_ADDR" "paved/fixture-http:$v" \
      --entrypoint '["/bin/fixture-http"]' --env "FIXTURE_VARIANT=$v" --port 8080 2>&1)" ||
      { _registry_log "pushing paved/fixture-http:$v failed: $out"; rm -rf "$root"; return 1; }
    grep -q 'already there' <<<"$out" || _registry_log "pushed $out"
    echo "$v $(awk '{print $2}' <<<"$out")" >>"$stamp.new"
  done
  rm -rf "$root"
  { echo "$hash"; cat "$stamp.new"; } >"$stamp" && rm -f "$stamp.new"
}

registry_stop() {
  _registry_env
  stop_process registry "$_REG_DIR/registry.pid" "$_REG_DIR/config.yml"
}

registry_status() {
  _registry_env
  local h=down ver
  ver="$( (/usr/bin/docker-registry --version 2>/dev/null || true) | awk '{print $3}' | sed 's/+.*//; s/^v//')"
  if live_pid "$_REG_DIR/registry.pid" "$_REG_DIR/config.yml" >/dev/null && _registry_healthy; then h=healthy; fi
  printf '%-24s %-8s %-28s %s\n' registry "${ver:-?}" "http://$_REG_ADDR" "$h"
}
