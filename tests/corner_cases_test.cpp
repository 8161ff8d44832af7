// The corner cases of the digest §6 (C1 to C32), each pinned by one or more tests named after
// its number. Where the digest allows alternatives, the profile default is checked and, where
// the model has a switch for it, the alternative too.
//
// Single-endpoint cases use the fixtures (ISS = kLocalIss, the peer's ISS = kRemoteIss, both just
// below 2^32). Two-endpoint cases (C3, C7, C8, C17) drive two Endpoint objects by hand, handing
// each one's segments to the other.
#include <initializer_list>

#include "support/fixtures.hpp"

namespace tcpfsm::test {
namespace {

constexpr Millis kTwoMsl = 240'000;

Notice err(UserError e) {
  return Notice::err(e);
}

Segment data_seg(SeqNum seq, SeqNum ack, std::uint32_t len, std::uint8_t extra = 0) {
  return Segment{
      .seq = seq, .ack = ack, .ctl = static_cast<std::uint8_t>(kAck | extra), .len = len};
}
Segment ack_seg(SeqNum seq, SeqNum ack) {
  return Segment{.seq = seq, .ack = ack, .ctl = kAck};
}
Segment fin_seg(SeqNum seq, SeqNum ack) {
  return Segment{.seq = seq, .ack = ack, .ctl = kFin | kAck};
}
Segment syn_seg(SeqNum iss) {
  return Segment{.seq = iss, .ctl = kSyn};
}
Segment syn_ack_seg(SeqNum iss, SeqNum rcv_nxt) {
  return Segment{.seq = iss, .ack = rcv_nxt, .ctl = kSyn | kAck};
}
// RST(a): <SEQ=SEG.ACK><CTL=RST>.
Segment rst_a(SeqNum seg_ack) {
  return Segment{.seq = seg_ack, .ctl = kRst};
}
// RST(0): <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
Segment rst_0(SeqNum ack) {
  return Segment{.seq = SeqNum(0), .ack = ack, .ctl = kRst | kAck};
}
// A RST from the peer at `seq`.
Segment rst_at(SeqNum seq) {
  return Segment{.seq = seq, .ctl = kRst, .wnd = kPeerWnd};
}

// One endpoint driven by hand in a two-endpoint case.
Outcome deliver(Endpoint& to, const Segment& s) {
  return to.step(SegmentArrives{s}, 0);
}
Outcome call(Endpoint& ep, const Event& e) {
  return ep.step(e, 0);
}

// The only segment a step sent.
Segment only(const Outcome& o) {
  EXPECT_EQ(o.sent.size(), 1u) << describe(o);
  return o.sent.empty() ? Segment{} : o.sent.front();
}

// Steps `c` with `s` and checks that nothing at all changed: state, TCB, output, notices.
Outcome unchanged(Conn& c, const Segment& s) {
  const State st = c.state();
  const Tcb before = c.tcb();
  Outcome o = c.rcv(s);
  EXPECT_EQ(o.to, st) << describe(o);
  EXPECT_EQ(c.tcb(), before) << describe(o);
  EXPECT_TRUE(o.notices.empty()) << describe(o);
  return o;
}

// --- C1 simultaneous open ---

// RFC 9293 §3.5 Figure 7: a bare SYN in SYN-SENT leads to SYN-RECEIVED and a SYN-ACK that
// repeats our ISS (not ISS+1); the TCB remembers it was opened actively.
// Covers: MUST-10, MUST-11
TEST(CornerCases, C01_SimultaneousOpenSendsSynAckWithIss) {
  Conn c = syn_sent();
  const Outcome o = c.rcv(seg_noack(kRemoteIss, kSyn));
  EXPECT_EQ(o.to, State::SynReceived) << describe(o);
  EXPECT_EQ(o.rule, Rule::SynSentSimultaneousOpen);
  EXPECT_TRUE(sent_exactly(o, syn_ack_seg(kLocalIss, kRemoteIss + 1)));
  EXPECT_FALSE(c.tcb().passive_open);
  EXPECT_EQ(c.tcb().snd_una, kLocalIss);
  EXPECT_EQ(c.tcb().snd_nxt, kLocalIss + 1);

  const Outcome done = c.rcv(ack_seg(kRemoteIss + 1, kLocalIss + 1));
  EXPECT_EQ(done.to, State::Established) << describe(done);
}

// Because the open was active, an acceptable RST in that SYN-RECEIVED means "refused" and
// CLOSED, never LISTEN; the passive counterpart goes back to LISTEN silently.
// Covers: MUST-11
TEST(CornerCases, C01_RstAfterSimultaneousOpenRefusesInsteadOfListening) {
  Conn active = syn_received_active();
  Outcome o = active.rcv(rst_at(kRemoteIss + 1));
  EXPECT_EQ(o.to, State::Closed) << describe(o);
  EXPECT_EQ(o.rule, Rule::RstRefusesActiveOpen);
  EXPECT_EQ(o.notices, std::vector<Notice>{err(UserError::ConnectionRefused)});
  EXPECT_TRUE(sent_nothing(o)) << describe(o);

  Conn passive = syn_received_passive();
  o = passive.rcv(rst_at(kRemoteIss + 1));
  EXPECT_EQ(o.to, State::Listen) << describe(o);
  EXPECT_EQ(o.rule, Rule::RstReturnsToListen);
  EXPECT_TRUE(o.notices.empty()) << describe(o);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
}

// --- C2 self-connect ---

// Appendix A.2: our own SYN comes back (same 4-tuple): simultaneous-open path; our own SYN-ACK
// then fails the sequence test and draws an ACK; that ACK, coming back, establishes.
TEST(CornerCases, C02_SelfConnectCompletesThroughTheSimultaneousOpenPath) {
  Conn c;
  const Outcome open = c.call(OpenCall{});
  const Segment syn = only(open);

  const Outcome o1 = c.rcv(syn);
  EXPECT_EQ(o1.to, State::SynReceived) << describe(o1);
  EXPECT_EQ(o1.rule, Rule::SynSentSimultaneousOpen);
  EXPECT_TRUE(sent_exactly(o1, syn_ack_seg(kLocalIss, kLocalIss + 1)));

  const Outcome o2 = c.rcv(only(o1));
  EXPECT_EQ(o2.to, State::SynReceived) << describe(o2);
  EXPECT_EQ(o2.rule, Rule::UnacceptableSegmentAcked);
  EXPECT_TRUE(sent_exactly(o2, ack_seg(kLocalIss + 1, kLocalIss + 1)));

  const Outcome o3 = c.rcv(only(o2));
  EXPECT_EQ(o3.to, State::Established) << describe(o3);
  EXPECT_TRUE(sent_nothing(o3)) << describe(o3);
  EXPECT_EQ(c.tcb().snd_una, kLocalIss + 1);
  EXPECT_EQ(c.tcb().rcv_nxt, kLocalIss + 1);
}

// --- C3 SYN-ACK in SYN-RECEIVED during simultaneous open ---

// The model takes the strict reading (a): the peer's SYN-ACK lies before RCV.NXT, fails the
// first check, and is answered with <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>; the state stays.
// Covers: MUST-10
TEST(CornerCases, C03_PeersSynAckInSynReceivedFailsStepOneAndIsAcked) {
  Conn c = syn_received_active();
  const Outcome o = c.rcv(seg(kRemoteIss, kLocalIss + 1, kSyn | kAck));
  EXPECT_EQ(o.to, State::SynReceived) << describe(o);
  EXPECT_EQ(o.rule, Rule::UnacceptableSegmentAcked);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kLocalIss + 1, kRemoteIss + 1)));
  EXPECT_EQ(c.tcb().snd_una, kLocalIss);  // nothing was taken from it
}

