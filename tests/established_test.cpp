// SEGMENT ARRIVES in ESTABLISHED (RFC 9293 §3.10.7.4), one test per behaviour, in the order of
// the RFC's checks: sequence number, RST, SYN, ACK, URG, text, FIN.
//
// In the established() fixture our SND.UNA = SND.NXT = kLocalIss+1, RCV.NXT = kRemoteIss+1
// (c.peer_nxt), RCV.WND = 65535 and SND.WND = MAX.SND.WND = kPeerWnd. RCV.NXT sits five octets
// below 2^32, so most data here crosses the wraparound.
#include <string>

#include "support/fixtures.hpp"

namespace tcpfsm::test {
namespace {

const SeqNum kUna = kLocalIss + 1;  // SND.UNA = SND.NXT in ESTABLISHED
const std::uint32_t kWnd = 65535;   // RCV.WND: Profile::receive_buffer, nothing unread

// <SEQ=seq><ACK=ack><CTL=ACK>
Segment ack_seg(SeqNum seq, SeqNum ack) {
  return Segment{.seq = seq, .ack = ack, .ctl = kAck};
}

// The notices of one step, as the user would read them, joined by "; ".
std::string notices(const Outcome& o) {
  std::string s;
  for (const Notice& n : o.notices) {
    if (!s.empty()) s += "; ";
    s += to_string(n);
  }
  return s;
}

Segment urgent_data(SeqNum seq, SeqNum ack, std::uint32_t len, std::uint16_t up) {
  Segment s = seg(seq, ack, kAck | kUrg, len);
  s.up = up;
  return s;
}

// ESTABLISHED after our SEND of `len` octets went out and the peer acknowledged all of them.
Conn established_after_acked_send(std::uint32_t len, Profile p = Profile{}) {
  Conn c = established(std::move(p));
  c.call(SendCall{.len = len});
  EXPECT_EQ(c.snd_nxt(), kUna + len);
  c.rcv(seg(c.peer_nxt, kUna + len, kAck));
  EXPECT_EQ(c.tcb().snd_una, kUna + len);
  return c;
}

// ESTABLISHED with a 10-octet receive buffer that the peer has filled: RCV.WND = 0.
Conn established_with_zero_window() {
  Profile p;
  p.receive_buffer = 10;
  Conn c = established(std::move(p));
  c.peer_sends(10);
  EXPECT_EQ(c.tcb().rcv_wnd, 0u);
  EXPECT_EQ(c.rcv_nxt(), kRemoteIss + 11);
  return c;
}

// ---------------------------------------------------------------------------------------------
// First check: sequence number.

// RFC 9293 §3.10.7.4 first check: unacceptable segment -> ACK, drop.
TEST(Established, SegmentBeyondWindowDrawsAckAndIsDropped) {
  Conn c = established();
  const Outcome o = c.rcv(seg(c.peer_nxt + kWnd, kUna, kAck, 10));
  EXPECT_EQ(o.to, State::Established);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kUna, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::UnacceptableSegmentAcked) << describe(o);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt);
}

// RFC 9293 §3.10.7.4 first check: an old duplicate, wholly before RCV.NXT.
TEST(Established, OldDuplicateBeforeWindowDrawsAck) {
  Conn c = established();
  c.peer_sends(10);
  const Outcome o = c.rcv(seg(c.peer_nxt - 10, kUna, kAck, 10));
  EXPECT_EQ(o.to, State::Established);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kUna, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::UnacceptableSegmentAcked) << describe(o);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt);
}

// RFC 9293 §3.10.7.4 first check: an unacceptable RST is dropped without an answer.
TEST(Established, RstOutsideWindowIsDroppedSilently) {
  Conn c = established();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt + kWnd, kRst));
  EXPECT_EQ(o.to, State::Established);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::UnacceptableRstDropped) << describe(o);
}

// RFC 9293 §3.10.7.4 first check: only the new part of a straddling segment is processed.
TEST(Established, SegmentStraddlingLeftEdgeDeliversOnlyNewOctets) {
  Conn c = established();
  const Outcome o = c.rcv(seg(c.peer_nxt - 4, kUna, kAck, 10));
  EXPECT_EQ(o.to, State::Established);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt + 6);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kUna, c.peer_nxt + 6)));
  EXPECT_EQ(o.rule, Rule::TextAccepted) << describe(o);
}

