// The liveness check on the explored graph (explorer_search.hpp, docs/explorer.md "The checks").
#include <string>
#include <vector>

#include "harness/explorer_search.hpp"

namespace tcpfsm::harness::explore_detail {

// Liveness: from every explored state, some path of CLOSE calls, deliveries and timer expiries
// leads to a state where neither endpoint holds a connection (both CLOSED or LISTEN). Computed
// backwards from those states over the explored edges of that kind.
void Explorer::check_liveness() {
  const std::size_t n = store_.size();
  std::vector<std::uint32_t> rev_begin(n + 1, 0);
  for (std::uint32_t to : fair_to_) ++rev_begin[to + 1];
  for (std::size_t i = 0; i < n; ++i) rev_begin[i + 1] += rev_begin[i];
  std::vector<std::uint32_t> rev_from(fair_to_.size());
  {
    std::vector<std::uint32_t> fill(rev_begin.begin(), rev_begin.end() - 1);
    for (std::uint32_t from = 0; from < n; ++from) {
      for (std::uint64_t e = fair_begin_[from]; e < fair_begin_[from + 1]; ++e) {
        rev_from[fill[fair_to_[e]]++] = from;
      }
    }
  }
  std::vector<bool> good(n, false);
  std::vector<std::uint32_t> queue;
  for (std::uint32_t i = 0; i < n; ++i) {
    const auto a = static_cast<State>(states_[i] & 0x0F);
    const auto b = static_cast<State>(states_[i] >> 4);
    if (no_connection(a) && no_connection(b)) {
      good[i] = true;
      queue.push_back(i);
    }
  }
  for (std::size_t q = 0; q < queue.size(); ++q) {
    const std::uint32_t to = queue[q];
    for (std::uint32_t e = rev_begin[to]; e < rev_begin[to + 1]; ++e) {
      const std::uint32_t from = rev_from[e];
      if (!good[from]) {
        good[from] = true;
        queue.push_back(from);
      }
    }
  }
  result_.liveness_checked = true;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (good[i]) continue;
    if (result_.stuck_states++ == 0) {
      const auto a = static_cast<State>(states_[i] & 0x0F);
      const auto b = static_cast<State>(states_[i] >> 4);
      found_.push_back({Counterexample::Kind::Liveness,
                        "stuck: from this state (A " + std::string(to_string(a)) + ", B " +
                            std::string(to_string(b)) +
                            ") no sequence of CLOSE calls, deliveries and timer expiries brings "
                            "both endpoints back to CLOSED or LISTEN",
                        i, std::nullopt});
    }
  }
  result_.violations += result_.stuck_states;
}

}  // namespace tcpfsm::harness::explore_detail
