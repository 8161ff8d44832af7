// Sending and receiving data: segmentation, the send window and its shrinking, zero-window
// probing, silly window avoidance on both sides, urgent data, acknowledgment timing and the
// retransmission timer (RFC 9293 §3.8, RFC 6298).
#include "support/fixtures.hpp"

namespace tcpfsm::test {
namespace {

std::uint32_t total_len(const Outcome& o) {
  std::uint32_t n = 0;
  for (const Segment& s : o.sent) n += s.len;
  return n;
}

// An ACK from the peer that acknowledges `ack` and offers `wnd`.
Outcome peer_acks(Conn& c, SeqNum ack, std::uint32_t wnd) {
  return c.rcv(seg(c.peer_nxt, ack, kAck, 0, wnd));
}

// Covers: MUST-15
TEST(Sending, DefaultSendMssIs536WithoutAnMssOption) {
  Conn c = established();
  EXPECT_EQ(c.ep.profile().mss, 536u);
  const Outcome o = c.call(SendCall{.len = 1000});
  ASSERT_EQ(o.sent.size(), 2u) << describe(o);
  EXPECT_EQ(o.sent[0].len, 536u);
  EXPECT_EQ(o.sent[1].len, 464u);
}

// Covers: SHLD-28
TEST(Sending, SegmentsAreFullSizedWhileDataAndWindowLast) {
  Conn c = established();
  const Outcome o = c.call(SendCall{.len = 2000});
  ASSERT_EQ(o.sent.size(), 4u) << describe(o);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(o.sent[i].len, 536u) << i;
  EXPECT_EQ(o.sent[3].len, 2000u - 3 * 536u);
  EXPECT_EQ(o.sent[1].seq, o.sent[0].seq + 536);
}

// Covers: SHLD-27, MUST-61
TEST(Sending, SendsQueuedBehindAClosedWindowLeaveAsOneSegmentWithPsh) {
  Conn c = established();
  peer_acks(c, c.snd_nxt(), 0);  // the peer closes its window
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(sent_nothing(c.call(SendCall{.len = 100})));
  const Outcome o = peer_acks(c, c.snd_nxt(), 8192);  // ... and opens it again
  ASSERT_TRUE(sent_exactly(
      o, Segment{.seq = kLocalIss + 1, .ack = c.rcv_nxt(), .ctl = kAck | kPsh, .len = 300}));
}

// Covers: MUST-60, MUST-61
TEST(Sending, SmallSendGoesOutAtOnceWithPsh) {
  Conn c = established();
  const Outcome o = c.call(SendCall{.len = 10});
  ASSERT_TRUE(sent_exactly(
      o, Segment{.seq = kLocalIss + 1, .ack = c.rcv_nxt(), .ctl = kAck | kPsh, .len = 10}));
}

// Covers: MUST-38
TEST(Sending, SenderWaitsRatherThanSendingASliverOfALargerQueue) {
  Conn c = established();
  peer_acks(c, c.snd_nxt(), 600);  // largest window seen stays 8192
  const Outcome o = c.call(SendCall{.len = 1000});
  // One full segment fits; the remaining 64 octets of window are not worth a segment while
  // 464 octets wait.
  ASSERT_EQ(o.sent.size(), 1u) << describe(o);
  EXPECT_EQ(o.sent[0].len, 536u);
  EXPECT_EQ(c.tcb().send_queued, 464u);
}

// Covers: MUST-1, REC-1
TEST(Sending, LargestUnscaledWindowIsUsedWhole) {
  Conn c = established();
  peer_acks(c, c.snd_nxt(), 65535);  // 0xFFFF must read as a large window, never as -1
  const Outcome o = c.call(SendCall{.len = 60000});
  EXPECT_EQ(total_len(o), 60000u);
  EXPECT_EQ(c.snd_nxt().since(c.tcb().snd_una), 60000u);  // crosses 2^32 on the way
  EXPECT_EQ(c.tcb().snd_wnd, 65535u);
}

// Covers: SHLD-15, MUST-34
TEST(Sending, NoNewDataBeyondAShrunkenWindow) {
  Conn c = established();
  c.call(SendCall{.len = 2000});
  const SeqNum nxt = c.snd_nxt();
  // The peer acknowledges the first segment but shrinks its window to nothing: the usable
  // window is now below zero.
  const Outcome shrink = peer_acks(c, kLocalIss + 1 + 536, 0);
  EXPECT_TRUE(sent_nothing(shrink)) << describe(shrink);
  EXPECT_TRUE(sent_nothing(c.call(SendCall{.len = 500})));
  EXPECT_EQ(c.snd_nxt(), nxt);
  EXPECT_EQ(c.state(), State::Established);
}

// Covers: SHLD-16, MAY-7
TEST(Sending, DataBeyondAShrunkenWindowIsStillRetransmitted) {
  Conn c = established();
  c.call(SendCall{.len = 2000});
  peer_acks(c, kLocalIss + 1 + 536, 0);
  const Outcome o = c.fire(TimerKind::Retransmission);
  ASSERT_TRUE(sent_exactly(
      o, Segment{.seq = kLocalIss + 1 + 536, .ack = c.rcv_nxt(), .ctl = kAck, .len = 536}));
  EXPECT_EQ(o.rule, Rule::RetransmitData);
}

// Covers: SHLD-17, MUST-37
TEST(Sending, PeerThatKeepsAnsweringAClosedWindowIsNeverGivenUp) {
  Conn c = established();
  c.call(SendCall{.len = 100});
  peer_acks(c, kLocalIss + 1, 0);  // nothing acknowledged, window closed
  for (int round = 0; round < 40; ++round) {
    c.now += 200'000;
    c.fire(TimerKind::Retransmission);
    peer_acks(c, kLocalIss + 1, 0);
    ASSERT_EQ(c.state(), State::Established) << "round " << round;
  }
}

// Covers: MUST-36, MUST-35, SHLD-29
TEST(Sending, ClosedWindowWithQueuedDataIsProbedOneRtoLater) {
  Conn c = established();
  peer_acks(c, c.snd_nxt(), 0);
  c.call(SendCall{.len = 50});
  ASSERT_TRUE(c.ep.deadline(TimerKind::ZeroWindowProbe).has_value());
  EXPECT_EQ(*c.ep.deadline(TimerKind::ZeroWindowProbe), c.now + c.tcb().rto_ms);
  const Outcome o = c.fire(TimerKind::ZeroWindowProbe);
  EXPECT_EQ(o.rule, Rule::ZeroWindowProbe);
  ASSERT_TRUE(
      sent_exactly(o, Segment{.seq = kLocalIss + 1, .ack = c.rcv_nxt(), .ctl = kAck, .len = 1}));
}

// Covers: SHLD-30
TEST(Sending, ZeroWindowProbesBackOffExponentially) {
  Conn c = established();
  peer_acks(c, c.snd_nxt(), 0);
  c.call(SendCall{.len = 50});
  c.now = *c.ep.deadline(TimerKind::ZeroWindowProbe);
  c.fire(TimerKind::ZeroWindowProbe);
  std::vector<Millis> gaps;
  for (int i = 0; i < 4; ++i) {
    const Millis before = c.now;
    const Millis due = *c.ep.deadline(TimerKind::Retransmission);
    gaps.push_back(due - before);
    c.now = due;
    const Outcome o = c.fire(TimerKind::Retransmission);
    ASSERT_EQ(o.sent.size(), 1u);
    EXPECT_EQ(o.sent[0].len, 1u);  // the same probe octet again
    peer_acks(c, kLocalIss + 1, 0);
  }
  for (std::size_t i = 1; i < gaps.size(); ++i) EXPECT_EQ(gaps[i], 2 * gaps[i - 1]) << i;
}

// Covers: MAY-8
TEST(Receiving, ReceiverMayKeepItsWindowClosedIndefinitely) {
  Profile p;
  p.receive_buffer = 1000;
  Conn c = established(p);
  const Outcome full = c.peer_sends(1000);
  ASSERT_EQ(full.sent.size(), 1u);
  EXPECT_EQ(full.sent[0].wnd, 0u);
  for (int i = 0; i < 10; ++i) {
    c.now += 60'000;
    const Outcome probe = c.rcv(c.peer_ack(1));  // a one-octet probe
    ASSERT_TRUE(sent_exactly(probe, expected_ack(c)));
    EXPECT_EQ(probe.sent[0].wnd, 0u);
    EXPECT_EQ(c.rcv_nxt(), kRemoteIss + 1 + 1000);
  }
}

// Covers: MUST-62, MUST-31
TEST(Sending, UrgentPointerNamesTheOctetAfterAnUrgentRunOfAnyLength) {
  Conn c = established();
  const Outcome o = c.call(SendCall{.len = 1000, .urgent = true});
  ASSERT_EQ(o.sent.size(), 2u) << describe(o);
  EXPECT_TRUE(o.sent[0].has(kUrg));
  EXPECT_EQ(o.sent[0].up, 1000u);  // from the first octet to just past the last urgent one
  EXPECT_TRUE(o.sent[1].has(kUrg));
  EXPECT_EQ(o.sent[1].up, 464u);
  EXPECT_EQ(c.tcb().snd_up, kLocalIss + 1 + 1000);
}

// Covers: MUST-40, SHLD-19
TEST(Receiving, EveryInOrderSegmentIsAcknowledgedInTheSameStep) {
  Conn c = established();
  for (int i = 0; i < 2; ++i) {
    const Outcome o = c.peer_sends(536);
    ASSERT_TRUE(sent_exactly(o, expected_ack(c))) << i;
  }
}

// Covers: MUST-39
TEST(Receiving, WindowUpdatesComeInWorthwhileSteps) {
  Profile p;
  p.receive_buffer = 2000;
  Conn c = established(p);
  c.peer_sends(536);
  c.peer_sends(536);
  c.peer_sends(536);
  c.peer_sends(392);  // the buffer is full: window 0
  EXPECT_EQ(c.tcb().rcv_wnd, 0u);
  EXPECT_TRUE(sent_nothing(c.call(ReceiveCall{.max_len = 1})));    // 1 octet: no update
  EXPECT_TRUE(sent_nothing(c.call(ReceiveCall{.max_len = 100})));  // 101: still not worth it
  const Outcome o = c.call(ReceiveCall{.max_len = 500});           // 601 >= one MSS
  ASSERT_TRUE(sent_exactly(o, expected_ack(c)));
  EXPECT_EQ(o.sent[0].wnd, 601u);
}

// Covers: MUST-18
TEST(Retransmission, RtoFollowsTheMeasuredRoundTrip) {
  Profile p;
  p.rto_min_ms = 100;
  Conn c = established(p);
  c.call(SendCall{.len = 100});
  c.now += 300;
  peer_acks(c, c.snd_nxt(), 8192);
  // RFC 6298 §2.2: SRTT = 300, RTTVAR = 150, RTO = SRTT + 4 * RTTVAR = 900.
  EXPECT_EQ(c.tcb().srtt_ms, 300u);
  EXPECT_EQ(c.tcb().rttvar_ms, 150u);
  EXPECT_EQ(c.tcb().rto_ms, 900u);
}

// Covers: MUST-18
TEST(Retransmission, KarnNoSampleFromARetransmittedSegment) {
  Profile p;
  p.rto_min_ms = 100;
  Conn c = established(p);
  c.call(SendCall{.len = 100});
  c.now = *c.ep.deadline(TimerKind::Retransmission);
  c.fire(TimerKind::Retransmission);
  const std::uint32_t backed_off = c.tcb().rto_ms;
  EXPECT_EQ(backed_off, 2 * p.rto_initial_ms);
  c.now += 50;  // an ACK that may be for either transmission
  peer_acks(c, c.snd_nxt(), 8192);
  EXPECT_FALSE(c.tcb().rtt_measured);
  EXPECT_EQ(c.tcb().rto_ms, backed_off);
}

// Covers: MUST-21
TEST(Retransmission, ProfileSetsTheGiveUpThreshold) {
  Profile p;
  p.data_retries = 2;
  Conn c = established(p);
  c.call(SendCall{.len = 100});
  for (int i = 0; i < 2; ++i) {
    c.now = *c.ep.deadline(TimerKind::Retransmission);
    EXPECT_EQ(c.fire(TimerKind::Retransmission).rule, Rule::RetransmitData) << i;
  }
  c.now = *c.ep.deadline(TimerKind::Retransmission);
  const Outcome o = c.fire(TimerKind::Retransmission);
  EXPECT_EQ(o.rule, Rule::RetransmissionLimitCloses);
  EXPECT_EQ(c.state(), State::Closed);
  ASSERT_FALSE(o.notices.empty());
  EXPECT_EQ(o.notices[0], Notice::err(UserError::RetransmissionTimeout));
}

// Covers: SHLD-11
TEST(Retransmission, DefaultProfileKeepsRetransmittingDataForOver100Seconds) {
  Profile p;
  p.user_timeout_ms = 0;  // only R2 decides here
  Conn c = established(p);
  c.call(SendCall{.len = 100});
  const Millis start = c.now;
  for (int guard = 0; guard < 100 && c.state() == State::Established; ++guard) {
    c.now = *c.ep.deadline(TimerKind::Retransmission);
    c.fire(TimerKind::Retransmission);
  }
  EXPECT_EQ(c.state(), State::Closed);
  EXPECT_GE(c.now - start, 100'000u);
}

// Covers: MUST-41
TEST(Open, PassiveOpenNeverDisturbsAnExistingConnection) {
  for (const auto& f : all_state_fixtures()) {
    if (f.state == State::Closed) continue;
    Conn c = f.make(Profile{});
    const Tcb before = c.tcb();
    const Outcome o = c.call(OpenCall{.passive = true});
    EXPECT_EQ(o.rule, Rule::OpenAlreadyExists) << f.name;
    EXPECT_EQ(c.state(), f.state) << f.name;
    EXPECT_TRUE(sent_nothing(o)) << f.name;
    EXPECT_TRUE(c.tcb() == before) << f.name;
  }
}

}  // namespace
}  // namespace tcpfsm::test
