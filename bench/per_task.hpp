// The counters the scheduler and task benchmarks report: time per task and
// the number of threads dagger runs on (the peer is limited to as many).
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <dagger/dagger.hpp>

namespace dagger_bench {

inline int threads() { return static_cast<int>(dagger::Context().processors().size()); }

inline void per_task(benchmark::State& state, std::int64_t tasks) {
  state.counters["time_per_task"] = benchmark::Counter(
      static_cast<double>(tasks) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["threads"] = threads();
}

}  // namespace dagger_bench
