#include "reference/snapshot.hpp"

namespace tcpfsm::reference {

TcbSnapshot snapshot(const Tcb& t) {
  TcbSnapshot s;
  s.iss = t.iss;
  s.snd_una = t.snd_una;
  s.snd_nxt = t.snd_nxt;
  s.snd_wl1 = t.snd_wl1;
  s.snd_wl2 = t.snd_wl2;
  s.snd_up = t.snd_up;
  s.snd_max = t.snd_max;
  s.snd_wnd = t.snd_wnd;
  s.max_snd_wnd = t.max_snd_wnd;
  s.irs = t.irs;
  s.rcv_nxt = t.rcv_nxt;
  s.rcv_up = t.rcv_up;
  s.rcv_wnd = t.rcv_wnd;
  s.iss_defined = t.iss_defined;
  s.irs_defined = t.irs_defined;
  s.passive_open = t.passive_open;
  s.from_time_wait = t.from_time_wait;
  s.close_requested = t.close_requested;
  s.fin_sent = t.fin_sent;
  s.fin_acked = t.fin_acked;
  s.fin_received = t.fin_received;
  s.fin_seq = t.fin_seq;
  s.send_queued = t.send_queued;
  s.recv_unread = t.recv_unread;
  s.delivered_total = t.delivered_total;
  return s;
}

}  // namespace tcpfsm::reference
