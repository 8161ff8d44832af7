// Timeouts, RFC 9293 §3.10.8, the persist timer of §3.8.6.1 / §3.8.6.2.1, and Linux's optional
// FIN-WAIT-2 timer.
#include <algorithm>

#include "fast/engine.hpp"

namespace tcpfsm::fast {

void Engine::on_timer(TimerKind k) {
  if (!armed(k)) {
    rule_ = Rule::TimerNotArmed;
    return;
  }
  // A timer fires at its deadline; the clock moves there if it is behind (E9).
  now_ = std::max(now_, tm_.deadline[static_cast<unsigned>(k)]);
  t_.now_ = now_;
  disarm(k);
  switch (k) {
    case TimerKind::Retransmission: retransmit(); return;
    case TimerKind::ZeroWindowProbe: persist(); return;
    case TimerKind::User:
      // §3.10.8 USER TIMEOUT: give up silently and tell the user.
      tell(Notice::err(UserError::UserTimeout));
      fail_waiting(UserError::UserTimeout);
      enter(State::Closed);
      rule_ = Rule::UserTimeoutCloses;
      return;
    case TimerKind::TimeWait:
      enter(State::Closed);
      rule_ = Rule::TimeWaitExpires;
      return;
    case TimerKind::FinWait2:
      enter(State::Closed);
      rule_ = Rule::FinWait2Expires;
      return;
  }
}

// RFC 6298 §5.4 to §5.6 and RFC 9293 §3.8.3: resend the oldest unacknowledged segment with the
// timer backed off, or give up after R2.
void Engine::retransmit() {
  const State st = state();
  const bool opening = st == State::SynSent || st == State::SynReceived;
  std::uint32_t limit = opening ? p_.syn_retries : p_.data_retries;
  // Linux tcp_syn_linear_timeouts: that many more tries for a SYN.
  if (st == State::SynSent) limit += p_.syn_linear_timeouts;
  if (tm_.retries >= limit) {
    if (st == State::SynReceived && h_.has(kPassiveOpen)) {
      to_listen();  // the listener lives on; only this attempt is given up
      rule_ = Rule::RetransmissionLimitReturnsToListen;
      return;
    }
    tell(Notice::err(UserError::RetransmissionTimeout));
    fail_waiting(UserError::RetransmissionTimeout);
    enter(State::Closed);
    rule_ = Rule::RetransmissionLimitCloses;
    return;
  }
  ++tm_.retries;
  if (opening || h_.snd_una == h_.iss) cold_.syn_timed_out = true;
  // Linux tcp_syn_linear_timeouts: the first SYN retransmissions keep the RTO.
  const bool linear = st == State::SynSent && tm_.retries <= p_.syn_linear_timeouts;
  if (!linear) tm_.rto_ms = std::min(tm_.rto_ms * 2, p_.rto_max_ms);
  h_.clear(kRttTiming);  // Karn: a retransmitted segment gives no sample

  if (st == State::SynSent) {
    emit(our_syn(false));
    rule_ = Rule::RetransmitSyn;
  } else if (h_.snd_una == h_.iss) {
    // Our SYN is still unacknowledged (SYN-RECEIVED, or FIN-WAIT-1 reached from it, C12).
    emit(our_syn(true));
    rule_ = Rule::RetransmitSynAck;
  } else if (h_.snd_una != h_.snd_nxt) {
    const bool fin_out = h_.has(kFinSent) && !h_.has(kFinAcked);
    const std::uint32_t data = h_.snd_nxt - h_.snd_una - (fin_out ? 1u : 0u);
    const std::uint32_t len = std::min(data, p_.mss);
    Segment s{.seq = SeqNum(h_.snd_una),
              .ack = SeqNum(h_.rcv_nxt),
              .ctl = kAck,
              .wnd = window_field(),
              .len = len};
    if (fin_out && len == data) s.ctl |= kFin;
    if (len > 0 && len == data && cold_.send_queued == 0) s.ctl |= kPsh;  // as first sent
    rule_ = Rule::RetransmitData;
    const bool fin_suppressed =
        t_.mutant_ == Mutant::SimultaneousCloseFinNeverSent && st == State::Closing;
    if (fin_suppressed) s.ctl = static_cast<std::uint8_t>(s.ctl & ~kFin);
    if (!fin_suppressed || s.len > 0) emit(s);
  } else {
    rule_ = Rule::TimerNotArmed;  // nothing outstanding
    return;
  }
  arm(TimerKind::Retransmission, tm_.rto_ms);
}

// The persist timer: the SWS override sends what was held back (§3.8.6.2.1); on a zero
// window one new octet probes it (MUST-36) and is then retransmitted like data.
void Engine::persist() {
  const std::uint32_t queued = cold_.send_queued;
  const std::uint32_t in_flight = h_.snd_nxt - h_.snd_una;
  if (queued > 0 && h_.snd_wnd > in_flight) {
    push_one(true);
    rule_ = Rule::SwsOverrideSends;
    flush(false);
    return;
  }
  if (queued == 0 || h_.snd_wnd != 0) {
    rule_ = Rule::PersistTimerNothingToDo;
    return;
  }
  Segment probe{.seq = SeqNum(h_.snd_nxt),
                .ack = SeqNum(h_.rcv_nxt),
                .ctl = kAck,
                .wnd = window_field(),
                .len = 1};
  set_queued(queued - 1);
  if (queued == 1) probe.ctl |= kPsh;
  h_.snd_nxt += 1;
  emit(probe);
  arm(TimerKind::Retransmission, tm_.rto_ms);
  rule_ = Rule::ZeroWindowProbe;
}

}  // namespace tcpfsm::fast
