// Re-blocking an n x n double array (4 GB at the default n) from row blocks
// to column blocks, the all-to-all case, against its floors measured in the
// same binary:
//
// - in memory: copying the array's bytes once from one buffer into another
//   on as many threads as dagger has (the least any re-blocking must move);
//   target: dagger within 2x;
// - under a memory limit (default 1 GiB): writing the array's bytes to a
//   file in the spill directory and reading them back once (a re-blocking
//   whose input and output do not fit must at least do that); target:
//   within 1.5x. The peak of resident chunk bytes and of the process's RSS
//   is printed with it.
//
// The two sides alternate for a few rounds; the medians are printed.
//
//   bench_rechunk    DAGGER_BENCH_N (22360), DAGGER_BENCH_GRID (16 blocks per side),
//                    DAGGER_BENCH_LIMIT (1GiB), DAGGER_BENCH_ROUNDS (3) change it.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "dagger/array.hpp"
#include "dagger/config.hpp"
#include "dagger/dagger.hpp"

namespace {

std::int64_t setting(const char* name, std::int64_t fallback) {
  const char* env = std::getenv(name);
  return env && *env ? std::atoll(env) : fallback;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::size_t rss_peak_bytes() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    std::size_t kb = 0;
    if (key == "VmHWM:" && status >> kb) return kb * 1024;
  }
  return 0;
}

// The memory floor: the bytes copied once, on `threads` threads, into a
// buffer whose pages exist already.
double copy_seconds(std::size_t bytes, int threads) {
  std::vector<char> from(bytes, 1), to(bytes, 0);
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      const std::size_t lo = bytes * static_cast<std::size_t>(t) / static_cast<std::size_t>(threads);
      const std::size_t hi = bytes * static_cast<std::size_t>(t + 1) / static_cast<std::size_t>(threads);
      std::memcpy(to.data() + lo, from.data() + lo, hi - lo);
    });
  }
  for (auto& w : workers) w.join();
  return seconds_since(start);
}

// The disk floor: the bytes written to a file in `dir` in 64 MiB writes,
// then read back, on `threads` threads (one file part each).
double disk_seconds(std::size_t bytes, int threads, const std::filesystem::path& dir) {
  const std::filesystem::path file = dir / "bench-rechunk-floor";
  const std::size_t chunk = std::size_t{64} << 20;
  const auto start = std::chrono::steady_clock::now();
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) {
    std::perror("bench_rechunk: open");
    std::exit(1);
  }
  auto each_part = [&](bool write) {
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        std::vector<char> buffer(chunk, static_cast<char>(t));
        const std::size_t lo = bytes * static_cast<std::size_t>(t) / static_cast<std::size_t>(threads);
        const std::size_t hi = bytes * static_cast<std::size_t>(t + 1) / static_cast<std::size_t>(threads);
        for (std::size_t at = lo; at < hi; at += chunk) {
          const std::size_t n = std::min(chunk, hi - at);
          const ssize_t done = write ? ::pwrite(fd, buffer.data(), n, static_cast<off_t>(at))
                                     : ::pread(fd, buffer.data(), n, static_cast<off_t>(at));
          if (done != static_cast<ssize_t>(n)) {
            std::perror("bench_rechunk: disk floor");
            std::exit(1);
          }
        }
      });
    }
    for (auto& w : workers) w.join();
  };
  each_part(true);
  each_part(false);
  const double seconds = seconds_since(start);
  ::close(fd);
  std::filesystem::remove(file);
  return seconds;
}

double rechunk_seconds(const dagger::DArray<double>& rows, std::int64_t n, std::int64_t b) {
  const auto start = std::chrono::steady_clock::now();
  auto cols = dagger::compute(dagger::rechunk(rows, dagger::Blocks(n, b)));
  const double seconds = seconds_since(start);
  if (cols.layout().block_cols() != b) std::exit(1);
  return seconds;
}

}  // namespace

int main() {
  const std::int64_t n = setting("DAGGER_BENCH_N", 22360);
  const std::int64_t grid = setting("DAGGER_BENCH_GRID", 16);
  const std::int64_t rounds = setting("DAGGER_BENCH_ROUNDS", 3);
  const char* limit_text = std::getenv("DAGGER_BENCH_LIMIT");
  const std::size_t limit = dagger::parse_byte_size(limit_text && *limit_text ? limit_text : "1GiB");
  const std::int64_t b = (n + grid - 1) / grid;
  const std::size_t bytes = static_cast<std::size_t>(n * n) * sizeof(double);
  const int threads = static_cast<int>(dagger::Context().processors().size());
  std::printf("rechunk %lldx%lld doubles (%.2f GB) from Blocks(%lld, %lld) to Blocks(%lld, %lld), %d threads\n",
              static_cast<long long>(n), static_cast<long long>(n), static_cast<double>(bytes) / 1e9,
              static_cast<long long>(b), static_cast<long long>(n), static_cast<long long>(n),
              static_cast<long long>(b), threads);

  const dagger::Config saved = dagger::config();
  {
    std::vector<double> ours, floor;
    auto rows = dagger::compute(dagger::rand(dagger::Blocks(b, n), n, n, dagger::Seed{1}));
    for (std::int64_t r = 0; r < rounds; ++r) {
      ours.push_back(rechunk_seconds(rows, n, b));
      floor.push_back(copy_seconds(bytes, threads));
    }
    std::printf("in memory:  dagger %.2f s, one copy %.2f s (%.1f GB/s): %.2fx the floor (target <= 2)\n",
                median(ours), median(floor), static_cast<double>(bytes) / median(floor) / 1e9, median(ours) / median(floor));
  }
  {
    dagger::Config c = saved;
    c.memory_limit = limit;
    dagger::configure(c);
    const std::filesystem::path dir = dagger::config().spill_directory;
    std::filesystem::create_directories(dir);
    std::vector<double> ours, floor;
    auto rows = dagger::compute(dagger::rand(dagger::Blocks(b, n), n, n, dagger::Seed{1}));
    dagger::reset_memory_peak();
    std::ofstream("/proc/self/clear_refs") << "5";  // the RSS peak starts again here
    const auto before = dagger::memory_stats();
    for (std::int64_t r = 0; r < rounds; ++r) {
      ours.push_back(rechunk_seconds(rows, n, b));
      floor.push_back(disk_seconds(bytes, threads, dir));
    }
    const auto after = dagger::memory_stats();
    std::printf("under %.2f GiB: dagger %.2f s, write + read once %.2f s: %.2fx the floor (target <= 1.5); "
                "resident peak %.2f GiB, RSS peak %.2f GiB, spilled %.1f GB per run\n",
                static_cast<double>(limit) / (1 << 30), median(ours), median(floor), median(ours) / median(floor),
                static_cast<double>(after.peak_resident_bytes) / (1 << 30),
                static_cast<double>(rss_peak_bytes()) / (1 << 30),
                static_cast<double>(after.spilled_total_bytes - before.spilled_total_bytes) / 1e9 /
                    static_cast<double>(rounds));
  }
  dagger::configure(saved);
  return 0;
}
