// Paths of the explored graph as two-endpoint scripts (explorer_search.hpp): the shortest
// counterexample to a violation, and the witnesses of the arrows taken.
#include <algorithm>
#include <sstream>

#include "harness/explorer_search.hpp"

namespace tcpfsm::harness::explore_detail {

std::vector<Action> Explorer::path_to(std::uint32_t state) const {
  std::vector<Action> path;
  while (parent_[state] != state) {
    path.push_back(via_[state]);
    state = parent_[state];
  }
  std::reverse(path.begin(), path.end());
  return path;
}

std::uint32_t root_of(const std::vector<std::uint32_t>& parent, std::uint32_t state) {
  while (parent[state] != state) state = parent[state];
  return state;
}

// Replays a path from its initial world and writes it as a two-endpoint script, each step
// followed by what the oracle (or, without one, the implementation) answered: the notices, the
// segments sent and the state. Against an implementation that disagrees, the script fails at
// the first difference; an invariant violation fails it at the step that shows it.
Script Explorer::script_for(std::uint32_t root, const std::vector<Action>& path) const {
  Script s;
  s.two_endpoints = true;
  s.profile_a = config_.profile_a;
  s.profile_b = config_.profile_b;
  s.iss_a = roots_[root].first;
  s.iss_b = roots_[root].second;
  auto line = [&](Line l) { s.lines.push_back(ScriptLine{{}, std::move(l)}); };
  auto expect = [&](const StepSeen& st) {
    const Actor who = actor(st.side);
    const Outcome& o = st.oracle ? *st.oracle : st.outcome;
    for (const Notice& n : o.notices) line(ExpectNoticeLine{who, n});
    for (const Segment& seg : o.sent) {
      SegmentSpec spec;
      spec.ctl = seg.ctl;
      spec.seq = Number{true, seg.seq.raw()};
      spec.len = seg.len;
      if (seg.ack_flag()) spec.ack = Number{true, seg.ack.raw()};
      spec.wnd = seg.wnd;
      if (seg.has(kUrg)) spec.up = seg.up;
      line(ExpectSegmentLine{who, spec});
    }
    line(ExpectStateLine{who, o.to});
  };
  World w = initial(root);
  for (const Action& a : path) {
    const Actor who = actor(a.side);
    const auto applied = apply(w, a);
    if (!applied) break;  // cannot happen: the path was found by the same code
    switch (a.kind) {
      case ActionKind::Call:
        line(CallLine{who, event_of(static_cast<ExploreCall>(a.arg), config_.send_size)});
        break;
      case ActionKind::Deliver:
        line(NetworkLine{NetOp::Deliver, who, static_cast<std::uint32_t>(a.index + 1)});
        break;
      case ActionKind::Drop:
        line(NetworkLine{NetOp::Drop, who, static_cast<std::uint32_t>(a.index + 1)});
        break;
      case ActionKind::Duplicate:
        line(NetworkLine{NetOp::Duplicate, who, static_cast<std::uint32_t>(a.index + 1)});
        break;
      case ActionKind::Timer: line(TimeoutLine{who, static_cast<TimerKind>(a.arg)}); break;
      case ActionKind::Crash: line(CallLine{who, AbortCall{}}); break;
    }
    for (const StepSeen& st : applied->steps) expect(st);
    for (std::uint8_t k : applied->crash_drops) {
      line(NetworkLine{NetOp::Drop, who, static_cast<std::uint32_t>(k + 1)});
    }
    w = applied->next;
  }
  return s;
}

namespace {

std::string comment_block(const std::string& text) {
  std::string out;
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l)) out += "# " + l + "\n";
  return out;
}

}  // namespace

Counterexample Explorer::make_counterexample(const Found& f) const {
  Counterexample c;
  c.kind = f.kind;
  c.message = f.message;
  std::vector<Action> path = path_to(f.source);
  if (f.action) path.push_back(*f.action);
  c.depth = path.size();
  c.script = script_for(root_of(parent_, f.source), path);
  c.text = comment_block("tcpfsm explore, configuration '" + config_.name +
                         "': " + std::string(to_string(f.kind)) + "\n" + f.message + "\n" +
                         "shortest path: " + std::to_string(c.depth) + " actions") +
           print_script(c.script);
  // Read back from the text, so that a replay's failure names a line of the text.
  auto parsed = parse_script(c.text, "counterexample.tcp");
  if (auto* s = std::get_if<Script>(&parsed)) c.script = std::move(*s);
  return c;
}

}  // namespace tcpfsm::harness::explore_detail
