// The table of connections: construction, the entry points, the batch loop and what a checker
// can read back (TcbSnapshot, timers).
#include "fast/connection_table.hpp"

#include <algorithm>
#include <variant>

#include "fast/engine.hpp"

namespace tcpfsm::fast {

OutputBuffer::OutputBuffer(std::size_t segment_capacity, std::size_t notice_capacity) {
  segments_.reserve(segment_capacity);
  notices_.reserve(notice_capacity);
}

// The longest burst one step can send: the whole send buffer in MSS-sized (or smaller, when
// the window cuts them) segments, plus a FIN and an ACK.
OutputBuffer OutputBuffer::for_profile(const Profile& p) {
  const std::size_t per_mss = p.send_buffer / std::max<std::uint32_t>(p.mss, 1) + 8;
  return OutputBuffer(std::min<std::size_t>(per_mss, std::size_t{1} << 16), 64);
}

ConnectionTable::ConnectionTable(std::size_t connections, Profile profile, Mutant mutant,
                                 SeqNum first_iss)
    : profile_(std::move(profile)),
      mutant_(mutant),
      tables_(tables_for(mutant, profile_)),
      linux_intercepts_(
          profile_.request_socket || profile_.time_wait_mini_socket || profile_.orphan_fin_wait_2 ||
          profile_.syn_ack_completes_simultaneous_open || profile_.drop_without_ack_rst_syn),
      hot_(connections),
      timers_(connections),
      cold_(connections),
      next_iss_(connections, first_iss.raw()) {
  for (HotRecord& h : hot_) h.state = static_cast<std::uint8_t>(State::Closed);
}

StepResult ConnectionTable::step(ConnId c, const Event& e, Millis now, OutputBuffer& out) {
  Engine en(*this, c, now, out);
  if (const auto* arrival = std::get_if<SegmentArrives>(&e)) {
    en.on_segment(arrival->seg);
  } else if (const auto* timer = std::get_if<TimerExpires>(&e)) {
    en.on_timer(timer->timer);
  } else {
    en.on_call(e);
  }
  return en.result();
}

StepResult ConnectionTable::segment_arrives(ConnId c, const Segment& s, Millis now,
                                            OutputBuffer& out) {
  Engine en(*this, c, now, out);
  en.on_segment(s);
  return en.result();
}

// The records of the arrivals a few places ahead are requested before they are needed, so
// that with many connections the cache misses of consecutive segments overlap.
void ConnectionTable::segments_arrive(std::span<const Arrival> arrivals, Millis now,
                                      OutputBuffer& out, std::span<StepResult> results) {
  constexpr std::size_t kAhead = 4;
  const std::size_t n = std::min(arrivals.size(), results.size());
  for (std::size_t i = 0; i < n && i < kAhead; ++i) {
    __builtin_prefetch(&hot_[arrivals[i].conn], 1, 3);
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kAhead < n) {
      const ConnId ahead = arrivals[i + kAhead].conn;
      __builtin_prefetch(&hot_[ahead], 1, 3);
      __builtin_prefetch(&timers_[ahead], 1, 1);
    }
    results[i] = segment_arrives(arrivals[i].conn, arrivals[i].seg, now, out);
  }
}

TcbSnapshot ConnectionTable::snapshot(ConnId c) const {
  const HotRecord& h = hot_[c];
  const ColdRecord& k = cold_[c];
  TcbSnapshot s;
  s.iss = SeqNum(h.iss);
  s.snd_una = SeqNum(h.snd_una);
  s.snd_nxt = SeqNum(h.snd_nxt);
  s.snd_wl1 = SeqNum(h.snd_wl1);
  s.snd_wl2 = SeqNum(h.snd_wl2);
  s.snd_up = SeqNum(k.snd_up);
  s.snd_max = SeqNum(h.snd_nxt);  // SND.NXT never rewinds here
  s.snd_wnd = h.snd_wnd;
  s.max_snd_wnd = h.max_snd_wnd;
  s.irs = SeqNum(k.irs);
  s.rcv_nxt = SeqNum(h.rcv_nxt);
  s.rcv_up = SeqNum(k.rcv_up);
  s.rcv_wnd = h.rcv_wnd;
  s.iss_defined = h.has(kIssDefined);
  s.irs_defined = h.has(kIrsDefined);
  s.passive_open = h.has(kPassiveOpen);
  s.from_time_wait = h.has(kFromTimeWait);
  s.close_requested = h.has(kCloseRequested);
  s.fin_sent = h.has(kFinSent);
  s.fin_acked = h.has(kFinAcked);
  s.fin_received = h.has(kFinReceived);
  s.fin_seq = SeqNum(h.has(kFinSent) ? h.snd_nxt - 1 : 0);  // nothing follows our FIN
  s.send_queued = k.send_queued;
  s.recv_unread = h.recv_unread;
  s.delivered_total = k.delivered_total;
  return s;
}

