// rfc_coverage: keeps docs/rfc-coverage.md in step with the RFC 9293 Appendix B requirement list
// (tests/coverage/rfc9293_requirements.txt) and with the requirement tags of the unit tests: a
// line comment directly above a TEST, TEST_F or TEST_P macro (or above a macro of the same file
// that expands to one, such as `#define ARROW(Name) ... TEST(DiagramArrows, Name) ...`) whose
// text is the word "Covers:" followed by IDs, e.g. "Covers: MUST-10, SHLD-31". Comment lines
// may sit between the tag and the macro; a blank line or code may not. Standard library only.
//
//   rfc_coverage --root DIR --write         regenerate DIR/docs/rfc-coverage.md
//   rfc_coverage --root DIR --check         exit 1 and list the problems when a `test` requirement
//                                           has no tagged test, a tag names an unknown ID, a tag
//                                           is not followed by a TEST macro, or the committed
//                                           document differs from what --write would produce
//   rfc_coverage --root DIR --check-list    only validate the requirement list
//   --expect-ids N (with any mode)          the list must hold exactly N IDs, numbered without
//                                           gaps from 1 within each of MUST, SHLD, MAY, REC
//
// Exit status: 0 fine, 1 problems found, 2 unusable input (bad arguments, a missing or
// unreadable file, a malformed requirement list).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kRequirementsPath = "tests/coverage/rfc9293_requirements.txt";
constexpr std::string_view kDocPath = "docs/rfc-coverage.md";
constexpr std::string_view kTestsDir = "tests";
constexpr std::string_view kTagWord = "Covers:";
constexpr std::string_view kGroupMarker = "# ==";

constexpr int kExitOk = 0;
constexpr int kExitProblems = 1;
constexpr int kExitBadInput = 2;

// ---------------------------------------------------------------------------------------------
// Text helpers

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::optional<std::string> read_text(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return text.str();
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
  }
  return lines;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> parts;
  for (;;) {
    const auto at = s.find(sep);
    parts.emplace_back(s.substr(0, at));
    if (at == std::string_view::npos) return parts;
    s.remove_prefix(at + 1);
  }
}

std::string where(const std::string& file, std::size_t line) {
  return file + ":" + std::to_string(line);
}

// ---------------------------------------------------------------------------------------------
// Requirement IDs: MUST-n, SHLD-n, MAY-n, REC-n (RFC 9293 §1, "Requirements Language")

constexpr std::string_view kKinds[] = {"MUST", "SHLD", "MAY", "REC"};

struct RequirementId {
  std::string kind;
  unsigned number = 0;
};