// Figure 7 with two endpoints: the SYNs cross, each side answers with a SYN-ACK, each SYN-ACK
// draws an ACK, and the crossing ACKs make both ESTABLISHED.
// Covers: MUST-10
TEST(CornerCases, C03_CrossingSynsEstablishBothEndsThroughTheCrossingAcks) {
  Endpoint a(Profile{}, kLocalIss);
  Endpoint b(Profile{}, kRemoteIss);
  const Segment syn_a = only(call(a, OpenCall{}));
  const Segment syn_b = only(call(b, OpenCall{}));

  const Segment synack_a = only(deliver(a, syn_b));
  const Segment synack_b = only(deliver(b, syn_a));
  EXPECT_EQ(a.state(), State::SynReceived);
  EXPECT_EQ(b.state(), State::SynReceived);
  EXPECT_EQ(synack_a.seq, kLocalIss);
  EXPECT_EQ(synack_b.seq, kRemoteIss);

  const Outcome ack_a = deliver(a, synack_b);
  const Outcome ack_b = deliver(b, synack_a);
  EXPECT_EQ(a.state(), State::SynReceived) << describe(ack_a);
  EXPECT_EQ(b.state(), State::SynReceived) << describe(ack_b);

  const Outcome est_a = deliver(a, only(ack_b));
  const Outcome est_b = deliver(b, only(ack_a));
  EXPECT_EQ(est_a.to, State::Established) << describe(est_a);
  EXPECT_EQ(est_b.to, State::Established) << describe(est_b);
  EXPECT_TRUE(sent_nothing(est_a)) << describe(est_a);
  EXPECT_TRUE(sent_nothing(est_b)) << describe(est_b);
  EXPECT_EQ(a.tcb().rcv_nxt, b.tcb().snd_nxt);
  EXPECT_EQ(b.tcb().rcv_nxt, a.tcb().snd_nxt);
}

// --- C4 old duplicate SYN at a listener ---

// Figure 8: the old SYN's SYN-ACK draws the peer's RST(a), whose SEQ is our RCV.NXT exactly, so
// it passes RFC 5961; a passive SYN-RECEIVED goes back to LISTEN with the attempt wiped, and a
// fresh SYN is served again.
// Covers: MUST-11
TEST(CornerCases, C04_OldDuplicateSynAtListenerEndsBackInListen) {
  Conn c = listen();
  const SeqNum old_syn = kRemoteIss - 90'000;
  const Segment synack = only(c.rcv(seg_noack(old_syn, kSyn)));
  ASSERT_EQ(c.state(), State::SynReceived);
  const Segment peer_rst = rst_a(synack.ack);  // what the peer's CLOSED/SYN-SENT answers

  const Outcome o = c.rcv(peer_rst);
  EXPECT_EQ(o.to, State::Listen) << describe(o);
  EXPECT_EQ(o.rule, Rule::RstReturnsToListen);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_TRUE(o.notices.empty()) << describe(o);
  EXPECT_FALSE(c.tcb().iss_defined);
  EXPECT_FALSE(c.tcb().irs_defined);
  EXPECT_FALSE(c.ep.next_timer().has_value());

  const Outcome again = c.rcv(seg_noack(kRemoteIss, kSyn));
  EXPECT_EQ(again.to, State::SynReceived) << describe(again);
  EXPECT_EQ(c.tcb().irs, kRemoteIss);
}

// --- C5 SYN-SENT RST rules ---

// RFC 9293 §3.10.7.3: a RST without ACK, or with an ACK that does not cover our SYN, is dropped
// without reply; so is an acceptable bare ACK without SYN.
TEST(CornerCases, C05_SynSentIgnoresRstWithoutAcceptableAckAndBareAck) {
  Conn c = syn_sent();
  Outcome o = unchanged(c, seg_noack(kRemoteIss, kRst));
  EXPECT_EQ(o.rule, Rule::SynSentDropsRstWithoutAck);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);

  o = unchanged(c, seg(kRemoteIss, kLocalIss + 7, kRst | kAck));
  EXPECT_EQ(o.rule, Rule::SynSentDropsRstWithBadAck);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);

  o = unchanged(c, seg(kRemoteIss, kLocalIss, kRst | kAck));  // ACK = ISS: acks nothing
  EXPECT_EQ(o.rule, Rule::SynSentDropsRstWithBadAck);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);

  o = unchanged(c, seg(kRemoteIss, kLocalIss + 1, kAck));
  EXPECT_EQ(o.rule, Rule::SynSentDropsNonSyn);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
}

// RFC 9293 §3.10.7.3 second check (digest §1.4 step 2): a RST whose ACK covers our SYN ends the
// attempt; the user is told "error: connection reset" (the RFC's string for SYN-SENT; "refused"
// is the SYN-RECEIVED wording), and nothing is sent.
TEST(CornerCases, C05_RstWithAcceptableAckInSynSentClosesWithConnectionReset) {
  Conn c = syn_sent();
  const Outcome o = c.rcv(seg(kRemoteIss, kLocalIss + 1, kRst | kAck));
  EXPECT_EQ(o.to, State::Closed) << describe(o);
  EXPECT_EQ(o.rule, Rule::SynSentRstResets);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.notices, std::vector<Notice>{err(UserError::ConnectionReset)}) << describe(o);
}

// --- C6 SYN-SENT bad ACK ---

// Figure 9: an ACK =< ISS or > SND.NXT draws RST(a); SYN-SENT stays and the SYN keeps being
// retransmitted.
TEST(CornerCases, C06_SynSentBadAckDrawsRstAndKeepsRetransmittingTheSyn) {
  for (const SeqNum bad : {kLocalIss, kLocalIss - 1, kLocalIss + 2}) {
    Conn c = syn_sent();
    const Outcome o = unchanged(c, seg(kRemoteIss, bad, kAck));
    EXPECT_EQ(o.rule, Rule::SynSentResetsBadAck);
    EXPECT_TRUE(sent_exactly(o, rst_a(bad)));
    ASSERT_TRUE(c.ep.deadline(TimerKind::Retransmission).has_value());
    const std::vector<Outcome> fired = c.ep.advance_to(1000);
    ASSERT_EQ(fired.size(), 1u);
    EXPECT_EQ(fired[0].rule, Rule::RetransmitSyn);
    EXPECT_TRUE(sent_exactly(fired[0], syn_seg(kLocalIss)));
    EXPECT_EQ(c.state(), State::SynSent);
  }
}

// --- C7 half-open connection, synchronized side ---

