# shellcheck shell=bash
# Paved local platform: Prometheus and Alertmanager (Debian bookworm's packages), driven by the
# Prometheus Operator's ServiceMonitor and PrometheusRule objects (docs/decisions/0019).
# Needs common.sh, kubernetes.sh and node.sh (node_kubectl) sourced first, as platform.sh does.
#
#   prometheus_install      the two packages' binaries, extracted once into
#                           $PAVED_CACHE/prometheus-<version>/ and alertmanager-<version>/
#                           (apt-get download + dpkg-deb -x: no system service, no user)
#   prometheus_start        the CRDs (ServiceMonitor, PrometheusRule; vendored from
#                           prometheus-operator v0.85.0 in ../monitoring/crds), the reader's RBAC,
#                           Alertmanager, Prometheus and the reconciler (../monitoring/reconciler.ts)
#                           that writes Prometheus' scrape config and rule files from those objects
#   prometheus_stop         stop the three (their data stays)
#   prometheus_status       their lines for `platform status`
#   prometheus_bin NAME     path of prometheus|promtool|alertmanager|amtool (installs first)
#   prometheus_url, alertmanager_url
#   alertmanager_config URL TOKEN_FILE   its configuration (the webhook to the portal)
#   alertmanager_token      the static token Alertmanager sends the portal's alerts webhook
#                           (made once, mode 0600; app-config: backend.auth.externalAccess)
#
# Environment (read when a function is called):
#   PAVED_PROMETHEUS_PORT     (default 19090)  PAVED_ALERTMANAGER_PORT (default 19093)
#   PAVED_PROMETHEUS_SCRAPE_INTERVAL (default 15s; tests and benches set less)
#   PAVED_ALERTMANAGER_GROUP_WAIT, PAVED_ALERTMANAGER_GROUP_INTERVAL (10s, 1m; tests set less)
#   The portal Alertmanager posts to: $PAVED_RUN/builder/portal-url (the builder's; default
#   http://127.0.0.1:7007), route /api/deployments/alerts/alertmanager (docs/decisions/0026).
#
# Files under $PAVED_RUN: prometheus/{prometheus.yml,rules/,data/} (data kept across down/up;
# retention 31 d, the metrics API's longest window is 30 d), alertmanager/{alertmanager.yml,data/},
# logs/{prometheus,alertmanager,monitoring-reconciler}.log. Prometheus reaches the pods directly
# at their IPs on the node's bridge (routed from the host), as in-cluster Prometheus does.

PAVED_PROMETHEUS_DEB_VERSION=2.42.0+ds-5+deb12u1 # Debian bookworm
PAVED_ALERTMANAGER_DEB_VERSION=0.25.0-1+b4

_prom_env() {
  : "${PAVED_RUN:=$PWD/.paved/run}"
  : "${PAVED_CACHE:=/var/cache/paved}"
  _PROM_PORT=${PAVED_PROMETHEUS_PORT:-19090}
  _AM_PORT=${PAVED_ALERTMANAGER_PORT:-19093}
  _PROM_DIR=$PAVED_RUN/prometheus
  _AM_DIR=$PAVED_RUN/alertmanager
  _PROM_CACHE=$PAVED_CACHE/prometheus-${PAVED_PROMETHEUS_DEB_VERSION%%+*}
  _AM_CACHE=$PAVED_CACHE/alertmanager-${PAVED_ALERTMANAGER_DEB_VERSION%%-*}
}

_prom_log() { echo "[prometheus] $*" >&2; }

# The static token Alertmanager presents to the portal (subject paved-alertmanager).
alertmanager_token() {
  _prom_env
  if [ ! -s "$_AM_DIR/token" ]; then
    mkdir -p "$_AM_DIR"
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$_AM_DIR/token.tmp" && mv "$_AM_DIR/token.tmp" "$_AM_DIR/token")
  fi
  chmod 600 "$_AM_DIR/token"
  cat "$_AM_DIR/token"
}

# Where Alertmanager delivers: the portal the builder reports to (test.sh points both at the
# browser tests' backend).
_am_portal_url() {
  local url
  url=$(cat "$PAVED_RUN/builder/portal-url" 2>/dev/null) || true
  echo "${url:-http://127.0.0.1:7007}"
}

prometheus_url() { _prom_env; echo "http://127.0.0.1:$_PROM_PORT"; }
alertmanager_url() { _prom_env; echo "http://127.0.0.1:$_AM_PORT"; }

