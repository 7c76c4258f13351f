#!/usr/bin/env bash
# What Timeslice costs a real server (issue 14): a small Jetty 12 server with a virtual-thread
# executor (bench/, dependencies from Maven Central), run plain, with the agent, and with the
# agent and threads=keep, one after the other on loopback, reported side by side:
#   launch -> first successful /ping; wrk (or the Java load generator) throughput and latency
#   on /ping; /ping p50/p99/max while four CPU-bound /work requests saturate the cores;
#   process CPU time and peak RSS (VmHWM) of the server; exit time after SIGTERM.
# The agent runs with cache=off (every start rewrites at class load, as a first start does)
# unless --agent-opts names a cache (e.g. cache=/tmp/srvcache: round 1 fills it, later rounds
# measure a warm start).
# A benchmark, not a test: CI does not run it. Numbers depend on the machine and its load.
#
# --warm S: load /ping for S seconds before the measured /ping test (steady state: the JIT has
# compiled the request path; default 0, the measured test includes the warm-up).
#
# usage: scripts/bench-server.sh [--rounds N] [--seconds S] [--warm S] [--agent-opts OPTS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
find_jdk
find_mvn

ROUNDS=1
SECONDS_PER_TEST=10
WARM=0
EXTRA=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="${2:?--rounds needs a number}"; shift 2 ;;
    --seconds) SECONDS_PER_TEST="${2:?--seconds needs a number}"; shift 2 ;;
    --warm) WARM="${2:?--warm needs a number of seconds}"; shift 2 ;;
    --agent-opts) EXTRA="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "bench-server: unknown argument $1 (see --help)" >&2; exit 1 ;;
  esac
done

cd "$TIMESLICE_ROOT"
build_bench

if ! command -v wrk >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get install -y -qq wrk >/dev/null 2>&1 || true
fi
HAVE_WRK=0
command -v wrk >/dev/null 2>&1 && HAVE_WRK=1

free_port() {
  "$JAVA_HOME/bin/java" -cp scripts/bench/target/bench.jar -XX:TieredStopAtLevel=1 bench.FreePort 2>/dev/null \
    || echo $((20000 + RANDOM % 20000))
}

now_ms() { date +%s%3N; }

# wrk's "Latency" line and percentiles -> "rps=.. p50_ms=.. p99_ms=.. max_ms=.."
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.2f", v}'; }
run_wrk() {
  local port="$1" out
  out=$(wrk -t2 -c50 -d"${SECONDS_PER_TEST}s" --latency "http://127.0.0.1:$port/ping" 2>&1)
  local rps p50 p99 max
  rps=$(echo "$out" | awk '/Requests\/sec/ {printf "%.0f", $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}' | to_ms)
  p99=$(echo "$out" | awk '$1=="99%" {print $2}' | to_ms)
  max=$(echo "$out" | awk '$1=="Latency" && $2!="Distribution" {print $4; exit}' | to_ms)
  echo "rps=$rps p50_ms=$p50 p99_ms=$p99 max_ms=$max"
}

