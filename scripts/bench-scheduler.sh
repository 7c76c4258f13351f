#!/usr/bin/env bash
# JMH: Timeslice's scheduler against the JDK's default virtual-thread scheduler, same JVM.
# Extra arguments go to JMH (e.g. -f 1 -wi 2 -i 3 for a quick run).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
find_jdk
find_mvn
run_jmh 'dev.timeslice.runtime.bench.SchedulerBench' "$@"
