#include "coverage.hpp"

#include <sstream>
#include <variant>

namespace tcpfsm::prop {

namespace {

std::size_t index_of(State s) {
  return static_cast<std::size_t>(s);
}

bool crossed_wraparound(SeqNum before, SeqNum after) {
  return seq_lt(before, after) && after.raw() < before.raw();
}

std::vector<Situation> situations_of(const StepView& v) {
  std::vector<Situation> out;
  const State from = v.outcome.from;
  const State to = v.outcome.to;
  const auto* arrives = std::get_if<SegmentArrives>(&v.event);
  const auto* timer = std::get_if<TimerExpires>(&v.event);
  const Segment* seg = arrives ? &arrives->seg : nullptr;
  if (seg && seg->fin() && from == State::FinWait1 &&
      (to == State::Closing || to == State::TimeWait)) {
    out.push_back(Situation::FinInFinWait1);
  }
  if (seg && seg->fin() && from == State::FinWait2 && to == State::TimeWait) {
    out.push_back(Situation::FinInFinWait2);
  }
  if (from == State::FinWait1 && to == State::Closing) out.push_back(Situation::SimultaneousClose);
  if (seg && from == State::FinWait1 && to == State::TimeWait) {
    out.push_back(Situation::FinAckOfOurFinInFinWait1);
  }
  if (from == State::Closing && to == State::TimeWait) out.push_back(Situation::ClosingToTimeWait);
  if (seg && seg->rst() && !seg->ack_flag() && from == State::SynReceived && to != from) {
    out.push_back(Situation::RstWithoutAckInSynReceived);
  }
  if (seg && seg->syn() && seg->ack_flag() && from == State::Established) {
    out.push_back(Situation::SynAckInEstablished);
  }
  if (seg && seg->rst() && is_synchronized(from) && v.tcb_before) {
    const TcbSnapshot& t = *v.tcb_before;
    if (seg->seq != t.rcv_nxt && seq_in_range(t.rcv_nxt, seg->seq, t.rcv_nxt + t.rcv_wnd)) {
      out.push_back(Situation::InexactRstInWindow);
    }
  }
  if (v.tcb_before && v.tcb && v.tcb_before->iss == v.tcb->iss) {
    const TcbSnapshot& b = *v.tcb_before;
    const TcbSnapshot& a = *v.tcb;
    if ((b.iss_defined && crossed_wraparound(b.snd_nxt, a.snd_nxt)) ||
        (b.irs_defined && a.irs_defined && crossed_wraparound(b.rcv_nxt, a.rcv_nxt))) {
      out.push_back(Situation::SequenceWraparound);
    }
  }
  const auto tw = static_cast<std::size_t>(TimerKind::TimeWait);
  if (seg && seg->fin() && from == State::TimeWait && to == State::TimeWait &&
      v.deadlines_before[tw] && v.deadlines[tw] && *v.deadlines[tw] > *v.deadlines_before[tw]) {
    out.push_back(Situation::FinRetransmittedInTimeWait);
  }
  if (seg && seg->ack_flag() && !seg->rst() && from == State::Listen) {
    out.push_back(Situation::AckAtListener);
  }
  if (timer && timer->timer == TimerKind::TimeWait && from == State::TimeWait &&
      to == State::Closed) {
    out.push_back(Situation::TimeWaitExpires);
  }
  if (from == State::CloseWait && to == State::LastAck)
    out.push_back(Situation::CloseWaitToLastAck);
  if (from == State::LastAck && to == State::Closed) out.push_back(Situation::LastAckToClosed);
  if (from == State::TimeWait && to == State::SynReceived) {
    out.push_back(Situation::ReopenFromTimeWait);
  }
  if (timer && timer->timer == TimerKind::ZeroWindowProbe && !v.outcome.sent.empty()) {
    out.push_back(Situation::ZeroWindowProbeOrOverride);
  }
  if (timer && timer->timer == TimerKind::Retransmission && !v.outcome.sent.empty()) {
    out.push_back(Situation::Retransmission);
  }
  return out;
}

}  // namespace

std::string_view to_string(Situation s) {
  switch (s) {
    case Situation::FinInFinWait1: return "FIN accepted in FIN-WAIT-1";
    case Situation::FinInFinWait2: return "FIN accepted in FIN-WAIT-2";
    case Situation::SimultaneousClose: return "simultaneous close (FIN-WAIT-1 -> CLOSING)";
    case Situation::FinAckOfOurFinInFinWait1: return "FIN+ACK of our FIN in FIN-WAIT-1";
    case Situation::ClosingToTimeWait: return "CLOSING -> TIME-WAIT";
    case Situation::RstWithoutAckInSynReceived: return "RST without ACK taken in SYN-RECEIVED";
    case Situation::SynAckInEstablished: return "SYN+ACK arriving in ESTABLISHED";
    case Situation::InexactRstInWindow: return "in-window RST off RCV.NXT (synchronized)";
    case Situation::SequenceWraparound: return "SND.NXT or RCV.NXT crossing 2^32";
    case Situation::FinRetransmittedInTimeWait: return "retransmitted FIN restarting TIME-WAIT";
    case Situation::AckAtListener: return "ACK arriving at a listener";
    case Situation::TimeWaitExpires: return "TIME-WAIT timeout -> CLOSED";
    case Situation::CloseWaitToLastAck: return "CLOSE-WAIT -> LAST-ACK";
    case Situation::LastAckToClosed: return "LAST-ACK -> CLOSED";
    case Situation::ReopenFromTimeWait: return "TIME-WAIT -> SYN-RECEIVED (reopen)";
    case Situation::ZeroWindowProbeOrOverride: return "persist timer sent a segment";
    case Situation::Retransmission: return "retransmission timer sent a segment";
  }
  return "?";
}

void Coverage::add(const Transcript& run) {
  ++sequences;
  commands += run.size();
  std::array<bool, 11> seen{};
  for (const TranscriptEntry& e : run) {
    for (const StepView& v : e.expected) {
      seen[index_of(v.outcome.from)] = true;
      seen[index_of(v.outcome.to)] = true;
      for (Situation s : situations_of(v)) ++situations[static_cast<std::size_t>(s)];
    }
    seen[index_of(e.state_after)] = true;
  }
  for (std::size_t i = 0; i < seen.size(); ++i) states[i] += seen[i] ? 1 : 0;
}

std::vector<State> Coverage::states_missed() const {
  std::vector<State> out;
  for (State s : kAllStates) {
    if (states[index_of(s)] == 0) out.push_back(s);
  }
  return out;
}

std::vector<Situation> Coverage::situations_missed() const {
  std::vector<Situation> out;
  for (std::size_t i = 0; i < kSituations; ++i) {
    if (situations[i] == 0) out.push_back(static_cast<Situation>(i));
  }
  return out;
}

std::string Coverage::table() const {
  std::ostringstream o;
  o << "coverage over " << sequences << " sequences, " << commands << " commands\n";
  o << "  sequences reaching each state:\n";
  for (State s : kAllStates) {
    o << "    " << to_string(s) << ": " << states[index_of(s)] << "\n";
  }
  o << "  steps showing each situation:\n";
  for (std::size_t i = 0; i < kSituations; ++i) {
    o << "    " << to_string(static_cast<Situation>(i)) << ": " << situations[i] << "\n";
  }
  return o.str();
}

}  // namespace tcpfsm::prop
