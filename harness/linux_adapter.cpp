// The Linux kernel's TCP behind the harness: a private network namespace, a TUN device, the
// kernel socket on 192.0.2.1 and the injected peer on 192.0.2.2. See linux_adapter.hpp.
#include "harness/linux_adapter.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <random>
#include <span>
#include <thread>

#include "core/state.hpp"

namespace tcpfsm::harness {

namespace cf = conformance;

namespace {

// --- addresses of FORMAT.md ---
constexpr std::uint32_t kKernelAddr = (192u << 24) | (0u << 16) | (2u << 8) | 1u;  // 192.0.2.1
constexpr std::uint32_t kPeerAddr = (192u << 24) | (0u << 16) | (2u << 8) | 2u;    // 192.0.2.2
constexpr std::uint16_t kServerPort = 8080;         // the kernel listens here
constexpr std::uint16_t kClientPort = 40000;        // ... and the injector connects from here
constexpr std::uint16_t kKernelClientPort = 50000;  // role client: the kernel's port
constexpr std::uint16_t kPeerServerPort = 9090;     // ... and the injector's
constexpr const char* kTunName = "tcpfsm0";
// Injected payload is capped below the TUN device's MTU (1500) less the headers, so that a
// segment is never fragmented; scenarios send far less.
constexpr std::size_t kMaxTunPayload = 1400;

// Linux's TCP states (include/net/tcp_states.h); 12 and 13 are newer than Debian's headers.
constexpr int kTcpNewSynRecv = 12;
constexpr int kTcpBoundInactive = 13;

// The sysctls of FORMAT.md, per network namespace.
const std::array<std::pair<const char*, const char*>, 20> kSysctls = {{
    {"net/ipv4/tcp_timestamps", "0"},
    {"net/ipv4/tcp_sack", "0"},
    {"net/ipv4/tcp_dsack", "0"},
    {"net/ipv4/tcp_window_scaling", "0"},
    {"net/ipv4/tcp_syncookies", "0"},
    {"net/ipv4/tcp_ecn", "0"},
    {"net/ipv4/tcp_fastopen", "0"},
    {"net/ipv4/tcp_early_retrans", "0"},
    {"net/ipv4/tcp_autocorking", "0"},
    {"net/ipv4/tcp_invalid_ratelimit", "0"},
    {"net/ipv4/tcp_challenge_ack_limit", "2147483647"},
    {"net/ipv4/tcp_rto_min_us", "3000000"},
    {"net/ipv4/tcp_rfc1337", "0"},
    {"net/ipv4/tcp_fin_timeout", "60"},
    {"net/ipv4/tcp_no_metrics_save", "1"},
    {"net/ipv4/tcp_rmem", "4096 131072 6291456"},
    {"net/ipv4/tcp_wmem", "4096 16384 4194304"},
    {"net/ipv4/tcp_adv_win_scale", "1"},
    {"net/ipv4/tcp_moderate_rcvbuf", "1"},
    {"net/ipv4/tcp_syn_retries", "6"},
}};

// A file descriptor that closes itself.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) reset(o.release());
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

std::string errno_text(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

std::string errno_name(int e) {
  switch (e) {
    case EAGAIN: return "EAGAIN";
    case EINPROGRESS: return "EINPROGRESS";
    case ECONNRESET: return "ECONNRESET";
    case ECONNREFUSED: return "ECONNREFUSED";
    case EPIPE: return "EPIPE";
    case ENOTCONN: return "ENOTCONN";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EISCONN: return "EISCONN";
    case EALREADY: return "EALREADY";
    default: return "E" + std::to_string(e);
  }
}

sockaddr_in inet(std::uint32_t addr, std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(addr);
  a.sin_port = htons(port);
  return a;
}

// ------------------------------------------------------------------------------------------
// The network namespace and what lives in it.

// Enters a fresh, unnamed network namespace for the calling thread and returns to the original
// one when destroyed. Everything created inside (sockets, the TUN device) keeps the namespace
// alive; when they are closed, the kernel removes it.
class NamespaceVisit {
 public:
  std::optional<std::string> enter() {
    original_.reset(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    if (!original_.valid()) return errno_text("open /proc/thread-self/ns/net");
    if (::unshare(CLONE_NEWNET) != 0) {
      original_.reset();
      return errno_text("unshare(CLONE_NEWNET)");
    }
    return std::nullopt;
  }
  ~NamespaceVisit() {
    if (original_.valid()) (void)::setns(original_.get(), CLONE_NEWNET);
  }

 private:
  Fd original_;
};

std::optional<std::string> write_sysctl(const std::string& key, const std::string& value,
                                        bool optional) {
  const std::string path = "/proc/sys/" + key;
  Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (optional) return std::nullopt;
    return errno_text("sysctl " + key);
  }
  const std::string text = value + "\n";
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    return errno_text("sysctl " + key + "=" + value);
  }
  return std::nullopt;
}

// Appends one attribute to a netlink message buffer.
void add_attr(std::vector<std::uint8_t>& msg, std::uint16_t type, const void* data,
              std::size_t len) {
  const std::size_t at = msg.size();
  msg.resize(at + RTA_SPACE(len), 0);
  auto* rta = reinterpret_cast<rtattr*>(msg.data() + at);
  rta->rta_type = type;
  rta->rta_len = static_cast<unsigned short>(RTA_LENGTH(len));
  std::memcpy(RTA_DATA(rta), data, len);
}

// ip route add 192.0.2.2/32 dev tcpfsm0 quickack 1
std::optional<std::string> add_peer_route(int ifindex) {
  Fd nl(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!nl.valid()) return errno_text("rtnetlink socket");
  std::vector<std::uint8_t> msg(NLMSG_SPACE(sizeof(rtmsg)), 0);
  auto* rt = reinterpret_cast<rtmsg*>(msg.data() + NLMSG_HDRLEN);
  rt->rtm_family = AF_INET;
  rt->rtm_dst_len = 32;
  rt->rtm_table = RT_TABLE_MAIN;
  rt->rtm_protocol = RTPROT_STATIC;
  rt->rtm_scope = RT_SCOPE_LINK;
  rt->rtm_type = RTN_UNICAST;
  const std::uint32_t dst = htonl(kPeerAddr);
  const std::uint32_t src = htonl(kKernelAddr);
  const int oif = ifindex;
  add_attr(msg, RTA_DST, &dst, sizeof dst);
  add_attr(msg, RTA_PREFSRC, &src, sizeof src);
  add_attr(msg, RTA_OIF, &oif, sizeof oif);
  std::vector<std::uint8_t> metrics;
  const std::uint32_t one = 1;
  add_attr(metrics, RTAX_QUICKACK, &one, sizeof one);
  add_attr(msg, RTA_METRICS, metrics.data(), metrics.size());
  auto* nh = reinterpret_cast<nlmsghdr*>(msg.data());
  nh->nlmsg_len = static_cast<std::uint32_t>(msg.size());
  nh->nlmsg_type = RTM_NEWROUTE;
  nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK;
  nh->nlmsg_seq = 1;
  if (::send(nl.get(), msg.data(), msg.size(), 0) < 0) return errno_text("RTM_NEWROUTE");
  std::array<std::uint8_t, 4096> buf{};
  const ssize_t n = ::recv(nl.get(), buf.data(), buf.size(), 0);
  if (n < static_cast<ssize_t>(NLMSG_HDRLEN + sizeof(nlmsgerr))) return errno_text("route ack");
  const auto* reply = reinterpret_cast<const nlmsghdr*>(buf.data());
  if (reply->nlmsg_type == NLMSG_ERROR) {
    const auto* err = reinterpret_cast<const nlmsgerr*>(NLMSG_DATA(reply));
    if (err->error != 0) {
      errno = -err->error;
      return errno_text("ip route add 192.0.2.2/32 dev tcpfsm0 quickack 1");
    }
  }
  return std::nullopt;
}

// What sock_diag says about the sockets of the namespace.
struct DiagEntry {
  int state = 0;
  std::uint16_t sport = 0, dport = 0;
  std::uint32_t src = 0, dst = 0;
  std::uint32_t rqueue = 0, wqueue = 0;
  bool full = false;  // carries tcp_info: a full socket (not a request or timewait one)
};

std::string rfc_name(int linux_state) {
  switch (linux_state) {
    case 1: return "ESTABLISHED";
    case 2: return "SYN-SENT";
    case 3:
    case kTcpNewSynRecv: return "SYN-RECEIVED";
    case 4: return "FIN-WAIT-1";
    case 5: return "FIN-WAIT-2";
    case 6: return "TIME-WAIT";
    case 8: return "CLOSE-WAIT";
    case 9: return "LAST-ACK";
    case 10: return "LISTEN";
    case 11: return "CLOSING";
    default: return "CLOSED";  // 7 (CLOSE), 13 (bound, inactive)
  }
}

// One kernel socket world: the namespace's TUN device, the kernel's socket(s), and the
// injector's side.
class LinuxStack {
 public:
  static std::variant<std::unique_ptr<LinuxStack>, std::string> create(
      cf::Role role, const std::vector<std::pair<std::string, std::int64_t>>& sysctl) {
    auto stack = std::unique_ptr<LinuxStack>(new LinuxStack(role));
    if (auto err = stack->setup(sysctl)) return *err;
    return stack;
  }

