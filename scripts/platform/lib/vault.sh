# shellcheck shell=bash
# Paved local platform: a real HashiCorp Vault server (dev mode, in memory) on loopback,
# Needs scripts/lib/common.sh (port_open, live_pid) sourced first, as platform.sh does.
# built from the Go module proxy through the wrapper module in ../go/vault.
#
# Source this file, then call:
#   vault_install   build vault into $PAVED_CACHE/vault-<version>/vault if missing (cached)
#   vault_start     start the server if not healthy, then (always) run the idempotent setup
#   vault_stop      stop the server: no process left
#   vault_status    one line: name, version, endpoint, healthy|down
#   vault_bin       print the path of the vault binary
#
# Environment (all optional; read when a function is called, not when sourced):
#   PAVED_RUN              runtime dir                     (default: $PWD/.paved/run)
#   PAVED_CACHE            binary cache                    (default: /var/cache/paved)
#   PAVED_VAULT_PORT       listen port on 127.0.0.1        (default: 18200)
#   PAVED_VAULT_BUILD_JOBS go build -p                     (default: 2)
#   PAVED_VAULT_TIMEOUT    seconds to wait for health      (default: 60)
#
# Files under $PAVED_RUN:
#   vault/address       http://127.0.0.1:<port>
#   vault/root-token    root token (created once per $PAVED_RUN, reused by every restart)
#   vault/portal-token  token with policy paved-portal (same id after every restart)
#   vault/vault.pid     pid of the server
#   vault/paved-portal.hcl  the policy text
#   logs/vault.log, logs/vault-build.log
#
# What the setup does (on every start, idempotent; dev mode keeps nothing across restarts):
#   secret/  KV v2 (dev mode mounts it; re-created if missing)
#   kv1/     KV v1
#   approle/ AppRole auth method
#   policy paved-portal, and the portal token carrying it (orphan, renewable, 768h)

PAVED_VAULT_VERSION="1.14.2"      # must match github.com/hashicorp/vault in ../go/vault/go.mod
PAVED_VAULT_SDK_VERSION="v0.9.2"  # must match the github.com/hashicorp/vault/sdk replace there
_PAVED_VAULT_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
_PAVED_VAULT_WRAPPER="$_PAVED_VAULT_LIB_DIR/../go/vault"

_vault_env() {
  : "${PAVED_RUN:=$PWD/.paved/run}"
  : "${PAVED_CACHE:=/var/cache/paved}"
  _VAULT_BIN="$PAVED_CACHE/vault-$PAVED_VAULT_VERSION/vault"
  _VAULT_DIR="$PAVED_RUN/vault"
  _VAULT_LOGS="$PAVED_RUN/logs"
  _VAULT_PORT="${PAVED_VAULT_PORT:-18200}"
  _VAULT_ADDR="http://127.0.0.1:$_VAULT_PORT"
  _VAULT_TIMEOUT="${PAVED_VAULT_TIMEOUT:-60}"
}

_vault_log() { echo "[vault] $*" >&2; }

vault_bin() { _vault_env; echo "$_VAULT_BIN"; }

# ---------------------------------------------------------------- install

