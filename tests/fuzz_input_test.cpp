// The fuzz input format (harness/fuzz_input.hpp): every byte string decodes to a valid script
// that replays as the fuzzers ran it, scripts survive encode and decode, and the tags keep their
// numbers.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "harness/fuzz_input.hpp"
#include "harness/network.hpp"
#include "harness/script.hpp"
#include "harness/script_runner.hpp"

namespace tcpfsm::harness {
namespace {

using Bytes = std::vector<std::uint8_t>;

// Random inputs: mostly version 1 (anything else is the empty sequence), one or two endpoints,
// lengths up to 300 bytes.
Bytes random_input(SeededRandom& r) {
  Bytes b(r.between(0, 300));
  for (auto& x : b) x = static_cast<std::uint8_t>(r.next());
  if (!b.empty() && r.percent(95)) b[0] = kFuzzFormatVersion;
  if (b.size() > 11 && r.percent(80)) b[10] &= 0x01;  // few profile settings, most of the time
  if (b.size() > 11 && b[1] & 0x01 && r.percent(80)) b[11] &= 0x01;
  return b;
}

std::string text_of(const Script& s) {
  return print_script(s);
}

Script reparse(const Script& s) {
  auto parsed = parse_script(print_script(s), "decoded.tcp");
  if (auto* err = std::get_if<ParseError>(&parsed)) {
    ADD_FAILURE() << err->to_string() << "\n" << print_script(s);
    return {};
  }
  return std::get<Script>(parsed);
}

Bytes encode_ok(const Script& s) {
  auto e = encode_fuzz_input(s);
  if (auto* err = std::get_if<std::string>(&e)) {
    ADD_FAILURE() << *err << "\n" << print_script(s);
    return {};
  }
  return std::get<Bytes>(e);
}

// What the fuzz targets execute: every step of the reference world.
std::vector<std::string> world_trace(std::span<const std::uint8_t> bytes) {
  FuzzReader reader(bytes);
  FuzzWorld world(reader.header(), make_reference_endpoint);
  world.keep_history(true);
  FuzzOp op;
  while (reader.next(op)) {
    if (auto a = world.resolve(op)) world.apply(*a);
  }
  RunResult r;
  r.two_endpoints = reader.header().two_endpoints;
  const auto h = world.history();
  r.steps.assign(h.begin(), h.end());
  return format_trace(r);
}

TEST(FuzzInput, EveryByteStringDecodesToAScriptThatReplaysTheSameSteps) {
  SeededRandom r(20240601);
  int two = 0, events = 0;
  for (int i = 0; i < 1500; ++i) {
    const Bytes in = random_input(r);
    const Script s = decode_fuzz_input(in, FuzzExpect::Full);
    two += s.two_endpoints ? 1 : 0;
    events += static_cast<int>(s.lines.size());
    // Valid text: the printer's output parses back to the same script.
    EXPECT_EQ(reparse(s), s) << text_of(s);
    // The expectations written from the reference hold when the runner replays it, and the
    // runner takes exactly the steps the fuzz world took.
    // (The invariant catalogue is the fuzz_network target's oracle, not this test's.)
    RunOptions no_invariants;
    no_invariants.check_invariants = false;
    const RunResult run = run_script(s, no_invariants);
    ASSERT_TRUE(run.passed()) << run.failure->pos.line << ": " << run.failure->message << "\n"
                              << text_of(s);
    EXPECT_EQ(format_trace(run), world_trace(in)) << text_of(s);
  }
  EXPECT_GT(two, 300);  // both kinds of input were exercised
  EXPECT_GT(events, 10'000);
}

TEST(FuzzInput, DecodedScriptsSurviveEncodeAndDecode) {
  SeededRandom r(7);
  for (int i = 0; i < 1500; ++i) {
    const Bytes in = random_input(r);
    for (FuzzExpect expect : {FuzzExpect::Minimal, FuzzExpect::Full}) {
      const Script s = decode_fuzz_input(in, expect);
      const Bytes canonical = encode_ok(s);
      const Script again = decode_fuzz_input(canonical, expect);
      ASSERT_EQ(again, s) << "before:\n" << text_of(s) << "after:\n" << text_of(again);
      EXPECT_EQ(encode_ok(again), canonical);  // canonical bytes are a fixed point
    }
  }
}

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(FuzzInput, EveryScenarioEncodesToTheSameRun) {
  const std::filesystem::path dir = std::filesystem::path(TCPFSM_SOURCE_ROOT) / "corpus/scenarios";
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".tcp") continue;
    auto parsed = parse_script(read_text(entry.path()), entry.path().string());
    ASSERT_TRUE(std::holds_alternative<Script>(parsed)) << entry.path();
    const Script& original = std::get<Script>(parsed);
    const Bytes bytes = encode_ok(original);
    const Script decoded = decode_fuzz_input(bytes, FuzzExpect::Full);
    const RunResult a = run_script(original);
    const RunResult b = run_script(decoded);
    EXPECT_TRUE(b.passed()) << entry.path() << "\n" << text_of(decoded);
    EXPECT_EQ(format_trace(a), format_trace(b)) << entry.path();
    EXPECT_EQ(encode_ok(decoded), bytes) << entry.path();
    ++checked;
  }
  EXPECT_GT(checked, 50);
}

// ------------------------------------------------------------------------------------------------
// Stable tags: these bytes mean these scripts, in every future version of the decoder.
// ------------------------------------------------------------------------------------------------

TEST(FuzzInputTags, OpcodesKeepTheirNumbers) {
  EXPECT_EQ(fuzz_op::kSegmentLast, 0x3F);
  EXPECT_EQ(fuzz_op::kOpenPassive, 0x40);
  EXPECT_EQ(fuzz_op::kOpenActive, 0x41);
  EXPECT_EQ(fuzz_op::kOpenPassiveUnspecified, 0x42);
  EXPECT_EQ(fuzz_op::kOpenActiveUnspecified, 0x43);
  EXPECT_EQ(fuzz_op::kSend, 0x44);
  EXPECT_EQ(fuzz_op::kSendUrgent, 0x45);
  EXPECT_EQ(fuzz_op::kReceive, 0x46);
  EXPECT_EQ(fuzz_op::kClose, 0x47);
  EXPECT_EQ(fuzz_op::kAbort, 0x48);
  EXPECT_EQ(fuzz_op::kStatus, 0x49);
  EXPECT_EQ(fuzz_op::kTimeoutFirst, 0x4A);
  EXPECT_EQ(fuzz_op::kTimeRelative, 0x4F);
  EXPECT_EQ(fuzz_op::kTimeAbsolute, 0x50);
  EXPECT_EQ(fuzz_op::kDeliver, 0x51);
  EXPECT_EQ(fuzz_op::kDrop, 0x52);
  EXPECT_EQ(fuzz_op::kDuplicate, 0x53);
  EXPECT_EQ(fuzz_op::kReorder, 0x54);
  EXPECT_EQ(fuzz_op::kDeliverAll, 0x55);
  EXPECT_EQ(fuzz_op::kRun, 0x56);
  EXPECT_EQ(fuzz_op::kFaults, 0x57);
  EXPECT_EQ(fuzz_op::kFirstReserved, 0x58);
  EXPECT_EQ(fuzz_op::kActorB, 0x80);
  EXPECT_EQ(static_cast<int>(FuzzBase::RcvNxt), 0);
  EXPECT_EQ(static_cast<int>(FuzzBase::RcvEdge), 1);
  EXPECT_EQ(static_cast<int>(FuzzBase::SndUna), 2);
  EXPECT_EQ(static_cast<int>(FuzzBase::SndNxt), 3);
  EXPECT_EQ(static_cast<int>(FuzzBase::Iss), 4);
  EXPECT_EQ(static_cast<int>(FuzzBase::Irs), 5);
  EXPECT_EQ(static_cast<int>(FuzzBase::ScriptBase), 6);
  EXPECT_EQ(static_cast<int>(FuzzBase::Absolute), 7);
}

TEST(FuzzInputTags, ProfileSettingKeysKeepTheirTags) {
  const std::vector<std::string_view> expected = {"rfc5961_rst",
                                                  "rfc5961_syn",
                                                  "rfc5961_ack",
                                                  "challenge_ack_limit",
                                                  "challenge_ack_window_ms",
                                                  "time_wait_rst",
                                                  "time_wait_syn",
                                                  "msl_ms",
                                                  "rst_sender_enters_time_wait",
                                                  "half_duplex_close",
                                                  "fin_wait_2_timeout_ms",
                                                  "out_of_order_queue",
                                                  "syn_text",
                                                  "receive_buffer",
                                                  "send_buffer",
                                                  "mss",
                                                  "rto_initial_ms",
                                                  "rto_min_ms",
                                                  "rto_max_ms",
                                                  "syn_retries",
                                                  "data_retries",
                                                  "user_timeout_ms",
                                                  "iss_increment"};
  const auto keys = fuzz_setting_keys();
  ASSERT_GE(keys.size(), expected.size());  // new keys are appended, never inserted
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(keys[i], expected[i]) << i;
  // Every tagged key is one the script format knows.
  for (const auto key : keys) {
    ProfileSpec spec;
    spec.settings.emplace_back(std::string(key), key.find("rfc5961") == 0 ? "on" : "1");
    const bool choice = key == "time_wait_rst" || key == "time_wait_syn" || key == "syn_text" ||
                        key == "half_duplex_close" || key == "out_of_order_queue" ||
                        key == "rst_sender_enters_time_wait";
    if (choice) continue;
    EXPECT_TRUE(std::holds_alternative<Profile>(make_profile(spec))) << key;
  }
}

Script decode_text(const Bytes& b) {
  return decode_fuzz_input(b, FuzzExpect::Minimal);
}

TEST(FuzzInputTags, AGoldenPassiveHandshake) {
  // Written by hand from docs/fuzzing.md: version 1, one endpoint, ISS 100 and 300, no settings;
  // OPEN passive; a SYN at RCV.NXT+0 (the peer's ISS, as nothing is synchronized yet), no data,
  // window 65535; an ACK at RCV.NXT acknowledging SND.NXT.
  const Bytes b = {0x01, 0x00, 100,  0,    0,    0,    0x2C, 0x01, 0,    0,   0x00,
                   0x40, 0x02, 0x08, 0x00, 0xFD, 0x10, 0x08, 0x68, 0x00, 0xFD};
  EXPECT_EQ(print_script(decode_text(b)),
            "profile rfc9293\n"
            "iss 100\n"
            "peer-iss 300\n"
            "\n"
            "open passive\n"
            "state LISTEN\n"
            "< S 0:0(0)\n"
            "> S. 0:0(0) ack 1\n"
            "state SYN-RECEIVED\n"
            "< . 1:1(0) ack 1\n"
            "state ESTABLISHED\n");
}

TEST(FuzzInputTags, NumbersCountFromTheWindowEdges) {
  // ESTABLISHED by an active open, then segments written against each edge.
  Bytes b = {0x01, 0x00, 100,  0,    0,   0, 0x2C, 0x01, 0, 0, 0x00,
             0x41,                           // open active
             0x12, 0x08, 0x68, 0x00, 0xFD};  // SYN,ACK at RCV.NXT(+0) ack SND.NXT
  const auto with = [&](std::initializer_list<std::uint8_t> tail) {
    Bytes out = b;
    out.insert(out.end(), tail);
    return print_script(decode_text(out));
  };
  // RST at RCV.NXT+WND-1 (selector: base 1, offset code 7 = -1), no ACK.
  EXPECT_NE(with({0x04, 0x27, 0x00, 0xFD}).find("< R 65535:65535(0)"), std::string::npos);
  // RST at RCV.NXT-1 (base 0, code 7).
  EXPECT_NE(with({0x04, 0x07, 0x00, 0xFD}).find("< R 0:0(0)"), std::string::npos);
  // ACK of SND.UNA-1 (base 2, code 7) with data at RCV.NXT+16 (+u8 escape).
  EXPECT_NE(with({0x18, 0x18, 0x10, 0x47, 0x05, 0xFD}).find("< P. 17:22(5) ack 0"),
            std::string::npos);
  // Absolute SEQ (base 7) and window code 0x81 (2*512).
  EXPECT_NE(with({0x10, 0xE0, 0x10, 0x27, 0, 0, 0x68, 0x00, 0x81})
                .find("< . =10000:=10000(0) ack 1 win 1024"),
            std::string::npos);
}

TEST(FuzzInputTags, TimeAndLengthCodes) {
  Bytes b = {0x01, 0x00, 100, 0, 0, 0, 0x2C, 0x01, 0, 0, 0x00};
  b.insert(b.end(), {0x4F, 0x05, 0x4F, 0x64, 0x4F, 0xC8, 0x4F, 0xFE, 0x39, 0x30, 0x00, 0x00, 0x50,
                     0x80, 0xD3, 0x0E, 0x44, 0xC0, 0x44, 0xFE, 0x34, 0x12, 0x46, 0x00, 0x49});
  EXPECT_EQ(print_script(decode_text(b)),
            "profile rfc9293\niss 100\npeer-iss 300\n\n"
            "time +50\n"
            "time +1000\n"
            "time +60000\n"
            "time +12345\n"
            "time 240000\n"
            "send 512\n"
            "send 4660\n"
            "receive\n"
            "status\n");
}

TEST(FuzzInputTags, UnknownVersionsReservedOpcodesAndTruncationAreHarmless) {
  EXPECT_TRUE(decode_text({}).lines.empty());
  EXPECT_TRUE(decode_text({0x02, 0x41, 0x41}).lines.empty());  // version 2 is not known yet
  EXPECT_TRUE(decode_text({0x00, 0x41}).lines.empty());
  // Reserved opcodes 0x58..0x7F (and 0xD8..0xFF) do nothing.
  Bytes b = {0x01, 0x00, 100, 0, 0, 0, 0x2C, 0x01, 0, 0, 0x00};
  for (std::uint8_t op = 0x58; op <= 0x7F; ++op) b.push_back(op);
  EXPECT_TRUE(decode_text(b).lines.empty());
  // A header cut short reads zeros: ISS 0 and 0.
  const Script cut = decode_text({0x01, 0x00, 0x05});
  EXPECT_EQ(cut.iss_a, 5u);
  EXPECT_EQ(cut.iss_b, 0u);
  // A segment cut short: SEQ at RCV.NXT-8, no data, window 0.
  const Script seg = decode_text({0x01, 0x00, 100, 0, 0, 0, 0x2C, 0x01, 0, 0, 0x00, 0x02});
  EXPECT_EQ(print_script(seg),
            "profile rfc9293\niss 100\npeer-iss 300\n\n< S 4294967288:4294967288(0) win 0\n"
            "> R. =0:=0(0) ack =293\n");
}

TEST(FuzzInputTags, TwoEndpointsAndProfiles) {
  // Two endpoints, B on rfc793; A has msl_ms=1000 (tag 7, LEB128 0xE8 0x07).
  const Bytes b = {0x01, 0x05, 100,  0,    0,    0,    0x2C, 0x01,
                   0,    0,    0x01, 0x07, 0xE8, 0x07, 0x00,
                   0xC0,        // B open passive
                   0x41,        // A open active
                   0x51, 0x00,  // deliver A->B 1
                   0xD1, 0x05,  // deliver B->A (index 5 modulo 1 in flight)
                   0x55,        // deliver all
                   0x57, 0x2A, 0x14, 0x05, 0x0A, 0x00, 0x32};  // faults, delay 0 reads as 1
  EXPECT_EQ(print_script(decode_text(b)),
            "endpoints A B\n"
            "A profile rfc9293 msl_ms=1000\n"
            "B profile rfc793\n"
            "A iss 100\n"
            "B iss 300\n"
            "\n"
            "B open passive\n"
            "B state LISTEN\n"
            "A open active\n"
            "A state SYN-SENT\n"
            "deliver A->B\n"
            "B state SYN-RECEIVED\n"
            "deliver B->A\n"
            "A state ESTABLISHED\n"
            "deliver all\n"
            "B state ESTABLISHED\n"
            "faults seed=42 loss=20 dup=5 reorder=10 delay=1-50\n");
}

}  // namespace
}  // namespace tcpfsm::harness
