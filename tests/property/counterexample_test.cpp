// The counterexample machinery, tested on endpoints broken on purpose: the properties must fail
// against them, and the script they print must parse, fail again when replayed against the
// broken endpoint, and pass against the reference model.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <variant>

#include "counterexample.hpp"
#include "differential.hpp"
#include "factories.hpp"
#include "harness/script.hpp"
#include "network_property.hpp"

namespace tcpfsm::prop {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The printed script is a canonical script: it parses, and printing what was parsed gives it
// back unchanged.
void expect_canonical(const std::string& text, bool two_endpoints) {
  auto parsed = harness::parse_script(text, "counterexample.tcp");
  ASSERT_TRUE(std::holds_alternative<harness::Script>(parsed))
      << std::get<harness::ParseError>(parsed).to_string() << "\n"
      << text;
  const auto& script = std::get<harness::Script>(parsed);
  EXPECT_EQ(script.two_endpoints, two_endpoints);
  EXPECT_EQ(harness::print_script(script), text);
}

// The file under the build directory holds the script behind a comment header, and it replays
// the same way.
void expect_file(const std::string& path, const std::string& text,
                 harness::EndpointFactory broken) {
  ASSERT_FALSE(path.empty());
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  const std::string file = read_file(path);
  EXPECT_NE(file.find(text), std::string::npos) << file;
  EXPECT_EQ(file.rfind("# Counterexample", 0), 0u) << file;
  EXPECT_FALSE(replay_script(file, broken).passed);
  EXPECT_TRUE(replay_script(file, harness::make_reference_endpoint).passed);
}

TEST(Counterexamples, StatefulFailureBecomesAReplayableOneEndpointScript) {
  const DiffResult r = check_differential(
      {"Counterexamples/StatefulBrokenFinWait2Ack", case_budget(2000, 2000), 4242},
      make_broken_fin_wait_2_ack);
  ASSERT_TRUE(r.report.failed()) << "the broken endpoint was not caught: " << r.report.summary();
  EXPECT_NE(r.report.reproduce.find("reproduce="), std::string::npos) << r.report.reproduce;
  EXPECT_NE(r.report.message.find("Falsifiable"), std::string::npos) << r.report.message;
  ASSERT_FALSE(r.script_text.empty());
  expect_canonical(r.script_text, false);

  const Replay broken = replay_script(r.script_text, make_broken_fin_wait_2_ack);
  EXPECT_TRUE(broken.parsed);
  EXPECT_FALSE(broken.passed) << "the script does not show the failure:\n" << r.script_text;
  const Replay reference = replay_script(r.script_text, harness::make_reference_endpoint);
  EXPECT_TRUE(reference.passed) << reference.message << "\n" << r.script_text;
  expect_file(r.script_path, r.script_text, make_broken_fin_wait_2_ack);

  // Shrinking left a short run: a handshake, a close and the FIN.
  const auto parsed = harness::parse_script(r.script_text, "x");
  const auto& script = std::get<harness::Script>(parsed);
  std::size_t actions = 0;
  for (const auto& l : script.lines) {
    if (std::holds_alternative<harness::InjectLine>(l.line) ||
        std::holds_alternative<harness::CallLine>(l.line) ||
        std::holds_alternative<harness::TimeLine>(l.line) ||
        std::holds_alternative<harness::TimeoutLine>(l.line)) {
      ++actions;
    }
  }
  EXPECT_LE(actions, 12u) << r.script_text;
}

TEST(Counterexamples, NetworkFailureBecomesAReplayableTwoEndpointScript) {
  const NetResult r =
      check_network({"Counterexamples/NetworkBrokenInventingOctet", case_budget(500, 500), 4242},
                    make_broken_inventing_octet);
  ASSERT_TRUE(r.report.failed()) << "the broken pair was not caught: " << r.report.summary();
  EXPECT_NE(r.report.reproduce.find("reproduce="), std::string::npos) << r.report.reproduce;
  ASSERT_FALSE(r.script_text.empty());
  expect_canonical(r.script_text, true);

  const Replay broken = replay_script(r.script_text, make_broken_inventing_octet);
  EXPECT_TRUE(broken.parsed);
  EXPECT_FALSE(broken.passed) << "the script does not show the failure:\n" << r.script_text;
  const Replay reference = replay_script(r.script_text, harness::make_reference_endpoint);
  EXPECT_TRUE(reference.passed) << reference.message << "\n" << r.script_text;
  expect_file(r.script_path, r.script_text, make_broken_inventing_octet);
}

// The comparison is strict about every field: a wrapper that is the reference itself passes.
TEST(Counterexamples, TheReferenceAgainstItselfNeverDiffers) {
  const DiffResult r =
      check_differential({"Counterexamples/ReferenceAgainstItself", case_budget(300, 300), 99},
                         harness::make_reference_endpoint);
  EXPECT_TRUE(r.report.passed()) << r.report.message;
  EXPECT_TRUE(r.script_text.empty());
}

}  // namespace
}  // namespace tcpfsm::prop
