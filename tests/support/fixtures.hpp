#pragma once
// Shared test vocabulary: an endpoint under test driven by hand, segment builders, and one
// fixture function per state. The peer's ISS sits just below 2^32 and ours near it too, so
// every test that exchanges a few octets crosses the wraparound (RFC 9293 §3.4).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "reference/endpoint.hpp"

namespace tcpfsm::test {

using reference::Endpoint;

inline constexpr SeqNum kLocalIss{0xFFFF'FFF0u};   // our ISS: SND.NXT wraps after 15 octets
inline constexpr SeqNum kRemoteIss{0xFFFF'FFFAu};  // the peer's ISS: RCV.NXT wraps after 5
inline constexpr std::uint32_t kPeerWnd = 8192;

// Segment builder: seg(seq, ack, kSyn | kAck), with optional data length and window.
inline Segment seg(SeqNum seq, SeqNum ack, std::uint8_t ctl, std::uint32_t len = 0,
                   std::uint32_t wnd = kPeerWnd) {
  return Segment{.seq = seq, .ack = ack, .ctl = ctl, .wnd = wnd, .len = len};
}
inline Segment seg_noack(SeqNum seq, std::uint8_t ctl, std::uint32_t len = 0,
                         std::uint32_t wnd = kPeerWnd) {
  return Segment{.seq = seq, .ack = SeqNum(0), .ctl = ctl, .wnd = wnd, .len = len};
}

// The endpoint under test plus the peer's view of the sequence space, so tests can say
// "the next thing the peer would send" without arithmetic.
struct Conn {
  Endpoint ep;
  Millis now = 0;
  SeqNum peer_nxt = kRemoteIss + 1;  // the peer's SND.NXT once its SYN is out

  explicit Conn(Profile p = Profile{}) : ep(std::move(p), kLocalIss) {}

  Outcome call(const Event& e) { return ep.step(e, now); }
  Outcome rcv(const Segment& s) { return ep.step(SegmentArrives{s}, now); }
  Outcome fire(TimerKind t) { return ep.step(TimerExpires{t}, now); }
  State state() const { return ep.state(); }
  const Tcb& tcb() const { return ep.tcb(); }
  SeqNum snd_nxt() const { return ep.tcb().snd_nxt; }
  SeqNum rcv_nxt() const { return ep.tcb().rcv_nxt; }

  // An ACK from the peer at its SND.NXT acknowledging everything we sent.
  Segment peer_ack(std::uint32_t len = 0, std::uint8_t extra = 0) const {
    return seg(peer_nxt, snd_nxt(), static_cast<std::uint8_t>(kAck | extra), len);
  }
  // Sends the peer's data (and FIN, if extra has kFin) in order, advancing peer_nxt.
  Outcome peer_sends(std::uint32_t len, std::uint8_t extra = 0) {
    Outcome o = rcv(peer_ack(len, extra));
    peer_nxt += len + ((extra & kFin) ? 1u : 0u);
    return o;
  }
};

// --- fixtures, one per state; each asserts the state it claims to reach ---
Conn closed(Profile p = Profile{});
Conn listen(Profile p = Profile{});
Conn syn_sent(Profile p = Profile{});
Conn syn_received_passive(Profile p = Profile{});
Conn syn_received_active(Profile p = Profile{});
Conn established(Profile p = Profile{});         // via the passive side
Conn established_active(Profile p = Profile{});  // via the active side
Conn fin_wait_1(Profile p = Profile{});          // our FIN sent, not yet acknowledged
Conn fin_wait_2(Profile p = Profile{});
Conn close_wait(Profile p = Profile{});
Conn closing(Profile p = Profile{});
Conn last_ack(Profile p = Profile{});
Conn time_wait(Profile p = Profile{});

// Every state reached by the fixtures above, with its fixture, for tests over all states.
struct StateFixture {
  const char* name;
  State state;
  Conn (*make)(Profile);
};
const std::vector<StateFixture>& all_state_fixtures();

// Matchers for what a step sent.
inline bool sent_nothing(const Outcome& o) {
  return o.sent.empty();
}
std::string describe(const Outcome& o);  // for failure messages

// Exactly one segment, equal to `want` in SEQ, ACK (when set), CTL and LEN; WND is ignored.
::testing::AssertionResult sent_exactly(const Outcome& o, const Segment& want);
// The RFC's <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> as the endpoint stands now.
Segment expected_ack(const Conn& c);

}  // namespace tcpfsm::test
