// Conformance cases: JSON, relative numbering, the model side of a scenario, replay and
// comparison, scripts as scenarios, random scenarios. See conformance.hpp.
#include "harness/conformance.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/state.hpp"
#include "harness/network.hpp"

namespace tcpfsm::harness::conformance {

using nlohmann::json;

namespace {

constexpr std::uint32_t kSettleMs = 40;  // the settle window of FORMAT.md

// The signed 32-bit distance from `base` to `abs`: how the format writes relative numbers.
std::int64_t rel32(std::uint32_t abs, std::uint32_t base) {
  return static_cast<std::int32_t>(abs - base);
}
std::uint32_t low32(std::int64_t v) {
  return static_cast<std::uint32_t>(v);
}
bool same32(std::int64_t a, std::int64_t b) {
  return low32(a) == low32(b);
}

}  // namespace

// ------------------------------------------------------------------------------------------
// Names

std::string_view to_string(Role r) {
  switch (r) {
    case Role::Server: return "server";
    case Role::Client: return "client";
    case Role::Closed: return "closed";
  }
  return "?";
}

std::optional<Role> parse_role(std::string_view s) {
  for (Role r : {Role::Server, Role::Client, Role::Closed}) {
    if (to_string(r) == s) return r;
  }
  return std::nullopt;
}

std::string_view to_string(Op op) {
  switch (op) {
    case Op::Inject: return "inject";
    case Op::Connect: return "connect";
    case Op::Accept: return "accept";
    case Op::Send: return "send";
    case Op::Read: return "read";
    case Op::ShutdownWr: return "shutdown_wr";
    case Op::Close: return "close";
    case Op::Abort: return "abort";
    case Op::CloseListener: return "close_listener";
    case Op::Wait: return "wait";
  }
  return "?";
}

std::optional<Op> parse_op(std::string_view s) {
  for (Op op : {Op::Inject, Op::Connect, Op::Accept, Op::Send, Op::Read, Op::ShutdownWr, Op::Close,
                Op::Abort, Op::CloseListener, Op::Wait}) {
    if (to_string(op) == s) return op;
  }
  return std::nullopt;
}

std::string flags_of(std::uint8_t ctl) {
  std::string f;
  if (ctl & kSyn) f += 'S';
  if (ctl & kFin) f += 'F';
  if (ctl & kRst) f += 'R';
  if (ctl & kPsh) f += 'P';
  if (ctl & kAck) f += 'A';
  if (ctl & kUrg) f += 'U';
  return f;
}

std::optional<std::uint8_t> ctl_of(std::string_view flags) {
  std::uint8_t ctl = 0;
  for (char c : flags) {
    switch (c) {
      case 'S': ctl |= kSyn; break;
      case 'F': ctl |= kFin; break;
      case 'R': ctl |= kRst; break;
      case 'P': ctl |= kPsh; break;
      case 'A': ctl |= kAck; break;
      case 'U': ctl |= kUrg; break;
      default: return std::nullopt;
    }
  }
  return ctl;
}

std::string describe(const WireSegment& s) {
  std::string out = "[" + (s.flags.empty() ? std::string("-") : s.flags) + " ";
  out += s.seq_abs0 ? std::string("abs0") : std::to_string(s.seq);
  out += ":" + (s.ack ? std::to_string(*s.ack) : std::string("-"));
  if (s.len > 0) out += " len " + std::to_string(s.len);
  return out + "]";
}

namespace {
std::string spec_text(const NumberSpec& n) {
  if (!n.from_nxt) return std::to_string(n.offset);
  if (n.offset == 0) return "nxt";
  return n.offset > 0 ? "nxt+" + std::to_string(n.offset) : "nxt" + std::to_string(n.offset);
}
}  // namespace

std::string describe(const ScenarioStep& s) {
  std::string out(to_string(s.op));
  switch (s.op) {
    case Op::Inject:
      out += " " + (s.flags.empty() ? std::string("-") : s.flags);
      if (s.seq) out += " seq=" + spec_text(*s.seq);
      if (s.ack) out += " ack=" + spec_text(*s.ack);
      if (s.len > 0) out += " len=" + std::to_string(s.len);
      if (s.win != 65535) out += " win=" + std::to_string(s.win);
      break;
    case Op::Send: out += " " + std::to_string(s.n); break;
    case Op::Wait: out += " " + std::to_string(s.ms) + "ms"; break;
    case Op::Connect:
    case Op::Accept:
    case Op::Read:
    case Op::ShutdownWr:
    case Op::Close:
    case Op::Abort:
    case Op::CloseListener: break;
  }
  return out;
}

// ------------------------------------------------------------------------------------------
// JSON

namespace {

struct BadCase {
  std::string what;
};

NumberSpec number_spec(const json& v, const char* field) {
  if (v.is_number_integer()) return NumberSpec{false, v.get<std::int64_t>()};
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s.rfind("nxt", 0) == 0) {
      if (s.size() == 3) return NumberSpec{true, 0};
      const char sign = s[3];
      const std::string digits = s.substr(4);
      const bool ok =
          (sign == '+' || sign == '-') && !digits.empty() && digits.size() < 12 &&
          std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (ok) {
        const std::int64_t k = std::stoll(digits);
        return NumberSpec{true, sign == '+' ? k : -k};
      }
    }
  }
  throw BadCase{std::string("bad '") + field + "': expected an integer or nxt, nxt+K, nxt-K"};
}

json number_json(const NumberSpec& n) {
  if (!n.from_nxt) return n.offset;
  return spec_text(n);
}

