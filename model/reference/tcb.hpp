#pragma once
// The Transmission Control Block of RFC 9293 §3.3.1 (Tables 2 to 4), plus what a checker needs
// to know about the connection's history and what the model keeps to implement the buffers and
// the retransmission timer.
#include <cstdint>
#include <vector>

#include "core/seq_num.hpp"

namespace tcpfsm {

// A run of octets (and possibly a FIN) that arrived beyond RCV.NXT and waits for the gap to
// close (SHLD-31).
struct HeldText {
  SeqNum seq{};
  std::uint32_t len = 0;
  bool fin = false;
  bool operator==(const HeldText&) const = default;
};

struct Tcb {
  // --- send sequence variables (Table 2) ---
  SeqNum iss{};
  SeqNum snd_una{};
  SeqNum snd_nxt{};
  std::uint32_t snd_wnd = 0;
  SeqNum snd_up{};
  SeqNum snd_wl1{};
  SeqNum snd_wl2{};
  // RFC 5961 §5: the largest window the peer ever offered.
  std::uint32_t max_snd_wnd = 0;
  // Highest sequence number ever sent plus one; SND.NXT never rewinds here, so it equals SND.NXT,
  // but the invariants are written against it.
  SeqNum snd_max{};

  // --- receive sequence variables (Table 3) ---
  SeqNum irs{};
  SeqNum rcv_nxt{};
  std::uint32_t rcv_wnd = 0;
  SeqNum rcv_up{};
  // The right edge of the window we last advertised (RCV.NXT + RCV.WND when it went out), for
  // the receiver's silly window avoidance (RFC 9293 §3.8.6.2.2).
  SeqNum rcv_adv{};

  // --- history, per incarnation ---
  bool iss_defined = false;
  bool irs_defined = false;
  bool remote_specified = false;
  // What the passive OPEN said of the foreign socket, to restore on a return to LISTEN.
  bool listener_remote_specified = false;
  bool passive_open = false;     // SYN-RECEIVED was entered from LISTEN (MUST-11)
  bool from_time_wait = false;   // reopened from TIME-WAIT (MAY-2)
  bool close_requested = false;  // the user called CLOSE
  bool fin_sent = false;         // our FIN has been transmitted
  SeqNum fin_seq{};              // the sequence number our FIN occupies
  bool fin_acked = false;        // SND.UNA has passed fin_seq
  bool fin_received = false;     // the peer's FIN was consumed (RCV.NXT moved over it)
  bool snd_urgent = false;       // SND.UP marks urgent data not yet acknowledged
  bool rcv_urgent = false;       // RCV.UP is ahead of what the user has read

  // --- buffers (data is modelled by length) ---
  std::uint32_t send_queued = 0;      // octets SENT by the user but not yet transmitted
  std::uint32_t recv_unread = 0;      // octets received in order and not yet read by the user
  std::uint64_t delivered_total = 0;  // octets handed to the user in this incarnation
  std::vector<std::uint32_t> pending_receives;  // RECEIVE calls still waiting
  std::vector<HeldText> out_of_order;           // sorted by seq
  HeldText syn_text{};                          // text or FIN that came on the peer's SYN

  // --- retransmission (RFC 6298) ---
  std::uint32_t rto_ms = 0;
  std::uint32_t srtt_ms = 0;
  std::uint32_t rttvar_ms = 0;
  bool rtt_measured = false;
  bool rtt_timing = false;  // a segment is being timed (Karn: never a retransmitted one)
  SeqNum rtt_seq{};
  std::uint64_t rtt_start = 0;
  std::uint32_t retries = 0;   // consecutive expiries of the retransmission timer
  bool syn_timed_out = false;  // our SYN or SYN-ACK had to be retransmitted (RFC 6298 §5.7)

  // --- RFC 5961 §7 challenge ACK rate limit ---
  std::uint64_t cack_window_start = 0;
  std::uint32_t cack_in_window = 0;

  bool operator==(const Tcb&) const = default;
};

}  // namespace tcpfsm
