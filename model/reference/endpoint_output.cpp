// What the reference endpoint sends: the segment forms of RFC 9293 §3.5.2 and §3.10, and the
// output routine that cuts queued data into segments (§3.8.6, §3.10.2).
#include <algorithm>

#include "reference/step.hpp"

namespace tcpfsm::reference {

namespace {
// States in which queued data (and then our FIN) may still go out: our side is open, or the
// user closed while data was queued and the FIN has not left yet.
bool data_may_flow(State st) {
  return st == State::Established || st == State::CloseWait || st == State::FinWait1 ||
         st == State::Closing || st == State::LastAck;
}

std::uint32_t wnd_field(std::uint32_t w) {
  return std::min<std::uint32_t>(w, 65535);
}
}  // namespace

// <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, the answer of §3.10.7.4 for anything unacceptable.
Segment Step::ack_segment() const {
  return Segment{
      .seq = tcb_.snd_nxt, .ack = tcb_.rcv_nxt, .ctl = kAck, .wnd = wnd_field(tcb_.rcv_wnd)};
}

// <SEQ=ISS><CTL=SYN> (§3.10.1).
Segment Step::syn_segment() const {
  return Segment{.seq = tcb_.iss, .ctl = kSyn, .wnd = wnd_field(tcb_.rcv_wnd)};
}

// <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> (§3.10.7.2, §3.10.7.3).
Segment Step::syn_ack_segment() const {
  return Segment{
      .seq = tcb_.iss, .ack = tcb_.rcv_nxt, .ctl = kSyn | kAck, .wnd = wnd_field(tcb_.rcv_wnd)};
}

// Our own abort: <SEQ=SND.NXT><CTL=RST> (§3.10.5).
Segment Step::own_reset() const {
  if (profile_.own_rst_with_ack) {
    // Linux (digest L14, tcp_send_active_reset): the RST also acknowledges RCV.NXT.
    return Segment{.seq = tcb_.snd_nxt, .ack = tcb_.rcv_nxt, .ctl = kRst | kAck};
  }
  return Segment{.seq = tcb_.snd_nxt, .ctl = kRst};
}

// §3.5.2 groups 1 and 2: a RST the sender of `trigger` will accept. If the trigger carried an
// ACK, <SEQ=SEG.ACK><CTL=RST>; otherwise <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> (C32).
Segment Step::reset_for(const Segment& trigger) {
  if (trigger.ack_flag()) return Segment{.seq = trigger.ack, .ctl = kRst};
  return Segment{.seq = SeqNum(0), .ack = trigger.seq + trigger.seg_len(), .ctl = kRst | kAck};
}

void Step::output(bool ack_owed) {
  bool sent_any = false;
  while (transmit_one()) sent_any = true;
  if (ack_owed && !sent_any) emit(ack_segment());
  if (!data_may_flow(ep_.state_) || tcb_.send_queued == 0 || armed(TimerKind::ZeroWindowProbe)) {
    return;
  }
  const std::uint32_t in_flight = tcb_.snd_nxt.since(tcb_.snd_una);
  if (tcb_.snd_wnd == 0 && in_flight == 0) {
    // MUST-36: data waits on a zero window with nothing in flight; probe it one RTO later.
    arm(TimerKind::ZeroWindowProbe, tcb_.rto_ms);
  } else if (profile_.nagle && in_flight > 0) {
    // Nagle (SHLD-7; Linux tcp_nagle_check): the small segment waits for the ACK, not a timer.
  } else if (tcb_.snd_wnd > in_flight) {
    // Window is open but silly window avoidance held the data back: the override timer
    // makes sure it does not wait forever (§3.8.6.2.1, MUST-60).
    arm(TimerKind::ZeroWindowProbe, profile_.sws_override_ms);
  }
}

// Sends one segment of queued data (with the FIN when it is due), or the FIN alone. Returns
// false when there is nothing that may be sent now.
bool Step::transmit_one(bool override_sws) {
  const State st = ep_.state_;
  if (!data_may_flow(st) || tcb_.fin_sent) return false;
  const std::uint32_t in_flight = tcb_.snd_nxt.since(tcb_.snd_una);
  const std::uint32_t usable = tcb_.snd_wnd > in_flight ? tcb_.snd_wnd - in_flight : 0;
  std::uint32_t len = std::min({tcb_.send_queued, usable, profile_.mss});
  if (!override_sws && len > 0 && len < profile_.mss && len < tcb_.send_queued &&
      len < std::max<std::uint32_t>(1, tcb_.max_snd_wnd / 2)) {
    // §3.8.6.2.1, MUST-38: sender silly window avoidance; a small piece of a larger queue
    // waits for the window to open.
    len = 0;
  }
  // §3.10.4: the FIN follows the last queued octet, whatever closing state we are in by then
  // (FIN-WAIT-1, or CLOSING / LAST-ACK when the peer's FIN came first, C13).
  const bool fin_due = tcb_.close_requested && tcb_.send_queued == len &&
                       st != State::Established && st != State::CloseWait;
  if (profile_.nagle && !override_sws && !fin_due && len > 0 && len < profile_.mss &&
      in_flight > 0) {
    // §3.7.4, SHLD-7 (Linux tcp_nagle_check): a small segment waits while data is
    // unacknowledged. A FIN pushes it out (Linux tcp_send_fin uses TCP_NAGLE_OFF).
    len = 0;
  }
  if (len == 0 && !fin_due) return false;

  Segment s{.seq = tcb_.snd_nxt,
            .ack = tcb_.rcv_nxt,
            .ctl = kAck,
            .wnd = wnd_field(tcb_.rcv_wnd),
            .len = len};
  if (len > 0 && len == tcb_.send_queued) s.ctl |= kPsh;
  if (tcb_.snd_urgent && seq_gt(tcb_.snd_up, s.seq)) {
    s.ctl |= kUrg;
    s.up = static_cast<std::uint16_t>(std::min<std::uint32_t>(tcb_.snd_up.since(s.seq), 65535));
  }
  tcb_.send_queued -= len;
  tcb_.snd_nxt += len;
  if (fin_due) {
    s.ctl |= kFin;
    tcb_.fin_sent = true;
    tcb_.fin_seq = tcb_.snd_nxt;
    tcb_.snd_nxt += 1;
  }
  tcb_.snd_max = seq_max(tcb_.snd_max, tcb_.snd_nxt);
  if (!tcb_.rtt_timing) {
    tcb_.rtt_timing = true;
    tcb_.rtt_seq = tcb_.snd_nxt;
    tcb_.rtt_start = now_;
  }
  disarm(TimerKind::ZeroWindowProbe);
  if (!armed(TimerKind::Retransmission)) arm(TimerKind::Retransmission, tcb_.rto_ms);
  if (profile_.user_timeout_ms > 0 && !armed(TimerKind::User)) {
    arm(TimerKind::User, profile_.user_timeout_ms);
  }
  emit(s);
  return true;
}

// §3.8.6.2.2, MUST-39: after the user reads, tell the peer about the larger window only when
// it has grown by a full segment or half the buffer, never in dribbles.
void Step::send_window_update_if_due() {
  const State st = ep_.state_;
  if (st != State::Established && st != State::FinWait1 && st != State::FinWait2) return;
  if (profile_.window_update_when_doubled) {
    // Linux tcp_cleanup_rbuf: only a window that was down to half the buffer or less, and
    // that at least doubles, is worth an update.
    const std::uint32_t advertised =
        seq_gt(tcb_.rcv_adv, tcb_.rcv_nxt) ? tcb_.rcv_adv.since(tcb_.rcv_nxt) : 0;
    if (2ull * advertised <= profile_.receive_buffer && tcb_.rcv_wnd > 0 &&
        tcb_.rcv_wnd >= 2ull * advertised) {
      emit(ack_segment());
    }
    return;
  }
  const SeqNum edge = tcb_.rcv_nxt + tcb_.rcv_wnd;
  if (!seq_gt(edge, tcb_.rcv_adv)) return;
  const std::uint32_t growth = edge.since(tcb_.rcv_adv);
  if (growth >= std::min(profile_.receive_buffer / 2, profile_.mss)) emit(ack_segment());
}

void Step::arm(TimerKind t, Millis after) {
  ep_.timers_[static_cast<int>(t)] = now_ + after;
}
void Step::disarm(TimerKind t) {
  ep_.timers_[static_cast<int>(t)].reset();
}
bool Step::armed(TimerKind t) const {
  return ep_.timers_[static_cast<int>(t)].has_value();
}

// RFC 6298 §5.2 and §5.3: when everything is acknowledged the timer stops; when new data is
// acknowledged and more is outstanding it restarts. The user timeout measures the same
// lack of progress.
void Step::rearm_after_progress() {
  const bool outstanding = tcb_.snd_una != tcb_.snd_nxt;
  if (outstanding) {
    arm(TimerKind::Retransmission, tcb_.rto_ms);
  } else {
    disarm(TimerKind::Retransmission);
  }
  if (profile_.user_timeout_ms > 0 && (outstanding || tcb_.send_queued > 0)) {
    arm(TimerKind::User, profile_.user_timeout_ms);
  } else {
    disarm(TimerKind::User);
  }
}

}  // namespace tcpfsm::reference
