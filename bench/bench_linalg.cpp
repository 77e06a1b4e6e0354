// Tiled Cholesky, LU and QR against OpenBLAS's own dpotrf, dgetrf and
// dgeqrf on as many threads as dagger has, in the same run. The matrix is generated once (A A' + n I, in tiles);
// dagger's time is the factorization from a computed DArray to a computed
// L, including the symmetry check; LAPACK's is one dpotrf call on a copy.
// `--trace FILE [cholesky|lu]` writes a Chrome trace of one dagger run instead;
// `--workers [n] [tile] [rounds]` runs Cholesky on 2 worker processes
// against ScaLAPACK's pdpotrf on 2 MPI ranks; `--out-of-core [n] [tile]
// [GiB]` factors a generated matrix under a memory limit.
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <chrono>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "dagger/array.hpp"
#include "dagger/dagger.hpp"
#include "dagger/distributed.hpp"
#include "generated_spd.hpp"

extern "C" void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info, std::size_t uplo_len);
extern "C" void dgetrf_(const int* m, const int* n, double* a, const int* lda, int* ipiv, int* info);
extern "C" void dgeqrf_(const int* m, const int* n, double* a, const int* lda, double* tau, double* work, const int* lwork,
                        int* info);

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
double lu_flops() { return 2.0 * static_cast<double>(kN) * kN * kN / 3.0; }
double qr_flops() { return 4.0 * static_cast<double>(kN) * kN * kN / 3.0; }

// A uniform random matrix: LU with partial pivoting swaps rows at almost
// every step (a diagonally dominant one would swap none).
const Eigen::MatrixXd& random_dense() {
  static const Eigen::MatrixXd m = [] {
    std::srand(6);
    return Eigen::MatrixXd(Eigen::MatrixXd::Random(kN, kN));
  }();
  return m;
}

