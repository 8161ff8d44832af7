// SEGMENT ARRIVES in FIN-WAIT-1 and FIN-WAIT-2 (RFC 9293 §3.10.7.4).
//
// fin_wait_1(): our FIN went out at kLocalIss+1, so SND.UNA = kLocalIss+1, SND.NXT = kLocalIss+2;
// fin_wait_2(): the FIN is acknowledged, SND.UNA = SND.NXT = kLocalIss+2. In both, RCV.NXT is
// kRemoteIss+1 (c.peer_nxt) and RCV.WND = 65535.
#include <string>

#include "support/fixtures.hpp"

namespace tcpfsm::test {
namespace {

const SeqNum kFinSeq = kLocalIss + 1;    // our FIN in the fixtures
const SeqNum kAfterFin = kLocalIss + 2;  // SND.NXT once the FIN is out
const std::uint32_t kWnd = 65535;

Segment ack_seg(SeqNum seq, SeqNum ack) {
  return Segment{.seq = seq, .ack = ack, .ctl = kAck};
}

std::string notices(const Outcome& o) {
  std::string s;
  for (const Notice& n : o.notices) {
    if (!s.empty()) s += "; ";
    s += to_string(n);
  }
  return s;
}

Millis two_msl() {
  return 2ull * Profile{}.msl_ms;
}

Profile half_duplex() {
  Profile p;
  p.half_duplex_close = true;
  return p;
}

// FIN-WAIT-1 after 100 octets of ours were sent and acknowledged: the FIN is at kLocalIss+101.
Conn fin_wait_1_after_acked_data() {
  Conn c = established();
  c.call(SendCall{.len = 100});
  c.rcv(seg(c.peer_nxt, kLocalIss + 101, kAck));
  c.call(CloseCall{});
  EXPECT_EQ(c.state(), State::FinWait1);
  EXPECT_EQ(c.snd_nxt(), kLocalIss + 102);
  return c;
}

// FIN-WAIT-1 with our FIN still queued behind 10 octets that a zero send window holds back
// (C13): SND.UNA == SND.NXT == kLocalIss+1 although nothing of the FIN has been sent.
Conn fin_wait_1_with_fin_queued() {
  Conn c = established();
  c.rcv(seg(c.peer_nxt, kLocalIss + 1, kAck, 0, /*wnd=*/0));
  c.call(SendCall{.len = 10});
  c.call(CloseCall{});
  EXPECT_EQ(c.state(), State::FinWait1);
  EXPECT_EQ(c.tcb().snd_una, kLocalIss + 1);
  EXPECT_EQ(c.snd_nxt(), kLocalIss + 1);
  return c;
}

// =============================================================================================
// FIN-WAIT-1

// RFC 9293 §3.10.7.4 fifth check: the ACK of our FIN moves FIN-WAIT-1 to FIN-WAIT-2.
TEST(FinWait1, AckOfFinMovesToFinWait2) {
  Conn c = fin_wait_1();
  const Outcome o = c.rcv(seg(c.peer_nxt, kAfterFin, kAck));
  EXPECT_EQ(o.to, State::FinWait2);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(c.tcb().snd_una, kAfterFin);
  EXPECT_EQ(o.rule, Rule::FinAckedEntersFinWait2) << describe(o);
  EXPECT_FALSE(c.ep.deadline(TimerKind::Retransmission).has_value());
  // C31: RFC 9293 has no FIN-WAIT-2 timer; the default profile arms none.
  EXPECT_FALSE(c.ep.deadline(TimerKind::FinWait2).has_value());
}

// RFC 9293 §3.10.7.4 fifth check: an ACK of our data, short of the FIN, keeps FIN-WAIT-1.
TEST(FinWait1, AckOfDataButNotFinStaysInFinWait1) {
  Conn c = established();
  c.call(SendCall{.len = 100});
  c.call(CloseCall{});
  ASSERT_EQ(c.snd_nxt(), kLocalIss + 102);  // data, then the FIN at kLocalIss+101
  const Outcome o = c.rcv(seg(c.peer_nxt, kLocalIss + 101, kAck));
  EXPECT_EQ(o.to, State::FinWait1);
  EXPECT_EQ(c.tcb().snd_una, kLocalIss + 101);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::AckProcessed) << describe(o);
}

// C13: with the FIN still queued, SND.UNA == SND.NXT does not mean the FIN is acknowledged.
TEST(FinWait1, QueuedFinIsNotAckedWhenSndUnaEqualsSndNxt) {
  Conn c = fin_wait_1_with_fin_queued();
  const Outcome o = c.rcv(seg(c.peer_nxt, kLocalIss + 1, kAck, 0, /*wnd=*/0));
  EXPECT_EQ(o.to, State::FinWait1);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::AckProcessed) << describe(o);
}

