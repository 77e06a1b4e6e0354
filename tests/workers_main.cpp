// The main of a test executable whose tests run with two local workers in
// the default context. Placement by load alone (no round-trip cost), so the
// workers get their share of the tests' small arrays.
#include <gtest/gtest.h>

#include <cstdlib>

#include "dagger/dagger.hpp"
#include "dagger/distributed.hpp"

int main(int argc, char** argv) {
  ::setenv("DAGGER_WORKER_ROUND_TRIP_NS", "0", 1);
  dagger::init(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  if (!::testing::GTEST_FLAG(list_tests)) dagger::add_local_workers(2);
  return RUN_ALL_TESTS();
}
