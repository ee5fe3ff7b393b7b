#!/usr/bin/env bash
# UDP echo through Sluice's stack in a veth lab (run as root; `./sluice bench udp-echo`):
#
#   ns ue-c: c0 10.20.9.2/24 [Sluice pktgen, CPU 1]  <--veth-->  s0 10.20.9.1/24 [./sluice serve --udp echo, CPU 0]
#
# Sluice's pktgen sends 60-byte UDP datagrams to 10.20.9.1:7 at a set rate (or unthrottled); Sluice's echo service
# sends each back. Offered is c0's transmit counter; echoed is an nftables counter of the UDP datagrams from port 7
# reaching c0 (dropped there after counting, so the client's kernel answers none of them with Port Unreachable).
# s0 has no kernel address and an ingress drop: only Sluice sees its frames. Every rate runs after a warm-up.
#
# Usage: udp-echo-bench.sh [--seconds N] [--rates 100000,300000,max] [--rounds R]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SECONDS_PER_RUN=5
RATES="100000,300000,600000,max"
ROUNDS=3
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) SECONDS_PER_RUN="$2"; shift 2 ;;
    --rates) RATES="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "udp-echo-bench: unknown option $1" >&2; exit 2 ;;
  esac
done
. "$ROOT/bench/lib/serve-lab.sh"
serve_lab_need nft:nftables
serve_lab_up "ue$$" 10.20.9.2
ip netns exec "$CLI" nft -f - <<NFT
table netdev echo {
  counter echoed { }
  chain in {
    type filter hook ingress device "c0" priority 0;
    ether type ip ip protocol udp udp sport 7 counter name echoed drop
  }
}
NFT
serve_lab_keepout
S0_MAC=$(ip -n "$SRV" -br link show s0 | awk '{print $3}')
serve_lab_sluice udpecho 10.20.9.1 16384 "" --udp echo

echoed() { ip netns exec "$CLI" nft list counter netdev echo echoed | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
sent() { ip netns exec "$CLI" cat /sys/class/net/c0/statistics/tx_packets; }
pktgen() { # RATE SECONDS
  local rate=()
  [[ $1 != max ]] && rate=(--rate "$1")
  taskset -c 1 "$ROOT/sluice" pktgen -i c0 --netns "$CLI" --dst-mac "$S0_MAC" --dst-min 10.20.9.1 --src-min 10.20.9.2 \
    --udp-dst-min 7 --udp-src-min 9000 --udp-src-max 9015 --seconds "$2" "${rate[@]}" >/dev/null 2>&1
}

pktgen 20000 2 # warm-up: ARP, the JIT
echo "# udp-echo-bench $(date -u +%Y-%m-%dT%H:%MZ): $(nproc) CPUs, kernel $(uname -r)"
echo
echo "| offered (target) | runs: offered/echoed (pps) | median echoed | echoed/offered |"
echo "|---|---|---:|---:|"
IFS=, read -r -a rates <<<"$RATES"
for rate in "${rates[@]}"; do
  cells=""; echoes=""; ratios=""
  for _ in $(seq "$ROUNDS"); do
    s0=$(sent); e0=$(echoed); t0=$(date +%s.%N)
    pktgen "$rate" "$SECONDS_PER_RUN"
    sleep 0.5 # the last echoes
    s1=$(sent); e1=$(echoed); t1=$(date +%s.%N)
    read -r o e r < <(awk -v s0="$s0" -v s1="$s1" -v e0="$e0" -v e1="$e1" -v t0="$t0" -v t1="$t1" -v d="$SECONDS_PER_RUN" \
      'BEGIN { o = (s1 - s0) / d; e = (e1 - e0) / d; printf "%.0f %.0f %.3f\n", o, e, (s1 > s0 ? (e1 - e0) / (s1 - s0) : 0) }')
    echo "  rate $rate: offered $o echoed $e" >&2
    cells="$cells $o/$e"; echoes="$echoes $e"; ratios="$ratios $r"
  done
  printf '| %s | %s | %s | %s |\n' "$rate" "$(echo $cells)" "$(echo "$echoes" | median)" "$(echo "$ratios" | median)"
done
serve_lab_stop
grep -q "pool full again" "$WORK/serve.log" && echo && echo "Sluice stopped clean: pool full again." \
  || { echo "udp-echo-bench: Sluice did not end clean:" >&2; tail -5 "$WORK/serve.log" >&2; }
grep -o "udp\.[a-zA-Z]*=[0-9]*" "$WORK/serve.log" | tr '\n' ' '; echo
