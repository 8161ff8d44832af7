// The scenario library (corpus/scenarios/*.tcp): every script parses, passes against the
// reference model, and produces exactly the trace checked in under corpus/scenarios/golden.
// The scripts are found when the test runs, so a new .tcp file is picked up without touching
// this file. With TCPFSM_UPDATE_GOLDEN=1 in the environment the golden traces are rewritten
// from the current run instead of compared.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "harness/script.hpp"
#include "harness/script_runner.hpp"

namespace fs = std::filesystem;
using tcpfsm::harness::format_ladder;
using tcpfsm::harness::format_trace;
using tcpfsm::harness::parse_script;
using tcpfsm::harness::ParseError;
using tcpfsm::harness::run_script;
using tcpfsm::harness::RunResult;
using tcpfsm::harness::Script;

namespace {

constexpr std::size_t kMinimumScripts = 45;

fs::path source_root() {
  return fs::path(TCPFSM_SOURCE_ROOT);
}
fs::path scenario_dir() {
  return source_root() / "corpus" / "scenarios";
}
fs::path golden_dir() {
  return scenario_dir() / "golden";
}

// Every regular file in `dir` whose name ends in `ext`, sorted by name.
std::vector<fs::path> files_with_extension(const fs::path& dir, const std::string& ext) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec) && entry.path().extension() == ext) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A script of the library; printed by its file name alone in test listings.
struct ScenarioFile {
  fs::path path;
};
void PrintTo(const ScenarioFile& f, std::ostream* os) {
  *os << f.path.filename().string();
}

std::vector<ScenarioFile> scenario_files() {
  std::vector<ScenarioFile> out;
  for (auto& p : files_with_extension(scenario_dir(), ".tcp")) out.push_back({std::move(p)});
  return out;
}

bool read_text(const fs::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::string current;
  for (char c : text) {
    if (c == '\n') {
      if (!current.empty() && current.back() == '\r') current.pop_back();
      lines.push_back(current);
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) lines.push_back(current);
  return lines;
}

// The golden form of a run: the trace, and for two endpoints a blank line and the ladder.
std::vector<std::string> golden_lines(const RunResult& run) {
  std::vector<std::string> lines = format_trace(run);
  if (run.two_endpoints) {
    lines.emplace_back();
    for (auto& l : format_ladder(run)) lines.push_back(std::move(l));
  }
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

bool update_requested() {
  const char* v = std::getenv("TCPFSM_UPDATE_GOLDEN");
  return v != nullptr && std::string(v) == "1";
}

// A GoogleTest name from a file name: letters, digits and '_' only.
std::string sanitize(const std::string& s) {
  std::string out;
  for (unsigned char c : s) out.push_back(std::isalnum(c) != 0 ? static_cast<char>(c) : '_');
  if (out.empty()) out = "unnamed";
  return out;
}

std::string relative_to_root(const fs::path& p) {
  return p.lexically_relative(source_root()).generic_string();
}

class ScenarioTest : public testing::TestWithParam<ScenarioFile> {};

TEST_P(ScenarioTest, PassesAndMatchesGoldenTrace) {
  const fs::path& script_path = GetParam().path;
  const std::string shown = relative_to_root(script_path);
  std::string text;
  ASSERT_TRUE(read_text(script_path, text)) << shown << ": cannot read the file";

  auto parsed = parse_script(text, shown);
  if (const auto* err = std::get_if<ParseError>(&parsed)) FAIL() << err->to_string();
  const Script& script = std::get<Script>(parsed);

  const RunResult run = run_script(script);
  const std::vector<std::string> produced = golden_lines(run);
  if (!run.passed()) {
    FAIL() << shown << ":" << run.failure->pos.line << ":" << run.failure->pos.column << ": "
           << run.failure->message << "\ntrace of the run:\n"
           << join_lines(produced);
  }

  const fs::path golden = golden_dir() / (script_path.stem().string() + ".trace");
  if (update_requested()) {
    std::error_code ec;
    fs::create_directories(golden.parent_path(), ec);
    std::ofstream out(golden, std::ios::binary | std::ios::trunc);
    ASSERT_TRUE(out) << "cannot write " << golden;
    out << join_lines(produced);
    ASSERT_TRUE(out.good()) << "cannot write " << golden;
    return;
  }

  std::string expected_text;
  ASSERT_TRUE(read_text(golden, expected_text))
      << relative_to_root(golden) << " is missing; run with TCPFSM_UPDATE_GOLDEN=1 to create it";
  const std::vector<std::string> expected = split_lines(expected_text);
  const std::size_t common = std::min(expected.size(), produced.size());
  for (std::size_t i = 0; i < common; ++i) {
    if (expected[i] != produced[i]) {
      FAIL() << relative_to_root(golden) << ":" << (i + 1) << ": the trace differs\n"
             << "  golden:   " << expected[i] << "\n"
             << "  produced: " << produced[i] << "\n"
             << "(TCPFSM_UPDATE_GOLDEN=1 rewrites the golden file if the change is intended)";
    }
  }
  if (expected.size() != produced.size()) {
    const bool golden_longer = expected.size() > produced.size();
    FAIL() << relative_to_root(golden) << ":" << (common + 1) << ": the golden trace has "
           << expected.size() << " lines, the run produced " << produced.size() << "; first "
           << (golden_longer ? "line only in the golden file: " : "line only in the run: ")
           << (golden_longer ? expected[common] : produced[common]);
  }
}

std::string test_name(const testing::TestParamInfo<ScenarioFile>& info) {
  // File names are unique in one directory, but two could sanitize to the same name; the
  // index keeps such names apart.
  static std::set<std::string> used;
  static std::vector<std::string> names;
  if (info.index < names.size()) return names[info.index];
  std::string name = sanitize(info.param.path.stem().string());
  if (!used.insert(name).second) {
    name += "_" + std::to_string(info.index);
    used.insert(name);
  }
  names.push_back(name);
  return name;
}

INSTANTIATE_TEST_SUITE_P(Corpus, ScenarioTest, testing::ValuesIn(scenario_files()), test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ScenarioTest);

TEST(ScenarioLibrary, HasAtLeast45Scripts) {
  const auto scripts = scenario_files();
  EXPECT_GE(scripts.size(), kMinimumScripts)
      << "found " << scripts.size() << " scripts in " << scenario_dir();
}

TEST(ScenarioLibrary, EveryGoldenTraceHasAScript) {
  for (const fs::path& golden : files_with_extension(golden_dir(), ".trace")) {
    const fs::path script = scenario_dir() / (golden.stem().string() + ".tcp");
    EXPECT_TRUE(fs::is_regular_file(script))
        << relative_to_root(golden) << " has no script " << relative_to_root(script);
  }
}

TEST(ScenarioLibrary, GoldenDirectoryHoldsOnlyTraces) {
  std::error_code ec;
  if (!fs::is_directory(golden_dir(), ec)) GTEST_SKIP() << "no golden directory yet";
  for (const auto& entry : fs::directory_iterator(golden_dir(), ec)) {
    EXPECT_EQ(entry.path().extension(), ".trace")
        << relative_to_root(entry.path()) << " is not a golden trace";
  }
}

}  // namespace
