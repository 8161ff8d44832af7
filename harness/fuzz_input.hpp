#pragma once
// The fuzz input format: one compact, versioned byte encoding of event sequences, shared by the
// fuzz targets (fuzz/), the corpora (corpus/fuzz_*/, corpus/regressions/) and `tcpfsm
// decode|encode`. docs/fuzzing.md describes it byte by byte; the summary:
//
//   header   version (1), flags (two endpoints, rfc793 profiles), ISS of A and of B (u32 LE),
//            profile settings of A (and of B with two endpoints) as (key tag, value) pairs
//   events   one opcode byte each, then its operands. Bit 7 of the opcode names the endpoint
//            (0: A, 1: B) in two-endpoint inputs and is ignored with one endpoint. The low seven
//            bits: 0x00-0x3F a segment arrives, its control bits being those six bits; 0x40-0x57
//            user calls, timeouts, time and network operations; 0x58-0x7F reserved (nothing).
//
// Sequence and acknowledgment numbers are written relative to an edge of the receiver's TCB
// (RCV.NXT, RCV.NXT+RCV.WND, SND.UNA, SND.NXT, ISS, IRS, or the ISS a .tcp script counts
// from), with a small signed offset or an escape to 8, 16 or 32 bits, or as an absolute value:
// mutations land on the window edges, where the acceptability tests change their answer.
//
// The decoder is total: every byte string is some valid event sequence. Missing operand bytes
// read as zero, unknown tags are skipped, an operation that cannot apply (a delivery with
// nothing in flight) does nothing, and an unknown version byte is the empty sequence. Tag
// numbers are never renumbered: a new meaning takes a new version number, so every stored
// input keeps its meaning forever.
//
// Relative numbers only become concrete against a running endpoint, so decoding runs the
// reference model (FuzzWorld) alongside: decode_fuzz_input() turns bytes into a .tcp Script, and
// encode_fuzz_input() turns a Script back into bytes, choosing the shortest encoding of each
// number against the same edges.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "core/event.hpp"
#include "core/profile.hpp"
#include "harness/endpoint_under_test.hpp"
#include "harness/network.hpp"
#include "harness/observer.hpp"
#include "harness/script.hpp"

namespace tcpfsm::harness {

inline constexpr std::uint8_t kFuzzFormatVersion = 1;

// Opcodes: the low seven bits of an event byte. Stable numbers, never renumbered.
namespace fuzz_op {
inline constexpr std::uint8_t kSegmentLast = 0x3F;  // 0x00..0x3F: control bits = opcode
inline constexpr std::uint8_t kOpenPassive = 0x40;
inline constexpr std::uint8_t kOpenActive = 0x41;
inline constexpr std::uint8_t kOpenPassiveUnspecified = 0x42;
inline constexpr std::uint8_t kOpenActiveUnspecified = 0x43;
inline constexpr std::uint8_t kSend = 0x44;        // length code
inline constexpr std::uint8_t kSendUrgent = 0x45;  // length code
inline constexpr std::uint8_t kReceive = 0x46;     // length code (0: whatever is there)
inline constexpr std::uint8_t kClose = 0x47;
inline constexpr std::uint8_t kAbort = 0x48;
inline constexpr std::uint8_t kStatus = 0x49;
inline constexpr std::uint8_t kTimeoutFirst = 0x4A;  // 0x4A + TimerKind (0x4A..0x4E)
inline constexpr std::uint8_t kTimeRelative = 0x4F;  // time code
inline constexpr std::uint8_t kTimeAbsolute = 0x50;  // LEB128 milliseconds
inline constexpr std::uint8_t kDeliver = 0x51;       // u8 index (modulo what is in flight)
inline constexpr std::uint8_t kDrop = 0x52;          // u8 index
inline constexpr std::uint8_t kDuplicate = 0x53;     // u8 index
inline constexpr std::uint8_t kReorder = 0x54;
inline constexpr std::uint8_t kDeliverAll = 0x55;
inline constexpr std::uint8_t kRun = 0x56;     // time code
inline constexpr std::uint8_t kFaults = 0x57;  // seed, loss, dup, reorder, delay min, delay max
inline constexpr std::uint8_t kFirstReserved = 0x58;
inline constexpr std::uint8_t kActorB = 0x80;
}  // namespace fuzz_op

// What a SEQ or ACK number counts from (the top three bits of its selector byte).
enum class FuzzBase : std::uint8_t {
  RcvNxt = 0,      // the receiver's RCV.NXT
  RcvEdge = 1,     // RCV.NXT + RCV.WND: the first number beyond the receive window
  SndUna = 2,      // the receiver's SND.UNA
  SndNxt = 3,      // the receiver's SND.NXT
  Iss = 4,         // the receiver's ISS
  Irs = 5,         // the receiver's IRS
  ScriptBase = 6,  // the ISS a .tcp script counts this number from
  Absolute = 7,    // a 32-bit value follows
};

struct FuzzNumber {
  FuzzBase base = FuzzBase::RcvNxt;
  std::uint32_t value = 0;  // the offset (mod 2^32), or the absolute value
  bool operator==(const FuzzNumber&) const = default;
};

// One profile override: a stable key tag (docs/fuzzing.md lists them) and its value.
struct FuzzSetting {
  std::uint8_t key = 0;
  std::uint32_t value = 0;
  bool operator==(const FuzzSetting&) const = default;
};

struct FuzzHeader {
  std::uint8_t version = kFuzzFormatVersion;
  bool two_endpoints = false;
  bool a_rfc793 = false;
  bool b_rfc793 = false;
  std::uint32_t iss_a = 100;
  std::uint32_t iss_b = 300;
  std::vector<FuzzSetting> settings_a, settings_b;

