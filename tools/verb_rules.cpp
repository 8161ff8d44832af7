#include <cstdio>
#include <string>

#include "cli_verbs.hpp"
#include "core/rules.hpp"

namespace tcpfsm::cli {

int rules(const Args& args) {
  if (!args.empty()) {
    std::puts(
        "usage: tcpfsm rules\nLists every RFC check the model names as the reason of a step.");
    return args[0] == "--help" || args[0] == "-h" ? 0 : 2;
  }
  for (int i = 0; i <= static_cast<int>(Rule::FinWait2Expires); ++i) {
    const RuleInfo info = describe(static_cast<Rule>(i));
    std::printf("%-36.*s %-48.*s %.*s\n", static_cast<int>(info.name.size()), info.name.data(),
                static_cast<int>(info.section.size()), info.section.data(),
                static_cast<int>(info.summary.size()), info.summary.data());
  }
  return 0;
}

}  // namespace tcpfsm::cli
