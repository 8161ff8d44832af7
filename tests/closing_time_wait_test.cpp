// SEGMENT ARRIVES in CLOSING and TIME-WAIT (RFC 9293 §3.10.7.4): both FINs have been sent.
//
// closing(): the FINs crossed; our FIN at kLocalIss+1 is unacknowledged, so SND.UNA =
// kLocalIss+1 and SND.NXT = kLocalIss+2. time_wait(): reached through FIN-WAIT-2, SND.UNA =
// SND.NXT = kLocalIss+2. In both, the peer's FIN sat at kRemoteIss+1, so RCV.NXT = kRemoteIss+2
// (c.peer_nxt), and RCV.WND = 65535. time_wait() entered TIME-WAIT at virtual time 0.
#include <string>

#include "support/fixtures.hpp"

namespace tcpfsm::test {
namespace {

const SeqNum kFinSeq = kLocalIss + 1;    // our FIN
const SeqNum kAfterFin = kLocalIss + 2;  // SND.NXT in both states
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

Millis two_msl() {
  return 2ull * Profile{}.msl_ms;
}

Profile rfc1337() {
  Profile p;
  p.time_wait_rst = TimeWaitRst::Ignore;
  return p;
}

Profile reopen() {
  Profile p;
  p.time_wait_syn = TimeWaitSyn::Reopen;
  return p;
}

// TIME-WAIT with the clock moved on, so that a restarted 2MSL timer can be told apart.
Conn time_wait_later(Profile p = Profile{}) {
  Conn c = time_wait(std::move(p));
  EXPECT_EQ(c.ep.deadline(TimerKind::TimeWait), Millis{0} + two_msl());
  c.now = 100'000;
  return c;
}

// =============================================================================================
// CLOSING

// RFC 9293 §3.10.7.4 fifth check: the ACK of our FIN -> TIME-WAIT, 2MSL timer, nothing sent.
TEST(Closing, AckOfFinMovesToTimeWait) {
  Conn c = closing();
  c.now = 3000;
  const Outcome o = c.rcv(seg(c.peer_nxt, kAfterFin, kAck));
  EXPECT_EQ(o.to, State::TimeWait);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::FinAckedEntersTimeWait) << describe(o);
  EXPECT_EQ(c.ep.deadline(TimerKind::TimeWait), c.now + two_msl());
  EXPECT_FALSE(c.ep.deadline(TimerKind::Retransmission).has_value());
}

// RFC 9293 §3.10.7.4 fifth check: otherwise CLOSING ignores the segment.
TEST(Closing, AckNotCoveringFinIsIgnored) {
  Conn c = closing();
  const Outcome o = c.rcv(seg(c.peer_nxt, kFinSeq, kAck));
  EXPECT_EQ(o.to, State::Closing);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::ClosingIgnoresOtherSegments) << describe(o);
}

// RFC 9293 §3.10.7.4 first check: the peer's FIN again is answered with an ACK.
TEST(Closing, RetransmittedFinIsAcked) {
  Conn c = closing();
  const Outcome o = c.rcv(seg(c.peer_nxt - 1, kFinSeq, kAck | kFin));
  EXPECT_EQ(o.to, State::Closing);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::UnacceptableSegmentAcked) << describe(o);
}

// RFC 9293 §3.10.7.4 first check comes first (digest I5): a retransmitted FIN that also
// acknowledges our FIN is unacceptable, so only the ACK goes out and the state stays.
TEST(Closing, RetransmittedFinCarryingAckOfOurFinIsOnlyAcked) {
  Conn c = closing();
  const Outcome o = c.rcv(seg(c.peer_nxt - 1, kAfterFin, kAck | kFin));
  EXPECT_EQ(o.to, State::Closing);
  EXPECT_EQ(c.tcb().snd_una, kFinSeq);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt)));
}

