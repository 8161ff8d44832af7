// SEGMENT ARRIVES in CLOSE-WAIT and LAST-ACK (RFC 9293 §3.10.7.4): the peer has sent its FIN.
//
// close_wait(): the peer's FIN sat at kRemoteIss+1, so RCV.NXT = kRemoteIss+2 (c.peer_nxt);
// SND.UNA = SND.NXT = kLocalIss+1. last_ack(): the same plus our FIN at kLocalIss+1, so
// SND.UNA = kLocalIss+1 and SND.NXT = kLocalIss+2. RCV.WND = 65535 in both.
#include <string>

#include "support/fixtures.hpp"

namespace tcpfsm::test {
namespace {

const SeqNum kOurNxt = kLocalIss + 1;    // CLOSE-WAIT: SND.UNA = SND.NXT
const SeqNum kFinSeq = kLocalIss + 1;    // LAST-ACK: our FIN
const SeqNum kAfterFin = kLocalIss + 2;  // LAST-ACK: SND.NXT
const std::uint32_t kWnd = 65535;

Segment ack_seg(SeqNum seq, SeqNum ack) {
  return Segment{.seq = seq, .ack = ack, .ctl = kAck};
}
Segment rst_for_syn(SeqNum syn_seq) {
  return Segment{.seq = SeqNum(0), .ack = syn_seq + 1, .ctl = kRst | kAck};
}

std::string notices(const Outcome& o) {
  std::string s;
  for (const Notice& n : o.notices) {
    if (!s.empty()) s += "; ";
    s += to_string(n);
  }
  return s;
}

// =============================================================================================
// CLOSE-WAIT

// RFC 9293 §3.10.7.4 first check: the peer's FIN again (it missed our ACK) is before RCV.NXT.
TEST(CloseWait, RetransmittedFinIsAcked) {
  Conn c = close_wait();
  const Outcome o = c.rcv(seg(c.peer_nxt - 1, kOurNxt, kAck | kFin));
  EXPECT_EQ(o.to, State::CloseWait);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kOurNxt, c.peer_nxt)));
  EXPECT_EQ(notices(o), "");
  EXPECT_EQ(o.rule, Rule::UnacceptableSegmentAcked) << describe(o);
}

// RFC 9293 §3.10.7.4 seventh check: text after the peer's FIN is ignored.
TEST(CloseWait, DataAfterPeerFinIsIgnored) {
  Conn c = close_wait();
  const Outcome o = c.rcv(seg(c.peer_nxt, kOurNxt, kAck, 10));
  EXPECT_EQ(o.to, State::CloseWait);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(notices(o), "");
  EXPECT_EQ(o.rule, Rule::TextIgnoredAfterPeerFin) << describe(o);
}

// RFC 9293 §3.10.7.4 sixth check: URG after the peer's FIN is ignored.
TEST(CloseWait, UrgentAfterPeerFinIsIgnored) {
  Conn c = close_wait();
  Segment s = seg(c.peer_nxt, kOurNxt, kAck | kUrg, 10);
  s.up = 5;
  const Outcome o = c.rcv(s);
  EXPECT_EQ(o.to, State::CloseWait);
  EXPECT_EQ(notices(o), "");
}

// RFC 9293 §3.10.7.4 eighth check: a FIN at RCV.NXT again is acknowledged; RCV.NXT stays put
// (the digest's [I] choice that keeps RCV.NXT = IRS + 1 + octets + 1).
TEST(CloseWait, SecondFinAtRcvNxtIsAckedWithoutAdvancing) {
  Conn c = close_wait();
  const Outcome o = c.rcv(seg(c.peer_nxt, kOurNxt, kAck | kFin));
  EXPECT_EQ(o.to, State::CloseWait);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kOurNxt, c.peer_nxt)));
  EXPECT_EQ(notices(o), "");
  EXPECT_EQ(o.rule, Rule::FinRepeatedAcked) << describe(o);
}

