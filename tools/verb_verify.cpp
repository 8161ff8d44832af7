// `tcpfsm verify`: the main job. It runs a short version of every kind of check the project
// has, from the textbook closes to a real kernel, and ends with one summary:
//   1. the seed situations between two reference endpoints (traced unless --quiet);
//   2. the scenario library, with the reference and with the optimized implementation;
//   3. the RapidCheck properties (model vs implementation, networks with faults, mutants);
//   4. exhaustive exploration of the smallest bounded worlds;
//   5. conformance: the recorded Linux cases replayed on both implementations, and the
//      scenario library run on this machine's kernel when root and /dev/net/tun allow it;
//   6. a short libFuzzer run of every target when a fuzz build exists, else a replay of the
//      fuzz corpora through the targets' oracles.
// Parts that cannot run here (a build that lacks them, no root) say so and why; they are
// counted as skipped, never as passed.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli_files.hpp"
#include "cli_verbs.hpp"
#include "harness/conformance.hpp"
#include "harness/explorer.hpp"
#include "harness/script_runner.hpp"
#include "harness/seed_situations.hpp"

namespace tcpfsm::cli {

namespace {

namespace fs = std::filesystem;
namespace cf = harness::conformance;

enum class Verdict { Pass, Fail, Skipped };

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::Pass: return "PASS";
    case Verdict::Fail: return "FAIL";
    case Verdict::Skipped: return "SKIPPED";
  }
  return "?";
}

// One line of the summary.
struct PartResult {
  std::string name;
  Verdict verdict = Verdict::Pass;
  std::string detail;
};

struct VerifyOptions {
  bool quiet = false;
  fs::path root = ".";
  std::optional<fs::path> fuzz_build;
  int fuzz_seconds = 10;
  int property_cases = 0;  // 0: each suite's own budget (2,000 cases per property)
  bool kernel = true;
};

std::vector<fs::path> files_with_extension(const fs::path& dir, std::string_view ext) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ext) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

struct CommandResult {
  int status = -1;  // the exit status, or -1 when it did not exit normally
  std::string output;
};

// Runs a shell command with stdout and stderr captured together.
CommandResult run_captured(const std::string& command) {
  CommandResult r;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
  const int raw = ::pclose(pipe);
  if (raw != -1 && WIFEXITED(raw)) r.status = WEXITSTATUS(raw);
  return r;
}

// The last `lines` lines of a command's output, indented, for a failure report.
void print_tail(const std::string& output, int lines) {
  std::vector<std::string> all;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) all.push_back(line);
  const std::size_t from = all.size() > static_cast<std::size_t>(lines) ? all.size() - lines : 0;
  for (std::size_t i = from; i < all.size(); ++i) std::printf("      %s\n", all[i].c_str());
}

