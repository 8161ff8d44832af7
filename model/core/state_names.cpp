#include "core/state_names.hpp"

#include <array>
#include <cctype>

namespace tcpfsm {

namespace {

// One row per State, in the enum's order (RFC order, CLOSED last).
constexpr std::array<StateNames, kAllStates.size()> kNames = {{
    {"LISTEN", "LISTEN", "0A", "TCP_LISTEN", "LISTEN", "TCPS_LISTEN", 1, "LISTEN",
     "MIB_TCP_STATE_LISTEN", 2, "LISTENING"},
    {"SYN-SENT", "SYN-SENT", "02", "TCP_SYN_SENT", "SYN_SENT", "TCPS_SYN_SENT", 2, "SYN_SENT",
     "MIB_TCP_STATE_SYN_SENT", 3, "SYN_SENT"},
    {"SYN-RECEIVED", "SYN-RECV", "03", "TCP_SYN_RECV", "SYN_RECV", "TCPS_SYN_RECEIVED", 3,
     "SYN_RCVD", "MIB_TCP_STATE_SYN_RCVD", 4, "SYN_RECEIVED"},
    {"ESTABLISHED", "ESTAB", "01", "TCP_ESTABLISHED", "ESTABLISHED", "TCPS_ESTABLISHED", 4,
     "ESTABLISHED", "MIB_TCP_STATE_ESTAB", 5, "ESTABLISHED"},
    {"FIN-WAIT-1", "FIN-WAIT-1", "04", "TCP_FIN_WAIT1", "FIN_WAIT1", "TCPS_FIN_WAIT_1", 6,
     "FIN_WAIT_1", "MIB_TCP_STATE_FIN_WAIT1", 6, "FIN_WAIT_1"},
    {"FIN-WAIT-2", "FIN-WAIT-2", "05", "TCP_FIN_WAIT2", "FIN_WAIT2", "TCPS_FIN_WAIT_2", 9,
     "FIN_WAIT_2", "MIB_TCP_STATE_FIN_WAIT2", 7, "FIN_WAIT_2"},
    {"CLOSE-WAIT", "CLOSE-WAIT", "08", "TCP_CLOSE_WAIT", "CLOSE_WAIT", "TCPS_CLOSE_WAIT", 5,
     "CLOSE_WAIT", "MIB_TCP_STATE_CLOSE_WAIT", 8, "CLOSE_WAIT"},
    {"CLOSING", "CLOSING", "0B", "TCP_CLOSING", "CLOSING", "TCPS_CLOSING", 7, "CLOSING",
     "MIB_TCP_STATE_CLOSING", 9, "CLOSING"},
    {"LAST-ACK", "LAST-ACK", "09", "TCP_LAST_ACK", "LAST_ACK", "TCPS_LAST_ACK", 8, "LAST_ACK",
     "MIB_TCP_STATE_LAST_ACK", 10, "LAST_ACK"},
    {"TIME-WAIT", "TIME-WAIT", "06", "TCP_TIME_WAIT", "TIME_WAIT", "TCPS_TIME_WAIT", 10,
     "TIME_WAIT", "MIB_TCP_STATE_TIME_WAIT", 11, "TIME_WAIT"},
    // Linux calls CLOSED "CLOSE" (TCP_CLOSE); ss prints such a socket as UNCONN.
    {"CLOSED", "UNCONN", "07", "TCP_CLOSE", "CLOSE", "TCPS_CLOSED", 0, "CLOSED",
     "MIB_TCP_STATE_CLOSED", 1, "CLOSED"},
}};

struct Alias {
  std::string_view name;
  State state;
};

// Spellings that are in no column of the table but that tools print or accept.
constexpr std::array<Alias, 3> kAliases = {{
    {"unconnected", State::Closed},            // ss's long name for UNCONN
    {"TCP_NEW_SYN_RECV", State::SynReceived},  // Linux request socket of a passive open
    {"NEW_SYN_RECV", State::SynReceived},
}};

bool same_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  const int u = std::toupper(static_cast<unsigned char>(c));
  if (u >= 'A' && u <= 'F') return u - 'A' + 10;
  return -1;
}

}  // namespace

const StateNames& names_of(State s) {
  return kNames[static_cast<std::size_t>(s)];
}

std::optional<State> state_from_os_name(std::string_view name) {
  for (State s : kAllStates) {
    const StateNames& n = names_of(s);
    for (std::string_view candidate :
         {n.rfc, n.linux_ss, n.linux_kernel, n.linux_netstat, n.bsd_tcps, n.bsd_netstat,
          n.windows_mib, n.windows_netstat}) {
      if (same_ignoring_case(name, candidate)) return s;
    }
  }
  for (const Alias& a : kAliases) {
    if (same_ignoring_case(name, a.name)) return a.state;
  }
  return std::nullopt;
}

std::optional<State> state_from_linux_proc_hex(std::string_view hex) {
  if (hex.empty() || hex.size() > 2) return std::nullopt;
  int value = 0;
  for (char c : hex) {
    const int d = hex_digit(c);
    if (d < 0) return std::nullopt;
    value = value * 16 + d;
  }
  for (State s : kAllStates) {
    if (hex_digit(names_of(s).linux_proc_hex[0]) * 16 + hex_digit(names_of(s).linux_proc_hex[1]) ==
        value) {
      return s;
    }
  }
  return std::nullopt;
}

std::optional<State> state_from_bsd_value(int value) {
  for (State s : kAllStates) {
    if (names_of(s).bsd_value == value) return s;
  }
  return std::nullopt;
}

std::optional<State> state_from_windows_value(int value) {
  for (State s : kAllStates) {
    if (names_of(s).windows_value == value) return s;
  }
  return std::nullopt;
}

}  // namespace tcpfsm
