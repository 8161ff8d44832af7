// The rows behind the dispatch tables, and the mutants that are edits of them.
#include "fast/dispatch.hpp"

namespace tcpfsm::fast {

namespace {

constexpr std::uint16_t bit(State s) {
  return static_cast<std::uint16_t>(1u << index_of(s));
}
template <class... S>
constexpr std::uint16_t states(S... s) {
  return static_cast<std::uint16_t>((bit(s) | ...));
}

// RFC 9293 §3.10.7.4 applies to SYN-RECEIVED and every synchronized state alike.
constexpr std::uint16_t kSync =
    states(State::SynReceived, State::Established, State::FinWait1, State::FinWait2,
           State::CloseWait, State::Closing, State::LastAck, State::TimeWait);
// Where an accepted RST must tell the user "connection reset" (§3.10.7.4 second check).
constexpr std::uint16_t kUserHears =
    states(State::Established, State::FinWait1, State::FinWait2, State::CloseWait);

constexpr std::uint8_t R = kClsRst, S = kClsSyn, A = kClsAck, P = kClsPass;

constexpr SegEntry act(SegAct a, Rule r, State next = State::Closed) {
  return SegEntry{a, r, next};
}

// In order; the first row that matches a (state, class) decides it.
constexpr std::array kSegmentRows = {
    // --- CLOSED (§3.10.7.1; §3.5.2 group 1) ---
    SegRow{bit(State::Closed), R, R, act(SegAct::Drop, Rule::ClosedDropsRst),
           "RFC 9293 §3.10.7.1: a RST to no connection is dropped"},
    SegRow{bit(State::Closed), 0, 0, act(SegAct::AnswerReset, Rule::ClosedAnswersWithReset),
           "RFC 9293 §3.10.7.1: anything else draws a RST the sender accepts"},
    // --- LISTEN (§3.10.7.2) ---
    SegRow{bit(State::Listen), R, R, act(SegAct::Drop, Rule::ListenIgnoresRst),
           "RFC 9293 §3.10.7.2 first: RST ignored"},
    SegRow{bit(State::Listen), A, A, act(SegAct::AnswerReset, Rule::ListenResetsAck),
           "RFC 9293 §3.10.7.2 second: any ACK is bad here, RST(a)"},
    SegRow{bit(State::Listen), S, S,
           act(SegAct::PassiveOpen, Rule::ListenSynOpens, State::SynReceived),
           "RFC 9293 §3.10.7.2 fourth: SYN, answer SYN-ACK"},
    SegRow{bit(State::Listen), 0, 0, act(SegAct::Drop, Rule::ListenDropsOther),
           "RFC 9293 §3.10.7.2 fifth: anything else is dropped"},
    // --- SYN-SENT (§3.10.7.3) ---
    SegRow{bit(State::SynSent), R | A | P, R | A,
           act(SegAct::Drop, Rule::SynSentDropsRstWithBadAck),
           "RFC 9293 §3.10.7.3 first: bad ACK on a RST, drop"},
    SegRow{bit(State::SynSent), A | P, A, act(SegAct::AnswerReset, Rule::SynSentResetsBadAck),
           "RFC 9293 §3.10.7.3 first: bad ACK, RST(a)"},
    SegRow{bit(State::SynSent), R | A, R | A,
           act(SegAct::SynSentRefused, Rule::SynSentRstResets, State::Closed),
           "RFC 9293 §3.10.7.3 second: RST with an acceptable ACK closes"},
    SegRow{bit(State::SynSent), R, R, act(SegAct::Drop, Rule::SynSentDropsRstWithoutAck),
           "RFC 9293 §3.10.7.3 second: RST without ACK, drop"},
    SegRow{bit(State::SynSent), S, S, act(SegAct::SynSentSyn, Rule::SynSentSynAckEstablishes),
           "RFC 9293 §3.10.7.3 fourth: SYN, established or simultaneous open"},
    SegRow{bit(State::SynSent), 0, 0, act(SegAct::Drop, Rule::SynSentDropsNonSyn),
           "RFC 9293 §3.10.7.3 fifth: neither SYN nor RST, drop"},
    // --- SYN-RECEIVED and the synchronized states (§3.10.7.4) ---
    SegRow{kSync, P | R, R, act(SegAct::Drop, Rule::UnacceptableRstDropped),
           "RFC 9293 §3.10.7.4 first: an unacceptable RST is dropped"},
    SegRow{bit(State::TimeWait), P, 0, act(SegAct::TimeWaitStray, Rule::UnacceptableSegmentAcked),
           "RFC 9293 §3.10.7.4 first, fifth, eighth; §3.6.1 MAY-2: TIME-WAIT strays"},
    SegRow{kSync, P, 0, act(SegAct::AnswerAck, Rule::UnacceptableSegmentAcked),
           "RFC 9293 §3.10.7.4 first: unacceptable, send ACK"},
    SegRow{bit(State::SynReceived), R, R, act(SegAct::RstSynReceived, Rule::RstReturnsToListen),
           "RFC 9293 §3.10.7.4 second: SYN-RECEIVED goes back where it came from"},
    SegRow{kUserHears, R, R, act(SegAct::RstAbort, Rule::RstResetsConnection, State::Closed),
           "RFC 9293 §3.10.7.4 second: connection reset"},
    SegRow{states(State::Closing, State::LastAck), R, R,
           act(SegAct::RstQuiet, Rule::RstClosesConnection, State::Closed),
           "RFC 9293 §3.10.7.4 second: CLOSING and LAST-ACK close"},
    SegRow{bit(State::TimeWait), R, R,
           act(SegAct::RstTimeWait, Rule::RstClosesConnection, State::Closed),
           "RFC 9293 §3.10.7.4 second; RFC 1337: TIME-WAIT closes or ignores"},
    SegRow{kSync, S, S, act(SegAct::SynInWindow, Rule::SynChallengeAck),
           "RFC 9293 §3.10.7.4 fourth; RFC 5961 §4.2"},
    SegRow{kSync, A, A, act(SegAct::AckArrives, Rule::AckProcessed),
           "RFC 9293 §3.10.7.4 fifth and on"},
    SegRow{kSync, 0, 0, act(SegAct::Drop, Rule::NoAckDropped),
           "RFC 9293 §3.10.7.4 fifth: no ACK, drop"},
};

constexpr Tables build() {
  Tables t{};
  for (unsigned s = 0; s < kStateCount; ++s) {
    for (unsigned c = 0; c < kClassCount; ++c) {
      for (const SegRow& row : kSegmentRows) {
        if ((row.states & (1u << s)) != 0 && (c & row.mask) == row.value) {
          t.seg[s][c] = row.entry;
          break;
        }
      }
    }
  }

  // --- user calls ---
  auto& open_p = t.call[static_cast<unsigned>(CallKind::OpenPassive)];
  auto& open_a = t.call[static_cast<unsigned>(CallKind::OpenActive)];
  auto& send = t.call[static_cast<unsigned>(CallKind::Send)];
  auto& recv = t.call[static_cast<unsigned>(CallKind::Receive)];
  auto& close = t.call[static_cast<unsigned>(CallKind::Close)];
  auto& abort = t.call[static_cast<unsigned>(CallKind::Abort)];
  auto& status = t.call[static_cast<unsigned>(CallKind::Status)];
  for (State s : kAllStates) {
    const unsigned i = index_of(s);
    // §3.10.1 OPEN, MUST-41: an existing connection is never altered.
    open_p[i] = {CallAct::AlreadyExists, Rule::OpenAlreadyExists, s};
    open_a[i] = {CallAct::AlreadyExists, Rule::OpenAlreadyExists, s};
    // §3.10.2 to §3.10.6 in CLOSED: "connection does not exist".
    const CallEntry none{CallAct::NoConnection, Rule::CallWithoutConnection, s};
    send[i] = none;
    recv[i] = none;
    close[i] = none;
    abort[i] = none;
    status[i] = none;
    if (s == State::Closed) continue;
    status[i] = {CallAct::Report, Rule::StatusReports, s};
    recv[i] = {CallAct::ReceiveNow, Rule::ReceiveDelivers, s};
    // §3.10.2: after our FIN was queued the user has nothing more to send.
    send[i] = {CallAct::Closing, Rule::SendAfterClose, s};
    // §3.10.4: a second CLOSE; never a second FIN.
    close[i] = {CallAct::Closing, Rule::CloseRepeated, s};
    abort[i] = {CallAct::AbortReset, Rule::AbortSendsReset, State::Closed};
  }
  const auto at = [](State s) { return index_of(s); };
  open_p[at(State::Closed)] = {CallAct::BeginListen, Rule::OpenPassive, State::Listen};
  open_a[at(State::Closed)] = {CallAct::Connect, Rule::OpenActive, State::SynSent};
  open_a[at(State::Listen)] = {CallAct::Connect, Rule::OpenActive, State::SynSent};

  send[at(State::Listen)] = {CallAct::SendOpens, Rule::SendFromListenOpensActively, State::SynSent};
  send[at(State::SynSent)] = {CallAct::SendHeld, Rule::SendQueuedUntilEstablished, State::SynSent};
  send[at(State::SynReceived)] = {CallAct::SendHeld, Rule::SendQueuedUntilEstablished,
                                  State::SynReceived};
  send[at(State::Established)] = {CallAct::SendNow, Rule::SendSegmentized, State::Established};
  send[at(State::CloseWait)] = {CallAct::SendNow, Rule::SendSegmentized, State::CloseWait};

  for (State s : {State::Listen, State::SynSent, State::SynReceived}) {
    recv[at(s)] = {CallAct::ReceiveHeld, Rule::ReceiveQueued, s};
  }

  close[at(State::Listen)] = {CallAct::CloseForget, Rule::CloseListenOrSynSent, State::Closed};
  close[at(State::SynSent)] = {CallAct::CloseForget, Rule::CloseListenOrSynSent, State::Closed};
  close[at(State::SynReceived)] = {CallAct::CloseFin, Rule::CloseSendsFin, State::FinWait1};
  close[at(State::Established)] = {CallAct::CloseFin, Rule::CloseSendsFin, State::FinWait1};
  close[at(State::CloseWait)] = {CallAct::CloseFin, Rule::CloseWaitCloseSendsFin, State::LastAck};

  // §3.10.5: before synchronization and after both FINs nobody needs our RST.
  for (State s : {State::Listen, State::SynSent, State::Closing, State::LastAck, State::TimeWait}) {
    abort[at(s)] = {CallAct::AbortQuiet, Rule::AbortWithoutReset, State::Closed};
  }

  // --- the FIN events ---
  for (State s : kAllStates) {
    t.on_peer_fin[index_of(s)] = {s, s};
    t.on_fin_acked[index_of(s)] = s;
  }
  // §3.10.7.4 eighth check.
  t.on_peer_fin[at(State::SynReceived)] = {State::CloseWait, State::CloseWait};
  t.on_peer_fin[at(State::Established)] = {State::CloseWait, State::CloseWait};
  t.on_peer_fin[at(State::FinWait1)] = {State::Closing, State::TimeWait};
  t.on_peer_fin[at(State::FinWait2)] = {State::TimeWait, State::TimeWait};
  // §3.10.7.4 fifth check.
  t.on_fin_acked[at(State::FinWait1)] = State::FinWait2;
  t.on_fin_acked[at(State::Closing)] = State::TimeWait;
  t.on_fin_acked[at(State::LastAck)] = State::Closed;
  return t;
}

constexpr Tables kBase = build();

// Every (state, class) is covered by some row (the last rows of each group match all).
constexpr bool every_cell_from_a_row() {
  for (unsigned s = 0; s < kStateCount; ++s) {
    for (unsigned c = 0; c < kClassCount; ++c) {
      bool found = false;
      for (const SegRow& row : kSegmentRows) {
        if ((row.states & (1u << s)) != 0 && (c & row.mask) == row.value) found = true;
      }
      if (!found) return false;
    }
  }
  return true;
}
static_assert(every_cell_from_a_row(), "a (state, class) cell has no row");

constexpr bool synchronized_index(unsigned s) {
  return is_synchronized(static_cast<State>(s));
}

}  // namespace

std::span<const SegRow> segment_rows() {
  return kSegmentRows;
}

const Tables& base_tables() {
  return kBase;
}

Tables tables_for(Mutant m, const Profile& p) {
  Tables t = kBase;
  if (p.syn_sent_bad_ack_resends_syn) {
    // Linux tcp_rcv_synsent_state_process: both bad-ACK rows may resend our SYN.
    for (unsigned c = 0; c < kClassCount; ++c) {
      if ((c & (kClsAck | kClsPass)) == kClsAck) {
        SegEntry& e = t.seg[index_of(State::SynSent)][c];
        e.act = SegAct::SynSentBadAck;
      }
    }
  }
  if (p.rst_accepts_rcv_nxt_minus_1) {
    // Linux tcp_reset_check: the unacceptable RST rows of the states after the peer's FIN.
    for (State s : {State::CloseWait, State::Closing, State::LastAck}) {
      for (unsigned c = 0; c < kClassCount; ++c) {
        if ((c & (kClsRst | kClsPass)) == kClsRst)
          t.seg[index_of(s)][c].act = SegAct::RstBelowWindow;
      }
    }
  }
  switch (m) {
    case Mutant::None: break;
    case Mutant::FinWaitFinGoesToCloseWait:
      t.on_peer_fin[index_of(State::FinWait1)] = {State::CloseWait, State::CloseWait};
      t.on_peer_fin[index_of(State::FinWait2)] = {State::LastAck, State::LastAck};
      break;
    case Mutant::SimultaneousCloseLeavesCloseWait:
      t.on_peer_fin[index_of(State::FinWait1)][0] = State::CloseWait;
      break;
    case Mutant::SynReceivedIgnoresRstWithoutAck:
      for (unsigned c = 0; c < kClassCount; ++c) {
        if ((c & (kClsRst | kClsAck | kClsPass)) == (kClsRst | kClsPass)) {
          t.seg[index_of(State::SynReceived)][c] = {SegAct::Drop, Rule::None, State::SynReceived};
        }
      }
      break;
    case Mutant::SynAckInSynchronizedStateDrawsRst:
      // The unacceptable SYN-ACK (a retransmitted one, typically); the in-window one is
      // switched where the challenge ACK is sent.
      for (unsigned s = 0; s < kStateCount; ++s) {
        if (!synchronized_index(s)) continue;
        t.seg[s][kClsSyn | kClsAck] = {SegAct::AnswerReset, Rule::None, static_cast<State>(s)};
      }
      break;
    case Mutant::ListenSilentOnAck:
      for (unsigned c = 0; c < kClassCount; ++c) {
        if ((c & (kClsRst | kClsAck)) == kClsAck) {
          t.seg[index_of(State::Listen)][c] = {SegAct::Drop, Rule::None, State::Listen};
        }
      }
      break;
    case Mutant::SimultaneousCloseFinNeverSent:
    case Mutant::FinAckInFinWait1StaysInFinWait2:
    case Mutant::InexactRstAccepted:
    case Mutant::PlainSequenceComparison:
    case Mutant::TimeWaitNotRestartedByFin: break;  // computations, switched in the code
  }
  return t;
}

}  // namespace tcpfsm::fast
