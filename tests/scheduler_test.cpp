// The scheduling policy, observed: release, persist, cache, placement,
// depth-first continuation, one task per processor.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <dagger/dagger.hpp>
#include <set>
#include <thread>

namespace {

int add1(int v) { return v + 1; }
int add2(int v) { return v + 2; }
int combine(int a, int b, int c) { return a + b + c; }

std::vector<dagger::Processor*> threads() { return dagger::Context().processors(); }

}  // namespace

TEST(Scheduler, ReleasesEveryChunkAfterItsLastConsumer) {
  const auto baseline = dagger::live_chunks();
  {
    auto p = dagger::delayed(add1)(4);
    auto q = dagger::delayed(add2)(p);
    auto r = dagger::delayed(add1)(3);
    auto s = dagger::delayed(combine)(p, q, r);
    dagger::Chunk<int> c = dagger::compute(s);
    // Only the head's chunk is alive: p, q and r were released.
    EXPECT_EQ(dagger::live_chunks(), baseline + 1);
    EXPECT_EQ(dagger::collect(c), 16);
  }
  EXPECT_EQ(dagger::live_chunks(), baseline);
}

TEST(Scheduler, ReleasesDuringTheRunNotAtItsEnd) {
  const auto baseline = dagger::live_chunks();
  auto a = dagger::delayed(add1)(0);
  auto b = dagger::delayed(add1)(a);
  auto c = dagger::delayed(add1)(b);
  // When d runs, a and b are no longer needed: only c's chunk exists.
  auto d = dagger::delayed([baseline](int v) { return std::make_pair(v, dagger::live_chunks() - baseline); })(c);
  auto [value, live_inside] = dagger::collect(d);
  EXPECT_EQ(value, 3);
  EXPECT_EQ(live_inside, 1);
  EXPECT_EQ(dagger::live_chunks(), baseline);
}

TEST(Scheduler, PersistKeepsTheResultAndSkipsRecomputation) {
  const auto baseline = dagger::live_chunks();
  std::atomic<int> runs{0};
  {
    auto p = dagger::delayed([&runs](int v) { ++runs; return v + 1; }, {.persist = true})(4);
    auto q = dagger::delayed(add2)(p);
    EXPECT_EQ(dagger::collect(q), 7);
    EXPECT_EQ(dagger::live_chunks(), baseline + 1);  // p's result stays
    EXPECT_EQ(dagger::collect(dagger::delayed(add1)(p)), 6);
    EXPECT_EQ(runs.load(), 1);
  }
  EXPECT_EQ(dagger::live_chunks(), baseline);  // released with the thunk
}

TEST(Scheduler, CacheReusesUntilEvicted) {
  const auto baseline = dagger::live_chunks();
  std::atomic<int> runs{0};
  auto p = dagger::delayed([&runs](int v) { ++runs; return v * 2; }, {.cache = true})(21);
  EXPECT_EQ(dagger::collect(p), 42);
  EXPECT_EQ(dagger::collect(dagger::delayed(add1)(p)), 43);
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(dagger::live_chunks(), baseline + 1);
  dagger::evict_cache();
  EXPECT_EQ(dagger::live_chunks(), baseline);
  EXPECT_EQ(dagger::collect(dagger::delayed(add1)(p)), 43);  // recomputed
  EXPECT_EQ(runs.load(), 2);
  dagger::evict_cache();
  EXPECT_EQ(dagger::live_chunks(), baseline);
}

TEST(Scheduler, ContextRestrictsTheProcessors) {
  dagger::Processor* only = threads().front();
  dagger::Context one({only});
  std::vector<dagger::Thunk<int>> parts;
  for (int i = 0; i < 200; ++i) parts.push_back(dagger::delayed(add1)(i));
  auto sum = dagger::delayed([](const std::vector<int>& v) { return static_cast<int>(v.size()); })(parts);
  auto debug = dagger::debug_compute(one, sum);
  EXPECT_EQ(dagger::collect(debug.chunk), 200);
  for (const auto& e : debug.events) {
    if (e.category == dagger::Category::compute) {
      EXPECT_EQ(e.processor, only);
    }
  }
  // The OSProc stands for all of its threads.
  dagger::Context whole({&dagger::this_process()});
  EXPECT_EQ(whole.processors().size(), threads().size());
}