// C13: when the window opens, the queued data and then the FIN go out; their ACK -> FIN-WAIT-2.
TEST(FinWait1, QueuedDataAndFinGoOutWhenWindowOpens) {
  Conn c = fin_wait_1_with_fin_queued();
  const Outcome o = c.rcv(seg(c.peer_nxt, kLocalIss + 1, kAck));
  EXPECT_EQ(o.to, State::FinWait1);
  ASSERT_FALSE(o.sent.empty()) << describe(o);
  EXPECT_EQ(o.sent.front().seq, kLocalIss + 1);
  EXPECT_TRUE(o.sent.back().fin()) << describe(o);
  EXPECT_EQ(o.sent.back().seq + o.sent.back().len, kLocalIss + 11);  // the FIN's number
  const Outcome acked = c.rcv(seg(c.peer_nxt, kLocalIss + 12, kAck));
  EXPECT_EQ(acked.to, State::FinWait2);
}

// RFC 9293 §3.10.7.4 eighth check (C8): the FINs crossed; ours is not yet acked -> CLOSING.
TEST(FinWait1, FinNotAckingOursMovesToClosing) {
  Conn c = fin_wait_1();
  const Outcome o = c.rcv(seg(c.peer_nxt, kFinSeq, kAck | kFin));
  EXPECT_EQ(o.to, State::Closing);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt + 1);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt + 1)));
  EXPECT_EQ(notices(o), "error: connection closing");
  EXPECT_EQ(o.rule, Rule::FinReceived) << describe(o);
}

// RFC 9293 §3.10.7.4 fifth then eighth check (C9): FIN+ACK of our FIN -> TIME-WAIT at once.
TEST(FinWait1, FinAckingOursMovesStraightToTimeWait) {
  Conn c = fin_wait_1();
  c.now = 5000;
  const Outcome o = c.rcv(seg(c.peer_nxt, kAfterFin, kAck | kFin));
  EXPECT_EQ(o.to, State::TimeWait);
  EXPECT_EQ(c.tcb().snd_una, kAfterFin);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt + 1);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt + 1)));
  EXPECT_EQ(notices(o), "error: connection closing");
  EXPECT_EQ(c.ep.deadline(TimerKind::TimeWait), c.now + two_msl());
  EXPECT_FALSE(c.ep.deadline(TimerKind::Retransmission).has_value());
}

// C13 / digest I13: the peer's FIN while our FIN is still queued -> CLOSING, not TIME-WAIT.
TEST(FinWait1, FinWhileOwnFinIsQueuedMovesToClosing) {
  Conn c = fin_wait_1_with_fin_queued();
  const Outcome o = c.rcv(seg(c.peer_nxt, kLocalIss + 1, kAck | kFin, 0, /*wnd=*/0));
  EXPECT_EQ(o.to, State::Closing);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kLocalIss + 1, c.peer_nxt + 1)));
}

// RFC 9293 §3.10.7.4 seventh check: FIN-WAIT-1 still receives text.
TEST(FinWait1, DataIsAcceptedAndAcked) {
  Conn c = fin_wait_1();
  const Outcome o = c.rcv(seg(c.peer_nxt, kFinSeq, kAck, 10));
  EXPECT_EQ(o.to, State::FinWait1);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt + 10);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt + 10)));
  EXPECT_EQ(o.rule, Rule::TextAccepted) << describe(o);
}

// RFC 9293 §3.10.7.4 first check: out-of-order text is held in FIN-WAIT-1 too.
// Covers: SHLD-31
TEST(FinWait1, OutOfOrderDataIsHeldUntilGapFills) {
  Conn c = fin_wait_1();
  const Outcome held = c.rcv(seg(c.peer_nxt + 10, kFinSeq, kAck, 10));
  EXPECT_TRUE(sent_exactly(held, ack_seg(kAfterFin, c.peer_nxt)));
  EXPECT_EQ(held.rule, Rule::TextHeldOutOfOrder) << describe(held);
  const Outcome o = c.rcv(seg(c.peer_nxt, kFinSeq, kAck, 10));
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt + 20);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt + 20)));
}