// Figure 10: the peer crashed and reopens. Its new SYN (in our window) draws a challenge ACK;
// its SYN-SENT finds that ACK unacceptable and answers RST(a), whose SEQ is exactly our
// RCV.NXT; the RST resets us.
TEST(CornerCases, C07_HalfOpenSideResetsThroughChallengeAckAndPeersRst) {
  Conn a = established();
  Endpoint b(Profile{}, kRemoteIss + 1000);  // the peer after its crash
  const Segment syn = only(call(b, OpenCall{}));

  const Outcome cack = a.rcv(syn);
  EXPECT_EQ(cack.to, State::Established) << describe(cack);
  EXPECT_EQ(cack.rule, Rule::SynChallengeAck);
  EXPECT_TRUE(sent_exactly(cack, expected_ack(a)));

  const Outcome rst = deliver(b, only(cack));
  EXPECT_EQ(rst.to, State::SynSent) << describe(rst);
  EXPECT_TRUE(sent_exactly(rst, rst_a(a.rcv_nxt())));

  const Outcome o = a.rcv(only(rst));
  EXPECT_EQ(o.to, State::Closed) << describe(o);
  EXPECT_EQ(o.rule, Rule::RstResetsConnection);
  EXPECT_EQ(o.notices, std::vector<Notice>{err(UserError::ConnectionReset)});
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
}

// The same when the new SYN falls outside our window: the first check answers with the same
// ACK, and the outcome is the same.
TEST(CornerCases, C07_HalfOpenSideResetsWhenTheNewSynIsOutOfWindow) {
  Conn a = established();
  Endpoint b(Profile{}, kRemoteIss + 200'000);
  const Segment syn = only(call(b, OpenCall{}));

  const Outcome ack = a.rcv(syn);
  EXPECT_EQ(ack.rule, Rule::UnacceptableSegmentAcked);
  EXPECT_TRUE(sent_exactly(ack, expected_ack(a)));

  const Outcome rst = deliver(b, only(ack));
  const Outcome o = a.rcv(only(rst));
  EXPECT_EQ(o.to, State::Closed) << describe(o);
  EXPECT_EQ(o.notices, std::vector<Notice>{err(UserError::ConnectionReset)});
}

// Data sent to a peer that has no connection draws RST(a), which is acceptable to us.
TEST(CornerCases, C07_DataToAClosedPeerDrawsAnAcceptableRst) {
  Conn a = established();
  Endpoint b(Profile{}, SeqNum(12345));  // lost everything: CLOSED
  const Segment data = only(a.call(SendCall{.len = 10}));

  const Outcome rst = deliver(b, data);
  EXPECT_EQ(rst.rule, Rule::ClosedAnswersWithReset);
  EXPECT_TRUE(sent_exactly(rst, rst_a(a.rcv_nxt())));

  const Outcome o = a.rcv(only(rst));
  EXPECT_EQ(o.to, State::Closed) << describe(o);
  EXPECT_EQ(o.rule, Rule::RstResetsConnection);
  EXPECT_EQ(o.notices, std::vector<Notice>{err(UserError::ConnectionReset)});
}

// --- C8 simultaneous close ---

// A FIN that does not acknowledge ours moves FIN-WAIT-1 to CLOSING with an ACK of the FIN.
TEST(CornerCases, C08_FinNotCoveringOursMovesFinWait1ToClosing) {
  Conn c = fin_wait_1();
  const Outcome o = c.rcv(seg(c.peer_nxt, kLocalIss + 1, kFin | kAck));
  EXPECT_EQ(o.to, State::Closing) << describe(o);
  EXPECT_EQ(o.rule, Rule::FinReceived);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kLocalIss + 2, kRemoteIss + 2)));
  EXPECT_EQ(o.notices, std::vector<Notice>{err(UserError::ConnectionClosing)});
}

// Figure 13 with two endpoints: both CLOSE at once, the FINs cross, both go through CLOSING,
// and the crossing ACKs put both in TIME-WAIT.
TEST(CornerCases, C08_SimultaneousCloseTakesBothEndsThroughClosingToTimeWait) {
  Endpoint a(Profile{}, kLocalIss);
  Endpoint b(Profile{}, kRemoteIss);
  call(a, OpenCall{.passive = true});
  const Segment syn = only(call(b, OpenCall{}));
  const Segment synack = only(deliver(a, syn));
  const Segment ack = only(deliver(b, synack));
  deliver(a, ack);
  ASSERT_EQ(a.state(), State::Established);
  ASSERT_EQ(b.state(), State::Established);

  const Segment fin_a = only(call(a, CloseCall{}));
  const Segment fin_b = only(call(b, CloseCall{}));
  const Outcome a_gets_fin = deliver(a, fin_b);
  const Outcome b_gets_fin = deliver(b, fin_a);
  EXPECT_EQ(a_gets_fin.to, State::Closing) << describe(a_gets_fin);
  EXPECT_EQ(b_gets_fin.to, State::Closing) << describe(b_gets_fin);

  const Outcome a_done = deliver(a, only(b_gets_fin));
  const Outcome b_done = deliver(b, only(a_gets_fin));
  EXPECT_EQ(a_done.to, State::TimeWait) << describe(a_done);
  EXPECT_EQ(b_done.to, State::TimeWait) << describe(b_done);
  EXPECT_EQ(a_done.rule, Rule::FinAckedEntersTimeWait);
  EXPECT_TRUE(sent_nothing(a_done)) << describe(a_done);
  EXPECT_TRUE(sent_nothing(b_done)) << describe(b_done);
}

// --- C9 FIN+ACK in FIN-WAIT-1 that acknowledges our FIN ---

// Figure 5 note 2: the ACK takes FIN-WAIT-1 to FIN-WAIT-2 and the FIN then takes it to TIME-WAIT,
// in one segment: never CLOSING, never left in FIN-WAIT-2.
TEST(CornerCases, C09_FinAckCoveringOurFinGoesStraightToTimeWait) {
  Conn c = fin_wait_1();
  const Outcome o = c.rcv(seg(c.peer_nxt, kLocalIss + 2, kFin | kAck));
  EXPECT_EQ(o.from, State::FinWait1);
  EXPECT_EQ(o.to, State::TimeWait) << describe(o);
  EXPECT_EQ(o.rule, Rule::FinReceived);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kLocalIss + 2, kRemoteIss + 2)));
  EXPECT_EQ(c.ep.deadline(TimerKind::TimeWait), Millis{kTwoMsl});
  EXPECT_FALSE(c.ep.deadline(TimerKind::Retransmission).has_value());
}

// --- C10 SYN-RECEIVED and ACK+FIN in one segment ---

// The ACK makes it ESTABLISHED and the FIN then CLOSE-WAIT, in one event; the FIN is ACKed.
TEST(CornerCases, C10_AckFinInSynReceivedGoesThroughEstablishedToCloseWait) {
  for (auto make : {syn_received_passive, syn_received_active}) {
    Conn c = make(Profile{});
    const Outcome o = c.rcv(seg(kRemoteIss + 1, kLocalIss + 1, kFin | kAck));
    EXPECT_EQ(o.from, State::SynReceived);
    EXPECT_EQ(o.to, State::CloseWait) << describe(o);
    EXPECT_EQ(o.rule, Rule::FinReceived);
    EXPECT_TRUE(sent_exactly(o, ack_seg(kLocalIss + 1, kRemoteIss + 2)));
    EXPECT_EQ(c.tcb().snd_una, kLocalIss + 1);
    EXPECT_EQ(o.notices, std::vector<Notice>{err(UserError::ConnectionClosing)});
  }
}

// --- C11 segments without ACK in synchronized states ---

