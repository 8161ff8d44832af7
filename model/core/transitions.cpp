#include "core/transitions.hpp"
