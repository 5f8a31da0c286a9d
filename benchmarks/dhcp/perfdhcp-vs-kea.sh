#!/usr/bin/env bash
# Runs perfdhcp (DORA, relay mode) against headend's DHCP server (`headend serve`, journal lease
# store) and against kea-dhcp4 (memfile, persist true) in network namespaces, in this one run, and
# prints both rates and their ratio.
#
#   sudo benchmarks/dhcp/perfdhcp-vs-kea.sh        # after: mvn -B -ntp install -DskipTests
#
# Topology: netns hd-bench-srv (veth 10.99.0.1/16, the server) <-> netns hd-bench-cli (veth
# 10.99.0.2/16, perfdhcp). perfdhcp sends to 10.99.0.1 as a relay (giaddr 10.99.0.2), so both
# servers pick the 10.99.0.0/16 subnet by giaddr and answer by unicast. The servers take turns,
# alternating, ROUNDS times each, each start followed by a 5 s warm-up run; the medians are
# compared.
#
# Env: SECONDS_PER_RUN (15), ROUNDS (3), RATE (perfdhcp -r, new exchanges/s offered: 8000),
#      CLIENTS (perfdhcp -R: 60000), FSYNC (our journal fsync: true), JAR (cli/target/headend.jar),
#      JAVA (java), JAVA_OPTS, SERVER_CPUS / CLIENT_CPUS (taskset -c lists: pin the server and
#      perfdhcp to separate cores, e.g. SERVER_CPUS=0 CLIENT_CPUS=1, so the load generator does
#      not take the server's CPU; unset: no pinning), RMEM (the receive buffer of every socket in
#      the run, in bytes: 8388608, so perfdhcp's socket holds a burst of replies instead of
#      dropping them. perfdhcp and Kea ask for no size and get net.core.rmem_default, set to RMEM;
#      headend asks for 4 MiB, which the kernel caps at net.core.rmem_max, set to RMEM/2, and
#      doubles, so it gets RMEM too. Both are machine-wide (a namespace cannot set its own) and
#      restored on exit; 0 leaves them alone).
#
# Besides the rates, each round prints the server's CPU time (user + system, all its threads,
# from /proc/PID/stat) and the exchanges per second of that CPU time: on a 2-core machine
# perfdhcp, on one core, saturates before either server does, so the rates end up equal and the
# CPU each server needed for them is what tells them apart.
# Needs: root, ip, kea-dhcp4 (kea-dhcp4-server), perfdhcp (kea-admin). Only 10.99.0.0/16 inside the
# two namespaces it creates (and deletes on exit) is used.
set -euo pipefail
cd "$(dirname "$0")/../.."

SECONDS_PER_RUN=${SECONDS_PER_RUN:-15}
ROUNDS=${ROUNDS:-3}
RATE=${RATE:-8000}
CLIENTS=${CLIENTS:-60000}
FSYNC=${FSYNC:-true}
JAR=${JAR:-cli/target/headend.jar}
JAVA=${JAVA:-java}
JAVA_OPTS=${JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC}
RMEM=${RMEM:-8388608}
SRV=hd-bench-srv
CLI=hd-bench-cli

[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)" >&2; exit 2; }
for tool in ip kea-dhcp4 perfdhcp "$JAVA"; do
  command -v "$tool" >/dev/null || {
    echo "missing $tool (apt-get install -y iproute2 kea-dhcp4-server kea-admin)" >&2; exit 2; }
done
[ -f "$JAR" ] || { echo "missing $JAR: run mvn -B -ntp install -DskipTests" >&2; exit 2; }

