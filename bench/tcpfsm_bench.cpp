// tcpfsm_bench: events per second for the reference model and the optimized implementation on
// the same workloads (<Workload>/reference and <Workload>/optimized), plus the optimized
// implementation alone over many connections through its batch interface. At the end, the
// ratio optimized/reference per workload. Built by the `bench` preset:
//   build/bench/bench/tcpfsm_bench [--benchmark_format=json]
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "fast/connection_table.hpp"
#include "reference/endpoint.hpp"
#include "workloads.hpp"

namespace tcpfsm::bench {
namespace {

// --- the two players of one workload -------------------------------------------------------

struct ReferencePlayer {
  reference::Endpoint ep{Profile{}, kLocalIss};
  Millis now = 0;
  std::size_t step(const Event& e) {
    const Outcome o = ep.step(e, now);
    return o.sent.size();
  }
  State state() const { return ep.state(); }
};

struct OptimizedPlayer {
  fast::ConnectionTable table{1, Profile{}, fast::Mutant::None, kLocalIss};
  fast::OutputBuffer out = fast::OutputBuffer::for_profile(Profile{});
  Millis now = 0;
  std::size_t step(const Event& e) {
    out.clear();
    const fast::StepResult r = table.step(0, e, now, out);
    return r.segment_count;
  }
  State state() const { return table.state(0); }
};

template <typename Player>
void play(Player& p, const std::vector<Event>& events, std::size_t& sent) {
  for (const Event& e : events) sent += p.step(e);
}

// Each benchmark replays prepared rounds; items processed = events.
template <typename Player>
void Handshake(benchmark::State& st) {
  Player p;
  const auto round = handshake_round();
  std::size_t sent = 0;
  for (auto _ : st) {
    play(p, round, sent);
    p.now += 1;
  }
  benchmark::DoNotOptimize(sent);
  st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * round.size()));
}

template <typename Player>
void BulkData(benchmark::State& st) {
  Player p;
  std::size_t sent = 0;
  play(p, establish(), sent);
  constexpr std::uint32_t kPerRound = 16;
  // The rounds are generated ahead so the loop measures the implementation only; sequence
  // numbers keep moving through 1024 rounds and then the connection is reopened.
  std::vector<std::vector<Event>> rounds;
  for (std::uint32_t r = 0; r < 1024; ++r) rounds.push_back(bulk_data_round(r, kPerRound));
  const auto reopen = [&] {
    play(p, {AbortCall{}}, sent);
    play(p, establish(), sent);
  };
  std::size_t i = 0;
  for (auto _ : st) {
    play(p, rounds[i], sent);
    if (++i == rounds.size()) {
      st.PauseTiming();
      reopen();
      i = 0;
      st.ResumeTiming();
    }
  }
  benchmark::DoNotOptimize(sent);
  st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * (kPerRound + 1)));
}

template <typename Player>
void PureAcks(benchmark::State& st) {
  Player p;
  std::size_t sent = 0;
  play(p, establish(), sent);
  const auto round = pure_ack_round(64);
  for (auto _ : st) play(p, round, sent);
  benchmark::DoNotOptimize(sent);
  st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * round.size()));
}

template <typename Player>
void FullClose(benchmark::State& st) {
  Player p;
  const auto round = full_close_round();
  std::size_t sent = 0;
  for (auto _ : st) {
    play(p, round, sent);
    p.now += 1;
  }
  benchmark::DoNotOptimize(sent);
  st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * round.size()));
}

template <typename Player>
void AdversarialMix(benchmark::State& st) {
  Player p;
  std::size_t sent = 0;
  play(p, establish(), sent);
  const auto round = adversarial_round();
  for (auto _ : st) play(p, round, sent);
  benchmark::DoNotOptimize(sent);
  st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * round.size()));
}

BENCHMARK(Handshake<ReferencePlayer>)->Name("Handshake/reference");
BENCHMARK(Handshake<OptimizedPlayer>)->Name("Handshake/optimized");
BENCHMARK(BulkData<ReferencePlayer>)->Name("BulkData/reference");
BENCHMARK(BulkData<OptimizedPlayer>)->Name("BulkData/optimized");
BENCHMARK(PureAcks<ReferencePlayer>)->Name("PureAcks/reference");
BENCHMARK(PureAcks<OptimizedPlayer>)->Name("PureAcks/optimized");
BENCHMARK(FullClose<ReferencePlayer>)->Name("FullClose/reference");
BENCHMARK(FullClose<OptimizedPlayer>)->Name("FullClose/optimized");
BENCHMARK(AdversarialMix<ReferencePlayer>)->Name("AdversarialMix/reference");
BENCHMARK(AdversarialMix<OptimizedPlayer>)->Name("AdversarialMix/optimized");

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
// the access pattern of a middlebox or server with many idle peers.
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
  constexpr std::size_t kBatch = 64;
  std::vector<fast::Arrival> batch(kBatch);
  std::vector<fast::StepResult> results(kBatch);
  std::uint64_t rng = 42;
  // Pre-draw the targets so the loop measures the table, not the generator.
  std::vector<std::uint32_t> targets(1 << 16);
  for (auto& t : targets) t = static_cast<std::uint32_t>(next_random(rng) % n);
  std::size_t k = 0;
  for (auto _ : st) {
    for (std::size_t i = 0; i < kBatch; ++i) {
      batch[i].conn = targets[k++ & (targets.size() - 1)];
      batch[i].seg = Segment{.seq = kPeerIss + 1, .ack = kLocalIss + 1, .ctl = kAck, .wnd = 65535};
    }
    out.clear();
    table.segments_arrive(batch, 0, out, results);
    benchmark::DoNotOptimize(results.data());
  }
  st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * kBatch));
  st.counters["hot_bytes_per_connection"] = static_cast<double>(sizeof(fast::HotRecord));
}
BENCHMARK(ManyConnections)->Name("ManyConnections/optimized")->Arg(1)->Arg(1'000'000);

// --- the ratio table -------------------------------------------------------------------------

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      const std::string name = r.benchmark_name();
      const auto slash = name.find('/');
      const auto it = r.counters.find("items_per_second");
      if (slash == std::string::npos || it == r.counters.end()) continue;
      rates_[name.substr(0, slash)][name.substr(slash + 1)] = it->second.value;
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void print_ratios() const {
    std::printf("\n%-16s %16s %16s %10s\n", "workload", "reference ev/s", "optimized ev/s",
                "ratio");
    for (const auto& [workload, by_impl] : rates_) {
      const auto ref = by_impl.find("reference");
      const auto opt = by_impl.find("optimized");
      if (ref == by_impl.end() || opt == by_impl.end()) continue;
      std::printf("%-16s %16.0f %16.0f %9.1fx\n", workload.c_str(), ref->second, opt->second,
                  opt->second / ref->second);
    }
  }

 private:
  std::map<std::string, std::map<std::string, double>> rates_;
};

}  // namespace
}  // namespace tcpfsm::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  tcpfsm::bench::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_ratios();
  std::printf("hot record: %zu bytes per connection\n", sizeof(tcpfsm::fast::HotRecord));
  benchmark::Shutdown();
  return 0;
}
