// Exhaustive exploration of bounded worlds (label: explore). The smallest named configurations
// explore completely with no violation; a planted stuck state fails the liveness check; a broken
// implementation is caught with a shortest counterexample that replays and fails; every script
// the explorer writes replays under the runner.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "fast/mutant.hpp"
#include "harness/explorer.hpp"
#include "harness/script_runner.hpp"

namespace tcpfsm::harness {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ExploreConfig named(const std::string& name) {
  const std::string path = std::string(TCPFSM_SOURCE_ROOT) + "/corpus/explore/" + name + ".explore";
  auto parsed = parse_explore_config(read_text(path), path);
  if (const auto* e = std::get_if<std::string>(&parsed)) ADD_FAILURE() << *e;
  return std::get_if<ExploreConfig>(&parsed) ? std::get<ExploreConfig>(parsed) : ExploreConfig{};
}

ExploreConfig config_from(std::string_view text) {
  auto parsed = parse_explore_config(text, "test.explore");
  if (const auto* e = std::get_if<std::string>(&parsed)) ADD_FAILURE() << *e;
  return std::get_if<ExploreConfig>(&parsed) ? std::get<ExploreConfig>(parsed) : ExploreConfig{};
}

std::string parse_error(std::string_view text) {
  auto parsed = parse_explore_config(text, "x.explore");
  const auto* e = std::get_if<std::string>(&parsed);
  return e != nullptr ? *e : std::string("(parsed)");
}

// The smallest world with a whole close: A opens actively, B passively, both may CLOSE.
constexpr std::string_view kSmallClose =
    "profile rfc9293 syn_retries=0 data_retries=1 user_timeout_ms=0 msl_ms=1000\n"
    "A iss 4294967295\n"
    "B iss 4294967000\n"
    "A calls open-active close\n"
    "B calls open-passive close\n"
    "capacity 2\n";

// --- wrappers around the reference: a planted stuck state and a broken transition ------------

class Wrapper : public EndpointUnderTest {
 public:
  explicit Wrapper(std::unique_ptr<EndpointUnderTest> inner) : inner_(std::move(inner)) {}
  std::string_view kind() const override { return "wrapped"; }
  State state() const override { return inner_->state(); }
  std::optional<TcbSnapshot> tcb() const override { return inner_->tcb(); }
  std::optional<std::pair<TimerKind, Millis>> next_timer() const override {
    return inner_->next_timer();
  }
  std::optional<Millis> deadline(TimerKind t) const override { return inner_->deadline(t); }
  const Profile& profile() const override { return inner_->profile(); }
  bool encode_state(Millis now, std::string& out) const override {
    return inner_->encode_state(now, out);
  }

