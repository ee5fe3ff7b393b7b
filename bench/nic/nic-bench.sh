#!/usr/bin/env bash
# The NIC layer's load tests on a veth pair in two private network namespaces (run as root; `./sluice bench nic`).
#
#   transmit  Sluice pktgen (AF_PACKET and io_uring ports) against `trafgen -t 0` (netsniff-ng), the same 60-byte
#             frame, the same veth, the same CPU, interleaved round after round. The rate is what the peer's veth
#             counted (rx_packets), over a window that starts after a warm-up, so a generator's own report and
#             its start-up are out of the figure. veth has no wire: the kernel's receive work on the peer runs on
#             the sender's CPU, for every generator alike.
#   receive   Sluice's pktgen offers a counted run of frames at a set rate on one CPU (the generator core); Sluice's
#             pktgen sink receives them into pbufs on the other (the engine core), with the AF_PACKET port and
#             with the io_uring port, and counts the loss by sequence number. The kernel's
#             receive work (veth backlog, the copy into the ring or the socket) runs on the generator's core, or,
#             with RPS, on the engine's core: there the kernel and the engine compete for one CPU, where a poller
#             can fall into receive livelock. A sweep of the offered rate shows whether the delivered rate
#             collapses as the offered rate grows.
#
# Usage: nic-bench.sh [--seconds N] [--rounds R] [--rates "200000 400000 800000 max"] [--only tx|rx]
# Every run is bounded: each generator stops after warm-up + N seconds; the lab is removed on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SECONDS_PER_RUN=5
ROUNDS=3
RATES="200000 400000 800000 max"
ONLY=""
WARMUP=2
GEN_CPU=1
ENGINE_CPU=0

while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) SECONDS_PER_RUN="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --rates) RATES="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "nic-bench: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

if [[ $(id -u) -ne 0 ]]; then
  echo "nic-bench: needs root (network namespaces, veth pairs and raw sockets); run it with sudo" >&2
  exit 1
fi
if [[ $(nproc) -lt 2 ]]; then
  echo "nic-bench: needs 2 CPUs (a generator core and an engine core); this machine has $(nproc)" >&2
  exit 1
fi

# The project installs what its benchmarks need (Debian packages).
missing=()
command -v trafgen >/dev/null || missing+=(netsniff-ng)
command -v nft >/dev/null || missing+=(nftables)
command -v taskset >/dev/null || missing+=(util-linux)
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "nic-bench: installing ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
fi

"$ROOT/sluice" pktgen --help >/dev/null # builds the jar now if the sources are newer, not inside a timed run
export SLUICE_NO_BUILD=1 # and never during the series, whatever is edited meanwhile

TAG="nb$$"
NS_GEN="$TAG-gen"
NS_RX="$TAG-rx"
IF_GEN="$TAG-g"
IF_RX="$TAG-r"
WORK="$(mktemp -d)"
GEN_MAC="02:00:00:00:0b:01"
DST_MAC="02:00:00:00:0b:02"
BG_PIDS=()

