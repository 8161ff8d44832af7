// The fuzz input format (fuzz_input.hpp, docs/fuzzing.md): reader, writer, the world that
// resolves numbers against a running endpoint, and the conversions to and from .tcp scripts.
#include "harness/fuzz_input.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <type_traits>

namespace tcpfsm::harness {

namespace {

constexpr std::uint32_t kDefaultWindow = 65535;  // what '<' without 'win' sends
constexpr std::uint32_t kHalfCircle = 0x8000'0000u;

// ------------------------------------------------------------------------------------------------
// Profile settings: key tags in a fixed order (the order of harness/profile_settings.cpp when the
// format was defined). A new key is appended; no tag is ever reused.
// ------------------------------------------------------------------------------------------------

enum class SettingKind : std::uint8_t {
  Flag,
  Count,
  TimeWaitRstKind,
  TimeWaitSynKind,
  SynTextKind
};

struct SettingInfo {
  std::string_view key;
  SettingKind kind;
  bool Profile::*flag = nullptr;
  std::uint32_t Profile::*count = nullptr;
  // The decoder clamps values into [min, max]. Retransmission timeouts are at least 1 ms so that
  // every retransmission moves the clock and a run stays bounded.
  std::uint32_t min = 0;
  std::uint32_t max = std::numeric_limits<std::uint32_t>::max();
};

constexpr std::uint32_t kU32Max = std::numeric_limits<std::uint32_t>::max();

constexpr SettingInfo flag(std::string_view key, bool Profile::*field) {
  return {key, SettingKind::Flag, field, nullptr, 0, 1};
}
constexpr SettingInfo count(std::string_view key, std::uint32_t Profile::*field,
                            std::uint32_t min = 0, std::uint32_t max = kU32Max) {
  return {key, SettingKind::Count, nullptr, field, min, max};
}
constexpr SettingInfo choice(std::string_view key, SettingKind kind) {
  return {key, kind, nullptr, nullptr, 0, 1};
}

const std::array<SettingInfo, 23> kSettings = {
    flag("rfc5961_rst", &Profile::rfc5961_rst),                                  // 0
    flag("rfc5961_syn", &Profile::rfc5961_syn),                                  // 1
    flag("rfc5961_ack", &Profile::rfc5961_ack),                                  // 2
    count("challenge_ack_limit", &Profile::challenge_ack_limit),                 // 3
    count("challenge_ack_window_ms", &Profile::challenge_ack_window_ms),         // 4
    choice("time_wait_rst", SettingKind::TimeWaitRstKind),                       // 5
    choice("time_wait_syn", SettingKind::TimeWaitSynKind),                       // 6
    count("msl_ms", &Profile::msl_ms),                                           // 7
    flag("rst_sender_enters_time_wait", &Profile::rst_sender_enters_time_wait),  // 8
    flag("half_duplex_close", &Profile::half_duplex_close),                      // 9
    count("fin_wait_2_timeout_ms", &Profile::fin_wait_2_timeout_ms),             // 10
    flag("out_of_order_queue", &Profile::out_of_order_queue),                    // 11
    choice("syn_text", SettingKind::SynTextKind),                                // 12
    count("receive_buffer", &Profile::receive_buffer, 0, 65535),                 // 13
    count("send_buffer", &Profile::send_buffer),                                 // 14
    count("mss", &Profile::mss, 1),                                              // 15
    count("rto_initial_ms", &Profile::rto_initial_ms, 1),                        // 16
    count("rto_min_ms", &Profile::rto_min_ms, 1),                                // 17
    count("rto_max_ms", &Profile::rto_max_ms, 1),                                // 18
    count("syn_retries", &Profile::syn_retries),                                 // 19
    count("data_retries", &Profile::data_retries),                               // 20
    count("user_timeout_ms", &Profile::user_timeout_ms),                         // 21
    count("iss_increment", &Profile::iss_increment),                             // 22
};

const std::array<std::string_view, kSettings.size()> kSettingKeys = [] {
  std::array<std::string_view, kSettings.size()> keys{};
  for (std::size_t i = 0; i < kSettings.size(); ++i) keys[i] = kSettings[i].key;
  return keys;
}();

void apply_setting(Profile& p, const FuzzSetting& s) {
  const SettingInfo& info = kSettings[s.key];
  switch (info.kind) {
    case SettingKind::Flag: p.*info.flag = s.value != 0; return;
    case SettingKind::Count: p.*info.count = s.value; return;
    case SettingKind::TimeWaitRstKind:
      p.time_wait_rst = s.value != 0 ? TimeWaitRst::Ignore : TimeWaitRst::Accept;
      return;
    case SettingKind::TimeWaitSynKind:
      p.time_wait_syn = s.value != 0 ? TimeWaitSyn::Reopen : TimeWaitSyn::ChallengeAck;
      return;
    case SettingKind::SynTextKind:
      p.syn_text = s.value != 0 ? SynText::Discard : SynText::Hold;
      return;
  }
}

std::string setting_value_text(const FuzzSetting& s) {
  const SettingInfo& info = kSettings[s.key];
  switch (info.kind) {
    case SettingKind::Flag: return s.value != 0 ? "on" : "off";
    case SettingKind::Count: return std::to_string(s.value);
    case SettingKind::TimeWaitRstKind: return s.value != 0 ? "ignore" : "accept";
    case SettingKind::TimeWaitSynKind: return s.value != 0 ? "reopen" : "challenge-ack";
    case SettingKind::SynTextKind: return s.value != 0 ? "discard" : "hold";
  }
  return "";
}

// A setting of a parsed script (already validated by make_profile) as a tag and a value.
std::optional<FuzzSetting> setting_from_text(const std::string& key, const std::string& value) {
  for (std::size_t i = 0; i < kSettings.size(); ++i) {
    const SettingInfo& info = kSettings[i];
    if (info.key != key) continue;
    FuzzSetting s{static_cast<std::uint8_t>(i), 0};
    switch (info.kind) {
      case SettingKind::Flag: s.value = value == "on" ? 1 : 0; break;
      case SettingKind::Count: {
        std::uint64_t v = 0;
        for (char c : value)
          v = std::min<std::uint64_t>(v * 10 + static_cast<unsigned>(c - '0'), kU32Max);
        s.value = static_cast<std::uint32_t>(std::clamp<std::uint64_t>(v, info.min, info.max));
        break;
      }
      case SettingKind::TimeWaitRstKind: s.value = value == "ignore" ? 1 : 0; break;
      case SettingKind::TimeWaitSynKind: s.value = value == "reopen" ? 1 : 0; break;
      case SettingKind::SynTextKind: s.value = value == "discard" ? 1 : 0; break;
    }
    return s;
  }
  return std::nullopt;
}

Profile build_profile(bool rfc793, const std::vector<FuzzSetting>& settings) {
  Profile p = rfc793 ? Profile::legacy_rfc793() : Profile::rfc9293();
  for (const FuzzSetting& s : settings) apply_setting(p, s);
  return p;
}

ProfileSpec build_spec(bool rfc793, const std::vector<FuzzSetting>& settings) {
  ProfileSpec spec;
  spec.name = rfc793 ? "rfc793" : "rfc9293";
  for (const FuzzSetting& s : settings) {
    spec.settings.emplace_back(std::string(kSettings[s.key].key), setting_value_text(s));
  }
  return spec;
}

// ------------------------------------------------------------------------------------------------
// Number encodings
// ------------------------------------------------------------------------------------------------

// Offset codes (the low five bits of a number selector).
constexpr std::uint8_t kOffsetSmallLast = 23;  // 0..23: offset = code - 8
constexpr std::uint8_t kOffsetPlus8 = 24;
constexpr std::uint8_t kOffsetMinus8 = 25;
constexpr std::uint8_t kOffsetPlus16 = 26;
constexpr std::uint8_t kOffsetMinus16 = 27;
constexpr std::uint8_t kOffset32 = 28;
constexpr std::uint8_t kOffsetHalfMinus1 = 29;  // 2^31 - 1
constexpr std::uint8_t kOffsetHalf = 30;        // 2^31
constexpr std::uint8_t kOffsetHalfPlus1 = 31;   // 2^31 + 1

// How many bytes the offset takes, with its selector byte.
std::size_t offset_size(std::uint32_t off) {
  const auto s = static_cast<std::int32_t>(off);
  if (s >= -8 && s <= 15) return 1;
  if (off == kHalfCircle - 1 || off == kHalfCircle || off == kHalfCircle + 1) return 1;
  if (off <= 0xFF || (0u - off) <= 0xFF) return 2;
  if (off <= 0xFFFF || (0u - off) <= 0xFFFF) return 3;
  return 5;
}

constexpr std::array<FuzzBase, 7> kSeqPreference = {
    FuzzBase::RcvNxt, FuzzBase::RcvEdge, FuzzBase::ScriptBase, FuzzBase::Irs,
    FuzzBase::SndUna, FuzzBase::SndNxt,  FuzzBase::Iss};
constexpr std::array<FuzzBase, 7> kAckPreference = {
    FuzzBase::SndNxt, FuzzBase::SndUna,  FuzzBase::ScriptBase, FuzzBase::Iss,
    FuzzBase::RcvNxt, FuzzBase::RcvEdge, FuzzBase::Irs};

// The shortest encoding of `value` against the edges (first in preference order on a tie).
FuzzNumber choose_number(SeqNum value, const FuzzEdges& e, bool absolute,
                         const std::array<FuzzBase, 7>& preference) {
  if (absolute) return {FuzzBase::Absolute, value.raw()};
  FuzzNumber best{FuzzBase::Absolute, value.raw()};
  std::size_t best_size = 5;
  for (FuzzBase b : preference) {
    const std::uint32_t off = value.since(e.value(b, SeqNum{}));
    const std::size_t size = offset_size(off);
    if (size < best_size) {
      best = {b, off};
      best_size = size;
    }
  }
  // Nothing shorter: the script's own base keeps the number relative, as it was written.
  if (best.base == FuzzBase::Absolute) best = {FuzzBase::ScriptBase, value.since(e.seq_base)};
  return best;
}

SeqNum resolve_number(const FuzzNumber& n, const FuzzEdges& e) {
  if (n.base == FuzzBase::Absolute) return SeqNum(n.value);
  return e.value(n.base, SeqNum{}) + n.value;
}

// An input's number as a script writes it: absolute exactly when the input wrote it so, which
// makes decode(encode(script)) == script for every script.
Number input_number(SeqNum value, SeqNum base, bool absolute) {
  if (absolute) return Number{true, value.raw()};
  return Number{false, value.since(base)};
}

// A number the endpoint sent, as an expectation line writes it: relative to `base`, or absolute
// when the relative form would be more than half the circle away (a RST's <SEQ=0>).
Number sent_number(SeqNum value, SeqNum base) {
  const std::uint32_t rel = value.since(base);
  if (rel >= kHalfCircle) return Number{true, value.raw()};
  return Number{false, rel};
}

Actor other(Actor a) {
  return a == Actor::A ? Actor::B : Actor::A;
}

}  // namespace

std::span<const std::string_view> fuzz_setting_keys() {
  return kSettingKeys;
}

Profile FuzzHeader::profile_a() const {
  return build_profile(a_rfc793, settings_a);
}
Profile FuzzHeader::profile_b() const {
  return build_profile(b_rfc793, settings_b);
}
ProfileSpec FuzzHeader::spec_a() const {
  return build_spec(a_rfc793, settings_a);
}
ProfileSpec FuzzHeader::spec_b() const {
  return build_spec(b_rfc793, settings_b);
}

// ------------------------------------------------------------------------------------------------
// Reader
// ------------------------------------------------------------------------------------------------

std::uint8_t FuzzReader::u8() {
  return pos_ < in_.size() ? in_[pos_++] : 0;
}
std::uint16_t FuzzReader::u16() {
  const std::uint16_t lo = u8();
  return static_cast<std::uint16_t>(lo | (u8() << 8));
}
std::uint32_t FuzzReader::u32() {
  const std::uint32_t lo = u16();
  return lo | (static_cast<std::uint32_t>(u16()) << 16);
}
std::uint64_t FuzzReader::u64() {
  const std::uint64_t lo = u32();
  return lo | (static_cast<std::uint64_t>(u32()) << 32);
}
std::uint64_t FuzzReader::leb128() {
  std::uint64_t v = 0;
  for (unsigned shift = 0; pos_ < in_.size(); shift += 7) {
    const std::uint8_t b = u8();
    if (shift < 64) v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) break;
  }
  return v;
}

