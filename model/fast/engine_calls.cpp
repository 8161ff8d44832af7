// User calls, RFC 9293 §3.10.1 (OPEN) to §3.10.6 (STATUS), from the (call, state) table. The
// call's own answer is always the first notice of the step.
#include <algorithm>
#include <variant>

#include "fast/engine.hpp"

namespace tcpfsm::fast {

namespace {

CallKind kind_of(const Event& e) {
  switch (e.index()) {
    case 0: return std::get<OpenCall>(e).passive ? CallKind::OpenPassive : CallKind::OpenActive;
    case 1: return CallKind::Send;
    case 2: return CallKind::Receive;
    case 3: return CallKind::Close;
    case 4: return CallKind::Abort;
    default: return CallKind::Status;
  }
}

}  // namespace

void Engine::on_call(const Event& e) {
  const CallEntry& c = t_.tables_.call[static_cast<unsigned>(kind_of(e))][h_.state];
  rule_ = c.rule;
  switch (c.act) {
    case CallAct::NoConnection: tell(Notice::err(UserError::ConnectionDoesNotExist)); return;
    case CallAct::AlreadyExists: tell(Notice::err(UserError::ConnectionAlreadyExists)); return;
    case CallAct::Closing: tell(Notice::err(UserError::ConnectionClosing)); return;
    case CallAct::BeginListen: {
      const bool remote = std::get<OpenCall>(e).remote_specified;
      wipe();
      if (remote) h_.flags = static_cast<std::uint16_t>(kRemoteKnown | kListenerRemote);
      h_.rcv_wnd = p_.receive_buffer;
      enter(c.next);
      tell(Notice::ok());
      return;
    }
    case CallAct::Connect: {
      if (!std::get<OpenCall>(e).remote_specified) {
        // Nobody to send the SYN to (§3.9.1.1).
        tell(Notice::err(UserError::RemoteSocketUnspecified));
        rule_ = Rule::OpenRemoteUnspecified;
        return;
      }
      if (state() == State::Closed) wipe();
      h_.set(kRemoteKnown);
      open_actively(c.next);
      tell(Notice::ok());
      return;
    }
    case CallAct::SendOpens:
    case CallAct::SendHeld:
    case CallAct::SendNow: send_call(c, std::get<SendCall>(e)); return;
    case CallAct::ReceiveHeld:
      wait_for_data(std::get<ReceiveCall>(e).max_len);
      tell(Notice::queued());
      return;
    case CallAct::ReceiveNow: receive_now(std::get<ReceiveCall>(e)); return;
    case CallAct::CloseForget:
      // Nothing was synchronized: the TCB goes, nothing is sent (E10).
      tell(Notice::ok());
      fail_waiting(UserError::ConnectionClosing);
      enter(c.next);
      return;
    case CallAct::CloseFin: close_with_fin(c); return;
    case CallAct::AbortQuiet:
      tell(Notice::ok());
      fail_waiting(UserError::ConnectionReset);
      enter(c.next);
      return;
    case CallAct::AbortReset:
      emit(abort_reset());
      tell(Notice::ok());
      fail_waiting(UserError::ConnectionReset);
      if (p_.rst_sender_enters_time_wait) {
        // §3.5.2 and Figure 5's note let the sender of a RST linger in TIME-WAIT.
        set_queued(0);
        h_.recv_unread = 0;
        enter(State::TimeWait);
        return;
      }
      enter(c.next);
      return;
    case CallAct::Report: tell(Notice::status(state())); return;
  }
}

// RFC 9293 §3.10.2 SEND.
void Engine::send_call(const CallEntry& c, const SendCall& call) {
  if (h_.has(kCloseRequested)) {
    // A CLOSE deferred in SYN-RECEIVED: the user already said it has nothing more to send.
    tell(Notice::err(UserError::ConnectionClosing));
    rule_ = Rule::SendAfterClose;
    return;
  }
  if (c.act == CallAct::SendOpens && !h_.has(kRemoteKnown)) {
    tell(Notice::err(UserError::RemoteSocketUnspecified));
    rule_ = Rule::OpenRemoteUnspecified;
    return;
  }
  const std::uint32_t queued = cold_.send_queued;
  if (call.len > p_.send_buffer - std::min(p_.send_buffer, queued)) {
    tell(Notice::err(UserError::InsufficientResources));
    rule_ = Rule::SendBufferFull;
    return;
  }
  set_queued(queued + call.len);
  if (c.act == CallAct::SendOpens) {
    // LISTEN with a known foreign socket becomes an active open; the data waits.
    open_actively(c.next);
    tell(Notice::ok());
    return;
  }
  if (call.urgent && call.len > 0) {
    // §3.8.5, MUST-30/31: SND.UP just past the last urgent octet.
    cold_.snd_up = h_.snd_nxt + cold_.send_queued;
    h_.set(kSendUrgent);
  }
  tell(Notice::ok());
  if (c.act == CallAct::SendHeld) return;
  flush(false);
}

// RFC 9293 §3.10.3 RECEIVE once synchronized; max_len 0 means everything available.
void Engine::receive_now(const ReceiveCall& call) {
  if (h_.recv_unread > 0) {
    const std::uint32_t n =
        call.max_len == 0 ? h_.recv_unread : std::min(call.max_len, h_.recv_unread);
    h_.recv_unread -= n;
    cold_.delivered_total += n;
    h_.rcv_wnd = p_.receive_buffer - h_.recv_unread;
    if (h_.has(kRecvUrgent) && mod_le(cold_.rcv_up, h_.rcv_nxt - h_.recv_unread)) {
      h_.clear(kRecvUrgent);
    }
    tell(Notice::delivered(n));
    window_update_if_due();
    return;
  }
  if (h_.has(kFinReceived)) {
    tell(Notice::err(UserError::ConnectionClosing));  // everything the peer sent is read
    rule_ = Rule::ReceiveAfterPeerClosed;
    return;
  }
  wait_for_data(call.max_len);
  tell(Notice::queued());
  rule_ = Rule::ReceiveQueued;
}

// §3.8.6.2.2, MUST-39: a larger window is announced only when the right edge moved by
// min(MSS, buffer/2).
void Engine::window_update_if_due() {
  const State st = state();
  if (st != State::Established && st != State::FinWait1 && st != State::FinWait2) return;
  if (p_.window_update_when_doubled) {
    // Linux tcp_cleanup_rbuf: only a window that was down to half the buffer or less and at
    // least doubles is worth an update.
    const std::uint32_t advertised = mod_gt(h_.rcv_adv, h_.rcv_nxt) ? h_.rcv_adv - h_.rcv_nxt : 0;
    if (2ull * advertised <= p_.receive_buffer && h_.rcv_wnd > 0 &&
        h_.rcv_wnd >= 2ull * advertised) {
      emit(bare_ack());
    }
    return;
  }
  const std::uint32_t edge = h_.rcv_nxt + h_.rcv_wnd;
  if (!mod_gt(edge, h_.rcv_adv)) return;
  if (edge - h_.rcv_adv >= std::min(p_.receive_buffer / 2, p_.mss)) emit(bare_ack());
}

// RFC 9293 §3.10.4 CLOSE in SYN-RECEIVED, ESTABLISHED and CLOSE-WAIT.
void Engine::close_with_fin(const CallEntry& c) {
  if (p_.half_duplex_close && h_.recv_unread > 0) {
    // MAY-1 / SHLD-3: unread data would be lost; a RST says so instead of a FIN.
    emit(abort_reset());
    tell(Notice::ok());
    fail_waiting(UserError::ConnectionReset);
    enter(State::Closed);
    rule_ = Rule::CloseWithUnreadDataResets;
    return;
  }
  h_.set(kCloseRequested);
  tell(Notice::ok());
  if (state() == State::SynReceived && h_.has(kHasQueued)) {
    rule_ = Rule::CloseDeferredUntilEstablished;  // the FIN follows the data, after ESTABLISHED
    return;
  }
  enter(c.next);
  flush(false);
}

// §3.10.1 active OPEN, and §3.10.2 SEND in LISTEN once the foreign socket is known: a new
// incarnation sends its SYN with the retransmission (and user) timer running.
void Engine::open_actively(State next) {
  new_incarnation();
  emit(our_syn(false));
  arm(TimerKind::Retransmission, tm_.rto_ms);
  if (p_.user_timeout_ms > 0) arm(TimerKind::User, p_.user_timeout_ms);
  enter(next);
}

}  // namespace tcpfsm::fast
