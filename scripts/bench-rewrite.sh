#!/usr/bin/env bash
# Instrumentation overhead: JMH, original vs rewritten kernels in the same JVM setup, each kernel
# inlined into the benchmark method and compiled on its own. Prints a Markdown table.
#
#   scripts/bench-rewrite.sh [-f forks] [-wi warmups] [-i iterations] [-t seconds] [-o out.md] [kernel regex]
#   scripts/bench-rewrite.sh paired [-r rounds] [-o out.md] [kernel regex]
#
# Defaults: 3 forks x 5 x 1 s after 5 x 1 s warm-up, all kernels (about 30 minutes).
# "paired" runs one JVM per kernel and mode with both copies loaded and alternating rounds
# (about 6 minutes): robust to load that changes over minutes, which JMH's separate forks are not.
# JMH refuses to start while another JMH run holds /tmp/jmh.lock; JMH_IGNORE_LOCK=1 overrides that
# (only when the other run is known to be idle: concurrent benchmarks distort each other).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
find_jdk
find_mvn
cd "$TIMESLICE_ROOT"
echo "timeslice: benchmarking with $("$JAVA_HOME/bin/java" -version 2>&1 | head -1) ($JAVA_HOME)" >&2
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
cpfile="$TIMESLICE_ROOT/agent/target/bench-classpath.txt"
"$MVN" -B -ntp -q -pl agent -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$cpfile" -Dmdep.includeScope=test >&2
cp="$TIMESLICE_ROOT/agent/target/test-classes:$TIMESLICE_ROOT/agent/target/classes:$TIMESLICE_ROOT/scheduler/target/classes:$(cat "$cpfile")"
if [ "${1:-}" = paired ]; then
  shift
  exec "$JAVA_HOME/bin/java" -cp "$cp" dev.timeslice.agent.bench.PairedBench "$@"
fi
jvm_flags=()
[ "${JMH_IGNORE_LOCK:-0}" = 1 ] && jvm_flags+=(-Djmh.ignoreLock=true)
exec "$JAVA_HOME/bin/java" "${jvm_flags[@]}" -cp "$cp" dev.timeslice.agent.bench.BenchMain "$@"
