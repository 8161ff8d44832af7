// Placeholder: filled in by the owner of this file.
#include <gtest/gtest.h>