std::uint32_t u32(const json& o, const char* field, std::uint32_t fallback) {
  if (!o.contains(field) || o[field].is_null()) return fallback;
  const json& v = o[field];
  if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() > 0xFFFFFFFFLL) {
    throw BadCase{std::string("bad '") + field + "': expected a non-negative integer"};
  }
  return static_cast<std::uint32_t>(v.get<std::int64_t>());
}

std::uint32_t u32_at(const json& arr, std::size_t index) {
  if (index >= arr.size() || !arr[index].is_number_integer()) return 0;
  return static_cast<std::uint32_t>(arr[index].get<std::int64_t>());
}

std::string str(const json& o, const char* field, std::string fallback = "") {
  if (!o.contains(field) || o[field].is_null()) return fallback;
  if (!o[field].is_string()) throw BadCase{std::string("bad '") + field + "': expected a string"};
  return o[field].get<std::string>();
}

Scenario scenario_of(const json& j) {
  if (!j.is_object()) throw BadCase{"a scenario must be an object"};
  Scenario s;
  s.name = str(j, "name");
  const auto role = parse_role(str(j, "role", "server"));
  if (!role) throw BadCase{"bad 'role': expected server, client or closed"};
  s.role = *role;
  s.desc = str(j, "desc");
  if (!j.contains("steps") || !j["steps"].is_array()) throw BadCase{"a scenario needs 'steps'"};
  for (const json& st : j["steps"]) {
    if (!st.is_object()) throw BadCase{"a step must be an object"};
    ScenarioStep step;
    const auto op = parse_op(str(st, "op"));
    if (!op) throw BadCase{"unknown op '" + str(st, "op") + "'"};
    step.op = *op;
    if (step.op == Op::Inject) {
      step.flags = str(st, "flags");
      if (!ctl_of(step.flags)) throw BadCase{"bad flags '" + step.flags + "'"};
      if (st.contains("seq") && !st["seq"].is_null()) step.seq = number_spec(st["seq"], "seq");
      if (st.contains("ack") && !st["ack"].is_null()) step.ack = number_spec(st["ack"], "ack");
      step.len = u32(st, "len", 0);
      step.win = u32(st, "win", 65535);
    }
    step.n = u32(st, "n", 0);
    step.ms = u32(st, "ms", 0);
    if (step.ms > 10000) throw BadCase{"a wait is at most 10000 ms"};
    s.steps.push_back(step);
  }
  if (j.contains("sysctl") && j["sysctl"].is_object()) {
    for (const auto& [k, v] : j["sysctl"].items()) {
      if (!v.is_number_integer()) throw BadCase{"sysctl '" + k + "' must be an integer"};
      s.sysctl.emplace_back(k, v.get<std::int64_t>());
    }
  }
  return s;
}

json scenario_json(const Scenario& s) {
  json j;
  j["name"] = s.name;
  j["role"] = std::string(to_string(s.role));
  j["desc"] = s.desc;
  json steps = json::array();
  for (const ScenarioStep& st : s.steps) {
    json o;
    o["op"] = std::string(to_string(st.op));
    if (st.op == Op::Inject) {
      o["flags"] = st.flags;
      if (st.seq) o["seq"] = number_json(*st.seq);
      if (st.ack) o["ack"] = number_json(*st.ack);
      if (st.len != 0) o["len"] = st.len;
      if (st.win != 65535) o["win"] = st.win;
    }
    if (st.op == Op::Send) o["n"] = st.n;
    if (st.op == Op::Wait) o["ms"] = st.ms;
    steps.push_back(o);
  }
  j["steps"] = steps;
  if (!s.sysctl.empty()) {
    json sys = json::object();
    for (const auto& [k, v] : s.sysctl) sys[k] = v;
    j["sysctl"] = sys;
  }
  return j;
}

WireSegment segment_of(const json& j, bool sent) {
  if (!j.is_object()) throw BadCase{"a segment must be an object"};
  WireSegment w;
  w.flags = str(j, "flags");
  const json& seq = j.contains("seq") ? j["seq"] : json();
  if (seq.is_string() && seq.get<std::string>() == "abs0") {
    w.seq_abs0 = true;
  } else if (seq.is_number_integer()) {
    w.seq = seq.get<std::int64_t>();
  } else {
    throw BadCase{"bad segment 'seq'"};
  }
  if (j.contains("ack") && !j["ack"].is_null()) {
    if (!j["ack"].is_number_integer()) throw BadCase{"bad segment 'ack'"};
    w.ack = j["ack"].get<std::int64_t>();
  }
  w.len = u32(j, "len", 0);
  w.win = u32(j, "win", 0);
  if (!sent && j.contains("opts") && j["opts"].is_array()) {
    for (const json& o : j["opts"]) {
      if (o.is_string()) w.opts.push_back(o.get<std::string>());
    }
  }
  if (j.contains("iss_delta") && j["iss_delta"].is_number_integer()) {
    w.iss_delta = j["iss_delta"].get<std::int64_t>();
  }
  return w;
}

json segment_json(const WireSegment& w, bool sent) {
  json j;
  j["flags"] = w.flags;
  if (w.seq_abs0) {
    j["seq"] = "abs0";
  } else {
    j["seq"] = w.seq;
  }
  j["ack"] = w.ack ? json(*w.ack) : json();
  j["len"] = w.len;
  j["win"] = w.win;
  if (!sent && !w.opts.empty()) j["opts"] = w.opts;
  if (w.iss_delta) j["iss_delta"] = *w.iss_delta;
  return j;
}

