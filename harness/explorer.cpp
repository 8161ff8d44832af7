// The breadth-first explorer of bounded worlds (explorer.hpp, docs/explorer.md).
//
// A world state is two endpoints (the implementation, and the oracle next to it), the segments
// in flight in each direction, the budgets left, and a shadow of the history the invariant
// monitor keeps. Its canonical key is a short byte string: interned ids of each endpoint's
// encode_state(), of each side's shadow history, and of each segment in flight (sorted, so the
// network is a multiset), plus the budgets. Full worlds live only in the BFS frontier; every
// state ever seen is kept as its key, its BFS parent and the action that reached it, and the
// CLOSE/delivery/timer edges the liveness check walks backwards at the end.
#include "harness/explorer.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "core/transitions.hpp"
#include "harness/invariants.hpp"
#include "harness/observer.hpp"
#include "harness/script_runner.hpp"

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

std::string_view to_string(Counterexample::Kind k) {
  switch (k) {
    case Counterexample::Kind::Invariant: return "invariant";
    case Counterexample::Kind::Disagreement: return "disagreement";
    case Counterexample::Kind::Liveness: return "liveness";
  }
  return "?";
}

namespace {

// ------------------------------------------------------------------------------------------------
// Configuration files
// ------------------------------------------------------------------------------------------------

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

namespace {

// ------------------------------------------------------------------------------------------------
// Byte strings for keys
// ------------------------------------------------------------------------------------------------

void put_num(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

std::uint64_t hash_bytes(std::string_view s) {
  std::uint64_t h = 0x9E37'79B9'7F4A'7C15ull ^ (s.size() * 0xFF51'AFD7'ED55'8CCDull);
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t k;
    std::memcpy(&k, s.data() + i, 8);
    k *= 0x87C3'7B91'1142'53D5ull;
    k = (k << 31) | (k >> 33);
    h = ((h ^ k) * 0x4CF5'AD43'2745'937Full) + 0x52DC'E729ull;
  }
  std::uint64_t tail = 0;
  if (i < s.size()) std::memcpy(&tail, s.data() + i, s.size() - i);
  h ^= tail * 0x94D0'49BB'1331'11EBull;
  h ^= h >> 33;
  h *= 0xFF51'AFD7'ED55'8CCDull;
  h ^= h >> 33;
  h *= 0xC4CE'B9FE'1A85'EC53ull;
  h ^= h >> 33;
  return h;
}

// Interns byte strings: equal strings get equal small ids. Strings live in one arena; an
// open-addressing table of ids finds them by hash.
class Interner {
 public:
  Interner() : table_(1u << 10, kEmpty) { starts_.push_back(0); }

  std::uint32_t id(std::string_view s) {
    if ((hashes_.size() + 1) * 2 > table_.size()) grow();
    const std::uint64_t h = hash_bytes(s);
    std::size_t slot = h & (table_.size() - 1);
    while (table_[slot] != kEmpty) {
      const std::uint32_t id = table_[slot];
      if (hashes_[id] == h && text(id) == s) return id;
      slot = (slot + 1) & (table_.size() - 1);
    }
    const auto id = static_cast<std::uint32_t>(hashes_.size());
    arena_.append(s);
    starts_.push_back(arena_.size());
    hashes_.push_back(h);
    table_[slot] = id;
    return id;
  }
  std::size_t size() const { return hashes_.size(); }
  std::uint64_t bytes() const {
    return arena_.capacity() + starts_.capacity() * sizeof(std::uint64_t) +
           hashes_.capacity() * sizeof(std::uint64_t) + table_.capacity() * sizeof(std::uint32_t);
  }

 private:
  static constexpr std::uint32_t kEmpty = 0xFFFF'FFFFu;

  std::string_view text(std::uint32_t id) const {
    return std::string_view(arena_).substr(starts_[id], starts_[id + 1] - starts_[id]);
  }
  void grow() {
    std::vector<std::uint32_t> bigger(table_.size() * 2, kEmpty);
    for (std::uint32_t id = 0; id < hashes_.size(); ++id) {
      std::size_t slot = hashes_[id] & (bigger.size() - 1);
      while (bigger[slot] != kEmpty) slot = (slot + 1) & (bigger.size() - 1);
      bigger[slot] = id;
    }
    table_ = std::move(bigger);
  }

  std::string arena_;
  std::vector<std::uint64_t> starts_;
  std::vector<std::uint64_t> hashes_;
  std::vector<std::uint32_t> table_;
};

// The set of visited states: keys in an arena of 16 MiB chunks (each key prefixed by its length),
// an open-addressing table of state ids, and the key's place per id.
class StateStore {
 public:
  StateStore() : table_(1u << 10, kEmpty) {}

  // The id of `key`, and whether it was new.
  std::pair<std::uint32_t, bool> insert(std::string_view key) {
    if ((places_.size() + 1) * 2 > table_.size()) grow();
    const std::uint64_t h = hash_bytes(key);
    std::size_t slot = h & (table_.size() - 1);
    while (table_[slot] != kEmpty) {
      if (key_of(table_[slot]) == key) return {table_[slot], false};
      slot = (slot + 1) & (table_.size() - 1);
    }
    const auto id = static_cast<std::uint32_t>(places_.size());
    places_.push_back(append(key));
    table_[slot] = id;
    key_bytes_ += key.size();
    return {id, true};
  }
  std::size_t size() const { return places_.size(); }
  std::uint64_t key_bytes() const { return key_bytes_; }
  std::uint64_t bytes() const {
    return allocated_ + table_.size() * sizeof(std::uint32_t) +
           places_.capacity() * sizeof(std::uint64_t);
  }

 private:
  static constexpr std::uint32_t kEmpty = 0xFFFF'FFFFu;
  static constexpr std::size_t kChunk = 16u << 20;
  static constexpr std::size_t kFirstChunk = 64u << 10;

  std::string_view key_of(std::uint32_t id) const {
    const std::uint64_t place = places_[id];
    const char* p = chunks_[place >> 32].get() + (place & 0xFFFF'FFFFu);
    std::uint64_t len = 0;
    int shift = 0;
    for (;;) {
      const auto b = static_cast<unsigned char>(*p++);
      len |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      if (b < 0x80) break;
      shift += 7;
    }
    return {p, len};
  }
  std::uint64_t append(std::string_view key) {
    std::string head;
    put_num(head, key.size());
    const std::size_t need = head.size() + key.size();
    if (chunks_.empty() || used_ + need > chunk_size_) {
      // Chunks grow from 64 KiB to 16 MiB, so that small runs stay small.
      chunk_size_ = chunks_.empty() ? kFirstChunk : std::min(kChunk, chunk_size_ * 2);
      chunk_size_ = std::max(chunk_size_, need);
      chunks_.push_back(std::make_unique<char[]>(chunk_size_));
      allocated_ += chunk_size_;
      used_ = 0;
    }
    char* at = chunks_.back().get() + used_;
    std::memcpy(at, head.data(), head.size());
    std::memcpy(at + head.size(), key.data(), key.size());
    const std::uint64_t place = ((chunks_.size() - 1) << 32) | used_;
    used_ += need;
    return place;
  }
  void grow() {
    std::vector<std::uint32_t> bigger(table_.size() * 2, kEmpty);
    for (std::uint32_t id = 0; id < places_.size(); ++id) {
      std::size_t slot = hash_bytes(key_of(id)) & (bigger.size() - 1);
      while (bigger[slot] != kEmpty) slot = (slot + 1) & (bigger.size() - 1);
      bigger[slot] = id;
    }
    table_ = std::move(bigger);
  }

  std::vector<std::unique_ptr<char[]>> chunks_;
  std::size_t used_ = 0;
  std::size_t chunk_size_ = 0;
  std::uint64_t allocated_ = 0;
  std::vector<std::uint64_t> places_;
  std::vector<std::uint32_t> table_;
  std::uint64_t key_bytes_ = 0;
};

// ------------------------------------------------------------------------------------------------
// The shadow of the invariant monitor's history
//
// InvariantMonitor (invariants.cpp) keeps, per endpoint and incarnation, what its history checks
// read. Two worlds whose endpoints and network agree but whose histories differ can answer
// differently later, so the key must hold that history. The monitor's is private; this shadow
// follows the same rules on the same steps and keeps the same fields, and encodes them the way the
// checks use them: step numbers only as their order, times relative to the clock and cut off
// where no check can tell the difference any more. Keep it in step with invariants.cpp.
// ------------------------------------------------------------------------------------------------

bool in_set(State s, std::initializer_list<State> set) {
  return std::find(set.begin(), set.end(), s) != set.end();
}
bool no_connection(State s) {
  return s == State::Closed || s == State::Listen;
}
std::uint32_t bit(State s) {
  return 1u << static_cast<unsigned>(s);
}
bool has_error(const Outcome& o, UserError e) {
  return std::any_of(o.notices.begin(), o.notices.end(),
                     [e](const Notice& n) { return n.kind == NoticeKind::Error && n.error == e; });
}

std::uint32_t passed_through(State from, State to) {
  using enum State;
  if ((from == SynSent || from == SynReceived) && to == CloseWait) return bit(Established);
  if (from == SynReceived && to == FinWait1) return bit(Established);
  if (from == SynReceived && to == Closing) return bit(Established) | bit(FinWait1);
  if (from == FinWait1 && to == TimeWait) return bit(FinWait2);
  return 0;
}

struct ShadowIncarnation {
  std::uint32_t visited = 0;
  std::optional<State> origin;
  bool reopened = false;
  std::optional<SeqNum> iss, irs, fin_seq;
  bool syn_carried_data = false;
  std::uint64_t sent = 0, sent_at_close = 0, delivered = 0, flushed = 0;
  bool close_called = false;
  std::size_t close_step = 0;
  bool fin_arrived = false;
  std::size_t fin_step = 0;
  bool time_wait_by_abort = false;
  Millis time_wait_start = 0;
  std::optional<Millis> time_wait_deadline;
  bool roles_checked = false;
};

struct ShadowSide {
  State state = State::Closed;
  ShadowIncarnation cur;
  std::optional<ShadowIncarnation> suspended;
  std::vector<ShadowIncarnation> past;  // oldest first, at most 32 as in the monitor

  void archive(const ShadowIncarnation& inc) {
    past.push_back(inc);
    if (past.size() > 32) past.erase(past.begin());
  }
  bool close_done() const {
    return cur.close_called && cur.fin_arrived && in_set(state, {State::TimeWait, State::Closed});
  }
};

struct Shadow {
  std::array<ShadowSide, 2> sides;
  bool loss = false, rst = false, abort = false, ending_timeout = false;
  int half_open_side = 0;  // 0: none, 1: A, 2: B (the monitor's numbering)
  bool network_run = false;
  std::array<std::size_t, 2> in_flight{};  // towards A, towards B

