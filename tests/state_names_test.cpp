// The names operating systems give the RFC 9293 states (core/state_names.hpp), and the table in
// docs/state-names.md, which must say exactly what the code says.
#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/state_names.hpp"

namespace tcpfsm {
namespace {

std::string upper(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return out;
}

std::string lower(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

std::string trim(std::string_view s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '`')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '`' || s[e - 1] == '\r')) --e;
  return std::string(s.substr(b, e - b));
}

// The cells of one Markdown table row "| a | b |" -> {"a", "b"}.
std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  for (std::size_t i = 1; i < line.size(); ++i) {
    if (line[i] == '|') {
      out.push_back(trim(cur));
      cur.clear();
    } else {
      cur.push_back(line[i]);
    }
  }
  return out;
}

// Every name column of a StateNames, with the column's name, numbers as text.
std::vector<std::pair<std::string, std::string>> columns(const StateNames& n) {
  return {
      {"RFC 9293", std::string(n.rfc)},
      {"Linux ss", std::string(n.linux_ss)},
      {"/proc hex", std::string(n.linux_proc_hex)},
      {"Linux kernel", std::string(n.linux_kernel)},
      {"Linux netstat", std::string(n.linux_netstat)},
      {"BSD TCPS_", std::string(n.bsd_tcps)},
      {"BSD value", std::to_string(n.bsd_value)},
      {"BSD netstat", std::string(n.bsd_netstat)},
      {"Windows MIB", std::string(n.windows_mib)},
      {"Windows value", std::to_string(n.windows_value)},
      {"Windows netstat", std::string(n.windows_netstat)},
  };
}

// The string columns a user may pass to state_from_os_name.
std::vector<std::string_view> spellings(const StateNames& n) {
  return {n.rfc,      n.linux_ss,    n.linux_kernel, n.linux_netstat,
          n.bsd_tcps, n.bsd_netstat, n.windows_mib,  n.windows_netstat};
}

TEST(StateNames, RfcColumnIsTheRfcSpelling) {
  for (State s : kAllStates) EXPECT_EQ(names_of(s).rfc, to_string(s));
}

TEST(StateNames, EveryStateHasDistinctNamesInEachColumn) {
  std::map<std::string, std::set<std::string>> seen;  // column -> upper-cased names
  for (State s : kAllStates) {
    for (const auto& [column, name] : columns(names_of(s))) {
      EXPECT_FALSE(name.empty()) << to_string(s) << " has no " << column << " name";
      EXPECT_TRUE(seen[column].insert(upper(name)).second)
          << column << " gives " << name << " to two states";
    }
  }
}

TEST(StateNames, NoSpellingNamesTwoStates) {
  std::map<std::string, State> owner;
  for (State s : kAllStates) {
    for (std::string_view name : spellings(names_of(s))) {
      const auto [it, inserted] = owner.emplace(upper(name), s);
      if (!inserted) {
        EXPECT_EQ(it->second, s) << name << " is used for " << to_string(it->second) << " and "
                                 << to_string(s);
      }
    }
  }
}

TEST(StateNames, EverySpellingParsesBackToItsState) {
  for (State s : kAllStates) {
    for (std::string_view name : spellings(names_of(s))) {
      EXPECT_EQ(state_from_os_name(name), s) << name;
      EXPECT_EQ(state_from_os_name(lower(name)), s) << lower(name);
    }
  }
}

TEST(StateNames, NumericCodesRoundTrip) {
  for (State s : kAllStates) {
    const StateNames& n = names_of(s);
    EXPECT_EQ(state_from_linux_proc_hex(n.linux_proc_hex), s) << n.linux_proc_hex;
    EXPECT_EQ(state_from_linux_proc_hex(lower(n.linux_proc_hex)), s) << n.linux_proc_hex;
    EXPECT_EQ(state_from_bsd_value(n.bsd_value), s) << n.bsd_value;
    EXPECT_EQ(state_from_windows_value(n.windows_value), s) << n.windows_value;
  }
}

TEST(StateNames, KnownValuesOfEachSystem) {
  // Spot checks against the headers, independent of the table's own consistency.
  EXPECT_EQ(names_of(State::Established).linux_proc_hex, "01");
  EXPECT_EQ(names_of(State::Closing).linux_proc_hex, "0B");
  EXPECT_EQ(names_of(State::Closed).bsd_value, 0);
  EXPECT_EQ(names_of(State::TimeWait).bsd_value, 10);
  EXPECT_EQ(names_of(State::Closed).windows_value, 1);
  EXPECT_EQ(names_of(State::TimeWait).windows_value, 11);
  EXPECT_EQ(state_from_linux_proc_hex("A"), State::Listen);
  EXPECT_EQ(state_from_linux_proc_hex("0C"), std::nullopt);  // TCP_NEW_SYN_RECV is never printed
  EXPECT_EQ(state_from_linux_proc_hex("00"), std::nullopt);
  EXPECT_EQ(state_from_linux_proc_hex("1G"), std::nullopt);
  EXPECT_EQ(state_from_linux_proc_hex("001"), std::nullopt);
  EXPECT_EQ(state_from_linux_proc_hex(""), std::nullopt);
  EXPECT_EQ(state_from_bsd_value(11), std::nullopt);
  EXPECT_EQ(state_from_bsd_value(-1), std::nullopt);
  EXPECT_EQ(state_from_windows_value(0), std::nullopt);
}

