// tcpfsm explore: exhaustive exploration of a bounded world (harness/explorer.hpp).
// tcpfsm diagram: the explored state machine, or the RFC's, as Graphviz DOT and SVG.
#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cli_files.hpp"
#include "cli_verbs.hpp"
#include "core/transitions.hpp"
#include "harness/explorer.hpp"
#include "harness/script_runner.hpp"

namespace tcpfsm::cli {

namespace {

constexpr const char* kExploreUsage =
    "usage: tcpfsm explore --config FILE [options]\n"
    "Visits every reachable state of the bounded world FILE describes (docs/explorer.md),\n"
    "checks the invariant catalogue on every transition, the implementation against the\n"
    "reference on every step, and that both endpoints can always get back to CLOSED.\n"
    "  --json               print one JSON summary object instead of text\n"
    "  --implementation I   optimized (default) or reference\n"
    "  --mutant NAME        explore the optimized implementation with a known bug switched on\n"
    "  --no-compare         do not run the reference next to the implementation\n"
    "  --keep-going         count every violation instead of stopping at the first\n"
    "  --max-states N       stop after N states\n"
    "  --threads N          expand the frontier on N threads (default 1; same results)\n"
    "  --counterexample F   write the shortest counterexample script to F\n"
    "  --spin               cross-check with spin: generate the Promela model of the world,\n"
    "                       verify it with pan (-O2 -DSAFETY) and compare the state pairs\n"
    "                       reached, the verdicts and states/s (--spin-dir D keeps the files)\n"
    "  --promela F          write that Promela model to F\n"
    "  --quiet              no progress on stderr\n"
    "Exit status: 0 no violation, 1 a violation (its shortest script and ladder are printed),\n"
    "2 unusable input.";

constexpr const char* kDiagramUsage =
    "usage: tcpfsm diagram --config FILE [--out PREFIX] [--self-loops] [--witnesses DIR]\n"
    "       tcpfsm diagram --rfc [--out PREFIX]\n"
    "Explores the world FILE describes and draws the state machine that was taken: one node per\n"
    "state reached, one edge per state change labelled 'event / sent'. --rfc draws the\n"
    "transition table of model/core/transitions.hpp instead. Without --out the DOT text goes to\n"
    "stdout; with it, PREFIX.dot and (when Graphviz's dot is installed) PREFIX.svg are written.\n"
    "  --self-loops     also draw the transitions that keep the state\n"
    "  --witnesses DIR  write a shortest script taking each explored transition into DIR\n"
    "  --implementation, --mutant, --no-compare, --max-states, --threads, --quiet as for\n"
    "  explore";

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

std::optional<fast::Mutant> parse_mutant(std::string_view name) {
  for (fast::Mutant m : fast::kAllMutants) {
    if (fast::to_string(m) == name) return m;
  }
  return std::nullopt;
}

// The mutant chosen on the command line, for a factory that is a plain function.
fast::Mutant g_mutant = fast::Mutant::None;
std::unique_ptr<harness::EndpointUnderTest> make_chosen_mutant(const Profile& p, SeqNum iss) {
  return harness::make_mutant_endpoint(g_mutant, p, iss);
}

// Options shared by both verbs. Returns 0 to go on, or an exit status.
struct Common {
  std::string config_path;
  harness::ExploreOptions options;
  bool no_compare = false;
  std::uint64_t max_states = 0;
  bool quiet = false;
};

int take_common(const char* verb, const char* usage, const Args& args, std::size_t& i, Common& c,
                bool& taken) {
  const std::string_view a = args[i];
  taken = true;
  auto value = [&](std::string_view what) -> std::optional<std::string_view> {
    if (i + 1 >= args.size()) {
      std::fprintf(stderr, "tcpfsm %s: %.*s needs %.*s\n", verb, static_cast<int>(a.size()),
                   a.data(), static_cast<int>(what.size()), what.data());
      return std::nullopt;
    }
    return args[++i];
  };
  if (a == "--config") {
    auto v = value("a file name");
    if (!v) return 2;
    c.config_path = std::string(*v);
  } else if (a == "--implementation") {
    auto v = value("optimized or reference");
    if (!v) return 2;
    if (*v == "optimized") {
      c.options.implementation = harness::make_optimized_endpoint;
    } else if (*v == "reference") {
      c.options.implementation = harness::make_reference_endpoint;
    } else {
      std::fprintf(stderr, "tcpfsm %s: unknown implementation '%.*s'\n%s\n", verb,
                   static_cast<int>(v->size()), v->data(), usage);
      return 2;
    }
  } else if (a == "--mutant") {
    auto v = value("a mutant name");
    if (!v) return 2;
    auto m = parse_mutant(*v);
    if (!m) {
      std::fprintf(stderr, "tcpfsm %s: unknown mutant '%.*s'; known:", verb,
                   static_cast<int>(v->size()), v->data());
      for (fast::Mutant k : fast::kAllMutants) {
        std::fprintf(stderr, " %.*s", static_cast<int>(fast::to_string(k).size()),
                     fast::to_string(k).data());
      }
      std::fputc('\n', stderr);
      return 2;
    }
    g_mutant = *m;
    c.options.implementation = make_chosen_mutant;
  } else if (a == "--no-compare") {
    c.no_compare = true;
  } else if (a == "--max-states") {
    auto v = value("a number");
    if (!v) return 2;
    char* end = nullptr;
    const std::string s(*v);
    c.max_states = std::strtoull(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0') {
      std::fprintf(stderr, "tcpfsm %s: bad number '%s'\n", verb, s.c_str());
      return 2;
    }
  } else if (a == "--threads") {
    auto v = value("a number");
    if (!v) return 2;
    const std::string s(*v);
    char* end = nullptr;
    const unsigned long n = std::strtoul(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0' || n == 0 || n > 64) {
      std::fprintf(stderr, "tcpfsm %s: bad thread count '%s'\n", verb, s.c_str());
      return 2;
    }
    c.options.threads = static_cast<unsigned>(n);
  } else if (a == "--quiet") {
    c.quiet = true;
  } else {
    taken = false;
  }
  return 0;
}

std::optional<harness::ExploreConfig> load_config(const char* verb, const Common& c) {
  const std::optional<std::string> text_read = read_file(c.config_path);
  if (!text_read) {
    std::fprintf(stderr, "%s: cannot read the file\n", c.config_path.c_str());
    return std::nullopt;
  }
  const std::string& text = *text_read;
  auto parsed = harness::parse_explore_config(text, c.config_path);
  if (const auto* e = std::get_if<std::string>(&parsed)) {
    std::fprintf(stderr, "tcpfsm %s: %s\n", verb, e->c_str());
    return std::nullopt;
  }
  auto config = std::get<harness::ExploreConfig>(parsed);
  if (c.no_compare) config.compare = false;
  if (c.max_states > 0) config.max_states = c.max_states;
  return config;
}

void progress_line(const harness::ExploreProgress& p) {
  std::fprintf(stderr,
               "explore: %llu states, %llu transitions, depth %u, frontier %llu, %.1f s, %.0f "
               "states/s, %.1f MiB kept for visited states\n",
               static_cast<unsigned long long>(p.states),
               static_cast<unsigned long long>(p.transitions), p.depth,
               static_cast<unsigned long long>(p.frontier), p.seconds,
               p.seconds > 0 ? static_cast<double>(p.states) / p.seconds : 0.0,
               static_cast<double>(p.bytes) / (1024.0 * 1024.0));
}

void print_summary(const harness::ExploreResult& r) {
  std::printf("config %s: %s\n", r.config.c_str(),
              r.complete ? "explored completely" : "NOT explored completely");
  std::printf("  states %llu (from %llu initial), transitions %llu, depth %u\n",
              static_cast<unsigned long long>(r.states),
              static_cast<unsigned long long>(r.initial_states),
              static_cast<unsigned long long>(r.transitions), r.depth);
  std::printf("  %.3f s, %.0f states/s, %.1f bytes/state (keys %.1f)\n", r.seconds,
              r.states_per_second(), r.bytes_per_state, r.key_bytes_per_state);
  std::printf("  distinct parts: %llu endpoint states, %llu histories, %llu segments\n",
              static_cast<unsigned long long>(r.endpoint_encodings),
              static_cast<unsigned long long>(r.history_encodings),
              static_cast<unsigned long long>(r.segment_encodings));
  std::printf("  violations %llu (invariants %llu, disagreements %llu, stuck states %llu%s)\n",
              static_cast<unsigned long long>(r.violations),
              static_cast<unsigned long long>(r.invariant_violations),
              static_cast<unsigned long long>(r.disagreements),
              static_cast<unsigned long long>(r.stuck_states),
              r.liveness_checked ? "" : ", liveness not checked");
  for (const auto& [id, n] : r.violated) {
    std::printf("    %s: %llu transitions\n", id.c_str(), static_cast<unsigned long long>(n));
  }
  const std::size_t total = r.rfc_arrows_taken.size() + r.rfc_arrows_missed.size();
  std::size_t figure5 = 0;
  std::size_t figure5_taken = 0;
  for (const Transition& t : transitions()) {
    if (t.source != ArrowSource::Figure5) continue;
    ++figure5;
    for (auto id : r.rfc_arrows_taken) figure5_taken += id == t.id ? 1 : 0;
  }
  std::printf("  transition table rows exercised: %zu of %zu (Figure 5: %zu of %zu)\n",
              r.rfc_arrows_taken.size(), total, figure5_taken, figure5);
  std::string missed;
  for (const Transition& t : transitions()) {
    if (t.source != ArrowSource::Figure5) continue;
    for (auto id : r.rfc_arrows_missed) {
      if (id == t.id) missed += " " + std::string(id);
    }
  }
  if (!missed.empty()) std::printf("    Figure 5 arrows not taken:%s\n", missed.c_str());
  for (const std::string& n : r.notes) std::printf("  note: %s\n", n.c_str());
}

void print_counterexample(const harness::Counterexample& c, harness::EndpointFactory factory) {
  std::printf("\n%s counterexample (%zu actions):\n%s", std::string(to_string(c.kind)).c_str(),
              c.depth, c.text.c_str());
  harness::RunOptions run;
  run.factory = factory;
  const harness::RunResult replay = harness::run_script(c.script, run);
  std::printf("\nladder:\n");
  for (const auto& line : harness::format_ladder(replay)) std::printf("  %s\n", line.c_str());
  if (!replay.passed()) {
    std::printf("replay under the implementation fails at line %d: %s\n", replay.failure->pos.line,
                replay.failure->message.c_str());
  }
}

// The cross-check with spin (harness::run_spin), printed next to our run.
int spin_cross_check(const harness::ExploreConfig& config, const harness::ExploreResult& ours,
                     const std::string& dir) {
  const harness::SpinResult spin = harness::run_spin(config, dir);
  if (!spin.error.empty()) {
    std::fprintf(stderr, "tcpfsm explore: %s\n", spin.error.c_str());
    return 2;
  }
  std::printf("\nspin cross-check (%s, files in %s):\n", config.name.c_str(), spin.dir.c_str());
  std::printf("  tcpfsm: %llu states in %.3f s = %.0f states/s; %llu violations\n",
              static_cast<unsigned long long>(ours.states), ours.seconds, ours.states_per_second(),
              static_cast<unsigned long long>(ours.violations));
  std::printf(
      "  spin:   %llu states in %.3f s = %.0f states/s (pan -O2 -DSAFETY; %.3f s with "
      "start-up); %llu errors\n",
      static_cast<unsigned long long>(spin.states), spin.seconds,
      spin.seconds > 0 ? static_cast<double>(spin.states) / spin.seconds : 0.0, spin.wall_seconds,
      static_cast<unsigned long long>(spin.errors));
  int ours_n = 0;
  int theirs_n = 0;
  std::string only_ours, only_theirs;
  for (State a : kAllStates) {
    for (State b : kAllStates) {
      const auto ia = static_cast<std::size_t>(a);
      const auto ib = static_cast<std::size_t>(b);
      const bool x = ours.pairs[ia][ib];
      const bool y = spin.pairs[ia][ib];
      ours_n += x ? 1 : 0;
      theirs_n += y ? 1 : 0;
      const std::string name =
          " (" + std::string(to_string(a)) + ", " + std::string(to_string(b)) + ")";
      if (x && !y) only_ours += name;
      if (y && !x) only_theirs += name;
    }
  }
  std::printf("  state pairs reached: tcpfsm %d, spin %d%s\n", ours_n, theirs_n,
              only_ours.empty() && only_theirs.empty() ? ", the same" : "");
  if (!only_ours.empty()) std::printf("    only tcpfsm:%s\n", only_ours.c_str());
  if (!only_theirs.empty()) std::printf("    only spin:%s\n", only_theirs.c_str());
  const bool same_verdict = (spin.errors == 0) == (ours.invariant_violations == 0);
  std::printf("  invariant verdicts: %s\n", same_verdict ? "agree" : "DIFFER");
  return only_ours.empty() && only_theirs.empty() && same_verdict ? 0 : 1;
}

std::string safe_name(std::string s) {
  for (char& ch : s) {
    const bool ok =
        (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
    if (!ok) ch = '-';
  }
  return s;
}

}  // namespace

int explore(const Args& args) {
  Common c;
  bool json = false;
  bool keep_going = false;
  bool spin = false;
  std::string spin_dir;
  std::string promela_path;
  std::string counterexample_path;
  for (std::size_t i = 0; i < args.size(); ++i) {
    bool taken = false;
    if (int rc = take_common("explore", kExploreUsage, args, i, c, taken); rc != 0) return rc;
    if (taken) continue;
    const std::string_view a = args[i];
    if (a == "--help" || a == "-h") {
      std::puts(kExploreUsage);
      return 0;
    } else if (a == "--json") {
      json = true;
    } else if (a == "--keep-going") {
      keep_going = true;
    } else if (a == "--spin") {
      spin = true;
    } else if (a == "--spin-dir" && i + 1 < args.size()) {
      spin = true;
      spin_dir = std::string(args[++i]);
    } else if (a == "--promela" && i + 1 < args.size()) {
      promela_path = std::string(args[++i]);
    } else if (a == "--counterexample" && i + 1 < args.size()) {
      counterexample_path = std::string(args[++i]);
    } else {
      std::fprintf(stderr, "tcpfsm explore: unknown argument '%.*s'\n%s\n",
                   static_cast<int>(a.size()), a.data(), kExploreUsage);
      return 2;
    }
  }
  if (c.config_path.empty()) {
    std::fprintf(stderr, "tcpfsm explore: no --config given\n%s\n", kExploreUsage);
    return 2;
  }
  auto config = load_config("explore", c);
  if (!config) return 2;
  if (!promela_path.empty()) {
    const harness::PromelaModel model = harness::promela_model(*config);
    if (!model.error.empty()) {
      std::fprintf(stderr, "tcpfsm explore: %s\n", model.error.c_str());
      return 2;
    }
    if (!write_file(promela_path, model.text)) {
      std::fprintf(stderr, "%s: cannot write\n", promela_path.c_str());
      return 2;
    }
  }
  c.options.stop_at_first = !keep_going;
  if (!c.quiet) c.options.progress = progress_line;
  const harness::ExploreResult r = harness::explore(*config, c.options);
  if (json) {
    std::printf("%s\n", harness::to_json(r).c_str());
  } else {
    print_summary(r);
    for (const auto& ce : r.counterexamples) print_counterexample(ce, c.options.implementation);
  }
  if (!counterexample_path.empty() && !r.counterexamples.empty() &&
      !write_file(counterexample_path, r.counterexamples.front().text)) {
    std::fprintf(stderr, "%s: cannot write\n", counterexample_path.c_str());
    return 2;
  }
  if (spin) {
    const int rc = spin_cross_check(*config, r, spin_dir);
    if (rc != 0) return rc;
  }
  return r.violations == 0 ? 0 : 1;
}

int diagram(const Args& args) {
  Common c;
  bool rfc = false;
  bool self_loops = false;
  std::string out_prefix;
  std::string witnesses;
  for (std::size_t i = 0; i < args.size(); ++i) {
    bool taken = false;
    if (int rc = take_common("diagram", kDiagramUsage, args, i, c, taken); rc != 0) return rc;
    if (taken) continue;
    const std::string_view a = args[i];
    if (a == "--help" || a == "-h") {
      std::puts(kDiagramUsage);
      return 0;
    } else if (a == "--rfc") {
      rfc = true;
    } else if (a == "--self-loops") {
      self_loops = true;
    } else if (a == "--out" && i + 1 < args.size()) {
      out_prefix = std::string(args[++i]);
    } else if (a == "--witnesses" && i + 1 < args.size()) {
      witnesses = std::string(args[++i]);
    } else {
      std::fprintf(stderr, "tcpfsm diagram: unknown argument '%.*s'\n%s\n",
                   static_cast<int>(a.size()), a.data(), kDiagramUsage);
      return 2;
    }
  }
  std::string dot;
  if (rfc) {
    dot = to_dot();
  } else {
    if (c.config_path.empty()) {
      std::fprintf(stderr, "tcpfsm diagram: give --config FILE or --rfc\n%s\n", kDiagramUsage);
      return 2;
    }
    auto config = load_config("diagram", c);
    if (!config) return 2;
    c.options.collect_arrows = true;
    c.options.stop_at_first = false;
    if (!c.quiet) c.options.progress = progress_line;
    const harness::ExploreResult r = harness::explore(*config, c.options);
    if (!r.complete) std::fprintf(stderr, "tcpfsm diagram: the exploration did not complete\n");
    dot = harness::explored_dot(r, self_loops);
    if (!witnesses.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(witnesses, ec);
      int n = 0;
      for (const auto& arrow : r.arrows) {
        char num[16];
        std::snprintf(num, sizeof num, "%03d", n++);
        const std::string name = witnesses + "/" + safe_name(config->name) + "-" + num + "-" +
                                 safe_name(std::string(to_string(arrow.from))) + "-" +
                                 safe_name(arrow.event) + "-" +
                                 safe_name(std::string(to_string(arrow.to))) + ".tcp";
        const std::string text = "# A shortest run whose last step is " +
                                 std::string(to_string(arrow.from)) + " --" + arrow.event + " / " +
                                 arrow.sent + "--> " + std::string(to_string(arrow.to)) +
                                 "\n# (tcpfsm diagram, configuration '" + config->name + "')\n" +
                                 harness::print_script(arrow.witness);
        if (!write_file(name, text)) {
          std::fprintf(stderr, "%s: cannot write\n", name.c_str());
          return 2;
        }
      }
      std::fprintf(stderr, "tcpfsm diagram: %d witness scripts in %s\n", n, witnesses.c_str());
    }
  }
  if (out_prefix.empty()) {
    std::fputs(dot.c_str(), stdout);
    return 0;
  }
  if (!write_file(out_prefix + ".dot", dot)) {
    std::fprintf(stderr, "%s.dot: cannot write\n", out_prefix.c_str());
    return 2;
  }
  if (std::system("command -v dot >/dev/null 2>&1") == 0) {
    const std::string cmd = "dot -Tsvg '" + out_prefix + ".dot' -o '" + out_prefix + ".svg'";
    if (std::system(cmd.c_str()) != 0) {
      std::fprintf(stderr, "tcpfsm diagram: dot failed on %s.dot\n", out_prefix.c_str());
      return 2;
    }
  } else {
    std::fprintf(stderr, "tcpfsm diagram: Graphviz's dot is not installed; wrote only %s.dot\n",
                 out_prefix.c_str());
  }
  return 0;
}

}  // namespace tcpfsm::cli
