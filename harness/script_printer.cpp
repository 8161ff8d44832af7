// Writes a Script back as canonical .tcp text (docs/script-format.md, "Canonical form"):
// parse_script(print_script(s)) == s for every script the parser can produce.
#include <string>
#include <type_traits>

#include "harness/script.hpp"

namespace tcpfsm::harness {

namespace {

std::string prefix(Actor a) {
  switch (a) {
    case Actor::Self: return "";
    case Actor::A: return "A ";
    case Actor::B: return "B ";
  }
  return "";
}

std::string_view tcb_var_name(TcbVar v) {
  switch (v) {
    case TcbVar::Iss: return "iss";
    case TcbVar::Irs: return "irs";
    case TcbVar::SndUna: return "snd.una";
    case TcbVar::SndNxt: return "snd.nxt";
    case TcbVar::SndWnd: return "snd.wnd";
    case TcbVar::SndWl1: return "snd.wl1";
    case TcbVar::SndWl2: return "snd.wl2";
    case TcbVar::SndUp: return "snd.up";
    case TcbVar::MaxSndWnd: return "max.snd.wnd";
    case TcbVar::RcvNxt: return "rcv.nxt";
    case TcbVar::RcvWnd: return "rcv.wnd";
    case TcbVar::RcvUp: return "rcv.up";
  }
  return "?";
}

std::string number(const Number& n) {
  return (n.absolute ? "=" : "") + std::to_string(n.value);
}

// Packetdrill order: S F R P U, then '.' for ACK; '-' when no bit is set.
std::string flags(std::uint8_t ctl) {
  std::string s;
  if (ctl & kSyn) s += 'S';
  if (ctl & kFin) s += 'F';
  if (ctl & kRst) s += 'R';
  if (ctl & kPsh) s += 'P';
  if (ctl & kUrg) s += 'U';
  if (ctl & kAck) s += '.';
  return s.empty() ? "-" : s;
}

// "S. 0:0(0) ack 1 win 65535": START:END(LEN), END written the same way as START.
std::string segment(const SegmentSpec& seg) {
  const Number end{seg.seq.absolute, seg.seq.value + seg.len};  // modulo 2^32
  std::string s = flags(seg.ctl) + " " + number(seg.seq) + ":" + number(end) + "(" +
                  std::to_string(seg.len) + ")";
  if (seg.ack) s += " ack " + number(*seg.ack);
  if (seg.wnd) s += " win " + std::to_string(*seg.wnd);
  if (seg.up) s += " urg " + std::to_string(*seg.up);
  return s;
}

std::string notice(const Notice& n) {
  switch (n.kind) {
    case NoticeKind::Ok: return "ok";
    case NoticeKind::Error: return std::string(message(n.error));
    case NoticeKind::Queued: return "queued";
    case NoticeKind::Delivered: return "delivered " + std::to_string(n.length);
    case NoticeKind::Status: return "status " + std::string(to_string(n.state));
    case NoticeKind::Urgent: return "urgent";
  }
  return "?";
}

std::string direction(Actor from) {
  return from == Actor::B ? "B->A" : "A->B";
}

// A user call. CallLine holds only OPEN .. STATUS; the other two events are written as the
// lines that mean the same thing ('<' with absolute numbers, 'timeout').
std::string call(const Event& e) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, OpenCall>) {
          return std::string(v.passive ? "open passive" : "open active") +
                 (v.remote_specified ? "" : " unspecified");
        } else if constexpr (std::is_same_v<T, SendCall>) {
          return "send " + std::to_string(v.len) + (v.urgent ? " urgent" : "");
        } else if constexpr (std::is_same_v<T, ReceiveCall>) {
          return v.max_len == 0 ? "receive" : "receive " + std::to_string(v.max_len);
        } else if constexpr (std::is_same_v<T, CloseCall>) {
          return "close";
        } else if constexpr (std::is_same_v<T, AbortCall>) {
          return "abort";
        } else if constexpr (std::is_same_v<T, StatusCall>) {
          return "status";
        } else if constexpr (std::is_same_v<T, SegmentArrives>) {
          SegmentSpec spec;
          spec.ctl = v.seg.ctl;
          spec.seq = Number{true, v.seg.seq.raw()};
          spec.len = v.seg.len;
          if (v.seg.ack_flag()) spec.ack = Number{true, v.seg.ack.raw()};
          spec.wnd = v.seg.wnd;
          if (v.seg.has(kUrg)) spec.up = v.seg.up;
          return "< " + segment(spec);
        } else {
          return "timeout " + std::string(to_string(v.timer));
        }
      },
      e);
}

