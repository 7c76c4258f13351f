#!/usr/bin/env bash
# JMH: what observability costs the scheduler (no listener vs the trace recorder vs an idle JFR
# listener vs both), same JVM. Extra arguments go to JMH (e.g. -f 1 -wi 2 -i 3, or -p listener=none,trace).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
find_jdk
find_mvn
cd "$TIMESLICE_ROOT"
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
"$MVN" -B -ntp -q -pl scheduler test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
CP="scheduler/target/test-classes:scheduler/target/classes:$(cat scheduler/target/bench.classpath)"
echo "timeslice: JMH with $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), $(nproc) CPUs" >&2
exec "$JAVA_HOME/bin/java" -cp "$CP" org.openjdk.jmh.Main 'dev.timeslice.runtime.bench.ObservabilityBench' "$@"
