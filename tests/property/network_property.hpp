#pragma once
// Network properties: two endpoints of one implementation joined by harness::Network, with a
// generated fault schedule (loss, duplication, reordering, delay) and generated user behaviour
// (opens, sends, receives, closes in either order or at once, an occasional abort), run as a
// two-endpoint .tcp script so that a failing case is its own counterexample.
//
// A run fails when the invariant catalogue (InvariantMonitor, attached by run_script) reports
// anything, or when one of the close-role and data checks below fails:
//   * TIME-WAIT is entered only by an endpoint whose CLOSE came before the peer's FIN, and
//     never by one that passed CLOSE-WAIT or closed after the peer's FIN (an ABORT into
//     TIME-WAIT under rst_sender_enters_time_wait excepted);
//   * when both users closed and no RST, ABORT or connection-ending timeout happened, the
//     close is not stuck: at the end both ends are CLOSED or in TIME-WAIT, or a timer is still
//     armed on one of them (progress can be slow after losses, under back-off, but a pair with
//     no timer armed and nothing in flight never moves again);
//   * on a quiet completion (no loss, RST, ABORT or connection-ending timeout in the whole
//     run, both ends done): both ends of a simultaneous close passed TIME-WAIT; otherwise the
//     active closer did and the passive closer went through LAST-ACK and never did;
//   * when the peer's FIN is taken, unread + delivered octets equal the octets the peer's
//     user SENT in that incarnation: no byte lost, none invented;
//   * on a network that lost nothing, no endpoint gives up retransmitting (every segment it
//     sent arrived, so its peer answered or reset it);
//   * the run ends (StepLimit): a pair that keeps exchanging segments where the reference pair
//     comes to an end fails. When the reference pair does not end either, the case is
//     discarded and counted: that is the model's own behaviour, reported, not judged here.
#include <rapidcheck.h>

#include <array>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "check_runner.hpp"
#include "core/profile.hpp"
#include "harness/endpoint_under_test.hpp"
#include "harness/script.hpp"
#include "harness/script_runner.hpp"

namespace tcpfsm::prop {

struct NetScenario {
  std::string plan;  // how it opens and closes, in words
  harness::Script script;
};
std::ostream& operator<<(std::ostream& os, const NetScenario& s);

rc::Gen<NetScenario> gen_net_scenario();

// How often the explicit checks had something to judge.
struct NetStats {
  std::uint64_t runs = 0;
  std::uint64_t steps = 0;
  std::uint64_t graceful_closes_judged = 0;
  std::uint64_t quiet_completions = 0;
  std::uint64_t simultaneous_closes_judged = 0;
  std::uint64_t active_passive_closes_judged = 0;
  std::uint64_t fins_judged = 0;  // data checks at the arrival of a FIN
  std::uint64_t time_wait_entries = 0;
  std::uint64_t max_steps = 0;  // the longest run, in endpoint steps
  // Runs that did not end (StepLimit) with the reference pair as well: a behaviour of the model,
  // not of the implementation under test; discarded, counted, and the first one kept.
  std::uint64_t runaways = 0;
  std::string first_runaway;
  std::string table() const;
};

// The close-role and data checks on a finished run of endpoints with these profiles (A, B);
// nullopt when they hold. `timer_armed_at_end`: either endpoint had a timer armed after the
// last step of the run.
std::optional<std::string> close_role_failure(const harness::RunResult& run,
                                              const std::array<Profile, 2>& profiles,
                                              bool timer_armed_at_end, NetStats* stats);

struct NetFailure {
  NetScenario scenario;
  std::string failure;
};

void network_property(harness::EndpointFactory factory, NetStats* stats,
                      std::optional<NetFailure>* last_failure);

struct NetResult {
  CheckReport report;
  NetStats stats;
  std::string script_text;
  std::string script_path;
};

// Runs the property for pairs built by `factory`; on failure prints the report, the reproduce
// string and the two-endpoint counterexample script (written under the build directory too),
// and replays it against `factory` and against the reference.
NetResult check_network(const CheckOptions& options, harness::EndpointFactory factory);

}  // namespace tcpfsm::prop
