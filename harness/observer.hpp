#pragma once
// What a run tells the checks watching it: every step of every endpoint, with the TCB before
// and after where the implementation exposes it, and every fault the network injects. The
// invariant catalogue is one such observer; coverage counters are another.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.hpp"
#include "core/outcome.hpp"
#include "core/profile.hpp"
#include "core/tcb_snapshot.hpp"
#include "harness/endpoint_under_test.hpp"
#include "harness/script.hpp"

namespace tcpfsm::harness {

struct StepRecord {
  std::size_t index = 0;  // 0-based count of steps in the run, over both endpoints
  Actor who = Actor::Self;
  Millis now = 0;
  Event event;
  Outcome outcome;
  std::optional<TcbSnapshot> tcb_before;
  std::optional<TcbSnapshot> tcb_after;
  const Profile* profile = nullptr;
};

// The world around the step: both endpoints (b is null in single-endpoint runs) and what is
// in flight between them.
struct WorldView {
  const EndpointUnderTest* a = nullptr;
  const EndpointUnderTest* b = nullptr;
  std::size_t in_flight_to_a = 0;
  std::size_t in_flight_to_b = 0;
  Millis now = 0;
};

enum class FaultKind : std::uint8_t { Loss, Duplication, Reordering, Delay };

struct Violation {
  std::string invariant;  // e.g. "I3" or "only-active-closer-reaches-time-wait"
  std::string rfc;        // where the rule comes from
  std::string detail;     // what was seen
};

class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual std::vector<Violation> on_step(const StepRecord& step, const WorldView& world) = 0;
  // The network dropped, duplicated, reordered or delayed a segment sent by `from`.
  virtual void on_fault(FaultKind, Actor /*from*/, const Segment&) {}
};

}  // namespace tcpfsm::harness
