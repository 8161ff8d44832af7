// SEGMENT ARRIVES in LISTEN (RFC 9293 §3.10.7.2; digest §1.3, §4b, §4c, C28, C29).
// Order of the checks: RST, then ACK, then SYN, then everything else is dropped.
#include "support/fixtures.hpp"

namespace tcpfsm::test {
namespace {

// RST(a): the reply to a segment that carries an ACK, <SEQ=SEG.ACK><CTL=RST>.
Segment rst_a(SeqNum seg_ack) {
  return Segment{.seq = seg_ack, .ctl = kRst};
}
// <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>.
Segment syn_ack(SeqNum iss, SeqNum rcv_nxt) {
  return Segment{.seq = iss, .ack = rcv_nxt, .ctl = kSyn | kAck};
}

// Steps a listener with a segment that must leave it untouched: still LISTEN, no TCB change,
// nothing told to the user.
Outcome listen_unchanged(Conn& c, const Segment& s) {
  const Tcb before = c.tcb();
  Outcome o = c.rcv(s);
  EXPECT_EQ(o.from, State::Listen) << describe(o);
  EXPECT_EQ(o.to, State::Listen) << describe(o);
  EXPECT_TRUE(o.notices.empty()) << describe(o);
  EXPECT_EQ(c.tcb(), before);
  return o;
}

// --- first check: RST ---

// RFC 9293 §3.10.7.2, first check: nothing of this incarnation can be reset.
TEST(Listen, BareRstIsIgnored) {
  Conn c = listen();
  const Outcome o = listen_unchanged(c, seg_noack(kRemoteIss, kRst));
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::ListenIgnoresRst);
}

// C28: the RST check comes before the ACK check, so RST+ACK is ignored, not answered.
TEST(Listen, RstAckIsIgnoredBecauseRstIsCheckedBeforeAck) {
  Conn c = listen();
  const Outcome o = listen_unchanged(c, seg(kRemoteIss, SeqNum(1234), kRst | kAck));
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::ListenIgnoresRst);
}

TEST(Listen, RstWithSynIsIgnoredBecauseRstIsCheckedBeforeSyn) {
  Conn c = listen();
  const Outcome o = listen_unchanged(c, seg_noack(kRemoteIss, kRst | kSyn));
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::ListenIgnoresRst);
}

// --- second check: ACK ---

// RFC 9293 §3.10.7.2, second check: nothing has been sent, so any ACK is bad; RST(a), stay.
TEST(Listen, BareAckDrawsRstAtSegAck) {
  Conn c = listen();
  const Outcome o = listen_unchanged(c, seg(kRemoteIss + 1, SeqNum(777), kAck));
  EXPECT_TRUE(sent_exactly(o, rst_a(SeqNum(777))));
  EXPECT_EQ(o.rule, Rule::ListenResetsAck);
}

