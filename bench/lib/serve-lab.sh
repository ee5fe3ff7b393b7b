# Sourced by the benchmarks of Sluice's own stack (bench/udp, bench/tcp): two namespaces joined by a veth pair,
#
#   ns PREFIX-c: c0 CLIENT/24 [the Linux client]  <--veth-->  ns PREFIX-s: s0 [the server: ./sluice serve, or Linux]
#
# and `./sluice serve` started on s0, pinned to CPU 0. Callers set ROOT and may set SERVER_PID; the EXIT trap removes
# the namespaces, stops the server and deletes WORK.

# serve_lab_need CMD:PACKAGE ...: installs the Debian packages of the commands that are missing.
serve_lab_need() {
  [[ $(id -u) -eq 0 ]] || { echo "$(basename "$0"): needs root (namespaces, veth, raw sockets)" >&2; exit 1; }
  local missing=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
  done
  [[ ${#missing[@]} -eq 0 ]] || DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
  "$ROOT/sluice" serve --help >/dev/null # builds the jar now, not in the middle of a measurement
  export SLUICE_NO_BUILD=1
}

# serve_lab_up PREFIX CLIENT_ADDRESS: the namespaces CLI and SRV, the veth pair, the client's address.
serve_lab_up() {
  CLI="$1-c"; SRV="$1-s"
  WORK="$(mktemp -d)"
  trap serve_lab_down EXIT
  trap 'exit 130' INT TERM
  local ns
  for ns in "$CLI" "$SRV"; do
    ip netns add "$ns"
    ip netns exec "$ns" sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6; ip link set lo up'
  done
  ip link add c0 netns "$CLI" type veth peer name s0 netns "$SRV"
  ip -n "$CLI" addr add "$2/24" dev c0
  ip -n "$CLI" link set c0 up
  ip -n "$SRV" link set s0 up
}

serve_lab_down() {
  [[ -n "${SERVER_PID:-}" ]] && kill -KILL "$SERVER_PID" 2>/dev/null || true
  ip netns del "$CLI" 2>/dev/null || true
  ip netns del "$SRV" 2>/dev/null || true
  rm -rf "$WORK"
}

# serve_lab_keepout: an ingress drop on s0, so that only Sluice's socket sees its frames (the kernel answers none).
serve_lab_keepout() {
  ip netns exec "$SRV" nft add table netdev keepout '{ chain in { type filter hook ingress device "s0" priority 0; policy drop; } ; }'
}

# serve_lab_sluice NAME ADDRESS SLOTS [AFPACKET_SETTINGS] -- SERVE_ARGS...: writes $WORK/serve.conf for port s0 and
# starts `./sluice serve` on it, pinned to CPU 0; returns when it is up. Its output is in $WORK/serve.log.
serve_lab_sluice() {
  local name=$1 address=$2 slots=$3 afpacket=${4:-}
  shift 4
  cat > "$WORK/serve.conf" <<CONF
engine { name = $name, jmx = false }
pool { slots = $slots }
pipeline { layout = fused, idle = backoff }
ports = [ { name = s0, interface = s0, netns = "$SRV", address = "$address/24"${afpacket:+, afpacket { $afpacket \}} } ]
CONF
  taskset -c 0 "$ROOT/sluice" serve --config "$WORK/serve.conf" --quiet "$@" >"$WORK/serve.log" 2>&1 &
  SERVER_PID=$!
  local _
  for _ in $(seq 150); do grep -q "^sluice serve" "$WORK/serve.log" && break; sleep 0.1; done
}

# serve_lab_stop: stops the server and waits for it (Sluice prints its closing report into $WORK/serve.log).
serve_lab_stop() {
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}

# median: the median of the numbers on standard input (spaces or lines).
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
