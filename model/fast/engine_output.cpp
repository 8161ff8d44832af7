// What the optimized implementation sends: the segment forms of RFC 9293 §3.5.2 and §3.10, and
// the cutting of queued data into segments (§3.8.6, §3.10.2).
#include <algorithm>

#include "fast/engine.hpp"

namespace tcpfsm::fast {

namespace {

// States in which queued data, and then our FIN, may still leave.
constexpr std::uint16_t kFlowStates = (1u << static_cast<unsigned>(State::Established)) |
                                      (1u << static_cast<unsigned>(State::CloseWait)) |
                                      (1u << static_cast<unsigned>(State::FinWait1)) |
                                      (1u << static_cast<unsigned>(State::Closing)) |
                                      (1u << static_cast<unsigned>(State::LastAck));

constexpr bool flows(std::uint8_t state) {
  return ((kFlowStates >> state) & 1u) != 0;
}

}  // namespace

// <SEQ=ISS><CTL=SYN> (§3.10.1), or <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> (§3.10.7.2, §3.10.7.3).
Segment Engine::our_syn(bool with_ack) const {
  if (!with_ack) return Segment{.seq = SeqNum(h_.iss), .ctl = kSyn, .wnd = window_field()};
  return Segment{.seq = SeqNum(h_.iss),
                 .ack = SeqNum(h_.rcv_nxt),
                 .ctl = static_cast<std::uint8_t>(kSyn | kAck),
                 .wnd = window_field()};
}

// §3.10.5 ABORT: <SEQ=SND.NXT><CTL=RST>.
Segment Engine::abort_reset() const {
  if (p_.own_rst_with_ack) {
    // Linux L14 (tcp_send_active_reset): the RST acknowledges RCV.NXT too.
    return Segment{.seq = SeqNum(h_.snd_nxt),
                   .ack = SeqNum(h_.rcv_nxt),
                   .ctl = static_cast<std::uint8_t>(kRst | kAck)};
  }
  return Segment{.seq = SeqNum(h_.snd_nxt), .ctl = kRst};
}

// §3.5.2 groups 1 and 2, C32: with an ACK, <SEQ=SEG.ACK><CTL=RST>; without,
// <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
Segment Engine::reset_answer(const Segment& trigger) {
  if (trigger.ack_flag()) return Segment{.seq = trigger.ack, .ctl = kRst};
  return Segment{.seq = SeqNum(0),
                 .ack = trigger.seq + trigger.seg_len(),
                 .ctl = static_cast<std::uint8_t>(kRst | kAck)};
}

// Sends what may be sent; then a bare ACK if one is owed and nothing carried it; then makes
// sure held-back data has a timer (MUST-36 zero-window probe, §3.8.6.2.1 SWS override).
void Engine::flush(bool owe_ack) {
  bool carried = false;
  // push_one's own first test, made here so that a connection with nothing to send (most
  // segments of a handshake or a close) does not pay for the call.
  if (flows(h_.state) && !h_.has(kFinSent) && (h_.has(kHasQueued) || h_.has(kCloseRequested))) {
    while (push_one(false)) carried = true;
  }
  if (owe_ack && !carried) emit(bare_ack());
  if (!flows(h_.state) || !h_.has(kHasQueued) || armed(TimerKind::ZeroWindowProbe)) return;
  const std::uint32_t in_flight = h_.snd_nxt - h_.snd_una;
  if (h_.snd_wnd == 0 && in_flight == 0) {
    arm(TimerKind::ZeroWindowProbe, tm_.rto_ms);
  } else if (p_.nagle && in_flight > 0) {
    // Nagle (SHLD-7): the small segment waits for the ACK, not for a timer.
  } else if (h_.snd_wnd > in_flight) {
    arm(TimerKind::ZeroWindowProbe, p_.sws_override_ms);
  }
}

// One segment of queued data, with our FIN when the last octet goes (§3.10.4), or the FIN
// alone. False when nothing may leave now.
bool Engine::push_one(bool override_sws) {
  if (!flows(h_.state) || h_.has(kFinSent)) return false;
  if (!h_.has(kHasQueued) && !h_.has(kCloseRequested)) return false;
  const State st = state();
  const std::uint32_t queued = cold_.send_queued;
  const std::uint32_t in_flight = h_.snd_nxt - h_.snd_una;
  const std::uint32_t usable = h_.snd_wnd > in_flight ? h_.snd_wnd - in_flight : 0;
  std::uint32_t len = std::min({queued, usable, p_.mss});
  // MUST-38 sender SWS avoidance: a small piece of a larger queue waits, unless overridden.
  if (!override_sws && len > 0 && len < p_.mss && len < queued &&
      len < std::max<std::uint32_t>(1, h_.max_snd_wnd / 2)) {
    len = 0;
  }
  bool fin_due = h_.has(kCloseRequested) && queued == len && st != State::Established &&
                 st != State::CloseWait;
  if (t_.mutant_ == Mutant::SimultaneousCloseFinNeverSent && st == State::Closing) fin_due = false;
  if (p_.nagle && !override_sws && !fin_due && len > 0 && len < p_.mss && in_flight > 0) {
    len = 0;  // §3.7.4 SHLD-7 Nagle: a small segment waits while data is unacknowledged
  }
  if (len == 0 && !fin_due) return false;

  Segment s{.seq = SeqNum(h_.snd_nxt),
            .ack = SeqNum(h_.rcv_nxt),
            .ctl = kAck,
            .wnd = window_field(),
            .len = len};
  if (len > 0 && len == queued) s.ctl |= kPsh;
  // MUST-30/31: URG with the pointer to just past the last urgent octet.
  if (h_.has(kSendUrgent) && mod_gt(cold_.snd_up, h_.snd_nxt)) {
    s.ctl |= kUrg;
    s.up = static_cast<std::uint16_t>(std::min<std::uint32_t>(cold_.snd_up - h_.snd_nxt, 0xFFFF));
  }
  set_queued(queued - len);
  h_.snd_nxt += len;
  if (fin_due) {
    s.ctl |= kFin;
    h_.set(kFinSent);
    h_.snd_nxt += 1;
  }
  if (!h_.has(kRttTiming)) {
    h_.set(kRttTiming);
    cold_.rtt_seq = h_.snd_nxt;
    cold_.rtt_start = now_;
  }
  disarm(TimerKind::ZeroWindowProbe);
  if (!armed(TimerKind::Retransmission)) arm(TimerKind::Retransmission, tm_.rto_ms);
  if (p_.user_timeout_ms > 0 && !armed(TimerKind::User)) arm(TimerKind::User, p_.user_timeout_ms);
  emit(s);
  return true;
}

}  // namespace tcpfsm::fast
