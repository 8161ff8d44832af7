#include "harness/network.hpp"

#include <algorithm>
#include <iterator>
#include <limits>

namespace tcpfsm::harness {

std::uint64_t SeededRandom::next() {
  state_ += 0x9E37'79B9'7F4A'7C15ull;
  std::uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xBF58'476D'1CE4'E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D0'49BB'1331'11EBull;
  return z ^ (z >> 31);
}

std::uint64_t SeededRandom::between(std::uint64_t lo, std::uint64_t hi) {
  if (hi <= lo) return lo;
  const std::uint64_t span = hi - lo + 1;
  if (span == 0) return next();  // the whole 64-bit range
  return lo + next() % span;
}

Actor peer_of(Actor a) {
  return a == Actor::A ? Actor::B : Actor::A;
}

Network::Network(std::unique_ptr<EndpointUnderTest> a, std::unique_ptr<EndpointUnderTest> b)
    : a_(std::move(a)), b_(std::move(b)) {
  // Most runs (scripts, fuzz inputs) take a few dozen steps; growing the records from empty
  // copies them over and over (a StepRecord holds two TCB snapshots).
  steps_.reserve(64);
  wire_.reserve(128);
}

void Network::set_faults(const FaultsLine& faults) {
  faults_ = faults;
  random_ = SeededRandom(faults.seed);
}

WorldView Network::world() const {
  return WorldView{a_.get(), b_.get(), to_a_.size(), to_b_.size(), now_};
}

void Network::send(Actor from, const Segment& s) {
  wire_.push_back({WireEvent::Kind::Sent, now_, from, s, steps_.size()});
  auto& q = queue_from(from);
  if (!faults_) {
    q.push_back({s, now_, next_id_++});
    return;
  }
  const FaultsLine& f = *faults_;
  if (random_.percent(f.loss_pct)) {
    wire_.push_back({WireEvent::Kind::Dropped, now_, from, s, steps_.size()});
    for (auto* o : observers_) o->on_fault(FaultKind::Loss, from, s);
    return;
  }
  const int copies = random_.percent(f.dup_pct) ? 2 : 1;
  if (copies == 2) {
    wire_.push_back({WireEvent::Kind::Duplicated, now_, from, s, steps_.size()});
    for (auto* o : observers_) o->on_fault(FaultKind::Duplication, from, s);
  }
  for (int i = 0; i < copies; ++i) {
    Millis delay = random_.between(f.delay_min, std::max(f.delay_min, f.delay_max));
    if (random_.percent(f.reorder_pct)) {
      // Held back long enough for later segments to overtake it.
      delay += std::max<Millis>(f.delay_max, 1) + random_.between(1, 50);
      for (auto* o : observers_) o->on_fault(FaultKind::Reordering, from, s);
    }
    // Held until the step's last segment is sent; see merge_sent().
    sending_.push_back(InFlight{s, now_ + delay, next_id_++});
  }
}

namespace {
// Below this many segments per step, inserting each beats merging the whole queue.
constexpr std::size_t kInsertOneByOne = 16;
}  // namespace

void Network::merge_sent(Actor from) {
  if (sending_.empty()) return;
  // Each direction stays ordered by arrival time, equal times in sending order: what a stable
  // sort after each push_back would give. One step may send tens of thousands of segments (a
  // large SEND with a tiny MSS), so they are merged into the queue at once rather than each
  // inserted into its middle, which made such steps quadratic.
  const auto earlier = [](const InFlight& x, const InFlight& y) { return x.due < y.due; };
  auto& q = queue_from(from);
  if (sending_.size() <= kInsertOneByOne) {
    // A few segments usually land near the back, where a deque inserts cheaply.
    for (const InFlight& f : sending_) {
      q.insert(std::upper_bound(q.begin(), q.end(), f, earlier), f);
    }
    sending_.clear();
    return;
  }
  std::stable_sort(sending_.begin(), sending_.end(), earlier);
  std::deque<InFlight> merged;
  std::merge(q.begin(), q.end(), sending_.begin(), sending_.end(), std::back_inserter(merged),
             earlier);
  q.swap(merged);
  sending_.clear();
}

const StepRecord& Network::act(Actor who, const Event& e) {
  EndpointUnderTest& ep = endpoint(who);
  if (const auto* t = std::get_if<TimerExpires>(&e)) {
    // A timer fires at its deadline: the clock moves there first if it is not there yet.
    if (auto d = ep.deadline(t->timer)) now_ = std::max(now_, *d);
  }
  StepRecord rec;
  rec.index = steps_.size();
  rec.who = who;
  rec.now = now_;
  rec.event = e;
  rec.profile = &ep.profile();
  rec.tcb_before = ep.tcb();
  rec.outcome = ep.step(e, now_);
  rec.tcb_after = ep.tcb();
  steps_.push_back(std::move(rec));
  const StepRecord& stored = steps_.back();
  for (const Segment& s : stored.outcome.sent) send(who, s);
  merge_sent(who);
  const WorldView w = world();
  for (auto* o : observers_) {
    for (auto& v : o->on_step(stored, w)) violations_.emplace_back(stored.index, std::move(v));
  }
  return stored;
}

bool Network::deliver(Actor from, std::size_t index) {
  auto& q = queue_from(from);
  if (index >= q.size()) return false;
  const Segment s = q[index].seg;
  q.erase(q.begin() + static_cast<std::ptrdiff_t>(index));
  wire_.push_back({WireEvent::Kind::Delivered, now_, from, s, steps_.size()});
  act(peer_of(from), SegmentArrives{s});
  return true;
}

bool Network::drop(Actor from, std::size_t index) {
  auto& q = queue_from(from);
  if (index >= q.size()) return false;
  const Segment s = q[index].seg;
  q.erase(q.begin() + static_cast<std::ptrdiff_t>(index));
  wire_.push_back({WireEvent::Kind::Dropped, now_, from, s, steps_.size()});
  for (auto* o : observers_) o->on_fault(FaultKind::Loss, from, s);
  return true;
}

bool Network::duplicate(Actor from, std::size_t index) {
  auto& q = queue_from(from);
  if (index >= q.size()) return false;
  InFlight copy = q[index];
  copy.id = next_id_++;
  q.insert(q.begin() + static_cast<std::ptrdiff_t>(index) + 1, copy);
  wire_.push_back({WireEvent::Kind::Duplicated, now_, from, copy.seg, steps_.size()});
  for (auto* o : observers_) o->on_fault(FaultKind::Duplication, from, copy.seg);
  return true;
}

bool Network::reorder(Actor from) {
  auto& q = queue_from(from);
  if (q.size() < 2) return false;
  InFlight newest = q.back();
  q.pop_back();
  newest.due = q.front().due;
  q.push_front(newest);
  wire_.push_back({WireEvent::Kind::Reordered, now_, from, newest.seg, steps_.size()});
  for (auto* o : observers_) o->on_fault(FaultKind::Reordering, from, newest.seg);
  return true;
}

void Network::deliver_all() {
  for (int guard = 0; guard < 100'000 && (!to_a_.empty() || !to_b_.empty()); ++guard) {
    if (!to_b_.empty()) deliver(Actor::A, 0);
    if (!to_a_.empty()) deliver(Actor::B, 0);
  }
}

void Network::advance_to(Millis t, std::size_t step_limit) {
  for (int guard = 0; guard < 1'000'000; ++guard) {
    if (steps_.size() >= step_limit) return;
    // The earliest thing that happens: a timer on either side or, in a faulty run, an arrival.
    Millis when = std::numeric_limits<Millis>::max();
    int what = -1;  // 0/1: timer of A/B, 2/3: arrival at B/A
    for (Actor who : {Actor::A, Actor::B}) {
      if (auto next = endpoint(who).next_timer(); next && next->second < when) {
        when = next->second;
        what = who == Actor::A ? 0 : 1;
      }
    }
    if (faults_) {
      if (!to_b_.empty() && to_b_.front().due < when) {
        when = to_b_.front().due;
        what = 2;
      }
      if (!to_a_.empty() && to_a_.front().due < when) {
        when = to_a_.front().due;
        what = 3;
      }
    }
    if (what < 0 || when > t) break;
    now_ = std::max(now_, when);
    if (what == 0 || what == 1) {
      const Actor who = what == 0 ? Actor::A : Actor::B;
      act(who, TimerExpires{endpoint(who).next_timer()->first});
    } else {
      deliver(what == 2 ? Actor::A : Actor::B, 0);
    }
  }
  now_ = std::max(now_, t);
}

std::vector<std::pair<std::size_t, Violation>> Network::take_violations() {
  auto out = std::move(violations_);
  violations_.clear();
  return out;
}

}  // namespace tcpfsm::harness