// RFC 9293 §3.10.7.4 seventh check: text is ignored.
TEST(Closing, DataIsIgnored) {
  Conn c = closing();
  const Outcome o = c.rcv(seg(c.peer_nxt, kFinSeq, kAck, 10));
  EXPECT_EQ(o.to, State::Closing);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
}

// C13 / digest I13: CLOSING can be entered while our FIN still waits behind data that a zero
// send window holds back. The window-opening ACK is otherwise ignored, but the ESTABLISHED
// processing (window update) applies, and the queued data and FIN must then go out.
TEST(Closing, QueuedDataAndFinGoOutWhenWindowOpens) {
  Conn c = established();
  c.rcv(seg(c.peer_nxt, kLocalIss + 1, kAck, 0, /*wnd=*/0));
  c.call(SendCall{.len = 10});
  c.call(CloseCall{});
  ASSERT_EQ(c.state(), State::FinWait1);
  ASSERT_EQ(c.snd_nxt(), kLocalIss + 1);  // neither the data nor the FIN has gone out
  const Outcome fin = c.rcv(seg(c.peer_nxt, kLocalIss + 1, kAck | kFin, 0, /*wnd=*/0));
  c.peer_nxt += 1;
  ASSERT_EQ(fin.to, State::Closing);

  const Outcome o = c.rcv(seg(c.peer_nxt, kLocalIss + 1, kAck, 0, kPeerWnd));
  std::vector<Segment> sent = o.sent;
  for (const Outcome& t : c.ep.advance_to(c.now + 60'000)) {
    sent.insert(sent.end(), t.sent.begin(), t.sent.end());
  }
  bool data_from_una = false;
  bool fin_after_data = false;
  for (const Segment& s : sent) {
    if (s.seq == kLocalIss + 1 && s.len > 0) data_from_una = true;
    if (s.fin() && s.seq + s.len == kLocalIss + 11) fin_after_data = true;
  }
  EXPECT_TRUE(data_from_una) << describe(o);
  EXPECT_TRUE(fin_after_data) << describe(o);
  EXPECT_EQ(c.state(), State::Closing);
}

// RFC 9293 §3.10.7.4 second check: exact RST -> CLOSED; no user signal in CLOSING.
TEST(Closing, RstAtRcvNxtCloses) {
  Conn c = closing();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt, kRst));
  EXPECT_EQ(o.to, State::Closed);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(notices(o), "");
  EXPECT_EQ(o.rule, Rule::RstClosesConnection) << describe(o);
}

// C25: a RST at the peer's FIN (RCV.NXT-1) is outside the window: dropped silently.
TEST(Closing, RstAtPeerFinSequenceIsDroppedSilently) {
  Conn c = closing();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt - 1, kRst));
  EXPECT_EQ(o.to, State::Closing);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::UnacceptableRstDropped) << describe(o);
}

// C25 without RFC 5961.
TEST(Closing, LegacyRstAtPeerFinSequenceIsDroppedSilently) {
  Conn c = closing(Profile::legacy_rfc793());
  const Outcome o = c.rcv(seg_noack(c.peer_nxt - 1, kRst));
  EXPECT_EQ(o.to, State::Closing);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
}

// RFC 9293 §3.10.7.4 second check, RFC 5961 §3.2.
TEST(Closing, RstInWindowDrawsChallengeAck) {
  Conn c = closing();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt + 2, kRst));
  EXPECT_EQ(o.to, State::Closing);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::RstChallengeAck) << describe(o);
}

// RFC 9293 §3.10.7.4 first check.
TEST(Closing, RstOutsideWindowIsDroppedSilently) {
  Conn c = closing();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt + kWnd, kRst));
  EXPECT_EQ(o.to, State::Closing);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
}

// RFC 9293 §3.10.7.4 second check without RFC 5961.
TEST(Closing, LegacyRstInWindowCloses) {
  Conn c = closing(Profile::legacy_rfc793());
  const Outcome o = c.rcv(seg_noack(c.peer_nxt + 2, kRst));
  EXPECT_EQ(o.to, State::Closed);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::RstClosesConnection) << describe(o);
}

