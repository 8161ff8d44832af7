#pragma once
// A TCP segment as the state machine sees it (RFC 9293 §3.1): sequence and acknowledgment
// numbers, the control bits, the window, the urgent pointer and how many octets of data it
// carries. The data itself is not modelled, only its length: the state machine never looks at
// the bytes, and every checker names bytes by their stream offset.
#include <cstdint>
#include <string>

#include "core/seq_num.hpp"

namespace tcpfsm {

enum Ctl : std::uint8_t {
  kFin = 0x01,
  kSyn = 0x02,
  kRst = 0x04,
  kPsh = 0x08,
  kAck = 0x10,
  kUrg = 0x20,
};

struct Segment {
  SeqNum seq{};
  SeqNum ack{};  // meaningful only with kAck
  std::uint8_t ctl = 0;
  std::uint32_t wnd = 0;
  std::uint16_t up = 0;   // urgent pointer, an offset from seq; meaningful only with kUrg
  std::uint32_t len = 0;  // octets of data

  constexpr bool has(Ctl c) const { return (ctl & c) != 0; }
  constexpr bool syn() const { return has(kSyn); }
  constexpr bool fin() const { return has(kFin); }
  constexpr bool rst() const { return has(kRst); }
  constexpr bool ack_flag() const { return has(kAck); }

  // SEG.LEN of RFC 9293 §3.4: data octets plus one each for SYN and FIN.
  constexpr std::uint32_t seg_len() const { return len + (syn() ? 1u : 0u) + (fin() ? 1u : 0u); }

  bool operator==(const Segment&) const = default;
};

// The control bits in the RFC's <CTL=SYN,ACK> spelling, e.g. "SYN,ACK".
std::string ctl_to_string(std::uint8_t ctl);
// RFC 9293 notation: <SEQ=100><ACK=301><CTL=SYN,ACK>, plus <LEN=n> for data and <WND=n>.
std::string to_string(const Segment& s);

}  // namespace tcpfsm
