// The search (explorer_search.hpp): the choices a world offers, the successor each leads to,
// its key, and the breadth-first loop that checks every transition and keeps the graph.
#include "harness/explorer_search.hpp"

#include <algorithm>
#include <memory>
#include <thread>

#include "core/transitions.hpp"

namespace tcpfsm::harness::explore_detail {

World Explorer::initial(std::uint32_t root) const {
  World w;
  const auto [iss_a, iss_b] = roots_[root];
  w.impl[0] = options_.implementation(profile_[0], SeqNum(iss_a));
  w.impl[1] = options_.implementation(profile_[1], SeqNum(iss_b));
  if (compare_) {
    w.oracle[0] = options_.oracle(profile_[0], SeqNum(iss_a));
    w.oracle[1] = options_.oracle(profile_[1], SeqNum(iss_b));
  }
  for (int s = 0; s < 2; ++s) {
    w.opens[static_cast<std::size_t>(s)] = config_.sides[static_cast<std::size_t>(s)].opens;
    w.sends[static_cast<std::size_t>(s)] = config_.sides[static_cast<std::size_t>(s)].sends;
  }
  w.loss = config_.loss;
  w.dup = config_.duplicate;
  w.crash = config_.crash;
  w.root = root;
  return w;
}

std::vector<Action> Explorer::actions(const World& w) const {
  std::vector<Action> out;
  for (std::uint8_t s = 0; s < 2; ++s) {
    const auto& side = config_.sides[s];
    for (int c = 0; c < kExploreCalls; ++c) {
      if (!side.calls[static_cast<std::size_t>(c)]) continue;
      const auto call = static_cast<ExploreCall>(c);
      if ((call == ExploreCall::OpenActive || call == ExploreCall::OpenPassive) && w.opens[s] == 0)
        continue;
      if (call == ExploreCall::Send && w.sends[s] == 0) continue;
      if (call == ExploreCall::Receive) {
        const auto t = w.impl[s]->tcb();
        if (!t || t->recv_unread == 0) continue;
      }
      out.push_back({ActionKind::Call, s, static_cast<std::uint8_t>(c), 0});
    }
  }
  // One action per distinct segment: copies of a segment lead to the same worlds.
  auto each_segment = [&](ActionKind kind) {
    for (std::uint8_t s = 0; s < 2; ++s) {
      const auto& q = w.flight[s];
      for (std::size_t i = 0; i < q.size(); ++i) {
        if (std::find(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(i), q[i]) !=
            q.begin() + static_cast<std::ptrdiff_t>(i)) {
          continue;
        }
        out.push_back({kind, s, 0, static_cast<std::uint8_t>(i)});
      }
    }
  };
  each_segment(ActionKind::Deliver);
  for (std::uint8_t s = 0; s < 2; ++s) {
    for (int k = 0; k < kTimerKinds; ++k) {
      if (w.impl[s]->deadline(static_cast<TimerKind>(k))) {
        out.push_back({ActionKind::Timer, s, static_cast<std::uint8_t>(k), 0});
      }
    }
  }
  if (w.loss > 0) each_segment(ActionKind::Drop);
  if (w.dup > 0) each_segment(ActionKind::Duplicate);
  if (w.crash > 0) {
    for (std::uint8_t s = 0; s < 2; ++s) {
      if (w.impl[s]->state() != State::Closed) out.push_back({ActionKind::Crash, s, 0, 0});
    }
  }
  return out;
}

// One step of one endpoint, as Network::act takes it: the implementation (and the oracle) step
// at the world's clock, what it sends goes in flight, and the invariant monitor and its shadow
// see the step. False when what it sends does not fit in the network.
bool Explorer::act(Applied& r, int side, const Event& e, bool check_capacity) const {
  World& w = r.next;
  const auto si = static_cast<std::size_t>(side);
  std::unique_ptr<EndpointUnderTest> ep = w.impl[si]->clone();
  StepRecord rec;
  rec.index = w.steps++;
  rec.who = actor(side);
  rec.now = w.now;
  rec.event = e;
  rec.profile = &ep->profile();
  rec.tcb_before = ep->tcb();
  rec.outcome = ep->step(e, w.now);
  rec.tcb_after = ep->tcb();
  for (const Segment& s : rec.outcome.sent) w.flight[si].push_back(s);
  if (check_capacity && w.flight[0].size() + w.flight[1].size() > config_.capacity) return false;
  StepSeen seen{side, e, rec.outcome, std::nullopt};
  if (w.oracle[si]) {
    std::unique_ptr<EndpointUnderTest> o = w.oracle[si]->clone();
    Outcome oo = o->step(e, w.now);
    if (r.disagreement.empty()) {
      std::string diff = compare_step(*ep, rec.outcome, *o, oo);
      if (!diff.empty()) r.disagreement = std::string(side == 0 ? "A" : "B") + ": " + diff;
    }
    seen.oracle = std::move(oo);
    w.oracle[si] = std::move(o);
  }
  w.impl[si] = std::move(ep);
  w.part[si] = w.part[si + 2] = w.part[4 + si] = World::Stale;
  const WorldView view{w.impl[0].get(), w.impl[1].get(), w.flight[1].size(), w.flight[0].size(),
                       w.now};
  for (auto& v : w.monitor.on_step(rec, view)) r.violations.push_back(std::move(v));
  const std::size_t peer = 1 - si;
  const bool peer_roles = w.shadow.sides[peer].cur.roles_checked;
  w.shadow.step(rec, view, w.impl[si].get());
  if (w.shadow.sides[peer].cur.roles_checked != peer_roles) w.part[4 + peer] = World::Stale;
  r.steps.push_back(std::move(seen));
  return true;
}

std::optional<Applied> Explorer::apply(const World& w, const Action& a) const {
  Applied r{w, {}, {}, {}, {}};
  World& n = r.next;
  const int side = a.side;
  const auto si = static_cast<std::size_t>(side);
  switch (a.kind) {
    case ActionKind::Call: {
      const auto call = static_cast<ExploreCall>(a.arg);
      if (!act(r, side, event_of(call, config_.send_size), true)) return std::nullopt;
      const auto& notices = r.steps.back().outcome.notices;
      const bool accepted = !notices.empty() && notices.front().kind == NoticeKind::Ok;
      if (accepted && (call == ExploreCall::OpenActive || call == ExploreCall::OpenPassive)) {
        --n.opens[si];
      }
      if (accepted && call == ExploreCall::Send) --n.sends[si];
      return r;
    }
    case ActionKind::Deliver: {
      auto& q = n.flight[si];
      const Segment seg = q[a.index];
      q.erase(q.begin() + a.index);
      if (!act(r, 1 - side, SegmentArrives{seg}, true)) return std::nullopt;
      return r;
    }
    case ActionKind::Drop: {
      auto& q = n.flight[si];
      const Segment seg = q[a.index];
      q.erase(q.begin() + a.index);
      --n.loss;
      n.monitor.on_fault(FaultKind::Loss, actor(side), seg);
      n.shadow.fault(FaultKind::Loss, actor(side), seg);
      return r;
    }
    case ActionKind::Duplicate: {
      if (n.flight[0].size() + n.flight[1].size() + 1 > config_.capacity) return std::nullopt;
      auto& q = n.flight[si];
      const Segment seg = q[a.index];
      q.insert(q.begin() + a.index + 1, seg);
      --n.dup;
      n.monitor.on_fault(FaultKind::Duplication, actor(side), seg);
      n.shadow.fault(FaultKind::Duplication, actor(side), seg);
      return r;
    }
    case ActionKind::Timer: {
      const auto kind = static_cast<TimerKind>(a.arg);
      const auto deadline = n.impl[si]->deadline(kind);
      if (!deadline) return std::nullopt;
      // A timer fires at its deadline: the clock moves there first (as Network::act does).
      if (*deadline > n.now) n.part = {};  // every relative time changes
      n.now = std::max(n.now, *deadline);
      if (!act(r, side, TimerExpires{kind}, true)) return std::nullopt;
      return r;
    }
    case ActionKind::Crash: {
      // The endpoint loses its TCB: its user's ABORT, with the RST it sends lost on the way.
      const std::size_t before = n.flight[si].size();
      act(r, side, AbortCall{}, false);
      --n.crash;
      auto& q = n.flight[si];
      while (q.size() > before) {
        const Segment seg = q[before];
        q.erase(q.begin() + static_cast<std::ptrdiff_t>(before));
        r.crash_drops.push_back(static_cast<std::uint8_t>(before));
        n.monitor.on_fault(FaultKind::Loss, actor(side), seg);
        n.shadow.fault(FaultKind::Loss, actor(side), seg);
      }
      if (n.flight[0].size() + n.flight[1].size() > config_.capacity) return std::nullopt;
      return r;
    }
  }
  return std::nullopt;
}

void Explorer::expand(const World& w, Successors& out) const {
  out.clear();
  for (const Action& a : actions(w)) {
    out.emplace_back(a, apply(w, a));
    auto& applied = out.back().second;
    if (applied && applied->disagreement.empty()) prepare(applied->next);
  }
}

// Encodes the parts of a world's key whose ids are not known yet (safe off the main thread).
void Explorer::prepare(World& w) const {
  for (std::size_t i = 0; i < 6; ++i) {
    if (w.part[i] != World::Stale) continue;
    w.part[i] = World::Encoded;
    w.piece[i].clear();
    if (i < 4) {
      const EndpointUnderTest* ep = i < 2 ? w.impl[i].get() : w.oracle[i - 2].get();
      if (ep != nullptr) encode_endpoint(*ep, w.now, w.piece[i]);
    } else {
      encode_shadow_side(w.piece[i], w.shadow.sides[i - 4], w.now, 2ull * profile_[i - 4].msl_ms);
    }
  }
}

void Explorer::key_of(World& w, std::string& out) {
  prepare(w);
  out.clear();
  for (std::size_t i = 0; i < 6; ++i) {
    if (i >= 2 && i < 4 && w.oracle[i - 2] == nullptr) continue;
    if (w.part[i] != World::Interned) {
      w.encoding[i] = (i < 4 ? endpoints_ : histories_).id(w.piece[i]);
      w.part[i] = World::Interned;
      std::string().swap(w.piece[i]);
    }
    put_num(out, w.encoding[i]);
  }
  for (std::size_t s = 0; s < 2; ++s) {
    std::uint32_t ids[64];
    std::size_t n = 0;
    for (const Segment& seg : w.flight[s]) {
      piece_.clear();
      piece_.push_back(static_cast<char>(s));
      put_num(piece_, seg.seq.raw());
      put_num(piece_, seg.ack.raw());
      put_num(piece_, seg.ctl);
      put_num(piece_, seg.wnd);
      put_num(piece_, seg.up);
      put_num(piece_, seg.len);
      if (n < std::size(ids)) ids[n++] = segments_.id(piece_);
    }
    std::sort(ids, ids + n);
    put_num(out, n);
    for (std::size_t i = 0; i < n; ++i) put_num(out, ids[i]);
  }
  for (std::size_t s = 0; s < 2; ++s) {
    if (config_.sides[s].opens > 0) put_num(out, w.opens[s]);
    if (config_.sides[s].sends > 0) put_num(out, w.sends[s]);
  }
  if (config_.loss > 0) put_num(out, w.loss);
  if (config_.duplicate > 0) put_num(out, w.dup);
  if (config_.crash > 0) put_num(out, w.crash);
  const Shadow& f = w.shadow;
  // The copies in flight of RSTs sent from CLOSED, as a multiset. (With the reference they are
  // just the RST,ACK segments in flight, so they split no states.)
  std::vector<std::pair<unsigned, std::uint32_t>> rsts;
  for (const auto& [sender, ack] : f.closed_rsts) {
    rsts.emplace_back(static_cast<unsigned>(sender), ack.raw());
  }
  std::sort(rsts.begin(), rsts.end());
  put_num(out, (f.loss ? 1 : 0) | (f.rst ? 2 : 0) | (f.abort ? 4 : 0) | (f.ending_timeout ? 8 : 0) |
                   (f.network_run ? 16 : 0) | (static_cast<unsigned>(f.half_open_side) << 5) |
                   (f.stale_closed_rst ? 128 : 0) | (rsts.empty() ? 0 : 256));
  if (!rsts.empty()) {
    put_num(out, rsts.size());
    for (const auto& [sender, ack] : rsts) {
      put_num(out, sender);
      put_num(out, ack);
    }
  }
}

void Explorer::note_arrows(const Applied& r, std::uint32_t source, const Action& a) {
  for (const StepSeen& st : r.steps) {
    const Outcome& o = st.outcome;
    classes_seen_[static_cast<std::size_t>(o.from)][static_cast<std::size_t>(o.to)]
                 [static_cast<std::size_t>(class_of(st.event))] = true;
    if (!options_.collect_arrows) continue;
    std::string label = event_label(st.event);
    std::string sent = sent_label(o.sent);
    std::string key = std::string(to_string(o.from)) + "|" + label + "|" + sent + "|" +
                      std::string(to_string(o.to));
    auto [it, fresh] = arrows_.try_emplace(key);
    ArrowRecord& rec = it->second;
    if (fresh) {
      rec.arrow.from = o.from;
      rec.arrow.to = o.to;
      rec.arrow.event = std::move(label);
      rec.arrow.sent = std::move(sent);
      rec.source = source;
      rec.action = a;
    }
    ++rec.arrow.count;
    rec.arrow.by[static_cast<std::size_t>(st.side)] = true;
  }
}

std::uint64_t Explorer::bytes() const {
  return store_.bytes() + endpoints_.bytes() + histories_.bytes() + segments_.bytes() +
         parent_.capacity() * sizeof(std::uint32_t) + via_.capacity() * sizeof(Action) +
         states_.capacity() + fair_begin_.capacity() * sizeof(std::uint64_t) +
         fair_to_.capacity() * sizeof(std::uint32_t);
}

void Explorer::report_progress(bool force) {
  if (!options_.progress) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_progress_ < std::chrono::seconds(1)) return;
  last_progress_ = now;
  ExploreProgress p;
  p.states = store_.size();
  p.transitions = result_.transitions;
  p.depth = depth_;
  p.frontier = frontier_size_;
  p.seconds = std::chrono::duration<double>(now - start_).count();
  p.bytes = bytes();
  options_.progress(p);
}