std::string with_commas(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// --- 1. seed situations ---------------------------------------------------------------------

PartResult seed_situations(const VerifyOptions& o) {
  int passed = 0, failed = 0, checks = 0;
  for (const auto& r : harness::run_seed_situations()) {
    print_seed(r, !o.quiet);
    checks += static_cast<int>(r.checks.size());
    (r.passed() ? passed : failed) += 1;
  }
  return {"seed situations", failed == 0 && passed > 0 ? Verdict::Pass : Verdict::Fail,
          std::to_string(passed) + " passed, " + std::to_string(failed) + " failed (" +
              std::to_string(checks) + " checks)"};
}

// --- 2. scenario library ----------------------------------------------------------------------

struct ScenarioTally {
  int passed = 0, failed = 0, unusable = 0;
  std::size_t steps = 0;
  int expectations = 0;
};

ScenarioTally run_library(const std::vector<fs::path>& files, harness::EndpointFactory factory,
                          const char* who, bool quiet) {
  ScenarioTally t;
  for (const auto& f : files) {
    const auto text = read_file(f.string());
    auto parsed = harness::parse_script(text.value_or(""), f.string());
    if (const auto* err = std::get_if<harness::ParseError>(&parsed)) {
      std::printf("   UNUSABLE %s\n", err->to_string().c_str());
      ++t.unusable;
      continue;
    }
    harness::RunOptions options;
    options.factory = factory;
    const auto result = harness::run_script(std::get<harness::Script>(parsed), options);
    t.steps += result.steps.size();
    t.expectations += result.expectations;
    if (result.passed()) {
      ++t.passed;
      if (!quiet) std::printf("   PASS (%s) %s\n", who, f.filename().string().c_str());
    } else {
      ++t.failed;
      std::printf("   FAIL (%s) %s:%d:%d: %s\n", who, f.string().c_str(), result.failure->pos.line,
                  result.failure->pos.column, result.failure->message.c_str());
    }
  }
  return t;
}

PartResult scenario_library(const VerifyOptions& o) {
  const auto dir = o.root / "corpus" / "scenarios";
  std::printf("== 2. scenario library (%s)\n", dir.string().c_str());
  const auto files = files_with_extension(dir, ".tcp");
  const auto ref = run_library(files, harness::make_reference_endpoint, "reference", o.quiet);
  const auto opt = run_library(files, harness::make_optimized_endpoint, "optimized", o.quiet);
  const bool ok = !files.empty() && ref.failed + ref.unusable + opt.failed + opt.unusable == 0;
  std::printf("\n");
  return {"scenarios", ok ? Verdict::Pass : Verdict::Fail,
          std::to_string(ref.passed) + "/" + std::to_string(files.size()) +
              " with the reference, " + std::to_string(opt.passed) + "/" +
              std::to_string(files.size()) + " with the optimized implementation (" +
              std::to_string(ref.steps) + " steps, " + std::to_string(ref.expectations) +
              " expectations each; invariants after every step)"};
}

// --- 3. properties ------------------------------------------------------------------------------

// The number after "[  PASSED  ] " in a GoogleTest run's output.
int gtest_passed(const std::string& out) {
  const auto at = out.rfind("[  PASSED  ] ");
  if (at == std::string::npos) return 0;
  return std::atoi(out.c_str() + at + 13);
}

PartResult properties(const VerifyOptions& o) {
  const std::string budget = o.property_cases > 0 ? std::to_string(o.property_cases) : "2000";
  std::printf("== 3. properties (RapidCheck, %s cases per property)\n", budget.c_str());
  const fs::path dir = fs::path(TCPFSM_BINARY_DIR) / "tests" / "property";
  // The stateful model-vs-implementation test, the network properties and the mutant zoo.
  const std::array<const char*, 3> suites = {"property_stateful_tests", "property_network_tests",
                                             "property_mutant_zoo_tests"};
  int tests = 0;
  std::vector<std::string> failed;
  for (const char* suite : suites) {
    const fs::path bin = dir / suite;
    if (!fs::exists(bin)) {
      return {"properties", Verdict::Skipped,
              std::string(suite) + " is not built (" + bin.string() + "); build the dev preset"};
    }
    // A smaller budget may leave a coverage test short of its situations; that is its verdict.
    const std::string params =
        o.property_cases > 0
            ? "RC_PARAMS=" + shell_quote("max_success=" + std::to_string(o.property_cases)) + " "
            : std::string();
    const auto r = run_captured(params + shell_quote(bin.string()));
    const int passed = gtest_passed(r.output);
    tests += passed;
    std::printf("   %s %s: %d tests passed\n", r.status == 0 ? "PASS" : "FAIL", suite, passed);
    if (r.status != 0) {
      failed.push_back(suite);
      print_tail(r.output, 40);
    }
  }
  std::printf("\n");
  if (!failed.empty()) return {"properties", Verdict::Fail, "failed: " + failed.front()};
  return {"properties", Verdict::Pass,
          std::to_string(tests) +
              " property tests (reference vs optimized, networks with faults, every mutant "
              "caught), " +
              budget + " cases each"};
}

// --- 4. exploration -----------------------------------------------------------------------------

PartResult exploration(const VerifyOptions& o) {
  std::printf("== 4. exhaustive exploration (optimized implementation, reference as oracle)\n");
  const std::array<const char*, 2> configs = {"handshake", "simultaneous"};
  std::string detail;
  bool ok = true;
  for (const char* name : configs) {
    const fs::path file = o.root / "corpus" / "explore" / (std::string(name) + ".explore");
    const auto text = read_file(file.string());
    if (!text) return {"exploration", Verdict::Fail, "cannot read " + file.string()};
    auto parsed = harness::parse_explore_config(*text, file.string());
    if (auto* msg = std::get_if<std::string>(&parsed)) {
      return {"exploration", Verdict::Fail, *msg};
    }
    const auto r = harness::explore(std::get<harness::ExploreConfig>(parsed));
    const bool clean = r.complete && r.violations == 0;
    ok = ok && clean;
    std::printf("   %s %s: %s states, %s transitions, depth %u, %.1f s, %zu violations%s\n",
                clean ? "PASS" : "FAIL", name, with_commas(r.states).c_str(),
                with_commas(r.transitions).c_str(), r.depth, r.seconds,
                static_cast<std::size_t>(r.violations),
                r.liveness_checked ? ", every state can still close" : "");
    for (const auto& c : r.counterexamples) {
      std::printf("   %s: %s\n%s\n", std::string(harness::to_string(c.kind)).c_str(),
                  c.message.c_str(), c.text.c_str());
    }
    if (!detail.empty()) detail += ", ";
    detail += std::string(name) + " " + with_commas(r.states) + " states";
  }
  std::printf("\n");
  return {"exploration", ok ? Verdict::Pass : Verdict::Fail,
          detail + ": every state explored, no invariant broken, no disagreement, no stuck state"};
}

// --- 5. conformance -----------------------------------------------------------------------------

PartResult recorded_cases(const VerifyOptions& o) {
  cf::Summary ref, opt;
  int dirs = 0;
  std::error_code ec;
  const fs::path base = o.root / "corpus" / "conformance";
  std::vector<fs::path> case_dirs;
  for (const auto& entry : fs::directory_iterator(base, ec)) {
    if (entry.is_directory()) case_dirs.push_back(entry.path());
  }
  std::sort(case_dirs.begin(), case_dirs.end());
  for (const auto& dir : case_dirs) {
    auto loaded = cf::load_cases(dir.string());
    if (auto* msg = std::get_if<std::string>(&loaded)) {
      return {"recorded cases", Verdict::Fail, *msg};
    }
    ++dirs;
    for (const auto& c : std::get<std::vector<cf::Case>>(loaded)) {
      const auto r = cf::replay(c, Profile::linux(), harness::make_reference_endpoint);
      const auto s = cf::replay(c, Profile::linux(), harness::make_optimized_endpoint);
      ref.add(r);
      opt.add(s);
      if (!r.matched() || !s.matched()) {
        std::printf("   MISMATCH %s (%s)\n", c.name.c_str(),
                    !r.matched() ? "reference" : "optimized");
      }
    }
  }
  const bool ok = ref.cases > 0 && ref.cases == ref.cases_matched && opt.cases == opt.cases_matched;
  const std::string detail = std::to_string(ref.cases_matched) + "/" + std::to_string(ref.cases) +
                             " recorded Linux cases (" + std::to_string(dirs) +
                             " recordings) match the linux profile, reference; " +
                             std::to_string(opt.cases_matched) + "/" + std::to_string(opt.cases) +
                             " optimized";
  std::printf("   %s %s\n", ok ? "PASS" : "FAIL", detail.c_str());
  return {"conformance (recorded)", ok ? Verdict::Pass : Verdict::Fail, detail};
}

PartResult kernel_conformance(const VerifyOptions& o) {
  if (!o.kernel) return {"conformance (kernel)", Verdict::Skipped, "--no-kernel"};
  std::vector<std::string> args;
  for (const auto& f : files_with_extension(o.root / "corpus" / "scenarios", ".tcp")) {
    args.push_back(shell_quote(f.string()));
  }
  std::string command =
      shell_quote(fs::read_symlink("/proc/self/exe").string()) + " conform --against linux --json";
  for (const auto& a : args) command += " " + a;
  const auto r = run_captured(command);
  if (r.status == 77) {
    // The reason is the last line tcpfsm conform wrote.
    std::string why = r.output;
    while (!why.empty() && why.back() == '\n') why.pop_back();
    why = why.substr(why.rfind('\n') == std::string::npos ? 0 : why.rfind('\n') + 1);
    std::printf("   SKIPPED kernel runs: %s\n", why.c_str());
    return {"conformance (kernel)", Verdict::Skipped, why};
  }
  // The JSON summary is the last line that starts with '{'.
  const auto at = r.output.rfind("\n{");
  const std::string json_text = at == std::string::npos ? r.output : r.output.substr(at + 1);
  const auto j = nlohmann::json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.contains("cases")) {
    std::printf("   FAIL kernel runs: no summary from tcpfsm conform (exit %d)\n", r.status);
    print_tail(r.output, 20);
    return {"conformance (kernel)", Verdict::Fail, "tcpfsm conform --against linux failed"};
  }
  const int cases = j.value("cases", 0), matched = j.value("cases_matched", 0);
  const int steps = j.value("steps", 0), steps_matched = j.value("steps_matched", 0);
  const bool ok = r.status == 0 && cases > 0 && cases == matched;
  if (!ok) print_tail(r.output, 40);
  const std::string detail = std::to_string(matched) + "/" + std::to_string(cases) +
                             " library scenarios behave on this kernel as the linux profile "
                             "predicts (" +
                             std::to_string(steps_matched) + "/" + std::to_string(steps) +
                             " steps)";
  std::printf("   %s %s\n", ok ? "PASS" : "FAIL", detail.c_str());
  return {"conformance (kernel)", ok ? Verdict::Pass : Verdict::Fail, detail};
}

