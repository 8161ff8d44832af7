// One step of a world, judged and labelled (explorer_world.hpp).
#include "harness/explorer_world.hpp"

#include "harness/explorer_store.hpp"

namespace tcpfsm::harness::explore_detail {

Event event_of(ExploreCall c, std::uint32_t send_size) {
  switch (c) {
    case ExploreCall::OpenActive: return OpenCall{.passive = false};
    case ExploreCall::OpenPassive: return OpenCall{.passive = true};
    case ExploreCall::Send: return SendCall{.len = send_size};
    case ExploreCall::Receive: return ReceiveCall{};
    case ExploreCall::Close: return CloseCall{};
    case ExploreCall::Abort: return AbortCall{};
  }
  return StatusCall{};
}

namespace {

std::string describe_tcb_difference(const TcbSnapshot& a, const TcbSnapshot& b) {
  std::string out;
  auto seq = [&](const char* n, SeqNum x, SeqNum y) {
    if (x != y)
      out += std::string(out.empty() ? "" : ", ") + n + " " + to_string(x) + " vs " + to_string(y);
  };
  auto val = [&](const char* n, std::uint64_t x, std::uint64_t y) {
    if (x != y) {
      out += std::string(out.empty() ? "" : ", ") + n + " " + std::to_string(x) + " vs " +
             std::to_string(y);
    }
  };
  seq("ISS", a.iss, b.iss);
  seq("SND.UNA", a.snd_una, b.snd_una);
  seq("SND.NXT", a.snd_nxt, b.snd_nxt);
  seq("SND.WL1", a.snd_wl1, b.snd_wl1);
  seq("SND.WL2", a.snd_wl2, b.snd_wl2);
  seq("SND.UP", a.snd_up, b.snd_up);
  seq("SND.MAX", a.snd_max, b.snd_max);
  val("SND.WND", a.snd_wnd, b.snd_wnd);
  val("MAX.SND.WND", a.max_snd_wnd, b.max_snd_wnd);
  seq("IRS", a.irs, b.irs);
  seq("RCV.NXT", a.rcv_nxt, b.rcv_nxt);
  seq("RCV.UP", a.rcv_up, b.rcv_up);
  val("RCV.WND", a.rcv_wnd, b.rcv_wnd);
  val("iss_defined", a.iss_defined, b.iss_defined);
  val("irs_defined", a.irs_defined, b.irs_defined);
  val("passive_open", a.passive_open, b.passive_open);
  val("from_time_wait", a.from_time_wait, b.from_time_wait);
  val("close_requested", a.close_requested, b.close_requested);
  val("fin_sent", a.fin_sent, b.fin_sent);
  val("fin_acked", a.fin_acked, b.fin_acked);
  val("fin_received", a.fin_received, b.fin_received);
  seq("fin_seq", a.fin_seq, b.fin_seq);
  val("send_queued", a.send_queued, b.send_queued);
  val("recv_unread", a.recv_unread, b.recv_unread);
  val("delivered_total", a.delivered_total, b.delivered_total);
  return out;
}

std::string segments_text(const std::vector<Segment>& segs) {
  if (segs.empty()) return "nothing";
  std::string out;
  for (const Segment& s : segs) out += (out.empty() ? "" : " ") + to_string(s);
  return out;
}

std::string notices_text(const std::vector<Notice>& ns) {
  if (ns.empty()) return "nothing";
  std::string out;
  for (const Notice& n : ns) out += (out.empty() ? "" : "; ") + to_string(n);
  return out;
}

std::string timer_text(const std::optional<std::pair<TimerKind, Millis>>& t) {
  if (!t) return "none";
  return std::string(to_string(t->first)) + " at " + std::to_string(t->second) + " ms";
}

}  // namespace

std::string compare_step(const EndpointUnderTest& impl, const Outcome& oi,
                         const EndpointUnderTest& oracle, const Outcome& oo) {
  if (oi.from != oo.from || oi.to != oo.to || impl.state() != oracle.state()) {
    return "state: the implementation went " + std::string(to_string(oi.from)) + " -> " +
           std::string(to_string(oi.to)) + ", the oracle " + std::string(to_string(oo.from)) +
           " -> " + std::string(to_string(oo.to));
  }
  if (oi.sent != oo.sent) {
    return "segments: the implementation sent " + segments_text(oi.sent) + ", the oracle " +
           segments_text(oo.sent);
  }
  if (oi.notices != oo.notices) {
    return "notices: the implementation told " + notices_text(oi.notices) + ", the oracle " +
           notices_text(oo.notices);
  }
  const auto ti = impl.tcb();
  const auto to = oracle.tcb();
  if (ti.has_value() != to.has_value()) return "TCB: exposed by only one of them";
  if (ti && !(*ti == *to))
    return "TCB (implementation vs oracle): " + describe_tcb_difference(*ti, *to);
  const auto ni = impl.next_timer();
  const auto no = oracle.next_timer();
  if (ni != no) {
    return "next timer: the implementation's is " + timer_text(ni) + ", the oracle's " +
           timer_text(no);
  }
  return {};
}

// What an event and its segments look like on a diagram arrow.
std::string event_label(const Event& e) {
  if (const auto* o = std::get_if<OpenCall>(&e)) return o->passive ? "passive OPEN" : "active OPEN";
  if (std::get_if<SendCall>(&e) != nullptr) return "SEND";
  if (std::get_if<ReceiveCall>(&e) != nullptr) return "RECEIVE";
  if (std::get_if<CloseCall>(&e) != nullptr) return "CLOSE";
  if (std::get_if<AbortCall>(&e) != nullptr) return "ABORT";
  if (std::get_if<StatusCall>(&e) != nullptr) return "STATUS";
  if (const auto* a = std::get_if<SegmentArrives>(&e)) {
    std::string s = "rcv " + ctl_to_string(a->seg.ctl);
    if (a->seg.len > 0) s += " data";
    return s;
  }
  if (const auto* t = std::get_if<TimerExpires>(&e))
    return "timeout " + std::string(to_string(t->timer));
  return "?";
}

std::string sent_label(const std::vector<Segment>& sent) {
  if (sent.empty()) return "-";
  std::string out;
  for (const Segment& s : sent) {
    out += (out.empty() ? "snd " : "; snd ") + ctl_to_string(s.ctl);
    if (s.len > 0) out += " data";
  }
  return out;
}

EventClass class_of(const Event& e) {
  if (const auto* o = std::get_if<OpenCall>(&e))
    return o->passive ? EventClass::OpenPassive : EventClass::OpenActive;
  if (std::get_if<SendCall>(&e) != nullptr) return EventClass::Send;
  if (std::get_if<ReceiveCall>(&e) != nullptr) return EventClass::Receive;
  if (std::get_if<CloseCall>(&e) != nullptr) return EventClass::Close;
  if (std::get_if<AbortCall>(&e) != nullptr) return EventClass::Abort;
  if (std::get_if<SegmentArrives>(&e) != nullptr) return EventClass::Segment;
  if (const auto* t = std::get_if<TimerExpires>(&e)) {
    switch (t->timer) {
      case TimerKind::Retransmission: return EventClass::TimerRetransmission;
      case TimerKind::ZeroWindowProbe: return EventClass::TimerZeroWindow;
      case TimerKind::User: return EventClass::TimerUser;
      case TimerKind::TimeWait: return EventClass::TimerTimeWait;
      case TimerKind::FinWait2: return EventClass::TimerFinWait2;
    }
  }
  return EventClass::Other;
}

EventClass class_of_row(std::string_view event) {
  if (event == "passive OPEN") return EventClass::OpenPassive;
  if (event == "active OPEN") return EventClass::OpenActive;
  if (event == "SEND") return EventClass::Send;
  if (event == "CLOSE") return EventClass::Close;
  if (event == "ABORT") return EventClass::Abort;
  if (event.starts_with("rcv")) return EventClass::Segment;
  if (event == "timeout=2MSL") return EventClass::TimerTimeWait;
  if (event == "user timeout") return EventClass::TimerUser;
  if (event == "retransmission limit R2") return EventClass::TimerRetransmission;
  if (event == "FIN-WAIT-2 timeout") return EventClass::TimerFinWait2;
  return EventClass::Other;
}

void encode_endpoint(const EndpointUnderTest& ep, Millis now, std::string& out) {
  if (ep.encode_state(now, out)) return;
  put_num(out, static_cast<unsigned>(ep.state()));
  for (int k = 0; k < kTimerKinds; ++k) {
    const auto d = ep.deadline(static_cast<TimerKind>(k));
    put_num(out, !d ? 0 : *d <= now ? 1 : 1 + (*d - now));
  }
  if (const auto t = ep.tcb()) {
    for (SeqNum s : {t->iss, t->snd_una, t->snd_nxt, t->snd_wl1, t->snd_wl2, t->snd_up, t->snd_max,
                     t->irs, t->rcv_nxt, t->rcv_up, t->fin_seq}) {
      put_num(out, s.raw());
    }
    for (std::uint64_t v :
         {std::uint64_t{t->snd_wnd}, std::uint64_t{t->max_snd_wnd}, std::uint64_t{t->rcv_wnd},
          std::uint64_t{t->send_queued}, std::uint64_t{t->recv_unread}, t->delivered_total}) {
      put_num(out, v);
    }
    put_num(out, (t->iss_defined ? 1 : 0) | (t->irs_defined ? 2 : 0) | (t->passive_open ? 4 : 0) |
                     (t->from_time_wait ? 8 : 0) | (t->close_requested ? 16 : 0) |
                     (t->fin_sent ? 32 : 0) | (t->fin_acked ? 64 : 0) |
                     (t->fin_received ? 128 : 0));
  }
}

}  // namespace tcpfsm::harness::explore_detail
