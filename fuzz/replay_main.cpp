// The replay main: without libFuzzer, each fuzz target links with this instead, so that every
// build (gcc too) runs the corpora through the target's oracle as a regression suite (ctest
// label `corpus`). Files are replayed in name order; a directory means the files in it.
//
//   NAME_replay [--expect-finding] [--select-by-directory] [--ignore-suffix SUF]...
//               [--matrix PREFIX] PATH...
//
// --expect-finding        every input must be caught (the negative target's regressions)
// --select-by-directory   each PATH holds one directory per selection (a mutant's name); the
//                         target's tcpfsm_fuzz_select() is called with it before its files
// --ignore-suffix SUF     skip files ending in SUF (the .tcp scripts beside binary reproducers)
// --matrix PREFIX         write the coverage matrix to PREFIX.txt and PREFIX.svg afterwards
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);
extern "C" __attribute__((weak)) int tcpfsm_fuzz_select(const char* which);
// Tells a target that it runs under this main rather than libFuzzer.
extern "C" const int tcpfsm_fuzz_replaying = 1;

namespace {

namespace fs = std::filesystem;

struct Options {
  bool expect_finding = false;
  bool select_by_directory = false;
  std::vector<std::string> ignore_suffixes;
  std::string matrix;
  std::vector<fs::path> paths;
};

struct Tally {
  int replayed = 0;
  int not_caught = 0;
  int skipped_selections = 0;
  int selections = 0;
};

std::vector<fs::path> files_of(const fs::path& p, const Options& o) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (fs::is_regular_file(p, ec)) return {p};
  for (const auto& e : fs::directory_iterator(p, ec)) {
    if (!e.is_regular_file()) continue;
    const std::string name = e.path().filename().string();
    const bool ignored = std::any_of(o.ignore_suffixes.begin(), o.ignore_suffixes.end(),
                                     [&](const std::string& s) { return name.ends_with(s); });
    if (!ignored && !name.starts_with(".")) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void replay(const fs::path& file, const Options& o, Tally& t) {
  std::ifstream in(file, std::ios::binary);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  ++t.replayed;
  if (o.expect_finding && !tcpfsm::fuzz::take_finding()) {
    std::fprintf(stderr, "NOT CAUGHT: %s\n", file.string().c_str());
    ++t.not_caught;
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--expect-finding") {
      o.expect_finding = true;
    } else if (a == "--select-by-directory") {
      o.select_by_directory = true;
    } else if ((a == "--ignore-suffix" || a == "--matrix") && i + 1 < argc) {
      (a == "--matrix" ? o.matrix : o.ignore_suffixes.emplace_back()) = argv[++i];
    } else if (a.starts_with("-")) {
      std::fprintf(stderr,
                   "usage: %s [--expect-finding] [--select-by-directory] [--ignore-suffix SUF]... "
                   "[--matrix PREFIX] PATH...\n",
                   argv[0]);
      return 2;
    } else {
      o.paths.emplace_back(a);
    }
  }
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  tcpfsm::fuzz::expect_findings(o.expect_finding);
  Tally t;
  for (const fs::path& p : o.paths) {
    if (!o.select_by_directory) {
      for (const fs::path& f : files_of(p, o)) replay(f, o, t);
      continue;
    }
    std::error_code ec;
    std::vector<fs::path> dirs;
    for (const auto& e : fs::directory_iterator(p, ec)) {
      if (e.is_directory()) dirs.push_back(e.path());
    }
    std::sort(dirs.begin(), dirs.end());
    for (const fs::path& d : dirs) {
      ++t.selections;
      const int r =
          tcpfsm_fuzz_select != nullptr ? tcpfsm_fuzz_select(d.filename().string().c_str()) : -1;
      if (r == 77) {
        ++t.skipped_selections;
        continue;
      }
      if (r != 0) {
        std::fprintf(stderr, "%s: cannot select '%s'\n", argv[0], d.filename().string().c_str());
        return 2;
      }
      for (const fs::path& f : files_of(d, o)) replay(f, o, t);
    }
  }
  std::printf("%s: replayed %d inputs%s%s\n", argv[0], t.replayed,
              o.expect_finding ? ", every one expected to be caught" : "",
              t.not_caught > 0 ? "; some were NOT caught" : "");
  if (!o.matrix.empty()) {
    std::fputs(tcpfsm::fuzz::matrix_text().c_str(), stdout);
    if (!tcpfsm::fuzz::write_matrix(o.matrix)) return 2;
  }
  if (t.not_caught > 0) return 1;
  if (t.selections > 0 && t.skipped_selections == t.selections) return 77;
  return 0;
}
