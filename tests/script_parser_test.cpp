// The .tcp script format: the parser builds the expected syntax tree for every construct,
// rejects every malformed line with its line, column and a useful message, survives any byte
// string, and the printer writes text that parses back to the same tree.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "harness/script.hpp"

namespace tcpfsm::harness {
namespace {

// ---------------------------------------------------------------------------------------------
// Helpers

Script parse_ok(std::string_view text) {
  auto r = parse_script(text, "t.tcp");
  if (const auto* e = std::get_if<ParseError>(&r)) {
    ADD_FAILURE() << "unexpected error: " << e->to_string() << "\nin:\n" << text;
    return {};
  }
  return std::get<Script>(r);
}

ParseError parse_err(std::string_view text) {
  auto r = parse_script(text, "t.tcp");
  if (const auto* e = std::get_if<ParseError>(&r)) return *e;
  ADD_FAILURE() << "expected an error for:\n" << text;
  return {};
}

std::vector<Line> lines_of(const Script& s) {
  std::vector<Line> out;
  for (const auto& l : s.lines) out.push_back(l.line);
  return out;
}

// The one event line of a single-endpoint script.
Line one_line(std::string_view text) {
  const Script s = parse_ok(text);
  if (s.lines.size() != 1) {
    ADD_FAILURE() << "expected one line from: " << text;
    return RunLine{};
  }
  return s.lines[0].line;
}

std::string two(std::string_view body) {
  return "endpoints A B\n" + std::string(body);
}

Line one_line_two(std::string_view text) {
  const Script s = parse_ok(two(text));
  if (s.lines.size() != 1) {
    ADD_FAILURE() << "expected one line from: " << text;
    return RunLine{};
  }
  return s.lines[0].line;
}

SegmentSpec seg(std::uint8_t ctl, std::uint32_t seq, std::uint32_t len = 0) {
  return SegmentSpec{ctl, Number{false, seq}, len, std::nullopt, std::nullopt, std::nullopt};
}
SegmentSpec with_ack(SegmentSpec s, std::uint32_t ack) {
  s.ack = Number{false, ack};
  return s;
}
SegmentSpec with_wnd(SegmentSpec s, std::uint32_t wnd) {
  s.wnd = wnd;
  return s;
}

constexpr std::uint8_t kSynAck = kSyn | kAck;

// ---------------------------------------------------------------------------------------------
// ScriptParser: constructs

TEST(ScriptParser, SingleEndpointHandshake) {
  const Script s = parse_ok(R"(# passive open, then a three-way handshake
open passive
=> ok
state LISTEN
< S 0:0(0) win 65535
> S. 0:0(0) ack 1
state SYN-RECEIVED
why ListenSynOpens
< . 1:1(0) ack 1
> none
state ESTABLISHED
tcb snd.una=1 rcv.nxt=1
)");
  EXPECT_FALSE(s.two_endpoints);
  EXPECT_EQ(s.iss_a, 100u);
  EXPECT_EQ(s.iss_b, 300u);
  EXPECT_EQ(s.profile_a, ProfileSpec{});
  const std::vector<Line> want = {
      CallLine{Actor::Self, OpenCall{true, true}},
      ExpectNoticeLine{Actor::Self, Notice::ok()},
      ExpectStateLine{Actor::Self, State::Listen},
      InjectLine{Actor::Self, with_wnd(seg(kSyn, 0), 65535)},
      ExpectSegmentLine{Actor::Self, with_ack(seg(kSynAck, 0), 1)},
      ExpectStateLine{Actor::Self, State::SynReceived},
      ExpectRuleLine{Actor::Self, Rule::ListenSynOpens},
      InjectLine{Actor::Self, with_ack(seg(kAck, 1), 1)},
      ExpectSegmentLine{Actor::Self, std::nullopt},
      ExpectStateLine{Actor::Self, State::Established},
      ExpectTcbLine{Actor::Self,
                    {{TcbVar::SndUna, Number{false, 1}}, {TcbVar::RcvNxt, Number{false, 1}}}},
  };
  EXPECT_EQ(lines_of(s), want);
}

TEST(ScriptParser, HeaderSetsProfileAndIss) {
  const Script s = parse_ok("profile rfc793 mss=1460 half_duplex_close=on\niss 7\npeer-iss 9\n");
  EXPECT_EQ(s.profile_a.name, "rfc793");
  const std::vector<std::pair<std::string, std::string>> settings = {{"mss", "1460"},
                                                                     {"half_duplex_close", "on"}};
  EXPECT_EQ(s.profile_a.settings, settings);
  EXPECT_EQ(s.profile_b, ProfileSpec{}) << "the peer of a single endpoint is the script";
  EXPECT_EQ(s.iss_a, 7u);
  EXPECT_EQ(s.iss_b, 9u);
  EXPECT_TRUE(s.lines.empty());
}

TEST(ScriptParser, TwoEndpointHeader) {
  const Script s = parse_ok(
      "endpoints A B\nprofile rfc9293 msl_ms=1000\nB profile rfc793\nA iss 4294967295\nB iss 0\n");
  EXPECT_TRUE(s.two_endpoints);
  EXPECT_EQ(s.profile_a, (ProfileSpec{"rfc9293", {{"msl_ms", "1000"}}}));
  EXPECT_EQ(s.profile_b, (ProfileSpec{"rfc793", {}}));
  EXPECT_EQ(s.iss_a, 4294967295u);
  EXPECT_EQ(s.iss_b, 0u);
  const Script both = parse_ok("endpoints A B\nprofile rfc793\n");
  EXPECT_EQ(both.profile_a.name, "rfc793");
  EXPECT_EQ(both.profile_b.name, "rfc793");
}

TEST(ScriptParser, FlagsInPacketdrillSpelling) {
  const std::vector<std::pair<std::string, std::uint8_t>> cases = {
      {"S", kSyn},
      {"S.", kSyn | kAck},
      {"F.", kFin | kAck},
      {"FP.", kFin | kPsh | kAck},
      {"PF.", kFin | kPsh | kAck},
      {"R", kRst},
      {"R.", kRst | kAck},
      {"P.", kPsh | kAck},
      {".", kAck},
      {"U.", kUrg | kAck},
      {"SFRPU.", kSyn | kFin | kRst | kPsh | kUrg | kAck},
      {"-", 0},
  };
  for (const auto& [flags, ctl] : cases) {
    const Line l = one_line("< " + flags + " 0");
    ASSERT_TRUE(std::holds_alternative<InjectLine>(l)) << flags;
    EXPECT_EQ(std::get<InjectLine>(l).seg.ctl, ctl) << flags;
  }
}

TEST(ScriptParser, SequenceSpecForms) {
  EXPECT_EQ(one_line("< P. 1:11(10)"), Line(InjectLine{Actor::Self, seg(kPsh | kAck, 1, 10)}));
  EXPECT_EQ(one_line("< P. 1(10)"), Line(InjectLine{Actor::Self, seg(kPsh | kAck, 1, 10)}));
  EXPECT_EQ(one_line("< R 5"), Line(InjectLine{Actor::Self, seg(kRst, 5, 0)}));
  // END wraps around 2^32, relative and absolute.
  EXPECT_EQ(one_line("< . 4294967290:4(10)"),
            Line(InjectLine{Actor::Self, seg(kAck, 4294967290u, 10)}));
  SegmentSpec abs = seg(kAck, 4294967295u, 10);
  abs.seq.absolute = true;
  abs.ack = Number{true, 7};
  EXPECT_EQ(one_line("< . =4294967295:=9(10) ack =7"), Line(InjectLine{Actor::Self, abs}));
  EXPECT_EQ(one_line("< . =4294967295(10) ack =7"), Line(InjectLine{Actor::Self, abs}));
}

TEST(ScriptParser, SegmentFieldsInAnyOrder) {
  SegmentSpec want = seg(kUrg | kAck, 1, 3);
  want.ack = Number{false, 2};
  want.wnd = 0;
  want.up = 65535;
  EXPECT_EQ(one_line("> U. 1:4(3) urg 65535 win 0 ack 2"),
            Line(ExpectSegmentLine{Actor::Self, want}));
  EXPECT_EQ(one_line("> U. 1:4(3) ack 2 win 0 urg 65535"),
            Line(ExpectSegmentLine{Actor::Self, want}));
  EXPECT_EQ(one_line("> none"), Line(ExpectSegmentLine{Actor::Self, std::nullopt}));
}

TEST(ScriptParser, EveryUserCall) {
  const std::vector<std::pair<std::string, Event>> cases = {
      {"open passive", OpenCall{true, true}},
      {"open passive unspecified", OpenCall{true, false}},
      {"open active", OpenCall{false, true}},
      {"open active unspecified", OpenCall{false, false}},
      {"send 100", SendCall{100, false}},
      {"send 4294967295 urgent", SendCall{4294967295u, true}},
      {"receive", ReceiveCall{0}},
      {"receive 50", ReceiveCall{50}},
      {"close", CloseCall{}},
      {"abort", AbortCall{}},
      {"status", StatusCall{}},
  };
  for (const auto& [text, call] : cases) {
    EXPECT_EQ(one_line(text), Line(CallLine{Actor::Self, call})) << text;
  }
}

TEST(ScriptParser, TimeAndEveryTimeout) {
  EXPECT_EQ(one_line("time +500"), Line(TimeLine{true, 500}));
  EXPECT_EQ(one_line("time 1500"), Line(TimeLine{false, 1500}));
  EXPECT_EQ(one_line("time +18446744073709551615"), Line(TimeLine{true, 18446744073709551615ull}));
  for (int i = 0; i < kTimerKinds; ++i) {
    const auto kind = static_cast<TimerKind>(i);
    EXPECT_EQ(one_line("timeout " + std::string(to_string(kind))),
              Line(TimeoutLine{Actor::Self, kind}));
  }
}

TEST(ScriptParser, EveryStateNameAndShortForms) {
  for (State st : kAllStates) {
    EXPECT_EQ(one_line("state " + std::string(to_string(st))),
              Line(ExpectStateLine{Actor::Self, st}));
  }
  EXPECT_EQ(one_line("state SYN-RCVD"), Line(ExpectStateLine{Actor::Self, State::SynReceived}));
  EXPECT_EQ(one_line("state established"), Line(ExpectStateLine{Actor::Self, State::Established}));
}

TEST(ScriptParser, EveryNotice) {
  EXPECT_EQ(one_line("=> ok"), Line(ExpectNoticeLine{Actor::Self, Notice::ok()}));
  EXPECT_EQ(one_line("=> queued"), Line(ExpectNoticeLine{Actor::Self, Notice::queued()}));
  EXPECT_EQ(one_line("=> delivered 100"),
            Line(ExpectNoticeLine{Actor::Self, Notice::delivered(100)}));
  EXPECT_EQ(one_line("=> status CLOSE-WAIT"),
            Line(ExpectNoticeLine{Actor::Self, Notice::status(State::CloseWait)}));
  EXPECT_EQ(one_line("=> urgent"), Line(ExpectNoticeLine{Actor::Self, Notice::urgent()}));
  EXPECT_EQ(one_line("=> urgent data"), Line(ExpectNoticeLine{Actor::Self, Notice::urgent()}));
  for (auto e = UserError::ConnectionDoesNotExist; e <= UserError::RetransmissionTimeout;
       e = static_cast<UserError>(static_cast<int>(e) + 1)) {
    const std::string text = "=> " + std::string(message(e));
    EXPECT_EQ(one_line(text), Line(ExpectNoticeLine{Actor::Self, Notice::err(e)})) << text;
  }
}

TEST(ScriptParser, EveryRuleByName) {
  for (int i = 0; i <= static_cast<int>(Rule::FinWait2Expires); ++i) {
    const auto r = static_cast<Rule>(i);
    EXPECT_EQ(one_line("why " + std::string(describe(r).name)),
              Line(ExpectRuleLine{Actor::Self, r}));
  }
}

TEST(ScriptParser, EveryTcbVariable) {
  const Line l = one_line(
      "tcb iss=0 irs=1 snd.una=2 snd.nxt=3 snd.wnd=4 snd.wl1=5 snd.wl2=6 snd.up=7 "
      "max.snd.wnd=8 rcv.nxt=9 rcv.wnd=10 rcv.up==11");
  const ExpectTcbLine want{Actor::Self,
                           {{TcbVar::Iss, {false, 0}},
                            {TcbVar::Irs, {false, 1}},
                            {TcbVar::SndUna, {false, 2}},
                            {TcbVar::SndNxt, {false, 3}},
                            {TcbVar::SndWnd, {false, 4}},
                            {TcbVar::SndWl1, {false, 5}},
                            {TcbVar::SndWl2, {false, 6}},
                            {TcbVar::SndUp, {false, 7}},
                            {TcbVar::MaxSndWnd, {false, 8}},
                            {TcbVar::RcvNxt, {false, 9}},
                            {TcbVar::RcvWnd, {false, 10}},
                            {TcbVar::RcvUp, {true, 11}}}};
  EXPECT_EQ(l, Line(want));
}

TEST(ScriptParser, TwoEndpointLines) {
  const Script s = parse_ok(two(R"(A open passive
B open active
B > S 0:0(0)
deliver A->B
drop B->A 2
duplicate A->B 3
reorder B->A
deliver all
A < R 5:5(0)
A state LISTEN
B => ok
A why FinReceived
A tcb rcv.nxt=1
B timeout time-wait
time +10
time 20
run 10000
)"));
  const std::vector<Line> want = {
      CallLine{Actor::A, OpenCall{true, true}},
      CallLine{Actor::B, OpenCall{false, true}},
      ExpectSegmentLine{Actor::B, seg(kSyn, 0)},
      NetworkLine{NetOp::Deliver, Actor::A, 1},
      NetworkLine{NetOp::Drop, Actor::B, 2},
      NetworkLine{NetOp::Duplicate, Actor::A, 3},
      NetworkLine{NetOp::Reorder, Actor::B, 1},
      NetworkLine{NetOp::DeliverAll, Actor::A, 1},
      InjectLine{Actor::A, seg(kRst, 5)},
      ExpectStateLine{Actor::A, State::Listen},
      ExpectNoticeLine{Actor::B, Notice::ok()},
      ExpectRuleLine{Actor::A, Rule::FinReceived},
      ExpectTcbLine{Actor::A, {{TcbVar::RcvNxt, {false, 1}}}},
      TimeoutLine{Actor::B, TimerKind::TimeWait},
      TimeLine{true, 10},
      TimeLine{false, 20},
      RunLine{10000},
  };
  EXPECT_EQ(lines_of(s), want);
}

TEST(ScriptParser, FaultsKeysAreOptionalInAnyOrder) {
  EXPECT_EQ(one_line_two("faults seed=7 loss=10 dup=5 reorder=5 delay=10-200"),
            Line(FaultsLine{7, 10, 5, 5, 10, 200}));
  EXPECT_EQ(one_line_two("faults delay=0-0 reorder=100 seed=18446744073709551615"),
            Line(FaultsLine{18446744073709551615ull, 0, 0, 100, 0, 0}));
  EXPECT_EQ(one_line_two("faults"), Line(FaultsLine{}));
}

TEST(ScriptParser, CommentsBlankLinesTabsAndCrlf) {
  const Script s = parse_ok(
      "# header comment\r\n\r\n  \t\r\nopen passive # trailing comment\r\n\tstate\tLISTEN\r\n"
      "close#no space before the comment\r\n# last line without a newline");
  const std::vector<Line> want = {CallLine{Actor::Self, OpenCall{true, true}},
                                  ExpectStateLine{Actor::Self, State::Listen},
                                  CallLine{Actor::Self, CloseCall{}}};
  EXPECT_EQ(lines_of(s), want);
}

TEST(ScriptParser, RecordsLineAndColumnOfEachEvent) {
  const Script s = parse_ok("# one\nopen passive\n\n   state LISTEN\n");
  ASSERT_EQ(s.lines.size(), 2u);
  EXPECT_EQ(s.lines[0].pos.line, 2);
  EXPECT_EQ(s.lines[0].pos.column, 1);
  EXPECT_EQ(s.lines[1].pos.line, 4);
  EXPECT_EQ(s.lines[1].pos.column, 4);
  const Script t = parse_ok(two("  B close\n"));
  EXPECT_EQ(t.lines[0].pos.column, 3) << "an event starts at its endpoint prefix";
}

TEST(ScriptParser, EmptyScriptIsValid) {
  EXPECT_EQ(parse_ok(""), Script{});
  EXPECT_EQ(parse_ok("\n\n# nothing\n"), Script{});
}

// ---------------------------------------------------------------------------------------------
// ScriptParser: errors

struct ErrorCase {
  std::string text;
  int line;
  int column;
  std::string message_part;
};

TEST(ScriptParser, ErrorsNameLineColumnFoundAndExpected) {
  const std::vector<ErrorCase> cases = {
      // flags
      {"< SQ. 0:0(0)", 1, 3,
       "unknown flag 'Q' in 'SQ.'; expected letters from S F R P U, then an optional '.'"},
      {"< .S 0", 1, 3, "'.' (ACK) before other flags in '.S'"},
      {"< SS 0", 1, 3, "flag 'S' repeated in 'SS'"},
      {"<", 1, 2, "expected flags such as 'S', 'S.', '.', 'F.' or 'R' after '<', found the end"},
      // sequence numbers
      {"< S 0:5(0)", 1, 5, "the end of '0:5(0)' should be START+LEN = 0, found 5"},
      {"< S =0:0(0)", 1, 5, "end of '=0:0(0)' is relative but its start is absolute"},
      {"< S 0:5", 1, 5, "missing '(LEN)' after '0:5'"},
      {"< S 0(5", 1, 5, "missing ')' at the end of '0(5'"},
      {"< S 4294967296", 1, 5, "'4294967296' is too large: a sequence number can be at most"},
      {"< S x:1(1)", 1, 5, "expected a sequence number (N relative to an ISS, or =N absolute)"},
      {"< S", 1, 4, "expected a sequence number such as '0:0(0)'"},
      // segment fields
      {"< S 0 ack 1", 1, 7, "'ack' on a segment without the ACK flag"},
      {"< . 0 urg 1", 1, 7, "'urg' on a segment without the URG flag"},
      {"< U. 0 urg 65536", 1, 12, "'65536' is too large: an urgent pointer can be at most 65535"},
      {"< . 0 win 1 win 2", 1, 13, "'win' given twice"},
      {"< . 0 window 5", 1, 7, "unknown segment field 'window'; expected 'ack N', 'win N' or"},
      {"< . 0 ack", 1, 10, "expected a number after 'ack', found the end of the line"},
      // calls and checks
      {"open sideways", 1, 6, "unknown open mode 'sideways'; expected 'passive' or 'active'"},
      {"send", 1, 5, "expected a number of octets after 'send'"},
      {"send -1", 1, 6, "expected the length of 'send' (a decimal number), found '-1'"},
      {"send 4294967296", 1, 6, "is too large: the length of 'send' can be at most 4294967295"},
      {"close now", 1, 7, "unexpected 'now' after 'close'; expected the end of the line"},
      {"state FOO", 1, 7, "unknown state 'FOO'; expected one of LISTEN, SYN-SENT"},
      {"why Foo", 1, 5, "unknown rule 'Foo'"},
      {"=> error: connection exploded", 1, 4,
       "unknown error 'error: connection exploded'; expected one of 'error: connection does"},
      {"=> fine", 1, 4, "unknown notice 'fine'; expected a notice: ok, queued"},
      {"=> ok then", 1, 7, "unexpected 'then' after '=> ok'"},
      {"tcb snd.foo=1", 1, 5, "unknown TCB variable 'snd.foo'; expected VAR=N with VAR one of"},
      {"tcb snd.una=1 snd.una=2", 1, 15, "TCB variable 'snd.una' given twice"},
      {"tcb rcv.nxt", 1, 5, "expected 'rcv.nxt=N', found 'rcv.nxt'"},
      {"timeout soon", 1, 9, "unknown timer 'soon'; expected retransmission, zero-window-probe"},
      {"time -5", 1, 6, "expected the time in milliseconds (a decimal number), found '-5'"},
      {"time +18446744073709551616", 1, 6, "is too large: the time in milliseconds can be at"},
      {"frobnicate", 1, 1, "unknown directive 'frobnicate'; expected an event"},
      // header placement and modes
      {"open passive\niss 5", 2, 1, "header directive 'iss' after the first event line (line 1)"},
      {"iss 5\nendpoints A B", 2, 1, "'endpoints A B' must be the first directive"},
      {"endpoints A C", 1, 13, "unexpected endpoint name 'C'"},
      {"iss 5\niss 6", 2, 1, "'iss' given twice (first on line 1)"},
      {"A open passive", 1, 1, "endpoint prefix 'A' in a single-endpoint script"},
      {"deliver A->B", 1, 1, "'deliver' is a network line of two-endpoint scripts"},
      {"endpoints A B\nopen passive", 2, 1, "expected an endpoint prefix 'A' or 'B' before 'open'"},
      {"endpoints A B\npeer-iss 5", 2, 1, "'peer-iss' is for single-endpoint scripts"},
      {"endpoints A B\niss 5", 2, 1, "'iss' needs an endpoint in a two-endpoint script"},
      {"endpoints A B\nA time +5", 2, 1, "'time' is not about one endpoint"},
      {"endpoints A B\nB", 2, 2, "expected an endpoint line such as 'open passive'"},
      {"endpoints A B\nA profile rfc793\nprofile rfc9293", 3, 1,
       "'profile' after 'A profile' or 'B profile'"},
      // network lines
      {"endpoints A B\ndeliver A->A", 2, 9, "unknown direction 'A->A'; expected a direction"},
      {"endpoints A B\ndrop B->A 0", 2, 11, "segment index 0; expected 1 or more"},
      {"endpoints A B\nreorder A->B 2", 2, 14, "unexpected '2' after 'reorder A->B'"},
      {"endpoints A B\nfaults loss=101", 2, 8, "'101' is too large: the loss percentage can be"},
      {"endpoints A B\nfaults delay=9-3", 2, 8, "minimum delay above the maximum"},
      {"endpoints A B\nfaults delay=9", 2, 8, "expected delay=MIN-MAX in milliseconds"},
      {"endpoints A B\nfaults seed=1 seed=2", 2, 15, "fault setting 'seed' given twice"},
      {"endpoints A B\nfaults jitter=5", 2, 8, "unknown fault setting 'jitter=5'"},
      {"endpoints A B\nrun", 2, 4, "expected a duration in milliseconds after 'run'"},
      // profiles
      {"profile rfc1234", 1, 9, "unknown profile 'rfc1234'; expected rfc9293, rfc793 or linux"},
      {"profile rfc9293 mss=0", 1, 17, "bad value in 'mss=0'; expected a decimal number in 1.."},
      {"profile rfc9293 receive_buffer=65536", 1, 17,
       "bad value in 'receive_buffer=65536'; expected a decimal number in 0..65535"},
      {"profile rfc9293 rfc5961_rst=yes", 1, 17,
       "bad value in 'rfc5961_rst=yes'; expected on or off"},
      {"profile rfc9293 colour=blue", 1, 17, "unknown profile setting 'colour'; expected one of"},
      {"profile rfc9293 mss=600 mss=700", 1, 25, "profile setting 'mss' given twice"},
      {"profile mss=600", 1, 9, "expected a profile name (rfc9293 or rfc793) before the settings"},
      {"profile rfc9293 mss", 1, 17, "expected a profile setting key=value, found 'mss'"},
      // junk
      {std::string("open passive\n\x01\x02\xff"), 2, 1, "unknown directive '\\x01\\x02\\xff'"},
      {"\n\n   send 1 2", 3, 11, "unexpected '2' after 'send N'"},
  };
  for (const ErrorCase& c : cases) {
    const ParseError e = parse_err(c.text);
    EXPECT_EQ(e.file, "t.tcp");
    EXPECT_EQ(e.line, c.line) << c.text << "\n" << e.to_string();
    EXPECT_EQ(e.column, c.column) << c.text << "\n" << e.to_string();
    EXPECT_NE(e.message.find(c.message_part), std::string::npos)
        << c.text << "\nmessage: " << e.message << "\nwanted: " << c.message_part;
  }
}

TEST(ScriptParser, ErrorTextIsFileLineColumnMessage) {
  const ParseError e = parse_err("open passive\n# fine\n< SQ. 0:0(0)\n");
  EXPECT_EQ(e.to_string(),
            "t.tcp:3:3: unknown flag 'Q' in 'SQ.'; expected letters from S F R P U, then an "
            "optional '.'");
}

TEST(ScriptParser, HeaderAfterEventIsAnErrorEvenInTwoEndpointMode) {
  const ParseError e = parse_err(two("A open passive\nB iss 5\n"));
  EXPECT_EQ(e.line, 3);
  EXPECT_EQ(e.column, 3);
}

TEST(ScriptParser, HugeInputsAreErrorsNotCrashes) {
  const std::string digits(100000, '9');
  EXPECT_NE(parse_err("send " + digits).message.find("too large"), std::string::npos);
  const std::string long_token(1 << 20, 'x');
  const ParseError e = parse_err(long_token);
  EXPECT_LT(e.message.size(), 1000u) << "messages cut long tokens short";
  EXPECT_EQ(parse_err(std::string(1000, ' ') + "close x").column, 1007);
  std::string many;
  for (int i = 0; i < 20000; ++i) many += "time +1\n";
  EXPECT_EQ(parse_ok(many).lines.size(), 20000u);
  EXPECT_EQ(parse_err(std::string("close\0", 6)).column, 1) << "a NUL byte is junk, not an end";
}

// ---------------------------------------------------------------------------------------------
// ScriptParser: make_profile

// Profile has no operator==; every field, in declaration order.
auto fields(const Profile& p) {
  return std::tie(p.name, p.rfc5961_rst, p.rfc5961_syn, p.rfc5961_ack, p.challenge_ack_limit,
                  p.challenge_ack_window_ms, p.time_wait_rst, p.time_wait_syn, p.msl_ms,
                  p.rst_sender_enters_time_wait, p.half_duplex_close, p.fin_wait_2_timeout_ms,
                  p.out_of_order_queue, p.syn_text, p.receive_buffer, p.send_buffer, p.mss,
                  p.rto_initial_ms, p.rto_min_ms, p.rto_max_ms, p.syn_retries, p.data_retries,
                  p.user_timeout_ms, p.iss_increment);
}

Profile profile_of(const ProfileSpec& spec) {
  auto r = make_profile(spec);
  if (const auto* e = std::get_if<std::string>(&r)) {
    ADD_FAILURE() << *e;
    return {};
  }
  return std::get<Profile>(r);
}

TEST(ScriptParser, MakeProfileBaseNames) {
  EXPECT_TRUE(fields(profile_of({"rfc9293", {}})) == fields(Profile::rfc9293()));
  EXPECT_TRUE(fields(profile_of({"rfc793", {}})) == fields(Profile::legacy_rfc793()));
}

TEST(ScriptParser, MakeProfileSetsEveryField) {
  const Profile p = profile_of({"rfc9293",
                                {{"rfc5961_rst", "off"},
                                 {"rfc5961_syn", "off"},
                                 {"rfc5961_ack", "off"},
                                 {"challenge_ack_limit", "3"},
                                 {"challenge_ack_window_ms", "4"},
                                 {"time_wait_rst", "ignore"},
                                 {"time_wait_syn", "reopen"},
                                 {"msl_ms", "5"},
                                 {"rst_sender_enters_time_wait", "on"},
                                 {"half_duplex_close", "on"},
                                 {"fin_wait_2_timeout_ms", "6"},
                                 {"out_of_order_queue", "off"},
                                 {"syn_text", "discard"},
                                 {"receive_buffer", "65535"},
                                 {"send_buffer", "7"},
                                 {"mss", "8"},
                                 {"rto_initial_ms", "9"},
                                 {"rto_min_ms", "10"},
                                 {"rto_max_ms", "11"},
                                 {"syn_retries", "12"},
                                 {"data_retries", "13"},
                                 {"user_timeout_ms", "14"},
                                 {"iss_increment", "4294967295"}}});
  Profile want;
  want.rfc5961_rst = want.rfc5961_syn = want.rfc5961_ack = false;
  want.challenge_ack_limit = 3;
  want.challenge_ack_window_ms = 4;
  want.time_wait_rst = TimeWaitRst::Ignore;
  want.time_wait_syn = TimeWaitSyn::Reopen;
  want.msl_ms = 5;
  want.rst_sender_enters_time_wait = true;
  want.half_duplex_close = true;
  want.fin_wait_2_timeout_ms = 6;
  want.out_of_order_queue = false;
  want.syn_text = SynText::Discard;
  want.receive_buffer = 65535;
  want.send_buffer = 7;
  want.mss = 8;
  want.rto_initial_ms = 9;
  want.rto_min_ms = 10;
  want.rto_max_ms = 11;
  want.syn_retries = 12;
  want.data_retries = 13;
  want.user_timeout_ms = 14;
  want.iss_increment = 4294967295u;
  EXPECT_TRUE(fields(p) == fields(want));
  EXPECT_EQ(p.name, "rfc9293") << "the name stays the base name";
  // The other spelling of each choice goes back to the default.
  EXPECT_EQ(profile_of({"rfc793",
                        {{"rfc5961_rst", "on"},
                         {"time_wait_rst", "accept"},
                         {"time_wait_syn", "challenge-ack"},
                         {"syn_text", "hold"}}})
                .rfc5961_rst,
            true);
}

TEST(ScriptParser, MakeProfileRejectsBadSettings) {
  const std::vector<std::pair<ProfileSpec, std::string>> cases = {
      {{"rfc1122", {}}, "unknown profile 'rfc1122'"},
      {{"rfc9293", {{"iss_increment", "4294967296"}}}, "bad value in 'iss_increment=4294967296'"},
      {{"rfc9293", {{"msl_ms", ""}}}, "bad value in 'msl_ms='"},
      {{"rfc9293", {{"msl_ms", "+5"}}}, "bad value in 'msl_ms=+5'"},
      {{"rfc9293", {{"time_wait_syn", "challenge_ack"}}}, "expected challenge-ack or reopen"},
      {{"rfc9293", {{"syn_text", "keep"}}}, "expected hold or discard"},
      {{"rfc9293", {{"time_wait_rst", "drop"}}}, "expected accept or ignore"},
      {{"rfc9293", {{"mss", "1"}, {"mss", "2"}}}, "given twice"},
      {{"rfc9293", {{"name", "x"}}}, "unknown profile setting 'name'"},
  };
  for (const auto& [spec, part] : cases) {
    auto r = make_profile(spec);
    ASSERT_TRUE(std::holds_alternative<std::string>(r)) << part;
    EXPECT_NE(std::get<std::string>(r).find(part), std::string::npos) << std::get<std::string>(r);
  }
}

// ---------------------------------------------------------------------------------------------
// ScriptPrinter

Script round_trip(const Script& s) {
  const std::string text = print_script(s);
  auto r = parse_script(text, "printed.tcp");
  if (const auto* e = std::get_if<ParseError>(&r)) {
    ADD_FAILURE() << e->to_string() << "\nprinted:\n" << text;
    return {};
  }
  return std::get<Script>(r);
}

ScriptLine at(Line l) {
  return ScriptLine{SourcePos{}, std::move(l)};
}

TEST(ScriptPrinter, CanonicalText) {
  const Script s = parse_ok(
      "peer-iss 5\n# comment\nopen   passive\n<  S 0(0)   win 65535\n"
      ">\tS. 0 ack 1\n=> error:  connection  reset\nstate syn-rcvd\ntime 5\n");
  EXPECT_EQ(print_script(s),
            "profile rfc9293\n"
            "iss 100\n"
            "peer-iss 5\n"
            "\n"
            "open passive\n"
            "< S 0:0(0) win 65535\n"
            "> S. 0:0(0) ack 1\n"
            "=> error: connection reset\n"
            "state SYN-RECEIVED\n"
            "time 5\n");
}

TEST(ScriptPrinter, CanonicalTwoEndpointHeader) {
  const Script same = parse_ok("endpoints A B\nprofile rfc793 mss=1000\n");
  EXPECT_EQ(print_script(same), "endpoints A B\nprofile rfc793 mss=1000\nA iss 100\nB iss 300\n");
  const Script differ = parse_ok("endpoints A B\nB profile rfc793\nB iss 7\n");
  EXPECT_EQ(print_script(differ),
            "endpoints A B\nA profile rfc9293\nB profile rfc793\nA iss 100\nB iss 7\n");
}

TEST(ScriptPrinter, RoundTripsEveryLineKind) {
  SegmentSpec full = seg(kSyn | kFin | kRst | kPsh | kUrg | kAck, 4294967295u, 7);
  full.ack = Number{true, 12};
  full.wnd = 4294967295u;
  full.up = 65535;
  SegmentSpec abs = seg(0, 0, 4294967295u);
  abs.seq.absolute = true;

  Script single;
  single.profile_a = ProfileSpec{"rfc793", {{"time_wait_syn", "reopen"}, {"mss", "1460"}}};
  single.iss_a = 0;
  single.iss_b = 4294967295u;
  single.lines = {
      at(InjectLine{Actor::Self, full}),
      at(InjectLine{Actor::Self, abs}),
      at(ExpectSegmentLine{Actor::Self, seg(kAck, 1, 100)}),
      at(ExpectSegmentLine{Actor::Self, std::nullopt}),
      at(CallLine{Actor::Self, OpenCall{false, false}}),
      at(CallLine{Actor::Self, SendCall{9, true}}),
      at(CallLine{Actor::Self, ReceiveCall{0}}),
      at(CallLine{Actor::Self, ReceiveCall{77}}),
      at(CallLine{Actor::Self, CloseCall{}}),
      at(CallLine{Actor::Self, AbortCall{}}),
      at(CallLine{Actor::Self, StatusCall{}}),
      at(ExpectStateLine{Actor::Self, State::FinWait2}),
      at(ExpectNoticeLine{Actor::Self, Notice::err(UserError::UserTimeout)}),
      at(ExpectNoticeLine{Actor::Self, Notice::status(State::TimeWait)}),
      at(ExpectNoticeLine{Actor::Self, Notice::urgent()}),
      at(ExpectNoticeLine{Actor::Self, Notice::delivered(0)}),
      at(ExpectRuleLine{Actor::Self, Rule::None}),
      at(ExpectRuleLine{Actor::Self, Rule::TimeWaitSynReopens}),
      at(ExpectTcbLine{Actor::Self, {{TcbVar::MaxSndWnd, {true, 3}}, {TcbVar::Iss, {false, 0}}}}),
      at(TimeLine{true, 0}),
      at(TimeLine{false, 18446744073709551615ull}),
      at(TimeoutLine{Actor::Self, TimerKind::ZeroWindowProbe}),
  };
  EXPECT_EQ(round_trip(single), single);

  Script pair;
  pair.two_endpoints = true;
  pair.profile_b = ProfileSpec{"rfc9293", {{"syn_text", "discard"}}};
  pair.lines = {
      at(InjectLine{Actor::A, full}),
      at(ExpectSegmentLine{Actor::B, std::nullopt}),
      at(CallLine{Actor::B, OpenCall{true, true}}),
      at(ExpectStateLine{Actor::A, State::Closed}),
      at(ExpectNoticeLine{Actor::B, Notice::queued()}),
      at(ExpectRuleLine{Actor::A, Rule::FinWait2Expires}),
      at(ExpectTcbLine{Actor::B, {{TcbVar::RcvUp, {false, 1}}}}),
      at(TimeoutLine{Actor::A, TimerKind::FinWait2}),
      at(NetworkLine{NetOp::Deliver, Actor::B, 1}),
      at(NetworkLine{NetOp::Drop, Actor::A, 4294967295u}),
      at(NetworkLine{NetOp::Duplicate, Actor::B, 2}),
      at(NetworkLine{NetOp::Reorder, Actor::A, 1}),
      at(NetworkLine{NetOp::DeliverAll, Actor::A, 1}),
      at(FaultsLine{18446744073709551615ull, 100, 0, 50, 18446744073709551615ull,
                    18446744073709551615ull}),
      at(RunLine{0}),
      at(TimeLine{true, 1}),
  };
  EXPECT_EQ(round_trip(pair), pair);
}

TEST(ScriptPrinter, PrintLineWritesOneLine) {
  const Script single;
  EXPECT_EQ(print_line(single, InjectLine{Actor::Self, with_ack(seg(kSynAck, 0), 1)}),
            "< S. 0:0(0) ack 1");
  EXPECT_EQ(print_line(single, ExpectSegmentLine{Actor::Self, seg(kFin | kPsh | kAck, 1, 5)}),
            "> FP. 1:6(5)");
  Script pair;
  pair.two_endpoints = true;
  EXPECT_EQ(print_line(pair, ExpectStateLine{Actor::B, State::TimeWait}), "B state TIME-WAIT");
  EXPECT_EQ(print_line(pair, NetworkLine{NetOp::Drop, Actor::B, 2}), "drop B->A 2");
  // A CallLine holding a segment or a timer is written as the line with the same meaning.
  Segment raw;
  raw.seq = SeqNum(10);
  raw.ack = SeqNum(20);
  raw.ctl = kAck;
  raw.wnd = 5;
  EXPECT_EQ(print_line(single, CallLine{Actor::Self, SegmentArrives{raw}}),
            "< . =10:=10(0) ack =20 win 5");
  EXPECT_EQ(print_line(single, CallLine{Actor::Self, TimerExpires{TimerKind::User}}),
            "timeout user");
}

// The examples of docs/script-format.md (```tcp blocks) parse and survive a round trip.
std::vector<std::string> doc_examples() {
  std::ifstream in(std::string(TCPFSM_SOURCE_ROOT) + "/docs/script-format.md");
  std::vector<std::string> out;
  std::string line, block;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!inside && line == "```tcp") {
      inside = true;
      block.clear();
    } else if (inside && line == "```") {
      inside = false;
      out.push_back(block);
    } else if (inside) {
      block += line + "\n";
    }
  }
  return out;
}

TEST(ScriptPrinter, DocExamplesParseAndRoundTrip) {
  const auto examples = doc_examples();
  EXPECT_GE(examples.size(), 3u);
  for (const std::string& text : examples) {
    auto r = parse_script(text, "docs/script-format.md");
    ASSERT_TRUE(std::holds_alternative<Script>(r)) << std::get<ParseError>(r).to_string() << "\n"
                                                   << text;
    const Script& s = std::get<Script>(r);
    EXPECT_EQ(round_trip(s), s) << text;
    const std::string once = print_script(s);
    EXPECT_EQ(print_script(parse_ok(once)), once) << "printing is stable";
  }
}

TEST(ScriptPrinter, PrintingIsStable) {
  const std::string text = two(R"(profile rfc793 mss=9
B iss 1
A open active  # comment
A > S 0(0)
deliver A->B 1
B < SU. 0:0(0) ack 1 win 5 urg 0
A => error: connection refused
faults reorder=3
)");
  const std::string once = print_script(parse_ok(text));
  EXPECT_EQ(print_script(parse_ok(once)), once);
  EXPECT_NE(text, once) << "the input was not canonical";
}

// Random scripts of every line kind, within what the parser accepts.
class RandomScripts {
 public:
  explicit RandomScripts(std::uint32_t seed) : rng_(seed) {}