  void step(const StepRecord& s, const WorldView& w, const EndpointUnderTest* self_ep);
  void fault(FaultKind kind, Actor from);
  void update_network();
};

bool fin_arrived_in(const StepRecord& s, const TcbSnapshot* before, const TcbSnapshot* after,
                    bool continuing, bool fallback) {
  if (std::get_if<SegmentArrives>(&s.event) == nullptr || fallback) return false;
  const State from = s.outcome.from;
  const State to = s.outcome.to;
  if (after != nullptr && after->fin_received && !no_connection(to) &&
      !(continuing && before->fin_received)) {
    return true;
  }
  if (in_set(to, {State::CloseWait, State::Closing, State::TimeWait}) &&
      in_set(from, {State::SynSent, State::SynReceived, State::Established, State::FinWait1,
                    State::FinWait2})) {
    return true;
  }
  return has_error(s.outcome, UserError::ConnectionClosing);
}

void Shadow::step(const StepRecord& s, const WorldView& w, const EndpointUnderTest* self_ep) {
  const int self = s.who == Actor::B ? 1 : 0;
  ShadowSide& h = sides[static_cast<std::size_t>(self)];
  ShadowSide& peer = sides[static_cast<std::size_t>(1 - self)];
  const TcbSnapshot* before = s.tcb_before ? &*s.tcb_before : nullptr;
  const TcbSnapshot* after = s.tcb_after ? &*s.tcb_after : nullptr;
  const Segment* seg = nullptr;
  if (const auto* arrival = std::get_if<SegmentArrives>(&s.event)) seg = &arrival->seg;
  const State from = s.outcome.from;
  const State to = s.outcome.to;
  const Millis now = std::max(s.now, w.now);

  // Incarnations: a new one on leaving CLOSED or LISTEN for a connection or on a reopen from
  // TIME-WAIT (which suspends the old one); the suspended one comes back on a fallback.
  const bool fallback = from == State::SynReceived && to == State::TimeWait && seg != nullptr &&
                        h.suspended.has_value();
  bool fresh = false;
  if (fallback) {
    h.cur = *h.suspended;
    h.suspended.reset();
  } else if ((no_connection(from) && !no_connection(to)) ||
             (from == State::TimeWait && to == State::SynReceived)) {
    fresh = true;
    if (from == State::TimeWait) {
      h.suspended = h.cur;
    } else {
      if (h.suspended) h.archive(*h.suspended);
      h.suspended.reset();
      h.archive(h.cur);
    }
    h.cur = ShadowIncarnation{};
    h.cur.reopened = from == State::TimeWait;
  } else if (h.suspended && from == State::SynReceived && to != State::SynReceived) {
    h.archive(*h.suspended);
    h.suspended.reset();
  }
  const bool continuing = before != nullptr && after != nullptr && !no_connection(from) &&
                          !no_connection(to) && !fresh && !fallback;
  ShadowIncarnation& cur = h.cur;

  cur.visited |= bit(to);
  if (!fresh) cur.visited |= bit(from);
  if (seg != nullptr) cur.visited |= passed_through(from, to);
  if (to == State::SynReceived && from != State::SynReceived && !fallback) cur.origin = from;

  for (const Segment& out : s.outcome.sent) {
    if (out.rst()) continue;
    if (out.syn() && !cur.iss) cur.iss = out.seq;
    if (out.syn() && out.len > 0) cur.syn_carried_data = true;
    if (out.fin() && !cur.fin_seq) cur.fin_seq = out.seq + (out.syn() ? 1u : 0u) + out.len;
  }
  const bool ok = !s.outcome.notices.empty() && s.outcome.notices.front().kind == NoticeKind::Ok;
  if (const auto* send = std::get_if<SendCall>(&s.event); send && ok) cur.sent += send->len;
  for (const Notice& n : s.outcome.notices) {
    if (n.kind == NoticeKind::Delivered) cur.delivered += n.length;
  }
  if (std::get_if<CloseCall>(&s.event) != nullptr && !cur.close_called &&
      in_set(from, {State::SynReceived, State::Established, State::CloseWait}) &&
      (ok || from != to)) {
    cur.close_called = true;
    cur.close_step = s.index;
    cur.sent_at_close = cur.sent;
  }
  if (after != nullptr && after->irs_defined && !no_connection(to)) {
    cur.irs = after->irs;
  } else if (!cur.irs && seg != nullptr && seg->syn() && !seg->rst() &&
             (fresh || from == State::SynSent) &&
             (to == State::SynReceived || is_synchronized(to))) {
    cur.irs = seg->seq;
  }
  if (fin_arrived_in(s, before, after, continuing, fallback) && !cur.fin_arrived) {
    cur.fin_arrived = true;
    cur.fin_step = s.index;
  }
  // TIME-WAIT (re)starts, as the monitor notes them for E9.
  if (to == State::TimeWait) {
    std::optional<Millis> deadline;
    if (self_ep != nullptr) {
      if (auto t = self_ep->next_timer(); t && t->first == TimerKind::TimeWait)
        deadline = t->second;
    }
    const bool entered = from != State::TimeWait;
    bool restarted = !entered && (s.outcome.rule == Rule::TimeWaitAcksRetransmittedFin ||
                                  s.outcome.rule == Rule::TimeWaitFinRestartsTimer);
    if (!entered && !restarted && deadline && cur.time_wait_deadline &&
        *deadline != *cur.time_wait_deadline) {
      restarted = true;
    }
    if (entered || restarted) {
      cur.time_wait_start = now;
      cur.time_wait_deadline = deadline;
    }
    if (entered && std::get_if<AbortCall>(&s.event) != nullptr) cur.time_wait_by_abort = true;
  }
  if (std::get_if<AbortCall>(&s.event) != nullptr && continuing && to == State::TimeWait) {
    const std::uint64_t was = before->recv_unread + before->delivered_total;
    const std::uint64_t is = after->recv_unread + after->delivered_total;
    if (was > is) cur.flushed += was - is;
  }
  h.state = to;

  // The run's flags.
  const Outcome& o = s.outcome;
  for (const Segment& out : o.sent) {
    if (out.rst()) rst = true;
  }
  if (seg != nullptr && seg->rst()) rst = true;
  if (std::get_if<AbortCall>(&s.event) != nullptr && o.from != State::Closed) abort = true;
  if (o.rule == Rule::UserTimeoutCloses || o.rule == Rule::RetransmissionLimitCloses ||
      o.rule == Rule::RetransmissionLimitReturnsToListen || o.rule == Rule::FinWait2Expires ||
      has_error(o, UserError::UserTimeout) || has_error(o, UserError::RetransmissionTimeout)) {
    ending_timeout = true;
  }
  if (const auto* t = std::get_if<TimerExpires>(&s.event);
      t && o.from != o.to && t->timer != TimerKind::TimeWait) {
    ending_timeout = true;
  }
  if (h.close_done() && peer.close_done()) {
    h.cur.roles_checked = true;
    peer.cur.roles_checked = true;
  }
  network_run = true;
  in_flight = {w.in_flight_to_a, w.in_flight_to_b};
  update_network();
}

void Shadow::fault(FaultKind kind, Actor from) {
  std::size_t& towards_peer = in_flight[from == Actor::A ? 1 : 0];
  switch (kind) {
    case FaultKind::Loss:
      loss = true;
      if (towards_peer > 0) --towards_peer;
      break;
    case FaultKind::Duplication: ++towards_peer; break;
    case FaultKind::Reordering:
    case FaultKind::Delay: break;
  }
  update_network();
}

void Shadow::update_network() {
  if (!network_run) return;
  const bool idle = in_flight[0] == 0 && in_flight[1] == 0;
  const State sa = sides[0].state;
  const State sb = sides[1].state;
  if (half_open_side != 0) {
    const State sx = sides[static_cast<std::size_t>(half_open_side - 1)].state;
    const State sy = sides[static_cast<std::size_t>(half_open_side == 1 ? 1 : 0)].state;
    if (!is_synchronized(sx) || is_synchronized(sy)) half_open_side = 0;
  }
  if (!idle) return;
  if (no_connection(sa) && no_connection(sb)) {
    loss = rst = abort = ending_timeout = false;
    half_open_side = 0;
    return;
  }
  if (half_open_side == 0) {
    if (is_synchronized(sa) && no_connection(sb)) half_open_side = 1;
    if (is_synchronized(sb) && no_connection(sa)) half_open_side = 2;
  }
}

// One incarnation as the checks read it: step numbers only as the order of CLOSE and the peer's
// FIN; TIME-WAIT's start as its age, cut off at 2*MSL (E9 cannot fail once that much time has
// passed), and its deadline relative to the clock (due counts as now).
void encode_incarnation(std::string& out, const ShadowIncarnation& inc, Millis now,
                        Millis two_msl) {
  put_num(out, inc.visited);
  put_num(out, inc.origin ? 1 + static_cast<unsigned>(*inc.origin) : 0);
  const bool order = inc.close_called && inc.fin_arrived && inc.close_step < inc.fin_step;
  const bool flags[] = {inc.reopened,
                        inc.syn_carried_data,
                        inc.close_called,
                        inc.fin_arrived,
                        order,
                        inc.time_wait_by_abort,
                        inc.roles_checked,
                        inc.iss.has_value(),
                        inc.irs.has_value(),
                        inc.fin_seq.has_value(),
                        inc.time_wait_deadline.has_value()};
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < std::size(flags); ++i) bits |= std::uint64_t{flags[i]} << i;
  put_num(out, bits);
  if (inc.iss) put_num(out, inc.iss->raw());
  if (inc.irs) put_num(out, inc.irs->raw());
  if (inc.fin_seq) put_num(out, inc.fin_seq->since(inc.iss.value_or(SeqNum(0))));
  put_num(out, inc.sent);
  put_num(out, inc.sent_at_close);
  put_num(out, inc.delivered);
  put_num(out, inc.flushed);
  if ((inc.visited & bit(State::TimeWait)) != 0) {
    put_num(out, std::min<Millis>(now - std::min(now, inc.time_wait_start), two_msl));
    if (inc.time_wait_deadline) {
      const Millis d = *inc.time_wait_deadline;
      put_num(out, d <= now ? 0 : d - now);
    }
  }
}

void encode_shadow_side(std::string& out, const ShadowSide& h, Millis now, Millis two_msl) {
  put_num(out, static_cast<unsigned>(h.state));
  encode_incarnation(out, h.cur, now, two_msl);
  put_num(out, h.suspended ? 1 : 0);
  if (h.suspended) encode_incarnation(out, *h.suspended, now, two_msl);
  // Past incarnations are only ever looked up by ISS (the peer's IRS), newest first, and only
  // for what their user sent and whether it closed.
  std::vector<SeqNum> seen;
  if (h.cur.iss) seen.push_back(*h.cur.iss);
  if (h.suspended && h.suspended->iss) seen.push_back(*h.suspended->iss);
  for (auto it = h.past.rbegin(); it != h.past.rend(); ++it) {
    if (!it->iss || std::find(seen.begin(), seen.end(), *it->iss) != seen.end()) continue;
    seen.push_back(*it->iss);
    put_num(out, 1);
    put_num(out, it->iss->raw());
    put_num(out, it->sent);
    put_num(out, it->sent_at_close);
    put_num(out, it->close_called ? 1 : 0);
  }
  put_num(out, 0);
}

// ------------------------------------------------------------------------------------------------
// Worlds and actions
// ------------------------------------------------------------------------------------------------

enum class ActionKind : std::uint8_t { Call, Deliver, Drop, Duplicate, Timer, Crash };

// One choice of the world. `side` is the endpoint acting (Call, Timer, Crash) or the sender of
// the segment (Deliver, Drop, Duplicate); `index` is the segment's place in its direction, oldest
// first, as the runner's Network keeps it.
struct Action {
  ActionKind kind = ActionKind::Call;
  std::uint8_t side = 0;
  std::uint8_t arg = 0;  // ExploreCall or TimerKind
  std::uint8_t index = 0;
};
static_assert(sizeof(Action) == 4);

Actor actor(int side) {
  return side == 1 ? Actor::B : Actor::A;
}

struct World {
  std::array<std::shared_ptr<const EndpointUnderTest>, 2> impl, oracle;
  std::array<std::vector<Segment>, 2> flight;  // [i]: sent by side i
  std::array<std::uint32_t, 2> opens{}, sends{};
  std::uint32_t loss = 0, dup = 0, crash = 0;
  Shadow shadow;
  InvariantMonitor monitor;
  Millis now = 0;
  std::size_t steps = 0;
  std::uint32_t root = 0;
  // The parts of the key, interned: impl[0], impl[1], oracle[0], oracle[1], then the history of
  // A and of B. Each id is kept while its part and the clock stay as they were; `piece` holds
  // the encoding of a part whose id is not known yet (prepared off the main thread).
  enum Part : std::uint8_t { Stale, Encoded, Interned };
  std::array<std::uint32_t, 6> encoding{};
  std::array<Part, 6> part{};
  std::array<std::string, 6> piece;
};

// One endpoint step inside a transition, for arrows and script annotations.
struct StepSeen {
  int side = 0;
  Event event;
  Outcome outcome;                // the implementation's
  std::optional<Outcome> oracle;  // the oracle's, when there is one
};

struct Applied {
  World next;
  std::vector<Violation> violations;
  std::string disagreement;
  std::vector<StepSeen> steps;
  std::vector<std::uint8_t> crash_drops;  // indexes of the RSTs a crash lost
};

Event event_of(ExploreCall c, std::uint32_t send_size) {
  switch (c) {
    case ExploreCall::OpenActive: return OpenCall{.passive = false};
    case ExploreCall::OpenPassive: return OpenCall{.passive = true};
    case ExploreCall::Send: return SendCall{.len = send_size};
    case ExploreCall::Receive: return ReceiveCall{};
    case ExploreCall::Close: return CloseCall{};
    case ExploreCall::Abort: return AbortCall{};
  }
  return StatusCall{};
}

std::string describe_tcb_difference(const TcbSnapshot& a, const TcbSnapshot& b) {
  std::string out;
  auto seq = [&](const char* n, SeqNum x, SeqNum y) {
    if (x != y)
      out += std::string(out.empty() ? "" : ", ") + n + " " + to_string(x) + " vs " + to_string(y);
  };
  auto val = [&](const char* n, std::uint64_t x, std::uint64_t y) {
    if (x != y) {
      out += std::string(out.empty() ? "" : ", ") + n + " " + std::to_string(x) + " vs " +
             std::to_string(y);
    }
  };
  seq("ISS", a.iss, b.iss);
  seq("SND.UNA", a.snd_una, b.snd_una);
  seq("SND.NXT", a.snd_nxt, b.snd_nxt);
  seq("SND.WL1", a.snd_wl1, b.snd_wl1);
  seq("SND.WL2", a.snd_wl2, b.snd_wl2);
  seq("SND.UP", a.snd_up, b.snd_up);
  seq("SND.MAX", a.snd_max, b.snd_max);
  val("SND.WND", a.snd_wnd, b.snd_wnd);
  val("MAX.SND.WND", a.max_snd_wnd, b.max_snd_wnd);
  seq("IRS", a.irs, b.irs);
  seq("RCV.NXT", a.rcv_nxt, b.rcv_nxt);
  seq("RCV.UP", a.rcv_up, b.rcv_up);
  val("RCV.WND", a.rcv_wnd, b.rcv_wnd);
  val("iss_defined", a.iss_defined, b.iss_defined);
  val("irs_defined", a.irs_defined, b.irs_defined);
  val("passive_open", a.passive_open, b.passive_open);
  val("from_time_wait", a.from_time_wait, b.from_time_wait);
  val("close_requested", a.close_requested, b.close_requested);
  val("fin_sent", a.fin_sent, b.fin_sent);
  val("fin_acked", a.fin_acked, b.fin_acked);
  val("fin_received", a.fin_received, b.fin_received);
  seq("fin_seq", a.fin_seq, b.fin_seq);
  val("send_queued", a.send_queued, b.send_queued);
  val("recv_unread", a.recv_unread, b.recv_unread);
  val("delivered_total", a.delivered_total, b.delivered_total);
  return out;
}

std::string segments_text(const std::vector<Segment>& segs) {
  if (segs.empty()) return "nothing";
  std::string out;
  for (const Segment& s : segs) out += (out.empty() ? "" : " ") + to_string(s);
  return out;
}

std::string notices_text(const std::vector<Notice>& ns) {
  if (ns.empty()) return "nothing";
  std::string out;
  for (const Notice& n : ns) out += (out.empty() ? "" : "; ") + to_string(n);
  return out;
}

std::string timer_text(const std::optional<std::pair<TimerKind, Millis>>& t) {
  if (!t) return "none";
  return std::string(to_string(t->first)) + " at " + std::to_string(t->second) + " ms";
}

// What differs between the implementation's step and the oracle's: state, segments, notices,
// TCB, next timer. Empty when they agree.
std::string compare_step(const EndpointUnderTest& impl, const Outcome& oi,
                         const EndpointUnderTest& oracle, const Outcome& oo) {
  if (oi.from != oo.from || oi.to != oo.to || impl.state() != oracle.state()) {
    return "state: the implementation went " + std::string(to_string(oi.from)) + " -> " +
           std::string(to_string(oi.to)) + ", the oracle " + std::string(to_string(oo.from)) +
           " -> " + std::string(to_string(oo.to));
  }
  if (oi.sent != oo.sent) {
    return "segments: the implementation sent " + segments_text(oi.sent) + ", the oracle " +
           segments_text(oo.sent);
  }
  if (oi.notices != oo.notices) {
    return "notices: the implementation told " + notices_text(oi.notices) + ", the oracle " +
           notices_text(oo.notices);
  }
  const auto ti = impl.tcb();
  const auto to = oracle.tcb();
  if (ti.has_value() != to.has_value()) return "TCB: exposed by only one of them";
  if (ti && !(*ti == *to))
    return "TCB (implementation vs oracle): " + describe_tcb_difference(*ti, *to);
  const auto ni = impl.next_timer();
  const auto no = oracle.next_timer();
  if (ni != no) {
    return "next timer: the implementation's is " + timer_text(ni) + ", the oracle's " +
           timer_text(no);
  }
  return {};
}

// What an event and its segments look like on a diagram arrow.
std::string event_label(const Event& e) {
  if (const auto* o = std::get_if<OpenCall>(&e)) return o->passive ? "passive OPEN" : "active OPEN";
  if (std::get_if<SendCall>(&e) != nullptr) return "SEND";
  if (std::get_if<ReceiveCall>(&e) != nullptr) return "RECEIVE";
  if (std::get_if<CloseCall>(&e) != nullptr) return "CLOSE";
  if (std::get_if<AbortCall>(&e) != nullptr) return "ABORT";
  if (std::get_if<StatusCall>(&e) != nullptr) return "STATUS";
  if (const auto* a = std::get_if<SegmentArrives>(&e)) {
    std::string s = "rcv " + ctl_to_string(a->seg.ctl);
    if (a->seg.len > 0) s += " data";
    return s;
  }
  if (const auto* t = std::get_if<TimerExpires>(&e))
    return "timeout " + std::string(to_string(t->timer));
  return "?";
}

std::string sent_label(const std::vector<Segment>& sent) {
  if (sent.empty()) return "-";
  std::string out;
  for (const Segment& s : sent) {
    out += (out.empty() ? "snd " : "; snd ") + ctl_to_string(s.ctl);
    if (s.len > 0) out += " data";
  }
  return out;
}

// The class of event a row of the transition table names, to tell which rows were exercised.
enum class EventClass : std::uint8_t {
  OpenPassive,
  OpenActive,
  Send,
  Receive,
  Close,
  Abort,
  Segment,
  TimerRetransmission,
  TimerZeroWindow,
  TimerUser,
  TimerTimeWait,
  TimerFinWait2,
  Other
};
constexpr int kEventClasses = 13;

EventClass class_of(const Event& e) {
  if (const auto* o = std::get_if<OpenCall>(&e))
    return o->passive ? EventClass::OpenPassive : EventClass::OpenActive;
  if (std::get_if<SendCall>(&e) != nullptr) return EventClass::Send;
  if (std::get_if<ReceiveCall>(&e) != nullptr) return EventClass::Receive;
  if (std::get_if<CloseCall>(&e) != nullptr) return EventClass::Close;
  if (std::get_if<AbortCall>(&e) != nullptr) return EventClass::Abort;
  if (std::get_if<SegmentArrives>(&e) != nullptr) return EventClass::Segment;
  if (const auto* t = std::get_if<TimerExpires>(&e)) {
    switch (t->timer) {
      case TimerKind::Retransmission: return EventClass::TimerRetransmission;
      case TimerKind::ZeroWindowProbe: return EventClass::TimerZeroWindow;
      case TimerKind::User: return EventClass::TimerUser;
      case TimerKind::TimeWait: return EventClass::TimerTimeWait;
      case TimerKind::FinWait2: return EventClass::TimerFinWait2;
    }
  }
  return EventClass::Other;
}

EventClass class_of_row(std::string_view event) {
  if (event == "passive OPEN") return EventClass::OpenPassive;
  if (event == "active OPEN") return EventClass::OpenActive;
  if (event == "SEND") return EventClass::Send;
  if (event == "CLOSE") return EventClass::Close;
  if (event == "ABORT") return EventClass::Abort;
  if (event.starts_with("rcv")) return EventClass::Segment;
  if (event == "timeout=2MSL") return EventClass::TimerTimeWait;
  if (event == "user timeout") return EventClass::TimerUser;
  if (event == "retransmission limit R2") return EventClass::TimerRetransmission;
  if (event == "FIN-WAIT-2 timeout") return EventClass::TimerFinWait2;
  return EventClass::Other;
}

// ------------------------------------------------------------------------------------------------
// The explorer
// ------------------------------------------------------------------------------------------------

class Explorer {
 public:
  Explorer(const ExploreConfig& config, const ExploreOptions& options)
      : config_(config), options_(options) {}

