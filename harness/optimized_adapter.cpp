// TEMPORARY SHIM until model/fast lands: the optimized factory hands out the reference model,
// and the mutant factory too (so mutant tests fail until the real mutants exist). The owner of
// model/fast replaces this file with the real adapter.
#include "harness/endpoint_under_test.hpp"

namespace tcpfsm::harness {

std::unique_ptr<EndpointUnderTest> make_optimized_endpoint(const Profile& profile,
                                                           SeqNum first_iss) {
  return make_reference_endpoint(profile, first_iss);
}

std::unique_ptr<EndpointUnderTest> make_mutant_endpoint(fast::Mutant, const Profile& profile,
                                                        SeqNum first_iss) {
  return make_reference_endpoint(profile, first_iss);
}

}  // namespace tcpfsm::harness
