#!/usr/bin/env bash
# Instructions per event, counted by valgrind's callgrind, for the reference and the optimized
# implementation on the tcpfsm_bench workloads. Unlike nanoseconds these repeat exactly on a
# loaded machine.
#
# Each workload is played twice with `tcpfsm_bench --count <Workload>/<impl> ROUNDS` (no
# benchmark library, a fixed number of rounds); the difference of the two totals divided by the
# difference in events cancels start-up, set-up and the connection's preparation.
#
# usage: bench/callgrind.sh [path/to/tcpfsm_bench] [workload ...]
#   default binary: build/bench/bench/tcpfsm_bench; default workloads: all five.
# Columns: instructions per event (segments, user calls and timers alike), per arriving segment
# (the whole round's instructions over its segments), and optimized/reference.
set -euo pipefail

bench=${1:-build/bench/bench/tcpfsm_bench}
shift || true
workloads=("$@")
if [ ${#workloads[@]} -eq 0 ]; then
  workloads=(Handshake BulkData PureAcks FullClose AdversarialMix)
fi
if [ ! -x "$bench" ]; then
  echo "callgrind.sh: no executable at $bench (build the bench preset first)" >&2
  exit 2
fi
command -v valgrind >/dev/null || {
  echo "callgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2
  exit 2
}

# Rounds for the short and the long run: whole cycles of BulkData's 1024 distinct rounds (each
# cycle ends with a restart from a fresh implementation and handshake), since the reference's
# cost per round changes within a cycle.
short_rounds=1024
long_rounds=3072

# Prints "<instructions> <events> <arrivals>" for one run.
measure() {
  local spec=$1 rounds=$2 log out ir
  log=$(mktemp)
  out=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bench" --count "$spec" \
    "$rounds" 2>"$log")
  ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$log")
  rm -f "$log"
  if [ -z "$ir" ]; then
    echo "callgrind.sh: no instruction count for $spec" >&2
    exit 1
  fi
  local events arrivals
  events=$(sed -n 's/.*events=\([0-9]*\).*/\1/p' <<<"$out")
  arrivals=$(sed -n 's/.*arrivals=\([0-9]*\).*/\1/p' <<<"$out")
  echo "$ir $events $arrivals"
}

printf '%-16s %-10s %14s %14s\n' workload impl "instr/event" "instr/segment"
for w in "${workloads[@]}"; do
  declare -A per_event=()
  for impl in reference optimized; do
    read -r ir1 ev1 ar1 < <(measure "$w/$impl" "$short_rounds")
    read -r ir2 ev2 ar2 < <(measure "$w/$impl" "$long_rounds")
    pe=$(awk -v a="$ir1" -v b="$ir2" -v e="$ev1" -v f="$ev2" 'BEGIN { printf "%.1f", (b - a) / (f - e) }')
    ps=$(awk -v a="$ir1" -v b="$ir2" -v e="$ar1" -v f="$ar2" 'BEGIN { printf "%.1f", (b - a) / (f - e) }')
    per_event[$impl]=$pe
    printf '%-16s %-10s %14s %14s\n' "$w" "$impl" "$pe" "$ps"
  done
  awk -v r="${per_event[reference]}" -v o="${per_event[optimized]}" -v w="$w" \
    'BEGIN { printf "%-16s %-10s %14s\n", w, "ratio", sprintf("%.1fx fewer", r / o) }'
  unset per_event
done
