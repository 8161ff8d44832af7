// Placeholder: filled in by the owner of this file.
#include <cstdio>

#include "cli_verbs.hpp"

namespace tcpfsm::cli {
int explore(const Args&) {
  std::fputs("tcpfsm explore: not available yet\n", stderr);
  return 2;
}
int diagram(const Args&) {
  std::fputs("tcpfsm diagram: not available yet\n", stderr);
  return 2;
}
}  // namespace tcpfsm::cli