work=$(mktemp -d /tmp/perfdhcp-vs-kea.XXXXXX)
server_pid=
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
}
RMEM_DEFAULT=/proc/sys/net/core/rmem_default
RMEM_MAX=/proc/sys/net/core/rmem_max
old_rmem_default=$(cat "$RMEM_DEFAULT")
old_rmem_max=$(cat "$RMEM_MAX")
cleanup() {
  stop_server
  echo "$old_rmem_default" > "$RMEM_DEFAULT" || true
  echo "$old_rmem_max" > "$RMEM_MAX" || true
  ip netns del "$CLI" 2>/dev/null || true
  ip netns del "$SRV" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# replaces the calling (background) shell with "$@" in the server namespace, pinned when asked,
# so that $! is the server's pid
exec_in_server() {
  exec ip netns exec "$SRV" ${SERVER_CPUS:+taskset -c "$SERVER_CPUS"} "$@"
}

ip netns del "$CLI" 2>/dev/null || true
ip netns del "$SRV" 2>/dev/null || true
ip netns add "$SRV"
ip netns add "$CLI"
if [ "$RMEM" != 0 ]; then
  echo "$RMEM" > "$RMEM_DEFAULT"
  echo $(( RMEM / 2 )) > "$RMEM_MAX"
fi
ip link add hd-bs netns "$SRV" type veth peer name hd-bc netns "$CLI"
ip -n "$SRV" addr add 10.99.0.1/16 dev hd-bs
ip -n "$CLI" addr add 10.99.0.2/16 dev hd-bc
for ns in "$SRV" "$CLI"; do ip -n "$ns" link set lo up; done
ip -n "$SRV" link set hd-bs up
ip -n "$CLI" link set hd-bc up

start_ours() {
  rm -rf "$work/ours"; mkdir -p "$work/ours"
  # shellcheck disable=SC2086
  exec_in_server "$JAVA" $JAVA_OPTS -jar "$JAR" serve --bind 10.99.0.1 \
    --dns-port 0 --resolver-port -1 --tftp-port -1 --smtp-port -1 \
    --dhcp-port 67 --dhcp-subnet 10.99.0.0/16 --dhcp-pool 10.99.1.1-10.99.250.255 \
    --dhcp-leases "$work/ours" --dhcp-fsync "$FSYNC" > "$work/ours.out" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do grep -q 'dhcp ' "$work/ours.out" && return 0; sleep 0.1; done
  cat "$work/ours.out" >&2; exit 1
}

start_kea() {
  rm -f "$work"/kea-leases4.csv*
  cat > "$work/kea.json" <<JSON
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "hd-bs" ], "dhcp-socket-type": "udp" },
    "lease-database": { "type": "memfile", "persist": true, "lfc-interval": 0,
                        "name": "$work/kea-leases4.csv" },
    "valid-lifetime": 3600,
    "subnet4": [ { "id": 1, "subnet": "10.99.0.0/16",
                   "pools": [ { "pool": "10.99.1.1 - 10.99.250.255" } ],
                   "option-data": [ { "name": "routers", "data": "10.99.0.1" },
                                    { "name": "domain-name-servers", "data": "10.99.0.1" },
                                    { "name": "domain-name", "data": "example.test" } ] } ],
    "loggers": [ { "name": "kea-dhcp4", "severity": "WARN",
                   "output_options": [ { "output": "$work/kea.log" } ] } ]
} }
JSON
  exec_in_server env KEA_PIDFILE_DIR="$work" KEA_LOCKFILE_DIR="$work" kea-dhcp4 -c "$work/kea.json" \
    > "$work/kea.out" 2>&1 &
  server_pid=$!
  sleep 1.5
  kill -0 "$server_pid" || { cat "$work/kea.out" "$work/kea.log" >&2; exit 1; }
}

# UDP receive-buffer overflows (RcvbufErrors of /proc/net/snmp) in namespace $1
rcvbuf_errors() {
  ip netns exec "$1" awk '/^Udp:/ {n++; if (n == 1) for (i = 1; i <= NF; i++) c[$i] = i;
    else {print $c["RcvbufErrors"]; exit}}' /proc/net/snmp
}

# CPU time (user + system, all threads, in clock ticks) the server process has used so far
server_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
HZ=$(getconf CLK_TCK)

