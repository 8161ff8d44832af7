// SEGMENT ARRIVES (RFC 9293 §3.10.7): classify, look the action up in the (state, class)
// table, run it. The ordered checks of §3.10.7.4 survive as the order of the table's rows
// (first test, RST, SYN, ACK) and, after the ACK, as the text and FIN phase below.
#include <algorithm>

#include "fast/engine.hpp"

namespace tcpfsm::fast {

namespace {

constexpr unsigned kSyncStates = (1u << static_cast<unsigned>(State::SynReceived)) |
                                 (1u << static_cast<unsigned>(State::Established)) |
                                 (1u << static_cast<unsigned>(State::FinWait1)) |
                                 (1u << static_cast<unsigned>(State::FinWait2)) |
                                 (1u << static_cast<unsigned>(State::CloseWait)) |
                                 (1u << static_cast<unsigned>(State::Closing)) |
                                 (1u << static_cast<unsigned>(State::LastAck)) |
                                 (1u << static_cast<unsigned>(State::TimeWait));

constexpr std::uint8_t without(std::uint8_t ctl, std::uint8_t bits) {
  return static_cast<std::uint8_t>(ctl & ~bits);
}

}  // namespace

// RFC 9293 §3.4 Table 5 (§3.10.7.4 Table 6). With a zero window only SEG.SEQ = RCV.NXT
// passes; a segment with data there still counts for its ACK, URG and RST (MUST-66) and loses
// its text when it is fitted to the window.
bool Engine::acceptable(const Segment& s) const {
  const std::uint32_t lo = h_.rcv_nxt;
  const std::uint32_t seq = s.seq.raw();
  if (h_.rcv_wnd == 0) return seq == lo;
  const std::uint32_t hi = lo + h_.rcv_wnd;
  const std::uint32_t len = s.seg_len();
  return ord_.within(lo, seq, hi) || (len != 0 && ord_.within(lo, seq + len - 1, hi));
}

// The class: RST, SYN and ACK bits straight from the control field, plus whether the state's
// first test passed (dispatch.hpp). Only the test the state uses is computed: the state is
// the same for long runs of segments, so the branch is well predicted and the other test's
// work is saved. (Linux's test also notes an old duplicate, so it runs in every state.)
inline unsigned Engine::classify(const Segment& s) {
  const unsigned ctl = s.ctl;
  const unsigned bits = ((ctl >> 2) & kClsRst) | (ctl & kClsSyn) | ((ctl >> 2) & kClsAck);
  static_assert(kRst >> 2 == kClsRst && kSyn == kClsSyn && kAck >> 2 == kClsAck);
  const unsigned st = h_.state;
  unsigned pass = 0;
  if (((kSyncStates >> st) & 1u) != 0 || p_.linux_sequence_test) [[likely]] {
    unsigned seq_ok = acceptable(s) ? 1u : 0u;
    if (p_.linux_sequence_test) {
      // L10: Linux's test replaces Table 5; an old duplicate it lets through counts only for
      // its controls and its ACK.
      const bool linux_ok = linux_sequence_test(s);
      old_duplicate_ = linux_ok && seq_ok == 0 && s.seg_len() > 0;
      seq_ok = linux_ok ? 1u : 0u;
    }
    pass = seq_ok & (kSyncStates >> st);
  }
  if (st == index_of(State::SynSent)) {
    const std::uint32_t ack = s.ack.raw();
    pass = (ord_.lt(h_.iss, ack) && ord_.le(ack, h_.snd_nxt)) ? 1u : 0u;
  }
  return bits | ((pass & 1u) << 3);
}

void Engine::on_segment(const Segment& s) {
  if (t_.linux_intercepts_ && linux_intercept(s)) return;
  const unsigned cls = classify(s);
  const SegEntry& e = t_.tables_.seg[h_.state][cls];
  rule_ = e.rule;
  switch (e.act) {
    case SegAct::Drop: return;
    case SegAct::AnswerReset: emit(reset_answer(s)); return;
    case SegAct::PassiveOpen: passive_open(s); return;
    case SegAct::SynSentRefused:
      // §3.10.7.3 second check: our SYN was refused. The RFC's word here is "reset".
      tell(Notice::err(UserError::ConnectionReset));
      fail_waiting(UserError::ConnectionReset);
      enter(e.next);
      return;
    case SegAct::SynSentSyn: syn_sent_syn(s); return;
    case SegAct::AnswerAck: emit(bare_ack()); return;
    case SegAct::TimeWaitStray: time_wait_stray(s); return;
    case SegAct::RstSynReceived:
    case SegAct::RstAbort:
    case SegAct::RstQuiet:
    case SegAct::RstTimeWait: rst_in_window(s, e); return;
    case SegAct::SynInWindow:
    case SegAct::AckArrives: in_window(s, cls, e); return;
    case SegAct::SynSentBadAck: syn_sent_bad_ack(s); return;
    case SegAct::RstBelowWindow:
      // L7 (tcp_reset_check): after the peer's FIN a RST one below RCV.NXT is believed.
      if (s.seq.raw() != h_.rcv_nxt - 1) return;  // otherwise the RFC's silent drop
      if (state() == State::CloseWait) {
        tell(Notice::err(UserError::ConnectionReset));
        fail_waiting(UserError::ConnectionReset);
      }
      enter(State::Closed);
      rule_ = Rule::RstClosesConnection;
      return;
  }
}

// RFC 9293 §3.10.7.2 fourth: IRS from the SYN, a fresh ISS, the SYN-ACK. The send window is
// taken from the SYN as well (docs/model.md, C12).
void Engine::passive_open(const Segment& s) {
  if (p_.request_socket && s.fin()) {
    rule_ = Rule::ListenDropsOther;  // L12: Linux drops a SYN with FIN in LISTEN
    return;
  }
  new_incarnation();
  learn_peer_syn(s);
  h_.set(kRemoteKnown);
  h_.set(kPassiveOpen);
  h_.snd_wnd = s.wnd;
  h_.snd_wl1 = s.seq.raw();
  h_.snd_wl2 = h_.iss;
  h_.max_snd_wnd = s.wnd;
  keep_syn_text(s);
  emit(our_syn(true));
  arm(TimerKind::Retransmission, tm_.rto_ms);
  if (p_.user_timeout_ms > 0) arm(TimerKind::User, p_.user_timeout_ms);
  enter(State::SynReceived);
}

// RFC 9293 §3.10.7.3 fourth: a SYN in SYN-SENT. The table only sends it here when any ACK on
// it passed the first check.
void Engine::syn_sent_syn(const Segment& s) {
  learn_peer_syn(s);
  if (s.ack_flag()) advance_una(s.ack.raw());
  if (ord_.lt(h_.iss, h_.snd_una)) {
    // Our SYN is acknowledged: ESTABLISHED, with the window from this segment (RFC 1122
    // §4.2.2.20(c), C20).
    h_.snd_wnd = s.wnd;
    h_.snd_wl1 = s.seq.raw();
    h_.snd_wl2 = s.ack.raw();
    h_.max_snd_wnd = std::max(h_.max_snd_wnd, s.wnd);
    enter(State::Established);
    rule_ = Rule::SynSentSynAckEstablishes;
    // Text and FIN behind the SYN go on at the sixth check; what exceeds the window is cut.
    Segment rest = s;
    rest.ctl = without(rest.ctl, kSyn);
    rest.seq = s.seq + 1;
    std::uint32_t room = h_.rcv_wnd;
    if (p_.syn_ack_text_discarded) {
      room = 0;  // L11: without Fast Open the SYN-ACK's text and FIN are dropped unread
      rest.ctl = without(rest.ctl, kFin);
    }
    if (rest.len > room) {
      rest.len = room;
      rest.ctl = without(rest.ctl, kFin);
    }
    owe_ack_ = true;
    if (rest.len > 0 || rest.fin() || rest.has(kUrg)) text_phase(rest, s.seq.raw() + s.up);
    flush(owe_ack_);
    return;
  }
  // Simultaneous open (C1): SYN-RECEIVED, and our SYN again, now with the ACK.
  h_.snd_wnd = s.wnd;
  h_.snd_wl1 = s.seq.raw();
  h_.max_snd_wnd = std::max(h_.max_snd_wnd, s.wnd);
  h_.clear(kPassiveOpen);
  keep_syn_text(s);
  emit(our_syn(true));
  enter(State::SynReceived);
  rule_ = Rule::SynSentSimultaneousOpen;
}

// An unacceptable segment in TIME-WAIT. A SYN above RCV.NXT may start a new incarnation
// (§3.6.1 MAY-2, Profile::time_wait_syn); a retransmitted FIN is acknowledged and restarts
// 2*MSL (the TIME-WAIT text of the fifth and eighth checks, C16); anything else gets an ACK.
void Engine::time_wait_stray(const Segment& s) {
  if (s.syn() && !s.ack_flag() && p_.time_wait_syn == TimeWaitSyn::Reopen &&
      mod_gt(s.seq.raw(), h_.rcv_nxt)) {
    reopen_from_time_wait(s);
    return;
  }
  emit(bare_ack());
  if (s.fin() && s.seq.raw() + s.seg_len() == h_.rcv_nxt) {
    if (t_.mutant_ != Mutant::TimeWaitNotRestartedByFin) {
      arm(TimerKind::TimeWait, 2ull * p_.msl_ms);
    }
    rule_ = Rule::TimeWaitAcksRetransmittedFin;
  }
}

// RFC 9293 §3.10.7.4 second check, for a RST that passed the first. RFC 5961 §3.2: unless it
// sits exactly at RCV.NXT it may be forged, so the peer is asked with a challenge ACK (C26).
void Engine::rst_in_window(const Segment& s, const SegEntry& e) {
  if (e.act == SegAct::RstTimeWait && p_.time_wait_rst == TimeWaitRst::Ignore) {
    rule_ = Rule::TimeWaitIgnoresRst;  // RFC 1337 fix F1 (C17)
    return;
  }
  if (p_.rfc5961_rst && t_.mutant_ != Mutant::InexactRstAccepted && s.seq.raw() != h_.rcv_nxt) {
    rule_ = Rule::RstChallengeAck;
    challenge();
    return;
  }
  switch (e.act) {
    case SegAct::RstSynReceived:
      if (cold_.saved_time_wait != kNil) {
        restore_time_wait();  // MAY-2 condition 2: the reopening SYN was an old duplicate
        rule_ = Rule::RstReturnsToTimeWait;
        return;
      }
      if (h_.has(kPassiveOpen)) {
        to_listen();
        rule_ = Rule::RstReturnsToListen;
        return;
      }
      tell(Notice::err(UserError::ConnectionRefused));
      fail_waiting(UserError::ConnectionReset);
      enter(State::Closed);
      rule_ = Rule::RstRefusesActiveOpen;
      return;
    case SegAct::RstAbort:
      tell(Notice::err(UserError::ConnectionReset));
      fail_waiting(UserError::ConnectionReset);
      enter(e.next);
      return;
    case SegAct::RstQuiet:
    case SegAct::RstTimeWait: enter(e.next); return;
    case SegAct::Drop:
    case SegAct::AnswerReset:
    case SegAct::PassiveOpen:
    case SegAct::SynSentRefused:
    case SegAct::SynSentSyn:
    case SegAct::AnswerAck:
    case SegAct::TimeWaitStray:
    case SegAct::SynInWindow:
    case SegAct::AckArrives:
    case SegAct::SynSentBadAck:
    case SegAct::RstBelowWindow: return;
  }
}

// RFC 9293 §3.10.7.4 first check, second half: the acceptable segment is cut to the window.
// Octets (and a SYN) before RCV.NXT were received already; text and a FIN beyond the right edge
// are dropped, and then the peer is owed an ACK.
Segment Engine::fit_to_window(const Segment& s) {
  std::uint32_t seq = s.seq.raw();
  std::uint32_t len = s.len;
  std::uint8_t ctl = s.ctl;
  if (mod_lt(seq, h_.rcv_nxt)) {
    std::uint32_t behind = h_.rcv_nxt - seq;
    if ((ctl & kSyn) != 0) {
      ctl = without(ctl, kSyn);
      seq += 1;
      behind -= 1;
    }
    const std::uint32_t drop = std::min(behind, len);
    len -= drop;
    seq += drop;
  }
  const std::uint32_t edge = h_.rcv_nxt + h_.rcv_wnd;
  const std::uint32_t first = seq + ((ctl & kSyn) != 0 ? 1u : 0u);
  const std::uint32_t end = first + len;
  if (mod_gt(end, edge)) {
    len -= mod_lt(first, edge) ? end - edge : len;
    ctl = without(ctl, kFin);
    owe_ack_ = true;
  } else if ((ctl & kFin) != 0 && end == edge) {
    ctl = without(ctl, kFin);  // the FIN's own number lies outside
    owe_ack_ = true;
  }
  if ((ctl & kSyn) != 0 && !mod_lt(seq, edge)) {
    ctl = without(ctl, kSyn);
    owe_ack_ = true;
  }
  Segment g = s;
  g.seq = SeqNum(seq);
  g.len = len;
  g.ctl = ctl;
  return g;
}

// A non-RST segment that passed the first check: fit it to the window, then the SYN check (if
// its SYN survived the fitting) or the ACK check and what follows.
void Engine::in_window(const Segment& s, unsigned cls, SegEntry e) {
  const std::uint32_t urgent_at = s.seq.raw() + s.up;
  Segment g = fit_to_window(s);
  if (old_duplicate_) {
    // L10: nothing of it is new; only its controls and ACK count, and it is answered.
    g.len = 0;
    if (mod_lt(g.seq.raw(), h_.rcv_nxt)) g.ctl = without(g.ctl, kFin);
    owe_ack_ = true;
  }
  // L10: Linux challenges a SYN that passed its test even where trimming cut it off.
  if (e.act == SegAct::SynInWindow && !g.syn() && !p_.linux_sequence_test) {
    e = t_.tables_.seg[h_.state][cls & ~kClsSyn];
    rule_ = e.rule;
  }
  if (e.act == SegAct::SynInWindow) {
    syn_in_window(g);
    return;
  }
  if (e.act != SegAct::AckArrives) return;  // fifth check: no ACK, drop (C11)
  if (!ack_phase(g)) return;
  const State st = state();
  if ((p_.data_after_close_resets || p_.data_after_fin_resets) && data_after_shutdown(s)) return;
  text_phase(g, urgent_at);
  if (state() == State::Closed) return;
  if (p_.repeated_fin_unacked && !mod_lt(s.seq.raw(), h_.rcv_nxt) &&
      (st == State::CloseWait || st == State::Closing || st == State::LastAck)) {
    owe_ack_ = false;  // L13: after the peer's FIN, text or a FIN again goes unanswered
  }
  flush(owe_ack_);
}

// RFC 9293 §3.10.7.4 fourth check: a SYN in the window.
void Engine::syn_in_window(const Segment& g) {
  const State st = state();
  if (st == State::SynReceived && h_.has(kPassiveOpen)) {
    to_listen();
    rule_ = Rule::SynReturnsToListen;
    return;
  }
  if (st == State::TimeWait && p_.time_wait_syn == TimeWaitSyn::Reopen && !g.ack_flag() &&
      mod_gt(g.seq.raw(), h_.rcv_nxt)) {
    reopen_from_time_wait(g);
    return;
  }
  if (p_.rfc5961_syn) {
    if (t_.mutant_ == Mutant::SynAckInSynchronizedStateDrawsRst && is_synchronized(st) &&
        g.ack_flag()) {
      emit(reset_answer(g));
      rule_ = Rule::None;
      return;
    }
    // RFC 5961 §4.2: a peer that really restarted answers with a RST at RCV.NXT (C7).
    rule_ = Rule::SynChallengeAck;
    challenge();
    return;
  }
  // RFC 793: an in-window SYN is an error; reset (in the §3.5.2 form) and close.
  emit(reset_answer(g));
  tell(Notice::err(UserError::ConnectionReset));
  fail_waiting(UserError::ConnectionReset);
  enter(State::Closed);
  rule_ = Rule::SynResetsConnection;
}

// RFC 9293 §3.10.7.4 fifth check. False when the segment is finished with.
bool Engine::ack_phase(const Segment& g) {
  const std::uint32_t ack = g.ack.raw();
  if (state() == State::SynReceived) {
    // §3.5.2 group 2: the ACK must cover our SYN and nothing unsent, else RST(a). Linux
    // (tcp_ack in a full SYN_RECV socket) also takes an ACK of SND.UNA after a simultaneous
    // open.
    const bool una_ok =
        p_.syn_received_accepts_ack_of_una && !h_.has(kPassiveOpen) && ack == h_.snd_una;
    if (!una_ok && !(ord_.lt(h_.snd_una, ack) && ord_.le(ack, h_.snd_nxt))) {
      emit(reset_answer(g));
      rule_ = Rule::SynReceivedResetsBadAck;
      return false;
    }
    establish_from_syn_received(g);
  }
  if (ord_.gt(ack, h_.snd_nxt)) {
    emit(bare_ack());  // it acknowledges something never sent
    rule_ = Rule::AckOfUnsentDataAcked;
    return false;
  }
  std::uint32_t bound = h_.max_snd_wnd;
  if (p_.old_ack_bound_by_acked) {
    // L9 (tcp_ack): never further back than what has been acknowledged so far; a passive
    // opener's SYN does not count (Linux's child socket starts at ISS+1).
    std::uint32_t acked = h_.snd_una - h_.iss;
    if (h_.has(kPassiveOpen) && acked > 0) acked -= 1;
    bound = std::min(bound, acked);
  }
  if (p_.rfc5961_ack && ord_.lt(ack, h_.snd_una - bound)) {
    if (p_.fast_path_keeps_data && fast_path_predicts(g)) {
      // L9: the kernel's header prediction queues the text before tcp_ack() looks at the
      // ACK; the challenge ACK then carries the new RCV.NXT.
      rule_ = Rule::AckTooOldAcked;
      owe_ack_ = true;
      return true;
    }
    challenge();  // RFC 5961 §5.2, MAY-12
    rule_ = Rule::AckTooOldAcked;
    return false;
  }
  rule_ = Rule::AckProcessed;
  const State st = state();
  if (st == State::TimeWait) return true;
  if (ord_.lt(h_.snd_una, ack)) advance_una(ack);
  window_update(g);
  if (h_.snd_wnd == 0) tm_.retries = 0;  // MUST-37: the peer is alive; keep probing
  if (!h_.has(kFinAcked)) {
    if (st == State::Closing) {
      rule_ = Rule::ClosingIgnoresOtherSegments;
      flush(false);  // the window may have opened for data and a FIN still queued (C13)
      return false;
    }
    if (st == State::LastAck) {
      rule_ = Rule::LastAckIgnoresOtherSegments;
      flush(false);
      return false;
    }
    return true;
  }
  const State next = t_.tables_.on_fin_acked[index_of(st)];
  if (next == st) return true;
  enter(next);
  switch (next) {
    case State::FinWait2:
      rule_ = Rule::FinAckedEntersFinWait2;
      if (p_.orphan_fin_wait_2 && h_.has(kCloseRequested) && g.len == 0 && !g.fin()) {
        // L4: after CLOSE the socket becomes a FIN-WAIT-2 mini-socket here and the rest of a
        // bare segment is consumed unseen.
        owe_ack_ = false;
        return false;
      }
      return true;
    case State::TimeWait: rule_ = Rule::FinAckedEntersTimeWait; return false;
    case State::Closed: rule_ = Rule::FinAckedCloses; return false;
    case State::Listen:
    case State::SynSent:
    case State::SynReceived:
    case State::Established:
    case State::FinWait1:
    case State::CloseWait:
    case State::Closing:
    case State::LastAck: return true;
  }
  return true;
}

// §3.10.7.4 fifth check in SYN-RECEIVED: the handshake completes; the text held from the
// SYN joins the out-of-order queue at its head, and a CLOSE deferred earlier takes effect.
void Engine::establish_from_syn_received(const Segment& g) {
  h_.snd_wnd = g.wnd;
  h_.snd_wl1 = g.seq.raw();
  h_.snd_wl2 = g.ack.raw();
  h_.max_snd_wnd = std::max(h_.max_snd_wnd, g.wnd);
  drop_saved();
  enter(State::Established);
  const HeldSpan syn_text = cold_.syn_text;
  if (syn_text.len > 0 || syn_text.fin) {
    t_.held_pool_.push_front(cold_.held, syn_text);
    h_.set(kHasHeld);
    cold_.syn_text = HeldSpan{};
  }
  if (h_.has(kCloseRequested)) set_state(State::FinWait1);
}

// L9 (tcp_rcv_established): the segment Linux's header prediction would take: in order, ACK
// (and PSH) only, carrying text, the window unchanged, nothing held, and data gone one way or
// the other before (the kernel needs memory already charged to the socket).
bool Engine::fast_path_predicts(const Segment& g) const {
  return state() == State::Established && (g.ctl & ~kPsh) == kAck && g.len > 0 &&
         g.seq.raw() == h_.rcv_nxt && ord_.le(g.ack.raw(), h_.snd_nxt) && g.wnd == h_.snd_wnd &&
         !h_.has(kHasHeld) && h_.rcv_wnd > 0 &&
         (h_.snd_nxt - h_.iss > 1 || h_.rcv_nxt - cold_.irs > 1);
}

// SND.UNA moves up to SEG.ACK: an RTT sample (RFC 6298 §2, Karn's rule), our FIN and urgent
// data acknowledged, and the timers follow the progress.
void Engine::advance_una(std::uint32_t ack) {
  if (h_.has(kRttTiming) && mod_le(cold_.rtt_seq, ack)) {
    const auto sample =
        static_cast<std::uint32_t>(std::min<Millis>(now_ - cold_.rtt_start, Millis{1} << 30));
    if (!cold_.rtt_measured) {
      cold_.srtt_ms = sample;
      cold_.rttvar_ms = sample / 2;
      cold_.rtt_measured = true;
    } else {
      const std::uint32_t gap =
          cold_.srtt_ms > sample ? cold_.srtt_ms - sample : sample - cold_.srtt_ms;
      cold_.rttvar_ms = (3 * cold_.rttvar_ms + gap) / 4;
      cold_.srtt_ms = (7 * cold_.srtt_ms + sample) / 8;
    }
    const std::uint32_t rto = cold_.srtt_ms + std::max<std::uint32_t>(1, 4 * cold_.rttvar_ms);
    // RFC 6298 (2.4) floor, then the (2.5) bound: a bound set below the floor wins.
    tm_.rto_ms = std::min(std::max(rto, p_.rto_min_ms), p_.rto_max_ms);
    h_.clear(kRttTiming);
  }
  h_.snd_una = ack;
  // Once sent, our FIN is the last number: SND.NXT = FIN + 1.
  if (h_.has(kFinSent) && mod_le(h_.snd_nxt, ack)) h_.set(kFinAcked);
  if (h_.has(kSendUrgent) && mod_le(cold_.snd_up, ack)) h_.clear(kSendUrgent);
  tm_.retries = 0;
  rearm_after_progress();
}

// §3.10.7.4 fifth check: SND.WL1 and SND.WL2 keep an old segment from changing the window.
void Engine::window_update(const Segment& g) {
  const std::uint32_t ack = g.ack.raw();
  const std::uint32_t seq = g.seq.raw();
  if (!ord_.le(h_.snd_una, ack)) return;
  if (ord_.lt(h_.snd_wl1, seq) || (h_.snd_wl1 == seq && ord_.le(h_.snd_wl2, ack))) {
    h_.snd_wnd = g.wnd;
    h_.snd_wl1 = seq;
    h_.snd_wl2 = ack;
    h_.max_snd_wnd = std::max(h_.max_snd_wnd, g.wnd);
  }
}

// RFC 9293 §3.10.7.4 sixth (URG), seventh (text) and eighth (FIN) checks.
void Engine::text_phase(const Segment& g, std::uint32_t urgent_at) {
  const State st = state();
  const bool open_rx = st == State::Established || st == State::FinWait1 || st == State::FinWait2;
  if (open_rx && g.has(kUrg)) urgent_seen(urgent_at);
  bool fin_now = false;
  if (open_rx) {
    if (g.len > 0 || g.fin()) {
      if (g.seq.raw() == h_.rcv_nxt) {
        if (g.len > 0) {
          if (p_.half_duplex_close && h_.has(kCloseRequested)) {
            // MAY-1 / SHLD-3: the user reads no more; the data cannot be delivered.
            emit(abort_reset());
            tell(Notice::err(UserError::ConnectionReset));
            fail_waiting(UserError::ConnectionReset);
            enter(State::Closed);
            rule_ = Rule::TextAfterCloseResets;
            return;
          }
          take_in_order(g.len);
          rule_ = Rule::TextAccepted;
        }
        fin_now = g.fin();
      } else if (p_.out_of_order_queue) {
        // SHLD-31: held until the gap before it closes; the peer learns where we are.
        t_.held_pool_.push_back(cold_.held, HeldSpan{g.seq.raw(), g.len, g.fin()});
        h_.set(kHasHeld);
        owe_ack_ = true;
        rule_ = Rule::TextHeldOutOfOrder;
      } else {
        owe_ack_ = true;  // MAY-13: dropped, with a duplicate ACK
        rule_ = Rule::TextDroppedOutOfOrder;
      }
    }
    if (h_.has(kHasHeld) && drain_held()) fin_now = true;
  } else if (g.len > 0) {
    rule_ = Rule::TextIgnoredAfterPeerFin;  // the peer's FIN came before this text
  } else if (g.fin() && g.seq.raw() == h_.rcv_nxt) {
    fin_now = true;  // a FIN again where the first one was
  }
  if (fin_now) peer_fin();
}

// §3.10.7.4 sixth check: RCV.UP moves forward; the user hears of urgent data once per run.
void Engine::urgent_seen(std::uint32_t urgent_at) {
  const bool fresh = !h_.has(kRecvUrgent);
  if (!fresh && !mod_lt(cold_.rcv_up, urgent_at)) return;
  cold_.rcv_up = mod_max(cold_.rcv_up, urgent_at);
  if (mod_gt(cold_.rcv_up, h_.rcv_nxt - h_.recv_unread)) {
    h_.set(kRecvUrgent);
    if (fresh) tell(Notice::urgent());
  }
}

// Held text that now starts at or before RCV.NXT joins the stream, oldest arrival first, one
// span at a time. True when a held FIN became the next thing to receive.
bool Engine::drain_held() {
  auto& pool = t_.held_pool_;
  bool fin_next = false;
  while (!fin_next) {
    std::uint32_t prev = kNil;
    std::uint32_t n = cold_.held.head;
    while (n != kNil && mod_gt(pool.node(n).value.seq, h_.rcv_nxt)) {
      prev = n;
      n = pool.node(n).next;
    }
    if (n == kNil) break;
    const HeldSpan span = pool.node(n).value;
    const std::uint32_t end = span.seq + span.len;
    if (mod_gt(end, h_.rcv_nxt)) {
      take_in_order(end - h_.rcv_nxt);
      rule_ = Rule::TextAccepted;
    }
    if (span.fin && end == h_.rcv_nxt) fin_next = true;
    pool.unlink(cold_.held, prev, n);
  }
  h_.put(kHasHeld, !cold_.held.empty());
  return fin_next;
}

// In-order octets enter the receive buffer (never beyond the window) and go to waiting
// RECEIVE calls.
void Engine::take_in_order(std::uint32_t octets) {
  octets = std::min(octets, h_.rcv_wnd);
  h_.rcv_nxt += octets;
  h_.recv_unread += octets;
  h_.rcv_wnd = p_.receive_buffer - h_.recv_unread;
  owe_ack_ = true;
  serve_waiting();
}

void Engine::serve_waiting() {
  auto& pool = t_.waiting_pool_;
  while (h_.has(kHasWaiting) && h_.recv_unread > 0) {
    const std::uint32_t want = pool.node(cold_.waiting.head).value;
    const std::uint32_t n = want == 0 ? h_.recv_unread : std::min(want, h_.recv_unread);
    h_.recv_unread -= n;
    cold_.delivered_total += n;
    h_.rcv_wnd = p_.receive_buffer - h_.recv_unread;
    pool.pop_front(cold_.waiting);
    h_.put(kHasWaiting, !cold_.waiting.empty());
    tell(Notice::delivered(n));
  }
}

// RFC 9293 §3.10.7.4 eighth check: the peer's FIN is at RCV.NXT.
void Engine::peer_fin() {
  owe_ack_ = true;
  const State st = state();
  switch (st) {
    case State::CloseWait:
    case State::Closing:
    case State::LastAck:
      rule_ = Rule::FinRepeatedAcked;  // acknowledged, not counted twice
      return;
    case State::TimeWait:
      if (t_.mutant_ != Mutant::TimeWaitNotRestartedByFin) {
        arm(TimerKind::TimeWait, 2ull * p_.msl_ms);
      }
      rule_ = Rule::TimeWaitFinRestartsTimer;
      return;
    case State::SynReceived:
    case State::Established:
    case State::FinWait1:
    case State::FinWait2: break;
    case State::Listen:
    case State::SynSent:
    case State::Closed: return;
  }
  h_.rcv_nxt += 1;
  h_.set(kFinReceived);
  h_.rcv_adv = mod_max(h_.rcv_adv, h_.rcv_nxt);
  tell(Notice::err(UserError::ConnectionClosing));
  if (h_.recv_unread == 0) fail_waiting(UserError::ConnectionClosing);
  rule_ = Rule::FinReceived;
  State next = t_.tables_.on_peer_fin[index_of(st)][h_.has(kFinAcked) ? 1 : 0];
  if (t_.mutant_ == Mutant::FinAckInFinWait1StaysInFinWait2 && from_ == State::FinWait1 &&
      st == State::FinWait2) {
    next = State::FinWait2;
  }
  if (next != st) enter(next);
}

// RFC 5961 §7: challenge ACKs may be rate limited; one over the budget is not sent.
void Engine::challenge() {
  if (p_.challenge_ack_limit > 0) {
    if (now_ - cold_.cack_window_start >= p_.challenge_ack_window_ms) {
      cold_.cack_window_start = now_;
      cold_.cack_in_window = 0;
    }
    if (cold_.cack_in_window >= p_.challenge_ack_limit) return;
    ++cold_.cack_in_window;
  }
  emit(bare_ack());
}

// RFC 1122 §4.2.2.13 / RFC 9293 §3.6.1 MAY-2: a new incarnation straight from TIME-WAIT. Its
// ISS lies above everything the old one sent; the old record is kept aside in case the SYN
// proves an old duplicate.
void Engine::reopen_from_time_wait(const Segment& syn) {
  drop_saved();
  std::uint32_t slot = kNil;
  if (!t_.saved_free_.empty()) {
    slot = t_.saved_free_.back();
    t_.saved_free_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(t_.saved_.size());
    t_.saved_.emplace_back();
  }
  t_.saved_[slot] = SavedTimeWait{h_, cold_, tm_.rto_ms, tm_.retries};
  // The chains now belong to the saved record.
  cold_.held = Chain{};
  cold_.waiting = Chain{};
  h_.clear(kHasHeld);
  h_.clear(kHasWaiting);
  cold_.saved_time_wait = slot;

  const std::uint32_t floor = h_.snd_nxt + p_.iss_increment;  // SND.MAX + increment
  if (mod_lt(t_.next_iss_[id_], floor)) t_.next_iss_[id_] = floor;
  h_.set(kRemoteKnown);
  set_queued(0);
  h_.recv_unread = 0;
  new_incarnation();
  learn_peer_syn(syn);
  h_.set(kFromTimeWait);
  h_.snd_wnd = syn.wnd;
  h_.snd_wl1 = syn.seq.raw();
  h_.snd_wl2 = h_.iss;
  h_.max_snd_wnd = syn.wnd;
  keep_syn_text(syn);
  h_.armed = 0;
  emit(our_syn(true));
  arm(TimerKind::Retransmission, tm_.rto_ms);
  enter(State::SynReceived);
  rule_ = Rule::TimeWaitSynReopens;
}

// MAY-2 condition 2: the SYN that reopened TIME-WAIT was an old duplicate; TIME-WAIT goes on.
void Engine::restore_time_wait() {
  const std::uint32_t slot = cold_.saved_time_wait;
  const SavedTimeWait sv = t_.saved_[slot];
  t_.saved_free_.push_back(slot);
  t_.held_pool_.release(cold_.held);
  t_.waiting_pool_.release(cold_.waiting);
  h_ = sv.hot;
  cold_ = sv.cold;
  cold_.saved_time_wait = kNil;
  tm_.rto_ms = sv.rto_ms;
  tm_.retries = sv.retries;
  enter(State::TimeWait);
}

}  // namespace tcpfsm::fast
