#!/usr/bin/env bash
# Runs Timeslice's whole test suite: unit tests, instrumentation tests, and the
# end-to-end tests that start real JVMs with -javaagent.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
find_jdk
find_mvn
cd "$TIMESLICE_ROOT"
echo "timeslice: testing with $("$JAVA_HOME/bin/java" -version 2>&1 | head -1) ($JAVA_HOME)"
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
exec "$MVN" -B -ntp verify "$@"
