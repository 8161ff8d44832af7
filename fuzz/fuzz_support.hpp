#pragma once
// What the fuzz targets share: state-aware feedback for libFuzzer, the coverage matrix, the two
// oracles (reference against another implementation in lockstep, and the invariant
// catalogue), and how a finding is reported and bucketed.
//
// Feedback: every step of the reference model bumps one libFuzzer "extra counter" for its
// (state, event class, deciding RFC check) triple, and in two-endpoint runs one for the pair of
// endpoint states, so an input that reaches a new spec transition is kept even when it covers
// no new branch of the code. The same steps feed the coverage matrix (states x event classes)
// that a run prints and draws as an SVG heat map when TCPFSM_FUZZ_MATRIX=PREFIX is set.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.hpp"
#include "core/rules.hpp"
#include "core/state.hpp"
#include "harness/endpoint_under_test.hpp"
#include "harness/observer.hpp"

namespace tcpfsm::fuzz {

// What kind of event a step was, for the coverage matrix and the feedback counters.
enum class EventClass : std::uint8_t {
  OpenPassive,
  OpenActive,
  Send,
  Receive,
  Close,
  Abort,
  Status,
  TimeoutRetransmission,
  TimeoutZeroWindowProbe,
  TimeoutUser,
  TimeoutTimeWait,
  TimeoutFinWait2,
  RcvSyn,
  RcvSynAck,
  RcvAck,  // a bare ACK
  RcvData,
  RcvFin,
  RcvRst,
  RcvRstAck,
  RcvNoAck,  // no ACK, SYN, FIN or RST
};
inline constexpr int kEventClasses = 20;

EventClass classify(const Event& e);
std::string_view to_string(EventClass c);   // "rcv SYN,ACK"
std::string_view short_name(EventClass c);  // "SYN." (matrix column)

// --- feedback and coverage --------------------------------------------------------------------

// One step of the reference model: its state before, the event, the deciding check.
void record_step(State from, State to, const Event& event, Rule rule);
// Both endpoints' states after a step of a two-endpoint run.
void record_pair(State a, State b);
// Counts one execution of the target (for the "executions until ..." figures).
void note_execution();
std::uint64_t executions();

// The coverage matrix as text, and as an SVG heat map.
std::string matrix_text();
std::string matrix_svg();
// Writes PREFIX.txt and PREFIX.svg; false when a file cannot be written.
bool write_matrix(const std::string& prefix);

// --- findings ---------------------------------------------------------------------------------

struct Finding {
  std::string bucket;   // the first divergent transition, e.g. "FIN-WAIT-1 | rcv FIN | state: ..."
  std::string summary;  // one paragraph: what differed, with the values
  std::string details;  // traces
  // Builds more details (the traces, by running the input again) when the finding is printed:
  // a run that only buckets findings (keep-going, replay --expect-finding, fuzz_mutant's check
  // against the unmutated implementation) never pays for them. It may refer to the input, so it
  // is called only while that input is alive (report_finding).
  std::function<std::string()> more_details;
  std::size_t action = 0;  // the input's action (counted from 1) where it showed; 0: unknown
};

// The name printed in reports ("fuzz_differential").
void set_target_name(std::string_view name);
// Prints the finding with the decoded script and aborts (libFuzzer records the input). When
// findings are expected (replay --expect-finding), records it and returns instead.
void report_finding(const Finding& f, std::span<const std::uint8_t> input,
                    bool decode_input = true);
void expect_findings(bool on);
bool take_finding();  // whether a finding was reported since the last call

// --- oracles ----------------------------------------------------------------------------------

// Runs the input on the reference model and on `other` in lockstep (numbers resolved against the
// reference) and returns the first difference in state, segments sent, notices, TCB or timers.
// Rules (the deciding check) are compared only when TCPFSM_FUZZ_COMPARE_RULES=1.
std::optional<Finding> differential(std::span<const std::uint8_t> input,
                                    harness::EndpointFactory other, std::string_view other_name);

// Runs the input on reference endpoints with the invariant catalogue watching every step.
std::optional<Finding> invariants(std::span<const std::uint8_t> input);

}  // namespace tcpfsm::fuzz
