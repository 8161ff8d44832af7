// Conformance with the Linux kernel (label: conformance).
//
// Without root: the recorded cases under corpus/conformance/ (29 copied from
// ../shared/conformance/cases, plus those this project recorded) replay against the reference
// model and against the optimized implementation with the linux profile and must all match; the
// two agree step by step under every single-switch ablation; the RFC profile's differences and
// every switch must be in docs/linux-deviations.md with a case that shows it; the JSON form and
// the relative numbering are checked on their own (the packet builder in
// ipv4_tcp_packet_test.cpp).
//
// With root and /dev/net/tun: the same scenarios, the scenario library and random scenarios
// run on this machine's kernel through a private network namespace and are compared with both
// implementations. Without them those tests are skipped, saying why (or fail, when
// TCPFSM_REQUIRE_KERNEL=1).
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <net/if.h>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "harness/conformance.hpp"
#include "harness/linux_adapter.hpp"
#include "harness/script.hpp"
#include "harness/script_runner.hpp"

namespace fs = std::filesystem;
namespace cf = tcpfsm::harness::conformance;
using tcpfsm::Profile;
using tcpfsm::Segment;
using tcpfsm::SeqNum;

namespace {

fs::path source_root() {
  return fs::path(TCPFSM_SOURCE_ROOT);
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// Every directory under corpus/conformance that holds cases.
std::vector<fs::path> case_dirs() {
  std::vector<fs::path> dirs;
  std::error_code ec;
  for (const auto& e :
       fs::recursive_directory_iterator(source_root() / "corpus" / "conformance", ec)) {
    if (!e.is_directory()) continue;
    for (const auto& f : fs::directory_iterator(e.path())) {
      if (f.path().extension() == ".json") {
        dirs.push_back(e.path());
        break;
      }
    }
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

std::vector<cf::Case> load(const fs::path& dir) {
  auto loaded = cf::load_cases(dir.string());
  if (auto* msg = std::get_if<std::string>(&loaded)) {
    ADD_FAILURE() << *msg;
    return {};
  }
  return std::get<std::vector<cf::Case>>(loaded);
}

std::string report(const cf::Case& c, const cf::CaseReport& r) {
  std::string out = c.name + ":\n";
  for (const std::string& line : cf::side_by_side(c, r, true)) out += line + "\n";
  return out;
}

bool kernel_available(std::string& why) {
  return tcpfsm::harness::linux_stack_available(why);
}

// CI sets TCPFSM_REQUIRE_KERNEL=1 where it runs as root, so that a machine that lost its TUN
// device or its privileges fails the label instead of skipping the comparisons unseen.
bool kernel_required() {
  const char* v = std::getenv("TCPFSM_REQUIRE_KERNEL");
  return v != nullptr && std::string_view(v) == "1";
}

#define SKIP_WITHOUT_KERNEL()                                                                   \
  do {                                                                                          \
    std::string why;                                                                            \
    if (!kernel_available(why)) {                                                               \
      if (kernel_required()) FAIL() << "TCPFSM_REQUIRE_KERNEL=1 but kernel runs fail: " << why; \
      GTEST_SKIP() << "kernel conformance runs need root and /dev/net/tun; here: " << why;      \
    }                                                                                           \
  } while (0)

// The open descriptors of this process: a run that leaves one behind (its TUN device, a socket
// of its namespace) keeps the namespace alive.
std::size_t open_descriptors() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

// What the kernel runs of a test add up to, for each implementation of the model.
struct KernelTally {
  cf::Summary reference, optimized;
  std::string failures;
};

// Plays scenarios on the kernel and replays each recording against the linux profile with the
// reference model and with the optimized implementation.
// A kernel's timers fire late when the machine is starved of CPU (a shared CI machine running
// builds beside the tests), and a late retransmission looks like a missing one. A scenario is
// therefore run up to three times on the kernel; it passes when one run matches the model. A
// real disagreement repeats on every run, so it still fails.
constexpr int kKernelAttempts = 3;

KernelTally run_on_kernel(const std::vector<cf::Scenario>& scenarios) {
  KernelTally t;
  tcpfsm::harness::LinuxRunOptions options;
  options.settle_ms = 20;
  for (const cf::Scenario& s : scenarios) {
    std::string failures;
    std::optional<cf::CaseReport> ref, opt;
    for (int attempt = 0; attempt < kKernelAttempts; ++attempt) {
      failures.clear();
      auto recorded = tcpfsm::harness::run_on_linux(s, options);
      if (auto* msg = std::get_if<std::string>(&recorded)) {
        failures = s.name + ": kernel run failed: " + *msg + "\n";
        ref.reset();
        opt.reset();
        continue;
      }
      const cf::Case& c = std::get<cf::Case>(recorded);
      ref = cf::replay(c, Profile::linux());
      opt = cf::replay(c, Profile::linux(), tcpfsm::harness::make_optimized_endpoint);
      if (!ref->matched()) failures += "reference: " + report(c, *ref);
      if (!opt->matched()) failures += "optimized: " + report(c, *opt);
      if (failures.empty()) break;
    }
    t.failures += failures;
    if (!ref || !opt) {
      ++t.reference.cases;
      ++t.optimized.cases;
      continue;
    }
    t.reference.add(*ref);
    t.optimized.add(*opt);
  }
  return t;
}

}  // namespace

// --- recorded cases, no root needed ---

TEST(ConformanceCases, TheCopiedLinuxCasesAreAllThere) {
  const auto cases = load(source_root() / "corpus" / "conformance" / "linux-6.18");
  EXPECT_EQ(cases.size(), 29u);
}

// A recording with subdirectories loads as one (tcpfsm conform --cases, tcpfsm verify).
TEST(ConformanceCases, ADirectoryLoadsWithItsSubdirectories) {
  const fs::path recorded = source_root() / "corpus" / "conformance" / "linux-6.18.44";
  std::size_t parts = 0;
  for (const char* sub : {"switches", "library", "random"}) parts += load(recorded / sub).size();
  EXPECT_GT(parts, 0u);
  EXPECT_EQ(load(recorded).size(), parts);
  EXPECT_TRUE(std::holds_alternative<std::string>(cf::load_cases((recorded / "none").string())));
}

TEST(ConformanceCases, LinuxProfileMatchesEveryRecordedCase) {
  const auto dirs = case_dirs();
  ASSERT_FALSE(dirs.empty());
  int total = 0;
  for (const fs::path& dir : dirs) {
    for (const cf::Case& c : load(dir)) {
      ++total;
      const cf::CaseReport r = cf::replay(c, Profile::linux());
      EXPECT_TRUE(r.matched()) << dir.filename().string() << "/" << report(c, r);
    }
  }
  EXPECT_GE(total, 29);
}

TEST(ConformanceCases, OptimizedImplementationMatchesEveryRecordedCase) {
  const auto dirs = case_dirs();
  ASSERT_FALSE(dirs.empty());
  int total = 0;
  for (const fs::path& dir : dirs) {
    for (const cf::Case& c : load(dir)) {
      ++total;
      const cf::CaseReport r =
          cf::replay(c, Profile::linux(), tcpfsm::harness::make_optimized_endpoint);
      EXPECT_TRUE(r.matched()) << dir.filename().string() << "/" << report(c, r);
    }
  }
  EXPECT_GE(total, 29);
}

// The optimized implementation mirrors every switch of the linux profile: with any one switch
// taken back (and with the RFC profile), it does on every recorded case exactly what the
// reference does, step by step, so the ablation (`tcpfsm conform --ablate`) names the same
// cases for both.
TEST(ConformanceCases, OptimizedAgreesWithTheReferenceUnderEveryAblation) {
  std::vector<std::pair<std::string, Profile>> profiles{{"linux", Profile::linux()},
                                                        {"rfc", Profile::rfc9293()}};
  for (const cf::LinuxSwitch& sw : cf::linux_switches()) {
    Profile p = Profile::linux();
    sw.revert(p);
    profiles.emplace_back("linux without " + std::string(sw.name), p);
  }
  ASSERT_GE(profiles.size(), 20u);
  int compared = 0;
  for (const fs::path& dir : case_dirs()) {
    for (const cf::Case& c : load(dir)) {
      for (const auto& [name, profile] : profiles) {
        const cf::CaseReport ref = cf::replay(c, profile);
        const cf::CaseReport opt = cf::replay(c, profile, tcpfsm::harness::make_optimized_endpoint);
        ASSERT_EQ(ref.model.size(), opt.model.size());
        for (std::size_t k = 0; k < ref.model.size(); ++k) {
          ++compared;
          EXPECT_EQ(ref.model[k].state, opt.model[k].state)
              << c.name << " (" << name << ") step " << k;
          EXPECT_EQ(ref.model[k].segments, opt.model[k].segments)
              << c.name << " (" << name << ") step " << k;
        }
        EXPECT_EQ(ref.steps_matched, opt.steps_matched) << c.name << " (" << name << ")";
      }
    }
  }
  EXPECT_GT(compared, 0);
}

template <tcpfsm::fast::Mutant M>
std::unique_ptr<tcpfsm::harness::EndpointUnderTest> mutant_endpoint(const Profile& profile,
                                                                    SeqNum iss) {
  return tcpfsm::harness::make_mutant_endpoint(M, profile, iss);
}

// The recorded cases are an oracle for the optimized implementation too: each known bug below,
// switched on in it, makes some case differ from the kernel. (Two of the ten are not caught by
// any recorded case and are left out: SimultaneousCloseFinNeverSent and
// TimeWaitNotRestartedByFin; Linux's TIME-WAIT lasts 60 s, longer than a case may wait.)
TEST(ConformanceCases, RecordedCasesCatchMutantsOfTheOptimizedImplementation) {
  using tcpfsm::fast::Mutant;
  const std::vector<std::pair<Mutant, tcpfsm::harness::EndpointFactory>> mutants{
      {Mutant::FinWaitFinGoesToCloseWait, mutant_endpoint<Mutant::FinWaitFinGoesToCloseWait>},
      {Mutant::SynReceivedIgnoresRstWithoutAck,
       mutant_endpoint<Mutant::SynReceivedIgnoresRstWithoutAck>},
      {Mutant::SynAckInSynchronizedStateDrawsRst,
       mutant_endpoint<Mutant::SynAckInSynchronizedStateDrawsRst>},
      {Mutant::FinAckInFinWait1StaysInFinWait2,
       mutant_endpoint<Mutant::FinAckInFinWait1StaysInFinWait2>},
      {Mutant::InexactRstAccepted, mutant_endpoint<Mutant::InexactRstAccepted>},
      {Mutant::PlainSequenceComparison, mutant_endpoint<Mutant::PlainSequenceComparison>},
      {Mutant::SimultaneousCloseLeavesCloseWait,
       mutant_endpoint<Mutant::SimultaneousCloseLeavesCloseWait>},
      {Mutant::ListenSilentOnAck, mutant_endpoint<Mutant::ListenSilentOnAck>},
  };
  std::vector<cf::Case> corpus;
  for (const fs::path& dir : case_dirs()) {
    for (cf::Case& c : load(dir)) corpus.push_back(std::move(c));
  }
  ASSERT_FALSE(corpus.empty());
  for (const auto& entry : mutants) {
    // (clang 14 cannot capture a structured binding)
    const Mutant mutant = entry.first;
    const tcpfsm::harness::EndpointFactory factory = entry.second;
    const bool caught = std::any_of(corpus.begin(), corpus.end(), [&](const cf::Case& c) {
      return !cf::replay(c, Profile::linux(), factory).matched();
    });
    EXPECT_TRUE(caught) << tcpfsm::fast::to_string(mutant) << " passes every recorded case";
  }
}

TEST(ConformanceCases, RfcProfileDifferencesAreListedInTheDocs) {
  const std::string doc = read_text(source_root() / "docs" / "linux-deviations.md");
  ASSERT_FALSE(doc.empty());
  int differing = 0;
  for (const cf::Case& c : load(source_root() / "corpus" / "conformance" / "linux-6.18")) {
    const cf::CaseReport r = cf::replay(c, Profile::rfc9293());
    if (r.matched()) continue;
    ++differing;
    EXPECT_NE(doc.find("`" + c.name + "`"), std::string::npos)
        << c.name << " shows the RFC profile differing from Linux but is not in "
        << "docs/linux-deviations.md:\n"
        << report(c, r);
  }
  // The comparison can see a difference at all: RFC 9293 is not Linux.
  EXPECT_GT(differing, 0);
}

// The table of switches in docs/linux-deviations.md: every switch of the linux profile has a
// row, and a row that names cases names at least one that stops matching when that switch
// alone is taken back (a row whose case column starts with "none" says why no case can show
// it; then none may).
TEST(ConformanceCases, EverySwitchIsDocumentedWithACaseThatShowsIt) {
  const std::string doc = read_text(source_root() / "docs" / "linux-deviations.md");
  ASSERT_FALSE(doc.empty());
  std::vector<std::string> rows;
  std::istringstream lines(doc);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("| `", 0) == 0) rows.push_back(line);
  }
  std::vector<cf::Case> corpus;
  for (const fs::path& dir : case_dirs()) {
    for (cf::Case& c : load(dir)) corpus.push_back(std::move(c));
  }
  for (const cf::LinuxSwitch& sw : cf::linux_switches()) {
    const std::string tag = "`" + std::string(sw.name) + "`";
    const auto row = std::find_if(rows.begin(), rows.end(), [&](const std::string& r) {
      return r.substr(0, r.find('|', 1)).find(tag) != std::string::npos;
    });
    if (row == rows.end()) {
      ADD_FAILURE() << sw.name << " has no row in the switch table of docs/linux-deviations.md";
      continue;
    }
    // The last cell: the cases, each in backquotes.
    const std::size_t end = row->find_last_of('|');
    const std::size_t start = row->find_last_of('|', end - 1);
    std::string cell = row->substr(start + 1, end - start - 1);
    cell.erase(0, cell.find_first_not_of(' '));
    Profile p = Profile::linux();
    sw.revert(p);
    std::vector<std::string> showing;
    for (const cf::Case& c : corpus) {
      if (!cf::replay(c, p).matched()) showing.push_back(c.name);
    }
    if (cell.rfind("none", 0) == 0) {
      EXPECT_TRUE(showing.empty())
          << sw.name << " is shown by " << showing.front() << "; name it in the docs";
      continue;
    }
    bool named_one_showing = false;
    for (std::size_t at = cell.find('`'); at != std::string::npos; at = cell.find('`', at)) {
      const std::size_t close = cell.find('`', at + 1);
      if (close == std::string::npos) break;
      const std::string name = cell.substr(at + 1, close - at - 1);
      named_one_showing |= std::find(showing.begin(), showing.end(), name) != showing.end();
      at = close + 1;
    }
    EXPECT_TRUE(named_one_showing)
        << sw.name << ": no case named in its row (" << cell << ") stops matching without it";
  }
}

TEST(ConformanceCases, ReplayReportsAWrongExpectation) {
  auto cases = load(source_root() / "corpus" / "conformance" / "linux-6.18");
  const auto it = std::find_if(cases.begin(), cases.end(),
                               [](const cf::Case& c) { return c.name == "syn_in_established"; });
  ASSERT_NE(it, cases.end());
  cf::Case broken = *it;
  ASSERT_EQ(broken.steps[3].segments.size(), 1u);
  broken.steps[3].segments[0].ack = 2;  // the challenge ACK would acknowledge one octet too many
  broken.steps[4].state = "CLOSED";
  const cf::CaseReport r = cf::replay(broken, Profile::linux());
  EXPECT_FALSE(r.matched());
  EXPECT_EQ(r.first_divergence(), 3);
  EXPECT_EQ(r.steps_matched, r.steps - 2);
}

TEST(ConformanceJson, ACaseSurvivesARoundTrip) {
  for (const cf::Case& c : load(source_root() / "corpus" / "conformance" / "linux-6.18")) {
    const std::string once = cf::to_json(c);
    auto again = cf::parse_case(once);
    ASSERT_TRUE(std::holds_alternative<cf::Case>(again)) << std::get<std::string>(again);
    EXPECT_EQ(cf::to_json(std::get<cf::Case>(again)), once) << c.name;
    EXPECT_EQ(std::get<cf::Case>(again).scenario, c.scenario) << c.name;
  }
}

TEST(ConformanceJson, MalformedInputIsAMessageNotACrash) {
  EXPECT_TRUE(std::holds_alternative<std::string>(cf::parse_case("{")));
  EXPECT_TRUE(std::holds_alternative<std::string>(cf::parse_case("[]")));
  EXPECT_TRUE(std::holds_alternative<std::string>(
      cf::parse_scenario(R"({"role":"server","steps":[{"op":"inject","flags":"X"}]})")));
  EXPECT_TRUE(std::holds_alternative<std::string>(
      cf::parse_scenario(R"({"role":"server","steps":[{"op":"inject","seq":"nxt*2"}]})")));
  EXPECT_TRUE(std::holds_alternative<std::string>(
      cf::parse_scenario(R"({"role":"server","steps":[{"op":"wait","ms":60000}]})")));
  EXPECT_TRUE(
      std::holds_alternative<std::string>(cf::parse_scenario(R"({"role":"peer","steps":[]})")));
}

// FORMAT.md's numbering: the injector's nxt moves with its first SYN and with in-order
// segments; the stack's nxt is the highest end it sent; before its SYN numbers are absolute.
TEST(ConformanceNumbering, FollowsTheFormat) {
  cf::Numbering n(1000);
  const auto inject = [&](const char* flags, std::optional<cf::NumberSpec> seq, std::uint32_t len) {
    cf::ScenarioStep s;
    s.op = cf::Op::Inject;
    s.flags = flags;
    s.seq = seq;
    s.len = len;
    const cf::WireSegment w = n.resolve(s);
    n.injected(w);
    return w;
  };
  EXPECT_EQ(inject("A", std::nullopt, 0).seq, 0);    // nxt is 0 at first
  EXPECT_EQ(inject("FA", std::nullopt, 0).seq, 0);   // a FIN at nxt moves it by one
  EXPECT_EQ(inject("PA", std::nullopt, 16).seq, 1);  // data at nxt moves it by its length
  EXPECT_EQ(inject("R", std::nullopt, 0).seq, 17);   // a RST never moves it
  EXPECT_EQ(inject("S", cf::NumberSpec{true, 100}, 0).seq, 117);  // the first SYN sets it
  EXPECT_EQ(inject("A", std::nullopt, 0).seq, 118);
  // Before the stack's SYN an ACK is absolute.
  cf::ScenarioStep ack;
  ack.op = cf::Op::Inject;
  ack.flags = "A";
  ack.ack = cf::NumberSpec{false, 4242};
  EXPECT_EQ(n.to_absolute(n.resolve(ack)).ack, SeqNum(4242));
  // The stack's SYN-ACK teaches its ISS; its ACK is relative to ours.
  const cf::WireSegment synack = n.observed(
      Segment{.seq = SeqNum(77), .ack = SeqNum(1118), .ctl = tcpfsm::kSyn | tcpfsm::kAck});
  EXPECT_EQ(synack.seq, 0);
  EXPECT_EQ(synack.ack, 118);
  cf::ScenarioStep plain;
  plain.op = cf::Op::Inject;
  plain.flags = "A";
  EXPECT_EQ(n.resolve(plain).ack, 1);
  EXPECT_EQ(n.to_absolute(n.resolve(plain)).ack, SeqNum(78));
  const cf::WireSegment data = n.observed(Segment{
      .seq = SeqNum(78), .ack = SeqNum(1118), .ctl = tcpfsm::kAck | tcpfsm::kPsh, .len = 10});
  EXPECT_EQ(data.flags, "PA");
  EXPECT_EQ(n.resolve(plain).ack, 11);
}

TEST(ConformanceScenarios, RandomScenariosRepeatBySeedAndDiffer) {
  EXPECT_EQ(cf::random_scenario(7, 10), cf::random_scenario(7, 10));
  EXPECT_NE(cf::random_scenario(7, 10).steps, cf::random_scenario(8, 10).steps);
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    const cf::Scenario s = cf::random_scenario(seed, 10);
    EXPECT_GE(s.steps.size(), 10u);
    // Well formed: it survives its JSON form, and no call follows close() or abort().
    auto back = cf::parse_scenario(cf::to_json(s));
    ASSERT_TRUE(std::holds_alternative<cf::Scenario>(back));
    EXPECT_EQ(std::get<cf::Scenario>(back), s);
    bool closed = false;
    for (const cf::ScenarioStep& st : s.steps) {
      const bool call = st.op == cf::Op::Send || st.op == cf::Op::Read ||
                        st.op == cf::Op::ShutdownWr || st.op == cf::Op::Close ||
                        st.op == cf::Op::Abort;
      EXPECT_FALSE(closed && call) << "seed " << seed;
      if (st.op == cf::Op::Close || st.op == cf::Op::Abort) closed = true;
    }
  }
}

