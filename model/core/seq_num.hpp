#pragma once
// Sequence numbers live on a 32-bit circle (RFC 9293 §3.4). Every comparison here is modular:
// a is "before" b when the signed distance from b to a is negative. The comparisons are only
// meaningful for values less than 2^31 apart, which windows guarantee.
#include <cstdint>
#include <string>

namespace tcpfsm {

class SeqNum {
 public:
  constexpr SeqNum() = default;
  constexpr explicit SeqNum(std::uint32_t raw) : raw_(raw) {}

  constexpr std::uint32_t raw() const { return raw_; }

  // Wrapping arithmetic: adding an octet count moves along the circle.
  constexpr SeqNum operator+(std::uint32_t n) const { return SeqNum(raw_ + n); }
  constexpr SeqNum operator-(std::uint32_t n) const { return SeqNum(raw_ - n); }
  constexpr SeqNum& operator+=(std::uint32_t n) {
    raw_ += n;
    return *this;
  }
  // Distance from `from` to this number, going forward around the circle.
  constexpr std::uint32_t since(SeqNum from) const { return raw_ - from.raw_; }

  constexpr bool operator==(const SeqNum&) const = default;

 private:
  std::uint32_t raw_ = 0;
};

// a < b (mod 2^32)
constexpr bool seq_lt(SeqNum a, SeqNum b) {
  return static_cast<std::int32_t>(a.raw() - b.raw()) < 0;
}
// a <= b (mod 2^32)
constexpr bool seq_le(SeqNum a, SeqNum b) {
  return static_cast<std::int32_t>(a.raw() - b.raw()) <= 0;
}
constexpr bool seq_gt(SeqNum a, SeqNum b) {
  return seq_lt(b, a);
}
constexpr bool seq_ge(SeqNum a, SeqNum b) {
  return seq_le(b, a);
}
// lo <= x < hi (mod 2^32), the half-open range the acceptability test uses.
constexpr bool seq_in_range(SeqNum lo, SeqNum x, SeqNum hi) {
  return seq_le(lo, x) && seq_lt(x, hi);
}
constexpr SeqNum seq_max(SeqNum a, SeqNum b) {
  return seq_lt(a, b) ? b : a;
}

inline std::string to_string(SeqNum s) {
  return std::to_string(s.raw());
}

}  // namespace tcpfsm
