#!/usr/bin/env bash
# Fairness benchmark (DESIGN.md §5.1): 8 CPU-bound tasks of different loop shapes and a ticker
# sleeping 10 ms, procs=2, side by side on the JDK's default virtual-thread scheduler
# (parallelism 2), on platform threads, and with the Timeslice agent; then the agent run again
# with a trace, to split the preemption latency into the JIT warm-up and the steady state.
# Usage: scripts/bench-fairness.sh [seconds] [spinners]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
find_jdk
find_mvn
cd "$TIMESLICE_ROOT"
SECONDS_RUN="${1:-10}"
SPINNERS="${2:-8}"
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
if [ ! -f agent/target/timeslice-agent.jar ] || [ ! -d agent/target/test-classes/fixtures/fairness ]; then
  "$MVN" -B -ntp -q -DskipTests package -pl agent -am >/dev/null
  "$MVN" -B -ntp -q test-compile -pl agent -am >/dev/null
fi
CP=agent/target/test-classes
JAVA="$JAVA_HOME/bin/java"
echo "fairness: $SPINNERS spinners + 10 ms ticker, ${SECONDS_RUN} s, $(nproc) CPUs, $("$JAVA" -version 2>&1 | head -1)"
echo "-- JDK virtual threads, default scheduler, parallelism 2"
"$JAVA" -Djdk.virtualThreadScheduler.parallelism=2 -cp "$CP" fixtures.fairness.Fairness virtual "$SPINNERS" "$SECONDS_RUN"
echo "-- platform threads"
"$JAVA" -cp "$CP" fixtures.fairness.Fairness platform "$SPINNERS" "$SECONDS_RUN"
echo "-- Timeslice (procs=2; virtual threads routed to Timeslice)"
"$JAVA" -javaagent:agent/target/timeslice-agent.jar=procs=2,summary=true -cp "$CP" fixtures.fairness.Fairness virtual "$SPINNERS" "$SECONDS_RUN"
echo "-- Timeslice again, with trace=, for the preemption latency (whole run / after 2 s of warm-up)"
TRACE="$(mktemp -t timeslice-fairness-XXXXXX.json)"
"$JAVA" -javaagent:agent/target/timeslice-agent.jar=procs=2,summary=false,trace="$TRACE" -cp "$CP" \
  fixtures.fairness.Fairness virtual "$SPINNERS" "$SECONDS_RUN" 2>/dev/null
"$JAVA" scripts/tools/PreemptLatency.java "$TRACE" 2000
rm -f "$TRACE"
