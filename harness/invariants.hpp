#pragma once
// The invariant catalogue: every property a run of any TCP implementation must keep, as data.
// Each entry has an id (I1..I18 and E1..E10 of the RFC digest §5, plus named network-level
// properties), a one-line statement in our words, the RFC text it rests on, the profiles it
// holds under, and whether it needs the TCB (black-box endpoints expose none, and such checks
// are skipped for them).
//
// InvariantMonitor is the RunObserver that checks the catalogue after every step. It keeps the
// history each check needs, per endpoint and per incarnation (an incarnation starts when an
// endpoint leaves CLOSED or LISTEN for a connection, or reopens from TIME-WAIT): the states
// visited, when the user called CLOSE and when the peer's FIN arrived, the octets the user
// SENT and the octets handed to it, our ISS and FIN sequence number as seen on the wire, the
// time TIME-WAIT was last (re)started; and, for the network-level checks, whether the run so
// far saw a loss, a RST, an ABORT or a timeout that ends a connection.
#include <memory>
#include <string_view>
#include <vector>

#include "core/profile.hpp"
#include "harness/observer.hpp"

namespace tcpfsm::harness {

struct InvariantInfo {
  std::string_view id;         // "I3", "E7", "data-safety", ...
  std::string_view statement;  // one line, our words
  std::string_view rfc;        // where the rule comes from: section and requirement ID
  std::string_view profiles;   // the profiles it holds under, in words
  bool needs_tcb = false;      // skipped when the step exposes no TCB
  bool network_level = false;  // needs both endpoints (WorldView::b != nullptr)
  bool (*applies)(const Profile&) = nullptr;  // nullptr: every profile
};

// Every invariant, digest order first (I1..I18, E1..E10), then the network-level ones.
const std::vector<InvariantInfo>& invariant_catalogue();
// The entry with this id, or nullptr.
const InvariantInfo* find_invariant(std::string_view id);
bool applies_to(const InvariantInfo& info, const Profile& profile);

class InvariantMonitor final : public RunObserver {
 public:
  InvariantMonitor();
  ~InvariantMonitor() override;
  InvariantMonitor(const InvariantMonitor& other);
  InvariantMonitor& operator=(const InvariantMonitor& other);
  InvariantMonitor(InvariantMonitor&&) noexcept;
  InvariantMonitor& operator=(InvariantMonitor&&) noexcept;

  // Checks one step; returns the violations it showed (Violation::invariant is the id).
  std::vector<Violation> on_step(const StepRecord& step, const WorldView& world) override;
  void on_fault(FaultKind kind, Actor from, const Segment& seg) override;

  // Every violation reported so far, in order.
  const std::vector<Violation>& violations() const;
  std::size_t steps_checked() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tcpfsm::harness
