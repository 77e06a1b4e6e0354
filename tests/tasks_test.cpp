// Eager tasks: spawn, fetch, wait, cancel, groups, nesting. Ports the eager
// cases of Dagger.jl's test/thunk.jl and test/scheduler.jl (sections 1, 2,
// 3 and 5 of the behaviour catalog).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "dagger/dagger.hpp"

namespace {

int add1(int v) { return v + 1; }
int add2(int v) { return v + 2; }
int plus(int a, int b) { return a + b; }
int times(int a, int b) { return a * b; }
int fail_with_test(int) { throw std::runtime_error("Test"); }
int sum_of(const std::vector<int>& v) { return std::accumulate(v.begin(), v.end(), 0); }

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// The cancellation test's long task: returns early once cancelled.
int sleep_unless_cancelled(int seconds) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < until) {
    if (dagger::cancelled()) return -1;
    sleep_ms(1);
  }
  return seconds;
}

int fib(int n) {
  if (n < 2) return n;
  dagger::Task<int> a = dagger::spawn(fib, n - 1);  // spawned, and fib(n-2) computed here
  return fib(n - 2) + a.fetch();
}

}  // namespace

// thunk.jl:58-68: a task handle as an argument is replaced by its value.
TEST(Tasks, SpawnFetchAndTaskArguments) {
  dagger::Task<int> a = dagger::spawn(plus, 2, 2);
  dagger::Task<int> b = dagger::spawn(sum_of, std::vector<int>{2, 1, 2});
  dagger::Task<int> c = dagger::spawn(times, a, b);
  EXPECT_EQ(a.fetch(), 4);
  EXPECT_EQ(b.fetch(), 5);
  EXPECT_EQ(c.fetch(), 20);
  EXPECT_EQ(c.fetch(), 20);  // fetch again: the same value
  dagger::Task<int> d = dagger::spawn(add2, dagger::spawn(add1, 4));
  EXPECT_EQ(d.fetch(), 7);
}

// processors.jl:78-87: a callable object as the task function.
TEST(Tasks, CallableObjectsAndLambdas) {
  struct AddOne {
    int operator()(int x) const { return x + 1; }
  };
  EXPECT_EQ(dagger::spawn(AddOne{}, 1).fetch(), 2);
  int captured = 40;
  EXPECT_EQ(dagger::spawn([captured](int x) { return captured + x; }, 2).fetch(), 42);
  dagger::Task<void> nothing = dagger::spawn([] {});
  nothing.fetch();
  EXPECT_TRUE(nothing.ready());
}

// thunk.jl:199-204: not ready right after spawn, ready after wait.
TEST(Tasks, WaitAndReady) {
  dagger::Task<int> slow = dagger::spawn([] {
    sleep_ms(200);
    return 1;
  });
  EXPECT_FALSE(slow.ready());
  slow.wait();
  EXPECT_TRUE(slow.ready());
  EXPECT_EQ(slow.fetch(), 1);
}

// thunk.jl:391-405: fetch of a vector of tasks; a fan-in of tasks.
TEST(Tasks, FetchAllAndFanIn) {
  std::vector<dagger::Task<int>> tasks;
  for (int i = 0; i < 4; ++i) tasks.push_back(dagger::spawn(plus, 1, 1));
  EXPECT_EQ(dagger::fetch(tasks), (std::vector<int>{2, 2, 2, 2}));
  EXPECT_EQ(dagger::spawn(sum_of, tasks).fetch(), 8);
  dagger::wait_all(tasks);
  for (const auto& t : tasks) EXPECT_TRUE(t.ready());
}

TEST(Tasks, WaitAnyReturnsAFinishedOne) {
  std::vector<dagger::Task<int>> tasks;
  tasks.push_back(dagger::spawn([] {
    sleep_ms(300);
    return 0;
  }));
  tasks.push_back(dagger::spawn([] { return 1; }));
  const std::size_t first = dagger::wait_any(tasks);
  EXPECT_EQ(first, 1u);
  EXPECT_TRUE(tasks[first].ready());
  EXPECT_THROW(dagger::wait_any(std::vector<dagger::Task<int>>{}), dagger::UsageError);
}

