#pragma once
// Worlds and the actions between them (internal to harness/explorer_*.cpp): what one world state
// holds in the BFS frontier, one choice of the world, the outcome of taking it, and the small
// judgements on one step -- does the implementation agree with the oracle, how the step is
// labelled on a diagram, which row class of the transition table it exercises.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/endpoint_under_test.hpp"
#include "harness/explorer.hpp"
#include "harness/explorer_shadow.hpp"
#include "harness/invariants.hpp"
#include "harness/observer.hpp"

namespace tcpfsm::harness::explore_detail {

enum class ActionKind : std::uint8_t { Call, Deliver, Drop, Duplicate, Timer, Crash };

// One choice of the world. `side` is the endpoint acting (Call, Timer, Crash) or the sender of
// the segment (Deliver, Drop, Duplicate); `index` is the segment's place in its direction, oldest
// first, as the runner's Network keeps it.
struct Action {
  ActionKind kind = ActionKind::Call;
  std::uint8_t side = 0;
  std::uint8_t arg = 0;  // ExploreCall or TimerKind
  std::uint8_t index = 0;
};
static_assert(sizeof(Action) == 4);

inline Actor actor(int side) {
  return side == 1 ? Actor::B : Actor::A;
}

struct World {
  std::array<std::shared_ptr<const EndpointUnderTest>, 2> impl, oracle;
  std::array<std::vector<Segment>, 2> flight;  // [i]: sent by side i
  std::array<std::uint32_t, 2> opens{}, sends{};
  std::uint32_t loss = 0, dup = 0, crash = 0;
  Shadow shadow;
  InvariantMonitor monitor;
  Millis now = 0;
  std::size_t steps = 0;
  std::uint32_t root = 0;
  // The parts of the key, interned: impl[0], impl[1], oracle[0], oracle[1], then the history of
  // A and of B. Each id is kept while its part and the clock stay as they were; `piece` holds
  // the encoding of a part whose id is not known yet (prepared off the main thread).
  enum Part : std::uint8_t { Stale, Encoded, Interned };
  std::array<std::uint32_t, 6> encoding{};
  std::array<Part, 6> part{};
  std::array<std::string, 6> piece;
};

// One endpoint step inside a transition, for arrows and script annotations.
struct StepSeen {
  int side = 0;
  Event event;
  Outcome outcome;                // the implementation's
  std::optional<Outcome> oracle;  // the oracle's, when there is one
};

struct Applied {
  World next;
  std::vector<Violation> violations;
  std::string disagreement;
  std::vector<StepSeen> steps;
  std::vector<std::uint8_t> crash_drops;  // indexes of the RSTs a crash lost
};

// The event a user call makes (SEND of `send_size` octets).
Event event_of(ExploreCall c, std::uint32_t send_size);

// What differs between the implementation's step and the oracle's: state, segments, notices,
// TCB, next timer. Empty when they agree.
std::string compare_step(const EndpointUnderTest& impl, const Outcome& oi,
                         const EndpointUnderTest& oracle, const Outcome& oo);

// What an event and its segments look like on a diagram arrow.
std::string event_label(const Event& e);
std::string sent_label(const std::vector<Segment>& sent);

// The class of event a row of the transition table names, to tell which rows were exercised.
enum class EventClass : std::uint8_t {
  OpenPassive,
  OpenActive,
  Send,
  Receive,
  Close,
  Abort,
  Segment,
  TimerRetransmission,
  TimerZeroWindow,
  TimerUser,
  TimerTimeWait,
  TimerFinWait2,
  Other
};
constexpr int kEventClasses = 13;

EventClass class_of(const Event& e);
// The class of the event named in a row of model/core/transitions.hpp.
EventClass class_of_row(std::string_view event);

// An endpoint's part of a world key: its encode_state(), or without one what the interface
// shows (state, TCB snapshot, timers), with times relative to `now`.
void encode_endpoint(const EndpointUnderTest& ep, Millis now, std::string& out);

}  // namespace tcpfsm::harness::explore_detail
