# shellcheck shell=bash
# Paved local platform: a real Kubernetes control plane on loopback
# Needs scripts/lib/common.sh (port_open, live_pid) sourced first, as platform.sh does.
# (etcd + kube-apiserver + kube-controller-manager), built from source through
# the Go module proxy with the wrapper module in ../k8s-wrapper.
#
# Source this file, then call:
#   kubernetes_install   build the binaries into $PAVED_CACHE/kubernetes-<version>/ (cached)
#   kubernetes_start     start etcd, kube-apiserver, kube-controller-manager (idempotent)
#   kubernetes_stop      stop all three
#   kubernetes_status    one line per part: name, version, endpoint, healthy|down
#
# Environment (all optional; read when a function is called, not when sourced):
#   PAVED_RUN            runtime dir              (default: $PWD/.paved/run)
#   PAVED_CACHE          binary cache             (default: /var/cache/paved)
#   PAVED_ETCD_PORT      etcd client port         (default: 12379)
#   PAVED_ETCD_PEER_PORT etcd peer port           (default: 12380)
#   PAVED_KUBE_PORT      kube-apiserver port      (default: 16443)
#   PAVED_KCM_PORT       controller-manager port  (default: 10257, https, /healthz only)
#   PAVED_K8S_BUILD_JOBS go build -p             (default: 2)
#   PAVED_K8S_TIMEOUT    seconds to wait for each part to become healthy (default: 120)
#
# Files written under $PAVED_RUN:
#   kubeconfig                     admin kubeconfig (context "paved"; also context "paved-viewer")
#   kubernetes/admin-token         admin bearer token (user "paved-admin", group system:masters)
#   kubernetes/viewer-token        bearer token of user "paved-viewer" (no RBAC bindings at all)
#   kubernetes/certs/              ca.crt/ca.key, apiserver.crt/key, sa.key/sa.pub, tokens.csv
#   kubernetes/etcd/               etcd data
#   kubernetes/*.pid               pid files
#   logs/{etcd,kube-apiserver,kube-controller-manager}.log, logs/k8s-build-*.log

PAVED_K8S_VERSION="v1.37.2"   # must match k8s.io/kubernetes in ../k8s-wrapper/go.mod
PAVED_ETCD_VERSION="v3.7.0"   # must match go.etcd.io/etcd/server/v3 in ../k8s-wrapper/go.mod
_PAVED_K8S_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
_PAVED_K8S_WRAPPER="$(cd "$_PAVED_K8S_LIB_DIR/../k8s-wrapper" 2>/dev/null && pwd || echo "$_PAVED_K8S_LIB_DIR/../k8s-wrapper")"

# ---------------------------------------------------------------- helpers

_k8s_env() {
  : "${PAVED_RUN:=$PWD/.paved/run}"
  : "${PAVED_CACHE:=/var/cache/paved}"
  _K8S_BIN="$PAVED_CACHE/kubernetes-$PAVED_K8S_VERSION"
  _K8S_DIR="$PAVED_RUN/kubernetes"
  _K8S_CERTS="$_K8S_DIR/certs"
  _K8S_LOGS="$PAVED_RUN/logs"
  _K8S_ETCD_PORT="${PAVED_ETCD_PORT:-12379}"
  _K8S_ETCD_PEER_PORT="${PAVED_ETCD_PEER_PORT:-12380}"
  _K8S_API_PORT="${PAVED_KUBE_PORT:-16443}"
  _K8S_KCM_PORT="${PAVED_KCM_PORT:-10257}"
  _K8S_TIMEOUT="${PAVED_K8S_TIMEOUT:-120}"
}

_k8s_log() { echo "[kubernetes] $*" >&2; }