# _prom_extract PACKAGE VERSION DEST BIN...: the package's /usr/bin binaries into DEST.
_prom_extract() {
  local pkg=$1 version=$2 dest=$3 tmp b
  shift 3
  [ -x "$dest/$1" ] && return 0
  tmp=$(mktemp -d)
  # The pinned version, or (after a Debian security update replaced it) the candidate.
  if ! (cd "$tmp" && apt-get download -qq "$pkg=$version" >/dev/null 2>&1); then
    apt-get update -qq >/dev/null 2>&1 || true
    (cd "$tmp" && { apt-get download -qq "$pkg=$version" || apt-get download -qq "$pkg"; } >/dev/null 2>&1) ||
      { _prom_log "apt-get download $pkg failed"; rm -rf "$tmp"; return 1; }
  fi
  dpkg-deb -x "$tmp"/"${pkg}"_*.deb "$tmp/root" || { rm -rf "$tmp"; return 1; }
  mkdir -p "$dest.new"
  for b in "$@"; do cp "$tmp/root/usr/bin/$b" "$dest.new/" || { rm -rf "$tmp" "$dest.new"; return 1; }; done
  dpkg-deb -f "$tmp"/"${pkg}"_*.deb Version >"$dest.new/VERSION"
  [ -d "$tmp/root/usr/share/prometheus" ] && cp -a "$tmp/root/usr/share/prometheus" "$dest.new/share"
  rm -rf "$tmp" "$dest" && mv "$dest.new" "$dest"
}

prometheus_install() {
  _prom_env
  _prom_extract prometheus "$PAVED_PROMETHEUS_DEB_VERSION" "$_PROM_CACHE" prometheus promtool &&
    _prom_extract prometheus-alertmanager "$PAVED_ALERTMANAGER_DEB_VERSION" "$_AM_CACHE" prometheus-alertmanager amtool ||
    return 1
  # Debian's Alertmanager reads its notification templates from this fixed path (a Debian
  # patch; no flag moves it): the one thing installed outside the cache, as the package would.
  local share=/usr/share/prometheus/alertmanager
  if [ ! -s "$share/default.tmpl" ]; then
    mkdir -p "$share" && cp -a "$_AM_CACHE/share/alertmanager/." "$share/" ||
      { _prom_log "cannot write $share (Alertmanager's templates; needs root)"; return 1; }
  fi
}

prometheus_bin() {
  _prom_env
  prometheus_install >&2 || return 1
  case "$1" in
    prometheus | promtool) echo "$_PROM_CACHE/$1" ;;
    alertmanager) echo "$_AM_CACHE/prometheus-alertmanager" ;;
    amtool) echo "$_AM_CACHE/amtool" ;;
    *) return 1 ;;
  esac
}

_prom_healthy() { curl -sf -m 3 -o /dev/null "http://127.0.0.1:$_PROM_PORT/-/ready"; }
_am_healthy() { curl -sf -m 3 -o /dev/null "http://127.0.0.1:$_AM_PORT/-/ready"; }

# The reconciler's identity (user paved-monitoring, token from kubernetes.sh): it reads the
# two kinds; Prometheus, with the same token, discovers Services, Endpoints and Pods.
_prom_crds_and_rbac() {
  node_kubectl apply --server-side --field-manager paved-platform \
    -f "$PAVED_ROOT/scripts/platform/monitoring/crds/" >/dev/null || return 1
  # `kubectl wait` fails at once on a CRD the apiserver has not given a status yet (".status.conditions
  # accessor error"), so it is asked again until the two are Established or a minute has passed.
  local tries=0
  until node_kubectl wait --for condition=Established --timeout 10s \
    crd/servicemonitors.monitoring.coreos.com crd/prometheusrules.monitoring.coreos.com >/dev/null 2>&1; do
    tries=$((tries + 1))
    [ "$tries" -ge 6 ] && return 1
    sleep 2
  done
  node_kubectl apply -f - >/dev/null <<EOF
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "paved:monitoring"}
rules:
- apiGroups: [""]
  resources: [services, endpoints, pods, namespaces]
  verbs: [get, list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [get, list, watch]
- apiGroups: [monitoring.coreos.com]
  resources: [servicemonitors, prometheusrules]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "paved:monitoring"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "paved:monitoring"}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: paved-monitoring}]
EOF
}

# _prom_spawn NAME PIDFILE LOG CMD...: start CMD in its own session, its pid in PIDFILE.
_prom_spawn() {
  local name=$1 pidfile=$2 log=$3
  shift 3
  echo "==== $(date -u +%FT%TZ) starting $name" >>"$log"
  # shellcheck disable=SC2016  # $$ is the child's
  PIDF="$pidfile" setsid bash -c 'echo $$ >"$PIDF"; exec "$@"' "$name" "$@" >>"$log" 2>&1 </dev/null &
  disown $! 2>/dev/null || true
}