field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# one_run <label> <java args...>: prints "label key=value ..." for one server run
one_run() {
  local label="$1"; shift
  local port out pid t0 t1 ready=""
  port=$(free_port)
  out=$(mktemp)
  t0=$(now_ms)
  "$JAVA_HOME/bin/java" "$@" -cp "$CP" bench.JettyServer "$port" >"$out" 2>"$out.err" &
  pid=$!
  for _ in $(seq 1 3000); do
    if curl -sf -o /dev/null "http://127.0.0.1:$port/ping"; then ready=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
  done
  t1=$(now_ms)
  if [ -z "$ready" ]; then
    echo "bench-server: $label did not answer /ping; stderr:" >&2; cat "$out.err" >&2
    kill -KILL "$pid" 2>/dev/null || true; return 1
  fi
  local ping mixed
  if [ "$WARM" != 0 ]; then
    if [ "$HAVE_WRK" = 1 ]; then
      wrk -t2 -c50 -d"${WARM}s" "http://127.0.0.1:$port/ping" >/dev/null 2>&1 || true
    else
      "$JAVA_HOME/bin/java" -cp "$CP" bench.Load ping "$port" 50 "$WARM" >/dev/null
    fi
  fi
  if [ "$HAVE_WRK" = 1 ]; then
    ping=$(run_wrk "$port")
  else
    ping=$("$JAVA_HOME/bin/java" -cp "$CP" bench.Load ping "$port" 50 "$SECONDS_PER_TEST")
  fi
  mixed=$("$JAVA_HOME/bin/java" -cp "$CP" bench.Load mixed "$port" 4 "$SECONDS_PER_TEST")
  local ticks cpu_ms hwm
  ticks=$(getconf CLK_TCK)
  cpu_ms=$(awk -v t="$ticks" '{print int(($14+$15)*1000/t)}' "/proc/$pid/stat")
  hwm=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/$pid/status")
  local k0 k1
  k0=$(now_ms)
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
  k1=$(now_ms)
  echo "$label start_ms=$((t1 - t0)) ping_rps=$(field "$ping" rps) ping_p50=$(field "$ping" p50_ms) ping_p99=$(field "$ping" p99_ms) ping_max=$(field "$ping" max_ms) busy_p50=$(field "$mixed" p50_ms) busy_p99=$(field "$mixed" p99_ms) busy_max=$(field "$mixed" max_ms) work_done=$(field "$mixed" work_done) cpu_ms=$cpu_ms rss_mb=$hwm exit_ms=$((k1 - k0))"
  grep '^timeslice:' "$out.err" | sed "s/^/  [$label] /" >&2 || true
  rm -f "$out" "$out.err"
}

case "$EXTRA" in *cache=*) ;; *) EXTRA="cache=off${EXTRA:+,$EXTRA}" ;; esac
sep=","
echo "bench-server: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), load generator: $([ "$HAVE_WRK" = 1 ] && echo 'wrk -t2 -c50' || echo 'Java, 50 connections'), ${SECONDS_PER_TEST}s per test after ${WARM}s of warm-up" >&2
results=$(mktemp)
for r in $(seq 1 "$ROUNDS"); do
  # each run's line on stderr too: the spread between rounds is part of the result
  one_run plain | tee -a "$results" >&2
  one_run agent "-javaagent:$AGENT=summary=true$sep$EXTRA" | tee -a "$results" >&2
  one_run keep "-javaagent:$AGENT=threads=keep$sep$EXTRA" | tee -a "$results" >&2
done

# side by side: median over rounds of each metric, and the ratio to plain
awk '
  { label=$1; labels[label]=1; for (i=2;i<=NF;i++) { split($i,kv,"="); k=kv[1]; keys[k]=i; v[label,k,++n[label,k]]=kv[2] } }
  function median(label,k,   m,i,j,t,a) { m=n[label,k]; for(i=1;i<=m;i++) a[i]=v[label,k,i];
    for(i=1;i<=m;i++) for(j=i+1;j<=m;j++) if (a[j]+0<a[i]+0) {t=a[i];a[i]=a[j];a[j]=t}
    return (m%2) ? a[(m+1)/2] : (a[m/2]+a[m/2+1])/2 }
  END {
    split("start_ms ping_rps ping_p50 ping_p99 ping_max busy_p50 busy_p99 busy_max work_done cpu_ms rss_mb exit_ms", order, " ")
    names["start_ms"]="launch -> first /ping (ms)"; names["ping_rps"]="/ping throughput (req/s)";
    names["ping_p50"]="/ping p50 (ms)"; names["ping_p99"]="/ping p99 (ms)"; names["ping_max"]="/ping max (ms)";
    names["busy_p50"]="/ping p50, 4 x /work (ms)"; names["busy_p99"]="/ping p99, 4 x /work (ms)";
    names["busy_max"]="/ping max, 4 x /work (ms)"; names["work_done"]="/work completed";
    names["cpu_ms"]="server CPU time (ms)"; names["rss_mb"]="peak RSS, VmHWM (MB)"; names["exit_ms"]="SIGTERM -> exit (ms)";
    printf "%-30s %12s %12s %8s %12s %8s\n", "median of " n["plain","start_ms"] " round(s)", "plain", "agent", "ratio", "threads=keep", "ratio"
    for (o=1; o<=12; o++) { k=order[o]; p=median("plain",k); a=median("agent",k); kk=median("keep",k);
      printf "%-30s %12s %12s %8s %12s %8s\n", names[k], p, a, (p+0>0)?sprintf("%.2f",a/p):"-", kk, (p+0>0)?sprintf("%.2f",kk/p):"-" }
  }' "$results"
rm -f "$results"
