#pragma once
// One action on one endpoint, as the differential test performs and compares it: an event, or
// time passing (every timer that falls due fires, as a script's `time +N`). A StepView is what
// a step showed: the transition, the segments, the notices, and the state, TCB and timers
// after it. Two performances of the same action, by the reference and by the implementation
// under test, are compared field by field; the Outcome's rule is not compared.
#include <array>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/event.hpp"
#include "core/outcome.hpp"
#include "core/tcb_snapshot.hpp"
#include "harness/endpoint_under_test.hpp"

namespace tcpfsm::prop {

// Time passing: every timer that falls due fires, in deadline order (a script's `time +N`).
struct AdvanceTime {
  Millis by = 0;
  bool operator==(const AdvanceTime&) const = default;
};
using Action = std::variant<Event, AdvanceTime>;

// One step of an endpoint as the comparison sees it.
struct StepView {
  Event event;
  Millis now = 0;
  Outcome outcome;
  State state = State::Closed;
  std::optional<TcbSnapshot> tcb_before;
  std::array<std::optional<Millis>, kTimerKinds> deadlines_before{};
  std::optional<TcbSnapshot> tcb;
  std::optional<std::pair<TimerKind, Millis>> next_timer;
  std::array<std::optional<Millis>, kTimerKinds> deadlines{};
};

// One command of a run: what was done and what the reference did in answer.
struct TranscriptEntry {
  Action action;
  std::string command;             // as the command shows itself
  std::vector<StepView> expected;  // the reference's steps (none when no timer fell due)
  State state_after = State::Closed;
  std::optional<TcbSnapshot> tcb_after;
};
using Transcript = std::vector<TranscriptEntry>;

// Performs `action` on `ep` at the clock `now` (which moves as the script runner moves it:
// to a timer's deadline, or by the time given) and returns the steps it took.
std::vector<StepView> perform(harness::EndpointUnderTest& ep, Millis& now, const Action& action);
// The state, TCB and timers of `ep` now.
void observe(const harness::EndpointUnderTest& ep, StepView& v);

// The first difference between the reference's steps and the implementation's, in words.
std::optional<std::string> compare_steps(const std::vector<StepView>& want,
                                         const std::vector<StepView>& got);
// The first difference in state, TCB or timers.
std::optional<std::string> compare_observed(const StepView& want, const StepView& got);

// All fields: <SEQ=..><ACK=..><CTL=..><LEN=..><WND=..><UP=..>.
std::string segment_text(const Segment& s);
// "OPEN passive", "rcv <SEQ=...>...", "time +1000".
std::string action_text(const Action& a);

}  // namespace tcpfsm::prop
