#include "harness/script_runner.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <type_traits>

#include "harness/invariants.hpp"
#include "harness/trace.hpp"

namespace tcpfsm::harness {

namespace {

constexpr std::uint32_t kDefaultInjectWindow = 65535;

std::string actor_prefix(Actor a) {
  switch (a) {
    case Actor::Self: return "";
    case Actor::A: return "A: ";
    case Actor::B: return "B: ";
  }
  return "";
}

// The state of one run: the endpoints (one, or two inside a Network), what each has sent that
// no '>' line has looked at yet, and each one's last step for '=>', 'why' and 'tcb' lines.
class Runner {
 public:
  Runner(const Script& script, const RunOptions& options) : script_(script), options_(options) {}

  RunResult run();

 private:
  struct Side {
    std::deque<Segment> unchecked;
    std::optional<std::size_t> last_step;
    std::size_t notice_cursor = 0;
    std::optional<SeqNum> learned_iss;
    std::optional<SeqNum> observed_snd_nxt;
  };

  bool fail(const ScriptLine& at, std::string message) {
    if (!result_.failure) result_.failure = RunFailure{at.pos, std::move(message)};
    return false;
  }

  EndpointUnderTest& endpoint(Actor who) {
    return script_.two_endpoints ? network_->endpoint(who) : *single_;
  }
  Side& side(Actor who) { return who == Actor::B ? side_b_ : side_a_; }
  Actor peer(Actor who) const { return who == Actor::A ? Actor::B : Actor::A; }

  // The ISS that relative numbers of `who`'s own sequence space count from.
  SeqNum own_base(Actor who) {
    if (auto t = endpoint(who).tcb(); t && t->iss_defined) return t->iss;
    if (auto l = side(who).learned_iss) return *l;
    return SeqNum(who == Actor::B ? script_.iss_b : script_.iss_a);
  }
  // The ISS of the other side of `who`: the script's peer, or the other endpoint.
  SeqNum peer_base(Actor who) {
    if (!script_.two_endpoints) return SeqNum(script_.iss_b);
    return own_base(peer(who));
  }
  static SeqNum resolve(const Number& n, SeqNum base) {
    return n.absolute ? SeqNum(n.value) : base + n.value;
  }
  SeqNum current_snd_nxt(Actor who) {
    if (auto t = endpoint(who).tcb(); t && t->iss_defined) return t->snd_nxt;
    if (auto o = side(who).observed_snd_nxt) return *o;
    return own_base(who) + 1;
  }

  void after_step(Actor who, const StepRecord& rec, int line);
  bool step_single(const Event& e, int line);
  bool check_violations(const ScriptLine& at);
  bool check_nothing_unchecked(const ScriptLine& at);
  bool play(const ScriptLine& sl);
  bool play_line(const ScriptLine& sl, const InjectLine& l);
  bool play_line(const ScriptLine& sl, const ExpectSegmentLine& l);
  bool play_line(const ScriptLine& sl, const CallLine& l);
  bool play_line(const ScriptLine& sl, const ExpectStateLine& l);
  bool play_line(const ScriptLine& sl, const ExpectNoticeLine& l);
  bool play_line(const ScriptLine& sl, const ExpectRuleLine& l);
  bool play_line(const ScriptLine& sl, const ExpectTcbLine& l);
  bool play_line(const ScriptLine& sl, const TimeLine& l);
  bool play_line(const ScriptLine& sl, const TimeoutLine& l);
  bool play_line(const ScriptLine& sl, const NetworkLine& l);
  bool play_line(const ScriptLine& sl, const FaultsLine& l);
  bool play_line(const ScriptLine& sl, const RunLine& l);
  const StepRecord* last_step(Actor who) {
    auto i = side(who).last_step;
    if (!i) return nullptr;
    return script_.two_endpoints ? &network_->steps()[*i] : &single_steps_[*i];
  }
  std::string describe_segment(Actor sender, const Segment& s);

