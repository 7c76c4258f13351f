#!/usr/bin/env bash
# What Timeslice costs an ordinary program (issue 15): CPU-bound programs built on third-party
# libraries from Maven Central (bench/: Jackson, Commons Math, Commons Compress, Bouncy Castle;
# the drivers are a few lines each, the CPU time is spent in the libraries' code, which the
# agent rewrites) and one kernel of our own (a channel prime sieve on ~1 200 virtual threads),
# run plain and with the agent in several variants, interleaved round by round. Reports wall
# and CPU (user+sys) medians per program, each variant's ratios to plain, their geomean and
# worst, and checks that every run printed the plain run's checksum.
#
# Variants (the ablation): cold (default options, the rewrite cache off: what a first start
# costs); warm (default options, the rewrite cache filled by one run of each program before
# round 1: what every later start costs); jmx=false,jfr=false (observability off); exclude=**
# (agent and scheduler running, nothing rewritten, main not a G); threads=keep; procs=1; offline
# (the jars rewritten ahead of time by `timeslice-agent.jar rewrite`, run with the agent jar on
# the class path and no -javaagent: the polls alone, no agent, no scheduler). Every agent
# variant but warm runs with cache=off, so that it rewrites at class load as a first start does.
# A benchmark, not a test: CI does not run it. Numbers depend on the machine and its load.
#
# usage: scripts/bench-programs.sh [--rounds N] [--only Name[,Name...]] [--taskset CPUS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
find_jdk
find_mvn

ROUNDS=3
ONLY=""
PIN=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    --taskset) PIN="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "bench-programs: unknown argument $1 (see --help)" >&2; exit 1 ;;
  esac
done

cd "$TIMESLICE_ROOT"
build_bench

PROGRAMS=(JsonRoundTrip Fft Bzip2 BcCrypto ChannelSieve)
if [ -n "$ONLY" ]; then IFS=, read -r -a PROGRAMS <<<"$ONLY"; fi
VARIANTS=(plain cold warm "jmx=false,jfr=false" "exclude=**" "threads=keep" "procs=1" offline)
WARM_CACHE="scripts/bench/target/warm-cache"
rm -rf "$WARM_CACHE"
for p in "${PROGRAMS[@]}"; do
  "$JAVA_HOME/bin/java" "-javaagent:$AGENT=summary=false,cache=$WARM_CACHE" -cp "$CP" "bench.programs.$p" >/dev/null 2>&1 || true
done
# the "offline" variant: every jar of the class path rewritten ahead of time
OFFLINE_DIR="scripts/bench/target/offline"
rm -rf "$OFFLINE_DIR"
IFS=: read -r -a cp_jars <<<"$CP"
"$JAVA_HOME/bin/java" -jar "$AGENT" rewrite --out "$OFFLINE_DIR" "${cp_jars[@]}" >/dev/null
OFFLINE_CP=""
for j in "${cp_jars[@]}"; do [ -n "$j" ] && OFFLINE_CP="$OFFLINE_CP$OFFLINE_DIR/$(basename "$j"):"; done
OFFLINE_CP="$OFFLINE_CP$AGENT"
PREFIX=()
[ -n "$PIN" ] && PREFIX=(taskset -c "$PIN")

echo "bench-programs: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), $ROUNDS round(s)${PIN:+, pinned to CPU $PIN}" >&2
results=$(mktemp)
out=$(mktemp)
timing=$(mktemp)
failed=$(mktemp)
status=0
for r in $(seq 1 "$ROUNDS"); do
  for p in "${PROGRAMS[@]}"; do
    expected=""
    for v in "${VARIANTS[@]}"; do
      args=()
      cp="$CP"
      if [ "$v" = offline ]; then cp="$OFFLINE_CP"
      elif [ "$v" != plain ]; then
        case "$v" in
          cold) args=("-javaagent:$AGENT=summary=false,cache=off") ;;
          warm) args=("-javaagent:$AGENT=summary=false,cache=$WARM_CACHE") ;;
          *) args=("-javaagent:$AGENT=summary=false,cache=off,$v") ;;
        esac
      fi
      TIMEFORMAT='%3R %3U %3S'
      { time "${PREFIX[@]}" "$JAVA_HOME/bin/java" "${args[@]}" -cp "$cp" "bench.programs.$p" >"$out" 2>"$out.err"; } 2>"$timing" || true
      read -r wall user sys <"$timing"
      got=$(cat "$out")
      if [ "$v" = plain ]; then expected="$got"; elif [ "$got" != "$expected" ]; then
        echo "bench-programs: $p [$v] printed '$got', plain printed '$expected'; its stderr begins:" >&2
        head -3 "$out.err" | sed 's/^/    /' >&2; status=1
        echo "$p" >>"$failed"
      fi
      echo "$p $v $wall $(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.3f", u+s}')" >>"$results"
    done
  done
done

awk -v variants="${VARIANTS[*]}" -v badlist="$(sort -u "$failed" | tr '\n' ' ')" '
  BEGIN { nb=split(badlist, B, " "); for (i=1;i<=nb;i++) bad[B[i]]=1 }
  ($1 in bad) { next }
  { key=$1 SUBSEP $2; n[key]++; w[key,n[key]]=$3; c[key,n[key]]=$4; progs[$1]=1 }
  function med(arr,key,   m,i,j,t,a) { m=n[key]; for(i=1;i<=m;i++) a[i]=arr[key,i];
    for(i=1;i<=m;i++) for(j=i+1;j<=m;j++) if (a[j]+0<a[i]+0) {t=a[i];a[i]=a[j];a[j]=t}
    return (m%2) ? a[(m+1)/2] : (a[m/2]+a[m/2+1])/2 }
  END {
    nv=split(variants, V, " ")
    printf "%-14s %13s", "program", "plain wall/cpu"
    for (i=2;i<=nv;i++) printf " %22s", V[i] " w/c"
    printf "\n"
    for (p in progs) {
      pw=med(w,p SUBSEP "plain"); pc=med(c,p SUBSEP "plain")
      printf "%-14s %6.2fs/%5.2fs", p, pw, pc
      for (i=2;i<=nv;i++) { k=p SUBSEP V[i]; rw=med(w,k)/pw; rc=med(c,k)/pc
        printf " %22s", sprintf("%.2f/%.2f", rw, rc)
        lw[i]+=log(rw); lc[i]+=log(rc); np[i]++
        if (rw>ww[i]) {ww[i]=rw; wwp[i]=p} if (rc>wc[i]) {wc[i]=rc; wcp[i]=p} }
      printf "\n"
    }
    printf "%-14s %13s", "geomean", ""
    for (i=2;i<=nv;i++) printf " %22s", sprintf("%.2f/%.2f", exp(lw[i]/np[i]), exp(lc[i]/np[i]))
    printf "\n%-14s %13s", "worst", ""
    for (i=2;i<=nv;i++) printf " %22s", sprintf("%.2f/%.2f", ww[i], wc[i])
    printf "\n(ratios to plain: median wall / median CPU time, user+sys, of the same rounds)\n"
    for (b in bad) printf "left out: %s (a variant printed another result; see above)\n", b
  }' "$results"
rm -f "$results" "$out" "$out.err" "$timing" "$failed"
exit $status
