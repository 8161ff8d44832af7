// tcpfsm conform: the model against a real TCP stack.
//   --cases DIR              replay recorded conformance cases against the model (no root)
//   --against linux FILE...  play .tcp scripts or JSON scenarios on this kernel and on the model
//   --against linux --random N   N seeded random scenarios on the kernel and on the model
//   --impl optimized         the optimized implementation (model/fast) plays the model side
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli_files.hpp"
#include "cli_verbs.hpp"
#include "harness/conformance.hpp"
#include "harness/linux_adapter.hpp"
#include "harness/script.hpp"

namespace tcpfsm::cli {

namespace {

namespace cf = harness::conformance;
using nlohmann::json;

constexpr const char* kUsage =
    "usage: tcpfsm conform --cases DIR [--profile linux|rfc] [--impl reference|optimized]\n"
    "                      [--json] [--verbose] [--ablate]\n"
    "       tcpfsm conform --against linux [options] FILE...\n"
    "       tcpfsm conform --against linux --random N [--seed S] [--steps K] [options]\n"
    "\n"
    "  --cases DIR       replay the conformance cases in DIR (*.json) against the model\n"
    "  --profile P       the model's profile: linux (default) or rfc\n"
    "  --impl I          what plays the model's side: reference (model/reference, default)\n"
    "                    or optimized (model/fast)\n"
    "  --against linux   run each scenario on this kernel (root, /dev/net/tun) and the model;\n"
    "                    FILE is a single-endpoint .tcp script or a JSON scenario or case\n"
    "  --random N        N random scenarios (seeds S, S+1, ...; K steps after the opening)\n"
    "  --record DIR      store what the kernel did as conformance cases in DIR\n"
    "  --settle MS       how long to collect the kernel's segments after each step (40)\n"
    "  --runs N          run each scenario N times on the kernel; steps that differ are\n"
    "                    recorded as not deterministic (1)\n"
    "  --json            print a summary object (cases, cases_matched, steps, steps_matched)\n"
    "  --verbose         print every step side by side, not only the divergent ones\n"
    "  --ablate          for each switch of the linux profile, the cases that stop matching\n"
    "                    when it alone is set back to RFC 9293 (the cases that show it)\n"
    "\n"
    "Exit status: 0 every case matched, 1 a mismatch, 2 unusable input, 77 kernel runs\n"
    "unavailable (not root, no /dev/net/tun).\n";

struct Options {
  std::optional<std::string> cases_dir;
  bool against_linux = false;
  std::string profile = "linux";
  std::string impl = "reference";
  bool as_json = false;
  bool verbose = false;
  bool ablate = false;
  std::optional<std::string> record_dir;
  int random = 0;
  std::uint64_t seed = 1;
  int steps = 8;
  std::uint32_t settle_ms = 40;
  int runs = 1;
  std::vector<std::string> files;
};

bool number(std::string_view text, std::uint64_t& out) {
  if (text.empty() || text.size() > 18) return false;
  out = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return true;
}

std::optional<Options> parse(const Args& args) {
  Options o;
  for (std::size_t k = 0; k < args.size(); ++k) {
    const std::string_view a = args[k];
    const auto value = [&]() -> std::optional<std::string_view> {
      if (k + 1 >= args.size()) return std::nullopt;
      return args[++k];
    };
    std::uint64_t n = 0;
    if (a == "--cases") {
      auto v = value();
      if (!v) return std::nullopt;
      o.cases_dir = std::string(*v);
    } else if (a == "--against") {
      auto v = value();
      if (!v || *v != "linux") return std::nullopt;
      o.against_linux = true;
    } else if (a == "--profile") {
      auto v = value();
      if (!v || (*v != "linux" && *v != "rfc")) return std::nullopt;
      o.profile = std::string(*v);
    } else if (a == "--impl") {
      auto v = value();
      if (!v || (*v != "reference" && *v != "optimized")) return std::nullopt;
      o.impl = std::string(*v);
    } else if (a == "--record") {
      auto v = value();
      if (!v) return std::nullopt;
      o.record_dir = std::string(*v);
    } else if (a == "--random" || a == "--seed" || a == "--steps" || a == "--settle" ||
               a == "--runs") {
      auto v = value();
      if (!v || !number(*v, n)) return std::nullopt;
      if (a == "--random") o.random = static_cast<int>(n);
      if (a == "--seed") o.seed = n;
      if (a == "--steps") o.steps = static_cast<int>(n);
      if (a == "--settle") o.settle_ms = static_cast<std::uint32_t>(n);
      if (a == "--runs") o.runs = std::max(1, static_cast<int>(n));
    } else if (a == "--json") {
      o.as_json = true;
    } else if (a == "--verbose") {
      o.verbose = true;
    } else if (a == "--ablate") {
      o.ablate = true;
    } else if (!a.empty() && a[0] == '-') {
      return std::nullopt;
    } else {
      o.files.emplace_back(a);
    }
  }
  if (o.cases_dir.has_value() == o.against_linux) return std::nullopt;
  if (o.against_linux && o.files.empty() && o.random == 0) return std::nullopt;
  return o;
}

Profile profile_named(const std::string& name) {
  return name == "rfc" ? Profile::rfc9293() : Profile::linux();
}

harness::EndpointFactory factory_named(const std::string& name) {
  return name == "optimized" ? harness::make_optimized_endpoint : harness::make_reference_endpoint;
}

// Reports one case: its divergent steps side by side (every step with --verbose).
void report_case(const cf::Case& c, const cf::CaseReport& r, const Options& o, json& mismatches) {
  if (!o.as_json && (o.verbose || !r.matched())) {
    std::printf("%s %s (%d/%d steps)\n", r.matched() ? "match   " : "MISMATCH", c.name.c_str(),
                r.steps_matched, r.steps);
    for (const std::string& line : cf::side_by_side(c, r, !o.verbose)) {
      std::printf("%s\n", line.c_str());
    }
  }
  for (std::size_t k = 0; k < r.verdicts.size(); ++k) {
    if (r.verdicts[k].ok()) continue;
    json m;
    m["case"] = c.name;
    m["step"] = r.verdicts[k].i;
    m["op"] = cf::describe(c.scenario.steps[k]);
    m["expected_state"] = c.steps[k].state;
    m["model_state"] = r.model[k].state;
    json want = json::array(), got = json::array();
    for (const auto& s : c.steps[k].segments) want.push_back(cf::describe(s));
    for (const auto& s : r.model[k].segments) got.push_back(cf::describe(s));
    m["expected_segments"] = want;
    m["model_segments"] = got;
    mismatches.push_back(m);
  }
}

int finish(const cf::Summary& sum, const Options& o, json& mismatches, double seconds,
           int kernel_cases) {
  const auto pct = [](int a, int b) { return b == 0 ? 100.0 : 100.0 * a / b; };
  if (o.as_json) {
    json j;
    j["profile"] = o.profile;
    j["impl"] = o.impl;
    j["cases"] = sum.cases;
    j["cases_matched"] = sum.cases_matched;
    j["steps"] = sum.steps;
    j["steps_matched"] = sum.steps_matched;
    if (kernel_cases > 0) {
      j["kernel_cases"] = kernel_cases;
      j["seconds"] = seconds;
      j["cases_per_second"] = seconds > 0 ? kernel_cases / seconds : 0.0;
    }
    j["mismatches"] = mismatches;
    std::printf("%s\n", j.dump(1).c_str());
  } else {
    std::printf("%s, profile %s: cases matched %d/%d (%.1f%%), steps matched %d/%d (%.1f%%)\n",
                o.impl.c_str(), o.profile.c_str(), sum.cases_matched, sum.cases,
                pct(sum.cases_matched, sum.cases), sum.steps_matched, sum.steps,
                pct(sum.steps_matched, sum.steps));
    if (kernel_cases > 0) {
      std::printf("kernel: %d cases in %.1f s (%.2f cases/s)\n", kernel_cases, seconds,
                  seconds > 0 ? kernel_cases / seconds : 0.0);
    }
  }
  return sum.cases == sum.cases_matched ? 0 : 1;
}

// For every switch of the linux profile, the cases that stop matching when it alone is taken
// back: the scenarios that show the deviation.
int ablate(const Options& o, const std::vector<cf::Case>& cases) {
  json out = json::object();
  for (const cf::LinuxSwitch& sw : cf::linux_switches()) {
    Profile p = Profile::linux();
    sw.revert(p);
    std::vector<std::string> showing;
    for (const cf::Case& c : cases) {
      if (!cf::replay(c, p, factory_named(o.impl)).matched()) showing.push_back(c.name);
    }
    const std::string name(sw.name);
    out[name] = showing;
    if (!o.as_json) {
      std::printf("%-36s %3zu case(s)", name.c_str(), showing.size());
      for (std::size_t k = 0; k < showing.size() && k < 4; ++k) {
        std::printf(" %s", showing[k].c_str());
      }
      std::printf("%s\n", showing.size() > 4 ? " ..." : "");
    }
  }
  if (o.as_json) std::printf("%s\n", out.dump(1).c_str());
  return 0;
}

int replay_cases(const Options& o) {
  auto loaded = cf::load_cases(*o.cases_dir);
  if (auto* msg = std::get_if<std::string>(&loaded)) {
    std::fprintf(stderr, "tcpfsm conform: %s\n", msg->c_str());
    return 2;
  }
  const auto& cases = std::get<std::vector<cf::Case>>(loaded);
  if (cases.empty()) {
    std::fprintf(stderr, "tcpfsm conform: no *.json cases in %s\n", o.cases_dir->c_str());
    return 2;
  }
  if (o.ablate) return ablate(o, cases);
  const Profile profile = profile_named(o.profile);
  cf::Summary sum;
  json mismatches = json::array();
  for (const cf::Case& c : cases) {
    const cf::CaseReport r = cf::replay(c, profile, factory_named(o.impl));
    sum.add(r);
    report_case(c, r, o, mismatches);
  }
  return finish(sum, o, mismatches, 0, 0);
}

// The scenarios a kernel run plays: from files, or random.
std::optional<std::vector<cf::Scenario>> kernel_scenarios(const Options& o) {
  std::vector<cf::Scenario> out;
  for (int k = 0; k < o.random; ++k) {
    out.push_back(cf::random_scenario(o.seed + static_cast<std::uint64_t>(k), o.steps));
  }
  for (const std::string& path : o.files) {
    const auto text = read_file(path);
    if (!text) {
      std::fprintf(stderr, "tcpfsm conform: cannot read %s\n", path.c_str());
      return std::nullopt;
    }
    const std::string stem = std::filesystem::path(path).stem().string();
    if (std::filesystem::path(path).extension() == ".json") {
      // A case (its scenario is replayed) or a bare scenario.
      auto as_case = cf::parse_case(*text);
      if (auto* c = std::get_if<cf::Case>(&as_case)) {
        out.push_back(c->scenario);
        continue;
      }
      auto as_scenario = cf::parse_scenario(*text);
      if (auto* msg = std::get_if<std::string>(&as_scenario)) {
        std::fprintf(stderr, "tcpfsm conform: %s: %s\n", path.c_str(), msg->c_str());
        return std::nullopt;
      }
      out.push_back(std::get<cf::Scenario>(as_scenario));
      if (out.back().name.empty()) out.back().name = stem;
      continue;
    }
    auto parsed = harness::parse_script(*text, path);
    if (auto* err = std::get_if<harness::ParseError>(&parsed)) {
      std::fprintf(stderr, "%s\n", err->to_string().c_str());
      return std::nullopt;
    }
    auto scenario = cf::scenario_from_script(std::get<harness::Script>(parsed), stem);
    if (auto* msg = std::get_if<std::string>(&scenario)) {
      std::fprintf(stderr, "tcpfsm conform: %s: skipped: %s\n", path.c_str(), msg->c_str());
      continue;
    }
    out.push_back(std::get<cf::Scenario>(scenario));
  }
  return out;
}

int against_linux(const Options& o) {
  std::string why;
  if (!harness::linux_stack_available(why)) {
    std::fprintf(stderr, "tcpfsm conform: kernel runs unavailable: %s\n", why.c_str());
    return 77;
  }
  const auto scenarios = kernel_scenarios(o);
  if (!scenarios) return 2;
  if (o.record_dir) std::filesystem::create_directories(*o.record_dir);
  const Profile profile = profile_named(o.profile);
  harness::LinuxRunOptions run_options;
  run_options.settle_ms = o.settle_ms;
  run_options.runs = o.runs;
  cf::Summary sum;
  json mismatches = json::array();
  const auto t0 = std::chrono::steady_clock::now();
  int kernel_cases = 0;
  for (const cf::Scenario& s : *scenarios) {
    auto recorded = harness::run_on_linux(s, run_options);
    if (auto* msg = std::get_if<std::string>(&recorded)) {
      std::fprintf(stderr, "tcpfsm conform: %s: kernel run failed: %s\n", s.name.c_str(),
                   msg->c_str());
      return 2;
    }
    ++kernel_cases;
    const cf::Case& c = std::get<cf::Case>(recorded);
    if (o.record_dir) {
      std::ofstream out(std::filesystem::path(*o.record_dir) / (c.name + ".json"));
      out << cf::to_json(c);
    }
    const cf::CaseReport r = cf::replay(c, profile, factory_named(o.impl));
    sum.add(r);
    report_case(c, r, o, mismatches);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return finish(sum, o, mismatches, seconds, kernel_cases);
}

}  // namespace

int conform(const Args& args) {
  for (std::string_view a : args) {
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
  }
  const auto o = parse(args);
  if (!o) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  if (o->cases_dir) return replay_cases(*o);
  return against_linux(*o);
}

}  // namespace tcpfsm::cli
