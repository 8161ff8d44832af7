// SEGMENT ARRIVES in SYN-RECEIVED (RFC 9293 §3.10.7.4; digest §1.5, §4b, §4c, C3, C4, C10, C12,
// C19, C21), once reached passively from LISTEN and once actively through a simultaneous open.
// In both fixtures ISS = kLocalIss, SND.UNA = ISS, SND.NXT = ISS+1, IRS = kRemoteIss,
// RCV.NXT = IRS+1 = 0xFFFFFFFB and RCV.WND = 65535, so the window's right edge wraps past zero.
#include "support/fixtures.hpp"

namespace tcpfsm::test {
namespace {

constexpr std::uint32_t kRcvWnd = 65535;  // the default receive buffer, all free

// RST(a): the reply to a segment that carries an ACK, <SEQ=SEG.ACK><CTL=RST>.
Segment rst_a(SeqNum seg_ack) {
  return Segment{.seq = seg_ack, .ctl = kRst};
}
// RST(0): the reply to a segment without ACK, <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
Segment rst_0(SeqNum ack) {
  return Segment{.seq = SeqNum(0), .ack = ack, .ctl = kRst | kAck};
}
Segment ack_of(SeqNum seq, SeqNum ack) {
  return Segment{.seq = seq, .ack = ack, .ctl = kAck};
}

// The first sequence number past the receive window.
SeqNum right_edge(const Conn& c) {
  return c.rcv_nxt() + c.tcb().rcv_wnd;
}

// Steps with a segment that must leave SYN-RECEIVED as it was: same state, same TCB, nothing
// told to the user.
Outcome syn_received_unchanged(Conn& c, const Segment& s) {
  const Tcb before = c.tcb();
  Outcome o = c.rcv(s);
  EXPECT_EQ(o.from, State::SynReceived) << describe(o);
  EXPECT_EQ(o.to, State::SynReceived) << describe(o);
  EXPECT_TRUE(o.notices.empty()) << describe(o);
  EXPECT_EQ(c.tcb(), before);
  return o;
}

// The TCB a listener has before any SYN arrived: a return to LISTEN must leave exactly this.
Tcb fresh_listen_tcb() {
  return listen().tcb();
}

// ================================ passively opened (from LISTEN) ================================

TEST(SynReceivedPassive, FixtureStateIsAsRfcPrescribes) {
  Conn c = syn_received_passive();
  const Tcb& t = c.tcb();
  EXPECT_TRUE(t.passive_open);
  EXPECT_EQ(t.irs, kRemoteIss);
  EXPECT_EQ(t.rcv_nxt, kRemoteIss + 1);
  EXPECT_EQ(t.rcv_wnd, kRcvWnd);
  EXPECT_EQ(t.iss, kLocalIss);
  EXPECT_EQ(t.snd_una, kLocalIss);
  EXPECT_EQ(t.snd_nxt, kLocalIss + 1);
}

// --- first check: sequence number ---

// RFC 9293 §3.10.7.4, first check: a segment at the right edge is outside; answer with
// <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and drop.
TEST(SynReceivedPassive, SegmentPastTheWindowDrawsAckAndStays) {
  Conn c = syn_received_passive();
  const Outcome o = syn_received_unchanged(c, seg(right_edge(c), kLocalIss + 1, kAck));
  EXPECT_TRUE(sent_exactly(o, ack_of(kLocalIss + 1, kRemoteIss + 1)));
  EXPECT_EQ(o.rule, Rule::UnacceptableSegmentAcked);
}

TEST(SynReceivedPassive, OldDataBeforeTheWindowDrawsAckAndStays) {
  Conn c = syn_received_passive();
  const Outcome o = syn_received_unchanged(c, seg(kRemoteIss - 20, kLocalIss + 1, kAck, 10));
  EXPECT_TRUE(sent_exactly(o, expected_ack(c)));
  EXPECT_EQ(o.rule, Rule::UnacceptableSegmentAcked);
}

// The sequence test runs before the ACK test: an out-of-window segment with a bad ACK gets an
// ACK, not a RST (Linux checks the ACK first; digest §7 L8).
TEST(SynReceivedPassive, OutOfWindowSegmentWithBadAckDrawsAckNotRst) {
  Conn c = syn_received_passive();
  const Outcome o = syn_received_unchanged(c, seg(right_edge(c) + 100, kLocalIss + 50, kAck));
  EXPECT_TRUE(sent_exactly(o, expected_ack(c)));
  EXPECT_EQ(o.rule, Rule::UnacceptableSegmentAcked);
}

// C19: the peer's original SYN retransmitted lies wholly before RCV.NXT: ACK, not a SYN-ACK.
TEST(SynReceivedPassive, RetransmittedOriginalSynDrawsAckAndStays) {
  Conn c = syn_received_passive();
  const Outcome o = syn_received_unchanged(c, seg_noack(kRemoteIss, kSyn));
  EXPECT_TRUE(sent_exactly(o, ack_of(kLocalIss + 1, kRemoteIss + 1)));
  EXPECT_EQ(o.rule, Rule::UnacceptableSegmentAcked);
}

// C19 [I]: an original SYN that carried data overlaps RCV.NXT when retransmitted. Trimming cuts
// the SYN off, and what remains has no ACK, so it is dropped at the fifth check.
TEST(SynReceivedPassive, RetransmittedSynWithDataIsTrimmedThenDroppedForLackOfAck) {
  Conn c = listen();
  c.rcv(seg_noack(kRemoteIss, kSyn, 5));
  ASSERT_EQ(c.state(), State::SynReceived);
  const Outcome o = syn_received_unchanged(c, seg_noack(kRemoteIss, kSyn, 5));
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::NoAckDropped);
}

// E0: an unacceptable RST is never answered.
TEST(SynReceivedPassive, RstPastTheWindowIsDroppedSilently) {
  Conn c = syn_received_passive();
  const Outcome o = syn_received_unchanged(c, seg_noack(right_edge(c), kRst));
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::UnacceptableRstDropped);
}

