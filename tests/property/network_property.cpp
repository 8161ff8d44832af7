#include "network_property.hpp"

#include <algorithm>
#include <array>
#include <iostream>
#include <sstream>
#include <vector>

#include "counterexample.hpp"

namespace tcpfsm::prop {

namespace {

using harness::Actor;

// One incarnation of one endpoint, as the checks see it.
struct Life {
  std::optional<SeqNum> iss;
  bool synchronized = false;
  bool close_before_fin = false;  // the user's CLOSE came before the peer's FIN
  bool close_after_fin = false;   // ... after it
  bool close_wait = false, last_ack = false;
  bool time_wait = false;
  bool aborted = false;
  std::uint64_t sent_ok = 0;  // octets of SENDs the user was told "ok" for
};

bool is_connection(State s) {
  return s != State::Closed && s != State::Listen;
}

const char* name(Actor a) {
  return a == Actor::B ? "B" : "A";
}

bool first_notice_ok(const Outcome& o) {
  return !o.notices.empty() && o.notices.front().kind == NoticeKind::Ok;
}

bool ends_connection(const Notice& n) {
  if (n.kind != NoticeKind::Error) return false;
  switch (n.error) {
    case UserError::ConnectionReset:
    case UserError::ConnectionRefused:
    case UserError::UserTimeout:
    case UserError::RetransmissionTimeout: return true;
    case UserError::None:
    case UserError::ConnectionDoesNotExist:
    case UserError::ConnectionAlreadyExists:
    case UserError::ConnectionClosing:
    case UserError::RemoteSocketUnspecified:
    case UserError::InsufficientResources: return false;
  }
  return false;
}

std::string where(const harness::StepRecord& s) {
  return "step " + std::to_string(s.index + 1) + " (" + name(s.who) + ", " + to_string(s.event) +
         ", " + std::string(to_string(s.outcome.from)) + " -> " +
         std::string(to_string(s.outcome.to)) + ")";
}

}  // namespace

std::string NetStats::table() const {
  std::ostringstream o;
  o << "network runs: " << runs << ", endpoint steps: " << steps
    << ", graceful closes judged for completion: " << graceful_closes_judged
    << ", quiet completions: " << quiet_completions
    << ", simultaneous closes judged: " << simultaneous_closes_judged
    << ", active/passive closes judged: " << active_passive_closes_judged
    << ", FIN arrivals judged for data: " << fins_judged
    << ", TIME-WAIT entries: " << time_wait_entries << ", longest run: " << max_steps
    << " steps, runs that did not end (reference too, discarded): " << runaways << "\n";
  return o.str();
}

std::optional<std::string> close_role_failure(const harness::RunResult& run,
                                              const std::array<Profile, 2>& profiles,
                                              bool timer_armed_at_end, NetStats* stats) {
  std::array<std::vector<Life>, 2> lives;
  std::array<State, 2> final_state{State::Closed, State::Closed};
  bool calm = true;  // no RST, ABORT or connection-ending timeout (losses allowed)
  bool lossless = true;
  auto side = [](Actor a) { return a == Actor::B ? 1 : 0; };

  for (const harness::WireEvent& w : run.wire) {
    if (w.kind == harness::WireEvent::Kind::Dropped) lossless = false;
    if (w.kind == harness::WireEvent::Kind::Sent && w.seg.rst()) calm = false;
  }

  for (const harness::StepRecord& s : run.steps) {
    const int me = side(s.who);
    const Outcome& o = s.outcome;
    auto& mine = lives[static_cast<std::size_t>(me)];
    const bool reopen = o.from == State::TimeWait && o.to == State::SynReceived;
    if (mine.empty() || (!is_connection(o.from) && is_connection(o.to)) || reopen) {
      mine.emplace_back();
    }
    Life& life = mine.back();
    final_state[static_cast<std::size_t>(me)] = o.to;
    if (s.tcb_after && s.tcb_after->iss_defined) life.iss = s.tcb_after->iss;
    if (is_synchronized(o.to)) life.synchronized = true;

    if (std::holds_alternative<AbortCall>(s.event)) {
      calm = false;
      life.aborted = true;
    }
    // Nothing was lost, so every segment was answered: giving up retransmitting is a bug.
    const auto* timer = std::get_if<TimerExpires>(&s.event);
    if (lossless && timer && timer->timer == TimerKind::Retransmission && is_connection(o.from) &&
        !is_connection(o.to)) {
      return "gave up retransmitting on a network that lost nothing, at " + where(s);
    }
    for (const Notice& n : o.notices) {
      if (ends_connection(n)) calm = false;
    }
    if (o.from == State::FinWait2 && o.to == State::Closed) calm = false;  // FIN-WAIT-2 timer
    if (o.from == State::SynReceived && o.to == State::Listen) calm = false;

    if (const auto* send = std::get_if<SendCall>(&s.event); send && first_notice_ok(o)) {
      life.sent_ok += send->len;
    }
    if (std::holds_alternative<CloseCall>(s.event) && first_notice_ok(o) && s.tcb_before &&
        (o.from == State::SynReceived || o.from == State::Established ||
         o.from == State::CloseWait)) {
      (s.tcb_before->fin_received ? life.close_after_fin : life.close_before_fin) = true;
    }
    if (o.to == State::CloseWait) life.close_wait = true;
    if (o.to == State::LastAck) life.last_ack = true;
    // A reopened incarnation that falls back to the old TIME-WAIT (MAY-2) does not enter it.
    const bool restored = o.from == State::SynReceived && o.to == State::TimeWait;
    if (o.to == State::TimeWait && o.from != State::TimeWait && !restored) {
      life.time_wait = true;
      if (stats) ++stats->time_wait_entries;
      const bool exempt = std::holds_alternative<AbortCall>(s.event) &&
                          profiles[static_cast<std::size_t>(me)].rst_sender_enters_time_wait;
      if (!exempt && !life.close_before_fin) {
        return "TIME-WAIT entered by an endpoint whose CLOSE did not come before the peer's FIN, "
               "at " +
               where(s);
      }
      if (!exempt && (life.close_wait || life.close_after_fin)) {
        return "the passive closer entered TIME-WAIT at " + where(s);
      }
    }

    // No byte lost or invented: at the peer's FIN every octet its user sent is here.
    if (s.tcb_before && s.tcb_after && !s.tcb_before->fin_received && s.tcb_after->fin_received &&
        s.tcb_after->irs_defined && o.from != State::TimeWait && !life.aborted) {
      const auto& theirs = lives[static_cast<std::size_t>(1 - me)];
      const auto peer = std::find_if(theirs.rbegin(), theirs.rend(), [&](const Life& l) {
        return l.iss && *l.iss == s.tcb_after->irs;
      });
      if (peer != theirs.rend()) {
        if (stats) ++stats->fins_judged;
        const std::uint64_t got = s.tcb_after->delivered_total + s.tcb_after->recv_unread;
        if (got != peer->sent_ok) {
          return "at the peer's FIN, " + std::string(name(s.who)) + " holds " +
                 std::to_string(got) + " octets (delivered + unread) but the peer's user sent " +
                 std::to_string(peer->sent_ok) + ", at " + where(s);
        }
      }
    }
  }

  if (!calm) return std::nullopt;
  // One synchronized incarnation each.
  std::array<const Life*, 2> conn{nullptr, nullptr};
  for (std::size_t i = 0; i < 2; ++i) {
    int synchronized = 0;
    for (const Life& l : lives[i]) {
      if (l.synchronized) {
        ++synchronized;
        conn[i] = &l;
      }
    }
    if (synchronized != 1) return std::nullopt;
  }
  // Both users closed and nothing reset the connection: the close is done or still moving.
  const bool both_closed = (conn[0]->close_before_fin || conn[0]->close_after_fin) &&
                           (conn[1]->close_before_fin || conn[1]->close_after_fin);
  const auto done = [](State s) { return s == State::Closed || s == State::TimeWait; };
  if (both_closed) {
    if (stats) ++stats->graceful_closes_judged;
    if ((!done(final_state[0]) || !done(final_state[1])) && !timer_armed_at_end) {
      return "both users closed and nothing reset the connection, yet the close is stuck: A in " +
             std::string(to_string(final_state[0])) + ", B in " +
             std::string(to_string(final_state[1])) + ", no timer armed, nothing in flight";
    }
  }
  // Quiet completion: nothing lost either, both done.
  if (!lossless || !done(final_state[0]) || !done(final_state[1])) return std::nullopt;
  if (stats) ++stats->quiet_completions;
  const Life& a = *conn[0];
  const Life& b = *conn[1];
  if (a.close_before_fin && b.close_before_fin) {
    if (stats) ++stats->simultaneous_closes_judged;
    if (!a.time_wait || !b.time_wait) {
      return std::string("simultaneous close completed quietly but ") + (!a.time_wait ? "A" : "B") +
             " never passed TIME-WAIT";
    }
    return std::nullopt;
  }
  for (int active = 0; active < 2; ++active) {
    const Life& x = active == 0 ? a : b;
    const Life& y = active == 0 ? b : a;
    if (!x.close_before_fin || !y.close_after_fin) continue;
    if (stats) ++stats->active_passive_closes_judged;
    const char* xn = active == 0 ? "A" : "B";
    const char* yn = active == 0 ? "B" : "A";
    if (!x.time_wait) {
      return std::string("the active closer ") + xn + " completed quietly without TIME-WAIT";
    }
    if (y.time_wait || !y.last_ack) {
      return std::string("the passive closer ") + yn +
             (y.time_wait ? " passed TIME-WAIT" : " never passed LAST-ACK");
    }
  }
  return std::nullopt;
}

namespace {

// Notes whether either endpoint has a timer armed after each step; after the last step of a
// run, that is whether anything can still happen.
class TimerWatch final : public harness::RunObserver {
 public:
  std::vector<harness::Violation> on_step(const harness::StepRecord&,
                                          const harness::WorldView& world) override {
    armed = (world.a != nullptr && world.a->next_timer().has_value()) ||
            (world.b != nullptr && world.b->next_timer().has_value());
    return {};
  }
  bool armed = false;
};

// The profiles of A and B (a StepRecord's profile pointer dies with the run's endpoints).
std::array<Profile, 2> profiles_of(const harness::Script& script) {
  std::array<Profile, 2> out;
  auto a = harness::make_profile(script.profile_a);
  auto b = harness::make_profile(script.profile_b);
  if (auto* p = std::get_if<Profile>(&a)) out[0] = *p;
  if (auto* p = std::get_if<Profile>(&b)) out[1] = *p;
  return out;
}

struct Played {
  std::optional<harness::RunResult> run;  // nullopt: it ran away
  std::string runaway;
  bool timer_armed_at_end = false;
};

Played play(const NetScenario& scenario, harness::EndpointFactory factory) {
  StepLimit limit(kMaxStepsPerRun, kMaxInFlight);
  TimerWatch timers;
  harness::RunOptions options;
  options.factory = factory;
  options.extra_observers = {&limit, &timers};
  Played p;
  try {
    p.run = harness::run_script(scenario.script, options);
  } catch (const StepLimit::Runaway& runaway) {
    p.runaway = runaway.what;
  }
  p.timer_armed_at_end = timers.armed;
  return p;
}

}  // namespace

void network_property(harness::EndpointFactory factory, NetStats* stats,
                      std::optional<NetFailure>* last_failure) {
  const NetScenario scenario = *gen_net_scenario();
  const Played played = play(scenario, factory);
  std::optional<std::string> failure;
  if (!played.run) {
    // A run that does not end is judged against the reference: if the reference runs away
    // too, the scenario shows a behaviour of the model itself (kept aside, not a failure).
    const bool reference_too = factory == harness::make_reference_endpoint ||
                               !play(scenario, harness::make_reference_endpoint).run.has_value();
    if (!reference_too) {
      failure = played.runaway + ", where the reference pair comes to an end";
    } else {
      if (stats) {
        ++stats->runaways;
        if (stats->first_runaway.empty())
          stats->first_runaway = harness::print_script(scenario.script);
      }
      RC_DISCARD("the run does not end, for the reference pair too");
    }
  } else if (!played.run->passed()) {
    failure = "script line " + std::to_string(played.run->failure->pos.line) + ": " +
              played.run->failure->message;
  } else {
    failure = close_role_failure(*played.run, profiles_of(scenario.script),
                                 played.timer_armed_at_end, stats);
  }
  if (failure) {
    if (last_failure != nullptr) *last_failure = NetFailure{scenario, *failure};
    RC_FAIL(*failure);
  }
  RC_TAG(scenario.plan);
  if (stats) {
    ++stats->runs;
    stats->steps += played.run->steps.size();
    stats->max_steps = std::max<std::uint64_t>(stats->max_steps, played.run->steps.size());
  }
}

NetResult check_network(const CheckOptions& options, harness::EndpointFactory factory) {
  NetResult out;
  std::optional<NetFailure> last;
  out.report = check_property(
      options, [&out, &last, factory] { network_property(factory, &out.stats, &last); });
  std::cout << "[" << options.id << "] " << out.report.summary() << "\n";
  if (out.report.passed()) std::cout << out.report.message << "\n";
  if (!out.stats.first_runaway.empty()) {
    const std::string path = write_counterexample(options.id + "/runaway", out.stats.first_runaway);
    std::cout << out.stats.runaways
              << " generated runs did not end, for the reference pair too (discarded); the "
                 "first is in "
              << path << "\n";
  }
  if (!out.report.failed()) return out;
  std::cout << out.report.message << "\nreproduce with: " << out.report.reproduce << "\n";
  if (!last) {
    std::cout << "(the failing run left no scenario)\n";
    return out;
  }
  out.script_text = harness::print_script(last->scenario.script);
  const std::string what =
      last->scenario.plan + "; seed " + std::to_string(out.report.seed) + "\n" + last->failure;
  const Published file =
      publish_counterexample(options.id, what, out.report.reproduce, out.script_text, false);
  out.script_path = file.path;
  // Replayed from the file's text, so that line numbers are the file's.
  const Replay on_factory = replay_script(file.text, factory);
  const Replay on_reference = replay_script(file.text, harness::make_reference_endpoint);
  std::cout << "replayed against the implementation under test: "
            << (on_factory.passed ? "passes (only the close-role checks of the test see it)"
                                  : "fails: " + on_factory.message)
            << "\nreplayed against the reference: "
            << (on_reference.passed ? "passes" : "fails: " + on_reference.message) << "\n";
  return out;
}

}  // namespace tcpfsm::prop
