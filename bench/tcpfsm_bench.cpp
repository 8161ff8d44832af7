// tcpfsm_bench: events per second for the reference model and the optimized implementation on
// the same workloads (<Workload>/reference and <Workload>/optimized), plus the optimized
// implementation alone over many connections through its batch interface. At the end, the
// ratio optimized/reference per workload. Built by the `bench` preset:
//   build/bench/bench/tcpfsm_bench [--benchmark_format=json]
//   build/bench/bench/tcpfsm_bench --count <Workload>/<impl> ROUNDS   (for bench/callgrind.sh)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "fast/connection_table.hpp"
#include "reference/endpoint.hpp"
#include "workloads.hpp"

namespace tcpfsm::bench {
namespace {

// --- the workloads --------------------------------------------------------------------------

// A workload: events played once before timing and rounds played one per iteration, in turn.
// When the rounds start over, a workload whose rounds move the sequence numbers is restarted
// (a fresh implementation, its setup played again) with the timer stopped.
struct Workload {
  std::vector<Event> setup{};
  std::vector<std::vector<Event>> rounds{};
  bool restart = false;
  bool tick = false;  // the clock moves 1 ms per round (the rounds fire a timer)
};

constexpr std::uint32_t kBulkPerRound = 16;

// Each round is a new incarnation with the next ISS, which the round's ACK must acknowledge;
// after 1024 rounds all starts again from a fresh implementation, as for BulkData.
Workload handshake() {
  Workload w{.restart = true, .tick = true};
  for (std::uint32_t r = 0; r < 1024; ++r) w.rounds.push_back(handshake_round(r));
  return w;
}
// Sequence numbers keep moving through 1024 rounds; then all starts again from a fresh
// implementation (a reopened connection would take a new ISS, which the rounds do not follow).
Workload bulk_data() {
  Workload w{.setup = establish(), .restart = true};
  for (std::uint32_t r = 0; r < 1024; ++r) w.rounds.push_back(bulk_data_round(r, kBulkPerRound));
  return w;
}
Workload pure_acks() {
  return {.setup = establish(), .rounds = {pure_ack_round(64)}};
}
Workload full_close() {
  Workload w{.restart = true, .tick = true};
  for (std::uint32_t r = 0; r < 1024; ++r) w.rounds.push_back(full_close_round(r));
  return w;
}
Workload adversarial_mix() {
  return {.setup = establish(), .rounds = {adversarial_round()}};
}

const std::vector<std::pair<std::string_view, Workload (*)()>>& workloads() {
  static const std::vector<std::pair<std::string_view, Workload (*)()>> all = {
      {"Handshake", handshake},
      {"BulkData", bulk_data},
      {"PureAcks", pure_acks},
      {"FullClose", full_close},
      {"AdversarialMix", adversarial_mix}};
  return all;
}

// --- the two players: each drives its implementation through the API an embedder uses -----

struct ReferencePlayer {
  using Round = std::vector<Event>;
  static Round prepare(const std::vector<Event>& events) { return events; }

  reference::Endpoint ep{Profile{}, kLocalIss};
  Millis now = 0;
  std::size_t play(const Round& round) {
    std::size_t sent = 0;
    for (const Event& e : round) sent += ep.step(e, now).sent.size();
    return sent;
  }
};

// Arriving segments go to ConnectionTable::segment_arrives(), user calls and timers to step(),
// as a stack that receives packets and system calls separately would do it.
struct OptimizedPlayer {
  // 32 bytes per event; the rare user calls and timers are kept aside.
  struct Op {
    Segment seg{};
    std::uint32_t call = kNoCall;  // index into Round::calls, or kNoCall for an arrival
  };
  static constexpr std::uint32_t kNoCall = 0xFFFF'FFFFu;
  struct Round {
    std::vector<Op> ops;
    std::vector<Event> calls;
  };
  static Round prepare(const std::vector<Event>& events) {
    Round r;
    for (const Event& e : events) {
      if (const auto* a = std::get_if<SegmentArrives>(&e)) {
        r.ops.push_back(Op{.seg = a->seg});
      } else {
        r.ops.push_back(Op{.call = static_cast<std::uint32_t>(r.calls.size())});
        r.calls.push_back(e);
      }
    }
    return r;
  }