TEST(SynReceivedPassive, RstJustBeforeRcvNxtIsDroppedSilently) {
  Conn c = syn_received_passive();
  const Outcome o = syn_received_unchanged(c, seg(kRemoteIss, kLocalIss + 1, kRst | kAck));
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::UnacceptableRstDropped);
}

// --- second check: RST ---

// RFC 9293 §3.10.7.4, second check: a passively opened connection goes back to LISTEN. The
// user is not told, nothing is sent, and nothing of the attempt is left (no timer either).
// Covers: MUST-11
TEST(SynReceivedPassive, RstAtRcvNxtReturnsToListenSilently) {
  Conn c = syn_received_passive();
  const Outcome o = c.rcv(seg_noack(kRemoteIss + 1, kRst));
  EXPECT_EQ(o.to, State::Listen) << describe(o);
  EXPECT_EQ(o.rule, Rule::RstReturnsToListen);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_TRUE(o.notices.empty()) << describe(o);
  EXPECT_EQ(c.tcb(), fresh_listen_tcb());
  EXPECT_FALSE(c.ep.next_timer().has_value());
}

// C4, Figures 8 and 11: an old duplicate SYN reaches the listener; the peer answers our SYN-ACK
// with RST(a), whose SEQ is exactly our RCV.NXT, so even RFC 5961 accepts it. The listener is
// back to LISTEN and opens normally for the next, genuine SYN, with a fresh ISS.
// Covers: MUST-11
TEST(SynReceivedPassive, PeerResetOfOldDuplicateSynRestoresTheListener) {
  Conn c = listen();
  const Outcome old = c.rcv(seg_noack(kRemoteIss, kSyn));
  ASSERT_EQ(old.sent.size(), 1u);
  const Segment peer_rst{.seq = old.sent.front().ack, .ctl = kRst};  // RST(a) of the SYN-ACK
  const Outcome reset = c.rcv(peer_rst);
  EXPECT_EQ(reset.to, State::Listen) << describe(reset);
  EXPECT_TRUE(sent_nothing(reset)) << describe(reset);
  EXPECT_TRUE(reset.notices.empty()) << describe(reset);

  const SeqNum new_irs(0x0000'1000u);
  const Outcome fresh = c.rcv(seg_noack(new_irs, kSyn));
  EXPECT_EQ(fresh.to, State::SynReceived) << describe(fresh);
  const SeqNum new_iss = c.tcb().iss;
  EXPECT_NE(new_iss, kLocalIss);
  EXPECT_TRUE(sent_exactly(fresh, Segment{.seq = new_iss, .ack = new_irs + 1, .ctl = kSyn | kAck}));
  EXPECT_EQ(c.tcb().irs, new_irs);
  EXPECT_TRUE(c.tcb().passive_open);
}

// RFC 5961 §3.2 (digest §1.5 step 2): in the window but not at RCV.NXT: a challenge ACK.
TEST(SynReceivedPassive, RstInWindowButNotAtRcvNxtDrawsChallengeAck) {
  Conn c = syn_received_passive();
  const Outcome o = syn_received_unchanged(c, seg_noack(kRemoteIss + 101, kRst));
  EXPECT_TRUE(sent_exactly(o, ack_of(kLocalIss + 1, kRemoteIss + 1)));
  EXPECT_EQ(o.rule, Rule::RstChallengeAck);
}

// RFC 793 (legacy profile): any in-window RST is believed.
TEST(SynReceivedPassive, LegacyRstInWindowButNotAtRcvNxtReturnsToListen) {
  Conn c = syn_received_passive(Profile::legacy_rfc793());
  const Outcome o = c.rcv(seg_noack(kRemoteIss + 101, kRst));
  EXPECT_EQ(o.to, State::Listen) << describe(o);
  EXPECT_EQ(o.rule, Rule::RstReturnsToListen);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_TRUE(o.notices.empty()) << describe(o);
}

// SHLD-2: a RST may carry data; the RST still counts and the data is ignored.
// Covers: SHLD-2
TEST(SynReceivedPassive, RstCarryingDataAtRcvNxtIsAccepted) {
  Conn c = syn_received_passive();
  const Outcome o = c.rcv(seg_noack(kRemoteIss + 1, kRst, 20));
  EXPECT_EQ(o.to, State::Listen) << describe(o);
  EXPECT_EQ(o.rule, Rule::RstReturnsToListen);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(c.tcb().recv_unread, 0u);
}

// The RST check comes before the ACK check: a RST with a bad ACK is not answered with RST(a).
TEST(SynReceivedPassive, RstWithBadAckAtRcvNxtStillReturnsToListen) {
  Conn c = syn_received_passive();
  const Outcome o = c.rcv(seg(kRemoteIss + 1, kLocalIss + 77, kRst | kAck));
  EXPECT_EQ(o.to, State::Listen) << describe(o);
  EXPECT_EQ(o.rule, Rule::RstReturnsToListen);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
}

// Back in LISTEN the listener's own RECEIVE keeps waiting; it is not failed.
TEST(SynReceivedPassive, RstLeavesTheListenersQueuedReceiveWaiting) {
  Conn c = listen();
  c.call(ReceiveCall{});
  c.rcv(seg_noack(kRemoteIss, kSyn));
  const Outcome o = c.rcv(seg_noack(kRemoteIss + 1, kRst));
  EXPECT_EQ(o.to, State::Listen) << describe(o);
  EXPECT_TRUE(o.notices.empty()) << describe(o);
  EXPECT_EQ(c.tcb().pending_receives.size(), 1u);
}

// The remote socket filled in from the SYN belonged to the aborted attempt: a listener opened
// without one is again unspecified, so a SEND there has nobody to open to.
TEST(SynReceivedPassive, RstRestoresTheListenersUnspecifiedRemoteSocket) {
  Conn c;
  c.call(OpenCall{.passive = true, .remote_specified = false});
  c.rcv(seg_noack(kRemoteIss, kSyn));
  ASSERT_EQ(c.state(), State::SynReceived);
  const Outcome o = c.rcv(seg_noack(kRemoteIss + 1, kRst));
  EXPECT_EQ(o.to, State::Listen) << describe(o);
  EXPECT_FALSE(c.tcb().remote_specified);
  const Outcome send = c.call(SendCall{.len = 1});
  EXPECT_EQ(send.to, State::Listen) << describe(send);
  EXPECT_EQ(send.notices, std::vector<Notice>{Notice::err(UserError::RemoteSocketUnspecified)});
}

// --- fourth check: SYN ---

// RFC 9293 §3.10.7.4, fourth check: a different SYN inside the window sends a passive
// SYN-RECEIVED back to LISTEN, silently (C19).
// Covers: MUST-11
TEST(SynReceivedPassive, DifferentSynInWindowReturnsToListenSilently) {
  Conn c = syn_received_passive();
  const Outcome o = c.rcv(seg_noack(kRemoteIss + 11, kSyn));
  EXPECT_EQ(o.to, State::Listen) << describe(o);
  EXPECT_EQ(o.rule, Rule::SynReturnsToListen);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_TRUE(o.notices.empty()) << describe(o);
  EXPECT_EQ(c.tcb(), fresh_listen_tcb());
}

// RFC 5961 changes nothing here: the legacy profile also returns to LISTEN without a RST.
TEST(SynReceivedPassive, LegacyDifferentSynInWindowAlsoReturnsToListenSilently) {
  Conn c = syn_received_passive(Profile::legacy_rfc793());
  const Outcome o = c.rcv(seg_noack(kRemoteIss + 11, kSyn));
  EXPECT_EQ(o.to, State::Listen) << describe(o);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
}

// Digest §4b, SRp row, SA+ and SA- columns: an in-window SYN-ACK is a SYN first.
TEST(SynReceivedPassive, SynAckInWindowReturnsToListen) {
  Conn c = syn_received_passive();
  const Outcome o = c.rcv(seg(kRemoteIss + 11, kLocalIss + 1, kSyn | kAck));
  EXPECT_EQ(o.to, State::Listen) << describe(o);
  EXPECT_EQ(o.rule, Rule::SynReturnsToListen);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
}

TEST(SynReceivedPassive, SynAckWithBadAckInWindowReturnsToListenWithoutRst) {
  Conn c = syn_received_passive();
  const Outcome o = c.rcv(seg(kRemoteIss + 11, kLocalIss + 9, kSyn | kAck));
  EXPECT_EQ(o.to, State::Listen) << describe(o);
  EXPECT_EQ(o.rule, Rule::SynReturnsToListen);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
}

TEST(SynReceivedPassive, SynPastTheWindowDrawsAckAndStays) {
  Conn c = syn_received_passive();
  const Outcome o = syn_received_unchanged(c, seg_noack(right_edge(c) + 10, kSyn));
  EXPECT_TRUE(sent_exactly(o, expected_ack(c)));
  EXPECT_EQ(o.rule, Rule::UnacceptableSegmentAcked);
}

TEST(SynReceivedPassive, SynAckPastTheWindowDrawsAckAndStays) {
  Conn c = syn_received_passive();
  const Outcome o = syn_received_unchanged(c, seg(right_edge(c) + 10, kLocalIss + 1, kSyn | kAck));
  EXPECT_TRUE(sent_exactly(o, expected_ack(c)));
  EXPECT_EQ(o.rule, Rule::UnacceptableSegmentAcked);
}

// --- fifth check: ACK ---

// C11: in-window text without ACK is dropped, unacknowledged.
TEST(SynReceivedPassive, DataWithoutAckIsDroppedSilently) {
  Conn c = syn_received_passive();
  const Outcome o = syn_received_unchanged(c, seg_noack(kRemoteIss + 1, kPsh, 10));
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::NoAckDropped);
}