std::string body(const Line& line) {
  return std::visit(
      [](const auto& l) -> std::string {
        using T = std::decay_t<decltype(l)>;
        if constexpr (std::is_same_v<T, InjectLine>) {
          return prefix(l.to) + "< " + segment(l.seg);
        } else if constexpr (std::is_same_v<T, ExpectSegmentLine>) {
          return prefix(l.from) + "> " + (l.seg ? segment(*l.seg) : "none");
        } else if constexpr (std::is_same_v<T, CallLine>) {
          return prefix(l.who) + call(l.call);
        } else if constexpr (std::is_same_v<T, ExpectStateLine>) {
          return prefix(l.who) + "state " + std::string(to_string(l.state));
        } else if constexpr (std::is_same_v<T, ExpectNoticeLine>) {
          return prefix(l.who) + "=> " + notice(l.notice);
        } else if constexpr (std::is_same_v<T, ExpectRuleLine>) {
          return prefix(l.who) + "why " + std::string(describe(l.rule).name);
        } else if constexpr (std::is_same_v<T, ExpectTcbLine>) {
          std::string s = prefix(l.who) + "tcb";
          for (const auto& [var, value] : l.values) {
            s += " " + std::string(tcb_var_name(var)) + "=" + number(value);
          }
          return s;
        } else if constexpr (std::is_same_v<T, TimeLine>) {
          return "time " + std::string(l.relative ? "+" : "") + std::to_string(l.value);
        } else if constexpr (std::is_same_v<T, TimeoutLine>) {
          return prefix(l.who) + "timeout " + std::string(to_string(l.timer));
        } else if constexpr (std::is_same_v<T, NetworkLine>) {
          const std::string index = l.index == 1 ? "" : " " + std::to_string(l.index);
          switch (l.op) {
            case NetOp::Deliver: return "deliver " + direction(l.from) + index;
            case NetOp::Drop: return "drop " + direction(l.from) + index;
            case NetOp::Duplicate: return "duplicate " + direction(l.from) + index;
            case NetOp::Reorder: return "reorder " + direction(l.from);
            case NetOp::DeliverAll: return "deliver all";
          }
          return "?";
        } else if constexpr (std::is_same_v<T, FaultsLine>) {
          return "faults seed=" + std::to_string(l.seed) + " loss=" + std::to_string(l.loss_pct) +
                 " dup=" + std::to_string(l.dup_pct) + " reorder=" + std::to_string(l.reorder_pct) +
                 " delay=" + std::to_string(l.delay_min) + "-" + std::to_string(l.delay_max);
        } else {
          return "run " + std::to_string(l.duration);
        }
      },
      line);
}

std::string profile(const std::string& directive, const ProfileSpec& p) {
  std::string s = directive + " " + p.name;
  for (const auto& [key, value] : p.settings) s += " " + key + "=" + value;
  return s + "\n";
}

}  // namespace

std::string print_line(const Script& /*s*/, const Line& line) {
  return body(line);
}

// The header is always written in full, defaults included, so that a printed script (a trace,
// a reduced counterexample) says everything it depends on.
std::string print_script(const Script& s) {
  std::string out;
  if (s.two_endpoints) {
    out += "endpoints A B\n";
    if (s.profile_a == s.profile_b) {
      out += profile("profile", s.profile_a);
    } else {
      out += profile("A profile", s.profile_a);
      out += profile("B profile", s.profile_b);
    }
    out += "A iss " + std::to_string(s.iss_a) + "\n";
    out += "B iss " + std::to_string(s.iss_b) + "\n";
  } else {
    out += profile("profile", s.profile_a);
    out += "iss " + std::to_string(s.iss_a) + "\n";
    out += "peer-iss " + std::to_string(s.iss_b) + "\n";
  }
  if (!s.lines.empty()) out += "\n";
  for (const ScriptLine& l : s.lines) out += print_line(s, l.line) + "\n";
  return out;
}

}  // namespace tcpfsm::harness
