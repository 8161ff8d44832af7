// Reads the .tcp script format (docs/script-format.md) into the syntax tree of script.hpp.
// One pass, one line at a time, no exceptions and no recursion: any byte string yields either
// a Script or a ParseError that names the line, the column of the offending token, what was
// found there and what was expected.
#include <array>
#include <climits>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "harness/script.hpp"

namespace tcpfsm::harness {

std::string ParseError::to_string() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

namespace {

constexpr std::uint64_t kMaxU32 = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint64_t kMaxU16 = std::numeric_limits<std::uint16_t>::max();
constexpr std::uint64_t kMaxU64 = std::numeric_limits<std::uint64_t>::max();

struct Token {
  std::string_view text;
  int column = 0;  // 1-based byte column of the token's first character
};

int clamp_int(std::size_t n) {
  return n >= INT_MAX ? INT_MAX : static_cast<int>(n);
}

// A piece of the input as it appears in a message: quoted, control and non-ASCII bytes escaped
// (the input may be binary junk), very long tokens cut short.
std::string quote(std::string_view s) {
  constexpr std::size_t kMaxShown = 40;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "'";
  std::size_t shown = 0;
  for (char c : s) {
    if (shown++ == kMaxShown) {
      out += "...";
      break;
    }
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) {
      out += "\\x";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xf]);
    } else {
      out.push_back(c);
    }
  }
  out += "'";
  return out;
}

// Splits one line (without its '\n') into tokens; '#' starts a comment.
std::vector<Token> tokenize(std::string_view line) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (c == '#') break;
    if (c == ' ' || c == '\t') {
      ++i;
      continue;
    }
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '#') ++i;
    out.push_back({line.substr(start, i - start), clamp_int(start + 1)});
  }
  return out;
}

enum class NumStatus { Ok, NotNumber, TooLarge };

// Decimal digits only (no sign, no spaces), at most `max`.
NumStatus parse_decimal(std::string_view s, std::uint64_t max, std::uint64_t& out) {
  if (s.empty()) return NumStatus::NotNumber;
  for (char c : s) {
    if (c < '0' || c > '9') return NumStatus::NotNumber;
  }
  std::uint64_t v = 0;
  for (char c : s) {
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (max - d) / 10) return NumStatus::TooLarge;
    v = v * 10 + d;
  }
  out = v;
  return NumStatus::Ok;
}

// "N" (relative) or "=N" (absolute), N in 0..2^32-1.
NumStatus parse_seq_number(std::string_view s, Number& out) {
  Number n;
  if (!s.empty() && s.front() == '=') {
    n.absolute = true;
    s.remove_prefix(1);
  }
  std::uint64_t v = 0;
  const NumStatus st = parse_decimal(s, kMaxU32, v);
  if (st != NumStatus::Ok) return st;
  n.value = static_cast<std::uint32_t>(v);
  out = n;
  return NumStatus::Ok;
}

std::string number_text(const Number& n) {
  return (n.absolute ? "=" : "") + std::to_string(n.value);
}

struct TcbVarName {
  std::string_view name;
  TcbVar var;
};
constexpr std::array<TcbVarName, 12> kTcbVars = {{
    {"iss", TcbVar::Iss},
    {"irs", TcbVar::Irs},
    {"snd.una", TcbVar::SndUna},
    {"snd.nxt", TcbVar::SndNxt},
    {"snd.wnd", TcbVar::SndWnd},
    {"snd.wl1", TcbVar::SndWl1},
    {"snd.wl2", TcbVar::SndWl2},
    {"snd.up", TcbVar::SndUp},
    {"max.snd.wnd", TcbVar::MaxSndWnd},
    {"rcv.nxt", TcbVar::RcvNxt},
    {"rcv.wnd", TcbVar::RcvWnd},
    {"rcv.up", TcbVar::RcvUp},
}};

bool is_network_keyword(std::string_view k) {
  return k == "deliver" || k == "drop" || k == "duplicate" || k == "reorder" || k == "faults" ||
         k == "run";
}

bool is_endpoint_keyword(std::string_view k) {
  return k == "<" || k == ">" || k == "open" || k == "send" || k == "receive" || k == "close" ||
         k == "abort" || k == "status" || k == "timeout" || k == "state" || k == "=>" ||
         k == "why" || k == "tcb";
}

// The tokens of one line and how far they have been read.
class Cursor {
 public:
  Cursor(const std::vector<Token>& tokens, int end_column)
      : tokens_(tokens), end_column_(end_column) {}
  bool done() const { return pos_ >= tokens_.size(); }
  const Token& peek() const { return tokens_[pos_]; }
  const Token& take() { return tokens_[pos_++]; }
  // Where a missing token would go: just after the last one.
  int end_column() const { return end_column_; }

