#!/usr/bin/env bash
# Serves one zone with headend's authoritative server and with NSD, runs the same dnsperf load
# against each in this one run, and prints both rates and their ratio.
#
#   benchmarks/dns/dnsperf-vs-nsd.sh            # after: mvn -B -ntp install -DskipTests
#
# The two servers run side by side and are measured in alternation, ROUNDS times each; the
# medians are compared, because this machine's speed drifts by ±20% from one run to the next.
#
# Env: SECONDS_PER_RUN (10), ROUNDS (5), THREADS (server threads/processes for both sides: 1),
#      CLIENTS (dnsperf -c: 1), OUTSTANDING (dnsperf -q: 100), HOSTS (A records: 1000),
#      JAR (cli/target/headend.jar), JAVA (java), JAVA_OPTS.
# Needs: nsd, dnsperf (apt-get install -y nsd dnsperf). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."

SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
ROUNDS=${ROUNDS:-5}
THREADS=${THREADS:-1}
CLIENTS=${CLIENTS:-1}
OUTSTANDING=${OUTSTANDING:-100}
HOSTS=${HOSTS:-1000}
JAR=${JAR:-cli/target/headend.jar}
JAVA=${JAVA:-java}
JAVA_OPTS=${JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC}

for tool in nsd dnsperf "$JAVA"; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y nsd dnsperf)" >&2; exit 2; }
done
[ -f "$JAR" ] || { echo "missing $JAR: run mvn -B -ntp install -DskipTests" >&2; exit 2; }

work=$(mktemp -d /tmp/dnsperf-vs-nsd.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
NSD_PORT=$(free_port)
OUR_PORT=$(free_port)

# One zone for both: HOSTS hostN A records plus the usual types.
{
  echo '$ORIGIN example.test.'
  echo '$TTL 300'
  echo '@ SOA ns1 hostmaster 2026112501 1800 900 604800 60'
  echo '@ NS ns1'
  echo 'ns1 A 127.0.0.1'
  echo '@ MX 10 mail'
  echo 'mail A 127.0.0.12'
  echo 'www A 127.0.0.11'
  echo 'www AAAA ::1'
  echo 'alias CNAME www'
  echo '_imap._tcp SRV 0 5 143 mail'
  for i in $(seq 1 "$HOSTS"); do echo "host$i A 10.$((i / 65536 % 256)).$((i / 256 % 256)).$((i % 256))"; done
} > "$work/example.test.zone"

# Queries: mostly positive A lookups, some AAAA/MX/CNAME, 10% NXDOMAIN.
python3 - "$HOSTS" > "$work/queries.txt" <<'PY'
import random, sys
random.seed(7)
hosts = int(sys.argv[1])
for _ in range(100000):
    r = random.random()
    if r < 0.70:
        print(f"host{random.randint(1, hosts)}.example.test A")
    elif r < 0.75:
        print("www.example.test AAAA")
    elif r < 0.80:
        print("example.test MX")
    elif r < 0.90:
        print("alias.example.test A")
    else:
        print(f"nx{random.randint(1, 10**6)}.example.test A")
PY

cat > "$work/nsd.conf" <<CONF
server:
  ip-address: 127.0.0.1@$NSD_PORT
  port: $NSD_PORT
  username: ""
  zonesdir: "$work"
  database: ""
  zonelistfile: "$work/zone.list"
  pidfile: "$work/nsd.pid"
  xfrdfile: "$work/xfrd.state"
  logfile: "$work/nsd.log"
  server-count: $THREADS
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
  minimal-responses: yes
remote-control:
  control-enable: no
zone:
  name: example.test
  zonefile: example.test.zone
CONF

nsd -d -c "$work/nsd.conf" > "$work/nsd.out" 2>&1 &
pids+=($!)
# shellcheck disable=SC2086
"$JAVA" $JAVA_OPTS -jar "$JAR" serve --dns-port "$OUR_PORT" --udp-threads "$THREADS" \
  --zone "example.test=$work/example.test.zone" > "$work/headend.out" 2>&1 &
pids+=($!)

wait_up() { # port
  for _ in $(seq 1 100); do
    dig @127.0.0.1 -p "$1" +short +tries=1 +time=1 www.example.test A 2>/dev/null | grep -q 127.0.0.11 && return 0
    sleep 0.2
  done
  echo "server on port $1 did not come up" >&2; cat "$work"/*.out >&2; exit 1
}
wait_up "$NSD_PORT"
wait_up "$OUR_PORT"

run() { # port seconds -> queries per second
  dnsperf -s 127.0.0.1 -p "$1" -d "$work/queries.txt" -l "$2" -c "$CLIENTS" -T 1 -q "$OUTSTANDING" 2>&1 \
    | tee -a "$work/dnsperf.log" | awk '/Queries per second:/ {print $4}'
}

# The JIT needs a warm-up; give NSD the same.
run "$OUR_PORT" 5 > /dev/null
run "$NSD_PORT" 5 > /dev/null
ours_all=(); nsd_all=()
for r in $(seq 1 "$ROUNDS"); do
  ours_all+=("$(run "$OUR_PORT" "$SECONDS_PER_RUN")")
  nsd_all+=("$(run "$NSD_PORT" "$SECONDS_PER_RUN")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
ours=$(median "${ours_all[@]}")
nsd=$(median "${nsd_all[@]}")
lost_total=$(awk '/Queries lost:/ {s += $3} END {print s + 0}' "$work/dnsperf.log")

echo "dnsperf -c $CLIENTS -T 1 -q $OUTSTANDING, $ROUNDS alternating rounds of ${SECONDS_PER_RUN}s," \
  "$THREADS server thread(s)/process(es) each, $(nproc) cores"
echo "headend rounds: ${ours_all[*]}"
echo "nsd rounds:     ${nsd_all[*]}"
printf "headend  median %10.0f q/s\n" "$ours"
printf "nsd      median %10.0f q/s\n" "$nsd"
printf "ratio headend/nsd: %.2f   (queries lost in all runs: %s)\n" "$(echo "$ours / $nsd" | bc -l)" "$lost_total"