// RFC 9293 §3.10.7.4 fourth check, RFC 5961 §4.2.
TEST(Closing, SynDrawsChallengeAck) {
  Conn c = closing();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt + 2, kSyn));
  EXPECT_EQ(o.to, State::Closing);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::SynChallengeAck) << describe(o);
}

// RFC 9293 §3.10.7.4 fourth check, RFC 793 text: RST(0), CLOSED.
TEST(Closing, LegacyInWindowSynResetsAndCloses) {
  Conn c = closing(Profile::legacy_rfc793());
  const Outcome o = c.rcv(seg_noack(c.peer_nxt + 2, kSyn));
  EXPECT_EQ(o.to, State::Closed);
  EXPECT_TRUE(sent_exactly(o, rst_for_syn(c.peer_nxt + 2)));
  EXPECT_EQ(o.rule, Rule::SynResetsConnection) << describe(o);
}

// RFC 9293 §3.10.7.4 fourth check, RFC 793 text: the user is told "connection reset" in every
// synchronized state, CLOSING included.
TEST(Closing, LegacyInWindowSynSignalsReset) {
  Conn c = closing(Profile::legacy_rfc793());
  const Outcome o = c.rcv(seg_noack(c.peer_nxt + 2, kSyn));
  EXPECT_EQ(notices(o), "error: connection reset");
}

// RFC 9293 §3.10.7.4 fifth check (C11).
TEST(Closing, SegmentWithoutAckIsDropped) {
  Conn c = closing();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt, 0, 10));
  EXPECT_EQ(o.to, State::Closing);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::NoAckDropped) << describe(o);
}

// RFC 9293 §3.10.7.4 fifth check: SEG.ACK > SND.NXT -> ACK, drop; it does not ack our FIN.
TEST(Closing, AckAboveSndNxtDrawsAck) {
  Conn c = closing();
  const Outcome o = c.rcv(seg(c.peer_nxt, kAfterFin + 1, kAck));
  EXPECT_EQ(o.to, State::Closing);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::AckOfUnsentDataAcked) << describe(o);
}

// RFC 5961 §5.2.
// Covers: MAY-12
TEST(Closing, AckBelowMaxWindowIsAnswered) {
  Conn c = closing();
  const Outcome o = c.rcv(seg(c.peer_nxt, kFinSeq - (kPeerWnd + 1), kAck));
  EXPECT_EQ(o.to, State::Closing);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::AckTooOldAcked) << describe(o);
}

// =============================================================================================
// TIME-WAIT

// C16, RFC 9293 §3.10.7.4 first, fifth and eighth checks: the peer's FIN again (our last ACK
// was lost) is acknowledged and TIME-WAIT lasts another 2MSL from now.
// Covers: MUST-13
TEST(TimeWait, RetransmittedFinIsAckedAndRestartsTimer) {
  Conn c = time_wait_later();
  const Outcome o = c.rcv(seg(c.peer_nxt - 1, kAfterFin, kAck | kFin));
  EXPECT_EQ(o.to, State::TimeWait);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt)));
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt);
  EXPECT_EQ(c.ep.deadline(TimerKind::TimeWait), c.now + two_msl());
  EXPECT_EQ(o.rule, Rule::TimeWaitAcksRetransmittedFin) << describe(o);
}

// RFC 9293 §3.10.7.4 eighth check: a FIN at RCV.NXT is acknowledged, 2MSL restarted, and
// RCV.NXT is not moved a second time.
// Covers: MUST-13
TEST(TimeWait, FinAtRcvNxtIsAckedAndRestartsTimer) {
  Conn c = time_wait_later();
  const Outcome o = c.rcv(seg(c.peer_nxt, kAfterFin, kAck | kFin));
  EXPECT_EQ(o.to, State::TimeWait);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt)));
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt);
  EXPECT_EQ(c.ep.deadline(TimerKind::TimeWait), c.now + two_msl());
  EXPECT_EQ(o.rule, Rule::TimeWaitFinRestartsTimer) << describe(o);
}

