#!/usr/bin/env bash
# Prints what the local platform's node may change on the host, for a before/after diff:
#
#   bash scripts/platform/host-snapshot.sh >/tmp/before; yarn platform up; yarn platform down
#   bash scripts/platform/host-snapshot.sh >/tmp/after; diff /tmp/before /tmp/after
#
# Links, addresses, routes, iptables/ip6tables rules, the nft ruleset, network namespaces,
# mounts, cgroups named paved-*, a few sysctls, and the fixed paths containerd, the CNI
# plugins and the kubelet use outside $PAVED_RUN. (Counters and link indexes are left out.)
set -u
section() { printf '\n## %s\n' "$1"; }
section links; ip -o link show | sed 's/^[0-9]*: //; s/ qlen [0-9]*//' | sort
section addresses; ip -o addr show | awk '{$1=""; print}' | sed 's/valid_lft.*//' | sort
section routes; ip route show table all | sort
section iptables; iptables-save 2>/dev/null | grep -v '^#' | sed 's/\[[0-9]*:[0-9]*\]//'
section ip6tables; ip6tables-save 2>/dev/null | grep -v '^#' | sed 's/\[[0-9]*:[0-9]*\]//'
section nft; nft list ruleset 2>/dev/null
section netns; ls -la /run/netns 2>&1 | grep -v '^total'
section mounts; awk '{print $5, $9}' /proc/self/mountinfo | sort
section cgroups; find /sys/fs/cgroup -maxdepth 2 -type d -name 'paved-*' | sort
section sysctls
for s in net.ipv4.ip_forward net.ipv4.conf.all.forwarding net.ipv4.conf.all.route_localnet \
  net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables vm.overcommit_memory \
  kernel.panic kernel.panic_on_oops vm.panic_on_oom kernel.keys.root_maxkeys kernel.keys.root_maxbytes \
  net.netfilter.nf_conntrack_max; do
  printf '%s = %s\n' "$s" "$(sysctl -n "$s" 2>/dev/null)"
done
section paths
for p in /run/containerd /var/lib/containerd /var/lib/cni /etc/cni /opt/cni /var/lib/kubelet /var/log/containers \
  /var/log/pods /run/nri /etc/containerd /run/xtables.lock /opt/containerd /var/run/netns; do
  [ -e "$p" ] && find "$p" -maxdepth 3 | sort
done
section processes
ps -eo stat=,comm= | awk '$1 !~ /^Z/ {print $2}' | grep -E '^(containerd|kubelet|kube-proxy|coredns|socat|runc|pause|docker-registry)' | sort | uniq -c
