// SEGMENT ARRIVES, RFC 9293 §3.10.7: one function per state group, and for SYN-RECEIVED and
// the synchronized states one function per check, in the RFC's order.
#include <algorithm>

#include "reference/step.hpp"

namespace tcpfsm::reference {

namespace {

enum class Acceptance { Unacceptable, Acceptable };

// RFC 9293 §3.4 Table 5 (= §3.10.7.4 Table 6): the four cases of the acceptability test.
// MUST-66: with a zero window, a segment at RCV.NXT still carries a valid ACK, URG or RST, so
// it is let through here and its text is trimmed away afterwards.
Acceptance acceptability(const Segment& seg, SeqNum rcv_nxt, std::uint32_t rcv_wnd) {
  const std::uint32_t len = seg.seg_len();
  const SeqNum right = rcv_nxt + rcv_wnd;
  bool ok = false;
  if (len == 0 && rcv_wnd == 0) {
    ok = seg.seq == rcv_nxt;
  } else if (len == 0) {
    ok = seq_in_range(rcv_nxt, seg.seq, right);
  } else if (rcv_wnd == 0) {
    ok = seg.seq == rcv_nxt;  // not acceptable as data, but its controls count (MUST-66)
  } else {
    ok = seq_in_range(rcv_nxt, seg.seq, right) || seq_in_range(rcv_nxt, seg.seq + len - 1, right);
  }
  return ok ? Acceptance::Acceptable : Acceptance::Unacceptable;
}

// Linux's tcp_in_window (digest L4, L8): the window test of the mini-sockets. A segment
// starting at RCV.NXT, or overlapping [RCV.NXT, RCV.NXT+RCV.WND), or empty at the right edge.
bool linux_in_window(const Segment& seg, SeqNum rcv_nxt, std::uint32_t rcv_wnd) {
  const SeqNum end = seg.seq + seg.seg_len();
  const SeqNum right = rcv_nxt + rcv_wnd;
  if (seg.seq == rcv_nxt) return true;
  if (seq_gt(end, rcv_nxt) && seq_lt(seg.seq, right)) return true;
  return seg.seq == right && seg.seq == end;
}

struct Trimmed {
  Segment seg;
  bool cut_right = false;  // text or FIN beyond the window was dropped: the peer needs an ACK
};

// RFC 9293 §3.10.7.4 first check: an acceptable segment is trimmed to the window. What lies
// before RCV.NXT was already received (a SYN there is the old SYN); what lies beyond the right
// edge, including a FIN, is cut off.
Trimmed trim_to_window(Segment seg, SeqNum rcv_nxt, std::uint32_t rcv_wnd) {
  Trimmed t;
  if (seq_lt(seg.seq, rcv_nxt)) {
    std::uint32_t excess = rcv_nxt.since(seg.seq);
    if (seg.syn()) {
      seg.ctl = static_cast<std::uint8_t>(seg.ctl & ~kSyn);
      seg.seq += 1;
      excess -= 1;
    }
    const std::uint32_t cut = std::min(excess, seg.len);
    seg.len -= cut;
    seg.seq += cut;
  }
  const SeqNum right = rcv_nxt + rcv_wnd;
  const SeqNum text_start = seg.seq + (seg.syn() ? 1u : 0u);
  const SeqNum text_end = text_start + seg.len;
  if (seq_gt(text_end, right)) {
    const std::uint32_t cut = seq_lt(text_start, right) ? text_end.since(right) : seg.len;
    seg.len -= cut;
    t.cut_right = true;
    if (seg.fin()) seg.ctl = static_cast<std::uint8_t>(seg.ctl & ~kFin);
  } else if (seg.fin() && text_end == right) {
    seg.ctl = static_cast<std::uint8_t>(seg.ctl & ~kFin);  // the FIN's own number is outside
    t.cut_right = true;
  }
  if (seg.syn() && !seq_lt(seg.seq, right)) {
    seg.ctl = static_cast<std::uint8_t>(seg.ctl & ~kSyn);
    t.cut_right = true;
  }
  t.seg = seg;
  return t;
}

}  // namespace

void Step::on(const SegmentArrives& arrival) {
  const Segment& seg = arrival.seg;
  switch (ep_.state_) {
    case State::Closed: closed_arrives(seg); return;
    case State::Listen: listen_arrives(seg); return;
    case State::SynSent: syn_sent_arrives(seg); return;
    case State::SynReceived:
    case State::Established:
    case State::FinWait1:
    case State::FinWait2:
    case State::CloseWait:
    case State::Closing:
    case State::LastAck:
    case State::TimeWait: synchronized_arrives(seg); return;
  }
}

// RFC 9293 §3.10.7.1 and §3.5.2 group 1: no connection, so anything but a RST is answered with
// a RST that the sender will accept.
void Step::closed_arrives(const Segment& seg) {
  if (seg.rst()) {
    decide(Rule::ClosedDropsRst);
    return;
  }
  emit(reset_for(seg));
  decide(Rule::ClosedAnswersWithReset);
}

// RFC 9293 §3.10.7.2 LISTEN: RST, then ACK, then SYN, in that order.
void Step::listen_arrives(const Segment& seg) {
  if (seg.rst()) {  // first: nothing to reset
    decide(Rule::ListenIgnoresRst);
    return;
  }
  if (seg.ack_flag()) {  // second: nothing of ours can be acknowledged yet
    emit(reset_for(seg));
    decide(Rule::ListenResetsAck);
    return;
  }
  if (!seg.syn() || (profile_.request_socket && seg.fin())) {
    // Fifth: neither SYN nor RST nor ACK. Linux also drops a SYN with FIN here (digest L12,
    // tcp_rcv_state_process LISTEN).
    decide(Rule::ListenDropsOther);
    return;
  }
  // Fourth: a SYN. IRS from the segment, our ISS chosen, SYN-ACK sent. The window variables are
  // set from the SYN here (the RFC leaves them unset; docs/model.md, C12).
  start_incarnation();
  record_peer_syn(seg);
  tcb_.remote_specified = true;  // the SYN names the foreign socket a listener left open
  tcb_.passive_open = true;
  tcb_.snd_wnd = seg.wnd;
  tcb_.snd_wl1 = seg.seq;
  tcb_.snd_wl2 = tcb_.iss;
  tcb_.max_snd_wnd = seg.wnd;
  hold_syn_text(seg);
  emit(syn_ack_segment());
  arm(TimerKind::Retransmission, tcb_.rto_ms);
  if (profile_.user_timeout_ms > 0) arm(TimerKind::User, profile_.user_timeout_ms);
  set_state(State::SynReceived);
  decide(Rule::ListenSynOpens);
}

// RFC 9293 §3.10.7.3 SYN-SENT: ACK, then RST, then SYN.
void Step::syn_sent_arrives(const Segment& seg) {
  bool ack_acceptable = false;
  if (seg.ack_flag()) {
    // First check: the ACK must acknowledge our SYN and nothing beyond what we sent.
    if (seq_le(seg.ack, tcb_.iss) || seq_gt(seg.ack, tcb_.snd_nxt)) {
      if (!seg.rst()) emit(reset_for(seg));
      if (profile_.syn_sent_bad_ack_resends_syn && tcb_.retries == 0) {
        // Linux (digest L11, tcp_rcv_synsent_state_process) takes a bad ACK as a sign that its
        // SYN was lost and cuts the retransmission timer to its minimum: the SYN goes again.
        retransmit();
      }
      decide(seg.rst() ? Rule::SynSentDropsRstWithBadAck : Rule::SynSentResetsBadAck);
      return;
    }
    ack_acceptable = seq_lt(tcb_.snd_una, seg.ack) && seq_le(seg.ack, tcb_.snd_nxt);
  }
  if (seg.rst()) {
    // Second check: only a RST that acknowledges our SYN is believed (C5). RCV.NXT is not yet
    // known, so RFC 5961's exact-sequence test cannot apply here (docs/model.md).
    if (!ack_acceptable) {
      decide(Rule::SynSentDropsRstWithoutAck);
      return;
    }
    // The RFC's word here is "reset" (the SYN-RECEIVED case says "refused").
    notify(Notice::err(UserError::ConnectionReset));
    fail_pending_receives(UserError::ConnectionReset);
    to_closed();
    decide(Rule::SynSentRstResets);
    return;
  }
  if (!seg.syn()) {  // fifth: neither SYN nor RST
    decide(Rule::SynSentDropsNonSyn);
    return;
  }
  // Fourth check: a SYN.
  record_peer_syn(seg);
  if (ack_acceptable) advance_snd_una(seg.ack);
  if (seq_lt(tcb_.iss, tcb_.snd_una)) {
    // Our SYN is acknowledged: ESTABLISHED. RFC 1122 §4.2.2.20(c) sets the window variables
    // here (C20).
    tcb_.snd_wnd = seg.wnd;
    tcb_.snd_wl1 = seg.seq;
    tcb_.snd_wl2 = seg.ack;
    tcb_.max_snd_wnd = std::max(tcb_.max_snd_wnd, seg.wnd);
    on_established();
    decide(Rule::SynSentSynAckEstablishes);
    // Text or a FIN on the SYN-ACK continues at the sixth check with the SYN trimmed off.
    Segment rest = seg;
    rest.ctl = static_cast<std::uint8_t>(rest.ctl & ~kSyn);
    rest.seq = seg.seq + 1;
    std::uint32_t room = tcb_.rcv_wnd;
    if (profile_.syn_ack_text_discarded) {
      // Linux (digest L11): without Fast Open the SYN-ACK's text and FIN are freed unread.
      room = 0;
      rest.ctl = static_cast<std::uint8_t>(rest.ctl & ~kFin);
    }
    if (rest.len > room) {
      rest.len = room;
      rest.ctl = static_cast<std::uint8_t>(rest.ctl & ~kFin);
    }
    ack_owed_ = true;
    if (rest.len > 0 || rest.fin() || rest.has(kUrg)) {
      if (rest.has(kUrg)) urgent_check(rest, seg.seq + seg.up);
      text_and_fin(rest);
    }
    output(ack_owed_);
    return;
  }
  // A SYN without an ACK of ours: simultaneous open (C1). The SYN-ACK repeats our ISS.
  tcb_.snd_wnd = seg.wnd;
  tcb_.snd_wl1 = seg.seq;
  tcb_.max_snd_wnd = std::max(tcb_.max_snd_wnd, seg.wnd);
  tcb_.passive_open = false;
  hold_syn_text(seg);
  emit(syn_ack_segment());
  set_state(State::SynReceived);
  decide(Rule::SynSentSimultaneousOpen);
}

// RFC 9293 §3.10.7.4: SYN-RECEIVED and the synchronized states.
void Step::synchronized_arrives(const Segment& original) {
  // --- Linux profile only: the kernel's mini-sockets replace the RFC checks (the step.hpp
  // interface is shared with the optimized implementation, hence lambdas, not members). ---

  // Digest L8 (tcp_check_req): a passively opened SYN-RECEIVED is a request mini-socket.
  // Returns true when the segment is finished; otherwise the full socket takes it.
  const auto request_socket = [this](const Segment& seg) {
    const std::uint8_t flags = seg.ctl & (kRst | kSyn | kAck);
    if (seg.seq == tcb_.irs && flags == kSyn) {
      // The peer's SYN again: our SYN-ACK again, and its timer restarts.
      emit(syn_ack_segment());
      arm(TimerKind::Retransmission, tcb_.rto_ms);
      decide(Rule::RetransmitSynAck);
      return true;
    }
    const bool in_window = linux_in_window(seg, tcb_.rcv_nxt, tcb_.rcv_wnd);
    if (seg.rst()) {
      // A RST is judged first (the 6.18.y kernels observed here; the digest's 6.18 source
      // had no exact-sequence test): in the window but off RCV.NXT it is challenged, whatever
      // its ACK; outside the window it is dropped; at RCV.NXT it ends the attempt below.
      if (!in_window) {
        decide(Rule::UnacceptableRstDropped);
        return true;
      }
      if (seg.seq != tcb_.rcv_nxt) {
        emit(ack_segment());
        decide(Rule::RstChallengeAck);
        return true;
      }
    }
    if (!seg.rst() && seg.ack_flag() && seg.ack != tcb_.iss + 1) {
      // The ACK is checked before the sequence number; the listener answers, the request stays.
      emit(reset_for(seg));
      decide(Rule::SynReceivedResetsBadAck);
      return true;
    }
    if (!in_window) {
      emit(ack_segment());
      decide(Rule::UnacceptableSegmentAcked);
      return true;
    }
    const bool new_syn = seg.syn() && seg.seq != tcb_.irs;
    if (seg.rst() || new_syn) {
      // The exact RST, or another SYN (which also draws a RST): the attempt is dropped; the
      // listener remains.
      if (!seg.rst()) emit(reset_for(seg));
      ep_.time_wait_tcb_.reset();
      back_to_listen();
      decide(seg.rst() ? Rule::RstReturnsToListen : Rule::SynReturnsToListen);
      return true;
    }
    if (!seg.ack_flag()) {
      decide(Rule::NoAckDropped);
      return true;
    }
    return false;
  };

  // Digest L1-L3 (tcp_timewait_state_process, TIME_WAIT substate).
  const auto time_wait = [this](const Segment& seg) {
    if (seg.seq == tcb_.rcv_nxt && (seg.seg_len() == 0 || seg.rst())) {
      // The only in-window segments: a RST or a bare segment at exactly RCV.NXT.
      if (!seg.rst()) {
        arm(TimerKind::TimeWait, 2ull * profile_.msl_ms);
        decide(Rule::AckProcessed);
        return;
      }
      if (profile_.time_wait_rst == TimeWaitRst::Ignore) {  // sysctl tcp_rfc1337 = 1
        decide(Rule::TimeWaitIgnoresRst);
        return;
      }
      to_closed();
      decide(Rule::RstClosesConnection);
      return;
    }
    if (seg.syn() && !seg.rst() && !seg.ack_flag() && seq_gt(seg.seq, tcb_.rcv_nxt) &&
        profile_.time_wait_syn == TimeWaitSyn::Reopen) {
      reopen_from_time_wait(seg);
      return;
    }
    if (seg.rst()) {  // any other RST: ignored, not even challenged
      decide(Rule::TimeWaitIgnoresRst);
      return;
    }
    // Everything else is "out of window" there and is acknowledged; the timer restarts unless
    // it is an ACK-less SYN.
    if (seg.ack_flag()) arm(TimerKind::TimeWait, 2ull * profile_.msl_ms);
    emit(ack_segment());
    decide(seg.fin() ? Rule::TimeWaitAcksRetransmittedFin : Rule::UnacceptableSegmentAcked);
  };

  // Digest L4 (tcp_timewait_state_process, FIN_WAIT2 substate): FIN-WAIT-2 after CLOSE.
  const auto orphan_fin_wait_2 = [this](const Segment& seg) {
    if (!linux_in_window(seg, tcb_.rcv_nxt, tcb_.rcv_wnd)) {
      emit(ack_segment());  // even for a RST: the mini-socket does not look at it here
      decide(Rule::UnacceptableSegmentAcked);
      return;
    }
    const SeqNum end = seg.seq + seg.seg_len();
    if (seg.rst()) {
      to_closed();
      decide(Rule::RstResetsConnection);
      return;
    }
    const bool new_syn = seg.syn() && !seq_lt(seg.seq, tcb_.rcv_nxt);
    if (!new_syn && (!seg.ack_flag() || !seq_gt(end, tcb_.rcv_nxt) || seg.seg_len() == 0)) {
      decide(Rule::AckProcessed);  // a duplicate: nothing to do
      return;
    }
    if (new_syn || !seg.fin() || end != tcb_.rcv_nxt + 1) {
      // New data after CLOSE (or a new SYN): RST in answer, and the connection is gone.
      emit(reset_for(seg));
      to_closed();
      decide(Rule::TextAfterCloseResets);
      return;
    }
    tcb_.rcv_nxt = end;  // the FIN: TIME-WAIT, acknowledged
    tcb_.fin_received = true;
    enter_time_wait();
    emit(ack_segment());
    decide(Rule::FinReceived);
  };

  if (profile_.syn_ack_completes_simultaneous_open && ep_.state_ == State::SynReceived &&
      !tcb_.passive_open && !tcb_.from_time_wait && original.syn() && original.ack_flag() &&
      !original.rst() && original.seg_len() == 1 && original.seq + 1 == tcb_.rcv_nxt &&
      original.ack == tcb_.snd_nxt) {
    // Linux (digest L17, tcp_validate_incoming step 4): the peer's own SYN-ACK crossing ours is
    // let through; its ACK completes the handshake, and its old SYN octet draws an ACK
    // (tcp_data_queue).
    enter_established_from_syn_received(original);
    advance_snd_una(original.ack);
    decide(Rule::AckProcessed);
    output(true);
    return;
  }
  if (profile_.request_socket && ep_.state_ == State::SynReceived &&
      (tcb_.passive_open || tcb_.from_time_wait) && request_socket(original)) {
    return;
  }
  if (profile_.time_wait_mini_socket && ep_.state_ == State::TimeWait) {
    time_wait(original);
    return;
  }
  if (profile_.orphan_fin_wait_2 && ep_.state_ == State::FinWait2 && tcb_.close_requested) {
    orphan_fin_wait_2(original);
    return;
  }
  if (profile_.drop_without_ack_rst_syn && !original.ack_flag() && !original.rst() &&
      !original.syn()) {
    // Linux (tcp_rcv_state_process, tcp_rcv_established): a segment with none of ACK, RST
    // and SYN is dropped before any check, so not even an unacceptable one is answered.
    decide(Rule::NoAckDropped);
    return;
  }
  // First check: sequence number.
  Acceptance acceptance = acceptability(original, tcb_.rcv_nxt, tcb_.rcv_wnd);
  bool old_duplicate = false;
  if (profile_.linux_sequence_test) {
    // Linux (digest L10, tcp_sequence): the segment's end must reach RCV.NXT and its start
    // must not pass the right edge; one that sticks out beyond it only with nothing unread.
    // A segment whose octets all came before is thus accepted: its ACK counts, and it is
    // answered with a duplicate ACK (tcp_data_queue).
    const SeqNum end = original.seq + original.seg_len();
    const SeqNum right = tcb_.rcv_nxt + tcb_.rcv_wnd;
    const SeqNum data_end = end - (original.fin() ? 1u : 0u);
    const bool ok = !seq_lt(end, tcb_.rcv_nxt) && !seq_gt(original.seq, right) &&
                    !(seq_gt(data_end, right) && tcb_.recv_unread > 0);
    old_duplicate = ok && acceptance == Acceptance::Unacceptable && original.seg_len() > 0;
    acceptance = ok ? Acceptance::Acceptable : Acceptance::Unacceptable;
  }
  if (acceptance == Acceptance::Unacceptable) {
    const State st = ep_.state_;
    if (original.rst() && profile_.rst_accepts_rcv_nxt_minus_1 &&
        original.seq == tcb_.rcv_nxt - 1 &&
        (st == State::CloseWait || st == State::Closing || st == State::LastAck)) {
      // Linux (digest L7, tcp_reset_check): after the peer's FIN, a RST one below RCV.NXT is
      // believed even though it lies outside the window.
      if (st == State::CloseWait) {
        notify(Notice::err(UserError::ConnectionReset));
        fail_pending_receives(UserError::ConnectionReset);
      }
      to_closed();
      decide(Rule::RstClosesConnection);
      return;
    }
    if (original.rst()) {  // never answer a RST (E0)
      decide(Rule::UnacceptableRstDropped);
      return;
    }
    if (st == State::TimeWait && original.syn() && !original.ack_flag() &&
        profile_.time_wait_syn == TimeWaitSyn::Reopen && seq_gt(original.seq, tcb_.rcv_nxt)) {
      reopen_from_time_wait(original);
      return;
    }
    emit(ack_segment());
    if (st == State::TimeWait && original.fin() &&
        original.seq + original.seg_len() == tcb_.rcv_nxt) {
      // The peer did not get our last ACK and sent its FIN again: acknowledge it and give the
      // peer another 2*MSL (the TIME-WAIT text of the fifth and eighth checks; C16).
      arm(TimerKind::TimeWait, 2ull * profile_.msl_ms);
      decide(Rule::TimeWaitAcksRetransmittedFin);
      return;
    }
    decide(Rule::UnacceptableSegmentAcked);
    return;
  }
  const SeqNum urgent_abs = original.seq + original.up;
  Trimmed trimmed = trim_to_window(original, tcb_.rcv_nxt, tcb_.rcv_wnd);
  if (old_duplicate) {
    // Linux only (see above): nothing of it is new; only its controls and ACK count.
    trimmed.seg.len = 0;
    if (seq_lt(trimmed.seg.seq, tcb_.rcv_nxt)) {
      trimmed.seg.ctl = static_cast<std::uint8_t>(trimmed.seg.ctl & ~kFin);
    }
  }
  const Segment& seg = trimmed.seg;
  ack_owed_ = trimmed.cut_right || old_duplicate;

  if (original.rst()) {
    reset_check(original);
    return;
  }
  // Third check (security and precedence) is for MLS systems only and is not modelled.
  // Linux (digest L10): a SYN that passed tcp_sequence is challenged even when it lies before
  // RCV.NXT, where the RFC's trimming would have cut it off.
  const bool syn = seg.syn() || (profile_.linux_sequence_test && original.syn());
  if (syn && syn_check(seg)) return;
  if (!ack_check(seg)) return;
  const State st = ep_.state_;
  if (profile_.data_after_close_resets || profile_.data_after_fin_resets) {
    // Linux (digest L6, tcp_rcv_state_process step 7): once the receive side is shut, by CLOSE
    // in FIN-WAIT-1/2 or by the peer's FIN in CLOSE-WAIT, CLOSING and LAST-ACK (there only for
    // a segment starting before RCV.NXT), new data resets the connection, and the segment is
    // answered like one without a connection.
    const SeqNum data_end = original.seq + original.seg_len() - (original.fin() ? 1u : 0u);
    const bool closed_by_us = profile_.data_after_close_resets && tcb_.close_requested &&
                              (st == State::FinWait1 || st == State::FinWait2);
    const bool closed_by_peer =
        profile_.data_after_fin_resets && seq_lt(original.seq, tcb_.rcv_nxt) &&
        (st == State::CloseWait || st == State::Closing || st == State::LastAck);
    if ((closed_by_us || closed_by_peer) && original.seg_len() > 0 &&
        seq_gt(data_end, tcb_.rcv_nxt)) {
      emit(reset_for(original));
      notify(Notice::err(UserError::ConnectionReset));
      fail_pending_receives(UserError::ConnectionReset);
      to_closed();
      decide(Rule::TextAfterCloseResets);
      return;
    }
  }
  if (st == State::Established || st == State::FinWait1 || st == State::FinWait2) {
    if (seg.has(kUrg)) urgent_check(seg, urgent_abs);
  }
  text_and_fin(seg);
  if (ep_.state_ == State::Closed) return;
  if (profile_.repeated_fin_unacked && !seq_lt(original.seq, tcb_.rcv_nxt) &&
      (st == State::CloseWait || st == State::Closing || st == State::LastAck)) {
    // Linux (digest L13; tcp_rcv_state_process step 7): after the peer's FIN, text or another
    // FIN at or beyond RCV.NXT is dropped without an acknowledgment.
    ack_owed_ = false;
  }
  output(ack_owed_);
}

// RFC 9293 §3.10.7.4 second check: RST. Returns after handling in every case.
bool Step::reset_check(const Segment& seg) {
  if (ep_.state_ == State::TimeWait && profile_.time_wait_rst == TimeWaitRst::Ignore) {
    // RFC 1337 fix F1 (C17): TIME-WAIT ignores every RST, exact or not; not even a challenge.
    decide(Rule::TimeWaitIgnoresRst);
    return true;
  }
  // RFC 5961 §3.2: in the window but not exactly at RCV.NXT, the RST might be forged; ask the
  // peer with a challenge ACK instead of believing it (C26).
  if (profile_.rfc5961_rst && seg.seq != tcb_.rcv_nxt) {
    challenge_ack();
    decide(Rule::RstChallengeAck);
    return true;
  }
  switch (ep_.state_) {
    case State::SynReceived:
      if (ep_.time_wait_tcb_) {
        // MAY-2 condition 2: the reopening SYN was an old duplicate; TIME-WAIT goes on.
        tcb_ = *ep_.time_wait_tcb_;
        ep_.time_wait_tcb_.reset();
        enter_time_wait();
        decide(Rule::RstReturnsToTimeWait);
        return true;
      }
      if (tcb_.passive_open) {
        back_to_listen();
        decide(Rule::RstReturnsToListen);
        return true;
      }
      notify(Notice::err(UserError::ConnectionRefused));
      fail_pending_receives(UserError::ConnectionReset);
      to_closed();
      decide(Rule::RstRefusesActiveOpen);
      return true;
    case State::Established:
    case State::FinWait1:
    case State::FinWait2:
    case State::CloseWait:
      notify(Notice::err(UserError::ConnectionReset));
      fail_pending_receives(UserError::ConnectionReset);
      to_closed();
      decide(Rule::RstResetsConnection);
      return true;
    case State::TimeWait:
      to_closed();
      decide(Rule::RstClosesConnection);
      return true;
    case State::Closing:
    case State::LastAck:
      to_closed();
      decide(Rule::RstClosesConnection);
      return true;
    case State::Listen:
    case State::SynSent:
    case State::Closed: break;
  }
  return true;
}

// RFC 9293 §3.10.7.4 fourth check: a SYN that survived trimming lies in the window. Returns
// true when the segment has been dealt with.
bool Step::syn_check(const Segment& seg) {
  const State st = ep_.state_;
  if (st == State::SynReceived && tcb_.passive_open) {
    // A different SYN reached a passive SYN-RECEIVED: forget this attempt, listen again.
    back_to_listen();
    decide(Rule::SynReturnsToListen);
    return true;
  }
  if (st == State::TimeWait && profile_.time_wait_syn == TimeWaitSyn::Reopen && !seg.ack_flag() &&
      seq_gt(seg.seq, tcb_.rcv_nxt)) {
    reopen_from_time_wait(seg);
    return true;
  }
  if (profile_.rfc5961_syn) {
    // RFC 5961 §4.2: a peer that really restarted answers the challenge ACK with a RST at
    // exactly RCV.NXT, which then passes the second check (C7).
    challenge_ack();
    decide(Rule::SynChallengeAck);
    return true;
  }
  // RFC 793 behaviour: an in-window SYN is an error; reset and close.
  emit(reset_for(seg));
  notify(Notice::err(UserError::ConnectionReset));  // in every synchronized state (§3.10.7.4)
  fail_pending_receives(UserError::ConnectionReset);
  to_closed();
  decide(Rule::SynResetsConnection);
  return true;
}

// RFC 9293 §3.10.7.4 fifth check: the ACK field. Returns false when the segment is finished.
bool Step::ack_check(const Segment& seg) {
  if (!seg.ack_flag()) {  // C11: without ACK even in-window text and FIN are dropped
    decide(Rule::NoAckDropped);
    return false;
  }
  if (ep_.state_ == State::SynReceived) {
    // §3.5.2 group 2: the ACK must acknowledge our SYN, else a RST, and we stay.
    // Linux (tcp_rcv_state_process, SYN_RECV of a full socket): tcp_ack() also takes an ACK
    // of SND.UNA itself, so a simultaneous open completes with our SYN unacknowledged.
    const bool una_ok =
        profile_.syn_received_accepts_ack_of_una && !tcb_.passive_open && seg.ack == tcb_.snd_una;
    if (!una_ok && !(seq_lt(tcb_.snd_una, seg.ack) && seq_le(seg.ack, tcb_.snd_nxt))) {
      emit(reset_for(seg));
      decide(Rule::SynReceivedResetsBadAck);
      ack_owed_ = false;
      return false;
    }
    enter_established_from_syn_received(seg);
  }
  if (seq_gt(seg.ack, tcb_.snd_nxt)) {
    // It acknowledges something never sent: answer with our ACK and drop (§3.5.2 group 3).
    emit(ack_segment());
    decide(Rule::AckOfUnsentDataAcked);
    ack_owed_ = false;
    return false;
  }
  std::uint32_t old_ack_bound = tcb_.max_snd_wnd;
  if (profile_.old_ack_bound_by_acked) {
    // Linux (digest L9, tcp_ack): never further back than what has been acknowledged so far
    // (our SYN counts for an active opener only: Linux's passive child starts at ISS+1).
    std::uint32_t acked = tcb_.snd_una.since(tcb_.iss);
    if (tcb_.passive_open && acked > 0) acked -= 1;
    old_ack_bound = std::min(old_ack_bound, acked);
  }
  if (profile_.rfc5961_ack && seq_lt(seg.ack, tcb_.snd_una - old_ack_bound)) {
    if (profile_.fast_path_keeps_data && ep_.state_ == State::Established &&
        (seg.ctl & ~kPsh) == kAck && seg.len > 0 && seg.seq == tcb_.rcv_nxt &&
        seq_le(seg.ack, tcb_.snd_nxt) && seg.wnd == tcb_.snd_wnd && tcb_.out_of_order.empty() &&
        tcb_.rcv_wnd > 0 &&
        (tcb_.snd_max.since(tcb_.iss) > 1 || tcb_.rcv_nxt.since(tcb_.irs) > 1)) {
      // Linux (digest L9; tcp_rcv_established header prediction): the predicted segment's
      // text is queued before tcp_ack() looks at the ACK; the challenge ACK then carries the
      // new RCV.NXT, and the ACK field is otherwise ignored. The fast path also needs memory
      // already charged to the socket (sk_forward_alloc), which the model approximates as
      // "data has gone one way or the other before".
      decide(Rule::AckTooOldAcked);
      ack_owed_ = true;
      return true;
    }
    // RFC 5961 §5.2 (MAY-12): an ACK older than any window we could have had is suspicious.
    challenge_ack();
    decide(Rule::AckTooOldAcked);
    ack_owed_ = false;
    return false;
  }
  decide(Rule::AckProcessed);
  const State st = ep_.state_;
  if (st == State::TimeWait) return true;  // only a retransmitted FIN matters here (eighth)
  if (seq_lt(tcb_.snd_una, seg.ack)) advance_snd_una(seg.ack);
  maybe_update_window(seg);
  // MUST-37: a peer that keeps acknowledging a zero window is alive; probing goes on.
  if (tcb_.snd_wnd == 0) tcb_.retries = 0;
  switch (st) {
    case State::FinWait1:
      if (tcb_.fin_acked) {
        // Our FIN is acknowledged: FIN-WAIT-2, and processing continues there (C9).
        disarm(TimerKind::Retransmission);
        set_state(State::FinWait2);
        if (profile_.fin_wait_2_timeout_ms > 0) {
          arm(TimerKind::FinWait2, profile_.fin_wait_2_timeout_ms);
        }
        decide(Rule::FinAckedEntersFinWait2);
        if (profile_.orphan_fin_wait_2 && tcb_.close_requested && seg.len == 0 && !seg.fin()) {
          // Linux (digest L4, tcp_rcv_state_process FIN_WAIT1): after close() the socket turns
          // into a FIN-WAIT-2 mini-socket here and the rest of the segment is consumed unseen
          // (new data is left to the L6 reset; a FIN keeps the full socket for a moment).
          ack_owed_ = false;
          return false;
        }
      }
      return true;
    case State::Closing:
      if (tcb_.fin_acked) {
        enter_time_wait();
        decide(Rule::FinAckedEntersTimeWait);
        return false;
      }
      decide(Rule::ClosingIgnoresOtherSegments);
      output(false);  // the window may have opened for data and a FIN still queued (C13)
      return false;
    case State::LastAck:
      if (tcb_.fin_acked) {
        to_closed();
        decide(Rule::FinAckedCloses);
        return false;
      }
      decide(Rule::LastAckIgnoresOtherSegments);
      output(false);  // the window may have opened for data and a FIN still queued (C13)
      return false;
    case State::Established:
    case State::FinWait2:
    case State::CloseWait: return true;
    case State::SynReceived:
    case State::TimeWait:
    case State::Listen:
    case State::SynSent:
    case State::Closed: return true;
  }
  return true;
}

// RFC 9293 §3.10.7.4 fifth check, SYN-RECEIVED: an ACK of our SYN completes the handshake;
// processing then continues as ESTABLISHED (which moves SND.UNA, C21).
void Step::enter_established_from_syn_received(const Segment& seg) {
  tcb_.snd_wnd = seg.wnd;
  tcb_.snd_wl1 = seg.seq;
  tcb_.snd_wl2 = seg.ack;
  tcb_.max_snd_wnd = std::max(tcb_.max_snd_wnd, seg.wnd);
  ep_.time_wait_tcb_.reset();
  on_established();
  if (tcb_.syn_text.len > 0 || tcb_.syn_text.fin) {
    tcb_.out_of_order.insert(tcb_.out_of_order.begin(), tcb_.syn_text);
    tcb_.syn_text = HeldText{};
  }
  if (tcb_.close_requested) set_state(State::FinWait1);  // the CLOSE deferred in SYN-RECEIVED
}

// Step 5 of the ESTABLISHED processing: SND.UNA moves forward to SEG.ACK.
void Step::advance_snd_una(SeqNum ack) {
  // RFC 6298 §2 with Karn's rule: only a segment sent once gives an RTT sample.
  if (tcb_.rtt_timing && seq_le(tcb_.rtt_seq, ack)) {
    const auto sample =
        static_cast<std::uint32_t>(std::min<Millis>(now_ - tcb_.rtt_start, 1u << 30));
    if (!tcb_.rtt_measured) {
      tcb_.srtt_ms = sample;
      tcb_.rttvar_ms = sample / 2;
      tcb_.rtt_measured = true;
    } else {
      const std::uint32_t diff =
          tcb_.srtt_ms > sample ? tcb_.srtt_ms - sample : sample - tcb_.srtt_ms;
      tcb_.rttvar_ms = (3 * tcb_.rttvar_ms + diff) / 4;
      tcb_.srtt_ms = (7 * tcb_.srtt_ms + sample) / 8;
    }
    const std::uint32_t rto = tcb_.srtt_ms + std::max<std::uint32_t>(1, 4 * tcb_.rttvar_ms);
    tcb_.rto_ms = bounded_rto(rto, profile_);
    tcb_.rtt_timing = false;
  }
  // Octets of our SYN and FIN are not data; count only what was queued by SEND.
  tcb_.snd_una = ack;
  if (tcb_.fin_sent && seq_le(tcb_.fin_seq + 1, ack)) tcb_.fin_acked = true;
  if (tcb_.snd_urgent && seq_le(tcb_.snd_up, ack)) tcb_.snd_urgent = false;
  tcb_.retries = 0;
  rearm_after_progress();
}

// Step 5: the window update rule. SND.WL1/WL2 keep old segments from shrinking the window.
void Step::maybe_update_window(const Segment& seg) {
  if (!seq_le(tcb_.snd_una, seg.ack)) return;
  if (seq_lt(tcb_.snd_wl1, seg.seq) || (tcb_.snd_wl1 == seg.seq && seq_le(tcb_.snd_wl2, seg.ack))) {
    tcb_.snd_wnd = seg.wnd;
    tcb_.snd_wl1 = seg.seq;
    tcb_.snd_wl2 = seg.ack;
    tcb_.max_snd_wnd = std::max(tcb_.max_snd_wnd, seg.wnd);
  }
}

// RFC 9293 §3.10.7.4 sixth check: URG, in the states where the peer may still send data.
void Step::urgent_check(const Segment&, SeqNum urgent_abs) {
  if (!tcb_.rcv_urgent || seq_lt(tcb_.rcv_up, urgent_abs)) {
    const bool new_run = !tcb_.rcv_urgent;
    tcb_.rcv_up = seq_max(tcb_.rcv_up, urgent_abs);
    if (seq_gt(tcb_.rcv_up, tcb_.rcv_nxt - tcb_.recv_unread)) {
      tcb_.rcv_urgent = true;
      if (new_run) notify(Notice::urgent());
    }
  }
}

// RFC 9293 §3.10.7.4 seventh (text) and eighth (FIN) checks.
void Step::text_and_fin(const Segment& seg) {
  const State st = ep_.state_;
  fin_at_rcv_nxt_ = false;
  const bool may_receive =
      st == State::Established || st == State::FinWait1 || st == State::FinWait2;
  if (may_receive) {
    if (seg.len > 0 || seg.fin()) {
      if (seg.seq == tcb_.rcv_nxt) {
        if (seg.len > 0) {
          if (profile_.half_duplex_close && tcb_.close_requested) {
            // MAY-1 / SHLD-3: the user closed and reads no more; new data cannot be delivered.
            emit(own_reset());
            notify(Notice::err(UserError::ConnectionReset));
            fail_pending_receives(UserError::ConnectionReset);
            to_closed();
            decide(Rule::TextAfterCloseResets);
            return;
          }
          accept_in_order(seg.len);
          decide(Rule::TextAccepted);
        }
        fin_at_rcv_nxt_ = seg.fin();
      } else if (profile_.out_of_order_queue) {
        // SHLD-31: keep it until the gap before it is filled; tell the peer where we are.
        tcb_.out_of_order.push_back(HeldText{seg.seq, seg.len, seg.fin()});
        ack_owed_ = true;
        decide(Rule::TextHeldOutOfOrder);
      } else {
        ack_owed_ = true;  // MAY-13: a duplicate ACK for text we will not keep
        decide(Rule::TextDroppedOutOfOrder);
      }
    }
    if (drain_held_text()) fin_at_rcv_nxt_ = true;
  } else if (seg.len > 0) {
    // CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: the peer's FIN came before; ignore the text.
    decide(Rule::TextIgnoredAfterPeerFin);
  } else if (seg.fin() && seg.seq == tcb_.rcv_nxt) {
    fin_at_rcv_nxt_ = true;  // a second FIN where the first one already was
  }
  if (fin_at_rcv_nxt_) fin_arrives();
}

// Moves held text that now touches RCV.NXT into the receive buffer. Returns true when a held
// FIN became the next thing to receive.
bool Step::drain_held_text() {
  bool fin_next = false;
  bool progress = true;
  while (progress && !fin_next) {
    progress = false;
    for (auto it = tcb_.out_of_order.begin(); it != tcb_.out_of_order.end(); ++it) {
      if (seq_gt(it->seq, tcb_.rcv_nxt)) continue;
      const SeqNum end = it->seq + it->len;
      if (seq_gt(end, tcb_.rcv_nxt)) {
        accept_in_order(end.since(tcb_.rcv_nxt));
        decide(Rule::TextAccepted);
      }
      if (it->fin && end == tcb_.rcv_nxt) fin_next = true;
      tcb_.out_of_order.erase(it);
      progress = true;
      break;
    }
  }
  return fin_next;
}

void Step::accept_in_order(std::uint32_t octets) {
  // Never more than the window: held text was inside it when it arrived and the right edge
  // never moves left (SHLD-14), so this only guards against a broken caller.
  octets = std::min(octets, tcb_.rcv_wnd);
  tcb_.rcv_nxt += octets;
  tcb_.recv_unread += octets;
  tcb_.rcv_wnd = profile_.receive_buffer - tcb_.recv_unread;
  ack_owed_ = true;
  deliver_to_pending_receives();
}

void Step::deliver_to_pending_receives() {
  while (!tcb_.pending_receives.empty() && tcb_.recv_unread > 0) {
    const std::uint32_t want = tcb_.pending_receives.front();
    const std::uint32_t n = want == 0 ? tcb_.recv_unread : std::min(want, tcb_.recv_unread);
    tcb_.recv_unread -= n;
    tcb_.delivered_total += n;
    tcb_.rcv_wnd = profile_.receive_buffer - tcb_.recv_unread;
    tcb_.pending_receives.erase(tcb_.pending_receives.begin());
    notify(Notice::delivered(n));
  }
}

// RFC 9293 §3.10.7.4 eighth check: the peer's FIN is at RCV.NXT.
void Step::fin_arrives() {
  const State st = ep_.state_;
  ack_owed_ = true;
  switch (st) {
    case State::CloseWait:
    case State::Closing:
    case State::LastAck:
      // Only a second FIN at RCV.NXT can get here; acknowledge, but do not count it twice.
      decide(Rule::FinRepeatedAcked);
      return;
    case State::TimeWait:
      arm(TimerKind::TimeWait, 2ull * profile_.msl_ms);
      decide(Rule::TimeWaitFinRestartsTimer);
      return;
    case State::Established:
    case State::FinWait1:
    case State::FinWait2:
    case State::SynReceived: break;
    case State::Listen:
    case State::SynSent:
    case State::Closed: return;
  }
  tcb_.rcv_nxt += 1;
  tcb_.fin_received = true;
  tcb_.rcv_adv = seq_max(tcb_.rcv_adv, tcb_.rcv_nxt);
  notify(Notice::err(UserError::ConnectionClosing));
  if (tcb_.recv_unread == 0) fail_pending_receives(UserError::ConnectionClosing);
  decide(Rule::FinReceived);
  switch (st) {
    case State::SynReceived:
    case State::Established: set_state(State::CloseWait); return;
    case State::FinWait1:
      if (tcb_.fin_acked) {
        enter_time_wait();  // the FIN also acknowledged ours (C9)
      } else {
        set_state(State::Closing);  // the FINs crossed (C8)
      }
      return;
    case State::FinWait2: enter_time_wait(); return;
    case State::CloseWait:
    case State::Closing:
    case State::LastAck:
    case State::TimeWait:
    case State::Listen:
    case State::SynSent:
    case State::Closed: return;
  }
}

// RFC 1122 §4.2.2.13 / RFC 9293 §3.6.1 MAY-2: a new SYN above everything the old incarnation
// used may start a new connection straight from TIME-WAIT. Our ISS must lie above everything we
// sent before; the old TCB is kept in case the SYN turns out to be an old duplicate.
void Step::reopen_from_time_wait(const Segment& syn) {
  ep_.time_wait_tcb_ = tcb_;
  const SeqNum floor = tcb_.snd_max + profile_.iss_increment;
  if (seq_lt(ep_.next_iss_, floor)) ep_.next_iss_ = floor;
  tcb_.remote_specified = true;
  tcb_.pending_receives.clear();
  tcb_.send_queued = 0;
  tcb_.recv_unread = 0;
  start_incarnation();
  record_peer_syn(syn);
  tcb_.from_time_wait = true;
  tcb_.snd_wnd = syn.wnd;
  tcb_.snd_wl1 = syn.seq;
  tcb_.snd_wl2 = tcb_.iss;
  tcb_.max_snd_wnd = syn.wnd;
  hold_syn_text(syn);
  ep_.timers_ = {};
  emit(syn_ack_segment());
  arm(TimerKind::Retransmission, tcb_.rto_ms);
  set_state(State::SynReceived);
  decide(Rule::TimeWaitSynReopens);
}

}  // namespace tcpfsm::reference
