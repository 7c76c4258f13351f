#!/usr/bin/env bash
# Fairness benchmark (DESIGN.md §5.1): 8 CPU-bound tasks of different loop shapes and a ticker
# sleeping 10 ms, procs=2, side by side on the JDK's default virtual-thread scheduler
# (parallelism 2), on platform threads, and with the Timeslice agent; then the agent run again
# with a trace, to split the preemption latency into the JIT warm-up and the steady state.
# Usage: scripts/bench-fairness.sh [seconds] [spinners]
#        scripts/bench-fairness.sh loaded [seconds] [spinners] [rounds]
#          two external busy processes keep the machine's cores busy beside the same load;
#          platform threads and Timeslice (the same platform threads routed to G's) are run
#          alternately in the same session, so both see the same external load
#        scripts/bench-fairness.sh burst [tasks] [rounds] [loaded]
#          a burst of N runnable tasks (1 ms of CPU each) beside a 10 ms ticker, platform
#          threads vs Timeslice alternately; `loaded` adds the two busy processes
#        scripts/bench-fairness.sh ses [seconds] [spinners] [rounds] [loaded]
#          a ScheduledExecutorService.scheduleAtFixedRate task every 20 ms beside the CPU-bound
#          platform threads, platform threads vs Timeslice alternately; `loaded` adds the two
#          busy processes
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
find_jdk
find_mvn
cd "$TIMESLICE_ROOT"
MODE=default
case "${1:-}" in
  loaded|burst|ses) MODE="$1"; shift ;;
esac
SECONDS_RUN="${1:-10}"
SPINNERS="${2:-8}"
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
if [ ! -f agent/target/timeslice-agent.jar ] || [ ! -d agent/target/test-classes/fixtures/fairness ]; then
  "$MVN" -B -ntp -q -DskipTests package -pl agent -am >/dev/null
  "$MVN" -B -ntp -q test-compile -pl agent -am >/dev/null
fi
CP=agent/target/test-classes
JAVA="$JAVA_HOME/bin/java"
AGENT=agent/target/timeslice-agent.jar

BUSY_PIDS=()
start_busy() {
  for _ in 1 2; do
    sh -c 'while :; do :; done' &
    BUSY_PIDS+=("$!")
  done
  trap stop_busy EXIT
  echo "external load: 2 busy processes (pids ${BUSY_PIDS[*]}); load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
}
stop_busy() {
  for p in "${BUSY_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  BUSY_PIDS=()
}

if [ "$MODE" = loaded ]; then
  ROUNDS="${3:-3}"
  echo "fairness under external load: $SPINNERS CPU-bound platform threads + 10 ms ticker, ${SECONDS_RUN} s, $(nproc) CPUs, $ROUNDS rounds"
  start_busy
  for r in $(seq 1 "$ROUNDS"); do
    echo "-- round $r: platform threads (kernel scheduler) (load $(cut -d' ' -f1 /proc/loadavg))"
    "$JAVA" -Dfairness.percentiles=true -cp "$CP" fixtures.fairness.Fairness platform "$SPINNERS" "$SECONDS_RUN"
    echo "-- round $r: Timeslice (procs=2; the same threads routed to G's) (load $(cut -d' ' -f1 /proc/loadavg))"
    "$JAVA" -Dfairness.percentiles=true -javaagent:"$AGENT"=procs=2,summary=false -cp "$CP" fixtures.fairness.Fairness platform "$SPINNERS" "$SECONDS_RUN"
  done
  echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  exit 0
fi

if [ "$MODE" = ses ]; then
  ROUNDS="${3:-3}"
  echo "scheduleAtFixedRate every 20 ms beside $SPINNERS CPU-bound platform threads, ${SECONDS_RUN} s, $(nproc) CPUs, $ROUNDS rounds"
  [ "${4:-}" = loaded ] && start_busy
  for r in $(seq 1 "$ROUNDS"); do
    echo "-- round $r: platform threads (load $(cut -d' ' -f1 /proc/loadavg))"
    "$JAVA" -cp "$CP" fixtures.fairness.Fairness platform "$SPINNERS" "$SECONDS_RUN" 20 ses
    echo "-- round $r: Timeslice (procs=2; the same threads routed to G's) (load $(cut -d' ' -f1 /proc/loadavg))"
    "$JAVA" -javaagent:"$AGENT"=procs=2,summary=false -cp "$CP" fixtures.fairness.Fairness platform "$SPINNERS" "$SECONDS_RUN" 20 ses
  done
  echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  exit 0
fi

if [ "$MODE" = burst ]; then
  TASKS="${1:-10000}"
  ROUNDS="${2:-3}"
  echo "burst: $TASKS runnable tasks (1 ms of CPU each) + 10 ms ticker, $(nproc) CPUs, $ROUNDS rounds"
  [ "${3:-}" = loaded ] && start_busy
  for r in $(seq 1 "$ROUNDS"); do
    echo "-- round $r: platform threads (load $(cut -d' ' -f1 /proc/loadavg))"
    "$JAVA" -cp "$CP" fixtures.fairness.Burst "$TASKS" platform
    echo "-- round $r: Timeslice (procs=2; the same threads routed to G's) (load $(cut -d' ' -f1 /proc/loadavg))"
    "$JAVA" -javaagent:"$AGENT"=procs=2,summary=false -cp "$CP" fixtures.fairness.Burst "$TASKS" platform
  done
  exit 0
fi
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
