#!/usr/bin/env bash
# Shared helpers for Timeslice's scripts. Source it; do not run it.
#
# find_jdk: sets JAVA_HOME/PATH to a JDK 21+ (JAVA_HOME if it qualifies, else the
# newest one under /usr/lib/jvm) or stops with one clear line.

TIMESLICE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Prints the feature version (e.g. 25) of the JDK at $1, or nothing.
jdk_feature_version() {
  local home="$1" v=""
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
  if [ -f "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$home/release" | head -1)
  fi
  if [ -z "$v" ]; then
    v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^ *java.specification.version = \([0-9][0-9]*\).*/\1/p' | head -1)
  fi
  [ "$v" = "1" ] && v=8
  echo "$v"
}

find_jdk() {
  local min=21 best="" bestv=0 v d
  if [ -n "${JAVA_HOME:-}" ]; then
    v=$(jdk_feature_version "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge "$min" ]; then
      best="$JAVA_HOME"; bestv="$v"
    fi
  fi
  if [ -z "$best" ]; then
    for d in /usr/lib/jvm/*/; do
      d="${d%/}"
      [ -L "$d" ] && continue
      v=$(jdk_feature_version "$d")
      if [ -n "$v" ] && [ "$v" -ge "$min" ] && [ "$v" -gt "$bestv" ]; then
        best="$d"; bestv="$v"
      fi
    done
  fi
  if [ -z "$best" ]; then
    echo "timeslice: no JDK $min+ found (JAVA_HOME=${JAVA_HOME:-unset}, nothing suitable under /usr/lib/jvm); install JDK 21 or newer (25 recommended) and set JAVA_HOME" >&2
    exit 1
  fi
  export JAVA_HOME="$best"
  export PATH="$JAVA_HOME/bin:$PATH"
}

# find_mvn: sets MVN to a Maven 3.8+ command.
find_mvn() {
  if [ -x "$TIMESLICE_ROOT/mvnw" ]; then
    MVN="$TIMESLICE_ROOT/mvnw"
  elif command -v mvn >/dev/null 2>&1; then
    MVN=mvn
  else
    echo "timeslice: Maven not found; install Apache Maven 3.8 or newer" >&2
    exit 1
  fi
}

# run_jmh <benchmark-class-regex> [jmh args...]: builds the scheduler's test classes (JMH
# benchmarks live there) and runs JMH on them with the JDK found by find_jdk.
run_jmh() {
  local regex="$1"; shift
  cd "$TIMESLICE_ROOT"
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
  "$MVN" -B -ntp -q -pl scheduler test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
  local cp="scheduler/target/test-classes:scheduler/target/classes:$(cat scheduler/target/bench.classpath)"
  echo "timeslice: JMH with $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), $(nproc) CPUs" >&2
  exec "$JAVA_HOME/bin/java" -cp "$cp" org.openjdk.jmh.Main "$regex" "$@"
}

# build_bench: builds the agent (if absent) and the whole-program benchmark drivers
# (scripts/bench/pom.xml, dependencies from Maven Central); sets AGENT and CP.
build_bench() {
  AGENT="$TIMESLICE_ROOT/agent/target/timeslice-agent.jar"
  if [ ! -f "$AGENT" ]; then
    "$MVN" -B -ntp -q -DskipTests package -pl agent -am >&2
  fi
  "$MVN" -B -ntp -q -f "$TIMESLICE_ROOT/scripts/bench/pom.xml" package >&2
  CP="scripts/bench/target/bench.jar:$(ls "$TIMESLICE_ROOT"/scripts/bench/target/lib/*.jar | sed "s#^$TIMESLICE_ROOT/##" | tr '\n' ':')"
}
