#pragma once
// Exhaustive exploration of a bounded world (docs/explorer.md): two endpoints, the segments in
// flight between them (a bounded multiset) and the history the invariant catalogue reads. From
// every reachable world state the explorer tries every choice the world offers -- a user call on
// either side, the delivery, loss or duplication of any segment in flight, the expiry of any
// armed timer, an endpoint losing its TCB -- breadth first, and checks each transition: the
// invariant catalogue, the agreement of the implementation with an oracle (the reference), and
// at the end a liveness property on the explored graph. The answer is either the counts (a proof
// for that bound) or the shortest counterexample as a two-endpoint `.tcp` script that
// `tcpfsm run` replays.
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/profile.hpp"
#include "core/state.hpp"
#include "harness/endpoint_under_test.hpp"
#include "harness/script.hpp"

namespace tcpfsm::harness {

// The user calls the explorer may make on one endpoint.
enum class ExploreCall : std::uint8_t {
  OpenActive,
  OpenPassive,
  Send,     // SEND of ExploreConfig::send_size octets (one by default)
  Receive,  // RECEIVE of everything there; offered only while data waits to be read
  Close,
  Abort,
};
inline constexpr int kExploreCalls = 6;
std::string_view to_string(ExploreCall c);

// A bounded world, as read from a configuration file (corpus/explore/*.explore; the format is
// in docs/explorer.md).
struct ExploreConfig {
  std::string name;
  std::string description;
  ProfileSpec profile_a, profile_b;
  // Each combination of an ISS of A and one of B is an initial world.
  std::vector<std::uint32_t> iss_a{100}, iss_b{300};
  struct Side {
    std::array<bool, kExploreCalls> calls{};
    std::uint32_t opens = 1;  // accepted OPEN calls per run (rejected ones cost nothing)
    std::uint32_t sends = 0;  // accepted SEND calls per run
  };
  std::uint32_t send_size = 1;  // octets per SEND
  std::array<Side, 2> sides;    // A, B
  std::uint32_t capacity = 3;   // segments in flight, both directions together
  std::uint32_t loss = 0;       // segments the network may lose per run
  std::uint32_t duplicate = 0;  // segments it may duplicate per run
  std::uint32_t crash = 0;      // times an endpoint may lose its TCB per run
  bool compare = true;          // run the oracle next to the implementation
  bool liveness = true;
  std::uint64_t max_states = 0;  // stop after this many states (0: no limit)
};

// Reads a configuration; any text gives a config or one "file:line: message" error.
std::variant<ExploreConfig, std::string> parse_explore_config(std::string_view text,
                                                              std::string_view file);

struct ExploreProgress {
  std::uint64_t states = 0;
  std::uint64_t transitions = 0;
  std::uint32_t depth = 0;
  std::uint64_t frontier = 0;
  double seconds = 0;
  std::uint64_t bytes = 0;
};

struct ExploreOptions {
  // The implementation explored, and the oracle it must agree with (nullptr: none, or
  // compare=off in the configuration).
  EndpointFactory implementation = make_optimized_endpoint;
  EndpointFactory oracle = make_reference_endpoint;
  bool stop_at_first = true;  // stop at the first violation (the shortest one)
  // Record every distinct labelled transition of each endpoint, with a shortest witness, for
  // diagrams and seed corpora.
  bool collect_arrows = false;
  std::function<void(const ExploreProgress&)> progress;  // called about once a second
  // Threads that expand the frontier; the results do not depend on it.
  unsigned threads = 1;
};

// A failure with the shortest path that shows it.
struct Counterexample {
  enum class Kind : std::uint8_t { Invariant, Disagreement, Liveness };
  Kind kind = Kind::Invariant;
  std::string message;
  Script script;          // replays under `tcpfsm run`; annotated with the oracle's answers
  std::string text;       // the script as printed, with a comment saying what it shows
  std::size_t depth = 0;  // actions on the path
};
std::string_view to_string(Counterexample::Kind k);

// One labelled transition of one endpoint, as the explorer saw it taken.
struct ExploredArrow {
  State from = State::Closed;
  State to = State::Closed;
  std::string event;         // "rcv SYN,ACK", "CLOSE", "timeout retransmission", ...
  std::string sent;          // "snd ACK", "snd FIN,ACK; snd ACK", or "-"
  std::uint64_t count = 0;   // explored transitions with this label, both endpoints
  std::array<bool, 2> by{};  // taken by A, by B
  Script witness;            // a shortest run that takes it (its last step)
  std::size_t witness_depth = 0;
};

struct ExploreResult {
  std::string config;
  std::uint64_t initial_states = 0;
  std::uint64_t states = 0;
  std::uint64_t transitions = 0;
  std::uint32_t depth = 0;  // the longest shortest path to a state
  double seconds = 0;
  std::uint64_t bytes = 0;  // everything kept per state (keys, index, graph, parents)
  double bytes_per_state = 0;
  double key_bytes_per_state = 0;        // the canonical encodings alone
  std::uint64_t endpoint_encodings = 0;  // distinct endpoint states interned
  std::uint64_t history_encodings = 0;   // distinct per-side histories interned
  std::uint64_t segment_encodings = 0;   // distinct segments in flight interned
  std::uint64_t peak_frontier = 0;
  bool complete = false;         // every reachable state was expanded
  std::uint64_t violations = 0;  // violating transitions, disagreements and stuck states
  std::uint64_t invariant_violations = 0;
  std::uint64_t disagreements = 0;
  bool liveness_checked = false;
  std::uint64_t stuck_states = 0;
  std::vector<Counterexample> counterexamples;    // the first of each kind found
  std::map<std::string, std::uint64_t> violated;  // invariant id -> violating transitions
  std::vector<std::string> notes;                 // e.g. an implementation without encode_state
  // Which pairs (state of A, state of B) were reached, indexed [A][B] by State.
  std::array<std::array<bool, 11>, 11> pairs{};
  std::vector<ExploredArrow> arrows;               // with collect_arrows
  std::vector<std::string_view> rfc_arrows_taken;  // ids of model/core/transitions.hpp rows
  std::vector<std::string_view> rfc_arrows_missed;

