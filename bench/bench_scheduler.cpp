// Per-task overhead of the scheduler on three graph shapes, against oneTBB's
// flow graph in the same binary. Building the graph and running it are both
// counted, for both. Report: time_per_task (lower is better).
#include <benchmark/benchmark.h>
#include <oneapi/tbb/flow_graph.h>
#include <oneapi/tbb/global_control.h>

#include <dagger/dagger.hpp>
#include <dagger/dashboard.hpp>
#include <memory>
#include <numeric>
#include <thread>
#include <vector>

#include "per_task.hpp"

namespace {

int add1(int v) { return v + 1; }
long sum_all(const std::vector<int>& v) { return std::accumulate(v.begin(), v.end(), 0L); }

using dagger_bench::per_task;
using dagger_bench::threads;

using TbbNode = tbb::flow::continue_node<tbb::flow::continue_msg>;

// n TBB nodes, node i storing work(i) in values[i], each an input of `reduce`.
template <class Work>
std::vector<std::unique_ptr<TbbNode>> tbb_layer(tbb::flow::graph& g, int n, std::vector<int>& values,
                                                TbbNode& reduce, Work work) {
  std::vector<std::unique_ptr<TbbNode>> nodes;
  nodes.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    nodes.push_back(std::make_unique<TbbNode>(
        g, [&values, work, i](const tbb::flow::continue_msg&) { values[static_cast<std::size_t>(i)] = work(i); }));
    make_edge(*nodes.back(), reduce);
  }
  return nodes;
}

// n thunks add1(input(i)), summed by one reduction thunk.
template <class Input>
long dagger_layer_sum(int n, Input input) {
  std::vector<dagger::Thunk<int>> parts;
  parts.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) parts.push_back(dagger::delayed(add1)(input(i)));
  return dagger::collect(dagger::delayed(sum_all)(parts));
}

// Times `graph(n)` (build and run) per iteration and reports time per task.
template <class Graph>
void measure(benchmark::State& state, std::int64_t extra_tasks, Graph graph) {
  const int n = static_cast<int>(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(graph(n));
  per_task(state, n + extra_tasks);
}

// The same for oneTBB, limited to as many threads as dagger has.
template <class Graph>
void measure_tbb(benchmark::State& state, std::int64_t extra_tasks, Graph graph) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                            static_cast<std::size_t>(threads()));
  measure(state, extra_tasks, [&](int n) {
    tbb::flow::graph g;
    return graph(g, n);
  });
}

// ---- 100,000 independent tasks plus one reduction over all of them

void Dagger_Independent(benchmark::State& state) {
  measure(state, 1, [](int n) { return dagger_layer_sum(n, [](int i) { return i; }); });
}

void TBB_Independent(benchmark::State& state) {
  measure_tbb(state, 1, [](tbb::flow::graph& g, int n) {
    std::vector<int> values(static_cast<std::size_t>(n));
    long total = 0;
    TbbNode reduce(g, n, [&](const tbb::flow::continue_msg&) { total = sum_all(values); });
    auto nodes = tbb_layer(g, n, values, reduce, [](int i) { return add1(i); });
    for (auto& node : nodes) node->try_put(tbb::flow::continue_msg());
    g.wait_for_all();
    return total;
  });
}

// ---- a chain of 10,000 dependent tasks

void Dagger_Chain(benchmark::State& state) {
  measure(state, 0, [](int n) {
    auto t = dagger::delayed(add1)(0);
    for (int i = 1; i < n; ++i) t = dagger::delayed(add1)(t);
    return dagger::collect(t);
  });
}

void TBB_Chain(benchmark::State& state) {
  measure_tbb(state, 0, [](tbb::flow::graph& g, int n) {
    std::vector<int> values(static_cast<std::size_t>(n));
    std::vector<std::unique_ptr<TbbNode>> nodes;
    nodes.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      nodes.push_back(std::make_unique<TbbNode>(g, [&values, i](const tbb::flow::continue_msg&) {
        auto k = static_cast<std::size_t>(i);
        values[k] = add1(i == 0 ? 0 : values[k - 1]);
      }));
      if (i > 0) make_edge(*nodes[static_cast<std::size_t>(i) - 1], *nodes.back());
    }
    nodes.front()->try_put(tbb::flow::continue_msg());
    g.wait_for_all();
    return values.back();
  });
}

// ---- fan-out to 1,000 tasks from one root, fan-in to one

void Dagger_FanOutFanIn(benchmark::State& state) {
  measure(state, 2, [](int n) {
    auto root = dagger::delayed(add1)(0);
    return dagger_layer_sum(n, [&root](int) { return root; });
  });
}

void TBB_FanOutFanIn(benchmark::State& state) {
  measure_tbb(state, 2, [](tbb::flow::graph& g, int n) {
    int root_value = 0;
    std::vector<int> values(static_cast<std::size_t>(n));
    long total = 0;
    TbbNode root(g, [&](const tbb::flow::continue_msg&) { root_value = add1(0); });
    TbbNode reduce(g, n, [&](const tbb::flow::continue_msg&) { total = sum_all(values); });
    const int* root_result = &root_value;
    auto nodes = tbb_layer(g, n, values, reduce, [root_result](int) { return add1(*root_result); });
    for (auto& node : nodes) make_edge(root, *node);
    root.try_put(tbb::flow::continue_msg());
    g.wait_for_all();
    return total;
  });
}

// ---- the same with the dashboard on (its target: at most 5% slower)

template <void (*Bench)(benchmark::State&)>
void WithDashboard(benchmark::State& state) {
  dagger::Dashboard dashboard("127.0.0.1:0");
  Bench(state);
}

}  // namespace

BENCHMARK(Dagger_Independent)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(TBB_Independent)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(Dagger_Chain)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(TBB_Chain)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(Dagger_FanOutFanIn)->Arg(1000)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(TBB_FanOutFanIn)->Arg(1000)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(WithDashboard<Dagger_Independent>)->Name("Dagger_Independent_Dashboard")->Arg(100000)
    ->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(WithDashboard<Dagger_Chain>)->Name("Dagger_Chain_Dashboard")->Arg(10000)
    ->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(WithDashboard<Dagger_FanOutFanIn>)->Name("Dagger_FanOutFanIn_Dashboard")->Arg(1000)
    ->Unit(benchmark::kMicrosecond)->UseRealTime();

BENCHMARK_MAIN();
