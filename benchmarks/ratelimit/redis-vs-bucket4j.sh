#!/usr/bin/env bash
# Starts a throwaway redis-server on loopback, runs headend's Redis rate limiter and Bucket4j's
# Jedis backend against the same server and the same kind of hot key in one JMH run (8 client
# threads each), and prints decisions per second for both and their ratio.
#
#   benchmarks/ratelimit/redis-vs-bucket4j.sh          # after: mvn -B -ntp install -DskipTests
#
# Env: FORKS (2), JAR (benchmarks/target/benchmarks.jar), JAVA (java).
# Needs: redis-server (apt-get install -y redis-server). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."

FORKS=${FORKS:-2}
JAR=${JAR:-benchmarks/target/benchmarks.jar}
JAVA=${JAVA:-java}
command -v redis-server >/dev/null || { echo "missing redis-server (apt-get install -y redis-server)" >&2; exit 2; }
[ -f "$JAR" ] || { echo "missing $JAR: run mvn -B -ntp install -DskipTests" >&2; exit 2; }

work=$(mktemp -d /tmp/redis-vs-bucket4j.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --daemonize no \
  --dir "$work" --logfile "$work/redis.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 50); do
  redis-cli -p "$port" ping >/dev/null 2>&1 && break
  sleep 0.1
done

"$JAVA" -jar "$JAR" RedisRateLimitBenchmark -p port="$port" -f "$FORKS" -rf json -rff "$work/r.json" \
  > "$work/jmh.log" 2>&1 || { tail -40 "$work/jmh.log"; exit 1; }
python3 - "$work/r.json" <<'PY'
import json, statistics, sys
rows = {}
for r in json.load(open(sys.argv[1])):
    raw = [x for fork in r["primaryMetric"]["rawData"] for x in fork]
    us = statistics.median(raw)  # µs per decision per thread
    rows[r["benchmark"].rsplit(".", 1)[1]] = r["threads"] * 1e6 / us
ours, theirs = rows["hotKeyHeadend"], rows["hotKeyBucket4j"]
print(f"headend  {ours:10,.0f} decisions/s")
print(f"Bucket4j {theirs:10,.0f} decisions/s")
print(f"headend/Bucket4j {ours / theirs:.2f}")
PY
