#include "fuzz_support.hpp"

#include <algorithm>
#include <array>
#include <bitset>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <type_traits>

#include "core/segment.hpp"
#include "harness/fuzz_input.hpp"
#include "harness/invariants.hpp"
#include "harness/script_runner.hpp"

// libFuzzer reads every byte of this section after each execution as extra coverage (and
// clears it before the next); outside libFuzzer it is an ordinary array.
#define TCPFSM_EXTRA_COUNTERS __attribute__((section("__libfuzzer_extra_counters"), used))

namespace tcpfsm::fuzz {

namespace {

constexpr int kStates = static_cast<int>(kAllStates.size());
constexpr int kRuleSlots = 128;  // more than Rule has; a larger enum shares the last slot
constexpr std::size_t kTripleCounters = 4096;

TCPFSM_EXTRA_COUNTERS std::uint8_t g_triple_counters[kTripleCounters];
TCPFSM_EXTRA_COUNTERS std::uint8_t g_pair_counters[kStates * kStates];

// Triples get counter slots in the order they are first seen, so that no two share one until
// 4096 distinct triples have been seen (far more than the model can produce).
std::uint16_t g_triple_slot[kStates][kEventClasses][kRuleSlots];
std::size_t g_slots_used = 0;

std::uint64_t g_counts[kStates][kEventClasses];
std::bitset<kRuleSlots> g_rules[kStates][kEventClasses];
std::uint32_t g_states_seen = 0;
std::uint64_t g_executions = 0;
bool g_report_states = false;
bool g_all_states_reported = false;

std::string g_target = "fuzz";
bool g_expect_findings = false;
bool g_finding_seen = false;

void bump(std::uint8_t& c) {
  if (c != 0xFF) ++c;
}

int rule_slot(Rule r) {
  return std::min<int>(static_cast<int>(r), kRuleSlots - 1);
}

// Set up once: the matrix written at exit (TCPFSM_FUZZ_MATRIX=PREFIX) and the report of when
// every state was first reached (TCPFSM_FUZZ_REPORT_STATES=1).
struct Setup {
  Setup() {
#if defined(__GLIBC__)
    // A run's step records grow to hundreds of kilobytes and are freed at its end; by default
    // glibc maps and unmaps such blocks each time, and the page faults cost more than the run.
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
    if (const char* p = std::getenv("TCPFSM_FUZZ_MATRIX"); p != nullptr && *p != '\0') {
      prefix() = p;
      std::atexit([] {
        std::fputs(matrix_text().c_str(), stderr);
        if (!write_matrix(prefix())) {
          std::fprintf(stderr, "tcpfsm-fuzz: cannot write %s.txt / .svg\n", prefix().c_str());
        }
      });
    }
    const char* r = std::getenv("TCPFSM_FUZZ_REPORT_STATES");
    g_report_states = r != nullptr && *r == '1';
  }
  static std::string& prefix() {
    static std::string p;
    return p;
  }
};
const Setup g_setup;

std::string state_name(State s) {
  return std::string(to_string(s));
}

}  // namespace

EventClass classify(const Event& e) {
  return std::visit(
      [](const auto& ev) -> EventClass {
        using T = std::decay_t<decltype(ev)>;
        if constexpr (std::is_same_v<T, OpenCall>) {
          return ev.passive ? EventClass::OpenPassive : EventClass::OpenActive;
        } else if constexpr (std::is_same_v<T, SendCall>) {
          return EventClass::Send;
        } else if constexpr (std::is_same_v<T, ReceiveCall>) {
          return EventClass::Receive;
        } else if constexpr (std::is_same_v<T, CloseCall>) {
          return EventClass::Close;
        } else if constexpr (std::is_same_v<T, AbortCall>) {
          return EventClass::Abort;
        } else if constexpr (std::is_same_v<T, StatusCall>) {
          return EventClass::Status;
        } else if constexpr (std::is_same_v<T, TimerExpires>) {
          switch (ev.timer) {
            case TimerKind::Retransmission: return EventClass::TimeoutRetransmission;
            case TimerKind::ZeroWindowProbe: return EventClass::TimeoutZeroWindowProbe;
            case TimerKind::User: return EventClass::TimeoutUser;
            case TimerKind::TimeWait: return EventClass::TimeoutTimeWait;
            case TimerKind::FinWait2: return EventClass::TimeoutFinWait2;
          }
          return EventClass::TimeoutRetransmission;
        } else {
          const Segment& s = ev.seg;
          if (s.rst()) return s.ack_flag() ? EventClass::RcvRstAck : EventClass::RcvRst;
          if (s.syn()) return s.ack_flag() ? EventClass::RcvSynAck : EventClass::RcvSyn;
          if (s.fin()) return EventClass::RcvFin;
          if (!s.ack_flag()) return EventClass::RcvNoAck;
          return s.len > 0 ? EventClass::RcvData : EventClass::RcvAck;
        }
      },
      e);
}

std::string_view to_string(EventClass c) {
  switch (c) {
    case EventClass::OpenPassive: return "OPEN passive";
    case EventClass::OpenActive: return "OPEN active";
    case EventClass::Send: return "SEND";
    case EventClass::Receive: return "RECEIVE";
    case EventClass::Close: return "CLOSE";
    case EventClass::Abort: return "ABORT";
    case EventClass::Status: return "STATUS";
    case EventClass::TimeoutRetransmission: return "timeout retransmission";
    case EventClass::TimeoutZeroWindowProbe: return "timeout zero-window-probe";
    case EventClass::TimeoutUser: return "timeout user";
    case EventClass::TimeoutTimeWait: return "timeout time-wait";
    case EventClass::TimeoutFinWait2: return "timeout fin-wait-2";
    case EventClass::RcvSyn: return "rcv SYN";
    case EventClass::RcvSynAck: return "rcv SYN,ACK";
    case EventClass::RcvAck: return "rcv ACK";
    case EventClass::RcvData: return "rcv data";
    case EventClass::RcvFin: return "rcv FIN";
    case EventClass::RcvRst: return "rcv RST";
    case EventClass::RcvRstAck: return "rcv RST,ACK";
    case EventClass::RcvNoAck: return "rcv no ACK";
  }
  return "?";
}

std::string_view short_name(EventClass c) {
  switch (c) {
    case EventClass::OpenPassive: return "opnP";
    case EventClass::OpenActive: return "opnA";
    case EventClass::Send: return "send";
    case EventClass::Receive: return "recv";
    case EventClass::Close: return "close";
    case EventClass::Abort: return "abort";
    case EventClass::Status: return "stat";
    case EventClass::TimeoutRetransmission: return "t.rtx";
    case EventClass::TimeoutZeroWindowProbe: return "t.zwp";
    case EventClass::TimeoutUser: return "t.usr";
    case EventClass::TimeoutTimeWait: return "t.2ms";
    case EventClass::TimeoutFinWait2: return "t.fw2";
    case EventClass::RcvSyn: return "SYN";
    case EventClass::RcvSynAck: return "SYN.";
    case EventClass::RcvAck: return "ACK";
    case EventClass::RcvData: return "data";
    case EventClass::RcvFin: return "FIN";
    case EventClass::RcvRst: return "RST";
    case EventClass::RcvRstAck: return "RST.";
    case EventClass::RcvNoAck: return "noACK";
  }
  return "?";
}

void record_step(State from, State to, const Event& event, Rule rule) {
  const int s = static_cast<int>(from);
  const int c = static_cast<int>(classify(event));
  const int r = rule_slot(rule);
  std::uint16_t& slot = g_triple_slot[s][c][r];
  if (slot == 0) {
    // Past 4096 triples, slots are shared by hashing.
    slot = static_cast<std::uint16_t>(
        g_slots_used < kTripleCounters
            ? ++g_slots_used
            : 1 + (static_cast<std::size_t>(s * 7919 + c * 131 + r) % kTripleCounters));
  }
  bump(g_triple_counters[slot - 1]);
  ++g_counts[s][c];
  g_rules[s][c].set(static_cast<std::size_t>(r));
  const std::uint32_t before = g_states_seen;
  g_states_seen |= (1u << s) | (1u << static_cast<int>(to));
  if (g_report_states && before != g_states_seen && g_states_seen == (1u << kStates) - 1 &&
      !g_all_states_reported) {
    g_all_states_reported = true;
    std::fprintf(stderr, "tcpfsm-fuzz: all %d states reached after %llu executions\n", kStates,
                 static_cast<unsigned long long>(g_executions));
  }
}

void record_pair(State a, State b) {
  bump(g_pair_counters[static_cast<int>(a) * kStates + static_cast<int>(b)]);
}

void note_execution() {
  ++g_executions;
}

std::uint64_t executions() {
  return g_executions;
}

std::string matrix_text() {
  std::string out;
  char buf[160];
  std::uint64_t covered = 0, triples = 0;
  for (int s = 0; s < kStates; ++s) {
    for (int c = 0; c < kEventClasses; ++c) {
      covered += g_counts[s][c] > 0 ? 1 : 0;
      triples += g_rules[s][c].count();
    }
  }
  std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(g_executions));
  out += "coverage matrix of " + g_target + " after " + buf +
         " executions: steps of the reference model by state before the step (rows) and event "
         "class (columns); '.' = never\n";
  out += "              ";
  for (int c = 0; c < kEventClasses; ++c) {
    std::snprintf(buf, sizeof buf, "%6s",
                  std::string(short_name(static_cast<EventClass>(c))).c_str());
    out += buf;
  }
  out += "\n";
  for (int s = 0; s < kStates; ++s) {
    std::snprintf(buf, sizeof buf, "%-14s", state_name(static_cast<State>(s)).c_str());
    out += buf;
    for (int c = 0; c < kEventClasses; ++c) {
      const std::uint64_t n = g_counts[s][c];
      if (n == 0) {
        std::snprintf(buf, sizeof buf, "%6s", ".");
      } else if (n < 100'000) {
        std::snprintf(buf, sizeof buf, "%6llu", static_cast<unsigned long long>(n));
      } else if (n < 100'000'000) {
        std::snprintf(buf, sizeof buf, "%5lluk", static_cast<unsigned long long>(n / 1000));
      } else {
        std::snprintf(buf, sizeof buf, "%5lluM", static_cast<unsigned long long>(n / 1'000'000));
      }
      out += buf;
    }
    out += "\n";
  }
  std::snprintf(buf, sizeof buf,
                "cells covered: %llu of %d; (state, event class, rule) triples: %llu\n",
                static_cast<unsigned long long>(covered), kStates * kEventClasses,
                static_cast<unsigned long long>(triples));
  out += buf;
  std::string uncovered;
  for (int s = 0; s < kStates; ++s) {
    int missing = 0;
    for (int c = 0; c < kEventClasses; ++c) missing += g_counts[s][c] == 0 ? 1 : 0;
    if (missing == kEventClasses)
      uncovered += (uncovered.empty() ? "" : ", ") + state_name(static_cast<State>(s));
  }
  if (!uncovered.empty()) out += "states never reached: " + uncovered + "\n";
  return out;
}

