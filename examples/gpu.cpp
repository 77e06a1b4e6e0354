// The seed's sum(pow(x, 2)) where the machine's GPUs are: on every
// processor (the scheduler places each block), on the GPUs only, and on the
// CPUs only; the three sums must agree. Without a CUDA device it says why
// and runs on the CPUs.
//
//   dagger_gpu [n=20000000] [block=2000000]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <dagger/array.hpp>
#include <dagger/cuda.hpp>
#include <dagger/dagger.hpp>

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// sum(pow(x, 2)) of a fresh x on `context`, timed.
double sum_of_squares(const dagger::Context& context, std::int64_t n, std::int64_t block, const char* where) {
  const auto start = std::chrono::steady_clock::now();
  const auto x = dagger::rand<double>(dagger::Blocks(block), n, dagger::Seed{42});
  const double s = dagger::collect(context, dagger::sum(dagger::pow(x, 2)));
  std::printf("%-12s sum(pow(x, 2)) = %.6f in %.3f s\n", where, s, seconds_since(start));
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t n = argc > 1 ? std::atoll(argv[1]) : 20'000'000;
  const std::int64_t block = argc > 2 ? std::atoll(argv[2]) : 2'000'000;
  const auto gpus = dagger::cuda_processors();
  if (gpus.empty()) {
    std::printf("no CUDA device: %s\n", dagger::cuda_status().reason.c_str());
    const double s = sum_of_squares(dagger::Context(), n, block, "CPUs");
    std::printf("expected about n/3 = %.0f: %s\n", n / 3.0, std::abs(s - n / 3.0) < 0.01 * n ? "yes" : "no");
    return 0;
  }
  for (const dagger::CudaProc* p : gpus) {
    std::printf("%s: %.1f GiB, %.0f GB/s\n", p->name().c_str(), p->device().memory_bytes / 1073741824.0,
                p->device().memory_bandwidth / 1e9);
  }
  // rand on a GPU draws cuRAND's numbers, on a CPU the CPU generator's: the
  // sums agree statistically (each is about n/3), not to the last digit.
  const double any = sum_of_squares(dagger::Context(), n, block, "everywhere");
  const double on_gpus = sum_of_squares(dagger::Context::only(dagger::ProcKind::cuda()), n, block, "GPUs");
  const double on_cpus = sum_of_squares(dagger::Context::excluding(dagger::ProcKind::cuda()), n, block, "CPUs");
  const bool agree = std::abs(any - n / 3.0) < 0.01 * n && std::abs(on_gpus - n / 3.0) < 0.01 * n &&
                     std::abs(on_cpus - n / 3.0) < 0.01 * n;
  std::printf("expected about n/3 = %.0f: %s\n", n / 3.0, agree ? "yes" : "no");
  for (const dagger::CudaProc* p : gpus) {
    const auto m = p->memory_stats();
    std::printf("%s: peak %.1f MiB on the device, %llu evictions\n", p->name().c_str(),
                m.peak_resident_bytes / 1048576.0, static_cast<unsigned long long>(m.evictions));
  }
  return agree ? 0 : 1;
}
