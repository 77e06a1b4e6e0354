// The entry (i, j) of an n x n symmetric, strictly diagonally dominant
// matrix (so positive definite), from a hash of the pair: made tile by tile
// where it is needed, never whole in memory, and the same in every process
// that makes a part of it (bench_linalg's tiles, scalapack_cholesky's ranks).
#pragma once

#include <algorithm>
#include <cstdint>

namespace dagger_bench {

inline double generated_spd_entry(std::int64_t i, std::int64_t j, std::int64_t n) {
  const std::uint64_t lo = static_cast<std::uint64_t>(std::min(i, j)), hi = static_cast<std::uint64_t>(std::max(i, j));
  std::uint64_t h = lo * 0x9E3779B97F4A7C15ull ^ (hi + 0x632BE59BD9B4E019ull);
  h ^= h >> 31;
  h *= 0xBF58476D1CE4E5B9ull;
  h ^= h >> 29;
  const double u = static_cast<double>(h >> 11) * 0x1.0p-53;
  return i == j ? u + 2.0 * static_cast<double>(n) : u;
}

}  // namespace dagger_bench