// RFC 9293 §3.10.7.4 seventh check: a waiting RECEIVE is completed by arriving text.
TEST(FinWait1, PendingReceiveIsCompletedByData) {
  Conn c = fin_wait_1();
  EXPECT_EQ(notices(c.call(ReceiveCall{.max_len = 100})), "queued");
  const Outcome o = c.rcv(seg(c.peer_nxt, kFinSeq, kAck, 10));
  EXPECT_EQ(notices(o), "delivered 10");
}

// RFC 9293 §3.10.7.4 eighth check: the FIN returns waiting RECEIVEs with "connection closing".
TEST(FinWait1, FinFailsPendingReceiveWithClosing) {
  Conn c = fin_wait_1();
  c.call(ReceiveCall{.max_len = 100});
  const Outcome o = c.rcv(seg(c.peer_nxt, kFinSeq, kAck | kFin));
  EXPECT_EQ(o.to, State::Closing);
  EXPECT_EQ(notices(o), "error: connection closing; error: connection closing");
}

// RFC 9293 §3.10.7.4 sixth check: URG is still processed in FIN-WAIT-1.
// Covers: MUST-32
TEST(FinWait1, UrgentDataIsSignalled) {
  Conn c = fin_wait_1();
  Segment s = seg(c.peer_nxt, kFinSeq, kAck | kUrg, 10);
  s.up = 10;
  const Outcome o = c.rcv(s);
  EXPECT_EQ(o.to, State::FinWait1);
  EXPECT_EQ(notices(o), "urgent data");
}

// RFC 9293 §3.10.7.4 first check.
TEST(FinWait1, UnacceptableSegmentDrawsAck) {
  Conn c = fin_wait_1();
  const Outcome o = c.rcv(seg(c.peer_nxt + kWnd, kFinSeq, kAck | kFin));
  EXPECT_EQ(o.to, State::FinWait1);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::UnacceptableSegmentAcked) << describe(o);
}

// RFC 9293 §3.10.7.4 second check: exact RST -> CLOSED, "connection reset".
// Covers: MUST-12
TEST(FinWait1, RstAtRcvNxtResetsConnection) {
  Conn c = fin_wait_1();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt, kRst));
  EXPECT_EQ(o.to, State::Closed);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(notices(o), "error: connection reset");
  EXPECT_EQ(o.rule, Rule::RstResetsConnection) << describe(o);
}

// RFC 9293 §3.10.7.4 second check, RFC 5961 §3.2: in window, not exact -> challenge ACK.
TEST(FinWait1, RstInWindowDrawsChallengeAck) {
  Conn c = fin_wait_1();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt + 500, kRst));
  EXPECT_EQ(o.to, State::FinWait1);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::RstChallengeAck) << describe(o);
}

// RFC 9293 §3.10.7.4 first check: a RST outside the window gets no answer.
TEST(FinWait1, RstOutsideWindowIsDroppedSilently) {
  Conn c = fin_wait_1();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt - 1, kRst));
  EXPECT_EQ(o.to, State::FinWait1);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::UnacceptableRstDropped) << describe(o);
}

// RFC 9293 §3.10.7.4 second check without RFC 5961: any in-window RST resets.
// Covers: MUST-12
TEST(FinWait1, LegacyRstInWindowResetsConnection) {
  Conn c = fin_wait_1(Profile::legacy_rfc793());
  const Outcome o = c.rcv(seg_noack(c.peer_nxt + 500, kRst));
  EXPECT_EQ(o.to, State::Closed);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(notices(o), "error: connection reset");
}

// RFC 9293 §3.10.7.4 fourth check, RFC 5961 §4.2.
TEST(FinWait1, SynDrawsChallengeAck) {
  Conn c = fin_wait_1();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt + 10, kSyn));
  EXPECT_EQ(o.to, State::FinWait1);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::SynChallengeAck) << describe(o);
}

// RFC 9293 §3.10.7.4 fourth check, RFC 793 text: in-window SYN -> RST(0), CLOSED, "reset".
TEST(FinWait1, LegacyInWindowSynResetsAndCloses) {
  Conn c = fin_wait_1(Profile::legacy_rfc793());
  const SeqNum syn_seq = c.peer_nxt + 10;
  const Outcome o = c.rcv(seg_noack(syn_seq, kSyn));
  EXPECT_EQ(o.to, State::Closed);
  EXPECT_TRUE(sent_exactly(o, Segment{.seq = SeqNum(0), .ack = syn_seq + 1, .ctl = kRst | kAck}));
  EXPECT_EQ(notices(o), "error: connection reset");
  EXPECT_EQ(o.rule, Rule::SynResetsConnection) << describe(o);
}

