#include <cstdio>
#include <string>

#include "cli_verbs.hpp"
#include "core/state.hpp"
#include "core/state_names.hpp"

namespace tcpfsm::cli {

namespace {

void cell(std::string_view s, int width) {
  std::printf("%-*.*s", width, static_cast<int>(s.size()), s.data());
}

}  // namespace

int names(const Args& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::puts(
        "usage: tcpfsm names [NAME]\n"
        "Prints the names each TCP state goes by: RFC 9293, Linux (ss, /proc/net/tcp, the\n"
        "kernel, netstat), BSD/macOS (TCPS_* and netstat) and Windows (MIB_TCP_STATE_* and\n"
        "netstat). With NAME (any of those spellings), prints the RFC state it means.");
    return 0;
  }
  if (!args.empty()) {
    const std::string name(args[0]);
    const auto st = state_from_os_name(name);
    if (!st) {
      std::fprintf(stderr, "tcpfsm names: '%s' is not a state name any of these systems print\n",
                   name.c_str());
      return 2;
    }
    const auto rfc = to_string(*st);
    std::printf("%s is %.*s\n", name.c_str(), static_cast<int>(rfc.size()), rfc.data());
    return 0;
  }
  std::printf("%-13s %-11s %-5s %-16s %-12s %-20s %-3s %-12s %-26s %-3s %s\n", "RFC 9293",
              "Linux ss", "/proc", "Linux kernel", "netstat", "BSD TCPS_*", "#", "BSD netstat",
              "Windows MIB_TCP_STATE_*", "#", "Windows netstat");
  for (State s : kAllStates) {
    const StateNames& n = names_of(s);
    cell(n.rfc, 14);
    cell(n.linux_ss, 12);
    cell(n.linux_proc_hex, 6);
    cell(n.linux_kernel, 17);
    cell(n.linux_netstat, 13);
    cell(n.bsd_tcps, 21);
    std::printf("%-4d", n.bsd_value);
    cell(n.bsd_netstat, 13);
    cell(n.windows_mib, 27);
    std::printf("%-4d", n.windows_value);
    cell(n.windows_netstat, 0);
    std::printf("\n");
  }
  return 0;
}

}  // namespace tcpfsm::cli
