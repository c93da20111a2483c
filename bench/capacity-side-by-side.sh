#!/usr/bin/env bash
# The same `capacity` scenario against the reference server and against nginx + nchan, one after
# the other in one run on this machine (issue 4, "Side by side"): connections held, server bytes
# per connection (fitted over the steps) and delivery p50/p99 per step, for both.
#
# Both servers run as one process each (nginx: worker_processes 1, its worker's RSS is measured;
# the reference server: the launcher's JVM flags). Both get the load tester's own numbered events
# at RATE events/s: through ssekit's publish contract (JSON) for the reference server, as raw
# bodies for nchan (--publish-format raw). Loopback only; every run bounded by the load tester.
#
# Environment (defaults in brackets):
#   STEPS=1000,2000,5000,10000,18000   connection counts, each held for HOLD
#   (the committed comparison, reports/baseline/capacity/equal-load/: STEPS=5000,10000,18000 RATE=2,
#   a rate both servers hold on a 2-core machine)
#   RAMP=20s  HOLD=20s  RATE=10        per step; events per second
#   SERVER_OPTS="-Xmx512m -Xms32m -XX:+UseSerialGC"   the reference server's JVM flags
#   LOAD_OPTS=-Xmx3g                   the injector's JVM flags
#   OUT=reports/side-by-side-<time>    where both runs' reports and the summary go
#   NCHAN=1                            0 skips nginx+nchan
#   FLOOR=0                            1 first measures the write floor (bench/write-floor.sh) into
#                                      $OUT/write-floor.json; else reports/baseline/write-floor.json
# Output: $OUT/ssekit/ and $OUT/nchan/ (each a full load report), $OUT/side-by-side.json and a
# Markdown table on stdout (the one in docs/load.md): per step the events/s each run held, the
# latency, and the server's and the injector's CPU per delivery beside the floor. The load tester
# publishes one event at a time, so a server slow to answer holds the rate down: where the two
# runs held rates more than 10 % apart, their latencies are for different loads and the script
# says so (pick a RATE both hold).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=nchan.sh
source "$ROOT/bench/nchan.sh"
STEPS=${STEPS:-1000,2000,5000,10000,18000}
RAMP=${RAMP:-20s}
HOLD=${HOLD:-20s}
RATE=${RATE:-10}
SERVER_OPTS=${SERVER_OPTS:--Xmx512m -Xms32m -XX:+UseSerialGC}
LOAD_OPTS=${LOAD_OPTS:--Xmx3g}
OUT=${OUT:-$ROOT/reports/side-by-side-$(date +%Y%m%d-%H%M%S)}
NCHAN=${NCHAN:-1}
FLOOR=${FLOOR:-0}

SERVER_JAR=$ROOT/reference-server/target/sse-reference-server.jar
LOAD_JAR=$ROOT/loadtest/target/sse-loadtest.jar
# shellcheck source=common.sh
source "$ROOT/bench/common.sh"

log() { echo "side-by-side: $*" >&2; }
die() { log "$*"; exit 2; }

load() {  # NAME URL PUBLISH_URL FORMAT PID
  local name=$1
  log "$name: capacity steps $STEPS (ramp $RAMP, hold $HOLD each, $RATE events/s)"
  # shellcheck disable=SC2086
  java $LOAD_OPTS -jar "$LOAD_JAR" --url "$2" --publish-url "$3" --publish-format "$4" --server-pid "$5" \
    --scenario capacity --steps "$STEPS" --ramp "$RAMP" --hold "$HOLD" --rate "$RATE" \
    --report-dir "$OUT/$name" >"$OUT/$name.out" 2>"$OUT/$name.err" || log "$name: the load tester exited $? (see $OUT/$name.err)"
  tail -n 20 "$OUT/$name.out" | sed -n '/^ssekit load:/,$p' >&2
}

[[ -f "$SERVER_JAR" && -f "$LOAD_JAR" ]] || (cd "$ROOT" && mvn -B -q -DskipTests package >&2) || die "build failed"
mkdir -p "$OUT"
[[ $(ulimit -n) -ge 19000 ]] || ulimit -n 20000 2>/dev/null || die "needs 20,000 open files (ulimit -n)"

