#!/usr/bin/env bash
# Why Timeslice exists, measured on this machine (the README's first command).
#
# Builds the demo app and the agent, then runs the demo's HTTP server (JDK HttpServer, one
# virtual thread per request) twice: plain, and with -javaagent:agent/target/timeslice-agent.jar.
# Each time a load generator in a separate, plain JVM keeps CPU-bound /work requests in flight
# on every core and measures how long a /ping takes. Prints both runs side by side and writes
# demo-report.html (latency chart) and demo-trace.json (Perfetto trace of the agent run) at the
# repository root. Only loopback is used. Takes about a minute on 2 cores.
#
# Exit status: 0 when both runs worked; 1 when the run with the agent failed (the plain run's
# results are still printed) or nothing could be run; 2 for bad arguments.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'EOF'
usage: scripts/demo.sh [options]

  --duration S          seconds of load per run (default 15)
  --work-ms N           CPU time of each /work request, ms (default 2000)
  --heavy K             /work requests kept in flight (default 2 x cores)
  --ping-interval-ms I  a /ping every I ms (default 20)
  --agent-opts OPTS     more agent options, comma-separated (e.g. procs=2,slice=10ms)
  --agent-jar FILE      use this agent jar instead of building agent/target/timeslice-agent.jar
  --no-build            use the jars already built
  -h, --help            this text
EOF
}

DURATION=15
WORK_MS=2000
HEAVY=""
PING_MS=20
AGENT_OPTS=""
AGENT_JAR=""
BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --duration|--work-ms|--heavy|--ping-interval-ms|--agent-opts|--agent-jar)
      if [ $# -lt 2 ]; then echo "demo: $1 needs a value" >&2; exit 2; fi
      case "$1" in
        --duration) DURATION=$2 ;;
        --work-ms) WORK_MS=$2 ;;
        --heavy) HEAVY=$2 ;;
        --ping-interval-ms) PING_MS=$2 ;;
        --agent-opts) AGENT_OPTS=$2 ;;
        --agent-jar) AGENT_JAR=$2 ;;
      esac
      shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "demo: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
for v in "$DURATION" "$WORK_MS" "$PING_MS" ${HEAVY:+"$HEAVY"}; do
  if ! [[ "$v" =~ ^[0-9]+$ ]] || [ "$v" -eq 0 ]; then
    echo "demo: expected a positive integer, not '$v'" >&2; exit 2
  fi
done
if [ "$WORK_MS" -gt 60000 ]; then echo "demo: --work-ms is at most 60000" >&2; exit 2; fi
if [ -n "$AGENT_JAR" ]; then   # the script changes to the repository root below
  [ -f "$AGENT_JAR" ] || { echo "demo: no file $AGENT_JAR" >&2; exit 2; }
  AGENT_JAR="$(cd "$(dirname "$AGENT_JAR")" && pwd)/$(basename "$AGENT_JAR")"
fi
SLICE_MS=10
if [[ ",$AGENT_OPTS" =~ ,slice=([0-9]+)ms ]]; then SLICE_MS=${BASH_REMATCH[1]}; fi

say() { printf '[demo] %s\n' "$*" >&2; }

find_jdk
JAVA="$JAVA_HOME/bin/java"
cd "$TIMESLICE_ROOT"
START_SECONDS=$SECONDS
OUT="$TIMESLICE_ROOT/target/demo"
REPORT="$TIMESLICE_ROOT/demo-report.html"
TRACE_NAME="demo-trace.json"          # relative: the server JVM runs in the repository root
TRACE="$TIMESLICE_ROOT/$TRACE_NAME"
DEMO_JAR="demo-app/target/demo-app.jar"
[ -n "$AGENT_JAR" ] || AGENT_JAR="agent/target/timeslice-agent.jar"
PROGRESS="lines"
[ -t 2 ] && PROGRESS="tty"
rm -rf "$OUT"
mkdir -p "$OUT"
rm -f "$REPORT" "$TRACE"   # never show a previous run's files as this one's

