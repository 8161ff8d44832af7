#pragma once
// IPv4 packets carrying one TCP segment: the one builder and parser of the harness, shared by
// the pcap writer (what a run looked like, for Wireshark) and the Linux adapter (what is written
// to and read from the TUN device). Headers carry no IP or TCP options; the payload is the
// segment's length in zero octets; both checksums are valid (RFC 791 §3.1, RFC 9293 §3.1).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/segment.hpp"

namespace tcpfsm::harness {

// The most payload an IPv4 packet can carry behind two 20-octet headers.
inline constexpr std::size_t kMaxIpv4TcpPayload = 65535 - 40;

// The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of the
// 16-bit big-endian words of `bytes` (an odd last octet padded with zero), the sum starting
// from `initial` (a pseudo-header's sum, or 0).
std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes, std::uint32_t initial = 0);

// The two ends of a packet; addresses and ports in host order.
struct PacketEnds {
  std::uint32_t src = 0;
  std::uint16_t sport = 0;
  std::uint32_t dst = 0;
  std::uint16_t dport = 0;
};

// The packet for `seg`: DF set, TTL 64, the given IP identification; the ACK field is zero when
// the ACK bit is clear, the window is capped at 65535 (no scaling), the urgent pointer is zero
// without URG. The payload is min(seg.len, max_payload) octets, so that a huge modelled length
// still makes a packet that fits (the TUN device's MTU, or the IPv4 total length field).
std::vector<std::uint8_t> ipv4_tcp_packet(const PacketEnds& ends, const Segment& seg,
                                          std::uint16_t ip_id,
                                          std::size_t max_payload = kMaxIpv4TcpPayload);

// The TCP segment of an IPv4 packet, if it is one: ends, the segment, and its options as
// "mss=1460", "wscale=7", "sackOK", "ts" (others "optK"). Checksums are not verified: the
// packets parsed come from the local kernel.
struct ParsedPacket {
  PacketEnds ends;
  Segment seg;
  std::vector<std::string> opts;
};
std::optional<ParsedPacket> parse_ipv4_tcp(std::span<const std::uint8_t> packet);

}  // namespace tcpfsm::harness
