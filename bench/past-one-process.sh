#!/usr/bin/env bash
# Past one process (issue 11, point 5): Redis, two reference-server instances sharing it
# (--broker), and two injectors (./ssekit load --injectors 2) on this machine, holding STEPS
# connections (36,000 at the top: more than one process may open files for) with events at RATE/s
# published on the first instance. Reports delivery p50/p99 per step, lost/duplicated/out of order,
# server bytes per connection per instance (both instances' RSS summed, fitted per instance) and
# the capacity projection for TARGET connections from one instance sized from the two.
#
# Environment (defaults in brackets):
#   STEPS=6000,12000,24000,36000   connection counts in all (half on each instance), each held for HOLD
#   RAMP=20s  HOLD=20s  RATE=10    per step; events per second in all (each injector publishes half)
#   TARGET=1000000                 the projection sizes instances for this many connections
#   SLO=250ms                      a step passes when its delivery p99 is at most this, nothing lost
#   SERVER_OPTS="-Xmx512m -Xms32m -XX:+UseSerialGC"   each reference server's JVM flags
#   LOAD_OPTS=-Xmx3g               each injector's JVM flags
#   OUT=reports/past-one-process-<time>   where the reports and the summary go
#   REPORT_ONLY=1                  print the table (and rewrite past-one-process.json) of the run in OUT
# Needs redis-server (Debian: apt-get install redis-server). Loopback only; the load tester bounds
# every run. Output: $OUT/load/ (the merged report; injector-1/, injector-2/ each injector's),
# $OUT/past-one-process.json and a Markdown table on stdout (the one in README.md).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STEPS=${STEPS:-6000,12000,24000,36000}
RAMP=${RAMP:-20s}
HOLD=${HOLD:-20s}
RATE=${RATE:-10}
TARGET=${TARGET:-1000000}
SLO=${SLO:-250ms}
SERVER_OPTS=${SERVER_OPTS:--Xmx512m -Xms32m -XX:+UseSerialGC}
LOAD_OPTS=${LOAD_OPTS:--Xmx3g}
OUT=${OUT:-$ROOT/reports/past-one-process-$(date +%Y%m%d-%H%M%S)}

SERVER_JAR=$ROOT/reference-server/target/sse-reference-server.jar
LOAD_JAR=$ROOT/loadtest/target/sse-loadtest.jar
# shellcheck source=common.sh
source "$ROOT/bench/common.sh"

log() { echo "past-one-process: $*" >&2; }
die() { log "$*"; exit 2; }

REPORT_ONLY=${REPORT_ONLY:-0}  # 1: only print the table of the run already in $OUT
if [[ $REPORT_ONLY == 1 ]]; then
  [[ -f "$OUT/load/capacity.json" ]] || die "no run in $OUT (REPORT_ONLY=1 needs OUT=DIR of an earlier run)"
  rc=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["settings"]["loadExitStatus"])' \
    "$OUT/past-one-process.json" 2>/dev/null || echo 0)
else
command -v redis-server >/dev/null || die "needs redis-server (apt-get install redis-server)"
[[ -f "$SERVER_JAR" && -f "$LOAD_JAR" ]] || (cd "$ROOT" && mvn -B -q -DskipTests package >&2) || die "build failed"
mkdir -p "$OUT/redis"
[[ $(ulimit -n) -ge 19000 ]] || ulimit -n 20000 2>/dev/null || die "needs 20,000 open files (ulimit -n)"

# ---------------------------------------------------------------- Redis and two instances
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$OUT/redis" --save '' --appendonly no \
  --daemonize no >"$OUT/redis/redis.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$redis_port" ping >/dev/null 2>&1 || die "redis-server did not start (see $OUT/redis/redis.log)"

urls=() pids=()
for i in 1 2; do
  port=$(free_port)
  # shellcheck disable=SC2086
  java $SERVER_OPTS -jar "$SERVER_JAR" --port "$port" --broker "redis://127.0.0.1:$redis_port" --tick 0 \
    --max-connections 50000 >"$OUT/server-$i.log" 2>&1 &
  PIDS+=("$!")
  pids+=("$!")
  urls+=("http://127.0.0.1:$port")
  wait_http "http://127.0.0.1:$port/healthz" 30 || die "reference server $i did not start (see $OUT/server-$i.log)"
done
sleep 2