// RFC 9293 §3.10.7.4 first check: octets beyond the right edge are trimmed off.
TEST(Established, SegmentPastRightEdgeIsTrimmedToWindow) {
  Profile p;
  p.receive_buffer = 100;
  Conn c = established(std::move(p));
  const Outcome o = c.rcv(seg(c.peer_nxt, kUna, kAck, 150));
  EXPECT_EQ(o.to, State::Established);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt + 100);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kUna, c.peer_nxt + 100)));
}

// RFC 9293 §3.10.7.4 first check: a FIN beyond the window is cut off with the octets there.
TEST(Established, FinBeyondRightEdgeIsCutOff) {
  Profile p;
  p.receive_buffer = 10;
  Conn c = established(std::move(p));
  const Outcome o = c.rcv(seg(c.peer_nxt, kUna, kAck | kFin, 10));
  EXPECT_EQ(o.to, State::Established);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt + 10);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kUna, c.peer_nxt + 10)));
  EXPECT_EQ(notices(o), "");
}

// ---------------------------------------------------------------------------------------------
// Second check: RST.

// RFC 9293 §3.10.7.4 second check: exact RST resets the connection and tells the user.
// Covers: MUST-12
TEST(Established, RstAtRcvNxtResetsConnection) {
  Conn c = established();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt, kRst));
  EXPECT_EQ(o.to, State::Closed);
  EXPECT_EQ(c.state(), State::Closed);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(notices(o), "error: connection reset");
  EXPECT_EQ(o.rule, Rule::RstResetsConnection) << describe(o);
}

// RFC 9293 §3.10.7.4 second check: a pending RECEIVE gets "reset" as well.
// Covers: MUST-12
TEST(Established, RstFailsPendingReceiveWithReset) {
  Conn c = established();
  c.call(ReceiveCall{.max_len = 100});
  const Outcome o = c.rcv(seg(c.peer_nxt, kUna, kRst | kAck));
  EXPECT_EQ(o.to, State::Closed);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(notices(o), "error: connection reset; error: connection reset");
}

// RFC 9293 §3.5.3: a RST may carry data; the reset is honoured and the data is not delivered.
// Covers: SHLD-2
TEST(Established, RstCarryingDataResetsWithoutDeliveringIt) {
  Conn c = established();
  c.call(ReceiveCall{.max_len = 100});
  const Outcome o = c.rcv(seg(c.peer_nxt, kUna, kRst | kAck, 20));
  EXPECT_EQ(o.to, State::Closed);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(notices(o), "error: connection reset; error: connection reset");
  EXPECT_EQ(o.rule, Rule::RstResetsConnection) << describe(o);
}

// RFC 9293 §3.10.7.4 second check, RFC 5961 §3.2: in window but not exact -> challenge ACK.
TEST(Established, RstInWindowNotAtRcvNxtDrawsChallengeAck) {
  Conn c = established();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt + 1, kRst));
  EXPECT_EQ(o.to, State::Established);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kUna, c.peer_nxt)));
  EXPECT_EQ(notices(o), "");
  EXPECT_EQ(o.rule, Rule::RstChallengeAck) << describe(o);
}

// RFC 9293 §3.10.7.4 second check, RFC 793 behaviour: any in-window RST resets.
TEST(Established, LegacyRstAnywhereInWindowResets) {
  Conn c = established(Profile::legacy_rfc793());
  const Outcome o = c.rcv(seg_noack(c.peer_nxt + 1000, kRst));
  EXPECT_EQ(o.to, State::Closed);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(notices(o), "error: connection reset");
  EXPECT_EQ(o.rule, Rule::RstResetsConnection) << describe(o);
}

// RFC 9293 §3.10.7.4 first check: RFC 793 too drops a RST outside the window.
TEST(Established, LegacyRstOutsideWindowIsDroppedSilently) {
  Conn c = established(Profile::legacy_rfc793());
  const Outcome o = c.rcv(seg_noack(c.peer_nxt - 1, kRst));
  EXPECT_EQ(o.to, State::Established);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::UnacceptableRstDropped) << describe(o);
}

