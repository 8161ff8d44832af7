// User calls in every state (RFC 9293 §3.10.1 OPEN to §3.10.6 STATUS; digest §2, table §4a,
// E10, C13 to C15), then the sending and receiving the calls drive: segmentation by MSS and
// window (§3.10.2), sender and receiver silly window avoidance (§3.8.6.2), zero-window probing
// (§3.8.6.1), the send buffer limit, and the half_duplex_close and rst_sender_enters_time_wait
// profiles.
//
// In the fixtures ISS = kLocalIss, so after the handshake SND.NXT = ISS+1, and the peer's data
// starts at kRemoteIss+1; both cross 2^32 within a few octets.
#include <algorithm>
#include <initializer_list>
#include <string_view>

#include "support/fixtures.hpp"

namespace tcpfsm::test {
namespace {

constexpr std::uint32_t kMss = 536;  // Profile default (MUST-15)

Notice err(UserError e) {
  return Notice::err(e);
}

// <SEQ=seq><ACK=ack><CTL=ACK,...> carrying `len` octets.
Segment data_seg(SeqNum seq, SeqNum ack, std::uint32_t len, std::uint8_t extra = 0) {
  return Segment{
      .seq = seq, .ack = ack, .ctl = static_cast<std::uint8_t>(kAck | extra), .len = len};
}
// <SEQ=seq><ACK=ack><CTL=FIN,ACK>.
Segment fin_seg(SeqNum seq, SeqNum ack) {
  return Segment{.seq = seq, .ack = ack, .ctl = kFin | kAck};
}
// RST(n), our own abort: <SEQ=SND.NXT><CTL=RST>.
Segment own_rst(SeqNum snd_nxt) {
  return Segment{.seq = snd_nxt, .ctl = kRst};
}
// <SEQ=ISS><CTL=SYN>.
Segment syn_seg(SeqNum iss) {
  return Segment{.seq = iss, .ctl = kSyn};
}

// The step sent exactly these segments, in this order (SEQ, ACK when set, CTL and LEN).
::testing::AssertionResult sent_in_order(const Outcome& o, std::initializer_list<Segment> want) {
  if (o.sent.size() != want.size()) {
    return ::testing::AssertionFailure()
           << "expected " << want.size() << " segments, got: " << describe(o);
  }
  std::size_t i = 0;
  for (const Segment& w : want) {
    const Segment& g = o.sent[i];
    if (g.seq != w.seq || g.ctl != w.ctl || g.len != w.len || (w.ack_flag() && g.ack != w.ack)) {
      return ::testing::AssertionFailure()
             << "segment " << i << ": expected " << to_string(w) << ", got: " << describe(o);
    }
    ++i;
  }
  return ::testing::AssertionSuccess();
}

// A pure window update from the peer: same SEQ and ACK as its last segment, new window.
Outcome peer_window(Conn& c, std::uint32_t wnd) {
  return c.rcv(seg(c.peer_nxt, c.tcb().snd_una, kAck, 0, wnd));
}

// --- one table per call over every state the fixtures reach ---

// What a call should send, judged against the TCB as it stood before the call.
enum class Emits : std::uint8_t {
  Nothing,
  Syn,     // <SEQ=ISS><CTL=SYN> with a fresh ISS
  Fin,     // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=FIN,ACK>
  OwnRst,  // RST(n)
  Data,    // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK,PSH> with the SEND's octets
};

struct CallRow {
  std::string_view fixture;  // StateFixture::name
  State to;
  Rule rule;
  std::vector<Notice> notices;
  Emits emits = Emits::Nothing;
};

constexpr std::uint32_t kSendLen = 100;

void expect_emits(const Tcb& before, const Conn& c, const Outcome& o, Emits e) {
  switch (e) {
    case Emits::Nothing: EXPECT_TRUE(sent_nothing(o)) << describe(o); return;
    case Emits::Syn:
      EXPECT_TRUE(sent_exactly(o, syn_seg(kLocalIss)));
      EXPECT_EQ(c.tcb().iss, kLocalIss);
      EXPECT_EQ(c.tcb().snd_una, kLocalIss);
      EXPECT_EQ(c.tcb().snd_nxt, kLocalIss + 1);
      return;
    case Emits::Fin: EXPECT_TRUE(sent_exactly(o, fin_seg(before.snd_nxt, before.rcv_nxt))); return;
    case Emits::OwnRst: EXPECT_TRUE(sent_exactly(o, own_rst(before.snd_nxt))); return;
    case Emits::Data:
      EXPECT_TRUE(sent_exactly(o, data_seg(before.snd_nxt, before.rcv_nxt, kSendLen, kPsh)));
      return;
  }
}

// Makes `call` on a fresh endpoint in every fixture state and checks that state's row. A call
// answered with an error, and STATUS, must leave the endpoint exactly as it was; a call that
// ends in CLOSED must leave no TCB and no timer behind.
void check_in_every_state(const Event& call, const std::vector<CallRow>& rows) {
  EXPECT_EQ(rows.size(), all_state_fixtures().size()) << "one row per fixture";
  for (const StateFixture& f : all_state_fixtures()) {
    SCOPED_TRACE(f.name);
    const auto row = std::find_if(rows.begin(), rows.end(),
                                  [&](const CallRow& r) { return r.fixture == f.name; });
    ASSERT_NE(row, rows.end()) << "no row for " << f.name;
    Conn c = f.make(Profile{});
    const Endpoint before = c.ep;
    const Outcome o = c.call(call);
    EXPECT_EQ(o.from, f.state) << describe(o);
    EXPECT_EQ(o.to, row->to) << describe(o);
    EXPECT_EQ(o.rule, row->rule) << describe(o);
    EXPECT_EQ(o.notices, row->notices) << describe(o);
    expect_emits(before.tcb(), c, o, row->emits);
    const bool refused = row->notices.size() == 1 && row->notices[0].kind == NoticeKind::Error;
    if (refused || row->rule == Rule::StatusReports) {
      EXPECT_TRUE(c.ep == before) << "the call must have no side effects: " << describe(o);
    }
    if (row->to == State::Closed) {
      EXPECT_EQ(c.tcb(), Tcb{});
      EXPECT_FALSE(c.ep.next_timer().has_value());
    }
  }
}

// RFC 9293 §3.10.1: a passive OPEN creates a listener from CLOSED and never touches an existing
// connection (digest §2 [I]: "already exists" in LISTEN too).
// Covers: MUST-41
TEST(Open, PassiveInEveryState) {
  const std::vector<Notice> exists{err(UserError::ConnectionAlreadyExists)};
  const Rule no = Rule::OpenAlreadyExists;
  check_in_every_state(OpenCall{.passive = true},
                       {
                           {"Closed", State::Listen, Rule::OpenPassive, {Notice::ok()}},
                           {"Listen", State::Listen, no, exists},
                           {"SynSent", State::SynSent, no, exists},
                           {"SynReceivedPassive", State::SynReceived, no, exists},
                           {"SynReceivedActive", State::SynReceived, no, exists},
                           {"Established", State::Established, no, exists},
                           {"FinWait1", State::FinWait1, no, exists},
                           {"FinWait2", State::FinWait2, no, exists},
                           {"CloseWait", State::CloseWait, no, exists},
                           {"Closing", State::Closing, no, exists},
                           {"LastAck", State::LastAck, no, exists},
                           {"TimeWait", State::TimeWait, no, exists},
                       });
}

// RFC 9293 §3.10.1: an active OPEN with a foreign socket sends <SEQ=ISS><CTL=SYN> from CLOSED and
// from LISTEN (which becomes active); every other state already has a connection.
TEST(Open, ActiveWithRemoteInEveryState) {
  const std::vector<Notice> exists{err(UserError::ConnectionAlreadyExists)};
  const Rule no = Rule::OpenAlreadyExists;
  check_in_every_state(OpenCall{.passive = false, .remote_specified = true},
                       {
                           {"Closed", State::SynSent, Rule::OpenActive, {Notice::ok()}, Emits::Syn},
                           {"Listen", State::SynSent, Rule::OpenActive, {Notice::ok()}, Emits::Syn},
                           {"SynSent", State::SynSent, no, exists},
                           {"SynReceivedPassive", State::SynReceived, no, exists},
                           {"SynReceivedActive", State::SynReceived, no, exists},
                           {"Established", State::Established, no, exists},
                           {"FinWait1", State::FinWait1, no, exists},
                           {"FinWait2", State::FinWait2, no, exists},
                           {"CloseWait", State::CloseWait, no, exists},
                           {"Closing", State::Closing, no, exists},
                           {"LastAck", State::LastAck, no, exists},
                           {"TimeWait", State::TimeWait, no, exists},
                       });
}

// RFC 9293 §3.10.1: without a foreign socket an active OPEN cannot send its SYN.
TEST(Open, ActiveWithoutRemoteInEveryState) {
  const std::vector<Notice> exists{err(UserError::ConnectionAlreadyExists)};
  const std::vector<Notice> unspecified{err(UserError::RemoteSocketUnspecified)};
  const Rule no = Rule::OpenAlreadyExists;
  check_in_every_state(OpenCall{.passive = false, .remote_specified = false},
                       {
                           {"Closed", State::Closed, Rule::OpenRemoteUnspecified, unspecified},
                           {"Listen", State::Listen, Rule::OpenRemoteUnspecified, unspecified},
                           {"SynSent", State::SynSent, no, exists},
                           {"SynReceivedPassive", State::SynReceived, no, exists},
                           {"SynReceivedActive", State::SynReceived, no, exists},
                           {"Established", State::Established, no, exists},
                           {"FinWait1", State::FinWait1, no, exists},
                           {"FinWait2", State::FinWait2, no, exists},
                           {"CloseWait", State::CloseWait, no, exists},
                           {"Closing", State::Closing, no, exists},
                           {"LastAck", State::LastAck, no, exists},
                           {"TimeWait", State::TimeWait, no, exists},
                       });
}

// RFC 9293 §3.10.2: SEND opens actively from LISTEN, queues before ESTABLISHED, sends in
// ESTABLISHED and CLOSE-WAIT, and is refused once our side has closed.
TEST(Send, InEveryState) {
  const std::vector<Notice> ok{Notice::ok()};
  const std::vector<Notice> closing{err(UserError::ConnectionClosing)};
  const Rule queued = Rule::SendQueuedUntilEstablished;
  const Rule after_close = Rule::SendAfterClose;
  check_in_every_state(
      SendCall{.len = kSendLen},
      {
          {"Closed",
           State::Closed,
           Rule::CallWithoutConnection,
           {err(UserError::ConnectionDoesNotExist)}},
          {"Listen", State::SynSent, Rule::SendFromListenOpensActively, ok, Emits::Syn},
          {"SynSent", State::SynSent, queued, ok},
          {"SynReceivedPassive", State::SynReceived, queued, ok},
          {"SynReceivedActive", State::SynReceived, queued, ok},
          {"Established", State::Established, Rule::SendSegmentized, ok, Emits::Data},
          {"FinWait1", State::FinWait1, after_close, closing},
          {"FinWait2", State::FinWait2, after_close, closing},
          {"CloseWait", State::CloseWait, Rule::SendSegmentized, ok, Emits::Data},
          {"Closing", State::Closing, after_close, closing},
          {"LastAck", State::LastAck, after_close, closing},
          {"TimeWait", State::TimeWait, after_close, closing},
      });
}

// RFC 9293 §3.10.3: RECEIVE waits until there is data, and says "closing" once the peer's FIN
// has been consumed and nothing is left to read.
TEST(Receive, InEveryState) {
  const std::vector<Notice> queued{Notice::queued()};
  const std::vector<Notice> closing{err(UserError::ConnectionClosing)};
  const Rule wait = Rule::ReceiveQueued;
  const Rule peer_closed = Rule::ReceiveAfterPeerClosed;
  check_in_every_state(ReceiveCall{}, {
                                          {"Closed",
                                           State::Closed,
                                           Rule::CallWithoutConnection,
                                           {err(UserError::ConnectionDoesNotExist)}},
                                          {"Listen", State::Listen, wait, queued},
                                          {"SynSent", State::SynSent, wait, queued},
                                          {"SynReceivedPassive", State::SynReceived, wait, queued},
                                          {"SynReceivedActive", State::SynReceived, wait, queued},
                                          {"Established", State::Established, wait, queued},
                                          {"FinWait1", State::FinWait1, wait, queued},
                                          {"FinWait2", State::FinWait2, wait, queued},
                                          {"CloseWait", State::CloseWait, peer_closed, closing},
                                          {"Closing", State::Closing, peer_closed, closing},
                                          {"LastAck", State::LastAck, peer_closed, closing},
                                          {"TimeWait", State::TimeWait, peer_closed, closing},
                                      });
}

// RFC 9293 §3.10.4: CLOSE deletes an unsynchronized TCB silently (E10, C15), sends a FIN from
// SYN-RECEIVED, ESTABLISHED and CLOSE-WAIT, and never a second FIN (C14).
TEST(Close, InEveryState) {
  const std::vector<Notice> ok{Notice::ok()};
  const std::vector<Notice> closing{err(UserError::ConnectionClosing)};
  const Rule again = Rule::CloseRepeated;
  check_in_every_state(
      CloseCall{}, {
                       {"Closed",
                        State::Closed,
                        Rule::CallWithoutConnection,
                        {err(UserError::ConnectionDoesNotExist)}},
                       {"Listen", State::Closed, Rule::CloseListenOrSynSent, ok},
                       {"SynSent", State::Closed, Rule::CloseListenOrSynSent, ok},
                       {"SynReceivedPassive", State::FinWait1, Rule::CloseSendsFin, ok, Emits::Fin},
                       {"SynReceivedActive", State::FinWait1, Rule::CloseSendsFin, ok, Emits::Fin},
                       {"Established", State::FinWait1, Rule::CloseSendsFin, ok, Emits::Fin},
                       {"FinWait1", State::FinWait1, again, closing},
                       {"FinWait2", State::FinWait2, again, closing},
                       {"CloseWait", State::LastAck, Rule::CloseWaitCloseSendsFin, ok, Emits::Fin},
                       {"Closing", State::Closing, again, closing},
                       {"LastAck", State::LastAck, again, closing},
                       {"TimeWait", State::TimeWait, again, closing},
                   });
}

// RFC 9293 §3.10.5: ABORT always ends in CLOSED; RST(n) goes out only where the peer holds a
// synchronized (or synchronizing) connection that still expects something (E10, C15).
TEST(Abort, InEveryState) {
  const std::vector<Notice> ok{Notice::ok()};
  const Rule quiet = Rule::AbortWithoutReset;
  const Rule loud = Rule::AbortSendsReset;
  check_in_every_state(AbortCall{},
                       {
                           {"Closed",
                            State::Closed,
                            Rule::CallWithoutConnection,
                            {err(UserError::ConnectionDoesNotExist)}},
                           {"Listen", State::Closed, quiet, ok},
                           {"SynSent", State::Closed, quiet, ok},
                           {"SynReceivedPassive", State::Closed, loud, ok, Emits::OwnRst},
                           {"SynReceivedActive", State::Closed, loud, ok, Emits::OwnRst},
                           {"Established", State::Closed, loud, ok, Emits::OwnRst},
                           {"FinWait1", State::Closed, loud, ok, Emits::OwnRst},
                           {"FinWait2", State::Closed, loud, ok, Emits::OwnRst},
                           {"CloseWait", State::Closed, loud, ok, Emits::OwnRst},
                           {"Closing", State::Closed, quiet, ok},
                           {"LastAck", State::Closed, quiet, ok},
                           {"TimeWait", State::Closed, quiet, ok},
                       });
}

// RFC 9293 §3.10.6: STATUS names the state and changes nothing; in CLOSED there is nothing to
// report.
TEST(Status, InEveryState) {
  const Rule r = Rule::StatusReports;
  check_in_every_state(
      StatusCall{},
      {
          {"Closed",
           State::Closed,
           Rule::CallWithoutConnection,
           {err(UserError::ConnectionDoesNotExist)}},
          {"Listen", State::Listen, r, {Notice::status(State::Listen)}},
          {"SynSent", State::SynSent, r, {Notice::status(State::SynSent)}},
          {"SynReceivedPassive", State::SynReceived, r, {Notice::status(State::SynReceived)}},
          {"SynReceivedActive", State::SynReceived, r, {Notice::status(State::SynReceived)}},
          {"Established", State::Established, r, {Notice::status(State::Established)}},
          {"FinWait1", State::FinWait1, r, {Notice::status(State::FinWait1)}},
          {"FinWait2", State::FinWait2, r, {Notice::status(State::FinWait2)}},
          {"CloseWait", State::CloseWait, r, {Notice::status(State::CloseWait)}},
          {"Closing", State::Closing, r, {Notice::status(State::Closing)}},
          {"LastAck", State::LastAck, r, {Notice::status(State::LastAck)}},
          {"TimeWait", State::TimeWait, r, {Notice::status(State::TimeWait)}},
      });
}

// --- OPEN ---

// RFC 9293 §3.10.1, §3.10.2: a listener opened without a foreign socket can neither be turned
// active by SEND nor by an active OPEN that names none; an active OPEN that names one sends
// the SYN.
TEST(Open, ListenerWithoutForeignSocketNeedsOneBeforeItCanSend) {
  Conn c;
  c.call(OpenCall{.passive = true, .remote_specified = false});
  ASSERT_EQ(c.state(), State::Listen);
  const Endpoint before = c.ep;
  Outcome o = c.call(SendCall{.len = 10});
  EXPECT_EQ(o.to, State::Listen) << describe(o);
  EXPECT_EQ(o.rule, Rule::OpenRemoteUnspecified);
  EXPECT_EQ(o.notices, std::vector<Notice>{err(UserError::RemoteSocketUnspecified)});
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_TRUE(c.ep == before);

  o = c.call(OpenCall{.passive = false, .remote_specified = true});
  EXPECT_EQ(o.to, State::SynSent) << describe(o);
  EXPECT_EQ(o.rule, Rule::OpenActive);
  EXPECT_TRUE(sent_exactly(o, syn_seg(kLocalIss)));
}

// RFC 9293 §3.10.1: an active OPEN arms the retransmission timer for its SYN.
TEST(Open, ActiveOpenArmsTheRetransmissionTimer) {
  Conn c;
  c.call(OpenCall{});
  ASSERT_TRUE(c.ep.deadline(TimerKind::Retransmission).has_value());
  EXPECT_EQ(*c.ep.deadline(TimerKind::Retransmission), Millis{1000});
}

// --- SEND before ESTABLISHED ---

// RFC 9293 §3.10.2 LISTEN: SEND with a foreign socket sends the SYN; the data waits and leaves
// with the ACK that completes the handshake.
TEST(Send, InListenOpensActivelyAndTheDataFollowsTheHandshake) {
  Conn c = listen();
  Outcome o = c.call(SendCall{.len = 100});
  EXPECT_EQ(o.to, State::SynSent) << describe(o);
  EXPECT_EQ(o.rule, Rule::SendFromListenOpensActively);
  EXPECT_TRUE(sent_exactly(o, syn_seg(kLocalIss)));
  EXPECT_EQ(c.tcb().send_queued, 100u);

  o = c.rcv(seg(kRemoteIss, kLocalIss + 1, kSyn | kAck));
  EXPECT_EQ(o.to, State::Established) << describe(o);
  EXPECT_TRUE(sent_exactly(o, data_seg(kLocalIss + 1, kRemoteIss + 1, 100, kPsh)));
  EXPECT_EQ(c.tcb().send_queued, 0u);
}

// RFC 9293 §3.10.2 SYN-SENT: data is queued, nothing goes out before the SYN-ACK, and then it
// rides on the handshake's ACK.
TEST(Send, QueuedInSynSentLeavesWithTheAckThatCompletesTheHandshake) {
  Conn c = syn_sent();
  Outcome o = c.call(SendCall{.len = 100});
  EXPECT_EQ(o.to, State::SynSent) << describe(o);
  EXPECT_EQ(o.rule, Rule::SendQueuedUntilEstablished);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(c.tcb().send_queued, 100u);

  o = c.rcv(seg(kRemoteIss, kLocalIss + 1, kSyn | kAck));
  EXPECT_EQ(o.to, State::Established) << describe(o);
  EXPECT_TRUE(sent_exactly(o, data_seg(kLocalIss + 1, kRemoteIss + 1, 100, kPsh)));
}

// RFC 9293 §3.10.2 SYN-RECEIVED (both kinds): queued, then sent when the ACK of our SYN
// makes the connection ESTABLISHED.
TEST(Send, QueuedInSynReceivedLeavesOnEnteringEstablished) {
  for (auto make : {syn_received_passive, syn_received_active}) {
    Conn c = make(Profile{});
    Outcome o = c.call(SendCall{.len = 100});
    EXPECT_EQ(o.to, State::SynReceived) << describe(o);
    EXPECT_TRUE(sent_nothing(o)) << describe(o);

    o = c.rcv(seg(kRemoteIss + 1, kLocalIss + 1, kAck));
    EXPECT_EQ(o.to, State::Established) << describe(o);
    EXPECT_TRUE(sent_exactly(o, data_seg(kLocalIss + 1, kRemoteIss + 1, 100, kPsh)));
  }
}

// --- segmentation and the send window ---

// RFC 9293 §3.7.1, §3.10.2: a large SEND leaves as full-sized segments; the one that empties
// the queue carries PSH, as a stack without a PUSH flag on SEND must do.
// Covers: SHLD-28, MUST-61
TEST(Send, LargeSendIsCutIntoFullSizedSegmentsAndTheLastCarriesPsh) {
  Conn c = established();
  const SeqNum s = kLocalIss + 1;
  const Outcome o = c.call(SendCall{.len = 2 * kMss + 128});
  EXPECT_EQ(o.rule, Rule::SendSegmentized);
  EXPECT_EQ(o.notices, std::vector<Notice>{Notice::ok()});
  EXPECT_TRUE(
      sent_in_order(o, {data_seg(s, c.rcv_nxt(), kMss), data_seg(s + kMss, c.rcv_nxt(), kMss),
                        data_seg(s + 2 * kMss, c.rcv_nxt(), 128, kPsh)}));
  EXPECT_EQ(c.snd_nxt(), s + 2 * kMss + 128);
  EXPECT_EQ(c.tcb().send_queued, 0u);
}

// RFC 9293 §3.10.2: never more than the peer's window is in flight.
TEST(Send, DataBeyondThePeersWindowWaitsForItToOpen) {
  Conn c = established();
  peer_window(c, 600);
  const SeqNum s = kLocalIss + 1;
  Outcome o = c.call(SendCall{.len = 1200});
  // 536 fit, 64 more would fit but would be a sliver of a larger queue (sender SWS).
  EXPECT_TRUE(sent_exactly(o, data_seg(s, c.rcv_nxt(), kMss)));
  o = c.rcv(seg(c.peer_nxt, s + kMss, kAck, 0, 600));
  EXPECT_TRUE(sent_exactly(o, data_seg(s + kMss, c.rcv_nxt(), kMss)));
  o = c.rcv(seg(c.peer_nxt, s + 2 * kMss, kAck, 0, 600));
  EXPECT_TRUE(sent_exactly(o, data_seg(s + 2 * kMss, c.rcv_nxt(), 128, kPsh)));
  EXPECT_EQ(c.tcb().send_queued, 0u);
}

// RFC 9293 §3.8.6.2.1: with more data queued, a usable window smaller than an MSS and smaller
// than half the largest window seen is not filled with a small segment.
// Covers: MUST-38
TEST(Send, SmallUsableWindowIsNotFilledWhileMoreDataWaits) {
  Conn c = established();  // largest window seen so far: 8192
  peer_window(c, 1000);
  const SeqNum s = kLocalIss + 1;
  Outcome o = c.call(SendCall{.len = 2000});
  EXPECT_TRUE(sent_exactly(o, data_seg(s, c.rcv_nxt(), kMss)));  // not 536 + 464
  EXPECT_EQ(c.tcb().send_queued, 2000 - kMss);

  o = c.rcv(seg(c.peer_nxt, s + kMss, kAck, 0, 1000));
  EXPECT_TRUE(sent_exactly(o, data_seg(s + kMss, c.rcv_nxt(), kMss)));

  // 928 left: a full segment, then the last 392 fit and empty the queue, so they go too.
  o = c.rcv(seg(c.peer_nxt, s + 2 * kMss, kAck, 0, 1000));
  EXPECT_TRUE(sent_in_order(o, {data_seg(s + 2 * kMss, c.rcv_nxt(), kMss),
                                data_seg(s + 3 * kMss, c.rcv_nxt(), 392, kPsh)}));
}

// RFC 9293 §3.8.6.2.1 rule (3): half of the largest window seen is worth sending even below
// one MSS.
TEST(Send, HalfTheLargestWindowIsWorthASegmentBelowMss) {
  Conn c = listen();
  c.rcv(seg_noack(kRemoteIss, kSyn, 0, 600));
  c.rcv(seg(kRemoteIss + 1, kLocalIss + 1, kAck, 0, 600));  // the largest window: 600
  ASSERT_EQ(c.state(), State::Established);
  peer_window(c, 300);
  const Outcome o = c.call(SendCall{.len = 1000});
  EXPECT_TRUE(sent_exactly(o, data_seg(kLocalIss + 1, c.rcv_nxt(), 300)));
  EXPECT_EQ(c.tcb().send_queued, 700u);
}

// RFC 9293 §3.8.6.2.1 rule (4) and §3.10.2: sender SWS avoidance needs an override timeout,
// or a peer that keeps offering a small window leaves the data queued forever. Whatever the
// timer, within a minute some of the data must have gone out, and none beyond the window.
// Covers: MUST-60
TEST(Send, DataHeldBackBySwsAvoidanceIsNotHeldForever) {
  Conn c = established();  // largest window seen: 8192
  peer_window(c, 300);     // far below half of it, and below one MSS
  std::vector<Outcome> steps{c.call(SendCall{.len = 1000})};
  for (Outcome& o : c.ep.advance_to(60'000)) steps.push_back(std::move(o));
  std::uint32_t octets = 0;
  for (const Outcome& o : steps) {
    for (const Segment& s : o.sent) {
      EXPECT_TRUE(seq_le(s.seq + s.len, kLocalIss + 1 + 300))
          << "beyond the window: " << describe(o);
      octets += s.len;
    }
  }
  EXPECT_GT(octets, 0u) << "1000 octets still queued after 60 s with a 300-octet window open; "
                        << (c.ep.next_timer() ? "a timer is armed" : "no timer is armed");
}

// RFC 9293 §3.10.2: successive SENDs that wait are sent together, as large as possible.
// Covers: SHLD-27
TEST(Send, SendsQueuedBehindAClosedWindowLeaveAsOneSegment) {
  Conn c = established();
  peer_window(c, 0);
  for (int i = 0; i < 3; ++i) {
    const Outcome o = c.call(SendCall{.len = 100});
    EXPECT_TRUE(sent_nothing(o)) << describe(o);
    EXPECT_EQ(o.notices, std::vector<Notice>{Notice::ok()});
  }
  const Outcome o = peer_window(c, kPeerWnd);
  EXPECT_TRUE(sent_exactly(o, data_seg(kLocalIss + 1, c.rcv_nxt(), 300, kPsh)));
}

// RFC 9293 §3.8.6.1: a window that shrinks to zero holds the data back; after one RTO the
// probe timer sends one octet beyond the window; an ACK that opens the window releases the rest.
// Covers: MUST-35, MUST-36, SHLD-29
TEST(Send, ZeroWindowHoldsDataAndTheProbeTimerSendsOneOctet) {
  Conn c = established();
  peer_window(c, 0);
  ASSERT_EQ(c.tcb().snd_wnd, 0u);
  Outcome o = c.call(SendCall{.len = 100});
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(o.notices, std::vector<Notice>{Notice::ok()});
  ASSERT_TRUE(c.ep.deadline(TimerKind::ZeroWindowProbe).has_value());
  EXPECT_EQ(*c.ep.deadline(TimerKind::ZeroWindowProbe), Millis{1000});  // one (initial) RTO

  EXPECT_TRUE(c.ep.advance_to(999).empty());
  const std::vector<Outcome> fired = c.ep.advance_to(1000);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].rule, Rule::ZeroWindowProbe);
  EXPECT_EQ(fired[0].to, State::Established);
  EXPECT_TRUE(sent_exactly(fired[0], data_seg(kLocalIss + 1, c.rcv_nxt(), 1)));
  EXPECT_EQ(c.tcb().send_queued, 99u);

  c.now = 1000;
  o = c.rcv(seg(c.peer_nxt, kLocalIss + 2, kAck, 0, kPeerWnd));  // probe taken, window open
  EXPECT_TRUE(sent_exactly(o, data_seg(kLocalIss + 2, c.rcv_nxt(), 99, kPsh)));
}

// RFC 9293 §3.9.1.2, §3.10.2: a SEND the buffer cannot hold is refused with "insufficient
// resources" and changes nothing; what fits is accepted.
TEST(Send, BeyondTheSendBufferIsInsufficientResources) {
  Profile p;
  p.send_buffer = 1000;
  Conn c = established(p);
  peer_window(c, 0);  // keep everything queued
  EXPECT_EQ(c.call(SendCall{.len = 600}).notices, std::vector<Notice>{Notice::ok()});

  const Endpoint before = c.ep;
  const Outcome o = c.call(SendCall{.len = 401});
  EXPECT_EQ(o.to, State::Established) << describe(o);
  EXPECT_EQ(o.rule, Rule::SendBufferFull);
  EXPECT_EQ(o.notices, std::vector<Notice>{err(UserError::InsufficientResources)});
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_TRUE(c.ep == before);

  EXPECT_EQ(c.call(SendCall{.len = 400}).notices, std::vector<Notice>{Notice::ok()});
  EXPECT_EQ(c.tcb().send_queued, 1000u);
}

// RFC 9293 §3.8.5, §3.10.2: an urgent SEND sets URG, and the pointer names the octet just after
// the urgent data.
// Covers: MUST-30, MUST-62
TEST(Send, UrgentSendSetsUrgWithAPointerJustPastTheUrgentData) {
  Conn c = established();
  const Outcome o = c.call(SendCall{.len = 10, .urgent = true});
  ASSERT_EQ(o.sent.size(), 1u) << describe(o);
  EXPECT_EQ(o.sent[0].seq, kLocalIss + 1);
  EXPECT_EQ(o.sent[0].len, 10u);
  EXPECT_TRUE(o.sent[0].has(kUrg)) << describe(o);
  EXPECT_EQ(o.sent[0].up, 10u);
}

// --- RECEIVE and the receive window ---

// RFC 9293 §3.10.3: a RECEIVE made before the connection exists waits through the handshake and
// is served by the first data.
TEST(Receive, QueuedInListenIsServedByTheFirstData) {
  Conn c = listen();
  EXPECT_EQ(c.call(ReceiveCall{}).notices, std::vector<Notice>{Notice::queued()});
  c.rcv(seg_noack(kRemoteIss, kSyn));
  c.rcv(seg(kRemoteIss + 1, kLocalIss + 1, kAck));
  ASSERT_EQ(c.state(), State::Established);
  const Outcome o = c.peer_sends(100);
  EXPECT_EQ(o.notices, std::vector<Notice>{Notice::delivered(100)}) << describe(o);
  EXPECT_TRUE(sent_exactly(o, expected_ack(c)));
  EXPECT_EQ(c.tcb().recv_unread, 0u);
}

// RFC 9293 §3.10.3: buffered data is handed over at once, at most max_len of it.
TEST(Receive, HandsOverBufferedDataUpToTheRequestedLength) {
  Conn c = established();
  c.peer_sends(100);
  Outcome o = c.call(ReceiveCall{.max_len = 30});
  EXPECT_EQ(o.rule, Rule::ReceiveDelivers);
  EXPECT_EQ(o.notices, std::vector<Notice>{Notice::delivered(30)});
  o = c.call(ReceiveCall{});
  EXPECT_EQ(o.notices, std::vector<Notice>{Notice::delivered(70)});
  o = c.call(ReceiveCall{});
  EXPECT_EQ(o.notices, std::vector<Notice>{Notice::queued()});
}

// RFC 9293 §3.10.7.4 eighth check and second check: a waiting RECEIVE learns whether the peer
// closed (FIN: "closing") or aborted (RST: "reset").
// Covers: MUST-12
TEST(Receive, PendingReceiveLearnsWhetherThePeerClosedOrReset) {
  {
    Conn c = established();
    c.call(ReceiveCall{});
    const Outcome o = c.peer_sends(0, kFin);
    EXPECT_EQ(o.to, State::CloseWait) << describe(o);
    EXPECT_EQ(o.notices, (std::vector<Notice>{err(UserError::ConnectionClosing),
                                              err(UserError::ConnectionClosing)}))
        << describe(o);
  }
  {
    Conn c = established();
    c.call(ReceiveCall{});
    const Outcome o = c.rcv(seg(c.peer_nxt, c.snd_nxt(), kRst));
    EXPECT_EQ(o.to, State::Closed) << describe(o);
    EXPECT_EQ(o.notices, (std::vector<Notice>{err(UserError::ConnectionReset),
                                              err(UserError::ConnectionReset)}))
        << describe(o);
  }
}

// RFC 9293 §3.10.4 LISTEN and SYN-SENT: a waiting RECEIVE fails with "closing" when the user
// closes.
TEST(Close, InListenOrSynSentFailsAWaitingReceiveWithClosing) {
  for (auto make : {listen, syn_sent}) {
    Conn c = make(Profile{});
    c.call(ReceiveCall{});
    const Outcome o = c.call(CloseCall{});
    EXPECT_EQ(o.to, State::Closed) << describe(o);
    EXPECT_TRUE(sent_nothing(o)) << describe(o);
    EXPECT_EQ(o.notices, (std::vector<Notice>{Notice::ok(), err(UserError::ConnectionClosing)}))
        << describe(o);
  }
}

// RFC 9293 §3.10.5: ABORT fails every waiting RECEIVE with "reset", whether or not it sends a
// RST.
TEST(Abort, FailsAWaitingReceiveWithReset) {
  for (auto make : {listen, syn_sent, syn_received_passive, established, fin_wait_2}) {
    Conn c = make(Profile{});
    SCOPED_TRACE(to_string(c.state()));
    c.call(ReceiveCall{});
    const Outcome o = c.call(AbortCall{});
    EXPECT_EQ(o.to, State::Closed) << describe(o);
    EXPECT_EQ(o.notices, (std::vector<Notice>{Notice::ok(), err(UserError::ConnectionReset)}))
        << describe(o);
  }
}

// RFC 9293 §3.10.7.4 seventh check: unread data shrinks RCV.WND while the right edge
// RCV.NXT+RCV.WND stays where it was; each ACK shows the smaller window, down to zero, and a
// zero window takes no more data.
// Covers: SHLD-14
TEST(Receive, WindowShrinksAsUnreadDataArrivesWhileTheRightEdgeStays) {
  Profile p;
  p.receive_buffer = 2000;
  Conn c = established(p);
  const SeqNum edge = c.rcv_nxt() + c.tcb().rcv_wnd;

  Outcome o = c.peer_sends(500);
  EXPECT_TRUE(sent_exactly(o, expected_ack(c)));
  EXPECT_EQ(o.sent.at(0).wnd, 1500u);
  EXPECT_EQ(c.rcv_nxt() + c.tcb().rcv_wnd, edge);

  o = c.peer_sends(1500);
  EXPECT_TRUE(sent_exactly(o, expected_ack(c)));
  EXPECT_EQ(o.sent.at(0).wnd, 0u);
  EXPECT_EQ(c.rcv_nxt() + c.tcb().rcv_wnd, edge);

  const SeqNum rcv_nxt = c.rcv_nxt();
  o = c.rcv(c.peer_ack(100));  // more data at RCV.NXT: acknowledged, not taken
  EXPECT_TRUE(sent_exactly(o, expected_ack(c)));
  EXPECT_EQ(o.sent.at(0).wnd, 0u);
  EXPECT_EQ(c.rcv_nxt(), rcv_nxt);
  EXPECT_EQ(c.tcb().recv_unread, 2000u);
}

// RFC 9293 §3.8.6.2.2: reading opens the window, but the update is sent only once the right
// edge has moved by min(MSS, buffer/2), not for every small read.
// Covers: MUST-39
TEST(Receive, WindowUpdateIsSentOnlyOnceReadingFreedEnough) {
  Profile p;
  p.receive_buffer = 2000;  // threshold: min(536, 1000) = 536
  Conn c = established(p);
  c.peer_sends(2000);
  ASSERT_EQ(c.tcb().rcv_wnd, 0u);

  Outcome o = c.call(ReceiveCall{.max_len = 300});
  EXPECT_EQ(o.notices, std::vector<Notice>{Notice::delivered(300)});
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_EQ(c.tcb().rcv_wnd, 300u);

  o = c.call(ReceiveCall{.max_len = 300});
  EXPECT_EQ(o.notices, std::vector<Notice>{Notice::delivered(300)});
  EXPECT_TRUE(sent_exactly(o, expected_ack(c)));
  EXPECT_EQ(o.sent.at(0).wnd, 600u);

  o = c.call(ReceiveCall{.max_len = 100});
  EXPECT_TRUE(sent_nothing(o)) << describe(o);  // 100 more since the last update

  o = c.call(ReceiveCall{});
  EXPECT_EQ(o.notices, std::vector<Notice>{Notice::delivered(1300)});
  EXPECT_TRUE(sent_exactly(o, expected_ack(c)));
  EXPECT_EQ(o.sent.at(0).wnd, 2000u);
}

// --- CLOSE ---

// RFC 9293 §3.10.4 SYN-RECEIVED: with SENDs pending the CLOSE waits; the ACK that establishes
// the connection releases the data with the FIN on it, and the state is FIN-WAIT-1.
TEST(Close, InSynReceivedWithPendingSendWaitsForEstablishedThenFinFollowsTheData) {
  Conn c = syn_received_passive();
  c.call(SendCall{.len = 100});
  Outcome o = c.call(CloseCall{});
  EXPECT_EQ(o.to, State::SynReceived) << describe(o);
  EXPECT_EQ(o.rule, Rule::CloseDeferredUntilEstablished);
  EXPECT_EQ(o.notices, std::vector<Notice>{Notice::ok()});
  EXPECT_TRUE(sent_nothing(o)) << describe(o);

  o = c.rcv(seg(kRemoteIss + 1, kLocalIss + 1, kAck));
  EXPECT_EQ(o.to, State::FinWait1) << describe(o);
  EXPECT_TRUE(sent_exactly(o, data_seg(kLocalIss + 1, kRemoteIss + 1, 100, kPsh | kFin)));
  EXPECT_TRUE(c.tcb().fin_sent);
  EXPECT_EQ(c.tcb().fin_seq, kLocalIss + 101);
}

// RFC 9293 §3.10.4 ESTABLISHED: FIN-WAIT-1 at once; the FIN goes out after all queued data,
// on the last data segment.
TEST(Close, FinGoesOutBehindQueuedDataOnTheLastSegment) {
  Conn c = established();
  peer_window(c, 0);
  c.call(SendCall{.len = 600});
  Outcome o = c.call(CloseCall{});
  EXPECT_EQ(o.to, State::FinWait1) << describe(o);
  EXPECT_TRUE(sent_nothing(o)) << describe(o);
  EXPECT_FALSE(c.tcb().fin_sent);

  o = peer_window(c, kPeerWnd);
  const SeqNum s = kLocalIss + 1;
  EXPECT_TRUE(sent_in_order(
      o, {data_seg(s, c.rcv_nxt(), kMss), data_seg(s + kMss, c.rcv_nxt(), 64, kPsh | kFin)}));
  EXPECT_EQ(c.tcb().fin_seq, s + 600);
  EXPECT_EQ(c.snd_nxt(), s + 601);
}

// RFC 9293 §3.10.4 CLOSE-WAIT: the FIN follows data still queued.
TEST(Close, InCloseWaitSendsQueuedDataThenFin) {
  Conn c = close_wait();
  c.call(SendCall{.len = 50});  // goes out at once
  const Outcome o = c.call(CloseCall{});
  EXPECT_EQ(o.to, State::LastAck) << describe(o);
  EXPECT_TRUE(sent_exactly(o, fin_seg(kLocalIss + 51, c.rcv_nxt())));
}

// --- half_duplex_close (MAY-1, SHLD-3; RFC 9293 §3.6.1) ---

Profile half_duplex() {
  Profile p;
  p.half_duplex_close = true;
  return p;
}

// With unread data a CLOSE would lose it silently: RST(n) instead of a FIN, then CLOSED.
// Covers: MAY-1, SHLD-3
TEST(HalfDuplexClose, CloseWithUnreadDataSendsRstAndCloses) {
  Conn c = established(half_duplex());
  c.peer_sends(100);
  ASSERT_EQ(c.tcb().recv_unread, 100u);
  const SeqNum nxt = c.snd_nxt();
  const Outcome o = c.call(CloseCall{});
  EXPECT_EQ(o.to, State::Closed) << describe(o);
  EXPECT_EQ(o.rule, Rule::CloseWithUnreadDataResets);
  EXPECT_TRUE(sent_exactly(o, own_rst(nxt)));
  EXPECT_EQ(o.notices, std::vector<Notice>{Notice::ok()});
  EXPECT_EQ(c.tcb(), Tcb{});
}

// The same in CLOSE-WAIT, where the unread data came before the peer's FIN.
// Covers: MAY-1, SHLD-3
TEST(HalfDuplexClose, CloseInCloseWaitWithUnreadDataSendsRst) {
  Conn c = established(half_duplex());
  c.peer_sends(100, kFin);
  ASSERT_EQ(c.state(), State::CloseWait);
  const SeqNum nxt = c.snd_nxt();
  const Outcome o = c.call(CloseCall{});
  EXPECT_EQ(o.to, State::Closed) << describe(o);
  EXPECT_TRUE(sent_exactly(o, own_rst(nxt)));
}

// Everything read: the ordinary FIN. And without the profile, unread data does not matter.
TEST(HalfDuplexClose, CloseWithNothingUnreadSendsFin) {
  {
    Conn c = established(half_duplex());
    c.peer_sends(100);
    c.call(ReceiveCall{});
    const Outcome o = c.call(CloseCall{});
    EXPECT_EQ(o.to, State::FinWait1) << describe(o);
    EXPECT_TRUE(sent_exactly(o, fin_seg(kLocalIss + 1, c.rcv_nxt())));
  }
  {
    Conn c = established();  // default profile
    c.peer_sends(100);
    const Outcome o = c.call(CloseCall{});
    EXPECT_EQ(o.to, State::FinWait1) << describe(o);
    EXPECT_TRUE(sent_exactly(o, fin_seg(kLocalIss + 1, c.rcv_nxt())));
  }
}

// After CLOSE the user reads no more, so new data from the peer draws RST(n) and CLOSED.
// Covers: MAY-1, SHLD-3
TEST(HalfDuplexClose, DataArrivingAfterCloseSendsRstAndCloses) {
  for (auto make : {fin_wait_1, fin_wait_2}) {
    Conn c = make(half_duplex());
    SCOPED_TRACE(to_string(c.state()));
    const SeqNum nxt = c.snd_nxt();
    const Outcome o = c.rcv(seg(c.peer_nxt, nxt, kAck, 10));
    EXPECT_EQ(o.to, State::Closed) << describe(o);
    EXPECT_EQ(o.rule, Rule::TextAfterCloseResets);
    EXPECT_TRUE(sent_exactly(o, own_rst(nxt)));
    EXPECT_EQ(o.notices, std::vector<Notice>{err(UserError::ConnectionReset)});
  }
}

// --- rst_sender_enters_time_wait (RFC 9293 §3.5.2, Figure 5 note 3) ---

// ABORT from a synchronized state sends RST(n) and lingers in TIME-WAIT for 2*MSL.
TEST(Abort, WithRstSenderEntersTimeWaitLingersFor2Msl) {
  Profile p;
  p.rst_sender_enters_time_wait = true;
  Conn c = established(p);
  const SeqNum nxt = c.snd_nxt();
  const Outcome o = c.call(AbortCall{});
  EXPECT_EQ(o.to, State::TimeWait) << describe(o);
  EXPECT_EQ(o.rule, Rule::AbortSendsReset);
  EXPECT_TRUE(sent_exactly(o, own_rst(nxt)));
  EXPECT_EQ(o.notices, std::vector<Notice>{Notice::ok()});
  const auto next = c.ep.next_timer();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->first, TimerKind::TimeWait);
  EXPECT_EQ(next->second, Millis{240'000});

  EXPECT_TRUE(c.ep.advance_to(239'999).empty());
  EXPECT_EQ(c.state(), State::TimeWait);
  c.ep.advance_to(240'000);
  EXPECT_EQ(c.state(), State::Closed);
}

// The profile concerns the sender of a RST only: an ABORT that sends nothing still closes.
TEST(Abort, WithRstSenderEntersTimeWaitButNoRstSentCloses) {
  Profile p;
  p.rst_sender_enters_time_wait = true;
  for (auto make : {syn_sent, last_ack}) {
    Conn c = make(p);
    SCOPED_TRACE(to_string(c.state()));
    const Outcome o = c.call(AbortCall{});
    EXPECT_EQ(o.to, State::Closed) << describe(o);
    EXPECT_TRUE(sent_nothing(o)) << describe(o);
  }
}

}  // namespace
}  // namespace tcpfsm::test