TEST(SynReceivedPassive, FinWithoutAckIsDroppedSilently) {
  Conn c = syn_received_passive();
  const Outcome o = syn_received_unchanged(c, seg_noack(kRemoteIss + 1, kFin));
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::NoAckDropped);
  EXPECT_FALSE(c.tcb().fin_received);
}

// RFC 9293 §3.10.7.4, fifth check: the ACK of our SYN completes the handshake. The window
// variables come from this segment, and (C21) SND.UNA moves to SEG.ACK, so the SYN-ACK is no
// longer retransmitted.
TEST(SynReceivedPassive, AckOfSynEstablishes) {
  Conn c = syn_received_passive();
  const Outcome o = c.rcv(seg(kRemoteIss + 1, kLocalIss + 1, kAck, 0, 7000));
  EXPECT_EQ(o.to, State::Established) << describe(o);
  EXPECT_EQ(o.rule, Rule::AckProcessed);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_TRUE(o.notices.empty()) << describe(o);
  const Tcb& t = c.tcb();
  EXPECT_EQ(t.snd_una, kLocalIss + 1);
  EXPECT_EQ(t.snd_nxt, kLocalIss + 1);
  EXPECT_EQ(t.snd_wnd, 7000u);
  EXPECT_EQ(t.snd_wl1, kRemoteIss + 1);
  EXPECT_EQ(t.snd_wl2, kLocalIss + 1);
  EXPECT_EQ(t.rcv_nxt, kRemoteIss + 1);
  EXPECT_EQ(t.irs, kRemoteIss);
  EXPECT_TRUE(t.passive_open);
  EXPECT_FALSE(c.ep.deadline(TimerKind::Retransmission).has_value());
}

