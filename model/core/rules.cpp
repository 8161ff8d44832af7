#include "core/rules.hpp"

namespace tcpfsm {

RuleInfo describe(Rule r) {
  switch (r) {
    case Rule::None: return {"None", "", "nothing decided"};
    case Rule::OpenPassive:
      return {"OpenPassive", "RFC 9293 §3.10.1", "passive OPEN: wait in LISTEN"};
    case Rule::OpenActive:
      return {"OpenActive", "RFC 9293 §3.10.1", "active OPEN: send SYN, enter SYN-SENT"};
    case Rule::OpenRemoteUnspecified:
      return {"OpenRemoteUnspecified", "RFC 9293 §3.10.1", "no foreign socket to send a SYN to"};
    case Rule::OpenAlreadyExists:
      return {"OpenAlreadyExists", "RFC 9293 §3.10.1, MUST-41", "a connection exists already"};
    case Rule::CallWithoutConnection:
      return {"CallWithoutConnection", "RFC 9293 §3.10.2-§3.10.6",
              "CLOSED: the connection does not exist"};
    case Rule::SendQueuedUntilEstablished:
      return {"SendQueuedUntilEstablished", "RFC 9293 §3.10.2", "data waits for ESTABLISHED"};
    case Rule::SendFromListenOpensActively:
      return {"SendFromListenOpensActively", "RFC 9293 §3.10.2",
              "SEND in LISTEN turns the connection active"};
    case Rule::SendSegmentized:
      return {"SendSegmentized", "RFC 9293 §3.10.2", "data queued and sent as the window allows"};
    case Rule::SendAfterClose: return {"SendAfterClose", "RFC 9293 §3.10.2", "no SEND after CLOSE"};
    case Rule::SendBufferFull:
      return {"SendBufferFull", "RFC 9293 §3.10.2", "the send buffer cannot take more"};
    case Rule::ReceiveQueued:
      return {"ReceiveQueued", "RFC 9293 §3.10.3", "RECEIVE waits for data"};
    case Rule::ReceiveDelivers:
      return {"ReceiveDelivers", "RFC 9293 §3.10.3", "buffered data handed to the user"};
    case Rule::ReceiveAfterPeerClosed:
      return {"ReceiveAfterPeerClosed", "RFC 9293 §3.10.3",
              "the peer's FIN came and nothing is left"};
    case Rule::CloseListenOrSynSent:
      return {"CloseListenOrSynSent", "RFC 9293 §3.10.4",
              "nothing synchronized: delete the TCB, send nothing"};
    case Rule::CloseSendsFin:
      return {"CloseSendsFin", "RFC 9293 §3.10.4", "FIN after queued data, enter FIN-WAIT-1"};
    case Rule::CloseDeferredUntilEstablished:
      return {"CloseDeferredUntilEstablished", "RFC 9293 §3.10.4",
              "SENDs pending in SYN-RECEIVED: FIN after ESTABLISHED"};
    case Rule::CloseWaitCloseSendsFin:
      return {"CloseWaitCloseSendsFin", "RFC 9293 §3.10.4",
              "CLOSE in CLOSE-WAIT: FIN, enter LAST-ACK"};
    case Rule::CloseRepeated:
      return {"CloseRepeated", "RFC 9293 §3.10.4", "already closing: no second FIN"};
    case Rule::CloseWithUnreadDataResets:
      return {"CloseWithUnreadDataResets", "RFC 9293 §3.6.1, MAY-1, SHLD-3",
              "half-duplex close with unread data sends RST"};
    case Rule::AbortWithoutReset:
      return {"AbortWithoutReset", "RFC 9293 §3.10.5", "ABORT where the peer needs no RST"};
    case Rule::AbortSendsReset:
      return {"AbortSendsReset", "RFC 9293 §3.10.5", "ABORT: send <SEQ=SND.NXT><CTL=RST>"};
    case Rule::StatusReports:
      return {"StatusReports", "RFC 9293 §3.10.6", "report the state and the TCB"};
    case Rule::ClosedDropsRst:
      return {"ClosedDropsRst", "RFC 9293 §3.10.7.1", "CLOSED: a RST is dropped"};
    case Rule::ClosedAnswersWithReset:
      return {"ClosedAnswersWithReset", "RFC 9293 §3.10.7.1, §3.5.2", "CLOSED: answer with a RST"};
    case Rule::ListenIgnoresRst:
      return {"ListenIgnoresRst", "RFC 9293 §3.10.7.2 first check", "LISTEN: ignore RST"};
    case Rule::ListenResetsAck:
      return {"ListenResetsAck", "RFC 9293 §3.10.7.2 second check",
              "LISTEN: an ACK draws <SEQ=SEG.ACK><CTL=RST>"};
    case Rule::ListenSynOpens:
      return {"ListenSynOpens", "RFC 9293 §3.10.7.2 third check",
              "LISTEN: SYN, send SYN-ACK, enter SYN-RECEIVED"};
    case Rule::ListenDropsOther:
      return {"ListenDropsOther", "RFC 9293 §3.10.7.2 fourth check",
              "LISTEN: no SYN, ACK or RST: drop"};
    case Rule::SynSentResetsBadAck:
      return {"SynSentResetsBadAck", "RFC 9293 §3.10.7.3 first check",
              "SYN-SENT: unacceptable ACK draws RST"};
    case Rule::SynSentDropsRstWithBadAck:
      return {"SynSentDropsRstWithBadAck", "RFC 9293 §3.10.7.3 first check",
              "SYN-SENT: RST with unacceptable ACK dropped"};
    case Rule::SynSentRstResets:
      return {"SynSentRstResets", "RFC 9293 §3.10.7.3 second check",
              "SYN-SENT: RST acknowledging our SYN: connection reset"};
    case Rule::SynSentDropsRstWithoutAck:
      return {"SynSentDropsRstWithoutAck", "RFC 9293 §3.10.7.3 second check",
              "SYN-SENT: RST without ACK dropped"};
    case Rule::SynSentSynAckEstablishes:
      return {"SynSentSynAckEstablishes", "RFC 9293 §3.10.7.3 fourth check",
              "SYN-SENT: SYN acknowledging ours: ESTABLISHED"};
    case Rule::SynSentSimultaneousOpen:
      return {"SynSentSimultaneousOpen", "RFC 9293 §3.10.7.3 fourth check, MUST-10",
              "SYN-SENT: bare SYN: simultaneous open, SYN-RECEIVED"};
    case Rule::SynSentDropsNonSyn:
      return {"SynSentDropsNonSyn", "RFC 9293 §3.10.7.3 fifth check",
              "SYN-SENT: neither SYN nor RST: drop"};
    case Rule::UnacceptableSegmentAcked:
      return {"UnacceptableSegmentAcked", "RFC 9293 §3.10.7.4 first check",
              "not in the window: send ACK, drop"};
    case Rule::UnacceptableRstDropped:
      return {"UnacceptableRstDropped", "RFC 9293 §3.10.7.4 first check",
              "RST not in the window: drop silently"};
    case Rule::TimeWaitAcksRetransmittedFin:
      return {"TimeWaitAcksRetransmittedFin", "RFC 9293 §3.10.7.4 first and eighth checks",
              "TIME-WAIT: retransmitted FIN: ACK, restart 2MSL"};
    case Rule::RstChallengeAck:
      return {"RstChallengeAck", "RFC 9293 §3.10.7.4 second check, RFC 5961 §3.2",
              "RST in window, not at RCV.NXT: challenge ACK"};
    case Rule::RstReturnsToListen:
      return {"RstReturnsToListen", "RFC 9293 §3.10.7.4 second check",
              "SYN-RECEIVED (passive): RST returns to LISTEN"};
    case Rule::RstRefusesActiveOpen:
      return {"RstRefusesActiveOpen", "RFC 9293 §3.10.7.4 second check",
              "SYN-RECEIVED (active): RST: connection refused"};
    case Rule::RstReturnsToTimeWait:
      return {"RstReturnsToTimeWait", "RFC 9293 §3.6.1, MAY-2",
              "reopened from TIME-WAIT: RST returns to TIME-WAIT"};
    case Rule::RstResetsConnection:
      return {"RstResetsConnection", "RFC 9293 §3.10.7.4 second check",
              "RST: connection reset, CLOSED"};
    case Rule::RstClosesConnection:
      return {"RstClosesConnection", "RFC 9293 §3.10.7.4 second check",
              "RST after both FINs: CLOSED"};
    case Rule::TimeWaitIgnoresRst:
      return {"TimeWaitIgnoresRst", "RFC 1337 §3 (F1)", "TIME-WAIT ignores RST"};
    case Rule::SynReturnsToListen:
      return {"SynReturnsToListen", "RFC 9293 §3.10.7.4 fourth check",
              "SYN-RECEIVED (passive): new SYN returns to LISTEN"};
    case Rule::SynChallengeAck:
      return {"SynChallengeAck", "RFC 9293 §3.10.7.4 fourth check, RFC 5961 §4.2",
              "SYN in a synchronized state: challenge ACK"};
    case Rule::SynResetsConnection:
      return {"SynResetsConnection", "RFC 9293 §3.10.7.4 fourth check (RFC 793)",
              "in-window SYN: RST and CLOSED"};
    case Rule::TimeWaitSynReopens:
      return {"TimeWaitSynReopens", "RFC 9293 §3.6.1, MAY-2",
              "TIME-WAIT: new SYN above RCV.NXT reopens"};
    case Rule::NoAckDropped:
      return {"NoAckDropped", "RFC 9293 §3.10.7.4 fifth check", "no ACK bit: drop"};
    case Rule::SynReceivedResetsBadAck:
      return {"SynReceivedResetsBadAck", "RFC 9293 §3.10.7.4 fifth check, §3.5.2",
              "SYN-RECEIVED: unacceptable ACK draws RST"};
    case Rule::AckOfUnsentDataAcked:
      return {"AckOfUnsentDataAcked", "RFC 9293 §3.10.7.4 fifth check",
              "ACK of unsent data: send ACK, drop"};
    case Rule::AckTooOldAcked:
      return {"AckTooOldAcked", "RFC 5961 §5.2, MAY-12",
              "ACK below SND.UNA-MAX.SND.WND: challenge ACK, drop"};
    case Rule::AckProcessed:
      return {"AckProcessed", "RFC 9293 §3.10.7.4 fifth check", "ACK processed"};
    case Rule::FinAckedEntersFinWait2:
      return {"FinAckedEntersFinWait2", "RFC 9293 §3.10.7.4 fifth check",
              "FIN-WAIT-1: our FIN acknowledged: FIN-WAIT-2"};
    case Rule::FinAckedEntersTimeWait:
      return {"FinAckedEntersTimeWait", "RFC 9293 §3.10.7.4 fifth check",
              "CLOSING: our FIN acknowledged: TIME-WAIT"};
    case Rule::FinAckedCloses:
      return {"FinAckedCloses", "RFC 9293 §3.10.7.4 fifth check",
              "LAST-ACK: our FIN acknowledged: CLOSED"};
    case Rule::ClosingIgnoresOtherSegments:
      return {"ClosingIgnoresOtherSegments", "RFC 9293 §3.10.7.4 fifth check",
              "CLOSING: FIN not acknowledged: ignore"};
    case Rule::LastAckIgnoresOtherSegments:
      return {"LastAckIgnoresOtherSegments", "RFC 9293 §3.10.7.4 fifth check",
              "LAST-ACK: FIN not acknowledged: ignore"};
    case Rule::TextAccepted:
      return {"TextAccepted", "RFC 9293 §3.10.7.4 seventh check", "in-order text accepted, ACK"};
    case Rule::TextHeldOutOfOrder:
      return {"TextHeldOutOfOrder", "RFC 9293 §3.10.7.4 first check, SHLD-31",
              "text beyond RCV.NXT held, ACK"};
    case Rule::TextDroppedOutOfOrder:
      return {"TextDroppedOutOfOrder", "RFC 9293 §3.10.7.4 first check, MAY-13",
              "text beyond RCV.NXT dropped, ACK"};
    case Rule::TextIgnoredAfterPeerFin:
      return {"TextIgnoredAfterPeerFin", "RFC 9293 §3.10.7.4 seventh check",
              "text after the peer's FIN ignored"};
    case Rule::TextAfterCloseResets:
      return {"TextAfterCloseResets", "RFC 9293 §3.6.1, MAY-1, SHLD-3",
              "half-duplex: data after CLOSE resets"};
    case Rule::FinReceived:
      return {"FinReceived", "RFC 9293 §3.10.7.4 eighth check", "FIN: connection closing, ACK"};
    case Rule::FinRepeatedAcked:
      return {"FinRepeatedAcked", "RFC 9293 §3.10.7.4 eighth check",
              "FIN again: ACK, nothing else"};
    case Rule::TimeWaitFinRestartsTimer:
      return {"TimeWaitFinRestartsTimer", "RFC 9293 §3.10.7.4 eighth check",
              "TIME-WAIT: FIN: ACK, restart 2MSL"};
    case Rule::TimerNotArmed:
      return {"TimerNotArmed", "RFC 9293 §3.10.8", "the timer was not running"};
    case Rule::RetransmitSyn:
      return {"RetransmitSyn", "RFC 9293 §3.10.8, RFC 6298 §5", "retransmit SYN"};
    case Rule::RetransmitSynAck:
      return {"RetransmitSynAck", "RFC 9293 §3.10.8, RFC 6298 §5", "retransmit SYN-ACK"};
    case Rule::RetransmitData:
      return {"RetransmitData", "RFC 9293 §3.10.8, RFC 6298 §5",
              "retransmit the first unacknowledged segment"};
    case Rule::RetransmissionLimitCloses:
      return {"RetransmissionLimitCloses", "RFC 9293 §3.8.3, MUST-20, MUST-23",
              "R2 reached: give up, CLOSED"};
    case Rule::RetransmissionLimitReturnsToListen:
      return {"RetransmissionLimitReturnsToListen", "RFC 9293 §3.8.3",
              "R2 reached in passive SYN-RECEIVED: LISTEN"};
    case Rule::ZeroWindowProbe:
      return {"ZeroWindowProbe", "RFC 9293 §3.8.6.1, MUST-36",
              "probe the zero window with one octet"};
    case Rule::SwsOverrideSends:
      return {"SwsOverrideSends", "RFC 9293 §3.8.6.2.1, MUST-38, MUST-60",
              "held-back data goes out when the override timer fires"};
    case Rule::PersistTimerNothingToDo:
      return {"PersistTimerNothingToDo", "RFC 9293 §3.8.6.1",
              "the window opened or the queue emptied before the timer fired"};
    case Rule::UserTimeoutCloses:
      return {"UserTimeoutCloses", "RFC 9293 §3.10.8", "user timeout: abort, CLOSED"};
    case Rule::TimeWaitExpires:
      return {"TimeWaitExpires", "RFC 9293 §3.10.8, MUST-13", "2MSL passed: CLOSED"};
    case Rule::FinWait2Expires:
      return {"FinWait2Expires", "Linux tcp_fin_timeout (not RFC 9293)",
              "FIN-WAIT-2 timer: CLOSED"};
  }
  return {"?", "", ""};
}

}  // namespace tcpfsm
