// The pcap files the harness writes read back in tshark packet by packet: addresses, ports,
// flags, raw sequence and acknowledgment numbers and lengths are those of the run's segments,
// and tshark finds every TCP checksum good. Runs a few scenarios of the library, two-endpoint
// and single-endpoint. Skipped when tshark is not installed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "harness/pcap_writer.hpp"
#include "harness/script.hpp"
#include "harness/script_runner.hpp"

namespace fs = std::filesystem;
using tcpfsm::Segment;
using tcpfsm::harness::Actor;
using tcpfsm::harness::parse_script;
using tcpfsm::harness::ParseError;
using tcpfsm::harness::run_script;
using tcpfsm::harness::RunResult;
using tcpfsm::harness::Script;
using tcpfsm::harness::WireEvent;

namespace {

// tshark's value for tcp.checksum.status / ip.checksum.status "Good" (the enum is 0 Bad,
// 1 Good, 2 Unverified, 3 Not present, 4 Illegal; `tshark -G values` lists it).
constexpr const char* kChecksumGood = "1";

bool tshark_available() {
  return std::system("command -v tshark >/dev/null 2>&1") == 0;
}

// One packet as tshark prints it with the field list below.
struct Packet {
  std::string ip_src, ip_dst;
  unsigned long src_port = 0, dst_port = 0;
  unsigned long flags = 0;
  unsigned long seq = 0, ack = 0, len = 0;
  std::string tcp_checksum, ip_checksum;
};

std::string describe(const Packet& p) {
  std::ostringstream s;
  s << p.ip_src << ":" << p.src_port << " -> " << p.ip_dst << ":" << p.dst_port << " flags 0x"
    << std::hex << p.flags << std::dec << " seq " << p.seq << " ack " << p.ack << " len " << p.len;
  return s.str();
}

// The packet write_pcap makes of a segment: A (or the endpoint under test) is 192.0.2.1:40000,
// B (or the script's peer) 192.0.2.2:8080; the ACK field is zero when the ACK bit is clear.
Packet expected_packet(bool from_a, const Segment& s) {
  Packet p;
  p.ip_src = from_a ? tcpfsm::harness::kAddressA : tcpfsm::harness::kAddressB;
  p.ip_dst = from_a ? tcpfsm::harness::kAddressB : tcpfsm::harness::kAddressA;
  p.src_port = from_a ? tcpfsm::harness::kPortA : tcpfsm::harness::kPortB;
  p.dst_port = from_a ? tcpfsm::harness::kPortB : tcpfsm::harness::kPortA;
  if (s.has(tcpfsm::kFin)) p.flags |= 0x01;
  if (s.has(tcpfsm::kSyn)) p.flags |= 0x02;
  if (s.has(tcpfsm::kRst)) p.flags |= 0x04;
  if (s.has(tcpfsm::kPsh)) p.flags |= 0x08;
  if (s.has(tcpfsm::kAck)) p.flags |= 0x10;
  if (s.has(tcpfsm::kUrg)) p.flags |= 0x20;
  p.seq = s.seq.raw();
  p.ack = s.ack_flag() ? s.ack.raw() : 0;
  p.len = s.len;
  return p;
}

// What the run put on the wire, in order: every segment an endpoint sent (two endpoints, also
// those the network lost), and in single-endpoint runs the segments the script injected too.
std::vector<Packet> expected_packets(const RunResult& run) {
  std::vector<Packet> out;
  for (const WireEvent& ev : run.wire) {
    if (ev.kind == WireEvent::Kind::Sent) {
      out.push_back(expected_packet(ev.from == Actor::A || ev.from == Actor::Self, ev.seg));
    } else if (ev.kind == WireEvent::Kind::Delivered && !run.two_endpoints) {
      out.push_back(expected_packet(false, ev.seg));
    }
  }
  return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  out.push_back(cur);
  return out;
}

bool parse_packet(const std::string& line, Packet& p, std::string& error) {
  const auto f = split(line, ',');
  if (f.size() != 10) {
    error = "expected 10 fields, got " + std::to_string(f.size()) + " in '" + line + "'";
    return false;
  }
  try {
    p.ip_src = f[0];
    p.ip_dst = f[1];
    p.src_port = std::stoul(f[2]);
    p.dst_port = std::stoul(f[3]);
    p.flags = std::stoul(f[4], nullptr, 16);  // printed as 0x0012
    p.seq = std::stoul(f[5]);
    p.ack = std::stoul(f[6]);
    p.len = std::stoul(f[7]);
    p.tcp_checksum = f[8];
    p.ip_checksum = f[9];
  } catch (const std::exception&) {
    error = "unreadable number in '" + line + "'";
    return false;
  }
  return true;
}

// Runs tshark on `pcap` and returns its output lines; false if it could not be run.
bool run_tshark(const fs::path& pcap, std::vector<std::string>& lines, std::string& error) {
  const std::string cmd =
      "tshark -r '" + pcap.string() +
      "' -T fields -E separator=, -e ip.src -e ip.dst -e tcp.srcport -e tcp.dstport"
      " -e tcp.flags -e tcp.seq_raw -e tcp.ack_raw -e tcp.len -e tcp.checksum.status"
      " -e ip.checksum.status -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE"
      " 2>/dev/null";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) {
    error = "popen failed for: " + cmd;
    return false;
  }
  std::string out;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  const int status = pclose(pipe);
  if (status != 0) {
    error = "tshark exited with status " + std::to_string(status) + ": " + cmd;
    return false;
  }
  for (auto& l : split(out, '\n')) {
    if (!l.empty()) lines.push_back(l);
  }
  return true;
}