// Digest §1.5 step 5 [I]: an in-window duplicate ACK is ignored; the timer runs on.
TEST(TimeWait, DuplicateAckIsIgnored) {
  Conn c = time_wait_later();
  const Outcome o = c.rcv(seg(c.peer_nxt, kAfterFin, kAck));
  EXPECT_EQ(o.to, State::TimeWait);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(c.ep.deadline(TimerKind::TimeWait), Millis{0} + two_msl());
}

// RFC 9293 §3.10.7.4 seventh check: text is ignored.
TEST(TimeWait, DataIsIgnored) {
  Conn c = time_wait_later();
  const Outcome o = c.rcv(seg(c.peer_nxt, kAfterFin, kAck, 10));
  EXPECT_EQ(o.to, State::TimeWait);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(c.ep.deadline(TimerKind::TimeWait), Millis{0} + two_msl());
}

// C17, RFC 9293 §3.10.7.4 second check (default): an exact RST ends TIME-WAIT.
TEST(TimeWait, RstAtRcvNxtCloses) {
  Conn c = time_wait_later();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt, kRst));
  EXPECT_EQ(o.to, State::Closed);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(notices(o), "");
  EXPECT_EQ(o.rule, Rule::RstClosesConnection) << describe(o);
}

// C17, RFC 1337 fix F1 (Profile time_wait_rst = Ignore): the RST is ignored, 2MSL runs on.
TEST(TimeWait, RstAtRcvNxtIsIgnoredUnderRfc1337) {
  Conn c = time_wait_later(rfc1337());
  const Outcome o = c.rcv(seg_noack(c.peer_nxt, kRst));
  EXPECT_EQ(o.to, State::TimeWait);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::TimeWaitIgnoresRst) << describe(o);
  EXPECT_EQ(c.ep.deadline(TimerKind::TimeWait), Millis{0} + two_msl());
}

// C17 without RFC 5961: F1 ignores any in-window RST as well.
TEST(TimeWait, LegacyRstInWindowIsIgnoredUnderRfc1337) {
  Profile p = Profile::legacy_rfc793();
  p.time_wait_rst = TimeWaitRst::Ignore;
  Conn c = time_wait_later(std::move(p));
  const Outcome o = c.rcv(seg_noack(c.peer_nxt + 100, kRst));
  EXPECT_EQ(o.to, State::TimeWait);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::TimeWaitIgnoresRst) << describe(o);
}

// RFC 9293 §3.10.7.4 second check, RFC 5961 §3.2.
TEST(TimeWait, RstInWindowDrawsChallengeAck) {
  Conn c = time_wait_later();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt + 100, kRst));
  EXPECT_EQ(o.to, State::TimeWait);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::RstChallengeAck) << describe(o);
}

// C25: a RST at the peer's FIN (RCV.NXT-1) is outside the window: dropped silently.
TEST(TimeWait, RstAtPeerFinSequenceIsDroppedSilently) {
  Conn c = time_wait_later();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt - 1, kRst));
  EXPECT_EQ(o.to, State::TimeWait);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::UnacceptableRstDropped) << describe(o);
}

// RFC 9293 §3.10.7.4 first check.
TEST(TimeWait, RstOutsideWindowIsDroppedSilently) {
  Conn c = time_wait_later();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt + kWnd, kRst));
  EXPECT_EQ(o.to, State::TimeWait);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
}

// RFC 9293 §3.10.7.4 second check without RFC 5961.
TEST(TimeWait, LegacyRstInWindowCloses) {
  Conn c = time_wait_later(Profile::legacy_rfc793());
  const Outcome o = c.rcv(seg_noack(c.peer_nxt + 100, kRst));
  EXPECT_EQ(o.to, State::Closed);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::RstClosesConnection) << describe(o);
}