// §3.5.2 group 2: an ACK that does not acknowledge our SYN draws RST(a); we stay.
TEST(SynReceivedPassive, AckOfIssOnlyDrawsRstAndStays) {
  Conn c = syn_received_passive();
  const Outcome o = syn_received_unchanged(c, seg(kRemoteIss + 1, kLocalIss, kAck));
  EXPECT_TRUE(sent_exactly(o, rst_a(kLocalIss)));
  EXPECT_EQ(o.rule, Rule::SynReceivedResetsBadAck);
}

TEST(SynReceivedPassive, AckAboveSndNxtDrawsRstAndStays) {
  Conn c = syn_received_passive();
  const Outcome o = syn_received_unchanged(c, seg(kRemoteIss + 1, kLocalIss + 2, kAck));
  EXPECT_TRUE(sent_exactly(o, rst_a(kLocalIss + 2)));
  EXPECT_EQ(o.rule, Rule::SynReceivedResetsBadAck);
}

// [I] digest §1.5 step 5: in SYN-RECEIVED the state's own rule (RST) wins over the RFC 5961
// range check (which would send an ACK) for an ACK far below SND.UNA.
TEST(SynReceivedPassive, AckFarBelowSndUnaDrawsRstNotChallengeAck) {
  Conn c = syn_received_passive();
  const Outcome o = syn_received_unchanged(c, seg(kRemoteIss + 1, kLocalIss - 100000, kAck));
  EXPECT_TRUE(sent_exactly(o, rst_a(kLocalIss - 100000)));
  EXPECT_EQ(o.rule, Rule::SynReceivedResetsBadAck);
}

