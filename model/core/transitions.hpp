#pragma once
// The state changes of one TCP endpoint as data: one row per arrow of the RFC 9293 state diagram
// (§3.3.2, Figure 5), plus one row per further change that the event processing of §3.10 (or a
// Profile option) makes. Self-loops ("=", the state does not change) are not rows.
//
// A row names the event that causes the change in the diagram's words ("rcv SYN", "CLOSE",
// "timeout=2MSL"), what is sent ("snd SYN,ACK", or "-" for nothing), the RFC section whose
// procedure makes the change, where the arrow comes from, and the Profile setting it needs.
// The table is the edge set of invariant I18 (digest §4): is_allowed_edge() answers from it, and
// tests/diagram_arrows_test.cpp drives the reference endpoint along every row.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/profile.hpp"
#include "core/state.hpp"

namespace tcpfsm {

// Where an arrow comes from.
enum class ArrowSource : std::uint8_t {
  Figure5,     // drawn in RFC 9293 Figure 5
  FigureNote,  // named by a note under Figure 5 (note 2: FIN-WAIT-1 to TIME-WAIT; note 3: a RST
               // sent leads to TIME-WAIT, a RST received to LISTEN or CLOSED)
  Text,        // not in the figure: follows from the §3.10 event processing (or §3.6.1, §3.8.3)
};

// The Profile setting under which an arrow can be taken.
enum class ArrowCondition : std::uint8_t {
  Always,
  TimeWaitReopen,           // time_wait_syn == Reopen (MAY-2)
  RstSenderEntersTimeWait,  // rst_sender_enters_time_wait
  RstSenderCloses,          // !rst_sender_enters_time_wait (the §3.10.5 default)
  TimeWaitAcceptsRst,       // time_wait_rst == Accept
  LegacySyn,                // !rfc5961_syn: an in-window SYN resets the connection (RFC 793)
  HalfDuplexClose,          // half_duplex_close (MAY-1, SHLD-3)
  FinWait2Timer,            // fin_wait_2_timeout_ms > 0 (Linux tcp_fin_timeout)
  UserTimer,                // user_timeout_ms > 0
};

struct Transition {
  std::string_view id;  // unique; names the test that drives it, e.g. "ListenToSynReceivedOnSyn"
  State from;
  State to;
  std::string_view event;  // e.g. "rcv SYN", "CLOSE", "rcv ACK of FIN", "timeout=2MSL"
  std::string_view sent;   // e.g. "snd SYN,ACK"; "-" when nothing is sent
  std::string_view rfc;    // e.g. "RFC 9293 §3.10.7.2"
  ArrowSource source;
  ArrowCondition condition;
  std::string_view note;  // when the row applies, in a few words; may be empty
};

// Every row, Figure 5's arrows first.
std::span<const Transition> transitions();

bool condition_holds(ArrowCondition c, const Profile& p);

// True when some row leads from `from` to `to` and its condition holds under `p`; a self-loop
// (from == to) is always allowed.
bool is_allowed_edge(State from, State to, const Profile& p);

std::string_view to_string(ArrowSource s);
std::string_view to_string(ArrowCondition c);

// The table as a Graphviz DOT digraph, one edge per row labelled "event / sent". Figure 5's arrows
// are solid, the notes' arrows dashed, the rest dotted; a row with a condition shows it in
// brackets.
std::string to_dot();

}  // namespace tcpfsm
