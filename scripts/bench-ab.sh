#!/usr/bin/env bash
# Interleaved A/B of JVM variants on one program or on the Jetty server, in one run: what
# BENCHMARKS.md's "before / after" and "plain / empty agent / Timeslice" tables come from.
# Each variant is LABEL:ARGS, ARGS being JVM arguments separated by '|' (empty for plain), e.g.
#   plain:   old:-javaagent:/tmp/old/timeslice-agent.jar=summary=false
# (keep the agent jar's file name timeslice-agent.jar: a renamed jar is loaded differently).
#
#   scripts/bench-ab.sh [--rounds N] program CLASS [--cp CP] VARIANT...
#       runs `java ARGS -cp CP CLASS` (CP: the benchmark programs' class path by default),
#       reports median wall and CPU (user+sys) per variant and the difference to the first
#   scripts/bench-ab.sh [--rounds N] [--warm S] [--seconds S] jetty VARIANT...
#       starts scripts/bench-server.sh's Jetty server per run, loads /ping (wrk -t2 -c50) for
#       --warm seconds, then measures --seconds: req/s, p99 and the server's CPU per request
#   scripts/bench-ab.sh [--rounds N] launch VARIANT...
#       starts the Jetty server per run: time from launch to the first successful /ping, and the
#       server's CPU (user+sys) at that moment
#   scripts/bench-ab.sh [--rounds N] [--windows W] curve VARIANT...
#       the Jetty server's warm-up: /ping req/s (thousands) in each of W consecutive 2 s windows
#       from the first successful request, per run, and the median per window per variant
# A benchmark, not a test: CI does not run it. Numbers depend on the machine and its load.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
find_jdk
find_mvn

ROUNDS=5
WARM=6
SECS=5
WINDOWS=25
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --warm) WARM="$2"; shift 2 ;;
    --seconds) SECS="$2"; shift 2 ;;
    --windows) WINDOWS="$2"; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
MODE="${1:-}"
[ $# -gt 0 ] && shift
cd "$TIMESLICE_ROOT"
build_bench
CLASS=""
if [ "$MODE" = program ]; then
  CLASS="${1:?bench-ab: program needs a main class (see --help)}"; shift
  if [ "${1:-}" = --cp ]; then CP="$2"; shift 2; fi
elif [ "$MODE" = launch ]; then
  :
elif [ "$MODE" = jetty ] || [ "$MODE" = curve ]; then
  command -v wrk >/dev/null || { echo "bench-ab: jetty mode needs wrk (apt-get install wrk)" >&2; exit 1; }
else
  echo "bench-ab: first argument must be 'program', 'launch', 'jetty' or 'curve', got '${MODE}' (see --help)" >&2; exit 1
fi
[ $# -gt 0 ] || { echo "bench-ab: no variants given (LABEL:ARGS, see --help)" >&2; exit 1; }
for v in "$@"; do
  case "$v" in *:*) ;; *) echo "bench-ab: variant '$v' is not LABEL:ARGS" >&2; exit 1 ;; esac
done

# start_jetty: starts the Jetty server with "${args[@]}" on a random port (sets port and pid)
# and returns once /ping answers
start_jetty() {
  port=$((20000 + RANDOM % 10000))
  "$JAVA_HOME/bin/java" "${args[@]}" -cp "$CP" bench.JettyServer "$port" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 4000); do curl -sf -o /dev/null "http://127.0.0.1:$port/ping" && break; sleep 0.005; done
}

