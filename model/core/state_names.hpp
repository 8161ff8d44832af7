#pragma once
// The names operating systems print for the eleven RFC 9293 states, so that a trace taken from
// `ss`, `netstat`, /proc/net/tcp, a BSD kernel or the Windows IP Helper API can be read in RFC
// vocabulary. docs/state-names.md shows the same table; tests/state_names_test.cpp checks that the
// two agree.
//
// Sources (facts only): Linux include/net/tcp_states.h (TCP_* values, printed in hex by
// /proc/net/tcp), iproute2 misc/ss.c (the short labels of `ss`), net-tools netstat.c (Linux
// `netstat`), FreeBSD sys/netinet/tcp_fsm.h (TCPS_* values and the tcpstates[] labels BSD and macOS
// `netstat` print), Windows tcpmib.h (MIB_TCP_STATE) and netstat.exe.
#include <optional>
#include <string_view>

#include "core/state.hpp"

namespace tcpfsm {

struct StateNames {
  std::string_view rfc;              // RFC 9293 spelling: "SYN-RECEIVED"
  std::string_view linux_ss;         // iproute2 `ss`: "SYN-RECV"
  std::string_view linux_proc_hex;   // the st column of /proc/net/tcp: "03"
  std::string_view linux_kernel;     // include/net/tcp_states.h: "TCP_SYN_RECV"
  std::string_view linux_netstat;    // net-tools `netstat`: "SYN_RECV"
  std::string_view bsd_tcps;         // sys/netinet/tcp_fsm.h: "TCPS_SYN_RECEIVED"
  int bsd_value;                     // its value: 3
  std::string_view bsd_netstat;      // BSD and macOS `netstat`: "SYN_RCVD"
  std::string_view windows_mib;      // tcpmib.h: "MIB_TCP_STATE_SYN_RCVD"
  int windows_value;                 // its value: 4
  std::string_view windows_netstat;  // netstat.exe: "SYN_RECEIVED"
};

// The names of one state. Every State has an entry.
const StateNames& names_of(State s);

// Any spelling of any column above, compared case-insensitively, plus a few aliases: the state
// filter words of `ss` ("established", "closed", "listening", "unconnected", ...) and Linux's
// TCP_NEW_SYN_RECV / NEW_SYN_RECV (a passive open's request socket, which the RFC calls
// SYN-RECEIVED). Ambiguities resolved here:
//   * "CLOSE" (Linux netstat, TCP_CLOSE) and "UNCONN" (ss) mean CLOSED, never CLOSE-WAIT.
//   * "LISTENING" (Windows netstat, ss's filter word) means LISTEN.
//   * Names with no RFC state give nullopt: DELETE_TCB (Windows: a request to drop a TCB, not a
//     state), TCP_BOUND_INACTIVE (Linux: a bound socket, not a connection), UNKNOWN.
// Numbers are not names: "10" is LISTEN on Linux, TIME-WAIT on BSD and LAST-ACK on Windows, so
// numeric codes go through the functions below instead.
std::optional<State> state_from_os_name(std::string_view name);

// /proc/net/tcp's st column: one or two hex digits, either case ("0A", "a").
std::optional<State> state_from_linux_proc_hex(std::string_view hex);
// The TCPS_* value of BSD and macOS (0 to 10).
std::optional<State> state_from_bsd_value(int value);
// The MIB_TCP_STATE value of Windows (1 to 11; 12, DELETE_TCB, has no RFC state).
std::optional<State> state_from_windows_value(int value);

}  // namespace tcpfsm
