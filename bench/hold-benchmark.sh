#!/usr/bin/env bash
# Hold benchmark: resident memory per held SSE connection, ssekit's reference server next to
# nginx + nchan, measured in the same run on the same machine (issue 2, "Performance").
#
#   bench/hold-benchmark.sh            # N=18000, 3 rounds, about 6 minutes
#   N=5000 ROUNDS=1 bench/hold-benchmark.sh
#
# For each round and each server: start it on a free loopback port, warm it up (WARMUP streams
# opened, one event fanned out, closed), force a GC (JVM) and let RSS settle, read VmRSS of the
# server process as the baseline, open N idle streams with HoldConnections (an event-loop client
# in its own JVM), publish one event and count the streams that got it, read VmRSS again while
# every stream is still held (after the fan-out), then close everything.
#   bytes per connection = (VmRSS held - VmRSS baseline) / N
# nchan: the figure is the nginx *worker* process's VmRSS (the master holds no connection; its
# RSS is recorded too). The JVM's figure is the whole server process.
#
# Environment:
#   N=18000            streams held per server (at most 19000: one client process, 20000 files)
#   ROUNDS=3           rounds; the JSON reports each run and the median per server
#   WARMUP=2000        streams opened and closed before the baseline (JIT, pools, first GC)
#   RATE=3000          connects per second during the ramp
#   SETTLE=3           seconds to wait before the baseline sample
#   SSEKIT_VARIANTS    newline-separated NAME=JVM OPTIONS; the first one is the headline figure
#                      (default: serial-xms32m, serial-xms32m-trim, g1-default; see DEFAULT_VARIANTS)
#   NCHAN=1            0 skips nginx+nchan (installs nginx and libnginx-mod-nchan with apt if missing)
#   NMT=0              1 adds -XX:NativeMemoryTracking=summary and saves a native-memory diff
#   OUT=reports/baseline/hold-connections.json
#   KEEP=0             1 keeps the work directory (logs, histograms) and prints its path
#   BUILD=1            0 measures the jar already in reference-server/target without building
#   ALLOW_STALE_JAR=0  1 measures the existing jar when the build fails (recorded in the JSON)
# Needs: JDK 17 (java, javac, jcmd), Maven, curl, python3, and ulimit -n >= N + 200.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=nchan.sh
source "$ROOT/bench/nchan.sh"
JAR="$ROOT/reference-server/target/sse-reference-server.jar"
# HoldConnections and its helpers (package dev.ssekit.bench, all compiled together).
SRC_DIR="$ROOT/bench/src/main/java/dev/ssekit/bench"

N=${N:-18000}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-2000}
RATE=${RATE:-3000}
SETTLE=${SETTLE:-3}
NCHAN=${NCHAN:-1}
NMT=${NMT:-0}
KEEP=${KEEP:-0}
BUILD=${BUILD:-1}
ALLOW_STALE_JAR=${ALLOW_STALE_JAR:-0}
OUT=${OUT:-$ROOT/reports/baseline/hold-connections.json}
DEFAULT_VARIANTS=$'serial-xms32m=-Xmx512m -Xms32m -XX:+UseSerialGC\nserial-xms32m-trim=-Xmx512m -Xms32m -XX:+UseSerialGC -XX:TrimNativeHeapInterval=10000\ng1-default=-Xmx512m'
SSEKIT_VARIANTS=${SSEKIT_VARIANTS:-$DEFAULT_VARIANTS}
CLIENT_JAVA_OPTS=${CLIENT_JAVA_OPTS:--Xmx512m -XX:+UseSerialGC}
# Extra options for the ssekit server, after --tick 0 --heartbeat 15s (e.g. SERVER_ARGS="--broker redis://127.0.0.1:6379").
export SERVER_ARGS=${SERVER_ARGS:-}

