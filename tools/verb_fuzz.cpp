// tcpfsm fuzz: runs a fuzzing campaign. The work is done by fuzz/campaign.sh (libFuzzer's fork
// mode, progress, Ctrl-C, merging, minimizing and bucketing findings); this verb finds the
// script and tells it where this tcpfsm binary and the source tree are.
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli_verbs.hpp"

namespace tcpfsm::cli {

int fuzz(const Args& args) {
  const std::string root = TCPFSM_SOURCE_ROOT;
  const std::string script = root + "/fuzz/campaign.sh";
  if (access(script.c_str(), R_OK) != 0) {
    std::fprintf(stderr, "tcpfsm fuzz: cannot read %s\n", script.c_str());
    return 2;
  }
  char self[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    self[n] = '\0';
    setenv("TCPFSM_BIN", self, 1);
  }
  setenv("TCPFSM_SOURCE_ROOT", root.c_str(), 1);
  std::vector<std::string> owned = {"bash", script};
  for (const auto a : args) owned.emplace_back(a);
  std::vector<char*> argv;
  for (auto& s : owned) argv.push_back(s.data());
  argv.push_back(nullptr);
  execvp("bash", argv.data());
  std::perror("tcpfsm fuzz: cannot run bash");
  return 2;
}

}  // namespace tcpfsm::cli