# Install Debian packages only for tools that are missing.
_k8s_need_tools() {
  local missing=() t pkg
  for t in "$@"; do
    command -v "$t" >/dev/null 2>&1 && continue
    case "$t" in
      setsid) pkg=util-linux ;;
      go) pkg=golang-go ;;
      *) pkg="$t" ;;
    esac
    missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  _k8s_log "installing missing tools: ${missing[*]}"
  if [ -z "${_K8S_APT_UPDATED:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || return 1
    _K8S_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

_k8s_healthy() {
  case "$1" in
    etcd)
      curl -sf -m 3 "http://127.0.0.1:$_K8S_ETCD_PORT/health" 2>/dev/null | grep -q '"health":"true"' ;;
    kube-apiserver)
      [ -f "$_K8S_DIR/admin-token" ] || return 1
      [ "$(curl -s -m 3 --cacert "$_K8S_CERTS/ca.crt" -H "Authorization: Bearer $(cat "$_K8S_DIR/admin-token")" \
          "https://127.0.0.1:$_K8S_API_PORT/readyz" 2>/dev/null)" = "ok" ] ;;
    kube-controller-manager)
      [ "$(curl -sk -m 3 "https://127.0.0.1:$_K8S_KCM_PORT/healthz" 2>/dev/null)" = "ok" ] ;;
  esac
}

# Start binary in its own session (survives the caller's shell), pid file written by the child itself.
_k8s_spawn() {
  local name="$1"; shift
  local pidf="$_K8S_DIR/$name.pid" log="$_K8S_LOGS/$name.log"
  rm -f "$pidf"
  {
    echo "==== $(date -u +%FT%TZ) starting $name"
    echo "$*"
  } >>"$log"
  # shellcheck disable=SC2016  # $$ and $@ are expanded by the child bash
  PIDF="$pidf" setsid bash -c 'echo $$ >"$PIDF"; exec "$@"' "$name" "$@" >>"$log" 2>&1 </dev/null &
  disown $! 2>/dev/null || true   # no "Killed" job notices in the caller's shell
  for _ in $(seq 1 50); do [ -s "$pidf" ] && return 0; sleep 0.1; done
  _k8s_log "$name: no pid file after 5 s (log: $log)"
  return 1
}

# Wait until part $1 (binary $2) is healthy; fail with the log's tail if it dies or times out.
_k8s_wait() {
  wait_healthy "$1" "$_K8S_DIR/$1.pid" "$2" "$_K8S_LOGS/$1.log" "$_K8S_TIMEOUT" _k8s_healthy "$1"
}

# Stop part $1 (binary $2).
_k8s_kill() { stop_process "$1" "$_K8S_DIR/$1.pid" "$2"; }