  ExploreResult run();

 private:
  struct ArrowRecord {
    ExploredArrow arrow;
    std::uint32_t source = 0;
    Action action;
  };
  struct Found {
    Counterexample::Kind kind;
    std::string message;
    std::uint32_t source;  // the state the failing action starts from
    std::optional<Action> action;
  };

  World initial(std::uint32_t root) const;
  std::vector<Action> actions(const World& w) const;
  std::optional<Applied> apply(const World& w, const Action& a) const;
  bool act(Applied& r, int side, const Event& e, bool check_capacity) const;
  void prepare(World& w) const;
  void key_of(World& w, std::string& out);
  // Every successor of a world: the action and, unless the action is blocked, its outcome.
  using Successors = std::vector<std::pair<Action, std::optional<Applied>>>;
  void expand(const World& w, Successors& out) const;
  void note_arrows(const Applied& r, std::uint32_t source, const Action& a);
  std::vector<Action> path_to(std::uint32_t state) const;
  Script script_for(std::uint32_t root, const std::vector<Action>& path) const;
  void check_liveness();
  Counterexample make_counterexample(const Found& f) const;
  void report_progress(bool force);
  std::uint64_t bytes() const;

  const ExploreConfig& config_;
  const ExploreOptions& options_;
  ExploreResult result_;
  Profile profile_[2];
  std::vector<std::pair<std::uint32_t, std::uint32_t>> roots_;  // ISS of A and B per root
  bool compare_ = false;

  StateStore store_;
  Interner endpoints_, histories_, segments_;
  std::vector<std::uint32_t> parent_;
  std::vector<Action> via_;
  std::vector<std::uint8_t> states_;       // state of A (low nibble) and B (high nibble)
  std::vector<std::uint64_t> fair_begin_;  // CSR of the edges liveness may use
  std::vector<std::uint32_t> fair_to_;
  std::vector<Found> found_;
  std::map<std::string, ArrowRecord> arrows_;
  std::array<std::array<std::array<bool, kEventClasses>, 11>, 11> classes_seen_{};
  std::string scratch_, piece_;