Case case_of(const json& j) {
  if (!j.is_object()) throw BadCase{"a case must be an object"};
  Case c;
  c.name = str(j, "name");
  c.source = str(j, "source");
  if (!j.contains("scenario")) throw BadCase{"a case needs 'scenario'"};
  c.scenario = scenario_of(j["scenario"]);
  if (j.contains("runs") && j["runs"].is_number_integer()) c.runs = j["runs"].get<int>();
  if (j.contains("deterministic") && j["deterministic"].is_boolean()) {
    c.deterministic = j["deterministic"].get<bool>();
  }
  if (!j.contains("steps") || !j["steps"].is_array()) throw BadCase{"a case needs 'steps'"};
  for (const json& st : j["steps"]) {
    if (!st.is_object()) throw BadCase{"a step must be an object"};
    StepRecord r;
    r.i = st.contains("i") && st["i"].is_number_integer() ? st["i"].get<int>()
                                                          : static_cast<int>(c.steps.size());
    const auto op = parse_op(str(st, "op"));
    if (!op) throw BadCase{"unknown op '" + str(st, "op") + "' in step " + std::to_string(r.i)};
    r.op = *op;
    if (st.contains("sent") && !st["sent"].is_null()) r.sent = segment_of(st["sent"], true);
    if (st.contains("app") && !st["app"].is_null()) r.app = st["app"].dump();
    r.n = u32(st, "n", 0);
    r.ms = u32(st, "ms", 0);
    if (st.contains("segments") && st["segments"].is_array()) {
      for (const json& s : st["segments"]) r.segments.push_back(segment_of(s, false));
    }
    r.state = str(st, "state", "CLOSED");
    r.sock = str(st, "sock");
    if (st.contains("queues") && st["queues"].is_array() && st["queues"].size() == 2) {
      r.queues = std::pair{u32_at(st["queues"], 0), u32_at(st["queues"], 1)};
    }
    if (st.contains("listener") && st["listener"].is_boolean()) {
      r.listener = st["listener"].get<bool>();
    }
    if (st.contains("t_ms") && st["t_ms"].is_number()) r.t_ms = st["t_ms"].get<double>();
    if (st.contains("deterministic") && st["deterministic"].is_boolean()) {
      r.deterministic = st["deterministic"].get<bool>();
    }
    c.steps.push_back(std::move(r));
  }
  if (c.steps.size() != c.scenario.steps.size()) {
    throw BadCase{"the case has " + std::to_string(c.steps.size()) + " steps, its scenario " +
                  std::to_string(c.scenario.steps.size())};
  }
  for (std::size_t k = 0; k < c.steps.size(); ++k) {
    if (c.steps[k].op != c.scenario.steps[k].op) {
      throw BadCase{"step " + std::to_string(k) + " is not the scenario's step"};
    }
  }
  return c;
}

}  // namespace

std::variant<Case, std::string> parse_case(std::string_view text) {
  const json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return std::string("not valid JSON");
  try {
    return case_of(j);
  } catch (const BadCase& e) {
    return e.what;
  } catch (const json::exception& e) {
    return std::string("unexpected JSON: ") + e.what();
  }
}

std::variant<Scenario, std::string> parse_scenario(std::string_view text) {
  const json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return std::string("not valid JSON");
  try {
    return scenario_of(j);
  } catch (const BadCase& e) {
    return e.what;
  } catch (const json::exception& e) {
    return std::string("unexpected JSON: ") + e.what();
  }
}

std::string to_json(const Scenario& s) {
  return scenario_json(s).dump(1);
}

std::string to_json(const Case& c) {
  json j;
  j["name"] = c.name;
  j["source"] = c.source;
  j["scenario"] = scenario_json(c.scenario);
  j["runs"] = c.runs;
  json steps = json::array();
  for (const StepRecord& r : c.steps) {
    json o;
    o["i"] = r.i;
    o["op"] = std::string(to_string(r.op));
    if (r.sent) o["sent"] = segment_json(*r.sent, true);
    if (!r.app.empty()) o["app"] = json::parse(r.app, nullptr, false);
    if (r.op == Op::Send) o["n"] = r.n;
    if (r.op == Op::Wait) o["ms"] = r.ms;
    json segs = json::array();
    for (const WireSegment& w : r.segments) segs.push_back(segment_json(w, false));
    o["segments"] = segs;
    o["state"] = r.state;
    o["sock"] = r.sock.empty() ? json() : json(r.sock);
    o["queues"] = r.queues ? json::array({r.queues->first, r.queues->second}) : json();
    o["listener"] = r.listener;
    o["t_ms"] = std::round(r.t_ms * 10.0) / 10.0;
    o["deterministic"] = r.deterministic;
    steps.push_back(o);
  }
  j["steps"] = steps;
  j["deterministic"] = c.deterministic;
  return j.dump(1) + "\n";
}

std::variant<std::vector<Case>, std::string> load_cases(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return "not a directory: " + dir;
  std::vector<fs::path> files;
  // Recursive, so that a recording's subdirectories (switches/, library/, random/) load as one.
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".json") files.push_back(it->path());
  }
  if (ec) return "cannot read " + dir + ": " + ec.message();
  std::sort(files.begin(), files.end());
  std::vector<Case> cases;
  for (const fs::path& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    auto parsed = parse_case(buf.str());
    if (auto* msg = std::get_if<std::string>(&parsed)) return f.string() + ": " + *msg;
    cases.push_back(std::move(std::get<Case>(parsed)));
  }
  return cases;
}

// ------------------------------------------------------------------------------------------
// Relative numbering

