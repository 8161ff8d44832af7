// The stateful differential property: the optimized implementation against the reference
// model, one RapidCheck command per event kind, compared after every command.
#include <gtest/gtest.h>

#include <iostream>
#include <string>

#include "differential.hpp"

namespace tcpfsm::prop {
namespace {

std::string names(const std::vector<State>& states) {
  std::string out;
  for (State s : states) out += (out.empty() ? "" : ", ") + std::string(to_string(s));
  return out;
}

std::string names(const std::vector<Situation>& situations) {
  std::string out;
  for (Situation s : situations) out += (out.empty() ? "" : "; ") + std::string(to_string(s));
  return out;
}

TEST(StatefulDifferential, OptimizedMatchesReference) {
  const DiffResult r = check_differential(
      {"StatefulDifferential/OptimizedMatchesReference", case_budget(2000), std::nullopt},
      harness::make_optimized_endpoint);
  std::cout << r.coverage.table();
  EXPECT_TRUE(r.report.passed()) << r.report.summary() << "\n"
                                 << r.report.message << "\n"
                                 << r.report.reproduce << "\ncounterexample: " << r.script_path;
  // A separate check: the generators reach every state of RFC 9293 §3.3.2.
  if (r.report.passed()) {
    EXPECT_TRUE(r.coverage.states_missed().empty())
        << "states never reached: " << names(r.coverage.states_missed());
  }
}

// With a fixed seed and the reference on both sides: every state, and every situation a mutant
// of the zoo lives in, is reached, so the differential test has the chance to see them.
TEST(StatefulDifferential, GeneratorsReachEveryStateAndMutantSituation) {
  const DiffResult r =
      check_differential({"StatefulDifferential/GeneratorsReachEveryStateAndMutantSituation",
                          case_budget(2000, 5000), 20240601},
                         harness::make_reference_endpoint);
  std::cout << r.coverage.table();
  ASSERT_TRUE(r.report.passed()) << r.report.message;
  EXPECT_TRUE(r.coverage.states_missed().empty())
      << "states never reached: " << names(r.coverage.states_missed());
  EXPECT_TRUE(r.coverage.situations_missed().empty())
      << "situations never reached: " << names(r.coverage.situations_missed());
}

}  // namespace
}  // namespace tcpfsm::prop