FuzzNumber FuzzReader::number() {
  const std::uint8_t sel = u8();
  const auto base = static_cast<FuzzBase>(sel >> 5);
  const std::uint8_t code = sel & 0x1F;
  if (base == FuzzBase::Absolute) return {base, u32()};
  std::uint32_t off = 0;
  if (code <= kOffsetSmallLast) {
    off = static_cast<std::uint32_t>(static_cast<std::int32_t>(code) - 8);
  } else {
    switch (code) {
      case kOffsetPlus8: off = u8(); break;
      case kOffsetMinus8: off = 0u - u8(); break;
      case kOffsetPlus16: off = u16(); break;
      case kOffsetMinus16: off = 0u - u16(); break;
      case kOffset32: off = u32(); break;
      case kOffsetHalfMinus1: off = kHalfCircle - 1; break;
      case kOffsetHalf: off = kHalfCircle; break;
      default: off = kHalfCircle + 1; break;
    }
  }
  return {base, off};
}

std::uint32_t FuzzReader::length_code() {
  const std::uint8_t c = u8();
  if (c < 0xC0) return c;
  if (c <= 0xFD) return static_cast<std::uint32_t>(c - 0xBF) * 512;
  if (c == 0xFE) return u16();
  return u32();
}

std::uint32_t FuzzReader::window_code() {
  const std::uint8_t c = u8();
  if (c < 0x80) return c;
  if (c <= 0xFC) return static_cast<std::uint32_t>(c - 0x7F) * 512;
  if (c == 0xFD) return kDefaultWindow;
  if (c == 0xFE) return u16();
  return u32();
}

