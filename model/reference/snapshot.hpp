#pragma once
#include "core/tcb_snapshot.hpp"
#include "reference/tcb.hpp"

namespace tcpfsm::reference {

TcbSnapshot snapshot(const Tcb& t);

}  // namespace tcpfsm::reference