TEST(ConformanceScenarios, APassiveScriptBecomesAServerScenario) {
  const char* text =
      "iss 100\npeer-iss 300\nopen passive\n< S 0:0(0)\n> S. 0:0(0) ack 1\n< . 1:1(0) ack 1\n"
      "receive\nclose\n";
  auto script = tcpfsm::harness::parse_script(text, "inline.tcp");
  ASSERT_TRUE(std::holds_alternative<tcpfsm::harness::Script>(script));
  auto s = cf::scenario_from_script(std::get<tcpfsm::harness::Script>(script), "inline");
  ASSERT_TRUE(std::holds_alternative<cf::Scenario>(s)) << std::get<std::string>(s);
  const cf::Scenario& sc = std::get<cf::Scenario>(s);
  EXPECT_EQ(sc.role, cf::Role::Server);
  ASSERT_EQ(sc.steps.size(), 5u);
  EXPECT_EQ(cf::describe(sc.steps[0]), "inject S seq=0");
  EXPECT_EQ(cf::describe(sc.steps[1]), "inject A seq=1 ack=1");
  EXPECT_EQ(sc.steps[2].op, cf::Op::Accept);
  EXPECT_EQ(sc.steps[3].op, cf::Op::Read);
  EXPECT_EQ(sc.steps[4].op, cf::Op::Close);
}

