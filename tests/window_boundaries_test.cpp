// The edges of the receive window in every synchronized state: a RST, a SYN, one octet of data
// and a FIN, each at SEG.SEQ = RCV.NXT-1, RCV.NXT, RCV.NXT+RCV.WND-1 and RCV.NXT+RCV.WND, with
// the RFC 5961 checks on (the default profile) and off (Profile::legacy_rfc793()).
//
// The expected answer is worked out below from the digest's rules (§1.1 acceptability, §1.5
// steps 1-8, tables §4b/§4c), from the fixture's known sequence numbers, never from the model:
//   * every segment here that is not a RST has SEG.LEN = 1, and a RST has SEG.LEN = 0; with
//     RCV.WND > 0 both are acceptable exactly when RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND, so the
//     two inner positions pass the first check and the two outer ones fail it;
//   * data and FIN segments carry ACK = SND.UNA (acceptable, acknowledges nothing new), so the
//     ACK field never changes the state by itself; RST and SYN segments carry no ACK.
#include <array>
#include <optional>
#include <string>
#include <tuple>

#include "support/fixtures.hpp"

namespace tcpfsm::test {
namespace {

enum class Kind { Rst, Syn, Data, Fin };
enum class Position { RcvNxtMinus1, RcvNxt, RcvNxtPlusWndMinus1, RcvNxtPlusWnd };
enum class Checks { Rfc5961, Legacy };

// One synchronized state, its fixture, and its sequence variables as offsets from the ISSs.
struct StateCase {
  const char* name;
  State state;
  Conn (*make)(Profile);
  std::uint32_t snd_una;  // SND.UNA - kLocalIss
  std::uint32_t snd_nxt;  // SND.NXT - kLocalIss (our FIN, once sent, is at kLocalIss+1)
  std::uint32_t rcv_nxt;  // RCV.NXT - kRemoteIss (the peer's FIN, once received, at +1)
};

const std::array<StateCase, 7> kStates = {{
    {"Established", State::Established, established, 1, 1, 1},
    {"FinWait1", State::FinWait1, fin_wait_1, 1, 2, 1},
    {"FinWait2", State::FinWait2, fin_wait_2, 2, 2, 1},
    {"CloseWait", State::CloseWait, close_wait, 1, 1, 2},
    {"Closing", State::Closing, closing, 1, 2, 2},
    {"LastAck", State::LastAck, last_ack, 1, 2, 2},
    {"TimeWait", State::TimeWait, time_wait, 2, 2, 2},
}};

const std::uint32_t kWnd = 65535;  // RCV.WND: the default receive buffer, nothing unread
const Millis kNow = 1000;          // virtual time of the test segment (TIME-WAIT began at 0)

const char* name_of(Kind k) {
  switch (k) {
    case Kind::Rst: return "Rst";
    case Kind::Syn: return "Syn";
    case Kind::Data: return "Data";
    case Kind::Fin: return "Fin";
  }
  return "?";
}

const char* name_of(Position p) {
  switch (p) {
    case Position::RcvNxtMinus1: return "RcvNxtMinus1";
    case Position::RcvNxt: return "RcvNxt";
    case Position::RcvNxtPlusWndMinus1: return "RcvNxtPlusWndMinus1";
    case Position::RcvNxtPlusWnd: return "RcvNxtPlusWnd";
  }
  return "?";
}

const char* name_of(Checks m) {
  return m == Checks::Rfc5961 ? "Rfc5961" : "Legacy";
}

SeqNum seq_at(Position p, SeqNum rcv_nxt) {
  switch (p) {
    case Position::RcvNxtMinus1: return rcv_nxt - 1;
    case Position::RcvNxt: return rcv_nxt;
    case Position::RcvNxtPlusWndMinus1: return rcv_nxt + kWnd - 1;
    case Position::RcvNxtPlusWnd: return rcv_nxt + kWnd;
  }
  return rcv_nxt;
}

Segment make_segment(Kind k, SeqNum seq, SeqNum snd_una) {
  switch (k) {
    case Kind::Rst: return seg_noack(seq, kRst);
    case Kind::Syn: return seg_noack(seq, kSyn);
    case Kind::Data: return seg(seq, snd_una, kAck, 1);
    case Kind::Fin: return seg(seq, snd_una, kAck | kFin);
  }
  return Segment{};
}

struct Expected {
  State to;
  std::optional<Segment> reply;  // nullopt: nothing is sent
  Rule rule;
  SeqNum rcv_nxt_after;  // checked unless the connection is closed
  bool time_wait_restarted = false;
};

bool receives_text(State s) {
  return s == State::Established || s == State::FinWait1 || s == State::FinWait2;
}

// The digest's answer for one case.
Expected expected_answer(const StateCase& sc, Kind kind, Position pos, Checks checks) {
  const State st = sc.state;
  const SeqNum rcv_nxt = kRemoteIss + sc.rcv_nxt;
  const SeqNum snd_nxt = kLocalIss + sc.snd_nxt;
  const SeqNum seq = seq_at(pos, rcv_nxt);
  const Segment ack{.seq = snd_nxt, .ack = rcv_nxt, .ctl = kAck};
  const Segment ack_plus_one{.seq = snd_nxt, .ack = rcv_nxt + 1, .ctl = kAck};

  // Step 1 (§1.1): only the two inner positions are acceptable.
  const bool acceptable = pos == Position::RcvNxt || pos == Position::RcvNxtPlusWndMinus1;
  if (!acceptable) {
    if (kind == Kind::Rst) return {st, std::nullopt, Rule::UnacceptableRstDropped, rcv_nxt};
    // C16: in TIME-WAIT the peer's FIN again (it ends at RCV.NXT) is ACKed and restarts 2MSL.
    if (st == State::TimeWait && kind == Kind::Fin && pos == Position::RcvNxtMinus1) {
      return {st, ack, Rule::TimeWaitAcksRetransmittedFin, rcv_nxt, true};
    }
    return {st, ack, Rule::UnacceptableSegmentAcked, rcv_nxt};
  }
  const bool at_rcv_nxt = pos == Position::RcvNxt;

  switch (kind) {
    case Kind::Rst: {
      // Step 2: with RFC 5961 only SEG.SEQ == RCV.NXT resets; elsewhere a challenge ACK.
      if (checks == Checks::Rfc5961 && !at_rcv_nxt) {
        return {st, ack, Rule::RstChallengeAck, rcv_nxt};
      }
      const bool signals = st == State::Established || st == State::FinWait1 ||
                           st == State::FinWait2 || st == State::CloseWait;
      return {State::Closed, std::nullopt,
              signals ? Rule::RstResetsConnection : Rule::RstClosesConnection, rcv_nxt};
    }
    case Kind::Syn: {
      // Step 4: RFC 5961 challenges any SYN; RFC 793 resets on an in-window SYN. The SYN has no
      // ACK, so the reset is <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
      if (checks == Checks::Rfc5961) return {st, ack, Rule::SynChallengeAck, rcv_nxt};
      return {State::Closed, Segment{.seq = SeqNum(0), .ack = seq + 1, .ctl = kRst | kAck},
              Rule::SynResetsConnection, rcv_nxt};
    }
    case Kind::Data:
    case Kind::Fin: break;
  }

  // Step 5: the ACK (= SND.UNA) is acceptable; CLOSING and LAST-ACK then ignore everything
  // that does not acknowledge their FIN.
  if (st == State::Closing) return {st, std::nullopt, Rule::ClosingIgnoresOtherSegments, rcv_nxt};
  if (st == State::LastAck) return {st, std::nullopt, Rule::LastAckIgnoresOtherSegments, rcv_nxt};

  if (kind == Kind::Data) {
    // Step 7: text is taken only in ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2; an octet beyond
    // RCV.NXT is held (SHLD-31) and RCV.NXT is ACKed.
    if (!receives_text(st)) return {st, std::nullopt, Rule::TextIgnoredAfterPeerFin, rcv_nxt};
    if (at_rcv_nxt) return {st, ack_plus_one, Rule::TextAccepted, rcv_nxt + 1};
    return {st, ack, Rule::TextHeldOutOfOrder, rcv_nxt};
  }

  // Step 8: the FIN counts only at RCV.NXT. Beyond it, it waits (SHLD-31) where text can still
  // arrive; elsewhere nothing is left to do.
  if (!at_rcv_nxt) {
    if (receives_text(st)) return {st, ack, Rule::TextHeldOutOfOrder, rcv_nxt};
    return {st, std::nullopt, Rule::AckProcessed, rcv_nxt};
  }
  switch (st) {
    case State::Established:
      return {State::CloseWait, ack_plus_one, Rule::FinReceived, rcv_nxt + 1};
    case State::FinWait1:  // our FIN is not acknowledged by ACK = SND.UNA (C8)
      return {State::Closing, ack_plus_one, Rule::FinReceived, rcv_nxt + 1};
    case State::FinWait2:
      return {State::TimeWait, ack_plus_one, Rule::FinReceived, rcv_nxt + 1, true};
    case State::CloseWait:  // a second FIN: ACK, RCV.NXT not moved again (digest [I])
      return {st, ack, Rule::FinRepeatedAcked, rcv_nxt};
    case State::TimeWait:  // ACK and restart 2MSL
      return {st, ack, Rule::TimeWaitFinRestartsTimer, rcv_nxt, true};
    case State::Closing:
    case State::LastAck:
    case State::Listen:
    case State::SynSent:
    case State::SynReceived:
    case State::Closed: break;
  }
  return {st, std::nullopt, Rule::None, rcv_nxt};
}

using Param = std::tuple<std::size_t, Kind, Position, Checks>;

class WindowBoundaries : public ::testing::TestWithParam<Param> {};

TEST_P(WindowBoundaries, AnswerFollowsTheRfcChecks) {
  const auto& [index, kind, pos, checks] = GetParam();
  const StateCase& sc = kStates[index];
  Conn c = sc.make(checks == Checks::Rfc5961 ? Profile{} : Profile::legacy_rfc793());

  // The fixture is where this table says it is.
  ASSERT_EQ(c.state(), sc.state);
  ASSERT_EQ(c.tcb().snd_una, kLocalIss + sc.snd_una);
  ASSERT_EQ(c.snd_nxt(), kLocalIss + sc.snd_nxt);
  ASSERT_EQ(c.rcv_nxt(), kRemoteIss + sc.rcv_nxt);
  ASSERT_EQ(c.tcb().rcv_wnd, kWnd);

  const Expected want = expected_answer(sc, kind, pos, checks);
  const std::optional<Millis> time_wait_before = c.ep.deadline(TimerKind::TimeWait);
  c.now = kNow;
  const Segment in =
      make_segment(kind, seq_at(pos, kRemoteIss + sc.rcv_nxt), kLocalIss + sc.snd_una);
  SCOPED_TRACE("rcv " + to_string(in));
  const Outcome o = c.rcv(in);

  EXPECT_EQ(o.from, sc.state);
  EXPECT_EQ(o.to, want.to) << describe(o);
  EXPECT_EQ(c.state(), want.to);
  if (want.reply) {
    EXPECT_TRUE(sent_exactly(o, *want.reply));
  } else {
    EXPECT_TRUE(sent_nothing(o)) << describe(o);
  }
  EXPECT_EQ(o.rule, want.rule) << describe(o) << ", expected rule "
                               << tcpfsm::describe(want.rule).name;
  if (want.to != State::Closed) {
    EXPECT_EQ(c.rcv_nxt(), want.rcv_nxt_after);
  }
  if (want.to == State::TimeWait) {
    const std::optional<Millis> expected_deadline =
        want.time_wait_restarted ? std::optional<Millis>(kNow + 2ull * c.ep.profile().msl_ms)
                                 : time_wait_before;
    EXPECT_EQ(c.ep.deadline(TimerKind::TimeWait), expected_deadline);
  }
}

std::string param_name(const ::testing::TestParamInfo<Param>& info) {
  const auto& [index, kind, pos, checks] = info.param;
  return std::string(kStates[index].name) + "_" + name_of(kind) + "_" + name_of(pos) + "_" +
         name_of(checks);
}

INSTANTIATE_TEST_SUITE_P(
    SynchronizedStates, WindowBoundaries,
    ::testing::Combine(::testing::Range<std::size_t>(0, kStates.size()),
                       ::testing::Values(Kind::Rst, Kind::Syn, Kind::Data, Kind::Fin),
                       ::testing::Values(Position::RcvNxtMinus1, Position::RcvNxt,
                                         Position::RcvNxtPlusWndMinus1, Position::RcvNxtPlusWnd),
                       ::testing::Values(Checks::Rfc5961, Checks::Legacy)),
    param_name);

}  // namespace
}  // namespace tcpfsm::test