cleanup() {
  for p in "${BG_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  sleep 0.2
  for p in "${BG_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  ip netns del "$NS_GEN" 2>/dev/null || true
  ip netns del "$NS_RX" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

build_lab() {
  ip netns add "$NS_GEN"
  ip netns add "$NS_RX"
  for ns in "$NS_GEN" "$NS_RX"; do
    ip netns exec "$ns" sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6'
  done
  ip link add "$IF_GEN" netns "$NS_GEN" address "$GEN_MAC" type veth peer name "$IF_RX" netns "$NS_RX" address "$DST_MAC"
  ip -n "$NS_GEN" link set "$IF_GEN" up
  ip -n "$NS_RX" link set "$IF_RX" up
  # Keep the receiving namespace's kernel stack out of the way (no address, and an ingress drop that AF_PACKET
  # taps still see past), so the same kernel work follows every frame whoever sends or receives it.
  ip netns exec "$NS_RX" nft -f - <<EOF
table netdev sluicebench {
  chain ingress { type filter hook ingress device "$IF_RX" priority 0; policy drop; }
}
EOF
}

# The frame both generators send: 60 bytes, Ethernet/IPv4/UDP, 198.18.0.1:9 -> 198.19.0.1:9, as Sluice's pktgen
# builds it by default, less its magic/sequence/timestamp payload.
write_trafgen_config() {
  cat > "$WORK/frame.cfg" <<EOF
{
  0x02, 0x00, 0x00, 0x00, 0x0b, 0x02,
  0x02, 0x00, 0x00, 0x00, 0x0b, 0x01,
  0x08, 0x00,
  0x45, 0x00, const16(46), const16(0), const16(0x4000), 0x40, 0x11, csumip(14, 33),
  198, 18, 0, 1, 198, 19, 0, 1,
  const16(9), const16(9), const16(26), const16(0),
  fill(0x00, 18)
}
EOF
}

counter() { # NS IF STAT
  ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"
}

now() { date +%s.%N; }

# trafgen pins the process it forks to CPU 0 whatever the parent's affinity; move every thread of it to $1.
start_trafgen() { # CPU RATE(pps|max) -> sets TG_PID
  local cpu=$1 rate=$2 args=(-i "$WORK/frame.cfg" -o "$IF_GEN" -t 0 -P 1 --no-sock-mem --notouch-irq --no-cpu-stats)
  [[ "$rate" != max ]] && args+=(-b "${rate}pps")
  ip netns exec "$NS_GEN" taskset -c "$cpu" trafgen "${args[@]}" >"$WORK/trafgen.log" 2>&1 &
  TG_PID=$!
  BG_PIDS+=("$TG_PID")
  sleep 0.3
  for p in $(pgrep -f "trafgen -i $WORK/frame.cfg"); do taskset -a -p -c "$cpu" "$p" >/dev/null; done
}

stop_pid() {
  # TERM, not INT: a non-interactive shell starts background jobs with SIGINT ignored. trafgen's forked sender
  # does not always follow its parent, so every process of this run's trafgen gets the signal, then KILL.
  kill -TERM "$1" 2>/dev/null || true
  pkill -TERM -f "trafgen -i $WORK/frame.cfg" 2>/dev/null || true
  for _ in $(seq 20); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
  pkill -KILL -f "trafgen -i $WORK/frame.cfg" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

sluice_java() { # NS CPU ARGS... : the launcher's JVM, pinned whole (JIT and GC threads too) to CPU
  local ns=$1 cpu=$2; shift 2
  ip netns exec "$ns" taskset -c "$cpu" "$ROOT/sluice" "$@"
}

# --- transmit: frames per second counted by the peer, in a window after the warm-up
tx_run() { # KIND -> prints pps
  local kind=$1 pid c0 c1 t0 t1
  local total=$(( WARMUP + SECONDS_PER_RUN + 2 ))
  case "$kind" in
    trafgen) start_trafgen "$GEN_CPU" max; pid=$TG_PID ;;
    sluice-afpacket|sluice-io_uring)
      sluice_java "$NS_GEN" "$GEN_CPU" pktgen -i "$IF_GEN" --backend "${kind#sluice-}" --pkt-size 60 \
        --dst-mac "$DST_MAC" --seconds "$total" >"$WORK/pktgen.log" 2>&1 &
      pid=$!; BG_PIDS+=("$pid") ;;
  esac
  sleep "$WARMUP"
  # The JVM needs a moment more to start than trafgen: wait for the first frames before opening the window.
  local seen; seen=$(counter "$NS_RX" "$IF_RX" rx_packets)
  for _ in $(seq 50); do
    sleep 0.1
    [[ $(counter "$NS_RX" "$IF_RX" rx_packets) -gt $(( seen + 1000 )) ]] && break
  done
  sleep 1
  c0=$(counter "$NS_RX" "$IF_RX" rx_packets); t0=$(now)
  sleep "$SECONDS_PER_RUN"
  c1=$(counter "$NS_RX" "$IF_RX" rx_packets); t1=$(now)
  stop_pid "$pid"
  awk -v a="$c0" -v b="$c1" -v s="$t0" -v e="$t1" 'BEGIN { printf "%.0f\n", (b - a) / (e - s) }'
}

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

transmit_benchmark() {
  echo "## Transmit: 60-byte frames into a veth, one generator on CPU $GEN_CPU, $ROUNDS rounds of ${SECONDS_PER_RUN} s, interleaved"
  declare -A runs=()
  local kinds=(trafgen sluice-afpacket sluice-io_uring)
  for r in $(seq "$ROUNDS"); do
    for k in "${kinds[@]}"; do
      local pps; pps=$(tx_run "$k")
      runs[$k]="${runs[$k]:-} $pps"
      printf '  round %d  %-16s %12s pps\n' "$r" "$k" "$pps" >&2
    done
  done
  local base; base=$(echo "${runs[trafgen]}" | median)
  echo
  echo "| generator | runs (pps) | median pps | ratio to trafgen -t 0 |"
  echo "|---|---|---|---|"
  for k in "${kinds[@]}"; do
    local m; m=$(echo "${runs[$k]}" | median)
    printf '| %s | %s | %s | %s |\n' "$k" "$(echo ${runs[$k]} | tr ' ' '/')" "$m" \
      "$(awk -v a="$m" -v b="$base" 'BEGIN { printf "%.2f", a / b }')"
  done
  echo
}

# --- receive: Sluice's pktgen sends a counted run at a set rate on the generator core; Sluice's sink receives it
# into pbufs on the engine core and counts by sequence number what arrived. (trafgen's own pacing, -b, proved
# unreliable here: it sent twice its rate once its CPU's load changed, so the receive runs use a counted generator.)
set_rps() { # MASK (0 = off)
  ip netns exec "$NS_RX" sh -c "echo $1 > /sys/class/net/$IF_RX/queues/rx-0/rps_cpus"
}

