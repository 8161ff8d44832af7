#include "workloads.hpp"

namespace tcpfsm::bench {

namespace {

Event arrive(SeqNum seq, SeqNum ack, std::uint8_t ctl, std::uint32_t len = 0) {
  return SegmentArrives{Segment{.seq = seq, .ack = ack, .ctl = ctl, .wnd = 65535, .len = len}};
}

}  // namespace

SeqNum local_iss(std::uint32_t incarnation) {
  return kLocalIss + incarnation * Profile{}.iss_increment;
}

std::vector<Event> establish(std::uint32_t incarnation) {
  return {OpenCall{.passive = true}, arrive(kPeerIss, SeqNum(0), kSyn),
          arrive(kPeerIss + 1, local_iss(incarnation) + 1, kAck)};
}

std::vector<Event> handshake_round(std::uint32_t round) {
  std::vector<Event> e = establish(round);
  e.push_back(AbortCall{});
  return e;
}

std::vector<Event> bulk_data_round(std::uint32_t round, std::uint32_t segments_per_round) {
  std::vector<Event> e;
  SeqNum seq = kPeerIss + 1 + round * segments_per_round * kSegmentLen;
  for (std::uint32_t i = 0; i < segments_per_round; ++i) {
    e.push_back(arrive(seq, kLocalIss + 1, kAck | kPsh, kSegmentLen));
    seq += kSegmentLen;
  }
  e.push_back(ReceiveCall{.max_len = 0});
  return e;
}

std::vector<Event> pure_ack_round(std::uint32_t acks) {
  std::vector<Event> e;
  for (std::uint32_t i = 0; i < acks; ++i) e.push_back(arrive(kPeerIss + 1, kLocalIss + 1, kAck));
  return e;
}

std::vector<Event> full_close_round(std::uint32_t round) {
  std::vector<Event> e = establish(round);
  const SeqNum fin_acked = local_iss(round) + 2;
  e.push_back(CloseCall{});
  e.push_back(arrive(kPeerIss + 1, fin_acked, kAck));
  e.push_back(arrive(kPeerIss + 1, fin_acked, kAck | kFin));
  e.push_back(TimerExpires{TimerKind::TimeWait});
  return e;
}

std::vector<Event> adversarial_round() {
  return {arrive(kPeerIss + 1 + 100'000, kLocalIss + 1, kAck, 100),  // beyond the window
          arrive(kPeerIss + 1 + 1000, SeqNum(0), kRst),              // in window, not exact
          arrive(kPeerIss + 1, SeqNum(0), kSyn),                     // SYN when synchronized
          arrive(kPeerIss + 1, kLocalIss + 1 + 1'000'000, kAck)};    // ACK of unsent data
}

}  // namespace tcpfsm::bench