out=$(mktemp)
timing=$(mktemp)
trap 'rm -f "$out" "$timing"' EXIT
echo "bench-ab: $MODE ${CLASS}, $ROUNDS round(s), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for r in $(seq 1 "$ROUNDS"); do
  for v in "$@"; do
    label="${v%%:*}"; a="${v#*:}"
    args=()
    [ -n "$a" ] && IFS='|' read -r -a args <<<"$a"
    if [ "$MODE" = program ]; then
      TIMEFORMAT='%3R %3U %3S'
      { time "$JAVA_HOME/bin/java" "${args[@]}" -cp "$CP" "$CLASS" >/dev/null 2>/dev/null; } 2>"$timing"
      read -r real user sys <"$timing"
      echo "$label $(awk -v r="$real" 'BEGIN {print int(r * 1000)}') $user $sys" | tee -a "$out" >&2
    elif [ "$MODE" = launch ]; then
      t0=$(date +%s%N)
      start_jetty
      t1=$(date +%s%N)
      cpu=$(awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$pid/stat")
      kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
      echo "$label $(( (t1 - t0) / 1000000 )) $cpu" | tee -a "$out" >&2
    elif [ "$MODE" = curve ]; then
      start_jetty
      line=""
      for _ in $(seq 1 "$WINDOWS"); do
        line="$line $(wrk -t2 -c50 -d2s "http://127.0.0.1:$port/ping" | awk '/Requests\/sec/ {printf "%.1f", $2 / 1000}')"
      done
      kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
      echo "$label$line" | tee -a "$out" >&2
    else
      start_jetty
      wrk -t2 -c50 -d"${WARM}s" "http://127.0.0.1:$port/ping" >/dev/null
      c0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
      res=$(wrk -t2 -c50 -d"${SECS}s" --latency "http://127.0.0.1:$port/ping")
      c1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
      kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
      rps=$(echo "$res" | awk '/Requests\/sec/ {print $2}')
      p99=$(echo "$res" | awk '$1=="99%" {v=$2; if (v ~ /ms$/) {sub("ms","",v)} else if (v ~ /us$/) {sub("us","",v); v=v/1000} else if (v ~ /s$/) {sub("s","",v); v=v*1000}; print v}')
      echo "$label $rps $p99 $(( (c1 - c0) * 1000 / $(getconf CLK_TCK) ))" | tee -a "$out" >&2
    fi
  done
done
if [ "$MODE" = curve ]; then
  # per variant: the median of each window over the rounds (k req/s), then the first window whose
  # median reaches 90 % of the mean of the last five windows' medians
  awk '
    { if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 }
      n[$1]++; w = NF - 1; for (i = 2; i <= NF; i++) v[$1, i - 1, n[$1]] = $i }
    function med(l, i,   m, j, q, t, x) { m = n[l]; for (j = 1; j <= m; j++) x[j] = v[l, i, j] + 0
      for (j = 1; j <= m; j++) for (q = j + 1; q <= m; q++) if (x[q] < x[j]) { t = x[j]; x[j] = x[q]; x[q] = t }
      return (m % 2) ? x[(m + 1) / 2] : (x[m / 2] + x[m / 2 + 1]) / 2 }
    END {
      for (r = 1; r <= k; r++) { l = order[r]; s = ""; tail = 0
        for (i = 1; i <= w; i++) { m[i] = med(l, i); s = s sprintf(" %5.1f", m[i]) }
        first = (w > 5) ? w - 4 : 1
        for (i = first; i <= w; i++) tail += m[i] / (w - first + 1)
        at = 0; for (i = 1; i <= w && !at; i++) if (m[i] >= 0.9 * tail) at = i
        printf "%-12s n=%d  last %d windows %5.1f k req/s, first at 90 %% of it in the window ending at %3d s; per 2 s:%s\n", l, n[l], w - first + 1, tail, at * 2, s
      }
    }' "$out"
  exit 0
fi
awk -v mode="$MODE" -v secs="$SECS" '
  { n[$1]++; a[$1, n[$1]] = $2; b[$1, n[$1]] = (mode == "program") ? ($3 + $4) * 1000 : $3; c[$1, n[$1]] = $4
    if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
  function med(arr, l,   m, i, j, t, x) { m = n[l]; for (i = 1; i <= m; i++) x[i] = arr[l, i] + 0
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
    return (m % 2) ? x[(m + 1) / 2] : (x[m / 2] + x[m / 2 + 1]) / 2 }
  END {
    for (i = 1; i <= k; i++) { l = order[i]
      if (mode == "program") {
        w = med(a, l); cp = med(b, l); if (i == 1) { w0 = w; c0 = cp }
        printf "%-14s n=%d  wall %6.0f ms (%+5.0f)  cpu %6.0f ms (%+5.0f)\n", l, n[l], w, w - w0, cp, cp - c0
      } else if (mode == "launch") {
        w = med(a, l); cp = med(b, l); if (i == 1) { w0 = w; c0 = cp }
        printf "%-14s n=%d  launch -> first /ping %6.0f ms (%.2fx)  cpu %6.0f ms (%.2fx)\n", l, n[l], w, w / w0, cp, cp / c0
      } else {
        printf "%-14s n=%d  req/s %8.0f  p99 %6.2f ms  cpu per 1000 req %5.1f ms\n", l, n[l], med(a, l), med(b, l), med(c, l) / (med(a, l) * secs) * 1000
      }
    }
  }' "$out"