_k8s_rand() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# CA, serving cert, service-account key pair, tokens. Created once per $PAVED_RUN, then reused.
# shellcheck disable=SC2015  # "a && b || fail" is meant: fail if either step fails
_k8s_pki() {
  local c="$_K8S_CERTS"
  mkdir -p "$c" && chmod 700 "$c"
  if [ ! -s "$c/ca.crt" ] || [ ! -s "$c/ca.key" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj "/CN=paved-local-ca" \
      -keyout "$c/ca.key" -out "$c/ca.crt" >/dev/null 2>&1 || { _k8s_log "openssl: CA generation failed"; return 1; }
    rm -f "$c/apiserver.crt"
  fi
  if [ ! -s "$c/apiserver.crt" ] || [ ! -s "$c/apiserver.key" ]; then
    cat >"$c/apiserver.ext" <<'EOF'
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local
EOF
    openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=kube-apiserver" \
      -keyout "$c/apiserver.key" -out "$c/apiserver.csr" >/dev/null 2>&1 &&
      openssl x509 -req -in "$c/apiserver.csr" -CA "$c/ca.crt" -CAkey "$c/ca.key" -CAcreateserial \
        -days 3650 -sha256 -extfile "$c/apiserver.ext" -out "$c/apiserver.crt" >/dev/null 2>&1 ||
      { _k8s_log "openssl: apiserver certificate generation failed"; return 1; }
  fi
  if [ ! -s "$c/sa.key" ] || [ ! -s "$c/sa.pub" ]; then
    openssl genrsa -out "$c/sa.key" 2048 >/dev/null 2>&1 &&
      openssl rsa -in "$c/sa.key" -pubout -out "$c/sa.pub" >/dev/null 2>&1 ||
      { _k8s_log "openssl: service-account key generation failed"; return 1; }
  fi
  local f
  for f in admin-token viewer-token kcm-token; do
    [ -s "$_K8S_DIR/$f" ] || { _k8s_rand >"$_K8S_DIR/$f"; chmod 600 "$_K8S_DIR/$f"; }
  done
  {
    echo "$(cat "$_K8S_DIR/admin-token"),paved-admin,paved-admin,system:masters"
    echo "$(cat "$_K8S_DIR/viewer-token"),paved-viewer,paved-viewer"
    echo "$(cat "$_K8S_DIR/kcm-token"),system:kube-controller-manager,system:kube-controller-manager"
  } >"$c/tokens.csv"
  chmod 600 "$c/tokens.csv"
}

# kubeconfig $1 with token $2 (and optional second user "paved-viewer")
_k8s_kubeconfig() {
  local out="$1" token="$2" viewer="${3:-}" ca
  ca="$(base64 -w0 <"$_K8S_CERTS/ca.crt")"
  {
    cat <<EOF
apiVersion: v1
kind: Config
clusters:
- name: paved
  cluster:
    server: https://127.0.0.1:$_K8S_API_PORT
    certificate-authority-data: $ca
users:
- name: paved-admin
  user:
    token: $token
EOF
    [ -n "$viewer" ] && cat <<EOF
- name: paved-viewer
  user:
    token: $viewer
EOF
    cat <<EOF
contexts:
- name: paved
  context:
    cluster: paved
    user: paved-admin
EOF
    [ -n "$viewer" ] && cat <<EOF
- name: paved-viewer
  context:
    cluster: paved
    user: paved-viewer
EOF
    echo "current-context: paved"
  } >"$out.tmp"
  chmod 600 "$out.tmp"
  mv "$out.tmp" "$out"
}

# ---------------------------------------------------------------- install

kubernetes_install() {
  _k8s_env
  local bins=(etcd kube-apiserver kube-controller-manager) b missing=()
  for b in "${bins[@]}"; do [ -x "$_K8S_BIN/$b" ] || missing+=("$b"); done
  [ "${#missing[@]}" -eq 0 ] && return 0

  mkdir -p "$_K8S_LOGS" "$_K8S_BIN" || return 1
  _k8s_need_tools go || { _k8s_log "cannot install Go"; return 1; }
  if [ ! -f "$_PAVED_K8S_WRAPPER/go.mod" ]; then
    _k8s_log "wrapper module not found at $_PAVED_K8S_WRAPPER"; return 1
  fi
  local gominor
  gominor="$(go env GOVERSION 2>/dev/null | sed -n 's/^go1\.\([0-9]*\).*/\1/p')"
  if [ -z "$gominor" ] || [ "$gominor" -lt 21 ]; then
    _k8s_log "Go >= 1.21 is needed (it fetches the go1.26 toolchain itself); found: $(go version 2>&1)"; return 1
  fi

  # measured on 2 busy cores: etcd 1.6 min, kube-apiserver 14 min, kube-controller-manager 7.4 min
  local mins=0
  for b in "${missing[@]}"; do
    case "$b" in etcd) mins=$((mins + 2)) ;; kube-apiserver) mins=$((mins + 14)) ;; *) mins=$((mins + 8)) ;; esac
  done
  _k8s_log "building Kubernetes $PAVED_K8S_VERSION from source (${missing[*]}), about $mins min the first time"

  local date major minor ldk lde v="${PAVED_K8S_VERSION#v}"
  date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  major="${v%%.*}"; minor="${v#*.}"; minor="${minor%%.*}"
  local vp
  ldk="-s -w"
  for vp in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldk="$ldk -X $vp.gitVersion=$PAVED_K8S_VERSION -X $vp.gitMajor=$major -X $vp.gitMinor=$minor"
    ldk="$ldk -X $vp.gitTreeState=clean -X $vp.buildDate=$date -X $vp.gitCommit=paved-$PAVED_K8S_VERSION"
  done
  lde="-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=paved-$PAVED_ETCD_VERSION"

  # Download modules first (its own step, so a network problem is told apart from a compile error).
  local log="$_K8S_LOGS/k8s-build-download.log" t0=$SECONDS
  if ! (cd "$_PAVED_K8S_WRAPPER" && nice -n 19 go mod download -x >"$log" 2>&1); then
    _k8s_log "FAILED step: go mod download (log: $log)"; tail -n 15 "$log" >&2; return 1
  fi
  _k8s_log "modules downloaded in $((SECONDS - t0))s"

  for b in "${missing[@]}"; do
    local pkg ld
    case "$b" in
      etcd) pkg=go.etcd.io/etcd/server/v3; ld="$lde" ;;
      *) pkg="k8s.io/kubernetes/cmd/$b"; ld="$ldk" ;;
    esac
    log="$_K8S_LOGS/k8s-build-$b.log"; t0=$SECONDS
    _k8s_log "building $b ..."
    if ! (cd "$_PAVED_K8S_WRAPPER" &&
          CGO_ENABLED=0 nice -n 19 go build -mod=readonly -trimpath -p "${PAVED_K8S_BUILD_JOBS:-2}" \
            -ldflags "$ld" -o "$_K8S_BIN/.$b.tmp" "$pkg" >"$log" 2>&1); then
      _k8s_log "FAILED step: build $b (log: $log)"; tail -n 15 "$log" >&2
      rm -f "$_K8S_BIN/.$b.tmp"; return 1
    fi
    mv -f "$_K8S_BIN/.$b.tmp" "$_K8S_BIN/$b"
    _k8s_log "built $b in $((SECONDS - t0))s"
  done
}

