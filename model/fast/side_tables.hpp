#pragma once
// The rarely touched parts of a connection, each in its own array indexed by connection id:
// timer deadlines, the warm TCB fields (urgent pointers, IRS, queue lengths), the RTT
// estimator, the challenge-ACK budget, the text that came on a SYN, the chains of
// out-of-order text and waiting RECEIVE calls, and the TIME-WAIT record saved while a reopened
// incarnation is in SYN-RECEIVED. docs/performance.md explains the split.
#include <array>
#include <cstdint>
#include <vector>

#include "core/event.hpp"
#include "fast/hot_record.hpp"

namespace tcpfsm::fast {

inline constexpr std::uint32_t kNil = 0xFFFF'FFFFu;

// The five timers of RFC 9293 §3.8 and §3.10.8 plus the retransmission state that moves with
// them: whenever SND.UNA advances both the deadlines and the retry count change.
struct TimerRecord {
  std::array<Millis, kTimerKinds> deadline{};
  std::uint32_t rto_ms = 0;   // RFC 6298 RTO
  std::uint32_t retries = 0;  // consecutive expiries of the retransmission timer (§3.8.3 R2)
};

// Octets (and possibly a FIN) waiting beyond RCV.NXT, or the text of a SYN.
struct HeldSpan {
  std::uint32_t seq = 0;
  std::uint32_t len = 0;
  bool fin = false;
};

// A singly linked chain inside a ChainPool.
struct Chain {
  std::uint32_t head = kNil;
  std::uint32_t tail = kNil;
  bool empty() const { return head == kNil; }
};

// Nodes for every connection's chains of one kind, with a free list. The pool only grows when
// more nodes are live at once than ever before, so steady-state traffic allocates nothing.
template <class T>
class ChainPool {
 public:
  struct Node {
    T value{};
    std::uint32_t next = kNil;
  };

  void push_back(Chain& c, const T& v) {
    const std::uint32_t n = take(v);
    if (c.tail == kNil) {
      c.head = n;
    } else {
      nodes_[c.tail].next = n;
    }
    c.tail = n;
  }
  void push_front(Chain& c, const T& v) {
    const std::uint32_t n = take(v);
    nodes_[n].next = c.head;
    c.head = n;
    if (c.tail == kNil) c.tail = n;
  }
  // Unlinks `n`, whose predecessor is `prev` (kNil for the head).
  void unlink(Chain& c, std::uint32_t prev, std::uint32_t n) {
    const std::uint32_t after = nodes_[n].next;
    if (prev == kNil) {
      c.head = after;
    } else {
      nodes_[prev].next = after;
    }
    if (c.tail == n) c.tail = prev;
    give_back(n);
  }
  void pop_front(Chain& c) { unlink(c, kNil, c.head); }
  void release(Chain& c) {
    while (!c.empty()) pop_front(c);
  }
  std::uint32_t count(const Chain& c) const {
    std::uint32_t k = 0;
    for (std::uint32_t n = c.head; n != kNil; n = nodes_[n].next) ++k;
    return k;
  }
  const Node& node(std::uint32_t n) const { return nodes_[n]; }
  void reserve(std::size_t n) { nodes_.reserve(n); }

 private:
  std::uint32_t take(const T& v) {
    std::uint32_t n = free_;
    if (n != kNil) {
      free_ = nodes_[n].next;
      nodes_[n] = Node{v, kNil};
    } else {
      n = static_cast<std::uint32_t>(nodes_.size());
      nodes_.push_back(Node{v, kNil});
    }
    return n;
  }
  void give_back(std::uint32_t n) {
    nodes_[n].next = free_;
    free_ = n;
  }

  std::vector<Node> nodes_;
  std::uint32_t free_ = kNil;
};

// Everything of a connection's TCB that is neither hot nor a timer.
struct ColdRecord {
  // --- warm TCB fields (RFC 9293 §3.3.1) ---
  std::uint32_t irs = 0;
  std::uint32_t snd_up = 0;
  std::uint32_t rcv_up = 0;
  std::uint32_t send_queued = 0;      // octets SENT by the user and not yet transmitted
  std::uint64_t delivered_total = 0;  // octets handed to the user in this incarnation
  // --- RTT estimator (RFC 6298 §2) ---
  std::uint32_t srtt_ms = 0;
  std::uint32_t rttvar_ms = 0;
  std::uint32_t rtt_seq = 0;
  bool rtt_measured = false;
  bool syn_timed_out = false;  // our SYN or SYN-ACK was retransmitted (RFC 6298 §5.7)
  std::uint64_t rtt_start = 0;
  // --- RFC 5961 §7 challenge-ACK budget ---
  std::uint64_t cack_window_start = 0;
  std::uint32_t cack_in_window = 0;
  // --- text and FIN held from the peer's SYN (RFC 9293 §3.10.7.2) ---
  HeldSpan syn_text{};
  // --- chains in the pools, and the saved TIME-WAIT record ---
  Chain held;     // out-of-order text, in arrival order (syn text goes first)
  Chain waiting;  // RECEIVE calls, oldest first; each holds its max_len
  std::uint32_t saved_time_wait = kNil;
};

// The old incarnation kept while a SYN that reopened TIME-WAIT is in SYN-RECEIVED (RFC 9293
// §3.6.1 MAY-2 condition 2).
struct SavedTimeWait {
  HotRecord hot{};
  ColdRecord cold{};
  std::uint32_t rto_ms = 0;
  std::uint32_t retries = 0;
};

}  // namespace tcpfsm::fast