std::string matrix_svg() {
  constexpr int kCellW = 56, kCellH = 26, kLeft = 120, kTop = 70;
  const int width = kLeft + kCellW * kEventClasses + 20;
  const int height = kTop + kCellH * kStates + 40;
  std::uint64_t max = 1;
  for (const auto& row : g_counts) {
    for (std::uint64_t n : row) max = std::max(max, n);
  }
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) +
                    "\" height=\"" + std::to_string(height) +
                    "\" font-family=\"monospace\" font-size=\"11\">\n";
  svg += "<title>tcpfsm coverage matrix: " + g_target + "</title>\n";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  svg += "<text x=\"4\" y=\"16\" font-size=\"13\">" + g_target +
         ": reference-model steps by state (rows) and event class (columns), " +
         std::to_string(g_executions) + " executions; grey = never</text>\n";
  for (int c = 0; c < kEventClasses; ++c) {
    const int x = kLeft + c * kCellW + kCellW / 2;
    svg += "<text x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(kTop - 8) +
           "\" text-anchor=\"start\" transform=\"rotate(-40 " + std::to_string(x) + " " +
           std::to_string(kTop - 8) + ")\">" + std::string(to_string(static_cast<EventClass>(c))) +
           "</text>\n";
  }
  for (int s = 0; s < kStates; ++s) {
    const int y = kTop + s * kCellH;
    svg += "<text x=\"4\" y=\"" + std::to_string(y + 17) + "\">" +
           state_name(static_cast<State>(s)) + "</text>\n";
    for (int c = 0; c < kEventClasses; ++c) {
      const int x = kLeft + c * kCellW;
      const std::uint64_t n = g_counts[s][c];
      std::string fill = "#dddddd";
      if (n > 0) {
        // White to red on a log scale.
        const double t = std::log1p(static_cast<double>(n)) / std::log1p(static_cast<double>(max));
        const int gb = static_cast<int>(235 - 200 * t);
        fill = "rgb(255," + std::to_string(gb) + "," + std::to_string(gb) + ")";
      }
      svg += "<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y) + "\" width=\"" +
             std::to_string(kCellW - 2) + "\" height=\"" + std::to_string(kCellH - 2) +
             "\" fill=\"" + fill + "\"><title>" + state_name(static_cast<State>(s)) + " / " +
             std::string(to_string(static_cast<EventClass>(c))) + ": " + std::to_string(n) +
             " steps, " + std::to_string(g_rules[s][c].count()) + " rules</title></rect>\n";
      const std::string label = n == 0 ? "-" : std::to_string(n);
      svg += "<text x=\"" + std::to_string(x + kCellW / 2 - 1) + "\" y=\"" +
             std::to_string(y + 16) + "\" text-anchor=\"middle\" font-size=\"" +
             (label.size() > 7 ? "8" : "10") + "\">" + label + "</text>\n";
    }
  }
  svg += "</svg>\n";
  return svg;
}