die() { echo "hold-benchmark: $*" >&2; exit 2; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

[[ "$N" =~ ^[0-9]+$ && "$N" -ge 1 && "$N" -le 19000 ]] || die "N must be 1..19000"
[[ "$ROUNDS" =~ ^[0-9]+$ && "$ROUNDS" -ge 1 && "$ROUNDS" -le 9 ]] || die "ROUNDS must be 1..9"
[[ "$WARMUP" =~ ^[0-9]+$ && "$WARMUP" -le 19000 ]] || die "WARMUP must be 0..19000"
for tool in java javac jcmd mvn curl python3; do
  command -v "$tool" >/dev/null || die "needs $tool on PATH"
done

# Servers and clients inherit this shell's open-file limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[[ $(ulimit -n) == unlimited || $(ulimit -n) -ge $((N + 200)) ]] \
  || die "open-file limit $(ulimit -n) is below N+200=$((N + 200)); lower N or raise ulimit -n"

WORK=$(mktemp -d /tmp/ssekit-hold.XXXXXX)
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  if [[ "$KEEP" == 1 ]]; then echo "hold-benchmark: work directory kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# ---------------------------------------------------------------- build
if [[ "$BUILD" == 1 ]]; then
  log "building the server jar (mvn -pl reference-server -am -DskipTests package)"
  if ! (cd "$ROOT" && mvn -B -q -pl reference-server -am -DskipTests package >"$WORK/build.log" 2>&1); then
    tail -30 "$WORK/build.log" >&2
    [[ "$ALLOW_STALE_JAR" == 1 && -f "$JAR" ]] || die "build failed (log above)"
    log "build failed; ALLOW_STALE_JAR=1: measuring the existing jar ($(date -r "$JAR" -u +%FT%TZ))"
    JAR_BUILT=stale
  else
    JAR_BUILT=yes
  fi
else
  JAR_BUILT=no
fi
[[ -f "$JAR" ]] || die "no $JAR (run with BUILD=1)"
# Run from a private copy: a rebuild of target/ while the benchmark runs would otherwise swap the
# classes under the running JVMs (NoClassDefFoundError half-way through a run).
cp "$JAR" "$WORK/sse-reference-server.jar"
JAR_MTIME=$(date -r "$JAR" -u +%FT%TZ)
JAR="$WORK/sse-reference-server.jar"
GIT_HEAD=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
GIT_DIRTY=$(cd "$ROOT" && git --no-optional-locks status --porcelain -- reference-server/src/main reference-server/pom.xml pom.xml 2>/dev/null | wc -l)
# The client is not shipped in any jar (bench/src, built by the reactor only so it keeps
# compiling); compile a private copy against the server jar, whose Netty it uses.
mkdir -p "$WORK/classes"
javac -nowarn -d "$WORK/classes" -cp "$JAR" "$SRC_DIR"/*.java || die "cannot compile HoldConnections"
CP="$JAR:$WORK/classes"

# ---------------------------------------------------------------- helpers
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
rss_of() { awk '/^VmRSS:/{print $2 * 1024}' "/proc/$1/status" 2>/dev/null || echo 0; }
status_json() {  # VmRSS, RssAnon, RssFile, RssShmem of PID as JSON, in bytes
  awk 'BEGIN{printf "{"; n=0} /^(VmRSS|RssAnon|RssFile|RssShmem):/{sub(":","",$1); printf "%s\"%s\":%d", (n++?",":""), $1, $2*1024} END{printf "}"}' "/proc/$1/status" 2>/dev/null || echo null
}
wait_http() {  # URL, seconds
  local i
  for i in $(seq $(($2 * 10))); do
    curl -s -o /dev/null -m 1 "$1" && return 0
    sleep 0.1
  done
  return 1
}
stop_pid() {  # PID: TERM, wait up to 10 s, then KILL
  local p=$1 i
  kill -TERM "$p" 2>/dev/null || return 0
  for i in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
}

# hold NAME URL PUBLISH_URL BODY CONTENT_TYPE RSS_PIDS... : the measured run; writes $WORK/NAME.client.json
# and leaves the streams open until $WORK/NAME.release exists (the caller samples in between).
start_hold() {
  local name=$1 url=$2 pub=$3 body=$4 ctype=$5; shift 5
  local rss_args=() p
  for p in "$@"; do rss_args+=(--rss-pid "$p"); done
  rm -f "$WORK/$name.ready" "$WORK/$name.release"
  # shellcheck disable=SC2086
  java $CLIENT_JAVA_OPTS -cp "$CP" dev.ssekit.bench.HoldConnections --label "$name" \
    --url "$url" --connections "$N" --rate "$RATE" --steps 2 --settle 2s \
    --publish-url "$pub" --publish-body "$body" --publish-content-type "$ctype" \
    --ready-file "$WORK/$name.ready" --release-file "$WORK/$name.release" --hold-max 120s --deadline 4m \
    "${rss_args[@]}" >"$WORK/$name.client.json" 2>"$WORK/$name.client.err" &
  CLIENT=$!
  local i
  for i in $(seq 2400); do  # up to 240 s for the ramp and the fan-out
    [[ -s "$WORK/$name.ready" ]] && return 0
    kill -0 "$CLIENT" 2>/dev/null || break
    sleep 0.1
  done
  return 1
}
finish_hold() {  # NAME: release the streams and wait (bounded) for the client's JSON
  local name=$1 i
  touch "$WORK/$name.release"
  for i in $(seq 600); do kill -0 "$CLIENT" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$CLIENT" 2>/dev/null || true
  wait "$CLIENT" 2>/dev/null || true
}
warm_up() {  # URL PUBLISH_URL BODY CONTENT_TYPE
  [[ "$WARMUP" -gt 0 ]] || return 0
  # shellcheck disable=SC2086
  timeout 120 java $CLIENT_JAVA_OPTS -cp "$CP" dev.ssekit.bench.HoldConnections --label warmup \
    --url "$1" --connections "$WARMUP" --rate "$RATE" --settle 0s --deadline 90s \
    --publish-url "$2" --publish-body "$3" --publish-content-type "$4" >"$WORK/warmup.json" 2>&1 \
    || log "warm-up was not clean: $(head -c 300 "$WORK/warmup.json")"
}

# ---------------------------------------------------------------- one ssekit run
run_ssekit() {  # ROUND NAME JAVA_OPTS
  local round=$1 vname=$2 opts=$3 name="ssekit-$2-r$1" port pid
  if [[ "$NMT" == 1 ]]; then opts="$opts -XX:NativeMemoryTracking=summary"; fi
  port=$(free_port)
  log "$name: java $opts on 127.0.0.1:$port"
  # shellcheck disable=SC2086
  java $opts -jar "$JAR" --host 127.0.0.1 --port "$port" --tick 0 --heartbeat 15s $SERVER_ARGS >"$WORK/$name.server.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  if ! wait_http "http://127.0.0.1:$port/healthz" 30; then
    # e.g. a JVM that does not know one of the variant's options: skip the variant, keep going.
    log "$name did not start; skipped: $(head -c 400 "$WORK/$name.server.log")"
    stop_pid "$pid"
    return 0
  fi
  local base="http://127.0.0.1:$port"
  warm_up "$base/events?topic=warmup" "$base/publish?topic=warmup" '{"data":"{marker}"}' application/json
  # The class histogram forces a full GC; its total is the live heap before the streams.
  local rss_base status_base rss_held status_held rss_gc status_gc live_heap=null live_base=null
  timeout 60 jcmd "$pid" GC.class_histogram >"$WORK/$name.histo-baseline.txt" 2>&1 || true
  live_base=$(awk '/^Total/{print $3}' "$WORK/$name.histo-baseline.txt"); live_base=${live_base:-null}
  sleep "$SETTLE"
  rss_base=$(rss_of "$pid"); status_base=$(status_json "$pid")
  if [[ "$NMT" == 1 ]]; then timeout 60 jcmd "$pid" VM.native_memory baseline >/dev/null 2>&1 || true; fi
  if start_hold "$name" "$base/events?topic=bench" "$base/publish?topic=bench" '{"data":"{marker}"}' \
      application/json "server=$pid"; then
    rss_held=$(rss_of "$pid"); status_held=$(status_json "$pid")
    if [[ "$NMT" == 1 ]]; then timeout 60 jcmd "$pid" VM.native_memory summary.diff >"$WORK/$name.nmt.txt" 2>&1 || true; fi
    # The class histogram forces a full GC: its total is the live heap while every stream is held.
    timeout 60 jcmd "$pid" GC.class_histogram >"$WORK/$name.histo.txt" 2>&1 || true
    live_heap=$(awk '/^Total/{print $3}' "$WORK/$name.histo.txt"); live_heap=${live_heap:-null}
    sleep 2
    rss_gc=$(rss_of "$pid"); status_gc=$(status_json "$pid")
  else
    log "$name: the client did not reach the hold: $(head -c 500 "$WORK/$name.client.err")"
    rss_held=0; status_held=null; rss_gc=0; status_gc=null
  fi
  finish_hold "$name"
  stop_pid "$pid"
  record "$name" ssekit "$vname" "$round" "$opts" "$rss_base" "$rss_held" "$rss_gc" \
    "{\"server\":{\"baseline\":$status_base,\"held\":$status_held,\"heldAfterGc\":$status_gc},\"liveHeapBytesBaseline\":$live_base,\"liveHeapBytesHeld\":$live_heap}"
}

# ---------------------------------------------------------------- one nginx+nchan run
ensure_nginx() {
  nchan_ensure "$WORK/apt.log" || die "nginx + nchan are not available (or NCHAN=0)"
}

run_nchan() {  # ROUND
  local round=$1 name="nchan-r$1" port dir master worker
  port=$(free_port)
  dir="$WORK/$name"
  nchan_conf "$dir" "$port" 10
  log "$name: nginx $(nginx -v 2>&1 | sed 's/.*\///') + nchan on 127.0.0.1:$port"
  nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log" >"$dir/logs/stdout.log" 2>&1 &
  master=$!
  PIDS+=("$master")
  wait_http "http://127.0.0.1:$port/healthz" 30 || { cat "$dir/logs/error.log" >&2; die "nginx did not start"; }
  worker=$(nchan_worker "$master") || die "no nginx worker under master $master"
  local base="http://127.0.0.1:$port"
  warm_up "$base/events?topic=warmup" "$base/publish?topic=warmup" '{marker}' text/plain
  sleep "$SETTLE"
  local rss_base mbase wbase rss_held mheld wheld
  rss_base=$(rss_of "$worker"); wbase=$(status_json "$worker"); mbase=$(status_json "$master")
  if start_hold "$name" "$base/events?topic=bench" "$base/publish?topic=bench" '{marker}' text/plain \
      "worker=$worker" "master=$master"; then
    rss_held=$(rss_of "$worker"); wheld=$(status_json "$worker"); mheld=$(status_json "$master")
  else
    log "$name: the client did not reach the hold: $(head -c 500 "$WORK/$name.client.err")"
    rss_held=0; wheld=null; mheld=null
  fi
  finish_hold "$name"
  stop_pid "$master"
  record "$name" nchan nchan "$round" "worker_processes 1" "$rss_base" "$rss_held" "$rss_held" \
    "{\"worker\":{\"pid\":$worker,\"baseline\":$wbase,\"held\":$wheld},\"master\":{\"pid\":$master,\"baseline\":$mbase,\"held\":$mheld},\"measuredProcess\":\"worker\"}"
}

# record NAME SERVER VARIANT ROUND OPTS RSS_BASE RSS_HELD RSS_HELD_AFTER_GC EXTRA_JSON
record() {
  python3 - "$@" "$WORK" "$N" <<'PY'
import json, sys
name, server, variant, rnd, opts, base, held, held_gc, extra, work, n = sys.argv[1:12]
n = int(n)
try:
    client = json.load(open(f"{work}/{name}.client.json"))
except Exception as e:
    client = {"error": f"no client output: {e}"}
base, held, held_gc = int(base), int(held), int(held_gc)
steps = client.get("steps") or []
def rss(step):
    r = step.get("rss") or {}
    p = r.get("server") or r.get("worker") or {}
    return p.get("VmRSS")
idle = None
if (client.get("rssHeld") or {}) and base:
    p = client["rssHeld"].get("server") or client["rssHeld"].get("worker") or {}
    if p.get("VmRSS"):
        idle = round((p["VmRSS"] - base) / n)
marginal = None
if len(steps) >= 2 and rss(steps[0]) and rss(steps[-1]) and steps[-1]["connections"] > steps[0]["connections"]:
    marginal = round((rss(steps[-1]) - rss(steps[0])) / (steps[-1]["connections"] - steps[0]["connections"]))
fan = client.get("fanout") or {}
conns = client.get("connections") or {}
opened_ok = conns.get("opened") == n
valid = opened_ok and fan.get("complete") is True and held > 0
out = {
    "valid": valid,
    "name": name, "server": server, "variant": variant, "round": int(rnd), "options": opts,
    "connectionsRequested": n, "connectionsOpened": conns.get("opened"),
    "delivered": fan.get("delivered"), "lost": fan.get("lost"), "deliveryComplete": fan.get("complete"),
    "timeTo100PercentMs": fan.get("timeTo100PercentMs"), "deliveryMs": fan.get("deliveryMs"),
    "connectMs": client.get("connectMs"), "rampMs": conns.get("rampMs"),
    "rssBaselineBytes": base, "rssHeldBytes": held, "rssHeldAfterGcBytes": held_gc,
    "bytesPerConnection": round((held - base) / n) if held and base else None,
    "bytesPerConnectionAfterGc": round((held_gc - base) / n) if held_gc and base else None,
    "marginalBytesPerConnection": marginal,
    "bytesPerConnectionIdleBeforeFanout": idle,
    "process": json.loads(extra), "client": client,
}
live = out["process"].get("liveHeapBytesHeld")
live_base = out["process"].get("liveHeapBytesBaseline")
if isinstance(live, int) and isinstance(live_base, int):
    out["liveHeapBytesPerConnection"] = round((live - live_base) / n)
json.dump(out, open(f"{work}/{name}.result.json", "w"))
print(f"  {name}: opened {out['connectionsOpened']}/{n}, delivered {out['delivered']} (complete={out['deliveryComplete']}, "
      f"{out['timeTo100PercentMs']} ms), RSS {base/2**20:.1f} -> {held/2**20:.1f} MiB = {out['bytesPerConnection']} B/conn", file=sys.stderr)
PY
}

# ---------------------------------------------------------------- the runs
if [[ "$NCHAN" == 1 ]]; then ensure_nginx; fi
START=$(date +%s)
for round in $(seq "$ROUNDS"); do
  while IFS= read -r line; do
    [[ -z "$line" ]] && continue
    run_ssekit "$round" "${line%%=*}" "${line#*=}"
  done <<<"$SSEKIT_VARIANTS"
  if [[ "$NCHAN" == 1 ]]; then run_nchan "$round"; fi
done

# ---------------------------------------------------------------- the report
mkdir -p "$(dirname "$OUT")"
JAVA_VERSION=$(java -version 2>&1 | tr '\n' ' ' | sed 's/ *$//')
NGINX_VERSION=$( (nginx -v 2>&1 || true) | sed 's/.*: //')
NCHAN_VERSION=$(dpkg-query -W -f '${Version}' libnginx-mod-nchan 2>/dev/null || echo unknown)
python3 - "$WORK" "$OUT" "$N" "$ROUNDS" "$WARMUP" "$RATE" "$(($(date +%s) - START))" "$JAVA_VERSION" \
  "$NGINX_VERSION" "$NCHAN_VERSION" "$(ulimit -n)" "$SSEKIT_VARIANTS" "$JAR_BUILT" \
  "$JAR_MTIME" "$(sha256sum "$JAR" | cut -c1-16)" "$GIT_HEAD" "$GIT_DIRTY" <<'PY'
import glob, json, os, platform, statistics, sys, datetime
work, out, n, rounds, warmup, rate, secs, java, nginx, nchan, nofile, variants, built, jar_time, jar_sha, commit, dirty = sys.argv[1:18]
runs = [json.load(open(p)) for p in sorted(glob.glob(f"{work}/*.result.json"))]
def meminfo():
    for line in open("/proc/meminfo"):
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * 1024
def cpu():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
n = int(n)
variant_names = [v.split("=", 1)[0] for v in variants.splitlines() if v.strip()]
groups = {}
for r in runs:
    key = "nchan" if r["server"] == "nchan" else "ssekit:" + r["variant"]
    groups.setdefault(key, []).append(r)
def med(rs, k):
    # Medians over valid runs only: every stream opened and the event reached all of them.
    v = [r[k] for r in rs if r.get("valid") and isinstance(r.get(k), (int, float))]
    return round(statistics.median(v)) if v else None
summary = {}
for key, rs in groups.items():
    summary[key] = {
        "runs": len(rs),
        "validRuns": sum(1 for r in rs if r.get("valid")),
        "options": rs[0]["options"],
        "bytesPerConnectionMedian": med(rs, "bytesPerConnection"),
        "bytesPerConnectionRuns": [r["bytesPerConnection"] if r.get("valid") else None for r in rs],
        "bytesPerConnectionAfterGcMedian": med(rs, "bytesPerConnectionAfterGc"),
        "marginalBytesPerConnectionMedian": med(rs, "marginalBytesPerConnection"),
        "bytesPerConnectionIdleBeforeFanoutMedian": med(rs, "bytesPerConnectionIdleBeforeFanout"),
        "liveHeapBytesPerConnectionMedian": med(rs, "liveHeapBytesPerConnection"),
        "connectionsOpenedMin": min((r["connectionsOpened"] or 0) for r in rs),
        "connectionsRequested": n,
        "deliveredMin": min((r["delivered"] or 0) for r in rs),
        "lostMax": max((r["lost"] or 0) if r["lost"] is not None else n for r in rs) if rs else None,
        "allComplete": all(r["deliveryComplete"] is True for r in rs),
        "timeTo100PercentMsMedian": med(rs, "timeTo100PercentMs"),
        "rssBaselineBytesMedian": med(rs, "rssBaselineBytes"),
        "rssHeldBytesMedian": med(rs, "rssHeldBytes"),
    }
headline = "ssekit:" + variant_names[0] if variant_names else None
ratio = None
if headline in summary and "nchan" in summary and summary["nchan"]["bytesPerConnectionMedian"]:
    ratio = round(summary[headline]["bytesPerConnectionMedian"] / summary["nchan"]["bytesPerConnectionMedian"], 3)
per_round = []
for rnd in range(1, int(rounds) + 1):
    s = [r for r in runs if r["round"] == rnd and r["server"] == "ssekit" and r["variant"] == (variant_names[0] if variant_names else None)]
    c = [r for r in runs if r["round"] == rnd and r["server"] == "nchan"]
    if s and c and s[0]["bytesPerConnection"] and c[0]["bytesPerConnection"]:
        per_round.append(round(s[0]["bytesPerConnection"] / c[0]["bytesPerConnection"], 3))
report = {
    "benchmark": "hold-connections",
    "script": "bench/hold-benchmark.sh",
    "date": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
    "method": ("per server and round: start on a loopback port, warm up (open+fan-out+close " + warmup +
               " streams), force a GC (JVM), settle, read VmRSS (baseline); HoldConnections opens N idle "
               "streams from its own JVM (event-loop client), publishes one event and counts the streams "
               "that received it; VmRSS read again while all streams are held (after the fan-out). "
               "bytesPerConnection = (held - baseline) / N. nchan: nginx worker process (master recorded). "
               "idle = the same before the fan-out; marginal = RSS slope between N/2 and N held streams "
               "(no fan-out yet); afterGc = after a full GC (JVM); liveHeap = live-heap growth per stream "
               "(class histograms at baseline and held)."),
    "machine": {"nproc": os.cpu_count(), "cpu": cpu(), "memTotalBytes": meminfo(), "kernel": platform.release(),
                "java": java, "nginx": nginx, "libnginxModNchan": nchan, "openFileLimit": nofile},
    "serverJar": {"built": built, "modified": jar_time, "sha256Prefix": jar_sha, "gitHead": commit,
                  "uncommittedServerFiles": int(dirty)},
    "parameters": {"connections": n, "rounds": int(rounds), "warmup": int(warmup), "rampRatePerS": int(rate),
                   "ssekitServerArgs": ("--tick 0 --heartbeat 15s " + os.environ.get("SERVER_ARGS", "")).strip(), "nchan": "worker_processes 1, eventsource subscriber, ping 15 s"},
    "headline": headline,
    "summary": summary,
    "ratioSsekitToNchan": ratio,
    "ratioSsekitToNchanPerRound": per_round,
    "durationSeconds": int(secs),
    "runs": runs,
}
with open(out, "w") as f:
    json.dump(report, f, indent=2)
    f.write("\n")
print()
print(f"hold benchmark: N={n}, {rounds} round(s), {os.cpu_count()} CPUs, kernel {platform.release()}")
print(f"{'server':34} {'opened':>7} {'deliv.':>7} {'100% ms':>8} {'B/conn':>7} {'idle':>7} {'marg.':>7} {'afterGC':>7} {'liveHeap':>8}  runs")
for key, s in summary.items():
    print(f"{key:34} {s['connectionsOpenedMin']:>7} {s['deliveredMin']:>7} {str(s['timeTo100PercentMsMedian']):>8} "
          f"{str(s['bytesPerConnectionMedian']):>7} {str(s['bytesPerConnectionIdleBeforeFanoutMedian']):>7} {str(s['marginalBytesPerConnectionMedian']):>7} "
          f"{str(s['bytesPerConnectionAfterGcMedian']):>7} {str(s['liveHeapBytesPerConnectionMedian']):>8}  {s['bytesPerConnectionRuns']}")
if ratio is not None:
    print(f"ratio {headline} / nchan (medians): {ratio}   per round: {per_round}")
print(f"written: {out}")
bad = [r["name"] for r in runs if not r.get("valid")]
if bad:
    print(f"INVALID runs (a stream did not open, or the event did not reach every stream): {', '.join(bad)}")
    sys.exit(1)
PY