  cf::Role role() const { return role_; }
  std::uint16_t kernel_port() const {
    return role_ == cf::Role::Client ? kKernelClientPort : kServerPort;
  }
  std::uint16_t peer_port() const {
    return role_ == cf::Role::Client ? kPeerServerPort : kClientPort;
  }

  std::optional<std::string> inject(const Segment& seg) {
    const PacketEnds ends{
        .src = kPeerAddr, .sport = peer_port(), .dst = kKernelAddr, .dport = kernel_port()};
    const auto packet = ipv4_tcp_packet(ends, seg, ++ip_id_, kMaxTunPayload);
    if (::write(tun_.get(), packet.data(), packet.size()) != static_cast<ssize_t>(packet.size())) {
      return errno_text("write to TUN");
    }
    return std::nullopt;
  }

  // Collects what the kernel sends for `ms` milliseconds (at least one non-blocking pass).
  std::vector<ParsedPacket> collect(std::uint32_t ms) {
    std::vector<ParsedPacket> out;
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    std::array<std::uint8_t, 65536> buf{};
    for (;;) {
      for (;;) {
        const ssize_t n = ::read(tun_.get(), buf.data(), buf.size());
        if (n <= 0) break;
        auto p = parse_ipv4_tcp(std::span(buf.data(), static_cast<std::size_t>(n)));
        if (p && p->ends.src == kKernelAddr && p->ends.dst == kPeerAddr &&
            p->ends.sport == kernel_port() && p->ends.dport == peer_port()) {
          out.push_back(std::move(*p));
        }
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                            until - std::chrono::steady_clock::now())
                            .count();
      if (left <= 0) break;
      pollfd pfd{tun_.get(), POLLIN, 0};
      (void)::poll(&pfd, 1, static_cast<int>(left));
    }
    return out;
  }