bool write_matrix(const std::string& prefix) {
  std::ofstream txt(prefix + ".txt", std::ios::trunc);
  txt << matrix_text();
  std::ofstream svg(prefix + ".svg", std::ios::trunc);
  svg << matrix_svg();
  return static_cast<bool>(txt) && static_cast<bool>(svg);
}

// ------------------------------------------------------------------------------------------------
// Findings
// ------------------------------------------------------------------------------------------------

void set_target_name(std::string_view name) {
  g_target = std::string(name);
}

void expect_findings(bool on) {
  g_expect_findings = on;
}

bool take_finding() {
  const bool seen = g_finding_seen;
  g_finding_seen = false;
  return seen;
}

void report_finding(const Finding& f, std::span<const std::uint8_t> input, bool decode_input) {
  g_finding_seen = true;
  if (g_expect_findings) {
    std::fprintf(stderr, "tcpfsm-fuzz-bucket: %s\n", f.bucket.c_str());
    return;
  }
  // TCPFSM_FUZZ_KEEP_GOING=1 (measurements, surveys): name each new bucket once, go on.
  static const bool keep_going = [] {
    const char* v = std::getenv("TCPFSM_FUZZ_KEEP_GOING");
    return v != nullptr && *v == '1';
  }();
  if (keep_going) {
    static std::set<std::string> seen;
    if (seen.insert(f.bucket).second) {
      std::fprintf(stderr, "tcpfsm-fuzz: new bucket after %llu executions: %s\n",
                   static_cast<unsigned long long>(g_executions), f.bucket.c_str());
    }
    return;
  }
  std::string out = "\n==== tcpfsm-fuzz: " + g_target + " found a problem after " +
                    std::to_string(g_executions) + " executions\n";
  out += "bucket: " + f.bucket + "\n\n" + f.summary + "\n";
  if (!f.details.empty()) out += "\n" + f.details;
  if (f.more_details) out += "\n" + f.more_details();
  if (decode_input) {
    out += "\nthe input as a script (tcpfsm decode --full):\n";
    out += harness::print_script(harness::decode_fuzz_input(input, harness::FuzzExpect::Full));
  }
  out += "====\ntcpfsm-fuzz-bucket: " + f.bucket + "\n";
  std::fputs(out.c_str(), stderr);
  std::fflush(stderr);
  std::abort();
}