  fast::ConnectionTable table{1, Profile{}, fast::Mutant::None, kLocalIss};
  fast::OutputBuffer out = fast::OutputBuffer::for_profile(Profile{});
  Millis now = 0;
  std::size_t play(const Round& round) {
    std::size_t sent = 0;
    for (const Op& op : round.ops) {
      out.clear();
      const fast::StepResult r = op.call == kNoCall ? table.segment_arrives(0, op.seg, now, out)
                                                    : table.step(0, round.calls[op.call], now, out);
      sent += r.segment_count;
    }
    return sent;
  }
};

// A workload prepared for one player, with a cursor over its rounds.
template <typename Player>
class Run {
 public:
  explicit Run(const Workload& w)
      : player_(std::make_unique<Player>()),
        setup_(Player::prepare(w.setup)),
        restart_(w.restart),
        tick_(w.tick) {
    for (const auto& r : w.rounds) {
      rounds_.push_back(Player::prepare(r));
      events_per_round_.push_back(r.size());
      arrivals_per_round_.push_back(
          static_cast<std::size_t>(std::count_if(r.begin(), r.end(), [](const Event& e) {
            return std::holds_alternative<SegmentArrives>(e);
          })));
    }
    sent_ += player_->play(setup_);
  }
  // Plays the next round; returns its index. The caller pauses the timer around restart().
  std::size_t play_round() {
    const std::size_t i = next_;
    sent_ += player_->play(rounds_[i]);
    if (tick_) player_->now += 1;
    next_ = i + 1;
    if (next_ == rounds_.size() && !restart_) next_ = 0;
    return i;
  }
  bool must_restart() const { return next_ == rounds_.size(); }
  void restart() {
    player_ = std::make_unique<Player>();
    sent_ += player_->play(setup_);
    next_ = 0;
  }
  std::size_t events(std::size_t round) const { return events_per_round_[round]; }
  std::size_t arrivals(std::size_t round) const { return arrivals_per_round_[round]; }
  std::size_t sent() const { return sent_; }

 private:
  std::unique_ptr<Player> player_;
  typename Player::Round setup_;
  std::vector<typename Player::Round> rounds_;
  std::vector<std::size_t> events_per_round_, arrivals_per_round_;
  bool restart_;
  bool tick_;
  std::size_t next_ = 0;
  std::size_t sent_ = 0;
};

// items processed = events (segments, calls and timers alike).
template <typename Player>
void play_workload(benchmark::State& st, Workload (*make)()) {
  Run<Player> run(make());
  std::int64_t events = 0;
  for (auto _ : st) {
    events += static_cast<std::int64_t>(run.events(run.play_round()));
    if (run.must_restart()) {
      st.PauseTiming();
      run.restart();
      st.ResumeTiming();
    }
  }
  benchmark::DoNotOptimize(run.sent());
  st.SetItemsProcessed(events);
}

// --count mode, for instruction counting (bench/callgrind.sh): plays a fixed number of rounds
// of one workload without the benchmark library and prints how many events that was.
template <typename Player>
int count_rounds(Workload (*make)(), std::size_t rounds) {
  Run<Player> run(make());
  std::size_t events = 0, arrivals = 0;
  for (std::size_t k = 0; k < rounds; ++k) {
    const std::size_t i = run.play_round();
    events += run.events(i);
    arrivals += run.arrivals(i);
    if (run.must_restart()) run.restart();
  }
  std::printf("rounds=%zu events=%zu arrivals=%zu sent=%zu\n", rounds, events, arrivals,
              run.sent());
  return 0;
}

int count_mode(std::string_view spec, std::string_view rounds_text) {
  const auto slash = spec.find('/');
  std::size_t rounds = 0;
  for (const char ch : rounds_text) {
    if (ch < '0' || ch > '9' || rounds > 100'000'000) {
      std::fprintf(stderr, "--count: rounds must be a number up to 100000000\n");
      return 2;
    }
    rounds = rounds * 10 + static_cast<std::size_t>(ch - '0');
  }
  if (slash != std::string_view::npos) {
    const auto workload = spec.substr(0, slash);
    const auto impl = spec.substr(slash + 1);
    for (const auto& [name, make] : workloads()) {
      if (name != workload) continue;
      if (impl == "reference") return count_rounds<ReferencePlayer>(make, rounds);
      if (impl == "optimized") return count_rounds<OptimizedPlayer>(make, rounds);
    }
  }
  std::fprintf(stderr, "--count: unknown benchmark '%.*s' (want <Workload>/reference|optimized)\n",
               static_cast<int>(spec.size()), spec.data());
  return 2;
}

// --- the optimized implementation over many connections ------------------------------------

// A small, fixed generator for the random connection order (the same every run).
std::uint64_t next_random(std::uint64_t& s) {
  s += 0x9E37'79B9'7F4A'7C15ull;
  std::uint64_t z = s;
  z = (z ^ (z >> 30)) * 0xBF58'476D'1CE4'E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D0'49BB'1331'11EBull;
  return z ^ (z >> 31);
}

// N established connections; each batch carries pure ACKs to connections picked at random,
// the access pattern of a middlebox or server with many idle peers. The targets are drawn ahead
// (4 Mi of them, so that with 1,000,000 connections nearly every record is visited and the
// working set, 48 MB of hot records, exceeds the caches); the loop measures the table only.
void ManyConnections(benchmark::State& st) {
  const auto n = static_cast<std::uint32_t>(st.range(0));
  fast::ConnectionTable table(n, Profile{}, fast::Mutant::None, kLocalIss);
  fast::OutputBuffer out(1024, 64);
  for (std::uint32_t c = 0; c < n; ++c) {
    for (const Event& e : establish()) {
      out.clear();
      table.step(c, e, 0, out);
    }
  }
  constexpr std::size_t kBatch = 256;
  std::vector<fast::Arrival> batch(kBatch);
  for (fast::Arrival& a : batch) {
    a.seg = Segment{.seq = kPeerIss + 1, .ack = kLocalIss + 1, .ctl = kAck, .wnd = 65535};
  }
  std::vector<fast::StepResult> results(kBatch);
  std::uint64_t rng = 42;
  std::vector<std::uint32_t> targets(std::size_t{1} << 22);
  for (auto& t : targets) t = static_cast<std::uint32_t>(next_random(rng) % n);
  std::size_t k = 0;
  for (auto _ : st) {
    for (fast::Arrival& a : batch) a.conn = targets[k++ & (targets.size() - 1)];
    out.clear();
    table.segments_arrive(batch, 0, out, results);
    benchmark::DoNotOptimize(results.data());
  }
  st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * kBatch));
  st.counters["hot_bytes_per_conn"] = static_cast<double>(sizeof(fast::HotRecord));
  st.counters["bytes_per_conn"] = static_cast<double>(fast::ConnectionTable::kBytesPerConnection);
}

