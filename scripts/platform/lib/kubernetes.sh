# shellcheck shell=bash
# Paved local platform: a real Kubernetes control plane on loopback
# (etcd + kube-apiserver + kube-controller-manager + kube-scheduler), built from source
# through the Go module proxy with the wrapper module in ../k8s-wrapper. The node that runs
# the Pods (kubelet, kube-proxy, containerd) is in node.sh. KWOK (../kwok-wrapper) can add
# fake nodes for scale benchmarks (PAVED_KWOK_NODES, default 0: kwok is neither built nor
# started); they carry the taint kwok.x-k8s.io/node=fake:NoSchedule, so that no real
# workload lands on them.
# Needs scripts/lib/common.sh (port_open, live_pid, wait_healthy, stop_process) sourced
# first, as platform.sh does.
#
# Source this file, then call:
#   kubernetes_install   build the binaries into $PAVED_CACHE/kubernetes-<version>/ and, when
#                        fake nodes are asked for, $PAVED_CACHE/kwok-<version>/ (cached)
#   kubernetes_start     start etcd, kube-apiserver, kube-controller-manager, kube-scheduler and,
#                        with PAVED_KWOK_NODES > 0, kwok and its fake nodes (idempotent;
#                        restores a part that died)
#   kubernetes_stop      stop all of them
#   kubernetes_status    one line per part: name, version, endpoint, healthy|down
#
# Environment (all optional; read when a function is called, not when sourced):
#   PAVED_RUN            runtime dir              (default: $PWD/.paved/run)
#   PAVED_CACHE          binary cache             (default: /var/cache/paved)
#   PAVED_ETCD_PORT      etcd client port         (default: 12379)
#   PAVED_ETCD_PEER_PORT etcd peer port           (default: 12380)
#   PAVED_KUBE_PORT      kube-apiserver port      (default: 16443)
#   PAVED_KCM_PORT       controller-manager port  (default: 10257, https, /healthz only)
#   PAVED_SCHEDULER_PORT kube-scheduler port      (default: 10259, https, /healthz only)
#   PAVED_KWOK_PORT      kwok port                (default: 10247, http: /healthz, /metrics)
#   PAVED_KWOK_NODES     number of fake nodes     (default: 0; N gives paved-node-0 .. N-1, tainted)
#   PAVED_SERVICE_CIDR   Service ClusterIP range  (default: 10.96.0.0/16; a change wipes etcd's data)
#   PAVED_NODE_INSTANCE  the real node is paved-<instance> (default: dev); its token is made here
#   PAVED_K8S_BUILD_JOBS go build -p             (default: 2)
#   PAVED_K8S_TIMEOUT    seconds to wait for each part to become healthy (default: 120)
#
# Files written under $PAVED_RUN:
#   kubeconfig                     admin kubeconfig (context "paved"; also context "paved-viewer")
#   kubernetes/admin-token         admin bearer token (user "paved-admin", group system:masters)
#   kubernetes/{node,kube-proxy,coredns,gateway}-token  tokens of system:node:paved-<instance>
#                                  (group system:nodes), system:kube-proxy, paved-coredns and
#                                  paved-gateway
#   kubernetes/service-cidr        the service CIDR etcd's data was made with
#   kubernetes/viewer-token        bearer token of user "paved-viewer" (no RBAC bindings at all)
#   kubernetes/certs/              ca.crt/ca.key, apiserver.crt/key, sa.key/sa.pub, tokens.csv,
#                                  kubelet-client.crt/key (the apiserver's client cert for kubelets)
#   kubernetes/etcd/               etcd data
#   kubernetes/*.kubeconfig        the controller-manager's, scheduler's and kwok's kubeconfigs
#   kubernetes/kwok/               kwok's work dir (KWOK_WORKDIR)
#   kubernetes/*.pid               pid files
#   logs/{etcd,kube-apiserver,kube-controller-manager,kube-scheduler,kwok}.log, logs/k8s-build-*.log

