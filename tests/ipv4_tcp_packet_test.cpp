// The one IPv4/TCP packet builder and parser of the harness (harness/ipv4_tcp_packet.hpp),
// used by the pcap writer and the Linux adapter (label: unit). The known packets below are
// byte for byte what tshark 4.0 reads back with both checksums "Good"
// (`tshark -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE -T fields -e
// tcp.checksum.status -e ip.checksum.status`), taken from the pcap of
// corpus/scenarios/abort_established.tcp and zero_window_probe.tcp.
#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "harness/ipv4_tcp_packet.hpp"

using tcpfsm::Segment;
using tcpfsm::SeqNum;
using tcpfsm::harness::internet_checksum;
using tcpfsm::harness::ipv4_tcp_packet;
using tcpfsm::harness::kMaxIpv4TcpPayload;
using tcpfsm::harness::PacketEnds;
using tcpfsm::harness::parse_ipv4_tcp;

namespace {

constexpr std::uint32_t kAddrA = 0xC0000201;  // 192.0.2.1
constexpr std::uint32_t kAddrB = 0xC0000202;  // 192.0.2.2
constexpr PacketEnds kAtoB{.src = kAddrA, .sport = 40000, .dst = kAddrB, .dport = 8080};
constexpr PacketEnds kBtoA{.src = kAddrB, .sport = 8080, .dst = kAddrA, .dport = 40000};

// The sum of a header with its checksum in place, folded: 0xFFFF when the checksum is right,
// i.e. internet_checksum() of it is zero.
bool checksum_holds(const std::vector<std::uint8_t>& bytes, std::size_t at, std::size_t len,
                    std::uint32_t pseudo) {
  return internet_checksum(std::span(bytes).subspan(at, len), pseudo) == 0;
}

}  // namespace

TEST(InternetChecksum, MatchesTheWorkedExampleOfRfc1071) {
  // RFC 1071 §3: these eight octets sum to 0xDDF2; the checksum is its complement.
  const std::vector<std::uint8_t> bytes{0x00, 0x01, 0xF2, 0x03, 0xF4, 0xF5, 0xF6, 0xF7};
  EXPECT_EQ(internet_checksum(bytes), 0x220D);
}

TEST(InternetChecksum, MatchesAKnownIpv4Header) {
  // 192.168.0.1 -> 192.168.0.199, UDP, total length 115, DF; its checksum is 0xB861.
  const std::vector<std::uint8_t> header{0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40,
                                         0x00, 0x40, 0x11, 0x00, 0x00, 0xC0, 0xA8,
                                         0x00, 0x01, 0xC0, 0xA8, 0x00, 0xC7};
  EXPECT_EQ(internet_checksum(header), 0xB861);
}

TEST(InternetChecksum, PadsAnOddLastOctetAndCarriesTheStartingSum) {
  EXPECT_EQ(internet_checksum(std::vector<std::uint8_t>{0xAB}),
            static_cast<std::uint16_t>(~0xAB00));
  EXPECT_EQ(internet_checksum(std::vector<std::uint8_t>{}, 0x1234),
            static_cast<std::uint16_t>(~0x1234));
  // End-around carry: 0xFFFF + 0x0001 folds to 0x0001.
  EXPECT_EQ(internet_checksum(std::vector<std::uint8_t>{0xFF, 0xFF, 0x00, 0x01}), 0xFFFE);
}

TEST(Ipv4TcpPacket, BuildsTheKnownSyn) {
  const Segment syn{.seq = SeqNum(100), .ctl = tcpfsm::kSyn, .wnd = 65535};
  const std::vector<std::uint8_t> want{0x45, 0x00, 0x00, 0x28, 0x00, 0x01, 0x40, 0x00, 0x40, 0x06,
                                       0xb6, 0xcb, 0xc0, 0x00, 0x02, 0x01, 0xc0, 0x00, 0x02, 0x02,
                                       0x9c, 0x40, 0x1f, 0x90, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00,
                                       0x00, 0x00, 0x50, 0x02, 0xff, 0xff, 0x6f, 0xaa, 0x00, 0x00};
  EXPECT_EQ(ipv4_tcp_packet(kAtoB, syn, 1), want);
}

