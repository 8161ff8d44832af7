#!/usr/bin/env bash
# Runs one libFuzzer target for a while (ctest label fuzz; docs/fuzzing.md).
#   run_target.sh BINARY NAME SOURCE_ROOT WORK_DIR clean|negative
# clean:    fuzz for TCPFSM_FUZZ_SECONDS (default 60) from corpus/NAME and
#           corpus/regressions/NAME; any finding fails (new inputs go to WORK_DIR, never to the
#           repository).
# negative: for each mutant the target knows, fuzz for at most TCPFSM_FUZZ_MUTANT_SECONDS
#           (default: TCPFSM_FUZZ_SECONDS) from the seed corpus, or from an empty corpus with
#           TCPFSM_FUZZ_MUTANT_FROM=empty; every mutant must be caught.
# Exit status 77 means skipped (the mutants are not built yet; the target says so with 3, as
# libFuzzer itself exits with 77 on a finding).
set -uo pipefail
bin=$1 name=$2 root=$3 work=$4 mode=${5:-clean}
seconds=${TCPFSM_FUZZ_SECONDS:-60}
mutant_seconds=${TCPFSM_FUZZ_MUTANT_SECONDS:-$seconds}
options="$root/fuzz/$name.options"
max_len=$(sed -n 's/^max_len *= *//p' "$options")
timeout=$(sed -n 's/^timeout *= *//p' "$options")
run="$work/$name"
rm -rf "$run"
mkdir -p "$run/corpus" "$run/artifacts"
common=(-max_len="${max_len:-256}" -timeout="${timeout:-10}" -rss_limit_mb=2048
        -dict="$root/fuzz/$name.dict" -print_final_stats=1 -artifact_prefix="$run/artifacts/")

if [ "$mode" = clean ]; then
  echo "$name: fuzzing for $seconds s from corpus/$name"
  dirs=("$run/corpus")
  for d in "$root/corpus/$name" "$root/corpus/regressions/$name"; do
    [ -d "$d" ] && dirs+=("$d")
  done
  "$bin" "${common[@]}" -max_total_time="$seconds" "${dirs[@]}" 2>&1 | tail -n 60
  status=${PIPESTATUS[0]}
  if [ "$status" -eq 0 ]; then
    echo "$name: no finding in $seconds s"
    exit 0
  fi
  echo "$name: FINDING (exit status $status); reproducers in $run/artifacts/"
  exit 1
fi

# negative: the mutants' names, from the target's own list.
mapfile -t mutants < <(TCPFSM_MUTANT=list "$bin" -runs=0 2>&1 | sed -n 's/^  \([a-z0-9-]*\)$/\1/p')
if [ ${#mutants[@]} -eq 0 ]; then
  echo "$name: no mutants listed"
  exit 1
fi
missed=0
for m in "${mutants[@]}"; do
  rm -rf "$run/corpus" && mkdir -p "$run/corpus"
  log="$run/$m.log"
  seeds=("$root/corpus/$name")
  [ "${TCPFSM_FUZZ_MUTANT_FROM:-seeds}" = empty ] && seeds=()
  TCPFSM_MUTANT="$m" "$bin" "${common[@]}" -max_total_time="$mutant_seconds" -seed=1 \
    "$run/corpus" "${seeds[@]}" >"$log" 2>&1
  status=$?
  if [ $status -eq 3 ]; then
    echo "$name: skipped (the mutants are not built yet)"
    exit 77
  fi
  if [ $status -ne 0 ] && grep -q '^tcpfsm-fuzz-bucket:' "$log"; then
    execs=$(sed -n 's/.*found a problem after \([0-9]*\) executions.*/\1/p' "$log" | head -1)
    echo "caught   $m after ${execs:-?} executions: $(sed -n 's/^tcpfsm-fuzz-bucket: //p' "$log" | head -1)"
  else
    echo "MISSED   $m within $mutant_seconds s (exit $status; log $log)"
    missed=$((missed + 1))
  fi
done
[ $missed -eq 0 ] && echo "$name: every mutant caught"
exit $((missed > 0))
