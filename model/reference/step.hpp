#pragma once
// Internal: the processing of one event by the reference endpoint. One Step object lives for
// one event; its member functions are the RFC's checks, spread over endpoint_*.cpp by topic.
#include <algorithm>
#include <cstdint>

#include "reference/endpoint.hpp"

namespace tcpfsm::reference {

// RFC 6298 (2.4) rounds a computed RTO up to the minimum, and (2.5) allows an upper bound. A
// profile whose bound lies below its minimum asked for the bound, so the bound is applied last.
inline std::uint32_t bounded_rto(std::uint32_t rto, const Profile& p) {
  return std::min(std::max(rto, p.rto_min_ms), p.rto_max_ms);
}

class Step {
 public:
  Step(Endpoint& ep, Millis now);
  Outcome run(const Event& event);

  // User calls (endpoint_calls.cpp), RFC 9293 §3.10.1 to §3.10.6.
  void on(const OpenCall& call);
  void on(const SendCall& call);
  void on(const ReceiveCall& call);
  void on(const CloseCall& call);
  void on(const AbortCall& call);
  void on(const StatusCall& call);
  // SEGMENT ARRIVES (endpoint_segment.cpp), RFC 9293 §3.10.7.
  void on(const SegmentArrives& arrival);
  // Timeouts (endpoint_timers.cpp), RFC 9293 §3.10.8.
  void on(const TimerExpires& expiry);

 private:
  // --- SEGMENT ARRIVES, one function per state group or check ---
  void closed_arrives(const Segment& seg);
  void listen_arrives(const Segment& seg);
  void syn_sent_arrives(const Segment& seg);
  void synchronized_arrives(const Segment& seg);
  bool reset_check(const Segment& seg);
  bool syn_check(const Segment& seg);
  bool ack_check(const Segment& seg);
  void urgent_check(const Segment& seg, SeqNum urgent_abs);
  void text_and_fin(const Segment& seg);
  void fin_arrives();

  // --- shared actions ---
  void refuse_without_connection();
  void set_state(State to);
  void decide(Rule r) { out_.rule = r; }
  void emit(const Segment& s);
  void notify(Notice n) { out_.notices.push_back(n); }
  void fail_pending_receives(UserError why);
  void to_closed();
  void back_to_listen();
  void enter_time_wait();
  void reopen_from_time_wait(const Segment& syn);
  void start_incarnation();
  SeqNum take_iss();
  void record_peer_syn(const Segment& syn);
  void hold_syn_text(const Segment& syn);
  void enter_established_from_syn_received(const Segment& seg);
  void advance_snd_una(SeqNum ack);
  void maybe_update_window(const Segment& seg);
  void accept_in_order(std::uint32_t octets);
  bool drain_held_text();
  void deliver_to_pending_receives();
  void challenge_ack();

  // --- output (endpoint_output.cpp) ---
  Segment ack_segment() const;
  Segment syn_segment() const;
  Segment syn_ack_segment() const;
  Segment own_reset() const;
  static Segment reset_for(const Segment& trigger);
  // Sends queued data and a pending FIN as far as the window allows; then, if nothing went out
  // and an acknowledgment is owed, a bare ACK.
  void output(bool ack_owed);
  bool transmit_one(bool override_sws = false);
  void on_established();
  void send_window_update_if_due();
  void arm(TimerKind t, Millis after);
  void disarm(TimerKind t);
  bool armed(TimerKind t) const;
  void rearm_after_progress();
  void retransmit();

  Endpoint& ep_;
  Tcb& tcb_;
  const Profile& profile_;
  Millis now_;
  Outcome out_{};
  bool ack_owed_ = false;
  bool fin_at_rcv_nxt_ = false;
};

}  // namespace tcpfsm::reference