// ---------------------------------------------------------------------------------------------
// Fourth check: SYN.

// RFC 9293 §3.10.7.4 fourth check, RFC 5961 §4.2: an in-window SYN draws a challenge ACK.
TEST(Established, SynInWindowDrawsChallengeAck) {
  Conn c = established();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt + 100, kSyn));
  EXPECT_EQ(o.to, State::Established);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kUna, c.peer_nxt)));
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt);
  EXPECT_EQ(o.rule, Rule::SynChallengeAck) << describe(o);
}

// RFC 9293 §3.10.7.4 fourth check: a SYN+ACK is treated like any SYN.
TEST(Established, SynAckInWindowDrawsChallengeAck) {
  Conn c = established();
  const Outcome o = c.rcv(seg(c.peer_nxt, kUna, kSyn | kAck));
  EXPECT_EQ(o.to, State::Established);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kUna, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::SynChallengeAck) << describe(o);
}

// RFC 9293 §3.10.7.4 first check: the peer's original SYN again lies before the window.
TEST(Established, RetransmittedOriginalSynDrawsAck) {
  Conn c = established();
  const Outcome o = c.rcv(seg_noack(kRemoteIss, kSyn));
  EXPECT_EQ(o.to, State::Established);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kUna, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::UnacceptableSegmentAcked) << describe(o);
}

// RFC 9293 §3.10.7.4 fourth check, RFC 793 text: in-window SYN -> RST and CLOSED. The RST
// answers a segment without ACK: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
TEST(Established, LegacyInWindowSynResetsAndCloses) {
  Conn c = established(Profile::legacy_rfc793());
  const SeqNum syn_seq = c.peer_nxt + 100;
  const Outcome o = c.rcv(seg_noack(syn_seq, kSyn));
  EXPECT_EQ(o.to, State::Closed);
  EXPECT_TRUE(sent_exactly(o, Segment{.seq = SeqNum(0), .ack = syn_seq + 1, .ctl = kRst | kAck}));
  EXPECT_EQ(notices(o), "error: connection reset");
  EXPECT_EQ(o.rule, Rule::SynResetsConnection) << describe(o);
}

// RFC 9293 §3.10.7.4 fourth check (last bullet): a SYN outside the window got its ACK in the
// first check.
TEST(Established, LegacySynOutsideWindowDrawsAck) {
  Conn c = established(Profile::legacy_rfc793());
  const Outcome o = c.rcv(seg_noack(c.peer_nxt + kWnd, kSyn));
  EXPECT_EQ(o.to, State::Established);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kUna, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::UnacceptableSegmentAcked) << describe(o);
}

// ---------------------------------------------------------------------------------------------
// Fifth check: ACK.

// RFC 9293 §3.10.7.4 fifth check (C11): data without ACK is dropped, even in window.
TEST(Established, DataWithoutAckIsDropped) {
  Conn c = established();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt, 0, 10));
  EXPECT_EQ(o.to, State::Established);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt);
  EXPECT_EQ(o.rule, Rule::NoAckDropped) << describe(o);
}

// RFC 9293 §3.10.7.4 fifth check (C11): a FIN without ACK does not close anything.
TEST(Established, FinWithoutAckIsDropped) {
  Conn c = established();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt, kFin));
  EXPECT_EQ(o.to, State::Established);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt);
  EXPECT_EQ(notices(o), "");
  EXPECT_EQ(o.rule, Rule::NoAckDropped) << describe(o);
}

// RFC 9293 §3.10.7.4 fifth check: SEG.ACK > SND.NXT -> ACK, drop the whole segment.
TEST(Established, AckOfUnsentDataDrawsAckAndDropsSegment) {
  Conn c = established();
  const Outcome o = c.rcv(seg(c.peer_nxt, kUna + 1, kAck, 10));
  EXPECT_EQ(o.to, State::Established);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kUna, c.peer_nxt)));
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt);
  EXPECT_EQ(c.tcb().snd_una, kUna);
  EXPECT_EQ(o.rule, Rule::AckOfUnsentDataAcked) << describe(o);
}

