// Timeouts (RFC 9293 §3.10.8; digest §3, E9, C16, C31): the retransmission timer with RFC 6298's
// RTO (§3.8.1) and the give-up limits of §3.8.3, the zero-window probe (§3.8.6.1), the user
// timeout, TIME-WAIT's 2*MSL (§3.6.1, MUST-13), the optional FIN-WAIT-2 timer, and the rule
// that a timer never fires before its deadline.
//
// Every fixture starts at virtual time 0. With the default profile the initial RTO is 1 s, the
// RTO is capped at 120 s, MSL is 2 minutes and the user timeout 5 minutes.
#include <algorithm>
#include <initializer_list>

#include "support/fixtures.hpp"

namespace tcpfsm::test {
namespace {

constexpr std::uint32_t kMss = 536;
constexpr Millis kTwoMsl = 240'000;

Notice err(UserError e) {
  return Notice::err(e);
}

Segment data_seg(SeqNum seq, SeqNum ack, std::uint32_t len, std::uint8_t extra = 0) {
  return Segment{
      .seq = seq, .ack = ack, .ctl = static_cast<std::uint8_t>(kAck | extra), .len = len};
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

Millis deadline(const Conn& c, TimerKind t) {
  const auto d = c.ep.deadline(t);
  EXPECT_TRUE(d.has_value()) << to_string(t) << " is not armed";
  return d.value_or(0);
}

// Fires exactly the one timer due at `t` (asserting nothing else fires) and returns its outcome.
Outcome fire_at(Conn& c, Millis t) {
  std::vector<Outcome> fired = c.ep.advance_to(t);
  c.now = t;
  EXPECT_EQ(fired.size(), 1u) << "timers fired at " << t;
  return fired.empty() ? Outcome{} : fired.front();
}

// Fires the earliest armed timer, whatever it is.
Outcome fire_next(Conn& c) {
  const auto next = c.ep.next_timer();
  EXPECT_TRUE(next.has_value()) << "no timer armed";
  return next ? fire_at(c, next->second) : Outcome{};
}

// --- retransmission: what is resent ---

// RFC 9293 §3.8.1, §3.10.8: the SYN is resent unchanged after one RTO, SYN-SENT stays, and the
// timer is backed off.
TEST(Retransmission, SynIsResentInSynSentAfterOneRto) {
  Conn c = syn_sent();
  EXPECT_EQ(deadline(c, TimerKind::Retransmission), Millis{1000});
  EXPECT_TRUE(c.ep.advance_to(999).empty());
  const Outcome o = fire_at(c, 1000);
  EXPECT_EQ(o.from, State::SynSent);
  EXPECT_EQ(o.to, State::SynSent) << describe(o);
  EXPECT_EQ(o.rule, Rule::RetransmitSyn);
  EXPECT_TRUE(sent_exactly(o, syn_seg(kLocalIss)));
  EXPECT_TRUE(o.notices.empty()) << describe(o);
  EXPECT_EQ(deadline(c, TimerKind::Retransmission), Millis{1000 + 2000});
}

// RFC 9293 §3.10.8: in SYN-RECEIVED (passive or simultaneous open) the SYN-ACK is resent.
TEST(Retransmission, SynAckIsResentInSynReceived) {
  for (auto make : {syn_received_passive, syn_received_active}) {
    Conn c = make(Profile{});
    const Tcb before = c.tcb();
    const Outcome o = fire_next(c);
    EXPECT_EQ(o.to, State::SynReceived) << describe(o);
    EXPECT_EQ(o.rule, Rule::RetransmitSynAck);
    EXPECT_TRUE(sent_exactly(o, syn_ack_seg(kLocalIss, kRemoteIss + 1)));
    EXPECT_EQ(c.tcb().snd_nxt, before.snd_nxt);
    EXPECT_EQ(c.tcb().rcv_nxt, before.rcv_nxt);
  }
}

// RFC 6298 §5.4: only the earliest unacknowledged segment is resent; once it is acknowledged
// the next one is.
TEST(Retransmission, FirstUnacknowledgedSegmentIsResentAlone) {
  Conn c = established();
  c.call(SendCall{.len = 1000});  // 536 + 464 in flight
  Outcome o = fire_at(c, 1000);
  EXPECT_EQ(o.to, State::Established) << describe(o);
  EXPECT_EQ(o.rule, Rule::RetransmitData);
  EXPECT_TRUE(sent_exactly(o, data_seg(kLocalIss + 1, c.rcv_nxt(), kMss)));
  EXPECT_EQ(c.snd_nxt(), kLocalIss + 1001);  // SND.NXT does not move back

  c.rcv(seg(c.peer_nxt, kLocalIss + 1 + kMss, kAck));
  o = fire_next(c);
  EXPECT_TRUE(sent_exactly(o, data_seg(kLocalIss + 1 + kMss, c.rcv_nxt(), 464, kPsh)));
}

// RFC 9293 §3.10.8: a FIN is retransmitted like data: alone in FIN-WAIT-1, CLOSING and LAST-ACK.
TEST(Retransmission, LoneFinIsResent) {
  for (auto make : {fin_wait_1, closing, last_ack}) {
    Conn c = make(Profile{});
    SCOPED_TRACE(to_string(c.state()));
    const State st = c.state();
    const Outcome o = fire_next(c);
    EXPECT_EQ(o.to, st) << describe(o);
    EXPECT_EQ(o.rule, Rule::RetransmitData);
    EXPECT_TRUE(sent_exactly(o, fin_seg(kLocalIss + 1, c.rcv_nxt())));
  }
}

// A FIN sent just after the last data rides on that data when both are resent.
TEST(Retransmission, FinRidesOnTheLastDataWhenResent) {
  Conn c = established();
  c.call(SendCall{.len = 100});
  c.call(CloseCall{});
  ASSERT_EQ(c.state(), State::FinWait1);
  const Outcome o = fire_next(c);
  EXPECT_EQ(o.to, State::FinWait1) << describe(o);
  EXPECT_TRUE(sent_exactly(o, data_seg(kLocalIss + 1, c.rcv_nxt(), 100, kPsh | kFin)));
}

// RFC 9293 §3.10.8: a retransmission never changes the state nor the sequence variables, in
// every state where the timer runs.
TEST(Retransmission, NeverChangesTheStateOrTheSequenceVariables) {
  int checked = 0;
  for (const StateFixture& f : all_state_fixtures()) {
    Conn c = f.make(Profile{});
    if (f.state == State::Established || f.state == State::CloseWait) c.call(SendCall{.len = 10});
    if (!c.ep.deadline(TimerKind::Retransmission)) continue;
    SCOPED_TRACE(f.name);
    const Tcb before = c.tcb();
    const Outcome o = c.fire(TimerKind::Retransmission);
    EXPECT_EQ(o.from, f.state);
    EXPECT_EQ(o.to, f.state) << describe(o);
    EXPECT_EQ(o.sent.size(), 1u) << describe(o);
    EXPECT_TRUE(o.notices.empty()) << describe(o);
    EXPECT_EQ(c.tcb().snd_una, before.snd_una);
    EXPECT_EQ(c.tcb().snd_nxt, before.snd_nxt);
    EXPECT_EQ(c.tcb().rcv_nxt, before.rcv_nxt);
    ++checked;
  }
  // SYN-SENT, both SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1, CLOSE-WAIT, CLOSING, LAST-ACK.
  EXPECT_EQ(checked, 8);
}

// --- retransmission: the RTO (RFC 6298) ---

// RFC 6298 §5.5, §2.5: each expiry doubles the RTO, up to the profile's maximum (120 s).
TEST(Retransmission, BackoffDoublesTheRtoUpToTheCap) {
  Profile p;
  p.user_timeout_ms = 0;
  Conn c = established(p);
  c.call(SendCall{.len = 100});
  Millis prev = deadline(c, TimerKind::Retransmission);
  EXPECT_EQ(prev, Millis{1000});
  for (const Millis want : {2000, 4000, 8000, 16'000, 32'000, 64'000, 120'000, 120'000, 120'000}) {
    const Outcome o = fire_at(c, prev);
    EXPECT_EQ(o.rule, Rule::RetransmitData) << describe(o);
    const Millis next = deadline(c, TimerKind::Retransmission);
    EXPECT_EQ(next - prev, want);
    prev = next;
  }
  EXPECT_EQ(c.tcb().rto_ms, 120'000u);
}

// RFC 6298 §2.2, §2.3: the first sample R sets SRTT = R, RTTVAR = R/2, RTO = SRTT + 4*RTTVAR;
// later samples R' move RTTVAR by |SRTT-R'|/4 and SRTT by R'/8. The RTO arms the next timer.
// Covers: MUST-18
TEST(Retransmission, RttSamplesSetTheRto) {
  Conn c = established();
  c.call(SendCall{.len = 100});
  c.now = 400;
  c.rcv(seg(c.peer_nxt, kLocalIss + 101, kAck));  // R = 400: SRTT 400, RTTVAR 200
  EXPECT_EQ(c.tcb().rto_ms, 400u + 4 * 200);
  c.call(SendCall{.len = 100});
  EXPECT_EQ(deadline(c, TimerKind::Retransmission), Millis{400 + 1200});

  c.now = 600;
  c.rcv(seg(c.peer_nxt, kLocalIss + 201, kAck));  // R' = 200: RTTVAR 200, SRTT 375
  EXPECT_EQ(c.tcb().srtt_ms, 375u);
  EXPECT_EQ(c.tcb().rttvar_ms, 200u);
  EXPECT_EQ(c.tcb().rto_ms, 375u + 4 * 200);
  c.call(SendCall{.len = 100});
  EXPECT_EQ(deadline(c, TimerKind::Retransmission), Millis{600 + 1175});
}

// RFC 6298 §2.4: a computed RTO below the minimum (1 s) is rounded up to it.
// Covers: MUST-18
TEST(Retransmission, RtoNeverGoesBelowTheMinimum) {
  Conn c = established();
  c.call(SendCall{.len = 100});
  c.now = 100;
  c.rcv(seg(c.peer_nxt, kLocalIss + 101, kAck));  // 100 + 4*50 = 300 ms
  EXPECT_EQ(c.tcb().rto_ms, 1000u);
}

// RFC 6298 (2.5) allows an upper bound; a profile that puts it below the minimum gets the bound
// (found by fuzz_differential: the two implementations used to order the two limits differently).
TEST(Retransmission, AnUpperBoundBelowTheMinimumWins) {
  Profile p;
  p.rto_max_ms = 65;
  Conn c = established(p);
  c.call(SendCall{.len = 100});
  c.now = 100;
  c.rcv(seg(c.peer_nxt, kLocalIss + 101, kAck));
  EXPECT_EQ(c.tcb().rto_ms, 65u);
}

// RFC 6298 §3 (Karn): the ACK of a retransmitted segment gives no sample, and the backed-off
// RTO stays until a segment sent once is acknowledged.
// Covers: MUST-18
TEST(Retransmission, KarnsRuleTakesNoSampleFromARetransmittedSegment) {
  Conn c = established();
  c.call(SendCall{.len = 100});
  fire_at(c, 1000);  // resent; RTO 2 s
  c.now = 1500;
  c.rcv(seg(c.peer_nxt, kLocalIss + 101, kAck));
  EXPECT_FALSE(c.tcb().rtt_measured);
  EXPECT_EQ(c.tcb().rto_ms, 2000u);
  c.call(SendCall{.len = 100});
  EXPECT_EQ(deadline(c, TimerKind::Retransmission), Millis{1500 + 2000});

  c.now = 2700;  // this segment went out once: R = 1200, RTO = 1200 + 4*600
  c.rcv(seg(c.peer_nxt, kLocalIss + 201, kAck));
  EXPECT_TRUE(c.tcb().rtt_measured);
  EXPECT_EQ(c.tcb().rto_ms, 3600u);
}

// RFC 6298 §5.7: when the SYN had to be retransmitted and the RTO in use is below 3 s, the RTO
// is set to 3 s once the handshake completes (the SYN exchange gave no valid sample).
// Covers: MUST-18
TEST(Retransmission, RtoIsThreeSecondsForDataAfterARetransmittedSyn) {
  Conn c = syn_sent();
  fire_at(c, 1000);  // SYN resent
  c.now = 1500;
  c.rcv(seg(kRemoteIss, kLocalIss + 1, kSyn | kAck));
  ASSERT_EQ(c.state(), State::Established);
  c.call(SendCall{.len = 100});
  EXPECT_EQ(deadline(c, TimerKind::Retransmission), Millis{1500 + 3000});
}

// --- retransmission: giving up (RFC 9293 §3.8.3, R2) ---

// After syn_retries resends of the SYN the next expiry closes the connection and tells the
// user (and any waiting RECEIVE); nothing is sent.
// Covers: MUST-20, MUST-21, MUST-22
TEST(Retransmission, SynSentGivesUpAfterSynRetries) {
  Profile p;
  p.syn_retries = 2;
  Conn c = syn_sent(p);
  c.call(ReceiveCall{});
  EXPECT_EQ(fire_at(c, 1000).rule, Rule::RetransmitSyn);
  EXPECT_EQ(fire_at(c, 3000).rule, Rule::RetransmitSyn);
  const Outcome o = fire_at(c, 7000);
  EXPECT_EQ(o.to, State::Closed) << describe(o);
  EXPECT_EQ(o.rule, Rule::RetransmissionLimitCloses);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.notices, (std::vector<Notice>{err(UserError::RetransmissionTimeout),
                                            err(UserError::RetransmissionTimeout)}))
      << describe(o);
  EXPECT_EQ(c.tcb(), Tcb{});
  EXPECT_FALSE(c.ep.next_timer().has_value());
}

// RFC 9293 §3.8.3: with the defaults a SYN is retried for at least 3 minutes before the
// connection is given up.
// Covers: MUST-23
TEST(Retransmission, DefaultSynRetriesLastAtLeastThreeMinutes) {
  Conn c = syn_sent();
  int resent = 0;
  for (const Outcome& o : c.ep.advance_to(180'000)) {
    EXPECT_EQ(o.rule, Rule::RetransmitSyn) << describe(o);
    ++resent;
  }
  EXPECT_EQ(c.state(), State::SynSent);
  Outcome last;
  while (c.state() == State::SynSent && c.ep.next_timer()) {
    last = fire_next(c);
    if (last.rule == Rule::RetransmitSyn) ++resent;
  }
  EXPECT_EQ(last.rule, Rule::RetransmissionLimitCloses) << describe(last);
  EXPECT_EQ(resent, 7);  // syn_retries
  EXPECT_GT(c.now, Millis{180'000});
}

// A passively opened SYN-RECEIVED that gives up falls back to LISTEN, silently, ready for the
// next SYN.
TEST(Retransmission, PassiveSynReceivedFallsBackToListen) {
  Profile p;
  p.syn_retries = 1;
  Conn c = syn_received_passive(p);
  EXPECT_EQ(fire_at(c, 1000).rule, Rule::RetransmitSynAck);
  const Outcome o = fire_at(c, 3000);
  EXPECT_EQ(o.to, State::Listen) << describe(o);
  EXPECT_EQ(o.rule, Rule::RetransmissionLimitReturnsToListen);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_TRUE(o.notices.empty()) << describe(o);
  EXPECT_FALSE(c.tcb().iss_defined);
  EXPECT_FALSE(c.tcb().irs_defined);
  EXPECT_FALSE(c.ep.next_timer().has_value());

  const Outcome again = c.rcv(seg_noack(kRemoteIss + 5000, kSyn));
  EXPECT_EQ(again.to, State::SynReceived) << describe(again);
}

// An actively opened SYN-RECEIVED (simultaneous open) that gives up closes with the error.
TEST(Retransmission, ActiveSynReceivedCloses) {
  Profile p;
  p.syn_retries = 1;
  Conn c = syn_received_active(p);
  EXPECT_EQ(fire_next(c).rule, Rule::RetransmitSynAck);
  const Outcome o = fire_next(c);
  EXPECT_EQ(o.to, State::Closed) << describe(o);
  EXPECT_EQ(o.rule, Rule::RetransmissionLimitCloses);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.notices, std::vector<Notice>{err(UserError::RetransmissionTimeout)});
}

// Data: after data_retries resends the next expiry closes the connection.
// Covers: MUST-20, MUST-21
TEST(Retransmission, DataGivesUpAfterDataRetries) {
  Profile p;
  p.data_retries = 3;
  Conn c = established(p);
  c.call(SendCall{.len = 100});
  c.call(ReceiveCall{});
  for (const Millis t : {1000, 3000, 7000}) EXPECT_EQ(fire_at(c, t).rule, Rule::RetransmitData);
  const Outcome o = fire_at(c, 15'000);
  EXPECT_EQ(o.to, State::Closed) << describe(o);
  EXPECT_EQ(o.rule, Rule::RetransmissionLimitCloses);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.notices, (std::vector<Notice>{err(UserError::RetransmissionTimeout),
                                            err(UserError::RetransmissionTimeout)}))
      << describe(o);
}

// RFC 9293 §3.8.3: R2 for data amounts to at least 100 s; with the defaults the connection is
// given up only after 15 resends.
// Covers: SHLD-11
TEST(Retransmission, DefaultDataRetriesOutlastOneHundredSeconds) {
  Profile p;
  p.user_timeout_ms = 0;
  Conn c = established(p);
  c.call(SendCall{.len = 100});
  int resent = 0;
  for (const Outcome& o : c.ep.advance_to(100'000)) {
    EXPECT_EQ(o.rule, Rule::RetransmitData) << describe(o);
    ++resent;
  }
  EXPECT_EQ(c.state(), State::Established);
  Outcome last;
  for (int guard = 0; guard < 100 && c.state() == State::Established; ++guard) {
    last = fire_next(c);
    if (last.rule == Rule::RetransmitData) ++resent;
  }
  EXPECT_EQ(last.rule, Rule::RetransmissionLimitCloses) << describe(last);
  EXPECT_EQ(resent, 15);  // data_retries
}

// --- zero-window probing (RFC 9293 §3.8.6.1) ---

// The probe is resent with exponentially growing intervals, and as long as the peer keeps
// acknowledging it with a zero window the connection is never given up.
// Covers: SHLD-30, MUST-37
TEST(ZeroWindowProbe, ProbesBackOffAndTheConnectionStaysOpenWhileTheyAreAnswered) {
  Conn c = established();
  c.rcv(seg(c.peer_nxt, c.snd_nxt(), kAck, 0, 0));
  c.call(SendCall{.len = 100});
  Outcome o = fire_next(c);
  ASSERT_EQ(o.rule, Rule::ZeroWindowProbe) << describe(o);
  Millis prev = c.now;
  Millis interval = 0;
  for (int probe = 0; probe < 40; ++probe) {
    c.rcv(seg(c.peer_nxt, kLocalIss + 1, kAck, 0, 0));  // still zero, probe not taken
    const Millis next = deadline(c, TimerKind::Retransmission);
    const Millis gap = next - prev;
    if (interval > 0) {
      EXPECT_EQ(gap, std::min<Millis>(2 * interval, 120'000)) << "probe " << probe;
    }
    interval = gap;
    o = fire_at(c, next);
    EXPECT_EQ(o.rule, Rule::RetransmitData) << describe(o);
    EXPECT_TRUE(sent_exactly(o, data_seg(kLocalIss + 1, c.rcv_nxt(), 1)));
    prev = next;
  }
  EXPECT_EQ(c.state(), State::Established);
  EXPECT_GT(c.now, Millis{3'600'000});  // more than an hour of zero window
}

// --- user timeout (RFC 9293 §3.10.8) ---

// With data outstanding for the whole user timeout, the connection is dropped silently and the
// user (and a waiting RECEIVE) told why; not a millisecond earlier.
TEST(UserTimeout, ClosesSilentlyWithTheUserTimeoutError) {
  Conn c = established();
  c.call(SendCall{.len = 100});
  c.call(ReceiveCall{});
  EXPECT_EQ(deadline(c, TimerKind::User), Millis{300'000});
  for (const Outcome& o : c.ep.advance_to(299'999)) {
    EXPECT_EQ(o.rule, Rule::RetransmitData) << describe(o);
  }
  EXPECT_EQ(c.state(), State::Established);
  const std::vector<Outcome> fired = c.ep.advance_to(300'000);
  ASSERT_EQ(fired.size(), 1u);
  const Outcome& o = fired[0];
  EXPECT_EQ(o.to, State::Closed) << describe(o);
  EXPECT_EQ(o.rule, Rule::UserTimeoutCloses);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.notices,
            (std::vector<Notice>{err(UserError::UserTimeout), err(UserError::UserTimeout)}))
      << describe(o);
  EXPECT_EQ(c.tcb(), Tcb{});
}

// An unanswered SYN is also bounded by the user timeout.
TEST(UserTimeout, AlsoEndsAnUnansweredOpen) {
  Profile p;
  p.syn_retries = 50;
  Conn c = syn_sent(p);
  Outcome last;
  while (c.state() == State::SynSent && c.ep.next_timer()) last = fire_next(c);
  EXPECT_EQ(last.rule, Rule::UserTimeoutCloses) << describe(last);
  EXPECT_EQ(c.now, Millis{300'000});
  EXPECT_EQ(last.notices, std::vector<Notice>{err(UserError::UserTimeout)});
}

// Progress (an ACK of new data) restarts the user timeout; with nothing outstanding it stops.
TEST(UserTimeout, RestartsOnProgressAndStopsWhenNothingIsOutstanding) {
  Conn c = established();
  EXPECT_FALSE(c.ep.deadline(TimerKind::User).has_value());
  c.call(SendCall{.len = 1000});
  EXPECT_EQ(deadline(c, TimerKind::User), Millis{300'000});
  c.ep.advance_to(200'000);
  c.now = 200'000;
  c.rcv(seg(c.peer_nxt, kLocalIss + 1 + kMss, kAck));
  EXPECT_EQ(deadline(c, TimerKind::User), Millis{500'000});
  c.rcv(seg(c.peer_nxt, kLocalIss + 1001, kAck));
  EXPECT_FALSE(c.ep.deadline(TimerKind::User).has_value());
}

// The profile can switch the user timeout off.
TEST(UserTimeout, OffWhenTheProfileSaysZero) {
  Profile p;
  p.user_timeout_ms = 0;
  Conn c = established(p);
  c.call(SendCall{.len = 100});
  EXPECT_FALSE(c.ep.deadline(TimerKind::User).has_value());
}

// --- TIME-WAIT (RFC 9293 §3.6.1, §3.10.8) ---

// TIME-WAIT lasts exactly 2*MSL: still there a millisecond before, CLOSED at the deadline,
// silently.
// Covers: MUST-13
TEST(TimeWait, LastsExactlyTwoMsl) {
  Conn c = time_wait();
  const auto next = c.ep.next_timer();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->first, TimerKind::TimeWait);  // entering TIME-WAIT stopped the others
  EXPECT_EQ(next->second, kTwoMsl);
  EXPECT_TRUE(c.ep.advance_to(kTwoMsl - 1).empty());
  EXPECT_EQ(c.state(), State::TimeWait);
  const Outcome o = fire_at(c, kTwoMsl);
  EXPECT_EQ(o.to, State::Closed) << describe(o);
  EXPECT_EQ(o.rule, Rule::TimeWaitExpires);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_TRUE(o.notices.empty()) << describe(o);
  EXPECT_EQ(c.tcb(), Tcb{});
}

// MSL comes from the profile (Linux: 60 s of TIME-WAIT).
// Covers: MUST-13
TEST(TimeWait, LastsTwiceTheProfilesMsl) {
  Profile p;
  p.msl_ms = 30'000;
  Conn c = time_wait(p);
  EXPECT_TRUE(c.ep.advance_to(59'999).empty());
  EXPECT_EQ(fire_at(c, 60'000).rule, Rule::TimeWaitExpires);
}

// TIME-WAIT reached through CLOSING also lasts 2*MSL from the moment it was entered.
// Covers: MUST-13
TEST(TimeWait, ThroughClosingLastsTwoMslFromEntry) {
  Conn c = closing();
  c.now = 5000;
  c.rcv(seg(c.peer_nxt, c.snd_nxt(), kAck));
  ASSERT_EQ(c.state(), State::TimeWait);
  EXPECT_EQ(deadline(c, TimerKind::TimeWait), 5000 + kTwoMsl);
  EXPECT_FALSE(c.ep.deadline(TimerKind::Retransmission).has_value());
  EXPECT_FALSE(c.ep.deadline(TimerKind::User).has_value());
}

// RFC 9293 §3.10.7.4 (TIME-WAIT, fifth and eighth checks; C16): a retransmitted FIN is
// acknowledged and restarts 2*MSL from its arrival.
// Covers: MUST-13
TEST(TimeWait, RetransmittedFinRestartsTwoMsl) {
  Conn c = time_wait();
  c.now = 100'000;
  const Outcome o = c.rcv(seg(c.peer_nxt - 1, c.snd_nxt(), kFin | kAck));
  EXPECT_EQ(o.to, State::TimeWait) << describe(o);
  EXPECT_EQ(o.rule, Rule::TimeWaitAcksRetransmittedFin);
  EXPECT_TRUE(sent_exactly(o, expected_ack(c)));
  EXPECT_EQ(deadline(c, TimerKind::TimeWait), 100'000 + kTwoMsl);
  EXPECT_TRUE(c.ep.advance_to(kTwoMsl).empty());
  EXPECT_TRUE(c.ep.advance_to(100'000 + kTwoMsl - 1).empty());
  EXPECT_EQ(c.state(), State::TimeWait);
  c.ep.advance_to(100'000 + kTwoMsl);
  EXPECT_EQ(c.state(), State::Closed);
}

// --- FIN-WAIT-2 ---

// RFC 9293 has no FIN-WAIT-2 timer (C31): with the defaults nothing is armed and FIN-WAIT-2
// outlives any amount of time.
TEST(FinWait2, LastsForeverByDefault) {
  Conn c = fin_wait_2();
  EXPECT_FALSE(c.ep.next_timer().has_value());
  EXPECT_TRUE(c.ep.advance_to(Millis{10} * 24 * 3600 * 1000).empty());
  EXPECT_EQ(c.state(), State::FinWait2);
}

// The Linux-like fin_wait_2_timeout_ms closes FIN-WAIT-2 silently after exactly that long.
TEST(FinWait2, ProfileTimeoutClosesAfterExactlyThatLong) {
  Profile p;
  p.fin_wait_2_timeout_ms = 60'000;
  Conn c = fin_wait_2(p);
  EXPECT_EQ(deadline(c, TimerKind::FinWait2), Millis{60'000});
  EXPECT_TRUE(c.ep.advance_to(59'999).empty());
  EXPECT_EQ(c.state(), State::FinWait2);
  const Outcome o = fire_at(c, 60'000);
  EXPECT_EQ(o.to, State::Closed) << describe(o);
  EXPECT_EQ(o.rule, Rule::FinWait2Expires);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_TRUE(o.notices.empty()) << describe(o);
}

// The peer's FIN ends FIN-WAIT-2 first: TIME-WAIT and its 2*MSL replace the FIN-WAIT-2 timer.
TEST(FinWait2, ProfileTimeoutIsStoppedByThePeersFin) {
  Profile p;
  p.fin_wait_2_timeout_ms = 60'000;
  Conn c = fin_wait_2(p);
  c.peer_sends(0, kFin);
  ASSERT_EQ(c.state(), State::TimeWait);
  EXPECT_FALSE(c.ep.deadline(TimerKind::FinWait2).has_value());
  EXPECT_EQ(deadline(c, TimerKind::TimeWait), kTwoMsl);
}

// --- timers in general ---

// The expiry of a timer that is not running changes nothing at all, in every state.
TEST(Timers, ExpiryOfAnUnarmedTimerChangesNothing) {
  int checked = 0;
  for (const StateFixture& f : all_state_fixtures()) {
    for (int k = 0; k < kTimerKinds; ++k) {
      const auto kind = static_cast<TimerKind>(k);
      Conn c = f.make(Profile{});
      if (c.ep.deadline(kind)) continue;
      SCOPED_TRACE(std::string(f.name) + " " + std::string(to_string(kind)));
      const Endpoint before = c.ep;
      const Outcome o = c.fire(kind);
      EXPECT_EQ(o.rule, Rule::TimerNotArmed) << describe(o);
      EXPECT_EQ(o.to, f.state) << describe(o);
      EXPECT_TRUE(sent_nothing(o)) << describe(o);
      EXPECT_TRUE(o.notices.empty()) << describe(o);
      EXPECT_TRUE(c.ep == before);
      ++checked;
    }
  }
  EXPECT_GT(checked, 40);
}

// advance_to fires nothing before the earliest deadline, in every state that has one, and fires
// that timer at the deadline.
TEST(Timers, AdvanceToNeverFiresBeforeTheDeadline) {
  for (const StateFixture& f : all_state_fixtures()) {
    Conn c = f.make(Profile{});
    const auto next = c.ep.next_timer();
    if (!next) continue;
    SCOPED_TRACE(f.name);
    const Tcb before = c.tcb();
    EXPECT_TRUE(c.ep.advance_to(next->second - 1).empty());
    EXPECT_EQ(c.state(), f.state);
    EXPECT_EQ(c.tcb(), before);
    EXPECT_EQ(c.ep.deadline(next->first), next->second);
    EXPECT_FALSE(c.ep.advance_to(next->second).empty());
  }
}

// A TimerExpires given early fires at its deadline: virtual time jumps there, so TIME-WAIT
// cannot be cut short this way (E9).
TEST(Timers, ExpiryGivenEarlyMovesTimeToTheDeadline) {
  Conn c = time_wait();
  ASSERT_EQ(c.now, Millis{0});
  const Outcome o = c.fire(TimerKind::TimeWait);
  EXPECT_EQ(o.rule, Rule::TimeWaitExpires);
  EXPECT_EQ(c.ep.now(), kTwoMsl);
}

// Time never runs backwards: a step dated before the latest time seen is taken at that time.
TEST(Timers, StepsDatedInThePastHappenAtTheLatestTimeSeen) {
  Conn c = established();
  c.ep.advance_to(5000);
  c.now = 1000;
  c.call(SendCall{.len = 100});
  EXPECT_EQ(deadline(c, TimerKind::Retransmission), Millis{5000 + 1000});
}

}  // namespace
}  // namespace tcpfsm::test