  Profile profile_a() const;
  Profile profile_b() const;
  ProfileSpec spec_a() const;
  ProfileSpec spec_b() const;
  bool operator==(const FuzzHeader&) const = default;
};

enum class FuzzOpKind : std::uint8_t {
  Nothing,  // a reserved opcode
  Segment,
  Call,
  Timeout,
  TimeRelative,
  TimeAbsolute,
  Deliver,
  Drop,
  Duplicate,
  Reorder,
  DeliverAll,
  Run,
  Faults,
};

// One decoded operation, before its numbers are resolved against a running endpoint.
struct FuzzOp {
  FuzzOpKind kind = FuzzOpKind::Nothing;
  Actor who = Actor::Self;  // the endpoint that acts (or receives), or a direction's sender
  // Segment
  std::uint8_t ctl = 0;
  FuzzNumber seq, ack;
  std::uint32_t len = 0, wnd = 0;
  std::uint16_t up = 0;
  // Call and Timeout
  Event call;
  // Time, Run, and the index of Deliver, Drop, Duplicate
  std::uint64_t value = 0;
  FaultsLine faults;
};

// Reads the header, then one operation at a time. Never fails; stops after kMaxOps operations.
class FuzzReader {
 public:
  static constexpr std::size_t kMaxOps = 1024;
  explicit FuzzReader(std::span<const std::uint8_t> bytes);
  const FuzzHeader& header() const { return header_; }
  bool next(FuzzOp& op);

 private:
  std::uint8_t u8();
  std::uint16_t u16();
  std::uint32_t u32();
  std::uint64_t u64();
  std::uint64_t leb128();
  FuzzNumber number();
  std::uint32_t length_code();
  std::uint32_t window_code();
  std::uint64_t time_code();
  FuzzSetting setting(bool& known);

  std::span<const std::uint8_t> in_;
  std::size_t pos_ = 0;
  std::size_t ops_ = 0;
  FuzzHeader header_;
};

// Writes the canonical (shortest) encoding.
class FuzzWriter {
 public:
  void header(const FuzzHeader& h);
  void op(const FuzzOp& op, bool two_endpoints);
  const std::vector<std::uint8_t>& bytes() const { return out_; }

 private:
  void u8(std::uint8_t v) { out_.push_back(v); }
  void u16(std::uint16_t v);
  void u32(std::uint32_t v);
  void u64(std::uint64_t v);
  void leb128(std::uint64_t v);
  void number(const FuzzNumber& n);
  void length_code(std::uint32_t v);
  void window_code(std::uint32_t v);
  void time_code(std::uint64_t v);
  std::vector<std::uint8_t> out_;
};

// The numbers a segment arriving at one endpoint can be written relative to.
struct FuzzEdges {
  SeqNum rcv_nxt, rcv_edge, snd_una, snd_nxt, iss, irs;
  SeqNum seq_base;  // what a script's relative SEQ counts from: the sender's ISS
  SeqNum ack_base;  // what a script's relative ACK counts from: the receiver's ISS
  SeqNum value(FuzzBase b, SeqNum absolute_fallback) const;
};

// An operation made concrete against the current state: every number resolved, every index
// valid. It is one event line of a .tcp script.
struct FuzzAction {
  FuzzOpKind kind = FuzzOpKind::Nothing;
  Actor who = Actor::Self;
  Event event;              // Segment (SegmentArrives), Call, Timeout (TimerExpires)
  std::uint64_t value = 0;  // Time (ms), Run (ms), index of Deliver/Drop/Duplicate (from 0)
  FaultsLine faults;
  bool seq_absolute = false;  // written as an absolute value in the input
  bool ack_absolute = false;
};

// One or two endpoints, driven exactly as the script runner drives them (script_runner.cpp),
// so that a decoded script replays the same steps. Bounded: after kMaxSteps endpoint steps
// every further operation does nothing.
class FuzzWorld {
 public:
  static constexpr std::size_t kMaxSteps = 4096;