  const Script& script_;
  const RunOptions& options_;
  RunResult result_;
  std::unique_ptr<EndpointUnderTest> single_;
  std::unique_ptr<Network> network_;
  std::vector<StepRecord> single_steps_;
  std::vector<std::pair<std::size_t, Violation>> single_violations_;
  std::vector<RunObserver*> observers_;
  InvariantMonitor monitor_;
  Side side_a_, side_b_;
  Millis now_ = 0;
  bool forged_ = false;  // a segment was injected into a two-endpoint run
  int current_line_ = 0;
};

std::string Runner::describe_segment(Actor sender, const Segment& s) {
  // Both the absolute RFC form and the offsets the script would use.
  std::string out = to_string(s);
  const SeqNum seq_base = own_base(sender);
  out += " (relative: " + std::to_string(s.seq.since(seq_base));
  if (s.ack_flag()) {
    out += ", ack " + std::to_string(s.ack.since(script_.two_endpoints ? own_base(peer(sender))
                                                                       : SeqNum(script_.iss_b)));
  }
  out += ")";
  return out;
}

void Runner::after_step(Actor who, const StepRecord& rec, int line) {
  Side& s = side(who);
  s.last_step = rec.index;
  s.notice_cursor = 0;
  for (const Segment& seg : rec.outcome.sent) {
    s.unchecked.push_back(seg);
    if (seg.syn()) s.learned_iss = seg.seq;
    if (!seg.rst()) {
      const SeqNum end = seg.seq + seg.seg_len();
      if (!s.observed_snd_nxt || seq_gt(end, *s.observed_snd_nxt)) s.observed_snd_nxt = end;
    }
  }
  while (result_.step_lines.size() <= rec.index) result_.step_lines.push_back(line);
}

bool Runner::step_single(const Event& e, int line) {
  StepRecord rec;
  rec.index = single_steps_.size();
  rec.who = Actor::Self;
  rec.now = now_;
  rec.event = e;
  rec.profile = &single_->profile();
  rec.tcb_before = single_->tcb();
  rec.outcome = single_->step(e, now_);
  rec.tcb_after = single_->tcb();
  single_steps_.push_back(std::move(rec));
  const StepRecord& stored = single_steps_.back();
  if (const auto* in = std::get_if<SegmentArrives>(&e)) {
    result_.wire.push_back({WireEvent::Kind::Delivered, now_, Actor::B, in->seg, stored.index});
  }
  for (const Segment& s : stored.outcome.sent) {
    result_.wire.push_back({WireEvent::Kind::Sent, now_, Actor::Self, s, stored.index + 1});
  }
  const WorldView w{single_.get(), nullptr, 0, 0, now_};
  for (auto* o : observers_) {
    for (auto& v : o->on_step(stored, w))
      single_violations_.emplace_back(stored.index, std::move(v));
  }
  after_step(Actor::Self, stored, line);
  return true;
}

bool Runner::check_violations(const ScriptLine& at) {
  auto found = script_.two_endpoints ? network_->take_violations() : std::move(single_violations_);
  single_violations_.clear();
  if (forged_) {
    std::erase_if(found, [](const auto& iv) {
      const InvariantInfo* info = find_invariant(iv.second.invariant);
      return info == nullptr || info->network_level;
    });
  }
  if (found.empty()) return true;
  const auto& [index, v] = found.front();
  return fail(at, "invariant " + v.invariant + " violated at step " + std::to_string(index + 1) +
                      ": " + v.detail + " [" + v.rfc + "]");
}

bool Runner::check_nothing_unchecked(const ScriptLine& at) {
  // Only single-endpoint scripts are strict: there the script is the peer and must say what it
  // expects to receive.
  if (script_.two_endpoints || side_a_.unchecked.empty()) return true;
  return fail(at, "the endpoint sent " + describe_segment(Actor::Self, side_a_.unchecked.front()) +
                      ", which no '>' line expected");
}

bool Runner::play_line(const ScriptLine& sl, const InjectLine& l) {
  const Actor to = script_.two_endpoints ? l.to : Actor::Self;
  Segment s;
  s.ctl = l.seg.ctl;
  s.seq = resolve(l.seg.seq, peer_base(to));
  s.len = l.seg.len;
  s.wnd = l.seg.wnd.value_or(kDefaultInjectWindow);
  s.up = l.seg.up.value_or(0);
  if (s.ack_flag()) s.ack = l.seg.ack ? resolve(*l.seg.ack, own_base(to)) : current_snd_nxt(to);
  if (!script_.two_endpoints) return step_single(SegmentArrives{s}, sl.pos.line);
  // A segment injected into a two-endpoint run is a forgery: from now on what one endpoint
  // delivers need not be what the other sent, so only each endpoint's own invariants apply.
  forged_ = true;
  const StepRecord& rec = network_->act(to, SegmentArrives{s});
  after_step(to, rec, sl.pos.line);
  return true;
}

bool Runner::play_line(const ScriptLine& sl, const ExpectSegmentLine& l) {
  Side& s = side(l.from);
  if (!l.seg) {
    if (s.unchecked.empty()) return true;
    return fail(sl, "expected nothing more to be sent, but the endpoint sent " +
                        describe_segment(l.from, s.unchecked.front()));
  }
  const std::string want = print_line(script_, Line{l});
  if (s.unchecked.empty()) return fail(sl, "expected '" + want + "', but nothing was sent");
  const Segment got = s.unchecked.front();
  s.unchecked.pop_front();
  const SegmentSpec& w = *l.seg;
  std::vector<std::string> diffs;
  if (got.ctl != w.ctl) diffs.push_back("flags " + ctl_to_string(got.ctl));
  if (got.seq != resolve(w.seq, own_base(l.from))) diffs.push_back("SEQ");
  if (got.len != w.len) diffs.push_back("length " + std::to_string(got.len));
  if (w.ack && (w.ctl & kAck) && got.ack != resolve(*w.ack, peer_base(l.from))) {
    diffs.push_back("ACK");
  }
  if (w.wnd && got.wnd != *w.wnd) diffs.push_back("window " + std::to_string(got.wnd));
  if (w.up && got.up != *w.up) diffs.push_back("urgent pointer " + std::to_string(got.up));
  if (diffs.empty()) {
    ++result_.expectations;
    return true;
  }
  std::string differ;
  for (const auto& d : diffs) differ += (differ.empty() ? "" : ", ") + d;
  return fail(sl, "expected '" + want + "', but the endpoint sent " +
                      describe_segment(l.from, got) + " (differs in " + differ + ")");
}

bool Runner::play_line(const ScriptLine& sl, const CallLine& l) {
  if (!script_.two_endpoints) return step_single(l.call, sl.pos.line);
  const StepRecord& rec = network_->act(l.who, l.call);
  after_step(l.who, rec, sl.pos.line);
  return true;
}

bool Runner::play_line(const ScriptLine& sl, const ExpectStateLine& l) {
  const State got = endpoint(l.who).state();
  if (got == l.state) {
    ++result_.expectations;
    return true;
  }
  return fail(sl, actor_prefix(l.who) + "expected state " + std::string(to_string(l.state)) +
                      ", but the endpoint is in " + std::string(to_string(got)));
}

bool Runner::play_line(const ScriptLine& sl, const ExpectNoticeLine& l) {
  const StepRecord* last = last_step(l.who);
  if (!last) return fail(sl, "'=>' needs an earlier action of this endpoint");
  Side& s = side(l.who);
  const auto& notices = last->outcome.notices;
  for (std::size_t i = s.notice_cursor; i < notices.size(); ++i) {
    if (notices[i] == l.notice) {
      s.notice_cursor = i + 1;
      ++result_.expectations;
      return true;
    }
  }
  std::string seen;
  for (const auto& n : notices) seen += (seen.empty() ? "" : "; ") + to_string(n);
  return fail(sl, actor_prefix(l.who) + "expected the user to be told '" + to_string(l.notice) +
                      "', but the last action told: " + (seen.empty() ? "nothing" : seen));
}

bool Runner::play_line(const ScriptLine& sl, const ExpectRuleLine& l) {
  const StepRecord* last = last_step(l.who);
  if (!last) return fail(sl, "'why' needs an earlier action of this endpoint");
  if (last->outcome.rule == l.rule) {
    ++result_.expectations;
    return true;
  }
  const RuleInfo want = describe(l.rule);
  const RuleInfo got = describe(last->outcome.rule);
  return fail(sl, actor_prefix(l.who) + "expected the decision " + std::string(want.name) + " (" +
                      std::string(want.section) + "), but it was " + std::string(got.name) + " (" +
                      std::string(got.section) + ")");
}

bool Runner::play_line(const ScriptLine& sl, const ExpectTcbLine& l) {
  const auto tcb = endpoint(l.who).tcb();
  if (!tcb)
    return fail(sl, "this implementation does not expose its TCB; 'tcb' lines cannot be checked");
  for (const auto& entry : l.values) {
    const TcbVar var = entry.first;
    const Number n = entry.second;
    const SeqNum own = own_base(l.who);
    const SeqNum peer = peer_base(l.who);
    std::uint32_t got = 0;
    std::uint32_t want = n.value;
    const char* name = "?";
    auto seq_var = [&](const char* nm, SeqNum value, SeqNum base) {
      name = nm;
      got = value.raw();
      want = resolve(n, base).raw();
    };
    auto plain_var = [&](const char* nm, std::uint32_t value) {
      name = nm;
      got = value;
      want = n.value;
    };
    switch (var) {
      case TcbVar::Iss:
        seq_var("iss", tcb->iss,
                SeqNum(script_.two_endpoints && l.who == Actor::B ? script_.iss_b : script_.iss_a));
        break;
      case TcbVar::Irs: seq_var("irs", tcb->irs, peer); break;
      case TcbVar::SndUna: seq_var("snd.una", tcb->snd_una, own); break;
      case TcbVar::SndNxt: seq_var("snd.nxt", tcb->snd_nxt, own); break;
      case TcbVar::SndWnd: plain_var("snd.wnd", tcb->snd_wnd); break;
      case TcbVar::SndWl1: seq_var("snd.wl1", tcb->snd_wl1, peer); break;
      case TcbVar::SndWl2: seq_var("snd.wl2", tcb->snd_wl2, own); break;
      case TcbVar::SndUp: seq_var("snd.up", tcb->snd_up, own); break;
      case TcbVar::MaxSndWnd: plain_var("max.snd.wnd", tcb->max_snd_wnd); break;
      case TcbVar::RcvNxt: seq_var("rcv.nxt", tcb->rcv_nxt, peer); break;
      case TcbVar::RcvWnd: plain_var("rcv.wnd", tcb->rcv_wnd); break;
      case TcbVar::RcvUp: seq_var("rcv.up", tcb->rcv_up, peer); break;
    }
    if (got != want) {
      return fail(sl, actor_prefix(l.who) + "expected " + name + " = " + std::to_string(want) +
                          ", but it is " + std::to_string(got));
    }
  }
  ++result_.expectations;
  return true;
}

bool Runner::play_line(const ScriptLine& sl, const TimeLine& l) {
  const Millis target = l.relative ? now_ + l.value : l.value;
  if (target < now_) {
    return fail(sl, "time cannot go back: the clock is at " + std::to_string(now_) + " ms");
  }
  if (script_.two_endpoints) {
    const std::size_t before = network_->steps().size();
    network_->advance_to(target);
    for (std::size_t i = before; i < network_->steps().size(); ++i) {
      after_step(network_->steps()[i].who, network_->steps()[i], sl.pos.line);
    }
    now_ = network_->now();
    return true;
  }
  for (auto next = single_->next_timer(); next && next->second <= target;
       next = single_->next_timer()) {
    now_ = std::max(now_, next->second);
    step_single(TimerExpires{next->first}, sl.pos.line);
  }
  now_ = target;
  return true;
}

bool Runner::play_line(const ScriptLine& sl, const TimeoutLine& l) {
  const Event e = TimerExpires{l.timer};
  if (!script_.two_endpoints) {
    // A timer fires at its deadline: the clock moves there first if it is not there yet.
    if (auto d = single_->deadline(l.timer)) now_ = std::max(now_, *d);
    return step_single(e, sl.pos.line);
  }
  const StepRecord& rec = network_->act(l.who, e);
  after_step(l.who, rec, sl.pos.line);
  return true;
}

bool Runner::play_line(const ScriptLine& sl, const NetworkLine& l) {
  const std::size_t before = network_->steps().size();
  bool ok = true;
  const std::size_t k = l.index == 0 ? 0 : l.index - 1;
  switch (l.op) {
    case NetOp::Deliver: ok = network_->deliver(l.from, k); break;
    case NetOp::Drop: ok = network_->drop(l.from, k); break;
    case NetOp::Duplicate: ok = network_->duplicate(l.from, k); break;
    case NetOp::Reorder: ok = network_->reorder(l.from); break;
    case NetOp::DeliverAll: network_->deliver_all(); break;
  }
  for (std::size_t i = before; i < network_->steps().size(); ++i) {
    after_step(network_->steps()[i].who, network_->steps()[i], sl.pos.line);
  }
  if (ok) return true;
  const std::size_t have = network_->in_flight(l.from).size();
  return fail(sl, "there " + std::string(have == 1 ? "is " : "are ") + std::to_string(have) +
                      " segment" + (have == 1 ? "" : "s") + " in flight from " +
                      (l.from == Actor::A ? "A" : "B") + ", so this cannot be done");
}

bool Runner::play_line(const ScriptLine&, const FaultsLine& l) {
  network_->set_faults(l);
  return true;
}

bool Runner::play_line(const ScriptLine& sl, const RunLine& l) {
  return play_line(sl, TimeLine{true, l.duration});
}

bool Runner::play(const ScriptLine& sl) {
  current_line_ = sl.pos.line;
  const bool is_action =
      std::holds_alternative<InjectLine>(sl.line) || std::holds_alternative<CallLine>(sl.line) ||
      std::holds_alternative<TimeLine>(sl.line) || std::holds_alternative<TimeoutLine>(sl.line);
  if (is_action && !check_nothing_unchecked(sl)) return false;
  const bool ok = std::visit([&](const auto& l) { return play_line(sl, l); }, sl.line);
  if (network_) now_ = network_->now();
  if (!ok) return false;
  return check_violations(sl);
}

RunResult Runner::run() {
  result_.two_endpoints = script_.two_endpoints;
  result_.iss_a = script_.iss_a;
  result_.iss_b = script_.iss_b;
  auto profile_a = make_profile(script_.profile_a);
  auto profile_b = make_profile(script_.profile_b);
  const ScriptLine header{};
  if (const auto* e = std::get_if<std::string>(&profile_a)) {
    fail(header, "profile: " + *e);
    return std::move(result_);
  }
  if (const auto* e = std::get_if<std::string>(&profile_b)) {
    fail(header, "profile: " + *e);
    return std::move(result_);
  }
  observers_ = options_.extra_observers;
  if (options_.check_invariants) observers_.push_back(&monitor_);
  if (script_.two_endpoints) {
    network_ = std::make_unique<Network>(
        options_.factory(std::get<Profile>(profile_a), SeqNum(script_.iss_a)),
        options_.factory(std::get<Profile>(profile_b), SeqNum(script_.iss_b)));
    for (auto* o : observers_) network_->add_observer(o);
  } else {
    single_ = options_.factory(std::get<Profile>(profile_a), SeqNum(script_.iss_a));
  }
  for (const ScriptLine& sl : script_.lines) {
    if (!play(sl)) break;
  }
  if (!result_.failure && !script_.lines.empty()) check_nothing_unchecked(script_.lines.back());
  if (script_.two_endpoints) {
    result_.steps = network_->steps();
    result_.wire = network_->wire();
  } else {
    result_.steps = std::move(single_steps_);
  }
  return std::move(result_);
}

}  // namespace

RunResult run_script(const Script& script, const RunOptions& options) {
  Runner runner(script, options);
  return runner.run();
}

std::vector<std::string> format_trace(const RunResult& r) {
  std::vector<std::string> out;
  for (const StepRecord& s : r.steps) {
    std::string line = "[" + std::to_string(s.now) + " ms] " + actor_prefix(s.who);
    out.push_back(line + trace_line(s.event, s.outcome));
  }
  return out;
}

}  // namespace tcpfsm::harness
