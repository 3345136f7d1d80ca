#!/usr/bin/env bash
# The local platform: the real infrastructure Paved provisions into, on loopback.
#
#   yarn platform up       install (cached in $PAVED_CACHE) and start every part; harmless twice,
#                          and restores a part that died
#   yarn platform down     stop every part; no process is left
#   yarn platform status   each part with its version, endpoint and health
#   yarn platform second-cluster up|down|status
#                          another cluster beside this one (tests of an environment on its own
#                          cluster, docs/decisions/0015): etcd, kube-apiserver, controller-manager,
#                          scheduler and a real node, in $PAVED_RUN/second-cluster, on the ports and
#                          subnets of PAVED_SECOND_* (scripts/test.sh sets them per instance); its
#                          node pulls from this platform's registry, which must be up
#
# Parts: PostgreSQL (services' databases, OpenTofu state), the git remote, etcd +
# kube-apiserver + kube-controller-manager + kube-scheduler, the OCI registry, a real node
# (containerd, kubelet, kube-proxy, CoreDNS in the network namespace paved-<instance>: Pods
# run for real, see docs/platform/node.md), the gateway (every Service at
# http://<service>.<namespace>.localhost:$PAVED_GATEWAY_PORT), Vault, OpenTofu with its
# providers, the base images (built locally, in the registry) and the builder that builds a
# service's image on every push to its main branch (docs/platform/builds.md), and Prometheus +
# Alertmanager, whose scrape targets and rules come from the ServiceMonitor and PrometheusRule
# objects in the cluster (lib/prometheus.sh, docs/decisions/0019).
# Namespaces are not the platform's business: the golden path creates each service's.
# `up` writes $PAVED_RUN/app-config.platform.yaml, which `npm start` adds to the
# portal's config when it exists. Run through `scripts/paved platform`, which
# provides Node and PAVED_ROOT/PAVED_RUN/PAVED_CACHE.
set -euo pipefail
: "${PAVED_ROOT:?run through scripts/paved platform}"
cd "$PAVED_ROOT"
for lib in scripts/lib/common.sh scripts/platform/lib/*.sh; do
  # shellcheck source=/dev/null
  source "$lib"
done

PLATFORM_CONFIG=$PAVED_RUN/app-config.platform.yaml

ensure_tofu_state_database() {
  psql -q "$(postgres_url)" -tAc "SELECT 1 FROM pg_database WHERE datname = 'paved_tofu_state'" | grep -q 1 ||
    psql -q "$(postgres_url)" -c 'CREATE DATABASE paved_tofu_state' >/dev/null ||
    fail "creating the OpenTofu state database" "$PAVED_RUN/postgres/postgres.log"
}

# The portal reads the parts' endpoints and credentials from here (git-ignored).
write_portal_config() {
  local tmp
  tmp=$(mktemp)
  cat >"$tmp" <<YAML
# Written by 'yarn platform up'; do not edit. Local credentials only.
kubernetes:
  serviceLocatorMethod:
    type: multiTenant
  clusterLocatorMethods:
    - type: config
      clusters:
        - name: local
          url: https://127.0.0.1:${PAVED_KUBE_PORT:-16443}
          authProvider: serviceAccount
          serviceAccountToken: $(cat "$PAVED_RUN/kubernetes/admin-token")
          caFile: $PAVED_RUN/kubernetes/certs/ca.crt
paved:
  # Services' pods reach the platform's PostgreSQL through the node's relay (lib/node.sh,
  # docs/decisions/0018): the host and port the postgres-database module writes to Vault.
  provisioning:
    moduleDefaults:
      postgres-database:
        host: $(node_postgres_host)
        port: $PAVED_NODE_POSTGRES_PORT
  platform:
    kubeconfig: $PAVED_RUN/kubeconfig
    registry:
      address: $(cat "$PAVED_RUN/registry/address")
      publicHost: registry.paved.local
    gateway:
      url: '$(gateway_url)'
    postgres:
      url: $(postgres_url)
    vault:
      address: $(cat "$PAVED_RUN/vault/address")
      token: $(cat "$PAVED_RUN/vault/portal-token")
    tofu:
      binary: $(tofu_bin)
      cliConfig: $PAVED_RUN/tofu/tofurc
      stateConnection: postgres://postgres@127.0.0.1:$PAVED_PG_PORT/paved_tofu_state?sslmode=disable
    # --- monitoring (lib/prometheus.sh) ---
    prometheus:
      url: $(prometheus_url)
    alertmanager:
      url: $(alertmanager_url)
    # --- builds on push (lib/builder.sh) ---
    builder:
      url: $(builder_url)
# The builder reports builds with this static token (lib/builder.sh makes it once);
# Alertmanager posts alerts with its own (lib/prometheus.sh), to the deployments plugin only.
backend:
  auth:
    externalAccess:
      - type: static
        options:
          token: $(builder_token)
          subject: paved-builder
      - type: static
        options:
          token: $(alertmanager_token)
          subject: paved-alertmanager
        accessRestrictions:
          - plugin: deployments
# --- end builds on push ---
YAML
  mv "$tmp" "$PLATFORM_CONFIG"
}

# --- base images and builds on push (lib/images.sh, lib/builder.sh) ---
# After the registry: the base images are built (cached by recipe), pushed when the
# registry lacks them, and the builder starts.
images_and_builder_up() {
  step "Base images (built locally, cached in $PAVED_CACHE/images) and the builder on $(builder_url)"
  images_build || fail "building the base images" "$PAVED_RUN/logs/images.log"
  if declare -F registry_start >/dev/null; then registry_start; fi
  if curl -sf -m 5 -o /dev/null "http://$(images_registry)/v2/"; then
    images_push || fail "pushing the base images to $(images_registry)" "$PAVED_RUN/logs/images.log"
  else
    note "no registry answers at $(images_registry): the base images are not pushed, builds will fail"
  fi
  builder_start
}
# --- end base images and builds on push ---

up() {
  local started=$SECONDS
  step "PostgreSQL $PAVED_PG_VERSION on 127.0.0.1:$PAVED_PG_PORT"
  postgres_start
  step "Git remote on http://127.0.0.1:$PAVED_GIT_PORT"
  git_remote_start
  step "Kubernetes (etcd, kube-apiserver, kube-controller-manager, kube-scheduler; kubelet, kube-proxy, CoreDNS for the node)"
  kubernetes_install
  node_install
  kubernetes_start
  step "OCI registry on $(registry_address)"
  registry_install
  registry_start
  step "Node paved-${PAVED_NODE_INSTANCE:-dev} (containerd, kubelet, kube-proxy, CoreDNS)"
  node_start
  step "Gateway: http://<service>.<namespace>.localhost:$PAVED_GATEWAY_PORT"
  gateway_start
  step "Vault API: OpenBao $PAVED_OPENBAO_VERSION (server mode, data in $PAVED_RUN/vault/data)"
  vault_install
  vault_start
  step "OpenTofu and its providers"
  tofu_install
  ensure_tofu_state_database
  images_and_builder_up
  step "Prometheus and Alertmanager (Debian's), driven by ServiceMonitor and PrometheusRule objects"
  prometheus_start
  write_portal_config
  step "Platform up in $((SECONDS - started)) s; the portal reads $PLATFORM_CONFIG"
  status
}

down() {
  prometheus_stop
  builder_stop
  gateway_stop
  vault_stop
  node_stop
  registry_stop
  kubernetes_stop
  git_remote_stop
  postgres_stop
  status
}

status() {
  postgres_status
  git_remote_status
  kubernetes_status
  registry_status
  node_status
  gateway_status
  vault_status
  tofu_status
  builder_status
  images_status
  prometheus_status
}

# A second cluster: the same kubernetes.sh and node.sh, with their variables pointed at a run
# dir, ports and subnets of its own. The registry is the first platform's (same
# PAVED_REGISTRY_PORT): its node pulls the same images.
second_cluster() {
  local v
  for v in KUBE_PORT ETCD_PORT ETCD_PEER_PORT KCM_PORT SCHEDULER_PORT NODE_INSTANCE NODE_SUBNET POD_CIDR SERVICE_CIDR; do
    local name=PAVED_SECOND_$v
    [ -n "${!name:-}" ] || fail "second-cluster: $name is not set (scripts/test.sh sets the PAVED_SECOND_* variables per test instance)"
    export "PAVED_$v=${!name}"
  done
  export PAVED_RUN=$PAVED_RUN/second-cluster PAVED_KWOK_NODES=0
  mkdir -p "$PAVED_RUN/logs"
  case "${1:-}" in
    up)
      step "Second cluster on https://127.0.0.1:$PAVED_KUBE_PORT, node paved-$PAVED_NODE_INSTANCE (pods $PAVED_POD_CIDR), registry $(registry_address)"
      _registry_env
      _registry_healthy || fail "second-cluster: the first platform's registry does not answer at $(registry_address): run 'yarn platform up' first"
      kubernetes_install
      node_install
      kubernetes_start || fail "second-cluster: Kubernetes" "$PAVED_RUN/logs/kube-apiserver.log"
      node_start || fail "second-cluster: node paved-$PAVED_NODE_INSTANCE" "$PAVED_RUN/logs/kubelet.log"
      # Where this cluster's pods reach the platform's PostgreSQL: its own node's relay (each
      # node has its own bridge). A portal gives it to them from
      # paved.provisioning.clusterModuleDefaults.<cluster>.postgres-database (0018).
      echo "$(node_postgres_host):$PAVED_NODE_POSTGRES_PORT" >"$PAVED_RUN/postgres-address"
      note "kubeconfig: $PAVED_RUN/kubeconfig; pods reach PostgreSQL at $(cat "$PAVED_RUN/postgres-address")"
      kubernetes_status
      node_status
      ;;
    down)
      node_stop
      kubernetes_stop
      ;;
    status)
      kubernetes_status
      node_status
      ;;
    *)
      echo "usage: yarn platform second-cluster up|down|status" >&2
      exit 2
      ;;
  esac
}

case "${1:-}" in
  up | down | status) "$1" ;;
  second-cluster) second_cluster "${2:-}" ;;
  *)
    echo "usage: yarn platform up|down|status|second-cluster up|down|status" >&2
    exit 2
    ;;
esac
