#pragma once
// The checks of RFC 9293 §3.10 that decide what a step does. Every Outcome names the one that
// decided it, so a trace can say *why* a segment was dropped or a state was entered, and a
// reader can find the rule in the RFC by its section.
#include <cstdint>
#include <string_view>

namespace tcpfsm {

enum class Rule : std::uint8_t {
  None,
  // --- user calls (§3.10.1 to §3.10.6) ---
  OpenPassive,
  OpenActive,
  OpenRemoteUnspecified,
  OpenAlreadyExists,
  CallWithoutConnection,
  SendQueuedUntilEstablished,
  SendFromListenOpensActively,
  SendSegmentized,
  SendAfterClose,
  SendBufferFull,
  ReceiveQueued,
  ReceiveDelivers,
  ReceiveAfterPeerClosed,
  CloseListenOrSynSent,
  CloseSendsFin,
  CloseDeferredUntilEstablished,
  CloseWaitCloseSendsFin,
  CloseRepeated,
  CloseWithUnreadDataResets,
  AbortWithoutReset,
  AbortSendsReset,
  StatusReports,
  // --- SEGMENT ARRIVES in CLOSED (§3.10.7.1) ---
  ClosedDropsRst,
  ClosedAnswersWithReset,
  // --- in LISTEN (§3.10.7.2) ---
  ListenIgnoresRst,
  ListenResetsAck,
  ListenSynOpens,
  ListenDropsOther,
  // --- in SYN-SENT (§3.10.7.3) ---
  SynSentResetsBadAck,
  SynSentDropsRstWithBadAck,
  SynSentRstResets,
  SynSentDropsRstWithoutAck,
  SynSentSynAckEstablishes,
  SynSentSimultaneousOpen,
  SynSentDropsNonSyn,
  // --- in SYN-RECEIVED and the synchronized states (§3.10.7.4) ---
  UnacceptableSegmentAcked,
  UnacceptableRstDropped,
  TimeWaitAcksRetransmittedFin,
  RstChallengeAck,
  RstReturnsToListen,
  RstRefusesActiveOpen,
  RstReturnsToTimeWait,
  RstResetsConnection,
  RstClosesConnection,
  TimeWaitIgnoresRst,
  SynReturnsToListen,
  SynChallengeAck,
  SynResetsConnection,
  TimeWaitSynReopens,
  NoAckDropped,
  SynReceivedResetsBadAck,
  AckOfUnsentDataAcked,
  AckTooOldAcked,
  AckProcessed,
  FinAckedEntersFinWait2,
  FinAckedEntersTimeWait,
  FinAckedCloses,
  ClosingIgnoresOtherSegments,
  LastAckIgnoresOtherSegments,
  TextAccepted,
  TextHeldOutOfOrder,
  TextDroppedOutOfOrder,
  TextIgnoredAfterPeerFin,
  TextAfterCloseResets,
  FinReceived,
  FinRepeatedAcked,
  TimeWaitFinRestartsTimer,
  // --- timeouts (§3.10.8) ---
  TimerNotArmed,
  RetransmitSyn,
  RetransmitSynAck,
  RetransmitData,
  RetransmissionLimitCloses,
  RetransmissionLimitReturnsToListen,
  ZeroWindowProbe,
  SwsOverrideSends,
  PersistTimerNothingToDo,
  UserTimeoutCloses,
  TimeWaitExpires,
  FinWait2Expires,
};

struct RuleInfo {
  std::string_view name;     // the enumerator's name, e.g. "ListenSynOpens"
  std::string_view section;  // e.g. "RFC 9293 §3.10.7.2"
  std::string_view summary;  // one line, our words
};

RuleInfo describe(Rule r);

}  // namespace tcpfsm