// --- 6. fuzzing
// -----------------------------------------------------------------------------------

std::uint64_t executed_units(const std::string& out) {
  const std::string key = "stat::number_of_executed_units:";
  const auto at = out.rfind(key);
  if (at == std::string::npos) return 0;
  return std::strtoull(out.c_str() + at + key.size(), nullptr, 10);
}

PartResult fuzzing(const VerifyOptions& o) {
  const std::array<const char*, 3> targets = {"fuzz_differential", "fuzz_network", "fuzz_script"};
  const fs::path work =
      fs::temp_directory_path() / ("tcpfsm-verify-fuzz-" + std::to_string(::getpid()));
  const bool libfuzzer = o.fuzz_build && fs::exists(*o.fuzz_build / "fuzz" / "fuzz_differential");
  std::string detail;
  bool ok = true;
  if (libfuzzer) {
    std::printf("== 6. fuzzing (libFuzzer, %d s per target, build %s)\n", o.fuzz_seconds,
                o.fuzz_build->string().c_str());
    std::uint64_t total = 0;
    for (const char* t : targets) {
      const auto r =
          run_captured("TCPFSM_FUZZ_SECONDS=" + std::to_string(o.fuzz_seconds) + " bash " +
                       shell_quote((o.root / "fuzz" / "run_target.sh").string()) + " " +
                       shell_quote((*o.fuzz_build / "fuzz" / t).string()) + " " + t + " " +
                       shell_quote(o.root.string()) + " " + shell_quote(work.string()) + " clean");
      const auto execs = executed_units(r.output);
      total += execs;
      std::printf("   %s %s: %s executions, %s\n", r.status == 0 ? "PASS" : "FAIL", t,
                  with_commas(execs).c_str(), r.status == 0 ? "no finding" : "FINDING");
      if (r.status != 0) {
        ok = false;
        print_tail(r.output, 40);
      }
    }
    detail = std::to_string(targets.size()) + " targets, " + std::to_string(o.fuzz_seconds) +
             " s each, " + with_commas(total) + " executions, " +
             (ok ? "no finding" : "FINDINGS (see above)");
  } else {
    std::printf("== 6. fuzzing: no libFuzzer build (%s); replaying the fuzz corpora instead\n",
                o.fuzz_build ? o.fuzz_build->string().c_str() : "none given");
    const fs::path bin_dir = fs::path(TCPFSM_BINARY_DIR) / "fuzz";
    for (const char* t : targets) {
      const fs::path bin = bin_dir / (std::string(t) + "_replay");
      std::string command = shell_quote(bin.string()) + " --ignore-suffix .tcp " +
                            shell_quote((o.root / "corpus" / t).string());
      const fs::path regressions = o.root / "corpus" / "regressions" / t;
      if (fs::exists(regressions)) command += " " + shell_quote(regressions.string());
      const auto r = run_captured(command);
      std::printf("   %s %s\n", r.status == 0 ? "PASS" : "FAIL", t);
      if (r.status != 0) {
        ok = false;
        print_tail(r.output, 40);
      }
    }
    detail =
        "corpora replayed through the oracles (no libFuzzer build: bash "
        "tools/bootstrap.sh run builds one)";
  }
  std::error_code ec;
  fs::remove_all(work, ec);
  std::printf("\n");
  return {"fuzzing", ok ? Verdict::Pass : Verdict::Fail, detail};
}