  std::chrono::steady_clock::time_point start_, last_progress_;
  std::uint32_t depth_ = 0;
  std::uint64_t frontier_size_ = 0;
};

World Explorer::initial(std::uint32_t root) const {
  World w;
  const auto [iss_a, iss_b] = roots_[root];
  w.impl[0] = options_.implementation(profile_[0], SeqNum(iss_a));
  w.impl[1] = options_.implementation(profile_[1], SeqNum(iss_b));
  if (compare_) {
    w.oracle[0] = options_.oracle(profile_[0], SeqNum(iss_a));
    w.oracle[1] = options_.oracle(profile_[1], SeqNum(iss_b));
  }
  for (int s = 0; s < 2; ++s) {
    w.opens[static_cast<std::size_t>(s)] = config_.sides[static_cast<std::size_t>(s)].opens;
    w.sends[static_cast<std::size_t>(s)] = config_.sides[static_cast<std::size_t>(s)].sends;
  }
  w.loss = config_.loss;
  w.dup = config_.duplicate;
  w.crash = config_.crash;
  w.root = root;
  return w;
}

std::vector<Action> Explorer::actions(const World& w) const {
  std::vector<Action> out;
  for (std::uint8_t s = 0; s < 2; ++s) {
    const auto& side = config_.sides[s];
    for (int c = 0; c < kExploreCalls; ++c) {
      if (!side.calls[static_cast<std::size_t>(c)]) continue;
      const auto call = static_cast<ExploreCall>(c);
      if ((call == ExploreCall::OpenActive || call == ExploreCall::OpenPassive) && w.opens[s] == 0)
        continue;
      if (call == ExploreCall::Send && w.sends[s] == 0) continue;
      if (call == ExploreCall::Receive) {
        const auto t = w.impl[s]->tcb();
        if (!t || t->recv_unread == 0) continue;
      }
      out.push_back({ActionKind::Call, s, static_cast<std::uint8_t>(c), 0});
    }
  }
  // One action per distinct segment: copies of a segment lead to the same worlds.
  auto each_segment = [&](ActionKind kind) {
    for (std::uint8_t s = 0; s < 2; ++s) {
      const auto& q = w.flight[s];
      for (std::size_t i = 0; i < q.size(); ++i) {
        if (std::find(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(i), q[i]) !=
            q.begin() + static_cast<std::ptrdiff_t>(i)) {
          continue;
        }
        out.push_back({kind, s, 0, static_cast<std::uint8_t>(i)});
      }
    }
  };
  each_segment(ActionKind::Deliver);
  for (std::uint8_t s = 0; s < 2; ++s) {
    for (int k = 0; k < kTimerKinds; ++k) {
      if (w.impl[s]->deadline(static_cast<TimerKind>(k))) {
        out.push_back({ActionKind::Timer, s, static_cast<std::uint8_t>(k), 0});
      }
    }
  }
  if (w.loss > 0) each_segment(ActionKind::Drop);
  if (w.dup > 0) each_segment(ActionKind::Duplicate);
  if (w.crash > 0) {
    for (std::uint8_t s = 0; s < 2; ++s) {
      if (w.impl[s]->state() != State::Closed) out.push_back({ActionKind::Crash, s, 0, 0});
    }
  }
  return out;
}

// One step of one endpoint, as Network::act takes it: the implementation (and the oracle) step
// at the world's clock, what it sends goes in flight, and the invariant monitor and its shadow
// see the step. False when what it sends does not fit in the network.
bool Explorer::act(Applied& r, int side, const Event& e, bool check_capacity) const {
  World& w = r.next;
  const auto si = static_cast<std::size_t>(side);
  std::unique_ptr<EndpointUnderTest> ep = w.impl[si]->clone();
  StepRecord rec;
  rec.index = w.steps++;
  rec.who = actor(side);
  rec.now = w.now;
  rec.event = e;
  rec.profile = &ep->profile();
  rec.tcb_before = ep->tcb();
  rec.outcome = ep->step(e, w.now);
  rec.tcb_after = ep->tcb();
  for (const Segment& s : rec.outcome.sent) w.flight[si].push_back(s);
  if (check_capacity && w.flight[0].size() + w.flight[1].size() > config_.capacity) return false;
  StepSeen seen{side, e, rec.outcome, std::nullopt};
  if (w.oracle[si]) {
    std::unique_ptr<EndpointUnderTest> o = w.oracle[si]->clone();
    Outcome oo = o->step(e, w.now);
    if (r.disagreement.empty()) {
      std::string diff = compare_step(*ep, rec.outcome, *o, oo);
      if (!diff.empty()) r.disagreement = std::string(side == 0 ? "A" : "B") + ": " + diff;
    }
    seen.oracle = std::move(oo);
    w.oracle[si] = std::move(o);
  }
  w.impl[si] = std::move(ep);
  w.part[si] = w.part[si + 2] = w.part[4 + si] = World::Stale;
  const WorldView view{w.impl[0].get(), w.impl[1].get(), w.flight[1].size(), w.flight[0].size(),
                       w.now};
  for (auto& v : w.monitor.on_step(rec, view)) r.violations.push_back(std::move(v));
  const std::size_t peer = 1 - si;
  const bool peer_roles = w.shadow.sides[peer].cur.roles_checked;
  w.shadow.step(rec, view, w.impl[si].get());
  if (w.shadow.sides[peer].cur.roles_checked != peer_roles) w.part[4 + peer] = World::Stale;
  r.steps.push_back(std::move(seen));
  return true;
}

std::optional<Applied> Explorer::apply(const World& w, const Action& a) const {
  Applied r{w, {}, {}, {}, {}};
  World& n = r.next;
  const int side = a.side;
  const auto si = static_cast<std::size_t>(side);
  switch (a.kind) {
    case ActionKind::Call: {
      const auto call = static_cast<ExploreCall>(a.arg);
      if (!act(r, side, event_of(call, config_.send_size), true)) return std::nullopt;
      const auto& notices = r.steps.back().outcome.notices;
      const bool accepted = !notices.empty() && notices.front().kind == NoticeKind::Ok;
      if (accepted && (call == ExploreCall::OpenActive || call == ExploreCall::OpenPassive)) {
        --n.opens[si];
      }
      if (accepted && call == ExploreCall::Send) --n.sends[si];
      return r;
    }
    case ActionKind::Deliver: {
      auto& q = n.flight[si];
      const Segment seg = q[a.index];
      q.erase(q.begin() + a.index);
      if (!act(r, 1 - side, SegmentArrives{seg}, true)) return std::nullopt;
      return r;
    }
    case ActionKind::Drop: {
      auto& q = n.flight[si];
      const Segment seg = q[a.index];
      q.erase(q.begin() + a.index);
      --n.loss;
      n.monitor.on_fault(FaultKind::Loss, actor(side), seg);
      n.shadow.fault(FaultKind::Loss, actor(side));
      return r;
    }
    case ActionKind::Duplicate: {
      if (n.flight[0].size() + n.flight[1].size() + 1 > config_.capacity) return std::nullopt;
      auto& q = n.flight[si];
      const Segment seg = q[a.index];
      q.insert(q.begin() + a.index + 1, seg);
      --n.dup;
      n.monitor.on_fault(FaultKind::Duplication, actor(side), seg);
      n.shadow.fault(FaultKind::Duplication, actor(side));
      return r;
    }
    case ActionKind::Timer: {
      const auto kind = static_cast<TimerKind>(a.arg);
      const auto deadline = n.impl[si]->deadline(kind);
      if (!deadline) return std::nullopt;
      // A timer fires at its deadline: the clock moves there first (as Network::act does).
      if (*deadline > n.now) n.part = {};  // every relative time changes
      n.now = std::max(n.now, *deadline);
      if (!act(r, side, TimerExpires{kind}, true)) return std::nullopt;
      return r;
    }
    case ActionKind::Crash: {
      // The endpoint loses its TCB: its user's ABORT, with the RST it sends lost on the way.
      const std::size_t before = n.flight[si].size();
      act(r, side, AbortCall{}, false);
      --n.crash;
      auto& q = n.flight[si];
      while (q.size() > before) {
        const Segment seg = q[before];
        q.erase(q.begin() + static_cast<std::ptrdiff_t>(before));
        r.crash_drops.push_back(static_cast<std::uint8_t>(before));
        n.monitor.on_fault(FaultKind::Loss, actor(side), seg);
        n.shadow.fault(FaultKind::Loss, actor(side));
      }
      if (n.flight[0].size() + n.flight[1].size() > config_.capacity) return std::nullopt;
      return r;
    }
  }
  return std::nullopt;
}

void Explorer::expand(const World& w, Successors& out) const {
  out.clear();
  for (const Action& a : actions(w)) {
    out.emplace_back(a, apply(w, a));
    auto& applied = out.back().second;
    if (applied && applied->disagreement.empty()) prepare(applied->next);
  }
}

// Without encode_state, what the interface shows: state, TCB snapshot, timers.
void encode_endpoint(const EndpointUnderTest& ep, Millis now, std::string& out) {
  if (ep.encode_state(now, out)) return;
  put_num(out, static_cast<unsigned>(ep.state()));
  for (int k = 0; k < kTimerKinds; ++k) {
    const auto d = ep.deadline(static_cast<TimerKind>(k));
    put_num(out, !d ? 0 : *d <= now ? 1 : 1 + (*d - now));
  }
  if (const auto t = ep.tcb()) {
    for (SeqNum s : {t->iss, t->snd_una, t->snd_nxt, t->snd_wl1, t->snd_wl2, t->snd_up, t->snd_max,
                     t->irs, t->rcv_nxt, t->rcv_up, t->fin_seq}) {
      put_num(out, s.raw());
    }
    for (std::uint64_t v :
         {std::uint64_t{t->snd_wnd}, std::uint64_t{t->max_snd_wnd}, std::uint64_t{t->rcv_wnd},
          std::uint64_t{t->send_queued}, std::uint64_t{t->recv_unread}, t->delivered_total}) {
      put_num(out, v);
    }
    put_num(out, (t->iss_defined ? 1 : 0) | (t->irs_defined ? 2 : 0) | (t->passive_open ? 4 : 0) |
                     (t->from_time_wait ? 8 : 0) | (t->close_requested ? 16 : 0) |
                     (t->fin_sent ? 32 : 0) | (t->fin_acked ? 64 : 0) |
                     (t->fin_received ? 128 : 0));
  }
}

// Encodes the parts of a world's key whose ids are not known yet (safe off the main thread).
void Explorer::prepare(World& w) const {
  for (std::size_t i = 0; i < 6; ++i) {
    if (w.part[i] != World::Stale) continue;
    w.part[i] = World::Encoded;
    w.piece[i].clear();
    if (i < 4) {
      const EndpointUnderTest* ep = i < 2 ? w.impl[i].get() : w.oracle[i - 2].get();
      if (ep != nullptr) encode_endpoint(*ep, w.now, w.piece[i]);
    } else {
      encode_shadow_side(w.piece[i], w.shadow.sides[i - 4], w.now, 2ull * profile_[i - 4].msl_ms);
    }
  }
}

void Explorer::key_of(World& w, std::string& out) {
  prepare(w);
  out.clear();
  for (std::size_t i = 0; i < 6; ++i) {
    if (i >= 2 && i < 4 && w.oracle[i - 2] == nullptr) continue;
    if (w.part[i] != World::Interned) {
      w.encoding[i] = (i < 4 ? endpoints_ : histories_).id(w.piece[i]);
      w.part[i] = World::Interned;
      std::string().swap(w.piece[i]);
    }
    put_num(out, w.encoding[i]);
  }
  for (std::size_t s = 0; s < 2; ++s) {
    std::uint32_t ids[64];
    std::size_t n = 0;
    for (const Segment& seg : w.flight[s]) {
      piece_.clear();
      piece_.push_back(static_cast<char>(s));
      put_num(piece_, seg.seq.raw());
      put_num(piece_, seg.ack.raw());
      put_num(piece_, seg.ctl);
      put_num(piece_, seg.wnd);
      put_num(piece_, seg.up);
      put_num(piece_, seg.len);
      if (n < std::size(ids)) ids[n++] = segments_.id(piece_);
    }
    std::sort(ids, ids + n);
    put_num(out, n);
    for (std::size_t i = 0; i < n; ++i) put_num(out, ids[i]);
  }
  for (std::size_t s = 0; s < 2; ++s) {
    if (config_.sides[s].opens > 0) put_num(out, w.opens[s]);
    if (config_.sides[s].sends > 0) put_num(out, w.sends[s]);
  }
  if (config_.loss > 0) put_num(out, w.loss);
  if (config_.duplicate > 0) put_num(out, w.dup);
  if (config_.crash > 0) put_num(out, w.crash);
  const Shadow& f = w.shadow;
  put_num(out, (f.loss ? 1 : 0) | (f.rst ? 2 : 0) | (f.abort ? 4 : 0) | (f.ending_timeout ? 8 : 0) |
                   (f.network_run ? 16 : 0) | (static_cast<unsigned>(f.half_open_side) << 5));
}

void Explorer::note_arrows(const Applied& r, std::uint32_t source, const Action& a) {
  for (const StepSeen& st : r.steps) {
    const Outcome& o = st.outcome;
    classes_seen_[static_cast<std::size_t>(o.from)][static_cast<std::size_t>(o.to)]
                 [static_cast<std::size_t>(class_of(st.event))] = true;
    if (!options_.collect_arrows) continue;
    std::string label = event_label(st.event);
    std::string sent = sent_label(o.sent);
    std::string key = std::string(to_string(o.from)) + "|" + label + "|" + sent + "|" +
                      std::string(to_string(o.to));
    auto [it, fresh] = arrows_.try_emplace(key);
    ArrowRecord& rec = it->second;
    if (fresh) {
      rec.arrow.from = o.from;
      rec.arrow.to = o.to;
      rec.arrow.event = std::move(label);
      rec.arrow.sent = std::move(sent);
      rec.source = source;
      rec.action = a;
    }
    ++rec.arrow.count;
    rec.arrow.by[static_cast<std::size_t>(st.side)] = true;
  }
}

std::vector<Action> Explorer::path_to(std::uint32_t state) const {
  std::vector<Action> path;
  while (parent_[state] != state) {
    path.push_back(via_[state]);
    state = parent_[state];
  }
  std::reverse(path.begin(), path.end());
  return path;
}

std::uint32_t root_of(const std::vector<std::uint32_t>& parent, std::uint32_t state) {
  while (parent[state] != state) state = parent[state];
  return state;
}

// Replays a path from its initial world and writes it as a two-endpoint script, each step
// followed by what the oracle (or, without one, the implementation) answered: the notices, the
// segments sent and the state. Against an implementation that disagrees, the script fails at
// the first difference; an invariant violation fails it at the step that shows it.
Script Explorer::script_for(std::uint32_t root, const std::vector<Action>& path) const {
  Script s;
  s.two_endpoints = true;
  s.profile_a = config_.profile_a;
  s.profile_b = config_.profile_b;
  s.iss_a = roots_[root].first;
  s.iss_b = roots_[root].second;
  auto line = [&](Line l) { s.lines.push_back(ScriptLine{{}, std::move(l)}); };
  auto expect = [&](const StepSeen& st) {
    const Actor who = actor(st.side);
    const Outcome& o = st.oracle ? *st.oracle : st.outcome;
    for (const Notice& n : o.notices) line(ExpectNoticeLine{who, n});
    for (const Segment& seg : o.sent) {
      SegmentSpec spec;
      spec.ctl = seg.ctl;
      spec.seq = Number{true, seg.seq.raw()};
      spec.len = seg.len;
      if (seg.ack_flag()) spec.ack = Number{true, seg.ack.raw()};
      spec.wnd = seg.wnd;
      if (seg.has(kUrg)) spec.up = seg.up;
      line(ExpectSegmentLine{who, spec});
    }
    line(ExpectStateLine{who, o.to});
  };
  World w = initial(root);
  for (const Action& a : path) {
    const Actor who = actor(a.side);
    const auto applied = apply(w, a);
    if (!applied) break;  // cannot happen: the path was found by the same code
    switch (a.kind) {
      case ActionKind::Call:
        line(CallLine{who, event_of(static_cast<ExploreCall>(a.arg), config_.send_size)});
        break;
      case ActionKind::Deliver:
        line(NetworkLine{NetOp::Deliver, who, static_cast<std::uint32_t>(a.index + 1)});
        break;
      case ActionKind::Drop:
        line(NetworkLine{NetOp::Drop, who, static_cast<std::uint32_t>(a.index + 1)});
        break;
      case ActionKind::Duplicate:
        line(NetworkLine{NetOp::Duplicate, who, static_cast<std::uint32_t>(a.index + 1)});
        break;
      case ActionKind::Timer: line(TimeoutLine{who, static_cast<TimerKind>(a.arg)}); break;
      case ActionKind::Crash: line(CallLine{who, AbortCall{}}); break;
    }
    for (const StepSeen& st : applied->steps) expect(st);
    for (std::uint8_t k : applied->crash_drops) {
      line(NetworkLine{NetOp::Drop, who, static_cast<std::uint32_t>(k + 1)});
    }
    w = applied->next;
  }
  return s;
}

std::string comment_block(const std::string& text) {
  std::string out;
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l)) out += "# " + l + "\n";
  return out;
}