// --- the kernel of this machine (root and /dev/net/tun) ---

TEST(LinuxKernel, TheCopiedCasesStillHoldOnThisKernel) {
  SKIP_WITHOUT_KERNEL();
  std::vector<cf::Scenario> scenarios;
  for (const cf::Case& c : load(source_root() / "corpus" / "conformance" / "linux-6.18")) {
    scenarios.push_back(c.scenario);
  }
  const KernelTally t = run_on_kernel(scenarios);
  EXPECT_EQ(t.reference.cases, 29);
  EXPECT_EQ(t.reference.cases_matched, t.reference.cases) << t.failures;
  EXPECT_EQ(t.optimized.cases_matched, t.optimized.cases) << t.failures;
}

TEST(LinuxKernel, TheScenarioLibraryMatchesTheLinuxProfile) {
  SKIP_WITHOUT_KERNEL();
  std::vector<cf::Scenario> scenarios;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(source_root() / "corpus" / "scenarios")) {
    if (e.path().extension() == ".tcp") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    auto script = tcpfsm::harness::parse_script(read_text(f), f.string());
    ASSERT_TRUE(std::holds_alternative<tcpfsm::harness::Script>(script)) << f;
    auto s = cf::scenario_from_script(std::get<tcpfsm::harness::Script>(script), f.stem().string());
    if (auto* sc = std::get_if<cf::Scenario>(&s)) scenarios.push_back(*sc);
  }
  ASSERT_GE(scenarios.size(), 40u);  // two-endpoint scripts and forced timeouts are left out
  const KernelTally t = run_on_kernel(scenarios);
  EXPECT_EQ(t.reference.cases_matched, t.reference.cases) << t.failures;
  EXPECT_EQ(t.optimized.cases_matched, t.optimized.cases) << t.failures;
}

