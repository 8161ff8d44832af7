#include "differential.hpp"

#include <algorithm>
#include <array>
#include <iostream>
#include <sstream>

#include "counterexample.hpp"
#include "harness/script_runner.hpp"

namespace tcpfsm::prop {

namespace {

harness::Number absolute(SeqNum s) {
  return harness::Number{true, s.raw()};
}

harness::SegmentSpec spec_of(const Segment& s) {
  harness::SegmentSpec spec;
  spec.ctl = s.ctl;
  spec.seq = absolute(s.seq);
  spec.len = s.len;
  if (s.ack_flag()) spec.ack = absolute(s.ack);
  spec.wnd = s.wnd;
  if (s.has(kUrg)) spec.up = s.up;
  return spec;
}

harness::ExpectTcbLine tcb_line(const TcbSnapshot& t) {
  using harness::TcbVar;
  harness::ExpectTcbLine l;
  l.who = harness::Actor::Self;
  auto plain = [](std::uint32_t v) { return harness::Number{false, v}; };
  l.values = {
      {TcbVar::Iss, absolute(t.iss)},
      {TcbVar::Irs, absolute(t.irs)},
      {TcbVar::SndUna, absolute(t.snd_una)},
      {TcbVar::SndNxt, absolute(t.snd_nxt)},
      {TcbVar::SndWnd, plain(t.snd_wnd)},
      {TcbVar::SndWl1, absolute(t.snd_wl1)},
      {TcbVar::SndWl2, absolute(t.snd_wl2)},
      {TcbVar::SndUp, absolute(t.snd_up)},
      {TcbVar::MaxSndWnd, plain(t.max_snd_wnd)},
      {TcbVar::RcvNxt, absolute(t.rcv_nxt)},
      {TcbVar::RcvWnd, plain(t.rcv_wnd)},
      {TcbVar::RcvUp, absolute(t.rcv_up)},
  };
  return l;
}

}  // namespace

void differential_property(harness::EndpointFactory sut_factory, Coverage* coverage,
                           std::optional<DiffFailure>* last_failure) {
  const ProfileChoice profile = *gen_profile();
  const std::uint32_t iss = *gen_iss();
  const std::uint32_t peer_iss = *gen_iss();
  auto setup = std::make_shared<const DiffSetup>(DiffSetup{profile, iss, peer_iss});
  const DiffModel model{EndpointBox(harness::make_reference_endpoint(profile.profile, SeqNum(iss))),
                        0, setup};
  DiffSut sut;
  sut.ep = sut_factory(profile.profile, SeqNum(iss));
  try {
    rc::state::check(model, sut, [](const DiffModel& m) { return gen_command(m); });
  } catch (...) {
    if (last_failure != nullptr) {
      *last_failure =
          DiffFailure{*setup, sut.transcript, sut.failure.empty() ? "an exception" : sut.failure};
    }
    throw;
  }
  std::array<bool, 11> reached{};
  for (const TranscriptEntry& e : sut.transcript) {
    for (const StepView& v : e.expected) reached[static_cast<std::size_t>(v.outcome.to)] = true;
  }
  const auto count = std::count(reached.begin(), reached.end(), true);
  RC_TAG("reached " + std::to_string(count) + " of the 11 states");
  if (coverage != nullptr) coverage->add(sut.transcript);
}

harness::Script transcript_script(const DiffSetup& setup, const Transcript& run) {
  harness::Script script;
  script.two_endpoints = false;
  script.profile_a = setup.profile.spec;
  script.iss_a = setup.iss;
  script.iss_b = setup.peer_iss;
  int line = 1;
  auto add = [&](harness::Line l) {
    script.lines.push_back(harness::ScriptLine{harness::SourcePos{line++, 1}, std::move(l)});
  };
  const auto self = harness::Actor::Self;
  for (const TranscriptEntry& e : run) {
    if (const auto* t = std::get_if<AdvanceTime>(&e.action)) {
      add(harness::TimeLine{true, t->by});
    } else {
      const Event& ev = std::get<Event>(e.action);
      if (const auto* s = std::get_if<SegmentArrives>(&ev)) {
        add(harness::InjectLine{self, spec_of(s->seg)});
      } else if (const auto* t2 = std::get_if<TimerExpires>(&ev)) {
        add(harness::TimeoutLine{self, t2->timer});
      } else {
        add(harness::CallLine{self, ev});
      }
    }
    for (const StepView& v : e.expected) {
      for (const Segment& s : v.outcome.sent) add(harness::ExpectSegmentLine{self, spec_of(s)});
    }
    add(harness::ExpectSegmentLine{self, std::nullopt});
    add(harness::ExpectStateLine{self, e.state_after});
    if (!e.expected.empty()) {
      for (const Notice& n : e.expected.back().outcome.notices) {
        add(harness::ExpectNoticeLine{self, n});
      }
    }
    if (e.tcb_after) add(tcb_line(*e.tcb_after));
  }
  return script;
}

DiffResult check_differential(const CheckOptions& options, harness::EndpointFactory sut_factory) {
  DiffResult out;
  std::optional<DiffFailure> last;
  out.report = check_property(options, [&out, &last, sut_factory] {
    differential_property(sut_factory, &out.coverage, &last);
  });
  std::cout << "[" << options.id << "] " << out.report.summary() << "\n";
  if (out.report.passed()) std::cout << out.report.message << "\n";
  if (!out.report.failed()) return out;
  std::cout << out.report.message << "\nreproduce with: " << out.report.reproduce << "\n";
  if (!last) {
    std::cout << "(the failing run left no transcript)\n";
    return out;
  }
  out.script_text = harness::print_script(transcript_script(last->setup, last->transcript));
  const std::string what = "profile " + last->setup.profile.label + "; " +
                           std::to_string(last->transcript.size()) + " commands; seed " +
                           std::to_string(out.report.seed) + "\n" + last->failure;
  const Published file =
      publish_counterexample(options.id, what, out.report.reproduce, out.script_text, true);
  out.script_path = file.path;
  // Replayed from the file's text, so that line numbers are the file's.
  const Replay on_reference = replay_script(file.text, harness::make_reference_endpoint);
  const Replay on_sut = replay_script(file.text, sut_factory);
  std::cout << "replayed against the reference: "
            << (on_reference.passed ? "passes" : "FAILS: " + on_reference.message) << "\n"
            << "replayed against the implementation under test: "
            << (on_sut.passed ? "passes (the difference is not visible in a script)"
                              : "fails: " + on_sut.message)
            << "\n";
  return out;
}

}  // namespace tcpfsm::prop