WireSegment Numbering::resolve(const ScenarioStep& step) const {
  WireSegment w;
  const std::uint8_t ctl = ctl_of(step.flags).value_or(0);
  w.flags = flags_of(ctl);
  const NumberSpec seq = step.seq.value_or(NumberSpec{true, 0});
  w.seq = seq.from_nxt ? injector_nxt_ + seq.offset : seq.offset;
  if (ctl & kAck) {
    const NumberSpec ack = step.ack.value_or(NumberSpec{true, 0});
    w.ack = ack.from_nxt ? stack_nxt_ + ack.offset : ack.offset;
  }
  w.len = step.len;
  w.win = step.win;
  return w;
}

Segment Numbering::to_absolute(const WireSegment& sent) const {
  Segment s;
  s.ctl = ctl_of(sent.flags).value_or(0);
  s.seq = SeqNum(injector_iss_ + low32(sent.seq));
  if (sent.ack) s.ack = SeqNum(stack_iss_.value_or(0) + low32(*sent.ack));
  s.len = sent.len;
  s.wnd = sent.win;
  return s;
}

void Numbering::injected(const WireSegment& sent) {
  const std::uint8_t ctl = ctl_of(sent.flags).value_or(0);
  const std::int64_t fin = (ctl & kFin) ? 1 : 0;
  if ((ctl & kSyn) && !injector_sent_syn_) {
    injector_sent_syn_ = true;
    injector_nxt_ = sent.seq + 1 + sent.len + fin;
    return;
  }
  if (!(ctl & kRst) && same32(sent.seq, injector_nxt_)) injector_nxt_ += sent.len + fin;
}

WireSegment Numbering::observed(const Segment& seg) {
  WireSegment w;
  w.flags = flags_of(seg.ctl);
  w.len = seg.len;
  w.win = seg.wnd;
  if (seg.syn()) {
    if (stack_iss_ && *stack_iss_ != seg.seq.raw()) w.iss_delta = rel32(seg.seq.raw(), *stack_iss_);
    stack_iss_ = seg.seq.raw();
    stack_nxt_ = 1;
  }
  w.seq = rel32(seg.seq.raw(), stack_iss_.value_or(0));
  w.seq_abs0 = seg.rst() && seg.seq.raw() == 0 && stack_iss_.has_value();
  if (seg.ack_flag()) w.ack = rel32(seg.ack.raw(), injector_iss_);
  if (!seg.rst()) {
    const std::int64_t end = w.seq + seg.seg_len();
    if (static_cast<std::int32_t>(low32(end) - low32(stack_nxt_)) > 0) stack_nxt_ = end;
  }
  return w;
}

// ------------------------------------------------------------------------------------------
// The model side

namespace {

// Every switch of the table in docs/linux-deviations.md; a switch that is the profile's value
// of an older field (msl_ms, syn_retries, ...) goes back to Profile{}'s.
constexpr LinuxSwitch kLinuxSwitches[] = {
    {"msl_ms", [](Profile& p) { p.msl_ms = Profile{}.msl_ms; }},
    {"time_wait_syn", [](Profile& p) { p.time_wait_syn = Profile{}.time_wait_syn; }},
    {"half_duplex_close", [](Profile& p) { p.half_duplex_close = false; }},
    {"syn_text", [](Profile& p) { p.syn_text = Profile{}.syn_text; }},
    {"receive_buffer", [](Profile& p) { p.receive_buffer = Profile{}.receive_buffer; }},
    {"syn_retries", [](Profile& p) { p.syn_retries = Profile{}.syn_retries; }},
    {"iss_increment", [](Profile& p) { p.iss_increment = Profile{}.iss_increment; }},
    {"own_rst_with_ack", [](Profile& p) { p.own_rst_with_ack = false; }},
    {"old_ack_bound_by_acked", [](Profile& p) { p.old_ack_bound_by_acked = false; }},
    {"syn_sent_bad_ack_resends_syn", [](Profile& p) { p.syn_sent_bad_ack_resends_syn = false; }},
    {"syn_ack_text_discarded", [](Profile& p) { p.syn_ack_text_discarded = false; }},
    {"rst_accepts_rcv_nxt_minus_1", [](Profile& p) { p.rst_accepts_rcv_nxt_minus_1 = false; }},
    {"time_wait_mini_socket", [](Profile& p) { p.time_wait_mini_socket = false; }},
    {"orphan_fin_wait_2", [](Profile& p) { p.orphan_fin_wait_2 = false; }},
    {"data_after_close_resets", [](Profile& p) { p.data_after_close_resets = false; }},
    {"data_after_fin_resets", [](Profile& p) { p.data_after_fin_resets = false; }},
    {"request_socket", [](Profile& p) { p.request_socket = false; }},
    {"nagle", [](Profile& p) { p.nagle = false; }},
    {"handshake_rtt_sample", [](Profile& p) { p.handshake_rtt_sample = false; }},
    {"linux_sequence_test", [](Profile& p) { p.linux_sequence_test = false; }},
    {"repeated_fin_unacked", [](Profile& p) { p.repeated_fin_unacked = false; }},
    {"drop_without_ack_rst_syn", [](Profile& p) { p.drop_without_ack_rst_syn = false; }},
    {"syn_received_accepts_ack_of_una",
     [](Profile& p) { p.syn_received_accepts_ack_of_una = false; }},
    {"fast_path_keeps_data", [](Profile& p) { p.fast_path_keeps_data = false; }},
    {"syn_linear_timeouts", [](Profile& p) { p.syn_linear_timeouts = 0; }},
    {"syn_ack_completes_simultaneous_open",
     [](Profile& p) { p.syn_ack_completes_simultaneous_open = false; }},
    {"window_update_when_doubled", [](Profile& p) { p.window_update_when_doubled = false; }},
};

}  // namespace

std::span<const LinuxSwitch> linux_switches() {
  return kLinuxSwitches;
}