Counterexample Explorer::make_counterexample(const Found& f) const {
  Counterexample c;
  c.kind = f.kind;
  c.message = f.message;
  std::vector<Action> path = path_to(f.source);
  if (f.action) path.push_back(*f.action);
  c.depth = path.size();
  c.script = script_for(root_of(parent_, f.source), path);
  c.text = comment_block("tcpfsm explore, configuration '" + config_.name +
                         "': " + std::string(to_string(f.kind)) + "\n" + f.message + "\n" +
                         "shortest path: " + std::to_string(c.depth) + " actions") +
           print_script(c.script);
  // Read back from the text, so that a replay's failure names a line of the text.
  auto parsed = parse_script(c.text, "counterexample.tcp");
  if (auto* s = std::get_if<Script>(&parsed)) c.script = std::move(*s);
  return c;
}

// Liveness: from every explored state, some path of CLOSE calls, deliveries and timer expiries
// leads to a state where neither endpoint holds a connection (both CLOSED or LISTEN). Computed
// backwards from those states over the explored edges of that kind.
void Explorer::check_liveness() {
  const std::size_t n = store_.size();
  std::vector<std::uint32_t> rev_begin(n + 1, 0);
  for (std::uint32_t to : fair_to_) ++rev_begin[to + 1];
  for (std::size_t i = 0; i < n; ++i) rev_begin[i + 1] += rev_begin[i];
  std::vector<std::uint32_t> rev_from(fair_to_.size());
  {
    std::vector<std::uint32_t> fill(rev_begin.begin(), rev_begin.end() - 1);
    for (std::uint32_t from = 0; from < n; ++from) {
      for (std::uint64_t e = fair_begin_[from]; e < fair_begin_[from + 1]; ++e) {
        rev_from[fill[fair_to_[e]]++] = from;
      }
    }
  }
  std::vector<bool> good(n, false);
  std::vector<std::uint32_t> queue;
  for (std::uint32_t i = 0; i < n; ++i) {
    const auto a = static_cast<State>(states_[i] & 0x0F);
    const auto b = static_cast<State>(states_[i] >> 4);
    if (no_connection(a) && no_connection(b)) {
      good[i] = true;
      queue.push_back(i);
    }
  }
  for (std::size_t q = 0; q < queue.size(); ++q) {
    const std::uint32_t to = queue[q];
    for (std::uint32_t e = rev_begin[to]; e < rev_begin[to + 1]; ++e) {
      const std::uint32_t from = rev_from[e];
      if (!good[from]) {
        good[from] = true;
        queue.push_back(from);
      }
    }
  }
  result_.liveness_checked = true;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (good[i]) continue;
    if (result_.stuck_states++ == 0) {
      const auto a = static_cast<State>(states_[i] & 0x0F);
      const auto b = static_cast<State>(states_[i] >> 4);
      found_.push_back({Counterexample::Kind::Liveness,
                        "stuck: from this state (A " + std::string(to_string(a)) + ", B " +
                            std::string(to_string(b)) +
                            ") no sequence of CLOSE calls, deliveries and timer expiries brings "
                            "both endpoints back to CLOSED or LISTEN",
                        i, std::nullopt});
    }
  }
  result_.violations += result_.stuck_states;
}

std::uint64_t Explorer::bytes() const {
  return store_.bytes() + endpoints_.bytes() + histories_.bytes() + segments_.bytes() +
         parent_.capacity() * sizeof(std::uint32_t) + via_.capacity() * sizeof(Action) +
         states_.capacity() + fair_begin_.capacity() * sizeof(std::uint64_t) +
         fair_to_.capacity() * sizeof(std::uint32_t);
}

void Explorer::report_progress(bool force) {
  if (!options_.progress) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_progress_ < std::chrono::seconds(1)) return;
  last_progress_ = now;
  ExploreProgress p;
  p.states = store_.size();
  p.transitions = result_.transitions;
  p.depth = depth_;
  p.frontier = frontier_size_;
  p.seconds = std::chrono::duration<double>(now - start_).count();
  p.bytes = bytes();
  options_.progress(p);
}

