#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cli_verbs.hpp"
#include "harness/script_runner.hpp"
#include "harness/seed_situations.hpp"

namespace tcpfsm::cli {

namespace {

bool wants_help(const Args& args) {
  for (auto a : args) {
    if (a == "--help" || a == "-h") return true;
  }
  return false;
}

}  // namespace

void print_seed(const harness::SeedResult& r, bool with_trace) {
  std::printf("== %s: %s\n", r.name.c_str(), r.story.c_str());
  if (with_trace) {
    for (const auto& line : r.ladder) std::printf("   %s\n", line.c_str());
    std::printf("\n");
    for (const auto& line : r.trace) std::printf("   %s\n", line.c_str());
  }
  for (const auto& c : r.checks) {
    std::printf("   [%s] %s\n", c.holds ? "ok" : "FAILED", c.claim.c_str());
  }
  std::printf("\n");
}

int seeds(const Args& args) {
  if (wants_help(args)) {
    std::puts(
        "usage: tcpfsm seeds [NAME]\n"
        "Plays the seed situations (active-close, passive-close, simultaneous-close,\n"
        "server-lets-client-close) between two reference endpoints A and B and prints every\n"
        "step as STATE --event--> STATE [snd segment] (RFC check). With NAME, only that one.");
    return 0;
  }
  int failed = 0;
  int shown = 0;
  for (const auto& r : harness::run_seed_situations()) {
    if (!args.empty() && args[0] != r.name) continue;
    ++shown;
    print_seed(r, true);
    if (!r.passed()) ++failed;
  }
  if (shown == 0) {
    std::fprintf(stderr, "tcpfsm seeds: no seed situation named '%.*s'\n",
                 static_cast<int>(args[0].size()), args[0].data());
    return 2;
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace tcpfsm::cli