Profile profile_for(const Profile& base, const Scenario& scenario) {
  Profile p = base;
  const bool linux_profile = base.name == "linux";
  if (linux_profile) {
    // The sysctls of the set-up (FORMAT.md), then the case's own.
    p.rto_min_ms = 3000;
    p.fin_wait_2_timeout_ms = 60'000;
    for (const auto& [key, value] : scenario.sysctl) {
      const auto v = static_cast<std::uint32_t>(std::clamp<std::int64_t>(value, 0, 0x7FFFFFFF));
      if (key == "tcp_rto_min_us") p.rto_min_ms = v / 1000;
      if (key == "tcp_fin_timeout") p.fin_wait_2_timeout_ms = v * 1000;
      if (key == "tcp_rfc1337") p.time_wait_rst = v ? TimeWaitRst::Ignore : TimeWaitRst::Accept;
      if (key == "tcp_syn_retries") p.syn_retries = v;
      if (key == "tcp_retries2") p.data_retries = v;
    }
  }
  if (scenario.role != Role::Server) p.time_wait_syn = TimeWaitSyn::ChallengeAck;
  // shutdown(SHUT_WR), then perhaps close(): docs/linux-deviations.md, exception E1.
  const bool shuts_down = std::any_of(scenario.steps.begin(), scenario.steps.end(),
                                      [](const ScenarioStep& s) { return s.op == Op::ShutdownWr; });
  if (shuts_down) {
    p.half_duplex_close = false;
    p.orphan_fin_wait_2 = false;
    p.data_after_close_resets = false;
    p.fin_wait_2_timeout_ms = 0;
  }
  return p;
}

namespace {
constexpr std::uint32_t kIssSpacing = 0x01000000;
}

ModelSide::ModelSide(Role role, const Profile& profile, EndpointFactory factory, std::uint32_t iss)
    : role_(role), profile_(profile), factory_(factory), next_iss_(iss) {
  conn_ = factory_(profile_, SeqNum(next_iss_));
  next_iss_ += kIssSpacing;
  if (role_ == Role::Server) {
    listener_alive_ = true;
    conn_->step(OpenCall{.passive = true, .remote_specified = false}, 0);
  }
  if (role_ == Role::Client) app_generation_ = 0;
}

void ModelSide::run(const Event& e, Millis now, std::vector<Segment>& out) {
  const Outcome o = conn_->step(e, now);
  out.insert(out.end(), o.sent.begin(), o.sent.end());
  for (std::size_t t = 0; t < deadline_.size(); ++t) {
    const auto d = conn_->deadline(static_cast<TimerKind>(t));
    if (d != deadline_[t]) {
      deadline_[t] = d;
      armed_at_[t] = now;
    }
  }
  // A SYN that reopened TIME-WAIT (digest L3) starts a connection the application's old
  // socket knows nothing of.
  if (o.from == State::TimeWait && o.to == State::SynReceived) ++generation_;
}

std::vector<Segment> ModelSide::advance(Millis now) {
  std::vector<Segment> out;
  for (const TimedSegment& t : advance_timed(now)) out.push_back(t.seg);
  return out;
}

std::vector<ModelSide::TimedSegment> ModelSide::advance_timed(Millis now) {
  std::vector<TimedSegment> out;
  for (auto next = conn_->next_timer(); next && next->second <= now; next = conn_->next_timer()) {
    const auto kind = static_cast<std::size_t>(next->first);
    const Millis timeout = next->second - std::min(next->second, armed_at_[kind]);
    std::vector<Segment> sent;
    run(TimerExpires{next->first}, next->second, sent);
    for (const Segment& s : sent) out.push_back({s, next->second, timeout / 8 + 10});
  }
  return out;
}

// The listener answers for a 4-tuple whose connection is gone: a fresh passive endpoint.
void ModelSide::respawn_listener(Millis now, std::vector<Segment>&) {
  conn_ = factory_(profile_, SeqNum(next_iss_));
  next_iss_ += kIssSpacing;
  ++generation_;
  deadline_ = {};
  conn_->step(OpenCall{.passive = true, .remote_specified = false}, now);
}

bool ModelSide::app_owns_connection() const {
  return app_generation_ && *app_generation_ == generation_ && !app_closed_;
}

std::vector<Segment> ModelSide::inject(const Segment& seg, Millis now) {
  std::vector<Segment> out = advance(now);
  if (role_ == Role::Server && listener_alive_ && conn_->state() == State::Closed) {
    respawn_listener(now, out);
  }
  run(SegmentArrives{seg}, now, out);
  return out;
}