// RFC 9293 §3.10.7.4 fifth check: an in-window FIN or data segment without ACK is dropped,
// silently, in SYN-RECEIVED and every synchronized state.
TEST(CornerCases, C11_FinOrDataWithoutAckIsDroppedSilently) {
  for (const StateFixture& f : all_state_fixtures()) {
    if (f.state == State::Closed || f.state == State::Listen || f.state == State::SynSent) {
      continue;
    }
    for (const std::uint8_t ctl : {std::uint8_t{kFin}, std::uint8_t{kPsh}}) {
      Conn c = f.make(Profile{});
      SCOPED_TRACE(std::string(f.name) + " " + ctl_to_string(ctl));
      const std::uint32_t len = ctl == kPsh ? 10 : 0;
      const Outcome o = unchanged(c, seg_noack(c.rcv_nxt(), ctl, len));
      EXPECT_EQ(o.rule, Rule::NoAckDropped) << describe(o);
      EXPECT_TRUE(sent_nothing(o)) << describe(o);
    }
  }
}

// --- C12 CLOSE in SYN-RECEIVED before our SYN is acknowledged ---

// FIN-WAIT-1 with SND.UNA still ISS; the FIN takes ISS+1. An ACK of SYN and FIN (ISS+2) goes
// straight to FIN-WAIT-2; an ACK of the SYN alone leaves FIN-WAIT-1.
TEST(CornerCases, C12_CloseInSynReceivedThenAckOfSynAndFinReachesFinWait2) {
  Conn c = syn_received_passive();
  const Outcome close = c.call(CloseCall{});
  EXPECT_EQ(close.to, State::FinWait1) << describe(close);
  EXPECT_TRUE(sent_exactly(close, fin_seg(kLocalIss + 1, kRemoteIss + 1)));
  EXPECT_EQ(c.tcb().snd_una, kLocalIss);

  Conn partial = c;
  const Outcome syn_only = partial.rcv(ack_seg(kRemoteIss + 1, kLocalIss + 1));
  EXPECT_EQ(syn_only.to, State::FinWait1) << describe(syn_only);
  EXPECT_EQ(partial.tcb().snd_una, kLocalIss + 1);

  const Outcome o = c.rcv(ack_seg(kRemoteIss + 1, kLocalIss + 2));
  EXPECT_EQ(o.to, State::FinWait2) << describe(o);
  EXPECT_EQ(o.rule, Rule::FinAckedEntersFinWait2);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
}

// --- C13 FIN queued but not sent ---

// FIN-WAIT-1 is entered at CLOSE while data still waits behind a zero window. An ACK with
// SEG.ACK = SND.NXT = SND.UNA does not acknowledge a FIN never sent; when the window opens,
// data and FIN leave together and only their ACK reaches FIN-WAIT-2.
TEST(CornerCases, C13_QueuedFinCannotBeAcknowledgedBeforeItIsSent) {
  Conn c = established();
  c.rcv(seg(c.peer_nxt, kLocalIss + 1, kAck, 0, 0));
  c.call(SendCall{.len = 100});
  const Outcome close = c.call(CloseCall{});
  EXPECT_EQ(close.to, State::FinWait1) << describe(close);
  EXPECT_TRUE(sent_nothing(close)) << describe(close);
  EXPECT_FALSE(c.tcb().fin_sent);

  const Outcome dup = c.rcv(seg(c.peer_nxt, c.snd_nxt(), kAck, 0, 0));
  EXPECT_EQ(dup.to, State::FinWait1) << describe(dup);
  EXPECT_FALSE(c.tcb().fin_acked);

  const Outcome open = c.rcv(seg(c.peer_nxt, c.snd_nxt(), kAck, 0, kPeerWnd));
  EXPECT_EQ(open.to, State::FinWait1) << describe(open);
  EXPECT_TRUE(sent_exactly(open, data_seg(kLocalIss + 1, c.rcv_nxt(), 100, kPsh | kFin)));

  const Outcome done = c.rcv(ack_seg(c.peer_nxt, kLocalIss + 102));
  EXPECT_EQ(done.to, State::FinWait2) << describe(done);
}

// --- C14 second CLOSE ---

// RFC 9293 §3.10.4: a CLOSE in FIN-WAIT-1 or FIN-WAIT-2 sends no second FIN and changes nothing.
TEST(CornerCases, C14_SecondCloseSendsNoSecondFin) {
  for (auto make : {fin_wait_1, fin_wait_2}) {
    Conn c = make(Profile{});
    SCOPED_TRACE(to_string(c.state()));
    const Endpoint before = c.ep;
    const Outcome o = c.call(CloseCall{});
    EXPECT_EQ(o.rule, Rule::CloseRepeated);
    EXPECT_TRUE(sent_nothing(o)) << describe(o);
    EXPECT_EQ(o.notices, std::vector<Notice>{err(UserError::ConnectionClosing)});
    EXPECT_TRUE(c.ep == before);
  }
}

// --- C15 calls that must send nothing ---

// ABORT in CLOSING, LAST-ACK, TIME-WAIT, SYN-SENT and LISTEN, and CLOSE in SYN-SENT, end in
// CLOSED without sending anything (E10).
TEST(CornerCases, C15_AbortAfterBothFinsOrBeforeSynchronizationSendsNothing) {
  for (auto make : {closing, last_ack, time_wait, syn_sent, listen}) {
    Conn c = make(Profile{});
    SCOPED_TRACE(to_string(c.state()));
    const Outcome o = c.call(AbortCall{});
    EXPECT_EQ(o.to, State::Closed) << describe(o);
    EXPECT_EQ(o.rule, Rule::AbortWithoutReset);
    EXPECT_TRUE(sent_nothing(o)) << describe(o);
    EXPECT_EQ(o.notices, std::vector<Notice>{Notice::ok()});
  }
  Conn c = syn_sent();
  const Outcome o = c.call(CloseCall{});
  EXPECT_EQ(o.to, State::Closed) << describe(o);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
}

// --- C16 TIME-WAIT and a retransmitted FIN ---

