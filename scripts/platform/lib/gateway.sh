# The local gateway (gateway/server.ts): http://<service>.<namespace>.localhost:$PAVED_GATEWAY_PORT
# routes to that Service's ClusterIP, so every deployed service answers at a URL on loopback.
# Sourced; needs common.sh, node.sh (node_kubectl), Node 22+ on PATH, and the Kubernetes part
# started (its CA and the gateway's token).

PAVED_GATEWAY_PORT=${PAVED_GATEWAY_PORT:-8900}

gateway_running() { live_pid "$PAVED_RUN/gateway.pid" gateway/server.ts >/dev/null; }

gateway_url() { echo "http://{service}.{namespace}.localhost:$PAVED_GATEWAY_PORT"; }

# The gateway's own identity (user paved-gateway, token from kubernetes.sh): it may get
# Services, nothing else.
_gateway_rbac() {
  node_kubectl apply -f - >/dev/null <<EOF
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "paved:gateway"}
rules:
- apiGroups: [""]
  resources: [services]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "paved:gateway"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "paved:gateway"}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: paved-gateway}]
EOF
}

gateway_start() {
  local token=$PAVED_RUN/kubernetes/gateway-token pid
  _gateway_rbac || fail "applying the gateway's RBAC objects failed"
  if gateway_running; then
    pid=$(cat "$PAVED_RUN/gateway.pid")
    # A gateway started before it had its own identity (it ran with the admin token).
    tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "PAVED_KUBE_TOKEN_FILE=$token" && return 0
    gateway_stop
  fi
  port_open "$PAVED_GATEWAY_PORT" && fail "port $PAVED_GATEWAY_PORT (the gateway's) is taken by another process"
  mkdir -p "$PAVED_RUN/logs"
  PAVED_GATEWAY_PORT=$PAVED_GATEWAY_PORT PAVED_KUBE_SERVER="https://127.0.0.1:${PAVED_KUBE_PORT:-16443}" \
    PAVED_KUBE_TOKEN_FILE="$token" PAVED_KUBE_CA_FILE="$PAVED_RUN/kubernetes/certs/ca.crt" \
    setsid node "$PAVED_ROOT/scripts/platform/gateway/server.ts" >>"$PAVED_RUN/logs/gateway.log" 2>&1 </dev/null &
  echo $! >"$PAVED_RUN/gateway.pid"
  wait_for_http gateway "http://127.0.0.1:$PAVED_GATEWAY_PORT/healthz" "$PAVED_RUN/logs/gateway.log" 20
}

gateway_stop() { stop_process gateway "$PAVED_RUN/gateway.pid" gateway/server.ts; }

gateway_status() {
  local health=down
  curl -sf -o /dev/null "http://127.0.0.1:$PAVED_GATEWAY_PORT/healthz" && health=healthy
  printf '%-24s %-8s %-28s %s\n' gateway "node $(node --version 2>/dev/null)" "http://*.localhost:$PAVED_GATEWAY_PORT" "$health"
}