PAVED_K8S_VERSION="v1.37.2"   # must match k8s.io/kubernetes in ../k8s-wrapper/go.mod
PAVED_ETCD_VERSION="v3.7.0"   # must match go.etcd.io/etcd/server/v3 in ../k8s-wrapper/go.mod
PAVED_KWOK_VERSION="v0.8.0"   # must match sigs.k8s.io/kwok in ../kwok-wrapper/go.mod
_PAVED_K8S_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
_PAVED_K8S_WRAPPER="$(cd "$_PAVED_K8S_LIB_DIR/../k8s-wrapper" 2>/dev/null && pwd || echo "$_PAVED_K8S_LIB_DIR/../k8s-wrapper")"
_PAVED_KWOK_WRAPPER="$(cd "$_PAVED_K8S_LIB_DIR/../kwok-wrapper" 2>/dev/null && pwd || echo "$_PAVED_K8S_LIB_DIR/../kwok-wrapper")"
# The order parts start in (and stop in, reversed).
_K8S_PARTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

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
  _K8S_SCHED_PORT="${PAVED_SCHEDULER_PORT:-10259}"
  _K8S_KWOK_PORT="${PAVED_KWOK_PORT:-10247}"
  _K8S_KWOK_NODES="${PAVED_KWOK_NODES:-0}"
  _K8S_SERVICE_CIDR="${PAVED_SERVICE_CIDR:-10.96.0.0/16}"
  _K8S_NODE_NAME="paved-${PAVED_NODE_INSTANCE:-dev}"
  _K8S_KWOK_BIN="$PAVED_CACHE/kwok-$PAVED_KWOK_VERSION"
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
    kube-scheduler)
      [ "$(curl -sk -m 3 "https://127.0.0.1:$_K8S_SCHED_PORT/healthz" 2>/dev/null)" = "ok" ] ;;
    kwok)
      [ "$(curl -s -m 3 "http://127.0.0.1:$_K8S_KWOK_PORT/healthz" 2>/dev/null)" = "ok" ] ;;
  esac
}

# The binary of part $1.
_k8s_bin() {
  case "$1" in
    kwok) echo "$_K8S_KWOK_BIN/kwok" ;;
    *) echo "$_K8S_BIN/$1" ;;
  esac
}