std::vector<Segment> ModelSide::app(Op op, std::uint32_t n, Millis now) {
  std::vector<Segment> out = advance(now);
  const State st = conn_->state();
  const auto tcb = conn_->tcb();
  switch (op) {
    case Op::Inject:
    case Op::Wait: break;
    case Op::Connect:
      if (role_ == Role::Client && !app_connected_) {
        app_connected_ = true;
        run(OpenCall{.passive = false, .remote_specified = true}, now, out);
      }
      break;
    case Op::Accept:
      // accept() hands over a connection that finished its handshake and is not the
      // application's already.
      if (role_ == Role::Server && st != State::Listen && st != State::SynReceived &&
          st != State::Closed && app_generation_ != generation_) {
        app_generation_ = generation_;
        app_closed_ = false;
        shut_wr_ = false;
      }
      break;
    case Op::Send:
      // A non-blocking send() before ESTABLISHED or after our FIN fails; nothing is queued.
      if (app_owns_connection() && !shut_wr_ &&
          (st == State::Established || st == State::CloseWait)) {
        run(SendCall{.len = n, .urgent = false}, now, out);
      }
      break;
    case Op::Read:
      // Only a read that finds data changes anything; an empty one returns EAGAIN or EOF and
      // leaves no RECEIVE waiting.
      if (app_owns_connection() && tcb && tcb->recv_unread > 0) {
        run(ReceiveCall{.max_len = 0}, now, out);
      }
      break;
    case Op::ShutdownWr:
      if (app_owns_connection() && !shut_wr_) {
        shut_wr_ = true;
        if (st == State::Established || st == State::SynSent || st == State::SynReceived ||
            st == State::CloseWait) {
          run(CloseCall{}, now, out);
        }
      }
      break;
    case Op::Close:
    case Op::Abort:
      if (app_owns_connection()) {
        app_closed_ = true;
        // A TIME-WAIT (or a closed connection) is no longer attached to the descriptor;
        // after shutdown the FIN is already out.
        const bool finished = st == State::TimeWait || st == State::Closed;
        const bool fin_out = shut_wr_ && op == Op::Close && st != State::Established &&
                             st != State::CloseWait && st != State::SynSent &&
                             st != State::SynReceived;
        if (!finished && !fin_out) {
          if (op == Op::Close) {
            run(CloseCall{}, now, out);
          } else {
            run(AbortCall{}, now, out);
          }
        }
      }
      break;
    case Op::CloseListener:
      if (role_ == Role::Server && listener_alive_) {
        listener_alive_ = false;
        if (st == State::Listen) {
          run(CloseCall{}, now, out);
        } else if (st == State::SynReceived && !app_owns_connection()) {
          // A request socket dies with its listener, silently.
          conn_ = factory_(profile_, SeqNum(next_iss_));
          next_iss_ += kIssSpacing;
          ++generation_;
        } else if (st != State::Closed && app_generation_ != generation_) {
          // An established child nobody accepted is reset (inet_csk_listen_stop).
          run(AbortCall{}, now, out);
        }
      }
      break;
  }
  return out;
}

std::string ModelSide::state() const {
  const State st = conn_->state();
  if (st == State::Listen) return "CLOSED";  // the listener is not the connection
  return std::string(tcpfsm::to_string(st));
}

std::string ModelSide::sock() const {
  const State st = conn_->state();
  switch (st) {
    case State::Closed:
      return role_ == Role::Client && app_connected_ && !app_closed_ ? "full" : "";
    case State::Listen: return "";
    case State::SynReceived: return role_ == Role::Server ? "request" : "full";
    case State::TimeWait: return "timewait";
    case State::FinWait2: return profile_.orphan_fin_wait_2 && app_closed_ ? "timewait" : "full";
    case State::SynSent:
    case State::Established:
    case State::FinWait1:
    case State::CloseWait:
    case State::Closing:
    case State::LastAck: return "full";
  }
  return "full";
}

std::optional<std::pair<std::uint32_t, std::uint32_t>> ModelSide::queues() const {
  const State st = conn_->state();
  const auto tcb = conn_->tcb();
  if (!tcb || st == State::Closed || st == State::Listen) return std::nullopt;
  return std::pair{tcb->recv_unread, tcb->snd_nxt.since(tcb->snd_una) + tcb->send_queued};
}

// ------------------------------------------------------------------------------------------
// Replay and comparison

namespace {

constexpr std::uint32_t kModelIss = 4294967000u;  // the model's numbers wrap early in a case
constexpr std::uint32_t kInjectorIss = 4294960000u;

bool same_segment(const WireSegment& want, const WireSegment& got) {
  if (want.flags != got.flags || want.len != got.len) return false;
  if (want.seq_abs0 != got.seq_abs0) return false;
  if (!want.seq_abs0 && !same32(want.seq, got.seq)) return false;
  if (want.ack.has_value() != got.ack.has_value()) return false;
  return !want.ack || same32(*want.ack, *got.ack);
}

bool same_segments(const std::vector<WireSegment>& want, const std::vector<WireSegment>& got) {
  if (want.size() != got.size()) return false;
  for (std::size_t k = 0; k < want.size(); ++k) {
    if (!same_segment(want[k], got[k])) return false;
  }
  return true;
}

std::string segments_text(const std::vector<WireSegment>& segs) {
  if (segs.empty()) return "-";
  std::string out;
  for (const WireSegment& w : segs) out += (out.empty() ? "" : " ") + describe(w);
  return out;
}

}  // namespace

std::optional<int> CaseReport::first_divergence() const {
  for (const StepVerdict& v : verdicts) {
    if (!v.ok()) return v.i;
  }
  return std::nullopt;
}

