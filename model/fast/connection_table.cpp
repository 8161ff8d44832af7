// The table of connections: construction, the entry points, the batch loop and what a checker
// can read back (TcbSnapshot, timers).
#include "fast/connection_table.hpp"

#include <algorithm>
#include <stdexcept>
#include <variant>

#include "fast/engine.hpp"
#include "fast/seq_compare.hpp"

namespace tcpfsm::fast {

OutputBuffer::OutputBuffer(std::size_t segment_capacity, std::size_t notice_capacity)
    : segments_(std::clamp<std::size_t>(segment_capacity, 1, kMaxCapacity)),
      notices_(std::clamp<std::size_t>(notice_capacity, 1, kMaxCapacity)),
      segment_room_(static_cast<std::uint32_t>(segments_.size())),
      notice_room_(static_cast<std::uint32_t>(notices_.size())) {}

void OutputBuffer::grow_segments() {
  if (segments_.size() >= kMaxCapacity) throw std::length_error("OutputBuffer: too many segments");
  segments_.resize(segments_.size() * 2);
  segment_room_ = static_cast<std::uint32_t>(segments_.size());
}
void OutputBuffer::grow_notices() {
  if (notices_.size() >= kMaxCapacity) throw std::length_error("OutputBuffer: too many notices");
  notices_.resize(notices_.size() * 2);
  notice_room_ = static_cast<std::uint32_t>(notices_.size());
}

// The longest burst one step can send: the whole send buffer in MSS-sized (or smaller, when
// the window cuts them) segments, plus a FIN and an ACK.
OutputBuffer OutputBuffer::for_profile(const Profile& p) {
  const std::size_t per_mss = p.send_buffer / std::max<std::uint32_t>(p.mss, 1) + 8;
  return OutputBuffer(std::min<std::size_t>(per_mss, std::size_t{1} << 16), 64);
}

ConnectionTable::ConnectionTable(std::size_t connections, Profile profile, Mutant mutant,
                                 SeqNum first_iss)
    : profile_(std::move(profile)),
      mutant_(mutant),
      tables_(tables_for(mutant, profile_)),
      linux_intercepts_(
          profile_.request_socket || profile_.time_wait_mini_socket || profile_.orphan_fin_wait_2 ||
          profile_.syn_ack_completes_simultaneous_open || profile_.drop_without_ack_rst_syn),
      hot_(connections),
      timers_(connections),
      cold_(connections),
      next_iss_(connections, first_iss.raw()) {
  for (HotRecord& h : hot_) h.state = static_cast<std::uint8_t>(State::Closed);
  // The fast path reimplements one cell of the table for the correct implementation; a mutant,
  // a Linux switch that acts before the table or changes the sequence test or the ACK bound, or a
  // receive buffer so large that the window's modular arithmetic could wrap all send every segment
  // through the Engine instead.
  fast_path_allowed_ =
      mutant_ == Mutant::None && !linux_intercepts_ && !profile_.linux_sequence_test &&
      !profile_.old_ack_bound_by_acked && profile_.receive_buffer < (1u << 31) &&
      tables_.seg[index_of(State::Established)][kClsAck | kClsPass].act == SegAct::AckArrives;
}

StepResult ConnectionTable::step(ConnId c, const Event& e, Millis now, OutputBuffer& out) {
  if (const auto* arrival = std::get_if<SegmentArrives>(&e)) {
    return segment_arrives(c, arrival->seg, now, out);
  }
  Engine en(*this, c, now, out);
  if (const auto* timer = std::get_if<TimerExpires>(&e)) {
    en.on_timer(timer->timer);
  } else {
    en.on_call(e);
  }
  return en.result();
}

// The common case of SEGMENT ARRIVES, decided without an Engine: ESTABLISHED, ACK (and maybe
// PSH) and no other control bit, SEG.SEQ = RCV.NXT with all text inside the window, SEG.ACK =
// SND.UNA, and a connection with nothing queued, held or waiting and no CLOSE. For such a
// segment the ordered checks of RFC 9293 §3.10.7.4 come down to: the first check passes with
// nothing to trim; no RST, no SYN; the fifth check acknowledges nothing new but may update the
// window (SND.WL1/SND.WL2); the seventh takes the text; an ACK answers text. Every condition
// is tested before anything is written, so `false` means the record is untouched. The
// differential tests hold this path to the reference like the rest.
inline bool ConnectionTable::established_fast_path(ConnId c, const Segment& s, Millis now,
                                                   OutputBuffer& out, StepResult& r) {
  constexpr std::uint16_t kBlocking =
      kCloseRequested | kFinSent | kFinReceived | kHasQueued | kHasWaiting | kHasHeld;
  HotRecord& h = hot_[c];
  const std::uint32_t seq = s.seq.raw();
  const std::uint32_t ack = s.ack.raw();
  if (h.state != static_cast<std::uint8_t>(State::Established) ||
      (s.ctl & ~std::uint8_t{kPsh}) != kAck || (h.flags & kBlocking) != 0 || seq != h.rcv_nxt ||
      s.len > h.rcv_wnd || ack != h.snd_una || !fast_path_allowed_) {
    return false;
  }
  // Fifth check, in the general path's order: an ACK of something never sent, then RFC 5961
  // §5.2's lower bound (MAY-12). SEG.ACK = SND.UNA, so only a broken record or a huge
  // MAX.SND.WND fails here; the Engine answers those. (Linux's bound, old_ack_bound_by_acked,
  // keeps its profile off this path.)
  if (mod_gt(ack, h.snd_nxt) || (profile_.rfc5961_ack && mod_lt(ack, h.snd_una - h.max_snd_wnd))) {
    return false;
  }

  now_ = std::max(now, now_);
  r.from = State::Established;
  r.to = State::Established;
  r.first_segment = static_cast<std::uint32_t>(out.segment_count());
  r.first_notice = static_cast<std::uint32_t>(out.notice_count());
  r.notice_count = 0;
  // Fifth check: SND.WL1 and SND.WL2 keep an older segment from changing the window. Nothing
  // is stored when nothing changes, so that a duplicate ACK leaves the record's cache line
  // clean: with millions of connections a dirtied line costs a write back to memory.
  if ((mod_lt(h.snd_wl1, seq) || (h.snd_wl1 == seq && mod_le(h.snd_wl2, ack))) &&
      (h.snd_wnd != s.wnd || h.snd_wl1 != seq || h.snd_wl2 != ack || h.max_snd_wnd < s.wnd)) {
    h.snd_wnd = s.wnd;
    h.snd_wl1 = seq;
    h.snd_wl2 = ack;
    h.max_snd_wnd = std::max(h.max_snd_wnd, s.wnd);
  }
  if (h.snd_wnd == 0) timers_[c].retries = 0;  // MUST-37: the peer is alive; keep probing
  if (s.len == 0) {
    r.rule = Rule::AckProcessed;
    r.segment_count = 0;
    return true;
  }
  // Seventh check: the text is in order and fits; then <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>,
  // whose window becomes the right edge the peer knows (§3.8.6.2.2).
  h.rcv_nxt += s.len;
  h.recv_unread += s.len;
  h.rcv_wnd = profile_.receive_buffer - h.recv_unread;
  h.rcv_adv = mod_max(h.rcv_adv, h.rcv_nxt + h.rcv_wnd);
  out.push(Segment{.seq = SeqNum(h.snd_nxt),
                   .ack = SeqNum(h.rcv_nxt),
                   .ctl = kAck,
                   .wnd = std::min<std::uint32_t>(h.rcv_wnd, 0xFFFF)});
  r.rule = Rule::TextAccepted;
  r.segment_count = 1;
  return true;
}

namespace {
// The states whose segments short_answer() may take.
constexpr unsigned kShortStates =
    (1u << index_of(State::Established)) | (1u << index_of(State::FinWait1)) |
    (1u << index_of(State::FinWait2)) | (1u << index_of(State::CloseWait)) |
    (1u << index_of(State::Closing)) | (1u << index_of(State::LastAck));
}  // namespace

// Segments that a synchronized connection answers with one ACK (or, over the RFC 5961 §7
// budget, with nothing) and that change nothing else, decided without an Engine: an
// unacceptable segment (RFC 9293 §3.10.7.4 first check), an in-window RST not at RCV.NXT
// (second check, RFC 5961 §3.2), an in-window SYN (fourth check, RFC 5961 §4.2) and an ACK of
// something never sent (fifth check). The class and the table cell are the Engine's, so a table
// edit keeps its effect; SYN-RECEIVED and TIME-WAIT, whose cells do more, are left to the
// Engine, and so are the profiles and mutants the fast path avoids.
inline bool ConnectionTable::short_answer(ConnId c, const Segment& s, Millis now, OutputBuffer& out,
                                          StepResult& r) {
  HotRecord& h = hot_[c];
  const unsigned st = h.state;
  if (!fast_path_allowed_ || ((kShortStates >> st) & 1u) == 0) return false;
  const std::uint32_t seq = s.seq.raw();
  // RFC 9293 §3.4 Table 5, as Engine::acceptable computes it.
  bool ok = seq == h.rcv_nxt;
  if (h.rcv_wnd != 0) {
    const std::uint32_t len = s.seg_len();
    ok = seq - h.rcv_nxt < h.rcv_wnd || (len != 0 && seq + len - 1 - h.rcv_nxt < h.rcv_wnd);
  }
  const unsigned ctl = s.ctl;
  const unsigned cls =
      ((ctl >> 2) & kClsRst) | (ctl & kClsSyn) | ((ctl >> 2) & kClsAck) | (ok ? kClsPass : 0u);
  const SegEntry& e = tables_.seg[st][cls];
  Rule rule = e.rule;
  bool challenge = false;
  switch (e.act) {
    case SegAct::AnswerAck: break;
    case SegAct::RstAbort:
    case SegAct::RstQuiet:
      // Second check: only a RST exactly at RCV.NXT is believed.
      if (!profile_.rfc5961_rst || seq == h.rcv_nxt) return false;
      rule = Rule::RstChallengeAck;
      challenge = true;
      break;
    case SegAct::SynInWindow:
      // Fitted to the window, the SYN survives unless it lies before RCV.NXT or at the right
      // edge or beyond; the Engine takes the segment whose SYN is cut off.
      if (!profile_.rfc5961_syn || mod_lt(seq, h.rcv_nxt) || !mod_lt(seq, h.rcv_nxt + h.rcv_wnd)) {
        return false;
      }
      rule = Rule::SynChallengeAck;
      challenge = true;
      break;
    case SegAct::AckArrives:
      // Fifth check, its first test (before SND.UNA or the window is looked at).
      if (!mod_gt(s.ack.raw(), h.snd_nxt)) return false;
      rule = Rule::AckOfUnsentDataAcked;
      break;
    case SegAct::Drop:
    case SegAct::AnswerReset:
    case SegAct::PassiveOpen:
    case SegAct::SynSentRefused:
    case SegAct::SynSentSyn:
    case SegAct::TimeWaitStray:
    case SegAct::RstSynReceived:
    case SegAct::RstTimeWait:
    case SegAct::SynSentBadAck:
    case SegAct::RstBelowWindow: return false;
  }

  now_ = std::max(now, now_);
  r.from = static_cast<State>(st);
  r.to = r.from;
  r.rule = rule;
  r.first_segment = static_cast<std::uint32_t>(out.segment_count());
  r.first_notice = static_cast<std::uint32_t>(out.notice_count());
  r.notice_count = 0;
  r.segment_count = 0;
  if (challenge && profile_.challenge_ack_limit > 0) {
    // RFC 5961 §7: challenge ACKs may be rate limited; one over the budget is not sent.
    ColdRecord& k = cold_[c];
    if (now_ - k.cack_window_start >= profile_.challenge_ack_window_ms) {
      k.cack_window_start = now_;
      k.cack_in_window = 0;
    }
    if (k.cack_in_window >= profile_.challenge_ack_limit) return true;
    ++k.cack_in_window;
  }
  // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>; its window becomes the right edge the peer knows.
  h.rcv_adv = mod_max(h.rcv_adv, h.rcv_nxt + h.rcv_wnd);
  out.push(Segment{.seq = SeqNum(h.snd_nxt),
                   .ack = SeqNum(h.rcv_nxt),
                   .ctl = kAck,
                   .wnd = std::min<std::uint32_t>(h.rcv_wnd, 0xFFFF)});
  r.segment_count = 1;
  return true;
}

// Each out of line, so that the fast path's caller stays a small leaf function and the short
// answers do not pay for the Engine's stack frame.
[[gnu::noinline]] StepResult ConnectionTable::engine_segment(ConnId c, const Segment& s, Millis now,
                                                             OutputBuffer& out) {
  StepResult r;
  if (short_answer(c, s, now, out, r)) return r;
  return full_engine_segment(c, s, now, out);
}

[[gnu::noinline]] StepResult ConnectionTable::full_engine_segment(ConnId c, const Segment& s,
                                                                  Millis now, OutputBuffer& out) {
  Engine en(*this, c, now, out);
  en.on_segment(s);
  return en.result();
}

StepResult ConnectionTable::segment_arrives(ConnId c, const Segment& s, Millis now,
                                            OutputBuffer& out) {
  StepResult r;
  if (established_fast_path(c, s, now, out, r)) return r;
  // Only a synchronized state past the handshake can have a short answer.
  if (((kShortStates >> hot_[c].state) & 1u) == 0) return full_engine_segment(c, s, now, out);
  return engine_segment(c, s, now, out);
}

// The hot records of the arrivals some places ahead are requested before they are needed, so
// that with many connections the cache misses of consecutive segments overlap. A fast-path
// segment costs a few nanoseconds and a miss to memory about a hundred, so the distance must
// cover many segments; a record may straddle two cache lines (48-byte records), hence two
// prefetches, for reading: the fast path writes a record only when its state moves. The side
// tables are not prefetched: the fast path does not read them.
void ConnectionTable::segments_arrive(std::span<const Arrival> arrivals, Millis now,
                                      OutputBuffer& out, std::span<StepResult> results) {
  constexpr std::size_t kAhead = 32;
  const std::size_t n = std::min(arrivals.size(), results.size());
  const auto prefetch = [this](ConnId c) {
    const char* first = reinterpret_cast<const char*>(&hot_[c]);
    __builtin_prefetch(first, 0, 3);
    __builtin_prefetch(first + sizeof(HotRecord) - 1, 0, 3);
  };
  for (std::size_t i = 0; i < n && i < kAhead; ++i) prefetch(arrivals[i].conn);
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kAhead < n) prefetch(arrivals[i + kAhead].conn);
    const Arrival& a = arrivals[i];
    if (established_fast_path(a.conn, a.seg, now, out, results[i])) continue;
    results[i] = engine_segment(a.conn, a.seg, now, out);
  }
}

