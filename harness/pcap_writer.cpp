#include "harness/pcap_writer.hpp"

#include <pcap/pcap.h>

#include <cstdint>
#include <vector>

namespace tcpfsm::harness {

namespace {

constexpr std::uint32_t kIpA = (192u << 24) | (0u << 16) | (2u << 8) | 1u;
constexpr std::uint32_t kIpB = (192u << 24) | (0u << 16) | (2u << 8) | 2u;

void put16(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}
void put32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
  put16(b, at, v >> 16);
  put16(b, at + 2, v & 0xFFFF);
}

// The Internet checksum (RFC 1071) over `len` octets starting at `at`, plus `initial`.
std::uint16_t checksum(const std::vector<std::uint8_t>& b, std::size_t at, std::size_t len,
                       std::uint32_t initial) {
  std::uint32_t sum = initial;
  for (std::size_t i = 0; i + 1 < len; i += 2) sum += (b[at + i] << 8) | b[at + i + 1];
  if (len % 2 == 1) sum += b[at + len - 1] << 8;
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xFFFF);
}

std::vector<std::uint8_t> packet(bool from_a, const Segment& s, std::uint16_t ip_id) {
  // Payload is capped so a huge modelled length cannot make an unreadable packet.
  const std::size_t payload = std::min<std::uint32_t>(s.len, 65535 - 40);
  const std::size_t total = 20 + 20 + payload;
  std::vector<std::uint8_t> b(total, 0);
  const std::uint32_t src = from_a ? kIpA : kIpB;
  const std::uint32_t dst = from_a ? kIpB : kIpA;
  // IPv4 header.
  b[0] = 0x45;
  put16(b, 2, static_cast<std::uint32_t>(total));
  put16(b, 4, ip_id);
  b[6] = 0x40;  // don't fragment
  b[8] = 64;    // TTL
  b[9] = 6;     // TCP
  put32(b, 12, src);
  put32(b, 16, dst);
  put16(b, 10, checksum(b, 0, 20, 0));
  // TCP header.
  const std::size_t t = 20;
  put16(b, t, from_a ? kPortA : kPortB);
  put16(b, t + 2, from_a ? kPortB : kPortA);
  put32(b, t + 4, s.seq.raw());
  put32(b, t + 8, s.ack_flag() ? s.ack.raw() : 0);
  b[t + 12] = 5 << 4;  // data offset: 5 words, no options
  std::uint8_t flags = 0;
  if (s.has(kFin)) flags |= 0x01;
  if (s.has(kSyn)) flags |= 0x02;
  if (s.has(kRst)) flags |= 0x04;
  if (s.has(kPsh)) flags |= 0x08;
  if (s.has(kAck)) flags |= 0x10;
  if (s.has(kUrg)) flags |= 0x20;
  b[t + 13] = flags;
  put16(b, t + 14, std::min<std::uint32_t>(s.wnd, 65535));
  put16(b, t + 18, s.has(kUrg) ? s.up : 0);
  // Pseudo-header: source, destination, protocol, TCP length.
  const std::uint32_t tcp_len = static_cast<std::uint32_t>(20 + payload);
  std::uint32_t pseudo = (src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF) + 6 + tcp_len;
  put16(b, t + 16, checksum(b, t, tcp_len, pseudo));
  return b;
}

}  // namespace

bool write_pcap(const RunResult& run, const std::string& path, std::string& error) {
  pcap_t* dead = pcap_open_dead(DLT_RAW, 65535);
  if (dead == nullptr) {
    error = "libpcap could not open a capture handle";
    return false;
  }
  pcap_dumper_t* out = pcap_dump_open(dead, path.c_str());
  if (out == nullptr) {
    error = pcap_geterr(dead);
    pcap_close(dead);
    return false;
  }
  std::uint16_t ip_id = 1;
  for (const WireEvent& ev : run.wire) {
    // What went on the wire: in two-endpoint runs every segment an endpoint sent (also those
    // the network later lost); in single-endpoint runs what the script injected, too.
    bool from_a = false;
    if (ev.kind == WireEvent::Kind::Sent) {
      from_a = ev.from == Actor::A || ev.from == Actor::Self;
    } else if (ev.kind == WireEvent::Kind::Delivered && !run.two_endpoints) {
      from_a = false;
    } else {
      continue;
    }
    const std::vector<std::uint8_t> bytes = packet(from_a, ev.seg, ip_id++);
    pcap_pkthdr hdr{};
    hdr.ts.tv_sec = static_cast<decltype(hdr.ts.tv_sec)>(ev.now / 1000);
    hdr.ts.tv_usec = static_cast<decltype(hdr.ts.tv_usec)>((ev.now % 1000) * 1000);
    hdr.caplen = static_cast<bpf_u_int32>(bytes.size());
    hdr.len = hdr.caplen;
    pcap_dump(reinterpret_cast<u_char*>(out), &hdr, bytes.data());
  }
  pcap_dump_close(out);
  pcap_close(dead);
  return true;
}

}  // namespace tcpfsm::harness