 private:
  const std::vector<Token>& tokens_;
  std::size_t pos_ = 0;
  int end_column_;
};

class Parser {
 public:
  explicit Parser(std::string_view file) { error_.file = std::string(file); }

  std::variant<Script, ParseError> run(std::string_view text);

 private:
  bool fail(int column, std::string message) {
    error_.line = line_no_;
    error_.column = column;
    error_.message = std::move(message);
    return false;
  }

  bool parse_line(Cursor& c);
  bool add_event(int column, Line line);

  // Header directives.
  bool header_allowed(const Token& t);
  bool parse_endpoints(Cursor& c);
  bool parse_profile(Cursor& c, Actor who, const Token& first);
  bool parse_iss(Cursor& c, Actor who, const Token& first);

  // Endpoint lines.
  bool parse_endpoint_line(Cursor& c, Actor who, int column);
  bool parse_segment(Cursor& c, const Token& arrow, SegmentSpec& out);
  bool parse_flags(const Token& t, std::uint8_t& ctl);
  bool parse_seqspec(const Token& t, SegmentSpec& out);
  bool parse_call(Cursor& c, const Token& kw, Event& out);
  bool parse_notice(Cursor& c, const Token& arrow, Notice& out);
  bool parse_tcb(Cursor& c, const Token& kw, ExpectTcbLine& out);

  // Network lines and time.
  bool parse_time(Cursor& c, const Token& kw, TimeLine& out);
  bool parse_network(Cursor& c, const Token& kw, NetworkLine& out);
  bool parse_direction(Cursor& c, const Token& kw, Actor& from, bool allow_all, bool& all);
  bool parse_faults(Cursor& c, FaultsLine& out);

  // Small pieces.
  bool need(Cursor& c, std::string_view what_after, std::string_view expected);
  bool finish(Cursor& c, std::string_view after);
  bool number(const Token& t, std::string_view value, std::uint64_t max, std::string_view what,
              std::uint64_t& out);
  bool u32(const Token& t, std::string_view what, std::uint32_t& out) {
    std::uint64_t v = 0;
    if (!number(t, t.text, kMaxU32, what, v)) return false;
    out = static_cast<std::uint32_t>(v);
    return true;
  }
  bool seq_number(const Token& t, std::string_view value, std::string_view what, Number& out);

  Script script_;
  ParseError error_;
  int line_no_ = 0;
  int first_event_line_ = 0;  // 0: no event line yet
  bool any_header_ = false;
  int profile_line_ = 0, profile_a_line_ = 0, profile_b_line_ = 0;
  int iss_a_line_ = 0, iss_b_line_ = 0;
};

std::variant<Script, ParseError> Parser::run(std::string_view text) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (line_no_ < INT_MAX) ++line_no_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::vector<Token> tokens = tokenize(line);
    if (tokens.empty()) continue;
    const Token& last = tokens.back();
    const int end_column = clamp_int(static_cast<std::size_t>(last.column) + last.text.size());
    Cursor c(tokens, end_column);
    if (!parse_line(c)) return error_;
  }
  return script_;
}

bool Parser::need(Cursor& c, std::string_view what_after, std::string_view expected) {
  if (!c.done()) return true;
  return fail(c.end_column(), "expected " + std::string(expected) + " after " +
                                  std::string(what_after) + ", found the end of the line");
}

bool Parser::finish(Cursor& c, std::string_view after) {
  if (c.done()) return true;
  const Token& t = c.peek();
  return fail(t.column, "unexpected " + quote(t.text) + " after " + std::string(after) +
                            "; expected the end of the line");
}

bool Parser::number(const Token& t, std::string_view value, std::uint64_t max,
                    std::string_view what, std::uint64_t& out) {
  switch (parse_decimal(value, max, out)) {
    case NumStatus::Ok: return true;
    case NumStatus::NotNumber:
      return fail(t.column,
                  "expected " + std::string(what) + " (a decimal number), found " + quote(value));
    case NumStatus::TooLarge:
      return fail(t.column, quote(value) + " is too large: " + std::string(what) +
                                " can be at most " + std::to_string(max));
  }
  return false;
}