std::uint64_t FuzzReader::time_code() {
  const std::uint8_t c = u8();
  if (c <= 0x63) return static_cast<std::uint64_t>(c) * 10;
  if (c <= 0xC7) return static_cast<std::uint64_t>(c - 0x63) * 1000;
  if (c <= 0xFD) return static_cast<std::uint64_t>(c - 0xC7) * 60'000;
  if (c == 0xFE) return u32();
  return u64();
}

FuzzSetting FuzzReader::setting(bool& known) {
  FuzzSetting s;
  s.key = u8();
  known = s.key < kSettings.size();
  if (!known) return s;
  const SettingInfo& info = kSettings[s.key];
  std::uint64_t v = 0;
  if (info.kind == SettingKind::Count) {
    v = leb128();
  } else {
    v = u8() & 1u;
  }
  s.value = static_cast<std::uint32_t>(std::clamp<std::uint64_t>(v, info.min, info.max));
  return s;
}

FuzzReader::FuzzReader(std::span<const std::uint8_t> bytes) : in_(bytes) {
  const std::uint8_t version = u8();
  if (version != kFuzzFormatVersion) {
    // Reserved for later versions: this decoder reads them as the empty sequence.
    header_.version = version;
    pos_ = in_.size();
    return;
  }
  const std::uint8_t flags = u8();
  header_.two_endpoints = (flags & 0x01) != 0;
  header_.a_rfc793 = (flags & 0x02) != 0;
  header_.b_rfc793 = header_.two_endpoints && (flags & 0x04) != 0;
  header_.iss_a = u32();
  header_.iss_b = u32();
  const auto read_settings = [&](std::vector<FuzzSetting>& out) {
    const unsigned n = u8() & 0x1Fu;
    for (unsigned i = 0; i < n && pos_ < in_.size(); ++i) {
      bool known = false;
      const FuzzSetting s = setting(known);
      if (!known) continue;
      const bool repeated =
          std::any_of(out.begin(), out.end(), [&](const FuzzSetting& o) { return o.key == s.key; });
      if (!repeated) out.push_back(s);
    }
  };
  read_settings(header_.settings_a);
  if (header_.two_endpoints) read_settings(header_.settings_b);
}

bool FuzzReader::next(FuzzOp& op) {
  if (pos_ >= in_.size() || ops_ >= kMaxOps) return false;
  ++ops_;
  op = FuzzOp{};
  const std::uint8_t byte = u8();
  op.who = !header_.two_endpoints ? Actor::Self : (byte & fuzz_op::kActorB) ? Actor::B : Actor::A;
  const std::uint8_t code = byte & 0x7F;
  if (code <= fuzz_op::kSegmentLast) {
    op.kind = FuzzOpKind::Segment;
    op.ctl = code;
    op.seq = number();
    if (op.ctl & kAck) op.ack = number();
    op.len = length_code();
    op.wnd = window_code();
    if (op.ctl & kUrg) {
      const std::uint8_t c = u8();
      op.up = c < 0xFF ? c : u16();
    }
    return true;
  }
  switch (code) {
    case fuzz_op::kOpenPassive:
    case fuzz_op::kOpenActive:
    case fuzz_op::kOpenPassiveUnspecified:
    case fuzz_op::kOpenActiveUnspecified:
      op.kind = FuzzOpKind::Call;
      op.call = OpenCall{
          .passive = code == fuzz_op::kOpenPassive || code == fuzz_op::kOpenPassiveUnspecified,
          .remote_specified = code <= fuzz_op::kOpenActive};
      return true;
    case fuzz_op::kSend:
    case fuzz_op::kSendUrgent:
      op.kind = FuzzOpKind::Call;
      op.call = SendCall{.len = length_code(), .urgent = code == fuzz_op::kSendUrgent};
      return true;
    case fuzz_op::kReceive:
      op.kind = FuzzOpKind::Call;
      op.call = ReceiveCall{.max_len = length_code()};
      return true;
    case fuzz_op::kClose:
      op.kind = FuzzOpKind::Call;
      op.call = CloseCall{};
      return true;
    case fuzz_op::kAbort:
      op.kind = FuzzOpKind::Call;
      op.call = AbortCall{};
      return true;
    case fuzz_op::kStatus:
      op.kind = FuzzOpKind::Call;
      op.call = StatusCall{};
      return true;
    case fuzz_op::kTimeRelative:
      op.kind = FuzzOpKind::TimeRelative;
      op.value = time_code();
      return true;
    case fuzz_op::kTimeAbsolute:
      op.kind = FuzzOpKind::TimeAbsolute;
      op.value = leb128();
      return true;
    case fuzz_op::kDeliver:
      op.kind = FuzzOpKind::Deliver;
      op.value = u8();
      return true;
    case fuzz_op::kDrop:
      op.kind = FuzzOpKind::Drop;
      op.value = u8();
      return true;
    case fuzz_op::kDuplicate:
      op.kind = FuzzOpKind::Duplicate;
      op.value = u8();
      return true;
    case fuzz_op::kReorder: op.kind = FuzzOpKind::Reorder; return true;
    case fuzz_op::kDeliverAll: op.kind = FuzzOpKind::DeliverAll; return true;
    case fuzz_op::kRun:
      op.kind = FuzzOpKind::Run;
      op.value = time_code();
      return true;
    case fuzz_op::kFaults: {
      op.kind = FuzzOpKind::Faults;
      FaultsLine& f = op.faults;
      f.seed = leb128();
      f.loss_pct = u8() % 101u;
      f.dup_pct = u8() % 101u;
      f.reorder_pct = u8() % 101u;
      // At least 1 ms on the wire, so that no exchange can loop at one instant of time.
      f.delay_min = std::max<Millis>(leb128(), 1);
      f.delay_max = std::max<Millis>(leb128(), f.delay_min);
      return true;
    }
    default: break;
  }
  if (code >= fuzz_op::kTimeoutFirst && code < fuzz_op::kTimeoutFirst + kTimerKinds) {
    op.kind = FuzzOpKind::Timeout;
    op.call = TimerExpires{static_cast<TimerKind>(code - fuzz_op::kTimeoutFirst)};
    return true;
  }
  op.kind = FuzzOpKind::Nothing;  // reserved opcode
  return true;
}

