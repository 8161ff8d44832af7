#pragma once
// Generators for what a property run is set up with: the profile (one of the RFC 9293 choices
// the model documents, sometimes two or three of them together) and the initial sequence
// numbers, often just below 2^32 so that connections cross the wraparound.
#include <rapidcheck.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "core/profile.hpp"
#include "harness/script.hpp"

namespace tcpfsm::prop {

struct ProfileChoice {
  std::string label;          // "default", "rfc793", "time-wait-syn-reopen+small-buffers", ...
  harness::ProfileSpec spec;  // what a script's `profile` line says
  Profile profile;            // what the spec builds
};

std::ostream& operator<<(std::ostream& os, const ProfileChoice& c);

// Each of the profile variants the property suites run under, in a fixed order.
const std::vector<std::string>& profile_variant_labels();
// The variant with this label; a `+` joins several ("half-duplex-close+no-ooo-queue").
ProfileChoice profile_variant(const std::string& label);

// The default profile about a third of the time, else one variant, sometimes a combination.
rc::Gen<ProfileChoice> gen_profile();
// An ISS: a small number, one just below 2^32 (the wraparound), or anything.
rc::Gen<std::uint32_t> gen_iss();

}  // namespace tcpfsm::prop
