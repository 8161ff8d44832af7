#pragma once
// Sequence comparisons on raw 32-bit values for the optimized implementation. The hot record
// keeps bare std::uint32_t (no SeqNum wrapper in the packed layout), so the comparisons live
// here. They are modular (RFC 9293 §3.4) unless the table runs the PlainSequenceComparison
// mutant, which swaps in the plain unsigned order at the places that decide acceptability and
// ACK validity.
#include <cstdint>

namespace tcpfsm::fast {

// RFC 9293 §3.4: a precedes b when the signed distance from b to a is negative.
constexpr bool mod_lt(std::uint32_t a, std::uint32_t b) {
  return static_cast<std::int32_t>(a - b) < 0;
}
constexpr bool mod_le(std::uint32_t a, std::uint32_t b) {
  return static_cast<std::int32_t>(a - b) <= 0;
}
constexpr bool mod_gt(std::uint32_t a, std::uint32_t b) {
  return mod_lt(b, a);
}
// The later of two sequence numbers on the circle.
constexpr std::uint32_t mod_max(std::uint32_t a, std::uint32_t b) {
  return mod_lt(a, b) ? b : a;
}

// The comparator used by the acceptability test and the ACK checks. `plain` is a property of
// the whole table, so the branch is perfectly predicted.
struct SeqOrder {
  bool plain = false;

  constexpr bool lt(std::uint32_t a, std::uint32_t b) const { return plain ? a < b : mod_lt(a, b); }
  constexpr bool le(std::uint32_t a, std::uint32_t b) const {
    return plain ? a <= b : mod_le(a, b);
  }
  constexpr bool gt(std::uint32_t a, std::uint32_t b) const { return lt(b, a); }
  // lo <= x < hi, the half-open window of RFC 9293 §3.4 Table 5.
  constexpr bool within(std::uint32_t lo, std::uint32_t x, std::uint32_t hi) const {
    return le(lo, x) && lt(x, hi);
  }
};

}  // namespace tcpfsm::fast