// A bad ACK discards the whole segment: its data is not taken.
TEST(SynReceivedPassive, BadAckWithDataDrawsRstAndTakesNoData) {
  Conn c = syn_received_passive();
  const Outcome o = syn_received_unchanged(c, seg(kRemoteIss + 1, kLocalIss + 3, kAck, 10));
  EXPECT_TRUE(sent_exactly(o, rst_a(kLocalIss + 3)));
  EXPECT_EQ(c.rcv_nxt(), kRemoteIss + 1);
}

// Digest §4b A+ column: ESTABLISHED, and data on the ACK is taken and acknowledged.
// RCV.NXT = IRS + 1 + 10 wraps to 5.
TEST(SynReceivedPassive, AckWithDataEstablishesAndAcknowledgesTheData) {
  Conn c = syn_received_passive();
  c.call(ReceiveCall{});
  const Outcome o = c.rcv(seg(kRemoteIss + 1, kLocalIss + 1, kAck | kPsh, 10));
  EXPECT_EQ(o.to, State::Established) << describe(o);
  EXPECT_EQ(o.notices, std::vector<Notice>{Notice::delivered(10)}) << describe(o);
  EXPECT_EQ(c.rcv_nxt(), SeqNum(5));
  EXPECT_TRUE(sent_exactly(o, ack_of(kLocalIss + 1, SeqNum(5))));
  EXPECT_EQ(c.tcb().snd_una, kLocalIss + 1);
}

// C10: ACK+FIN in one segment: ESTABLISHED at the fifth check, CLOSE-WAIT at the eighth, and
// the FIN is acknowledged.
// Covers: MUST-12
TEST(SynReceivedPassive, AckWithFinEntersCloseWaitInOneSegment) {
  Conn c = syn_received_passive();
  const Outcome o = c.rcv(seg(kRemoteIss + 1, kLocalIss + 1, kAck | kFin));
  EXPECT_EQ(o.to, State::CloseWait) << describe(o);
  EXPECT_EQ(o.rule, Rule::FinReceived);
  EXPECT_EQ(o.notices, std::vector<Notice>{Notice::err(UserError::ConnectionClosing)});
  EXPECT_TRUE(sent_exactly(o, ack_of(kLocalIss + 1, kRemoteIss + 2)));
  EXPECT_EQ(c.tcb().snd_una, kLocalIss + 1);
  EXPECT_TRUE(c.tcb().fin_received);
}

TEST(SynReceivedPassive, AckWithDataAndFinDeliversThenEntersCloseWait) {
  Conn c = syn_received_passive();
  c.call(ReceiveCall{});
  const Outcome o = c.rcv(seg(kRemoteIss + 1, kLocalIss + 1, kAck | kFin, 4));
  EXPECT_EQ(o.to, State::CloseWait) << describe(o);
  EXPECT_EQ(o.notices,
            (std::vector<Notice>{Notice::delivered(4), Notice::err(UserError::ConnectionClosing)}))
      << describe(o);
  EXPECT_TRUE(sent_exactly(o, ack_of(kLocalIss + 1, SeqNum(0))));  // IRS + 1 + 4 + 1 wraps
}