// A temporary file name that is removed when the test ends, whatever happens.
class TempFile {
 public:
  explicit TempFile(const std::string& tag) {
    path_ = fs::temp_directory_path() /
            ("tcpfsm_pcap_" + std::to_string(::getpid()) + "_" + tag + ".pcap");
  }
  ~TempFile() {
    std::error_code ec;
    fs::remove(path_, ec);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

class PcapTshark : public testing::TestWithParam<const char*> {};

TEST_P(PcapTshark, PacketsMatchTheRun) {
  if (!tshark_available()) {
    GTEST_SKIP() << "tshark is not installed (apt-get install tshark); the pcap files cannot be "
                    "read back";
  }
  const std::string name = GetParam();
  const fs::path script_path =
      fs::path(TCPFSM_SOURCE_ROOT) / "corpus" / "scenarios" / (name + ".tcp");
  std::ifstream in(script_path, std::ios::binary);
  ASSERT_TRUE(in) << "cannot read " << script_path;
  std::ostringstream text;
  text << in.rdbuf();
  auto parsed = parse_script(text.str(), script_path.string());
  if (const auto* err = std::get_if<ParseError>(&parsed)) FAIL() << err->to_string();
  const RunResult run = run_script(std::get<Script>(parsed));
  ASSERT_TRUE(run.passed()) << script_path.string() << ":" << run.failure->pos.line << ": "
                            << run.failure->message;

  TempFile pcap(name);
  std::string error;
  ASSERT_TRUE(tcpfsm::harness::write_pcap(run, pcap.path().string(), error)) << error;

  std::vector<std::string> lines;
  ASSERT_TRUE(run_tshark(pcap.path(), lines, error)) << error;
  const std::vector<Packet> want = expected_packets(run);
  ASSERT_FALSE(want.empty());
  ASSERT_EQ(lines.size(), want.size()) << "tshark read " << lines.size() << " packets, the run had "
                                       << want.size() << " segments on the wire";
  for (std::size_t i = 0; i < want.size(); ++i) {
    Packet got;
    ASSERT_TRUE(parse_packet(lines[i], got, error)) << "packet " << (i + 1) << ": " << error;
    SCOPED_TRACE("packet " + std::to_string(i + 1) + ": want " + describe(want[i]) + ", tshark " +
                 describe(got));
    EXPECT_EQ(got.ip_src, want[i].ip_src);
    EXPECT_EQ(got.ip_dst, want[i].ip_dst);
    EXPECT_EQ(got.src_port, want[i].src_port);
    EXPECT_EQ(got.dst_port, want[i].dst_port);
    EXPECT_EQ(got.flags, want[i].flags);
    EXPECT_EQ(got.seq, want[i].seq);
    EXPECT_EQ(got.ack, want[i].ack);
    EXPECT_EQ(got.len, want[i].len);
    EXPECT_EQ(got.tcp_checksum, kChecksumGood) << "TCP checksum status";
    EXPECT_EQ(got.ip_checksum, kChecksumGood) << "IP header checksum status";
  }
}

std::string scenario_name(const testing::TestParamInfo<const char*>& param_info) {
  return std::string(param_info.param);
}

// Two endpoints stepped by hand; two endpoints over a lossy network (lost segments are still
// in the capture) with B's numbers wrapping; one endpoint with injected segments and data; one
// endpoint whose sequence numbers cross zero.
INSTANTIATE_TEST_SUITE_P(Scenarios, PcapTshark,
                         testing::Values("close_active_two_endpoints", "faulty_network",
                                         "handshake_passive", "wraparound_iss"),
                         scenario_name);

}  // namespace
