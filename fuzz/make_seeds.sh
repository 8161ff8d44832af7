#!/usr/bin/env bash
# Makes the seed corpora of the fuzz targets from the scenario library, so that nobody writes
# them by hand:
#   corpus/fuzz_differential/, corpus/fuzz_network/, corpus/fuzz_mutant/
#       each scenario's events in the fuzz input format (tcpfsm encode), one file per scenario
#   corpus/fuzz_script/
#       the scenario texts themselves (the parser's input)
# Files a campaign added (named by their SHA-1) are left alone.
#
#   bash fuzz/make_seeds.sh TCPFSM_BINARY           write the seeds
#   bash fuzz/make_seeds.sh TCPFSM_BINARY --check   fail when the committed seeds differ
set -euo pipefail
cd "$(dirname "$0")/.."
tcpfsm=${1:?usage: make_seeds.sh TCPFSM_BINARY [--check]}
check=${2:-}

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/encoded" "$out/fuzz_script"
"$tcpfsm" encode --out-dir "$out/encoded" corpus/scenarios/*.tcp >/dev/null
for f in corpus/scenarios/*.tcp; do
  cp "$f" "$out/fuzz_script/$(basename "$f" .tcp)"
done

status=0
for target in fuzz_differential fuzz_network fuzz_mutant fuzz_script; do
  src="$out/encoded"
  [ "$target" = fuzz_script ] && src="$out/fuzz_script"
  if [ "$check" = --check ]; then
    for f in "$src"/*; do
      name=$(basename "$f")
      if ! cmp -s "$f" "corpus/$target/$name"; then
        echo "corpus/$target/$name is not what make_seeds.sh makes of corpus/scenarios/$name.tcp"
        status=1
      fi
    done
  else
    mkdir -p "corpus/$target"
    cp "$src"/* "corpus/$target/"
  fi
done
if [ "$check" = --check ]; then
  [ $status -eq 0 ] && echo "seed corpora are up to date ($(ls "$out/encoded" | wc -l) scenarios)"
  [ $status -ne 0 ] && echo "run: cmake --build <build dir> --target fuzz_seeds"
  exit $status
fi
echo "seed corpora written from $(ls "$out/encoded" | wc -l) scenarios"