TEST(Ipv4TcpPacket, BuildsTheKnownSynAck) {
  const Segment synack{
      .seq = SeqNum(300), .ack = SeqNum(101), .ctl = tcpfsm::kSyn | tcpfsm::kAck, .wnd = 65535};
  const std::vector<std::uint8_t> want{0x45, 0x00, 0x00, 0x28, 0x00, 0x02, 0x40, 0x00, 0x40, 0x06,
                                       0xb6, 0xca, 0xc0, 0x00, 0x02, 0x02, 0xc0, 0x00, 0x02, 0x01,
                                       0x1f, 0x90, 0x9c, 0x40, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x00,
                                       0x00, 0x65, 0x50, 0x12, 0xff, 0xff, 0x6e, 0x6d, 0x00, 0x00};
  EXPECT_EQ(ipv4_tcp_packet(kBtoA, synack, 2), want);
}

TEST(Ipv4TcpPacket, BuildsTheKnownOneOctetProbe) {
  // An odd TCP length: the checksum pads the last octet.
  const Segment probe{
      .seq = SeqNum(101), .ack = SeqNum(301), .ctl = tcpfsm::kAck, .wnd = 65535, .len = 1};
  const std::vector<std::uint8_t> want{
      0x45, 0x00, 0x00, 0x29, 0x00, 0x04, 0x40, 0x00, 0x40, 0x06, 0xb6, 0xc7, 0xc0, 0x00,
      0x02, 0x01, 0xc0, 0x00, 0x02, 0x02, 0x9c, 0x40, 0x1f, 0x90, 0x00, 0x00, 0x00, 0x65,
      0x00, 0x00, 0x01, 0x2d, 0x50, 0x10, 0xff, 0xff, 0x6e, 0x6d, 0x00, 0x00, 0x00};
  EXPECT_EQ(ipv4_tcp_packet(kAtoB, probe, 4), want);
}

TEST(Ipv4TcpPacket, ChecksumsHoldAcrossWraparoundAndEveryFlag) {
  const Segment seg{.seq = SeqNum(4294967290u),
                    .ack = SeqNum(12345),
                    .ctl = tcpfsm::kAck | tcpfsm::kPsh | tcpfsm::kFin | tcpfsm::kUrg,
                    .wnd = 4321,
                    .up = 7,
                    .len = 33};
  const auto bytes = ipv4_tcp_packet(kBtoA, seg, 7);
  ASSERT_EQ(bytes.size(), 20u + 20u + 33u);
  EXPECT_TRUE(checksum_holds(bytes, 0, 20, 0));
  const std::uint32_t pseudo = 0xC000 + 0x0202 + 0xC000 + 0x0201 + 6 + 53;
  EXPECT_TRUE(checksum_holds(bytes, 20, 53, pseudo));
  // A single flipped bit breaks it.
  auto broken = bytes;
  broken[30] ^= 0x01;
  EXPECT_FALSE(checksum_holds(broken, 20, 53, pseudo));
}

TEST(Ipv4TcpPacket, ParsesBackWhatItBuilt) {
  const Segment seg{.seq = SeqNum(4294967290u),
                    .ack = SeqNum(12345),
                    .ctl = tcpfsm::kAck | tcpfsm::kPsh | tcpfsm::kFin,
                    .wnd = 4321,
                    .len = 33};
  const auto bytes = ipv4_tcp_packet(kBtoA, seg, 7);
  const auto parsed = parse_ipv4_tcp(bytes);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->seg, seg);
  EXPECT_EQ(parsed->ends.src, kAddrB);
  EXPECT_EQ(parsed->ends.dst, kAddrA);
  EXPECT_EQ(parsed->ends.sport, 8080);
  EXPECT_EQ(parsed->ends.dport, 40000);
  EXPECT_TRUE(parsed->opts.empty());
}

