#pragma once
// The reference endpoint: one TCP connection exactly as RFC 9293 §3.10 (Event Processing)
// describes it, with the choices the RFC leaves open taken from a Profile.
//
// It never reads a clock or a random source: every step takes the current virtual time, and
// the initial sequence numbers come from the caller (set_next_iss) or from a deterministic
// sequence. A step returns an Outcome; nothing throws.
#include <array>
#include <optional>

#include "core/event.hpp"
#include "core/outcome.hpp"
#include "core/profile.hpp"
#include "reference/tcb.hpp"

namespace tcpfsm::reference {

class Endpoint {
 public:
  explicit Endpoint(Profile profile = Profile{}, SeqNum first_iss = SeqNum(1'000'000));

  // One event at virtual time `now`. Time never goes backwards: an earlier `now` is taken as
  // the latest time already seen.
  Outcome step(const Event& event, Millis now);

  // Fires, in deadline order, every timer whose deadline is at or before `now`.
  std::vector<Outcome> advance_to(Millis now);

  State state() const { return state_; }
  const Tcb& tcb() const { return tcb_; }
  const Profile& profile() const { return profile_; }
  std::optional<Millis> deadline(TimerKind t) const { return timers_[static_cast<int>(t)]; }
  // The earliest armed timer, if any.
  std::optional<std::pair<TimerKind, Millis>> next_timer() const;
  Millis now() const { return now_; }

  // The ISS the next incarnation will use (RFC 9293 §3.4.1 leaves the generator to us; the
  // model takes it as an input).
  void set_next_iss(SeqNum iss) { next_iss_ = iss; }
  SeqNum next_iss() const { return next_iss_; }
  // The TIME-WAIT TCB kept while a reopened incarnation is in SYN-RECEIVED (nullopt otherwise).
  const std::optional<Tcb>& time_wait_tcb() const { return time_wait_tcb_; }

  bool operator==(const Endpoint&) const = default;

 private:
  friend class Step;  // the per-event processing lives in endpoint_*.cpp

  Profile profile_;
  State state_ = State::Closed;
  Tcb tcb_{};
  std::array<std::optional<Millis>, kTimerKinds> timers_{};
  SeqNum next_iss_;
  Millis now_ = 0;
  // While an incarnation reopened from TIME-WAIT is in SYN-RECEIVED, the old TIME-WAIT TCB, to
  // go back to if the SYN proves to be an old duplicate (RFC 9293 §3.6.1, MAY-2 condition 2).
  std::optional<Tcb> time_wait_tcb_;
};

}  // namespace tcpfsm::reference