  Script script() {
    Script s;
    s.two_endpoints = coin();
    s.profile_a = profile();
    if (s.two_endpoints) s.profile_b = coin() ? s.profile_a : profile();
    s.iss_a = u32();
    s.iss_b = u32();
    const std::uint32_t n = below(30);
    for (std::uint32_t i = 0; i < n; ++i) s.lines.push_back(at(line(s.two_endpoints)));
    return s;
  }

 private:
  std::uint32_t below(std::uint32_t n) {
    return std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng_);
  }
  bool coin() { return below(2) == 0; }
  // Edge values often, anything else otherwise.
  std::uint32_t u32() {
    switch (below(4)) {
      case 0: return 0;
      case 1: return 4294967295u - below(3);
      case 2: return below(1000);
      default: return static_cast<std::uint32_t>(rng_());
    }
  }
  std::uint64_t u64() {
    if (coin()) return u32();
    return (static_cast<std::uint64_t>(rng_()) << 32) | rng_();
  }
  Number number() { return Number{coin(), u32()}; }

  ProfileSpec profile() {
    static const std::vector<std::pair<std::string, std::vector<std::string>>> kChoices = {
        {"rfc5961_rst", {"on", "off"}},          {"half_duplex_close", {"on", "off"}},
        {"mss", {"1", "536", "4294967295"}},     {"receive_buffer", {"0", "65535"}},
        {"time_wait_rst", {"accept", "ignore"}}, {"time_wait_syn", {"challenge-ack", "reopen"}},
        {"syn_text", {"hold", "discard"}},       {"msl_ms", {"0", "30000"}},
    };
    ProfileSpec p{coin() ? "rfc9293" : "rfc793", {}};
    for (const auto& [key, values] : kChoices) {
      if (below(4) == 0)
        p.settings.emplace_back(key, values[below(static_cast<std::uint32_t>(values.size()))]);
    }
    return p;
  }