ExploreResult Explorer::run() {
  start_ = last_progress_ = std::chrono::steady_clock::now();
  result_.config = config_.name;
  for (int s = 0; s < 2; ++s) {
    auto p = make_profile(s == 0 ? config_.profile_a : config_.profile_b);
    if (const auto* e = std::get_if<std::string>(&p)) {
      result_.notes.push_back("profile: " + *e);
      return result_;
    }
    profile_[s] = std::get<Profile>(p);
  }
  compare_ = config_.compare && options_.oracle != nullptr;
  for (std::uint32_t a : config_.iss_a) {
    for (std::uint32_t b : config_.iss_b) roots_.emplace_back(a, b);
  }

  std::vector<std::unique_ptr<World>> frontier, next;
  bool stop = false;
  for (std::uint32_t r = 0; r < roots_.size(); ++r) {
    auto w = std::make_unique<World>(initial(r));
    if (r == 0) {
      std::string probe;
      if (!w->impl[0]->encode_state(0, probe)) {
        result_.notes.push_back(
            "the implementation has no encode_state(): states are told apart by what state(), "
            "tcb() and deadline() show, which may merge states that differ in hidden fields");
      }
    }
    key_of(*w, scratch_);
    const auto [id, fresh] = store_.insert(scratch_);
    if (!fresh) continue;
    parent_.push_back(id);
    via_.push_back({});
    states_.push_back(static_cast<std::uint8_t>(static_cast<unsigned>(w->impl[0]->state()) |
                                                (static_cast<unsigned>(w->impl[1]->state()) << 4)));
    frontier.push_back(std::move(w));
  }
  result_.initial_states = store_.size();
  std::uint32_t expanded = 0;
  fair_begin_.push_back(0);
  const unsigned threads = std::max(1u, options_.threads);

  // Breadth first, a layer at a time. Each block of the layer is expanded in parallel (stepping
  // the endpoints, the checks, encoding the successors), then merged in order on this thread
  // (interning, the visited set, the graph), so that ids, paths and counterexamples do not
  // depend on the number of threads.
  constexpr std::size_t kBlock = 512;
  std::vector<Successors> block(kBlock);
  while (!frontier.empty() && !stop) {
    frontier_size_ = frontier.size();
    result_.peak_frontier = std::max<std::uint64_t>(result_.peak_frontier, frontier.size());
    for (std::size_t begin = 0; begin < frontier.size() && !stop; begin += kBlock) {
      const std::size_t end = std::min(frontier.size(), begin + kBlock);
      auto work = [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i) expand(*frontier[i], block[i - begin]);
      };
      if (threads > 1 && end - begin > 1) {
        std::vector<std::thread> helpers;
        const std::size_t share = (end - begin + threads - 1) / threads;
        for (unsigned t = 1; t < threads; ++t) {
          const std::size_t lo = std::min(end, begin + t * share);
          const std::size_t hi = std::min(end, lo + share);
          if (lo < hi) helpers.emplace_back(work, lo, hi);
        }
        work(begin, std::min(end, begin + share));
        for (auto& h : helpers) h.join();
      } else {
        work(begin, end);
      }
      for (std::size_t i = begin; i < end && !stop; ++i) {
        const std::uint32_t source = expanded++;
        for (auto& [a, applied] : block[i - begin]) {
          if (!applied) continue;
          ++result_.transitions;
          note_arrows(*applied, source, a);
          if (!applied->violations.empty()) {
            for (const Violation& v : applied->violations) ++result_.violated[v.invariant];
            ++result_.invariant_violations;
            ++result_.violations;
            if (result_.invariant_violations == 1) {
              const Violation& v = applied->violations.front();
              found_.push_back(
                  {Counterexample::Kind::Invariant,
                   "invariant " + v.invariant + " violated: " + v.detail + " [" + v.rfc + "]",
                   source, a});
            }
          }
          if (!applied->disagreement.empty()) {
            ++result_.disagreements;
            ++result_.violations;
            if (result_.disagreements == 1) {
              found_.push_back(
                  {Counterexample::Kind::Disagreement,
                   "the implementation and the oracle disagree: " + applied->disagreement, source,
                   a});
            }
            // The two have parted ways: nothing after this step would mean anything.
          } else {
            key_of(applied->next, scratch_);
            const auto [id, fresh] = store_.insert(scratch_);
            const bool fair = a.kind == ActionKind::Deliver || a.kind == ActionKind::Timer ||
                              (a.kind == ActionKind::Call &&
                               static_cast<ExploreCall>(a.arg) == ExploreCall::Close);
            if (fair) fair_to_.push_back(id);
            if (fresh) {
              parent_.push_back(source);
              via_.push_back(a);
              const World& n = applied->next;
              states_.push_back(
                  static_cast<std::uint8_t>(static_cast<unsigned>(n.impl[0]->state()) |
                                            (static_cast<unsigned>(n.impl[1]->state()) << 4)));
              next.push_back(std::make_unique<World>(std::move(applied->next)));
            }
          }
          if (options_.stop_at_first && result_.violations > 0) stop = true;
          if (stop) break;
        }
        fair_begin_.push_back(fair_to_.size());
        frontier[i].reset();
        block[i - begin].clear();
        if (stop) break;
        if (config_.max_states > 0 && store_.size() >= config_.max_states) {
          stop = true;
          result_.notes.push_back("stopped at max-states " + std::to_string(config_.max_states));
          break;
        }
        if ((expanded & 1023) == 0) report_progress(false);
      }
    }
    if (stop) break;
    frontier.clear();
    frontier.swap(next);
    if (!frontier.empty()) ++depth_;
  }
  result_.complete = !stop && frontier.empty();
  result_.states = store_.size();
  result_.depth = depth_;
  if (result_.complete && config_.liveness) check_liveness();
  report_progress(true);

  const auto end = std::chrono::steady_clock::now();
  result_.seconds = std::chrono::duration<double>(end - start_).count();
  result_.bytes = bytes();
  result_.bytes_per_state = result_.states > 0 ? double(result_.bytes) / double(result_.states) : 0;
  result_.key_bytes_per_state =
      result_.states > 0 ? double(store_.key_bytes()) / double(result_.states) : 0;
  result_.endpoint_encodings = endpoints_.size();
  result_.history_encodings = histories_.size();
  result_.segment_encodings = segments_.size();
  for (std::uint8_t packed : states_) {
    result_.pairs[packed & 0x0F][packed >> 4] = true;
  }
  for (const Transition& t : transitions()) {
    const EventClass c = class_of_row(t.event);
    const bool taken = c != EventClass::Other &&
                       classes_seen_[static_cast<std::size_t>(t.from)]
                                    [static_cast<std::size_t>(t.to)][static_cast<std::size_t>(c)];
    (taken ? result_.rfc_arrows_taken : result_.rfc_arrows_missed).push_back(t.id);
  }
  for (const Found& f : found_) result_.counterexamples.push_back(make_counterexample(f));
  if (options_.collect_arrows) {
    for (auto& [key, rec] : arrows_) {
      std::vector<Action> path = path_to(rec.source);
      path.push_back(rec.action);
      rec.arrow.witness = script_for(root_of(parent_, rec.source), path);
      rec.arrow.witness_depth = path.size();
      result_.arrows.push_back(std::move(rec.arrow));
    }
  }
  return std::move(result_);
}

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

// ------------------------------------------------------------------------------------------------
// The Promela model for spin
// ------------------------------------------------------------------------------------------------