# curl the apiserver as paved-admin: _k8s_api METHOD PATH [curl args...]; prints the body,
# then the HTTP status on a line of its own.
_k8s_api() {
  local method="$1" path="$2"; shift 2
  curl -s -m 10 --cacert "$_K8S_CERTS/ca.crt" -H "Authorization: Bearer $(cat "$_K8S_DIR/admin-token")" \
    -X "$method" -w '\n%{http_code}\n' "$@" "https://127.0.0.1:$_K8S_API_PORT$path"
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

# _k8s_run NAME "PORT..." BINARY ARGS...: start part NAME unless it already runs with exactly
# this command line. One that runs with other flags (started by an older version of this
# file, or with other ports) is stopped and started again. Refuses ports another process holds.
_k8s_run() {
  local name="$1" ports="$2" pid p; shift 2
  if pid="$(live_pid "$_K8S_DIR/$name.pid" "$1")"; then
    [ "$(tr '\0' '\n' <"/proc/$pid/cmdline")" = "$(printf '%s\n' "$@")" ] && return 0
    _k8s_log "$name runs with other flags: restarting it"
    _k8s_kill "$name" "$1"
  fi
  for p in $ports; do
    if port_open "$p"; then
      _k8s_log "port $p is taken by another process (not our $name)"; return 1
    fi
  done
  if declare -F "_k8s_prestart_$name" >/dev/null; then "_k8s_prestart_$name" || return 1; fi
  _k8s_spawn "$name" "$@"
}

# Wait until part $1 (binary $2) is healthy; fail with the log's tail if it dies or times out.
_k8s_wait() {
  wait_healthy "$1" "$_K8S_DIR/$1.pid" "$2" "$_K8S_LOGS/$1.log" "$_K8S_TIMEOUT" _k8s_healthy "$1"
}

# Stop part $1 (binary $2).
_k8s_kill() { stop_process "$1" "$_K8S_DIR/$1.pid" "$2"; }

_k8s_rand() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# paved_cidr_ip CIDR N: the N-th address of CIDR's network (10.96.0.0/16 1 -> 10.96.0.1).
paved_cidr_ip() {
  local ip="${1%/*}" len="${1#*/}" a b c d n
  IFS=. read -r a b c d <<<"$ip"
  n=$(( ((a << 24) | (b << 16) | (c << 8) | d) & (0xffffffff << (32 - len)) & 0xffffffff ))
  n=$((n + $2))
  echo "$(( (n >> 24) & 255 )).$(( (n >> 16) & 255 )).$(( (n >> 8) & 255 )).$(( n & 255 ))"
}

# _k8s_sign NAME SUBJECT EXTENSIONS: a key and a certificate signed by the local CA, in
# $_K8S_CERTS/NAME.{key,crt}; made again when the extensions file changed.
_k8s_sign() {
  local c="$_K8S_CERTS" name="$1" subj="$2" ext="$3"
  if [ -s "$c/$name.crt" ] && [ -s "$c/$name.key" ] && [ "$(cat "$c/$name.ext" 2>/dev/null)" = "$ext" ]; then
    return 0
  fi
  printf '%s\n' "$ext" >"$c/$name.ext"
  openssl req -newkey rsa:2048 -nodes -sha256 -subj "$subj" \
    -keyout "$c/$name.key" -out "$c/$name.csr" >/dev/null 2>&1 &&
    openssl x509 -req -in "$c/$name.csr" -CA "$c/ca.crt" -CAkey "$c/ca.key" -CAcreateserial \
      -days 3650 -sha256 -extfile "$c/$name.ext" -out "$c/$name.crt" >/dev/null 2>&1 ||
    { _k8s_log "openssl: $name certificate generation failed"; rm -f "$c/$name.ext"; return 1; }
  chmod 600 "$c/$name.key"
}

# CA, serving cert, service-account key pair, tokens. Created once per $PAVED_RUN, then reused.
# shellcheck disable=SC2015  # "a && b || fail" is meant: fail if either step fails
_k8s_pki() {
  local c="$_K8S_CERTS"
  mkdir -p "$c" && chmod 700 "$c"
  if [ ! -s "$c/ca.crt" ] || [ ! -s "$c/ca.key" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj "/CN=paved-local-ca" \
      -keyout "$c/ca.key" -out "$c/ca.crt" >/dev/null 2>&1 || { _k8s_log "openssl: CA generation failed"; return 1; }
    rm -f "$c"/*.ext
  fi
  # Serving cert: 127.0.0.1 and the `kubernetes` Service's ClusterIP (the first address of the
  # service CIDR). The apiserver's client cert for the kubelets' API (logs, exec,
  # port-forward): node.sh binds it to ClusterRole system:kubelet-api-admin.
  _k8s_sign apiserver /CN=kube-apiserver "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:$(paved_cidr_ip "$_K8S_SERVICE_CIDR" 1),DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local" || return 1
  _k8s_sign kubelet-client /CN=kube-apiserver-kubelet-client "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth" || return 1
  if [ ! -s "$c/sa.key" ] || [ ! -s "$c/sa.pub" ]; then
    openssl genrsa -out "$c/sa.key" 2048 >/dev/null 2>&1 &&
      openssl rsa -in "$c/sa.key" -pubout -out "$c/sa.pub" >/dev/null 2>&1 ||
      { _k8s_log "openssl: service-account key generation failed"; return 1; }
  fi
  local f
  for f in admin-token viewer-token kcm-token scheduler-token kwok-token node-token kube-proxy-token coredns-token gateway-token monitoring-token; do
    [ -s "$_K8S_DIR/$f" ] || { _k8s_rand >"$_K8S_DIR/$f"; chmod 600 "$_K8S_DIR/$f"; }
  done
  # kwok plays the kubelets and must patch any Pod's and Node's status, impersonate, and
  # be exempt from API priority and fairness: group system:masters, as kwok's own
  # manifests do with a FlowSchema and a broad ClusterRole.
  {
    echo "$(cat "$_K8S_DIR/admin-token"),paved-admin,paved-admin,system:masters"
    echo "$(cat "$_K8S_DIR/viewer-token"),paved-viewer,paved-viewer"
    echo "$(cat "$_K8S_DIR/kcm-token"),system:kube-controller-manager,system:kube-controller-manager"
    echo "$(cat "$_K8S_DIR/scheduler-token"),system:kube-scheduler,system:kube-scheduler"
    echo "$(cat "$_K8S_DIR/kwok-token"),paved-kwok,paved-kwok,system:masters"
    # The real node (node.sh): the Node authorizer and NodeRestriction limit the kubelet to its
    # own Node and the Pods bound to it; bootstrap RBAC binds system:node-proxier to
    # system:kube-proxy; node.sh gives paved-coredns read access to Services and EndpointSlices.
    echo "$(cat "$_K8S_DIR/node-token"),system:node:$_K8S_NODE_NAME,system:node:$_K8S_NODE_NAME,system:nodes"
    echo "$(cat "$_K8S_DIR/kube-proxy-token"),system:kube-proxy,system:kube-proxy"
    echo "$(cat "$_K8S_DIR/coredns-token"),paved-coredns,paved-coredns"
    # The gateway (gateway.sh): may read Services, nothing else.
    echo "$(cat "$_K8S_DIR/gateway-token"),paved-gateway,paved-gateway"
    # Prometheus and the monitoring reconciler (prometheus.sh): read Services, Endpoints, Pods,
    # ServiceMonitors and PrometheusRules.
    echo "$(cat "$_K8S_DIR/monitoring-token"),paved-monitoring,paved-monitoring"
  } >"$c/tokens.csv.new"
  chmod 600 "$c/tokens.csv.new"
  # The apiserver reads tokens.csv only when it starts: remember a change (a run dir from
  # before a token was added), so that kubernetes_start restarts a running apiserver.
  if cmp -s "$c/tokens.csv.new" "$c/tokens.csv"; then
    rm -f "$c/tokens.csv.new"
  else
    mv -f "$c/tokens.csv.new" "$c/tokens.csv"
    _K8S_TOKENS_CHANGED=1
  fi
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

# Go on PATH, new enough to fetch the toolchain go.mod asks for.
_k8s_need_go() {
  _k8s_need_tools go || { _k8s_log "cannot install Go"; return 1; }
  local gominor
  gominor="$(go env GOVERSION 2>/dev/null | sed -n 's/^go1\.\([0-9]*\).*/\1/p')"
  if [ -z "$gominor" ] || [ "$gominor" -lt 21 ]; then
    _k8s_log "Go >= 1.21 is needed (it fetches the go1.26 toolchain itself); found: $(go version 2>&1)"; return 1
  fi
}

# _k8s_go_download WRAPPER LOGNAME: go mod download in a wrapper module (its own step, so a
# network problem is told apart from a compile error).
_k8s_go_download() {
  local wrapper="$1" log="$_K8S_LOGS/$2-build-download.log" t0=$SECONDS
  if [ ! -f "$wrapper/go.mod" ]; then
    _k8s_log "wrapper module not found at $wrapper"; return 1
  fi
  if ! (cd "$wrapper" && nice -n 19 go mod download -x >"$log" 2>&1); then
    _k8s_log "FAILED step: go mod download in $wrapper (log: $log)"; tail -n 15 "$log" >&2; return 1
  fi
  _k8s_log "modules downloaded in $((SECONDS - t0))s"
}

# _k8s_go_build WRAPPER PACKAGE LDFLAGS OUT LOGNAME: build one main package into OUT (atomically).
_k8s_go_build() {
  local wrapper="$1" pkg="$2" ld="$3" out="$4" log="$_K8S_LOGS/$5.log" t0=$SECONDS name
  name="$(basename "$out")"
  _k8s_log "building $name ..."
  if ! (cd "$wrapper" &&
        CGO_ENABLED=0 nice -n 19 go build -mod=readonly -trimpath -p "${PAVED_K8S_BUILD_JOBS:-2}" \
          -ldflags "$ld" -o "$out.tmp.$$" "$pkg" >"$log" 2>&1); then
    _k8s_log "FAILED step: build $name (log: $log)"; tail -n 15 "$log" >&2
    rm -f "$out.tmp.$$"; return 1
  fi
  mv -f "$out.tmp.$$" "$out"
  _k8s_log "built $name in $((SECONDS - t0))s"
}

# The -ldflags of every Kubernetes binary (node.sh builds the kubelet, kube-proxy and kubectl
# with it too): /version and --version report $PAVED_K8S_VERSION.
paved_k8s_ldflags() {
  local date major minor ldk vp v="${PAVED_K8S_VERSION#v}"
  date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  major="${v%%.*}"; minor="${v#*.}"; minor="${minor%%.*}"
  ldk="-s -w"
  for vp in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldk="$ldk -X $vp.gitVersion=$PAVED_K8S_VERSION -X $vp.gitMajor=$major -X $vp.gitMinor=$minor"
    ldk="$ldk -X $vp.gitTreeState=clean -X $vp.buildDate=$date -X $vp.gitCommit=paved-$PAVED_K8S_VERSION"
  done
  echo "$ldk"
}

kubernetes_install() {
  _k8s_env
  local bins=(etcd kube-apiserver kube-controller-manager kube-scheduler) b missing=() kwok=""
  for b in "${bins[@]}"; do [ -x "$_K8S_BIN/$b" ] || missing+=("$b"); done
  # kwok only for fake nodes (scale benchmarks): not built until PAVED_KWOK_NODES asks for it
  if [ "$_K8S_KWOK_NODES" -gt 0 ]; then
    { [ -x "$_K8S_KWOK_BIN/kwok" ] && [ -s "$_K8S_KWOK_BIN/stages.yaml" ]; } || kwok=1
  fi
  [ "${#missing[@]}" -eq 0 ] && [ -z "$kwok" ] && return 0

  mkdir -p "$_K8S_LOGS" "$_K8S_BIN" "$_K8S_KWOK_BIN" || return 1
  _k8s_need_go || return 1

  if [ "${#missing[@]}" -gt 0 ]; then
    # measured on 2 busy cores: etcd 1.6 min, kube-apiserver 14 min, kube-controller-manager 7.4 min;
    # kube-scheduler 41 s after them, 5.7 min alone (2 quieter cores)
    local mins=0
    for b in "${missing[@]}"; do
      case "$b" in
        etcd) mins=$((mins + 2)) ;;
        kube-apiserver) mins=$((mins + 14)) ;;
        kube-controller-manager) mins=$((mins + 8)) ;;
        *) mins=$((mins + 6)) ;;
      esac
    done
    _k8s_log "building Kubernetes $PAVED_K8S_VERSION from source (${missing[*]}), about $mins min the first time"

    local ldk lde
    ldk="$(paved_k8s_ldflags)"
    lde="-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=paved-$PAVED_ETCD_VERSION"

    _k8s_go_download "$_PAVED_K8S_WRAPPER" k8s || return 1
    for b in "${missing[@]}"; do
      case "$b" in
        etcd) _k8s_go_build "$_PAVED_K8S_WRAPPER" go.etcd.io/etcd/server/v3 "$lde" "$_K8S_BIN/$b" "k8s-build-$b" ;;
        *) _k8s_go_build "$_PAVED_K8S_WRAPPER" "k8s.io/kubernetes/cmd/$b" "$ldk" "$_K8S_BIN/$b" "k8s-build-$b" ;;
      esac || return 1
    done
  fi

  if [ -n "$kwok" ]; then
    _k8s_log "building KWOK $PAVED_KWOK_VERSION from source (kwok), about 2.5 min the first time"
    _k8s_go_download "$_PAVED_KWOK_WRAPPER" kwok || return 1
    if [ ! -x "$_K8S_KWOK_BIN/kwok" ]; then
      _k8s_go_build "$_PAVED_KWOK_WRAPPER" sigs.k8s.io/kwok/cmd/kwok \
        "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${PAVED_KWOK_VERSION#v}" "$_K8S_KWOK_BIN/kwok" kwok-build-kwok ||
        return 1
    fi
    # kwok itself has no built-in stages; these are the ones `kwokctl` gives a cluster by
    # default, from the same module: nodes become Ready and renew a Lease, Pods go Running
    # and Ready at once, Job Pods complete, deleted Pods go away.
    local src
    src="$(cd "$_PAVED_KWOK_WRAPPER" && go list -mod=readonly -m -f '{{.Dir}}' sigs.k8s.io/kwok)" || src=""
    if [ -z "$src" ] || [ ! -d "$src/kustomize/stage" ]; then
      _k8s_log "FAILED step: locating sigs.k8s.io/kwok in the module cache"; return 1
    fi
    (
      first=1
      for f in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease \
        pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete; do
        [ -n "$first" ] || echo "---"
        first=""
        cat "$src/kustomize/stage/$f.yaml" || exit 1
      done
    ) >"$_K8S_KWOK_BIN/stages.yaml.tmp.$$" ||
      { _k8s_log "FAILED step: copying kwok's default stages from $src"; rm -f "$_K8S_KWOK_BIN/stages.yaml.tmp.$$"; return 1; }
    mv -f "$_K8S_KWOK_BIN/stages.yaml.tmp.$$" "$_K8S_KWOK_BIN/stages.yaml"
  fi
}