void register_benchmarks() {
  for (const auto& [name, make] : workloads()) {
    benchmark::RegisterBenchmark((std::string(name) + "/reference").c_str(),
                                 play_workload<ReferencePlayer>, make);
    benchmark::RegisterBenchmark((std::string(name) + "/optimized").c_str(),
                                 play_workload<OptimizedPlayer>, make);
  }
  benchmark::RegisterBenchmark("ManyConnections/optimized", ManyConnections)
      ->Arg(1)
      ->Arg(1'000'000);
}

// --- the ratio table -------------------------------------------------------------------------

// Collects events per second per workload and implementation (with --benchmark_repetitions,
// the median) and prints them side by side at the end, with ns per event and the ratio.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      const bool median = r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
      if (r.run_type == Run::RT_Aggregate && !median) continue;
      const std::string& name = r.run_name.function_name;
      const auto slash = name.find('/');
      const auto it = r.counters.find("items_per_second");
      if (slash == std::string::npos || it == r.counters.end()) continue;
      auto& slot = rates_[name.substr(0, slash)][name.substr(slash + 1)];
      if (median || !slot.median) slot = {it->second.value, median};
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void print_ratios() const {
    std::printf("\n%-16s %14s %14s %10s %10s %8s\n", "workload", "reference ev/s", "optimized ev/s",
                "ref ns/ev", "opt ns/ev", "ratio");
    for (const auto& [workload, by_impl] : rates_) {
      const auto ref = by_impl.find("reference");
      const auto opt = by_impl.find("optimized");
      if (ref == by_impl.end() || opt == by_impl.end()) continue;
      const double r = ref->second.rate, o = opt->second.rate;
      std::printf("%-16s %14.0f %14.0f %10.1f %10.1f %7.1fx\n", workload.c_str(), r, o, 1e9 / r,
                  1e9 / o, o / r);
    }
  }

 private:
  struct Rate {
    double rate = 0;
    bool median = false;
  };
  std::map<std::string, std::map<std::string, Rate>> rates_;
};

}  // namespace
}  // namespace tcpfsm::bench

int main(int argc, char** argv) {
  if (argc >= 2 && std::string_view(argv[1]) == "--count") {
    if (argc != 4) {
      std::fprintf(stderr, "usage: tcpfsm_bench --count <Workload>/reference|optimized ROUNDS\n");
      return 2;
    }
    return tcpfsm::bench::count_mode(argv[2], argv[3]);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  tcpfsm::bench::register_benchmarks();
  tcpfsm::bench::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_ratios();
  std::printf("hot record: %zu bytes per connection; all fixed arrays: %zu bytes per connection\n",
              sizeof(tcpfsm::fast::HotRecord), tcpfsm::fast::ConnectionTable::kBytesPerConnection);
  benchmark::Shutdown();
  return 0;
}