vault_install() {
  _vault_env
  if [ -x "$_VAULT_BIN" ] && "$_VAULT_BIN" version >/dev/null 2>&1; then
    return 0
  fi
  local log="$_VAULT_LOGS/vault-build.log" jobs="${PAVED_VAULT_BUILD_JOBS:-2}" out rc
  mkdir -p "$_VAULT_LOGS" "$(dirname "$_VAULT_BIN")" || { _vault_log "FAILED: mkdir $(dirname "$_VAULT_BIN")"; return 1; }
  if ! command -v go >/dev/null 2>&1; then
    _vault_log "FAILED: step 'find go': no Go toolchain on PATH (needs Go >= 1.20)"
    return 1
  fi
  if [ ! -f "$_PAVED_VAULT_WRAPPER/go.mod" ]; then
    _vault_log "FAILED: step 'find wrapper module': $_PAVED_VAULT_WRAPPER/go.mod is missing"
    return 1
  fi
  # One build at a time per cache (two `platform up` in parallel would both build otherwise).
  exec {_vault_lock}>"$(dirname "$_VAULT_BIN")/.build.lock"
  flock "$_vault_lock"
  if [ -x "$_VAULT_BIN" ] && "$_VAULT_BIN" version >/dev/null 2>&1; then
    flock -u "$_vault_lock"; exec {_vault_lock}>&-
    return 0
  fi
  echo "[vault] building HashiCorp Vault $PAVED_VAULT_VERSION from the Go module proxy: about 20-25 min on 2 cores (once; cached in $(dirname "$_VAULT_BIN")); log: $log" >&2
  out="$_VAULT_BIN.tmp.$$"
  local build="$(dirname "$_VAULT_BIN")/build"
  (
    set -o pipefail
    echo "==== $(date -u +%FT%TZ) vault $PAVED_VAULT_VERSION: go mod download"
    cd "$_PAVED_VAULT_WRAPPER" || exit 11
    go mod download github.com/hashicorp/vault 2>&1 || exit 11
    # Patched copy of the sdk (see the comment at the top of ../go/vault/go.mod).
    echo "==== $(date -u +%FT%TZ) patch sdk $PAVED_VAULT_SDK_VERSION"
    local sdkdir
    sdkdir="$(go mod download -json "github.com/hashicorp/vault/sdk@$PAVED_VAULT_SDK_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    [ -d "$sdkdir" ] || exit 15
    rm -rf "$build" && mkdir -p "$build" && cp -r "$sdkdir" "$build/sdk" && chmod -R u+w "$build/sdk" || exit 15
    sed -i 's|panic(fmt.Sprintf("Pattern %v defines a CreateOperation but no ExistenceCheck", p.Pattern))|_ = p // paved: assertion not in Vault 1.14'"'"'s own sdk|' \
      "$build/sdk/framework/backend.go" || exit 15
    ! grep -q 'but no ExistenceCheck' "$build/sdk/framework/backend.go" || exit 15
    sed "s|^\([[:space:]]*github.com/hashicorp/vault/sdk =>\).*|\1 $build/sdk|" go.mod >"$build/go.mod" || exit 15
    grep -q "sdk => $build/sdk" "$build/go.mod" || exit 15
    cp go.sum "$build/go.sum" || exit 15
    echo "==== $(date -u +%FT%TZ) go build"
    nice -n 19 go build -p "$jobs" -buildvcs=false -modfile="$build/go.mod" -mod=readonly -trimpath -ldflags "-s -w" \
      -o "$out" github.com/hashicorp/vault 2>&1 || exit 12
    echo "==== $(date -u +%FT%TZ) check"
    "$out" version 2>&1 || exit 13
    mv -f "$out" "$_VAULT_BIN" || exit 14
    rm -rf "$build"
    echo "==== $(date -u +%FT%TZ) done: $_VAULT_BIN"
  ) >>"$log" 2>&1
  rc=$?
  rm -f "$out"
  flock -u "$_vault_lock"; exec {_vault_lock}>&-
  if [ "$rc" -ne 0 ]; then
    local stepname
    case "$rc" in
      11) stepname="go mod download (wrapper module $_PAVED_VAULT_WRAPPER)" ;;
      12) stepname="go build github.com/hashicorp/vault" ;;
      13) stepname="run the built binary (vault version)" ;;
      15) stepname="prepare the patched sdk copy in $build" ;;
      *) stepname="move the binary into $_VAULT_BIN" ;;
    esac
    _vault_log "FAILED: step '$stepname'; log: $log"
    tail -n 15 "$log" >&2
    return 1
  fi
  _vault_log "built $_VAULT_BIN"
}

# ---------------------------------------------------------------- process helpers

# true if something accepts TCP connections on 127.0.0.1:$1
# pid of our server if the pid file names a live vault process
_vault_pid() { live_pid "$_VAULT_DIR/vault.pid" "vault server"; }

