#!/usr/bin/env bash
# What Timeslice adds to starting a JVM (issues 14, 15): a hello world (one class, one line)
# run plain, with an agent whose premain does nothing (what any -javaagent costs: the JVM then
# drops the CDS archive's module graph), with Timeslice and its rewrite cache off (a first
# start: the class is rewritten), and with Timeslice and a warm cache (every later start),
# round by round interleaved. Reports wall and CPU (user+sys of the whole process) medians and
# each variant's difference to plain. --taskset CPU pins every run to one CPU, where background
# threads cannot hide their CPU time in the wall time.
# A benchmark, not a test: CI does not run it. Numbers depend on the machine and its load.
#
# usage: scripts/bench-startup.sh [--rounds N] [--taskset CPU]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
find_jdk
find_mvn

ROUNDS=15
PIN=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --taskset) PIN="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "bench-startup: unknown argument $1 (see --help)" >&2; exit 1 ;;
  esac
done

cd "$TIMESLICE_ROOT"
AGENT="$TIMESLICE_ROOT/agent/target/timeslice-agent.jar"
[ -f "$AGENT" ] || "$MVN" -B -ntp -q -DskipTests package -pl agent -am >&2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/hello" "$WORK/empty"
cat >"$WORK/hello/Hello.java" <<'EOF'
public class Hello {
    public static void main(String[] args) {
        System.out.println("hello");
    }
}
EOF
cat >"$WORK/empty/EmptyAgent.java" <<'EOF'
public class EmptyAgent {
    public static void premain(String args, java.lang.instrument.Instrumentation inst) {
    }
}
EOF
printf 'Premain-Class: EmptyAgent\n' >"$WORK/empty/manifest.txt"
"$JAVA_HOME/bin/javac" -d "$WORK/hello" "$WORK/hello/Hello.java"
"$JAVA_HOME/bin/javac" -d "$WORK/empty" "$WORK/empty/EmptyAgent.java"
"$JAVA_HOME/bin/jar" cfm "$WORK/empty.jar" "$WORK/empty/manifest.txt" -C "$WORK/empty" EmptyAgent.class
CACHE="$WORK/cache"
"$JAVA_HOME/bin/java" "-javaagent:$AGENT=summary=false,cache=$CACHE" -cp "$WORK/hello" Hello >/dev/null

PREFIX=()
[ -n "$PIN" ] && PREFIX=(taskset -c "$PIN")
VARIANTS=(plain empty-agent cold warm)
echo "bench-startup: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), $ROUNDS rounds${PIN:+, pinned to CPU $PIN}" >&2
results="$WORK/results"
for r in $(seq 1 "$ROUNDS"); do
  for v in "${VARIANTS[@]}"; do
    case "$v" in
      plain) args=() ;;
      empty-agent) args=("-javaagent:$WORK/empty.jar") ;;
      cold) args=("-javaagent:$AGENT=summary=false,cache=off") ;;
      warm) args=("-javaagent:$AGENT=summary=false,cache=$CACHE") ;;
    esac
    TIMEFORMAT='%3R %3U %3S'
    { time "${PREFIX[@]}" "$JAVA_HOME/bin/java" "${args[@]}" -cp "$WORK/hello" Hello >"$WORK/out"; } 2>"$WORK/timing"
    [ "$(cat "$WORK/out")" = hello ] || { echo "bench-startup: $v printed '$(cat "$WORK/out")'" >&2; exit 1; }
    read -r wall user sys <"$WORK/timing"
    echo "$v $wall $(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.3f", u+s}')" >>"$results"
  done
done
awk -v variants="${VARIANTS[*]}" '
  { n[$1]++; w[$1, n[$1]] = $2; c[$1, n[$1]] = $3 }
  function med(a, k,   m, i, j, t, x) { m = n[k]; for (i = 1; i <= m; i++) x[i] = a[k, i]
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (x[j] + 0 < x[i] + 0) { t = x[i]; x[i] = x[j]; x[j] = t }
    return (m % 2) ? x[(m + 1) / 2] : (x[m / 2] + x[m / 2 + 1]) / 2 }
  END {
    nv = split(variants, V, " ")
    printf "%-12s %10s %10s %12s %12s\n", "variant", "wall", "cpu", "wall - plain", "cpu - plain"
    pw = med(w, "plain"); pc = med(c, "plain")
    for (i = 1; i <= nv; i++) { k = V[i]
      printf "%-12s %9.0fms %9.0fms %+11.0fms %+11.0fms\n", k, 1000 * med(w, k), 1000 * med(c, k),
        1000 * (med(w, k) - pw), 1000 * (med(c, k) - pc) }
    printf "(medians of %d rounds; cpu = user + sys of the process)\n", n["plain"]
  }' "$results"