// RFC 9293 §3.10.7.4 fifth check: the SND.NXT bound applies without RFC 5961 too.
TEST(Established, LegacyAckOfUnsentDataDrawsAckAndDropsSegment) {
  Conn c = established(Profile::legacy_rfc793());
  const Outcome o = c.rcv(seg(c.peer_nxt, kUna + 1, kAck | kFin));
  EXPECT_EQ(o.to, State::Established);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kUna, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::AckOfUnsentDataAcked) << describe(o);
}

// RFC 9293 §3.10.7.4 fifth check: SND.UNA < SEG.ACK =< SND.NXT moves SND.UNA.
TEST(Established, AckOfSentDataAdvancesSndUna) {
  Conn c = established();
  c.call(SendCall{.len = 100});
  ASSERT_EQ(c.snd_nxt(), kUna + 100);
  const Outcome o = c.rcv(seg(c.peer_nxt, kUna + 100, kAck));
  EXPECT_EQ(o.to, State::Established);
  EXPECT_EQ(c.tcb().snd_una, kUna + 100);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_FALSE(c.ep.deadline(TimerKind::Retransmission).has_value());
  EXPECT_EQ(o.rule, Rule::AckProcessed) << describe(o);
}

// RFC 9293 §3.10.7.4 fifth check: a partial ACK moves SND.UNA to SEG.ACK exactly.
TEST(Established, PartialAckAdvancesSndUnaToSegAck) {
  Conn c = established();
  c.call(SendCall{.len = 100});
  const Outcome o = c.rcv(seg(c.peer_nxt, kUna + 40, kAck));
  EXPECT_EQ(c.tcb().snd_una, kUna + 40);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_TRUE(c.ep.deadline(TimerKind::Retransmission).has_value());
}

// RFC 9293 §3.10.7.4 fifth check, RFC 5961 §5.2: SEG.ACK below SND.UNA-MAX.SND.WND -> ACK, drop.
// Covers: MAY-12
TEST(Established, AckBelowMaxWindowIsAnsweredAndSegmentDropped) {
  Conn c = established();
  const Outcome o = c.rcv(seg(c.peer_nxt, kUna - (kPeerWnd + 1), kAck, 10));
  EXPECT_EQ(o.to, State::Established);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kUna, c.peer_nxt)));
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt);
  EXPECT_EQ(o.rule, Rule::AckTooOldAcked) << describe(o);
}

// RFC 5961 §5.2: the lower bound SND.UNA-MAX.SND.WND itself is still acceptable.
// Covers: MAY-12
TEST(Established, AckAtLowerBoundOfMaxWindowIsAcceptable) {
  Conn c = established();
  const Outcome o = c.rcv(seg(c.peer_nxt, kUna - kPeerWnd, kAck, 10));
  EXPECT_EQ(o.to, State::Established);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt + 10);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kUna, c.peer_nxt + 10)));
  EXPECT_EQ(o.rule, Rule::TextAccepted) << describe(o);
}

// RFC 9293 §3.10.7.4 fifth check without RFC 5961: a very old ACK is a duplicate to ignore.
TEST(Established, LegacyVeryOldAckIsIgnoredAndTextProcessed) {
  Conn c = established(Profile::legacy_rfc793());
  const Outcome o = c.rcv(seg(c.peer_nxt, kUna - (kPeerWnd + 1), kAck, 10));
  EXPECT_EQ(o.to, State::Established);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt + 10);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kUna, c.peer_nxt + 10)));
  EXPECT_EQ(o.rule, Rule::TextAccepted) << describe(o);
}

// RFC 9293 §3.10.7.4 fifth check (C22): a duplicate ACK is ignored but its text is processed.
TEST(Established, DuplicateAckStillDeliversText) {
  Conn c = established_after_acked_send(100);
  const Outcome o = c.rcv(seg(c.peer_nxt, kUna + 50, kAck, 10));
  EXPECT_EQ(o.to, State::Established);
  EXPECT_EQ(c.tcb().snd_una, kUna + 100);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt + 10);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kUna + 100, c.peer_nxt + 10)));
  EXPECT_EQ(o.rule, Rule::TextAccepted) << describe(o);
}

