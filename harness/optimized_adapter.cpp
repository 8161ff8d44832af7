// The optimized implementation (model/fast) behind the harness interface: a one-connection
// ConnectionTable and an OutputBuffer whose contents each step turns into an Outcome. The
// mutant factory is the same adapter with one of the known bugs switched on in the table.
#include <string>

#include "fast/connection_table.hpp"
#include "harness/endpoint_under_test.hpp"

namespace tcpfsm::harness {

namespace {

class FastUnderTest final : public EndpointUnderTest {
 public:
  FastUnderTest(const Profile& p, SeqNum iss, fast::Mutant m) : table_(1, p, m, iss) {}

  std::string_view kind() const override {
    return table_.mutant() == fast::Mutant::None ? "optimized" : "mutant";
  }
  Outcome step(const Event& e, Millis now) override {
    // The output buffer is scratch, emptied before each step and read before returning, so one
    // per thread serves every endpoint: clones (the explorer makes one per transition) then
    // copy only the table. It grows on demand beyond its first size.
    thread_local fast::OutputBuffer out;
    out.clear();
    const fast::StepResult r = table_.step(0, e, now, out);
    Outcome o;
    o.from = r.from;
    o.to = r.to;
    o.rule = r.rule;
    const auto segs = r.segments(out);
    const auto notes = r.notices(out);
    o.sent.assign(segs.begin(), segs.end());
    o.notices.assign(notes.begin(), notes.end());
    return o;
  }
  State state() const override { return table_.state(0); }
  std::optional<TcbSnapshot> tcb() const override { return table_.snapshot(0); }
  std::optional<std::pair<TimerKind, Millis>> next_timer() const override {
    return table_.next_timer(0);
  }
  std::optional<Millis> deadline(TimerKind t) const override { return table_.deadline(0, t); }
  const Profile& profile() const override { return table_.profile(); }
  std::unique_ptr<EndpointUnderTest> clone() const override {
    return std::make_unique<FastUnderTest>(*this);
  }
  bool encode_state(Millis now, std::string& out) const override {
    table_.encode(0, now, out);
    return true;
  }

 private:
  fast::ConnectionTable table_;
};

}  // namespace

std::unique_ptr<EndpointUnderTest> make_optimized_endpoint(const Profile& profile,
                                                           SeqNum first_iss) {
  return std::make_unique<FastUnderTest>(profile, first_iss, fast::Mutant::None);
}

std::unique_ptr<EndpointUnderTest> make_mutant_endpoint(fast::Mutant mutant, const Profile& profile,
                                                        SeqNum first_iss) {
  return std::make_unique<FastUnderTest>(profile, first_iss, mutant);
}

}  // namespace tcpfsm::harness
