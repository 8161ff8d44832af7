#include "core/profile.hpp"

namespace tcpfsm {

Profile Profile::legacy_rfc793() {
  Profile p;
  p.name = "rfc793";
  p.rfc5961_rst = false;
  p.rfc5961_syn = false;
  p.rfc5961_ack = false;
  return p;
}

// Linux 6.18 as the kernel ships it (default sysctls), without timestamps, SACK or window
// scaling, which the model does not carry. docs/linux-deviations.md lists each switch with the
// conformance case that shows it.
Profile Profile::linux() {
  Profile p;
  p.name = "linux";
  p.time_wait_rst = TimeWaitRst::Accept;  // tcp_rfc1337 = 0 (L2)
  p.time_wait_syn = TimeWaitSyn::Reopen;  // L3, through the listener
  p.msl_ms = 30'000;                      // TCP_TIMEWAIT_LEN = 60 s (L1)
  p.half_duplex_close = true;             // L5 (__tcp_close)
  p.fin_wait_2_timeout_ms = 60'000;       // tcp_fin_timeout (L4)
  p.syn_text = SynText::Discard;          // L12: no TCP Fast Open
  p.receive_buffer = 64'240;              // the first window: 44 segments of MSS 1460
  p.mss = 536;                            // the peer sent no MSS option (TCP_MSS_DEFAULT)
  p.rto_initial_ms = 1000;                // TCP_TIMEOUT_INIT
  p.rto_min_ms = 200;                     // TCP_RTO_MIN (sysctl tcp_rto_min_us)
  p.rto_max_ms = 120'000;                 // TCP_RTO_MAX
  p.syn_retries = 6;                      // tcp_syn_retries (L16)
  p.data_retries = 15;                    // tcp_retries2
  p.user_timeout_ms = 0;                  // TCP_USER_TIMEOUT is off unless set
  p.iss_increment = 65'537;               // a reopen from TIME-WAIT: tw_snd_nxt + 65535 + 2 (L3)
  p.own_rst_with_ack = true;
  p.old_ack_bound_by_acked = true;
  p.syn_sent_bad_ack_resends_syn = true;
  p.syn_ack_text_discarded = true;
  p.rst_accepts_rcv_nxt_minus_1 = true;
  p.time_wait_mini_socket = true;
  p.orphan_fin_wait_2 = true;
  p.data_after_close_resets = true;
  p.data_after_fin_resets = true;
  p.request_socket = true;
  p.nagle = true;
  p.handshake_rtt_sample = true;
  p.syn_linear_timeouts = 4;
  p.syn_ack_completes_simultaneous_open = true;
  p.window_update_when_doubled = true;
  p.linux_sequence_test = true;
  p.repeated_fin_unacked = true;
  p.drop_without_ack_rst_syn = true;
  p.syn_received_accepts_ack_of_una = true;
  p.fast_path_keeps_data = true;
  return p;
}

}  // namespace tcpfsm
