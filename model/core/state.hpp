#pragma once
// The eleven connection states, in the order RFC 9293 §3.3.2 introduces them (CLOSED, the
// "fictional" state, comes last there and here).
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tcpfsm {

enum class State : std::uint8_t {
  Listen,
  SynSent,
  SynReceived,
  Established,
  FinWait1,
  FinWait2,
  CloseWait,
  Closing,
  LastAck,
  TimeWait,
  Closed,
};

inline constexpr std::array<State, 11> kAllStates = {
    State::Listen,   State::SynSent,  State::SynReceived, State::Established,
    State::FinWait1, State::FinWait2, State::CloseWait,   State::Closing,
    State::LastAck,  State::TimeWait, State::Closed,
};

// RFC spelling: "SYN-RECEIVED", "FIN-WAIT-1", ...
std::string_view to_string(State s);
// Accepts the RFC spelling, case-insensitively, and the common short forms ("SYN-RCVD", "ESTAB").
std::optional<State> parse_state(std::string_view name);

// RFC 9293 §3.5.2: the synchronized states are ESTABLISHED and every state after it.
constexpr bool is_synchronized(State s) {
  switch (s) {
    case State::Established:
    case State::FinWait1:
    case State::FinWait2:
    case State::CloseWait:
    case State::Closing:
    case State::LastAck:
    case State::TimeWait: return true;
    case State::Listen:
    case State::SynSent:
    case State::SynReceived:
    case State::Closed: return false;
  }
  return false;
}

}  // namespace tcpfsm