// A Task may be an argument of delayed: the lazy graph reads its result.
TEST(Tasks, TaskAsAnArgumentOfDelayed) {
  dagger::Task<int> a = dagger::spawn(add1, 4);
  auto lazy = dagger::delayed(plus)(a, dagger::delayed(add2)(1));
  EXPECT_EQ(dagger::collect(lazy), 8);
  dagger::Task<int> broken = dagger::spawn(fail_with_test, 0);
  auto reads_broken = dagger::delayed(add1)(broken);
  try {
    dagger::collect(reads_broken);
    FAIL() << "expected ThunkError";
  } catch (const dagger::ThunkError& e) {
    EXPECT_EQ(e.thunk_id(), broken.id());
  }
  // A chunk from a computation as an argument of spawn.
  dagger::Chunk<int> chunk = dagger::compute(dagger::delayed(add1)(9));
  EXPECT_EQ(dagger::spawn(add1, chunk).fetch(), 11);
  EXPECT_EQ(dagger::collect(dagger::spawn(add1, 1).chunk()), 2);
}

// thunk.jl:7-12: nested spawning; fib(10) == 55.
TEST(Tasks, NestedSpawnFib) { EXPECT_EQ(dagger::spawn(fib, 10).fetch(), 55); }

// thunk.jl:367-374 (Dagger.jl issue #282): parent and child pinned to one
// processor; the parent waits for the child: no deadlock.
TEST(Tasks, ParentAndChildOnOneProcessorDoNotDeadlock) {
  dagger::Processor* one = dagger::Context().processors().front();
  const dagger::Options pinned{.scope = dagger::Scope::processor(*one)};
  auto parent = dagger::spawn(pinned, [pinned](int x) { return dagger::spawn(pinned, add1, x + 9).fetch(); }, 1);
  EXPECT_EQ(parent.fetch(), 11);
}

// A task may compute a lazy graph.
TEST(Tasks, TaskBodyComputesALazyGraph) {
  auto t = dagger::spawn([](int x) { return dagger::collect(dagger::delayed(add1)(dagger::delayed(add2)(x))); }, 1);
  EXPECT_EQ(t.fetch(), 4);
}

// thunk.jl:375-378: a lazy thunk is not an argument of spawn. That is a
// compile error (tests/compile_fail/thunk_into_spawn.cpp); here the
// runtime side: an empty Task is a UsageError.
TEST(Tasks, EmptyTaskIsAUsageError) {
  dagger::Task<int> empty;
  EXPECT_THROW(empty.fetch(), dagger::UsageError);
  EXPECT_THROW(dagger::spawn(add1, empty), dagger::UsageError);
  EXPECT_FALSE(empty.ready());
}

