#pragma once
// What a user of the connection sees: the answers to calls and the unsolicited signals of
// RFC 9293 §3.9.1 and §3.10. The error strings are the RFC's own (§3.10.1 to §3.10.8).
#include <cstdint>
#include <string>
#include <string_view>

#include "core/state.hpp"

namespace tcpfsm {

enum class UserError : std::uint8_t {
  None,
  ConnectionDoesNotExist,   // §3.10.2-§3.10.6 in CLOSED
  ConnectionAlreadyExists,  // OPEN on an existing connection, §3.10.1
  ConnectionClosing,        // calls after CLOSE or after the peer's FIN
  ConnectionReset,          // an accepted RST, or our own ABORT
  ConnectionRefused,        // RST in answer to our SYN
  RemoteSocketUnspecified,  // active OPEN or SEND without a foreign socket
  InsufficientResources,    // send buffer full
  UserTimeout,              // §3.10.8 USER TIMEOUT
  RetransmissionTimeout,    // §3.8.3 R2 reached: the connection is given up
};

std::string_view message(UserError e);

enum class NoticeKind : std::uint8_t {
  Ok,         // the call was accepted ("ok")
  Error,      // the call failed, or an unsolicited error signal; see `error`
  Queued,     // the call waits (RECEIVE with nothing to read, SEND before ESTABLISHED)
  Delivered,  // RECEIVE handed over `length` octets
  Status,     // STATUS: `state` names the connection's state
  Urgent,     // §3.10.7.4 sixth check: the peer has urgent data ahead
};

struct Notice {
  NoticeKind kind = NoticeKind::Ok;
  UserError error = UserError::None;
  std::uint32_t length = 0;
  State state = State::Closed;

  static Notice ok() { return {}; }
  static Notice err(UserError e) { return {NoticeKind::Error, e, 0, State::Closed}; }
  static Notice queued() { return {NoticeKind::Queued, UserError::None, 0, State::Closed}; }
  static Notice delivered(std::uint32_t n) {
    return {NoticeKind::Delivered, UserError::None, n, State::Closed};
  }
  static Notice status(State s) { return {NoticeKind::Status, UserError::None, 0, s}; }
  static Notice urgent() { return {NoticeKind::Urgent, UserError::None, 0, State::Closed}; }

  bool operator==(const Notice&) const = default;
};

std::string to_string(const Notice& n);

}  // namespace tcpfsm