bool Parser::seq_number(const Token& t, std::string_view value, std::string_view what,
                        Number& out) {
  switch (parse_seq_number(value, out)) {
    case NumStatus::Ok: return true;
    case NumStatus::NotNumber:
      return fail(t.column, "expected " + std::string(what) +
                                " (N relative to an ISS, or =N absolute), found " + quote(value));
    case NumStatus::TooLarge:
      return fail(t.column, quote(value) + " is too large: " + std::string(what) +
                                " can be at most 4294967295");
  }
  return false;
}

bool Parser::add_event(int column, Line line) {
  if (first_event_line_ == 0) first_event_line_ = line_no_;
  script_.lines.push_back(ScriptLine{SourcePos{line_no_, column}, std::move(line)});
  return true;
}

bool Parser::parse_line(Cursor& c) {
  const Token& first = c.peek();
  Actor who = Actor::Self;
  if (first.text == "A" || first.text == "B") {
    if (!script_.two_endpoints) {
      return fail(first.column,
                  "endpoint prefix " + quote(first.text) +
                      " in a single-endpoint script; expected a line without a prefix, or "
                      "'endpoints A B' as the first directive to drive two endpoints");
    }
    who = first.text == "A" ? Actor::A : Actor::B;
    c.take();
    if (!need(c, quote(first.text), "an endpoint line such as 'open passive' or 'state LISTEN'")) {
      return false;
    }
  }
  const Token& kw = c.peek();
  const std::string_view k = kw.text;

  if (k == "endpoints") {
    if (who != Actor::Self) {
      return fail(kw.column, "'endpoints' takes no endpoint prefix; expected 'endpoints A B'");
    }
    return parse_endpoints(c);
  }
  if (k == "profile") return parse_profile(c, who, first);
  if (k == "iss" || k == "peer-iss") return parse_iss(c, who, first);

  if (is_network_keyword(k) || k == "time") {
    if (who != Actor::Self) {
      return fail(first.column, quote(k) + " is not about one endpoint; expected it without the " +
                                    quote(first.text) + " prefix");
    }
    if (k == "time") {
      TimeLine t;
      if (!parse_time(c, kw, t)) return false;
      return add_event(kw.column, t);
    }
    if (!script_.two_endpoints) {
      return fail(kw.column, quote(k) +
                                 " is a network line of two-endpoint scripts; expected "
                                 "'endpoints A B' as the first directive to use it");
    }
    if (k == "faults") {
      c.take();
      FaultsLine f;
      if (!parse_faults(c, f)) return false;
      return add_event(kw.column, f);
    }
    if (k == "run") {
      c.take();
      if (!need(c, "'run'", "a duration in milliseconds")) return false;
      std::uint64_t ms = 0;
      if (!number(c.peek(), c.peek().text, kMaxU64, "the duration of 'run'", ms)) return false;
      c.take();
      if (!finish(c, "'run N'")) return false;
      return add_event(kw.column, RunLine{ms});
    }
    NetworkLine n;
    if (!parse_network(c, kw, n)) return false;
    return add_event(kw.column, n);
  }

  if (is_endpoint_keyword(k)) {
    if (script_.two_endpoints && who == Actor::Self) {
      return fail(kw.column, "expected an endpoint prefix 'A' or 'B' before " + quote(k) +
                                 " in a two-endpoint script, e.g. 'A " + std::string(k) + "'");
    }
    return parse_endpoint_line(c, who, first.column);
  }

  return fail(kw.column,
              "unknown directive " + quote(k) +
                  "; expected an event ('<', '>', 'open', 'send', 'receive', 'close', 'abort', "
                  "'status', 'time', 'timeout', 'state', '=>', 'why', 'tcb'" +
                  (script_.two_endpoints ? ", 'deliver', 'drop', 'duplicate', 'reorder', "
                                           "'faults', 'run'"
                                         : "") +
                  ") or a header directive ('endpoints', 'profile', 'iss', 'peer-iss')");
}

// ---------------------------------------------------------------------------------------------
// Header directives

bool Parser::header_allowed(const Token& t) {
  if (first_event_line_ == 0) return true;
  return fail(t.column, "header directive " + quote(t.text) + " after the first event line (line " +
                            std::to_string(first_event_line_) +
                            "); expected header directives before every event");
}

bool Parser::parse_endpoints(Cursor& c) {
  const Token kw = c.take();
  if (!header_allowed(kw)) return false;
  if (any_header_ || script_.two_endpoints) {
    return fail(kw.column, "'endpoints A B' must be the first directive of the script");
  }
  for (std::string_view name : {std::string_view("A"), std::string_view("B")}) {
    if (!need(c, "'endpoints'", "'A B' (the endpoints are always named A and B)")) return false;
    const Token& t = c.take();
    if (t.text != name) {
      return fail(t.column, "unexpected endpoint name " + quote(t.text) +
                                "; expected 'endpoints A B' (the endpoints are always named A "
                                "and B)");
    }
  }
  if (!finish(c, "'endpoints A B'")) return false;
  script_.two_endpoints = true;
  any_header_ = true;
  return true;
}

