// The dagger side of bench/compare_dask.sh (bench/compare_dask.py is the
// dask side, with the same workloads, sizes and timing).
//
//   compare_dask_dagger WORKLOAD N BLOCK REPS
//
// prints one line "CASE SECONDS" per timed run, and "# CASE VALUE" lines
// with what a run computed (a sanity check, and a use of the result). Inputs
// a case says are "in memory" are computed before the clock starts; the
// clock stops once the result is computed (a scalar collected, an array's
// blocks materialized), before anything is freed.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <dagger/array.hpp>
#include <dagger/dagger.hpp>
#include <filesystem>
#include <string>

namespace {

using Clock = std::chrono::steady_clock;

struct Run {
  std::string label;  // the case, with its size
  int reps;
};

// Arrays have no single value to print; their first element stands for them.
double value_of(double v) { return v; }
template <class T>
double value_of(const dagger::DArray<T>& a) {
  auto first = a.ndims() == 1 ? a(dagger::range(0, 1)) : a(dagger::range(0, 1), dagger::range(0, 1));
  return static_cast<double>(dagger::collect(first)(0, 0));
}

// Times f(rep), which returns a computed scalar or array; reading the value
// to print and freeing the result happen after the clock stops.
template <class F>
void timed(const Run& run, F f) {
  for (int r = 0; r < run.reps; ++r) {
    const auto start = Clock::now();
    const auto result = f(r);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("%s %.6f\n# %s %.6g\n", run.label.c_str(), seconds, run.label.c_str(), value_of(result));
    std::fflush(stdout);
  }
}

int usage() {
  std::fprintf(stderr,
               "usage: compare_dask_dagger WORKLOAD N BLOCK REPS\n"
               "  WORKLOAD: seed | apat_gen | apat_mem | matmul | sort | arrays | zarr (reads $COMPARE_DASK_ZARR)\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) return usage();
  const std::string workload = argv[1];
  const std::int64_t n = std::atoll(argv[2]), block = std::atoll(argv[3]);
  const int reps = std::atoi(argv[4]);
  if (n <= 0 || block <= 0 || reps <= 0) return usage();
  const std::string size = "@" + std::to_string(n);
  const dagger::Blocks square(block, block);

  if (workload == "seed") {
    timed({"sum(randn.^2)" + size, reps}, [&](int r) {
      auto x = dagger::randn(square, n, n, dagger::Seed{static_cast<std::uint64_t>(1 + r)});
      return dagger::collect(dagger::sum(dagger::pow(x, 2)));
    });
  } else if (workload == "apat_gen") {
    timed({"sum(A+A')_generated" + size, reps}, [&](int r) {
      auto a = dagger::rand(square, n, n, dagger::Seed{static_cast<std::uint64_t>(10 + r)});
      return dagger::collect(dagger::sum(a + dagger::transpose(a)));
    });
  } else if (workload == "apat_mem") {
    auto a = dagger::compute(dagger::rand(square, n, n, dagger::Seed{10}));
    timed({"sum(A+A')_in_memory" + size, reps},
          [&](int) { return dagger::collect(dagger::sum(a + dagger::transpose(a))); });
  } else if (workload == "matmul") {
    auto a = dagger::compute(dagger::rand(square, n, n, dagger::Seed{20}));
    timed({"sum(a*a)_matmul" + size, reps}, [&](int) { return dagger::collect(dagger::sum(a * a)); });
  } else if (workload == "sort") {
    auto v = dagger::compute(dagger::rand(dagger::Blocks(block), n, dagger::Seed{30}));
    timed({"sort" + size, reps}, [&](int) { return dagger::compute(dagger::sort(v)); });
  } else if (workload == "arrays") {
    // Dagger.jl's array benchmark cases.
    timed({"rand" + size, reps}, [&](int r) {
      return dagger::compute(dagger::rand(square, n, n, dagger::Seed{static_cast<std::uint64_t>(40 + r)}));
    });
    auto x = dagger::compute(dagger::rand(square, n, n, dagger::Seed{50}));
    timed({"X.+1" + size, reps}, [&](int) { return dagger::compute(x + 1.0); });
    timed({"X+X" + size, reps}, [&](int) { return dagger::compute(x + x); });
    timed({"sin.(X)" + size, reps}, [&](int) { return dagger::compute(dagger::sin(x)); });
    timed({"sum(X)" + size, reps}, [&](int) { return dagger::collect(dagger::sum(x)); });
    timed({"norm(X)" + size, reps}, [&](int) { return dagger::collect(dagger::norm(x)); });
  } else if (workload == "zarr") {
    // The n x n array compare_dask.py prepare-zarr wrote (Python zarr's
    // default Blosc lz4 with byte shuffle, C order), read from the page
    // cache: load + sum, and load + save with the same compressor.
    const char* input = std::getenv("COMPARE_DASK_ZARR");
    if (input == nullptr) {
      std::fprintf(stderr, "zarr: set COMPARE_DASK_ZARR to the array compare_dask.py prepare-zarr wrote\n");
      return 2;
    }
    const std::string copy = std::string(input) + "_copy_dagger";
    timed({"zarr_load+sum" + size, reps}, [&](int) { return dagger::collect(dagger::sum(dagger::load<double>(input))); });
    timed({"zarr_copy_blosc" + size, reps}, [&](int) {
      dagger::compute(dagger::save(dagger::load<double>(input), copy,
                                   {.order = dagger::Order::C, .compressor = dagger::Compressor::blosc()}));
      return 0.0;
    });
    std::filesystem::remove_all(copy);
  } else {
    return usage();
  }
  return 0;
}