TEST(Ipv4TcpPacket, CapsThePayloadAndTheWindow) {
  const Segment big{.seq = SeqNum(1), .ctl = tcpfsm::kAck, .wnd = 1u << 20, .len = 100000};
  const auto capped = ipv4_tcp_packet(kAtoB, big, 1, 1400);
  EXPECT_EQ(capped.size(), 40u + 1400u);
  const auto full = ipv4_tcp_packet(kAtoB, big, 1);
  EXPECT_EQ(full.size(), 40u + kMaxIpv4TcpPayload);
  const auto parsed = parse_ipv4_tcp(full);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->seg.wnd, 65535u);
  EXPECT_EQ(parsed->seg.len, kMaxIpv4TcpPayload);
}

TEST(Ipv4TcpPacket, ReadsTheOptionsOfAKernelSynAck) {
  // A SYN-ACK as Linux sends it with the set-up's sysctls: MSS only (24-octet TCP header).
  auto bytes = ipv4_tcp_packet(
      kAtoB, Segment{.seq = SeqNum(9), .ack = SeqNum(1), .ctl = tcpfsm::kSyn | tcpfsm::kAck}, 1);
  bytes[3] = 44;       // total length
  bytes[32] = 6 << 4;  // data offset 6 words
  const std::vector<std::uint8_t> options{2, 4, 0x05, 0xB4, 1, 3, 3, 7, 4, 2, 8, 10,
                                          0, 0, 0,    0,    0, 0, 0, 0, 1, 0, 0, 0};
  bytes.insert(bytes.end(), options.begin(), options.begin() + 4);
  auto parsed = parse_ipv4_tcp(bytes);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->opts, std::vector<std::string>{"mss=1460"});
  EXPECT_EQ(parsed->seg.len, 0u);
  // And a longer list: NOP, window scale, SACK permitted, timestamps, end of list.
  bytes.resize(40);
  bytes.insert(bytes.end(), options.begin(), options.end());
  bytes[3] = 64;
  bytes[32] = 11 << 4;
  parsed = parse_ipv4_tcp(bytes);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->opts, (std::vector<std::string>{"mss=1460", "wscale=7", "sackOK", "ts"}));
}

TEST(Ipv4TcpPacket, RefusesWhatIsNotAnIpv4TcpPacket) {
  const auto good = ipv4_tcp_packet(kAtoB, Segment{.seq = SeqNum(1), .ctl = tcpfsm::kAck}, 1);
  ASSERT_TRUE(parse_ipv4_tcp(good).has_value());
  EXPECT_FALSE(parse_ipv4_tcp(std::span(good).first(30)).has_value());  // truncated
  EXPECT_FALSE(parse_ipv4_tcp(std::span(good).first(0)).has_value());
  auto v6 = good;
  v6[0] = 0x65;
  EXPECT_FALSE(parse_ipv4_tcp(v6).has_value());
  auto udp = good;
  udp[9] = 17;
  EXPECT_FALSE(parse_ipv4_tcp(udp).has_value());
  auto short_ihl = good;
  short_ihl[0] = 0x44;
  EXPECT_FALSE(parse_ipv4_tcp(short_ihl).has_value());
  auto long_total = good;
  long_total[3] = 41;  // says one octet more than there is
  EXPECT_FALSE(parse_ipv4_tcp(long_total).has_value());
  auto bad_offset = good;
  bad_offset[32] = 4 << 4;  // a TCP header shorter than 20 octets
  EXPECT_FALSE(parse_ipv4_tcp(bad_offset).has_value());
  bad_offset[32] = 15 << 4;  // longer than the packet
  EXPECT_FALSE(parse_ipv4_tcp(bad_offset).has_value());
}