// The retransmitted FIN fails the first check, yet is acknowledged and restarts 2*MSL (the
// intent of the TIME-WAIT text; the model's choice).
// Covers: MUST-13
TEST(CornerCases, C16_RetransmittedFinInTimeWaitIsAckedAndRestarts2Msl) {
  Conn c = time_wait();
  c.now = 60'000;
  const Outcome o = c.rcv(seg(c.peer_nxt - 1, c.snd_nxt(), kFin | kAck));
  EXPECT_EQ(o.to, State::TimeWait) << describe(o);
  EXPECT_EQ(o.rule, Rule::TimeWaitAcksRetransmittedFin);
  EXPECT_TRUE(sent_exactly(o, expected_ack(c)));
  EXPECT_EQ(c.ep.deadline(TimerKind::TimeWait), Millis{60'000 + kTwoMsl});
  EXPECT_EQ(c.rcv_nxt(), kRemoteIss + 2);  // not counted twice
}

// --- C17 TIME-WAIT assassination (RFC 1337) ---

// An old duplicate ACK makes TIME-WAIT send an ACK; the peer, long CLOSED, answers RST(a) with
// SEQ = our RCV.NXT, which passes even RFC 5961. The profile's time_wait_rst decides the end.
struct Assassination {
  Outcome our_ack, peer_rst, rst_arrives;
};
Assassination assassinate(Conn& tw) {
  Endpoint peer(Profile{}, SeqNum(777));  // CLOSED: the old connection is gone there
  Assassination r;
  r.our_ack = tw.rcv(ack_seg(kRemoteIss + 1, kLocalIss + 1));  // old duplicate, left of window
  r.peer_rst = deliver(peer, only(r.our_ack));
  r.rst_arrives = tw.rcv(only(r.peer_rst));
  return r;
}

// RFC 9293 default (TimeWaitRst::Accept): the RST ends TIME-WAIT early.
TEST(CornerCases, C17_TimeWaitAssassinationClosesByDefault) {
  Conn c = time_wait();
  const Assassination r = assassinate(c);
  EXPECT_EQ(r.our_ack.rule, Rule::UnacceptableSegmentAcked);
  EXPECT_TRUE(sent_exactly(r.our_ack, ack_seg(kLocalIss + 2, kRemoteIss + 2)));
  EXPECT_TRUE(sent_exactly(r.peer_rst, rst_a(kRemoteIss + 2)));
  EXPECT_EQ(r.rst_arrives.to, State::Closed) << describe(r.rst_arrives);
  EXPECT_EQ(r.rst_arrives.rule, Rule::RstClosesConnection);
  EXPECT_TRUE(sent_nothing(r.rst_arrives)) << describe(r.rst_arrives);
}

// RFC 1337 fix F1 (TimeWaitRst::Ignore): the RST is ignored and 2*MSL runs on unchanged.
// Covers: MUST-13
TEST(CornerCases, C17_TimeWaitAssassinationIgnoredWithRfc1337Profile) {
  Profile p;
  p.time_wait_rst = TimeWaitRst::Ignore;
  Conn c = time_wait(p);
  const Assassination r = assassinate(c);
  EXPECT_TRUE(sent_exactly(r.peer_rst, rst_a(kRemoteIss + 2)));
  EXPECT_EQ(r.rst_arrives.to, State::TimeWait) << describe(r.rst_arrives);
  EXPECT_EQ(r.rst_arrives.rule, Rule::TimeWaitIgnoresRst);
  EXPECT_TRUE(sent_nothing(r.rst_arrives)) << describe(r.rst_arrives);
  EXPECT_EQ(c.ep.deadline(TimerKind::TimeWait), Millis{kTwoMsl});
}

// --- C18 SYN in TIME-WAIT ---

// Default (TimeWaitSyn::ChallengeAck): a new SYN draws a challenge ACK, TIME-WAIT stays.
TEST(CornerCases, C18_SynInTimeWaitDrawsChallengeAckByDefault) {
  Conn c = time_wait();
  const Outcome o = unchanged(c, seg_noack(c.rcv_nxt() + 1000, kSyn));
  EXPECT_EQ(o.rule, Rule::SynChallengeAck);
  EXPECT_TRUE(sent_exactly(o, expected_ack(c)));
  EXPECT_EQ(c.ep.deadline(TimerKind::TimeWait), Millis{kTwoMsl});
}

Profile reopen_profile() {
  Profile p;
  p.time_wait_syn = TimeWaitSyn::Reopen;
  return p;
}

// MAY-2 (TimeWaitSyn::Reopen): a SYN above RCV.NXT opens a new incarnation in SYN-RECEIVED with
// an ISS above everything the old one sent; its ACK establishes it.
// Covers: MAY-2
TEST(CornerCases, C18_SynAboveRcvNxtReopensFromTimeWait) {
  Conn c = time_wait(reopen_profile());
  const SeqNum old_snd_max = c.tcb().snd_max;
  const SeqNum new_irs = c.rcv_nxt() + 1000;
  const Outcome o = c.rcv(seg_noack(new_irs, kSyn));
  EXPECT_EQ(o.to, State::SynReceived) << describe(o);
  EXPECT_EQ(o.rule, Rule::TimeWaitSynReopens);
  ASSERT_EQ(o.sent.size(), 1u) << describe(o);
  const SeqNum iss = o.sent[0].seq;
  EXPECT_TRUE(sent_exactly(o, syn_ack_seg(iss, new_irs + 1)));
  EXPECT_TRUE(seq_gt(iss, old_snd_max));
  EXPECT_TRUE(c.tcb().from_time_wait);

  const Outcome est = c.rcv(ack_seg(new_irs + 1, iss + 1));
  EXPECT_EQ(est.to, State::Established) << describe(est);
}

// MAY-2 condition 2: if the reopening SYN was an old duplicate (its SYN-ACK draws an exact RST),
// the connection goes back to TIME-WAIT with the old TCB.
// Covers: MAY-2
TEST(CornerCases, C18_ReopenedIncarnationReturnsToTimeWaitOnRst) {
  Conn c = time_wait(reopen_profile());
  const Tcb old = c.tcb();
  const SeqNum new_irs = c.rcv_nxt() + 1000;
  const Segment synack = only(c.rcv(seg_noack(new_irs, kSyn)));
  c.now = 1000;
  const Outcome o = c.rcv(rst_a(synack.ack));
  EXPECT_EQ(o.to, State::TimeWait) << describe(o);
  EXPECT_EQ(o.rule, Rule::RstReturnsToTimeWait);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(c.tcb(), old);
  EXPECT_TRUE(c.ep.deadline(TimerKind::TimeWait).has_value());
}

// Under Reopen a SYN that is not above RCV.NXT still gets only the challenge ACK.
TEST(CornerCases, C18_OldSynInTimeWaitIsNotReopenedEvenWithReopenProfile) {
  Conn c = time_wait(reopen_profile());
  const Outcome o = unchanged(c, seg_noack(c.rcv_nxt() - 5, kSyn));
  EXPECT_TRUE(sent_exactly(o, expected_ack(c)));
}

// --- C19 duplicate SYN in passive SYN-RECEIVED ---

// The original SYN again fails the first check and is answered with an ACK (RFC; Linux would
// resend the SYN-ACK).
TEST(CornerCases, C19_RetransmittedOriginalSynIsAnsweredWithAck) {
  Conn c = syn_received_passive();
  const Outcome o = unchanged(c, seg_noack(kRemoteIss, kSyn));
  EXPECT_EQ(o.rule, Rule::UnacceptableSegmentAcked);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kLocalIss + 1, kRemoteIss + 1)));
}

// A different SYN inside the window sends a passive SYN-RECEIVED back to LISTEN, silently.
TEST(CornerCases, C19_DifferentInWindowSynReturnsToListenSilently) {
  Conn c = syn_received_passive();
  const Outcome o = c.rcv(seg_noack(kRemoteIss + 100, kSyn));
  EXPECT_EQ(o.to, State::Listen) << describe(o);
  EXPECT_EQ(o.rule, Rule::SynReturnsToListen);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_TRUE(o.notices.empty()) << describe(o);
  EXPECT_FALSE(c.tcb().irs_defined);
}

// The original SYN carried data: its retransmission overlaps RCV.NXT, passes the first check,
// loses its SYN to trimming and, lacking an ACK, is dropped at the fifth check.
TEST(CornerCases, C19_RetransmittedSynWithDataIsTrimmedAndDropped) {
  Conn c = listen();
  c.rcv(seg_noack(kRemoteIss, kSyn, 10));
  ASSERT_EQ(c.state(), State::SynReceived);
  const Outcome o = unchanged(c, seg_noack(kRemoteIss, kSyn, 10));
  EXPECT_EQ(o.rule, Rule::NoAckDropped);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
}

