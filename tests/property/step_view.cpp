#include "step_view.hpp"

#include <algorithm>
#include <sstream>

namespace tcpfsm::prop {

namespace {

constexpr int kMaxFiringsPerAdvance = 10'000;

std::string timer_text(const std::optional<std::pair<TimerKind, Millis>>& t) {
  if (!t) return "none";
  return std::string(to_string(t->first)) + " at " + std::to_string(t->second) + " ms";
}

std::string deadline_text(const std::optional<Millis>& d) {
  return d ? std::to_string(*d) + " ms" : "not armed";
}

std::string notices_text(const std::vector<Notice>& ns) {
  std::string out;
  for (const Notice& n : ns) out += (out.empty() ? "" : "; ") + to_string(n);
  return out.empty() ? "nothing" : out;
}

// The TcbSnapshot fields that differ, as "name: want X, got Y".
std::string tcb_diff(const TcbSnapshot& want, const TcbSnapshot& got) {
  std::string out;
  auto add = [&out](const char* name, auto w, auto g) {
    if (w == g) return;
    if (!out.empty()) out += ", ";
    out += std::string(name) + " reference " + std::to_string(w) + " implementation " +
           std::to_string(g);
  };
  auto seq = [&add](const char* name, SeqNum w, SeqNum g) { add(name, w.raw(), g.raw()); };
  seq("ISS", want.iss, got.iss);
  seq("SND.UNA", want.snd_una, got.snd_una);
  seq("SND.NXT", want.snd_nxt, got.snd_nxt);
  seq("SND.WL1", want.snd_wl1, got.snd_wl1);
  seq("SND.WL2", want.snd_wl2, got.snd_wl2);
  seq("SND.UP", want.snd_up, got.snd_up);
  seq("SND.MAX", want.snd_max, got.snd_max);
  add("SND.WND", want.snd_wnd, got.snd_wnd);
  add("MAX.SND.WND", want.max_snd_wnd, got.max_snd_wnd);
  seq("IRS", want.irs, got.irs);
  seq("RCV.NXT", want.rcv_nxt, got.rcv_nxt);
  seq("RCV.UP", want.rcv_up, got.rcv_up);
  add("RCV.WND", want.rcv_wnd, got.rcv_wnd);
  add("iss_defined", want.iss_defined, got.iss_defined);
  add("irs_defined", want.irs_defined, got.irs_defined);
  add("passive_open", want.passive_open, got.passive_open);
  add("from_time_wait", want.from_time_wait, got.from_time_wait);
  add("close_requested", want.close_requested, got.close_requested);
  add("fin_sent", want.fin_sent, got.fin_sent);
  add("fin_acked", want.fin_acked, got.fin_acked);
  add("fin_received", want.fin_received, got.fin_received);
  seq("fin_seq", want.fin_seq, got.fin_seq);
  add("send_queued", want.send_queued, got.send_queued);
  add("recv_unread", want.recv_unread, got.recv_unread);
  add("delivered_total", want.delivered_total, got.delivered_total);
  return out;
}

std::optional<std::string> compare_step(const StepView& want, const StepView& got) {
  if (!(want.event == got.event)) {
    return "event: reference " + to_string(want.event) + ", implementation " + to_string(got.event);
  }
  if (want.now != got.now) {
    return "clock: reference " + std::to_string(want.now) + " ms, implementation " +
           std::to_string(got.now) + " ms";
  }
  const Outcome& w = want.outcome;
  const Outcome& g = got.outcome;
  if (w.from != g.from || w.to != g.to) {
    return "transition: reference " + std::string(to_string(w.from)) + " -> " +
           std::string(to_string(w.to)) + ", implementation " + std::string(to_string(g.from)) +
           " -> " + std::string(to_string(g.to));
  }
  const std::size_t common = std::min(w.sent.size(), g.sent.size());
  for (std::size_t i = 0; i < common; ++i) {
    if (!(w.sent[i] == g.sent[i])) {
      return "segment " + std::to_string(i + 1) + " sent: reference " + segment_text(w.sent[i]) +
             ", implementation " + segment_text(g.sent[i]);
    }
  }
  if (w.sent.size() != g.sent.size()) {
    const bool more = g.sent.size() > w.sent.size();
    const Segment& extra = more ? g.sent[common] : w.sent[common];
    return "segments sent: reference " + std::to_string(w.sent.size()) + ", implementation " +
           std::to_string(g.sent.size()) + " (" + (more ? "extra " : "missing ") +
           segment_text(extra) + ")";
  }
  if (w.notices != g.notices) {
    return "notices: reference " + notices_text(w.notices) + ", implementation " +
           notices_text(g.notices);
  }
  return compare_observed(want, got);
}

}  // namespace

std::string segment_text(const Segment& s) {
  std::ostringstream o;
  o << "<SEQ=" << s.seq.raw() << "><ACK=" << s.ack.raw() << "><CTL=" << ctl_to_string(s.ctl)
    << "><LEN=" << s.len << "><WND=" << s.wnd << "><UP=" << s.up << ">";
  return o.str();
}

std::string action_text(const Action& a) {
  if (const auto* t = std::get_if<AdvanceTime>(&a)) return "time +" + std::to_string(t->by);
  const Event& e = std::get<Event>(a);
  if (const auto* s = std::get_if<SegmentArrives>(&e)) return "rcv " + segment_text(s->seg);
  return to_string(e);
}

void observe(const harness::EndpointUnderTest& ep, StepView& v) {
  v.state = ep.state();
  v.tcb = ep.tcb();
  v.next_timer = ep.next_timer();
  for (int k = 0; k < kTimerKinds; ++k) {
    v.deadlines[static_cast<std::size_t>(k)] = ep.deadline(static_cast<TimerKind>(k));
  }
}

std::vector<StepView> perform(harness::EndpointUnderTest& ep, Millis& now, const Action& action) {
  std::vector<StepView> steps;
  auto step = [&](const Event& e) {
    StepView v;
    v.event = e;
    v.now = now;
    v.tcb_before = ep.tcb();
    for (int k = 0; k < kTimerKinds; ++k) {
      v.deadlines_before[static_cast<std::size_t>(k)] = ep.deadline(static_cast<TimerKind>(k));
    }
    v.outcome = ep.step(e, now);
    observe(ep, v);
    steps.push_back(std::move(v));
  };
  if (const auto* advance = std::get_if<AdvanceTime>(&action)) {
    // As a script's `time +N`: every timer due by then fires at its deadline, in order.
    const Millis target = now + advance->by;
    for (int i = 0; i < kMaxFiringsPerAdvance; ++i) {
      const auto next = ep.next_timer();
      if (!next || next->second > target) break;
      now = std::max(now, next->second);
      step(TimerExpires{next->first});
    }
    now = std::max(now, target);
    return steps;
  }
  const Event& e = std::get<Event>(action);
  if (const auto* t = std::get_if<TimerExpires>(&e)) {
    // As a script's `timeout KIND`: the clock moves to the deadline first, if it is armed.
    if (auto d = ep.deadline(t->timer)) now = std::max(now, *d);
  }
  step(e);
  return steps;
}

// Compares what the two endpoints look like after a step (or after a command).
std::optional<std::string> compare_observed(const StepView& want, const StepView& got) {
  if (want.state != got.state) {
    return "state: reference " + std::string(to_string(want.state)) + ", implementation " +
           std::string(to_string(got.state));
  }
  if (want.tcb.has_value() != got.tcb.has_value()) {
    return std::string("TCB snapshot: ") + (got.tcb ? "" : "not ") +
           "exposed by the implementation";
  }
  if (want.tcb && !(*want.tcb == *got.tcb)) return "TCB: " + tcb_diff(*want.tcb, *got.tcb);
  if (want.next_timer != got.next_timer) {
    return "next timer: reference " + timer_text(want.next_timer) + ", implementation " +
           timer_text(got.next_timer);
  }
  for (int k = 0; k < kTimerKinds; ++k) {
    const auto i = static_cast<std::size_t>(k);
    if (want.deadlines[i] != got.deadlines[i]) {
      return std::string(to_string(static_cast<TimerKind>(k))) + " timer: reference " +
             deadline_text(want.deadlines[i]) + ", implementation " +
             deadline_text(got.deadlines[i]);
    }
  }
  return std::nullopt;
}

std::optional<std::string> compare_steps(const std::vector<StepView>& want,
                                         const std::vector<StepView>& got) {
  const std::size_t common = std::min(want.size(), got.size());
  for (std::size_t i = 0; i < common; ++i) {
    if (auto d = compare_step(want[i], got[i])) {
      return (want.size() > 1 ? "timer firing " + std::to_string(i + 1) + ", " : "") + *d;
    }
  }
  if (want.size() != got.size()) {
    const bool more = got.size() > want.size();
    return "steps: reference " + std::to_string(want.size()) + ", implementation " +
           std::to_string(got.size()) + " (" + (more ? "extra " : "missing ") +
           to_string((more ? got : want)[common].event) + ")";
  }
  return std::nullopt;
}

}  // namespace tcpfsm::prop