TcbSnapshot ConnectionTable::snapshot(ConnId c) const {
  const HotRecord& h = hot_[c];
  const ColdRecord& k = cold_[c];
  TcbSnapshot s;
  s.iss = SeqNum(h.iss);
  s.snd_una = SeqNum(h.snd_una);
  s.snd_nxt = SeqNum(h.snd_nxt);
  s.snd_wl1 = SeqNum(h.snd_wl1);
  s.snd_wl2 = SeqNum(h.snd_wl2);
  s.snd_up = SeqNum(k.snd_up);
  s.snd_max = SeqNum(h.snd_nxt);  // SND.NXT never rewinds here
  s.snd_wnd = h.snd_wnd;
  s.max_snd_wnd = h.max_snd_wnd;
  s.irs = SeqNum(k.irs);
  s.rcv_nxt = SeqNum(h.rcv_nxt);
  s.rcv_up = SeqNum(k.rcv_up);
  s.rcv_wnd = h.rcv_wnd;
  s.iss_defined = h.has(kIssDefined);
  s.irs_defined = h.has(kIrsDefined);
  s.passive_open = h.has(kPassiveOpen);
  s.from_time_wait = h.has(kFromTimeWait);
  s.close_requested = h.has(kCloseRequested);
  s.fin_sent = h.has(kFinSent);
  s.fin_acked = h.has(kFinAcked);
  s.fin_received = h.has(kFinReceived);
  s.fin_seq = SeqNum(h.has(kFinSent) ? h.snd_nxt - 1 : 0);  // nothing follows our FIN
  s.send_queued = k.send_queued;
  s.recv_unread = h.recv_unread;
  s.delivered_total = k.delivered_total;
  return s;
}