// ------------------------------------------------------------------------------------------------
// Oracles
// ------------------------------------------------------------------------------------------------

namespace {

using harness::Actor;
using harness::FuzzOp;
using harness::FuzzReader;
using harness::FuzzWorld;
using harness::StepRecord;

void record(std::span<const StepRecord> steps, FuzzWorld& world) {
  if (!world.two_endpoints()) {
    for (const StepRecord& s : steps)
      record_step(s.outcome.from, s.outcome.to, s.event, s.outcome.rule);
    return;
  }
  // Pair states after each step: the acting endpoint's new state, the other's last one.
  State a = world.endpoint(Actor::A).state();
  State b = world.endpoint(Actor::B).state();
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    (it->who == Actor::B ? b : a) = it->outcome.from;  // rewind to the states before the action
  }
  for (const StepRecord& s : steps) {
    record_step(s.outcome.from, s.outcome.to, s.event, s.outcome.rule);
    (s.who == Actor::B ? b : a) = s.outcome.to;
    record_pair(a, b);
  }
}

std::string ctl_text(const Segment& s) {
  return s.ctl == 0 ? std::string("-") : ctl_to_string(s.ctl);
}

// For the bucket: the control bits of the first segment that differs, or "none" where one list
// ends (the position and the numbers vary from one input to the next; the kind of segment does
// not).
std::string first_segment_difference(const std::vector<Segment>& a, const std::vector<Segment>& b) {
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  const std::string x = i < a.size() ? ctl_text(a[i]) : "none";
  const std::string y = i < b.size() ? ctl_text(b[i]) : "none";
  if (x == y) return x + " (numbers differ)";
  return x + " vs " + y;
}

