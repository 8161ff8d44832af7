#pragma once
// Transitions as data. An arriving segment is reduced to a class of four bits, and a dense
// table indexed by (state, class) names the action, the deciding rule and, where it is fixed,
// the next state. User calls have a table of their own, and the two FIN events (the peer's FIN
// consumed, our FIN acknowledged) map a state to the next one. The tables are built at compile
// time from a short list of rows (dispatch.cpp), each citing the RFC text it implements; a
// ConnectionTable copies them and a mutant edits its copy.
#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/profile.hpp"
#include "core/rules.hpp"
#include "core/state.hpp"
#include "fast/mutant.hpp"

namespace tcpfsm::fast {

inline constexpr unsigned kStateCount = 11;

// --- segment classes ---
// bit 0: RST; bit 1: SYN; bit 2: ACK; bit 3: the state's first test passed. The first test is
// the sequence acceptability test (RFC 9293 §3.10.7.4 first check) in SYN-RECEIVED and the
// synchronized states, and the ACK test of §3.10.7.3 (ISS < SEG.ACK =< SND.NXT) in SYN-SENT.
inline constexpr unsigned kClsRst = 1;
inline constexpr unsigned kClsSyn = 2;
inline constexpr unsigned kClsAck = 4;
inline constexpr unsigned kClsPass = 8;
inline constexpr unsigned kClassCount = 16;

enum class SegAct : std::uint8_t {
  Drop,            // nothing happens (the rule says why)
  AnswerReset,     // §3.5.2 groups 1 and 2: RST(a) or RST(0) to the trigger, state kept
  PassiveOpen,     // LISTEN: a SYN starts SYN-RECEIVED
  SynSentRefused,  // SYN-SENT: a RST that acknowledges our SYN
  SynSentSyn,      // SYN-SENT: a SYN, with or without the ACK of ours
  AnswerAck,       // an unacceptable segment: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
  TimeWaitStray,   // an unacceptable segment in TIME-WAIT (reopen, repeated FIN, or ACK)
  RstSynReceived,  // an acceptable RST in SYN-RECEIVED
  RstAbort,        // an acceptable RST where the user must hear "connection reset"
  RstQuiet,        // an acceptable RST in CLOSING or LAST-ACK
  RstTimeWait,     // an acceptable RST in TIME-WAIT (profile: accept or ignore)
  SynInWindow,     // a SYN that passed the first check (fourth check)
  AckArrives,      // the fifth check and everything after it
  // Linux profile switches (Profile, docs/linux-deviations.md) that are edits of the table:
  SynSentBadAck,   // L11: a bad ACK in SYN-SENT also sends the SYN again (first time only)
  RstBelowWindow,  // L7: after the peer's FIN a RST at RCV.NXT-1 is believed
};

struct SegEntry {
  SegAct act = SegAct::Drop;
  Rule rule = Rule::None;
  State next = State::Closed;  // meaningful when the action always leads to one state
};

// --- user calls (RFC 9293 §3.10.1 to §3.10.6) ---
enum class CallKind : std::uint8_t { OpenPassive, OpenActive, Send, Receive, Close, Abort, Status };
inline constexpr unsigned kCallKinds = 7;

enum class CallAct : std::uint8_t {
  NoConnection,   // "error: connection does not exist"
  AlreadyExists,  // "error: connection already exists"
  Closing,        // "error: connection closing"
  BeginListen,    // passive OPEN from CLOSED
  Connect,        // active OPEN from CLOSED or LISTEN
  SendOpens,      // SEND in LISTEN turns it active
  SendHeld,       // SEND before ESTABLISHED: queued
  SendNow,        // SEND in ESTABLISHED / CLOSE-WAIT
  ReceiveHeld,    // RECEIVE before ESTABLISHED: queued
  ReceiveNow,     // RECEIVE once synchronized
  CloseForget,    // CLOSE in LISTEN / SYN-SENT: delete the TCB
  CloseFin,       // CLOSE that queues our FIN
  AbortQuiet,     // ABORT with nothing to tell the peer
  AbortReset,     // ABORT that sends <SEQ=SND.NXT><CTL=RST>
  Report,         // STATUS
};

struct CallEntry {
  CallAct act = CallAct::NoConnection;
  Rule rule = Rule::None;
  State next = State::Closed;
};

struct Tables {
  std::array<std::array<SegEntry, kClassCount>, kStateCount> seg{};
  std::array<std::array<CallEntry, kStateCount>, kCallKinds> call{};
  // The peer's FIN consumed at RCV.NXT (eighth check): [state][our FIN acknowledged].
  std::array<std::array<State, 2>, kStateCount> on_peer_fin{};
  // Our FIN acknowledged (fifth check, FIN-WAIT-1 / CLOSING / LAST-ACK).
  std::array<State, kStateCount> on_fin_acked{};
};

// A row of the segment table as written in dispatch.cpp: it covers the classes c of the listed
// states with (c & mask) == value; the first matching row wins.
struct SegRow {
  std::uint16_t states;  // bit i: State(i)
  std::uint8_t mask;
  std::uint8_t value;
  SegEntry entry;
  std::string_view rfc;
};

std::span<const SegRow> segment_rows();
// The tables of the correct implementation.
const Tables& base_tables();
// A copy with the profile's table edits (Linux switches) and the mutant's deviation applied
// (RFC 9293 profiles with Mutant::None: an identical copy). Mutants and switches that change a
// computation rather than a transition are switched in the code.
Tables tables_for(Mutant m, const Profile& p);

constexpr unsigned index_of(State s) {
  return static_cast<unsigned>(s);
}

}  // namespace tcpfsm::fast
