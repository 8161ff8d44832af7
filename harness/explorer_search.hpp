#pragma once
// The breadth-first explorer of bounded worlds (internal to harness/explorer_*.cpp; the public
// interface is harness/explorer.hpp, the description docs/explorer.md).
//
// A world state is two endpoints (the implementation, and the oracle next to it), the segments
// in flight in each direction, the budgets left, and a shadow of the history the invariant
// monitor keeps. Its canonical key is a short byte string: interned ids of each endpoint's
// encode_state(), of each side's shadow history, and of each segment in flight (sorted, so the
// network is a multiset), plus the budgets. Full worlds live only in the BFS frontier; every
// state ever seen is kept as its key, its BFS parent and the action that reached it, and the
// CLOSE/delivery/timer edges the liveness check walks backwards at the end.
//
// explorer_search.cpp: the worlds' successors and the search; explorer_scripts.cpp: paths as
// scripts (counterexamples, witnesses); explorer_liveness.cpp: the liveness check.
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/profile.hpp"
#include "harness/explorer.hpp"
#include "harness/explorer_store.hpp"
#include "harness/explorer_world.hpp"
#include "harness/script.hpp"

namespace tcpfsm::harness::explore_detail {

class Explorer {
 public:
  Explorer(const ExploreConfig& config, const ExploreOptions& options)
      : config_(config), options_(options) {}

  ExploreResult run();

 private:
  struct ArrowRecord {
    ExploredArrow arrow;
    std::uint32_t source = 0;
    Action action;
  };
  struct Found {
    Counterexample::Kind kind;
    std::string message;
    std::uint32_t source;  // the state the failing action starts from
    std::optional<Action> action;
  };

  World initial(std::uint32_t root) const;
  std::vector<Action> actions(const World& w) const;
  std::optional<Applied> apply(const World& w, const Action& a) const;
  bool act(Applied& r, int side, const Event& e, bool check_capacity) const;
  void prepare(World& w) const;
  void key_of(World& w, std::string& out);
  // Every successor of a world: the action and, unless the action is blocked, its outcome.
  using Successors = std::vector<std::pair<Action, std::optional<Applied>>>;
  void expand(const World& w, Successors& out) const;
  void note_arrows(const Applied& r, std::uint32_t source, const Action& a);
  std::vector<Action> path_to(std::uint32_t state) const;
  Script script_for(std::uint32_t root, const std::vector<Action>& path) const;
  void check_liveness();
  Counterexample make_counterexample(const Found& f) const;
  void report_progress(bool force);
  std::uint64_t bytes() const;

  const ExploreConfig& config_;
  const ExploreOptions& options_;
  ExploreResult result_;
  Profile profile_[2];
  std::vector<std::pair<std::uint32_t, std::uint32_t>> roots_;  // ISS of A and B per root
  bool compare_ = false;

  StateStore store_;
  Interner endpoints_, histories_, segments_;
  std::vector<std::uint32_t> parent_;
  std::vector<Action> via_;
  std::vector<std::uint8_t> states_;       // state of A (low nibble) and B (high nibble)
  std::vector<std::uint64_t> fair_begin_;  // CSR of the edges liveness may use
  std::vector<std::uint32_t> fair_to_;
  std::vector<Found> found_;
  std::map<std::string, ArrowRecord> arrows_;
  std::array<std::array<std::array<bool, kEventClasses>, 11>, 11> classes_seen_{};
  std::string scratch_, piece_;

  std::chrono::steady_clock::time_point start_, last_progress_;
  std::uint32_t depth_ = 0;
  std::uint64_t frontier_size_ = 0;
};

// The initial world a state descends from, by following BFS parents.
std::uint32_t root_of(const std::vector<std::uint32_t>& parent, std::uint32_t state);

}  // namespace tcpfsm::harness::explore_detail
