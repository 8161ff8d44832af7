// SEGMENT ARRIVES in CLOSED (RFC 9293 §3.10.7.1, §3.5.2 group 1; digest §1.2, §4b, §4c).
// There is no TCB: every segment but a RST is answered with a RST the sender will accept, and
// nothing about the endpoint changes.
#include "support/fixtures.hpp"

namespace tcpfsm::test {
namespace {

// RST(a): the reply to a segment that carries an ACK, <SEQ=SEG.ACK><CTL=RST>.
Segment rst_a(SeqNum seg_ack) {
  return Segment{.seq = seg_ack, .ctl = kRst};
}
// RST(0): the reply to a segment without ACK, <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
Segment rst_0(SeqNum ack) {
  return Segment{.seq = SeqNum(0), .ack = ack, .ctl = kRst | kAck};
}

// Steps `c` with `s` and checks what holds for every segment in CLOSED: the state stays CLOSED,
// the user hears nothing and no TCB comes into being.
Outcome closed_step(Conn& c, const Segment& s) {
  Outcome o = c.rcv(s);
  EXPECT_EQ(o.from, State::Closed) << describe(o);
  EXPECT_EQ(o.to, State::Closed) << describe(o);
  EXPECT_TRUE(o.notices.empty()) << describe(o);
  EXPECT_EQ(c.tcb(), Tcb{});
  return o;
}

// RFC 9293 §3.10.7.1: no ACK, so SEQ=0 and the ACK covers the SYN's one sequence number (C32).
TEST(Closed, BareSynDrawsRstZeroAckingSynPlusOne) {
  Conn c = closed();
  const Outcome o = closed_step(c, seg_noack(kRemoteIss, kSyn));
  EXPECT_TRUE(sent_exactly(o, rst_0(kRemoteIss + 1)));
  EXPECT_EQ(o.rule, Rule::ClosedAnswersWithReset);
}

// RFC 9293 §3.10.7.1: an ACK-bearing segment gets <SEQ=SEG.ACK><CTL=RST>, without ACK bit.
TEST(Closed, SynAckDrawsRstAtSegAck) {
  Conn c = closed();
  const Outcome o = closed_step(c, seg(kRemoteIss, SeqNum(4242), kSyn | kAck));
  EXPECT_TRUE(sent_exactly(o, rst_a(SeqNum(4242))));
  EXPECT_EQ(o.rule, Rule::ClosedAnswersWithReset);
}

TEST(Closed, BareAckDrawsRstAtSegAck) {
  Conn c = closed();
  const Outcome o = closed_step(c, seg(kRemoteIss + 1, kLocalIss + 1, kAck));
  EXPECT_TRUE(sent_exactly(o, rst_a(kLocalIss + 1)));
  EXPECT_EQ(o.rule, Rule::ClosedAnswersWithReset);
}

// C7: data reaching a connection that no longer exists draws RST(a); the data is discarded.
TEST(Closed, DataWithAckDrawsRstAtSegAckAndIsDiscarded) {
  Conn c = closed();
  const Outcome o = closed_step(c, seg(kRemoteIss + 1, SeqNum(77), kAck | kPsh, 100));
  EXPECT_TRUE(sent_exactly(o, rst_a(SeqNum(77))));
  EXPECT_EQ(o.sent.front().len, 0u);
  EXPECT_EQ(o.rule, Rule::ClosedAnswersWithReset);
}

TEST(Closed, FinAckDrawsRstAtSegAck) {
  Conn c = closed();
  const Outcome o = closed_step(c, seg(kRemoteIss + 1, SeqNum(9000), kFin | kAck));
  EXPECT_TRUE(sent_exactly(o, rst_a(SeqNum(9000))));
}

// The RST(a) form ignores SEG.SEQ entirely: only SEG.ACK matters.
TEST(Closed, RstAtSegAckDoesNotDependOnSegSeq) {
  Conn c = closed();
  const Outcome first = closed_step(c, seg(SeqNum(1), SeqNum(500), kAck));
  const Outcome second = closed_step(c, seg(SeqNum(0x8000'0000u), SeqNum(500), kAck));
  EXPECT_TRUE(sent_exactly(first, rst_a(SeqNum(500))));
  EXPECT_TRUE(sent_exactly(second, rst_a(SeqNum(500))));
}

// C32: SEG.LEN counts the data octets.
TEST(Closed, DataWithoutAckDrawsRstZeroAckingPastTheData) {
  Conn c = closed();
  const Outcome o = closed_step(c, seg_noack(SeqNum(1000), 0, 100));
  EXPECT_TRUE(sent_exactly(o, rst_0(SeqNum(1100))));
}

// C32: SEG.LEN counts the FIN.
TEST(Closed, FinWithoutAckDrawsRstZeroCountingTheFin) {
  Conn c = closed();
  const Outcome o = closed_step(c, seg_noack(SeqNum(1000), kFin));
  EXPECT_TRUE(sent_exactly(o, rst_0(SeqNum(1001))));
}

// C32 and C24: SYN, ten data octets and FIN make SEG.LEN 12, and SEG.SEQ+SEG.LEN wraps past
// 2^32 to 4.
TEST(Closed, SynDataFinWithoutAckDrawsRstZeroWhoseAckWrapsPastZero) {
  Conn c = closed();
  const Outcome o = closed_step(c, seg_noack(SeqNum(0xFFFF'FFF8u), kSyn | kFin, 10));
  EXPECT_TRUE(sent_exactly(o, rst_0(SeqNum(4))));
}

// A segment with no control bits and no data still gets RST(0); SEG.LEN is zero.
TEST(Closed, EmptySegmentWithoutFlagsDrawsRstZeroAckingSegSeq) {
  Conn c = closed();
  const Outcome o = closed_step(c, seg_noack(SeqNum(31337), 0));
  EXPECT_TRUE(sent_exactly(o, rst_0(SeqNum(31337))));
}

// E0/E1: a RST is never answered, whatever else it carries.
TEST(Closed, BareRstIsDroppedSilently) {
  Conn c = closed();
  const Outcome o = closed_step(c, seg_noack(kRemoteIss, kRst));
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::ClosedDropsRst);
}

TEST(Closed, RstAckIsDroppedSilently) {
  Conn c = closed();
  const Outcome o = closed_step(c, seg(kRemoteIss, kLocalIss + 1, kRst | kAck));
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::ClosedDropsRst);
}

TEST(Closed, RstWithSynIsDroppedSilently) {
  Conn c = closed();
  const Outcome o = closed_step(c, seg_noack(kRemoteIss, kRst | kSyn));
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::ClosedDropsRst);
}

TEST(Closed, RstCarryingDataIsDroppedSilently) {
  Conn c = closed();
  const Outcome o = closed_step(c, seg(kRemoteIss, SeqNum(5), kRst | kAck | kPsh, 40));
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::ClosedDropsRst);
}

// A connection that was deleted (here: refused in SYN-SENT) leaves a CLOSED endpoint that
// answers exactly like one that never had a connection.
TEST(Closed, AfterConnectionIsDeletedAnswersLikeNeverOpened) {
  Conn c = syn_sent();
  c.rcv(seg(kRemoteIss, kLocalIss + 1, kRst | kAck));
  ASSERT_EQ(c.state(), State::Closed);
  const Outcome with_ack = closed_step(c, seg(kRemoteIss + 1, kLocalIss + 1, kAck));
  EXPECT_TRUE(sent_exactly(with_ack, rst_a(kLocalIss + 1)));
  const Outcome syn = closed_step(c, seg_noack(kRemoteIss, kSyn));
  EXPECT_TRUE(sent_exactly(syn, rst_0(kRemoteIss + 1)));
}

}  // namespace
}  // namespace tcpfsm::test