# alertmanager_config PORTAL_URL TOKEN_FILE: Alertmanager's configuration, every alert to the
# portal's webhook with the token in TOKEN_FILE (the platform's; alerts.platform.test.ts'
# Alertmanager gets the same with its own portal).
alertmanager_config() {
  cat <<EOF
# Written by scripts/platform/lib/prometheus.sh
route:
  receiver: portal
  group_by: [alertname, namespace, service]
  group_wait: ${PAVED_ALERTMANAGER_GROUP_WAIT:-10s}
  group_interval: ${PAVED_ALERTMANAGER_GROUP_INTERVAL:-1m}
  repeat_interval: 4h
receivers:
  - name: portal
    webhook_configs:
      - url: $1/api/deployments/alerts/alertmanager
        send_resolved: true
        max_alerts: 100
        http_config:
          authorization:
            type: Bearer
            credentials_file: $2
EOF
}

prometheus_start() {
  _prom_env
  prometheus_install || fail "installing Prometheus and Alertmanager (apt-get download)" "$PAVED_RUN/logs/apt.log"
  _prom_crds_and_rbac || fail "installing the ServiceMonitor and PrometheusRule CRDs"
  mkdir -p "$_PROM_DIR/data" "$_PROM_DIR/rules" "$_AM_DIR/data" "$PAVED_RUN/logs"
  local interval=${PAVED_PROMETHEUS_SCRAPE_INTERVAL:-15s}

  # Alertmanager: every alert to the portal's webhook (deployments backend, ReceiveAlerts),
  # which tells the owning group (docs/decisions/0026), resolutions included; HA gossip off
  # (it would bind 9094 on every address).
  alertmanager_token >/dev/null
  alertmanager_config "$(_am_portal_url)" "$_AM_DIR/token" >"$_AM_DIR/alertmanager.yml.new"
  local am_changed=""
  cmp -s "$_AM_DIR/alertmanager.yml.new" "$_AM_DIR/alertmanager.yml" || am_changed=1
  mv -f "$_AM_DIR/alertmanager.yml.new" "$_AM_DIR/alertmanager.yml"
  if [ -n "$am_changed" ] && live_pid "$_AM_DIR/alertmanager.pid" "$_AM_DIR/alertmanager.yml" >/dev/null; then
    alertmanager_stop_only
  fi
  if ! live_pid "$_AM_DIR/alertmanager.pid" "$_AM_DIR/alertmanager.yml" >/dev/null; then
    port_open "$_AM_PORT" && fail "port $_AM_PORT (Alertmanager's) is taken by another process (set PAVED_ALERTMANAGER_PORT)"
    _prom_spawn alertmanager "$_AM_DIR/alertmanager.pid" "$PAVED_RUN/logs/alertmanager.log" \
      "$_AM_CACHE/prometheus-alertmanager" --config.file "$_AM_DIR/alertmanager.yml" \
      --storage.path "$_AM_DIR/data" --web.listen-address "127.0.0.1:$_AM_PORT" \
      --cluster.listen-address "" --log.level info
  fi
  wait_healthy alertmanager "$_AM_DIR/alertmanager.pid" "$_AM_DIR/alertmanager.yml" \
    "$PAVED_RUN/logs/alertmanager.log" 30 _am_healthy || fail "Alertmanager did not start" "$PAVED_RUN/logs/alertmanager.log"

  # Prometheus starts on the last configuration the reconciler wrote (or a bare one); the
  # reconciler then converges it and reloads.
  [ -s "$_PROM_DIR/prometheus.yml" ] || printf 'global: {scrape_interval: %s}\nrule_files: ["%s/rules/*.yaml"]\n' \
    "$interval" "$_PROM_DIR" >"$_PROM_DIR/prometheus.yml"
  local want="--storage.tsdb.retention.time=31d --web.listen-address=127.0.0.1:$_PROM_PORT" pid
  if pid=$(live_pid "$_PROM_DIR/prometheus.pid" "$_PROM_DIR/prometheus.yml"); then
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$want" || prometheus_stop_only
  fi
  if ! live_pid "$_PROM_DIR/prometheus.pid" "$_PROM_DIR/prometheus.yml" >/dev/null; then
    port_open "$_PROM_PORT" && fail "port $_PROM_PORT (Prometheus') is taken by another process (set PAVED_PROMETHEUS_PORT)"
    # shellcheck disable=SC2086  # $want is two flags
    _prom_spawn prometheus "$_PROM_DIR/prometheus.pid" "$PAVED_RUN/logs/prometheus.log" \
      "$_PROM_CACHE/prometheus" --config.file="$_PROM_DIR/prometheus.yml" \
      --storage.tsdb.path="$_PROM_DIR/data" $want --web.enable-lifecycle --log.level=warn
  fi
  wait_healthy prometheus "$_PROM_DIR/prometheus.pid" "$_PROM_DIR/prometheus.yml" \
    "$PAVED_RUN/logs/prometheus.log" 60 _prom_healthy || fail "Prometheus did not start" "$PAVED_RUN/logs/prometheus.log"

  local mark="$PAVED_ROOT/scripts/platform/monitoring/reconciler.ts"
  if pid=$(live_pid "$PAVED_RUN/monitoring-reconciler.pid" "$mark"); then
    tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "PAVED_MONITORING_SCRAPE_INTERVAL=$interval" ||
      stop_process monitoring-reconciler "$PAVED_RUN/monitoring-reconciler.pid" "$mark"
  fi
  if ! live_pid "$PAVED_RUN/monitoring-reconciler.pid" "$mark" >/dev/null; then
    PAVED_KUBE_SERVER="https://127.0.0.1:${PAVED_KUBE_PORT:-16443}" \
      PAVED_KUBE_TOKEN_FILE="$PAVED_RUN/kubernetes/monitoring-token" \
      PAVED_KUBE_CA_FILE="$PAVED_RUN/kubernetes/certs/ca.crt" \
      PAVED_PROMETHEUS_URL="http://127.0.0.1:$_PROM_PORT" PAVED_PROMETHEUS_DIR="$_PROM_DIR" \
      PAVED_ALERTMANAGER_ADDRESS="127.0.0.1:$_AM_PORT" PAVED_PROMTOOL="$_PROM_CACHE/promtool" \
      PAVED_MONITORING_SCRAPE_INTERVAL="$interval" \
      _prom_spawn monitoring-reconciler "$PAVED_RUN/monitoring-reconciler.pid" \
      "$PAVED_RUN/logs/monitoring-reconciler.log" node "$mark"
  fi
  # Converged once the configuration names the Alertmanager (the bare one does not).
  local deadline=$((SECONDS + 30))
  until grep -q "127.0.0.1:$_AM_PORT" "$_PROM_DIR/prometheus.yml" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || fail "the monitoring reconciler did not write prometheus.yml" "$PAVED_RUN/logs/monitoring-reconciler.log"
    sleep 0.2
  done
  echo "http://127.0.0.1:$_PROM_PORT" >"$_PROM_DIR/url"
}