// C28: a SYN that also carries an ACK is an ACK-bearing segment first.
TEST(Listen, SynAckDrawsRstAtSegAckAndOpensNothing) {
  Conn c = listen();
  const Outcome o = listen_unchanged(c, seg(kRemoteIss, SeqNum(0xFFFF'FFFFu), kSyn | kAck));
  EXPECT_TRUE(sent_exactly(o, rst_a(SeqNum(0xFFFF'FFFFu))));
  EXPECT_EQ(o.rule, Rule::ListenResetsAck);
}

TEST(Listen, FinAckDrawsRstAtSegAck) {
  Conn c = listen();
  const Outcome o = listen_unchanged(c, seg(kRemoteIss + 1, SeqNum(31), kFin | kAck));
  EXPECT_TRUE(sent_exactly(o, rst_a(SeqNum(31))));
  EXPECT_EQ(o.rule, Rule::ListenResetsAck);
}

TEST(Listen, DataWithAckDrawsRstAtSegAck) {
  Conn c = listen();
  const Outcome o = listen_unchanged(c, seg(kRemoteIss + 1, SeqNum(64), kAck | kPsh, 200));
  EXPECT_TRUE(sent_exactly(o, rst_a(SeqNum(64))));
  EXPECT_EQ(o.sent.front().len, 0u);
  EXPECT_EQ(o.rule, Rule::ListenResetsAck);
}

// --- third check: SYN ---

// RFC 9293 §3.10.7.2, third check: IRS and RCV.NXT from the SYN, ISS chosen, SND.UNA=ISS,
// SND.NXT=ISS+1, SYN-ACK <SEQ=ISS><ACK=RCV.NXT> sent, SYN-RECEIVED remembered as passive.
// Covers: MUST-11
TEST(Listen, SynEntersSynReceivedAndSendsSynAck) {
  Conn c = listen();
  const Outcome o = c.rcv(seg_noack(kRemoteIss, kSyn, 0, 1234));
  EXPECT_EQ(o.to, State::SynReceived) << describe(o);
  EXPECT_EQ(o.rule, Rule::ListenSynOpens);
  EXPECT_TRUE(sent_exactly(o, syn_ack(kLocalIss, kRemoteIss + 1)));
  EXPECT_TRUE(o.notices.empty()) << describe(o);
  const Tcb& t = c.tcb();
  EXPECT_TRUE(t.irs_defined);
  EXPECT_EQ(t.irs, kRemoteIss);
  EXPECT_EQ(t.rcv_nxt, kRemoteIss + 1);
  EXPECT_TRUE(t.iss_defined);
  EXPECT_EQ(t.iss, kLocalIss);
  EXPECT_EQ(t.snd_una, kLocalIss);
  EXPECT_EQ(t.snd_nxt, kLocalIss + 1);
  EXPECT_TRUE(t.passive_open);
  // [I] the model takes the window variables from the SYN (digest §1.3; model comment, C12).
  EXPECT_EQ(t.snd_wnd, 1234u);
  EXPECT_EQ(t.snd_wl1, kRemoteIss);
  EXPECT_EQ(t.snd_wl2, kLocalIss);
}

// The SYN-ACK is retransmitted until acknowledged, so its timer runs from here.
TEST(Listen, SynStartsTheRetransmissionTimerForTheSynAck) {
  Conn c = listen();
  ASSERT_FALSE(c.ep.deadline(TimerKind::Retransmission).has_value());
  c.rcv(seg_noack(kRemoteIss, kSyn));
  EXPECT_TRUE(c.ep.deadline(TimerKind::Retransmission).has_value());
}

// C24: a SYN at 2^32-1 makes RCV.NXT wrap to 0, and the SYN-ACK acknowledges 0.
TEST(Listen, SynAtTopOfSequenceSpaceWrapsRcvNxtToZero) {
  Conn c = listen();
  const Outcome o = c.rcv(seg_noack(SeqNum(0xFFFF'FFFFu), kSyn));
  EXPECT_EQ(o.to, State::SynReceived) << describe(o);
  EXPECT_TRUE(sent_exactly(o, syn_ack(kLocalIss, SeqNum(0))));
  EXPECT_EQ(c.tcb().irs, SeqNum(0xFFFF'FFFFu));
  EXPECT_EQ(c.tcb().rcv_nxt, SeqNum(0));
}

// RFC 9293 §3.10.7.2: a listen that did not name the remote socket fills it in from the SYN.
TEST(Listen, SynFillsInAnUnspecifiedRemoteSocket) {
  Conn c;
  c.call(OpenCall{.passive = true, .remote_specified = false});
  ASSERT_EQ(c.state(), State::Listen);
  ASSERT_FALSE(c.tcb().remote_specified);
  const Outcome o = c.rcv(seg_noack(kRemoteIss, kSyn));
  EXPECT_EQ(o.to, State::SynReceived) << describe(o);
  EXPECT_TRUE(c.tcb().remote_specified);
}

// C29 with SynText::Hold: text on the SYN is queued, not acknowledged by the SYN-ACK and not
// handed to a waiting RECEIVE; the ACK that completes the handshake releases it.
TEST(Listen, SynDataIsHeldUntilEstablishedThenDelivered) {
  Conn c = listen();
  ASSERT_EQ(c.call(ReceiveCall{}).notices, std::vector<Notice>{Notice::queued()});
  const Outcome syn = c.rcv(seg_noack(kRemoteIss, kSyn, 5));
  EXPECT_EQ(syn.to, State::SynReceived) << describe(syn);
  EXPECT_TRUE(sent_exactly(syn, syn_ack(kLocalIss, kRemoteIss + 1)));
  EXPECT_TRUE(syn.notices.empty()) << describe(syn);
  EXPECT_EQ(c.rcv_nxt(), kRemoteIss + 1);
  EXPECT_EQ(c.tcb().recv_unread, 0u);

  // The peer's third segment follows its SYN and five octets; RCV.NXT wraps to 0 on delivery.
  const Outcome ack = c.rcv(seg(kRemoteIss + 6, kLocalIss + 1, kAck));
  EXPECT_EQ(ack.to, State::Established) << describe(ack);
  EXPECT_EQ(ack.notices, std::vector<Notice>{Notice::delivered(5)}) << describe(ack);
  EXPECT_EQ(c.rcv_nxt(), SeqNum(0));
  EXPECT_TRUE(sent_exactly(ack, Segment{.seq = kLocalIss + 1, .ack = SeqNum(0), .ctl = kAck}));
}

// C29: a FIN on the SYN is not processed in LISTEN or SYN-RECEIVED (no "closing", not acked);
// once ESTABLISHED it is, and the connection goes on to CLOSE-WAIT in the same step.
TEST(Listen, SynFinIsHeldUntilEstablishedThenClosesTheReceiveSide) {
  Conn c = listen();
  const Outcome syn = c.rcv(seg_noack(kRemoteIss, kSyn | kFin));
  EXPECT_EQ(syn.to, State::SynReceived) << describe(syn);
  EXPECT_TRUE(sent_exactly(syn, syn_ack(kLocalIss, kRemoteIss + 1)));
  EXPECT_TRUE(syn.notices.empty()) << describe(syn);
  EXPECT_FALSE(c.tcb().fin_received);

  const Outcome ack = c.rcv(seg(kRemoteIss + 2, kLocalIss + 1, kAck));
  EXPECT_EQ(ack.to, State::CloseWait) << describe(ack);
  EXPECT_EQ(ack.rule, Rule::FinReceived);
  EXPECT_EQ(ack.notices, std::vector<Notice>{Notice::err(UserError::ConnectionClosing)});
  EXPECT_TRUE(sent_exactly(ack, Segment{.seq = kLocalIss + 1, .ack = kRemoteIss + 2, .ctl = kAck}));
  EXPECT_TRUE(c.tcb().fin_received);
}

TEST(Listen, SynDataAndFinAreHeldThenDeliveredAndClosed) {
  Conn c = listen();
  c.call(ReceiveCall{});
  const Outcome syn = c.rcv(seg_noack(kRemoteIss, kSyn | kFin, 3));
  EXPECT_TRUE(sent_exactly(syn, syn_ack(kLocalIss, kRemoteIss + 1)));
  EXPECT_TRUE(syn.notices.empty()) << describe(syn);

  const Outcome ack = c.rcv(seg(kRemoteIss + 5, kLocalIss + 1, kAck));
  EXPECT_EQ(ack.to, State::CloseWait) << describe(ack);
  EXPECT_EQ(ack.notices,
            (std::vector<Notice>{Notice::delivered(3), Notice::err(UserError::ConnectionClosing)}))
      << describe(ack);
  // SYN + 3 octets + FIN: RCV.NXT = IRS + 5, which wraps to 0xFFFFFFFF.
  EXPECT_EQ(c.rcv_nxt(), kRemoteIss + 5);
  EXPECT_TRUE(sent_exactly(ack, Segment{.seq = kLocalIss + 1, .ack = kRemoteIss + 5, .ctl = kAck}));
}

// Text on the SYN beyond the receive window is trimmed, and a FIN past it is cut off (§1.1).
TEST(Listen, SynTextBeyondTheWindowIsTrimmedAndItsFinDropped) {
  Profile p;
  p.receive_buffer = 4;
  Conn c = listen(p);
  c.call(ReceiveCall{});
  c.rcv(seg_noack(kRemoteIss, kSyn | kFin, 6));
  const Outcome ack = c.rcv(seg(kRemoteIss + 1, kLocalIss + 1, kAck));
  EXPECT_EQ(ack.to, State::Established) << describe(ack);
  EXPECT_EQ(ack.notices, std::vector<Notice>{Notice::delivered(4)}) << describe(ack);
  EXPECT_EQ(c.rcv_nxt(), kRemoteIss + 5);
  EXPECT_FALSE(c.tcb().fin_received);
}

// SynText::Discard (Linux without TFO): the text is dropped unacknowledged; the peer resends.
TEST(Listen, SynDataIsDiscardedUnderDiscardProfile) {
  Profile p;
  p.syn_text = SynText::Discard;
  Conn c = listen(p);
  c.call(ReceiveCall{});
  const Outcome syn = c.rcv(seg_noack(kRemoteIss, kSyn, 5));
  EXPECT_TRUE(sent_exactly(syn, syn_ack(kLocalIss, kRemoteIss + 1)));

  const Outcome ack = c.rcv(seg(kRemoteIss + 1, kLocalIss + 1, kAck));
  EXPECT_EQ(ack.to, State::Established) << describe(ack);
  EXPECT_TRUE(ack.notices.empty()) << describe(ack);
  EXPECT_TRUE(sent_nothing(ack)) << describe(ack);
  EXPECT_EQ(c.rcv_nxt(), kRemoteIss + 1);
  EXPECT_EQ(c.tcb().recv_unread, 0u);
  EXPECT_EQ(c.tcb().pending_receives.size(), 1u);
}

TEST(Listen, SynFinIsDiscardedUnderDiscardProfile) {
  Profile p;
  p.syn_text = SynText::Discard;
  Conn c = listen(p);
  c.rcv(seg_noack(kRemoteIss, kSyn | kFin));
  const Outcome ack = c.rcv(seg(kRemoteIss + 1, kLocalIss + 1, kAck));
  EXPECT_EQ(ack.to, State::Established) << describe(ack);
  EXPECT_TRUE(ack.notices.empty()) << describe(ack);
  EXPECT_FALSE(c.tcb().fin_received);
  EXPECT_EQ(c.rcv_nxt(), kRemoteIss + 1);
}

// --- fourth check: anything else ---

// RFC 9293 §3.10.7.2, fourth check: neither RST nor ACK nor SYN: drop, say nothing.
TEST(Listen, FinWithoutSynOrAckIsDroppedSilently) {
  Conn c = listen();
  const Outcome o = listen_unchanged(c, seg_noack(kRemoteIss + 1, kFin));
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::ListenDropsOther);
}

TEST(Listen, DataWithoutAnyControlBitIsDroppedSilently) {
  Conn c = listen();
  const Outcome o = listen_unchanged(c, seg_noack(kRemoteIss + 1, kPsh, 50));
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::ListenDropsOther);
}

TEST(Listen, EmptySegmentWithoutFlagsIsDroppedSilently) {
  Conn c = listen();
  const Outcome o = listen_unchanged(c, seg_noack(kRemoteIss + 1, 0));
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::ListenDropsOther);
}

}  // namespace
}  // namespace tcpfsm::test
