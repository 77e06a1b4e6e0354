// The seed's out-of-core example under a memory limit, against the floor set
// by the disk: A = rand(Blocks(b, b), n, n); sum(A + transpose(A)) with no
// save; then saved_A = compute(save(A, "A")) and
// compute(save(saved_A + transpose(saved_A), "ApAt")). For each: wall time,
// peak RSS, bytes spilled and reloaded, and for the saving pipeline the time
// its bytes take at the disk bandwidth measured first in the same run.
//
//   bench_out_of_core [n=30000] [block=4000] [limit=2GiB] [directory=.]
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <dagger/array.hpp>
#include <dagger/dagger.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
constexpr double kGB = 1e9;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::size_t peak_rss() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}
void reset_peak_rss() { std::ofstream("/proc/self/clear_refs") << "5"; }

// Direct I/O past the page cache, in 64 MiB requests: what the disk does.
struct DiskBandwidth {
  double write_gbps = 0, read_gbps = 0;
};
DiskBandwidth measure_disk(const fs::path& dir, std::size_t bytes) {
  constexpr std::size_t kRequest = 64 << 20;
  const fs::path file = dir / "dagger-bench-disk-probe";
  void* raw = nullptr;
  if (posix_memalign(&raw, 4096, kRequest) != 0) throw std::bad_alloc();
  std::unique_ptr<void, decltype(&std::free)> buffer(raw, &std::free);
  std::memset(raw, 0x5a, kRequest);
  DiskBandwidth out;
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT, 0600);
  if (fd < 0) throw std::runtime_error("cannot open " + file.string() + " with O_DIRECT");
  auto start = Clock::now();
  for (std::size_t done = 0; done < bytes; done += kRequest) {
    if (::write(fd, raw, kRequest) != static_cast<ssize_t>(kRequest)) throw std::runtime_error("probe write failed");
  }
  ::fsync(fd);
  out.write_gbps = static_cast<double>(bytes) / kGB / seconds_since(start);
  ::close(fd);
  fd = ::open(file.c_str(), O_RDONLY | O_DIRECT);
  start = Clock::now();
  for (std::size_t done = 0; done < bytes; done += kRequest) {
    if (::read(fd, raw, kRequest) != static_cast<ssize_t>(kRequest)) throw std::runtime_error("probe read failed");
  }
  out.read_gbps = static_cast<double>(bytes) / kGB / seconds_since(start);
  ::close(fd);
  fs::remove(file);
  return out;
}

struct Measured {
  double seconds;
  std::size_t peak_rss;
  std::uint64_t spilled, reloaded, dropped;
};

template <class F>
Measured measure(F&& work) {
  const auto before = dagger::memory_stats();
  reset_peak_rss();
  const auto start = Clock::now();
  work();
  const double s = seconds_since(start);
  const auto after = dagger::memory_stats();
  return {s, peak_rss(), after.spilled_total_bytes - before.spilled_total_bytes,
          after.reloaded_total_bytes - before.reloaded_total_bytes,
          after.dropped_clean_bytes - before.dropped_clean_bytes};
}

void report(const char* name, const Measured& m) {
  std::cout << name << ": " << m.seconds << " s, peak RSS " << static_cast<double>(m.peak_rss) / kGB
            << " GB, spilled " << static_cast<double>(m.spilled) / kGB << " GB, reloaded "
            << static_cast<double>(m.reloaded) / kGB << " GB, dropped (re-read from their file) "
            << static_cast<double>(m.dropped) / kGB << " GB\n";
}

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t n = argc > 1 ? std::atoll(argv[1]) : 30000;
  const std::int64_t b = argc > 2 ? std::atoll(argv[2]) : 4000;
  const std::size_t limit = dagger::parse_byte_size(argc > 3 ? argv[3] : "2GiB");
  const fs::path dir = fs::absolute(argc > 4 ? argv[4] : ".");
  const double array_bytes = static_cast<double>(n) * static_cast<double>(n) * 8;

  dagger::Config config = dagger::config();
  config.memory_limit = limit;
  config.spill_directory = dir;
  dagger::configure(config);
  std::cout << "A: " << n << "x" << n << " doubles in " << b << "x" << b << " blocks ("
            << array_bytes / kGB << " GB), memory limit " << static_cast<double>(limit) / kGB << " GB, "
            << dagger::Context().processors().size() << " threads\n";

  const DiskBandwidth disk = measure_disk(dir, std::size_t{2} << 30);
  std::cout << "disk (direct I/O, 2 GiB): write " << disk.write_gbps << " GB/s, read " << disk.read_gbps
            << " GB/s\n";

  double total = 0;
  const Measured no_save = measure([&] {
    auto a = dagger::rand(dagger::Blocks(b, b), n, n, dagger::Seed{1});
    total = dagger::collect(dagger::sum(a + dagger::transpose(a)));
  });
  report("sum(A + transpose(A)), no save", no_save);
  std::cout << "  sum = " << total << "\n";

  // The saving pipeline must write A, read it (once, if nothing is spilled)
  // and write A + A': its floor is those bytes at the measured bandwidths.
  const fs::path a_path = dir / "bench-A", apat_path = dir / "bench-ApAt";
  dagger::DArray<double> saved_a;
  const Measured save_a = measure([&] {
    saved_a = dagger::compute(dagger::save(dagger::rand(dagger::Blocks(b, b), n, n, dagger::Seed{1}), a_path.string()));
  });
  report("saved_A = compute(save(A, \"A\"))", save_a);
  const Measured save_apat = measure([&] {
    dagger::compute(dagger::save(saved_a + dagger::transpose(saved_a), apat_path.string()));
  });
  report("compute(save(saved_A + transpose(saved_A), \"ApAt\"))", save_apat);

  const double write_floor = array_bytes / kGB / disk.write_gbps;
  const double read_floor = array_bytes / kGB / disk.read_gbps;
  const double floor = 2 * write_floor + read_floor;
  const double pipeline = save_a.seconds + save_apat.seconds;
  std::cout << "pipeline: " << pipeline << " s against a disk floor of " << floor << " s (write A " << write_floor
            << " s, read A " << read_floor << " s, write ApAt " << write_floor << " s): " << pipeline / floor
            << "x the floor\n";
  fs::remove_all(a_path);
  fs::remove_all(apat_path);
  return 0;
}
