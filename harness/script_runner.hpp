#pragma once
// Plays a .tcp script against an implementation and judges it: every expectation line, and
// the invariant catalogue after every step. A run stops at the first failure, which names the
// script line and says what was expected and what happened.
#include <optional>
#include <string>
#include <vector>

#include "harness/endpoint_under_test.hpp"
#include "harness/network.hpp"
#include "harness/observer.hpp"
#include "harness/script.hpp"

namespace tcpfsm::harness {

struct RunOptions {
  EndpointFactory factory = make_reference_endpoint;
  bool check_invariants = true;
  std::vector<RunObserver*> extra_observers;
};

struct RunFailure {
  SourcePos pos;
  std::string message;
};

struct RunResult {
  bool two_endpoints = false;
  std::vector<StepRecord> steps;  // every step of every endpoint, in order
  std::vector<WireEvent> wire;    // what crossed the network (two endpoints), or the
                                  // segments injected and sent (one endpoint)
  std::vector<int> step_lines;    // the script line that caused each step
  std::optional<RunFailure> failure;
  int expectations = 0;  // expectation lines that held
  std::uint32_t iss_a = 0, iss_b = 0;

  bool passed() const { return !failure.has_value(); }
};

RunResult run_script(const Script& script, const RunOptions& options = {});

// One line per step in RFC vocabulary (see trace.hpp), with the time and, for two endpoints,
// which endpoint acted.
std::vector<std::string> format_trace(const RunResult& r);
// The two-endpoint run as a ladder: A's state | arrows | B's state.
std::vector<std::string> format_ladder(const RunResult& r);

}  // namespace tcpfsm::harness
