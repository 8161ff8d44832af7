// The reference endpoint's shared machinery: event dispatch, the single place where the state
// changes, and the actions several RFC checks share.
#include "reference/endpoint.hpp"

#include <algorithm>

#include "reference/step.hpp"

namespace tcpfsm::reference {

Endpoint::Endpoint(Profile profile, SeqNum first_iss)
    : profile_(std::move(profile)), next_iss_(first_iss) {}

Outcome Endpoint::step(const Event& event, Millis now) {
  Step s(*this, now);
  return s.run(event);
}

std::optional<std::pair<TimerKind, Millis>> Endpoint::next_timer() const {
  std::optional<std::pair<TimerKind, Millis>> best;
  for (int i = 0; i < kTimerKinds; ++i) {
    if (!timers_[i]) continue;
    if (!best || *timers_[i] < best->second) best = {static_cast<TimerKind>(i), *timers_[i]};
  }
  return best;
}

std::vector<Outcome> Endpoint::advance_to(Millis now) {
  std::vector<Outcome> fired;
  for (auto next = next_timer(); next && next->second <= now; next = next_timer()) {
    fired.push_back(step(TimerExpires{next->first}, next->second));
  }
  now_ = std::max(now_, now);
  return fired;
}

Step::Step(Endpoint& ep, Millis now)
    : ep_(ep), tcb_(ep.tcb_), profile_(ep.profile_), now_(std::max(now, ep.now_)) {
  ep_.now_ = now_;
}

Outcome Step::run(const Event& event) {
  out_.from = ep_.state_;
  std::visit([this](const auto& e) { on(e); }, event);
  out_.to = ep_.state_;
  return std::move(out_);
}

// Every change of state goes through here, so that entering a state always does the same
// bookkeeping whatever check caused it.
void Step::set_state(State to) {
  ep_.state_ = to;
}

void Step::emit(const Segment& s) {
  if (!s.rst()) tcb_.rcv_adv = seq_max(tcb_.rcv_adv, tcb_.rcv_nxt + tcb_.rcv_wnd);
  out_.sent.push_back(s);
}

void Step::fail_pending_receives(UserError why) {
  for (std::size_t i = 0; i < tcb_.pending_receives.size(); ++i) notify(Notice::err(why));
  tcb_.pending_receives.clear();
}

// RFC 9293 §3.10.4 to §3.10.8: the connection record is deleted and the state becomes CLOSED.
void Step::to_closed() {
  tcb_ = Tcb{};
  ep_.timers_ = {};
  ep_.time_wait_tcb_.reset();
  set_state(State::Closed);
}

// RFC 9293 §3.10.7.4: a passively opened connection that is reset (or sees a new SYN) in
// SYN-RECEIVED goes back to LISTEN with nothing of the aborted attempt left.
void Step::back_to_listen() {
  const bool remote = tcb_.listener_remote_specified;
  auto receives = std::move(tcb_.pending_receives);
  tcb_ = Tcb{};
  tcb_.remote_specified = remote;
  tcb_.listener_remote_specified = remote;
  tcb_.pending_receives = std::move(receives);
  tcb_.rcv_wnd = profile_.receive_buffer;
  ep_.timers_ = {};
  set_state(State::Listen);
}

// RFC 9293 §3.10.7.4 (fifth and eighth checks): entering TIME-WAIT starts the 2*MSL timer and
// stops every other one.
void Step::enter_time_wait() {
  ep_.timers_ = {};
  arm(TimerKind::TimeWait, 2ull * profile_.msl_ms);
  set_state(State::TimeWait);
}

SeqNum Step::take_iss() {
  const SeqNum iss = ep_.next_iss_;
  ep_.next_iss_ = iss + profile_.iss_increment;
  return iss;
}

// A new connection record: our ISS is chosen and the send side starts at it (RFC 9293 §3.10.1).
void Step::start_incarnation() {
  const bool remote = tcb_.remote_specified;
  const bool listener_remote = tcb_.listener_remote_specified;
  auto receives = std::move(tcb_.pending_receives);
  const std::uint32_t queued = tcb_.send_queued;
  tcb_ = Tcb{};
  tcb_.remote_specified = remote;
  tcb_.listener_remote_specified = listener_remote;
  tcb_.pending_receives = std::move(receives);
  tcb_.send_queued = queued;
  tcb_.iss = take_iss();
  tcb_.iss_defined = true;
  tcb_.snd_una = tcb_.iss;
  tcb_.snd_nxt = tcb_.iss + 1;
  tcb_.snd_max = tcb_.snd_nxt;
  tcb_.snd_up = tcb_.snd_nxt;
  tcb_.rcv_wnd = profile_.receive_buffer;
  tcb_.rto_ms = profile_.rto_initial_ms;
}

// The peer's SYN fixes IRS and RCV.NXT (RFC 9293 §3.10.7.2, §3.10.7.3).
void Step::record_peer_syn(const Segment& syn) {
  tcb_.irs = syn.seq;
  tcb_.irs_defined = true;
  tcb_.rcv_nxt = syn.seq + 1;
  tcb_.rcv_adv = tcb_.rcv_nxt;
  // No urgent data yet: the urgent pointer starts where the data does, so that modular
  // comparisons against it are meaningful from the first octet on (C24).
  tcb_.rcv_up = tcb_.rcv_nxt;
  tcb_.rcv_urgent = false;
}

// RFC 9293 §3.10.7.2 / §3.10.7.3: text and a FIN that came on a SYN are queued until the
// connection is ESTABLISHED (SynText::Hold), or dropped unacknowledged (SynText::Discard).
void Step::hold_syn_text(const Segment& syn) {
  if (profile_.syn_text == SynText::Discard) return;
  const std::uint32_t fits = std::min(syn.len, tcb_.rcv_wnd);
  tcb_.syn_text = HeldText{syn.seq + 1, fits, syn.fin() && fits == syn.len};
}

// Entering ESTABLISHED. RFC 6298 §5.7: if the handshake needed a retransmission and the RTO is
// now below 3 s, data transmission starts with an RTO of 3 s.
void Step::on_established() {
  set_state(State::Established);
  if (tcb_.syn_timed_out && tcb_.rto_ms < 3000) tcb_.rto_ms = std::min(3000u, profile_.rto_max_ms);
  if (profile_.handshake_rtt_sample && !tcb_.syn_timed_out) {
    // Linux samples the handshake's RTT (tcp_synack_rtt_meas; tcp_ack in SYN-SENT). In virtual
    // time that sample is 0, which puts the RTO at its floor.
    tcb_.rto_ms = bounded_rto(1u, profile_);
  }
}

void Step::challenge_ack() {
  // RFC 5961 §7: challenge ACKs may be rate limited; a suppressed one is simply not sent.
  if (profile_.challenge_ack_limit > 0) {
    if (now_ - tcb_.cack_window_start >= profile_.challenge_ack_window_ms) {
      tcb_.cack_window_start = now_;
      tcb_.cack_in_window = 0;
    }
    if (tcb_.cack_in_window >= profile_.challenge_ack_limit) return;
    ++tcb_.cack_in_window;
  }
  emit(ack_segment());
}

}  // namespace tcpfsm::reference
