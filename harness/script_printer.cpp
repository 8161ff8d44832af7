// Placeholder: filled in by the owner of this file.
#include "harness/script.hpp"
