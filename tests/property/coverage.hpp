#pragma once
// What the differential runs reached, counted from the reference's steps: the eleven states
// (how many sequences reached each) and the situations the known bugs of the mutant zoo live
// in (how many steps showed each), so that a test can insist the generators get there.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/state.hpp"
#include "step_view.hpp"

namespace tcpfsm::prop {

// The situations of model/fast/mutant.hpp, one or more per mutant.
enum class Situation : std::uint8_t {
  FinInFinWait1,             // an accepted FIN in FIN-WAIT-1 (to CLOSING or TIME-WAIT)
  FinInFinWait2,             // an accepted FIN in FIN-WAIT-2
  SimultaneousClose,         // FIN-WAIT-1 -> CLOSING
  FinAckOfOurFinInFinWait1,  // FIN-WAIT-1 -> TIME-WAIT on one segment
  ClosingToTimeWait,
  RstWithoutAckInSynReceived,
  SynAckInEstablished,
  InexactRstInWindow,          // a RST inside the window but off RCV.NXT, synchronized state
  SequenceWraparound,          // SND.NXT or RCV.NXT crossed 2^32
  FinRetransmittedInTimeWait,  // a FIN in TIME-WAIT that pushed the 2*MSL deadline later
  AckAtListener,
  TimeWaitExpires,
  CloseWaitToLastAck,
  LastAckToClosed,
  ReopenFromTimeWait,
  ZeroWindowProbeOrOverride,  // the persist timer sent something
  Retransmission,             // the retransmission timer sent something
};
inline constexpr std::size_t kSituations = 17;
std::string_view to_string(Situation s);

struct Coverage {
  std::uint64_t sequences = 0;
  std::uint64_t commands = 0;
  std::array<std::uint64_t, 11> states{};               // sequences that reached each state
  std::array<std::uint64_t, kSituations> situations{};  // steps showing each situation

  void add(const Transcript& run);
  std::vector<State> states_missed() const;
  std::vector<Situation> situations_missed() const;
  std::string table() const;
};

}  // namespace tcpfsm::prop
