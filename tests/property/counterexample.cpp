#include "counterexample.hpp"

#include <iostream>
#include <sstream>
#include <variant>

#include "check_runner.hpp"
#include "harness/script.hpp"
#include "harness/script_runner.hpp"

namespace tcpfsm::prop {

std::vector<harness::Violation> StepLimit::on_step(const harness::StepRecord& step,
                                                   const harness::WorldView& world) {
  if (++steps_ > max_steps_) {
    throw Runaway{"the run did not end: more than " + std::to_string(max_steps_) +
                  " endpoint steps (the last at " + std::to_string(step.now) + " ms)"};
  }
  const std::size_t in_flight = world.in_flight_to_a + world.in_flight_to_b;
  if (in_flight > max_in_flight_) {
    throw Runaway{"the run did not end: " + std::to_string(in_flight) +
                  " segments in flight after step " + std::to_string(steps_) + " at " +
                  std::to_string(step.now) + " ms"};
  }
  return {};
}

Replay replay_script(const std::string& text, harness::EndpointFactory factory) {
  Replay r;
  auto parsed = harness::parse_script(text, "counterexample.tcp");
  if (const auto* err = std::get_if<harness::ParseError>(&parsed)) {
    r.message = err->to_string();
    return r;
  }
  r.parsed = true;
  StepLimit limit(kMaxStepsPerRun, kMaxInFlight);
  harness::RunOptions options;
  options.factory = factory;
  options.extra_observers.push_back(&limit);
  harness::RunResult result;
  try {
    result = harness::run_script(std::get<harness::Script>(parsed), options);
  } catch (const StepLimit::Runaway& runaway) {
    r.message = runaway.what;
    return r;
  }
  r.passed = result.passed();
  if (!r.passed) {
    r.message = "line " + std::to_string(result.failure->pos.line) + ": " + result.failure->message;
  }
  return r;
}

Published publish_counterexample(const std::string& id, const std::string& what,
                                 const std::string& reproduce, const std::string& script_text,
                                 bool expectations) {
  std::ostringstream header;
  header << "# Counterexample of the property " << id << ", shrunk by RapidCheck.\n";
  std::istringstream lines(what);
  for (std::string line; std::getline(lines, line);) header << "#   " << line << "\n";
  if (expectations) {
    header << "# Every expectation line states what the reference model does.\n";
  } else {
    header << "# Replaying it checks the invariant catalogue after every step.\n";
  }
  header << "# Replay: tcpfsm run --trace <this file> (against the reference model), or rerun\n"
         << "# the test with " << reproduce << "\n";
  Published p;
  p.text = header.str() + script_text;
  p.path = write_counterexample(id, p.text);
  std::cout << "---- counterexample script (" << (p.path.empty() ? "NOT WRITTEN" : p.path)
            << ") ----\n"
            << p.text << "---- end of counterexample script ----\n";
  return p;
}

}  // namespace tcpfsm::prop
