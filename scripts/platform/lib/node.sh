# shellcheck shell=bash
# (Over 400 lines: the node is several parts that start, stop and restore together, and `down`
# must undo every host change they make; each part has its own function below.)
# Paved local platform: the node that runs the Pods, for real. kubelet and kube-proxy v1.37.2
# (built from the same wrapper module as the control plane, ../k8s-wrapper), containerd, runc
# and the CNI plugins from Debian, CoreDNS built from the Go module proxy, a pause image built
# here. Needs scripts/lib/common.sh, kubernetes.sh (for its CA, tokens and helpers) and
# registry.sh sourced first, as platform.sh does; start after kubernetes_start and
# registry_start.
#
# Source this file, then call:
#   node_install   Debian packages, kernel checks, kubelet/kube-proxy/kubectl and CoreDNS
#                  (cached in $PAVED_CACHE/kubernetes-<version>/ and coredns-<version>/), the
#                  static pause binary (cached by source hash)
#   node_start     network namespace, containerd, kubelet, kube-proxy, CoreDNS; idempotent:
#                  restores a part that died (or the whole namespace), restarts a part whose
#                  configuration changed
#   node_stop      drain the node, stop every part, undo every change on the host; the data
#                  of containerd (images) and of the node stays in $PAVED_RUN/node
#   node_status    one line per part (version, endpoint, healthy|down) and the node (Ready)
#   node_kubectl   kubectl v1.37.2 with the admin kubeconfig
#
# How it is isolated (see docs/platform/node.md):
#   - A network namespace paved-<instance> (/run/netns/paved-<instance>) with a veth to the
#     host: pv-<instance> = $PAVED_NODE_SUBNET.1/30 on the host, uplink0 = .2/30 inside (the
#     node IP). Inside, the bridge paved0 holds the pods (CNI bridge plugin, isGateway false,
#     ipMasq false, host-local IPAM on $PAVED_POD_CIDR; paved0 has its first address, the pods'
#     gateway and CoreDNS's address). ip_forward is set inside the namespace only. The
#     namespace has no default route: pods reach the node and each other, nothing beyond
#     the machine. A guard chain drops connections pods open towards the host.
#   - The host gets routes for the pod CIDR and the service CIDR via the node IP, so the host
#     (a browser, the portal) reaches Pod IPs and ClusterIPs. The host's global ip_forward
#     stays as it is (0): the namespace has no way out.
#   - containerd, kubelet, kube-proxy and CoreDNS run inside the namespace. The apiserver and
#     the registry listen on the host's 127.0.0.1 only; inside the namespace, 127.0.0.1:<same
#     port> is a socat relay over a unix socket to them. PostgreSQL too, for the pods: the
#     relay listens on the bridge address, <bridge>:5432, and its host end connects from
#     127.0.0.2, which PostgreSQL's pg_hba.conf holds to passwords (docs/decisions/0018).
#   - The kubelet also runs in its own mount namespace: read-only files over the kernel
#     tunables it would otherwise insist on writing (protectKernelDefaults), overlays over
#     /var/lib and /var/log for the paths it hard-codes. Its pods' cgroups are under
#     /paved-<instance> in every cgroup hierarchy.
#   - Identities: the kubelet is system:node:paved-<instance> (group system:nodes; Node
#     authorizer + NodeRestriction), kube-proxy is system:kube-proxy, CoreDNS paved-coredns.
#     The kubelet's API: no anonymous access, webhook authentication and authorization,
#     serving cert from the local CA; the apiserver's client cert kube-apiserver-kubelet-client
#     is bound to system:kubelet-api-admin.
#
# Environment (all optional; read when a function is called, not when sourced):
#   PAVED_NODE_INSTANCE  instance name: node paved-<it>, netns paved-<it>   (default: dev)
#   PAVED_NODE_SUBNET    first three octets of the veth /30                  (default: 10.87.0)
#   PAVED_POD_CIDR       Pod IPs                                            (default: 10.88.0.0/16)
#   PAVED_SERVICE_CIDR   ClusterIPs (also the apiserver's flag)             (default: 10.96.0.0/16)
#   PAVED_NODE_TIMEOUT   seconds to wait for each part                      (default: 120)
#   plus PAVED_RUN, PAVED_CACHE, PAVED_KUBE_PORT, PAVED_REGISTRY_PORT as the other parts.
#
# Files under $PAVED_RUN/node: containerd/ (config, root = images and snapshots, state),
# kubelet/ (config, root, kubeconfig), kube-proxy/, coredns/, cni/ (network config, IPAM),
# relay/ (unix sockets), pod-logs/, *.pid. Logs: $PAVED_RUN/logs/{containerd,kubelet,
# kube-proxy,coredns,relay-*}.log, node-build-*.log.

PAVED_COREDNS_VERSION="v1.15.0"   # github.com/coredns/coredns on the Go module proxy
_PAVED_NODE_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
_PAVED_IMAGES_DIR="$(cd "$_PAVED_NODE_LIB_DIR/../images" && pwd)"
_NODE_BINS=(kubelet kube-proxy kubectl)
# Processes, in the order they start (stopped in reverse).
_NODE_PARTS=(relay-api-host relay-api-node relay-registry-host relay-registry-node relay-postgres-host relay-postgres-node containerd kubelet kube-proxy coredns)
# Where the pods reach the platform's PostgreSQL: the bridge address, this port.
PAVED_NODE_POSTGRES_PORT=5432
# The kubelet's kernel tunables (protectKernelDefaults): name=expected value
_NODE_SYSCTLS=(vm/overcommit_memory=1 vm/panic_on_oom=0 kernel/panic=10 kernel/panic_on_oops=1
  kernel/keys/root_maxkeys=1000000 kernel/keys/root_maxbytes=25000000)

# ---------------------------------------------------------------- helpers

_node_env() {
  _k8s_env
  _registry_env
  _NODE_INST="${PAVED_NODE_INSTANCE:-dev}"
  _NODE_NAME="paved-$_NODE_INST"
  _NODE_NETNS="paved-$_NODE_INST"
  _NODE_NSFILE="/run/netns/$_NODE_NETNS"
  _NODE_HOST_VETH="pv-$_NODE_INST"
  _NODE_SUBNET="${PAVED_NODE_SUBNET:-10.87.0}"
  _NODE_HOST_IP="$_NODE_SUBNET.1"
  _NODE_IP="$_NODE_SUBNET.2"
  _NODE_POD_CIDR="${PAVED_POD_CIDR:-10.88.0.0/16}"
  _NODE_BR_IP="$(paved_cidr_ip "$_NODE_POD_CIDR" 1)"
  _NODE_SVC_CIDR="$_K8S_SERVICE_CIDR"
  _NODE_CGROUP="paved-$_NODE_INST"
  _NODE_DIR="$PAVED_RUN/node"
  _NODE_LOGS="$PAVED_RUN/logs"
  _NODE_SOCK="$_NODE_DIR/containerd/containerd.sock"
  _NODE_COREDNS="$PAVED_CACHE/coredns-$PAVED_COREDNS_VERSION/coredns"
  _NODE_TIMEOUT="${PAVED_NODE_TIMEOUT:-120}"
  _NODE_KUBECTL="$_K8S_BIN/kubectl"
}

