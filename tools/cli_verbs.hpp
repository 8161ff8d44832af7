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
int fuzz(const Args& args);      // verb_fuzz.cpp
int decode(const Args& args);    // verb_codec.cpp
int encode(const Args& args);    // verb_codec.cpp
int explore(const Args& args);   // verb_explore.cpp
int diagram(const Args& args);   // verb_explore.cpp
int conform(const Args& args);   // verb_conform.cpp

}  // namespace tcpfsm::cli