std::string segments_text(const std::vector<Segment>& segs) {
  if (segs.empty()) return "nothing";
  std::string s;
  for (const Segment& x : segs) s += (s.empty() ? "" : " ") + to_string(x);
  return s;
}

std::string notices_text(const std::vector<Notice>& ns, bool coarse) {
  if (ns.empty()) return "nothing";
  std::string s;
  for (const Notice& n : ns) {
    std::string one = to_string(n);
    if (coarse && n.kind == NoticeKind::Delivered) one = "delivered";
    s += (s.empty() ? "" : "; ") + one;
  }
  return s;
}

std::string timer_text(const std::optional<std::pair<TimerKind, Millis>>& t, bool coarse) {
  if (!t) return "none";
  std::string s(to_string(t->first));
  if (!coarse) s += " at " + std::to_string(t->second) + " ms";
  return s;
}

// The first TCB field that differs, with both values.
std::optional<std::pair<std::string, std::string>> tcb_difference(const TcbSnapshot& a,
                                                                  const TcbSnapshot& b) {
  std::optional<std::pair<std::string, std::string>> out;
  const auto check = [&](const char* name, auto x, auto y) {
    if (out || x == y) return;
    const auto text = [](auto v) {
      if constexpr (std::is_same_v<decltype(v), SeqNum>) {
        return to_string(v);
      } else if constexpr (std::is_same_v<decltype(v), bool>) {
        return std::string(v ? "true" : "false");
      } else {
        return std::to_string(v);
      }
    };
    out = std::make_pair(std::string(name), text(x) + " vs " + text(y));
  };
  check("iss", a.iss, b.iss);
  check("snd.una", a.snd_una, b.snd_una);
  check("snd.nxt", a.snd_nxt, b.snd_nxt);
  check("snd.wl1", a.snd_wl1, b.snd_wl1);
  check("snd.wl2", a.snd_wl2, b.snd_wl2);
  check("snd.up", a.snd_up, b.snd_up);
  check("snd.max", a.snd_max, b.snd_max);
  check("snd.wnd", a.snd_wnd, b.snd_wnd);
  check("max.snd.wnd", a.max_snd_wnd, b.max_snd_wnd);
  check("irs", a.irs, b.irs);
  check("rcv.nxt", a.rcv_nxt, b.rcv_nxt);
  check("rcv.up", a.rcv_up, b.rcv_up);
  check("rcv.wnd", a.rcv_wnd, b.rcv_wnd);
  check("iss_defined", a.iss_defined, b.iss_defined);
  check("irs_defined", a.irs_defined, b.irs_defined);
  check("passive_open", a.passive_open, b.passive_open);
  check("from_time_wait", a.from_time_wait, b.from_time_wait);
  check("close_requested", a.close_requested, b.close_requested);
  check("fin_sent", a.fin_sent, b.fin_sent);
  check("fin_acked", a.fin_acked, b.fin_acked);
  check("fin_received", a.fin_received, b.fin_received);
  check("fin_seq", a.fin_seq, b.fin_seq);
  check("send_queued", a.send_queued, b.send_queued);
  check("recv_unread", a.recv_unread, b.recv_unread);
  check("delivered_total", a.delivered_total, b.delivered_total);
  return out;
}

