#!/usr/bin/env bash
# Times the same 50 MB download, with the same clients, from headend's TFTP server (`headend
# serve`) and from tftpd-hpa's in.tftpd in this one run; prints medians, throughputs and ratios.
#
#   benchmarks/tftp/download-vs-tftpd-hpa.sh     # after: mvn -B -ntp install -DskipTests
#
# Each client setting runs ROUNDS times against each server, alternating, after one untimed
# warm-up download from each (the JVM compiles on the first); every download is sha1-checked.
# in.tftpd does not implement windowsize (RFC 7440): with that option it answers lock-step.
#
# Env: SIZE_MB (50), ROUNDS (3), JAR (cli/target/headend.jar), JAVA (java), JAVA_OPTS.
# Needs: tftpd-hpa, tftp-hpa, atftp, curl; root (in.tftpd chroots). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."

SIZE_MB=${SIZE_MB:-50}
ROUNDS=${ROUNDS:-3}
JAR=${JAR:-cli/target/headend.jar}
JAVA=${JAVA:-java}
JAVA_OPTS=${JAVA_OPTS:--Xms256m -Xmx256m}

for tool in in.tftpd tftp atftp curl python3 "$JAVA"; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y tftpd-hpa tftp-hpa atftp curl)" >&2; exit 2; }
done
[ -f "$JAR" ] || { echo "missing $JAR: run mvn -B -ntp install -DskipTests" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "in.tftpd needs root to chroot" >&2; exit 2; }

work=$(mktemp -d /tmp/tftp-vs-hpa.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
mkdir -p "$work/root" "$work/dl"
head -c $((SIZE_MB * 1000000)) /dev/urandom > "$work/root/big.bin"
want=$(sha1sum < "$work/root/big.bin")

HPA_PORT=$(free_port)
in.tftpd -L -a 127.0.0.1:"$HPA_PORT" -s "$work/root" -u root -B 65464 > "$work/hpa.log" 2>&1 &
pids+=($!)

# shellcheck disable=SC2086
"$JAVA" $JAVA_OPTS -jar "$JAR" serve --dns-port 0 --resolver-port -1 --smtp-port -1 \
  --tftp-port 0 --tftp-root "$work/root" > "$work/headend.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do grep -q ready "$work/headend.log" && break; sleep 0.2; done
OUR_PORT=$(sed -n 's/.*tftp  *udp  *127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/headend.log")
[ -n "$OUR_PORT" ] || { echo "headend did not start:"; cat "$work/headend.log"; exit 1; }

clients=(
  "tftp-hpa, 512-byte blocks|tftp -m binary 127.0.0.1 PORT -c get big.bin"
  "atftp, blksize 1428|atftp --option 'blksize 1428' -g -r big.bin -l big.bin 127.0.0.1 PORT"
  "atftp, blksize 1428, windowsize 16|atftp --option 'blksize 1428' --option 'windowsize 16' -g -r big.bin -l big.bin 127.0.0.1 PORT"
  "curl, blksize 8192|curl -s --tftp-blksize 8192 -o big.bin tftp://127.0.0.1:PORT/big.bin"
)

# one timed download: prints seconds, fails on a wrong file
fetch() {
  local cmd=${2//PORT/$1}
  cd "$work/dl"
  rm -f big.bin
  local s e
  s=$(date +%s.%N)
  eval "timeout 300 $cmd" > /dev/null 2>&1 || true
  e=$(date +%s.%N)
  [ "$(sha1sum < big.bin 2>/dev/null)" = "$want" ] || { echo "FAILED: $cmd" >&2; exit 1; }
  rm -f big.bin
  cd - > /dev/null
  echo "$e - $s" | bc
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "file: ${SIZE_MB} MB; headend on :$OUR_PORT, in.tftpd on :$HPA_PORT; $ROUNDS rounds each, alternating"
printf '%-38s %12s %12s %12s %12s %7s\n' "client" "headend s" "in.tftpd s" "headend MB/s" "tftpd MB/s" "ratio"
for entry in "${clients[@]}"; do
  name=${entry%%|*}
  cmd=${entry#*|}
  fetch "$OUR_PORT" "$cmd" > /dev/null
  fetch "$HPA_PORT" "$cmd" > /dev/null
  ours=()
  theirs=()
  for _ in $(seq 1 "$ROUNDS"); do
    ours+=("$(fetch "$OUR_PORT" "$cmd")")
    theirs+=("$(fetch "$HPA_PORT" "$cmd")")
  done
  mo=$(printf '%s\n' "${ours[@]}" | median)
  mt=$(printf '%s\n' "${theirs[@]}" | median)
  printf '%-38s %12.2f %12.2f %12.1f %12.1f %7.2f\n' "$name" "$mo" "$mt" \
    "$(echo "$SIZE_MB / $mo" | bc -l)" "$(echo "$SIZE_MB / $mt" | bc -l)" "$(echo "$mt / $mo" | bc -l)"
done
echo "ratio = in.tftpd time / headend time (above 1: headend is faster)"