ExploreResult Explorer::run() {
  start_ = last_progress_ = std::chrono::steady_clock::now();
  result_.config = config_.name;
  for (int s = 0; s < 2; ++s) {
    auto p = make_profile(s == 0 ? config_.profile_a : config_.profile_b);
    if (const auto* e = std::get_if<std::string>(&p)) {
      result_.notes.push_back("profile: " + *e);
      return result_;
    }
    profile_[s] = std::get<Profile>(p);
  }
  compare_ = config_.compare && options_.oracle != nullptr;
  for (std::uint32_t a : config_.iss_a) {
    for (std::uint32_t b : config_.iss_b) roots_.emplace_back(a, b);
  }

  std::vector<std::unique_ptr<World>> frontier, next;
  bool stop = false;
  for (std::uint32_t r = 0; r < roots_.size(); ++r) {
    auto w = std::make_unique<World>(initial(r));
    if (r == 0) {
      std::string probe;
      if (!w->impl[0]->encode_state(0, probe)) {
        result_.notes.push_back(
            "the implementation has no encode_state(): states are told apart by what state(), "
            "tcb() and deadline() show, which may merge states that differ in hidden fields");
      }
    }
    key_of(*w, scratch_);
    const auto [id, fresh] = store_.insert(scratch_);
    if (!fresh) continue;
    parent_.push_back(id);
    via_.push_back({});
    states_.push_back(static_cast<std::uint8_t>(static_cast<unsigned>(w->impl[0]->state()) |
                                                (static_cast<unsigned>(w->impl[1]->state()) << 4)));
    frontier.push_back(std::move(w));
  }
  result_.initial_states = store_.size();
  std::uint32_t expanded = 0;
  fair_begin_.push_back(0);
  const unsigned threads = std::max(1u, options_.threads);

  // Breadth first, a layer at a time. Each block of the layer is expanded in parallel (stepping
  // the endpoints, the checks, encoding the successors), then merged in order on this thread
  // (interning, the visited set, the graph), so that ids, paths and counterexamples do not
  // depend on the number of threads.
  constexpr std::size_t kBlock = 512;
  std::vector<Successors> block(kBlock);
  while (!frontier.empty() && !stop) {
    frontier_size_ = frontier.size();
    result_.peak_frontier = std::max<std::uint64_t>(result_.peak_frontier, frontier.size());
    for (std::size_t begin = 0; begin < frontier.size() && !stop; begin += kBlock) {
      const std::size_t end = std::min(frontier.size(), begin + kBlock);
      auto work = [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i) expand(*frontier[i], block[i - begin]);
      };
      if (threads > 1 && end - begin > 1) {
        std::vector<std::thread> helpers;
        const std::size_t share = (end - begin + threads - 1) / threads;
        for (unsigned t = 1; t < threads; ++t) {
          const std::size_t lo = std::min(end, begin + t * share);
          const std::size_t hi = std::min(end, lo + share);
          if (lo < hi) helpers.emplace_back(work, lo, hi);
        }
        work(begin, std::min(end, begin + share));
        for (auto& h : helpers) h.join();
      } else {
        work(begin, end);
      }
      for (std::size_t i = begin; i < end && !stop; ++i) {
        const std::uint32_t source = expanded++;
        for (auto& [a, applied] : block[i - begin]) {
          if (!applied) continue;
          ++result_.transitions;
          note_arrows(*applied, source, a);
          if (!applied->violations.empty()) {
            for (const Violation& v : applied->violations) ++result_.violated[v.invariant];
            ++result_.invariant_violations;
            ++result_.violations;
            if (result_.invariant_violations == 1) {
              const Violation& v = applied->violations.front();
              found_.push_back(
                  {Counterexample::Kind::Invariant,
                   "invariant " + v.invariant + " violated: " + v.detail + " [" + v.rfc + "]",
                   source, a});
            }
          }
          if (!applied->disagreement.empty()) {
            ++result_.disagreements;
            ++result_.violations;
            if (result_.disagreements == 1) {
              found_.push_back(
                  {Counterexample::Kind::Disagreement,
                   "the implementation and the oracle disagree: " + applied->disagreement, source,
                   a});
            }
            // The two have parted ways: nothing after this step would mean anything.
          } else {
            key_of(applied->next, scratch_);
            const auto [id, fresh] = store_.insert(scratch_);
            const bool fair = a.kind == ActionKind::Deliver || a.kind == ActionKind::Timer ||
                              (a.kind == ActionKind::Call &&
                               static_cast<ExploreCall>(a.arg) == ExploreCall::Close);
            if (fair) fair_to_.push_back(id);
            if (fresh) {
              parent_.push_back(source);
              via_.push_back(a);
              const World& n = applied->next;
              states_.push_back(
                  static_cast<std::uint8_t>(static_cast<unsigned>(n.impl[0]->state()) |
                                            (static_cast<unsigned>(n.impl[1]->state()) << 4)));
              next.push_back(std::make_unique<World>(std::move(applied->next)));
            }
          }
          if (options_.stop_at_first && result_.violations > 0) stop = true;
          if (stop) break;
        }
        fair_begin_.push_back(fair_to_.size());
        frontier[i].reset();
        block[i - begin].clear();
        if (stop) break;
        if (config_.max_states > 0 && store_.size() >= config_.max_states) {
          stop = true;
          result_.notes.push_back("stopped at max-states " + std::to_string(config_.max_states));
          break;
        }
        if ((expanded & 1023) == 0) report_progress(false);
      }
    }
    if (stop) break;
    frontier.clear();
    frontier.swap(next);
    if (!frontier.empty()) ++depth_;
  }
  result_.complete = !stop && frontier.empty();
  result_.states = store_.size();
  result_.depth = depth_;
  if (result_.complete && config_.liveness) check_liveness();
  report_progress(true);

  const auto end = std::chrono::steady_clock::now();
  result_.seconds = std::chrono::duration<double>(end - start_).count();
  result_.bytes = bytes();
  result_.bytes_per_state = result_.states > 0 ? double(result_.bytes) / double(result_.states) : 0;
  result_.key_bytes_per_state =
      result_.states > 0 ? double(store_.key_bytes()) / double(result_.states) : 0;
  result_.endpoint_encodings = endpoints_.size();
  result_.history_encodings = histories_.size();
  result_.segment_encodings = segments_.size();
  for (std::uint8_t packed : states_) {
    result_.pairs[packed & 0x0F][packed >> 4] = true;
  }
  for (const Transition& t : transitions()) {
    const EventClass c = class_of_row(t.event);
    const bool taken = c != EventClass::Other &&
                       classes_seen_[static_cast<std::size_t>(t.from)]
                                    [static_cast<std::size_t>(t.to)][static_cast<std::size_t>(c)];
    (taken ? result_.rfc_arrows_taken : result_.rfc_arrows_missed).push_back(t.id);
  }
  for (const Found& f : found_) result_.counterexamples.push_back(make_counterexample(f));
  if (options_.collect_arrows) {
    for (auto& [key, rec] : arrows_) {
      std::vector<Action> path = path_to(rec.source);
      path.push_back(rec.action);
      rec.arrow.witness = script_for(root_of(parent_, rec.source), path);
      rec.arrow.witness_depth = path.size();
      result_.arrows.push_back(std::move(rec.arrow));
    }
  }
  return std::move(result_);
}

}  // namespace tcpfsm::harness::explore_detail

namespace tcpfsm::harness {

ExploreResult explore(const ExploreConfig& config, const ExploreOptions& options) {
  explore_detail::Explorer e(config, options);
  return e.run();
}

}  // namespace tcpfsm::harness