std::optional<RequirementId> parse_id(std::string_view s) {
  for (const std::string_view kind : kKinds) {
    if (!starts_with(s, kind) || s.size() < kind.size() + 2 || s[kind.size()] != '-') continue;
    const std::string_view digits = s.substr(kind.size() + 1);
    if (digits.size() > 4 || digits.front() == '0') return std::nullopt;
    unsigned number = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
    if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
    return RequirementId{std::string(kind), number};
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// The requirement list

enum class Disposition { Test, OutOfScope, Exception };

struct Requirement {
  std::string id;
  std::string summary;
  Disposition disposition = Disposition::Test;
  std::string disposition_text;  // as written in the list, e.g. "out-of-scope: IP layer"
  std::string group;
};

struct RequirementList {
  std::vector<Requirement> items;
  std::vector<std::string> errors;  // any error makes the list unusable
};

std::optional<Disposition> parse_disposition(std::string_view text) {
  if (text == "test") return Disposition::Test;
  const auto with_reason = [&](std::string_view label) {
    return starts_with(text, label) && !trim(text.substr(label.size())).empty();
  };
  if (with_reason("out-of-scope:")) return Disposition::OutOfScope;
  if (with_reason("exception:")) return Disposition::Exception;
  return std::nullopt;
}

RequirementList parse_requirements(const std::string& text, const std::string& name) {
  RequirementList list;
  std::set<std::string> seen;
  std::string group;
  const auto lines = split_lines(text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    const std::string at = where(name, i + 1);
    if (trim(line).empty()) continue;
    if (starts_with(line, kGroupMarker)) {
      group = std::string(trim(line.substr(kGroupMarker.size())));
      continue;
    }
    if (starts_with(trim(line), "#")) continue;
    const auto fields = split(line, '\t');
    if (fields.size() != 3) {
      list.errors.push_back(at +
                            ": expected 3 tab-separated fields (ID, summary, disposition), found " +
                            std::to_string(fields.size()));
      continue;
    }
    Requirement r;
    r.id = std::string(trim(fields[0]));
    r.summary = std::string(trim(fields[1]));
    r.disposition_text = std::string(trim(fields[2]));
    r.group = group;
    if (!parse_id(r.id)) {
      list.errors.push_back(at + ": '" + r.id +
                            "' is not a requirement ID (MUST-n, SHLD-n, MAY-n, REC-n)");
      continue;
    }
    if (!seen.insert(r.id).second) {
      list.errors.push_back(at + ": " + r.id + " is listed twice");
      continue;
    }
    if (r.summary.empty()) list.errors.push_back(at + ": " + r.id + " has an empty summary");
    const auto disposition = parse_disposition(r.disposition_text);
    if (!disposition) {
      list.errors.push_back(at + ": " + r.id + ": disposition '" + r.disposition_text +
                            "' is not 'test', 'out-of-scope: <reason>' or 'exception: <reason>'");
      continue;
    }
    r.disposition = *disposition;
    list.items.push_back(std::move(r));
  }
  if (list.items.empty() && list.errors.empty())
    list.errors.push_back(name + ": lists no requirement");
  return list;
}

// With --expect-ids: the list holds exactly `expected` IDs, and within each kind the numbers run
// from 1 to the largest one without a gap (as Appendix B's do).
std::vector<std::string> check_list_shape(const std::vector<Requirement>& items,
                                          std::size_t expected) {
  std::vector<std::string> problems;
  if (items.size() != expected) {
    problems.push_back("the requirement list has " + std::to_string(items.size()) +
                       " IDs; RFC 9293 Appendix B has " + std::to_string(expected));
  }
  std::map<std::string, std::set<unsigned>> numbers;
  for (const auto& r : items) {
    const auto id = parse_id(r.id);
    if (id) numbers[id->kind].insert(id->number);
  }
  for (const auto& [kind, used] : numbers) {
    const unsigned top = *used.rbegin();
    for (unsigned n = 1; n <= top; ++n) {
      if (used.count(n) == 0) {
        problems.push_back(kind + "-" + std::to_string(n) +
                           " is missing from the requirement list (" + kind + " IDs go up to " +
                           std::to_string(top) + ")");
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// The tests' tags

struct TaggedTest {
  std::string name;  // Suite.Name
  std::vector<std::string> ids;
  std::string tag_at;  // file:line of the first tag line
};

struct TagScan {
  std::vector<TaggedTest> tests;
  std::vector<std::string> problems;
  std::vector<std::string> errors;  // unreadable files: the scan is unusable
};

// The text after "Covers:" when `line` is a tag comment.
std::optional<std::string_view> tag_body(std::string_view line) {
  std::string_view t = trim(line);
  if (!starts_with(t, "//")) return std::nullopt;
  t = trim(t.substr(2));
  if (!starts_with(t, kTagWord)) return std::nullopt;
  return t.substr(kTagWord.size());
}

// The IDs of one tag line, split on commas and blanks; anything else is reported.
void read_tag_ids(std::string_view body, const std::string& at, TaggedTest& test,
                  std::vector<std::string>& problems) {
  std::string tokens(body);
  std::replace(tokens.begin(), tokens.end(), ',', ' ');
  std::istringstream in(tokens);
  bool any = false;
  for (std::string token; in >> token;) {
    any = true;
    if (!parse_id(token)) {
      problems.push_back(at + ": '" + token + "' in a Covers: tag is not a requirement ID");
      continue;
    }
    if (std::find(test.ids.begin(), test.ids.end(), token) == test.ids.end()) {
      test.ids.push_back(token);
    }
  }
  if (!any) problems.push_back(at + ": Covers: tag names no requirement ID");
}

bool is_identifier(std::string_view s) {
  if (s.empty() || (std::isdigit(static_cast<unsigned char>(s.front())) != 0)) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
  });
}

constexpr std::string_view kTestMacros[] = {"TEST", "TEST_F", "TEST_P", "TYPED_TEST",
                                            "TYPED_TEST_P"};

bool is_test_macro(std::string_view s) {
  return std::find(std::begin(kTestMacros), std::end(kTestMacros), s) != std::end(kTestMacros);
}

// A macro invocation: its name and its comma-separated arguments, trimmed.
struct Invocation {
  std::string macro;
  std::vector<std::string> args;
};

// Reads `NAME(arg, arg)` at the start of `text`; the first ')' ends it (no nested parentheses).
std::optional<Invocation> read_invocation(std::string_view text) {
  text = trim(text);
  const auto open = text.find('(');
  const auto close = text.find(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return std::nullopt;
  }
  Invocation inv{std::string(trim(text.substr(0, open))), {}};
  if (!is_identifier(inv.macro)) return std::nullopt;
  for (const auto& arg : split(text.substr(open + 1, close - open - 1), ',')) {
    inv.args.emplace_back(trim(arg));
  }
  return inv;
}

// A file-local macro that defines a test, e.g. `#define ARROW(Name) ... TEST(DiagramArrows,
// Name) ...`: a tag above `ARROW(X)` then names DiagramArrows.X.
struct TestWrapper {
  std::string suite;
  std::size_t name_arg = 0;
  std::size_t arity = 0;
};

std::map<std::string, TestWrapper> find_test_wrappers(const std::vector<std::string>& lines) {
  std::map<std::string, TestWrapper> wrappers;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view t = trim(lines[i]);
    if (!starts_with(t, "#define")) continue;
    std::string def(t.substr(7));
    while (!def.empty() && def.back() == '\\' && i + 1 < lines.size()) {
      def.pop_back();
      def += " " + std::string(trim(lines[++i]));
    }
    const auto head = read_invocation(def);
    if (!head) continue;
    const std::string body = def.substr(def.find(')') + 1);
    for (std::size_t at = 0; at < body.size(); ++at) {
      const bool boundary = at == 0 || !(std::isalnum(static_cast<unsigned char>(body[at - 1])) ||
                                         body[at - 1] == '_');
      if (!boundary) continue;
      const auto inner = read_invocation(std::string_view(body).substr(at));
      if (!inner || !is_test_macro(inner->macro) || inner->args.size() != 2) continue;
      const auto param = std::find(head->args.begin(), head->args.end(), inner->args[1]);
      if (!is_identifier(inner->args[0]) || param == head->args.end()) continue;
      wrappers[head->macro] = TestWrapper{
          inner->args[0], static_cast<std::size_t>(param - head->args.begin()), head->args.size()};
      break;
    }
  }
  return wrappers;
}

// "Suite.Name" when lines[at...] start a test macro (or a wrapper of one); the argument list may
// span a few lines.
std::optional<std::string> test_macro_name(const std::vector<std::string>& lines, std::size_t at,
                                           const std::map<std::string, TestWrapper>& wrappers) {
  std::string text = lines[at];
  for (std::size_t next = at + 1;
       text.find(')') == std::string::npos && next < lines.size() && next <= at + 4; ++next) {
    text += " " + lines[next];
  }
  const auto inv = read_invocation(text);
  if (!inv) return std::nullopt;
  if (is_test_macro(inv->macro)) {
    if (inv->args.size() != 2 || !is_identifier(inv->args[0]) || !is_identifier(inv->args[1])) {
      return std::nullopt;
    }
    return inv->args[0] + "." + inv->args[1];
  }
  const auto wrapper = wrappers.find(inv->macro);
  if (wrapper == wrappers.end() || inv->args.size() != wrapper->second.arity) return std::nullopt;
  const std::string& name = inv->args[wrapper->second.name_arg];
  if (!is_identifier(name)) return std::nullopt;
  return wrapper->second.suite + "." + name;
}

// Finds every tag in one file. Several tag lines in a row, and plain comment lines between the
// tags and the macro, belong to the same test (the macro may be a file-local wrapper of TEST);
// anything else (code, a blank line) ends the search and leaves the tag dangling.
void scan_file(const std::vector<std::string>& lines, const std::string& name, TagScan& scan) {
  const auto wrappers = find_test_wrappers(lines);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto body = tag_body(lines[i]);
    if (!body) continue;
    TaggedTest test;
    test.tag_at = where(name, i + 1);
    read_tag_ids(*body, test.tag_at, test, scan.problems);
    std::size_t j = i + 1;
    for (; j < lines.size(); ++j) {
      const std::string_view t = trim(lines[j]);
      if (!starts_with(t, "//")) break;
      if (const auto more = tag_body(t))
        read_tag_ids(*more, where(name, j + 1), test, scan.problems);
    }
    i = j - 1;
    const auto macro = j < lines.size() ? test_macro_name(lines, j, wrappers) : std::nullopt;
    if (!macro) {
      scan.problems.push_back(test.tag_at +
                              ": Covers: tag is not directly followed by TEST, TEST_F or "
                              "TEST_P(Suite, Name), or by a macro of this file that wraps one");
      continue;
    }
    test.name = *macro;
    if (!test.ids.empty()) scan.tests.push_back(std::move(test));
  }
}

// Every tests/*.cpp and tests/**/*.cpp under root, in a stable order.
TagScan scan_tests(const fs::path& root) {
  TagScan scan;
  const fs::path dir = root / kTestsDir;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    scan.errors.push_back(dir.string() + ": no such directory");
    return scan;
  }
  std::vector<fs::path> files;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_regular_file(type_ec) && it->path().extension() == ".cpp")
      files.push_back(it->path());
  }
  if (ec) {
    scan.errors.push_back(dir.string() + ": cannot list: " + ec.message());
    return scan;
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    const std::string name = file.lexically_relative(root).generic_string();
    const auto text = read_text(file);
    if (!text) {
      scan.errors.push_back(file.string() + ": cannot read");
      continue;
    }
    scan_file(split_lines(*text), name, scan);
  }
  return scan;
}

