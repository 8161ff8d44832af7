#include "core/event.hpp"

#include <type_traits>

namespace tcpfsm {

std::string_view to_string(TimerKind t) {
  switch (t) {
    case TimerKind::Retransmission: return "retransmission";
    case TimerKind::ZeroWindowProbe: return "zero-window-probe";
    case TimerKind::User: return "user";
    case TimerKind::TimeWait: return "time-wait";
    case TimerKind::FinWait2: return "fin-wait-2";
  }
  return "?";
}

std::string to_string(const Event& e) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, OpenCall>) {
          std::string s = v.passive ? "OPEN passive" : "OPEN active";
          if (!v.remote_specified) s += " (foreign socket unspecified)";
          return s;
        } else if constexpr (std::is_same_v<T, SendCall>) {
          return "SEND " + std::to_string(v.len) + (v.urgent ? " urgent" : "");
        } else if constexpr (std::is_same_v<T, ReceiveCall>) {
          return "RECEIVE " + std::to_string(v.max_len);
        } else if constexpr (std::is_same_v<T, CloseCall>) {
          return "CLOSE";
        } else if constexpr (std::is_same_v<T, AbortCall>) {
          return "ABORT";
        } else if constexpr (std::is_same_v<T, StatusCall>) {
          return "STATUS";
        } else if constexpr (std::is_same_v<T, SegmentArrives>) {
          return "rcv " + to_string(v.seg);
        } else {
          return std::string(to_string(v.timer)) + " timeout";
        }
      },
      e);
}

}  // namespace tcpfsm
