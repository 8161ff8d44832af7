#pragma once
// Writes a run's segments as a pcap file that Wireshark and tshark open: real IPv4 and TCP
// headers with valid checksums. Addresses are fixed documentation addresses (RFC 5737):
//   A, or the endpoint under test in a single-endpoint script: 192.0.2.1 port 40000
//   B, or the peer the script plays:                            192.0.2.2 port 8080
// Data is modelled by length; its octets are written as zeros. The timestamps are the run's
// virtual time.
#include <string>

#include "harness/script_runner.hpp"

namespace tcpfsm::harness {

inline constexpr const char* kAddressA = "192.0.2.1";
inline constexpr const char* kAddressB = "192.0.2.2";
inline constexpr std::uint16_t kPortA = 40000;
inline constexpr std::uint16_t kPortB = 8080;

bool write_pcap(const RunResult& run, const std::string& path, std::string& error);

}  // namespace tcpfsm::harness
