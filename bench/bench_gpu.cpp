// The array library on CUDA devices against the same work done by calling
// cuBLAS, cuSPARSE and Thrust directly (bench/gpu_baselines.cu), and the
// seed's sum(pow(x, 2)) on a GPU against the CPUs. Prints medians and the
// ratio to the direct call; exits quietly where there is no device.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <dagger/array.hpp>
#include <dagger/cuda.hpp>
#include <dagger/dagger.hpp>
#include <vector>

#include "gpu_baselines.hpp"

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kRepeats = 5;

template <class F>
double median_seconds(F&& run) {
  std::vector<double> times;
  for (int r = 0; r < kRepeats; ++r) {
    const auto start = Clock::now();
    run();
    times.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

void report(const char* what, double dagger_s, double direct_s, double work, const char* unit) {
  std::printf("%-34s dagger %8.3f ms %9.1f %s | direct %8.3f ms %9.1f %s | %.2fx\n", what, dagger_s * 1e3,
              work / dagger_s, unit, direct_s * 1e3, work / direct_s, unit, dagger_s / direct_s);
}

}  // namespace

int main() {
  if (dagger::cuda_processors().empty()) {
    std::printf("bench_gpu: skipped, no CUDA device (%s)\n", dagger::cuda_status().reason.c_str());
    return 0;
  }
  for (const auto* p : dagger::cuda_processors()) std::printf("device: %s\n", p->name().c_str());
  const auto gpus = dagger::Context::only(dagger::ProcKind::cuda());
  const auto cpus = dagger::Context::excluding(dagger::ProcKind::cuda());

  {  // gemm, 8192^2 doubles in 4096^2 blocks, inputs already on the device
    const std::int64_t n = 8192;
    const dagger::Blocks blocks(4096, 4096);
    const auto a = dagger::compute(gpus, dagger::rand<double>(blocks, n, n, dagger::Seed{1}));
    const auto b = dagger::compute(gpus, dagger::rand<double>(blocks, n, n, dagger::Seed{2}));
    const double s = median_seconds([&] { dagger::compute(gpus, a * b); });
    report("gemm 8192^2 double", s, bench::direct_gemm_seconds(n, kRepeats), 2.0 * n * n * n / 1e9, "GFLOP/s");
  }
  const std::int64_t n = std::int64_t{1} << 27;  // 1 GiB of doubles
  const dagger::Blocks vector_blocks(std::int64_t{1} << 24);
  const auto x = dagger::compute(gpus, dagger::rand<double>(vector_blocks, n, dagger::Seed{3}));
  {  // a fused element-wise chain: one read and one write per element
    const double s = median_seconds([&] { dagger::compute(gpus, dagger::exp(-(x * x)) * 2.0 + dagger::sin(x)); });
    report("exp(-x*x)*2 + sin(x), 2^27", s, bench::direct_chain_seconds(n, kRepeats), 16.0 * n / 1e9, "GB/s");
  }
  {  // a reduction
    const double s = median_seconds([&] { dagger::collect(gpus, dagger::sum(x)); });
    report("sum(x), 2^27", s, bench::direct_sum_seconds(n, kRepeats), 8.0 * n / 1e9, "GB/s");
  }
  {  // spmv: 2^20 x 2^20, 16 entries per column, in 4 x 4 blocks
    const std::int64_t m = std::int64_t{1} << 20;
    const int per_column = 16;
    std::vector<Eigen::Triplet<double, std::int64_t>> entries;
    entries.reserve(static_cast<std::size_t>(m) * per_column);
    for (std::int64_t j = 0; j < m; ++j) {
      for (int k = 0; k < per_column; ++k) entries.emplace_back((j * per_column + k) * 7919 % m, j, 1.0);
    }
    Eigen::SparseMatrix<double, Eigen::ColMajor, std::int64_t> s_host(m, m);
    s_host.setFromTriplets(entries.begin(), entries.end());
    const auto s = dagger::distribute(dagger::Blocks(m / 4, m / 4), s_host);
    const auto v = dagger::compute(gpus, dagger::rand<double>(dagger::Blocks(m / 4, 1), m, 1, dagger::Seed{4}));
    const double t = median_seconds([&] { dagger::compute(s * v); });
    report("spmv 2^20, 16/column", t, bench::direct_spmv_seconds(m, per_column, kRepeats),
           2.0 * m * per_column / 1e9, "GFLOP/s");
  }
  {  // the seed: sum(pow(x, 2)) on the GPUs and on the CPUs, 10^8 doubles
    const std::int64_t count = 100'000'000;
    const dagger::Blocks blocks(10'000'000);
    const auto on_gpu = dagger::compute(gpus, dagger::rand<double>(blocks, count, dagger::Seed{5}));
    const auto on_cpu = dagger::compute(cpus, dagger::rand<double>(blocks, count, dagger::Seed{5}));
    const double g = median_seconds([&] { dagger::collect(gpus, dagger::sum(dagger::pow(on_gpu, 2))); });
    const double c = median_seconds([&] { dagger::collect(cpus, dagger::sum(dagger::pow(on_cpu, 2))); });
    std::printf("%-34s GPU %8.3f ms | CPU %8.3f ms | GPU is %.1fx faster\n", "sum(pow(x, 2)), 10^8", g * 1e3,
                c * 1e3, c / g);
  }
  return 0;
}