# ---------------------------------------------------------------- fake nodes

# The fake nodes kwok manages: the annotation kwok selects them by, the labels a kubelet
# would set plus kwok's `type: kwok`, and room for a few hundred small Pods. They carry the
# taint kwok.x-k8s.io/node=fake:NoSchedule: real workloads go to the real node (node.sh);
# a benchmark that wants fake Pods tolerates it.
_K8S_KWOK_TAINT='{"key":"kwok.x-k8s.io/node","value":"fake","effect":"NoSchedule"}'
_k8s_node_json() {
  cat <<EOF
{"apiVersion":"v1","kind":"Node","metadata":{"name":"$1",
 "annotations":{"kwok.x-k8s.io/node":"fake","node.alpha.kubernetes.io/ttl":"0"},
 "labels":{"type":"kwok","kubernetes.io/hostname":"$1","kubernetes.io/os":"linux","kubernetes.io/arch":"amd64",
  "beta.kubernetes.io/os":"linux","beta.kubernetes.io/arch":"amd64","kubernetes.io/role":"agent","node-role.kubernetes.io/agent":""}},
 "spec":{"taints":[$_K8S_KWOK_TAINT]},
 "status":{"allocatable":{"cpu":"16","memory":"64Gi","ephemeral-storage":"100Gi","pods":"110"},
  "capacity":{"cpu":"16","memory":"64Gi","ephemeral-storage":"100Gi","pods":"110"}}}
EOF
}

