#!/usr/bin/env bash
# Long mode of the rewriter's differential fuzzer: generated Java and ASM classes run as compiled
# and as rewritten (loopPoll 2, the default, cheaper forms, and on G's of a real scheduler),
# compared call by call. Prints the seed, progress each minute, and for every failure the case
# seed and a minimal (delta-reduced) reproducer; exit status 1 if anything failed.
#   scripts/fuzz-rewriter.sh --seconds N --seed S [--max-failures K]
#   scripts/fuzz-rewriter.sh --case java:SEED   (re-run one reported case; also asm:SEED)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
find_jdk
find_mvn
cd "$TIMESLICE_ROOT"
for a in "$@"; do
  case "$a" in
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  esac
done
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
"$MVN" -B -ntp -q -o -pl agent -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/fuzz-cp.txt -Dmdep.includeScope=test >&2 \
  || "$MVN" -B -ntp -q -pl agent -am test-compile dependency:build-classpath \
       -Dmdep.outputFile=target/fuzz-cp.txt -Dmdep.includeScope=test >&2
CP="agent/target/test-classes:agent/target/classes:$(cat agent/target/fuzz-cp.txt)"
exec "$JAVA_HOME/bin/java" -XX:-OmitStackTraceInFastThrow --add-opens java.base/java.lang=ALL-UNNAMED \
  --add-opens java.base/java.util.concurrent=ALL-UNNAMED -cp "$CP" dev.timeslice.agent.fuzz.FuzzMain "$@"
