// Many computations at once: threads that compute lazy graphs and spawn
// eager task trees together, and a small computation that overtakes a
// large one. Runs under ThreadSanitizer in CI.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>
#include <thread>
#include <vector>

#include "dagger/dagger.hpp"

namespace {

std::int64_t add(std::int64_t a, std::int64_t b) { return a + b; }
std::int64_t twice(std::int64_t a) { return 2 * a; }

// A random DAG over `n` nodes: node i reads one or two earlier nodes (or
// is a leaf). Returns its last node's thunk and, through `expected`, the
// value a serial evaluation gives.
dagger::Thunk<std::int64_t> random_dag(std::mt19937& rng, int n, std::int64_t& expected) {
  std::vector<dagger::Thunk<std::int64_t>> thunks;
  std::vector<std::int64_t> values;
  for (int i = 0; i < n; ++i) {
    const int kind = i == 0 ? 0 : static_cast<int>(rng() % 3);
    if (kind == 0) {
      const auto leaf = static_cast<std::int64_t>(rng() % 100);
      thunks.push_back(dagger::delayed([leaf] { return leaf; })());
      values.push_back(leaf);
    } else if (kind == 1) {
      const std::size_t a = rng() % thunks.size();
      thunks.push_back(dagger::delayed(twice)(thunks[a]));
      values.push_back(2 * values[a] % 1000003);
    } else {
      const std::size_t a = rng() % thunks.size();
      const std::size_t b = rng() % thunks.size();
      thunks.push_back(dagger::delayed(add)(thunks[a], thunks[b]));
      values.push_back(values[a] + values[b]);
    }
    // Keep values small: the graph's function does the same modulo.
    if (kind == 1) thunks.back() = dagger::delayed([](std::int64_t v) { return v % 1000003; })(thunks.back());
  }
  expected = values.back();
  return thunks.back();
}

// An eager tree: a task that spawns `fanout` children down to `depth`,
// fetches them and sums; the value is the number of leaves.
std::int64_t tree(int depth, int fanout) {
  if (depth == 0) return 1;
  std::vector<dagger::Task<std::int64_t>> children;
  for (int i = 0; i < fanout; ++i) children.push_back(dagger::spawn(tree, depth - 1, fanout));
  std::int64_t sum = 0;
  for (auto& c : children) sum += c.fetch();
  return sum;
}

void busy_for_us(int us) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(us);
  while (std::chrono::steady_clock::now() < until) {
  }
}

}  // namespace

TEST(Concurrency, ThreadsComputeGraphsAndTaskTreesAtOnce) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 500;
  std::atomic<int> wrong{0};
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &wrong, &done] {
      std::mt19937 rng(1234 + t);
      for (int round = 0; round < kRounds; ++round) {
        if (round % 2 == 0) {
          std::int64_t expected = 0;
          auto head = random_dag(rng, 2 + static_cast<int>(rng() % 30), expected);
          if (dagger::collect(head) != expected) ++wrong;
        } else {
          const int depth = 1 + static_cast<int>(rng() % 3);
          const int fanout = 1 + static_cast<int>(rng() % 3);
          std::int64_t leaves = 1;
          for (int d = 0; d < depth; ++d) leaves *= fanout;
          if (dagger::spawn(tree, depth, fanout).fetch() != leaves) ++wrong;
        }
        ++done;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(done.load(), kThreads * kRounds);
  EXPECT_EQ(wrong.load(), 0);
}

// A 10-task computation started while a 100,000-task one runs finishes
// first: the executor serves the newest computation first.
TEST(Concurrency, SmallComputationOvertakesALargeOne) {
  constexpr int kLarge = 100000;
  std::atomic<int> large_done{0};
  std::vector<dagger::Thunk<int>> parts;
  parts.reserve(kLarge);
  for (int i = 0; i < kLarge; ++i) {
    parts.push_back(dagger::delayed([&large_done] {
      busy_for_us(5);
      ++large_done;
      return 1;
    })());
  }
  std::thread large([&] { dagger::compute(parts); });
  while (large_done.load() < 100) std::this_thread::yield();

  // Lazy: a chain of 10.
  auto small = dagger::delayed([] { return 0; })();
  for (int i = 0; i < 9; ++i) small = dagger::delayed([](int v) { return v + 1; })(small);
  EXPECT_EQ(dagger::collect(small), 9);
  const int large_when_lazy_done = large_done.load();
  // Eager: ten tasks.
  dagger::Task<int> chain = dagger::spawn([] { return 0; });
  for (int i = 0; i < 9; ++i) chain = dagger::spawn([](int v) { return v + 1; }, chain);
  EXPECT_EQ(chain.fetch(), 9);
  const int large_when_eager_done = large_done.load();
  large.join();
  EXPECT_LT(large_when_lazy_done, kLarge);
  EXPECT_LT(large_when_eager_done, kLarge);
  EXPECT_EQ(large_done.load(), kLarge);
}

// Computations from several threads share the processors and each gets its
// own results, also when they share thunks.
TEST(Concurrency, SharedThunksComputedFromManyThreads) {
  auto base = dagger::delayed([] { return std::int64_t{21}; })();
  auto head = dagger::delayed(twice)(base);
  std::vector<std::thread> threads;
  std::atomic<int> right{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) right += dagger::collect(head) == 42;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(right.load(), 8 * 200);
}
