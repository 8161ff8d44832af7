#include "harness/pair.hpp"

#include <algorithm>

#include "harness/trace.hpp"

namespace tcpfsm::harness {

std::string_view name(Side s) {
  return s == Side::A ? "A" : "B";
}

Pair::Pair(Profile profile, SeqNum iss_a, SeqNum iss_b) : a_(profile, iss_a), b_(profile, iss_b) {}

bool Pair::has_visited(Side s, State st) const {
  const auto& v = visited(s);
  return std::find(v.begin(), v.end(), st) != v.end();
}

void Pair::record(Side side, const Event& event, const Outcome& outcome) {
  log_.push_back(std::string(name(side)) + ": " + trace_line(event, outcome));
  auto& visited = side == Side::A ? visited_a_ : visited_b_;
  if (visited.back() != outcome.to) visited.push_back(outcome.to);
  auto& towards_peer = side == Side::A ? to_b_ : to_a_;
  for (const Segment& s : outcome.sent) towards_peer.push_back(s);
}

Outcome Pair::call(Side side, const Event& call) {
  auto& ep = side == Side::A ? a_ : b_;
  Outcome o = ep.step(call, now_);
  record(side, call, o);
  return o;
}

bool Pair::deliver(Side to) {
  auto& queue = to == Side::A ? to_a_ : to_b_;
  if (queue.empty()) return false;
  const Event arrival = SegmentArrives{queue.front()};
  queue.pop_front();
  auto& ep = to == Side::A ? a_ : b_;
  record(to, arrival, ep.step(arrival, now_));
  return true;
}

void Pair::deliver_all() {
  // Alternate directions so that crossing segments cross, as on a real link.
  for (int guard = 0; guard < 10'000; ++guard) {
    const bool to_a = deliver(Side::A);
    const bool to_b = deliver(Side::B);
    if (!to_a && !to_b) break;
  }
}

void Pair::advance(Millis by) {
  now_ += by;
  for (Side s : {Side::A, Side::B}) {
    auto& ep = s == Side::A ? a_ : b_;
    for (auto next = ep.next_timer(); next && next->second <= now_; next = ep.next_timer()) {
      const Event expiry = TimerExpires{next->first};
      record(s, expiry, ep.step(expiry, next->second));
    }
  }
}

}  // namespace tcpfsm::harness
