#pragma once
// A weighted choice inside a RapidCheck generator (rc::gen::exec), shrinking towards the first
// alternative: list the simplest or most common case first.
#include <rapidcheck.h>

#include <cstddef>
#include <initializer_list>

namespace tcpfsm::prop {

inline std::size_t pick(std::initializer_list<int> weights) {
  int total = 0;
  for (int w : weights) total += w;
  int roll = *rc::gen::inRange(0, total);
  std::size_t i = 0;
  for (int w : weights) {
    if (roll < w) return i;
    roll -= w;
    ++i;
  }
  return weights.size() - 1;
}

}  // namespace tcpfsm::prop
