// Placeholder: filled in by the owner of this file.
#include <cstdio>

#include "cli_verbs.hpp"

namespace tcpfsm::cli {
int fuzz(const Args&) {
  std::fputs("tcpfsm fuzz: not available yet\n", stderr);
  return 2;
}
}  // namespace tcpfsm::cli
