#include "harness/trace.hpp"

namespace tcpfsm::harness {

std::string trace_line(const Event& event, const Outcome& outcome) {
  std::string line(to_string(outcome.from));
  line += " --" + to_string(event) + "--> ";
  line += to_string(outcome.to);
  for (const Segment& s : outcome.sent) line += " [snd " + to_string(s) + "]";
  for (const Notice& n : outcome.notices) line += " {user: " + to_string(n) + "}";
  const RuleInfo why = describe(outcome.rule);
  if (!why.section.empty())
    line += "  (" + std::string(why.section) + ": " + std::string(why.summary) + ")";
  return line;
}

}  // namespace tcpfsm::harness
