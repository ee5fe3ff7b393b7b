#!/usr/bin/env bash
# Forwarding in a veth lab: the kernel's own IPv4 forwarding against Sluice's, same lab, same generator, runs
# interleaved (run as root). `./sluice bench forward` drives it (--serve) and reports; run alone it prints a table.
#
#   gen: g0 10.10.1.2 --veth-- r-gen [router: kernel or Sluice] r-sink --veth-- k0 10.10.2.2 :sink
#
# The generator (trafgen -t 0, or Sluice's pktgen with --generator sluice; one core, CPU 1) sends UDP frames
# 10.10.1.2 -> 198.19.0.1 to the router's MAC; the router forwards them to 10.10.2.2, whose veth counts them (an
# nftables ingress rule drops IPv4 there after counting, so the sink's kernel does no work of its own; with the
# sluice generator, Sluice's pktgen sink on k0, CPU 1, also reads each frame's send timestamp: latency). The router
# runs on CPU 0: the kernel's forwarding in softirq, or Sluice (`./sluice forward`, its JVM pinned to CPU 0).
# Placement of the router's receive work: "generator" (veth default: on the sender's CPU) or "engine" (RPS on
# r-gen to CPU 0). Frame sizes count the FCS (64..1518); the frame sent is 4 bytes shorter.
#
# Offered is g0's tx counter, delivered an nftables counter of the IPv4 frames reaching k0. A trial at the maximum
# rate counts both over a window after a 2 s warm-up; a trial at a set rate
# sends a counted run (rate x seconds frames) and waits for it to drain, so its loss is exact. Counted runs come
# from the pacer, Sluice's pktgen kept warm for the lab's life (CPU 1), whatever the generator: trafgen -b sends
# each second's quota back to back and then sleeps out the second (its shaper), so a "30,000 pps" trafgen run
# was 30,000 frames at trafgen's full rate, and measured the router's buffer, not its rate. CPU per packet: the
# router core's (CPU 0's) busy time over the packets delivered, for either router; none for the kernel with its
# receive work on the generator's core (its forwarding then runs on CPU 1, inside the generator's sends).
#
# Usage: forward-bench.sh [--seconds N] [--runs R] [--sizes 64,512,1518] [--placement engine|generator|both]
#                         [--generator trafgen|sluice] [--engine-only]
#        forward-bench.sh --serve [--generator G] [--latency-dir DIR]
# SLUICE_REALTIME (default rr) sets Sluice's pipeline.realtime; SLUICE_AFPACKET="rxBlockCount = 256, ..." its ports'
# afpacket { } section.
#   --serve reads commands on stdin, one a line, and answers with machine-readable lines (@KIND key=value ...):
#     trial ROUTER PLACEMENT SIZE RATE SECONDS   -> @tick ... each second of a window, then @trial ...
#     soak PLACEMENT SIZE RATE SECONDS           -> Sluice with a GC log, a counted run at RATE, resident memory
#                                                   sampled: @tick ... each second, then @soak ...
#     quit
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SECONDS_PER_RUN=5
ROUNDS=3
SIZES="64"
PLACEMENTS="generator engine"
GENERATOR=trafgen
ROUTERS="kernel sluice"
SERVE=""
LAT_DIR=""
WARMUP=2
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) SECONDS_PER_RUN="$2"; shift 2 ;;
    --rounds|--runs) ROUNDS="$2"; shift 2 ;;
    --sizes) SIZES="${2//,/ }"; shift 2 ;;
    --placement) case "$2" in both) PLACEMENTS="generator engine" ;; engine|generator) PLACEMENTS="$2" ;;
                   *) echo "forward-bench: --placement engine|generator|both" >&2; exit 2 ;; esac; shift 2 ;;
    --generator) case "$2" in trafgen|sluice) GENERATOR="$2" ;; *) echo "forward-bench: --generator trafgen|sluice" >&2; exit 2 ;; esac; shift 2 ;;
    --engine-only) ROUTERS="sluice"; shift ;;
    --serve) SERVE=1; shift ;;
    --latency-dir) LAT_DIR="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "forward-bench: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $(id -u) -eq 0 ]] || { echo "forward-bench: needs root (namespaces, veth, raw sockets)" >&2; exit 1; }
