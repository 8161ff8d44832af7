#pragma once
// Two reference endpoints on a lossless, in-order link: the textbook situations (handshake,
// active and passive close, simultaneous close) step by step. A thin layer over Network that
// keeps a readable log, each endpoint's visited states, and the invariant catalogue's verdict.
#include <memory>
#include <string>
#include <vector>

#include "harness/invariants.hpp"
#include "harness/network.hpp"

namespace tcpfsm::harness {

enum class Side { A, B };

class Pair {
 public:
  Pair(const Profile& profile, SeqNum iss_a, SeqNum iss_b);

  // A user call on one side; what it sends goes in flight towards the other side.
  Outcome call(Side side, const Event& call);
  // Delivers the oldest segment in flight towards `to`. Returns false if there is none.
  bool deliver(Side to);
  // Delivers segments, alternating directions, until nothing is in flight.
  void deliver_all();
  // Moves virtual time forward, firing due timers on both sides.
  void advance(Millis by);

  const EndpointUnderTest& endpoint(Side s) const { return network_->endpoint(actor(s)); }
  State state(Side s) const { return endpoint(s).state(); }
  std::size_t in_flight(Side to) const { return network_->in_flight(actor(other(to))).size(); }
  std::vector<State> visited(Side s) const;
  bool has_visited(Side s, State st) const;
  // One trace line per step, prefixed with the side.
  std::vector<std::string> log() const;
  // The run as a ladder diagram: A's state | arrows | B's state.
  std::vector<std::string> ladder() const;
  const std::vector<Violation>& violations() const { return monitor_.violations(); }
  std::size_t steps() const { return network_->steps().size(); }
  Millis now() const { return network_->now(); }

 private:
  static Actor actor(Side s) { return s == Side::A ? Actor::A : Actor::B; }
  static Side other(Side s) { return s == Side::A ? Side::B : Side::A; }

  std::unique_ptr<Network> network_;
  InvariantMonitor monitor_;
};

std::string_view name(Side s);

}  // namespace tcpfsm::harness