# ---------------------------------------------------------------- the floor
floor_json=$ROOT/reports/baseline/write-floor.json
if [[ $FLOOR == 1 ]]; then
  log "write floor: $(echo "$STEPS" | tr ',' '\n' | sort -n | tail -1) sockets"
  # write-floor.sh's RATE and EVENTS mean rounds; this script's RATE (events/s) must not leak into them.
  RATE=10 EVENTS=200 N=$(echo "$STEPS" | tr ',' '\n' | sort -n | tail -1) OUT="$OUT/write-floor.json" \
    bash "$ROOT/bench/write-floor.sh" >/dev/null \
    && floor_json=$OUT/write-floor.json || log "write floor: failed; using $floor_json"
fi

# ---------------------------------------------------------------- the reference server
port=$(free_port)
# shellcheck disable=SC2086
# --tick 0: nchan sends only what is published, so the reference server must too (its default
# tick, one event a second to every stream, once made it write 1.5 times nchan's events at 2/s).
java $SERVER_OPTS -jar "$SERVER_JAR" --port "$port" --max-connections 50000 --tick 0 >"$OUT/ssekit-server.log" 2>&1 &
server=$!
PIDS+=("$server")
wait_http "http://127.0.0.1:$port/healthz" 30 || die "the reference server did not start (see $OUT/ssekit-server.log)"
sleep 2
load ssekit "http://127.0.0.1:$port/events" "http://127.0.0.1:$port/publish" json "$server"
kill "$server"; wait "$server" 2>/dev/null || true

# ---------------------------------------------------------------- nginx + nchan
if [[ $NCHAN == 1 ]]; then
  nchan_ensure "$OUT/apt.log" || die "nginx + nchan are not available (or NCHAN=0)"
  port=$(free_port)
  dir="$OUT/nchan-server"
  nchan_conf "$dir" "$port" 100
  nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log" >"$dir/logs/stdout.log" 2>&1 &
  master=$!
  PIDS+=("$master")
  wait_http "http://127.0.0.1:$port/healthz" 30 || { cat "$dir/logs/error.log" >&2; die "nginx did not start"; }
  worker=$(nchan_worker "$master") || die "no nginx worker under master $master"
  sleep 2
  load nchan "http://127.0.0.1:$port/events?topic=bench" "http://127.0.0.1:$port/publish?topic=bench" raw "$worker"
  kill "$master"; wait "$master" 2>/dev/null || true
fi

# ---------------------------------------------------------------- the table
python3 - "$OUT" "$STEPS" "$RAMP" "$HOLD" "$RATE" "$SERVER_OPTS" "$LOAD_OPTS" "$floor_json" \
  "$( (nginx -v 2>&1 || true) | sed 's/.*: //')" "$(dpkg-query -W -f '${Version}' libnginx-mod-nchan 2>/dev/null || echo none)" \
  "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" <<'PY'
import json, os, sys
out, steps, ramp, hold, rate, server_opts, load_opts, floor_json, nginx, nchan, commit = sys.argv[1:12]
servers = {}
for name in ("ssekit", "nchan"):
    f = os.path.join(out, name, "capacity.json")
    if os.path.exists(f):
        servers[name] = json.load(open(f))

def kib(b):
    return "n/a" if b is None else f"{b / 1024:.1f} KiB"

def ms(v):
    return "n/a" if v is None else f"{v:.1f}"

def num(v, fmt):
    return "n/a" if v is None else fmt % v

floor = json.load(open(floor_json)) if os.path.exists(floor_json) else None
rows = []
for name, c in servers.items():
    for s in c["steps"]:
        rows.append({"server": name, "target": s.get("target"), "open": s["connections"],
                     "rssBytes": s["rssBytes"], "p50Ms": s.get("deliveryP50Ms"), "p99Ms": s["deliveryP99Ms"],
                     "publishedPerSecond": s.get("publishedPerSecond"), "delivered": s.get("delivered"),
                     "serverCpuMicrosPerDelivery": s.get("serverCpuMicrosPerDelivery"),
                     "injectorCpuMicrosPerDelivery": s.get("injectorCpuMicrosPerDelivery"),
                     "injectorRssBytes": s.get("injectorRssBytes")})
