#pragma once
// What an implementation exposes of its TCB to a checker: the RFC 9293 §3.3.1 variables and
// the connection's history. The reference and the optimized implementation both fill it; a
// black-box adapter (a real kernel) has none.
#include <cstdint>

#include "core/seq_num.hpp"

namespace tcpfsm {

struct TcbSnapshot {
  SeqNum iss{}, snd_una{}, snd_nxt{}, snd_wl1{}, snd_wl2{}, snd_up{}, snd_max{};
  std::uint32_t snd_wnd = 0, max_snd_wnd = 0;
  SeqNum irs{}, rcv_nxt{}, rcv_up{};
  std::uint32_t rcv_wnd = 0;
  bool iss_defined = false, irs_defined = false;
  bool passive_open = false, from_time_wait = false, close_requested = false;
  bool fin_sent = false, fin_acked = false, fin_received = false;
  SeqNum fin_seq{};
  std::uint32_t send_queued = 0, recv_unread = 0;
  std::uint64_t delivered_total = 0;

  bool operator==(const TcbSnapshot&) const = default;
};

}  // namespace tcpfsm