# GET /v1/sys/health: 200 = initialized, unsealed, active
_vault_healthy() {
  [ "$(curl -s -o /dev/null -w '%{http_code}' -m 3 "$_VAULT_ADDR/v1/sys/health" 2>/dev/null)" = "200" ]
}

_vault_rand() { head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# _vault_api METHOD PATH [JSON] -> prints body; returns 0 on 2xx; uses the root token
_vault_api() {
  local method="$1" path="$2" data="${3:-}" code body tmp
  tmp="$(mktemp)"
  if [ -n "$data" ]; then
    code="$(curl -s -m 10 -o "$tmp" -w '%{http_code}' -X "$method" -H "X-Vault-Token: $(cat "$_VAULT_DIR/root-token")" \
      -H 'Content-Type: application/json' --data "$data" "$_VAULT_ADDR/v1/$path")"
  else
    code="$(curl -s -m 10 -o "$tmp" -w '%{http_code}' -X "$method" -H "X-Vault-Token: $(cat "$_VAULT_DIR/root-token")" \
      "$_VAULT_ADDR/v1/$path")"
  fi
  body="$(cat "$tmp")"; rm -f "$tmp"
  printf '%s' "$body"
  case "$code" in 2??) return 0 ;; *) _vault_log "$method /v1/$path -> HTTP $code: $body"; return 1 ;; esac
}

# JSON string escape for the policy text
_vault_json_str() { python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))' 2>/dev/null ||
  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e ':a;N;$!ba;s/\n/\\n/g' -e 's/^/"/' -e 's/$/"/'; }

_vault_policy_text() {
  cat <<'EOF'
# paved-portal: what the Paved portal backend may do in Vault.
path "secret/*" {
  capabilities = ["create", "read", "update", "patch", "delete", "list"]
}
path "kv1/*" {
  capabilities = ["create", "read", "update", "patch", "delete", "list"]
}
path "sys/policies/acl" {
  capabilities = ["list"]
}
path "sys/policies/acl/*" {
  capabilities = ["create", "read", "update", "patch", "delete", "list"]
}
path "auth/token/create" {
  capabilities = ["create", "update", "sudo"]
}
path "auth/token/create/*" {
  capabilities = ["create", "update", "sudo"]
}
path "auth/token/create-orphan" {
  capabilities = ["create", "update", "sudo"]
}
# AppRole management (roles, role-ids, secret-ids)
path "auth/approle/*" {
  capabilities = ["create", "read", "update", "patch", "delete", "list"]
}
# read-only view of mounts, to tell KV v1 from KV v2
path "sys/mounts" {
  capabilities = ["read"]
}
path "sys/mounts/*" {
  capabilities = ["read"]
}
EOF
}