// ---------------------------------------------------------------------------------------------
// Joining the two

struct Coverage {
  std::map<std::string, std::vector<std::string>> tests_of;  // ID -> sorted Suite.Name list
  std::vector<std::string> untested;                         // `test` IDs with no test, list order
  std::vector<std::string> problems;
  std::vector<std::string> notes;  // worth saying, not failing for
};

Coverage join(const std::vector<Requirement>& items, const TagScan& scan) {
  Coverage c;
  std::map<std::string, const Requirement*> by_id;
  for (const auto& r : items) by_id[r.id] = &r;
  for (const auto& test : scan.tests) {
    for (const auto& id : test.ids) {
      const auto found = by_id.find(id);
      if (found == by_id.end()) {
        c.problems.push_back(test.tag_at + ": " + test.name + " covers " + id +
                             ", which is not in " + std::string(kRequirementsPath));
        continue;
      }
      if (found->second->disposition != Disposition::Test) {
        const bool out = found->second->disposition == Disposition::OutOfScope;
        c.notes.push_back(test.tag_at + ": " + test.name + " covers " + id +
                          ", which the list marks " + (out ? "out-of-scope" : "exception"));
      }
      c.tests_of[id].push_back(test.name);
    }
  }
  for (auto& [id, names] : c.tests_of) {
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
  }
  for (const auto& r : items) {
    if (r.disposition == Disposition::Test && c.tests_of.count(r.id) == 0)
      c.untested.push_back(r.id);
  }
  return c;
}

