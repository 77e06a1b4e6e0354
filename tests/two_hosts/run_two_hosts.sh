#!/usr/bin/env bash
# Two hosts on one machine: two network namespaces joined by a veth pair,
# the driver of dagger_distributed in one, a worker started by hand in the
# other. Skipped (exit 77) where the test is not root. Cleans up after
# itself, also when interrupted.
# Usage: run_two_hosts.sh PATH/TO/dagger_distributed
set -euo pipefail
example=$1
if [[ $(id -u) -ne 0 ]] || ! command -v ip >/dev/null; then
  echo "two-host test skipped: creating network namespaces needs root and iproute2"
  exit 77
fi
tag=$$
ns_driver=dagger_driver_$tag
ns_worker=dagger_worker_$tag
veth=dgr$tag
cleanup() {
  ip netns pids "$ns_driver" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  ip netns pids "$ns_worker" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  ip netns del "$ns_driver" 2>/dev/null || true
  ip netns del "$ns_worker" 2>/dev/null || true
}
trap cleanup EXIT
ip netns add "$ns_driver"
ip netns add "$ns_worker"
ip link add "${veth}a" type veth peer name "${veth}b"
ip link set "${veth}a" netns "$ns_driver"
ip link set "${veth}b" netns "$ns_worker"
# An address pair from the test-net range, chosen per run.
subnet="198.18.$((tag % 250)).0"
driver_ip="${subnet%.0}.1"
worker_ip="${subnet%.0}.2"
ip -n "$ns_driver" addr add "$driver_ip/24" dev "${veth}a"
ip -n "$ns_worker" addr add "$worker_ip/24" dev "${veth}b"
for ns in "$ns_driver" "$ns_worker"; do
  ip -n "$ns" link set lo up
done
ip -n "$ns_driver" link set "${veth}a" up
ip -n "$ns_worker" link set "${veth}b" up

cookie=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
port=7001
# Namespaces share System V IPC: keep UCX on tcp, as between real hosts.
export UCX_TLS=tcp
DAGGER_LISTEN=$driver_ip:$port DAGGER_COOKIE=$cookie DAGGER_WAIT_FOR_WORKERS=1 \
  timeout 120 ip netns exec "$ns_driver" "$example" > "driver.$tag.log" 2>&1 &
driver=$!
sleep 0.5
DAGGER_COOKIE=$cookie timeout 120 ip netns exec "$ns_worker" "$example" --dagger-worker "$driver_ip:$port" \
  > "worker.$tag.log" 2>&1 &
status=0
wait "$driver" || status=$?
cat "driver.$tag.log"
echo "-- worker:"
cat "worker.$tag.log"
rm -f "driver.$tag.log" "worker.$tag.log"
exit $status
