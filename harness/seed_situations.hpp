#pragma once
// The project's seed situations: the four closes every TCP textbook draws, played by two
// reference endpoints. Each returns its trace and the checks that make its point, so the CLI
// can show them and the tests can hold them.
#include <string>
#include <vector>

namespace tcpfsm::harness {

struct SeedCheck {
  std::string claim;
  bool holds = false;
};

struct SeedResult {
  std::string name;
  std::string story;  // one sentence: what the run shows
  std::vector<std::string> trace;
  std::vector<std::string> ladder;
  std::vector<SeedCheck> checks;
  bool passed() const;
};

SeedResult seed_active_close();
SeedResult seed_passive_close();
SeedResult seed_simultaneous_close();
SeedResult seed_server_lets_client_close_first();

std::vector<SeedResult> run_seed_situations();

}  // namespace tcpfsm::harness
