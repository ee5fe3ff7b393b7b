#!/usr/bin/env bash
# Forwarding in a veth lab: the kernel's own IPv4 forwarding against Sluice's, same lab, same generator, runs
# interleaved (run as root; `./sluice bench forward`). A first version of the harness issue #7 asks for.
#
#   gen: g0 10.10.1.2 --veth-- r-gen [router: kernel or Sluice] r-sink --veth-- k0 10.10.2.2 :sink
#
# trafgen (one core, CPU 1) sends 60-byte UDP frames 10.10.1.2 -> 198.19.0.1 to the router's MAC; the router
# forwards them to 10.10.2.2, whose veth counts them (an nftables ingress rule drops IPv4 there after counting,
# so the sink's kernel does no work of its own). The router runs on CPU 0: the kernel's forwarding in softirq, or
# Sluice (`./sluice forward`, its JVM pinned to CPU 0). Placement of the router's receive work: "generator" (veth
# default: on the sender's CPU) or "engine" (RPS on r-gen to CPU 0). Offered and delivered are the veth counters of
# g0 (tx) and k0 (rx) over the same window after a warm-up; Sluice's CPU time over the window gives cycles/packet.
#
# Usage: forward-bench.sh [--seconds N] [--rounds R]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SECONDS_PER_RUN=5
ROUNDS=3
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) SECONDS_PER_RUN="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "forward-bench: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ $(id -u) -eq 0 ]] || { echo "forward-bench: needs root (namespaces, veth, raw sockets)" >&2; exit 1; }
missing=()
command -v trafgen >/dev/null || missing+=(netsniff-ng)
command -v nft >/dev/null || missing+=(nftables)
if [[ ${#missing[@]} -gt 0 ]]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
fi
"$ROOT/sluice" forward --help >/dev/null
export SLUICE_NO_BUILD=1

T="fb$$"
GEN="$T-gen"; RTR="$T-rtr"; SNK="$T-snk"
WORK="$(mktemp -d)"
RTR_MAC="02:00:00:00:fb:01"
cleanup() {
  pkill -KILL -f "trafgen -i $WORK" 2>/dev/null || true
  [[ -n "${SLUICE_PID:-}" ]] && kill -KILL "$SLUICE_PID" 2>/dev/null || true
  for ns in "$GEN" "$RTR" "$SNK"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for ns in "$GEN" "$RTR" "$SNK"; do
  ip netns add "$ns"
  ip netns exec "$ns" sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6; ip link set lo up'
done
ip link add g0 netns "$GEN" type veth peer name r-gen netns "$RTR" address "$RTR_MAC"
ip link add k0 netns "$SNK" type veth peer name r-sink netns "$RTR"
ip -n "$GEN" addr add 10.10.1.2/24 dev g0
ip -n "$SNK" addr add 10.10.2.2/24 dev k0
for d in "$GEN g0" "$SNK k0" "$RTR r-gen" "$RTR r-sink"; do set -- $d; ip -n "$1" link set "$2" up; done
ip netns exec "$SNK" nft -f - <<EOF
table netdev sink {
  chain in {
    type filter hook ingress device "k0" priority 0;
    ether type ip drop
  }
}
EOF
GEN_MAC=$(ip -n "$GEN" -br link show g0 | awk '{print $3}')

cat > "$WORK/frame.cfg" <<EOF
{
  $(echo "$RTR_MAC" | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g; s/://g')
  $(echo "$GEN_MAC" | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g; s/://g')
  0x08, 0x00,
  0x45, 0x00, const16(46), const16(0), const16(0), 0x40, 0x11, csumip(14, 33),
  10, 10, 1, 2, 198, 19, 0, 1,
  const16(9), const16(9), const16(26), const16(0),
  fill(0x00, 18)
}
EOF

cat > "$WORK/sluice.conf" <<EOF
engine { name = fwdbench, jmx = false }
pool { slots = 16384 }
pipeline { layout = fused, idle = backoff }
arp { pendingPerHop = 1024 }
ports = [
  { name = gen, interface = r-gen, netns = "$RTR", address = "10.10.1.1/24" }
  { name = sink, interface = r-sink, netns = "$RTR", address = "10.10.2.1/24" }
]
routes = [ { prefix = "198.19.0.0/16", via = 10.10.2.2 } ]
EOF

counter() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)
MHZ=$(awk '/cpu MHz/ {print $4; exit}' /proc/cpuinfo)

router_kernel() {
  ip netns exec "$RTR" nft delete table netdev sluicefb 2>/dev/null || true
  ip -n "$RTR" addr add 10.10.1.1/24 dev r-gen
  ip -n "$RTR" addr add 10.10.2.1/24 dev r-sink
  ip netns exec "$RTR" sysctl -q -w net.ipv4.ip_forward=1
  ip -n "$RTR" route add 198.19.0.0/16 via 10.10.2.2
  ip netns exec "$RTR" ping -c 1 -W 1 10.10.2.2 >/dev/null 2>&1 || true # resolve the next hop
}

router_plain() { # no kernel addresses, no forwarding, an ingress drop: Sluice's ports alone see the frames
  ip -n "$RTR" addr flush dev r-gen
  ip -n "$RTR" addr flush dev r-sink
  ip netns exec "$RTR" sysctl -q -w net.ipv4.ip_forward=0
  ip netns exec "$RTR" nft -f - <<EOF
table netdev sluicefb {
  chain g { type filter hook ingress device "r-gen" priority 0; policy drop; }
  chain s { type filter hook ingress device "r-sink" priority 0; policy drop; }
}
EOF
}

run() { # ROUTER PLACEMENT -> "offered delivered cycles"
  local router=$1 placement=$2 tg c0 c1 o0 o1 t0 t1 s0=0 s1=0
  ip netns exec "$RTR" sh -c "echo $([[ $placement == engine ]] && echo 1 || echo 0) > /sys/class/net/r-gen/queues/rx-0/rps_cpus"
  SLUICE_PID=
  if [[ $router == kernel ]]; then
    router_kernel
  else
    router_plain
    taskset -c 0 "$ROOT/sluice" forward --config "$WORK/sluice.conf" --quiet --seconds $((SECONDS_PER_RUN + 8)) \
      >"$WORK/sluice.log" 2>&1 &
    SLUICE_PID=$!
    for _ in $(seq 100); do grep -q "^sluice forward:" "$WORK/sluice.log" && break; sleep 0.1; done
  fi
  ip netns exec "$GEN" taskset -c 1 trafgen -i "$WORK/frame.cfg" -o g0 -t 0 -P 1 --no-sock-mem --notouch-irq \
    --no-cpu-stats >/dev/null 2>&1 &
  tg=$!
  sleep 0.3
  for p in $(pgrep -f "trafgen -i $WORK"); do taskset -a -p -c 1 "$p" >/dev/null; done
  sleep 2
  o0=$(counter "$GEN" g0 tx_packets); c0=$(counter "$SNK" k0 rx_packets); t0=$(date +%s.%N)
  [[ -n "$SLUICE_PID" ]] && s0=$(cpu_ticks "$SLUICE_PID") # taskset and the launcher exec the JVM: same pid
  sleep "$SECONDS_PER_RUN"
  o1=$(counter "$GEN" g0 tx_packets); c1=$(counter "$SNK" k0 rx_packets); t1=$(date +%s.%N)
  [[ -n "$SLUICE_PID" ]] && s1=$(cpu_ticks "$SLUICE_PID")
  kill -TERM "$tg" 2>/dev/null; pkill -KILL -f "trafgen -i $WORK" 2>/dev/null || true; wait "$tg" 2>/dev/null || true
  if [[ -n "$SLUICE_PID" ]]; then
    kill -TERM "$SLUICE_PID" 2>/dev/null || true; wait "$SLUICE_PID" 2>/dev/null || true
    grep -q "pool full again" "$WORK/sluice.log" || { echo "forward-bench: Sluice did not end clean:" >&2; tail -5 "$WORK/sluice.log" >&2; }
  else
    ip -n "$RTR" route del 198.19.0.0/16 2>/dev/null || true
  fi
  awk -v o0="$o0" -v o1="$o1" -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v s0="$s0" -v s1="$s1" \
    -v hz="$HZ" -v mhz="$MHZ" 'BEGIN { dt = t1 - t0; d = (c1 - c0); cyc = d > 0 && s1 > s0 ? (s1 - s0) / hz * mhz * 1e6 / d : 0;
      printf "%.0f %.0f %.0f\n", (o1 - o0) / dt, d / dt, cyc }'
}

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "# forward-bench $(date -u +%Y-%m-%dT%H:%MZ): $(nproc) CPUs, kernel $(uname -r), ${MHZ} MHz"
echo
echo "| router's receive work on | router | runs: offered/delivered (pps) | median delivered | delivered/offered | Sluice cycles/packet |"
echo "|---|---|---|---|---|---|"
for placement in generator engine; do
  declare -A cells=() deliv=() ratio=() cyc=()
  for r in $(seq "$ROUNDS"); do
    for router in kernel sluice; do
      read -r o d c < <(run "$router" "$placement")
      printf '  %-9s %-6s round %d: offered %s delivered %s cycles/pkt %s\n' "$placement" "$router" "$r" "$o" "$d" "$c" >&2
      cells[$router]="${cells[$router]:-} $o/$d"
      deliv[$router]="${deliv[$router]:-} $d"
      ratio[$router]="${ratio[$router]:-} $(awk -v o="$o" -v d="$d" 'BEGIN { printf "%.3f", (o > 0 ? d / o : 0) }')"
      cyc[$router]="${cyc[$router]:-} $c"
    done
  done
  for router in kernel sluice; do
    printf '| %s core | %s | %s | %s | %s | %s |\n' "$placement" "$router" "$(echo ${cells[$router]})" \
      "$(echo "${deliv[$router]}" | median)" "$(echo "${ratio[$router]}" | median)" \
      "$([[ $router == sluice ]] && echo "${cyc[$router]}" | median || echo -)"
  done
  unset cells deliv ratio cyc
done