  double states_per_second() const {
    return seconds > 0 ? static_cast<double>(states) / seconds : 0;
  }
};

ExploreResult explore(const ExploreConfig& config, const ExploreOptions& options = {});

// The summary object of `tcpfsm explore --json`.
std::string to_json(const ExploreResult& r);
// The explored state machine as a Graphviz digraph: one node per state reached, one edge per
// (from, to, event, sent) label; self-loops only when asked for.
std::string explored_dot(const ExploreResult& r, bool self_loops);

// For the cross-check with spin (docs/explorer.md): the configuration's world written as a
// Promela model, by hand-transcribed RFC 9293 event processing without data. It covers the
// configurations without SEND and RECEIVE, with one ISS per side and the rfc9293 profile (only
// the retry limits, MSL, the FIN-WAIT-2 timer and the ISS increment may be set). The model
// asserts the state and FIN invariants I1 and I11 to I13, and prints the pairs of states it
// reached ("tcpfsm-pairs: a,b ...", by State number) when pan exits. `error` says why a
// configuration is out of its reach.
struct PromelaModel {
  std::string text;
  std::string error;
};
PromelaModel promela_model(const ExploreConfig& config);

// Writes the Promela model into `dir` (a fresh directory under /tmp when empty), builds spin's
// verifier (spin -a; cc -O2 -DSAFETY) and runs it to the end (pan -c0).
struct SpinResult {
  std::string error;  // why it could not run (no spin, a configuration out of reach, ...)
  std::string dir;
  std::uint64_t states = 0;  // "states, stored"
  std::uint64_t errors = 0;  // assertion violations
  double seconds = 0;        // pan's search time ("elapsed time")
  double wall_seconds = 0;   // the pan process, start-up included
  std::array<std::array<bool, 11>, 11> pairs{};
};
SpinResult run_spin(const ExploreConfig& config, std::string dir = {});

}  // namespace tcpfsm::harness