std::optional<Millis> ConnectionTable::deadline(ConnId c, TimerKind k) const {
  const auto i = static_cast<unsigned>(k);
  if ((hot_[c].armed & (1u << i)) == 0) return std::nullopt;
  return timers_[c].deadline[i];
}

std::optional<std::pair<TimerKind, Millis>> ConnectionTable::next_timer(ConnId c) const {
  std::optional<std::pair<TimerKind, Millis>> best;
  for (unsigned i = 0; i < kTimerKinds; ++i) {
    if ((hot_[c].armed & (1u << i)) == 0) continue;
    const Millis d = timers_[c].deadline[i];
    if (!best || d < best->second) best = {static_cast<TimerKind>(i), d};
  }
  return best;
}

namespace {

// LEB128 numbers; records are written field by field, so padding never shows.
class Writer {
 public:
  Writer(std::string& out, Millis now) : out_(out), now_(now) {}
  void num(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7F) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  // How long ago `t` was, capped where older makes no difference.
  void age(Millis t, std::uint64_t cap) {
    num(std::min<std::uint64_t>(now_ - std::min(t, now_), cap));
  }
  void hot(const HotRecord& h) {
    for (std::uint32_t v : {h.snd_una, h.snd_nxt, h.snd_wnd, h.snd_wl1, h.snd_wl2, h.max_snd_wnd,
                            h.iss, h.rcv_nxt, h.rcv_wnd, h.rcv_adv, h.recv_unread}) {
      num(v);
    }
    num(h.flags);
    num(h.state);
  }
  void cold(const ColdRecord& k, const HotRecord& h, const Profile& p) {
    for (std::uint32_t v : {k.irs, k.snd_up, k.rcv_up, k.send_queued, k.srtt_ms, k.rttvar_ms}) {
      num(v);
    }
    num(k.delivered_total);
    num((k.rtt_measured ? 1u : 0u) | (k.syn_timed_out ? 2u : 0u) | (k.syn_text.fin ? 4u : 0u));
    if (h.has(kRttTiming)) {
      num(k.rtt_seq);
      age(k.rtt_start, ~std::uint64_t{0});
    }
    if (p.challenge_ack_limit > 0) {
      age(k.cack_window_start, p.challenge_ack_window_ms);
      num(k.cack_in_window);
    }
    num(k.syn_text.seq);
    num(k.syn_text.len);
  }

