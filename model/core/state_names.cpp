#include "core/state_names.hpp"
