#pragma once
// The event sequences the benchmarks replay, written once and played against both
// implementations so that a ratio compares the same work.
#include <vector>

#include "core/event.hpp"
#include "core/profile.hpp"

namespace tcpfsm::bench {

inline constexpr SeqNum kLocalIss{0xFFFF'FF00u};  // both ISS values wrap during the runs
inline constexpr SeqNum kPeerIss{0xFFFF'FFF0u};
inline constexpr std::uint32_t kSegmentLen = 536;

// The ISS of the connection's incarnation number `incarnation` (0 for the first): each new
// incarnation takes the previous ISS plus Profile::iss_increment, in both implementations.
SeqNum local_iss(std::uint32_t incarnation);
// A passive open and the three-way handshake, then ABORT so the next round starts from CLOSED.
// `round` is the incarnation the round's SYN starts, whose ISS the final ACK acknowledges.
std::vector<Event> handshake_round(std::uint32_t round);
// From ESTABLISHED (after handshake_round() without its ABORT): one round of in-order data
// segments and the user reading them; `round` keeps the sequence numbers moving.
std::vector<Event> bulk_data_round(std::uint32_t round, std::uint32_t segments_per_round);
// From ESTABLISHED: duplicate pure ACKs.
std::vector<Event> pure_ack_round(std::uint32_t acks);
// Open, handshake, active close to TIME-WAIT and its expiry: a whole connection life, of
// incarnation `round` (as for handshake_round).
std::vector<Event> full_close_round(std::uint32_t round);
// From ESTABLISHED: out-of-window data, an inexact RST, a SYN and an ACK of unsent data, each
// answered with an ACK or a challenge ACK and changing nothing.
std::vector<Event> adversarial_round();
// The events that bring a connection to ESTABLISHED (passive side), in incarnation
// `incarnation`.
std::vector<Event> establish(std::uint32_t incarnation = 0);

}  // namespace tcpfsm::bench
