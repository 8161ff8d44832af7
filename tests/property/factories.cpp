#include "factories.hpp"

#include <array>
#include <cstddef>
#include <utility>

namespace tcpfsm::prop {

namespace {

template <fast::Mutant M>
std::unique_ptr<harness::EndpointUnderTest> mutant_endpoint(const Profile& profile,
                                                            SeqNum first_iss) {
  return harness::make_mutant_endpoint(M, profile, first_iss);
}

template <std::size_t... I>
constexpr std::array<harness::EndpointFactory, sizeof...(I)> mutant_table(
    std::index_sequence<I...>) {
  return {&mutant_endpoint<fast::kAllMutants[I]>...};
}

constexpr auto kMutantFactories =
    mutant_table(std::make_index_sequence<fast::kAllMutants.size()>{});

// The reference endpoint with its outcomes passed through a corruption.
class Corrupted final : public harness::EndpointUnderTest {
 public:
  using Corrupt = void (*)(Outcome&);
  Corrupted(std::unique_ptr<harness::EndpointUnderTest> inner, Corrupt corrupt)
      : inner_(std::move(inner)), corrupt_(corrupt) {}

  std::string_view kind() const override { return "broken"; }
  Outcome step(const Event& e, Millis now) override {
    Outcome o = inner_->step(e, now);
    corrupt_(o);
    return o;
  }
  State state() const override { return inner_->state(); }
  std::optional<TcbSnapshot> tcb() const override { return inner_->tcb(); }
  std::optional<std::pair<TimerKind, Millis>> next_timer() const override {
    return inner_->next_timer();
  }
  std::optional<Millis> deadline(TimerKind t) const override { return inner_->deadline(t); }
  const Profile& profile() const override { return inner_->profile(); }
  std::unique_ptr<EndpointUnderTest> clone() const override {
    return std::make_unique<Corrupted>(inner_->clone(), corrupt_);
  }

 private:
  std::unique_ptr<harness::EndpointUnderTest> inner_;
  Corrupt corrupt_;
};

void ack_one_short_in_fin_wait_2(Outcome& o) {
  if (o.from != State::FinWait2 || o.to != State::TimeWait) return;
  for (Segment& s : o.sent) {
    if (s.ack_flag()) s.ack = s.ack - 1;
  }
}

void invent_an_octet(Outcome& o) {
  for (Segment& s : o.sent) {
    if (s.len > 0 && !s.syn() && !s.rst()) s.len += 1;
  }
}

}  // namespace

harness::EndpointFactory mutant_factory(fast::Mutant m) {
  for (std::size_t i = 0; i < fast::kAllMutants.size(); ++i) {
    if (fast::kAllMutants[i] == m) return kMutantFactories[i];
  }
  return harness::make_optimized_endpoint;
}

std::unique_ptr<harness::EndpointUnderTest> make_broken_fin_wait_2_ack(const Profile& profile,
                                                                       SeqNum first_iss) {
  return std::make_unique<Corrupted>(harness::make_reference_endpoint(profile, first_iss),
                                     &ack_one_short_in_fin_wait_2);
}

std::unique_ptr<harness::EndpointUnderTest> make_broken_inventing_octet(const Profile& profile,
                                                                        SeqNum first_iss) {
  return std::make_unique<Corrupted>(harness::make_reference_endpoint(profile, first_iss),
                                     &invent_an_octet);
}

}  // namespace tcpfsm::prop