bool Parser::parse_profile(Cursor& c, Actor who, const Token& first) {
  const Token kw = c.take();
  if (!header_allowed(kw)) return false;
  int* seen = &profile_line_;
  if (who == Actor::A) seen = &profile_a_line_;
  if (who == Actor::B) seen = &profile_b_line_;
  const std::string directive =
      who == Actor::Self ? "'profile'" : "'" + std::string(first.text) + " profile'";
  if (*seen != 0) {
    return fail(first.column, directive + " given twice (first on line " + std::to_string(*seen) +
                                  "); expected it at most once");
  }
  if (who == Actor::Self && (profile_a_line_ != 0 || profile_b_line_ != 0)) {
    return fail(first.column,
                "'profile' after 'A profile' or 'B profile'; expected 'profile' first, then the "
                "per-endpoint profiles that refine it");
  }
  if (!need(c, directive, "a profile name (rfc9293 or rfc793)")) return false;
  ProfileSpec spec;
  const Token& name = c.take();
  if (name.text.find('=') != std::string_view::npos) {
    return fail(name.column,
                "expected a profile name (rfc9293 or rfc793) before the settings, "
                "found " +
                    quote(name.text));
  }
  spec.name = std::string(name.text);
  if (auto r = make_profile(ProfileSpec{spec.name, {}}); std::holds_alternative<std::string>(r)) {
    return fail(name.column, std::get<std::string>(r));
  }
  while (!c.done()) {
    const Token& t = c.take();
    const std::size_t eq = t.text.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return fail(t.column, "expected a profile setting key=value, found " + quote(t.text));
    }
    std::string key(t.text.substr(0, eq));
    std::string value(t.text.substr(eq + 1));
    for (const auto& [k, v] : spec.settings) {
      if (k == key) return fail(t.column, "profile setting " + quote(key) + " given twice");
    }
    if (auto r = make_profile(ProfileSpec{spec.name, {{key, value}}});
        std::holds_alternative<std::string>(r)) {
      return fail(t.column, std::get<std::string>(r));
    }
    spec.settings.emplace_back(std::move(key), std::move(value));
  }
  *seen = line_no_;
  any_header_ = true;
  if (who == Actor::B) {
    script_.profile_b = std::move(spec);
  } else if (who == Actor::A || !script_.two_endpoints) {
    script_.profile_a = std::move(spec);
  } else {
    script_.profile_a = spec;
    script_.profile_b = std::move(spec);
  }
  return true;
}

