// The seed situations as scenario tests: two reference endpoints, a lossless link, and the
// claims each situation exists to show (RFC 9293 §3.6, Figures 12 and 13).
#include <gtest/gtest.h>

#include "harness/pair.hpp"
#include "harness/seed_situations.hpp"

namespace tcpfsm::harness {
namespace {

void expect_all_checks_hold(const SeedResult& r) {
  ASSERT_FALSE(r.checks.empty()) << r.name;
  for (const auto& c : r.checks) EXPECT_TRUE(c.holds) << r.name << ": " << c.claim;
  if (!r.passed()) {
    for (const auto& line : r.trace) ADD_FAILURE() << line;
  }
}

// Covers: MUST-13
TEST(SeedSituations, ActiveCloserEndsInTimeWait) {
  expect_all_checks_hold(seed_active_close());
}

TEST(SeedSituations, PassiveCloserGoesCloseWaitLastAckClosedWithoutTimeWait) {
  expect_all_checks_hold(seed_passive_close());
}

TEST(SeedSituations, SimultaneousCloseTakesBothThroughClosingIntoTimeWait) {
  expect_all_checks_hold(seed_simultaneous_close());
}

TEST(SeedSituations, ServerThatLetsClientCloseFirstNeverHoldsTimeWait) {
  expect_all_checks_hold(seed_server_lets_client_close_first());
}

// The checks above must be able to fail: a run in which the roles are swapped (B closes
// first) contradicts the active-close claims about A.
TEST(SeedSituations, RoleClaimsDistinguishTheTwoClosers) {
  Pair pair(Profile{}, SeqNum(1), SeqNum(5000));
  pair.call(Side::A, OpenCall{.passive = true});
  pair.call(Side::B, OpenCall{.passive = false});
  pair.deliver_all();
  pair.call(Side::B, CloseCall{});
  pair.deliver_all();
  pair.call(Side::A, CloseCall{});
  pair.deliver_all();
  EXPECT_TRUE(pair.has_visited(Side::A, State::CloseWait));
  EXPECT_FALSE(pair.has_visited(Side::A, State::TimeWait));
  EXPECT_EQ(pair.endpoint(Side::B).state(), State::TimeWait);
}

// Covers: MUST-10
TEST(SeedSituations, SimultaneousOpenEstablishesBoth) {
  Pair pair(Profile{}, SeqNum(100), SeqNum(0xFFFF'FFFFu));
  pair.call(Side::A, OpenCall{.passive = false});
  pair.call(Side::B, OpenCall{.passive = false});
  pair.deliver_all();
  EXPECT_EQ(pair.endpoint(Side::A).state(), State::Established);
  EXPECT_EQ(pair.endpoint(Side::B).state(), State::Established);
  EXPECT_TRUE(pair.has_visited(Side::A, State::SynReceived));
  EXPECT_TRUE(pair.has_visited(Side::B, State::SynReceived));
}

}  // namespace
}  // namespace tcpfsm::harness
