#pragma once
// The shadow of the invariant monitor's history (internal to harness/explorer_*.cpp).
//
// InvariantMonitor (invariants.cpp) keeps, per endpoint and incarnation, what its history checks
// read. Two worlds whose endpoints and network agree but whose histories differ can answer
// differently later, so the key must hold that history. The monitor's is private; this shadow
// follows the same rules on the same steps and keeps the same fields, and encodes them the way the
// checks use them: step numbers only as their order, times relative to the clock and cut off
// where no check can tell the difference any more. Keep it in step with invariants.cpp.
#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/state.hpp"
#include "harness/endpoint_under_test.hpp"
#include "harness/observer.hpp"

namespace tcpfsm::harness::explore_detail {

inline bool in_set(State s, std::initializer_list<State> set) {
  return std::find(set.begin(), set.end(), s) != set.end();
}
inline bool no_connection(State s) {
  return s == State::Closed || s == State::Listen;
}
inline std::uint32_t bit(State s) {
  return 1u << static_cast<unsigned>(s);
}

struct ShadowIncarnation {
  std::uint32_t visited = 0;
  std::optional<State> origin;
  bool reopened = false;
  std::optional<SeqNum> iss, irs, fin_seq;
  bool syn_carried_data = false;
  std::uint64_t sent = 0, sent_at_close = 0, delivered = 0, flushed = 0;
  bool close_called = false;
  std::size_t close_step = 0;
  bool fin_arrived = false;
  std::size_t fin_step = 0;
  bool time_wait_by_abort = false;
  Millis time_wait_start = 0;
  std::optional<Millis> time_wait_deadline;
  bool roles_checked = false;
};

struct ShadowSide {
  State state = State::Closed;
  ShadowIncarnation cur;
  std::optional<ShadowIncarnation> suspended;
  std::vector<ShadowIncarnation> past;  // oldest first, at most 32 as in the monitor

  void archive(const ShadowIncarnation& inc) {
    past.push_back(inc);
    if (past.size() > 32) past.erase(past.begin());
  }
  bool close_done() const {
    return cur.close_called && cur.fin_arrived && in_set(state, {State::TimeWait, State::Closed});
  }
};

struct Shadow {
  std::array<ShadowSide, 2> sides;
  bool loss = false, rst = false, abort = false, ending_timeout = false;
  bool stale_closed_rst = false;  // finding F1: a peer's RST sent from CLOSED reset a connection
  int half_open_side = 0;         // 0: none, 1: A, 2: B (the monitor's numbering)
  bool network_run = false;
  std::array<std::size_t, 2> in_flight{};  // towards A, towards B
  // The copies in flight of RSTs sent from CLOSED: sender (0: A, 1: B) and ACK.
  std::vector<std::pair<int, SeqNum>> closed_rsts;

  void step(const StepRecord& s, const WorldView& w, const EndpointUnderTest* self_ep);
  void fault(FaultKind kind, Actor from, const Segment& seg);
  // Removes one copy of `seg` from closed_rsts; false when it is not one of them.
  bool take_closed_rst(int sender, const Segment& seg);
  void update_network();
};

// Appends one side's history as the checks read it; times relative to `now`, TIME-WAIT's age
// cut off at `two_msl`.
void encode_shadow_side(std::string& out, const ShadowSide& h, Millis now, Millis two_msl);

}  // namespace tcpfsm::harness::explore_detail
