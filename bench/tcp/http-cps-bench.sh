#!/usr/bin/env bash
# Connections per second for short HTTP/1.1 requests against Sluice's HTTP server (run as root;
# `./sluice bench http-cps`): ApacheBench (`ab`, CPU 1) in a client namespace, `./sluice serve` on CPU 0, a veth
# between. Every request is a new connection (no keep-alive): handshake, GET /, a short page, close, TIME-WAIT on
# the client. Reports ab's requests per second and failures, a run per concurrency.
#
# Usage: http-cps-bench.sh [--requests N] [--concurrency 1,16,64]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
REQUESTS=20000
CONCURRENCY="1,16,64"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --requests) REQUESTS="$2"; shift 2 ;;
    --concurrency) CONCURRENCY="$2"; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "http-cps-bench: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ $(id -u) -eq 0 ]] || { echo "http-cps-bench: needs root (namespaces, veth, raw sockets)" >&2; exit 1; }
missing=()
command -v ab >/dev/null || missing+=(apache2-utils)
command -v ethtool >/dev/null || missing+=(ethtool)
command -v nft >/dev/null || missing+=(nftables)
[[ ${#missing[@]} -eq 0 ]] || DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
"$ROOT/sluice" serve --help >/dev/null
export SLUICE_NO_BUILD=1

T="hc$$"
CLI="$T-c"; SRV="$T-s"
WORK="$(mktemp -d)"
cleanup() {
  [[ -n "${SERVER_PID:-}" ]] && kill -KILL "$SERVER_PID" 2>/dev/null || true
  ip netns del "$CLI" 2>/dev/null || true
  ip netns del "$SRV" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for ns in "$CLI" "$SRV"; do
  ip netns add "$ns"
  ip netns exec "$ns" sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6; ip link set lo up'
done
ip link add c0 netns "$CLI" type veth peer name s0 netns "$SRV"
ip -n "$CLI" addr add 10.20.7.2/24 dev c0
ip -n "$CLI" link set c0 up
ip -n "$SRV" link set s0 up
ip netns exec "$CLI" ethtool -K c0 tso off gso off >/dev/null 2>&1
# Many short connections from one client address: let its kernel reuse ports in TIME-WAIT.
ip netns exec "$CLI" sysctl -q -w net.ipv4.tcp_tw_reuse=1 net.ipv4.ip_local_port_range="10000 65000"
ip netns exec "$SRV" nft add table netdev keepout '{ chain in { type filter hook ingress device "s0" priority 0; policy drop; } ; }'
cat > "$WORK/serve.conf" <<CONF
engine { name = httpcps, jmx = false }
pool { slots = 32768 }
pipeline { layout = fused, idle = backoff }
ports = [ { name = s0, interface = s0, netns = "$SRV", address = "10.20.7.1/24" } ]
CONF
taskset -c 0 "$ROOT/sluice" serve --config "$WORK/serve.conf" --quiet >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 150); do grep -q "^sluice serve" "$WORK/serve.log" && break; sleep 0.1; done
ip netns exec "$CLI" ab -q -n 2000 -c 16 http://10.20.7.1/ >/dev/null 2>&1 || true # warm-up

echo "# http-cps-bench $(date -u +%Y-%m-%dT%H:%MZ): $(nproc) CPUs, kernel $(uname -r), $REQUESTS requests a run"
echo
echo "| concurrency | requests/s (a connection each) | failed | mean time per request (ms) |"
echo "|---:|---:|---:|---:|"
IFS=, read -r -a levels <<<"$CONCURRENCY"
for c in "${levels[@]}"; do
  out=$(ip netns exec "$CLI" taskset -c 1 ab -q -n "$REQUESTS" -c "$c" -s 10 http://10.20.7.1/ 2>&1 || true)
  [[ -n "${DEBUG:-}" ]] && echo "$out" >&2
  rps=$(echo "$out" | awk '/Requests per second/ {print $4}')
  failed=$(echo "$out" | awk '/Failed requests/ {print $3}')
  tpr=$(echo "$out" | awk '/Time per request/ && /mean\)/ {print $4; exit}')
  echo "| $c | ${rps:-?} | ${failed:-?} | ${tpr:-?} |"
done
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
grep -q "pool full again" "$WORK/serve.log" && { echo; echo "Sluice stopped clean: pool full again."; } \
  || { echo "http-cps-bench: Sluice did not end clean:" >&2; tail -5 "$WORK/serve.log" >&2; }
