#pragma once
// One function per verb of the tcpfsm command; each returns the process exit status.
#include <string_view>
#include <vector>

namespace tcpfsm::harness {
struct SeedResult;
}

namespace tcpfsm::cli {

using Args = std::vector<std::string_view>;

int verify(const Args& args);  // verb_verify.cpp
int run(const Args& args);
int seeds(const Args& args);  // verb_seeds.cpp
// One seed situation's story, checks and (with_trace) its ladder and trace; verify uses it too.
void print_seed(const harness::SeedResult& r, bool with_trace);
int names(const Args& args);
int rules(const Args& args);
int fuzz(const Args& args);     // verb_fuzz.cpp
int decode(const Args& args);   // verb_codec.cpp
int encode(const Args& args);   // verb_codec.cpp
int explore(const Args& args);  // verb_explore.cpp
int diagram(const Args& args);  // verb_explore.cpp
int conform(const Args& args);  // verb_conform.cpp

}  // namespace tcpfsm::cli
