// A 2-D Jacobi sweep (5-point, edges held at 0) on an n x n matrix for a
// number of sweeps: dagger's stencil, all sweeps as one graph, against a
// plain OpenMP loop over a ghost-framed array on as many threads as dagger
// has, in the same binary. The two alternate for a few rounds (a shared
// machine's slow spells hit both) and the median of the rounds' ratios is
// printed; target: dagger at least 0.8x the loop's speed.
//
//   bench_stencil            n = 8192, 100 sweeps, 2048 x 2048 blocks, 3 rounds
//   DAGGER_BENCH_N, DAGGER_BENCH_SWEEPS, DAGGER_BENCH_BLOCK, DAGGER_BENCH_ROUNDS change them.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "dagger/array.hpp"
#include "dagger/dagger.hpp"

namespace {

std::int64_t setting(const char* name, std::int64_t fallback) {
  const char* env = std::getenv(name);
  return env && *env ? std::atoll(env) : fallback;
}

const std::int64_t kN = setting("DAGGER_BENCH_N", 8192);
const std::int64_t kSweeps = setting("DAGGER_BENCH_SWEEPS", 100);
const std::int64_t kBlock = setting("DAGGER_BENCH_BLOCK", 2048);
const std::int64_t kRounds = setting("DAGGER_BENCH_ROUNDS", 3);

// A lambda, so the kernel inlines it (a function pointer would be one
// indirect call per element).
constexpr auto five_point = [](const dagger::Neighbors<double>& x) {
  return 0.25 * (x(-1, 0) + x(1, 0) + x(0, -1) + x(0, 1));
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The peer: (n + 2)^2 buffers whose frame stays 0, sweeps in place of
// boundary tests; the same arithmetic in the same order as five_point.
struct Loop {
  std::int64_t n;
  std::vector<double> a, b;
  explicit Loop(const Eigen::MatrixXd& start) : n(start.rows()), a((n + 2) * (n + 2), 0.0), b(a.size(), 0.0) {
    for (std::int64_t j = 0; j < n; ++j)
      for (std::int64_t i = 0; i < n; ++i) a[(i + 1) + (j + 1) * (n + 2)] = start(i, j);
  }
  void run(std::int64_t sweeps, int threads) {
    const std::int64_t s = n + 2;
    for (std::int64_t k = 0; k < sweeps; ++k) {
      const double* __restrict x = a.data();
      double* __restrict y = b.data();
#pragma omp parallel for num_threads(threads) schedule(static)
      for (std::int64_t j = 1; j <= n; ++j) {
        for (std::int64_t i = 1; i <= n; ++i) {
          const std::int64_t at = i + j * s;
          y[at] = 0.25 * (x[at - 1] + x[at + 1] + x[at - s] + x[at + s]);
        }
      }
      a.swap(b);
    }
  }
  double at(std::int64_t i, std::int64_t j) const { return a[(i + 1) + (j + 1) * (n + 2)]; }
};

dagger::DArray<double> dagger_sweeps(const dagger::DArray<double>& start, std::int64_t sweeps) {
  dagger::DArray<double> u = start;
  for (std::int64_t k = 0; k < sweeps; ++k) u = dagger::stencil(u, 1, dagger::Pad(0.0), five_point);
  return dagger::compute(u);
}

}  // namespace

int main() {
  int threads = 0;
  for (dagger::Processor* p : dagger::all_processors()) threads += p->kind() == dagger::ProcKind::cpu() && p->executes();
  std::printf("Jacobi %lld x %lld, %lld sweeps, dagger blocks %lld x %lld, %d threads each\n",
              static_cast<long long>(kN), static_cast<long long>(kN), static_cast<long long>(kSweeps),
              static_cast<long long>(kBlock), static_cast<long long>(kBlock), threads);
  const auto start = dagger::compute(dagger::rand(dagger::Blocks(kBlock, kBlock), kN, kN, dagger::Seed{1}));
  const Eigen::MatrixXd dense = dagger::collect(start);

  // Once, to check that both compute the same bits.
  {
    Loop check(dense);
    check.run(3, threads);
    const Eigen::MatrixXd got = dagger::collect(dagger_sweeps(start, 3));
    for (std::int64_t j = 0; j < kN; ++j)
      for (std::int64_t i = 0; i < kN; ++i) {
        if (got(i, j) != check.at(i, j)) {
          std::fprintf(stderr, "dagger and the loop differ at (%lld, %lld)\n", static_cast<long long>(i),
                       static_cast<long long>(j));
          return 1;
        }
      }
  }

  const double elements = static_cast<double>(kN) * static_cast<double>(kN) * static_cast<double>(kSweeps);
  std::vector<double> ratios;
  for (std::int64_t round = 0; round < kRounds; ++round) {
    Loop loop(dense);
    auto t0 = std::chrono::steady_clock::now();
    loop.run(kSweeps, threads);
    const double loop_s = seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    dagger::DArray<double> done = dagger_sweeps(start, kSweeps);
    const double dagger_s = seconds_since(t0);
    ratios.push_back(loop_s / dagger_s);
    std::printf("round %lld: loop %.3f s (%.2f ns/element), dagger %.3f s (%.2f ns/element): dagger/loop speed %.3f\n",
                static_cast<long long>(round + 1), loop_s, loop_s * 1e9 / elements, dagger_s,
                dagger_s * 1e9 / elements, loop_s / dagger_s);
  }
  std::sort(ratios.begin(), ratios.end());
  std::printf("median speed of dagger relative to the loop: %.3f (target >= 0.8)\n", ratios[ratios.size() / 2]);
  return 0;
}
