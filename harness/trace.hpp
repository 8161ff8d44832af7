#pragma once
// One line per event in RFC vocabulary, e.g.
//   SYN-SENT --rcv <SEQ=300><ACK=101><CTL=SYN,ACK>--> ESTABLISHED [snd <SEQ=101><ACK=301><CTL=ACK>]
// followed by the RFC check that decided it.
#include <string>

#include "core/event.hpp"
#include "core/outcome.hpp"

namespace tcpfsm::harness {

std::string trace_line(const Event& event, const Outcome& outcome);

}  // namespace tcpfsm::harness