CaseReport replay(const Case& c, const Profile& base, EndpointFactory factory) {
  CaseReport report;
  report.name = c.name;
  const Profile profile = profile_for(base, c.scenario);
  ModelSide model(c.scenario.role, profile, factory, kModelIss);
  Numbering numbers(kInjectorIss);
  Millis prev_end = 0;
  std::vector<std::size_t> late_timer_segments;
  for (std::size_t k = 0; k < c.steps.size(); ++k) {
    const StepRecord& want = c.steps[k];
    const ScenarioStep& spec = c.scenario.steps[k];
    Millis end = want.t_ms > 0 ? static_cast<Millis>(std::llround(want.t_ms))
                               : prev_end + kSettleMs + spec.ms;
    end = std::max(end, prev_end);
    const Millis start = prev_end;

    StepRecord got;
    got.i = want.i;
    got.op = want.op;
    got.n = want.n;
    got.ms = want.ms;
    got.t_ms = static_cast<double>(end);
    std::vector<Segment> out;
    if (want.op == Op::Inject) {
      const WireSegment sent = want.sent ? *want.sent : numbers.resolve(spec);
      got.sent = sent;
      out = model.inject(numbers.to_absolute(sent), start);
      numbers.injected(sent);
    } else {
      out = model.app(want.op, spec.op == Op::Send ? spec.n : want.n, start);
    }
    for (const Segment& s : out) got.segments.push_back(numbers.observed(s));
    // Segments sent by a timer that may fire late enough in the kernel to fall into the next
    // step: how many at the end of this step's list could move.
    std::size_t movable = 0;
    for (const ModelSide::TimedSegment& t : model.advance_timed(end)) {
      got.segments.push_back(numbers.observed(t.seg));
      movable = t.deadline + t.slack > end ? movable + 1 : 0;
    }
    got.state = model.state();
    got.sock = model.sock();
    got.queues = model.queues();
    got.listener = model.listener();
    report.model.push_back(std::move(got));
    late_timer_segments.push_back(movable);
    prev_end = end;
  }
  // A timer's segment at the end of a step may have come just after it in the kernel's run.
  for (std::size_t k = 0; k + 1 < report.model.size(); ++k) {
    auto& here = report.model[k].segments;
    auto& next = report.model[k + 1].segments;
    if (same_segments(c.steps[k].segments, here)) continue;
    for (std::size_t m = 1; m <= late_timer_segments[k] && m <= here.size(); ++m) {
      const auto cut = here.end() - static_cast<std::ptrdiff_t>(m);
      std::vector<WireSegment> a(here.begin(), cut);
      std::vector<WireSegment> b(cut, here.end());
      b.insert(b.end(), next.begin(), next.end());
      if (same_segments(c.steps[k].segments, a) && same_segments(c.steps[k + 1].segments, b)) {
        here = std::move(a);
        next = std::move(b);
        break;
      }
    }
  }
  for (std::size_t k = 0; k < report.model.size(); ++k) {
    StepVerdict v;
    v.i = c.steps[k].i;
    v.state_ok = report.model[k].state == c.steps[k].state;
    v.segments_ok = same_segments(c.steps[k].segments, report.model[k].segments);
    report.verdicts.push_back(v);
    ++report.steps;
    if (v.ok()) ++report.steps_matched;
  }
  return report;
}

std::vector<std::string> side_by_side(const Case& c, const CaseReport& r, bool only_divergent) {
  std::vector<std::string> lines;
  const auto first = r.first_divergence();
  for (std::size_t k = 0; k < c.steps.size() && k < r.model.size(); ++k) {
    const StepRecord& want = c.steps[k];
    const StepRecord& got = r.model[k];
    const StepVerdict& v = r.verdicts[k];
    if (only_divergent && v.ok()) continue;
    std::string what = describe(c.scenario.steps[k]);
    if (want.sent) what += " -> " + describe(*want.sent);
    std::string mark = v.ok() ? "   " : (first && *first == want.i ? ">>>" : " ! ");
    std::ostringstream line;
    line << mark << " step " << want.i << ": " << what << "\n"
         << "      stack: " << want.state << "  " << segments_text(want.segments) << "\n"
         << "      model: " << got.state << "  " << segments_text(got.segments);
    if (!v.ok()) {
      line << "   <- " << (v.state_ok ? "" : "state") << (!v.state_ok && !v.segments_ok ? ", " : "")
           << (v.segments_ok ? "" : "segments") << " differ";
    }
    lines.push_back(line.str());
  }
  return lines;
}

void Summary::add(const CaseReport& r) {
  ++cases;
  if (r.matched()) ++cases_matched;
  steps += r.steps;
  steps_matched += r.steps_matched;
}

// ------------------------------------------------------------------------------------------
// Scripts as scenarios

namespace {

ScenarioStep step_of(Op op, std::uint32_t n = 0, std::uint32_t ms = 0) {
  ScenarioStep s;
  s.op = op;
  s.n = n;
  s.ms = ms;
  return s;
}

ScenarioStep inject_of(std::string flags, std::optional<NumberSpec> seq = std::nullopt) {
  ScenarioStep s;
  s.op = Op::Inject;
  s.flags = std::move(flags);
  s.seq = seq;
  return s;
}

}  // namespace

