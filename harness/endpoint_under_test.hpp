#pragma once
// The one interface through which the harness drives any TCP implementation: the reference
// model, the optimized implementation, or a black box such as the Linux kernel. The harness
// never needs more than this; what a black box cannot tell (its TCB, its timers) comes back
// empty and the checks that need it are skipped for it.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/event.hpp"
#include "core/outcome.hpp"
#include "core/profile.hpp"
#include "core/tcb_snapshot.hpp"
#include "fast/mutant.hpp"

namespace tcpfsm::harness {

class EndpointUnderTest {
 public:
  virtual ~EndpointUnderTest() = default;

  // "reference", "optimized", "linux", ...
  virtual std::string_view kind() const = 0;
  virtual Outcome step(const Event& event, Millis now) = 0;
  virtual State state() const = 0;
  virtual std::optional<TcbSnapshot> tcb() const = 0;
  // The earliest armed timer; nullopt when none is armed or the implementation cannot tell.
  virtual std::optional<std::pair<TimerKind, Millis>> next_timer() const = 0;
  // When the given timer fires; nullopt when it is not armed or the implementation cannot tell.
  virtual std::optional<Millis> deadline(TimerKind timer) const = 0;
  virtual const Profile& profile() const = 0;
  // A copy in the same state, for explorers; nullptr when the implementation cannot be copied.
  virtual std::unique_ptr<EndpointUnderTest> clone() const = 0;
  // For explorers: appends to `out` a canonical encoding of everything that decides this
  // endpoint's future behaviour (state, every TCB field with its queues, RTT estimator, retry
  // and challenge-ACK counters, timers, the next ISS), so that equal encodings mean equal
  // behaviour from here on. Times are encoded relative to `now`, the caller's clock, which is
  // never behind the endpoint's own; a timer already due encodes as due now. The profile is not
  // encoded (an explorer never mixes profiles for one endpoint). Returns false, appending
  // nothing, when the implementation cannot tell; explorers then fall back to what state(),
  // tcb() and deadline() show.
  virtual bool encode_state(Millis /*now*/, std::string& /*out*/) const { return false; }
};

// Builds an implementation for a profile and the ISS of its first incarnation.
using EndpointFactory = std::unique_ptr<EndpointUnderTest> (*)(const Profile& profile,
                                                               SeqNum first_iss);

std::unique_ptr<EndpointUnderTest> make_reference_endpoint(const Profile& profile,
                                                           SeqNum first_iss);
// The optimized implementation (model/fast) behind the same interface.
std::unique_ptr<EndpointUnderTest> make_optimized_endpoint(const Profile& profile,
                                                           SeqNum first_iss);
// The optimized implementation with one of the known bugs switched on.
std::unique_ptr<EndpointUnderTest> make_mutant_endpoint(fast::Mutant mutant, const Profile& profile,
                                                        SeqNum first_iss);

}  // namespace tcpfsm::harness
