#pragma once
// Every choice RFC 9293 leaves to the implementer, as data. The default-constructed Profile is
// RFC 9293 with the RFC 5961 checks it recommends; docs/model.md explains each field, the RFC
// text that leaves it open and why the default was chosen.
#include <cstdint>
#include <string>
#include <string_view>

namespace tcpfsm {

// What an in-window RST does in TIME-WAIT (RFC 9293 §3.10.7.4 second check; RFC 1337).
enum class TimeWaitRst : std::uint8_t {
  Accept,  // RFC 9293: an acceptable RST closes the connection
  Ignore,  // RFC 1337 fix F1: TIME-WAIT ignores every RST
};

// What a SYN does in TIME-WAIT (RFC 9293 §3.10.7.4 fourth check, §3.6.1 MAY-2).
enum class TimeWaitSyn : std::uint8_t {
  ChallengeAck,  // RFC 5961 §4: answer with an ACK, keep TIME-WAIT
  Reopen,        // RFC 1122 §4.2.2.13 / MAY-2: a SYN above RCV.NXT opens a new incarnation
};

// What happens to text (and a FIN) that arrives on a SYN before the connection is established.
enum class SynText : std::uint8_t {
  Hold,     // RFC 9293 §3.10.7.2: queue it and process it once ESTABLISHED
  Discard,  // Linux without TCP Fast Open: drop it unacknowledged; the peer sends it again
};

struct Profile {
  std::string name = "rfc9293";

  // --- RFC 5961 mitigations (RFC 9293 §3.10.7.4, §3.5.3) ---
  bool rfc5961_rst = true;  // in-window RST must hit RCV.NXT exactly, else a challenge ACK
  bool rfc5961_syn = true;  // any SYN in a synchronized state draws a challenge ACK
  bool rfc5961_ack = true;  // MAY-12: an ACK below SND.UNA-MAX.SND.WND is answered and dropped
  // RFC 5961 §7 rate limit for challenge ACKs: at most this many per window (0: no limit).
  std::uint32_t challenge_ack_limit = 0;
  std::uint32_t challenge_ack_window_ms = 1000;

  // --- TIME-WAIT ---
  TimeWaitRst time_wait_rst = TimeWaitRst::Accept;
  TimeWaitSyn time_wait_syn = TimeWaitSyn::ChallengeAck;
  std::uint32_t msl_ms = 120'000;  // RFC 9293 §3.4.2: MSL is 2 minutes, TIME-WAIT lasts 2*MSL

  // --- close and reset policies ---
  // RFC 9293 §3.5.2 lets the sender of a RST go to TIME-WAIT; §3.10.5 says CLOSED.
  bool rst_sender_enters_time_wait = false;
  // MAY-1 / SHLD-3: CLOSE with unread data, or data arriving after CLOSE, resets the connection.
  bool half_duplex_close = false;
  // Linux tcp_fin_timeout: a FIN-WAIT-2 with no word from the peer is closed after this long
  // (0: no such timer, as in RFC 9293, where FIN-WAIT-2 may last forever).
  std::uint32_t fin_wait_2_timeout_ms = 0;

  // --- receiving ---
  bool out_of_order_queue = true;  // SHLD-31: hold segments that start beyond RCV.NXT
  SynText syn_text = SynText::Hold;
  std::uint32_t receive_buffer = 65535;  // RCV.WND is what is free of this buffer

  // --- sending ---
  std::uint32_t send_buffer = 65536;  // SEND beyond this is refused: "insufficient resources"
  std::uint32_t mss = 536;            // MUST-15: 536 when the peer sent no MSS option
  // §3.8.6.2.1: data held back by sender silly window avoidance goes out after this long
  // anyway (the RFC suggests 0.1 to 1 second), so that nothing waits forever (MUST-60).
  std::uint32_t sws_override_ms = 200;

  // --- retransmission (RFC 6298) and giving up (RFC 9293 §3.8.3) ---
  std::uint32_t rto_initial_ms = 1000;  // RFC 6298 §2.1
  std::uint32_t rto_min_ms = 1000;      // RFC 6298 §2.4
  std::uint32_t rto_max_ms = 120'000;   // RFC 6298 §2.5 allows an upper bound; Linux uses 120 s
  // R2 for a SYN: MUST-23 asks for at least 3 minutes; 7 backed-off tries from 1 s give 255 s.
  std::uint32_t syn_retries = 7;
  // R2 for data: Linux tcp_retries2 (15), which is well above SHLD-11's 100 s.
  std::uint32_t data_retries = 15;
  // RFC 9293 §3.9.1.1 suggests 5 minutes (0: off).
  std::uint32_t user_timeout_ms = 300'000;

  // --- initial sequence numbers ---
  // When the caller does not supply an ISS, each incarnation takes the previous one plus this.
  std::uint32_t iss_increment = 64'000;

  bool operator==(const Profile&) const = default;

  static Profile rfc9293() { return Profile{}; }
  // RFC 793 as originally written: no RFC 5961 checks.
  static Profile legacy_rfc793();
};

}  // namespace tcpfsm
