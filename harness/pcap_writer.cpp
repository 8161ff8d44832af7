#include "harness/pcap_writer.hpp"

#include <pcap/pcap.h>

#include <cstdint>
#include <vector>

#include "harness/ipv4_tcp_packet.hpp"

namespace tcpfsm::harness {

namespace {

constexpr std::uint32_t kIpA = (192u << 24) | (0u << 16) | (2u << 8) | 1u;
constexpr std::uint32_t kIpB = (192u << 24) | (0u << 16) | (2u << 8) | 2u;

PacketEnds ends(bool from_a) {
  return from_a ? PacketEnds{.src = kIpA, .sport = kPortA, .dst = kIpB, .dport = kPortB}
                : PacketEnds{.src = kIpB, .sport = kPortB, .dst = kIpA, .dport = kPortA};
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
    const std::vector<std::uint8_t> bytes = ipv4_tcp_packet(ends(from_a), ev.seg, ip_id++);
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
