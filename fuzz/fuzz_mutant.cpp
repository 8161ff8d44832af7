// fuzz_mutant: the negative target. The reference model and the optimized implementation with
// one known bug switched on (model/fast/mutant.hpp) run in lockstep under the oracle of
// fuzz_differential; the target exists to be caught, proving that the oracle and the feedback
// find such bugs. A difference counts only when the optimized implementation without the
// mutant does not show it as early: a bug of the base implementation is not the mutant's.
// TCPFSM_MUTANT names the mutant (its name, e.g. "inexact-rst-accepted", or its
// number 1..10); the default is the first. While model/fast hands out the reference model the
// target has nothing to catch and exits with 3 ("skipped").
//
// Input: the fuzz input format (harness/fuzz_input.hpp, docs/fuzzing.md).
// max_len: 256 (fuzz_mutant.options).
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fast/mutant.hpp"
#include "fuzz_support.hpp"

namespace {

using tcpfsm::fast::Mutant;

Mutant g_mutant = tcpfsm::fast::kAllMutants.front();
std::string g_name = "mutant";

std::unique_ptr<tcpfsm::harness::EndpointUnderTest> make_selected(const tcpfsm::Profile& p,
                                                                  tcpfsm::SeqNum iss) {
  return tcpfsm::harness::make_mutant_endpoint(g_mutant, p, iss);
}

}  // namespace

// Selects the mutant by name or number; returns 0, or -1 for an unknown mutant and 77 while the
// mutants are not built. Also called by the replay main for corpus/regressions/fuzz_mutant/NAME/.
extern "C" int tcpfsm_fuzz_select(const char* which) {
  const std::string_view w = which != nullptr ? which : "";
  bool found = w.empty();
  for (std::size_t i = 0; i < tcpfsm::fast::kAllMutants.size(); ++i) {
    const Mutant m = tcpfsm::fast::kAllMutants[i];
    if (w == to_string(m) || w == std::to_string(i + 1)) {
      g_mutant = m;
      found = true;
    }
  }
  if (!found) {
    std::fprintf(stderr, "fuzz_mutant: unknown mutant '%s'; expected one of:\n", which);
    for (Mutant m : tcpfsm::fast::kAllMutants) {
      std::fprintf(stderr, "  %s\n", std::string(to_string(m)).c_str());
    }
    return -1;
  }
  g_name = "mutant " + std::string(to_string(g_mutant));
  tcpfsm::fuzz::set_target_name("fuzz_mutant (" + std::string(to_string(g_mutant)) + ")");
  const auto probe = make_selected(tcpfsm::Profile{}, tcpfsm::SeqNum(1));
  if (probe->kind() == "reference") {
    std::fputs(
        "fuzz_mutant: make_mutant_endpoint still returns the reference model; nothing to "
        "catch (skipped)\n",
        stderr);
    return 77;
  }
  return 0;
}

// Defined only by the replay main, which selects mutants itself (one directory each).
extern "C" __attribute__((weak)) const int tcpfsm_fuzz_replaying;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (&tcpfsm_fuzz_replaying != nullptr) return 0;
  const int r = tcpfsm_fuzz_select(std::getenv("TCPFSM_MUTANT"));
  if (r == -1) std::exit(2);
  // libFuzzer reports findings with exit status 77, so "skipped" is 3 here (run_target.sh
  // turns it into ctest's 77).
  if (r == 77) std::exit(3);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  tcpfsm::fuzz::note_execution();
  const std::span<const std::uint8_t> in(data, size);
  auto f = tcpfsm::fuzz::differential(in, make_selected, g_name);
  if (!f) return 0;
  // Only the mutant's own bug counts: the optimized implementation without it must not show
  // the same difference at the same point (or earlier).
  const auto base =
      tcpfsm::fuzz::differential(in, tcpfsm::harness::make_optimized_endpoint, "optimized");
  if (base && base->action <= f->action && base->bucket == f->bucket) return 0;
  if (base && base->action < f->action) return 0;
  tcpfsm::fuzz::report_finding(*f, in);
  return 0;
}