std::variant<Scenario, std::string> scenario_from_script(const Script& script, std::string name) {
  if (script.two_endpoints) return std::string("two-endpoint scripts have no kernel counterpart");
  Scenario s;
  s.name = std::move(name);
  s.role = Role::Closed;
  s.desc = "from a .tcp script";
  bool any_event = false;
  Millis clock = 0;
  for (const ScriptLine& sl : script.lines) {
    const std::string at = "line " + std::to_string(sl.pos.line) + ": ";
    if (const auto* call = std::get_if<CallLine>(&sl.line)) {
      if (const auto* open = std::get_if<OpenCall>(&call->call)) {
        if (any_event) return at + "an OPEN after other events is not supported";
        any_event = true;
        if (open->passive) {
          s.role = Role::Server;
        } else {
          s.role = Role::Client;
          s.steps.push_back(step_of(Op::Connect));
        }
        continue;
      }
      any_event = true;
      ScenarioStep step;
      if (const auto* send = std::get_if<SendCall>(&call->call)) {
        step.op = Op::Send;
        step.n = send->len;
      } else if (std::holds_alternative<ReceiveCall>(call->call)) {
        step.op = Op::Read;
      } else if (std::holds_alternative<CloseCall>(call->call)) {
        step.op = Op::Close;
      } else if (std::holds_alternative<AbortCall>(call->call)) {
        step.op = Op::Abort;
      } else {
        continue;  // STATUS has no socket call
      }
      // A passive endpoint's first call needs the connection in hand.
      if (s.role == Role::Server &&
          std::none_of(s.steps.begin(), s.steps.end(),
                       [](const ScenarioStep& x) { return x.op == Op::Accept; })) {
        s.steps.push_back(step_of(Op::Accept));
      }
      s.steps.push_back(step);
      continue;
    }
    if (const auto* in = std::get_if<InjectLine>(&sl.line)) {
      any_event = true;
      ScenarioStep step = inject_of(flags_of(in->seg.ctl));
      const std::uint32_t seq =
          in->seg.seq.absolute ? in->seg.seq.value - script.iss_b : in->seg.seq.value;
      step.seq = NumberSpec{false, static_cast<std::int32_t>(seq)};
      if (in->seg.ack) {
        const std::uint32_t ack =
            in->seg.ack->absolute ? in->seg.ack->value - script.iss_a : in->seg.ack->value;
        step.ack = NumberSpec{false, static_cast<std::int32_t>(ack)};
      }
      step.len = in->seg.len;
      step.win = in->seg.wnd.value_or(65535);
      s.steps.push_back(step);
      // A passive endpoint hands the connection to the application once it exists.
      continue;
    }
    if (const auto* t = std::get_if<TimeLine>(&sl.line)) {
      const Millis target = t->relative ? clock + t->value : t->value;
      if (target <= clock) continue;
      if (target - clock > 10000) return at + "waits beyond 10 s are not supported";
      s.steps.push_back(step_of(Op::Wait, 0, static_cast<std::uint32_t>(target - clock)));
      clock = target;
      any_event = true;
      continue;
    }
    if (std::holds_alternative<TimeoutLine>(sl.line)) {
      return at + "a forced timeout cannot be played on a kernel";
    }
    // Expectations (segments, states, notices, rules, TCB values) are the model's business.
  }
  return s;
}

// ------------------------------------------------------------------------------------------
// Random scenarios

Scenario random_scenario(std::uint64_t seed, int steps) {
  // Hash the seed first: SplitMix64 states one increment apart give shifted copies.
  SeededRandom mixer(seed);
  SeededRandom rng(mixer.next() ^ 0xD1B54A32D192ED03ull);
  Scenario s;
  s.name = "rnd_" + std::to_string(seed);
  s.desc = "random well-formed scenario, seed " + std::to_string(seed);
  const auto pick = rng.between(0, 99);
  s.role = pick < 55 ? Role::Server : (pick < 90 ? Role::Client : Role::Closed);
  bool accepted = false;
  bool app_done = false;
  if (s.role == Role::Server && rng.percent(85)) {
    s.steps.push_back(inject_of("S", NumberSpec{false, 0}));
    if (rng.percent(85)) {
      s.steps.push_back(inject_of("A"));
      s.steps.push_back(step_of(Op::Accept));
      accepted = true;
    }
  }
  if (s.role == Role::Client) {
    s.steps.push_back(step_of(Op::Connect));
    if (rng.percent(70)) {
      s.steps.push_back(inject_of("SA", NumberSpec{false, 0}));
    }
  }
  static const std::vector<std::string> kFlags = {"A",   "A", "A", "PA", "PA", "PA", "FA", "FA",
                                                  "FPA", "R", "R", "RA", "S",  "SA", "F",  "P"};
  const auto number = [&](bool is_ack) -> NumberSpec {
    const auto r = rng.between(0, 99);
    if (r < (is_ack ? 70u : 60u)) return NumberSpec{true, 0};
    if (r < 72) return NumberSpec{true, -1};
    if (r < 80) return NumberSpec{true, static_cast<std::int64_t>(rng.between(1, 200))};
    if (r < 86) return NumberSpec{true, -static_cast<std::int64_t>(rng.between(2, 200))};
    if (r < 92) return NumberSpec{true, static_cast<std::int64_t>(rng.between(64000, 66000))};
    if (r < 96) return NumberSpec{true, 100000};
    return NumberSpec{true, -100000};
  };
  for (int k = 0; k < steps; ++k) {
    const auto r = rng.between(0, 99);
    const bool can_app = (s.role == Role::Client || accepted) && !app_done;
    if (r < 68 || !can_app) {
      if (r >= 94 && r < 98) {
        s.steps.push_back(step_of(Op::Wait, 0, static_cast<std::uint32_t>(rng.between(50, 400))));
        continue;
      }
      ScenarioStep st = inject_of("");
      st.flags = kFlags[rng.between(0, kFlags.size() - 1)];
      if (!rng.percent(80)) st.seq = number(false);
      if (st.flags.find('A') != std::string::npos && !rng.percent(75)) st.ack = number(true);
      if (st.flags.find('P') != std::string::npos || rng.percent(10)) {
        st.len = static_cast<std::uint32_t>(rng.between(1, 120));
      }
      if (st.flags.find('R') != std::string::npos) st.len = 0;
      if (rng.percent(10)) st.win = static_cast<std::uint32_t>(rng.between(0, 65535));
      s.steps.push_back(st);
      continue;
    }
    const auto a = rng.between(0, 99);
    if (a < 35) {
      s.steps.push_back(step_of(Op::Send, static_cast<std::uint32_t>(rng.between(1, 200))));
    } else if (a < 60) {
      s.steps.push_back(step_of(Op::Read));
    } else if (a < 85) {
      s.steps.push_back(step_of(Op::Close));
      app_done = true;
    } else if (a < 93) {
      s.steps.push_back(step_of(Op::Abort));
      app_done = true;
    } else {
      s.steps.push_back(step_of(Op::ShutdownWr));
    }
  }
  return s;
}

}  // namespace tcpfsm::harness::conformance
