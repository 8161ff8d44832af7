// SEGMENT ARRIVES in SYN-SENT (RFC 9293 §3.10.7.3; digest §1.4, §4b, §4c, C1, C2, C5, C6, C20,
// C29). Order of the checks: ACK, then RST, then SYN, then everything else is dropped.
// In the fixture ISS = kLocalIss, SND.UNA = ISS and SND.NXT = ISS+1.
#include "support/fixtures.hpp"

namespace tcpfsm::test {
namespace {

// RST(a): the reply to a segment that carries an ACK, <SEQ=SEG.ACK><CTL=RST>.
Segment rst_a(SeqNum seg_ack) {
  return Segment{.seq = seg_ack, .ctl = kRst};
}
Segment syn_ack(SeqNum iss, SeqNum rcv_nxt) {
  return Segment{.seq = iss, .ack = rcv_nxt, .ctl = kSyn | kAck};
}
Segment ack_of(SeqNum seq, SeqNum ack) {
  return Segment{.seq = seq, .ack = ack, .ctl = kAck};
}

// Steps a SYN-SENT endpoint with a segment that must leave it as it was: still SYN-SENT, no TCB
// change (IRS stays undefined), nothing told to the user.
Outcome syn_sent_unchanged(Conn& c, const Segment& s) {
  const Tcb before = c.tcb();
  Outcome o = c.rcv(s);
  EXPECT_EQ(o.from, State::SynSent) << describe(o);
  EXPECT_EQ(o.to, State::SynSent) << describe(o);
  EXPECT_TRUE(o.notices.empty()) << describe(o);
  EXPECT_EQ(c.tcb(), before);
  EXPECT_FALSE(c.tcb().irs_defined);
  return o;
}

// --- first check: ACK ---

// RFC 9293 §3.10.7.3, first check: SEG.ACK =< ISS acknowledges nothing we sent (C6).
TEST(SynSent, AckEqualToIssDrawsRstAndStays) {
  Conn c = syn_sent();
  const Outcome o = syn_sent_unchanged(c, seg(kRemoteIss, kLocalIss, kAck));
  EXPECT_TRUE(sent_exactly(o, rst_a(kLocalIss)));
  EXPECT_EQ(o.rule, Rule::SynSentResetsBadAck);
}

TEST(SynSent, AckBelowIssDrawsRstAndStays) {
  Conn c = syn_sent();
  const Outcome o = syn_sent_unchanged(c, seg(kRemoteIss, kLocalIss - 1000, kAck));
  EXPECT_TRUE(sent_exactly(o, rst_a(kLocalIss - 1000)));
  EXPECT_EQ(o.rule, Rule::SynSentResetsBadAck);
}

// SEG.ACK > SND.NXT acknowledges something never sent (C6, Figure 9's half-open discovery).
TEST(SynSent, AckAboveSndNxtDrawsRstAndStays) {
  Conn c = syn_sent();
  const Outcome o = syn_sent_unchanged(c, seg(kRemoteIss, kLocalIss + 2, kAck));
  EXPECT_TRUE(sent_exactly(o, rst_a(kLocalIss + 2)));
  EXPECT_EQ(o.rule, Rule::SynSentResetsBadAck);
}

// C24: SND.NXT = 0xFFFFFFF1; an ACK of 0x10 lies beyond it across zero and is still too high.
TEST(SynSent, AckAboveSndNxtAcrossZeroDrawsRst) {
  Conn c = syn_sent();
  const Outcome o = syn_sent_unchanged(c, seg(kRemoteIss, SeqNum(0x10), kAck));
  EXPECT_TRUE(sent_exactly(o, rst_a(SeqNum(0x10))));
  EXPECT_EQ(o.rule, Rule::SynSentResetsBadAck);
}

// The SA- column: a SYN-ACK with a bad ACK is reset before its SYN is looked at; IRS stays
// undefined and we stay in SYN-SENT.
TEST(SynSent, SynAckWithUnacceptableAckDrawsRstAndRecordsNothing) {
  Conn c = syn_sent();
  const Outcome o = syn_sent_unchanged(c, seg(kRemoteIss, kLocalIss + 5, kSyn | kAck));
  EXPECT_TRUE(sent_exactly(o, rst_a(kLocalIss + 5)));
  EXPECT_EQ(o.rule, Rule::SynSentResetsBadAck);
}

// C6: after answering a bad ACK the SYN is still outstanding and keeps being retransmitted.
TEST(SynSent, BadAckLeavesTheSynRetransmissionRunning) {
  Conn c = syn_sent();
  c.rcv(seg(kRemoteIss, kLocalIss + 5, kSyn | kAck));
  ASSERT_TRUE(c.ep.deadline(TimerKind::Retransmission).has_value());
  const Outcome o = c.fire(TimerKind::Retransmission);
  EXPECT_EQ(o.to, State::SynSent) << describe(o);
  EXPECT_TRUE(sent_exactly(o, Segment{.seq = kLocalIss, .ctl = kSyn}));
  EXPECT_EQ(o.rule, Rule::RetransmitSyn);
}

// E0 and C5: a RST with a bad ACK is dropped without any reply.
TEST(SynSent, RstWithUnacceptableAckIsDroppedSilently) {
  Conn c = syn_sent();
  const Outcome o = syn_sent_unchanged(c, seg(kRemoteIss, kLocalIss + 7, kRst | kAck));
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::SynSentDropsRstWithBadAck);
}

TEST(SynSent, RstWithAckEqualToIssIsDroppedSilently) {
  Conn c = syn_sent();
  const Outcome o = syn_sent_unchanged(c, seg(SeqNum(0), kLocalIss, kRst | kAck));
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::SynSentDropsRstWithBadAck);
}