 protected:
  std::unique_ptr<EndpointUnderTest> inner_;
};

// Once in FIN-WAIT-2 it ignores every segment, so the peer's FIN never moves it on.
class StuckInFinWait2 final : public Wrapper {
 public:
  using Wrapper::Wrapper;
  Outcome step(const Event& e, Millis now) override {
    if (inner_->state() == State::FinWait2 && std::holds_alternative<SegmentArrives>(e)) {
      return Outcome{State::FinWait2, State::FinWait2, {}, {}, Rule::None};
    }
    return inner_->step(e, now);
  }
  std::unique_ptr<EndpointUnderTest> clone() const override {
    return std::make_unique<StuckInFinWait2>(inner_->clone());
  }
};

std::unique_ptr<EndpointUnderTest> make_stuck(const Profile& p, SeqNum iss) {
  return std::make_unique<StuckInFinWait2>(make_reference_endpoint(p, iss));
}

// FIN-WAIT-2 to TIME-WAIT on the peer's FIN, but the ACK it owes is never sent.
class SilentOnFinInFinWait2 final : public Wrapper {
 public:
  using Wrapper::Wrapper;
  Outcome step(const Event& e, Millis now) override {
    Outcome o = inner_->step(e, now);
    if (o.from == State::FinWait2 && o.to == State::TimeWait) o.sent.clear();
    return o;
  }
  std::unique_ptr<EndpointUnderTest> clone() const override {
    return std::make_unique<SilentOnFinInFinWait2>(inner_->clone());
  }
};

std::unique_ptr<EndpointUnderTest> make_silent(const Profile& p, SeqNum iss) {
  return std::make_unique<SilentOnFinInFinWait2>(make_reference_endpoint(p, iss));
}

template <fast::Mutant M>
std::unique_ptr<EndpointUnderTest> make_mutant(const Profile& p, SeqNum iss) {
  return make_mutant_endpoint(M, p, iss);
}

RunResult replay(const Counterexample& c, EndpointFactory factory) {
  auto parsed = parse_script(c.text, "counterexample.tcp");
  EXPECT_TRUE(std::holds_alternative<Script>(parsed)) << c.text;
  RunOptions o;
  o.factory = factory;
  return run_script(std::get<Script>(parsed), o);
}

// --- configuration files ---------------------------------------------------------------------

TEST(ExploreConfig, ReadsEveryDirective) {
  const ExploreConfig c = config_from(
      "# a comment\n"
      "name tiny   # trailing comment\n"
      "description two words\n"
      "profile rfc9293 msl_ms=500\n"
      "B profile rfc793\n"
      "A iss 1 4294967295\n"
      "B iss 7\n"
      "A calls open-active send close\n"
      "B calls open-passive abort\n"
      "opens 2\n"
      "B sends 3\n"
      "send-size 2\n"
      "capacity 5\n"
      "loss 1\n"
      "duplicate 2\n"
      "crash 1\n"
      "compare off\n"
      "liveness off\n"
      "max-states 1000\n");
  EXPECT_EQ(c.name, "tiny");
  EXPECT_EQ(c.description, "two words");
  EXPECT_EQ(c.profile_a.settings.size(), 1u);
  EXPECT_EQ(c.profile_b.name, "rfc793");
  EXPECT_EQ(c.iss_a, (std::vector<std::uint32_t>{1, 4294967295u}));
  EXPECT_EQ(c.iss_b, (std::vector<std::uint32_t>{7}));
  EXPECT_TRUE(c.sides[0].calls[static_cast<int>(ExploreCall::Send)]);
  EXPECT_FALSE(c.sides[1].calls[static_cast<int>(ExploreCall::Send)]);
  EXPECT_TRUE(c.sides[1].calls[static_cast<int>(ExploreCall::Abort)]);
  EXPECT_EQ(c.sides[0].opens, 2u);
  EXPECT_EQ(c.sides[1].opens, 2u);
  EXPECT_EQ(c.sides[0].sends, 0u);
  EXPECT_EQ(c.sides[1].sends, 3u);
  EXPECT_EQ(c.send_size, 2u);
  EXPECT_EQ(c.capacity, 5u);
  EXPECT_EQ(c.loss, 1u);
  EXPECT_EQ(c.duplicate, 2u);
  EXPECT_EQ(c.crash, 1u);
  EXPECT_FALSE(c.compare);
  EXPECT_FALSE(c.liveness);
  EXPECT_EQ(c.max_states, 1000u);
}

TEST(ExploreConfig, NameDefaultsToTheFileName) {
  auto parsed = parse_explore_config("capacity 1\n", "some/dir/my_world.explore");
  ASSERT_TRUE(std::holds_alternative<ExploreConfig>(parsed));
  EXPECT_EQ(std::get<ExploreConfig>(parsed).name, "my_world");
}

TEST(ExploreConfig, ErrorsNameTheLine) {
  EXPECT_EQ(parse_error("capacity 2\nbogus 1\n"),
            "x.explore:2: unknown directive 'bogus'; expected name, description, profile, iss, "
            "calls, opens, sends, send-size, capacity, loss, duplicate, crash, compare, liveness "
            "or max-states");
  EXPECT_EQ(parse_error("A calls open-active fly\n"),
            "x.explore:1: unknown call 'fly'; expected open-active, open-passive, send, receive, "
            "close, abort");
  EXPECT_EQ(parse_error("loss many\n"), "x.explore:1: bad number 'many'; expected 0..255");
  EXPECT_EQ(parse_error("iss 5\n"),
            "x.explore:1: 'iss' needs an endpoint: 'A iss N ...' or 'B iss N ...'");
  EXPECT_EQ(parse_error("A capacity 2\n"),
            "x.explore:1: 'capacity' is not a per-endpoint directive");
  EXPECT_EQ(parse_error("compare maybe\n"), "x.explore:1: 'compare' takes 'on' or 'off'");
  // Profile lines are read by the script parser; its message keeps the file's line number.
  EXPECT_NE(parse_error("capacity 2\n\nprofile rfc9293 mss=0\n").find("x.explore:3:"),
            std::string::npos);
}

// --- the canonical state encoding ------------------------------------------------------------

TEST(EncodeState, EqualStatesEncodeEqualWhateverTheClock) {
  auto early = make_reference_endpoint(Profile{}, SeqNum(4294967295u));
  auto late = make_reference_endpoint(Profile{}, SeqNum(4294967295u));
  early->step(OpenCall{.passive = false}, 0);
  late->step(OpenCall{.passive = false}, 50'000);
  std::string a, b;
  ASSERT_TRUE(early->encode_state(10, a));
  ASSERT_TRUE(late->encode_state(50'010, b));
  EXPECT_EQ(a, b);
  // A timer already due encodes as due now, however overdue.
  std::string c, d;
  ASSERT_TRUE(early->encode_state(5'000'000, c));
  ASSERT_TRUE(late->encode_state(9'000'000, d));
  EXPECT_EQ(c, d);
  EXPECT_NE(a, c);
}

TEST(EncodeState, DifferentStatesEncodeDifferently) {
  auto closed = make_reference_endpoint(Profile{}, SeqNum(100));
  auto listening = make_reference_endpoint(Profile{}, SeqNum(100));
  auto other_iss = make_reference_endpoint(Profile{}, SeqNum(101));
  listening->step(OpenCall{.passive = true}, 0);
  std::string a, b, c;
  ASSERT_TRUE(closed->encode_state(0, a));
  ASSERT_TRUE(listening->encode_state(0, b));
  ASSERT_TRUE(other_iss->encode_state(0, c));
  EXPECT_NE(a, b);
  EXPECT_NE(a, c);  // the next ISS is state too
}

// --- the named configurations explore completely ---------------------------------------------

void expect_clean(const ExploreResult& r) {
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.violations, 0u);
  EXPECT_TRUE(r.liveness_checked);
  EXPECT_GT(r.states, 0u);
  EXPECT_GT(r.bytes_per_state, 0.0);
  for (const Counterexample& c : r.counterexamples) ADD_FAILURE() << c.text;
}

TEST(ExploreNamed, HandshakeHasNoViolation) {
  const ExploreResult r = explore(named("handshake"));
  expect_clean(r);
  // Both ends reached ESTABLISHED together, and both got back to CLOSED.
  EXPECT_TRUE(r.pairs[static_cast<int>(State::Established)][static_cast<int>(State::Established)]);
  EXPECT_TRUE(r.pairs[static_cast<int>(State::Closed)][static_cast<int>(State::Closed)]);
}

TEST(ExploreNamed, SimultaneousOpenAndCloseHasNoViolation) {
  const ExploreResult r = explore(named("simultaneous"));
  expect_clean(r);
  EXPECT_TRUE(r.pairs[static_cast<int>(State::SynReceived)][static_cast<int>(State::SynReceived)]);
  EXPECT_TRUE(r.pairs[static_cast<int>(State::Closing)][static_cast<int>(State::Closing)]);
}

TEST(ExploreNamed, OptimizedAgainstReferenceSeesTheSameWorldAsReferenceAlone) {
  // The optimized implementation against the reference, and the reference alone, see the same
  // world (the optimized one must behave identically).
  ExploreOptions ref_only;
  ref_only.implementation = make_reference_endpoint;
  ref_only.oracle = nullptr;
  const ExploreResult a = explore(config_from(kSmallClose));
  const ExploreResult b = explore(config_from(kSmallClose), ref_only);
  expect_clean(a);
  expect_clean(b);
  EXPECT_EQ(a.states, b.states);
  EXPECT_EQ(a.transitions, b.transitions);
}

TEST(ExploreNamed, ThreadsDoNotChangeTheAnswer) {
  ExploreOptions one;
  ExploreOptions two;
  two.threads = 2;
  const ExploreResult a = explore(config_from(kSmallClose), one);
  const ExploreResult b = explore(config_from(kSmallClose), two);
  EXPECT_EQ(a.states, b.states);
  EXPECT_EQ(a.transitions, b.transitions);
  EXPECT_EQ(a.pairs, b.pairs);
  one.implementation = two.implementation = make_silent;
  const ExploreResult c = explore(config_from(kSmallClose), one);
  const ExploreResult d = explore(config_from(kSmallClose), two);
  ASSERT_EQ(c.counterexamples.size(), 1u);
  ASSERT_EQ(d.counterexamples.size(), 1u);
  EXPECT_EQ(c.counterexamples.front().text, d.counterexamples.front().text);
}

TEST(ExploreNamed, JsonSummaryHasTheAgreedKeys) {
  const std::string json = to_json(explore(config_from(kSmallClose)));
  for (const char* key : {"\"states\": ", "\"transitions\": ", "\"violations\": 0",
                          "\"seconds\": ", "\"bytes_per_state\": "}) {
    EXPECT_NE(json.find(key), std::string::npos) << key << " in " << json;
  }
}

// --- the checks can fail ---------------------------------------------------------------------

TEST(ExploreLiveness, PlantedStuckStateIsFound) {
  ExploreConfig c = config_from(kSmallClose);
  c.compare = false;  // the wrapper would disagree with the reference first
  ExploreOptions o;
  o.implementation = make_stuck;
  o.stop_at_first = false;
  const ExploreResult r = explore(c, o);
  EXPECT_TRUE(r.complete);
  ASSERT_TRUE(r.liveness_checked);
  EXPECT_GT(r.stuck_states, 0u);
  const Counterexample* stuck = nullptr;
  for (const auto& ce : r.counterexamples) {
    if (ce.kind == Counterexample::Kind::Liveness) stuck = &ce;
  }
  ASSERT_NE(stuck, nullptr);
  // The shallowest stuck state is one from which every continuation ends in the planted
  // FIN-WAIT-2: A still in FIN-WAIT-1 with the ACK of its FIN on the way.
  EXPECT_NE(stuck->message.find("A FIN-WAIT-1, B CLOSE-WAIT"), std::string::npos) << stuck->message;
  // The path to the stuck state replays (it shows the state; the runner cannot judge liveness).
  const RunResult run = replay(*stuck, make_stuck);
  EXPECT_TRUE(run.passed()) << run.failure->message;

  // The same world with the reference is live.
  ExploreOptions ref;
  ref.implementation = make_reference_endpoint;
  const ExploreResult good = explore(c, ref);
  EXPECT_EQ(good.stuck_states, 0u);
}

TEST(ExploreLiveness, RfcFinWait2WaitsForeverWhenThePeerVanishes) {
  // RFC 9293 gives FIN-WAIT-2 no timer: if the peer loses its TCB after acknowledging our FIN,
  // nothing but the user (ABORT) ends the connection. Linux's FIN-WAIT-2 timer does.
  std::string text(kSmallClose);
  text += "crash 1\n";
  ExploreOptions o;
  o.stop_at_first = false;
  const ExploreResult rfc = explore(config_from(text), o);
  EXPECT_GT(rfc.stuck_states, 0u);
  EXPECT_EQ(rfc.invariant_violations, 0u);
  const std::string linux_like =
      "profile rfc9293 syn_retries=0 data_retries=1 user_timeout_ms=0 msl_ms=1000 "
      "fin_wait_2_timeout_ms=3000\n" +
      text.substr(text.find('\n') + 1);
  const ExploreResult timer = explore(config_from(linux_like), o);
  EXPECT_EQ(timer.stuck_states, 0u);
  EXPECT_EQ(timer.violations, 0u);
}

TEST(ExploreCounterexample, BrokenTransitionIsCaughtByTheShortestScript) {
  ExploreOptions o;
  o.implementation = make_silent;
  const ExploreResult r = explore(config_from(kSmallClose), o);
  ASSERT_EQ(r.counterexamples.size(), 1u);
  const Counterexample& c = r.counterexamples.front();
  EXPECT_EQ(c.kind, Counterexample::Kind::Disagreement);
  // LISTEN, OPEN, SYN, SYN-ACK, CLOSE, FIN, its ACK, the peer's CLOSE, its FIN: no shorter
  // run brings an endpoint through FIN-WAIT-2 to the peer's FIN.
  EXPECT_EQ(c.depth, 9u) << c.text;
  EXPECT_NE(c.message.find("segments"), std::string::npos) << c.message;
  // The script fails against the broken implementation at its last step, and passes against
  // the reference.
  const RunResult broken = replay(c, make_silent);
  ASSERT_FALSE(broken.passed());
  EXPECT_NE(broken.failure->message.find("nothing was sent"), std::string::npos)
      << broken.failure->message;
  const RunResult reference = replay(c, make_reference_endpoint);
  EXPECT_TRUE(reference.passed()) << reference.failure->message;
  EXPECT_FALSE(format_ladder(broken).empty());
}

TEST(ExploreCounterexample, EveryMutantIsCaughtByTheShortestScriptThatReplays) {
  auto probe = make_mutant_endpoint(fast::Mutant::FinWaitFinGoesToCloseWait, Profile{}, SeqNum(1));
  if (probe->kind() == "reference") GTEST_SKIP() << "make_mutant_endpoint is still the shim";
  // The table of docs/explorer.md ("Mutants"): how each is caught in the handshake world and
  // the length of the shortest path, which breadth first search guarantees.
  struct Expected {
    fast::Mutant mutant;
    Counterexample::Kind kind;
    std::size_t depth;
    EndpointFactory factory = nullptr;
  };
  using K = Counterexample::Kind;
  const Expected table[] = {
      {fast::Mutant::FinWaitFinGoesToCloseWait, K::Invariant, 8,
       make_mutant<fast::Mutant::FinWaitFinGoesToCloseWait>},
      {fast::Mutant::SimultaneousCloseFinNeverSent, K::Disagreement, 9,
       make_mutant<fast::Mutant::SimultaneousCloseFinNeverSent>},
      {fast::Mutant::SynReceivedIgnoresRstWithoutAck, K::Disagreement, 6,
       make_mutant<fast::Mutant::SynReceivedIgnoresRstWithoutAck>},
      {fast::Mutant::SynAckInSynchronizedStateDrawsRst, K::Invariant, 6,
       make_mutant<fast::Mutant::SynAckInSynchronizedStateDrawsRst>},
      {fast::Mutant::FinAckInFinWait1StaysInFinWait2, K::Invariant, 9,
       make_mutant<fast::Mutant::FinAckInFinWait1StaysInFinWait2>},
      {fast::Mutant::InexactRstAccepted, K::Invariant, 7,
       make_mutant<fast::Mutant::InexactRstAccepted>},
      {fast::Mutant::PlainSequenceComparison, K::Disagreement, 3,
       make_mutant<fast::Mutant::PlainSequenceComparison>},
      {fast::Mutant::TimeWaitNotRestartedByFin, K::Invariant, 12,
       make_mutant<fast::Mutant::TimeWaitNotRestartedByFin>},
      {fast::Mutant::SimultaneousCloseLeavesCloseWait, K::Invariant, 8,
       make_mutant<fast::Mutant::SimultaneousCloseLeavesCloseWait>},
      {fast::Mutant::ListenSilentOnAck, K::Disagreement, 7,
       make_mutant<fast::Mutant::ListenSilentOnAck>},
  };
  static_assert(std::size(table) == fast::kAllMutants.size());
  const ExploreConfig handshake = named("handshake");
  for (const Expected& x : table) {
    SCOPED_TRACE(std::string(fast::to_string(x.mutant)));
    ExploreOptions o;
    o.implementation = x.factory;
    const ExploreResult r = explore(handshake, o);
    EXPECT_FALSE(r.complete);  // it stopped at the first violation
    ASSERT_FALSE(r.counterexamples.empty());
    const Counterexample& c = r.counterexamples.front();
    EXPECT_EQ(c.kind, x.kind) << c.message;
    EXPECT_EQ(c.depth, x.depth) << c.text;
    // The script fails under the mutant and passes under the reference.
    const RunResult mutant = replay(c, o.implementation);
    EXPECT_FALSE(mutant.passed()) << c.text;
    const RunResult reference = replay(c, make_reference_endpoint);
    EXPECT_TRUE(reference.passed()) << reference.failure->message;
  }
}

// --- finding F1: a stale RST <SEQ=0> from a CLOSED peer ---------------------------------------

// corpus/explore/findings/stale_rst_seq_0.explore: A's ISS is 2^32-1, so B's RCV.NXT rests on 0
// once synchronized, and the RST that CLOSED A sent against B's first SYN can reset B later.
constexpr std::string_view kStaleRstWorld =
    "profile rfc9293 syn_retries=1 data_retries=1 user_timeout_ms=0 msl_ms=1000\n"
    "A iss 4294967295\n"
    "B iss 4294967000\n"
    "A calls open-active close\n"
    "B calls open-active close\n"
    "capacity 2\n";

TEST(ExploreFindings, StaleRstFromAClosedPeerIsTheRfcsBehaviourNotAViolation) {
  const ExploreResult r = explore(named("findings/stale_rst_seq_0"));
  expect_clean(r);
  // The reset still happens (the RFC's behaviour): the recorded shortest case replays, B ends
  // CLOSED on A's old RST while A stays ESTABLISHED, and no invariant objects.
  const std::string path =
      std::string(TCPFSM_SOURCE_ROOT) + "/corpus/explore/findings/stale_rst_seq_0.tcp";
  auto parsed = parse_script(read_text(path), path);
  ASSERT_TRUE(std::holds_alternative<Script>(parsed));
  const RunResult run = run_script(std::get<Script>(parsed));
  EXPECT_TRUE(run.passed()) << run.failure->message;
  ASSERT_FALSE(run.steps.empty());
  const StepRecord& last = run.steps.back();
  EXPECT_EQ(last.who, Actor::B);
  EXPECT_EQ(last.outcome.from, State::Established);
  EXPECT_EQ(last.outcome.to, State::Closed);
}

TEST(ExploreFindings, TheStaleRstExemptionIsNarrow) {
  // Move A's ISS one down: B's RCV.NXT rests on 2^32-1 after the handshake and the old RST
  // <SEQ=0> is in the window but not at RCV.NXT. The RFC answers it with a challenge ACK; an
  // implementation that accepts it is caught, the exemption for F1 notwithstanding. (B's
  // RCV.NXT still reaches 0 when A's FIN arrives, and then the old RST may reset B the RFC's way
  // while A waits in FIN-WAIT-2, finding F2: the FIN-WAIT-2 timer keeps that world live.)
  std::string text(kStaleRstWorld);
  text.replace(text.find("4294967295"), 10, "4294967294");
  text.replace(text.find("msl_ms=1000"), 11, "msl_ms=1000 fin_wait_2_timeout_ms=2000");
  ExploreConfig c = config_from(text);
  c.compare = false;  // judged by the invariants alone
  ExploreOptions o;
  o.implementation = make_mutant<fast::Mutant::InexactRstAccepted>;
  const ExploreResult bad = explore(c, o);
  EXPECT_GT(bad.invariant_violations, 0u);
  ASSERT_EQ(bad.counterexamples.size(), 1u);
  const Counterexample& ce = bad.counterexamples.front();
  EXPECT_NE(ce.message.find("RST <SEQ=0>"), std::string::npos) << ce.message;
  const RunResult mutant = replay(ce, o.implementation);
  EXPECT_FALSE(mutant.passed()) << ce.text;
}

// --- the diagram and the witnesses ------------------------------------------------------------

TEST(ExploreArrows, EveryWitnessReplaysAndEndsWithItsTransition) {
  ExploreOptions o;
  o.collect_arrows = true;
  const ExploreResult r = explore(config_from(kSmallClose), o);
  ASSERT_FALSE(r.arrows.empty());
  bool saw_time_wait = false;
  for (const ExploredArrow& a : r.arrows) {
    const RunResult run = run_script(a.witness);
    ASSERT_TRUE(run.passed()) << a.event << ": " << run.failure->message << "\n"
                              << print_script(a.witness);
    ASSERT_FALSE(run.steps.empty());
    // The last step that is not a network drop is the arrow's transition.
    const StepRecord& last = run.steps.back();
    EXPECT_EQ(last.outcome.from, a.from) << print_script(a.witness);
    EXPECT_EQ(last.outcome.to, a.to) << print_script(a.witness);
    saw_time_wait |= a.to == State::TimeWait;
  }
  EXPECT_TRUE(saw_time_wait);
  const std::string dot = explored_dot(r, false);
  EXPECT_NE(dot.find("\"FIN-WAIT-2\" -> \"TIME-WAIT\""), std::string::npos) << dot;
  EXPECT_NE(
      std::find(r.rfc_arrows_taken.begin(), r.rfc_arrows_taken.end(), "FinWait2ToTimeWaitOnFin"),
      r.rfc_arrows_taken.end());
}

// --- the cross-check with spin ---------------------------------------------------------------

TEST(ExploreSpin, PromelaModelCoversOnlyWorldsWithoutData) {
  const PromelaModel ok = promela_model(config_from(kSmallClose));
  EXPECT_TRUE(ok.error.empty()) << ok.error;
  EXPECT_NE(ok.text.find("active proctype world()"), std::string::npos);
  EXPECT_NE(ok.text.find("#define ZERO0 1"), std::string::npos);  // A's ISS is 2^32-1
  std::string with_data(kSmallClose);
  with_data += "A calls open-active send close\nA sends 1\n";
  EXPECT_NE(promela_model(config_from(with_data)).error.find("SEND"), std::string::npos);
  std::string legacy(kSmallClose);
  legacy.replace(0, legacy.find('\n'), "profile rfc793 syn_retries=0 data_retries=1");
  EXPECT_NE(promela_model(config_from(legacy)).error.find("profile"), std::string::npos);
}

TEST(ExploreSpin, SpinReachesTheSameStatePairs) {
  if (std::system("command -v spin >/dev/null 2>&1 && command -v cc >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "spin is not installed";
  }
  const ExploreConfig c = config_from(kSmallClose);
  const ExploreResult ours = explore(c);
  const SpinResult spin = run_spin(c);
  ASSERT_TRUE(spin.error.empty()) << spin.error;
  EXPECT_GT(spin.states, 0u);
  EXPECT_EQ(spin.errors, 0u);
  EXPECT_EQ(spin.pairs, ours.pairs);
  std::error_code ec;
  std::filesystem::remove_all(spin.dir, ec);
}

}  // namespace
}  // namespace tcpfsm::harness
