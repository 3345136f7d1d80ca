# The local gateway (gateway/server.ts): http://<service>.<namespace>.localhost:$PAVED_GATEWAY_PORT
# routes to that Service's ClusterIP, so every deployed service answers at a URL on loopback.
# Sourced; needs common.sh, Node 22+ on PATH, and the Kubernetes part started (its CA and token).

PAVED_GATEWAY_PORT=${PAVED_GATEWAY_PORT:-8900}

gateway_running() { live_pid "$PAVED_RUN/gateway.pid" gateway/server.ts >/dev/null; }

gateway_url() { echo "http://{service}.{namespace}.localhost:$PAVED_GATEWAY_PORT"; }

gateway_start() {
  gateway_running && return 0
  port_open "$PAVED_GATEWAY_PORT" && fail "port $PAVED_GATEWAY_PORT (the gateway's) is taken by another process"
  mkdir -p "$PAVED_RUN/logs"
  PAVED_GATEWAY_PORT=$PAVED_GATEWAY_PORT PAVED_KUBE_SERVER="https://127.0.0.1:${PAVED_KUBE_PORT:-16443}" \
    PAVED_KUBE_TOKEN_FILE="$PAVED_RUN/kubernetes/admin-token" PAVED_KUBE_CA_FILE="$PAVED_RUN/kubernetes/certs/ca.crt" \
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
