// The shadow of the invariant monitor's history (explorer_shadow.hpp): the same rules as
// InvariantMonitor (invariants.cpp) on the same steps, and the encoding of it in world keys.
#include "harness/explorer_shadow.hpp"

#include "harness/explorer_store.hpp"
#include "harness/invariant_history.hpp"

namespace tcpfsm::harness::explore_detail {

void Shadow::step(const StepRecord& s, const WorldView& w, const EndpointUnderTest* self_ep) {
  const int self = s.who == Actor::B ? 1 : 0;
  ShadowSide& h = sides[static_cast<std::size_t>(self)];
  ShadowSide& peer = sides[static_cast<std::size_t>(1 - self)];
  const TcbSnapshot* before = s.tcb_before ? &*s.tcb_before : nullptr;
  const TcbSnapshot* after = s.tcb_after ? &*s.tcb_after : nullptr;
  const Segment* seg = nullptr;
  if (const auto* arrival = std::get_if<SegmentArrives>(&s.event)) seg = &arrival->seg;
  const State from = s.outcome.from;
  const State to = s.outcome.to;
  const Millis now = std::max(s.now, w.now);

  // Incarnations: a new one on leaving CLOSED or LISTEN for a connection or on a reopen from
  // TIME-WAIT (which suspends the old one); the suspended one comes back on a fallback.
  const bool fallback = from == State::SynReceived && to == State::TimeWait && seg != nullptr &&
                        h.suspended.has_value();
  bool fresh = false;
  if (fallback) {
    h.cur = *h.suspended;
    h.suspended.reset();
  } else if ((no_connection(from) && !no_connection(to)) ||
             (from == State::TimeWait && to == State::SynReceived)) {
    fresh = true;
    if (from == State::TimeWait) {
      h.suspended = h.cur;
    } else {
      if (h.suspended) h.archive(*h.suspended);
      h.suspended.reset();
      h.archive(h.cur);
    }
    h.cur = ShadowIncarnation{};
    h.cur.reopened = from == State::TimeWait;
  } else if (h.suspended && from == State::SynReceived && to != State::SynReceived) {
    h.archive(*h.suspended);
    h.suspended.reset();
  }
  const bool continuing = before != nullptr && after != nullptr && !no_connection(from) &&
                          !no_connection(to) && !fresh && !fallback;
  ShadowIncarnation& cur = h.cur;

  cur.visited |= bit(to);
  if (!fresh) cur.visited |= bit(from);
  if (seg != nullptr) cur.visited |= history::passed_through(from, to);
  if (to == State::SynReceived && from != State::SynReceived && !fallback) cur.origin = from;

  for (const Segment& out : s.outcome.sent) {
    if (out.rst()) continue;
    if (out.syn() && !cur.iss) cur.iss = out.seq;
    if (out.syn() && out.len > 0) cur.syn_carried_data = true;
    if (out.fin() && !cur.fin_seq) cur.fin_seq = out.seq + (out.syn() ? 1u : 0u) + out.len;
  }
  const bool ok = !s.outcome.notices.empty() && s.outcome.notices.front().kind == NoticeKind::Ok;
  if (const auto* send = std::get_if<SendCall>(&s.event); send && ok) cur.sent += send->len;
  for (const Notice& n : s.outcome.notices) {
    if (n.kind == NoticeKind::Delivered) cur.delivered += n.length;
  }
  if (std::get_if<CloseCall>(&s.event) != nullptr && !cur.close_called &&
      in_set(from, {State::SynReceived, State::Established, State::CloseWait}) &&
      (ok || from != to)) {
    cur.close_called = true;
    cur.close_step = s.index;
    cur.sent_at_close = cur.sent;
  }
  if (after != nullptr && after->irs_defined && !no_connection(to)) {
    cur.irs = after->irs;
  } else if (!cur.irs && seg != nullptr && seg->syn() && !seg->rst() &&
             (fresh || from == State::SynSent) &&
             (to == State::SynReceived || is_synchronized(to))) {
    cur.irs = seg->seq;
  }
  if (history::fin_arrived_in(s, before, after, continuing, fallback) && !cur.fin_arrived) {
    cur.fin_arrived = true;
    cur.fin_step = s.index;
  }
  // TIME-WAIT (re)starts, as the monitor notes them for E9.
  if (to == State::TimeWait) {
    std::optional<Millis> deadline;
    if (self_ep != nullptr) {
      if (auto t = self_ep->next_timer(); t && t->first == TimerKind::TimeWait)
        deadline = t->second;
    }
    const bool entered = from != State::TimeWait;
    bool restarted = !entered && (s.outcome.rule == Rule::TimeWaitAcksRetransmittedFin ||
                                  s.outcome.rule == Rule::TimeWaitFinRestartsTimer);
    if (!entered && !restarted && deadline && cur.time_wait_deadline &&
        *deadline != *cur.time_wait_deadline) {
      restarted = true;
    }
    if (entered || restarted) {
      cur.time_wait_start = now;
      cur.time_wait_deadline = deadline;
    }
    if (entered && std::get_if<AbortCall>(&s.event) != nullptr) cur.time_wait_by_abort = true;
  }
  if (std::get_if<AbortCall>(&s.event) != nullptr && continuing && to == State::TimeWait) {
    const std::uint64_t was = before->recv_unread + before->delivered_total;
    const std::uint64_t is = after->recv_unread + after->delivered_total;
    if (was > is) cur.flushed += was - is;
  }
  h.state = to;

  // The run's flags.
  const Outcome& o = s.outcome;
  for (const Segment& out : o.sent) {
    if (out.rst()) rst = true;
  }
  if (seg != nullptr && seg->rst()) rst = true;
  if (std::get_if<AbortCall>(&s.event) != nullptr && o.from != State::Closed) abort = true;
  if (o.rule == Rule::UserTimeoutCloses || o.rule == Rule::RetransmissionLimitCloses ||
      o.rule == Rule::RetransmissionLimitReturnsToListen || o.rule == Rule::FinWait2Expires ||
      history::has_error(o, UserError::UserTimeout) ||
      history::has_error(o, UserError::RetransmissionTimeout)) {
    ending_timeout = true;
  }
  if (const auto* t = std::get_if<TimerExpires>(&s.event);
      t && o.from != o.to && t->timer != TimerKind::TimeWait) {
    ending_timeout = true;
  }
  // Finding F1, as InvariantMonitor::Impl::note_closed_rsts judges it.
  if (seg != nullptr && take_closed_rst(1 - self, *seg) && !no_connection(from) &&
      from != State::SynSent && no_connection(to) && before != nullptr &&
      seg->seq == before->rcv_nxt) {
    stale_closed_rst = true;
  }
  if (from == State::Closed && to == State::Closed) {
    for (const Segment& out : o.sent) {
      if (out.rst() && out.ack_flag() && out.seq == SeqNum(0)) {
        closed_rsts.emplace_back(self, out.ack);
      }
    }
  }
  if (h.close_done() && peer.close_done()) {
    h.cur.roles_checked = true;
    peer.cur.roles_checked = true;
  }
  network_run = true;
  in_flight = {w.in_flight_to_a, w.in_flight_to_b};
  update_network();
}

bool Shadow::take_closed_rst(int sender, const Segment& seg) {
  if (!seg.rst() || !seg.ack_flag() || seg.seq != SeqNum(0)) return false;
  const auto it = std::find(closed_rsts.begin(), closed_rsts.end(), std::pair{sender, seg.ack});
  if (it == closed_rsts.end()) return false;
  closed_rsts.erase(it);
  return true;
}

void Shadow::fault(FaultKind kind, Actor from, const Segment& seg) {
  std::size_t& towards_peer = in_flight[from == Actor::A ? 1 : 0];
  const int sender = from == Actor::B ? 1 : 0;
  switch (kind) {
    case FaultKind::Loss:
      loss = true;
      if (towards_peer > 0) --towards_peer;
      take_closed_rst(sender, seg);
      break;
    case FaultKind::Duplication:
      ++towards_peer;
      if (take_closed_rst(sender, seg)) closed_rsts.insert(closed_rsts.end(), 2, {sender, seg.ack});
      break;
    case FaultKind::Reordering:
    case FaultKind::Delay: break;
  }
  update_network();
}

void Shadow::update_network() {
  if (!network_run) return;
  const bool idle = in_flight[0] == 0 && in_flight[1] == 0;
  const State sa = sides[0].state;
  const State sb = sides[1].state;
  if (half_open_side != 0) {
    const State sx = sides[static_cast<std::size_t>(half_open_side - 1)].state;
    const State sy = sides[static_cast<std::size_t>(half_open_side == 1 ? 1 : 0)].state;
    if (!is_synchronized(sx) || is_synchronized(sy)) half_open_side = 0;
  }
  if (!idle) return;
  closed_rsts.clear();
  if (no_connection(sa) && no_connection(sb)) {
    loss = rst = abort = ending_timeout = stale_closed_rst = false;
    half_open_side = 0;
    return;
  }
  if (half_open_side == 0) {
    if (is_synchronized(sa) && no_connection(sb)) half_open_side = 1;
    if (is_synchronized(sb) && no_connection(sa)) half_open_side = 2;
  }
}

namespace {

// One incarnation as the checks read it: step numbers only as the order of CLOSE and the peer's
// FIN; TIME-WAIT's start as its age, cut off at 2*MSL (E9 cannot fail once that much time has
// passed), and its deadline relative to the clock (due counts as now).
void encode_incarnation(std::string& out, const ShadowIncarnation& inc, Millis now,
                        Millis two_msl) {
  put_num(out, inc.visited);
  put_num(out, inc.origin ? 1 + static_cast<unsigned>(*inc.origin) : 0);
  const bool order = inc.close_called && inc.fin_arrived && inc.close_step < inc.fin_step;
  const bool flags[] = {inc.reopened,
                        inc.syn_carried_data,
                        inc.close_called,
                        inc.fin_arrived,
                        order,
                        inc.time_wait_by_abort,
                        inc.roles_checked,
                        inc.iss.has_value(),
                        inc.irs.has_value(),
                        inc.fin_seq.has_value(),
                        inc.time_wait_deadline.has_value()};
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < std::size(flags); ++i) bits |= std::uint64_t{flags[i]} << i;
  put_num(out, bits);
  if (inc.iss) put_num(out, inc.iss->raw());
  if (inc.irs) put_num(out, inc.irs->raw());
  if (inc.fin_seq) put_num(out, inc.fin_seq->since(inc.iss.value_or(SeqNum(0))));
  put_num(out, inc.sent);
  put_num(out, inc.sent_at_close);
  put_num(out, inc.delivered);
  put_num(out, inc.flushed);
  if ((inc.visited & bit(State::TimeWait)) != 0) {
    put_num(out, std::min<Millis>(now - std::min(now, inc.time_wait_start), two_msl));
    if (inc.time_wait_deadline) {
      const Millis d = *inc.time_wait_deadline;
      put_num(out, d <= now ? 0 : d - now);
    }
  }
}

}  // namespace

void encode_shadow_side(std::string& out, const ShadowSide& h, Millis now, Millis two_msl) {
  put_num(out, static_cast<unsigned>(h.state));
  encode_incarnation(out, h.cur, now, two_msl);
  put_num(out, h.suspended ? 1 : 0);
  if (h.suspended) encode_incarnation(out, *h.suspended, now, two_msl);
  // Past incarnations are only ever looked up by ISS (the peer's IRS), newest first, and only
  // for what their user sent and whether it closed.
  std::vector<SeqNum> seen;
  if (h.cur.iss) seen.push_back(*h.cur.iss);
  if (h.suspended && h.suspended->iss) seen.push_back(*h.suspended->iss);
  for (auto it = h.past.rbegin(); it != h.past.rend(); ++it) {
    if (!it->iss || std::find(seen.begin(), seen.end(), *it->iss) != seen.end()) continue;
    seen.push_back(*it->iss);
    put_num(out, 1);
    put_num(out, it->iss->raw());
    put_num(out, it->sent);
    put_num(out, it->sent_at_close);
    put_num(out, it->close_called ? 1 : 0);
  }
  put_num(out, 0);
}

}  // namespace tcpfsm::harness::explore_detail
