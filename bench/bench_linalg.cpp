// Tiled Cholesky against OpenBLAS's own dpotrf on as many threads as dagger
// has, in the same run. The matrix is generated once (A A' + n I, in tiles);
// dagger's time is the factorization from a computed DArray to a computed
// L, including the symmetry check; LAPACK's is one dpotrf call on a copy.
// `--trace FILE` writes a Chrome trace of one dagger run instead.
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "dagger/array.hpp"
#include "dagger/dagger.hpp"

extern "C" void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info, std::size_t uplo_len);

namespace {

// The order of the matrix: 10,000, or DAGGER_BENCH_N.
const std::int64_t kN = [] {
  const char* env = std::getenv("DAGGER_BENCH_N");
  return env && *env ? std::atoll(env) : 10000;
}();

// R + R' + 2n I for a uniform R: symmetric and strictly diagonally
// dominant, so positive definite.
const Eigen::MatrixXd& spd_dense() {
  static const Eigen::MatrixXd m = [] {
    std::srand(5);
    Eigen::MatrixXd r = (Eigen::MatrixXd::Random(kN, kN).array() + 1.0) / 2.0;
    Eigen::MatrixXd s = r + r.transpose();
    s.diagonal().array() += 2.0 * static_cast<double>(kN);
    return s;
  }();
  return m;
}

dagger::DArray<double> spd_matrix(std::int64_t tile) {
  return dagger::compute(dagger::distribute(dagger::Blocks(tile, tile), spd_dense()));
}

double cholesky_flops() { return static_cast<double>(kN) * kN * kN / 3.0; }

void Cholesky_Dagger(benchmark::State& state) {
  const std::int64_t tile = state.range(0);
  const auto a = spd_matrix(tile);
  for (auto _ : state) {
    auto c = dagger::cholesky(a);
    benchmark::DoNotOptimize(c);
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(cholesky_flops() * static_cast<double>(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
}

void Cholesky_OpenBLAS(benchmark::State& state) {
  const Eigen::MatrixXd& a = spd_dense();
  Eigen::MatrixXd work(kN, kN);
  openblas_set_num_threads(static_cast<int>(dagger::Context().processors().size()));
  for (auto _ : state) {
    state.PauseTiming();
    std::memcpy(work.data(), a.data(), sizeof(double) * static_cast<std::size_t>(a.size()));
    state.ResumeTiming();
    const int n = static_cast<int>(kN);
    int info = 0;
    dpotrf_("L", &n, work.data(), &n, &info, 1);
    if (info != 0) state.SkipWithError("dpotrf failed");
  }
  openblas_set_num_threads(1);
  state.counters["GFLOP/s"] =
      benchmark::Counter(cholesky_flops() * static_cast<double>(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
}

// One factorization's tile graph, run with events: a Chrome trace, and a
// table of the tasks of each kind per processor.
void write_trace(const char* path) {
  const auto a = spd_matrix(1000);
  const dagger::detail::ArrayPtr factor = dagger::detail::cholesky_graph(a.impl());
  std::vector<dagger::detail::NodePtr> heads;
  const dagger::Layout& l = factor->layout;
  for (std::int64_t j = 0; j < l.grid_cols(); ++j) {
    for (std::int64_t i = j; i < l.grid_rows(); ++i) heads.push_back(factor->blocks[l.block_index(i, j)].node());
  }
  std::map<std::uint64_t, std::string> names;  // thunk id -> function
  std::vector<dagger::detail::ThunkNode*> stack;
  for (const auto& h : heads) stack.push_back(h.get());
  while (!stack.empty()) {
    dagger::detail::ThunkNode* n = stack.back();
    stack.pop_back();
    if (!names.emplace(n->id, n->name()).second) continue;
    for (const auto& d : n->deps) {
      if (d.thunk) stack.push_back(d.thunk.get());
    }
  }
  auto outcome = dagger::detail::run_graph(dagger::Context(), heads, true);
  std::ofstream(path) << dagger::to_chrome_trace(outcome.events);
  std::map<std::string, std::map<std::string, std::pair<int, double>>> table;  // processor -> kind -> (count, s)
  for (const dagger::Timespan& e : outcome.events) {
    if (e.category != dagger::Category::compute || e.processor == nullptr) continue;
    auto& cell = table[e.processor->name()][names.count(e.id) ? names[e.id] : "?"];
    cell.first += 1;
    cell.second += e.seconds();
  }
  for (const auto& [processor, kinds] : table) {
    std::printf("%s\n", processor.c_str());
    for (const auto& [kind, cell] : kinds) std::printf("  %-10s %5d tasks %8.3f s\n", kind.c_str(), cell.first, cell.second);
  }
}

}  // namespace

BENCHMARK(Cholesky_Dagger)->Arg(500)->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(Cholesky_OpenBLAS)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

int main(int argc, char** argv) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--trace") {
      const auto a = spd_matrix(1000);
      write_trace(argv[i + 1]);
      return 0;
    }
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
