#pragma once
// Runs a RapidCheck property with this suite's budgets and hands back everything a report of a
// failure needs: the verdict, how many test cases it took, the time to the first failing case,
// RapidCheck's own description of the shrunk counterexample and the RC_PARAMS string that
// replays exactly that case.
//
// Budgets: `cases` test cases normally, `long_cases` when TCPFSM_PROPERTY_LONG=1. RC_PARAMS
// still wins for max_success, seed and reproduce, so a printed reproduce string works as is.
// Seeds: fixed per property in the default run, random in the long run (see CheckOptions).
#include <rapidcheck.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace tcpfsm::prop {

// TCPFSM_PROPERTY_LONG=1 (any value but empty or "0").
bool long_mode();
int case_budget(int default_cases, int long_cases = 100'000);

struct CheckOptions {
  std::string id;  // "Suite/Name": names the property in reproduce strings and file names
  int cases = 2000;
  // The seed. Without one, the default run takes a seed derived from `id`, so that CI runs
  // repeat exactly, and the long run (TCPFSM_PROPERTY_LONG=1) takes RapidCheck's random seed
  // to explore. RC_PARAMS="seed=..." overrides both.
  std::optional<std::uint64_t> seed;
  // Shrinking stops this long after the first failing case (RapidCheck has no limit of its
  // own): later shrink candidates are discarded, so the smallest failure found so far stands.
  double shrink_seconds = 20;
};

// The clock behind CheckOptions::shrink_seconds, shared by the runner and the property.
struct ShrinkBudget {
  std::optional<std::chrono::steady_clock::time_point> deadline;
  bool cut = false;  // a shrink candidate was discarded because the time was up
  void check();      // RC_DISCARD once the deadline has passed
};

struct CheckReport {
  enum class Verdict { Passed, Failed, GaveUp, Error };
  Verdict verdict = Verdict::Error;
  int cases = 0;             // test cases run, a failing one included
  int cases_to_failure = 0;  // the index of the first failing case (0: none failed)
  int shrinks_accepted = 0;  // shrinking steps that kept the failure
  bool shrink_cut = false;   // shrinking was stopped by CheckOptions::shrink_seconds
  double seconds = 0;        // the whole check, shrinking included
  double seconds_to_failure = 0;
  std::uint64_t seed = 0;
  std::string message;    // RapidCheck's report: counterexample, failure description
  std::string reproduce;  // e.g. RC_PARAMS="reproduce=..." (empty unless it failed)

  bool failed() const { return verdict == Verdict::Failed; }
  bool passed() const { return verdict == Verdict::Passed; }
  // One line: verdict, cases, times, seed.
  std::string summary() const;
};

CheckReport run_property(const CheckOptions& options, const rc::detail::Property& property,
                         const std::shared_ptr<ShrinkBudget>& budget);

// `testable` is a callable returning void that uses RapidCheck's generators and assertions.
template <typename Testable>
CheckReport check_property(const CheckOptions& options, Testable&& testable) {
  auto budget = std::make_shared<ShrinkBudget>();
  return run_property(options, rc::detail::toProperty([&testable, budget] {
                        budget->check();
                        testable();
                      }),
                      budget);
}

// Writes `text` to <build>/counterexamples/<name>.tcp and returns the path, or an empty string
// when the file cannot be written.
std::string write_counterexample(const std::string& name, const std::string& text);

}  // namespace tcpfsm::prop