// --- second check: RST ---

// C5: without an ACK a RST cannot show it answers our SYN; drop it.
TEST(SynSent, RstWithoutAckIsDroppedSilently) {
  Conn c = syn_sent();
  const Outcome o = syn_sent_unchanged(c, seg_noack(kRemoteIss, kRst));
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::SynSentDropsRstWithoutAck);
}

// RFC 9293 §3.10.7.3, second check: a RST acknowledging our SYN ends the attempt. The user
// hears "connection reset" (the RFC's string here), the TCB is deleted, nothing is sent.
// Covers: MUST-12
TEST(SynSent, RstWithAcceptableAckRefusesTheConnection) {
  Conn c = syn_sent();
  const Outcome o = c.rcv(seg(kRemoteIss, kLocalIss + 1, kRst | kAck));
  EXPECT_EQ(o.to, State::Closed) << describe(o);
  EXPECT_EQ(o.rule, Rule::SynSentRstResets);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.notices, std::vector<Notice>{Notice::err(UserError::ConnectionReset)});
  EXPECT_EQ(c.tcb(), Tcb{});
  EXPECT_FALSE(c.ep.next_timer().has_value());
}

// [I] RCV.NXT is unknown in SYN-SENT, so the RST is judged by its ACK alone (digest §1.4 step 2,
// model comment): any SEG.SEQ will do, with or without RFC 5961.
TEST(SynSent, RstIsJudgedByItsAckNotItsSequenceNumber) {
  Conn c = syn_sent();
  const Outcome o = c.rcv(seg(SeqNum(0x1234'5678u), kLocalIss + 1, kRst | kAck));
  EXPECT_EQ(o.to, State::Closed) << describe(o);
  EXPECT_EQ(o.rule, Rule::SynSentRstResets);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
}

// A queued RECEIVE fails along with the refused connection.
TEST(SynSent, RstRefusalAlsoFailsAQueuedReceive) {
  Conn c = syn_sent();
  c.call(ReceiveCall{});
  const Outcome o = c.rcv(seg(kRemoteIss, kLocalIss + 1, kRst | kAck));
  EXPECT_EQ(o.to, State::Closed) << describe(o);
  EXPECT_EQ(o.notices, (std::vector<Notice>{Notice::err(UserError::ConnectionReset),
                                            Notice::err(UserError::ConnectionReset)}))
      << describe(o);
}

// The RST check precedes the SYN check: RST+SYN+ACK with a good ACK is a refusal.
TEST(SynSent, RstSynAckWithAcceptableAckRefusesBeforeLookingAtSyn) {
  Conn c = syn_sent();
  const Outcome o = c.rcv(seg(kRemoteIss, kLocalIss + 1, kRst | kSyn | kAck));
  EXPECT_EQ(o.to, State::Closed) << describe(o);
  EXPECT_EQ(o.rule, Rule::SynSentRstResets);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
}

// --- fourth check: SYN with an acceptable ACK ---

// RFC 9293 §3.10.7.3, fourth check: our SYN is acked, so ESTABLISHED and an ACK
// <SEQ=SND.NXT><ACK=RCV.NXT>. C20: SND.WND/WL1/WL2 are set here too.
TEST(SynSent, SynAckWithAcceptableAckEstablishes) {
  Conn c = syn_sent();
  const Outcome o = c.rcv(seg(kRemoteIss, kLocalIss + 1, kSyn | kAck, 0, 5000));
  EXPECT_EQ(o.to, State::Established) << describe(o);
  EXPECT_EQ(o.rule, Rule::SynSentSynAckEstablishes);
  EXPECT_TRUE(sent_exactly(o, ack_of(kLocalIss + 1, kRemoteIss + 1)));
  EXPECT_TRUE(o.notices.empty()) << describe(o);
  const Tcb& t = c.tcb();
  EXPECT_TRUE(t.irs_defined);
  EXPECT_EQ(t.irs, kRemoteIss);
  EXPECT_EQ(t.rcv_nxt, kRemoteIss + 1);
  EXPECT_EQ(t.iss, kLocalIss);
  EXPECT_EQ(t.snd_una, kLocalIss + 1);
  EXPECT_EQ(t.snd_nxt, kLocalIss + 1);
  EXPECT_EQ(t.snd_wnd, 5000u);
  EXPECT_EQ(t.snd_wl1, kRemoteIss);
  EXPECT_EQ(t.snd_wl2, kLocalIss + 1);
  EXPECT_FALSE(t.passive_open);
  // The SYN is acked: nothing is left to retransmit.
  EXPECT_FALSE(c.ep.deadline(TimerKind::Retransmission).has_value());
}

// C20: with WL1/WL2 set on the active-open path, the peer's first window update is taken.
TEST(SynSent, FirstWindowUpdateAfterSynAckIsAccepted) {
  Conn c = syn_sent();
  c.rcv(seg(kRemoteIss, kLocalIss + 1, kSyn | kAck, 0, 5000));
  ASSERT_EQ(c.state(), State::Established);
  const Outcome o = c.rcv(seg(kRemoteIss + 1, kLocalIss + 1, kAck, 0, 100));
  EXPECT_EQ(o.to, State::Established) << describe(o);
  EXPECT_EQ(c.tcb().snd_wnd, 100u);
  EXPECT_EQ(c.tcb().snd_wl1, kRemoteIss + 1);
}

// C24: with ISS = 2^32-1, SND.NXT is 0; a SYN-ACK acknowledging 0 is acceptable and moves
// SND.UNA across zero, while an ACK of 1 is beyond SND.NXT.
TEST(SynSent, AcceptableAckStraddlingZeroEstablishes) {
  Conn c;
  c.ep.set_next_iss(SeqNum(0xFFFF'FFFFu));
  c.call(OpenCall{});
  ASSERT_EQ(c.state(), State::SynSent);
  ASSERT_EQ(c.snd_nxt(), SeqNum(0));

  const Outcome bad = c.rcv(seg(SeqNum(0xFFFF'FFFEu), SeqNum(1), kSyn | kAck));
  EXPECT_EQ(bad.to, State::SynSent) << describe(bad);
  EXPECT_TRUE(sent_exactly(bad, rst_a(SeqNum(1))));

  const Outcome good = c.rcv(seg(SeqNum(0xFFFF'FFFEu), SeqNum(0), kSyn | kAck));
  EXPECT_EQ(good.to, State::Established) << describe(good);
  EXPECT_TRUE(sent_exactly(good, ack_of(SeqNum(0), SeqNum(0xFFFF'FFFFu))));
  EXPECT_EQ(c.tcb().snd_una, SeqNum(0));
}

// RFC 9293 §3.10.7.3: text on the SYN-ACK continues at the sixth check once ESTABLISHED, and
// is acknowledged by the handshake's ACK. IRS+11 wraps to 5.
TEST(SynSent, SynAckWithDataEstablishesAndDeliversIt) {
  Conn c = syn_sent();
  c.call(ReceiveCall{});
  const Outcome o = c.rcv(seg(kRemoteIss, kLocalIss + 1, kSyn | kAck | kPsh, 10));
  EXPECT_EQ(o.to, State::Established) << describe(o);
  EXPECT_EQ(o.notices, std::vector<Notice>{Notice::delivered(10)}) << describe(o);
  EXPECT_EQ(c.rcv_nxt(), SeqNum(5));
  EXPECT_TRUE(sent_exactly(o, ack_of(kLocalIss + 1, SeqNum(5))));
}

// Digest §4 edge SYN-SENT -> CLOSE-WAIT via ESTABLISHED in one segment.
TEST(SynSent, SynAckWithFinEstablishesThenEntersCloseWait) {
  Conn c = syn_sent();
  const Outcome o = c.rcv(seg(kRemoteIss, kLocalIss + 1, kSyn | kAck | kFin));
  EXPECT_EQ(o.to, State::CloseWait) << describe(o);
  EXPECT_EQ(o.rule, Rule::FinReceived);
  EXPECT_EQ(o.notices, std::vector<Notice>{Notice::err(UserError::ConnectionClosing)});
  EXPECT_TRUE(sent_exactly(o, ack_of(kLocalIss + 1, kRemoteIss + 2)));
  EXPECT_TRUE(c.tcb().fin_received);
}

TEST(SynSent, SynAckWithDataAndFinDeliversThenEntersCloseWait) {
  Conn c = syn_sent();
  c.call(ReceiveCall{});
  const Outcome o = c.rcv(seg(kRemoteIss, kLocalIss + 1, kSyn | kAck | kFin, 4));
  EXPECT_EQ(o.to, State::CloseWait) << describe(o);
  EXPECT_EQ(o.notices,
            (std::vector<Notice>{Notice::delivered(4), Notice::err(UserError::ConnectionClosing)}))
      << describe(o);
  EXPECT_TRUE(sent_exactly(o, ack_of(kLocalIss + 1, SeqNum(0))));  // IRS + 1 + 4 + 1 wraps
}

// Data queued by SEND in SYN-SENT goes out with the handshake's ACK piggybacked on it.
TEST(SynSent, SynAckCarriesQueuedDataOutWithTheAck) {
  Conn c = syn_sent();
  c.call(SendCall{.len = 100});
  const Outcome o = c.rcv(seg(kRemoteIss, kLocalIss + 1, kSyn | kAck));
  EXPECT_EQ(o.to, State::Established) << describe(o);
  EXPECT_TRUE(sent_exactly(
      o, Segment{.seq = kLocalIss + 1, .ack = kRemoteIss + 1, .ctl = kAck | kPsh, .len = 100}));
  EXPECT_EQ(c.snd_nxt(), kLocalIss + 101);
}

// --- fourth check: SYN without ACK (simultaneous open) ---

// C1, Figure 7: a bare SYN in SYN-SENT means both sides opened. SYN-RECEIVED (active), and
// the SYN-ACK repeats our ISS rather than ISS+1.
// Covers: MUST-10, MUST-11
TEST(SynSent, BareSynIsSimultaneousOpenAndResendsIssWithAck) {
  Conn c = syn_sent();
  const Outcome o = c.rcv(seg_noack(kRemoteIss, kSyn, 0, 3000));
  EXPECT_EQ(o.to, State::SynReceived) << describe(o);
  EXPECT_EQ(o.rule, Rule::SynSentSimultaneousOpen);
  EXPECT_TRUE(sent_exactly(o, syn_ack(kLocalIss, kRemoteIss + 1)));
  EXPECT_TRUE(o.notices.empty()) << describe(o);
  const Tcb& t = c.tcb();
  EXPECT_FALSE(t.passive_open);
  EXPECT_EQ(t.irs, kRemoteIss);
  EXPECT_EQ(t.rcv_nxt, kRemoteIss + 1);
  EXPECT_EQ(t.snd_una, kLocalIss);
  EXPECT_EQ(t.snd_nxt, kLocalIss + 1);
  EXPECT_EQ(t.snd_wnd, 3000u);
  EXPECT_EQ(t.snd_wl1, kRemoteIss);
}

// C29: text on a simultaneous-open SYN waits for ESTABLISHED.
TEST(SynSent, SimultaneousOpenSynDataIsHeldUntilEstablished) {
  Conn c = syn_sent();
  c.call(ReceiveCall{});
  const Outcome syn = c.rcv(seg_noack(kRemoteIss, kSyn, 3));
  EXPECT_EQ(syn.to, State::SynReceived) << describe(syn);
  EXPECT_TRUE(sent_exactly(syn, syn_ack(kLocalIss, kRemoteIss + 1)));
  EXPECT_TRUE(syn.notices.empty()) << describe(syn);

  const Outcome ack = c.rcv(seg(kRemoteIss + 4, kLocalIss + 1, kAck));
  EXPECT_EQ(ack.to, State::Established) << describe(ack);
  EXPECT_EQ(ack.notices, std::vector<Notice>{Notice::delivered(3)}) << describe(ack);
  EXPECT_EQ(c.rcv_nxt(), kRemoteIss + 4);
}

TEST(SynSent, SimultaneousOpenSynFinIsHeldUntilEstablished) {
  Conn c = syn_sent();
  const Outcome syn = c.rcv(seg_noack(kRemoteIss, kSyn | kFin));
  EXPECT_EQ(syn.to, State::SynReceived) << describe(syn);
  EXPECT_TRUE(syn.notices.empty()) << describe(syn);
  EXPECT_FALSE(c.tcb().fin_received);

  const Outcome ack = c.rcv(seg(kRemoteIss + 2, kLocalIss + 1, kAck));
  EXPECT_EQ(ack.to, State::CloseWait) << describe(ack);
  EXPECT_EQ(ack.notices, std::vector<Notice>{Notice::err(UserError::ConnectionClosing)});
  EXPECT_TRUE(sent_exactly(ack, ack_of(kLocalIss + 1, kRemoteIss + 2)));
}

TEST(SynSent, SimultaneousOpenSynDataIsDiscardedUnderDiscardProfile) {
  Profile p;
  p.syn_text = SynText::Discard;
  Conn c = syn_sent(p);
  c.call(ReceiveCall{});
  c.rcv(seg_noack(kRemoteIss, kSyn, 3));
  const Outcome ack = c.rcv(seg(kRemoteIss + 1, kLocalIss + 1, kAck));
  EXPECT_EQ(ack.to, State::Established) << describe(ack);
  EXPECT_TRUE(ack.notices.empty()) << describe(ack);
  EXPECT_EQ(c.rcv_nxt(), kRemoteIss + 1);
}

// C2, Appendix A.2: a self-connect. Each segment we send is fed back to us: our SYN makes a
// simultaneous open, our SYN-ACK fails the sequence test and draws an ACK (C3), and that ACK
// completes the handshake.
// Covers: MUST-10
TEST(SynSent, SelfConnectCompletesByReceivingItsOwnSegments) {
  Conn c;
  const Outcome open = c.call(OpenCall{});
  ASSERT_EQ(open.sent.size(), 1u);
  const Segment own_syn = open.sent.front();
  EXPECT_EQ(own_syn, (Segment{.seq = kLocalIss, .ctl = kSyn, .wnd = own_syn.wnd}));

  const Outcome o1 = c.rcv(own_syn);
  EXPECT_EQ(o1.to, State::SynReceived) << describe(o1);
  EXPECT_FALSE(c.tcb().passive_open);
  EXPECT_TRUE(sent_exactly(o1, syn_ack(kLocalIss, kLocalIss + 1)));

  const Outcome o2 = c.rcv(o1.sent.front());
  EXPECT_EQ(o2.to, State::SynReceived) << describe(o2);
  EXPECT_EQ(o2.rule, Rule::UnacceptableSegmentAcked);
  EXPECT_TRUE(sent_exactly(o2, ack_of(kLocalIss + 1, kLocalIss + 1)));

  const Outcome o3 = c.rcv(o2.sent.front());
  EXPECT_EQ(o3.to, State::Established) << describe(o3);
  EXPECT_TRUE(sent_nothing(o3)) << describe(o3);
  EXPECT_EQ(c.tcb().snd_una, kLocalIss + 1);
  EXPECT_EQ(c.tcb().irs, kLocalIss);
  EXPECT_EQ(c.rcv_nxt(), kLocalIss + 1);
}

// --- fifth check: neither SYN nor RST ---

// C5: an acceptable ACK without SYN is dropped; it does not even advance SND.UNA.
TEST(SynSent, AcceptableBareAckIsDroppedSilently) {
  Conn c = syn_sent();
  const Outcome o = syn_sent_unchanged(c, seg(kRemoteIss + 1, kLocalIss + 1, kAck));
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::SynSentDropsNonSyn);
  EXPECT_EQ(c.tcb().snd_una, kLocalIss);
}

// Digest §1.4 step 4 and §4c: a FIN cannot be processed before a SYN has been seen.
TEST(SynSent, FinWithAcceptableAckButNoSynIsDroppedSilently) {
  Conn c = syn_sent();
  const Outcome o = syn_sent_unchanged(c, seg(kRemoteIss + 1, kLocalIss + 1, kFin | kAck));
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::SynSentDropsNonSyn);
}

TEST(SynSent, FinWithoutAckIsDroppedSilently) {
  Conn c = syn_sent();
  const Outcome o = syn_sent_unchanged(c, seg_noack(kRemoteIss + 1, kFin));
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::SynSentDropsNonSyn);
}

TEST(SynSent, DataWithoutAnyControlBitIsDroppedSilently) {
  Conn c = syn_sent();
  const Outcome o = syn_sent_unchanged(c, seg_noack(kRemoteIss + 1, kPsh, 20));
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::SynSentDropsNonSyn);
}

}  // namespace
}  // namespace tcpfsm::test
