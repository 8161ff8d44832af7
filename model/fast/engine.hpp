#pragma once
// Internal to model/fast: the processing of one event of one connection. An Engine lives for
// one step; it holds references to the connection's hot record and side-table entries and
// writes to the caller's OutputBuffer. Its member functions are spread over engine_*.cpp by
// topic (segments, calls, timers, sending).
#include "fast/connection_table.hpp"
#include "fast/seq_compare.hpp"

namespace tcpfsm::fast {

class Engine {
 public:
  Engine(ConnectionTable& table, ConnId c, Millis now, OutputBuffer& out);

  void on_segment(const Segment& s);
  void on_call(const Event& e);
  void on_timer(TimerKind k);
  StepResult result() const;

 private:
  // --- the connection's state and its single point of change ---
  State state() const { return static_cast<State>(h_.state); }
  void set_state(State s) { h_.state = static_cast<std::uint8_t>(s); }
  // Entering a state, with what entering it always does (timers, RTO, deleting the TCB).
  void enter(State next);

  // --- segments (engine_segment.cpp) ---
  [[gnu::always_inline]] inline unsigned classify(const Segment& s);
  bool acceptable(const Segment& s) const;
  Segment fit_to_window(const Segment& s);
  void passive_open(const Segment& s);
  void syn_sent_syn(const Segment& s);
  void time_wait_stray(const Segment& s);
  void rst_in_window(const Segment& s, const SegEntry& e);
  void in_window(const Segment& s, unsigned cls, SegEntry e);
  void syn_in_window(const Segment& g);
  bool ack_phase(const Segment& g);
  void text_phase(const Segment& g, std::uint32_t urgent_at);
  void urgent_seen(std::uint32_t urgent_at);
  bool drain_held();
  void take_in_order(std::uint32_t octets);
  void serve_waiting();
  void peer_fin();
  void advance_una(std::uint32_t ack);
  void window_update(const Segment& g);
  void challenge();
  void reopen_from_time_wait(const Segment& syn);
  void restore_time_wait();
  void establish_from_syn_received(const Segment& g);
  bool fast_path_predicts(const Segment& g) const;

  // --- Linux profile switches that replace whole checks (engine_linux.cpp) ---
  bool linux_intercept(const Segment& s);
  bool request_socket(const Segment& s);
  void time_wait_mini_socket(const Segment& s);
  void orphan_fin_wait_2(const Segment& s);
  bool linux_in_window(const Segment& s) const;
  bool linux_sequence_test(const Segment& s) const;
  bool data_after_shutdown(const Segment& s);
  void syn_sent_bad_ack(const Segment& s);

  // --- calls (engine_calls.cpp) ---
  void send_call(const CallEntry& c, const SendCall& call);
  void receive_now(const ReceiveCall& call);
  void close_with_fin(const CallEntry& c);
  void window_update_if_due();

  // --- timers (engine_timers.cpp) ---
  void retransmit();
  void persist();

  // --- sending (engine_output.cpp) ---
  void flush(bool owe_ack);
  bool push_one(bool override_sws);
  // Every segment goes out here. Anything but a RST advertises our window, so the right edge it
  // shows becomes the one the peer knows (for receiver SWS avoidance, §3.8.6.2.2). Inline, like
  // bare_ack() and window_field(): nearly every step sends something.
  void emit(const Segment& s) {
    if ((s.ctl & kRst) == 0) h_.rcv_adv = mod_max(h_.rcv_adv, h_.rcv_nxt + h_.rcv_wnd);
    out_.push(s);
  }
  // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.
  Segment bare_ack() const {
    return Segment{
        .seq = SeqNum(h_.snd_nxt), .ack = SeqNum(h_.rcv_nxt), .ctl = kAck, .wnd = window_field()};
  }
  Segment our_syn(bool with_ack) const;
  Segment abort_reset() const;
  static Segment reset_answer(const Segment& trigger);
  // The window field is 16 bits and the model has no window scaling.
  std::uint32_t window_field() const { return h_.rcv_wnd < 0xFFFFu ? h_.rcv_wnd : 0xFFFFu; }

  // --- timers, by bit in the hot record ---
  bool armed(TimerKind k) const { return (h_.armed & bit(k)) != 0; }
  void arm(TimerKind k, Millis after);
  void disarm(TimerKind k) { h_.armed = static_cast<std::uint8_t>(h_.armed & ~bit(k)); }
  void rearm_after_progress();
  static std::uint8_t bit(TimerKind k) {
    return static_cast<std::uint8_t>(1u << static_cast<unsigned>(k));
  }

  // --- lifecycle (engine.cpp) ---
  void wipe();
  void to_listen();
  void new_incarnation();
  void open_actively(State next);  // engine_calls.cpp: new incarnation, SYN sent, timers armed
  std::uint32_t take_iss();
  void learn_peer_syn(const Segment& syn);
  void keep_syn_text(const Segment& syn);
  void set_queued(std::uint32_t v);
  void wait_for_data(std::uint32_t max_len);
  // The tests inline, the work out of line: most steps have no waiting RECEIVE and no saved
  // TIME-WAIT record, and should not pay for a call to find that out.
  void fail_waiting(UserError why) {
    if (h_.has(kHasWaiting)) fail_all_waiting(why);
  }
  void fail_all_waiting(UserError why);
  void drop_saved() {
    if (cold_.saved_time_wait != kNil) drop_saved_record();
  }
  void drop_saved_record();
  void tell(Notice n) { out_.push(n); }

  ConnectionTable& t_;
  const Profile& p_;
  HotRecord& h_;
  TimerRecord& tm_;
  ColdRecord& cold_;
  ConnId id_;
  OutputBuffer& out_;
  Millis now_;
  SeqOrder ord_;
  State from_;
  Rule rule_ = Rule::None;
  bool owe_ack_ = false;
  bool old_duplicate_ = false;  // Linux sequence test: acceptable, but nothing of it is new
  std::uint32_t first_segment_;
  std::uint32_t first_notice_;
};

// Defined here so that the table's entry points, which make an Engine per step, can inline
// its set-up and its summary.
inline Engine::Engine(ConnectionTable& table, ConnId c, Millis now, OutputBuffer& out)
    : t_(table),
      p_(table.profile_),
      h_(table.hot_[c]),
      tm_(table.timers_[c]),
      cold_(table.cold_[c]),
      id_(c),
      out_(out),
      now_(now < table.now_ ? table.now_ : now),
      ord_{table.mutant_ == Mutant::PlainSequenceComparison},
      from_(static_cast<State>(table.hot_[c].state)),
      first_segment_(static_cast<std::uint32_t>(out.segment_count())),
      first_notice_(static_cast<std::uint32_t>(out.notice_count())) {
  table.now_ = now_;
}

inline StepResult Engine::result() const {
  StepResult r;
  r.from = from_;
  r.to = state();
  r.rule = rule_;
  r.first_segment = first_segment_;
  r.segment_count = static_cast<std::uint32_t>(out_.segment_count()) - first_segment_;
  r.first_notice = first_notice_;
  r.notice_count = static_cast<std::uint32_t>(out_.notice_count()) - first_notice_;
  return r;
}

}  // namespace tcpfsm::fast