  SegmentSpec segment() {
    SegmentSpec s;
    s.ctl = static_cast<std::uint8_t>(below(64));
    s.seq = number();
    s.len = u32();
    if ((s.ctl & kAck) && coin()) s.ack = number();
    if (coin()) s.wnd = u32();
    if ((s.ctl & kUrg) && coin()) s.up = static_cast<std::uint16_t>(u32());
    return s;
  }

  Event call() {
    switch (below(6)) {
      case 0: return OpenCall{coin(), coin()};
      case 1: return SendCall{u32(), coin()};
      case 2: return ReceiveCall{u32()};
      case 3: return CloseCall{};
      case 4: return AbortCall{};
      default: return StatusCall{};
    }
  }

  Notice notice() {
    switch (below(6)) {
      case 0: return Notice::ok();
      case 1: return Notice::queued();
      case 2: return Notice::delivered(u32());
      case 3: return Notice::status(kAllStates[below(11)]);
      case 4: return Notice::urgent();
      default:
        return Notice::err(static_cast<UserError>(
            1 + below(static_cast<std::uint32_t>(UserError::RetransmissionTimeout))));
    }
  }

  Line line(bool two_endpoints) {
    const Actor who = two_endpoints ? (coin() ? Actor::A : Actor::B) : Actor::Self;
    switch (below(two_endpoints ? 13 : 10)) {
      case 0: return InjectLine{who, segment()};
      case 1:
        return ExpectSegmentLine{
            who, below(4) == 0 ? std::nullopt : std::optional<SegmentSpec>(segment())};
      case 2: return CallLine{who, call()};
      case 3: return ExpectStateLine{who, kAllStates[below(11)]};
      case 4: return ExpectNoticeLine{who, notice()};
      case 5:
        return ExpectRuleLine{
            who, static_cast<Rule>(below(static_cast<std::uint32_t>(Rule::FinWait2Expires) + 1))};
      case 6: {
        ExpectTcbLine t{who, {}};
        for (int v = 0; v < 12; ++v) {
          if (below(3) == 0) t.values.emplace_back(static_cast<TcbVar>(v), number());
        }
        if (t.values.empty()) t.values.emplace_back(TcbVar::SndUna, number());
        std::shuffle(t.values.begin(), t.values.end(), rng_);
        return t;
      }
      case 7: return TimeLine{coin(), u64()};
      case 8: return TimeoutLine{who, static_cast<TimerKind>(below(kTimerKinds))};
      case 9: return ExpectSegmentLine{who, std::nullopt};
      case 10: {
        NetworkLine n{static_cast<NetOp>(below(5)), coin() ? Actor::A : Actor::B, 1};
        if (n.op == NetOp::DeliverAll) n.from = Actor::A;
        if (n.op != NetOp::Reorder && n.op != NetOp::DeliverAll && coin()) {
          n.index = 1 + below(1000);
        }
        return n;
      }
      case 11: {
        FaultsLine f{u64(), below(101), below(101), below(101), u64(), 0};
        const std::uint64_t spread = below(1000);
        f.delay_max = f.delay_min > UINT64_MAX - spread ? f.delay_min : f.delay_min + spread;
        return f;
      }
      default: return RunLine{u64()};
    }
  }