// RFC 9293 §3.10.7.4 fifth check: CLOSE-WAIT processes ACKs as ESTABLISHED does.
TEST(CloseWait, AckOfSentDataAdvancesSndUna) {
  Conn c = close_wait();
  c.call(SendCall{.len = 100});
  ASSERT_EQ(c.snd_nxt(), kOurNxt + 100);
  const Outcome o = c.rcv(seg(c.peer_nxt, kOurNxt + 100, kAck));
  EXPECT_EQ(o.to, State::CloseWait);
  EXPECT_EQ(c.tcb().snd_una, kOurNxt + 100);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::AckProcessed) << describe(o);
}

// RFC 9293 §3.10.7.4 fifth check: the window update rule applies in CLOSE-WAIT.
TEST(CloseWait, WindowUpdateIsApplied) {
  Conn c = close_wait();
  c.rcv(seg(c.peer_nxt, kOurNxt, kAck, 0, 1000));
  EXPECT_EQ(c.tcb().snd_wnd, 1000u);
}

// RFC 9293 §3.10.7.4 fifth check: a duplicate ACK is ignored and not answered.
TEST(CloseWait, DuplicateAckIsNotAnswered) {
  Conn c = close_wait();
  const Outcome o = c.rcv(seg(c.peer_nxt, kOurNxt, kAck));
  EXPECT_EQ(o.to, State::CloseWait);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
}

// RFC 9293 §3.10.7.4 second check: exact RST -> CLOSED, "connection reset".
// Covers: MUST-12
TEST(CloseWait, RstAtRcvNxtResetsConnection) {
  Conn c = close_wait();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt, kRst));
  EXPECT_EQ(o.to, State::Closed);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(notices(o), "error: connection reset");
  EXPECT_EQ(o.rule, Rule::RstResetsConnection) << describe(o);
}

// C25: a RST at the FIN's number (RCV.NXT-1) is left of the window: dropped, no answer.
TEST(CloseWait, RstAtPeerFinSequenceIsDroppedSilently) {
  Conn c = close_wait();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt - 1, kRst));
  EXPECT_EQ(o.to, State::CloseWait);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::UnacceptableRstDropped) << describe(o);
}

// C25 without RFC 5961: still outside the window, still dropped.
TEST(CloseWait, LegacyRstAtPeerFinSequenceIsDroppedSilently) {
  Conn c = close_wait(Profile::legacy_rfc793());
  const Outcome o = c.rcv(seg_noack(c.peer_nxt - 1, kRst));
  EXPECT_EQ(o.to, State::CloseWait);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::UnacceptableRstDropped) << describe(o);
}

// RFC 9293 §3.10.7.4 second check, RFC 5961 §3.2.
TEST(CloseWait, RstInWindowDrawsChallengeAck) {
  Conn c = close_wait();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt + 1, kRst));
  EXPECT_EQ(o.to, State::CloseWait);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kOurNxt, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::RstChallengeAck) << describe(o);
}

// RFC 9293 §3.10.7.4 first check.
TEST(CloseWait, RstOutsideWindowIsDroppedSilently) {
  Conn c = close_wait();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt + kWnd, kRst));
  EXPECT_EQ(o.to, State::CloseWait);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
}

// RFC 9293 §3.10.7.4 second check without RFC 5961.
// Covers: MUST-12
TEST(CloseWait, LegacyRstInWindowResetsConnection) {
  Conn c = close_wait(Profile::legacy_rfc793());
  const Outcome o = c.rcv(seg_noack(c.peer_nxt + 1, kRst));
  EXPECT_EQ(o.to, State::Closed);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(notices(o), "error: connection reset");
}

// RFC 9293 §3.10.7.4 fourth check, RFC 5961 §4.2.
TEST(CloseWait, SynDrawsChallengeAck) {
  Conn c = close_wait();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt + 3, kSyn));
  EXPECT_EQ(o.to, State::CloseWait);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kOurNxt, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::SynChallengeAck) << describe(o);
}

// RFC 9293 §3.10.7.4 fourth check, RFC 793 text.
TEST(CloseWait, LegacyInWindowSynResetsAndCloses) {
  Conn c = close_wait(Profile::legacy_rfc793());
  const SeqNum syn_seq = c.peer_nxt + 3;
  const Outcome o = c.rcv(seg_noack(syn_seq, kSyn));
  EXPECT_EQ(o.to, State::Closed);
  EXPECT_TRUE(sent_exactly(o, rst_for_syn(syn_seq)));
  EXPECT_EQ(notices(o), "error: connection reset");
  EXPECT_EQ(o.rule, Rule::SynResetsConnection) << describe(o);
}

