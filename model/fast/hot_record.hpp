#pragma once
// The hot connection record: everything SEGMENT ARRIVES (RFC 9293 §3.10.7) reads or writes
// for an ordinary segment, packed into 48 bytes so that a table of millions of connections
// costs one cache-line fetch (sometimes two) per segment. Everything else about a connection
// lives in side tables indexed by the same connection id (side_tables.hpp).
//
// Some TCB variables are not stored because they are implied by others:
//   * SND.MAX equals SND.NXT (SND.NXT never rewinds in this model);
//   * the sequence number of our FIN is SND.NXT - 1 once the FIN is sent (nothing follows it);
// docs/performance.md lists every field and its size.
#include <cstdint>

namespace tcpfsm::fast {

// One bit each; the history bits are those TcbSnapshot reports, the rest are summaries that
// spare the hot path a visit to a side table.
enum HotFlag : std::uint16_t {
  kPassiveOpen = 1u << 0,      // SYN-RECEIVED came from LISTEN (MUST-11)
  kFromTimeWait = 1u << 1,     // this incarnation was reopened from TIME-WAIT (MAY-2)
  kCloseRequested = 1u << 2,   // the user called CLOSE
  kFinSent = 1u << 3,          // our FIN is out
  kFinAcked = 1u << 4,         // ... and acknowledged
  kFinReceived = 1u << 5,      // the peer's FIN was consumed
  kSendUrgent = 1u << 6,       // SND.UP marks urgent data not yet acknowledged
  kRecvUrgent = 1u << 7,       // RCV.UP lies ahead of what the user has read
  kIssDefined = 1u << 8,       // ISS chosen
  kIrsDefined = 1u << 9,       // IRS known
  kRemoteKnown = 1u << 10,     // the foreign socket is fully specified
  kListenerRemote = 1u << 11,  // what the passive OPEN said of it, for a return to LISTEN
  kRttTiming = 1u << 12,       // a transmitted segment is being timed (RFC 6298, Karn)
  kHasQueued = 1u << 13,       // the send queue is not empty
  kHasWaiting = 1u << 14,      // RECEIVE calls are waiting
  kHasHeld = 1u << 15,         // out-of-order text waits for the gap before it (SHLD-31)
};

struct HotRecord {
  // --- send sequence space (RFC 9293 §3.3.1, Table 2) ---
  std::uint32_t snd_una = 0;
  std::uint32_t snd_nxt = 0;
  std::uint32_t snd_wnd = 0;
  std::uint32_t snd_wl1 = 0;
  std::uint32_t snd_wl2 = 0;
  std::uint32_t max_snd_wnd = 0;  // RFC 5961 §5
  std::uint32_t iss = 0;
  // --- receive sequence space (Table 3) ---
  std::uint32_t rcv_nxt = 0;
  std::uint32_t rcv_wnd = 0;
  std::uint32_t rcv_adv = 0;      // right edge last advertised (receiver SWS, §3.8.6.2.2)
  std::uint32_t recv_unread = 0;  // in-order octets the user has not read
  // --- state, history, and which timers run ---
  std::uint16_t flags = 0;
  std::uint8_t state = 0;  // a tcpfsm::State
  std::uint8_t armed = 0;  // bit k: timer TimerKind(k) is running; deadlines are in a side table

  constexpr bool has(HotFlag f) const { return (flags & f) != 0; }
  constexpr void set(HotFlag f) { flags = static_cast<std::uint16_t>(flags | f); }
  constexpr void clear(HotFlag f) { flags = static_cast<std::uint16_t>(flags & ~f); }
  constexpr void put(HotFlag f, bool on) { on ? set(f) : clear(f); }
};

inline constexpr std::size_t kHotRecordBudget = 48;
static_assert(sizeof(HotRecord) <= kHotRecordBudget, "the hot record must stay within 48 bytes");

}  // namespace tcpfsm::fast
