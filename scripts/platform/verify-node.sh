#!/usr/bin/env bash
# End-to-end checks of the local platform's real node; one PASS/FAIL line per check, exit 1 if
# any failed. Run against a platform that is up, with the same environment as its `up`:
#
#   scripts/paved platform up && bash scripts/platform/verify-node.sh        (dev instance)
#   (export the values of scripts/test.sh; bash scripts/platform/verify-node.sh)  (test instance)
#
# Works in a namespace of its own (paved-verify-<random>), deleted at the end.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
export PAVED_ROOT=${PAVED_ROOT:-$PWD}
: "${PAVED_RUN:=$PAVED_ROOT/.paved/run}" "${PAVED_CACHE:=/var/cache/paved}"
export PAVED_RUN PAVED_CACHE
for lib in scripts/lib/common.sh scripts/platform/lib/*.sh; do
  # shellcheck source=/dev/null
  source "$lib"
done
_node_env
K() { "$_NODE_KUBECTL" --kubeconfig "$PAVED_RUN/kubeconfig" "$@"; }
REG=$(cat "$PAVED_RUN/registry/address")
NS=paved-verify-$(head -c 3 /dev/urandom | od -An -tx1 | tr -d ' \n')
failed=0
ok() { echo "PASS $*"; }
ko() { echo "FAIL $*"; failed=1; }
now() { date +%s.%N; }
since() { printf '%.2f' "$(echo "$(now) - $1" | bc)"; }
# pod_net POD: the network namespace of POD's container (via containerd's task pid)
pod_net() {
  local id pid
  id=$(K -n "$NS" get pod "$1" -o jsonpath='{.status.containerStatuses[0].containerID}')
  id=${id#containerd://}
  pid=$(ctr --address "$_NODE_SOCK" -n k8s.io tasks ls 2>/dev/null | awk -v id="$id" '$1 == id {print $2}')
  echo "/proc/$pid/ns/net"
}
cleanup() { K delete namespace "$NS" --wait=false >/dev/null 2>&1; kill "${PF:-}" 2>/dev/null; }
trap cleanup EXIT

K create namespace "$NS" >/dev/null || { ko "create namespace $NS"; exit 1; }
# a Deployment of the fixture image by its public name, a ClusterIP + NodePort Service
K -n "$NS" apply -f - >/dev/null <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: hello}
spec:
  replicas: 1
  selector: {matchLabels: {app: hello}}
  template:
    metadata: {labels: {app: hello}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: app
        image: registry.paved.local/paved/fixture-http:ok
        env: [{name: VERSION, value: verify}]
        ports: [{containerPort: 8080}]
        readinessProbe: {httpGet: {path: /readyz, port: 8080}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: hello}
spec:
  type: NodePort
  selector: {app: hello}
  ports: [{port: 80, targetPort: 8080}]
EOF
t0=$(now)
if K -n "$NS" wait --for=condition=Ready pod -l app=hello --timeout=90s >/dev/null; then
  ok "pod Ready in $(since "$t0") s after apply (image pulled from the registry if not cached)"
else
  ko "pod not Ready: $(K -n "$NS" get pods -o wide --no-headers)"
fi
P=$(K -n "$NS" get pod -l app=hello -o jsonpath='{.items[0].metadata.name}')
IP=$(K -n "$NS" get pod "$P" -o jsonpath='{.status.podIP}')
CIP=$(K -n "$NS" get svc hello -o jsonpath='{.spec.clusterIP}')
NP=$(K -n "$NS" get svc hello -o jsonpath='{.spec.ports[0].nodePort}')
[ "$(K -n "$NS" get pod "$P" -o jsonpath='{.spec.nodeName}')" = "$_NODE_NAME" ] &&
  ok "scheduled on $_NODE_NAME (pod IP $IP)" || ko "scheduled on $(K -n "$NS" get pod "$P" -o jsonpath='{.spec.nodeName}')"
K get node "$_NODE_NAME" -o jsonpath='{.status.nodeInfo.containerRuntimeVersion} {.status.nodeInfo.kubeletVersion}' | grep -q 'containerd://.* v1.37.2' &&
  ok "node $_NODE_NAME: $(K get node "$_NODE_NAME" -o jsonpath='{.status.nodeInfo.containerRuntimeVersion}, kubelet {.status.nodeInfo.kubeletVersion}')" || ko "node info"
curl -sf -m 3 "http://$IP:8080/healthz" | grep -q '"version":"verify"' && ok "host -> pod IP $IP:8080" || ko "host -> pod IP"
for _ in $(seq 20); do curl -sf -m 2 "http://$CIP/healthz" >/dev/null && break; sleep 0.5; done
curl -sf -m 3 "http://$CIP/healthz" | grep -q verify && ok "host -> ClusterIP $CIP:80 (kube-proxy, iptables mode)" || ko "host -> ClusterIP $CIP"
curl -sf -m 3 "http://$_NODE_IP:$NP/healthz" | grep -q verify && ok "host -> NodePort $_NODE_IP:$NP" || ko "host -> NodePort"
K -n "$NS" logs "$P" | grep -q 'listening on :8080' && ok "kubectl logs" || ko "kubectl logs: $(K -n "$NS" logs "$P" 2>&1 | tail -2)"
K -n "$NS" exec "$P" -- cat /var/run/secrets/kubernetes.io/serviceaccount/namespace | grep -qx "$NS" &&
  ok "kubectl exec (and the service-account token volume)" || ko "kubectl exec: $(K -n "$NS" exec "$P" -- true 2>&1 | tail -1)"
PORT=$((20000 + RANDOM % 10000))
K -n "$NS" port-forward "pod/$P" "$PORT:8080" >/dev/null 2>&1 &
PF=$!
for _ in $(seq 30); do curl -sf -m 2 "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.3; done
curl -sf -m 3 "http://127.0.0.1:$PORT/healthz" | grep -q verify && ok "kubectl port-forward (127.0.0.1:$PORT -> pod :8080)" || ko "kubectl port-forward"
kill "$PF" 2>/dev/null; wait "$PF" 2>/dev/null; PF=""

# DNS from a pod: CoreDNS on the bridge address, search path of the pod's namespace
out=$(K -n "$NS" exec "$P" -- nslookup "hello.$NS.svc.cluster.local" 2>&1)
grep -q "$CIP" <<<"$out" && ok "pod: hello.$NS.svc.cluster.local -> $CIP" || ko "DNS FQDN: $out"
out=$(K -n "$NS" exec "$P" -- cat /etc/resolv.conf 2>&1)
grep -q "search $NS.svc.cluster.local svc.cluster.local cluster.local" <<<"$out" && grep -q "nameserver $_NODE_BR_IP" <<<"$out" &&
  ok "pod resolv.conf: nameserver $_NODE_BR_IP, search $NS.svc.cluster.local ..." || ko "resolv.conf: $out"
out=$(K -n "$NS" exec "$P" -- nslookup "hello.$NS.svc.cluster.local." "$_NODE_BR_IP" 2>&1; K -n "$NS" exec "$P" -- nslookup -type=a "hello.$NS" 2>&1)
grep -q "$CIP" <<<"$out" && ok "pod: hello.$NS (search path) -> $CIP" || ko "DNS short name: $out"
# (this busybox-static wget crashes with -T: busybox timeout instead)
out=$(K -n "$NS" exec "$P" -- timeout 5 wget -q -O - "http://hello.$NS:80/healthz" 2>&1)
grep -q verify <<<"$out" && ok "pod -> http://hello.$NS:80/healthz (by name, through the ClusterIP, back to the pod itself)" || ko "pod -> hello.$NS by name: $out"
out=$(K -n "$NS" exec "$P" -- timeout 5 wget -q -O - "http://$CIP:80/healthz" 2>&1)
grep -q verify <<<"$out" && ok "pod -> ClusterIP $CIP -> pod (hairpin through kube-proxy)" || ko "pod -> ClusterIP: $out"

# isolation, from inside the pod's network namespace with the host's curl
PN=$(pod_net "$P")
if [ -e "$PN" ]; then
  code=$(nsenter --net="$PN" curl -sk -m 5 -o /dev/null -w '%{http_code}' "https://$_NODE_IP:10250/pods")
  [ "$code" = 401 ] && ok "pod -> kubelet https://$_NODE_IP:10250/pods unauthenticated: HTTP 401" || ko "pod -> kubelet: HTTP $code"
  nsenter --net="$PN" curl -s -m 4 -o /dev/null http://1.1.1.1/ && ko "pod -> 1.1.1.1 (off the machine) was reached" ||
    ok "pod -> 1.1.1.1 (off the machine) blocked: $(nsenter --net="$PN" curl -s -m 4 http://1.1.1.1/ 2>&1 | head -c 80)$(nsenter --net="$PN" curl -sS -m 4 -o /dev/null http://1.1.1.1/ 2>&1 | head -c 80)"
  host_ip=$(ip -4 -o addr show scope global | awk '$2 !~ /^pv-/ {print $4; exit}' | cut -d/ -f1)
  nsenter --net="$PN" curl -s -m 4 -o /dev/null "http://$host_ip:1/" 2>/dev/null; rc=$?
  [ "$rc" = 28 ] || [ "$rc" = 7 ] && ok "pod -> host address $host_ip blocked (curl rc $rc)" || ko "pod -> host $host_ip: curl rc $rc"
  nsenter --net="$PN" curl -s -m 4 -o /dev/null "http://$_NODE_HOST_IP:1/"; rc=$?
  [ "$rc" = 28 ] && ok "pod -> host end of the veth $_NODE_HOST_IP: new connections dropped (curl rc 28, timeout)" || ko "pod -> $_NODE_HOST_IP: curl rc $rc"
  nsenter --net="$PN" curl -s -m 4 -o /dev/null "http://127.0.0.1:$_K8S_API_PORT/" && ko "pod reaches an apiserver on its loopback" || ok "pod -> 127.0.0.1:$_K8S_API_PORT: nothing (the relay is on the node's loopback, not the pod's)"
else
  ko "no network namespace for pod $P"
fi
[ "$(sysctl -n net.ipv4.ip_forward)" = 0 ] && ok "host net.ipv4.ip_forward still 0" || echo "INFO host net.ipv4.ip_forward is $(sysctl -n net.ipv4.ip_forward) (not changed by the node)"

# identities: the Node authorizer limits the kubelet's token, kube-proxy's is read-only
api() { curl -s -m 5 -o /dev/null -w '%{http_code}' --cacert "$_K8S_CERTS/ca.crt" -H "Authorization: Bearer $(cat "$_K8S_DIR/$1")" "https://127.0.0.1:$_K8S_API_PORT$2"; }
c1=$(api node-token "/api/v1/nodes/$_NODE_NAME") c2=$(api node-token /api/v1/secrets) c3=$(api node-token "/api/v1/namespaces/$NS/pods")
[ "$c1 $c2 $c3" = "200 403 403" ] && ok "kubelet token (system:node:$_NODE_NAME): own Node 200, all Secrets 403, a namespace's pods 403" || ko "kubelet token: $c1 $c2 $c3"
c1=$(api kube-proxy-token /api/v1/services) c2=$(api kube-proxy-token /api/v1/secrets) c3=$(api coredns-token /apis/discovery.k8s.io/v1/endpointslices) c4=$(api coredns-token /api/v1/secrets)
[ "$c1 $c2 $c3 $c4" = "200 403 200 403" ] && ok "kube-proxy token: Services 200, Secrets 403; CoreDNS token: EndpointSlices 200, Secrets 403" || ko "kube-proxy/coredns tokens: $c1 $c2 $c3 $c4"
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' --cacert "$_K8S_CERTS/ca.crt" --cert "$_K8S_CERTS/kubelet-client.crt" --key "$_K8S_CERTS/kubelet-client.key" "https://$_NODE_IP:10250/pods")
code2=$(curl -s -m 5 -o /dev/null -w '%{http_code}' --cacert "$_K8S_CERTS/ca.crt" -H "Authorization: Bearer $(cat "$_K8S_DIR/viewer-token")" "https://$_NODE_IP:10250/pods")
[ "$code $code2" = "200 403" ] && ok "kubelet API: the apiserver's client cert 200 (serving cert verified against the local CA), a token without RBAC 403" || ko "kubelet API: cert $code, viewer token $code2"

# failures
K -n "$NS" run missing --image="registry.paved.local/paved/does-not-exist:1" --restart=Never >/dev/null
K -n "$NS" run crasher --image="registry.paved.local/paved/fixture-http:crash" --restart=Always >/dev/null
K -n "$NS" run unready --image="registry.paved.local/paved/fixture-http:unready" --restart=Always \
  --overrides='{"spec":{"containers":[{"name":"unready","image":"registry.paved.local/paved/fixture-http:unready","readinessProbe":{"httpGet":{"path":"/readyz","port":8080},"periodSeconds":1}}]}}' >/dev/null
r=""
for _ in $(seq 120); do
  r=$(K -n "$NS" get pod missing -o jsonpath='{.status.containerStatuses[0].state.waiting.reason}' 2>/dev/null)
  case "$r" in ErrImagePull | ImagePullBackOff) break ;; esac
  sleep 0.5
done
case "$r" in ErrImagePull | ImagePullBackOff) ok "missing image -> $r: $(K -n "$NS" get pod missing -o jsonpath='{.status.containerStatuses[0].state.waiting.message}' | head -c 120)" ;; *) ko "missing image -> '$r'" ;; esac
n=0
for _ in $(seq 120); do
  n=$(K -n "$NS" get pod crasher -o jsonpath='{.status.containerStatuses[0].restartCount}' 2>/dev/null)
  [ "${n:-0}" -ge 2 ] && break
  sleep 0.5
done
c=$(K -n "$NS" get pod crasher -o jsonpath='{.status.containerStatuses[0].lastState.terminated.exitCode}')
K -n "$NS" get events --field-selector involvedObject.name=crasher,reason=BackOff -o name | grep -q . &&
  ok "crash -> restartCount=$n, last exit code $c, BackOff event" || ko "crash loop (restarts=$n exit=$c)"
ready=$(K -n "$NS" get pod unready -o jsonpath='{.status.containerStatuses[0].ready} {.status.phase}')
[ "$ready" = "false Running" ] && ok "unready -> Running, not Ready (readiness 503)" || ko "unready -> $ready"

# pod start time with the image present (median of 5)
times=()
for i in 1 2 3 4 5; do
  t0=$(now)
  K -n "$NS" run "start-$i" --image=registry.paved.local/paved/fixture-http:ok --restart=Never >/dev/null
  K -n "$NS" wait --for=condition=Ready "pod/start-$i" --timeout=60s >/dev/null
  times+=("$(since "$t0")")
done
echo "INFO pod create -> Ready (image present, no probe), 5 runs: ${times[*]} s"
K -n "$NS" delete pods -l run --wait=false >/dev/null 2>&1

exit $failed