// RFC 9293 §3.10.7.4 fifth check (C11).
TEST(CloseWait, SegmentWithoutAckIsDropped) {
  Conn c = close_wait();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt, kFin));
  EXPECT_EQ(o.to, State::CloseWait);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::NoAckDropped) << describe(o);
}

// RFC 9293 §3.10.7.4 fifth check: SEG.ACK > SND.NXT -> ACK, drop.
TEST(CloseWait, AckAboveSndNxtDrawsAck) {
  Conn c = close_wait();
  const Outcome o = c.rcv(seg(c.peer_nxt, kOurNxt + 1, kAck));
  EXPECT_EQ(o.to, State::CloseWait);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kOurNxt, c.peer_nxt)));
  EXPECT_EQ(c.tcb().snd_una, kOurNxt);
  EXPECT_EQ(o.rule, Rule::AckOfUnsentDataAcked) << describe(o);
}

// RFC 5961 §5.2.
// Covers: MAY-12
TEST(CloseWait, AckBelowMaxWindowIsAnswered) {
  Conn c = close_wait();
  const Outcome o = c.rcv(seg(c.peer_nxt, kOurNxt - (kPeerWnd + 1), kAck));
  EXPECT_EQ(o.to, State::CloseWait);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kOurNxt, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::AckTooOldAcked) << describe(o);
}

// =============================================================================================
// LAST-ACK

// RFC 9293 §3.10.7.4 fifth check: the ACK of our FIN ends the connection; nothing is sent.
TEST(LastAck, AckOfFinCloses) {
  Conn c = last_ack();
  const Outcome o = c.rcv(seg(c.peer_nxt, kAfterFin, kAck));
  EXPECT_EQ(o.to, State::Closed);
  EXPECT_EQ(c.state(), State::Closed);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(notices(o), "");
  EXPECT_EQ(o.rule, Rule::FinAckedCloses) << describe(o);
}

// RFC 9293 §3.10.7.4 fifth check: anything but the ACK of our FIN leaves LAST-ACK as it is.
TEST(LastAck, AckNotCoveringFinIsIgnored) {
  Conn c = last_ack();
  const Outcome o = c.rcv(seg(c.peer_nxt, kFinSeq, kAck));
  EXPECT_EQ(o.to, State::LastAck);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::LastAckIgnoresOtherSegments) << describe(o);
}

// Digest §1.5 step 5 [I]: an ACK of our data, short of the FIN, still moves SND.UNA.
TEST(LastAck, PartialAckAdvancesSndUnaThenFinAckCloses) {
  Conn c = close_wait();
  c.call(SendCall{.len = 100});
  c.call(CloseCall{});
  ASSERT_EQ(c.state(), State::LastAck);
  ASSERT_EQ(c.snd_nxt(), kLocalIss + 102);  // our FIN at kLocalIss+101
  const Outcome partial = c.rcv(seg(c.peer_nxt, kLocalIss + 101, kAck));
  EXPECT_EQ(partial.to, State::LastAck);
  EXPECT_EQ(c.tcb().snd_una, kLocalIss + 101);
  EXPECT_TRUE(sent_nothing(partial)) << describe(partial);
  const Outcome o = c.rcv(seg(c.peer_nxt, kLocalIss + 102, kAck));
  EXPECT_EQ(o.to, State::Closed);
}

// RFC 9293 §3.10.7.4 first check: the peer's FIN again is answered with an ACK.
TEST(LastAck, RetransmittedFinIsAcked) {
  Conn c = last_ack();
  const Outcome o = c.rcv(seg(c.peer_nxt - 1, kFinSeq, kAck | kFin));
  EXPECT_EQ(o.to, State::LastAck);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::UnacceptableSegmentAcked) << describe(o);
}

// RFC 9293 §3.10.7.4 seventh check: text is ignored.
TEST(LastAck, DataIsIgnored) {
  Conn c = last_ack();
  const Outcome o = c.rcv(seg(c.peer_nxt, kFinSeq, kAck, 10));
  EXPECT_EQ(o.to, State::LastAck);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
}