[[ $(nproc) -ge 2 ]] || { echo "forward-bench: needs 2 CPUs (a generator core and a router core)" >&2; exit 1; }
for s in $SIZES; do
  [[ "$s" =~ ^[0-9]+$ && $s -ge 64 && $s -le 1518 ]] || { echo "forward-bench: frame size $s must be 64..1518 (with FCS)" >&2; exit 2; }
done
missing=()
command -v trafgen >/dev/null || missing+=(netsniff-ng)
command -v nft >/dev/null || missing+=(nftables)
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "forward-bench: installing ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
fi
"$ROOT/sluice" forward --help >/dev/null # builds the jar now if it is stale, never inside a timed run
export SLUICE_NO_BUILD=1

T="fb$$"
GEN="$T-gen"; RTR="$T-rtr"; SNK="$T-snk"
WORK="$(mktemp -d)"
[[ -n "$LAT_DIR" ]] || LAT_DIR="$WORK"
mkdir -p "$LAT_DIR"
RTR_MAC="02:00:00:00:fb:01"
SLUICE_PID=""
ROUTER_NOW=""
BG_PIDS=()
PACER_PID=""
cleanup() {
  [[ -z "$PACER_PID" ]] || kill -KILL "$PACER_PID" 2>/dev/null || true
  pkill -KILL -f "trafgen -i $WORK" 2>/dev/null || true
  for p in "${BG_PIDS[@]}" ${SLUICE_PID:-}; do kill -KILL "$p" 2>/dev/null || true; done
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
# k0 counts the forwarded frames (IPv4 only: an ARP request of a router that just started is no delivered frame,
# and would hide a lost one from the NDR search), then drops them.
ip netns exec "$SNK" nft -f - <<NFT
table netdev sink {
  counter ipv4 { }
  chain in {
    type filter hook ingress device "k0" priority 0;
    ether type ip counter name "ipv4" drop
  }
}
NFT
GEN_MAC=$(ip -n "$GEN" -br link show g0 | awk '{print $3}')

frame_cfg() { # SIZE (with FCS) -> the trafgen configuration's path
  local size=$1 len=$(( $1 - 4 )) f="$WORK/frame-$1.cfg"
  [[ -f "$f" ]] && { echo "$f"; return; }
  cat > "$f" <<CFG
{
  $(echo "$RTR_MAC" | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g; s/://g')
  $(echo "$GEN_MAC" | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g; s/://g')
  0x08, 0x00,
  0x45, 0x00, const16($(( len - 14 ))), const16(0), const16(0), 0x40, 0x11, csumip(14, 33),
  10, 10, 1, 2, 198, 19, 0, 1,
  const16(9), const16(9), const16($(( len - 34 ))), const16(0),
  fill(0x00, $(( len - 42 )))
}
CFG
  echo "$f"
}

cat > "$WORK/sluice.conf" <<CONF
engine { name = fwdbench, jmx = false }
pool { slots = 16384 }
# realtime: the engine's threads ahead of ksoftirqd on CPU 0, or with the receive work there ("engine core") an
# overload starves Sluice of the CPU it needs to drain what arrived (receive livelock; PERFORMANCE.md).
pipeline { layout = fused, idle = backoff, realtime = ${SLUICE_REALTIME:-rr} }
arp { pendingPerHop = 1024 }
ports = [
  { name = gen, interface = r-gen, netns = "$RTR", address = "10.10.1.1/24"${SLUICE_AFPACKET:+, afpacket { $SLUICE_AFPACKET \}} }
  { name = sink, interface = r-sink, netns = "$RTR", address = "10.10.2.1/24"${SLUICE_AFPACKET:+, afpacket { $SLUICE_AFPACKET \}} }
]
routes = [ { prefix = "198.19.0.0/16", via = 10.10.2.2 } ]
CONF

counter() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"; }
delivered() { ip netns exec "$SNK" nft list counter netdev sink ipv4 | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
# CPU 0's idle time (idle + iowait, in ticks): with NO_HZ idle the kernel accounts idle time exactly, while the
# softirq it runs on waking from idle lands in no column at all (on 2026-12-08, forwarding 200 kpps, the kernel kept
# CPU 0 23 to 25 % busy while the softirq column grew by 2.3 %), so a router's CPU is the core's busy time.
idle0() { awk '$1 == "cpu0" {print $5 + $6}' /proc/stat; }
now() { date +%s.%N; }
HZ=$(getconf CLK_TCK)
MHZ=$(awk '/cpu MHz/ {print $4; exit}' /proc/cpuinfo)

stop_router() {
  if [[ "$ROUTER_NOW" == sluice* && -n "$SLUICE_PID" ]]; then
    kill -TERM "$SLUICE_PID" 2>/dev/null || true; wait "$SLUICE_PID" 2>/dev/null || true
    grep -q "pool full again" "$WORK/sluice.log" || { echo "forward-bench: Sluice did not end clean:" >&2; tail -5 "$WORK/sluice.log" >&2; }
    SLUICE_PID=""
  elif [[ "$ROUTER_NOW" == kernel* ]]; then
    ip -n "$RTR" route del 198.19.0.0/16 2>/dev/null || true
  fi
  ROUTER_NOW=""
}

start_router() { # ROUTER PLACEMENT: keeps the running router when it is the one asked for
  local router=$1 placement=$2
  [[ "$ROUTER_NOW" == "$router $placement" ]] && return 1
  stop_router
  ip netns exec "$RTR" sh -c "echo $([[ $placement == engine ]] && echo 1 || echo 0) > /sys/class/net/r-gen/queues/rx-0/rps_cpus"
  if [[ $router == kernel ]]; then
    ip netns exec "$RTR" nft delete table netdev sluicefb 2>/dev/null || true
    ip -n "$RTR" addr replace 10.10.1.1/24 dev r-gen
    ip -n "$RTR" addr replace 10.10.2.1/24 dev r-sink
    ip netns exec "$RTR" sysctl -q -w net.ipv4.ip_forward=1
    ip -n "$RTR" route replace 198.19.0.0/16 via 10.10.2.2
    ip netns exec "$RTR" ping -c 1 -W 1 10.10.2.2 >/dev/null 2>&1 || true # resolve the next hop
  else
    # No kernel addresses, no forwarding, an ingress drop: Sluice's ports alone see the frames.
    ip -n "$RTR" addr flush dev r-gen
    ip -n "$RTR" addr flush dev r-sink
    ip netns exec "$RTR" sysctl -q -w net.ipv4.ip_forward=0
    ip netns exec "$RTR" nft -f - <<NFT
table netdev sluicefb {
  chain g { type filter hook ingress device "r-gen" priority 0; policy drop; }
  chain s { type filter hook ingress device "r-sink" priority 0; policy drop; }
}
NFT
    taskset -c 0 "$ROOT/sluice" forward --config "$WORK/sluice.conf" --quiet >"$WORK/sluice.log" 2>&1 &
    SLUICE_PID=$!
    for _ in $(seq 150); do grep -q "^sluice forward:" "$WORK/sluice.log" && break; sleep 0.1; done
    grep -q "^sluice forward:" "$WORK/sluice.log" || { echo "forward-bench: Sluice did not start:" >&2; tail -5 "$WORK/sluice.log" >&2; }
  fi
  ROUTER_NOW="$router $placement"
  return 0
}

# trafgen pins the sender it forks to CPU 0 (worker i to CPU i) whatever its parent's affinity: move it to CPU 1 as
# soon as it exists (its parent is the child of `timeout`, GEN_PID), and once more if it pinned itself after the
# move. A sender left on CPU 0 takes the router's core: a sched_switch trace of 2026-12-07 showed it there for a
# whole counted run, preempting Sluice, after the fixed 0.2 s sleep and pgrep this replaces had missed it.
pin_trafgen() {
  local parent="" worker=""
  for _ in $(seq 2500); do # 2 ms polls, 5 s at most; /proc reads, no process spawned until the move
    [[ -n $parent ]] || { read -r parent _ <"/proc/$GEN_PID/task/$GEN_PID/children" 2>/dev/null || true; }
    [[ -z $parent ]] || { read -r worker _ <"/proc/$parent/task/$parent/children" 2>/dev/null || true; }
    if [[ -n $worker ]]; then
      taskset -p -c 1 "$worker" >/dev/null 2>&1 || true
      sleep 0.05 # in case the worker pinned itself after that move: check once more
      [[ $(taskset -c -p "$worker" 2>/dev/null | awk '{print $NF}') == 1 ]] || taskset -p -c 1 "$worker" >/dev/null 2>&1 || true
      return 0
    fi
    kill -0 "$GEN_PID" 2>/dev/null || return 0 # a short counted run may be over already
    sleep 0.002
  done
  echo "forward-bench: trafgen's sender not found to move it to CPU 1" >&2
}

# The generator, in the background: SIZE RATE(0 = max) COUNT(0 = until stopped) LIMIT_SECONDS; sets GEN_PID.
start_generator() {
  local size=$1 rate=$2 count=$3 limit=$4
  if [[ $GENERATOR == trafgen ]]; then
    local args=(-i "$(frame_cfg "$size")" -o g0 -t 0 -P 1 --no-sock-mem --notouch-irq --no-cpu-stats)
    [[ $rate != 0 ]] && args+=(-b "${rate}pps")
    [[ $count != 0 ]] && args+=(-n "$count")
    ip netns exec "$GEN" taskset -c 1 timeout -s KILL "$limit" trafgen "${args[@]}" >"$WORK/gen.log" 2>&1 &
    GEN_PID=$!
    pin_trafgen
  else
    ip netns exec "$GEN" taskset -c 1 "$ROOT/sluice" pktgen -i g0 --dst-mac "$RTR_MAC" --src-min 10.10.1.2 \
      --dst-min 198.19.0.1 --pkt-size $(( size - 4 )) --rate "$rate" --count "$count" --seconds "$limit" >"$WORK/gen.log" 2>&1 &
    GEN_PID=$!
  fi
  BG_PIDS+=("$GEN_PID")
}

stop_generator() {
  # TERM first, and the job waited for, so that bash has no "Killed" job to report; then whatever trafgen forked.
  kill -TERM "$GEN_PID" 2>/dev/null || true
  pkill -TERM -x trafgen -P "$GEN_PID" 2>/dev/null || true
  for _ in $(seq 30); do kill -0 "$GEN_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$GEN_PID" 2>/dev/null || true
  wait "$GEN_PID" 2>/dev/null || true
  pkill -KILL -f "^trafgen -i $WORK" 2>/dev/null || true
}

# Sluice's pktgen sink on k0 (generator sluice only): LIMIT_SECONDS FILE; sets SINK_PID.
start_sink() {
  ip netns exec "$SNK" taskset -c 1 "$ROOT/sluice" pktgen -i k0 --sink --seconds "$1" --idle-seconds 1 \
    --latency-out "$2" >"$WORK/sink.log" 2>&1 &
  SINK_PID=$!
  BG_PIDS+=("$SINK_PID")
  for _ in $(seq 150); do grep -q "^pktgen sink:" "$WORK/sink.log" && break; sleep 0.1; done
}

wait_for_traffic() { # up to 15 s for g0 to start sending (a JVM generator starts in about a second)
  local base; base=$(counter "$GEN" g0 tx_packets)
  for _ in $(seq 150); do [[ $(counter "$GEN" g0 tx_packets) -gt $((base + 100)) ]] && return 0; sleep 0.1; done
  return 1
}

# The pacer: one pktgen JVM for all counted runs ("COUNT RATE PKT_SIZE" lines in, a "sent ..." line out per run).
# It sends whole bursts of 32 at the rate (BurstPacer), from a JVM whose first run warmed it up. Returns 0 when it
# has just started (its first run should be a warm-up), 1 when it was running.
pacer_start() {
  [[ -n "$PACER_PID" ]] && return 1
  coproc PACER { exec ip netns exec "$GEN" taskset -c 1 "$ROOT/sluice" pktgen -i g0 --dst-mac "$RTR_MAC" \
    --src-min 10.10.1.2 --dst-min 198.19.0.1 --seconds 86400 --commands 2>&1; }
  PACER_PID=$!
  local line
  while IFS= read -r line <&"${PACER[0]}"; do [[ $line == pktgen:* ]] && return 0; done
  echo "forward-bench: the pacer did not start" >&2
  exit 1
}

pace_send() { # SIZE RATE COUNT: starts a counted run
  echo "$3 $2 $(( $1 - 4 ))" >&"${PACER[1]}"
}

pace_wait() { # [TIMEOUT_S]: 0 once the run's "sent" line came (kept in gen.log), 1 on a timeout
  local line
  while IFS= read -r ${1:+-t "$1"} line <&"${PACER[0]}"; do
    case "$line" in
      sent*) echo "$line" >"$WORK/gen.log"; return 0 ;;
      error:*) echo "forward-bench: pacer: $line" >&2; exit 1 ;;
    esac
  done
  [[ -n "${1:-}" ]] || { echo "forward-bench: the pacer ended" >&2; exit 1; }
  return 1
}

TRIAL_NO=0
# One trial: ROUTER PLACEMENT SIZE RATE SECONDS -> prints "@trial ..."
trial() {
  local router=$1 placement=$2 size=$3 rate=$4 secs=$5 fresh=0 lat="-" o0 o1 c0 c1 t0 t1 i0 i1 w0 w1 sent="-" received="-"
  TRIAL_NO=$((TRIAL_NO + 1))
  start_router "$router" "$placement" && fresh=1
  SINK_PID=""
  [[ $GENERATOR == sluice ]] && lat="$LAT_DIR/latency-$TRIAL_NO-$router-$placement-$size.hlog"
  if [[ $rate == 0 ]]; then # as fast as the generator goes: a window after a warm-up
    [[ $GENERATOR == sluice ]] && start_sink $(( secs * 3 + 30 )) "$lat"
    start_generator "$size" 0 0 $(( secs + WARMUP + 30 ))
    wait_for_traffic || echo "forward-bench: the generator sent nothing: $(tail -3 "$WORK/gen.log")" >&2
    sleep "$WARMUP"
    o0=$(counter "$GEN" g0 tx_packets); c0=$(delivered); t0=$(now); i0=$(idle0); w0=$t0
    local po=$o0 pc=$c0
    for _ in $(seq "$secs"); do
      sleep 1
      local no nc; no=$(counter "$GEN" g0 tx_packets); nc=$(delivered)
      echo "@tick router=$router placement=$placement size=$size offered_pps=$((no - po)) delivered_pps=$((nc - pc))"
      po=$no; pc=$nc
    done
    o1=$(counter "$GEN" g0 tx_packets); c1=$(delivered); t1=$(now); i1=$(idle0); w1=$t1
    stop_generator
  else # a counted run at the rate, waited for to the last frame: exact loss
    pacer_start && fresh=1
    if [[ $fresh == 1 ]]; then # a new router or pacer warms up (JIT) on a second of traffic before anything is counted
      pace_send "$size" "$rate" "$rate"; pace_wait; sleep 0.5
    fi
    # The sink after the warm-up: it stops a second after the frames stop, and measures the counted run alone.
    [[ $GENERATOR == sluice ]] && start_sink $(( secs * 4 + 30 )) "$lat"
    local count; count=$(awk -v r="$rate" -v s="$secs" 'BEGIN { printf "%.0f", r * s }')
    o0=$(counter "$GEN" g0 tx_packets); c0=$(delivered); t0=$(now); i0=$(idle0); w0=$t0
    pace_send "$size" "$rate" "$count"; pace_wait
    t1=$(now)
    sleep 0.5 # the last frames drain through the router
    o1=$(counter "$GEN" g0 tx_packets); c1=$(delivered); i1=$(idle0); w1=$(now)
    # The generator's own time on the wire when it reports it (a JVM's start-up is not sending time).
    local own; own=$(sed -n 's/^sent .* in \([0-9.]*\) s:.*/\1/p' "$WORK/gen.log" | tail -1)
    [[ -n "$own" ]] && t1=$(awk -v a="$t0" -v b="$own" 'BEGIN { printf "%.6f", a + b }')
    sent=$((o1 - o0)); received=$((c1 - c0))
  fi
  if [[ -n "$SINK_PID" ]]; then
    wait "$SINK_PID" 2>/dev/null || true
    [[ -s "$lat" ]] || lat="-"
  fi
  # CPU per packet: CPU 0's busy time over what was delivered meanwhile, the same measure for both routers. It
  # holds the router and all the kernel's work on that core (receive softirq, interrupts, the sink's receive of
  # what the router sent); none for the kernel with its receive work on the generator's core, where its forwarding
  # runs on CPU 1 inside the generator's sends and cannot be told apart from them.
  local measured=1
  [[ $router == kernel && $placement == generator ]] && measured=0
  awk -v r="$router" -v p="$placement" -v z="$size" -v rate="$rate" -v o0="$o0" -v o1="$o1" -v c0="$c0" -v c1="$c1" \
    -v t0="$t0" -v t1="$t1" -v i0="$i0" -v i1="$i1" -v w0="$w0" -v w1="$w1" -v measured="$measured" -v hz="$HZ" \
    -v sent="$sent" -v rcv="$received" -v lat="$lat" -v mhz="$MHZ" 'BEGIN {
      dt = t1 - t0; d = c1 - c0
      busy = (w1 - w0) - (i1 - i0) / hz
      cns = (!measured || d <= 0 || busy <= 0) ? "-" : sprintf("%.1f", busy * 1e9 / d)
      printf "@trial router=%s placement=%s size=%s target_pps=%s offered_pps=%.1f delivered_pps=%.1f sent=%s received=%s seconds=%.3f cpu_ns_per_packet=%s mhz=%s latency_file=%s\n",
        r, p, z, rate, (o1 - o0) / dt, d / dt, sent, rcv, dt, cns, mhz, lat }'
}

proc_uptime() { # seconds since process $1 started (the JVM's uptime, which its GC log's [N.NNNs] counts)
  awk -v hz="$HZ" -v st="$(awk '{print $22}' "/proc/$1/stat")" '{ printf "%.3f", $1 - st / hz }' /proc/uptime
}

# A soak: PLACEMENT SIZE RATE SECONDS. A fresh Sluice, with a GC log, forwards a counted run at RATE for SECONDS;
# its resident memory is sampled every second; at the end it is stopped and its pool checked. It warms up on 2 s
# of uncounted traffic first.
# Prints @tick lines, then "@soak ... gc_log=FILE rss_file=FILE pool_full=yes|no traffic_uptime=S".
soak() {
  local placement=$1 size=$2 rate=$3 secs=$4 gclog="$LAT_DIR/soak-gc.log" rss="$LAT_DIR/soak-rss.txt" o0 o1 c0 c1 t0 t1 up
  local count; count=$(awk -v r="$rate" -v s="$secs" 'BEGIN { printf "%.0f", r * s }')
  stop_router
  pacer_start || true
  local saved="${SLUICE_JAVA_OPTS:-}"
  export SLUICE_JAVA_OPTS="$saved -Xlog:gc:file=$gclog"
  start_router sluice "$placement" || true
  export SLUICE_JAVA_OPTS="$saved"
  # Two seconds of traffic first, uncounted, as a trial gives a fresh router: the soak of 2026-12-07 counted a cold
  # JVM's first seconds (30 k, 91 k, 138 k of 264 k pps delivered), all of its 0.30 % loss.
  pace_send "$size" "$rate" $(( rate * 2 )); pace_wait; sleep 0.5
  : >"$rss"
  o0=$(counter "$GEN" g0 tx_packets); c0=$(delivered); t0=$(now)
  up=$(proc_uptime "$SLUICE_PID")
  pace_send "$size" "$rate" "$count"
  local po=$o0 pc=$c0 n=0
  while ! pace_wait 1; do
    n=$((n + 1))
    local no nc kb; no=$(counter "$GEN" g0 tx_packets); nc=$(delivered)
    kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$SLUICE_PID/status" 2>/dev/null || echo 0)
    echo "$n $kb" >>"$rss"
    echo "@tick router=sluice placement=$placement size=$size offered_pps=$((no - po)) delivered_pps=$((nc - pc)) rss_kb=$kb"
    po=$no; pc=$nc
  done
  t1=$(now)
  local own; own=$(sed -n 's/^sent .* in \([0-9.]*\) s:.*/\1/p' "$WORK/gen.log" | tail -1)
  [[ -n "$own" ]] && t1=$(awk -v a="$t0" -v b="$own" 'BEGIN { printf "%.6f", a + b }')
  sleep 0.5
  o1=$(counter "$GEN" g0 tx_packets); c1=$(delivered)
  stop_router
  local full=no; grep -q "pool full again" "$WORK/sluice.log" && full=yes
  awk -v p="$placement" -v z="$size" -v rate="$rate" -v o0="$o0" -v o1="$o1" -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" \
    -v gc="$gclog" -v rss="$rss" -v full="$full" -v up="$up" 'BEGIN { dt = t1 - t0
      printf "@soak router=sluice placement=%s size=%s target_pps=%s offered_pps=%.1f delivered_pps=%.1f sent=%d received=%d seconds=%.3f cpu_ns_per_packet=- gc_log=%s rss_file=%s pool_full=%s traffic_uptime=%s\n",
        p, z, rate, (o1 - o0) / dt, (c1 - c0) / dt, o1 - o0, c1 - c0, dt, gc, rss, full, up }'
}