struct Difference {
  std::string aspect;  // "state", "sent", "notices", "rule", "tcb.rcv_nxt", "timer", ...
  std::string coarse;  // for the bucket: no sequence numbers
  std::string exact;   // for the report
};

std::optional<Difference> compare_steps(const StepRecord& r, const StepRecord& o, bool rules) {
  if (r.who != o.who || r.event != o.event || r.now != o.now) {
    return Difference{"event", "different events",
                      to_string(r.event) + " at " + std::to_string(r.now) + " ms vs " +
                          to_string(o.event) + " at " + std::to_string(o.now) + " ms"};
  }
  if (r.outcome.to != o.outcome.to || r.outcome.from != o.outcome.from) {
    const std::string s = state_name(r.outcome.to) + " vs " + state_name(o.outcome.to);
    return Difference{"state", s, s};
  }
  if (r.outcome.sent != o.outcome.sent) {
    return Difference{"sent", first_segment_difference(r.outcome.sent, o.outcome.sent),
                      segments_text(r.outcome.sent) + "\n   vs " + segments_text(o.outcome.sent)};
  }
  if (r.outcome.notices != o.outcome.notices) {
    return Difference{
        "notices",
        notices_text(r.outcome.notices, true) + " vs " + notices_text(o.outcome.notices, true),
        notices_text(r.outcome.notices, false) + " vs " + notices_text(o.outcome.notices, false)};
  }
  if (rules && r.outcome.rule != o.outcome.rule) {
    const std::string s = std::string(describe(r.outcome.rule).name) + " vs " +
                          std::string(describe(o.outcome.rule).name);
    return Difference{"rule", s, s};
  }
  if (r.tcb_after && o.tcb_after && !(*r.tcb_after == *o.tcb_after)) {
    if (auto d = tcb_difference(*r.tcb_after, *o.tcb_after)) {
      return Difference{"tcb." + d->first, "differs", d->second};
    }
  }
  return std::nullopt;
}

std::vector<std::string> trace_of(std::span<const StepRecord> steps, bool two) {
  harness::RunResult r;
  r.two_endpoints = two;
  r.steps.assign(steps.begin(), steps.end());
  return harness::format_trace(r);
}