// RFC 9293 §3.10.7.4 fifth check (C11): a FIN without ACK is dropped; no CLOSING.
TEST(FinWait1, FinWithoutAckIsDropped) {
  Conn c = fin_wait_1();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt, kFin));
  EXPECT_EQ(o.to, State::FinWait1);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt);
  EXPECT_EQ(o.rule, Rule::NoAckDropped) << describe(o);
}

// RFC 9293 §3.10.7.4 fifth check: SEG.ACK > SND.NXT -> ACK, drop; our FIN is not acked by it.
TEST(FinWait1, AckAboveSndNxtDrawsAckAndDoesNotAckFin) {
  Conn c = fin_wait_1();
  const Outcome o = c.rcv(seg(c.peer_nxt, kAfterFin + 1, kAck | kFin));
  EXPECT_EQ(o.to, State::FinWait1);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt)));
  EXPECT_EQ(c.tcb().snd_una, kFinSeq);
  EXPECT_EQ(o.rule, Rule::AckOfUnsentDataAcked) << describe(o);
}

// RFC 5961 §5.2: SEG.ACK < SND.UNA - MAX.SND.WND -> ACK, drop (the FIN is not processed).
// Covers: MAY-12
TEST(FinWait1, AckBelowMaxWindowIsAnsweredAndFinDropped) {
  Conn c = fin_wait_1();
  const Outcome o = c.rcv(seg(c.peer_nxt, kFinSeq - (kPeerWnd + 1), kAck | kFin));
  EXPECT_EQ(o.to, State::FinWait1);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::AckTooOldAcked) << describe(o);
}

// RFC 9293 §3.10.7.4 fifth check (C22): an old duplicate ACK is ignored, its FIN processed.
TEST(FinWait1, DuplicateAckStillProcessesFin) {
  Conn c = fin_wait_1_after_acked_data();
  const Outcome o = c.rcv(seg(c.peer_nxt, kLocalIss + 51, kAck | kFin));
  EXPECT_EQ(o.to, State::Closing);
  EXPECT_EQ(c.tcb().snd_una, kLocalIss + 101);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kLocalIss + 102, c.peer_nxt + 1)));
}

// RFC 9293 §3.6.1, profile half_duplex_close: text after our CLOSE cannot be read -> RST, CLOSED.
// Covers: MAY-1, SHLD-3
TEST(FinWait1, HalfDuplexDataAfterCloseResets) {
  Conn c = fin_wait_1(half_duplex());
  const Outcome o = c.rcv(seg(c.peer_nxt, kFinSeq, kAck, 10));
  EXPECT_EQ(o.to, State::Closed);
  EXPECT_TRUE(sent_exactly(o, Segment{.seq = kAfterFin, .ctl = kRst}));
  EXPECT_EQ(notices(o), "error: connection reset");
  EXPECT_EQ(o.rule, Rule::TextAfterCloseResets) << describe(o);
}

// Profile half_duplex_close: a FIN carries no data, so it closes normally.
// Covers: MAY-1
TEST(FinWait1, HalfDuplexBareFinIsProcessedNormally) {
  Conn c = fin_wait_1(half_duplex());
  const Outcome o = c.rcv(seg(c.peer_nxt, kFinSeq, kAck | kFin));
  EXPECT_EQ(o.to, State::Closing);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt + 1)));
}

// =============================================================================================
// FIN-WAIT-2

// RFC 9293 §3.10.7.4 eighth check: FIN -> TIME-WAIT, ACK, 2MSL timer started.
TEST(FinWait2, FinMovesToTimeWait) {
  Conn c = fin_wait_2();
  c.now = 7000;
  const Outcome o = c.rcv(seg(c.peer_nxt, kAfterFin, kAck | kFin));
  EXPECT_EQ(o.to, State::TimeWait);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt + 1);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt + 1)));
  EXPECT_EQ(notices(o), "error: connection closing");
  EXPECT_EQ(o.rule, Rule::FinReceived) << describe(o);
  EXPECT_EQ(c.ep.deadline(TimerKind::TimeWait), c.now + two_msl());
}