bool Parser::parse_iss(Cursor& c, Actor who, const Token& first) {
  const Token kw = c.take();
  if (!header_allowed(kw)) return false;
  const bool peer = kw.text == "peer-iss";
  if (script_.two_endpoints) {
    if (peer) {
      return fail(kw.column,
                  "'peer-iss' is for single-endpoint scripts; expected 'A iss N' or "
                  "'B iss N' in a two-endpoint script");
    }
    if (who == Actor::Self) {
      return fail(kw.column,
                  "'iss' needs an endpoint in a two-endpoint script; expected "
                  "'A iss N' or 'B iss N'");
    }
  }
  const bool is_b = peer || who == Actor::B;
  int& seen = is_b ? iss_b_line_ : iss_a_line_;
  std::string directive = who == Actor::Self ? std::string(kw.text)
                                             : std::string(first.text) + " " + std::string(kw.text);
  directive = "'" + directive + "'";
  if (seen != 0) {
    return fail(first.column, directive + " given twice (first on line " + std::to_string(seen) +
                                  "); expected it at most once");
  }
  if (!need(c, directive, "an initial sequence number")) return false;
  std::uint32_t v = 0;
  if (!u32(c.peek(), "an initial sequence number", v)) return false;
  c.take();
  if (!finish(c, directive + " N")) return false;
  (is_b ? script_.iss_b : script_.iss_a) = v;
  seen = line_no_;
  any_header_ = true;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Endpoint lines

bool Parser::parse_endpoint_line(Cursor& c, Actor who, int column) {
  const Token kw = c.take();
  const std::string_view k = kw.text;
  if (k == "<") {
    InjectLine l{who, {}};
    if (!parse_segment(c, kw, l.seg)) return false;
    return add_event(column, l);
  }
  if (k == ">") {
    ExpectSegmentLine l{who, std::nullopt};
    if (!c.done() && c.peek().text == "none") {
      c.take();
      if (!finish(c, "'> none'")) return false;
      return add_event(column, l);
    }
    SegmentSpec seg;
    if (!parse_segment(c, kw, seg)) return false;
    l.seg = seg;
    return add_event(column, l);
  }
  if (k == "timeout") {
    if (!need(c, "'timeout'",
              "a timer: retransmission, zero-window-probe, user, time-wait or "
              "fin-wait-2")) {
      return false;
    }
    const Token& t = c.take();
    for (int i = 0; i < kTimerKinds; ++i) {
      const auto kind = static_cast<TimerKind>(i);
      if (t.text == to_string(kind)) {
        if (!finish(c, "'timeout KIND'")) return false;
        return add_event(column, TimeoutLine{who, kind});
      }
    }
    return fail(t.column, "unknown timer " + quote(t.text) +
                              "; expected retransmission, zero-window-probe, user, time-wait or "
                              "fin-wait-2");
  }
  if (k == "state") {
    if (!need(c, "'state'", "a state name such as LISTEN or SYN-RECEIVED")) return false;
    const Token& t = c.take();
    const auto st = parse_state(t.text);
    if (!st) {
      std::string names;
      for (State s : kAllStates) names += (names.empty() ? "" : ", ") + std::string(to_string(s));
      return fail(t.column, "unknown state " + quote(t.text) + "; expected one of " + names);
    }
    if (!finish(c, "'state NAME'")) return false;
    return add_event(column, ExpectStateLine{who, *st});
  }
  if (k == "=>") {
    ExpectNoticeLine l{who, {}};
    if (!parse_notice(c, kw, l.notice)) return false;
    return add_event(column, l);
  }
  if (k == "why") {
    if (!need(c, "'why'", "a rule name such as ListenSynOpens")) return false;
    const Token& t = c.take();
    for (int i = 0; i <= 255; ++i) {
      const auto r = static_cast<Rule>(i);
      const std::string_view name = describe(r).name;
      if (name == "?" || name != t.text) continue;
      if (!finish(c, "'why RULE'")) return false;
      return add_event(column, ExpectRuleLine{who, r});
    }
    return fail(t.column, "unknown rule " + quote(t.text) +
                              "; expected a rule name as 'tcpfsm rules' lists them, e.g. "
                              "ListenSynOpens or FinReceived");
  }
  if (k == "tcb") {
    ExpectTcbLine l{who, {}};
    if (!parse_tcb(c, kw, l)) return false;
    return add_event(column, l);
  }
  CallLine l{who, {}};
  if (!parse_call(c, kw, l.call)) return false;
  return add_event(column, l);
}

bool Parser::parse_segment(Cursor& c, const Token& arrow, SegmentSpec& out) {
  const std::string after = quote(arrow.text);
  if (!need(c, after, "flags such as 'S', 'S.', '.', 'F.' or 'R'")) return false;
  const Token& flags = c.take();
  if (!parse_flags(flags, out.ctl)) return false;
  if (!need(c, "the flags", "a sequence number such as '0:0(0)', '1(100)' or '=5000'")) {
    return false;
  }
  if (!parse_seqspec(c.take(), out)) return false;
  while (!c.done()) {
    const Token& key = c.take();
    const std::string_view k = key.text;
    if (k != "ack" && k != "win" && k != "urg") {
      return fail(key.column,
                  "unknown segment field " + quote(k) + "; expected 'ack N', 'win N' or 'urg N'");
    }
    const bool given = (k == "ack" && out.ack) || (k == "win" && out.wnd) || (k == "urg" && out.up);
    if (given) return fail(key.column, quote(k) + " given twice; expected it at most once");
    if (k == "ack" && (out.ctl & kAck) == 0) {
      return fail(key.column,
                  "'ack' on a segment without the ACK flag; expected '.' at the end "
                  "of the flags (e.g. 'S.') or no 'ack'");
    }
    if (k == "urg" && (out.ctl & kUrg) == 0) {
      return fail(key.column,
                  "'urg' on a segment without the URG flag; expected 'U' in the "
                  "flags (e.g. 'U.') or no 'urg'");
    }
    if (!need(c, quote(k), "a number")) return false;
    const Token& v = c.take();
    if (k == "ack") {
      Number n;
      if (!seq_number(v, v.text, "an acknowledgment number", n)) return false;
      out.ack = n;
    } else if (k == "win") {
      std::uint32_t w = 0;
      if (!u32(v, "a window", w)) return false;
      out.wnd = w;
    } else {
      std::uint64_t u = 0;
      if (!number(v, v.text, kMaxU16, "an urgent pointer", u)) return false;
      out.up = static_cast<std::uint16_t>(u);
    }
  }
  return true;
}

bool Parser::parse_flags(const Token& t, std::uint8_t& ctl) {
  const std::string_view s = t.text;
  if (s == "-") {  // no control bit at all (not in packetdrill; see docs/script-format.md)
    ctl = 0;
    return true;
  }
  std::uint8_t bits = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char ch = s[i];
    std::uint8_t bit = 0;
    switch (ch) {
      case 'S': bit = kSyn; break;
      case 'F': bit = kFin; break;
      case 'R': bit = kRst; break;
      case 'P': bit = kPsh; break;
      case 'U': bit = kUrg; break;
      case '.': bit = kAck; break;
      default:
        return fail(t.column, "unknown flag " + quote(s.substr(i, 1)) + " in " + quote(s) +
                                  "; expected letters from S F R P U, then an optional '.'");
    }
    if (ch == '.' && i + 1 != s.size()) {
      return fail(t.column, "'.' (ACK) before other flags in " + quote(s) +
                                "; expected letters from S F R P U, then an optional '.'");
    }
    if ((bits & bit) != 0) {
      return fail(t.column, "flag " + quote(s.substr(i, 1)) + " repeated in " + quote(s) +
                                "; expected each flag at most once");
    }
    bits = static_cast<std::uint8_t>(bits | bit);
  }
  ctl = bits;
  return true;
}

