#pragma once
// The Linux kernel's TCP as a black box under test.
//
// Every run gets a private network namespace (unshare(CLONE_NEWNET), never named, so it
// disappears with the last descriptor that refers to it, also when the process is killed) with
// a TUN device inside. The kernel's socket sits on 192.0.2.1; the peer is played from
// 192.0.2.2 by writing IPv4/TCP packets with valid checksums to the TUN descriptor, and what
// the kernel sends is read back from it. Connection states come from NETLINK_SOCK_DIAG. The
// sysctls of ../shared/conformance/FORMAT.md (listed in docs/linux-deviations.md) make runs
// deterministic. Nothing outside the namespace is touched.
//
// Needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN for unshare) and /dev/net/tun;
// linux_stack_available() says why not when they are missing.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/segment.hpp"
#include "harness/conformance.hpp"
#include "harness/endpoint_under_test.hpp"
#include "harness/ipv4_tcp_packet.hpp"

namespace tcpfsm::harness {

// Whether kernel runs can happen here; if not, `why` says what is missing.
bool linux_stack_available(std::string& why);

struct LinuxRunOptions {
  std::uint32_t settle_ms = 40;  // how long segments are collected after each step
  // The injector's ISS; nullopt: a random one per run (FORMAT.md).
  std::optional<std::uint32_t> injector_iss;
  // Runs per scenario, each in a fresh namespace; the first is recorded, and a step whose
  // state or segments (flags, SEQ, ACK, LEN) differ in a later run is marked not deterministic.
  int runs = 1;
};

// Plays a scenario on the kernel and records the case (FORMAT.md), or says why it could not.
std::variant<conformance::Case, std::string> run_on_linux(const conformance::Scenario& scenario,
                                                          const LinuxRunOptions& options = {});

// The kernel behind EndpointUnderTest: OPEN, SEND, RECEIVE, CLOSE (close()) and ABORT
// (SO_LINGER 0) on a kernel socket, arriving segments injected through the TUN device. The
// kernel chooses its own ISS; the adapter shifts the kernel's sequence numbers so that they
// appear to start at `first_iss`, which keeps a script's relative numbers meaningful. tcb()
// and the timers are unknown (nullopt); the kernel's timers run in real time, and a step at
// virtual time `now` waits until that much real time has passed since the adapter was made.
// Returns nullptr when kernel runs are unavailable.
std::unique_ptr<EndpointUnderTest> make_linux_endpoint(const Profile& profile, SeqNum first_iss);

}  // namespace tcpfsm::harness
