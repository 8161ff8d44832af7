#pragma once
// The zoo of known bugs: state-machine mistakes real TCP stacks have shipped, each a switch of
// the optimized implementation. Mutant::None is the correct implementation; the others exist
// to prove that the property tests, the fuzzers and the explorer catch such bugs.
#include <array>
#include <cstdint>
#include <string_view>

namespace tcpfsm::fast {

enum class Mutant : std::uint8_t {
  None,
  // 1. FIN in FIN-WAIT-1/2 goes to CLOSE-WAIT (FIN-WAIT-1) or LAST-ACK (FIN-WAIT-2) instead of
  //    CLOSING / TIME-WAIT: the active closer never reaches TIME-WAIT.
  FinWaitFinGoesToCloseWait,
  // 2. Simultaneous close: CLOSING is entered but our FIN is never transmitted.
  SimultaneousCloseFinNeverSent,
  // 3. RST in SYN-RECEIVED ignored unless it carries ACK.
  SynReceivedIgnoresRstWithoutAck,
  // 4. SYN+ACK in a synchronized state answered with RST instead of an ACK.
  SynAckInSynchronizedStateDrawsRst,
  // 5. FIN+ACK in FIN-WAIT-1 acknowledging our FIN leaves the connection in FIN-WAIT-2.
  FinAckInFinWait1StaysInFinWait2,
  // 6. An in-window but inexact RST is accepted (no RFC 5961 check).
  InexactRstAccepted,
  // 7. Sequence numbers compared with plain < instead of modular arithmetic.
  PlainSequenceComparison,
  // 8. TIME-WAIT timer not restarted by a retransmitted FIN.
  TimeWaitNotRestartedByFin,
  // 9. Simultaneous close leaves one side in CLOSE-WAIT after its FIN was sent.
  SimultaneousCloseLeavesCloseWait,
  // 10. LISTEN answers an ACK-bearing segment with nothing instead of a RST.
  ListenSilentOnAck,
};

inline constexpr std::array<Mutant, 10> kAllMutants = {
    Mutant::FinWaitFinGoesToCloseWait,       Mutant::SimultaneousCloseFinNeverSent,
    Mutant::SynReceivedIgnoresRstWithoutAck, Mutant::SynAckInSynchronizedStateDrawsRst,
    Mutant::FinAckInFinWait1StaysInFinWait2, Mutant::InexactRstAccepted,
    Mutant::PlainSequenceComparison,         Mutant::TimeWaitNotRestartedByFin,
    Mutant::SimultaneousCloseLeavesCloseWait, Mutant::ListenSilentOnAck,
};

std::string_view to_string(Mutant m);

}  // namespace tcpfsm::fast