// thunk.jl:214-244: fetch raises the failure wrapping the original; a
// dependent's error names the root task.
TEST(Tasks, FailuresNameTheTaskAndTheRoot) {
  dagger::Task<int> a = dagger::spawn(fail_with_test, 1);
  a.wait();
  EXPECT_TRUE(a.ready());
  try {
    a.fetch();
    FAIL();
  } catch (const dagger::ThunkError& e) {
    EXPECT_EQ(e.thunk_id(), a.id());
    EXPECT_TRUE(e.is_root());
    EXPECT_NE(std::string(e.what()).find("Test"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find("root task"), std::string::npos);
    EXPECT_THROW(e.rethrow_original(), std::runtime_error);
  }
  EXPECT_EQ(dagger::spawn(plus, 1, 2).fetch(), 3);  // independent work is unaffected
  dagger::Task<int> b = dagger::spawn(add2, a);
  try {
    b.fetch();
    FAIL();
  } catch (const dagger::ThunkError& e) {
    EXPECT_EQ(e.thunk_id(), b.id());
    EXPECT_EQ(e.root_thunk_id(), a.id());
    EXPECT_FALSE(e.is_root());
    EXPECT_NE(std::string(e.what()).find("Test"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("root task " + std::to_string(a.id())), std::string::npos) << e.what();
  }
}

// thunk.jl:245-288: failure poisons everything downstream, never upstream.
TEST(Tasks, FailurePropagatesDownstreamOnly) {
  dagger::Task<int> a = dagger::spawn(fail_with_test, 1);
  dagger::Task<int> b = dagger::spawn(add2, a);
  dagger::Task<int> c = dagger::spawn(times, a, 2);
  dagger::Task<int> d = dagger::spawn(add1, b);
  for (const auto* t : {&b, &c, &d}) {
    try {
      t->fetch();
      FAIL();
    } catch (const dagger::ThunkError& e) {
      EXPECT_EQ(e.root_thunk_id(), a.id());
      EXPECT_EQ(e.original_message(), "Test");
    }
  }
  // Diamond whose consumer fails: its inputs are fine.
  dagger::Task<int> x = dagger::spawn(add1, 1);
  dagger::Task<int> y = dagger::spawn(add1, 2);
  dagger::Task<int> z = dagger::spawn(add1, 3);
  dagger::Task<int> bad = dagger::spawn([](int, int, int) -> int { throw std::logic_error("consumer"); }, x, y, z);
  EXPECT_THROW(bad.fetch(), dagger::ThunkError);
  EXPECT_EQ(x.fetch(), 2);
  EXPECT_EQ(y.fetch(), 3);
  EXPECT_EQ(z.fetch(), 4);
}

// A failure down a long chain: every link fails, without recursion.
TEST(Tasks, FailureDownALongChain) {
  dagger::Task<int> t = dagger::spawn(fail_with_test, 0);
  const std::uint64_t root = t.id();
  dagger::Task<int> first = t;
  for (int i = 0; i < 100000; ++i) t = dagger::spawn(add1, t);
  try {
    t.fetch();
    FAIL();
  } catch (const dagger::ThunkError& e) {
    EXPECT_EQ(e.root_thunk_id(), root);
  }
}

// scheduler.jl:524-541: illegal waits are errors, not deadlocks.
TEST(Tasks, FetchingItselfOrDownstreamIsAUsageError) {
  std::atomic<dagger::Task<int>*> self{nullptr};
  dagger::Task<int> me;
  std::atomic<bool> go{false};
  me = dagger::spawn([&] {
    while (!go.load()) std::this_thread::yield();
    try {
      self.load()->fetch();
    } catch (const dagger::UsageError& e) {
      return std::string(e.what()).find("its own result") != std::string::npos ? 1 : 2;
    }
    return 0;
  });
  self = &me;
  go = true;
  EXPECT_EQ(me.fetch(), 1);

  // A task that waits for a task which depends on it.
  std::atomic<dagger::Task<int>*> downstream{nullptr};
  std::atomic<bool> ready{false};
  dagger::Task<int> up = dagger::spawn([&] {
    while (!ready.load()) std::this_thread::yield();
    try {
      downstream.load()->fetch();
    } catch (const dagger::UsageError& e) {
      return std::string(e.what()).find("depends on") != std::string::npos ? 1 : 2;
    }
    return 0;
  });
  dagger::Task<int> down = dagger::spawn(add1, up);
  downstream = &down;
  ready = true;
  EXPECT_EQ(up.fetch(), 1);
  EXPECT_EQ(down.fetch(), 2);

  // Waiting twice on one upstream task is fine.
  dagger::Task<int> u = dagger::spawn(plus, 1, 2);
  EXPECT_EQ(dagger::spawn([u] { return u.fetch() + u.fetch(); }).fetch(), 6);
}

// scheduler.jl:743-772: cancel before start and while running.
TEST(Tasks, CancelBeforeAndWhileRunning) {
  // Not started: its input is still running.
  std::atomic<bool> release{false};
  dagger::Task<int> gate = dagger::spawn([&] {
    while (!release.load()) sleep_ms(1);
    return 1;
  });
  std::atomic<bool> ran{false};
  dagger::Task<int> never = dagger::spawn(
      [&](int) {
        ran = true;
        return 0;
      },
      gate);
  dagger::Task<int> after_never = dagger::spawn(add1, never);
  never.cancel();
  EXPECT_TRUE(never.ready());
  EXPECT_THROW(never.fetch(), dagger::Cancelled);
  EXPECT_THROW(after_never.fetch(), dagger::Cancelled);  // dependents are cancelled
  release = true;
  EXPECT_EQ(gate.fetch(), 1);
  EXPECT_FALSE(ran.load());

  // Running: the body sees cancelled() and returns early; fetch throws.
  const auto start = std::chrono::steady_clock::now();
  dagger::Task<int> long_one = dagger::spawn(sleep_unless_cancelled, 100);
  sleep_ms(100);
  long_one.cancel();
  try {
    long_one.fetch();
    FAIL();
  } catch (const dagger::Cancelled& e) {
    EXPECT_EQ(e.thunk_id(), long_one.id());
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(dagger::spawn(plus, 1, 1).fetch(), 2);  // an uncancelled task is fine
  EXPECT_FALSE(dagger::cancelled());                 // outside a task
}

// thunk.jl:379-390: a group waits for all its tasks and rethrows a failure.
TEST(Tasks, TaskGroupWaitsAndRethrows) {
  std::atomic<int> done{0};
  {
    dagger::TaskGroup g;
    for (int i = 0; i < 8; ++i) g.spawn([&] {
        sleep_ms(20);
        ++done;
      });
  }
  EXPECT_EQ(done.load(), 8);
  try {
    dagger::TaskGroup g;
    g.spawn([] { sleep_ms(10); });
    g.spawn(fail_with_test, 1);
    g.wait();
    FAIL();
  } catch (const dagger::ThunkError& e) {
    EXPECT_EQ(e.original_message(), "Test");
  }
  bool thrown_at_scope_exit = false;
  try {
    dagger::TaskGroup g;
    g.spawn(fail_with_test, 2);
  } catch (const dagger::ThunkError&) {
    thrown_at_scope_exit = true;
  }
  EXPECT_TRUE(thrown_at_scope_exit);
}

// Options of delayed apply: a name, a scope that allows nothing.
TEST(Tasks, OptionsNameAndScope) {
  auto t = dagger::spawn({.name = "named"}, add1, 1);
  EXPECT_EQ(t.name(), "named");
  EXPECT_EQ(t.fetch(), 2);
  // processors.jl:37-44: a scope that matches nothing.
  auto nowhere = dagger::spawn({.scope = dagger::Scope::kind(dagger::ProcKind::named("nosuchkind"))}, add1, 1);
  try {
    nowhere.fetch();
    FAIL();
  } catch (const dagger::NoProcessorError& e) {
    EXPECT_NE(std::string(e.what()).find("widening the scope"), std::string::npos);
  }
}

// scheduler.jl:585-608: 16 concurrent fetchers of one task, 20 rounds.
TEST(Tasks, ConcurrentFetchers) {
  for (int round = 0; round < 20; ++round) {
    dagger::Task<int> t = dagger::spawn([] { return 42; });
    std::vector<std::thread> fetchers;
    std::atomic<int> right{0};
    for (int i = 0; i < 16; ++i) fetchers.emplace_back([&] { right += t.fetch() == 42; });
    for (auto& f : fetchers) f.join();
    EXPECT_EQ(right.load(), 16);
  }
  dagger::Task<int> finished = dagger::spawn([] { return 99; });
  for (int i = 0; i < 10; ++i) EXPECT_EQ(finished.fetch(), 99);
}

// scheduler.jl:610-721: diamonds, fan-in, dropped chains, trees, fan-out.
TEST(Tasks, ShapesOfGraphs) {
  dagger::Task<int> a = dagger::spawn([] { return 7; });
  EXPECT_EQ(dagger::spawn(plus, dagger::spawn(add1, a), dagger::spawn(times, a, 2)).fetch(), 22);

  std::vector<dagger::Task<int>> leaves;
  for (int i = 1; i <= 4; ++i) leaves.push_back(dagger::spawn([i] { return i; }));
  EXPECT_EQ(dagger::spawn(sum_of, leaves).fetch(), 10);

  // 64 diamonds from 64 threads at once.
  std::vector<std::thread> threads;
  std::atomic<int> right{0};
  for (int i = 0; i < 64; ++i) {
    threads.emplace_back([i, &right] {
      dagger::Task<int> top = dagger::spawn([i] { return i; });
      auto l = dagger::spawn(add1, top);
      auto r = dagger::spawn(times, top, 2);
      right += dagger::spawn(plus, l, r).fetch() == 3 * i + 1;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(right.load(), 64);

  // A chain whose intermediate handles are dropped.
  for (int n : {100, 500}) {
    dagger::Task<int> t = dagger::spawn([] { return 0; });
    for (int i = 0; i < n; ++i) t = dagger::spawn(add1, t);
    EXPECT_EQ(t.fetch(), n);
  }

  // A pairwise reduction tree over 1000 ones.
  std::vector<dagger::Task<int>> level;
  for (int i = 0; i < 1000; ++i) level.push_back(dagger::spawn([] { return 1; }));
  while (level.size() > 1) {
    std::vector<dagger::Task<int>> next;
    for (std::size_t i = 0; i + 1 < level.size(); i += 2) next.push_back(dagger::spawn(plus, level[i], level[i + 1]));
    if (level.size() % 2 == 1) next.push_back(level.back());
    level = std::move(next);
  }
  EXPECT_EQ(level[0].fetch(), 1000);

  // Fan-out: one source, 32 dependents.
  dagger::Task<int> source = dagger::spawn([] { return 10; });
  std::vector<dagger::Task<int>> outs;
  for (int i = 0; i < 32; ++i) outs.push_back(dagger::spawn(plus, source, i));
  for (int i = 0; i < 32; ++i) EXPECT_EQ(outs[i].fetch(), 10 + i);
}

// Dropping every handle does not cancel a task; results are freed with
// their last handle and last dependent.
TEST(Tasks, DroppedHandlesRunAndResultsAreFreed) {
  const auto baseline = dagger::live_chunks();
  std::atomic<int> ran{0};
  {
    dagger::Task<int> gate = dagger::spawn([] {
      sleep_ms(50);
      return 1;
    });
    for (int i = 0; i < 10; ++i) {
      dagger::spawn(
          [&ran](int) {
            ++ran;
            return 0;
          },
          gate);
    }
  }
  for (int i = 0; i < 2000 && ran.load() < 10; ++i) sleep_ms(1);
  EXPECT_EQ(ran.load(), 10);
  for (int i = 0; i < 2000 && dagger::live_chunks() != baseline; ++i) sleep_ms(1);
  EXPECT_EQ(dagger::live_chunks(), baseline);
  {
    dagger::Task<int> kept = dagger::spawn(add1, 1);
    EXPECT_EQ(kept.fetch(), 2);
    EXPECT_EQ(dagger::live_chunks(), baseline + 1);
  }
  // The driver that ran it may hold it a moment longer.
  for (int i = 0; i < 2000 && dagger::live_chunks() != baseline; ++i) sleep_ms(1);
  EXPECT_EQ(dagger::live_chunks(), baseline);
}

// spawn_datadeps: conflicting accesses keep program order, others overlap.
TEST(Datadeps, AccessesOrderTasks) {
  std::vector<int> log;
  int x = 0;
  int y = 0;
  dagger::spawn_datadeps([&] {
    dagger::spawn([](int& v) { sleep_ms(30); v = 1; }, dagger::InOut(x));
    dagger::spawn([&log](const int& v) { log.push_back(v); }, dagger::In(x));  // after the write
    dagger::spawn([](int& v) { v = 2; }, dagger::Out(x));                    // after the read
    dagger::spawn([](const int& a, int& b) { b = a * 10; }, dagger::In(x), dagger::Out(y));
  });
  EXPECT_EQ(log, (std::vector<int>{1}));
  EXPECT_EQ(x, 2);
  EXPECT_EQ(y, 20);
}

// Tiled updates: a chain of InOut on each of 8 tiles, then a reduction that
// reads them all; the tiles' chains run in parallel.
TEST(Datadeps, TiledSequenceGivesSerialResult) {
  std::vector<long> tiles(8, 0);
  long total = 0;
  dagger::spawn_datadeps([&] {
    for (int step = 1; step <= 50; ++step) {
      for (auto& t : tiles) dagger::spawn([step](long& v) { v = (v * 3 + step) % 1000003; }, dagger::InOut(t));
    }
    for (const auto& t : tiles) {
      dagger::spawn([](const long& tile, long& sum) { sum += tile % 1000003; }, dagger::In(t), dagger::InOut(total));
    }
  });
  long serial = 0;
  for (int step = 1; step <= 50; ++step) serial = (serial * 3 + step) % 1000003;
  for (long t : tiles) EXPECT_EQ(t, serial);
  EXPECT_EQ(total, 8 * (serial % 1000003));
}

TEST(Datadeps, FailureIsRethrownAndLaterReadersDoNotRun) {
  int x = 0;
  std::atomic<bool> reader_ran{false};
  try {
    dagger::spawn_datadeps([&] {
      dagger::spawn([](int&) { throw std::runtime_error("write failed"); }, dagger::InOut(x));
      dagger::spawn([&](const int&) { reader_ran = true; }, dagger::In(x));
    });
    FAIL();
  } catch (const dagger::ThunkError& e) {
    EXPECT_EQ(e.original_message(), "write failed");
  }
  EXPECT_FALSE(reader_ran.load());
  // A region inside a task.
  auto t = dagger::spawn([] {
    int v = 1;
    dagger::spawn_datadeps([&] {
      for (int i = 0; i < 10; ++i) dagger::spawn([](int& w) { w *= 2; }, dagger::InOut(v));
    });
    return v;
  });
  EXPECT_EQ(t.fetch(), 1024);
}