  std::mt19937 rng_;
};

TEST(ScriptPrinter, RandomScriptsRoundTrip) {
  RandomScripts gen(20240611);
  for (int i = 0; i < 2000; ++i) {
    const Script s = gen.script();
    const std::string text = print_script(s);
    auto r = parse_script(text, "random.tcp");
    ASSERT_TRUE(std::holds_alternative<Script>(r))
        << "script " << i << ": " << std::get<ParseError>(r).to_string() << "\n"
        << text;
    ASSERT_EQ(std::get<Script>(r), s) << "script " << i << ":\n" << text;
    ASSERT_EQ(print_script(std::get<Script>(r)), text) << "script " << i;
  }
}

// ---------------------------------------------------------------------------------------------
// ScriptParser: robustness. Any byte string yields a Script or a ParseError with a position;
// a Script that parsed also survives printing and parsing again.

void check_any(const std::string& input, int& parsed) {
  auto r = parse_script(input, "junk.tcp");
  if (const auto* e = std::get_if<ParseError>(&r)) {
    ASSERT_GE(e->line, 1) << e->to_string();
    ASSERT_GE(e->column, 1) << e->to_string();
    ASSERT_FALSE(e->message.empty());
    return;
  }
  ++parsed;
  const Script& s = std::get<Script>(r);
  const std::string printed = print_script(s);
  auto again = parse_script(printed, "again.tcp");
  ASSERT_TRUE(std::holds_alternative<Script>(again))
      << std::get<ParseError>(again).to_string() << "\n"
      << printed;
  ASSERT_EQ(std::get<Script>(again), s) << printed;
}