  FuzzWorld(const FuzzHeader& header, EndpointFactory factory);
  FuzzWorld(const FuzzWorld&) = delete;
  FuzzWorld& operator=(const FuzzWorld&) = delete;

  void add_observer(RunObserver* o);
  // With history off (the default for speed), steps() holds only the last action's steps.
  void keep_history(bool on) { keep_history_ = on; }

  bool two_endpoints() const { return header_.two_endpoints; }
  const FuzzHeader& header() const { return header_; }
  EndpointUnderTest& endpoint(Actor who);
  const EndpointUnderTest& endpoint(Actor who) const;
  std::size_t in_flight(Actor from) const;
  Millis now() const;
  bool exhausted() const;

  // The script runner's bases: the ISS `who` counts its own numbers from, and what a relative
  // SEQ of a segment arriving at `to` counts from.
  SeqNum own_base(Actor who) const;
  SeqNum sender_base(Actor to) const;
  FuzzEdges edges(Actor to) const;

  // nullopt when the operation does nothing here (a network operation with one endpoint, a
  // delivery with nothing in flight, a time in the past, an exhausted world).
  std::optional<FuzzAction> resolve(const FuzzOp& op) const;
  void apply(const FuzzAction& action);

  // The steps of the last action.
  std::span<const StepRecord> steps() const;
  // Every step kept: the whole run with history on (always, with two endpoints).
  std::span<const StepRecord> history() const;
  std::size_t last_action_first_step() const { return last_first_; }
  std::size_t total_steps() const { return total_steps_; }
  // Violations the observers reported since the last call.
  std::vector<std::pair<std::size_t, Violation>> take_violations();

 private:
  struct Side {
    std::optional<SeqNum> learned_iss;
    std::optional<SeqNum> observed_snd_nxt;
  };
  Side& side(Actor who) { return who == Actor::B ? side_b_ : side_a_; }
  const Side& side(Actor who) const { return who == Actor::B ? side_b_ : side_a_; }
  void step_single(const Event& e);
  void advance_single(Millis target);
  void advance_network(Millis target);
  void deliver_all_network();
  void note_new_steps();

  FuzzHeader header_;
  Profile profile_a_, profile_b_;
  std::unique_ptr<EndpointUnderTest> single_;
  std::unique_ptr<Network> network_;
  std::vector<RunObserver*> observers_;
  std::vector<StepRecord> single_steps_;
  std::vector<std::pair<std::size_t, Violation>> violations_;
  Side side_a_, side_b_;
  Millis now_ = 0;
  bool keep_history_ = false;
  std::size_t total_steps_ = 0;
  std::size_t last_first_ = 0;
};

// How much of the reference's behaviour decode writes into the script as expectation lines.
enum class FuzzExpect : std::uint8_t {
  Minimal,  // '>' lines (one endpoint: required, the runner insists) and state changes
  Full,     // also '=>' notices and 'why' after each action
};

// Bytes to a .tcp script (runs the reference model to resolve numbers). Never fails.
Script decode_fuzz_input(std::span<const std::uint8_t> bytes,
                         FuzzExpect expect = FuzzExpect::Minimal);
// A script's events (expectation lines are left out) to bytes; an error message for a script
// whose profile is unusable or whose network index does not fit a byte.
std::variant<std::vector<std::uint8_t>, std::string> encode_fuzz_input(const Script& script);

// Canonical bytes of a decoded input: encode(decode(bytes)).
std::vector<std::uint8_t> canonical_fuzz_input(std::span<const std::uint8_t> bytes);

// The key tags of profile settings, by tag (index) and name; never renumbered.
std::span<const std::string_view> fuzz_setting_keys();

}  // namespace tcpfsm::harness