// RFC 9293 §3.10.7.4 fifth and eighth checks (C22): a duplicate ACK still carries a FIN.
TEST(Established, DuplicateAckStillProcessesFin) {
  Conn c = established_after_acked_send(100);
  const Outcome o = c.rcv(seg(c.peer_nxt, kUna + 50, kAck | kFin));
  EXPECT_EQ(o.to, State::CloseWait);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kUna + 100, c.peer_nxt + 1)));
  EXPECT_EQ(notices(o), "error: connection closing");
  EXPECT_EQ(o.rule, Rule::FinReceived) << describe(o);
}

// RFC 9293 §3.10.7.4 fifth check: SND.WL1 == SEG.SEQ and SND.WL2 =< SEG.ACK -> window update.
TEST(Established, WindowUpdatedBySegmentWithSameSeqAndAck) {
  Conn c = established();
  c.rcv(seg(c.peer_nxt, kUna, kAck, 0, 1234));
  EXPECT_EQ(c.tcb().snd_wnd, 1234u);
}

// RFC 9293 §3.10.7.4 fifth check: SND.WL1 < SEG.SEQ -> window update, even to a smaller window.
TEST(Established, WindowUpdatedByLaterSegment) {
  Conn c = established();
  c.peer_sends(10);
  c.rcv(seg(c.peer_nxt, kUna, kAck, 0, 2000));
  EXPECT_EQ(c.tcb().snd_wnd, 2000u);
  EXPECT_EQ(c.tcb().snd_wl1, c.peer_nxt);
  EXPECT_EQ(c.tcb().snd_wl2, kUna);
}

// RFC 9293 §3.10.7.4 fifth check (C20): a segment older than SND.WL1 cannot change the window.
// The out-of-order segment at RCV.NXT+10 updates it first; the in-order one at RCV.NXT is older.
TEST(Established, WindowNotUpdatedBySegmentOlderThanSndWl1) {
  Conn c = established();
  c.rcv(seg(c.peer_nxt + 10, kUna, kAck, 10, 5000));
  ASSERT_EQ(c.tcb().snd_wnd, 5000u);
  c.rcv(seg(c.peer_nxt, kUna, kAck, 10, 3000));
  EXPECT_EQ(c.tcb().snd_wnd, 5000u);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt + 20);
}

// RFC 9293 §3.10.7.4 fifth check: the window rule needs SND.UNA =< SEG.ACK; a duplicate ACK
// below SND.UNA leaves the window alone.
TEST(Established, WindowNotUpdatedByAckBelowSndUna) {
  Conn c = established_after_acked_send(100);
  c.peer_sends(10);
  ASSERT_EQ(c.tcb().snd_wnd, kPeerWnd);
  c.rcv(seg(c.peer_nxt, kUna + 50, kAck, 0, 100));
  EXPECT_EQ(c.tcb().snd_wnd, kPeerWnd);
}

// C20, RFC 1122 §4.2.2.20(c): after an active open the SYN-ACK set SND.WL1/WL2, so the first
// later segment may update the window.
TEST(Established, AfterActiveOpenFirstWindowUpdateIsTaken) {
  Conn c = established_active();
  ASSERT_EQ(c.tcb().snd_wl1, kRemoteIss);
  ASSERT_EQ(c.tcb().snd_wl2, kUna);
  c.rcv(seg(kRemoteIss + 1, kUna, kAck, 0, 3000));
  EXPECT_EQ(c.tcb().snd_wnd, 3000u);
}

// ---------------------------------------------------------------------------------------------
// Sixth check: URG.

// RFC 9293 §3.10.7.4 sixth check: the user hears once per urgent run.
// Covers: MUST-30, MUST-32
TEST(Established, UrgentDataIsSignalledOncePerRun) {
  Conn c = established();
  const Outcome first = c.rcv(urgent_data(c.peer_nxt, kUna, 10, 5));
  EXPECT_EQ(notices(first), "urgent data");
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt + 10);
  c.peer_nxt += 10;
  const Outcome second = c.rcv(urgent_data(c.peer_nxt, kUna, 10, 5));
  EXPECT_EQ(notices(second), "");
}