bool Parser::parse_seqspec(const Token& t, SegmentSpec& out) {
  const std::string_view s = t.text;
  const std::string forms = "; expected START:END(LEN), START(LEN) or START";
  std::string_view head = s;
  std::string_view len_text;
  bool has_len = false;
  if (const std::size_t open = s.find('('); open != std::string_view::npos) {
    if (s.back() != ')' || s.size() - open < 2) {
      return fail(t.column, "missing ')' at the end of " + quote(s) + forms);
    }
    head = s.substr(0, open);
    len_text = s.substr(open + 1, s.size() - open - 2);
    has_len = true;
  } else if (s.find(')') != std::string_view::npos) {
    return fail(t.column, "')' without '(' in " + quote(s) + forms);
  }
  std::string_view start_text = head;
  std::string_view end_text;
  bool has_end = false;
  if (const std::size_t colon = head.find(':'); colon != std::string_view::npos) {
    start_text = head.substr(0, colon);
    end_text = head.substr(colon + 1);
    has_end = true;
  }
  Number start;
  if (!seq_number(t, start_text, "a sequence number", start)) return false;
  std::uint32_t len = 0;
  if (has_len) {
    std::uint64_t v = 0;
    if (!number(t, len_text, kMaxU32, "a segment length", v)) return false;
    len = static_cast<std::uint32_t>(v);
  }
  if (has_end) {
    if (!has_len) {
      return fail(t.column, "missing '(LEN)' after " + quote(s) + forms);
    }
    Number end;
    if (!seq_number(t, end_text, "the end sequence number", end)) return false;
    if (end.absolute != start.absolute) {
      return fail(t.column, "the end of " + quote(s) + " is " +
                                (end.absolute ? "absolute" : "relative") + " but its start is " +
                                (start.absolute ? "absolute" : "relative") +
                                "; expected both written the same way");
    }
    const Number want{start.absolute, start.value + len};  // modulo 2^32
    if (end.value != want.value) {
      return fail(t.column, "the end of " + quote(s) + " should be START+LEN = " +
                                number_text(want) + ", found " + number_text(end));
    }
  }
  out.seq = start;
  out.len = len;
  return true;
}

bool Parser::parse_call(Cursor& c, const Token& kw, Event& out) {
  const std::string_view k = kw.text;
  if (k == "open") {
    if (!need(c, "'open'", "'passive' or 'active'")) return false;
    const Token& mode = c.take();
    if (mode.text != "passive" && mode.text != "active") {
      return fail(mode.column,
                  "unknown open mode " + quote(mode.text) + "; expected 'passive' or 'active'");
    }
    OpenCall o{mode.text == "passive", true};
    if (!c.done() && c.peek().text == "unspecified") {
      c.take();
      o.remote_specified = false;
    }
    if (!finish(c, "'open " + std::string(mode.text) + "'")) return false;
    out = o;
    return true;
  }
  if (k == "send") {
    if (!need(c, "'send'", "a number of octets")) return false;
    SendCall s;
    if (!u32(c.peek(), "the length of 'send'", s.len)) return false;
    c.take();
    if (!c.done() && c.peek().text == "urgent") {
      c.take();
      s.urgent = true;
    }
    if (!finish(c, "'send N'")) return false;
    out = s;
    return true;
  }
  if (k == "receive") {
    ReceiveCall r;
    if (!c.done()) {
      if (!u32(c.peek(), "the length of 'receive'", r.max_len)) return false;
      c.take();
    }
    if (!finish(c, "'receive'")) return false;
    out = r;
    return true;
  }
  if (!finish(c, quote(k))) return false;
  if (k == "close") {
    out = CloseCall{};
  } else if (k == "abort") {
    out = AbortCall{};
  } else {
    out = StatusCall{};
  }
  return true;
}

