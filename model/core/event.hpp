#pragma once
// Everything that can happen to one endpoint (RFC 9293 §3.10: user calls, arriving segments,
// timeouts), as plain values so that scripts, fuzzers and the explorer can build them.
#include <cstdint>
#include <string>
#include <variant>

#include "core/segment.hpp"

namespace tcpfsm {

// Virtual time in milliseconds. Nothing in tcpfsm reads a real clock.
using Millis = std::uint64_t;

struct OpenCall {
  bool passive = false;
  bool remote_specified = true;  // a fully specified foreign socket (§3.9.1.1)
  bool operator==(const OpenCall&) const = default;
};
struct SendCall {
  std::uint32_t len = 0;
  bool urgent = false;
  bool operator==(const SendCall&) const = default;
};
struct ReceiveCall {
  std::uint32_t max_len = 0;
  bool operator==(const ReceiveCall&) const = default;
};
struct CloseCall {
  bool operator==(const CloseCall&) const = default;
};
struct AbortCall {
  bool operator==(const AbortCall&) const = default;
};
struct StatusCall {
  bool operator==(const StatusCall&) const = default;
};
struct SegmentArrives {
  Segment seg;
  bool operator==(const SegmentArrives&) const = default;
};

enum class TimerKind : std::uint8_t {
  Retransmission,   // RFC 6298 / RFC 9293 §3.8.1
  ZeroWindowProbe,  // the persist timer: RFC 9293 §3.8.6.1 (MUST-36) and the §3.8.6.2.1 override
  User,             // RFC 9293 §3.10.8 USER TIMEOUT
  TimeWait,         // RFC 9293 §3.10.8 TIME-WAIT TIMEOUT (2*MSL)
  FinWait2,         // not in RFC 9293: Linux tcp_fin_timeout, off by default
};
inline constexpr int kTimerKinds = 5;
std::string_view to_string(TimerKind t);

struct TimerExpires {
  TimerKind timer = TimerKind::Retransmission;
  bool operator==(const TimerExpires&) const = default;
};

using Event = std::variant<OpenCall, SendCall, ReceiveCall, CloseCall, AbortCall, StatusCall,
                           SegmentArrives, TimerExpires>;

std::string to_string(const Event& e);

}  // namespace tcpfsm
