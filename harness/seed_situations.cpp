#include "harness/seed_situations.hpp"

#include <algorithm>

#include "harness/pair.hpp"

namespace tcpfsm::harness {

namespace {

constexpr SeqNum kIssA{0xFFFF'FF00u};  // both ISS values wrap during the runs
constexpr SeqNum kIssB{0xFFFF'FFF8u};

// A listens, B opens actively: the three-way handshake of RFC 9293 §3.5 Figure 6.
Pair connected_pair(const Profile& p) {
  Pair pair(p, kIssA, kIssB);
  pair.call(Side::A, OpenCall{.passive = true});
  pair.call(Side::B, OpenCall{.passive = false});
  pair.deliver_all();
  return pair;
}

std::string path(const Pair& pair, Side s) {
  std::string out;
  for (State st : pair.visited(s)) {
    if (!out.empty()) out += " -> ";
    out += to_string(st);
  }
  return out;
}

// The states visited from the given one on, for "went X, Y, Z" checks.
bool visited_in_order(const Pair& pair, Side s, const std::vector<State>& wanted) {
  const auto v = pair.visited(s);
  auto it = v.begin();
  for (State w : wanted) {
    it = std::find(it, v.end(), w);
    if (it == v.end()) return false;
    ++it;
  }
  return true;
}

SeedResult start(std::string name, std::string story) {
  SeedResult r;
  r.name = std::move(name);
  r.story = std::move(story);
  return r;
}

SeedResult finish(SeedResult r, const Pair& pair) {
  std::string first_violation;
  if (!pair.violations().empty()) {
    const Violation& v = pair.violations().front();
    first_violation = ": " + v.invariant + " " + v.detail;
  }
  r.checks.push_back({"no invariant of the catalogue was violated in " +
                          std::to_string(pair.steps()) + " steps" + first_violation,
                      pair.violations().empty()});
  r.trace = pair.log();
  r.ladder = pair.ladder();
  r.trace.push_back("A visited: " + path(pair, Side::A));
  r.trace.push_back("B visited: " + path(pair, Side::B));
  return r;
}

}  // namespace

bool SeedResult::passed() const {
  return std::all_of(checks.begin(), checks.end(), [](const SeedCheck& c) { return c.holds; });
}

// RFC 9293 §3.6 case 1, Figure 12: the side that closes first ends in TIME-WAIT.
SeedResult seed_active_close() {
  Pair pair = connected_pair(Profile{});
  pair.call(Side::A, CloseCall{});
  pair.deliver_all();
  pair.call(Side::B, CloseCall{});
  pair.deliver_all();
  SeedResult r =
      start("active-close", "A closes first: A is the active closer and ends in TIME-WAIT");
  r.checks.push_back(
      {"A went FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT",
       visited_in_order(pair, Side::A, {State::FinWait1, State::FinWait2, State::TimeWait})});
  r.checks.push_back({"A is in TIME-WAIT while B is already CLOSED",
                      pair.endpoint(Side::A).state() == State::TimeWait &&
                          pair.endpoint(Side::B).state() == State::Closed});
  const Millis two_msl = 2ull * Profile{}.msl_ms;
  pair.advance(two_msl - 1);
  r.checks.push_back({"A still holds TIME-WAIT 1 ms before 2*MSL",
                      pair.endpoint(Side::A).state() == State::TimeWait});
  pair.advance(1);
  r.checks.push_back({"A is CLOSED after 2*MSL", pair.endpoint(Side::A).state() == State::Closed});
  return finish(std::move(r), pair);
}

// RFC 9293 §3.6 case 1 seen from the other side: the passive closer goes CLOSE-WAIT, LAST-ACK,
// CLOSED, and may keep sending in CLOSE-WAIT (half-close) before it closes.
SeedResult seed_passive_close() {
  Pair pair = connected_pair(Profile{});
  pair.call(Side::A, CloseCall{});
  pair.deliver_all();
  pair.call(Side::B, SendCall{.len = 100});  // still allowed in CLOSE-WAIT
  pair.deliver_all();
  pair.call(Side::A, ReceiveCall{.max_len = 0});
  pair.call(Side::B, CloseCall{});
  pair.deliver_all();
  SeedResult r =
      start("passive-close",
            "B learns of A's FIN first: B is the passive closer and never enters TIME-WAIT");
  r.checks.push_back(
      {"B went CLOSE-WAIT, LAST-ACK, CLOSED",
       visited_in_order(pair, Side::B, {State::CloseWait, State::LastAck, State::Closed})});
  r.checks.push_back({"B never entered TIME-WAIT", !pair.has_visited(Side::B, State::TimeWait)});
  r.checks.push_back({"A received B's 100 octets sent in CLOSE-WAIT",
                      pair.endpoint(Side::A).tcb()->delivered_total == 100});
  return finish(std::move(r), pair);
}

// RFC 9293 §3.6 case 2, Figure 13: both close before either FIN arrives; both pass through
// CLOSING and both end in TIME-WAIT.
SeedResult seed_simultaneous_close() {
  Pair pair = connected_pair(Profile{});
  pair.call(Side::A, CloseCall{});
  pair.call(Side::B, CloseCall{});
  pair.deliver_all();
  SeedResult r =
      start("simultaneous-close", "both users close at once: both endpoints end in TIME-WAIT");
  for (Side s : {Side::A, Side::B}) {
    r.checks.push_back(
        {std::string(name(s)) + " went FIN-WAIT-1, CLOSING, TIME-WAIT",
         visited_in_order(pair, s, {State::FinWait1, State::Closing, State::TimeWait})});
    r.checks.push_back({std::string(name(s)) + " never entered CLOSE-WAIT",
                        !pair.has_visited(s, State::CloseWait)});
  }
  return finish(std::move(r), pair);
}

// A server (A) that answers and then waits for the client to close, closing only after the
// client's FIN: TIME-WAIT lands on the client, and the server never holds one.
SeedResult seed_server_lets_client_close_first() {
  Pair pair = connected_pair(Profile{});
  pair.call(Side::B, SendCall{.len = 40});  // the request
  pair.deliver_all();
  pair.call(Side::A, ReceiveCall{.max_len = 0});
  pair.call(Side::A, SendCall{.len = 1000});  // the response, two segments
  pair.deliver_all();
  pair.call(Side::B, ReceiveCall{.max_len = 0});
  pair.call(Side::B, CloseCall{});  // the client is done
  pair.deliver_all();
  pair.call(Side::A, CloseCall{});  // the server closes only after the client's FIN
  pair.deliver_all();
  SeedResult r = start(
      "server-lets-client-close",
      "the server closes after the client's FIN: TIME-WAIT is the client's, not the server's");
  r.checks.push_back(
      {"client B holds TIME-WAIT", pair.endpoint(Side::B).state() == State::TimeWait});
  r.checks.push_back({"server A is CLOSED and never entered TIME-WAIT",
                      pair.endpoint(Side::A).state() == State::Closed &&
                          !pair.has_visited(Side::A, State::TimeWait)});
  r.checks.push_back({"the client received all 1000 octets of the response",
                      pair.endpoint(Side::B).tcb()->delivered_total == 1000});
  return finish(std::move(r), pair);
}

std::vector<SeedResult> run_seed_situations() {
  return {seed_active_close(), seed_passive_close(), seed_simultaneous_close(),
          seed_server_lets_client_close_first()};
}

}  // namespace tcpfsm::harness
