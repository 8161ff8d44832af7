// Placeholder: filled in by the owner of this file.
#include <cstdio>

#include "cli_verbs.hpp"

namespace tcpfsm::cli {
int decode(const Args&) {
  std::fputs("tcpfsm decode: not available yet\n", stderr);
  return 2;
}
int encode(const Args&) {
  std::fputs("tcpfsm encode: not available yet\n", stderr);
  return 2;
}
}  // namespace tcpfsm::cli
