// "profile NAME key=value ...": builds a Profile from its base name and a list of overrides.
// The keys are the names of the Profile fields (model/core/profile.hpp), one row each below.
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "harness/script.hpp"

namespace tcpfsm::harness {

namespace {

enum class Kind : std::uint8_t { Flag, Count, TimeWaitRstKind, TimeWaitSynKind, SynTextKind };

struct Setting {
  std::string_view key;
  Kind kind;
  bool Profile::*flag = nullptr;
  std::uint32_t Profile::*count = nullptr;
  std::uint32_t min = 0;
  std::uint32_t max = std::numeric_limits<std::uint32_t>::max();
};

constexpr std::uint32_t kU32Max = std::numeric_limits<std::uint32_t>::max();

constexpr Setting flag(std::string_view key, bool Profile::*field) {
  return {key, Kind::Flag, field, nullptr, 0, kU32Max};
}
constexpr Setting count(std::string_view key, std::uint32_t Profile::*field, std::uint32_t min = 0,
                        std::uint32_t max = kU32Max) {
  return {key, Kind::Count, nullptr, field, min, max};
}

const std::array<Setting, 43> kSettings = {
    flag("rfc5961_rst", &Profile::rfc5961_rst),
    flag("rfc5961_syn", &Profile::rfc5961_syn),
    flag("rfc5961_ack", &Profile::rfc5961_ack),
    count("challenge_ack_limit", &Profile::challenge_ack_limit),
    count("challenge_ack_window_ms", &Profile::challenge_ack_window_ms),
    Setting{"time_wait_rst", Kind::TimeWaitRstKind},
    Setting{"time_wait_syn", Kind::TimeWaitSynKind},
    count("msl_ms", &Profile::msl_ms),
    flag("rst_sender_enters_time_wait", &Profile::rst_sender_enters_time_wait),
    flag("half_duplex_close", &Profile::half_duplex_close),
    count("fin_wait_2_timeout_ms", &Profile::fin_wait_2_timeout_ms),
    flag("out_of_order_queue", &Profile::out_of_order_queue),
    Setting{"syn_text", Kind::SynTextKind},
    // The window field has 16 bits and the model does no window scaling.
    count("receive_buffer", &Profile::receive_buffer, 0, 65535),
    count("send_buffer", &Profile::send_buffer),
    count("mss", &Profile::mss, 1),
    count("rto_initial_ms", &Profile::rto_initial_ms),
    count("rto_min_ms", &Profile::rto_min_ms),
    count("rto_max_ms", &Profile::rto_max_ms),
    count("syn_retries", &Profile::syn_retries),
    count("data_retries", &Profile::data_retries),
    count("user_timeout_ms", &Profile::user_timeout_ms),
    count("iss_increment", &Profile::iss_increment),
    // The Linux departures (docs/linux-deviations.md).
    flag("own_rst_with_ack", &Profile::own_rst_with_ack),
    flag("old_ack_bound_by_acked", &Profile::old_ack_bound_by_acked),
    flag("syn_sent_bad_ack_resends_syn", &Profile::syn_sent_bad_ack_resends_syn),
    flag("syn_ack_text_discarded", &Profile::syn_ack_text_discarded),
    flag("rst_accepts_rcv_nxt_minus_1", &Profile::rst_accepts_rcv_nxt_minus_1),
    flag("time_wait_mini_socket", &Profile::time_wait_mini_socket),
    flag("orphan_fin_wait_2", &Profile::orphan_fin_wait_2),
    flag("data_after_close_resets", &Profile::data_after_close_resets),
    flag("data_after_fin_resets", &Profile::data_after_fin_resets),
    flag("request_socket", &Profile::request_socket),
    flag("nagle", &Profile::nagle),
    flag("handshake_rtt_sample", &Profile::handshake_rtt_sample),
    count("syn_linear_timeouts", &Profile::syn_linear_timeouts),
    flag("syn_ack_completes_simultaneous_open", &Profile::syn_ack_completes_simultaneous_open),
    flag("window_update_when_doubled", &Profile::window_update_when_doubled),
    flag("linux_sequence_test", &Profile::linux_sequence_test),
    flag("repeated_fin_unacked", &Profile::repeated_fin_unacked),
    flag("drop_without_ack_rst_syn", &Profile::drop_without_ack_rst_syn),
    flag("syn_received_accepts_ack_of_una", &Profile::syn_received_accepts_ack_of_una),
    flag("fast_path_keeps_data", &Profile::fast_path_keeps_data),
};

// Quoted for a message, with control and non-ASCII bytes escaped and long text cut short.
std::string quoted(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "'";
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i == 40) {
      out += "...";
      break;
    }
    const auto u = static_cast<unsigned char>(s[i]);
    if (u < 0x20 || u >= 0x7f) {
      out += "\\x";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xf]);
    } else {
      out.push_back(s[i]);
    }
  }
  return out + "'";
}

