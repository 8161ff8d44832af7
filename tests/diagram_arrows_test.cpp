// The transition table (core/transitions.hpp) against the RFC 9293 state diagram and against the
// reference endpoint:
//   * TransitionTable: structural properties of the table itself, and a seeded random walk that
//     holds the reference endpoint to the table (invariant I18).
//   * DiagramArrows: one test per row. Each drives the reference endpoint into the row's
//     from-state with the fixtures, applies the row's event, and checks the state it lands in and
//     the exact segments RFC 9293 says go out. A last test checks that every row has such a driver.
#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/transitions.hpp"
#include "support/fixtures.hpp"

namespace tcpfsm::test {
namespace {

// ------------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------------

const Transition* row(std::string_view id) {
  for (const Transition& t : transitions()) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

using Edge = std::pair<State, State>;

std::set<Edge> table_edges() {
  std::set<Edge> out;
  for (const Transition& t : transitions()) out.insert({t.from, t.to});
  return out;
}

// States reachable from `start` over the rows `usable` accepts.
std::set<State> reachable(State start, const std::function<bool(const Transition&)>& usable) {
  std::set<State> seen = {start};
  std::vector<State> todo = {start};
  while (!todo.empty()) {
    const State s = todo.back();
    todo.pop_back();
    for (const Transition& t : transitions()) {
      if (t.from == s && usable(t) && seen.insert(t.to).second) todo.push_back(t.to);
    }
  }
  return seen;
}

Profile reopen() {
  Profile p;
  p.time_wait_syn = TimeWaitSyn::Reopen;
  return p;
}
Profile rst_sender_lingers() {
  Profile p;
  p.rst_sender_enters_time_wait = true;
  return p;
}
Profile legacy_syn() {
  Profile p;
  p.rfc5961_syn = false;
  return p;
}
Profile half_duplex() {
  Profile p;
  p.half_duplex_close = true;
  return p;
}
Profile no_user_timeout() {
  Profile p;
  p.user_timeout_ms = 0;
  return p;
}
Profile fin_wait_2_timer() {
  Profile p;
  p.fin_wait_2_timeout_ms = 60'000;
  return p;
}

// What a driver did: the outcome of the row's event, what RFC 9293 says must be sent in that
// step, an error the user must be told (if any), and the profile the endpoint ran with.
struct Driven {
  Outcome out;
  std::vector<Segment> want;
  std::optional<UserError> error;
  Profile profile;
};
using Driver = Driven (*)();

Driven done(const Conn& c, Outcome o, std::vector<Segment> want = {},
            std::optional<UserError> error = std::nullopt) {
  return Driven{std::move(o), std::move(want), error, c.ep.profile()};
}

std::map<std::string_view, Driver>& drivers() {
  static std::map<std::string_view, Driver> all;
  return all;
}

bool register_driver(std::string_view id, Driver d) {
  return drivers().emplace(id, d).second;
}

// Every segment as RFC 9293 says, in order: SEQ, CTL and LEN always, ACK when the ACK bit is set.
::testing::AssertionResult sent_as_rfc_says(const Outcome& o, const std::vector<Segment>& want) {
  std::string wanted;
  for (const Segment& s : want) wanted += " " + to_string(s);
  if (want.empty()) wanted = " nothing";
  bool same = o.sent.size() == want.size();
  for (std::size_t i = 0; same && i < want.size(); ++i) {
    const Segment& g = o.sent[i];
    const Segment& w = want[i];
    same = g.seq == w.seq && g.ctl == w.ctl && g.len == w.len && (!w.ack_flag() || g.ack == w.ack);
  }
  if (same) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected" << wanted << ", got: " << describe(o);
}

bool told(const Outcome& o, UserError e) {
  return std::find(o.notices.begin(), o.notices.end(), Notice::err(e)) != o.notices.end();
}

void check_arrow(std::string_view id, const Driven& d) {
  const Transition* t = row(id);
  ASSERT_NE(t, nullptr) << id << " is not a row of transitions()";
  EXPECT_EQ(d.out.from, t->from) << describe(d.out);
  EXPECT_EQ(d.out.to, t->to) << describe(d.out);
  EXPECT_TRUE(condition_holds(t->condition, d.profile)) << to_string(t->condition);
  EXPECT_EQ(d.want.empty(), t->sent == "-") << "the row says " << t->sent;
  EXPECT_TRUE(sent_as_rfc_says(d.out, d.want));
  if (d.error) {
    EXPECT_TRUE(told(d.out, *d.error)) << describe(d.out);
  }
}

// An outcome that changed nothing, for drivers that could not apply their event.
Outcome unchanged(State s) {
  Outcome o;
  o.from = s;
  o.to = s;
  return o;
}

// Lets the armed timers fire, in deadline order, until one of them changes the state.
Outcome run_timers_until_state_changes(Conn& c) {
  for (int i = 0; i < 100; ++i) {
    const auto next = c.ep.next_timer();
    if (!next) break;
    Outcome o = c.ep.step(TimerExpires{next->first}, next->second);
    c.now = c.ep.now();
    if (o.from != o.to) return o;
  }
  ADD_FAILURE() << "no timer changed the state of " << to_string(c.state());
  return unchanged(c.state());
}

// ARROW(Name) { body } defines the driver for the row whose id is Name, registers it for the
// row-coverage test, and defines TEST(DiagramArrows, Name), which checks it against the row.
#define ARROW(Name)                                                                      \
  Driven drive_##Name();                                                                 \
  [[maybe_unused]] const bool kRegistered##Name = register_driver(#Name, &drive_##Name); \
  TEST(DiagramArrows, Name) {                                                            \
    check_arrow(#Name, drive_##Name());                                                  \
  }                                                                                      \
  Driven drive_##Name()

// ------------------------------------------------------------------------------------------------
// The table itself
// ------------------------------------------------------------------------------------------------

TEST(TransitionTable, EveryStateIsReachableFromClosed) {
  const auto under_default = [](const Transition& t) { return condition_holds(t.condition, {}); };
  EXPECT_EQ(reachable(State::Closed, under_default).size(), kAllStates.size());
  const auto figure_only = [](const Transition& t) { return t.source == ArrowSource::Figure5; };
  EXPECT_EQ(reachable(State::Closed, figure_only).size(), kAllStates.size());
}

TEST(TransitionTable, ClosedIsReachableFromEveryState) {
  const auto under_default = [](const Transition& t) { return condition_holds(t.condition, {}); };
  const auto figure_only = [](const Transition& t) { return t.source == ArrowSource::Figure5; };
  for (State s : kAllStates) {
    EXPECT_TRUE(reachable(s, under_default).contains(State::Closed)) << to_string(s);
    EXPECT_TRUE(reachable(s, figure_only).contains(State::Closed)) << to_string(s);
  }
}

TEST(TransitionTable, EveryRowCitesAnRfcSectionAndSaysWhatIsSent) {
  for (const Transition& t : transitions()) {
    EXPECT_TRUE(t.rfc.starts_with("RFC 9293 §")) << t.id << ": " << t.rfc;
    EXPECT_GT(t.rfc.size(), std::string_view("RFC 9293 §").size()) << t.id;
    EXPECT_FALSE(t.event.empty()) << t.id;
    EXPECT_TRUE(t.sent == "-" || t.sent.starts_with("snd ")) << t.id << ": " << t.sent;
    EXPECT_FALSE(t.id.empty());
  }
}

TEST(TransitionTable, NoDuplicateRowsAndNoSelfLoops) {
  std::set<std::string_view> ids;
  std::set<std::tuple<State, State, std::string_view, ArrowCondition>> rows;
  for (const Transition& t : transitions()) {
    EXPECT_TRUE(ids.insert(t.id).second) << "two rows named " << t.id;
    EXPECT_TRUE(rows.insert({t.from, t.to, t.event, t.condition}).second) << "duplicate " << t.id;
    EXPECT_NE(t.from, t.to) << t.id << ": a self-loop is not a row";
  }
}

TEST(TransitionTable, Figure5RowsAreExactlyTheArrowsOfTheDiagram) {
  // Read off RFC 9293 Figure 5 (§3.3.2): every arrow with its event and action.
  using enum State;
  const std::set<std::tuple<State, State, std::string_view, std::string_view>> figure = {
      {Closed, Listen, "passive OPEN", "-"},
      {Closed, SynSent, "active OPEN", "snd SYN"},
      {Listen, Closed, "CLOSE", "-"},
      {Listen, SynReceived, "rcv SYN", "snd SYN,ACK"},
      {Listen, SynSent, "SEND", "snd SYN"},
      {SynReceived, Listen, "rcv RST", "-"},
      {SynSent, SynReceived, "rcv SYN", "snd SYN,ACK"},
      {SynSent, Closed, "CLOSE", "-"},
      {SynReceived, Established, "rcv ACK of SYN", "-"},
      {SynSent, Established, "rcv SYN,ACK", "snd ACK"},
      {SynReceived, FinWait1, "CLOSE", "snd FIN"},
      {Established, FinWait1, "CLOSE", "snd FIN"},
      {Established, CloseWait, "rcv FIN", "snd ACK"},
      {FinWait1, FinWait2, "rcv ACK of FIN", "-"},
      {FinWait1, Closing, "rcv FIN", "snd ACK"},
      {CloseWait, LastAck, "CLOSE", "snd FIN"},
      {FinWait2, TimeWait, "rcv FIN", "snd ACK"},
      {Closing, TimeWait, "rcv ACK of FIN", "-"},
      {LastAck, Closed, "rcv ACK of FIN", "-"},
      {TimeWait, Closed, "timeout=2MSL", "-"},
  };
  std::set<std::tuple<State, State, std::string_view, std::string_view>> in_table;
  for (const Transition& t : transitions()) {
    if (t.source != ArrowSource::Figure5) continue;
    EXPECT_EQ(t.condition, ArrowCondition::Always) << t.id;
    in_table.insert({t.from, t.to, t.event, t.sent});
  }
  EXPECT_EQ(in_table, figure);
}

TEST(TransitionTable, EdgesAreTheDigestEdgeSetPlusDeferredCloseMeetingAFin) {
  // rfc9293-digest.md §4, "Allowed state edges" (the "any -> TIME-WAIT when we send a RST" line
  // is checked separately below).
  using enum State;
  const std::set<Edge> digest = {
      {Closed, Listen},           {Closed, SynSent},        {Listen, SynReceived},
      {Listen, SynSent},          {Listen, Closed},         {SynSent, SynReceived},
      {SynSent, Established},     {SynSent, Closed},        {SynSent, CloseWait},
      {SynReceived, Established}, {SynReceived, FinWait1},  {SynReceived, Listen},
      {SynReceived, Closed},      {SynReceived, CloseWait}, {SynReceived, TimeWait},
      {Established, FinWait1},    {Established, CloseWait}, {Established, Closed},
      {FinWait1, FinWait2},       {FinWait1, Closing},      {FinWait1, TimeWait},
      {FinWait1, Closed},         {FinWait2, TimeWait},     {FinWait2, Closed},
      {CloseWait, LastAck},       {CloseWait, Closed},      {Closing, TimeWait},
      {Closing, Closed},          {LastAck, Closed},        {TimeWait, Closed},
      {TimeWait, SynReceived},
  };
  // Not in the digest's list: a CLOSE deferred in SYN-RECEIVED behind pending SENDs (§3.10.4),
  // then one segment that acknowledges our SYN and carries the peer's FIN: ESTABLISHED, then the
  // deferred CLOSE (FIN-WAIT-1), then the FIN (CLOSING), all in one step.
  const std::set<Edge> beyond_digest = {{SynReceived, Closing}};
  for (const Transition& t : transitions()) {
    // The digest's last line: any state may go to TIME-WAIT when it sends a RST, under the
    // rst_sender_enters_time_wait option.
    const bool rst_sender =
        t.to == TimeWait && t.condition == ArrowCondition::RstSenderEntersTimeWait;
    const Edge e = {t.from, t.to};
    EXPECT_TRUE(digest.contains(e) || beyond_digest.contains(e) || rst_sender)
        << t.id << ": " << to_string(t.from) << " -> " << to_string(t.to)
        << " is not in the digest's edge set";
  }
  for (const Edge& e : digest) {
    EXPECT_TRUE(table_edges().contains(e))
        << to_string(e.first) << " -> " << to_string(e.second) << " is missing from the table";
  }
}

TEST(TransitionTable, ProfileOnlyEdgesNeedTheirProfile) {
  const Profile rfc;
  EXPECT_FALSE(is_allowed_edge(State::TimeWait, State::SynReceived, rfc));
  EXPECT_TRUE(is_allowed_edge(State::TimeWait, State::SynReceived, reopen()));
  EXPECT_FALSE(is_allowed_edge(State::Established, State::TimeWait, rfc));
  EXPECT_TRUE(is_allowed_edge(State::Established, State::TimeWait, rst_sender_lingers()));
  EXPECT_FALSE(is_allowed_edge(State::SynReceived, State::TimeWait, rfc));
  EXPECT_TRUE(is_allowed_edge(State::SynReceived, State::TimeWait, reopen()));
  EXPECT_TRUE(is_allowed_edge(State::SynReceived, State::TimeWait, rst_sender_lingers()));
  // Under RFC 1337's fix TIME-WAIT ignores RSTs, but ABORT and 2MSL still lead to CLOSED.
  Profile rfc1337;
  rfc1337.time_wait_rst = TimeWaitRst::Ignore;
  EXPECT_TRUE(is_allowed_edge(State::TimeWait, State::Closed, rfc1337));
}

TEST(TransitionTable, SelfLoopsAreAlwaysAllowedAndNonEdgesNever) {
  for (State s : kAllStates) EXPECT_TRUE(is_allowed_edge(s, s, Profile{}));
  EXPECT_FALSE(is_allowed_edge(State::Closed, State::Established, Profile{}));
  EXPECT_FALSE(is_allowed_edge(State::Listen, State::Established, Profile{}));
  EXPECT_FALSE(is_allowed_edge(State::CloseWait, State::TimeWait, Profile{}));
  EXPECT_FALSE(is_allowed_edge(State::LastAck, State::TimeWait, rst_sender_lingers()));
  EXPECT_FALSE(is_allowed_edge(State::FinWait2, State::FinWait1, Profile{}));
}

TEST(TransitionTable, DotHasEveryStateAndOneEdgePerRow) {
  const std::string dot = to_dot();
  EXPECT_TRUE(dot.starts_with("digraph "));
  EXPECT_TRUE(dot.ends_with("}\n"));
  for (State s : kAllStates) {
    EXPECT_NE(dot.find("\"" + std::string(to_string(s)) + "\";"), std::string::npos);
  }
  std::size_t edges = 0;
  for (std::size_t at = dot.find(" -> "); at != std::string::npos; at = dot.find(" -> ", at + 1)) {
    ++edges;
  }
  EXPECT_EQ(edges, transitions().size());
  const std::string arrow = "\"LISTEN\" -> \"SYN-RECEIVED\" [label=\"rcv SYN / snd SYN,ACK\"];";
  EXPECT_NE(dot.find(arrow), std::string::npos) << dot;
  const std::string reopen_arrow =
      "\"TIME-WAIT\" -> \"SYN-RECEIVED\" [label=\"rcv SYN / snd SYN,ACK "
      "[time_wait_syn=reopen]\", style=dotted];";
  EXPECT_NE(dot.find(reopen_arrow), std::string::npos) << dot;
}

// Invariant I18: a seeded random walk over calls, timer expiries and segments built around the
// current TCB, under several profiles; every change of state must be an edge of the table.
TEST(TransitionTable, ReferenceEndpointOnlyTakesEdgesOfTheTable) {
  std::vector<std::pair<const char*, Profile>> profiles = {
      {"rfc9293", Profile{}},         {"legacy", Profile::legacy_rfc793()},
      {"reopen", reopen()},           {"rst-sender", rst_sender_lingers()},
      {"half-duplex", half_duplex()}, {"fin-wait-2-timer", fin_wait_2_timer()},
  };
  {
    Profile p;
    p.syn_text = SynText::Discard;
    p.out_of_order_queue = false;
    p.time_wait_rst = TimeWaitRst::Ignore;
    profiles.push_back({"discard", p});
  }
  std::mt19937 rng(9293);
  const auto pick = [&rng](unsigned n) { return static_cast<int>(rng() % n); };
  std::set<Edge> taken;
  for (const auto& [name, profile] : profiles) {
    for (int run = 0; run < 150; ++run) {
      Endpoint ep(profile, kLocalIss);
      Millis now = 0;
      std::string history;
      for (int step = 0; step < 40; ++step) {
        const Tcb& t = ep.tcb();
        Event e;
        const int kind = pick(20);
        if (kind == 0) {
          e = OpenCall{.passive = pick(2) == 0, .remote_specified = pick(4) != 0};
        } else if (kind == 1) {
          e = SendCall{.len = static_cast<std::uint32_t>(pick(3) * 300)};
        } else if (kind == 2) {
          e = ReceiveCall{};
        } else if (kind == 3) {
          e = CloseCall{};
        } else if (kind == 4) {
          e = AbortCall{};
        } else if (kind == 5) {
          e = TimerExpires{static_cast<TimerKind>(pick(kTimerKinds))};
          now += 400'000;
        } else {
          const SeqNum seqs[] = {t.rcv_nxt,  t.rcv_nxt - 1,  t.rcv_nxt + 1, t.rcv_nxt + t.rcv_wnd,
                                 kRemoteIss, t.rcv_nxt + 500};
          const SeqNum acks[] = {t.snd_nxt, t.snd_una, t.snd_una + 1, t.snd_nxt + 1,
                                 t.iss,     t.iss + 1, t.fin_seq + 1, t.snd_nxt - 1};
          std::uint8_t ctl = 0;
          if (pick(4) == 0) ctl |= kSyn;
          if (pick(4) != 0) ctl |= kAck;
          if (pick(6) == 0) ctl |= kRst;
          if (pick(4) == 0) ctl |= kFin;
          e = SegmentArrives{Segment{.seq = seqs[pick(6)],
                                     .ack = acks[pick(8)],
                                     .ctl = ctl,
                                     .wnd = pick(4) == 0 ? 0u : kPeerWnd,
                                     .len = pick(3) == 0 ? 10u : 0u}};
        }
        const Outcome o = ep.step(e, now);
        history += "\n  " + to_string(e) + "  =>  " + std::string(to_string(o.to));
        if (o.from != o.to) taken.insert({o.from, o.to});
        ASSERT_TRUE(is_allowed_edge(o.from, o.to, profile))
            << name << ": " << to_string(o.from) << " -> " << to_string(o.to) << " ["
            << describe(o.rule).name << "] is not in the table; events:" << history;
      }
    }
  }
  // The walk is only worth something if it gets around: most edges of the table are seen.
  EXPECT_GE(taken.size(), table_edges().size() * 3 / 4) << "the random walk saw too few edges";
}

// ------------------------------------------------------------------------------------------------
// Figure 5, one test per arrow
// ------------------------------------------------------------------------------------------------

ARROW(ClosedToListenOnPassiveOpen) {
  Conn c = closed();
  const Outcome o = c.call(OpenCall{.passive = true});
  return done(c, o);
}

ARROW(ClosedToSynSentOnActiveOpen) {
  Conn c = closed();
  const Outcome o = c.call(OpenCall{.passive = false});
  return done(c, o, {seg_noack(kLocalIss, kSyn)});
}

ARROW(ListenToClosedOnClose) {
  Conn c = listen();
  const Outcome o = c.call(CloseCall{});
  return done(c, o);
}

ARROW(ListenToSynReceivedOnSyn) {
  Conn c = listen();
  const Outcome o = c.rcv(seg_noack(kRemoteIss, kSyn));
  return done(c, o, {seg(kLocalIss, kRemoteIss + 1, kSyn | kAck)});
}

ARROW(ListenToSynSentOnSend) {
  Conn c = listen();
  const Outcome o = c.call(SendCall{.len = 100});
  // The data waits for ESTABLISHED; the SYN goes alone.
  return done(c, o, {seg_noack(kLocalIss, kSyn)});
}

// Covers: MUST-11
ARROW(SynReceivedToListenOnRst) {
  Conn c = syn_received_passive();
  const Outcome o = c.rcv(seg_noack(c.rcv_nxt(), kRst));
  EXPECT_FALSE(c.tcb().irs_defined);  // nothing of the aborted attempt is kept
  return done(c, o);
}

ARROW(SynSentToSynReceivedOnSyn) {
  Conn c = syn_sent();
  const Outcome o = c.rcv(seg_noack(kRemoteIss, kSyn));
  // Simultaneous open: our SYN again, now with an ACK of theirs (SEQ=ISS, not ISS+1).
  return done(c, o, {seg(kLocalIss, kRemoteIss + 1, kSyn | kAck)});
}

ARROW(SynSentToClosedOnClose) {
  Conn c = syn_sent();
  const Outcome o = c.call(CloseCall{});
  return done(c, o);
}

ARROW(SynReceivedToEstablishedOnAckOfSyn) {
  Conn c = syn_received_passive();
  const Outcome o = c.rcv(seg(c.peer_nxt, kLocalIss + 1, kAck));
  EXPECT_EQ(c.tcb().snd_una, kLocalIss + 1);  // C21: the ACK also moves SND.UNA
  return done(c, o);
}

ARROW(SynSentToEstablishedOnSynAck) {
  Conn c = syn_sent();
  const Outcome o = c.rcv(seg(kRemoteIss, kLocalIss + 1, kSyn | kAck));
  return done(c, o, {seg(kLocalIss + 1, kRemoteIss + 1, kAck)});
}

ARROW(SynReceivedToFinWait1OnClose) {
  Conn c = syn_received_passive();
  const Outcome o = c.call(CloseCall{});
  // C12: the FIN follows the unacknowledged SYN, at ISS+1.
  return done(c, o, {seg(kLocalIss + 1, kRemoteIss + 1, kFin | kAck)});
}

ARROW(EstablishedToFinWait1OnClose) {
  Conn c = established();
  const Outcome o = c.call(CloseCall{});
  return done(c, o, {seg(kLocalIss + 1, kRemoteIss + 1, kFin | kAck)});
}

// Covers: MUST-12
ARROW(EstablishedToCloseWaitOnFin) {
  Conn c = established();
  const Outcome o = c.rcv(seg(c.peer_nxt, kLocalIss + 1, kAck | kFin));
  // The user learns that the peer closed normally ("closing"), not that it reset.
  EXPECT_FALSE(told(o, UserError::ConnectionReset));
  return done(c, o, {seg(kLocalIss + 1, kRemoteIss + 2, kAck)}, UserError::ConnectionClosing);
}

ARROW(FinWait1ToFinWait2OnAckOfFin) {
  Conn c = fin_wait_1();
  const Outcome o = c.rcv(seg(c.peer_nxt, kLocalIss + 2, kAck));
  return done(c, o);
}

ARROW(FinWait1ToClosingOnFin) {
  Conn c = fin_wait_1();
  // The peer's FIN crosses ours: it acknowledges only up to our FIN.
  const Outcome o = c.rcv(seg(c.peer_nxt, kLocalIss + 1, kAck | kFin));
  return done(c, o, {seg(kLocalIss + 2, kRemoteIss + 2, kAck)});
}

ARROW(CloseWaitToLastAckOnClose) {
  Conn c = close_wait();
  const Outcome o = c.call(CloseCall{});
  return done(c, o, {seg(kLocalIss + 1, kRemoteIss + 2, kFin | kAck)});
}

ARROW(FinWait2ToTimeWaitOnFin) {
  Conn c = fin_wait_2();
  const Outcome o = c.rcv(seg(c.peer_nxt, kLocalIss + 2, kAck | kFin));
  return done(c, o, {seg(kLocalIss + 2, kRemoteIss + 2, kAck)});
}

ARROW(ClosingToTimeWaitOnAckOfFin) {
  Conn c = closing();
  const Outcome o = c.rcv(seg(c.peer_nxt, kLocalIss + 2, kAck));
  return done(c, o);
}

ARROW(LastAckToClosedOnAckOfFin) {
  Conn c = last_ack();
  const Outcome o = c.rcv(seg(c.peer_nxt, kLocalIss + 2, kAck));
  return done(c, o);
}

// Covers: MUST-13
ARROW(TimeWaitToClosedOn2MslTimeout) {
  Conn c = time_wait();
  const auto deadline = c.ep.deadline(TimerKind::TimeWait);
  if (!deadline) {
    ADD_FAILURE() << "TIME-WAIT without its 2MSL timer";
    return done(c, unchanged(c.state()));
  }
  EXPECT_EQ(*deadline, c.now + 2ull * c.ep.profile().msl_ms);
  EXPECT_TRUE(c.ep.advance_to(*deadline - 1).empty()) << "TIME-WAIT ended before 2MSL";
  const std::vector<Outcome> fired = c.ep.advance_to(*deadline);
  if (fired.size() != 1) {
    ADD_FAILURE() << fired.size() << " timers fired at 2MSL";
    return done(c, unchanged(c.state()));
  }
  return done(c, fired.front());
}

// ------------------------------------------------------------------------------------------------
// The notes under Figure 5
// ------------------------------------------------------------------------------------------------

ARROW(FinWait1ToTimeWaitOnFinAndAckOfFin) {
  Conn c = fin_wait_1();
  // C9: one segment acknowledges our FIN and carries theirs; never CLOSING, never left in FW2.
  const Outcome o = c.rcv(seg(c.peer_nxt, kLocalIss + 2, kAck | kFin));
  return done(c, o, {seg(kLocalIss + 2, kRemoteIss + 2, kAck)});
}

ARROW(SynSentToClosedOnRst) {
  Conn c = syn_sent();
  const Outcome o = c.rcv(seg(SeqNum(0), kLocalIss + 1, kRst | kAck));
  return done(c, o, {}, UserError::ConnectionReset);
}

// Covers: MUST-11
ARROW(SynReceivedToClosedOnRst) {
  Conn c = syn_received_active();
  const Outcome o = c.rcv(seg_noack(c.rcv_nxt(), kRst));
  // Opened actively: the RST refuses the connection; there is no LISTEN to go back to.
  return done(c, o, {}, UserError::ConnectionRefused);
}

// Covers: MUST-12
ARROW(EstablishedToClosedOnRst) {
  Conn c = established();
  const Outcome o = c.rcv(seg_noack(c.rcv_nxt(), kRst));
  EXPECT_FALSE(told(o, UserError::ConnectionClosing));
  return done(c, o, {}, UserError::ConnectionReset);
}

ARROW(FinWait1ToClosedOnRst) {
  Conn c = fin_wait_1();
  const Outcome o = c.rcv(seg_noack(c.rcv_nxt(), kRst));
  return done(c, o, {}, UserError::ConnectionReset);
}

ARROW(FinWait2ToClosedOnRst) {
  Conn c = fin_wait_2();
  const Outcome o = c.rcv(seg_noack(c.rcv_nxt(), kRst));
  return done(c, o, {}, UserError::ConnectionReset);
}

ARROW(CloseWaitToClosedOnRst) {
  Conn c = close_wait();
  const Outcome o = c.rcv(seg_noack(c.rcv_nxt(), kRst));
  return done(c, o, {}, UserError::ConnectionReset);
}

ARROW(ClosingToClosedOnRst) {
  Conn c = closing();
  const Outcome o = c.rcv(seg_noack(c.rcv_nxt(), kRst));
  return done(c, o);
}

ARROW(LastAckToClosedOnRst) {
  Conn c = last_ack();
  const Outcome o = c.rcv(seg_noack(c.rcv_nxt(), kRst));
  return done(c, o);
}

ARROW(TimeWaitToClosedOnRst) {
  Conn c = time_wait();
  const Outcome o = c.rcv(seg_noack(c.rcv_nxt(), kRst));
  return done(c, o);
}

ARROW(SynReceivedToTimeWaitOnAbort) {
  Conn c = syn_received_passive(rst_sender_lingers());
  const Outcome o = c.call(AbortCall{});
  return done(c, o, {seg_noack(kLocalIss + 1, kRst)});
}

ARROW(EstablishedToTimeWaitOnAbort) {
  Conn c = established(rst_sender_lingers());
  const Outcome o = c.call(AbortCall{});
  return done(c, o, {seg_noack(kLocalIss + 1, kRst)});
}

ARROW(FinWait1ToTimeWaitOnAbort) {
  Conn c = fin_wait_1(rst_sender_lingers());
  const Outcome o = c.call(AbortCall{});
  return done(c, o, {seg_noack(kLocalIss + 2, kRst)});
}

ARROW(FinWait2ToTimeWaitOnAbort) {
  Conn c = fin_wait_2(rst_sender_lingers());
  const Outcome o = c.call(AbortCall{});
  return done(c, o, {seg_noack(kLocalIss + 2, kRst)});
}

ARROW(CloseWaitToTimeWaitOnAbort) {
  Conn c = close_wait(rst_sender_lingers());
  const Outcome o = c.call(AbortCall{});
  return done(c, o, {seg_noack(kLocalIss + 1, kRst)});
}

// ------------------------------------------------------------------------------------------------
// Changes of state that follow from the §3.10 text
// ------------------------------------------------------------------------------------------------

ARROW(ListenToSynSentOnActiveOpen) {
  Conn c = listen();
  const Outcome o = c.call(OpenCall{.passive = false});
  return done(c, o, {seg_noack(kLocalIss, kSyn)});
}

ARROW(SynSentToCloseWaitOnSynAckFin) {
  Conn c = syn_sent();
  const Outcome o = c.rcv(seg(kRemoteIss, kLocalIss + 1, kSyn | kAck | kFin));
  // One ACK covers both the SYN and the FIN.
  return done(c, o, {seg(kLocalIss + 1, kRemoteIss + 2, kAck)}, UserError::ConnectionClosing);
}

ARROW(SynReceivedToCloseWaitOnAckOfSynWithFin) {
  Conn c = syn_received_passive();
  // C10: ESTABLISHED, then CLOSE-WAIT, in one segment; the FIN is acknowledged.
  const Outcome o = c.rcv(seg(c.peer_nxt, kLocalIss + 1, kAck | kFin));
  return done(c, o, {seg(kLocalIss + 1, kRemoteIss + 2, kAck)}, UserError::ConnectionClosing);
}

ARROW(SynReceivedToFinWait1OnAckOfSynAfterClose) {
  Conn c = syn_received_passive();
  c.call(SendCall{.len = 100});
  c.call(CloseCall{});
  EXPECT_EQ(c.state(), State::SynReceived) << "the CLOSE waits behind the pending SEND";
  const Outcome o = c.rcv(seg(c.peer_nxt, kLocalIss + 1, kAck));
  // Once ESTABLISHED the deferred CLOSE applies: the queued data goes out with the FIN.
  return done(c, o, {seg(kLocalIss + 1, kRemoteIss + 1, kAck | kPsh | kFin, 100)});
}

ARROW(SynReceivedToClosingOnAckOfSynWithFinAfterClose) {
  Conn c = syn_received_passive();
  c.call(SendCall{.len = 100});
  c.call(CloseCall{});
  EXPECT_EQ(c.state(), State::SynReceived) << "the CLOSE waits behind the pending SEND";
  const Outcome o = c.rcv(seg(c.peer_nxt, kLocalIss + 1, kAck | kFin));
  // ESTABLISHED, the deferred CLOSE (FIN-WAIT-1), then the peer's FIN (CLOSING). §3.10.4 still
  // sends the queued data and then our FIN; that segment also acknowledges the peer's FIN.
  return done(c, o, {seg(kLocalIss + 1, kRemoteIss + 2, kAck | kPsh | kFin, 100)},
              UserError::ConnectionClosing);
}

ARROW(SynReceivedToListenOnSyn) {
  Conn c = syn_received_passive();
  // A new SYN inside the window (not the original one retransmitted, which fails the sequence
  // check and is only acknowledged).
  const Outcome o = c.rcv(seg_noack(c.rcv_nxt(), kSyn));
  return done(c, o);
}

// Covers: MAY-2
ARROW(SynReceivedToTimeWaitOnRstAfterReopen) {
  Conn c = time_wait(reopen());
  const Tcb old = c.tcb();
  c.rcv(seg_noack(old.rcv_nxt + 1000, kSyn));
  EXPECT_EQ(c.state(), State::SynReceived);
  // The peer answers our SYN,ACK with a RST: the SYN was an old duplicate.
  const Outcome o = c.rcv(seg_noack(c.rcv_nxt(), kRst));
  // MAY-2 condition 2: back to TIME-WAIT with the old connection as it was, timer running.
  EXPECT_EQ(c.rcv_nxt(), old.rcv_nxt);
  EXPECT_EQ(c.snd_nxt(), old.snd_nxt);
  EXPECT_TRUE(c.ep.deadline(TimerKind::TimeWait).has_value());
  return done(c, o);
}

// Covers: MAY-2
ARROW(TimeWaitToSynReceivedOnSyn) {
  Conn c = time_wait(reopen());
  const SeqNum old_snd_max = c.tcb().snd_max;
  const SeqNum syn = c.rcv_nxt() + 1000;
  const Outcome o = c.rcv(seg_noack(syn, kSyn));
  // MAY-2 condition 1: the new ISS lies beyond every sequence number the old connection used.
  EXPECT_TRUE(seq_gt(c.tcb().iss, old_snd_max))
      << "ISS " << to_string(c.tcb().iss) << ", old SND.MAX " << to_string(old_snd_max);
  return done(c, o, {seg(c.tcb().iss, syn + 1, kSyn | kAck)});
}

// --- ABORT (§3.10.5): a RST only where the peer holds a synchronized connection ---

ARROW(ListenToClosedOnAbort) {
  Conn c = listen();
  const Outcome o = c.call(AbortCall{});
  return done(c, o);
}

ARROW(SynSentToClosedOnAbort) {
  Conn c = syn_sent();
  const Outcome o = c.call(AbortCall{});
  return done(c, o);
}

ARROW(SynReceivedToClosedOnAbort) {
  Conn c = syn_received_passive();
  const Outcome o = c.call(AbortCall{});
  return done(c, o, {seg_noack(kLocalIss + 1, kRst)});
}

ARROW(EstablishedToClosedOnAbort) {
  Conn c = established();
  const Outcome o = c.call(AbortCall{});
  return done(c, o, {seg_noack(kLocalIss + 1, kRst)});
}

ARROW(FinWait1ToClosedOnAbort) {
  Conn c = fin_wait_1();
  const Outcome o = c.call(AbortCall{});
  return done(c, o, {seg_noack(kLocalIss + 2, kRst)});
}

ARROW(FinWait2ToClosedOnAbort) {
  Conn c = fin_wait_2();
  const Outcome o = c.call(AbortCall{});
  return done(c, o, {seg_noack(kLocalIss + 2, kRst)});
}

ARROW(CloseWaitToClosedOnAbort) {
  Conn c = close_wait();
  const Outcome o = c.call(AbortCall{});
  return done(c, o, {seg_noack(kLocalIss + 1, kRst)});
}

ARROW(ClosingToClosedOnAbort) {
  Conn c = closing();
  const Outcome o = c.call(AbortCall{});
  return done(c, o);
}

ARROW(LastAckToClosedOnAbort) {
  Conn c = last_ack();
  const Outcome o = c.call(AbortCall{});
  return done(c, o);
}

ARROW(TimeWaitToClosedOnAbort) {
  Conn c = time_wait();
  const Outcome o = c.call(AbortCall{});
  return done(c, o);
}

// --- USER TIMEOUT (§3.10.8): nothing is sent, the user is told ---

Driven user_timeout_from(Conn c) {
  EXPECT_TRUE(c.ep.deadline(TimerKind::User).has_value()) << "user timer not armed";
  const Outcome o = c.fire(TimerKind::User);
  return done(c, o, {}, UserError::UserTimeout);
}

ARROW(SynSentToClosedOnUserTimeout) {
  return user_timeout_from(syn_sent());
}

ARROW(SynReceivedToClosedOnUserTimeout) {
  return user_timeout_from(syn_received_passive());
}

ARROW(EstablishedToClosedOnUserTimeout) {
  Conn c = established();
  c.call(SendCall{.len = 100});
  return user_timeout_from(std::move(c));
}

ARROW(FinWait1ToClosedOnUserTimeout) {
  return user_timeout_from(fin_wait_1());
}

ARROW(CloseWaitToClosedOnUserTimeout) {
  Conn c = close_wait();
  c.call(SendCall{.len = 100});
  return user_timeout_from(std::move(c));
}

ARROW(ClosingToClosedOnUserTimeout) {
  return user_timeout_from(closing());
}

ARROW(LastAckToClosedOnUserTimeout) {
  return user_timeout_from(last_ack());
}

// --- retransmission limit R2 (§3.8.3) ---

Driven r2_from(Conn c) {
  const Outcome o = run_timers_until_state_changes(c);
  EXPECT_EQ(o.rule, Rule::RetransmissionLimitCloses) << describe(o);
  return done(c, o, {}, UserError::RetransmissionTimeout);
}

// Covers: MUST-20, MUST-22, MUST-23
ARROW(SynSentToClosedOnRetransmissionLimit) {
  Conn c = syn_sent();  // the SYN went out at time 0
  const Outcome o = run_timers_until_state_changes(c);
  EXPECT_EQ(o.rule, Rule::RetransmissionLimitCloses) << describe(o);
  EXPECT_GE(c.ep.now(), 180'000u) << "the SYN was given up before 3 minutes of retransmission";
  return done(c, o, {}, UserError::RetransmissionTimeout);
}

// Covers: MUST-11
ARROW(SynReceivedToListenOnRetransmissionLimit) {
  Conn c = syn_received_passive();
  const Outcome o = run_timers_until_state_changes(c);
  EXPECT_EQ(o.rule, Rule::RetransmissionLimitReturnsToListen) << describe(o);
  return done(c, o);
}

ARROW(SynReceivedToClosedOnRetransmissionLimit) {
  return r2_from(syn_received_active());
}

// Covers: MUST-20
ARROW(EstablishedToClosedOnRetransmissionLimit) {
  Conn c = established(no_user_timeout());
  c.call(SendCall{.len = 100});
  return r2_from(std::move(c));
}

ARROW(FinWait1ToClosedOnRetransmissionLimit) {
  return r2_from(fin_wait_1(no_user_timeout()));
}

ARROW(CloseWaitToClosedOnRetransmissionLimit) {
  Conn c = close_wait(no_user_timeout());
  c.call(SendCall{.len = 100});
  return r2_from(std::move(c));
}

ARROW(ClosingToClosedOnRetransmissionLimit) {
  return r2_from(closing(no_user_timeout()));
}

ARROW(LastAckToClosedOnRetransmissionLimit) {
  return r2_from(last_ack(no_user_timeout()));
}

// --- an in-window SYN without RFC 5961: reset and close (RST(0): the SYN has no ACK) ---

Driven legacy_syn_from(Conn c, std::optional<UserError> told_user) {
  const SeqNum at = c.rcv_nxt();
  const Outcome o = c.rcv(seg_noack(at, kSyn));
  return done(c, o, {seg(SeqNum(0), at + 1, kRst | kAck)}, told_user);
}

ARROW(SynReceivedToClosedOnSynWithoutRfc5961) {
  return legacy_syn_from(syn_received_active(legacy_syn()), UserError::ConnectionReset);
}
ARROW(EstablishedToClosedOnSynWithoutRfc5961) {
  return legacy_syn_from(established(legacy_syn()), UserError::ConnectionReset);
}
ARROW(FinWait1ToClosedOnSynWithoutRfc5961) {
  return legacy_syn_from(fin_wait_1(legacy_syn()), UserError::ConnectionReset);
}
ARROW(FinWait2ToClosedOnSynWithoutRfc5961) {
  return legacy_syn_from(fin_wait_2(legacy_syn()), UserError::ConnectionReset);
}
ARROW(CloseWaitToClosedOnSynWithoutRfc5961) {
  return legacy_syn_from(close_wait(legacy_syn()), UserError::ConnectionReset);
}
ARROW(ClosingToClosedOnSynWithoutRfc5961) {
  return legacy_syn_from(closing(legacy_syn()), std::nullopt);
}
ARROW(LastAckToClosedOnSynWithoutRfc5961) {
  return legacy_syn_from(last_ack(legacy_syn()), std::nullopt);
}
ARROW(TimeWaitToClosedOnSynWithoutRfc5961) {
  return legacy_syn_from(time_wait(legacy_syn()), std::nullopt);
}

// --- half-duplex close (§3.6.1): data the user can no longer read draws our RST ---

// Covers: MAY-1, SHLD-3
ARROW(EstablishedToClosedOnCloseWithUnreadData) {
  Conn c = established(half_duplex());
  c.peer_sends(10);
  const Outcome o = c.call(CloseCall{});
  return done(c, o, {seg_noack(kLocalIss + 1, kRst)});
}

// Covers: MAY-1, SHLD-3
ARROW(CloseWaitToClosedOnCloseWithUnreadData) {
  Conn c = established(half_duplex());
  c.peer_sends(10, kFin);
  EXPECT_EQ(c.state(), State::CloseWait);
  const Outcome o = c.call(CloseCall{});
  return done(c, o, {seg_noack(kLocalIss + 1, kRst)});
}

// Covers: MAY-1, SHLD-3
ARROW(FinWait1ToClosedOnDataAfterClose) {
  Conn c = fin_wait_1(half_duplex());
  // Data that does not acknowledge our FIN, so the connection is still in FIN-WAIT-1.
  const Outcome o = c.rcv(seg(c.peer_nxt, kLocalIss + 1, kAck, 10));
  return done(c, o, {seg_noack(kLocalIss + 2, kRst)}, UserError::ConnectionReset);
}

// Covers: MAY-1, SHLD-3
ARROW(FinWait2ToClosedOnDataAfterClose) {
  Conn c = fin_wait_2(half_duplex());
  const Outcome o = c.rcv(c.peer_ack(10));
  return done(c, o, {seg_noack(kLocalIss + 2, kRst)}, UserError::ConnectionReset);
}

ARROW(FinWait2ToClosedOnFinWait2Timeout) {
  Conn c = fin_wait_2(fin_wait_2_timer());
  EXPECT_EQ(c.ep.deadline(TimerKind::FinWait2), std::optional<Millis>(c.now + 60'000));
  const Outcome o = c.fire(TimerKind::FinWait2);
  return done(c, o);
}

// ------------------------------------------------------------------------------------------------
// Every row has a driver, and every driver drives a row
// ------------------------------------------------------------------------------------------------

TEST(DiagramArrows, EveryRowHasADriverThatTakesIt) {
  for (const Transition& t : transitions()) {
    const auto it = drivers().find(t.id);
    if (it == drivers().end()) {
      ADD_FAILURE() << "no driver for row " << t.id;
      continue;
    }
    SCOPED_TRACE(std::string(t.id));
    const Driven d = it->second();
    EXPECT_EQ(d.out.from, t.from) << describe(d.out);
    EXPECT_EQ(d.out.to, t.to) << describe(d.out);
    EXPECT_TRUE(condition_holds(t.condition, d.profile));
    EXPECT_TRUE(is_allowed_edge(d.out.from, d.out.to, d.profile));
  }
}

TEST(DiagramArrows, EveryDriverDrivesARow) {
  EXPECT_EQ(drivers().size(), transitions().size());
  for (const auto& [id, driver] : drivers()) EXPECT_NE(row(id), nullptr) << id;
}

// FIN-WAIT-1 to CLOSING while our FIN still waits behind queued data (C13): the peer's FIN does
// not end our sending. RFC 9293 §3.10.4 forms the FIN once the earlier SENDs are segmented,
// whatever state the peer's FIN has moved the connection to.
TEST(DiagramArrows, FinWait1ToClosingWithOurFinQueuedStillSendsDataAndFin) {
  Conn c = established();
  c.call(SendCall{.len = 10'000});  // more than the peer's window: part of it stays queued
  c.call(CloseCall{});
  ASSERT_EQ(c.state(), State::FinWait1);
  ASSERT_FALSE(c.tcb().fin_sent);
  ASSERT_GT(c.tcb().send_queued, 0u);
  // The peer acknowledges everything sent so far, which opens room for the rest, and closes too.
  std::vector<Segment> sent;
  Outcome o = c.rcv(seg(c.peer_nxt, c.snd_nxt(), kAck | kFin));
  c.peer_nxt += 1;
  EXPECT_EQ(o.to, State::Closing) << describe(o);
  sent.insert(sent.end(), o.sent.begin(), o.sent.end());
  o = c.rcv(seg(c.peer_nxt, c.snd_nxt(), kAck));
  sent.insert(sent.end(), o.sent.begin(), o.sent.end());
  const SeqNum fin_at = kLocalIss + 1 + 10'000;
  const bool fin_sent = std::any_of(sent.begin(), sent.end(), [&](const Segment& s) {
    return s.fin() && s.seq + s.len == fin_at;
  });
  EXPECT_TRUE(fin_sent) << "queued data and FIN never sent in CLOSING; last step: " << describe(o)
                        << "; still queued: " << c.tcb().send_queued;
}

// CLOSE-WAIT to LAST-ACK while data is still queued behind a closed window: the FIN waits for
// that data (§3.10.4), and an ACK that opens the window must let both go out, or LAST-ACK can
// never be left by its "rcv ACK of FIN" arrow.
TEST(DiagramArrows, LastAckWithOurFinQueuedSendsDataAndFinWhenTheWindowOpens) {
  Conn c = close_wait();
  c.call(SendCall{.len = 10'000});  // more than the peer's window: part of it stays queued
  c.call(CloseCall{});
  ASSERT_EQ(c.state(), State::LastAck);
  ASSERT_FALSE(c.tcb().fin_sent);
  ASSERT_GT(c.tcb().send_queued, 0u);
  const Outcome o = c.rcv(seg(c.peer_nxt, c.snd_nxt(), kAck));  // acknowledges all sent so far
  const SeqNum fin_at = kLocalIss + 1 + 10'000;
  const bool fin_sent = std::any_of(o.sent.begin(), o.sent.end(), [&](const Segment& s) {
    return s.fin() && s.seq + s.len == fin_at;
  });
  EXPECT_TRUE(fin_sent) << "queued data and FIN not sent in LAST-ACK: " << describe(o)
                        << "; still queued: " << c.tcb().send_queued;
}

}  // namespace
}  // namespace tcpfsm::test