# Node $1 is Ready and schedulable (the node-lifecycle-controller took its not-ready taint off;
# the kwok.x-k8s.io/node taint of fake nodes is expected).
_k8s_node_ready() {
  local node
  node="$(_k8s_api GET "/api/v1/nodes/$1" 2>/dev/null | tr -d ' \n')" || return 1
  grep -q '"type":"Ready","status":"True"' <<<"$node" &&
    ! grep -qE 'node\.kubernetes\.io/(not-ready|unreachable)' <<<"$node"
}

# Before kwok starts: delete the nodes' Leases. A new kwok process has a new holder identity
# and would otherwise wait for the old process's Leases to expire (40 s) before it plays the
# Pods on those nodes.
_k8s_prestart_kwok() {
  local i out code
  for ((i = 0; i < _K8S_KWOK_NODES; i++)); do
    out="$(_k8s_api DELETE "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/paved-node-$i" -o /dev/null)" || true
    code="$(tail -n 1 <<<"$out")"
    if [ "$code" != 200 ] && [ "$code" != 404 ]; then
      _k8s_log "deleting the Lease of paved-node-$i failed (HTTP $code)"; return 1
    fi
  done
}

# Fake nodes beyond PAVED_KWOK_NODES (e.g. the two an older version of this file made by
# default): delete them, so that nothing waits for a kwok that no longer runs.
_k8s_drop_fake_nodes() {
  local out name
  out="$(_k8s_api GET "/api/v1/nodes?labelSelector=type%3Dkwok")" || return 0
  [ "$(tail -n 1 <<<"$out")" = 200 ] || return 0
  for name in $(sed '$d' <<<"$out" | grep -o '"name":"paved-node-[0-9]*"' | cut -d'"' -f4 | sort -u); do
    [ "${name#paved-node-}" -lt "$_K8S_KWOK_NODES" ] && continue
    _k8s_log "deleting fake node $name (PAVED_KWOK_NODES=$_K8S_KWOK_NODES)"
    _k8s_api DELETE "/api/v1/nodes/$name" -o /dev/null >/dev/null || true
  done
}