// ------------------------------------------------------------------------------------------------
// Writer
// ------------------------------------------------------------------------------------------------

void FuzzWriter::u16(std::uint16_t v) {
  u8(static_cast<std::uint8_t>(v));
  u8(static_cast<std::uint8_t>(v >> 8));
}
void FuzzWriter::u32(std::uint32_t v) {
  u16(static_cast<std::uint16_t>(v));
  u16(static_cast<std::uint16_t>(v >> 16));
}
void FuzzWriter::u64(std::uint64_t v) {
  u32(static_cast<std::uint32_t>(v));
  u32(static_cast<std::uint32_t>(v >> 32));
}
void FuzzWriter::leb128(std::uint64_t v) {
  do {
    std::uint8_t b = v & 0x7F;
    v >>= 7;
    if (v != 0) b |= 0x80;
    u8(b);
  } while (v != 0);
}

void FuzzWriter::number(const FuzzNumber& n) {
  const auto base = static_cast<std::uint8_t>(static_cast<std::uint8_t>(n.base) << 5);
  if (n.base == FuzzBase::Absolute) {
    u8(base);
    u32(n.value);
    return;
  }
  const std::uint32_t off = n.value;
  const auto s = static_cast<std::int32_t>(off);
  if (s >= -8 && s <= 15) {
    u8(static_cast<std::uint8_t>(base | static_cast<std::uint8_t>(s + 8)));
  } else if (off == kHalfCircle - 1) {
    u8(base | kOffsetHalfMinus1);
  } else if (off == kHalfCircle) {
    u8(base | kOffsetHalf);
  } else if (off == kHalfCircle + 1) {
    u8(base | kOffsetHalfPlus1);
  } else if (off <= 0xFF) {
    u8(base | kOffsetPlus8);
    u8(static_cast<std::uint8_t>(off));
  } else if ((0u - off) <= 0xFF) {
    u8(base | kOffsetMinus8);
    u8(static_cast<std::uint8_t>(0u - off));
  } else if (off <= 0xFFFF) {
    u8(base | kOffsetPlus16);
    u16(static_cast<std::uint16_t>(off));
  } else if ((0u - off) <= 0xFFFF) {
    u8(base | kOffsetMinus16);
    u16(static_cast<std::uint16_t>(0u - off));
  } else {
    u8(base | kOffset32);
    u32(off);
  }
}

void FuzzWriter::length_code(std::uint32_t v) {
  if (v < 0xC0) {
    u8(static_cast<std::uint8_t>(v));
  } else if (v % 512 == 0 && v / 512 <= 62) {
    u8(static_cast<std::uint8_t>(0xBF + v / 512));
  } else if (v <= 0xFFFF) {
    u8(0xFE);
    u16(static_cast<std::uint16_t>(v));
  } else {
    u8(0xFF);
    u32(v);
  }
}

void FuzzWriter::window_code(std::uint32_t v) {
  if (v < 0x80) {
    u8(static_cast<std::uint8_t>(v));
  } else if (v == kDefaultWindow) {
    u8(0xFD);
  } else if (v % 512 == 0 && v / 512 <= 125) {
    u8(static_cast<std::uint8_t>(0x7F + v / 512));
  } else if (v <= 0xFFFF) {
    u8(0xFE);
    u16(static_cast<std::uint16_t>(v));
  } else {
    u8(0xFF);
    u32(v);
  }
}