// RFC 9293 §3.10.7.4 sixth check: once the user has read past RCV.UP, a new urgent run is news.
// Here the stream has already crossed 2^32 when the urgent data comes.
// Covers: MUST-32
TEST(Established, NewUrgentRunAfterReadingPreviousIsSignalled) {
  Conn c = established();
  c.peer_sends(10);  // RCV.NXT wraps past zero
  c.call(ReceiveCall{.max_len = 10});
  EXPECT_EQ(notices(c.rcv(urgent_data(c.peer_nxt, kUna, 2, 2))), "urgent data");
  c.peer_nxt += 2;
  EXPECT_EQ(notices(c.call(ReceiveCall{.max_len = 2})), "delivered 2");
  const Outcome o = c.rcv(urgent_data(c.peer_nxt, kUna, 10, 10));
  EXPECT_EQ(notices(o), "urgent data");
}

// The same as above with the first urgent run ending just below 2^32 (RCV.UP = 2^32-3): the
// max(RCV.UP, SEG.UP) of the sixth check must be modular and start from this connection's
// numbers.
// Covers: MUST-32
TEST(Established, NewUrgentRunAfterReadingPreviousIsSignalledAcrossWrap) {
  Conn c = established();
  EXPECT_EQ(notices(c.rcv(urgent_data(c.peer_nxt, kUna, 2, 2))), "urgent data");
  c.peer_nxt += 2;
  EXPECT_EQ(notices(c.call(ReceiveCall{.max_len = 2})), "delivered 2");
  const Outcome o = c.rcv(urgent_data(c.peer_nxt, kUna, 10, 10));
  EXPECT_EQ(notices(o), "urgent data");
}

// ---------------------------------------------------------------------------------------------
// Seventh check: segment text.

// RFC 9293 §3.10.7.4 seventh check: in-order text advances RCV.NXT (across 2^32) and is ACKed.
TEST(Established, InOrderDataAdvancesRcvNxtAndIsAcked) {
  Conn c = established();
  const Outcome o = c.rcv(seg(c.peer_nxt, kUna, kAck, 10));
  EXPECT_EQ(o.to, State::Established);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt + 10);
  EXPECT_EQ(c.rcv_nxt(), SeqNum(5));  // wrapped
  EXPECT_TRUE(sent_exactly(o, ack_seg(kUna, c.peer_nxt + 10)));
  EXPECT_EQ(o.rule, Rule::TextAccepted) << describe(o);
}

// RFC 9293 §3.10.7.4 seventh check: accepting text shrinks RCV.WND, never the right edge.
// Covers: SHLD-14
TEST(Established, AcceptingDataKeepsRightWindowEdge) {
  Conn c = established();
  const SeqNum edge = c.rcv_nxt() + c.tcb().rcv_wnd;
  const Outcome o = c.rcv(seg(c.peer_nxt, kUna, kAck, 10));
  EXPECT_EQ(c.rcv_nxt() + c.tcb().rcv_wnd, edge);
  ASSERT_EQ(o.sent.size(), 1u);
  EXPECT_EQ(o.sent[0].wnd, kWnd - 10);
}

// RFC 9293 §3.10.7.4 first check: a segment beyond RCV.NXT is held and ACKed with RCV.NXT;
// once the gap fills, both are taken in and one ACK covers everything.
// Covers: SHLD-31, MAY-13, MUST-59
TEST(Established, OutOfOrderDataIsHeldAndDeliveredWhenGapFills) {
  Conn c = established();
  const Outcome held = c.rcv(seg(c.peer_nxt + 10, kUna, kAck, 10));
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt);
  EXPECT_TRUE(sent_exactly(held, ack_seg(kUna, c.peer_nxt)));
  EXPECT_EQ(held.rule, Rule::TextHeldOutOfOrder) << describe(held);

  const Outcome filled = c.rcv(seg(c.peer_nxt, kUna, kAck, 10));
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt + 20);
  EXPECT_TRUE(sent_exactly(filled, ack_seg(kUna, c.peer_nxt + 20)));
  EXPECT_EQ(filled.rule, Rule::TextAccepted) << describe(filled);
  EXPECT_EQ(notices(c.call(ReceiveCall{.max_len = 0})), "delivered 20");
}