TEST(LinuxKernel, RandomScenariosMatchTheLinuxProfile) {
  SKIP_WITHOUT_KERNEL();
  std::vector<cf::Scenario> scenarios;
  for (std::uint64_t seed = 9000; seed < 9040; ++seed) {
    scenarios.push_back(cf::random_scenario(seed, 10));
  }
  const KernelTally t = run_on_kernel(scenarios);
  // docs/linux-deviations.md argues the known exception (shutdown then close, E1); a few may
  // appear among 40 seeds, the rest must match.
  EXPECT_GE(t.reference.cases_matched * 100, t.reference.cases * 95) << t.failures;
  EXPECT_GE(t.optimized.cases_matched * 100, t.optimized.cases * 95) << t.failures;
  if (!t.failures.empty()) std::printf("%s", t.failures.c_str());
}

TEST(LinuxKernel, TheKernelPlaysAScriptBehindEndpointUnderTest) {
  SKIP_WITHOUT_KERNEL();
  const char* text =
      "iss 100\npeer-iss 300\n"
      "open passive\n"
      "< S 0:0(0) win 65535\n> S. 0:0(0) ack 1\nstate SYN-RECEIVED\n"
      "< . 1:1(0) ack 1\n> none\nstate ESTABLISHED\n"
      "< P. 1:101(100) ack 1\n> . 1:1(0) ack 101\n"
      "< R 500:500(0)\n> . 1:1(0) ack 101\nstate ESTABLISHED\n"
      "< R 101:101(0)\n> none\nstate CLOSED\n";
  auto script = tcpfsm::harness::parse_script(text, "kernel.tcp");
  ASSERT_TRUE(std::holds_alternative<tcpfsm::harness::Script>(script));
  tcpfsm::harness::RunOptions options;
  options.factory = tcpfsm::harness::make_linux_endpoint;
  options.check_invariants = false;  // a black box has no TCB to check them against
  const auto result =
      tcpfsm::harness::run_script(std::get<tcpfsm::harness::Script>(script), options);
  EXPECT_TRUE(result.passed()) << (result.failure ? result.failure->message : "");
}