# ---------------------------------------------------------------- two injectors, one run
log "capacity steps $STEPS over 2 instances from 2 injectors (ramp $RAMP, hold $HOLD each, $RATE events/s)"
rc=0
# shellcheck disable=SC2086
java $LOAD_OPTS -jar "$LOAD_JAR" \
  --urls "${urls[0]}/events,${urls[1]}/events" --publish-url "${urls[0]}/publish" \
  --server-pid "${pids[0]},${pids[1]}" --injectors 2 --scenario capacity --steps "$STEPS" \
  --ramp "$RAMP" --hold "$HOLD" --rate "$RATE" --target-connections "$TARGET" --slo-p99 "$SLO" \
  --report-dir "$OUT/load" >"$OUT/load.out" 2>"$OUT/load.err" || rc=$?
sed -n '/^ssekit load: capacity/,$p' "$OUT/load.out" >&2
[[ -f "$OUT/load/capacity.json" ]] || die "no merged report (exit $rc; see $OUT/load.err and $OUT/load/injector-*/console.log)"
fi

# ---------------------------------------------------------------- the table
python3 - "$OUT" "$STEPS" "$RAMP" "$HOLD" "$RATE" "$TARGET" "$SERVER_OPTS" "$LOAD_OPTS" "$rc" \
  "$(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/')" "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" <<'PY'
import json, os, sys
out, steps, ramp, hold, rate, target, server_opts, load_opts, rc, redis, commit = sys.argv[1:12]
c = json.load(open(os.path.join(out, "load", "capacity.json")))
p = c["projection"]
rows = [{"connections": s["connections"], "perInstance": s["connections"] // 2, "rssBytesSummed": s["rssBytes"],
         "p50Ms": s.get("deliveryP50Ms"), "p99Ms": s["deliveryP99Ms"]} for s in c["steps"]]
e = c["events"]
doc = {"what": "Redis + 2 reference-server instances (--broker) + 2 injectors (--injectors 2) on one machine",
       "settings": {"steps": steps, "ramp": ramp, "hold": hold, "rate": rate, "targetConnections": int(target),
                    "serverJvm": server_opts, "injectorJvm": load_opts, "redis": redis, "commit": commit,
                    "nproc": os.cpu_count(), "loadExitStatus": int(rc)},
       "connections": c["connections"], "deliveryLatencyMs": c["deliveryLatencyMs"],
       "events": e, "bytesPerConnectionPerInstance": p.get("bytesPerConnection"), "fitR2": p.get("fitR2"),
       "projection": {k: p.get(k) for k in ("headline", "bindingLimit", "connectionsPerInstance", "instancesForTarget",
                                           "largestPassingStep", "latencyKneeConnections", "assumptions")},
       "injector": c["injector"], "steps": rows}
json.dump(doc, open(os.path.join(out, "past-one-process.json"), "w"), indent=2)

def ms(v):
    return "n/a" if v is None else f"{v:.1f} ms"

print("| connections (per instance) | server RSS, both | delivery p50 | delivery p99 |")
print("|---:|---:|---:|---:|")
for r in rows:
    rss = "n/a" if r["rssBytesSummed"] is None else "%.1f MiB" % (r["rssBytesSummed"] / 2**20)
    print(f"| {r['connections']:,} ({r['perInstance']:,}) | {rss} | {ms(r['p50Ms'])} | {ms(r['p99Ms'])} |")
print()
k = c["connections"]
bpc = p.get("bytesPerConnection")
print(f"opened {k['opened']:,} / failed {k['failed']:,}, peak {k['peakOpen']:,} open; events published {e['published']},"
      f" delivered {e['delivered']:,} of {e['expectedDeliveries']:,}: lost {e['lost']}, duplicated {e['duplicated']},"
      f" out of order {e['outOfOrder']}, not yet read {e.get('notYetRead', 0)}")
print(f"server bytes per connection per instance: {'n/a' if bpc is None else f'{bpc / 1024:.1f} KiB'}"
      + ("" if p.get("fitR2") is None else f" (R² {p['fitR2']:.3f})"))
print(f"projection for {int(target):,} connections: {p.get('headline')}")
for lim in p.get("limits") or []:
    per = lim.get("connectionsPerInstance")
    need = "" if not per else f" → {-(-int(target) // per):,} instances for {int(target):,}"
    print(f"  {lim['name']}: {'n/a' if per is None else f'{per:,} per instance'} ({lim['state']}: {lim['reason']}){need}")
PY
log "reports: $OUT (load exit status $rc)"
