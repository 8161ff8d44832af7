// What the explorer reports (explorer.hpp): the JSON summary of `tcpfsm explore --json` and the
// explored state machine as a Graphviz digraph.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "harness/explorer.hpp"

namespace tcpfsm::harness {

std::string_view to_string(Counterexample::Kind k) {
  switch (k) {
    case Counterexample::Kind::Invariant: return "invariant";
    case Counterexample::Kind::Disagreement: return "disagreement";
    case Counterexample::Kind::Liveness: return "liveness";
  }
  return "?";
}

namespace {

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string dot_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string to_json(const ExploreResult& r) {
  std::string o = "{";
  auto field = [&](std::string_view name, const std::string& value) {
    if (o.size() > 1) o += ", ";
    o += json_string(name) + ": " + value;
  };
  field("config", json_string(r.config));
  field("complete", r.complete ? "true" : "false");
  field("initial_states", std::to_string(r.initial_states));
  field("states", std::to_string(r.states));
  field("transitions", std::to_string(r.transitions));
  field("depth", std::to_string(r.depth));
  field("seconds", fixed(r.seconds, 3));
  field("states_per_second", fixed(r.states_per_second(), 0));
  field("bytes", std::to_string(r.bytes));
  field("bytes_per_state", fixed(r.bytes_per_state, 1));
  field("key_bytes_per_state", fixed(r.key_bytes_per_state, 1));
  field("endpoint_encodings", std::to_string(r.endpoint_encodings));
  field("history_encodings", std::to_string(r.history_encodings));
  field("segment_encodings", std::to_string(r.segment_encodings));
  field("peak_frontier", std::to_string(r.peak_frontier));
  field("violations", std::to_string(r.violations));
  field("invariant_violations", std::to_string(r.invariant_violations));
  field("disagreements", std::to_string(r.disagreements));
  field("liveness_checked", r.liveness_checked ? "true" : "false");
  field("stuck_states", std::to_string(r.stuck_states));
  std::string violated = "{";
  for (const auto& [id, n] : r.violated) {
    violated += (violated.size() > 1 ? ", " : "") + json_string(id) + ": " + std::to_string(n);
  }
  field("violated", violated + "}");
  field("rfc_arrows_taken", std::to_string(r.rfc_arrows_taken.size()));
  field("rfc_arrows_total", std::to_string(r.rfc_arrows_taken.size() + r.rfc_arrows_missed.size()));
  std::string pairs = "[";
  for (State a : kAllStates) {
    for (State b : kAllStates) {
      if (!r.pairs[static_cast<std::size_t>(a)][static_cast<std::size_t>(b)]) continue;
      if (pairs.size() > 1) pairs += ", ";
      pairs += "[" + json_string(to_string(a)) + ", " + json_string(to_string(b)) + "]";
    }
  }
  field("state_pairs", pairs + "]");
  std::string ces = "[";
  for (const Counterexample& c : r.counterexamples) {
    if (ces.size() > 1) ces += ", ";
    ces += "{\"kind\": " + json_string(to_string(c.kind)) +
           ", \"message\": " + json_string(c.message) + ", \"depth\": " + std::to_string(c.depth) +
           "}";
  }
  field("counterexamples", ces + "]");
  std::string notes = "[";
  for (const std::string& n : r.notes) notes += (notes.size() > 1 ? ", " : "") + json_string(n);
  field("notes", notes + "]");
  return o + "}";
}

std::string explored_dot(const ExploreResult& r, bool self_loops) {
  // One edge per (from, to), its label listing every "event / sent" seen on it.
  std::map<std::pair<State, State>, std::vector<std::string>> edges;
  std::set<State> nodes;
  for (const ExploredArrow& a : r.arrows) {
    if (a.from == a.to && !self_loops) continue;
    nodes.insert(a.from);
    nodes.insert(a.to);
    edges[{a.from, a.to}].push_back(a.event + " / " + a.sent);
  }
  for (State a : kAllStates) {
    for (State b : kAllStates) {
      if (r.pairs[static_cast<std::size_t>(a)][static_cast<std::size_t>(b)]) {
        nodes.insert(a);
        nodes.insert(b);
      }
    }
  }
  std::string out = "digraph explored {\n  node [shape=box];\n  label=" +
                    dot_quote("explored: " + r.config + " (" + std::to_string(r.states) +
                              " states, " + std::to_string(r.transitions) + " transitions)") +
                    ";\n  labelloc=t;\n";
  for (State s : kAllStates) {
    if (nodes.count(s) != 0) out += "  " + dot_quote(to_string(s)) + ";\n";
  }
  for (auto& [ft, labels] : edges) {
    std::sort(labels.begin(), labels.end());
    std::string label;
    for (const std::string& l : labels) label += (label.empty() ? "" : "\\n") + l;
    out += "  " + dot_quote(to_string(ft.first)) + " -> " + dot_quote(to_string(ft.second)) +
           " [label=" + dot_quote(label) + "];\n";
  }
  return out + "}\n";
}

}  // namespace tcpfsm::harness