bool Parser::parse_notice(Cursor& c, const Token& arrow, Notice& out) {
  const std::string expected =
      "a notice: ok, queued, delivered N, status STATE, urgent or error: MESSAGE";
  if (!need(c, quote(arrow.text), expected)) return false;
  const Token& t = c.take();
  const std::string_view k = t.text;
  if (k == "ok" || k == "queued") {
    if (!finish(c, "'=> " + std::string(k) + "'")) return false;
    out = k == "ok" ? Notice::ok() : Notice::queued();
    return true;
  }
  if (k == "urgent") {
    if (!c.done() && c.peek().text == "data") c.take();  // to_string(Notice) says "urgent data"
    if (!finish(c, "'=> urgent'")) return false;
    out = Notice::urgent();
    return true;
  }
  if (k == "delivered") {
    if (!need(c, "'delivered'", "a number of octets")) return false;
    std::uint32_t n = 0;
    if (!u32(c.peek(), "the length of 'delivered'", n)) return false;
    c.take();
    if (!finish(c, "'=> delivered N'")) return false;
    out = Notice::delivered(n);
    return true;
  }
  if (k == "status") {
    if (!need(c, "'status'", "a state name such as ESTABLISHED")) return false;
    const Token& s = c.take();
    const auto st = parse_state(s.text);
    if (!st) {
      return fail(s.column, "unknown state " + quote(s.text) +
                                "; expected a state name such as ESTABLISHED or SYN-RECEIVED");
    }
    if (!finish(c, "'=> status STATE'")) return false;
    out = Notice::status(*st);
    return true;
  }
  if (k == "error:" || k == "error") {
    std::string text(k);
    while (!c.done()) text += " " + std::string(c.take().text);
    std::string known;
    for (int i = 1; i <= 255; ++i) {
      const auto e = static_cast<UserError>(i);
      const std::string_view m = message(e);
      if (m == "error: ?" || m == "ok") continue;
      if (text == m) {
        out = Notice::err(e);
        return true;
      }
      known += (known.empty() ? "'" : ", '") + std::string(m) + "'";
    }
    return fail(t.column, "unknown error " + quote(text) + "; expected one of " + known);
  }
  return fail(t.column, "unknown notice " + quote(k) + "; expected " + expected);
}