void FuzzWriter::time_code(std::uint64_t v) {
  if (v % 10 == 0 && v / 10 <= 0x63) {
    u8(static_cast<std::uint8_t>(v / 10));
  } else if (v % 1000 == 0 && v / 1000 >= 1 && v / 1000 <= 100) {
    u8(static_cast<std::uint8_t>(0x63 + v / 1000));
  } else if (v % 60'000 == 0 && v / 60'000 >= 1 && v / 60'000 <= 54) {
    u8(static_cast<std::uint8_t>(0xC7 + v / 60'000));
  } else if (v <= kU32Max) {
    u8(0xFE);
    u32(static_cast<std::uint32_t>(v));
  } else {
    u8(0xFF);
    u64(v);
  }
}

void FuzzWriter::header(const FuzzHeader& h) {
  u8(kFuzzFormatVersion);
  std::uint8_t flags = 0;
  if (h.two_endpoints) flags |= 0x01;
  if (h.a_rfc793) flags |= 0x02;
  if (h.two_endpoints && h.b_rfc793) flags |= 0x04;
  u8(flags);
  u32(h.iss_a);
  u32(h.iss_b);
  const auto write_settings = [&](const std::vector<FuzzSetting>& settings) {
    u8(static_cast<std::uint8_t>(std::min<std::size_t>(settings.size(), 0x1F)));
    for (std::size_t i = 0; i < settings.size() && i < 0x1F; ++i) {
      const FuzzSetting& s = settings[i];
      u8(s.key);
      if (kSettings[s.key].kind == SettingKind::Count) {
        leb128(s.value);
      } else {
        u8(static_cast<std::uint8_t>(s.value & 1u));
      }
    }
  };
  write_settings(h.settings_a);
  if (h.two_endpoints) write_settings(h.settings_b);
}

void FuzzWriter::op(const FuzzOp& op, bool two_endpoints) {
  const std::uint8_t actor = two_endpoints && op.who == Actor::B ? fuzz_op::kActorB : 0;
  const auto code = [&](std::uint8_t c) { u8(static_cast<std::uint8_t>(c | actor)); };
  switch (op.kind) {
    case FuzzOpKind::Nothing: code(fuzz_op::kFirstReserved); return;
    case FuzzOpKind::Segment:
      code(op.ctl & fuzz_op::kSegmentLast);
      number(op.seq);
      if (op.ctl & kAck) number(op.ack);
      length_code(op.len);
      window_code(op.wnd);
      if (op.ctl & kUrg) {
        if (op.up < 0xFF) {
          u8(static_cast<std::uint8_t>(op.up));
        } else {
          u8(0xFF);
          u16(op.up);
        }
      }
      return;
    case FuzzOpKind::Call:
      std::visit(
          [&](const auto& c) {
            using T = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<T, OpenCall>) {
              code(c.passive ? (c.remote_specified ? fuzz_op::kOpenPassive
                                                   : fuzz_op::kOpenPassiveUnspecified)
                             : (c.remote_specified ? fuzz_op::kOpenActive
                                                   : fuzz_op::kOpenActiveUnspecified));
            } else if constexpr (std::is_same_v<T, SendCall>) {
              code(c.urgent ? fuzz_op::kSendUrgent : fuzz_op::kSend);
              length_code(c.len);
            } else if constexpr (std::is_same_v<T, ReceiveCall>) {
              code(fuzz_op::kReceive);
              length_code(c.max_len);
            } else if constexpr (std::is_same_v<T, CloseCall>) {
              code(fuzz_op::kClose);
            } else if constexpr (std::is_same_v<T, AbortCall>) {
              code(fuzz_op::kAbort);
            } else if constexpr (std::is_same_v<T, StatusCall>) {
              code(fuzz_op::kStatus);
            } else {
              code(fuzz_op::kFirstReserved);  // not a user call: nothing
            }
          },
          op.call);
      return;
    case FuzzOpKind::Timeout: {
      const auto* t = std::get_if<TimerExpires>(&op.call);
      const auto kind = static_cast<std::uint8_t>(t ? static_cast<std::uint8_t>(t->timer) : 0);
      code(static_cast<std::uint8_t>(fuzz_op::kTimeoutFirst + kind));
      return;
    }
    case FuzzOpKind::TimeRelative:
      code(fuzz_op::kTimeRelative);
      time_code(op.value);
      return;
    case FuzzOpKind::TimeAbsolute:
      code(fuzz_op::kTimeAbsolute);
      leb128(op.value);
      return;
    case FuzzOpKind::Deliver:
      code(fuzz_op::kDeliver);
      u8(static_cast<std::uint8_t>(op.value));
      return;
    case FuzzOpKind::Drop:
      code(fuzz_op::kDrop);
      u8(static_cast<std::uint8_t>(op.value));
      return;
    case FuzzOpKind::Duplicate:
      code(fuzz_op::kDuplicate);
      u8(static_cast<std::uint8_t>(op.value));
      return;
    case FuzzOpKind::Reorder: code(fuzz_op::kReorder); return;
    case FuzzOpKind::DeliverAll: code(fuzz_op::kDeliverAll); return;
    case FuzzOpKind::Run:
      code(fuzz_op::kRun);
      time_code(op.value);
      return;
    case FuzzOpKind::Faults:
      code(fuzz_op::kFaults);
      leb128(op.faults.seed);
      u8(static_cast<std::uint8_t>(std::min<std::uint32_t>(op.faults.loss_pct, 100)));
      u8(static_cast<std::uint8_t>(std::min<std::uint32_t>(op.faults.dup_pct, 100)));
      u8(static_cast<std::uint8_t>(std::min<std::uint32_t>(op.faults.reorder_pct, 100)));
      leb128(op.faults.delay_min);
      leb128(op.faults.delay_max);
      return;
  }
}

// ------------------------------------------------------------------------------------------------
// The world
// ------------------------------------------------------------------------------------------------

SeqNum FuzzEdges::value(FuzzBase b, SeqNum absolute_fallback) const {
  switch (b) {
    case FuzzBase::RcvNxt: return rcv_nxt;
    case FuzzBase::RcvEdge: return rcv_edge;
    case FuzzBase::SndUna: return snd_una;
    case FuzzBase::SndNxt: return snd_nxt;
    case FuzzBase::Iss: return iss;
    case FuzzBase::Irs: return irs;
    case FuzzBase::ScriptBase: return seq_base;
    case FuzzBase::Absolute: return absolute_fallback;
  }
  return absolute_fallback;
}

FuzzWorld::FuzzWorld(const FuzzHeader& header, EndpointFactory factory)
    : header_(header), profile_a_(header.profile_a()), profile_b_(header.profile_b()) {
  if (header_.two_endpoints) {
    network_ = std::make_unique<Network>(factory(profile_a_, SeqNum(header_.iss_a)),
                                         factory(profile_b_, SeqNum(header_.iss_b)));
  } else {
    single_ = factory(profile_a_, SeqNum(header_.iss_a));
  }
}

void FuzzWorld::add_observer(RunObserver* o) {
  observers_.push_back(o);
  if (network_) network_->add_observer(o);
}

EndpointUnderTest& FuzzWorld::endpoint(Actor who) {
  return network_ ? network_->endpoint(who) : *single_;
}
const EndpointUnderTest& FuzzWorld::endpoint(Actor who) const {
  return network_ ? network_->endpoint(who) : *single_;
}

std::size_t FuzzWorld::in_flight(Actor from) const {
  return network_ ? network_->in_flight(from).size() : 0;
}

Millis FuzzWorld::now() const {
  return network_ ? network_->now() : now_;
}

SeqNum FuzzWorld::own_base(Actor who) const {
  if (auto t = endpoint(who).tcb(); t && t->iss_defined) return t->iss;
  if (auto l = side(who).learned_iss) return *l;
  return SeqNum(who == Actor::B ? header_.iss_b : header_.iss_a);
}

SeqNum FuzzWorld::sender_base(Actor to) const {
  if (!header_.two_endpoints) return SeqNum(header_.iss_b);
  return own_base(other(to));
}

FuzzEdges FuzzWorld::edges(Actor to) const {
  FuzzEdges e;
  const auto tcb = endpoint(to).tcb();
  e.seq_base = sender_base(to);
  e.ack_base = own_base(to);
  const bool synced_rcv = tcb && tcb->irs_defined;
  const bool synced_snd = tcb && tcb->iss_defined;
  e.rcv_nxt = synced_rcv ? tcb->rcv_nxt : e.seq_base;
  e.rcv_edge = e.rcv_nxt + (tcb ? tcb->rcv_wnd : kDefaultWindow);
  e.irs = synced_rcv ? tcb->irs : e.seq_base;
  e.iss = synced_snd ? tcb->iss : e.ack_base;
  e.snd_una = synced_snd ? tcb->snd_una : e.ack_base;
  // The runner's default ACK: SND.NXT, or what the endpoint was seen to send, or ISS+1.
  if (synced_snd) {
    e.snd_nxt = tcb->snd_nxt;
  } else if (auto o = side(to).observed_snd_nxt) {
    e.snd_nxt = *o;
  } else {
    e.snd_nxt = e.ack_base + 1;
  }
  return e;
}

std::optional<FuzzAction> FuzzWorld::resolve(const FuzzOp& op) const {
  if (exhausted()) return std::nullopt;
  FuzzAction a;
  a.kind = op.kind;
  a.who = header_.two_endpoints ? op.who : Actor::Self;
  const bool two = header_.two_endpoints;
  switch (op.kind) {
    case FuzzOpKind::Nothing: return std::nullopt;
    case FuzzOpKind::Segment: {
      const FuzzEdges e = edges(a.who);
      Segment s;
      s.ctl = op.ctl;
      s.seq = resolve_number(op.seq, e);
      if (s.ack_flag()) {
        // ACK numbers count from the receiver's ISS in scripts.
        FuzzEdges ack_edges = e;
        ack_edges.seq_base = e.ack_base;
        s.ack = resolve_number(op.ack, ack_edges);
        a.ack_absolute = op.ack.base == FuzzBase::Absolute;
      }
      s.len = op.len;
      s.wnd = op.wnd;
      s.up = (s.ctl & kUrg) ? op.up : 0;
      a.seq_absolute = op.seq.base == FuzzBase::Absolute;
      a.event = SegmentArrives{s};
      return a;
    }
    case FuzzOpKind::Call:
    case FuzzOpKind::Timeout: a.event = op.call; return a;
    case FuzzOpKind::Run:
    case FuzzOpKind::TimeRelative:
      if (!two) a.kind = FuzzOpKind::TimeRelative;
      if (now() > std::numeric_limits<Millis>::max() - op.value) return std::nullopt;
      a.value = op.value;
      return a;
    case FuzzOpKind::TimeAbsolute:
      if (op.value < now()) return std::nullopt;
      a.value = op.value;
      return a;
    case FuzzOpKind::Deliver:
    case FuzzOpKind::Drop:
    case FuzzOpKind::Duplicate: {
      const std::size_t n = in_flight(a.who);
      if (!two || n == 0) return std::nullopt;
      a.value = op.value % n;
      return a;
    }
    case FuzzOpKind::Reorder:
      if (!two || in_flight(a.who) < 2) return std::nullopt;
      return a;
    case FuzzOpKind::DeliverAll:
      if (!two) return std::nullopt;
      a.who = Actor::A;
      return a;
    case FuzzOpKind::Faults:
      if (!two) return std::nullopt;
      a.who = Actor::A;
      a.faults = op.faults;
      return a;
  }
  return std::nullopt;
}

void FuzzWorld::step_single(const Event& e) {
  StepRecord rec;
  rec.index = total_steps_;
  rec.who = Actor::Self;
  rec.now = now_;
  rec.event = e;
  rec.profile = &single_->profile();
  if (!observers_.empty()) rec.tcb_before = single_->tcb();
  rec.outcome = single_->step(e, now_);
  rec.tcb_after = single_->tcb();
  single_steps_.push_back(std::move(rec));
  ++total_steps_;
  const StepRecord& stored = single_steps_.back();
  const WorldView w{single_.get(), nullptr, 0, 0, now_};
  for (auto* o : observers_) {
    for (auto& v : o->on_step(stored, w)) violations_.emplace_back(stored.index, std::move(v));
  }
}

void FuzzWorld::advance_single(Millis target) {
  for (auto next = single_->next_timer(); next && next->second <= target && !exhausted();
       next = single_->next_timer()) {
    now_ = std::max(now_, next->second);
    step_single(TimerExpires{next->first});
  }
  now_ = target;
}

void FuzzWorld::advance_network(Millis target) {
  // Network::advance_to, one instant at a time, so that the step budget can stop a long run.
  while (!exhausted()) {
    constexpr Millis kNever = std::numeric_limits<Millis>::max();
    Millis when = kNever;
    for (Actor who : {Actor::A, Actor::B}) {
      if (auto next = network_->endpoint(who).next_timer()) when = std::min(when, next->second);
    }
    if (network_->faults_enabled()) {
      for (Actor from : {Actor::A, Actor::B}) {
        const auto& q = network_->in_flight(from);
        if (!q.empty()) when = std::min(when, q.front().due);
      }
    }
    if (when == kNever || when > target) break;
    const std::size_t before = network_->steps().size();
    network_->advance_to(when, kMaxSteps);
    if (network_->steps().size() == before) break;  // nothing happened: nothing will
  }
  if (!exhausted()) network_->advance_to(target, kMaxSteps);
}

void FuzzWorld::deliver_all_network() {
  // Network::deliver_all, under the step budget.
  for (int guard = 0;
       guard < 100'000 && !exhausted() && (in_flight(Actor::A) > 0 || in_flight(Actor::B) > 0);
       ++guard) {
    if (in_flight(Actor::A) > 0) network_->deliver(Actor::A, 0);
    if (in_flight(Actor::B) > 0) network_->deliver(Actor::B, 0);
  }
}

void FuzzWorld::note_new_steps() {
  for (const StepRecord& rec : steps()) {
    Side& s = side(rec.who);
    for (const Segment& seg : rec.outcome.sent) {
      if (seg.syn()) s.learned_iss = seg.seq;
      if (seg.rst()) continue;
      const SeqNum end = seg.seq + seg.seg_len();
      if (!s.observed_snd_nxt || seq_gt(end, *s.observed_snd_nxt)) s.observed_snd_nxt = end;
    }
  }
}

void FuzzWorld::apply(const FuzzAction& a) {
  if (network_) {
    last_first_ = network_->steps().size();
    switch (a.kind) {
      case FuzzOpKind::Nothing: break;
      case FuzzOpKind::Segment:
      case FuzzOpKind::Call:
      case FuzzOpKind::Timeout: network_->act(a.who, a.event); break;
      case FuzzOpKind::Run:
      case FuzzOpKind::TimeRelative: advance_network(network_->now() + a.value); break;
      case FuzzOpKind::TimeAbsolute: advance_network(a.value); break;
      case FuzzOpKind::Deliver: network_->deliver(a.who, a.value); break;
      case FuzzOpKind::Drop: network_->drop(a.who, a.value); break;
      case FuzzOpKind::Duplicate: network_->duplicate(a.who, a.value); break;
      case FuzzOpKind::Reorder: network_->reorder(a.who); break;
      case FuzzOpKind::DeliverAll: deliver_all_network(); break;
      case FuzzOpKind::Faults: network_->set_faults(a.faults); break;
    }
    total_steps_ = network_->steps().size();
    for (auto& v : network_->take_violations()) violations_.push_back(std::move(v));
    note_new_steps();
    return;
  }
  if (!keep_history_) single_steps_.clear();
  last_first_ = total_steps_;
  switch (a.kind) {
    case FuzzOpKind::Segment:
    case FuzzOpKind::Call: step_single(a.event); break;
    case FuzzOpKind::Timeout: {
      const auto& t = std::get<TimerExpires>(a.event);
      if (auto d = single_->deadline(t.timer)) now_ = std::max(now_, *d);
      step_single(a.event);
      break;
    }
    case FuzzOpKind::Run:
    case FuzzOpKind::TimeRelative: advance_single(now_ + a.value); break;
    case FuzzOpKind::TimeAbsolute: advance_single(a.value); break;
    case FuzzOpKind::Nothing:
    case FuzzOpKind::Deliver:
    case FuzzOpKind::Drop:
    case FuzzOpKind::Duplicate:
    case FuzzOpKind::Reorder:
    case FuzzOpKind::DeliverAll:
    case FuzzOpKind::Faults: break;
  }
  note_new_steps();
}

std::span<const StepRecord> FuzzWorld::steps() const {
  if (network_) {
    std::span<const StepRecord> all = network_->steps();
    return all.subspan(std::min(last_first_, all.size()));
  }
  std::span<const StepRecord> all = single_steps_;
  const std::size_t kept_from = total_steps_ - all.size();  // index of single_steps_[0]
  return all.subspan(std::min(last_first_ - std::min(last_first_, kept_from), all.size()));
}

std::span<const StepRecord> FuzzWorld::history() const {
  if (network_) return network_->steps();
  return single_steps_;
}

bool FuzzWorld::exhausted() const {
  return (network_ ? network_->steps().size() : total_steps_) >= kMaxSteps;
}

std::vector<std::pair<std::size_t, Violation>> FuzzWorld::take_violations() {
  auto out = std::move(violations_);
  violations_.clear();
  return out;
}

// ------------------------------------------------------------------------------------------------
// Scripts
// ------------------------------------------------------------------------------------------------

namespace {

SegmentSpec sent_spec(const Segment& seg, SeqNum seq_base, SeqNum ack_base) {
  SegmentSpec spec;
  spec.ctl = seg.ctl;
  spec.seq = sent_number(seg.seq, seq_base);
  spec.len = seg.len;
  if (seg.ack_flag()) spec.ack = sent_number(seg.ack, ack_base);
  if (seg.has(kUrg)) spec.up = seg.up;
  return spec;
}

Line action_line(const FuzzWorld& w, const FuzzAction& a) {
  switch (a.kind) {
    case FuzzOpKind::Segment: {
      const Segment& seg = std::get<SegmentArrives>(a.event).seg;
      SegmentSpec spec;
      spec.ctl = seg.ctl;
      spec.seq = input_number(seg.seq, w.sender_base(a.who), a.seq_absolute);
      spec.len = seg.len;
      if (seg.ack_flag()) spec.ack = input_number(seg.ack, w.own_base(a.who), a.ack_absolute);
      if (seg.wnd != kDefaultWindow) spec.wnd = seg.wnd;
      if (seg.has(kUrg)) spec.up = seg.up;
      return InjectLine{a.who, spec};
    }
    case FuzzOpKind::Call: return CallLine{a.who, a.event};
    case FuzzOpKind::Timeout: return TimeoutLine{a.who, std::get<TimerExpires>(a.event).timer};
    case FuzzOpKind::TimeRelative: return TimeLine{true, a.value};
    case FuzzOpKind::TimeAbsolute: return TimeLine{false, a.value};
    case FuzzOpKind::Run: return RunLine{a.value};
    case FuzzOpKind::Deliver:
      return NetworkLine{NetOp::Deliver, a.who, static_cast<std::uint32_t>(a.value + 1)};
    case FuzzOpKind::Drop:
      return NetworkLine{NetOp::Drop, a.who, static_cast<std::uint32_t>(a.value + 1)};
    case FuzzOpKind::Duplicate:
      return NetworkLine{NetOp::Duplicate, a.who, static_cast<std::uint32_t>(a.value + 1)};
    case FuzzOpKind::Reorder: return NetworkLine{NetOp::Reorder, a.who, 1};
    case FuzzOpKind::DeliverAll: return NetworkLine{NetOp::DeliverAll, Actor::A, 1};
    case FuzzOpKind::Faults: return a.faults;
    case FuzzOpKind::Nothing: break;
  }
  return TimeLine{true, 0};
}

void add(Script& s, Line line) {
  s.lines.push_back(ScriptLine{SourcePos{}, std::move(line)});
}

}  // namespace

Script decode_fuzz_input(std::span<const std::uint8_t> bytes, FuzzExpect expect) {
  FuzzReader reader(bytes);
  const FuzzHeader& h = reader.header();
  Script script;
  script.two_endpoints = h.two_endpoints;
  script.profile_a = h.spec_a();
  if (h.two_endpoints) script.profile_b = h.spec_b();
  script.iss_a = h.iss_a;
  script.iss_b = h.iss_b;

  FuzzWorld world(h, make_reference_endpoint);
  const std::vector<Actor> actors =
      h.two_endpoints ? std::vector<Actor>{Actor::A, Actor::B} : std::vector<Actor>{Actor::Self};
  FuzzOp op;
  while (reader.next(op)) {
    const auto action = world.resolve(op);
    if (!action) continue;
    std::array<State, 3> before{};
    for (Actor who : actors) before[static_cast<int>(who)] = world.endpoint(who).state();
    add(script, action_line(world, *action));
    world.apply(*action);
    const auto steps = world.steps();
    if (!h.two_endpoints) {
      // One endpoint: the script plays the peer and must expect every segment it is sent.
      const SeqNum own = world.own_base(Actor::Self);
      for (const StepRecord& rec : steps) {
        for (const Segment& seg : rec.outcome.sent) {
          add(script, ExpectSegmentLine{Actor::Self, sent_spec(seg, own, SeqNum(h.iss_b))});
        }
      }
    }
    for (Actor who : actors) {
      if (expect == FuzzExpect::Full) {
        const StepRecord* last = nullptr;
        for (const StepRecord& rec : steps) {
          if (rec.who == who) last = &rec;
        }
        if (last != nullptr) {
          for (const Notice& n : last->outcome.notices) add(script, ExpectNoticeLine{who, n});
          add(script, ExpectRuleLine{who, last->outcome.rule});
        }
      }
      const State now = world.endpoint(who).state();
      if (now != before[static_cast<int>(who)]) add(script, ExpectStateLine{who, now});
    }
  }
  return script;
}

std::variant<std::vector<std::uint8_t>, std::string> encode_fuzz_input(const Script& script) {
  FuzzHeader h;
  h.two_endpoints = script.two_endpoints;
  h.iss_a = script.iss_a;
  h.iss_b = script.iss_b;
  const auto convert = [](const ProfileSpec& spec, bool& rfc793,
                          std::vector<FuzzSetting>& out) -> std::optional<std::string> {
    if (auto p = make_profile(spec); std::holds_alternative<std::string>(p)) {
      return "profile: " + std::get<std::string>(p);
    }
    rfc793 = spec.name == "rfc793";
    for (const auto& [key, value] : spec.settings) {
      auto s = setting_from_text(key, value);
      if (!s) return "profile setting '" + key + "' has no tag in the fuzz input format";
      out.push_back(*s);
    }
    if (out.size() > 0x1F) return "more than 31 profile settings";
    return std::nullopt;
  };
  if (auto e = convert(script.profile_a, h.a_rfc793, h.settings_a)) return *e;
  if (script.two_endpoints) {
    if (auto e = convert(script.profile_b, h.b_rfc793, h.settings_b)) return *e;
  }

  FuzzWriter writer;
  writer.header(h);
  // Run the events on the header as the decoder will read it (values clamped as it clamps them).
  const FuzzReader reread(writer.bytes());
  FuzzWorld world(reread.header(), make_reference_endpoint);
  const bool two = script.two_endpoints;

  for (const ScriptLine& sl : script.lines) {
    FuzzOp op;
    bool is_event = true;
    std::visit(
        [&](const auto& l) {
          using T = std::decay_t<decltype(l)>;
          if constexpr (std::is_same_v<T, InjectLine>) {
            const Actor to = two ? l.to : Actor::Self;
            const FuzzEdges e = world.edges(to);
            const SegmentSpec& spec = l.seg;
            op.kind = FuzzOpKind::Segment;
            op.who = to;
            op.ctl = spec.ctl & fuzz_op::kSegmentLast;
            const SeqNum seq =
                spec.seq.absolute ? SeqNum(spec.seq.value) : e.seq_base + spec.seq.value;
            op.seq = choose_number(seq, e, spec.seq.absolute, kSeqPreference);
            if (op.ctl & kAck) {
              SeqNum ack = e.snd_nxt;
              bool absolute = false;
              if (spec.ack) {
                absolute = spec.ack->absolute;
                ack = absolute ? SeqNum(spec.ack->value) : e.ack_base + spec.ack->value;
              }
              FuzzEdges ack_edges = e;
              ack_edges.seq_base = e.ack_base;
              op.ack = choose_number(ack, ack_edges, absolute, kAckPreference);
            }
            op.len = spec.len;
            op.wnd = spec.wnd.value_or(kDefaultWindow);
            op.up = (op.ctl & kUrg) ? spec.up.value_or(0) : 0;
          } else if constexpr (std::is_same_v<T, CallLine>) {
            op.kind = FuzzOpKind::Call;
            op.who = two ? l.who : Actor::Self;
            op.call = l.call;
          } else if constexpr (std::is_same_v<T, TimeoutLine>) {
            op.kind = FuzzOpKind::Timeout;
            op.who = two ? l.who : Actor::Self;
            op.call = TimerExpires{l.timer};
          } else if constexpr (std::is_same_v<T, TimeLine>) {
            op.kind = l.relative ? FuzzOpKind::TimeRelative : FuzzOpKind::TimeAbsolute;
            op.who = two ? Actor::A : Actor::Self;
            op.value = l.value;
          } else if constexpr (std::is_same_v<T, RunLine>) {
            op.kind = two ? FuzzOpKind::Run : FuzzOpKind::TimeRelative;
            op.who = two ? Actor::A : Actor::Self;
            op.value = l.duration;
          } else if constexpr (std::is_same_v<T, NetworkLine>) {
            op.who = l.from;
            op.value = l.index > 0 ? l.index - 1 : 0;
            switch (l.op) {
              case NetOp::Deliver: op.kind = FuzzOpKind::Deliver; break;
              case NetOp::Drop: op.kind = FuzzOpKind::Drop; break;
              case NetOp::Duplicate: op.kind = FuzzOpKind::Duplicate; break;
              case NetOp::Reorder:
                op.kind = FuzzOpKind::Reorder;
                op.value = 0;
                break;
              case NetOp::DeliverAll:
                op.kind = FuzzOpKind::DeliverAll;
                op.who = Actor::A;
                op.value = 0;
                break;
            }
          } else if constexpr (std::is_same_v<T, FaultsLine>) {
            op.kind = FuzzOpKind::Faults;
            op.who = Actor::A;
            op.faults = l;
            op.faults.delay_min = std::max<Millis>(op.faults.delay_min, 1);
            op.faults.delay_max = std::max(op.faults.delay_max, op.faults.delay_min);
          } else {
            is_event = false;  // an expectation: not part of the input
          }
        },
        sl.line);
    if (!is_event) continue;
    if (op.kind == FuzzOpKind::Call && (std::holds_alternative<SegmentArrives>(op.call) ||
                                        std::holds_alternative<TimerExpires>(op.call))) {
      return std::string("a call line holds a segment or a timer, which scripts cannot say");
    }
    if ((op.kind == FuzzOpKind::Deliver || op.kind == FuzzOpKind::Drop ||
         op.kind == FuzzOpKind::Duplicate) &&
        op.value > 0xFF) {
      return "line " + std::to_string(sl.pos.line) +
             ": an in-flight index above 256 does not fit the fuzz input format";
    }
    writer.op(op, two);
    if (auto a = world.resolve(op)) world.apply(*a);
  }
  return writer.bytes();
}

std::vector<std::uint8_t> canonical_fuzz_input(std::span<const std::uint8_t> bytes) {
  auto encoded = encode_fuzz_input(decode_fuzz_input(bytes));
  if (auto* b = std::get_if<std::vector<std::uint8_t>>(&encoded)) return std::move(*b);
  return {};
}

}  // namespace tcpfsm::harness
