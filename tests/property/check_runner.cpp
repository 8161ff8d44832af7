#include "check_runner.hpp"

#include <rapidcheck/detail/Configuration.h>
#include <rapidcheck/detail/TestListener.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#ifndef TCPFSM_COUNTEREXAMPLE_DIR
#define TCPFSM_COUNTEREXAMPLE_DIR "counterexamples"
#endif

namespace tcpfsm::prop {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// True when RC_PARAMS sets this key ("key=..." at the start or after a space), so that the
// caller's choice stands.
bool rc_params_sets(std::string_view key) {
  const char* env = std::getenv("RC_PARAMS");
  if (env == nullptr) return false;
  const std::string_view params(env);
  for (std::size_t at = params.find(key); at != std::string_view::npos;
       at = params.find(key, at + 1)) {
    const bool starts = at == 0 || params[at - 1] == ' ';
    const bool assigns = at + key.size() < params.size() && params[at + key.size()] == '=';
    if (starts && assigns) return true;
  }
  return false;
}

// Counts test cases and shrinks, notes when the first failing case was seen and starts the
// shrinking clock then.
class Counter final : public rc::detail::TestListener {
 public:
  Counter(Clock::time_point start, ShrinkBudget& budget, double shrink_seconds)
      : start_(start), budget_(budget), shrink_seconds_(shrink_seconds) {}

  void onTestCaseFinished(const rc::detail::CaseDescription& d) override {
    ++cases;
    if (d.result.type == rc::detail::CaseResult::Type::Failure && first_failure == 0) {
      first_failure = cases;
      seconds_to_failure = seconds_since(start_);
      budget_.deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                            std::chrono::duration<double>(shrink_seconds_));
    }
  }
  void onShrinkTried(const rc::detail::CaseDescription&, bool accepted) override {
    if (accepted) ++shrinks_accepted;
  }
  void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}

  int cases = 0;
  int first_failure = 0;
  int shrinks_accepted = 0;
  double seconds_to_failure = 0;

 private:
  Clock::time_point start_;
  ShrinkBudget& budget_;
  double shrink_seconds_;
};

// FNV-1a of the property's id: a fixed seed per property.
std::uint64_t seed_of(std::string_view id) {
  std::uint64_t h = 14695981039346656037ull;
  for (const char c : id) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

std::string verdict_name(CheckReport::Verdict v) {
  switch (v) {
    case CheckReport::Verdict::Passed: return "passed";
    case CheckReport::Verdict::Failed: return "FAILED";
    case CheckReport::Verdict::GaveUp: return "gave up";
    case CheckReport::Verdict::Error: return "error";
  }
  return "?";
}

}  // namespace

void ShrinkBudget::check() {
  if (deadline && Clock::now() > *deadline) {
    cut = true;
    RC_DISCARD("the time for shrinking is up");
  }
}

bool long_mode() {
  const char* v = std::getenv("TCPFSM_PROPERTY_LONG");
  return v != nullptr && *v != '\0' && std::string_view(v) != "0";
}

int case_budget(int default_cases, int long_cases) {
  return long_mode() ? long_cases : default_cases;
}

std::string CheckReport::summary() const {
  char buf[256];
  if (failed()) {
    std::snprintf(buf, sizeof buf,
                  "%s at test case %d after %.2f s (%d shrinks accepted%s, %.2f s in all), seed "
                  "%llu",
                  verdict_name(verdict).c_str(), cases_to_failure, seconds_to_failure,
                  shrinks_accepted, shrink_cut ? ", shrinking stopped by its time budget" : "",
                  seconds, static_cast<unsigned long long>(seed));
  } else {
    std::snprintf(buf, sizeof buf, "%s: %d test cases in %.2f s, seed %llu",
                  verdict_name(verdict).c_str(), cases, seconds,
                  static_cast<unsigned long long>(seed));
  }
  return buf;
}

CheckReport run_property(const CheckOptions& options, const rc::detail::Property& property,
                         const std::shared_ptr<ShrinkBudget>& budget) {
  const rc::detail::Configuration& config = rc::detail::configuration();
  rc::detail::TestParams params = config.testParams;
  if (!rc_params_sets("max_success")) params.maxSuccess = options.cases;
  if (!rc_params_sets("seed")) {
    if (options.seed) {
      params.seed = *options.seed;
    } else if (!long_mode()) {
      params.seed = seed_of(options.id);
    }
  }

  rc::detail::TestMetadata metadata;
  metadata.id = options.id;
  metadata.description = options.id;

  const auto start = Clock::now();
  Counter counter(start, *budget, options.shrink_seconds);
  const rc::detail::TestResult result =
      rc::detail::checkProperty(property, metadata, params, counter, config.reproduce);

  CheckReport report;
  report.seconds = seconds_since(start);
  report.cases = counter.cases;
  report.cases_to_failure = counter.first_failure;
  report.seconds_to_failure = counter.seconds_to_failure;
  report.shrinks_accepted = counter.shrinks_accepted;
  report.shrink_cut = budget->cut;
  report.seed = params.seed;
  std::ostringstream message;
  rc::detail::printResultMessage(result, message);
  report.message = message.str();

  rc::detail::FailureResult failure;
  if (result.match(failure)) {
    report.verdict = CheckReport::Verdict::Failed;
    rc::detail::Configuration replay;
    replay.testParams = params;
    replay.reproduce.emplace(options.id, failure.reproduce);
    report.reproduce = "RC_PARAMS=\"" + rc::detail::configToMinimalString(replay) + "\"";
  } else if (result.template is<rc::detail::SuccessResult>()) {
    report.verdict = CheckReport::Verdict::Passed;
  } else if (result.template is<rc::detail::GaveUpResult>()) {
    report.verdict = CheckReport::Verdict::GaveUp;
  } else {
    report.verdict = CheckReport::Verdict::Error;
  }
  return report;
}

std::string write_counterexample(const std::string& name, const std::string& text) {
  std::error_code ec;
  const std::filesystem::path dir(TCPFSM_COUNTEREXAMPLE_DIR);
  std::filesystem::create_directories(dir, ec);
  std::string file = name;
  for (char& c : file) {
    if (c == '/' || c == ' ' || c == ':') c = '.';
  }
  const std::filesystem::path path = dir / (file + ".tcp");
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return {};
  out << text;
  if (!out) return {};
  return path.string();
}

}  // namespace tcpfsm::prop
