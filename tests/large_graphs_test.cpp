// Graphs of 100,000+ thunks: no stack overflow (building, running or
// destroying them) and no quadratic cost (ctest's timeout bounds these).
#include <gtest/gtest.h>

#include <dagger/dagger.hpp>
#include <numeric>

namespace {
int add1(int v) { return v + 1; }
}  // namespace

TEST(LargeGraphs, ChainOf200000) {
  const auto baseline = dagger::live_chunks();
  {
    auto t = dagger::delayed(add1)(0);
    for (int i = 1; i < 200000; ++i) t = dagger::delayed(add1)(t);
    EXPECT_EQ(dagger::collect(t), 200000);
  }  // destroying the chain must not recurse 200,000 deep
  EXPECT_EQ(dagger::live_chunks(), baseline);
}

TEST(LargeGraphs, HundredThousandIndependentPlusReduction) {
  std::vector<dagger::Thunk<int>> parts;
  parts.reserve(100000);
  for (int i = 0; i < 100000; ++i) parts.push_back(dagger::delayed(add1)(i));
  auto total = dagger::delayed([](const std::vector<int>& v) {
    return std::accumulate(v.begin(), v.end(), 0L);
  })(parts);
  EXPECT_EQ(dagger::collect(total), 100000L * 100001L / 2);
}

TEST(LargeGraphs, WideFanOutFanIn) {
  auto root = dagger::delayed(add1)(0);
  std::vector<dagger::Thunk<int>> middle;
  for (int i = 0; i < 100000; ++i) middle.push_back(dagger::delayed([i](int r) { return r + i; })(root));
  auto total = dagger::delayed([](const std::vector<int>& v) {
    return std::accumulate(v.begin(), v.end(), 0L);
  })(middle);
  EXPECT_EQ(dagger::collect(total), 100000L + 100000L * 99999L / 2);
}

TEST(LargeGraphs, DeepTreeOfBinaryReductions) {
  std::vector<dagger::Thunk<long>> level;
  for (long i = 0; i < 65536; ++i) level.push_back(dagger::delayed([](long v) { return v; })(i));
  while (level.size() > 1) {
    std::vector<dagger::Thunk<long>> next;
    for (std::size_t i = 0; i < level.size(); i += 2) {
      next.push_back(dagger::delayed([](long a, long b) { return a + b; })(level[i], level[i + 1]));
    }
    level.swap(next);
  }
  EXPECT_EQ(dagger::collect(level[0]), 65535L * 65536L / 2);
}
