// tcpfsm: the command-line face of the project. Verbs:
//   verify   the default verification run, with one summary
//   run      play .tcp scripts against the reference model
//   seeds    the seed situations, each step traced in RFC vocabulary
//   names    the state names of RFC 9293 and of Linux, BSD and Windows tools
//   rules    every RFC check the model names in its traces, with its section
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "cli_verbs.hpp"

namespace {

void usage(std::FILE* out) {
  std::fputs(
      "usage: tcpfsm <verb> [options]\n"
      "\n"
      "verbs:\n"
      "  verify [--quiet]   run the default verification and print one summary\n"
      "  run FILE.tcp...    play scenario scripts and check their expectations\n"
      "  seeds [NAME]       play the seed situations, each step traced in RFC vocabulary\n"
      "  names              print the state names of RFC 9293, Linux, BSD and Windows\n"
      "  rules              list the RFC checks the model reports as reasons\n"
      "  fuzz               run a fuzzing campaign (libFuzzer)\n"
      "  decode FILE        print a fuzz input as a script; encode SCRIPT goes back\n"
      "  explore --config F explore every reachable state of a bounded world\n"
      "  diagram            draw the explored state machine (Graphviz)\n"
      "  conform            compare the model with a real TCP stack\n"
      "\n"
      "Every verb accepts --help. Exit status: 0 all checks hold, 1 a check failed,\n"
      "2 unusable input.\n",
      out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const std::string_view verb = argv[1];
  std::vector<std::string_view> args(argv + 2, argv + argc);
  if (verb == "--help" || verb == "-h" || verb == "help") {
    usage(stdout);
    return 0;
  }
  if (verb == "verify") return tcpfsm::cli::verify(args);
  if (verb == "run") return tcpfsm::cli::run(args);
  if (verb == "seeds") return tcpfsm::cli::seeds(args);
  if (verb == "names") return tcpfsm::cli::names(args);
  if (verb == "rules") return tcpfsm::cli::rules(args);
  if (verb == "fuzz") return tcpfsm::cli::fuzz(args);
  if (verb == "decode") return tcpfsm::cli::decode(args);
  if (verb == "encode") return tcpfsm::cli::encode(args);
  if (verb == "explore") return tcpfsm::cli::explore(args);
  if (verb == "diagram") return tcpfsm::cli::diagram(args);
  if (verb == "conform") return tcpfsm::cli::conform(args);
  std::fprintf(stderr, "tcpfsm: unknown verb '%.*s'\n\n", static_cast<int>(verb.size()),
               verb.data());
  usage(stderr);
  return 2;
}