void count_flops(benchmark::State& state, double flops) {
  state.counters["GFLOP/s"] =
      benchmark::Counter(flops * static_cast<double>(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
}

// dagger's factorization `factor` of a computed DArray, timed whole.
template <class Factor>
void time_dagger(benchmark::State& state, const dagger::DArray<double>& a, double flops, Factor factor) {
  for (auto _ : state) benchmark::DoNotOptimize(factor(a));
  count_flops(state, flops);
}

// One LAPACK call on a fresh copy of `dense`, on as many OpenBLAS threads as
// dagger has threads; the copy is not timed.
template <class Call>
void time_lapack(benchmark::State& state, const Eigen::MatrixXd& dense, double flops, Call call) {
  Eigen::MatrixXd work(kN, kN);
  openblas_set_num_threads(static_cast<int>(dagger::Context().processors().size()));
  for (auto _ : state) {
    state.PauseTiming();
    std::memcpy(work.data(), dense.data(), sizeof(double) * static_cast<std::size_t>(dense.size()));
    state.ResumeTiming();
    const int n = static_cast<int>(kN);
    int info = 0;
    call(n, work.data(), info);
    if (info != 0) state.SkipWithError("the LAPACK call failed");
  }
  openblas_set_num_threads(1);
  count_flops(state, flops);
}

void Cholesky_Dagger(benchmark::State& state) {
  time_dagger(state, spd_matrix(state.range(0)), cholesky_flops(), [](const auto& a) { return dagger::cholesky(a); });
}

void Cholesky_OpenBLAS(benchmark::State& state) {
  time_lapack(state, spd_dense(), cholesky_flops(),
              [](const int& n, double* a, int& info) { dpotrf_("L", &n, a, &n, &info, 1); });
}

void LU_Dagger(benchmark::State& state) {
  const auto a = dagger::compute(dagger::distribute(dagger::Blocks(state.range(0), state.range(0)), random_dense()));
  time_dagger(state, a, lu_flops(), [](const auto& m) { return dagger::lu(m); });
}

void LU_OpenBLAS(benchmark::State& state) {
  std::vector<int> pivots(static_cast<std::size_t>(kN));
  time_lapack(state, random_dense(), lu_flops(),
              [&](const int& n, double* a, int& info) { dgetrf_(&n, &n, a, &n, pivots.data(), &info); });
}

// One factorization's tile graph, run with events: a Chrome trace, and a
// table of the tasks of each kind per processor.
void write_trace(const char* path, const std::string& which) {
  std::vector<dagger::detail::NodePtr> heads;
  double flops = 0;
  if (which == "lu") {
    const auto a = dagger::compute(dagger::distribute(dagger::Blocks(500, 500), random_dense()));
    const dagger::detail::ArrayPtr factors = dagger::detail::lu_graph(a.impl(), true).factors;
    for (const auto& b : factors->blocks) heads.push_back(b.node());
    flops = lu_flops();
  } else {
    const auto a = spd_matrix(1000);
    const dagger::detail::ArrayPtr factor = dagger::detail::cholesky_graph(a.impl());
    const dagger::Layout& l = factor->layout;
    for (std::int64_t j = 0; j < l.grid_cols(); ++j) {
      for (std::int64_t i = j; i < l.grid_rows(); ++i) heads.push_back(factor->blocks[l.block_index(i, j)].node());
    }
    flops = cholesky_flops();
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
  const auto start = std::chrono::steady_clock::now();
  auto outcome = dagger::detail::run_graph(dagger::Context(), heads, true);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("the %s factors' graph alone (no checks): %.2f s, %.1f GFLOP/s\n", which.c_str(), seconds,
              flops / seconds / 1e9);
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

std::size_t peak_rss() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

// Cholesky of an n x n matrix under a memory limit: the tiles spill to
// disk and come back. Checks entries of L L' against the generator.
// The generated SPD matrix as a lazy array: each tile made by its own task.
dagger::DArray<double> generated_spd(std::int64_t n, std::int64_t tile) {
  const dagger::Layout layout({n, n}, dagger::Blocks(tile, tile));
  std::vector<dagger::Thunk<dagger::Block>> blocks;
  for (std::size_t k = 0; k < layout.block_count(); ++k) {
    const std::int64_t r0 = layout.row_start(layout.grid_row_of(k)), c0 = layout.col_start(layout.grid_col_of(k));
    const std::int64_t h = layout.block_height(layout.grid_row_of(k)), w = layout.block_width(layout.grid_col_of(k));
    blocks.push_back(dagger::delayed([r0, c0, h, w, n] {
      dagger::Block b = dagger::Block::make(dagger::DType::f64, h, w);
      double* out = b.mutable_data<double>();
      for (std::int64_t c = 0; c < w; ++c) {
        for (std::int64_t r = 0; r < h; ++r) out[r + c * h] = dagger_bench::generated_spd_entry(r0 + r, c0 + c, n);
      }
      return b;
    }, {.name = "generate"})());
  }
  return dagger::DArray<double>(dagger::detail::make_array(layout, dagger::DType::f64, std::move(blocks)));
}

int out_of_core(std::int64_t n, std::int64_t tile, double limit_gib) {
  dagger::Config config = dagger::config();
  config.memory_limit = static_cast<std::size_t>(limit_gib * double(1ull << 30));
  dagger::configure(config);
  const dagger::DArray<double> a = generated_spd(n, tile);
  const auto start = std::chrono::steady_clock::now();
  auto c = dagger::cholesky(a);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const dagger::MemoryStats m = dagger::memory_stats();
  std::printf("cholesky n=%lld tiles %lld under %.1f GiB: %.1f s, %.1f GFLOP/s (generation and the symmetry check "
              "included), peak RSS %.2f GiB, spilled %.1f GiB in %llu writes, reloaded %.1f GiB\n",
              static_cast<long long>(n), static_cast<long long>(tile), limit_gib, seconds,
              static_cast<double>(n) * n * n / 3.0 / seconds / 1e9, static_cast<double>(peak_rss()) / double(1ull << 30),
              static_cast<double>(m.spilled_total_bytes) / double(1ull << 30), static_cast<unsigned long long>(m.spills),
              static_cast<double>(m.reloaded_total_bytes) / double(1ull << 30));
  // (L L')(i, j) for a few pairs, from rows i and j of L.
  double worst = 0;
  for (std::int64_t i : {std::int64_t{0}, n / 3, n - 1}) {
    const Eigen::MatrixXd li = dagger::collect(c.L()(dagger::range(i, i + 1), dagger::all));
    for (std::int64_t j : {std::int64_t{1}, n / 2, n - 2}) {
      const Eigen::MatrixXd lj = dagger::collect(c.L()(dagger::range(j, j + 1), dagger::all));
      const double got = li.row(0).dot(lj.row(0)), want = dagger_bench::generated_spd_entry(i, j, n);
      worst = std::max(worst, std::abs(got - want) / (2.0 * static_cast<double>(n)));
    }
  }
  std::printf("largest |L L' - A| / |A|_max over 9 entries: %.2e\n", worst);
  return worst < 1e-12 ? 0 : 1;
}

void QR_Dagger(benchmark::State& state) {
  const auto a = dagger::compute(dagger::distribute(dagger::Blocks(state.range(0), state.range(0)), random_dense()));
  time_dagger(state, a, qr_flops(), [](const auto& m) { return dagger::qr(m); });
}

void QR_OpenBLAS(benchmark::State& state) {
  std::vector<double> tau(static_cast<std::size_t>(kN)), work;
  time_lapack(state, random_dense(), qr_flops(), [&](const int& n, double* a, int& info) {
    int query = -1;
    double size = 0;
    dgeqrf_(&n, &n, a, &n, tau.data(), &size, &query, &info);
    work.resize(static_cast<std::size_t>(size));
    const int lwork = static_cast<int>(size);
    dgeqrf_(&n, &n, a, &n, tau.data(), work.data(), &lwork, &info);
  });
}

// A tall and skinny matrix (10^6 x 100), whose QR dagger factors by TSQR
// (each row tile, then a tree of their R's) against one dgeqrf.
constexpr std::int64_t kTallRows = 1000000, kTallCols = 100;

const Eigen::MatrixXd& tall_dense() {
  static const Eigen::MatrixXd m = [] {
    std::srand(7);
    return Eigen::MatrixXd(Eigen::MatrixXd::Random(kTallRows, kTallCols));
  }();
  return m;
}

double tall_qr_flops() {
  const double m = kTallRows, n = kTallCols;
  return 2.0 * m * n * n - 2.0 * n * n * n / 3.0;
}

void TallQR_Dagger(benchmark::State& state) {
  const auto a = dagger::compute(dagger::distribute(dagger::Blocks(state.range(0), kTallCols), tall_dense()));
  time_dagger(state, a, tall_qr_flops(), [](const auto& m) { return dagger::qr(m); });
}

void TallQR_OpenBLAS(benchmark::State& state) {
  std::vector<double> tau(static_cast<std::size_t>(kTallCols)), work;
  Eigen::MatrixXd copy(kTallRows, kTallCols);
  openblas_set_num_threads(static_cast<int>(dagger::Context().processors().size()));
  for (auto _ : state) {
    state.PauseTiming();
    copy = tall_dense();
    state.ResumeTiming();
    const int m = static_cast<int>(kTallRows), n = static_cast<int>(kTallCols);
    int info = 0, query = -1;
    double size = 0;
    dgeqrf_(&m, &n, copy.data(), &m, tau.data(), &size, &query, &info);
    work.resize(static_cast<std::size_t>(size));
    const int lwork = static_cast<int>(size);
    dgeqrf_(&m, &n, copy.data(), &m, tau.data(), work.data(), &lwork, &info);
    if (info != 0) state.SkipWithError("dgeqrf failed");
  }
  openblas_set_num_threads(1);
  count_flops(state, tall_qr_flops());
}

// Seconds of one pdpotrf by ScaLAPACK on 2 MPI ranks of one thread each
// (scalapack_cholesky, built beside this executable), or -1.
double pdpotrf_seconds(std::int64_t n, std::int64_t tile) {
  const std::string peer = (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "scalapack_cholesky").string();
  // mpirun refuses root unless told; the variables change nothing for others.
  const std::string command = "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun -np 2 --bind-to none "
                              "-x OPENBLAS_NUM_THREADS=1 '" + peer + "' " + std::to_string(n) + " " +
                              std::to_string(tile) + " 1 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  std::string output;
  char line[512];
  while (std::fgets(line, sizeof line, pipe) != nullptr) output += line;
  ::pclose(pipe);
  const std::size_t at = output.find("median ");
  if (at == std::string::npos) {
    std::fprintf(stderr, "scalapack_cholesky said:\n%s", output.c_str());
    return -1;
  }
  return std::atof(output.c_str() + at + 7);
}

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Cholesky on 2 local worker processes of one thread each against
// ScaLAPACK's pdpotrf on 2 MPI ranks of one thread each, the same n and
// tile, alternating for `rounds` rounds. The tiles are generated in the
// workers and L stays there; dagger's time includes its symmetry check.
int against_scalapack(std::int64_t n, std::int64_t tile, int rounds) {
  std::vector<dagger::Processor*> procs;
  for (dagger::WorkerProc* w : dagger::add_local_workers(2)) procs.push_back(w);
  const dagger::Context workers(procs);
  std::vector<double> ours, theirs;
  for (int r = 0; r < rounds; ++r) {
    const dagger::DArray<double> a = dagger::compute(workers, generated_spd(n, tile));
    const auto start = std::chrono::steady_clock::now();
    const auto c = dagger::cholesky(workers, a);
    ours.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    theirs.push_back(pdpotrf_seconds(n, tile));
    if (theirs.back() < 0) return 1;
    std::printf("round %d: dagger on 2 workers %.2f s, pdpotrf on 2 ranks %.2f s\n", r + 1, ours.back(), theirs.back());
  }
  const double flops = static_cast<double>(n) * n * n / 3.0;
  const double mine = median_of(ours), peer = median_of(theirs);
  std::printf("cholesky n=%lld tile %lld, medians of %d: dagger %.2f s (%.1f GFLOP/s), pdpotrf %.2f s (%.1f GFLOP/s), "
              "ratio %.2fx\n",
              static_cast<long long>(n), static_cast<long long>(tile), rounds, mine, flops / mine / 1e9, peer,
              flops / peer / 1e9, peer / mine);
  return 0;
}

}  // namespace

BENCHMARK(TallQR_Dagger)->Arg(125000)->Arg(31250)->Arg(10000)->Arg(2500)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);
BENCHMARK(TallQR_OpenBLAS)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);
BENCHMARK(QR_Dagger)->Arg(500)->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(QR_OpenBLAS)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(LU_Dagger)->Arg(500)->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(LU_OpenBLAS)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(Cholesky_Dagger)->Arg(500)->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(Cholesky_OpenBLAS)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

int main(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == "--workers") {
    ::setenv("DAGGER_NUM_THREADS", "1", 1);  // before init: the workers read it when they start
  }
  dagger::init(argc, argv);
  if (argc >= 2 && std::string(argv[1]) == "--workers") {
    const std::int64_t n = argc > 2 ? std::atoll(argv[2]) : 10000;
    const std::int64_t tile = argc > 3 ? std::atoll(argv[3]) : 500;
    const int rounds = argc > 4 ? std::atoi(argv[4]) : 3;
    return against_scalapack(n, tile, rounds);
  }
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--trace") {
      write_trace(argv[i + 1], i + 2 < argc ? argv[i + 2] : "cholesky");
      return 0;
    }
  }
  if (argc >= 2 && std::string(argv[1]) == "--out-of-core") {
    const std::int64_t n = argc > 2 ? std::atoll(argv[2]) : 40000;
    const std::int64_t tile = argc > 3 ? std::atoll(argv[3]) : 2000;
    const double limit_gib = argc > 4 ? std::atof(argv[4]) : 4.0;
    return out_of_core(n, tile, limit_gib);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
