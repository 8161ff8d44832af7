// The invariant catalogue and the monitor that checks it after every step. The statements are
// the RFC digest's §5 (I1..I18, E1..E10) adapted to what a step shows, plus the network-level
// properties of a pair of endpoints. Where the digest allows alternatives ([I] items) and the
// model documents its choice (docs/model.md), the check accepts that choice.
#include "harness/invariants.hpp"

#include "harness/invariant_history.hpp"

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/rules.hpp"
#include "core/transitions.hpp"

namespace tcpfsm::harness {

namespace {

// ------------------------------------------------------------------------------------------------
// Small vocabulary
// ------------------------------------------------------------------------------------------------

bool in(State s, std::initializer_list<State> set) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

// SYN-RECEIVED or any synchronized state: where §3.10.7.4 applies.
bool after_handshake_started(State s) {
  return s == State::SynReceived || is_synchronized(s);
}

bool no_connection(State s) {
  return s == State::Closed || s == State::Listen;
}

std::string name(State s) {
  return std::string(to_string(s));
}
std::string num(SeqNum s) {
  return to_string(s);
}

bool bare_ack(const Segment& s) {
  return s.ctl == kAck && s.len == 0;
}

const Notice* first_notice(const Outcome& o) {
  return o.notices.empty() ? nullptr : &o.notices.front();
}

using history::has_error;

// RFC 9293 §3.4 Table 5. A segment with data at exactly RCV.NXT into a zero window counts as
// acceptable for its controls (MUST-66; the digest's recommended reading, docs/model.md).
bool acceptable(const Segment& seg, SeqNum rcv_nxt, std::uint32_t rcv_wnd) {
  const std::uint32_t len = seg.seg_len();
  const SeqNum right = rcv_nxt + rcv_wnd;
  if (len == 0 && rcv_wnd == 0) return seg.seq == rcv_nxt;
  if (len == 0) return seq_in_range(rcv_nxt, seg.seq, right);
  if (rcv_wnd == 0) return seg.seq == rcv_nxt;
  return seq_in_range(rcv_nxt, seg.seq, right) || seq_in_range(rcv_nxt, seg.seq + len - 1, right);
}

// ------------------------------------------------------------------------------------------------
// History
// ------------------------------------------------------------------------------------------------

std::uint32_t bit(State s) {
  return 1u << static_cast<unsigned>(s);
}

struct Incarnation {
  std::uint32_t visited = 0;  // one bit per State
  std::optional<State> syn_received_origin;
  bool reopened_from_time_wait = false;
  std::optional<SeqNum> iss;  // the SEQ of the first SYN we sent
  std::optional<SeqNum> irs;  // the SEQ of the peer's SYN that synchronized us
  bool syn_carried_data = false;
  std::optional<SeqNum> fin_seq;  // the sequence number our first FIN occupied
  std::uint64_t sent = 0;         // octets the user's accepted SENDs queued
  std::uint64_t sent_at_close = 0;
  std::uint64_t delivered = 0;  // octets in Delivered notices
  std::uint64_t flushed = 0;    // received octets an ABORT into TIME-WAIT threw away
  bool close_called = false;
  std::size_t close_step = 0;
  bool fin_arrived = false;
  std::size_t fin_step = 0;
  bool time_wait_by_abort = false;
  Millis time_wait_start = 0;
  std::optional<Millis> time_wait_deadline;
  bool time_wait_started_now = false;  // (re)started by the step being checked
  bool roles_checked = false;

  bool has_visited(State s) const { return (visited & bit(s)) != 0; }
  bool closed_before_peer_fin() const {
    return close_called && (!fin_arrived || close_step < fin_step);
  }
};

struct History {
  State state = State::Closed;
  Incarnation cur;
  std::optional<Incarnation> suspended;  // the TIME-WAIT incarnation while a reopen is tried
  // Oldest first, at most 32. A vector, not a deque: an empty deque still allocates, and the
  // explorer copies a monitor per transition.
  std::vector<Incarnation> past;

  void archive(const Incarnation& inc) {
    past.push_back(inc);
    if (past.size() > 32) past.erase(past.begin());
  }
  // The incarnation of this endpoint whose ISS is `iss` (the peer's IRS), if still known.
  const Incarnation* find_by_iss(SeqNum iss) const {
    if (cur.iss == iss) return &cur;
    if (suspended && suspended->iss == iss) return &*suspended;
    for (auto it = past.rbegin(); it != past.rend(); ++it) {
      if (it->iss == iss) return &*it;
    }
    return nullptr;
  }
};

// What the pair has seen since the network was last idle with no connection on either side.
struct RunFlags {
  bool loss = false;
  bool rst = false;
  bool abort = false;
  bool ending_timeout = false;  // user timeout, retransmission limit R2, FIN-WAIT-2 timer
  // A RST that the peer sent while CLOSED reset an endpoint holding a connection (finding F1 of
  // docs/explorer.md): see stale_closed_rst_resets().
  bool stale_closed_rst = false;
  std::optional<int> half_open_side;  // the synchronized endpoint of a half-open episode

  bool graceful() const { return !loss && !rst && !abort && !ending_timeout; }
  bool no_loss_no_abort() const { return !loss && !abort && !ending_timeout; }
};

// ------------------------------------------------------------------------------------------------
// What a check sees
// ------------------------------------------------------------------------------------------------

struct Ctx {
  const StepRecord& step;
  const WorldView& world;
  const Profile& p;
  const TcbSnapshot* before;  // nullptr when not exposed
  const TcbSnapshot* after;
  const Segment* seg;  // the arriving segment, if the event is one
  State from;
  State to;
  const Incarnation& prior;  // this endpoint's incarnation before the step
  const Incarnation& cur;    // and after it
  const History& self;
  const History* peer;  // nullptr unless both endpoints are in the run
  const RunFlags& flags;
  const EndpointUnderTest* self_ep;
  const EndpointUnderTest* peer_ep;
  bool new_incarnation;
  bool time_wait_fallback;  // SYN-RECEIVED back to the TIME-WAIT it reopened from
  bool continuing;          // before and after describe the same incarnation
  bool fin_arrived_now;
  Millis now;

  template <class T>
  const T* event() const {
    return std::get_if<T>(&step.event);
  }
  bool tcb_both() const { return before != nullptr && after != nullptr; }
  std::string where() const {
    return name(from) + " -> " + name(to) + " on " + to_string(step.event) + " (step " +
           std::to_string(step.index) + ")";
  }
};

class Report {
 public:
  Report(std::vector<Violation>& out, const InvariantInfo& info) : out_(out), info_(info) {}
  void fail(std::string detail) {
    out_.push_back(Violation{std::string(info_.id), std::string(info_.rfc), std::move(detail)});
  }

