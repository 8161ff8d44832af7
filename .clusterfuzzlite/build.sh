#!/bin/bash -eu
set -eu
# Builds the fuzz targets for ClusterFuzzLite / OSS-Fuzz. The builder sets CC, CXX, CFLAGS,
# CXXFLAGS (sanitizer and coverage flags included), LIB_FUZZING_ENGINE, SRC, WORK and OUT.
# Into $OUT go, per target: the binary, <target>_seed_corpus.zip (its corpus and its
# regressions), <target>.dict and <target>.options. The negative target fuzz_mutant is left out:
# it exists to crash.
#
# Local check (docs/fuzzing.md): SRC=.. WORK=/tmp/w OUT=/tmp/out CC=clang-14 CXX=clang++-14 \
#   CFLAGS="-fsanitize=address,fuzzer-no-link" CXXFLAGS="$CFLAGS" \
#   LIB_FUZZING_ENGINE=-fsanitize=fuzzer bash .clusterfuzzlite/build.sh

project="$SRC/tcpfsm"
[ -d "$project" ] || project=$(cd "$(dirname "$0")/.." && pwd)
targets=(fuzz_differential fuzz_network fuzz_script)

cmake -S "$project" -B "$WORK/tcpfsm-build" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
  -DCMAKE_EXE_LINKER_FLAGS="-Wl,--as-needed" \
  -DTCPFSM_BUILD_TESTS=OFF -DTCPFSM_SANITIZE=OFF \
  -DTCPFSM_FUZZ=ON -DTCPFSM_FUZZ_INSTRUMENT=OFF -DTCPFSM_FUZZ_ENGINE="$LIB_FUZZING_ENGINE"
cmake --build "$WORK/tcpfsm-build" --target "${targets[@]}"

for t in "${targets[@]}"; do
  cp "$WORK/tcpfsm-build/fuzz/$t" "$OUT/"
  cp "$project/fuzz/$t.dict" "$project/fuzz/$t.options" "$OUT/"
  rm -f "$OUT/${t}_seed_corpus.zip"
  seeds=()
  for d in "$project/corpus/$t" "$project/corpus/regressions/$t"; do
    [ -d "$d" ] && seeds+=("$d")
  done
  # Flat, and without the decoded .tcp scripts that sit beside binary reproducers.
  if [ "$t" = fuzz_script ]; then
    find "${seeds[@]}" -type f ! -name '.*' -print0 | xargs -0 zip -q -j "$OUT/${t}_seed_corpus.zip"
  else
    find "${seeds[@]}" -type f ! -name '.*' ! -name '*.tcp' -print0 |
      xargs -0 zip -q -j "$OUT/${t}_seed_corpus.zip"
  fi
done