namespace {

// The world of a configuration in Promela. One process plays the whole world: each iteration of
// its loop is one choice of the explorer, as one d_step. Sequence numbers are kept relative to
// each side's first ISS (so modular comparisons become plain ones: the values stay far below
// 2^31), except the <SEQ=0> of a RST answering a segment without ACK, which is the distance of
// absolute 0 from that ISS (ZEROn). A step whose segments do not fit in the network is undone.
constexpr std::string_view kPromelaBody = R"PML(
#define LISTEN 0
#define SYN_SENT 1
#define SYN_RCVD 2
#define ESTAB 3
#define FW1 4
#define FW2 5
#define CLOSE_WAIT 6
#define CLOSING 7
#define LAST_ACK 8
#define TIME_WAIT 9
#define CLOSED 10
#define F_FIN 1
#define F_SYN 2
#define F_RST 4
#define F_ACK 16
#define WND 65535
#define ZERO(s) (s == 0 -> ZERO0 : ZERO1)

c_decl {
  unsigned char tcpfsm_pairs[11][11];
  void tcpfsm_dump(void) {
    int a, b;
    printf("tcpfsm-pairs:");
    for (a = 0; a < 11; a++)
      for (b = 0; b < 11; b++)
        if (tcpfsm_pairs[a][b]) printf(" %d,%d", a, b);
    printf("\n");
  }
}

typedef Seg { byte fl; int sq; int ak };
typedef Dir { Seg e[CAP] };
Dir net[2];          /* net[d]: segments sent by side d, sorted: a multiset */
byte n[2];

byte st[2];
int iss[2], nxtiss[2], una[2], nxt[2], irs[2], rnxt[2], finseq[2];
bool passive[2], closereq[2], finsent[2], finacked[2], finrcvd[2];
byte retries[2];
bool trtx[2], ttw[2], tfw2[2];
byte opens[2];
byte loss, dup, crash;
/* What the network-level invariant agreement-when-quiet remembers since the network was last
   idle with no connection on either side: a loss, an ABORT, a connection-ending timeout. */
bool f_loss, f_abort, f_end;

/* Scratch of one step; not part of the state. */
hidden Seg x_cur, x_out[3], x_tmp;
hidden byte x_nout, x_i, x_j, x_fl, x_tfl, x_sl;
hidden int x_tsq, x_tq;
hidden byte x_acc, x_ackok, x_done, x_cont, x_owed, x_sentany, x_ok, x_end, x_abort;
hidden byte b_st, b_retries, b_n[2];
hidden int b_iss, b_nxtiss, b_una, b_nxt, b_irs, b_rnxt, b_finseq;
hidden byte b_passive, b_closereq, b_finsent, b_finacked, b_finrcvd, b_trtx, b_ttw, b_tfw2;
hidden Dir b_net[2];

inline save(s) {
  b_st = st[s]; b_retries = retries[s]; b_iss = iss[s]; b_nxtiss = nxtiss[s]; b_una = una[s];
  b_nxt = nxt[s]; b_irs = irs[s]; b_rnxt = rnxt[s]; b_finseq = finseq[s];
  b_passive = passive[s]; b_closereq = closereq[s]; b_finsent = finsent[s];
  b_finacked = finacked[s]; b_finrcvd = finrcvd[s]; b_trtx = trtx[s]; b_ttw = ttw[s];
  b_tfw2 = tfw2[s];
  b_n[0] = n[0]; b_n[1] = n[1];
  x_ok = 0; x_end = 0; x_abort = 0;
  x_i = 0;
  do
  :: x_i < CAP -> b_net[0].e[x_i].fl = net[0].e[x_i].fl; b_net[0].e[x_i].sq = net[0].e[x_i].sq;
     b_net[0].e[x_i].ak = net[0].e[x_i].ak; b_net[1].e[x_i].fl = net[1].e[x_i].fl;
     b_net[1].e[x_i].sq = net[1].e[x_i].sq; b_net[1].e[x_i].ak = net[1].e[x_i].ak; x_i++
  :: else -> break
  od;
  x_nout = 0
}
inline restore(s) {
  st[s] = b_st; retries[s] = b_retries; iss[s] = b_iss; nxtiss[s] = b_nxtiss; una[s] = b_una;
  nxt[s] = b_nxt; irs[s] = b_irs; rnxt[s] = b_rnxt; finseq[s] = b_finseq;
  passive[s] = b_passive; closereq[s] = b_closereq; finsent[s] = b_finsent;
  finacked[s] = b_finacked; finrcvd[s] = b_finrcvd; trtx[s] = b_trtx; ttw[s] = b_ttw;
  tfw2[s] = b_tfw2;
  n[0] = b_n[0]; n[1] = b_n[1];
  x_i = 0;
  do
  :: x_i < CAP -> net[0].e[x_i].fl = b_net[0].e[x_i].fl; net[0].e[x_i].sq = b_net[0].e[x_i].sq;
     net[0].e[x_i].ak = b_net[0].e[x_i].ak; net[1].e[x_i].fl = b_net[1].e[x_i].fl;
     net[1].e[x_i].sq = b_net[1].e[x_i].sq; net[1].e[x_i].ak = b_net[1].e[x_i].ak; x_i++
  :: else -> break
  od
}

/* Keeps a direction sorted by (flags, seq, ack), unused slots zero. */
inline sort_dir(dd) {
  x_i = 1;
  do
  :: x_i < n[dd] ->
     x_j = x_i;
     do
     :: x_j > 0 && (net[dd].e[x_j-1].fl > net[dd].e[x_j].fl ||
                  (net[dd].e[x_j-1].fl == net[dd].e[x_j].fl && (net[dd].e[x_j-1].sq > net[dd].e[x_j].sq ||
                   (net[dd].e[x_j-1].sq == net[dd].e[x_j].sq && net[dd].e[x_j-1].ak > net[dd].e[x_j].ak)))) ->
        x_tmp.fl = net[dd].e[x_j].fl; x_tmp.sq = net[dd].e[x_j].sq; x_tmp.ak = net[dd].e[x_j].ak;
        net[dd].e[x_j].fl = net[dd].e[x_j-1].fl; net[dd].e[x_j].sq = net[dd].e[x_j-1].sq;
        net[dd].e[x_j].ak = net[dd].e[x_j-1].ak;
        net[dd].e[x_j-1].fl = x_tmp.fl; net[dd].e[x_j-1].sq = x_tmp.sq; net[dd].e[x_j-1].ak = x_tmp.ak;
        x_j--
     :: else -> break
     od;
     x_i++
  :: else -> break
  od
}
inline remove_seg(dd, k) {
  x_j = k;
  do
  :: x_j + 1 < n[dd] -> net[dd].e[x_j].fl = net[dd].e[x_j+1].fl; net[dd].e[x_j].sq = net[dd].e[x_j+1].sq;
     net[dd].e[x_j].ak = net[dd].e[x_j+1].ak; x_j++
  :: else -> break
  od;
  n[dd]--;
  net[dd].e[n[dd]].fl = 0; net[dd].e[n[dd]].sq = 0; net[dd].e[n[dd]].ak = 0
}
/* What side s sent goes in flight; if it does not fit, the step is undone. */
inline commit(s) {
  if
  :: n[0] + n[1] + x_nout > CAP -> restore(s)
  :: else ->
     x_ok = 1;
     x_i = 0;
     do
     :: x_i < x_nout -> net[s].e[n[s]].fl = x_out[x_i].fl; net[s].e[n[s]].sq = x_out[x_i].sq;
        net[s].e[n[s]].ak = x_out[x_i].ak; n[s]++; x_i++
     :: else -> break
     od;
     sort_dir(s)
  fi;
  c_code { tcpfsm_pairs[now.st[0]][now.st[1]] = 1; }
}
inline emit(f, q, a) {
  x_out[x_nout].fl = f; x_out[x_nout].sq = q; x_out[x_nout].ak = a; x_nout++
}
inline reset_for(s) {
  if
  :: (x_cur.fl & F_ACK) -> x_tq = x_cur.ak; emit(F_RST, x_tq, 0)
  :: else -> x_tq = x_cur.sq + x_sl; emit(F_RST | F_ACK, ZERO(s), x_tq)
  fi
}

inline to_closed(s) {
  st[s] = CLOSED; iss[s] = 0; una[s] = 0; nxt[s] = 0; irs[s] = 0; rnxt[s] = 0; finseq[s] = 0;
  passive[s] = 0; closereq[s] = 0; finsent[s] = 0; finacked[s] = 0; finrcvd[s] = 0;
  retries[s] = 0; trtx[s] = 0; ttw[s] = 0; tfw2[s] = 0
}
inline back_to_listen(s) { to_closed(s); st[s] = LISTEN }
inline enter_time_wait(s) { trtx[s] = 0; tfw2[s] = 0; ttw[s] = 1; st[s] = TIME_WAIT }
inline start_incarnation(s) {
  iss[s] = nxtiss[s]; nxtiss[s] = nxtiss[s] + INC; una[s] = iss[s]; nxt[s] = iss[s] + 1;
  irs[s] = 0; rnxt[s] = 0; finseq[s] = 0; passive[s] = 0; closereq[s] = 0; finsent[s] = 0;
  finacked[s] = 0; finrcvd[s] = 0; retries[s] = 0
}
/* SND.UNA moves to the arriving segment's ACK. */
inline advance_una(s) {
  una[s] = x_cur.ak;
  if :: finsent[s] && finseq[s] + 1 <= x_cur.ak -> finacked[s] = 1 :: else -> skip fi;
  retries[s] = 0;
  trtx[s] = (una[s] != nxt[s])
}
/* Sends our FIN when it is due, then a bare ACK if one is x_owed and nothing went x_out. */
inline output(s, ow) {
  x_sentany = 0;
  if
  :: (st[s] == FW1 || st[s] == CLOSING || st[s] == LAST_ACK) && closereq[s] && !finsent[s] ->
     emit(F_FIN | F_ACK, nxt[s], rnxt[s]); finsent[s] = 1; finseq[s] = nxt[s];
     nxt[s] = nxt[s] + 1; trtx[s] = 1; x_sentany = 1
  :: else -> skip
  fi;
  if :: ow && !x_sentany -> emit(F_ACK, nxt[s], rnxt[s]) :: else -> skip fi
}
inline retransmit(s) {
  trtx[s] = 0;
  if
  :: retries[s] >= ((st[s] == SYN_SENT || st[s] == SYN_RCVD) -> SYN_RETRIES : DATA_RETRIES) ->
     x_end = 1;
     if :: st[s] == SYN_RCVD && passive[s] -> back_to_listen(s) :: else -> to_closed(s) fi
  :: else ->
     retries[s]++;
     if
     :: st[s] == SYN_SENT -> emit(F_SYN, iss[s], 0); trtx[s] = 1
     :: st[s] != SYN_SENT && una[s] == iss[s] -> emit(F_SYN | F_ACK, iss[s], rnxt[s]); trtx[s] = 1
     :: st[s] != SYN_SENT && una[s] != iss[s] && una[s] != nxt[s] ->
        x_fl = F_ACK;
        if :: finsent[s] && !finacked[s] -> x_fl = x_fl | F_FIN :: else -> skip fi;
        emit(x_fl, una[s], rnxt[s]); trtx[s] = 1
     :: else -> skip
     fi
  fi
}

inline open_active(s) {
  start_incarnation(s); emit(F_SYN, iss[s], 0); trtx[s] = 1; st[s] = SYN_SENT
}
inline close_call(s) {
  if
  :: st[s] == LISTEN || st[s] == SYN_SENT -> to_closed(s)
  :: st[s] == SYN_RCVD || st[s] == ESTAB -> closereq[s] = 1; st[s] = FW1; output(s, 0)
  :: st[s] == CLOSE_WAIT -> closereq[s] = 1; st[s] = LAST_ACK; output(s, 0)
  :: else -> skip
  fi
}
inline abort_call(s) {
  if
  :: st[s] == SYN_RCVD || st[s] == ESTAB || st[s] == FW1 || st[s] == FW2 || st[s] == CLOSE_WAIT ->
     emit(F_RST, nxt[s], 0); to_closed(s)
  :: else -> to_closed(s)
  fi
}

inline fin_arrives(s) {
  if
  :: st[s] == TIME_WAIT -> ttw[s] = 1
  :: st[s] == ESTAB || st[s] == FW1 || st[s] == FW2 || st[s] == SYN_RCVD ->
     rnxt[s] = rnxt[s] + 1; finrcvd[s] = 1;
     if
     :: st[s] == SYN_RCVD || st[s] == ESTAB -> st[s] = CLOSE_WAIT
     :: st[s] == FW1 && finacked[s] -> enter_time_wait(s)
     :: st[s] == FW1 && !finacked[s] -> st[s] = CLOSING
     :: st[s] == FW2 -> enter_time_wait(s)
     fi
  :: else -> skip
  fi
}

inline syn_sent_arrives(s) {
  x_ackok = 0; x_done = 0;
  if
  :: (x_cur.fl & F_ACK) ->
     if
     :: x_cur.ak <= iss[s] || x_cur.ak > nxt[s] ->
        if :: !(x_cur.fl & F_RST) -> reset_for(s) :: else -> skip fi; x_done = 1
     :: else -> x_ackok = (una[s] < x_cur.ak && x_cur.ak <= nxt[s])
     fi
  :: else -> skip
  fi;
  if
  :: x_done -> skip
  :: !x_done && (x_cur.fl & F_RST) -> if :: x_ackok -> to_closed(s) :: else -> skip fi
  :: !x_done && !(x_cur.fl & F_RST) && !(x_cur.fl & F_SYN) -> skip
  :: !x_done && !(x_cur.fl & F_RST) && (x_cur.fl & F_SYN) ->
     irs[s] = x_cur.sq; rnxt[s] = x_cur.sq + 1;
     if :: x_ackok -> advance_una(s) :: else -> skip fi;
     if
     :: iss[s] < una[s] -> st[s] = ESTAB; output(s, 1)
     :: else -> passive[s] = 0; emit(F_SYN | F_ACK, iss[s], rnxt[s]); st[s] = SYN_RCVD
     fi
  fi
}

inline synchronized_arrives(s) {
  if
  :: x_sl == 0 -> x_acc = (rnxt[s] <= x_cur.sq && x_cur.sq < rnxt[s] + WND)
  :: else -> x_acc = ((rnxt[s] <= x_cur.sq && x_cur.sq < rnxt[s] + WND) ||
                    (rnxt[s] <= x_cur.sq + x_sl - 1 && x_cur.sq + x_sl - 1 < rnxt[s] + WND))
  fi;
  if
  :: !x_acc ->
     if
     :: (x_cur.fl & F_RST) -> skip
     :: else ->
        emit(F_ACK, nxt[s], rnxt[s]);
        if
        :: st[s] == TIME_WAIT && (x_cur.fl & F_FIN) && x_cur.sq + x_sl == rnxt[s] -> ttw[s] = 1
        :: else -> skip
        fi
     fi
  :: else ->
     x_tfl = x_cur.fl; x_tsq = x_cur.sq;
     if
     :: x_tsq < rnxt[s] && (x_tfl & F_SYN) -> x_tfl = x_tfl & (255 - F_SYN); x_tsq = x_tsq + 1
     :: else -> skip
     fi;
     if
     :: (x_cur.fl & F_RST) ->
        if
        :: x_cur.sq != rnxt[s] -> emit(F_ACK, nxt[s], rnxt[s])
        :: else -> if :: st[s] == SYN_RCVD && passive[s] -> back_to_listen(s)
                      :: else -> to_closed(s) fi
        fi
     :: !(x_cur.fl & F_RST) && (x_tfl & F_SYN) ->
        if
        :: st[s] == SYN_RCVD && passive[s] -> back_to_listen(s)
        :: else -> emit(F_ACK, nxt[s], rnxt[s])
        fi
     :: !(x_cur.fl & F_RST) && !(x_tfl & F_SYN) && !(x_tfl & F_ACK) -> skip
     :: !(x_cur.fl & F_RST) && !(x_tfl & F_SYN) && (x_tfl & F_ACK) ->
        x_cont = 1;
        if
        :: st[s] == SYN_RCVD ->
           if
           :: !(una[s] < x_cur.ak && x_cur.ak <= nxt[s]) -> x_tq = x_cur.ak; emit(F_RST, x_tq, 0); x_cont = 0
           :: else -> st[s] = ESTAB; if :: closereq[s] -> st[s] = FW1 :: else -> skip fi
           fi
        :: else -> skip
        fi;
        if
        :: x_cont && x_cur.ak > nxt[s] -> emit(F_ACK, nxt[s], rnxt[s]); x_cont = 0
        :: else -> skip
        fi;
        if
        :: x_cont && st[s] != TIME_WAIT ->
           if :: una[s] < x_cur.ak -> advance_una(s) :: else -> skip fi;
           if
           :: st[s] == FW1 && finacked[s] -> trtx[s] = 0; st[s] = FW2; tfw2[s] = FW2_TIMER
           :: st[s] == CLOSING ->
              if :: finacked[s] -> enter_time_wait(s) :: else -> output(s, 0) fi; x_cont = 0
           :: st[s] == LAST_ACK ->
              if :: finacked[s] -> to_closed(s) :: else -> output(s, 0) fi; x_cont = 0
           :: else -> skip
           fi
        :: else -> skip
        fi;
        if
        :: x_cont ->
           x_owed = 0;
           if :: (x_tfl & F_FIN) && x_tsq == rnxt[s] -> fin_arrives(s); x_owed = 1 :: else -> skip fi;
           if :: st[s] != CLOSED -> output(s, x_owed) :: else -> skip fi
        :: else -> skip
        fi
     fi
  fi
}

inline arrive(s) {
  x_sl = ((x_cur.fl & F_SYN) -> 1 : 0) + ((x_cur.fl & F_FIN) -> 1 : 0);
  if
  :: st[s] == CLOSED -> if :: (x_cur.fl & F_RST) -> skip :: else -> reset_for(s) fi
  :: st[s] == LISTEN ->
     if
     :: (x_cur.fl & F_RST) -> skip
     :: !(x_cur.fl & F_RST) && (x_cur.fl & F_ACK) -> reset_for(s)
     :: !(x_cur.fl & F_RST) && !(x_cur.fl & F_ACK) && !(x_cur.fl & F_SYN) -> skip
     :: !(x_cur.fl & F_RST) && !(x_cur.fl & F_ACK) && (x_cur.fl & F_SYN) ->
        start_incarnation(s); irs[s] = x_cur.sq; rnxt[s] = x_cur.sq + 1; passive[s] = 1;
        emit(F_SYN | F_ACK, iss[s], rnxt[s]); trtx[s] = 1; st[s] = SYN_RCVD
     fi
  :: st[s] == SYN_SENT -> syn_sent_arrives(s)
  :: else -> synchronized_arrives(s)
  fi
}

#define SYNC(s) (st[s] >= ESTAB && st[s] <= TIME_WAIT)
#define NO_CONN(s) (st[s] == CLOSED || st[s] == LISTEN)
/* After a step that was taken: the run's flags, agreement-when-quiet (with nothing in flight,
   no timer armed and no loss, ABORT or ending timeout since the network was last idle with no
   connection, both ends are synchronized or neither is), then the flags' reset. */
inline after_step() {
  if
  :: x_ok ->
     f_end = f_end || x_end; f_abort = f_abort || x_abort;
     if
     :: n[0] == 0 && n[1] == 0 && !trtx[0] && !ttw[0] && !tfw2[0] && !trtx[1] && !ttw[1] &&
        !tfw2[1] && !f_loss && !f_abort && !f_end -> assert(SYNC(0) == SYNC(1))
     :: else -> skip
     fi;
     network_update()
  :: else -> skip
  fi
}
inline network_update() {
  if
  :: n[0] == 0 && n[1] == 0 && NO_CONN(0) && NO_CONN(1) -> f_loss = 0; f_abort = 0; f_end = 0
  :: else -> skip
  fi
}

/* The state and FIN invariants of the catalogue that the abstraction keeps: I1, I11, I12, I13. */
inline check(s) {
  assert(st[s] == CLOSED || st[s] == LISTEN || una[s] <= nxt[s]);
  assert(!(st[s] == CLOSE_WAIT || st[s] == CLOSING || st[s] == LAST_ACK || st[s] == TIME_WAIT) ||
         finrcvd[s]);
  assert(!(st[s] == FW1 || st[s] == FW2 || st[s] == CLOSING || st[s] == LAST_ACK ||
           st[s] == TIME_WAIT) || closereq[s]);
  assert(st[s] != FW1 || (!finrcvd[s] && !finacked[s]));
  assert(st[s] != FW2 || (finsent[s] && finacked[s] && !finrcvd[s]));
  assert(!(st[s] == CLOSING || st[s] == LAST_ACK) || !finacked[s]);
  assert(st[s] != TIME_WAIT || (finsent[s] && finacked[s]));
  assert(st[s] != CLOSE_WAIT || !closereq[s])
}
)PML";

}  // namespace