SERVER_PID=""
LOAD_PID=""
cleanup() {
  local pid
  for pid in $LOAD_PID $SERVER_PID; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done
  for pid in $LOAD_PID $SERVER_PID; do
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'echo >&2; say "interrupted"; exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- build
AGENT_ERROR=""
if [ "$BUILD" = 1 ]; then
  find_mvn
  say "building the demo app and the agent (mvn -q package, tests skipped; log: target/demo/build.log) ..."
  # deleting the jars first makes "the jar exists" mean "this build made it"
  rm -f "$DEMO_JAR"
  [ "$AGENT_JAR" = "agent/target/timeslice-agent.jar" ] && rm -f "$AGENT_JAR"
  MAVEN_OPTS="${MAVEN_OPTS:-}"
  if [ "$(jdk_feature_version "$JAVA_HOME")" -ge 23 ]; then
    MAVEN_OPTS="$MAVEN_OPTS --sun-misc-unsafe-memory-access=allow"   # quiets Maven's Guice on JDK 23+
  fi
  export MAVEN_OPTS
  build_ok=1
  "$MVN" -B -ntp -q -fae -Dstyle.color=never -DskipTests package >"$OUT/build.log" 2>&1 || build_ok=0
  if [ ! -f "$DEMO_JAR" ]; then
    say "the demo app did not build; the end of target/demo/build.log:"
    tail -n 25 "$OUT/build.log" >&2
    exit 1
  fi
  if [ ! -f "$AGENT_JAR" ]; then
    AGENT_ERROR="the agent did not build (see target/demo/build.log)"
  elif [ "$build_ok" = 0 ]; then
    say "warning: the build reported errors (target/demo/build.log), but both jars were built"
  fi
else
  if [ ! -f "$DEMO_JAR" ]; then
    say "$DEMO_JAR is missing; run without --no-build"
    exit 1
  fi
fi
if [ -z "$AGENT_ERROR" ] && [ ! -f "$AGENT_JAR" ]; then
  AGENT_ERROR="no agent jar at $AGENT_JAR"
fi

# ---------------------------------------------------------------- one run
# Server max lifetime: a safety net on top of --watch-pid and the trap.
MAX_LIFE=$((DURATION + 2 * WORK_MS / 1000 + 180))
LOAD_ARGS=(--work-ms "$WORK_MS" --duration "$DURATION" --ping-interval-ms "$PING_MS" --progress "$PROGRESS")
[ -n "$HEAVY" ] && LOAD_ARGS+=(--heavy "$HEAVY")
BLOCKS_ARGS=()
RUN_ERROR=""

# start_server LOG JVM-ARGS... : starts `serve`, sets SERVER_PID and PORT, or RUN_ERROR and fails
start_server() {
  local log=$1 rc=0 _ why
  shift
  "$JAVA" "$@" -jar "$DEMO_JAR" serve --watch-pid $$ --duration "$MAX_LIFE" ${BLOCKS_ARGS[@]+"${BLOCKS_ARGS[@]}"} \
    >"$log" 2>&1 </dev/null &
  SERVER_PID=$!
  for _ in $(seq 1 300); do                       # up to 60 s (a slow agent start-up)
    if grep -q '^port=' "$log" 2>/dev/null; then
      PORT=$(sed -n 's/^port=\([0-9]*\).*/\1/p' "$log" | head -n 1)
      return 0
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      wait "$SERVER_PID" || rc=$?
      SERVER_PID=""
      RUN_ERROR="the server JVM exited with status $rc before it was ready"
      # the JVM's or the agent's own words, when it left some
      why=$(grep -v -i -e '^OpenJDK.*warning' -e '^WARNING' "$log" | grep -i -m 1 -e error -e exception -e 'timeslice:' || true)
      [ -n "$why" ] && RUN_ERROR="$RUN_ERROR: $why"
      return 1
    fi
    sleep 0.2
  done
  RUN_ERROR="the server JVM did not start within 60 s"
  return 1
}

# stop_server: SIGTERM, then up to 20 s for shutdown hooks (the agent writes its trace); sets STOP_RC
stop_server() {
  local _
  STOP_RC=0
  [ -n "$SERVER_PID" ] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 1 200); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  wait "$SERVER_PID" || STOP_RC=$?
  SERVER_PID=""
}

