#!/usr/bin/env bash
# Runs Postfix's smtp-source against headend's SMTP server (`headend serve`, storing every message
# durably: in the segment log by default, STORE=maildir for the maildir) and against Postfix's
# smtp-sink (which stores nothing) in this one run, and prints both message rates and their ratio.
#
#   benchmarks/mail/smtp-source-vs-sink.sh        # after: mvn -B -ntp install -DskipTests
#
# The two servers run side by side and are measured in alternation, ROUNDS times each; the medians
# are compared, because this shared machine's speed drifts from one run to the next.
#
# Before that, WARMUP rounds against each (6). headend is a JVM and reaches its steady state only
# after about 30000 messages: CPU per message of a fresh server, round by round of 5000 (2026-12-05,
# /proc/<pid>/task/*/stat): I/O thread 260, 198, 140, 128, 118, 108, 110, 108 µs; C2 compiler
# thread 234, 128, 50, 2, 6, 6, 2, 0 µs. smtp-sink, a C program, has no warm-up; the measured
# rounds are both servers' steady state. WARMUP=1 gives a cold JVM.
#
# Env: MESSAGES (per round: 5000), SESSIONS (smtp-source -s: 20), SIZE (message octets: 2000),
#      STORE (headend's store, --mail-store: log, the segment log, by default; maildir, a file per
#      message), ROUNDS (5), WARMUP (6), REUSE (1: smtp-source -d, several messages per connection; 0: one connection
#      per message), MAIL_DIR (where headend stores: a fresh folder under /var/tmp, on disk, not
#      tmpfs), JAR (cli/target/headend.jar), JAVA (java), JAVA_OPTS, SERVER_CPUS / CLIENT_CPUS
#      (taskset -c lists: both servers on SERVER_CPUS, smtp-source on CLIENT_CPUS, e.g.
#      SERVER_CPUS=0 CLIENT_CPUS=1, so the load generator does not take the servers' CPU; unset:
#      no pinning).
# Needs: postfix (smtp-source, smtp-sink). Loopback only; never port 2525.
set -euo pipefail
cd "$(dirname "$0")/../.."

MESSAGES=${MESSAGES:-5000}
SESSIONS=${SESSIONS:-20}
SIZE=${SIZE:-2000}
ROUNDS=${ROUNDS:-5}
WARMUP=${WARMUP:-6}
REUSE=${REUSE:-0}
STORE=${STORE:-log}
JAR=${JAR:-cli/target/headend.jar}
JAVA=${JAVA:-java}
JAVA_OPTS=${JAVA_OPTS:--Xms256m -Xmx256m}

for tool in smtp-source smtp-sink python3 "$JAVA"; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y postfix)" >&2; exit 2; }
done
[ -f "$JAR" ] || { echo "missing $JAR: run mvn -B -ntp install -DskipTests" >&2; exit 2; }

work=$(mktemp -d /var/tmp/smtp-bench.XXXXXX)
MAIL_DIR=${MAIL_DIR:-$work/mail}
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
SINK_PORT=$(free_port)
OUR_PORT=$(free_port)
[ "$SINK_PORT" != 2525 ] && [ "$OUR_PORT" != 2525 ] || { echo "got port 2525; run again" >&2; exit 2; }

pin_server=(); pin_client=()
[ -z "${SERVER_CPUS:-}" ] || pin_server=(taskset -c "$SERVER_CPUS")
[ -z "${CLIENT_CPUS:-}" ] || pin_client=(taskset -c "$CLIENT_CPUS")

"${pin_server[@]}" smtp-sink -u "$(id -un)" 127.0.0.1:"$SINK_PORT" 1024 > "$work/sink.out" 2>&1 &
pids+=($!)
sink_pid=$!
# shellcheck disable=SC2086
"${pin_server[@]}" "$JAVA" $JAVA_OPTS -jar "$JAR" serve --dns-port 0 --resolver-port -1 --tftp-port -1 \
  --smtp-port "$OUR_PORT" --mail-dir "$MAIL_DIR" --mail-store "$STORE" > "$work/headend.out" 2>&1 &