# ---------------------------------------------------------------- start / stop / status

kubernetes_start() {
  _k8s_env
  _k8s_need_tools curl openssl setsid base64 || return 1
  local b
  for b in etcd kube-apiserver kube-controller-manager; do
    [ -x "$_K8S_BIN/$b" ] || { _k8s_log "$_K8S_BIN/$b missing: run kubernetes_install first"; return 1; }
  done
  mkdir -p "$_K8S_DIR" "$_K8S_LOGS" || return 1
  _k8s_pki || return 1

  # --- etcd
  if ! live_pid "$_K8S_DIR/etcd.pid" "$_K8S_BIN/etcd" >/dev/null; then
    if port_open "$_K8S_ETCD_PORT" || port_open "$_K8S_ETCD_PEER_PORT"; then
      _k8s_log "port $_K8S_ETCD_PORT or $_K8S_ETCD_PEER_PORT is taken by another process (not our etcd)"; return 1
    fi
    local nofsync=()
    "$_K8S_BIN/etcd" --help 2>&1 | grep -q -- '--unsafe-no-fsync' && nofsync=(--unsafe-no-fsync)
    mkdir -p "$_K8S_DIR/etcd" && chmod 700 "$_K8S_DIR/etcd"
    _k8s_spawn etcd "$_K8S_BIN/etcd" --name paved --data-dir "$_K8S_DIR/etcd" \
      --listen-client-urls "http://127.0.0.1:$_K8S_ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$_K8S_ETCD_PORT" \
      --listen-peer-urls "http://127.0.0.1:$_K8S_ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$_K8S_ETCD_PEER_PORT" \
      --initial-cluster "paved=http://127.0.0.1:$_K8S_ETCD_PEER_PORT" --listen-metrics-urls "" \
      --quota-backend-bytes 2147483648 --log-level warn "${nofsync[@]}" || return 1
  fi
  _k8s_wait etcd "$_K8S_BIN/etcd" || return 1

  # --- kube-apiserver
  if ! live_pid "$_K8S_DIR/kube-apiserver.pid" "$_K8S_BIN/kube-apiserver" >/dev/null; then
    if port_open "$_K8S_API_PORT"; then
      _k8s_log "port $_K8S_API_PORT is taken by another process (not our kube-apiserver)"; return 1
    fi
    _k8s_spawn kube-apiserver "$_K8S_BIN/kube-apiserver" \
      --etcd-servers "http://127.0.0.1:$_K8S_ETCD_PORT" \
      --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$_K8S_API_PORT" \
      --tls-cert-file "$_K8S_CERTS/apiserver.crt" --tls-private-key-file "$_K8S_CERTS/apiserver.key" \
      --client-ca-file "$_K8S_CERTS/ca.crt" \
      --requestheader-client-ca-file "$_K8S_CERTS/ca.crt" --requestheader-allowed-names front-proxy-client \
      --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
      --requestheader-extra-headers-prefix X-Remote-Extra- \
      --token-auth-file "$_K8S_CERTS/tokens.csv" \
      --authorization-mode RBAC \
      --service-account-issuer https://kubernetes.default.svc.cluster.local \
      --service-account-key-file "$_K8S_CERTS/sa.pub" \
      --service-account-signing-key-file "$_K8S_CERTS/sa.key" \
      --service-cluster-ip-range 10.96.0.0/16 --endpoint-reconciler-type none \
      --allow-privileged=true --profiling=false --v=1 || return 1
  fi
  _k8s_wait kube-apiserver "$_K8S_BIN/kube-apiserver" || return 1

  # kubeconfigs: admin (the one callers use) and the controller-manager's own
  _k8s_kubeconfig "$PAVED_RUN/kubeconfig" "$(cat "$_K8S_DIR/admin-token")" "$(cat "$_K8S_DIR/viewer-token")"
  _k8s_kubeconfig "$_K8S_DIR/kcm.kubeconfig" "$(cat "$_K8S_DIR/kcm-token")"

  # --- kube-controller-manager
  if ! live_pid "$_K8S_DIR/kube-controller-manager.pid" "$_K8S_BIN/kube-controller-manager" >/dev/null; then
    if port_open "$_K8S_KCM_PORT"; then
      _k8s_log "port $_K8S_KCM_PORT is taken by another process (not our kube-controller-manager)"; return 1
    fi
    local kc="$_K8S_DIR/kcm.kubeconfig"
    _k8s_spawn kube-controller-manager "$_K8S_BIN/kube-controller-manager" \
      --kubeconfig "$kc" --authentication-kubeconfig "$kc" --authorization-kubeconfig "$kc" \
      --leader-elect=false --bind-address 127.0.0.1 --secure-port "$_K8S_KCM_PORT" \
      --cert-dir "$_K8S_DIR/kcm-certs" \
      --controllers '*,-node-ipam-controller,-node-lifecycle-controller,-persistentvolume-attach-detach-controller,-persistentvolume-binder-controller,-persistentvolume-expander-controller,-ttl-controller' \
      --use-service-account-credentials=true \
      --service-account-private-key-file "$_K8S_CERTS/sa.key" \
      --root-ca-file "$_K8S_CERTS/ca.crt" \
      --cluster-signing-cert-file "$_K8S_CERTS/ca.crt" --cluster-signing-key-file "$_K8S_CERTS/ca.key" \
      --profiling=false --v=1 || return 1
  fi
  _k8s_wait kube-controller-manager "$_K8S_BIN/kube-controller-manager" || return 1
}

kubernetes_stop() {
  _k8s_env
  _k8s_kill kube-controller-manager "$_K8S_BIN/kube-controller-manager"
  _k8s_kill kube-apiserver "$_K8S_BIN/kube-apiserver"
  _k8s_kill etcd "$_K8S_BIN/etcd"
  return 0
}

# Prints one line per part; always returns 0 (grep the output for "down").
kubernetes_status() {
  _k8s_env
  local name ver ep h
  for name in etcd kube-apiserver kube-controller-manager; do
    case "$name" in
      etcd) ver="$PAVED_ETCD_VERSION"; ep="http://127.0.0.1:$_K8S_ETCD_PORT" ;;
      kube-apiserver) ver="$PAVED_K8S_VERSION"; ep="https://127.0.0.1:$_K8S_API_PORT" ;;
      kube-controller-manager) ver="$PAVED_K8S_VERSION"; ep="https://127.0.0.1:$_K8S_KCM_PORT" ;;
    esac
    h=down
    if live_pid "$_K8S_DIR/$name.pid" "$_K8S_BIN/$name" >/dev/null && _k8s_healthy "$name"; then h=healthy; fi
    printf '%-24s %-8s %-28s %s\n' "$name" "$ver" "$ep" "$h"
  done
  return 0
}
