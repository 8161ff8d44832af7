// Configuration files of the explorer (explorer.hpp, docs/explorer.md "Configuration files"):
// one directive per line, `#` comments, `A ...`/`B ...` for one endpoint. Any text gives a
// configuration or one "file:line: message" error.
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "harness/explorer.hpp"
#include "harness/script.hpp"

namespace tcpfsm::harness {

std::string_view to_string(ExploreCall c) {
  switch (c) {
    case ExploreCall::OpenActive: return "open-active";
    case ExploreCall::OpenPassive: return "open-passive";
    case ExploreCall::Send: return "send";
    case ExploreCall::Receive: return "receive";
    case ExploreCall::Close: return "close";
    case ExploreCall::Abort: return "abort";
  }
  return "?";
}

namespace {

std::vector<std::string> split_words(std::string_view line) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    std::size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
    if (j > i) out.emplace_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

bool parse_u64(const std::string& s, std::uint64_t max, std::uint64_t& out) {
  if (s.empty() || s.size() > 20) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const std::uint64_t d = static_cast<std::uint64_t>(c - '0');
    if (v > (max - d) / 10) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

std::optional<ExploreCall> parse_call(std::string_view s) {
  for (int i = 0; i < kExploreCalls; ++i) {
    if (to_string(static_cast<ExploreCall>(i)) == s) return static_cast<ExploreCall>(i);
  }
  return std::nullopt;
}

class ConfigReader {
 public:
  ConfigReader(std::string_view file) : file_(file) {}

  std::variant<ExploreConfig, std::string> read(std::string_view text) {
    int line_no = 0;
    std::size_t pos = 0;
    while (pos <= text.size() && !error_) {
      std::size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = text.substr(pos, end - pos);
      ++line_no;
      pos = end + 1;
      const std::size_t hash = line.find('#');
      if (hash != std::string_view::npos) line = line.substr(0, hash);
      const auto words = split_words(line);
      if (!words.empty()) directive(line_no, line, words);
      if (end == text.size()) break;
    }
    if (error_) return *error_;
    if (!profile_text_.empty()) {
      auto parsed = parse_script("endpoints A B\n" + profile_text_, file_);
      if (const auto* e = std::get_if<ParseError>(&parsed)) {
        const int at = e->line >= 2 && e->line - 2 < static_cast<int>(profile_lines_.size())
                           ? profile_lines_[static_cast<std::size_t>(e->line - 2)]
                           : 0;
        return std::string(file_) + ":" + std::to_string(at) + ": " + e->message;
      }
      const Script& s = std::get<Script>(parsed);
      config_.profile_a = s.profile_a;
      config_.profile_b = s.profile_b;
    }
    for (const ProfileSpec* spec : {&config_.profile_a, &config_.profile_b}) {
      auto p = make_profile(*spec);
      if (const auto* e = std::get_if<std::string>(&p)) return std::string(file_) + ": " + *e;
    }
    return config_;
  }

 private:
  void fail(int line, const std::string& message) {
    if (!error_) error_ = std::string(file_) + ":" + std::to_string(line) + ": " + message;
  }

  bool number(int line, const std::vector<std::string>& w, std::size_t i, std::uint64_t max,
              std::uint64_t& out) {
    if (i >= w.size()) {
      fail(line, "'" + w[0] + "' needs a number");
      return false;
    }
    if (!parse_u64(w[i], max, out)) {
      fail(line, "bad number '" + w[i] + "'; expected 0.." + std::to_string(max));
      return false;
    }
    return true;
  }

  bool on_off(int line, const std::vector<std::string>& w, bool& out) {
    if (w.size() != 2 || (w[1] != "on" && w[1] != "off")) {
      fail(line, "'" + w[0] + "' takes 'on' or 'off'");
      return false;
    }
    out = w[1] == "on";
    return true;
  }

  void directive(int line, std::string_view raw, std::vector<std::string> w) {
    // "A ..." and "B ..." address one endpoint; the same directives without a prefix address
    // both.
    std::vector<int> sides = {0, 1};
    bool prefixed = false;
    if (w[0] == "A" || w[0] == "B") {
      sides = {w[0] == "A" ? 0 : 1};
      prefixed = true;
      if (w.size() < 2) {
        fail(line, "'" + w[0] + "' needs a directive after it");
        return;
      }
    }
    const std::string d = prefixed ? w[1] : w[0];
    if (d == "profile") {
      profile_text_ += std::string(raw) + "\n";
      profile_lines_.push_back(line);
      return;
    }
    if (prefixed) w.erase(w.begin());
    std::uint64_t n = 0;
    if (d == "iss") {
      if (!prefixed) return fail(line, "'iss' needs an endpoint: 'A iss N ...' or 'B iss N ...'");
      std::vector<std::uint32_t> values;
      for (std::size_t i = 1; i < w.size(); ++i) {
        if (!number(line, w, i, 0xFFFF'FFFFull, n)) return;
        values.push_back(static_cast<std::uint32_t>(n));
      }
      if (values.empty()) return fail(line, "'iss' needs at least one number");
      (sides[0] == 0 ? config_.iss_a : config_.iss_b) = values;
    } else if (d == "calls") {
      std::array<bool, kExploreCalls> calls{};
      for (std::size_t i = 1; i < w.size(); ++i) {
        auto c = parse_call(w[i]);
        if (!c) {
          return fail(line,
                      "unknown call '" + w[i] +
                          "'; expected open-active, open-passive, send, receive, close, abort");
        }
        calls[static_cast<std::size_t>(*c)] = true;
      }
      for (int s : sides) config_.sides[static_cast<std::size_t>(s)].calls = calls;
    } else if (d == "opens" || d == "sends") {
      if (!number(line, w, 1, 255, n)) return;
      for (int s : sides) {
        auto& side = config_.sides[static_cast<std::size_t>(s)];
        (d == "opens" ? side.opens : side.sends) = static_cast<std::uint32_t>(n);
      }
    } else if (prefixed) {
      fail(line, "'" + d + "' is not a per-endpoint directive");
    } else if (d == "name") {
      if (w.size() != 2) return fail(line, "'name' takes one word");
      config_.name = w[1];
    } else if (d == "description") {
      std::string text;
      for (std::size_t i = 1; i < w.size(); ++i) text += (i > 1 ? " " : "") + w[i];
      config_.description = text;
    } else if (d == "send-size") {
      if (!number(line, w, 1, 65535, n)) return;
      if (n == 0) return fail(line, "'send-size' must be at least 1");
      config_.send_size = static_cast<std::uint32_t>(n);
    } else if (d == "capacity") {
      if (!number(line, w, 1, 64, n)) return;
      config_.capacity = static_cast<std::uint32_t>(n);
    } else if (d == "loss" || d == "duplicate" || d == "crash") {
      if (!number(line, w, 1, 255, n)) return;
      (d == "loss"        ? config_.loss
       : d == "duplicate" ? config_.duplicate
                          : config_.crash) = static_cast<std::uint32_t>(n);
    } else if (d == "compare") {
      on_off(line, w, config_.compare);
    } else if (d == "liveness") {
      on_off(line, w, config_.liveness);
    } else if (d == "max-states") {
      if (!number(line, w, 1, ~std::uint64_t{0}, n)) return;
      config_.max_states = n;
    } else {
      fail(line, "unknown directive '" + d +
                     "'; expected name, description, profile, iss, calls, opens, sends, "
                     "send-size, capacity, loss, duplicate, crash, compare, liveness or "
                     "max-states");
    }
  }

  std::string_view file_;
  ExploreConfig config_;
  std::string profile_text_;
  std::vector<int> profile_lines_;
  std::optional<std::string> error_;
};

}  // namespace

std::variant<ExploreConfig, std::string> parse_explore_config(std::string_view text,
                                                              std::string_view file) {
  ConfigReader reader(file);
  auto out = reader.read(text);
  if (auto* c = std::get_if<ExploreConfig>(&out); c && c->name.empty()) {
    std::string base(file);
    if (auto slash = base.find_last_of('/'); slash != std::string::npos) base.erase(0, slash + 1);
    if (auto dot = base.find('.'); dot != std::string::npos) base.erase(dot);
    c->name = base;
  }
  return out;
}

}  // namespace tcpfsm::harness
