#!/usr/bin/env bash
# The fuzzing benchmark of docs/fuzzing.md, "Measurements" (a benchmark, not a test).
#
#   bash fuzz/measure.sh speed BUILD_DIR [SECONDS]
#       exec/s of every target, one worker, -max_len=256, from a copy of its seed corpus, each
#       run right after the trivial target (the engine's ceiling) built the same way
#   bash fuzz/measure.sh states BUILD_DIR [MAX_SECONDS]
#       executions until the reference model has been in all 11 states (fuzz_differential),
#       from an empty corpus and from the seed corpus, -seed=1,2,3
#   bash fuzz/measure.sh mutants BUILD_DIR [MAX_SECONDS] [empty|seeds]
#       executions until fuzz_mutant catches each mutant, from an empty corpus (default) or from
#       the seed corpus, -seed=1,2,3
#
# Findings do not stop the speed and state runs (TCPFSM_FUZZ_KEEP_GOING=1). The machine's load
# is printed with each figure: exec/s on a shared machine is only comparable within one run.
set -uo pipefail
what=${1:?usage: measure.sh speed|states|mutants BUILD_DIR [SECONDS]}
build=$(cd "${2:?build directory}" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
# The corpora live in memory (/dev/shm when there is one): a run from the seeds writes a new
# corpus file every few milliseconds, and on a disk file system creating them took about a third
# of fuzz_differential's time, which would measure the disk and not the target.
shm=/dev/shm
[ -d "$shm" ] && [ -w "$shm" ] || shm=${TMPDIR:-/tmp}
tmp=$(mktemp -d -p "$shm" tcpfsm-measure.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

execs_per_second() {  # the exec/s of libFuzzer's DONE line
  grep -a -E '^#[0-9]+[[:space:]]+DONE' "$1" | tail -1 | sed 's/.*exec\/s: \([0-9]*\).*/\1/'
}

case "$what" in
  speed)
    seconds=${3:-30}
    mkdir -p "$tmp/one" && echo x >"$tmp/one/x"
    printf '%-18s %10s %10s %7s  %s\n' target exec/s trivial ratio load
    for t in fuzz_differential fuzz_network fuzz_script fuzz_mutant; do
      rm -rf "$tmp/c" "$tmp/t" && mkdir -p "$tmp/t" && cp -r "$root/corpus/$t" "$tmp/c"
      "$build/fuzz/fuzz_trivial" -max_len=256 -max_total_time="$seconds" -seed=1 "$tmp/t" "$tmp/one" \
        >"$tmp/trivial.log" 2>&1
      TCPFSM_FUZZ_KEEP_GOING=1 "$build/fuzz/$t" -max_len=256 -max_total_time="$seconds" -seed=1 \
        -dict="$root/fuzz/$t.dict" "$tmp/c" >"$tmp/$t.log" 2>&1
      a=$(execs_per_second "$tmp/$t.log")
      b=$(execs_per_second "$tmp/trivial.log")
      printf '%-18s %10s %10s %6s%%  %s\n' "$t" "${a:-?}" "${b:-?}" \
        "$(awk -v a="${a:-0}" -v b="${b:-1}" 'BEGIN { printf "%.2f", 100 * a / b }')" \
        "$(cut -d' ' -f1 /proc/loadavg)"
    done
    ;;
  states)
    limit=${3:-600}
    for start in empty seeds; do
      for seed in 1 2 3; do
        rm -rf "$tmp/c" && mkdir -p "$tmp/c"
        [ "$start" = seeds ] && cp "$root/corpus/fuzz_differential/"* "$tmp/c/"
        TCPFSM_FUZZ_KEEP_GOING=1 TCPFSM_FUZZ_REPORT_STATES=1 timeout "$((limit + 30))" \
          "$build/fuzz/fuzz_differential" -max_len=256 -seed="$seed" -max_total_time="$limit" \
          -dict="$root/fuzz/fuzz_differential.dict" "$tmp/c" >"$tmp/s.log" 2>&1 &
        pid=$!
        # Stop as soon as the figure is in.
        while kill -0 $pid 2>/dev/null; do
          grep -q 'all 11 states reached' "$tmp/s.log" && kill $pid 2>/dev/null
          sleep 1
        done
        wait $pid 2>/dev/null
        n=$(sed -n 's/.*all 11 states reached after \([0-9]*\) executions.*/\1/p' "$tmp/s.log")
        echo "all 11 states, from $start corpus, -seed=$seed: ${n:-not within ${limit}s} executions"
      done
    done
    ;;
  mutants)
    limit=${3:-300}
    start=${4:-empty}
    mapfile -t mutants < <(TCPFSM_MUTANT=list "$build/fuzz/fuzz_mutant" -runs=0 2>&1 |
      sed -n 's/^  \([a-z0-9-]*\)$/\1/p')
    for m in "${mutants[@]}"; do
      line="$m:"
      for seed in 1 2 3; do
        rm -rf "$tmp/c" && mkdir -p "$tmp/c"
        [ "$start" = seeds ] && cp "$root/corpus/fuzz_mutant/"* "$tmp/c/"
        TCPFSM_MUTANT="$m" "$build/fuzz/fuzz_mutant" -max_len=256 -seed="$seed" \
          -max_total_time="$limit" -dict="$root/fuzz/fuzz_mutant.dict" \
          -artifact_prefix="$tmp/" "$tmp/c" >"$tmp/m.log" 2>&1
        n=$(sed -n 's/.*found a problem after \([0-9]*\) executions.*/\1/p' "$tmp/m.log" | head -1)
        line="$line seed$seed=${n:-missed}"
      done
      echo "$line"
    done
    ;;
  *)
    echo "usage: measure.sh speed|states|mutants BUILD_DIR [SECONDS]" >&2
    exit 2
    ;;
esac
