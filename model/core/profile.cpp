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

}  // namespace tcpfsm
