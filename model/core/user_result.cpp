#include "core/user_result.hpp"

namespace tcpfsm {

std::string_view message(UserError e) {
  switch (e) {
    case UserError::None: return "ok";
    case UserError::ConnectionDoesNotExist: return "error: connection does not exist";
    case UserError::ConnectionAlreadyExists: return "error: connection already exists";
    case UserError::ConnectionClosing: return "error: connection closing";
    case UserError::ConnectionReset: return "error: connection reset";
    case UserError::ConnectionRefused: return "error: connection refused";
    case UserError::RemoteSocketUnspecified: return "error: remote socket unspecified";
    case UserError::InsufficientResources: return "error: insufficient resources";
    case UserError::UserTimeout: return "error: connection aborted due to user timeout";
    case UserError::RetransmissionTimeout:
      return "error: connection aborted due to retransmission timeout";
  }
  return "error: ?";
}

std::string to_string(const Notice& n) {
  switch (n.kind) {
    case NoticeKind::Ok: return "ok";
    case NoticeKind::Error: return std::string(message(n.error));
    case NoticeKind::Queued: return "queued";
    case NoticeKind::Delivered: return "delivered " + std::to_string(n.length);
    case NoticeKind::Status: return "status " + std::string(to_string(n.state));
    case NoticeKind::Urgent: return "urgent data";
  }
  return "?";
}

}  // namespace tcpfsm
