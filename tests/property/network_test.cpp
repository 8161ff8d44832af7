// Network properties: pairs of endpoints over a faulty network with generated user behaviour,
// judged by the whole invariant catalogue and the close-role and data checks, for the
// reference pair and the optimized pair.
#include <gtest/gtest.h>

#include <iostream>

#include "network_property.hpp"

namespace tcpfsm::prop {
namespace {

void expect_exercised(const NetStats& s) {
  // The checks had something to judge: quiet completions of both kinds of close, FINs.
  EXPECT_GT(s.quiet_completions, 0u) << s.table();
  EXPECT_GT(s.simultaneous_closes_judged, 0u) << s.table();
  EXPECT_GT(s.active_passive_closes_judged, 0u) << s.table();
  EXPECT_GT(s.fins_judged, 0u) << s.table();
  EXPECT_GT(s.time_wait_entries, 0u) << s.table();
}

TEST(NetworkProperties, ReferencePairKeepsInvariantsAndCloseRoles) {
  const NetResult r = check_network({"NetworkProperties/ReferencePairKeepsInvariantsAndCloseRoles",
                                     case_budget(2000), std::nullopt},
                                    harness::make_reference_endpoint);
  std::cout << r.stats.table();
  EXPECT_TRUE(r.report.passed()) << r.report.summary() << "\n"
                                 << r.report.message << "\n"
                                 << r.report.reproduce << "\ncounterexample: " << r.script_path;
  if (r.report.passed()) expect_exercised(r.stats);
}

TEST(NetworkProperties, OptimizedPairKeepsInvariantsAndCloseRoles) {
  const NetResult r = check_network({"NetworkProperties/OptimizedPairKeepsInvariantsAndCloseRoles",
                                     case_budget(2000), std::nullopt},
                                    harness::make_optimized_endpoint);
  std::cout << r.stats.table();
  EXPECT_TRUE(r.report.passed()) << r.report.summary() << "\n"
                                 << r.report.message << "\n"
                                 << r.report.reproduce << "\ncounterexample: " << r.script_path;
  if (r.report.passed()) expect_exercised(r.stats);
}

}  // namespace
}  // namespace tcpfsm::prop