bool Parser::parse_tcb(Cursor& c, const Token& kw, ExpectTcbLine& out) {
  if (!need(c, quote(kw.text), "VAR=N such as 'snd.una=1'")) return false;
  while (!c.done()) {
    const Token& t = c.take();
    const std::size_t eq = t.text.find('=');
    const std::string_view name = t.text.substr(0, eq);
    const TcbVarName* found = nullptr;
    for (const auto& v : kTcbVars) {
      if (v.name == name) found = &v;
    }
    if (found == nullptr) {
      std::string names;
      for (const auto& v : kTcbVars) names += (names.empty() ? "" : ", ") + std::string(v.name);
      return fail(t.column, "unknown TCB variable " + quote(name) +
                                "; expected VAR=N with VAR one of " + names);
    }
    if (eq == std::string_view::npos) {
      return fail(t.column,
                  "expected " + quote(std::string(name) + "=N") + ", found " + quote(t.text));
    }
    for (const auto& [var, value] : out.values) {
      if (var == found->var) {
        return fail(t.column, "TCB variable " + quote(name) + " given twice");
      }
    }
    Number n;
    if (!seq_number(t, t.text.substr(eq + 1), "the value of " + std::string(name), n)) {
      return false;
    }
    out.values.emplace_back(found->var, n);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Time and network lines

bool Parser::parse_time(Cursor& c, const Token& kw, TimeLine& out) {
  c.take();
  if (!need(c, quote(kw.text),
            "'+N' (milliseconds from now) or 'N' (milliseconds since the start)")) {
    return false;
  }
  const Token& t = c.take();
  std::string_view v = t.text;
  out.relative = !v.empty() && v.front() == '+';
  if (out.relative) v.remove_prefix(1);
  if (!number(t, v, kMaxU64, "the time in milliseconds", out.value)) return false;
  return finish(c, "'time'");
}

bool Parser::parse_direction(Cursor& c, const Token& kw, Actor& from, bool allow_all, bool& all) {
  const std::string expected =
      allow_all ? "a direction 'A->B' or 'B->A', or 'all'" : "a direction 'A->B' or 'B->A'";
  if (!need(c, quote(kw.text), expected)) return false;
  const Token& t = c.take();
  all = false;
  if (allow_all && t.text == "all") {
    all = true;
  } else if (t.text == "A->B") {
    from = Actor::A;
  } else if (t.text == "B->A") {
    from = Actor::B;
  } else {
    return fail(t.column, "unknown direction " + quote(t.text) + "; expected " + expected);
  }
  return true;
}

bool Parser::parse_network(Cursor& c, const Token& kw, NetworkLine& out) {
  c.take();
  const std::string_view k = kw.text;
  out.op = k == "deliver"     ? NetOp::Deliver
           : k == "drop"      ? NetOp::Drop
           : k == "duplicate" ? NetOp::Duplicate
                              : NetOp::Reorder;
  bool all = false;
  if (!parse_direction(c, kw, out.from, out.op == NetOp::Deliver, all)) return false;
  if (all) {
    out.op = NetOp::DeliverAll;
    out.from = Actor::A;
    return finish(c, "'deliver all'");
  }
  out.index = 1;
  if (out.op != NetOp::Reorder && !c.done()) {
    const Token& t = c.take();
    if (!u32(t, "the index of an in-flight segment", out.index)) return false;
    if (out.index == 0) {
      return fail(t.column,
                  "segment index 0; expected 1 or more (in-flight segments count from 1)");
    }
  }
  return finish(c, quote(std::string(k) + (out.from == Actor::A ? " A->B" : " B->A")));
}

bool Parser::parse_faults(Cursor& c, FaultsLine& out) {
  std::array<int, 5> seen{};  // seed, loss, dup, reorder, delay
  constexpr std::array<std::string_view, 5> kKeys = {"seed", "loss", "dup", "reorder", "delay"};
  while (!c.done()) {
    const Token& t = c.take();
    const std::size_t eq = t.text.find('=');
    const std::string_view key = t.text.substr(0, eq);
    std::size_t which = kKeys.size();
    for (std::size_t i = 0; i < kKeys.size(); ++i) {
      if (kKeys[i] == key) which = i;
    }
    if (which == kKeys.size() || eq == std::string_view::npos) {
      return fail(t.column, "unknown fault setting " + quote(t.text) +
                                "; expected seed=N, loss=P, dup=P, reorder=P or delay=MIN-MAX");
    }
    if (seen[which]++ != 0) {
      return fail(t.column, "fault setting " + quote(key) + " given twice");
    }
    const std::string_view value = t.text.substr(eq + 1);
    std::uint64_t v = 0;
    switch (which) {
      case 0:
        if (!number(t, value, kMaxU64, "the seed", out.seed)) return false;
        break;
      case 1:
      case 2:
      case 3: {
        const std::string what = "the " + std::string(key) + " percentage";
        if (!number(t, value, 100, what, v)) return false;
        (which == 1   ? out.loss_pct
         : which == 2 ? out.dup_pct
                      : out.reorder_pct) = static_cast<std::uint32_t>(v);
        break;
      }
      default: {
        const std::size_t dash = value.find('-');
        if (dash == std::string_view::npos) {
          return fail(t.column,
                      "expected delay=MIN-MAX in milliseconds (e.g. delay=10-200), "
                      "found " +
                          quote(t.text));
        }
        if (!number(t, value.substr(0, dash), kMaxU64, "the minimum delay", out.delay_min) ||
            !number(t, value.substr(dash + 1), kMaxU64, "the maximum delay", out.delay_max)) {
          return false;
        }
        if (out.delay_min > out.delay_max) {
          return fail(t.column, "minimum delay above the maximum in " + quote(t.text) +
                                    "; expected delay=MIN-MAX with MIN <= MAX");
        }
      }
    }
  }
  return true;
}

}  // namespace

std::variant<Script, ParseError> parse_script(std::string_view text, std::string_view file) {
  return Parser(file).run(text);
}

}  // namespace tcpfsm::harness
