// Eager tasks against oneTBB's task_group in the same binary, datadeps'
// analysis, and a million-task lazy graph. Report: time_per_task (lower is
// better); Lazy_MillionTasks also bytes_per_task (peak resident growth).
#include <benchmark/benchmark.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_group.h>
#include <sys/resource.h>

#include <chrono>
#include <dagger/dagger.hpp>
#include <vector>

#include "per_task.hpp"

namespace {

using dagger_bench::per_task;
using dagger_bench::threads;

void noop() {}
int add1(int v) { return v + 1; }

// spawn + fetch of one small task on an idle runtime: the round trip.
void Spawn_FetchRoundTrip(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(dagger::spawn(add1, 1).fetch());
  per_task(state, 1);
}

// n independent no-op tasks, then wait for all of them.
void Spawn_Independent(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::vector<dagger::Task<void>> tasks;
  tasks.reserve(n);
  for (auto _ : state) {
    for (std::size_t i = 0; i < n; ++i) tasks.push_back(dagger::spawn(noop));
    dagger::wait_all(tasks);
    tasks.clear();
  }
  per_task(state, state.range(0));
}

void TBB_TaskGroup(benchmark::State& state) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads()));
  const auto n = state.range(0);
  for (auto _ : state) {
    tbb::task_group g;
    for (std::int64_t i = 0; i < n; ++i) g.run([] { noop(); });
    g.wait();
  }
  per_task(state, n);
}

// A tiled sequence in a datadeps region: 100 tiles, each updated in turn
// (InOut) after reading its left neighbour (In), n tasks in all. The body's
// work is nothing, so the time is the analysis, spawning and running.
void Datadeps_TiledSequence(benchmark::State& state) {
  const auto n = static_cast<int>(state.range(0));
  std::vector<long> tiles(100, 0);
  for (auto _ : state) {
    dagger::spawn_datadeps([&] {
      for (int k = 0; k < n; ++k) {
        const std::size_t t = static_cast<std::size_t>(k) % tiles.size();
        const std::size_t left = (t + tiles.size() - 1) % tiles.size();
        dagger::spawn([](const long& l, long& v) { v = l + 1; }, dagger::In(tiles[left]), dagger::InOut(tiles[t]));
      }
    });
  }
  benchmark::DoNotOptimize(tiles.data());
  per_task(state, n);
}

// The same tasks spawned without accesses (no ordering): the difference to
// Datadeps_TiledSequence is the dependency analysis and the ordering.
void Spawn_SameTasksUnordered(benchmark::State& state) {
  const auto n = static_cast<int>(state.range(0));
  std::vector<dagger::Task<void>> tasks;
  tasks.reserve(static_cast<std::size_t>(n));
  for (auto _ : state) {
    for (int k = 0; k < n; ++k) tasks.push_back(dagger::spawn([] {}));
    dagger::wait_all(tasks);
    tasks.clear();
  }
  per_task(state, n);
}

long peak_resident_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss * 1024L;
}

// A lazy graph of n independent thunks and one sum, built and run.
void Lazy_MillionTasks(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const long before = peak_resident_bytes();
  for (auto _ : state) {
    std::vector<dagger::Thunk<int>> parts;
    parts.reserve(n);
    for (std::size_t i = 0; i < n; ++i) parts.push_back(dagger::delayed(add1)(static_cast<int>(i & 1023)));
    benchmark::DoNotOptimize(dagger::collect(dagger::delayed([](const std::vector<int>& v) {
      long s = 0;
      for (int x : v) s += x;
      return s;
    })(parts)));
  }
  state.counters["bytes_per_task"] =
      static_cast<double>(peak_resident_bytes() - before) / static_cast<double>(state.range(0));
  per_task(state, state.range(0) + 1);
}

}  // namespace

BENCHMARK(Spawn_FetchRoundTrip)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(Spawn_Independent)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(TBB_TaskGroup)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(Datadeps_TiledSequence)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(Spawn_SameTasksUnordered)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(Lazy_MillionTasks)->Arg(1000000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

BENCHMARK_MAIN();