pids+=($!)
our_pid=$!
HZ=$(getconf CLK_TCK)
# CPU time (user + system, all threads, clock ticks) process $1 has used so far
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

wait_port() {
  for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "nothing listens on port $1" >&2; cat "$work"/*.out >&2; exit 1
}
wait_port "$SINK_PORT"
wait_port "$OUR_PORT"

reuse=()
[ "$REUSE" = 1 ] && reuse=(-d)
# Prints messages per second for one smtp-source run against port $1, and the CPU time the
# server (pid $2) used per message, in microseconds, to $work/last-cpu.txt.
run() {
  local start end t0
  t0=$(ticks "$2")
  start=$(date +%s.%N)
  "${pin_client[@]}" smtp-source "${reuse[@]}" -s "$SESSIONS" -m "$MESSAGES" -l "$SIZE" -f alice@sender.test \
    -t bob@example.test 127.0.0.1:"$1" > "$work/source.out" 2>&1 || { cat "$work/source.out" >&2; exit 1; }
  end=$(date +%s.%N)
  echo $(( ($(ticks "$2") - t0) * 1000000 / HZ / MESSAGES )) > "$work/last-cpu.txt"
  python3 -c "print(round($MESSAGES / ($end - $start)))"
}

# warm-up (JIT, page cache), then alternate
for _ in $(seq 1 "$WARMUP"); do
  run "$OUR_PORT" "$our_pid" > /dev/null
  run "$SINK_PORT" "$sink_pid" > /dev/null
done
ours=(); sink=(); ours_cpu=(); sink_cpu=()
for r in $(seq 1 "$ROUNDS"); do
  sink+=("$(run "$SINK_PORT" "$sink_pid")"); sink_cpu+=("$(cat "$work/last-cpu.txt")")
  ours+=("$(run "$OUR_PORT" "$our_pid")"); ours_cpu+=("$(cat "$work/last-cpu.txt")")
  echo "round $r: smtp-sink ${sink[-1]} msg/s (${sink_cpu[-1]} µs CPU/msg)," \
    "headend ${ours[-1]} msg/s (${ours_cpu[-1]} µs CPU/msg)" >&2
done

if [ "$STORE" = log ]; then
  kill "$our_pid"; wait "$our_pid" 2>/dev/null || true # the log is locked while the server runs
  stored=$("$JAVA" -cp "$JAR" benchmarks/mail/CountLog.java "$MAIL_DIR" bob@example.test)
else
  stored=$(find "$MAIL_DIR" -path '*/new/*' -type f | wc -l)
fi
expected=$(( MESSAGES * (ROUNDS + WARMUP) ))
[ "$stored" -eq "$expected" ] || { echo "headend stored $stored messages, expected $expected" >&2; exit 1; }

python3 - "${sink[*]}" "${ours[*]}" "${sink_cpu[*]}" "${ours_cpu[*]}" "$STORE" <<'PY'
import statistics, sys
sink, ours, sink_cpu, ours_cpu = ([int(x) for x in a.split()] for a in sys.argv[1:5])
s, o = statistics.median(sink), statistics.median(ours)
sc, oc = statistics.median(sink_cpu), statistics.median(ours_cpu)
print(f"smtp-sink (stores nothing):         {s:.0f} msg/s, {sc:.0f} µs CPU/msg  (rounds {sink})")
print(f"headend serve ({sys.argv[5]}, synced): {o:.0f} msg/s, {oc:.0f} µs CPU/msg  (rounds {ours})")
print(f"ratio headend/smtp-sink:            {o / s:.2f}")
PY
[ -z "${SERVER_CPUS:-}" ] || echo "servers on CPU $SERVER_CPUS, smtp-source on CPU ${CLIENT_CPUS:-any}"
echo "messages stored durably by headend: $stored"