prometheus_stop_only() { _prom_env; stop_process prometheus "$_PROM_DIR/prometheus.pid" "$_PROM_DIR/prometheus.yml"; }
alertmanager_stop_only() { _prom_env; stop_process alertmanager "$_AM_DIR/alertmanager.pid" "$_AM_DIR/alertmanager.yml"; }

prometheus_stop() {
  _prom_env
  stop_process monitoring-reconciler "$PAVED_RUN/monitoring-reconciler.pid" "$PAVED_ROOT/scripts/platform/monitoring/reconciler.ts"
  prometheus_stop_only
  alertmanager_stop_only
}

prometheus_status() {
  _prom_env
  local h=down v
  v=$(cat "$_PROM_CACHE/VERSION" 2>/dev/null | sed 's/+.*//')
  live_pid "$_PROM_DIR/prometheus.pid" "$_PROM_DIR/prometheus.yml" >/dev/null && _prom_healthy && h=healthy
  printf '%-24s %-8s %-28s %s\n' prometheus "${v:-?}" "http://127.0.0.1:$_PROM_PORT" "$h"
  h=down
  v=$(cat "$_AM_CACHE/VERSION" 2>/dev/null | sed 's/-.*//')
  live_pid "$_AM_DIR/alertmanager.pid" "$_AM_DIR/alertmanager.yml" >/dev/null && _am_healthy && h=healthy
  printf '%-24s %-8s %-28s %s\n' alertmanager "${v:-?}" "http://127.0.0.1:$_AM_PORT" "$h"
  h=down
  live_pid "$PAVED_RUN/monitoring-reconciler.pid" "$PAVED_ROOT/scripts/platform/monitoring/reconciler.ts" >/dev/null && h=running
  printf '%-24s %-8s %-28s %s\n' monitoring-reconciler "node" "ServiceMonitor, PrometheusRule" "$h"
}