PromelaModel promela_model(const ExploreConfig& c) {
  PromelaModel m;
  auto refuse = [&](std::string why) {
    m.error = "the Promela model does not cover this configuration: " + std::move(why);
    return m;
  };
  if (c.iss_a.size() != 1 || c.iss_b.size() != 1) return refuse("more than one ISS per side");
  Profile p[2];
  for (int s = 0; s < 2; ++s) {
    auto made = make_profile(s == 0 ? c.profile_a : c.profile_b);
    if (const auto* e = std::get_if<std::string>(&made)) return refuse(*e);
    p[s] = std::get<Profile>(made);
    // Everything but the settings the model takes as parameters must be the RFC's.
    Profile plain = Profile::rfc9293();
    plain.syn_retries = p[s].syn_retries;
    plain.data_retries = p[s].data_retries;
    plain.msl_ms = p[s].msl_ms;
    plain.fin_wait_2_timeout_ms = p[s].fin_wait_2_timeout_ms;
    plain.iss_increment = p[s].iss_increment;
    plain.user_timeout_ms = 0;
    if (!(plain == p[s])) {
      return refuse(
          "profile settings other than syn_retries, data_retries, msl_ms, "
          "fin_wait_2_timeout_ms, iss_increment and user_timeout_ms=0");
    }
  }
  if (!(p[0] == p[1])) return refuse("different profiles for A and B");
  if (c.capacity == 0 || c.capacity > 8) return refuse("capacity outside 1..8");
  for (const auto& side : c.sides) {
    if (side.calls[static_cast<std::size_t>(ExploreCall::Send)] ||
        side.calls[static_cast<std::size_t>(ExploreCall::Receive)]) {
      return refuse("SEND or RECEIVE (the model has no data)");
    }
  }
  const std::uint32_t iss[2] = {c.iss_a.front(), c.iss_b.front()};
  std::string out = "/* Generated by tcpfsm explore --spin from the configuration '" + c.name +
                    "' (harness/explorer.cpp, docs/explorer.md). */\n";
  auto define = [&](const std::string& name, long long v) {
    out += "#define " + name + " " + std::to_string(v) + "\n";
  };
  define("CAP", c.capacity);
  define("SYN_RETRIES", p[0].syn_retries);
  define("DATA_RETRIES", p[0].data_retries);
  define("FW2_TIMER", p[0].fin_wait_2_timeout_ms > 0 ? 1 : 0);
  define("INC", p[0].iss_increment);
  // Absolute 0 seen from each side's first ISS, as a signed distance.
  for (int s = 0; s < 2; ++s) {
    define("ZERO" + std::to_string(s), static_cast<std::int32_t>(0u - iss[s]));
  }
  out += kPromelaBody;

  // The world's loop: one option per choice of the explorer.
  out += "\nactive proctype world() {\n";
  for (int s = 0; s < 2; ++s) {
    const std::string S = std::to_string(s);
    out += "  st[" + S + "] = CLOSED; opens[" + S +
           "] = " + std::to_string(c.sides[static_cast<std::size_t>(s)].opens) + ";\n";
  }
  out += "  loss = " + std::to_string(c.loss) + "; dup = " + std::to_string(c.duplicate) +
         "; crash = " + std::to_string(c.crash) + ";\n";
  out += "  c_code { atexit(tcpfsm_dump); tcpfsm_pairs[now.st[0]][now.st[1]] = 1; };\n";
  out += "end:\n  do\n";
  for (int s = 0; s < 2; ++s) {
    const std::string S = std::to_string(s);
    const auto& calls = c.sides[static_cast<std::size_t>(s)].calls;
    auto option = [&](const std::string& guard, const std::string& body) {
      out += "  :: d_step { " + guard + "; save(" + S + "); " + body + "; commit(" + S +
             "); check(" + S + "); after_step() }\n";
    };
    // Calls that would be rejected change nothing, so only accepted ones are offered.
    if (calls[static_cast<std::size_t>(ExploreCall::OpenActive)]) {
      option("opens[" + S + "] > 0 && (st[" + S + "] == CLOSED || st[" + S + "] == LISTEN)",
             "open_active(" + S + "); opens[" + S + "]--");
    }
    if (calls[static_cast<std::size_t>(ExploreCall::OpenPassive)]) {
      option("opens[" + S + "] > 0 && st[" + S + "] == CLOSED",
             "st[" + S + "] = LISTEN; opens[" + S + "]--");
    }
    if (calls[static_cast<std::size_t>(ExploreCall::Close)]) {
      option("st[" + S + "] != CLOSED", "close_call(" + S + ")");
    }
    if (calls[static_cast<std::size_t>(ExploreCall::Abort)]) {
      option("st[" + S + "] != CLOSED", "abort_call(" + S + "); x_abort = 1");
    }
    option("trtx[" + S + "]", "retransmit(" + S + ")");
    option("ttw[" + S + "]", "to_closed(" + S + ")");
    option("tfw2[" + S + "]", "to_closed(" + S + "); x_end = 1");
    if (c.crash > 0) {
      option("crash > 0 && st[" + S + "] != CLOSED",
             "abort_call(" + S +
                 "); x_abort = 1; f_loss = f_loss || x_nout > 0; x_nout = 0; "
                 "crash--");
    }
    // Deliveries of what side s sent, to the other side.
    const std::string P = std::to_string(1 - s);
    for (std::uint32_t k = 0; k < c.capacity; ++k) {
      const std::string K = std::to_string(k);
      out += "  :: d_step { n[" + S + "] > " + K + "; save(" + P + "); x_cur.fl = net[" + S +
             "].e[" + K + "].fl; x_cur.sq = net[" + S + "].e[" + K + "].sq; x_cur.ak = net[" + S +
             "].e[" + K + "].ak; remove_seg(" + S + ", " + K + "); arrive(" + P + "); commit(" + P +
             "); check(" + P + "); after_step() }\n";
      if (c.loss > 0) {
        out += "  :: d_step { loss > 0 && n[" + S + "] > " + K + "; remove_seg(" + S + ", " + K +
               "); loss--; f_loss = 1; network_update() }\n";
      }
      if (c.duplicate > 0) {
        out += "  :: d_step { dup > 0 && n[" + S + "] > " + K + " && n[0] + n[1] < CAP; net[" + S +
               "].e[n[" + S + "]].fl = net[" + S + "].e[" + K + "].fl; net[" + S + "].e[n[" + S +
               "]].sq = net[" + S + "].e[" + K + "].sq; net[" + S + "].e[n[" + S + "]].ak = net[" +
               S + "].e[" + K + "].ak; n[" + S + "]++; sort_dir(" + S + "); dup-- }\n";
      }
    }
  }
  out += "  od\n}\n";
  m.text = std::move(out);
  return m;
}

namespace {

// Runs a shell command, keeping its standard output and error; true when it exited with 0.
bool capture(const std::string& cmd, std::string& out) {
  out.clear();
  FILE* f = popen((cmd + " 2>&1").c_str(), "r");
  if (f == nullptr) return false;
  char buf[4096];
  while (std::size_t got = std::fread(buf, 1, sizeof buf, f)) out.append(buf, got);
  return pclose(f) == 0;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char ch : s) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

// The number written just before `key` in pan's report ("  604 states, stored").
double number_before(const std::string& log, const std::string& key) {
  const auto at = log.find(key);
  if (at == std::string::npos) return -1;
  std::size_t end = at;
  while (end > 0 && log[end - 1] == ' ') --end;
  std::size_t begin = end;
  while (begin > 0 && (std::isdigit(static_cast<unsigned char>(log[begin - 1])) ||
                       log[begin - 1] == '.' || log[begin - 1] == 'e' || log[begin - 1] == '+')) {
    --begin;
  }
  return std::atof(log.substr(begin, end - begin).c_str());
}
double number_after(const std::string& log, const std::string& key) {
  const auto at = log.find(key);
  return at == std::string::npos ? -1 : std::atof(log.c_str() + at + key.size());
}

}  // namespace

SpinResult run_spin(const ExploreConfig& config, std::string dir) {
  SpinResult r;
  const PromelaModel model = promela_model(config);
  if (!model.error.empty()) {
    r.error = model.error;
    return r;
  }
  if (std::system("command -v spin >/dev/null 2>&1 && command -v cc >/dev/null 2>&1") != 0) {
    r.error = "spin or cc is not installed (Debian packages 'spin' and 'gcc')";
    return r;
  }
  if (dir.empty()) {
    char tmpl[] = "/tmp/tcpfsm-spin-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) {
      r.error = "cannot make a directory for spin's files";
      return r;
    }
    dir = tmpl;
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  r.dir = dir;
  {
    std::ofstream out(dir + "/model.pml", std::ios::binary);
    out << model.text;
    if (!out) {
      r.error = dir + "/model.pml: cannot write";
      return r;
    }
  }
  std::string log;
  const std::string cd = "cd " + shell_quote(dir) + " && ";
  if (!capture(cd + "spin -a model.pml", log) ||
      !capture(cd + "cc -O2 -DSAFETY -fwrapv -w -o pan pan.c", log)) {
    r.error = "building spin's verifier failed: " + log.substr(0, 2000);
    return r;
  }
  const auto start = std::chrono::steady_clock::now();
  capture(cd + "./pan -c0 -m1000000", log);
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::ofstream(dir + "/pan.out", std::ios::binary) << log;
  const double stored = number_before(log, " states, stored");
  if (stored < 0) {
    r.error = "pan did not report its states: " + log.substr(0, 2000);
    return r;
  }
  r.states = static_cast<std::uint64_t>(stored);
  r.errors = static_cast<std::uint64_t>(std::max(0.0, number_after(log, "errors: ")));
  const double elapsed = number_after(log, "pan: elapsed time ");
  r.seconds = elapsed > 0 ? elapsed : r.wall_seconds;
  if (const auto at = log.find("tcpfsm-pairs:"); at != std::string::npos) {
    const auto eol = log.find('\n', at);
    std::istringstream in(log.substr(at + 13, eol == std::string::npos ? eol : eol - at - 13));
    std::string pair;
    while (in >> pair) {
      const auto comma = pair.find(',');
      if (comma == std::string::npos) continue;
      const int a = std::atoi(pair.substr(0, comma).c_str());
      const int b = std::atoi(pair.substr(comma + 1).c_str());
      if (a >= 0 && a < 11 && b >= 0 && b < 11) {
        r.pairs[static_cast<std::size_t>(a)][static_cast<std::size_t>(b)] = true;
      }
    }
  }
  return r;
}

ExploreResult explore(const ExploreConfig& config, const ExploreOptions& options) {
  Explorer e(config, options);
  return e.run();
}

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