 private:
  std::vector<Violation>& out_;
  const InvariantInfo& info_;
};

using Check = void (*)(const Ctx&, Report&);

// ------------------------------------------------------------------------------------------------
// Variable invariants (digest §5, I1..I10)
// ------------------------------------------------------------------------------------------------

void check_i1(const Ctx& c, Report& r) {
  const TcbSnapshot* t = c.after;
  if (t == nullptr || !t->iss_defined) return;
  if (!seq_le(t->iss, t->snd_una) || !seq_le(t->snd_una, t->snd_nxt) ||
      !seq_le(t->snd_nxt, t->snd_max)) {
    r.fail("ISS=" + num(t->iss) + " SND.UNA=" + num(t->snd_una) + " SND.NXT=" + num(t->snd_nxt) +
           " SND.MAX=" + num(t->snd_max) + " after " + c.where());
  }
}

void check_i2(const Ctx& c, Report& r) {
  if (!c.continuing || !c.before->iss_defined) return;
  if (!seq_le(c.after->snd_una, c.before->snd_max)) {
    r.fail("SND.UNA moved to " + num(c.after->snd_una) + " beyond SND.MAX " +
           num(c.before->snd_max) + " at " + c.where());
  }
  if (c.seg != nullptr && c.seg->ack_flag() && seq_gt(c.seg->ack, c.before->snd_nxt) &&
      c.after->snd_una != c.before->snd_una) {
    r.fail("SEG.ACK=" + num(c.seg->ack) + " beyond SND.NXT=" + num(c.before->snd_nxt) +
           " moved SND.UNA from " + num(c.before->snd_una) + " to " + num(c.after->snd_una) +
           " at " + c.where());
  }
}

void check_i3(const Ctx& c, Report& r) {
  if (!c.continuing || !c.before->iss_defined) return;
  const SeqNum was = c.before->snd_una;
  const SeqNum now = c.after->snd_una;
  if (now == was) return;
  if (seq_lt(now, was)) {
    r.fail("SND.UNA went back from " + num(was) + " to " + num(now) + " at " + c.where());
    return;
  }
  if (c.seg == nullptr || !c.seg->ack_flag()) {
    r.fail("SND.UNA moved from " + num(was) + " to " + num(now) + " without an arriving ACK at " +
           c.where());
    return;
  }
  if (now != c.seg->ack || !seq_lt(was, c.seg->ack)) {
    r.fail("SND.UNA moved from " + num(was) + " to " + num(now) +
           " but SEG.ACK=" + num(c.seg->ack) + " at " + c.where());
  }
}

std::uint64_t accepted(const TcbSnapshot& t) {
  return t.recv_unread + t.delivered_total;
}

void check_i4(const Ctx& c, Report& r) {
  if (!c.continuing || !c.before->irs_defined || !c.after->irs_defined) return;
  const SeqNum was = c.before->rcv_nxt;
  const SeqNum now = c.after->rcv_nxt;
  if (seq_lt(now, was)) {
    r.fail("RCV.NXT went back from " + num(was) + " to " + num(now) + " at " + c.where());
    return;
  }
  if (now == was) return;
  if (c.seg == nullptr) {
    r.fail("RCV.NXT moved from " + num(was) + " to " + num(now) +
           " without an arriving segment at " + c.where());
    return;
  }
  const std::uint64_t acc_before = accepted(*c.before) + c.prior.flushed;
  const std::uint64_t acc_after = accepted(*c.after) + c.cur.flushed;
  const std::uint64_t octets = acc_after >= acc_before ? acc_after - acc_before : 0;
  const std::uint64_t fin = (c.after->fin_received && !c.before->fin_received) ? 1 : 0;
  if (now.since(was) != octets + fin) {
    r.fail("RCV.NXT moved by " + std::to_string(now.since(was)) + " but " + std::to_string(octets) +
           " octets were accepted and " + std::to_string(fin) + " FIN at " + c.where());
  }
}

void check_i5(const Ctx& c, Report& r) {
  if (c.seg == nullptr || !c.tcb_both() || !after_handshake_started(c.from)) return;
  const Rule rule = c.step.outcome.rule;
  const bool says_unacceptable = rule == Rule::UnacceptableSegmentAcked ||
                                 rule == Rule::UnacceptableRstDropped ||
                                 rule == Rule::TimeWaitAcksRetransmittedFin;
  if (!says_unacceptable && acceptable(*c.seg, c.before->rcv_nxt, c.before->rcv_wnd)) return;
  // TIME-WAIT reuse (MAY-2) takes a SYN that fails the test; that is its purpose.
  if (c.from == State::TimeWait && c.to == State::SynReceived) return;
  if (c.to != c.from) {
    r.fail("unacceptable " + to_string(*c.seg) + " (RCV.NXT=" + num(c.before->rcv_nxt) +
           " RCV.WND=" + std::to_string(c.before->rcv_wnd) + ") changed the state: " + c.where());
    return;
  }
  if (!(*c.after == *c.before)) {
    r.fail("unacceptable " + to_string(*c.seg) + " (RCV.NXT=" + num(c.before->rcv_nxt) +
           " RCV.WND=" + std::to_string(c.before->rcv_wnd) + ") changed the TCB at " + c.where());
  }
}

void check_i6(const Ctx& c, Report& r) {
  if (!c.continuing || !c.before->irs_defined || c.before->rcv_wnd != 0) return;
  if (c.after->rcv_nxt != c.before->rcv_nxt) {
    r.fail("RCV.NXT moved from " + num(c.before->rcv_nxt) + " to " + num(c.after->rcv_nxt) +
           " while RCV.WND was 0 at " + c.where());
  }
}

void check_i7(const Ctx& c, Report& r) {
  if (!c.continuing) return;
  if (c.before->irs_defined && c.after->irs_defined) {
    const SeqNum edge_before = c.before->rcv_nxt + c.before->rcv_wnd;
    const SeqNum edge_after = c.after->rcv_nxt + c.after->rcv_wnd;
    if (seq_lt(edge_after, edge_before)) {
      r.fail("RCV.NXT+RCV.WND moved left from " + num(edge_before) + " to " + num(edge_after) +
             " at " + c.where());
    }
  }
  if (!c.before->iss_defined) return;
  const SeqNum limit = c.after->snd_una + c.after->snd_wnd;
  for (const Segment& s : c.step.outcome.sent) {
    if (s.rst() || s.syn() || s.len == 0) continue;
    const SeqNum end = s.seq + s.len;
    if (!seq_gt(end, c.before->snd_max)) continue;      // a retransmission, not new data
    if (s.len == 1 && c.after->snd_wnd == 0) continue;  // zero-window probe (MUST-36)
    if (seq_gt(end, limit)) {
      r.fail("new data " + to_string(s) + " ends at " + num(end) +
             " beyond SND.UNA+SND.WND=" + num(limit) + " at " + c.where());
    }
  }
}

void check_i8(const Ctx& c, Report& r) {
  if (c.after != nullptr && c.after->iss_defined && c.after->max_snd_wnd < c.after->snd_wnd) {
    r.fail("MAX.SND.WND=" + std::to_string(c.after->max_snd_wnd) +
           " below SND.WND=" + std::to_string(c.after->snd_wnd) + " after " + c.where());
  }
  if (!c.continuing || !after_handshake_started(c.from)) return;
  const TcbSnapshot& b = *c.before;
  const TcbSnapshot& a = *c.after;
  if (seq_lt(a.snd_wl1, b.snd_wl1) || (a.snd_wl1 == b.snd_wl1 && seq_lt(a.snd_wl2, b.snd_wl2))) {
    r.fail("(SND.WL1, SND.WL2) went back from (" + num(b.snd_wl1) + ", " + num(b.snd_wl2) +
           ") to (" + num(a.snd_wl1) + ", " + num(a.snd_wl2) + ") at " + c.where());
  }
}

void check_i9(const Ctx& c, Report& r) {
  const TcbSnapshot* t = c.after;
  if (t == nullptr || !t->irs_defined || no_connection(c.to)) return;
  const std::uint64_t octets = accepted(*t) + c.cur.flushed;
  const SeqNum expected =
      t->irs + 1 + static_cast<std::uint32_t>(octets) + (t->fin_received ? 1u : 0u);
  if (t->rcv_nxt != expected) {
    r.fail("RCV.NXT=" + num(t->rcv_nxt) + " but IRS=" + num(t->irs) + " + 1 + " +
           std::to_string(octets) + " octets" + (t->fin_received ? " + FIN" : "") + " = " +
           num(expected) + " after " + c.where());
  }
}

void check_i10(const Ctx& c, Report& r) {
  const TcbSnapshot* t = c.after;
  if (t == nullptr) return;
  if (c.continuing) {
    const TcbSnapshot& b = *c.before;
    if (b.iss_defined && (!t->iss_defined || t->iss != b.iss)) {
      r.fail("ISS changed from " + num(b.iss) + " to " +
             (t->iss_defined ? num(t->iss) : "undefined") + " at " + c.where());
    }
    if (b.irs_defined && (!t->irs_defined || t->irs != b.irs)) {
      r.fail("IRS changed from " + num(b.irs) + " to " +
             (t->irs_defined ? num(t->irs) : "undefined") + " at " + c.where());
    }
  }
  if (in(c.to, {State::Listen, State::SynSent}) && t->irs_defined) {
    r.fail("IRS=" + num(t->irs) + " defined in " + name(c.to) + " after " + c.where());
  }
  if (in(c.to, {State::SynSent, State::SynReceived}) && t->iss_defined) {
    if (t->snd_una != t->iss) {
      r.fail("SND.UNA=" + num(t->snd_una) + " is not ISS=" + num(t->iss) + " in " + name(c.to) +
             " after " + c.where());
    }
    if (!c.cur.syn_carried_data && t->snd_nxt != t->iss + 1) {
      r.fail("SND.NXT=" + num(t->snd_nxt) + " is not ISS+1=" + num(t->iss + 1) + " in " +
             name(c.to) + " after " + c.where());
    }
  }
}

// ------------------------------------------------------------------------------------------------
// State and history invariants (I11..I18)
// ------------------------------------------------------------------------------------------------

// A TIME-WAIT that ABORT entered under rst_sender_enters_time_wait owes nothing to FINs.
bool abort_time_wait(const Ctx& c) {
  return c.to == State::TimeWait && c.cur.time_wait_by_abort;
}

void check_i11(const Ctx& c, Report& r) {
  if (c.after == nullptr || abort_time_wait(c)) return;
  if (!in(c.to, {State::CloseWait, State::Closing, State::LastAck, State::TimeWait})) return;
  if (!c.after->fin_received) {
    r.fail(name(c.to) + " without the peer's FIN taken, after " + c.where());
  }
}

void check_i12(const Ctx& c, Report& r) {
  const TcbSnapshot* t = c.after;
  if (t == nullptr || abort_time_wait(c)) return;
  if (in(c.to,
         {State::FinWait1, State::FinWait2, State::Closing, State::LastAck, State::TimeWait}) &&
      !t->close_requested) {
    r.fail(name(c.to) + " without a CLOSE from the user, after " + c.where());
  }
  if (c.to == State::Established) {
    if (t->close_requested && c.from != State::SynReceived) {
      r.fail("ESTABLISHED with a CLOSE pending, after " + c.where());
    }
    if (t->fin_received) r.fail("ESTABLISHED with the peer's FIN taken, after " + c.where());
  }
}

void check_i13(const Ctx& c, Report& r) {
  const TcbSnapshot* t = c.after;
  if (t == nullptr || abort_time_wait(c)) return;
  auto flags = [t] {
    return std::string(" (fin_sent=") + (t->fin_sent ? "1" : "0") +
           " fin_acked=" + (t->fin_acked ? "1" : "0") +
           " fin_rcvd=" + (t->fin_received ? "1" : "0") +
           " close_req=" + (t->close_requested ? "1" : "0") + ")";
  };
  bool ok = true;
  switch (c.to) {
    case State::FinWait1: ok = !t->fin_received && !t->fin_acked; break;
    case State::FinWait2: ok = t->fin_sent && t->fin_acked && !t->fin_received; break;
    case State::Closing:
    case State::LastAck: ok = !t->fin_acked; break;
    case State::TimeWait: ok = t->fin_sent && t->fin_acked; break;
    case State::CloseWait: ok = !t->close_requested; break;
    case State::Listen:
    case State::SynSent:
    case State::SynReceived:
    case State::Established:
    case State::Closed: break;
  }
  if (!ok) r.fail(name(c.to) + flags() + " after " + c.where());
}

void check_i14(const Ctx& c, Report& r) {
  if (c.to != State::TimeWait || c.from == State::TimeWait || c.time_wait_fallback) return;
  if (c.cur.time_wait_by_abort) return;
  if (!c.cur.has_visited(State::FinWait1)) {
    r.fail("entered TIME-WAIT without passing FIN-WAIT-1: " + c.where());
  }
  if (c.cur.has_visited(State::CloseWait)) {
    r.fail("entered TIME-WAIT after passing CLOSE-WAIT (a passive closer): " + c.where());
  }
}

void check_i15(const Ctx& c, Report& r) {
  if (c.to == State::SynReceived && c.from != State::SynReceived &&
      !in(c.from, {State::Listen, State::SynSent, State::TimeWait})) {
    r.fail("SYN-RECEIVED entered from " + name(c.from) + ": " + c.where());
  }
  if (c.from == State::SynReceived && c.to == State::Listen &&
      c.prior.syn_received_origin != State::Listen) {
    r.fail("back to LISTEN from a SYN-RECEIVED entered from " +
           (c.prior.syn_received_origin ? name(*c.prior.syn_received_origin) : "?") + ": " +
           c.where());
  }
  if (c.from == State::SynReceived && c.to == State::TimeWait && c.event<AbortCall>() == nullptr &&
      !c.prior.reopened_from_time_wait) {
    r.fail("SYN-RECEIVED fell back to TIME-WAIT without having reopened from it: " + c.where());
  }
  if (c.after == nullptr) return;
  if (c.to == State::SynReceived && c.cur.syn_received_origin) {
    const bool passive = *c.cur.syn_received_origin == State::Listen;
    if (c.after->passive_open != passive) {
      r.fail(std::string("passive flag ") + (c.after->passive_open ? "set" : "clear") +
             " in a SYN-RECEIVED entered from " + name(*c.cur.syn_received_origin) + ": " +
             c.where());
    }
  }
  if (c.continuing && c.before->passive_open != c.after->passive_open) {
    r.fail("passive flag changed within the incarnation at " + c.where());
  }
}

void check_i16(const Ctx& c, Report& r) {
  if (c.seg == nullptr || c.after == nullptr || c.time_wait_fallback) return;
  if (!in(c.from, {State::SynSent, State::SynReceived}) || !is_synchronized(c.to)) return;
  if (!c.after->irs_defined || !c.after->iss_defined || !seq_lt(c.after->iss, c.after->snd_una)) {
    r.fail("synchronized without IRS and an ACK of our SYN (ISS=" + num(c.after->iss) +
           " SND.UNA=" + num(c.after->snd_una) + (c.after->irs_defined ? "" : ", IRS undefined") +
           "): " + c.where());
  }
}

void check_i17(const Ctx& c, Report& r) {
  for (const Notice& n : c.step.outcome.notices) {
    if (n.kind != NoticeKind::Delivered || n.length == 0) continue;
    if (!is_synchronized(c.from) && !is_synchronized(c.to)) {
      r.fail(std::to_string(n.length) +
             " octets delivered outside the synchronized states: " + c.where());
    }
  }
}

void check_i18(const Ctx& c, Report& r) {
  if (!is_allowed_edge(c.from, c.to, c.p)) {
    r.fail("no edge " + name(c.from) + " -> " + name(c.to) + " under profile '" + c.p.name +
           "': " + c.where());
  }
}

// ------------------------------------------------------------------------------------------------
// Emission invariants (E1..E10)
// ------------------------------------------------------------------------------------------------

void check_e1(const Ctx& c, Report& r) {
  if (c.seg == nullptr || !c.seg->rst()) return;
  const auto& sent = c.step.outcome.sent;
  for (const Segment& s : sent) {
    if (s.rst()) r.fail("RST " + to_string(s) + " sent in reply to RST at " + c.where());
  }
  const bool any_other =
      std::any_of(sent.begin(), sent.end(), [](const Segment& s) { return !s.rst(); });
  if (!any_other) return;
  // The one exception: a challenge ACK for an acceptable RST off RCV.NXT (RFC 5961 §3.2).
  bool challenge = c.p.rfc5961_rst && after_handshake_started(c.from) && sent.size() == 1 &&
                   bare_ack(sent.front());
  if (challenge && c.before != nullptr) {
    challenge = acceptable(*c.seg, c.before->rcv_nxt, c.before->rcv_wnd) &&
                c.seg->seq != c.before->rcv_nxt && sent.front().seq == c.before->snd_nxt &&
                sent.front().ack == c.before->rcv_nxt;
  }
  if (!challenge) {
    r.fail("a RST drew " + std::to_string(sent.size()) + " segment(s), first " +
           to_string(sent.front()) + ", at " + c.where());
  }
}

bool is_rst_a(const Segment& reply, const Segment& trigger) {
  return reply.ctl == kRst && reply.len == 0 && reply.seq == trigger.ack;
}
bool is_rst_0(const Segment& reply, const Segment& trigger) {
  return reply.ctl == (kRst | kAck) && reply.len == 0 && reply.seq == SeqNum(0) &&
         reply.ack == trigger.seq + trigger.seg_len();
}
// After the first check of §3.10.7.4 the RFC reasons about the segment trimmed to the receive
// window, so the reset answering a SYN found there acknowledges only the part that fitted.
bool is_rst_0_of_trimmed(const Segment& reply, const Segment& trigger, const TcbSnapshot* before) {
  if (before == nullptr || reply.ctl != (kRst | kAck) || reply.len != 0 || reply.seq != SeqNum(0)) {
    return false;
  }
  const SeqNum right = before->rcv_nxt + before->rcv_wnd;
  const SeqNum end = trigger.seq + trigger.seg_len();
  if (!seq_lt(trigger.seq, right) || !seq_gt(end, right)) return false;
  return reply.ack == right;
}
bool is_rst_n(const Segment& reply, const TcbSnapshot* before) {
  return reply.ctl == kRst && reply.len == 0 &&
         (before == nullptr || !before->iss_defined || reply.seq == before->snd_nxt);
}

void check_e2(const Ctx& c, Report& r) {
  for (const Segment& s : c.step.outcome.sent) {
    if (!s.rst()) continue;
    if (c.seg != nullptr) {
      const Segment& t = *c.seg;
      const bool reply_form =
          t.ack_flag() ? is_rst_a(s, t) : is_rst_0(s, t) || is_rst_0_of_trimmed(s, t, c.before);
      // [I] alternatives: RST(n) for data after a half-duplex CLOSE, or for a legacy in-window SYN.
      const bool own_allowed = (c.p.half_duplex_close && t.len > 0) ||
                               (!c.p.rfc5961_syn && t.syn() && after_handshake_started(c.from));
      if (!reply_form && !(own_allowed && is_rst_n(s, c.before))) {
        r.fail("reply " + to_string(s) + " to " + to_string(t) + " is not " +
               (t.ack_flag() ? "<SEQ=SEG.ACK><CTL=RST>"
                             : "<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>") +
               " at " + c.where());
      }
      continue;
    }
    if (c.event<AbortCall>() != nullptr || c.event<CloseCall>() != nullptr) {
      if (!is_rst_n(s, c.before)) {
        r.fail("our own reset " + to_string(s) + " is not <SEQ=SND.NXT" +
               (c.before != nullptr ? "=" + num(c.before->snd_nxt) : std::string()) +
               "><CTL=RST> at " + c.where());
      }
    }
  }
}

void check_e3(const Ctx& c, Report& r) {
  if (c.seg == nullptr || c.seg->rst() || c.before == nullptr || !is_synchronized(c.from)) return;
  const Segment& t = *c.seg;
  const TcbSnapshot& b = *c.before;
  std::string why;
  if (!acceptable(t, b.rcv_nxt, b.rcv_wnd)) {
    if (c.from == State::TimeWait && c.to == State::SynReceived) return;  // MAY-2 reuse
    why = "unacceptable";
  } else if (t.ack_flag() && !t.syn() && seq_gt(t.ack, b.snd_nxt)) {
    why = "acknowledges unsent data";
  } else {
    return;
  }
  const auto& sent = c.step.outcome.sent;
  const bool ok = sent.size() == 1 && bare_ack(sent.front()) && sent.front().seq == b.snd_nxt &&
                  sent.front().ack == b.rcv_nxt;
  if (!ok) {
    r.fail(to_string(t) + " " + why + " (RCV.NXT=" + num(b.rcv_nxt) + " SND.NXT=" + num(b.snd_nxt) +
           ") drew " + std::to_string(sent.size()) + " segment(s)" +
           (sent.empty() ? std::string() : ", first " + to_string(sent.front())) +
           " instead of one <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, at " + c.where());
  }
}

void check_e4(const Ctx& c, Report& r) {
  if (c.after == nullptr || !after_handshake_started(c.to)) return;
  SeqNum snd_nxt = (c.continuing && c.before->iss_defined) ? c.before->snd_nxt : c.after->snd_nxt;
  for (const Segment& s : c.step.outcome.sent) {
    if (s.rst()) continue;
    if (!s.ack_flag() || s.ack != c.after->rcv_nxt) {
      r.fail(to_string(s) + " sent without <ACK=RCV.NXT=" + num(c.after->rcv_nxt) + "> at " +
             c.where());
    }
    if (bare_ack(s) && s.seq != snd_nxt && s.seq != c.after->snd_nxt) {
      r.fail("bare ACK " + to_string(s) + " not at SND.NXT=" + num(c.after->snd_nxt) + " at " +
             c.where());
    }
    if (s.seg_len() > 0) snd_nxt = seq_max(snd_nxt, s.seq + s.seg_len());
  }
}

void check_e5(const Ctx& c, Report& r) {
  const auto& sent = c.step.outcome.sent;
  for (const Segment& s : sent) {
    if (!s.syn() || s.rst()) continue;
    bool where_ok = in(c.to, {State::SynSent, State::SynReceived});
    if (!where_ok && in(c.to, {State::FinWait1, State::Closing})) {
      // C12: CLOSE in SYN-RECEIVED before our SYN is acknowledged leads to FIN-WAIT-1 (and on the
      // peer's FIN to CLOSING); the SYN must still be retransmitted until it is acknowledged.
      where_ok = c.after != nullptr ? c.after->iss_defined && c.after->snd_una == c.after->iss
                                    : c.cur.has_visited(State::SynReceived) &&
                                          !c.cur.has_visited(State::Established);
    }
    if (!where_ok) r.fail("SYN " + to_string(s) + " sent at " + c.where());
    if (c.after != nullptr && c.after->iss_defined && s.seq != c.after->iss) {
      r.fail("SYN " + to_string(s) + " not at ISS=" + num(c.after->iss) + " at " + c.where());
    } else if (c.cur.iss && s.seq != *c.cur.iss) {
      r.fail("SYN " + to_string(s) + " not at this incarnation's first SYN " + num(*c.cur.iss) +
             " at " + c.where());
    }
  }
  if (c.seg != nullptr && c.from == State::Listen) {
    for (const Segment& s : sent) {
      if (s.ctl != (kSyn | kAck) && s.ctl != kRst) {
        r.fail("LISTEN answered " + to_string(*c.seg) + " with " + to_string(s) + " at " +
               c.where());
      }
    }
  }
}

void check_e6(const Ctx& c, Report& r) {
  // Assigned, not initialised from a conditional: g++ 12 -O2 then sees no path where the
  // optional's value is read unset (its -Wmaybe-uninitialized broke optimized builds).
  std::optional<SeqNum> fin_seq;
  if (!c.new_incarnation) fin_seq = c.prior.fin_seq;
  for (const Segment& s : c.step.outcome.sent) {
    if (s.rst()) continue;
    if (fin_seq && seq_gt(s.seq + s.seg_len(), *fin_seq + 1)) {
      r.fail(to_string(s) + " reaches past FIN_SEQ+1=" + num(*fin_seq + 1) + " at " + c.where());
    }
    if (!s.fin()) continue;
    const SeqNum at = s.seq + (s.syn() ? 1u : 0u) + s.len;
    if (fin_seq && at != *fin_seq) {
      r.fail("FIN at " + num(at) + " but the first FIN was at " + num(*fin_seq) + ": " + c.where());
    }
    if (!fin_seq) fin_seq = at;
  }
  if (c.continuing && c.before->fin_sent && c.after->fin_sent &&
      c.after->fin_seq != c.before->fin_seq) {
    r.fail("FIN_SEQ changed from " + num(c.before->fin_seq) + " to " + num(c.after->fin_seq) +
           " at " + c.where());
  }
}

void check_e7(const Ctx& c, Report& r) {
  if (c.seg == nullptr || !c.seg->rst() || c.from == c.to) return;
  const Segment& t = *c.seg;
  if (no_connection(c.from)) {
    r.fail("a RST changed " + name(c.from) + ": " + c.where());
    return;
  }
  if (c.before == nullptr) return;
  if (c.from == State::SynSent) {
    if (!t.ack_flag() || !seq_lt(c.before->snd_una, t.ack) || !seq_le(t.ack, c.before->snd_nxt)) {
      r.fail("RST " + to_string(t) +
             " without an ACK of our SYN (SND.UNA=" + num(c.before->snd_una) +
             " SND.NXT=" + num(c.before->snd_nxt) + ") changed SYN-SENT: " + c.where());
    }
    return;
  }
  if (t.seq != c.before->rcv_nxt) {
    r.fail("RST " + to_string(t) + " off RCV.NXT=" + num(c.before->rcv_nxt) +
           " changed the state: " + c.where());
  }
}

void check_e8(const Ctx& c, Report& r) {
  if (c.seg == nullptr || !c.seg->syn() || c.seg->rst() || c.before == nullptr) return;
  if (!is_synchronized(c.from) || c.from == c.to) return;
  const TcbSnapshot& b = *c.before;
  // Only a SYN that survives trimming lies in the window; an old SYN before RCV.NXT is cut off.
  if (b.rcv_wnd == 0 || !seq_in_range(b.rcv_nxt, c.seg->seq, b.rcv_nxt + b.rcv_wnd)) return;
  if (c.from == State::TimeWait && c.to == State::SynReceived &&
      c.p.time_wait_syn == TimeWaitSyn::Reopen) {
    return;
  }
  r.fail("in-window SYN " + to_string(*c.seg) + " (RCV.NXT=" + num(b.rcv_nxt) +
         ") changed a synchronized state: " + c.where());
}

void check_e9(const Ctx& c, Report& r) {
  const Millis two_msl = 2ull * c.p.msl_ms;
  if (c.to == State::TimeWait && c.cur.time_wait_started_now && c.cur.time_wait_deadline &&
      *c.cur.time_wait_deadline < c.cur.time_wait_start + two_msl) {
    r.fail("TIME-WAIT (re)started at " + std::to_string(c.cur.time_wait_start) +
           " ms with its timer at " + std::to_string(*c.cur.time_wait_deadline) +
           " ms, less than 2*MSL=" + std::to_string(two_msl) + " ms: " + c.where());
  }
  if (c.from != State::TimeWait || c.to == State::TimeWait) return;
  const TimerExpires* timer = c.event<TimerExpires>();
  const bool by_timer = (timer != nullptr && timer->timer == TimerKind::TimeWait) ||
                        c.step.outcome.rule == Rule::TimeWaitExpires;
  if (by_timer) {
    // A TimerExpires fires at the timer's deadline (docs/model.md); when the endpoint showed
    // the deadline, that is when it fired.
    const Millis fired = std::max(c.now, c.prior.time_wait_deadline.value_or(0));
    if (fired < c.prior.time_wait_start + two_msl) {
      r.fail("TIME-WAIT ended by its timer at " + std::to_string(fired) + " ms, " +
             std::to_string(fired - c.prior.time_wait_start) +
             " ms after its last (re)start (2*MSL=" + std::to_string(two_msl) +
             " ms): " + c.where());
    }
    return;
  }
  if (c.event<AbortCall>() != nullptr) return;
  if (timer != nullptr && timer->timer == TimerKind::User) return;
  if (c.seg != nullptr && c.seg->rst() && c.p.time_wait_rst == TimeWaitRst::Accept) return;
  if (c.seg != nullptr && c.seg->syn() && !c.seg->rst() &&
      ((c.to == State::SynReceived && c.p.time_wait_syn == TimeWaitSyn::Reopen) ||
       (c.to == State::Closed && !c.p.rfc5961_syn))) {
    return;
  }
  r.fail("TIME-WAIT ended early, " +
         std::to_string(c.now - std::min(c.now, c.prior.time_wait_start)) +
         " ms after its last (re)start, by no allowed cause: " + c.where());
}

void check_e10(const Ctx& c, Report& r) {
  const auto& sent = c.step.outcome.sent;
  if (c.event<CloseCall>() != nullptr && in(c.from, {State::Listen, State::SynSent}) &&
      !sent.empty()) {
    r.fail("CLOSE in " + name(c.from) + " sent " + to_string(sent.front()) + ": " + c.where());
  }
  if (c.event<AbortCall>() == nullptr) return;
  const bool resets = in(c.from, {State::SynReceived, State::Established, State::FinWait1,
                                  State::FinWait2, State::CloseWait});
  if (resets && (sent.size() != 1 || !sent.front().rst())) {
    r.fail("ABORT in " + name(c.from) + " sent " + std::to_string(sent.size()) +
           " segment(s) instead of one RST: " + c.where());
  }
  if (!resets && !sent.empty()) {
    r.fail("ABORT in " + name(c.from) + " sent " + to_string(sent.front()) + ": " + c.where());
  }
}

// ------------------------------------------------------------------------------------------------
// Network-level invariants (both endpoints)
// ------------------------------------------------------------------------------------------------

// The peer's incarnation that our IRS points at.
const Incarnation* matching_peer(const Ctx& c, const Incarnation& mine) {
  if (c.peer == nullptr || !mine.irs) return nullptr;
  return c.peer->find_by_iss(*mine.irs);
}

void check_only_active_closer(const Ctx& c, Report& r) {
  if (c.peer == nullptr) return;
  if (c.to != State::TimeWait || c.from == State::TimeWait || c.time_wait_fallback) return;
  if (c.cur.time_wait_by_abort) return;
  const Incarnation& me = c.cur;
  if (me.has_visited(State::CloseWait)) {
    r.fail("entered TIME-WAIT after CLOSE-WAIT: " + c.where());
  }
  if (!me.close_called) {
    r.fail("entered TIME-WAIT although the user never called CLOSE: " + c.where());
  } else if (!me.closed_before_peer_fin()) {
    r.fail("entered TIME-WAIT although the user's CLOSE (step " + std::to_string(me.close_step) +
           ") came after the peer's FIN (step " + std::to_string(me.fin_step) + "): " + c.where());
  }
  const Incarnation* other = matching_peer(c, me);
  if (other != nullptr && !other->close_called) {
    r.fail("entered TIME-WAIT on a FIN from a peer whose user never called CLOSE: " + c.where());
  }
}

std::string role_path(const Incarnation& inc) {
  std::string out;
  for (State s : kAllStates) {
    if (!inc.has_visited(s)) continue;
    if (!out.empty()) out += ",";
    out += name(s);
  }
  return out;
}

// The graceful close is over for one side: both FINs are behind it and it is in TIME-WAIT or
// CLOSED.
bool close_done(const History& h) {
  return h.cur.close_called && h.cur.fin_arrived && in(h.state, {State::TimeWait, State::Closed});
}

void judge_role(const char* who, const Incarnation& inc, Report& r, const Ctx& c) {
  if (inc.closed_before_peer_fin()) {
    if (!inc.has_visited(State::TimeWait)) {
      r.fail(std::string(who) + " closed first but never entered TIME-WAIT (visited " +
             role_path(inc) + "), at " + c.where());
    }
    return;
  }
  if (inc.has_visited(State::TimeWait) || !inc.has_visited(State::CloseWait) ||
      !inc.has_visited(State::LastAck)) {
    r.fail(std::string(who) + " closed after the peer's FIN but did not go CLOSE-WAIT, LAST-ACK, " +
           "CLOSED without TIME-WAIT (visited " + role_path(inc) + "), at " + c.where());
  }
}

void check_close_roles(const Ctx& c, Report& r) {
  if (c.peer == nullptr || !c.flags.graceful()) return;
  const History& me = c.self;
  const History& other = *c.peer;
  if (!close_done(me) || !close_done(other)) return;
  if (me.cur.roles_checked || other.cur.roles_checked) return;
  if (!me.cur.iss || !me.cur.irs || other.cur.iss != me.cur.irs || other.cur.irs != me.cur.iss) {
    return;
  }
  judge_role("this endpoint", me.cur, r, c);
  judge_role("the peer", other.cur, r, c);
}

void check_data_safety(const Ctx& c, Report& r) {
  const Incarnation* other = matching_peer(c, c.cur);
  if (other == nullptr) return;
  if (c.cur.delivered > other->sent) {
    r.fail(std::to_string(c.cur.delivered) + " octets delivered but the peer's user sent only " +
           std::to_string(other->sent) + ": " + c.where());
  }
  if (c.after != nullptr && c.after->irs_defined && !no_connection(c.to)) {
    const std::uint64_t taken = accepted(*c.after) + c.cur.flushed;
    if (taken > other->sent) {
      r.fail(std::to_string(taken) + " octets accepted in order but the peer's user sent only " +
             std::to_string(other->sent) + ": " + c.where());
    }
  }
}

void check_data_completeness(const Ctx& c, Report& r) {
  if (c.peer == nullptr || !c.flags.graceful()) return;
  const Incarnation* other = matching_peer(c, c.cur);
  if (other == nullptr || !other->close_called) return;
  const std::uint64_t owed = other->sent_at_close;
  if (c.fin_arrived_now && c.after != nullptr && c.after->irs_defined) {
    const std::uint64_t have = accepted(*c.after) + c.cur.flushed;
    if (have != owed) {
      r.fail("the peer's FIN arrived with " + std::to_string(have) +
             " octets received (unread + delivered) of the " + std::to_string(owed) +
             " its user sent before CLOSE: " + c.where());
    }
  }
  if (c.event<ReceiveCall>() != nullptr &&
      has_error(c.step.outcome, UserError::ConnectionClosing) && c.cur.delivered != owed) {
    r.fail("RECEIVE answered 'connection closing' after " + std::to_string(c.cur.delivered) +
           " octets delivered of the " + std::to_string(owed) +
           " the peer's user sent before CLOSE: " + c.where());
  }
}

const EndpointUnderTest* endpoint_at(const WorldView& w, int index) {
  return index == 2 ? w.b : w.a;
}

void check_agreement(const Ctx& c, Report& r) {
  if (c.peer == nullptr || !c.flags.no_loss_no_abort() || c.flags.stale_closed_rst) return;
  const WorldView& w = c.world;
  if (w.in_flight_to_a != 0 || w.in_flight_to_b != 0) return;
  for (const EndpointUnderTest* e : {w.a, w.b}) {
    if (e == nullptr || !e->tcb() || e->next_timer()) return;
  }
  const bool mine = is_synchronized(c.self.state);
  const bool theirs = is_synchronized(c.peer->state);
  if (mine != theirs) {
    r.fail("network idle and no timer armed, but this endpoint is " + name(c.self.state) +
           " and the peer " + name(c.peer->state) + ": " + c.where());
  }
}

void check_half_open(const Ctx& c, Report& r, int self_index) {
  if (c.peer == nullptr || !c.flags.half_open_side) return;
  const bool i_am_synchronized_side = *c.flags.half_open_side == self_index;
  if (!i_am_synchronized_side) {
    if (c.seg != nullptr && no_connection(c.from) && c.seg->ack_flag() && !c.seg->rst()) {
      const auto& sent = c.step.outcome.sent;
      if (std::none_of(sent.begin(), sent.end(), [](const Segment& s) { return s.rst(); })) {
        r.fail("half-open: " + to_string(*c.seg) + " reached the " + name(c.from) +
               " side and drew no RST: " + c.where());
      }
    }
    return;
  }
  if (c.seg == nullptr || !c.seg->rst() || c.before == nullptr || !is_synchronized(c.from)) return;
  if (c.seg->seq != c.before->rcv_nxt) return;
  if (c.from == State::TimeWait && c.p.time_wait_rst == TimeWaitRst::Ignore) return;
  if (c.to != State::Closed) {
    r.fail("half-open: RST " + to_string(*c.seg) + " at RCV.NXT left the synchronized side in " +
           name(c.to) + ": " + c.where());
  }
}

// ------------------------------------------------------------------------------------------------
// The catalogue
// ------------------------------------------------------------------------------------------------

bool with_rfc5961_rst(const Profile& p) {
  return p.rfc5961_rst;
}
bool with_rfc5961_syn(const Profile& p) {
  return p.rfc5961_syn;
}

struct Entry {
  InvariantInfo info;
  Check check;  // nullptr for the half-open check, which needs the endpoint's index
};

constexpr std::string_view kEvery = "every profile";

const std::vector<Entry>& entries() {
  static const std::vector<Entry> table = {
      {{"I1", "While ISS is defined, ISS =< SND.UNA =< SND.NXT =< SND.MAX.",
        "RFC 9293 §3.4 (send sequence space)", kEvery, true, false, nullptr},
       check_i1},
      {{"I2",
        "Nothing is acknowledged that was never sent: a step never moves SND.UNA past the "
        "SND.MAX it began with, and an ACK beyond SND.NXT leaves SND.UNA where it was.",
        "RFC 9293 §3.4; §3.10.7.4 fifth check (ACK of unsent data)", kEvery, true, false, nullptr},
       check_i2},
      {{"I3",
        "SND.UNA never moves back within an incarnation; it moves only on an arriving ACK with "
        "SND.UNA < SEG.ACK, and then to exactly SEG.ACK.",
        "RFC 9293 §3.10.7.4 fifth check", kEvery, true, false, nullptr},
       check_i3},
      {{"I4",
        "RCV.NXT never moves back within an incarnation; it moves only on an arriving segment, "
        "by the in-order octets accepted plus one for the peer's FIN.",
        "RFC 9293 §3.10.7.4 seventh and eighth checks", kEvery, true, false, nullptr},
       check_i4},
      {{"I5",
        "A segment that fails the acceptability test changes neither the state nor any TCB "
        "variable (TIME-WAIT reuse of a SYN excepted; data at RCV.NXT into a zero window still "
        "counts for its controls, MUST-66). Its reply is judged by E3.",
        "RFC 9293 §3.4 Table 5, §3.10.7.4 first check, MUST-66", kEvery, true, false, nullptr},
       check_i5},
      {{"I6",
        "While RCV.WND is zero, RCV.NXT does not advance: no data octet and no FIN enters a zero "
        "window.",
        "RFC 9293 §3.4 Table 5, §3.8.6, MUST-66", kEvery, true, false, nullptr},
       check_i6},
      {{"I7",
        "The right edge RCV.NXT+RCV.WND never moves left, and new data is sent only within "
        "SND.UNA+SND.WND, apart from a one-octet probe of a zero window.",
        "RFC 9293 §3.8.6 (SHLD-14), §3.8.6.1 (MUST-36), §3.10.7.4 seventh check", kEvery, true,
        false, nullptr},
       check_i7},
      {{"I8",
        "(SND.WL1, SND.WL2) never decreases in (seq, ack) order once set, and MAX.SND.WND >= "
        "SND.WND.",
        "RFC 9293 §3.10.7.4 fifth check (window update); RFC 5961 §5 (MAX.SND.WND)", kEvery, true,
        false, nullptr},
       check_i8},
      {{"I9",
        "Once IRS is defined, RCV.NXT = IRS + 1 + octets accepted in order (unread + delivered, "
        "plus any an ABORT into TIME-WAIT flushed) + 1 once the peer's FIN is taken.",
        "RFC 9293 §3.4 (receive sequence space), §3.10.7.4 seventh and eighth checks", kEvery, true,
        false, nullptr},
       check_i9},
      {{"I10",
        "ISS and IRS are set once per incarnation and never change; IRS is undefined in LISTEN "
        "and SYN-SENT; in SYN-SENT and SYN-RECEIVED SND.UNA = ISS and SND.NXT = ISS+1 unless "
        "data rode on the SYN.",
        "RFC 9293 §3.4.1, §3.10.1, §3.10.7.2, §3.10.7.3", kEvery, true, false, nullptr},
       check_i10},
      {{"I11",
        "CLOSE-WAIT, CLOSING, LAST-ACK and TIME-WAIT are reached only after the peer's FIN was "
        "taken.",
        "RFC 9293 §3.10.7.4 eighth check",
        "every profile; a TIME-WAIT entered by ABORT under rst_sender_enters_time_wait is exempt",
        true, false, nullptr},
       check_i11},
      {{"I12",
        "FIN-WAIT-1, FIN-WAIT-2, CLOSING, LAST-ACK and TIME-WAIT require a CLOSE from the user; "
        "ESTABLISHED has neither a CLOSE pending (except for the one step that applies a CLOSE "
        "deferred in SYN-RECEIVED) nor the peer's FIN.",
        "RFC 9293 §3.10.4, §3.10.7.4",
        "every profile; a TIME-WAIT entered by ABORT under rst_sender_enters_time_wait is exempt",
        true, false, nullptr},
       check_i12},
      {{"I13",
        "FIN bookkeeping per state, beyond I11 and I12: FIN-WAIT-1 has neither our FIN acked nor "
        "the peer's FIN; FIN-WAIT-2 has our FIN sent and acked and no peer FIN; CLOSING and "
        "LAST-ACK have our FIN unacked; TIME-WAIT has it sent and acked; CLOSE-WAIT has no CLOSE "
        "pending (CLOSE moves it to LAST-ACK at once, docs/model.md).",
        "RFC 9293 §3.10.7.4 fifth and eighth checks, §3.10.4",
        "every profile; the TIME-WAIT clause is relaxed for a TIME-WAIT entered by ABORT under "
        "rst_sender_enters_time_wait",
        true, false, nullptr},
       check_i13},
      {{"I14",
        "Only the active closer lingers: TIME-WAIT is entered only after FIN-WAIT-1 and never "
        "after CLOSE-WAIT in the same incarnation.",
        "RFC 9293 §3.6 (cases 1-3, Figures 12 and 13)",
        "every profile; ABORT into TIME-WAIT under rst_sender_enters_time_wait is exempt", false,
        false, nullptr},
       check_i14},
      {{"I15",
        "SYN-RECEIVED is entered only from LISTEN, SYN-SENT or (reuse) TIME-WAIT; it returns to "
        "LISTEN only if entered from LISTEN, and to TIME-WAIT only if reopened from it; the "
        "passive flag matches the entry and never changes.",
        "RFC 9293 §3.5, §3.10.7.4 second check, MUST-11; §3.6.1 MAY-2", kEvery, false, false,
        nullptr},
       check_i15},
      {{"I16",
        "A segment takes SYN-SENT or SYN-RECEIVED to a synchronized state only with IRS defined "
        "and our SYN acknowledged (ISS < SND.UNA).",
        "RFC 9293 §3.10.7.3, §3.10.7.4 fifth check", kEvery, true, false, nullptr},
       check_i16},
      {{"I17",
        "Data reaches the user only in the synchronized states (ESTABLISHED, FIN-WAIT-1/2, "
        "draining in CLOSE-WAIT, and CLOSING/LAST-ACK/TIME-WAIT under the model's RECEIVE "
        "choice), never before the connection is established.",
        "RFC 9293 §3.5, §3.10.3, §3.10.7.4 seventh check", kEvery, false, false, nullptr},
       check_i17},
      {{"I18",
        "Every state change is a row of the transition table (model/core/transitions.cpp) whose "
        "profile condition holds.",
        "RFC 9293 §3.3.2 Figure 5, §3.10; digest §4", kEvery, false, false, nullptr},
       check_i18},
      {{"E1",
        "No RST answers a RST; a RST draws nothing but, under rfc5961_rst, a challenge ACK "
        "<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> when it is acceptable and off RCV.NXT.",
        "RFC 9293 §3.5.2, §3.10.7.1-§3.10.7.4; RFC 5961 §3.2", kEvery, false, false, nullptr},
       check_e1},
      {{"E2",
        "A RST answering a segment is <SEQ=SEG.ACK><CTL=RST> if it had ACK, else "
        "<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; our own RST (ABORT, half-duplex CLOSE) is "
        "<SEQ=SND.NXT><CTL=RST>, which may also answer data after a half-duplex CLOSE or a legacy "
        "in-window SYN.",
        "RFC 9293 §3.5.2 groups 1-2, §3.10.5; §3.6.1 SHLD-3", kEvery, false, false, nullptr},
       check_e2},
      {{"E3",
        "In a synchronized state a non-RST segment that is unacceptable, or acknowledges unsent "
        "data, draws exactly one <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and never a RST.",
        "RFC 9293 §3.5.2 group 3, §3.10.7.4 first and fifth checks", kEvery, true, false, nullptr},
       check_e3},
      {{"E4",
        "Every non-RST segment sent in or into SYN-RECEIVED or a synchronized state carries "
        "<ACK=RCV.NXT> (RCV.NXT after the step); a bare ACK is at SND.NXT.",
        "RFC 9293 §3.1 (Acknowledgment Number), §3.10.7.4", kEvery, true, false, nullptr},
       check_e4},
      {{"E5",
        "A SYN goes out only at ISS and only in or into SYN-SENT or SYN-RECEIVED (or in a "
        "FIN-WAIT-1 or CLOSING reached by CLOSE in SYN-RECEIVED while our SYN is still "
        "unacknowledged, C12); LISTEN answers segments only with SYN,ACK or RST.",
        "RFC 9293 §3.10.1, §3.10.7.2, §3.10.7.3", kEvery, false, false, nullptr},
       check_e5},
      {{"E6",
        "Once our FIN is formed no new data goes out: every later segment ends at or before "
        "FIN_SEQ+1 and every FIN sits at the same FIN_SEQ.",
        "RFC 9293 §3.10.2, §3.10.4", kEvery, false, false, nullptr},
       check_e6},
      {{"E7",
        "A RST changes the state only if SEG.SEQ = RCV.NXT; in SYN-SENT only if its ACK "
        "acknowledges our SYN; in CLOSED and LISTEN never.",
        "RFC 9293 §3.10.7.3, §3.10.7.4 second check; RFC 5961 §3.2", "rfc5961_rst on", true, false,
        with_rfc5961_rst},
       check_e7},
      {{"E8",
        "A SYN inside the window never changes a synchronized state (TIME-WAIT reuse under "
        "time_wait_syn=reopen excepted).",
        "RFC 9293 §3.10.7.4 fourth check; RFC 5961 §4.2",
        "rfc5961_syn on; the TIME-WAIT reuse edge is exempt under time_wait_syn=reopen", true,
        false, with_rfc5961_syn},
       check_e8},
      {{"E9",
        "TIME-WAIT lasts at least 2*MSL after it was last entered or restarted: its timer is set "
        "no sooner and does not fire sooner; it ends early only by ABORT, the user timeout, an "
        "accepted RST (time_wait_rst=accept) or a SYN (reopen, or legacy reset).",
        "RFC 9293 §3.10.8, §3.6.1 MUST-13, §3.10.7.4", kEvery, false, false, nullptr},
       check_e9},
      {{"E10",
        "CLOSE in LISTEN or SYN-SENT sends nothing; ABORT sends exactly one RST from "
        "SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2 and CLOSE-WAIT, and nothing from any "
        "other state.",
        "RFC 9293 §3.10.4, §3.10.5", kEvery, false, false, nullptr},
       check_e10},
      {{"only-active-closer-reaches-time-wait",
        "An endpoint enters TIME-WAIT only if its user's CLOSE came before the peer's FIN "
        "arrived, it never passed CLOSE-WAIT in this incarnation, and the peer's user (the "
        "incarnation whose ISS is our IRS) did call CLOSE.",
        "RFC 9293 §3.6 cases 1-3 (digest I14)",
        "every profile; ABORT into TIME-WAIT under rst_sender_enters_time_wait is exempt", false,
        true, nullptr},
       check_only_active_closer},
      {{"graceful-close-roles",
        "With no loss, RST, ABORT or connection-ending timeout since the network was last idle, "
        "once both ends are done (TIME-WAIT or CLOSED, each after a CLOSE and the other's FIN): "
        "a side whose CLOSE came before the other's FIN passed TIME-WAIT; a side whose CLOSE "
        "came after it went CLOSE-WAIT, LAST-ACK, CLOSED and never TIME-WAIT.",
        "RFC 9293 §3.6 (Figures 12 and 13)", kEvery, false, true, nullptr},
       check_close_roles},
      {{"data-safety",
        "An endpoint never delivers to its user, nor accepts in order, more octets than the "
        "peer's user SENT in the matching incarnation (the one whose ISS is our IRS).",
        "RFC 9293 §2.6 (reliable in-order stream), §3.10.7.4 seventh check", kEvery, false, true,
        nullptr},
       check_data_safety},
      {{"data-completeness",
        "With no loss, RST, ABORT or connection-ending timeout since the network was last idle: "
        "when the peer's FIN arrives, unread + delivered octets equal what the peer's user SENT "
        "before CLOSE, and a RECEIVE answered 'connection closing' has delivered exactly that.",
        "RFC 9293 §3.6, §3.10.3, §3.10.7.4 eighth check", kEvery, false, true, nullptr},
       check_data_completeness},
      {{"agreement-when-quiet",
        "With no loss, ABORT, connection-ending timeout or stale RST from a CLOSED peer since "
        "the network was last idle: whenever nothing is in flight and neither endpoint (both "
        "exposing their TCB) has a timer armed, both are synchronized or neither is.",
        "RFC 9293 §3.5, §3.6, §3.5.2; the stale-RST exemption: §3.10.7.1, RFC 5961 §3.2", kEvery,
        false, true, nullptr},
       check_agreement},
      {{"half-open-resolved-by-rst",
        "Once the network is idle with one side synchronized and the other in CLOSED or LISTEN, "
        "any ACK-bearing non-RST segment reaching the closed side draws a RST, and a RST at "
        "exactly RCV.NXT reaching the synchronized side takes it to CLOSED (a TIME-WAIT under "
        "time_wait_rst=ignore may stay); the episode ends when either side changes camp.",
        "RFC 9293 §3.5.2 (half-open discovery, Figures 10 and 11), §3.10.7.1, §3.10.7.2, "
        "§3.10.7.4 second check",
        kEvery, false, true, nullptr},
       nullptr},
  };
  return table;
}

int actor_index(Actor a) {
  switch (a) {
    case Actor::Self: return 0;
    case Actor::A: return 1;
    case Actor::B: return 2;
  }
  return 0;
}

}  // namespace

// The history rules shared with the explorer (invariant_history.hpp).
namespace history {

bool has_error(const Outcome& o, UserError e) {
  return std::any_of(o.notices.begin(), o.notices.end(),
                     [e](const Notice& n) { return n.kind == NoticeKind::Error && n.error == e; });
}

// States a single segment passes through on its way (digest §4's "via" edges): the SYN-ACK or
// the ACK of our SYN that also carries a FIN goes through ESTABLISHED; an ACK of our SYN that
// applies a CLOSE deferred in SYN-RECEIVED goes through ESTABLISHED (and FIN-WAIT-1 when it
// carries a FIN too); a FIN that also acknowledges ours goes through FIN-WAIT-2 (C9).
std::uint32_t passed_through(State from, State to) {
  using enum State;
  if ((from == SynSent || from == SynReceived) && to == CloseWait) return bit(Established);
  if (from == SynReceived && to == FinWait1) return bit(Established);
  if (from == SynReceived && to == Closing) return bit(Established) | bit(FinWait1);
  if (from == FinWait1 && to == TimeWait) return bit(FinWait2);
  return 0;
}

// Whether the peer's FIN was taken in this step, judged from the TCB when there is one and from
// what the user was told and where the state went otherwise.
bool fin_arrived_in(const StepRecord& s, const TcbSnapshot* before, const TcbSnapshot* after,
                    bool continuing, bool fallback) {
  if (std::get_if<SegmentArrives>(&s.event) == nullptr || fallback) return false;
  const State from = s.outcome.from;
  const State to = s.outcome.to;
  if (after != nullptr && after->fin_received && !no_connection(to) &&
      !(continuing && before->fin_received)) {
    return true;
  }
  if (in(to, {State::CloseWait, State::Closing, State::TimeWait}) &&
      in(from, {State::SynSent, State::SynReceived, State::Established, State::FinWait1,
                State::FinWait2})) {
    return true;
  }
  return has_error(s.outcome, UserError::ConnectionClosing);
}

}  // namespace history

const std::vector<InvariantInfo>& invariant_catalogue() {
  static const std::vector<InvariantInfo> infos = [] {
    std::vector<InvariantInfo> v;
    for (const Entry& e : entries()) v.push_back(e.info);
    return v;
  }();
  return infos;
}

const InvariantInfo* find_invariant(std::string_view id) {
  for (const InvariantInfo& i : invariant_catalogue()) {
    if (i.id == id) return &i;
  }
  return nullptr;
}

bool applies_to(const InvariantInfo& info, const Profile& profile) {
  return info.applies == nullptr || info.applies(profile);
}

// ------------------------------------------------------------------------------------------------
// The monitor
// ------------------------------------------------------------------------------------------------

struct InvariantMonitor::Impl {
  History histories[3];  // Self, A, B
  RunFlags flags;
  std::vector<Violation> all;
  std::size_t steps = 0;