// C18, RFC 9293 §3.10.7.4 fourth check (default TimeWaitSyn::ChallengeAck).
TEST(TimeWait, SynDrawsChallengeAck) {
  Conn c = time_wait_later();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt + 1000, kSyn));
  EXPECT_EQ(o.to, State::TimeWait);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::SynChallengeAck) << describe(o);
}

// RFC 9293 §3.10.7.4 first check: the old incarnation's SYN again draws a plain ACK.
TEST(TimeWait, OldSynBeforeWindowDrawsAck) {
  Conn c = time_wait_later();
  const Outcome o = c.rcv(seg_noack(kRemoteIss, kSyn));
  EXPECT_EQ(o.to, State::TimeWait);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::UnacceptableSegmentAcked) << describe(o);
}

// RFC 9293 §3.10.7.4 fourth check, RFC 793 text: RST(0), CLOSED.
TEST(TimeWait, LegacyInWindowSynResetsAndCloses) {
  Conn c = time_wait_later(Profile::legacy_rfc793());
  const Outcome o = c.rcv(seg_noack(c.peer_nxt + 1000, kSyn));
  EXPECT_EQ(o.to, State::Closed);
  EXPECT_TRUE(sent_exactly(o, rst_for_syn(c.peer_nxt + 1000)));
  EXPECT_EQ(o.rule, Rule::SynResetsConnection) << describe(o);
}

// RFC 9293 §3.10.7.4 fourth check, RFC 793 text: the "connection reset" signal is listed for
// every synchronized state, TIME-WAIT included.
TEST(TimeWait, LegacyInWindowSynSignalsReset) {
  Conn c = time_wait_later(Profile::legacy_rfc793());
  const Outcome o = c.rcv(seg_noack(c.peer_nxt + 1000, kSyn));
  EXPECT_EQ(notices(o), "error: connection reset");
}

// C18, RFC 9293 §3.6.1 (TimeWaitSyn::Reopen): a SYN above RCV.NXT opens a new incarnation in
// SYN-RECEIVED, with an ISS above everything the old one sent.
// Covers: MAY-2
TEST(TimeWait, ReopenSynAboveRcvNxtStartsNewIncarnation) {
  Conn c = time_wait_later(reopen());
  const SeqNum syn_seq = c.peer_nxt + 1000;
  const Outcome o = c.rcv(seg_noack(syn_seq, kSyn));
  EXPECT_EQ(o.to, State::SynReceived);
  ASSERT_EQ(o.sent.size(), 1u) << describe(o);
  const Segment& synack = o.sent[0];
  EXPECT_EQ(synack.ctl, kSyn | kAck) << describe(o);
  EXPECT_EQ(synack.ack, syn_seq + 1);
  EXPECT_TRUE(seq_gt(synack.seq, kAfterFin)) << to_string(synack.seq);
  EXPECT_TRUE(c.tcb().from_time_wait);
  EXPECT_EQ(o.rule, Rule::TimeWaitSynReopens) << describe(o);
}

// RFC 9293 §3.6.1 condition 2: if the SYN-ACK draws an exact RST, the SYN was an old
// duplicate; the old connection goes back to TIME-WAIT.
// Covers: MAY-2
TEST(TimeWait, ReopenedIncarnationReturnsToTimeWaitOnExactRst) {
  Conn c = time_wait_later(reopen());
  const SeqNum syn_seq = c.peer_nxt + 1000;
  c.rcv(seg_noack(syn_seq, kSyn));
  ASSERT_EQ(c.state(), State::SynReceived);
  const Outcome o = c.rcv(seg_noack(syn_seq + 1, kRst));
  EXPECT_EQ(o.to, State::TimeWait);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::RstReturnsToTimeWait) << describe(o);
  EXPECT_EQ(c.rcv_nxt(), c.peer_nxt);
  EXPECT_EQ(c.snd_nxt(), kAfterFin);
  EXPECT_TRUE(c.ep.deadline(TimerKind::TimeWait).has_value());
}