if [[ -n "$SERVE" ]]; then
  echo "@ready generator=$GENERATOR cpus=$(nproc) mhz=$MHZ kernel=$(uname -r)"
  while read -r cmd a b c d e; do
    case "$cmd" in
      trial) trial "$a" "$b" "$c" "$d" "$e" ;;
      soak) soak "$a" "$b" "$c" "$d" ;;
      quit) break ;;
      "") ;;
      *) echo "@error message=unknown_command:$cmd" ;;
    esac
  done
  stop_router
  exit 0
fi

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }

echo "# forward-bench $(date -u +%Y-%m-%dT%H:%MZ): $(nproc) CPUs, kernel $(uname -r), ${MHZ} MHz, generator $GENERATOR"
echo
echo "| frame size | router's receive work on | router | runs: offered/delivered (pps) | median delivered | delivered/offered | CPU ns/packet |"
echo "|---|---|---|---|---|---|---|"
for size in $SIZES; do
  for placement in $PLACEMENTS; do
    declare -A cells=() deliv=() ratio=() cyc=()
    for r in $(seq "$ROUNDS"); do
      for router in $ROUTERS; do
        trial "$router" "$placement" "$size" 0 "$SECONDS_PER_RUN" >"$WORK/trial.out" # not in a subshell: the router's state lives here
        line=$(grep '^@trial' "$WORK/trial.out")
        o=$(echo "$line" | field offered_pps); d=$(echo "$line" | field delivered_pps); c=$(echo "$line" | field cpu_ns_per_packet)
        printf '  %4s %-9s %-6s round %d: offered %.0f delivered %.0f CPU ns/pkt %s\n' "$size" "$placement" "$router" "$r" "$o" "$d" "$c" >&2
        cells[$router]="${cells[$router]:-} $(printf '%.0f/%.0f' "$o" "$d")"
        deliv[$router]="${deliv[$router]:-} $d"
        ratio[$router]="${ratio[$router]:-} $(awk -v o="$o" -v d="$d" 'BEGIN { printf "%.3f", (o > 0 ? d / o : 0) }')"
        cyc[$router]="${cyc[$router]:-} ${c/-/}"
      done
    done
    for router in $ROUTERS; do
      printf '| %s | %s core | %s | %s | %.0f | %s | %s |\n' "$size" "$placement" "$router" "$(echo ${cells[$router]})" \
        "$(echo "${deliv[$router]}" | median)" "$(echo "${ratio[$router]}" | median)" "$(echo "${cyc[$router]}" | median)"
    done
    unset cells deliv ratio cyc
  done
done
stop_router