// Profile out_of_order_queue = false: the segment is dropped and ACKed; the peer resends it.
// Covers: MAY-13
TEST(Established, WithoutOutOfOrderQueueSegmentBeyondRcvNxtIsDroppedAndAcked) {
  Profile p;
  p.out_of_order_queue = false;
  Conn c = established(std::move(p));
  const Outcome dropped = c.rcv(seg(c.peer_nxt + 10, kUna, kAck, 10));
  EXPECT_TRUE(sent_exactly(dropped, ack_seg(kUna, c.peer_nxt)));
  EXPECT_EQ(dropped.rule, Rule::TextDroppedOutOfOrder) << describe(dropped);

  const Outcome o = c.rcv(seg(c.peer_nxt, kUna, kAck, 10));
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt + 10);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kUna, c.peer_nxt + 10)));
}

// A FIN that arrives ahead of missing text waits for it; then ESTABLISHED -> CLOSE-WAIT.
// Covers: SHLD-31
TEST(Established, OutOfOrderFinIsHeldUntilGapFills) {
  Conn c = established();
  const Outcome held = c.rcv(seg(c.peer_nxt + 10, kUna, kAck | kFin));
  EXPECT_EQ(held.to, State::Established);
  EXPECT_TRUE(sent_exactly(held, ack_seg(kUna, c.peer_nxt)));
  EXPECT_EQ(notices(held), "");

  const Outcome o = c.rcv(seg(c.peer_nxt, kUna, kAck, 10));
  EXPECT_EQ(o.to, State::CloseWait);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt + 11);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kUna, c.peer_nxt + 11)));
  EXPECT_EQ(notices(o), "error: connection closing");
}

// RFC 9293 §3.10.3 / §3.10.7.4 seventh check: arriving text completes a waiting RECEIVE.
TEST(Established, PendingReceiveIsCompletedByArrivingData) {
  Conn c = established();
  EXPECT_EQ(notices(c.call(ReceiveCall{.max_len = 100})), "queued");
  const Outcome o = c.peer_sends(10);
  EXPECT_EQ(notices(o), "delivered 10");
}

// ---------------------------------------------------------------------------------------------
// Zero receive window (C23, MUST-66).

// RFC 9293 §3.4, §3.8.6.1: a probe octet at RCV.NXT is not taken; the ACK shows window 0.
// Covers: MUST-66
TEST(Established, ZeroWindowProbeOctetIsAckedNotAccepted) {
  Conn c = established_with_zero_window();
  const Outcome o = c.rcv(seg(c.peer_nxt, kUna, kAck, 1));
  EXPECT_EQ(o.to, State::Established);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kUna, c.peer_nxt)));
  ASSERT_EQ(o.sent.size(), 1u);
  EXPECT_EQ(o.sent[0].wnd, 0u);
  EXPECT_EQ(notices(c.call(ReceiveCall{.max_len = 0})), "delivered 10");
}

// RFC 9293 §3.4: with a zero window a RST at RCV.NXT is still honoured.
// Covers: MUST-66
TEST(Established, ZeroWindowStillHonoursRst) {
  Conn c = established_with_zero_window();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt, kRst));
  EXPECT_EQ(o.to, State::Closed);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(notices(o), "error: connection reset");
}

// RFC 9293 §3.4: the RST check still uses SEG.SEQ alone when the probe carries text.
// Covers: MUST-66
TEST(Established, ZeroWindowStillHonoursRstCarryingData) {
  Conn c = established_with_zero_window();
  const Outcome o = c.rcv(seg(c.peer_nxt, kUna, kRst | kAck, 1));
  EXPECT_EQ(o.to, State::Closed);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
}

// RFC 9293 §3.4 Table 5: zero length, zero window -> acceptable only at RCV.NXT.
TEST(Established, ZeroWindowRstAfterRcvNxtIsDroppedSilently) {
  Conn c = established_with_zero_window();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt + 1, kRst));
  EXPECT_EQ(o.to, State::Established);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::UnacceptableRstDropped) << describe(o);
}

