// The reference endpoint behind the harness interface.
#include "harness/endpoint_under_test.hpp"
#include "reference/endpoint.hpp"
#include "reference/snapshot.hpp"

namespace tcpfsm::harness {

namespace {

class ReferenceUnderTest final : public EndpointUnderTest {
 public:
  ReferenceUnderTest(const Profile& p, SeqNum iss) : ep_(p, iss) {}

  std::string_view kind() const override { return "reference"; }
  Outcome step(const Event& e, Millis now) override { return ep_.step(e, now); }
  State state() const override { return ep_.state(); }
  std::optional<TcbSnapshot> tcb() const override { return reference::snapshot(ep_.tcb()); }
  std::optional<std::pair<TimerKind, Millis>> next_timer() const override {
    return ep_.next_timer();
  }
  std::optional<Millis> deadline(TimerKind t) const override { return ep_.deadline(t); }
  const Profile& profile() const override { return ep_.profile(); }
  std::unique_ptr<EndpointUnderTest> clone() const override {
    return std::make_unique<ReferenceUnderTest>(*this);
  }

 private:
  reference::Endpoint ep_;
};

}  // namespace

std::unique_ptr<EndpointUnderTest> make_reference_endpoint(const Profile& profile,
                                                           SeqNum first_iss) {
  return std::make_unique<ReferenceUnderTest>(profile, first_iss);
}

}  // namespace tcpfsm::harness