TEST(StateNames, CloseMeansClosedNotCloseWait) {
  EXPECT_EQ(state_from_os_name("CLOSE"), State::Closed);
  EXPECT_EQ(state_from_os_name("TCP_CLOSE"), State::Closed);
  EXPECT_EQ(state_from_os_name("CLOSED"), State::Closed);
  EXPECT_EQ(state_from_os_name("UNCONN"), State::Closed);
  EXPECT_EQ(state_from_os_name("unconnected"), State::Closed);
  EXPECT_EQ(state_from_os_name("CLOSE_WAIT"), State::CloseWait);
  EXPECT_EQ(state_from_os_name("CLOSE-WAIT"), State::CloseWait);
  EXPECT_EQ(state_from_os_name("TCP_CLOSE_WAIT"), State::CloseWait);
}

TEST(StateNames, WindowsAndSsWordsParse) {
  EXPECT_EQ(state_from_os_name("LISTENING"), State::Listen);
  EXPECT_EQ(state_from_os_name("listening"), State::Listen);
  EXPECT_EQ(state_from_os_name("SYN_RECEIVED"), State::SynReceived);
  EXPECT_EQ(state_from_os_name("SYN_RCVD"), State::SynReceived);
  EXPECT_EQ(state_from_os_name("syn-recv"), State::SynReceived);
  EXPECT_EQ(state_from_os_name("ESTAB"), State::Established);
  EXPECT_EQ(state_from_os_name("MIB_TCP_STATE_ESTAB"), State::Established);
  EXPECT_EQ(state_from_os_name("FIN_WAIT1"), State::FinWait1);
  EXPECT_EQ(state_from_os_name("FIN_WAIT_1"), State::FinWait1);
  EXPECT_EQ(state_from_os_name("fin-wait-2"), State::FinWait2);
}

TEST(StateNames, LinuxRequestSocketIsSynReceived) {
  EXPECT_EQ(state_from_os_name("TCP_NEW_SYN_RECV"), State::SynReceived);
  EXPECT_EQ(state_from_os_name("NEW_SYN_RECV"), State::SynReceived);
}

TEST(StateNames, NamesWithoutAnRfcStateAreRejected) {
  for (std::string_view name : {"DELETE_TCB", "MIB_TCP_STATE_DELETE_TCB", "TCP_BOUND_INACTIVE",
                                "UNKNOWN", "", "10", "07", "CLOSE WAIT", "ESTABLISHED ", "SYN"}) {
    EXPECT_EQ(state_from_os_name(name), std::nullopt) << '"' << name << '"';
  }
}

// docs/state-names.md is written by hand; this parses its table and holds it to names_of().
TEST(StateNames, DocTableMatchesTheCode) {
  const std::string path = std::string(TCPFSM_SOURCE_ROOT) + "/docs/state-names.md";
  std::ifstream in(path);
  ASSERT_TRUE(in) << "cannot read " << path;

  std::vector<std::string> header;
  std::map<State, std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] != '|') continue;
    std::vector<std::string> c = cells(line);
    if (header.empty()) {
      header = c;
      continue;
    }
    if (!c.empty() && c[0].starts_with("---")) continue;
    ASSERT_FALSE(c.empty());
    const std::optional<State> s = parse_state(c[0]);
    ASSERT_TRUE(s.has_value()) << "row for an unknown state: " << line;
    ASSERT_EQ(names_of(*s).rfc, c[0]) << "the first column must be the RFC spelling: " << line;
    EXPECT_TRUE(rows.emplace(*s, c).second) << "two rows for " << c[0];
  }

  const auto expected_header = columns(names_of(State::Closed));
  ASSERT_EQ(header.size(), expected_header.size()) << "the doc's table has other columns";
  for (std::size_t i = 0; i < header.size(); ++i) EXPECT_EQ(header[i], expected_header[i].first);

  EXPECT_EQ(rows.size(), kAllStates.size()) << "the doc's table must list every state";
  for (State s : kAllStates) {
    const auto it = rows.find(s);
    if (it == rows.end()) {
      ADD_FAILURE() << "no row for " << to_string(s);
      continue;
    }
    const auto want = columns(names_of(s));
    ASSERT_EQ(it->second.size(), want.size()) << to_string(s);
    for (std::size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(it->second[i], want[i].second) << to_string(s) << ", column " << want[i].first;
    }
  }
}

}  // namespace
}  // namespace tcpfsm
