// The out-of-core example of the seed: an array several times larger than
// the memory the process may use, saved, transformed and saved again, and
// the same sum with no save at all.
//
//   dagger_out_of_core [n=30000] [block=4000] [limit=2GiB] [directory=ooc-data]
//
// With the defaults, A is 7.2 GB under a 2 GiB limit.
#include <cmath>
#include <cstdlib>
#include <dagger/array.hpp>
#include <dagger/dagger.hpp>
#include <filesystem>
#include <iostream>

int main(int argc, char** argv) {
  using dagger::Blocks;
  const std::int64_t n = argc > 1 ? std::atoll(argv[1]) : 30000;
  const std::int64_t b = argc > 2 ? std::atoll(argv[2]) : 4000;
  const std::filesystem::path dir = argc > 4 ? argv[4] : "ooc-data";
  std::filesystem::create_directories(dir);

  dagger::Config config = dagger::config();
  config.memory_limit = dagger::parse_byte_size(argc > 3 ? argv[3] : "2GiB");
  config.spill_directory = dir;
  dagger::configure(config);

  auto a = dagger::rand(Blocks(b, b), n, n, dagger::Seed{1});
  auto saved_a = dagger::compute(dagger::save(a, (dir / "A").string()));
  std::cout << "saved A: " << saved_a << "\n";
  auto saved_apat = dagger::compute(dagger::save(saved_a + dagger::transpose(saved_a), (dir / "ApAt").string()));
  std::cout << "saved A + A': " << saved_apat << "\n";

  // sum(A + A') = 2 sum(A): from the saved result, and with no save at all.
  const double from_saved = dagger::collect(dagger::sum(saved_apat));
  const double no_save = dagger::collect(dagger::sum(a + dagger::transpose(a)));
  const double twice_a = 2 * dagger::collect(dagger::sum(saved_a));
  std::cout << "sum(ApAt) = " << from_saved << ", sum(A + A') with no save = " << no_save
            << ", 2 sum(A) = " << twice_a << "\n";
  const bool same = std::abs(from_saved - twice_a) <= 1e-9 * twice_a && std::abs(no_save - twice_a) <= 1e-9 * twice_a;
  std::cout << "sums match: " << (same ? "yes" : "no") << "\n";

  const dagger::MemoryStats m = dagger::memory_stats();
  std::cout << "memory limit " << m.limit << " bytes, peak resident " << m.peak_resident_bytes << ", spilled "
            << m.spilled_total_bytes << " in " << m.spills << " blocks, reloaded " << m.reloaded_total_bytes << "\n";
  return same ? 0 : 1;
}
