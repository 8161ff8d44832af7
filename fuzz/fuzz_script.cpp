// fuzz_script: the .tcp script parser (harness/script_parser.cpp) and printer. Any text must
// give a script or one well-formed error (1-based line within the text, column at least 1, a
// message); a script must survive printing: parse(print(s)) == s, and printing that again gives
// the same text.
//
// Input: any bytes, read as script text (seeds: corpus/scenarios/*.tcp).
// max_len: 4096 (fuzz_script.options); the scenarios are up to about 3 KB.
#include <algorithm>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "harness/script.hpp"

namespace {

using tcpfsm::fuzz::Finding;

// A message without what the input put in it: the words before the first quote or digit.
std::string shape(std::string_view message) {
  const auto end = message.find_first_of("'0123456789");
  std::string s(message.substr(0, std::min<std::size_t>(end, 60)));
  while (!s.empty() && (s.back() == ' ' || s.back() == ';')) s.pop_back();
  return s;
}

std::string escaped(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n' || (u >= 0x20 && u < 0x7f)) {
      out.push_back(c);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xF]);
    }
  }
  return out;
}

void report(std::string bucket, std::string summary, std::string_view input,
            std::string_view printed, std::span<const std::uint8_t> bytes) {
  Finding f;
  f.bucket = std::move(bucket);
  f.summary = std::move(summary);
  f.details = "input:\n" + escaped(input) + "\n--- printed:\n" + std::string(printed) + "\n";
  tcpfsm::fuzz::report_finding(f, bytes, false);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  tcpfsm::fuzz::set_target_name("fuzz_script");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tcpfsm::harness;
  tcpfsm::fuzz::note_execution();
  const std::span<const std::uint8_t> bytes(data, size);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = parse_script(text, "input.tcp");
  if (const auto* err = std::get_if<ParseError>(&parsed)) {
    const auto lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
    if (err->line < 1 || err->line > lines || err->column < 1 || err->message.empty()) {
      report("error position | " + shape(err->message),
             "a parse error outside the text: " + err->to_string() + " (the text has " +
                 std::to_string(lines) + " lines)",
             text, "", bytes);
    }
    return 0;
  }
  const Script& script = std::get<Script>(parsed);
  const std::string printed = print_script(script);
  const auto again = parse_script(printed, "printed.tcp");
  if (const auto* err = std::get_if<ParseError>(&again)) {
    report("printed text does not parse | " + shape(err->message),
           "the printer wrote text its parser rejects: " + err->to_string(), text, printed, bytes);
    return 0;
  }
  const Script& reparsed = std::get<Script>(again);
  if (!(reparsed == script)) {
    std::string where = "header";
    const std::size_t n = std::min(script.lines.size(), reparsed.lines.size());
    for (std::size_t i = 0; i < n; ++i) {
      if (!(script.lines[i] == reparsed.lines[i])) {
        where = "line kind " + std::to_string(script.lines[i].line.index());
        break;
      }
    }
    if (where == "header" && script.lines.size() != reparsed.lines.size()) where = "line count";
    report("parse(print(s)) != s | " + where,
           "printing and parsing again changed the script (" + where + ")", text, printed, bytes);
    return 0;
  }
  if (print_script(reparsed) != printed) {
    report("print not stable", "printing the reparsed script gave different text", text, printed,
           bytes);
  }
  return 0;
}
