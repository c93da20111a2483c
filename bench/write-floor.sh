#!/usr/bin/env bash
# The fan-out floor on this machine (issue 13, point 1): one write of one event (the size of the
# reference server's published events) to each of N loopback sockets, RATE times a second for
# EVENTS rounds, from one thread of one JVM, while a second JVM reads and discards on one selector
# thread. The writer's CPU per write is the least any server spends per delivery here; compare it
# with a server's CPU per delivered event (capacity.json: projection.cpuSecondsPerEvent).
#
#   bench/write-floor.sh                 # N=18000 EVENTS=200 RATE=10, about 25 s
#   N=10000 EVENTS=100 bench/write-floor.sh
#   OUT=reports/baseline/write-floor.json bench/write-floor.sh
#
# Needs a JDK (javac compiles bench/src/.../WriteFloor.java, JDK only) and ulimit -n > N + 200.
# One JSON line on stdout (and in OUT when given).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N=${N:-18000}; EVENTS=${EVENTS:-200}; RATE=${RATE:-10}; OUT=${OUT:-}
[[ $(ulimit -n) -ge $((N + 200)) ]] || ulimit -n $((N + 200)) 2>/dev/null \
  || { echo "write-floor: needs ulimit -n >= $((N + 200))" >&2; exit 2; }
CLASSES=$(mktemp -d)
trap 'rm -rf "$CLASSES"' EXIT
javac -nowarn -d "$CLASSES" "$ROOT/bench/src/main/java/dev/ssekit/bench/WriteFloor.java" \
    || { echo "write-floor: cannot compile WriteFloor" >&2; exit 2; }
line=$(java -Xmx512m -XX:+UseSerialGC -cp "$CLASSES" dev.ssekit.bench.WriteFloor \
    --connections "$N" --events "$EVENTS" --rate "$RATE")
echo "$line"
[[ -z "$OUT" ]] || echo "$line" > "$OUT"
