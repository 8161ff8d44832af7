#pragma once
// Two reference endpoints joined by a lossless, in-order link: enough to play the textbook
// situations (handshake, active and passive close, simultaneous close) step by step. Every
// step is logged as a trace line, and each endpoint's visited states are recorded so that
// checks such as "the passive closer never enters TIME-WAIT" can be asked of a run.
#include <deque>
#include <string>
#include <vector>

#include "reference/endpoint.hpp"

namespace tcpfsm::harness {

enum class Side { A, B };

class Pair {
 public:
  Pair(Profile profile, SeqNum iss_a, SeqNum iss_b);

  // A user call on one side; what it sends goes in flight towards the other side.
  Outcome call(Side side, const Event& call);
  // Delivers the oldest segment in flight towards `to`. Returns false if there is none.
  bool deliver(Side to);
  // Delivers segments, oldest first in each direction, until nothing is in flight.
  void deliver_all();
  // Moves virtual time forward, firing due timers on both sides.
  void advance(Millis by);

  const reference::Endpoint& endpoint(Side s) const { return s == Side::A ? a_ : b_; }
  std::size_t in_flight(Side to) const { return (to == Side::A ? to_a_ : to_b_).size(); }
  const std::vector<State>& visited(Side s) const { return s == Side::A ? visited_a_ : visited_b_; }
  bool has_visited(Side s, State st) const;
  const std::vector<std::string>& log() const { return log_; }
  Millis now() const { return now_; }

 private:
  void record(Side side, const Event& event, const Outcome& outcome);

  reference::Endpoint a_;
  reference::Endpoint b_;
  std::deque<Segment> to_a_;
  std::deque<Segment> to_b_;
  std::vector<State> visited_a_{State::Closed};
  std::vector<State> visited_b_{State::Closed};
  std::vector<std::string> log_;
  Millis now_ = 0;
};

std::string_view name(Side s);

}  // namespace tcpfsm::harness
