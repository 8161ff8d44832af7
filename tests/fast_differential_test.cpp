// The optimized implementation (model/fast) judged by the reference model: seeded random event
// sequences against one endpoint, seeded two-endpoint conversations over harness::Network, the
// batch interface against one-by-one steps, the scenario library, the size of the hot record,
// and the mutant zoo (each mutant must show on a scenario aimed at it; Mutant::None never may).
//
// Every observable is compared after every step: the outcome (state before and after, every
// field of every segment sent, every notice in order), the state, the TcbSnapshot, next_timer()
// and every deadline(). The deciding Rule is not part of the contract; it is compared only to
// count disagreements, which are reported but do not fail a test.
//
// The number of random sequences per profile can be raised with TCPFSM_FAST_SEEDS (default
// 150); the first difference prints the seed, the profile and the whole event list.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <new>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "fast/connection_table.hpp"
#include "fast/dispatch.hpp"
#include "fast/hot_record.hpp"
#include "harness/endpoint_under_test.hpp"
#include "harness/network.hpp"
#include "harness/script.hpp"
#include "harness/script_runner.hpp"

namespace tcpfsm {

std::uint64_t g_allocations = 0;

namespace {

using harness::EndpointUnderTest;
using harness::SeededRandom;

// ------------------------------------------------------------------------------------------
// Profiles
// ------------------------------------------------------------------------------------------

struct NamedProfile {
  std::string name;
  Profile profile;
};

std::vector<NamedProfile> profiles() {
  std::vector<NamedProfile> out;
  const auto add = [&](std::string name, const std::function<void(Profile&)>& change) {
    Profile p;
    change(p);
    out.push_back({std::move(name), std::move(p)});
  };
  add("default", [](Profile&) {});
  out.push_back({"legacy_rfc793", Profile::legacy_rfc793()});
  add("time_wait_rst_ignore", [](Profile& p) { p.time_wait_rst = TimeWaitRst::Ignore; });
  add("time_wait_syn_reopen", [](Profile& p) { p.time_wait_syn = TimeWaitSyn::Reopen; });
  add("half_duplex_close", [](Profile& p) { p.half_duplex_close = true; });
  add("rst_sender_enters_time_wait", [](Profile& p) { p.rst_sender_enters_time_wait = true; });
  add("no_out_of_order_queue", [](Profile& p) { p.out_of_order_queue = false; });
  add("syn_text_discard", [](Profile& p) { p.syn_text = SynText::Discard; });
  add("challenge_ack_limit_2", [](Profile& p) { p.challenge_ack_limit = 2; });
  add("fin_wait_2_timeout", [](Profile& p) { p.fin_wait_2_timeout_ms = 60'000; });
  add("small_buffers", [](Profile& p) {
    p.receive_buffer = 700;
    p.send_buffer = 1500;
    p.mss = 100;
  });
  // Short limits, so that give-ups, user timeouts and TIME-WAIT ends happen within a run.
  add("short_limits", [](Profile& p) {
    p.syn_retries = 2;
    p.data_retries = 3;
    p.user_timeout_ms = 20'000;
    p.msl_ms = 5'000;
    p.rto_max_ms = 8'000;
  });
  // Every alternative at once.
  add("all_switches", [](Profile& p) {
    p = Profile::legacy_rfc793();
    p.name = "all_switches";
    p.time_wait_rst = TimeWaitRst::Ignore;
    p.time_wait_syn = TimeWaitSyn::Reopen;
    p.half_duplex_close = true;
    p.rst_sender_enters_time_wait = true;
    p.out_of_order_queue = false;
    p.syn_text = SynText::Discard;
    p.challenge_ack_limit = 1;
    p.fin_wait_2_timeout_ms = 10'000;
    p.receive_buffer = 3000;
    p.mss = 300;
    p.user_timeout_ms = 0;
  });
  // Linux 6.18 (Profile::linux()), and each of its departures alone on the RFC profile.
  out.push_back({"linux", Profile::linux()});
  add("linux_small", [](Profile& p) {
    p = Profile::linux();
    p.receive_buffer = 1200;
    p.mss = 200;
    p.syn_retries = 2;
    p.syn_linear_timeouts = 1;
  });
  add("own_rst_with_ack", [](Profile& p) { p.own_rst_with_ack = true; });
  add("old_ack_bound_by_acked", [](Profile& p) { p.old_ack_bound_by_acked = true; });
  add("syn_sent_bad_ack_resends_syn", [](Profile& p) { p.syn_sent_bad_ack_resends_syn = true; });
  add("syn_ack_text_discarded", [](Profile& p) { p.syn_ack_text_discarded = true; });
  add("rst_accepts_rcv_nxt_minus_1", [](Profile& p) { p.rst_accepts_rcv_nxt_minus_1 = true; });
  add("time_wait_mini_socket", [](Profile& p) { p.time_wait_mini_socket = true; });
  add("orphan_fin_wait_2", [](Profile& p) { p.orphan_fin_wait_2 = true; });
  add("data_after_close_resets", [](Profile& p) { p.data_after_close_resets = true; });
  add("data_after_fin_resets", [](Profile& p) { p.data_after_fin_resets = true; });
  add("request_socket", [](Profile& p) { p.request_socket = true; });
  add("nagle", [](Profile& p) { p.nagle = true; });
  add("linux_sequence_test", [](Profile& p) { p.linux_sequence_test = true; });
  add("repeated_fin_unacked", [](Profile& p) { p.repeated_fin_unacked = true; });
  add("drop_without_ack_rst_syn", [](Profile& p) { p.drop_without_ack_rst_syn = true; });
  add("syn_received_accepts_ack_of_una",
      [](Profile& p) { p.syn_received_accepts_ack_of_una = true; });
  add("fast_path_keeps_data", [](Profile& p) { p.fast_path_keeps_data = true; });
  add("syn_linear_timeouts", [](Profile& p) { p.syn_linear_timeouts = 3; });
  add("syn_ack_completes_simultaneous_open",
      [](Profile& p) { p.syn_ack_completes_simultaneous_open = true; });
  add("window_update_when_doubled", [](Profile& p) { p.window_update_when_doubled = true; });
  add("handshake_rtt_sample", [](Profile& p) { p.handshake_rtt_sample = true; });
  add("reopen_with_limits", [](Profile& p) {
    p.time_wait_syn = TimeWaitSyn::Reopen;
    p.challenge_ack_limit = 3;
    p.challenge_ack_window_ms = 500;
    p.receive_buffer = 2000;
    p.mss = 250;
  });
  return out;
}

int seeds_per_profile() {
  if (const char* v = std::getenv("TCPFSM_FAST_SEEDS")) {
    const int n = std::atoi(v);
    if (n > 0) return n;
  }
  return 150;
}

// ------------------------------------------------------------------------------------------
// Comparing two endpoints
// ------------------------------------------------------------------------------------------

std::string show(const Outcome& o) {
  std::ostringstream s;
  s << to_string(o.from) << " -> " << to_string(o.to) << " sent[";
  for (const Segment& seg : o.sent) {
    s << " " << to_string(seg) << "<WND=" << seg.wnd << "><UP=" << seg.up << ">";
  }
  s << " ] notices[";
  for (const Notice& n : o.notices) s << " {" << to_string(n) << "}";
  s << " ]";
  return s.str();
}

void diff_field(std::ostringstream& s, const char* name, std::uint64_t a, std::uint64_t b) {
  if (a != b) s << "  " << name << ": reference " << a << ", optimized " << b << "\n";
}

std::string diff_tcb(const TcbSnapshot& a, const TcbSnapshot& b) {
  std::ostringstream s;
  diff_field(s, "iss", a.iss.raw(), b.iss.raw());
  diff_field(s, "snd_una", a.snd_una.raw(), b.snd_una.raw());
  diff_field(s, "snd_nxt", a.snd_nxt.raw(), b.snd_nxt.raw());
  diff_field(s, "snd_wl1", a.snd_wl1.raw(), b.snd_wl1.raw());
  diff_field(s, "snd_wl2", a.snd_wl2.raw(), b.snd_wl2.raw());
  diff_field(s, "snd_up", a.snd_up.raw(), b.snd_up.raw());
  diff_field(s, "snd_max", a.snd_max.raw(), b.snd_max.raw());
  diff_field(s, "snd_wnd", a.snd_wnd, b.snd_wnd);
  diff_field(s, "max_snd_wnd", a.max_snd_wnd, b.max_snd_wnd);
  diff_field(s, "irs", a.irs.raw(), b.irs.raw());
  diff_field(s, "rcv_nxt", a.rcv_nxt.raw(), b.rcv_nxt.raw());
  diff_field(s, "rcv_up", a.rcv_up.raw(), b.rcv_up.raw());
  diff_field(s, "rcv_wnd", a.rcv_wnd, b.rcv_wnd);
  diff_field(s, "iss_defined", a.iss_defined, b.iss_defined);
  diff_field(s, "irs_defined", a.irs_defined, b.irs_defined);
  diff_field(s, "passive_open", a.passive_open, b.passive_open);
  diff_field(s, "from_time_wait", a.from_time_wait, b.from_time_wait);
  diff_field(s, "close_requested", a.close_requested, b.close_requested);
  diff_field(s, "fin_sent", a.fin_sent, b.fin_sent);
  diff_field(s, "fin_acked", a.fin_acked, b.fin_acked);
  diff_field(s, "fin_received", a.fin_received, b.fin_received);
  diff_field(s, "fin_seq", a.fin_seq.raw(), b.fin_seq.raw());
  diff_field(s, "send_queued", a.send_queued, b.send_queued);
  diff_field(s, "recv_unread", a.recv_unread, b.recv_unread);
  diff_field(s, "delivered_total", a.delivered_total, b.delivered_total);
  return s.str();
}

std::string show_timer(const std::optional<Millis>& t) {
  return t ? std::to_string(*t) : std::string("off");
}

// Everything but the outcome: state, TCB and timers. Empty when the two agree.
std::string diff_endpoints(const EndpointUnderTest& ref, const EndpointUnderTest& opt) {
  std::ostringstream s;
  if (ref.state() != opt.state()) {
    s << "  state: reference " << to_string(ref.state()) << ", optimized " << to_string(opt.state())
      << "\n";
  }
  const auto rt = ref.tcb();
  const auto ot = opt.tcb();
  if (rt.has_value() != ot.has_value()) {
    s << "  one side exposes no TCB\n";
  } else if (rt && !(*rt == *ot)) {
    s << "  TCB differs:\n" << diff_tcb(*rt, *ot);
  }
  for (int i = 0; i < kTimerKinds; ++i) {
    const auto k = static_cast<TimerKind>(i);
    if (ref.deadline(k) != opt.deadline(k)) {
      s << "  timer " << to_string(k) << ": reference " << show_timer(ref.deadline(k))
        << ", optimized " << show_timer(opt.deadline(k)) << "\n";
    }
  }
  if (ref.next_timer() != opt.next_timer()) s << "  next_timer differs\n";
  return s.str();
}

// The contract: everything of the outcome but the rule.
std::string diff_outcomes(const Outcome& r, const Outcome& o) {
  if (r.from == o.from && r.to == o.to && r.sent == o.sent && r.notices == o.notices) return "";
  return "  outcome: reference " + show(r) + "\n           optimized " + show(o) + "\n";
}

// ------------------------------------------------------------------------------------------
// Random events against one endpoint
// ------------------------------------------------------------------------------------------

struct TimedEvent {
  Event event;
  Millis now = 0;
};

std::string show_events(const std::vector<TimedEvent>& events) {
  std::ostringstream s;
  for (std::size_t i = 0; i < events.size(); ++i) {
    s << "  #" << i << " t=" << events[i].now << " " << to_string(events[i].event);
    if (const auto* a = std::get_if<SegmentArrives>(&events[i].event)) {
      s << " <WND=" << a->seg.wnd << "><UP=" << a->seg.up << "><CTLBITS=" << int(a->seg.ctl) << ">";
    }
    s << "\n";
  }
  return s.str();
}

class EventMaker {
 public:
  explicit EventMaker(std::uint64_t seed, const Profile& p) : rng_(seed), p_(p) {}

  std::uint64_t pick(std::uint64_t lo, std::uint64_t hi) { return rng_.between(lo, hi); }
  bool chance(std::uint32_t pct) { return rng_.percent(pct); }

  // A random event, aimed with what the reference shows of its TCB.
  Event next(const EndpointUnderTest& ref) {
    const std::uint64_t r = pick(0, 99);
    if (r < 56) return SegmentArrives{segment(ref)};
    if (r < 84) return call(ref.state(), ref.tcb() ? ref.tcb()->send_queued : 0u);
    return TimerExpires{timer(ref)};
  }

  Millis advance(Millis now) {
    switch (pick(0, 9)) {
      case 0:
      case 1:
      case 2: return now;
      case 3:
      case 4: return now + pick(1, 50);
      case 5:
      case 6: return now + pick(50, 1500);
      case 7: return now + pick(1500, 30'000);
      case 8: return now + pick(30'000, 400'000);
      default: return now > 100 ? now - pick(0, 100) : now;  // earlier: the clock must hold
    }
  }

 private:
  Event call(State st, std::uint32_t queued) {
    switch (pick(0, 12)) {
      case 0: return OpenCall{.passive = true, .remote_specified = chance(60)};
      case 1:
      case 2: return OpenCall{.passive = false, .remote_specified = chance(90)};
      case 3:
      case 4:
      case 5: {
        std::uint32_t len =
            static_cast<std::uint32_t>(pick(0, 3) == 0 ? pick(0, 20) : pick(1, 3 * p_.mss));
        if (chance(5)) len = static_cast<std::uint32_t>(pick(0, p_.send_buffer + 10));
        if (chance(4)) {
          // Right at the edge of what the send buffer still takes.
          const std::uint32_t room = p_.send_buffer - std::min(p_.send_buffer, queued);
          len = room + static_cast<std::uint32_t>(pick(0, 2));
        }
        return SendCall{.len = len, .urgent = chance(12)};
      }
      case 6:
      case 7:
      case 8:
        return ReceiveCall{.max_len = chance(40) ? 0u : static_cast<std::uint32_t>(pick(1, 900))};
      case 9:
      case 10: return st == State::Closed && chance(50) ? Event{StatusCall{}} : Event{CloseCall{}};
      case 11: return chance(40) ? Event{AbortCall{}} : Event{StatusCall{}};
      default: return StatusCall{};
    }
  }

  TimerKind timer(const EndpointUnderTest& ref) {
    if (chance(75)) {
      if (auto t = ref.next_timer()) return t->first;
    }
    return static_cast<TimerKind>(pick(0, kTimerKinds - 1));
  }

  std::uint32_t any32() { return static_cast<std::uint32_t>(rng_.next()); }

  std::uint8_t random_ctl() {
    std::uint8_t c = 0;
    if (chance(80)) c |= kAck;
    if (chance(14)) c |= kSyn;
    if (chance(12)) c |= kRst;
    if (chance(16)) c |= kFin;
    if (chance(20)) c |= kPsh;
    if (chance(10)) c |= kUrg;
    return c;
  }

  std::uint32_t random_len() {
    switch (pick(0, 9)) {
      case 0:
      case 1:
      case 2:
      case 3: return 0;
      case 4: return 1;
      case 5:
      case 6: return static_cast<std::uint32_t>(pick(1, p_.mss));
      case 7: return static_cast<std::uint32_t>(pick(1, 3 * p_.receive_buffer / 2 + 1));
      case 8: return static_cast<std::uint32_t>(pick(2, 40));
      default: return chance(20) ? static_cast<std::uint32_t>(pick(0, 200'000)) : 0;
    }
  }

  std::uint32_t random_wnd() {
    switch (pick(0, 9)) {
      case 0: return 0;
      case 1: return static_cast<std::uint32_t>(pick(1, 20));
      case 2:
      case 3: return static_cast<std::uint32_t>(pick(1, 3000));
      case 4: return chance(10) ? any32() : 65535;
      default: return static_cast<std::uint32_t>(pick(200, 65535));
    }
  }

  // One of the sequence numbers the brief names, or a random one.
  std::uint32_t aimed_seq(const TcbSnapshot& t) {
    const std::uint32_t nxt = t.rcv_nxt.raw();
    const std::uint32_t wnd = t.rcv_wnd;
    switch (pick(0, 13)) {
      case 0: return nxt - 1;
      case 1:
      case 2:
      case 3: return nxt;
      case 4: return nxt + wnd - 1;
      case 5: return nxt + wnd;
      case 6: return nxt + static_cast<std::uint32_t>(pick(1, 2 * p_.mss));
      case 7: return nxt - static_cast<std::uint32_t>(pick(1, 2 * p_.mss));
      case 8: return t.snd_una.raw();
      case 9: return t.snd_nxt.raw();
      case 10: return t.snd_nxt.raw() + 1;
      case 11: return t.irs.raw();
      case 12: return nxt + (wnd > 0 ? static_cast<std::uint32_t>(pick(0, wnd - 1)) : 0u);
      default: return any32();
    }
  }

  std::uint32_t aimed_ack(const TcbSnapshot& t) {
    const std::uint32_t una = t.snd_una.raw();
    const std::uint32_t nxt = t.snd_nxt.raw();
    switch (pick(0, 11)) {
      case 0:
      case 1: return una;
      case 2:
      case 3:
      case 4: return nxt;
      case 5: return nxt + 1;
      case 6: return una - 1;
      case 7: return t.iss.raw();
      case 8: return t.iss.raw() + 1;
      case 9: return una + static_cast<std::uint32_t>(pick(0, nxt - una));
      case 10: return una - t.max_snd_wnd - static_cast<std::uint32_t>(pick(0, 2));
      default: return any32();
    }
  }

  Segment segment(const EndpointUnderTest& ref) {
    const TcbSnapshot t = ref.tcb().value_or(TcbSnapshot{});
    const State st = ref.state();
    Segment s;
    if (chance(40)) {
      // A plausible peer: in order, acknowledging what we sent.
      s.seq = SeqNum(t.rcv_nxt.raw());
      s.ack = SeqNum(chance(70) ? t.snd_nxt.raw()
                                : t.snd_una.raw() + static_cast<std::uint32_t>(pick(
                                                        0, t.snd_nxt.raw() - t.snd_una.raw())));
      s.ctl = kAck;
      if (st == State::Closed || st == State::Listen) {
        s.seq =
            SeqNum(chance(50) ? any32() : 0xFFFF'FF00u + static_cast<std::uint32_t>(pick(0, 255)));
        s.ctl = kSyn;
      } else if (st == State::SynSent) {
        s.seq = SeqNum(chance(50) ? any32() : 0xFFFF'FFF0u);
        s.ctl = static_cast<std::uint8_t>(chance(85) ? kSyn | kAck : kSyn | 0);
      }
      if (chance(35)) s.len = static_cast<std::uint32_t>(pick(1, p_.mss));
      if (chance(12)) s.ctl |= kFin;
      if (chance(10)) s.ctl |= kPsh;
      if (st == State::TimeWait && chance(30)) {
        // A new SYN above RCV.NXT (a reopen, MAY-2), or the peer's FIN again.
        if (chance(60)) {
          s = Segment{.seq = SeqNum(t.rcv_nxt.raw() + static_cast<std::uint32_t>(pick(1, 90'000))),
                      .ctl = kSyn};
        } else {
          s.seq = SeqNum(t.rcv_nxt.raw() - 1);
          s.ctl = static_cast<std::uint8_t>(kFin | kAck);
          s.len = 0;
        }
      } else if (st == State::SynReceived && chance(15)) {
        s.ctl = kRst;  // at RCV.NXT exactly: the answer to a SYN-ACK for an old duplicate
        s.len = 0;
      }
    } else {
      s.seq = SeqNum(aimed_seq(t));
      s.ack = SeqNum(aimed_ack(t));
      s.ctl = random_ctl();
      s.len = random_len();
    }
    s.wnd = random_wnd();
    if ((s.ctl & kUrg) != 0 || chance(5)) s.up = static_cast<std::uint16_t>(pick(0, 3000));
    if (chance(3)) s.up = static_cast<std::uint16_t>(pick(0, 65535));
    return s;
  }

  SeededRandom rng_;
  const Profile& p_;
};

struct RunStats {
  std::uint64_t sequences = 0;
  std::uint64_t steps = 0;
  std::uint64_t rule_disagreements = 0;
  std::vector<std::string> rule_examples;
  std::array<std::uint64_t, 11> states_seen{};
  std::array<std::uint64_t, 256> rules_seen{};
};

SeqNum first_iss_for(std::uint64_t seed) {
  SeededRandom r(seed ^ 0x5EED'0F15'5u);
  switch (r.between(0, 3)) {
    case 0: return SeqNum(0xFFFF'FFF0u);  // SND.NXT wraps almost at once
    case 1: return SeqNum(0x7FFF'FFF0u);  // crosses the half-way point of the circle
    case 2: return SeqNum(static_cast<std::uint32_t>(r.next()));
    default: return SeqNum(1'000'000);
  }
}

// Runs one random sequence on a pair of endpoints; returns an empty string or the report of
// the first difference.
std::string run_random_sequence(const NamedProfile& np, std::uint64_t seed,
                                harness::EndpointFactory make_b, RunStats& stats,
                                std::size_t length) {
  const SeqNum iss = first_iss_for(seed);
  auto ref = harness::make_reference_endpoint(np.profile, iss);
  auto opt = make_b(np.profile, iss);
  EventMaker maker(seed, np.profile);
  std::vector<TimedEvent> log;
  Millis now = maker.pick(0, 1000);
  ++stats.sequences;
  for (std::size_t i = 0; i < length; ++i) {
    now = maker.advance(now);
    const Event e = maker.next(*ref);
    log.push_back({e, now});
    const Outcome ro = ref->step(e, now);
    const Outcome oo = opt->step(e, now);
    ++stats.steps;
    ++stats.states_seen[static_cast<unsigned>(ro.to)];
    ++stats.rules_seen[static_cast<unsigned>(ro.rule)];
    std::string diff = diff_outcomes(ro, oo) + diff_endpoints(*ref, *opt);
    if (!diff.empty()) {
      return "profile " + np.name + ", seed " + std::to_string(seed) + ", first ISS " +
             std::to_string(iss.raw()) + ": difference after event #" + std::to_string(i) + "\n" +
             diff + "events:\n" + show_events(log);
    }
    if (ro.rule != oo.rule) {
      ++stats.rule_disagreements;
      if (stats.rule_examples.size() < 5) {
        stats.rule_examples.push_back(np.name + " seed " + std::to_string(seed) + " event #" +
                                      std::to_string(i) + ": reference " +
                                      std::string(describe(ro.rule).name) + ", optimized " +
                                      std::string(describe(oo.rule).name));
      }
    }
    // Now and then a clone must carry on exactly like the original.
    if (i == length / 2) {
      auto copy = opt->clone();
      if (!copy) return "clone() returned nullptr";
      std::string mine, its;
      if (!opt->encode_state(now, mine) || !copy->encode_state(now, its) || mine != its) {
        return "a clone does not encode like its original";
      }
      opt = std::move(copy);
    }
  }
  return "";
}

TEST(FastDifferential, RandomSequencesAgreeWithReference) {
  RunStats stats;
  const int seeds = seeds_per_profile();
  for (const NamedProfile& np : profiles()) {
    for (int s = 0; s < seeds; ++s) {
      const std::uint64_t seed = 1000003ull * static_cast<std::uint64_t>(s) + 17;
      const std::size_t length = 40 + static_cast<std::size_t>(seed % 200);
      const std::string report =
          run_random_sequence(np, seed, harness::make_optimized_endpoint, stats, length);
      ASSERT_TRUE(report.empty()) << report;
    }
  }
  std::ostringstream states;
  for (State s : kAllStates) {
    states << " " << to_string(s) << "=" << stats.states_seen[static_cast<unsigned>(s)];
  }
  std::cout << "[fast] " << stats.sequences << " random sequences, " << stats.steps
            << " steps agreed; rule disagreements: " << stats.rule_disagreements
            << "\n[fast] states reached:" << states.str() << "\n";
  for (const auto& ex : stats.rule_examples) std::cout << "[fast]   " << ex << "\n";
  // The deciding rules the reference named: each is a path both implementations took.
  std::ostringstream unseen;
  int seen = 0;
  for (unsigned i = 1; i < 256 && describe(static_cast<Rule>(i)).name != "?"; ++i) {
    if (stats.rules_seen[i] > 0) {
      ++seen;
    } else {
      unseen << " " << describe(static_cast<Rule>(i)).name;
    }
  }
  std::cout << "[fast] rules decided: " << seen << "; never:" << unseen.str() << "\n";
  // Every state must be visited, or the generator is not exercising the implementation.
  for (State s : kAllStates)
    EXPECT_GT(stats.states_seen[static_cast<unsigned>(s)], 0u) << to_string(s);
}

TEST(FastDifferential, MutantNoneIsTheOptimizedImplementation) {
  RunStats stats;
  const auto make_none = [](const Profile& p, SeqNum iss) {
    return harness::make_mutant_endpoint(fast::Mutant::None, p, iss);
  };
  for (const NamedProfile& np : profiles()) {
    for (int s = 0; s < 20; ++s) {
      const std::uint64_t seed = 7919ull * static_cast<std::uint64_t>(s) + 3;
      const std::string report = run_random_sequence(np, seed, make_none, stats, 150);
      ASSERT_TRUE(report.empty()) << report;
    }
  }
}

// ------------------------------------------------------------------------------------------
// Two endpoints over harness::Network
// ------------------------------------------------------------------------------------------

std::string diff_networks(const harness::Network& ref, const harness::Network& opt,
                          std::size_t& steps_checked) {
  std::ostringstream s;
  if (ref.steps().size() != opt.steps().size()) {
    s << "  step count: reference " << ref.steps().size() << ", optimized " << opt.steps().size()
      << "\n";
    return s.str();
  }
  for (; steps_checked < ref.steps().size(); ++steps_checked) {
    const auto& rs = ref.steps()[steps_checked];
    const auto& os = opt.steps()[steps_checked];
    if (rs.who != os.who || rs.now != os.now || !(rs.event == os.event)) {
      s << "  step " << steps_checked << " is a different event\n";
      return s.str();
    }
    const std::string d = diff_outcomes(rs.outcome, os.outcome);
    if (!d.empty()) {
      s << "  step " << steps_checked << " (" << (rs.who == harness::Actor::A ? "A" : "B")
        << " t=" << rs.now << " " << to_string(rs.event) << "):\n"
        << d;
      return s.str();
    }
  }
  for (harness::Actor who : {harness::Actor::A, harness::Actor::B}) {
    const std::string d = diff_endpoints(ref.endpoint(who), opt.endpoint(who));
    if (!d.empty()) s << "  endpoint " << (who == harness::Actor::A ? "A" : "B") << ":\n" << d;
    if (ref.in_flight(who).size() != opt.in_flight(who).size()) {
      s << "  in flight from " << (who == harness::Actor::A ? "A" : "B") << " differs\n";
    }
  }
  if (ref.now() != opt.now()) s << "  network clocks differ\n";
  return s.str();
}

// One conversation; the schedule is drawn from the seed and from what the reference network
// shows (queue lengths), so both networks receive the same operations while they agree.
std::string run_conversation(const NamedProfile& pa, const NamedProfile& pb, std::uint64_t seed,
                             std::uint64_t& steps) {
  SeededRandom r(seed);
  const SeqNum iss_a(r.percent(50) ? 0xFFFF'FF00u : static_cast<std::uint32_t>(r.next()));
  const SeqNum iss_b(r.percent(50) ? 0x7FFF'FFF8u : static_cast<std::uint32_t>(r.next()));
  harness::Network ref(harness::make_reference_endpoint(pa.profile, iss_a),
                       harness::make_reference_endpoint(pb.profile, iss_b));
  harness::Network opt(harness::make_optimized_endpoint(pa.profile, iss_a),
                       harness::make_optimized_endpoint(pb.profile, iss_b));
  const bool faulty = r.percent(30);
  if (faulty) {
    harness::FaultsLine f;
    f.seed = r.next();
    f.loss_pct = static_cast<std::uint32_t>(r.between(0, 25));
    f.dup_pct = static_cast<std::uint32_t>(r.between(0, 8));
    f.reorder_pct = static_cast<std::uint32_t>(r.between(0, 20));
    f.delay_min = r.between(1, 20);
    f.delay_max = f.delay_min + r.between(0, 200);
    ref.set_faults(f);
    opt.set_faults(f);
  }
  std::vector<std::string> log;
  std::size_t checked = 0;
  const auto both = [&](const std::string& what, const std::function<void(harness::Network&)>& op) {
    log.push_back(what);
    op(ref);
    op(opt);
  };
  const auto actor_name = [](harness::Actor a) { return a == harness::Actor::A ? "A" : "B"; };

  // The usual start: B listens, A connects; the random schedule takes over from there.
  if (r.percent(85)) {
    both("B OPEN passive", [](harness::Network& n) { n.act(harness::Actor::B, OpenCall{true}); });
    both("A OPEN active", [](harness::Network& n) { n.act(harness::Actor::A, OpenCall{false}); });
  } else {
    both("A OPEN active", [](harness::Network& n) { n.act(harness::Actor::A, OpenCall{false}); });
    both("B OPEN active", [](harness::Network& n) { n.act(harness::Actor::B, OpenCall{false}); });
  }
  const std::size_t length = 30 + r.between(0, 150);
  for (std::size_t i = 0; i < length; ++i) {
    const harness::Actor who = r.percent(50) ? harness::Actor::A : harness::Actor::B;
    const std::size_t queued = ref.in_flight(who).size();
    const std::uint64_t op = r.between(0, 99);
    const std::string name = actor_name(who);
    if (op < 40 && queued > 0) {
      const std::size_t idx = r.percent(80) ? 0 : r.between(0, queued - 1);
      both("deliver from " + name + " #" + std::to_string(idx),
           [&](harness::Network& n) { n.deliver(who, idx); });
    } else if (op < 45 && queued > 0) {
      const std::size_t idx = r.between(0, queued - 1);
      both("drop from " + name + " #" + std::to_string(idx),
           [&](harness::Network& n) { n.drop(who, idx); });
    } else if (op < 48 && queued > 0) {
      const std::size_t idx = r.between(0, queued - 1);
      both("duplicate from " + name + " #" + std::to_string(idx),
           [&](harness::Network& n) { n.duplicate(who, idx); });
    } else if (op < 50) {
      both("reorder from " + name, [&](harness::Network& n) { n.reorder(who); });
    } else if (op < 72) {
      Event e = StatusCall{};
      switch (r.between(0, 9)) {
        case 0:
        case 1:
        case 2:
          e = SendCall{.len = static_cast<std::uint32_t>(r.between(1, 3 * pa.profile.mss)),
                       .urgent = r.percent(8)};
          break;
        case 3:
        case 4:
        case 5:
          e = ReceiveCall{.max_len =
                              r.percent(50) ? 0u : static_cast<std::uint32_t>(r.between(1, 800))};
          break;
        case 6:
        case 7: e = CloseCall{}; break;
        case 8:
          e = r.percent(30) ? Event{AbortCall{}} : Event{OpenCall{.passive = r.percent(50)}};
          break;
        default: e = StatusCall{}; break;
      }
      both(name + " " + to_string(e), [&](harness::Network& n) { n.act(who, e); });
    } else if (op < 92) {
      // On a faulty network a long advance can play out an ACK war segment by segment;
      // keep those short.
      const Millis dt = faulty ? r.between(1, 400)
                               : (r.percent(70) ? r.between(1, 3000) : r.between(3000, 400'000));
      both("advance " + std::to_string(dt),
           [&](harness::Network& n) { n.advance_to(n.now() + dt); });
    } else if (op < 96 && !faulty) {
      // A bounded deliver-all: two endpoints that disagree can trade ACKs forever (an ACK war),
      // which both implementations would play out identically but slowly.
      both("deliver up to 40", [](harness::Network& n) {
        for (int k = 0; k < 20; ++k) {
          if (!n.in_flight(harness::Actor::A).empty()) n.deliver(harness::Actor::A, 0);
          if (!n.in_flight(harness::Actor::B).empty()) n.deliver(harness::Actor::B, 0);
        }
      });
    } else {
      // A stray segment from nowhere, aimed at the endpoint's window.
      const auto t = ref.endpoint(who).tcb().value_or(TcbSnapshot{});
      Segment s;
      s.seq = SeqNum(t.rcv_nxt.raw() + static_cast<std::uint32_t>(r.between(0, 2)) - 1);
      s.ack = SeqNum(t.snd_nxt.raw() + static_cast<std::uint32_t>(r.between(0, 2)) - 1);
      s.ctl = static_cast<std::uint8_t>(r.between(0, 63));
      s.wnd = static_cast<std::uint32_t>(r.between(0, 65535));
      s.len = r.percent(50) ? 0u : static_cast<std::uint32_t>(r.between(1, 600));
      both(name + " stray " + to_string(s),
           [&](harness::Network& n) { n.act(who, SegmentArrives{s}); });
    }
    const std::string d = diff_networks(ref, opt, checked);
    // An ACK war (duplication on a faulty network makes it grow): enough of it.
    if (d.empty() &&
        (ref.steps().size() > 6000 ||
         ref.in_flight(harness::Actor::A).size() + ref.in_flight(harness::Actor::B).size() > 200)) {
      break;
    }
    if (!d.empty()) {
      std::string all;
      for (std::size_t k = 0; k < log.size(); ++k)
        all += "  #" + std::to_string(k) + " " + log[k] + "\n";
      return "conversation " + pa.name + "/" + pb.name + ", seed " + std::to_string(seed) +
             (faulty ? " (faulty network)" : "") + ", ISS A " + std::to_string(iss_a.raw()) +
             ", ISS B " + std::to_string(iss_b.raw()) + "\n" + d + "schedule:\n" + all;
    }
  }
  steps += ref.steps().size();
  return "";
}

TEST(FastDifferential, ConversationsAgreeWithReference) {
  const auto ps = profiles();
  std::uint64_t steps = 0;
  int conversations = 0;
  const int seeds = std::max(seeds_per_profile() / 2, 10);
  for (std::size_t i = 0; i < ps.size(); ++i) {
    for (int s = 0; s < seeds; ++s) {
      const std::uint64_t seed = 104729ull * static_cast<std::uint64_t>(s) + i;
      // Mostly the same profile on both sides; now and then a mixed pair.
      const NamedProfile& pb =
          (s % 5 == 4) ? ps[(i + static_cast<std::size_t>(s)) % ps.size()] : ps[i];
      const std::string report = run_conversation(ps[i], pb, seed, steps);
      ASSERT_TRUE(report.empty()) << report;
      ++conversations;
    }
  }
  std::cout << "[fast] " << conversations << " two-endpoint conversations, " << steps
            << " steps agreed\n";
}

// ------------------------------------------------------------------------------------------
// The hot record and the batch interface
// ------------------------------------------------------------------------------------------

TEST(FastLayout, TheFactoriesBuildTheOptimizedImplementation) {
  EXPECT_EQ(harness::make_optimized_endpoint(Profile{}, SeqNum(1))->kind(), "optimized");
  EXPECT_EQ(
      harness::make_mutant_endpoint(fast::Mutant::ListenSilentOnAck, Profile{}, SeqNum(1))->kind(),
      "mutant");
}

// encode_state() tells apart what the interface tells apart (a necessary condition for
// "equal encodings, equal behaviour"), over random sequences of two endpoints.
TEST(FastLayout, EncodingsDifferWhenObservablesDo) {
  for (const NamedProfile& np : profiles()) {
    for (int s = 0; s < 4; ++s) {
      const std::uint64_t seed = 4099ull * static_cast<std::uint64_t>(s) + 11;
      auto a = harness::make_optimized_endpoint(np.profile, first_iss_for(seed));
      auto b = harness::make_optimized_endpoint(np.profile, first_iss_for(seed));
      EventMaker ma(seed, np.profile);
      EventMaker mb(seed + 1, np.profile);
      Millis now = 0;
      for (int i = 0; i < 120; ++i) {
        now = ma.advance(now);
        a->step(ma.next(*a), now);
        b->step(mb.next(*b), now);
        std::string ea, eb;
        ASSERT_TRUE(a->encode_state(now, ea));
        ASSERT_TRUE(b->encode_state(now, eb));
        if (ea == eb) {
          ASSERT_EQ(diff_endpoints(*a, *b), "") << np.name << " seed " << seed << " step " << i;
        }
      }
    }
  }
}

TEST(FastLayout, HotRecordFitsIn48Bytes) {
  EXPECT_LE(sizeof(fast::HotRecord), 48u);
  EXPECT_EQ(sizeof(fast::HotRecord) % alignof(fast::HotRecord), 0u);
}

TEST(FastLayout, EveryTableCellComesFromARowThatCitesTheRfc) {
  for (const fast::SegRow& row : fast::segment_rows()) {
    EXPECT_NE(row.rfc.find("RFC"), std::string_view::npos) << row.rfc;
  }
  // The mutant tables differ from the base only for the mutants that are table edits.
  const fast::Tables& base = fast::base_tables();
  const fast::Tables none = fast::tables_for(fast::Mutant::None, Profile{});
  for (unsigned s = 0; s < fast::kStateCount; ++s) {
    for (unsigned c = 0; c < fast::kClassCount; ++c) {
      EXPECT_EQ(static_cast<int>(base.seg[s][c].act), static_cast<int>(none.seg[s][c].act));
    }
  }
}

TEST(FastBatch, BatchGivesTheSameResultsAsOneByOne) {
  constexpr std::uint32_t kConns = 48;
  for (const NamedProfile& np : profiles()) {
    fast::ConnectionTable batch_table(kConns, np.profile, fast::Mutant::None, SeqNum(0xFFFF'FF00u));
    fast::ConnectionTable single_table(kConns, np.profile, fast::Mutant::None,
                                       SeqNum(0xFFFF'FF00u));
    fast::OutputBuffer scratch = fast::OutputBuffer::for_profile(np.profile);
    SeededRandom r(np.name.size() * 7919u + 1);
    Millis now = 0;
    // Bring the connections into assorted states with the same calls and segments on both.
    for (fast::ConnId c = 0; c < kConns; ++c) {
      const Event open = (c % 3 == 0) ? Event{OpenCall{.passive = true}} : Event{OpenCall{}};
      batch_table.step(c, open, now, scratch);
      single_table.step(c, open, now, scratch);
      const std::uint32_t peer_iss = static_cast<std::uint32_t>(r.next());
      Segment syn{.seq = SeqNum(peer_iss), .ctl = kSyn, .wnd = 4000};
      if (c % 3 != 0) {
        syn.ctl = static_cast<std::uint8_t>(kSyn | kAck);
        syn.ack = SeqNum(batch_table.snapshot(c).snd_nxt.raw());
      }
      if (c % 4 != 3) {
        batch_table.segment_arrives(c, syn, now, scratch);
        single_table.segment_arrives(c, syn, now, scratch);
      }
      if (c % 5 == 1) {
        batch_table.step(c, SendCall{.len = 900}, now, scratch);
        single_table.step(c, SendCall{.len = 900}, now, scratch);
      }
    }
    for (int round = 0; round < 40; ++round) {
      now += r.between(0, 500);
      std::vector<fast::Arrival> arrivals;
      const std::size_t n = r.between(1, 96);
      for (std::size_t i = 0; i < n; ++i) {
        const auto c = static_cast<fast::ConnId>(r.between(0, kConns - 1));
        const TcbSnapshot t = batch_table.snapshot(c);
        Segment s;
        s.seq = SeqNum(t.rcv_nxt.raw() + static_cast<std::uint32_t>(r.between(0, 3)) - 1);
        s.ack = SeqNum(r.percent(70) ? t.snd_nxt.raw() : t.snd_una.raw());
        s.ctl = static_cast<std::uint8_t>(r.percent(80) ? std::uint64_t{kAck} : r.between(0, 63));
        if (r.percent(10)) s.ctl |= kFin;
        s.wnd = static_cast<std::uint32_t>(r.between(0, 8000));
        s.len = r.percent(50) ? 0u : static_cast<std::uint32_t>(r.between(1, 700));
        arrivals.push_back({c, s});
      }
      fast::OutputBuffer batch_out = fast::OutputBuffer::for_profile(np.profile);
      std::vector<fast::StepResult> results(arrivals.size());
      batch_table.segments_arrive(arrivals, now, batch_out, results);
      for (std::size_t i = 0; i < arrivals.size(); ++i) {
        fast::OutputBuffer one = fast::OutputBuffer::for_profile(np.profile);
        const fast::StepResult single =
            single_table.segment_arrives(arrivals[i].conn, arrivals[i].seg, now, one);
        const fast::StepResult& b = results[i];
        ASSERT_EQ(b.from, single.from) << np.name << " round " << round << " item " << i;
        ASSERT_EQ(b.to, single.to) << np.name << " round " << round << " item " << i;
        const auto bs = b.segments(batch_out);
        const auto ss = single.segments(one);
        ASSERT_TRUE(std::equal(bs.begin(), bs.end(), ss.begin(), ss.end()))
            << np.name << " round " << round << " item " << i;
        const auto bn = b.notices(batch_out);
        const auto sn = single.notices(one);
        ASSERT_TRUE(std::equal(bn.begin(), bn.end(), sn.begin(), sn.end()))
            << np.name << " round " << round << " item " << i;
      }
      for (fast::ConnId c = 0; c < kConns; ++c) {
        ASSERT_EQ(batch_table.snapshot(c), single_table.snapshot(c)) << np.name << " conn " << c;
        ASSERT_EQ(batch_table.state(c), single_table.state(c));
        ASSERT_EQ(batch_table.next_timer(c), single_table.next_timer(c));
      }
      // Timers fire one connection at a time, on both tables alike.
      for (fast::ConnId c = 0; c < kConns; c += 7) {
        if (auto t = batch_table.next_timer(c)) {
          batch_table.step(c, TimerExpires{t->first}, now, scratch);
          single_table.step(c, TimerExpires{t->first}, now, scratch);
        }
      }
      now = std::max(now, batch_table.now());
    }
  }
}

// Steady traffic over a warmed-up table allocates nothing: the per-segment path writes into
// reserved storage only. Counted with a replacement of the global operator new (end of file).

TEST(FastBatch, SteadyTrafficDoesNotAllocate) {
  if (g_allocations == 0) GTEST_SKIP() << "allocations are not counted in this build";
  {
    // The counter works: a vector allocates.
    const std::uint64_t before = g_allocations;
    std::vector<int> probe(10);
    ASSERT_GT(g_allocations, before) << probe.size();
  }
  constexpr std::uint32_t kConns = 2000;
  const Profile p;
  fast::ConnectionTable table(kConns, p, fast::Mutant::None, SeqNum(0xFFFF'0000u));
  fast::OutputBuffer out = fast::OutputBuffer::for_profile(p);
  const std::uint32_t peer_iss = 0xFFFF'FFF0u;
  for (fast::ConnId c = 0; c < kConns; ++c) {
    out.clear();
    table.step(c, OpenCall{}, 0, out);
    const std::uint32_t iss = table.snapshot(c).iss.raw();
    table.segment_arrives(
        c,
        Segment{.seq = SeqNum(peer_iss), .ack = SeqNum(iss + 1), .ctl = kSyn | kAck, .wnd = 65535},
        0, out);
    ASSERT_EQ(table.state(c), State::Established);
  }
  std::vector<fast::Arrival> batch(kConns);
  std::vector<fast::StepResult> results(kConns);
  std::vector<std::uint32_t> peer_nxt(kConns, peer_iss + 1);
  const auto fill = [&](std::uint32_t len) {
    for (fast::ConnId c = 0; c < kConns; ++c) {
      const fast::ConnId conn = (c * 7919u) % kConns;  // scattered over the table
      const TcbSnapshot t = table.snapshot(conn);
      batch[c] = {conn, Segment{.seq = SeqNum(peer_nxt[conn]),
                                .ack = t.snd_nxt,
                                .ctl = kAck | kPsh,
                                .wnd = 65535,
                                .len = len}};
      peer_nxt[conn] += len;
    }
  };
  // Warm up once (the output buffer may grow to the batch's size), then measure.
  fill(100);
  table.segments_arrive(batch, 10, out, results);
  for (fast::ConnId c = 0; c < kConns; ++c) {
    table.step(c, ReceiveCall{}, 10, out);
  }
  for (int round = 0; round < 5; ++round) {
    fill(100);
    out.clear();
    const std::uint64_t before = g_allocations;
    table.segments_arrive(batch, 20 + static_cast<Millis>(round), out, results);
    EXPECT_EQ(g_allocations, before) << "round " << round;
    EXPECT_EQ(out.segment_count(), kConns);  // one ACK each
    out.clear();
    for (fast::ConnId c = 0; c < kConns; ++c) table.step(c, ReceiveCall{}, 20, out);
  }
}

// A step that sends more than the buffer was sized for still keeps every segment and notice,
// in order, and the ranges of earlier steps stay valid.
TEST(FastBatch, OutputBufferGrowsWithoutLosingAnything) {
  fast::OutputBuffer out(1, 1);
  for (std::uint32_t i = 0; i < 1000; ++i) {
    out.push(Segment{.seq = SeqNum(i), .ctl = kAck, .len = i});
    out.push(Notice::delivered(i));
  }
  ASSERT_EQ(out.segment_count(), 1000u);
  ASSERT_EQ(out.notice_count(), 1000u);
  EXPECT_GE(out.segment_capacity(), 1000u);
  for (std::uint32_t i = 0; i < 1000; ++i) {
    EXPECT_EQ(out.segments()[i].seq, SeqNum(i));
    EXPECT_EQ(out.segments()[i].len, i);
    EXPECT_EQ(out.notices()[i], Notice::delivered(i));
  }
  out.clear();
  EXPECT_EQ(out.segment_count(), 0u);
  EXPECT_TRUE(out.segments().empty());
  EXPECT_TRUE(out.notices().empty());
}

// ------------------------------------------------------------------------------------------
// The scenario library, with the optimized factory
// ------------------------------------------------------------------------------------------

TEST(FastScenarios, EveryScriptPassesWithTheOptimizedImplementation) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(TCPFSM_SOURCE_ROOT) / "corpus" / "scenarios";
  std::vector<fs::path> scripts;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".tcp")
      scripts.push_back(entry.path());
  }
  std::sort(scripts.begin(), scripts.end());
  ASSERT_FALSE(scripts.empty());
  for (const fs::path& path : scripts) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = harness::parse_script(text.str(), path.filename().string());
    if (const auto* err = std::get_if<harness::ParseError>(&parsed)) {
      ADD_FAILURE() << err->to_string();
      continue;
    }
    const harness::Script& script = std::get<harness::Script>(parsed);
    harness::RunOptions options;
    options.factory = harness::make_optimized_endpoint;
    const harness::RunResult fast_run = harness::run_script(script, options);
    EXPECT_TRUE(fast_run.passed())
        << path.filename().string() << ":" << (fast_run.failure ? fast_run.failure->pos.line : 0)
        << ": " << (fast_run.failure ? fast_run.failure->message : "");
    // The same trace as the reference, line for line.
    const harness::RunResult ref_run = harness::run_script(script);
    EXPECT_EQ(harness::format_trace(ref_run), harness::format_trace(fast_run))
        << path.filename().string();
  }
}

// ------------------------------------------------------------------------------------------
// The mutant zoo
// ------------------------------------------------------------------------------------------

// A scripted run: each event at its time, on the optimized endpoint and on a mutant; true when
// any observable differs somewhere.
struct Scripted {
  Profile profile;
  SeqNum iss{0xFFFF'FFF0u};
  std::vector<TimedEvent> events;
};

bool mutant_differs(fast::Mutant m, const Scripted& sc, std::string& where) {
  auto good = harness::make_optimized_endpoint(sc.profile, sc.iss);
  auto bad = harness::make_mutant_endpoint(m, sc.profile, sc.iss);
  for (std::size_t i = 0; i < sc.events.size(); ++i) {
    const Outcome go = good->step(sc.events[i].event, sc.events[i].now);
    const Outcome bo = bad->step(sc.events[i].event, sc.events[i].now);
    const std::string d = diff_outcomes(go, bo) + diff_endpoints(*good, *bad);
    if (!d.empty()) {
      where = "event #" + std::to_string(i) + " " + to_string(sc.events[i].event) + "\n" + d;
      return true;
    }
  }
  return false;
}

// Helpers that build a conversation with one endpoint, the peer played by hand. Our ISS is
// 0xFFFFFFF0, the peer's 0xFFFFFFFA: both wrap within the first octets.
constexpr std::uint32_t kOur = 0xFFFF'FFF0u;
constexpr std::uint32_t kPeer = 0xFFFF'FFFAu;

Segment seg(std::uint32_t seq, std::uint32_t ack, std::uint8_t ctl, std::uint32_t len = 0,
            std::uint32_t wnd = 8192) {
  return Segment{.seq = SeqNum(seq), .ack = SeqNum(ack), .ctl = ctl, .wnd = wnd, .len = len};
}

// Active open to ESTABLISHED: our SYN is kOur, the peer's SYN-ACK kPeer.
std::vector<TimedEvent> established() {
  return {{OpenCall{}, 0}, {SegmentArrives{seg(kPeer, kOur + 1, kSyn | kAck)}, 10}};
}

Scripted scenario_for(fast::Mutant m) {
  Scripted sc;
  std::vector<TimedEvent>& ev = sc.events;
  ev = established();
  const std::uint32_t p1 = kPeer + 1;  // the peer's next sequence number
  const std::uint32_t o1 = kOur + 1;   // ours
  const auto add = [&](Event e, Millis t) { ev.push_back({std::move(e), t}); };
  switch (m) {
    case fast::Mutant::None:
    case fast::Mutant::FinWaitFinGoesToCloseWait:
      // We close; the peer acknowledges our FIN, then sends its own: TIME-WAIT expected.
      add(CloseCall{}, 20);
      add(SegmentArrives{seg(p1, o1 + 1, kAck)}, 30);
      add(SegmentArrives{seg(p1, o1 + 1, kAck | kFin)}, 40);
      break;
    case fast::Mutant::SimultaneousCloseFinNeverSent:
      // Our FIN waits behind data on a zero window; the peer's FIN comes first (CLOSING); then
      // the window opens and data and FIN must go.
      add(SegmentArrives{seg(p1, o1, kAck, 0, 0)}, 15);
      add(SendCall{.len = 100}, 20);
      add(CloseCall{}, 25);
      add(SegmentArrives{seg(p1, o1, kAck | kFin, 0, 0)}, 30);
      add(SegmentArrives{seg(p1 + 1, o1, kAck, 0, 4000)}, 40);
      break;
    case fast::Mutant::SynReceivedIgnoresRstWithoutAck:
      ev = {{OpenCall{.passive = true}, 0},
            {SegmentArrives{seg(kPeer, 0, kSyn)}, 10},
            {SegmentArrives{seg(kPeer + 1, 0, kRst)}, 20}};
      break;
    case fast::Mutant::SynAckInSynchronizedStateDrawsRst:
      // The peer's SYN-ACK again (our ACK was lost): an ACK is the answer, not a RST.
      add(SegmentArrives{seg(kPeer, kOur + 1, kSyn | kAck)}, 20);
      break;
    case fast::Mutant::FinAckInFinWait1StaysInFinWait2:
      add(CloseCall{}, 20);
      add(SegmentArrives{seg(p1, o1 + 1, kAck | kFin)}, 30);
      break;
    case fast::Mutant::InexactRstAccepted: add(SegmentArrives{seg(p1 + 100, o1, kRst)}, 20); break;
    case fast::Mutant::PlainSequenceComparison:
      // Our SND.NXT has wrapped to 1; the peer's ACK of 0x...F1 (our SYN) and then of 2 must
      // both be judged on the circle.
      add(SendCall{.len = 20}, 20);
      add(SegmentArrives{seg(p1, kOur + 21, kAck)}, 30);
      add(SegmentArrives{seg(p1, 0, kAck, 10)}, 40);
      break;
    case fast::Mutant::TimeWaitNotRestartedByFin:
      add(CloseCall{}, 20);
      add(SegmentArrives{seg(p1, o1 + 1, kAck | kFin)}, 30);
      // The peer's FIN again, much later: TIME-WAIT restarts from here.
      add(SegmentArrives{seg(p1, o1 + 1, kAck | kFin)}, 100'000);
      break;
    case fast::Mutant::SimultaneousCloseLeavesCloseWait:
      // Both close at once: our FIN is out, the peer's FIN does not acknowledge it.
      add(CloseCall{}, 20);
      add(SegmentArrives{seg(p1, o1, kAck | kFin)}, 30);
      add(SegmentArrives{seg(p1 + 1, o1 + 1, kAck)}, 40);
      break;
    case fast::Mutant::ListenSilentOnAck:
      ev = {{OpenCall{.passive = true}, 0}, {SegmentArrives{seg(kPeer, 1234, kAck)}, 10}};
      break;
  }
  return sc;
}

TEST(FastMutants, EachMutantShowsOnItsScenario) {
  for (fast::Mutant m : fast::kAllMutants) {
    std::string where;
    EXPECT_TRUE(mutant_differs(m, scenario_for(m), where))
        << to_string(m) << " behaves like the correct implementation on its scenario";
    std::cout << "[fast] mutant " << to_string(m) << " shows at "
              << where.substr(0, where.find('\n')) << "\n";
  }
}

TEST(FastMutants, NoneNeverDiffersOnAnyScenario) {
  for (fast::Mutant m : fast::kAllMutants) {
    std::string where;
    EXPECT_FALSE(mutant_differs(fast::Mutant::None, scenario_for(m), where)) << where;
  }
}

// The correct implementation agrees with the reference on the mutant scenarios too, so a
// mutant's difference from it is a difference from the reference.
TEST(FastMutants, ScenariosAgreeWithReference) {
  for (fast::Mutant m : fast::kAllMutants) {
    const Scripted sc = scenario_for(m);
    auto ref = harness::make_reference_endpoint(sc.profile, sc.iss);
    auto opt = harness::make_optimized_endpoint(sc.profile, sc.iss);
    for (const TimedEvent& te : sc.events) {
      const Outcome ro = ref->step(te.event, te.now);
      const Outcome oo = opt->step(te.event, te.now);
      ASSERT_EQ(diff_outcomes(ro, oo) + diff_endpoints(*ref, *opt), "") << to_string(m);
    }
  }
}

// The short answers (ConnectionTable::short_answer): in each state past the handshake, the
// segments answered by one ACK or a challenge ACK (out of the window on either side, a RST in the
// window but not at RCV.NXT, a SYN at and around the window's edges, an ACK of unsent data),
// several times at one instant so that a challenge-ACK budget runs out, must give what the
// reference gives, the deciding rule included, under every profile.
TEST(FastDifferential, ShortAnswersAgreeWithReference) {
  const std::uint32_t p1 = kPeer + 1;
  const std::uint32_t o1 = kOur + 1;
  struct Prefix {
    const char* name;
    std::vector<TimedEvent> events;
  };
  const auto with = [](std::vector<TimedEvent> base, std::vector<TimedEvent> more) {
    base.insert(base.end(), more.begin(), more.end());
    return base;
  };
  const std::vector<Prefix> prefixes = {
      {"ESTABLISHED", established()},
      {"FIN-WAIT-1", with(established(), {{CloseCall{}, 20}})},
      {"FIN-WAIT-2",
       with(established(), {{CloseCall{}, 20}, {SegmentArrives{seg(p1, o1 + 1, kAck)}, 30}})},
      {"CLOSE-WAIT", with(established(), {{SegmentArrives{seg(p1, o1, kAck | kFin)}, 20}})},
      {"LAST-ACK",
       with(established(), {{SegmentArrives{seg(p1, o1, kAck | kFin)}, 20}, {CloseCall{}, 30}})},
      {"CLOSING",
       with(established(), {{CloseCall{}, 20}, {SegmentArrives{seg(p1, o1, kAck | kFin)}, 30}})},
  };
  int compared = 0;
  for (const NamedProfile& np : profiles()) {
    for (const Prefix& prefix : prefixes) {
      auto ref = harness::make_reference_endpoint(np.profile, SeqNum(kOur));
      auto opt = harness::make_optimized_endpoint(np.profile, SeqNum(kOur));
      std::vector<TimedEvent> log = prefix.events;
      for (const TimedEvent& te : prefix.events) {
        ref->step(te.event, te.now);
        opt->step(te.event, te.now);
      }
      const auto tcb = ref->tcb();
      ASSERT_TRUE(tcb.has_value()) << np.name << " " << prefix.name;
      const std::uint32_t rn = tcb->rcv_nxt.raw();
      const std::uint32_t rw = tcb->rcv_wnd;
      const std::uint32_t sn = tcb->snd_nxt.raw();
      const std::vector<Segment> battery = {
          seg(rn + 100'000, sn, kAck, 100),   // beyond the window
          seg(rn - 5'000, sn, kAck, 10),      // wholly before it
          seg(rn + rw, sn, kAck, 1),          // just past the right edge
          seg(rn + 10, 0, kRst),              // in the window, not exact
          seg(rn + rw - 1, sn, kRst | kAck),  // at the last octet of the window
          seg(rn, 0, kSyn),                   // SYN at RCV.NXT
          seg(rn + rw - 1, sn, kSyn | kAck),  // SYN at the window's last octet
          seg(rn + rw, 0, kSyn),              // SYN just past it
          seg(rn - 1, 0, kSyn, 3),            // SYN before RCV.NXT, its text inside
          seg(rn, sn + 1'000'000, kAck),      // ACK of unsent data
          seg(rn, sn + 1, kAck | kPsh, 20),   // ACK of unsent data, with text
      };
      Millis now = 100;
      for (int round = 0; round < 3; ++round) {
        for (const Segment& sgm : battery) {
          const Event e = SegmentArrives{sgm};
          log.push_back({e, now});
          const Outcome ro = ref->step(e, now);
          const Outcome oo = opt->step(e, now);
          ++compared;
          const std::string diff = diff_outcomes(ro, oo) + diff_endpoints(*ref, *opt);
          ASSERT_TRUE(diff.empty()) << np.name << " " << prefix.name << "\n"
                                    << diff << show_events(log);
          ASSERT_EQ(ro.rule, oo.rule)
              << np.name << " " << prefix.name << ": reference " << describe(ro.rule).name
              << ", optimized " << describe(oo.rule).name << "\n"
              << show_events(log);
        }
        now += 1;
      }
    }
  }
  std::cout << "[fast] short answers: " << compared << " segments agreed\n";
}

// Mutants also show under random sequences (not each one on every seed): the differential
// driver, pointed at a mutant, must report some difference for most of them.
TEST(FastMutants, RandomSequencesCatchMostMutants) {
  int caught = 0;
  for (fast::Mutant m : fast::kAllMutants) {
    bool found = false;
    for (const NamedProfile& np : profiles()) {
      if (found) break;
      for (int s = 0; s < 30 && !found; ++s) {
        const std::uint64_t seed = 31ull * static_cast<std::uint64_t>(s) + 5;
        auto ref = harness::make_reference_endpoint(np.profile, first_iss_for(seed));
        auto bad = harness::make_mutant_endpoint(m, np.profile, first_iss_for(seed));
        EventMaker maker(seed, np.profile);
        Millis now = 0;
        for (int i = 0; i < 200 && !found; ++i) {
          now = maker.advance(now);
          const Event e = maker.next(*ref);
          const Outcome ro = ref->step(e, now);
          const Outcome bo = bad->step(e, now);
          found = !(diff_outcomes(ro, bo) + diff_endpoints(*ref, *bad)).empty();
        }
      }
    }
    std::cout << "[fast] random sequences " << (found ? "catch " : "miss ") << to_string(m) << "\n";
    if (found) ++caught;
  }
  EXPECT_GE(caught, 6);
}

}  // namespace
}  // namespace tcpfsm

// Counts allocations for FastBatch.SteadyTrafficDoesNotAllocate. Sanitizer builds keep their
// own allocator (replacing it there mixes allocators), and the test is skipped.
#if defined(__SANITIZE_ADDRESS__)
#define TCPFSM_TEST_COUNTS_ALLOCATIONS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TCPFSM_TEST_COUNTS_ALLOCATIONS 0
#endif
#endif
#ifndef TCPFSM_TEST_COUNTS_ALLOCATIONS
#define TCPFSM_TEST_COUNTS_ALLOCATIONS 1
#endif

#if TCPFSM_TEST_COUNTS_ALLOCATIONS
void* operator new(std::size_t n) {
  ++tcpfsm::g_allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  return operator new(n);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
#endif