// ---------------------------------------------------------------------------------------------
// The document

std::string cell(std::string_view s) {
  std::string out;
  for (const char ch : s) {
    if (ch == '|')
      out += "\\|";
    else
      out += ch;
  }
  return out;
}

std::string join_ids(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ", ") + id;
  return out;
}

std::string render(const std::vector<Requirement>& items, const Coverage& c) {
  std::size_t tests = 0, out_of_scope = 0, exceptions = 0;
  for (const auto& r : items) {
    switch (r.disposition) {
      case Disposition::Test: ++tests; break;
      case Disposition::OutOfScope: ++out_of_scope; break;
      case Disposition::Exception: ++exceptions; break;
    }
  }
  const std::size_t covered = tests - c.untested.size();

  std::ostringstream md;
  md << "<!-- Generated by tests/coverage/rfc_coverage. Do not edit: change "
        "tests/coverage/rfc9293_requirements.txt or the tests' Covers: tags and regenerate. -->\n"
     << "# RFC 9293 requirement coverage\n\n"
     << "Every requirement ID of RFC 9293 Appendix B (Table 8), what the reference model does "
        "about it,\nand the unit tests that check it. This file is generated from two sources:\n\n"
     << "- `" << kRequirementsPath
     << "`: every ID in the order of Appendix\n  B, a one-line "
        "summary in our own words, and a disposition.\n"
     << "- the tags in `tests/**/*.cpp`: a test claims requirements with a comment directly "
        "above its\n  `TEST`/`TEST_F`/`TEST_P` macro, `// Covers: MUST-10, SHLD-31` (a macro of "
        "the "
        "same file\n  that expands to `TEST(Suite, Name)` works too).\n\n"
     << "Regenerate it after changing either:\n\n"
     << "```sh\n"
     << "cmake --build build/dev --target rfc_coverage\n"
     << "build/dev/tests/coverage/rfc_coverage --root . --write\n"
     << "```\n\n"
     << "The ctest `RfcCoverage.EveryRequirementIsAccountedFor` (label `unit`) runs `rfc_coverage "
        "--check`,\nwhich fails when this file is stale, when a `test` requirement has no tagged "
        "test, when a tag\nnames an unknown ID, or when a tag is not followed by a test macro.\n\n"
     << "Dispositions:\n\n"
     << "- `test`: the model implements the requirement and at least one test must cover it.\n"
     << "- `out-of-scope: <reason>`: it concerns something the model does not represent (IP, "
        "options,\n  checksums, ICMP, congestion control, ...).\n"
     << "- `exception: <reason>`: the model deliberately departs from it or implements only "
        "part of it.\n\n"
     << "## Summary\n\n"
     << "| | IDs |\n|---|---:|\n"
     << "| Requirement IDs in Appendix B | " << items.size() << " |\n"
     << "| `test`, covered by at least one test | " << covered << " |\n"
     << "| `test`, no test yet | " << c.untested.size() << " |\n"
     << "| `out-of-scope` | " << out_of_scope << " |\n"
     << "| `exception` | " << exceptions << " |\n\n";
  if (c.untested.empty()) {
    md << "Every `test` requirement is covered by at least one test.\n";
  } else {
    md << "`test` requirements with no test yet (" << c.untested.size()
       << "): " << join_ids(c.untested) << ".\n";
  }

  md << "\n## Requirements\n";
  std::optional<std::string> group;
  for (const auto& r : items) {
    if (!group || *group != r.group) {
      group = r.group;
      md << "\n### " << (r.group.empty() ? "Ungrouped" : r.group) << "\n\n"
         << "| ID | Requirement (our summary) | Disposition | Tests |\n|---|---|---|---|\n";
    }
    std::string tests_cell;
    const auto found = c.tests_of.find(r.id);
    if (found != c.tests_of.end()) {
      for (const auto& name : found->second) {
        tests_cell += (tests_cell.empty() ? "`" : ", `") + name + "`";
      }
    } else {
      tests_cell = r.disposition == Disposition::Test ? "**none yet**" : "";
    }
    md << "| " << r.id << " | " << cell(r.summary) << " | " << cell(r.disposition_text) << " | "
       << tests_cell << " |\n";
  }
  return md.str();
}

