#pragma once
// The stateful differential property (RapidCheck's rc::state): the reference endpoint is the
// Model, the implementation under test the Sut. Each command is one event kind (OPEN, SEND,
// RECEIVE, CLOSE, ABORT, STATUS, a segment aimed at the edges of the windows, the segment a
// well-behaved peer would send next, a timer, time passing). Its numbers are symbolic
// ("SEQ=RCV.NXT+RCV.WND") and take their values from the model when the command runs, so a
// command keeps its meaning when shrinking removes the ones before it.
//
// After every command the two must agree on the state, every segment sent (all fields), the
// notices, the TcbSnapshot and the timers (next_timer() and every deadline). The Outcome's
// rule is not compared: it explains a step, it is not behaviour.
//
// Every run is recorded, so a failing run can be printed as a one-endpoint .tcp script in
// which the script plays the peer and every line states what the reference did.
#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "check_runner.hpp"
#include "core/event.hpp"
#include "core/outcome.hpp"
#include "core/tcb_snapshot.hpp"
#include "coverage.hpp"
#include "harness/endpoint_under_test.hpp"
#include "harness/script.hpp"
#include "profiles.hpp"
#include "step_view.hpp"

namespace tcpfsm::prop {

struct DiffSetup {
  ProfileChoice profile;
  std::uint32_t iss = 100;       // the endpoint's first ISS
  std::uint32_t peer_iss = 300;  // the ISS of the peer the commands play
};

// Owns an endpoint and copies it through clone(), so that a model holding one is a value.
class EndpointBox {
 public:
  explicit EndpointBox(std::unique_ptr<harness::EndpointUnderTest> ep) : ep_(std::move(ep)) {}
  EndpointBox(const EndpointBox& other) : ep_(other.ep_->clone()) {}
  EndpointBox& operator=(const EndpointBox& other) {
    if (this != &other) ep_ = other.ep_->clone();
    return *this;
  }
  EndpointBox(EndpointBox&&) noexcept = default;
  EndpointBox& operator=(EndpointBox&&) noexcept = default;
  ~EndpointBox() = default;

  harness::EndpointUnderTest& operator*() const { return *ep_; }
  harness::EndpointUnderTest* operator->() const { return ep_.get(); }

 private:
  std::unique_ptr<harness::EndpointUnderTest> ep_;
};

struct DiffModel {
  EndpointBox ep;
  Millis now = 0;
  std::shared_ptr<const DiffSetup> setup;
};

struct DiffSut {
  std::unique_ptr<harness::EndpointUnderTest> ep;
  Millis now = 0;
  Transcript transcript;
  std::string failure;  // what differed, once something did
};

using DiffCommand = rc::state::Command<DiffModel, DiffSut>;

// A command for the model's state, weighted so that handshakes complete and closes happen.
rc::Gen<std::shared_ptr<const DiffCommand>> gen_command(const DiffModel& model);

struct DiffFailure {
  DiffSetup setup;
  Transcript transcript;
  std::string failure;
};

// The body of the property: one generated setup and command sequence against `sut_factory`.
// The last failing run is kept in `last_failure` (shrinking ends on the smallest one).
void differential_property(harness::EndpointFactory sut_factory, Coverage* coverage,
                           std::optional<DiffFailure>* last_failure);

// A failing run as a one-endpoint script: every number absolute, every segment the reference
// sent as a `>` line with all its fields, then `> none`, the state, the notices and the TCB.
harness::Script transcript_script(const DiffSetup& setup, const Transcript& run);

struct DiffResult {
  CheckReport report;
  Coverage coverage;
  std::string script_text;  // the counterexample (canonical print_script form); empty if none
  std::string script_path;  // where it was written
};

// Runs the property, and on failure prints RapidCheck's report, the reproduce string and the
// counterexample script (also written under the build directory), and replays that script
// against the reference and against `sut_factory`.
DiffResult check_differential(const CheckOptions& options, harness::EndpointFactory sut_factory);

}  // namespace tcpfsm::prop
