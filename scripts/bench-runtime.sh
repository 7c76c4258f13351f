#!/usr/bin/env bash
# Runtime benchmarks with the agent (DESIGN.md §5.5-5.7): GC-scan time-to-safepoint, heap per
# parked G, agent start-up. Each side by side with the plain JVM where that makes sense.
# Usage: scripts/bench-runtime.sh [scan|scale|startup|all]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
find_jdk
find_mvn
cd "$TIMESLICE_ROOT"
WHAT="${1:-all}"
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
if [ ! -f agent/target/timeslice-agent.jar ] || [ ! -d agent/target/test-classes/fixtures/bench ]; then
  "$MVN" -B -ntp -q -DskipTests package -pl agent -am >/dev/null
  "$MVN" -B -ntp -q test-compile -pl agent -am >/dev/null
fi
JAVA="$JAVA_HOME/bin/java"
AGENT="-javaagent:agent/target/timeslice-agent.jar"
CP=agent/target/test-classes
echo "runtime benchmarks: $(nproc) CPUs, $("$JAVA" -version 2>&1 | head -1)"

if [ "$WHAT" = scan ] || [ "$WHAT" = all ]; then
  echo "-- GC-scan: 100k parked G's + one spinner per CPU, 100 scans (time to safepoint)"
  "$JAVA" "$AGENT=summary=false" -cp "$CP" fixtures.bench.ScanBench 100000 100
fi

if [ "$WHAT" = scale ] || [ "$WHAT" = all ]; then
  echo "-- heap per parked thread, 1M threads (live objects, class histogram)"
  echo -n "JDK virtual threads: "
  "$JAVA" -Xmx8g -cp "$CP" fixtures.bench.ScaleBench 1000000
  echo -n "Timeslice G's:       "
  "$JAVA" -Xmx8g "$AGENT=summary=false" -cp "$CP" fixtures.bench.ScaleBench 1000000
fi

if [ "$WHAT" = startup ] || [ "$WHAT" = all ]; then
  echo "-- agent start-up: JVM start to main, median of 11 runs each (interleaved)"
  plain=(); agent=()
  for i in $(seq 1 11); do
    plain+=("$("$JAVA" -cp "$CP" fixtures.bench.StartupProbe | awk '{print $2}')")
    agent+=("$("$JAVA" "$AGENT=summary=false" -cp "$CP" fixtures.bench.StartupProbe | awk '{print $2}')")
  done
  med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  p=$(med "${plain[@]}"); a=$(med "${agent[@]}")
  echo "plain: ${p} ms   with agent: ${a} ms   added: $((a - p)) ms   (runs: plain ${plain[*]} / agent ${agent[*]})"
fi
