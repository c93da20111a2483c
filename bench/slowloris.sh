#!/usr/bin/env bash
# Slowloris measurement (issue 10, point 1): one server jar on a loopback port, then
# bench/Slowloris (its own JVM) holds N connections whose request heads never end, reopening each
# one the server closes; at PROBE_AT seconds it reports the server's open descriptors and whether
# /healthz and a new stream answer. One JSON line on stdout.
#
#   bench/slowloris.sh [JAR]        # default: reference-server/target/sse-reference-server.jar
#   N=2000 PROBE_AT=30 HOLD=33 LINE_EVERY=5 PORT=18090 bench/slowloris.sh OLD.jar
#
# Needs a JDK (javac compiles bench/src/.../Slowloris.java, JDK only) and ulimit -n > N + 200.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="${1:-$ROOT/reference-server/target/sse-reference-server.jar}"
N=${N:-2000}; PROBE_AT=${PROBE_AT:-30}; HOLD=${HOLD:-33}; LINE_EVERY=${LINE_EVERY:-5}; PORT=${PORT:-18090}
[[ -f "$JAR" ]] || { echo "slowloris: no jar at $JAR" >&2; exit 2; }
LOG=$(mktemp)
CLASSES=$(mktemp -d)
javac -nowarn -d "$CLASSES" "$ROOT/bench/src/main/java/dev/ssekit/bench/Slowloris.java" \
    || { echo "slowloris: cannot compile Slowloris" >&2; exit 2; }
java -Xmx512m -Xms32m -XX:+UseSerialGC -jar "$JAR" --port "$PORT" --tick 0 >"$LOG" 2>&1 &
SERVER=$!
trap 'rc=$?; kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true; rm -rf "$LOG" "$CLASSES"; exit $rc' EXIT
for _ in $(seq 100); do grep -q "listening on" "$LOG" && break; sleep 0.1; done
grep -q "listening on" "$LOG" || { cat "$LOG" >&2; exit 2; }
echo "server: $(grep -m1 'listening on' "$LOG")" >&2
java -Xmx256m -cp "$CLASSES" dev.ssekit.bench.Slowloris --port "$PORT" \
    --server-pid "$SERVER" --connections "$N" --line-every "$LINE_EVERY" --probe-at "$PROBE_AT" --hold "$HOLD"
echo "server log, last lines:" >&2
tail -n 5 "$LOG" >&2