// --- C20 window variables on the active-open path ---

// RFC 1122 §4.2.2.20(c): SYN-SENT -> ESTABLISHED sets SND.WND/WL1/WL2 from the SYN-ACK, so data
// can go at once and the next window update is taken.
TEST(CornerCases, C20_ActiveOpenSetsTheSendWindowFromTheSynAck) {
  Conn c = established_active();
  EXPECT_EQ(c.tcb().snd_wnd, kPeerWnd);
  EXPECT_EQ(c.tcb().snd_wl1, kRemoteIss);
  EXPECT_EQ(c.tcb().snd_wl2, kLocalIss + 1);

  Outcome o = c.call(SendCall{.len = 600});
  EXPECT_EQ(o.sent.size(), 2u) << describe(o);  // 536 + 64: the window was known

  o = c.rcv(seg(kRemoteIss + 1, kLocalIss + 601, kAck, 0, 1234));
  EXPECT_EQ(c.tcb().snd_wnd, 1234u);
  EXPECT_EQ(c.tcb().snd_wl1, kRemoteIss + 1);
}

// --- C21 SYN-RECEIVED -> ESTABLISHED also moves SND.UNA ---

// The ACK of our SYN takes it off the retransmission queue: SND.UNA = ISS+1 and no timer left.
TEST(CornerCases, C21_EstablishingFromSynReceivedAdvancesSndUna) {
  for (auto make : {syn_received_passive, syn_received_active}) {
    Conn c = make(Profile{});
    c.rcv(ack_seg(kRemoteIss + 1, kLocalIss + 1));
    ASSERT_EQ(c.state(), State::Established);
    EXPECT_EQ(c.tcb().snd_una, kLocalIss + 1);
    EXPECT_FALSE(c.ep.deadline(TimerKind::Retransmission).has_value());
    const Outcome o = c.fire(TimerKind::Retransmission);
    EXPECT_EQ(o.rule, Rule::TimerNotArmed);
    EXPECT_TRUE(sent_nothing(o)) << describe(o);
  }
}

// --- C22 duplicate ACK below SND.UNA ---

// An old ACK (below SND.UNA, within MAX.SND.WND) is ignored, but the data on the segment is
// still taken and acknowledged (the model follows the RFC, not Linux).
TEST(CornerCases, C22_OldAckStillDeliversItsData) {
  Conn c = established();
  c.call(SendCall{.len = 100});
  c.rcv(seg(c.peer_nxt, kLocalIss + 101, kAck));
  ASSERT_EQ(c.tcb().snd_una, kLocalIss + 101);

  const Outcome o = c.rcv(seg(c.peer_nxt, kLocalIss + 1, kAck, 20));
  EXPECT_EQ(o.to, State::Established) << describe(o);
  EXPECT_EQ(o.rule, Rule::TextAccepted);
  EXPECT_EQ(c.rcv_nxt(), kRemoteIss + 21);
  EXPECT_EQ(c.tcb().snd_una, kLocalIss + 101);
  EXPECT_TRUE(sent_exactly(o, expected_ack(c)));
}

// The same in FIN-WAIT-2: a FIN with an old ACK still takes it to TIME-WAIT.
TEST(CornerCases, C22_OldAckStillDeliversItsFin) {
  Conn c = established();
  c.call(SendCall{.len = 100});
  c.rcv(seg(c.peer_nxt, kLocalIss + 101, kAck));
  c.call(CloseCall{});
  c.rcv(seg(c.peer_nxt, kLocalIss + 102, kAck));
  ASSERT_EQ(c.state(), State::FinWait2);

  const Outcome o = c.rcv(seg(c.peer_nxt, kLocalIss + 1, kFin | kAck));
  EXPECT_EQ(o.to, State::TimeWait) << describe(o);
  EXPECT_TRUE(sent_exactly(o, expected_ack(c)));
}

// RFC 5961 §5.2 (MAY-12): an ACK below SND.UNA - MAX.SND.WND is answered with an ACK and the
// segment dropped, data and all.
// Covers: MAY-12
TEST(CornerCases, C22_AckOlderThanTheLargestWindowIsChallengedAndDropped) {
  Conn c = established();  // MAX.SND.WND = 8192
  for (const std::uint32_t n : {8192u, 1000u}) {
    c.call(SendCall{.len = n});
    c.rcv(seg(c.peer_nxt, c.snd_nxt(), kAck));
  }
  ASSERT_EQ(c.tcb().snd_una, kLocalIss + 1 + 9192);
  const SeqNum rcv_nxt = c.rcv_nxt();
  const Outcome o = c.rcv(seg(c.peer_nxt, kLocalIss + 1, kAck, 20));
  EXPECT_EQ(o.rule, Rule::AckTooOldAcked);
  EXPECT_TRUE(sent_exactly(o, expected_ack(c)));
  EXPECT_EQ(c.rcv_nxt(), rcv_nxt);
}

// --- C23 zero receive window ---

Profile small_buffer() {
  Profile p;
  p.receive_buffer = 1000;
  return p;
}

// With RCV.WND = 0 a zero-length segment is acceptable only at RCV.NXT; anything else gets an
// ACK showing the zero window.
TEST(CornerCases, C23_ZeroWindowAcceptsAnEmptySegmentOnlyAtRcvNxt) {
  Conn c = established(small_buffer());
  c.peer_sends(1000);
  ASSERT_EQ(c.tcb().rcv_wnd, 0u);

  Outcome o = unchanged(c, seg(c.peer_nxt + 1, kLocalIss + 1, kAck));
  EXPECT_EQ(o.rule, Rule::UnacceptableSegmentAcked);
  EXPECT_TRUE(sent_exactly(o, expected_ack(c)));
  EXPECT_EQ(o.sent.at(0).wnd, 0u);

  o = c.rcv(seg(c.peer_nxt, kLocalIss + 1, kAck));
  EXPECT_EQ(o.rule, Rule::AckProcessed);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
}

// A data octet at RCV.NXT (a probe) is not taken, but its ACK is honoured and an ACK with
// window 0 goes back.
// Covers: MUST-66
TEST(CornerCases, C23_ProbeIntoZeroWindowIsNotTakenButItsAckCounts) {
  Conn c = established(small_buffer());
  c.call(SendCall{.len = 100});
  c.rcv(seg(c.peer_nxt, kLocalIss + 1, kAck, 1000));  // fills our window, acks nothing new
  c.peer_nxt += 1000;
  ASSERT_EQ(c.tcb().rcv_wnd, 0u);
  const SeqNum rcv_nxt = c.rcv_nxt();

  const Outcome o = c.rcv(seg(c.peer_nxt, kLocalIss + 101, kAck, 1));
  EXPECT_EQ(c.rcv_nxt(), rcv_nxt);
  EXPECT_EQ(c.tcb().recv_unread, 1000u);
  EXPECT_EQ(c.tcb().snd_una, kLocalIss + 101);
  EXPECT_TRUE(sent_exactly(o, expected_ack(c)));
  EXPECT_EQ(o.sent.at(0).wnd, 0u);
}

