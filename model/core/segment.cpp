#include "core/segment.hpp"

namespace tcpfsm {

std::string ctl_to_string(std::uint8_t ctl) {
  // The order RFC 9293 uses in its examples: SYN, then ACK; FIN and RST first when present.
  static constexpr struct {
    Ctl bit;
    const char* name;
  } kOrder[] = {{kSyn, "SYN"}, {kFin, "FIN"}, {kRst, "RST"},
                {kPsh, "PSH"}, {kAck, "ACK"}, {kUrg, "URG"}};
  std::string out;
  for (const auto& c : kOrder) {
    if ((ctl & c.bit) == 0) continue;
    if (!out.empty()) out += ',';
    out += c.name;
  }
  return out;
}

std::string to_string(const Segment& s) {
  std::string out = "<SEQ=" + to_string(s.seq) + ">";
  if (s.ack_flag()) out += "<ACK=" + to_string(s.ack) + ">";
  out += "<CTL=" + ctl_to_string(s.ctl) + ">";
  if (s.len > 0) out += "<LEN=" + std::to_string(s.len) + ">";
  if (s.has(kUrg)) out += "<UP=" + std::to_string(s.up) + ">";
  return out;
}

}  // namespace tcpfsm
