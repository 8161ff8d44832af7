// fuzz_network: reference endpoints under the full invariant catalogue (harness/invariants.hpp)
// after every step. With two endpoints the input is also the network's schedule: which endpoint
// acts, which segment in flight is delivered, dropped, duplicated or reordered, seeded faults,
// and time. Any violation aborts with the trace and the input decoded as a .tcp script. The
// feedback counters include the pair of endpoint states. A segment the input injects at one of
// two endpoints is a forgery: after one, the network-level invariants no longer apply.
//
// Input: the fuzz input format (harness/fuzz_input.hpp, docs/fuzzing.md); one-endpoint inputs
// are checked too, against the single-endpoint invariants.
// max_len: 256 (fuzz_network.options); any length decodes.
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  tcpfsm::fuzz::set_target_name("fuzz_network");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  tcpfsm::fuzz::note_execution();
  const std::span<const std::uint8_t> in(data, size);
  if (auto f = tcpfsm::fuzz::invariants(in)) tcpfsm::fuzz::report_finding(*f, in);
  return 0;
}
