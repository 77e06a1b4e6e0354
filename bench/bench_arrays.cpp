// Array workloads of the seed, each against a peer in the same binary:
// - sum(pow(x, 2)) over randn 10000x10000 in 4000x4000 blocks (generation
//   included), and over an already computed x against a 2-thread loop;
// - blocked matmul 4000x4000 (blocks of 1000 and 2000) against one OpenBLAS
//   dgemm on 2 threads;
// - A + transpose(A), 20000x20000 in 4000x4000 blocks;
// - sort of 10^8 doubles against std::sort and one single-threaded vqsort
//   (the per-bucket sort), and sortperm of the same;
// - a fused element-wise pass a = b + 3 c over 2^25 doubles against the
//   STREAM triad on 2 threads (24 bytes per element moved, both);
// - an element-wise chain folded by sum over 2^25 doubles as a 3-D array
//   against the same as a 2-D one (the issue's "3-D as fast per element as
//   2-D"), both in 8 blocks of 2^22.
#include <benchmark/benchmark.h>
#include <cblas.h>
#include <hwy/contrib/sort/vqsort.h>

#include <algorithm>
#include <dagger/array.hpp>
#include <dagger/dagger.hpp>
#include <random>
#include <thread>

namespace {

void SeedSumPow(benchmark::State& state) {
  for (auto _ : state) {
    auto x = dagger::randn(dagger::Blocks(4000, 4000), 10000, 10000, dagger::Seed{1});
    benchmark::DoNotOptimize(dagger::collect(dagger::sum(dagger::pow(x, 2))));
  }
}

const dagger::DArray<double>& computed_x() {
  static auto x = dagger::compute(dagger::randn(dagger::Blocks(4000, 4000), 10000, 10000, dagger::Seed{1}));
  return x;
}

void SumPow_Computed(benchmark::State& state) {
  const auto& x = computed_x();
  for (auto _ : state) benchmark::DoNotOptimize(dagger::collect(dagger::sum(dagger::pow(x, 2))));
  state.counters["GB/s"] = benchmark::Counter(8e8 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

// The peer: the same sum of squares over the same blocks, two plain threads.
void SumPow_TwoThreadLoop(benchmark::State& state) {
  auto chunks = dagger::compute(computed_x().block_thunks());
  for (auto _ : state) {
    double partial[2] = {0, 0};
    std::thread workers[2];
    for (int t = 0; t < 2; ++t) {
      workers[t] = std::thread([&, t] {
        for (std::size_t k = static_cast<std::size_t>(t); k < chunks.size(); k += 2) {
          const dagger::Block& b = chunks[k].value();
          double s = 0;
          for (std::int64_t i = 0; i < b.size(); ++i) s += b.data<double>()[i] * b.data<double>()[i];
          partial[t] += s;
        }
      });
    }
    for (auto& w : workers) w.join();
    benchmark::DoNotOptimize(partial[0] + partial[1]);
  }
  state.counters["GB/s"] = benchmark::Counter(8e8 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void Matmul_Dagger(benchmark::State& state) {
  const std::int64_t n = 4000, block = state.range(0);
  auto a = dagger::compute(dagger::rand(dagger::Blocks(block, block), n, n, dagger::Seed{2}));
  auto b = dagger::compute(dagger::rand(dagger::Blocks(block, block), n, n, dagger::Seed{3}));
  for (auto _ : state) benchmark::DoNotOptimize(dagger::compute(a * b));
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * n * n * n * static_cast<double>(state.iterations()) / 1e9,
                                                 benchmark::Counter::kIsRate);
}

void Matmul_OpenBLAS_2threads(benchmark::State& state) {
  const int n = 4000;
  std::vector<double> a(static_cast<std::size_t>(n) * n, 0.5), b(a), c(a.size());
  openblas_set_num_threads(2);
  for (auto _ : state) {
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a.data(), n, b.data(), n, 0.0, c.data(), n);
    benchmark::DoNotOptimize(c.data());
  }
  openblas_set_num_threads(1);
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * n * n * n * static_cast<double>(state.iterations()) / 1e9,
                                                 benchmark::Counter::kIsRate);
}

void APlusTransposeA(benchmark::State& state) {
  auto a = dagger::compute(dagger::rand(dagger::Blocks(4000, 4000), 20000, 20000, dagger::Seed{4}));
  for (auto _ : state) {
    auto s = dagger::compute(a + dagger::transpose(a));
    benchmark::DoNotOptimize(s);
  }
  // Read A twice (directly and through the transpose), write the transpose and the sum.
  state.counters["GB/s"] = benchmark::Counter(4 * 3.2e9 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

// ---- the fused element-wise pass against the STREAM triad

constexpr std::int64_t kTriadRows = 8192, kTriadCols = 4096;  // 2^25 doubles, 256 MiB per array
constexpr double kTriadBytes = 24.0 * kTriadRows * kTriadCols;

// a(i) = b(i) + 3 c(i), each of two threads on half of the arrays, as
// STREAM's triad (its arrays reused, so no page is touched for the first
// time inside the loop).
void Triad_TwoThreads(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(kTriadRows * kTriadCols);
  std::vector<double> a(n), b(n, 1.0), c(n, 2.0);
  auto pass = [&] {
    std::thread workers[2];
    for (std::size_t t = 0; t < 2; ++t) {
      workers[t] = std::thread([&, t] {
        const std::size_t begin = t * n / 2, end = (t + 1) * n / 2;
        double* __restrict out = a.data();
        const double* __restrict x = b.data();
        const double* __restrict y = c.data();
        for (std::size_t i = begin; i < end; ++i) out[i] = x[i] + 3.0 * y[i];
      });
    }
    for (auto& w : workers) w.join();
  };
  pass();
  for (auto _ : state) {
    pass();
    benchmark::ClobberMemory();
  }
  state.counters["GB/s"] = benchmark::Counter(kTriadBytes * static_cast<double>(state.iterations()),
                                              benchmark::Counter::kIsRate);
}

// The same pass as a user writes it: a new array from two computed ones, in
// blocks of 8192 x 1024 (its result is allocated, and freed, each time).
void Triad_Dagger(benchmark::State& state) {
  auto b = dagger::compute(dagger::ones<double>(dagger::Blocks(kTriadRows, 1024), kTriadRows, kTriadCols));
  auto c = dagger::compute(2.0 * dagger::ones<double>(dagger::Blocks(kTriadRows, 1024), kTriadRows, kTriadCols));
  for (auto _ : state) {
    auto a = dagger::compute(b + 3.0 * c);
    benchmark::DoNotOptimize(a);
  }
  state.counters["GB/s"] = benchmark::Counter(kTriadBytes * static_cast<double>(state.iterations()),
                                              benchmark::Counter::kIsRate);
}

const dagger::DArray<double>& sort_input() {
  static auto v = dagger::compute(dagger::rand(dagger::Blocks(4'000'000), 100'000'000, dagger::Seed{5}));
  return v;
}

void Sort_Dagger(benchmark::State& state) {
  const auto& v = sort_input();
  for (auto _ : state) benchmark::DoNotOptimize(dagger::compute(dagger::sort(v)));
}

void Sort_StdSort(benchmark::State& state) {
  Eigen::MatrixXd values = dagger::collect(sort_input());
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<double> copy(values.data(), values.data() + values.size());
    state.ResumeTiming();
    std::sort(copy.begin(), copy.end());
    benchmark::DoNotOptimize(copy.data());
  }
}

// The per-bucket sort alone: one vqsort of the whole vector on one thread.
void Sort_VQSort(benchmark::State& state) {
  Eigen::MatrixXd values = dagger::collect(sort_input());
  const hwy::Sorter sorter;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<double> copy(values.data(), values.data() + values.size());
    state.ResumeTiming();
    sorter(copy.data(), copy.size(), hwy::SortAscending());
    benchmark::DoNotOptimize(copy.data());
  }
}

void Sortperm_Dagger(benchmark::State& state) {
  const auto& v = sort_input();
  for (auto _ : state) benchmark::DoNotOptimize(dagger::compute(dagger::sortperm(v)));
}

// 2^25 doubles in 8 blocks of 2^22, as a matrix or as a 3-D array.
template <int Rank>
const dagger::DArray<double>& chain_input() {
  static auto x = Rank == 2 ? dagger::compute(dagger::rand(dagger::Blocks(4096, 1024), 4096, 8192, dagger::Seed{5}))
                            : dagger::compute(dagger::rand(dagger::Blocks(256, 256, 64), {256, 256, 512}, dagger::Seed{5}));
  return x;
}

template <int Rank>
void ChainSum(benchmark::State& state) {
  const auto& x = chain_input<Rank>();
  for (auto _ : state) benchmark::DoNotOptimize(dagger::collect(dagger::sum(dagger::sqrt(x) * 2.0 + x)));
  // Seconds per element (printed with an SI prefix: 2.5n is 2.5 ns).
  state.counters["s/element"] = benchmark::Counter(static_cast<double>(state.iterations()) * 33554432.0,
                                                   benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

}  // namespace

BENCHMARK(ChainSum<2>)->Name("ChainSum_2D")->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(10);
BENCHMARK(ChainSum<3>)->Name("ChainSum_3D")->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(10);
BENCHMARK(SeedSumPow)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(SumPow_Computed)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);
BENCHMARK(SumPow_TwoThreadLoop)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);
BENCHMARK(Matmul_Dagger)->Arg(1000)->Arg(2000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(Matmul_OpenBLAS_2threads)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(APlusTransposeA)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);
BENCHMARK(Triad_Dagger)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(10);
BENCHMARK(Triad_TwoThreads)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(10);
BENCHMARK(Sort_Dagger)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(Sort_StdSort)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(Sort_VQSort)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(Sortperm_Dagger)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

BENCHMARK_MAIN();