# Create the missing fake nodes (taint an untainted one from an older version), then wait
# until each is Ready and schedulable.
_k8s_nodes() {
  local i name out code
  for ((i = 0; i < _K8S_KWOK_NODES; i++)); do
    name="paved-node-$i"
    out="$(_k8s_api GET "/api/v1/nodes/$name")" || true
    if [ "$(tail -n 1 <<<"$out")" = 200 ]; then
      if ! grep -q '"key": *"kwok.x-k8s.io/node"' <<<"$out"; then
        _k8s_api PATCH "/api/v1/nodes/$name" -H 'Content-Type: application/strategic-merge-patch+json' \
          --data-binary "{\"spec\":{\"taints\":[$_K8S_KWOK_TAINT]}}" -o /dev/null >/dev/null || true
      fi
      continue
    fi
    out="$(_k8s_node_json "$name" | _k8s_api POST /api/v1/nodes -H 'Content-Type: application/json' --data-binary @-)" || true
    code="$(tail -n 1 <<<"$out")"
    if [ "$code" != 201 ] && [ "$code" != 409 ]; then
      _k8s_log "creating node $name failed (HTTP $code): $(head -c 400 <<<"$out")"; return 1
    fi
  done
  for ((i = 0; i < _K8S_KWOK_NODES; i++)); do
    wait_healthy "node paved-node-$i" "$_K8S_DIR/kwok.pid" "$_K8S_KWOK_BIN/kwok" "$_K8S_LOGS/kwok.log" \
      "$_K8S_TIMEOUT" _k8s_node_ready "paved-node-$i" || return 1
  done
}

# ---------------------------------------------------------------- start / stop / status