TEST(LinuxKernel, RunsLeaveTheCallersNamespaceAlone) {
  SKIP_WITHOUT_KERNEL();
  struct stat before {};
  ASSERT_EQ(::stat("/proc/thread-self/ns/net", &before), 0);
  const std::size_t fds = open_descriptors();
  auto recorded = tcpfsm::harness::run_on_linux(cf::random_scenario(1, 6));
  ASSERT_TRUE(std::holds_alternative<cf::Case>(recorded)) << std::get<std::string>(recorded);
  struct stat after {};
  ASSERT_EQ(::stat("/proc/thread-self/ns/net", &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino);      // back in the namespace we started in
  EXPECT_EQ(::if_nametoindex("tcpfsm0"), 0u);  // and the TUN device never appeared here
  EXPECT_EQ(open_descriptors(), fds);          // nothing keeps the run's namespace alive
}

// A run that fails half-way through its set-up (inside its namespace: the sysctl does not
// exist) says why, and is cleaned up like a good one.
TEST(LinuxKernel, AFailedRunLeavesNothingBehind) {
  SKIP_WITHOUT_KERNEL();
  struct stat before {};
  ASSERT_EQ(::stat("/proc/thread-self/ns/net", &before), 0);
  const std::size_t fds = open_descriptors();
  cf::Scenario s = cf::random_scenario(2, 4);
  s.sysctl.emplace_back("tcp_no_such_setting", 1);
  auto recorded = tcpfsm::harness::run_on_linux(s);
  ASSERT_TRUE(std::holds_alternative<std::string>(recorded));
  EXPECT_NE(std::get<std::string>(recorded).find("tcp_no_such_setting"), std::string::npos)
      << std::get<std::string>(recorded);
  struct stat after {};
  ASSERT_EQ(::stat("/proc/thread-self/ns/net", &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino);
  EXPECT_EQ(::if_nametoindex("tcpfsm0"), 0u);
  EXPECT_EQ(open_descriptors(), fds);
  // And the next run works.
  auto next = tcpfsm::harness::run_on_linux(cf::random_scenario(2, 4));
  EXPECT_TRUE(std::holds_alternative<cf::Case>(next)) << std::get<std::string>(next);
}
