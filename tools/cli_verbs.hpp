#pragma once
// One function per verb of the tcpfsm command; each returns the process exit status.
#include <string_view>
#include <vector>

namespace tcpfsm::cli {

using Args = std::vector<std::string_view>;

int verify(const Args& args);
int run(const Args& args);
int seeds(const Args& args);
int names(const Args& args);
int rules(const Args& args);

}  // namespace tcpfsm::cli
