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
. "$ROOT/bench/lib/serve-lab.sh"
serve_lab_need ab:apache2-utils nft:nftables
serve_lab_up "hc$$" 10.20.7.2
# Many short connections from one client address: let its kernel reuse ports in TIME-WAIT.
ip netns exec "$CLI" sysctl -q -w net.ipv4.tcp_tw_reuse=1 net.ipv4.ip_local_port_range="10000 65000"
serve_lab_keepout
serve_lab_sluice httpcps 10.20.7.1 32768 ""
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
serve_lab_stop
grep -q "pool full again" "$WORK/serve.log" && { echo; echo "Sluice stopped clean: pool full again."; } \
  || { echo "http-cps-bench: Sluice did not end clean:" >&2; tail -5 "$WORK/serve.log" >&2; }