  Millis now() const { return now_; }

 private:
  std::string& out_;
  Millis now_;
};

}  // namespace

void ConnectionTable::encode(ConnId c, Millis now, std::string& out) const {
  Writer w(out, std::max(now, now_));
  const HotRecord& h = hot_[c];
  for (unsigned i = 0; i < kTimerKinds; ++i) {
    if ((h.armed & (1u << i)) == 0) {
      w.num(0);
      continue;
    }
    const Millis d = timers_[c].deadline[i];
    w.num(d <= w.now() ? 1 : 1 + (d - w.now()));
  }
  w.num(next_iss_[c]);
  const auto whole = [&](const HotRecord& hr, const ColdRecord& k, std::uint32_t rto,
                         std::uint32_t retries) {
    w.hot(hr);
    w.cold(k, hr, profile_);
    w.num(rto);
    w.num(retries);
    w.num(held_pool_.count(k.held));
    for (std::uint32_t n = k.held.head; n != kNil; n = held_pool_.node(n).next) {
      const HeldSpan& span = held_pool_.node(n).value;
      w.num(span.seq);
      w.num(span.len);
      w.num(span.fin ? 1 : 0);
    }
    w.num(waiting_pool_.count(k.waiting));
    for (std::uint32_t n = k.waiting.head; n != kNil; n = waiting_pool_.node(n).next) {
      w.num(waiting_pool_.node(n).value);
    }
  };
  const ColdRecord& k = cold_[c];
  whole(h, k, timers_[c].rto_ms, timers_[c].retries);
  w.num(k.saved_time_wait == kNil ? 0 : 1);
  if (k.saved_time_wait != kNil) {
    const SavedTimeWait& sv = saved_[k.saved_time_wait];
    whole(sv.hot, sv.cold, sv.rto_ms, sv.retries);
  }
}

}  // namespace tcpfsm::fast
