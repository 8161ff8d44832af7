// The reference endpoint behind the harness interface.
#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>

#include "harness/endpoint_under_test.hpp"
#include "reference/endpoint.hpp"
#include "reference/snapshot.hpp"

namespace tcpfsm::harness {

namespace {

// Writes the canonical encoding of a reference endpoint (EndpointUnderTest::encode_state).
// Numbers are LEB128 varints; sequence numbers are written as distances from the ISS or IRS of
// their sequence space, which is lossless (the ISS and IRS themselves are written in full) and
// keeps the encoding short; booleans are packed into bit sets.
class StateWriter {
 public:
  StateWriter(std::string& out, Millis now) : out_(out), now_(now) {}

  void num(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7F) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void seq(SeqNum v, SeqNum base) { num(v.since(base)); }
  void bits(std::initializer_list<bool> flags) {
    std::uint64_t v = 0;
    int i = 0;
    for (bool f : flags) v |= static_cast<std::uint64_t>(f) << i++;
    num(v);
  }
  // 0: not armed; 1: due now (or overdue: it fires at once, whatever its old deadline was);
  // otherwise 1 + how far ahead of `now` it lies.
  void deadline(const std::optional<Millis>& d) {
    if (!d) return num(0);
    num(*d <= now_ ? 1 : 1 + (*d - now_));
  }
  // How long ago `t` was, for times the endpoint only ever subtracts from its clock.
  void age(Millis t, std::uint64_t cap) {
    num(std::min<std::uint64_t>(now_ - std::min(t, now_), cap));
  }

  // A new TCB field changes the size: encode it below, then update the number.
  static_assert(sizeof(Tcb) == 200, "Tcb changed: encode the new field in StateWriter::tcb");
  void tcb(const Tcb& t, const Profile& p) {
    bits({t.iss_defined, t.irs_defined, t.remote_specified, t.listener_remote_specified,
          t.passive_open, t.from_time_wait, t.close_requested, t.fin_sent, t.fin_acked,
          t.fin_received, t.snd_urgent, t.rcv_urgent, t.rtt_measured, t.rtt_timing, t.syn_timed_out,
          t.syn_text.fin});
    // Send sequence space, counted from ISS.
    num(t.iss.raw());
    seq(t.snd_una, t.iss);
    seq(t.snd_nxt, t.iss);
    seq(t.snd_up, t.iss);
    seq(t.snd_wl2, t.iss);
    seq(t.snd_max, t.iss);
    seq(t.fin_seq, t.iss);
    num(t.snd_wnd);
    num(t.max_snd_wnd);
    // Receive sequence space, counted from IRS.
    num(t.irs.raw());
    seq(t.snd_wl1, t.irs);
    seq(t.rcv_nxt, t.irs);
    seq(t.rcv_up, t.irs);
    seq(t.rcv_adv, t.irs);
    num(t.rcv_wnd);
    // Buffers and queues.
    num(t.send_queued);
    num(t.recv_unread);
    num(t.delivered_total);
    num(t.pending_receives.size());
    for (std::uint32_t r : t.pending_receives) num(r);
    num(t.out_of_order.size());
    for (const HeldText& h : t.out_of_order) {
      seq(h.seq, t.irs);
      num(h.len);
      num(h.fin ? 1 : 0);
    }
    seq(t.syn_text.seq, t.irs);
    num(t.syn_text.len);
    // RTT estimator and retransmission state; the start of a measurement only as its age.
    num(t.rto_ms);
    num(t.srtt_ms);
    num(t.rttvar_ms);
    num(t.retries);
    if (t.rtt_timing) {
      seq(t.rtt_seq, t.iss);
      age(t.rtt_start, ~std::uint64_t{0});
    }
    // The challenge-ACK window is only read when a limit is set; once a whole window has
    // passed, how long ago it started no longer matters.
    if (p.challenge_ack_limit > 0) {
      age(t.cack_window_start, p.challenge_ack_window_ms);
      num(t.cack_in_window);
    }
  }

 private:
  std::string& out_;
  Millis now_;
};

class ReferenceUnderTest final : public EndpointUnderTest {
 public:
  ReferenceUnderTest(const Profile& p, SeqNum iss) : ep_(p, iss) {}

  std::string_view kind() const override { return "reference"; }
  Outcome step(const Event& e, Millis now) override { return ep_.step(e, now); }
  State state() const override { return ep_.state(); }
  std::optional<TcbSnapshot> tcb() const override { return reference::snapshot(ep_.tcb()); }
  std::optional<std::pair<TimerKind, Millis>> next_timer() const override {
    return ep_.next_timer();
  }
  std::optional<Millis> deadline(TimerKind t) const override { return ep_.deadline(t); }
  const Profile& profile() const override { return ep_.profile(); }
  std::unique_ptr<EndpointUnderTest> clone() const override {
    return std::make_unique<ReferenceUnderTest>(*this);
  }
  bool encode_state(Millis now, std::string& out) const override {
    StateWriter w(out, std::max(now, ep_.now()));
    w.num(static_cast<std::uint64_t>(ep_.state()));
    for (int i = 0; i < kTimerKinds; ++i) w.deadline(ep_.deadline(static_cast<TimerKind>(i)));
    w.num(ep_.next_iss().raw());
    w.tcb(ep_.tcb(), ep_.profile());
    const auto& old = ep_.time_wait_tcb();
    w.num(old ? 1 : 0);
    if (old) w.tcb(*old, ep_.profile());
    return true;
  }

 private:
  reference::Endpoint ep_;
};

}  // namespace

std::unique_ptr<EndpointUnderTest> make_reference_endpoint(const Profile& profile,
                                                           SeqNum first_iss) {
  return std::make_unique<ReferenceUnderTest>(profile, first_iss);
}

}  // namespace tcpfsm::harness
