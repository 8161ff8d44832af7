// fuzz_trivial: looks at one byte and nothing else. Built the same way as the real targets
// (and instrumented like the model), its exec/s is the ceiling the fuzzing engine itself allows
// on this machine (docs/fuzzing.md, "Measurements").
//
// Input: anything. max_len: whatever the run sets (the measurements use 256).
#include <cstddef>
#include <cstdint>

namespace {
volatile int g_sink = 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 0 && data[0] == 'x') g_sink = g_sink + 1;
  return 0;
}
