// The Engine's shared machinery (its construction is inline in engine.hpp): the one place where
// the state changes, and the lifecycle of a connection record (new incarnation, return to
// LISTEN, deletion).
#include "fast/engine.hpp"

#include <algorithm>

namespace tcpfsm::fast {

void Engine::enter(State next) {
  switch (next) {
    case State::Closed:
      // RFC 9293 §3.10.4 to §3.10.8: the TCB is deleted.
      wipe();
      return;
    case State::TimeWait:
      // Entering TIME-WAIT stops every other timer and starts 2*MSL (§3.10.7.4 fifth, eighth).
      h_.armed = 0;
      arm(TimerKind::TimeWait, 2ull * p_.msl_ms);
      set_state(next);
      return;
    case State::FinWait2:
      // Our FIN is acknowledged: nothing is left to retransmit; Linux's optional timer starts.
      disarm(TimerKind::Retransmission);
      set_state(next);
      if (p_.fin_wait_2_timeout_ms > 0) arm(TimerKind::FinWait2, p_.fin_wait_2_timeout_ms);
      return;
    case State::Established:
      set_state(next);
      // RFC 6298 §5.7: a handshake that needed a retransmission starts data with RTO >= 3 s.
      if (cold_.syn_timed_out && tm_.rto_ms < 3000) tm_.rto_ms = std::min(3000u, p_.rto_max_ms);
      if (p_.handshake_rtt_sample && !cold_.syn_timed_out) {
        // Linux samples the handshake's RTT; in virtual time it is 0: the RTO drops to its floor.
        // RFC 6298 (2.4) floor, then the (2.5) bound: a bound set below the floor wins.
        tm_.rto_ms = std::min(std::max(1u, p_.rto_min_ms), p_.rto_max_ms);
      }
      return;
    case State::Listen:
    case State::SynSent:
    case State::SynReceived:
    case State::FinWait1:
    case State::CloseWait:
    case State::Closing:
    case State::LastAck: set_state(next); return;
  }
}

void Engine::arm(TimerKind k, Millis after) {
  tm_.deadline[static_cast<unsigned>(k)] = now_ + after;
  h_.armed = static_cast<std::uint8_t>(h_.armed | bit(k));
}

// RFC 6298 §5.2, §5.3: the retransmission timer follows what is outstanding; the user timeout
// (§3.9.1.1) measures the same lack of progress, and data still queued counts too.
void Engine::rearm_after_progress() {
  const bool outstanding = h_.snd_una != h_.snd_nxt;
  if (outstanding) {
    arm(TimerKind::Retransmission, tm_.rto_ms);
  } else {
    disarm(TimerKind::Retransmission);
  }
  if (p_.user_timeout_ms > 0 && (outstanding || h_.has(kHasQueued))) {
    arm(TimerKind::User, p_.user_timeout_ms);
  } else {
    disarm(TimerKind::User);
  }
}

void Engine::drop_saved_record() {
  const std::uint32_t i = cold_.saved_time_wait;
  SavedTimeWait& sv = t_.saved_[i];
  t_.held_pool_.release(sv.cold.held);
  t_.waiting_pool_.release(sv.cold.waiting);
  t_.saved_free_.push_back(i);
  cold_.saved_time_wait = kNil;
}

// Deletes the connection record: every variable, queue and timer goes.
void Engine::wipe() {
  t_.held_pool_.release(cold_.held);
  t_.waiting_pool_.release(cold_.waiting);
  drop_saved();
  cold_ = ColdRecord{};
  tm_ = TimerRecord{};
  h_ = HotRecord{};
  h_.state = static_cast<std::uint8_t>(State::Closed);
}

// RFC 9293 §3.10.7.4: a passively opened attempt ends and the listener is as it was: only what
// the passive OPEN said and the waiting RECEIVE calls survive.
void Engine::to_listen() {
  const bool remote = h_.has(kListenerRemote);
  const Chain waiting = cold_.waiting;
  cold_.waiting = Chain{};
  t_.held_pool_.release(cold_.held);
  drop_saved();
  cold_ = ColdRecord{};
  cold_.waiting = waiting;
  tm_ = TimerRecord{};
  h_ = HotRecord{};
  if (remote) h_.flags = static_cast<std::uint16_t>(kRemoteKnown | kListenerRemote);
  h_.put(kHasWaiting, !waiting.empty());
  h_.rcv_wnd = p_.receive_buffer;
  set_state(State::Listen);
}

std::uint32_t Engine::take_iss() {
  const std::uint32_t iss = t_.next_iss_[id_];
  t_.next_iss_[id_] = iss + p_.iss_increment;
  return iss;
}

// A new incarnation (RFC 9293 §3.10.1, §3.10.7.2): a fresh ISS and send space; the foreign
// socket, waiting RECEIVEs and data already SENT carry over. Timers are left to the caller.
void Engine::new_incarnation() {
  constexpr std::uint16_t kKeep = kRemoteKnown | kListenerRemote | kHasWaiting | kHasQueued;
  const std::uint16_t kept = static_cast<std::uint16_t>(h_.flags & kKeep);
  const Chain waiting = cold_.waiting;
  const std::uint32_t queued = cold_.send_queued;
  const std::uint32_t saved = cold_.saved_time_wait;
  t_.held_pool_.release(cold_.held);
  cold_ = ColdRecord{};
  cold_.waiting = waiting;
  cold_.send_queued = queued;
  cold_.saved_time_wait = saved;
  const std::uint8_t st = h_.state;
  const std::uint8_t armed = h_.armed;
  h_ = HotRecord{};
  h_.state = st;
  h_.armed = armed;
  h_.flags = static_cast<std::uint16_t>(kept | kIssDefined);
  tm_.rto_ms = p_.rto_initial_ms;
  tm_.retries = 0;
  h_.iss = take_iss();
  h_.snd_una = h_.iss;
  h_.snd_nxt = h_.iss + 1;
  cold_.snd_up = h_.snd_nxt;
  h_.rcv_wnd = p_.receive_buffer;
}

// The peer's SYN fixes IRS and RCV.NXT (RFC 9293 §3.10.7.2, §3.10.7.3); the urgent pointer
// starts where the peer's data does.
void Engine::learn_peer_syn(const Segment& syn) {
  cold_.irs = syn.seq.raw();
  h_.set(kIrsDefined);
  h_.rcv_nxt = syn.seq.raw() + 1;
  h_.rcv_adv = h_.rcv_nxt;
  cold_.rcv_up = h_.rcv_nxt;
  h_.clear(kRecvUrgent);
}

// RFC 9293 §3.10.7.2 / §3.10.7.3: text (and a FIN) on a SYN waits for ESTABLISHED, as much of
// it as the window holds; or it is discarded (Profile::syn_text).
void Engine::keep_syn_text(const Segment& syn) {
  if (p_.syn_text == SynText::Discard) return;
  const std::uint32_t fits = std::min(syn.len, h_.rcv_wnd);
  cold_.syn_text = HeldSpan{syn.seq.raw() + 1, fits, syn.fin() && fits == syn.len};
}

void Engine::set_queued(std::uint32_t v) {
  cold_.send_queued = v;
  h_.put(kHasQueued, v != 0);
}

void Engine::wait_for_data(std::uint32_t max_len) {
  t_.waiting_pool_.push_back(cold_.waiting, max_len);
  h_.set(kHasWaiting);
}

void Engine::fail_all_waiting(UserError why) {
  for (std::uint32_t n = cold_.waiting.head; n != kNil; n = t_.waiting_pool_.node(n).next) {
    tell(Notice::err(why));
  }
  t_.waiting_pool_.release(cold_.waiting);
  h_.clear(kHasWaiting);
}

}  // namespace tcpfsm::fast