// RFC 9293 §3.4 Table 5: a bare ACK after RCV.NXT fails the zero-window test.
TEST(Established, ZeroWindowAckAfterRcvNxtDrawsAck) {
  Conn c = established_with_zero_window();
  const Outcome o = c.rcv(seg(c.peer_nxt + 1, kUna, kAck));
  EXPECT_EQ(o.to, State::Established);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kUna, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::UnacceptableSegmentAcked) << describe(o);
}

// RFC 9293 §3.4: the ACK field of a probe that cannot be accepted still counts.
// Covers: MUST-66
TEST(Established, ZeroWindowStillProcessesAck) {
  Profile p;
  p.receive_buffer = 10;
  Conn c = established(std::move(p));
  c.call(SendCall{.len = 100});
  c.rcv(seg(c.peer_nxt, kUna, kAck, 10));  // fills the window, acknowledges none of ours
  c.peer_nxt += 10;
  ASSERT_EQ(c.tcb().rcv_wnd, 0u);
  ASSERT_EQ(c.tcb().snd_una, kUna);
  const Outcome o = c.rcv(seg(c.peer_nxt, kUna + 100, kAck, 1));
  EXPECT_EQ(c.tcb().snd_una, kUna + 100);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kUna + 100, c.peer_nxt)));
}

// RFC 9293 §3.4: the URG field of a probe that cannot be accepted still counts.
// Covers: MUST-66, MUST-32
TEST(Established, ZeroWindowStillHonoursUrgent) {
  Conn c = established_with_zero_window();
  const Outcome o = c.rcv(urgent_data(c.peer_nxt, kUna, 1, 1));
  EXPECT_EQ(notices(o), "urgent data");
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt);
}

// RFC 9293 §3.4 Table 5: text after RCV.NXT never fits a zero window.
TEST(Established, ZeroWindowDataAfterRcvNxtDrawsAck) {
  Conn c = established_with_zero_window();
  const Outcome o = c.rcv(seg(c.peer_nxt + 1, kUna, kAck, 1));
  EXPECT_TRUE(sent_exactly(o, ack_seg(kUna, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::UnacceptableSegmentAcked) << describe(o);
}

// ---------------------------------------------------------------------------------------------
// Eighth check: FIN.

// RFC 9293 §3.10.7.4 eighth check: FIN -> CLOSE-WAIT, RCV.NXT over the FIN, ACK, "closing".
TEST(Established, FinMovesToCloseWait) {
  Conn c = established();
  const Outcome o = c.rcv(seg(c.peer_nxt, kUna, kAck | kFin));
  EXPECT_EQ(o.to, State::CloseWait);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt + 1);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kUna, c.peer_nxt + 1)));
  EXPECT_EQ(notices(o), "error: connection closing");
  EXPECT_EQ(o.rule, Rule::FinReceived) << describe(o);
}

// RFC 9293 §3.10.7.4 seventh and eighth checks: text, then the FIN after it, one ACK.
TEST(Established, FinWithDataTakesDataThenCloses) {
  Conn c = established();
  const Outcome o = c.rcv(seg(c.peer_nxt, kUna, kAck | kFin, 10));
  EXPECT_EQ(o.to, State::CloseWait);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt + 11);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kUna, c.peer_nxt + 11)));
}

// RFC 9293 §3.10.7.4 eighth check: pending RECEIVEs are returned with "connection closing".
TEST(Established, FinFailsPendingReceiveWithClosing) {
  Conn c = established();
  c.call(ReceiveCall{.max_len = 100});
  const Outcome o = c.rcv(seg(c.peer_nxt, kUna, kAck | kFin));
  EXPECT_EQ(o.to, State::CloseWait);
  EXPECT_EQ(notices(o), "error: connection closing; error: connection closing");
}

// RFC 9293 §3.10.7.4 seventh and eighth checks: the text fills the RECEIVE first.
TEST(Established, DataBeforeFinCompletesPendingReceive) {
  Conn c = established();
  c.call(ReceiveCall{.max_len = 100});
  const Outcome o = c.rcv(seg(c.peer_nxt, kUna, kAck | kFin, 10));
  EXPECT_EQ(o.to, State::CloseWait);
  EXPECT_EQ(notices(o), "delivered 10; error: connection closing");
}

}  // namespace
}  // namespace tcpfsm::test