  // Segments in flight towards A and towards B as the last step left them, kept up to date by
  // the faults, so that a loss that empties the network is noticed before the next step.
  bool network_run = false;
  std::size_t in_flight[2] = {0, 0};

  // The copies in flight of RSTs a CLOSED endpoint sent, by sender (1: A, 2: B) and
  // acknowledgment number (their SEQ is 0): added when sent or duplicated, removed when they
  // arrive or are lost.
  std::vector<std::pair<int, SeqNum>> closed_rsts;

  std::vector<Violation> step(const StepRecord& s, const WorldView& w);
  void update_flags(const StepRecord& s);
  // Removes one copy of `seg` from closed_rsts; false when it is not one of them.
  bool take_closed_rst(int sender, const Segment& seg);
  void note_closed_rsts(const StepRecord& s, int self_index, const TcbSnapshot* before,
                        int peer_index);
  void update_network();
};

namespace {

// Starts, suspends or restores an incarnation as the step requires; returns whether a new one
// began. A reopen from TIME-WAIT suspends the old incarnation, which comes back if the reopen
// falls back to TIME-WAIT (MAY-2 condition 2) and is archived otherwise.
bool enter_incarnation(History& h, State from, State to, bool fallback) {
  const bool fresh = !fallback && ((no_connection(from) && !no_connection(to)) ||
                                   (from == State::TimeWait && to == State::SynReceived));
  if (fallback) {
    h.cur = *h.suspended;
    h.suspended.reset();
    return false;
  }
  if (fresh) {
    if (from == State::TimeWait) {
      h.suspended = h.cur;
    } else {
      if (h.suspended) h.archive(*h.suspended);
      h.suspended.reset();
      h.archive(h.cur);
    }
    h.cur = Incarnation{};
    h.cur.reopened_from_time_wait = from == State::TimeWait;
    return true;
  }
  if (h.suspended && from == State::SynReceived && to != State::SynReceived) {
    h.archive(*h.suspended);  // the reopen was settled one way or the other
    h.suspended.reset();
  }
  return false;
}

void note_states(Incarnation& cur, State from, State to, bool segment, bool fresh, bool fallback) {
  cur.visited |= bit(to);
  if (!fresh) cur.visited |= bit(from);
  if (segment) cur.visited |= history::passed_through(from, to);
  if (to == State::SynReceived && from != State::SynReceived && !fallback) {
    cur.syn_received_origin = from;
  }
}

// What the wire and the user show: our ISS and FIN sequence number as sent, the octets the user
// SENT and was handed, and when the user called CLOSE.
void note_wire_and_user(Incarnation& cur, const StepRecord& s) {
  for (const Segment& out : s.outcome.sent) {
    if (out.rst()) continue;
    if (out.syn() && !cur.iss) cur.iss = out.seq;
    if (out.syn() && out.len > 0) cur.syn_carried_data = true;
    if (out.fin() && !cur.fin_seq) cur.fin_seq = out.seq + (out.syn() ? 1u : 0u) + out.len;
  }
  const Notice* first = first_notice(s.outcome);
  const bool ok = first != nullptr && first->kind == NoticeKind::Ok;
  if (const auto* send = std::get_if<SendCall>(&s.event); send && ok) cur.sent += send->len;
  for (const Notice& n : s.outcome.notices) {
    if (n.kind == NoticeKind::Delivered) cur.delivered += n.length;
  }
  const State from = s.outcome.from;
  if (std::get_if<CloseCall>(&s.event) != nullptr && !cur.close_called &&
      in(from, {State::SynReceived, State::Established, State::CloseWait}) &&
      (ok || from != s.outcome.to)) {
    cur.close_called = true;
    cur.close_step = s.index;
    cur.sent_at_close = cur.sent;
  }
}

// When TIME-WAIT was last (re)started, and the deadline its timer showed then (E9).
void note_time_wait(Incarnation& cur, const StepRecord& s, const EndpointUnderTest* ep,
                    Millis now) {
  cur.time_wait_started_now = false;
  if (s.outcome.to != State::TimeWait) return;
  std::optional<Millis> deadline;
  if (ep != nullptr) {
    if (auto t = ep->next_timer(); t && t->first == TimerKind::TimeWait) deadline = t->second;
  }
  const bool entered = s.outcome.from != State::TimeWait;
  bool restarted = !entered && (s.outcome.rule == Rule::TimeWaitAcksRetransmittedFin ||
                                s.outcome.rule == Rule::TimeWaitFinRestartsTimer);
  if (!entered && !restarted && deadline && cur.time_wait_deadline &&
      *deadline != *cur.time_wait_deadline) {
    restarted = true;  // the endpoint moved its timer: a restart the rule did not name
  }
  if (entered || restarted) {
    cur.time_wait_start = now;
    cur.time_wait_deadline = deadline;
    cur.time_wait_started_now = true;
  }
  if (entered && std::get_if<AbortCall>(&s.event) != nullptr) cur.time_wait_by_abort = true;
}

}  // namespace

void InvariantMonitor::Impl::update_flags(const StepRecord& s) {
  const Outcome& o = s.outcome;
  for (const Segment& seg : o.sent) {
    if (seg.rst()) flags.rst = true;
  }
  if (const auto* arrival = std::get_if<SegmentArrives>(&s.event); arrival && arrival->seg.rst()) {
    flags.rst = true;
  }
  if (std::get_if<AbortCall>(&s.event) != nullptr && o.from != State::Closed) flags.abort = true;
  if (o.rule == Rule::UserTimeoutCloses || o.rule == Rule::RetransmissionLimitCloses ||
      o.rule == Rule::RetransmissionLimitReturnsToListen || o.rule == Rule::FinWait2Expires ||
      has_error(o, UserError::UserTimeout) || has_error(o, UserError::RetransmissionTimeout)) {
    flags.ending_timeout = true;
  }
  if (const auto* t = std::get_if<TimerExpires>(&s.event);
      t && o.from != o.to && t->timer != TimerKind::TimeWait) {
    flags.ending_timeout = true;
  }
}

// Finding F1 (docs/explorer.md). A CLOSED endpoint answers a segment without ACK with
// <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> (RFC 9293 §3.10.7.1). Held back by the network, that
// RST can reach the SYN's sender after it synchronized with the same peer, now open: if its
// RCV.NXT happens to be exactly 0, the RST passes the exact-match test (RFC 5961 §3.2, RFC 9293
// §3.10.7.4 first check) and ends the connection, while the peer stays open. That is the RFC's
// behaviour, not a fault of the endpoint, so agreement-when-quiet does not hold the pair to
// agreement afterwards, exactly as after a loss. Only this case is exempt: the reset must come
// from a copy of a RST the peer really sent while CLOSED (tracked here while it is in flight, not
// guessed from its flags), accepted at exactly RCV.NXT by an endpoint that held a connection.
bool InvariantMonitor::Impl::take_closed_rst(int sender, const Segment& seg) {
  if (!seg.rst() || !seg.ack_flag() || seg.seq != SeqNum(0)) return false;
  const auto it = std::find(closed_rsts.begin(), closed_rsts.end(), std::pair{sender, seg.ack});
  if (it == closed_rsts.end()) return false;
  closed_rsts.erase(it);
  return true;
}

void InvariantMonitor::Impl::note_closed_rsts(const StepRecord& s, int self_index,
                                              const TcbSnapshot* before, int peer_index) {
  const Outcome& o = s.outcome;
  if (const auto* arrival = std::get_if<SegmentArrives>(&s.event)) {
    const Segment& seg = arrival->seg;
    const bool had_connection = !no_connection(o.from) && o.from != State::SynSent;
    if (take_closed_rst(peer_index, seg) && had_connection && no_connection(o.to) &&
        before != nullptr && seg.seq == before->rcv_nxt) {
      flags.stale_closed_rst = true;
    }
  }
  if (o.from != State::Closed || o.to != State::Closed) return;
  for (const Segment& seg : o.sent) {
    if (seg.rst() && seg.ack_flag() && seg.seq == SeqNum(0)) {
      closed_rsts.emplace_back(self_index, seg.ack);
    }
  }
}

void InvariantMonitor::Impl::update_network() {
  if (!network_run) return;
  const bool idle = in_flight[0] == 0 && in_flight[1] == 0;
  const State sa = histories[1].state;
  const State sb = histories[2].state;
  if (flags.half_open_side) {
    const int x = *flags.half_open_side;
    const State sx = histories[x].state;
    const State sy = histories[x == 1 ? 2 : 1].state;
    if (!is_synchronized(sx) || is_synchronized(sy)) flags.half_open_side.reset();
  }
  if (!idle) return;
  closed_rsts.clear();  // nothing is in flight
  if (no_connection(sa) && no_connection(sb)) {
    flags = RunFlags{};  // a fresh start: nothing in flight, no connection anywhere
    return;
  }
  if (!flags.half_open_side) {
    if (is_synchronized(sa) && no_connection(sb)) flags.half_open_side = 1;
    if (is_synchronized(sb) && no_connection(sa)) flags.half_open_side = 2;
  }
}

std::vector<Violation> InvariantMonitor::Impl::step(const StepRecord& s, const WorldView& w) {
  ++steps;
  const int self_index = actor_index(s.who);
  const int peer_index = self_index == 1 ? 2 : (self_index == 2 ? 1 : -1);
  History& h = histories[self_index];
  const bool network = w.b != nullptr && peer_index > 0;
  const EndpointUnderTest* self_ep = endpoint_at(w, self_index);
  const EndpointUnderTest* peer_ep = network ? endpoint_at(w, peer_index) : nullptr;

  static const Profile kDefault{};
  const Profile& p = s.profile != nullptr ? *s.profile
                     : self_ep != nullptr ? self_ep->profile()
                                          : kDefault;
  const TcbSnapshot* before = s.tcb_before ? &*s.tcb_before : nullptr;
  const TcbSnapshot* after = s.tcb_after ? &*s.tcb_after : nullptr;
  const Segment* seg = nullptr;
  if (const auto* arrival = std::get_if<SegmentArrives>(&s.event)) seg = &arrival->seg;
  const State from = s.outcome.from;
  const State to = s.outcome.to;
  const Millis now = std::max(s.now, w.now);

  // --- history ---
  const Incarnation prior = h.cur;
  const bool fallback = from == State::SynReceived && to == State::TimeWait && seg != nullptr &&
                        h.suspended.has_value();
  const bool new_incarnation = enter_incarnation(h, from, to, fallback);
  const bool continuing = before != nullptr && after != nullptr && !no_connection(from) &&
                          !no_connection(to) && !new_incarnation && !fallback;
  Incarnation& cur = h.cur;
  note_states(cur, from, to, seg != nullptr, new_incarnation, fallback);
  note_wire_and_user(cur, s);
  if (after != nullptr && after->irs_defined && !no_connection(to)) {
    cur.irs = after->irs;
  } else if (!cur.irs && seg != nullptr && seg->syn() && !seg->rst() &&
             (new_incarnation || from == State::SynSent) && after_handshake_started(to)) {
    cur.irs = seg->seq;
  }
  const bool fin_now =
      history::fin_arrived_in(s, before, after, continuing, fallback) && !cur.fin_arrived;
  if (fin_now) {
    cur.fin_arrived = true;
    cur.fin_step = s.index;
  }
  note_time_wait(cur, s, self_ep, now);
  if (std::get_if<AbortCall>(&s.event) != nullptr && continuing && to == State::TimeWait) {
    const std::uint64_t was = accepted(*before);
    const std::uint64_t is = accepted(*after);
    if (was > is) cur.flushed += was - is;
  }
  h.state = to;
  update_flags(s);
  if (network) note_closed_rsts(s, self_index, before, peer_index);

  // --- the checks ---
  const Ctx ctx{s,        w,          p,       before,
                after,    seg,        from,    to,
                prior,    cur,        h,       network ? &histories[peer_index] : nullptr,
                flags,    self_ep,    peer_ep, new_incarnation,
                fallback, continuing, fin_now, now};
  const bool has_tcb = before != nullptr || after != nullptr;
  std::vector<Violation> out;
  for (const Entry& e : entries()) {
    if (e.info.needs_tcb && !has_tcb) continue;
    if (e.info.network_level && !network) continue;
    if (!applies_to(e.info, p)) continue;
    Report report(out, e.info);
    if (e.check != nullptr) {
      e.check(ctx, report);
    } else {
      check_half_open(ctx, report, self_index);
    }
  }
  if (network) {
    // Roles are judged once per pair of incarnations, when both ends are done.
    if (close_done(h) && close_done(histories[peer_index])) {
      h.cur.roles_checked = true;
      histories[peer_index].cur.roles_checked = true;
    }
  }
  if (w.b != nullptr) {
    network_run = true;
    in_flight[0] = w.in_flight_to_a;
    in_flight[1] = w.in_flight_to_b;
  }
  update_network();
  all.insert(all.end(), out.begin(), out.end());
  return out;
}

InvariantMonitor::InvariantMonitor() : impl_(std::make_unique<Impl>()) {}
InvariantMonitor::~InvariantMonitor() = default;
InvariantMonitor::InvariantMonitor(const InvariantMonitor& other)
    : impl_(std::make_unique<Impl>(*other.impl_)) {}
InvariantMonitor& InvariantMonitor::operator=(const InvariantMonitor& other) {
  if (this != &other) impl_ = std::make_unique<Impl>(*other.impl_);
  return *this;
}
InvariantMonitor::InvariantMonitor(InvariantMonitor&&) noexcept = default;
InvariantMonitor& InvariantMonitor::operator=(InvariantMonitor&&) noexcept = default;

std::vector<Violation> InvariantMonitor::on_step(const StepRecord& step, const WorldView& world) {
  return impl_->step(step, world);
}

void InvariantMonitor::on_fault(FaultKind kind, Actor from, const Segment& seg) {
  Impl& m = *impl_;
  std::size_t& towards_peer = m.in_flight[from == Actor::A ? 1 : 0];
  const int sender = actor_index(from);
  switch (kind) {
    case FaultKind::Loss:
      m.flags.loss = true;
      if (towards_peer > 0) --towards_peer;
      m.take_closed_rst(sender, seg);
      break;
    case FaultKind::Duplication:
      ++towards_peer;
      if (m.take_closed_rst(sender, seg)) {
        m.closed_rsts.insert(m.closed_rsts.end(), 2, std::pair{sender, seg.ack});
      }
      break;
    case FaultKind::Reordering:
    case FaultKind::Delay: break;
  }
  m.update_network();
}

const std::vector<Violation>& InvariantMonitor::violations() const {
  return impl_->all;
}
std::size_t InvariantMonitor::steps_checked() const {
  return impl_->steps;
}

}  // namespace tcpfsm::harness