// C24 made explicit: ISS = 2^32-1, so SND.NXT = 0 and the ACK of our SYN is 0; an ACK of 1
// is beyond SND.NXT across zero.
TEST(SynReceivedPassive, AckOfSynStraddlingZeroEstablishes) {
  Conn c = listen();
  c.ep.set_next_iss(SeqNum(0xFFFF'FFFFu));
  const Outcome syn = c.rcv(seg_noack(SeqNum(0xFFFF'FFFEu), kSyn));
  EXPECT_TRUE(sent_exactly(
      syn, Segment{.seq = SeqNum(0xFFFF'FFFFu), .ack = SeqNum(0xFFFF'FFFFu), .ctl = kSyn | kAck}));
  ASSERT_EQ(c.snd_nxt(), SeqNum(0));

  const Outcome bad = c.rcv(seg(SeqNum(0xFFFF'FFFFu), SeqNum(1), kAck));
  EXPECT_EQ(bad.to, State::SynReceived) << describe(bad);
  EXPECT_TRUE(sent_exactly(bad, rst_a(SeqNum(1))));

  const Outcome good = c.rcv(seg(SeqNum(0xFFFF'FFFFu), SeqNum(0), kAck));
  EXPECT_EQ(good.to, State::Established) << describe(good);
  EXPECT_EQ(c.tcb().snd_una, SeqNum(0));
}

// --- CLOSE before the handshake completes (C12) ---

// §3.10.4: CLOSE in SYN-RECEIVED with nothing queued sends a FIN and enters FIN-WAIT-1 while
// our SYN is still unacked. The ACK of SYN and FIN (ISS+2) then leads straight to FIN-WAIT-2.
TEST(SynReceivedPassive, CloseThenAckOfSynAndFinReachesFinWait2) {
  Conn c = syn_received_passive();
  const Outcome close = c.call(CloseCall{});
  EXPECT_EQ(close.to, State::FinWait1) << describe(close);
  EXPECT_TRUE(sent_exactly(
      close, Segment{.seq = kLocalIss + 1, .ack = kRemoteIss + 1, .ctl = kFin | kAck}));
  EXPECT_EQ(c.tcb().snd_una, kLocalIss);
  EXPECT_EQ(c.snd_nxt(), kLocalIss + 2);

  const Outcome o = c.rcv(seg(kRemoteIss + 1, kLocalIss + 2, kAck, 0, 6000));
  EXPECT_EQ(o.to, State::FinWait2) << describe(o);
  EXPECT_EQ(o.rule, Rule::FinAckedEntersFinWait2);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(c.tcb().snd_una, kLocalIss + 2);
  EXPECT_TRUE(c.tcb().fin_acked);
  EXPECT_EQ(c.tcb().snd_wnd, 6000u);
}

TEST(SynReceivedPassive, CloseThenAckOfSynOnlyStaysInFinWait1) {
  Conn c = syn_received_passive();
  c.call(CloseCall{});
  const Outcome o = c.rcv(seg(kRemoteIss + 1, kLocalIss + 1, kAck));
  EXPECT_EQ(o.to, State::FinWait1) << describe(o);
  EXPECT_EQ(c.tcb().snd_una, kLocalIss + 1);
  EXPECT_FALSE(c.tcb().fin_acked);
}

// ============================ actively opened (simultaneous open) =============================

TEST(SynReceivedActive, FixtureStateIsAsRfcPrescribes) {
  Conn c = syn_received_active();
  const Tcb& t = c.tcb();
  EXPECT_FALSE(t.passive_open);
  EXPECT_EQ(t.irs, kRemoteIss);
  EXPECT_EQ(t.rcv_nxt, kRemoteIss + 1);
  EXPECT_EQ(t.iss, kLocalIss);
  EXPECT_EQ(t.snd_una, kLocalIss);
  EXPECT_EQ(t.snd_nxt, kLocalIss + 1);
}

// --- first check: sequence number ---

TEST(SynReceivedActive, SegmentPastTheWindowDrawsAckAndStays) {
  Conn c = syn_received_active();
  const Outcome o = syn_received_unchanged(c, seg(right_edge(c), kLocalIss + 1, kAck));
  EXPECT_TRUE(sent_exactly(o, ack_of(kLocalIss + 1, kRemoteIss + 1)));
  EXPECT_EQ(o.rule, Rule::UnacceptableSegmentAcked);
}

// C3, Figure 7 line 6: the peer's SYN-ACK (SEQ=IRS) lies wholly before RCV.NXT, so the strict
// procedure answers with an ACK and stays; the peer's ACK then completes the handshake. The
// model takes alternative (a) of C3.
// Covers: MUST-10
TEST(SynReceivedActive, PeerSynAckFailsSequenceTestThenPeerAckEstablishes) {
  Conn c = syn_received_active();
  const Outcome o = syn_received_unchanged(c, seg(kRemoteIss, kLocalIss + 1, kSyn | kAck));
  EXPECT_TRUE(sent_exactly(o, ack_of(kLocalIss + 1, kRemoteIss + 1)));
  EXPECT_EQ(o.rule, Rule::UnacceptableSegmentAcked);

  const Outcome est = c.rcv(seg(kRemoteIss + 1, kLocalIss + 1, kAck));
  EXPECT_EQ(est.to, State::Established) << describe(est);
  EXPECT_TRUE(sent_nothing(est)) << describe(est);
  EXPECT_EQ(c.tcb().snd_una, kLocalIss + 1);
  EXPECT_FALSE(c.tcb().passive_open);
}

// The legacy profile gives the same answer: the SYN-ACK never reaches the SYN check.
TEST(SynReceivedActive, LegacyPeerSynAckAlsoDrawsAck) {
  Conn c = syn_received_active(Profile::legacy_rfc793());
  const Outcome o = syn_received_unchanged(c, seg(kRemoteIss, kLocalIss + 1, kSyn | kAck));
  EXPECT_TRUE(sent_exactly(o, expected_ack(c)));
  EXPECT_EQ(o.rule, Rule::UnacceptableSegmentAcked);
}

TEST(SynReceivedActive, RetransmittedPeerSynDrawsAckAndStays) {
  Conn c = syn_received_active();
  const Outcome o = syn_received_unchanged(c, seg_noack(kRemoteIss, kSyn));
  EXPECT_TRUE(sent_exactly(o, expected_ack(c)));
  EXPECT_EQ(o.rule, Rule::UnacceptableSegmentAcked);
}

TEST(SynReceivedActive, RstPastTheWindowIsDroppedSilently) {
  Conn c = syn_received_active();
  const Outcome o = syn_received_unchanged(c, seg_noack(right_edge(c) + 5, kRst));
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::UnacceptableRstDropped);
}

// --- second check: RST ---

// RFC 9293 §3.10.7.4, second check: an actively opened connection is refused: CLOSED, the
// user hears "connection refused", nothing is sent and the TCB is gone.
// Covers: MUST-11, MUST-12
TEST(SynReceivedActive, RstAtRcvNxtRefusesTheConnection) {
  Conn c = syn_received_active();
  const Outcome o = c.rcv(seg_noack(kRemoteIss + 1, kRst));
  EXPECT_EQ(o.to, State::Closed) << describe(o);
  EXPECT_EQ(o.rule, Rule::RstRefusesActiveOpen);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.notices, std::vector<Notice>{Notice::err(UserError::ConnectionRefused)});
  EXPECT_EQ(c.tcb(), Tcb{});
  EXPECT_FALSE(c.ep.next_timer().has_value());
}

TEST(SynReceivedActive, RstInWindowButNotAtRcvNxtDrawsChallengeAck) {
  Conn c = syn_received_active();
  const Outcome o = syn_received_unchanged(c, seg_noack(kRemoteIss + 101, kRst));
  EXPECT_TRUE(sent_exactly(o, ack_of(kLocalIss + 1, kRemoteIss + 1)));
  EXPECT_EQ(o.rule, Rule::RstChallengeAck);
}

// Covers: MUST-12
TEST(SynReceivedActive, LegacyRstInWindowButNotAtRcvNxtRefusesTheConnection) {
  Conn c = syn_received_active(Profile::legacy_rfc793());
  const Outcome o = c.rcv(seg_noack(kRemoteIss + 101, kRst));
  EXPECT_EQ(o.to, State::Closed) << describe(o);
  EXPECT_EQ(o.rule, Rule::RstRefusesActiveOpen);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.notices, std::vector<Notice>{Notice::err(UserError::ConnectionRefused)});
}

// --- fourth check: SYN ---

// RFC 5961 §4.2: an in-window SYN in an actively opened SYN-RECEIVED draws a challenge ACK.
TEST(SynReceivedActive, SynInWindowDrawsChallengeAck) {
  Conn c = syn_received_active();
  const Outcome o = syn_received_unchanged(c, seg_noack(kRemoteIss + 11, kSyn));
  EXPECT_TRUE(sent_exactly(o, ack_of(kLocalIss + 1, kRemoteIss + 1)));
  EXPECT_EQ(o.rule, Rule::SynChallengeAck);
}

TEST(SynReceivedActive, SynAckInWindowDrawsChallengeAck) {
  Conn c = syn_received_active();
  const Outcome o = syn_received_unchanged(c, seg(kRemoteIss + 11, kLocalIss + 1, kSyn | kAck));
  EXPECT_TRUE(sent_exactly(o, expected_ack(c)));
  EXPECT_EQ(o.rule, Rule::SynChallengeAck);
}

// RFC 793 (legacy): the in-window SYN is an error: reset in the §3.5.2 form (RST(0) for a SYN
// without ACK, acking SEG.SEQ+1), tell the user, CLOSED.
TEST(SynReceivedActive, LegacySynInWindowResetsAndCloses) {
  Conn c = syn_received_active(Profile::legacy_rfc793());
  const Outcome o = c.rcv(seg_noack(kRemoteIss + 11, kSyn));
  EXPECT_EQ(o.to, State::Closed) << describe(o);
  EXPECT_EQ(o.rule, Rule::SynResetsConnection);
  EXPECT_TRUE(sent_exactly(o, rst_0(kRemoteIss + 12)));
  EXPECT_EQ(o.notices, std::vector<Notice>{Notice::err(UserError::ConnectionReset)});
  EXPECT_EQ(c.tcb(), Tcb{});
}

TEST(SynReceivedActive, LegacySynAckInWindowResetsAtSegAckAndCloses) {
  Conn c = syn_received_active(Profile::legacy_rfc793());
  const Outcome o = c.rcv(seg(kRemoteIss + 11, kLocalIss + 1, kSyn | kAck));
  EXPECT_EQ(o.to, State::Closed) << describe(o);
  EXPECT_EQ(o.rule, Rule::SynResetsConnection);
  EXPECT_TRUE(sent_exactly(o, rst_a(kLocalIss + 1)));
}

// --- fifth check: ACK ---

TEST(SynReceivedActive, DataWithoutAckIsDroppedSilently) {
  Conn c = syn_received_active();
  const Outcome o = syn_received_unchanged(c, seg_noack(kRemoteIss + 1, kPsh, 10));
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.rule, Rule::NoAckDropped);
}

// C21 and C20 on the active path: SND.UNA moves to SEG.ACK and SND.WL2 is set from it.
// Covers: MUST-10
TEST(SynReceivedActive, AckOfSynEstablishes) {
  Conn c = syn_received_active();
  const Outcome o = c.rcv(seg(kRemoteIss + 1, kLocalIss + 1, kAck, 0, 7000));
  EXPECT_EQ(o.to, State::Established) << describe(o);
  EXPECT_EQ(o.rule, Rule::AckProcessed);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_TRUE(o.notices.empty()) << describe(o);
  const Tcb& t = c.tcb();
  EXPECT_EQ(t.snd_una, kLocalIss + 1);
  EXPECT_EQ(t.snd_wnd, 7000u);
  EXPECT_EQ(t.snd_wl1, kRemoteIss + 1);
  EXPECT_EQ(t.snd_wl2, kLocalIss + 1);
  EXPECT_FALSE(t.passive_open);
  EXPECT_FALSE(c.ep.deadline(TimerKind::Retransmission).has_value());
}

TEST(SynReceivedActive, AckOfIssOnlyDrawsRstAndStays) {
  Conn c = syn_received_active();
  const Outcome o = syn_received_unchanged(c, seg(kRemoteIss + 1, kLocalIss, kAck));
  EXPECT_TRUE(sent_exactly(o, rst_a(kLocalIss)));
  EXPECT_EQ(o.rule, Rule::SynReceivedResetsBadAck);
}

TEST(SynReceivedActive, AckAboveSndNxtDrawsRstAndStays) {
  Conn c = syn_received_active();
  const Outcome o = syn_received_unchanged(c, seg(kRemoteIss + 1, kLocalIss + 9, kAck));
  EXPECT_TRUE(sent_exactly(o, rst_a(kLocalIss + 9)));
  EXPECT_EQ(o.rule, Rule::SynReceivedResetsBadAck);
}

// C10 on the active path.
TEST(SynReceivedActive, AckWithFinEntersCloseWaitInOneSegment) {
  Conn c = syn_received_active();
  const Outcome o = c.rcv(seg(kRemoteIss + 1, kLocalIss + 1, kAck | kFin));
  EXPECT_EQ(o.to, State::CloseWait) << describe(o);
  EXPECT_EQ(o.rule, Rule::FinReceived);
  EXPECT_EQ(o.notices, std::vector<Notice>{Notice::err(UserError::ConnectionClosing)});
  EXPECT_TRUE(sent_exactly(o, ack_of(kLocalIss + 1, kRemoteIss + 2)));
}

// C12 on the active path, where SND.WL2 was never set from an ACK before the CLOSE.
TEST(SynReceivedActive, CloseThenAckOfSynAndFinReachesFinWait2) {
  Conn c = syn_received_active();
  const Outcome close = c.call(CloseCall{});
  EXPECT_EQ(close.to, State::FinWait1) << describe(close);
  EXPECT_TRUE(sent_exactly(
      close, Segment{.seq = kLocalIss + 1, .ack = kRemoteIss + 1, .ctl = kFin | kAck}));

  const Outcome o = c.rcv(seg(kRemoteIss + 1, kLocalIss + 2, kAck, 0, 6000));
  EXPECT_EQ(o.to, State::FinWait2) << describe(o);
  EXPECT_EQ(o.rule, Rule::FinAckedEntersFinWait2);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(c.tcb().snd_una, kLocalIss + 2);
  EXPECT_EQ(c.tcb().snd_wnd, 6000u);
}

}  // namespace
}  // namespace tcpfsm::test