// Both runs again with their whole history, up to and including action number `upto`.
std::string both_traces(std::span<const std::uint8_t> input, harness::EndpointFactory other,
                        std::string_view other_name, std::size_t upto) {
  FuzzReader reader(input);
  FuzzWorld ref(reader.header(), harness::make_reference_endpoint);
  FuzzWorld opt(reader.header(), other);
  ref.keep_history(true);
  opt.keep_history(true);
  FuzzOp op;
  for (std::size_t n = 0; n <= upto && reader.next(op);) {
    const auto a = ref.resolve(op);
    if (!a) continue;
    ref.apply(*a);
    opt.apply(*a);
    ++n;
  }
  std::string out = "reference trace:\n";
  for (const auto& l : trace_of(ref.history(), ref.two_endpoints())) out += "  " + l + "\n";
  out += std::string(other_name) + " trace:\n";
  for (const auto& l : trace_of(opt.history(), opt.two_endpoints())) out += "  " + l + "\n";
  return out;
}

// Segments the wire cannot carry: a window above 16 bits (the model does no window scaling) or
// more than 65535 octets of data. The targets stop an input at the first one unless
// TCPFSM_FUZZ_BEYOND_WIRE=1, so that their findings are about segments a peer can send.
bool beyond_wire(const harness::FuzzAction& a) {
  static const bool allowed = [] {
    const char* v = std::getenv("TCPFSM_FUZZ_BEYOND_WIRE");
    return v != nullptr && *v == '1';
  }();
  if (allowed || a.kind != harness::FuzzOpKind::Segment) return false;
  const Segment& s = std::get<SegmentArrives>(a.event).seg;
  return s.wnd > 0xFFFF || s.len > 0xFFFF;
}

bool compare_rules() {
  static const bool on = [] {
    const char* v = std::getenv("TCPFSM_FUZZ_COMPARE_RULES");
    return v != nullptr && *v == '1';
  }();
  return on;
}

}  // namespace

std::optional<Finding> differential(std::span<const std::uint8_t> input,
                                    harness::EndpointFactory other, std::string_view other_name) {
  FuzzReader reader(input);
  FuzzWorld ref(reader.header(), harness::make_reference_endpoint);
  FuzzWorld opt(reader.header(), other);
  const bool two = reader.header().two_endpoints;
  const std::array<Actor, 2> both = {Actor::A, Actor::B};
  const std::span<const Actor> actors =
      two ? std::span<const Actor>(both) : std::span<const Actor>(both).first(1);
  const bool rules = compare_rules();
  FuzzOp op;
  std::size_t action = 0;
  for (; reader.next(op);) {
    const auto a = ref.resolve(op);
    if (!a) continue;
    if (beyond_wire(*a)) break;
    ref.apply(*a);
    opt.apply(*a);
    const auto rs = ref.steps();
    const auto os = opt.steps();
    record(rs, ref);

    std::optional<Difference> diff;
    const StepRecord* at = nullptr;
    for (std::size_t i = 0; i < std::min(rs.size(), os.size()) && !diff; ++i) {
      diff = compare_steps(rs[i], os[i], rules);
      at = &rs[i];
    }
    if (!diff && rs.size() != os.size()) {
      const std::size_t i = std::min(rs.size(), os.size());
      at = i < rs.size() ? &rs[i] : &os[i];
      diff = Difference{"steps",
                        std::to_string(rs.size()) + " vs " + std::to_string(os.size()) + " steps",
                        "the reference took " + std::to_string(rs.size()) + " steps, " +
                            std::string(other_name) + " " + std::to_string(os.size())};
    }
    if (!diff) {
      for (Actor who : actors) {
        const Actor w = two ? who : Actor::Self;
        const auto& re = ref.endpoint(w);
        const auto& oe = opt.endpoint(w);
        if (re.state() != oe.state()) {
          const std::string s = state_name(re.state()) + " vs " + state_name(oe.state());
          diff = Difference{"state", s, s};
        } else if (re.next_timer() != oe.next_timer()) {
          const auto rt = re.next_timer(), ot = oe.next_timer();
          const bool same_kind = rt && ot && rt->first == ot->first;
          diff = Difference{
              "timer",
              same_kind ? std::string(to_string(rt->first)) + " deadline differs"
                        : timer_text(rt, true) + " vs " + timer_text(ot, true),
              timer_text(re.next_timer(), false) + " vs " + timer_text(oe.next_timer(), false)};
        } else if (two && ref.in_flight(w) != opt.in_flight(w)) {
          diff = Difference{
              "in flight", "differs",
              std::to_string(ref.in_flight(w)) + " vs " + std::to_string(opt.in_flight(w))};
        }
        if (diff) {
          at = rs.empty() ? nullptr : &rs.back();
          break;
        }
      }
    }
    if (diff) {
      Finding f;
      const std::string who =
          at != nullptr && at->who != Actor::Self ? (at->who == Actor::A ? "A " : "B ") : "";
      const std::string from = at != nullptr ? state_name(at->outcome.from) : "?";
      const std::string event = at != nullptr ? std::string(to_string(classify(at->event))) : "?";
      f.bucket = from + " | " + event + " | " + diff->aspect + ": " + diff->coarse;
      f.summary = "reference and " + std::string(other_name) + " differ in " + diff->aspect +
                  " at action " + std::to_string(action + 1) +
                  (at != nullptr ? ", step " + std::to_string(at->index + 1) + " (" + who + from +
                                       ", " + to_string(at->event) + ")"
                                 : std::string()) +
                  ":\n  reference vs " + std::string(other_name) + ": " + diff->exact;
      f.more_details = [input, other, name = std::string(other_name), action] {
        return both_traces(input, other, name, action);
      };
      f.action = action + 1;
      return f;
    }
    ++action;
  }
  return std::nullopt;
}