std::optional<VerifyOptions> parse_options(const Args& args) {
  VerifyOptions o;
  bool root_given = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--quiet") {
      o.quiet = true;
    } else if (a == "--no-kernel") {
      o.kernel = false;
    } else if (a == "--root" && has_value) {
      o.root = std::string(args[++i]);
      root_given = true;
    } else if (a == "--fuzz-build" && has_value) {
      o.fuzz_build = fs::path(std::string(args[++i]));
    } else if (a == "--fuzz-seconds" && has_value) {
      o.fuzz_seconds = std::max(1, std::atoi(std::string(args[++i]).c_str()));
    } else if (a == "--property-cases" && has_value) {
      o.property_cases = std::max(1, std::atoi(std::string(args[++i]).c_str()));
    } else {
      std::fprintf(stderr, "tcpfsm verify: unknown option or missing value: '%.*s'\n",
                   static_cast<int>(a.size()), a.data());
      return std::nullopt;
    }
  }
  if (!root_given && !fs::is_directory(o.root / "corpus" / "scenarios")) {
    o.root = TCPFSM_SOURCE_ROOT;
  }
  o.root = fs::absolute(o.root);
  if (!o.fuzz_build) {
    if (const char* env = std::getenv("TCPFSM_FUZZ_BUILD"); env != nullptr && *env != '\0') {
      o.fuzz_build = fs::path(env);
    } else if (fs::exists(o.root / "build" / "fuzz" / "fuzz" / "fuzz_differential")) {
      o.fuzz_build = o.root / "build" / "fuzz";
    }
  }
  return o;
}

