#pragma once
// Internal: the rules by which the invariant monitor reads a step into an endpoint's
// history. The explorer keeps a shadow of that history in its world keys (explorer_shadow.cpp)
// and must read steps exactly as the monitor does, so both call these.
#include <cstdint>

#include "core/state.hpp"
#include "harness/observer.hpp"

namespace tcpfsm::harness::history {

// Whether the step told the user of error `e`.
bool has_error(const Outcome& o, UserError e);

// States a single segment passes through on its way from `from` to `to` (digest §4's "via"
// edges), one bit per State.
std::uint32_t passed_through(State from, State to);

// Whether the peer's FIN was taken in this step, judged from the TCB when there is one and from
// what the user was told and where the state went otherwise.
bool fin_arrived_in(const StepRecord& s, const TcbSnapshot* before, const TcbSnapshot* after,
                    bool continuing, bool fallback);

}  // namespace tcpfsm::harness::history
