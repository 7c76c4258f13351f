#!/usr/bin/env bash
# The real-world corpus check alone (CI runs it as part of scripts/test.sh): rewrites every class of
# the 58 jars declared in agent/corpus/pom.xml as the agent would and has HotSpot verify each one
# (`timeslice-agent.jar verify`, their dependencies on the link class path), then prints the
# per-jar table (also in agent/corpus/target/corpus/report.md; full output in .../verify.txt).
#
# usage: scripts/verify-corpus.sh [--loopPoll N] [--offline]
#   --loopPoll N  the agent's loopPoll for the rewrite (default 8192, the agent's default); small
#                 values (2) pick other loop forms
#   --offline     resolve the corpus from the local Maven repository only
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { sed -n "7,11s/^# \{0,1\}//p" "${BASH_SOURCE[0]}"; }

loop=8192
offline=()
while [ $# -gt 0 ]; do
  case "$1" in
    --loopPoll)
      [ $# -ge 2 ] || { echo "verify-corpus: --loopPoll needs a value (a positive integer)" >&2; exit 1; }
      loop="$2"; shift 2 ;;
    --offline|-o) offline=(-o); shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "verify-corpus: unknown argument '$1' (accepted: --loopPoll N, --offline, --help)" >&2; exit 1 ;;
  esac
done
if ! [[ "$loop" =~ ^[1-9][0-9]*$ ]]; then
  echo "verify-corpus: --loopPoll '$loop' is not a positive integer" >&2
  exit 1
fi

find_jdk
find_mvn
cd "$TIMESLICE_ROOT"
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
start=$(date +%s)
status=0
"$MVN" -B -ntp "${offline[@]}" -pl agent/corpus -am verify \
  -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=CorpusIT -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dtimeslice.corpus.loopPoll="$loop" || status=$?
if [ -f agent/corpus/target/corpus/report.md ]; then
  echo
  cat agent/corpus/target/corpus/report.md
fi
echo "verify-corpus: loopPoll=$loop, $(( $(date +%s) - start )) s including the build, exit $status"
exit "$status"
