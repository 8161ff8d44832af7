#include "fast/mutant.hpp"

namespace tcpfsm::fast {

std::string_view to_string(Mutant m) {
  switch (m) {
    case Mutant::None: return "none";
    case Mutant::FinWaitFinGoesToCloseWait: return "fin-wait-fin-goes-to-close-wait";
    case Mutant::SimultaneousCloseFinNeverSent: return "simultaneous-close-fin-never-sent";
    case Mutant::SynReceivedIgnoresRstWithoutAck: return "syn-received-ignores-rst-without-ack";
    case Mutant::SynAckInSynchronizedStateDrawsRst: return "synack-in-synchronized-state-draws-rst";
    case Mutant::FinAckInFinWait1StaysInFinWait2: return "finack-in-fin-wait-1-stays-in-fin-wait-2";
    case Mutant::InexactRstAccepted: return "inexact-rst-accepted";
    case Mutant::PlainSequenceComparison: return "plain-sequence-comparison";
    case Mutant::TimeWaitNotRestartedByFin: return "time-wait-not-restarted-by-fin";
    case Mutant::SimultaneousCloseLeavesCloseWait: return "simultaneous-close-leaves-close-wait";
    case Mutant::ListenSilentOnAck: return "listen-silent-on-ack";
  }
  return "?";
}

}  // namespace tcpfsm::fast