kubernetes_start() {
  _k8s_env
  _k8s_need_tools curl openssl setsid base64 || return 1
  local b
  for b in "${_K8S_PARTS[@]}"; do
    [ "$b" = kwok ] && [ "$_K8S_KWOK_NODES" -eq 0 ] && continue
    [ -x "$(_k8s_bin "$b")" ] || { _k8s_log "$(_k8s_bin "$b") missing: run kubernetes_install first"; return 1; }
  done
  if [ "$_K8S_KWOK_NODES" -gt 0 ] && [ ! -s "$_K8S_KWOK_BIN/stages.yaml" ]; then
    _k8s_log "$_K8S_KWOK_BIN/stages.yaml missing: run kubernetes_install first"; return 1
  fi
  mkdir -p "$_K8S_DIR" "$_K8S_LOGS" || return 1
  _K8S_TOKENS_CHANGED=""
  _k8s_pki || return 1

  # The service CIDR is stored with etcd's data (the default ServiceCIDR object, every
  # Service's ClusterIP): when it changes (an instance that got its own range), etcd's data
  # is wiped rather than half migrated. Run dirs from before the variable assumed 10.96.0.0/16.
  local cidr_file="$_K8S_DIR/service-cidr" old_cidr
  if [ -d "$_K8S_DIR/etcd/member" ]; then
    old_cidr="$(cat "$cidr_file" 2>/dev/null || echo 10.96.0.0/16)"
    if [ "$old_cidr" != "$_K8S_SERVICE_CIDR" ]; then
      _k8s_log "service CIDR changed from $old_cidr to $_K8S_SERVICE_CIDR: wiping the cluster's data in $_K8S_DIR/etcd"
      kubernetes_stop
      rm -rf "$_K8S_DIR/etcd"
    fi
  fi
  echo "$_K8S_SERVICE_CIDR" >"$cidr_file"

  # --- etcd
  local nofsync=()
  "$_K8S_BIN/etcd" --help 2>&1 | grep -q -- '--unsafe-no-fsync' && nofsync=(--unsafe-no-fsync)
  mkdir -p "$_K8S_DIR/etcd" && chmod 700 "$_K8S_DIR/etcd"
  _k8s_run etcd "$_K8S_ETCD_PORT $_K8S_ETCD_PEER_PORT" "$_K8S_BIN/etcd" --name paved --data-dir "$_K8S_DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$_K8S_ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$_K8S_ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$_K8S_ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$_K8S_ETCD_PEER_PORT" \
    --initial-cluster "paved=http://127.0.0.1:$_K8S_ETCD_PEER_PORT" --listen-metrics-urls "" \
    --quota-backend-bytes 2147483648 --log-level warn "${nofsync[@]}" || return 1
  _k8s_wait etcd "$_K8S_BIN/etcd" || return 1

  # --- kube-apiserver (restarted when tokens.csv gained a token: it reads the file only at start)
  local api_before
  api_before="$(live_pid "$_K8S_DIR/kube-apiserver.pid" "$_K8S_BIN/kube-apiserver")" || api_before=""
  if [ -n "$_K8S_TOKENS_CHANGED" ] && live_pid "$_K8S_DIR/kube-apiserver.pid" "$_K8S_BIN/kube-apiserver" >/dev/null; then
    _k8s_log "tokens.csv changed: restarting kube-apiserver"
    _k8s_kill kube-apiserver "$_K8S_BIN/kube-apiserver"
  fi
  _k8s_run kube-apiserver "$_K8S_API_PORT" "$_K8S_BIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$_K8S_ETCD_PORT" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$_K8S_API_PORT" \
    --tls-cert-file "$_K8S_CERTS/apiserver.crt" --tls-private-key-file "$_K8S_CERTS/apiserver.key" \
    --client-ca-file "$_K8S_CERTS/ca.crt" \
    --requestheader-client-ca-file "$_K8S_CERTS/ca.crt" --requestheader-allowed-names front-proxy-client \
    --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
    --requestheader-extra-headers-prefix X-Remote-Extra- \
    --token-auth-file "$_K8S_CERTS/tokens.csv" \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
    --kubelet-client-certificate "$_K8S_CERTS/kubelet-client.crt" --kubelet-client-key "$_K8S_CERTS/kubelet-client.key" \
    --kubelet-certificate-authority "$_K8S_CERTS/ca.crt" --kubelet-preferred-address-types InternalIP \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$_K8S_CERTS/sa.pub" \
    --service-account-signing-key-file "$_K8S_CERTS/sa.key" \
    --service-cluster-ip-range "$_K8S_SERVICE_CIDR" --endpoint-reconciler-type none \
    --allow-privileged=true --profiling=false --v=1 || return 1
  _k8s_wait kube-apiserver "$_K8S_BIN/kube-apiserver" || return 1
  # Clients of an apiserver that has just been (re)started sit in client-go's back-off (up to
  # 30 s) after the refused connections and RBAC denials of its start-up, and Pods would wait
  # for the scheduler and kwok that long: start the clients afresh as well.
  if [ "$(live_pid "$_K8S_DIR/kube-apiserver.pid" "$_K8S_BIN/kube-apiserver")" != "$api_before" ]; then
    for b in kwok kube-scheduler kube-controller-manager; do _k8s_kill "$b" "$(_k8s_bin "$b")"; done
  fi

  # kubeconfigs: admin (the one callers use) and each component's own
  _k8s_kubeconfig "$PAVED_RUN/kubeconfig" "$(cat "$_K8S_DIR/admin-token")" "$(cat "$_K8S_DIR/viewer-token")"
  _k8s_kubeconfig "$_K8S_DIR/kcm.kubeconfig" "$(cat "$_K8S_DIR/kcm-token")"
  _k8s_kubeconfig "$_K8S_DIR/scheduler.kubeconfig" "$(cat "$_K8S_DIR/scheduler-token")"
  _k8s_kubeconfig "$_K8S_DIR/kwok.kubeconfig" "$(cat "$_K8S_DIR/kwok-token")"

  # --- kube-controller-manager. Its node-lifecycle-controller takes the not-ready taint
  # (set on every new Node) off a node once kwok reports it Ready, and taints and evicts
  # when kwok stops renewing the node's Lease, as with a real kubelet.
  local kc="$_K8S_DIR/kcm.kubeconfig"
  _k8s_run kube-controller-manager "$_K8S_KCM_PORT" "$_K8S_BIN/kube-controller-manager" \
    --kubeconfig "$kc" --authentication-kubeconfig "$kc" --authorization-kubeconfig "$kc" \
    --leader-elect=false --bind-address 127.0.0.1 --secure-port "$_K8S_KCM_PORT" \
    --cert-dir "$_K8S_DIR/kcm-certs" \
    --controllers '*,-node-ipam-controller,-persistentvolume-attach-detach-controller,-persistentvolume-binder-controller,-persistentvolume-expander-controller,-ttl-controller' \
    --use-service-account-credentials=true \
    --service-account-private-key-file "$_K8S_CERTS/sa.key" \
    --root-ca-file "$_K8S_CERTS/ca.crt" \
    --cluster-signing-cert-file "$_K8S_CERTS/ca.crt" --cluster-signing-key-file "$_K8S_CERTS/ca.key" \
    --profiling=false --v=1 || return 1
  _k8s_wait kube-controller-manager "$_K8S_BIN/kube-controller-manager" || return 1

  # --- kube-scheduler (user system:kube-scheduler, which the bootstrap RBAC policy provides for)
  local sc="$_K8S_DIR/scheduler.kubeconfig"
  _k8s_run kube-scheduler "$_K8S_SCHED_PORT" "$_K8S_BIN/kube-scheduler" \
    --kubeconfig "$sc" --authentication-kubeconfig "$sc" --authorization-kubeconfig "$sc" \
    --leader-elect=false --bind-address 127.0.0.1 --secure-port "$_K8S_SCHED_PORT" \
    --cert-dir "$_K8S_DIR/scheduler-certs" \
    --profiling=false --v=1 || return 1
  _k8s_wait kube-scheduler "$_K8S_BIN/kube-scheduler" || return 1

  # --- kwok: the kubelet of every node annotated kwok.x-k8s.io/node=fake, only when fake
  # nodes are asked for. Its own KWOK_WORKDIR keeps it from reading a ~/.kwok/kwok.yaml
  # that has nothing to do with us.
  if [ "$_K8S_KWOK_NODES" -eq 0 ]; then
    _k8s_kill kwok "$(_k8s_bin kwok)"
    _k8s_drop_fake_nodes
    return 0
  fi
  mkdir -p "$_K8S_DIR/kwok"
  KWOK_WORKDIR="$_K8S_DIR/kwok" _k8s_run kwok "$_K8S_KWOK_PORT" "$_K8S_KWOK_BIN/kwok" \
    --kubeconfig "$_K8S_DIR/kwok.kubeconfig" --config "$_K8S_KWOK_BIN/stages.yaml" \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
    --node-lease-duration-seconds 40 --node-ip 127.0.0.1 --cidr 10.244.0.0/16 \
    --server-address "127.0.0.1:$_K8S_KWOK_PORT" || return 1
  _k8s_wait kwok "$_K8S_KWOK_BIN/kwok" || return 1
  _k8s_drop_fake_nodes
  _k8s_nodes || return 1
}

