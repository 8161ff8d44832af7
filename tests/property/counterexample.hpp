#pragma once
// Counterexamples as .tcp scripts: written under the build directory with a comment header
// that says what failed and how to replay it, and replayed through run_script to check that
// the script really shows the failure.
#include <cstddef>
#include <string>
#include <vector>

#include "harness/endpoint_under_test.hpp"
#include "harness/observer.hpp"

namespace tcpfsm::prop {

// Stops a run that does not end (an exchange of segments that feeds itself, an ACK war): after
// `max_steps` endpoint steps, or with more than `max_in_flight` segments in flight, it throws
// Runaway out of the run.
class StepLimit final : public harness::RunObserver {
 public:
  struct Runaway {
    std::string what;
  };
  StepLimit(std::size_t max_steps, std::size_t max_in_flight)
      : max_steps_(max_steps), max_in_flight_(max_in_flight) {}
  std::vector<harness::Violation> on_step(const harness::StepRecord& step,
                                          const harness::WorldView& world) override;

 private:
  std::size_t max_steps_;
  std::size_t max_in_flight_;
  std::size_t steps_ = 0;
};

// A generated network run takes a few hundred steps (the longest seen: a few thousand).
inline constexpr std::size_t kMaxStepsPerRun = 20'000;
inline constexpr std::size_t kMaxInFlight = 500;

struct Replay {
  bool parsed = false;
  bool passed = false;
  std::string message;  // the parse error, or the run's first failure ("line N: ...")
};

// Parses `text` and plays it with run_script against `factory` (invariants checked, and a
// StepLimit with the limits above).
Replay replay_script(const std::string& text, harness::EndpointFactory factory);

struct Published {
  std::string path;  // <build>/counterexamples/<id>.tcp, empty if it could not be written
  std::string text;  // the file: a comment header, then the script
};

// Writes `script_text` behind a comment header (what failed, how to replay it) to
// <build>/counterexamples/<id>.tcp and prints the file and its path to stdout.
// `expectations`: the script states what the reference does (one-endpoint counterexamples).
Published publish_counterexample(const std::string& id, const std::string& what,
                                 const std::string& reproduce, const std::string& script_text,
                                 bool expectations);

}  // namespace tcpfsm::prop