// The reopened incarnation completes its handshake normally.
// Covers: MAY-2
TEST(TimeWait, ReopenedIncarnationCompletesHandshake) {
  Conn c = time_wait_later(reopen());
  const SeqNum syn_seq = c.peer_nxt + 1000;
  const Outcome opened = c.rcv(seg_noack(syn_seq, kSyn));
  ASSERT_EQ(opened.sent.size(), 1u);
  const SeqNum iss = opened.sent[0].seq;
  const Outcome o = c.rcv(seg(syn_seq + 1, iss + 1, kAck));
  EXPECT_EQ(o.to, State::Established);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
}

// The reopen test looks at the SYN itself, not at the window: a SYN beyond it reopens too.
// Covers: MAY-2
TEST(TimeWait, ReopenSynBeyondWindowAlsoStartsNewIncarnation) {
  Conn c = time_wait_later(reopen());
  const SeqNum syn_seq = c.peer_nxt + kWnd + 10;
  const Outcome o = c.rcv(seg_noack(syn_seq, kSyn));
  EXPECT_EQ(o.to, State::SynReceived);
  ASSERT_EQ(o.sent.size(), 1u) << describe(o);
  EXPECT_EQ(o.sent[0].ack, syn_seq + 1);
}

// TimeWaitSyn::Reopen needs SEG.SEQ above RCV.NXT (docs/model.md): a SYN at RCV.NXT is
// challenged as usual.
TEST(TimeWait, ReopenProfileChallengesSynAtRcvNxt) {
  Conn c = time_wait_later(reopen());
  const Outcome o = c.rcv(seg_noack(c.peer_nxt, kSyn));
  EXPECT_EQ(o.to, State::TimeWait);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::SynChallengeAck) << describe(o);
}

// TimeWaitSyn::Reopen applies to a new connection's SYN, which carries no ACK.
TEST(TimeWait, ReopenProfileChallengesSynWithAck) {
  Conn c = time_wait_later(reopen());
  const Outcome o = c.rcv(seg(c.peer_nxt + 1000, kAfterFin, kSyn | kAck));
  EXPECT_EQ(o.to, State::TimeWait);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::SynChallengeAck) << describe(o);
}

// RFC 9293 §3.10.7.4 fifth check (C11).
TEST(TimeWait, SegmentWithoutAckIsDropped) {
  Conn c = time_wait_later();
  const Outcome o = c.rcv(seg_noack(c.peer_nxt, kFin));
  EXPECT_EQ(o.to, State::TimeWait);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::NoAckDropped) << describe(o);
  EXPECT_EQ(c.ep.deadline(TimerKind::TimeWait), Millis{0} + two_msl());
}

// §3.5.2 group 3: an ACK of something never sent -> ACK, no state change.
TEST(TimeWait, AckAboveSndNxtDrawsAck) {
  Conn c = time_wait_later();
  const Outcome o = c.rcv(seg(c.peer_nxt, kAfterFin + 1, kAck));
  EXPECT_EQ(o.to, State::TimeWait);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::AckOfUnsentDataAcked) << describe(o);
}

// RFC 5961 §5.2.
// Covers: MAY-12
TEST(TimeWait, AckBelowMaxWindowIsAnswered) {
  Conn c = time_wait_later();
  const Outcome o = c.rcv(seg(c.peer_nxt, kAfterFin - (kPeerWnd + 1), kAck));
  EXPECT_EQ(o.to, State::TimeWait);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kAfterFin, c.peer_nxt)));
  EXPECT_EQ(o.rule, Rule::AckTooOldAcked) << describe(o);
}

}  // namespace
}  // namespace tcpfsm::test
