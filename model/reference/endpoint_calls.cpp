// User calls, RFC 9293 §3.10.1 (OPEN) to §3.10.6 (STATUS). Each call returns its result as the
// first notice of the outcome.
#include <algorithm>

#include "reference/step.hpp"

namespace tcpfsm::reference {

// §3.10.2 to §3.10.6: every call but OPEN answers the same in CLOSED.
void Step::refuse_without_connection() {
  notify(Notice::err(UserError::ConnectionDoesNotExist));
  decide(Rule::CallWithoutConnection);
}

// RFC 9293 §3.10.1 OPEN.
void Step::on(const OpenCall& call) {
  const State st = ep_.state_;
  if (st == State::Closed && call.passive) {
    // CLOSED, passive: create a TCB and wait for a SYN.
    tcb_ = Tcb{};
    tcb_.remote_specified = call.remote_specified;
    tcb_.listener_remote_specified = call.remote_specified;
    tcb_.rcv_wnd = profile_.receive_buffer;
    set_state(State::Listen);
    notify(Notice::ok());
    decide(Rule::OpenPassive);
    return;
  }
  if ((st == State::Closed || st == State::Listen) && !call.passive) {
    // CLOSED or LISTEN, active: without a foreign socket there is nobody to send the SYN to.
    if (!call.remote_specified) {
      notify(Notice::err(UserError::RemoteSocketUnspecified));
      decide(Rule::OpenRemoteUnspecified);
      return;
    }
    if (st == State::Closed) tcb_ = Tcb{};
    tcb_.remote_specified = true;
    start_incarnation();
    emit(syn_segment());
    arm(TimerKind::Retransmission, tcb_.rto_ms);
    if (profile_.user_timeout_ms > 0) arm(TimerKind::User, profile_.user_timeout_ms);
    set_state(State::SynSent);
    notify(Notice::ok());
    decide(Rule::OpenActive);
    return;
  }
  // MUST-41: a passive OPEN never alters an existing connection; every other state already has
  // a connection.
  notify(Notice::err(UserError::ConnectionAlreadyExists));
  decide(Rule::OpenAlreadyExists);
}

// RFC 9293 §3.10.2 SEND.
void Step::on(const SendCall& call) {
  const State st = ep_.state_;
  switch (st) {
    case State::Closed:
      refuse_without_connection();
      return;
    case State::FinWait1:
    case State::FinWait2:
    case State::Closing:
    case State::LastAck:
    case State::TimeWait:
      notify(Notice::err(UserError::ConnectionClosing));
      decide(Rule::SendAfterClose);
      return;
    case State::Listen:
    case State::SynSent:
    case State::SynReceived:
    case State::Established:
    case State::CloseWait: break;
  }
  if (tcb_.close_requested) {
    // A CLOSE deferred in SYN-RECEIVED is pending: the user said it has nothing more to send
    // (§3.9.1.4), so a later SEND is as late as one after CLOSE.
    notify(Notice::err(UserError::ConnectionClosing));
    decide(Rule::SendAfterClose);
    return;
  }
  if (st == State::Listen && !tcb_.remote_specified) {
    notify(Notice::err(UserError::RemoteSocketUnspecified));
    decide(Rule::OpenRemoteUnspecified);
    return;
  }
  if (call.len > profile_.send_buffer - std::min(profile_.send_buffer, tcb_.send_queued)) {
    notify(Notice::err(UserError::InsufficientResources));
    decide(Rule::SendBufferFull);
    return;
  }
  if (st == State::Listen) {
    // LISTEN with a foreign socket: the connection becomes active and the data waits for
    // ESTABLISHED.
    tcb_.send_queued += call.len;
    start_incarnation();
    emit(syn_segment());
    arm(TimerKind::Retransmission, tcb_.rto_ms);
    if (profile_.user_timeout_ms > 0) arm(TimerKind::User, profile_.user_timeout_ms);
    set_state(State::SynSent);
    notify(Notice::ok());
    decide(Rule::SendFromListenOpensActively);
    return;
  }
  tcb_.send_queued += call.len;
  if (call.urgent && call.len > 0) {
    // §3.8.5, MUST-30/31: the urgent pointer marks the end of the urgent data; we keep it
    // pointing just past the last urgent octet.
    tcb_.snd_up = tcb_.snd_nxt + tcb_.send_queued;
    tcb_.snd_urgent = true;
  }
  notify(Notice::ok());
  if (st == State::SynSent || st == State::SynReceived) {
    decide(Rule::SendQueuedUntilEstablished);
    return;
  }
  decide(Rule::SendSegmentized);
  output(false);
}

// RFC 9293 §3.10.3 RECEIVE. A max_len of 0 asks for everything available.
void Step::on(const ReceiveCall& call) {
  const State st = ep_.state_;
  switch (st) {
    case State::Closed:
      refuse_without_connection();
      return;
    case State::Listen:
    case State::SynSent:
    case State::SynReceived:
      tcb_.pending_receives.push_back(call.max_len);
      notify(Notice::queued());
      decide(Rule::ReceiveQueued);
      return;
    case State::Established:
    case State::FinWait1:
    case State::FinWait2:
    case State::CloseWait:
    case State::Closing:
    case State::LastAck:
    case State::TimeWait: break;
  }
  if (tcb_.recv_unread > 0) {
    // Buffered data is handed over in every state that has it; in CLOSING, LAST-ACK and
    // TIME-WAIT this is the choice docs/model.md explains (the RFC only says "closing").
    const std::uint32_t n =
        call.max_len == 0 ? tcb_.recv_unread : std::min(call.max_len, tcb_.recv_unread);
    tcb_.recv_unread -= n;
    tcb_.delivered_total += n;
    tcb_.rcv_wnd = profile_.receive_buffer - tcb_.recv_unread;
    if (tcb_.rcv_urgent && seq_le(tcb_.rcv_up, tcb_.rcv_nxt - tcb_.recv_unread)) {
      tcb_.rcv_urgent = false;
    }
    notify(Notice::delivered(n));
    decide(Rule::ReceiveDelivers);
    send_window_update_if_due();
    return;
  }
  if (tcb_.fin_received) {
    // CLOSE-WAIT with nothing left, CLOSING, LAST-ACK, TIME-WAIT: the peer sent everything.
    notify(Notice::err(UserError::ConnectionClosing));
    decide(Rule::ReceiveAfterPeerClosed);
    return;
  }
  tcb_.pending_receives.push_back(call.max_len);
  notify(Notice::queued());
  decide(Rule::ReceiveQueued);
}

// RFC 9293 §3.10.4 CLOSE.
void Step::on(const CloseCall&) {
  const State st = ep_.state_;
  switch (st) {
    case State::Closed:
      refuse_without_connection();
      return;
    case State::Listen:
    case State::SynSent:
      // Nothing has been synchronized: delete the TCB, send nothing (E10); waiting calls fail.
      notify(Notice::ok());
      fail_pending_receives(UserError::ConnectionClosing);
      to_closed();
      decide(Rule::CloseListenOrSynSent);
      return;
    case State::FinWait1:
    case State::FinWait2:
    case State::Closing:
    case State::LastAck:
    case State::TimeWait:
      // A second CLOSE: the strict answer, and never a second FIN (C14).
      notify(Notice::err(UserError::ConnectionClosing));
      decide(Rule::CloseRepeated);
      return;
    case State::SynReceived:
    case State::Established:
    case State::CloseWait: break;
  }
  if (profile_.half_duplex_close && tcb_.recv_unread > 0) {
    // MAY-1 / SHLD-3 (§3.6.1): the user can no longer read, so unread data means the peer's
    // data would be lost; say so with a reset instead of a FIN.
    emit(own_reset());
    notify(Notice::ok());
    fail_pending_receives(UserError::ConnectionReset);
    to_closed();
    decide(Rule::CloseWithUnreadDataResets);
    return;
  }
  tcb_.close_requested = true;
  notify(Notice::ok());
  if (st == State::SynReceived) {
    if (tcb_.send_queued > 0) {
      // §3.10.4 SYN-RECEIVED: with SENDs pending, the FIN waits for ESTABLISHED.
      decide(Rule::CloseDeferredUntilEstablished);
      return;
    }
    set_state(State::FinWait1);
    decide(Rule::CloseSendsFin);
    output(false);
    return;
  }
  if (st == State::Established) {
    // FIN-WAIT-1 at once; the FIN follows the queued data (C13).
    set_state(State::FinWait1);
    decide(Rule::CloseSendsFin);
    output(false);
    return;
  }
  // CLOSE-WAIT: LAST-ACK at once, the FIN again behind queued data (docs/model.md).
  set_state(State::LastAck);
  decide(Rule::CloseWaitCloseSendsFin);
  output(false);
}

// RFC 9293 §3.10.5 ABORT.
void Step::on(const AbortCall&) {
  const State st = ep_.state_;
  switch (st) {
    case State::Closed:
      refuse_without_connection();
      return;
    case State::Listen:
    case State::SynSent:
    case State::Closing:
    case State::LastAck:
    case State::TimeWait:
      // Nothing to tell the peer: before synchronization it knows nothing, after both FINs
      // it expects nothing (E10, C15).
      notify(Notice::ok());
      fail_pending_receives(UserError::ConnectionReset);
      to_closed();
      decide(Rule::AbortWithoutReset);
      return;
    case State::SynReceived:
    case State::Established:
    case State::FinWait1:
    case State::FinWait2:
    case State::CloseWait: break;
  }
  emit(own_reset());
  notify(Notice::ok());
  fail_pending_receives(UserError::ConnectionReset);
  decide(Rule::AbortSendsReset);
  if (profile_.rst_sender_enters_time_wait) {
    // §3.5.2 (and Figure 5's note) allow the sender of a RST to linger in TIME-WAIT.
    tcb_.send_queued = 0;
    tcb_.recv_unread = 0;
    enter_time_wait();
    return;
  }
  to_closed();
}

// RFC 9293 §3.10.6 STATUS: no side effects.
void Step::on(const StatusCall&) {
  if (ep_.state_ == State::Closed) {
    refuse_without_connection();
    return;
  }
  notify(Notice::status(ep_.state_));
  decide(Rule::StatusReports);
}

}  // namespace tcpfsm::reference