# Latencies compare only where both runs held the same load.
differ = []
if len(servers) == 2:
    by = {(r["server"], r["target"]): r for r in rows}
    for r in rows:
        if r["server"] != "ssekit":
            continue
        o = by.get(("nchan", r["target"]))
        a, b = r["publishedPerSecond"], o and o["publishedPerSecond"]
        if a and b and abs(a - b) > 0.1 * max(a, b):
            differ.append({"target": r["target"], "ssekitPerSecond": a, "nchanPerSecond": b})
summary = {name: {"opened": c["connections"]["opened"], "failed": c["connections"]["failed"],
                  "peakOpen": c["connections"]["peakOpen"],
                  "bytesPerConnection": c["projection"]["bytesPerConnection"], "fitR2": c["projection"]["fitR2"],
                  "lost": c["events"]["lost"], "duplicated": c["events"]["duplicated"], "outOfOrder": c["events"]["outOfOrder"],
                  "deliveryP50Ms": c["deliveryLatencyMs"]["p50"], "deliveryP99Ms": c["deliveryLatencyMs"]["p99"],
                  "injectorCpuSeconds": c["injector"]["cpuSeconds"], "injectorHeapPeak": c["injector"]["heapBytesPeak"],
                  "injectorBytesPerConnection": c["injector"].get("bytesPerConnection"),
                  "publishing": c["events"].get("publishing")}
           for name, c in servers.items()}
doc = {"what": "capacity scenario, same steps, reference server vs nginx+nchan, one run",
       "settings": {"steps": steps, "ramp": ramp, "hold": hold, "rate": rate, "serverJvm": server_opts,
                    "injectorJvm": load_opts, "nginx": nginx, "libnginxModNchan": nchan, "commit": commit,
                    "nproc": os.cpu_count()},
       "floor": None if floor is None else {"file": floor_json[floor_json.find("reports/"):] if "reports/" in floor_json else os.path.basename(floor_json),
                                            "cpuMicrosPerWrite": floor["threadCpuMicrosPerWriteMedian"],
                                            "connections": floor["connections"], "roundMillis": floor["roundMillisMedian"]},
       "loadsDiffer": differ, "summary": summary, "steps": rows}
json.dump(doc, open(os.path.join(out, "side-by-side.json"), "w"), indent=2)

print(f"| server | step | open | server RSS | events/s held | delivery p50 | delivery p99 | server CPU / delivery | injector CPU / delivery |")
print(f"|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    rss = "n/a" if r["rssBytes"] is None else "%.1f MiB" % (r["rssBytes"] / 2**20)
    print(f"| {r['server']} | {r['target']:,} | {r['open']:,} | {rss} | {num(r['publishedPerSecond'], '%.2f')} | {ms(r['p50Ms'])} ms | {ms(r['p99Ms'])} ms"
          f" | {num(r['serverCpuMicrosPerDelivery'], '%.1f µs')} | {num(r['injectorCpuMicrosPerDelivery'], '%.1f µs')} |")
if floor is not None:
    print()
    print(f"Floor on this machine: {floor['threadCpuMicrosPerWriteMedian']:.2f} µs of CPU per write, one write per socket to"
          f" {floor['connections']:,} loopback sockets from one thread (bench/write-floor.sh; a round {floor['roundMillisMedian']:.0f} ms).")
for d in differ:
    print()
    print(f"Loads differ at {d['target']:,} connections: ssekit held {d['ssekitPerSecond']:.2f} events/s, nchan {d['nchanPerSecond']:.2f};"
          " their latencies there are for different loads (run again with a RATE both hold).")
print()
print("| server | opened / failed | bytes per connection (fit, R²) | lost / dup / out of order |")
print("|---|---:|---:|---:|")
for name, s in summary.items():
    r2 = "" if s["fitR2"] is None else f", R² {s['fitR2']:.3f}"
    print(f"| {name} | {s['opened']:,} / {s['failed']:,} | {kib(s['bytesPerConnection'])}{r2} | {s['lost']} / {s['duplicated']} / {s['outOfOrder']} |")
PY
log "reports: $OUT"