// RFC 9293 §3.10.7.4 seventh and eighth checks: text and FIN in one segment.
TEST(FinWait2, DataAndFinMoveToTimeWait) {
  Conn c = fin_wait_2();
  const Outcome o = c.rcv(seg(c.peer_nxt, kAfterFin, kAck | kFin, 10));
  EXPECT_EQ(o.to, State::TimeWait);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt + 11);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt + 11)));
}

// RFC 9293 §3.10.7.4 seventh check: FIN-WAIT-2 still receives text.
TEST(FinWait2, DataIsAcceptedAndAcked) {
  Conn c = fin_wait_2();
  const Outcome o = c.rcv(seg(c.peer_nxt, kAfterFin, kAck, 10));
  EXPECT_EQ(o.to, State::FinWait2);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt + 10);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt + 10)));
  EXPECT_EQ(o.rule, Rule::TextAccepted) << describe(o);
}

// RFC 9293 §3.10.7.4 fifth check: a repeated ACK of our FIN changes nothing and is not answered.
TEST(FinWait2, DuplicateAckOfFinChangesNothing) {
  Conn c = fin_wait_2();
  const Outcome o = c.rcv(seg(c.peer_nxt, kAfterFin, kAck));
  EXPECT_EQ(o.to, State::FinWait2);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::AckProcessed) << describe(o);
}

// A FIN ahead of missing text waits for it; the gap filling moves FIN-WAIT-2 to TIME-WAIT.
// Covers: SHLD-31
TEST(FinWait2, OutOfOrderFinIsHeldUntilGapFills) {
  Conn c = fin_wait_2();
  const Outcome held = c.rcv(seg(c.peer_nxt + 10, kAfterFin, kAck | kFin));
  EXPECT_EQ(held.to, State::FinWait2);
  EXPECT_TRUE(sent_exactly(held, ack_seg(kAfterFin, c.peer_nxt)));
  const Outcome o = c.rcv(seg(c.peer_nxt, kAfterFin, kAck, 10));
  EXPECT_EQ(o.to, State::TimeWait);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt + 11);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt + 11)));
  EXPECT_EQ(notices(o), "error: connection closing");
}

// RFC 9293 §3.10.7.4 seventh check.
TEST(FinWait2, PendingReceiveIsCompletedByData) {
  Conn c = fin_wait_2();
  c.call(ReceiveCall{.max_len = 4});
  const Outcome o = c.rcv(seg(c.peer_nxt, kAfterFin, kAck, 10));
  EXPECT_EQ(notices(o), "delivered 4");
}

// RFC 9293 §3.10.7.4 eighth check.
TEST(FinWait2, FinFailsPendingReceiveWithClosing) {
  Conn c = fin_wait_2();
  c.call(ReceiveCall{.max_len = 100});
  const Outcome o = c.rcv(seg(c.peer_nxt, kAfterFin, kAck | kFin));
  EXPECT_EQ(o.to, State::TimeWait);
  EXPECT_EQ(notices(o), "error: connection closing; error: connection closing");
}

// RFC 9293 §3.10.7.4 sixth check: URG is still processed in FIN-WAIT-2.
// Covers: MUST-32
TEST(FinWait2, UrgentDataIsSignalled) {
  Conn c = fin_wait_2();
  Segment s = seg(c.peer_nxt, kAfterFin, kAck | kUrg, 10);
  s.up = 10;
  EXPECT_EQ(notices(c.rcv(s)), "urgent data");
}

// RFC 9293 §3.10.7.4 first check.
TEST(FinWait2, UnacceptableSegmentDrawsAck) {
  Conn c = fin_wait_2();
  const Outcome o = c.rcv(seg(c.peer_nxt - 1, kAfterFin, kAck | kFin));
  EXPECT_EQ(o.to, State::FinWait2);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::UnacceptableSegmentAcked) << describe(o);
}

// RFC 9293 §3.10.7.4 second check.
// Covers: MUST-12
TEST(FinWait2, RstAtRcvNxtResetsConnection) {
  Conn c = fin_wait_2();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt, kRst));
  EXPECT_EQ(o.to, State::Closed);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(notices(o), "error: connection reset");
  EXPECT_EQ(o.rule, Rule::RstResetsConnection) << describe(o);
}