_node_log() { echo "[node] $*" >&2; }

# Run a command inside the node's network namespace (only the network: same mounts, same
# files as the host).
_node_ns() { nsenter --net="$_NODE_NSFILE" "$@"; }

# The address the node's pods reach the platform's PostgreSQL at (the relay; port
# $PAVED_NODE_POSTGRES_PORT): what the postgres-database module writes to Vault as the host.
node_postgres_host() { _node_env; echo "$_NODE_BR_IP"; }

node_kubectl() { _node_env; "$_NODE_KUBECTL" --kubeconfig "$PAVED_RUN/kubeconfig" "$@"; }

# The string that identifies part $1's process (its command line contains it).
_node_mark() {
  case "$1" in
    relay-api-host) echo "UNIX-LISTEN:$_NODE_DIR/relay/api.sock" ;;
    relay-api-node) echo "UNIX-CONNECT:$_NODE_DIR/relay/api.sock" ;;
    relay-registry-host) echo "UNIX-LISTEN:$_NODE_DIR/relay/registry.sock" ;;
    relay-registry-node) echo "UNIX-CONNECT:$_NODE_DIR/relay/registry.sock" ;;
    relay-postgres-host) echo "UNIX-LISTEN:$_NODE_DIR/relay/postgres.sock" ;;
    relay-postgres-node) echo "UNIX-CONNECT:$_NODE_DIR/relay/postgres.sock" ;;
    containerd) echo "$_NODE_DIR/containerd/config.toml" ;;
    kubelet) echo "$_NODE_DIR/kubelet/config.yaml" ;;
    kube-proxy) echo "$_NODE_DIR/kube-proxy/config.yaml" ;;
    coredns) echo "$_NODE_DIR/coredns/Corefile" ;;
  esac
}

# Part $1 runs inside the node's network namespace (all but the host ends of the relays).
_node_in_ns() { [ "$1" != relay-api-host ] && [ "$1" != relay-registry-host ] && [ "$1" != relay-postgres-host ]; }

# Part $1 runs (pid file, not a zombie, our command line) and, if it belongs inside the
# namespace, in the namespace that exists now (not in one that was deleted under it).
_node_alive() {
  local pid
  pid="$(live_pid "$_NODE_DIR/$1.pid" "$(_node_mark "$1")")" || return 1
  if _node_in_ns "$1"; then
    [ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" = "net:[$(stat -L -c %i "$_NODE_NSFILE" 2>/dev/null)]" ] || return 1
  fi
  echo "$pid"
}

_node_kill() { stop_process "$1" "$_NODE_DIR/$1.pid" "$(_node_mark "$1")"; }

# _node_spawn NAME CMD...: start CMD in its own session (it outlives the caller), the pid file
# written by the child itself; inside the namespace unless NAME is a host relay end.
_node_spawn() {
  local name="$1" pidf="$_NODE_DIR/$1.pid" log="$_NODE_LOGS/$1.log"; shift
  rm -f "$pidf"
  local pre=()
  _node_in_ns "$name" && pre=(nsenter "--net=$_NODE_NSFILE")
  { echo "==== $(date -u +%FT%TZ) starting $name"; echo "${pre[*]} $*"; } >>"$log"
  # shellcheck disable=SC2016  # $$ and $@ are the child's
  PIDF="$pidf" setsid bash -c 'echo $$ >"$PIDF"; exec "$@"' "$name" "${pre[@]}" "$@" >>"$log" 2>&1 </dev/null &
  disown $! 2>/dev/null || true
  for _ in $(seq 1 50); do [ -s "$pidf" ] && return 0; sleep 0.1; done
  _node_log "$name: no pid file after 5 s (log: $log)"
  return 1
}

# _node_run NAME CMD...: start part NAME unless it runs already with the same command and
# configuration ($_NODE_DIR/NAME.hash holds a hash of both; _node_put marks a changed file).
_node_run() {
  local name="$1" hash; shift
  hash="$( { printf '%s\n' "$@"; cat "$_NODE_DIR/$name.config-hash" 2>/dev/null || true; } | sha1sum | cut -c1-40)"
  if _node_alive "$name" >/dev/null; then
    [ "$(cat "$_NODE_DIR/$name.hash" 2>/dev/null)" = "$hash" ] && return 0
    _node_log "$name: command line or configuration changed, restarting it"
    _node_kill "$name"
  elif [ -s "$_NODE_DIR/$name.pid" ]; then
    _node_kill "$name"   # e.g. alive in a namespace that is gone
  fi
  echo "$hash" >"$_NODE_DIR/$name.hash"
  _node_spawn "$name" "$@"
}

# _node_put PART FILE: write stdin to FILE (only when different), and remember the content
# in PART's configuration hash so that _node_run restarts PART when it changed.
_node_put() {
  local part="$1" file="$2" tmp
  tmp="$(mktemp "$file.XXXXXX")"
  cat >"$tmp"
  if cmp -s "$tmp" "$file"; then rm -f "$tmp"; else mv -f "$tmp" "$file"; fi
  { cat "$_NODE_DIR/$part.config-hash.new" 2>/dev/null || true; sha1sum "$file"; } >"$_NODE_DIR/$part.config-hash.new.tmp"
  mv -f "$_NODE_DIR/$part.config-hash.new.tmp" "$_NODE_DIR/$part.config-hash.new"
}
# Called after all of PART's files are written.
_node_put_done() {
  mv -f "$_NODE_DIR/$1.config-hash.new" "$_NODE_DIR/$1.config-hash" 2>/dev/null || : >"$_NODE_DIR/$1.config-hash"
}

_node_wait() { # _node_wait PART CHECK...
  local part="$1"; shift
  wait_healthy "$part" "$_NODE_DIR/$part.pid" "$(_node_mark "$part")" "$_NODE_LOGS/$part.log" "$_NODE_TIMEOUT" "$@"
}

_node_healthy() {
  case "$1" in
    containerd) ctr --address "$_NODE_SOCK" version >/dev/null 2>&1 ;;
    kubelet) [ "$(_node_ns curl -s -m 3 http://127.0.0.1:10248/healthz 2>/dev/null)" = ok ] ;;
    kube-proxy) _node_ns curl -sf -m 3 -o /dev/null http://127.0.0.1:10256/healthz 2>/dev/null ;;
    coredns) [ "$(_node_ns curl -s -m 3 http://127.0.0.1:8181/ready 2>/dev/null)" = OK ] ;;
    relay-api-node | relay-api-host) [ -S "$_NODE_DIR/relay/api.sock" ] && _node_ns curl -sk -m 3 -o /dev/null "https://127.0.0.1:$_K8S_API_PORT/healthz" 2>/dev/null ;;
    relay-registry-node | relay-registry-host) [ -S "$_NODE_DIR/relay/registry.sock" ] && _node_ns curl -sf -m 3 -o /dev/null "http://127.0.0.1:$_REG_PORT/v2/" 2>/dev/null ;;
    # listening on the bridge address (PostgreSQL itself may be down: the relay does not need it)
    relay-postgres-node | relay-postgres-host) [ -S "$_NODE_DIR/relay/postgres.sock" ] &&
      _node_ns ss -Hltn "sport = :$PAVED_NODE_POSTGRES_PORT" 2>/dev/null | grep -qF "$_NODE_BR_IP:$PAVED_NODE_POSTGRES_PORT" ;;
  esac
}

