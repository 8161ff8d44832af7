#include "support/fixtures.hpp"

namespace tcpfsm::test {

Conn closed(Profile p) {
  Conn c(std::move(p));
  EXPECT_EQ(c.state(), State::Closed);
  return c;
}

Conn listen(Profile p) {
  Conn c(std::move(p));
  c.call(OpenCall{.passive = true});
  EXPECT_EQ(c.state(), State::Listen);
  return c;
}

Conn syn_sent(Profile p) {
  Conn c(std::move(p));
  c.call(OpenCall{.passive = false});
  EXPECT_EQ(c.state(), State::SynSent);
  return c;
}

Conn syn_received_passive(Profile p) {
  Conn c = listen(std::move(p));
  c.rcv(seg_noack(kRemoteIss, kSyn));
  EXPECT_EQ(c.state(), State::SynReceived);
  return c;
}

Conn syn_received_active(Profile p) {
  Conn c = syn_sent(std::move(p));
  c.rcv(seg_noack(kRemoteIss, kSyn));  // simultaneous open
  EXPECT_EQ(c.state(), State::SynReceived);
  return c;
}

Conn established(Profile p) {
  Conn c = syn_received_passive(std::move(p));
  c.rcv(seg(c.peer_nxt, kLocalIss + 1, kAck));
  EXPECT_EQ(c.state(), State::Established);
  return c;
}

Conn established_active(Profile p) {
  Conn c = syn_sent(std::move(p));
  c.rcv(seg(kRemoteIss, kLocalIss + 1, kSyn | kAck));
  EXPECT_EQ(c.state(), State::Established);
  return c;
}

Conn fin_wait_1(Profile p) {
  Conn c = established(std::move(p));
  c.call(CloseCall{});
  EXPECT_EQ(c.state(), State::FinWait1);
  return c;
}

Conn fin_wait_2(Profile p) {
  Conn c = fin_wait_1(std::move(p));
  c.rcv(c.peer_ack());
  EXPECT_EQ(c.state(), State::FinWait2);
  return c;
}

Conn close_wait(Profile p) {
  Conn c = established(std::move(p));
  c.peer_sends(0, kFin);
  EXPECT_EQ(c.state(), State::CloseWait);
  return c;
}

Conn closing(Profile p) {
  Conn c = fin_wait_1(std::move(p));
  // The peer's FIN crosses ours: it acknowledges only what came before our FIN.
  c.rcv(seg(c.peer_nxt, c.snd_nxt() - 1, kAck | kFin));
  c.peer_nxt += 1;
  EXPECT_EQ(c.state(), State::Closing);
  return c;
}

Conn last_ack(Profile p) {
  Conn c = close_wait(std::move(p));
  c.call(CloseCall{});
  EXPECT_EQ(c.state(), State::LastAck);
  return c;
}

Conn time_wait(Profile p) {
  Conn c = fin_wait_2(std::move(p));
  c.peer_sends(0, kFin);
  EXPECT_EQ(c.state(), State::TimeWait);
  return c;
}

const std::vector<StateFixture>& all_state_fixtures() {
  static const std::vector<StateFixture> all = {
      {"Closed", State::Closed, closed},
      {"Listen", State::Listen, listen},
      {"SynSent", State::SynSent, syn_sent},
      {"SynReceivedPassive", State::SynReceived, syn_received_passive},
      {"SynReceivedActive", State::SynReceived, syn_received_active},
      {"Established", State::Established, established},
      {"FinWait1", State::FinWait1, fin_wait_1},
      {"FinWait2", State::FinWait2, fin_wait_2},
      {"CloseWait", State::CloseWait, close_wait},
      {"Closing", State::Closing, closing},
      {"LastAck", State::LastAck, last_ack},
      {"TimeWait", State::TimeWait, time_wait},
  };
  return all;
}

std::string describe(const Outcome& o) {
  std::string s = std::string(to_string(o.from)) + " -> " + std::string(to_string(o.to)) + " [" +
                  std::string(tcpfsm::describe(o.rule).name) + "]";
  for (const Segment& seg : o.sent) s += " snd " + to_string(seg);
  for (const Notice& n : o.notices) s += " user: " + to_string(n);
  return s;
}

::testing::AssertionResult sent_exactly(const Outcome& o, const Segment& want) {
  if (o.sent.size() != 1) {
    return ::testing::AssertionFailure()
           << "expected one segment " << to_string(want) << ", got: " << describe(o);
  }
  const Segment& got = o.sent.front();
  const bool same = got.seq == want.seq && got.ctl == want.ctl && got.len == want.len &&
                    (!want.ack_flag() || got.ack == want.ack);
  if (!same) {
    return ::testing::AssertionFailure()
           << "expected " << to_string(want) << ", got: " << describe(o);
  }
  return ::testing::AssertionSuccess();
}

Segment expected_ack(const Conn& c) {
  return Segment{.seq = c.snd_nxt(), .ack = c.rcv_nxt(), .ctl = kAck};
}

}  // namespace tcpfsm::test