# run_one KEY LABEL JVM-ARGS... : one server + load run; results in $OUT/KEY.json; fails with RUN_ERROR
run_one() {
  local key=$1 label=$2 rc=0
  shift 2
  RUN_ERROR=""
  say "$label: starting the server ..."
  if ! start_server "$OUT/server-$key.log" "$@"; then
    return 1
  fi
  "$JAVA" -jar "$DEMO_JAR" load --url "http://127.0.0.1:$PORT" "${LOAD_ARGS[@]}" \
    --label "$label" --json "$OUT/$key.json" >"$OUT/load-$key.log" </dev/null &
  LOAD_PID=$!
  wait "$LOAD_PID" || rc=$?
  LOAD_PID=""
  if [ "$rc" != 0 ] || [ ! -s "$OUT/$key.json" ]; then
    RUN_ERROR="the load generator failed (status $rc)"
  elif ! kill -0 "$SERVER_PID" 2>/dev/null; then
    RUN_ERROR="the server JVM died during the run"
  fi
  [ -s "$OUT/load-$key.log" ] && sed 's/^/[demo]   /' "$OUT/load-$key.log" >&2
  stop_server
  # 143: our SIGTERM (the JVM runs its shutdown hooks and exits 128+15)
  if [ -z "$RUN_ERROR" ] && [ "$STOP_RC" != 0 ] && [ "$STOP_RC" != 143 ]; then
    RUN_ERROR="the server JVM exited with status $STOP_RC"
  fi
  [ -z "$RUN_ERROR" ]
}

show_log_tail() {
  say "the end of $1:"
  tail -n 15 "$1" | sed 's/^/    /' >&2
}

# ---------------------------------------------------------------- the two runs
if ! run_one without "without agent"; then
  say "without agent: FAILED - $RUN_ERROR"
  show_log_tail "$OUT/server-without.log"
  exit 1
fi
# the same amount of hashing per /work in both runs
blocks=$(sed -n 's/^blocks_per_ms=\([0-9.]*\).*/\1/p' "$OUT/server-without.log" | head -n 1)
[ -n "$blocks" ] && BLOCKS_ARGS=(--blocks-per-ms "$blocks")

WITH_JSON=""
if [ -z "$AGENT_ERROR" ]; then
  if run_one with "with Timeslice" "-javaagent:$AGENT_JAR=trace=$TRACE_NAME${AGENT_OPTS:+,$AGENT_OPTS}"; then
    WITH_JSON="$OUT/with.json"
    if [ ! -s "$TRACE" ]; then
      AGENT_ERROR="the agent wrote no trace ($TRACE_NAME)"
    elif ! head -c 64 "$TRACE" | grep -q '^[[:space:]]*[[{]'; then
      AGENT_ERROR="the trace $TRACE_NAME is not JSON"
    fi
  else
    AGENT_ERROR="$RUN_ERROR"
    [ -s "$OUT/with.json" ] && WITH_JSON="$OUT/with.json"
  fi
  if [ -n "$AGENT_ERROR" ]; then
    say "with Timeslice: FAILED - $AGENT_ERROR"
    show_log_tail "$OUT/server-with.log"
  fi
else
  say "with Timeslice: skipped - $AGENT_ERROR"
fi

# ---------------------------------------------------------------- report
REPORT_ARGS=(--without "$OUT/without.json" --out "$REPORT" --slice-ms "$SLICE_MS" --trace "$TRACE")
[ -n "$WITH_JSON" ] && REPORT_ARGS+=(--with "$WITH_JSON")
[ -n "$AGENT_ERROR" ] && REPORT_ARGS+=(--with-error "$AGENT_ERROR")
say "done in $((SECONDS - START_SECONDS)) s"
echo
"$JAVA" -cp "$DEMO_JAR" demo.Report "${REPORT_ARGS[@]}"
echo
echo "  report: $REPORT   (open it in a browser)"
if [ -z "$AGENT_ERROR" ]; then
  echo "  trace:  $TRACE   (open it at https://ui.perfetto.dev -> Open trace file)"
else
  echo "  trace:  none - the run with the agent failed: $AGENT_ERROR"
  echo "  logs:   $OUT/"
  exit 1
fi
