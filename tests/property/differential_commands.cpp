// The commands of the differential test and their generation: one command per event kind,
// numbers aimed at the edges of the sequence spaces and resolved against the model when the
// command runs, and weights per state that let handshakes complete and closes happen.
#include <algorithm>
#include <array>
#include <initializer_list>
#include <ostream>

#include "differential.hpp"
#include "draw.hpp"

namespace tcpfsm::prop {

namespace {

// ------------------------------------------------------------------------------------------------
// Symbolic numbers, resolved against the model when a command runs
// ------------------------------------------------------------------------------------------------

// The model's view of the sequence spaces, with stand-ins before they are defined.
struct Spaces {
  SeqNum rcv_nxt, snd_una, snd_nxt, iss;
  std::uint32_t rcv_wnd = 0, snd_wnd = 0, max_snd_wnd = 0, mss = 536;
  bool fin_received = false;
};

Spaces spaces_of(const DiffModel& m) {
  const TcbSnapshot t = m.ep->tcb().value_or(TcbSnapshot{});
  const Profile& p = m.ep->profile();
  Spaces s;
  s.mss = p.mss;
  s.iss = t.iss_defined ? t.iss : SeqNum(m.setup->iss);
  s.snd_una = t.iss_defined ? t.snd_una : s.iss;
  s.snd_nxt = t.iss_defined ? t.snd_nxt : s.iss + 1;
  s.rcv_nxt = t.irs_defined ? t.rcv_nxt : SeqNum(m.setup->peer_iss);
  s.rcv_wnd = t.irs_defined ? t.rcv_wnd : p.receive_buffer;
  s.snd_wnd = t.snd_wnd;
  s.max_snd_wnd = t.max_snd_wnd;
  s.fin_received = t.fin_received;
  return s;
}

// A data length: fixed points around the MSS and the window, or a number.
enum class LenAt : std::uint8_t {
  Zero,
  One,
  MssMinus1,
  Mss,
  MssPlus1,
  WndMinus1,
  Wnd,
  WndPlus1,
  Some
};
struct LenSpec {
  LenAt at = LenAt::Zero;
  std::uint32_t n = 0;
};

std::uint32_t resolve(LenSpec l, std::uint32_t mss, std::uint32_t wnd) {
  switch (l.at) {
    case LenAt::Zero: return 0;
    case LenAt::One: return 1;
    case LenAt::MssMinus1: return mss - 1;
    case LenAt::Mss: return mss;
    case LenAt::MssPlus1: return mss + 1;
    case LenAt::WndMinus1: return wnd == 0 ? 0 : wnd - 1;
    case LenAt::Wnd: return wnd;
    case LenAt::WndPlus1: return wnd + 1;
    case LenAt::Some: return l.n;
  }
  return 0;
}

std::string describe(LenSpec l, const char* wnd_name) {
  switch (l.at) {
    case LenAt::Zero: return "0";
    case LenAt::One: return "1";
    case LenAt::MssMinus1: return "MSS-1";
    case LenAt::Mss: return "MSS";
    case LenAt::MssPlus1: return "MSS+1";
    case LenAt::WndMinus1: return std::string(wnd_name) + "-1";
    case LenAt::Wnd: return wnd_name;
    case LenAt::WndPlus1: return std::string(wnd_name) + "+1";
    case LenAt::Some: return std::to_string(l.n);
  }
  return "?";
}

LenSpec draw_len(std::uint32_t max_some) {
  LenSpec l;
  l.at = static_cast<LenAt>(pick({12, 12, 8, 10, 8, 5, 5, 5, 35}));
  if (l.at == LenAt::Some) l.n = *rc::gen::inRange<std::uint32_t>(2, max_some);
  return l;
}

// The window field a segment advertises.
enum class WndAt : std::uint8_t { Full, Zero, One, Mss, Some };
struct WndSpec {
  WndAt at = WndAt::Full;
  std::uint32_t n = 0;
};

std::uint32_t resolve(WndSpec w, std::uint32_t mss) {
  switch (w.at) {
    case WndAt::Full: return 65535;
    case WndAt::Zero: return 0;
    case WndAt::One: return 1;
    case WndAt::Mss: return std::min<std::uint32_t>(mss, 65535);
    case WndAt::Some: return w.n;
  }
  return 65535;
}

std::string describe(WndSpec w) {
  switch (w.at) {
    case WndAt::Full: return "65535";
    case WndAt::Zero: return "0";
    case WndAt::One: return "1";
    case WndAt::Mss: return "MSS";
    case WndAt::Some: return std::to_string(w.n);
  }
  return "?";
}

WndSpec draw_wnd(int full_weight, int zero_weight) {
  WndSpec w;
  w.at = static_cast<WndAt>(pick({full_weight, zero_weight, 4, 6, 15}));
  if (w.at == WndAt::Some) w.n = *rc::gen::inRange<std::uint32_t>(0, 65536);
  return w;
}

// Where SEG.SEQ points: the edges of the receive window (RFC 9293 §3.4 Table 5).
enum class SeqAt : std::uint8_t {
  RcvNxt,
  RcvNxtMinus1,
  WndLast,   // RCV.NXT+RCV.WND-1
  WndEnd,    // RCV.NXT+RCV.WND
  InWindow,  // strictly inside, past RCV.NXT
  Old,       // well before RCV.NXT
  Anywhere
};
struct SeqSpec {
  SeqAt at = SeqAt::RcvNxt;
  std::uint32_t n = 0;
};

SeqNum resolve(SeqSpec s, const Spaces& sp) {
  switch (s.at) {
    case SeqAt::RcvNxt: return sp.rcv_nxt;
    case SeqAt::RcvNxtMinus1: return sp.rcv_nxt - 1;
    case SeqAt::WndLast: return sp.rcv_nxt + sp.rcv_wnd - 1;
    case SeqAt::WndEnd: return sp.rcv_nxt + sp.rcv_wnd;
    case SeqAt::InWindow: return sp.rcv_nxt + 1 + s.n % std::max<std::uint32_t>(sp.rcv_wnd, 2);
    case SeqAt::Old: return sp.rcv_nxt - 2 - s.n;
    case SeqAt::Anywhere: return SeqNum(s.n);
  }
  return sp.rcv_nxt;
}

std::string describe(SeqSpec s) {
  switch (s.at) {
    case SeqAt::RcvNxt: return "RCV.NXT";
    case SeqAt::RcvNxtMinus1: return "RCV.NXT-1";
    case SeqAt::WndLast: return "RCV.NXT+RCV.WND-1";
    case SeqAt::WndEnd: return "RCV.NXT+RCV.WND";
    case SeqAt::InWindow: return "RCV.NXT+1+" + std::to_string(s.n) + "%RCV.WND";
    case SeqAt::Old: return "RCV.NXT-2-" + std::to_string(s.n);
    case SeqAt::Anywhere: return "=" + std::to_string(s.n);
  }
  return "?";
}

SeqSpec draw_seq() {
  SeqSpec s;
  s.at = static_cast<SeqAt>(pick({40, 12, 10, 10, 14, 6, 8}));
  switch (s.at) {
    case SeqAt::InWindow: s.n = *rc::gen::inRange<std::uint32_t>(0, 65536); break;
    case SeqAt::Old: s.n = *rc::gen::inRange<std::uint32_t>(0, 70'000); break;
    case SeqAt::Anywhere: s.n = *rc::gen::inRange<std::uint32_t>(0, 0xFFFF'FFFFu); break;
    case SeqAt::RcvNxt:
    case SeqAt::RcvNxtMinus1:
    case SeqAt::WndLast:
    case SeqAt::WndEnd: break;
  }
  return s;
}

// Where SEG.ACK points: the edges of the send sequence space (§3.4, §3.10.7.4 fifth check).
enum class AckAt : std::uint8_t {
  SndNxt,
  SndUna,
  SndNxtPlus1,
  SndUnaMinus1,
  Partial,  // between SND.UNA and SND.NXT
  TooOld,   // below SND.UNA-MAX.SND.WND (RFC 5961 §5.2)
  Iss,
  Anywhere
};
struct AckSpec {
  AckAt at = AckAt::SndNxt;
  std::uint32_t n = 0;
};

SeqNum resolve(AckSpec a, const Spaces& sp) {
  switch (a.at) {
    case AckAt::SndNxt: return sp.snd_nxt;
    case AckAt::SndUna: return sp.snd_una;
    case AckAt::SndNxtPlus1: return sp.snd_nxt + 1;
    case AckAt::SndUnaMinus1: return sp.snd_una - 1;
    case AckAt::Partial: {
      const std::uint32_t flight = sp.snd_nxt.since(sp.snd_una);
      return flight < 2 ? sp.snd_una : sp.snd_una + 1 + a.n % (flight - 1);
    }
    case AckAt::TooOld: return sp.snd_una - sp.max_snd_wnd - 1 - a.n;
    case AckAt::Iss: return sp.iss;
    case AckAt::Anywhere: return SeqNum(a.n);
  }
  return sp.snd_nxt;
}

std::string describe(AckSpec a) {
  switch (a.at) {
    case AckAt::SndNxt: return "SND.NXT";
    case AckAt::SndUna: return "SND.UNA";
    case AckAt::SndNxtPlus1: return "SND.NXT+1";
    case AckAt::SndUnaMinus1: return "SND.UNA-1";
    case AckAt::Partial: return "SND.UNA+1+" + std::to_string(a.n) + "%flight";
    case AckAt::TooOld: return "SND.UNA-MAX.SND.WND-1-" + std::to_string(a.n);
    case AckAt::Iss: return "ISS";
    case AckAt::Anywhere: return "=" + std::to_string(a.n);
  }
  return "?";
}

AckSpec draw_ack() {
  AckSpec a;
  a.at = static_cast<AckAt>(pick({40, 14, 10, 6, 10, 6, 6, 8}));
  switch (a.at) {
    case AckAt::Partial: a.n = *rc::gen::inRange<std::uint32_t>(0, 65536); break;
    case AckAt::TooOld: a.n = *rc::gen::inRange<std::uint32_t>(0, 1000); break;
    case AckAt::Anywhere: a.n = *rc::gen::inRange<std::uint32_t>(0, 0xFFFF'FFFFu); break;
    case AckAt::SndNxt:
    case AckAt::SndUna:
    case AckAt::SndNxtPlus1:
    case AckAt::SndUnaMinus1:
    case AckAt::Iss: break;
  }
  return a;
}

std::uint8_t draw_ctl() {
  static constexpr std::array<std::uint8_t, 16> kCommon = {
      kAck,        kAck | kPsh, kFin | kAck,        kSyn,        kSyn | kAck,
      kRst,        kRst | kAck, kFin | kPsh | kAck, kUrg | kAck, kUrg | kPsh | kAck,
      0,           kFin,        kSyn | kFin,        kSyn | kRst, kSyn | kAck | kFin,
      kRst | kFin,
  };
  if (*rc::gen::inRange(0, 100) < 65) {
    return kCommon[*rc::gen::inRange<std::size_t>(0, kCommon.size())];
  }
  // Any combination of the six control bits.
  return static_cast<std::uint8_t>(*rc::gen::inRange(0, 64));
}

// A segment as a script can write it: no ACK number without ACK, no urgent pointer without URG.
Segment normalized(Segment s) {
  if (!s.ack_flag()) s.ack = SeqNum(0);
  if (!s.has(kUrg)) s.up = 0;
  return s;
}

// ------------------------------------------------------------------------------------------------
// Commands
// ------------------------------------------------------------------------------------------------

class ActionCommand : public DiffCommand {
 public:
  void apply(DiffModel& m) const override { perform(*m.ep, m.now, resolve(m)); }
  void run(const DiffModel& m, DiffSut& sut) const override;
  void show(std::ostream& os) const override { os << describe(); }

  virtual Action resolve(const DiffModel& m) const = 0;
  virtual std::string describe() const = 0;
};

void ActionCommand::run(const DiffModel& m, DiffSut& sut) const {
  const Action action = resolve(m);
  const auto reference = m.ep->clone();
  Millis reference_now = m.now;
  TranscriptEntry entry;
  entry.action = action;
  entry.command = describe();
  entry.expected = perform(*reference, reference_now, action);
  entry.state_after = reference->state();
  entry.tcb_after = reference->tcb();

  const Millis sut_start = sut.now;
  const std::vector<StepView> actual = perform(*sut.ep, sut.now, action);
  sut.transcript.push_back(entry);

  std::optional<std::string> diff;
  if (sut_start != m.now) {
    diff = "clock before the command: reference " + std::to_string(m.now) + " ms, implementation " +
           std::to_string(sut_start) + " ms";
  }
  if (!diff) diff = compare_steps(entry.expected, actual);
  if (!diff) {
    StepView want, got;
    observe(*reference, want);
    observe(*sut.ep, got);
    want.now = reference_now;
    got.now = sut.now;
    diff = compare_observed(want, got);
    if (!diff && want.now != got.now) diff = "clock after the command differs";
  }
  if (diff) {
    sut.failure = "command " + std::to_string(sut.transcript.size()) + " [" + describe() +
                  "] = " + action_text(action) + " in " + std::string(to_string(m.ep->state())) +
                  ": " + *diff;
    RC_FAIL(sut.failure);
  }
}

class OpenCommand final : public ActionCommand {
 public:
  explicit OpenCommand(OpenCall c) : call_(c) {}
  Action resolve(const DiffModel&) const override { return Event{call_}; }
  std::string describe() const override {
    return std::string("OPEN ") + (call_.passive ? "passive" : "active") +
           (call_.remote_specified ? "" : " unspecified");
  }

 private:
  OpenCall call_;
};

class SendCommand final : public ActionCommand {
 public:
  SendCommand(LenSpec len, bool urgent) : len_(len), urgent_(urgent) {}
  Action resolve(const DiffModel& m) const override {
    const Spaces sp = spaces_of(m);
    return Event{SendCall{prop::resolve(len_, sp.mss, sp.snd_wnd), urgent_}};
  }
  std::string describe() const override {
    return "SEND " + prop::describe(len_, "SND.WND") + (urgent_ ? " urgent" : "");
  }

 private:
  LenSpec len_;
  bool urgent_;
};

class ReceiveCommand final : public ActionCommand {
 public:
  explicit ReceiveCommand(LenSpec max) : max_(max) {}
  Action resolve(const DiffModel& m) const override {
    const Spaces sp = spaces_of(m);
    return Event{ReceiveCall{prop::resolve(max_, sp.mss, sp.rcv_wnd)}};
  }
  std::string describe() const override { return "RECEIVE " + prop::describe(max_, "RCV.WND"); }

 private:
  LenSpec max_;
};

template <typename Call>
class PlainCallCommand final : public ActionCommand {
 public:
  explicit PlainCallCommand(std::string name) : name_(std::move(name)) {}
  Action resolve(const DiffModel&) const override { return Event{Call{}}; }
  std::string describe() const override { return name_; }

 private:
  std::string name_;
};

// A segment aimed at the edges of the windows, with any control bits.
class SegmentCommand final : public ActionCommand {
 public:
  struct Spec {
    std::uint8_t ctl = 0;
    SeqSpec seq;
    AckSpec ack;
    LenSpec len;
    WndSpec wnd;
    std::uint16_t up = 0;
  };
  explicit SegmentCommand(Spec s) : s_(s) {}
  Action resolve(const DiffModel& m) const override {
    const Spaces sp = spaces_of(m);
    Segment seg;
    seg.ctl = s_.ctl;
    seg.seq = prop::resolve(s_.seq, sp);
    seg.ack = prop::resolve(s_.ack, sp);
    seg.len = prop::resolve(s_.len, sp.mss, sp.rcv_wnd);
    seg.wnd = prop::resolve(s_.wnd, sp.mss);
    seg.up = s_.up;
    return Event{SegmentArrives{normalized(seg)}};
  }
  std::string describe() const override {
    std::string out = "SEG <SEQ=" + prop::describe(s_.seq) + ">";
    if (s_.ctl & kAck) out += "<ACK=" + prop::describe(s_.ack) + ">";
    out += "<CTL=" + ctl_to_string(s_.ctl) + "><LEN=" + prop::describe(s_.len, "RCV.WND") +
           "><WND=" + prop::describe(s_.wnd) + ">";
    if (s_.ctl & kUrg) out += "<UP=" + std::to_string(s_.up) + ">";
    return out;
  }

 private:
  Spec s_;
};

// The segment a well-behaved peer would send next, chosen by `choice` among what fits the
// state: the SYN to a listener, the SYN-ACK to our SYN, the ACK that completes the handshake,
// data, the ACK of our FIN, its own FIN (also crossing ours), a retransmitted FIN in
// TIME-WAIT, a new SYN to a TIME-WAIT.
class PeerCommand final : public ActionCommand {
 public:
  PeerCommand(std::uint32_t choice, LenSpec len, WndSpec wnd)
      : choice_(choice), len_(len), wnd_(wnd) {}
  Action resolve(const DiffModel& m) const override;
  std::string describe() const override {
    return "PEER plays along (choice " + std::to_string(choice_) + ", data " +
           prop::describe(len_, "RCV.WND") + ", window " + prop::describe(wnd_) + ")";
  }

 private:
  std::uint32_t choice_;
  LenSpec len_;
  WndSpec wnd_;
};

Action PeerCommand::resolve(const DiffModel& m) const {
  const Spaces sp = spaces_of(m);
  const State st = m.ep->state();
  const std::uint32_t c = choice_ % 8;
  Segment s;
  s.wnd = prop::resolve(wnd_, sp.mss);
  // New data fits the window (one octet into a zero window: the peer probes it).
  const std::uint32_t data =
      std::min(prop::resolve(len_, sp.mss, sp.rcv_wnd), std::max<std::uint32_t>(sp.rcv_wnd, 1));
  auto ack_all = [&](std::uint8_t extra, std::uint32_t len) {
    s.ctl = static_cast<std::uint8_t>(kAck | extra);
    s.seq = sp.rcv_nxt;
    s.ack = sp.snd_nxt;
    s.len = len;
  };
  switch (st) {
    case State::Closed:
    case State::Listen:
      s.ctl = kSyn;
      s.seq = SeqNum(m.setup->peer_iss);
      if (c == 6) s.len = data;  // text on the SYN
      if (c == 7) s.ctl = kSyn | kFin;
      break;
    case State::SynSent:
      s.ctl = kSyn | kAck;
      s.seq = SeqNum(m.setup->peer_iss);
      s.ack = sp.snd_nxt;
      if (c == 6) s.ctl = kSyn;  // simultaneous open
      if (c == 7) s.len = data;
      break;
    case State::SynReceived:
      ack_all(0, 0);
      if (c == 5) s.len = data;
      if (c == 6) s.ctl = kAck | kFin;
      if (c == 7) {  // the SYN-ACK of a simultaneous open
        s.ctl = kSyn | kAck;
        s.seq = sp.rcv_nxt - 1;
      }
      break;
    case State::Established:
    case State::CloseWait:
    case State::FinWait2:
      if (sp.fin_received || c < 2) {
        ack_all(0, 0);
      } else if (c < 5) {
        ack_all(kPsh, data);
      } else if (c == 5) {
        ack_all(kFin, 0);
      } else if (c == 6) {
        ack_all(kFin | kPsh, data);
      } else {
        ack_all(0, 0);
        s.ack = prop::resolve(AckSpec{AckAt::Partial, len_.n}, sp);
      }
      break;
    case State::FinWait1:
      if (c < 2) {
        ack_all(0, 0);  // acknowledges our FIN
      } else if (c == 2) {
        ack_all(kPsh, data);
      } else if (c < 5) {
        ack_all(kFin, 0);  // FIN that also acknowledges ours
      } else if (c < 7) {
        ack_all(kFin, 0);  // FIN crossing ours: simultaneous close
        s.ack = sp.snd_una;
      } else {
        ack_all(kFin, 0);
        s.ack = sp.snd_nxt - 1;
      }
      break;
    case State::Closing:
    case State::LastAck:
      ack_all(0, 0);
      if (c >= 6) {  // the peer's FIN again, not yet acknowledging ours
        s.ctl = kFin | kAck;
        s.seq = sp.rcv_nxt - 1;
        s.ack = sp.snd_una;
      }
      break;
    case State::TimeWait:
      if (c < 5) {  // the peer's FIN again: our last ACK was lost
        ack_all(kFin, 0);
        s.seq = sp.rcv_nxt - 1;
      } else if (c == 5) {
        ack_all(0, 0);
      } else {  // a new connection from the same peer
        s.ctl = kSyn;
        s.seq = sp.rcv_nxt + 100'000;
      }
      break;
  }
  return Event{SegmentArrives{normalized(s)}};
}

class TimerCommand final : public ActionCommand {
 public:
  explicit TimerCommand(TimerKind t) : timer_(t) {}
  Action resolve(const DiffModel&) const override { return Event{TimerExpires{timer_}}; }
  std::string describe() const override { return "TIMEOUT " + std::string(to_string(timer_)); }

 private:
  TimerKind timer_;
};

class AdvanceCommand final : public ActionCommand {
 public:
  enum class To : std::uint8_t { Fixed, NextTimerMinus1, NextTimer, NextTimerPlus1 };
  AdvanceCommand(To to, Millis ms) : to_(to), ms_(ms) {}
  Action resolve(const DiffModel& m) const override {
    if (to_ == To::Fixed) return AdvanceTime{ms_};
    const auto next = m.ep->next_timer();
    if (!next) return AdvanceTime{1};
    const Millis until = next->second > m.now ? next->second - m.now : 0;
    if (to_ == To::NextTimerMinus1) return AdvanceTime{until == 0 ? 0 : until - 1};
    if (to_ == To::NextTimer) return AdvanceTime{until};
    return AdvanceTime{until + 1};
  }
  std::string describe() const override {
    switch (to_) {
      case To::Fixed: return "TIME +" + std::to_string(ms_);
      case To::NextTimerMinus1: return "TIME to the next deadline - 1";
      case To::NextTimer: return "TIME to the next deadline";
      case To::NextTimerPlus1: return "TIME to the next deadline + 1";
    }
    return "TIME";
  }

 private:
  To to_;
  Millis ms_;
};

// ------------------------------------------------------------------------------------------------
// Generation
// ------------------------------------------------------------------------------------------------

using CommandPtr = std::shared_ptr<const DiffCommand>;

// How likely each kind of command is in each state: open, send, receive, close, abort,
// status, segment, peer, timer, time.
struct Weights {
  int open, send, receive, close, abort, status, segment, peer, timer, time;
};

Weights weights_for(State s) {
  switch (s) {
    case State::Closed: return {30, 4, 3, 3, 2, 2, 8, 10, 3, 4};
    case State::Listen: return {6, 4, 2, 4, 2, 2, 12, 35, 2, 3};
    case State::SynSent: return {1, 5, 2, 4, 2, 1, 15, 35, 8, 5};
    case State::SynReceived: return {1, 5, 2, 5, 2, 1, 15, 35, 8, 5};
    case State::Established: return {1, 14, 8, 9, 2, 1, 18, 25, 5, 5};
    case State::FinWait1: return {1, 2, 4, 2, 2, 1, 18, 30, 8, 6};
    case State::FinWait2: return {1, 2, 4, 2, 2, 1, 18, 30, 4, 6};
    case State::CloseWait: return {1, 10, 10, 20, 2, 1, 15, 15, 5, 5};
    case State::Closing:
    case State::LastAck: return {1, 1, 3, 2, 2, 1, 15, 30, 10, 8};
    case State::TimeWait: return {5, 1, 2, 2, 2, 1, 20, 20, 15, 15};
  }
  return {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
}

CommandPtr draw_command(State state, std::uint32_t mss, std::uint32_t send_buffer,
                        const std::vector<TimerKind>& armed) {
  const Weights w = weights_for(state);
  switch (pick({w.status, w.open, w.send, w.receive, w.close, w.abort, w.segment, w.peer, w.timer,
                w.time})) {
    case 0: return std::make_shared<PlainCallCommand<StatusCall>>("STATUS");
    case 1: {
      OpenCall c;
      c.passive = *rc::gen::inRange(0, 100) < 50;
      c.remote_specified = *rc::gen::inRange(0, 100) < 85;
      return std::make_shared<OpenCommand>(c);
    }
    case 2: {
      LenSpec len = draw_len(3 * mss + 10);
      // Now and then more than the send buffer holds: "insufficient resources".
      if (*rc::gen::inRange(0, 100) < 3) len = {LenAt::Some, send_buffer + 1};
      return std::make_shared<SendCommand>(len, *rc::gen::inRange(0, 100) < 10);
    }
    case 3: {
      LenSpec max{};  // 0: everything there is
      if (*rc::gen::inRange(0, 100) < 40) max = draw_len(3 * mss + 10);
      return std::make_shared<ReceiveCommand>(max);
    }
    case 4: return std::make_shared<PlainCallCommand<CloseCall>>("CLOSE");
    case 5: return std::make_shared<PlainCallCommand<AbortCall>>("ABORT");
    case 6: {
      SegmentCommand::Spec s;
      s.ctl = draw_ctl();
      s.seq = draw_seq();
      s.ack = draw_ack();
      s.len = (s.ctl & (kRst | kSyn)) && *rc::gen::inRange(0, 100) < 70 ? LenSpec{}
                                                                        : draw_len(3 * mss + 10);
      s.wnd = draw_wnd(50, 10);
      if (s.ctl & kUrg) s.up = static_cast<std::uint16_t>(*rc::gen::inRange(0, 600));
      return std::make_shared<SegmentCommand>(s);
    }
    case 7: {
      const auto choice = *rc::gen::inRange<std::uint32_t>(0, 8);
      const LenSpec len = draw_len(3 * mss + 10);
      const WndSpec wnd = draw_wnd(120, 20);
      return std::make_shared<PeerCommand>(choice, len, wnd);
    }
    case 8: {
      if (!armed.empty() && *rc::gen::inRange(0, 100) < 85) {
        return std::make_shared<TimerCommand>(
            armed[*rc::gen::inRange<std::size_t>(0, armed.size())]);
      }
      return std::make_shared<TimerCommand>(
          static_cast<TimerKind>(*rc::gen::inRange(0, kTimerKinds)));
    }
    default: {
      const auto to = static_cast<AdvanceCommand::To>(pick({50, 15, 20, 15}));
      static constexpr std::array<Millis, 14> kSteps = {
          1, 50, 199, 200, 201, 999, 1000, 1001, 3000, 10'000, 60'000, 239'999, 240'001, 300'000};
      Millis ms = kSteps[*rc::gen::inRange<std::size_t>(0, kSteps.size())];
      if (*rc::gen::inRange(0, 100) < 20) ms = *rc::gen::inRange<Millis>(0, 400'000);
      return std::make_shared<AdvanceCommand>(to, ms);
    }
  }
}

}  // namespace

rc::Gen<std::shared_ptr<const DiffCommand>> gen_command(const DiffModel& model) {
  const State state = model.ep->state();
  const std::uint32_t mss = model.ep->profile().mss;
  const std::uint32_t send_buffer = model.ep->profile().send_buffer;
  std::vector<TimerKind> armed;
  for (int k = 0; k < kTimerKinds; ++k) {
    if (model.ep->deadline(static_cast<TimerKind>(k))) armed.push_back(static_cast<TimerKind>(k));
  }
  return rc::gen::exec(
      [state, mss, send_buffer, armed] { return draw_command(state, mss, send_buffer, armed); });
}

}  // namespace tcpfsm::prop