// RFC 9293 §3.10.7.4 second check, RFC 5961 §3.2.
TEST(FinWait2, RstInWindowDrawsChallengeAck) {
  Conn c = fin_wait_2();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt + 1, kRst));
  EXPECT_EQ(o.to, State::FinWait2);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::RstChallengeAck) << describe(o);
}

// RFC 9293 §3.10.7.4 first check.
TEST(FinWait2, RstOutsideWindowIsDroppedSilently) {
  Conn c = fin_wait_2();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt + kWnd, kRst));
  EXPECT_EQ(o.to, State::FinWait2);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::UnacceptableRstDropped) << describe(o);
}

// RFC 9293 §3.10.7.4 second check without RFC 5961.
TEST(FinWait2, LegacyRstInWindowResetsConnection) {
  Conn c = fin_wait_2(Profile::legacy_rfc793());
  const Outcome o = c.rcv(seg_noack(c.peer_nxt + 1, kRst));
  EXPECT_EQ(o.to, State::Closed);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(notices(o), "error: connection reset");
}

// RFC 9293 §3.10.7.4 fourth check, RFC 5961 §4.2.
TEST(FinWait2, SynDrawsChallengeAck) {
  Conn c = fin_wait_2();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt, kSyn));
  EXPECT_EQ(o.to, State::FinWait2);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::SynChallengeAck) << describe(o);
}

// RFC 9293 §3.10.7.4 fourth check, RFC 793 text.
TEST(FinWait2, LegacyInWindowSynResetsAndCloses) {
  Conn c = fin_wait_2(Profile::legacy_rfc793());
  const Outcome o = c.rcv(seg_noack(c.peer_nxt, kSyn));
  EXPECT_EQ(o.to, State::Closed);
  EXPECT_TRUE(
      sent_exactly(o, Segment{.seq = SeqNum(0), .ack = c.peer_nxt + 1, .ctl = kRst | kAck}));
  EXPECT_EQ(notices(o), "error: connection reset");
  EXPECT_EQ(o.rule, Rule::SynResetsConnection) << describe(o);
}

// RFC 9293 §3.10.7.4 fifth check (C11).
TEST(FinWait2, FinWithoutAckIsDropped) {
  Conn c = fin_wait_2();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt, kFin));
  EXPECT_EQ(o.to, State::FinWait2);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::NoAckDropped) << describe(o);
}

// RFC 9293 §3.10.7.4 fifth check: SEG.ACK > SND.NXT -> ACK, drop (the FIN too).
TEST(FinWait2, AckAboveSndNxtDrawsAckAndDropsSegment) {
  Conn c = fin_wait_2();
  const Outcome o = c.rcv(seg(c.peer_nxt, kAfterFin + 1, kAck | kFin));
  EXPECT_EQ(o.to, State::FinWait2);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::AckOfUnsentDataAcked) << describe(o);
}

// RFC 5961 §5.2.
// Covers: MAY-12
TEST(FinWait2, AckBelowMaxWindowIsAnsweredAndSegmentDropped) {
  Conn c = fin_wait_2();
  const Outcome o = c.rcv(seg(c.peer_nxt, kAfterFin - (kPeerWnd + 1), kAck | kFin));
  EXPECT_EQ(o.to, State::FinWait2);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::AckTooOldAcked) << describe(o);
}

// RFC 9293 §3.6.1, profile half_duplex_close.
// Covers: MAY-1, SHLD-3
TEST(FinWait2, HalfDuplexDataAfterCloseResets) {
  Conn c = fin_wait_2(half_duplex());
  const Outcome o = c.rcv(seg(c.peer_nxt, kAfterFin, kAck, 10));
  EXPECT_EQ(o.to, State::Closed);
  EXPECT_TRUE(sent_exactly(o, Segment{.seq = kAfterFin, .ctl = kRst}));
  EXPECT_EQ(notices(o), "error: connection reset");
  EXPECT_EQ(o.rule, Rule::TextAfterCloseResets) << describe(o);
}

// Profile half_duplex_close: the peer's bare FIN still ends the connection normally.
// Covers: MAY-1
TEST(FinWait2, HalfDuplexBareFinMovesToTimeWait) {
  Conn c = fin_wait_2(half_duplex());
  const Outcome o = c.rcv(seg(c.peer_nxt, kAfterFin, kAck | kFin));
  EXPECT_EQ(o.to, State::TimeWait);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt + 1)));
}

}  // namespace
}  // namespace tcpfsm::test
