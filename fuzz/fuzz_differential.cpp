// fuzz_differential: the reference model (model/reference) and the optimized implementation
// (model/fast) take the same events in lockstep. Any difference in the state, the segments
// sent, what the user is told, the TCB or the next timer aborts with both traces and the input
// decoded as a .tcp script. Numbers in the input are resolved against the reference.
//
// Input: the fuzz input format (harness/fuzz_input.hpp, docs/fuzzing.md): one endpoint driven
// by the input, or two endpoints and the network schedule between them.
// max_len: 256 (fuzz_differential.options); any length decodes.
#include <cstdio>

#include "fuzz_support.hpp"

namespace {

std::span<const std::uint8_t> bytes(const std::uint8_t* data, std::size_t size) {
  return {data, size};
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  tcpfsm::fuzz::set_target_name("fuzz_differential");
  const auto probe = tcpfsm::harness::make_optimized_endpoint(tcpfsm::Profile{}, tcpfsm::SeqNum(1));
  if (probe->kind() == "reference") {
    std::fputs(
        "fuzz_differential: make_optimized_endpoint still returns the reference model; "
        "the oracle compares the reference with itself\n",
        stderr);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  tcpfsm::fuzz::note_execution();
  if (auto f = tcpfsm::fuzz::differential(bytes(data, size),
                                          tcpfsm::harness::make_optimized_endpoint, "optimized")) {
    tcpfsm::fuzz::report_finding(*f, bytes(data, size));
  }
  return 0;
}
