// Timeouts, RFC 9293 §3.10.8 (USER TIMEOUT, RETRANSMISSION TIMEOUT, TIME-WAIT TIMEOUT), the
// zero-window probe of §3.8.6.1, and Linux's optional FIN-WAIT-2 timer.
#include <algorithm>

#include "reference/step.hpp"

namespace tcpfsm::reference {

void Step::on(const TimerExpires& expiry) {
  auto& deadline = ep_.timers_[static_cast<int>(expiry.timer)];
  if (!deadline) {
    decide(Rule::TimerNotArmed);
    return;
  }
  // The timer fires at its deadline: virtual time moves there if it was not there yet, so
  // nothing can end earlier than its timer says (E9).
  now_ = std::max(now_, *deadline);
  ep_.now_ = now_;
  deadline.reset();
  switch (expiry.timer) {
    case TimerKind::Retransmission: retransmit(); return;
    case TimerKind::ZeroWindowProbe: {
      const std::uint32_t in_flight = tcb_.snd_nxt.since(tcb_.snd_una);
      if (tcb_.send_queued > 0 && tcb_.snd_wnd > in_flight) {
        // §3.8.6.2.1: the override timeout: what silly window avoidance held back goes now.
        transmit_one(true);
        decide(Rule::SwsOverrideSends);
        output(false);
        return;
      }
      if (tcb_.send_queued == 0 || tcb_.snd_wnd != 0) {
        decide(Rule::PersistTimerNothingToDo);
        return;
      }
      // MUST-36: one octet beyond the zero window; it is then retransmitted like any data
      // until the window opens (MUST-37: the connection is not given up while ACKs come).
      Segment probe{.seq = tcb_.snd_nxt,
                    .ack = tcb_.rcv_nxt,
                    .ctl = kAck,
                    .wnd = std::min<std::uint32_t>(tcb_.rcv_wnd, 65535),
                    .len = 1};
      tcb_.send_queued -= 1;
      if (tcb_.send_queued == 0) probe.ctl |= kPsh;
      tcb_.snd_nxt += 1;
      tcb_.snd_max = seq_max(tcb_.snd_max, tcb_.snd_nxt);
      emit(probe);
      arm(TimerKind::Retransmission, tcb_.rto_ms);
      decide(Rule::ZeroWindowProbe);
      return;
    }
    case TimerKind::User:
      // §3.10.8: give up, tell the user, delete the TCB; nothing is sent.
      notify(Notice::err(UserError::UserTimeout));
      fail_pending_receives(UserError::UserTimeout);
      to_closed();
      decide(Rule::UserTimeoutCloses);
      return;
    case TimerKind::TimeWait:
      to_closed();
      decide(Rule::TimeWaitExpires);
      return;
    case TimerKind::FinWait2:
      to_closed();
      decide(Rule::FinWait2Expires);
      return;
  }
}

// RFC 6298 §5.4 to §5.6: resend the earliest unacknowledged segment, back the timer off, and
// give up after R2 (§3.8.3: syn_retries for a SYN, data_retries otherwise).
void Step::retransmit() {
  const State st = ep_.state_;
  const bool opening = st == State::SynSent || st == State::SynReceived;
  std::uint32_t limit = opening ? profile_.syn_retries : profile_.data_retries;
  // Linux tcp_syn_linear_timeouts: that many more tries for a SYN (tcp_write_timeout).
  if (st == State::SynSent) limit += profile_.syn_linear_timeouts;
  if (tcb_.retries >= limit) {
    if (st == State::SynReceived && tcb_.passive_open) {
      back_to_listen();  // the listener stays; only this attempt is given up
      decide(Rule::RetransmissionLimitReturnsToListen);
      return;
    }
    notify(Notice::err(UserError::RetransmissionTimeout));
    fail_pending_receives(UserError::RetransmissionTimeout);
    to_closed();
    decide(Rule::RetransmissionLimitCloses);
    return;
  }
  ++tcb_.retries;
  if (opening || tcb_.snd_una == tcb_.iss) tcb_.syn_timed_out = true;
  // Linux tcp_syn_linear_timeouts (tcp_retransmit_timer): the first SYN retransmissions keep
  // the RTO; backing off starts after that many.
  const bool linear = st == State::SynSent && tcb_.retries <= profile_.syn_linear_timeouts;
  if (!linear) tcb_.rto_ms = std::min(tcb_.rto_ms * 2, profile_.rto_max_ms);
  tcb_.rtt_timing = false;  // Karn: no sample from a retransmitted segment

  if (st == State::SynSent) {
    emit(syn_segment());
    decide(Rule::RetransmitSyn);
  } else if (tcb_.snd_una == tcb_.iss) {
    // Our SYN is still unacknowledged (SYN-RECEIVED, or FIN-WAIT-1 reached from it, C12).
    emit(syn_ack_segment());
    decide(Rule::RetransmitSynAck);
  } else if (tcb_.snd_una != tcb_.snd_nxt) {
    const std::uint32_t outstanding = tcb_.snd_nxt.since(tcb_.snd_una);
    const bool fin_outstanding = tcb_.fin_sent && !tcb_.fin_acked;
    const std::uint32_t data = outstanding - (fin_outstanding ? 1u : 0u);
    const std::uint32_t len = std::min(data, profile_.mss);
    Segment s{.seq = tcb_.snd_una,
              .ack = tcb_.rcv_nxt,
              .ctl = kAck,
              .wnd = std::min<std::uint32_t>(tcb_.rcv_wnd, 65535),
              .len = len};
    if (fin_outstanding && len == data) s.ctl |= kFin;
    // PSH as when first sent: on the segment that carried the last queued octet.
    if (len > 0 && len == data && tcb_.send_queued == 0) s.ctl |= kPsh;
    emit(s);
    decide(Rule::RetransmitData);
  } else {
    decide(Rule::TimerNotArmed);  // nothing outstanding: the timer should not have run
    return;
  }
  arm(TimerKind::Retransmission, tcb_.rto_ms);
}

}  // namespace tcpfsm::reference
