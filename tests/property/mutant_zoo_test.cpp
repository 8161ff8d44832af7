// The mutant zoo: every known bug of model/fast/mutant.hpp must be caught by the property suite.
// Each mutant meets the stateful differential property and the network properties (fixed
// seeds, so the numbers repeat); at least one of them must fail. The test prints, for each,
// whether it caught the mutant, after how many test cases and how long.
#include <gtest/gtest.h>

#include <cstdio>
#include <ostream>
#include <string>

#include "differential.hpp"
#include "factories.hpp"
#include "network_property.hpp"

namespace tcpfsm::fast {
// Test names and messages show the mutant by name.
void PrintTo(Mutant m, std::ostream* os) {
  *os << to_string(m);
}
}  // namespace tcpfsm::fast

namespace tcpfsm::prop {
namespace {

constexpr std::uint64_t kZooSeed = 7'700'077;
constexpr double kZooShrinkSeconds = 5;

std::string column(const CheckReport& r) {
  char buf[96];
  if (r.failed()) {
    std::snprintf(buf, sizeof buf, "caught at case %5d in %6.2f s", r.cases_to_failure,
                  r.seconds_to_failure);
  } else {
    std::snprintf(buf, sizeof buf, "missed (%d cases, %.2f s)", r.cases, r.seconds);
  }
  return buf;
}

class MutantZoo : public ::testing::TestWithParam<fast::Mutant> {};

TEST_P(MutantZoo, IsCaughtByThePropertySuite) {
  const fast::Mutant m = GetParam();
  const std::string name(fast::to_string(m));
  const harness::EndpointFactory factory = mutant_factory(m);

  const DiffResult stateful = check_differential(
      {"MutantZoo/" + name + "/stateful", case_budget(2000, 20'000), kZooSeed, kZooShrinkSeconds},
      factory);
  const NetResult network = check_network(
      {"MutantZoo/" + name + "/network", case_budget(300, 5000), kZooSeed, kZooShrinkSeconds},
      factory);
  std::printf("MUTANT %-40s | stateful: %-34s | network: %s\n", name.c_str(),
              column(stateful.report).c_str(), column(network.report).c_str());
  EXPECT_TRUE(stateful.report.failed() || network.report.failed())
      << "mutant " << name << " was not caught:\n  stateful: " << stateful.report.summary()
      << "\n  network: " << network.report.summary();
}

INSTANTIATE_TEST_SUITE_P(AllMutants, MutantZoo, ::testing::ValuesIn(fast::kAllMutants),
                         [](const ::testing::TestParamInfo<fast::Mutant>& param) {
                           std::string n(fast::to_string(param.param));
                           for (char& c : n) {
                             if (c == '-') c = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace tcpfsm::prop