// Where two texts first differ, for a useful --check message.
std::string first_difference(const std::string& committed, const std::string& generated) {
  const auto a = split_lines(committed);
  const auto b = split_lines(generated);
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    const std::string* x = i < a.size() ? &a[i] : nullptr;
    const std::string* y = i < b.size() ? &b[i] : nullptr;
    if (x && y && *x == *y) continue;
    return "first difference at line " + std::to_string(i + 1) +
           ":\n    committed: " + (x ? *x : std::string("<end of file>")) +
           "\n    generated: " + (y ? *y : std::string("<end of file>"));
  }
  return "the files differ only in line endings or a final newline";
}

// ---------------------------------------------------------------------------------------------
// Command line

enum class Mode { Write, Check, CheckList };

struct Options {
  fs::path root;
  std::optional<Mode> mode;
  std::optional<std::size_t> expect_ids;
};

constexpr std::string_view kUsage =
    "usage: rfc_coverage --root DIR (--write | --check | --check-list) [--expect-ids N]\n"
    "  --write        regenerate DIR/docs/rfc-coverage.md\n"
    "  --check        exit 1 listing the problems (untested `test` IDs, bad tags, stale doc)\n"
    "  --check-list   only validate DIR/tests/coverage/rfc9293_requirements.txt\n"
    "  --expect-ids N the list must hold exactly N IDs, numbered 1.. without gaps per kind\n";

