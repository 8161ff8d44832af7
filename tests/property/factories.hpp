#pragma once
// Endpoint factories the property tests need beyond the harness's own: one plain function per
// mutant of the zoo (EndpointFactory is a function pointer, and a counterexample script is
// replayed through one), and deliberately broken endpoints that prove the machinery catches a
// difference and prints a script that shows it.
#include "fast/mutant.hpp"
#include "harness/endpoint_under_test.hpp"

namespace tcpfsm::prop {

// make_mutant_endpoint(m, ...) as an EndpointFactory.
harness::EndpointFactory mutant_factory(fast::Mutant m);

// The reference, except that the ACK of the peer's FIN sent on FIN-WAIT-2 -> TIME-WAIT
// acknowledges one octet less (a corrupted segment field; everything else is right).
std::unique_ptr<harness::EndpointUnderTest> make_broken_fin_wait_2_ack(const Profile& profile,
                                                                       SeqNum first_iss);

// The reference, except that a data segment it sends claims one octet more than it carries
// (a byte invented on the wire; the invariant catalogue's data-safety check sees it).
std::unique_ptr<harness::EndpointUnderTest> make_broken_inventing_octet(const Profile& profile,
                                                                        SeqNum first_iss);

}  // namespace tcpfsm::prop