# Node Ready (condition Ready=True) and schedulable. With _NODE_READY_SINCE set (an RFC 3339 UTC
# time), the condition must also have been posted at or after it: after containerd was restarted
# under a live kubelet, the Ready=True on record may predate the kubelet's noticing (its runtime
# check runs every 5 s; it posts status every nodeStatusReportFrequency, 10 s), and a fresh
# containerd reports its network not ready for a moment, which turns the node NotReady again.
_node_ready() {
  local node beat
  node="$(_k8s_api GET "/api/v1/nodes/$_NODE_NAME" 2>/dev/null | tr -d ' \n')" || return 1
  grep -q '"type":"Ready","status":"True"' <<<"$node" && ! grep -q '"unschedulable":true' <<<"$node" || return 1
  [ -z "${_NODE_READY_SINCE:-}" ] && return 0
  beat="$(grep -o '"type":"Ready","status":"True","lastHeartbeatTime":"[^"]*"' <<<"$node" | sed 's/.*"lastHeartbeatTime":"//; s/"$//')"
  [ -n "$beat" ] && ! [[ "$beat" < "$_NODE_READY_SINCE" ]]
}

# Ready; uncordoned when it is not schedulable (the last down drained it)
_node_ready_uncordon() {
  _node_ready && return 0
  local node
  node="$(_k8s_api GET "/api/v1/nodes/$_NODE_NAME" 2>/dev/null | tr -d ' \n')" || return 1
  grep -q '"unschedulable":true' <<<"$node" && node_kubectl uncordon "$_NODE_NAME" >/dev/null 2>&1
  return 1
}

# ---------------------------------------------------------------- host checks

# Everything the runtime needs from the host: packages (installed when missing), kernel
# features (checked; a missing one is named), cgroup v1 hierarchies.
_node_check_host() {
  apt_install containerd runc containernetworking-plugins socat iptables iproute2 util-linux \
    busybox-static gcc libc6-dev python3 curl openssl
  local missing=()
  grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || grep -qw overlay /proc/filesystems ||
    missing+=("overlay filesystem (kernel module overlay: containerd's snapshotter)")
  [ -d /proc/sys/net/bridge ] || modprobe br_netfilter 2>/dev/null || [ -d /proc/sys/net/bridge ] ||
    missing+=("br_netfilter (kernel module: Service traffic between pods on the bridge)")
  local c
  for c in cpu cpuacct cpuset memory pids devices freezer; do
    [ -d "/sys/fs/cgroup/$c" ] || missing+=("cgroup v1 hierarchy /sys/fs/cgroup/$c")
  done
  for c in /usr/lib/cni/bridge /usr/lib/cni/host-local /usr/lib/cni/portmap /usr/lib/cni/loopback; do
    [ -x "$c" ] || missing+=("CNI plugin $c (Debian containernetworking-plugins)")
  done
  command -v nsenter >/dev/null && command -v unshare >/dev/null || missing+=("nsenter/unshare (util-linux)")
  if [ ${#missing[@]} -gt 0 ]; then
    _node_log "the host lacks what the node needs:"
    printf '  - %s\n' "${missing[@]}" >&2
    return 1
  fi
  # unix socket paths are limited to 107 bytes
  if [ "${#_NODE_SOCK}" -gt 100 ]; then
    _node_log "PAVED_RUN is too deep for unix sockets ($_NODE_SOCK: ${#_NODE_SOCK} > 100 bytes): use a shorter path"
    return 1
  fi
  if ! [[ "$_NODE_INST" =~ ^[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?$ ]]; then
    _node_log "PAVED_NODE_INSTANCE '$_NODE_INST': 1-12 characters a-z 0-9 - (it names the veth pv-<instance>)"
    return 1
  fi
}

# ---------------------------------------------------------------- install

node_install() {
  _node_env
  _node_check_host || return 1
  mkdir -p "$_NODE_LOGS" "$_K8S_BIN" || return 1
  local b missing=()
  for b in "${_NODE_BINS[@]}"; do [ -x "$_K8S_BIN/$b" ] || missing+=("$b"); done
  if [ ${#missing[@]} -gt 0 ]; then
    _k8s_need_go || return 1
    # measured after the control plane's build (its packages in the Go build cache)
    _node_log "building ${missing[*]} $PAVED_K8S_VERSION from source, about 1-3 min with the control plane's Go build cache, 10+ min without"
    _k8s_go_download "$_PAVED_K8S_WRAPPER" node || return 1
    local ldk
    ldk="$(paved_k8s_ldflags)"
    for b in "${missing[@]}"; do
      _k8s_go_build "$_PAVED_K8S_WRAPPER" "k8s.io/kubernetes/cmd/$b" "$ldk" "$_K8S_BIN/$b" "node-build-$b" || return 1
    done
  fi
  if [ ! -x "$_NODE_COREDNS" ]; then
    _k8s_need_go || return 1
    local log="$_NODE_LOGS/node-build-coredns.log" t0=$SECONDS out
    out="$(dirname "$_NODE_COREDNS")/.gobin.$$"
    _node_log "building CoreDNS $PAVED_COREDNS_VERSION from the Go module proxy, about 5-12 min on 2 busy cores (once; log: $log)"
    mkdir -p "$out" || return 1
    if ! (cd /tmp && CGO_ENABLED=0 GOBIN="$out" GOFLAGS=-mod=mod nice -n 19 go install -trimpath -p "${PAVED_K8S_BUILD_JOBS:-2}" \
        -ldflags "-s -w -X github.com/coredns/coredns/coremain.GitCommit=paved-$PAVED_COREDNS_VERSION" \
        "github.com/coredns/coredns@$PAVED_COREDNS_VERSION" >"$log" 2>&1); then
      _node_log "FAILED step: build CoreDNS (log: $log)"; tail -n 15 "$log" >&2; rm -rf "$out"; return 1
    fi
    mv -f "$out/coredns" "$_NODE_COREDNS" && rmdir "$out" || return 1
    _node_log "built coredns in $((SECONDS - t0))s"
  fi
  _node_pause_image || return 1
}

# The sandbox image: a static pause binary (gcc -static) in a one-layer OCI archive, cached by
# the hash of its sources; imported into containerd on every start.
_node_pause_image() {
  local hash dir
  hash="$(cat "$_PAVED_IMAGES_DIR/pause.c" "$_PAVED_IMAGES_DIR/mkimage.py" | sha1sum | cut -c1-12)"
  dir="$PAVED_CACHE/paved-pause-$hash"
  _NODE_PAUSE_TAR="$dir/pause.tar"
  _NODE_PAUSE_REF="registry.paved.local/paved/pause:3.10"
  [ -s "$_NODE_PAUSE_TAR" ] && return 0
  mkdir -p "$dir/rootfs" || return 1
  gcc -static -Os -s -o "$dir/rootfs/pause" "$_PAVED_IMAGES_DIR/pause.c" >"$_NODE_LOGS/node-build-pause.log" 2>&1 ||
    { _node_log "FAILED step: gcc -static pause.c (log: $_NODE_LOGS/node-build-pause.log)"; return 1; }
  python3 "$_PAVED_IMAGES_DIR/mkimage.py" archive "$dir/rootfs" "$_NODE_PAUSE_REF" "$_NODE_PAUSE_TAR" \
    --entrypoint '["/pause"]' >>"$_NODE_LOGS/node-build-pause.log" 2>&1 ||
    { _node_log "FAILED step: pack the pause image (log: $_NODE_LOGS/node-build-pause.log)"; return 1; }
}

# ---------------------------------------------------------------- network

# The namespace, the veth, the bridge, forwarding inside, routes on the host, the guard
# chain. Every step checks first, so a second `up` changes nothing and a missing piece (e.g.
# the namespace deleted by hand) is made again.
_node_network() {
  local owner="paved:$PAVED_RUN"
  # Another platform (another checkout) may use this instance name: refuse, don't take it
  # over, unless nothing runs in its namespace any more (that platform's processes died with
  # a reboot or a kill, and only the namespace and the veth are left): then it is abandoned.
  if ! _node_owns_instance && [ -e "$_NODE_NSFILE" ] && [ -z "$(ip netns pids "$_NODE_NETNS" 2>/dev/null || true)" ]; then
    _node_log "instance '$_NODE_INST' was left by another platform ($(ip -o link show "$_NODE_HOST_VETH" 2>/dev/null | sed -n 's/.* alias paved:\(.*\)$/\1/p')), which runs nothing in it any more: taking it over"
    ip link del "$_NODE_HOST_VETH" 2>/dev/null || true
    ip route del "$_NODE_POD_CIDR" 2>/dev/null || true
    ip route del "$_NODE_SVC_CIDR" 2>/dev/null || true
    umount "$_NODE_NSFILE" 2>/dev/null || umount -l "$_NODE_NSFILE" 2>/dev/null || true
    rm -f "$_NODE_NSFILE"
  fi
  if ! _node_owns_instance; then
    _node_log "instance '$_NODE_INST' (netns $_NODE_NETNS, veth $_NODE_HOST_VETH) belongs to another platform ($(ip -o link show "$_NODE_HOST_VETH" 2>/dev/null | sed -n 's/.* alias paved:\(.*\)$/\1/p')): stop that one, or set PAVED_NODE_INSTANCE, PAVED_NODE_SUBNET, PAVED_POD_CIDR and PAVED_SERVICE_CIDR to other values"
    return 1
  fi
  local r other
  for r in "$_NODE_SUBNET.0/30" "$_NODE_POD_CIDR" "$_NODE_SVC_CIDR"; do
    other="$(ip route show exact "$r" 2>/dev/null | grep -v "dev $_NODE_HOST_VETH" || true)"
    if [ -n "$other" ]; then
      _node_log "the host already routes $r elsewhere ($other): choose other PAVED_NODE_SUBNET/PAVED_POD_CIDR/PAVED_SERVICE_CIDR"
      return 1
    fi
  done

  mkdir -p /run/netns || return 1
  if ! [ -e "$_NODE_NSFILE" ] || ! _node_ns true 2>/dev/null; then
    # Processes still in the namespace this one replaces (deleted under them) are ours:
    # containerd, its shims and the pods. Stop them; containerd, started again, finds their
    # sandboxes dead and the kubelet makes them again, in the new namespace.
    local old pid
    old="$(cat "$_NODE_DIR/netns.inode" 2>/dev/null || true)"
    if [ -n "$old" ]; then
      for pid in $(find /proc -maxdepth 3 -path '/proc/[0-9]*/ns/net' -lname "net:\[$old\]" 2>/dev/null | cut -d/ -f3); do
        kill -KILL "$pid" 2>/dev/null || true
      done
    fi
    # a bind mount of a new network namespace, without `ip netns add` (which would make
    # /run/netns a shared mount that stays after we are gone)
    umount "$_NODE_NSFILE" 2>/dev/null || true
    rm -f "$_NODE_NSFILE"; touch "$_NODE_NSFILE" || return 1
    unshare --net="$_NODE_NSFILE" true || { _node_log "cannot create network namespace $_NODE_NETNS"; return 1; }
    ip link del "$_NODE_HOST_VETH" 2>/dev/null || true
  fi
  stat -L -c %i "$_NODE_NSFILE" >"$_NODE_DIR/netns.inode"
  if ! ip link show "$_NODE_HOST_VETH" >/dev/null 2>&1 || ! _node_ns ip link show uplink0 >/dev/null 2>&1; then
    ip link del "$_NODE_HOST_VETH" 2>/dev/null || true
    ip link add "$_NODE_HOST_VETH" type veth peer name uplink0 netns "$_NODE_NSFILE" ||
      { _node_log "cannot create the veth pair (kernel module veth?)"; return 1; }
  fi
  ip link set "$_NODE_HOST_VETH" alias "$owner"
  ip addr replace "$_NODE_HOST_IP/30" dev "$_NODE_HOST_VETH" && ip link set "$_NODE_HOST_VETH" up || return 1
  _node_ns ip link set lo up || return 1
  _node_ns ip addr replace "$_NODE_IP/30" dev uplink0 && _node_ns ip link set uplink0 up || return 1
  if ! _node_ns ip link show paved0 >/dev/null 2>&1; then
    _node_ns ip link add paved0 type bridge || { _node_log "cannot create a bridge (kernel module bridge?)"; return 1; }
  fi
  _node_ns ip addr replace "$_NODE_BR_IP/${_NODE_POD_CIDR#*/}" dev paved0 && _node_ns ip link set paved0 up || return 1
  # forwarding between uplink0 and paved0 (host <-> pods, ClusterIP DNAT), in this namespace only
  _node_ns sysctl -qw net.ipv4.ip_forward=1 || return 1
  # br_netfilter: bridged pod-to-pod traffic goes through iptables (replies to a ClusterIP's
  # DNAT). The sysctl is per namespace on current kernels; check that writing it did not
  # touch the host's.
  if [ "$(_node_ns cat /proc/sys/net/bridge/bridge-nf-call-iptables)" != 1 ]; then
    local before
    before="$(cat /proc/sys/net/bridge/bridge-nf-call-iptables)"
    _node_ns sysctl -qw net.bridge.bridge-nf-call-iptables=1
    if [ "$(cat /proc/sys/net/bridge/bridge-nf-call-iptables)" != "$before" ]; then
      echo "$before" >/proc/sys/net/bridge/bridge-nf-call-iptables
      _node_log "net.bridge.bridge-nf-call-iptables is not per network namespace on this kernel; set it to 1 on the host yourself if that is acceptable"
      return 1
    fi
  fi
  # host: pods and ClusterIPs via the node
  ip route replace "$_NODE_POD_CIDR" via "$_NODE_IP" dev "$_NODE_HOST_VETH" || return 1
  ip route replace "$_NODE_SVC_CIDR" via "$_NODE_IP" dev "$_NODE_HOST_VETH" || return 1
  # guard: pods may answer the host and each other, but not open connections out of the
  # bridge (to the host's addresses); there is no route beyond the machine in any case
  if ! _node_ns iptables -S PAVED-GUARD >/dev/null 2>&1; then
    _node_ns iptables -N PAVED-GUARD || return 1
    _node_ns iptables -A PAVED-GUARD -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN
    _node_ns iptables -A PAVED-GUARD -i paved0 -o paved0 -j RETURN
    _node_ns iptables -A PAVED-GUARD -i paved0 -j DROP
  fi
  _node_ns iptables -C FORWARD -j PAVED-GUARD 2>/dev/null || _node_ns iptables -I FORWARD 1 -j PAVED-GUARD
}

# ---------------------------------------------------------------- configuration

_node_kubeconfig() { # _node_kubeconfig FILE USER TOKEN
  local ca
  ca="$(base64 -w0 <"$_K8S_CERTS/ca.crt")"
  cat <<EOF
apiVersion: v1
kind: Config
clusters:
- name: paved
  cluster:
    server: https://127.0.0.1:$_K8S_API_PORT
    certificate-authority-data: $ca
users:
- name: $2
  user:
    token: $3
contexts:
- name: paved
  context: {cluster: paved, user: $2}
current-context: paved
EOF
}

_node_configs() {
  local d="$_NODE_DIR" c
  mkdir -p "$d/containerd/certs.d" "$d/kubelet/root" "$d/kubelet/fake-sysctl" "$d/kube-proxy" "$d/coredns" \
    "$d/cni/net.d" "$d/cni/ipam" "$d/relay" "$d/pod-logs" || return 1
  chmod 700 "$d/relay" "$d/kubelet" "$d/kube-proxy" "$d/coredns"
  rm -f "$d"/*.config-hash.new

  # --- containerd (Debian 1.6): everything under $d/containerd; no CAP_SYS_RESOURCE here, so
  # no negative oom_score_adj (restrict_oom_score_adj); pod netns files under its state dir
  _node_put containerd "$d/containerd/config.toml" <<EOF
# Written by scripts/platform/lib/node.sh
version = 2
root = "$d/containerd/root"
state = "$d/containerd/state"
oom_score = 0
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$_NODE_SOCK"
[ttrpc]
  address = "$_NODE_SOCK.ttrpc"
[debug]
  address = ""
  level = "warn"
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$d/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$_NODE_PAUSE_REF"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  disable_apparmor = true
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  max_container_log_line_size = 16384
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        BinaryName = "/usr/sbin/runc"
        Root = "$d/containerd/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$d/cni/net.d"
    max_conf_num = 1
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$d/containerd/certs.d"
EOF
  # registry mirrors: the public names the skeletons' Dockerfiles use, and our own, resolve
  # to the local registry (plain http, through the relay inside the namespace)
  for c in registry.paved.local docker.io gcr.io "$_REG_ADDR"; do
    mkdir -p "$d/containerd/certs.d/$c"
    _node_put containerd "$d/containerd/certs.d/$c/hosts.toml" <<EOF
server = "http://$_REG_ADDR"
[host."http://$_REG_ADDR"]
  capabilities = ["pull", "resolve"]
EOF
  done
  _node_put containerd "$d/cni/net.d/10-paved.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "$_NODE_NAME",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "paved0",
      "isGateway": false,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$d/cni/ipam",
        "ranges": [[{"subnet": "$_NODE_POD_CIDR", "rangeStart": "$(paved_cidr_ip "$_NODE_POD_CIDR" 257)", "gateway": "$_NODE_BR_IP"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}, "snat": false}
  ]
}
EOF
  _node_put_done containerd

  # --- kubelet
  _k8s_sign "kubelet-$_NODE_INST" "/CN=system:node:$_NODE_NAME/O=system:nodes" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:$_NODE_IP,DNS:$_NODE_NAME" || return 1
  _node_kubeconfig "$d/kubelet/kubeconfig" "system:node:$_NODE_NAME" "$(cat "$_K8S_DIR/node-token")" |
    _node_put kubelet "$d/kubelet/kubeconfig"
  printf 'nameserver %s\nsearch cluster.local\noptions ndots:5\n' "$_NODE_BR_IP" | _node_put kubelet "$d/resolv.conf"
  _node_put kubelet "$d/kubelet/config.yaml" <<EOF
# Written by scripts/platform/lib/node.sh
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $_NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
tlsCertFile: $_K8S_CERTS/kubelet-$_NODE_INST.crt
tlsPrivateKeyFile: $_K8S_CERTS/kubelet-$_NODE_INST.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true, cacheTTL: 30s}
  x509: {clientCAFile: $_K8S_CERTS/ca.crt}
authorization:
  mode: Webhook
  webhook: {cacheAuthorizedTTL: 30s, cacheUnauthorizedTTL: 10s}
containerRuntimeEndpoint: unix://$_NODE_SOCK
imageServiceEndpoint: unix://$_NODE_SOCK
cgroupDriver: cgroupfs
cgroupRoot: /$_NODE_CGROUP
cgroupsPerQOS: true
failCgroupV1: false
failSwapOn: false
protectKernelDefaults: true
clusterDomain: cluster.local
clusterDNS: [$_NODE_BR_IP]
resolvConf: $d/resolv.conf
podLogsDir: $d/pod-logs
volumePluginDir: $d/kubelet/volume-plugins
serializeImagePulls: false
registerNode: true
maxPods: 110
evictionHard: {memory.available: "200Mi", nodefs.available: "2%", imagefs.available: "2%", nodefs.inodesFree: "2%"}
imageGCHighThresholdPercent: 99
imageGCLowThresholdPercent: 98
localStorageCapacityIsolation: true
shutdownGracePeriod: 0s
# Status (and the Ready condition's lastHeartbeatTime) posted every 10 s, not every 5 min: up
# tells a Ready posted after a containerd restart from one posted before it (_node_ready).
nodeStatusReportFrequency: 10s
rotateCertificates: false
serverTLSBootstrap: false
EOF
  # The kubelet's own mount namespace: read-only files holding the values it wants over the
  # tunables that differ (it would write them system-wide, or refuse to start), and overlays
  # over /var/lib and /var/log (device-plugins, /var/log/containers), upper dirs here.
  local s name want
  for s in "${_NODE_SYSCTLS[@]}"; do
    name="${s%%=*}"; want="${s#*=}"
    echo "$want" >"$d/kubelet/fake-sysctl/${name//\//.}"
  done
  mkdir -p "$d/kubelet/overlay/"{varlib,varlog}-{upper,work}
  _node_put kubelet "$d/kubelet/enter.sh" <<EOF
# Written by scripts/platform/lib/node.sh: runs in the kubelet's new mount namespace.
set -e
mount --make-private /proc
mount --make-private /
for s in ${_NODE_SYSCTLS[*]}; do
  name=\${s%%=*}; want=\${s#*=}
  [ "\$(cat /proc/sys/\$name)" = "\$want" ] || mount --bind -o ro "$d/kubelet/fake-sysctl/\${name//\//.}" "/proc/sys/\$name"
done
mount -t overlay paved-kubelet-varlib -o "lowerdir=/var/lib,upperdir=$d/kubelet/overlay/varlib-upper,workdir=$d/kubelet/overlay/varlib-work" /var/lib
mount -t overlay paved-kubelet-varlog -o "lowerdir=/var/log,upperdir=$d/kubelet/overlay/varlog-upper,workdir=$d/kubelet/overlay/varlog-work" /var/log
exec "\$@"
EOF
  _node_put_done kubelet

  # --- kube-proxy (iptables mode; NodePorts on the node IP only; conntrack sysctls untouched)
  _node_kubeconfig "$d/kube-proxy/kubeconfig" system:kube-proxy "$(cat "$_K8S_DIR/kube-proxy-token")" |
    _node_put kube-proxy "$d/kube-proxy/kubeconfig"
  _node_put kube-proxy "$d/kube-proxy/config.yaml" <<EOF
# Written by scripts/platform/lib/node.sh
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection:
  kubeconfig: $d/kube-proxy/kubeconfig
hostnameOverride: $_NODE_NAME
mode: iptables
clusterCIDR: $_NODE_POD_CIDR
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: ["$_NODE_IP/32"]
iptables:
  localhostNodePorts: false
  masqueradeAll: false
  syncPeriod: 30s
  minSyncPeriod: 1s
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
EOF
  _node_put_done kube-proxy

  # --- CoreDNS on the bridge address: cluster.local from the API; nothing else resolves
  # (there is no way out of the machine to ask anyone)
  _node_kubeconfig "$d/coredns/kubeconfig" paved-coredns "$(cat "$_K8S_DIR/coredns-token")" |
    _node_put coredns "$d/coredns/kubeconfig"
  _node_put coredns "$d/coredns/Corefile" <<EOF
# Written by scripts/platform/lib/node.sh
cluster.local:53 in-addr.arpa:53 ip6.arpa:53 {
    bind $_NODE_BR_IP
    errors
    health 127.0.0.1:8080
    ready 127.0.0.1:8181
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig $d/coredns/kubeconfig paved
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 5
    }
    cache 5
    loadbalance
}
.:53 {
    bind $_NODE_BR_IP
    errors
    template ANY ANY {
        rcode NXDOMAIN
    }
}
EOF
  _node_put_done coredns
}

# RBAC the node's parts need beyond the bootstrap policy (idempotent apply).
_node_rbac() {
  node_kubectl apply -f - >/dev/null <<EOF
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "paved:kube-apiserver-kubelet-client"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:kubelet-api-admin"}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: kube-apiserver-kubelet-client}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "paved:coredns"}
rules:
- apiGroups: [""]
  resources: [endpoints, services, pods, namespaces]
  verbs: [list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "paved:coredns"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "paved:coredns"}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: paved-coredns}]
EOF
}

# The kubelet's cgroup root in every cgroup v1 hierarchy (the kubelet insists that it exists).
_node_cgroups() {
  local h
  for h in /sys/fs/cgroup/*/; do
    h="${h%/}"
    [ -d "$h/$_NODE_CGROUP" ] && continue
    mkdir "$h/$_NODE_CGROUP" || { _node_log "cannot create cgroup $h/$_NODE_CGROUP"; return 1; }
    if [ "$(basename "$h")" = cpuset ]; then
      cat "$h/cpuset.cpus" >"$h/$_NODE_CGROUP/cpuset.cpus" && cat "$h/cpuset.mems" >"$h/$_NODE_CGROUP/cpuset.mems"
    fi
  done
}

# ---------------------------------------------------------------- start / stop / status

node_start() {
  _node_env
  local b
  for b in "${_NODE_BINS[@]}"; do
    [ -x "$_K8S_BIN/$b" ] || { _node_log "$_K8S_BIN/$b missing: run node_install first"; return 1; }
  done
  [ -x "$_NODE_COREDNS" ] || { _node_log "$_NODE_COREDNS missing: run node_install first"; return 1; }
  _node_pause_image || return 1
  _k8s_healthy kube-apiserver || { _node_log "the apiserver is not up: start Kubernetes first"; return 1; }
  _registry_healthy || { _node_log "the registry is not up: start it first"; return 1; }
  mkdir -p "$_NODE_DIR" "$_NODE_LOGS" || return 1

  _node_network || return 1
  _node_cgroups || return 1
  _node_configs || return 1
  _node_rbac || { _node_log "applying the node's RBAC objects failed"; return 1; }

  # --- relays: 127.0.0.1:<apiserver port> and :<registry port> inside the namespace
  _node_run relay-api-host socat "UNIX-LISTEN:$_NODE_DIR/relay/api.sock,fork,unlink-early,mode=600" \
    "TCP:127.0.0.1:$_K8S_API_PORT" || return 1
  _node_run relay-api-node socat "TCP-LISTEN:$_K8S_API_PORT,bind=127.0.0.1,fork,reuseaddr" \
    "UNIX-CONNECT:$_NODE_DIR/relay/api.sock" || return 1
  _node_run relay-registry-host socat "UNIX-LISTEN:$_NODE_DIR/relay/registry.sock,fork,unlink-early,mode=600" \
    "TCP:127.0.0.1:$_REG_PORT" || return 1
  _node_run relay-registry-node socat "TCP-LISTEN:$_REG_PORT,bind=127.0.0.1,fork,reuseaddr" \
    "UNIX-CONNECT:$_NODE_DIR/relay/registry.sock" || return 1
  _node_wait relay-api-node _node_healthy relay-api-node || return 1
  _node_wait relay-registry-node _node_healthy relay-registry-node || return 1
  # --- the platform's PostgreSQL for the pods: <bridge address>:5432 inside the namespace (the
  # pods' gateway, like CoreDNS; the guard only stops what pods forward towards the host) →
  # unix socket → 127.0.0.1:$PAVED_PG_PORT from 127.0.0.2, where only passwords log in
  _node_run relay-postgres-host socat "UNIX-LISTEN:$_NODE_DIR/relay/postgres.sock,fork,unlink-early,mode=600" \
    "TCP:127.0.0.1:${PAVED_PG_PORT:-15432},bind=127.0.0.2" || return 1
  _node_run relay-postgres-node socat "TCP-LISTEN:$PAVED_NODE_POSTGRES_PORT,bind=$_NODE_BR_IP,fork,reuseaddr" \
    "UNIX-CONNECT:$_NODE_DIR/relay/postgres.sock" || return 1
  _node_wait relay-postgres-node _node_healthy relay-postgres-node || return 1

  # --- containerd, and the sandbox image (imported on every start)
  local containerd_pid kubelet_alive=""
  containerd_pid="$(cat "$_NODE_DIR/containerd.pid" 2>/dev/null || true)"
  _node_alive kubelet >/dev/null && kubelet_alive=1
  _node_run containerd /usr/bin/containerd --config "$_NODE_DIR/containerd/config.toml" || return 1
  _node_wait containerd _node_healthy containerd || return 1
  # containerd (re)started under a live kubelet: the node counts as Ready only once the kubelet
  # has posted Ready after seeing the new containerd (its runtime check runs every 5 s)
  local _NODE_READY_SINCE=""
  if [ -n "$kubelet_alive" ] && [ "$(cat "$_NODE_DIR/containerd.pid" 2>/dev/null)" != "$containerd_pid" ]; then
    _NODE_READY_SINCE="$(date -u -d '+6 seconds' +%Y-%m-%dT%H:%M:%SZ)"
  fi
  ctr --address "$_NODE_SOCK" -n k8s.io images import "$_NODE_PAUSE_TAR" >/dev/null 2>>"$_NODE_LOGS/containerd.log" ||
    { _node_log "importing the pause image failed (log: $_NODE_LOGS/containerd.log)"; return 1; }

  # --- kubelet: its root dir is an rshared bind mount, so that the volumes it mounts from its
  # own mount namespace reach containerd in the host's
  local kroot="$_NODE_DIR/kubelet/root"
  if ! grep -q " $kroot $kroot " /proc/self/mountinfo; then
    mount --bind "$kroot" "$kroot" && mount --make-rshared "$kroot" || { _node_log "cannot bind-mount $kroot"; return 1; }
  fi
  _node_run kubelet unshare --mount --propagation unchanged \
    bash "$_NODE_DIR/kubelet/enter.sh" "$_K8S_BIN/kubelet" \
    --config "$_NODE_DIR/kubelet/config.yaml" --kubeconfig "$_NODE_DIR/kubelet/kubeconfig" \
    --root-dir "$kroot" --cert-dir "$_NODE_DIR/kubelet/pki" \
    --hostname-override "$_NODE_NAME" --node-ip "$_NODE_IP" --v=1 || return 1
  _node_wait kubelet _node_healthy kubelet || return 1
  _node_wait kubelet _node_ready_uncordon || return 1

  # --- kube-proxy, CoreDNS
  _node_run kube-proxy "$_K8S_BIN/kube-proxy" --config "$_NODE_DIR/kube-proxy/config.yaml" --v=1 || return 1
  _node_wait kube-proxy _node_healthy kube-proxy || return 1
  _node_run coredns "$_NODE_COREDNS" -conf "$_NODE_DIR/coredns/Corefile" || return 1
  _node_wait coredns _node_healthy coredns || return 1
}

# The instance's names on the host (netns, veth, cgroups) are this platform's: the veth
# carries our run dir as its alias, or the namespace is the one we made (its inode). Another
# checkout running an instance of the same name (e.g. both run the tests' values) must not
# be torn down by our `down`.
_node_owns_instance() {
  if ip link show "$_NODE_HOST_VETH" >/dev/null 2>&1; then
    [ "$(ip -o link show "$_NODE_HOST_VETH" | sed -n 's/.* alias \(.*\)$/\1/p')" = "paved:$PAVED_RUN" ]
    return
  fi
  if [ -e "$_NODE_NSFILE" ]; then
    [ "$(stat -L -c %i "$_NODE_NSFILE" 2>/dev/null)" = "$(cat "$_NODE_DIR/netns.inode" 2>/dev/null)" ]
    return
  fi
  return 0   # nothing of the instance is live: leftovers by its name (cgroups) are ours to clean
}

# Drain the node, stop every part, and undo every change made on the host.
node_stop() {
  _node_env
  local owned=1
  if ! _node_owns_instance; then
    owned=""
    _node_log "instance '$_NODE_INST' (netns $_NODE_NETNS, veth $_NODE_HOST_VETH) belongs to another platform ($(ip -o link show "$_NODE_HOST_VETH" 2>/dev/null | sed -n 's/.* alias paved:\(.*\)$/\1/p')): stopping only what this one started"
  fi
  # 1. drain: no new pods; delete the ones here (the kubelet stops them, CNI DEL removes their
  #    veths and addresses); pods of controllers come back Pending until the next up
  if _node_alive kubelet >/dev/null && _k8s_healthy kube-apiserver 2>/dev/null; then
    node_kubectl drain "$_NODE_NAME" --force --ignore-daemonsets --delete-emptydir-data --disable-eviction \
      --grace-period 10 --timeout 90s >>"$_NODE_LOGS/kubelet.log" 2>&1 ||
      _node_log "drain did not finish (log: $_NODE_LOGS/kubelet.log); stopping anyway"
    local t=$((SECONDS + 30))
    while [ $SECONDS -lt $t ] && [ -n "$(_node_containers_left)" ]; do sleep 0.5; done
  fi
  # 2. processes
  local i
  for ((i = ${#_NODE_PARTS[@]} - 1; i >= 0; i--)); do
    case "${_NODE_PARTS[$i]}" in
      containerd) _node_stop_containerd ;;
      *) _node_kill "${_NODE_PARTS[$i]}" ;;
    esac
  done
  # anything left in the namespace (shims, containers of a kubelet that died) is ours
  local pids
  if [ -n "$owned" ] && [ -e "$_NODE_NSFILE" ]; then
    pids="$(ip netns pids "$_NODE_NETNS" 2>/dev/null | tr '\n' ' ' || true)"
    if [ -n "${pids// /}" ]; then
      _node_log "stopping what is left in the namespace: pids $pids"
      # shellcheck disable=SC2086
      kill -TERM $pids 2>/dev/null || true
      for _ in $(seq 1 25); do [ -z "$(ip netns pids "$_NODE_NETNS" 2>/dev/null || true)" ] && break; sleep 0.2; done
      pids="$(ip netns pids "$_NODE_NETNS" 2>/dev/null | tr '\n' ' ' || true)"
      # shellcheck disable=SC2086
      [ -z "${pids// /}" ] || kill -KILL $pids 2>/dev/null || true
    fi
  fi
  # 3. mounts under $_NODE_DIR (container rootfs, pod netns files, volumes, the kubelet root
  #    bind mount), deepest first
  awk -v p="$_NODE_DIR/" 'index($5, p) == 1 {print $5}' /proc/self/mountinfo | sort -ru | while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || _node_log "cannot unmount $m"
  done
  [ -n "$owned" ] || return 0
  # 4. network: the veth (its routes go with it), the namespace (its bridge, iptables chains,
  #    conntrack and sysctls go with it)
  ip link del "$_NODE_HOST_VETH" 2>/dev/null || true
  ip route del "$_NODE_POD_CIDR" 2>/dev/null || true
  ip route del "$_NODE_SVC_CIDR" 2>/dev/null || true
  if [ -e "$_NODE_NSFILE" ]; then
    umount "$_NODE_NSFILE" 2>/dev/null || umount -l "$_NODE_NSFILE" 2>/dev/null || true
    rm -f "$_NODE_NSFILE"
  fi
  rmdir /run/netns 2>/dev/null || true
  # 5. cgroups the kubelet and runc made (empty now), deepest first
  local h
  for h in /sys/fs/cgroup/*/"$_NODE_CGROUP"; do
    [ -d "$h" ] || continue
    find "$h" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    if [ -d "$h" ]; then _node_log "cgroup $h is not empty, left in place"; fi
  done
  # 6. what containerd and the CNI plugins keep at fixed paths outside $PAVED_RUN: shim
  #    sockets (removed by each shim as it exits) and libcni's result cache, named after our
  #    network
  rm -f /var/lib/cni/results/"$_NODE_NAME"-* 2>/dev/null || true
  local id
  for id in $(ls "$_NODE_DIR/containerd/root/io.containerd.grpc.v1.cri/sandboxes" 2>/dev/null || true); do
    rm -f /var/lib/cni/results/cni-loopback-"$id"-lo 2>/dev/null || true   # the loopback plugin's
  done
  # a shim killed (kill -9, a namespace deleted under it) leaves its socket: remove the ones
  # nothing listens on any more (a live shim of another containerd answers and stays)
  local sock
  for sock in /run/containerd/s/*; do
    [ -S "$sock" ] || continue
    python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.settimeout(2); s.connect(sys.argv[1])' "$sock" 2>/dev/null ||
      rm -f "$sock"
  done
  rmdir /var/lib/cni/results /var/lib/cni /run/containerd/s /run/containerd 2>/dev/null || true
  return 0
}

# Containers (and pod sandboxes) still running
_node_containers_left() {
  ctr --address "$_NODE_SOCK" -n k8s.io tasks ls 2>/dev/null | awk '$3 == "RUNNING"'
}

_node_stop_containerd() {
  if _node_alive containerd >/dev/null; then
    local c
    for c in $(ctr --address "$_NODE_SOCK" -n k8s.io tasks ls -q 2>/dev/null); do
      ctr --address "$_NODE_SOCK" -n k8s.io tasks kill -s KILL "$c" >/dev/null 2>&1 || true
    done
    sleep 0.5
    for c in $(ctr --address "$_NODE_SOCK" -n k8s.io containers ls -q 2>/dev/null); do
      ctr --address "$_NODE_SOCK" -n k8s.io tasks delete -f "$c" >/dev/null 2>&1 || true
      ctr --address "$_NODE_SOCK" -n k8s.io containers delete "$c" >/dev/null 2>&1 || true
    done
  fi
  _node_kill containerd
}

# One line per part: name, version, endpoint, healthy|down; then the node (Ready). Always 0.
node_status() {
  _node_env
  local name ver ep h
  [ -n "${_NODE_CTRD_VERSION:-}" ] || _NODE_CTRD_VERSION="$( (/usr/bin/containerd --version 2>/dev/null || true) | awk '{print $3}' | sed 's/~.*//')"
  for name in containerd kubelet kube-proxy coredns relay-postgres-node; do
    case "$name" in
      relay-postgres-node) ver="socat"; ep="$_NODE_BR_IP:$PAVED_NODE_POSTGRES_PORT → 127.0.0.1:${PAVED_PG_PORT:-15432}" ;;
      containerd) ver="$_NODE_CTRD_VERSION"; ep="netns $_NODE_NETNS" ;;
      kubelet) ver="$PAVED_K8S_VERSION"; ep="https://$_NODE_IP:10250" ;;
      kube-proxy) ver="$PAVED_K8S_VERSION"; ep="iptables, netns $_NODE_NETNS" ;;
      coredns) ver="$PAVED_COREDNS_VERSION"; ep="$_NODE_BR_IP:53 (cluster.local)" ;;
    esac
    h=down
    if [ -e "$_NODE_NSFILE" ] && _node_alive "$name" >/dev/null && _node_healthy "$name"; then h=healthy; fi
    if [ "$name" = relay-postgres-node ] && [ "$h" = healthy ] &&
      ! _node_ns "$(postgres_bin)/pg_isready" -q -t 3 -h "$_NODE_BR_IP" -p "$PAVED_NODE_POSTGRES_PORT" 2>/dev/null; then
      h="down (PostgreSQL does not answer through it)"
    fi
    printf '%-24s %-8s %-28s %s\n' "${name/relay-postgres-node/postgres relay (pods)}" "$ver" "$ep" "$h"
  done
  h=down
  if [ -e "$_NODE_NSFILE" ] && _node_alive kubelet >/dev/null && _node_ready 2>/dev/null; then h="healthy (Ready)"; fi
  printf '%-24s %-8s %-28s %s\n' "node/$_NODE_NAME" "$PAVED_K8S_VERSION" "$_NODE_IP, pods $_NODE_POD_CIDR" "$h"
  return 0
}