# prints the achieved 4-way exchanges/s of one perfdhcp run; $work/last-overflow.txt gets the
# datagrams the kernel dropped for a full receive buffer, at the server and at perfdhcp, and
# $work/last-ticks.txt the server's CPU ticks during the run
perf() {
  local secs=$1 out s0 c0 t0
  s0=$(rcvbuf_errors "$SRV"); c0=$(rcvbuf_errors "$CLI"); t0=$(server_ticks)
  out=$(ip netns exec "$CLI" ${CLIENT_CPUS:+taskset -c "$CLIENT_CPUS"} perfdhcp -4 -l hd-bc \
        -r "$RATE" -R "$CLIENTS" -p "$secs" -d 2 \
        10.99.0.1 2>&1) || true
  echo "server $(( $(rcvbuf_errors "$SRV") - s0 )), perfdhcp $(( $(rcvbuf_errors "$CLI") - c0 ))" \
    > "$work/last-overflow.txt"
  echo $(( $(server_ticks) - t0 )) > "$work/last-ticks.txt"
  echo "$out" > "$work/last-perf.txt"
  [ -z "${PERF_LOG:-}" ] || echo "$out" >> "$PERF_LOG"
  echo "$out" | awk '/^Rate:/ {print $2; exit}'
}

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

declare -a ours=() kea=() ours_cpu=() kea_cpu=()
# alternate the servers round by round: this machine's speed drifts over a run
for r in $(seq 1 "$ROUNDS"); do
  for kind in ours kea; do
    "start_$kind"
    perf 5 > /dev/null # warm-up (and the JIT, for ours)
    rate=$(perf "$SECONDS_PER_RUN")
    drops=$(awk '/^drops ratio:/ {printf "%s%s%%", sep, $3; sep=" / "}' "$work/last-perf.txt")
    # exchanges per second of the server's CPU time: what one core would do if the server were
    # the limit (on 2 cores, perfdhcp on one core saturates before either server does)
    per_cpu=$(awk -v r="${rate:-0}" -v s="$SECONDS_PER_RUN" -v t="$(cat "$work/last-ticks.txt")" \
      -v hz="$HZ" 'BEGIN { if (t > 0) printf "%.0f", r * s / (t / hz); else print 0 }')
    echo "$kind round $r: ${rate:-0} DORA/s (drops DISCOVER-OFFER / REQUEST-ACK: ${drops:-?};" \
      "receive buffer overflows: $(cat "$work/last-overflow.txt");" \
      "server CPU $(cat "$work/last-ticks.txt") ticks of 1/$HZ s = $per_cpu DORA per CPU-second)"
    if [ "$kind" = ours ]; then ours+=("${rate:-0}"); ours_cpu+=("$per_cpu")
    else kea+=("${rate:-0}"); kea_cpu+=("$per_cpu"); fi
    stop_server
  done
done

o=$(printf '%s\n' "${ours[@]}" | median)
k=$(printf '%s\n' "${kea[@]}" | median)
echo
echo "offered $RATE DORA/s, $CLIENTS clients, ${SECONDS_PER_RUN}s x $ROUNDS rounds each" \
  "${SERVER_CPUS:+(server on CPU $SERVER_CPUS, perfdhcp on CPU ${CLIENT_CPUS:-any})}" \
  "(net.core.rmem_default $(cat "$RMEM_DEFAULT"), rmem_max $(cat "$RMEM_MAX"))"
oc=$(printf '%s\n' "${ours_cpu[@]}" | median)
kc=$(printf '%s\n' "${kea_cpu[@]}" | median)
echo "headend (journal, fsync=$FSYNC): median $o DORA/s, $oc DORA per second of server CPU"
echo "kea-dhcp4 (memfile, persist):    median $k DORA/s, $kc DORA per second of server CPU"
awk -v o="$o" -v k="$k" 'BEGIN { if (k > 0) printf "ratio headend/kea, DORA/s: %.2fx\n", o / k }'
awk -v o="$oc" -v k="$kc" \
  'BEGIN { if (k > 0) printf "ratio headend/kea, DORA per CPU-second: %.2fx\n", o / k }'