constexpr const char* kUsage =
    "usage: tcpfsm verify [--quiet] [--root DIR] [--fuzz-build DIR] [--fuzz-seconds N]\n"
    "                     [--property-cases N] [--no-kernel]\n"
    "The default verification run, ending with one summary:\n"
    "  1. the seed situations between two reference endpoints (traced unless --quiet);\n"
    "  2. the scenario library DIR/corpus/scenarios with the reference and the optimized\n"
    "     implementation (DIR: the current directory, else the source tree tcpfsm came from);\n"
    "  3. the RapidCheck property suites of this build, N cases per property (2000);\n"
    "  4. exhaustive exploration of corpus/explore/handshake and simultaneous;\n"
    "  5. the recorded Linux conformance cases on both implementations, and the scenario\n"
    "     library on this machine's kernel (root and /dev/net/tun; else skipped);\n"
    "  6. each fuzz target for N seconds (10) from a libFuzzer build (--fuzz-build, else\n"
    "     $TCPFSM_FUZZ_BUILD, else DIR/build/fuzz), or without one a replay of the corpora.\n"
    "Exit status 0 when nothing failed (skipped parts are listed), 1 otherwise, 2 bad usage.";

}  // namespace

int verify(const Args& args) {
  for (std::string_view a : args) {
    if (a == "--help" || a == "-h") {
      std::puts(kUsage);
      return 0;
    }
  }
  const auto o = parse_options(args);
  if (!o) {
    std::fputs(kUsage, stderr);
    std::fputc('\n', stderr);
    return 2;
  }
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<PartResult> parts;
  std::printf("== 1. seed situations\n\n");
  parts.push_back(seed_situations(*o));
  parts.push_back(scenario_library(*o));
  parts.push_back(properties(*o));
  parts.push_back(exploration(*o));
  std::printf("== 5. conformance with Linux\n");
  parts.push_back(recorded_cases(*o));
  parts.push_back(kernel_conformance(*o));
  std::printf("\n");
  parts.push_back(fuzzing(*o));

  int failed = 0, skipped = 0;
  std::printf("== summary\n");
  for (const auto& p : parts) {
    std::printf("   %-24s %-7s %s\n", (p.name + ":").c_str(), to_string(p.verdict),
                p.detail.c_str());
    failed += p.verdict == Verdict::Fail;
    skipped += p.verdict == Verdict::Skipped;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("   verdict: %s (%zu parts: %zu passed, %d failed, %d skipped; %.0f s)\n",
              failed == 0 ? "PASS" : "FAIL", parts.size(),
              parts.size() - static_cast<std::size_t>(failed + skipped), failed, skipped, seconds);
  return failed == 0 ? 0 : 1;
}

}  // namespace tcpfsm::cli
