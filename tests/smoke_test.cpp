// The four seed situations of the project, end to end on one endpoint at a time.
#include "support/fixtures.hpp"

namespace tcpfsm::test {
namespace {

TEST(Smoke, FixturesReachTheirStates) {
  for (const auto& f : all_state_fixtures()) {
    Conn c = f.make(Profile{});
    EXPECT_EQ(c.state(), f.state) << f.name;
  }
}

}  // namespace
}  // namespace tcpfsm::test