std::optional<Finding> invariants(std::span<const std::uint8_t> input) {
  FuzzReader reader(input);
  FuzzWorld world(reader.header(), harness::make_reference_endpoint);
  harness::InvariantMonitor monitor;
  world.add_observer(&monitor);
  FuzzOp op;
  // A segment the input injects at one of two endpoints is a forgery, which the network-level
  // invariants (what one endpoint delivers is what the other sent) do not allow for; from then
  // on only the invariants of each endpoint on its own count.
  bool forged = false;
  while (reader.next(op)) {
    const auto a = world.resolve(op);
    if (!a) continue;
    if (beyond_wire(*a)) break;
    forged = forged || (world.two_endpoints() && a->kind == harness::FuzzOpKind::Segment);
    world.apply(*a);
    const auto steps = world.steps();
    record(steps, world);
    auto violations = world.take_violations();
    if (forged) {
      std::erase_if(violations, [](const auto& iv) {
        const harness::InvariantInfo* info = harness::find_invariant(iv.second.invariant);
        return info == nullptr || info->network_level;
      });
    }
    if (violations.empty()) continue;
    const auto& [index, v] = violations.front();
    const StepRecord* at = nullptr;
    for (const StepRecord& s : steps) {
      if (s.index == index) at = &s;
    }
    Finding f;
    const std::string from = at != nullptr ? state_name(at->outcome.from) : "?";
    const std::string event = at != nullptr ? std::string(to_string(classify(at->event))) : "?";
    f.bucket = "invariant " + v.invariant + " | " + from + " | " + event;
    f.summary = "invariant " + v.invariant + " violated at step " + std::to_string(index + 1) +
                ": " + v.detail + "\n  [" + v.rfc + "]";
    f.more_details = [input, index = index] {
      // The whole run: a world with one endpoint keeps only the last action unless asked.
      FuzzReader again(input);
      FuzzWorld replay(again.header(), harness::make_reference_endpoint);
      replay.keep_history(true);
      FuzzOp o;
      std::size_t last = 0;
      while (again.next(o) && last <= index) {
        if (const auto b = replay.resolve(o)) replay.apply(*b);
        last = replay.total_steps();
      }
      std::string out = "trace:\n";
      for (const auto& l : trace_of(replay.history(), replay.two_endpoints()))
        out += "  " + l + "\n";
      return out;
    };
    return f;
  }
  return std::nullopt;
}

}  // namespace tcpfsm::fuzz