// RST and URG are acted on with a zero window too.
// Covers: MUST-66
TEST(CornerCases, C23_RstAndUrgCountInAZeroWindow) {
  {
    Conn c = established(small_buffer());
    c.peer_sends(1000);
    Segment urg = seg(c.peer_nxt, kLocalIss + 1, kAck | kUrg, 1);
    urg.up = 5;
    const Outcome o = c.rcv(urg);
    EXPECT_EQ(o.notices, std::vector<Notice>{Notice::urgent()}) << describe(o);
    EXPECT_EQ(c.tcb().rcv_up, c.rcv_nxt() + 5);
  }
  {
    Conn c = established(small_buffer());
    c.peer_sends(1000);
    const Outcome o = c.rcv(seg(c.peer_nxt, kLocalIss + 1, kRst, 1));
    EXPECT_EQ(o.to, State::Closed) << describe(o);
    EXPECT_EQ(o.rule, Rule::RstResetsConnection);
  }
}

// --- C24 wraparound ---

// SND.NXT wraps past 0: the ACK of data sent across 2^32 is acceptable, and an ACK from before
// the wrap (numerically huge) is an old ACK, not one from the future.
TEST(CornerCases, C24_AcksAcrossTheWrapAreComparedModulo2To32) {
  Conn c = established();
  c.call(SendCall{.len = 20});
  EXPECT_EQ(c.snd_nxt(), SeqNum(5));  // 0xFFFFFFF1 + 20 wraps
  Outcome o = c.rcv(seg(c.peer_nxt, SeqNum(5), kAck));
  EXPECT_EQ(o.rule, Rule::AckProcessed);
  EXPECT_EQ(c.tcb().snd_una, SeqNum(5));
  EXPECT_FALSE(c.ep.deadline(TimerKind::Retransmission).has_value());

  o = c.rcv(seg(c.peer_nxt, kLocalIss + 1, kAck, 10));  // old ACK, data still taken
  EXPECT_EQ(o.rule, Rule::TextAccepted);
  EXPECT_EQ(c.tcb().snd_una, SeqNum(5));
}

