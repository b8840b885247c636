// A property a fuzz target checks: when it does not hold, print why and abort,
// which libFuzzer reports as a crash (and saves the input) and which fails the
// replay test in ordinary builds.
#pragma once

#include <cstdio>
#include <cstdlib>

#define CACHET_FUZZ_CHECK(condition, what)                                                   \
  do {                                                                                       \
    if (!(condition)) {                                                                      \
      std::fprintf(stderr, "fuzz property failed at %s:%d: %s\n", __FILE__, __LINE__, what); \
      std::abort();                                                                          \
    }                                                                                        \
  } while (false)
