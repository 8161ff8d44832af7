#include "core/transitions.hpp"

#include <array>

namespace tcpfsm {

namespace {

using enum State;
using enum ArrowSource;
using enum ArrowCondition;

// Columns: id, from, to, event, sent, rfc, source, condition, note.
constexpr std::array kTransitions = std::to_array<Transition>({
    // --- the twenty arrows of Figure 5 ---
    {"ClosedToListenOnPassiveOpen", Closed, Listen, "passive OPEN", "-", "RFC 9293 §3.10.1",
     Figure5, Always, "create TCB"},
    {"ClosedToSynSentOnActiveOpen", Closed, SynSent, "active OPEN", "snd SYN", "RFC 9293 §3.10.1",
     Figure5, Always, "create TCB"},
    {"ListenToClosedOnClose", Listen, Closed, "CLOSE", "-", "RFC 9293 §3.10.4", Figure5, Always,
     "delete TCB"},
    {"ListenToSynReceivedOnSyn", Listen, SynReceived, "rcv SYN", "snd SYN,ACK",
     "RFC 9293 §3.10.7.2", Figure5, Always, ""},
    {"ListenToSynSentOnSend", Listen, SynSent, "SEND", "snd SYN", "RFC 9293 §3.10.2", Figure5,
     Always, "foreign socket specified"},
    {"SynReceivedToListenOnRst", SynReceived, Listen, "rcv RST", "-", "RFC 9293 §3.10.7.4", Figure5,
     Always, "opened passively (Figure 5 note 1)"},
    {"SynSentToSynReceivedOnSyn", SynSent, SynReceived, "rcv SYN", "snd SYN,ACK",
     "RFC 9293 §3.10.7.3", Figure5, Always, "simultaneous open"},
    {"SynSentToClosedOnClose", SynSent, Closed, "CLOSE", "-", "RFC 9293 §3.10.4", Figure5, Always,
     "delete TCB"},
    {"SynReceivedToEstablishedOnAckOfSyn", SynReceived, Established, "rcv ACK of SYN", "-",
     "RFC 9293 §3.10.7.4", Figure5, Always, ""},
    {"SynSentToEstablishedOnSynAck", SynSent, Established, "rcv SYN,ACK", "snd ACK",
     "RFC 9293 §3.10.7.3", Figure5, Always, ""},
    {"SynReceivedToFinWait1OnClose", SynReceived, FinWait1, "CLOSE", "snd FIN", "RFC 9293 §3.10.4",
     Figure5, Always, "no SEND pending"},
    {"EstablishedToFinWait1OnClose", Established, FinWait1, "CLOSE", "snd FIN", "RFC 9293 §3.10.4",
     Figure5, Always, "the FIN follows any queued data"},
    {"EstablishedToCloseWaitOnFin", Established, CloseWait, "rcv FIN", "snd ACK",
     "RFC 9293 §3.10.7.4", Figure5, Always, ""},
    {"FinWait1ToFinWait2OnAckOfFin", FinWait1, FinWait2, "rcv ACK of FIN", "-",
     "RFC 9293 §3.10.7.4", Figure5, Always, ""},
    {"FinWait1ToClosingOnFin", FinWait1, Closing, "rcv FIN", "snd ACK", "RFC 9293 §3.10.7.4",
     Figure5, Always, "our FIN not yet acknowledged"},
    {"CloseWaitToLastAckOnClose", CloseWait, LastAck, "CLOSE", "snd FIN", "RFC 9293 §3.10.4",
     Figure5, Always, ""},
    {"FinWait2ToTimeWaitOnFin", FinWait2, TimeWait, "rcv FIN", "snd ACK", "RFC 9293 §3.10.7.4",
     Figure5, Always, ""},
    {"ClosingToTimeWaitOnAckOfFin", Closing, TimeWait, "rcv ACK of FIN", "-", "RFC 9293 §3.10.7.4",
     Figure5, Always, ""},
    {"LastAckToClosedOnAckOfFin", LastAck, Closed, "rcv ACK of FIN", "-", "RFC 9293 §3.10.7.4",
     Figure5, Always, "delete TCB"},
    {"TimeWaitToClosedOn2MslTimeout", TimeWait, Closed, "timeout=2MSL", "-", "RFC 9293 §3.10.8",
     Figure5, Always, "delete TCB"},

    // --- named by the notes under Figure 5 ---
    {"FinWait1ToTimeWaitOnFinAndAckOfFin", FinWait1, TimeWait, "rcv FIN and ACK of FIN", "snd ACK",
     "RFC 9293 §3.10.7.4", FigureNote, Always, "Figure 5 note 2"},
    // Note 3, receiving a RST: LISTEN or CLOSED.
    {"SynSentToClosedOnRst", SynSent, Closed, "rcv RST with ACK of SYN", "-", "RFC 9293 §3.10.7.3",
     FigureNote, Always, "connection refused"},
    {"SynReceivedToClosedOnRst", SynReceived, Closed, "rcv RST", "-", "RFC 9293 §3.10.7.4",
     FigureNote, Always, "opened actively: connection refused"},
    {"EstablishedToClosedOnRst", Established, Closed, "rcv RST", "-", "RFC 9293 §3.10.7.4",
     FigureNote, Always, "SEG.SEQ = RCV.NXT under RFC 5961"},
    {"FinWait1ToClosedOnRst", FinWait1, Closed, "rcv RST", "-", "RFC 9293 §3.10.7.4", FigureNote,
     Always, "SEG.SEQ = RCV.NXT under RFC 5961"},
    {"FinWait2ToClosedOnRst", FinWait2, Closed, "rcv RST", "-", "RFC 9293 §3.10.7.4", FigureNote,
     Always, "SEG.SEQ = RCV.NXT under RFC 5961"},
    {"CloseWaitToClosedOnRst", CloseWait, Closed, "rcv RST", "-", "RFC 9293 §3.10.7.4", FigureNote,
     Always, "SEG.SEQ = RCV.NXT under RFC 5961"},
    {"ClosingToClosedOnRst", Closing, Closed, "rcv RST", "-", "RFC 9293 §3.10.7.4", FigureNote,
     Always, "SEG.SEQ = RCV.NXT under RFC 5961"},
    {"LastAckToClosedOnRst", LastAck, Closed, "rcv RST", "-", "RFC 9293 §3.10.7.4", FigureNote,
     Always, "SEG.SEQ = RCV.NXT under RFC 5961"},
    {"TimeWaitToClosedOnRst", TimeWait, Closed, "rcv RST", "-", "RFC 9293 §3.10.7.4", FigureNote,
     TimeWaitAcceptsRst, "RFC 1337 fix F1 ignores it instead"},
    // Note 3, sending a RST: the sender may linger in TIME-WAIT (§3.5.2).
    {"SynReceivedToTimeWaitOnAbort", SynReceived, TimeWait, "ABORT", "snd RST", "RFC 9293 §3.5.2",
     FigureNote, RstSenderEntersTimeWait, "Figure 5 note 3"},
    {"EstablishedToTimeWaitOnAbort", Established, TimeWait, "ABORT", "snd RST", "RFC 9293 §3.5.2",
     FigureNote, RstSenderEntersTimeWait, "Figure 5 note 3"},
    {"FinWait1ToTimeWaitOnAbort", FinWait1, TimeWait, "ABORT", "snd RST", "RFC 9293 §3.5.2",
     FigureNote, RstSenderEntersTimeWait, "Figure 5 note 3"},
    {"FinWait2ToTimeWaitOnAbort", FinWait2, TimeWait, "ABORT", "snd RST", "RFC 9293 §3.5.2",
     FigureNote, RstSenderEntersTimeWait, "Figure 5 note 3"},
    {"CloseWaitToTimeWaitOnAbort", CloseWait, TimeWait, "ABORT", "snd RST", "RFC 9293 §3.5.2",
     FigureNote, RstSenderEntersTimeWait, "Figure 5 note 3"},

    // --- from the event processing text (§3.10) ---
    {"ListenToSynSentOnActiveOpen", Listen, SynSent, "active OPEN", "snd SYN", "RFC 9293 §3.10.1",
     Text, Always, "foreign socket specified"},
    {"SynSentToCloseWaitOnSynAckFin", SynSent, CloseWait, "rcv SYN,ACK,FIN", "snd ACK",
     "RFC 9293 §3.10.7.3", Text, Always, "via ESTABLISHED in one segment"},
    {"SynReceivedToCloseWaitOnAckOfSynWithFin", SynReceived, CloseWait, "rcv ACK of SYN with FIN",
     "snd ACK", "RFC 9293 §3.10.7.4", Text, Always, "via ESTABLISHED in one segment"},
    {"SynReceivedToFinWait1OnAckOfSynAfterClose", SynReceived, FinWait1,
     "rcv ACK of SYN, CLOSE pending", "snd FIN", "RFC 9293 §3.10.4", Text, Always,
     "CLOSE waited for ESTABLISHED behind pending SENDs; the FIN follows their data"},
    {"SynReceivedToClosingOnAckOfSynWithFinAfterClose", SynReceived, Closing,
     "rcv ACK of SYN with FIN, CLOSE pending", "snd FIN", "RFC 9293 §3.10.4", Text, Always,
     "via ESTABLISHED and FIN-WAIT-1 in one segment; our FIN also acknowledges the peer's"},
    {"SynReceivedToListenOnSyn", SynReceived, Listen, "rcv SYN", "-", "RFC 9293 §3.10.7.4", Text,
     Always, "opened passively; a SYN in the window"},
    {"SynReceivedToTimeWaitOnRstAfterReopen", SynReceived, TimeWait, "rcv RST", "-",
     "RFC 9293 §3.6.1", Text, TimeWaitReopen,
     "reopened from TIME-WAIT and the SYN was an old duplicate (MAY-2)"},
    {"TimeWaitToSynReceivedOnSyn", TimeWait, SynReceived, "rcv SYN", "snd SYN,ACK",
     "RFC 9293 §3.6.1", Text, TimeWaitReopen, "SEG.SEQ beyond RCV.NXT (MAY-2)"},
    // ABORT (§3.10.5).
    {"ListenToClosedOnAbort", Listen, Closed, "ABORT", "-", "RFC 9293 §3.10.5", Text, Always, ""},
    {"SynSentToClosedOnAbort", SynSent, Closed, "ABORT", "-", "RFC 9293 §3.10.5", Text, Always, ""},
    {"SynReceivedToClosedOnAbort", SynReceived, Closed, "ABORT", "snd RST", "RFC 9293 §3.10.5",
     Text, RstSenderCloses, ""},
    {"EstablishedToClosedOnAbort", Established, Closed, "ABORT", "snd RST", "RFC 9293 §3.10.5",
     Text, RstSenderCloses, ""},
    {"FinWait1ToClosedOnAbort", FinWait1, Closed, "ABORT", "snd RST", "RFC 9293 §3.10.5", Text,
     RstSenderCloses, ""},
    {"FinWait2ToClosedOnAbort", FinWait2, Closed, "ABORT", "snd RST", "RFC 9293 §3.10.5", Text,
     RstSenderCloses, ""},
    {"CloseWaitToClosedOnAbort", CloseWait, Closed, "ABORT", "snd RST", "RFC 9293 §3.10.5", Text,
     RstSenderCloses, ""},
    {"ClosingToClosedOnAbort", Closing, Closed, "ABORT", "-", "RFC 9293 §3.10.5", Text, Always, ""},
    {"LastAckToClosedOnAbort", LastAck, Closed, "ABORT", "-", "RFC 9293 §3.10.5", Text, Always, ""},
    {"TimeWaitToClosedOnAbort", TimeWait, Closed, "ABORT", "-", "RFC 9293 §3.10.5", Text, Always,
     ""},
    // USER TIMEOUT (§3.10.8): armed while something of ours is unacknowledged.
    {"SynSentToClosedOnUserTimeout", SynSent, Closed, "user timeout", "-", "RFC 9293 §3.10.8", Text,
     UserTimer, ""},
    {"SynReceivedToClosedOnUserTimeout", SynReceived, Closed, "user timeout", "-",
     "RFC 9293 §3.10.8", Text, UserTimer, ""},
    {"EstablishedToClosedOnUserTimeout", Established, Closed, "user timeout", "-",
     "RFC 9293 §3.10.8", Text, UserTimer, "data unacknowledged"},
    {"FinWait1ToClosedOnUserTimeout", FinWait1, Closed, "user timeout", "-", "RFC 9293 §3.10.8",
     Text, UserTimer, ""},
    {"CloseWaitToClosedOnUserTimeout", CloseWait, Closed, "user timeout", "-", "RFC 9293 §3.10.8",
     Text, UserTimer, "data unacknowledged"},
    {"ClosingToClosedOnUserTimeout", Closing, Closed, "user timeout", "-", "RFC 9293 §3.10.8", Text,
     UserTimer, ""},
    {"LastAckToClosedOnUserTimeout", LastAck, Closed, "user timeout", "-", "RFC 9293 §3.10.8", Text,
     UserTimer, ""},
    // Retransmission limit R2 (§3.8.3): the connection is given up.
    {"SynSentToClosedOnRetransmissionLimit", SynSent, Closed, "retransmission limit R2", "-",
     "RFC 9293 §3.8.3", Text, Always, ""},
    {"SynReceivedToListenOnRetransmissionLimit", SynReceived, Listen, "retransmission limit R2",
     "-", "RFC 9293 §3.8.3", Text, Always,
     "opened passively: only this attempt is given up, the listener stays (digest §3)"},
    {"SynReceivedToClosedOnRetransmissionLimit", SynReceived, Closed, "retransmission limit R2",
     "-", "RFC 9293 §3.8.3", Text, Always, "opened actively"},
    {"EstablishedToClosedOnRetransmissionLimit", Established, Closed, "retransmission limit R2",
     "-", "RFC 9293 §3.8.3", Text, Always, ""},
    {"FinWait1ToClosedOnRetransmissionLimit", FinWait1, Closed, "retransmission limit R2", "-",
     "RFC 9293 §3.8.3", Text, Always, ""},
    {"CloseWaitToClosedOnRetransmissionLimit", CloseWait, Closed, "retransmission limit R2", "-",
     "RFC 9293 §3.8.3", Text, Always, ""},
    {"ClosingToClosedOnRetransmissionLimit", Closing, Closed, "retransmission limit R2", "-",
     "RFC 9293 §3.8.3", Text, Always, ""},
    {"LastAckToClosedOnRetransmissionLimit", LastAck, Closed, "retransmission limit R2", "-",
     "RFC 9293 §3.8.3", Text, Always, ""},
    // Without RFC 5961, an in-window SYN is an error that resets the connection (§3.10.7.4 fourth).
    {"SynReceivedToClosedOnSynWithoutRfc5961", SynReceived, Closed, "rcv SYN", "snd RST",
     "RFC 9293 §3.10.7.4", Text, LegacySyn, "opened actively"},
    {"EstablishedToClosedOnSynWithoutRfc5961", Established, Closed, "rcv SYN", "snd RST",
     "RFC 9293 §3.10.7.4", Text, LegacySyn, ""},
    {"FinWait1ToClosedOnSynWithoutRfc5961", FinWait1, Closed, "rcv SYN", "snd RST",
     "RFC 9293 §3.10.7.4", Text, LegacySyn, ""},
    {"FinWait2ToClosedOnSynWithoutRfc5961", FinWait2, Closed, "rcv SYN", "snd RST",
     "RFC 9293 §3.10.7.4", Text, LegacySyn, ""},
    {"CloseWaitToClosedOnSynWithoutRfc5961", CloseWait, Closed, "rcv SYN", "snd RST",
     "RFC 9293 §3.10.7.4", Text, LegacySyn, ""},
    {"ClosingToClosedOnSynWithoutRfc5961", Closing, Closed, "rcv SYN", "snd RST",
     "RFC 9293 §3.10.7.4", Text, LegacySyn, ""},
    {"LastAckToClosedOnSynWithoutRfc5961", LastAck, Closed, "rcv SYN", "snd RST",
     "RFC 9293 §3.10.7.4", Text, LegacySyn, ""},
    {"TimeWaitToClosedOnSynWithoutRfc5961", TimeWait, Closed, "rcv SYN", "snd RST",
     "RFC 9293 §3.10.7.4", Text, LegacySyn, ""},
    // Half-duplex close (§3.6.1, MAY-1 and SHLD-3): data the user can no longer read.
    {"EstablishedToClosedOnCloseWithUnreadData", Established, Closed, "CLOSE with unread data",
     "snd RST", "RFC 9293 §3.6.1", Text, HalfDuplexClose, ""},
    {"CloseWaitToClosedOnCloseWithUnreadData", CloseWait, Closed, "CLOSE with unread data",
     "snd RST", "RFC 9293 §3.6.1", Text, HalfDuplexClose, ""},
    {"FinWait1ToClosedOnDataAfterClose", FinWait1, Closed, "rcv data after CLOSE", "snd RST",
     "RFC 9293 §3.6.1", Text, HalfDuplexClose, ""},
    {"FinWait2ToClosedOnDataAfterClose", FinWait2, Closed, "rcv data after CLOSE", "snd RST",
     "RFC 9293 §3.6.1", Text, HalfDuplexClose, ""},
    // Not an RFC 9293 timer: FIN-WAIT-2 may last forever there (§3.10.8 lists no such timeout).
    {"FinWait2ToClosedOnFinWait2Timeout", FinWait2, Closed, "FIN-WAIT-2 timeout", "-",
     "RFC 9293 §3.10.8", Text, FinWait2Timer, "Linux tcp_fin_timeout; RFC 9293 has no such timer"},
});

std::string dot_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::span<const Transition> transitions() {
  return kTransitions;
}

bool condition_holds(ArrowCondition c, const Profile& p) {
  switch (c) {
    case Always: return true;
    case TimeWaitReopen: return p.time_wait_syn == TimeWaitSyn::Reopen;
    case RstSenderEntersTimeWait: return p.rst_sender_enters_time_wait;
    case RstSenderCloses: return !p.rst_sender_enters_time_wait;
    case TimeWaitAcceptsRst: return p.time_wait_rst == TimeWaitRst::Accept;
    case LegacySyn: return !p.rfc5961_syn;
    case HalfDuplexClose: return p.half_duplex_close;
    case FinWait2Timer: return p.fin_wait_2_timeout_ms > 0;
    case UserTimer: return p.user_timeout_ms > 0;
  }
  return false;
}

bool is_allowed_edge(State from, State to, const Profile& p) {
  if (from == to) return true;
  for (const Transition& t : kTransitions) {
    if (t.from == from && t.to == to && condition_holds(t.condition, p)) return true;
  }
  return false;
}

std::string_view to_string(ArrowSource s) {
  switch (s) {
    case Figure5: return "Figure 5";
    case FigureNote: return "Figure 5 note";
    case Text: return "§3.10 text";
  }
  return "?";
}

std::string_view to_string(ArrowCondition c) {
  switch (c) {
    case Always: return "always";
    case TimeWaitReopen: return "time_wait_syn=reopen";
    case RstSenderEntersTimeWait: return "rst_sender_enters_time_wait";
    case RstSenderCloses: return "!rst_sender_enters_time_wait";
    case TimeWaitAcceptsRst: return "time_wait_rst=accept";
    case LegacySyn: return "!rfc5961_syn";
    case HalfDuplexClose: return "half_duplex_close";
    case FinWait2Timer: return "fin_wait_2_timeout";
    case UserTimer: return "user_timeout";
  }
  return "?";
}

std::string to_dot() {
  std::string out = "digraph tcp_states {\n  node [shape=box];\n";
  for (State s : kAllStates) out += "  \"" + std::string(to_string(s)) + "\";\n";
  for (const Transition& t : kTransitions) {
    std::string label = std::string(t.event) + " / " + std::string(t.sent);
    if (t.condition != Always) label += " [" + std::string(to_string(t.condition)) + "]";
    out += "  \"" + std::string(to_string(t.from)) + "\" -> \"" + std::string(to_string(t.to)) +
           "\" [label=\"" + dot_escape(label) + "\"";
    if (t.source == FigureNote) out += ", style=dashed";
    if (t.source == Text) out += ", style=dotted";
    out += "];\n";
  }
  out += "}\n";
  return out;
}

}  // namespace tcpfsm