// Our FIN on 0xFFFFFFFF: its ACK is 0, and it is recognised as acknowledging the FIN.
TEST(CornerCases, C24_FinOnTheLastSequenceNumberIsAckedByZero) {
  Conn c = established();
  c.call(SendCall{.len = 14});
  const Outcome close = c.call(CloseCall{});
  EXPECT_TRUE(sent_exactly(close, fin_seg(SeqNum(0xFFFF'FFFFu), c.rcv_nxt())));
  EXPECT_EQ(c.snd_nxt(), SeqNum(0));
  const Outcome o = c.rcv(seg(c.peer_nxt, SeqNum(0), kAck));
  EXPECT_EQ(o.to, State::FinWait2) << describe(o);
}

// The peer's data crosses 2^32 in our receive space too.
TEST(CornerCases, C24_ReceivedDataCrossesTheWrap) {
  Conn c = established();
  const Outcome o = c.peer_sends(10);
  EXPECT_EQ(o.rule, Rule::TextAccepted);
  EXPECT_EQ(c.rcv_nxt(), SeqNum(5));
  EXPECT_TRUE(sent_exactly(o, ack_seg(kLocalIss + 1, SeqNum(5))));
}

// --- C25 RST at the FIN's sequence number ---

// Once the peer's FIN is consumed, a RST at RCV.NXT-1 is left of the window: dropped silently,
// no challenge ACK, with or without RFC 5961.
TEST(CornerCases, C25_RstAtTheConsumedFinsSeqIsDroppedSilently) {
  for (const Profile& p : {Profile{}, Profile::legacy_rfc793()}) {
    for (auto make : {close_wait, closing, last_ack, time_wait}) {
      Conn c = make(p);
      SCOPED_TRACE(p.name + " " + std::string(to_string(c.state())));
      const Outcome o = unchanged(c, rst_at(c.rcv_nxt() - 1));
      EXPECT_EQ(o.rule, Rule::UnacceptableRstDropped);
      EXPECT_TRUE(sent_nothing(o)) << describe(o);
    }
  }
}

// --- C26 in-window vs out-of-window RST ---

// Out of window: silent drop. In window but not exact: challenge ACK. Exact: reset.
TEST(CornerCases, C26_RstOutsideInsideAndExactlyAtRcvNxt) {
  Conn c = established();
  Outcome o = unchanged(c, rst_at(c.rcv_nxt() + 70'000));
  EXPECT_EQ(o.rule, Rule::UnacceptableRstDropped);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);

  o = unchanged(c, rst_at(c.rcv_nxt() - 1));
  EXPECT_EQ(o.rule, Rule::UnacceptableRstDropped);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);

  o = unchanged(c, rst_at(c.rcv_nxt() + 100));
  EXPECT_EQ(o.rule, Rule::RstChallengeAck);
  EXPECT_TRUE(sent_exactly(o, expected_ack(c)));

  o = c.rcv(rst_at(c.rcv_nxt()));
  EXPECT_EQ(o.to, State::Closed) << describe(o);
  EXPECT_EQ(o.rule, Rule::RstResetsConnection);
  EXPECT_EQ(o.notices, std::vector<Notice>{err(UserError::ConnectionReset)});
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
}

// Without RFC 5961 (RFC 793) any in-window RST resets.
TEST(CornerCases, C26_LegacyProfileAcceptsAnyInWindowRst) {
  Conn c = established(Profile::legacy_rfc793());
  const Outcome o = c.rcv(rst_at(c.rcv_nxt() + 100));
  EXPECT_EQ(o.to, State::Closed) << describe(o);
  EXPECT_EQ(o.rule, Rule::RstResetsConnection);
}

// --- C27 challenge ACK rate limit ---

// RFC 5961 §7: with challenge_ack_limit = 2 per second, a third challenge within the second is
// suppressed (for RSTs and SYNs alike), and challenges resume once the window has passed.
TEST(CornerCases, C27_ChallengeAckRateLimitSuppressesExtrasWithinTheWindow) {
  Profile p;
  p.challenge_ack_limit = 2;
  p.challenge_ack_window_ms = 1000;
  Conn c = established(p);
  const Segment in_window_rst = rst_at(c.rcv_nxt() + 100);
  const Segment in_window_syn = seg_noack(c.rcv_nxt() + 200, kSyn);

  EXPECT_TRUE(sent_exactly(c.rcv(in_window_rst), expected_ack(c)));
  EXPECT_TRUE(sent_exactly(c.rcv(in_window_syn), expected_ack(c)));
  Outcome o = unchanged(c, in_window_rst);
  EXPECT_EQ(o.rule, Rule::RstChallengeAck);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  c.now = 999;
  o = unchanged(c, in_window_syn);
  EXPECT_EQ(o.rule, Rule::SynChallengeAck);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);

  c.now = 1000;
  EXPECT_TRUE(sent_exactly(c.rcv(in_window_rst), expected_ack(c)));
  EXPECT_TRUE(sent_exactly(c.rcv(in_window_rst), expected_ack(c)));
  EXPECT_TRUE(sent_nothing(c.rcv(in_window_rst)));
  EXPECT_EQ(c.state(), State::Established);
}

// The default profile does not limit them.
TEST(CornerCases, C27_WithoutALimitEveryChallengeIsSent) {
  Conn c = established();
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE(sent_exactly(c.rcv(rst_at(c.rcv_nxt() + 100)), expected_ack(c))) << i;
  }
}

// --- C28 LISTEN and segments with ACK ---

// SYN+ACK or a bare ACK at a listener draws RST(a); RST+ACK is ignored (RST comes first).
TEST(CornerCases, C28_ListenResetsAckedSegmentsButIgnoresRstAck) {
  Conn c = listen();
  Outcome o = unchanged(c, seg(kRemoteIss, SeqNum(4242), kSyn | kAck));
  EXPECT_EQ(o.rule, Rule::ListenResetsAck);
  EXPECT_TRUE(sent_exactly(o, rst_a(SeqNum(4242))));

  o = unchanged(c, seg(kRemoteIss, SeqNum(99), kAck));
  EXPECT_EQ(o.rule, Rule::ListenResetsAck);
  EXPECT_TRUE(sent_exactly(o, rst_a(SeqNum(99))));

  o = unchanged(c, seg(kRemoteIss, SeqNum(99), kRst | kAck));
  EXPECT_EQ(o.rule, Rule::ListenIgnoresRst);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
}

// --- C29 SYN with data or FIN before ESTABLISHED ---

// Text and FIN on a SYN at a listener reach neither the user nor step 8 before ESTABLISHED;
// the ACK of our SYN then delivers the text and processes the FIN.
TEST(CornerCases, C29_TextAndFinOnSynAtListenerWaitForEstablished) {
  Conn c = listen();
  c.call(ReceiveCall{});
  Outcome o = c.rcv(seg_noack(kRemoteIss, kSyn | kFin, 10));
  EXPECT_EQ(o.to, State::SynReceived) << describe(o);
  EXPECT_TRUE(o.notices.empty()) << describe(o);
  EXPECT_EQ(c.rcv_nxt(), kRemoteIss + 1);
  EXPECT_TRUE(sent_exactly(o, syn_ack_seg(kLocalIss, kRemoteIss + 1)));

  o = c.rcv(ack_seg(kRemoteIss + 12, kLocalIss + 1));
  EXPECT_EQ(o.to, State::CloseWait) << describe(o);
  EXPECT_EQ(o.notices,
            (std::vector<Notice>{Notice::delivered(10), err(UserError::ConnectionClosing)}))
      << describe(o);
  EXPECT_EQ(c.rcv_nxt(), kRemoteIss + 12);
  EXPECT_TRUE(sent_exactly(o, ack_seg(kLocalIss + 1, kRemoteIss + 12)));
}

// The same on the simultaneous-open path: a SYN with text in SYN-SENT delivers nothing yet.
TEST(CornerCases, C29_TextOnSynInSynSentWaitsForEstablished) {
  Conn c = syn_sent();
  c.call(ReceiveCall{});
  Outcome o = c.rcv(seg_noack(kRemoteIss, kSyn, 10));
  EXPECT_EQ(o.to, State::SynReceived) << describe(o);
  EXPECT_TRUE(o.notices.empty()) << describe(o);
  EXPECT_EQ(c.rcv_nxt(), kRemoteIss + 1);

  o = c.rcv(ack_seg(kRemoteIss + 11, kLocalIss + 1));
  EXPECT_EQ(o.to, State::Established) << describe(o);
  EXPECT_EQ(o.notices, std::vector<Notice>{Notice::delivered(10)}) << describe(o);
  EXPECT_EQ(c.rcv_nxt(), kRemoteIss + 11);
}

// --- C30 RECEIVE after the peer's FIN ---

// In CLOSE-WAIT buffered data is still handed over; "closing" only once none is left.
TEST(CornerCases, C30_CloseWaitDeliversBufferedDataBeforeClosing) {
  Conn c = established();
  c.peer_sends(100, kFin);
  ASSERT_EQ(c.state(), State::CloseWait);
  Outcome o = c.call(ReceiveCall{.max_len = 60});
  EXPECT_EQ(o.notices, std::vector<Notice>{Notice::delivered(60)});
  o = c.call(ReceiveCall{});
  EXPECT_EQ(o.notices, std::vector<Notice>{Notice::delivered(40)});
  o = c.call(ReceiveCall{});
  EXPECT_EQ(o.rule, Rule::ReceiveAfterPeerClosed);
  EXPECT_EQ(o.notices, std::vector<Notice>{err(UserError::ConnectionClosing)});
}

// [I] In LAST-ACK the model still hands over unread data (docs/model.md) before "closing".
TEST(CornerCases, C30_LastAckHandsOverUnreadDataThenSaysClosing) {
  Conn c = established();
  c.peer_sends(100, kFin);
  c.call(CloseCall{});
  ASSERT_EQ(c.state(), State::LastAck);
  Outcome o = c.call(ReceiveCall{});
  EXPECT_EQ(o.notices, std::vector<Notice>{Notice::delivered(100)});
  o = c.call(ReceiveCall{});
  EXPECT_EQ(o.notices, std::vector<Notice>{err(UserError::ConnectionClosing)});
}

// --- C31 FIN-WAIT-2 forever ---

// RFC 9293 gives FIN-WAIT-2 no timer: with the peer silent it lasts indefinitely, and still
// takes the peer's FIN a day later.
TEST(CornerCases, C31_FinWait2LastsForeverByDefault) {
  Conn c = fin_wait_2();
  EXPECT_FALSE(c.ep.next_timer().has_value());
  const Millis day = Millis{24} * 3600 * 1000;
  EXPECT_TRUE(c.ep.advance_to(day).empty());
  EXPECT_EQ(c.state(), State::FinWait2);
  c.now = day;
  const Outcome o = c.peer_sends(0, kFin);
  EXPECT_EQ(o.to, State::TimeWait) << describe(o);
}

// The Linux-like profile option ends it after fin_wait_2_timeout_ms.
TEST(CornerCases, C31_FinWait2TimeoutProfileEndsIt) {
  Profile p;
  p.fin_wait_2_timeout_ms = 60'000;
  Conn c = fin_wait_2(p);
  const std::vector<Outcome> fired = c.ep.advance_to(60'000);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].rule, Rule::FinWait2Expires);
  EXPECT_EQ(c.state(), State::Closed);
}

// --- C32 RST for a segment without ACK ---

// RST(0) acknowledges SEG.SEQ+SEG.LEN, where SYN and FIN count one each.
TEST(CornerCases, C32_ResetForSegmentWithoutAckCountsSynAndFin) {
  const SeqNum x(0xFFFF'FFF8u);  // so the ACK wraps
  struct Case {
    std::uint8_t ctl;
    std::uint32_t len;
    SeqNum ack;
  };
  for (const Case& k : {Case{kSyn, 0, x + 1}, Case{kFin, 0, x + 1}, Case{kSyn | kFin, 10, x + 12},
                        Case{kPsh, 5, x + 5}, Case{kFin, 5, x + 6}}) {
    Conn c = closed();
    SCOPED_TRACE(ctl_to_string(k.ctl) + " len " + std::to_string(k.len));
    const Outcome o = unchanged(c, seg_noack(x, k.ctl, k.len));
    EXPECT_EQ(o.rule, Rule::ClosedAnswersWithReset);
    EXPECT_TRUE(sent_exactly(o, rst_0(k.ack)));
  }
}

}  // namespace
}  // namespace tcpfsm::test