TEST(Scheduler, AtMostOneTaskPerProcessorAtATime) {
  std::atomic<int> running{0}, peak{0};
  auto task = [&](int v) {
    int now = ++running;
    int seen = peak.load();
    while (now > seen && !peak.compare_exchange_weak(seen, now)) {}
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    --running;
    return v;
  };
  std::vector<dagger::Thunk<int>> parts;
  for (int i = 0; i < 40; ++i) parts.push_back(dagger::delayed(task)(i));
  auto all = dagger::delayed([](const std::vector<int>& v) { return v.size(); })(parts);
  EXPECT_EQ(dagger::collect(all), 40u);
  EXPECT_LE(peak.load(), static_cast<int>(threads().size()));
  EXPECT_GE(peak.load(), 1);
}

TEST(Scheduler, ReadyResultRunsOnTheProcessorThatMadeIt) {
  // A chain: each task's consumer becomes ready when it finishes, and the
  // same processor takes it (depth first), so the chain never migrates.
  auto t = dagger::delayed(add1)(0);
  for (int i = 0; i < 500; ++i) t = dagger::delayed(add1)(t);
  auto debug = dagger::debug_compute(t);
  std::set<const dagger::Processor*> used;
  for (const auto& e : debug.events) {
    if (e.category == dagger::Category::compute) used.insert(e.processor);
  }
  EXPECT_EQ(used.size(), 1u);
  EXPECT_EQ(dagger::collect(debug.chunk), 501);
}

TEST(Scheduler, IndependentWorkSpreadsOverAllThreads) {
  if (threads().size() < 2) GTEST_SKIP() << "needs two threads";
  std::vector<dagger::Thunk<int>> parts;
  for (int i = 0; i < 64; ++i) {
    parts.push_back(dagger::delayed([](int v) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      return v;
    })(i));
  }
  auto all = dagger::delayed([](const std::vector<int>& v) { return v.size(); })(parts);
  auto debug = dagger::debug_compute(all);
  std::set<const dagger::Processor*> used;
  for (const auto& e : debug.events) {
    if (e.category == dagger::Category::compute) used.insert(e.processor);
  }
  EXPECT_EQ(used.size(), threads().size());
}

TEST(Scheduler, ScopePinsAThunkToOneProcessor) {
  dagger::Processor* last = threads().back();
  auto p = dagger::delayed(add1, {.scope = dagger::Scope::processor(*last)})(1);
  auto q = dagger::delayed(add1)(p);
  auto debug = dagger::debug_compute(q);
  bool seen = false;
  for (const auto& e : debug.events) {
    if (e.category == dagger::Category::compute && e.id == p.id()) {
      EXPECT_EQ(e.processor, last);
      seen = true;
    }
  }
  EXPECT_TRUE(seen);
  EXPECT_EQ(dagger::collect(debug.chunk), 3);
}

TEST(Scheduler, ComputationsFromSeveralUserThreads) {
  std::vector<std::thread> users;
  std::atomic<int> correct{0};
  for (int u = 0; u < 4; ++u) {
    users.emplace_back([u, &correct] {
      for (int i = 0; i < 20; ++i) {
        auto t = dagger::delayed(add1)(u);
        for (int k = 0; k < 20; ++k) t = dagger::delayed(add1)(t);
        if (dagger::collect(t) == u + 21) ++correct;
      }
    });
  }
  for (auto& t : users) t.join();
  EXPECT_EQ(correct.load(), 80);
}

TEST(Scheduler, RecomputingWithoutRetentionRunsAgain) {
  std::atomic<int> runs{0};
  auto p = dagger::delayed([&runs](int v) { ++runs; return v; })(1);
  dagger::collect(p);
  dagger::collect(p);
  EXPECT_EQ(runs.load(), 2);
}
