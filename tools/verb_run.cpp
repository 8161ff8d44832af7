#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "cli_files.hpp"
#include "cli_verbs.hpp"
#include "harness/pcap_writer.hpp"
#include "harness/script.hpp"
#include "harness/script_runner.hpp"

namespace tcpfsm::cli {

namespace {

constexpr const char* kRunUsage =
    "usage: tcpfsm run [--trace] [--ladder] [--pcap OUT.pcap] [--quiet] FILE.tcp...\n"
    "Plays each script against the reference model, checking every expectation line and the\n"
    "invariant catalogue after every step.\n"
    "  --trace    print every step in RFC vocabulary\n"
    "  --ladder   print two-endpoint runs as a ladder diagram (A | arrows | B)\n"
    "  --pcap F   write the segments of the run to F (one script), or to F with the script's\n"
    "             name appended (several scripts), as a pcap file for Wireshark/tshark\n"
    "  --quiet    print only failures and the summary\n"
    "Exit status: 0 every script passed, 1 a script failed, 2 unusable input.";

std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  const auto dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(0, dot);
}

}  // namespace

int run(const Args& args) {
  bool trace = false;
  bool ladder = false;
  bool quiet = false;
  std::string pcap;
  std::vector<std::string> files;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (a == "--help" || a == "-h") {
      std::puts(kRunUsage);
      return 0;
    } else if (a == "--trace") {
      trace = true;
    } else if (a == "--ladder") {
      ladder = true;
    } else if (a == "--quiet") {
      quiet = true;
    } else if (a == "--pcap") {
      if (i + 1 >= args.size()) {
        std::fprintf(stderr, "tcpfsm run: --pcap needs a file name\n");
        return 2;
      }
      pcap = std::string(args[++i]);
    } else if (a.starts_with("-")) {
      std::fprintf(stderr, "tcpfsm run: unknown option '%.*s'\n%s\n", static_cast<int>(a.size()),
                   a.data(), kRunUsage);
      return 2;
    } else {
      files.emplace_back(a);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "tcpfsm run: no script given\n%s\n", kRunUsage);
    return 2;
  }
  int passed = 0;
  int failed = 0;
  int unusable = 0;
  for (const std::string& file : files) {
    const std::optional<std::string> text_read = read_file(file);
    if (!text_read) {
      std::fprintf(stderr, "%s: cannot read the file\n", file.c_str());
      ++unusable;
      continue;
    }
    const std::string& text = *text_read;
    auto parsed = harness::parse_script(text, file);
    if (const auto* err = std::get_if<harness::ParseError>(&parsed)) {
      std::fprintf(stderr, "%s\n", err->to_string().c_str());
      ++unusable;
      continue;
    }
    const auto& script = std::get<harness::Script>(parsed);
    const harness::RunResult result = harness::run_script(script);
    const bool show_steps = trace || (!result.passed() && !quiet) || (!quiet && trace);
    if (show_steps || (!result.passed())) {
      for (const auto& line : harness::format_trace(result)) {
        if (trace || !result.passed()) std::printf("  %s\n", line.c_str());
      }
    }
    if (ladder && result.two_endpoints) {
      for (const auto& line : harness::format_ladder(result)) std::printf("  %s\n", line.c_str());
    }
    if (!pcap.empty()) {
      const std::string out = files.size() == 1 ? pcap : pcap + "." + base_name(file) + ".pcap";
      std::string error;
      if (!harness::write_pcap(result, out, error)) {
        std::fprintf(stderr, "%s: cannot write pcap: %s\n", out.c_str(), error.c_str());
        ++unusable;
      }
    }
    if (result.passed()) {
      ++passed;
      if (!quiet) {
        std::printf("PASS %s (%zu steps, %d expectations)\n", file.c_str(), result.steps.size(),
                    result.expectations);
      }
    } else {
      ++failed;
      std::printf("FAIL %s:%d:%d: %s\n", file.c_str(), result.failure->pos.line,
                  result.failure->pos.column, result.failure->message.c_str());
    }
  }
  std::printf("scripts: %d passed, %d failed", passed, failed);
  if (unusable > 0) std::printf(", %d unusable", unusable);
  std::printf("\n");
  if (unusable > 0) return 2;
  return failed == 0 ? 0 : 1;
}

}  // namespace tcpfsm::cli
