#include "profiles.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>
#include <variant>
#include <vector>

namespace tcpfsm::prop {

namespace {

struct Variant {
  std::string label;
  bool legacy = false;  // the rfc793 base instead of rfc9293
  std::vector<std::pair<std::string, std::string>> settings;
};

const std::vector<Variant>& variants() {
  static const std::vector<Variant> table = {
      {"default", false, {}},
      {"rfc793", true, {}},
      {"time-wait-rst-ignore", false, {{"time_wait_rst", "ignore"}}},
      {"time-wait-syn-reopen", false, {{"time_wait_syn", "reopen"}}},
      {"half-duplex-close", false, {{"half_duplex_close", "on"}}},
      {"rst-sender-enters-time-wait", false, {{"rst_sender_enters_time_wait", "on"}}},
      {"no-ooo-queue", false, {{"out_of_order_queue", "off"}}},
      {"syn-text-discard", false, {{"syn_text", "discard"}}},
      {"challenge-ack-limit", false, {{"challenge_ack_limit", "2"}}},
      {"fin-wait-2-timeout", false, {{"fin_wait_2_timeout_ms", "5000"}}},
      {"small-buffers",
       false,
       {{"receive_buffer", "1200"}, {"mss", "100"}, {"send_buffer", "4000"}}},
  };
  return table;
}

const Variant& find_variant(const std::string& label) {
  for (const Variant& v : variants()) {
    if (v.label == label) return v;
  }
  throw std::invalid_argument("unknown profile variant '" + label + "'");
}

ProfileChoice build(const std::vector<const Variant*>& parts) {
  ProfileChoice c;
  for (const Variant* v : parts) {
    if (!c.label.empty()) c.label += "+";
    c.label += v->label;
    if (v->legacy) c.spec.name = "rfc793";
    for (const auto& s : v->settings) c.spec.settings.push_back(s);
  }
  auto made = harness::make_profile(c.spec);
  if (const auto* err = std::get_if<std::string>(&made)) {
    throw std::logic_error("profile variant '" + c.label + "' does not build: " + *err);
  }
  c.profile = std::get<Profile>(made);
  return c;
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const ProfileChoice& c) {
  os << c.label << " (profile " << c.spec.name;
  for (const auto& [key, value] : c.spec.settings) os << " " << key << "=" << value;
  return os << ")";
}

const std::vector<std::string>& profile_variant_labels() {
  static const std::vector<std::string> labels = [] {
    std::vector<std::string> out;
    for (const Variant& v : variants()) out.push_back(v.label);
    return out;
  }();
  return labels;
}

ProfileChoice profile_variant(const std::string& label) {
  std::vector<const Variant*> parts;
  std::size_t start = 0;
  while (start <= label.size()) {
    const std::size_t plus = label.find('+', start);
    const std::size_t end = plus == std::string::npos ? label.size() : plus;
    parts.push_back(&find_variant(label.substr(start, end - start)));
    if (plus == std::string::npos) break;
    start = plus + 1;
  }
  return build(parts);
}

rc::Gen<ProfileChoice> gen_profile() {
  return rc::gen::exec([] {
    const auto& all = variants();
    const auto roll = *rc::gen::inRange(0, 100);
    if (roll < 35) return build({&all[0]});
    if (roll < 88) {
      const auto i = *rc::gen::inRange<std::size_t>(1, all.size());
      return build({&all[i]});
    }
    // Two or three variants together (never "default", which adds nothing).
    std::vector<std::size_t> picks;
    const int count = *rc::gen::inRange(2, 4);
    while (static_cast<int>(picks.size()) < count) {
      const auto i = *rc::gen::inRange<std::size_t>(1, all.size());
      if (std::find(picks.begin(), picks.end(), i) == picks.end()) picks.push_back(i);
    }
    std::sort(picks.begin(), picks.end());
    std::vector<const Variant*> parts;
    for (std::size_t i : picks) parts.push_back(&all[i]);
    return build(parts);
  });
}

rc::Gen<std::uint32_t> gen_iss() {
  return rc::gen::exec([] {
    const auto roll = *rc::gen::inRange(0, 100);
    if (roll < 30) return *rc::gen::inRange<std::uint32_t>(100, 100'000);
    // Just below 2^32: a few octets, a segment or a window before the wraparound.
    if (roll < 85) return 0xFFFF'FFFFu - *rc::gen::inRange<std::uint32_t>(0, 70'000);
    return *rc::gen::inRange<std::uint32_t>(0, 0xFFFF'FFFFu);
  });
}

}  // namespace tcpfsm::prop