std::optional<Millis> ConnectionTable::deadline(ConnId c, TimerKind k) const {
  const auto i = static_cast<unsigned>(k);
  if ((hot_[c].armed & (1u << i)) == 0) return std::nullopt;
  return timers_[c].deadline[i];
}

std::optional<std::pair<TimerKind, Millis>> ConnectionTable::next_timer(ConnId c) const {
  std::optional<std::pair<TimerKind, Millis>> best;
  for (unsigned i = 0; i < kTimerKinds; ++i) {
    if ((hot_[c].armed & (1u << i)) == 0) continue;
    const Millis d = timers_[c].deadline[i];
    if (!best || d < best->second) best = {static_cast<TimerKind>(i), d};
  }
  return best;
}

namespace {

// LEB128 numbers; records are written field by field, so padding never shows.
class Writer {
 public:
  Writer(std::string& out, Millis now) : out_(out), now_(now) {}
  void num(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7F) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  // How long ago `t` was, capped where older makes no difference.
  void age(Millis t, std::uint64_t cap) {
    num(std::min<std::uint64_t>(now_ - std::min(t, now_), cap));
  }
  void hot(const HotRecord& h) {
    for (std::uint32_t v : {h.snd_una, h.snd_nxt, h.snd_wnd, h.snd_wl1, h.snd_wl2, h.max_snd_wnd,
                            h.iss, h.rcv_nxt, h.rcv_wnd, h.rcv_adv, h.recv_unread}) {
      num(v);
    }
    num(h.flags);
    num(h.state);
  }
  void cold(const ColdRecord& k, const HotRecord& h, const Profile& p) {
    for (std::uint32_t v : {k.irs, k.snd_up, k.rcv_up, k.send_queued, k.srtt_ms, k.rttvar_ms}) {
      num(v);
    }
    num(k.delivered_total);
    num((k.rtt_measured ? 1u : 0u) | (k.syn_timed_out ? 2u : 0u) | (k.syn_text.fin ? 4u : 0u));
    if (h.has(kRttTiming)) {
      num(k.rtt_seq);
      age(k.rtt_start, ~std::uint64_t{0});
    }
    if (p.challenge_ack_limit > 0) {
      age(k.cack_window_start, p.challenge_ack_window_ms);
      num(k.cack_in_window);
    }
    num(k.syn_text.seq);
    num(k.syn_text.len);
  }

  Millis now() const { return now_; }

 private:
  std::string& out_;
  Millis now_;
};

}  // namespace

void ConnectionTable::encode(ConnId c, Millis now, std::string& out) const {
  Writer w(out, std::max(now, now_));
  const HotRecord& h = hot_[c];
  for (unsigned i = 0; i < kTimerKinds; ++i) {
    if ((h.armed & (1u << i)) == 0) {
      w.num(0);
      continue;
    }
    const Millis d = timers_[c].deadline[i];
    w.num(d <= w.now() ? 1 : 1 + (d - w.now()));
  }
  w.num(next_iss_[c]);
  const auto whole = [&](const HotRecord& hr, const ColdRecord& k, std::uint32_t rto,
                         std::uint32_t retries) {
    w.hot(hr);
    w.cold(k, hr, profile_);
    w.num(rto);
    w.num(retries);
    w.num(held_pool_.count(k.held));
    for (std::uint32_t n = k.held.head; n != kNil; n = held_pool_.node(n).next) {
      const HeldSpan& span = held_pool_.node(n).value;
      w.num(span.seq);
      w.num(span.len);
      w.num(span.fin ? 1 : 0);
    }
    w.num(waiting_pool_.count(k.waiting));
    for (std::uint32_t n = k.waiting.head; n != kNil; n = waiting_pool_.node(n).next) {
      w.num(waiting_pool_.node(n).value);
    }
  };
  const ColdRecord& k = cold_[c];
  whole(h, k, timers_[c].rto_ms, timers_[c].retries);
  w.num(k.saved_time_wait == kNil ? 0 : 1);
  if (k.saved_time_wait != kNil) {
    const SavedTimeWait& sv = saved_[k.saved_time_wait];
    whole(sv.hot, sv.cold, sv.rto_ms, sv.retries);
  }
}

}  // namespace tcpfsm::fast
