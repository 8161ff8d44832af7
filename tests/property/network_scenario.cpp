// Generation of network scenarios: a profile, both ISS values, a fault schedule, an opening,
// user behaviour, a closing and a long loss-free tail, as a two-endpoint script.
#include <array>
#include <variant>
#include <vector>

#include "draw.hpp"
#include "network_property.hpp"
#include "profiles.hpp"

namespace tcpfsm::prop {

namespace {

using harness::Actor;

constexpr Millis kTailRun = 700'000;  // long enough for 2*MSL, back-off and the user timeout

enum class Opening : std::uint8_t {
  ListenThenOpen,
  ListenUnspecified,
  SimultaneousOpen,
  OpenBeforeListen,
  ReversedRoles,
  AbortAndRetry,
};

enum class Closing : std::uint8_t {
  AFirst,
  BFirst,
  Simultaneous,
  NearlySimultaneous,
  OneSide,
  Abort,
  BRestarts,
  Neither,
};

harness::FaultsLine draw_faults(bool allow_loss) {
  harness::FaultsLine f;
  f.seed = *rc::gen::inRange<std::uint64_t>(0, 1'000'000'000);
  if (allow_loss && *rc::gen::inRange(0, 100) < 45) f.loss_pct = *rc::gen::inRange(0u, 31u);
  if (*rc::gen::inRange(0, 100) < 40) f.dup_pct = *rc::gen::inRange(0u, 21u);
  if (*rc::gen::inRange(0, 100) < 40) f.reorder_pct = *rc::gen::inRange(0u, 31u);
  f.delay_min = *rc::gen::inRange<Millis>(0, 31);
  f.delay_max = f.delay_min + *rc::gen::inRange<Millis>(0, 201);
  return f;
}

Actor draw_actor() {
  return *rc::gen::inRange(0, 2) == 0 ? Actor::A : Actor::B;
}

Millis draw_run() {
  static constexpr std::array<Millis, 8> kRuns = {0, 1, 10, 50, 200, 1000, 5000, 30'000};
  return kRuns[*rc::gen::inRange<std::size_t>(0, kRuns.size())];
}

// The time between the first and the second CLOSE: often about a round trip, so that the
// second FIN can cross the ACK of the first (and, reordered, overtake it).
Millis draw_close_gap() {
  return *rc::gen::inRange(0, 2) == 0 ? *rc::gen::inRange<Millis>(0, 300)
                                      : *rc::gen::inRange<Millis>(0, 20'000);
}

harness::Line call(Actor who, Event e) {
  return harness::CallLine{who, std::move(e)};
}

// One step of the user behaviour between the opening and the closing.
rc::Gen<harness::Line> gen_middle_line() {
  return rc::gen::exec([]() -> harness::Line {
    const int roll = *rc::gen::inRange(0, 100);
    const Actor who = draw_actor();
    if (roll < 32) {
      static constexpr std::array<std::uint32_t, 7> kLens = {0, 1, 100, 535, 536, 537, 3000};
      std::uint32_t len = kLens[*rc::gen::inRange<std::size_t>(0, kLens.size())];
      if (*rc::gen::inRange(0, 100) < 30) len = *rc::gen::inRange(1u, 20'000u);
      return call(who, SendCall{len, *rc::gen::inRange(0, 100) < 5});
    }
    if (roll < 50) {
      const std::uint32_t max = *rc::gen::inRange(0, 100) < 60 ? 0u : *rc::gen::inRange(1u, 2000u);
      return call(who, ReceiveCall{max});
    }
    if (roll < 82) return harness::RunLine{draw_run()};
    if (roll < 88) return draw_faults(true);
    if (roll < 91) return call(who, StatusCall{});
    if (roll < 94) return call(who, CloseCall{});
    if (roll < 96) return call(who, AbortCall{});
    return call(who, OpenCall{*rc::gen::inRange(0, 2) == 0, true});
  });
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const NetScenario& s) {
  return os << s.plan << "\n" << harness::print_script(s.script);
}

rc::Gen<NetScenario> gen_net_scenario() {
  return rc::gen::exec([] {
    NetScenario sc;
    harness::Script& s = sc.script;
    s.two_endpoints = true;
    const ProfileChoice profile = *gen_profile();
    s.profile_a = profile.spec;
    s.profile_b = profile.spec;
    s.iss_a = *gen_iss();
    s.iss_b = *gen_iss();
    std::vector<harness::Line> lines;
    lines.emplace_back(draw_faults(true));

    // Opening.
    switch (static_cast<Opening>(pick({12, 2, 2, 2, 2, 4}))) {
      case Opening::ListenThenOpen:
        sc.plan = "B listens, A opens";
        lines.push_back(call(Actor::B, OpenCall{true, true}));
        lines.push_back(call(Actor::A, OpenCall{false, true}));
        break;
      case Opening::ListenUnspecified:
        sc.plan = "B listens (foreign socket unspecified), A opens";
        lines.push_back(call(Actor::B, OpenCall{true, false}));
        lines.push_back(call(Actor::A, OpenCall{false, true}));
        break;
      case Opening::SimultaneousOpen:
        sc.plan = "simultaneous open";
        lines.push_back(call(Actor::A, OpenCall{false, true}));
        lines.push_back(call(Actor::B, OpenCall{false, true}));
        break;
      case Opening::OpenBeforeListen:
        sc.plan = "A opens before B listens";
        lines.push_back(call(Actor::A, OpenCall{false, true}));
        lines.push_back(harness::RunLine{*rc::gen::inRange<Millis>(0, 3000)});
        lines.push_back(call(Actor::B, OpenCall{true, true}));
        break;
      case Opening::ReversedRoles:
        sc.plan = "A listens, B opens";
        lines.push_back(call(Actor::A, OpenCall{true, true}));
        lines.push_back(call(Actor::B, OpenCall{false, true}));
        break;
      case Opening::AbortAndRetry:
        // A gives up at once: B's SYN-ACK finds A closed and draws a RST without ACK, which
        // must take B from SYN-RECEIVED back to LISTEN; then A tries again.
        sc.plan = "B listens, A opens and aborts at once, then opens again";
        lines.push_back(call(Actor::B, OpenCall{true, true}));
        lines.push_back(call(Actor::A, OpenCall{false, true}));
        lines.push_back(harness::RunLine{*rc::gen::inRange<Millis>(0, 3)});
        lines.push_back(call(Actor::A, AbortCall{}));
        // Long enough, half of the time, for B to give up on its SYN-ACK if it ignores the RST.
        lines.push_back(harness::RunLine{
            *rc::gen::inRange(0, 2) == 0 ? *rc::gen::inRange<Millis>(0, 2000) : Millis{300'000}});
        lines.push_back(call(Actor::A, OpenCall{false, true}));
        break;
    }
    lines.push_back(harness::RunLine{*rc::gen::inRange<Millis>(0, 5000)});

    // The user behaviour in between.
    const auto middle = *rc::gen::container<std::vector<harness::Line>>(gen_middle_line());
    lines.insert(lines.end(), middle.begin(), middle.end());

    // Closing.
    if (*rc::gen::inRange(0, 100) < 50) {
      lines.push_back(call(Actor::A, ReceiveCall{0}));
      lines.push_back(call(Actor::B, ReceiveCall{0}));
    }
    switch (static_cast<Closing>(pick({4, 2, 6, 2, 2, 2, 6, 1}))) {
      case Closing::AFirst:
        sc.plan += "; A closes first";
        lines.push_back(call(Actor::A, CloseCall{}));
        lines.push_back(harness::RunLine{draw_close_gap()});
        lines.push_back(call(Actor::B, ReceiveCall{0}));
        lines.push_back(call(Actor::B, CloseCall{}));
        break;
      case Closing::BFirst:
        sc.plan += "; B closes first";
        lines.push_back(call(Actor::B, CloseCall{}));
        lines.push_back(harness::RunLine{draw_close_gap()});
        lines.push_back(call(Actor::A, ReceiveCall{0}));
        lines.push_back(call(Actor::A, CloseCall{}));
        break;
      case Closing::Simultaneous:
        sc.plan += "; simultaneous close";
        lines.push_back(call(Actor::A, CloseCall{}));
        lines.push_back(call(Actor::B, CloseCall{}));
        break;
      case Closing::NearlySimultaneous:
        sc.plan += "; nearly simultaneous close";
        lines.push_back(call(Actor::B, CloseCall{}));
        lines.push_back(harness::RunLine{*rc::gen::inRange<Millis>(0, 40)});
        lines.push_back(call(Actor::A, CloseCall{}));
        break;
      case Closing::OneSide:
        sc.plan += "; only one side closes";
        lines.push_back(call(draw_actor(), CloseCall{}));
        break;
      case Closing::Abort:
        sc.plan += "; one side aborts";
        lines.push_back(call(draw_actor(), AbortCall{}));
        break;
      case Closing::BRestarts: {
        // B crashes: its RST is lost, it listens again, and A's next segment finds a listener
        // (a half-open connection, RFC 9293 §3.5.2 Figure 10).
        sc.plan += "; B restarts while A is connected";
        harness::FaultsLine blackout = draw_faults(false);
        blackout.loss_pct = 100;
        lines.emplace_back(blackout);
        lines.push_back(call(Actor::B, AbortCall{}));
        lines.push_back(harness::RunLine{*rc::gen::inRange<Millis>(1, 100)});
        lines.emplace_back(draw_faults(false));
        lines.push_back(call(Actor::B, OpenCall{true, true}));
        lines.push_back(call(Actor::A, SendCall{*rc::gen::inRange(1u, 600u), false}));
        lines.push_back(harness::RunLine{*rc::gen::inRange<Millis>(0, 5000)});
        lines.push_back(call(Actor::A, CloseCall{}));
        break;
      }
      case Closing::Neither: sc.plan += "; nobody closes"; break;
    }

    // A quiet network until everything is over.
    harness::FaultsLine quiet = draw_faults(false);
    quiet.dup_pct = 0;
    quiet.reorder_pct = 0;
    lines.emplace_back(quiet);
    lines.push_back(harness::RunLine{60'000});
    lines.push_back(call(Actor::A, ReceiveCall{0}));
    lines.push_back(call(Actor::B, ReceiveCall{0}));
    lines.push_back(harness::RunLine{kTailRun});

    for (auto& l : lines) s.lines.push_back(harness::ScriptLine{harness::SourcePos{}, l});
    // Through the printer and the parser, so that line numbers in failures are those of the
    // canonical text a counterexample prints.
    auto parsed = harness::parse_script(harness::print_script(s), "scenario.tcp");
    if (auto* ok = std::get_if<harness::Script>(&parsed)) s = std::move(*ok);
    return sc;
  });
}

}  // namespace tcpfsm::prop
