#pragma once
// Conformance cases: what a real TCP stack did, step by step, and the model's replay of them.
//
// A case (the JSON format of ../shared/conformance/FORMAT.md, summarised in
// docs/linux-deviations.md) is a scenario -- a peer that injects segments and an application
// that drives one socket -- plus what the stack did after every step: the state of the
// connection and every segment it emitted, with sequence numbers relative to each side's ISS.
//
// This header holds the case data, its JSON form, the relative numbering the format defines,
// the model side of a scenario (one connection, its listener, and the application's socket),
// the replay of a case against any EndpointUnderTest and the per-step comparison, the mapping
// from single-endpoint .tcp scripts to scenarios, and the seeded generator of random scenarios.
// The kernel side lives in linux_adapter.hpp.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/profile.hpp"
#include "core/segment.hpp"
#include "harness/endpoint_under_test.hpp"
#include "harness/script.hpp"

namespace tcpfsm::harness::conformance {

// Who the stack under test is: a listener on port 8080, a client that connects to the peer,
// or no socket at all (closed-port behaviour).
enum class Role : std::uint8_t { Server, Client, Closed };
std::string_view to_string(Role r);
std::optional<Role> parse_role(std::string_view s);

enum class Op : std::uint8_t {
  Inject,
  Connect,
  Accept,
  Send,
  Read,
  ShutdownWr,
  Close,
  Abort,
  CloseListener,
  Wait,
};
std::string_view to_string(Op op);
std::optional<Op> parse_op(std::string_view s);

// A number of an injected segment as written in a scenario: an integer, or "nxt", "nxt+K",
// "nxt-K".
struct NumberSpec {
  bool from_nxt = false;
  std::int64_t offset = 0;
  bool operator==(const NumberSpec&) const = default;
};

struct ScenarioStep {
  Op op = Op::Wait;
  // inject
  std::string flags;  // letters of S A F R P U
  std::optional<NumberSpec> seq, ack;
  std::uint32_t len = 0;
  std::uint32_t win = 65535;
  // send: octets; wait: milliseconds (at most 10000)
  std::uint32_t n = 0;
  std::uint32_t ms = 0;
  bool operator==(const ScenarioStep&) const = default;
};

struct Scenario {
  std::string name;
  Role role = Role::Server;
  std::string desc;
  std::vector<ScenarioStep> steps;
  // Overrides of tcp_* sysctls (name without the net.ipv4. prefix, value).
  std::vector<std::pair<std::string, std::int64_t>> sysctl;
  bool operator==(const Scenario&) const = default;
};

// A segment with its numbers relative as the format defines them: SEQ relative to its
// sender's ISS, ACK relative to the receiver's. Relative numbers are signed 32-bit
// differences; they compare modulo 2^32.
struct WireSegment {
  std::string flags;  // the letters of S F R P A U E C, in that order
  std::int64_t seq = 0;
  bool seq_abs0 = false;  // "abs0": a RST whose absolute SEQ is 0
  std::optional<std::int64_t> ack;
  std::uint32_t len = 0;
  std::uint32_t win = 0;
  std::vector<std::string> opts;
  std::optional<std::int64_t> iss_delta;
  bool operator==(const WireSegment&) const = default;
};

struct StepRecord {
  int i = 0;
  Op op = Op::Wait;
  std::optional<WireSegment> sent;  // inject: what went out, resolved
  std::string app;                  // the application call's result as JSON ("" when none)
  std::uint32_t n = 0, ms = 0;
  std::vector<WireSegment> segments;
  std::string state = "CLOSED";  // RFC 9293 name of the connection's state; CLOSED when none
  std::string sock;              // "full", "request", "timewait", or "" for null
  std::optional<std::pair<std::uint32_t, std::uint32_t>> queues;
  bool listener = false;
  double t_ms = 0;
  bool deterministic = true;
};

struct Case {
  std::string name;
  std::string source;
  Scenario scenario;
  int runs = 1;
  bool deterministic = true;
  std::vector<StepRecord> steps;
};

// --- JSON ---
// Never throw; a malformed text yields a message naming what is wrong.
std::variant<Case, std::string> parse_case(std::string_view json);
std::variant<Scenario, std::string> parse_scenario(std::string_view json);
std::string to_json(const Case& c);
std::string to_json(const Scenario& s);
// Every *.json file under `dir`, subdirectories included, in path order.
std::variant<std::vector<Case>, std::string> load_cases(const std::string& dir);

// "S", "PA", "RA": control bits in the order S F R P A U.
std::string flags_of(std::uint8_t ctl);
std::optional<std::uint8_t> ctl_of(std::string_view flags);
// [RA 1:101 len 0] -- the compact form reports print.
std::string describe(const WireSegment& s);
std::string describe(const ScenarioStep& s);

// --- relative numbering (FORMAT.md "Scenario") ---
// One side of the numbering: where the injector's and the stack's sequence numbers stand.
class Numbering {
 public:
  explicit Numbering(std::uint32_t injector_iss) : injector_iss_(injector_iss) {}

  // A scenario step's inject, with "nxt" resolved, as the record's `sent`.
  WireSegment resolve(const ScenarioStep& step) const;
  // The absolute segment a resolved record stands for.
  Segment to_absolute(const WireSegment& sent) const;
  // After an injection: the injector's SND.NXT moves as the format says.
  void injected(const WireSegment& sent);
  // A segment the stack emitted, made relative; a SYN teaches the stack's ISS.
  WireSegment observed(const Segment& seg);

