#include "harness/pair.hpp"

#include <algorithm>

#include "harness/script_runner.hpp"
#include "harness/trace.hpp"

namespace tcpfsm::harness {

std::string_view name(Side s) {
  return s == Side::A ? "A" : "B";
}

Pair::Pair(const Profile& profile, SeqNum iss_a, SeqNum iss_b)
    : network_(std::make_unique<Network>(make_reference_endpoint(profile, iss_a),
                                         make_reference_endpoint(profile, iss_b))) {
  network_->add_observer(&monitor_);
}

Outcome Pair::call(Side side, const Event& call) {
  return network_->act(actor(side), call).outcome;
}

bool Pair::deliver(Side to) {
  return network_->deliver(actor(other(to)), 0);
}

void Pair::deliver_all() {
  network_->deliver_all();
}

void Pair::advance(Millis by) {
  network_->run(by);
}

std::vector<State> Pair::visited(Side s) const {
  std::vector<State> v{State::Closed};
  for (const StepRecord& r : network_->steps()) {
    if (r.who == actor(s) && v.back() != r.outcome.to) v.push_back(r.outcome.to);
  }
  return v;
}

bool Pair::has_visited(Side s, State st) const {
  const auto v = visited(s);
  return std::find(v.begin(), v.end(), st) != v.end();
}

std::vector<std::string> Pair::log() const {
  std::vector<std::string> out;
  for (const StepRecord& r : network_->steps()) {
    out.push_back(std::string(r.who == Actor::A ? "A: " : "B: ") + trace_line(r.event, r.outcome));
  }
  return out;
}

std::vector<std::string> Pair::ladder() const {
  RunResult r;
  r.two_endpoints = true;
  r.steps = network_->steps();
  r.wire = network_->wire();
  return format_ladder(r);
}

}  // namespace tcpfsm::harness