  // The application's calls; the result as FORMAT.md's `app` object.
  std::string app(cf::Op op, std::uint32_t n) {
    switch (op) {
      case cf::Op::Inject:
      case cf::Op::Wait: return "";
      case cf::Op::Connect: {
        if (!app_.valid()) return err(EBADF);
        const sockaddr_in peer = inet(kPeerAddr, kPeerServerPort);
        if (::connect(app_.get(), reinterpret_cast<const sockaddr*>(&peer), sizeof peer) == 0) {
          return ret(0);
        }
        return errno == EINPROGRESS ? R"({"ret":"EINPROGRESS"})" : err(errno);
      }
      case cf::Op::Accept: {
        if (!listener_.valid()) return err(EBADF);
        const int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return err(errno);
        old_.push_back(std::move(app_));
        app_.reset(fd);
        return ret(0);
      }
      case cf::Op::Send: {
        if (!app_.valid()) return err(EBADF);
        const std::vector<char> zeros(n, 0);
        const ssize_t r =
            ::send(app_.get(), zeros.data(), zeros.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        return r < 0 ? err(errno) : ret(r);
      }
      case cf::Op::Read: {
        if (!app_.valid()) return err(EBADF);
        std::array<char, 65536> buf{};
        long long total = 0;
        std::string end = "EAGAIN";
        for (;;) {
          const ssize_t r = ::recv(app_.get(), buf.data(), buf.size(), MSG_DONTWAIT);
          if (r > 0) {
            total += r;
            continue;
          }
          end = r == 0 ? "EOF" : errno_name(errno);
          break;
        }
        return R"({"ret":)" + std::to_string(total) + R"(,"end":")" + end + R"("})";
      }
      case cf::Op::ShutdownWr:
        if (!app_.valid()) return err(EBADF);
        return ::shutdown(app_.get(), SHUT_WR) == 0 ? ret(0) : err(errno);
      case cf::Op::Close:
        if (!app_.valid()) return err(EBADF);
        app_.reset();
        return ret(0);
      case cf::Op::Abort: {
        if (!app_.valid()) return err(EBADF);
        const linger l{1, 0};
        (void)::setsockopt(app_.get(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
        app_.reset();
        return ret(0);
      }
      case cf::Op::CloseListener:
        if (!listener_.valid()) return err(EBADF);
        listener_.reset();
        return ret(0);
    }
    return "";
  }

  // The 4-tuple's socket (if any) and whether the listener is there.
  struct Observation {
    std::optional<DiagEntry> conn;
    bool listener = false;
  };
  Observation observe() {
    Observation obs;
    int best = 0;
    for (const DiagEntry& e : diag()) {
      if (e.src != kKernelAddr || e.sport != kernel_port()) continue;
      if (e.state == 10) {
        obs.listener = true;
        continue;
      }
      // The live connection of the 4-tuple first, then a closed socket still bound to it
      // (the application's descriptor), then one bound to the port alone.
      const bool tuple = e.dst == kPeerAddr && e.dport == peer_port();
      const bool bound_only = e.dst == 0 && e.dport == 0;
      const bool closed = e.state == 7 || e.state == kTcpBoundInactive;
      const int rank = tuple ? (closed ? 2 : 3) : (bound_only ? 1 : 0);
      if (rank > best) {
        best = rank;
        obs.conn = e;
      }
    }
    return obs;
  }

 private:
  explicit LinuxStack(cf::Role role) : role_(role) {}

  static std::string ret(long long v) { return R"({"ret":)" + std::to_string(v) + "}"; }
  static std::string err(int e) { return R"({"err":")" + errno_name(e) + R"("})"; }

  std::optional<std::string> setup(
      const std::vector<std::pair<std::string, std::int64_t>>& sysctl) {
    NamespaceVisit visit;
    if (auto e = visit.enter()) return e;
    // IPv6 off before the device exists, so that it never sends a router solicitation.
    for (const char* key :
         {"net/ipv6/conf/all/disable_ipv6", "net/ipv6/conf/default/disable_ipv6"}) {
      if (auto e = write_sysctl(key, "1", true)) return e;
    }
    for (const auto& [key, value] : kSysctls) {
      if (auto e = write_sysctl(key, value, false)) return e;
    }
    for (const auto& [key, value] : sysctl) {
      if (key.rfind("tcp_", 0) != 0 || key.find('/') != std::string::npos) {
        return "only tcp_* sysctls can be overridden, not " + key;
      }
      if (auto e = write_sysctl("net/ipv4/" + key, std::to_string(value), false)) return e;
    }
    tun_.reset(::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC));
    if (!tun_.valid()) return errno_text("open /dev/net/tun");
    ifreq ifr{};
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    std::strncpy(ifr.ifr_name, kTunName, IFNAMSIZ - 1);
    if (::ioctl(tun_.get(), TUNSETIFF, &ifr) != 0) return errno_text("TUNSETIFF");
    Fd ctl(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!ctl.valid()) return errno_text("socket");
    ifreq addr{};
    std::strncpy(addr.ifr_name, kTunName, IFNAMSIZ - 1);
    const sockaddr_in local = inet(kKernelAddr, 0);
    std::memcpy(&addr.ifr_addr, &local, sizeof local);
    if (::ioctl(ctl.get(), SIOCSIFADDR, &addr) != 0) return errno_text("SIOCSIFADDR");
    const sockaddr_in mask = inet(0xFFFFFFFFu, 0);
    std::memcpy(&addr.ifr_netmask, &mask, sizeof mask);
    if (::ioctl(ctl.get(), SIOCSIFNETMASK, &addr) != 0) return errno_text("SIOCSIFNETMASK");
    ifreq up{};
    std::strncpy(up.ifr_name, kTunName, IFNAMSIZ - 1);
    if (::ioctl(ctl.get(), SIOCGIFFLAGS, &up) != 0) return errno_text("SIOCGIFFLAGS");
    up.ifr_flags = static_cast<short>(up.ifr_flags | IFF_UP);
    if (::ioctl(ctl.get(), SIOCSIFFLAGS, &up) != 0) return errno_text("SIOCSIFFLAGS");
    const int ifindex = static_cast<int>(::if_nametoindex(kTunName));
    if (ifindex == 0) return errno_text("if_nametoindex");
    if (auto e = add_peer_route(ifindex)) return e;
    diag_.reset(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
    if (!diag_.valid()) return errno_text("NETLINK_SOCK_DIAG socket");

    const int one = 1;
    if (role_ == cf::Role::Server) {
      listener_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
      if (!listener_.valid()) return errno_text("socket");
      (void)::setsockopt(listener_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      const sockaddr_in a = inet(kKernelAddr, kServerPort);
      if (::bind(listener_.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
        return errno_text("bind 192.0.2.1:8080");
      }
      if (::listen(listener_.get(), 16) != 0) return errno_text("listen");
    } else if (role_ == cf::Role::Client) {
      app_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
      if (!app_.valid()) return errno_text("socket");
      (void)::setsockopt(app_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      const sockaddr_in a = inet(kKernelAddr, kKernelClientPort);
      if (::bind(app_.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
        return errno_text("bind 192.0.2.1:50000");
      }
    }
    (void)collect(0);  // anything the device sent while coming up
    return std::nullopt;
  }

  std::vector<DiagEntry> diag() {
    std::vector<DiagEntry> out;
    struct {
      nlmsghdr nh;
      inet_diag_req_v2 req;
    } msg{};
    msg.nh.nlmsg_len = sizeof msg;
    msg.nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    msg.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    msg.nh.nlmsg_seq = ++diag_seq_;
    msg.req.sdiag_family = AF_INET;
    msg.req.sdiag_protocol = IPPROTO_TCP;
    msg.req.idiag_states = ~0u;  // every state, bound-but-inactive sockets included
    msg.req.idiag_ext = 1 << (INET_DIAG_INFO - 1);
    if (::send(diag_.get(), &msg, sizeof msg, 0) < 0) return out;
    std::vector<std::uint8_t> buf(32768);
    for (;;) {
      const ssize_t n = ::recv(diag_.get(), buf.data(), buf.size(), 0);
      if (n <= 0) return out;
      auto len = static_cast<unsigned int>(n);
      for (auto* h = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(h, len);
           h = NLMSG_NEXT(h, len)) {
        if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) return out;
        const auto* m = reinterpret_cast<const inet_diag_msg*>(NLMSG_DATA(h));
        DiagEntry e;
        e.state = m->idiag_state;
        e.sport = ntohs(m->id.idiag_sport);
        e.dport = ntohs(m->id.idiag_dport);
        e.src = ntohl(m->id.idiag_src[0]);
        e.dst = ntohl(m->id.idiag_dst[0]);
        e.rqueue = m->idiag_rqueue;
        e.wqueue = m->idiag_wqueue;
        auto attr_len = static_cast<int>(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
        for (auto* a = reinterpret_cast<const rtattr*>(m + 1); RTA_OK(a, attr_len);
             a = RTA_NEXT(a, attr_len)) {
          if (a->rta_type == INET_DIAG_INFO) e.full = true;
        }
        out.push_back(e);
      }
    }
  }

  cf::Role role_;
  Fd tun_, diag_, listener_, app_;
  std::vector<Fd> old_;  // accepted sockets the application still holds
  std::uint16_t ip_id_ = 0;
  std::uint32_t diag_seq_ = 0;
};

// The record of the kernel's socket after a step.
void fill_observation(cf::StepRecord& r, const LinuxStack::Observation& obs) {
  r.listener = obs.listener;
  if (!obs.conn) {
    r.state = "CLOSED";
    r.sock = "";
    r.queues.reset();
    return;
  }
  const DiagEntry& e = *obs.conn;
  r.state = rfc_name(e.state);
  // A closed socket that is still bound (to the descriptor's port) is a full one without
  // tcp_info in the dump.
  const bool closed = e.state == 7 || e.state == kTcpBoundInactive;
  if (e.full || closed) {
    r.sock = "full";
    r.queues = std::pair{e.rqueue, e.wqueue};
  } else {
    const bool request = e.state == 3 || e.state == kTcpNewSynRecv;
    r.sock = request ? "request" : "timewait";
    r.queues = std::pair{0u, 0u};
  }
}

std::string kernel_release() {
  utsname u{};
  if (::uname(&u) != 0) return "unknown";
  return u.release;
}

std::uint32_t random_iss() {
  std::random_device rd;
  return static_cast<std::uint32_t>(rd());
}

// One run of a scenario on a fresh namespace.
std::variant<cf::Case, std::string> run_once(const cf::Scenario& scenario,
                                             const LinuxRunOptions& options) {
  auto created = LinuxStack::create(scenario.role, scenario.sysctl);
  if (auto* msg = std::get_if<std::string>(&created)) return *msg;
  LinuxStack& stack = *std::get<std::unique_ptr<LinuxStack>>(created);
  cf::Numbering numbers(options.injector_iss.value_or(random_iss()));
  cf::Case c;
  c.name = scenario.name;
  c.source = "linux " + kernel_release();
  c.scenario = scenario;
  const auto t0 = std::chrono::steady_clock::now();
  for (std::size_t k = 0; k < scenario.steps.size(); ++k) {
    const cf::ScenarioStep& step = scenario.steps[k];
    cf::StepRecord r;
    r.i = static_cast<int>(k);
    r.op = step.op;
    r.n = step.op == cf::Op::Send ? step.n : 0;
    r.ms = step.op == cf::Op::Wait ? step.ms : 0;
    if (step.op == cf::Op::Inject) {
      const cf::WireSegment sent = numbers.resolve(step);
      if (auto e = stack.inject(numbers.to_absolute(sent))) return *e;
      numbers.injected(sent);
      r.sent = sent;
    } else {
      r.app = stack.app(step.op, step.n);
    }
    const std::uint32_t settle = options.settle_ms + (step.op == cf::Op::Wait ? step.ms : 0);
    for (ParsedPacket& p : stack.collect(settle)) {
      cf::WireSegment w = numbers.observed(p.seg);
      w.opts = std::move(p.opts);
      r.segments.push_back(std::move(w));
    }
    fill_observation(r, stack.observe());
    r.t_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    c.steps.push_back(std::move(r));
  }
  return c;
}

}  // namespace

bool linux_stack_available(std::string& why) {
  if (::geteuid() != 0) {
    why = "not root (kernel runs need CAP_SYS_ADMIN for a network namespace)";
    return false;
  }
  if (::access("/dev/net/tun", R_OK | W_OK) != 0) {
    why = "no usable /dev/net/tun";
    return false;
  }
  auto probe = LinuxStack::create(cf::Role::Closed, {});
  if (auto* msg = std::get_if<std::string>(&probe)) {
    why = *msg;
    return false;
  }
  return true;
}

std::variant<cf::Case, std::string> run_on_linux(const cf::Scenario& scenario,
                                                 const LinuxRunOptions& options) {
  auto first = run_once(scenario, options);
  if (std::holds_alternative<std::string>(first)) return first;
  cf::Case& c = std::get<cf::Case>(first);
  c.runs = std::max(1, options.runs);
  for (int k = 1; k < options.runs; ++k) {
    auto again = run_once(scenario, options);
    if (auto* msg = std::get_if<std::string>(&again)) return *msg;
    const cf::Case& other = std::get<cf::Case>(again);
    for (std::size_t i = 0; i < c.steps.size() && i < other.steps.size(); ++i) {
      cf::StepRecord& a = c.steps[i];
      const cf::StepRecord& b = other.steps[i];
      bool same = a.state == b.state && a.segments.size() == b.segments.size();
      for (std::size_t j = 0; same && j < a.segments.size(); ++j) {
        const cf::WireSegment& x = a.segments[j];
        const cf::WireSegment& y = b.segments[j];
        same = x.flags == y.flags && x.seq_abs0 == y.seq_abs0 && (x.seq_abs0 || x.seq == y.seq) &&
               x.ack == y.ack && x.len == y.len;
      }
      if (!same) {
        a.deterministic = false;
        c.deterministic = false;
      }
    }
  }
  return first;
}

namespace {

// The kernel as an EndpointUnderTest. Which socket it is (listener, client, none) follows from
// the first event: a passive OPEN, an active OPEN, or a segment arriving at a closed port.
class LinuxUnderTest final : public EndpointUnderTest {
 public:
  LinuxUnderTest(const Profile& profile, SeqNum first_iss)
      : profile_(profile), first_iss_(first_iss), t0_(std::chrono::steady_clock::now()) {}

  std::string_view kind() const override { return "linux"; }

  Outcome step(const Event& event, Millis now) override {
    pace(now);
    Outcome out;
    out.from = state_;
    std::visit([&](const auto& e) { apply(e, out); }, event);
    if (stack_) {
      for (ParsedPacket& p : stack_->collect(kSettleMs)) out.sent.push_back(from_kernel(p.seg));
      const LinuxStack::Observation obs = stack_->observe();
      if (obs.conn) {
        state_ = parse_state(rfc_name(obs.conn->state)).value_or(State::Closed);
        synchronized_ = synchronized_ || is_synchronized(state_);
      } else {
        // The RFC's connection goes back to LISTEN only from SYN-RECEIVED; once synchronized
        // it ends in CLOSED, even though Linux's listener lives on.
        state_ = obs.listener && !synchronized_ ? State::Listen : State::Closed;
      }
    }
    out.to = state_;
    return out;
  }

  State state() const override { return state_; }
  std::optional<TcbSnapshot> tcb() const override { return std::nullopt; }
  std::optional<std::pair<TimerKind, Millis>> next_timer() const override { return std::nullopt; }
  std::optional<Millis> deadline(TimerKind) const override { return std::nullopt; }
  const Profile& profile() const override { return profile_; }
  std::unique_ptr<EndpointUnderTest> clone() const override { return nullptr; }

 private:
  static constexpr std::uint32_t kSettleMs = 40;

  // Virtual time is real time here: wait until `now` ms have passed since the start.
  void pace(Millis now) const {
    const auto due = t0_ + std::chrono::milliseconds(now);
    if (due > std::chrono::steady_clock::now()) std::this_thread::sleep_until(due);
  }

  bool start(cf::Role role, Outcome& out) {
    if (stack_) return true;
    auto created = LinuxStack::create(role, {});
    if (std::holds_alternative<std::string>(created)) {
      out.notices.push_back(Notice::err(UserError::InsufficientResources));
      return false;
    }
    stack_ = std::move(std::get<std::unique_ptr<LinuxStack>>(created));
    return true;
  }

  // A passive endpoint's calls go to the accepted connection.
  void accept_if_needed() {
    if (stack_ && stack_->role() == cf::Role::Server && !accepted_) {
      accepted_ = stack_->app(cf::Op::Accept, 0).find("\"ret\"") != std::string::npos;
    }
  }

  static Notice notice_of(const std::string& app) {
    if (app.find("\"err\"") != std::string::npos) {
      return Notice::err(app.find("EPIPE") != std::string::npos
                             ? UserError::ConnectionClosing
                             : UserError::ConnectionDoesNotExist);
    }
    return Notice::ok();
  }

  void apply(const OpenCall& call, Outcome& out) {
    if (stack_) {
      out.notices.push_back(Notice::err(UserError::ConnectionAlreadyExists));
      return;
    }
    if (!start(call.passive ? cf::Role::Server : cf::Role::Client, out)) return;
    if (!call.passive) (void)stack_->app(cf::Op::Connect, 0);
    out.notices.push_back(Notice::ok());
  }
  void apply(const SendCall& call, Outcome& out) {
    accept_if_needed();
    if (!stack_) return out.notices.push_back(Notice::err(UserError::ConnectionDoesNotExist));
    out.notices.push_back(notice_of(stack_->app(cf::Op::Send, call.len)));
  }
  void apply(const ReceiveCall&, Outcome& out) {
    accept_if_needed();
    if (!stack_) return out.notices.push_back(Notice::err(UserError::ConnectionDoesNotExist));
    const std::string r = stack_->app(cf::Op::Read, 0);
    const auto at = r.find("\"ret\":");
    const std::uint32_t n =
        at == std::string::npos ? 0 : static_cast<std::uint32_t>(std::atol(r.c_str() + at + 6));
    if (n > 0) {
      out.notices.push_back(Notice::delivered(n));
    } else if (r.find("EOF") != std::string::npos) {
      out.notices.push_back(Notice::err(UserError::ConnectionClosing));
    } else if (r.find("EAGAIN") != std::string::npos) {
      out.notices.push_back(Notice::queued());
    } else {
      out.notices.push_back(Notice::err(UserError::ConnectionReset));
    }
  }
  void apply(const CloseCall&, Outcome& out) {
    accept_if_needed();
    if (!stack_) return out.notices.push_back(Notice::err(UserError::ConnectionDoesNotExist));
    // A listener with no connection: closing it is the RFC's CLOSE in LISTEN.
    const cf::Op op =
        stack_->role() == cf::Role::Server && !accepted_ ? cf::Op::CloseListener : cf::Op::Close;
    out.notices.push_back(notice_of(stack_->app(op, 0)));
  }
  void apply(const AbortCall&, Outcome& out) {
    accept_if_needed();
    if (!stack_) return out.notices.push_back(Notice::err(UserError::ConnectionDoesNotExist));
    out.notices.push_back(notice_of(stack_->app(cf::Op::Abort, 0)));
  }
  void apply(const StatusCall&, Outcome& out) { out.notices.push_back(Notice::status(state_)); }
  void apply(const SegmentArrives& arrival, Outcome& out) {
    if (!start(cf::Role::Closed, out)) return;
    Segment seg = arrival.seg;
    if (offset_) seg.ack = SeqNum(seg.ack.raw() + *offset_);
    (void)stack_->inject(seg);
  }
  void apply(const TimerExpires&, Outcome& out) {
    out.rule = Rule::TimerNotArmed;  // the kernel's timers run on their own
  }

  // The kernel's numbers, shifted so that its first ISS reads as `first_iss_`.
  Segment from_kernel(Segment seg) {
    if (seg.syn() && !offset_) offset_ = seg.seq.raw() - first_iss_.raw();
    if (offset_) seg.seq = SeqNum(seg.seq.raw() - *offset_);
    return seg;
  }

  Profile profile_;
  SeqNum first_iss_;
  std::chrono::steady_clock::time_point t0_;
  std::unique_ptr<LinuxStack> stack_;
  std::optional<std::uint32_t> offset_;
  bool accepted_ = false;
  bool synchronized_ = false;
  State state_ = State::Closed;
};

}  // namespace

std::unique_ptr<EndpointUnderTest> make_linux_endpoint(const Profile& profile, SeqNum first_iss) {
  std::string why;
  if (!linux_stack_available(why)) return nullptr;
  return std::make_unique<LinuxUnderTest>(profile, first_iss);
}

}  // namespace tcpfsm::harness
