#include <cstdio>

#include "cli_verbs.hpp"
#include "core/state.hpp"

namespace tcpfsm::cli {

int names(const Args& args) {
  if (!args.empty()) {
    std::puts("usage: tcpfsm names\nPrints the state names of RFC 9293 and of operating systems.");
    return args[0] == "--help" || args[0] == "-h" ? 0 : 2;
  }
  for (State s : kAllStates) {
    const auto n = to_string(s);
    std::printf("%.*s\n", static_cast<int>(n.size()), n.data());
  }
  return 0;
}

}  // namespace tcpfsm::cli