std::string shown(const std::string& key, const std::string& value) {
  return quoted(key + "=" + value);
}

// Decimal digits only, within [min, max].
std::optional<std::string> parse_count(const Setting& s, const std::string& value,
                                       std::uint32_t& out) {
  const std::string range = std::to_string(s.min) + ".." + std::to_string(s.max);
  const std::string bad = "bad value in " + shown(std::string(s.key), value) +
                          "; expected a decimal number in " + range;
  if (value.empty()) return bad;
  std::uint64_t v = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return bad;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
    if (v > s.max) return bad;
  }
  if (v < s.min) return bad;
  out = static_cast<std::uint32_t>(v);
  return std::nullopt;
}

std::optional<std::string> apply(Profile& p, const Setting& s, const std::string& value) {
  const std::string key(s.key);
  const auto choice = [&](std::string_view a, std::string_view b) {
    return "bad value in " + shown(key, value) + "; expected " + std::string(a) + " or " +
           std::string(b);
  };
  switch (s.kind) {
    case Kind::Flag:
      if (value != "on" && value != "off") return choice("on", "off");
      p.*s.flag = value == "on";
      return std::nullopt;
    case Kind::Count: return parse_count(s, value, p.*s.count);
    case Kind::TimeWaitRstKind:
      if (value == "accept") {
        p.time_wait_rst = TimeWaitRst::Accept;
      } else if (value == "ignore") {
        p.time_wait_rst = TimeWaitRst::Ignore;
      } else {
        return choice("accept", "ignore");
      }
      return std::nullopt;
    case Kind::TimeWaitSynKind:
      if (value == "challenge-ack") {
        p.time_wait_syn = TimeWaitSyn::ChallengeAck;
      } else if (value == "reopen") {
        p.time_wait_syn = TimeWaitSyn::Reopen;
      } else {
        return choice("challenge-ack", "reopen");
      }
      return std::nullopt;
    case Kind::SynTextKind:
      if (value == "hold") {
        p.syn_text = SynText::Hold;
      } else if (value == "discard") {
        p.syn_text = SynText::Discard;
      } else {
        return choice("hold", "discard");
      }
      return std::nullopt;
  }
  return "unhandled setting kind";
}

}  // namespace

std::variant<Profile, std::string> make_profile(const ProfileSpec& spec) {
  Profile p;
  if (spec.name == "rfc9293") {
    p = Profile::rfc9293();
  } else if (spec.name == "rfc793") {
    p = Profile::legacy_rfc793();
  } else if (spec.name == "linux") {
    p = Profile::linux();
  } else {
    return "unknown profile " + quoted(spec.name) + "; expected rfc9293, rfc793 or linux";
  }
  for (std::size_t i = 0; i < spec.settings.size(); ++i) {
    const auto& [key, value] = spec.settings[i];
    for (std::size_t j = 0; j < i; ++j) {
      if (spec.settings[j].first == key) return "profile setting " + quoted(key) + " given twice";
    }
    const Setting* found = nullptr;
    for (const Setting& s : kSettings) {
      if (s.key == key) found = &s;
    }
    if (found == nullptr) {
      std::string keys;
      for (const Setting& s : kSettings) keys += (keys.empty() ? "" : ", ") + std::string(s.key);
      return "unknown profile setting " + quoted(key) + "; expected one of " + keys;
    }
    if (auto error = apply(p, *found, value)) return *error;
  }
  return p;
}

}  // namespace tcpfsm::harness
