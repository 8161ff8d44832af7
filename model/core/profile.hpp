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

  // --- Linux departures (docs/linux-deviations.md; the digest's section 7 numbers them L1..L18).
  // Every one is off in RFC 9293; Profile::linux() turns them on.
  // L14 (tcp_send_active_reset): our own RST is <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>.
  bool own_rst_with_ack = false;
  // L9 (tcp_ack): the RFC 5961 §5.2 bound is SND.UNA - min(MAX.SND.WND, octets acknowledged so
  // far), so an old ACK on a connection that has not had data acknowledged is challenged.
  bool old_ack_bound_by_acked = false;
  // L11 (tcp_rcv_synsent_state_process): a bad ACK in SYN-SENT also sends the SYN again at once,
  // as long as it has not been retransmitted yet.
  bool syn_sent_bad_ack_resends_syn = false;
  // L11: text and a FIN on the SYN-ACK are dropped (without TCP Fast Open); the peer resends.
  bool syn_ack_text_discarded = false;
  // L7 (tcp_reset_check): CLOSE-WAIT, CLOSING and LAST-ACK also accept a RST at RCV.NXT-1.
  bool rst_accepts_rcv_nxt_minus_1 = false;
  // L1-L3 (tcp_timewait_state_process): TIME-WAIT is a mini-socket. A RST or a segment of no
  // length at exactly RCV.NXT is the only in-window segment (the RST ends TIME-WAIT unless
  // time_wait_rst is Ignore); every other RST is ignored; everything else draws an ACK, except
  // a SYN above RCV.NXT when time_wait_syn is Reopen.
  bool time_wait_mini_socket = false;
  // L4 (tcp_rcv_state_process FIN_WAIT1, tcp_timewait_state_process FIN_WAIT2): after CLOSE,
  // FIN-WAIT-2 is a mini-socket too: out of window -> ACK, any RST ends it, a SYN at or above
  // RCV.NXT or new data -> RST and CLOSED, the FIN at RCV.NXT -> TIME-WAIT.
  bool orphan_fin_wait_2 = false;
  // L6 (tcp_rcv_state_process step 7): new data after CLOSE (FIN-WAIT-1/2) resets the
  // connection with a RST in answer to the segment (not our own RST form).
  bool data_after_close_resets = false;
  // L6: the same in CLOSE-WAIT, CLOSING and LAST-ACK for a segment that starts before RCV.NXT
  // and carries data beyond it (the peer's FIN already shut the receive side).
  bool data_after_fin_resets = false;
  // L8, L12 (tcp_check_req, tcp_rcv_state_process LISTEN): a passively opened SYN-RECEIVED is a
  // request mini-socket. A retransmitted SYN gets the SYN-ACK again; an ACK that does not
  // acknowledge our SYN gets RST(a) before the sequence test; an in-window RST, or a SYN other
  // than the first, ends the attempt (a SYN also draws a RST). LISTEN drops a SYN with FIN.
  bool request_socket = false;
  // RFC 9293 §3.7.4 (SHLD-7): the Nagle algorithm: a segment smaller than the MSS waits while
  // data is unacknowledged (unless it carries the FIN). Linux's default (TCP_NODELAY off).
  bool nagle = false;
  // L10 (tcp_sequence): the acceptability test is SEG.SEQ+SEG.LEN >= RCV.NXT and
  // SEG.SEQ <= RCV.NXT+RCV.WND (a segment sticking out beyond the window only while nothing is
  // unread). An old segment ending at RCV.NXT is thus accepted: its ACK is processed and it
  // draws a duplicate ACK.
  bool linux_sequence_test = false;
  // L13 (tcp_rcv_state_process step 7): in CLOSE-WAIT, CLOSING and LAST-ACK, text or another
  // FIN at or beyond RCV.NXT is dropped without an acknowledgment.
  bool repeated_fin_unacked = false;
  // Linux (tcp_rcv_state_process, tcp_rcv_established): a segment with none of ACK, RST and
  // SYN is dropped before the sequence test, so it is never answered.
  bool drop_without_ack_rst_syn = false;
  // Linux (tcp_ack in SYN_RECV of a full socket): after a simultaneous open an ACK of SND.UNA
  // (= ISS) is acceptable too and completes the handshake.
  bool syn_received_accepts_ack_of_una = false;
  // L9 (tcp_rcv_established header prediction): in ESTABLISHED, a predicted in-order segment
  // with text keeps its text even when its ACK is too old; the challenge ACK acknowledges it.
  bool fast_path_keeps_data = false;
  // Linux 6.5+ tcp_syn_linear_timeouts (default 4): in SYN-SENT the first retransmissions up
  // to this count keep the RTO instead of doubling it, and as many are added to syn_retries.
  std::uint32_t syn_linear_timeouts = 0;
  // L17 (tcp_validate_incoming step 4): in a SYN-RECEIVED reached by simultaneous open, the
  // peer's SYN-ACK (SEQ = IRS, ACK = SND.NXT, nothing else) completes the handshake.
  bool syn_ack_completes_simultaneous_open = false;
  // Linux tcp_cleanup_rbuf: after RECEIVE a window update goes out only when the window still
  // advertised is at most half the buffer and the new one is at least twice as large (the
  // RFC's receiver silly window avoidance sends one when the edge moved by min(MSS, buffer/2)).
  bool window_update_when_doubled = false;
  // Linux takes an RTT sample from the handshake (tcp_synack_rtt_meas, tcp_ack in SYN-SENT);
  // in virtual time it is 0, so ESTABLISHED starts with the RTO at its floor (rto_min_ms).
  bool handshake_rtt_sample = false;

  bool operator==(const Profile&) const = default;

  static Profile rfc9293() { return Profile{}; }
  // RFC 793 as originally written: no RFC 5961 checks.
  static Profile legacy_rfc793();
  // Linux 6.18 with its default sysctls (docs/linux-deviations.md).
  static Profile linux();
};

}  // namespace tcpfsm