rx_run() { # BACKEND RATE(pps|max) -> prints "offered_pps delivered_pps lost_fraction"
  local backend=$1 rate=$2 sink count
  # About SECONDS_PER_RUN seconds of traffic; at "max" the generator's measured ceiling, 1.5 Mpps, sets the count.
  count=$(( ${rate/max/1500000} * SECONDS_PER_RUN ))
  sluice_java "$NS_RX" "$ENGINE_CPU" pktgen --sink -i "$IF_RX" --backend "$backend" --count "$count" \
    --seconds "$(( SECONDS_PER_RUN * 4 + 10 ))" --idle-seconds 2 >"$WORK/sink.log" 2>&1 &
  sink=$!
  BG_PIDS+=("$sink")
  for _ in $(seq 100); do grep -q '^pktgen sink:' "$WORK/sink.log" && break; sleep 0.1; done
  sleep 1 # the sink's JIT warms up on its first polls
  sluice_java "$NS_GEN" "$GEN_CPU" pktgen -i "$IF_GEN" --pkt-size 60 --dst-mac "$DST_MAC" --count "$count" \
    --rate "${rate/max/0}" --seconds "$(( SECONDS_PER_RUN * 4 + 5 ))" >"$WORK/gen.log" 2>&1 || true
  wait "$sink" || true
  [[ -n "${NIC_BENCH_DEBUG:-}" ]] && cat "$WORK/gen.log" "$WORK/sink.log" >&2
  local offered received sent
  offered=$(sed -n 's/^sent .* frames .* s: \([0-9,]*\) pps.*/\1/p' "$WORK/gen.log" | tr -d ,)
  sent=$(sed -n 's/^sent \([0-9,]*\) frames.*/\1/p' "$WORK/gen.log" | tr -d ,)
  received=$(sed -n 's/^received \([0-9,]*\) pktgen frames.*/\1/p' "$WORK/sink.log" | tr -d ,)
  if [[ -z "$offered" || -z "$received" || -z "$sent" ]]; then
    echo "nic-bench: a receive run failed:" >&2; cat "$WORK/gen.log" "$WORK/sink.log" >&2
    echo "0 0 1"; return
  fi
  # Delivered: what arrived, at the rate it was offered (the run lasted count / offered seconds).
  awk -v o="$offered" -v r="$received" -v n="$sent" 'BEGIN { printf "%.0f %.0f %.4f\n", o, o * r / n, (n - r) / n }'
}

receive_benchmark() {
  echo "## Receive: Sluice pktgen on CPU $GEN_CPU offers 60-byte frames; Sluice's sink receives them into pbufs on CPU $ENGINE_CPU"
  echo
  echo "Each run is a counted burst of about ${SECONDS_PER_RUN} s. Offered: the generator's own rate. Delivered: offered x"
  echo "(frames the sink received / frames sent); loss from the sink's sequence numbers. Livelock would show as a"
  echo "delivered rate that falls while the offered rate grows."
  echo
  echo "| kernel receive work on | backend | target rate | runs: offered/delivered (pps) | median delivered | median loss |"
  echo "|---|---|---|---|---|---|"
  local placement backend rate
  for placement in generator engine; do
    if [[ $placement == engine ]]; then set_rps $(( 1 << ENGINE_CPU )); else set_rps 0; fi
    for rate in $RATES; do
      declare -A cells=() deliv=() loss=()
      for r in $(seq "$ROUNDS"); do
        for backend in afpacket io_uring; do
          local o d l
          read -r o d l < <(rx_run "$backend" "$rate")
          printf '  %-9s %-8s rate %-7s round %d: offered %s delivered %s loss %s\n' "$placement" "$backend" "$rate" \
            "$r" "$o" "$d" "$l" >&2
          cells[$backend]="${cells[$backend]:-} $o/$d"
          deliv[$backend]="${deliv[$backend]:-} $d"
          loss[$backend]="${loss[$backend]:-} $l"
        done
      done
      for backend in afpacket io_uring; do
        printf '| %s core (CPU %s) | %s | %s | %s | %s | %s %% |\n' "$placement" \
          "$([[ $placement == engine ]] && echo $ENGINE_CPU || echo $GEN_CPU)" "$backend" "$rate" \
          "$(echo ${cells[$backend]})" "$(echo "${deliv[$backend]}" | median)" \
          "$(echo "${loss[$backend]}" | tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { printf "%.2f", 100 * v[int((NR + 1) / 2)] }')"
      done
      unset cells deliv loss
    done
  done
  set_rps 0
  echo
}

build_lab
write_trafgen_config
echo "# nic-bench $(date -u +%Y-%m-%dT%H:%MZ): $(nproc) CPUs, kernel $(uname -r), $(trafgen -v 2>&1 | head -1)"
echo
[[ "$ONLY" != rx ]] && transmit_benchmark
[[ "$ONLY" != tx ]] && receive_benchmark
exit 0