TEST(ScriptParser, SurvivesRandomBytesAndMutatedScripts) {
  const std::vector<std::string> seeds = {
      "open passive\n< S 0:0(0) win 65535\n> S. 0:0(0) ack 1\nstate SYN-RECEIVED\n"
      "why ListenSynOpens\n< . 1:1(0) ack 1\n> none\ntcb snd.una=1 rcv.nxt==301\n",
      "profile rfc793 mss=1460 syn_text=discard\niss 4294967295\npeer-iss 0\nopen active\n"
      "=> ok\n> S 0:0(0)\n< S. 0(0) ack 1 win 0\ntime +1000\ntimeout retransmission\n"
      "=> error: connection reset\nsend 5 urgent\nreceive 7\n=> delivered 7\n",
      "endpoints A B\nprofile rfc9293 msl_ms=10\nB profile rfc793\nA iss 1\nB iss 2\n"
      "A open passive\nB open active\ndeliver all\nfaults seed=7 loss=10 dup=5 reorder=5 "
      "delay=10-200\nrun 10000\nA state ESTABLISHED\nB close\ndrop B->A 2\nreorder A->B\n"
      "B < R 5:5(0)\nA => status LISTEN\nB timeout time-wait\n",
  };
  std::string alphabet = "SFRPU.-=:()<>#+ \t\r\n0123456789ABaceilmnoprstuvw=>-/";
  alphabet.push_back('\0');
  alphabet.push_back('\xff');
  // clang-format off
  const std::vector<std::string> words = {
      "<", ">", "A", "B", "ack", "win", "urg", "none", "open", "passive", "state", "=>", "error:",
      "tcb", "snd.una=", "time", "+", "deliver", "A->B", "all", "faults", "loss=", "delay=",
      "profile", "rfc793", "mss=", "endpoints A B\n", "\n", "#", "4294967296",
      "18446744073709551616", "=", ":", "(", ")", "\r\n"};
  // clang-format on
  int parsed = 0;
  std::mt19937 rng(7);
  auto below = [&rng](std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  };
  for (int i = 0; i < 20000; ++i) {
    std::string input;
    if (i % 2 == 0) {
      // Random bytes, half of them from the format's own alphabet.
      const std::size_t len = below(300);
      for (std::size_t k = 0; k < len; ++k) {
        input.push_back(below(2) == 0 ? static_cast<char>(below(256))
                                      : alphabet[below(alphabet.size())]);
      }
    } else if (i % 4 == 3) {
      // Whole lines dropped, repeated or swapped, and digits changed: often still valid.
      std::vector<std::string> lines;
      std::istringstream in(seeds[below(seeds.size())]);
      for (std::string l; std::getline(in, l);) lines.push_back(l);
      const std::size_t mutations = 1 + below(3);
      for (std::size_t m = 0; m < mutations; ++m) {
        const std::size_t a = below(lines.size());
        const std::size_t b = below(lines.size());
        switch (below(4)) {
          case 0: lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(a)); break;
          case 1: lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(a), lines[b]); break;
          case 2: std::swap(lines[a], lines[b]); break;
          default:
            for (char& c : lines[a]) {
              if (c >= '0' && c <= '9' && below(2) == 0) c = static_cast<char>('0' + below(10));
            }
        }
        if (lines.empty()) lines.push_back("close");
      }
      for (const auto& l : lines) input += l + "\n";
    } else {
      input = seeds[below(seeds.size())];
      const std::size_t mutations = 1 + below(5);
      for (std::size_t m = 0; m < mutations; ++m) {
        const std::size_t pos = below(input.size() + 1);
        switch (below(5)) {
          case 0:
            if (pos < input.size()) input[pos] = static_cast<char>(below(256));
            break;
          case 1: input.insert(pos, 1, alphabet[below(alphabet.size())]); break;
          case 2: input.erase(pos, below(10)); break;
          case 3: input.insert(pos, words[below(words.size())]); break;
          default: input.insert(pos, input.substr(pos, below(40))); break;
        }
      }
    }
    check_any(input, parsed);
    if (::testing::Test::HasFatalFailure()) {
      ADD_FAILURE() << "input " << i << ": " << ::testing::PrintToString(input);
      return;
    }
  }
  // Enough mutated scripts stay valid for the print-and-parse-again oracle to matter.
  EXPECT_GT(parsed, 1000);
  std::cout << "[          ] " << parsed << " of 20000 inputs parsed\n";
}

}  // namespace
}  // namespace tcpfsm::harness