// RFC 9293 §3.10.7.4 second check: exact RST -> CLOSED; no user signal in LAST-ACK.
TEST(LastAck, RstAtRcvNxtCloses) {
  Conn c = last_ack();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt, kRst));
  EXPECT_EQ(o.to, State::Closed);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(notices(o), "");
  EXPECT_EQ(o.rule, Rule::RstClosesConnection) << describe(o);
}

// C25: a RST at the peer's FIN (RCV.NXT-1) is outside the window: dropped silently.
TEST(LastAck, RstAtPeerFinSequenceIsDroppedSilently) {
  Conn c = last_ack();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt - 1, kRst));
  EXPECT_EQ(o.to, State::LastAck);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::UnacceptableRstDropped) << describe(o);
}

// C25 without RFC 5961.
TEST(LastAck, LegacyRstAtPeerFinSequenceIsDroppedSilently) {
  Conn c = last_ack(Profile::legacy_rfc793());
  const Outcome o = c.rcv(seg_noack(c.peer_nxt - 1, kRst));
  EXPECT_EQ(o.to, State::LastAck);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
}

// RFC 9293 §3.10.7.4 second check, RFC 5961 §3.2.
TEST(LastAck, RstInWindowDrawsChallengeAck) {
  Conn c = last_ack();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt + 1, kRst));
  EXPECT_EQ(o.to, State::LastAck);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::RstChallengeAck) << describe(o);
}

// RFC 9293 §3.10.7.4 second check without RFC 5961.
TEST(LastAck, LegacyRstInWindowCloses) {
  Conn c = last_ack(Profile::legacy_rfc793());
  const Outcome o = c.rcv(seg_noack(c.peer_nxt + 1, kRst));
  EXPECT_EQ(o.to, State::Closed);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::RstClosesConnection) << describe(o);
}

// RFC 9293 §3.10.7.4 fourth check, RFC 5961 §4.2.
TEST(LastAck, SynDrawsChallengeAck) {
  Conn c = last_ack();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt, kSyn));
  EXPECT_EQ(o.to, State::LastAck);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::SynChallengeAck) << describe(o);
}

// RFC 9293 §3.10.7.4 fourth check, RFC 793 text: RST(0), CLOSED.
TEST(LastAck, LegacyInWindowSynResetsAndCloses) {
  Conn c = last_ack(Profile::legacy_rfc793());
  const Outcome o = c.rcv(seg_noack(c.peer_nxt, kSyn));
  EXPECT_EQ(o.to, State::Closed);
  EXPECT_TRUE(sent_exactly(o, rst_for_syn(c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::SynResetsConnection) << describe(o);
}

// RFC 9293 §3.10.7.4 fourth check, RFC 793 text: the list of states for the in-window SYN
// includes LAST-ACK, and the user gets the unsolicited "connection reset" signal.
TEST(LastAck, LegacyInWindowSynSignalsReset) {
  Conn c = last_ack(Profile::legacy_rfc793());
  const Outcome o = c.rcv(seg_noack(c.peer_nxt, kSyn));
  EXPECT_EQ(notices(o), "error: connection reset");
}

// RFC 9293 §3.10.7.4 fifth check (C11).
TEST(LastAck, SegmentWithoutAckIsDropped) {
  Conn c = last_ack();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt, 0, 10));
  EXPECT_EQ(o.to, State::LastAck);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::NoAckDropped) << describe(o);
}

// §3.5.2 group 3 and §3.10.7.4 fifth check: an ACK of something never sent -> ACK, stay.
TEST(LastAck, AckAboveSndNxtDrawsAck) {
  Conn c = last_ack();
  const Outcome o = c.rcv(seg(c.peer_nxt, kAfterFin + 1, kAck));
  EXPECT_EQ(o.to, State::LastAck);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::AckOfUnsentDataAcked) << describe(o);
}

// RFC 5961 §5.2.
// Covers: MAY-12
TEST(LastAck, AckBelowMaxWindowIsAnswered) {
  Conn c = last_ack();
  const Outcome o = c.rcv(seg(c.peer_nxt, kFinSeq - (kPeerWnd + 1), kAck));
  EXPECT_EQ(o.to, State::LastAck);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::AckTooOldAcked) << describe(o);
}

}  // namespace
}  // namespace tcpfsm::test
