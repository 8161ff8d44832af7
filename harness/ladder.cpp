// The ladder diagram of a two-endpoint run: A's state on the left, B's on the right, and
// between them each segment as an arrow from its sender at the moment it arrives (or is
// lost), the picture of RFC 9293 §3.5 Figures 6 to 13.
#include <string>

#include "harness/script_runner.hpp"

namespace tcpfsm::harness {

namespace {

constexpr std::size_t kSide = 14;
constexpr std::size_t kMiddle = 64;

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

// "----- text ----->" or "<----- text -----", centred in the middle column.
std::string arrow(const std::string& text, bool rightwards, bool lost) {
  const std::string label = " " + text + " ";
  const std::size_t room = kMiddle > label.size() + 2 ? kMiddle - label.size() - 2 : 0;
  const std::size_t left = room / 2;
  const std::size_t right = room - left;
  std::string out;
  if (rightwards) {
    out = std::string(left + 1, '-') + label + std::string(right, '-') + (lost ? "X" : ">");
  } else {
    out = (lost ? "X" : "<") + std::string(left, '-') + label + std::string(right + 1, '-');
  }
  return out;
}

std::string row(const std::string& a, const std::string& middle, const std::string& b) {
  return pad(a, kSide) + " " + pad(middle, kMiddle) + " " + b;
}

std::string event_label(const Event& e) {
  if (const auto* t = std::get_if<TimerExpires>(&e))
    return std::string(to_string(t->timer)) + " timeout";
  return to_string(e);
}

}  // namespace

std::vector<std::string> format_ladder(const RunResult& r) {
  std::vector<std::string> out;
  if (!r.two_endpoints) return out;
  out.push_back(row("A", "", "B"));
  out.push_back(row("CLOSED", "", "CLOSED"));
  std::size_t w = 0;
  auto network_events_before = [&](std::size_t step) {
    for (; w < r.wire.size() && r.wire[w].steps_before <= step; ++w) {
      const WireEvent& ev = r.wire[w];
      const bool rightwards = ev.from == Actor::A;
      switch (ev.kind) {
        case WireEvent::Kind::Dropped:
          out.push_back(row("", arrow(to_string(ev.seg) + " lost", rightwards, true), ""));
          break;
        case WireEvent::Kind::Duplicated:
          out.push_back(row("", "  (network duplicates " + to_string(ev.seg) + ")", ""));
          break;
        case WireEvent::Kind::Reordered:
          out.push_back(row("", "  (network reorders " + to_string(ev.seg) + ")", ""));
          break;
        case WireEvent::Kind::Sent:
        case WireEvent::Kind::Delivered: break;
      }
    }
  };
  for (std::size_t i = 0; i < r.steps.size(); ++i) {
    network_events_before(i);
    const StepRecord& s = r.steps[i];
    const bool on_a = s.who == Actor::A;
    const std::string state(to_string(s.outcome.to));
    const bool changed = s.outcome.from != s.outcome.to;
    std::string middle;
    if (const auto* in = std::get_if<SegmentArrives>(&s.event)) {
      middle = arrow(to_string(in->seg), !on_a, false);
    } else {
      const std::string label = event_label(s.event);
      middle = on_a ? "  " + label
                    : pad("", kMiddle > label.size() + 2 ? kMiddle - label.size() - 2 : 0) + label;
    }
    const std::string shown = changed ? state : "";
    out.push_back(on_a ? row(shown, middle, "") : row("", middle, shown));
  }
  network_events_before(r.steps.size());
  return out;
}

}  // namespace tcpfsm::harness