# Idempotent setup; runs on every vault_start.
_vault_setup() {
  local mounts auths policy
  mounts="$(_vault_api GET sys/mounts)" || { _vault_log "setup: cannot list mounts"; return 1; }
  if ! grep -q '"secret/"' <<<"$mounts"; then
    _vault_api POST sys/mounts/secret '{"type":"kv","options":{"version":"2"}}' >/dev/null ||
      { _vault_log "setup: mount KV v2 at secret/ failed"; return 1; }
  fi
  if ! grep -q '"kv1/"' <<<"$mounts"; then
    _vault_api POST sys/mounts/kv1 '{"type":"kv","options":{"version":"1"},"description":"KV v1 for tests"}' >/dev/null ||
      { _vault_log "setup: mount KV v1 at kv1/ failed"; return 1; }
  fi
  auths="$(_vault_api GET sys/auth)" || { _vault_log "setup: cannot list auth methods"; return 1; }
  if ! grep -q '"approle/"' <<<"$auths"; then
    _vault_api POST sys/auth/approle '{"type":"approle"}' >/dev/null ||
      { _vault_log "setup: enable approle auth failed"; return 1; }
  fi
  _vault_policy_text >"$_VAULT_DIR/paved-portal.hcl"
  policy="$(_vault_json_str <"$_VAULT_DIR/paved-portal.hcl")"
  _vault_api PUT sys/policies/acl/paved-portal "{\"policy\":$policy}" >/dev/null ||
    { _vault_log "setup: write policy paved-portal failed"; return 1; }
  # Portal token: same id across restarts, so a running portal keeps working.
  [ -s "$_VAULT_DIR/portal-token" ] || { echo "paved-portal-$(_vault_rand)" >"$_VAULT_DIR/portal-token"; chmod 600 "$_VAULT_DIR/portal-token"; }
  local ptok
  ptok="$(cat "$_VAULT_DIR/portal-token")"
  if ! _vault_api POST auth/token/lookup "{\"token\":\"$ptok\"}" >/dev/null 2>&1; then
    _vault_api POST auth/token/create-orphan \
      "{\"id\":\"$ptok\",\"policies\":[\"paved-portal\"],\"display_name\":\"paved-portal\",\"ttl\":\"768h\",\"renewable\":true}" >/dev/null ||
      { _vault_log "setup: create portal token failed"; return 1; }
  fi
  echo "$_VAULT_ADDR" >"$_VAULT_DIR/address"
}

# ---------------------------------------------------------------- start / stop / status

vault_start() {
  _vault_env
  mkdir -p "$_VAULT_DIR" "$_VAULT_LOGS" && chmod 700 "$_VAULT_DIR"
  [ -x "$_VAULT_BIN" ] || vault_install || return 1
  [ -s "$_VAULT_DIR/root-token" ] || { echo "paved-root-$(_vault_rand)" >"$_VAULT_DIR/root-token"; chmod 600 "$_VAULT_DIR/root-token"; }
  local pid log="$_VAULT_LOGS/vault.log"
  if pid="$(_vault_pid)"; then
    # ours and alive: healthy -> leave it; otherwise give it a moment, then restart
    local i
    for i in $(seq 1 25); do _vault_healthy && break; sleep 0.2; done
    if ! _vault_healthy; then
      _vault_log "vault (pid $pid) is not healthy; restarting"
      vault_stop
    fi
  fi
  if ! _vault_pid >/dev/null; then
    rm -f "$_VAULT_DIR/vault.pid"
    if port_open "$_VAULT_PORT"; then
      _vault_log "FAILED: port $_VAULT_PORT is in use by another process (set PAVED_VAULT_PORT)"
      return 1
    fi
    {
      echo "==== $(date -u +%FT%TZ) starting vault $PAVED_VAULT_VERSION (dev mode, in memory) on $_VAULT_ADDR"
    } >>"$log"
    PIDF="$_VAULT_DIR/vault.pid" setsid bash -c 'echo $$ >"$PIDF"; exec "$@"' vault \
      "$_VAULT_BIN" server -dev -dev-no-store-token \
      -dev-root-token-id="$(cat "$_VAULT_DIR/root-token")" \
      -dev-listen-address="127.0.0.1:$_VAULT_PORT" >>"$log" 2>&1 </dev/null &
    wait_healthy vault "$_VAULT_DIR/vault.pid" "vault server" "$log" "$_VAULT_TIMEOUT" _vault_healthy || return 1
  fi
  _vault_setup || { _vault_log "FAILED: setup (see messages above; server log: $log)"; return 1; }
}

vault_stop() {
  _vault_env
  stop_process vault "$_VAULT_DIR/vault.pid" "vault server"
}

vault_status() {
  _vault_env
  local version="$PAVED_VAULT_VERSION" state=down body v
  if _vault_healthy; then
    state=healthy
    body="$(curl -s -m 3 "$_VAULT_ADDR/v1/sys/health" 2>/dev/null)"
    v="$(sed -n 's/.*"version":"\([^"]*\)".*/\1/p' <<<"$body")"
    [ -n "$v" ] && version="$v"
  fi
  echo "vault $version $_VAULT_ADDR $state"
}
