#include "harness/invariants.hpp"
