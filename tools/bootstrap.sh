#!/usr/bin/env bash
# Set up a fresh Debian 12 machine (as root), build tcpfsm and run it.
#   bash tools/bootstrap.sh run    build the dev and fuzz presets and run the main job
#                                  (tcpfsm verify: seeds, scenarios, properties, exploration,
#                                  conformance, a short fuzz run; one summary)
#   bash tools/bootstrap.sh test   build the dev preset and run every test label that needs no
#                                  special build (all but 'fuzz')
#   bash tools/bootstrap.sh sanitize   build the asan-ubsan preset and run its tests
#   bash tools/bootstrap.sh fuzz       build the fuzz preset and run its fuzz label
# Only missing Debian packages are installed.
set -euo pipefail

cd "$(dirname "$0")/.."

packages=(g++ cmake ninja-build pkg-config libgtest-dev libgmock-dev clang-14 libclang-rt-14-dev
  libpcap-dev tshark librapidcheck-dev libbenchmark-dev nlohmann-json3-dev spin graphviz)

install_missing() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "tcpfsm: installing ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then
      echo "tcpfsm: need root to install packages (run as root or install them yourself)" >&2
      exit 2
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q "${missing[@]}"
  fi
}

build() {
  local preset=$1
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$(nproc)"
}

jobs=$(nproc)

case "${1:-}" in
  run)
    install_missing
    build dev
    # The libFuzzer build (clang, ASan+UBSan) lets the main job fuzz each target briefly.
    build fuzz
    ./build/dev/tools/tcpfsm verify --fuzz-build build/fuzz "${@:2}"
    ;;
  test)
    install_missing
    build dev
    ctest --preset dev -j "$jobs" -LE fuzz
    ;;
  sanitize)
    install_missing
    build asan-ubsan
    ctest --preset asan-ubsan -j "$jobs" -LE fuzz
    ;;
  fuzz)
    # The libFuzzer + ASan + UBSan build and its fuzz label (docs/fuzzing.md, CI): each target
    # for TCPFSM_FUZZ_SECONDS (60) from its corpus and regressions, failing on any finding;
    # the negative target must catch every mutant from the seeds within
    # TCPFSM_FUZZ_MUTANT_SECONDS (20) each. The targets run side by side (-j), one per core.
    install_missing
    build fuzz
    TCPFSM_FUZZ_SECONDS=${TCPFSM_FUZZ_SECONDS:-60} \
      TCPFSM_FUZZ_MUTANT_SECONDS=${TCPFSM_FUZZ_MUTANT_SECONDS:-20} \
      ctest --preset fuzz -L fuzz -j "$jobs" --output-on-failure
    ;;
  *)
    echo "usage: bash tools/bootstrap.sh run|test|sanitize|fuzz" >&2
    exit 2
    ;;
esac
