#include "core/state.hpp"

#include <cctype>
#include <string>

namespace tcpfsm {

std::string_view to_string(State s) {
  switch (s) {
    case State::Listen: return "LISTEN";
    case State::SynSent: return "SYN-SENT";
    case State::SynReceived: return "SYN-RECEIVED";
    case State::Established: return "ESTABLISHED";
    case State::FinWait1: return "FIN-WAIT-1";
    case State::FinWait2: return "FIN-WAIT-2";
    case State::CloseWait: return "CLOSE-WAIT";
    case State::Closing: return "CLOSING";
    case State::LastAck: return "LAST-ACK";
    case State::TimeWait: return "TIME-WAIT";
    case State::Closed: return "CLOSED";
  }
  return "?";
}

std::optional<State> parse_state(std::string_view name) {
  std::string upper;
  for (char c : name) {
    upper.push_back(c == '_' ? '-'
                             : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  for (State s : kAllStates) {
    if (upper == to_string(s)) return s;
  }
  if (upper == "SYN-RCVD" || upper == "SYN-RECV") return State::SynReceived;
  if (upper == "ESTAB") return State::Established;
  if (upper == "FIN-WAIT1") return State::FinWait1;
  if (upper == "FIN-WAIT2") return State::FinWait2;
  return std::nullopt;
}

}  // namespace tcpfsm
