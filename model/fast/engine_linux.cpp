// The Linux profile's departures from RFC 9293 that replace a whole check or a whole state's
// processing: the kernel's mini-sockets (request, TIME-WAIT, orphaned FIN-WAIT-2), its
// sequence test and its resets for data after shutdown. Each is off unless its Profile switch
// is on; the digest's section 7 numbers them L1..L18.
#include "fast/engine.hpp"

namespace tcpfsm::fast {

// Linux tcp_in_window, the window test of the mini-sockets (L4, L8).
bool Engine::linux_in_window(const Segment& s) const {
  const std::uint32_t seq = s.seq.raw();
  const std::uint32_t end = seq + s.seg_len();
  const std::uint32_t right = h_.rcv_nxt + h_.rcv_wnd;
  if (seq == h_.rcv_nxt) return true;
  if (mod_gt(end, h_.rcv_nxt) && mod_lt(seq, right)) return true;
  return seq == right && seq == end;
}

// L10 (tcp_sequence): the end must reach RCV.NXT and the start must not pass the right edge;
// text beyond the edge only while nothing is unread. Also notes an accepted old duplicate.
bool Engine::linux_sequence_test(const Segment& s) const {
  const std::uint32_t seq = s.seq.raw();
  const std::uint32_t end = seq + s.seg_len();
  const std::uint32_t right = h_.rcv_nxt + h_.rcv_wnd;
  const std::uint32_t data_end = end - (s.fin() ? 1u : 0u);
  return !ord_.lt(end, h_.rcv_nxt) && !ord_.gt(seq, right) &&
         !(ord_.gt(data_end, right) && h_.recv_unread > 0);
}

// The switches that act before the (state, class) table. True when the segment is done.
bool Engine::linux_intercept(const Segment& s) {
  const State st = state();
  if (p_.syn_ack_completes_simultaneous_open && st == State::SynReceived && !h_.has(kPassiveOpen) &&
      !h_.has(kFromTimeWait) && s.syn() && s.ack_flag() && !s.rst() && s.seg_len() == 1 &&
      s.seq.raw() + 1 == h_.rcv_nxt && s.ack.raw() == h_.snd_nxt) {
    // L17: the peer's SYN-ACK crossing ours completes a simultaneous open; its old SYN octet
    // draws an ACK.
    establish_from_syn_received(s);
    advance_una(s.ack.raw());
    rule_ = Rule::AckProcessed;
    flush(true);
    return true;
  }
  if (p_.request_socket && st == State::SynReceived &&
      (h_.has(kPassiveOpen) || h_.has(kFromTimeWait)) && request_socket(s)) {
    return true;
  }
  if (p_.time_wait_mini_socket && st == State::TimeWait) {
    time_wait_mini_socket(s);
    return true;
  }
  if (p_.orphan_fin_wait_2 && st == State::FinWait2 && h_.has(kCloseRequested)) {
    orphan_fin_wait_2(s);
    return true;
  }
  if (p_.drop_without_ack_rst_syn && st != State::Closed && st != State::Listen &&
      st != State::SynSent && (s.ctl & (kAck | kRst | kSyn)) == 0) {
    // tcp_rcv_state_process: none of ACK, RST, SYN: dropped before any check, unanswered.
    rule_ = Rule::NoAckDropped;
    return true;
  }
  return false;
}

// L8 (tcp_check_req): a passively opened (or reopened) SYN-RECEIVED is a request mini-socket.
// False when the full socket is to process the segment.
bool Engine::request_socket(const Segment& s) {
  const std::uint32_t seq = s.seq.raw();
  if (seq == cold_.irs && (s.ctl & (kRst | kSyn | kAck)) == kSyn) {
    // The peer's SYN again: our SYN-ACK again, its timer restarted.
    emit(our_syn(true));
    arm(TimerKind::Retransmission, tm_.rto_ms);
    rule_ = Rule::RetransmitSynAck;
    return true;
  }
  const bool in_window = linux_in_window(s);
  if (s.rst()) {
    if (!in_window) {
      rule_ = Rule::UnacceptableRstDropped;
      return true;
    }
    if (seq != h_.rcv_nxt) {
      emit(bare_ack());  // challenged, without the RFC 5961 §7 budget
      rule_ = Rule::RstChallengeAck;
      return true;
    }
  }
  if (!s.rst() && s.ack_flag() && s.ack.raw() != h_.iss + 1) {
    emit(reset_answer(s));  // the ACK is checked before the sequence number
    rule_ = Rule::SynReceivedResetsBadAck;
    return true;
  }
  if (!in_window) {
    emit(bare_ack());
    rule_ = Rule::UnacceptableSegmentAcked;
    return true;
  }
  const bool new_syn = s.syn() && seq != cold_.irs;
  if (s.rst() || new_syn) {
    // The exact RST, or another SYN (answered with a RST): the attempt goes, LISTEN stays.
    if (!s.rst()) emit(reset_answer(s));
    to_listen();
    rule_ = s.rst() ? Rule::RstReturnsToListen : Rule::SynReturnsToListen;
    return true;
  }
  if (!s.ack_flag()) {
    rule_ = Rule::NoAckDropped;
    return true;
  }
  return false;
}

// L1-L3 (tcp_timewait_state_process): only a RST or a bare segment exactly at RCV.NXT is in
// the window; a SYN above RCV.NXT may reopen; every other RST is ignored; the rest is
// acknowledged, and an ACK-bearing one restarts the timer.
void Engine::time_wait_mini_socket(const Segment& s) {
  const std::uint32_t seq = s.seq.raw();
  if (seq == h_.rcv_nxt && (s.seg_len() == 0 || s.rst())) {
    if (!s.rst()) {
      arm(TimerKind::TimeWait, 2ull * p_.msl_ms);
      rule_ = Rule::AckProcessed;
      return;
    }
    if (p_.time_wait_rst == TimeWaitRst::Ignore) {  // sysctl tcp_rfc1337 = 1
      rule_ = Rule::TimeWaitIgnoresRst;
      return;
    }
    enter(State::Closed);
    rule_ = Rule::RstClosesConnection;
    return;
  }
  if (s.syn() && !s.rst() && !s.ack_flag() && mod_gt(seq, h_.rcv_nxt) &&
      p_.time_wait_syn == TimeWaitSyn::Reopen) {
    reopen_from_time_wait(s);
    return;
  }
  if (s.rst()) {
    rule_ = Rule::TimeWaitIgnoresRst;
    return;
  }
  const bool restart =
      s.ack_flag() && !(s.fin() && t_.mutant_ == Mutant::TimeWaitNotRestartedByFin);
  if (restart) arm(TimerKind::TimeWait, 2ull * p_.msl_ms);
  emit(bare_ack());
  rule_ = s.fin() ? Rule::TimeWaitAcksRetransmittedFin : Rule::UnacceptableSegmentAcked;
}

// L4 (the FIN_WAIT2 substate of tcp_timewait_state_process): FIN-WAIT-2 after CLOSE.
void Engine::orphan_fin_wait_2(const Segment& s) {
  if (!linux_in_window(s)) {
    emit(bare_ack());  // even a RST: the mini-socket does not look at it here
    rule_ = Rule::UnacceptableSegmentAcked;
    return;
  }
  const std::uint32_t seq = s.seq.raw();
  const std::uint32_t end = seq + s.seg_len();
  if (s.rst()) {
    enter(State::Closed);
    rule_ = Rule::RstResetsConnection;
    return;
  }
  const bool new_syn = s.syn() && !mod_lt(seq, h_.rcv_nxt);
  if (!new_syn && (!s.ack_flag() || !mod_gt(end, h_.rcv_nxt) || s.seg_len() == 0)) {
    rule_ = Rule::AckProcessed;  // a duplicate
    return;
  }
  if (new_syn || !s.fin() || end != h_.rcv_nxt + 1) {
    emit(reset_answer(s));  // new data (or a SYN) after CLOSE
    enter(State::Closed);
    rule_ = Rule::TextAfterCloseResets;
    return;
  }
  h_.rcv_nxt = end;  // the FIN: TIME-WAIT, acknowledged
  h_.set(kFinReceived);
  enter(State::TimeWait);
  emit(bare_ack());
  rule_ = Rule::FinReceived;
}

// L6 (tcp_rcv_state_process step 7): once the receive side is shut, by our CLOSE in
// FIN-WAIT-1/2 or by the peer's FIN (for a segment starting before RCV.NXT), new data resets
// the connection with a RST in answer to the segment. True when it did.
bool Engine::data_after_shutdown(const Segment& s) {
  const State st = state();
  const std::uint32_t seq = s.seq.raw();
  const std::uint32_t data_end = seq + s.seg_len() - (s.fin() ? 1u : 0u);
  const bool closed_by_us = p_.data_after_close_resets && h_.has(kCloseRequested) &&
                            (st == State::FinWait1 || st == State::FinWait2);
  const bool closed_by_peer =
      p_.data_after_fin_resets && mod_lt(seq, h_.rcv_nxt) &&
      (st == State::CloseWait || st == State::Closing || st == State::LastAck);
  if (!(closed_by_us || closed_by_peer) || s.seg_len() == 0 || !mod_gt(data_end, h_.rcv_nxt)) {
    return false;
  }
  emit(reset_answer(s));
  tell(Notice::err(UserError::ConnectionReset));
  fail_waiting(UserError::ConnectionReset);
  enter(State::Closed);
  rule_ = Rule::TextAfterCloseResets;
  return true;
}

// L11: a bad ACK in SYN-SENT is answered as the RFC says and, while the SYN has not been
// retransmitted yet, taken as a sign that it was lost: the SYN goes again at once.
void Engine::syn_sent_bad_ack(const Segment& s) {
  if (!s.rst()) emit(reset_answer(s));
  if (tm_.retries == 0) retransmit();
  rule_ = s.rst() ? Rule::SynSentDropsRstWithBadAck : Rule::SynSentResetsBadAck;
}

}  // namespace tcpfsm::fast
