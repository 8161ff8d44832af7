// The script runner's judgement of two-endpoint runs into which the script injects segments.
#include <gtest/gtest.h>

#include "harness/script_runner.hpp"

namespace tcpfsm::harness {
namespace {

RunResult run_text(const std::string& text) {
  auto parsed = parse_script(text, "inline.tcp");
  const auto* script = std::get_if<Script>(&parsed);
  EXPECT_NE(script, nullptr);
  return script != nullptr ? run_script(*script) : RunResult{};
}

// A segment injected at A is a forgery: A delivers octets B's user never sent, which breaks
// the network-level data-safety invariant by construction. After a forgery only each endpoint's
// own invariants are checked, as the fuzz_network target does.
TEST(ScriptRunner, AForgeryLiftsTheNetworkLevelInvariantsOnly) {
  const auto r = run_text(
      "endpoints A B\n"
      "B open passive\n"
      "A open active\n"
      "deliver all\n"
      "A state ESTABLISHED\n"
      "B state ESTABLISHED\n"
      "A receive\n"
      "A < . 1:9(8) ack 1 win 1000\n"
      "A => delivered 8\n");
  ASSERT_TRUE(r.passed()) << r.failure->message;
}

// Before any forgery the network-level invariants hold a two-endpoint run to account: the same
// octets, claimed as delivered by an expectation, are not there without the injection.
TEST(ScriptRunner, WithoutAForgeryNothingIsDelivered) {
  const auto r = run_text(
      "endpoints A B\n"
      "B open passive\n"
      "A open active\n"
      "deliver all\n"
      "A receive\n"
      "A => delivered 8\n");
  EXPECT_FALSE(r.passed());
}

}  // namespace
}  // namespace tcpfsm::harness
