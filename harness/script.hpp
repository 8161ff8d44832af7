#pragma once
// The .tcp script format (docs/script-format.md): scenarios and traces as text. This header is
// the syntax tree; script_parser.cpp reads it, script_printer.cpp writes it back, and
// script_runner.cpp plays it against any EndpointUnderTest.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/event.hpp"
#include "core/profile.hpp"
#include "core/rules.hpp"
#include "core/state.hpp"
#include "core/user_result.hpp"

namespace tcpfsm::harness {

// Who a line is about. Single-endpoint scripts use Self; two-endpoint scripts name A or B.
enum class Actor : std::uint8_t { Self, A, B };

// A sequence or acknowledgment number as written: relative to an ISS unless written "=N".
struct Number {
  bool absolute = false;
  std::uint32_t value = 0;
  bool operator==(const Number&) const = default;
};

struct SegmentSpec {
  std::uint8_t ctl = 0;  // Ctl bits; '.' in the text is kAck
  Number seq;
  std::uint32_t len = 0;
  std::optional<Number> ack;  // only meaningful with kAck
  std::optional<std::uint32_t> wnd;
  std::optional<std::uint16_t> up;  // only meaningful with kUrg
  bool operator==(const SegmentSpec&) const = default;
};

// "< ..." (single) or "A < ..." (two endpoints): a segment arrives at the endpoint.
struct InjectLine {
  Actor to = Actor::Self;
  SegmentSpec seg;
  bool operator==(const InjectLine&) const = default;
};
// "> ..." / "A > ...": the endpoint sent this segment; "> none": it sent nothing more.
struct ExpectSegmentLine {
  Actor from = Actor::Self;
  std::optional<SegmentSpec> seg;  // nullopt: "none"
  bool operator==(const ExpectSegmentLine&) const = default;
};
// "open passive", "send 100", "A close", ...: a user call (OpenCall .. StatusCall only).
struct CallLine {
  Actor who = Actor::Self;
  Event call;
  bool operator==(const CallLine&) const = default;
};
struct ExpectStateLine {
  Actor who = Actor::Self;
  State state = State::Closed;
  bool operator==(const ExpectStateLine&) const = default;
};
// "=> ok", "=> error: connection reset", "=> delivered 100": a notice of the last action.
struct ExpectNoticeLine {
  Actor who = Actor::Self;
  Notice notice;
  bool operator==(const ExpectNoticeLine&) const = default;
};
// "why ListenSynOpens": the RFC check that decided the last action.
struct ExpectRuleLine {
  Actor who = Actor::Self;
  Rule rule = Rule::None;
  bool operator==(const ExpectRuleLine&) const = default;
};

enum class TcbVar : std::uint8_t {
  Iss,
  Irs,
  SndUna,
  SndNxt,
  SndWnd,
  SndWl1,
  SndWl2,
  SndUp,
  MaxSndWnd,
  RcvNxt,
  RcvWnd,
  RcvUp,
};
// "tcb snd.una=1 rcv.wnd=65535": TCB values (sequence variables relative to their ISS).
struct ExpectTcbLine {
  Actor who = Actor::Self;
  std::vector<std::pair<TcbVar, Number>> values;
  bool operator==(const ExpectTcbLine&) const = default;
};
// "time +500" (relative) or "time 1500" (absolute): move the virtual clock, firing due timers.
struct TimeLine {
  bool relative = true;
  Millis value = 0;
  bool operator==(const TimeLine&) const = default;
};
// "timeout retransmission" / "A timeout time-wait": fire a timer now.
struct TimeoutLine {
  Actor who = Actor::Self;
  TimerKind timer = TimerKind::Retransmission;
  bool operator==(const TimeoutLine&) const = default;
};

enum class NetOp : std::uint8_t { Deliver, Drop, Duplicate, Reorder, DeliverAll };
// Two endpoints only: "deliver A->B [K]", "drop B->A [K]", "duplicate A->B [K]",
// "reorder A->B", "deliver all". K counts in-flight segments of that direction from 1.
struct NetworkLine {
  NetOp op = NetOp::Deliver;
  Actor from = Actor::A;  // unused for DeliverAll
  std::uint32_t index = 1;
  bool operator==(const NetworkLine&) const = default;
};
// Two endpoints only: "faults seed=7 loss=10 dup=5 reorder=5 delay=10-200" (percentages, ms).
struct FaultsLine {
  std::uint64_t seed = 0;
  std::uint32_t loss_pct = 0, dup_pct = 0, reorder_pct = 0;
  Millis delay_min = 0, delay_max = 0;
  bool operator==(const FaultsLine&) const = default;
};
// Two endpoints only: "run 10000": let the faulty network and the timers run that long.
struct RunLine {
  Millis duration = 0;
  bool operator==(const RunLine&) const = default;
};

using Line = std::variant<InjectLine, ExpectSegmentLine, CallLine, ExpectStateLine,
                          ExpectNoticeLine, ExpectRuleLine, ExpectTcbLine, TimeLine, TimeoutLine,
                          NetworkLine, FaultsLine, RunLine>;

struct SourcePos {
  int line = 0;
  int column = 0;
};

struct ScriptLine {
  SourcePos pos;
  Line line;
  // Source positions are not part of a script's meaning.
  bool operator==(const ScriptLine& o) const { return line == o.line; }
};

// "profile NAME key=value ...": a named profile (rfc9293, rfc793) with overrides.
struct ProfileSpec {
  std::string name = "rfc9293";
  std::vector<std::pair<std::string, std::string>> settings;
  bool operator==(const ProfileSpec&) const = default;
};

struct Script {
  bool two_endpoints = false;  // "endpoints A B"
  // Single-endpoint scripts: a is the endpoint under test, b the peer the script plays.
  ProfileSpec profile_a, profile_b;
  std::uint32_t iss_a = 100;  // "iss N" / "A iss N"
  std::uint32_t iss_b = 300;  // "peer-iss N" / "B iss N"
  std::vector<ScriptLine> lines;
  bool operator==(const Script&) const = default;
};

struct ParseError {
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;            // what was found and what was expected
  std::string to_string() const;  // "file:line:column: message"
};

// Never throws; any text yields a Script or a ParseError.
std::variant<Script, ParseError> parse_script(std::string_view text, std::string_view file);
// Canonical text; parse_script(print_script(s)) == s.
std::string print_script(const Script& s);
// One line of a script as printed (for traces and error reports).
std::string print_line(const Script& s, const Line& line);

// Builds the profile a ProfileSpec names; an unknown name or setting is an error message.
std::variant<Profile, std::string> make_profile(const ProfileSpec& spec);

}  // namespace tcpfsm::harness
