#include "harness/ipv4_tcp_packet.hpp"

#include <algorithm>

namespace tcpfsm::harness {

namespace {

constexpr std::uint8_t kProtoTcp = 6;
constexpr std::size_t kIpHeader = 20;
constexpr std::size_t kTcpHeader = 20;

// TCP header flag bits (RFC 9293 §3.1), low octet of the offset/flags word.
constexpr std::uint8_t kBitFin = 0x01, kBitSyn = 0x02, kBitRst = 0x04, kBitPsh = 0x08,
                       kBitAck = 0x10, kBitUrg = 0x20;

void put16(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}
void put32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
  put16(b, at, v >> 16);
  put16(b, at + 2, v & 0xFFFF);
}
std::uint32_t get16(const std::uint8_t* p) {
  return (static_cast<std::uint32_t>(p[0]) << 8) | p[1];
}
std::uint32_t get32(const std::uint8_t* p) {
  return (get16(p) << 16) | get16(p + 2);
}

std::string option_name(std::uint8_t kind, std::uint8_t len, const std::uint8_t* body) {
  if (kind == 2 && len == 4) return "mss=" + std::to_string(get16(body));
  if (kind == 3 && len == 3) return "wscale=" + std::to_string(body[0]);
  if (kind == 4) return "sackOK";
  if (kind == 8) return "ts";
  return "opt" + std::to_string(kind);
}

}  // namespace

std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes, std::uint32_t initial) {
  // Folding after every word keeps the sum in 32 bits for any length.
  std::uint32_t sum = initial;
  const std::size_t n = bytes.size();
  for (std::size_t i = 0; i + 1 < n; i += 2) {
    sum += (static_cast<std::uint32_t>(bytes[i]) << 8) | bytes[i + 1];
    sum = (sum & 0xFFFF) + (sum >> 16);
  }
  if (n % 2 == 1) sum += static_cast<std::uint32_t>(bytes[n - 1]) << 8;
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xFFFF);
}

std::vector<std::uint8_t> ipv4_tcp_packet(const PacketEnds& ends, const Segment& s,
                                          std::uint16_t ip_id, std::size_t max_payload) {
  const std::size_t payload = std::min<std::size_t>({s.len, max_payload, kMaxIpv4TcpPayload});
  const std::size_t total = kIpHeader + kTcpHeader + payload;
  std::vector<std::uint8_t> b(total, 0);
  // IPv4 header (RFC 791 §3.1): version 4, IHL 5.
  b[0] = 0x45;
  put16(b, 2, static_cast<std::uint32_t>(total));
  put16(b, 4, ip_id);
  b[6] = 0x40;  // don't fragment
  b[8] = 64;    // TTL
  b[9] = kProtoTcp;
  put32(b, 12, ends.src);
  put32(b, 16, ends.dst);
  put16(b, 10, internet_checksum(std::span(b).first(kIpHeader)));
  // TCP header (RFC 9293 §3.1).
  const std::size_t t = kIpHeader;
  put16(b, t, ends.sport);
  put16(b, t + 2, ends.dport);
  put32(b, t + 4, s.seq.raw());
  put32(b, t + 8, s.ack_flag() ? s.ack.raw() : 0);
  b[t + 12] = 5 << 4;  // data offset: 5 words, no options
  std::uint8_t flags = 0;
  if (s.has(kFin)) flags |= kBitFin;
  if (s.has(kSyn)) flags |= kBitSyn;
  if (s.has(kRst)) flags |= kBitRst;
  if (s.has(kPsh)) flags |= kBitPsh;
  if (s.has(kAck)) flags |= kBitAck;
  if (s.has(kUrg)) flags |= kBitUrg;
  b[t + 13] = flags;
  put16(b, t + 14, std::min<std::uint32_t>(s.wnd, 65535));
  put16(b, t + 18, s.has(kUrg) ? s.up : 0);
  // The checksum covers the pseudo-header (RFC 9293 §3.1): both addresses, the protocol and
  // the TCP length.
  const auto tcp_len = static_cast<std::uint32_t>(kTcpHeader + payload);
  const std::uint32_t pseudo = (ends.src >> 16) + (ends.src & 0xFFFF) + (ends.dst >> 16) +
                               (ends.dst & 0xFFFF) + kProtoTcp + tcp_len;
  put16(b, t + 16, internet_checksum(std::span(b).subspan(t), pseudo));
  return b;
}

std::optional<ParsedPacket> parse_ipv4_tcp(std::span<const std::uint8_t> packet) {
  const std::uint8_t* p = packet.data();
  const std::size_t size = packet.size();
  if (size < kIpHeader || (p[0] >> 4) != 4) return std::nullopt;
  const std::size_t ihl = static_cast<std::size_t>(p[0] & 0x0F) * 4;
  const std::size_t total = get16(p + 2);
  if (ihl < kIpHeader || total > size || total < ihl + kTcpHeader || p[9] != kProtoTcp) {
    return std::nullopt;
  }
  const std::uint8_t* t = p + ihl;
  const std::size_t doff = static_cast<std::size_t>(t[12] >> 4) * 4;
  if (doff < kTcpHeader || ihl + doff > total) return std::nullopt;
  ParsedPacket out;
  out.ends.src = get32(p + 12);
  out.ends.dst = get32(p + 16);
  out.ends.sport = static_cast<std::uint16_t>(get16(t));
  out.ends.dport = static_cast<std::uint16_t>(get16(t + 2));
  Segment& s = out.seg;
  s.seq = SeqNum(get32(t + 4));
  const std::uint8_t f = t[13];
  if (f & kBitFin) s.ctl |= kFin;
  if (f & kBitSyn) s.ctl |= kSyn;
  if (f & kBitRst) s.ctl |= kRst;
  if (f & kBitPsh) s.ctl |= kPsh;
  if (f & kBitAck) s.ctl |= kAck;
  if (f & kBitUrg) s.ctl |= kUrg;
  if (s.ack_flag()) s.ack = SeqNum(get32(t + 8));
  s.wnd = get16(t + 14);
  s.up = static_cast<std::uint16_t>(get16(t + 18));
  s.len = static_cast<std::uint32_t>(total - ihl - doff);
  // Options (RFC 9293 §3.2): end of list, no-op, then kind-length-value; a malformed one ends
  // the list.
  for (std::size_t i = kTcpHeader; i < doff;) {
    const std::uint8_t kind = t[i];
    if (kind == 0) break;
    if (kind == 1) {
      ++i;
      continue;
    }
    if (i + 1 >= doff || t[i + 1] < 2 || i + t[i + 1] > doff) break;
    const std::uint8_t len = t[i + 1];
    out.opts.push_back(option_name(kind, len, t + i + 2));
    i += len;
  }
  return out;
}

}  // namespace tcpfsm::harness
