#!/usr/bin/env bash
# Bulk TCP goodput of one connection through a veth pair: Sluice's stack against the Linux kernel's, same lab, same
# Linux client, runs interleaved (run as root; `./sluice bench tcp-bulk`):
#
#   ns tb-c: c0 10.20.8.2/24 [Linux client: nc, CPU 1]  <--veth-->  s0 10.20.8.1/24 [server, CPU 0]
#
# The server is `./sluice serve` (TCP chargen 19 and discard 9 on the stack, the fused layout) or, for the baseline,
# Linux with the address on s0 and two small python servers (an endless sender on 19, a reader on 9). The client
# reads N bytes from port 19 ("to client") and writes N bytes to port 9 ("to server"); goodput = N / the transfer's
# time. MSS 1460 (MTU 1500). Each round runs with the client's TSO/GSO on (Linux's default: it hands the veth 64 KiB
# frames, which Sluice's port cuts into segments and the kernel takes whole) and off (1500-byte frames).
#
# Usage: tcp-bulk-bench.sh [--bytes N] [--rounds R] [--offloads on,off]   (SLUICE_AFPACKET="rxBlockSize = 4096, ..."
# sets the port's afpacket { } section). 1 GB a transfer by default: shorter ones measure the JIT's warm-up and slow
# start.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BYTES=$((1000 * 1000 * 1000))
ROUNDS=3
OFFLOADS=on,off
while [[ $# -gt 0 ]]; do
  case "$1" in
    --bytes) BYTES="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --offloads) OFFLOADS="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "tcp-bulk-bench: unknown option $1" >&2; exit 2 ;;
  esac
done
. "$ROOT/bench/lib/serve-lab.sh"
serve_lab_need nc:netcat-openbsd ethtool:ethtool nft:nftables
serve_lab_up "tb$$" 10.20.8.2

cat > "$WORK/servers.py" <<'PY'
import socket, sys, threading
def serve(port, handle):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("10.20.8.1", port)); s.listen(8)
    while True:
        c, _ = s.accept(); threading.Thread(target=handle, args=(c,), daemon=True).start()
def chargen(c):
    block = bytes(range(95)) * 11000
    try:
        while True: c.sendall(block)
    except OSError: pass
def discard(c):
    buf = bytearray(1 << 20)
    while c.recv_into(buf): pass
    c.close()
threading.Thread(target=serve, args=(19, chargen), daemon=True).start()
print("ready", flush=True)
serve(9, discard)
PY

server_start() { # sluice | kernel
  if [[ $1 == sluice ]]; then
    ip -n "$SRV" addr flush dev s0
    serve_lab_keepout
    serve_lab_sluice tcpbulk 10.20.8.1 32768 "${SLUICE_AFPACKET:-}"
  else
    ip netns exec "$SRV" nft delete table netdev keepout 2>/dev/null || true
    ip -n "$SRV" addr add 10.20.8.1/24 dev s0
    ip netns exec "$SRV" taskset -c 0 python3 "$WORK/servers.py" >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 50); do grep -q ready "$WORK/server.log" && break; sleep 0.1; done
  fi
  sleep 0.5
  # Warm-up: 200 MB each way, so that the first measured transfer of a fresh Sluice does not also pay for its JIT
  # (with a 1 MB warm-up the first 1 GB transfer ran at 2.2 Gbit/s and the next ones at 3.6).
  ip netns exec "$CLI" sh -c "head -c 200000000 /dev/zero | timeout 30 nc -N 10.20.8.1 9 > /dev/null; timeout 30 nc 10.20.8.1 19 < /dev/null | head -c 200000000 > /dev/null" || true
}
server_stop() {
  serve_lab_stop
}
measure() { # to-client | to-server -> Gbit/s
  local t0 t1
  t0=$(date +%s.%N)
  if [[ $1 == to-client ]]; then
    ip netns exec "$CLI" taskset -c 1 sh -c "timeout 120 nc 10.20.8.1 19 < /dev/null | head -c $BYTES > /dev/null" || true
  else
    ip netns exec "$CLI" taskset -c 1 sh -c "head -c $BYTES /dev/zero | timeout 120 nc -N 10.20.8.1 9 > /dev/null"
  fi
  t1=$(date +%s.%N)
  awk -v b="$BYTES" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.2f\n", b * 8 / (t1 - t0) / 1e9 }'
}

echo "# tcp-bulk-bench $(date -u +%Y-%m-%dT%H:%MZ): $(nproc) CPUs, kernel $(uname -r), $BYTES bytes a transfer"
echo
echo "| direction | client TSO/GSO | server | runs (Gbit/s) | median Gbit/s |"
echo "|---|---|---|---|---:|"
declare -A runs=()
IFS=, read -ra offloads <<<"$OFFLOADS"
for r in $(seq "$ROUNDS"); do
  for server in kernel sluice; do
    server_start "$server"
    # Odd rounds in the order given, even rounds reversed: the first transfers of a fresh server also warm its JIT.
    order=("${offloads[@]}")
    (( r % 2 == 0 )) && order=($(printf '%s\n' "${offloads[@]}" | tac))
    for off in "${order[@]}"; do
      ip netns exec "$CLI" ethtool -K c0 tso "$off" gso "$off" >/dev/null 2>&1
      for dir in to-client to-server; do
        g=$(measure "$dir")
        echo "  round $r $server offloads $off $dir: $g Gbit/s" >&2
        runs[$dir.$off.$server]="${runs[$dir.$off.$server]:-} $g"
      done
    done
    server_stop
  done
done
for dir in to-client to-server; do
  for off in "${offloads[@]}"; do
    for server in kernel sluice; do
      printf '| %s | %s | %s | %s | %s |\n' "$dir" "$off" "$server" "$(echo ${runs[$dir.$off.$server]})" \
        "$(echo "${runs[$dir.$off.$server]}" | median)"
    done
  done
done