  std::optional<std::uint32_t> stack_iss() const { return stack_iss_; }
  std::uint32_t injector_iss() const { return injector_iss_; }

 private:
  std::uint32_t injector_iss_;
  std::int64_t injector_nxt_ = 0;  // relative to injector_iss_
  bool injector_sent_syn_ = false;
  std::optional<std::uint32_t> stack_iss_;  // absolute; before the first SYN numbers are absolute
  std::int64_t stack_nxt_ = 0;              // relative to stack_iss_
};

// --- the model side of a scenario ---
// The profile a scenario is replayed with: the sysctls of the set-up (FORMAT.md) and the
// case's overrides (linux profile only), and what the model's single CLOSE stands for:
// Linux's close() orphans the socket (digest L4-L6), shutdown(SHUT_WR) does not, so a scenario
// that uses shutdown_wr gets the orphan switches off. Without a listener (client and closed
// roles) a SYN cannot reopen TIME-WAIT (L3).
Profile profile_for(const Profile& base, const Scenario& scenario);

// One departure of the linux profile from RFC 9293 (a Profile field) and how to take it back
// alone, for ablation: the cases that stop matching without it are the ones that show it.
// rto_min_ms and fin_wait_2_timeout_ms are not listed: profile_for() sets them from the
// set-up's sysctls.
struct LinuxSwitch {
  std::string_view name;
  void (*revert)(Profile&);
};
std::span<const LinuxSwitch> linux_switches();

// The model under a scenario: one connection (an EndpointUnderTest), the listener that
// spawns it (role server), and the application's socket.
class ModelSide {
 public:
  ModelSide(Role role, const Profile& profile, EndpointFactory factory, std::uint32_t iss);

  // Each returns the segments the model sent (absolute), in order.
  std::vector<Segment> inject(const Segment& seg, Millis now);
  std::vector<Segment> app(Op op, std::uint32_t n, Millis now);
  std::vector<Segment> advance(Millis now);

  // What advance() sends, each segment with the timer's deadline and how late a kernel's
  // timer of that length may fire (Linux's timer wheel rounds expiries up by up to about an
  // eighth of the timeout, plus a tick).
  struct TimedSegment {
    Segment seg;
    Millis deadline = 0;
    Millis slack = 0;
  };
  std::vector<TimedSegment> advance_timed(Millis now);

  // What a kernel case records after a step.
  std::string state() const;
  std::string sock() const;
  bool listener() const { return listener_alive_; }
  std::optional<std::pair<std::uint32_t, std::uint32_t>> queues() const;

 private:
  void respawn_listener(Millis now, std::vector<Segment>& out);
  bool app_owns_connection() const;
  void run(const Event& e, Millis now, std::vector<Segment>& out);

  Role role_;
  Profile profile_;
  EndpointFactory factory_;
  std::uint32_t next_iss_;
  std::unique_ptr<EndpointUnderTest> conn_;
  bool listener_alive_ = false;
  int generation_ = 0;                 // bumped whenever a new connection takes the 4-tuple
  std::optional<int> app_generation_;  // the connection the application's socket belongs to
  bool app_connected_ = false;         // client: connect() was called
  bool app_closed_ = false;            // close() or abort() was called
  bool shut_wr_ = false;
  // When each timer's current deadline was set, to know the timeout's length.
  std::array<std::optional<Millis>, kTimerKinds> deadline_{};
  std::array<Millis, kTimerKinds> armed_at_{};
};

// --- replay and comparison ---
struct StepVerdict {
  int i = 0;
  bool state_ok = true;
  bool segments_ok = true;
  bool ok() const { return state_ok && segments_ok; }
};

struct CaseReport {
  std::string name;
  std::vector<StepRecord> model;  // the model's steps, in the case's format
  std::vector<StepVerdict> verdicts;
  int steps = 0;
  int steps_matched = 0;
  bool matched() const { return steps == steps_matched; }
  std::optional<int> first_divergence() const;
};

// Replays the case's injected segments (its `sent` records) and application calls against the
// model and compares state and segments (flags, SEQ, ACK, LEN; not WND) after every step.
CaseReport replay(const Case& c, const Profile& profile,
                  EndpointFactory factory = make_reference_endpoint);

// The two sides of one step, one line each, for reports.
std::vector<std::string> side_by_side(const Case& c, const CaseReport& r, bool only_divergent);

struct Summary {
  int cases = 0, cases_matched = 0, steps = 0, steps_matched = 0;
  void add(const CaseReport& r);
};

// --- scenarios from elsewhere ---
// A single-endpoint .tcp script as a scenario: its events (segments, calls, time) become steps;
// its expectations are left out. Two-endpoint scripts, forced timeouts and waits beyond 10 s
// have no kernel counterpart and are refused with a message.
std::variant<Scenario, std::string> scenario_from_script(const Script& script, std::string name);

// A random well-formed scenario: a role, the usual opening for it, then `steps` random
// injections (mostly at or near the sequence numbers the peer would use), application calls
// and short waits. The same seed gives the same scenario.
Scenario random_scenario(std::uint64_t seed, int steps);

}  // namespace tcpfsm::harness::conformance