kubernetes_stop() {
  _k8s_env
  local i name
  for ((i = ${#_K8S_PARTS[@]} - 1; i >= 0; i--)); do
    name="${_K8S_PARTS[$i]}"
    _k8s_kill "$name" "$(_k8s_bin "$name")"
  done
  return 0
}

# Prints one line per part, then one per fake node (healthy = Ready); always returns 0
# (grep the output for "down").
kubernetes_status() {
  _k8s_env
  local name ver ep h i
  for name in "${_K8S_PARTS[@]}"; do
    case "$name" in
      etcd) ver="$PAVED_ETCD_VERSION"; ep="http://127.0.0.1:$_K8S_ETCD_PORT" ;;
      kube-apiserver) ver="$PAVED_K8S_VERSION"; ep="https://127.0.0.1:$_K8S_API_PORT" ;;
      kube-controller-manager) ver="$PAVED_K8S_VERSION"; ep="https://127.0.0.1:$_K8S_KCM_PORT" ;;
      kube-scheduler) ver="$PAVED_K8S_VERSION"; ep="https://127.0.0.1:$_K8S_SCHED_PORT" ;;
      kwok)
        [ "$_K8S_KWOK_NODES" -eq 0 ] && continue   # not part of the platform without fake nodes
        ver="$PAVED_KWOK_VERSION"; ep="http://127.0.0.1:$_K8S_KWOK_PORT" ;;
    esac
    h=down
    if live_pid "$_K8S_DIR/$name.pid" "$(_k8s_bin "$name")" >/dev/null && _k8s_healthy "$name"; then h=healthy; fi
    printf '%-24s %-8s %-28s %s\n' "$name" "$ver" "$ep" "$h"
  done
  for ((i = 0; i < _K8S_KWOK_NODES; i++)); do
    h=down
    if live_pid "$_K8S_DIR/kwok.pid" "$_K8S_KWOK_BIN/kwok" >/dev/null && _k8s_node_ready "paved-node-$i"; then h=healthy; fi
    printf '%-24s %-8s %-28s %s\n' "node/paved-node-$i" "$PAVED_KWOK_VERSION" "fake node, kept by kwok" "$h"
  done
  return 0
}
