// tcpfsm decode / encode: the fuzz input format (harness/fuzz_input.hpp, docs/fuzzing.md) to
// and from .tcp scripts.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "cli_files.hpp"
#include "cli_verbs.hpp"
#include "harness/fuzz_input.hpp"
#include "harness/script.hpp"

namespace tcpfsm::cli {

namespace {

constexpr const char* kDecodeUsage =
    "usage: tcpfsm decode [--full] FILE...\n"
    "Prints each fuzz input (any bytes: corpus files, crash reproducers) as a .tcp script. The\n"
    "reference model runs alongside to make the input's relative numbers concrete, and its\n"
    "answers are written as expectation lines, so the script replays with `tcpfsm run`.\n"
    "  --full   also write what the user was told (=>) and the deciding RFC check (why) after\n"
    "           every action\n"
    "Exit status: 0 decoded, 2 a file could not be read.";

constexpr const char* kEncodeUsage =
    "usage: tcpfsm encode [--hex] [-o OUT] SCRIPT.tcp\n"
    "       tcpfsm encode --out-dir DIR SCRIPT.tcp...\n"
    "Writes the events of a script in the fuzz input format (expectation lines are left out):\n"
    "to standard output (as hex when it is a terminal, or with --hex), to OUT, or with\n"
    "--out-dir to DIR/NAME for each SCRIPT/NAME.tcp (how the seed corpora are made).\n"
    "Exit status: 0 encoded, 2 unusable input.";

bool write_file(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

std::string hex(const std::vector<std::uint8_t>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    s.push_back(kDigits[bytes[i] >> 4]);
    s.push_back(kDigits[bytes[i] & 0xF]);
    s.push_back((i + 1) % 32 == 0 || i + 1 == bytes.size() ? '\n' : ' ');
  }
  return s;
}

std::string stem(const std::string& path) {
  const auto slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  const auto dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(0, dot);
}

// Parses and encodes one script; prints the reason and returns false when it cannot.
bool encode_one(const std::string& file, std::vector<std::uint8_t>& out) {
  const std::optional<std::string> text_read = read_file(file);
  if (!text_read) {
    std::fprintf(stderr, "%s: cannot read the file\n", file.c_str());
    return false;
  }
  const std::string& text = *text_read;
  auto parsed = harness::parse_script(text, file);
  if (const auto* err = std::get_if<harness::ParseError>(&parsed)) {
    std::fprintf(stderr, "%s\n", err->to_string().c_str());
    return false;
  }
  auto encoded = harness::encode_fuzz_input(std::get<harness::Script>(parsed));
  if (const auto* err = std::get_if<std::string>(&encoded)) {
    std::fprintf(stderr, "%s: %s\n", file.c_str(), err->c_str());
    return false;
  }
  out = std::move(std::get<std::vector<std::uint8_t>>(encoded));
  return true;
}

}  // namespace

int decode(const Args& args) {
  auto expect = harness::FuzzExpect::Minimal;
  std::vector<std::string> files;
  for (const std::string_view a : args) {
    if (a == "--help" || a == "-h") {
      std::puts(kDecodeUsage);
      return 0;
    }
    if (a == "--full") {
      expect = harness::FuzzExpect::Full;
    } else if (a.starts_with("-")) {
      std::fprintf(stderr, "tcpfsm decode: unknown option '%.*s'\n%s\n", static_cast<int>(a.size()),
                   a.data(), kDecodeUsage);
      return 2;
    } else {
      files.emplace_back(a);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "tcpfsm decode: no file given\n%s\n", kDecodeUsage);
    return 2;
  }
  int unusable = 0;
  for (const std::string& file : files) {
    const std::optional<std::string> bytes_read = read_file(file);
    if (!bytes_read) {
      std::fprintf(stderr, "%s: cannot read the file\n", file.c_str());
      ++unusable;
      continue;
    }
    const std::string& bytes = *bytes_read;
    const std::span<const std::uint8_t> in(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                           bytes.size());
    const harness::Script script = harness::decode_fuzz_input(in, expect);
    std::printf("# decoded from %s (%zu bytes, fuzz input format version %u)\n%s", file.c_str(),
                bytes.size(), static_cast<unsigned>(harness::kFuzzFormatVersion),
                harness::print_script(script).c_str());
    if (files.size() > 1) std::printf("\n");
  }
  return unusable > 0 ? 2 : 0;
}

int encode(const Args& args) {
  bool as_hex = false;
  std::string out_file;
  std::string out_dir;
  std::vector<std::string> files;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (a == "--help" || a == "-h") {
      std::puts(kEncodeUsage);
      return 0;
    }
    if (a == "--hex") {
      as_hex = true;
    } else if (a == "-o" || a == "--out-dir") {
      if (i + 1 >= args.size()) {
        std::fprintf(stderr, "tcpfsm encode: %.*s needs a path\n", static_cast<int>(a.size()),
                     a.data());
        return 2;
      }
      (a == "-o" ? out_file : out_dir) = std::string(args[++i]);
    } else if (a.starts_with("-")) {
      std::fprintf(stderr, "tcpfsm encode: unknown option '%.*s'\n%s\n", static_cast<int>(a.size()),
                   a.data(), kEncodeUsage);
      return 2;
    } else {
      files.emplace_back(a);
    }
  }
  if (files.empty() || (out_dir.empty() && files.size() != 1)) {
    std::fprintf(stderr, "tcpfsm encode: give one script, or --out-dir DIR and scripts\n%s\n",
                 kEncodeUsage);
    return 2;
  }
  if (!out_dir.empty()) {
    int unusable = 0;
    for (const std::string& file : files) {
      std::vector<std::uint8_t> bytes;
      const std::string target = out_dir + "/" + stem(file);
      if (!encode_one(file, bytes)) {
        ++unusable;
      } else if (!write_file(target, bytes)) {
        std::fprintf(stderr, "%s: cannot write\n", target.c_str());
        ++unusable;
      }
    }
    std::printf("encoded %zu of %zu scripts into %s\n", files.size() - unusable, files.size(),
                out_dir.c_str());
    return unusable > 0 ? 2 : 0;
  }
  std::vector<std::uint8_t> bytes;
  if (!encode_one(files.front(), bytes)) return 2;
  if (!out_file.empty()) {
    if (write_file(out_file, bytes)) return 0;
    std::fprintf(stderr, "%s: cannot write\n", out_file.c_str());
    return 2;
  }
  if (as_hex || isatty(STDOUT_FILENO)) {
    std::fputs(hex(bytes).c_str(), stdout);
  } else {
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
  }
  return 0;
}

}  // namespace tcpfsm::cli
