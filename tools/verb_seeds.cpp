#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cli_verbs.hpp"
#include "harness/script_runner.hpp"
#include "harness/seed_situations.hpp"

namespace tcpfsm::cli {

namespace {

bool wants_help(const Args& args) {
  for (auto a : args) {
    if (a == "--help" || a == "-h") return true;
  }
  return false;
}

void print_seed(const harness::SeedResult& r, bool with_trace) {
  std::printf("== %s: %s\n", r.name.c_str(), r.story.c_str());
  if (with_trace) {
    for (const auto& line : r.ladder) std::printf("   %s\n", line.c_str());
    std::printf("\n");
    for (const auto& line : r.trace) std::printf("   %s\n", line.c_str());
  }
  for (const auto& c : r.checks) {
    std::printf("   [%s] %s\n", c.holds ? "ok" : "FAILED", c.claim.c_str());
  }
  std::printf("\n");
}

}  // namespace

int seeds(const Args& args) {
  if (wants_help(args)) {
    std::puts(
        "usage: tcpfsm seeds [NAME]\n"
        "Plays the seed situations (active-close, passive-close, simultaneous-close,\n"
        "server-lets-client-close) between two reference endpoints A and B and prints every\n"
        "step as STATE --event--> STATE [snd segment] (RFC check). With NAME, only that one.");
    return 0;
  }
  int failed = 0;
  int shown = 0;
  for (const auto& r : harness::run_seed_situations()) {
    if (!args.empty() && args[0] != r.name) continue;
    ++shown;
    print_seed(r, true);
    if (!r.passed()) ++failed;
  }
  if (shown == 0) {
    std::fprintf(stderr, "tcpfsm seeds: no seed situation named '%.*s'\n",
                 static_cast<int>(args[0].size()), args[0].data());
    return 2;
  }
  return failed == 0 ? 0 : 1;
}

namespace {

struct ScenarioTally {
  int passed = 0;
  int failed = 0;
  int unusable = 0;
  std::size_t steps = 0;
  int expectations = 0;
};

// Plays every corpus/scenarios/*.tcp under `root`; prints each failure.
ScenarioTally run_scenario_library(const std::filesystem::path& dir, bool quiet) {
  ScenarioTally t;
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".tcp") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    auto parsed = harness::parse_script(text.str(), f.string());
    if (const auto* err = std::get_if<harness::ParseError>(&parsed)) {
      std::printf("   UNUSABLE %s\n", err->to_string().c_str());
      ++t.unusable;
      continue;
    }
    const auto result = harness::run_script(std::get<harness::Script>(parsed));
    t.steps += result.steps.size();
    t.expectations += result.expectations;
    if (result.passed()) {
      ++t.passed;
      if (!quiet) std::printf("   PASS %s\n", f.filename().string().c_str());
    } else {
      ++t.failed;
      std::printf("   FAIL %s:%d:%d: %s\n", f.string().c_str(), result.failure->pos.line,
                  result.failure->pos.column, result.failure->message.c_str());
    }
  }
  return t;
}

}  // namespace

int verify(const Args& args) {
  if (wants_help(args)) {
    std::puts(
        "usage: tcpfsm verify [--quiet] [--root DIR]\n"
        "The default verification run:\n"
        "  1. the seed situations, played between two reference endpoints (traced unless "
        "--quiet);\n"
        "  2. every scenario of the library DIR/corpus/scenarios/*.tcp (DIR defaults to the\n"
        "     current directory, else the source tree tcpfsm was built from);\n"
        "and one summary line per part and a verdict. Exit status 0 when everything holds.");
    return 0;
  }
  bool quiet = false;
  std::filesystem::path root = ".";
  bool root_given = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--quiet") {
      quiet = true;
    } else if (args[i] == "--root" && i + 1 < args.size()) {
      root = std::filesystem::path(std::string(args[++i]));
      root_given = true;
    } else {
      std::fprintf(stderr, "tcpfsm verify: unknown option '%.*s'\n",
                   static_cast<int>(args[i].size()), args[i].data());
      return 2;
    }
  }
  if (!root_given && !std::filesystem::is_directory(root / "corpus" / "scenarios")) {
    root = TCPFSM_SOURCE_ROOT;
  }
  int seeds_passed = 0;
  int seeds_failed = 0;
  int checks = 0;
  std::printf("== 1. seed situations\n\n");
  for (const auto& r : harness::run_seed_situations()) {
    print_seed(r, !quiet);
    checks += static_cast<int>(r.checks.size());
    if (r.passed()) {
      ++seeds_passed;
    } else {
      ++seeds_failed;
    }
  }
  const auto scenario_dir = root / "corpus" / "scenarios";
  std::printf("== 2. scenario library (%s)\n", scenario_dir.string().c_str());
  const ScenarioTally sc = run_scenario_library(scenario_dir, quiet);
  const bool ok = seeds_failed == 0 && sc.failed == 0 && sc.unusable == 0 && sc.passed > 0;
  std::printf("\n== summary\n");
  std::printf("   seed situations: %d passed, %d failed (%d checks)\n", seeds_passed, seeds_failed,
              checks);
  std::printf(
      "   scenarios:       %d passed, %d failed, %d unusable (%zu steps, %d expectations,\n"
      "                    invariants checked after every step)\n",
      sc.passed, sc.failed, sc.unusable, sc.steps, sc.expectations);
  std::printf("   verdict: %s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}

}  // namespace tcpfsm::cli
