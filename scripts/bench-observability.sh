#!/usr/bin/env bash
# JMH: what observability costs the scheduler (no listener vs the trace recorder vs an idle JFR
# listener vs both), same JVM. Extra arguments go to JMH (e.g. -f 1 -wi 2 -i 3, or -p listener=none,trace).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
find_jdk
find_mvn
run_jmh 'dev.timeslice.runtime.bench.ObservabilityBench' "$@"
