#pragma once
// What one step of an endpoint produced: the state before and after, the segments it sent,
// what the user was told, and the RFC check that decided it.
#include <string>
#include <vector>

#include "core/rules.hpp"
#include "core/segment.hpp"
#include "core/state.hpp"
#include "core/user_result.hpp"

namespace tcpfsm {

struct Outcome {
  State from = State::Closed;
  State to = State::Closed;
  std::vector<Segment> sent;
  std::vector<Notice> notices;
  Rule rule = Rule::None;

  bool operator==(const Outcome&) const = default;
};

}  // namespace tcpfsm