std::optional<Options> parse_args(int argc, char** argv, std::string& error) {
  Options o;
  bool have_root = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--root" && has_value) {
      o.root = argv[++i];
      have_root = true;
    } else if (arg == "--expect-ids" && has_value) {
      const std::string_view v = argv[++i];
      std::size_t n = 0;
      const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc{} || end != v.data() + v.size()) {
        error = "--expect-ids wants a number, got '" + std::string(v) + "'";
        return std::nullopt;
      }
      o.expect_ids = n;
    } else if (arg == "--write" || arg == "--check" || arg == "--check-list") {
      if (o.mode) {
        error = "give only one of --write, --check, --check-list";
        return std::nullopt;
      }
      o.mode = arg == "--write" ? Mode::Write : arg == "--check" ? Mode::Check : Mode::CheckList;
    } else {
      error = "unexpected argument '" + std::string(arg) + "'";
      return std::nullopt;
    }
  }
  if (!have_root || !o.mode) {
    error = "--root and one of --write, --check, --check-list are required";
    return std::nullopt;
  }
  return o;
}

int report_input_errors(const std::vector<std::string>& errors) {
  for (const auto& e : errors) std::cerr << "rfc_coverage: error: " << e << "\n";
  return kExitBadInput;
}

int report_problems(const std::vector<std::string>& problems, std::string_view what) {
  if (problems.empty()) return kExitOk;
  std::cerr << "rfc_coverage: " << problems.size() << " problem(s) " << what << ":\n";
  for (const auto& p : problems) std::cerr << "  - " << p << "\n";
  return kExitProblems;
}

int run(const Options& o) {
  std::error_code ec;
  if (!fs::is_directory(o.root, ec)) {
    return report_input_errors({o.root.string() + ": --root is not a directory"});
  }
  const fs::path list_path = o.root / kRequirementsPath;
  const auto list_text = read_text(list_path);
  if (!list_text) return report_input_errors({list_path.string() + ": cannot read"});
  const auto list = parse_requirements(*list_text, std::string(kRequirementsPath));
  if (!list.errors.empty()) return report_input_errors(list.errors);

  std::vector<std::string> problems;
  if (o.expect_ids) problems = check_list_shape(list.items, *o.expect_ids);
  if (*o.mode == Mode::CheckList) {
    const int status = report_problems(problems, "in the requirement list");
    if (status == kExitOk) {
      std::cout << "rfc_coverage: " << list.items.size()
                << " requirement IDs, list is well formed\n";
    }
    return status;
  }

  const auto scan = scan_tests(o.root);
  if (!scan.errors.empty()) return report_input_errors(scan.errors);
  const Coverage coverage = join(list.items, scan);
  const std::string doc = render(list.items, coverage);
  const fs::path doc_path = o.root / kDocPath;

  problems.insert(problems.end(), scan.problems.begin(), scan.problems.end());
  problems.insert(problems.end(), coverage.problems.begin(), coverage.problems.end());
  for (const auto& n : coverage.notes) std::cerr << "rfc_coverage: note: " << n << "\n";

  if (*o.mode == Mode::Write) {
    std::ofstream out(doc_path, std::ios::binary | std::ios::trunc);
    out << doc;
    out.close();
    if (!out) return report_input_errors({doc_path.string() + ": cannot write"});
    std::cout << "rfc_coverage: wrote " << doc_path.string() << " (" << list.items.size()
              << " IDs, " << coverage.untested.size() << " `test` IDs without a test)\n";
    // Tag problems do not stop the document from being written, but they are still errors.
    return report_problems(problems, "in the tests' Covers: tags");
  }

  for (const auto& id : coverage.untested) {
    problems.push_back(id + " is marked `test` but no test has a Covers: tag for it");
  }
  const auto committed = read_text(doc_path);
  if (!committed) {
    problems.push_back(std::string(kDocPath) + " is missing; run rfc_coverage --root DIR --write");
  } else if (*committed != doc) {
    problems.push_back(std::string(kDocPath) +
                       " is stale; run rfc_coverage --root DIR --write and commit the result (" +
                       first_difference(*committed, doc) + ")");
  }
  const int status = report_problems(problems, "in RFC 9293 requirement coverage");
  if (status == kExitOk) {
    std::cout << "rfc_coverage: all " << list.items.size()
              << " requirement IDs accounted for; docs/rfc-coverage.md is up to date\n";
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  std::string error;
  const auto options = parse_args(argc, argv, error);
  if (!options) {
    std::cerr << "rfc_coverage: " << error << "\n" << kUsage;
    return kExitBadInput;
  }
  return run(*options);
}
