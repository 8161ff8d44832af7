#pragma once
// Two endpoints and the network between them, on a virtual clock. Segments in flight can be
// delivered, dropped, duplicated and reordered by hand (script lines), or by seeded faults
// while the clock runs. Every step goes to the observers (the invariant catalogue), and the
// whole run is kept for traces, ladders and pcap files. Nothing reads the wall clock; the same
// seed gives the same run.
#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

#include "harness/endpoint_under_test.hpp"
#include "harness/observer.hpp"
#include "harness/script.hpp"

namespace tcpfsm::harness {

// A small, fully specified generator (SplitMix64), so that runs repeat on every platform.
class SeededRandom {
 public:
  explicit SeededRandom(std::uint64_t seed = 0) : state_(seed) {}
  std::uint64_t next();
  // Uniform in [lo, hi].
  std::uint64_t between(std::uint64_t lo, std::uint64_t hi);
  bool percent(std::uint32_t pct) { return pct > 0 && between(0, 99) < pct; }

 private:
  std::uint64_t state_;
};

struct InFlight {
  Segment seg;
  Millis due = 0;  // when it arrives, in a faulty run
  std::uint64_t id = 0;
};

// One entry of the run's record: a step of one endpoint, or what the network did.
struct WireEvent {
  enum class Kind : std::uint8_t { Sent, Delivered, Dropped, Duplicated, Reordered };
  Kind kind = Kind::Sent;
  Millis now = 0;
  Actor from = Actor::A;  // the segment's sender
  Segment seg;
  std::size_t steps_before = 0;  // how many endpoint steps had happened, to order it among them
};

class Network {
 public:
  Network(std::unique_ptr<EndpointUnderTest> a, std::unique_ptr<EndpointUnderTest> b);

  void add_observer(RunObserver* o) { observers_.push_back(o); }
  // Seeded faults for the segments sent from now on, and for run().
  void set_faults(const FaultsLine& faults);

  // Any event on one endpoint at the current time; what it sends goes in flight.
  const StepRecord& act(Actor who, const Event& e);
  // Hand operations on the segments in flight from `from` (index counts from 0, oldest first).
  bool deliver(Actor from, std::size_t index);
  bool drop(Actor from, std::size_t index);
  bool duplicate(Actor from, std::size_t index);
  bool reorder(Actor from);  // the newest segment jumps ahead of the others
  // Delivers everything in flight, alternating directions, until nothing is left.
  void deliver_all();
  // Moves the clock, firing timers and (with faults set) arriving segments in time order.
  // Once the run has taken `step_limit` steps it stops, the clock at the last event (the fuzz
  // world's budget: thousands of segments may be due at one instant).
  void advance_to(Millis t, std::size_t step_limit = std::numeric_limits<std::size_t>::max());
  void run(Millis duration) { advance_to(now_ + duration); }

  EndpointUnderTest& endpoint(Actor who) { return who == Actor::B ? *b_ : *a_; }
  const EndpointUnderTest& endpoint(Actor who) const { return who == Actor::B ? *b_ : *a_; }
  const std::deque<InFlight>& in_flight(Actor from) const {
    return from == Actor::B ? to_a_ : to_b_;
  }
  Millis now() const { return now_; }
  const std::vector<StepRecord>& steps() const { return steps_; }
  const std::vector<WireEvent>& wire() const { return wire_; }
  // Violations reported by the observers since the last call.
  std::vector<std::pair<std::size_t, Violation>> take_violations();
  bool faults_enabled() const { return faults_.has_value(); }

 private:
  std::deque<InFlight>& queue_from(Actor from) { return from == Actor::B ? to_a_ : to_b_; }
  void send(Actor from, const Segment& s);
  void merge_sent(Actor from);  // what send() delayed goes into the queue, in arrival order
  WorldView world() const;

  std::unique_ptr<EndpointUnderTest> a_, b_;
  std::deque<InFlight> to_a_, to_b_;
  std::vector<InFlight> sending_;  // this step's segments under faults, before merge_sent()
  std::vector<RunObserver*> observers_;
  std::optional<FaultsLine> faults_;
  SeededRandom random_;
  std::vector<StepRecord> steps_;
  std::vector<WireEvent> wire_;
  std::vector<std::pair<std::size_t, Violation>> violations_;
  Millis now_ = 0;
  std::uint64_t next_id_ = 1;
};

Actor peer_of(Actor a);

}  // namespace tcpfsm::harness
